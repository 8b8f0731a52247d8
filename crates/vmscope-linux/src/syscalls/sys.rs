//! Processes, file systems, IPC, ioctls and the rest: `prctl`, `clone3`, `sched_*`, resource usage,
//! capabilities, thread areas, `mount`; file locks, `fcntl`, `fallocate`, `renameat2`, `statfs`,
//! extended attributes, `splice`; memory policies; SysV and POSIX IPC; terminal and file ioctls.
//!
//! A family of argument kinds ([`K`]) plugged into the decoder through [`io`], [`input`],
//! [`output`], [`ret_extra`] and [`ret_override`] (see `args.rs` and `events.rs` for the pattern).
//! The renderers live in the submodules by subject (`proc`, …); this file only says which kind is
//! read when and dispatches.

mod prctl;
mod proc;
mod util;

use super::args::Io;
use super::ctx::Ctx;
use super::out::{Out, w};
use super::{Call, SyscallDesc};
use crate::uapi::proc as p;
use util::{pflags, pxval32};

/// Argument kinds of this family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    /// `prctl`'s whole argument list, shaped by the option (the other registers are `Skip`).
    Prctl,
    /// `arch_prctl`'s whole argument list (`ARCH_GET_FS` shows what the call wrote).
    ArchPrctl,
    /// `clone3`'s `struct clone_args` and size, with what the call wrote (` => {pidfd=[3]}`).
    Clone3,
    /// A scheduling policy (`SCHED_*`).
    SchedPolicy,
    /// An input `int` behind a pointer (`[0]`): `struct sched_param`.
    IntPtrIn,
    /// An output `unsigned int` behind a pointer (`[0]`, `getcpu`).
    UintOut,
    /// Input `struct sched_attr` (`sched_setattr`).
    SchedAttrIn,
    /// Output `struct sched_attr` whose size is the next argument (`sched_getattr`).
    SchedAttrOut,
    /// Input CPU set whose size is the previous argument (`[0 1]`).
    CpuSetIn,
    /// Output CPU set whose size is the return value.
    CpuSetOut,
    /// Output `struct rusage` of the ABI (`getrusage`, `wait4`).
    Rusage,
    /// `RUSAGE_*`.
    UsageWho,
    /// Output `struct sysinfo`.
    Sysinfo,
    /// `capget`/`capset`'s header (`{version=…, pid=0}`).
    CapHeader,
    /// `capget`'s output sets (the header read again at exit says how many words).
    CapDataOut,
    /// `capset`'s input sets.
    CapDataIn,
    /// `personality`'s argument (`PER_LINUX|ADDR_NO_RANDOMIZE`).
    Personality,
    /// `PRIO_*` of `getpriority`/`setpriority`.
    PrioWhich,
    /// `IOPRIO_WHO_*`.
    IoprioWhich,
    /// An I/O priority (`IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)`).
    Ioprio,
    /// `kcmp`'s type and the indexes it takes (the other registers are `Skip`).
    Kcmp,
    /// Input `struct user_desc` (`set_thread_area`).
    UserDesc,
    /// `get_thread_area`'s `struct user_desc`: the entry number in, the rest out.
    UserDescOut,
    /// `modify_ldt`'s whole argument list.
    ModifyLdt,
    /// `membarrier`'s whole argument list.
    Membarrier,
    /// `seccomp`'s whole argument list.
    Seccomp,
    /// `reboot`'s whole argument list.
    Reboot,
    /// `syslog`'s whole argument list (the buffer read at exit).
    Syslog,
    /// `mount`'s whole argument list.
    Mount,
    /// `MNT_*` flags of `umount2`.
    UmountFlags,
    /// `sethostname`/`setdomainname`'s name and length.
    Hostname,
    /// An output pointer-sized word behind a pointer (`[0x…]`).
    PtrOut,
    /// An output `unsigned long` behind a pointer (`[24]`).
    UlongOut,
    /// `PIDFD_*` flags of `pidfd_open`.
    PidfdFlags,
    /// Namespace type of `setns` (`CLONE_NEW*`).
    SetnsType,
    /// `unshare` flags.
    UnshareFlags,
}

/// When kind `k` is read.
pub(crate) fn io(k: K) -> Io {
    use K::*;
    match k {
        Prctl | ArchPrctl | Clone3 | UserDescOut | Seccomp | Syslog => Io::InOut,
        UintOut | SchedAttrOut | CpuSetOut | Rusage | Sysinfo | CapDataOut | PtrOut | UlongOut => {
            Io::Out
        }
        SchedPolicy | IntPtrIn | SchedAttrIn | CpuSetIn | UsageWho | CapHeader | CapDataIn
        | Personality | PrioWhich | IoprioWhich | Ioprio | Kcmp | UserDesc | ModifyLdt
        | Membarrier | Reboot | Mount | UmountFlags | Hostname | PidfdFlags | SetnsType
        | UnshareFlags => Io::In,
    }
}

/// Renders input kind `k` of argument `i` (see `events::input`); for an in/out kind, what the
/// entry reads (run dry).
pub(crate) fn input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) -> Option<bool> {
    use K::*;
    let v = cx.arg(i);
    let a = cx.warg(i);
    match k {
        Prctl => prctl::prctl(cx, w),
        ArchPrctl => prctl::arch_prctl(cx, w),
        Clone3 => proc::clone3(cx, w),
        UserDescOut => proc::user_desc(cx, w, a, proc::Desc::Split),
        Seccomp => proc::seccomp(cx, w),
        Syslog => proc::syslog(cx, w),
        SchedPolicy => pxval32(w, v, p::SCHEDULERS, "SCHED_???"),
        IntPtrIn => {
            if a == 0 {
                w.s("NULL");
            } else {
                let n = cx.mem.read_u32(a)?;
                w!(w, "[{}]", n as i32);
            }
        }
        SchedAttrIn => proc::sched_attr(cx, w, a, 0),
        CpuSetIn => {
            let len = cx.arg(i.wrapping_sub(1)) & 0xffff_ffff;
            proc::cpuset(cx, w, a, len);
        }
        UsageWho => pxval32(w, v, p::USAGEWHO, "RUSAGE_???"),
        CapHeader => {
            proc::cap_header(cx, w, a);
        }
        CapDataIn => {
            let h = cx.warg(0);
            let version = header_version(cx, h);
            proc::cap_data(cx, w, a, version);
        }
        Personality => proc::personality(w, v),
        PrioWhich => pxval32(w, v, p::PRIORITIES, "PRIO_???"),
        IoprioWhich => pxval32(w, v, p::IOPRIO_WHO, "IOPRIO_WHO_???"),
        Ioprio => w.s(&proc::ioprio_text(v)),
        Kcmp => proc::kcmp_type(cx, w),
        UserDesc => proc::user_desc(cx, w, a, proc::Desc::Both),
        ModifyLdt => proc::modify_ldt(cx, w),
        Membarrier => proc::membarrier(cx, w),
        Reboot => proc::reboot(cx, w)?,
        Mount => proc::mount(cx, w)?,
        UmountFlags => pflags(w, v & 0xffff_ffff, p::UMOUNT_FLAGS, Some("MNT_???")),
        Hostname => proc::hostname(cx, w)?,
        PidfdFlags => pflags(w, v & 0xffff_ffff, p::PIDFD_OPEN_FLAGS, Some("PIDFD_???")),
        SetnsType => pflags(w, v & 0xffff_ffff, p::SETNS_TYPES, Some("CLONE_NEW???")),
        UnshareFlags => pflags(w, a, p::UNSHARE_FLAGS, Some("CLONE_???")),
        // Outputs are rendered at exit.
        UintOut | SchedAttrOut | CpuSetOut | Rusage | Sysinfo | CapDataOut | PtrOut | UlongOut => {
            return None;
        }
    }
    Some(true)
}

/// The version in a capability header, `None` when it cannot be read.
fn header_version(cx: &mut Ctx<'_>, addr: u64) -> Option<u64> {
    if addr == 0 {
        return None;
    }
    cx.mem.read_u32(addr).map(u64::from)
}

/// Renders output (or in/out) kind `k` of argument `i` at exit (see `events::output`).
pub(crate) fn output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) {
    use K::*;
    let a = cx.warg(i);
    match k {
        Prctl => prctl::prctl(cx, w),
        ArchPrctl => prctl::arch_prctl(cx, w),
        Clone3 => proc::clone3(cx, w),
        UserDescOut => proc::user_desc(cx, w, a, proc::Desc::Split),
        Seccomp => proc::seccomp(cx, w),
        Syslog => proc::syslog(cx, w),
        UintOut => util::num_u32(cx, w, a),
        PtrOut => proc::word_out(cx, w, a, true),
        UlongOut => proc::word_out(cx, w, a, false),
        SchedAttrOut => {
            let size = cx.arg(i + 1) & 0xffff_ffff;
            if size == 0 || !cx.ok() {
                w.ptr(a);
            } else {
                proc::sched_attr(cx, w, a, size);
            }
        }
        CpuSetOut => {
            let len = cx.ret_ok().unwrap_or(0).max(0) as u64;
            proc::cpuset(cx, w, a, len);
        }
        Rusage => out_struct(cx, w, a, |cx, w| super::common_structs::rusage(cx, w, a)),
        Sysinfo => out_struct(cx, w, a, |cx, w| proc::sysinfo(cx, w, a)),
        CapDataOut => {
            let h = cx.warg(0);
            let version = if cx.ok() { header_version(cx, h) } else { None };
            proc::cap_data(cx, w, a, version);
        }
        // Inputs whose memory could not be read at entry: retried here (see `args::exit_slot`).
        _ => {
            let m = w.mark();
            if input(cx, w, i, k) != Some(true) {
                w.cut(m);
                w.ptr(a);
            }
        }
    }
}

/// An output structure: the pointer when the call failed or the memory cannot be read.
fn out_struct(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    f: impl FnOnce(&mut Ctx<'_>, &mut Out<'_>) -> Option<()>,
) {
    if addr == 0 {
        w.s("NULL");
        return;
    }
    if !cx.ok() {
        w.ptr(addr);
        return;
    }
    let m = w.mark();
    if f(cx, w).is_none() {
        w.cut(m);
        w.ptr(addr);
    }
}

/// What strace prints after a successful call's return value (see `events::ret_extra`).
pub(crate) fn ret_extra(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    match cx.desc.call {
        Call::SetThreadArea => proc::thread_area_ret(cx, w),
        _ => false,
    }
}

/// The return value of a successful call, when strace decorates it from the registers alone
/// (`= 1 (SUID_DUMP_USER)`); `false` (nothing written) for the plain number.
pub(crate) fn ret_override(w: &mut Out<'_>, desc: &SyscallDesc, raw: &[u64; 6], ret: i64) -> bool {
    proc::ret_override(w, desc.call, raw, ret)
}

#[cfg(test)]
mod tests;
