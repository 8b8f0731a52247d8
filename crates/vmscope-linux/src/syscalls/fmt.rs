//! Low-level rendering helpers shared by the argument decoders: numbers, pointers, quoted strings and
//! bounded reads of guest memory, all in strace's notation.

use std::fmt::Write as _;
use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

/// The most bytes read from the guest for any one argument.
pub(super) const MAX_READ: usize = 16 * 1024;

/// strace prints file names up to `PATH_MAX - 1` bytes whatever `-s` says.
pub(super) const PATH_LIMIT: usize = 4095;

/// Bytes in a pointer / `long` of the ABI.
pub(super) fn word_size(abi: Abi) -> u64 {
    match abi {
        Abi::X86_64 => 8,
        Abi::I386 => 4,
    }
}

/// `v` cut to the ABI's word (i386: 32 bits).
pub(super) fn word(abi: Abi, v: u64) -> u64 {
    match abi {
        Abi::X86_64 => v,
        Abi::I386 => v & 0xffff_ffff,
    }
}

/// `v` as a signed `long` of the ABI.
pub(super) fn long(abi: Abi, v: u64) -> i64 {
    match abi {
        Abi::X86_64 => v as i64,
        Abi::I386 => v as u32 as i32 as i64,
    }
}

/// `%#x`: `0` for zero, `0x…` otherwise.
pub(super) fn hex(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

/// A pointer: `NULL` or `0x…`.
pub(super) fn ptr(v: u64) -> String {
    if v == 0 {
        "NULL".to_string()
    } else {
        format!("{v:#x}")
    }
}

/// `%#o`: `0` for zero, `0…` otherwise.
pub(super) fn octal(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("0{v:o}")
    }
}

/// C's `%#03o`: `000`, `007`, `0644`.
pub(super) fn octal03(v: u64) -> String {
    let s = octal(v);
    format!("{s:0>3}")
}

/// A file mode as strace prints `umode_t` (`%#03o` of 16 bits): `0644`, `000`.
pub(super) fn mode(v: u64) -> String {
    octal03(v & 0xffff)
}

/// How a string is quoted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Quote {
    /// strace's default: C escapes, octal for other non-printable bytes.
    Default,
    /// Every byte as `\xNN` (strace does this for random bytes, e.g. `getrandom`).
    Hex,
}

/// Quotes `bytes` as strace does; `more` appends `...` after the closing quote.
pub(super) fn quote(bytes: &[u8], more: bool, style: Quote) -> String {
    let mut s = String::with_capacity(bytes.len() + 5);
    s.push('"');
    for (i, &c) in bytes.iter().enumerate() {
        if style == Quote::Hex {
            let _ = write!(s, "\\x{c:02x}");
            continue;
        }
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x0c => s.push_str("\\f"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x0b => s.push_str("\\v"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                // Octal, with all three digits when an octal digit follows (so it cannot be misread).
                let next_is_digit = bytes.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                s.push('\\');
                if next_is_digit {
                    let _ = write!(s, "{c:03o}");
                } else {
                    let _ = write!(s, "{c:o}");
                }
            }
        }
    }
    s.push('"');
    if more {
        s.push_str("...");
    }
    s
}

/// Reads a NUL-terminated string of at most `limit` bytes for printing.
///
/// Returns the bytes and whether they were cut at `limit`; `None` when the string cannot be read up to
/// its terminator or the limit (strace then prints the pointer).
pub(super) fn read_string(
    mem: &mut dyn GuestMemory,
    addr: u64,
    limit: usize,
) -> Option<(Vec<u8>, bool)> {
    let limit = limit.min(MAX_READ);
    let (mut bytes, found) = mem.read_cstr(addr, limit + 1)?;
    if found {
        return Some((bytes, false));
    }
    if bytes.len() <= limit {
        // Ran into an unreadable page before the terminator.
        return None;
    }
    bytes.truncate(limit);
    Some((bytes, true))
}

/// Reads exactly `len` bytes (bounded by [`MAX_READ`]); `None` when any byte is unreadable.
pub(super) fn read_bytes(mem: &mut dyn GuestMemory, addr: u64, len: usize) -> Option<Vec<u8>> {
    let len = len.min(MAX_READ);
    let mut buf = vec![0u8; len];
    // Page by page, so an implementation that cannot cross pages still works.
    let mut done = 0;
    while done < len {
        let cur = addr.checked_add(done as u64)?;
        let page_left = 0x1000 - (cur & 0xfff) as usize;
        let n = page_left.min(len - done);
        if !mem.read(cur, &mut buf[done..done + n]) {
            return None;
        }
        done += n;
    }
    Some(buf)
}

/// Reads a pointer-sized word of the ABI.
pub(super) fn read_word(mem: &mut dyn GuestMemory, abi: Abi, addr: u64) -> Option<u64> {
    match abi {
        Abi::X86_64 => mem.read_u64(addr),
        Abi::I386 => mem.read_u32(addr).map(u64::from),
    }
}

/// Renders `v` as `A|B|0x…` from `(bit, name)` pairs tried in order; `zero` when `v` is 0.
pub(super) fn flags(v: u64, table: &[(u64, &str)], zero: &str) -> String {
    if v == 0 {
        return zero.to_string();
    }
    // Written into one string: this runs on the vCPU thread for most calls.
    let mut out = String::new();
    let mut left = v;
    for &(bits, name) in table {
        if bits != 0 && left & bits == bits {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            left &= !bits;
        }
    }
    if left != 0 {
        if !out.is_empty() {
            out.push('|');
        }
        let _ = write!(out, "{left:#x}");
    }
    out
}

/// Renders `v` as the name of an exact value, or `0x… /* WHAT_??? */` (strace's unknown-value form).
pub(super) fn xlat(v: u64, table: &[(u64, &str)], unknown: &str) -> String {
    match table.iter().find(|&&(val, _)| val == v) {
        Some(&(_, name)) => name.to_string(),
        None => format!("{} /* {unknown} */", hex(v)),
    }
}
