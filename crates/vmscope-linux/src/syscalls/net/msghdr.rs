//! Messages as strace 6.1's `msghdr.c` and `mmsghdr.c` print them: `struct msghdr` with its name,
//! `iovec`s (the data cut at what the call transferred) and control messages (`SCM_RIGHTS`,
//! `SCM_CREDENTIALS`, timestamps, `IP_*`), and `struct mmsghdr` arrays with `msg_len`.
//!
//! Layouts per ABI: x86_64 `struct msghdr` is 56 bytes (pointers and sizes of 8), i386's 28;
//! `struct mmsghdr` adds `msg_len` (64 and 32 bytes); `struct cmsghdr` is 16 and 12 bytes.

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes};
use super::{Env, array, flags, ifindex, quote, sockaddr, strn, timespec_bytes};
use crate::uapi::net;

/// strace's `IOV_MAX`: the most messages it remembers of a `recvmmsg`.
const IOV_MAX: u64 = 1024;

/// The most control-message bytes read (strace: the guest's `net.core.optmem_max`, 20480 by
/// default on 6.1; reads here are bounded lower).
const CONTROL_MAX: u64 = 16384;

/// A `struct msghdr` as read.
#[derive(Debug, Clone, Copy)]
struct Msg {
    name: u64,
    namelen: u32,
    iov: u64,
    iovlen: u64,
    control: u64,
    controllen: u64,
    flags: u32,
}

/// Bytes of `struct msghdr` in an ABI.
fn msghdr_size(abi: Abi) -> u64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => 56,
        Abi::I386 => 28,
    }
}

/// Bytes of `struct mmsghdr`.
fn mmsghdr_size(abi: Abi) -> u64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => 64,
        Abi::I386 => 32,
    }
}

/// A `struct msghdr` from its bytes.
fn parse(abi: Abi, b: &[u8]) -> Msg {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => Msg {
            name: le_u64(b, 0),
            namelen: le_u32(b, 8) as u32,
            iov: le_u64(b, 16),
            iovlen: le_u64(b, 24),
            control: le_u64(b, 32),
            controllen: le_u64(b, 40),
            flags: le_u32(b, 48) as u32,
        },
        Abi::I386 => Msg {
            name: le_u32(b, 0),
            namelen: le_u32(b, 4) as u32,
            iov: le_u32(b, 8),
            iovlen: le_u32(b, 12),
            control: le_u32(b, 16),
            controllen: le_u32(b, 20),
            flags: le_u32(b, 24) as u32,
        },
    }
}

/// Reads a `struct msghdr` (strace's `fetch_struct_msghdr`).
fn fetch(mem: &mut dyn GuestMemory, abi: Abi, addr: u64) -> Option<Msg> {
    if addr == 0 {
        return None;
    }
    let b = read_bytes(mem, addr, msghdr_size(abi) as usize)?;
    Some(parse(abi, &b))
}

/// `sendmsg`'s message at entry (`None`: wait for the exit).
pub(super) fn sendmsg(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let env = Env::of(cx);
    let Some(m) = fetch(cx.mem, env.abi, addr) else {
        if addr == 0 {
            w.s("NULL");
            return Some(());
        }
        return env.unreadable(w, addr);
    };
    msghdr(cx.mem, env, w, &m, None, None)
}

/// `recvmsg` at entry: what the exit compares with (the name length given).
pub(super) fn recvmsg_entry(cx: &mut Ctx<'_>, addr: u64) {
    let _ = fetch(cx.mem, cx.abi, addr);
}

/// `recvmsg`'s message at exit: the message as received (the data cut at the bytes received),
/// `{msg_namelen=N}` when the call failed, the pointer when the entry could not read it.
pub(super) fn recvmsg_exit(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    let abi = cx.abi;
    let Some(given) = fetch(cx.entry_mem(), abi, addr) else {
        w.ptr(addr);
        return;
    };
    let Some(ret) = cx.ret_ok() else {
        w!(w, "{{msg_namelen={}}}", given.namelen as i32);
        return;
    };
    let env = Env::of(cx);
    match fetch(cx.mem, abi, addr) {
        Some(m) => {
            let _ = msghdr(
                cx.mem,
                env,
                w,
                &m,
                Some(given.namelen as i32),
                Some(ret as u64),
            );
        }
        None => w.ptr(addr),
    }
}

/// strace's `print_struct_msghdr`: `user_namelen` is the name length given (received messages),
/// `data` the bytes the call transferred (`None`: all of every buffer).
fn msghdr(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    m: &Msg,
    user_namelen: Option<i32>,
    data: Option<u64>,
) -> Option<()> {
    let kernel_namelen = m.namelen as i32;
    let namelen = match user_namelen {
        Some(u) if kernel_namelen > u => u,
        _ => kernel_namelen,
    };
    w.s("{msg_name=");
    let family = sockaddr::decode(mem, env, w, m.name, namelen)?;
    w.s(", msg_namelen=");
    if let Some(u) = user_namelen
        && u != kernel_namelen
    {
        w!(w, "{u} => ");
    }
    w.int(i64::from(kernel_namelen));
    w.s(", msg_iov=");
    // strace decodes the data of a message named by a netlink address as netlink messages.
    let netlink = family == i32::from(super::AF_NETLINK);
    iovec(mem, env, w, m.iov, m.iovlen, data, netlink)?;
    w!(w, ", msg_iovlen={}", m.iovlen);
    if m.controllen != 0 {
        w.s(", msg_control=");
        control(mem, env, w, m.control, m.controllen)?;
    }
    w!(w, ", msg_controllen={}, msg_flags=", m.controllen);
    flags(w, u64::from(m.flags), net::MSG_FLAGS, "MSG_???");
    w.c('}');
    Some(())
}

/// `[{iov_base="…", iov_len=5}]`: at most `-s` elements, each buffer cut at `-s`, and at what is
/// left of `data` (the bytes the call transferred) when given; `netlink`: the buffers hold netlink
/// messages.
fn iovec(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    n: u64,
    data: Option<u64>,
    netlink: bool,
) -> Option<()> {
    let ws = env.ws();
    let mut left = data;
    array(mem, env, w, addr, n, 2 * ws, |mem, w, b| {
        let (base, len) = match env.abi {
            Abi::X86_64 | Abi::Aarch64 => (le_u64(b, 0), le_u64(b, 8)),
            Abi::I386 => (le_u32(b, 0), le_u32(b, 4)),
        };
        let show = match left {
            Some(l) => {
                let s = len.min(l);
                left = Some(l - s);
                s
            }
            None => len,
        };
        w.s("{iov_base=");
        if netlink {
            if env.strict && show != 0 && read_bytes(mem, base, 1).is_none() {
                return None;
            }
            super::netlink::decode(mem, env, w, base, show);
        } else {
            strn(mem, env, w, base, show)?;
        }
        w!(w, ", iov_len={len}}}");
        Some(true)
    })
}

/// strace's `decode_msg_control`: the control messages of `len` bytes at `addr`.
fn control(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    in_len: u64,
) -> Option<()> {
    let (hdr, ws) = match env.abi {
        Abi::X86_64 | Abi::Aarch64 => (16u64, 8u64),
        Abi::I386 => (12, 4),
    };
    let control_len = in_len.min(CONTROL_MAX);
    if control_len < hdr {
        w.ptr(addr);
        return Some(());
    }
    let Some(buf) = read_bytes(mem, addr, control_len as usize) else {
        return env.unreadable(w, addr);
    };
    let mut off = 0u64;
    let mut buf_len = control_len;
    w.c('[');
    while buf_len >= hdr {
        let o = off as usize;
        let cmsg_len = match env.abi {
            Abi::X86_64 | Abi::Aarch64 => le_u64(&buf, o),
            Abi::I386 => le_u32(&buf, o),
        };
        let level = le_u32(&buf, o + ws as usize) as u32;
        let ty = le_u32(&buf, o + ws as usize + 4) as u32;
        if off != 0 {
            w.s(", ");
        }
        w!(w, "{{cmsg_len={cmsg_len}, cmsg_level=");
        w.xlat(u64::from(level), net::SOCKET_LEVELS, "SOL_???");
        w.s(", cmsg_type=");
        let len = cmsg_len.min(buf_len);
        let data_len = len.saturating_sub(hdr);
        let start = (off + hdr) as usize;
        let data = &buf[start.min(buf.len())..(start + data_len as usize).min(buf.len())];
        cmsg_data(w, env, level, ty, data);
        w.c('}');
        if len < hdr {
            buf_len -= hdr;
            break;
        }
        // The next message is word-aligned (a wrapped length ends the walk, as nothing follows).
        let step = cmsg_len.wrapping_add(ws - 1) & !(ws - 1);
        if step >= buf_len || step == 0 {
            buf_len = 0;
            break;
        }
        off += step;
        buf_len -= step;
    }
    if buf_len != 0 {
        w!(
            w,
            ", ... /* {:#x} */",
            addr.wrapping_add(control_len - buf_len)
        );
    } else if control_len < in_len {
        w.s(", ...");
    }
    w.c(']');
    Some(())
}

/// A control message's type, then its data when strace decodes it (`, cmsg_data=[5]`).
fn cmsg_data(w: &mut Out<'_>, env: Env, level: u32, ty: u32, data: &[u8]) {
    let n = data.len();
    match level {
        // SOL_SOCKET
        1 => {
            w.xlat(u64::from(ty), net::SCM_TYPES, "SCM_???");
            let min = match ty {
                1 => 4,
                2 => 12,
                3 | 29 | 35 | 37 | 63..=65 => 1,
                _ => return,
            };
            if n < min {
                return;
            }
            w.s(", cmsg_data=");
            match ty {
                1 => u32_array(w, env, data, |w, v| w.int(i64::from(v as i32))),
                2 => {
                    w!(w, "{{pid={}, uid=", le_u32(data, 0) as u32 as i32);
                    id(w, le_u32(data, 4) as u32);
                    w.s(", gid=");
                    id(w, le_u32(data, 8) as u32);
                    w.c('}');
                }
                3 => quote(w, data),
                29 => {
                    let size = if env.abi == Abi::I386 { 8 } else { 16 };
                    if n < size {
                        w.s("???");
                    } else {
                        timeval(w, data, env.abi == Abi::I386);
                    }
                }
                35 => timespecs(w, data, env.abi == Abi::I386, 1),
                37 => timespecs(w, data, env.abi == Abi::I386, 3),
                63 => {
                    if n < 16 {
                        w.s("???");
                    } else {
                        timeval(w, data, false);
                    }
                }
                64 => timespecs(w, data, false, 1),
                _ => timespecs(w, data, false, 3),
            }
        }
        // SOL_IP
        0 => {
            w.xlat(u64::from(ty), net::IP_CMSG_TYPES, "IP_???");
            let min = match ty {
                8 => 12,
                2 | 23 => 4,
                1 | 6 | 7 | 3 => 1,
                11 => 32,
                20 => 16,
                _ => return,
            };
            if n < min {
                return;
            }
            w.s(", cmsg_data=");
            match ty {
                8 => {
                    w.s("{ipi_ifindex=");
                    ifindex(w, le_u32(data, 0) as u32);
                    w.s(", ipi_spec_dst=");
                    sockaddr::inet_addr(w, &data[4..8]);
                    w.s(", ipi_addr=");
                    sockaddr::inet_addr(w, &data[8..12]);
                    w.c('}');
                }
                2 | 23 => u32_array(w, env, data, |w, v| w.uint(u64::from(v))),
                1 | 6 | 7 => {
                    let max = env.max_elems();
                    w.c('[');
                    for (i, c) in data.iter().enumerate() {
                        if i > 0 {
                            w.s(", ");
                        }
                        if i >= max {
                            w.s("...");
                            break;
                        }
                        w.hex(u64::from(*c));
                    }
                    w.c(']');
                }
                3 => quote(w, data),
                11 => {
                    w!(
                        w,
                        "{{ee_errno={}, ee_origin={}, ee_type={}, ee_code={}, ee_info={}, \
                         ee_data={}, offender=",
                        le_u32(data, 0),
                        data[4],
                        data[5],
                        data[6],
                        le_u32(data, 8),
                        le_u32(data, 12)
                    );
                    sockaddr::print_local(w, env, &data[16..32], 16);
                    w.c('}');
                }
                _ => sockaddr::print_local(w, env, data, n),
            }
        }
        _ => w.hex(u64::from(ty)),
    }
}

/// A uid or gid: `-1` for the all-ones value, unsigned otherwise.
fn id(w: &mut Out<'_>, v: u32) {
    if v == u32::MAX {
        w.s("-1");
    } else {
        w.uint(u64::from(v));
    }
}

/// An array of 32-bit values held in a control message: at most `-s` of them, then `...`.
fn u32_array(w: &mut Out<'_>, env: Env, data: &[u8], mut each: impl FnMut(&mut Out<'_>, u32)) {
    let max = env.max_elems();
    w.c('[');
    for (i, c) in data.chunks_exact(4).enumerate() {
        if i > 0 {
            w.s(", ");
        }
        if i >= max {
            w.s("...");
            break;
        }
        each(w, u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    }
    w.c(']');
}

/// `{tv_sec=…, tv_usec=…}` of a timeval (`old32`: i386's two 32-bit longs).
fn timeval(w: &mut Out<'_>, b: &[u8], old32: bool) {
    if old32 {
        w!(
            w,
            "{{tv_sec={}, tv_usec={}}}",
            le_u32(b, 0) as u32 as i32,
            le_u32(b, 4)
        );
    } else {
        w!(
            w,
            "{{tv_sec={}, tv_usec={}}}",
            le_u64(b, 0) as i64,
            le_u64(b, 8)
        );
    }
}

/// `n` timespecs held in a control message (one: the struct, several: an array); `???` when the
/// data is too short.
fn timespecs(w: &mut Out<'_>, b: &[u8], old32: bool, n: usize) {
    let size = if old32 { 8 } else { 16 };
    if b.len() < n * size {
        w.s("???");
        return;
    }
    if n == 1 {
        timespec_bytes(w, b, old32);
        return;
    }
    w.c('[');
    for i in 0..n {
        if i > 0 {
            w.s(", ");
        }
        timespec_bytes(w, &b[i * size..], old32);
    }
    w.c(']');
}

/// `sendmmsg`'s vector at exit (strace decodes it after the call, even a failed one): each message
/// with the bytes sent (`msg_len`) for those the call returned.
pub(super) fn sendmmsg(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let env = Env {
        strict: false,
        ..Env::of(cx)
    };
    let addr = cx.warg(1);
    let vlen = cx.arg(2) & 0xffff_ffff;
    let sent = cx.ret_ok().map_or(0, |r| r as u64);
    mmsgvec(cx.mem, env, w, addr, vlen, sent, None);
}

/// `recvmmsg` at entry: the name lengths given (as many as the exit may show).
pub(super) fn recvmmsg_entry(cx: &mut Ctx<'_>) {
    let _ = given_namelens(cx);
}

/// The name lengths of the messages the entry could read (strace's `save_mmsgvec_namelen`), as
/// many as can be shown.
fn given_namelens(cx: &mut Ctx<'_>) -> Vec<i32> {
    let abi = cx.abi;
    let addr = cx.warg(1);
    let vlen = (cx.arg(2) & 0xffff_ffff)
        .min(IOV_MAX)
        .min(super::super::structs::max_elems(cx) as u64);
    let size = mmsghdr_size(abi);
    let mut out = Vec::new();
    let mem = cx.entry_mem();
    for k in 0..vlen {
        let Some(m) = fetch(mem, abi, addr.wrapping_add(k * size)) else {
            break;
        };
        out.push(m.namelen as i32);
    }
    out
}

/// `recvmmsg`'s vector at exit: the messages received, each with its `msg_len`; the pointer when
/// the call failed.
pub(super) fn recvmmsg(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let addr = cx.warg(1);
    let Some(ret) = cx.ret_ok() else {
        w.ptr(addr);
        return;
    };
    let namelens = given_namelens(cx);
    let env = Env {
        strict: false,
        ..Env::of(cx)
    };
    let n = ret as u64 & 0xffff_ffff;
    mmsgvec(cx.mem, env, w, addr, n, n, Some(&namelens));
}

/// strace's `decode_mmsgvec`: `n` messages, the first `with_len` with `msg_len`; `namelens` the
/// name lengths given (received messages: also the data is cut at `msg_len`).
fn mmsgvec(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    n: u64,
    with_len: u64,
    namelens: Option<&[i32]>,
) {
    let size = mmsghdr_size(env.abi);
    let len_off = msghdr_size(env.abi) as usize;
    let mut count = IOV_MAX.min(namelens.map_or(IOV_MAX, |n| n.len() as u64));
    let mut k = 0usize;
    let mut with_len = with_len;
    let _ = array(mem, env, w, addr, n, size, |mem, w, b| {
        if count == 0 {
            w.s("...");
            return Some(false);
        }
        count -= 1;
        let m = parse(env.abi, b);
        let msg_len = le_u32(b, len_off);
        let user = namelens.and_then(|n| n.get(k).copied());
        let data = namelens.map(|_| msg_len);
        w.s("{msg_hdr=");
        msghdr(mem, env, w, &m, user, data)?;
        if with_len > 0 {
            w!(w, ", msg_len={msg_len}");
            with_len -= 1;
        }
        w.c('}');
        k += 1;
        Some(true)
    });
}

/// After `recvmmsg`'s return value: ` (Timeout)` for 0, else ` (left {tv_sec=…, tv_nsec=…})`
/// when a timeout was given.
pub(super) fn recvmmsg_result(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    let Some(ret) = cx.ret_ok() else {
        return false;
    };
    if ret == 0 {
        w.s(" (Timeout)");
        return true;
    }
    let ts = cx.warg(4);
    if ts == 0 {
        return false;
    }
    let old32 = cx.abi == Abi::I386 && cx.desc.call == super::super::Call::Recvmmsg;
    let size = if old32 { 8 } else { 16 };
    w.s(" (left ");
    match read_bytes(cx.mem, ts, size) {
        Some(b) => timespec_bytes(w, &b, old32),
        None => w!(w, "{ts:#x}"),
    }
    w.c(')');
    true
}
