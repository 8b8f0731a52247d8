/* vmscope-guest: 32-bit only */
/* int80 (32-bit): system calls through the legacy `int $0x80` gate, by i386 number.
 * getpid, open("/etc/fstab"), read 64 bytes, close, a failing open (ENOENT), write to stdout
 * and exit, all with inline assembly (no libc system call wrappers after startup). */
#include <stdio.h>
#include <string.h>

#define NR_exit 1
#define NR_read 3
#define NR_write 4
#define NR_open 5
#define NR_close 6
#define NR_getpid 20

static long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static void say(const char *s)
{
    sys3(NR_write, 1, (long)s, (long)strlen(s));
}

int main(void)
{
    char line[160], buf[64];

    long pid = sys3(NR_getpid, 0, 0, 0);
    long fd = sys3(NR_open, (long)"/etc/fstab", 0 /* O_RDONLY */, 0);
    long n = sys3(NR_read, fd, (long)buf, sizeof buf);
    long rc = sys3(NR_close, fd, 0, 0);
    long bad = sys3(NR_open, (long)"/nonexistent/int80", 0, 0);

    snprintf(line, sizeof line, "int80: getpid>0=%d open=%ld read=%ld close=%ld missing-open=%ld\n",
             pid > 0, fd, n, rc, bad);
    say(line);
    int ok = fd >= 0 && n == 64 && rc == 0 && bad == -2 /* -ENOENT */;
    say(ok ? "int80: ok\n" : "int80: FAILED\n");
    sys3(NR_exit, ok ? 0 : 1, 0, 0);
    return 99; /* not reached */
}
