//! File-system calls: statfs, mknod, file times, fcntl, locks, sendfile/splice, xattrs, handles.

use vmscope_core::guest::TestGuest;

use super::{EFAULT, EINVAL, i386, i386_io, x64, x64_io};

const AT_FDCWD: u64 = (-100i64) as u64;

#[test]
fn statfs_of_both_abis() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/fsfam.d\0");
    let q: [u64; 11] = [
        0xef53, 4096, 66_053_021, 59_197_498, 16_965_949, 16_777_216, 16_325_350, 0, 255, 4096,
        0x1020,
    ];
    for (i, v) in q.iter().enumerate() {
        g.write_u64(0x2000 + 8 * i as u64, *v);
    }
    g.write_u32(0x2000 + 56, 0x6f8_61e5)
        .write_u32(0x2000 + 60, 0x9218_3912);
    assert_eq!(
        x64("statfs", [0x1000, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "statfs(\"/tmp/fsfam.d\", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=66053021, f_bfree=59197498, f_bavail=16965949, f_files=16777216, f_ffree=16325350, f_fsid={val=[0x6f861e5, 0x92183912]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0"
    );
    // i386 statfs64: 32-bit type and size, 64-bit counts.
    g.write_u32(0x3000, 0x9fa0).write_u32(0x3004, 4096);
    for i in 0..5u64 {
        g.write_u64(0x3008 + 8 * i, 0);
    }
    g.write_u32(0x3000 + 48, 0x15)
        .write_u32(0x3000 + 52, 0)
        .write_u32(0x3000 + 56, 255)
        .write_u32(0x3000 + 60, 4096)
        .write_u32(0x3000 + 64, 0x1020);
    g.write(0x1100, b"/proc\0");
    assert_eq!(
        i386("statfs64", [0x1100, 84, 0x3000, 0, 0, 0], &mut g, 0),
        "statfs64(\"/proc\", 84, {f_type=PROC_SUPER_MAGIC, f_bsize=4096, f_blocks=0, f_bfree=0, f_bavail=0, f_files=0, f_ffree=0, f_fsid={val=[0x15, 0]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0"
    );
    assert_eq!(
        i386("statfs64", [0x1100, 88, 0x3000, 0, 0, 0], &mut g, EINVAL),
        "statfs64(\"/proc\", 88, 0x3000) = -1 EINVAL (Invalid argument)"
    );
    // i386 struct statfs (32-bit words); no ST_VALID: no f_flags.
    for i in 0..16u64 {
        g.write_u32(0x4000 + 4 * i, i as u32);
    }
    assert_eq!(
        i386("fstatfs", [3, 0x4000, 0, 0, 0, 0], &mut g, 0),
        "fstatfs(3, {f_type=0, f_bsize=1, f_blocks=2, f_bfree=3, f_bavail=4, f_files=5, f_ffree=6, f_fsid={val=[0x7, 0x8]}, f_namelen=9, f_frsize=10}) = 0"
    );
}

#[test]
fn modes_devices_and_times() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/fsfam.d/null\0");
    assert_eq!(
        x64(
            "mknodat",
            [AT_FDCWD, 0x1000, 0o20666, 0x103, 0, 0],
            &mut g,
            0
        ),
        "mknodat(AT_FDCWD, \"/tmp/fsfam.d/null\", S_IFCHR|0666, makedev(0x1, 0x3)) = 0"
    );
    assert_eq!(
        x64("mknodat", [AT_FDCWD, 0x1000, 0o10600, 0, 0, 0], &mut g, 0),
        "mknodat(AT_FDCWD, \"/tmp/fsfam.d/null\", S_IFIFO|0600) = 0"
    );
    assert_eq!(
        i386("mknod", [0x1000, 0o600, 0, 0, 0, 0], &mut g, 0),
        "mknod(\"/tmp/fsfam.d/null\", 0600) = 0"
    );
    assert_eq!(
        x64(
            "mknodat",
            [AT_FDCWD, 0x1000, 0o60600, 0x1001_0301, 0, 0],
            &mut g,
            0
        ),
        "mknodat(AT_FDCWD, \"/tmp/fsfam.d/null\", S_IFBLK|0600, makedev(0x103, 0x10001)) = 0"
    );
    // utimensat: UTIME_NOW/UTIME_OMIT and dates.
    g.write_u64(0x2000, 0)
        .write_u64(0x2008, 0x3fff_ffff)
        .write_u64(0x2010, 123)
        .write_u64(0x2018, 0x3fff_fffe);
    assert_eq!(
        x64("utimensat", [AT_FDCWD, 0x1000, 0x2000, 0, 0, 0], &mut g, 0),
        "utimensat(AT_FDCWD, \"/tmp/fsfam.d/null\", [UTIME_NOW, UTIME_OMIT], 0) = 0"
    );
    g.write_u64(0x2000, 1)
        .write_u64(0x2008, 2)
        .write_u64(0x2010, 1_700_000_000)
        .write_u64(0x2018, 999);
    assert_eq!(
        x64(
            "utimensat",
            [AT_FDCWD, 0x1000, 0x2000, 0x100, 0, 0],
            &mut g,
            0
        ),
        "utimensat(AT_FDCWD, \"/tmp/fsfam.d/null\", [{tv_sec=1, tv_nsec=2} /* 1970-01-01T00:00:01.000000002+0000 */, {tv_sec=1700000000, tv_nsec=999} /* 2023-11-14T22:13:20.000000999+0000 */], AT_SYMLINK_NOFOLLOW) = 0"
    );
    assert_eq!(
        i386(
            "utimensat_time64",
            [AT_FDCWD & 0xffff_ffff, 0x1000, 0, 0, 0, 0],
            &mut g,
            0
        ),
        "utimensat_time64(AT_FDCWD, \"/tmp/fsfam.d/null\", NULL, 0) = 0"
    );
    // i386 utimensat: 32-bit timespecs; a timespec at the epoch has no date.
    g.write_u32(0x3000, 0)
        .write_u32(0x3004, 0)
        .write_u32(0x3008, 3)
        .write_u32(0x300c, 4000);
    assert_eq!(
        i386(
            "utimensat",
            [AT_FDCWD & 0xffff_ffff, 0x1000, 0x3000, 0, 0, 0],
            &mut g,
            0
        ),
        "utimensat(AT_FDCWD, \"/tmp/fsfam.d/null\", [{tv_sec=0, tv_nsec=0}, {tv_sec=3, tv_nsec=4000} /* 1970-01-01T00:00:03.000004000+0000 */], 0) = 0"
    );
    g.write_u64(0x4000, 1)
        .write_u64(0x4008, 2)
        .write_u64(0x4010, 3)
        .write_u64(0x4018, 4);
    assert_eq!(
        x64("futimesat", [AT_FDCWD, 0x1000, 0x4000, 0, 0, 0], &mut g, 0),
        "futimesat(AT_FDCWD, \"/tmp/fsfam.d/null\", [{tv_sec=1, tv_usec=2} /* 1970-01-01T00:00:01.000002+0000 */, {tv_sec=3, tv_usec=4} /* 1970-01-01T00:00:03.000004+0000 */]) = 0"
    );
    g.write_u32(0x5000, 5).write_u32(0x5004, 6);
    assert_eq!(
        i386("utime", [0x1000, 0x5000, 0, 0, 0, 0], &mut g, 0),
        "utime(\"/tmp/fsfam.d/null\", {actime=5 /* 1970-01-01T00:00:05+0000 */, modtime=6 /* 1970-01-01T00:00:06+0000 */}) = 0"
    );
    assert_eq!(
        x64("utime", [0x1000, 0xdead_0000, 0, 0, 0, 0], &mut g, EFAULT),
        "utime(\"/tmp/fsfam.d/null\", 0xdead0000) = -1 EFAULT (Bad address)"
    );
}

#[test]
fn flags_of_file_calls() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/a\0").write(0x1100, b"/tmp/b\0");
    assert_eq!(
        x64(
            "renameat2",
            [AT_FDCWD, 0x1000, AT_FDCWD, 0x1100, 0x10, 0],
            &mut g,
            EINVAL
        ),
        "renameat2(AT_FDCWD, \"/tmp/a\", AT_FDCWD, \"/tmp/b\", 0x10 /* RENAME_?? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64(
            "renameat2",
            [AT_FDCWD, 0x1000, AT_FDCWD, 0x1100, 2, 0],
            &mut g,
            0
        ),
        "renameat2(AT_FDCWD, \"/tmp/a\", AT_FDCWD, \"/tmp/b\", RENAME_EXCHANGE) = 0"
    );
    assert_eq!(
        x64("faccessat2", [AT_FDCWD, 0x1000, 4, 0x300, 0, 0], &mut g, 0),
        "faccessat2(AT_FDCWD, \"/tmp/a\", R_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS) = 0"
    );
    assert_eq!(
        x64("faccessat2", [AT_FDCWD, 0x1000, 8, 1, 0, 0], &mut g, EINVAL),
        "faccessat2(AT_FDCWD, \"/tmp/a\", 0x8 /* ?_OK */, 0x1 /* AT_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("access", [0x1000, 0, 0, 0, 0, 0], &mut g, 0),
        "access(\"/tmp/a\", F_OK) = 0"
    );
    assert_eq!(
        x64("unlinkat", [AT_FDCWD, 0x1000, 0x200, 0, 0, 0], &mut g, 0),
        "unlinkat(AT_FDCWD, \"/tmp/a\", AT_REMOVEDIR) = 0"
    );
    assert_eq!(
        x64("fallocate", [3, 0, 0, 4096, 0, 0], &mut g, 0),
        "fallocate(3, 0, 0, 4096) = 0"
    );
    assert_eq!(
        x64("fallocate", [3, 3, 0, 1024, 0, 0], &mut g, 0),
        "fallocate(3, FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE, 0, 1024) = 0"
    );
    assert_eq!(
        i386("fallocate", [3, 0x80, 0, 0, 1, 0], &mut g, -95),
        "fallocate(3, 0x80 /* FALLOC_FL_??? */, 0, 1) = -1 EOPNOTSUPP (Operation not supported)"
    );
    assert_eq!(
        x64("fadvise64", [3, 10, 0, 4, 0, 0], &mut g, 0),
        "fadvise64(3, 10, 0, POSIX_FADV_DONTNEED) = 0"
    );
    assert_eq!(
        i386("fadvise64", [3, 0, 0, 100, 2, 0], &mut g, 0),
        "fadvise64(3, 0, 100, POSIX_FADV_SEQUENTIAL) = 0"
    );
    assert_eq!(
        i386("fadvise64", [3, 0, 0, 9, 0x80b_b01e, 0], &mut g, EINVAL),
        "fadvise64(3, 0, 9, 0x80bb01e /* POSIX_FADV_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        i386("sync_file_range", [3, 0, 0, 4096, 0, 3], &mut g, 0),
        "sync_file_range(3, 0, 4096, SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE) = 0"
    );
    assert_eq!(
        x64("readahead", [3, 0, 4096, 0, 0, 0], &mut g, 0),
        "readahead(3, 0, 4096) = 0"
    );
    assert_eq!(
        x64("flock", [3, 6, 0, 0, 0, 0], &mut g, 0),
        "flock(3, LOCK_EX|LOCK_NB) = 0"
    );
    assert_eq!(
        x64("flock", [3, 0x40, 0, 0, 0, 0], &mut g, EINVAL),
        "flock(3, LOCK_READ) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        i386("truncate64", [0x1000, 32, 0, 0, 0, 0], &mut g, 0),
        "truncate64(\"/tmp/a\", 32) = 0"
    );
    assert_eq!(
        i386("ftruncate64", [3, 0, 1, 0, 0, 0], &mut g, 0),
        "ftruncate64(3, 4294967296) = 0"
    );
    assert_eq!(
        x64("ftruncate", [3, 500_000_000, 0, 0, 0, 0], &mut g, 0),
        "ftruncate(3, 500000000) = 0"
    );
    assert_eq!(
        x64("close_range", [100, 0xffff_ffff, 4, 0, 0, 0], &mut g, 0),
        "close_range(100, 4294967295, CLOSE_RANGE_CLOEXEC) = 0"
    );
    assert_eq!(
        x64("close_range", [100, 200, 6, 0, 0, 0], &mut g, 0),
        "close_range(100, 200, CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC) = 0"
    );
    g.write(0x2000, b"fsfam-memfd\0");
    assert_eq!(
        x64("memfd_create", [0x2000, 3, 0, 0, 0, 0], &mut g, 9),
        "memfd_create(\"fsfam-memfd\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 9"
    );
    assert_eq!(
        x64(
            "memfd_create",
            [0x2000, 4 | (21 << 26), 0, 0, 0, 0],
            &mut g,
            12
        ),
        "memfd_create(\"fsfam-memfd\", MFD_HUGETLB|21<<MFD_HUGE_SHIFT) = 12"
    );
    assert_eq!(
        x64("memfd_create", [0x2000, 0x100, 0, 0, 0, 0], &mut g, EINVAL),
        "memfd_create(\"fsfam-memfd\", 0x100 /* MFD_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("memfd_secret", [0, 0, 0, 0, 0, 0], &mut g, 13),
        "memfd_secret(0) = 13"
    );
}

#[test]
fn fcntl_commands() {
    let mut g = TestGuest::new();
    // x86_64 struct flock: type, whence, start, len, pid.
    g.write(0x1000, &[0, 0, 0, 0, 0, 0, 0, 0])
        .write_u64(0x1008, 0)
        .write_u64(0x1010, 0);
    assert_eq!(
        x64("fcntl", [3, 6, 0x1000, 0, 0, 0], &mut g, 0),
        "fcntl(3, F_SETLK, {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = 0"
    );
    assert_eq!(
        x64_io(
            "fcntl",
            [3, 5, 0x1000, 0, 0, 0],
            &mut g,
            |e| {
                e.write(0x1000, &[2, 0, 1, 0])
                    .write_u64(0x1008, 10)
                    .write_u64(0x1010, 20)
                    .write_u32(0x1018, 0);
            },
            0
        ),
        "fcntl(3, F_GETLK, {l_type=F_UNLCK, l_whence=SEEK_CUR, l_start=10, l_len=20, l_pid=0}) = 0"
    );
    g.write(0x1000, &[1, 0, 2, 0])
        .write_u64(0x1008, (-5i64) as u64)
        .write_u64(0x1010, 5);
    assert_eq!(
        x64("fcntl", [3, 37, 0x1000, 0, 0, 0], &mut g, -11),
        "fcntl(3, F_OFD_SETLK, {l_type=F_WRLCK, l_whence=SEEK_END, l_start=-5, l_len=5}) = -1 EAGAIN (Resource temporarily unavailable)"
    );
    assert_eq!(
        x64("fcntl", [3, 6, 0xdead_0000, 0, 0, 0], &mut g, EFAULT),
        "fcntl(3, F_SETLK, 0xdead0000) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        x64("fcntl", [3, 5, 0x1000, 0, 0, 0], &mut g, EINVAL),
        "fcntl(3, F_GETLK, 0x1000) = -1 EINVAL (Invalid argument)"
    );
    // i386: the old struct flock and struct flock64 of fcntl64.
    g.write(0x2000, &[0, 0, 0, 0])
        .write_u32(0x2004, 0)
        .write_u32(0x2008, 0)
        .write_u32(0x200c, 0);
    assert_eq!(
        i386("fcntl64", [3, 6, 0x2000, 0, 0, 0], &mut g, 0),
        "fcntl64(3, F_SETLK, {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = 0"
    );
    g.write(0x3000, &[0, 0, 0, 0])
        .write_u64(0x3004, 0x1_0000_0000)
        .write_u64(0x300c, 1)
        .write_u32(0x3014, 0);
    assert_eq!(
        i386("fcntl64", [3, 13, 0x3000, 0, 0, 0], &mut g, 0),
        "fcntl64(3, F_SETLK64, {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=4294967296, l_len=1}) = 0"
    );
    assert_eq!(
        i386_io(
            "fcntl64",
            [3, 12, 0x3000, 0, 0, 0],
            &mut g,
            |e| {
                e.write(0x3000, &[2, 0, 0, 0]);
            },
            0
        ),
        "fcntl64(3, F_GETLK64, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=4294967296, l_len=1, l_pid=0}) = 0"
    );
    g.write_u32(0x4000, 2).write_u32(0x4004, 0);
    assert_eq!(
        x64("fcntl", [3, 15, 0x4000, 0, 0, 0], &mut g, 0),
        "fcntl(3, F_SETOWN_EX, {type=F_OWNER_PGRP, pid=0}) = 0"
    );
    assert_eq!(
        x64("fcntl", [3, 10, 36, 0, 0, 0], &mut g, 0),
        "fcntl(3, F_SETSIG, SIGRT_4) = 0"
    );
    assert_eq!(
        x64("fcntl", [3, 11, 0, 0, 0, 0], &mut g, 36),
        "fcntl(3, F_GETSIG) = 36 (SIGRT_4)"
    );
    assert_eq!(
        x64("fcntl", [3, 1024, 2, 0, 0, 0], &mut g, -11),
        "fcntl(3, F_SETLEASE, F_UNLCK) = -1 EAGAIN (Resource temporarily unavailable)"
    );
    assert_eq!(
        x64("fcntl", [3, 1025, 0, 0, 0, 0], &mut g, 2),
        "fcntl(3, F_GETLEASE) = 0x2 (F_UNLCK)"
    );
    assert_eq!(
        x64("fcntl", [7, 1026, 0x8000_000c, 0, 0, 0], &mut g, 0),
        "fcntl(7, F_NOTIFY, DN_CREATE|DN_DELETE|DN_MULTISHOT) = 0"
    );
    assert_eq!(
        x64("fcntl", [9, 1033, 6, 0, 0, 0], &mut g, 0),
        "fcntl(9, F_ADD_SEALS, F_SEAL_SHRINK|F_SEAL_GROW) = 0"
    );
    assert_eq!(
        x64("fcntl", [9, 1034, 0, 0, 0, 0], &mut g, 6),
        "fcntl(9, F_GET_SEALS) = 0x6 (seals F_SEAL_SHRINK|F_SEAL_GROW)"
    );
    assert_eq!(
        x64("fcntl", [7, 1031, 8192, 0, 0, 0], &mut g, 8192),
        "fcntl(7, F_SETPIPE_SZ, 8192) = 8192"
    );
    assert_eq!(
        x64("fcntl", [3, 9999, 5, 0, 0, 0], &mut g, EINVAL),
        "fcntl(3, 0x270f /* F_??? */, 0x5) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("fcntl", [3, 2, 1, 0, 0, 0], &mut g, 0),
        "fcntl(3, F_SETFD, FD_CLOEXEC) = 0"
    );
    assert_eq!(
        x64("fcntl", [3, 1, 0, 0, 0, 0], &mut g, 1),
        "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)"
    );
    assert_eq!(
        x64("fcntl", [8, 3, 0, 0, 0, 0], &mut g, 1),
        "fcntl(8, F_GETFL) = 0x1 (flags O_WRONLY)"
    );
}

#[test]
fn offsets_before_and_after() {
    let mut g = TestGuest::new();
    g.write_u64(0x1000, 0).write_u64(0x1008, 2);
    assert_eq!(
        x64_io(
            "sendfile",
            [7, 3, 0x1000, 4, 0, 0],
            &mut g,
            |e| {
                e.write_u64(0x1000, 4);
            },
            4
        ),
        "sendfile(7, 3, [0] => [4], 4) = 4"
    );
    assert_eq!(
        x64("sendfile", [7, 3, 0, 4, 0, 0], &mut g, 4),
        "sendfile(7, 3, NULL, 4) = 4"
    );
    assert_eq!(
        x64("sendfile", [7, 3, 0x1000, 4, 0, 0], &mut g, 0),
        "sendfile(7, 3, [0], 4) = 0"
    );
    g.write_u32(0x2000, 1);
    assert_eq!(
        i386_io(
            "sendfile",
            [7, 3, 0x2000, 4, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x2000, 5);
            },
            4
        ),
        "sendfile(7, 3, [1] => [5], 4) = 4"
    );
    assert_eq!(
        x64("copy_file_range", [3, 0x1000, 7, 0x1000, 5, 0], &mut g, 5),
        "copy_file_range(3, [0], 7, [0], 5, 0) = 5"
    );
    assert_eq!(
        x64("splice", [3, 0x1008, 9, 0, 6, 5], &mut g, 6),
        "splice(3, [2], 9, NULL, 6, SPLICE_F_MOVE|SPLICE_F_MORE) = 6"
    );
    assert_eq!(
        x64("tee", [8, 15, 6, 2, 0, 0], &mut g, 6),
        "tee(8, 15, 6, SPLICE_F_NONBLOCK) = 6"
    );
    assert_eq!(
        x64("splice", [3, 0, 7, 0, 6, 0x20], &mut g, EINVAL),
        "splice(3, NULL, 7, NULL, 6, 0x20 /* SPLICE_F_??? */) = -1 EINVAL (Invalid argument)"
    );
    g.write(0x3000, b"abc").write(0x3010, b"de");
    g.write_u64(0x4000, 0x3000)
        .write_u64(0x4008, 3)
        .write_u64(0x4010, 0x3010)
        .write_u64(0x4018, 2);
    assert_eq!(
        x64("vmsplice", [9, 0x4000, 2, 8, 0, 0], &mut g, 5),
        "vmsplice(9, [{iov_base=\"abc\", iov_len=3}, {iov_base=\"de\", iov_len=2}], 2, SPLICE_F_GIFT) = 5"
    );
}

#[test]
fn extended_attributes() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/fsfam.d/a\0")
        .write(0x1100, b"user.fsfam\0")
        .write(0x1200, b"value\0x")
        .write(0x1300, b"bin\x01\xff");
    assert_eq!(
        x64("setxattr", [0x1000, 0x1100, 0x1200, 7, 1, 0], &mut g, 0),
        "setxattr(\"/tmp/fsfam.d/a\", \"user.fsfam\", \"value\\0x\", 7, XATTR_CREATE) = 0"
    );
    assert_eq!(
        x64("fsetxattr", [3, 0x1100, 0x1300, 5, 0, 0], &mut g, 0),
        "fsetxattr(3, \"user.fsfam\", \"bin\\1\\377\", 5, 0) = 0"
    );
    assert_eq!(
        x64(
            "setxattr",
            [0x1000, 0x1100, 0x1200, 1, 4, 0],
            &mut g,
            EINVAL
        ),
        "setxattr(\"/tmp/fsfam.d/a\", \"user.fsfam\", \"v\", 1, 0x4 /* XATTR_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64_io(
            "getxattr",
            [0x1000, 0x1100, 0x2000, 64, 0, 0],
            &mut g,
            |e| {
                e.write(0x2000, b"v2");
            },
            2
        ),
        "getxattr(\"/tmp/fsfam.d/a\", \"user.fsfam\", \"v2\", 64) = 2"
    );
    assert_eq!(
        x64("lgetxattr", [0x1000, 0x1100, 0, 0, 0, 0], &mut g, 2),
        "lgetxattr(\"/tmp/fsfam.d/a\", \"user.fsfam\", NULL, 0) = 2"
    );
    assert_eq!(
        x64("getxattr", [0x1000, 0x1100, 0x2000, 64, 0, 0], &mut g, -61),
        "getxattr(\"/tmp/fsfam.d/a\", \"user.fsfam\", 0x2000, 64) = -1 ENODATA (No data available)"
    );
    assert_eq!(
        x64_io(
            "listxattr",
            [0x1000, 0x2000, 64, 0, 0, 0],
            &mut g,
            |e| {
                e.write(0x2000, b"user.fsfam\0user.other\0");
            },
            22
        ),
        "listxattr(\"/tmp/fsfam.d/a\", \"user.fsfam\\0user.other\\0\", 64) = 22"
    );
    assert_eq!(
        x64("llistxattr", [0x1000, 0, 0, 0, 0, 0], &mut g, 22),
        "llistxattr(\"/tmp/fsfam.d/a\", NULL, 0) = 22"
    );
    assert_eq!(
        x64("removexattr", [0x1000, 0x1100, 0, 0, 0, 0], &mut g, 0),
        "removexattr(\"/tmp/fsfam.d/a\", \"user.fsfam\") = 0"
    );
}

#[test]
fn openat2_and_file_handles() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/fsfam.d/a\0");
    g.write_u64(0x2000, 0o2000000)
        .write_u64(0x2008, 0)
        .write_u64(0x2010, 0x0c);
    assert_eq!(
        x64("openat2", [AT_FDCWD, 0x1000, 0x2000, 24, 0, 0], &mut g, -18),
        "openat2(AT_FDCWD, \"/tmp/fsfam.d/a\", {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH}, 24) = -1 EXDEV (Invalid cross-device link)"
    );
    g.write_u64(0x2000, 0o101)
        .write_u64(0x2008, 0o600)
        .write_u64(0x2010, 0x33);
    assert_eq!(
        x64("openat2", [AT_FDCWD, 0x1000, 0x2000, 24, 0, 0], &mut g, -11),
        "openat2(AT_FDCWD, \"/tmp/fsfam.d/a\", {flags=O_WRONLY|O_CREAT, mode=0600, resolve=RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT|RESOLVE_CACHED}, 24) = -1 EAGAIN (Resource temporarily unavailable)"
    );
    assert_eq!(
        x64(
            "openat2",
            [AT_FDCWD, 0x1000, 0x2000, 8, 0, 0],
            &mut g,
            EINVAL
        ),
        "openat2(AT_FDCWD, \"/tmp/fsfam.d/a\", 0x2000, 8) = -1 EINVAL (Invalid argument)"
    );
    g.write_u64(0x2018, 0x1);
    assert_eq!(
        x64("openat2", [AT_FDCWD, 0x1000, 0x2000, 32, 0, 0], &mut g, -7),
        "openat2(AT_FDCWD, \"/tmp/fsfam.d/a\", {flags=O_WRONLY|O_CREAT, mode=0600, resolve=RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT|RESOLVE_CACHED, /* bytes 24..31 */ \"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\"}, 32) = -1 E2BIG (Argument list too long)"
    );
    // name_to_handle_at: handle_bytes before and after.
    g.write_u32(0x3000, 128);
    let handle = [0xd2u8, 0x40, 0x99, 0x00, 0x05, 0x24, 0xce, 0xad];
    assert_eq!(
        x64_io(
            "name_to_handle_at",
            [AT_FDCWD, 0x1000, 0x3000, 0x4000, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x3000, 8)
                    .write_u32(0x3004, 1)
                    .write(0x3008, &handle)
                    .write_u32(0x4000, 43);
            },
            0
        ),
        "name_to_handle_at(AT_FDCWD, \"/tmp/fsfam.d/a\", {handle_bytes=128 => 8, handle_type=1, f_handle=\"\\xd2\\x40\\x99\\x00\\x05\\x24\\xce\\xad\"}, [43], 0) = 0"
    );
    g.write_u32(0x3000, 0);
    assert_eq!(
        x64_io(
            "name_to_handle_at",
            [AT_FDCWD, 0x1000, 0x3000, 0x4000, 0x400, 0],
            &mut g,
            |e| {
                e.write_u32(0x3000, 8);
            },
            -75
        ),
        "name_to_handle_at(AT_FDCWD, \"/tmp/fsfam.d/a\", {handle_bytes=0 => 8}, 0x4000, AT_SYMLINK_FOLLOW) = -1 EOVERFLOW (Value too large for defined data type)"
    );
    g.write_u32(0x3000, 8)
        .write_u32(0x3004, 1)
        .write(0x3008, &handle);
    assert_eq!(
        x64(
            "open_by_handle_at",
            [AT_FDCWD, 0x3000, 0, 0, 0, 0],
            &mut g,
            3
        ),
        "open_by_handle_at(-100, {handle_bytes=8, handle_type=1, f_handle=\"\\xd2\\x40\\x99\\x00\\x05\\x24\\xce\\xad\"}, O_RDONLY) = 3"
    );
}
