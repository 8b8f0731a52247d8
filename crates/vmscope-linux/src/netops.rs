//! The Linux mapping for the network monitor: one system call becomes [`SockCall`]s (a socket made,
//! bound, connected, accepted, bytes sent or received...), with socket addresses decoded into the
//! strings users read (`127.0.0.1:7777`, `[::1]:7778`, `/tmp/x.sock`, `@abstract`).
//!
//! Addresses come from the memory the syscall decoder captured for the event (the entry's for
//! `connect`/`bind`/`sendto`, the exit's for `accept`/`recvfrom`/`getsockname`), read through
//! [`EventMemory`], which falls back to the live guest at the call's return. Every read is bounded and
//! may fail: a failed read gives a `None` address, never a guess. Descriptor lifetimes (dup, close,
//! fork, exec) are the file mapping's ([`crate::fileops`]); this file only adds what is socket-specific.

use crate::syscalls::read;
use std::net::{Ipv4Addr, Ipv6Addr};

use vmscope_core::event::{CallEnd, Handle, SyscallEvent};
use vmscope_core::guest::GuestMemory;

use crate::syscalls::{Call, Errno, EventMemory};

/// The most bytes of a socket address read (`struct sockaddr_storage`).
const STORAGE: usize = 128;
/// `SOCK_CLOEXEC` is `O_CLOEXEC`.
const SOCK_CLOEXEC: u64 = crate::uapi::fs::O_CLOEXEC;
/// The most `mmsghdr`s of one `sendmmsg`/`recvmmsg` counted.
const MAX_MMSG: u64 = 1024;

/// What a socket is: its family, type and protocol as `socket(2)` took them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SockKind {
    /// `AF_*`.
    pub family: u16,
    /// `SOCK_*` without `SOCK_NONBLOCK`/`SOCK_CLOEXEC`.
    pub ty: u32,
    /// The protocol number (0: the family's default).
    pub proto: u32,
}

impl SockKind {
    /// `inet`, `inet6`, `unix`, `netlink`, `packet`...
    pub fn family_name(&self) -> String {
        family_name(self.family)
    }

    /// `tcp`, `udp`, `raw`..., for unix (and packet) sockets the type: `stream`, `dgram`, `seqpacket`.
    pub fn proto_name(&self) -> String {
        let ty = type_name(self.ty);
        match self.family {
            2 | 10 => match (self.ty, self.proto) {
                (1, 0 | 6) => "tcp".into(),
                (2, 0 | 17) => "udp".into(),
                (2, 136) => "udplite".into(),
                (2, 1) => "icmp".into(),
                (2, 58) => "icmpv6".into(),
                (1 | 5, 132) => "sctp".into(),
                (2, 33) | (6, _) => "dccp".into(),
                (3, _) => "raw".into(),
                (_, p) => format!("{ty}/{p}"),
            },
            16 => match self.proto {
                0 => "route".into(),
                4 => "sock_diag".into(),
                9 => "audit".into(),
                15 => "kobject_uevent".into(),
                16 => "generic".into(),
                p => format!("netlink/{p}"),
            },
            _ => ty,
        }
    }
}

/// A family's short name.
pub fn family_name(f: u16) -> String {
    match f {
        0 => "unspec".into(),
        1 => "unix".into(),
        2 => "inet".into(),
        10 => "inet6".into(),
        16 => "netlink".into(),
        17 => "packet".into(),
        31 => "bluetooth".into(),
        38 => "alg".into(),
        40 => "vsock".into(),
        44 => "xdp".into(),
        f => format!("af_{f}"),
    }
}

fn type_name(t: u32) -> String {
    match t {
        1 => "stream".into(),
        2 => "dgram".into(),
        3 => "raw".into(),
        4 => "rdm".into(),
        5 => "seqpacket".into(),
        6 => "dccp".into(),
        10 => "packet".into(),
        t => format!("type_{t}"),
    }
}

/// One socket operation, as a call made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SockOp {
    /// New sockets (`socket`: one; `socketpair`: two, each the other's peer).
    New {
        /// The descriptors made (empty when the call failed).
        fds: Vec<Handle>,
        /// What they are.
        kind: SockKind,
        /// Closed when the process runs another program (`SOCK_CLOEXEC`).
        cloexec: bool,
    },
    /// `bind(fd, addr)`.
    Bind {
        /// The address asked for.
        addr: Option<String>,
    },
    /// `listen(fd)`.
    Listen,
    /// `connect(fd, addr)` (a failure with `EINPROGRESS` still sets the peer).
    Connect {
        /// The peer asked for.
        addr: Option<String>,
    },
    /// `accept`/`accept4`: `fd` is the listener.
    Accept {
        /// The new descriptor.
        new: Option<Handle>,
        /// The peer, as the kernel wrote it.
        peer: Option<String>,
        /// `accept4(..., SOCK_CLOEXEC)`.
        cloexec: bool,
    },
    /// `getsockname` (local) or `getpeername` (remote) succeeded.
    Name {
        /// Which end.
        local: bool,
        /// The address.
        addr: Option<String>,
    },
    /// Bytes sent.
    Send {
        /// Bytes moved (the result, or the sum of an `mmsghdr` array's `msg_len`).
        bytes: Option<u64>,
        /// A datagram's destination (`sendto`, `sendmsg`'s `msg_name`).
        to: Option<String>,
    },
    /// Bytes received.
    Recv {
        /// Bytes moved.
        bytes: Option<u64>,
        /// A datagram's source.
        from: Option<String>,
    },
    /// `shutdown(fd, how)`.
    Shutdown,
}

/// A socket operation on one descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SockCall {
    /// The descriptor (for [`SockOp::New`], the first made or -1).
    pub fd: Handle,
    /// The operation.
    pub op: SockOp,
    /// The call is made for sockets (`sendto`, `connect`); `false` for calls on any descriptor
    /// (`read`, `write`, `sendfile`, `splice`), which are about a socket only when `fd` is one.
    pub socket_call: bool,
    /// The errno name when the call failed.
    pub error: Option<String>,
}

/// Whether call `c` can be about a socket at all (decided before any memory is read).
pub fn may_touch_sockets(c: Call) -> bool {
    use Call as C;
    matches!(
        c,
        C::Socket
            | C::Socketpair
            | C::Bind
            | C::Listen
            | C::Connect
            | C::Accept
            | C::Accept4
            | C::Getsockname
            | C::Getpeername
            | C::Sendto
            | C::Send
            | C::Recvfrom
            | C::Recv
            | C::Sendmsg
            | C::Recvmsg
            | C::Sendmmsg
            | C::Recvmmsg
            | C::RecvmmsgTime64
            | C::Shutdown
            | C::Read
            | C::Write
            | C::Readv
            | C::Writev
            | C::Sendfile
            | C::Sendfile64
            | C::Splice
    )
}

/// What one call did to sockets; empty for calls that are not about sockets or did not return.
///
/// `live` reads the guest at the call's return, for what the event's captured memory lacks.
pub fn sock_calls<M: GuestMemory + ?Sized>(ev: &SyscallEvent, live: &mut M) -> Vec<SockCall> {
    let Some(c) = Call::of(ev) else {
        return Vec::new();
    };
    if ev.end != CallEnd::Returned || !may_touch_sockets(c) {
        return Vec::new();
    }
    let mut cx = Cx {
        ev,
        mem: EventMemory::new(ev, live),
    };
    cx.map(c)
}

struct Cx<'a, M: ?Sized> {
    ev: &'a SyscallEvent,
    mem: EventMemory<'a, M>,
}

impl<M: GuestMemory + ?Sized> Cx<'_, M> {
    fn word_size(&self) -> u64 {
        read::word_size(self.ev.abi)
    }

    fn raw(&self, i: usize) -> u64 {
        read::word(self.ev.abi, self.ev.raw.get(i).copied().unwrap_or(0))
    }

    fn fd(&self, i: usize) -> Handle {
        Handle::from(self.raw(i) as u32 as i32)
    }

    fn error(&self) -> Option<String> {
        let e = Errno::of_ret(self.ev.ret?)?;
        Some(
            e.name()
                .map_or_else(|| format!("errno {}", e.0), str::to_string),
        )
    }

    fn bytes(&self) -> Option<u64> {
        self.ev.ret.and_then(|r| u64::try_from(r).ok())
    }

    fn read_word(&mut self, addr: u64) -> Option<u64> {
        read::read_word(&mut self.mem, self.ev.abi, addr)
    }

    /// An address of `len` bytes at `addr`.
    fn addr(&mut self, addr: u64, len: u64) -> Option<String> {
        if addr == 0 || len < 2 {
            return None;
        }
        let len = len.min(STORAGE as u64) as usize;
        let mut b = [0u8; STORAGE];
        // Byte ranges that cross a page are read piecewise by the memory itself.
        if !self.mem.read(addr, &mut b[..len]) {
            return None;
        }
        format_sockaddr(&b[..len])
    }

    /// An address the kernel wrote at `addr`, its length at `*lenp`.
    fn out_addr(&mut self, addr: u64, lenp: u64) -> Option<String> {
        if addr == 0 || lenp == 0 {
            return None;
        }
        let len = self.mem.read_u32(lenp)?;
        self.addr(addr, u64::from(len))
    }

    /// `msg_name` of the `msghdr` at `msg` (its length as it is now: the kernel's at an exit).
    fn msg_name(&mut self, msg: u64) -> Option<String> {
        if msg == 0 {
            return None;
        }
        let name = self.read_word(msg)?;
        let len = self.mem.read_u32(msg.checked_add(self.word_size())?)?;
        self.addr(name, u64::from(len))
    }

    /// The sum of `msg_len` of the first `n` `mmsghdr`s at `vec`.
    fn mmsg_bytes(&mut self, vec: u64, n: u64) -> Option<u64> {
        let ws = self.word_size();
        let hdr = 7 * ws; // struct msghdr
        let size = if ws == 8 { 64 } else { 32 };
        let mut total = 0u64;
        for i in 0..n.min(MAX_MMSG) {
            let at = vec.checked_add(i * size)?.checked_add(hdr)?;
            total += u64::from(self.mem.read_u32(at)?);
        }
        Some(total)
    }

    fn sock(&self, fd: Handle, op: SockOp, socket_call: bool) -> SockCall {
        SockCall {
            fd,
            op,
            socket_call,
            error: self.error(),
        }
    }

    fn map(&mut self, c: Call) -> Vec<SockCall> {
        use Call as C;
        let ok = self.ev.ok();
        let fd0 = self.fd(0);
        let one = |s: SockCall| vec![s];
        match c {
            C::Socket => {
                let kind = SockKind {
                    family: self.raw(0) as u16,
                    ty: self.raw(1) as u32 & 0xf,
                    proto: self.raw(2) as u32,
                };
                let fds = self.ev.ret_ok().into_iter().collect();
                let fd = self.ev.ret_ok().unwrap_or(-1);
                let cloexec = self.raw(1) & SOCK_CLOEXEC != 0;
                one(self.sock(fd, SockOp::New { fds, kind, cloexec }, true))
            }
            C::Socketpair => {
                let kind = SockKind {
                    family: self.raw(0) as u16,
                    ty: self.raw(1) as u32 & 0xf,
                    proto: self.raw(2) as u32,
                };
                let sv = self.raw(3);
                let fds: Vec<Handle> = if ok {
                    [sv, sv.wrapping_add(4)]
                        .into_iter()
                        .filter_map(|a| self.mem.read_u32(a))
                        .map(|v| Handle::from(v as i32))
                        .collect()
                } else {
                    Vec::new()
                };
                let fd = fds.first().copied().unwrap_or(-1);
                let cloexec = self.raw(1) & SOCK_CLOEXEC != 0;
                one(self.sock(fd, SockOp::New { fds, kind, cloexec }, true))
            }
            C::Bind => {
                let addr = self.addr(self.raw(1), self.raw(2) & 0xffff_ffff);
                one(self.sock(fd0, SockOp::Bind { addr }, true))
            }
            C::Listen => one(self.sock(fd0, SockOp::Listen, true)),
            C::Connect => {
                let addr = self.addr(self.raw(1), self.raw(2) & 0xffff_ffff);
                one(self.sock(fd0, SockOp::Connect { addr }, true))
            }
            C::Accept | C::Accept4 => {
                let new = self.ev.ret_ok();
                let peer = if ok {
                    self.out_addr(self.raw(1), self.raw(2))
                } else {
                    None
                };
                let cloexec = c == C::Accept4 && self.raw(3) & SOCK_CLOEXEC != 0;
                one(self.sock(fd0, SockOp::Accept { new, peer, cloexec }, true))
            }
            C::Getsockname | C::Getpeername if ok => {
                let addr = self.out_addr(self.raw(1), self.raw(2));
                let local = c == C::Getsockname;
                one(self.sock(fd0, SockOp::Name { local, addr }, true))
            }
            C::Getsockname | C::Getpeername => Vec::new(),
            C::Sendto | C::Send => {
                let to = if c == C::Sendto {
                    self.addr(self.raw(4), self.raw(5) & 0xffff_ffff)
                } else {
                    None
                };
                let bytes = self.bytes();
                one(self.sock(fd0, SockOp::Send { bytes, to }, true))
            }
            C::Recvfrom | C::Recv => {
                let from = if c == C::Recvfrom && ok {
                    self.out_addr(self.raw(4), self.raw(5))
                } else {
                    None
                };
                let bytes = self.bytes();
                one(self.sock(fd0, SockOp::Recv { bytes, from }, true))
            }
            C::Sendmsg => {
                let to = self.msg_name(self.raw(1));
                let bytes = self.bytes();
                one(self.sock(fd0, SockOp::Send { bytes, to }, true))
            }
            C::Recvmsg => {
                let from = if ok { self.msg_name(self.raw(1)) } else { None };
                let bytes = self.bytes();
                one(self.sock(fd0, SockOp::Recv { bytes, from }, true))
            }
            C::Sendmmsg | C::Recvmmsg | C::RecvmmsgTime64 => {
                let n = self.bytes();
                let vec = self.raw(1);
                let bytes = n.and_then(|n| self.mmsg_bytes(vec, n));
                // The first message's peer stands for all of them.
                let peer = if n.unwrap_or(0) > 0 {
                    self.msg_name(vec)
                } else {
                    None
                };
                let op = if c == C::Sendmmsg {
                    SockOp::Send { bytes, to: peer }
                } else {
                    SockOp::Recv { bytes, from: peer }
                };
                one(self.sock(fd0, op, true))
            }
            C::Shutdown => one(self.sock(fd0, SockOp::Shutdown, true)),
            C::Read | C::Readv => {
                let bytes = self.bytes();
                one(self.sock(fd0, SockOp::Recv { bytes, from: None }, false))
            }
            C::Write | C::Writev => {
                let bytes = self.bytes();
                one(self.sock(fd0, SockOp::Send { bytes, to: None }, false))
            }
            // sendfile(out, in, ...): bytes leave `in` and reach `out`, either may be a socket.
            C::Sendfile | C::Sendfile64 => {
                let bytes = self.bytes();
                vec![
                    self.sock(self.fd(1), SockOp::Recv { bytes, from: None }, false),
                    self.sock(fd0, SockOp::Send { bytes, to: None }, false),
                ]
            }
            // splice(in, off_in, out, off_out, len, flags).
            C::Splice => {
                let bytes = self.bytes();
                vec![
                    self.sock(fd0, SockOp::Recv { bytes, from: None }, false),
                    self.sock(self.fd(2), SockOp::Send { bytes, to: None }, false),
                ]
            }
            _ => Vec::new(),
        }
    }
}

/// A socket address as users read it: `127.0.0.1:7777`, `[::1]:7778` (`[fe80::1%2]:80` with a
/// scope), `/tmp/x.sock`, `@abstract`, `unnamed` for an unbound unix socket, `netlink:pid=N` ...;
/// `None` when `b` is too short for its family.
pub fn format_sockaddr(b: &[u8]) -> Option<String> {
    let family = u16::from_le_bytes([*b.first()?, *b.get(1)?]);
    let port = |b: &[u8]| b.get(2..4).map(|p| u16::from_be_bytes([p[0], p[1]]));
    match family {
        1 => {
            let path = &b[2..];
            Some(match path.first() {
                None => "unnamed".into(),
                Some(0) => {
                    // Abstract: every byte counts, NULs included (shown as `\0`, as `ss` does `@`).
                    let mut s = String::from("@");
                    for &c in &path[1..] {
                        push_escaped(&mut s, c);
                    }
                    s
                }
                Some(_) => {
                    let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                    let mut s = String::new();
                    for &c in &path[..end] {
                        push_escaped(&mut s, c);
                    }
                    s
                }
            })
        }
        2 => {
            let a = b.get(4..8)?;
            Some(format!(
                "{}:{}",
                Ipv4Addr::new(a[0], a[1], a[2], a[3]),
                port(b)?
            ))
        }
        10 => {
            let a: [u8; 16] = b.get(8..24)?.try_into().ok()?;
            let scope = b
                .get(24..28)
                .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
            let ip = Ipv6Addr::from(a);
            Some(if scope != 0 {
                format!("[{ip}%{scope}]:{}", port(b)?)
            } else {
                format!("[{ip}]:{}", port(b)?)
            })
        }
        16 => {
            let pid = b.get(4..8)?;
            let groups = b.get(8..12)?;
            Some(format!(
                "netlink:pid={},groups={:#x}",
                u32::from_le_bytes([pid[0], pid[1], pid[2], pid[3]]),
                u32::from_le_bytes([groups[0], groups[1], groups[2], groups[3]])
            ))
        }
        17 => {
            let ifindex = b.get(4..8)?;
            Some(format!(
                "packet:ifindex={},proto={:#06x}",
                i32::from_le_bytes([ifindex[0], ifindex[1], ifindex[2], ifindex[3]]),
                port(b)?
            ))
        }
        0 => Some("unspec".into()),
        f => Some(format!("{}:?", family_name(f))),
    }
}

fn push_escaped(s: &mut String, c: u8) {
    use std::fmt::Write as _;
    match c {
        0x21..=0x7e if c != b'\\' => s.push(char::from(c)),
        0 => s.push_str("\\0"),
        _ => {
            let _ = write!(s, "\\x{c:02x}");
        }
    }
}

#[cfg(test)]
mod tests;
