//! Events and waiting: `poll`/`ppoll`, and (to come in this family) `select`/`pselect6` fd sets,
//! `epoll_*` events, `eventfd2`, `timerfd_*`, `signalfd4`, `inotify_*`; timers and clocks; signal
//! structures (`sigaltstack`, `siginfo`).
//!
//! A family of argument kinds ([`K`]) plugged into the decoder through [`io`], [`input`],
//! [`output`] and [`ret_extra`] (see `args.rs`): the same renderers run dry on the vCPU (reading,
//! recorded) and for real on the journal's writer (over the recording).

use super::Call;
use super::args::Io;
use super::ctx::Ctx;
use super::out::{Out, w};
use super::read::{le_u32, read_bytes};
use super::structs::max_elems;
use crate::uapi::events as ev;

/// Argument kinds of this family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    /// `struct pollfd[nfds]` (`nfds` the next argument), shown at entry with `events`; the
    /// `revents` are shown after the return value ([`ret_extra`]).
    PollFds,
}

/// When kind `k` is read.
pub(crate) fn io(k: K) -> Io {
    match k {
        K::PollFds => Io::In,
    }
}

/// Renders input kind `k` of argument `i`: `Some(true)` written, `Some(false)` omitted, `None`
/// unreadable (the caller cuts what was written and retries at exit).
pub(crate) fn input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) -> Option<bool> {
    match k {
        K::PollFds => {
            let n = cx.arg(i + 1) & 0xffff_ffff;
            pollfds(cx, w, cx.warg(i), n)?;
        }
    }
    Some(true)
}

/// Renders output (or in/out) kind `k` of argument `i` at exit; the pointer when the call failed.
pub(crate) fn output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) {
    match k {
        K::PollFds => w.ptr(cx.warg(i)),
    }
}

/// What strace prints after a successful call's return value; `false` when this family has nothing
/// for the call (nothing written).
pub(crate) fn ret_extra(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    match cx.desc.call {
        Call::Poll | Call::Ppoll | Call::PpollTime64 => poll_result(cx, w),
        _ => false,
    }
}

/// `[{fd=3, events=POLLIN}, {fd=-1}]`: at most `-s` elements, then `...`.
fn pollfds(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, n: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let max = max_elems(cx) as u64;
    w.c('[');
    for k in 0..n.min(max + 1) {
        if k > 0 {
            w.s(", ");
        }
        if k == max {
            w.s("...");
            break;
        }
        let at = addr.wrapping_add(8 * k);
        let Some(b) = read_bytes(cx.mem, at, 8) else {
            // strace shows where the array became unreadable.
            if k == 0 {
                return None;
            }
            w.hex(at);
            break;
        };
        let fd = le_u32(&b, 0) as u32 as i32;
        w!(w, "{{fd={fd}");
        if fd >= 0 {
            w.s(", events=");
            w.flags(le_u32(&b, 4) & 0xffff, ev::POLL, "0");
        }
        w.c('}');
    }
    w.c(']');
    Some(())
}

/// After `poll`'s return value: ` (Timeout)` for 0, else ` ([{fd=3, revents=POLLIN}])` from the
/// array at exit, and for `ppoll` the time left (`left {tv_sec=0, tv_nsec=…}`).
fn poll_result(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    let Some(ret) = cx.ret_ok() else {
        return false;
    };
    if ret == 0 {
        w.s(" (Timeout)");
        return true;
    }
    let addr = cx.warg(0);
    let n = (cx.arg(1) & 0xffff_ffff).min(1 << 16);
    let max = max_elems(cx);
    let mut shown = 0usize;
    let mut any = false;
    let m = w.mark();
    w.s(" (");
    for k in 0..n {
        let at = addr.wrapping_add(8 * k);
        let Some(b) = read_bytes(cx.mem, at, 8) else {
            w.s(if any { ", " } else { "[" });
            w.hex(at);
            any = true;
            break;
        };
        let revents = (le_u32(&b, 4) >> 16) & 0xffff;
        if revents == 0 {
            continue;
        }
        w.s(if any { ", " } else { "[" });
        any = true;
        if shown >= max {
            w.s("...");
            break;
        }
        w!(w, "{{fd={}, revents=", le_u32(&b, 0) as u32 as i32);
        w.flags(revents, ev::POLL, "0");
        w.c('}');
        shown += 1;
    }
    if any {
        w.c(']');
    }
    if matches!(cx.desc.call, Call::Ppoll | Call::PpollTime64) {
        let ts = cx.warg(2);
        if ts != 0
            && let Some(b) = read_bytes(cx.mem, ts, 16)
        {
            w.s(if any { ", left " } else { "left " });
            super::special::timespec_text(
                w,
                super::read::le_u64(&b, 0) as i64,
                super::read::le_u64(&b, 8) as i64,
            );
            any = true;
        }
    }
    if !any {
        w.cut(m);
        return false;
    }
    w.c(')');
    true
}
