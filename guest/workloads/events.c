/* events: waiting for events the ways a program does: poll and ppoll (pollfd arrays with several
 * events, revents, a timeout, a signal mask), select and pselect6 with read/write/except sets,
 * epoll (create1, ctl add/mod/del, wait, pwait with a mask, pwait2 if present), eventfd2,
 * timerfd (create, settime relative and absolute, gettime, read), signalfd4 (a blocked signal read
 * as a siginfo), inotify (init1, add_watch, events read, rm_watch), and failures: EBADF, EFAULT,
 * EINVAL, EEXIST, ENOENT. Timeouts are short and fixed. Exit status: the number of steps that did
 * not behave as expected. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>

#include "wl.h"

#define DIR_ "/tmp/events.d"

static void polls(int rd, int wr)
{
    struct pollfd p[3] = {{rd, POLLIN | POLLPRI, 0}, {wr, POLLOUT, 0}, {-1, POLLIN, 0}};
    ok("poll 3 fds, 1 ready (write end)", poll(p, 3, 0) == 1);
    ok("write to pipe", write(wr, "ev", 2) == 2);
    ok("poll both ready", poll(p, 2, 100) == 2);
    struct pollfd bad = {999, POLLIN, 0};
    ok("poll closed fd gives POLLNVAL", poll(&bad, 1, 0) == 1 && bad.revents == POLLNVAL);
    ok("poll no fds, 10 ms", poll(NULL, 0, 10) == 0);
    fails("poll bad array (EFAULT)", poll(BADPTR, 2, 0), EFAULT);
    volatile nfds_t too_many = 0x7fffffff;
    fails("poll too many fds (EINVAL)", poll(p, too_many, 0), EINVAL);

    struct timespec ts = {0, 20000000};
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGTERM);
    ok("ppoll with timeout and mask", ppoll(p, 1, &ts, &mask) == 1);
    char buf[8];
    read(rd, buf, sizeof buf);
    ts.tv_nsec = 1000000;
    ok("ppoll times out", ppoll(p, 1, &ts, NULL) == 0);
    ts.tv_nsec = 2000000000;
    fails("ppoll bad timeout (EINVAL)", ppoll(p, 1, &ts, NULL), EINVAL);

    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(rd, &r);
    FD_SET(wr, &w);
    FD_SET(rd, &e);
    struct timeval tv = {0, 5000};
    ok("select read/write/except sets", select(wr + 1, &r, &w, &e, &tv) == 1);
    FD_ZERO(&r);
    FD_SET(rd, &r);
    tv.tv_usec = 1000;
    ok("select times out", select(rd + 1, &r, NULL, NULL, &tv) == 0);
    FD_ZERO(&r);
    FD_SET(rd, &r);
    FD_SET(60, &r);
    fails("select closed fd (EBADF)", select(61, &r, NULL, NULL, &tv), EBADF);
    tv.tv_usec = -1;
    fails("select bad timeout (EINVAL)", select(1, NULL, NULL, NULL, &tv), EINVAL);
    FD_ZERO(&w);
    FD_SET(wr, &w);
    ts.tv_sec = 0;
    ts.tv_nsec = 1000000;
    ok("pselect with mask", pselect(wr + 1, NULL, &w, NULL, &ts, &mask) == 1);
    fails("pselect bad set (EFAULT)", pselect(wr + 1, BADPTR, NULL, NULL, &ts, NULL), EFAULT);
    fails("select negative nfds (EINVAL)", select(-1, NULL, NULL, NULL, NULL), EINVAL);
}

static void epolls(int rd, int wr)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    ok("epoll_create1 EPOLL_CLOEXEC", ep >= 0);
    int ep2 = epoll_create(4);
    ok("epoll_create", ep2 >= 0);
    fails("epoll_create1 bad flags (EINVAL)", epoll_create1(1), EINVAL);
    fails("epoll_create 0 (EINVAL)", epoll_create(0), EINVAL);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET | EPOLLRDHUP, .data.u64 = 0x1122334455667788ULL};
    ok("epoll_ctl ADD read end", epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev) == 0);
    ev.events = EPOLLOUT;
    ev.data.fd = wr;
    ok("epoll_ctl ADD write end", epoll_ctl(ep, EPOLL_CTL_ADD, wr, &ev) == 0);
    fails("epoll_ctl ADD again (EEXIST)", epoll_ctl(ep, EPOLL_CTL_ADD, wr, &ev), EEXIST);
    ev.events = EPOLLOUT | EPOLLONESHOT;
    ok("epoll_ctl MOD", epoll_ctl(ep, EPOLL_CTL_MOD, wr, &ev) == 0);
    int other = eventfd(0, 0);
    fails("epoll_ctl MOD missing (ENOENT)", epoll_ctl(ep, EPOLL_CTL_MOD, other, &ev), ENOENT);
    close(other);
    fails("epoll_ctl bad op (EINVAL)", epoll_ctl(ep, 99, rd, &ev), EINVAL);
    fails("epoll_ctl bad event (EFAULT)", epoll_ctl(ep, EPOLL_CTL_ADD, rd, BADPTR), EFAULT);
    fails("epoll_ctl bad fd (EBADF)", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
    fails("epoll_ctl on itself (EINVAL)", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);

    struct epoll_event out[4];
    ok("epoll_wait one ready", epoll_wait(ep, out, 4, 0) == 1);
    write(wr, "epoll", 5);
    ok("epoll_wait read end ready", epoll_wait(ep, out, 4, 50) == 1);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    ok("epoll_pwait with mask, nothing new", epoll_pwait(ep, out, 4, 5, &mask) == 0);
    ok("epoll_ctl DEL", epoll_ctl(ep, EPOLL_CTL_DEL, rd, NULL) == 0);
    fails("epoll_wait bad maxevents (EINVAL)", epoll_wait(ep, out, 0, 0), EINVAL);
    fails("epoll_wait bad buffer (EFAULT)", (write(wr, "x", 1), epoll_ctl(ep, EPOLL_CTL_ADD, rd,
                                              &(struct epoll_event){.events = EPOLLIN}),
                                              epoll_wait(ep, BADPTR, 4, 0)), EFAULT);
    fails("epoll_wait not epoll (EINVAL)", epoll_wait(rd, out, 4, 0), EINVAL);
#ifdef SYS_epoll_pwait2
    struct {
        long long tv_sec, tv_nsec; /* the kernel's 64-bit timespec, on i386 too */
    } ts64 = {0, 1000000};
    tried("epoll_pwait2", syscall(SYS_epoll_pwait2, ep, out, 4, &ts64, NULL, 8));
#endif
    char buf[16];
    read(rd, buf, sizeof buf);
    close(ep2);
    close(ep);
}

static void eventfds(void)
{
    int e = eventfd(3, EFD_CLOEXEC | EFD_NONBLOCK);
    ok("eventfd2 3, EFD_CLOEXEC|EFD_NONBLOCK", e >= 0);
    uint64_t v = 4;
    ok("write eventfd", write(e, &v, 8) == 8);
    ok("read eventfd (7)", read(e, &v, 8) == 8 && v == 7);
    fails("read eventfd empty (EAGAIN)", read(e, &v, 8), EAGAIN);
    fails("read eventfd short (EINVAL)", read(e, &v, 4), EINVAL);
    close(e);
    int s = eventfd(0, EFD_SEMAPHORE);
    ok("eventfd2 EFD_SEMAPHORE", s >= 0);
    close(s);
    fails("eventfd2 bad flags (EINVAL)", eventfd(0, 0x7), EINVAL);
}

static void timerfds(void)
{
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    ok("timerfd_create CLOCK_MONOTONIC", t >= 0);
    struct itimerspec its = {{0, 5000000}, {0, 10000000}}, old;
    ok("timerfd_settime relative", timerfd_settime(t, 0, &its, &old) == 0);
    ok("timerfd_gettime", timerfd_gettime(t, &old) == 0);
    struct pollfd p = {t, POLLIN, 0};
    poll(&p, 1, 1000);
    uint64_t n;
    ok("read timerfd expirations", read(t, &n, 8) == 8 && n >= 1);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    its.it_interval.tv_nsec = 0;
    its.it_value.tv_sec = now.tv_sec + 100;
    its.it_value.tv_nsec = 0;
    ok("timerfd_settime TFD_TIMER_ABSTIME", timerfd_settime(t, TFD_TIMER_ABSTIME, &its, NULL) == 0);
    memset(&its, 0, sizeof its);
    ok("timerfd_settime disarm", timerfd_settime(t, 0, &its, &old) == 0);
    its.it_value.tv_nsec = 1000000000;
    fails("timerfd_settime bad nsec (EINVAL)", timerfd_settime(t, 0, &its, NULL), EINVAL);
    fails("timerfd_settime bad flags (EINVAL)", timerfd_settime(t, 0x10, &old, NULL), EINVAL);
    /* Raw: 32-bit glibc converts through its own copy and would fault itself. */
    fails("timerfd_gettime bad pointer (EFAULT)", syscall(SYS_timerfd_gettime, t, BADPTR), EFAULT);
    fails("timerfd_gettime not a timerfd (EINVAL)", timerfd_gettime(0, &old), EINVAL);
    fails("timerfd_create bad clock (EINVAL)", timerfd_create(12345, 0), EINVAL);
    close(t);
    int r = timerfd_create(CLOCK_REALTIME, 0);
    ok("timerfd_create CLOCK_REALTIME", r >= 0);
    close(r);
}

static void signalfds(void)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int s = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    ok("signalfd4 SIGUSR1|SIGCHLD", s >= 0);
    kill(getpid(), SIGUSR1);
    struct signalfd_siginfo si;
    ok("read signalfd_siginfo", read(s, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1);
    fails("read signalfd empty (EAGAIN)", read(s, &si, sizeof si), EAGAIN);
    sigaddset(&mask, SIGUSR2);
    ok("signalfd4 change mask", signalfd(s, &mask, 0) == s);
    fails("signalfd4 bad flags (EINVAL)", signalfd(-1, &mask, 0x1), EINVAL);
    fails("signalfd4 bad mask (EFAULT)", signalfd(-1, BADPTR, 0), EFAULT);
    fails("signalfd4 not a signalfd (EINVAL)", signalfd(0, &mask, 0), EINVAL);
    close(s);
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

static void inotifies(void)
{
    mkdir(DIR_, 0755);
    int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    ok("inotify_init1 IN_CLOEXEC|IN_NONBLOCK", in >= 0);
    int w = inotify_add_watch(in, DIR_, IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE);
    ok("inotify_add_watch dir", w >= 0);
    int w2 = inotify_add_watch(in, "/etc/fstab", IN_ACCESS | IN_ONESHOT);
    ok("inotify_add_watch file IN_ONESHOT", w2 >= 0);
    fails("inotify_add_watch missing (ENOENT)", inotify_add_watch(in, DIR_ "/none", IN_ALL_EVENTS),
          ENOENT);
    fails("inotify_add_watch no events (EINVAL)", inotify_add_watch(in, DIR_, 0), EINVAL);
    fails("inotify_add_watch bad path (EFAULT)", inotify_add_watch(in, BADPTR, IN_CREATE), EFAULT);
    int f = open(DIR_ "/file", O_CREAT | O_WRONLY, 0644);
    write(f, "x", 1);
    close(f);
    unlink(DIR_ "/file");
    char buf[1024] __attribute__((aligned(8)));
    ok("read inotify events", read(in, buf, sizeof buf) > 0);
    ok("inotify_rm_watch", inotify_rm_watch(in, w) == 0);
    fails("inotify_rm_watch again (EINVAL)", inotify_rm_watch(in, w), EINVAL);
    fails("inotify_rm_watch bad fd (EBADF)", inotify_rm_watch(999, 1), EBADF);
    fails("inotify_init1 bad flags (EINVAL)", inotify_init1(0x1), EINVAL);
    close(in);
    int in2 = inotify_init();
    ok("inotify_init", in2 >= 0);
    close(in2);
    rmdir(DIR_);
}

int main(void)
{
    wl_name = "events";
    int p[2];
    ok("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK) == 0);
    polls(p[0], p[1]);
    epolls(p[0], p[1]);
    eventfds();
    timerfds();
    signalfds();
    inotifies();
    return wl_exit();
}
