/* fileio: common file system calls on /tmp, plus three calls that fail on purpose
 * (ENOENT, EBADF, EEXIST). Prints one line per call. Exit status 0 when every call
 * behaved as expected. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __i386__
/* i386: the classic stat/fstat calls use the old small struct; use the *64 calls instead. */
typedef struct stat64 kstat_t;
#define NR_STAT SYS_stat64
#define NR_FSTAT SYS_fstat64
#else
typedef struct stat kstat_t;
#ifdef SYS_stat
#define NR_STAT SYS_stat
#endif
#define NR_FSTAT SYS_fstat
#endif

/* The generic system call ABI (aarch64) has no creat, open or stat: there the same requests are
 * openat and newfstatat, with the same arguments after AT_FDCWD. */
#ifdef SYS_open
#define sys_creat(path, mode) syscall(SYS_creat, path, mode)
#define sys_open(path, flags) syscall(SYS_open, path, flags)
#else
#define sys_creat(path, mode) syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode)
#define sys_open(path, flags) syscall(SYS_openat, AT_FDCWD, path, flags)
#endif
#ifdef NR_STAT
#define sys_stat(path, st) syscall(NR_STAT, path, st)
#else
#define sys_stat(path, st) syscall(SYS_newfstatat, AT_FDCWD, path, st, 0)
#endif

static int failures;

static long check(const char *what, long rc, int want_errno)
{
    int e = errno;
    if (rc < 0)
        printf("fileio: %-28s = -1 %s\n", what, strerror(e));
    else
        printf("fileio: %-28s = %ld\n", what, rc);
    if ((want_errno == 0 && rc < 0) || (want_errno != 0 && (rc >= 0 || e != want_errno))) {
        printf("fileio: UNEXPECTED result for %s\n", what);
        failures++;
    }
    return rc;
}

int main(void)
{
    const char *dir = "/tmp/fileio.d";
    const char msg[] = "hello from vmscope fileio\n";
    char buf[64];
    kstat_t st;

    /* Start clean, ignoring errors (quietly). */
    unlink("/tmp/fileio.d/a");
    unlink("/tmp/fileio.d/b");
    unlink("/tmp/fileio.d/c");
    rmdir(dir);

    check("mkdir(dir)", mkdir(dir, 0755), 0);
    int fd = (int)check("openat(a, CREAT|WRONLY)",
                        openat(AT_FDCWD, "/tmp/fileio.d/a", O_CREAT | O_WRONLY | O_TRUNC, 0644), 0);
    check("write(a)", write(fd, msg, sizeof msg - 1), 0);
    check("close(a)", close(fd), 0);

    int fb = (int)check("creat(b)", sys_creat("/tmp/fileio.d/b", 0600), 0);
    check("write(b)", write(fb, "0123456789", 10), 0);

    fd = (int)check("open(a, RDWR)", sys_open("/tmp/fileio.d/a", O_RDWR), 0);
    memset(buf, 0, sizeof buf);
    check("pread(a, 5, off 6)", pread(fd, buf, 5, 6), 0);
    printf("fileio: pread got \"%s\"\n", buf);
    check("lseek(a, 0, SEEK_END)", lseek(fd, 0, SEEK_END), 0);
    check("lseek(a, 0, SEEK_SET)", lseek(fd, 0, SEEK_SET), 0);
    check("fstat(a)", syscall(NR_FSTAT, fd, &st), 0);
    printf("fileio: fstat size=%lld mode=%o\n", (long long)st.st_size, (unsigned)st.st_mode);
    check("stat(b)", sys_stat("/tmp/fileio.d/b", &st), 0);
    printf("fileio: stat size=%lld mode=%o\n", (long long)st.st_size, (unsigned)st.st_mode);

    int d = (int)check("dup(a)", dup(fd), 0);
    check("dup2(a, 10)", dup2(fd, 10), 0);
    check("close(10)", close(10), 0);
    check("close(dup)", close(d), 0);
    check("close(a)", close(fd), 0);
    check("close(b)", close(fb), 0);

    check("rename(b, c)", rename("/tmp/fileio.d/b", "/tmp/fileio.d/c"), 0);
    check("unlink(a)", unlink("/tmp/fileio.d/a"), 0);
    check("unlink(c)", unlink("/tmp/fileio.d/c"), 0);

    /* Calls that fail on purpose. */
    check("open(missing) ENOENT", sys_open("/tmp/fileio.d/missing", O_RDONLY), ENOENT);
    check("close(99) EBADF", close(99), EBADF);
    check("mkdir(dir) EEXIST", mkdir(dir, 0755), EEXIST);

    check("rmdir(dir)", rmdir(dir), 0);
    printf("fileio: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
