/* fstab: the paper's journal example.
 * open("/etc/fstab", O_RDONLY), read 0x400 bytes, close.
 * The open is issued as the classic open(2) system call (not openat) to match the example; the
 * generic system call ABI (aarch64) has no open(2), so there it is openat(AT_FDCWD, ...). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    static char buf[0x400];
#ifdef SYS_open
    int fd = (int)syscall(SYS_open, "/etc/fstab", O_RDONLY);
#else
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/etc/fstab", O_RDONLY);
#endif
    if (fd < 0) {
        perror("fstab: open /etc/fstab");
        return 1;
    }
    ssize_t n = read(fd, buf, 0x400);
    int rc = close(fd);
    printf("fstab: open=%d read=%zd close=%d\n", fd, n, rc);
    return n == 0x400 && rc == 0 ? 0 : 1;
}
