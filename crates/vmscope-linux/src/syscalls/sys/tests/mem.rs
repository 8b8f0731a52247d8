//! Memory calls: protections, mremap, mincore, locks, NUMA policies, protection keys.

use vmscope_core::guest::TestGuest;

use super::{EINVAL, i386, x64, x64_io};

#[test]
fn mapping_flags_and_protections() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64("mmap", [0, 4096, 1, 0x20, u64::MAX, 0], &mut g, EINVAL),
        "mmap(NULL, 4096, PROT_READ, MAP_FILE|MAP_ANONYMOUS, -1, 0) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("mmap", [0, 4096, 1, 0, u64::MAX, 0], &mut g, -9),
        "mmap(NULL, 4096, PROT_READ, MAP_FILE, -1, 0) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        x64(
            "mmap",
            [0, 4096, 0x1000, 0x22 | (21 << 26), u64::MAX, 0],
            &mut g,
            0x7f42_08d0_e000
        ),
        "mmap(NULL, 4096, 0x1000 /* PROT_??? */, MAP_PRIVATE|MAP_ANONYMOUS|21<<MAP_HUGE_SHIFT, -1, 0) = 0x7f4208d0e000"
    );
    assert_eq!(
        x64("mprotect", [0x1000, 4096, 0, 0, 0, 0], &mut g, 0),
        "mprotect(0x1000, 4096, PROT_NONE) = 0"
    );
    assert_eq!(
        x64("mremap", [0x1000, 4096, 8192, 3, 0x5000, 0], &mut g, -14),
        "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x5000) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        x64("mremap", [0x1000, 4096, 8192, 1, 0, 0], &mut g, 0x2000),
        "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE) = 0x2000"
    );
    assert_eq!(
        x64("msync", [0x1000, 4096, 8, 0, 0, 0], &mut g, EINVAL),
        "msync(0x1000, 4096, 0x8 /* MS_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("msync", [0x1000, 4096, 5, 0, 0, 0], &mut g, 0),
        "msync(0x1000, 4096, MS_SYNC|MS_ASYNC) = 0"
    );
    assert_eq!(
        x64("madvise", [0x1000, 4096, 100, 0, 0, 0], &mut g, EINVAL),
        "madvise(0x1000, 4096, MADV_HWPOISON) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn mincore_locks_and_keys() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64_io(
            "mincore",
            [0x7f71_6bb1_2000, 16384, 0x1000, 0, 0, 0],
            &mut g,
            |e| {
                e.write(0x1000, &[1, 1, 3, 1]);
            },
            0
        ),
        "mincore(0x7f716bb12000, 16384, [1, 1, 1, 1]) = 0"
    );
    assert_eq!(
        x64(
            "mincore",
            [0x7f71_6bb1_2000, 16384, 0x1000, 0, 0, 0],
            &mut g,
            -12
        ),
        "mincore(0x7f716bb12000, 16384, 0x1000) = -1 ENOMEM (Cannot allocate memory)"
    );
    assert_eq!(
        x64("mlock2", [0x1000, 4096, 1, 0, 0, 0], &mut g, 0),
        "mlock2(0x1000, 4096, MLOCK_ONFAULT) = 0"
    );
    assert_eq!(
        x64("mlock2", [0x1000, 4096, 2, 0, 0, 0], &mut g, EINVAL),
        "mlock2(0x1000, 4096, 0x2 /* MLOCK_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        i386("mlockall", [5, 0, 0, 0, 0, 0], &mut g, 0),
        "mlockall(MCL_CURRENT|MCL_ONFAULT) = 0"
    );
    assert_eq!(
        x64("mlockall", [0, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "mlockall(0) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("pkey_alloc", [0, 1, 0, 0, 0, 0], &mut g, 1),
        "pkey_alloc(0, PKEY_DISABLE_ACCESS) = 1"
    );
    assert_eq!(
        x64("pkey_alloc", [1, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "pkey_alloc(0x1, 0) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("pkey_mprotect", [0x1000, 4096, 1, 1, 0, 0], &mut g, 0),
        "pkey_mprotect(0x1000, 4096, PROT_READ, 1) = 0"
    );
    g.write_u64(0x2000, 0x7f71_6bb1_0000)
        .write_u64(0x2008, 4096);
    assert_eq!(
        x64("process_madvise", [7, 0x2000, 1, 20, 0, 0], &mut g, 4096),
        "process_madvise(7, [{iov_base=0x7f716bb10000, iov_len=4096}], 1, MADV_COLD, 0) = 4096"
    );
}

#[test]
fn numa_policies() {
    let mut g = TestGuest::new();
    g.write_u64(0x1000, 0);
    assert_eq!(
        x64_io(
            "get_mempolicy",
            [0x2000, 0x1000, 64, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x2000, 0);
            },
            0
        ),
        "get_mempolicy([MPOL_DEFAULT], [0000000000000000], 64, NULL, 0) = 0"
    );
    g.write_u32(0x2000, 0);
    assert_eq!(
        x64(
            "get_mempolicy",
            [0x2000, 0, 0, 0x7f71_6bb1_0000, 3, 0],
            &mut g,
            0
        ),
        "get_mempolicy([MPOL_DEFAULT], NULL, 0, 0x7f716bb10000, MPOL_F_NODE|MPOL_F_ADDR) = 0"
    );
    assert_eq!(
        x64("set_mempolicy", [0, 0, 0, 0, 0, 0], &mut g, 0),
        "set_mempolicy(MPOL_DEFAULT, NULL, 0) = 0"
    );
    assert_eq!(
        x64(
            "set_mempolicy",
            [2 | (1 << 15), 0x1000, 64, 0, 0, 0],
            &mut g,
            EINVAL
        ),
        "set_mempolicy(MPOL_BIND|MPOL_F_STATIC_NODES, [0000000000000000], 64) = -1 EINVAL (Invalid argument)"
    );
    g.write_u64(0x1000, 1);
    assert_eq!(
        x64(
            "mbind",
            [0x7f71_6bb1_0000, 4096, 1, 0x1000, 64, 1],
            &mut g,
            0
        ),
        "mbind(0x7f716bb10000, 4096, MPOL_PREFERRED, [0x00000000000001], 64, MPOL_MF_STRICT) = 0"
    );
    g.write_u32(0x3000, 1);
    assert_eq!(
        i386("set_mempolicy", [1, 0x3000, 32, 0, 0, 0], &mut g, 0),
        "set_mempolicy(MPOL_PREFERRED, [0x000001], 32) = 0"
    );
}
