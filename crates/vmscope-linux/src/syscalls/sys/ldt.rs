//! `struct user_desc` as strace prints it: `set_thread_area`, `get_thread_area` (entry number in,
//! the rest out), `modify_ldt`, and i386 `clone`'s tls.

use vmscope_core::event::Abi;

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, read_bytes};
use super::util::at_entry;

/// What part of a `struct user_desc` is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Desc {
    /// The whole structure (`set_thread_area`, `modify_ldt`, i386 `clone`'s tls).
    Both,
    /// `get_thread_area`'s: `entry_number` from the entry, the rest from the exit.
    Split,
}

/// `struct user_desc`: `{entry_number=12, base_addr=0x…, limit=0x0fffff, seg_32bit=1, …}`.
pub(crate) fn user_desc(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, how: Desc) {
    let lm = cx.abi == Abi::X86_64;
    if how == Desc::Split {
        let entry = at_entry(cx, |cx| {
            if addr == 0 {
                None
            } else {
                cx.mem.read_u32(addr).map(u64::from)
            }
        });
        let Some(e) = entry else {
            w.ptr(addr);
            return;
        };
        w.s("{entry_number=");
        id(w, e);
        let after = if cx.ok() {
            read_bytes(cx.mem, addr, 16)
        } else {
            None
        };
        match after {
            Some(b) => {
                let e2 = le_u32(&b, 0);
                if e2 != e {
                    w.s(" => ");
                    id(w, e2);
                }
                desc_rest(w, &b, lm);
            }
            None if cx.exit => w.s(", ...}"),
            None => w.s(", ...}"),
        }
        return;
    }
    let Some(b) = read_bytes(cx.mem, addr, 16).filter(|_| addr != 0) else {
        w.ptr(addr);
        return;
    };
    w.s("{entry_number=");
    id(w, le_u32(&b, 0));
    desc_rest(w, &b, lm);
}

/// strace's `PRINT_VAL_ID`: `-1` for all ones, else unsigned.
fn id(w: &mut Out<'_>, v: u64) {
    if v == 0xffff_ffff {
        w.s("-1");
    } else {
        w.uint(v);
    }
}

/// The fields of a `struct user_desc` after `entry_number`, and the closing brace.
fn desc_rest(w: &mut Out<'_>, b: &[u8], lm: bool) {
    let base = le_u32(b, 4);
    let limit = le_u32(b, 8);
    let bits = le_u32(b, 12);
    w.s(", base_addr=");
    hex0(w, base, 8);
    w.s(", limit=");
    hex0(w, limit, 8);
    w!(
        w,
        ", seg_32bit={}, contents={}, read_exec_only={}, limit_in_pages={}, seg_not_present={}, useable={}",
        bits & 1,
        (bits >> 1) & 3,
        (bits >> 3) & 1,
        (bits >> 4) & 1,
        (bits >> 5) & 1,
        (bits >> 6) & 1
    );
    if lm {
        w!(w, ", lm={}", (bits >> 7) & 1);
    }
    w.c('}');
}

/// C's `%#0*x` with width `width`: `0x0fffff`, `00000000`.
fn hex0(w: &mut Out<'_>, v: u64, width: usize) {
    if v == 0 {
        w!(w, "{:0width$}", 0);
    } else {
        w!(w, "{v:#0width$x}");
    }
}

/// `set_thread_area`'s `= 0 (entry_number=12)` after a successful call.
pub(crate) fn thread_area_ret(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    let addr = cx.warg(0);
    match cx.mem.read_u32(addr).filter(|_| addr != 0) {
        Some(e) => {
            w!(w, " (entry_number={e})");
            true
        }
        None => false,
    }
}

/// `modify_ldt(func, ptr, bytecount)`: the descriptor when `bytecount` is its size.
pub(crate) fn modify_ldt(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    w.int(i64::from(cx.arg(0) as u32 as i32));
    w.sep();
    let (ptr, n) = (cx.warg(1), cx.warg(2));
    if n == 16 {
        user_desc(cx, w, ptr, Desc::Both);
    } else {
        w.ptr(ptr);
    }
    w.sep();
    w.uint(n);
}
