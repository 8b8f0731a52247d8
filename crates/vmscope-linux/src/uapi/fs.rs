//! File-system constants: open and `*at` flags, modes, `fcntl`, `statx`, seek, access.

use super::Xlat;

/// `O_ACCMODE` bits of the open flags.
pub const O_ACCMODE: u64 = 3;
/// `O_CREAT`.
pub const O_CREAT: u64 = 0o100;
/// `O_TMPFILE` (with its `O_DIRECTORY` bit).
pub const O_TMPFILE: u64 = 0o20_200_000;
/// `O_CLOEXEC`.
pub const O_CLOEXEC: u64 = 0o2_000_000;
/// `O_DIRECTORY`.
pub const O_DIRECTORY: u64 = 0o200_000;
/// `AT_FDCWD`.
pub const AT_FDCWD: i32 = -100;
/// `AT_REMOVEDIR`.
pub const AT_REMOVEDIR: u64 = 0x200;
/// `AT_EMPTY_PATH`.
pub const AT_EMPTY_PATH: u64 = 0x1000;
/// `F_DUPFD`.
pub const F_DUPFD: u64 = 0;
/// `F_GETFD`.
pub const F_GETFD: u64 = 1;
/// `F_SETFD`.
pub const F_SETFD: u64 = 2;
/// `F_GETFL`.
pub const F_GETFL: u64 = 3;
/// `F_SETFL`.
pub const F_SETFL: u64 = 4;
/// `F_DUPFD_CLOEXEC`.
pub const F_DUPFD_CLOEXEC: u64 = 1030;
/// `FD_CLOEXEC`.
pub const FD_CLOEXEC: u64 = 1;
/// `CLOSE_RANGE_CLOEXEC`.
pub const CLOSE_RANGE_CLOEXEC: u64 = 1 << 2;

/// `O_*` open flags but the access mode, in strace's order (multi-bit flags before their parts).
pub const OPEN_FLAGS: Xlat = &[
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o4010000, "O_SYNC"),
    (0o10000, "O_DSYNC"),
    (0o40000, "O_DIRECT"),
    (0o100000, "O_LARGEFILE"),
    (0o400000, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
    (0o20200000, "O_TMPFILE"),
    (0o200000, "O_DIRECTORY"),
    (0o20000, "FASYNC"),
];

/// `AT_*` flags of the `*at` calls.
pub const AT_FLAGS: Xlat = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_REMOVEDIR"),
    (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"),
    (0x1000, "AT_EMPTY_PATH"),
    (0x8000, "AT_RECURSIVE"),
];

/// `access` modes.
pub const ACCESS: Xlat = &[(4, "R_OK"), (2, "W_OK"), (1, "X_OK")];

/// `lseek` whence.
pub const WHENCE: Xlat = &[
    (0, "SEEK_SET"),
    (1, "SEEK_CUR"),
    (2, "SEEK_END"),
    (3, "SEEK_DATA"),
    (4, "SEEK_HOLE"),
];

/// `F_*` commands of `fcntl`.
pub const FCNTL_CMDS: Xlat = &[
    (0, "F_DUPFD"),
    (1, "F_GETFD"),
    (2, "F_SETFD"),
    (3, "F_GETFL"),
    (4, "F_SETFL"),
    (5, "F_GETLK"),
    (6, "F_SETLK"),
    (7, "F_SETLKW"),
    (8, "F_SETOWN"),
    (9, "F_GETOWN"),
    (10, "F_SETSIG"),
    (11, "F_GETSIG"),
    (12, "F_GETLK64"),
    (13, "F_SETLK64"),
    (14, "F_SETLKW64"),
    (15, "F_SETOWN_EX"),
    (16, "F_GETOWN_EX"),
    (17, "F_GETOWNER_UIDS"),
    (36, "F_OFD_GETLK"),
    (37, "F_OFD_SETLK"),
    (38, "F_OFD_SETLKW"),
    (1024, "F_SETLEASE"),
    (1025, "F_GETLEASE"),
    (1026, "F_NOTIFY"),
    (1030, "F_DUPFD_CLOEXEC"),
    (1031, "F_SETPIPE_SZ"),
    (1032, "F_GETPIPE_SZ"),
    (1033, "F_ADD_SEALS"),
    (1034, "F_GET_SEALS"),
    (1035, "F_GET_RW_HINT"),
    (1036, "F_SET_RW_HINT"),
    (1037, "F_GET_FILE_RW_HINT"),
    (1038, "F_SET_FILE_RW_HINT"),
];

/// `STATX_*` bits.
pub const STATX_MASK: Xlat = &[
    (0x0000_0fff, "STATX_ALL"),
    (0x0000_07ff, "STATX_BASIC_STATS"),
    (0x1, "STATX_TYPE"),
    (0x2, "STATX_MODE"),
    (0x4, "STATX_NLINK"),
    (0x8, "STATX_UID"),
    (0x10, "STATX_GID"),
    (0x20, "STATX_ATIME"),
    (0x40, "STATX_MTIME"),
    (0x80, "STATX_CTIME"),
    (0x100, "STATX_INO"),
    (0x200, "STATX_SIZE"),
    (0x400, "STATX_BLOCKS"),
    (0x800, "STATX_BTIME"),
    (0x1000, "STATX_MNT_ID"),
    (0x2000, "STATX_DIOALIGN"),
];
