//! System V IPC and POSIX message queue constants: IPC flags, the `*ctl` commands, `shmat` flags,
//! `sigevent` notification types — as the kernel's uapi headers define them, in strace's order.

use super::Xlat;

/// `RESOURCE_FLAGS` (strace's order).
pub const RESOURCE_FLAGS: Xlat = &[
    (0x200, "IPC_CREAT"),
    (0x400, "IPC_EXCL"),
    (0x800, "IPC_NOWAIT"),
];

/// `SHM_RESOURCE_FLAGS` (strace's order).
pub const SHM_RESOURCE_FLAGS: Xlat = &[
    (0x200, "IPC_CREAT"),
    (0x400, "IPC_EXCL"),
    (0x800, "SHM_HUGETLB"),
    (0x1000, "SHM_NORESERVE"),
];

/// `IPC_MSG_FLAGS` (strace's order).
pub const IPC_MSG_FLAGS: Xlat = &[
    (0x1000, "MSG_NOERROR"),
    (0x2000, "MSG_EXCEPT"),
    (0x4000, "MSG_COPY"),
    (0x800, "IPC_NOWAIT"),
];

/// `SEMOP_FLAGS` (strace's order).
pub const SEMOP_FLAGS: Xlat = &[(0x1000, "SEM_UNDO"), (0x800, "IPC_NOWAIT")];

/// `MSGCTL_FLAGS` (strace's order).
pub const MSGCTL_FLAGS: Xlat = &[
    (0x0, "IPC_RMID"),
    (0x1, "IPC_SET"),
    (0x2, "IPC_STAT"),
    (0x3, "IPC_INFO"),
    (0xb, "MSG_STAT"),
    (0xc, "MSG_INFO"),
    (0xd, "MSG_STAT_ANY"),
];

/// `SEMCTL_FLAGS` (strace's order).
pub const SEMCTL_FLAGS: Xlat = &[
    (0x0, "IPC_RMID"),
    (0x1, "IPC_SET"),
    (0x2, "IPC_STAT"),
    (0x3, "IPC_INFO"),
    (0xb, "GETPID"),
    (0xc, "GETVAL"),
    (0xd, "GETALL"),
    (0xe, "GETNCNT"),
    (0xf, "GETZCNT"),
    (0x10, "SETVAL"),
    (0x11, "SETALL"),
    (0x12, "SEM_STAT"),
    (0x13, "SEM_INFO"),
    (0x14, "SEM_STAT_ANY"),
];

/// `SHMCTL_FLAGS` (strace's order).
pub const SHMCTL_FLAGS: Xlat = &[
    (0x0, "IPC_RMID"),
    (0x1, "IPC_SET"),
    (0x2, "IPC_STAT"),
    (0x3, "IPC_INFO"),
    (0xb, "SHM_LOCK"),
    (0xc, "SHM_UNLOCK"),
    (0xd, "SHM_STAT"),
    (0xe, "SHM_INFO"),
    (0xf, "SHM_STAT_ANY"),
];

/// `SHM_FLAGS` (strace's order).
pub const SHM_FLAGS: Xlat = &[
    (0x1000, "SHM_RDONLY"),
    (0x2000, "SHM_RND"),
    (0x4000, "SHM_REMAP"),
    (0x8000, "SHM_EXEC"),
];

/// `SIGEV_NOTIFY` (strace's order).
pub const SIGEV_NOTIFY: Xlat = &[
    (0x0, "SIGEV_SIGNAL"),
    (0x1, "SIGEV_NONE"),
    (0x2, "SIGEV_THREAD"),
    (0x4, "SIGEV_THREAD_ID"),
];
