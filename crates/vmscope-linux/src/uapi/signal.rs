//! Signal constants: numbers, `sigaction` flags, `sigprocmask` operations.

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
    (0x4000_0000, "SA_NODEFER"),
    (0x8000_0000, "SA_RESETHAND"),
    (0x0000_0004, "SA_SIGINFO"),
    (0x0000_0001, "SA_NOCLDSTOP"),
    (0x0000_0002, "SA_NOCLDWAIT"),
    (0x0000_0400, "SA_UNSUPPORTED"),
    (0x0000_0800, "SA_EXPOSE_TAGBITS"),
];
