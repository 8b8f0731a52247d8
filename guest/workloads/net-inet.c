/* net-inet: TCP and UDP over the loopback, 127.0.0.1 (net-inet6.c builds the same over ::1): socket,
 * bind, listen, connect, accept and accept4, names, send/recv/sendto/recvfrom, sendmsg/recvmsg with
 * several buffers, sendmmsg/recvmmsg, shutdown, socket options at SOL_SOCKET, IPPROTO_TCP and
 * IPPROTO_IP (IPPROTO_IPV6), and the failures a user meets: EBADF, ENOTSOCK, EFAULT, EINVAL,
 * ECONNREFUSED, EADDRINUSE, EAGAIN. Fixed ports on both ends, one process: the run is deterministic.
 * Exit status: the number of steps that did not behave as expected. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "wl.h"

#ifdef WL_INET6
#define FAM AF_INET6
#define NAME "net-inet6"
typedef struct sockaddr_in6 sa_t;
static void addr(sa_t *a, int port)
{
    memset(a, 0, sizeof *a);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
}
#else
#define FAM AF_INET
#define NAME "net-inet"
typedef struct sockaddr_in sa_t;
static void addr(sa_t *a, int port)
{
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}
#endif

/* Each build its own ports: the 64- and 32-bit programs run in the same boot (TIME_WAIT). */
#define BASE_PORT ((FAM == AF_INET ? 41000 : 42000) + (sizeof(long) == 4 ? 500 : 0))

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

static void options(int s, int tcp)
{
    int one = 1, v = 0;
    socklen_t len = sizeof v;
    ok("setsockopt SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    ok("getsockopt SO_REUSEADDR", getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0 && v);
    len = sizeof v;
    ok("getsockopt SO_TYPE", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0);
    len = sizeof v;
    ok("getsockopt SO_ERROR", getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
    int buf = 65536;
    ok("setsockopt SO_RCVBUF", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf) == 0);
    len = sizeof v;
    ok("getsockopt SO_SNDBUF", getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0);
    struct linger lg = {1, 0};
    ok("setsockopt SO_LINGER", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    len = sizeof lg;
    ok("getsockopt SO_LINGER", getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len) == 0);
    lg.l_onoff = 0;
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    struct timeval tv = {2, 500000};
    ok("setsockopt SO_RCVTIMEO", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    len = sizeof tv;
    ok("getsockopt SO_RCVTIMEO", getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0);
    ok("setsockopt SO_KEEPALIVE", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) == 0);
    if (tcp) {
        ok("setsockopt TCP_NODELAY", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
        len = sizeof v;
        ok("getsockopt TCP_NODELAY", getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0);
        int idle = 30;
        ok("setsockopt TCP_KEEPIDLE", setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) == 0);
        len = sizeof v;
        ok("getsockopt TCP_MAXSEG", getsockopt(s, IPPROTO_TCP, TCP_MAXSEG, &v, &len) == 0);
        char cc[16];
        len = sizeof cc;
        ok("getsockopt TCP_CONGESTION", getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, cc, &len) == 0);
        struct tcp_info ti;
        len = sizeof ti;
        ok("getsockopt TCP_INFO", getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0);
    }
#ifdef WL_INET6
    int hops = 7;
    ok("setsockopt IPV6_UNICAST_HOPS",
       setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) == 0);
    len = sizeof v;
    ok("getsockopt IPV6_V6ONLY", getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len) == 0);
    ok("setsockopt IPV6_RECVPKTINFO",
       setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) == 0);
#else
    int ttl = 7, tos = 0x10;
    ok("setsockopt IP_TTL", setsockopt(s, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) == 0);
    len = sizeof v;
    ok("getsockopt IP_TTL", getsockopt(s, IPPROTO_IP, IP_TTL, &v, &len) == 0 && v == 7);
    ok("setsockopt IP_TOS", setsockopt(s, IPPROTO_IP, IP_TOS, &tos, sizeof tos) == 0);
    ok("setsockopt IP_PKTINFO", setsockopt(s, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) == 0);
#endif
    /* Failures: a bad level, a short option, a bad pointer. */
    fails("setsockopt bad level (ENOPROTOOPT)", setsockopt(s, 12345, 1, &one, sizeof one),
          ENOPROTOOPT);
    fails("setsockopt short optlen (EINVAL)", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, 1),
          EINVAL);
    len = sizeof v;
    fails("getsockopt bad optval (EFAULT)", getsockopt(s, SOL_SOCKET, SO_TYPE, BADPTR, &len), EFAULT);
    fails("getsockopt bad optlen (EFAULT)", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, BADPTR), EFAULT);
}

static void tcp(void)
{
    sa_t a, b, peer;
    socklen_t len;
    char buf[256];

    int l = socket(FAM, SOCK_STREAM, 0);
    ok("socket SOCK_STREAM", l >= 0);
    options(l, 1);
    addr(&a, BASE_PORT);
    ok("bind", bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    int l2 = socket(FAM, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    fails("bind in use (EADDRINUSE)", bind(l2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    fails("bind short address (EINVAL)", bind(l2, (struct sockaddr *)&a, 4), EINVAL);
    fails("bind bad address (EFAULT)", bind(l2, BADPTR, sizeof a), EFAULT);
    close(l2);
    ok("listen", listen(l, 8) == 0);
    len = sizeof b;
    ok("getsockname", getsockname(l, (struct sockaddr *)&b, &len) == 0);
    len = sizeof b;
    fails("getpeername unconnected (ENOTCONN)", getpeername(l, (struct sockaddr *)&b, &len),
          ENOTCONN);

    int c = socket(FAM, SOCK_STREAM, 0), one = 1;
    setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr(&b, BASE_PORT + 1);
    ok("bind client", bind(c, (struct sockaddr *)&b, sizeof b) == 0);
    ok("connect", connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    len = sizeof peer;
    int s = accept(l, (struct sockaddr *)&peer, &len);
    ok("accept", s >= 0);
    len = sizeof peer;
    ok("getpeername", getpeername(c, (struct sockaddr *)&peer, &len) == 0);
    len = sizeof peer;
    ok("getsockname client", getsockname(c, (struct sockaddr *)&peer, &len) == 0);

    ok("send", send(c, "hello, server", 13, 0) == 13);
    ok("recv", recv(s, buf, sizeof buf, 0) == 13);
    ok("send MSG_NOSIGNAL|MSG_MORE", send(s, "abc", 3, MSG_NOSIGNAL | MSG_MORE) == 3);
    ok("sendto connected", sendto(s, "def", 3, 0, NULL, 0) == 3);
    ok("recv MSG_PEEK", recv(c, buf, 2, MSG_PEEK) == 2);
    ok("recv MSG_WAITALL", recv(c, buf, 6, MSG_WAITALL) == 6);
    fails("recv MSG_DONTWAIT empty (EAGAIN)", recv(c, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    len = sizeof peer;
    ok("recvfrom with address", (send(s, "x", 1, 0), recvfrom(c, buf, sizeof buf, 0,
                                                              (struct sockaddr *)&peer, &len)) == 1);

    /* Several buffers each way, and a binary payload. */
    char a1[] = "first ", a2[] = "second ", a3[8];
    for (int i = 0; i < 8; i++)
        a3[i] = (char)(i * 37);
    struct iovec iov[3] = {{a1, 6}, {a2, 7}, {a3, 8}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 3};
    ok("sendmsg 3 buffers", sendmsg(c, &mh, 0) == 21);
    char r1[4], r2[32];
    struct iovec riov[2] = {{r1, 4}, {r2, sizeof r2}};
    struct msghdr rh = {.msg_iov = riov, .msg_iovlen = 2};
    ok("recvmsg 2 buffers", recvmsg(s, &rh, 0) == 21);
    ok("writev", writev(c, iov, 2) == 13);
    ok("readv", readv(s, riov, 2) == 13);
    fails("sendmsg bad msghdr (EFAULT)", sendmsg(c, BADPTR, 0), EFAULT);
    fails("recvmsg bad fd (EBADF)", recvmsg(-1, &rh, 0), EBADF);
    fails("send bad buffer (EFAULT)", send(c, BADPTR, 10, 0), EFAULT);

    int s4 = -1;
    int c2 = socket(FAM, SOCK_STREAM | SOCK_NONBLOCK, 0);
    addr(&b, BASE_PORT + 2);
    bind(c2, (struct sockaddr *)&b, sizeof b);
    errno = 0;
    int r = connect(c2, (struct sockaddr *)&a, sizeof a);
    ok("connect nonblocking (0 or EINPROGRESS)", r == 0 || errno == EINPROGRESS);
    len = sizeof peer;
    s4 = accept4(l, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    ok("accept4 SOCK_CLOEXEC|SOCK_NONBLOCK", s4 >= 0);
    fails("accept4 bad flags (EINVAL)", accept4(l, NULL, NULL, 0x40000000), EINVAL);
    fails("accept4 empty queue (EAGAIN)", accept4(l, NULL, NULL, SOCK_NONBLOCK) == -1 ?
          (fcntl(l, F_SETFL, O_NONBLOCK), accept4(l, NULL, NULL, 0)) : 0, EAGAIN);
    fcntl(l, F_SETFL, 0);
    fails("accept not a socket (ENOTSOCK)", accept(0, NULL, NULL), ENOTSOCK);
    fails("accept bad fd (EBADF)", accept(-1, NULL, NULL), EBADF);

    ok("shutdown SHUT_WR", shutdown(c, SHUT_WR) == 0);
    ok("recv end of stream", recv(s, buf, sizeof buf, 0) == 0);
    ok("shutdown SHUT_RD", shutdown(s, SHUT_RD) == 0);
    ok("shutdown SHUT_RDWR", shutdown(c2, SHUT_RDWR) == 0);
    fails("shutdown bad how (EINVAL)", shutdown(s, 7), EINVAL);
    int fresh = socket(FAM, SOCK_STREAM, 0);
    fails("shutdown not connected (ENOTCONN)", shutdown(fresh, SHUT_RDWR), ENOTCONN);
    close(fresh);
    close(s4);
    close(c2);
    close(s);
    close(c);
    close(l);

    /* Nobody listening. */
    c = socket(FAM, SOCK_STREAM, 0);
    addr(&b, BASE_PORT + 9);
    fails("connect refused (ECONNREFUSED)", connect(c, (struct sockaddr *)&b, sizeof b),
          ECONNREFUSED);
    fails("connect bad address (EFAULT)", connect(c, BADPTR, sizeof b), EFAULT);
    close(c);
}

static void udp(void)
{
    sa_t a, b, from;
    socklen_t len;
    char buf[128];

    int u = socket(FAM, SOCK_DGRAM, 0);
    int v = socket(FAM, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
    ok("socket SOCK_DGRAM", u >= 0 && v >= 0);
    options(u, 0);
    addr(&a, BASE_PORT + 3);
    addr(&b, BASE_PORT + 4);
    ok("bind udp", bind(u, (struct sockaddr *)&a, sizeof a) == 0);
    ok("bind udp 2", bind(v, (struct sockaddr *)&b, sizeof b) == 0);
    ok("sendto", sendto(v, "datagram one", 12, 0, (struct sockaddr *)&a, sizeof a) == 12);
    len = sizeof from;
    ok("recvfrom", recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) == 12);
    ok("sendto empty datagram", sendto(v, "", 0, 0, (struct sockaddr *)&a, sizeof a) == 0);
    ok("recvfrom empty datagram", recvfrom(u, buf, sizeof buf, 0, NULL, NULL) == 0);
    ok("sendto long", sendto(v, memset(buf, 'z', 100), 100, 0, (struct sockaddr *)&a, sizeof a) == 100);
    len = sizeof from;
    ok("recvfrom MSG_TRUNC short buffer",
       recvfrom(u, buf, 10, MSG_TRUNC, (struct sockaddr *)&from, &len) == 100);
    fails("sendto bad address (EFAULT)", sendto(v, "x", 1, 0, BADPTR, sizeof a), EFAULT);
    fails("sendto short address (EINVAL)", sendto(v, "x", 1, 0, (struct sockaddr *)&a, 3), EINVAL);
    fails("recvfrom nothing (EAGAIN)", recvfrom(u, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL), EAGAIN);
    ok("connect udp", connect(v, (struct sockaddr *)&a, sizeof a) == 0);

    /* Several datagrams in one call each way. */
    char d0[] = "mmsg zero", d1[] = "mmsg one", d2[] = "mmsg two";
    struct iovec iv[3] = {{d0, 9}, {d1, 8}, {d2, 8}};
    struct mmsghdr mm[3];
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_iov = &iv[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    ok("sendmmsg 3", sendmmsg(v, mm, 3, 0) == 3);
    char rb[3][16];
    struct iovec riv[3] = {{rb[0], 16}, {rb[1], 16}, {rb[2], 4}};
    struct mmsghdr rm[3];
    sa_t names[3];
    memset(rm, 0, sizeof rm);
    for (int i = 0; i < 3; i++) {
        rm[i].msg_hdr.msg_iov = &riv[i];
        rm[i].msg_hdr.msg_iovlen = 1;
        rm[i].msg_hdr.msg_name = &names[i];
        rm[i].msg_hdr.msg_namelen = sizeof names[i];
    }
    struct timespec ts = {1, 0};
    ok("recvmmsg 3 with timeout", recvmmsg(u, rm, 3, MSG_WAITFORONE, &ts) == 3);
    fails("recvmmsg nothing (EAGAIN)", recvmmsg(u, rm, 3, MSG_DONTWAIT, NULL), EAGAIN);
    fails("sendmmsg bad vector (EFAULT)", sendmmsg(v, BADPTR, 2, 0), EFAULT);

    /* A message with control data asked for (the packet info option set above). */
    ok("send connected udp", send(v, "with cmsg", 9, 0) == 9);
    char cbuf[128];
    struct iovec ci = {buf, sizeof buf};
    struct msghdr ch = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &ci,
                        .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    ok("recvmsg with control data", recvmsg(u, &ch, 0) == 9);
    close(u);
    close(v);
}

int main(void)
{
    wl_name = NAME;
    loopback_up();
    fails("socket bad family (EAFNOSUPPORT)", socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
    fails("socket bad type (EINVAL)", socket(FAM, 12345, 0), EINVAL);
    fails("socket bad protocol (EPROTONOSUPPORT)", socket(FAM, SOCK_STREAM, IPPROTO_UDP),
          EPROTONOSUPPORT);
    tcp();
    udp();
    return wl_exit();
}
