//! Sockets read from a synthetic kernel: TCP over IPv4 and IPv6, unix sockets on a path and on an
//! abstract name with a peer, a descriptor that is no socket, and hostile memory.

use vmscope_core::guest::{GuestMemory, TestGuest};

use super::*;
use crate::testing::{small_sock_layout, small_vfs_layout};

const K: u64 = 0xffff_8880_0000_0000;
const TASK: u64 = K + 0x1000;
const SOCKFS_MAGIC: u64 = 0x534f_434b;

/// A kernel with one task whose descriptor table has room for 16.
struct World {
    g: TestGuest,
    v: VfsLayout,
    l: SockLayout,
    next: u64,
    fds: u64,
}

impl World {
    fn new() -> Self {
        let v = small_vfs_layout();
        let mut w = World {
            g: TestGuest::new(),
            v,
            l: small_sock_layout(),
            next: K + 0x10_0000,
            fds: 0,
        };
        let files = w.alloc();
        let fdt = w.alloc();
        w.fds = w.alloc();
        let (tf, ff, fm, fd) = (w.v.task_files, w.v.files_fdt, w.v.fdt_max_fds, w.v.fdt_fd);
        w.g.write_u64(TASK + tf, files);
        w.g.write_u64(files + ff, fdt);
        w.g.write_u32(fdt + fm, 16);
        w.g.write_u64(fdt + fd, w.fds);
        w
    }

    fn alloc(&mut self) -> u64 {
        self.next += 0x1000;
        self.next
    }

    /// Descriptor `fd` is a file on a superblock of `magic` whose private data is `private`.
    fn file(&mut self, fd: u64, magic: u64, private: u64) {
        let (file, dentry, sb) = (self.alloc(), self.alloc(), self.alloc());
        let v = self.v.clone();
        self.g.write_u64(self.fds + fd * 8, file);
        self.g.write_u64(file + v.file_path + v.path_dentry, dentry);
        self.g.write_u64(dentry + v.dentry_sb, sb);
        self.g.write_u64(sb + v.sb_magic, magic);
        self.g.write_u64(file + self.l.file_private_data, private);
    }

    /// A `struct sock` of `family`, `ty`, `proto`; descriptor `fd` is a socket holding it.
    fn sock(&mut self, fd: u64, family: u16, ty: u16, proto: u16) -> u64 {
        let (socket, sk) = (self.alloc(), self.alloc());
        self.file(fd, SOCKFS_MAGIC, socket);
        let l = self.l.clone();
        self.g.write_u64(socket + l.socket_sk, sk);
        self.g.write(sk + l.family, &family.to_le_bytes());
        self.g.write(sk + l.sk_type, &ty.to_le_bytes());
        self.g.write(sk + l.sk_protocol, &proto.to_le_bytes());
        sk
    }

    /// Binds unix socket `sk` to `addr` (a `sockaddr_un`'s bytes).
    fn unix_bind(&mut self, sk: u64, addr: &[u8]) {
        let a = self.alloc();
        let u = self.l.unix.clone().unwrap();
        self.g.write_u64(sk + u.addr, a);
        self.g.write_u32(a + u.len, addr.len() as u32);
        self.g.write(a + u.name, addr);
    }

    fn read(&mut self, fd: i64) -> Option<KernelSock> {
        task_fd_sock(&mut self.g, &self.v, &self.l, TASK, fd)
    }
}

fn un(path: &[u8]) -> Vec<u8> {
    let mut b = vec![1, 0];
    b.extend_from_slice(path);
    b
}

#[test]
fn inet_sockets_have_their_addresses_and_ports() {
    let mut w = World::new();
    let l = w.l.clone();
    // A connected TCP socket: 127.0.0.1:40000 -> 127.0.0.1:7777.
    let sk = w.sock(3, 2, 1, 6);
    w.g.write(sk + l.rcv_saddr, &[127, 0, 0, 1]);
    w.g.write(sk + l.num, &40000u16.to_le_bytes());
    w.g.write(sk + l.daddr, &[127, 0, 0, 1]);
    w.g.write(sk + l.dport, &7777u16.to_be_bytes());
    let s = w.read(3).unwrap();
    assert_eq!(s.kind.family_name(), "inet");
    assert_eq!(s.kind.proto_name(), "tcp");
    assert_eq!(s.local.as_deref(), Some("127.0.0.1:40000"));
    assert_eq!(s.remote.as_deref(), Some("127.0.0.1:7777"));
    // A UDP socket bound to 0.0.0.0:7779, not connected.
    let sk = w.sock(4, 2, 2, 17);
    w.g.write(sk + l.num, &7779u16.to_le_bytes());
    let s = w.read(4).unwrap();
    assert_eq!(s.kind.proto_name(), "udp");
    assert_eq!(s.local.as_deref(), Some("0.0.0.0:7779"));
    assert_eq!(s.remote, None);
    // A fresh socket: neither.
    w.sock(5, 2, 1, 6);
    let s = w.read(5).unwrap();
    assert_eq!((s.local, s.remote), (None, None));
    // TCP over IPv6: [::1]:7778 <- [::1]:5000.
    let sk = w.sock(6, 10, 1, 6);
    let mut lo = [0u8; 16];
    lo[15] = 1;
    w.g.write(sk + l.v6_rcv_saddr.unwrap(), &lo);
    w.g.write(sk + l.v6_daddr.unwrap(), &lo);
    w.g.write(sk + l.num, &7778u16.to_le_bytes());
    w.g.write(sk + l.dport, &5000u16.to_be_bytes());
    let s = w.read(6).unwrap();
    assert_eq!(s.kind.family_name(), "inet6");
    assert_eq!(s.local.as_deref(), Some("[::1]:7778"));
    assert_eq!(s.remote.as_deref(), Some("[::1]:5000"));
}

#[test]
fn unix_sockets_have_their_paths_and_their_peers() {
    let mut w = World::new();
    let u = w.l.unix.clone().unwrap();
    // A listener on a path; an accepted socket (unbound) whose peer is an abstract-named client.
    let listener = w.sock(3, 1, 1, 0);
    w.unix_bind(listener, &un(b"/tmp/x.sock\0"));
    let s = w.read(3).unwrap();
    assert_eq!(s.kind.family_name(), "unix");
    assert_eq!(s.kind.proto_name(), "stream");
    assert_eq!(s.local.as_deref(), Some("/tmp/x.sock"));
    assert_eq!(s.remote, None);
    let accepted = w.sock(4, 1, 1, 0);
    let client = w.alloc();
    w.unix_bind(client, &un(b"\0vmscope"));
    w.g.write_u64(accepted + u.peer, client);
    let s = w.read(4).unwrap();
    assert_eq!(s.local, None);
    assert_eq!(s.remote.as_deref(), Some("@vmscope"));
    // A datagram socket whose address claims more than sockaddr_un holds: cut at its size.
    let sk = w.sock(5, 1, 2, 0);
    let a = w.alloc();
    w.g.write_u64(sk + u.addr, a);
    w.g.write_u32(a + u.len, 0x7fff_ffff);
    w.g.write(a + u.name, &un(&[b'a'; 200]));
    let s = w.read(5).unwrap();
    assert_eq!(s.kind.proto_name(), "dgram");
    assert_eq!(s.local.map(|p| p.len()), Some(108));
}

#[test]
fn not_a_socket_or_unreadable_is_unknown() {
    let mut w = World::new();
    // A regular file (not sockfs), a closed descriptor, one past the table, a negative one.
    w.file(3, 0xef53, K + 0x5000);
    assert_eq!(w.read(3), None);
    assert_eq!(w.read(7), None);
    assert_eq!(w.read(16), None);
    assert_eq!(w.read(-1), None);
    // A socket whose sk is a user address, or unaligned.
    let sk = w.sock(4, 2, 1, 6);
    let socket = w.g.read_u64(w.fds + 4 * 8).unwrap();
    let socket = w.g.read_u64(socket + w.l.file_private_data).unwrap();
    w.g.write_u64(socket + w.l.socket_sk, 0x7fff_0000);
    assert_eq!(w.read(4), None);
    w.g.write_u64(socket + w.l.socket_sk, sk + 1);
    assert_eq!(w.read(4), None);
    // No IPv6 or unix offsets: such sockets are known, their addresses not.
    let mut l = w.l.clone();
    l.v6_daddr = None;
    l.unix = None;
    let sk6 = w.sock(5, 10, 1, 6);
    w.g.write(sk6 + l.num, &80u16.to_le_bytes());
    let s = task_fd_sock(&mut w.g, &w.v, &l, TASK, 5).unwrap();
    assert_eq!((s.kind.family, s.local, s.remote), (10, None, None));
    w.sock(6, 1, 1, 0);
    let s = task_fd_sock(&mut w.g, &w.v, &l, TASK, 6).unwrap();
    assert_eq!((s.local, s.remote), (None, None));
}

#[test]
fn hostile_memory_never_panics() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..300 {
        let mut w = World::new();
        w.sock(
            3,
            (next() % 20) as u16,
            (next() % 8) as u16,
            (next() % 300) as u16,
        );
        // Scribble over the whole kernel region the world allocated, pointers back into it included.
        let (lo, hi) = (K + 0x10_0000, w.next + 0x1000);
        for _ in 0..200 {
            let at = lo + next() % (hi - lo);
            let v = match next() % 3 {
                0 => lo + next() % (hi - lo),
                1 => next(),
                _ => u64::from(next() as u16),
            };
            w.g.write_u64(at & !7, v);
        }
        for fd in [-1, 0, 3, 15, 1 << 40] {
            let _ = w.read(fd);
        }
    }
}

#[test]
fn layout_from_offsets_needs_the_core_fields_only() {
    let full = |st: &str, f: &str| -> Option<u64> {
        Some(match (st, f) {
            ("sock", "__sk_common") => 0,
            ("sock_common", "skc_family") => 0x10,
            ("sock_common", "skc_v6_daddr") => 0x38,
            ("sock_common", _) => 4,
            ("file", "private_data") => 0xc8,
            ("socket", "sk") => 0x18,
            ("sock", _) => 0x60,
            ("unix_sock", _) | ("unix_address", _) => 8,
            _ => return None,
        })
    };
    let l = SockLayout::from_offsets(full).unwrap();
    assert_eq!((l.family, l.file_private_data), (0x10, 0xc8));
    assert!(l.unix.is_some() && l.v6_daddr == Some(0x38));
    // Without unix_sock: no unix part; without socket.sk: nothing.
    let l = SockLayout::from_offsets(|st, f| if st == "unix_sock" { None } else { full(st, f) });
    assert!(l.unwrap().unix.is_none());
    assert!(
        SockLayout::from_offsets(|st, f| if st == "socket" { None } else { full(st, f) }).is_none()
    );
}

/// A 32-bit kernel's `struct sock` whose fields would run past 4 GiB is junk: not read, though memory
/// answers there; the same socket lower down is read.
#[test]
fn i386_sock_past_4_gib_is_not_read() {
    let vl = crate::testing::small_vfs_layout_i386();
    let l = small_sock_layout();
    let read = |sk: u64| {
        let mut g = TestGuest::new();
        g.write(sk, &[0; 0x100]);
        g.write(sk + l.family, &2u16.to_le_bytes());
        g.write(sk + l.sk_type, &1u16.to_le_bytes());
        sock_of(&mut g, &vl, &l, sk)
    };
    assert!(0xffff_ff80 + l.span() > 1 << 32);
    assert_eq!(read(0xffff_ff80), None);
    assert_eq!(read(0xffff_f000).map(|s| s.kind.family), Some(2));
}
