//! Structures more than one decoder family prints: `struct rusage` (`getrusage` and `wait4` of the
//! `sys` family, `waitid` of `events`).

use super::ctx::Ctx;
use super::out::{Out, w};
use super::read::{le_u32, le_u64, read_bytes, word_size};

/// `struct rusage` of the ABI as strace abbreviates it:
/// `{ru_utime={tv_sec=0, tv_usec=1234}, ru_stime={tv_sec=0, tv_usec=0}, ...}`; `None` when
/// unreadable (nothing written).
pub(crate) fn rusage(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let ws = word_size(cx.abi) as usize;
    // Two timevals of two longs, then 14 longs.
    let b = read_bytes(cx.mem, addr, 18 * ws)?;
    let long = |i: usize| {
        if ws == 8 {
            le_u64(&b, 8 * i) as i64
        } else {
            i64::from(le_u32(&b, 4 * i) as u32 as i32)
        }
    };
    w!(
        w,
        "{{ru_utime={{tv_sec={}, tv_usec={}}}, ru_stime={{tv_sec={}, tv_usec={}}}, ...}}",
        long(0),
        long(1),
        long(2),
        long(3)
    );
    Some(())
}
