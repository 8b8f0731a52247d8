//! Netlink messages in a socket's data, as strace 6.1's `netlink.c` prints them when it cannot
//! tell the socket's netlink protocol: `[{nlmsg_len=20, nlmsg_type=0x12 /* NLMSG_??? */,
//! nlmsg_flags=NLM_F_REQUEST|0x300, nlmsg_seq=1, nlmsg_pid=0}, "\x00\x01\x0d\xb8"]`, the control
//! messages (`NLMSG_ERROR` with the message it answers and its extended-ack attributes,
//! `NLMSG_DONE`) decoded, every other payload in hex.
//!
//! strace knows a socket is a netlink one from `/proc` (for `send`, `sendto`, `recv`, `recvfrom`)
//! or from the message's name (`sendmsg`, `recvmsg`); the decoder, with no table of fds, knows it
//! from the addresses a call carries, or without one from data that is a chain of well-formed
//! netlink messages (see `mod.rs`). The protocol strace learns through the
//! `NETLINK_SOCK_DIAG` interface, which the default guest's kernel lacks (a module): strace there
//! prints what is printed here.

use vmscope_core::guest::GuestMemory;

use super::super::out::{Out, Quote, w};
use super::super::read::{le_u32, read_bytes};
use super::{Env, flags, quote_hex};
use crate::uapi::Xlat;

/// `struct nlmsghdr`'s size (`NLMSG_HDRLEN`).
const HDR: u64 = 16;

/// `NLMSG_*` control message types.
const TYPES: Xlat = &[
    (1, "NLMSG_NOOP"),
    (2, "NLMSG_ERROR"),
    (3, "NLMSG_DONE"),
    (4, "NLMSG_OVERRUN"),
];

/// `NLM_F_*` flags of every message.
const FLAGS: Xlat = &[
    (1, "NLM_F_REQUEST"),
    (2, "NLM_F_MULTI"),
    (4, "NLM_F_ACK"),
    (8, "NLM_F_ECHO"),
    (0x10, "NLM_F_DUMP_INTR"),
    (0x20, "NLM_F_DUMP_FILTERED"),
];

/// `NLM_F_*` flags of an acknowledgement (`NLMSG_ERROR`): the common ones, then its own.
const ACK_FLAGS: Xlat = &[
    (1, "NLM_F_REQUEST"),
    (2, "NLM_F_MULTI"),
    (4, "NLM_F_ACK"),
    (8, "NLM_F_ECHO"),
    (0x10, "NLM_F_DUMP_INTR"),
    (0x20, "NLM_F_DUMP_FILTERED"),
    (0x100, "NLM_F_CAPPED"),
    (0x200, "NLM_F_ACK_TLVS"),
];

/// `NLMSGERR_ATTR_*` of an extended acknowledgement.
const ERR_ATTRS: Xlat = &[
    (0, "NLMSGERR_ATTR_UNUSED"),
    (1, "NLMSGERR_ATTR_MSG"),
    (2, "NLMSGERR_ATTR_OFFS"),
    (3, "NLMSGERR_ATTR_COOKIE"),
    (4, "NLMSGERR_ATTR_POLICY"),
    (5, "NLMSGERR_ATTR_MISS_TYPE"),
    (6, "NLMSGERR_ATTR_MISS_NEST"),
];

/// How deep acknowledgements may nest (each holds the message it answers).
const MAX_DEPTH: u32 = 8;

/// A `struct nlmsghdr`.
#[derive(Debug, Clone, Copy)]
struct Hdr {
    len: u32,
    ty: u16,
    flags: u16,
    seq: u32,
    pid: u32,
}

fn parse(b: &[u8]) -> Hdr {
    Hdr {
        len: le_u32(b, 0) as u32,
        ty: u16::from_le_bytes([b[4], b[5]]),
        flags: u16::from_le_bytes([b[6], b[7]]),
        seq: le_u32(b, 8) as u32,
        pid: le_u32(b, 12) as u32,
    }
}

/// `printstr_ex(…, QUOTE_FORCE_HEX)`: `len` bytes at `addr` in hex, cut at `-s`.
fn hex_str(mem: &mut dyn GuestMemory, env: Env, w: &mut Out<'_>, addr: u64, len: u64) {
    if addr == 0 {
        w.s("NULL");
        return;
    }
    let want = len.min((env.limit as u64).saturating_add(1)) as usize;
    match read_bytes(mem, addr, want) {
        Some(b) => {
            let shown = want.min(env.limit).min(b.len());
            quote_hex(w, &b[..shown]);
            if len > env.limit as u64 {
                w.s("...");
            }
        }
        None => w.ptr(addr),
    }
}

/// Whether `len` bytes at `addr` are a chain of well-formed netlink messages filling them exactly
/// (each at least a header long, within what is left, with flags among `NLM_F_*`'s bits), the
/// data of a netlink socket as far as the data can tell.
pub(super) fn well_formed(mem: &mut dyn GuestMemory, addr: u64, len: u64) -> bool {
    if addr == 0 || len < HDR {
        return false;
    }
    let mut off = 0u64;
    for _ in 0..256 {
        let left = len - off;
        if left < HDR {
            return false;
        }
        let Some(b) = read_bytes(mem, addr.wrapping_add(off), HDR as usize) else {
            return false;
        };
        let h = parse(&b);
        let l = u64::from(h.len);
        if l < HDR || l > left || h.flags >= 0x1000 {
            return false;
        }
        let aligned = (l + 3) & !3;
        if aligned >= left {
            return l == left || aligned == left;
        }
        off += aligned;
    }
    false
}

/// strace's `decode_netlink` for a socket of unknown protocol: the messages in `len` bytes at
/// `addr`, at most `-s` of them.
pub(super) fn decode(mem: &mut dyn GuestMemory, env: Env, w: &mut Out<'_>, addr: u64, len: u64) {
    messages(mem, env, w, addr, len, 0);
}

fn messages(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    mut addr: u64,
    mut len: u64,
    depth: u32,
) {
    let mut in_array = false;
    let mut elt = 0usize;
    loop {
        if len < HDR {
            hex_str(mem, env, w, addr, len);
            break;
        }
        let Some(b) = read_bytes(mem, addr, HDR as usize) else {
            if in_array {
                w!(w, "... /* {addr:#x} */");
            } else {
                w.ptr(addr);
            }
            break;
        };
        if elt == env.max_elems() {
            w.s("...");
            break;
        }
        let h = parse(&b);
        let aligned = u64::from(h.len.wrapping_add(3) & !3);
        let mut next = None;
        if u64::from(h.len) >= HDR {
            let next_len = len.saturating_sub(aligned);
            if next_len != 0 && addr.checked_add(aligned).is_some_and(|a| a > addr) {
                next = Some((addr + aligned, next_len));
            }
        }
        if !in_array && next.is_some() {
            w.c('[');
            in_array = true;
        }
        with_payload(mem, env, w, &h, addr, len, depth);
        let Some((a, l)) = next else {
            break;
        };
        w.s(", ");
        addr = a;
        len = l;
        elt += 1;
    }
    if in_array {
        w.c(']');
    }
}

/// `[{nlmsg_len=…, …}, payload]`, or the header alone when the message has no payload.
fn with_payload(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    h: &Hdr,
    addr: u64,
    len: u64,
    depth: u32,
) {
    let n = u64::from(h.len).min(len);
    if n > HDR {
        w.c('[');
    }
    header(w, h);
    if n > HDR {
        w.s(", ");
        payload(mem, env, w, h, addr + HDR, n - HDR, depth);
        w.c(']');
    }
}

fn header(w: &mut Out<'_>, h: &Hdr) {
    w!(w, "{{nlmsg_len={}, nlmsg_type=", h.len);
    w.xlat(u64::from(h.ty), TYPES, "NLMSG_???");
    w.s(", nlmsg_flags=");
    let table = if h.ty == 2 { ACK_FLAGS } else { FLAGS };
    flags(w, u64::from(h.flags), table, "NLM_F_???");
    w!(w, ", nlmsg_seq={}, nlmsg_pid={}}}", h.seq, h.pid as i32);
}

fn payload(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    h: &Hdr,
    addr: u64,
    len: u64,
    depth: u32,
) {
    match h.ty {
        2 if depth < MAX_DEPTH => error(mem, env, w, addr, len, h.flags & 0x100 != 0, depth),
        3 if len == 4 => match mem.read_u32(addr) {
            Some(v) => w.int(i64::from(v as i32)),
            None => w.ptr(addr),
        },
        _ => hex_str(mem, env, w, addr, len),
    }
}

/// `NLMSG_ERROR`'s `struct nlmsgerr`: the error, the message it answers (capped: its header),
/// then the extended-ack attributes.
fn error(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    len: u64,
    capped: bool,
    depth: u32,
) {
    if len < 4 + HDR {
        hex_str(mem, env, w, addr, len);
        return;
    }
    let Some(b) = read_bytes(mem, addr, (4 + HDR) as usize) else {
        w.ptr(addr);
        return;
    };
    let err = le_u32(&b, 0) as u32 as i32;
    let msg = parse(&b[4..]);
    let addr = addr + 4;
    let len = len - 4;
    let msg_len = HDR.max(u64::from(msg.len));
    let pay = len.min(if capped { HDR } else { msg_len });
    if len > pay {
        w.c('[');
    }
    w.s("{error=");
    match super::super::errno_name(err.unsigned_abs()) {
        Some((name, _)) if err < 0 => w!(w, "-{name}"),
        _ => w.int(i64::from(err)),
    }
    w.s(", msg=");
    with_payload(mem, env, w, &msg, addr, pay, depth + 1);
    w.c('}');
    if len > pay {
        w.s(", ");
        attrs(mem, env, w, addr + pay, len - pay);
        w.c(']');
    }
}

/// strace's `decode_nlattr` over the extended-ack attributes.
fn attrs(mem: &mut dyn GuestMemory, env: Env, w: &mut Out<'_>, mut addr: u64, mut len: u64) {
    let mut in_array = false;
    let mut elt = 0usize;
    loop {
        if len < 4 {
            hex_str(mem, env, w, addr, len);
            break;
        }
        let Some(b) = read_bytes(mem, addr, 4) else {
            if in_array {
                w!(w, "... /* {addr:#x} */");
            } else {
                w.ptr(addr);
            }
            break;
        };
        if elt == env.max_elems() {
            w.s("...");
            break;
        }
        let nla_len = u64::from(u16::from_le_bytes([b[0], b[1]]));
        let nla_type = u16::from_le_bytes([b[2], b[3]]);
        let aligned = (nla_len + 3) & !3;
        let mut next = None;
        if nla_len >= 4 {
            let next_len = len.saturating_sub(aligned);
            if next_len != 0 {
                next = Some((addr + aligned, next_len));
            }
        }
        if !in_array && next.is_some() {
            w.c('[');
            in_array = true;
        }
        let n = nla_len.min(len);
        if n > 4 {
            w.c('[');
        }
        w!(w, "{{nla_len={nla_len}, nla_type=");
        if nla_type & 0x8000 != 0 {
            w.s("NLA_F_NESTED|");
        }
        if nla_type & 0x4000 != 0 {
            w.s("NLA_F_NET_BYTEORDER|");
        }
        w.xlat(u64::from(nla_type & 0x3fff), ERR_ATTRS, "NLMSGERR_ATTR_???");
        w.c('}');
        if n > 4 {
            w.s(", ");
            attr_data(mem, env, w, nla_type & 0x3fff, addr + 4, n - 4);
            w.c(']');
        }
        let Some((a, l)) = next else {
            break;
        };
        w.s(", ");
        addr = a;
        len = l;
        elt += 1;
    }
    if in_array {
        w.c(']');
    }
}

/// An extended-ack attribute's data: the message as a string, the offset as a number, the cookie
/// as bytes, the rest in hex.
fn attr_data(mem: &mut dyn GuestMemory, env: Env, w: &mut Out<'_>, ty: u16, addr: u64, len: u64) {
    match ty {
        // NLMSGERR_ATTR_MSG: a string whose trailing NUL is left out.
        1 => {
            let want = len.min((env.limit as u64).saturating_add(1)) as usize;
            let Some(b) = read_bytes(mem, addr, want) else {
                w.ptr(addr);
                return;
            };
            let size = want.min(env.limit).min(b.len());
            let shown = &b[..size];
            match shown.split_last() {
                Some((0, rest)) => w.quote(rest, false, Quote::Default),
                _ => w.quote(shown, len != 0, Quote::Default),
            }
        }
        2 if len >= 4 => match mem.read_u32(addr) {
            Some(v) => w.uint(u64::from(v)),
            None => w.ptr(addr),
        },
        3 => {
            let _ = super::array(
                mem,
                Env {
                    strict: false,
                    ..env
                },
                w,
                addr,
                len,
                1,
                |_, w, b| {
                    w.uint(u64::from(b[0]));
                    Some(true)
                },
            );
        }
        _ => hex_str(mem, env, w, addr, len),
    }
}
