/* Shared by the family workloads (net-*, events, fsx, proc-misc, ipc): checks that print one line
 * per step, deterministic, and count what did not behave as expected (the exit status). A page
 * followed by an unmapped one gives pointers whose object runs off the end (EFAULT halfway), the
 * kind of argument strace's own tests use. */
#ifndef VMSCOPE_WL_H
#define VMSCOPE_WL_H
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *wl_name = "wl";
static int wl_failures;

__attribute__((unused)) static void ok(const char *what, int cond)
{
    printf("%s: %-44s %s\n", wl_name, what, cond ? "ok" : "UNEXPECTED");
    if (!cond)
        wl_failures++;
}

/* A call that must fail with errno `want`. */
__attribute__((unused)) static void fails(const char *what, long ret, int want)
{
    int e = errno;
    int good = ret == -1 && e == want;
    ok(what, good);
    if (!good)
        printf("%s:   (returned %ld, errno %d %s; expected errno %d)\n", wl_name, ret, e,
               strerror(e), want);
}

/* A call that may fail on some kernels (a missing feature): prints what happened, never fails. */
__attribute__((unused)) static void tried(const char *what, long ret)
{
    int e = errno;
    if (ret < 0)
        printf("%s: %-44s failed: %s\n", wl_name, what, strerror(e));
    else
        printf("%s: %-44s ok\n", wl_name, what);
}

/* The last `size` bytes of a page whose next page is unmapped: an object there is readable, one
 * byte more is not. */
__attribute__((unused)) static void *tail_alloc(size_t size)
{
    long ps = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    munmap(p + ps, ps);
    memset(p, 0, ps);
    return p + ps - size;
}

/* A pointer that is never mapped in these programs. */
#define BADPTR ((void *)(unsigned long)0xdead0000UL)

__attribute__((unused)) static int wl_exit(void)
{
    fflush(stdout);
    return wl_failures > 100 ? 100 : wl_failures;
}
#endif
