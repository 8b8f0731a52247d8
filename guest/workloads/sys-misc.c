/* sys-misc: families the other workloads miss: clocks and time (clock_gettime/getres/settime,
 * clock_nanosleep relative and absolute, nanosleep, gettimeofday, time, adjtimex, clock_adjtime),
 * futex (wake, wait with a timeout, bad ops), getrandom, keys (add_key, keyctl, request_key),
 * mount/umount2 of a tmpfs and statfs on it, chroot, sethostname/setdomainname, aio (io_setup,
 * io_submit, io_getevents, io_destroy), io_uring_setup, memfd_secret/userfaultfd/bpf/perf_event_open
 * failures, membarrier, seccomp (GET_ACTION_AVAIL), process_vm_readv on itself, ptrace errors,
 * unshare/setns errors, syslog, reboot with a bad magic, and more invalid arguments (EFAULT,
 * EINVAL, EBADF, EPERM). Exit status: the number of steps that did not behave as expected. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <time.h>

#include "wl.h"

static void clocks(void)
{
    struct timespec ts;
    ok("clock_gettime CLOCK_REALTIME", clock_gettime(CLOCK_REALTIME, &ts) == 0);
    ok("clock_gettime CLOCK_BOOTTIME", clock_gettime(CLOCK_BOOTTIME, &ts) == 0);
    ok("clock_gettime CLOCK_PROCESS_CPUTIME_ID", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
    ok("clock_getres CLOCK_MONOTONIC", clock_getres(CLOCK_MONOTONIC, &ts) == 0);
    ok("clock_getres NULL", syscall(SYS_clock_getres, CLOCK_MONOTONIC_RAW, NULL) == 0);
    fails("clock_gettime bad clock (EINVAL)", syscall(SYS_clock_gettime, 99, &ts), EINVAL);
    fails("clock_gettime bad pointer (EFAULT)",
          syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR), EFAULT);
    clock_gettime(CLOCK_REALTIME, &ts);
    ok("clock_settime CLOCK_REALTIME (same time)", clock_settime(CLOCK_REALTIME, &ts) == 0);
    fails("clock_settime CLOCK_MONOTONIC (EINVAL)", clock_settime(CLOCK_MONOTONIC, &ts), EINVAL);
    struct timespec req = {0, 2000000}, rem;
    ok("clock_nanosleep relative 2 ms", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem) == 0);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    ok("clock_nanosleep TIMER_ABSTIME", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
    req.tv_nsec = 1000000000;
    ok("clock_nanosleep bad nsec (EINVAL)", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == EINVAL);
    req.tv_nsec = 1000000;
    ok("nanosleep 1 ms", nanosleep(&req, NULL) == 0);
    req.tv_sec = -1;
    fails("nanosleep negative (EINVAL)", nanosleep(&req, NULL), EINVAL);
    struct timeval tv;
    ok("gettimeofday", gettimeofday(&tv, NULL) == 0);
    ok("time", time(NULL) > 0);
    struct timex tx = {.modes = 0};
    ok("adjtimex read", adjtimex(&tx) >= 0);
    memset(&tx, 0, sizeof tx);
    ok("clock_adjtime read", syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) >= 0);
    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_TICK;
    tx.tick = 1;
    fails("adjtimex tick out of range (EINVAL)", adjtimex(&tx), EINVAL);
    fails("adjtimex bad pointer (EFAULT)", syscall(SYS_adjtimex, BADPTR), EFAULT);
}

static void futexes(void)
{
    static uint32_t word = 1;
    ok("futex FUTEX_WAKE nobody", syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0);
    struct timespec ts = {0, 1000000};
    fails("futex FUTEX_WAIT times out (ETIMEDOUT)",
          syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0), ETIMEDOUT);
    fails("futex FUTEX_WAIT value changed (EAGAIN)",
          syscall(SYS_futex, &word, FUTEX_WAIT, 2, &ts, NULL, 0), EAGAIN);
    ok("futex FUTEX_WAKE_OP", syscall(SYS_futex, &word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &word,
                                      FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)) >= 0);
    ok("futex FUTEX_CMP_REQUEUE", syscall(SYS_futex, &word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1,
                                          &word, word) >= 0);
    fails("futex bad op (ENOSYS)", syscall(SYS_futex, &word, 99, 0, NULL, NULL, 0), ENOSYS);
    fails("futex bad address (EFAULT)", syscall(SYS_futex, BADPTR, FUTEX_WAIT, 0, &ts, NULL, 0), EFAULT);
    ts.tv_nsec = -1;
    fails("futex bad timeout (EINVAL)", syscall(SYS_futex, &word, FUTEX_WAIT, word, &ts, NULL, 0),
          EINVAL);
}

static void keys(void)
{
    long k = syscall(SYS_add_key, "user", "vmscope:key", "secret payload", 14, -2 /* session */);
    tried("add_key user", k);
    if (k >= 0) {
        char buf[64];
        ok("keyctl KEYCTL_READ", syscall(SYS_keyctl, 11 /* READ */, k, buf, sizeof buf) == 14);
        ok("keyctl KEYCTL_DESCRIBE", syscall(SYS_keyctl, 6 /* DESCRIBE */, k, buf, sizeof buf) > 0);
        ok("keyctl KEYCTL_SETPERM", syscall(SYS_keyctl, 5 /* SETPERM */, k, 0x3f3f0000) == 0);
        ok("keyctl KEYCTL_REVOKE", syscall(SYS_keyctl, 3 /* REVOKE */, k) == 0);
    }
    fails("add_key bad type (ENODEV)", syscall(SYS_add_key, "nosuchtype", "d", "p", 1, -2), ENODEV);
    fails("add_key bad description (EFAULT)", syscall(SYS_add_key, "user", BADPTR, "p", 1, -2), EFAULT);
    fails("request_key missing (ENOKEY)",
          syscall(SYS_request_key, "user", "vmscope:none", NULL, 0), ENOKEY);
    tried("keyctl KEYCTL_GET_KEYRING_ID session", syscall(SYS_keyctl, 0, -3, 0));
    fails("keyctl bad command (EOPNOTSUPP)", syscall(SYS_keyctl, 9999, 0, 0, 0, 0), EOPNOTSUPP);
}

static void mounts(void)
{
    mkdir("/tmp/sys-misc.mnt", 0755);
    ok("mount tmpfs with options", mount("none", "/tmp/sys-misc.mnt", "tmpfs",
                                         MS_NOSUID | MS_NODEV, "size=1m,mode=0700") == 0);
    struct statfs sf;
    ok("statfs tmpfs", statfs("/tmp/sys-misc.mnt", &sf) == 0);
    ok("mount MS_REMOUNT|MS_RDONLY", mount("none", "/tmp/sys-misc.mnt", NULL,
                                           MS_REMOUNT | MS_RDONLY, NULL) == 0);
    fails("mkdir on read-only (EROFS)", mkdir("/tmp/sys-misc.mnt/x", 0755), EROFS);
    fails("mount bad type (ENODEV)", mount("none", "/tmp/sys-misc.mnt", "nosuchfs", 0, NULL), ENODEV);
    fails("mount missing target (ENOENT)", mount("none", "/tmp/none", "tmpfs", 0, NULL), ENOENT);
    ok("umount2 MNT_DETACH", umount2("/tmp/sys-misc.mnt", MNT_DETACH) == 0);
    fails("umount2 not mounted (EINVAL)", umount2("/tmp/sys-misc.mnt", 0), EINVAL);
    fails("umount2 bad flags (EINVAL)", umount2("/tmp/sys-misc.mnt", 0x100), EINVAL);
    rmdir("/tmp/sys-misc.mnt");
    fails("chroot missing (ENOENT)", chroot("/tmp/none"), ENOENT);
    static char host[1024];
    gethostname(host, sizeof host);
    ok("sethostname (same)", sethostname(host, strlen(host)) == 0);
    fails("sethostname too long (EINVAL)", sethostname(host, 1000), EINVAL);
    ok("setdomainname", setdomainname("vmscope.test", 12) == 0);
    fails("unshare bad flags (EINVAL)", unshare(0x1), EINVAL);
    fails("setns bad fd (EBADF)", setns(999, 0), EBADF);
    ok("syslog SYSLOG_ACTION_SIZE_BUFFER", syscall(SYS_syslog, 10, NULL, 0) > 0);
    fails("syslog bad type (EINVAL)", syscall(SYS_syslog, 99, NULL, 0), EINVAL);
    fails("reboot bad magic (EINVAL)", syscall(SYS_reboot, 1, 2, 0x1234567, NULL), EINVAL);
    fails("swapon missing (ENOENT)", syscall(SYS_swapon, "/tmp/none", 0), ENOENT);
    fails("acct missing (ENOENT)", syscall(SYS_acct, "/tmp/none/acct"), ENOENT);
}

static void async_io(void)
{
    aio_context_t ctx = 0;
    ok("io_setup 4", syscall(SYS_io_setup, 4, &ctx) == 0);
    int f = open("/etc/fstab", O_RDONLY);
    static char buf[256];
    struct iocb cb;
    memset(&cb, 0, sizeof cb);
    cb.aio_fildes = f;
    cb.aio_lio_opcode = IOCB_CMD_PREAD;
    cb.aio_buf = (uintptr_t)buf;
    cb.aio_nbytes = sizeof buf;
    cb.aio_data = 0x1234;
    struct iocb *list[1] = {&cb};
    ok("io_submit PREAD", syscall(SYS_io_submit, ctx, 1, list) == 1);
    struct io_event ev[2];
    struct timespec ts = {1, 0};
    ok("io_getevents", syscall(SYS_io_getevents, ctx, 1, 2, ev, &ts) == 1);
    fails("io_submit bad list (EFAULT)", syscall(SYS_io_submit, ctx, 1, BADPTR), EFAULT);
    fails("io_getevents min > max (EINVAL)", syscall(SYS_io_getevents, ctx, 3, 2, ev, &ts), EINVAL);
    fails("io_cancel not found (EINVAL)", syscall(SYS_io_cancel, ctx, &cb, ev), EINVAL);
    ok("io_destroy", syscall(SYS_io_destroy, ctx) == 0);
    fails("io_destroy again (EINVAL)", syscall(SYS_io_destroy, ctx), EINVAL);
    fails("io_setup 0 (EINVAL)", syscall(SYS_io_setup, 0, &ctx), EINVAL);
    close(f);
    unsigned char params[120];
    memset(params, 0, sizeof params);
    long ring = syscall(SYS_io_uring_setup, 4, params);
    tried("io_uring_setup 4", ring);
    if (ring >= 0)
        close(ring);
    fails("io_uring_setup bad params (EFAULT)", syscall(SYS_io_uring_setup, 4, BADPTR), EFAULT);
}

static void others(void)
{
    char r[16];
    ok("getrandom 16", getrandom(r, sizeof r, 0) == 16);
    ok("getrandom GRND_NONBLOCK", getrandom(r, 8, GRND_NONBLOCK) == 8);
    fails("getrandom bad flags (EINVAL)", getrandom(r, 8, 0x100), EINVAL);
    fails("getrandom bad buffer (EFAULT)", getrandom(BADPTR, 8, 0), EFAULT);
    ok("membarrier QUERY", syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0) > 0);
    fails("membarrier bad cmd (EINVAL)", syscall(SYS_membarrier, 0x4000, 0, 0), EINVAL);
    uint32_t action = SECCOMP_RET_KILL_PROCESS;
    ok("seccomp GET_ACTION_AVAIL", syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0);
    fails("seccomp bad op (EINVAL)", syscall(SYS_seccomp, 99, 0, NULL), EINVAL);
    char src[32] = "process_vm_readv source", dst[32];
    struct iovec l = {dst, sizeof dst}, rv = {src, sizeof src};
    ok("process_vm_readv self", process_vm_readv(getpid(), &l, 1, &rv, 1, 0) == sizeof src);
    fails("process_vm_readv bad flags (EINVAL)", process_vm_readv(getpid(), &l, 1, &rv, 1, 1), EINVAL);
    fails("ptrace PTRACE_PEEKDATA no such pid (ESRCH)",
          ptrace(PTRACE_PEEKDATA, 999999, NULL, NULL), ESRCH);
    fails("ptrace bad request on init (ESRCH)", ptrace(0x7777, 1, NULL, NULL), ESRCH);
    tried("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
    fails("bpf bad command (EINVAL)", syscall(SYS_bpf, 9999, NULL, 0), EINVAL);
    fails("perf_event_open bad attr (EFAULT)", syscall(SYS_perf_event_open, BADPTR, 0, -1, -1, 0),
          EFAULT);
    fails("init_module bad image (EFAULT)", syscall(SYS_init_module, BADPTR, 100, ""), EFAULT);
    fails("delete_module missing (ENOENT)", syscall(SYS_delete_module, "vmscope_none", 0), ENOENT);
    fails("quotactl bad command (EINVAL)", syscall(SYS_quotactl, 0x7fff, "/dev/none", 0, NULL), EINVAL);
    fails("fanotify_init bad flags (EINVAL)", syscall(SYS_fanotify_init, 0x7fff0000, 0), EINVAL);
    tried("get_mempolicy", syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, 0));
}

int main(void)
{
    wl_name = "sys-misc";
    clocks();
    futexes();
    keys();
    mounts();
    async_io();
    others();
    return wl_exit();
}
