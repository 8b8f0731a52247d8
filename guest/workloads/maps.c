/* maps: a dynamically linked program (64-bit; the 32-bit one is static) that maps an anonymous
 * writable and executable page, prints its own /proc/self/maps between MAPS-BEGIN and MAPS-END, and
 * exits at once: what the memory module's exit snapshot and the images module must agree with.
 * vmscope-guest: dynamic */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char buf[1 << 16];

int main(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(2);
    memset(p, 0xc3, 16);
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0)
        _exit(3);
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf && (r = read(fd, buf + n, sizeof buf - n)) > 0)
        n += (size_t)r;
    /* Nothing maps or unmaps from here to the exit. */
    if (write(1, "MAPS-BEGIN\n", 11) < 0 || write(1, buf, n) < 0 || write(1, "MAPS-END\n", 9) < 0)
        _exit(4);
    _exit(0);
}
