//! Processes, file systems, IPC, ioctls and the rest: `prctl`, `clone3`, `sched_*`, resource usage,
//! capabilities, thread areas, `mount`; file locks, `fcntl`, `fallocate`, `renameat2`, `statfs`,
//! extended attributes, `splice`; memory policies; SysV and POSIX IPC; terminal and file ioctls.
//!
//! A family of argument kinds ([`K`]) plugged into the decoder through [`io`], [`input`],
//! [`output`], [`ret_extra`] and [`ret_override`] (see `args.rs` and `events.rs` for the pattern).
//! The renderers live in the submodules by subject (`proc`, …); this file only says which kind is
//! read when and dispatches.

mod fs;
mod ids;
mod ioctl;
mod ipc;
mod ldt;
mod mem;
mod misc;
mod prctl;
mod proc;
mod util;

use super::Io;
use super::ctx::Ctx;
use super::out::{Out, w};
use super::{Call, SyscallDesc};
use vmscope_core::event::Abi;

use crate::uapi::{fs as f, mm as m, proc as p};
pub(crate) use util::pflags;
use util::pxval32;

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
    /// `bpf`'s command (`BPF_MAP_CREATE`).
    BpfCmd,
    /// `fsmount`'s flags (`FSMOUNT_CLOEXEC`).
    FsmountFlags,
    /// `fsmount`'s mount attributes (`MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOEXEC`).
    MountAttrFlags,
    /// `userfaultfd`'s flags (`O_NONBLOCK|O_CLOEXEC`).
    UffdFlags,
    /// `fsconfig`'s whole argument list.
    Fsconfig,
    /// `landlock_add_rule`'s rule type (`LANDLOCK_RULE_PATH_BENEATH`).
    LandlockRule,
    /// `landlock_create_ruleset`'s flags.
    LandlockFlags,
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
    /// Output `struct statfs` of the ABI.
    Statfs,
    /// Output `struct statfs64` whose size is the previous argument (i386).
    Statfs64,
    /// `mknod`'s mode and, for a device, the device in the next register (`Skip`).
    MknodMode,
    /// `utimensat`'s pair of times (`UTIME_NOW`, dates).
    Utimens,
    /// `utimes`/`futimesat`'s pair of `struct timeval`.
    Utimes,
    /// `utime`'s `struct utimbuf`.
    Utimbuf,
    /// `RENAME_*` flags of `renameat2`.
    RenameFlags,
    /// `AT_*` flags of `faccessat2`.
    FaccessatFlags,
    /// `FALLOC_FL_*` mode of `fallocate`.
    FallocMode,
    /// `POSIX_FADV_*`.
    Fadvice,
    /// `SYNC_FILE_RANGE_*`.
    SyncFlags,
    /// `LOCK_*` of `flock`.
    FlockOp,
    /// i386: an unsigned 64-bit value as low word here, high word in the next register (`Skip`).
    U64Lo,
    /// `fcntl`'s command and argument (the argument register is `Skip`).
    Fcntl,
    /// `memfd_create`'s name (at most 250 bytes).
    MemfdName,
    /// `MFD_*` flags.
    MemfdFlags,
    /// `memfd_secret`'s flags.
    MemfdSecretFlags,
    /// An input `loff_t *` (`[0]`).
    Loff,
    /// `sendfile`'s 64-bit offset, before and after (`[0] => [4]`).
    SendfileOff,
    /// i386 `sendfile`'s `off_t *` offset, before and after.
    SendfileOff32,
    /// `SPLICE_F_*`.
    SpliceFlags,
    /// An input extended attribute value whose size is the next argument.
    XattrValIn,
    /// An output extended attribute value whose size is the return value.
    XattrValOut,
    /// An output list of attribute names (the return value's bytes; size in the next argument).
    XattrList,
    /// `XATTR_*`.
    XattrFlags,
    /// `CLOSE_RANGE_*`.
    CloseRangeFlags,
    /// `name_to_handle_at`'s handle, mount id and flags (the other registers are `Skip`).
    HandleAt,
    /// `open_by_handle_at`'s handle.
    HandleIn,
    /// `openat2`'s `struct open_how` whose size is the next argument.
    OpenHow,
    /// `mincore`'s output vector (one byte per page of the length argument).
    MincoreVec,
    /// `MLOCK_*` of `mlock2`.
    Mlock2Flags,
    /// `MCL_*` of `mlockall`.
    MlockallFlags,
    /// A memory policy mode (`MPOL_BIND|MPOL_F_STATIC_NODES`).
    MpolMode,
    /// An input node mask; its size in bits is the next argument (`migrate_pages`: the second).
    Nodemask,
    /// `MPOL_MF_*` of `mbind`.
    MbindFlags,
    /// `get_mempolicy`'s whole argument list, at exit (the other registers are `Skip`).
    GetMempolicy,
    /// `PKEY_DISABLE_*`.
    PkeyAccess,
    /// `process_madvise`'s ranges (`struct iovec[]` as addresses), count in the next argument.
    IovecAddrs,
    /// `mremap`'s new address: shown only with `MREMAP_MAYMOVE|MREMAP_FIXED`.
    MremapNew,
    /// `MS_*` of `msync`.
    MsyncFlags,
    /// `PROT_*`.
    Prot,
    /// `MREMAP_*`.
    MremapFlags,
    /// A subcall of i386's `ipc`, whole, in strace's indirect layout (see `sys/ipc.rs`).
    Ipc,
    /// An IPC key (`IPC_PRIVATE`).
    IpcKey,
    /// `msgget`/`semget` flags and mode.
    IpcGetFlags,
    /// `shmget` flags and mode.
    ShmgetFlags,
    /// Input `struct sembuf[]` whose count is the next argument.
    Sembuf,
    /// Input `struct msgbuf` whose text size is the next argument.
    Msgbuf,
    /// Output `struct msgbuf` whose text size is the next argument.
    MsgbufOut,
    /// `MSG_*`/`IPC_NOWAIT` flags.
    MsgFlags,
    /// `SHM_*` flags of `shmat`.
    ShmFlags,
    /// `msgctl`'s command and buffer (the buffer register is `Skip`).
    Msgctl,
    /// `semctl`'s command and argument (the argument register is `Skip`).
    Semctl,
    /// `shmctl`'s command and buffer (the buffer register is `Skip`).
    Shmctl,
    /// `mq_open`'s flags, and with `O_CREAT` its mode and attributes (the others are `Skip`).
    MqOpen,
    /// Input `struct mq_attr`.
    MqAttrIn,
    /// Output `struct mq_attr`.
    MqAttrOut,
    /// Output message priority (`[3]`).
    MqPrio,
    /// Input `struct sigevent`.
    Sigevent,
    /// A user or group id (`-1` for all ones).
    Uid,
    /// A 16-bit id of i386's old calls.
    Uid16,
    /// An output id behind a pointer (`[0]`).
    UidOut,
    /// An output 16-bit id behind a pointer.
    UidOut16,
    /// An input group list whose length is the previous argument.
    Groups,
    /// An input 16-bit group list.
    Groups16,
    /// An output group list whose length is the return value.
    GroupsOut,
    /// An output 16-bit group list.
    GroupsOut16,
    /// `quotactl`'s whole argument list (the other registers are `Skip`).
    Quotactl,
    /// i386 `ipc` with a subcall strace does not know: the call number, the rest in hex.
    IpcRaw,
    /// `keyctl`'s whole argument list (the buffer of `KEYCTL_READ` at exit).
    Keyctl,
    /// A key serial number (`KEY_SPEC_SESSION_KEYRING`).
    KeySerial,
    /// `add_key`'s payload, its length and the keyring (the other registers are `Skip`).
    KeyPayload,
    /// `ptrace`'s whole argument list (the word `PTRACE_PEEK*` read, at exit).
    Ptrace,
    /// `process_vm_readv`/`writev`'s whole argument list.
    ProcessVm,
    /// `swapon`'s flags and priority.
    SwapFlags,
    /// `io_setup`'s context at exit (`[0x…]`).
    IoCtx,
    /// `io_submit`'s count and control blocks (the list register is `Skip`).
    IoSubmit,
    /// `io_getevents`' events at exit (count: the return value).
    IoEvents,
    /// `io_getevents`' timeout (`struct old_timespec32` for i386's `io_getevents`).
    IoTimeout,
    /// `io_cancel`'s control block and result (the result register is `Skip`).
    IoCancel,
}

/// When kind `k` is read.
pub(crate) fn io(k: K) -> Io {
    use K::*;
    match k {
        Prctl | ArchPrctl | Clone3 | UserDescOut | Seccomp | Syslog | Fcntl | SendfileOff
        | SendfileOff32 | HandleAt | Ipc | Msgctl | Semctl | Shmctl | Quotactl | Keyctl
        | Ptrace | ProcessVm | IoCancel => Io::InOut,
        UintOut | SchedAttrOut | CpuSetOut | Rusage | Sysinfo | CapDataOut | PtrOut | UlongOut
        | Statfs | Statfs64 | XattrValOut | XattrList | MincoreVec | GetMempolicy | MsgbufOut
        | MqAttrOut | MqPrio | UidOut | UidOut16 | GroupsOut | GroupsOut16 | IoCtx | IoEvents => {
            Io::Out
        }
        SchedPolicy | IntPtrIn | SchedAttrIn | CpuSetIn | UsageWho | CapHeader | CapDataIn
        | Personality | PrioWhich | IoprioWhich | Ioprio | Kcmp | UserDesc | ModifyLdt
        | Membarrier | Reboot | BpfCmd | FsmountFlags | MountAttrFlags | UffdFlags | Fsconfig
        | LandlockRule | LandlockFlags | Mount | UmountFlags | Hostname | PidfdFlags
        | SetnsType | UnshareFlags | MknodMode | Utimens | Utimes | Utimbuf | RenameFlags
        | FaccessatFlags | FallocMode | Fadvice | SyncFlags | FlockOp | U64Lo | MemfdName
        | MemfdFlags | MemfdSecretFlags | Loff | SpliceFlags | XattrValIn | XattrFlags
        | CloseRangeFlags | HandleIn | OpenHow | Mlock2Flags | MlockallFlags | MpolMode
        | Nodemask | MbindFlags | PkeyAccess | IovecAddrs | MremapNew | MsyncFlags | Prot
        | MremapFlags | IpcKey | IpcGetFlags | ShmgetFlags | Sembuf | Msgbuf | MsgFlags
        | ShmFlags | MqOpen | MqAttrIn | Sigevent | Uid | Uid16 | Groups | Groups16 | IpcRaw
        | KeySerial | KeyPayload | SwapFlags | IoSubmit | IoTimeout => Io::In,
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
        UserDescOut => ldt::user_desc(cx, w, a, ldt::Desc::Split),
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
        UserDesc => ldt::user_desc(cx, w, a, ldt::Desc::Both),
        ModifyLdt => ldt::modify_ldt(cx, w),
        Membarrier => proc::membarrier(cx, w),
        Reboot => proc::reboot(cx, w)?,
        BpfCmd => pxval32(w, v, p::BPF_CMDS, "BPF_???"),
        FsmountFlags => pflags(w, v & 0xffff_ffff, f::FSMOUNT_FLAGS, Some("FSMOUNT_???")),
        MountAttrFlags => pflags(
            w,
            v & 0xffff_ffff,
            f::MOUNT_ATTR_FLAGS,
            Some("MOUNT_ATTR_???"),
        ),
        UffdFlags => pflags(w, v & 0xffff_ffff, p::UFFD_FLAGS, Some("UFFD_???")),
        Fsconfig => fs::fsconfig(cx, w),
        LandlockRule => pxval32(w, v, f::LANDLOCK_RULE_TYPES, "LANDLOCK_RULE_???"),
        LandlockFlags => pflags(
            w,
            v & 0xffff_ffff,
            f::LANDLOCK_CREATE_RULESET_FLAGS,
            Some("LANDLOCK_CREATE_RULESET_???"),
        ),
        Mount => proc::mount(cx, w)?,
        UmountFlags => pflags(w, v & 0xffff_ffff, p::UMOUNT_FLAGS, Some("MNT_???")),
        Hostname => proc::hostname(cx, w)?,
        PidfdFlags => pflags(w, v & 0xffff_ffff, p::PIDFD_OPEN_FLAGS, Some("PIDFD_???")),
        SetnsType => pflags(w, v & 0xffff_ffff, p::SETNS_TYPES, Some("CLONE_NEW???")),
        UnshareFlags => pflags(w, a, p::UNSHARE_FLAGS, Some("CLONE_???")),
        Fcntl => fs::fcntl(cx, w),
        SendfileOff => fs::sendfile_off(cx, w, a, 8),
        SendfileOff32 => fs::sendfile_off(cx, w, a, 4),
        HandleAt => fs::handle_at(cx, w),
        MknodMode => fs::mknod_mode(cx, w, i),
        Utimens => {
            let old32 = cx.abi == Abi::I386 && cx.desc.call == Call::Utimensat;
            fs::utimens(cx, w, a, old32)?;
        }
        Utimes => fs::utimes(cx, w, a)?,
        Utimbuf => fs::utimbuf(cx, w, a)?,
        RenameFlags => pflags(w, v & 0xffff_ffff, f::RENAME_FLAGS, Some("RENAME_??")),
        FaccessatFlags => pflags(w, v & 0xffff_ffff, f::FACCESSAT_FLAGS, Some("AT_???")),
        FallocMode => pflags(w, v & 0xffff_ffff, f::FALLOC_FLAGS, Some("FALLOC_FL_???")),
        Fadvice => pxval32(w, v, f::FADVISE, "POSIX_FADV_???"),
        SyncFlags => pflags(
            w,
            v & 0xffff_ffff,
            f::SYNC_FILE_RANGE_FLAGS,
            Some("SYNC_FILE_RANGE_???"),
        ),
        FlockOp => pflags(w, v & 0xffff_ffff, f::FLOCK_OPS, Some("LOCK_???")),
        U64Lo => w.uint(v & 0xffff_ffff | cx.arg(i + 1) << 32),
        MemfdName => util::str0(cx, w, a, 250)?,
        MemfdFlags => fs::memfd_flags(w, v),
        MemfdSecretFlags => pflags(w, v & 0xffff_ffff, &[(0o2000000, "O_CLOEXEC")], Some("")),
        Loff => fs::loff(cx, w, a),
        SpliceFlags => pflags(w, v & 0xffff_ffff, f::SPLICE_FLAGS, Some("SPLICE_F_???")),
        XattrValIn => {
            let size = cx.warg(i + 1);
            fs::xattr_value(cx, w, a, size)?;
        }
        XattrFlags => pflags(w, v & 0xffff_ffff, f::XATTR_FLAGS, Some("XATTR_???")),
        CloseRangeFlags => pflags(
            w,
            v & 0xffff_ffff,
            f::CLOSE_RANGE_FLAGS,
            Some("CLOSE_RANGE_???"),
        ),
        HandleIn => fs::handle_in(cx, w, a),
        OpenHow => {
            let size = cx.warg(i + 1);
            fs::open_how(cx, w, a, size)?;
        }
        Mlock2Flags => pflags(w, v & 0xffff_ffff, m::MLOCK_FLAGS, Some("MLOCK_???")),
        MlockallFlags => pflags(w, v & 0xffff_ffff, m::MLOCKALL_FLAGS, Some("MCL_???")),
        MpolMode => {
            let mode = if cx.desc.call == Call::SetMempolicy {
                v & 0xffff_ffff
            } else {
                a
            };
            mem::mpol_mode(w, mode);
        }
        Nodemask => {
            let maxnode = if cx.desc.call == Call::MigratePages {
                cx.warg(1)
            } else {
                cx.warg(i + 1)
            };
            mem::nodemask(cx, w, a, maxnode);
        }
        MbindFlags => pflags(w, v & 0xffff_ffff, m::MBIND_FLAGS, Some("MPOL_???")),
        PkeyAccess => pflags(w, a, m::PKEY_ACCESS, Some("PKEY_???")),
        IovecAddrs => {
            let n = cx.warg(i + 1);
            mem::iovec_addrs(cx, w, a, n);
        }
        MremapNew => {
            if !mem::mremap_shows_new(cx) {
                return Some(false);
            }
            w.ptr(a);
        }
        MsyncFlags => pflags(w, v & 0xffff_ffff, m::MSYNC, Some("MS_???")),
        Prot => pflags(w, a, m::PROT, Some("PROT_???")),
        MremapFlags => pflags(w, a, m::MREMAP, Some("MREMAP_???")),
        Ipc => ipc::indirect(cx, w),
        Msgctl => ipc::msgctl(cx, w),
        Semctl => ipc::semctl(cx, w),
        Shmctl => ipc::shmctl(cx, w),
        IpcKey => ipc::key(w, v),
        IpcGetFlags => ipc::get_flags(w, v),
        ShmgetFlags => ipc::shmget_flags(w, v),
        Sembuf => {
            let n = cx.arg(i + 1) & 0xffff_ffff;
            ipc::sembufs(cx, w, a, n);
        }
        Msgbuf => {
            let n = cx.warg(i + 1);
            ipc::msgbuf(cx, w, a, n);
        }
        MsgFlags => ipc::msg_flags(w, v),
        ShmFlags => ipc::shm_flags(w, v),
        MqOpen => ipc::mq_open_rest(cx, w),
        MqAttrIn => ipc::mq_attr(cx, w, a, true),
        Sigevent => ipc::sigevent(cx, w, a),
        Uid => ids::uid(w, v, false),
        Uid16 => ids::uid(w, v, true),
        Groups | Groups16 => {
            let len = cx.arg(i.wrapping_sub(1)) & 0xffff_ffff;
            ids::groups(cx, w, a, len, k == Groups16);
        }
        Quotactl => ids::quotactl(cx, w),
        IpcRaw => ipc::raw(cx, w),
        Keyctl => misc::keyctl(cx, w),
        Ptrace => misc::ptrace(cx, w),
        ProcessVm => misc::process_vm(cx, w),
        IoCancel => misc::io_cancel(cx, w),
        KeySerial => misc::key(w, v),
        KeyPayload => misc::key_payload(cx, w),
        SwapFlags => misc::swap_flags(w, v),
        IoSubmit => misc::io_submit(cx, w),
        IoTimeout => {
            let old32 = cx.abi == Abi::I386 && cx.desc.call == Call::IoGetevents;
            misc::io_timeout(cx, w, a, old32);
        }
        // Outputs are rendered at exit.
        UintOut | SchedAttrOut | CpuSetOut | Rusage | Sysinfo | CapDataOut | PtrOut | UlongOut
        | Statfs | Statfs64 | XattrValOut | XattrList | MincoreVec | GetMempolicy | MsgbufOut
        | MqAttrOut | MqPrio | UidOut | UidOut16 | GroupsOut | GroupsOut16 | IoCtx | IoEvents => {
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
        UserDescOut => ldt::user_desc(cx, w, a, ldt::Desc::Split),
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
        Statfs => out_struct(cx, w, a, |cx, w| fs::statfs(cx, w, a, None)),
        Statfs64 => {
            let size = cx.warg(i.wrapping_sub(1));
            out_struct(cx, w, a, |cx, w| fs::statfs(cx, w, a, Some(size)));
        }
        XattrValOut => {
            let ret = cx.ret_ok();
            match ret {
                Some(r) => {
                    let m = w.mark();
                    if fs::xattr_value(cx, w, a, r as u64).is_none() {
                        w.cut(m);
                        w.ptr(a);
                    }
                }
                None => w.ptr(a),
            }
        }
        XattrList => {
            let size = cx.warg(i + 1);
            match cx.ret_ok() {
                Some(r) if size != 0 => {
                    let m = w.mark();
                    if util::strn(cx, w, a, r as u64).is_none() {
                        w.cut(m);
                        w.ptr(a);
                    }
                }
                _ => w.ptr(a),
            }
        }
        Fcntl => fs::fcntl(cx, w),
        SendfileOff => fs::sendfile_off(cx, w, a, 8),
        SendfileOff32 => fs::sendfile_off(cx, w, a, 4),
        HandleAt => fs::handle_at(cx, w),
        MincoreVec => mem::mincore_vec(cx, w, a),
        GetMempolicy => mem::get_mempolicy(cx, w),
        Ipc => ipc::indirect(cx, w),
        Msgctl => ipc::msgctl(cx, w),
        Semctl => ipc::semctl(cx, w),
        Shmctl => ipc::shmctl(cx, w),
        MsgbufOut => {
            let n = cx.warg(i + 1);
            ipc::msgbuf_out(cx, w, a, n);
        }
        MqAttrOut => {
            if cx.ok() {
                ipc::mq_attr(cx, w, a, true);
            } else {
                w.ptr(a);
            }
        }
        MqPrio => ipc::mq_prio(cx, w, a),
        UidOut | UidOut16 => ids::uid_out(cx, w, a, k == UidOut16),
        GroupsOut | GroupsOut16 => match cx.ret_ok() {
            Some(n) => ids::groups(cx, w, a, n as u64, k == GroupsOut16),
            None => w.ptr(a),
        },
        Quotactl => ids::quotactl(cx, w),
        Keyctl => misc::keyctl(cx, w),
        Ptrace => misc::ptrace(cx, w),
        ProcessVm => misc::process_vm(cx, w),
        IoCancel => misc::io_cancel(cx, w),
        IoCtx => misc::io_ctx(cx, w, a),
        IoEvents => misc::io_events(cx, w, a),
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

/// An `ioctl` request's name (`TCGETS`, `A or B`, `_IOC(…)`).
pub(crate) fn ioctl_request(cx: &Ctx<'_>, w: &mut Out<'_>, v: u64) {
    ioctl::request(cx, w, v);
}

/// `ioctl`'s argument by request (see `sys/ioctl.rs`): `None` at entry for an argument shown at
/// exit.
pub(crate) fn ioctl_arg(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> Option<bool> {
    ioctl::arg(cx, w)
}

/// The call i386's `ipc` stands for and its arguments (see `sys/ipc.rs`).
pub(crate) fn ipc_subcall(raw: &[u64; 6]) -> Option<(&'static SyscallDesc, [u64; 6])> {
    ipc::ipc_subcall(raw)
}

/// The descriptor of a call `ipc` stood for.
pub(crate) fn ipc_desc(call: Call) -> Option<&'static SyscallDesc> {
    ipc::ipc_desc(call)
}

/// The return value strace shows instead of the kernel's, from memory (`shmat` through `ipc`:
/// the address the kernel stored); `None` to show the kernel's.
pub(crate) fn shown_ret(cx: &mut Ctx<'_>) -> Option<i64> {
    ipc::shmat_ret(cx)
}

/// A whole `struct user_desc` (i386 `clone`'s tls).
pub(crate) fn user_desc(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    ldt::user_desc(cx, w, addr, ldt::Desc::Both);
}

/// What strace prints after a successful call's return value (see `events::ret_extra`).
pub(crate) fn ret_extra(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    match cx.desc.call {
        Call::SetThreadArea => ldt::thread_area_ret(cx, w),
        _ => false,
    }
}

/// The return value of a successful call, when strace decorates it from the registers alone
/// (`= 1 (SUID_DUMP_USER)`); `false` (nothing written) for the plain number.
pub(crate) fn ret_override(
    w: &mut Out<'_>,
    abi: vmscope_core::event::Abi,
    desc: &SyscallDesc,
    raw: &[u64; 6],
    ret: i64,
) -> bool {
    match desc.call {
        Call::Fcntl | Call::Fcntl64 => fs::fcntl_ret(w, abi, raw, ret),
        c => proc::ret_override(w, c, raw, ret),
    }
}

/// `AT_*` flags as `printflags(at_flags, …, "AT_???")` prints them (the `ArgKind::AtFlags` of the
/// calls that take them).
pub(crate) fn at_flags(w: &mut Out<'_>, v: u64) {
    pflags(w, v & 0xffff_ffff, f::AT_FLAGS, Some("AT_???"));
}

/// `access` modes: `R_OK|W_OK`, `F_OK`, `0x8 /* ?_OK */`.
pub(crate) fn access_mode(w: &mut Out<'_>, v: u64) {
    pflags(
        w,
        v & 0xffff_ffff,
        &[(0, "F_OK"), (4, "R_OK"), (2, "W_OK"), (1, "X_OK")],
        Some("?_OK"),
    );
}

#[cfg(test)]
mod tests;
