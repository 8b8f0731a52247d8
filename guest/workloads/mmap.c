/* mmap: file and anonymous mappings: shared and private file maps, msync, mprotect, mremap (grow,
 * move, shrink), madvise with several advices, mincore, mlock, MAP_FIXED over an existing map, brk,
 * and failing calls (EINVAL, EBADF, ENOMEM). Exit status 0 when every step behaved as expected. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;

static void expect(const char *what, int ok)
{
    printf("mmap: %-36s %s\n", what, ok ? "ok" : "UNEXPECTED");
    if (!ok)
        failures++;
}

int main(void)
{
    const long pg = 4096;
    int fd = open("/tmp/mmap.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
    expect("open", fd >= 0);
    expect("ftruncate", ftruncate(fd, 4 * pg) == 0);

    char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    expect("mmap shared file", p != MAP_FAILED);
    memcpy(p, "mapped bytes", 12);
    expect("msync MS_SYNC", msync(p, 4 * pg, MS_SYNC) == 0);
    expect("msync MS_ASYNC|MS_INVALIDATE", msync(p, pg, MS_ASYNC | MS_INVALIDATE) == 0);
    expect("mprotect read-only", mprotect(p, pg, PROT_READ) == 0);
    expect("mprotect none", mprotect(p + pg, pg, PROT_NONE) == 0);
    expect("munmap shared", munmap(p, 4 * pg) == 0);

    char buf[16];
    expect("pread sees the bytes", pread(fd, buf, 12, 0) == 12 && memcmp(buf, "mapped bytes", 12) == 0);

    char *q = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, pg);
    expect("mmap private file at offset", q != MAP_FAILED);
    expect("munmap private", munmap(q, pg) == 0);

    char *a = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect("mmap anonymous", a != MAP_FAILED);
    memset(a, 1, 3 * pg);
    expect("madvise MADV_DONTNEED", madvise(a, pg, MADV_DONTNEED) == 0 && a[0] == 0);
    expect("madvise MADV_WILLNEED", madvise(a, 3 * pg, MADV_WILLNEED) == 0);
    expect("madvise MADV_SEQUENTIAL", madvise(a, 3 * pg, MADV_SEQUENTIAL) == 0);
    expect("madvise MADV_RANDOM", madvise(a, 3 * pg, MADV_RANDOM) == 0);
    expect("madvise MADV_NORMAL", madvise(a, 3 * pg, MADV_NORMAL) == 0);
    expect("madvise MADV_DONTFORK", madvise(a, pg, MADV_DONTFORK) == 0);
    expect("madvise MADV_DOFORK", madvise(a, pg, MADV_DOFORK) == 0);
    expect("madvise MADV_FREE", madvise(a + 2 * pg, pg, MADV_FREE) == 0);
    expect("madvise bad advice: EINVAL", madvise(a, pg, 12345) == -1 && errno == EINVAL);

    unsigned char vec[3];
    expect("mincore", mincore(a, 3 * pg, vec) == 0);
    expect("mlock", mlock(a, pg) == 0);
    expect("munlock", munlock(a, pg) == 0);

    char *b = mremap(a, 3 * pg, 8 * pg, MREMAP_MAYMOVE);
    expect("mremap grow (may move)", b != MAP_FAILED);
    char *c = mremap(b, 8 * pg, 2 * pg, 0);
    expect("mremap shrink in place", c == b);
    char *f = mmap(c, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    expect("mmap MAP_FIXED over it", f == c);
    expect("munmap anonymous", munmap(f, 2 * pg) == 0);

    char *s = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    expect("mmap stack-like", s != MAP_FAILED);
    expect("munmap stack-like", munmap(s, 16 * pg) == 0);

    void *cur = (void *)syscall(SYS_brk, 0);
    void *grown = (void *)syscall(SYS_brk, (char *)cur + 8 * pg);
    expect("brk grows", grown == (char *)cur + 8 * pg);
    syscall(SYS_brk, cur);

    expect("munmap misaligned: EINVAL", munmap((char *)p + 1, pg) == -1 && errno == EINVAL);
    expect("mmap bad fd: EBADF",
           mmap(NULL, pg, PROT_READ, MAP_SHARED, 99, 0) == MAP_FAILED && errno == EBADF);
    expect("mprotect unmapped: ENOMEM", mprotect(c, pg, PROT_READ) == -1 && errno == ENOMEM);

    close(fd);
    unlink("/tmp/mmap.dat");
    printf("mmap: done, %d unexpected\n", failures);
    return failures != 0;
}
