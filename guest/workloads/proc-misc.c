/* proc-misc: process-wide calls: prctl (names, dumpable, no_new_privs, child subreaper, pdeathsig,
 * timer slack, keep caps, THP, and bad options), clone3 (a child with CLONE_PIDFD and exit signal,
 * bad sizes), set_tid_address, the scheduler (getaffinity, setaffinity, getparam, setparam,
 * getscheduler, setscheduler, get_priority_min/max, yield, rr_get_interval, getattr), resource
 * limits (getrlimit, setrlimit, prlimit64), getrusage, sysinfo, times, getitimer/setitimer, POSIX
 * timers (create, settime, gettime, getoverrun, delete), sigaltstack, rt_sigtimedwait,
 * rt_sigqueueinfo, rt_tgsigqueueinfo, kcmp, pidfd_open, pidfd_send_signal, waitid on a pidfd,
 * mincore, umask, getcwd, uname, personality, capget/capset, getpriority/setpriority, getgroups,
 * getresuid, ioprio; with failures EINVAL, EFAULT, ESRCH, EPERM, EBADF.
 * Exit status: the number of steps that did not behave as expected. */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "wl.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static void prctls(void)
{
    char name[16];
    ok("prctl PR_SET_NAME", prctl(PR_SET_NAME, "proc-misc-name") == 0);
    ok("prctl PR_GET_NAME", prctl(PR_GET_NAME, name) == 0 && strcmp(name, "proc-misc-name") == 0);
    ok("prctl PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE) == 1);
    ok("prctl PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0) == 0);
    prctl(PR_SET_DUMPABLE, 1);
    ok("prctl PR_SET_PDEATHSIG SIGTERM", prctl(PR_SET_PDEATHSIG, SIGTERM) == 0);
    int sig = 0;
    ok("prctl PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGTERM);
    prctl(PR_SET_PDEATHSIG, 0);
    ok("prctl PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    int sub = 0;
    ok("prctl PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &sub) == 0 && sub == 1);
    ok("prctl PR_SET_TIMERSLACK", prctl(PR_SET_TIMERSLACK, 100000) == 0);
    ok("prctl PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK) == 100000);
    ok("prctl PR_SET_KEEPCAPS", prctl(PR_SET_KEEPCAPS, 1) == 0);
    ok("prctl PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS) == 1);
    ok("prctl PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
    ok("prctl PR_CAPBSET_READ CAP_CHOWN", prctl(PR_CAPBSET_READ, CAP_CHOWN) == 1);
    ok("prctl PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS) >= 0);
    ok("prctl PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0);
    ok("prctl PR_SET_THP_DISABLE", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0);
    ok("prctl PR_GET_TIMING", prctl(PR_GET_TIMING) == PR_TIMING_STATISTICAL);
    tried("prctl PR_SET_MM (EINVAL or EPERM)", prctl(PR_SET_MM, 9999, 0, 0, 0));
    ok("prctl PR_SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    fails("prctl unknown option (EINVAL)", prctl(0x7fff1234, 1, 2, 3, 4), EINVAL);
    fails("prctl PR_SET_PDEATHSIG bad signal (EINVAL)", prctl(PR_SET_PDEATHSIG, 999), EINVAL);
    fails("prctl PR_GET_PDEATHSIG bad pointer (EFAULT)", prctl(PR_GET_PDEATHSIG, BADPTR), EFAULT);
    fails("prctl PR_SET_NAME bad pointer (EFAULT)", prctl(PR_SET_NAME, BADPTR), EFAULT);
}

static void clones(void)
{
    int pidfd = -1;
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_PIDFD;
    ca.pidfd = (uintptr_t)&pidfd;
    ca.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &ca, sizeof ca);
    if (pid == 0)
        _exit(3);
    ok("clone3 CLONE_PIDFD, exit_signal SIGCHLD", pid > 0 && pidfd >= 0);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    ok("waitid P_PIDFD WEXITED", waitid(P_PIDFD, pidfd, &si, WEXITED) == 0 && si.si_status == 3);
    close(pidfd);
    fails("clone3 size too small (EINVAL)", syscall(SYS_clone3, &ca, 8), EINVAL);
    fails("clone3 bad pointer (EFAULT)", syscall(SYS_clone3, BADPTR, sizeof ca), EFAULT);
    ca.flags = CLONE_THREAD;
    fails("clone3 CLONE_THREAD without VM (EINVAL)", syscall(SYS_clone3, &ca, sizeof ca), EINVAL);

    /* A child that waits to be signalled through a pidfd. */
    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    int pfd = syscall(SYS_pidfd_open, c, 0);
    ok("pidfd_open", pfd >= 0);
    fails("pidfd_open bad flags (EINVAL)", syscall(SYS_pidfd_open, c, 1), EINVAL);
    fails("pidfd_open no such pid (ESRCH)", syscall(SYS_pidfd_open, 999999, 0), ESRCH);
    ok("kcmp KCMP_VM parent/child", syscall(SYS_kcmp, getpid(), c, 1 /* KCMP_VM */, 0, 0) >= 0);
    ok("kcmp KCMP_FILE same file", syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, 1, 1) == 0);
    fails("kcmp bad type (EINVAL)", syscall(SYS_kcmp, getpid(), c, 99, 0, 0), EINVAL);
    fails("kcmp no such pid (ESRCH)", syscall(SYS_kcmp, getpid(), 999999, 1, 0, 0), ESRCH);
    fails("pidfd_send_signal bad flags (EINVAL)",
          syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0x100), EINVAL);
    ok("pidfd_send_signal SIGTERM", syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0) == 0);
    fails("pidfd_send_signal bad fd (EBADF)", syscall(SYS_pidfd_send_signal, 999, SIGTERM, NULL, 0),
          EBADF);
    int status;
    ok("wait4 child killed by SIGTERM", wait4(c, &status, 0, NULL) == c && WIFSIGNALED(status));
    close(pfd);

    int tid_word;
    ok("set_tid_address", syscall(SYS_set_tid_address, &tid_word) == getpid());
}

static void scheduler(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    ok("sched_getaffinity", sched_getaffinity(0, sizeof set, &set) == 0);
    ok("sched_setaffinity", sched_setaffinity(0, sizeof set, &set) == 0);
    fails("sched_getaffinity tiny size (EINVAL)", syscall(SYS_sched_getaffinity, 0, 1, &set), EINVAL);
    cpu_set_t empty;
    CPU_ZERO(&empty);
    fails("sched_setaffinity empty set (EINVAL)", sched_setaffinity(0, sizeof empty, &empty), EINVAL);
    fails("sched_getaffinity no such pid (ESRCH)", sched_getaffinity(999999, sizeof set, &set), ESRCH);
    struct sched_param sp;
    ok("sched_getparam", sched_getparam(0, &sp) == 0);
    ok("sched_getscheduler", sched_getscheduler(0) == SCHED_OTHER);
    ok("sched_get_priority_max SCHED_FIFO", sched_get_priority_max(SCHED_FIFO) == 99);
    ok("sched_get_priority_min SCHED_RR", sched_get_priority_min(SCHED_RR) == 1);
    fails("sched_get_priority_max bad policy (EINVAL)", sched_get_priority_max(77), EINVAL);
    sp.sched_priority = 0;
    ok("sched_setscheduler SCHED_BATCH", sched_setscheduler(0, SCHED_BATCH, &sp) == 0);
    ok("sched_setparam", sched_setparam(0, &sp) == 0);
    sp.sched_priority = 10;
    fails("sched_setscheduler SCHED_OTHER prio 10 (EINVAL)",
          sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
    fails("sched_getparam bad pointer (EFAULT)", syscall(SYS_sched_getparam, 0, BADPTR), EFAULT);
    ok("sched_yield", sched_yield() == 0);
    struct timespec ts;
    ok("sched_rr_get_interval", sched_rr_get_interval(0, &ts) == 0);
    fails("sched_rr_get_interval no such pid (ESRCH)", sched_rr_get_interval(999999, &ts), ESRCH);
    struct {
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t prio;
        uint64_t runtime, deadline, period;
        uint32_t util_min, util_max;
    } attr;
    ok("sched_getattr", syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) == 0);
    fails("sched_getattr bad size (EINVAL)", syscall(SYS_sched_getattr, 0, &attr, 4, 0), EINVAL);
    attr.policy = SCHED_OTHER;
    attr.nice = 1;
    attr.flags = 0;
    ok("sched_setattr nice 1", syscall(SYS_sched_setattr, 0, &attr, 0) == 0);
    ok("getpriority", (errno = 0, getpriority(PRIO_PROCESS, 0)) == 1 && errno == 0);
    ok("setpriority 2", setpriority(PRIO_PROCESS, 0, 2) == 0);
    fails("setpriority bad which (EINVAL)", setpriority(99, 0, 1), EINVAL);
    ok("ioprio_get", syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0) >= 0);
    ok("ioprio_set class BE level 4",
       syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 4) == 0);
}

static void resources(void)
{
    struct rlimit rl;
    ok("getrlimit RLIMIT_NOFILE", getrlimit(RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = 512;
    ok("setrlimit RLIMIT_NOFILE 512", setrlimit(RLIMIT_NOFILE, &rl) == 0);
    ok("getrlimit RLIMIT_CORE", getrlimit(RLIMIT_CORE, &rl) == 0);
    ok("getrlimit RLIMIT_STACK", getrlimit(RLIMIT_STACK, &rl) == 0);
    struct rlimit old, nw = {1 << 20, RLIM_INFINITY};
    ok("prlimit64 RLIMIT_FSIZE new+old", prlimit(0, RLIMIT_FSIZE, &nw, &old) == 0);
    ok("prlimit64 RLIMIT_AS old only", prlimit(getpid(), RLIMIT_AS, NULL, &old) == 0);
    fails("prlimit64 bad resource (EINVAL)", prlimit(0, 99, NULL, &old), EINVAL);
    fails("prlimit64 no such pid (ESRCH)", prlimit(999999, RLIMIT_CPU, NULL, &old), ESRCH);
    nw.rlim_cur = 10;
    nw.rlim_max = 5;
    fails("setrlimit cur > max (EINVAL)", setrlimit(RLIMIT_NOFILE, &nw), EINVAL);
    fails("getrlimit bad pointer (EFAULT)", syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);

    struct rusage ru;
    ok("getrusage RUSAGE_SELF", getrusage(RUSAGE_SELF, &ru) == 0);
    ok("getrusage RUSAGE_CHILDREN", getrusage(RUSAGE_CHILDREN, &ru) == 0);
    ok("getrusage RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru) == 0);
    fails("getrusage bad who (EINVAL)", getrusage(7, &ru), EINVAL);
    struct sysinfo si;
    ok("sysinfo", sysinfo(&si) == 0);
    fails("sysinfo bad pointer (EFAULT)", sysinfo(BADPTR), EFAULT);
    struct tms t;
    ok("times", times(&t) != (clock_t)-1);
    ok("times NULL", times(NULL) != (clock_t)-1);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void timers(void)
{
    struct itimerval it = {{0, 0}, {0, 0}}, old;
    ok("getitimer ITIMER_REAL", getitimer(ITIMER_REAL, &it) == 0);
    it.it_value.tv_sec = 100;
    it.it_interval.tv_usec = 250000;
    ok("setitimer ITIMER_VIRTUAL", setitimer(ITIMER_VIRTUAL, &it, &old) == 0);
    ok("getitimer ITIMER_VIRTUAL", getitimer(ITIMER_VIRTUAL, &it) == 0);
    memset(&it, 0, sizeof it);
    ok("setitimer ITIMER_VIRTUAL off", setitimer(ITIMER_VIRTUAL, &it, NULL) == 0);
    fails("setitimer bad which (EINVAL)", setitimer(9, &it, NULL), EINVAL);
    fails("getitimer bad pointer (EFAULT)", syscall(SYS_getitimer, ITIMER_PROF, BADPTR), EFAULT);

    signal(SIGALRM, on_alarm);
    timer_t t;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGALRM;
    sev.sigev_value.sival_int = 42;
    ok("timer_create CLOCK_MONOTONIC SIGEV_SIGNAL", timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
    struct itimerspec its = {{0, 0}, {0, 5000000}}, oits;
    ok("timer_settime 5 ms", timer_settime(t, 0, &its, &oits) == 0);
    ok("timer_gettime", timer_gettime(t, &oits) == 0);
    while (!alarms)
        pause();
    ok("timer_getoverrun", timer_getoverrun(t) == 0);
    its.it_value.tv_nsec = 2000000000;
    fails("timer_settime bad nsec (EINVAL)", timer_settime(t, 0, &its, NULL), EINVAL);
    ok("timer_delete", timer_delete(t) == 0);
    fails("timer_delete again (EINVAL)", syscall(SYS_timer_delete, t), EINVAL);
    timer_t t2;
    ok("timer_create CLOCK_REALTIME NULL sevp", timer_create(CLOCK_REALTIME, NULL, &t2) == 0);
    timer_delete(t2);
    fails("timer_create bad clock (EINVAL)", timer_create(12345, &sev, &t2), EINVAL);
}

static void signals(void)
{
    stack_t ss = {.ss_sp = malloc(65536), .ss_flags = 0, .ss_size = 65536}, oss;
    ok("sigaltstack set", sigaltstack(&ss, &oss) == 0);
    ok("sigaltstack query", sigaltstack(NULL, &oss) == 0 && oss.ss_size == 65536);
    ss.ss_size = 100;
    fails("sigaltstack too small (ENOMEM)", sigaltstack(&ss, NULL), ENOMEM);
    ss.ss_flags = 0x7;
    fails("sigaltstack bad flags (EINVAL)", sigaltstack(&ss, NULL), EINVAL);
    ss.ss_flags = SS_DISABLE;
    ok("sigaltstack SS_DISABLE", sigaltstack(&ss, NULL) == 0);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 1234;
    ok("rt_sigqueueinfo SIGUSR1", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si) == 0);
    struct timespec ts = {0, 10000000};
    siginfo_t got;
    ok("rt_sigtimedwait gets SIGUSR1", sigtimedwait(&set, &got, &ts) == SIGUSR1);
    ok("rt_tgsigqueueinfo SIGRTMIN+2",
       syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGRTMIN + 2, &si) == 0);
    ok("rt_sigtimedwait gets SIGRTMIN+2", sigwaitinfo(&set, &got) == SIGRTMIN + 2);
    fails("rt_sigtimedwait times out (EAGAIN)", sigtimedwait(&set, &got, &ts), EAGAIN);
    ts.tv_nsec = -1;
    fails("rt_sigtimedwait bad timeout (EINVAL)", sigtimedwait(&set, &got, &ts), EINVAL);
    si.si_code = SI_USER;
    fails("rt_sigqueueinfo SI_USER to init (EPERM)", syscall(SYS_rt_sigqueueinfo, 1, SIGUSR1, &si),
          EPERM);
    fails("rt_sigqueueinfo bad pointer (EFAULT)", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1,
                                                          BADPTR), EFAULT);
    sigset_t pend;
    ok("rt_sigpending", sigpending(&pend) == 0);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void misc(void)
{
    ok("umask 027 (old 022)", umask(027) == 022);
    ok("umask back", umask(022) == 027);
    char cwd[256];
    ok("getcwd", getcwd(cwd, sizeof cwd) != NULL);
    fails("getcwd tiny buffer (ERANGE)", syscall(SYS_getcwd, cwd, 1), ERANGE);
    fails("getcwd bad buffer (EFAULT)", syscall(SYS_getcwd, BADPTR, 256), EFAULT);
    struct utsname u;
    ok("uname", uname(&u) == 0);
    fails("uname bad pointer (EFAULT)", syscall(SYS_uname, BADPTR), EFAULT);
    int cur = personality(0xffffffff);
    ok("personality query", cur >= 0);
    ok("personality ADDR_NO_RANDOMIZE", personality(cur | ADDR_NO_RANDOMIZE) == cur);
    ok("personality back", personality(cur) == (cur | ADDR_NO_RANDOMIZE));
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    ok("capget v3", syscall(SYS_capget, &hdr, data) == 0);
    ok("capset same", syscall(SYS_capset, &hdr, data) == 0);
    hdr.version = 0x12345678;
    fails("capget bad version (EINVAL)", syscall(SYS_capget, &hdr, data), EINVAL);
    hdr.version = _LINUX_CAPABILITY_VERSION_1;
    ok("capget v1", syscall(SYS_capget, &hdr, data) == 0);
    fails("capget bad header (EFAULT)", syscall(SYS_capget, BADPTR, data), EFAULT);
    gid_t groups[8];
    ok("getgroups", getgroups(8, groups) >= 0);
    uid_t r, e, s;
    ok("getresuid", getresuid(&r, &e, &s) == 0);
    gid_t gr, ge, gs;
    ok("getresgid", getresgid(&gr, &ge, &gs) == 0);
    ok("getpgid", getpgid(0) >= 0);
    ok("getsid", getsid(0) >= 0);
    fails("getpgid no such pid (ESRCH)", getpgid(999999), ESRCH);
    long ps = sysconf(_SC_PAGESIZE);
    unsigned char *m = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 1;
    m[2 * ps] = 1;
    unsigned char vec[4];
    ok("mincore 4 pages", mincore(m, 4 * ps, vec) == 0);
    fails("mincore unaligned (EINVAL)", mincore(m + 1, ps, vec), EINVAL);
    fails("mincore bad vector (EFAULT)", mincore(m, ps, BADPTR), EFAULT);
    munmap(m, 4 * ps);
    fails("mincore unmapped (ENOMEM)", mincore(m, ps, vec), ENOMEM);
}

int main(void)
{
    wl_name = "proc-misc";
    prctls();
    clones();
    scheduler();
    resources();
    timers();
    signals();
    misc();
    return wl_exit();
}
