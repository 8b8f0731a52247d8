//! Memory-management constants: protections, mapping flags, advice.

use super::Xlat;

/// `MAP_ANONYMOUS`.
pub const MAP_ANONYMOUS: u64 = 0x20;

/// `PROT_*`.
pub const PROT: Xlat = &[
    (0x0, "PROT_NONE"),
    (0x1, "PROT_READ"),
    (0x2, "PROT_WRITE"),
    (0x4, "PROT_EXEC"),
    (0x8, "PROT_SEM"),
    (0x0100_0000, "PROT_GROWSDOWN"),
    (0x0200_0000, "PROT_GROWSUP"),
];

/// `MAP_*` flags besides the mapping type, in strace's order.
pub const MAP_FLAGS: Xlat = &[
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x40, "MAP_32BIT"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x80000, "MAP_SYNC"),
    (0x100000, "MAP_FIXED_NOREPLACE"),
];

/// `MREMAP_*`.
pub const MREMAP: Xlat = &[
    (1, "MREMAP_MAYMOVE"),
    (2, "MREMAP_FIXED"),
    (4, "MREMAP_DONTUNMAP"),
];

/// `MADV_*` advice of `madvise` (uapi `asm-generic/mman-common.h`).
pub const MADVISE: Xlat = &[
    (0, "MADV_NORMAL"),
    (1, "MADV_RANDOM"),
    (2, "MADV_SEQUENTIAL"),
    (3, "MADV_WILLNEED"),
    (4, "MADV_DONTNEED"),
    (8, "MADV_FREE"),
    (9, "MADV_REMOVE"),
    (10, "MADV_DONTFORK"),
    (11, "MADV_DOFORK"),
    (12, "MADV_MERGEABLE"),
    (13, "MADV_UNMERGEABLE"),
    (14, "MADV_HUGEPAGE"),
    (15, "MADV_NOHUGEPAGE"),
    (16, "MADV_DONTDUMP"),
    (17, "MADV_DODUMP"),
    (18, "MADV_WIPEONFORK"),
    (19, "MADV_KEEPONFORK"),
    (20, "MADV_COLD"),
    (21, "MADV_PAGEOUT"),
    (22, "MADV_POPULATE_READ"),
    (23, "MADV_POPULATE_WRITE"),
    (24, "MADV_DONTNEED_LOCKED"),
    (25, "MADV_COLLAPSE"),
    (100, "MADV_HWPOISON"),
    (101, "MADV_SOFT_OFFLINE"),
];

/// `MS_*` flags of `msync`.
pub const MSYNC: Xlat = &[(4, "MS_SYNC"), (1, "MS_ASYNC"), (2, "MS_INVALIDATE")];

/// `MLOCK_FLAGS` (strace's order).
pub const MLOCK_FLAGS: Xlat = &[(0x1, "MLOCK_ONFAULT")];

/// `MLOCKALL_FLAGS` (strace's order).
pub const MLOCKALL_FLAGS: Xlat = &[
    (0x1, "MCL_CURRENT"),
    (0x2, "MCL_FUTURE"),
    (0x4, "MCL_ONFAULT"),
];

/// `MPOL_MODES` (strace's order).
pub const MPOL_MODES: Xlat = &[
    (0x0, "MPOL_DEFAULT"),
    (0x1, "MPOL_PREFERRED"),
    (0x2, "MPOL_BIND"),
    (0x3, "MPOL_INTERLEAVE"),
    (0x4, "MPOL_LOCAL"),
    (0x5, "MPOL_PREFERRED_MANY"),
];

/// `MPOL_MODE_FLAGS` (strace's order).
pub const MPOL_MODE_FLAGS: Xlat = &[
    (0x8000, "MPOL_F_STATIC_NODES"),
    (0x4000, "MPOL_F_RELATIVE_NODES"),
    (0x2000, "MPOL_F_NUMA_BALANCING"),
];

/// `MBIND_FLAGS` (strace's order).
pub const MBIND_FLAGS: Xlat = &[
    (0x1, "MPOL_MF_STRICT"),
    (0x2, "MPOL_MF_MOVE"),
    (0x4, "MPOL_MF_MOVE_ALL"),
];

/// `GET_MEMPOLICY_FLAGS` (strace's order).
pub const GET_MEMPOLICY_FLAGS: Xlat = &[
    (0x1, "MPOL_F_NODE"),
    (0x2, "MPOL_F_ADDR"),
    (0x4, "MPOL_F_MEMS_ALLOWED"),
];

/// `PKEY_ACCESS` (strace's order).
pub const PKEY_ACCESS: Xlat = &[
    (0x1, "PKEY_DISABLE_ACCESS"),
    (0x2, "PKEY_DISABLE_WRITE"),
    (0x4, "PKEY_DISABLE_EXECUTE"),
];

/// `MOVE_PAGES_FLAGS` (strace's order).
pub const MOVE_PAGES_FLAGS: Xlat = &[(0x2, "MPOL_MF_MOVE"), (0x4, "MPOL_MF_MOVE_ALL")];
