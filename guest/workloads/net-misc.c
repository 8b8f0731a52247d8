/* net-misc: the rest of the network calls a user meets: a netlink route socket (bind, a link dump
 * request with sendto and the answer with recvmsg, a bad request answered by NLMSG_ERROR, netlink
 * socket options), a packet socket and a raw ICMP socket if the kernel has them (a ping to
 * 127.0.0.1), interface ioctls (SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFMTU,
 * SIOCGIFADDR, SIOCGIFHWADDR), FIONREAD and FIONBIO, and their failures (ENODEV, EFAULT, ENOTTY,
 * EBADF). Deterministic: only the loopback is used. Exit status: the number of steps that did not
 * behave as expected. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "wl.h"

static void netlink(void)
{
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    ok("socket AF_NETLINK NETLINK_ROUTE", s >= 0);
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    ok("bind netlink", bind(s, (struct sockaddr *)&sa, sizeof sa) == 0);
    socklen_t len = sizeof sa;
    ok("getsockname netlink", getsockname(s, (struct sockaddr *)&sa, &len) == 0);
    int one = 1, v = 0;
    ok("setsockopt NETLINK_EXT_ACK",
       setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one) == 0);
    len = sizeof v;
    ok("getsockopt NETLINK_EXT_ACK", getsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, &len) == 0);
    int rcv = 32768;
    ok("setsockopt SO_RCVBUF", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv) == 0);

    struct {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = RTM_GETLINK;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = 1;
    req.ifi.ifi_family = AF_UNSPEC;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ok("sendto RTM_GETLINK dump", sendto(s, &req, sizeof req, 0, (struct sockaddr *)&kernel,
                                         sizeof kernel) == sizeof req);
    static char buf[32768];
    int links = 0, done = 0;
    for (int round = 0; round < 16 && !done; round++) {
        struct iovec iov = {buf, sizeof buf};
        struct sockaddr_nl from;
        struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
                            .msg_iovlen = 1};
        ssize_t n = recvmsg(s, &mh, 0);
        if (n <= 0)
            break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE)
                done = 1;
            else if (h->nlmsg_type == RTM_NEWLINK)
                links++;
        }
    }
    ok("recvmsg link dump ends with NLMSG_DONE", done && links >= 1);

    /* An address dump read with recv. */
    struct {
        struct nlmsghdr nh;
        struct ifaddrmsg ifa;
    } areq;
    memset(&areq, 0, sizeof areq);
    areq.nh.nlmsg_len = sizeof areq;
    areq.nh.nlmsg_type = RTM_GETADDR;
    areq.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    areq.nh.nlmsg_seq = 2;
    areq.ifa.ifa_family = AF_INET;
    ok("send RTM_GETADDR dump", send(s, &areq, sizeof areq, 0) == sizeof areq);
    done = 0;
    for (int round = 0; round < 16 && !done; round++) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
            if (h->nlmsg_type == NLMSG_DONE)
                done = 1;
    }
    ok("recv address dump", done);

    /* A request for a link that does not exist: the kernel answers with an error message. */
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = RTM_GETLINK;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req.nh.nlmsg_seq = 3;
    req.ifi.ifi_index = 9999;
    ok("send RTM_GETLINK index 9999", send(s, &req, sizeof req, 0) == sizeof req);
    ssize_t n = recv(s, buf, sizeof buf, 0);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    ok("answer is NLMSG_ERROR", n > 0 && h->nlmsg_type == NLMSG_ERROR);
    fails("sendto netlink bad buffer (EFAULT)", sendto(s, BADPTR, 32, 0, NULL, 0), EFAULT);
    fails("recv netlink nothing (EAGAIN)", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    close(s);
    fails("socket netlink bad protocol (EPROTONOSUPPORT)",
          socket(AF_NETLINK, SOCK_RAW, 99), EPROTONOSUPPORT);
    int g = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_GENERIC);
    tried("socket AF_NETLINK NETLINK_GENERIC", g);
    if (g >= 0)
        close(g);
}

static void interfaces(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    ok("ioctl SIOCGIFFLAGS lo", ioctl(s, SIOCGIFFLAGS, &ifr) == 0);
    if (!(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        ok("ioctl SIOCSIFFLAGS lo up", ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
    }
    ok("ioctl SIOCGIFINDEX lo", ioctl(s, SIOCGIFINDEX, &ifr) == 0);
    int index = ifr.ifr_ifindex;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = index;
    ok("ioctl SIOCGIFNAME", ioctl(s, SIOCGIFNAME, &ifr) == 0);
    ok("ioctl SIOCGIFMTU", ioctl(s, SIOCGIFMTU, &ifr) == 0);
    ok("ioctl SIOCGIFADDR", ioctl(s, SIOCGIFADDR, &ifr) == 0);
    ok("ioctl SIOCGIFNETMASK", ioctl(s, SIOCGIFNETMASK, &ifr) == 0);
    ok("ioctl SIOCGIFHWADDR", ioctl(s, SIOCGIFHWADDR, &ifr) == 0);
    ok("ioctl SIOCGIFTXQLEN", ioctl(s, SIOCGIFTXQLEN, &ifr) == 0);

    struct ifreq reqs[8];
    struct ifconf ifc = {.ifc_len = sizeof reqs, .ifc_req = reqs};
    ok("ioctl SIOCGIFCONF", ioctl(s, SIOCGIFCONF, &ifc) == 0);
    struct ifconf probe = {.ifc_len = 0, .ifc_req = NULL};
    ok("ioctl SIOCGIFCONF size probe", ioctl(s, SIOCGIFCONF, &probe) == 0);

    strcpy(ifr.ifr_name, "nosuch0");
    fails("ioctl SIOCGIFFLAGS missing (ENODEV)", ioctl(s, SIOCGIFFLAGS, &ifr), ENODEV);
    fails("ioctl SIOCGIFFLAGS bad pointer (EFAULT)", ioctl(s, SIOCGIFFLAGS, BADPTR), EFAULT);
    fails("ioctl SIOCGIFCONF bad pointer (EFAULT)", ioctl(s, SIOCGIFCONF, BADPTR), EFAULT);
    fails("ioctl SIOCGIFFLAGS bad fd (EBADF)", ioctl(-1, SIOCGIFFLAGS, &ifr), EBADF);
    fails("ioctl SIOCGIFFLAGS closed fd (EBADF)", ioctl(1000, SIOCGIFFLAGS, &ifr), EBADF);

    int v = 0;
    ok("ioctl FIONREAD empty", ioctl(s, FIONREAD, &v) == 0 && v == 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(43000),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(s, (struct sockaddr *)&a, sizeof a);
    sendto(s, "12345", 5, 0, (struct sockaddr *)&a, sizeof a);
    ok("ioctl FIONREAD 5", ioctl(s, FIONREAD, &v) == 0 && v == 5);
    int on = 1;
    ok("ioctl FIONBIO", ioctl(s, FIONBIO, &on) == 0);
    ok("ioctl SIOCOUTQ", ioctl(s, SIOCOUTQ, &v) == 0);
    fails("ioctl FIONREAD bad pointer (EFAULT)", ioctl(s, FIONREAD, BADPTR), EFAULT);
    fails("ioctl unknown request (ENOTTY/ENOIOCTLCMD)", ioctl(0, 0x89ff, &v), ENOTTY);
    close(s);
}

static void raw(void)
{
    int p = socket(AF_PACKET, SOCK_DGRAM, htons(0x0003));
    tried("socket AF_PACKET SOCK_DGRAM ETH_P_ALL", p);
    if (p >= 0) {
        struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(0x0003),
                                 .sll_ifindex = 1};
        tried("bind AF_PACKET lo", bind(p, (struct sockaddr *)&ll, sizeof ll));
        close(p);
    }
    int r = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    tried("socket SOCK_RAW IPPROTO_ICMP", r);
    if (r >= 0) {
        struct icmphdr ic;
        memset(&ic, 0, sizeof ic);
        ic.type = ICMP_ECHO;
        ic.un.echo.id = htons(7);
        ic.un.echo.sequence = htons(1);
        /* Checksum of a header without payload. */
        unsigned short *w = (unsigned short *)&ic;
        unsigned sum = 0;
        for (unsigned i = 0; i < sizeof ic / 2; i++)
            sum += w[i];
        sum = (sum >> 16) + (sum & 0xffff);
        ic.checksum = (unsigned short)~(sum + (sum >> 16));
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        ok("sendto ICMP echo 127.0.0.1",
           sendto(r, &ic, sizeof ic, 0, (struct sockaddr *)&to, sizeof to) == sizeof ic);
        char buf[256];
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        /* The raw socket sees the request and the reply; read both. */
        ok("recvfrom ICMP", recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) > 0);
        len = sizeof from;
        ok("recvfrom ICMP 2", recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) > 0);
        close(r);
    }
}

int main(void)
{
    wl_name = "net-misc";
    interfaces();
    netlink();
    raw();
    return wl_exit();
}
