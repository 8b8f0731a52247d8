//! The network monitor over synthetic system calls, captured by the real decoder from a synthetic
//! guest: TCP and UDP over IPv4 and IPv6, unix sockets (abstract too), accept, dup and fork
//! inheritance, close, failed connects, and junk.

use vmscope_core::arch::EntryKind;
use vmscope_core::event::{
    Abi, CallEnd, Connection, Event, NetEvent, NetOp, SyscallEvent, ThreadCtx,
};
use vmscope_core::guest::TestGuest;
use vmscope_core::module::{Bus, Module};
use vmscope_linux::syscalls::{Call, DecodeOptions, capture_entry, capture_exit};

use super::Network;

struct World {
    g: TestGuest,
    m: Network,
    ts: u64,
}

impl World {
    fn new() -> Self {
        World {
            g: TestGuest::new(),
            m: Network::new(),
            ts: 0,
        }
    }

    /// Call `nr` (x86_64) made by thread `tid` of process `pid`, returning `ret`: its `net` events.
    fn call(&mut self, pid: u32, tid: u32, nr: u64, raw: [u64; 6], ret: i64) -> Vec<NetEvent> {
        let opts = DecodeOptions::default();
        let mut c = capture_entry(&opts, Abi::X86_64, nr, &raw, &mut self.g);
        capture_exit(&opts, Abi::X86_64, nr, &mut c, Some(ret), None, &mut self.g);
        self.ts += 10;
        let ev = SyscallEvent {
            ts: self.ts,
            ts_exit: Some(self.ts + 1),
            vcpu: 0,
            thread: ThreadCtx {
                pid: Some(pid),
                tid: Some(tid),
                comm: Some(format!("p{pid}").into()),
                task: 0x1000 + u64::from(tid),
                asid: 0,
            },
            abi: Abi::X86_64,
            entry: EntryKind::Syscall,
            nr,
            call: c.call.map(Call::id),
            name: c.name(),
            raw: c.raw,
            ret: Some(ret),
            end: if matches!(nr, 60 | 231) {
                CallEnd::NoReturn
            } else {
                CallEnd::Returned
            },
            data: c.data,
            stack: None,
        };
        let mut bus = Bus::default();
        self.m
            .on_event(&Event::Syscall(Box::new(ev)), &mut self.g, &mut bus);
        bus.take()
            .into_iter()
            .filter_map(|e| match e {
                Event::Net(n) => Some(*n),
                _ => None,
            })
            .collect()
    }

    fn finish(&mut self) -> Vec<Connection> {
        let mut bus = Bus::default();
        self.m.on_stop(&mut bus);
        bus.take()
            .into_iter()
            .filter_map(|e| match e {
                Event::Connection(c) => Some(*c),
                _ => None,
            })
            .collect()
    }
}

const ADDR: u64 = 0x10_000;
const LEN: u64 = 0x11_000;
const BUF: u64 = 0x12_000;

fn in4(port: u16, a: [u8; 4]) -> Vec<u8> {
    let mut b = vec![2, 0];
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&a);
    b.extend_from_slice(&[0; 8]);
    b
}

fn in6_lo(port: u16) -> Vec<u8> {
    let mut b = vec![10, 0];
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&[0; 15]);
    b.push(1);
    b.extend_from_slice(&[0; 4]);
    b
}

fn un(path: &[u8]) -> Vec<u8> {
    let mut b = vec![1, 0];
    b.extend_from_slice(path);
    b
}

fn one(v: Vec<NetEvent>) -> NetEvent {
    assert_eq!(v.len(), 1, "{v:?}");
    v.into_iter().next().unwrap()
}

#[test]
fn tcp_over_ipv4_with_accept_fork_and_close() {
    let mut w = World::new();
    // Server 10: socket, bind 0.0.0.0:7777, listen.
    let e = one(w.call(10, 10, 41, [2, 1, 0, 0, 0, 0], 3));
    assert_eq!(
        (e.op, e.fd, e.family.as_deref(), e.proto.as_deref()),
        (NetOp::Socket, 3, Some("inet"), Some("tcp"))
    );
    w.g.write(ADDR, &in4(7777, [0, 0, 0, 0]));
    let e = one(w.call(10, 10, 49, [3, ADDR, 16, 0, 0, 0], 0));
    assert_eq!(e.local.as_deref(), Some("0.0.0.0:7777"));
    assert_eq!(
        one(w.call(10, 10, 50, [3, 5, 0, 0, 0, 0], 0)).op,
        NetOp::Listen
    );
    // Client 20: socket, connect, getsockname teaches its local address.
    one(w.call(20, 20, 41, [2, 0x801, 0, 0, 0, 0], 3));
    w.g.write(ADDR, &in4(7777, [127, 0, 0, 1]));
    let e = one(w.call(20, 20, 42, [3, ADDR, 16, 0, 0, 0], 0));
    assert_eq!(
        (e.op, e.remote.as_deref(), e.error.as_deref()),
        (NetOp::Connect, Some("127.0.0.1:7777"), None)
    );
    w.g.write(ADDR, &in4(40000, [127, 0, 0, 1]));
    w.g.write_u32(LEN, 16);
    assert!(w.call(20, 20, 51, [3, ADDR, LEN, 0, 0, 0], 0).is_empty());
    // The server accepts: the new socket knows the listener's address and the peer.
    let e = one(w.call(10, 10, 288, [3, ADDR, LEN, 0, 0, 0], 4));
    assert_eq!(
        (e.op, e.fd, e.local.as_deref(), e.remote.as_deref()),
        (
            NetOp::Accept,
            4,
            Some("0.0.0.0:7777"),
            Some("127.0.0.1:40000")
        )
    );
    // It forks a child that serves; the parent closes its copy (the socket stays open).
    assert!(w.call(10, 10, 57, [0; 6], 11).is_empty());
    let e = one(w.call(10, 10, 3, [4, 0, 0, 0, 0, 0], 0));
    assert_eq!((e.op, e.fd), (NetOp::Close, 4));
    // Traffic: sendto without an address on the client, read/write in the child.
    w.g.write(BUF, &[b'a'; 100]);
    let e = one(w.call(20, 20, 44, [3, BUF, 100, 0, 0, 0], 100));
    assert_eq!(
        (e.op, e.bytes, e.local.as_deref()),
        (NetOp::Send, Some(100), Some("127.0.0.1:40000"))
    );
    let e = one(w.call(11, 11, 0, [4, BUF, 4096, 0, 0, 0], 100));
    assert_eq!((e.op, e.bytes, e.syscall), (NetOp::Recv, Some(100), "read"));
    one(w.call(11, 11, 1, [4, BUF, 50, 0, 0, 0], 50));
    one(w.call(20, 20, 45, [3, BUF, 4096, 0, 0, 0], 50));
    // A read of another descriptor is not about a socket.
    assert!(w.call(11, 11, 0, [0, BUF, 10, 0, 0, 0], 10).is_empty());
    // The child exits (its socket closes with it); the client shuts down and closes.
    assert!(w.call(11, 11, 231, [0; 6], 0).is_empty());
    assert_eq!(
        one(w.call(20, 20, 48, [3, 1, 0, 0, 0, 0], 0)).op,
        NetOp::Shutdown
    );
    one(w.call(20, 20, 3, [3, 0, 0, 0, 0, 0], 0));
    let c = w.finish();
    // The listener carried nothing and connected nowhere: no summary.
    assert_eq!(c.len(), 2, "{c:?}");
    let srv = c.iter().find(|c| c.pid == Some(10)).unwrap();
    assert_eq!(
        (
            srv.local.as_deref(),
            srv.remote.as_deref(),
            srv.bytes_sent,
            srv.bytes_received
        ),
        (Some("0.0.0.0:7777"), Some("127.0.0.1:40000"), 50, 100)
    );
    assert!(srv.closed_ts.is_some());
    let cli = c.iter().find(|c| c.pid == Some(20)).unwrap();
    assert_eq!(
        (
            cli.local.as_deref(),
            cli.remote.as_deref(),
            cli.bytes_sent,
            cli.bytes_received,
            cli.proto.as_deref()
        ),
        (
            Some("127.0.0.1:40000"),
            Some("127.0.0.1:7777"),
            100,
            50,
            Some("tcp")
        )
    );
}

#[test]
fn udp_over_ipv6_names_the_peer_of_an_unconnected_socket() {
    let mut w = World::new();
    one(w.call(30, 30, 41, [10, 2, 0, 0, 0, 0], 5));
    w.g.write(ADDR, &in6_lo(9000));
    w.g.write(BUF, b"hello datagr");
    let e = one(w.call(30, 30, 44, [5, BUF, 12, 0, ADDR, 28], 12));
    assert_eq!(
        (e.family.as_deref(), e.proto.as_deref(), e.remote.as_deref()),
        (Some("inet6"), Some("udp"), Some("[::1]:9000"))
    );
    w.g.write_u32(LEN, 28);
    let e = one(w.call(30, 30, 45, [5, BUF, 100, 0, ADDR, LEN], 12));
    assert_eq!((e.op, e.bytes), (NetOp::Recv, Some(12)));
    // sendmsg with msg_name: the datagram's destination.
    w.g.write_u64(0x13_000, ADDR).write_u32(0x13_008, 28);
    let e = one(w.call(30, 30, 46, [5, 0x13_000, 0, 0, 0, 0], 3));
    assert_eq!(e.remote.as_deref(), Some("[::1]:9000"));
    let c = w.finish();
    assert_eq!(c.len(), 1);
    assert_eq!(
        (
            c[0].remote.as_deref(),
            c[0].bytes_sent,
            c[0].bytes_received,
            c[0].closed_ts
        ),
        (Some("[::1]:9000"), 15, 12, None)
    );
}

#[test]
fn unix_sockets_abstract_names_dup_and_exec() {
    let mut w = World::new();
    // Stream to an abstract name, made close-on-exec; dup2 to 9 (not close-on-exec).
    let e = one(w.call(40, 40, 41, [1, 0x80001, 0, 0, 0, 0], 6));
    assert_eq!(e.proto.as_deref(), Some("stream"));
    w.g.write(ADDR, &un(b"\0vmscope-abs"));
    let e = one(w.call(40, 40, 42, [6, ADDR, 14, 0, 0, 0], 0));
    assert_eq!(e.remote.as_deref(), Some("@vmscope-abs"));
    assert!(w.call(40, 40, 33, [6, 9, 0, 0, 0, 0], 9).is_empty());
    one(w.call(40, 40, 3, [6, 0, 0, 0, 0, 0], 0));
    let e = one(w.call(40, 40, 1, [9, BUF, 7, 0, 0, 0], 7));
    assert_eq!((e.fd, e.remote.as_deref()), (9, Some("@vmscope-abs")));
    // A datagram socket bound to a path, close-on-exec: gone at exec.
    one(w.call(40, 40, 41, [1, 0x80002, 0, 0, 0, 0], 7));
    w.g.write(ADDR, &un(b"/tmp/x.sock\0"));
    let e = one(w.call(40, 40, 49, [7, ADDR, 14, 0, 0, 0], 0));
    assert_eq!(e.local.as_deref(), Some("/tmp/x.sock"));
    w.g.write(0x14_000, b"/bin/true\0");
    assert!(w.call(40, 40, 59, [0x14_000, 0, 0, 0, 0, 0], 0).is_empty());
    assert!(w.call(40, 40, 1, [7, BUF, 3, 0, 0, 0], 3).is_empty());
    one(w.call(40, 40, 1, [9, BUF, 3, 0, 0, 0], 3));
    // socketpair: two sockets.
    w.g.write_u32(0x15_000, 10).write_u32(0x15_004, 11);
    let v = w.call(40, 40, 53, [1, 5, 0, 0x15_000, 0, 0], 0);
    assert_eq!(
        v.iter()
            .map(|e| (e.fd, e.proto.as_deref()))
            .collect::<Vec<_>>(),
        [(10, Some("seqpacket")), (11, Some("seqpacket"))]
    );
    let c = w.finish();
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(
        (c[0].remote.as_deref(), c[0].bytes_sent, c[0].fd),
        (Some("@vmscope-abs"), 10, 6)
    );
}

#[test]
fn failed_and_in_progress_connects() {
    let mut w = World::new();
    one(w.call(50, 50, 41, [2, 1, 0, 0, 0, 0], 3));
    w.g.write(ADDR, &in4(80, [10, 0, 0, 1]));
    let e = one(w.call(50, 50, 42, [3, ADDR, 16, 0, 0, 0], -111));
    assert_eq!(
        (e.error.as_deref(), e.remote.as_deref()),
        (Some("ECONNREFUSED"), Some("10.0.0.1:80"))
    );
    one(w.call(50, 50, 3, [3, 0, 0, 0, 0, 0], 0));
    // Non-blocking: EINPROGRESS still names the peer and counts as connected.
    one(w.call(50, 50, 41, [2, 0x801, 0, 0, 0, 0], 4));
    one(w.call(50, 50, 42, [4, ADDR, 16, 0, 0, 0], -115));
    // A failed socket() and a send on a descriptor made before tracing.
    let e = one(w.call(50, 50, 41, [2, 1, 0, 0, 0, 0], -97));
    assert_eq!((e.fd, e.error.as_deref()), (-1, Some("EAFNOSUPPORT")));
    let e = one(w.call(50, 50, 44, [8, BUF, 4, 0, 0, 0], 4));
    assert_eq!((e.fd, e.family.as_deref(), e.bytes), (8, None, Some(4)));
    let c = w.finish();
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(
        c.iter()
            .any(|c| c.remote.as_deref() == Some("10.0.0.1:80") && c.closed_ts.is_none())
    );
}

#[test]
fn threads_share_a_table_and_close_range_closes() {
    let mut w = World::new();
    one(w.call(60, 60, 41, [2, 2, 0, 0, 0, 0], 3));
    // clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD...) = 61.
    assert!(w.call(60, 60, 56, [0x3d0f00, 0, 0, 0, 0, 0], 61).is_empty());
    one(w.call(60, 61, 1, [3, BUF, 5, 0, 0, 0], 5));
    let v = w.call(60, 61, 436, [0, u64::from(u32::MAX), 0, 0, 0, 0], 0);
    assert_eq!(v.len(), 1);
    assert!(w.call(60, 60, 1, [3, BUF, 5, 0, 0, 0], 5).is_empty());
    let c = w.finish();
    assert_eq!((c.len(), c[0].bytes_sent), (1, 5));
    assert!(c[0].closed_ts.is_some());
}

#[test]
fn junk_calls_never_panic_and_the_model_stays_bounded() {
    let mut w = World::new();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let calls = [
        41u64, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 288, 299, 307, 0, 1, 3, 32, 33, 40,
        57, 275, 436,
    ];
    for i in 0..3000 {
        let r = next();
        let bytes: Vec<u8> = (0..64).map(|k| (r >> (k % 57)) as u8).collect();
        w.g.write(ADDR, &bytes);
        w.g.write_u32(LEN, (r >> 3) as u32);
        let nr = calls[(r % calls.len() as u64) as usize];
        let raw = [
            r % 16,
            ADDR,
            if r & 1 == 0 { LEN } else { r },
            r >> 5,
            ADDR,
            LEN,
        ];
        let ret = match r % 4 {
            0 => -(((r >> 9) % 140) as i64),
            _ => (r % 20) as i64,
        };
        let pid = 100 + (i % 7) as u32;
        let _ = w.call(pid, pid, nr, raw, ret);
    }
    let _ = w.finish();
    assert_eq!(w.m.with_model(|m| m.sockets()), 0);
}

#[test]
fn a_child_seen_before_its_parents_fork_returns_keeps_its_own_sockets() {
    let mut w = World::new();
    // Parent 70 listens on 3; its child 71's first calls are published before the fork's return:
    // it closes the inherited 3 and makes its own socket 3.
    one(w.call(70, 70, 41, [2, 1, 0, 0, 0, 0], 3));
    assert!(w.call(71, 71, 3, [3, 0, 0, 0, 0, 0], 0).is_empty());
    one(w.call(71, 71, 41, [2, 1, 0, 0, 0, 0], 3));
    assert!(w.call(70, 70, 57, [0; 6], 71).is_empty());
    w.g.write(ADDR, &in4(7777, [127, 0, 0, 1]));
    one(w.call(71, 71, 42, [3, ADDR, 16, 0, 0, 0], 0));
    one(w.call(71, 71, 1, [3, BUF, 9, 0, 0, 0], 9));
    // A thread of 70 made with CLONE_FILES whose socket came first.
    one(w.call(70, 72, 41, [10, 2, 0, 0, 0, 0], 4));
    assert!(w.call(70, 70, 56, [0x3d0f00, 0, 0, 0, 0, 0], 72).is_empty());
    let e = one(w.call(70, 70, 1, [4, BUF, 2, 0, 0, 0], 2));
    assert_eq!(e.proto.as_deref(), Some("udp"));
    // A child that ended before its fork returned leaves nothing behind.
    assert!(w.call(73, 73, 231, [0; 6], 0).is_empty());
    assert!(w.call(70, 70, 57, [0; 6], 73).is_empty());
    one(w.call(70, 70, 3, [3, 0, 0, 0, 0, 0], 0));
    // The listener (closed by the parent, and by the child before the fork returned) is gone.
    assert_eq!(w.m.with_model(|m| m.sockets()), 2);
    let c = w.finish();
    let tcp = c
        .iter()
        .find(|c| c.proto.as_deref() == Some("tcp"))
        .unwrap();
    assert_eq!(
        (tcp.pid, tcp.remote.as_deref(), tcp.bytes_sent),
        (Some(71), Some("127.0.0.1:7777"), 9)
    );
}

/// A socket open before tracing began is read from the kernel's structures when a socket call first
/// uses it: its events and its connection carry its family, protocol and both addresses. Where the
/// kernel's memory is junk, it appears with no family, as without a layout.
#[test]
fn sockets_from_before_tracing_are_named_from_the_kernel() {
    use std::sync::Arc;
    use vmscope_linux::testing::{small_sock_layout, small_vfs_layout};

    const K: u64 = 0xffff_8880_0000_0000;
    let (task, files, fdt, fds, file, dentry, sb, socket, sk) = (
        K + 0x1000,
        K + 0x2000,
        K + 0x3000,
        K + 0x4000,
        K + 0x5000,
        K + 0x6000,
        K + 0x7000,
        K + 0x8000,
        K + 0x9000,
    );
    let v = small_vfs_layout();
    let l = small_sock_layout();
    let mut g = TestGuest::new();
    g.write_u64(task + v.task_files, files);
    g.write_u64(files + v.files_fdt, fdt);
    g.write_u32(fdt + v.fdt_max_fds, 16);
    g.write_u64(fdt + v.fdt_fd, fds);
    g.write_u64(fds + 5 * 8, file);
    g.write_u64(file + v.file_path + v.path_dentry, dentry);
    g.write_u64(dentry + v.dentry_sb, sb);
    g.write_u64(sb + v.sb_magic, 0x534f_434b);
    g.write_u64(file + l.file_private_data, socket);
    g.write_u64(socket + l.socket_sk, sk);
    g.write(sk + l.family, &2u16.to_le_bytes());
    g.write(sk + l.sk_type, &1u16.to_le_bytes());
    g.write(sk + l.sk_protocol, &6u16.to_le_bytes());
    g.write(sk + l.rcv_saddr, &[127, 0, 0, 1]);
    g.write(sk + l.num, &40000u16.to_le_bytes());
    g.write(sk + l.daddr, &[127, 0, 0, 1]);
    g.write(sk + l.dport, &7777u16.to_be_bytes());
    g.write(BUF, &[b'x'; 64]);
    let kernel = Arc::new(crate::kernel::KernelCell::known(
        Some(crate::test_support::layout()),
        Some(v),
    ));
    let m = Network::with_kernel(kernel);
    let thread = ThreadCtx {
        pid: Some(7),
        tid: Some(7),
        comm: Some("old".into()),
        task,
        asid: 0,
    };
    let send = |m: &Network, g: &mut TestGuest, fd: u64| -> Vec<NetEvent> {
        let ev = crate::test_support::syscall_event(
            Abi::X86_64,
            "sendto",
            thread.clone(),
            [fd, BUF, 64, 0, 0, 0],
            Some(64),
            Some(g),
        );
        let mut bus = Bus::default();
        m.on_event(&Event::Syscall(Box::new(ev)), g, &mut bus);
        bus.take()
            .into_iter()
            .filter_map(|e| match e {
                Event::Net(n) => Some(*n),
                _ => None,
            })
            .collect()
    };
    let e = one(send(&m, &mut g, 5));
    assert_eq!(
        (
            e.op,
            e.family.as_deref(),
            e.proto.as_deref(),
            e.local.as_deref(),
            e.remote.as_deref(),
            e.bytes
        ),
        (
            NetOp::Send,
            Some("inet"),
            Some("tcp"),
            Some("127.0.0.1:40000"),
            Some("127.0.0.1:7777"),
            Some(64)
        )
    );
    // Another descriptor whose socket pointer is junk: no family, as before.
    g.write_u64(fds + 6 * 8, file + 0x800);
    let e = one(send(&m, &mut g, 6));
    assert_eq!((e.op, e.family), (NetOp::Send, None));
    let mut bus = Bus::default();
    m.on_stop(&mut bus);
    let conns: Vec<Connection> = bus
        .take()
        .into_iter()
        .filter_map(|e| match e {
            Event::Connection(c) => Some(*c),
            _ => None,
        })
        .collect();
    assert!(
        conns.iter().any(|c| c.fd == 5
            && c.proto.as_deref() == Some("tcp")
            && c.remote.as_deref() == Some("127.0.0.1:7777")
            && c.bytes_sent == 64),
        "{conns:#?}"
    );
}
