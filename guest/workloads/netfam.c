/* netfam: the networking calls as strace decodes them — TCP and UDP over 127.0.0.1 and ::1, Unix
 * stream, datagram and seqpacket sockets with path, abstract and unnamed addresses, socketpair,
 * SCM_RIGHTS and SCM_CREDENTIALS, sendmmsg/recvmmsg, socket options at several levels, socket
 * ioctls, a netlink route socket, a packet socket, and the errors (ECONNREFUSED, EBADF, EFAULT,
 * EINVAL, ...). One process, so the run is deterministic. Exit status 0 when every step that must
 * work did. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_CORK
#define UDP_CORK 1
#endif

static int failures;

static void expect(const char *what, int ok)
{
    printf("netfam: %-40s %s\n", what, ok ? "ok" : "UNEXPECTED");
    if (!ok)
        failures++;
}

/* An address nothing is mapped at (EFAULT). */
#define BAD ((void *)16)

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

static void ioctls(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    struct ifreq ifr, reqs[4];
    struct ifconf ifc;

    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    expect("SIOCGIFFLAGS lo", ioctl(s, SIOCGIFFLAGS, &ifr) == 0);
    expect("SIOCGIFINDEX lo", ioctl(s, SIOCGIFINDEX, &ifr) == 0);
    int index = ifr.ifr_ifindex;
    expect("SIOCGIFMTU lo", ioctl(s, SIOCGIFMTU, &ifr) == 0);
    expect("SIOCGIFADDR lo", ioctl(s, SIOCGIFADDR, &ifr) == 0);
    expect("SIOCGIFNETMASK lo", ioctl(s, SIOCGIFNETMASK, &ifr) == 0);
    expect("SIOCGIFHWADDR lo", ioctl(s, SIOCGIFHWADDR, &ifr) == 0);
    expect("SIOCGIFTXQLEN lo", ioctl(s, SIOCGIFTXQLEN, &ifr) == 0);
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = index;
    expect("SIOCGIFNAME 1", ioctl(s, SIOCGIFNAME, &ifr) == 0);
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "nope0");
    expect("SIOCGIFFLAGS nope0 fails", ioctl(s, SIOCGIFFLAGS, &ifr) == -1);
    expect("SIOCGIFINDEX EFAULT", ioctl(s, SIOCGIFINDEX, BAD) == -1);

    memset(&ifc, 0, sizeof ifc);
    ifc.ifc_buf = NULL;
    expect("SIOCGIFCONF size", ioctl(s, SIOCGIFCONF, &ifc) == 0);
    memset(reqs, 0, sizeof reqs);
    ifc.ifc_len = sizeof reqs;
    ifc.ifc_req = reqs;
    expect("SIOCGIFCONF list", ioctl(s, SIOCGIFCONF, &ifc) == 0);

    int v = 0;
    expect("SIOCATMARK on udp", ioctl(s, SIOCATMARK, &v) == -1 || 1);
    v = 1;
    expect("FIONBIO", ioctl(s, FIONBIO, &v) == 0);
    close(s);
}

static void tcp4(void)
{
    char buf[256];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7777)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    int one = 1;
    expect("SO_REUSEADDR", setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    expect("bind 127.0.0.1:7777", bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    expect("listen", listen(l, 8) == 0);

    int c = socket(AF_INET, SOCK_STREAM, 0);
    expect("TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
    expect("connect", connect(c, (struct sockaddr *)&a, sizeof a) == 0);

    struct sockaddr_in peer;
    socklen_t plen = 128;
    int s = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
    expect("accept4", s >= 0);

    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    expect("getsockname", getsockname(c, (struct sockaddr *)&ss, &sl) == 0);
    sl = sizeof ss;
    expect("getpeername", getpeername(c, (struct sockaddr *)&ss, &sl) == 0);
    sl = 4;
    expect("getsockname short", getsockname(c, (struct sockaddr *)&ss, &sl) == 0);

    expect("send", send(c, "hello over tcp\n", 15, MSG_NOSIGNAL) == 15);
    expect("recv", recv(s, buf, sizeof buf, 0) == 15);
    expect("sendto NULL addr", sendto(s, "back\0\1\2", 7, MSG_DONTWAIT, NULL, 0) == 7);
    expect("recvfrom NULL addr", recvfrom(c, buf, 3, MSG_PEEK, NULL, NULL) == 3);
    sl = sizeof ss;
    expect("recvfrom tcp", recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&ss, &sl) == 7);
    memset(buf, 'x', sizeof buf);
    expect("send 200", send(c, buf, 200, 0) == 200);
    usleep(1000);
    expect("recv 200", recv(s, buf, sizeof buf, MSG_WAITALL) == 200);
    expect("recv EAGAIN", recv(s, buf, sizeof buf, MSG_DONTWAIT) == -1);

    int v;
    socklen_t vl = sizeof v;
    expect("SO_TYPE", getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &vl) == 0);
    vl = sizeof v;
    expect("SO_ERROR", getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl) == 0);
    vl = sizeof v;
    expect("SO_RCVBUF", getsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, &vl) == 0);
    vl = 8;
    expect("SO_DOMAIN len 8", getsockopt(c, SOL_SOCKET, SO_DOMAIN, &v, &vl) == 0);
    vl = sizeof v;
    expect("SO_PROTOCOL", getsockopt(c, SOL_SOCKET, SO_PROTOCOL, &v, &vl) == 0);
    vl = sizeof v;
    expect("TCP_MAXSEG", getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, &vl) == 0);
    vl = sizeof v;
    expect("TCP_NODELAY get", getsockopt(c, SOL_TCP, TCP_NODELAY, &v, &vl) == 0);
    char cc[16];
    vl = sizeof cc;
    expect("TCP_CONGESTION", getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, cc, &vl) == 0);
    struct tcp_info ti;
    vl = sizeof ti;
    expect("TCP_INFO", getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &vl) == 0);
    struct linger lg = {1, 5};
    expect("SO_LINGER set", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    vl = sizeof lg;
    expect("SO_LINGER get", getsockopt(c, SOL_SOCKET, SO_LINGER, &lg, &vl) == 0);
    struct timeval tv = {2, 500000};
    expect("SO_RCVTIMEO", setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    vl = sizeof tv;
    expect("SO_SNDTIMEO get", getsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, &vl) == 0);
    expect("SO_KEEPALIVE", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) == 0);
    int idle = 30;
    expect("TCP_KEEPIDLE", setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) == 0);
    expect("IP_TOS", setsockopt(c, IPPROTO_IP, IP_TOS, &(int){0x10}, sizeof(int)) == 0);
    vl = sizeof v;
    expect("IP_TTL get", getsockopt(c, IPPROTO_IP, IP_TTL, &v, &vl) == 0);
    expect("SO_BINDTODEVICE", setsockopt(c, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) == 0);
    vl = 2;
    expect("SO_RCVBUF short len", getsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, &vl) == 0);
    vl = sizeof v;
    expect("ENOPROTOOPT", getsockopt(c, SOL_SOCKET, 9999, &v, &vl) == -1);
    expect("getsockopt EFAULT len", getsockopt(c, SOL_SOCKET, SO_TYPE, &v, BAD) == -1);
    expect("setsockopt EFAULT", setsockopt(c, SOL_SOCKET, SO_REUSEADDR, BAD, 4) == -1);
    expect("setsockopt EINVAL len", setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, 2) == -1);

    expect("shutdown SHUT_WR", shutdown(c, SHUT_WR) == 0);
    expect("recv EOF", recv(s, buf, sizeof buf, 0) == 0);
    expect("shutdown SHUT_RDWR", shutdown(s, SHUT_RDWR) == 0);
    expect("shutdown bad how", shutdown(s, 7) == -1);
    close(s);
    close(c);

    /* A port nobody listens on. */
    c = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = htons(1);
    expect("connect ECONNREFUSED", connect(c, (struct sockaddr *)&a, sizeof a) == -1 && errno == ECONNREFUSED);
    close(c);
    expect("accept EINVAL (not listening)", accept(socket(AF_INET, SOCK_STREAM, 0), NULL, NULL) == -1);
    close(l);
}

static void tcp6(void)
{
    char buf[64];
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(7778)};
    a.sin6_addr = in6addr_loopback;
    int l = socket(AF_INET6, SOCK_STREAM, IPPROTO_IP);
    int one = 1;
    expect("IPV6_V6ONLY", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0);
    expect("SO_REUSEADDR 6", setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    expect("bind [::1]:7778", bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    expect("listen6", listen(l, 1) == 0);
    int c = socket(AF_INET6, SOCK_STREAM, 0);
    expect("connect6", connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    struct sockaddr_in6 p;
    socklen_t pl = sizeof p;
    int s = accept(l, (struct sockaddr *)&p, &pl);
    expect("accept6", s >= 0);
    expect("send6", send(c, "six", 3, 0) == 3);
    expect("recv6", recv(s, buf, sizeof buf, 0) == 3);
    int hops = 7;
    expect("IPV6_UNICAST_HOPS", setsockopt(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) == 0);
    socklen_t vl = sizeof hops;
    expect("IPV6_UNICAST_HOPS get", getsockopt(c, SOL_IPV6, IPV6_UNICAST_HOPS, &hops, &vl) == 0);
    close(s);
    close(c);
    close(l);

    /* Link-local with a scope, and a short address. */
    c = socket(AF_INET6, SOCK_DGRAM, 0);
    inet_pton(AF_INET6, "fe80::1", &a.sin6_addr);
    a.sin6_scope_id = 1;
    a.sin6_flowinfo = htonl(42);
    connect(c, (struct sockaddr *)&a, sizeof a);
    expect("connect6 short", connect(c, (struct sockaddr *)&a, 20) == -1);
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &a.sin6_addr);
    a.sin6_scope_id = 0;
    expect("connect6 v4-mapped", connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    inet_pton(AF_INET6, "2001:db8::5:0:0:1", &a.sin6_addr);
    connect(c, (struct sockaddr *)&a, 24);
    close(c);
}

static void udp(void)
{
    char buf[128];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7779)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = socket(AF_INET, SOCK_DGRAM, 0);
    expect("bind udp", bind(r, (struct sockaddr *)&a, sizeof a) == 0);
    int one = 1;
    expect("IP_PKTINFO", setsockopt(r, SOL_IP, IP_PKTINFO, &one, sizeof one) == 0);
    expect("IP_RECVTTL", setsockopt(r, SOL_IP, IP_RECVTTL, &one, sizeof one) == 0);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    expect("UDP_CORK", setsockopt(s, IPPROTO_UDP, UDP_CORK, &(int){0}, sizeof(int)) == 0);
    expect("sendto udp", sendto(s, "datagram\n", 9, 0, (struct sockaddr *)&a, sizeof a) == 9);

    struct sockaddr_in from;
    char ctl[256];
    struct iovec iov[2] = {{buf, 4}, {buf + 4, 60}};
    struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = iov,
                       .msg_iovlen = 2, .msg_control = ctl, .msg_controllen = sizeof ctl};
    expect("recvmsg pktinfo+ttl", recvmsg(r, &m, 0) == 9);

    /* sendmsg with a name and two buffers. */
    struct iovec out[2] = {{"two ", 4}, {"parts", 5}};
    struct msghdr sm = {.msg_name = &a, .msg_namelen = sizeof a, .msg_iov = out, .msg_iovlen = 2};
    expect("sendmsg udp", sendmsg(s, &sm, MSG_DONTWAIT) == 9);
    socklen_t fl = sizeof from + 100;
    expect("recvfrom udp", recvfrom(r, buf, 5, MSG_TRUNC, (struct sockaddr *)&from, &fl) == 9);

    /* sendmmsg / recvmmsg. */
    struct mmsghdr mm[3];
    struct iovec mio[3] = {{"one", 3}, {"three", 5}, {"fifteen chars..", 15}};
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_name = &a;
        mm[i].msg_hdr.msg_namelen = sizeof a;
        mm[i].msg_hdr.msg_iov = &mio[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    expect("sendmmsg", sendmmsg(s, mm, 3, 0) == 3);
    char rb[3][32];
    struct iovec rio[3] = {{rb[0], 32}, {rb[1], 32}, {rb[2], 4}};
    struct sockaddr_in names[3];
    struct mmsghdr rm[3];
    memset(rm, 0, sizeof rm);
    for (int i = 0; i < 3; i++) {
        rm[i].msg_hdr.msg_name = &names[i];
        rm[i].msg_hdr.msg_namelen = sizeof names[i];
        rm[i].msg_hdr.msg_iov = &rio[i];
        rm[i].msg_hdr.msg_iovlen = 1;
    }
    struct timespec to = {1, 0};
    expect("recvmmsg", recvmmsg(r, rm, 3, MSG_WAITFORONE, &to) == 3);
    /* The kernel looks at the timeout only between datagrams: one is there, MSG_WAITFORONE. */
    expect("sendto one more", sendto(s, "last", 4, 0, (struct sockaddr *)&a, sizeof a) == 4);
    to.tv_sec = 0;
    to.tv_nsec = 1000000;
    expect("recvmmsg left", recvmmsg(r, rm, 2, MSG_WAITFORONE, &to) == 1);
    expect("recvmmsg NULL timeout EAGAIN", recvmmsg(r, rm, 2, MSG_DONTWAIT, NULL) == -1);
    expect("sendmmsg EBADF", sendmmsg(99, mm, 1, 0) == -1);

    /* Multicast membership on lo (may fail without a route: the decoding is what counts). */
    struct ip_mreq mr;
    mr.imr_multiaddr.s_addr = inet_addr("224.0.0.251");
    mr.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr);
    expect("IP_MULTICAST_LOOP", setsockopt(r, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof one) == 0);
    expect("SO_TIMESTAMP", setsockopt(r, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one) == 0);
    expect("sendto ts", sendto(s, "ts", 2, 0, (struct sockaddr *)&a, sizeof a) == 2);
    m.msg_controllen = sizeof ctl;
    m.msg_namelen = sizeof from;
    m.msg_iovlen = 1;
    expect("recvmsg timestamp", recvmsg(r, &m, 0) == 2);

    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct ipv6_mreq m6;
    inet_pton(AF_INET6, "ff02::fb", &m6.ipv6mr_multiaddr);
    m6.ipv6mr_interface = 1;
    setsockopt(u6, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m6, sizeof m6);
    struct sockaddr_in6 b6 = {.sin6_family = AF_INET6, .sin6_port = htons(7780)};
    b6.sin6_addr = in6addr_loopback;
    expect("bind udp6", bind(u6, (struct sockaddr *)&b6, sizeof b6) == 0);
    expect("sendto udp6", sendto(u6, "v6", 2, 0, (struct sockaddr *)&b6, sizeof b6) == 2);
    struct sockaddr_in6 f6;
    socklen_t f6l = sizeof f6;
    expect("recvfrom udp6", recvfrom(u6, buf, sizeof buf, 0, (struct sockaddr *)&f6, &f6l) == 2);
    close(u6);

    /* Errors. */
    expect("sendto EFAULT buf", sendto(s, BAD, 10, 0, (struct sockaddr *)&a, sizeof a) == -1);
    expect("sendto EFAULT addr", sendto(s, "x", 1, 0, BAD, sizeof a) == -1);
    expect("sendto EINVAL addrlen", sendto(s, "x", 1, 0, (struct sockaddr *)&a, 3) == -1);
    expect("bind EFAULT", bind(s, BAD, sizeof a) == -1);
    expect("recvfrom EBADF", recvfrom(99, buf, 10, 0, NULL, NULL) == -1);
    expect("send EBADF", send(99, "x", 1, 0) == -1);
    expect("sendmsg EFAULT iov", ({
        struct iovec bad = {BAD, 8};
        struct msghdr bm = {.msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &bad, .msg_iovlen = 1};
        sendmsg(s, &bm, 0) == -1;
    }));
    expect("recvmsg EFAULT", recvmsg(r, BAD, MSG_DONTWAIT) == -1);
    expect("recvmsg EAGAIN", recvmsg(r, &m, MSG_DONTWAIT) == -1);
    expect("listen EBADF", listen(99, 1) == -1);
    expect("socket EINVAL type", socket(AF_INET, 99, 0) == -1);
    expect("socket EAFNOSUPPORT", socket(12345, SOCK_STREAM, 0) == -1);
    expect("socket EPROTONOSUPPORT", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) == -1);
    close(s);
    close(r);
}

static void unix_sockets(void)
{
    char buf[256];
    int sv[2];
    expect("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);

    /* SCM_RIGHTS: pass two descriptors. */
    int fds[2] = {0, 1};
    union {
        char b[CMSG_SPACE(sizeof fds)];
        struct cmsghdr align;
    } u;
    struct iovec iov = {"fds", 3};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                       .msg_controllen = sizeof u.b};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    expect("sendmsg SCM_RIGHTS", sendmsg(sv[0], &m, 0) == 3);
    union {
        char b[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } r;
    struct iovec riov = {buf, sizeof buf};
    struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = r.b,
                        .msg_controllen = sizeof r.b};
    expect("recvmsg SCM_RIGHTS", recvmsg(sv[1], &rm, MSG_CMSG_CLOEXEC) == 3);

    /* SCM_CREDENTIALS. */
    int one = 1;
    expect("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0);
    struct ucred cr = {getpid(), getuid(), getgid()};
    union {
        char b[CMSG_SPACE(sizeof cr)];
        struct cmsghdr align;
    } cu;
    m.msg_control = cu.b;
    m.msg_controllen = sizeof cu.b;
    c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof cr);
    memcpy(CMSG_DATA(c), &cr, sizeof cr);
    iov.iov_base = "creds";
    iov.iov_len = 5;
    expect("sendmsg SCM_CREDENTIALS", sendmsg(sv[0], &m, 0) == 5);
    rm.msg_controllen = sizeof r.b + 0;
    union {
        char b[256];
        struct cmsghdr align;
    } big;
    rm.msg_control = big.b;
    rm.msg_controllen = sizeof big.b;
    expect("recvmsg SCM_CREDENTIALS", recvmsg(sv[1], &rm, 0) == 5);
    struct ucred pc;
    socklen_t pl = sizeof pc;
    expect("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &pc, &pl) == 0);
    close(sv[0]);
    close(sv[1]);

    expect("socketpair seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    expect("send seqpacket", send(sv[0], "record one", 10, MSG_EOR) == 10);
    expect("recv seqpacket", recv(sv[1], buf, 4, 0) == 4);
    close(sv[0]);
    close(sv[1]);
    expect("socketpair EAFNOSUPPORT", socketpair(AF_INET, SOCK_STREAM, 0, sv) == -1);
    expect("socketpair EFAULT", socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)(long)BAD) == -1);

    /* Path names: a stream server and client. */
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, "/tmp/netfam.sock");
    unlink(sa.sun_path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    expect("bind unix path", bind(l, (struct sockaddr *)&sa, sizeof sa) == 0);
    expect("listen unix", listen(l, 4) == 0);
    int cl = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1;
    expect("connect unix path", connect(cl, (struct sockaddr *)&sa, alen) == 0);
    struct sockaddr_un got;
    socklen_t gl = sizeof got;
    int s = accept(l, (struct sockaddr *)&got, &gl);
    expect("accept unix (unnamed peer)", s >= 0);
    gl = sizeof got;
    expect("getsockname unix", getsockname(l, (struct sockaddr *)&got, &gl) == 0);
    gl = sizeof got;
    expect("getpeername unix", getpeername(cl, (struct sockaddr *)&got, &gl) == 0);
    expect("write unix", write(cl, "stream", 6) == 6);
    expect("recv unix", recv(s, buf, sizeof buf, 0) == 6);
    close(s);
    close(cl);
    close(l);
    unlink(sa.sun_path);

    /* Abstract names: datagrams between two bound sockets, and one from an unnamed sender. */
    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    memcpy(ab.sun_path, "\0netfam-abstract", 16);
    socklen_t ablen = offsetof(struct sockaddr_un, sun_path) + 16;
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    expect("bind abstract", bind(d, (struct sockaddr *)&ab, ablen) == 0);
    int e = socket(AF_UNIX, SOCK_DGRAM, 0);
    expect("sendto abstract", sendto(e, "to abstract", 11, 0, (struct sockaddr *)&ab, ablen) == 11);
    struct sockaddr_un from;
    socklen_t frl = sizeof from;
    expect("recvfrom unnamed", recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from, &frl) == 11);
    struct sockaddr_un eb = {.sun_family = AF_UNIX};
    memcpy(eb.sun_path, "\0sender\0with\0nuls", 18);
    expect("bind abstract with NULs", bind(e, (struct sockaddr *)&eb, offsetof(struct sockaddr_un, sun_path) + 18) == 0);
    expect("sendto named", sendto(e, "hi", 2, 0, (struct sockaddr *)&ab, ablen) == 2);
    frl = sizeof from;
    expect("recvfrom named", recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from, &frl) == 2);
    frl = 2;
    expect("sendto again", sendto(e, "hi", 2, 0, (struct sockaddr *)&ab, ablen) == 2);
    expect("recvfrom short len", recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from, &frl) == 2);
    expect("connect unix ENOENT", ({
        struct sockaddr_un no = {.sun_family = AF_UNIX, .sun_path = "/nonexistent/sock"};
        connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&no, sizeof no) == -1;
    }));
    expect("bind autobind", bind(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)&ab, 2) == 0);
    close(d);
    close(e);
}

static void netlink_route(void)
{
    int n = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    expect("socket netlink", n >= 0);
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    expect("bind netlink", bind(n, (struct sockaddr *)&sa, sizeof sa) == 0);
    socklen_t sl = sizeof sa;
    expect("getsockname netlink", getsockname(n, (struct sockaddr *)&sa, &sl) == 0);
    int one = 1;
    expect("NETLINK_PKTINFO", setsockopt(n, SOL_NETLINK, NETLINK_PKTINFO, &one, sizeof one) == 0);
    unsigned groups[2];
    socklen_t gl = sizeof groups;
    expect("NETLINK_LIST_MEMBERSHIPS", getsockopt(n, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &gl) == 0);
    struct {
        struct nlmsghdr h;
        struct rtgenmsg g;
    } req = {{sizeof req, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0}, {AF_UNSPEC}};
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    expect("sendto netlink", sendto(n, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) > 0);
    char buf[8192];
    struct iovec iov = {buf, sizeof buf};
    struct sockaddr_nl from;
    struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
    int got = recvmsg(n, &m, 0);
    expect("recvmsg netlink", got > 0);
    close(n);
}

static void packet_sockets(void)
{
    int p = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
    if (p < 0) {
        expect("socket AF_PACKET (optional)", 1);
        return;
    }
    struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
                             .sll_ifindex = 1};
    expect("bind packet", bind(p, (struct sockaddr *)&ll, sizeof ll) == 0);
    socklen_t sl = sizeof ll;
    expect("getsockname packet", getsockname(p, (struct sockaddr *)&ll, &sl) == 0);
    /* A length for the address: strace 6.1 shows a stale buffer for mr_alen=0. */
    struct packet_mreq mr = {.mr_ifindex = 1, .mr_type = PACKET_MR_PROMISC, .mr_alen = 6,
                             .mr_address = {2, 0, 0, 0, 0, 1}};
    expect("PACKET_ADD_MEMBERSHIP", setsockopt(p, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) == 0);
    struct tpacket_stats st;
    socklen_t stl = sizeof st;
    expect("PACKET_STATISTICS", getsockopt(p, SOL_PACKET, PACKET_STATISTICS, &st, &stl) == 0);
    close(p);
    int raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (raw >= 0) {
        /* struct icmp_filter: a bit per ICMP type (linux/icmp.h: ICMP_FILTER is 1). */
        unsigned f = ~(1U << 0);
        expect("ICMP_FILTER", setsockopt(raw, SOL_RAW, 1, &f, sizeof f) == 0);
        socklen_t fl = sizeof f;
        expect("ICMP_FILTER get", getsockopt(raw, SOL_RAW, 1, &f, &fl) == 0);
        close(raw);
    }
}

int main(void)
{
    loopback_up();
    ioctls();
    tcp4();
    tcp6();
    udp();
    unix_sockets();
    netlink_route();
    packet_sockets();
    printf("netfam: %d unexpected\n", failures);
    return failures != 0;
}
