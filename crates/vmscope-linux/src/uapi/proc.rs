//! Process control constants: `prctl` options and their arguments, capabilities, the scheduler,
//! priorities, I/O priorities, `kcmp`, personalities, `membarrier`, `seccomp`, `reboot`, `syslog`,
//! mount flags, namespaces, keys, `ptrace`, AIO — as the kernel's uapi headers define them, in strace's order (its
//! `xlat/*.in` files).

use super::Xlat;

/// `PRCTL_OPTIONS` (strace's order).
pub const PRCTL_OPTIONS: Xlat = &[
    (0x1, "PR_SET_PDEATHSIG"),
    (0x2, "PR_GET_PDEATHSIG"),
    (0x3, "PR_GET_DUMPABLE"),
    (0x4, "PR_SET_DUMPABLE"),
    (0x5, "PR_GET_UNALIGN"),
    (0x6, "PR_SET_UNALIGN"),
    (0x7, "PR_GET_KEEPCAPS"),
    (0x8, "PR_SET_KEEPCAPS"),
    (0x9, "PR_GET_FPEMU"),
    (0xa, "PR_SET_FPEMU"),
    (0xb, "PR_GET_FPEXC"),
    (0xc, "PR_SET_FPEXC"),
    (0xd, "PR_GET_TIMING"),
    (0xe, "PR_SET_TIMING"),
    (0xf, "PR_SET_NAME"),
    (0x10, "PR_GET_NAME"),
    (0x13, "PR_GET_ENDIAN"),
    (0x14, "PR_SET_ENDIAN"),
    (0x15, "PR_GET_SECCOMP"),
    (0x16, "PR_SET_SECCOMP"),
    (0x17, "PR_CAPBSET_READ"),
    (0x18, "PR_CAPBSET_DROP"),
    (0x19, "PR_GET_TSC"),
    (0x1a, "PR_SET_TSC"),
    (0x1b, "PR_GET_SECUREBITS"),
    (0x1c, "PR_SET_SECUREBITS"),
    (0x1d, "PR_SET_TIMERSLACK"),
    (0x1e, "PR_GET_TIMERSLACK"),
    (0x1f, "PR_TASK_PERF_EVENTS_DISABLE"),
    (0x20, "PR_TASK_PERF_EVENTS_ENABLE"),
    (0x21, "PR_MCE_KILL"),
    (0x22, "PR_MCE_KILL_GET"),
    (0x23, "PR_SET_MM"),
    (0x24, "PR_SET_CHILD_SUBREAPER"),
    (0x25, "PR_GET_CHILD_SUBREAPER"),
    (0x26, "PR_SET_NO_NEW_PRIVS"),
    (0x27, "PR_GET_NO_NEW_PRIVS"),
    (0x28, "PR_GET_TID_ADDRESS"),
    (0x29, "PR_SET_THP_DISABLE"),
    (0x2a, "PR_GET_THP_DISABLE"),
    (0x2b, "PR_MPX_ENABLE_MANAGEMENT"),
    (0x2c, "PR_MPX_DISABLE_MANAGEMENT"),
    (0x2d, "PR_SET_FP_MODE"),
    (0x2e, "PR_GET_FP_MODE"),
    (0x2f, "PR_CAP_AMBIENT"),
    (0x32, "PR_SVE_SET_VL"),
    (0x33, "PR_SVE_GET_VL"),
    (0x34, "PR_GET_SPECULATION_CTRL"),
    (0x35, "PR_SET_SPECULATION_CTRL"),
    (0x36, "PR_PAC_RESET_KEYS"),
    (0x37, "PR_SET_TAGGED_ADDR_CTRL"),
    (0x38, "PR_GET_TAGGED_ADDR_CTRL"),
    (0x39, "PR_SET_IO_FLUSHER"),
    (0x3a, "PR_GET_IO_FLUSHER"),
    (0x3b, "PR_SET_SYSCALL_USER_DISPATCH"),
    (0x3c, "PR_PAC_SET_ENABLED_KEYS"),
    (0x3d, "PR_PAC_GET_ENABLED_KEYS"),
    (0x3e, "PR_SCHED_CORE"),
    (0x3f, "PR_SME_SET_VL"),
    (0x40, "PR_SME_GET_VL"),
    (0x53564d41, "PR_SET_VMA"),
    (0x59616d61, "PR_SET_PTRACER"),
];

/// `PR_DUMPABLE` (strace's order).
pub const PR_DUMPABLE: Xlat = &[
    (0x0, "SUID_DUMP_DISABLE"),
    (0x1, "SUID_DUMP_USER"),
    (0x2, "SUID_DUMP_ROOT"),
];

/// `PR_TSC` (strace's order).
pub const PR_TSC: Xlat = &[(0x1, "PR_TSC_ENABLE"), (0x2, "PR_TSC_SIGSEGV")];

/// `PR_UNALIGN` (strace's order).
pub const PR_UNALIGN: Xlat = &[(0x1, "PR_UNALIGN_NOPRINT"), (0x2, "PR_UNALIGN_SIGBUS")];

/// `PR_MCE_KILL` (strace's order).
pub const PR_MCE_KILL: Xlat = &[(0x0, "PR_MCE_KILL_CLEAR"), (0x1, "PR_MCE_KILL_SET")];

/// `PR_MCE_KILL_POLICY` (strace's order).
pub const PR_MCE_KILL_POLICY: Xlat = &[
    (0x0, "PR_MCE_KILL_LATE"),
    (0x1, "PR_MCE_KILL_EARLY"),
    (0x2, "PR_MCE_KILL_DEFAULT"),
];

/// `PR_SET_MM` (strace's order).
pub const PR_SET_MM: Xlat = &[
    (0x1, "PR_SET_MM_START_CODE"),
    (0x2, "PR_SET_MM_END_CODE"),
    (0x3, "PR_SET_MM_START_DATA"),
    (0x4, "PR_SET_MM_END_DATA"),
    (0x5, "PR_SET_MM_START_STACK"),
    (0x6, "PR_SET_MM_START_BRK"),
    (0x7, "PR_SET_MM_BRK"),
    (0x8, "PR_SET_MM_ARG_START"),
    (0x9, "PR_SET_MM_ARG_END"),
    (0xa, "PR_SET_MM_ENV_START"),
    (0xb, "PR_SET_MM_ENV_END"),
    (0xc, "PR_SET_MM_AUXV"),
    (0xd, "PR_SET_MM_EXE_FILE"),
    (0xe, "PR_SET_MM_MAP"),
    (0xf, "PR_SET_MM_MAP_SIZE"),
];

/// `PR_SET_VMA` (strace's order).
pub const PR_SET_VMA: Xlat = &[(0x0, "PR_SET_VMA_ANON_NAME")];

/// `PR_SPEC_CMDS` (strace's order).
pub const PR_SPEC_CMDS: Xlat = &[
    (0x0, "PR_SPEC_STORE_BYPASS"),
    (0x1, "PR_SPEC_INDIRECT_BRANCH"),
    (0x2, "PR_SPEC_L1D_FLUSH"),
];

/// `PR_SPEC_GET` (strace's order).
pub const PR_SPEC_GET: Xlat = &[
    (0x0, "PR_SPEC_NOT_AFFECTED"),
    (0x1, "PR_SPEC_PRCTL"),
    (0x2, "PR_SPEC_ENABLE"),
    (0x4, "PR_SPEC_DISABLE"),
    (0x8, "PR_SPEC_FORCE_DISABLE"),
    (0x10, "PR_SPEC_DISABLE_NOEXEC"),
];

/// `PR_SPEC_SET` (strace's order).
pub const PR_SPEC_SET: Xlat = &[
    (0x2, "PR_SPEC_ENABLE"),
    (0x4, "PR_SPEC_DISABLE"),
    (0x8, "PR_SPEC_FORCE_DISABLE"),
    (0x10, "PR_SPEC_DISABLE_NOEXEC"),
];

/// `PR_CAP_AMBIENT` (strace's order).
pub const PR_CAP_AMBIENT: Xlat = &[
    (0x1, "PR_CAP_AMBIENT_IS_SET"),
    (0x2, "PR_CAP_AMBIENT_RAISE"),
    (0x3, "PR_CAP_AMBIENT_LOWER"),
    (0x4, "PR_CAP_AMBIENT_CLEAR_ALL"),
];

/// `PR_SUD_CMDS` (strace's order).
pub const PR_SUD_CMDS: Xlat = &[(0x0, "PR_SYS_DISPATCH_OFF"), (0x1, "PR_SYS_DISPATCH_ON")];

/// `PR_SCHED_CORE_CMDS` (strace's order).
pub const PR_SCHED_CORE_CMDS: Xlat = &[
    (0x0, "PR_SCHED_CORE_GET"),
    (0x1, "PR_SCHED_CORE_CREATE"),
    (0x2, "PR_SCHED_CORE_SHARE_TO"),
    (0x3, "PR_SCHED_CORE_SHARE_FROM"),
];

/// `PR_SCHED_CORE_PIDTYPES` (strace's order).
pub const PR_SCHED_CORE_PIDTYPES: Xlat = &[
    (0x0, "PIDTYPE_PID"),
    (0x1, "PIDTYPE_TGID"),
    (0x2, "PIDTYPE_PGID"),
    (0x3, "PIDTYPE_SID"),
];

/// `PR_FP_MODE` (strace's order).
pub const PR_FP_MODE: Xlat = &[(0x1, "PR_FP_MODE_FR"), (0x2, "PR_FP_MODE_FRE")];

/// `PR_MTE_TCF` (strace's order).
pub const PR_MTE_TCF: Xlat = &[
    (0x0, "PR_MTE_TCF_NONE"),
    (0x2, "PR_MTE_TCF_SYNC"),
    (0x4, "PR_MTE_TCF_ASYNC"),
    (0x6, "PR_MTE_TCF_MASK"),
];

/// `PR_PAC_KEYS` (strace's order).
pub const PR_PAC_KEYS: Xlat = &[(0x10, "PR_PAC_APGAKEY")];

/// `PR_PAC_ENABLED_KEYS` (strace's order).
pub const PR_PAC_ENABLED_KEYS: Xlat = &[
    (0x1, "PR_PAC_APIAKEY"),
    (0x2, "PR_PAC_APIBKEY"),
    (0x4, "PR_PAC_APDAKEY"),
    (0x8, "PR_PAC_APDBKEY"),
];

/// `SECCOMP_MODE` (strace's order).
pub const SECCOMP_MODE: Xlat = &[
    (0x0, "SECCOMP_MODE_DISABLED"),
    (0x1, "SECCOMP_MODE_STRICT"),
    (0x2, "SECCOMP_MODE_FILTER"),
];

/// `SECBITS` (strace's order).
pub const SECBITS: Xlat = &[
    (0x1, "SECBIT_NOROOT"),
    (0x2, "SECBIT_NOROOT_LOCKED"),
    (0x4, "SECBIT_NO_SETUID_FIXUP"),
    (0x8, "SECBIT_NO_SETUID_FIXUP_LOCKED"),
    (0x10, "SECBIT_KEEP_CAPS"),
    (0x20, "SECBIT_KEEP_CAPS_LOCKED"),
    (0x40, "SECBIT_NO_CAP_AMBIENT_RAISE"),
    (0x80, "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"),
];

/// `CAP_VERSION` (strace's order).
pub const CAP_VERSION: Xlat = &[
    (0x19980330, "_LINUX_CAPABILITY_VERSION_1"),
    (0x20071026, "_LINUX_CAPABILITY_VERSION_2"),
    (0x20080522, "_LINUX_CAPABILITY_VERSION_3"),
];

/// `SCHEDULERS` (strace's order).
pub const SCHEDULERS: Xlat = &[
    (0x0, "SCHED_OTHER"),
    (0x1, "SCHED_FIFO"),
    (0x2, "SCHED_RR"),
    (0x3, "SCHED_BATCH"),
    (0x4, "SCHED_ISO"),
    (0x5, "SCHED_IDLE"),
    (0x6, "SCHED_DEADLINE"),
];

/// `SCHED_FLAGS` (strace's order).
pub const SCHED_FLAGS: Xlat = &[
    (0x1, "SCHED_FLAG_RESET_ON_FORK"),
    (0x2, "SCHED_FLAG_RECLAIM"),
    (0x4, "SCHED_FLAG_DL_OVERRUN"),
    (0x8, "SCHED_FLAG_KEEP_POLICY"),
    (0x10, "SCHED_FLAG_KEEP_PARAMS"),
    (0x20, "SCHED_FLAG_UTIL_CLAMP_MIN"),
    (0x40, "SCHED_FLAG_UTIL_CLAMP_MAX"),
];

/// `USAGEWHO` (strace's order).
pub const USAGEWHO: Xlat = &[
    (0x0, "RUSAGE_SELF"),
    (0xffff_ffff, "RUSAGE_CHILDREN"),
    (0xffff_fffe, "RUSAGE_BOTH"),
    (0x1, "RUSAGE_THREAD"),
];

/// `PRIORITIES` (strace's order).
pub const PRIORITIES: Xlat = &[
    (0x0, "PRIO_PROCESS"),
    (0x1, "PRIO_PGRP"),
    (0x2, "PRIO_USER"),
];

/// `IOPRIO_WHO` (strace's order).
pub const IOPRIO_WHO: Xlat = &[
    (0x1, "IOPRIO_WHO_PROCESS"),
    (0x2, "IOPRIO_WHO_PGRP"),
    (0x3, "IOPRIO_WHO_USER"),
];

/// `IOPRIO_CLASS` (strace's order).
pub const IOPRIO_CLASS: Xlat = &[
    (0x0, "IOPRIO_CLASS_NONE"),
    (0x1, "IOPRIO_CLASS_RT"),
    (0x2, "IOPRIO_CLASS_BE"),
    (0x3, "IOPRIO_CLASS_IDLE"),
];

/// `KCMP_TYPES` (strace's order).
pub const KCMP_TYPES: Xlat = &[
    (0x0, "KCMP_FILE"),
    (0x1, "KCMP_VM"),
    (0x2, "KCMP_FILES"),
    (0x3, "KCMP_FS"),
    (0x4, "KCMP_SIGHAND"),
    (0x5, "KCMP_IO"),
    (0x6, "KCMP_SYSVSEM"),
    (0x7, "KCMP_EPOLL_TFD"),
];

/// `PERSONALITY_TYPES` (strace's order).
pub const PERSONALITY_TYPES: Xlat = &[
    (0x0, "PER_LINUX"),
    (0x6, "PER_BSD"),
    (0x8, "PER_LINUX32"),
    (0xc, "PER_RISCOS"),
    (0xf, "PER_OSF4"),
    (0x10, "PER_HPUX"),
    (0xff, "PER_MASK"),
];

/// `PERSONALITY_FLAGS` (strace's order).
pub const PERSONALITY_FLAGS: Xlat = &[
    (0x20000, "UNAME26"),
    (0x40000, "ADDR_NO_RANDOMIZE"),
    (0x80000, "FDPIC_FUNCPTRS"),
    (0x100000, "MMAP_PAGE_ZERO"),
    (0x200000, "ADDR_COMPAT_LAYOUT"),
    (0x400000, "READ_IMPLIES_EXEC"),
    (0x800000, "ADDR_LIMIT_32BIT"),
    (0x1000000, "SHORT_INODE"),
    (0x2000000, "WHOLE_SECONDS"),
    (0x4000000, "STICKY_TIMEOUTS"),
    (0x8000000, "ADDR_LIMIT_3GB"),
];

/// `MEMBARRIER_CMDS` (strace's order).
pub const MEMBARRIER_CMDS: Xlat = &[
    (0x0, "MEMBARRIER_CMD_QUERY"),
    (0x1, "MEMBARRIER_CMD_GLOBAL"),
    (0x2, "MEMBARRIER_CMD_GLOBAL_EXPEDITED"),
    (0x4, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED"),
    (0x8, "MEMBARRIER_CMD_PRIVATE_EXPEDITED"),
    (0x10, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED"),
    (0x20, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE"),
    (0x40, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE"),
    (0x80, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ"),
    (0x100, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ"),
];

/// `MEMBARRIER_FLAGS` (strace's order).
pub const MEMBARRIER_FLAGS: Xlat = &[(0x1, "MEMBARRIER_CMD_FLAG_CPU")];

/// `SECCOMP_OPS` (strace's order).
pub const SECCOMP_OPS: Xlat = &[
    (0x0, "SECCOMP_SET_MODE_STRICT"),
    (0x1, "SECCOMP_SET_MODE_FILTER"),
    (0x2, "SECCOMP_GET_ACTION_AVAIL"),
    (0x3, "SECCOMP_GET_NOTIF_SIZES"),
];

/// `SECCOMP_FILTER_FLAGS` (strace's order).
pub const SECCOMP_FILTER_FLAGS: Xlat = &[
    (0x1, "SECCOMP_FILTER_FLAG_TSYNC"),
    (0x2, "SECCOMP_FILTER_FLAG_LOG"),
    (0x4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
    (0x8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"),
    (0x10, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"),
    (0x20, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
];

/// `SECCOMP_RET_ACTION` (strace's order).
pub const SECCOMP_RET_ACTION: Xlat = &[
    (0x80000000, "SECCOMP_RET_KILL_PROCESS"),
    (0x0, "SECCOMP_RET_KILL_THREAD"),
    (0x30000, "SECCOMP_RET_TRAP"),
    (0x50000, "SECCOMP_RET_ERRNO"),
    (0x7fc00000, "SECCOMP_RET_USER_NOTIF"),
    (0x7ff00000, "SECCOMP_RET_TRACE"),
    (0x7ffc0000, "SECCOMP_RET_LOG"),
    (0x7fff0000, "SECCOMP_RET_ALLOW"),
];

/// `BOOTFLAGS1` (strace's order).
pub const BOOTFLAGS1: Xlat = &[(0xfee1dead, "LINUX_REBOOT_MAGIC1")];

/// `BOOTFLAGS2` (strace's order).
pub const BOOTFLAGS2: Xlat = &[
    (0x28121969, "LINUX_REBOOT_MAGIC2"),
    (0x5121996, "LINUX_REBOOT_MAGIC2A"),
    (0x16041998, "LINUX_REBOOT_MAGIC2B"),
    (0x20112000, "LINUX_REBOOT_MAGIC2C"),
];

/// `BOOTFLAGS3` (strace's order).
pub const BOOTFLAGS3: Xlat = &[
    (0x1234567, "LINUX_REBOOT_CMD_RESTART"),
    (0xcdef0123, "LINUX_REBOOT_CMD_HALT"),
    (0x89abcdef, "LINUX_REBOOT_CMD_CAD_ON"),
    (0x0, "LINUX_REBOOT_CMD_CAD_OFF"),
    (0x4321fedc, "LINUX_REBOOT_CMD_POWER_OFF"),
    (0xa1b2c3d4, "LINUX_REBOOT_CMD_RESTART2"),
    (0xd000fce2, "LINUX_REBOOT_CMD_SW_SUSPEND"),
    (0x45584543, "LINUX_REBOOT_CMD_KEXEC"),
];

/// `SYSLOG_ACTIONS` (strace's order).
pub const SYSLOG_ACTIONS: Xlat = &[
    (0x0, "SYSLOG_ACTION_CLOSE"),
    (0x1, "SYSLOG_ACTION_OPEN"),
    (0x2, "SYSLOG_ACTION_READ"),
    (0x3, "SYSLOG_ACTION_READ_ALL"),
    (0x4, "SYSLOG_ACTION_READ_CLEAR"),
    (0x5, "SYSLOG_ACTION_CLEAR"),
    (0x6, "SYSLOG_ACTION_CONSOLE_OFF"),
    (0x7, "SYSLOG_ACTION_CONSOLE_ON"),
    (0x8, "SYSLOG_ACTION_CONSOLE_LEVEL"),
    (0x9, "SYSLOG_ACTION_SIZE_UNREAD"),
    (0xa, "SYSLOG_ACTION_SIZE_BUFFER"),
];

/// `SYSLOG_LEVELS` (strace's order).
pub const SYSLOG_LEVELS: Xlat = &[
    (0x0, "LOGLEVEL_EMERG"),
    (0x1, "LOGLEVEL_ALERT"),
    (0x2, "LOGLEVEL_CRIT"),
    (0x3, "LOGLEVEL_ERR"),
    (0x4, "LOGLEVEL_WARNING"),
    (0x5, "LOGLEVEL_NOTICE"),
    (0x6, "LOGLEVEL_INFO"),
    (0x7, "LOGLEVEL_DEBUG"),
    (0x7, "LOGLEVEL_DEBUG+1"),
];

/// `MOUNT_FLAGS` (strace's order).
pub const MOUNT_FLAGS: Xlat = &[
    (0x1, "MS_RDONLY"),
    (0x2, "MS_NOSUID"),
    (0x4, "MS_NODEV"),
    (0x8, "MS_NOEXEC"),
    (0x10, "MS_SYNCHRONOUS"),
    (0x20, "MS_REMOUNT"),
    (0x40, "MS_MANDLOCK"),
    (0x80, "MS_DIRSYNC"),
    (0x100, "MS_NOSYMFOLLOW"),
    (0x400, "MS_NOATIME"),
    (0x800, "MS_NODIRATIME"),
    (0x1000, "MS_BIND"),
    (0x2000, "MS_MOVE"),
    (0x4000, "MS_REC"),
    (0x8000, "MS_SILENT"),
    (0x10000, "MS_POSIXACL"),
    (0x20000, "MS_UNBINDABLE"),
    (0x40000, "MS_PRIVATE"),
    (0x80000, "MS_SLAVE"),
    (0x100000, "MS_SHARED"),
    (0x200000, "MS_RELATIME"),
    (0x400000, "MS_KERNMOUNT"),
    (0x800000, "MS_I_VERSION"),
    (0x1000000, "MS_STRICTATIME"),
    (0x2000000, "MS_LAZYTIME"),
    (0x4000000, "MS_SUBMOUNT"),
    (0x8000000, "MS_NOREMOTELOCK"),
    (0x10000000, "MS_NOSEC"),
    (0x20000000, "MS_BORN"),
    (0x40000000, "MS_ACTIVE"),
    (0x80000000, "MS_NOUSER"),
];

/// `UMOUNT_FLAGS` (strace's order).
pub const UMOUNT_FLAGS: Xlat = &[
    (0x1, "MNT_FORCE"),
    (0x2, "MNT_DETACH"),
    (0x4, "MNT_EXPIRE"),
    (0x8, "UMOUNT_NOFOLLOW"),
];

/// `PIDFD_OPEN_FLAGS` (strace's order).
pub const PIDFD_OPEN_FLAGS: Xlat = &[(0x800, "PIDFD_NONBLOCK")];

/// `CLONE3_FLAGS` (strace's order).
pub const CLONE3_FLAGS: Xlat = &[
    (0x80, "CLONE_NEWTIME"),
    (0x100000000, "CLONE_CLEAR_SIGHAND"),
    (0x200000000, "CLONE_INTO_CGROUP"),
];

/// `SETNS_TYPES` (strace's order).
pub const SETNS_TYPES: Xlat = &[
    (0x80, "CLONE_NEWTIME"),
    (0x20000, "CLONE_NEWNS"),
    (0x2000000, "CLONE_NEWCGROUP"),
    (0x4000000, "CLONE_NEWUTS"),
    (0x8000000, "CLONE_NEWIPC"),
    (0x10000000, "CLONE_NEWUSER"),
    (0x20000000, "CLONE_NEWPID"),
    (0x40000000, "CLONE_NEWNET"),
];

/// `UNSHARE_FLAGS` (strace's order).
pub const UNSHARE_FLAGS: Xlat = &[
    (0x80, "CLONE_NEWTIME"),
    (0x100, "CLONE_VM"),
    (0x200, "CLONE_FS"),
    (0x400, "CLONE_FILES"),
    (0x800, "CLONE_SIGHAND"),
    (0x10000, "CLONE_THREAD"),
    (0x20000, "CLONE_NEWNS"),
    (0x40000, "CLONE_SYSVSEM"),
    (0x2000000, "CLONE_NEWCGROUP"),
    (0x4000000, "CLONE_NEWUTS"),
    (0x8000000, "CLONE_NEWIPC"),
    (0x10000000, "CLONE_NEWUSER"),
    (0x20000000, "CLONE_NEWPID"),
    (0x40000000, "CLONE_NEWNET"),
];

/// `CAPS` (strace's order).
pub const CAPS: Xlat = &[
    (0x0, "CAP_CHOWN"),
    (0x1, "CAP_DAC_OVERRIDE"),
    (0x2, "CAP_DAC_READ_SEARCH"),
    (0x3, "CAP_FOWNER"),
    (0x4, "CAP_FSETID"),
    (0x5, "CAP_KILL"),
    (0x6, "CAP_SETGID"),
    (0x7, "CAP_SETUID"),
    (0x8, "CAP_SETPCAP"),
    (0x9, "CAP_LINUX_IMMUTABLE"),
    (0xa, "CAP_NET_BIND_SERVICE"),
    (0xb, "CAP_NET_BROADCAST"),
    (0xc, "CAP_NET_ADMIN"),
    (0xd, "CAP_NET_RAW"),
    (0xe, "CAP_IPC_LOCK"),
    (0xf, "CAP_IPC_OWNER"),
    (0x10, "CAP_SYS_MODULE"),
    (0x11, "CAP_SYS_RAWIO"),
    (0x12, "CAP_SYS_CHROOT"),
    (0x13, "CAP_SYS_PTRACE"),
    (0x14, "CAP_SYS_PACCT"),
    (0x15, "CAP_SYS_ADMIN"),
    (0x16, "CAP_SYS_BOOT"),
    (0x17, "CAP_SYS_NICE"),
    (0x18, "CAP_SYS_RESOURCE"),
    (0x19, "CAP_SYS_TIME"),
    (0x1a, "CAP_SYS_TTY_CONFIG"),
    (0x1b, "CAP_MKNOD"),
    (0x1c, "CAP_LEASE"),
    (0x1d, "CAP_AUDIT_WRITE"),
    (0x1e, "CAP_AUDIT_CONTROL"),
    (0x1f, "CAP_SETFCAP"),
    (0x20, "CAP_MAC_OVERRIDE"),
    (0x21, "CAP_MAC_ADMIN"),
    (0x22, "CAP_SYSLOG"),
    (0x23, "CAP_WAKE_ALARM"),
    (0x24, "CAP_BLOCK_SUSPEND"),
    (0x25, "CAP_AUDIT_READ"),
    (0x26, "CAP_PERFMON"),
    (0x27, "CAP_BPF"),
    (0x28, "CAP_CHECKPOINT_RESTORE"),
];

/// `KEYCTL_COMMANDS` (strace's order).
pub const KEYCTL_COMMANDS: Xlat = &[
    (0x0, "KEYCTL_GET_KEYRING_ID"),
    (0x1, "KEYCTL_JOIN_SESSION_KEYRING"),
    (0x2, "KEYCTL_UPDATE"),
    (0x3, "KEYCTL_REVOKE"),
    (0x4, "KEYCTL_CHOWN"),
    (0x5, "KEYCTL_SETPERM"),
    (0x6, "KEYCTL_DESCRIBE"),
    (0x7, "KEYCTL_CLEAR"),
    (0x8, "KEYCTL_LINK"),
    (0x9, "KEYCTL_UNLINK"),
    (0xa, "KEYCTL_SEARCH"),
    (0xb, "KEYCTL_READ"),
    (0xc, "KEYCTL_INSTANTIATE"),
    (0xd, "KEYCTL_NEGATE"),
    (0xe, "KEYCTL_SET_REQKEY_KEYRING"),
    (0xf, "KEYCTL_SET_TIMEOUT"),
    (0x10, "KEYCTL_ASSUME_AUTHORITY"),
    (0x11, "KEYCTL_GET_SECURITY"),
    (0x12, "KEYCTL_SESSION_TO_PARENT"),
    (0x13, "KEYCTL_REJECT"),
    (0x14, "KEYCTL_INSTANTIATE_IOV"),
    (0x15, "KEYCTL_INVALIDATE"),
    (0x16, "KEYCTL_GET_PERSISTENT"),
    (0x17, "KEYCTL_DH_COMPUTE"),
    (0x18, "KEYCTL_PKEY_QUERY"),
    (0x19, "KEYCTL_PKEY_ENCRYPT"),
    (0x1a, "KEYCTL_PKEY_DECRYPT"),
    (0x1b, "KEYCTL_PKEY_SIGN"),
    (0x1c, "KEYCTL_PKEY_VERIFY"),
    (0x1d, "KEYCTL_RESTRICT_KEYRING"),
    (0x1e, "KEYCTL_MOVE"),
    (0x1f, "KEYCTL_CAPABILITIES"),
    (0x20, "KEYCTL_WATCH_KEY"),
];

/// `KEY_PERMS` (strace's order).
pub const KEY_PERMS: Xlat = &[
    (0x1000000, "KEY_POS_VIEW"),
    (0x2000000, "KEY_POS_READ"),
    (0x4000000, "KEY_POS_WRITE"),
    (0x8000000, "KEY_POS_SEARCH"),
    (0x10000000, "KEY_POS_LINK"),
    (0x20000000, "KEY_POS_SETATTR"),
    (0x3f000000, "KEY_POS_ALL"),
    (0x10000, "KEY_USR_VIEW"),
    (0x20000, "KEY_USR_READ"),
    (0x40000, "KEY_USR_WRITE"),
    (0x80000, "KEY_USR_SEARCH"),
    (0x100000, "KEY_USR_LINK"),
    (0x200000, "KEY_USR_SETATTR"),
    (0x3f0000, "KEY_USR_ALL"),
    (0x100, "KEY_GRP_VIEW"),
    (0x200, "KEY_GRP_READ"),
    (0x400, "KEY_GRP_WRITE"),
    (0x800, "KEY_GRP_SEARCH"),
    (0x1000, "KEY_GRP_LINK"),
    (0x2000, "KEY_GRP_SETATTR"),
    (0x3f00, "KEY_GRP_ALL"),
    (0x1, "KEY_OTH_VIEW"),
    (0x2, "KEY_OTH_READ"),
    (0x4, "KEY_OTH_WRITE"),
    (0x8, "KEY_OTH_SEARCH"),
    (0x10, "KEY_OTH_LINK"),
    (0x20, "KEY_OTH_SETATTR"),
    (0x3f, "KEY_OTH_ALL"),
];

/// `PTRACE_CMDS` (strace's order).
pub const PTRACE_CMDS: Xlat = &[
    (0x0, "PTRACE_TRACEME"),
    (0x1, "PTRACE_PEEKTEXT"),
    (0x2, "PTRACE_PEEKDATA"),
    (0x3, "PTRACE_PEEKUSER"),
    (0x4, "PTRACE_POKETEXT"),
    (0x5, "PTRACE_POKEDATA"),
    (0x6, "PTRACE_POKEUSER"),
    (0x7, "PTRACE_CONT"),
    (0x8, "PTRACE_KILL"),
    (0x9, "PTRACE_SINGLESTEP"),
    (0x10, "PTRACE_ATTACH"),
    (0x11, "PTRACE_DETACH"),
    (0x18, "PTRACE_SYSCALL"),
    (0x4200, "PTRACE_SETOPTIONS"),
    (0x4201, "PTRACE_GETEVENTMSG"),
    (0x4202, "PTRACE_GETSIGINFO"),
    (0x4203, "PTRACE_SETSIGINFO"),
    (0x4204, "PTRACE_GETREGSET"),
    (0x4205, "PTRACE_SETREGSET"),
    (0x4206, "PTRACE_SEIZE"),
    (0x4207, "PTRACE_INTERRUPT"),
    (0x4208, "PTRACE_LISTEN"),
    (0x4209, "PTRACE_PEEKSIGINFO"),
    (0x420a, "PTRACE_GETSIGMASK"),
    (0x420b, "PTRACE_SETSIGMASK"),
    (0x420c, "PTRACE_SECCOMP_GET_FILTER"),
    (0x420d, "PTRACE_SECCOMP_GET_METADATA"),
    (0x420e, "PTRACE_GET_SYSCALL_INFO"),
    (0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"),
    (0xc, "PTRACE_GETREGS"),
    (0xd, "PTRACE_SETREGS"),
    (0xe, "PTRACE_GETFPREGS"),
    (0xf, "PTRACE_SETFPREGS"),
    (0x12, "PTRACE_GETFPXREGS"),
    (0x13, "PTRACE_SETFPXREGS"),
    (0x15, "PTRACE_OLDSETOPTIONS"),
    (0x19, "PTRACE_GET_THREAD_AREA"),
    (0x1a, "PTRACE_SET_THREAD_AREA"),
    (0x1f, "PTRACE_SYSEMU"),
    (0x20, "PTRACE_SYSEMU_SINGLESTEP"),
    (0x21, "PTRACE_SINGLEBLOCK"),
    (0x1e, "PTRACE_ARCH_PRCTL"),
];

/// `PTRACE_OPTIONS` (strace's order).
pub const PTRACE_OPTIONS: Xlat = &[
    (0x1, "PTRACE_O_TRACESYSGOOD"),
    (0x2, "PTRACE_O_TRACEFORK"),
    (0x4, "PTRACE_O_TRACEVFORK"),
    (0x8, "PTRACE_O_TRACECLONE"),
    (0x10, "PTRACE_O_TRACEEXEC"),
    (0x20, "PTRACE_O_TRACEVFORKDONE"),
    (0x40, "PTRACE_O_TRACEEXIT"),
    (0x80, "PTRACE_O_TRACESECCOMP"),
    (0x100000, "PTRACE_O_EXITKILL"),
    (0x200000, "PTRACE_O_SUSPEND_SECCOMP"),
];

/// `AIO_CMDS` (strace's order).
pub const AIO_CMDS: Xlat = &[
    (0x0, "IOCB_CMD_PREAD"),
    (0x1, "IOCB_CMD_PWRITE"),
    (0x2, "IOCB_CMD_FSYNC"),
    (0x3, "IOCB_CMD_FDSYNC"),
    (0x4, "IOCB_CMD_PREADX"),
    (0x5, "IOCB_CMD_POLL"),
    (0x6, "IOCB_CMD_NOOP"),
    (0x7, "IOCB_CMD_PREADV"),
    (0x8, "IOCB_CMD_PWRITEV"),
];

/// `NT_TYPES` (strace's order).
pub const NT_TYPES: Xlat = &[
    (0x1, "NT_PRSTATUS"),
    (0x2, "NT_FPREGSET"),
    (0x3, "NT_PRPSINFO"),
    (0x4, "NT_PRXREG"),
    (0x5, "NT_PLATFORM"),
    (0x6, "NT_AUXV"),
    (0x7, "NT_GWINDOWS"),
    (0x8, "NT_ASRS"),
    (0xa, "NT_PSTATUS"),
    (0xd, "NT_PSINFO"),
    (0xe, "NT_PRCRED"),
    (0xf, "NT_UTSNAME"),
    (0x10, "NT_LWPSTATUS"),
    (0x11, "NT_LWPSINFO"),
    (0x14, "NT_PRFPXREG"),
    (0x100, "NT_PPC_VMX"),
    (0x101, "NT_PPC_SPE"),
    (0x102, "NT_PPC_VSX"),
    (0x103, "NT_PPC_TAR"),
    (0x104, "NT_PPC_PPR"),
    (0x105, "NT_PPC_DSCR"),
    (0x106, "NT_PPC_EBB"),
    (0x107, "NT_PPC_PMU"),
    (0x108, "NT_PPC_TM_CGPR"),
    (0x109, "NT_PPC_TM_CFPR"),
    (0x10a, "NT_PPC_TM_CVMX"),
    (0x10b, "NT_PPC_TM_CVSX"),
    (0x10c, "NT_PPC_TM_SPR"),
    (0x10d, "NT_PPC_TM_CTAR"),
    (0x10e, "NT_PPC_TM_CPPR"),
    (0x10f, "NT_PPC_TM_CDSCR"),
    (0x110, "NT_PPC_PKEY"),
    (0x200, "NT_386_TLS"),
    (0x201, "NT_386_IOPERM"),
    (0x202, "NT_X86_XSTATE"),
    (0x300, "NT_S390_HIGH_GPRS"),
    (0x301, "NT_S390_TIMER"),
    (0x302, "NT_S390_TODCMP"),
    (0x303, "NT_S390_TODPREG"),
    (0x304, "NT_S390_CTRS"),
    (0x305, "NT_S390_PREFIX"),
    (0x306, "NT_S390_LAST_BREAK"),
    (0x307, "NT_S390_SYSTEM_CALL"),
    (0x308, "NT_S390_TDB"),
    (0x309, "NT_S390_VXRS_LOW"),
    (0x30a, "NT_S390_VXRS_HIGH"),
    (0x30b, "NT_S390_GS_CB"),
    (0x30c, "NT_S390_GS_BC"),
    (0x30d, "NT_S390_RI_CB"),
    (0x30e, "NT_S390_PV_CPU_DATA"),
    (0x400, "NT_ARM_VFP"),
    (0x401, "NT_ARM_TLS"),
    (0x402, "NT_ARM_HW_BREAK"),
    (0x403, "NT_ARM_HW_WATCH"),
    (0x404, "NT_ARM_SYSTEM_CALL"),
    (0x405, "NT_ARM_SVE"),
    (0x406, "NT_ARM_PAC_MASK"),
    (0x407, "NT_ARM_PACA_KEYS"),
    (0x408, "NT_ARM_PACG_KEYS"),
    (0x409, "NT_ARM_TAGGED_ADDR_CTRL"),
    (0x40a, "NT_ARM_PAC_ENABLED_KEYS"),
    (0x40b, "NT_ARM_SSVE"),
    (0x40c, "NT_ARM_ZA"),
    (0x500, "NT_METAG_CBUF"),
    (0x501, "NT_METAG_RPIPE"),
    (0x502, "NT_METAG_TLS"),
    (0x600, "NT_ARC_V2"),
    (0x700, "NT_VMCOREDD"),
    (0x800, "NT_MIPS_DSP"),
    (0x801, "NT_MIPS_FP_MODE"),
    (0x802, "NT_MIPS_MSA"),
    (0xa00, "NT_LOONGARCH_CPUCFG"),
    (0xa01, "NT_LOONGARCH_CSR"),
    (0xa02, "NT_LOONGARCH_LSX"),
    (0xa03, "NT_LOONGARCH_LASX"),
    (0xa04, "NT_LOONGARCH_LBT"),
    (0x46494c45, "NT_FILE"),
    (0x46e62b7f, "NT_PRXFPREG"),
    (0x53494749, "NT_SIGINFO"),
];

/// `bpf`'s commands (strace's `bpf_commands`, indexed by value).
pub const BPF_CMDS: Xlat = &[
    (0, "BPF_MAP_CREATE"),
    (1, "BPF_MAP_LOOKUP_ELEM"),
    (2, "BPF_MAP_UPDATE_ELEM"),
    (3, "BPF_MAP_DELETE_ELEM"),
    (4, "BPF_MAP_GET_NEXT_KEY"),
    (5, "BPF_PROG_LOAD"),
    (6, "BPF_OBJ_PIN"),
    (7, "BPF_OBJ_GET"),
    (8, "BPF_PROG_ATTACH"),
    (9, "BPF_PROG_DETACH"),
    (10, "BPF_PROG_TEST_RUN"),
    (11, "BPF_PROG_GET_NEXT_ID"),
    (12, "BPF_MAP_GET_NEXT_ID"),
    (13, "BPF_PROG_GET_FD_BY_ID"),
    (14, "BPF_MAP_GET_FD_BY_ID"),
    (15, "BPF_OBJ_GET_INFO_BY_FD"),
    (16, "BPF_PROG_QUERY"),
    (17, "BPF_RAW_TRACEPOINT_OPEN"),
    (18, "BPF_BTF_LOAD"),
    (19, "BPF_BTF_GET_FD_BY_ID"),
    (20, "BPF_TASK_FD_QUERY"),
    (21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM"),
    (22, "BPF_MAP_FREEZE"),
    (23, "BPF_BTF_GET_NEXT_ID"),
    (24, "BPF_MAP_LOOKUP_BATCH"),
    (25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH"),
    (26, "BPF_MAP_UPDATE_BATCH"),
    (27, "BPF_MAP_DELETE_BATCH"),
    (28, "BPF_LINK_CREATE"),
    (29, "BPF_LINK_UPDATE"),
    (30, "BPF_LINK_GET_FD_BY_ID"),
    (31, "BPF_LINK_GET_NEXT_ID"),
    (32, "BPF_ENABLE_STATS"),
    (33, "BPF_ITER_CREATE"),
    (34, "BPF_LINK_DETACH"),
    (35, "BPF_PROG_BIND_MAP"),
];

/// `userfaultfd`'s flags (strace's `uffd_flags`).
pub const UFFD_FLAGS: Xlat = &[
    (1, "UFFD_USER_MODE_ONLY"),
    (0o4000, "O_NONBLOCK"),
    (0o2000000, "O_CLOEXEC"),
];
