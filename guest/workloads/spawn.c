/* vmscope-guest: 64-bit only */
/* spawn N[:BLOCKED] (or N BLOCKED): N short-lived processes (fork, _exit, waitpid) and N short-lived threads
 * (create, join), then BLOCKED threads left blocked in read() on a pipe when the process exits.
 * For tests of vmscope's bounded state: every one of these leaves or ends a pending call. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int pipefd[2];

static void *quick(void *arg)
{
    (void)arg;
    getpid();
    return NULL;
}

static void *blocker(void *arg)
{
    char c;
    (void)arg;
    (void)!read(pipefd[0], &c, 1); /* never returns: nobody writes */
    return NULL;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    long n = argc > 1 ? strtol(argv[1], &end, 10) : 1000;
    long blocked = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    if (end && *end == ':')
        blocked = strtol(end + 1, NULL, 10);
    long forks = 0, threads = 0, started = 0;
    for (long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        if (p > 0 && waitpid(p, NULL, 0) == p)
            forks++;
        pthread_t t;
        if (pthread_create(&t, NULL, quick, NULL) == 0 && pthread_join(t, NULL) == 0)
            threads++;
    }
    if (pipe(pipefd) != 0)
        return 1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 0; i < blocked; i++) {
        pthread_t t;
        if (pthread_create(&t, &attr, blocker, NULL) == 0)
            started++;
    }
    usleep(200000); /* let the blockers reach read() */
    printf("spawn: forks=%ld threads=%ld blocked=%ld\n", forks, threads, started);
    fflush(stdout);
    return 0; /* exit_group with the blockers still in read() */
}
