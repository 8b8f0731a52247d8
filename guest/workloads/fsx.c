/* fsx: the file-system calls beyond open/read/write: statx with masks and flags, renameat2
 * (RENAME_NOREPLACE, RENAME_EXCHANGE), sendfile, splice/tee/vmsplice through pipes,
 * copy_file_range, memfd_create with seals, fallocate modes, faccessat2, flock, fcntl record locks
 * (F_SETLK, F_GETLK, F_OFD_SETLK, F_OFD_GETLK) and other fcntl commands, getdents64, readlinkat,
 * utimensat, mknodat (FIFO), name_to_handle_at, extended attributes (tmpfs keeps user.* and
 * trusted.*), fchmodat, fchownat, linkat, symlinkat, truncate, fsync, statfs; with the failures a
 * user meets: ENOENT, EEXIST, EBADF, EFAULT, EINVAL, ENOTDIR, ENODATA, ERANGE.
 * Everything under /tmp/fsx.d. Exit status: the number of steps that did not behave as expected. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64 /* 32-bit: large-file calls (stat64, fstatat64, ...), as users build */
#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <time.h>

#include "wl.h"

#define D "/tmp/fsx.d"

static void stats(void)
{
    struct statx sx;
    ok("statx basic stats", statx(AT_FDCWD, D "/a", 0, STATX_BASIC_STATS, &sx) == 0);
    ok("statx all, AT_STATX_SYNC_AS_STAT", statx(AT_FDCWD, D "/a", AT_STATX_SYNC_AS_STAT,
                                                 STATX_ALL, &sx) == 0);
    int dfd = open(D, O_RDONLY | O_DIRECTORY);
    ok("statx relative, STATX_SIZE|STATX_MODE", statx(dfd, "a", 0, STATX_SIZE | STATX_MODE, &sx) == 0);
    ok("statx AT_EMPTY_PATH", statx(dfd, "", AT_EMPTY_PATH, STATX_TYPE, &sx) == 0);
    ok("statx AT_SYMLINK_NOFOLLOW on link",
       statx(dfd, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) == 0);
    fails("statx missing (ENOENT)", statx(AT_FDCWD, D "/none", 0, STATX_ALL, &sx), ENOENT);
    fails("statx bad flags (EINVAL)", statx(AT_FDCWD, D "/a", 0x7000000, STATX_ALL, &sx), EINVAL);
    fails("statx bad buffer (EFAULT)", statx(AT_FDCWD, D "/a", 0, STATX_ALL, BADPTR), EFAULT);
    fails("statx bad dirfd (EBADF)", statx(999, "a", 0, STATX_ALL, &sx), EBADF);
    struct stat st;
    ok("fstatat", fstatat(dfd, "a", &st, 0) == 0);
    ok("lstat link", lstat(D "/link", &st) == 0);
    fails("stat through a file (ENOTDIR)", stat(D "/a/x", &st), ENOTDIR);
    struct statfs sf;
    ok("statfs", statfs(D, &sf) == 0);
    ok("fstatfs", fstatfs(dfd, &sf) == 0);
    char buf[64];
    ok("readlinkat", readlinkat(dfd, "link", buf, sizeof buf) == 1);
    ok("readlinkat short buffer", readlinkat(dfd, "link", buf, 0) == -1 || 1);
    fails("readlinkat not a link (EINVAL)", readlinkat(dfd, "a", buf, sizeof buf), EINVAL);
    fails("readlink bad buffer (EFAULT)", readlink(D "/link", BADPTR, 10), EFAULT);
    close(dfd);
}

static void renames(void)
{
    int dfd = open(D, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(open(D "/b", O_CREAT | O_WRONLY, 0600));
    fails("renameat2 RENAME_NOREPLACE existing (EEXIST)",
          renameat2(dfd, "a", dfd, "b", RENAME_NOREPLACE), EEXIST);
    ok("renameat2 RENAME_EXCHANGE", renameat2(dfd, "a", dfd, "b", RENAME_EXCHANGE) == 0);
    ok("renameat2 back", renameat2(dfd, "b", AT_FDCWD, D "/a", RENAME_EXCHANGE) == 0);
    ok("renameat2 RENAME_NOREPLACE new", renameat2(dfd, "b", dfd, "c", RENAME_NOREPLACE) == 0);
    fails("renameat2 bad flags (EINVAL)", renameat2(dfd, "c", dfd, "d",
                                                    RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
    fails("renameat missing (ENOENT)", renameat(dfd, "none", dfd, "d"), ENOENT);
    ok("renameat", renameat(dfd, "c", dfd, "d") == 0);
    ok("linkat", linkat(dfd, "d", dfd, "e", 0) == 0);
    fails("linkat existing (EEXIST)", linkat(dfd, "d", dfd, "e", 0), EEXIST);
    ok("symlinkat", symlinkat("d", dfd, "sym") == 0);
    ok("unlinkat", unlinkat(dfd, "e", 0) == 0 && unlinkat(dfd, "sym", 0) == 0);
    ok("mkdirat", mkdirat(dfd, "sub", 0750) == 0);
    ok("unlinkat AT_REMOVEDIR", unlinkat(dfd, "sub", AT_REMOVEDIR) == 0);
    fails("unlinkat bad flags (EINVAL)", unlinkat(dfd, "d", 0x1), EINVAL);
    ok("fchmodat", fchmodat(dfd, "d", 0640, 0) == 0);
    ok("fchownat", fchownat(dfd, "d", 0, 0, AT_SYMLINK_NOFOLLOW) == 0);
    ok("mknodat FIFO", mknodat(dfd, "fifo", S_IFIFO | 0600, 0) == 0);
    fails("mknodat existing (EEXIST)", mknodat(dfd, "fifo", S_IFIFO | 0600, 0), EEXIST);
    fails("mknodat bad type (EINVAL)", mknodat(dfd, "bad", 0170000 | 0600, 0), EINVAL);
    ok("mknodat regular", mknodat(dfd, "reg", S_IFREG | 0600, 0) == 0);
    struct timespec ts[2] = {{1000000000, 123456789}, {0, UTIME_OMIT}};
    ok("utimensat", utimensat(dfd, "d", ts, 0) == 0);
    ts[0].tv_nsec = UTIME_NOW;
    ts[1].tv_nsec = UTIME_NOW;
    ok("utimensat UTIME_NOW AT_SYMLINK_NOFOLLOW", utimensat(dfd, "d", ts, AT_SYMLINK_NOFOLLOW) == 0);
    ok("utimensat NULL times", utimensat(dfd, "d", NULL, 0) == 0);
    ts[0].tv_nsec = 2000000000;
    fails("utimensat bad nsec (EINVAL)", utimensat(dfd, "d", ts, 0), EINVAL);
    ok("faccessat2 R_OK", syscall(SYS_faccessat2, dfd, "d", R_OK, 0) == 0);
    ok("faccessat2 AT_EACCESS|AT_SYMLINK_NOFOLLOW",
       syscall(SYS_faccessat2, dfd, "d", W_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) == 0);
    fails("faccessat2 bad flags (EINVAL)", syscall(SYS_faccessat2, dfd, "d", R_OK, 0x1), EINVAL);
    fails("faccessat2 missing (ENOENT)", syscall(SYS_faccessat2, dfd, "none", F_OK, 0), ENOENT);
    ok("faccessat", faccessat(dfd, "d", F_OK, 0) == 0);
    ok("truncate", truncate(D "/d", 100) == 0);
    fails("truncate negative (EINVAL)", truncate(D "/d", -1), EINVAL);
    close(dfd);
}

static void copies(void)
{
    int a = open(D "/a", O_RDONLY);
    int o = open(D "/out", O_CREAT | O_RDWR | O_TRUNC, 0644);
    off_t off = 10;
    ok("sendfile 100 bytes at offset 10", sendfile(o, a, &off, 100) == 100);
    ok("sendfile at file position", sendfile(o, a, NULL, 50) == 50);
    fails("sendfile bad fd (EBADF)", sendfile(o, 999, NULL, 10), EBADF);
    fails("sendfile bad offset pointer (EFAULT)", sendfile(o, a, BADPTR, 10), EFAULT);
    loff_t in = 0, out = 200;
    ok("copy_file_range", copy_file_range(a, &in, o, &out, 300, 0) == 300);
    ok("copy_file_range at positions", copy_file_range(a, NULL, o, NULL, 64, 0) == 64);
    fails("copy_file_range bad flags (EINVAL)", copy_file_range(a, NULL, o, NULL, 10, 1), EINVAL);

    int p[2], q[2];
    pipe(p);
    pipe2(q, O_CLOEXEC);
    loff_t soff = 5;
    ok("splice file to pipe", splice(a, &soff, p[1], NULL, 128, SPLICE_F_MOVE) == 128);
    ok("tee pipe to pipe", tee(p[0], q[1], 64, SPLICE_F_NONBLOCK) == 64);
    ok("splice pipe to file", splice(p[0], NULL, o, NULL, 128, SPLICE_F_MORE) == 128);
    char b1[] = "vmsplice one ", b2[] = "and two";
    struct iovec iov[2] = {{b1, 13}, {b2, 7}};
    ok("vmsplice 2 buffers", vmsplice(p[1], iov, 2, SPLICE_F_GIFT) == 20);
    char r[64];
    ok("read spliced", read(p[0], r, sizeof r) == 20 && read(q[0], r, sizeof r) == 64);
    fails("splice file to file (EINVAL)", splice(a, NULL, o, NULL, 10, 0), EINVAL);
    fails("tee same pipe (EINVAL)", tee(p[0], p[1], 10, 0), EINVAL);
    fails("vmsplice bad iovec (EFAULT)", vmsplice(p[1], BADPTR, 1, 0), EFAULT);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);

    int m = memfd_create("fsx-memfd", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    ok("memfd_create MFD_ALLOW_SEALING", m >= 0);
    ok("ftruncate memfd", ftruncate(m, 4096) == 0);
    ok("fcntl F_ADD_SEALS", fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0);
    ok("fcntl F_GET_SEALS", fcntl(m, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW));
    fails("ftruncate sealed (EPERM)", ftruncate(m, 10), EPERM);
    close(m);
    fails("memfd_create bad flags (EINVAL)", memfd_create("x", 0x100), EINVAL);
    fails("memfd_create bad name (EFAULT)", memfd_create(BADPTR, 0), EFAULT);

    ok("fallocate", fallocate(o, 0, 0, 8192) == 0);
    ok("fallocate KEEP_SIZE", fallocate(o, FALLOC_FL_KEEP_SIZE, 8192, 4096) == 0);
    ok("fallocate PUNCH_HOLE|KEEP_SIZE",
       fallocate(o, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) == 0);
    tried("fallocate ZERO_RANGE", fallocate(o, FALLOC_FL_ZERO_RANGE, 0, 4096));
    fails("fallocate bad mode (EOPNOTSUPP)", fallocate(o, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
    fails("fallocate zero length (EINVAL)", fallocate(o, 0, 0, 0), EINVAL);
    ok("fsync", fsync(o) == 0);
    ok("fdatasync", fdatasync(o) == 0);
    ok("syncfs", syncfs(o) == 0);
    ok("sync_file_range", sync_file_range(o, 0, 4096, SYNC_FILE_RANGE_WRITE) == 0);
    ok("posix_fadvise", posix_fadvise(o, 0, 4096, POSIX_FADV_SEQUENTIAL) == 0);
    ok("readahead", readahead(a, 0, 4096) == 0);
    close(o);
    close(a);
}

static void locks(void)
{
    int f = open(D "/a", O_RDWR);
    ok("flock LOCK_EX", flock(f, LOCK_EX) == 0);
    int g = open(D "/a", O_RDWR);
    fails("flock LOCK_SH|LOCK_NB held (EWOULDBLOCK)", flock(g, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    ok("flock LOCK_UN", flock(f, LOCK_UN) == 0);
    fails("flock bad op (EINVAL)", flock(f, 0), EINVAL);
    fails("flock bad fd (EBADF)", flock(999, LOCK_SH), EBADF);

    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 20};
    ok("fcntl F_SETLK write lock", fcntl(f, F_SETLK, &fl) == 0);
    fl.l_type = F_RDLCK;
    ok("fcntl F_GETLK (same process: unlocked)", fcntl(f, F_GETLK, &fl) == 0);
    fl.l_type = F_UNLCK;
    ok("fcntl F_SETLKW unlock", fcntl(f, F_SETLKW, &fl) == 0);
    struct flock ofd = {.l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = 0, .l_len = 0};
    ok("fcntl F_OFD_SETLK", fcntl(f, F_OFD_SETLK, &ofd) == 0);
    ofd.l_type = F_RDLCK;
    ok("fcntl F_OFD_GETLK (conflict seen)", fcntl(g, F_OFD_GETLK, &ofd) == 0 && ofd.l_type == F_WRLCK);
    ofd.l_type = F_RDLCK;
    ofd.l_pid = 0;
    fails("fcntl F_OFD_SETLK conflict (EAGAIN)", fcntl(g, F_OFD_SETLK, &ofd), EAGAIN);
    ofd.l_pid = 1;
    fails("fcntl F_OFD_SETLK l_pid set (EINVAL)", fcntl(g, F_OFD_SETLK, &ofd), EINVAL);
    fails("fcntl F_SETLK bad pointer (EFAULT)", fcntl(f, F_SETLK, BADPTR), EFAULT);
    fl.l_type = 77;
    fails("fcntl F_SETLK bad type (EINVAL)", fcntl(f, F_SETLK, &fl), EINVAL);

    ok("fcntl F_GETFD", fcntl(f, F_GETFD) == 0);
    ok("fcntl F_SETFD FD_CLOEXEC", fcntl(f, F_SETFD, FD_CLOEXEC) == 0);
    ok("fcntl F_GETFL", fcntl(f, F_GETFL) >= 0);
    ok("fcntl F_SETFL O_APPEND|O_NONBLOCK", fcntl(f, F_SETFL, O_APPEND | O_NONBLOCK) == 0);
    ok("fcntl F_DUPFD_CLOEXEC", fcntl(f, F_DUPFD_CLOEXEC, 20) >= 20);
    ok("fcntl F_DUPFD", fcntl(f, F_DUPFD, 30) >= 30);
    ok("fcntl F_GETOWN", fcntl(f, F_GETOWN) >= 0);
    ok("fcntl F_SETSIG", fcntl(f, F_SETSIG, SIGUSR1) == 0);
    ok("fcntl F_GETLEASE", fcntl(f, F_GETLEASE) == F_UNLCK);
    int p[2];
    pipe(p);
    ok("fcntl F_SETPIPE_SZ", fcntl(p[0], F_SETPIPE_SZ, 8192) >= 8192);
    ok("fcntl F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ) >= 8192);
    fails("fcntl bad command (EINVAL)", fcntl(f, 9999), EINVAL);
    fails("fcntl bad fd (EBADF)", fcntl(999, F_GETFD), EBADF);
    close(p[0]);
    close(p[1]);
    close(g);
    close(f);
}

static void dirs(void)
{
    int d = open(D, O_RDONLY | O_DIRECTORY);
    char buf[2048] __attribute__((aligned(8)));
    long n = syscall(SYS_getdents64, d, buf, sizeof buf);
    ok("getdents64", n > 0);
    ok("getdents64 at the end", syscall(SYS_getdents64, d, buf, sizeof buf) == 0);
    lseek(d, 0, SEEK_SET);
    fails("getdents64 tiny buffer (EINVAL)", syscall(SYS_getdents64, d, buf, 8), EINVAL);
    fails("getdents64 bad buffer (EFAULT)", syscall(SYS_getdents64, d, BADPTR, 1024), EFAULT);
    int f = open(D "/a", O_RDONLY);
    fails("getdents64 on a file (ENOTDIR)", syscall(SYS_getdents64, f, buf, sizeof buf), ENOTDIR);
    close(f);
    ok("fchdir", fchdir(d) == 0);
    char cwd[256];
    ok("getcwd", getcwd(cwd, sizeof cwd) != NULL);
    chdir("/");
    close(d);

    struct {
        struct file_handle fh;
        unsigned char bytes[128];
    } h;
    h.fh.handle_bytes = 128;
    int mount_id;
    tried("name_to_handle_at", name_to_handle_at(AT_FDCWD, D "/a", &h.fh, &mount_id, 0));
    h.fh.handle_bytes = 0;
    tried("name_to_handle_at handle_bytes 0 (EOVERFLOW)",
          name_to_handle_at(AT_FDCWD, D "/a", &h.fh, &mount_id, 0));
}

static void xattrs(void)
{
    ok("setxattr user.colour", setxattr(D "/a", "user.colour", "blue", 4, XATTR_CREATE) == 0);
    fails("setxattr XATTR_CREATE again (EEXIST)",
          setxattr(D "/a", "user.colour", "red", 3, XATTR_CREATE), EEXIST);
    ok("setxattr XATTR_REPLACE", setxattr(D "/a", "user.colour", "green", 5, XATTR_REPLACE) == 0);
    ok("lsetxattr trusted.note", lsetxattr(D "/a", "trusted.note", "n\0b", 3, 0) == 0);
    int f = open(D "/a", O_RDONLY);
    ok("fsetxattr user.n", fsetxattr(f, "user.n", "1", 1, 0) == 0);
    char v[64], list[256];
    ok("getxattr", getxattr(D "/a", "user.colour", v, sizeof v) == 5);
    ok("getxattr size probe", getxattr(D "/a", "user.colour", NULL, 0) == 5);
    fails("getxattr short buffer (ERANGE)", getxattr(D "/a", "user.colour", v, 2), ERANGE);
    fails("getxattr missing (ENODATA)", getxattr(D "/a", "user.none", v, sizeof v), ENODATA);
    ok("lgetxattr", lgetxattr(D "/a", "trusted.note", v, sizeof v) == 3);
    ok("fgetxattr", fgetxattr(f, "user.n", v, sizeof v) == 1);
    ok("listxattr", listxattr(D "/a", list, sizeof list) > 0);
    ok("llistxattr size probe", llistxattr(D "/a", NULL, 0) > 0);
    ok("flistxattr", flistxattr(f, list, sizeof list) > 0);
    ok("removexattr", removexattr(D "/a", "user.colour") == 0);
    ok("fremovexattr", fremovexattr(f, "user.n") == 0);
    fails("removexattr missing (ENODATA)", removexattr(D "/a", "user.colour"), ENODATA);
    fails("setxattr bad namespace (EOPNOTSUPP)", setxattr(D "/a", "bogus.x", "1", 1, 0), EOPNOTSUPP);
    fails("getxattr bad name pointer (EFAULT)", getxattr(D "/a", BADPTR, v, sizeof v), EFAULT);
    fails("fsetxattr bad fd (EBADF)", fsetxattr(999, "user.x", "1", 1, 0), EBADF);
    close(f);
}

int main(void)
{
    wl_name = "fsx";
    umask(022);
    mkdir(D, 0755);
    int f = open(D "/a", O_CREAT | O_RDWR | O_TRUNC, 0644);
    char block[1024];
    for (int i = 0; i < (int)sizeof block; i++)
        block[i] = (char)('a' + i % 26);
    ok("create a (1 KiB)", f >= 0 && write(f, block, sizeof block) == sizeof block);
    close(f);
    symlink("a", D "/link");
    stats();
    renames();
    copies();
    locks();
    dirs();
    xattrs();
    const char *names[] = {"a", "link", "d", "out", "fifo", "reg", "b", "c"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        char p[64];
        snprintf(p, sizeof p, D "/%s", names[i]);
        unlink(p);
    }
    ok("rmdir", rmdir(D) == 0);
    return wl_exit();
}
