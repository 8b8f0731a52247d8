//! Networking, as strace 6.1 shows it: socket addresses of every common family, messages
//! (`msghdr`, `mmsghdr`, control messages), socket options by level, socket flags and protocols,
//! and the socket `ioctl`s.
//!
//! A family of argument kinds ([`K`]) plugged into the decoder through [`io`], [`input`],
//! [`output`] and [`ret_extra`] (see `args.rs` and `events.rs` for the pattern). The files:
//! `sockaddr.rs` (addresses), `msghdr.rs` (messages), `sockopt.rs` (options), `ioctl.rs` (socket
//! `ioctl`s); this one holds the kinds, the calls' simpler arguments and strace's printing helpers.
//!
//! strace decodes the data of a netlink socket as netlink messages, asking `/proc` what an fd is;
//! the decoder has no table of fds, so buffers are always shown as strings (what strace prints for
//! a socket whose protocol it cannot tell).

mod ioctl;
mod msghdr;
mod netlink;
mod sockaddr;
mod sockopt;
#[cfg(test)]
mod tests;

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

use super::args::Io;
use super::ctx::Ctx;
use super::out::{Out, Quote, w};
use super::read::{read_bytes, word};
use super::{ArgKind, Call, RetKind, SyscallDesc};
use crate::uapi::{Xlat, net};

pub(crate) use ioctl::ioctl_arg;

/// Argument kinds of this family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    /// `AF_*` address family of `socket`/`socketpair`.
    Family,
    /// `SOCK_*` socket type with its `SOCK_CLOEXEC`/`SOCK_NONBLOCK` flags.
    SockType,
    /// `socket`'s protocol, named by the family (argument 0).
    Proto,
    /// `SOCK_CLOEXEC|SOCK_NONBLOCK` of `accept4`.
    SockFlags,
    /// `socketpair`'s output `int[2]`.
    FdPair,
    /// An input socket address whose length is the next argument (`bind`, `connect`, `sendto`).
    SockAddr,
    /// The address `accept`/`getsockname`/`getpeername` write, sized by the next argument.
    SockName,
    /// A `socklen_t *` the call reads and rewrites (after a [`K::SockName`]): `[16]`, or
    /// `[128 => 16]` when the call changed it.
    SockLen,
    /// `recvfrom`'s source address (its length pointer follows).
    FromAddr,
    /// `recvfrom`'s address length pointer.
    FromLen,
    /// A buffer sent on a socket, its length the next argument.
    SendBuf,
    /// A buffer received from a socket: as many bytes as the call returned, at most the next
    /// argument.
    RecvBuf,
    /// `MSG_*` flags.
    MsgFlags,
    /// `SHUT_*` of `shutdown`.
    Shut,
    /// `sendmsg`'s `struct msghdr`.
    MsgHdrIn,
    /// `recvmsg`'s `struct msghdr` (its name length read at entry, the rest at exit).
    MsgHdrOut,
    /// `sendmmsg`'s `struct mmsghdr[]`, shown at exit with the lengths sent.
    MmsgSend,
    /// `recvmmsg`'s `struct mmsghdr[]`, shown at exit.
    MmsgRecv,
    /// `recvmmsg`'s timeout (`struct __kernel_timespec`); the time left follows the return value.
    MmsgTimeout,
    /// `recvmmsg`'s timeout in i386's `struct old_timespec32`.
    MmsgTimeout32,
    /// A socket option level (`SOL_*`).
    Level,
    /// A socket option name, named by the level (the previous argument).
    OptName,
    /// `setsockopt`'s value, its length the next argument.
    OptValIn,
    /// `getsockopt`'s value, shown at exit as the option says.
    OptValOut,
    /// `getsockopt`'s length pointer.
    OptLen,
    /// i386 `socketcall`'s operation (`SYS_SOCKET`), when its arguments could not be read.
    SocketcallOp,
}

/// When kind `k` is read.
pub(crate) fn io(k: K) -> Io {
    match k {
        K::FdPair | K::RecvBuf | K::MmsgSend => Io::Out,
        K::SockName
        | K::SockLen
        | K::FromAddr
        | K::FromLen
        | K::MsgHdrOut
        | K::MmsgRecv
        | K::OptValOut
        | K::OptLen => Io::InOut,
        _ => Io::In,
    }
}

/// Renders input kind `k` of argument `i` (see `events::input`). For an in/out kind this is what
/// the entry reads (run dry at entry, its reads kept for the exit).
pub(crate) fn input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) -> Option<bool> {
    let v = cx.arg(i);
    let (a, next) = (cx.warg(i), cx.warg(i + 1));
    match k {
        K::Family => w.xlat(v & 0xffff_ffff, net::FAMILIES, "AF_???"),
        K::SockType => sock_type(w, v),
        K::Proto => protocol(w, cx.abi, cx.arg(0), v),
        K::SockFlags => flags(w, v & 0xffff_ffff, net::SOCK_FLAGS, "SOCK_???"),
        K::MsgFlags => flags(w, v & 0xffff_ffff, net::MSG_FLAGS, "MSG_???"),
        K::Shut => w.xlat(v & 0xffff_ffff, net::SHUT, "SHUT_???"),
        K::SockAddr => {
            let env = Env::of(cx);
            let len = cx.arg(i + 1) as u32 as i32;
            sockaddr::decode(cx.mem, env, w, a, len)?;
        }
        K::SendBuf => {
            let env = Env::of(cx);
            if carries_netlink(cx, a, next) {
                if read_bytes(cx.mem, a, 1).is_none() && next != 0 && env.strict {
                    return None;
                }
                netlink::decode(cx.mem, env, w, a, next);
            } else {
                strn(cx.mem, env, w, a, next)?;
            }
        }
        K::SockName | K::SockLen | K::FromAddr | K::FromLen => {
            // What the exit compares with: the length given.
            let _ = given_len(cx.mem, a, next);
        }
        K::MsgHdrIn => msghdr::sendmsg(cx, w, a)?,
        K::MsgHdrOut => msghdr::recvmsg_entry(cx, a),
        K::MmsgRecv => msghdr::recvmmsg_entry(cx),
        K::MmsgTimeout => timeout_arg(cx, w, a, false),
        K::MmsgTimeout32 => timeout_arg(cx, w, a, true),
        K::Level => sockopt::level(w, v),
        K::SocketcallOp => w.xlat_or_int(v & 0xffff_ffff, net::SOCKETCALLS),
        K::OptName => sockopt::name(w, cx.desc.call == Call::Getsockopt, cx.arg(i - 1), v),
        K::OptValIn => sockopt::set_value(cx, w)?,
        K::OptValOut | K::OptLen => {
            let lenp = cx.warg(4);
            let _ = read_i32(cx.mem, lenp);
        }
        K::FdPair | K::RecvBuf | K::MmsgSend => return None,
    }
    Some(true)
}

/// Renders output (or in/out) kind `k` of argument `i` at exit (see `events::output`).
pub(crate) fn output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) {
    match k {
        K::FdPair => fd_pair(cx, w, cx.warg(i)),
        K::RecvBuf => {
            let addr = cx.warg(i);
            match cx.ret_ok() {
                Some(r) => {
                    let env = Env::of(cx);
                    let len = (r as u64).min(cx.warg(i + 1));
                    if carries_netlink(cx, addr, len) {
                        netlink::decode(cx.mem, env, w, addr, len);
                    } else {
                        let _ = strn(cx.mem, env, w, addr, len);
                    }
                }
                None => w.ptr(addr),
            }
        }
        K::SockName | K::SockLen => sock_name(cx, w, i, k == K::SockName),
        K::FromAddr | K::FromLen => from_addr(cx, w, i, k == K::FromAddr),
        K::MsgHdrOut => msghdr::recvmsg_exit(cx, w, cx.warg(i)),
        K::MmsgSend => msghdr::sendmmsg(cx, w),
        K::MmsgRecv => msghdr::recvmmsg(cx, w),
        K::OptValOut | K::OptLen => sockopt::get_value(cx, w, k == K::OptValOut),
        _ => w.ptr(cx.warg(i)),
    }
}

/// What strace prints after a successful call's return value (see `events::ret_extra`).
pub(crate) fn ret_extra(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    match cx.desc.call {
        Call::Recvmmsg | Call::RecvmmsgTime64 => msghdr::recvmmsg_result(cx, w),
        _ => false,
    }
}

/// The socket calls of i386 that exist only through `socketcall` (no call number of their own).
pub(crate) static SOCKETCALL_ONLY: [SyscallDesc; 3] = [
    SyscallDesc {
        nr: 102,
        call: Call::Accept,
        nargs: 3,
        args: &[
            ArgKind::Fd,
            ArgKind::Net(K::SockName),
            ArgKind::Net(K::SockLen),
        ],
        arg_names: &["fd", "upeer_sockaddr", "upeer_addrlen"],
        ret: RetKind::Int,
    },
    SyscallDesc {
        nr: 102,
        call: Call::Send,
        nargs: 4,
        args: &[
            ArgKind::Fd,
            ArgKind::Net(K::SendBuf),
            ArgKind::Size,
            ArgKind::Net(K::MsgFlags),
        ],
        arg_names: &["fd", "buff", "len", "flags"],
        ret: RetKind::Int,
    },
    SyscallDesc {
        nr: 102,
        call: Call::Recv,
        nargs: 4,
        args: &[
            ArgKind::Fd,
            ArgKind::Net(K::RecvBuf),
            ArgKind::Size,
            ArgKind::Net(K::MsgFlags),
        ],
        arg_names: &["fd", "ubuf", "size", "flags"],
        ret: RetKind::Int,
    },
];

// ---- what every renderer of the family needs -------------------------------------------------

/// The call's facts a renderer below needs besides memory (memory is passed apart: a renderer may
/// read the entry's or the exit's).
#[derive(Debug, Clone, Copy)]
pub(super) struct Env {
    /// The ABI (layouts, word size).
    abi: Abi,
    /// strace's `-s`.
    limit: usize,
    /// Whether an unreadable part makes the whole argument wait for the exit (at entry: the page
    /// may not be faulted in yet) rather than print as a pointer (at exit, as strace does).
    strict: bool,
}

impl Env {
    pub(super) fn of(cx: &Ctx<'_>) -> Env {
        Env {
            abi: cx.abi,
            limit: cx.opts.string_limit,
            strict: !cx.exit,
        }
    }

    /// Bytes in a pointer / `long`.
    pub(super) fn ws(self) -> u64 {
        super::read::word_size(self.abi)
    }

    /// Most elements of an array shown (strace's `-s`).
    pub(super) fn max_elems(self) -> usize {
        self.limit.clamp(1, 1024)
    }

    /// What an unreadable part makes of a rendering: at entry the whole argument waits
    /// (`None`), at exit the pointer is printed in place.
    pub(super) fn unreadable(self, w: &mut Out<'_>, addr: u64) -> Option<()> {
        if self.strict {
            return None;
        }
        w.ptr(addr);
        Some(())
    }
}

/// A little-endian `i32` in guest memory.
pub(super) fn read_i32(mem: &mut dyn GuestMemory, addr: u64) -> Option<i32> {
    if addr == 0 {
        return None;
    }
    mem.read_u32(addr).map(|v| v as i32)
}

/// strace's `printflags`: names in table order, what is left as `|0x…`, only unknown bits as
/// `0x… /* DFLT */`, zero as the table's name for 0 or `0`.
pub(super) fn flags(w: &mut Out<'_>, v: u64, table: Xlat, dflt: &str) {
    if v == 0 {
        match table.iter().find(|&&(val, _)| val == 0) {
            Some(&(_, name)) => w.s(name),
            None => w.c('0'),
        }
        return;
    }
    let mut left = v;
    let mut n = 0;
    for &(bits, name) in table {
        if bits != 0 && left & bits == bits {
            if n > 0 {
                w.c('|');
            }
            w.s(name);
            n += 1;
            left &= !bits;
            if left == 0 {
                break;
            }
        }
    }
    if n == 0 {
        w.hex(left);
        w!(w, " /* {dflt} */");
    } else if left != 0 {
        w.c('|');
        w.hex(left);
    }
}

/// strace's `printxvals`: the name of `v` in the first table that has it, else `0x… /* DFLT */`.
pub(super) fn xvals(w: &mut Out<'_>, v: u64, tables: &[Xlat], dflt: &str) {
    for t in tables {
        if let Some(name) = crate::uapi::name_of(t, v) {
            w.s(name);
            return;
        }
    }
    w.hex(v);
    w!(w, " /* {dflt} */");
}

/// `PRINT_FIELD_XVAL` with no default: the name, or plain hex.
pub(super) fn xval_or_hex(w: &mut Out<'_>, v: u64, table: Xlat) {
    match crate::uapi::name_of(table, v) {
        Some(n) => w.s(n),
        None => w.hex(v),
    }
}

/// `PRINT_FIELD_XVAL_VERBOSE`: `0x… /* NAME */`, or plain hex (`0x… /* DFLT */` when given).
pub(super) fn xval_verbose(w: &mut Out<'_>, v: u64, table: Xlat, dflt: Option<&str>) {
    w.hex(v);
    match (crate::uapi::name_of(table, v), dflt) {
        (Some(n), _) | (None, Some(n)) => w!(w, " /* {n} */"),
        (None, None) => {}
    }
}

/// C's `%#0*llx` with the width of a `bytes`-byte field (`PRINT_VAL_0X`): `0x000005`, `00000000`.
pub(super) fn hex0(w: &mut Out<'_>, v: u64, bytes: usize) {
    let width = bytes * 2;
    if v == 0 {
        w!(w, "{:0width$}", 0);
    } else {
        w!(w, "{v:#0width$x}");
    }
}

/// strace's `print_quoted_string` of `bytes` as they are (`\0` for NUL bytes).
pub(super) fn quote(w: &mut Out<'_>, bytes: &[u8]) {
    w.quote(bytes, false, Quote::Default);
}

/// `print_quoted_string(…, QUOTE_0_TERMINATED)`: up to the first NUL; `true` when there was none.
pub(super) fn quote_z(w: &mut Out<'_>, bytes: &[u8]) -> bool {
    match bytes.iter().position(|&c| c == 0) {
        Some(end) => {
            w.quote(&bytes[..end], false, Quote::Default);
            false
        }
        None => {
            w.quote(bytes, false, Quote::Default);
            true
        }
    }
}

/// `print_quoted_cstring` of a fixed-size field: `"lo"`, or `"…"...` with no NUL in it.
pub(super) fn cstring(w: &mut Out<'_>, bytes: &[u8]) {
    // strace passes the field's size and looks at one byte less for the terminator.
    let n = bytes.len().saturating_sub(1);
    if quote_z(w, &bytes[..n]) && bytes.get(n) != Some(&0) {
        w.s("...");
    }
}

/// `QUOTE_FORCE_HEX`: every byte as `\xNN`.
pub(super) fn quote_hex(w: &mut Out<'_>, bytes: &[u8]) {
    w.quote(bytes, false, Quote::Hex);
}

/// strace's `printstrn`: `len` bytes at `addr`, cut at `-s` with `...` after the quote; the
/// pointer (or `None` at entry) when unreadable.
pub(super) fn strn(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    len: u64,
) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    // strace reads one byte more than it shows.
    let want = len.min((env.limit as u64).saturating_add(1)) as usize;
    let Some(b) = read_bytes(mem, addr, want) else {
        return env.unreadable(w, addr);
    };
    let shown = want.min(env.limit).min(b.len());
    w.quote(&b[..shown], len > env.limit as u64, Quote::Default);
    Some(())
}

/// An interface index as strace prints it: `if_nametoindex("lo")` for the loopback (index 1 in
/// every network namespace, `LOOPBACK_IFINDEX`), the number otherwise (strace asks the tracer's
/// host for names; the decoder cannot).
pub(super) fn ifindex(w: &mut Out<'_>, v: u32) {
    if v == 1 {
        w.s("if_nametoindex(\"lo\")");
    } else {
        w.uint(u64::from(v));
    }
}

/// `struct timespec` printed as strace does: `{tv_sec=1, tv_nsec=0}` (`tv_nsec` unsigned).
pub(super) fn timespec_bytes(w: &mut Out<'_>, b: &[u8], old32: bool) {
    use super::read::{le_u32, le_u64};
    if old32 {
        w!(
            w,
            "{{tv_sec={}, tv_nsec={}}}",
            le_u32(b, 0) as u32 as i32,
            le_u32(b, 4)
        );
    } else {
        w!(
            w,
            "{{tv_sec={}, tv_nsec={}}}",
            le_u64(b, 0) as i64,
            le_u64(b, 8)
        );
    }
}

/// strace's `print_array` over elements of `size` bytes at `addr`, `n` of them: `NULL`, `[]`,
/// the pointer when the first is unreadable, `..., ... /* 0x… */` when a later one is, at most `-s`
/// elements then `...`. `elem` prints one element from its bytes and says whether to go on (`None`:
/// the whole argument waits for the exit).
pub(super) fn array(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    n: u64,
    size: u64,
    mut elem: impl FnMut(&mut dyn GuestMemory, &mut Out<'_>, &[u8]) -> Option<bool>,
) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    if n == 0 {
        w.s("[]");
        return Some(());
    }
    if n.checked_mul(size)
        .and_then(|t| addr.checked_add(t))
        .is_none()
    {
        w.ptr(addr);
        return Some(());
    }
    let max = env.max_elems() as u64;
    for k in 0..n {
        let at = addr.wrapping_add(k * size);
        if k > 0 {
            w.s(", ");
        }
        let Some(b) = read_bytes(mem, at, size as usize) else {
            if k == 0 {
                return env.unreadable(w, addr);
            }
            w.s("...");
            w!(w, " /* {at:#x} */");
            break;
        };
        if k == 0 {
            w.c('[');
        }
        if k >= max {
            w.s("...");
            break;
        }
        if !elem(mem, w, &b)? {
            break;
        }
    }
    w.c(']');
    Some(())
}

// ---- the calls' simpler arguments ------------------------------------------------------------

/// `SOCK_STREAM|SOCK_CLOEXEC`: the type by name, then its flags.
fn sock_type(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    match crate::uapi::name_of(net::SOCK_TYPES, v & 0xf) {
        Some(name) => {
            w.s(name);
            let rest = v & !0xf;
            if rest != 0 {
                w.c('|');
                flags(w, rest, net::SOCK_FLAGS, "SOCK_???");
            }
        }
        None => flags(w, v, net::SOCK_FLAGS, "SOCK_???"),
    }
}

/// `socket`'s protocol, named after the family.
fn protocol(w: &mut Out<'_>, abi: Abi, family: u64, v: u64) {
    let p = v & 0xffff_ffff;
    let table: (Xlat, &str) = match family & 0xffff_ffff {
        2 | 10 => (net::IPPROTO, "IPPROTO_???"),
        3 => {
            xval_verbose(w, p, net::AX25_PROTOCOLS, Some("AX25_P_???"));
            return;
        }
        16 => (net::NETLINK, "NETLINK_???"),
        17 => {
            w.s("htons(");
            w.xlat(
                u64::from((p as u16).swap_bytes()),
                net::ETH_PROTOCOLS,
                "ETH_P_???",
            );
            w.c(')');
            return;
        }
        23 => (net::CAN_PROTOCOLS, "IRDAPROTO_???"),
        29 => (net::CAN_PROTOCOLS, "CAN_???"),
        31 => (net::BT_PROTOCOLS, "BTPROTO_???"),
        33 => (net::FAMILIES, "AF_???"),
        34 => (net::ISDN_PROTOCOLS, "ISDN_P_???"),
        35 => (net::PHONET_PROTOCOLS, "PN_PROTO_???"),
        37 => (net::CAIF_PROTOCOLS, "CAIFPROTO_???"),
        39 => (net::NFC_PROTOCOLS, "NFC_SOCKPROTO_???"),
        41 => (net::KCM_PROTOCOLS, "KCMPROTO_???"),
        43 => (net::SMC_PROTOCOLS, "SMCPROTO_???"),
        _ => {
            w.uint(word(abi, v));
            return;
        }
    };
    w.xlat(p, table.0, table.1);
}

/// `socketpair`'s `[3, 4]` at exit; the pointer when the call failed.
fn fd_pair(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    let env = Env {
        strict: false,
        ..Env::of(cx)
    };
    if !cx.ok() {
        w.ptr(addr);
        return;
    }
    let _ = array(cx.mem, env, w, addr, 2, 4, |_, w, b| {
        w.int(i64::from(super::read::le_u32(b, 0) as u32 as i32));
        Some(true)
    });
}

/// `AF_NETLINK`.
pub(super) const AF_NETLINK: u16 = 16;

/// The family of the socket address at `addr`, when readable.
fn family_at(mem: &mut dyn GuestMemory, addr: u64) -> Option<u16> {
    if addr == 0 {
        return None;
    }
    read_bytes(mem, addr, 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

/// Whether the data of a `send`/`sendto`/`recv`/`recvfrom` (`len` bytes at `addr`) went through a
/// netlink socket, which strace shows as netlink messages (it asks `/proc` what the fd is). With no
/// table of fds, the address the call carries tells (`AF_NETLINK`: yes, another family: no); with
/// none, the data does: a chain of well-formed netlink messages filling it exactly.
fn carries_netlink(cx: &mut Ctx<'_>, addr: u64, len: u64) -> bool {
    let (peer, peer_len) = (cx.warg(4), cx.warg(5));
    let family = match cx.desc.call {
        Call::Sendto if peer != 0 && cx.arg(5) as u32 as i32 >= 2 => family_at(cx.mem, peer),
        Call::Recvfrom if given_len(cx.mem, peer, peer_len).is_some_and(|l| l >= 2) => {
            family_at(cx.mem, peer)
        }
        _ => None,
    };
    match family {
        Some(f) => f == AF_NETLINK,
        None => netlink::well_formed(cx.mem, addr, len),
    }
}

/// The length a `socklen_t *` held at entry, when the address and the pointer are both given and
/// it could be read (strace's `fetch_socklen`).
fn given_len(mem: &mut dyn GuestMemory, addr: u64, lenp: u64) -> Option<i32> {
    if addr == 0 {
        return None;
    }
    read_i32(mem, lenp)
}

/// `[16]`, or `[128 => 16]` when the call changed the length.
fn len_pair(w: &mut Out<'_>, before: i32, after: i32) {
    if before == after {
        w!(w, "[{after}]");
    } else {
        w!(w, "[{before} => {after}]");
    }
}

/// `accept`/`getsockname`/`getpeername`: the address (`addr_arg`) or its length, at exit.
fn sock_name(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, addr_arg: bool) {
    let a = if addr_arg { i } else { i - 1 };
    let (addr, lenp) = (cx.warg(a), cx.warg(a + 1));
    let Some(ulen) = given_len(cx.entry_mem(), addr, lenp) else {
        w.ptr(if addr_arg { addr } else { lenp });
        return;
    };
    let rlen = if cx.ok() {
        read_i32(cx.mem, lenp)
    } else {
        None
    };
    match rlen {
        None if addr_arg => w.ptr(addr),
        None => w!(w, "[{ulen}]"),
        Some(r) if addr_arg => {
            let env = Env::of(cx);
            let _ = sockaddr::decode(cx.mem, env, w, addr, ulen.min(r));
        }
        Some(r) => len_pair(w, ulen, r),
    }
}

/// `recvfrom`'s source address (`addr_arg`) or its length, at exit.
fn from_addr(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, addr_arg: bool) {
    let a = if addr_arg { i } else { i - 1 };
    let (addr, lenp) = (cx.warg(a), cx.warg(a + 1));
    // strace keeps 0 when the entry could not read the length.
    let ulen = given_len(cx.entry_mem(), addr, lenp).unwrap_or(0);
    let Some(rlen) = given_len(cx.mem, addr, lenp) else {
        w.ptr(if addr_arg { addr } else { lenp });
        return;
    };
    match (cx.ok(), addr_arg) {
        (false, true) => w.ptr(addr),
        (false, false) => w!(w, "[{ulen}]"),
        (true, true) => {
            let env = Env::of(cx);
            let _ = sockaddr::decode(cx.mem, env, w, addr, ulen.min(rlen));
        }
        (true, false) => len_pair(w, ulen, rlen),
    }
}

/// `recvmmsg`'s timeout at entry: `{tv_sec=1, tv_nsec=0}`, `NULL`, or the pointer.
fn timeout_arg(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, old32: bool) {
    if addr == 0 {
        w.s("NULL");
        return;
    }
    let size = if old32 { 8 } else { 16 };
    match read_bytes(cx.mem, addr, size) {
        Some(b) => timespec_bytes(w, &b, old32),
        None => w.ptr(addr),
    }
}
