//! Structures more than one decoder family prints, in strace's notation: the ABI's `struct timeval`
//! (`long` fields), `struct rusage` (abbreviated, as strace prints it without `-v`) and `clock_t`
//! values with their seconds (`tms_utime=5 /* 0.05 s */`). Used by the events family (`waitid`,
//! `gettimeofday`, `times`) and open to the others (`wait4`, `getrusage`).

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

use super::ctx::Ctx;
use super::out::{Out, w};
use super::read::{le_u32, le_u64, read_bytes, word_size};

/// strace's clock ticks per second (`sysconf(_SC_CLK_TCK)` on Linux: `USER_HZ`).
const CLK_TCK: u64 = 100;

/// A `long` of the ABI at `off` of `b`, sign-extended.
pub(crate) fn long_at(abi: Abi, b: &[u8], off: usize) -> i64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => le_u64(b, off) as i64,
        Abi::I386 => i64::from(le_u32(b, off) as u32 as i32),
    }
}

/// An unsigned `long` of the ABI at `off` of `b` (strace's `%llu` of a zero-extended long).
pub(crate) fn ulong_at(abi: Abi, b: &[u8], off: usize) -> u64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => le_u64(b, off),
        Abi::I386 => le_u32(b, off),
    }
}

/// `{tv_sec=1, tv_usec=500}` from the bytes of a `struct timeval` of the ABI at `off` of `b`.
pub(crate) fn timeval_at(w: &mut Out<'_>, abi: Abi, b: &[u8], off: usize) {
    let ws = word_size(abi) as usize;
    w!(
        w,
        "{{tv_sec={}, tv_usec={}}}",
        long_at(abi, b, off),
        ulong_at(abi, b, off + ws)
    );
}

/// The size of the ABI's `struct timeval`.
pub(crate) fn timeval_size(abi: Abi) -> usize {
    2 * word_size(abi) as usize
}

/// A `struct timeval` of the ABI at `addr`: `NULL`, or the structure; `None` when unreadable.
pub(crate) fn timeval(
    mem: &mut dyn GuestMemory,
    abi: Abi,
    w: &mut Out<'_>,
    addr: u64,
) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let b = read_bytes(mem, addr, timeval_size(abi))?;
    timeval_at(w, abi, &b, 0);
    Some(())
}

/// A `clock_t` as strace prints it: `0`, or `5 /* 0.05 s */`.
pub(crate) fn clock_t(w: &mut Out<'_>, v: u64) {
    w.uint(v);
    if v > 0 {
        w!(w, " /* {}.{:02} s */", v / CLK_TCK, v % CLK_TCK);
    }
}

/// A `clock_t` of the ABI at `off` of `b`, converted as strace converts it (sign-extended).
pub(crate) fn clock_t_at(w: &mut Out<'_>, abi: Abi, b: &[u8], off: usize) {
    clock_t(w, long_at(abi, b, off) as u64);
}

/// `struct rusage` at `addr`, abbreviated: `{ru_utime={tv_sec=0, tv_usec=117}, ru_stime={…}, ...}`;
/// `NULL`, or `None` when unreadable.
pub(crate) fn rusage(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let tv = timeval_size(cx.abi);
    // Two timevals and fourteen longs.
    let b = read_bytes(cx.mem, addr, 2 * tv + 14 * word_size(cx.abi) as usize)?;
    w.s("{ru_utime=");
    timeval_at(w, cx.abi, &b, 0);
    w.s(", ru_stime=");
    timeval_at(w, cx.abi, &b, tv);
    w.s(", ...}");
    Some(())
}
