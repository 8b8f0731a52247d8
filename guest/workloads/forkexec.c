/* forkexec: fork + execve of busybox echo, vfork + execve, and a child that exits with 7.
 * The parent waits for each child and prints its status. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void report(const char *what, pid_t pid)
{
    int st = 0;
    pid_t w = waitpid(pid, &st, 0);
    if (w < 0)
        perror("forkexec: waitpid");
    else if (WIFEXITED(st))
        printf("forkexec: %s exited with %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("forkexec: %s killed by signal %d\n", what, WTERMSIG(st));
    fflush(stdout);
}

int main(void)
{
    char *echo_argv[] = {"echo", "forkexec: hello from an exec'd child", "arg2", NULL};
    char *true_argv[] = {"true", NULL};

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execve("/bin/busybox", echo_argv, environ);
        _exit(127);
    }
    report("fork+exec(busybox echo)", pid);

    pid = vfork();
    if (pid == 0) {
        execve("/bin/busybox", true_argv, environ);
        _exit(127);
    }
    report("vfork+exec(busybox true)", pid);

    pid = fork();
    if (pid == 0)
        _exit(7);
    report("fork+_exit(7)", pid);
    return 0;
}
