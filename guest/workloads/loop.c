/* loop N: N rounds of open/read/close/getppid (default 1000). For benchmarks. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    long bytes = 0, errors = 0;
    char buf[64];
    for (long i = 0; i < count; i++) {
        int fd = open("/etc/fstab", O_RDONLY);
        if (fd < 0) {
            errors++;
            continue;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0)
            bytes += n;
        close(fd);
        getppid();
    }
    printf("loop: %ld iterations, %ld bytes read, %ld errors\n", count, bytes, errors);
    return errors ? 1 : 0;
}
