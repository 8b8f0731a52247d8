//! Tests of the networking family: synthetic guests laid out like the calls strace 6.1 was run on
//! (`strace -e trace=%network ./prog` on the host, 64- and 32-bit builds), each expected line
//! taken from its output. Every call is decoded both ways (straight from memory, and captured then
//! rendered) by `line_mem`.

use vmscope_core::event::Abi;
use vmscope_core::guest::TestGuest;

use crate::syscalls::tests::{EBADF, line, line_mem};

const EFAULT: i64 = -14;
const EINVAL: i64 = -22;

/// Both ABIs: the same call on the same memory (addresses below 4 GiB) must print the same.
fn both(name: &str, raw: [u64; 6], g: &mut TestGuest, ret: i64) -> String {
    let a = line(Abi::X86_64, name, raw, &mut g.clone(), Some(ret));
    let b = line(Abi::I386, name, raw, &mut g.clone(), Some(ret));
    assert_eq!(a, b, "x86_64 and i386 differ");
    a
}

/// A call whose memory the kernel changes: `entry` as given, `exit` after.
fn call(
    abi: Abi,
    name: &str,
    raw: [u64; 6],
    entry: &TestGuest,
    exit: &TestGuest,
    ret: i64,
) -> String {
    line_mem(
        abi,
        name,
        raw,
        &mut entry.clone(),
        &mut exit.clone(),
        Some(ret),
    )
}

fn sin(port: u16, addr: [u8; 4]) -> Vec<u8> {
    let mut b = vec![2, 0];
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&addr);
    b.extend_from_slice(&[0; 8]);
    b
}

fn sin6(port: u16, flow: u32, addr: &str, scope: u32) -> Vec<u8> {
    let ip: std::net::Ipv6Addr = addr.parse().expect("address");
    let mut b = vec![10, 0];
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&flow.to_be_bytes());
    b.extend_from_slice(&ip.octets());
    b.extend_from_slice(&scope.to_le_bytes());
    b
}

fn sun(path: &[u8]) -> Vec<u8> {
    let mut b = vec![1, 0];
    b.extend_from_slice(path);
    b.resize(110, 0);
    b
}

#[test]
fn inet_addresses_and_odd_lengths() {
    let mut g = TestGuest::new();
    g.write(0x1000, &sin(7777, [127, 0, 0, 1]));
    let at = |len: u64| [3, 0x1000, len, 0, 0, 0];
    assert_eq!(
        both("bind", at(16), &mut g, 0),
        "bind(3, {sa_family=AF_INET, sin_port=htons(7777), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0"
    );
    assert_eq!(
        both("bind", at(1), &mut g, EINVAL),
        "bind(3, 0x1000, 1) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        both("bind", at(2), &mut g, EINVAL),
        "bind(3, {sa_family=AF_INET}, 2) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        both("bind", at(3), &mut g, EINVAL),
        "bind(3, {sa_family=AF_INET, sa_data=\"\\36\"}, 3) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        both("bind", at(15), &mut g, EINVAL),
        "bind(3, {sa_family=AF_INET, sa_data=\"\\36a\\177\\0\\0\\1\\0\\0\\0\\0\\0\\0\\0\"}, 15) = -1 \
         EINVAL (Invalid argument)"
    );
    // Lengths over sockaddr_storage's are read as 128 bytes.
    assert_eq!(
        both("bind", at(200), &mut g, 0),
        "bind(3, {sa_family=AF_INET, sin_port=htons(7777), sin_addr=inet_addr(\"127.0.0.1\")}, 200) = 0"
    );
    assert_eq!(
        both("bind", [3, 0x10, 16, 0, 0, 0], &mut g, EFAULT),
        "bind(3, 0x10, 16) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        both("bind", [3, 0, 16, 0, 0, 0], &mut g, EFAULT),
        "bind(3, NULL, 16) = -1 EFAULT (Bad address)"
    );
    // An unknown family, and a negative length.
    let mut x = vec![99, 0];
    x.extend_from_slice(b"hi\0\x01\x02x\0\0\0\0\0\0\0\0");
    g.write(0x2000, &x);
    assert_eq!(
        both("connect", [3, 0x2000, 16, 0, 0, 0], &mut g, EINVAL),
        "connect(3, {sa_family=0x63 /* AF_??? */, sa_data=\"hi\\0\\1\\2x\\0\\0\\0\\0\\0\\0\\0\\0\"}, 16) \
         = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        both("connect", [3, 0x2000, 0xffff_ffff, 0, 0, 0], &mut g, EINVAL),
        "connect(3, 0x2000, -1) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn unix_addresses_path_abstract_unnamed() {
    let mut g = TestGuest::new();
    g.write(0x1000, &sun(b"/tmp/x\x01y"));
    assert_eq!(
        both("connect", [3, 0x1000, 110, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_UNIX, sun_path=\"/tmp/x\\1y\"}, 110) = 0"
    );
    assert_eq!(
        both("connect", [3, 0x1000, 5, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_UNIX, sun_path=\"/tm\"}, 5) = 0"
    );
    g.write(0x2000, &sun(b"\0abs\0tr"));
    assert_eq!(
        both("connect", [3, 0x2000, 10, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_UNIX, sun_path=@\"abs\\0tr\\0\"}, 10) = 0"
    );
    assert_eq!(
        both("connect", [3, 0x2000, 3, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_UNIX, sun_path=@\"\"}, 3) = 0"
    );
    assert_eq!(
        both("bind", [9, 0x2000, 2, 0, 0, 0], &mut g, 0),
        "bind(9, {sa_family=AF_UNIX}, 2) = 0"
    );
    // A path filling sun_path: printed whole (no terminator needed).
    let mut full = sun(&[b'a'; 108]);
    full.resize(200, b'b');
    g.write(0x3000, &full);
    let a108 = "a".repeat(108);
    assert_eq!(
        both("connect", [3, 0x3000, 110, 0, 0, 0], &mut g, 0),
        format!("connect(3, {{sa_family=AF_UNIX, sun_path=\"{a108}\"}}, 110) = 0")
    );
    assert_eq!(
        both("connect", [3, 0x3000, 130, 0, 0, 0], &mut g, 0),
        format!("connect(3, {{sa_family=AF_UNIX, sun_path=\"{a108}\"}}, 130) = 0")
    );
}

#[test]
fn inet6_netlink_packet_addresses() {
    let mut g = TestGuest::new();
    g.write(0x1000, &sin6(80, 5, "::1", 3));
    assert_eq!(
        both("connect", [3, 0x1000, 28, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(5), \
         inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=3}, 28) = 0"
    );
    assert_eq!(
        both("connect", [3, 0x1000, 24, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(5), \
         inet_pton(AF_INET6, \"::1\", &sin6_addr)}, 24) = 0"
    );
    assert_eq!(
        both("connect", [3, 0x1000, 23, 0, 0, 0], &mut g, EINVAL),
        "connect(3, {sa_family=AF_INET6, sa_data=\"\\0P\\0\\0\\0\\5\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"}, \
         23) = -1 EINVAL (Invalid argument)"
    );
    g.write(0x1100, &sin6(80, 5, "fe80::1", 1));
    assert_eq!(
        both("connect", [3, 0x1100, 28, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(5), \
         inet_pton(AF_INET6, \"fe80::1\", &sin6_addr), sin6_scope_id=if_nametoindex(\"lo\")}, 28) = 0"
    );
    g.write(0x1200, &sin6(80, 5, "fe80::1", 77));
    assert!(both("connect", [3, 0x1200, 28, 0, 0, 0], &mut g, 0).contains("sin6_scope_id=77}"));
    // sockaddr_nl: nl_groups in `%#08x`, nl_pad only when set.
    let mut nl = vec![16, 0, 0, 0];
    nl.extend_from_slice(&1234u32.to_le_bytes());
    nl.extend_from_slice(&5u32.to_le_bytes());
    g.write(0x2000, &nl);
    assert_eq!(
        both("connect", [3, 0x2000, 12, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_NETLINK, nl_pid=1234, nl_groups=0x000005}, 12) = 0"
    );
    g.write(0x2002, &[3, 0]);
    assert_eq!(
        both("connect", [3, 0x2000, 12, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_NETLINK, nl_pad=0x3, nl_pid=1234, nl_groups=0x000005}, 12) = 0"
    );
    g.write(0x2010, &[16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        both("bind", [3, 0x2010, 12, 0, 0, 0], &mut g, 0),
        "bind(3, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0"
    );
    // sockaddr_ll
    let ll = [
        17, 0, 0x08, 0x00, 1, 0, 0, 0, 1, 0, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    g.write(0x3000, &ll);
    assert_eq!(
        both("connect", [3, 0x3000, 20, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IP), \
         sll_ifindex=if_nametoindex(\"lo\"), sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_OUTGOING, \
         sll_halen=6, sll_addr=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6]}, 20) = 0"
    );
    assert_eq!(
        both("connect", [3, 0x3000, 16, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_PACKET, sa_data=\"\\10\\0\\1\\0\\0\\0\\1\\0\\4\\6\\1\\2\\3\\4\"}, 16) = 0"
    );
    let ll2 = [
        17, 0, 0x12, 0x34, 9, 0, 0, 0, 0xe7, 3, 77, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    g.write(0x3100, &ll2);
    assert_eq!(
        both("connect", [3, 0x3100, 20, 0, 0, 0], &mut g, 0),
        "connect(3, {sa_family=AF_PACKET, sll_protocol=htons(0x1234 /* ETH_P_??? */), \
         sll_ifindex=9, sll_hatype=0x3e7 /* ARPHRD_??? */, sll_pkttype=0x4d /* PACKET_??? */, \
         sll_halen=6, sll_addr=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6]}, 20) = 0"
    );
}

#[test]
fn socket_types_protocols_and_pairs() {
    let mut g = TestGuest::new();
    assert_eq!(
        both("socket", [2, 99, 0, 0, 0, 0], &mut g, EINVAL),
        "socket(AF_INET, SOCK_RAW|0x60 /* SOCK_??? */, IPPROTO_IP) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        both("socket", [12345, 1, 0, 0, 0, 0], &mut g, -97),
        "socket(0x3039 /* AF_??? */, SOCK_STREAM, 0) = -1 EAFNOSUPPORT (Address family not \
         supported by protocol)"
    );
    assert_eq!(
        both("socket", [17, 2, 0x0008, 0, 0, 0], &mut g, 3),
        "socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP)) = 3"
    );
    assert_eq!(
        both("socket", [16, 0o2000003, 0, 0, 0, 0], &mut g, 3),
        "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3"
    );
    assert_eq!(
        both("socket", [2, 7, 0, 0, 0, 0], &mut g, EINVAL),
        "socket(AF_INET, 0x7 /* SOCK_??? */, IPPROTO_IP) = -1 EINVAL (Invalid argument)"
    );
    let mut e = TestGuest::new();
    e.write(0x1000, &[0; 8]);
    let mut x = e.clone();
    x.write_u32(0x1000, 3).write_u32(0x1004, 5);
    for abi in [Abi::X86_64, Abi::I386] {
        assert_eq!(
            call(
                abi,
                "socketpair",
                [1, 0o2000001, 0, 0x1000, 0, 0],
                &e,
                &x,
                0
            ),
            "socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3, 5]) = 0"
        );
        assert_eq!(
            call(abi, "socketpair", [2, 1, 0, 0x1000, 0, 0], &e, &x, -95),
            "socketpair(AF_INET, SOCK_STREAM, 0, 0x1000) = -1 EOPNOTSUPP (Operation not supported)"
        );
        assert_eq!(
            call(abi, "socketpair", [1, 1, 0, 0x10, 0, 0], &e, &x, EFAULT),
            "socketpair(AF_UNIX, SOCK_STREAM, 0, 0x10) = -1 EFAULT (Bad address)"
        );
    }
    assert_eq!(
        both("shutdown", [5, 7, 0, 0, 0, 0], &mut g, EINVAL),
        "shutdown(5, 0x7 /* SHUT_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        both("shutdown", [4, 1, 0, 0, 0, 0], &mut g, 0),
        "shutdown(4, SHUT_WR) = 0"
    );
}

#[test]
fn names_and_lengths_in_and_out() {
    let mut e = TestGuest::new();
    e.write_u32(0x3000, 128);
    e.write(0x2000, &[0; 128]);
    let mut x = e.clone();
    x.write_u32(0x3000, 16);
    x.write(0x2000, &sin(48296, [127, 0, 0, 1]));
    for abi in [Abi::X86_64, Abi::I386] {
        assert_eq!(
            call(
                abi,
                "accept4",
                [3, 0x2000, 0x3000, 0o2004000, 0, 0],
                &e,
                &x,
                5
            ),
            "accept4(3, {sa_family=AF_INET, sin_port=htons(48296), sin_addr=inet_addr(\"127.0.0.1\")}, \
             [128 => 16], SOCK_CLOEXEC|SOCK_NONBLOCK) = 5"
        );
        assert_eq!(
            call(abi, "getsockname", [4, 0x2000, 0x3000, 0, 0, 0], &e, &x, 0),
            "getsockname(4, {sa_family=AF_INET, sin_port=htons(48296), sin_addr=inet_addr(\"127.0.0.1\")}, \
             [128 => 16]) = 0"
        );
        // Given 4 bytes: only those are shown.
        let mut e4 = e.clone();
        e4.write_u32(0x3000, 4);
        assert_eq!(
            call(abi, "getsockname", [4, 0x2000, 0x3000, 0, 0, 0], &e4, &x, 0),
            "getsockname(4, {sa_family=AF_INET, sa_data=\"\\274\\250\"}, [4 => 16]) = 0"
        );
        assert_eq!(
            call(
                abi,
                "getpeername",
                [4, 0x2000, 0x3000, 0, 0, 0],
                &e,
                &x,
                -107
            ),
            "getpeername(4, 0x2000, [128]) = -1 ENOTCONN (Transport endpoint is not connected)"
        );
        assert_eq!(
            call(
                abi,
                "getsockname",
                [4, 0x2000, 0x10, 0, 0, 0],
                &e,
                &x,
                EFAULT
            ),
            "getsockname(4, 0x2000, 0x10) = -1 EFAULT (Bad address)"
        );
        assert_eq!(
            call(abi, "accept4", [4, 0, 0, 0, 0, 0], &e, &x, EINVAL),
            "accept4(4, NULL, NULL, 0) = -1 EINVAL (Invalid argument)"
        );
        // An unnamed Unix peer: two bytes.
        let mut eu = e.clone();
        eu.write_u32(0x3000, 110);
        let mut xu = e.clone();
        xu.write_u32(0x3000, 2).write(0x2000, &[1, 0]);
        assert_eq!(
            call(abi, "accept4", [3, 0x2000, 0x3000, 0, 0, 0], &eu, &xu, 8),
            "accept4(3, {sa_family=AF_UNIX}, [110 => 2], 0) = 8"
        );
    }
    // i386 has accept only through socketcall.
    let mut e32 = e.clone();
    e32.write_u32(0x9000, 3)
        .write_u32(0x9004, 0x2000)
        .write_u32(0x9008, 0x3000);
    let mut x32 = x.clone();
    x32.write_u32(0x9000, 3)
        .write_u32(0x9004, 0x2000)
        .write_u32(0x9008, 0x3000);
    assert_eq!(
        call(
            Abi::I386,
            "socketcall",
            [5, 0x9000, 0, 0, 0, 0],
            &e32,
            &x32,
            6
        ),
        "accept(3, {sa_family=AF_INET, sin_port=htons(48296), sin_addr=inet_addr(\"127.0.0.1\")}, \
         [128 => 16]) = 6"
    );
}

#[test]
fn buffers_sent_and_received() {
    let mut e = TestGuest::new();
    e.write(0x1000, b"back\0\x01\x02");
    e.write(0x2000, &sin(7779, [127, 0, 0, 1]));
    e.write(0x4000, &[0; 256]);
    e.write_u32(0x3000, 128);
    let mut x = e.clone();
    x.write(0x4000, b"two parts");
    x.write_u32(0x3000, 16);
    x.write(0x5000, &sin(59375, [127, 0, 0, 1]));
    for abi in [Abi::X86_64, Abi::I386] {
        assert_eq!(
            call(abi, "sendto", [5, 0x1000, 7, 0x40, 0, 0], &e, &e, 7),
            "sendto(5, \"back\\0\\1\\2\", 7, MSG_DONTWAIT, NULL, 0) = 7"
        );
        assert_eq!(
            call(abi, "sendto", [5, 0x1000, 1, 0, 0x2000, 16], &e, &e, 1),
            "sendto(5, \"b\", 1, 0, {sa_family=AF_INET, sin_port=htons(7779), \
             sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 1"
        );
        assert_eq!(
            call(abi, "sendto", [5, 0x10, 10, 0, 0x2000, 3], &e, &e, EFAULT),
            "sendto(5, 0x10, 10, 0, {sa_family=AF_INET, sa_data=\"\\36\"}, 3) = -1 EFAULT (Bad address)"
        );
        // The bytes received, cut at the length asked for; the source's length in and out.
        let mut xf = x.clone();
        xf.write(0x2000, &sin(59375, [127, 0, 0, 1]));
        assert_eq!(
            call(
                abi,
                "recvfrom",
                [3, 0x4000, 5, 0x20, 0x2000, 0x3000],
                &e,
                &xf,
                9
            ),
            "recvfrom(3, \"two p\", 5, MSG_TRUNC, {sa_family=AF_INET, sin_port=htons(59375), \
             sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = 9"
        );
        assert_eq!(
            call(abi, "recvfrom", [5, 0x4000, 256, 0x40, 0, 0], &e, &x, -11),
            "recvfrom(5, 0x4000, 256, MSG_DONTWAIT, NULL, NULL) = -1 EAGAIN (Resource temporarily \
             unavailable)"
        );
        assert_eq!(
            call(
                abi,
                "recvfrom",
                [5, 0x4000, 256, 0, 0x2000, 0x3000],
                &e,
                &x,
                EBADF
            ),
            "recvfrom(5, 0x4000, 256, 0, 0x2000, [128]) = -1 EBADF (Bad file descriptor)"
        );
        // A stream socket writes no address: length 0, the pointer.
        let mut x0 = x.clone();
        x0.write_u32(0x3000, 0);
        assert_eq!(
            call(
                abi,
                "recvfrom",
                [4, 0x4000, 256, 0, 0x2000, 0x3000],
                &e,
                &x0,
                9
            ),
            "recvfrom(4, \"two parts\", 256, 0, 0x2000, [128 => 0]) = 9"
        );
        // Unknown flags.
        assert_eq!(
            call(abi, "sendto", [5, 0x1000, 1, 0x1000_0040, 0, 0], &e, &e, 1),
            "sendto(5, \"b\", 1, MSG_DONTWAIT|0x10000000, NULL, 0) = 1"
        );
        assert_eq!(
            call(abi, "sendto", [5, 0x1000, 1, 0x1000_0000, 0, 0], &e, &e, 1),
            "sendto(5, \"b\", 1, 0x10000000 /* MSG_??? */, NULL, 0) = 1"
        );
    }
    // i386's send and recv are socketcall's.
    let mut e32 = e.clone();
    e32.write_u32(0x9000, 4)
        .write_u32(0x9004, 0x1000)
        .write_u32(0x9008, 4)
        .write_u32(0x900c, 0x4000);
    assert_eq!(
        call(
            Abi::I386,
            "socketcall",
            [9, 0x9000, 0, 0, 0, 0],
            &e32,
            &e32,
            4
        ),
        "send(4, \"back\", 4, MSG_NOSIGNAL) = 4"
    );
    let mut x32 = x.clone();
    x32.write_u32(0x9100, 5)
        .write_u32(0x9104, 0x4000)
        .write_u32(0x9108, 256)
        .write_u32(0x910c, 0x100);
    let mut ee = e.clone();
    ee.write_u32(0x9100, 5)
        .write_u32(0x9104, 0x4000)
        .write_u32(0x9108, 256)
        .write_u32(0x910c, 0x100);
    assert_eq!(
        call(
            Abi::I386,
            "socketcall",
            [10, 0x9100, 0, 0, 0, 0],
            &ee,
            &x32,
            3
        ),
        "recv(5, \"two\", 256, MSG_WAITALL) = 3"
    );
}

/// x86_64 `struct msghdr` at `at`.
#[allow(clippy::too_many_arguments, reason = "a structure's fields")]
fn msghdr64(
    g: &mut TestGuest,
    at: u64,
    name: u64,
    namelen: u32,
    iov: u64,
    iovlen: u64,
    control: u64,
    controllen: u64,
    flags: u32,
) {
    g.write_u64(at, name)
        .write_u32(at + 8, namelen)
        .write_u64(at + 16, iov)
        .write_u64(at + 24, iovlen)
        .write_u64(at + 32, control)
        .write_u64(at + 40, controllen)
        .write_u32(at + 48, flags);
}

/// i386 `struct msghdr` at `at`.
#[allow(clippy::too_many_arguments, reason = "a structure's fields")]
fn msghdr32(
    g: &mut TestGuest,
    at: u64,
    name: u32,
    namelen: u32,
    iov: u32,
    iovlen: u32,
    control: u32,
    controllen: u32,
    flags: u32,
) {
    g.write_u32(at, name)
        .write_u32(at + 4, namelen)
        .write_u32(at + 8, iov)
        .write_u32(at + 12, iovlen)
        .write_u32(at + 16, control)
        .write_u32(at + 20, controllen)
        .write_u32(at + 24, flags);
}

#[test]
fn sendmsg_with_rights_and_credentials() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"fds");
    // iovec
    g.write_u64(0x2000, 0x1000).write_u64(0x2008, 3);
    // cmsghdr: len 24, SOL_SOCKET, SCM_RIGHTS, fds 0 1
    g.write_u64(0x3000, 24)
        .write_u32(0x3008, 1)
        .write_u32(0x300c, 1)
        .write_u32(0x3010, 0)
        .write_u32(0x3014, 1);
    msghdr64(&mut g, 0x4000, 0, 0, 0x2000, 1, 0x3000, 24, 0);
    assert_eq!(
        line(
            Abi::X86_64,
            "sendmsg",
            [3, 0x4000, 0, 0, 0, 0],
            &mut g,
            Some(3)
        ),
        "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"fds\", iov_len=3}], \
         msg_iovlen=1, msg_control=[{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, \
         cmsg_data=[0, 1]}], msg_controllen=24, msg_flags=0}, 0) = 3"
    );
    // SCM_CREDENTIALS, the control buffer padded to 32.
    g.write_u64(0x3100, 28)
        .write_u32(0x3108, 1)
        .write_u32(0x310c, 2)
        .write_u32(0x3110, 2846)
        .write_u32(0x3114, 0)
        .write_u32(0x3118, u32::MAX);
    msghdr64(&mut g, 0x4100, 0, 0, 0x2000, 1, 0x3100, 32, 0);
    assert_eq!(
        line(
            Abi::X86_64,
            "sendmsg",
            [3, 0x4100, 0, 0, 0, 0],
            &mut g,
            Some(3)
        ),
        "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"fds\", iov_len=3}], \
         msg_iovlen=1, msg_control=[{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, \
         cmsg_data={pid=2846, uid=0, gid=-1}}], msg_controllen=32, msg_flags=0}, 0) = 3"
    );
    // The same in i386's layout: 12-byte cmsghdr, 4-byte alignment.
    let mut h = TestGuest::new();
    h.write(0x1000, b"fds");
    h.write_u32(0x2000, 0x1000).write_u32(0x2004, 3);
    h.write_u32(0x3000, 20)
        .write_u32(0x3004, 1)
        .write_u32(0x3008, 1)
        .write_u32(0x300c, 0)
        .write_u32(0x3010, 1);
    h.write_u32(0x3014, 24)
        .write_u32(0x3018, 1)
        .write_u32(0x301c, 2)
        .write_u32(0x3020, 7)
        .write_u32(0x3024, 8)
        .write_u32(0x3028, 9);
    msghdr32(&mut h, 0x4000, 0, 0, 0x2000, 1, 0x3000, 44, 0x40);
    assert_eq!(
        line(
            Abi::I386,
            "sendmsg",
            [3, 0x4000, 0x4000, 0, 0, 0],
            &mut h,
            Some(3)
        ),
        "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"fds\", iov_len=3}], \
         msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, \
         cmsg_data=[0, 1]}, {cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, \
         cmsg_data={pid=7, uid=8, gid=9}}], msg_controllen=44, msg_flags=MSG_DONTWAIT}, MSG_NOSIGNAL) = 3"
    );
    // A bad buffer inside a good message: its pointer.
    g.write_u64(0x2100, 0x10).write_u64(0x2108, 8);
    g.write(0x5000, &sin(7779, [127, 0, 0, 1]));
    msghdr64(&mut g, 0x4200, 0x5000, 16, 0x2100, 1, 0, 0, 0);
    assert_eq!(
        line(
            Abi::X86_64,
            "sendmsg",
            [5, 0x4200, 0, 0, 0, 0],
            &mut g,
            Some(EFAULT)
        ),
        "sendmsg(5, {msg_name={sa_family=AF_INET, sin_port=htons(7779), \
         sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=0x10, iov_len=8}], \
         msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = -1 EFAULT (Bad address)"
    );
}

#[test]
fn recvmsg_shows_what_was_received() {
    let mut e = TestGuest::new();
    // iovecs {buf, 4} {buf+4, 60}; name buffer; control buffer 256.
    e.write(0x1000, &[0; 64]);
    e.write_u64(0x2000, 0x1000)
        .write_u64(0x2008, 4)
        .write_u64(0x2010, 0x1004)
        .write_u64(0x2018, 60);
    e.write(0x3000, &[0; 256]);
    e.write(0x5000, &[0; 16]);
    msghdr64(&mut e, 0x4000, 0x5000, 16, 0x2000, 2, 0x3000, 256, 0);
    let mut x = e.clone();
    x.write(0x1000, b"datagram\n");
    x.write(0x5000, &sin(59375, [127, 0, 0, 1]));
    // IP_PKTINFO (28 bytes, padded to 32) then IP_TTL (20 bytes, padded to 24).
    x.write_u64(0x3000, 28)
        .write_u32(0x3008, 0)
        .write_u32(0x300c, 8)
        .write_u32(0x3010, 1)
        .write(0x3014, &[127, 0, 0, 1, 127, 0, 0, 1]);
    x.write_u64(0x3020, 20)
        .write_u32(0x3028, 0)
        .write_u32(0x302c, 2)
        .write_u32(0x3030, 64);
    msghdr64(&mut x, 0x4000, 0x5000, 16, 0x2000, 2, 0x3000, 56, 0);
    assert_eq!(
        call(Abi::X86_64, "recvmsg", [3, 0x4000, 0, 0, 0, 0], &e, &x, 9),
        "recvmsg(3, {msg_name={sa_family=AF_INET, sin_port=htons(59375), \
         sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"data\", iov_len=4}, \
         {iov_base=\"gram\\n\", iov_len=60}], msg_iovlen=2, msg_control=[{cmsg_len=28, \
         cmsg_level=SOL_IP, cmsg_type=IP_PKTINFO, cmsg_data={ipi_ifindex=if_nametoindex(\"lo\"), \
         ipi_spec_dst=inet_addr(\"127.0.0.1\"), ipi_addr=inet_addr(\"127.0.0.1\")}}, {cmsg_len=20, \
         cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=[64]}], msg_controllen=56, msg_flags=0}, 0) = 9"
    );
    assert_eq!(
        call(
            Abi::X86_64,
            "recvmsg",
            [3, 0x4000, 0x40, 0, 0, 0],
            &e,
            &x,
            -11
        ),
        "recvmsg(3, {msg_namelen=16}, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)"
    );
    assert_eq!(
        call(
            Abi::X86_64,
            "recvmsg",
            [3, 0x10, 0x40, 0, 0, 0],
            &e,
            &x,
            EFAULT
        ),
        "recvmsg(3, 0x10, MSG_DONTWAIT) = -1 EFAULT (Bad address)"
    );
    // The name grew: given 8, the kernel says 16 (only 8 bytes shown).
    let mut e8 = e.clone();
    msghdr64(&mut e8, 0x4000, 0x5000, 8, 0x2000, 1, 0, 0, 0);
    let mut x8 = x.clone();
    msghdr64(&mut x8, 0x4000, 0x5000, 16, 0x2000, 1, 0, 0, 0x20);
    assert_eq!(
        call(Abi::X86_64, "recvmsg", [3, 0x4000, 0, 0, 0, 0], &e8, &x8, 9),
        "recvmsg(3, {msg_name={sa_family=AF_INET, sa_data=\"\\347\\357\\177\\0\\0\\1\"}, \
         msg_namelen=8 => 16, msg_iov=[{iov_base=\"data\", iov_len=4}], msg_iovlen=1, \
         msg_controllen=0, msg_flags=MSG_TRUNC}, 0) = 9"
    );
}

/// x86_64 `struct mmsghdr[n]` at `at`, each with one iovec at `iov + 16 * k` and the name at
/// `name`.
fn mmsg64(g: &mut TestGuest, at: u64, n: u64, name: u64, iov: u64, lens: &[u32]) {
    for k in 0..n {
        let m = at + 64 * k;
        msghdr64(g, m, name, 16, iov + 16 * k, 1, 0, 0, 0);
        g.write_u32(m + 56, lens.get(k as usize).copied().unwrap_or(0));
    }
}

#[test]
fn mmsg_vectors_with_lengths_and_timeouts() {
    let mut e = TestGuest::new();
    e.write(0x1000, b"one");
    e.write(0x1100, b"three");
    e.write_u64(0x2000, 0x1000)
        .write_u64(0x2008, 3)
        .write_u64(0x2010, 0x1100)
        .write_u64(0x2018, 5);
    e.write(0x5000, &sin(7779, [127, 0, 0, 1]));
    mmsg64(&mut e, 0x3000, 2, 0x5000, 0x2000, &[0, 0]);
    let mut x = e.clone();
    x.write_u32(0x3000 + 56, 3).write_u32(0x3040 + 56, 5);
    let addr = "{sa_family=AF_INET, sin_port=htons(7779), sin_addr=inet_addr(\"127.0.0.1\")}";
    assert_eq!(
        call(Abi::X86_64, "sendmmsg", [5, 0x3000, 2, 0, 0, 0], &e, &x, 2),
        format!(
            "sendmmsg(5, [{{msg_hdr={{msg_name={addr}, msg_namelen=16, msg_iov=[{{iov_base=\"one\", \
             iov_len=3}}], msg_iovlen=1, msg_controllen=0, msg_flags=0}}, msg_len=3}}, \
             {{msg_hdr={{msg_name={addr}, msg_namelen=16, msg_iov=[{{iov_base=\"three\", \
             iov_len=5}}], msg_iovlen=1, msg_controllen=0, msg_flags=0}}, msg_len=5}}], 2, 0) = 2"
        )
    );
    // A failed sendmmsg is still decoded, without msg_len.
    assert_eq!(
        call(
            Abi::X86_64,
            "sendmmsg",
            [99, 0x3000, 1, 0, 0, 0],
            &e,
            &e,
            EBADF
        ),
        format!(
            "sendmmsg(99, [{{msg_hdr={{msg_name={addr}, msg_namelen=16, \
             msg_iov=[{{iov_base=\"one\", iov_len=3}}], msg_iovlen=1, msg_controllen=0, \
             msg_flags=0}}}}], 1, 0) = -1 EBADF (Bad file descriptor)"
        )
    );
    // recvmmsg: the data cut at msg_len, the time left after the return value.
    let mut re = TestGuest::new();
    re.write(0x1000, &[0; 32]);
    re.write_u64(0x2000, 0x1000).write_u64(0x2008, 32);
    re.write(0x5000, &[0; 16]);
    mmsg64(&mut re, 0x3000, 2, 0x5000, 0x2000, &[0, 0]);
    re.write_u64(0x6000, 1).write_u64(0x6008, 0);
    let mut rx = re.clone();
    rx.write(0x1000, b"lastXXXX");
    rx.write_u32(0x3000 + 56, 4);
    rx.write(0x5000, &sin(59375, [127, 0, 0, 1]));
    rx.write_u64(0x6000, 0).write_u64(0x6008, 999386);
    assert_eq!(
        call(
            Abi::X86_64,
            "recvmmsg",
            [3, 0x3000, 2, 0x10000, 0x6000, 0],
            &re,
            &rx,
            1
        ),
        "recvmmsg(3, [{msg_hdr={msg_name={sa_family=AF_INET, sin_port=htons(59375), \
         sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"last\", \
         iov_len=32}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=4}], 2, \
         MSG_WAITFORONE, {tv_sec=1, tv_nsec=0}) = 1 (left {tv_sec=0, tv_nsec=999386})"
    );
    assert_eq!(
        call(
            Abi::X86_64,
            "recvmmsg",
            [3, 0x3000, 2, 0x40, 0, 0],
            &re,
            &rx,
            -11
        ),
        "recvmmsg(3, 0x3000, 2, MSG_DONTWAIT, NULL) = -1 EAGAIN (Resource temporarily unavailable)"
    );
}

#[test]
fn socket_options_by_level() {
    let mut g = TestGuest::new();
    g.write_u32(0x1000, 1);
    g.write_u32(0x1010, 1).write_u32(0x1014, 5);
    g.write(0x1020, b"lo\0");
    g.write(0x1030, &[224, 0, 0, 251, 127, 0, 0, 1]);
    let ip: std::net::Ipv6Addr = "ff02::fb".parse().unwrap();
    g.write(0x1040, &ip.octets()).write_u32(0x1050, 1);
    g.write_u32(0x1060, !1u32);
    g.write(0x1070, &[1, 0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 6, 0, 0]);
    let set = |g: &mut TestGuest, level: u64, name: u64, addr: u64, len: u64| {
        both("setsockopt", [4, level, name, addr, len, 0], g, 0)
    };
    assert_eq!(
        set(&mut g, 1, 2, 0x1000, 4),
        "setsockopt(4, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0"
    );
    assert_eq!(
        set(&mut g, 6, 1, 0x1000, 4),
        "setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0"
    );
    assert_eq!(
        set(&mut g, 1, 13, 0x1010, 8),
        "setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0"
    );
    assert_eq!(
        set(&mut g, 1, 25, 0x1020, 3),
        "setsockopt(4, SOL_SOCKET, SO_BINDTODEVICE, \"lo\\0\", 3) = 0"
    );
    assert_eq!(
        set(&mut g, 0, 35, 0x1030, 8),
        "setsockopt(4, SOL_IP, IP_ADD_MEMBERSHIP, {imr_multiaddr=inet_addr(\"224.0.0.251\"), \
         imr_interface=inet_addr(\"127.0.0.1\")}, 8) = 0"
    );
    assert_eq!(
        set(&mut g, 41, 20, 0x1040, 20),
        "setsockopt(4, SOL_IPV6, IPV6_ADD_MEMBERSHIP, {inet_pton(AF_INET6, \"ff02::fb\", \
         &ipv6mr_multiaddr), ipv6mr_interface=if_nametoindex(\"lo\")}, 20) = 0"
    );
    assert_eq!(
        set(&mut g, 255, 1, 0x1060, 4),
        "setsockopt(4, SOL_RAW, ICMP_FILTER, ~[ICMP_ECHOREPLY], 4) = 0"
    );
    assert_eq!(
        set(&mut g, 263, 1, 0x1070, 16),
        "setsockopt(4, SOL_PACKET, PACKET_ADD_MEMBERSHIP, {mr_ifindex=if_nametoindex(\"lo\"), \
         mr_type=PACKET_MR_PROMISC, mr_alen=6, mr_address=01:02:03:04:05:06}, 16) = 0"
    );
    assert_eq!(
        set(&mut g, 270, 3, 0x1000, 4),
        "setsockopt(4, SOL_NETLINK, NETLINK_PKTINFO, [1], 4) = 0"
    );
    assert_eq!(
        both("setsockopt", [4, 1, 2, 0x10, 4, 0], &mut g, EFAULT),
        "setsockopt(4, SOL_SOCKET, SO_REUSEADDR, 0x10, 4) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        both("setsockopt", [4, 1, 2, 0x1000, 2, 0], &mut g, EINVAL),
        "setsockopt(4, SOL_SOCKET, SO_REUSEADDR, 0x1000, 2) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        both("setsockopt", [4, 999, 5, 0x1000, 4, 0], &mut g, -92),
        "setsockopt(4, 0x3e7 /* SOL_?? */, 5, [1], 4) = -1 ENOPROTOOPT (Protocol not available)"
    );
}

#[test]
fn getsockopt_values_and_lengths() {
    let mut e = TestGuest::new();
    e.write_u32(0x2000, 4).write(0x1000, &[0; 32]);
    let get = |level: u64, name: u64, e: &TestGuest, x: &TestGuest, ret: i64| {
        let a = call(
            Abi::X86_64,
            "getsockopt",
            [4, level, name, 0x1000, 0x2000, 0],
            e,
            x,
            ret,
        );
        let b = call(
            Abi::I386,
            "getsockopt",
            [4, level, name, 0x1000, 0x2000, 0],
            e,
            x,
            ret,
        );
        assert_eq!(a, b);
        a
    };
    let mut x = e.clone();
    x.write_u32(0x1000, 1);
    assert_eq!(
        get(1, 3, &e, &x, 0),
        "getsockopt(4, SOL_SOCKET, SO_TYPE, [1], [4]) = 0"
    );
    x.write_u32(0x1000, 111);
    assert_eq!(
        get(1, 4, &e, &x, 0),
        "getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0"
    );
    let mut e8 = e.clone();
    e8.write_u32(0x2000, 8);
    x.write_u32(0x1000, 2);
    assert_eq!(
        get(1, 39, &e8, &x, 0),
        "getsockopt(4, SOL_SOCKET, SO_DOMAIN, [2], [8 => 4]) = 0"
    );
    let mut x2 = e.clone();
    x2.write_u32(0x2000, 2);
    assert_eq!(
        get(1, 8, &e, &x2, 0),
        "getsockopt(4, SOL_SOCKET, SO_RCVBUF, \"\\x00\\x00\", [4 => 2]) = 0"
    );
    let mut x16 = e.clone();
    x16.write_u32(0x2000, 16).write(0x1000, b"bbr");
    let mut e16 = e.clone();
    e16.write_u32(0x2000, 16);
    assert_eq!(
        get(6, 13, &e16, &x16, 0),
        "getsockopt(4, SOL_TCP, TCP_CONGESTION, \"bbr\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\", [16]) = 0"
    );
    let mut xc = e.clone();
    xc.write_u32(0x2000, 12)
        .write_u32(0x1000, 2846)
        .write_u32(0x1004, 0)
        .write_u32(0x1008, 0);
    let mut ec = e.clone();
    ec.write_u32(0x2000, 12);
    assert_eq!(
        get(1, 17, &ec, &xc, 0),
        "getsockopt(4, SOL_SOCKET, SO_PEERCRED, {pid=2846, uid=0, gid=0}, [12]) = 0"
    );
    let mut xl = e8.clone();
    xl.write_u32(0x1000, 1).write_u32(0x1004, 5);
    assert_eq!(
        get(1, 13, &e8, &xl, 0),
        "getsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, [8]) = 0"
    );
    let mut xs = e8.clone();
    xs.write_u32(0x2000, 8);
    assert_eq!(
        get(263, 6, &e8, &xs, 0),
        "getsockopt(4, SOL_PACKET, PACKET_STATISTICS, {tp_packets=0, tp_drops=0}, [8]) = 0"
    );
    let mut x0 = e8.clone();
    x0.write_u32(0x2000, 0);
    assert_eq!(
        get(270, 9, &e8, &x0, 0),
        "getsockopt(4, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 0x1000, [8 => 0]) = 0"
    );
    assert_eq!(
        get(1, 9999, &e, &e, -92),
        "getsockopt(4, SOL_SOCKET, 0x270f /* SO_??? */, 0x1000, [4]) = -1 ENOPROTOOPT (Protocol not \
         available)"
    );
    assert_eq!(
        call(
            Abi::X86_64,
            "getsockopt",
            [4, 1, 3, 0x1000, 0x10, 0],
            &e,
            &e,
            EFAULT
        ),
        "getsockopt(4, SOL_SOCKET, SO_TYPE, 0x1000, 0x10) = -1 EFAULT (Bad address)"
    );
}

#[test]
fn socket_ioctls() {
    let mut e = TestGuest::new();
    e.write(0x1000, b"lo\0");
    e.write(0x1010, &[0; 24]);
    let mut x = e.clone();
    x.write(0x1010, &[0x49, 0]);
    let io = |abi: Abi, code: u64, e: &TestGuest, x: &TestGuest, ret: i64| {
        call(abi, "ioctl", [3, code, 0x1000, 0, 0, 0], e, x, ret)
    };
    for abi in [Abi::X86_64, Abi::I386] {
        assert_eq!(
            io(abi, 0x8913, &e, &x, 0),
            "ioctl(3, SIOCGIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING}) = 0"
        );
        assert_eq!(
            io(abi, 0x8913, &e, &x, -19),
            "ioctl(3, SIOCGIFFLAGS, {ifr_name=\"lo\"}) = -1 ENODEV (No such device)"
        );
        assert_eq!(
            io(abi, 0x8914, &x, &x, 0),
            "ioctl(3, SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING}) = 0"
        );
        let mut xi = e.clone();
        xi.write_u32(0x1010, 1);
        assert_eq!(
            io(abi, 0x8933, &e, &xi, 0),
            "ioctl(3, SIOCGIFINDEX, {ifr_name=\"lo\", ifr_ifindex=1}) = 0"
        );
        let mut xa = e.clone();
        xa.write(0x1010, &sin(0, [127, 0, 0, 1]));
        assert_eq!(
            io(abi, 0x8915, &e, &xa, 0),
            "ioctl(3, SIOCGIFADDR, {ifr_name=\"lo\", ifr_addr={sa_family=AF_INET, sin_port=htons(0), \
             sin_addr=inet_addr(\"127.0.0.1\")}}) = 0"
        );
        let mut xh = e.clone();
        xh.write(0x1010, &[0x04, 0x03]);
        assert_eq!(
            io(abi, 0x8927, &e, &xh, 0),
            "ioctl(3, SIOCGIFHWADDR, {ifr_name=\"lo\", ifr_hwaddr={sa_family=ARPHRD_LOOPBACK, \
             sa_data=00:00:00:00:00:00}}) = 0"
        );
        let mut en = TestGuest::new();
        en.write(0x1000, &[0; 40]).write_u32(0x1010, 1);
        let mut xn = en.clone();
        xn.write(0x1000, b"lo\0");
        assert_eq!(
            io(abi, 0x8910, &en, &xn, 0),
            "ioctl(3, SIOCGIFNAME, {ifr_ifindex=1, ifr_name=\"lo\"}) = 0"
        );
        assert_eq!(
            call(abi, "ioctl", [3, 0x8933, 0x10, 0, 0, 0], &e, &e, EFAULT),
            "ioctl(3, SIOCGIFINDEX, 0x10) = -1 EFAULT (Bad address)"
        );
        assert_eq!(
            io(abi, 0x8905, &e, &e, -25),
            "ioctl(3, SIOCATMARK, 0x1000) = -1 ENOTTY (Inappropriate ioctl for device)"
        );
    }
    // SIOCGIFCONF: asking the size, then the list.
    let mut c = TestGuest::new();
    c.write_u32(0x2000, 0).write_u64(0x2008, 0);
    let mut cx = c.clone();
    cx.write_u32(0x2000, 80);
    assert_eq!(
        call(
            Abi::X86_64,
            "ioctl",
            [3, 0x8912, 0x2000, 0, 0, 0],
            &c,
            &cx,
            0
        ),
        "ioctl(3, SIOCGIFCONF, {ifc_len=80 /* 2 * sizeof(struct ifreq) */, ifc_buf=NULL}) = 0"
    );
    let mut l = TestGuest::new();
    l.write_u32(0x2000, 160).write_u64(0x2008, 0x3000);
    l.write(0x3000, &[0; 160]);
    let mut lx = l.clone();
    lx.write_u32(0x2000, 40);
    lx.write(0x3000, b"lo\0")
        .write(0x3010, &sin(0, [127, 0, 0, 1]));
    assert_eq!(
        call(
            Abi::X86_64,
            "ioctl",
            [3, 0x8912, 0x2000, 0, 0, 0],
            &l,
            &lx,
            0
        ),
        "ioctl(3, SIOCGIFCONF, {ifc_len=160 /* 4 * sizeof(struct ifreq) */ => 40 /* 1 * sizeof(struct \
         ifreq) */, ifc_buf=[{ifr_name=\"lo\", ifr_addr={sa_family=AF_INET, sin_port=htons(0), \
         sin_addr=inet_addr(\"127.0.0.1\")}}]}) = 0"
    );
    // i386: a 32-byte ifreq.
    let mut l32 = TestGuest::new();
    l32.write_u32(0x2000, 128).write_u32(0x2004, 0x3000);
    l32.write(0x3000, &[0; 128]);
    let mut l32x = l32.clone();
    l32x.write_u32(0x2000, 64);
    l32x.write(0x3000, b"lo\0")
        .write(0x3010, &sin(0, [127, 0, 0, 1]));
    l32x.write(0x3020, b"eth0\0")
        .write(0x3030, &sin(0, [192, 0, 2, 2]));
    assert_eq!(
        call(
            Abi::I386,
            "ioctl",
            [3, 0x8912, 0x2000, 0, 0, 0],
            &l32,
            &l32x,
            0
        ),
        "ioctl(3, SIOCGIFCONF, {ifc_len=128 /* 4 * sizeof(struct ifreq) */ => 64 /* 2 * sizeof(struct \
         ifreq) */, ifc_buf=[{ifr_name=\"lo\", ifr_addr={sa_family=AF_INET, sin_port=htons(0), \
         sin_addr=inet_addr(\"127.0.0.1\")}}, {ifr_name=\"eth0\", ifr_addr={sa_family=AF_INET, \
         sin_port=htons(0), sin_addr=inet_addr(\"192.0.2.2\")}}]}) = 0"
    );
    // Other ioctls are not this family's.
    let mut t = TestGuest::new();
    t.write_u32(0x1000, 1);
    assert_eq!(
        line(
            Abi::X86_64,
            "ioctl",
            [3, 0x5421, 0x1000, 0, 0, 0],
            &mut t,
            Some(0)
        ),
        "ioctl(3, FIONBIO, [1]) = 0"
    );
}

/// The messages of the host run (`NETLINK_USERSOCK`, which strace decodes like a socket of
/// unknown protocol): a request and a `NLMSG_DONE`, then an extended acknowledgement.
fn netlink_messages() -> (Vec<u8>, Vec<u8>) {
    let hdr = |len: u32, ty: u16, flags: u16, seq: u32, pid: u32| {
        let mut b = len.to_le_bytes().to_vec();
        b.extend_from_slice(&ty.to_le_bytes());
        b.extend_from_slice(&flags.to_le_bytes());
        b.extend_from_slice(&seq.to_le_bytes());
        b.extend_from_slice(&pid.to_le_bytes());
        b
    };
    let mut two = hdr(20, 0x12, 0x301, 1, 0);
    two.extend_from_slice(&[0, 1, 0x0d, 0xb8]);
    two.extend(hdr(20, 3, 2, 1, 1111));
    two.extend_from_slice(&7i32.to_le_bytes());
    let mut ack = hdr(80, 2, 0x300, 2, 0);
    ack.extend_from_slice(&(-22i32).to_le_bytes());
    ack.extend(hdr(36, 0x10, 5, 2, 0));
    let attr = |len: u16, ty: u16, data: &[u8]| {
        let mut b = len.to_le_bytes().to_vec();
        b.extend_from_slice(&ty.to_le_bytes());
        b.extend_from_slice(data);
        b.resize((b.len() + 3) & !3, 0);
        b
    };
    ack.extend(attr(18, 1, b"bad attribute\0"));
    ack.extend(attr(8, 2, &24u32.to_le_bytes()));
    ack.extend(attr(7, 3, &[1, 2, 3]));
    ack.extend(attr(6, 0x8009, &[0xaa, 0xbb]));
    assert_eq!(ack.len(), 80);
    (two, ack)
}

#[test]
fn netlink_messages_to_and_from_netlink_addresses() {
    let (two, ack) = netlink_messages();
    let mut g = TestGuest::new();
    g.write(0x1000, &two).write(0x2000, &ack);
    let mut nl = vec![16, 0, 0, 0];
    nl.extend_from_slice(&2222u32.to_le_bytes());
    nl.extend_from_slice(&0u32.to_le_bytes());
    g.write(0x3000, &nl);
    let to = "{sa_family=AF_NETLINK, nl_pid=2222, nl_groups=00000000}";
    let two_text = "[[{nlmsg_len=20, nlmsg_type=0x12 /* NLMSG_??? */, nlmsg_flags=NLM_F_REQUEST|0x300, \
                    nlmsg_seq=1, nlmsg_pid=0}, \"\\x00\\x01\\x0d\\xb8\"], [{nlmsg_len=20, \
                    nlmsg_type=NLMSG_DONE, nlmsg_flags=NLM_F_MULTI, nlmsg_seq=1, nlmsg_pid=1111}, 7]]";
    let ack_text = "[{nlmsg_len=80, nlmsg_type=NLMSG_ERROR, nlmsg_flags=NLM_F_CAPPED|NLM_F_ACK_TLVS, \
                    nlmsg_seq=2, nlmsg_pid=0}, [{error=-EINVAL, msg={nlmsg_len=36, nlmsg_type=0x10 /* \
                    NLMSG_??? */, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK, nlmsg_seq=2, nlmsg_pid=0}}, \
                    [[{nla_len=18, nla_type=NLMSGERR_ATTR_MSG}, \"bad attribute\"], [{nla_len=8, \
                    nla_type=NLMSGERR_ATTR_OFFS}, 24], [{nla_len=7, nla_type=NLMSGERR_ATTR_COOKIE}, [1, \
                    2, 3]], [{nla_len=6, nla_type=NLA_F_NESTED|0x9 /* NLMSGERR_ATTR_??? */}, \
                    \"\\xaa\\xbb\"]]]]";
    assert_eq!(
        both("sendto", [3, 0x1000, 40, 0, 0x3000, 12], &mut g, 40),
        format!("sendto(3, {two_text}, 40, 0, {to}, 12) = 40")
    );
    assert_eq!(
        both("sendto", [3, 0x2000, 80, 0, 0x3000, 12], &mut g, 80),
        format!("sendto(3, {ack_text}, 80, 0, {to}, 12) = 80")
    );
    assert_eq!(
        both("sendto", [3, 0x1000, 10, 0, 0x3000, 12], &mut g, 10),
        format!(
            "sendto(3, \"\\x14\\x00\\x00\\x00\\x12\\x00\\x01\\x03\\x01\\x00\", 10, 0, {to}, 12) = 10"
        )
    );
    // More messages than -s: the first 32, then `...`.
    let mut many = Vec::new();
    for i in 0..40u32 {
        many.extend_from_slice(&16u32.to_le_bytes());
        // NLMSG_NOOP, no flags
        many.extend_from_slice(&[1, 0, 0, 0]);
        many.extend_from_slice(&i.to_le_bytes());
        many.extend_from_slice(&[0, 0, 0, 0]);
    }
    g.write(0x4000, &many);
    let noops: Vec<String> = (0..32)
        .map(|i| {
            format!(
                "{{nlmsg_len=16, nlmsg_type=NLMSG_NOOP, nlmsg_flags=0, nlmsg_seq={i}, nlmsg_pid=0}}"
            )
        })
        .collect();
    assert_eq!(
        both("sendto", [3, 0x4000, 640, 0, 0x3000, 12], &mut g, 640),
        format!(
            "sendto(3, [{}, ...], 640, 0, {to}, 12) = 640",
            noops.join(", ")
        )
    );
    // The same bytes to a socket of another family are a string.
    g.write(0x5000, &sin(7779, [127, 0, 0, 1]));
    assert!(
        both("sendto", [3, 0x1000, 10, 0, 0x5000, 16], &mut g, 10)
            .starts_with("sendto(3, \"\\24\\0")
    );

    // Received: recvfrom's source and recvmsg's name say netlink.
    let mut e = TestGuest::new();
    e.write(0x1000, &[0; 1024])
        .write(0x3000, &[0; 12])
        .write_u32(0x3800, 12);
    let mut x = e.clone();
    x.write(0x1000, &two);
    let mut from = nl.clone();
    from[4..8].copy_from_slice(&1111u32.to_le_bytes());
    x.write(0x3000, &from);
    let src = "{sa_family=AF_NETLINK, nl_pid=1111, nl_groups=00000000}";
    for abi in [Abi::X86_64, Abi::I386] {
        assert_eq!(
            call(
                abi,
                "recvfrom",
                [4, 0x1000, 1024, 0, 0x3000, 0x3800],
                &e,
                &x,
                40
            ),
            format!("recvfrom(4, {two_text}, 1024, 0, {src}, [12]) = 40")
        );
    }
    e.write_u64(0x6000, 0x1000).write_u64(0x6008, 1024);
    msghdr64(&mut e, 0x7000, 0x3000, 12, 0x6000, 1, 0, 0, 0);
    let mut x = e.clone();
    x.write(0x1000, &ack).write(0x3000, &from);
    assert_eq!(
        call(Abi::X86_64, "recvmsg", [4, 0x7000, 0, 0, 0, 0], &e, &x, 80),
        format!(
            "recvmsg(4, {{msg_name={src}, msg_namelen=12, msg_iov=[{{iov_base={ack_text}, \
             iov_len=1024}}], msg_iovlen=1, msg_controllen=0, msg_flags=0}}, 0) = 80"
        )
    );
}

#[test]
fn netlink_data_without_an_address_is_told_by_its_shape() {
    // Lines of strace in the guest (net-misc): a netlink socket used with send/recv, no address.
    let mut req = 24u32.to_le_bytes().to_vec();
    req.extend_from_slice(&[0x16, 0, 0x01, 0x03]);
    req.extend_from_slice(&2u32.to_le_bytes());
    req.extend_from_slice(&0u32.to_le_bytes());
    req.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 0]);
    let mut g = TestGuest::new();
    g.write(0x1000, &req);
    assert_eq!(
        both("sendto", [3, 0x1000, 24, 0, 0, 0], &mut g, 24),
        "sendto(3, [{nlmsg_len=24, nlmsg_type=0x16 /* NLMSG_??? */, nlmsg_flags=NLM_F_REQUEST|0x300, \
         nlmsg_seq=2, nlmsg_pid=0}, \"\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\"], 24, 0, NULL, 0) = 24"
    );
    let mut done = 20u32.to_le_bytes().to_vec();
    done.extend_from_slice(&[3, 0, 2, 0]);
    done.extend_from_slice(&2u32.to_le_bytes());
    done.extend_from_slice(&187u32.to_le_bytes());
    done.extend_from_slice(&0u32.to_le_bytes());
    let mut e = TestGuest::new();
    e.write(0x2000, &[0; 64]);
    let mut x = e.clone();
    x.write(0x2000, &done);
    for abi in [Abi::X86_64, Abi::I386] {
        assert_eq!(
            call(abi, "recvfrom", [3, 0x2000, 32768, 0, 0, 0], &e, &x, 20),
            "recvfrom(3, [{nlmsg_len=20, nlmsg_type=NLMSG_DONE, nlmsg_flags=NLM_F_MULTI, nlmsg_seq=2, \
             nlmsg_pid=187}, 0], 32768, 0, NULL, NULL) = 20"
        );
    }
    // Data that is not a chain of messages filling it exactly stays a string: too short, a length
    // that does not fit, text, a chain that leaves bytes over.
    g.write(0x3000, &req[..10]);
    assert!(
        both("sendto", [3, 0x3000, 10, 0, 0, 0], &mut g, 10).starts_with("sendto(3, \"\\30\\0")
    );
    assert!(
        both("sendto", [3, 0x1000, 23, 0, 0, 0], &mut g, 23).starts_with("sendto(3, \"\\30\\0")
    );
    g.write(0x4000, b"hello over tcp, a long string\n");
    assert!(both("sendto", [3, 0x4000, 30, 0, 0, 0], &mut g, 30).starts_with("sendto(3, \"hello"));
    g.write(0x5000, &req).write(0x5018, &[1, 2, 3, 4]);
    assert!(
        both("sendto", [3, 0x5000, 28, 0, 0, 0], &mut g, 28).starts_with("sendto(3, \"\\30\\0")
    );
    // An address of another family says it is not netlink, whatever the data.
    g.write(0x6000, &sin(7779, [127, 0, 0, 1]));
    assert!(
        both("sendto", [3, 0x1000, 24, 0, 0x6000, 16], &mut g, 24)
            .starts_with("sendto(3, \"\\30\\0")
    );
}

#[test]
fn the_other_families_strace_decodes() {
    // Lines of strace 6.1 on the host, `connect` of each buffer on a UDP socket (the decoding does
    // not depend on the socket).
    let cases: &[(u64, &[u8], &str)] = &[
        (
            16,
            &[3, 0, 172, 130, 102, 176, 178, 180, 8, 0, 0, 0, 0, 0, 0, 0],
            "{sa_family=AF_AX25, sax25_call=VA3XYZ-4, sax25_ndigis=0}",
        ),
        (
            30,
            &[
                3, 0, 172, 130, 102, 176, 178, 180, 8, 0, 0, 0, 2, 0, 0, 0, 136, 146, 142, 146, 98,
                64, 0, 64, 64, 64, 64, 64, 64, 0,
            ],
            "{sa_family=AF_AX25, fsa_ax25={sax25_call=VA3XYZ-4, sax25_ndigis=2}, fsa_digipeater=[DIGI1-0, *]}",
        ),
        (
            26,
            &[
                3, 0, 172, 130, 102, 176, 178, 180, 8, 0, 0, 0, 2, 0, 0, 0, 136, 146, 142, 146, 98,
                64, 0, 64, 64, 64,
            ],
            "{sa_family=AF_AX25, fsa_ax25={sax25_call=VA3XYZ-4, sax25_ndigis=2}, fsa_digipeater=[DIGI1-0, ...], ...}",
        ),
        (
            36,
            &[
                3, 0, 172, 130, 102, 176, 178, 180, 8, 0, 0, 0, 2, 0, 0, 0, 136, 146, 142, 146, 98,
                64, 0, 64, 64, 64, 64, 64, 64, 0, 0, 0, 0, 0, 0, 0,
            ],
            "{sa_family=AF_AX25, fsa_ax25={sax25_call=VA3XYZ-4, sax25_ndigis=2}, fsa_digipeater=[DIGI1-0, *], ...}",
        ),
        (
            16,
            &[3, 0, 173, 130, 102, 176, 178, 180, 8, 0, 0, 0, 0, 0, 0, 0],
            "{sa_family=AF_AX25, sax25_call={ax25_call=\"\\xad\\x82\\x66\\xb0\\xb2\\xb4\\x08\"} /* VA3XYZ-4 */, sax25_ndigis=0}",
        ),
        (
            16,
            &[3, 0, 1, 130, 102, 176, 178, 180, 8, 0, 0, 0, 0, 0, 0, 0],
            "{sa_family=AF_AX25, sax25_call={ax25_call=\"\\x01\\x82\\x66\\xb0\\xb2\\xb4\\x08\"}, sax25_ndigis=0}",
        ),
        (
            4,
            &[31, 0, 5, 0],
            "{sa_family=AF_BLUETOOTH, hci_dev=htobs(5)}",
        ),
        (
            6,
            &[31, 0, 5, 0, 2, 0],
            "{sa_family=AF_BLUETOOTH, hci_dev=htobs(5), hci_channel=HCI_CHANNEL_MONITOR}",
        ),
        (
            5,
            &[31, 0, 5, 0, 2],
            "{sa_family=AF_BLUETOOTH, sa_data=\"\\5\\0\\2\"}",
        ),
        (
            8,
            &[31, 0, 1, 2, 3, 4, 5, 6],
            "{sa_family=AF_BLUETOOTH, sco_bdaddr=01:02:03:04:05:06}",
        ),
        (
            10,
            &[31, 0, 1, 2, 3, 4, 5, 6, 7, 0],
            "{sa_family=AF_BLUETOOTH, rc_bdaddr=01:02:03:04:05:06, rc_channel=7}",
        ),
        (
            12,
            &[31, 0, 3, 0, 170, 187, 204, 221, 238, 255, 65, 0],
            "{sa_family=AF_BLUETOOTH, l2_psm=htobs(L2CAP_PSM_RFCOMM), l2_bdaddr=aa:bb:cc:dd:ee:ff, l2_cid=htobs(L2CAP_CID_DYN_START+1)}",
        ),
        (
            14,
            &[31, 0, 3, 0, 170, 187, 204, 221, 238, 255, 65, 0, 1, 0],
            "{sa_family=AF_BLUETOOTH, l2_psm=htobs(L2CAP_PSM_RFCOMM), l2_bdaddr=aa:bb:cc:dd:ee:ff, l2_cid=htobs(L2CAP_CID_DYN_START+1), l2_bdaddr_type=BDADDR_LE_PUBLIC}",
        ),
        (
            14,
            &[31, 0, 133, 0, 170, 187, 204, 221, 238, 255, 16, 0, 9, 0],
            "{sa_family=AF_BLUETOOTH, l2_psm=htobs(L2CAP_PSM_LE_DYN_START+5), l2_bdaddr=aa:bb:cc:dd:ee:ff, l2_cid=htobs(0x10 /* L2CAP_CID_??? */), l2_bdaddr_type=0x9 /* BDADDR_??? */}",
        ),
        (
            14,
            &[31, 0, 5, 16, 170, 187, 204, 221, 238, 255, 127, 0, 9, 0],
            "{sa_family=AF_BLUETOOTH, l2_psm=htobs(L2CAP_PSM_DYN_START+4), l2_bdaddr=aa:bb:cc:dd:ee:ff, l2_cid=htobs(L2CAP_CID_LE_DYN_END), l2_bdaddr_type=0x9 /* BDADDR_??? */}",
        ),
        (
            14,
            &[31, 0, 5, 0, 170, 187, 204, 221, 238, 255, 64, 0, 9, 0],
            "{sa_family=AF_BLUETOOTH, l2_psm=htobs(0x5 /* L2CAP_PSM_??? */), l2_bdaddr=aa:bb:cc:dd:ee:ff, l2_cid=htobs(L2CAP_CID_DYN_START), l2_bdaddr_type=0x9 /* BDADDR_??? */}",
        ),
        (
            36,
            &[
                33, 0, 1, 0, 2, 0, 16, 0, 2, 0, 30, 97, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            "{sa_family=AF_RXRPC, srx_service=0x1 /* CM_SERVICE */, transport_type=SOCK_DGRAM, transport_len=16, transport={sin={sin_family=AF_INET, sin_port=htons(7777), sin_addr=inet_addr(\"127.0.0.1\")}}}",
        ),
        (
            36,
            &[
                33, 0, 1, 0, 2, 0, 8, 0, 2, 0, 30, 97, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            "{sa_family=AF_RXRPC, srx_service=0x1 /* CM_SERVICE */, transport_type=SOCK_DGRAM, transport_len=8, transport={sin={sin_family=AF_INET, \"\\36a\\177\\0\\0\\1\"}}}",
        ),
        (
            36,
            &[
                33, 0, 77, 0, 2, 0, 28, 0, 10, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
            ],
            "{sa_family=AF_RXRPC, srx_service=0x4d /* ???_SERVICE */, transport_type=SOCK_DGRAM, transport_len=28, transport={sin6={sin6_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}}}",
        ),
        (
            40,
            &[
                33, 0, 77, 0, 2, 0, 28, 0, 10, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            "{sa_family=AF_RXRPC, srx_service=0x4d /* ???_SERVICE */, transport_type=SOCK_DGRAM, transport_len=28, transport={sin6={sin6_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}}}",
        ),
        (
            36,
            &[
                33, 0, 77, 0, 2, 0, 5, 0, 99, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
            ],
            "{sa_family=AF_RXRPC, srx_service=0x4d /* ???_SERVICE */, transport_type=SOCK_DGRAM, transport_len=5, transport={family=0x63 /* AF_??? */, \"\\0P\\0\"}}",
        ),
        (
            20,
            &[
                36, 0, 0, 0, 2, 0, 0, 0, 255, 255, 254, 255, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            "{sa_family=AF_IEEE802154, addr={addr_type=0x2 /* IEEE802154_ADDR_SHORT */, pan_id=0xffff /* IEEE802154_PANID_BROADCAST */, short_addr=0xfffe /* IEEE802154_ADDR_UNDEF */}}",
        ),
        (
            20,
            &[
                36, 0, 0, 0, 3, 0, 0, 0, 52, 18, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0,
            ],
            "{sa_family=AF_IEEE802154, addr={addr_type=0x3 /* IEEE802154_ADDR_LONG */, pan_id=0x1234, hwaddr=01:02:03:04:05:06:07:08}}",
        ),
        (
            20,
            &[
                36, 0, 0, 0, 0, 0, 0, 0, 52, 18, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0,
            ],
            "{sa_family=AF_IEEE802154, addr={addr_type=0 /* IEEE802154_ADDR_NONE */, pan_id=0x1234}}",
        ),
        (
            20,
            &[
                36, 0, 0, 0, 9, 0, 0, 0, 52, 18, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0,
            ],
            "{sa_family=AF_IEEE802154, addr={addr_type=0x9 /* IEEE802154_ADDR_??? */, pan_id=0x1234, hwaddr=01:02:03:04:05:06:07:08}}",
        ),
        (
            16,
            &[39, 0, 0, 0, 1, 0, 0, 0, 66, 0, 0, 0, 5, 0, 0, 0],
            "{sa_family=AF_NFC, dev_idx=if_nametoindex(\"lo\"), target_idx=0x42, nfc_protocol=NFC_PROTO_NFC_DEP}",
        ),
        (
            20,
            &[39, 0, 0, 0, 1, 0, 0, 0, 66, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0],
            "{sa_family=AF_NFC, dev_idx=if_nametoindex(\"lo\"), target_idx=0x42, nfc_protocol=NFC_PROTO_NFC_DEP, ...}",
        ),
    ];
    for &(len, bytes, text) in cases {
        let mut g = TestGuest::new();
        g.write(0x1000, bytes);
        assert_eq!(
            both("connect", [3, 0x1000, len, 0, 0, 0], &mut g, 0),
            format!("connect(3, {text}, {len}) = 0")
        );
    }
    // NFC's LLCP address: its service name length is a size_t (96 bytes in all on x86_64, 88 on
    // i386).
    let llcp = |abi: Abi| {
        let mut b = vec![0u8; 96];
        b[0] = 39;
        b[4] = 1;
        b[8] = 0x42;
        b[12] = 5;
        b[16] = 1;
        b[17] = 0x40;
        b[18..33].copy_from_slice(b"urn:nfc:sn:snep");
        let (at, len) = if abi == Abi::X86_64 {
            (88, 96)
        } else {
            (84, 88)
        };
        b[at] = 15;
        let mut g = TestGuest::new();
        g.write(0x1000, &b);
        line(abi, "connect", [3, 0x1000, len, 0, 0, 0], &mut g, Some(0))
    };
    let text = "{sa_family=AF_NFC, dev_idx=if_nametoindex(\"lo\"), target_idx=0x42, \
                nfc_protocol=NFC_PROTO_NFC_DEP, dsap=0x1 /* LLCP_SAP_SDP */, ssap=0x40, \
                service_name=\"urn:nfc:sn:snep\", service_name_len=15}";
    assert_eq!(llcp(Abi::X86_64), format!("connect(3, {text}, 96) = 0"));
    assert_eq!(llcp(Abi::I386), format!("connect(3, {text}, 88) = 0"));
}

#[test]
fn socket_filters_show_their_length_and_program_address() {
    let mut g = TestGuest::new();
    g.write(0x1000, &[1, 0, 0, 0, 0, 0, 0, 0])
        .write_u64(0x1008, 0x2000);
    g.write(0x3000, &[1, 0, 0, 0]).write_u32(0x3004, 0x2000);
    assert_eq!(
        line(
            Abi::X86_64,
            "setsockopt",
            [3, 1, 26, 0x1000, 16, 0],
            &mut g,
            Some(0)
        ),
        "setsockopt(3, SOL_SOCKET, SO_ATTACH_FILTER, {len=1, filter=0x2000}, 16) = 0"
    );
    assert_eq!(
        line(
            Abi::I386,
            "setsockopt",
            [3, 1, 26, 0x3000, 8, 0],
            &mut g,
            Some(0)
        ),
        "setsockopt(3, SOL_SOCKET, SO_ATTACH_FILTER, {len=1, filter=0x2000}, 8) = 0"
    );
    assert_eq!(
        line(
            Abi::X86_64,
            "setsockopt",
            [3, 1, 26, 0x1000, 3, 0],
            &mut g,
            Some(EINVAL)
        ),
        "setsockopt(3, SOL_SOCKET, SO_ATTACH_FILTER, 0x1000, 3) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        line(
            Abi::X86_64,
            "setsockopt",
            [3, 1, 26, 0x10, 16, 0],
            &mut g,
            Some(EFAULT)
        ),
        "setsockopt(3, SOL_SOCKET, SO_ATTACH_FILTER, 0x10, 16) = -1 EFAULT (Bad address)"
    );
    let mut e = TestGuest::new();
    e.write_u32(0x4000, 64).write(0x5000, &[0; 64]);
    let mut x = e.clone();
    x.write_u32(0x4000, 1);
    assert_eq!(
        call(
            Abi::X86_64,
            "getsockopt",
            [3, 1, 26, 0x5000, 0x4000, 0],
            &e,
            &x,
            0
        ),
        "getsockopt(3, SOL_SOCKET, SO_GET_FILTER, 0x5000, [64 => 1]) = 0"
    );
}

#[test]
fn socketcall_with_unreadable_arguments_names_its_operation() {
    // strace's own test (socketcall.c) in the guest.
    let mut g = TestGuest::new();
    assert_eq!(
        line(
            Abi::I386,
            "socketcall",
            [2, 0xf7f0_f000, 0, 0, 0, 0],
            &mut g,
            Some(EFAULT)
        ),
        "socketcall(SYS_BIND, 0xf7f0f000) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        line(
            Abi::I386,
            "socketcall",
            [21, 0xf7f0_f000, 0, 0, 0, 0],
            &mut g,
            Some(EINVAL)
        ),
        "socketcall(21, 0xf7f0f000) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        line(
            Abi::I386,
            "socketcall",
            [0xffff_fffe, 0xf7f0_f000, 0, 0, 0, 0],
            &mut g,
            Some(EINVAL)
        ),
        "socketcall(-2, 0xf7f0f000) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        line(
            Abi::I386,
            "socketcall",
            [0, 0, 0, 0, 0, 0],
            &mut g,
            Some(EINVAL)
        ),
        "socketcall(0, NULL) = -1 EINVAL (Invalid argument)"
    );
    // A bridge name running into an unmapped page is the pointer.
    g.write(0x1ff1, b"123456789012345");
    assert_eq!(
        line(
            Abi::X86_64,
            "ioctl",
            [u64::from(u32::MAX), 0x89a0, 0x1ff1, 0, 0, 0],
            &mut g,
            Some(EBADF)
        ),
        "ioctl(-1, SIOCBRADDBR, 0x1ff1) = -1 EBADF (Bad file descriptor)"
    );
    g.write(0x3000, b"br0\0");
    assert_eq!(
        line(
            Abi::X86_64,
            "ioctl",
            [3, 0x89a0, 0x3000, 0, 0, 0],
            &mut g,
            Some(0)
        ),
        "ioctl(3, SIOCBRADDBR, \"br0\") = 0"
    );
}
