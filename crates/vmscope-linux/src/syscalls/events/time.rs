//! Time: `timespec` in both layouts (`__kernel_timespec`, `old_timespec32`), `timeval`, interval
//! timers, `itimerspec`, clock ids and flags, the `rem` of interrupted sleeps, `struct timex`,
//! `time`'s dates, `struct tms`, `struct sigevent` and timer ids.
//!
//! strace prints `tv_nsec`/`tv_usec` unsigned (`%llu` of the zero-extended field) and `tv_sec`
//! signed; dates in UTC as the guest has no time zone (`2023-11-14T22:13:20+0000`).

use vmscope_core::event::Abi;

use super::super::Call;
use super::super::common_structs::{self as cs, clock_t_at, long_at, timeval_at, ulong_at};
use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes, word_size};
use super::super::xlat;
use super::{K, flags};
use crate::uapi::{name_of, signal as sig, time};

/// Renders input kind `k` of argument `i` (see `events::input`).
pub(super) fn input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) -> Option<bool> {
    let v = cx.warg(i);
    match k {
        K::Timeval => timeval(cx, w, v)?,
        K::Timezone => timezone(cx, w, v)?,
        K::ItimerWhich => w.xlat(v, time::ITIMER_WHICH, "ITIMER_???"),
        K::Itimerval => itimerval(cx, w, v)?,
        K::Itimerspec => itimerspec(cx, w, v, false)?,
        K::Itimerspec32 => itimerspec(cx, w, v, true)?,
        K::ClockFlags => clock_flags(w, v),
        K::Sigevent => sigevent(cx, w, v)?,
        _ => return None,
    }
    Some(true)
}

/// Renders output kind `k` of argument `i` at exit (see `events::output`): what the call wrote,
/// or the pointer when it failed or cannot be read.
pub(super) fn output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) {
    let addr = cx.warg(i);
    let restarted = cx.ret.is_some_and(is_restart);
    let shown = match k {
        // The time left is only meaningful when a signal interrupted the sleep (strace).
        K::SleepRem | K::SleepRem32 => {
            let relative = cx.desc.call != Call::ClockNanosleep
                && cx.desc.call != Call::ClockNanosleepTime64
                || cx.warg(1) == 0;
            if restarted && relative {
                timespec(cx, w, addr, k == K::SleepRem32)
            } else {
                None
            }
        }
        _ if !cx.ok() || addr == 0 => None,
        K::TimevalOut => timeval(cx, w, addr),
        K::TimezoneOut => timezone(cx, w, addr),
        K::ItimervalOut => itimerval(cx, w, addr),
        K::ItimerspecOut => itimerspec(cx, w, addr, false),
        K::Itimerspec32Out => itimerspec(cx, w, addr, true),
        K::TimespecAtExit => timespec(cx, w, addr, false),
        K::Timex => timex(cx, w, addr, false),
        K::Timex32 => timex(cx, w, addr, true),
        K::TimeOut => time_out(cx, w, addr),
        K::Tms => tms(cx, w, addr),
        K::TimerIdOut => cx.mem.read_u32(addr).map(|v| w!(w, "[{}]", v as i32)),
        _ => None,
    };
    if shown.is_none() {
        w.ptr(addr);
    }
}

/// Whether a return value is one of the kernel's restart codes (strace's `is_erestart`).
fn is_restart(ret: i64) -> bool {
    matches!(ret, -512 | -513 | -514 | -516)
}

/// What strace prints after the return value of `adjtimex`/`clock_adjtime` (` (TIME_ERROR)`) and
/// `time` (` (2023-11-14T22:13:20+0000)`).
pub(super) fn ret_extra(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    let Some(ret) = cx.ret_ok() else {
        return false;
    };
    match cx.desc.call {
        Call::Time => {
            let t = match cx.abi {
                Abi::X86_64 | Abi::Aarch64 => ret,
                Abi::I386 => i64::from(ret as u32 as i32),
            };
            match date(t) {
                Some(d) => {
                    w!(w, " ({d})");
                    true
                }
                None => false,
            }
        }
        _ => {
            // Only when the structure itself could be shown.
            let (i, old32) = match cx.desc.call {
                Call::Adjtimex => (0, cx.abi == Abi::I386),
                Call::ClockAdjtime => (1, cx.abi == Abi::I386),
                _ => (1, false),
            };
            let addr = cx.warg(i);
            let size = if old32 { 128 } else { 208 };
            if addr == 0 || read_bytes(cx.mem, addr, size).is_none() {
                return false;
            }
            match name_of(time::ADJTIMEX_STATE, ret as u64) {
                Some(n) => {
                    w!(w, " ({n})");
                    true
                }
                None => false,
            }
        }
    }
}

/// `{tv_sec=1, tv_nsec=500}` (`tv_nsec` unsigned, as strace prints it).
pub(crate) fn timespec_text(w: &mut Out<'_>, sec: i64, nsec: u64) {
    w!(w, "{{tv_sec={sec}, tv_nsec={nsec}}}");
}

/// The size of a `timespec`: 16 bytes, or 8 in the old 32-bit layout.
fn timespec_size(old32: bool) -> usize {
    if old32 { 8 } else { 16 }
}

/// The `timespec` at `off` of `b`.
pub(crate) fn timespec_at(w: &mut Out<'_>, b: &[u8], off: usize, old32: bool) {
    if old32 {
        timespec_text(
            w,
            i64::from(le_u32(b, off) as u32 as i32),
            le_u32(b, off + 4),
        );
    } else {
        timespec_text(w, le_u64(b, off) as i64, le_u64(b, off + 8));
    }
}

/// A `struct __kernel_timespec` (or, `old32`, `struct old_timespec32`) at `addr`: `NULL`, or the
/// structure; `None` when unreadable.
pub(crate) fn timespec(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, old32: bool) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let b = read_bytes(cx.mem, addr, timespec_size(old32))?;
    timespec_at(w, &b, 0, old32);
    Some(())
}

/// strace's `sprint_timespec`: the structure, `NULL`, or the address when it cannot be read.
pub(crate) fn timespec_or_addr(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, old32: bool) {
    if timespec(cx, w, addr, old32).is_none() {
        w.hex(addr);
    }
}

/// A `struct timeval` of the ABI at `addr`.
pub(crate) fn timeval(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    cs::timeval(cx.mem, cx.abi, w, addr)
}

/// `{tz_minuteswest=0, tz_dsttime=0}`.
fn timezone(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let b = read_bytes(cx.mem, addr, 8)?;
    w!(
        w,
        "{{tz_minuteswest={}, tz_dsttime={}}}",
        le_u32(&b, 0) as u32 as i32,
        le_u32(&b, 4) as u32 as i32
    );
    Some(())
}

/// `{it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=50000}}`.
fn itimerval(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let tv = cs::timeval_size(cx.abi);
    let b = read_bytes(cx.mem, addr, 2 * tv)?;
    w.s("{it_interval=");
    timeval_at(w, cx.abi, &b, 0);
    w.s(", it_value=");
    timeval_at(w, cx.abi, &b, tv);
    w.c('}');
    Some(())
}

/// `{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1, tv_nsec=0}}`.
fn itimerspec(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, old32: bool) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ts = timespec_size(old32);
    let b = read_bytes(cx.mem, addr, 2 * ts)?;
    w.s("{it_interval=");
    timespec_at(w, &b, 0, old32);
    w.s(", it_value=");
    timespec_at(w, &b, ts, old32);
    w.c('}');
    Some(())
}

/// A clock id: `CLOCK_MONOTONIC`, or `0xfffffffe /* CLOCK_??? */` (strace 6.1 as Debian builds it
/// does not spell out the CPU-clock encodings).
pub(crate) fn clock_id(w: &mut Out<'_>, v: u64) {
    w.xlat(v & 0xffff_ffff, time::CLOCKS, "CLOCK_???");
}

/// `TIMER_ABSTIME`.
pub(crate) fn clock_flags(w: &mut Out<'_>, v: u64) {
    flags(w, v, time::CLOCK_FLAGS, "TIMER_???");
}

/// `struct timex` (`__kernel_timex`, or i386's `old_timex32` when `old32`), every field.
fn timex(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, old32: bool) -> Option<()> {
    // `int(off32, off64)`: a field at its offset in each layout; the 64-bit one widens ints to longs.
    let b = read_bytes(cx.mem, addr, if old32 { 128 } else { 208 })?;
    let int = |off32: usize, off64: usize| -> i64 {
        if old32 {
            i64::from(le_u32(&b, off32) as u32 as i32)
        } else {
            le_u64(&b, off64) as i64
        }
    };
    let int32 = |off32: usize, off64: usize| -> i64 {
        let off = if old32 { off32 } else { off64 };
        i64::from(le_u32(&b, off) as u32 as i32)
    };
    w.s("{modes=");
    flags(w, le_u32(&b, 0), time::ADJTIMEX_MODES, "ADJ_???");
    w!(
        w,
        ", offset={}, freq={}, maxerror={}, esterror={}, status=",
        int(4, 8),
        int(8, 16),
        int(12, 24),
        int(16, 32)
    );
    let status = if old32 {
        le_u32(&b, 20)
    } else {
        le_u32(&b, 40)
    };
    flags(w, status, time::ADJTIMEX_STATUS, "STA_???");
    w!(
        w,
        ", constant={}, precision={}, tolerance={}, time=",
        int(24, 48),
        int(28, 56),
        int(32, 64)
    );
    if old32 {
        w!(
            w,
            "{{tv_sec={}, tv_usec={}}}",
            le_u32(&b, 36) as u32 as i32,
            le_u32(&b, 40)
        );
    } else {
        w!(
            w,
            "{{tv_sec={}, tv_usec={}}}",
            le_u64(&b, 72) as i64,
            le_u64(&b, 80)
        );
    }
    w!(
        w,
        ", tick={}, ppsfreq={}, jitter={}, shift={}, stabil={}, jitcnt={}, calcnt={}, errcnt={}, \
         stbcnt={}, tai={}}}",
        int(44, 88),
        int(48, 96),
        int(52, 104),
        int32(56, 112),
        int(60, 120),
        int(64, 128),
        int(68, 136),
        int(72, 144),
        int(76, 152),
        int32(80, 160)
    );
    Some(())
}

/// `time`'s `time_t` (the ABI's long): `[1700000000 /* 2023-11-14T22:13:20+0000 */]`.
fn time_out(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let b = read_bytes(cx.mem, addr, word_size(cx.abi) as usize)?;
    let t = long_at(cx.abi, &b, 0);
    w!(w, "[{t}");
    if let Some(d) = date(t) {
        w!(w, " /* {d} */");
    }
    w.c(']');
    Some(())
}

/// `{tms_utime=2 /* 0.02 s */, tms_stime=0, tms_cutime=0, tms_cstime=0}`.
fn tms(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let ws = word_size(cx.abi) as usize;
    let b = read_bytes(cx.mem, addr, 4 * ws)?;
    for (k, name) in ["tms_utime", "tms_stime", "tms_cutime", "tms_cstime"]
        .into_iter()
        .enumerate()
    {
        w.s(if k == 0 { "{" } else { ", " });
        w.s(name);
        w.c('=');
        clock_t_at(w, cx.abi, &b, k * ws);
    }
    w.c('}');
    Some(())
}

/// `struct sigevent` (the kernel's layout: value, signo, notify, then a thread id or a function and
/// its attributes): `{sigev_value={sival_int=1, sival_ptr=0x1}, sigev_signo=SIGALRM,
/// sigev_notify=SIGEV_SIGNAL}`; the value only when its pointer is not NULL.
fn sigevent(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi) as usize;
    let b = read_bytes(cx.mem, addr, 3 * ws + 8)?;
    let ptr = ulong_at(cx.abi, &b, 0);
    let signo = le_u32(&b, ws);
    let notify = le_u32(&b, ws + 4);
    w.c('{');
    if ptr != 0 {
        w!(
            w,
            "sigev_value={{sival_int={}, sival_ptr=",
            le_u32(&b, 0) as u32 as i32
        );
        w.ptr(ptr);
        w.s("}, ");
    }
    w.s("sigev_signo=");
    match notify {
        sig::SIGEV_SIGNAL | sig::SIGEV_THREAD | sig::SIGEV_THREAD_ID => xlat::signal(w, signo),
        _ => w.uint(signo),
    }
    w.s(", sigev_notify=");
    w.xlat(notify, sig::SIGEV_NOTIFY, "SIGEV_???");
    match notify {
        sig::SIGEV_THREAD_ID => {
            w!(
                w,
                ", sigev_notify_thread_id={}",
                le_u32(&b, ws + 8) as u32 as i32
            );
        }
        sig::SIGEV_THREAD => {
            w.s(", sigev_notify_function=");
            w.ptr(ulong_at(cx.abi, &b, ws + 8));
            w.s(", sigev_notify_attributes=");
            w.ptr(ulong_at(cx.abi, &b, 2 * ws + 8));
        }
        _ => {}
    }
    w.c('}');
    Some(())
}

/// A date as strace prints `time_t` values with the guest's time zone, UTC: `%FT%T%z`
/// (`2023-11-14T22:13:20+0000`); `None` for 0 (strace prints no date then) and for years the C
/// library cannot represent.
pub(crate) fn date(t: i64) -> Option<String> {
    if t == 0 {
        return None;
    }
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    // glibc's `localtime` fails when the year does not fit `struct tm`.
    i32::try_from(y.checked_sub(1900)?).ok()?;
    Some(format!(
        "{y}-{m:02}-{d:02}T{:02}:{:02}:{:02}+0000",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
