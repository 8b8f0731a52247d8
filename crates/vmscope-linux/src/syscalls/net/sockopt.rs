//! Socket options as strace 6.1's `net.c` prints them: the level (`SOL_*`), the option's name
//! per level (and per direction: some names exist only for `getsockopt` or `setsockopt`), and the
//! value: integers `[1]`, `struct linger`, `struct ucred`, `struct ip_mreq`, `struct ipv6_mreq`,
//! `struct group_req`, `struct packet_mreq`, `struct tpacket_req`, `struct tpacket_stats`, ICMP
//! filters, `SO_ERROR`'s errno; anything else as a string of its length.

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, read_bytes};
use super::{Env, array, ifindex, quote_hex, read_i32, sockaddr, strn, xvals};
use crate::uapi::{Xlat, net};

/// `SOL_SOCKET`'s options whose value is an `int` (strace's list, x86 numbering).
const SO_INTS: &[u32] = &[
    1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18, 19, 27, 29, 30, 32, 33, 34, 35, 36, 37, 40,
    41, 42, 43, 44, 45, 46, 49, 53, 56, 60, 63, 64, 65, 68, 69, 70, 73, 75,
];

const SOL_IP: u32 = 0;
const SOL_SOCKET: u32 = 1;
const SOL_IPV6: u32 = 41;
const SOL_RAW: u32 = 255;
const SOL_PACKET: u32 = 263;
const SOL_NETLINK: u32 = 270;

/// The level: `SOL_SOCKET`, `SOL_TCP`, or `0x… /* SOL_?? */`.
pub(super) fn level(w: &mut Out<'_>, v: u64) {
    w.xlat(v & 0xffff_ffff, net::SOCKET_LEVELS, "SOL_??");
}

/// The option's name, by level (`get`: for `getsockopt`).
pub(super) fn name(w: &mut Out<'_>, get: bool, level: u64, v: u64) {
    let v = v & 0xffff_ffff;
    let (tables, dflt): (&[Xlat], &str) = match level & 0xffff_ffff {
        0 if get => (&[net::IP_OPTIONS, net::IP_GET_OPTIONS], "IP_???"),
        0 => (&[net::IP_OPTIONS, net::IP_SET_OPTIONS], "IP_???"),
        1 if get => (&[net::SO_OPTIONS, net::SO_GET_OPTIONS], "SO_???"),
        1 => (&[net::SO_OPTIONS, net::SO_SET_OPTIONS], "SO_???"),
        41 if get => (&[net::IPV6_OPTIONS, net::IPV6_GET_OPTIONS], "IPV6_???"),
        41 => (&[net::IPV6_OPTIONS, net::IPV6_SET_OPTIONS], "IPV6_???"),
        40 => (&[net::VSOCK_OPTIONS], "SO_VM_???"),
        256 => (&[net::IPX_OPTIONS], "IPX_???"),
        257 => (&[net::AX25_OPTIONS], "AX25_???"),
        263 => (&[net::PACKET_OPTIONS], "PACKET_???"),
        6 => (&[net::TCP_OPTIONS], "TCP_???"),
        101 => (&[net::CAN_RAW_OPTIONS], "CAN_RAW_???"),
        132 => (&[net::SCTP_OPTIONS], "SCTP_???"),
        255 => (&[net::RAW_OPTIONS], "RAW_???"),
        270 => (&[net::NETLINK_OPTIONS], "NETLINK_???"),
        17 => (&[net::UDP_OPTIONS], "UDP_???"),
        266 => (&[net::IRDA_OPTIONS], "IRLMP_???"),
        268 => (&[net::LLC_OPTIONS], "LLC_OPT_???"),
        269 => (&[net::DCCP_OPTIONS], "DCCP_SOCKOPT_???"),
        271 => (&[net::TIPC_OPTIONS], "TIPC_???"),
        272 => (&[net::RXRPC_OPTIONS], "RXRPC_???"),
        273 => (&[net::PPPOL2TP_OPTIONS], "PPPOL2TP_SO_???"),
        274 => (&[net::BLUETOOTH_OPTIONS], "BT_???"),
        275 => (&[net::PNP_OPTIONS], "PNPIPE_???"),
        276 => (&[net::RDS_OPTIONS], "RDS_???"),
        277 => (&[net::IUCV_OPTIONS], "SO_???"),
        278 => (&[net::CAIF_OPTIONS], "CAIFSO_???"),
        279 => (&[net::ALG_OPTIONS], "ALG_???"),
        280 => (&[net::NFC_LLCP_OPTIONS], "NFC_LLCP_???"),
        281 => (&[net::KCM_OPTIONS], "KCM_???"),
        282 => (&[net::TLS_OPTIONS], "TLS_???"),
        283 => (&[net::XDP_OPTIONS], "XDP_???"),
        _ => {
            w.uint(v);
            return;
        }
    };
    xvals(w, v, tables, dflt);
}

/// `[N]` of an `int` at `addr` (strace's `printnum_int`).
fn int_at(mem: &mut dyn GuestMemory, env: Env, w: &mut Out<'_>, addr: u64) -> Option<()> {
    match read_i32(mem, addr) {
        Some(v) => {
            w!(w, "[{v}]");
            Some(())
        }
        None if addr == 0 => {
            w.s("NULL");
            Some(())
        }
        None => env.unreadable(w, addr),
    }
}

/// `struct size` bytes at `addr`, or what an unreadable one prints (`None` at entry).
fn fetch(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    size: usize,
) -> Result<Vec<u8>, Option<()>> {
    if addr == 0 {
        w.s("NULL");
        return Err(Some(()));
    }
    match read_bytes(mem, addr, size) {
        Some(b) => Ok(b),
        None => Err(env.unreadable(w, addr)),
    }
}

/// `setsockopt`'s value at entry (`None`: wait for the exit).
pub(super) fn set_value(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> Option<()> {
    let env = Env::of(cx);
    let level = cx.arg(1) as u32;
    let name = cx.arg(2) as u32;
    let addr = cx.warg(3);
    let len = cx.arg(4) as u32 as i32;
    let mem = &mut *cx.mem;
    if addr != 0 {
        match (level, name) {
            (SOL_SOCKET, 13) => {
                if len < 8 {
                    w.ptr(addr);
                    return Some(());
                }
                return match fetch(mem, env, w, addr, 8) {
                    Ok(b) => {
                        linger(w, &b, 8);
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            // SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF: a `struct sock_fprog` (strace shows the
            // program itself only with -v).
            (SOL_SOCKET, 26 | 51) => {
                let size = if env.abi != Abi::I386 { 16 } else { 8 };
                if len != size {
                    w.ptr(addr);
                    return Some(());
                }
                return match fetch(mem, env, w, addr, size as usize) {
                    Ok(b) => {
                        let filter = if env.abi != Abi::I386 {
                            super::super::read::le_u64(&b, 8)
                        } else {
                            le_u32(&b, 4)
                        };
                        w!(w, "{{len={}, filter=", u16::from_le_bytes([b[0], b[1]]));
                        w.ptr(filter);
                        w.c('}');
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            (SOL_SOCKET, 74) => {
                if len < 4 {
                    w.ptr(addr);
                    return Some(());
                }
                return txrehash(mem, env, w, addr);
            }
            (SOL_SOCKET, n) if SO_INTS.contains(&n) => {
                if len < 4 {
                    w.ptr(addr);
                    return Some(());
                }
                return int_at(mem, env, w, addr);
            }
            (SOL_IP, 35 | 36) => {
                if len < 8 {
                    w.ptr(addr);
                    return Some(());
                }
                return match fetch(mem, env, w, addr, 8) {
                    Ok(b) => {
                        w.s("{imr_multiaddr=");
                        sockaddr::inet_addr(w, &b[0..4]);
                        w.s(", imr_interface=");
                        sockaddr::inet_addr(w, &b[4..8]);
                        w.c('}');
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            (SOL_IP | SOL_IPV6, 42 | 45) => return group_req(mem, env, w, addr, len),
            (SOL_IPV6, 20 | 21 | 27 | 28) => {
                if len < 20 {
                    w.ptr(addr);
                    return Some(());
                }
                return match fetch(mem, env, w, addr, 20) {
                    Ok(b) => {
                        w.c('{');
                        sockaddr::inet6_addr(w, &b[0..16], "ipv6mr_multiaddr");
                        w.s(", ipv6mr_interface=");
                        ifindex(w, le_u32(&b, 16) as u32);
                        w.c('}');
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            (SOL_PACKET, 5 | 13) => {
                if len != 16 {
                    w.ptr(addr);
                    return Some(());
                }
                return match fetch(mem, env, w, addr, 16) {
                    Ok(b) => {
                        w!(
                            w,
                            "{{tp_block_size={}, tp_block_nr={}, tp_frame_size={}, \
                             tp_frame_nr={}}}",
                            le_u32(&b, 0),
                            le_u32(&b, 4),
                            le_u32(&b, 8),
                            le_u32(&b, 12)
                        );
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            (SOL_PACKET, 1 | 2) => {
                if len != 16 {
                    w.ptr(addr);
                    return Some(());
                }
                return match fetch(mem, env, w, addr, 16) {
                    Ok(b) => {
                        w.s("{mr_ifindex=");
                        ifindex(w, le_u32(&b, 0) as u32);
                        w.s(", mr_type=");
                        let ty = u64::from(u16::from_le_bytes([b[4], b[5]]));
                        w.xlat(ty, net::PACKET_MR_TYPES, "PACKET_MR_???");
                        let alen = u16::from_le_bytes([b[6], b[7]]);
                        w!(w, ", mr_alen={alen}, mr_address=");
                        let n = usize::from(alen).min(8);
                        for (i, c) in b[8..8 + n].iter().enumerate() {
                            if i > 0 {
                                w.c(':');
                            }
                            w!(w, "{c:02x}");
                        }
                        w.c('}');
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            (SOL_RAW, 1) => return icmp_filter(mem, env, w, addr, len),
            (SOL_NETLINK, _) => {
                if len < 4 {
                    w.ptr(addr);
                    return Some(());
                }
                return int_at(mem, env, w, addr);
            }
            _ => {}
        }
    }
    if len == 4 {
        int_at(mem, env, w, addr)
    } else {
        // strace widens the `int` length to an unsigned long.
        strn(mem, env, w, addr, len as i64 as u64)
    }
}

/// `{l_onoff=1, l_linger=5}`, fields past `len` left out (a field cut short as hex bytes).
fn linger(w: &mut Out<'_>, b: &[u8], len: usize) {
    fields(w, b, len, &["l_onoff", "l_linger"], |w, _, v| {
        w.int(i64::from(v as i32))
    });
}

/// Consecutive 32-bit fields as strace's `MAYBE_PRINT_FIELD_LEN` prints them for `len` bytes.
fn fields(
    w: &mut Out<'_>,
    b: &[u8],
    len: usize,
    names: &[&str],
    mut each: impl FnMut(&mut Out<'_>, usize, u32),
) {
    w.c('{');
    for (i, name) in names.iter().enumerate() {
        let start = 4 * i;
        if len <= start {
            break;
        }
        if i > 0 {
            w.s(", ");
        }
        w!(w, "{name}=");
        if len >= start + 4 {
            each(w, i, le_u32(b, start) as u32);
        } else {
            quote_hex(w, &b[start..len]);
        }
    }
    w.c('}');
}

/// `SO_TXREHASH`'s `[SOCK_TXREHASH_DEFAULT]`.
fn txrehash(mem: &mut dyn GuestMemory, env: Env, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let Some(v) = read_i32(mem, addr) else {
        return env.unreadable(w, addr);
    };
    w.c('[');
    match crate::uapi::name_of(net::TXREHASH, v as i64 as u64) {
        Some(n) => w.s(n),
        None => w!(w, "{v} /* SOCK_TXREHASH_??? */"),
    }
    w.c(']');
    Some(())
}

/// `struct group_req`: `{gr_interface=if_nametoindex("lo"), gr_group={sa_family=AF_INET, …}}`.
fn group_req(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    len: i32,
) -> Option<()> {
    let (size, off) = match env.abi {
        Abi::X86_64 | Abi::Aarch64 => (136, 8),
        Abi::I386 => (132, 4),
    };
    if len < size as i32 {
        w.ptr(addr);
        return Some(());
    }
    match fetch(mem, env, w, addr, size) {
        Ok(b) => {
            w.s("{gr_interface=");
            ifindex(w, le_u32(&b, 0) as u32);
            w.s(", gr_group=");
            sockaddr::print_local(w, env, &b[off..off + 128], 128);
            w.c('}');
            Some(())
        }
        Err(r) => r,
    }
}

/// `ICMP_FILTER`'s `~[ICMP_ECHO]`: the types set, or (`~`) those not set when most are.
fn icmp_filter(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    len: i32,
) -> Option<()> {
    if len <= 0 {
        w.ptr(addr);
        return Some(());
    }
    let len = (len as usize).min(4);
    let b = match fetch(mem, env, w, addr, len) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut bytes = [0xffu8; 4];
    bytes[..len].copy_from_slice(&b);
    let mut data = u32::from_le_bytes(bytes);
    if data.count_ones() > 16 {
        data = !data;
        w.c('~');
    }
    w.c('[');
    let mut first = true;
    for i in 0..32u64 {
        if data >> i & 1 == 0 {
            continue;
        }
        if !first {
            w.c(' ');
        }
        first = false;
        w.xlat(i, net::ICMP_TYPES, "ICMP_???");
    }
    w.c(']');
    Some(())
}

/// `getsockopt`'s value (`value`) or length at exit: the pointer and `[given]` when the call
/// failed; the value as the option says and `[given => returned]`.
pub(super) fn get_value(cx: &mut Ctx<'_>, w: &mut Out<'_>, value: bool) {
    let addr = cx.warg(3);
    let lenp = cx.warg(4);
    let Some(ulen) = read_i32(cx.entry_mem(), lenp) else {
        w.ptr(if value { addr } else { lenp });
        return;
    };
    let rlen = if cx.ok() {
        read_i32(cx.mem, lenp)
    } else {
        None
    };
    let Some(rlen) = rlen else {
        if value {
            w.ptr(addr);
        } else {
            w!(w, "[{ulen}]");
        }
        return;
    };
    if !value {
        if ulen == rlen {
            w!(w, "[{rlen}]");
        } else {
            w!(w, "[{ulen} => {rlen}]");
        }
        return;
    }
    let env = Env {
        strict: false,
        ..Env::of(cx)
    };
    let level = cx.arg(1) as u32;
    let name = cx.arg(2) as u32;
    let _ = get_option(cx.mem, env, w, level, name, addr, ulen, rlen);
}

/// strace's `print_getsockopt`.
#[allow(clippy::too_many_arguments, reason = "the option's whole state")]
fn get_option(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    level: u32,
    name: u32,
    addr: u64,
    ulen: i32,
    rlen: i32,
) -> Option<()> {
    if ulen <= 0 || rlen <= 0 {
        w.ptr(addr);
        return Some(());
    }
    let len = rlen as usize;
    if addr != 0 {
        match (level, name) {
            (SOL_SOCKET, 13) => {
                let n = len.min(8);
                return match fetch(mem, env, w, addr, n) {
                    Ok(b) => {
                        linger(w, &b, n);
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            (SOL_SOCKET, 17) => {
                let n = len.min(12);
                return match fetch(mem, env, w, addr, n) {
                    Ok(b) => {
                        fields(w, &b, n, &["pid", "uid", "gid"], |w, i, v| {
                            if i == 0 || v == u32::MAX {
                                w.int(i64::from(v as i32));
                            } else {
                                w.uint(u64::from(v));
                            }
                        });
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            // SO_GET_FILTER: the program, which strace shows only with -v.
            (SOL_SOCKET, 26) => {
                w.ptr(addr);
                return Some(());
            }
            (SOL_SOCKET, 4) => {
                if len < 4 {
                    return hex_bytes(mem, env, w, addr, len);
                }
                let Some(e) = read_i32(mem, addr) else {
                    return env.unreadable(w, addr);
                };
                w.c('[');
                match super::super::errno_name(e as u32) {
                    Some((n, _)) => w.s(n),
                    None => w.uint(u64::from(e as u32)),
                }
                w.c(']');
                return Some(());
            }
            (SOL_SOCKET, 74) => {
                if len < 4 {
                    return hex_bytes(mem, env, w, addr, len);
                }
                return txrehash(mem, env, w, addr);
            }
            (SOL_SOCKET, n) if SO_INTS.contains(&n) => {
                if len >= 4 {
                    return int_at(mem, env, w, addr);
                }
                return hex_bytes(mem, env, w, addr, len);
            }
            (SOL_PACKET, 6) => {
                let n = len.min(12);
                return match fetch(mem, env, w, addr, n) {
                    Ok(b) => {
                        fields(
                            w,
                            &b,
                            n,
                            &["tp_packets", "tp_drops", "tp_freeze_q_cnt"],
                            |w, _, v| w.uint(u64::from(v)),
                        );
                        Some(())
                    }
                    Err(r) => r,
                };
            }
            (SOL_RAW, 1) => return icmp_filter(mem, env, w, addr, rlen),
            (SOL_NETLINK, 9) => {
                let n = (ulen.min(rlen) as u64) / 4;
                return array(mem, env, w, addr, n, 4, |_, w, b| {
                    w.uint(le_u32(b, 0));
                    Some(true)
                });
            }
            (SOL_NETLINK, _) => return int_at(mem, env, w, addr),
            _ => {}
        }
    }
    if rlen == 4 {
        int_at(mem, env, w, addr)
    } else {
        strn(mem, env, w, addr, len as u64)
    }
}

/// `printstr_ex(…, QUOTE_FORCE_HEX)` of `len` bytes.
fn hex_bytes(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    len: usize,
) -> Option<()> {
    let want = len.min(env.limit.saturating_add(1));
    match fetch(mem, env, w, addr, want) {
        Ok(b) => {
            let shown = want.min(env.limit).min(b.len());
            quote_hex(w, &b[..shown]);
            if len > env.limit {
                w.s("...");
            }
            Some(())
        }
        Err(r) => r,
    }
}
