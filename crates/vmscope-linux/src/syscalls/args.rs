//! Rendering of each [`ArgKind`], at entry and at exit, into an [`Out`].
//!
//! One argument is rendered by one of three functions, chosen on the vCPU and kept in the event
//! ([`ArgAt`]): [`entry_slot`] at the call's entry (which also decides: an output argument, or an input
//! whose memory could not be read yet, waits for the exit), [`exit_slot`] at its exit, and
//! [`new_image_slot`] from a new program's stack after a successful `execve`. The same functions run
//! dry on the vCPU (reading, through a recorder) and for real on the writer thread (over the
//! recording), so both see the same bytes.

use vmscope_core::event::{Abi, ArgAt};
use vmscope_core::guest::GuestMemory;

use super::ctx::{Ctx, buffer, string};
use super::events as ev;
use super::out::{Out, Quote, w};
use super::read::{self, PATH_LIMIT, long, read_string, read_word, word};
use super::special;
use super::structs;
use super::xlat;
use super::{ArgKind, Call, Io, SyscallDesc};
use crate::uapi::{fs, mm, process as pr, signal as sig};

/// When kind `kind` is read.
pub(crate) fn io(kind: ArgKind) -> Io {
    match kind {
        ArgKind::Net(k) => super::net::io(k),
        ArgKind::Ev(k) => super::events::io(k),
        ArgKind::Sys(k) => super::sys::io(k),
        k if is_output(k) => Io::Out,
        _ => Io::In,
    }
}

/// Whether a kind (of the original set) is an output argument, rendered at exit.
fn is_output(kind: ArgKind) -> bool {
    use ArgKind::*;
    matches!(
        kind,
        BufOut
            | LoffOut
            | Stat
            | Stat64
            | Statx
            | PipeFds
            | CwdOut
            | ReadlinkOut
            | SigactionOut
            | SigsetOut
            | IovecOut
            | WaitStatus
            | TimespecOut
            | Timespec32Out
            | Utsname
            | IntOut
            | Rlimit64Out
            | CloneArgs
            | FutexArgs
            | RlimitOut
            | Dirents64
            | Dirents
    )
}

/// Argument `i` at entry: renders it and says where its rendering comes from — [`ArgAt::Entry`],
/// [`ArgAt::Omit`] (nothing written), or [`ArgAt::Exit`] for an output argument or an input whose
/// memory cannot be read yet (nothing written).
pub(crate) fn entry_slot(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, kind: ArgKind) -> ArgAt {
    match io(kind) {
        Io::Out => return ArgAt::Exit,
        Io::InOut => {
            // Read what the exit will show as the value before (dry: nothing is written now).
            let _ = render_input(cx, &mut Out::dry(), i, kind);
            return ArgAt::Exit;
        }
        Io::In => {}
    }
    // arch_prctl's ARCH_GET_* write to memory: wait for the exit.
    if kind == ArgKind::ArchPrctlArg && matches!(cx.arg(0) & 0xffff_ffff, 0x1003 | 0x1004) {
        return ArgAt::Exit;
    }
    let m = w.mark();
    match render_input(cx, w, i, kind) {
        Some(true) => ArgAt::Entry,
        Some(false) => {
            w.cut(m);
            ArgAt::Omit
        }
        None => {
            w.cut(m);
            ArgAt::Exit
        }
    }
}

/// Argument `i` at exit (it waited for the exit at entry).
pub(crate) fn exit_slot(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, kind: ArgKind) {
    match kind {
        ArgKind::CloneArgs => return special::clone(cx, w),
        ArgKind::FutexArgs => return special::futex(cx, w),
        _ => {}
    }
    match kind {
        ArgKind::Net(k) if super::net::io(k) != Io::In => return super::net::output(cx, w, i, k),
        ArgKind::Ev(k) if super::events::io(k) != Io::In => {
            return super::events::output(cx, w, i, k);
        }
        ArgKind::Sys(k) if super::sys::io(k) != Io::In => return super::sys::output(cx, w, i, k),
        _ => {}
    }
    if is_output(kind) || kind == ArgKind::ArchPrctlArg {
        return render_output(cx, w, i, kind);
    }
    if cx.may_reread() {
        let m = w.mark();
        match render_input(cx, w, i, kind) {
            Some(true) => return,
            _ => w.cut(m),
        }
    }
    w.ptr(cx.warg(i));
}

/// Input rendering: `Some(true)` written, `Some(false)` omitted, `None` when memory was unreadable
/// (the caller cuts whatever was written).
fn render_input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, kind: ArgKind) -> Option<bool> {
    use ArgKind::*;
    let v = cx.arg(i);
    let abi = cx.abi;
    match kind {
        Int | Fd => w.int(i64::from(v as u32 as i32)),
        Uint => w.uint(v & 0xffff_ffff),
        Long | Offset => w.int(long(abi, v)),
        Ulong | Size => w.uint(word(abi, v)),
        Hex => w.hex(word(abi, v)),
        IoctlCmd => super::sys::ioctl_request(cx, w, v),
        Ptr => w.ptr(word(abi, v)),
        DirFd => {
            if v as u32 as i32 == fs::AT_FDCWD {
                w.s("AT_FDCWD");
            } else {
                w.int(i64::from(v as u32 as i32));
            }
        }
        Path => string(cx, w, word(abi, v), PATH_LIMIT)?,
        Str => {
            let limit = cx.opts.string_limit;
            string(cx, w, word(abi, v), limit)?;
        }
        BufIn => {
            let len = cx.warg(i + 1);
            buffer(cx.mem, cx.opts, w, word(abi, v), len, Quote::Default)?;
        }
        Off64Lo => w.int((v & 0xffff_ffff | cx.arg(i + 1) << 32) as i64),
        Off64Hi => w.int(((v & 0xffff_ffff) << 32 | cx.arg(i + 1) & 0xffff_ffff) as i64),
        Skip => return Some(false),
        OpenFlags => xlat::open_flags(w, cx.abi, v),
        OpenMode => {
            let flags_idx = cx.desc.args.iter().position(|&k| k == OpenFlags);
            let takes = flags_idx.is_some_and(|f| xlat::open_takes_mode(cx.abi, cx.arg(f)));
            if !takes {
                return Some(false);
            }
            w.mode(v);
        }
        Mode => w.mode(v),
        AccessMode => super::sys::access_mode(w, v),
        AtFlags => super::sys::at_flags(w, v),
        Prot => w.flags(word(abi, v), mm::PROT, "PROT_NONE"),
        MmapFlags => xlat::mmap_flags(w, v),
        MremapFlags => w.flags(word(abi, v), mm::MREMAP, "0"),
        Madvise => xlat::xlat32(w, v, mm::MADVISE, "MADV_???"),
        MsyncFlags => xlat::flags32(w, v, mm::MSYNC, "0"),
        Whence => xlat::xlat32(w, v, fs::WHENCE, "SEEK_???"),
        StatxMask => structs::statx_mask(w, v & 0xffff_ffff),
        // Open flags in the ABI's numbering (`pipe2(O_DIRECT)`: arm64's O_DIRECT is x86's O_DIRECTORY).
        PipeFlags => w.flags(
            fs::open_flags_canonical(abi, v & 0xffff_ffff),
            fs::OPEN_FLAGS,
            "0",
        ),
        Signal => xlat::signal(w, v),
        SigHow => xlat::xlat32(w, v, sig::SIG_HOW, "SIG_???"),
        SigsetIn => {
            let size = ev::signal::sigset_size(cx);
            ev::signal::sigset(cx, w, word(abi, v), size, read::word_size(abi))?;
        }
        SigactionIn => ev::signal::sigaction(cx, w, word(abi, v))?,
        GrndFlags => super::sys::pflags(w, v & 0xffff_ffff, pr::GRND, Some("GRND_???")),
        ArchPrctlCode => xlat::xlat32(w, v, pr::ARCH_PRCTL, "ARCH_???"),
        ArchPrctlArg => w.hex(word(abi, v)),
        Argv => structs::argv(cx, w, word(abi, v))?,
        Envp => structs::envp(cx, w, word(abi, v))?,
        IovecIn => {
            let n = cx.warg(i + 1);
            structs::iovec(cx, w, word(abi, v), n, None)?;
        }
        WaitOptions => xlat::flags32(w, v, pr::WAIT_OPTIONS, "0"),
        FcntlCmd => xlat::xlat32(w, v, fs::FCNTL_CMDS, "F_???"),
        FcntlArg => return Some(structs::fcntl_arg(cx, w, v)),
        // Output kinds are rendered at exit.
        BufOut | LoffOut | Stat | Stat64 | Statx | PipeFds | CwdOut | ReadlinkOut
        | SigactionOut | SigsetOut | IovecOut | WaitStatus | TimespecOut | Timespec32Out
        | Utsname | IntOut | Rlimit64Out | CloneArgs | FutexArgs | RlimitOut | Dirents64
        | Dirents => return None,
        RlimitIn => special::rlimit(cx, w, word(abi, v))?,
        PgOff => w.hex(word(abi, v).wrapping_mul(4096)),
        IoctlArg => {
            // Socket requests are the networking family's.
            if let Some(r) = super::net::ioctl_arg(cx, w) {
                return r;
            }
            return super::sys::ioctl_arg(cx, w);
        }
        Timespec => ev::time::timespec(cx, w, word(abi, v), false)?,
        Timespec32 => ev::time::timespec(cx, w, word(abi, v), true)?,
        ClockId => ev::time::clock_id(w, v),
        TimerFlags => ev::time::clock_flags(w, word(abi, v)),
        StatxFlags => special::statx_flags(w, v),
        SocketFamily => special::family(w, v),
        SocketType => special::socket_type(w, v),
        SocketProto => special::socket_proto(w, cx.arg(0), v),
        Rlimit64In => special::rlimit64(cx, w, word(abi, v))?,
        Resource => special::resource(w, v),
        Net(k) => return super::net::input(cx, w, i, k),
        Ev(k) => return super::events::input(cx, w, i, k),
        Sys(k) => return super::sys::input(cx, w, i, k),
    }
    Some(true)
}

/// Output rendering at exit: the pointer when the call failed or did not return.
fn render_output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, kind: ArgKind) {
    use ArgKind::*;
    let addr = cx.warg(i);
    let Some(ret) = cx.ret_ok() else {
        w.ptr(addr);
        return;
    };
    if addr == 0 {
        w.s("NULL");
        return;
    }
    let m = w.mark();
    let len = ret.max(0) as u64;
    let r = match kind {
        BufOut => {
            let style = if cx.desc.call == Call::Getrandom {
                Quote::Hex
            } else {
                Quote::Default
            };
            buffer(cx.mem, cx.opts, w, addr, len, style)
        }
        ReadlinkOut => buffer(cx.mem, cx.opts, w, addr, len, Quote::Default),
        CwdOut => string(cx, w, addr, PATH_LIMIT),
        LoffOut => cx.mem.read_u64(addr).map(|v| w!(w, "[{}]", v as i64)),
        PipeFds => {
            let a = cx.mem.read_u32(addr);
            let b = cx.mem.read_u32(addr.wrapping_add(4));
            a.zip(b).map(|(a, b)| w!(w, "[{}, {}]", a as i32, b as i32))
        }
        Stat => structs::stat(cx, w, addr),
        Stat64 => structs::stat64(cx, w, addr),
        Statx => structs::statx(cx, w, addr),
        SigsetOut => {
            let size = ev::signal::sigset_size(cx);
            ev::signal::sigset(cx, w, addr, size, read::word_size(cx.abi))
        }
        SigactionOut => ev::signal::sigaction(cx, w, addr),
        IovecOut => {
            let n = cx.warg(i + 1);
            structs::iovec(cx, w, addr, n, Some(len))
        }
        WaitStatus => structs::wait_status(cx, w, addr),
        TimespecOut => ev::time::timespec(cx, w, addr, false),
        Timespec32Out => ev::time::timespec(cx, w, addr, true),
        Utsname => special::utsname(cx, w, addr),
        IntOut => cx.mem.read_u32(addr).map(|v| w!(w, "[{}]", v as i32)),
        Rlimit64Out => special::rlimit64(cx, w, addr),
        RlimitOut => special::rlimit(cx, w, addr),
        Dirents64 => {
            special::dirents(cx, w, addr, len, 16);
            Some(())
        }
        Dirents => {
            let off = 2 * read::word_size(cx.abi);
            special::dirents(cx, w, addr, len, off);
            Some(())
        }
        ArchPrctlArg => match cx.arg(0) & 0xffff_ffff {
            0x1003 | 0x1004 => read_word(cx.mem, cx.abi, addr).map(|v| {
                w.c('[');
                w.hex(v);
                w.c(']');
            }),
            _ => {
                w.hex(addr);
                Some(())
            }
        },
        _ => None,
    };
    if r.is_none() {
        w.cut(m);
        w.ptr(addr);
    }
}

/// What a new program's initial stack holds for an `execve`'s arguments: `argc`, where `argv` and
/// `envp` start, and the file name (`AT_EXECFN` in the auxiliary vector).
struct NewStack {
    argv: u64,
    nenv: u64,
    execfn: Option<u64>,
}

/// Reads the new program's stack at `sp`: `argc`, the `argv` pointers, the environment pointers, then
/// the auxiliary vector whose `AT_EXECFN` points to the file name. Bounded; `None` when unreadable.
fn new_stack(mem: &mut dyn GuestMemory, abi: Abi, sp: u64) -> Option<NewStack> {
    let ws = read::word_size(abi);
    let word_at = |mem: &mut dyn GuestMemory, i: u64| {
        sp.checked_add(i.checked_mul(ws)?)
            .and_then(|a| read_word(mem, abi, a))
    };
    let argc = word_at(mem, 0).filter(|&n| n <= 65536)?;
    // envp starts after argv's NULL; the auxiliary vector after envp's.
    let envp = argc + 2;
    let mut nenv = 0u64;
    while nenv < 65536 {
        match word_at(mem, envp + nenv)? {
            0 => break,
            _ => nenv += 1,
        }
    }
    let mut execfn = None;
    let auxv = envp + nenv + 1;
    for k in 0..64u64 {
        let (Some(ty), Some(val)) = (word_at(mem, auxv + 2 * k), word_at(mem, auxv + 2 * k + 1))
        else {
            break;
        };
        if ty == 0 {
            break;
        }
        if ty == pr::AT_EXECFN {
            execfn = Some(val);
            break;
        }
    }
    Some(NewStack {
        argv: sp.checked_add(ws)?,
        nenv,
        execfn,
    })
}

/// Argument `i` of a successful `execve` that could not be read at entry, from the new program's
/// initial stack (`new_abi`, `sp`); `false` (nothing written) when it cannot be had there.
pub(crate) fn new_image_slot(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    i: usize,
    kind: ArgKind,
    new_abi: Abi,
    sp: u64,
) -> bool {
    let Some(st) = new_stack(cx.mem, new_abi, sp) else {
        return false;
    };
    let m = w.mark();
    let done = match kind {
        ArgKind::Path => st
            .execfn
            .and_then(|a| read_string(cx.mem, a, PATH_LIMIT))
            .map(|(b, more)| w.quote(&b, more, Quote::Default)),
        ArgKind::Argv => {
            let abi = std::mem::replace(&mut cx.abi, new_abi);
            let r = structs::argv(cx, w, st.argv);
            cx.abi = abi;
            r
        }
        ArgKind::Envp => {
            structs::envp_count(w, word(cx.abi, cx.arg(i)), st.nenv);
            Some(())
        }
        _ => None,
    };
    if done.is_none() {
        w.cut(m);
    }
    done.is_some()
}

/// What strace prints after a call's return value, from what the call wrote (`= 1 ([{fd=3,
/// revents=POLLIN}])`); nothing for most calls. Run at exit (dry on the vCPU).
pub(crate) fn ret_extra(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    if cx.ret_ok().is_none() {
        return;
    }
    let _ = super::net::ret_extra(cx, w)
        || super::events::ret_extra(cx, w)
        || super::sys::ret_extra(cx, w);
}

/// The return value strace shows in place of the kernel's, when it comes from memory (`shmat`
/// through i386's `ipc`); `None` for the kernel's own. Run at exit (dry on the vCPU).
pub(crate) fn shown_ret(cx: &mut Ctx<'_>) -> Option<i64> {
    super::sys::shown_ret(cx)
}

/// Return values strace prints specially (`fcntl(F_GETFD)` → `0x1 (flags FD_CLOEXEC)`).
pub(crate) fn ret_override(
    w: &mut Out<'_>,
    abi: Abi,
    desc: &SyscallDesc,
    raw: &[u64; 6],
    ret: i64,
) -> bool {
    super::sys::ret_override(w, abi, desc, raw, ret)
}
