//! Socket addresses as strace 6.1's `sockaddr.c` prints them: `{sa_family=AF_INET,
//! sin_port=htons(7777), sin_addr=inet_addr("127.0.0.1")}`, Unix paths (abstract `@` names,
//! unnamed), IPv6 with flow and scope, netlink, packet, vsock, and the raw `sa_data` of any family
//! or length strace does not decode.

use vmscope_core::guest::GuestMemory;

use super::super::out::{Out, w};
use super::super::read::{le_u32, read_bytes};
use super::{Env, flags, hex0, ifindex, quote, quote_hex, quote_z, xval_or_hex};
use crate::uapi::net;

/// `struct sockaddr_storage`: the most strace reads of an address.
const STORAGE: usize = 128;

/// An address's bytes as strace holds them: what was read, then zeros.
type Buf = [u8; STORAGE + 32];

fn u16_le(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

fn u16_be(b: &[u8], off: usize) -> u16 {
    u16::from_be_bytes([b[off], b[off + 1]])
}

fn u32_be(b: &[u8], off: usize) -> u32 {
    u32::from_be_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// strace's `decode_sockaddr`: the address of `len` bytes at `addr` (at most 128 read); the
/// pointer for a length under 2 or unreadable memory. Returns the family (-1 when not printed);
/// `None` at entry when unreadable.
pub(super) fn decode(
    mem: &mut dyn GuestMemory,
    env: Env,
    w: &mut Out<'_>,
    addr: u64,
    len: i32,
) -> Option<i32> {
    if len < 2 {
        w.ptr(addr);
        return Some(-1);
    }
    let len = (len as usize).min(STORAGE);
    let Some(b) = (if addr == 0 {
        None
    } else {
        read_bytes(mem, addr, len)
    }) else {
        if addr == 0 {
            w.s("NULL");
            return Some(-1);
        }
        env.unreadable(w, addr)?;
        return Some(-1);
    };
    let mut buf: Buf = [0; STORAGE + 32];
    buf[..len].copy_from_slice(&b);
    print(w, env, &buf, len as i32);
    Some(i32::from(u16_le(&buf, 0)))
}

/// An address held in a structure (a control message's, an `ifreq`'s): `len` bytes of `data`.
pub(super) fn print_local(w: &mut Out<'_>, env: Env, data: &[u8], len: usize) {
    let mut buf: Buf = [0; STORAGE + 32];
    let n = data.len().min(len).min(STORAGE);
    buf[..n].copy_from_slice(&data[..n]);
    print(w, env, &buf, len.min(STORAGE) as i32);
}

/// strace's `print_sockaddr`: the family, then its fields when the length allows.
fn print(w: &mut Out<'_>, env: Env, b: &Buf, len: i32) {
    let family = u16_le(b, 0);
    w.s("{sa_family=");
    w.xlat(u64::from(family), net::FAMILIES, "AF_???");
    if len > 2 {
        w.s(", ");
        // The least length each family's fields need (strace's `sa_printers`).
        let min = match family {
            1 => 3,
            2 => 16,
            3 => 16,
            4 => 16,
            9 => 18,
            10 => 24,
            16 => 12,
            17 => 20,
            31 => 3,
            33 => 36,
            36 => 20,
            38 => 25,
            39 => 16,
            40 => 16,
            42 => 12,
            44 => 16,
            45 => 12,
            _ => i32::MAX,
        };
        if len >= min {
            match family {
                1 => unix(w, b, len),
                2 => inet(w, b),
                3 => ax25(w, env, b, len),
                4 => ipx(w, b),
                9 => x25(w, b),
                10 => inet6(w, b, len),
                16 => netlink(w, b),
                17 => packet(w, b, len),
                31 => bluetooth(w, b, len),
                33 => rxrpc(w, b, len),
                36 => ieee802154(w, b),
                38 => alg(w, b, len),
                39 => nfc(w, env, b, len),
                40 => vsock(w, b),
                42 => qrtr(w, b),
                44 => xdp(w, b),
                _ => mctp(w, b),
            }
        } else {
            raw(w, b, len);
        }
    }
    w.c('}');
}

/// `sa_data="…"`: the bytes after the family.
fn raw(w: &mut Out<'_>, b: &Buf, len: i32) {
    w.s("sa_data=");
    quote(w, &b[2..len as usize]);
}

/// `sun_path="/tmp/sock"`, `sun_path=@"abstract"`.
fn unix(w: &mut Out<'_>, b: &Buf, len: i32) {
    // sizeof(struct sockaddr_un) is 110.
    let path_len = (len as usize).min(110) - 2;
    w.s("sun_path=");
    if b[2] != 0 {
        quote_z(w, &b[2..2 + path_len]);
    } else {
        w.c('@');
        quote(w, &b[3..2 + path_len]);
    }
}

/// `inet_addr("127.0.0.1")` of four bytes.
pub(super) fn inet_addr(w: &mut Out<'_>, a: &[u8]) {
    w!(w, "inet_addr(\"{}.{}.{}.{}\")", a[0], a[1], a[2], a[3]);
}

fn inet(w: &mut Out<'_>, b: &[u8]) {
    w!(w, "sin_port=htons({}), sin_addr=", u16_be(b, 2));
    inet_addr(w, &b[4..8]);
}

/// An IPv6 address as glibc's `inet_ntop` writes it (the longest run of two or more zero groups
/// as `::`, the first of equal runs; IPv4-mapped and -compatible tails dotted).
pub(super) fn inet6_text(a: &[u8]) -> String {
    use std::fmt::Write as _;
    let words: Vec<u16> = (0..8).map(|i| u16_be(a, 2 * i)).collect();
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
        best_len = 0;
    }
    let mut s = String::new();
    for i in 0..8 {
        if best != usize::MAX && i >= best && i < best + best_len {
            if i == best {
                s.push(':');
            }
            continue;
        }
        if i != 0 {
            s.push(':');
        }
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            let _ = write!(s, "{}.{}.{}.{}", a[12], a[13], a[14], a[15]);
            break;
        }
        let _ = write!(s, "{:x}", words[i]);
    }
    if best != usize::MAX && best + best_len == 8 {
        s.push(':');
    }
    s
}

/// `inet_pton(AF_INET6, "::1", &NAME)`.
pub(super) fn inet6_addr(w: &mut Out<'_>, a: &[u8], name: &str) {
    w!(w, "inet_pton(AF_INET6, \"{}\", &{name})", inet6_text(a));
}

fn inet6(w: &mut Out<'_>, b: &[u8], len: i32) {
    w!(
        w,
        "sin6_port=htons({}), sin6_flowinfo=htonl({}), ",
        u16_be(b, 2),
        u32_be(b, 4)
    );
    let a = &b[8..24];
    inet6_addr(w, a, "sin6_addr");
    if len <= 24 {
        return;
    }
    let scope = le_u32(b, 24) as u32;
    w.s(", sin6_scope_id=");
    // Link-local unicast (fe80::/10) and multicast (ff02::/16) scopes are interfaces.
    let link_local = a[0] == 0xfe && a[1] & 0xc0 == 0x80;
    let mc_link_local = a[0] == 0xff && a[1] & 0x0f == 0x02;
    if link_local || mc_link_local {
        ifindex(w, scope);
    } else {
        w.uint(u64::from(scope));
    }
}

fn netlink(w: &mut Out<'_>, b: &Buf) {
    let pad = u16_le(b, 2);
    if pad != 0 {
        w!(w, "nl_pad={pad:#x}, ");
    }
    w!(w, "nl_pid={}, nl_groups=", le_u32(b, 4) as u32 as i32);
    hex0(w, le_u32(b, 8), 4);
}

fn packet(w: &mut Out<'_>, b: &Buf, len: i32) {
    w.s("sll_protocol=htons(");
    w.xlat(u64::from(u16_be(b, 2)), net::ETH_PROTOCOLS, "ETH_P_???");
    w.s("), sll_ifindex=");
    ifindex(w, le_u32(b, 4) as u32);
    w.s(", sll_hatype=");
    w.xlat(u64::from(u16_le(b, 8)), net::ARPHRD, "ARPHRD_???");
    w.s(", sll_pkttype=");
    w.xlat(u64::from(b[10]), net::PACKET_TYPES, "PACKET_???");
    let halen = usize::from(b[11]);
    w!(w, ", sll_halen={halen}");
    if halen > 0 {
        let oob = (len as usize).saturating_sub(12);
        w.s(", sll_addr=[");
        for i in 0..halen {
            if i > 0 {
                w.s(", ");
            }
            if i >= oob {
                w.s("...");
                break;
            }
            hex0(w, u64::from(b[12 + i]), 1);
        }
        w.c(']');
    }
}

fn ipx(w: &mut Out<'_>, b: &Buf) {
    w!(
        w,
        "sipx_port=htons({}), sipx_network=htonl({:#x}), sipx_node=[",
        u16_be(b, 2),
        u32_be(b, 4)
    );
    for i in 0..6 {
        if i > 0 {
            w.s(", ");
        }
        hex0(w, u64::from(b[8 + i]), 1);
    }
    w.s("], sipx_type=");
    hex0(w, u64::from(b[14]), 1);
    if b[15] != 0 {
        w!(w, ", sipx_zero={:#x}", b[15]);
    }
}

fn x25(w: &mut Out<'_>, b: &Buf) {
    w.s("sx25_addr={x25_addr=");
    super::cstring(w, &b[2..18]);
    w.c('}');
}

fn alg(w: &mut Out<'_>, b: &Buf, len: i32) {
    // struct sockaddr_alg_new: type[14] at 2, feat at 16, mask at 20, name[] at 24.
    w.s("salg_type=");
    alg_string(w, &b[2..16]);
    w.s(", salg_feat=");
    flags_verbose(w, le_u32(b, 16), net::ALG_FLAGS, "CRYPTO_ALG_???");
    w.s(", salg_mask=");
    flags_verbose(w, le_u32(b, 20), net::ALG_FLAGS, "CRYPTO_ALG_???");
    w.s(", salg_name=");
    alg_string(w, &b[24..len as usize]);
}

/// `PRINT_FIELD_STRING(…, QUOTE_0_TERMINATED | QUOTE_EXPECT_TRAILING_0)`.
fn alg_string(w: &mut Out<'_>, b: &[u8]) {
    if b.is_empty() {
        w.s("\"\"");
        return;
    }
    // The last byte is expected to be the terminator: looked at one byte less.
    let n = b.len() - 1;
    if quote_z(w, &b[..n]) && b[n] != 0 {
        w.s("...");
    }
}

/// `PRINT_FIELD_FLAGS_VERBOSE`: `0x1000 /* CRYPTO_ALG_KERN_DRIVER_ONLY */`, `0`.
fn flags_verbose(w: &mut Out<'_>, v: u64, table: crate::uapi::Xlat, dflt: &str) {
    if v == 0 {
        w.c('0');
        return;
    }
    w.hex(v);
    w.s(" /* ");
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
        }
    }
    if n == 0 {
        w.s(dflt);
    } else if left != 0 {
        w!(w, "|{left:#x}");
    }
    w.s(" */");
}

fn vsock(w: &mut Out<'_>, b: &Buf) {
    let reserved = u16_le(b, 2);
    if reserved != 0 {
        w!(w, "svm_reserved1={reserved:#x}, ");
    }
    w.s("svm_cid=");
    xval_or_hex(w, le_u32(b, 8), net::VSOCK_CIDS);
    w.s(", svm_port=");
    xval_or_hex(w, le_u32(b, 4), net::VSOCK_PORTS);
    w.s(", svm_flags=");
    flags(w, u64::from(b[12]), net::VSOCK_FLAGS, "VMADDR_FLAG_???");
    if b[13..16].iter().any(|&c| c != 0) {
        w.s(", svm_zero=");
        quote_hex(w, &b[13..16]);
    }
}

fn qrtr(w: &mut Out<'_>, b: &Buf) {
    w.s("sq_node=");
    xval_or_hex(w, le_u32(b, 4), net::QRTR_NODES);
    w.s(", sq_port=");
    xval_or_hex(w, le_u32(b, 8), net::QRTR_PORTS);
}

fn xdp(w: &mut Out<'_>, b: &Buf) {
    let fl = u64::from(u16_le(b, 2));
    w.s("sxdp_flags=");
    flags(w, fl, net::XDP_FLAGS, "XDP_???");
    w.s(", sxdp_ifindex=");
    ifindex(w, le_u32(b, 4) as u32);
    w!(w, ", sxdp_queue_id={}", le_u32(b, 8));
    let fd = le_u32(b, 12);
    if fl & 1 != 0 {
        w!(w, ", sxdp_shared_umem_fd={}", fd as u32 as i32);
    } else if fd != 0 {
        w!(w, ", sxdp_shared_umem_fd={fd:#x}");
    }
}

fn mctp(w: &mut Out<'_>, b: &Buf) {
    let pad0 = u16_le(b, 2);
    if pad0 != 0 {
        w!(w, "__smctp_pad0={pad0:#x}, ");
    }
    w.s("smctp_network=");
    xval_or_hex(w, le_u32(b, 4), net::MCTP_NETS);
    w.s(", smctp_addr={s_addr=");
    xval_or_hex(w, u64::from(b[8]), net::MCTP_ADDRS);
    w.s("}, smctp_type=");
    w.hex(u64::from(b[9]));
    w.s(", smctp_tag=");
    w.hex(u64::from(b[10]));
    if b[11] != 0 {
        w!(w, ", __smctp_pad1={:#x}", b[11]);
    }
}

/// How an AX.25 address can be shown (strace's `check_ax25_address`).
#[derive(PartialEq, Eq)]
enum Ax25Style {
    /// As its callsign text.
    Text,
    /// As its bytes, the text in a comment.
    Both,
    /// As its bytes only.
    Raw,
}

fn ax25_style(a: &[u8]) -> Ax25Style {
    let mut style = Ax25Style::Text;
    let (mut space, mut chars) = (false, false);
    for &byte in &a[..6] {
        if byte & 1 != 0 {
            style = Ax25Style::Both;
        }
        let c = byte >> 1;
        if c == b' ' {
            space = true;
        } else {
            chars = true;
        }
        if !c.is_ascii_digit() && !c.is_ascii_uppercase() && c != b' ' {
            style = Ax25Style::Both;
        }
        if c != b' ' && space {
            style = Ax25Style::Both;
        }
        if !(0x20..=0x7e).contains(&c) || c == b'*' || c == b'/' {
            return Ax25Style::Raw;
        }
    }
    if a[6] & !0x1e != 0 || (!chars && a[6] != 0) {
        style = Ax25Style::Both;
    }
    style
}

/// A callsign with its SSID: `VA3XYZ-4`, `*` for the empty one.
fn ax25_text(a: &[u8]) -> String {
    let end = (1..=6).rev().find(|&e| a[e - 1] >> 1 != b' ').unwrap_or(0);
    let mut s: String = a[..end].iter().map(|&c| char::from(c >> 1)).collect();
    let ssid = (a[6] >> 1) & 0xf;
    s.push('-');
    if ssid > 9 {
        s.push('1');
    }
    s.push(char::from(b'0' + ssid % 10));
    if s.starts_with("-0") {
        return "*".into();
    }
    s
}

/// An `ax25_address` (7 bytes).
fn ax25_addr(w: &mut Out<'_>, a: &[u8]) {
    let style = ax25_style(a);
    if style != Ax25Style::Text {
        w.s("{ax25_call=");
        quote_hex(w, &a[..7]);
        w.c('}');
    }
    match style {
        Ax25Style::Text => w.s(&ax25_text(a)),
        Ax25Style::Both => w!(w, " /* {} */", ax25_text(a)),
        Ax25Style::Raw => {}
    }
}

/// `struct full_sockaddr_ax25`: the address, then the digipeaters the length holds.
fn ax25(w: &mut Out<'_>, env: Env, b: &Buf, len: i32) {
    let len = len.max(0) as usize;
    let ndigis = le_u32(b, 12) as u32 as i32;
    let full = ndigis != 0 || len > 16;
    if full {
        w.s("fsa_ax25={");
    }
    w.s("sax25_call=");
    ax25_addr(w, &b[2..9]);
    w!(w, ", sax25_ndigis={ndigis}");
    if !full {
        return;
    }
    w.c('}');
    let has = ((len - 16) / 7).min(8);
    let want = (ndigis.max(0) as usize).min(8);
    let digis = has.min(want);
    if want > 0 {
        w.s(", fsa_digipeater=[");
        let max = env.max_elems();
        let mut cut = false;
        for i in 0..digis {
            if i > 0 {
                w.s(", ");
            }
            if i >= max {
                w.s("...");
                cut = true;
                break;
            }
            ax25_addr(w, &b[16 + 7 * i..]);
        }
        if want > has && !cut {
            if digis > 0 {
                w.s(", ");
            }
            w.s("...");
        }
        w.c(']');
    }
    if len > has * 7 + 16 {
        w.s(", ...");
    }
}

/// `xx:xx:xx:xx:xx:xx` of a Bluetooth device address, in memory order.
fn bdaddr(w: &mut Out<'_>, a: &[u8]) {
    for (i, c) in a[..6].iter().enumerate() {
        if i > 0 {
            w.c(':');
        }
        w!(w, "{c:02x}");
    }
}

/// An L2CAP PSM or CID in strace's `htobs(…)` form: its name, `NAME_DYN_START+n` in a dynamic
/// range, or the number with `/* L2CAP_..._??? */`.
fn l2cap_value(
    w: &mut Out<'_>,
    v: u16,
    table: crate::uapi::Xlat,
    ranges: &[(u16, u16, &str)],
    unknown: &str,
) {
    w.s("htobs(");
    if let Some(name) = crate::uapi::name_of(table, u64::from(v)) {
        w.s(name);
    } else if let Some(&(start, _, name)) = ranges.iter().find(|&&(lo, hi, _)| v >= lo && v <= hi) {
        w!(w, "{name}+{}", v - start);
    } else {
        w!(w, "{v:#x} /* {unknown} */");
    }
    w.c(')');
}

/// Bluetooth addresses, told apart by their length: HCI, SCO, RFCOMM, L2CAP.
fn bluetooth(w: &mut Out<'_>, b: &Buf, len: i32) {
    match len {
        4 | 6 => {
            w!(w, "hci_dev=htobs({})", u16_le(b, 2));
            if len == 6 {
                w.s(", hci_channel=");
                w.xlat(
                    u64::from(u16_le(b, 4)),
                    net::HCI_CHANNELS,
                    "HCI_CHANNEL_???",
                );
            }
        }
        8 => {
            w.s("sco_bdaddr=");
            bdaddr(w, &b[2..8]);
        }
        10 => {
            w.s("rc_bdaddr=");
            bdaddr(w, &b[2..8]);
            w!(w, ", rc_channel={}", b[8]);
        }
        12 | 14 => {
            w.s("l2_psm=");
            l2cap_value(
                w,
                u16_le(b, 2),
                net::L2CAP_PSMS,
                &[
                    (0x80, 0xff, "L2CAP_PSM_LE_DYN_START"),
                    (0x1001, 0xffff, "L2CAP_PSM_DYN_START"),
                ],
                "L2CAP_PSM_???",
            );
            w.s(", l2_bdaddr=");
            bdaddr(w, &b[4..10]);
            w.s(", l2_cid=");
            l2cap_value(
                w,
                u16_le(b, 10),
                net::L2CAP_CIDS,
                &[(0x40, 0xffff, "L2CAP_CID_DYN_START")],
                "L2CAP_CID_???",
            );
            if len == 14 {
                w.s(", l2_bdaddr_type=");
                w.xlat(u64::from(b[12]), net::BDADDR_TYPES, "BDADDR_???");
            }
        }
        _ => raw(w, b, len),
    }
}

/// `struct sockaddr_rxrpc`: the service, the transport's type and length, the transport address.
fn rxrpc(w: &mut Out<'_>, b: &Buf, len: i32) {
    w.s("srx_service=");
    super::xval_verbose(
        w,
        u64::from(u16_le(b, 2)),
        net::RXRPC_SERVICES,
        Some("???_SERVICE"),
    );
    w.s(", transport_type=");
    w.xlat(u64::from(u16_le(b, 4)), net::SOCK_TYPES, "SOCK_???");
    let tlen = u16_le(b, 6);
    w!(w, ", transport_len={tlen}, transport={{");
    let t = &b[8..];
    // What of the transport the length covers, past its family.
    let avail = (i32::from(tlen)).min(len - 8);
    let rest = (avail - 2).max(0) as usize;
    match u16_le(t, 0) {
        2 => {
            w.s("sin={sin_family=AF_INET");
            if tlen >= 16 {
                w.s(", ");
                inet(w, t);
            } else if rest > 0 {
                w.s(", ");
                quote(w, &t[2..2 + rest]);
            }
            w.c('}');
        }
        10 => {
            w.s("sin6={sin6_family=AF_INET6");
            if tlen >= 24 {
                w.s(", ");
                inet6(w, t, avail);
            } else if rest > 0 {
                w.s(", ");
                quote(w, &t[2..2 + rest]);
            }
            w.c('}');
        }
        f => {
            w.s("family=");
            w.xlat(u64::from(f), net::FAMILIES, "AF_???");
            if rest > 0 {
                w.s(", ");
                quote(w, &t[2..2 + rest]);
            }
        }
    }
    w.c('}');
}

/// `struct sockaddr_ieee802154`: the address type, PAN id and short or long address.
fn ieee802154(w: &mut Out<'_>, b: &Buf) {
    let ty = le_u32(b, 4);
    w.s("addr={addr_type=");
    super::xval_verbose(
        w,
        ty,
        net::IEEE802154_ADDR_TYPES,
        Some("IEEE802154_ADDR_???"),
    );
    w.s(", pan_id=");
    super::xval_verbose(w, u64::from(u16_le(b, 8)), net::IEEE802154_PAN_IDS, None);
    match ty {
        0 => {}
        2 => {
            w.s(", short_addr=");
            super::xval_verbose(w, u64::from(u16_le(b, 10)), net::IEEE802154_ADDRS, None);
        }
        _ => {
            w.s(", hwaddr=");
            hwaddr(w, &b[10..18], 804);
        }
    }
    w.c('}');
}

/// `struct sockaddr_nfc`, and `struct sockaddr_nfc_llcp` when the length holds one (its size
/// depends on the ABI's `size_t`).
fn nfc(w: &mut Out<'_>, env: Env, b: &Buf, len: i32) {
    w.s("dev_idx=");
    ifindex(w, le_u32(b, 4) as u32);
    w.s(", target_idx=");
    w.hex(le_u32(b, 8));
    w.s(", nfc_protocol=");
    w.xlat(le_u32(b, 12), net::NFC_SOCKADDR_PROTOCOLS, "NFC_PROTO_???");
    let (llcp, snsz) = match env.abi {
        vmscope_core::event::Abi::X86_64 | vmscope_core::event::Abi::Aarch64 => {
            (96, super::super::read::le_u64(b, 88))
        }
        vmscope_core::event::Abi::I386 => (88, le_u32(b, 84)),
    };
    if (len as u32) < llcp {
        if len > 16 {
            w.s(", ...");
        }
        return;
    }
    w.s(", dsap=");
    super::xval_verbose(w, u64::from(b[16]), net::NFC_SAPS, None);
    w.s(", ssap=");
    super::xval_verbose(w, u64::from(b[17]), net::NFC_SAPS, None);
    w.s(", service_name=");
    quote(w, &b[18..18 + snsz.min(63) as usize]);
    w!(w, ", service_name_len={snsz}");
}

/// A hardware address of a device type (`ARPHRD_*`), as strace's `print_hwaddr`: bytes as
/// `00:11:22:…`, as many as the type has (all of them for types it does not know).
pub(super) fn hwaddr(w: &mut Out<'_>, addr: &[u8], devtype: u32) {
    let size: usize = match devtype {
        0 | 3 => 7,
        1 | 6 | 772 | 774 | 780 | 801..=803 => 6,
        7 | 773 | 290 | 820 | 821 => 1,
        15 => 2,
        24 => 16,
        27 | 804 | 805 | 825 => 8,
        32 => 20,
        256 | 271 | 280 | 512 | 518 | 519 | 777 | 779 | 822 | 824 | 826 => 0,
        270 => 5,
        768 | 776 | 778 | 783 => 4,
        769 | 823 => 16,
        _ => 255,
    };
    let n = addr.len().min(size);
    for (i, c) in addr[..n].iter().enumerate() {
        if i > 0 {
            w.c(':');
        }
        w!(w, "{c:02x}");
    }
}

#[cfg(test)]
mod tests {
    use super::inet6_text;

    fn a6(s: &str) -> [u8; 16] {
        let ip: std::net::Ipv6Addr = s.parse().unwrap();
        ip.octets()
    }

    #[test]
    fn ipv6_text_is_glibcs() {
        for (addr, text) in [
            ("::1", "::1"),
            ("::", "::"),
            ("fe80::1", "fe80::1"),
            ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
            ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("2001:db8::", "2001:db8::"),
            ("::ffff:0:0", "::ffff:0.0.0.0"),
        ] {
            assert_eq!(inet6_text(&a6(addr)), text, "{addr}");
        }
    }
}
