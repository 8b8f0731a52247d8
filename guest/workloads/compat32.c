/* vmscope-guest: 32-bit only */
/* compat32 (32-bit): ordinary libc calls; in a 32-bit process they enter the kernel through
 * the vDSO's __kernel_vsyscall (syscall or sysenter, depending on the CPU vendor). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char buf[64], line[160];
    int fd = open("/etc/fstab", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    int rc = fd >= 0 ? close(fd) : -1;
    pid_t pp = getppid();
    snprintf(line, sizeof line, "compat32: sizeof(long)=%d open=%d read=%d close=%d getppid>0=%d\n",
             (int)sizeof(long), fd, (int)n, rc, pp > 0);
    ssize_t w = write(1, line, strlen(line));
    return fd >= 0 && n == 64 && rc == 0 && w > 0 ? 0 : 1;
}
