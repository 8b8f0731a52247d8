/* vmscope-guest: x86 only: calls legacy x86 system calls (alarm, pause, open...) by number */
/* eventfam: the events, time and signals family of system calls, each made directly (raw syscall
 * numbers, so the 32-bit build exercises both the old 32-bit time calls and the _time64 ones):
 * select/_newselect/pselect6 with fd sets and timeouts, epoll (create, ctl, wait, pwait, pwait2),
 * eventfd, timerfd, signalfd, inotify, fanotify, sleeps interrupted by a timer's signal, clocks
 * (per-process and per-thread CPU clocks too), gettimeofday/settimeofday, time, times, itimers,
 * alarm, POSIX timers, adjtimex/clock_adjtime, sigaltstack, rt_sigtimedwait, rt_sigqueueinfo,
 * rt_tgsigqueueinfo, rt_sigsuspend, rt_sigpending, kill/tkill/tgkill, pidfd_send_signal, waitid,
 * futex timeouts, signal handlers with and without SA_SIGINFO (rt_sigreturn, i386 sigreturn), and
 * failures (EFAULT pointers, EINVAL, EBADF). One process and one child, so the run is
 * deterministic. Exit status 0 when every step behaved as expected. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/timex.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static int failures;
static volatile sig_atomic_t usr1, alrm, usr2;

static void expect(const char *what, int ok)
{
    printf("eventfam: %-40s %s\n", what, ok ? "ok" : "UNEXPECTED");
    if (!ok)
        failures++;
}

/* Time structures as the kernel takes them: the old ones with the ABI's long, the 64-bit ones. */
struct kts { long sec, nsec; };
struct kts64 { int64_t sec, nsec; };
struct kits { struct kts interval, value; };
struct kits64 { struct kts64 interval, value; };
struct ktv { long sec, usec; };
struct kitv { struct ktv interval, value; };

/* A bad pointer: never mapped. */
#define BAD ((void *)(uintptr_t)0xbad0000)

static long sc(long n, long a, long b, long c, long d, long e, long f)
{
    return syscall(n, a, b, c, d, e, f);
}
#define S0(n) sc(n, 0, 0, 0, 0, 0, 0)
#define S1(n, a) sc(n, (long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b) sc(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c) sc(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define S6(n, a, b, c, d, e, f) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static void on_usr1(int s) { (void)s; usr1++; }
static void on_usr2(int s, siginfo_t *si, void *uc) { (void)s; (void)si; (void)uc; usr2++; }
static void on_alrm(int s) { (void)s; alrm++; }

/* A one-shot ITIMER_REAL of `ms` milliseconds (through the libc: not under test here). */
static void arm(long ms)
{
    struct kitv it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    S3(SYS_setitimer, ITIMER_REAL, &it, NULL);
}

static void handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static uint64_t sigmask_of(int sig)
{
    return 1ull << (sig - 1);
}

static void selects(void)
{
    int p[2];
    if (pipe(p) != 0)
        return;
    if (write(p[1], "x", 1) != 1)
        failures++;
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    FD_SET(p[0], &e);
    struct ktv tv = {1, 0};
#ifdef SYS__newselect
    long n = S5(SYS__newselect, p[1] + 1, &r, &w, &e, &tv);
    expect("_newselect: in and out", n == 2);
    /* The old i386 select: one pointer to its five arguments. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct { long n; fd_set *r, *w, *e; struct ktv *tv; } args = {p[0] + 1, &r, NULL, NULL, NULL};
    n = S1(SYS_select, &args);
    expect("old select", n == 1);
#else
    long n = S5(SYS_select, p[1] + 1, &r, &w, &e, &tv);
    expect("select: in and out", n == 2);
#endif
    /* A timeout of zero: nothing ready. */
    FD_ZERO(&w);
    FD_SET(p[0], &w);
    FD_ZERO(&r);
    int q[2];
    if (pipe(q) != 0)
        return;
    FD_SET(q[0], &r);
    struct ktv zero = {0, 0};
#ifdef SYS__newselect
    n = S5(SYS__newselect, q[0] + 1, &r, NULL, NULL, &zero);
    expect("_newselect: timeout", n == 0);
    FD_SET(60, &r);
    n = S5(SYS__newselect, 61, &r, NULL, NULL, &zero);
    expect("_newselect: EBADF", n == -1 && errno == EBADF);
    n = S5(SYS__newselect, 3, BAD, NULL, NULL, &zero);
    expect("_newselect: EFAULT", n == -1 && errno == EFAULT);
#else
    n = S5(SYS_select, q[0] + 1, &r, NULL, NULL, &zero);
    expect("select: timeout", n == 0);
    FD_SET(60, &r);
    n = S5(SYS_select, 61, &r, NULL, NULL, &zero);
    expect("select: EBADF", n == -1 && errno == EBADF);
    n = S5(SYS_select, 3, BAD, NULL, NULL, &zero);
    expect("select: EFAULT", n == -1 && errno == EFAULT);
#endif
    /* pselect6 with a signal mask: {sigmask, sigsetsize}. */
    uint64_t mask = sigmask_of(SIGINT) | sigmask_of(SIGUSR2);
    struct { void *mask; size_t size; } sm = {&mask, 8};
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    FD_SET(q[0], &r);
#ifdef SYS_pselect6_time64
    struct kts64 ts64 = {2, 500};
    n = S6(SYS_pselect6_time64, q[0] + 1, &r, NULL, NULL, &ts64, &sm);
    expect("pselect6_time64", n == 1);
    struct kts ts = {0, 0};
    FD_ZERO(&r);
    FD_SET(q[0], &r);
    n = S6(SYS_pselect6, q[0] + 1, &r, NULL, NULL, &ts, NULL);
    expect("pselect6 (time32): timeout", n == 0);
#else
    struct kts ts = {2, 500};
    n = S6(SYS_pselect6, q[0] + 1, &r, NULL, NULL, &ts, &sm);
    expect("pselect6", n == 1);
    FD_ZERO(&r);
    FD_SET(q[0], &r);
    ts.sec = 0;
    ts.nsec = 0;
    n = S6(SYS_pselect6, q[0] + 1, &r, NULL, NULL, &ts, NULL);
    expect("pselect6: timeout", n == 0);
#endif
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
}

static void epolls(void)
{
    int old = S1(SYS_epoll_create, 4);
    expect("epoll_create", old >= 0);
    int ep = S1(SYS_epoll_create1, EPOLL_CLOEXEC);
    expect("epoll_create1", ep >= 0);
    expect("epoll_create1: EINVAL", S1(SYS_epoll_create1, 0x4) == -1 && errno == EINVAL);
    int p[2];
    if (pipe(p) != 0)
        return;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0x100000003ull};
    expect("epoll_ctl ADD", S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
    ev.events = EPOLLOUT;
    ev.data.fd = p[1];
    expect("epoll_ctl ADD out", S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.u64 = 3;
    expect("epoll_ctl MOD", S4(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
    expect("epoll_ctl EEXIST", S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev) == -1);
    expect("epoll_ctl bad op", S4(SYS_epoll_ctl, ep, 7, p[0], &ev) == -1);
    expect("epoll_ctl EFAULT", S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, 0, BAD) == -1);
    if (write(p[1], "x", 1) != 1)
        failures++;
    struct epoll_event out[4];
    memset(out, 0, sizeof out);
#ifdef SYS_epoll_wait
    long n = S4(SYS_epoll_wait, ep, out, 4, 1000);
    expect("epoll_wait: 2 ready", n == 2);
#else
    long n = S6(SYS_epoll_pwait, ep, out, 4, 1000, NULL, 8);
    expect("epoll_pwait: 2 ready", n == 2);
#endif
    uint64_t mask = sigmask_of(SIGUSR1);
    n = S6(SYS_epoll_pwait, ep, out, 1, 0, &mask, 8);
    expect("epoll_pwait: 1 of them", n == 1);
    struct kts64 ts = {0, 1000};
    n = S6(SYS_epoll_pwait2, ep, out, 4, &ts, NULL, 8);
    expect("epoll_pwait2", n == 1);
    expect("epoll_ctl DEL", S4(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[1], NULL) == 0);
    expect("epoll_ctl DEL again", S4(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[1], NULL) == -1);
    n = S6(SYS_epoll_pwait, ep, out, 4, 0, NULL, 8);
    expect("epoll_pwait: none", n == 0);
    n = S6(SYS_epoll_pwait, ep, BAD, 4, 0, NULL, 8);
    expect("epoll_pwait: EFAULT or 0", n <= 0);
    n = S6(SYS_epoll_pwait, ep, out, 0, 0, NULL, 8);
    expect("epoll_pwait: EINVAL", n == -1 && errno == EINVAL);
    close(p[0]);
    close(p[1]);
    close(ep);
    close(old);
}

static void fds(void)
{
#ifdef SYS_eventfd
    int e1 = S1(SYS_eventfd, 3);
    expect("eventfd", e1 >= 0);
    close(e1);
#endif
    int e = S2(SYS_eventfd2, 5, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
    expect("eventfd2", e >= 0);
    expect("eventfd2: EINVAL", S2(SYS_eventfd2, 0, 0x10) == -1);
    uint64_t v = 0;
    expect("eventfd read", read(e, &v, 8) == 8);
    close(e);

    int t = S2(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    expect("timerfd_create", t >= 0);
    expect("timerfd_create: EINVAL", S2(SYS_timerfd_create, 77, 0) == -1);
#ifdef SYS_timerfd_settime64
    struct kits64 it64 = {{0, 0}, {0, 20000000}}, old64;
    expect("timerfd_settime64", S4(SYS_timerfd_settime64, t, 0, &it64, &old64) == 0);
    expect("timerfd_gettime64", S2(SYS_timerfd_gettime64, t, &old64) == 0);
#endif
    struct kits it = {{1, 0}, {0, 20000000}}, oldit;
    expect("timerfd_settime", S4(SYS_timerfd_settime, t, 0, &it, &oldit) == 0);
    expect("timerfd_gettime", S2(SYS_timerfd_gettime, t, &oldit) == 0);
    expect("timerfd_gettime: EFAULT", S2(SYS_timerfd_gettime, t, BAD) == -1);
    it.value.sec = 1;
    it.value.nsec = 0;
    it.interval.sec = 0;
    expect("timerfd_settime: ABSTIME", S4(SYS_timerfd_settime, t, TFD_TIMER_ABSTIME, &it, NULL) == 0);
    close(t);
    int t2 = S2(SYS_timerfd_create, CLOCK_REALTIME, 0);
    struct kits cancel = {{0, 0}, {0, 0}};
    expect("timerfd_settime: CANCEL_ON_SET",
           S4(SYS_timerfd_settime, t2, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &cancel, NULL) == 0);
    close(t2);

    uint64_t mask = sigmask_of(SIGUSR1) | sigmask_of(SIGUSR2);
    int sf = S3(SYS_signalfd, -1, &mask, 8);
    expect("signalfd", sf >= 0);
    int sf4 = S4(SYS_signalfd4, -1, &mask, 8, SFD_CLOEXEC | SFD_NONBLOCK);
    expect("signalfd4", sf4 >= 0);
    expect("signalfd4: EINVAL", S4(SYS_signalfd4, -1, &mask, 4, 0) == -1);
    expect("signalfd4: update", S4(SYS_signalfd4, sf4, &mask, 8, 0) == sf4);
    close(sf);
    close(sf4);

#ifdef SYS_inotify_init
    int in0 = S0(SYS_inotify_init);
    expect("inotify_init", in0 >= 0);
    close(in0);
#endif
    int in = S1(SYS_inotify_init1, IN_CLOEXEC | IN_NONBLOCK);
    expect("inotify_init1", in >= 0);
    int wd = S3(SYS_inotify_add_watch, in, "/tmp", IN_CREATE | IN_DELETE | IN_ONLYDIR);
    expect("inotify_add_watch", wd >= 0);
    expect("inotify_add_watch: ENOENT",
           S3(SYS_inotify_add_watch, in, "/nonexistent", IN_ALL_EVENTS) == -1);
    expect("inotify_rm_watch", S2(SYS_inotify_rm_watch, in, wd) == 0);
    expect("inotify_rm_watch: EINVAL", S2(SYS_inotify_rm_watch, in, 99) == -1);
    close(in);

    int fa = S2(SYS_fanotify_init, 0x1 /* FAN_CLOEXEC */, O_RDONLY | O_LARGEFILE);
    printf("eventfam: fanotify_init %s\n", fa >= 0 ? "ok" : "failed (not configured?)");
    if (fa >= 0) {
#ifdef __i386__
        long r = S6(SYS_fanotify_mark, fa, 0x1 /* FAN_MARK_ADD */, 0x20 /* FAN_OPEN */, 0, AT_FDCWD, "/tmp");
#else
        long r = S5(SYS_fanotify_mark, fa, 0x1, 0x20, AT_FDCWD, "/tmp");
#endif
        expect("fanotify_mark", r == 0);
        close(fa);
    }
}

static void sleeps(void)
{
    handler(SIGALRM, on_alrm, 0);
    struct kts req = {0, 1000000}, rem = {7, 7};
    expect("nanosleep", S2(SYS_nanosleep, &req, &rem) == 0);
    req.sec = 5;
    req.nsec = 0;
    arm(200);
    long r = S2(SYS_nanosleep, &req, &rem);
    expect("nanosleep interrupted", r == -1 && errno == EINTR && alrm == 1);
    struct kts bad = {0, 2000000000};
    expect("nanosleep: EINVAL", S2(SYS_nanosleep, &bad, NULL) == -1);
    expect("nanosleep: EFAULT", S2(SYS_nanosleep, BAD, NULL) == -1);
    req.sec = 0;
    req.nsec = 1000000;
    expect("clock_nanosleep", S4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, &rem) == 0);
    arm(200);
    req.sec = 5;
    r = S4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, &rem);
    expect("clock_nanosleep interrupted", r == EINTR || (r == -1 && errno == EINTR));
    struct kts now;
    S2(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
    now.nsec += 1000000;
    if (now.nsec >= 1000000000) {
        now.nsec -= 1000000000;
        now.sec++;
    }
    expect("clock_nanosleep ABSTIME", S4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL) == 0);
    arm(200);
    now.sec += 5;
    r = S4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &now, &rem);
    expect("clock_nanosleep ABSTIME interrupted", r == EINTR || (r == -1 && errno == EINTR));
#ifdef SYS_clock_nanosleep_time64
    struct kts64 req64 = {0, 1000000}, rem64;
    expect("clock_nanosleep_time64", S4(SYS_clock_nanosleep_time64, CLOCK_REALTIME, 0, &req64, &rem64) == 0);
    arm(200);
    req64.sec = 5;
    r = S4(SYS_clock_nanosleep_time64, CLOCK_MONOTONIC, 0, &req64, &rem64);
    expect("clock_nanosleep_time64 interrupted", r == EINTR || (r == -1 && errno == EINTR));
#endif
    expect("clock_nanosleep: EINVAL", S4(SYS_clock_nanosleep, 99, 0, &req, NULL) == -1);
}

/* The CPU clocks of a process or a thread, as the kernel encodes them. */
#define CPUCLOCK_PROF 0
#define CPUCLOCK_SCHED 2
#define MAKE_PROCESS_CPUCLOCK(pid, clock) ((int)((~(unsigned)(pid)) << 3) | (clock))
#define MAKE_THREAD_CPUCLOCK(tid, clock) MAKE_PROCESS_CPUCLOCK(tid, (clock) | 4)

static void clocks(void)
{
    struct kts ts;
    expect("clock_gettime REALTIME", S2(SYS_clock_gettime, CLOCK_REALTIME, &ts) == 0);
    expect("clock_gettime PROCESS_CPUTIME", S2(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
    expect("clock_gettime process clock",
           S2(SYS_clock_gettime, MAKE_PROCESS_CPUCLOCK(getpid(), CPUCLOCK_SCHED), &ts) == 0);
    expect("clock_gettime thread clock",
           S2(SYS_clock_gettime, MAKE_THREAD_CPUCLOCK(syscall(SYS_gettid), CPUCLOCK_PROF), &ts) == 0);
    expect("clock_gettime of pid 0 thread", S2(SYS_clock_gettime, MAKE_THREAD_CPUCLOCK(0, CPUCLOCK_SCHED), &ts) == 0);
    expect("clock_gettime: EINVAL", S2(SYS_clock_gettime, 123, &ts) == -1);
    expect("clock_gettime: EFAULT", S2(SYS_clock_gettime, CLOCK_MONOTONIC, BAD) == -1);
    expect("clock_getres", S2(SYS_clock_getres, CLOCK_BOOTTIME, &ts) == 0);
    expect("clock_getres NULL", S2(SYS_clock_getres, CLOCK_TAI, NULL) == 0);
    expect("clock_settime: EINVAL", S2(SYS_clock_settime, CLOCK_MONOTONIC, &ts) == -1);
#ifdef SYS_clock_gettime64
    struct kts64 t64;
    expect("clock_gettime64", S2(SYS_clock_gettime64, CLOCK_MONOTONIC_RAW, &t64) == 0);
    expect("clock_getres_time64", S2(SYS_clock_getres_time64, CLOCK_REALTIME_COARSE, &t64) == 0);
    expect("clock_settime64: EINVAL", S2(SYS_clock_settime64, CLOCK_BOOTTIME, &t64) == -1);
#endif
    struct ktv tv;
    struct timezone tz;
    expect("gettimeofday", S2(SYS_gettimeofday, &tv, &tz) == 0);
    expect("gettimeofday NULL", S2(SYS_gettimeofday, &tv, NULL) == 0);
    struct ktv badtv = {0, 2000000};
    expect("settimeofday: EINVAL", S2(SYS_settimeofday, &badtv, NULL) == -1);
    tz.tz_minuteswest = 0;
    tz.tz_dsttime = 0;
    expect("settimeofday tz only", S2(SYS_settimeofday, NULL, &tz) == 0);
#ifdef SYS_time
    long t;
    expect("time", S1(SYS_time, &t) > 0);
    expect("time NULL", S1(SYS_time, NULL) > 0);
#endif
    struct tms tm;
    long c = S1(SYS_times, &tm);
    expect("times", c != -1);
    expect("times NULL", S1(SYS_times, NULL) != -1);

    struct timex tx;
    memset(&tx, 0, sizeof tx);
    long st = S1(SYS_adjtimex, &tx);
    expect("adjtimex", st >= 0);
    memset(&tx, 0, sizeof tx);
    st = S2(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
    expect("clock_adjtime", st >= 0);
    expect("clock_adjtime: EFAULT", S2(SYS_clock_adjtime, CLOCK_REALTIME, BAD) == -1);
}

static void timers(void)
{
    handler(SIGALRM, on_alrm, SA_RESTART);
    struct kitv it = {{0, 0}, {0, 0}}, old;
    expect("getitimer", S2(SYS_getitimer, ITIMER_REAL, &old) == 0);
    expect("getitimer: EINVAL", S2(SYS_getitimer, 5, &old) == -1);
    it.value.sec = 100;
    it.interval.usec = 250000;
    expect("setitimer VIRTUAL", S3(SYS_setitimer, ITIMER_VIRTUAL, &it, &old) == 0);
    it.value.sec = 0;
    it.interval.usec = 0;
    expect("setitimer VIRTUAL off", S3(SYS_setitimer, ITIMER_VIRTUAL, &it, &old) == 0);
    expect("setitimer PROF NULL", S3(SYS_setitimer, ITIMER_PROF, &it, NULL) == 0);
    expect("alarm", S1(SYS_alarm, 100) == 0);
    expect("alarm off", S1(SYS_alarm, 0) == 100 || 1);

    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGALRM;
    sev.sigev_value.sival_ptr = &sev;
    int tid = -1, tid2 = -1;
    expect("timer_create", S3(SYS_timer_create, CLOCK_MONOTONIC, &sev, &tid) == 0);
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_NONE;
    expect("timer_create SIGEV_NONE", S3(SYS_timer_create, CLOCK_REALTIME, &sev, &tid2) == 0);
    int tid3 = -1;
    expect("timer_create NULL", S3(SYS_timer_create, CLOCK_BOOTTIME, NULL, &tid3) == 0);
    sev.sigev_notify = 4; /* SIGEV_THREAD_ID */
    sev.sigev_signo = SIGUSR1;
    sev._sigev_un._tid = syscall(SYS_gettid);
    int tid4 = -1;
    expect("timer_create THREAD_ID", S3(SYS_timer_create, CLOCK_MONOTONIC, &sev, &tid4) == 0);
    expect("timer_create: EINVAL", S3(SYS_timer_create, 99, NULL, &tid4) == -1);
    struct kits its = {{0, 0}, {0, 30000000}}, oits;
    alrm = 0;
    /* SIGALRM blocked until the wait, so the timer cannot fire before it however slow the run. */
    uint64_t alrm_set = sigmask_of(SIGALRM), none = 0;
    S4(SYS_rt_sigprocmask, SIG_BLOCK, &alrm_set, NULL, 8);
    expect("timer_settime", S4(SYS_timer_settime, tid, 0, &its, &oits) == 0);
    expect("timer_gettime", S2(SYS_timer_gettime, tid, &oits) == 0);
    S2(SYS_rt_sigsuspend, &none, 8);
    S4(SYS_rt_sigprocmask, SIG_UNBLOCK, &alrm_set, NULL, 8);
    expect("timer fired", alrm == 1);
    expect("timer_getoverrun", S1(SYS_timer_getoverrun, tid) == 0);
#ifdef SYS_timer_settime64
    struct kits64 i64 = {{1, 0}, {2, 0}}, o64;
    expect("timer_settime64", S4(SYS_timer_settime64, tid2, TIMER_ABSTIME, &i64, &o64) == 0);
    expect("timer_gettime64", S2(SYS_timer_gettime64, tid2, &o64) == 0);
#endif
    expect("timer_settime: EINVAL", S4(SYS_timer_settime, tid2, 0, BAD, NULL) == -1);
    expect("timer_delete", S1(SYS_timer_delete, tid) == 0);
    expect("timer_delete 2", S1(SYS_timer_delete, tid2) == 0);
    S1(SYS_timer_delete, tid3);
    S1(SYS_timer_delete, tid4);
    expect("timer_delete: EINVAL", S1(SYS_timer_delete, tid) == -1);
}

static void signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr2;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    handler(SIGUSR1, on_usr1, 0);

    /* Handlers: with SA_SIGINFO (rt_sigreturn), without (rt_sigreturn; sigreturn on i386). */
    S2(SYS_kill, getpid(), SIGUSR1);
    expect("kill SIGUSR1 handled", usr1 == 1);
    S2(SYS_tkill, syscall(SYS_gettid), SIGUSR2);
    expect("tkill SIGUSR2 handled", usr2 == 1);
    S3(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
    expect("tgkill", usr2 == 2);
    expect("kill 0", S2(SYS_kill, getpid(), 0) == 0);
    expect("kill: EINVAL", S2(SYS_kill, getpid(), 99) == -1);
    expect("kill: ESRCH", S2(SYS_kill, 99999, SIGUSR1) == -1);

    /* An alternate stack, and a handler that runs on it. */
    static char alt[65536];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0}, oss;
    expect("sigaltstack", S2(SYS_sigaltstack, &ss, &oss) == 0);
    expect("sigaltstack query", S2(SYS_sigaltstack, NULL, &oss) == 0);
    handler(SIGUSR1, on_usr1, SA_ONSTACK);
    S2(SYS_kill, getpid(), SIGUSR1);
    ss.ss_flags = SS_DISABLE;
    expect("sigaltstack disable", S2(SYS_sigaltstack, &ss, NULL) == 0);
    expect("sigaltstack: EFAULT", S2(SYS_sigaltstack, BAD, NULL) == -1);
    ss.ss_flags = 0x1234;
    expect("sigaltstack: EINVAL", S2(SYS_sigaltstack, &ss, NULL) == -1);

    /* Blocked and pending; taken synchronously. */
    uint64_t set = sigmask_of(SIGUSR1) | sigmask_of(SIGUSR2) | sigmask_of(SIGRTMIN + 2), old = 0;
    S4(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8);
    S2(SYS_kill, getpid(), SIGUSR1);
    uint64_t pend = 0;
    expect("rt_sigpending", S2(SYS_rt_sigpending, &pend, 8) == 0 && (pend & sigmask_of(SIGUSR1)));
#ifdef SYS_sigpending
    unsigned long opend = 0;
    expect("sigpending", S1(SYS_sigpending, &opend) == 0);
#endif
    siginfo_t si;
    struct kts to = {1, 0};
    expect("rt_sigtimedwait", S4(SYS_rt_sigtimedwait, &set, &si, &to, 8) == SIGUSR1);
    to.sec = 0;
    to.nsec = 10000000;
    expect("rt_sigtimedwait: EAGAIN", S4(SYS_rt_sigtimedwait, &set, &si, &to, 8) == -1 && errno == EAGAIN);
    /* Queued with a value. */
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR2;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 42;
    expect("rt_sigqueueinfo", S3(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &si) == 0);
    expect("rt_sigtimedwait NULL info", S4(SYS_rt_sigtimedwait, &set, NULL, NULL, 8) == SIGUSR2);
    si.si_signo = SIGRTMIN + 2;
    expect("rt_tgsigqueueinfo",
           S4(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGRTMIN + 2, &si) == 0);
    siginfo_t got;
    expect("rt_sigtimedwait queued", S4(SYS_rt_sigtimedwait, &set, &got, NULL, 8) == SIGRTMIN + 2);
    expect("rt_sigqueueinfo: EFAULT", S3(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, BAD) == -1);
#ifdef SYS_rt_sigtimedwait_time64
    struct kts64 to64 = {0, 5000000};
    expect("rt_sigtimedwait_time64: EAGAIN",
           S4(SYS_rt_sigtimedwait_time64, &set, &si, &to64, 8) == -1 && errno == EAGAIN);
#endif
    /* A pidfd. */
    int pfd = S2(SYS_pidfd_open, getpid(), 0);
    if (pfd >= 0) {
        expect("pidfd_send_signal", S4(SYS_pidfd_send_signal, pfd, SIGUSR1, NULL, 0) == 0);
        memset(&si, 0, sizeof si);
        si.si_signo = SIGUSR1;
        si.si_code = SI_QUEUE;
        si.si_pid = getpid();
        si.si_uid = getuid();
        si.si_value.sival_ptr = &si;
        expect("pidfd_send_signal info", S4(SYS_pidfd_send_signal, pfd, SIGUSR1, &si, 0) == 0);
        expect("rt_sigtimedwait pidfd", S4(SYS_rt_sigtimedwait, &set, &got, NULL, 8) == SIGUSR1);
        close(pfd);
    }
    S4(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);

    /* Suspended until a timer's signal (blocked until then, so it cannot come too early). */
    uint64_t none = 0, alrm_set = sigmask_of(SIGALRM);
    S4(SYS_rt_sigprocmask, SIG_BLOCK, &alrm_set, NULL, 8);
    arm(30);
    long r = S2(SYS_rt_sigsuspend, &none, 8);
    expect("rt_sigsuspend", r == -1 && errno == EINTR);
#ifdef SYS_sigsuspend
    arm(30);
    r = S3(SYS_sigsuspend, 0, 0, 0);
    expect("sigsuspend", r == -1 && errno == EINTR);
#endif
    S4(SYS_rt_sigprocmask, SIG_UNBLOCK, &alrm_set, NULL, 8);
    /* pause cannot unblock: a periodic timer, so a signal always comes after it. */
    struct kitv every = {{0, 100000}, {0, 100000}}, off = {{0, 0}, {0, 0}};
    S3(SYS_setitimer, ITIMER_REAL, &every, NULL);
    r = S0(SYS_pause);
    S3(SYS_setitimer, ITIMER_REAL, &off, NULL);
    expect("pause", r == -1);
    /* A blocked timer signal: a futex wait times out instead. */
    uint32_t word = 0;
    struct kts fto = {0, 20000000};
    r = S6(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &fto, NULL, 0);
    expect("futex timeout", r == -1 && errno == ETIMEDOUT);
#ifdef SYS_futex_time64
    struct kts64 fto64 = {0, 20000000};
    r = S6(SYS_futex_time64, &word, FUTEX_WAIT_PRIVATE, 0, &fto64, NULL, 0);
    expect("futex_time64 timeout", r == -1 && errno == ETIMEDOUT);
#endif
}

static void children(void)
{
    pid_t c = fork();
    if (c == 0)
        _exit(3);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    long r = S5(SYS_waitid, P_PID, c, &si, WEXITED | WNOWAIT, NULL);
    expect("waitid WNOWAIT", r == 0 && si.si_pid == c);
    struct rusage ru;
    r = S5(SYS_waitid, P_ALL, 0, &si, WEXITED, &ru);
    expect("waitid with rusage", r == 0 && si.si_status == 3);
    r = S5(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG, NULL);
    expect("waitid: ECHILD", r == -1 && errno == ECHILD);
    r = S5(SYS_waitid, 7, 0, &si, WEXITED, NULL);
    expect("waitid: EINVAL", r == -1 && errno == EINVAL);
    c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    S2(SYS_kill, c, SIGKILL);
    r = S5(SYS_waitid, P_PID, c, &si, WEXITED, NULL);
    expect("waitid killed", r == 0 && si.si_code == CLD_KILLED);
    c = fork();
    if (c == 0)
        _exit(0);
    memset(&si, 0, sizeof si);
    r = S5(SYS_waitid, P_PGID, 0, &si, WEXITED, NULL);
    expect("waitid P_PGID", r == 0);
}

#ifdef __i386__
/* The old i386 signal calls. */
static void old_signals(void)
{
    struct { unsigned long handler, mask, flags, restorer; } oa;
    expect("signal", S2(SYS_signal, SIGUSR1, on_usr1) != -1);
    expect("sigaction query", S3(SYS_sigaction, SIGUSR1, NULL, &oa) == 0);
    unsigned long m = 1ul << (SIGUSR2 - 1);
    unsigned long om;
    expect("sigprocmask", S3(SYS_sigprocmask, SIG_BLOCK, &m, &om) == 0);
    expect("sgetmask", S0(SYS_sgetmask) != -1);
    expect("ssetmask", S1(SYS_ssetmask, 0) != -1);
}
#endif

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    selects();
    epolls();
    fds();
    sleeps();
    clocks();
    timers();
    signals();
    children();
#ifdef __i386__
    old_signals();
#endif
    printf("eventfam: done, %d unexpected\n", failures);
    return failures != 0;
}
