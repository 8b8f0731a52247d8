//! The socket mapping over synthetic calls: addresses of every family it names, the calls that
//! carry them at entry or at exit, and hostile memory.

use super::*;
use vmscope_core::event::Abi;
use vmscope_core::guest::TestGuest;

/// Call `nr` of `abi` returning `ret`, its memory captured from `g`.
fn ev(g: &mut TestGuest, abi: Abi, nr: u64, raw: [u64; 6], ret: i64) -> SyscallEvent {
    crate::testing::returned_call(g, abi, nr, raw, ret)
}

fn in4(port: u16, a: [u8; 4]) -> Vec<u8> {
    let mut b = vec![2, 0];
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&a);
    b.extend_from_slice(&[0; 8]);
    b
}

fn in6(port: u16, a: [u8; 16], scope: u32) -> Vec<u8> {
    let mut b = vec![10, 0];
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&a);
    b.extend_from_slice(&scope.to_le_bytes());
    b
}

fn un(path: &[u8]) -> Vec<u8> {
    let mut b = vec![1, 0];
    b.extend_from_slice(path);
    b
}

#[test]
fn addresses_read_as_users_write_them() {
    assert_eq!(
        format_sockaddr(&in4(7777, [127, 0, 0, 1])).as_deref(),
        Some("127.0.0.1:7777")
    );
    let mut lo6 = [0u8; 16];
    lo6[15] = 1;
    assert_eq!(
        format_sockaddr(&in6(7778, lo6, 0)).as_deref(),
        Some("[::1]:7778")
    );
    let mut ll = [0u8; 16];
    ll[0] = 0xfe;
    ll[1] = 0x80;
    ll[15] = 1;
    assert_eq!(
        format_sockaddr(&in6(80, ll, 2)).as_deref(),
        Some("[fe80::1%2]:80")
    );
    assert_eq!(
        format_sockaddr(&un(b"/tmp/x.sock\0")).as_deref(),
        Some("/tmp/x.sock")
    );
    assert_eq!(
        format_sockaddr(&un(b"\0abs\0x")).as_deref(),
        Some("@abs\\0x")
    );
    assert_eq!(format_sockaddr(&un(b"")).as_deref(), Some("unnamed"));
    let nl = [16u8, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0];
    assert_eq!(
        format_sockaddr(&nl).as_deref(),
        Some("netlink:pid=5,groups=0x1")
    );
    // Too short for the family, or no family at all: nothing.
    assert_eq!(format_sockaddr(&[2, 0, 0, 80]), None);
    assert_eq!(format_sockaddr(&[10, 0, 0, 80, 0, 0, 0, 0]), None);
    assert_eq!(format_sockaddr(&[1]), None);
    assert_eq!(format_sockaddr(&[99, 0]).as_deref(), Some("af_99:?"));
}

#[test]
fn kinds_are_named_by_family_and_type() {
    let k = |family, ty, proto| SockKind { family, ty, proto };
    assert_eq!(
        (k(2, 1, 0).family_name(), k(2, 1, 0).proto_name()),
        ("inet".into(), "tcp".into())
    );
    assert_eq!(k(10, 2, 17).proto_name(), "udp");
    assert_eq!(k(2, 3, 1).proto_name(), "raw");
    assert_eq!(k(1, 5, 0).proto_name(), "seqpacket");
    assert_eq!(k(1, 2, 0).proto_name(), "dgram");
    assert_eq!(k(16, 3, 0).proto_name(), "route");
    assert_eq!(k(17, 3, 0x300).family_name(), "packet");
}

#[test]
fn addresses_come_from_entry_for_inputs_and_exit_for_outputs() {
    let mut g = TestGuest::new();
    // connect(3, {127.0.0.1:7777}, 16) = -1 EINPROGRESS: the peer is still there.
    g.write(0x1000, &in4(7777, [127, 0, 0, 1]));
    let e = ev(&mut g, Abi::X86_64, 42, [3, 0x1000, 16, 0, 0, 0], -115);
    let c = sock_calls(&e, &mut g);
    assert_eq!(c.len(), 1);
    assert_eq!(
        c[0].op,
        SockOp::Connect {
            addr: Some("127.0.0.1:7777".into())
        }
    );
    assert_eq!(c[0].error.as_deref(), Some("EINPROGRESS"));
    // accept4(3, addr, &len, 0) = 5: the peer the kernel wrote.
    g.write(
        0x2000,
        &in6(40000, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0),
    );
    g.write_u32(0x3000, 28);
    let e = ev(&mut g, Abi::X86_64, 288, [3, 0x2000, 0x3000, 0, 0, 0], 5);
    assert_eq!(
        sock_calls(&e, &mut g)[0].op,
        SockOp::Accept {
            new: Some(5),
            peer: Some("[::1]:40000".into()),
            cloexec: false
        }
    );
    // sendto(4, buf, 10, 0, {127.0.0.1:53}, 16) = 10.
    g.write(0x4000, &in4(53, [127, 0, 0, 1]));
    g.write(0x5000, &[b'x'; 10]);
    let e = ev(&mut g, Abi::X86_64, 44, [4, 0x5000, 10, 0, 0x4000, 16], 10);
    assert_eq!(
        sock_calls(&e, &mut g)[0].op,
        SockOp::Send {
            bytes: Some(10),
            to: Some("127.0.0.1:53".into())
        }
    );
    // recvmsg(4, {msg_name=..., msg_namelen=16}, 0) = 7.
    g.write(0x6000, &in4(9999, [10, 0, 0, 2]));
    g.write_u64(0x7000, 0x6000).write_u32(0x7008, 16);
    let e = ev(&mut g, Abi::X86_64, 47, [4, 0x7000, 0, 0, 0, 0], 7);
    assert_eq!(
        sock_calls(&e, &mut g)[0].op,
        SockOp::Recv {
            bytes: Some(7),
            from: Some("10.0.0.2:9999".into())
        }
    );
    // sendmmsg(4, vec, 2, 0) = 2: the bytes are the sum of msg_len.
    g.write_u64(0x8000, 0).write_u32(0x8000 + 56, 3);
    g.write_u64(0x8040, 0).write_u32(0x8040 + 56, 4);
    let e = ev(&mut g, Abi::X86_64, 307, [4, 0x8000, 2, 0, 0, 0], 2);
    assert_eq!(
        sock_calls(&e, &mut g)[0].op,
        SockOp::Send {
            bytes: Some(7),
            to: None
        }
    );
    // socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [6, 7]).
    g.write_u32(0x9000, 6).write_u32(0x9004, 7);
    let e = ev(&mut g, Abi::X86_64, 53, [1, 0x80001, 0, 0x9000, 0, 0], 0);
    assert_eq!(
        sock_calls(&e, &mut g)[0].op,
        SockOp::New {
            fds: vec![6, 7],
            kind: SockKind {
                family: 1,
                ty: 1,
                proto: 0
            },
            cloexec: true
        }
    );
    // i386 socketcall(SYS_CONNECT, {5, addr, 110}): the call it stands for.
    g.write(0xa000, &un(b"\0x.sock"));
    g.write_u32(0xb000, 5)
        .write_u32(0xb004, 0xa000)
        .write_u32(0xb008, 9);
    let e = ev(&mut g, Abi::I386, 102, [3, 0xb000, 0, 0, 0, 0], 0);
    let c = sock_calls(&e, &mut g);
    assert_eq!(c[0].fd, 5);
    assert_eq!(
        c[0].op,
        SockOp::Connect {
            addr: Some("@x.sock".into())
        }
    );
}

#[test]
fn junk_gives_no_address_and_never_panics() {
    let mut g = TestGuest::new();
    // Unreadable addresses, huge lengths, lengths under a family's need, random bytes.
    for (addr, len) in [
        (0xdead_0000u64, 16u64),
        (0, 16),
        (0x1000, 1),
        (0x1000, u64::MAX),
    ] {
        let e = ev(&mut g, Abi::X86_64, 42, [3, addr, len, 0, 0, 0], 0);
        let c = sock_calls(&e, &mut g);
        assert!(matches!(c[0].op, SockOp::Connect { .. }));
    }
    let mut seed = 0x1234_5678_9abc_def0u64;
    for _ in 0..2000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed % 140) as usize;
        let bytes: Vec<u8> = (0..n).map(|i| (seed >> (i % 56)) as u8).collect();
        let _ = format_sockaddr(&bytes);
        g.write(0x1000, &bytes);
        g.write_u32(0x3000, (seed >> 8) as u32);
        for nr in [42u64, 43, 44, 45, 46, 47, 49, 51, 52, 299, 307] {
            let raw = [3, 0x1000, 0x3000, seed, 0x1000, 0x3000];
            let _ = sock_calls(&ev(&mut g, Abi::X86_64, nr, raw, (seed % 7) as i64), &mut g);
        }
    }
}
