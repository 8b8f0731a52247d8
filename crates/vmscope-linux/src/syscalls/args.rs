//! Rendering of each [`ArgKind`] at entry and exit.

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

use super::fmt::{self, Quote, hex, long, mode, ptr, quote, read_string, word};
use super::special;
use super::structs;
use super::xlat;
use super::{ArgKind, DecodeOptions, Slot, SyscallDesc, is_error};

/// What a renderer sees: the call, its registers, guest memory and (at exit) the return value.
pub(super) struct Ctx<'a> {
    pub opts: &'a DecodeOptions,
    pub abi: Abi,
    pub desc: &'static SyscallDesc,
    pub raw: &'a [u64; 6],
    pub mem: &'a mut dyn GuestMemory,
    pub ret: Option<i64>,
    pub exit: bool,
}

impl Ctx<'_> {
    /// Register `i` (0 when out of range).
    pub fn arg(&self, i: usize) -> u64 {
        self.raw.get(i).copied().unwrap_or(0)
    }

    /// Register `i` cut to the ABI's word.
    pub fn warg(&self, i: usize) -> u64 {
        word(self.abi, self.arg(i))
    }

    /// Whether the call returned successfully (exit only).
    pub fn ok(&self) -> bool {
        self.exit && self.ret.is_some_and(|r| !is_error(r))
    }

    /// The successful return value, if any.
    pub fn ret_ok(&self) -> Option<i64> {
        self.ret.filter(|_| self.ok())
    }

    /// Whether input memory may still be read at exit: not after a successful exec, whose new image
    /// replaced the memory the arguments pointed to.
    fn may_reread(&self) -> bool {
        !(matches!(self.desc.name, "execve" | "execveat") && self.ok())
    }
}

/// Whether a kind is an output argument, rendered at exit.
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

/// Renders argument `i` at entry; output arguments and unreadable strings wait for the exit.
pub(super) fn entry(cx: &mut Ctx<'_>, i: usize, kind: ArgKind) -> Slot {
    if is_output(kind) {
        return Slot::Later;
    }
    // arch_prctl's ARCH_GET_* write to memory: wait for the exit.
    if kind == ArgKind::ArchPrctlArg && matches!(cx.arg(0) & 0xffff_ffff, 0x1003 | 0x1004) {
        return Slot::Later;
    }
    match render_input(cx, i, kind) {
        Some(Some(s)) => Slot::Done(s),
        Some(None) => Slot::Omit,
        None => Slot::Later,
    }
}

/// Renders argument `i` at exit (it was left [`Slot::Later`] at entry).
pub(super) fn exit(cx: &mut Ctx<'_>, i: usize, kind: ArgKind) -> Vec<String> {
    match kind {
        ArgKind::CloneArgs => return special::clone(cx),
        ArgKind::FutexArgs => return special::futex(cx),
        _ => {}
    }
    if is_output(kind) || kind == ArgKind::ArchPrctlArg {
        return vec![render_output(cx, i, kind)];
    }
    if cx.may_reread()
        && let Some(Some(s)) = render_input(cx, i, kind)
    {
        return vec![s];
    }
    vec![ptr(cx.warg(i))]
}

/// The `sigsetsize` argument of the call (its last `size_t`), 8 when it has none.
fn sigset_size(cx: &Ctx<'_>) -> u64 {
    cx.desc
        .args
        .iter()
        .rposition(|&k| k == ArgKind::Size)
        .map_or(8, |j| cx.warg(j))
}

/// A string argument: `None` when unreadable (retry at exit).
fn string(cx: &mut Ctx<'_>, addr: u64, limit: usize) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let (bytes, more) = read_string(cx.mem, addr, limit)?;
    Some(quote(&bytes, more, Quote::Default))
}

/// A buffer of `len` bytes printed up to the string limit.
pub(super) fn buffer(
    mem: &mut dyn GuestMemory,
    opts: &DecodeOptions,
    addr: u64,
    len: u64,
    style: Quote,
) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let shown = len.min(opts.string_limit as u64) as usize;
    let bytes = fmt::read_bytes(mem, addr, shown)?;
    Some(quote(&bytes, len > shown as u64, style))
}

/// Input rendering: `Some(Some(text))`, `Some(None)` to omit, `None` when memory was unreadable.
fn render_input(cx: &mut Ctx<'_>, i: usize, kind: ArgKind) -> Option<Option<String>> {
    use ArgKind::*;
    let v = cx.arg(i);
    let abi = cx.abi;
    let s = match kind {
        Int | Fd => format!("{}", v as u32 as i32),
        Uint => format!("{}", v as u32),
        Long | Offset => format!("{}", long(abi, v)),
        Ulong | Size => format!("{}", word(abi, v)),
        Hex => hex(word(abi, v)),
        IoctlCmd => special::ioctl_cmd(v),
        Ptr => ptr(word(abi, v)),
        DirFd => {
            if v as u32 as i32 == -100 {
                "AT_FDCWD".to_string()
            } else {
                format!("{}", v as u32 as i32)
            }
        }
        Path => string(cx, word(abi, v), fmt::PATH_LIMIT)?,
        Str => string(cx, word(abi, v), cx.opts.string_limit)?,
        BufIn => {
            let len = cx.warg(i + 1);
            buffer(cx.mem, cx.opts, word(abi, v), len, Quote::Default)?
        }
        Off64Lo => format!("{}", (v & 0xffff_ffff | cx.arg(i + 1) << 32) as i64),
        Off64Hi => format!(
            "{}",
            ((v & 0xffff_ffff) << 32 | cx.arg(i + 1) & 0xffff_ffff) as i64
        ),
        Skip => return Some(None),
        OpenFlags => xlat::open_flags(v),
        OpenMode => {
            let flags_idx = cx.desc.args.iter().position(|&k| k == OpenFlags);
            let takes = flags_idx.is_some_and(|f| xlat::open_takes_mode(cx.arg(f)));
            if !takes {
                return Some(None);
            }
            mode(v)
        }
        Mode => mode(v),
        AccessMode => fmt::flags(v & 0xffff_ffff, xlat::ACCESS, "F_OK"),
        AtFlags => fmt::flags(v & 0xffff_ffff, xlat::AT_FLAGS, "0"),
        Prot => fmt::flags(word(abi, v), xlat::PROT, "PROT_NONE"),
        MmapFlags => xlat::mmap_flags(v),
        MremapFlags => fmt::flags(word(abi, v), xlat::MREMAP, "0"),
        Whence => fmt::xlat(v & 0xffff_ffff, xlat::WHENCE, "SEEK_???"),
        StatxMask => structs::statx_mask(v & 0xffff_ffff),
        PipeFlags => fmt::flags(v & 0xffff_ffff, xlat::OPEN_FLAGS, "0"),
        Signal => xlat::signal(v),
        SigHow => fmt::xlat(v & 0xffff_ffff, xlat::SIG_HOW, "SIG_???"),
        SigsetIn => structs::sigset(cx, word(abi, v), sigset_size(cx))?,
        SigactionIn => structs::sigaction(cx, word(abi, v))?,
        GrndFlags => fmt::flags(v & 0xffff_ffff, xlat::GRND, "0"),
        ArchPrctlCode => fmt::xlat(v & 0xffff_ffff, xlat::ARCH_PRCTL, "ARCH_???"),
        ArchPrctlArg => hex(word(abi, v)),
        Argv => structs::argv(cx, word(abi, v))?,
        Envp => structs::envp(cx, word(abi, v))?,
        IovecIn => structs::iovec(cx, word(abi, v), cx.warg(i + 1), None)?,
        WaitOptions => fmt::flags(v & 0xffff_ffff, xlat::WAIT_OPTIONS, "0"),
        FcntlCmd => fmt::xlat(v & 0xffff_ffff, xlat::FCNTL_CMDS, "F_???"),
        FcntlArg => return Some(structs::fcntl_arg(cx, v)),
        // Output kinds are rendered at exit.
        BufOut | LoffOut | Stat | Stat64 | Statx | PipeFds | CwdOut | ReadlinkOut
        | SigactionOut | SigsetOut | IovecOut | WaitStatus | TimespecOut | Timespec32Out
        | Utsname | IntOut | Rlimit64Out | CloneArgs | FutexArgs | RlimitOut | Dirents64
        | Dirents => return None,
        RlimitIn => special::rlimit(cx, word(abi, v))?,
        PgOff => hex(word(abi, v).wrapping_mul(4096)),
        IoctlArg => special::ioctl_arg(cx, v),
        Timespec => special::timespec(cx, word(abi, v), false)?,
        Timespec32 => special::timespec(cx, word(abi, v), true)?,
        ClockId => special::clock_id(v),
        TimerFlags => fmt::flags(v & 0xffff_ffff, &[(1, "TIMER_ABSTIME")], "0"),
        StatxFlags => special::statx_flags(v),
        SocketFamily => special::family(v),
        SocketType => special::socket_type(v),
        SocketProto => special::socket_proto(cx.arg(0), v),
        Rlimit64In => special::rlimit64(cx, word(abi, v))?,
        Resource => special::resource(v),
    };
    Some(Some(s))
}

/// Output rendering at exit: the pointer when the call failed or did not return.
fn render_output(cx: &mut Ctx<'_>, i: usize, kind: ArgKind) -> String {
    use ArgKind::*;
    let addr = cx.warg(i);
    let Some(ret) = cx.ret_ok() else {
        return ptr(addr);
    };
    if addr == 0 {
        return "NULL".to_string();
    }
    let r = match kind {
        BufOut => buffer(cx.mem, cx.opts, addr, ret.max(0) as u64, Quote::Default).map(|s| {
            if cx.desc.name == "getrandom" {
                let shown = (ret.max(0) as u64).min(cx.opts.string_limit as u64) as usize;
                fmt::read_bytes(cx.mem, addr, shown)
                    .map(|b| quote(&b, ret.max(0) as usize > shown, Quote::Hex))
                    .unwrap_or(s)
            } else {
                s
            }
        }),
        ReadlinkOut => buffer(cx.mem, cx.opts, addr, ret.max(0) as u64, Quote::Default),
        CwdOut => string(cx, addr, fmt::PATH_LIMIT),
        LoffOut => cx.mem.read_u64(addr).map(|v| format!("[{}]", v as i64)),
        PipeFds => {
            let a = cx.mem.read_u32(addr);
            let b = cx.mem.read_u32(addr.wrapping_add(4));
            match (a, b) {
                (Some(a), Some(b)) => Some(format!("[{}, {}]", a as i32, b as i32)),
                _ => None,
            }
        }
        Stat => structs::stat(cx, addr),
        Stat64 => structs::stat64(cx, addr),
        Statx => structs::statx(cx, addr),
        SigsetOut => structs::sigset(cx, addr, sigset_size(cx)),
        SigactionOut => structs::sigaction(cx, addr),
        IovecOut => structs::iovec(cx, addr, cx.warg(i + 1), Some(ret.max(0) as u64)),
        WaitStatus => structs::wait_status(cx, addr),
        TimespecOut => special::timespec(cx, addr, false),
        Timespec32Out => special::timespec(cx, addr, true),
        Utsname => special::utsname(cx, addr),
        IntOut => cx.mem.read_u32(addr).map(|v| format!("[{}]", v as i32)),
        Rlimit64Out => special::rlimit64(cx, addr),
        RlimitOut => special::rlimit(cx, addr),
        Dirents64 => special::dirents(cx, addr, ret.max(0) as u64, 16),
        Dirents => {
            let off = 2 * fmt::word_size(cx.abi);
            special::dirents(cx, addr, ret.max(0) as u64, off)
        }
        ArchPrctlArg => match cx.arg(0) & 0xffff_ffff {
            0x1003 | 0x1004 => {
                fmt::read_word(cx.mem, cx.abi, addr).map(|v| format!("[{}]", hex(v)))
            }
            _ => Some(hex(addr)),
        },
        _ => None,
    };
    r.unwrap_or_else(|| ptr(addr))
}

/// Return values strace prints specially (`fcntl(F_GETFD)` → `0x1 (flags FD_CLOEXEC)`).
pub(super) fn ret_override(
    abi: Abi,
    desc: &SyscallDesc,
    raw: &[u64; 6],
    ret: i64,
) -> Option<String> {
    let _ = abi;
    match desc.name {
        "fcntl" | "fcntl64" => match raw[1] & 0xffff_ffff {
            // F_GETFD
            1 if ret != 0 => Some(format!(
                "{} (flags {})",
                hex(ret as u64),
                fmt::flags(ret as u64, &[(1, "FD_CLOEXEC")], "0")
            )),
            // F_GETFL
            3 => Some(format!(
                "{} (flags {})",
                hex(ret as u64 & 0xffff_ffff),
                xlat::open_flags(ret as u64)
            )),
            _ => None,
        },
        _ => None,
    }
}
