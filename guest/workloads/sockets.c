/* sockets: a socketpair, a Unix stream server and client, TCP and UDP on the guest's loopback
 * (brought up with SIOCSIFFLAGS), socket options, names, sendmsg/recvmsg with two buffers,
 * shutdown, and readiness with poll, select and epoll. All in one process, so the run is
 * deterministic. Exit status 0 when every step behaved as expected. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int failures;

static void expect(const char *what, int ok)
{
    printf("sockets: %-36s %s\n", what, ok ? "ok" : "UNEXPECTED");
    if (!ok)
        failures++;
}

static void loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
}

int main(void)
{
    char buf[64];
    int sv[2];

    expect("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    expect("write to pair", write(sv[0], "ping", 4) == 4);
    expect("read from pair", read(sv[1], buf, sizeof buf) == 4);
    char a[] = "two ", b[] = "buffers";
    struct iovec iov[2] = {{a, 4}, {b, 7}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    expect("sendmsg", sendmsg(sv[0], &mh, 0) == 11);
    char r1[5], r2[16];
    struct iovec riov[2] = {{r1, 5}, {r2, sizeof r2}};
    struct msghdr rh = {.msg_iov = riov, .msg_iovlen = 2};
    expect("recvmsg", recvmsg(sv[1], &rh, 0) == 11);
    expect("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR) == 0);
    expect("recv sees EOF", recv(sv[1], buf, sizeof buf, 0) == 0);
    close(sv[0]);
    close(sv[1]);

    /* A Unix stream server and client. */
    const char *path = "/tmp/sockets.sock";
    unlink(path);
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, path);
    expect("bind unix", bind(srv, (struct sockaddr *)&un, sizeof un) == 0);
    expect("listen unix", listen(srv, 4) == 0);
    int cli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    expect("connect unix", connect(cli, (struct sockaddr *)&un, sizeof un) == 0);
    struct sockaddr_un peer;
    socklen_t plen = sizeof peer;
    int acc = accept(srv, (struct sockaddr *)&peer, &plen);
    expect("accept unix", acc >= 0);
    expect("send unix", send(cli, "hello", 5, 0) == 5);
    expect("recv unix", recv(acc, buf, sizeof buf, 0) == 5);
    close(acc);
    close(cli);
    close(srv);
    unlink(path);

    /* TCP on the loopback. */
    loopback_up();
    int ls = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    int one = 1;
    expect("setsockopt SO_REUSEADDR", setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(5555)};
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    expect("bind tcp 127.0.0.1:5555", bind(ls, (struct sockaddr *)&in, sizeof in) == 0);
    expect("listen tcp", listen(ls, 8) == 0);
    struct sockaddr_in name;
    socklen_t nlen = sizeof name;
    expect("getsockname", getsockname(ls, (struct sockaddr *)&name, &nlen) == 0);
    int cs = socket(AF_INET, SOCK_STREAM, 0);
    expect("setsockopt TCP_NODELAY", setsockopt(cs, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
    expect("connect tcp", connect(cs, (struct sockaddr *)&in, sizeof in) == 0);
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    int as = accept4(ls, (struct sockaddr *)&from, &flen, SOCK_CLOEXEC);
    expect("accept4 tcp", as >= 0);
    nlen = sizeof name;
    expect("getpeername", getpeername(cs, (struct sockaddr *)&name, &nlen) == 0);
    int type = 0;
    socklen_t tlen = sizeof type;
    expect("getsockopt SO_TYPE", getsockopt(cs, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_STREAM);
    expect("sendto tcp", sendto(cs, "over tcp", 8, 0, NULL, 0) == 8);

    /* Readiness: poll, select, epoll. */
    struct pollfd pfd[2] = {{.fd = as, .events = POLLIN}, {.fd = cs, .events = POLLIN | POLLOUT}};
    expect("poll", poll(pfd, 2, 1000) == 2);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(as, &rd);
    struct timeval tv = {1, 0};
    expect("select", select(as + 1, &rd, NULL, NULL, &tv) == 1);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = as};
    expect("epoll_ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, as, &ev) == 0);
    struct epoll_event out[4];
    expect("epoll_wait", epoll_wait(ep, out, 4, 1000) == 1);
    expect("recvfrom tcp", recvfrom(as, buf, sizeof buf, 0, NULL, NULL) == 8);
    expect("poll timeout", poll(pfd, 1, 10) == 0);
    expect("epoll_ctl DEL", epoll_ctl(ep, EPOLL_CTL_DEL, as, NULL) == 0);
    close(ep);
    expect("shutdown SHUT_RDWR", shutdown(as, SHUT_RDWR) == 0);
    close(as);
    close(cs);
    close(ls);

    /* UDP on the loopback. */
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ua = {.sin_family = AF_INET, .sin_port = htons(5556)};
    ua.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    expect("bind udp", bind(u1, (struct sockaddr *)&ua, sizeof ua) == 0);
    expect("sendto udp", sendto(u2, "datagram", 8, 0, (struct sockaddr *)&ua, sizeof ua) == 8);
    struct sockaddr_in src;
    socklen_t slen = sizeof src;
    expect("recvfrom udp", recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr *)&src, &slen) == 8);
    expect("recvfrom empty: EAGAIN",
           recvfrom(u1, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL) == -1 && errno == EAGAIN);
    close(u1);
    close(u2);

    expect("connect refused: ECONNREFUSED", ({
               int t = socket(AF_INET, SOCK_STREAM, 0);
               int rc = connect(t, (struct sockaddr *)&ua, sizeof ua);
               int e = errno;
               close(t);
               rc == -1 && e == ECONNREFUSED;
           }));
    printf("sockets: done, %d unexpected\n", failures);
    return failures != 0;
}
