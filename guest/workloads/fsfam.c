/* vmscope-guest: x86 only: calls legacy x86 system calls (alarm, pause, open...) by number */
/* fsfam: the file-system, memory and ioctl families of calls, for the decoders' fidelity
 * (docs/fidelity.md), in /tmp/fsfam.d: open/openat flags (O_TMPFILE, O_PATH, ...), openat2,
 * faccessat/faccessat2 flags, fchmodat, fchownat, utimensat (UTIME_NOW/UTIME_OMIT), futimesat,
 * utimes, utime, mknod/mknodat (FIFO, character device), link/symlink/rename/renameat2 flags,
 * unlinkat, mkdirat, statfs/fstatfs, the stat family and statx, fallocate modes, fadvise64,
 * readahead, sync_file_range, flock, fcntl (locks and OFD locks, owners, leases, notify, seals,
 * signals, pipe sizes), memfd_create, memfd_secret, copy_file_range, sendfile, splice/tee/vmsplice,
 * extended attributes, getdents/getdents64, readlink, truncate/ftruncate, dup3, pipe2, close_range,
 * name_to_handle_at/open_by_handle_at; mmap/mprotect/munmap/mremap/madvise/msync/mincore, mlock,
 * mlock2, mlockall, NUMA policies, protection keys, process_madvise; terminal ioctls on a pty
 * (TCGETS/TCSETS*, window sizes, process groups, FIONREAD, FIONBIO), FS_IOC_GETFLAGS, unknown ioctls.
 * The program exits 0 whatever happens (the comparison with strace is what is measured). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>
#include <utime.h>

#define BAD ((void *)(uintptr_t)0xdead0000UL)
#define SC(...) syscall(__VA_ARGS__)
#define D "/tmp/fsfam.d"

static void say(const char *what, long r)
{
    printf("fsfam: %-28s %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static void opens(void)
{
    mkdir(D, 0755);
    int fd = open(D "/a", O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
    say("open creat", fd);
    write(fd, "0123456789abcdef", 16);
    say("open tmpfile", open(D, O_RDWR | O_TMPFILE, 0600));
    say("open path", open(D "/a", O_PATH | O_NOFOLLOW));
    say("open directory", open(D, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_NOATIME));
    say("open excl", open(D "/a", O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_SYNC, 0644));
    say("openat dirfd", openat(fd, "x", O_RDONLY | O_LARGEFILE));
    say("open bad", SC(SYS_open, BAD, O_RDONLY));
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .mode = 0, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH};
    say("openat2", SC(SYS_openat2, AT_FDCWD, D "/a", &how, sizeof how));
    how.flags = O_CREAT | O_WRONLY;
    how.mode = 0600;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_CACHED;
    say("openat2 creat", SC(SYS_openat2, AT_FDCWD, D "/b", &how, sizeof how));
    say("openat2 small", SC(SYS_openat2, AT_FDCWD, D "/a", &how, 8));
    say("openat2 bad", SC(SYS_openat2, AT_FDCWD, D "/a", BAD, sizeof how));
    say("creat", creat(D "/c", 0600));
    close(fd);
}

static void access_modes(void)
{
    say("access", access(D "/a", R_OK | W_OK));
    say("faccessat", SC(SYS_faccessat, AT_FDCWD, D "/a", X_OK));
    say("faccessat2", SC(SYS_faccessat2, AT_FDCWD, D "/a", R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW));
    say("faccessat2 empty", SC(SYS_faccessat2, AT_FDCWD, "", F_OK, AT_EMPTY_PATH));
    say("faccessat2 bad", SC(SYS_faccessat2, AT_FDCWD, D "/a", 8, 0x1));
    say("fchmodat", SC(SYS_fchmodat, AT_FDCWD, D "/a", 04755));
    say("chmod", chmod(D "/a", 0644));
    say("fchownat", fchownat(AT_FDCWD, D "/a", 0, 0, AT_SYMLINK_NOFOLLOW));
    say("fchownat -1", fchownat(AT_FDCWD, D "/a", -1, -1, 0));
    say("chown", chown(D "/a", 0, 0));
    say("lchown", lchown(D "/a", -1, 0));
    struct timespec ts[2] = {{0, UTIME_NOW}, {123, UTIME_OMIT}};
    say("utimensat", utimensat(AT_FDCWD, D "/a", ts, 0));
    ts[0].tv_sec = 1;
    ts[0].tv_nsec = 2;
    ts[1].tv_sec = 1700000000;
    ts[1].tv_nsec = 999;
    say("utimensat times", utimensat(AT_FDCWD, D "/a", ts, AT_SYMLINK_NOFOLLOW));
    say("utimensat NULL", utimensat(AT_FDCWD, D "/a", NULL, 0));
    struct timeval tv[2] = {{1, 2}, {3, 4}};
    say("utimes", utimes(D "/a", tv));
#ifdef SYS_futimesat
    say("futimesat", SC(SYS_futimesat, AT_FDCWD, D "/a", tv));
#endif
#ifdef SYS_utime
    struct utimbuf ub = {5, 6};
    say("utime", SC(SYS_utime, D "/a", &ub));
    say("utime NULL", SC(SYS_utime, D "/a", NULL));
#endif
}

static void nodes(void)
{
    say("mknod fifo", mknod(D "/fifo", S_IFIFO | 0600, 0));
    say("mknodat chr", mknodat(AT_FDCWD, D "/null", S_IFCHR | 0666, makedev(1, 3)));
    say("mknodat blk", mknodat(AT_FDCWD, D "/blk", S_IFBLK | 0600, makedev(259, 65537)));
    say("mknod reg", mknod(D "/reg", 0600, 0));
    say("link", link(D "/a", D "/a.link"));
    say("linkat", linkat(AT_FDCWD, D "/a", AT_FDCWD, D "/a.link2", AT_SYMLINK_FOLLOW));
    say("symlink", symlink("a", D "/a.sym"));
    say("symlinkat", symlinkat("missing", AT_FDCWD, D "/m.sym"));
    say("rename", rename(D "/a.link", D "/a.link3"));
    say("renameat", renameat(AT_FDCWD, D "/a.link3", AT_FDCWD, D "/a.link4"));
    say("renameat2 noreplace", SC(SYS_renameat2, AT_FDCWD, D "/a.link4", AT_FDCWD, D "/a", RENAME_NOREPLACE));
    say("renameat2 exchange", SC(SYS_renameat2, AT_FDCWD, D "/a.link4", AT_FDCWD, D "/c", RENAME_EXCHANGE));
    say("renameat2 whiteout", SC(SYS_renameat2, AT_FDCWD, D "/c", AT_FDCWD, D "/c2", RENAME_WHITEOUT));
    say("renameat2 bad", SC(SYS_renameat2, AT_FDCWD, D "/c", AT_FDCWD, D "/c2", 0x10));
    say("mkdirat", mkdirat(AT_FDCWD, D "/sub", 0700));
    say("unlinkat dir", unlinkat(AT_FDCWD, D "/sub", AT_REMOVEDIR));
    say("unlinkat", unlinkat(AT_FDCWD, D "/a.link4", 0));
    say("unlink", unlink(D "/a.link2"));
}

static void stats(void)
{
    struct stat st;
    struct statfs sf;
    say("stat", stat(D "/a", &st));
    say("lstat", lstat(D "/a.sym", &st));
    say("stat chr", stat(D "/null", &st));
    say("fstatat", fstatat(AT_FDCWD, D "/a.sym", &st, AT_SYMLINK_NOFOLLOW));
    say("fstatat empty", fstatat(0, "", &st, AT_EMPTY_PATH));
    #ifdef __i386__
    say("stat64 bad", SC(SYS_stat64, D "/a", BAD));
    say("fstatat64", SC(SYS_fstatat64, AT_FDCWD, D "/a", &st, 0));
    say("lstat64", SC(SYS_lstat64, D "/a.sym", &st));
    say("fstat64", SC(SYS_fstat64, 0, &st));
#else
    say("stat bad", SC(SYS_stat, D "/a", BAD));
    say("newfstatat", SC(SYS_newfstatat, AT_FDCWD, D "/a", &st, 0));
    say("fstat", SC(SYS_fstat, 0, &st));
#endif
    say("statfs", statfs(D, &sf));
    int fd = open(D "/a", O_RDWR);
    say("fstatfs", fstatfs(fd, &sf));
    say("statfs proc", statfs("/proc", &sf));
#ifdef SYS_statfs64
    say("statfs64", SC(SYS_statfs64, D, sizeof(struct statfs64), &sf));
    say("fstatfs64", SC(SYS_fstatfs64, fd, sizeof(struct statfs64), &sf));
#endif
    struct statx sx;
    say("statx", statx(AT_FDCWD, D "/a", AT_SYMLINK_NOFOLLOW, STATX_ALL, &sx));
    say("statx basic", statx(AT_FDCWD, D "/null", AT_STATX_DONT_SYNC, STATX_BASIC_STATS | STATX_BTIME, &sx));
    say("statx mnt", statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_MNT_ID | STATX_TYPE, &sx));
    say("statx bad", statx(AT_FDCWD, D "/a", 0, 0x80000000u, &sx));
#if defined(__i386__)
    say("oldstat", SC(SYS_stat, D "/a", &st));
    say("oldfstat", SC(SYS_fstat, fd, &st));
#endif
    close(fd);
}

static void data_ops(void)
{
    int fd = open(D "/a", O_RDWR);
    say("fallocate 0", fallocate(fd, 0, 0, 4096));
    say("fallocate keep", fallocate(fd, FALLOC_FL_KEEP_SIZE, 4096, 4096));
    say("fallocate punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1024));
    say("fallocate zero", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 1024));
    say("fallocate bad", fallocate(fd, 0x80, 0, 1));
    say("fadvise", posix_fadvise(fd, 0, 100, POSIX_FADV_SEQUENTIAL));
    say("fadvise dontneed", posix_fadvise(fd, 10, 0, POSIX_FADV_DONTNEED));
    say("fadvise bad", SC(SYS_fadvise64, fd, 0, 0, 9));
    say("readahead", readahead(fd, 0, 4096));
    say("sync_file_range", sync_file_range(fd, 0, 4096, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE));
    say("sync_file_range 0", sync_file_range(fd, 0, 0, 0));
    say("flock", flock(fd, LOCK_EX | LOCK_NB));
    say("flock un", flock(fd, LOCK_UN));
    say("flock sh", flock(fd, LOCK_SH));
    say("flock bad", flock(fd, 0x40));
    say("truncate", truncate(D "/a", 100));
    say("ftruncate", ftruncate(fd, 500000000));
    say("ftruncate back", ftruncate(fd, 32));
    say("truncate bad", truncate(D "/none", 1));
#if defined(__i386__)
    say("truncate64", SC(SYS_truncate64, D "/a", 32, 0));
    say("ftruncate64", SC(SYS_ftruncate64, fd, 32, 0));
#endif
    close(fd);
}

static void fcntls(void)
{
    int fd = open(D "/a", O_RDWR);
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    say("fcntl GETFD", fcntl(fd, F_GETFD));
    say("fcntl SETFD", fcntl(fd, F_SETFD, FD_CLOEXEC));
    say("fcntl GETFD 2", fcntl(fd, F_GETFD));
    say("fcntl GETFL", fcntl(fd, F_GETFL));
    say("fcntl SETFL", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
    say("fcntl DUPFD", fcntl(fd, F_DUPFD, 10));
    say("fcntl DUPFD_CLOEXEC", fcntl(fd, F_DUPFD_CLOEXEC, 20));
    say("fcntl SETLK", fcntl(fd, F_SETLK, &fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_CUR;
    fl.l_start = 10;
    fl.l_len = 20;
    say("fcntl SETLKW", fcntl(fd, F_SETLKW, &fl));
    say("fcntl GETLK", fcntl(fd, F_GETLK, &fl));
    fl.l_type = F_UNLCK;
    say("fcntl SETLK unlock", fcntl(fd, F_SETLK, &fl));
    struct flock ofd = {.l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -5, .l_len = 5, .l_pid = 0};
    say("fcntl OFD_SETLK", fcntl(fd, F_OFD_SETLK, &ofd));
    say("fcntl OFD_GETLK", fcntl(fd, F_OFD_GETLK, &ofd));
    ofd.l_type = F_UNLCK;
    say("fcntl OFD_SETLKW", fcntl(fd, F_OFD_SETLKW, &ofd));
    say("fcntl SETLK bad", fcntl(fd, F_SETLK, BAD));
#if defined(__i386__)
    struct flock64 f64 = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0x100000000LL, .l_len = 1};
    say("fcntl64 SETLK64", SC(SYS_fcntl64, fd, 13 /* F_SETLK64 */, &f64));
    say("fcntl64 GETLK64", SC(SYS_fcntl64, fd, 12 /* F_GETLK64 */, &f64));
    say("fcntl old GETLK", SC(SYS_fcntl, fd, F_GETLK, &fl));
#endif
    say("fcntl SETOWN", fcntl(fd, F_SETOWN, getpid()));
    say("fcntl GETOWN", fcntl(fd, F_GETOWN));
    struct f_owner_ex ox = {F_OWNER_PGRP, 0};
    say("fcntl SETOWN_EX", fcntl(fd, F_SETOWN_EX, &ox));
    say("fcntl GETOWN_EX", fcntl(fd, F_GETOWN_EX, &ox));
    say("fcntl SETSIG", fcntl(fd, F_SETSIG, SIGIO));
    say("fcntl SETSIG RT", fcntl(fd, F_SETSIG, SIGRTMIN + 2));
    say("fcntl GETSIG", fcntl(fd, F_GETSIG));
    say("fcntl SETSIG 0", fcntl(fd, F_SETSIG, 0));
    say("fcntl SETLEASE", fcntl(fd, F_SETLEASE, F_UNLCK));
    say("fcntl GETLEASE", fcntl(fd, F_GETLEASE));
    int dfd = open(D, O_RDONLY);
    say("fcntl NOTIFY", fcntl(dfd, F_NOTIFY, DN_CREATE | DN_DELETE | DN_MULTISHOT));
    say("fcntl NOTIFY 0", fcntl(dfd, F_NOTIFY, 0));
    close(dfd);
    int pfd[2];
    pipe(pfd);
    say("fcntl GETPIPE_SZ", fcntl(pfd[0], F_GETPIPE_SZ));
    say("fcntl SETPIPE_SZ", fcntl(pfd[0], F_SETPIPE_SZ, 8192));
    int mfd = memfd_create("fsfam-memfd", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    say("memfd_create", mfd);
    say("fcntl ADD_SEALS", fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
    say("fcntl GET_SEALS", fcntl(mfd, F_GET_SEALS));
    say("fcntl ADD_SEALS 0", fcntl(mfd, F_ADD_SEALS, 0));
    say("memfd_create huge", memfd_create("fsfam-huge", MFD_HUGETLB | (21 << 26)));
    say("memfd_create bad", memfd_create("x", 0x100));
    say("memfd_secret", SC(447, 0));
    say("fcntl bad cmd", fcntl(fd, 9999, 5));
    say("fcntl GETFL pipe", fcntl(pfd[1], F_GETFL));
    close(pfd[0]);
    close(pfd[1]);
    close(mfd);
    close(fd);
}

static void copies(void)
{
    int in = open(D "/a", O_RDONLY);
    int out = open(D "/copy", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    loff_t oi = 0, oo = 0;
    say("copy_file_range", copy_file_range(in, &oi, out, &oo, 5, 0));
    say("copy_file_range null", copy_file_range(in, NULL, out, NULL, 3, 0));
    off_t o = 0;
    say("sendfile", sendfile(out, in, &o, 4));
    say("sendfile null", sendfile(out, in, NULL, 4));
#if defined(__i386__)
    int32_t o32 = 1;
    say("sendfile old", SC(SYS_sendfile, out, in, &o32, 4));
#endif
    int p[2], q[2];
    pipe2(p, O_CLOEXEC);
    pipe2(q, O_NONBLOCK | O_DIRECT);
    loff_t so = 2;
    say("splice in", splice(in, &so, p[1], NULL, 6, SPLICE_F_MOVE | SPLICE_F_MORE));
    say("tee", tee(p[0], q[1], 6, SPLICE_F_NONBLOCK));
    say("splice out", splice(p[0], NULL, out, NULL, 6, 0));
    char b1[4] = "abc", b2[3] = "de";
    struct iovec iov[2] = {{b1, 3}, {b2, 2}};
    say("vmsplice", vmsplice(p[1], iov, 2, SPLICE_F_GIFT));
    say("splice bad", splice(in, NULL, out, NULL, 6, 0x20));
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    say("dup3", dup3(in, 50, O_CLOEXEC));
    say("dup3 bad", dup3(in, in, 0));
    say("close_range", SC(SYS_close_range, 50, 60, 0));
    say("close_range cloexec", SC(SYS_close_range, 100, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */));
    say("close_range unshare", SC(SYS_close_range, 100, 200, 2 | 4));
    close(in);
    close(out);
}

static void xattrs(void)
{
    char buf[64];
    int fd = open(D "/a", O_RDWR);
    say("setxattr", setxattr(D "/a", "user.fsfam", "value\0x", 7, XATTR_CREATE));
    say("lsetxattr", lsetxattr(D "/a", "user.fsfam", "v2", 2, XATTR_REPLACE));
    say("fsetxattr", fsetxattr(fd, "user.other", "bin\001\377", 5, 0));
    say("getxattr", getxattr(D "/a", "user.fsfam", buf, sizeof buf));
    say("lgetxattr size", lgetxattr(D "/a", "user.fsfam", NULL, 0));
    say("fgetxattr", fgetxattr(fd, "user.other", buf, sizeof buf));
    say("getxattr missing", getxattr(D "/a", "user.none", buf, sizeof buf));
    say("listxattr", listxattr(D "/a", buf, sizeof buf));
    say("llistxattr size", llistxattr(D "/a", NULL, 0));
    say("flistxattr", flistxattr(fd, buf, sizeof buf));
    say("removexattr", removexattr(D "/a", "user.fsfam"));
    say("lremovexattr missing", lremovexattr(D "/a", "user.fsfam"));
    say("fremovexattr", fremovexattr(fd, "user.other"));
    say("setxattr bad flags", setxattr(D "/a", "user.x", "v", 1, 4));
    close(fd);
}

static void dirs(void)
{
    char buf[2048];
    int fd = open(D, O_RDONLY | O_DIRECTORY);
    say("getdents64", SC(SYS_getdents64, fd, buf, sizeof buf));
    say("getdents64 end", SC(SYS_getdents64, fd, buf, sizeof buf));
    lseek(fd, 0, SEEK_SET);
#ifdef SYS_getdents
    say("getdents", SC(SYS_getdents, fd, buf, sizeof buf));
#endif
    say("getdents64 small", SC(SYS_getdents64, fd, buf, 4));
    close(fd);
    say("readlink", readlink(D "/a.sym", buf, sizeof buf));
    say("readlinkat", readlinkat(AT_FDCWD, D "/m.sym", buf, 3));
    say("readlink not", readlink(D "/a", buf, sizeof buf));
    int p[2];
    say("pipe2", pipe2(p, O_CLOEXEC | O_NONBLOCK));
    close(p[0]);
    close(p[1]);
    struct file_handle *fh = malloc(sizeof *fh + 128);
    fh->handle_bytes = 128;
    int mnt;
    say("name_to_handle_at", name_to_handle_at(AT_FDCWD, D "/a", fh, &mnt, 0));
    fh->handle_bytes = 0;
    say("name_to_handle_at small", name_to_handle_at(AT_FDCWD, D "/a", fh, &mnt, AT_SYMLINK_FOLLOW));
    fh->handle_bytes = 8;
    fh->handle_type = 1;
    say("open_by_handle_at", open_by_handle_at(AT_FDCWD, fh, O_RDONLY));
    free(fh);
}

static void memory(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    say("mmap", p == MAP_FAILED ? -1 : 0);
    say("mprotect", mprotect(p, ps, PROT_READ | PROT_EXEC));
    unsigned char vec[8];
    say("mincore", mincore(p, 4 * ps, vec));
    munmap(p + 2 * ps, ps);
    say("mincore hole", mincore(p, 4 * ps, vec));
    say("mlock", mlock(p, ps));
    say("munlock", munlock(p, ps));
    say("mlock2", SC(SYS_mlock2, p, ps, 1 /* MLOCK_ONFAULT */));
    say("mlock2 bad", SC(SYS_mlock2, p, ps, 2));
    say("mlockall", mlockall(MCL_CURRENT | MCL_ONFAULT));
    say("munlockall", munlockall());
    say("mlockall bad", mlockall(0));
    say("madvise", madvise(p, ps, MADV_DONTNEED));
    say("madvise hugepage", madvise(p, ps, MADV_NOHUGEPAGE));
    say("msync", msync(p, ps, MS_ASYNC | MS_INVALIDATE));
    char *q = mremap(p, ps, 2 * ps, MREMAP_MAYMOVE);
    say("mremap", q == MAP_FAILED ? -1 : 0);
    unsigned long mask = 1, maxnode = 64;
    int mode;
    say("get_mempolicy", SC(SYS_get_mempolicy, &mode, &mask, maxnode, NULL, 0));
    say("set_mempolicy", SC(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0));
    say("set_mempolicy bind", SC(SYS_set_mempolicy, 2 /* MPOL_BIND */ | (1 << 15), &mask, maxnode));
    say("mbind", SC(SYS_mbind, q, ps, 1 /* MPOL_PREFERRED */, &mask, maxnode, 1 /* MPOL_MF_STRICT */));
    say("get_mempolicy addr", SC(SYS_get_mempolicy, &mode, NULL, 0, q, 2 | 1 /* MPOL_F_ADDR|NODE */));
    int k = SC(SYS_pkey_alloc, 0, 1 /* PKEY_DISABLE_ACCESS */);
    say("pkey_alloc", k);
    say("pkey_mprotect", SC(SYS_pkey_mprotect, q, ps, PROT_READ, k));
    say("pkey_free", SC(SYS_pkey_free, k));
    say("pkey_alloc bad", SC(SYS_pkey_alloc, 1, 0));
    int pfd = SC(SYS_pidfd_open, getpid(), 0);
    struct iovec iv = {q, ps};
    say("process_madvise", SC(SYS_process_madvise, pfd, &iv, 1, MADV_COLD, 0));
    close(pfd);
    char *m = mmap((void *)0x50000000, ps, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    say("mmap fixed", m == MAP_FAILED ? -1 : 0);
    say("mmap bad", mmap(NULL, ps, PROT_READ, MAP_SHARED, 99, 0) == MAP_FAILED ? -1 : 0);
    munmap(m, ps);
    munmap(q, 2 * ps);
}

static void ioctls(void)
{
    mkdir("/dev/pts", 0755);
    mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666");
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
    say("open ptmx", m);
    int unlock = 0, n = 0;
    say("TIOCSPTLCK", ioctl(m, TIOCSPTLCK, &unlock));
    say("TIOCGPTN", ioctl(m, TIOCGPTN, &n));
    char name[64];
    snprintf(name, sizeof name, "/dev/pts/%d", n);
    int s = open(name, O_RDWR | O_NOCTTY);
    say("open pts", s);
    struct termios t;
    say("TCGETS", ioctl(s, TCGETS, &t));
    t.c_lflag &= ~ECHO;
    say("TCSETS", ioctl(s, TCSETS, &t));
    say("TCSETSW", ioctl(s, TCSETSW, &t));
    say("TCSETSF", ioctl(s, TCSETSF, &t));
    say("tcgetattr", tcgetattr(s, &t));
    struct winsize ws = {24, 80, 0, 0};
    say("TIOCSWINSZ", ioctl(s, TIOCSWINSZ, &ws));
    say("TIOCGWINSZ", ioctl(s, TIOCGWINSZ, &ws));
    say("FIONREAD", ioctl(s, FIONREAD, &n));
    int one = 1;
    say("FIONBIO", ioctl(s, FIONBIO, &one));
    say("TIOCGPGRP", ioctl(s, TIOCGPGRP, &n));
    say("TIOCSCTTY", ioctl(s, TIOCSCTTY, 0));
    say("TIOCGSID", ioctl(s, TIOCGSID, &n));
    say("TIOCOUTQ", ioctl(s, TIOCOUTQ, &n));
    say("TCFLSH", ioctl(s, TCFLSH, TCIOFLUSH));
    say("TCXONC", ioctl(s, TCXONC, TCOON));
    say("TCSBRK", ioctl(s, TCSBRK, 1));
    say("TIOCEXCL", ioctl(s, TIOCEXCL));
    say("TIOCNXCL", ioctl(s, TIOCNXCL));
    say("TIOCGETD", ioctl(s, TIOCGETD, &n));
    say("TIOCMGET", ioctl(s, TIOCMGET, &n));
    say("TCGETS bad", ioctl(s, TCGETS, BAD));
    say("TIOCGWINSZ bad", ioctl(m, TIOCGWINSZ, BAD));
    close(s);
    close(m);
    umount("/dev/pts");
    int fd = open(D "/a", O_RDONLY);
    long fl = 0;
    say("FS_IOC_GETFLAGS", ioctl(fd, FS_IOC_GETFLAGS, &fl));
    say("FIONREAD file", ioctl(fd, FIONREAD, &n));
    say("FIGETBSZ", ioctl(fd, FIGETBSZ, &n));
    say("FIOCLEX", ioctl(fd, FIOCLEX));
    say("FIONCLEX", ioctl(fd, FIONCLEX));
    say("TCGETS file", ioctl(fd, TCGETS, &t));
    say("unknown ioctl", ioctl(fd, _IOC(_IOC_READ, 0xf5, 0x12, 16), &t));
    say("unknown ioctl none", ioctl(fd, _IO(0xf5, 0x13), 0));
    say("unknown ioctl rw", ioctl(fd, _IOWR('X', 0x99, int), 0));
    say("unknown ioctl 0", ioctl(fd, 0x4242, 7));
    say("BLKGETSIZE64", ioctl(fd, BLKGETSIZE64, &fl));
    say("BLKSSZGET", ioctl(fd, BLKSSZGET, &n));
    say("BLKROGET", ioctl(fd, BLKROGET, &n));
    say("FS_IOC_GETVERSION", ioctl(fd, FS_IOC_GETVERSION, &n));
    say("FICLONE", ioctl(fd, FICLONE, 0));
    close(fd);
}

static void cleanup(void)
{
    const char *names[] = {"a", "b", "c", "c2", "copy", "fifo", "null", "blk", "reg", "a.sym", "m.sym", "a.link3"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        char p[64];
        snprintf(p, sizeof p, D "/%s", names[i]);
        unlink(p);
    }
    say("rmdir", rmdir(D));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    opens();
    access_modes();
    nodes();
    stats();
    data_ops();
    fcntls();
    copies();
    xattrs();
    dirs();
    memory();
    ioctls();
    cleanup();
    fflush(stdout);
    return 0;
}
