//! Linux's system-call convention on each architecture: which ABI (table) a call is made with, which
//! registers carry its number and arguments, and what it returned — including the cases where the
//! first return to user mode is not to the call site (a signal handler, a restart).
//!
//! Modules never read these registers themselves: the context module asks [`entering_call`] once per
//! entry and puts the result on the hook; the syscall detector asks [`call_result`] at the exit.

use vmscope_core::arch::aarch64::{X0, X1, X2, X3, X4, X5, X8};
use vmscope_core::arch::i386::{EAX, EBP, EBX, ECX, EDI, EDX, ESI};
use vmscope_core::arch::x86_64::{R8, R9, R10, RAX, RBP, RBX, RCX, RDI, RDX, RSI};
use vmscope_core::arch::{Arch, ArchId, CodeWidth, EntryKind, ExitKind};
use vmscope_core::event::Abi;
use vmscope_core::guest::{GuestCpu, Reg};
use vmscope_core::module::EnteringCall;

use super::{Call, Errno, lookup};
use crate::signal as linux_signal;

/// Where an argument is passed.
#[derive(Clone, Copy)]
enum At {
    Reg(Reg),
    /// The 32-bit word at the user stack pointer (the sixth argument of 32-bit fast calls).
    Stack,
}

/// The ABI of a call entered by `kind` from code of `width`.
fn abi_of(arch: &dyn Arch, kind: EntryKind, width: CodeWidth) -> Abi {
    match (arch.id(), kind, width) {
        (ArchId::X86_64, EntryKind::Int80 | EntryKind::Sysenter, _) => Abi::I386,
        (ArchId::X86_64, EntryKind::Syscall, CodeWidth::W32) => Abi::I386,
        (ArchId::X86_64, EntryKind::Syscall, CodeWidth::W64) => Abi::X86_64,
        // An entry of the other architecture cannot happen; the table of this one is the best guess.
        (ArchId::X86_64, EntryKind::Svc, _) => Abi::X86_64,
        (ArchId::Aarch64, _, _) => Abi::Aarch64,
        (ArchId::I386, _, _) => Abi::I386,
    }
}

/// The registers of the number and the six arguments.
///
/// 32-bit code entering through the vDSO moves arguments around: `syscall` from compatibility mode
/// carries the second argument in ebp (ecx is clobbered by the instruction) and the sixth on the user
/// stack; `sysenter` also finds the sixth on the user stack.
fn registers(arch: &dyn Arch, abi: Abi, kind: EntryKind) -> (Reg, [At; 6]) {
    let r = At::Reg;
    match (arch.id(), abi, kind) {
        (ArchId::X86_64, Abi::X86_64, _) => (RAX, [r(RDI), r(RSI), r(RDX), r(R10), r(R8), r(R9)]),
        (ArchId::X86_64, Abi::I386, EntryKind::Int80) => {
            (RAX, [r(RBX), r(RCX), r(RDX), r(RSI), r(RDI), r(RBP)])
        }
        (ArchId::X86_64, Abi::I386, EntryKind::Syscall) => {
            (RAX, [r(RBX), r(RBP), r(RDX), r(RSI), r(RDI), At::Stack])
        }
        (ArchId::X86_64, Abi::I386, EntryKind::Sysenter | EntryKind::Svc) => {
            (RAX, [r(RBX), r(RCX), r(RDX), r(RSI), r(RDI), At::Stack])
        }
        (ArchId::X86_64, Abi::Aarch64, _) => (RAX, [r(RDI), r(RSI), r(RDX), r(R10), r(R8), r(R9)]),
        // svc #0: number in x8, arguments in x0–x5.
        (ArchId::Aarch64, _, _) => (X8, [r(X0), r(X1), r(X2), r(X3), r(X4), r(X5)]),
        // An i386 kernel: `int $0x80` takes all six in registers; the vDSO's `sysenter` keeps the
        // user stack pointer in ebp and the sixth argument on that stack.
        (ArchId::I386, _, EntryKind::Sysenter) => {
            (EAX, [r(EBX), r(ECX), r(EDX), r(ESI), r(EDI), At::Stack])
        }
        (ArchId::I386, _, _) => (EAX, [r(EBX), r(ECX), r(EDX), r(ESI), r(EDI), r(EBP)]),
    }
}

/// The value of the return register now (a call's raw return value, when the kernel is about to
/// return from it).
pub fn return_register_value(arch: &dyn Arch, cpu: &mut dyn GuestCpu) -> Option<u64> {
    cpu.reg(return_register(arch))
}

/// The register a call's return value is in.
fn return_register(arch: &dyn Arch) -> Reg {
    match arch.id() {
        ArchId::X86_64 => RAX,
        ArchId::Aarch64 => X0,
        ArchId::I386 => EAX,
    }
}

/// The call being entered by `kind`: its ABI (i386 for `int 0x80`, `sysenter` and a `syscall` from a
/// 32-bit code segment — a 32-bit process is decoded with the i386 table whatever instruction it
/// uses), its number, identity, and the argument registers it takes (all six for a number the table
/// lacks; only those: each register read is a trip through the emulator). `None` when the number
/// register cannot be read.
pub fn entering_call(
    arch: &dyn Arch,
    cpu: &mut dyn GuestCpu,
    kind: EntryKind,
    pc: u64,
) -> Option<EnteringCall> {
    let width = arch.entry_width(cpu, kind, pc)?;
    let abi = abi_of(arch, kind, width);
    let (nr_reg, at) = registers(arch, abi, kind);
    let nr = match abi {
        Abi::X86_64 | Abi::Aarch64 => cpu.reg(nr_reg)?,
        Abi::I386 => cpu.reg(nr_reg)? & 0xffff_ffff,
    };
    let desc = lookup(abi, nr);
    let n = desc.map_or(6, |d| usize::from(d.nargs).min(6));
    let mut raw = [0u64; 6];
    let kinds = desc.map_or(&[][..], |d| d.args);
    for (i, (slot, &where_)) in raw.iter_mut().zip(&at).take(n).enumerate() {
        // A call whose argument is its caller's stack (the signal frame `rt_sigreturn` restores)
        // takes the user stack pointer as that argument.
        if kinds.get(i).is_some_and(|k| k.is_user_stack()) {
            *slot = cpu.reg(arch.stack_pointer()).unwrap_or(0);
        } else {
            *slot = match where_ {
                At::Reg(reg) => cpu.reg(reg).unwrap_or(0),
                At::Stack => cpu
                    .reg(arch.stack_pointer())
                    .and_then(|sp| cpu.read_u32(sp & 0xffff_ffff))
                    .map_or(0, u64::from),
            };
        }
        if abi == Abi::I386 {
            *slot &= 0xffff_ffff;
        }
    }
    Some(EnteringCall {
        abi,
        nr,
        call: desc.map(|d| d.call.id()),
        name: desc.map_or("", |d| d.name()),
        raw,
    })
}

/// A pending call, as [`call_result`] needs it.
#[derive(Debug, Clone, Copy)]
pub struct CallSite {
    /// The ABI and number it was made with.
    pub abi: Abi,
    /// The number.
    pub nr: u64,
    /// How it entered.
    pub entry: EntryKind,
    /// Address and length of the entry instruction.
    pub pc: u64,
    /// Length of the entry instruction.
    pub len: u8,
    /// Its arguments.
    pub raw: [u64; 6],
}

/// Normalizes a raw return register: i386 values are 32-bit, an error in -4095..=-1 and any other
/// value unsigned (an mmap2 address above 2 GiB).
fn normalize(abi: Abi, ax: u64) -> i64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => ax as i64,
        Abi::I386 => match ax as u32 as i32 {
            e @ -4095..=-1 => i64::from(e),
            _ => i64::from(ax as u32),
        },
    }
}

/// `-ERESTARTSYS`: the call was interrupted and is to be restarted (strace: `? ERESTARTSYS`).
const ERESTARTSYS: i64 = -512;
/// `-ERESTART_RESTARTBLOCK`: restarted through `restart_syscall`.
const ERESTART_RESTARTBLOCK: i64 = -516;
/// `-EINTR`.
const EINTR: i64 = -4;

/// The code strace reports for a call that a signal handler interrupted, when the thread's saved
/// context says `-EINTR`: the kernel returned one of its restart codes, which signal delivery turned
/// into `EINTR` for the program (`read` on a pipe: `-ERESTARTSYS`; `pause`: `-ERESTARTNOHAND`;
/// `nanosleep`: `-ERESTART_RESTARTBLOCK`). `None` when `ret` is something else or the call returns
/// `EINTR` itself (`epoll_wait`, `rt_sigtimedwait`).
pub fn interrupted_code(abi: Abi, nr: u64, raw: &[u64; 6], ret: i64) -> Option<i64> {
    use Call::*;
    if ret != EINTR {
        return None;
    }
    let code = match lookup(abi, nr)?.call {
        Read | Readv | Write | Writev | Pread64 | Pwrite64 | Wait4 | Waitid | Waitpid | Accept
        | Accept4 | Connect | Recvfrom | Recvmsg | Sendto | Sendmsg | Recvmmsg | Sendmmsg
        | Futex | FutexTime64 | Flock | Open | Openat | Socketcall => 512,
        Pause | RtSigsuspend | Sigsuspend | Select | Newselect | Pselect6 | Pselect6Time64
        | Ppoll | PpollTime64 => 514,
        Nanosleep => 516,
        // An absolute sleep is not restarted with a new deadline.
        ClockNanosleep | ClockNanosleepTime64 => {
            if raw[1] & 1 != 0 {
                514
            } else {
                516
            }
        }
        // Without a timeout poll has nothing to restart with.
        Poll => {
            if raw[2] as u32 as i32 >= 0 {
                516
            } else {
                514
            }
        }
        _ => return None,
    };
    Some(-code)
}

/// The call's own return value at an exit to user mode by `kind`, as strace reports it; `None` when
/// the return register cannot be read.
///
/// Usually the return register. But the first return to user mode after a call is not always to the
/// call site: a signal delivered on the way out enters the handler (with `ax` cleared; the call's
/// value is in the signal frame), and a call to be restarted returns to the entry instruction itself
/// (with `ax` holding the call number again). Where the thread resumes tells which:
/// - 64-bit `syscall` and `int 0x80` return after the instruction and restart at it;
/// - 32-bit calls through the vDSO (`sysenter`, compat `syscall`) return to the landing pad after the
///   vDSO's `int $0x80` fallback and restart at that `int $0x80`.
///
/// `execve` returns to the new program's entry and the sigreturn calls to the interrupted code: their
/// return register is taken as it is.
pub fn call_result(
    arch: &dyn Arch,
    cpu: &mut dyn GuestCpu,
    site: &CallSite,
    kind: ExitKind,
) -> Option<i64> {
    let ax = cpu.reg(return_register(arch))?;
    let plain = normalize(site.abi, ax);
    let call = lookup(site.abi, site.nr).map(|d| d.call);
    if matches!(
        call,
        Some(Call::Execve | Call::Execveat | Call::RtSigreturn | Call::Sigreturn)
    ) {
        return Some(plain);
    }
    // Linux leaves by `sysret`/`sysexit` only when the thread resumes exactly where the call
    // returns (64-bit: rcx == rip; 32-bit fast calls: the vDSO's landing pad). A signal handler or a
    // restart moves the instruction pointer and forces `iret`. So these return plainly, and the
    // registers that would tell are not read.
    if kind.is_fast_return() {
        return Some(plain);
    }
    let Some(ret) = arch.user_return(cpu, kind) else {
        return Some(plain);
    };
    let (ip, sp) = (ret.ip, ret.sp);
    let after = site.pc.wrapping_add(u64::from(site.len));
    let vdso32 = site.abi == Abi::I386 && site.entry != EntryKind::Int80;
    let (normal_ip, restart_ip) = if vdso32 {
        (after.wrapping_add(2), after)
    } else {
        (after, site.pc)
    };
    let restarted = |ax: u64| -> i64 {
        let restart_block = ax != site.nr
            && lookup(site.abi, ax & 0xffff_ffff).is_some_and(|d| d.call == Call::RestartSyscall);
        if restart_block {
            ERESTART_RESTARTBLOCK
        } else {
            ERESTARTSYS
        }
    };
    // Code shared between address spaces (the vDSO, libraries) is translated once, so the entry's
    // address may be that of another mapping of the same page: an address at the same offset in its
    // page counts when the instruction there (or just before, for a return) enters the kernel.
    // Entry instructions are `site.len` bytes (2 on x86, 4 on aarch64; the vDSO's `int $0x80` is 2).
    let len = usize::from(site.len).clamp(1, 4);
    let at = |cpu: &mut dyn GuestCpu, a: u64, b: u64, back: u64| {
        let mut insn = [0u8; 4];
        a == b
            || ((a ^ b) & 0xfff == 0
                && cpu.read(a.wrapping_sub(back), &mut insn[..len])
                && arch.is_entry_instruction(&insn[..len]))
    };
    let back = len as u64;
    if at(cpu, ip, normal_ip, back) {
        return Some(plain);
    }
    if at(cpu, ip, restart_ip, 0) {
        return Some(restarted(ax));
    }
    // Into a signal handler: the frame on the user stack holds the call's context. A call the
    // handler interrupted shows the code the kernel returned before turning it into EINTR.
    for ctx in linux_signal::saved_contexts(cpu, site.abi, sp) {
        if at(cpu, ctx.ip, normal_ip, back) {
            let v = normalize(site.abi, ctx.ax);
            return Some(interrupted_code(site.abi, site.nr, &site.raw, v).unwrap_or(v));
        }
        if at(cpu, ctx.ip, restart_ip, 0) {
            return Some(restarted(ctx.ax));
        }
    }
    Some(plain)
}

/// The ABI of the program an exit returns to, and its stack pointer: after a successful `execve`, the
/// new program's (a 64-bit process may execute a 32-bit one). `None` when the return cannot be read.
pub fn returning_image(
    arch: &dyn Arch,
    cpu: &mut dyn GuestCpu,
    kind: ExitKind,
) -> Option<(Abi, u64)> {
    let r = arch.user_return(cpu, kind)?;
    let abi = match (arch.id(), r.width) {
        (ArchId::X86_64, CodeWidth::W64) => Abi::X86_64,
        (ArchId::X86_64, CodeWidth::W32) => Abi::I386,
        (ArchId::Aarch64, _) => Abi::Aarch64,
        (ArchId::I386, _) => Abi::I386,
    };
    Some((abi, r.sp))
}

/// Whether call `c` never returns to its caller (`exit`, `exit_group`).
pub fn never_returns(c: Option<Call>) -> bool {
    matches!(c, Some(Call::Exit | Call::ExitGroup))
}

/// The errno of a failed call's return value.
pub fn errno_of(ret: Option<i64>) -> Option<Errno> {
    ret.and_then(Errno::of_ret)
}
