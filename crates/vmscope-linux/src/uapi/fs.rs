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

/// Open flags of `abi` in x86's (and most architectures') numbering, which [`OPEN_FLAGS`] names:
/// arm64 (`arch/arm64/include/uapi/asm/fcntl.h`) swaps `O_DIRECTORY`/`O_NOFOLLOW` with
/// `O_DIRECT`/`O_LARGEFILE`.
pub fn open_flags_canonical(abi: vmscope_core::event::Abi, v: u64) -> u64 {
    if abi != vmscope_core::event::Abi::Aarch64 {
        return v;
    }
    const ARM64: [(u64, u64); 4] = [
        (0o40000, O_DIRECTORY),
        (0o100000, 0o400000),
        (0o200000, 0o40000),
        (0o400000, 0o100000),
    ];
    let mut out = v & !(0o40000 | 0o100000 | 0o200000 | 0o400000);
    for (from, to) in ARM64 {
        if v & from != 0 {
            out |= to;
        }
    }
    out
}

/// `O_*` open flags but the access mode, in strace's order (multi-bit flags before their parts).
pub const OPEN_FLAGS: Xlat = &[
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o4010000, "O_SYNC"),
    (0o4000000, "__O_SYNC"),
    (0o10000, "O_DSYNC"),
    (0o40000, "O_DIRECT"),
    (0o100000, "O_LARGEFILE"),
    (0o400000, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
    (0o20200000, "O_TMPFILE"),
    (0o20000000, "__O_TMPFILE"),
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
    (1029, "F_CANCELLK"),
    (1030, "F_DUPFD_CLOEXEC"),
    (1031, "F_SETPIPE_SZ"),
    (1032, "F_GETPIPE_SZ"),
    (1033, "F_ADD_SEALS"),
    (1034, "F_GET_SEALS"),
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

/// `FSMAGIC` (strace's order).
pub const FSMAGIC: Xlat = &[
    (0x2f, "QNX4_SUPER_MAGIC"),
    (0x33, "Z3FOLD_MAGIC"),
    (0x187, "AUTOFS_SUPER_MAGIC"),
    (0x1373, "DEVFS_SUPER_MAGIC"),
    (0x137d, "EXT_SUPER_MAGIC"),
    (0x137f, "MINIX_SUPER_MAGIC"),
    (0x138f, "MINIX_SUPER_MAGIC2"),
    (0x1cd1, "DEVPTS_SUPER_MAGIC"),
    (0x2468, "MINIX2_SUPER_MAGIC"),
    (0x2478, "MINIX2_SUPER_MAGIC2"),
    (0x3434, "NILFS_SUPER_MAGIC"),
    (0x4244, "HFS_SUPER_MAGIC"),
    (0x482b, "HFSPLUS_SUPER_MAGIC"),
    (0x4d44, "MSDOS_SUPER_MAGIC"),
    (0x4d5a, "MINIX3_SUPER_MAGIC"),
    (0x517b, "SMB_SUPER_MAGIC"),
    (0x564c, "NCP_SUPER_MAGIC"),
    (0x5df5, "EXOFS_SUPER_MAGIC"),
    (0x6969, "NFS_SUPER_MAGIC"),
    (0x7275, "ROMFS_MAGIC"),
    (0x72b6, "JFFS2_SUPER_MAGIC"),
    (0x9660, "ISOFS_SUPER_MAGIC"),
    (0x9fa0, "PROC_SUPER_MAGIC"),
    (0x9fa1, "OPENPROM_SUPER_MAGIC"),
    (0x9fa2, "USBDEVICE_SUPER_MAGIC"),
    (0xadf5, "ADFS_SUPER_MAGIC"),
    (0xadff, "AFFS_SUPER_MAGIC"),
    (0xef51, "EXT2_OLD_SUPER_MAGIC"),
    (0xef53, "EXT2_SUPER_MAGIC"),
    (0xf15f, "ECRYPTFS_SUPER_MAGIC"),
    (0x11954, "UFS_MAGIC"),
    (0x27e0eb, "CGROUP_SUPER_MAGIC"),
    (0x414a53, "EFS_SUPER_MAGIC"),
    (0xc0ffee, "HOSTFS_SUPER_MAGIC"),
    (0xc36400, "CEPH_SUPER_MAGIC"),
    (0x1021994, "TMPFS_MAGIC"),
    (0x1021997, "V9FS_MAGIC"),
    (0x1161970, "GFS2_MAGIC"),
    (0x12fd16d, "XIAFS_SUPER_MAGIC"),
    (0x12ff7b4, "XENIX_SUPER_MAGIC"),
    (0x12ff7b5, "SYSV4_SUPER_MAGIC"),
    (0x12ff7b6, "SYSV2_SUPER_MAGIC"),
    (0x12ff7b7, "COH_SUPER_MAGIC"),
    (0x2011994, "SHMFS_SUPER_MAGIC"),
    (0x9041934, "ANON_INODE_FS_MAGIC"),
    (0xbad1dea, "FUTEXFS_SUPER_MAGIC"),
    (0x11307854, "MTD_INODE_FS_MAGIC"),
    (0x13661366, "BALLOON_KVM_MAGIC"),
    (0x15013346, "UDF_SUPER_MAGIC"),
    (0x1badface, "BFS_MAGIC"),
    (0x2011bab0, "EXFAT_SUPER_MAGIC"),
    (0x24051905, "UBIFS_SUPER_MAGIC"),
    (0x28cd3d45, "CRAMFS_MAGIC"),
    (0x2fc12fc1, "ZFS_SUPER_MAGIC"),
    (0x3153464a, "JFS_SUPER_MAGIC"),
    (0x42465331, "BEFS_SUPER_MAGIC"),
    (0x42494e4d, "BINFMTFS_MAGIC"),
    (0x43415d53, "SMACK_MAGIC"),
    (0x444d4142, "DMA_BUF_MAGIC"),
    (0x453dcd28, "CRAMFS_MAGIC_WEND"),
    (0x454d444d, "DEVMEM_MAGIC"),
    (0x47504653, "GPFS_SUPER_MAGIC"),
    (0x50495045, "PIPEFS_MAGIC"),
    (0x52654973, "REISERFS_SUPER_MAGIC"),
    (0x5345434d, "SECRETMEM_MAGIC"),
    (0x5346414f, "AFS_SUPER_MAGIC"),
    (0x5346544e, "NTFS_SB_MAGIC"),
    (0x534f434b, "SOCKFS_MAGIC"),
    (0x54190100, "UFS_CIGAM"),
    (0x565a4653, "VZFS_SUPER_MAGIC"),
    (0x57ac6e9d, "STACK_END_MAGIC"),
    (0x58295829, "ZSMALLOC_MAGIC"),
    (0x58465342, "XFS_SUPER_MAGIC"),
    (0x5a3c69f0, "AAFS_MAGIC"),
    (0x5a4f4653, "ZONEFS_MAGIC"),
    (0x6165676c, "PSTOREFS_MAGIC"),
    (0x61756673, "AUFS_SUPER_MAGIC"),
    (0x62646576, "BDEVFS_MAGIC"),
    (0x62656570, "CONFIGFS_MAGIC"),
    (0x62656572, "SYSFS_MAGIC"),
    (0x63677270, "CGROUP2_SUPER_MAGIC"),
    (0x64626720, "DEBUGFS_MAGIC"),
    (0x64646178, "DAXFS_MAGIC"),
    (0x65735543, "FUSE_CTL_SUPER_MAGIC"),
    (0x65735546, "FUSE_SUPER_MAGIC"),
    (0x68191122, "QNX6_SUPER_MAGIC"),
    (0x6b414653, "AFS_FS_MAGIC"),
    (0x6c6f6f70, "BINDERFS_SUPER_MAGIC"),
    (0x6e736673, "NSFS_MAGIC"),
    (0x73636673, "SECURITYFS_MAGIC"),
    (0x73717368, "SQUASHFS_MAGIC"),
    (0x73727279, "BTRFS_TEST_MAGIC"),
    (0x73757245, "CODA_SUPER_MAGIC"),
    (0x7461636f, "OCFS2_SUPER_MAGIC"),
    (0x74726163, "TRACEFS_MAGIC"),
    (0x794c7630, "OVERLAYFS_SUPER_MAGIC"),
    (0x858458f6, "RAMFS_MAGIC"),
    (0x9123683e, "BTRFS_SUPER_MAGIC"),
    (0x958458f6, "HUGETLBFS_MAGIC"),
    (0xa501fcf5, "VXFS_SUPER_MAGIC"),
    (0xabba1974, "XENFS_SUPER_MAGIC"),
    (0xc7571590, "PPC_CMM_MAGIC"),
    (0xc97e8168, "LOGFS_MAGIC"),
    (0xcafe4a11, "BPF_FS_MAGIC"),
    (0xde5e81e4, "EFIVARFS_MAGIC"),
    (0xe0f5e1e2, "EROFS_SUPER_MAGIC_V1"),
    (0xf2f52010, "F2FS_SUPER_MAGIC"),
    (0xf97cff8c, "SELINUX_MAGIC"),
    (0xf995e849, "HPFS_SUPER_MAGIC"),
    (0xfe534d42, "SMB2_SUPER_MAGIC"),
    (0xff534d42, "CIFS_SUPER_MAGIC"),
];

/// `STATFS_FLAGS` (strace's order).
pub const STATFS_FLAGS: Xlat = &[
    (0x20, "ST_VALID"),
    (0x1, "ST_RDONLY"),
    (0x2, "ST_NOSUID"),
    (0x4, "ST_NODEV"),
    (0x8, "ST_NOEXEC"),
    (0x10, "ST_SYNCHRONOUS"),
    (0x40, "ST_MANDLOCK"),
    (0x400, "ST_NOATIME"),
    (0x800, "ST_NODIRATIME"),
    (0x1000, "ST_RELATIME"),
    (0x2000, "ST_NOSYMFOLLOW"),
];

/// `RENAME_FLAGS` (strace's order).
pub const RENAME_FLAGS: Xlat = &[
    (0x1, "RENAME_NOREPLACE"),
    (0x2, "RENAME_EXCHANGE"),
    (0x4, "RENAME_WHITEOUT"),
];

/// `FALLOC_FLAGS` (strace's order).
pub const FALLOC_FLAGS: Xlat = &[
    (0x1, "FALLOC_FL_KEEP_SIZE"),
    (0x2, "FALLOC_FL_PUNCH_HOLE"),
    (0x4, "FALLOC_FL_NO_HIDE_STALE"),
    (0x8, "FALLOC_FL_COLLAPSE_RANGE"),
    (0x10, "FALLOC_FL_ZERO_RANGE"),
    (0x20, "FALLOC_FL_INSERT_RANGE"),
    (0x40, "FALLOC_FL_UNSHARE_RANGE"),
];

/// `FADVISE` (strace's order).
pub const FADVISE: Xlat = &[
    (0x0, "POSIX_FADV_NORMAL"),
    (0x1, "POSIX_FADV_RANDOM"),
    (0x2, "POSIX_FADV_SEQUENTIAL"),
    (0x3, "POSIX_FADV_WILLNEED"),
    (0x4, "POSIX_FADV_DONTNEED"),
    (0x5, "POSIX_FADV_NOREUSE"),
];

/// `SYNC_FILE_RANGE_FLAGS` (strace's order).
pub const SYNC_FILE_RANGE_FLAGS: Xlat = &[
    (0x1, "SYNC_FILE_RANGE_WAIT_BEFORE"),
    (0x2, "SYNC_FILE_RANGE_WRITE"),
    (0x4, "SYNC_FILE_RANGE_WAIT_AFTER"),
];

/// `FLOCK_OPS` (strace's order).
pub const FLOCK_OPS: Xlat = &[
    (0x1, "LOCK_SH"),
    (0x2, "LOCK_EX"),
    (0x4, "LOCK_NB"),
    (0x8, "LOCK_UN"),
    (0x20, "LOCK_MAND"),
    (0xc0, "LOCK_RW"),
    (0x40, "LOCK_READ"),
    (0x80, "LOCK_WRITE"),
];

/// `LOCK_TYPES` (strace's order).
pub const LOCK_TYPES: Xlat = &[
    (0x0, "F_RDLCK"),
    (0x1, "F_WRLCK"),
    (0x2, "F_UNLCK"),
    (0x4, "F_EXLCK"),
    (0x8, "F_SHLCK"),
];

/// `F_OWNER_TYPES` (strace's order).
pub const F_OWNER_TYPES: Xlat = &[
    (0x0, "F_OWNER_TID"),
    (0x1, "F_OWNER_PID"),
    (0x2, "F_OWNER_PGRP"),
];

/// `DN_FLAGS` (strace's order).
pub const DN_FLAGS: Xlat = &[
    (0x1, "DN_ACCESS"),
    (0x2, "DN_MODIFY"),
    (0x4, "DN_CREATE"),
    (0x8, "DN_DELETE"),
    (0x10, "DN_RENAME"),
    (0x20, "DN_ATTRIB"),
    (0x80000000, "DN_MULTISHOT"),
];

/// `F_SEALS` (strace's order).
pub const F_SEALS: Xlat = &[
    (0x1, "F_SEAL_SEAL"),
    (0x2, "F_SEAL_SHRINK"),
    (0x4, "F_SEAL_GROW"),
    (0x8, "F_SEAL_WRITE"),
    (0x10, "F_SEAL_FUTURE_WRITE"),
];

/// `MFD_FLAGS` (strace's order).
pub const MFD_FLAGS: Xlat = &[
    (0x1, "MFD_CLOEXEC"),
    (0x2, "MFD_ALLOW_SEALING"),
    (0x4, "MFD_HUGETLB"),
];

/// `CLOSE_RANGE_FLAGS` (strace's order).
pub const CLOSE_RANGE_FLAGS: Xlat = &[(0x2, "CLOSE_RANGE_UNSHARE"), (0x4, "CLOSE_RANGE_CLOEXEC")];

/// `SPLICE_FLAGS` (strace's order).
pub const SPLICE_FLAGS: Xlat = &[
    (0x1, "SPLICE_F_MOVE"),
    (0x2, "SPLICE_F_NONBLOCK"),
    (0x4, "SPLICE_F_MORE"),
    (0x8, "SPLICE_F_GIFT"),
];

/// `XATTR_FLAGS` (strace's order).
pub const XATTR_FLAGS: Xlat = &[(0x1, "XATTR_CREATE"), (0x2, "XATTR_REPLACE")];

/// `RESOLVE_FLAGS` (strace's order).
pub const RESOLVE_FLAGS: Xlat = &[
    (0x1, "RESOLVE_NO_XDEV"),
    (0x2, "RESOLVE_NO_MAGICLINKS"),
    (0x4, "RESOLVE_NO_SYMLINKS"),
    (0x8, "RESOLVE_BENEATH"),
    (0x10, "RESOLVE_IN_ROOT"),
    (0x20, "RESOLVE_CACHED"),
];

/// `FACCESSAT_FLAGS` (strace's order).
pub const FACCESSAT_FLAGS: Xlat = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_EACCESS"),
    (0x1000, "AT_EMPTY_PATH"),
];

/// `HANDLE_AT_FLAGS` (strace's order).
pub const HANDLE_AT_FLAGS: Xlat = &[(0x400, "AT_SYMLINK_FOLLOW"), (0x1000, "AT_EMPTY_PATH")];

/// `fsmount`'s flags (strace's `fsmount_flags`).
pub const FSMOUNT_FLAGS: Xlat = &[(1, "FSMOUNT_CLOEXEC")];

/// `fsmount`'s mount attributes (strace 6.1's `fsmount_attr_flags`, which stops at
/// `MOUNT_ATTR_NODIRATIME`).
pub const MOUNT_ATTR_FLAGS: Xlat = &[
    (0x1, "MOUNT_ATTR_RDONLY"),
    (0x2, "MOUNT_ATTR_NOSUID"),
    (0x4, "MOUNT_ATTR_NODEV"),
    (0x8, "MOUNT_ATTR_NOEXEC"),
    (0x10, "MOUNT_ATTR_NOATIME"),
    (0x20, "MOUNT_ATTR_STRICTATIME"),
    (0x80, "MOUNT_ATTR_NODIRATIME"),
];

/// `fsconfig`'s commands (strace's `fsconfig_cmds`).
pub const FSCONFIG_CMDS: Xlat = &[
    (0, "FSCONFIG_SET_FLAG"),
    (1, "FSCONFIG_SET_STRING"),
    (2, "FSCONFIG_SET_BINARY"),
    (3, "FSCONFIG_SET_PATH"),
    (4, "FSCONFIG_SET_PATH_EMPTY"),
    (5, "FSCONFIG_SET_FD"),
    (6, "FSCONFIG_CMD_CREATE"),
    (7, "FSCONFIG_CMD_RECONFIGURE"),
];

/// `landlock_add_rule`'s rule types (strace's `landlock_rule_types`).
pub const LANDLOCK_RULE_TYPES: Xlat = &[(1, "LANDLOCK_RULE_PATH_BENEATH")];

/// `landlock_create_ruleset`'s flags (strace's `landlock_create_ruleset_flags`).
pub const LANDLOCK_CREATE_RULESET_FLAGS: Xlat = &[(1, "LANDLOCK_CREATE_RULESET_VERSION")];
