/* vmscope-guest: 64-bit only
 *
 * The network monitor's end-to-end workload: TCP over 127.0.0.1 (a forked client) and ::1 (a
 * client thread), UDP over both, a unix stream socket on a path (forked client) and a unix datagram
 * socket on an abstract name, a refused connect, all with known byte counts moved by every family
 * of call (write/read, send/recv, sendto/recvfrom, sendmsg/recvmsg, writev/readv, sendfile).
 * Every socket that moved bytes prints one line,
 *   netmon: conn pid=P local=L remote=R sent=S recv=N
 * with its addresses as vmscope writes them (getsockname/getpeername, or what accept/recvfrom gave),
 * so the test can compare the journal's connection summaries with what the program itself counted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[65536];

static void die(const char *what)
{
    perror(what);
    exit(1);
}

/* An address as vmscope writes it. */
static void fmt(const struct sockaddr *sa, socklen_t len, char *out, size_t n)
{
    char ip[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const void *)sa;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof ip);
        snprintf(out, n, "%s:%u", ip, ntohs(s->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const void *)sa;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof ip);
        snprintf(out, n, "[%s]:%u", ip, ntohs(s->sin6_port));
    } else if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *s = (const void *)sa;
        size_t plen = len > offsetof(struct sockaddr_un, sun_path)
                          ? len - offsetof(struct sockaddr_un, sun_path)
                          : 0;
        if (plen == 0)
            snprintf(out, n, "unnamed");
        else if (s->sun_path[0] == 0)
            snprintf(out, n, "@%.*s", (int)plen - 1, s->sun_path + 1);
        else
            snprintf(out, n, "%s", s->sun_path);
    } else {
        snprintf(out, n, "?");
    }
}

static void name(int fd, int peer, char *out, size_t n)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int r = peer ? getpeername(fd, (void *)&ss, &len) : getsockname(fd, (void *)&ss, &len);
    if (r < 0)
        die(peer ? "getpeername" : "getsockname");
    fmt((void *)&ss, len, out, n);
}

static void report(const char *local, const char *remote, long sent, long recvd)
{
    printf("netmon: conn pid=%d local=%s remote=%s sent=%ld recv=%ld\n", getpid(), local, remote,
           sent, recvd);
    fflush(stdout);
}

/* Reads exactly n bytes with read(2). */
static long read_n(int fd, long n)
{
    long got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf, (size_t)(n - got) > sizeof buf ? sizeof buf : (size_t)(n - got));
        if (r <= 0)
            die("read");
        got += r;
    }
    return got;
}

static long recv_n(int fd, long n)
{
    long got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf, (size_t)(n - got) > sizeof buf ? sizeof buf : (size_t)(n - got), 0);
        if (r <= 0)
            die("recv");
        got += r;
    }
    return got;
}

/* Connected-socket report from the kernel's own names. */
static void report_fd(int fd, long sent, long recvd)
{
    char l[160], r[160];
    name(fd, 0, l, sizeof l);
    name(fd, 1, r, sizeof r);
    report(l, r, sent, recvd);
}

/* ---- TCP over 127.0.0.1, client forked: write/read vs recv/send ---- */
static void tcp4(void)
{
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7777)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (void *)&a, sizeof a) < 0 || listen(ls, 4) < 0)
        die("tcp4 listen");
    pid_t c = fork();
    if (c == 0) {
        close(ls);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (void *)&a, sizeof a) < 0)
            die("tcp4 connect");
        memset(buf, 'a', 1000);
        long sent = write(s, buf, 1000);
        long got = read_n(s, 300);
        report_fd(s, sent, got);
        close(s);
        _exit(0);
    }
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    int s = accept4(ls, (void *)&peer, &pl, SOCK_CLOEXEC);
    if (s < 0)
        die("accept4");
    long got = recv_n(s, 1000);
    memset(buf, 'b', 300);
    long sent = send(s, buf, 300, 0);
    char l[160], r[160];
    name(ls, 0, l, sizeof l);
    fmt((void *)&peer, pl, r, sizeof r);
    report(l, r, sent, got);
    waitpid(c, NULL, 0);
    close(s);
    close(ls);
}

/* ---- TCP over ::1, client thread: writev/readv vs sendmsg/recvmsg, then sendfile ---- */
static struct sockaddr_in6 a6;

static void *tcp6_client(void *arg)
{
    (void)arg;
    int s = socket(AF_INET6, SOCK_STREAM, 0);
    if (connect(s, (void *)&a6, sizeof a6) < 0)
        die("tcp6 connect");
    static char x[1500], y[500];
    memset(x, 'c', sizeof x);
    memset(y, 'd', sizeof y);
    struct iovec iov[2] = {{x, sizeof x}, {y, sizeof y}};
    long sent = writev(s, iov, 2);
    long got = 0;
    while (got < 700) {
        struct iovec in = {buf, 700 - got};
        ssize_t r = readv(s, &in, 1);
        if (r <= 0)
            die("readv");
        got += r;
    }
    report_fd(s, sent, got);
    close(s);
    return NULL;
}

static void tcp6(void)
{
    int ls = socket(AF_INET6, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(7778);
    a6.sin6_addr = in6addr_loopback;
    if (bind(ls, (void *)&a6, sizeof a6) < 0 || listen(ls, 4) < 0)
        die("tcp6 listen");
    pthread_t t;
    pthread_create(&t, NULL, tcp6_client, NULL);
    struct sockaddr_in6 peer;
    socklen_t pl = sizeof peer;
    int s = accept(ls, (void *)&peer, &pl);
    if (s < 0)
        die("accept");
    long got = 0;
    while (got < 2000) {
        struct iovec in = {buf, 2000 - got};
        struct msghdr m = {.msg_iov = &in, .msg_iovlen = 1};
        ssize_t r = recvmsg(s, &m, 0);
        if (r <= 0)
            die("recvmsg");
        got += r;
    }
    memset(buf, 'e', 200);
    struct iovec out = {buf, 200};
    struct msghdr m = {.msg_iov = &out, .msg_iovlen = 1};
    long sent = sendmsg(s, &m, 0);
    /* 500 more from a file with sendfile. */
    FILE *f = fopen("/tmp/netmon.data", "w+");
    memset(buf, 'f', 500);
    fwrite(buf, 1, 500, f);
    fflush(f);
    off_t off = 0;
    sent += sendfile(s, fileno(f), &off, 500);
    fclose(f);
    char l[160], r[160];
    name(s, 0, l, sizeof l);
    fmt((void *)&peer, pl, r, sizeof r);
    report(l, r, sent, got);
    pthread_join(t, NULL);
    close(s);
    close(ls);
}

/* ---- UDP: a server bound to addr, an unbound client: sendto/recvfrom ---- */
static void udp(int family)
{
    struct sockaddr_storage srv = {0};
    socklen_t sl;
    if (family == AF_INET) {
        struct sockaddr_in *a = (void *)&srv;
        a->sin_family = AF_INET;
        a->sin_port = htons(7779);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (void *)&srv;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(7780);
        a->sin6_addr = in6addr_loopback;
        sl = sizeof *a;
    }
    int s = socket(family, SOCK_DGRAM, 0);
    if (bind(s, (void *)&srv, sl) < 0)
        die("udp bind");
    int c = socket(family, SOCK_DGRAM, 0);
    memset(buf, 'u', 123);
    long csent = sendto(c, buf, 123, 0, (void *)&srv, sl);
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    long sgot = recvfrom(s, buf, sizeof buf, 0, (void *)&from, &fl);
    long ssent = sendto(s, buf, 45, 0, (void *)&from, fl);
    long cgot = recv(c, buf, sizeof buf, 0);
    char l[160], r[160];
    name(s, 0, l, sizeof l);
    fmt((void *)&from, fl, r, sizeof r);
    report(l, r, ssent, sgot);
    name(c, 0, l, sizeof l);
    fmt((void *)&srv, sl, r, sizeof r);
    report(l, r, csent, cgot);
    close(c);
    close(s);
}

/* ---- unix stream on a path, client forked; unix datagrams on an abstract name ---- */
static void unix_stream(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, "/tmp/netmon.sock");
    unlink(a.sun_path);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(ls, (void *)&a, sizeof a) < 0 || listen(ls, 4) < 0)
        die("unix listen");
    pid_t c = fork();
    if (c == 0) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(s, (void *)&a, sizeof a) < 0)
            die("unix connect");
        memset(buf, 'g', 777);
        long sent = send(s, buf, 777, 0);
        long got = read_n(s, 77);
        char l[160], r[160];
        name(s, 0, l, sizeof l);
        name(s, 1, r, sizeof r);
        report(l, r, sent, got);
        _exit(0);
    }
    int s = accept(ls, NULL, NULL);
    long got = read_n(s, 777);
    memset(buf, 'h', 77);
    long sent = write(s, buf, 77);
    report("/tmp/netmon.sock", "-", sent, got);
    waitpid(c, NULL, 0);
    close(s);
    close(ls);
    unlink(a.sun_path);
}

static void unix_dgram(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    const char nm[] = "netmon-dgram";
    memcpy(a.sun_path + 1, nm, sizeof nm - 1);
    socklen_t al = offsetof(struct sockaddr_un, sun_path) + 1 + sizeof nm - 1;
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (bind(s, (void *)&a, al) < 0)
        die("unix dgram bind");
    int c = socket(AF_UNIX, SOCK_DGRAM, 0);
    memset(buf, 'i', 55);
    long sent = sendto(c, buf, 55, 0, (void *)&a, al);
    long got = recv(s, buf, sizeof buf, 0);
    report("@netmon-dgram", "-", 0, got);
    report("-", "@netmon-dgram", sent, 0);
    close(c);
    close(s);
}

static void refused(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(1)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = connect(s, (void *)&a, sizeof a);
    printf("netmon: refused connect=%d\n", r);
    close(s);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    tcp4();
    tcp6();
    udp(AF_INET);
    udp(AF_INET6);
    unix_stream();
    unix_dgram();
    refused();
    printf("netmon: done\n");
    return 0;
}
