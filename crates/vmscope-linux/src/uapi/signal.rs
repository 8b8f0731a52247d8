//! Signal constants: numbers, `sigaction` flags, `sigprocmask` operations, alternate stacks,
//! `sigevent` notifications, `siginfo` codes, `waitid` id types.

use super::Xlat;

/// `SIGCHLD`.
pub const SIGCHLD: u64 = 17;

/// Signal names by number (x86 and the generic ABI).
pub const SIGNALS: Xlat = &[
    (1, "SIGHUP"),
    (2, "SIGINT"),
    (3, "SIGQUIT"),
    (4, "SIGILL"),
    (5, "SIGTRAP"),
    (6, "SIGABRT"),
    (7, "SIGBUS"),
    (8, "SIGFPE"),
    (9, "SIGKILL"),
    (10, "SIGUSR1"),
    (11, "SIGSEGV"),
    (12, "SIGUSR2"),
    (13, "SIGPIPE"),
    (14, "SIGALRM"),
    (15, "SIGTERM"),
    (16, "SIGSTKFLT"),
    (17, "SIGCHLD"),
    (18, "SIGCONT"),
    (19, "SIGSTOP"),
    (20, "SIGTSTP"),
    (21, "SIGTTIN"),
    (22, "SIGTTOU"),
    (23, "SIGURG"),
    (24, "SIGXCPU"),
    (25, "SIGXFSZ"),
    (26, "SIGVTALRM"),
    (27, "SIGPROF"),
    (28, "SIGWINCH"),
    (29, "SIGIO"),
    (30, "SIGPWR"),
    (31, "SIGSYS"),
];

/// `SIG_BLOCK` etc.
pub const SIG_HOW: Xlat = &[(0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK")];

/// `SA_*` flags, in the order strace prints them.
pub const SA_FLAGS: Xlat = &[
    (0x0400_0000, "SA_RESTORER"),
    (0x0800_0000, "SA_ONSTACK"),
    (0x1000_0000, "SA_RESTART"),
    (0x2000_0000, "SA_INTERRUPT"),
    (0x4000_0000, "SA_NODEFER"),
    (0x8000_0000, "SA_RESETHAND"),
    (0x0000_0004, "SA_SIGINFO"),
    (0x0000_0001, "SA_NOCLDSTOP"),
    (0x0000_0002, "SA_NOCLDWAIT"),
];

/// `SA_RESTORER`: the `sa_restorer` field is meaningful.
pub const SA_RESTORER: u64 = 0x0400_0000;

/// `SS_*` flags of `sigaltstack`.
pub const SS_FLAGS: Xlat = &[
    (1, "SS_ONSTACK"),
    (2, "SS_DISABLE"),
    (0x8000_0000, "SS_AUTODISARM"),
];

/// `SIGEV_SIGNAL`.
pub const SIGEV_SIGNAL: u64 = 0;
/// `SIGEV_THREAD`.
pub const SIGEV_THREAD: u64 = 2;
/// `SIGEV_THREAD_ID`.
pub const SIGEV_THREAD_ID: u64 = 4;

/// `SIGEV_*` notifications of `struct sigevent`.
pub const SIGEV_NOTIFY: Xlat = &[
    (SIGEV_SIGNAL, "SIGEV_SIGNAL"),
    (1, "SIGEV_NONE"),
    (SIGEV_THREAD, "SIGEV_THREAD"),
    (SIGEV_THREAD_ID, "SIGEV_THREAD_ID"),
];

/// `SI_USER`: sent by `kill`.
pub const SI_USER: i32 = 0;
/// `SI_TIMER`: a POSIX timer expired.
pub const SI_TIMER: i32 = -2;
/// `SI_SIGIO`: queued SIGIO.
pub const SI_SIGIO: i32 = -5;
/// `SI_TKILL`: sent by `tkill`/`tgkill`.
pub const SI_TKILL: i32 = -6;

/// `si_code` values of any signal (negative ones as their 32-bit patterns).
pub const SI_CODES: Xlat = &[
    (0, "SI_USER"),
    (0x80, "SI_KERNEL"),
    (0xffff_ffff, "SI_QUEUE"),
    (0xffff_fffe, "SI_TIMER"),
    (0xffff_fffd, "SI_MESGQ"),
    (0xffff_fffc, "SI_ASYNCIO"),
    (0xffff_fffb, "SI_SIGIO"),
    (0xffff_fffa, "SI_TKILL"),
    (0xffff_fff9, "SI_DETHREAD"),
    (0xffff_ffc4, "SI_ASYNCNL"),
];

/// `CLD_EXITED`.
pub const CLD_EXITED: i32 = 1;

/// `si_code` values of `SIGCHLD`.
pub const SIGCHLD_CODES: Xlat = &[
    (1, "CLD_EXITED"),
    (2, "CLD_KILLED"),
    (3, "CLD_DUMPED"),
    (4, "CLD_TRAPPED"),
    (5, "CLD_STOPPED"),
    (6, "CLD_CONTINUED"),
];

/// `si_code` values of `SIGTRAP`.
pub const SIGTRAP_CODES: Xlat = &[
    (1, "TRAP_BRKPT"),
    (2, "TRAP_TRACE"),
    (3, "TRAP_BRANCH"),
    (4, "TRAP_HWBKPT"),
    (5, "TRAP_UNK"),
    (6, "TRAP_PERF"),
];

/// `si_code` values of `SIGSEGV`.
pub const SIGSEGV_CODES: Xlat = &[
    (1, "SEGV_MAPERR"),
    (2, "SEGV_ACCERR"),
    (3, "SEGV_BNDERR"),
    (4, "SEGV_PKUERR"),
    (5, "SEGV_ACCADI"),
    (6, "SEGV_ADIDERR"),
    (7, "SEGV_ADIPERR"),
    (8, "SEGV_MTEAERR"),
    (9, "SEGV_MTESERR"),
];

/// `si_code` values of `SIGBUS`.
pub const SIGBUS_CODES: Xlat = &[
    (1, "BUS_ADRALN"),
    (2, "BUS_ADRERR"),
    (3, "BUS_OBJERR"),
    (4, "BUS_MCEERR_AR"),
    (5, "BUS_MCEERR_AO"),
];

/// `si_code` values of `SIGILL`.
pub const SIGILL_CODES: Xlat = &[
    (1, "ILL_ILLOPC"),
    (2, "ILL_ILLOPN"),
    (3, "ILL_ILLADR"),
    (4, "ILL_ILLTRP"),
    (5, "ILL_PRVOPC"),
    (6, "ILL_PRVREG"),
    (7, "ILL_COPROC"),
    (8, "ILL_BADSTK"),
];

/// `si_code` values of `SIGFPE`.
pub const SIGFPE_CODES: Xlat = &[
    (1, "FPE_INTDIV"),
    (2, "FPE_INTOVF"),
    (3, "FPE_FLTDIV"),
    (4, "FPE_FLTOVF"),
    (5, "FPE_FLTUND"),
    (6, "FPE_FLTRES"),
    (7, "FPE_FLTINV"),
    (8, "FPE_FLTSUB"),
    (14, "FPE_FLTUNK"),
    (15, "FPE_CONDTRAP"),
];

/// `si_code` values of `SIGIO` (`SIGPOLL`).
pub const SIGPOLL_CODES: Xlat = &[
    (1, "POLL_IN"),
    (2, "POLL_OUT"),
    (3, "POLL_MSG"),
    (4, "POLL_ERR"),
    (5, "POLL_PRI"),
    (6, "POLL_HUP"),
];

/// `si_code` values of `SIGPROF`.
pub const SIGPROF_CODES: Xlat = &[(1, "PROF_SIG")];

/// `si_code` values of `SIGSYS`.
pub const SIGSYS_CODES: Xlat = &[(1, "SYS_SECCOMP"), (2, "SYS_USER_DISPATCH")];

/// `BUS_MCEERR_AR` and `BUS_MCEERR_AO`: bus errors with an address granularity.
pub const BUS_MCEERR: [i32; 2] = [4, 5];
/// `SEGV_BNDERR`: a bounds violation, with the bounds.
pub const SEGV_BNDERR: i32 = 3;
/// `SEGV_PKUERR`: a protection-key violation, with the key.
pub const SEGV_PKUERR: i32 = 4;

/// `AUDIT_ARCH_*` of a seccomp `SIGSYS`.
pub const AUDIT_ARCHES: Xlat = &[
    (0x4000_0003, "AUDIT_ARCH_I386"),
    (0xc000_003e, "AUDIT_ARCH_X86_64"),
];

/// `P_*` id types of `waitid`.
pub const WAITID_TYPES: Xlat = &[(0, "P_ALL"), (1, "P_PID"), (2, "P_PGID"), (3, "P_PIDFD")];
