//! What a socket descriptor is, read from the kernel's own structures: for sockets the network monitor
//! did not see made (open before tracing began, or inherited from a parent that was not followed).
//!
//! `fdtable.fd[n]` → `struct file` (on sockfs) → `file.private_data` (`struct socket *`) →
//! `socket.sk` (`struct sock *`) → `sock.__sk_common` (`skc_family`, the addresses and ports) and
//! `sock.sk_type`, `sock.sk_protocol`; for a unix socket `unix_sock.addr` (`struct unix_address`: the
//! `sockaddr_un` it is bound to) and `unix_sock.peer` (the other end's `sock`, its address the remote).
//! The offsets come from BTF (or DWARF) like the VFS walk's ([`SockLayout::from_offsets`]).
//!
//! Guest memory is hostile: every pointer must be a kernel address, lengths are bounded, and anything
//! that cannot be read is unknown (`None`), never guessed.

use vmscope_core::guest::GuestMemory;

use crate::btf::VfsLayout;
use crate::netops::{SockKind, format_sockaddr};
use crate::vfs;

/// `sizeof(struct sockaddr_un)`: the most bytes of a unix address read.
const SOCKADDR_UN_MAX: usize = 110;

/// Offsets of the socket structures (each relative to the start of the structure named).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SockLayout {
    /// `file.private_data` (`struct socket *` for a socket).
    pub file_private_data: u64,
    /// `socket.sk` (`struct sock *`).
    pub socket_sk: u64,
    /// `sock.__sk_common.skc_family` (`unsigned short`).
    pub family: u64,
    /// `sock.__sk_common.skc_daddr` (`__be32`).
    pub daddr: u64,
    /// `sock.__sk_common.skc_rcv_saddr` (`__be32`).
    pub rcv_saddr: u64,
    /// `sock.__sk_common.skc_dport` (`__be16`).
    pub dport: u64,
    /// `sock.__sk_common.skc_num` (`__u16`, host order: the local port).
    pub num: u64,
    /// `sock.__sk_common.skc_v6_daddr` (`struct in6_addr`), when the kernel has IPv6.
    pub v6_daddr: Option<u64>,
    /// `sock.__sk_common.skc_v6_rcv_saddr`, when the kernel has IPv6.
    pub v6_rcv_saddr: Option<u64>,
    /// `sock.sk_type` (`u16`).
    pub sk_type: u64,
    /// `sock.sk_protocol` (`u16`).
    pub sk_protocol: u64,
    /// `unix_sock.addr` (`struct unix_address *`), `unix_sock.peer` (`struct sock *`),
    /// `unix_address.len` (`int`) and `unix_address.name` (`struct sockaddr_un[]`), when known.
    pub unix: Option<UnixLayout>,
}

/// Offsets of a unix socket's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnixLayout {
    /// `unix_sock.addr`.
    pub addr: u64,
    /// `unix_sock.peer`.
    pub peer: u64,
    /// `unix_address.len`.
    pub len: u64,
    /// `unix_address.name`.
    pub name: u64,
}

impl SockLayout {
    /// Bytes of `struct sock` read, from its start (the fields' ends).
    fn span(&self) -> u64 {
        let mut ends = vec![
            self.family + 2,
            self.daddr + 4,
            self.rcv_saddr + 4,
            self.dport + 2,
            self.num + 2,
            self.sk_type + 2,
            self.sk_protocol + 2,
        ];
        ends.extend(self.v6_daddr.map(|o| o + 16));
        ends.extend(self.v6_rcv_saddr.map(|o| o + 16));
        if let Some(u) = &self.unix {
            ends.extend([u.addr + 4, u.peer + 4]);
        }
        ends.into_iter().max().unwrap_or(0)
    }

    /// The layout from `offset(struct, field)` (members of anonymous unions and structures found
    /// through them); `None` when a needed field is missing (the IPv6 and unix parts are optional).
    pub fn from_offsets(mut offset: impl FnMut(&str, &str) -> Option<u64>) -> Option<Self> {
        let common = offset("sock", "__sk_common")?;
        let mut c = |field: &str| offset("sock_common", field).and_then(|o| common.checked_add(o));
        let family = c("skc_family")?;
        let daddr = c("skc_daddr")?;
        let rcv_saddr = c("skc_rcv_saddr")?;
        let dport = c("skc_dport")?;
        let num = c("skc_num")?;
        let v6_daddr = c("skc_v6_daddr");
        let v6_rcv_saddr = c("skc_v6_rcv_saddr");
        let unix = (|| {
            Some(UnixLayout {
                addr: offset("unix_sock", "addr")?,
                peer: offset("unix_sock", "peer")?,
                len: offset("unix_address", "len")?,
                name: offset("unix_address", "name")?,
            })
        })();
        Some(SockLayout {
            file_private_data: offset("file", "private_data")?,
            socket_sk: offset("socket", "sk")?,
            family,
            daddr,
            rcv_saddr,
            dport,
            num,
            v6_daddr,
            v6_rcv_saddr,
            sk_type: offset("sock", "sk_type")?,
            sk_protocol: offset("sock", "sk_protocol")?,
            unix,
        })
    }
}

/// A socket as the kernel holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelSock {
    /// Family, type and protocol.
    pub kind: SockKind,
    /// The local address (`127.0.0.1:7777`, `/tmp/x.sock`), when bound.
    pub local: Option<String>,
    /// The remote address, when connected.
    pub remote: Option<String>,
}

fn read_u16<M: GuestMemory + ?Sized>(mem: &mut M, addr: u64) -> Option<u16> {
    let mut b = [0u8; 2];
    mem.read(addr, &mut b).then(|| u16::from_le_bytes(b))
}

fn bytes<const N: usize, M: GuestMemory + ?Sized>(mem: &mut M, addr: u64) -> Option<[u8; N]> {
    let mut b = [0u8; N];
    mem.read(addr, &mut b).then_some(b)
}

/// What socket descriptor `fd` of `task` is; `None` when it is no socket or cannot be read.
pub fn task_fd_sock<M: GuestMemory + ?Sized>(
    mem: &mut M,
    vfs_layout: &VfsLayout,
    l: &SockLayout,
    task: u64,
    fd: i64,
) -> Option<KernelSock> {
    let file = vfs::task_fd_file(mem, vfs_layout, task, fd)?;
    if !vfs::file_is_socket(mem, vfs_layout, file) {
        return None;
    }
    let socket = vfs::ptr(mem, vfs_layout, file.checked_add(l.file_private_data)?)?;
    let sk = vfs::ptr(mem, vfs_layout, socket.checked_add(l.socket_sk)?)?;
    sock_of(mem, vfs_layout, l, sk)
}

/// What `struct sock` `sk` is (pointers read at `vfs_layout`'s word size).
pub fn sock_of<M: GuestMemory + ?Sized>(
    mem: &mut M,
    vfs_layout: &VfsLayout,
    l: &SockLayout,
    sk: u64,
) -> Option<KernelSock> {
    // A 32-bit kernel's `struct sock` ends below 4 GiB: one that would not is junk.
    if !fits(vfs_layout, sk, l.span()) {
        return None;
    }
    let at = |off: u64| sk.checked_add(off);
    let family = read_u16(mem, at(l.family)?)?;
    let ty = u32::from(read_u16(mem, at(l.sk_type)?)?);
    let proto = u32::from(read_u16(mem, at(l.sk_protocol)?)?);
    let kind = SockKind { family, ty, proto };
    let (local, remote) = match family {
        2 => {
            let port = read_u16(mem, at(l.num)?)?;
            let laddr: [u8; 4] = bytes(mem, at(l.rcv_saddr)?)?;
            let dport = read_u16(mem, at(l.dport)?)?;
            let raddr: [u8; 4] = bytes(mem, at(l.daddr)?)?;
            let addr = |port_be: [u8; 2], a: [u8; 4]| {
                let mut b = vec![2, 0, port_be[0], port_be[1]];
                b.extend_from_slice(&a);
                format_sockaddr(&b)
            };
            (
                (port != 0 || laddr != [0; 4])
                    .then(|| addr(port.to_be_bytes(), laddr))
                    .flatten(),
                // skc_dport is kept in network order: its bytes as they are.
                (dport != 0)
                    .then(|| addr(dport.to_le_bytes(), raddr))
                    .flatten(),
            )
        }
        10 => {
            let port = read_u16(mem, at(l.num)?)?;
            let dport = read_u16(mem, at(l.dport)?)?;
            // A kernel without IPv6 offsets: an inet6 socket of unknown addresses.
            let (Some(v6_rcv_saddr), Some(v6_daddr)) = (l.v6_rcv_saddr, l.v6_daddr) else {
                return Some(KernelSock {
                    kind,
                    local: None,
                    remote: None,
                });
            };
            let laddr: [u8; 16] = bytes(mem, at(v6_rcv_saddr)?)?;
            let raddr: [u8; 16] = bytes(mem, at(v6_daddr)?)?;
            let addr = |port_be: [u8; 2], a: [u8; 16]| {
                let mut b = vec![10, 0, port_be[0], port_be[1], 0, 0, 0, 0];
                b.extend_from_slice(&a);
                b.extend_from_slice(&[0; 4]);
                format_sockaddr(&b)
            };
            (
                (port != 0 || laddr != [0; 16])
                    .then(|| addr(port.to_be_bytes(), laddr))
                    .flatten(),
                (dport != 0)
                    .then(|| addr(dport.to_le_bytes(), raddr))
                    .flatten(),
            )
        }
        1 => match &l.unix {
            Some(u) => {
                let local = unix_addr(mem, vfs_layout, u, sk);
                let remote = vfs::ptr(mem, vfs_layout, at(u.peer)?)
                    .and_then(|peer| unix_addr(mem, vfs_layout, u, peer));
                (local, remote)
            }
            None => (None, None),
        },
        _ => (None, None),
    };
    Some(KernelSock {
        kind,
        local,
        remote,
    })
}

/// Whether `len` bytes at `at` are in the kernel's address space (a 32-bit kernel's ends at 4 GiB).
fn fits(vfs_layout: &VfsLayout, at: u64, len: u64) -> bool {
    crate::kspace::fits(vfs_layout.pointer_size, at, len)
}

/// The address unix socket `sk` is bound to (`None`: not bound, or unreadable).
fn unix_addr<M: GuestMemory + ?Sized>(
    mem: &mut M,
    vfs_layout: &VfsLayout,
    u: &UnixLayout,
    sk: u64,
) -> Option<String> {
    let a = vfs::ptr(mem, vfs_layout, sk.checked_add(u.addr)?)?;
    if !fits(vfs_layout, a, u.len + 4) {
        return None;
    }
    let len = mem.read_u32(a.checked_add(u.len)?)? as i32;
    let len = usize::try_from(len).ok().filter(|&n| n > 2)?;
    let mut b = vec![0u8; len.min(SOCKADDR_UN_MAX)];
    if !fits(vfs_layout, a, u.name + b.len() as u64) {
        return None;
    }
    if !mem.read(a.checked_add(u.name)?, &mut b) {
        return None;
    }
    format_sockaddr(&b)
}

#[cfg(test)]
mod tests;
