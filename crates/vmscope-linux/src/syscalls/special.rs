//! Calls and arguments whose rendering depends on other arguments or on the call as a whole: `clone`,
//! `futex`, `ioctl`, sockets, `uname`, resource limits, directory listings.

use vmscope_core::event::Abi;

use super::ctx::Ctx;
use super::out::{Out, Quote, w};
use super::read::{read_bytes, read_word, word, word_size};
use super::xlat;
use crate::uapi::{Xlat, net, process as pr};

/// `clone` flags: `CLONE_VM|…|SIGCHLD`.
pub(crate) fn clone_flags(w: &mut Out<'_>, v: u64) {
    let sig = v & 0xff;
    let rest = v & !0xff;
    if rest != 0 {
        w.flags(rest, pr::CLONE_FLAGS, "0");
    }
    if sig != 0 {
        if rest != 0 {
            w.c('|');
        }
        xlat::signal(w, sig);
    }
    if v == 0 {
        w.c('0');
    }
}

/// `clone(child_stack=…, flags=…, parent_tid=[…], tls=…, child_tidptr=…)`: several printed
/// arguments from one kind.
pub(crate) fn clone(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let abi = cx.abi;
    let flags = cx.warg(0);
    let stack = cx.warg(1);
    let parent_tid = cx.warg(2);
    let (child_tid, tls) = match abi {
        Abi::X86_64 => (cx.warg(3), cx.warg(4)),
        // CLONE_BACKWARDS (i386, arm64): tls before child_tidptr.
        Abi::I386 | Abi::Aarch64 => (cx.warg(4), cx.warg(3)),
    };
    // Read before writing: a dry run must read what the rendering will.
    let ptid = if flags & (pr::CLONE_PARENT_SETTID | 0x1000) != 0 && cx.ok() && parent_tid != 0 {
        cx.mem.read_u32(parent_tid)
    } else {
        None
    };
    w.s("child_stack=");
    w.ptr(stack);
    w.sep();
    w.s("flags=");
    clone_flags(w, flags);
    if flags & (pr::CLONE_PARENT_SETTID | 0x1000) != 0 {
        w.sep();
        w.s("parent_tid=");
        match ptid {
            Some(t) => w!(w, "[{}]", t as i32),
            None => w.ptr(parent_tid),
        }
    }
    if flags & pr::CLONE_SETTLS != 0 {
        w.sep();
        w.s("tls=");
        // i386 passes a `struct user_desc`; x86_64 the TLS base itself.
        if abi == Abi::I386 {
            super::sys::user_desc(cx, w, tls);
        } else {
            w.ptr(tls);
        }
    }
    if flags & (pr::CLONE_CHILD_CLEARTID | pr::CLONE_CHILD_SETTID) != 0 {
        w.sep();
        w.s("child_tidptr=");
        w.ptr(child_tid);
    }
}

/// A futex operation as strace names it: an exact value (`FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME`),
/// or `0x… /* FUTEX_??? */` for a combination it has no name for.
pub(crate) fn futex_op(w: &mut Out<'_>, op: u64) {
    let op = op & 0xffff_ffff;
    let cmd = op & 0x7f;
    let private = op & 0x80 != 0;
    let realtime = op & 0x100 != 0;
    let named = crate::uapi::name_of(pr::FUTEX_CMDS, cmd)
        .filter(|_| op & !0x1ff == 0 && (!realtime || matches!(cmd, 0 | 9 | 11)));
    match named {
        Some(name) => {
            w.s(name);
            if private {
                w.s(if cmd == 2 {
                    "|FUTEX_PRIVATE_FLAG"
                } else {
                    "_PRIVATE"
                });
            }
            if realtime {
                w.s("|FUTEX_CLOCK_REALTIME");
            }
        }
        None => {
            w.hex(op);
            w.s(" /* FUTEX_??? */");
        }
    }
}

/// The `val3` of `FUTEX_WAKE_OP`: `FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1`.
fn futex_wake_op(w: &mut Out<'_>, v: u64) {
    const OPS: Xlat = &[
        (0, "FUTEX_OP_SET"),
        (1, "FUTEX_OP_ADD"),
        (2, "FUTEX_OP_OR"),
        (3, "FUTEX_OP_ANDN"),
        (4, "FUTEX_OP_XOR"),
    ];
    const CMPS: Xlat = &[
        (0, "FUTEX_OP_CMP_EQ"),
        (1, "FUTEX_OP_CMP_NE"),
        (2, "FUTEX_OP_CMP_LT"),
        (3, "FUTEX_OP_CMP_LE"),
        (4, "FUTEX_OP_CMP_GT"),
        (5, "FUTEX_OP_CMP_GE"),
    ];
    let v = v as u32;
    let op = u64::from((v >> 28) & 7);
    let cmp = u64::from((v >> 24) & 0xf);
    if (v >> 28) & 8 != 0 {
        w.s("FUTEX_OP_OPARG_SHIFT<<28|");
    }
    match crate::uapi::name_of(OPS, op) {
        Some(n) => w!(w, "{n}<<28|"),
        None => w!(w, "{op:#x}<<28 /* FUTEX_OP_??? */|"),
    }
    w.hex(u64::from((v >> 12) & 0xfff));
    w.s("<<12|");
    match crate::uapi::name_of(CMPS, cmp) {
        Some(n) => w!(w, "{n}<<24|"),
        None => w!(w, "{cmp:#x}<<24 /* FUTEX_OP_CMP_??? */|"),
    }
    w.hex(u64::from(v & 0xfff));
}

/// `futex(uaddr, op, …)` with the arguments the operation uses; the timeout is the call's own
/// layout (i386 `futex`: `struct old_timespec32`; `futex_time64` and x86_64: 64-bit fields).
pub(crate) fn futex(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let op = cx.arg(1);
    let cmd = op & 0x7f;
    let val3 = cx.arg(5) & 0xffff_ffff;
    let needs_timeout = matches!(cmd, 0 | 6 | 9 | 11 | 13);
    // Read first: the timeout is the only memory a futex rendering looks at. i386's `futex` takes
    // a `struct old_timespec32`, `futex_time64` and x86_64's a `struct __kernel_timespec`.
    let t = cx.warg(3);
    let old32 = cx.abi == Abi::I386 && cx.desc.call == super::Call::Futex;
    let timeout = if needs_timeout && t != 0 {
        read_bytes(cx.mem, t, if old32 { 8 } else { 16 })
    } else {
        None
    };
    let timeout = |w: &mut Out<'_>| match (t, &timeout) {
        (0, _) => w.s("NULL"),
        (_, Some(b)) => super::events::time::timespec_at(w, b, 0, old32),
        (_, None) => w.ptr(t),
    };
    let val = |w: &mut Out<'_>| w.uint(cx.arg(2) & 0xffff_ffff);
    let val2 = |w: &mut Out<'_>| w.uint(cx.arg(3) & 0xffff_ffff);
    let uaddr2 = |w: &mut Out<'_>| w.ptr(cx.warg(4));
    let bitset = |w: &mut Out<'_>| {
        if val3 == 0xffff_ffff {
            w.s("FUTEX_BITSET_MATCH_ANY");
        } else {
            w.hex(val3);
        }
    };
    w.ptr(cx.warg(0));
    w.sep();
    futex_op(w, op);
    match cmd {
        0 => {
            w.sep();
            val(w);
            w.sep();
            timeout(w);
        }
        6 | 13 => {
            w.sep();
            timeout(w);
        }
        9 => {
            w.sep();
            val(w);
            w.sep();
            timeout(w);
            w.sep();
            bitset(w);
        }
        10 => {
            w.sep();
            val(w);
            w.sep();
            bitset(w);
        }
        3 => {
            w.sep();
            val(w);
            w.sep();
            val2(w);
            w.sep();
            uaddr2(w);
        }
        4 | 12 => {
            w.sep();
            val(w);
            w.sep();
            val2(w);
            w.sep();
            uaddr2(w);
            w.sep();
            w.uint(val3);
        }
        5 => {
            w.sep();
            val(w);
            w.sep();
            val2(w);
            w.sep();
            uaddr2(w);
            w.sep();
            futex_wake_op(w, val3);
        }
        11 => {
            w.sep();
            val(w);
            w.sep();
            timeout(w);
            w.sep();
            uaddr2(w);
        }
        1 | 2 => {
            w.sep();
            val(w);
        }
        7 | 8 => {}
        _ => {
            w.sep();
            val(w);
            w.sep();
            w.ptr(t);
            w.sep();
            uaddr2(w);
            w.sep();
            w.hex(val3);
        }
    }
}

/// `statx`'s flags: the `AT_STATX_*` sync type, then `AT_*` flags.
pub(crate) fn statx_flags(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    w.s(match v & 0x6000 {
        0 => "AT_STATX_SYNC_AS_STAT",
        0x2000 => "AT_STATX_FORCE_SYNC",
        0x4000 => "AT_STATX_DONT_SYNC",
        _ => "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC",
    });
    let rest = v & !0x6000;
    if rest != 0 {
        w.c('|');
        w.flags(rest, crate::uapi::fs::AT_FLAGS, "0");
    }
}

/// A socket family.
pub(crate) fn family(w: &mut Out<'_>, v: u64) {
    w.xlat(v & 0xffff_ffff, net::FAMILIES, "AF_???");
}

/// A socket type with its `SOCK_CLOEXEC`/`SOCK_NONBLOCK` flags.
pub(crate) fn socket_type(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    w.xlat(v & 0xf, net::SOCK_TYPES, "SOCK_???");
    let rest = v & !0xf;
    if rest != 0 {
        w.c('|');
        w.flags(rest, net::SOCK_FLAGS, "0");
    }
}

/// A socket protocol, named by the family.
pub(crate) fn socket_proto(w: &mut Out<'_>, family: u64, v: u64) {
    let v = v & 0xffff_ffff;
    match family & 0xffff_ffff {
        2 | 10 => w.xlat(v, net::IPPROTO, "IPPROTO_???"),
        16 => w.xlat(v, net::NETLINK, "NETLINK_???"),
        _ => w.int(i64::from(v as u32 as i32)),
    }
}

/// `uname`'s output: `{sysname="Linux", nodename="vm", ...}`.
pub(crate) fn utsname(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let sys = read_bytes(cx.mem, addr, 65)?;
    let node = read_bytes(cx.mem, addr.wrapping_add(65), 65)?;
    let field = |w: &mut Out<'_>, b: &[u8]| {
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        w.quote(&b[..end], false, Quote::Default);
    };
    w.s("{sysname=");
    field(w, &sys);
    w.s(", nodename=");
    field(w, &node);
    w.s(", ...}");
    Some(())
}

/// `RLIMIT_*`.
pub(crate) fn resource(w: &mut Out<'_>, v: u64) {
    w.xlat(v & 0xffff_ffff, pr::RLIMITS, "RLIMIT_???");
}

/// A 64-bit resource limit value: `RLIM64_INFINITY`, `8192*1024` (multiples of 1024 above 1024
/// only), `1024`, `0`.
fn rlim64(w: &mut Out<'_>, v: u64) {
    if v == u64::MAX {
        w.s("RLIM64_INFINITY");
    } else if v > 1024 && v.is_multiple_of(1024) {
        w!(w, "{}*1024", v / 1024);
    } else {
        w.uint(v);
    }
}

/// `struct rlimit64`: `{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`.
pub(crate) fn rlimit64(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let cur = cx.mem.read_u64(addr)?;
    let max = cx.mem.read_u64(addr.wrapping_add(8))?;
    w.s("{rlim_cur=");
    rlim64(w, cur);
    w.s(", rlim_max=");
    rlim64(w, max);
    w.c('}');
    Some(())
}

/// `struct rlimit` of the ABI's word size: `{rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}`.
pub(crate) fn rlimit(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi);
    let cur = read_word(cx.mem, cx.abi, addr)?;
    let max = read_word(cx.mem, cx.abi, addr.wrapping_add(ws))?;
    let inf = word(cx.abi, u64::MAX);
    let show = |w: &mut Out<'_>, v: u64| {
        if v == inf {
            w.s("RLIM_INFINITY");
        } else {
            rlim64(w, v);
        }
    };
    w.s("{rlim_cur=");
    show(w, cur);
    w.s(", rlim_max=");
    show(w, max);
    w.c('}');
    Some(())
}

/// A directory listing of `len` bytes: `0x… /* 5 entries */`; `reclen_off` is where `d_reclen` is.
pub(crate) fn dirents(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, len: u64, reclen_off: u64) {
    let len = len.min(1 << 20);
    let mut off = 0u64;
    let mut n = 0u64;
    while off < len && n < 65536 {
        let mut b = [0u8; 2];
        if !cx.mem.read(addr.wrapping_add(off + reclen_off), &mut b) {
            break;
        }
        let reclen = u64::from(u16::from_le_bytes(b));
        if reclen == 0 {
            break;
        }
        n += 1;
        off += reclen;
    }
    w.hex(addr);
    w!(w, " /* {n} entr{} */", if n == 1 { "y" } else { "ies" });
}
