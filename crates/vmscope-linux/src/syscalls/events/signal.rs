//! Signals: signal sets (`[INT TERM]`, `~[RTMIN RT_1]`), `sigaction` in its new and old i386
//! forms, `siginfo_t` as strace prints it for each kind of sender, `stack_t`, the masks restored by
//! `rt_sigreturn`/`sigreturn` (read from the signal frame on the user stack), the old i386 calls
//! that pass masks by value, and `waitid`'s arguments.
//!
//! Layouts are the kernel's for each ABI: `siginfo_t` is 128 bytes whose union starts at 16
//! (x86_64) or 12 (i386); the frames are `struct rt_sigframe` and i386's `struct sigframe_ia32`
//! (see `crate::signal` for the saved registers of the same frames).

use vmscope_core::event::Abi;

use super::super::common_structs::{self as cs, clock_t_at, long_at, ulong_at};
use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, read_bytes, read_word, word_size};
use super::super::xlat;
use super::super::{ArgKind, Call, errno_name, lookup};
use super::{K, flags};
use crate::uapi::{name_of, process as pr, signal as sig};

/// Renders input kind `k` of argument `i` (see `events::input`).
pub(super) fn input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) -> Option<bool> {
    let v = cx.warg(i);
    let ws = word_size(cx.abi);
    match k {
        K::OldSigset => sigset(cx, w, v, ws, ws)?,
        K::OldMask => sigmask_text(w, v, ws),
        K::SiginfoIn => {
            if v == 0 {
                w.s("NULL");
            } else {
                let b = read_bytes(cx.mem, v, 128)?;
                siginfo(cx.abi, w, &b);
            }
        }
        K::StackT => stack_t(cx, w, v)?,
        K::SigFrame => return sig_frame(cx, w, v),
        K::OldSigFrame => old_sig_frame(cx, w, v)?,
        K::SaHandler => sa_handler(w, v),
        K::OldSigaction => old_sigaction(cx, w, v)?,
        K::IdType => w.xlat(v & 0xffff_ffff, sig::WAITID_TYPES, "P_???"),
        // An `int` in the kernel: strace shows the low half of the register.
        K::WaitidOptions => flags(w, v & 0xffff_ffff, pr::WAIT_OPTIONS, "W???"),
        _ => return None,
    }
    Some(true)
}

/// Renders output kind `k` of argument `i` at exit (see `events::output`): the pointer when the
/// call failed or the memory cannot be read.
pub(super) fn output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) {
    let addr = cx.warg(i);
    let ws = word_size(cx.abi);
    // A set's length is checked before anything else (strace: the pointer when it is wrong).
    let set_len = match k {
        K::SigsetAtExit => Some((sigset_size(cx), ws)),
        K::PendingSet => Some((cx.warg(i + 1), 1)),
        K::OldSigsetOut => Some((ws, ws)),
        _ => None,
    };
    if let Some((len, min)) = set_len
        && (len < min || len > 8)
    {
        w.ptr(addr);
        return;
    }
    if !cx.ok() || addr == 0 {
        w.ptr(addr);
        return;
    }
    let m = w.mark();
    let shown = match k {
        K::SigsetAtExit | K::PendingSet | K::OldSigsetOut => {
            let (len, min) = set_len.unwrap_or((8, 8));
            sigset(cx, w, addr, len, min)
        }
        K::SiginfoOut => read_bytes(cx.mem, addr, 128).map(|b| siginfo(cx.abi, w, &b)),
        K::StackTOut => stack_t(cx, w, addr),
        K::OldSigactionOut => old_sigaction(cx, w, addr),
        K::RusageOut => cs::rusage(cx, w, addr),
        _ => None,
    };
    if shown.is_none() {
        w.cut(m);
        w.ptr(addr);
    }
}

/// After the return value: the signal `rt_sigtimedwait` took (` (SIGUSR1)`), the handler `signal`
/// replaced when it has a name (` (SIG_DFL)`), the masks of `sgetmask`/`ssetmask`.
pub(super) fn ret_extra(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    let Some(ret) = cx.ret_ok() else {
        return false;
    };
    let ws = word_size(cx.abi);
    match cx.desc.call {
        Call::RtSigtimedwait | Call::RtSigtimedwaitTime64 => match signame(ret) {
            Some(()) => {
                w.s(" (");
                xlat::signal(w, ret as u64);
                w.c(')');
                true
            }
            None => false,
        },
        Call::Signal => match ret {
            0 => {
                w.s(" (SIG_DFL)");
                true
            }
            1 => {
                w.s(" (SIG_IGN)");
                true
            }
            _ => false,
        },
        Call::Sgetmask => {
            w.s(" (mask ");
            sigmask_text(w, ret as u64, ws);
            w.c(')');
            true
        }
        Call::Ssetmask => {
            w.s(" (old mask ");
            sigmask_text(w, ret as u64, ws);
            w.c(')');
            true
        }
        _ => false,
    }
}

/// Whether strace has a name for signal `n` (1..=64).
fn signame(n: i64) -> Option<()> {
    (1..=64).contains(&n).then_some(())
}

/// The `sigsetsize` argument of the call (its last `size_t`), 8 when it has none.
pub(crate) fn sigset_size(cx: &Ctx<'_>) -> u64 {
    cx.desc
        .args
        .iter()
        .rposition(|&k| k == ArgKind::Size)
        .map_or(8, |j| cx.warg(j))
}

/// strace's `print_sigset_addr_len`: a set of `len` bytes at `addr` (`NULL`; the pointer when
/// `len` is not between `min` and 8); `None` when unreadable.
pub(crate) fn sigset(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    len: u64,
    min: u64,
) -> Option<()> {
    if len < min || len > 8 || addr == 0 {
        w.ptr(addr);
        return Some(());
    }
    let b = read_bytes(cx.mem, addr, len as usize)?;
    let mut set = 0u64;
    for (k, byte) in b.iter().enumerate() {
        set |= u64::from(*byte) << (8 * k);
    }
    sigmask_text(w, set, len);
    Some(())
}

/// A set of signals held in `bytes` bytes (rounded up to 32-bit words): `[INT TERM]`, or, when at
/// least two thirds of them are in it, the complement: `~[RTMIN RT_1]`.
pub(crate) fn sigmask_text(w: &mut Out<'_>, set: u64, bytes: u64) {
    let words = bytes.clamp(1, 8).div_ceil(4);
    let bits = 32 * words;
    let all = if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    };
    let set = set & all;
    let shown = if u64::from(set.count_ones()) >= bits * 2 / 3 {
        w.c('~');
        !set & all
    } else {
        set
    };
    w.c('[');
    let mut first = true;
    for b in (0..bits).filter(|b| shown >> b & 1 == 1) {
        if !first {
            w.c(' ');
        }
        first = false;
        let n = b + 1;
        match xlat::signal_name(n) {
            Some(name) => w.s(name.trim_start_matches("SIG")),
            None if n == 32 => w.s("RTMIN"),
            None => w!(w, "RT_{}", n - 32),
        }
    }
    w.c(']');
}

/// A handler: `SIG_DFL`, `SIG_IGN`, `SIG_ERR` (only a 64-bit all-ones: strace widens a 32-bit
/// handler without sign), or the address.
fn sa_handler(w: &mut Out<'_>, v: u64) {
    match v {
        0 => w.s("SIG_DFL"),
        1 => w.s("SIG_IGN"),
        u64::MAX => w.s("SIG_ERR"),
        v => w.hex(v),
    }
}

/// `struct sigaction` as the kernel's `rt_sigaction` sees it: handler, flags, restorer, mask.
pub(crate) fn sigaction(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi);
    let handler = read_word(cx.mem, cx.abi, addr)?;
    let sa_flags = read_word(cx.mem, cx.abi, addr.wrapping_add(ws))?;
    let restorer = read_word(cx.mem, cx.abi, addr.wrapping_add(2 * ws))?;
    let mask = cx.mem.read_u64(addr.wrapping_add(3 * ws))?;
    w.s("{sa_handler=");
    sa_handler(w, handler);
    w.s(", sa_mask=");
    sigmask_text(w, mask, 8);
    w.s(", sa_flags=");
    flags(w, sa_flags, sig::SA_FLAGS, "SA_???");
    if sa_flags & sig::SA_RESTORER != 0 {
        w.s(", sa_restorer=");
        w.ptr(restorer);
    }
    w.c('}');
    Some(())
}

/// i386 `struct old_sigaction`: handler, a one-word mask, flags, restorer.
fn old_sigaction(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi) as usize;
    let b = read_bytes(cx.mem, addr, 4 * ws)?;
    let sa_flags = ulong_at(cx.abi, &b, 2 * ws);
    w.s("{sa_handler=");
    sa_handler(w, ulong_at(cx.abi, &b, 0));
    w.s(", sa_mask=");
    sigmask_text(w, ulong_at(cx.abi, &b, ws), ws as u64);
    w.s(", sa_flags=");
    flags(w, sa_flags, sig::SA_FLAGS, "SA_???");
    if sa_flags & sig::SA_RESTORER != 0 {
        w.s(", sa_restorer=");
        w.ptr(ulong_at(cx.abi, &b, 3 * ws));
    }
    w.c('}');
    Some(())
}

/// `stack_t`: `{ss_sp=0x4ab300, ss_flags=SS_DISABLE, ss_size=65536}`.
fn stack_t(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi) as usize;
    let b = read_bytes(cx.mem, addr, 3 * ws)?;
    w.s("{ss_sp=");
    w.ptr(ulong_at(cx.abi, &b, 0));
    w.s(", ss_flags=");
    flags(w, le_u32(&b, ws), sig::SS_FLAGS, "SS_???");
    w!(w, ", ss_size={}}}", ulong_at(cx.abi, &b, 2 * ws));
    Some(())
}

/// Where `uc_sigmask` is in `struct rt_sigframe` from the user stack pointer at `rt_sigreturn`
/// (the frame starts one word below it: the handler's return popped `pretcode`). x86_64:
/// `pretcode`, then `struct ucontext` (flags, link, `stack_t`, 256-byte `sigcontext`, the mask).
/// i386: `pretcode`, `sig`, `pinfo`, `puc`, `siginfo` (128), then `struct ucontext_ia32` (flags,
/// link, `stack_t`, 88-byte `sigcontext`, the mask).
fn rt_frame_mask(abi: Abi, sp: u64) -> Option<u64> {
    let (frame, off) = match abi {
        Abi::X86_64 => (sp.wrapping_sub(8), 8 + 8 + 8 + 24 + 256),
        Abi::I386 => (sp.wrapping_sub(4) & 0xffff_ffff, 16 + 128 + 4 + 4 + 12 + 88),
        // aarch64: the frame is at sp (no return address pushed): `siginfo` (128), then
        // `struct ucontext` (flags, link, `stack_t`, the mask).
        Abi::Aarch64 => (sp, 128 + 8 + 8 + 24),
    };
    (frame != 0).then(|| frame.wrapping_add(off))
}

/// `rt_sigreturn({mask=[]})`: the mask the frame restores; `{mask=0x…}` when it cannot be read.
fn sig_frame(cx: &mut Ctx<'_>, w: &mut Out<'_>, sp: u64) -> Option<bool> {
    let Some(mask) = rt_frame_mask(cx.abi, sp) else {
        return Some(false);
    };
    match cx.mem.read_u64(mask) {
        Some(set) => {
            w.s("{mask=");
            sigmask_text(w, set, 8);
            w.c('}');
        }
        None if !cx.exit => return None,
        None => {
            w.s("{mask=");
            w.ptr(mask);
            w.c('}');
        }
    }
    Some(true)
}

/// i386 `sigreturn({mask=[]})`: the stack pointer is at the frame's `struct sigcontext_32` (the
/// handler's return popped `pretcode`, the restorer `sig`); the mask is its `oldmask` (word 20)
/// and the `extramask` after the unused `struct _fpstate_32` (624 bytes); strace reads the whole.
fn old_sig_frame(cx: &mut Ctx<'_>, w: &mut Out<'_>, sp: u64) -> Option<()> {
    let b = read_bytes(cx.mem, sp, 4 * (22 + 156 + 1))?;
    let set = le_u32(&b, 4 * 20) | le_u32(&b, 4 * (22 + 156)) << 32;
    w.s("{mask=");
    sigmask_text(w, set, 8);
    w.c('}');
    Some(())
}

/// `siginfo_t` from its 128 bytes, as strace prints it for each kind of sender.
pub(crate) fn siginfo(abi: Abi, w: &mut Out<'_>, b: &[u8]) {
    let signo = le_u32(b, 0) as u32 as i32;
    let errno = le_u32(b, 4) as u32;
    let code = le_u32(b, 8) as u32 as i32;
    let u = match abi {
        Abi::X86_64 | Abi::Aarch64 => 16,
        Abi::I386 => 12,
    };
    let ws = word_size(abi) as usize;
    let int_at = |off: usize| le_u32(b, u + off) as u32 as i32;
    let ptr_at = |off: usize| ulong_at(abi, b, u + off);
    let source = |w: &mut Out<'_>| {
        w!(w, ", si_pid={}, si_uid=", int_at(0));
        match le_u32(b, u + 4) as u32 {
            u32::MAX => w.s("-1"),
            uid => w.uint(u64::from(uid)),
        }
    };
    let sigval = |w: &mut Out<'_>| {
        w!(w, ", si_int={}, si_ptr=", int_at(8));
        w.ptr(ptr_at(8));
    };
    w.c('{');
    if signo == 0 {
        w.c('}');
        return;
    }
    w.s("si_signo=");
    xlat::signal(w, signo as u32 as u64);
    w.s(", si_code=");
    si_code(w, code, signo);
    if errno != 0 {
        w.s(", si_errno=");
        match errno_name(errno) {
            Some((name, _)) => w.s(name),
            None => w.uint(u64::from(errno)),
        }
    }
    if code <= 0 {
        match code {
            sig::SI_USER | sig::SI_TKILL => source(w),
            sig::SI_TIMER => {
                w.s(", si_timerid=");
                w.hex(u64::from(int_at(0) as u32));
                w!(w, ", si_overrun={}", int_at(4));
                sigval(w);
            }
            sig::SI_SIGIO => w!(w, ", si_band={}, si_fd={}", long_at(abi, b, u), int_at(ws)),
            _ => {
                source(w);
                if ptr_at(8) != 0 {
                    sigval(w);
                }
            }
        }
        w.c('}');
        return;
    }
    match signo as u64 {
        17 => {
            // SIGCHLD: the child, its status, its times.
            source(w);
            w.s(", si_status=");
            if code == sig::CLD_EXITED {
                w.int(i64::from(int_at(8)));
            } else {
                xlat::signal(w, int_at(8) as u32 as u64);
            }
            let (ut, st) = match abi {
                Abi::X86_64 | Abi::Aarch64 => (16, 24),
                Abi::I386 => (12, 16),
            };
            w.s(", si_utime=");
            clock_t_at(w, abi, b, u + ut);
            w.s(", si_stime=");
            clock_t_at(w, abi, b, u + st);
        }
        // SIGILL, SIGFPE, SIGTRAP: the faulting address.
        4 | 8 | 5 => {
            w.s(", si_addr=");
            w.ptr(ptr_at(0));
        }
        7 => {
            w.s(", si_addr=");
            w.ptr(ptr_at(0));
            if sig::BUS_MCEERR.contains(&code) {
                w.s(", si_addr_lsb=");
                w.hex(le_u32(b, u + ws) & 0xffff);
            }
        }
        11 => {
            w.s(", si_addr=");
            w.ptr(ptr_at(0));
            // The bounds or key follow the address and its granularity, aligned to a word.
            let bnd = 2 * ws;
            if code == sig::SEGV_BNDERR {
                w.s(", si_lower=");
                w.ptr(ptr_at(bnd));
                w.s(", si_upper=");
                w.ptr(ptr_at(bnd + ws));
            } else if code == sig::SEGV_PKUERR {
                w!(w, ", si_pkey={}", le_u32(b, u + bnd));
            }
        }
        29 => {
            if (1..=6).contains(&code) {
                w!(w, ", si_band={}, si_fd={}", long_at(abi, b, u), int_at(ws));
            }
        }
        31 => {
            w.s(", si_call_addr=");
            w.ptr(ptr_at(0));
            let nr = le_u32(b, u + ws);
            let arch = le_u32(b, u + ws + 4);
            w.s(", si_syscall=");
            syscall_name(w, abi, nr, arch);
            w.s(", si_arch=");
            w.xlat(arch, sig::AUDIT_ARCHES, "AUDIT_ARCH_???");
        }
        _ => {
            if int_at(0) != 0 || int_at(4) != 0 {
                source(w);
            }
            if ptr_at(8) != 0 {
                sigval(w);
            }
        }
    }
    w.c('}');
}

/// `si_code`: a name common to all signals, else one of the signal's own, else hex.
fn si_code(w: &mut Out<'_>, code: i32, signo: i32) {
    let v = u64::from(code as u32);
    let own = match signo {
        5 => sig::SIGTRAP_CODES,
        17 => sig::SIGCHLD_CODES,
        29 => sig::SIGPOLL_CODES,
        27 => sig::SIGPROF_CODES,
        4 => sig::SIGILL_CODES,
        8 => sig::SIGFPE_CODES,
        11 => sig::SIGSEGV_CODES,
        7 => sig::SIGBUS_CODES,
        31 => sig::SIGSYS_CODES,
        _ => &[],
    };
    match name_of(sig::SI_CODES, v).or_else(|| name_of(own, v)) {
        Some(n) => w.s(n),
        None => w.hex(v),
    }
}

/// A seccomp `SIGSYS`'s call: `__NR_getpid` in the caller's own ABI, `39 /* getpid */` in the
/// other one, the number otherwise.
fn syscall_name(w: &mut Out<'_>, abi: Abi, nr: u64, arch: u64) {
    let of = match arch {
        0xc000_003e => Some(Abi::X86_64),
        0x4000_0003 => Some(Abi::I386),
        _ => None,
    };
    match of.and_then(|a| lookup(a, nr).map(|d| (a, d.name()))) {
        Some((a, name)) if a == abi => w!(w, "__NR_{name}"),
        Some((_, name)) => w!(w, "{nr} /* {name} */"),
        None => w.uint(nr),
    }
}
