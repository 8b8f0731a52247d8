//! strace's printing primitives the `sys` family shares: flag sets and named values exactly as
//! `printflags`/`printxval` print them (including the `/* X_??? */` comment for unknown values),
//! the strings of `printstr_ex`, numbers behind pointers (`[42]`), and the memory view of in/out
//! kinds that render the whole call at its exit.

use super::super::ctx::Ctx;
use super::super::out::{Out, Quote, w};
use super::super::read::read_bytes;
use crate::uapi::Xlat;

/// strace's `printflags`: `A|B|0x10`; `0x10 /* DFLT */` when no name matches; for 0 the table's
/// zero-valued name, else `0` (nothing at all when `dflt` is `None`, as strace).
pub(crate) fn pflags(w: &mut Out<'_>, v: u64, table: &[(u64, &str)], dflt: Option<&str>) {
    if v == 0 {
        match table.iter().find(|&&(val, _)| val == 0) {
            Some(&(_, name)) => w.s(name),
            None if dflt.is_some() => w.c('0'),
            None => {}
        }
        return;
    }
    let mut left = v;
    let mut n = 0;
    for &(bits, name) in table {
        if bits != 0 && left & bits == bits {
            if n > 0 {
                w.c('|');
            }
            w.s(name);
            n += 1;
            left &= !bits;
            if left == 0 {
                break;
            }
        }
    }
    if n > 0 {
        if left != 0 {
            w!(w, "|{left:#x}");
        }
    } else {
        w!(w, "{left:#x}");
        if let Some(d) = dflt {
            w!(w, " /* {d} */");
        }
    }
}

/// strace's `printxval`: the name of `v`, or `0x… /* DFLT */`.
pub(crate) fn pxval(w: &mut Out<'_>, v: u64, table: Xlat, dflt: &str) {
    w.xlat(v, table, dflt);
}

/// `printxval` of the low 32 bits.
pub(crate) fn pxval32(w: &mut Out<'_>, v: u64, table: Xlat, dflt: &str) {
    w.xlat(v & 0xffff_ffff, table, dflt);
}

/// strace's flags in "auxiliary string" mode (what follows a return value): the names, `|0x…`
/// for unknown bits after a name; `None` when nothing is named.
pub(crate) fn aux_flags(v: u64, table: &[(u64, &str)]) -> Option<String> {
    if v == 0 {
        return table
            .first()
            .filter(|&&(val, _)| val == 0)
            .map(|&(_, n)| n.to_string());
    }
    let mut s = String::new();
    let mut left = v;
    for &(bits, name) in table {
        if bits != 0 && left & bits == bits {
            if !s.is_empty() {
                s.push('|');
            }
            s.push_str(name);
            left &= !bits;
        }
    }
    if s.is_empty() {
        return None;
    }
    if left != 0 {
        s.push_str(&format!("|{left:#x}"));
    }
    Some(s)
}

/// strace's `sprintflags` (not in auxiliary mode): unknown bits alone print as `0x…`.
pub(crate) fn sflags(v: u64, table: &[(u64, &str)]) -> String {
    if v == 0 {
        return table
            .first()
            .filter(|&&(val, _)| val == 0)
            .map_or_else(String::new, |&(_, n)| n.to_string());
    }
    let mut s = String::new();
    let mut left = v;
    for &(bits, name) in table {
        if bits != 0 && left & bits == bits {
            if !s.is_empty() {
                s.push('|');
            }
            s.push_str(name);
            left &= !bits;
        }
    }
    if left != 0 {
        if !s.is_empty() {
            s.push('|');
        }
        s.push_str(&format!("{left:#x}"));
    }
    s
}

/// strace's `printstr_ex(addr, len, QUOTE_0_TERMINATED)`: a NUL-terminated string of at most
/// `len` bytes (and the string limit), `...` when no NUL came within them; `None` when unreadable.
pub(crate) fn str0(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, len: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let limit = cx.opts.string_limit.min(super::super::read::MAX_READ) as u64;
    let size = (limit + 1).min(len) as usize;
    let (mut bytes, found) = cx.mem.read_cstr(addr, size)?;
    if !found && bytes.len() < size {
        // Ran into an unreadable page.
        return None;
    }
    let mut more = !found && len > 0;
    if bytes.len() as u64 > limit {
        bytes.truncate(limit as usize);
        more = len > 0;
    }
    w.quote(&bytes, more, Quote::Default);
    Some(())
}

/// strace's `printstrn(addr, len)`: `len` bytes (cut at the string limit); `None` when unreadable.
pub(crate) fn strn(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, len: u64) -> Option<()> {
    super::super::ctx::buffer(cx.mem, cx.opts, w, addr, len, Quote::Default)
}

/// A number behind a pointer as `printnum_*` prints it: `[42]`, `NULL`, or the pointer when it
/// cannot be read (or, at exit, when the call failed).
pub(crate) fn num_at(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    size: usize,
    f: impl FnOnce(&mut Out<'_>, u64),
) {
    if addr == 0 {
        w.s("NULL");
        return;
    }
    if cx.exit && !cx.ok() {
        w.ptr(addr);
        return;
    }
    match read_bytes(cx.mem, addr, size) {
        Some(b) => {
            let mut v = 0u64;
            for (i, byte) in b.iter().enumerate().take(8) {
                v |= u64::from(*byte) << (8 * i);
            }
            w.c('[');
            f(w, v);
            w.c(']');
        }
        None => w.ptr(addr),
    }
}

/// `[42]` of an `int` read as unsigned (`%u`).
pub(crate) fn num_u32(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    num_at(cx, w, addr, 4, |w, v| w.uint(v));
}

/// `[-1]` of an `int`.
pub(crate) fn num_i32(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    num_at(cx, w, addr, 4, |w, v| w.int(i64::from(v as u32 as i32)));
}

/// `[0x7f…]` of a pointer-sized word (`printnum_ptr`, `printnum_kptr`).
pub(crate) fn num_ptr(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    let size = super::super::read::word_size(cx.abi) as usize;
    num_at(cx, w, addr, size, |w, v| w.ptr(v));
}

/// `[24]` of an unsigned `long` (`printnum_ulong`).
pub(crate) fn num_ulong(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    let size = super::super::read::word_size(cx.abi) as usize;
    num_at(cx, w, addr, size, |w, v| w.uint(v));
}

/// Runs `f` with `cx.mem` the memory as the call's entry saw it (at the entry itself, the memory
/// now): how a kind that renders a whole call at its exit shows what the call read.
pub(crate) fn at_entry<'a, R>(cx: &mut Ctx<'a>, f: impl FnOnce(&mut Ctx<'a>) -> R) -> R {
    let exit = cx.exit;
    match cx.entry.take() {
        Some(mut e) => {
            std::mem::swap(&mut cx.mem, &mut e);
            cx.exit = false;
            let r = f(cx);
            cx.exit = exit;
            std::mem::swap(&mut cx.mem, &mut e);
            cx.entry = Some(e);
            r
        }
        None => {
            cx.exit = false;
            let r = f(cx);
            cx.exit = exit;
            r
        }
    }
}

/// strace's `print_array` of `n` elements of `size` bytes: `[a, b, ...]` (at most the string
/// limit's count, then `...`); the address where the array stops being readable.
pub(crate) fn array(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    n: u64,
    size: u64,
    mut each: impl FnMut(&mut Out<'_>, &[u8]),
) {
    if addr == 0 {
        w.s("NULL");
        return;
    }
    let max = super::super::structs::max_elems(cx) as u64;
    if n == 0 {
        w.s("[]");
        return;
    }
    let m = w.mark();
    w.c('[');
    for k in 0..n {
        if k > 0 {
            w.s(", ");
        }
        if k >= max {
            w.s("...");
            break;
        }
        let at = addr.wrapping_add(k.wrapping_mul(size));
        match read_bytes(cx.mem, at, size as usize) {
            Some(b) => each(w, &b),
            None => {
                if k == 0 {
                    // Nothing readable: strace prints the address alone.
                    w.cut(m);
                    w.ptr(addr);
                    return;
                }
                w!(w, "... /* {at:#x} */");
                break;
            }
        }
    }
    w.c(']');
}

/// strace's `print_nonzero_bytes`: the bytes `start..total` of a structure beyond what strace
/// knows of it, when not all zero: `prefix` then `/* bytes 88..95 */ "\x01…"` (`???` when
/// unreadable). Whether anything was written.
pub(crate) fn nonzero_bytes(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    start: u64,
    total: u64,
    prefix: &str,
) -> bool {
    if start >= total {
        return false;
    }
    let len = (total - start) as usize;
    match read_bytes(cx.mem, addr.wrapping_add(start), len) {
        None => {
            w.s(prefix);
            w.s("???");
            true
        }
        Some(b) if b.iter().all(|&c| c == 0) => false,
        Some(b) => {
            w.s(prefix);
            w!(w, "/* bytes {}..{} */ ", start, total - 1);
            let size = len.min(cx.opts.string_limit);
            let size = size.min(super::super::read::MAX_READ);
            w.quote(&b[..size], size < len, Quote::Hex);
            true
        }
    }
}

/// A `struct timespec` as strace prints it (`tv_nsec` unsigned, zero-extended from its width):
/// `old32` for `struct old_timespec32`. `NULL`; `None` when unreadable (nothing written).
pub(crate) fn timespec(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, old32: bool) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    if old32 {
        let b = read_bytes(cx.mem, addr, 8)?;
        let s = i64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i32);
        let ns = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        w!(w, "{{tv_sec={s}, tv_nsec={ns}}}");
    } else {
        let b = read_bytes(cx.mem, addr, 16)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[0..8]);
        let s = i64::from_le_bytes(a);
        a.copy_from_slice(&b[8..16]);
        let ns = u64::from_le_bytes(a);
        w!(w, "{{tv_sec={s}, tv_nsec={ns}}}");
    }
    Some(())
}
