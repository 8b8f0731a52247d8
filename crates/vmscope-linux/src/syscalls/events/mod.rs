//! Events, time and signals: `poll`/`ppoll`, `select`/`pselect6` fd sets, `epoll_*` events,
//! `eventfd2`, `timerfd_*`, `signalfd4`, `inotify_*`, `fanotify_*` (`wait.rs`); clocks, sleeps,
//! interval and POSIX timers, `adjtimex`, `time`, `times` (`time.rs`); signal sets, `siginfo`,
//! `sigaltstack`, signal frames, `sigevent`, the old i386 signal calls, `waitid` (`signal.rs`).
//!
//! A family of argument kinds ([`K`]) plugged into the decoder through [`io`], [`input`],
//! [`output`] and [`ret_extra`] (see `args.rs`): the same renderers run dry on the vCPU (reading,
//! recorded) and for real on the journal's writer (over the recording).
//!
//! strace prints some arguments at the call's exit even when the kernel only reads them (a
//! `siginfo` out of `rt_sigtimedwait`, `epoll_pwait`'s mask): those are output kinds here, and like
//! strace they show the pointer when the call failed.

pub(crate) mod signal;
pub(crate) mod time;
mod wait;

use super::Call;
use super::args::Io;
use super::ctx::Ctx;
use super::out::Out;
use super::read::read_bytes;
use crate::uapi::Xlat;

/// Argument kinds of this family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    /// `struct pollfd[nfds]` (`nfds` the next argument), shown at entry with `events`; the
    /// `revents` are shown after the return value ([`ret_extra`]).
    PollFds,
    /// An `fd_set` of `nfds` (argument 0) descriptors: `[3 4]`; the ready ones follow the return
    /// value (`(in [3], out [4], left {…})`).
    FdSet,
    /// i386 `select`'s one argument: a block of the five arguments, printed as five.
    OldSelectArgs,
    /// `pselect6`'s sixth argument: `{sigmask=[INT], sigsetsize=8}`.
    PselectSigmask,
    /// `EPOLL_CLOEXEC`.
    EpollFlags,
    /// `EPOLL_CTL_*`.
    EpollOp,
    /// Input `struct epoll_event` (the pointer for `EPOLL_CTL_DEL`).
    EpollEvent,
    /// Output `struct epoll_event[]`, as many as the call returned.
    EpollEvents,
    /// `EFD_*`.
    EfdFlags,
    /// `TFD_*`.
    TfdFlags,
    /// `SFD_*`.
    SfdFlags,
    /// `IN_*` flags of `inotify_init1`.
    InotifyInitFlags,
    /// `IN_*` event mask of `inotify_add_watch`.
    InotifyMask,
    /// `FAN_CLASS_*|FAN_*` of `fanotify_init`.
    FanInitFlags,
    /// `FAN_MARK_*`.
    FanMarkFlags,
    /// `FAN_*` event mask: 64 bits, in one register (x86_64) or this and the next (i386, low first).
    FanMask,
    /// `fanotify_mark`'s directory descriptor (`FAN_NOFD`, `AT_FDCWD`, a number).
    FanDirFd,
    /// An unsigned `int` in hex (`pidfd_send_signal`'s flags).
    Hex32,
    /// Input `struct timeval` of the ABI's longs (`select`, `settimeofday`).
    Timeval,
    /// Output `struct timeval` (`gettimeofday`).
    TimevalOut,
    /// Input `struct timezone`.
    Timezone,
    /// Output `struct timezone`.
    TimezoneOut,
    /// `ITIMER_*`.
    ItimerWhich,
    /// Input `struct itimerval`.
    Itimerval,
    /// Output `struct itimerval`.
    ItimervalOut,
    /// Input `struct __kernel_itimerspec` (64-bit fields).
    Itimerspec,
    /// Input `struct old_itimerspec32`.
    Itimerspec32,
    /// Output `struct __kernel_itimerspec`.
    ItimerspecOut,
    /// Output `struct old_itimerspec32`.
    Itimerspec32Out,
    /// A `struct __kernel_timespec` strace reads at the exit (`epoll_pwait2`'s timeout): the
    /// pointer when the call failed.
    TimespecAtExit,
    /// `nanosleep`'s and `clock_nanosleep`'s `rem`: shown only when a signal interrupted the sleep
    /// (and, for `clock_nanosleep`, the sleep was relative); the pointer otherwise.
    SleepRem,
    /// The same with `struct old_timespec32`.
    SleepRem32,
    /// `TIMER_ABSTIME`.
    ClockFlags,
    /// `struct __kernel_timex`, read and written by `adjtimex`/`clock_adjtime`; shown at exit.
    Timex,
    /// i386's `struct old_timex32`.
    Timex32,
    /// `time`'s output `time_t`: `[1700000000 /* 2023-11-14T22:13:20+0000 */]`.
    TimeOut,
    /// Output `struct tms`.
    Tms,
    /// Input `struct sigevent` of `timer_create`.
    Sigevent,
    /// `timer_create`'s output timer id: `[0]`.
    TimerIdOut,
    /// A signal set strace reads at the exit (`epoll_pwait`): the pointer when the call failed.
    SigsetAtExit,
    /// `rt_sigpending`'s output set, which may be shorter than 8 bytes.
    PendingSet,
    /// Input old signal set of one word (i386 `sigprocmask`).
    OldSigset,
    /// Output old signal set of one word (i386 `sigprocmask`, `sigpending`).
    OldSigsetOut,
    /// An old signal mask passed by value (i386 `sigsuspend`, `ssetmask`).
    OldMask,
    /// Input `siginfo_t` (`rt_sigqueueinfo`, `pidfd_send_signal`).
    SiginfoIn,
    /// Output `siginfo_t` (`rt_sigtimedwait`, `waitid`).
    SiginfoOut,
    /// Input `stack_t` of `sigaltstack`.
    StackT,
    /// Output `stack_t` of `sigaltstack`.
    StackTOut,
    /// `rt_sigreturn`: the signal frame on the user stack, whose mask the call restores. The
    /// register is the user stack pointer at the call's entry (see `abi::entering_call`).
    SigFrame,
    /// i386 `sigreturn`: the old signal frame on the user stack (register: the stack pointer).
    OldSigFrame,
    /// A signal handler value: `SIG_DFL`, `SIG_IGN`, or the address (i386 `signal`).
    SaHandler,
    /// Input `struct old_sigaction` (i386 `sigaction`).
    OldSigaction,
    /// Output `struct old_sigaction`.
    OldSigactionOut,
    /// `P_*` id type of `waitid`.
    IdType,
    /// `W*` options of `waitid`, with strace's name for unknown bits.
    WaitidOptions,
    /// Output `struct rusage` (`waitid`), abbreviated.
    RusageOut,
}

/// When kind `k` is read.
pub(crate) fn io(k: K) -> Io {
    use K::*;
    match k {
        EpollEvents | TimevalOut | TimezoneOut | ItimervalOut | ItimerspecOut | Itimerspec32Out
        | TimespecAtExit | SleepRem | SleepRem32 | Timex | Timex32 | TimeOut | Tms | TimerIdOut
        | SigsetAtExit | PendingSet | OldSigsetOut | SiginfoOut | StackTOut | OldSigactionOut
        | RusageOut => Io::Out,
        PollFds | FdSet | OldSelectArgs | PselectSigmask | EpollFlags | EpollOp | EpollEvent
        | EfdFlags | TfdFlags | SfdFlags | InotifyInitFlags | InotifyMask | FanInitFlags
        | FanMarkFlags | FanMask | FanDirFd | Hex32 | Timeval | Timezone | ItimerWhich
        | Itimerval | Itimerspec | Itimerspec32 | ClockFlags | Sigevent | OldSigset | OldMask
        | SiginfoIn | StackT | SigFrame | OldSigFrame | SaHandler | OldSigaction | IdType
        | WaitidOptions => Io::In,
    }
}

/// Renders input kind `k` of argument `i`: `Some(true)` written, `Some(false)` omitted, `None`
/// unreadable (the caller cuts what was written and retries at exit).
pub(crate) fn input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) -> Option<bool> {
    use K::*;
    match k {
        PollFds | FdSet | OldSelectArgs | PselectSigmask | EpollFlags | EpollOp | EpollEvent
        | EfdFlags | TfdFlags | SfdFlags | InotifyInitFlags | InotifyMask | FanInitFlags
        | FanMarkFlags | FanMask | FanDirFd | Hex32 => wait::input(cx, w, i, k),
        Timeval | Timezone | ItimerWhich | Itimerval | Itimerspec | Itimerspec32 | ClockFlags
        | Sigevent => time::input(cx, w, i, k),
        _ => signal::input(cx, w, i, k),
    }
}

/// Renders output kind `k` of argument `i` at exit; the pointer when the call failed.
pub(crate) fn output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) {
    use K::*;
    match k {
        EpollEvents => wait::output(cx, w, i, k),
        TimevalOut | TimezoneOut | ItimervalOut | ItimerspecOut | Itimerspec32Out
        | TimespecAtExit | SleepRem | SleepRem32 | Timex | Timex32 | TimeOut | Tms | TimerIdOut => {
            time::output(cx, w, i, k)
        }
        _ => signal::output(cx, w, i, k),
    }
}

/// What strace prints after a successful call's return value; `false` when this family has nothing
/// for the call (nothing written).
pub(crate) fn ret_extra(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    use Call::*;
    match cx.desc.call {
        Poll | Ppoll | PpollTime64 => wait::poll_result(cx, w),
        Select | Newselect | Pselect6 | Pselect6Time64 => wait::select_result(cx, w),
        Adjtimex | ClockAdjtime | ClockAdjtime64 | Time => time::ret_extra(cx, w),
        RtSigtimedwait | RtSigtimedwaitTime64 | Signal | Sgetmask | Ssetmask => {
            signal::ret_extra(cx, w)
        }
        _ => false,
    }
}

/// strace's `printflags`: `A|B|0x40`, the names tried in the table's order; `0x40 /* X_??? */`
/// when no bit has a name; `0` (or the name of an exact zero entry) for zero.
pub(crate) fn flags(w: &mut Out<'_>, v: u64, table: Xlat, dflt: &str) {
    let mut left = v;
    let mut n = 0;
    for &(val, name) in table {
        if !(left != 0 || n == 0) {
            break;
        }
        if left == val || (val != 0 && left & val == val) {
            if n > 0 {
                w.c('|');
            }
            w.s(name);
            n += 1;
            left &= !val;
        }
        if left == 0 {
            break;
        }
    }
    if n > 0 {
        if left != 0 {
            w.c('|');
            w.hex(left);
        }
    } else if left != 0 {
        w.hex(left);
        w.s(" /* ");
        w.s(dflt);
        w.s(" */");
    } else {
        w.c('0');
    }
}

/// Elements strace prints of an array at most (its `-s`, then `...`).
pub(crate) fn max_array(cx: &Ctx<'_>) -> u64 {
    cx.opts.string_limit.min(1 << 16) as u64
}

/// strace's `print_array`: `[e0, e1, ...]` of `n` elements of `size` bytes at `addr`, each read
/// then rendered by `elem`; at most [`max_array`] then `...`; an element that cannot be read ends
/// the array with `... /* 0x… */` (the first one: the address alone).
pub(crate) fn array(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    n: u64,
    size: u64,
    mut elem: impl FnMut(&mut Out<'_>, &[u8]),
) {
    if addr == 0 {
        w.s("NULL");
        return;
    }
    if n == 0 {
        w.s("[]");
        return;
    }
    let Some(bytes) = n
        .checked_mul(size)
        .filter(|b| addr.checked_add(*b).is_some())
    else {
        w.ptr(addr);
        return;
    };
    let end = addr + bytes;
    let max = max_array(cx);
    let mut cur = addr;
    let mut idx = 0u64;
    while cur < end {
        if cur != addr {
            w.s(", ");
        }
        let Some(b) = read_bytes(cx.mem, cur, size as usize) else {
            if cur == addr {
                w.ptr(cur);
                return;
            }
            w.s("...");
            w.s(" /* ");
            w.hex(cur);
            w.s(" */");
            break;
        };
        if cur == addr {
            w.c('[');
        }
        if idx >= max {
            w.s("...");
            break;
        }
        elem(w, &b);
        cur += size;
        idx += 1;
    }
    w.c(']');
}

#[cfg(test)]
mod tests;
