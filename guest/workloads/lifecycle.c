/* lifecycle: a process's whole life, for the process monitor's tests. Every step prints one
 * "lifecycle: ..." line with the ids the kernel gave, so a test can compare them with the journal:
 *  - fork a child that changes to /bin and execs this program again by a relative name, with
 *    arguments ("child", "two words", "x"); the exec'd child prints its ids and argv, exits with 42;
 *  - vfork + execve of busybox echo (another program) with arguments, exit 0;
 *  - two threads that print their tids and return (thread exit);
 *  - fork a child that waits to be killed, kill it with SIGKILL;
 *  - the parent waits for every child and prints how each ended, then exits 0. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int tid(void)
{
    return (int)syscall(SYS_gettid);
}

static void report(const char *what, pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        dprintf(1, "lifecycle: waitpid %d failed\n", pid);
    } else if (WIFEXITED(st)) {
        dprintf(1, "lifecycle: %s pid=%d exited code=%d\n", what, pid, WEXITSTATUS(st));
    } else if (WIFSIGNALED(st)) {
        dprintf(1, "lifecycle: %s pid=%d killed signal=%d\n", what, pid, WTERMSIG(st));
    }
}

static void *worker(void *arg)
{
    dprintf(1, "lifecycle: thread pid=%d tid=%d n=%ld\n", getpid(), tid(), (long)arg);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        char line[512];
        int n = snprintf(line, sizeof line, "lifecycle: exec-child pid=%d ppid=%d argv=", getpid(),
                         getppid());
        for (int i = 0; i < argc && n < (int)sizeof line - 2; i++)
            n += snprintf(line + n, sizeof line - n, "%s%s", i ? "|" : "", argv[i]);
        dprintf(1, "%s\n", line);
        _exit(42);
    }
    dprintf(1, "lifecycle: main pid=%d ppid=%d\n", getpid(), getppid());

    /* fork + exec of this program by a relative name, from /bin. */
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    char rel[256];
    snprintf(rel, sizeof rel, "./%s", base);
    pid_t pid = fork();
    if (pid == 0) {
        char *args[] = {(char *)base, "child", "two words", "x", NULL};
        if (chdir("/bin") == 0)
            execve(rel, args, environ);
        _exit(127);
    }
    dprintf(1, "lifecycle: forked child=%d\n", pid);
    report("exec-child", pid);

    /* vfork + exec of another program. */
    pid = vfork();
    if (pid == 0) {
        char *args[] = {"echo", "lifecycle: echo", "from busybox", NULL};
        execve("/bin/busybox", args, environ);
        _exit(127);
    }
    dprintf(1, "lifecycle: vforked child=%d\n", pid);
    report("echo", pid);

    /* Threads. */
    pthread_t th[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);

    /* A child killed by a signal. */
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    dprintf(1, "lifecycle: victim=%d\n", pid);
    kill(pid, SIGKILL);
    report("victim", pid);

    dprintf(1, "lifecycle: done pid=%d\n", getpid());
    return 0;
}
