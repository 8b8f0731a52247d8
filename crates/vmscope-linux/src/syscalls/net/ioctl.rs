//! Socket `ioctl`s (type 0x89) as strace 6.1's `sock.c` decodes their argument: `struct ifreq`
//! (`{ifr_name="lo", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING}`), `struct ifconf` with the
//! interfaces it lists, integers by pointer, and the pointer for the rest.
//!
//! The `ioctl` dispatch (`args.rs`) asks [`ioctl_arg`] first. Requests whose result is shown wait
//! for the exit (`None` at entry) and render there from the entry's memory (what was passed) and
//! the exit's (what the kernel wrote).

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes};
use super::{Env, array, cstring, flags, ifindex, read_i32, sockaddr};
use crate::uapi::net;

/// `struct ifreq`'s size (its union holds `struct ifmap`, which has `unsigned long`s).
fn ifreq_size(abi: Abi) -> u64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => 40,
        Abi::I386 => 32,
    }
}

/// Requests that show what the kernel wrote (`SIOCGIF*`): their `ifr_name` (or `ifr_ifindex`)
/// at entry, the result at exit.
const GET_IFREQ: &[u32] = &[
    0x8915, 0x8919, 0x8917, 0x8913, 0x8927, 0x8933, 0x8970, 0x891d, 0x8921, 0x8910, 0x891b, 0x8929,
    0x8942,
];

/// Requests that pass a whole `struct ifreq` (`SIOCSIF*`, multicast lists).
const SET_IFREQ: &[u32] = &[
    0x8931, 0x8932, 0x8916, 0x891a, 0x8918, 0x8914, 0x8924, 0x8937, 0x8971, 0x891e, 0x8922, 0x8923,
    0x891c, 0x8930, 0x8943,
];

/// Requests whose argument strace shows as a pointer.
const OPAQUE: &[u32] = &[
    0x8980,
    0x890b,
    0x8995,
    0x8990,
    0x8994,
    0x8991,
    0x8992,
    0x8993,
    0x8953,
    0x8981,
    0x890c,
    0x8936,
    0x8960,
    0x8946,
    0x8954,
    0x89b1,
    0x8940,
    0x8938,
    0x891f,
    0x8935,
    0x8982,
    0x8947,
    0x8948,
    0x8961,
    0x894c,
    0x8906,
    0x8010_8906,
    0x8907,
    0x8010_8907,
    0x890d,
    0x8955,
    0x89b0,
    0x8941,
    0x8911,
    0x8920,
    0x8934,
    0x8983,
    0x8949,
    0x8962,
    0x894a,
];

/// `ioctl`'s third argument for a socket request: `Some(rendered)` as `render_input` returns it,
/// `None` when the request is not one of these (the caller decodes it).
pub(crate) fn ioctl_arg(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> Option<Option<bool>> {
    let code = cx.arg(1) as u32;
    if (code >> 8) & 0xff != 0x89 {
        return None;
    }
    let arg = cx.warg(2);
    let env = Env::of(cx);
    let r = match code {
        // SIOCGIFCONF
        0x8912 => {
            if !cx.exit {
                let _ = ifconf_at(cx.mem, env.abi, arg);
                return Some(None);
            }
            ifconf(cx, w, arg);
            Some(true)
        }
        // SIOCBRADDBR, SIOCBRDELBR: a bridge name.
        0x89a0 | 0x89a1 => bridge_name(cx.mem, env, w, arg).map(|()| true),
        // FIOGETOWN, SIOCATMARK, SIOCGIFENCAP, SIOCGPGRP, SIOCOUTQNSD: an int written.
        0x8903 | 0x8905 | 0x8925 | 0x8904 | 0x894b => {
            if !cx.exit {
                return Some(None);
            }
            match cx.mem.read_u32(arg).filter(|_| cx.ok() && arg != 0) {
                Some(v) => w!(w, "[{}]", v as i32),
                None => w.ptr(arg),
            }
            Some(true)
        }
        // FIOSETOWN, SIOCSIFENCAP, SIOCSPGRP: an int passed.
        0x8901 | 0x8926 | 0x8902 => match read_i32(cx.mem, arg) {
            Some(v) => {
                w!(w, "[{v}]");
                Some(true)
            }
            None if arg == 0 => {
                w.s("NULL");
                Some(true)
            }
            None => env.unreadable(w, arg).map(|()| true),
        },
        // SIOCBRADDIF, SIOCBRDELIF
        0x89a2 | 0x89a3 => match read_bytes(cx.mem, arg, ifreq_size(env.abi) as usize) {
            Some(b) if arg != 0 => {
                w.s("{ifr_ifindex=");
                ifindex(w, le_u32(&b, 16) as u32);
                w.c('}');
                Some(true)
            }
            _ if arg == 0 => {
                w.s("NULL");
                Some(true)
            }
            _ => env.unreadable(w, arg).map(|()| true),
        },
        c if SET_IFREQ.contains(&c) => {
            match read_bytes(cx.mem, arg, ifreq_size(env.abi) as usize) {
                Some(b) if arg != 0 => {
                    w.s("{ifr_name=");
                    cstring(w, &b[..16]);
                    w.s(", ");
                    ifreq(w, env, c, &b);
                    w.c('}');
                    Some(true)
                }
                _ if arg == 0 => {
                    w.s("NULL");
                    Some(true)
                }
                _ => env.unreadable(w, arg).map(|()| true),
            }
        }
        c if GET_IFREQ.contains(&c) => {
            if !cx.exit {
                let _ = read_bytes(cx.mem, arg, ifreq_size(env.abi) as usize);
                return Some(None);
            }
            get_ifreq(cx, w, c, arg);
            Some(true)
        }
        c if OPAQUE.contains(&c) => {
            w.ptr(arg);
            Some(true)
        }
        _ => return None,
    };
    Some(r)
}

/// `SIOCGIF*` at exit: `{ifr_name="lo"` as passed, then `, ifr_flags=…` as returned.
fn get_ifreq(cx: &mut Ctx<'_>, w: &mut Out<'_>, code: u32, arg: u64) {
    let env = Env::of(cx);
    let size = ifreq_size(env.abi) as usize;
    let given = if arg == 0 {
        None
    } else {
        // The entry's view; the exit's when the entry could not read it (a page faulted in by
        // the call itself).
        read_bytes(cx.entry_mem(), arg, size).or_else(|| read_bytes(cx.mem, arg, size))
    };
    let Some(given) = given else {
        w.ptr(arg);
        return;
    };
    w.c('{');
    if code == 0x8910 {
        w!(w, "ifr_ifindex={}", le_u32(&given, 16) as u32 as i32);
    } else {
        w.s("ifr_name=");
        cstring(w, &given[..16]);
    }
    if cx.ok()
        && let Some(b) = read_bytes(cx.mem, arg, size)
    {
        w.s(", ");
        ifreq(w, env, code, &b);
    }
    w.c('}');
}

/// strace's `print_ifreq`: the union member the request uses.
fn ifreq(w: &mut Out<'_>, env: Env, code: u32, b: &[u8]) {
    let u = &b[16..];
    let int = |w: &mut Out<'_>, name: &str| w!(w, "{name}={}", le_u32(u, 0) as u32 as i32);
    match code {
        0x8916 | 0x8915 => addr_field(w, env, "ifr_addr", u),
        0x8918 | 0x8917 => addr_field(w, env, "ifr_dstaddr", u),
        0x891a | 0x8919 => addr_field(w, env, "ifr_broadaddr", u),
        0x891c | 0x891b => addr_field(w, env, "ifr_netmask", u),
        0x8931 | 0x8932 | 0x8927 | 0x8924 | 0x8937 => {
            let family = u32::from(u16::from_le_bytes([u[0], u[1]]));
            w.s("ifr_hwaddr={sa_family=");
            w.xlat(u64::from(family), net::ARPHRD, "ARPHRD_???");
            w.s(", sa_data=");
            sockaddr::hwaddr(w, &u[2..16], family);
            w.c('}');
        }
        0x8914 | 0x8913 => {
            w.s("ifr_flags=");
            let v = u64::from(u16::from_le_bytes([u[0], u[1]]));
            flags(w, v, net::IFF_FLAGS, "IFF_???");
        }
        0x8933 => int(w, "ifr_ifindex"),
        0x891e | 0x891d => int(w, "ifr_metric"),
        0x8922 | 0x8921 => int(w, "ifr_mtu"),
        0x8930 | 0x8929 => {
            w.s("ifr_slave=");
            cstring(w, &u[..16]);
        }
        0x8923 => {
            w.s("ifr_newname=");
            cstring(w, &u[..16]);
        }
        0x8910 => {
            w.s("ifr_name=");
            cstring(w, &b[..16]);
        }
        0x8943 | 0x8942 => int(w, "ifr_qlen"),
        0x8971 | 0x8970 => {
            let (start, end, rest) = match env.abi {
                Abi::X86_64 | Abi::Aarch64 => (le_u64(u, 0), le_u64(u, 8), 16),
                Abi::I386 => (le_u32(u, 0), le_u32(u, 4), 8),
            };
            w.s("ifr_map={mem_start=");
            w.hex(start);
            w.s(", mem_end=");
            w.hex(end);
            w.s(", base_addr=");
            w.hex(u64::from(u16::from_le_bytes([u[rest], u[rest + 1]])));
            w.s(", irq=");
            w.hex(u64::from(u[rest + 2]));
            w.s(", dma=");
            w.hex(u64::from(u[rest + 3]));
            w.s(", port=");
            w.hex(u64::from(u[rest + 4]));
            w.c('}');
        }
        _ => {}
    }
}

/// `NAME={sa_family=AF_INET, …}` of a `struct sockaddr` in the union.
fn addr_field(w: &mut Out<'_>, env: Env, name: &str, u: &[u8]) {
    w!(w, "{name}=");
    sockaddr::print_local(w, env, &u[..16], 16);
}

/// `SIOCBRADDBR`'s name: up to 16 bytes, a C string.
fn bridge_name(mem: &mut dyn GuestMemory, env: Env, w: &mut Out<'_>, arg: u64) -> Option<()> {
    if arg == 0 {
        w.s("NULL");
        return Some(());
    }
    // strace reads at most min(-s + 1, 16) bytes, up to a NUL.
    let size = env.limit.saturating_add(1).min(16);
    // A string running into unreadable memory before its end or the size is the pointer.
    let Some((b, found)) = mem
        .read_cstr(arg, size)
        .filter(|(b, f)| *f || b.len() >= size)
    else {
        return env.unreadable(w, arg);
    };
    let shown = b.len().min(env.limit);
    w.quote(&b[..shown], false, super::super::out::Quote::Default);
    if !found {
        w.s("...");
    }
    Some(())
}

/// A `struct ifconf`: `ifc_len` and `ifc_buf`.
fn ifconf_at(mem: &mut dyn GuestMemory, abi: Abi, addr: u64) -> Option<(i32, u64)> {
    if addr == 0 {
        return None;
    }
    match abi {
        Abi::X86_64 | Abi::Aarch64 => {
            let b = read_bytes(mem, addr, 16)?;
            Some((le_u32(&b, 0) as u32 as i32, le_u64(&b, 8)))
        }
        Abi::I386 => {
            let b = read_bytes(mem, addr, 8)?;
            Some((le_u32(&b, 0) as u32 as i32, le_u32(&b, 4)))
        }
    }
}

/// `ifc_len`'s value: `80 /* 2 * sizeof(struct ifreq) */`.
fn ifc_len(w: &mut Out<'_>, abi: Abi, len: i32) {
    w.int(i64::from(len));
    let size = ifreq_size(abi) as u32;
    let n = len as u32 / size;
    if len > 0 && n * size == len as u32 {
        w!(w, " /* {n} * sizeof(struct ifreq) */");
    }
}

/// `SIOCGIFCONF` at exit: `{ifc_len=400 /* 10 * sizeof(struct ifreq) */ => 40 /* … */,
/// ifc_buf=[{ifr_name="lo", ifr_addr={…}}]}`.
fn ifconf(cx: &mut Ctx<'_>, w: &mut Out<'_>, arg: u64) {
    let env = Env {
        strict: false,
        ..Env::of(cx)
    };
    let abi = env.abi;
    let Some((len0, buf0)) = ifconf_at(cx.entry_mem(), abi, arg) else {
        w.ptr(arg);
        return;
    };
    w.s("{ifc_len=");
    if buf0 != 0 {
        ifc_len(w, abi, len0);
    }
    let Some((len1, buf1)) = ifconf_at(cx.mem, abi, arg) else {
        if buf0 == 0 {
            ifc_len(w, abi, len0);
        }
        w.s(", ifc_buf=");
        w.ptr(buf0);
        w.c('}');
        return;
    };
    if buf0 != 0 && len0 != len1 {
        w.s(" => ");
    }
    if buf0 == 0 || len0 != len1 {
        ifc_len(w, abi, len1);
    }
    w.s(", ifc_buf=");
    if buf0 == 0 || !cx.ok() {
        w.ptr(buf0);
        if buf0 != buf1 {
            w.s(" => ");
            w.ptr(buf1);
        }
    } else {
        let size = ifreq_size(abi);
        // C divides the `int` widened to `size_t`.
        let n = (len1 as i64 as u64) / size;
        let _ = array(cx.mem, env, w, buf1, n, size, |_, w, b| {
            w.s("{ifr_name=");
            cstring(w, &b[..16]);
            w.s(", ifr_addr=");
            sockaddr::print_local(w, env, &b[16..32], 16);
            w.c('}');
            Some(true)
        });
    }
    w.c('}');
}
