/* net-unix: Unix sockets of the three kinds (stream, datagram, seqpacket) on a path name and on an
 * abstract name, socketpair, names, control messages (SCM_RIGHTS passing two descriptors,
 * SCM_CREDENTIALS with SO_PASSCRED), SO_PEERCRED, MSG_* flags, and the failures a user meets: a
 * missing path (ENOENT), a name too long (EINVAL), a bad pointer (EFAULT), a closed descriptor
 * (EBADF), a peer gone (EPIPE, ECONNREFUSED). One process: deterministic.
 * Exit status: the number of steps that did not behave as expected. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "wl.h"

#define DIR_ "/tmp/net-unix.d"

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

/* An abstract name: a NUL first, not NUL-terminated. */
static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, strlen(name));
    return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static void kind(int type, const char *label, int abstract)
{
    struct sockaddr_un a, peer;
    socklen_t alen, len;
    char what[96], buf[128];
    char path[64];

    snprintf(path, sizeof path, DIR_ "/%s.sock", label);
    alen = abstract ? abstract_addr(&a, label) : path_addr(&a, path);

    int srv = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    snprintf(what, sizeof what, "%s: socket", label);
    ok(what, srv >= 0);
    snprintf(what, sizeof what, "%s: bind", label);
    ok(what, bind(srv, (struct sockaddr *)&a, alen) == 0);
    if (type != SOCK_DGRAM) {
        snprintf(what, sizeof what, "%s: listen", label);
        ok(what, listen(srv, 4) == 0);
    }
    len = sizeof peer;
    snprintf(what, sizeof what, "%s: getsockname", label);
    ok(what, getsockname(srv, (struct sockaddr *)&peer, &len) == 0);

    int cli = socket(AF_UNIX, type, 0);
    snprintf(what, sizeof what, "%s: connect", label);
    ok(what, connect(cli, (struct sockaddr *)&a, alen) == 0);
    int conn = srv;
    if (type != SOCK_DGRAM) {
        len = sizeof peer;
        conn = accept4(srv, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
        snprintf(what, sizeof what, "%s: accept4", label);
        ok(what, conn >= 0);
        len = sizeof peer;
        snprintf(what, sizeof what, "%s: getpeername", label);
        ok(what, getpeername(cli, (struct sockaddr *)&peer, &len) == 0);
    }
    snprintf(what, sizeof what, "%s: send", label);
    ok(what, send(cli, "unix message", 12, 0) == 12);
    snprintf(what, sizeof what, "%s: recv", label);
    ok(what, recv(conn, buf, sizeof buf, 0) == 12);
    snprintf(what, sizeof what, "%s: write/read", label);
    ok(what, write(cli, "0123456789", 10) == 10 && read(conn, buf, 4) == 4);
    if (type == SOCK_STREAM)
        recv(conn, buf, sizeof buf, MSG_DONTWAIT);
    if (type != SOCK_DGRAM) {
        snprintf(what, sizeof what, "%s: shutdown SHUT_WR", label);
        ok(what, shutdown(cli, SHUT_WR) == 0);
        snprintf(what, sizeof what, "%s: recv after shutdown", label);
        ok(what, recv(conn, buf, sizeof buf, 0) == 0);
        close(conn);
    }
    close(cli);
    close(srv);
    if (!abstract)
        unlink(path);
}

static void rights(void)
{
    int sv[2];
    ok("socketpair SOCK_STREAM", socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    int f1 = open("/etc/fstab", O_RDONLY), f2 = open("/dev/null", O_WRONLY);
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    char data[] = "fds";
    struct iovec iov = {data, 3};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    memcpy(CMSG_DATA(c), (int[]){f1, f2}, 2 * sizeof(int));
    ok("sendmsg SCM_RIGHTS (2 fds)", sendmsg(sv[0], &mh, 0) == 3);

    union {
        char buf[CMSG_SPACE(4 * sizeof(int))];
        struct cmsghdr align;
    } r;
    char rd[8];
    struct iovec riov = {rd, sizeof rd};
    struct msghdr rh = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = r.buf,
                        .msg_controllen = sizeof r.buf};
    ok("recvmsg SCM_RIGHTS MSG_CMSG_CLOEXEC", recvmsg(sv[1], &rh, MSG_CMSG_CLOEXEC) == 3);
    struct cmsghdr *rc = CMSG_FIRSTHDR(&rh);
    ok("two descriptors received", rc && rc->cmsg_type == SCM_RIGHTS &&
                                       rc->cmsg_len == CMSG_LEN(2 * sizeof(int)));
    if (rc && rc->cmsg_len == CMSG_LEN(2 * sizeof(int))) {
        int got[2];
        memcpy(got, CMSG_DATA(rc), sizeof got);
        close(got[0]);
        close(got[1]);
    }
    /* A control buffer too small for what comes: MSG_CTRUNC. */
    sendmsg(sv[0], &mh, 0);
    rh.msg_controllen = CMSG_LEN(sizeof(int));
    ok("recvmsg short control buffer (MSG_CTRUNC)",
       recvmsg(sv[1], &rh, 0) == 3 && (rh.msg_flags & MSG_CTRUNC));
    fails("sendmsg bad control pointer (EFAULT)",
          (mh.msg_control = BADPTR, sendmsg(sv[0], &mh, 0)), EFAULT);
    close(f1);
    close(f2);
    close(sv[0]);
    close(sv[1]);
}

static void credentials(void)
{
    int sv[2], one = 1;
    ok("socketpair SOCK_DGRAM", socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
    ok("setsockopt SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0);
    struct ucred uc = {getpid(), getuid(), getgid()};
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = {"creds", 5};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof uc);
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    ok("sendmsg SCM_CREDENTIALS", sendmsg(sv[0], &mh, 0) == 5);
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } r;
    char rd[8];
    struct iovec riov = {rd, sizeof rd};
    struct msghdr rh = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = r.buf,
                        .msg_controllen = sizeof r.buf};
    ok("recvmsg SCM_CREDENTIALS", recvmsg(sv[1], &rh, 0) == 5);
    struct ucred peer;
    socklen_t len = sizeof peer;
    int st[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, st);
    ok("getsockopt SO_PEERCRED", getsockopt(st[0], SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0);
    int v;
    len = sizeof v;
    ok("getsockopt SO_PASSCRED", getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &len) == 0 && v);
    len = sizeof v;
    ok("getsockopt SO_DOMAIN", getsockopt(sv[1], SOL_SOCKET, SO_DOMAIN, &v, &len) == 0);
    len = sizeof v;
    ok("getsockopt SO_ACCEPTCONN", getsockopt(st[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0);

    /* A peer gone. */
    close(st[1]);
    signal(SIGPIPE, SIG_IGN);
    fails("send to a closed peer (EPIPE)", send(st[0], "x", 1, 0), EPIPE);
    ok("send MSG_NOSIGNAL to a closed peer (EPIPE)", send(st[0], "x", 1, MSG_NOSIGNAL) == -1);
    close(st[0]);
    close(sv[0]);
    close(sv[1]);
    int ss[2];
    ok("socketpair SOCK_SEQPACKET", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ss) == 0);
    ok("seqpacket record", send(ss[0], "record", 6, MSG_EOR) == 6 && recv(ss[1], rd, 3, 0) == 3);
    close(ss[0]);
    close(ss[1]);
    fails("socketpair AF_INET (EOPNOTSUPP)", socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
    fails("socketpair bad vector (EFAULT)", socketpair(AF_UNIX, SOCK_STREAM, 0, BADPTR), EFAULT);
}

static void failures(void)
{
    struct sockaddr_un a;
    socklen_t alen = path_addr(&a, DIR_ "/missing.sock");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    fails("connect to a missing path (ENOENT)", connect(s, (struct sockaddr *)&a, alen), ENOENT);
    fails("bind a name too long (EINVAL)", bind(s, (struct sockaddr *)&a, sizeof a + 10), EINVAL);
    fails("connect bad address (EFAULT)", connect(s, BADPTR, alen), EFAULT);
    fails("getsockname bad fd (EBADF)", getsockname(99, (struct sockaddr *)&a, &alen), EBADF);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un b;
    socklen_t blen = path_addr(&b, DIR_ "/gone.sock");
    int g = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind(g, (struct sockaddr *)&b, blen);
    close(g);
    fails("sendto a socket gone (ECONNREFUSED)",
          sendto(d, "x", 1, 0, (struct sockaddr *)&b, blen), ECONNREFUSED);
    unlink(DIR_ "/gone.sock");
    close(d);
    close(s);
}

int main(void)
{
    wl_name = "net-unix";
    mkdir(DIR_, 0755);
    kind(SOCK_STREAM, "stream", 0);
    kind(SOCK_DGRAM, "dgram", 0);
    kind(SOCK_SEQPACKET, "seqpacket", 0);
    kind(SOCK_STREAM, "abstract-stream", 1);
    kind(SOCK_DGRAM, "abstract-dgram", 1);
    rights();
    credentials();
    failures();
    rmdir(DIR_);
    return wl_exit();
}
