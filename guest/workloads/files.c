/* files: exercises every way a descriptor table changes, for the file monitor's end-to-end test
 * (crates/vmscope-cli/tests/files_e2e.rs). Everything happens under /tmp/wlf (the test runs it as
 * wl-files and wl-files32 one after the other: each starts by removing what the last one left).
 * It prints `files: key=value` lines with what only it knows (descriptor numbers, pipe and socket
 * inode numbers, child pids) so the test can check the journal against them.
 *
 * Run with an argument `exec FD_KEEP FD_CLOEXEC FD_RANGE`, it is the exec'd child: it writes through
 * the three descriptors it was told about (the last two must have been closed by exec). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct how { uint64_t flags, mode, resolve; };

static void die(const char *what)
{
    printf("files: FAILED %s: %s\n", what, strerror(errno));
    exit(1);
}

static unsigned long ino(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        die("fstat");
    return (unsigned long)st.st_ino;
}

static void put(int fd, const char *s)
{
    if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
        die("write");
}

static int thread_fd = -1;
static void *thread_main(void *arg)
{
    (void)arg;
    thread_fd = open("/tmp/wlf/t.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    return NULL;
}

static char clone_stack[64 * 1024];
static int clone_main(void *arg)
{
    (void)arg;
    /* CLONE_FILES: this descriptor appears in the parent's table too. */
    int fd = open("/tmp/wlf/cf.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    syscall(SYS_exit, fd < 0 ? 255 : fd);
    return 0;
}

static int exec_child(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    int keep = atoi(argv[2]), gone = atoi(argv[3]), range = atoi(argv[4]);
    put(keep, "from exec\n");
    int e1 = write(gone, "x", 1) < 0 ? errno : 0;
    int e2 = write(range, "x", 1) < 0 ? errno : 0;
    printf("files: exec_ebadf=%d\n", e1 == EBADF && e2 == EBADF);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec") == 0)
        return exec_child(argc, argv);
    setvbuf(stdout, NULL, _IONBF, 0);
    char buf[64];

    /* Relative to the initial cwd, which the monitor must take from the kernel: "/". */
    int f0 = open("etc/fstab", O_RDONLY);
    if (f0 < 0)
        die("open etc/fstab");
    if (read(f0, buf, 16) != 16)
        die("read fstab");
    close(f0);

    /* Start clean: remove what a previous run left. */
    unlink("/tmp/wlf/sub/b.txt");
    rmdir("/tmp/wlf/sub");
    const char *old[] = {"a2.txt", "a4.txt", "c.txt", "t.txt", "cf.txt", "fork.txt", NULL};
    for (int i = 0; old[i]; i++) {
        snprintf(buf, sizeof buf, "/tmp/wlf/%s", old[i]);
        unlink(buf);
    }
    rmdir("/tmp/wlf");

    if (mkdir("/tmp/wlf", 0755) != 0)
        die("mkdir");
    if (chdir("/tmp/wlf") != 0)
        die("chdir");

    int a = open("a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (a < 0)
        die("open a.txt");
    put(a, "hello file monitor\n");
    close(a);

    int dir = open("/tmp/wlf", O_RDONLY | O_DIRECTORY);
    if (dir < 0)
        die("open dir");
    if (mkdirat(dir, "sub", 0755) != 0)
        die("mkdirat");
    int b = openat(dir, "sub/b.txt", O_CREAT | O_RDWR, 0600);
    if (b < 0)
        die("openat");
    if (pwrite(b, "0123456789", 10, 5) != 10)
        die("pwrite");
    if (pread(b, buf, 4, 7) != 4)
        die("pread");
    lseek(b, 0, SEEK_END);
    if (ftruncate(b, 8) != 0)
        die("ftruncate");
    close(b);

    struct how how = {O_RDONLY | O_CLOEXEC, 0, 0};
    int c2 = (int)syscall(SYS_openat2, dir, "sub/b.txt", &how, sizeof how);
    if (c2 < 0)
        die("openat2");
    if (read(c2, buf, sizeof buf) != 8)
        die("read b");
    close(c2);

    int d = creat("c.txt", 0600);
    if (d < 0)
        die("creat");
    put(d, "c1\n");
    int e = dup(d);
    if (dup2(d, 20) != 20 || dup3(d, 21, O_CLOEXEC) != 21)
        die("dup2/dup3");
    int f30 = fcntl(d, F_DUPFD, 30);
    int f40 = fcntl(d, F_DUPFD_CLOEXEC, 40);
    if (e < 0 || f30 < 30 || f40 < 40)
        die("dup");
    put(20, "via 20\n");
    put(f40, "via f40\n");
    if (fcntl(20, F_SETFD, FD_CLOEXEC) != 0)
        die("F_SETFD");
    if (syscall(SYS_close_range, 30, 39, 0) != 0)
        die("close_range");
    if (dup2(d, 22) != 22 || syscall(SYS_close_range, 22, 22, CLOSE_RANGE_CLOEXEC) != 0)
        die("dup2 22");
    printf("files: d=%d e=%d f30=%d f40=%d\n", d, e, f30, f40);

    int p[2], q[2];
    if (pipe(p) != 0 || pipe2(q, O_CLOEXEC) != 0)
        die("pipe");
    put(p[1], "ping");
    if (read(p[0], buf, 4) != 4)
        die("read pipe");
    printf("files: pipe=%lu pipe2=%lu pfd=%d qfd=%d\n", ino(p[0]), ino(q[0]), p[0], q[0]);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        die("socketpair");
    put(sv[0], "sock");
    if (read(sv[1], buf, 4) != 4)
        die("read socket");
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, "\0wlfiles", 8);
    socklen_t salen = offsetof(struct sockaddr_un, sun_path) + 8;
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, salen) != 0 || listen(ls, 1) != 0)
        die("listen");
    int cs = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (cs < 0 || connect(cs, (struct sockaddr *)&sa, salen) != 0)
        die("connect");
    int as = accept(ls, NULL, NULL);
    if (as < 0)
        die("accept");
    put(cs, "hi");
    if (read(as, buf, 2) != 2)
        die("read accepted");
    printf("files: sv0=%lu ls=%lu cs=%lu as=%lu asfd=%d\n", ino(sv[0]), ino(ls), ino(cs),
           ino(as), as);
    close(as);
    close(cs);
    close(ls);

    int ev = eventfd(0, 0);
    uint64_t one = 1;
    if (ev < 0 || write(ev, &one, 8) != 8)
        die("eventfd");
    printf("files: evfd=%d\n", ev);

    /* cwd changes: chdir relative, then fchdir back through the directory descriptor. */
    if (chdir("sub") != 0)
        die("chdir sub");
    int b2 = open("b.txt", O_RDONLY);
    if (b2 < 0)
        die("open b.txt");
    close(b2);
    if (fchdir(dir) != 0)
        die("fchdir");
    int a1 = open("sub/../a.txt", O_RDONLY);
    if (a1 < 0)
        die("open a.txt");
    close(a1);

    if (rename("a.txt", "a2.txt") != 0 || link("a2.txt", "a3.txt") != 0 ||
        symlink("a2.txt", "a4.txt") != 0)
        die("rename/link/symlink");
    if (chmod("a2.txt", 0600) != 0 || chown("a2.txt", 0, 0) != 0 || fchmod(d, 0640) != 0)
        die("chmod/chown");
    if (unlink("a3.txt") != 0)
        die("unlink");
    if (rmdir("sub") == 0 || errno != ENOTEMPTY)
        die("rmdir must fail");
    if (open("/nonexistent/x", O_RDONLY) >= 0)
        die("open must fail");
    if (truncate("c.txt", 3) != 0)
        die("truncate");

    int m = open("a2.txt", O_RDONLY);
    void *map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, m, 0);
    if (m < 0 || map == MAP_FAILED)
        die("mmap");
    munmap(map, 4096);
    close(m);

    /* A thread opens; the process's table is shared, so main writes through it. */
    pthread_t th;
    if (pthread_create(&th, NULL, thread_main, NULL) != 0 || pthread_join(th, NULL) != 0)
        die("thread");
    if (thread_fd < 0)
        die("thread open");
    put(thread_fd, "opened by a thread\n");
    close(thread_fd);

    /* CLONE_FILES without a thread: the child's open lands in our table. */
    int st;
    pid_t cf = clone(clone_main, clone_stack + sizeof clone_stack, CLONE_FILES | SIGCHLD, NULL);
    if (cf < 0 || waitpid(cf, &st, 0) != cf || !WIFEXITED(st) || WEXITSTATUS(st) == 255)
        die("clone");
    int cfd = WEXITSTATUS(st);
    put(cfd, "opened by a CLONE_FILES child\n");
    close(cfd);
    printf("files: clone_pid=%d cfd=%d\n", (int)cf, cfd);

    /* fork: the child has a copy; what it opens and closes is not ours. */
    pid_t fk = fork();
    if (fk == 0) {
        int ff = open("fork.txt", O_CREAT | O_WRONLY, 0644);
        put(ff, "by the fork child\n");
        put(d, "c from child\n");
        close(d);
        /* exec: 20 has FD_CLOEXEC, 22 was marked by close_range; e survives. */
        char se[16], s20[16], s22[16];
        snprintf(se, sizeof se, "%d", e);
        snprintf(s20, sizeof s20, "%d", 20);
        snprintf(s22, sizeof s22, "%d", 22);
        char self[256];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            _exit(126);
        self[n] = 0;
        execl(self, argv[0], "exec", se, s20, s22, (char *)NULL);
        _exit(127);
    }
    if (fk < 0 || waitpid(fk, &st, 0) != fk || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("fork child");
    printf("files: fork_pid=%d\n", (int)fk);
    put(d, "c after child\n");
    close(d);
    close(e);
    close(20);
    close(21);
    close(22);
    close(f40);
    close(dir);
    printf("files: done\n");
    return 0;
}
