/* signals: handlers installed with and without SA_RESTART, blocked and pending signals, kill, raise,
 * a pipe read interrupted and restarted, a read that fails with EINTR, pause, sigsuspend, nanosleep
 * interrupted by a timer, sigtimedwait, sigaltstack, and a child killed by SIGKILL.
 * Prints one line per step; exit status 0 when every step behaved as expected. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int pfd[2];
static volatile sig_atomic_t usr1, alrm;
static int failures;

static void on_usr1(int s) { (void)s; usr1++; }
static void on_alrm(int s) { (void)s; alrm++; }
static void on_alrm_feed(int s)
{
    (void)s;
    alrm++;
    if (write(pfd[1], "x", 1) != 1)
        alrm += 100;
}

static void expect(const char *what, int ok)
{
    printf("signals: %-36s %s\n", what, ok ? "ok" : "UNEXPECTED");
    if (!ok)
        failures++;
}

/* A one-shot ITIMER_REAL of `ms` milliseconds. */
static void arm(long ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void handle(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    if (sig == SIGUSR1)
        sigaddset(&sa.sa_mask, SIGUSR2);
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    struct sigaction old;
    sigset_t set, oset, pend, empty;
    char buf[8];

    handle(SIGUSR1, on_usr1, SA_RESTART);
    sigaction(SIGUSR1, NULL, &old);
    expect("sigaction(SIGUSR1) reads back", old.sa_handler == on_usr1);

    /* Blocked, pending, delivered when unblocked. */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &oset);
    kill(getpid(), SIGUSR1);
    sigpending(&pend);
    expect("SIGUSR1 pending while blocked", sigismember(&pend, SIGUSR1) && usr1 == 0);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    expect("SIGUSR1 delivered when unblocked", usr1 == 1);
    raise(SIGUSR1);
    expect("raise(SIGUSR1)", usr1 == 2);
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
    expect("tgkill(SIGUSR1)", usr1 == 3);

    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_DFL);

    /* A read on an empty pipe interrupted by SIGALRM, restarted (SA_RESTART); the handler feeds it. */
    if (pipe(pfd) != 0)
        return 1;
    handle(SIGALRM, on_alrm_feed, SA_RESTART);
    arm(100);
    ssize_t n = read(pfd[0], buf, sizeof buf);
    expect("read restarted after SIGALRM", n == 1 && alrm == 1);

    /* Without SA_RESTART the read fails with EINTR. */
    handle(SIGALRM, on_alrm, 0);
    arm(100);
    n = read(pfd[0], buf, sizeof buf);
    expect("read interrupted: EINTR", n == -1 && errno == EINTR && alrm == 2);

    arm(100);
    pause();
    expect("pause returns after SIGALRM", alrm == 3);

    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    arm(100);
    sigemptyset(&empty);
    sigsuspend(&empty);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    expect("sigsuspend returns after SIGALRM", alrm == 4);

    struct timespec req = {5, 0}, rem = {0, 0};
    arm(100);
    int r = nanosleep(&req, &rem);
    expect("nanosleep interrupted", r == -1 && errno == EINTR && rem.tv_sec <= 5);

    /* A blocked signal taken synchronously. */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR2);
    siginfo_t si;
    struct timespec to = {1, 0};
    int got = sigtimedwait(&set, &si, &to);
    expect("sigtimedwait(SIGUSR2)", got == SIGUSR2 && si.si_signo == SIGUSR2);
    sigprocmask(SIG_SETMASK, &oset, NULL);

    /* An alternate signal stack. */
    static char altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0}, oss;
    sigaltstack(&ss, &oss);
    handle(SIGUSR1, on_usr1, SA_ONSTACK | SA_NODEFER);
    kill(getpid(), SIGUSR1);
    expect("handler on the alternate stack", usr1 == 4);

    /* A child that waits for a signal and dies of SIGKILL (killed once it says it is ready, so
     * it dies inside pause, not on its way out of an earlier call). */
    int ready[2];
    if (pipe(ready) != 0)
        return 1;
    pid_t c = fork();
    if (c == 0) {
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    if (read(ready[0], buf, 1) != 1)
        failures++;
    /* The child has written, but may not be back in user mode yet: a SIGKILL now would end it on its
     * way out of write, a return strace sees in the kernel and nothing outside can. Let it reach pause. */
    usleep(200000);
    kill(c, SIGKILL);
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    expect("child killed by SIGKILL", w == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    alarm(0);
    printf("signals: done, %d unexpected\n", failures);
    return failures != 0;
}
