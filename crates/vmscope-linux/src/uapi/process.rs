//! Process constants: clone flags, wait options, resource limits, `arch_prctl`, random.

use super::Xlat;

/// `CLONE_VM`.
pub const CLONE_VM: u64 = 0x100;
/// `CLONE_FS`.
pub const CLONE_FS: u64 = 0x200;
/// `CLONE_FILES`.
pub const CLONE_FILES: u64 = 0x400;
/// `CLONE_VFORK`.
pub const CLONE_VFORK: u64 = 0x4000;
/// `CLONE_PARENT`.
pub const CLONE_PARENT: u64 = 0x8000;
/// `CLONE_THREAD`.
pub const CLONE_THREAD: u64 = 0x1_0000;
/// `CLONE_SETTLS`.
pub const CLONE_SETTLS: u64 = 0x8_0000;
/// `CLONE_PARENT_SETTID`.
pub const CLONE_PARENT_SETTID: u64 = 0x10_0000;
/// `CLONE_CHILD_CLEARTID`.
pub const CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
/// `CLONE_CHILD_SETTID`.
pub const CLONE_CHILD_SETTID: u64 = 0x100_0000;
/// `AT_EXECFN` in the auxiliary vector.
pub const AT_EXECFN: u64 = 31;

/// `CLONE_*` flags in bit order (the low byte is the exit signal).
pub const CLONE_FLAGS: Xlat = &[
    (0x0000_0100, "CLONE_VM"),
    (0x0000_0200, "CLONE_FS"),
    (0x0000_0400, "CLONE_FILES"),
    (0x0000_0800, "CLONE_SIGHAND"),
    (0x0000_1000, "CLONE_PIDFD"),
    (0x0000_2000, "CLONE_PTRACE"),
    (0x0000_4000, "CLONE_VFORK"),
    (0x0000_8000, "CLONE_PARENT"),
    (0x0001_0000, "CLONE_THREAD"),
    (0x0002_0000, "CLONE_NEWNS"),
    (0x0004_0000, "CLONE_SYSVSEM"),
    (0x0008_0000, "CLONE_SETTLS"),
    (0x0010_0000, "CLONE_PARENT_SETTID"),
    (0x0020_0000, "CLONE_CHILD_CLEARTID"),
    (0x0040_0000, "CLONE_DETACHED"),
    (0x0080_0000, "CLONE_UNTRACED"),
    (0x0100_0000, "CLONE_CHILD_SETTID"),
    (0x0200_0000, "CLONE_NEWCGROUP"),
    (0x0400_0000, "CLONE_NEWUTS"),
    (0x0800_0000, "CLONE_NEWIPC"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x4000_0000, "CLONE_NEWNET"),
    (0x8000_0000, "CLONE_IO"),
];

/// `wait4` and `waitid` options, in strace's order (it names 2 `WSTOPPED`, not `WUNTRACED`).
pub const WAIT_OPTIONS: Xlat = &[
    (1, "WNOHANG"),
    (4, "WEXITED"),
    (2, "WSTOPPED"),
    (8, "WCONTINUED"),
    (0x0100_0000, "WNOWAIT"),
    (0x8000_0000, "__WCLONE"),
    (0x4000_0000, "__WALL"),
    (0x2000_0000, "__WNOTHREAD"),
];

/// `RLIMIT_*` resources.
pub const RLIMITS: Xlat = &[
    (0, "RLIMIT_CPU"),
    (1, "RLIMIT_FSIZE"),
    (2, "RLIMIT_DATA"),
    (3, "RLIMIT_STACK"),
    (4, "RLIMIT_CORE"),
    (5, "RLIMIT_RSS"),
    (6, "RLIMIT_NPROC"),
    (7, "RLIMIT_NOFILE"),
    (8, "RLIMIT_MEMLOCK"),
    (9, "RLIMIT_AS"),
    (10, "RLIMIT_LOCKS"),
    (11, "RLIMIT_SIGPENDING"),
    (12, "RLIMIT_MSGQUEUE"),
    (13, "RLIMIT_NICE"),
    (14, "RLIMIT_RTPRIO"),
    (15, "RLIMIT_RTTIME"),
];

/// `ARCH_*` codes of `arch_prctl`.
pub const ARCH_PRCTL: Xlat = &[
    (0x1001, "ARCH_SET_GS"),
    (0x1002, "ARCH_SET_FS"),
    (0x1003, "ARCH_GET_FS"),
    (0x1004, "ARCH_GET_GS"),
    (0x1011, "ARCH_GET_CPUID"),
    (0x1012, "ARCH_SET_CPUID"),
    (0x1021, "ARCH_GET_XCOMP_SUPP"),
    (0x1022, "ARCH_GET_XCOMP_PERM"),
    (0x1023, "ARCH_REQ_XCOMP_PERM"),
    (0x1024, "ARCH_GET_XCOMP_GUEST_PERM"),
    (0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"),
    (0x2001, "ARCH_MAP_VDSO_X32"),
    (0x2002, "ARCH_MAP_VDSO_32"),
    (0x2003, "ARCH_MAP_VDSO_64"),
];

/// `GRND_*`.
pub const GRND: Xlat = &[
    (1, "GRND_NONBLOCK"),
    (2, "GRND_RANDOM"),
    (4, "GRND_INSECURE"),
];

/// `FUTEX_*` commands (low 7 bits of the operation).
pub const FUTEX_CMDS: Xlat = &[
    (0, "FUTEX_WAIT"),
    (1, "FUTEX_WAKE"),
    (2, "FUTEX_FD"),
    (3, "FUTEX_REQUEUE"),
    (4, "FUTEX_CMP_REQUEUE"),
    (5, "FUTEX_WAKE_OP"),
    (6, "FUTEX_LOCK_PI"),
    (7, "FUTEX_UNLOCK_PI"),
    (8, "FUTEX_TRYLOCK_PI"),
    (9, "FUTEX_WAIT_BITSET"),
    (10, "FUTEX_WAKE_BITSET"),
    (11, "FUTEX_WAIT_REQUEUE_PI"),
    (12, "FUTEX_CMP_REQUEUE_PI"),
    (13, "FUTEX_LOCK_PI2"),
];
