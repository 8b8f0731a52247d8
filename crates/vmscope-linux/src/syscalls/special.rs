//! Calls and arguments whose rendering depends on other arguments or on the call as a whole: `clone`,
//! `futex`, `ioctl`, `fcntl`'s results, sockets, clocks, `uname`, resource limits.

use vmscope_core::event::Abi;

use super::args::Ctx;
use super::fmt::{self, Quote, hex, ptr, quote, word};
use super::xlat;

/// `CLONE_*` flags in bit order (the low byte is the exit signal).
const CLONE_FLAGS: &[(u64, &str)] = &[
    (0x0000_0100, "CLONE_VM"),
    (0x0000_0200, "CLONE_FS"),
    (0x0000_0400, "CLONE_FILES"),
    (0x0000_0800, "CLONE_SIGHAND"),
    (0x0000_1000, "CLONE_PIDFD"),
    (0x0000_2000, "CLONE_PTRACE"),
    (0x0000_4000, "CLONE_VFORK"),
    (0x0000_8000, "CLONE_PARENT"),
    (0x0001_0000, "CLONE_THREAD"),
    (0x0002_0000, "CLONE_NEWNS"),
    (0x0004_0000, "CLONE_SYSVSEM"),
    (0x0008_0000, "CLONE_SETTLS"),
    (0x0010_0000, "CLONE_PARENT_SETTID"),
    (0x0020_0000, "CLONE_CHILD_CLEARTID"),
    (0x0040_0000, "CLONE_DETACHED"),
    (0x0080_0000, "CLONE_UNTRACED"),
    (0x0100_0000, "CLONE_CHILD_SETTID"),
    (0x0200_0000, "CLONE_NEWCGROUP"),
    (0x0400_0000, "CLONE_NEWUTS"),
    (0x0800_0000, "CLONE_NEWIPC"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x4000_0000, "CLONE_NEWNET"),
    (0x8000_0000, "CLONE_IO"),
];

/// `clone` flags: `CLONE_VM|…|SIGCHLD`.
pub(super) fn clone_flags(v: u64) -> String {
    let sig = v & 0xff;
    let rest = v & !0xff;
    let mut parts = Vec::new();
    if rest != 0 {
        parts.push(fmt::flags(rest, CLONE_FLAGS, "0"));
    }
    if sig != 0 {
        parts.push(xlat::signal(sig));
    }
    if parts.is_empty() {
        return "0".to_string();
    }
    parts.join("|")
}

/// `clone(child_stack=…, flags=…, parent_tid=[…], tls=…, child_tidptr=…)`.
pub(super) fn clone(cx: &mut Ctx<'_>) -> Vec<String> {
    let abi = cx.abi;
    let flags = cx.warg(0);
    let stack = cx.warg(1);
    let parent_tid = cx.warg(2);
    let (child_tid, tls) = match abi {
        Abi::X86_64 => (cx.warg(3), cx.warg(4)),
        Abi::I386 => (cx.warg(4), cx.warg(3)),
    };
    let mut out = vec![
        format!("child_stack={}", ptr(stack)),
        format!("flags={}", clone_flags(flags)),
    ];
    if flags & 0x0010_0000 != 0 {
        let shown = match (cx.ok(), cx.mem.read_u32(parent_tid)) {
            (true, Some(t)) if parent_tid != 0 => format!("[{}]", t as i32),
            _ => ptr(parent_tid),
        };
        out.push(format!("parent_tid={shown}"));
    }
    if flags & 0x0008_0000 != 0 {
        out.push(format!("tls={}", ptr(tls)));
    }
    if flags & (0x0020_0000 | 0x0100_0000) != 0 {
        out.push(format!("child_tidptr={}", ptr(child_tid)));
    }
    out
}

/// `FUTEX_*` commands.
const FUTEX_CMDS: [&str; 14] = [
    "FUTEX_WAIT",
    "FUTEX_WAKE",
    "FUTEX_FD",
    "FUTEX_REQUEUE",
    "FUTEX_CMP_REQUEUE",
    "FUTEX_WAKE_OP",
    "FUTEX_LOCK_PI",
    "FUTEX_UNLOCK_PI",
    "FUTEX_TRYLOCK_PI",
    "FUTEX_WAIT_BITSET",
    "FUTEX_WAKE_BITSET",
    "FUTEX_WAIT_REQUEUE_PI",
    "FUTEX_CMP_REQUEUE_PI",
    "FUTEX_LOCK_PI2",
];

/// A futex operation: `FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME`.
pub(super) fn futex_op(op: u64) -> String {
    let op = op & 0xffff_ffff;
    let cmd = op & 0x7f;
    let private = op & 0x80 != 0;
    let realtime = op & 0x100 != 0;
    let rest = op & !0x1ff;
    let mut s = match FUTEX_CMDS.get(cmd as usize) {
        Some(name) => {
            let mut s = name.to_string();
            if private {
                s.push_str("_PRIVATE");
            }
            s
        }
        None => {
            let mut s = if private {
                "FUTEX_PRIVATE_FLAG|".to_string()
            } else {
                String::new()
            };
            s.push_str(&format!("{} /* FUTEX_??? */", hex(cmd)));
            s
        }
    };
    if realtime {
        s.push_str("|FUTEX_CLOCK_REALTIME");
    }
    if rest != 0 {
        s.push_str(&format!("|{rest:#x}"));
    }
    s
}

/// The `val3` of `FUTEX_WAKE_OP`: `FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1`.
fn futex_wake_op(v: u64) -> String {
    let v = v as u32;
    let op = (v >> 28) & 7;
    let oparg_shift = v & (8 << 28) != 0;
    let cmp = (v >> 24) & 0xf;
    let oparg = (v >> 12) & 0xfff;
    let cmparg = v & 0xfff;
    const OPS: [&str; 5] = [
        "FUTEX_OP_SET",
        "FUTEX_OP_ADD",
        "FUTEX_OP_OR",
        "FUTEX_OP_ANDN",
        "FUTEX_OP_XOR",
    ];
    const CMPS: [&str; 6] = [
        "FUTEX_OP_CMP_EQ",
        "FUTEX_OP_CMP_NE",
        "FUTEX_OP_CMP_LT",
        "FUTEX_OP_CMP_LE",
        "FUTEX_OP_CMP_GT",
        "FUTEX_OP_CMP_GE",
    ];
    let op_s = OPS
        .get(op as usize)
        .map_or_else(|| format!("{op:#x} /* FUTEX_OP_??? */"), |s| s.to_string());
    let cmp_s = CMPS.get(cmp as usize).map_or_else(
        || format!("{cmp:#x} /* FUTEX_OP_CMP_??? */"),
        |s| s.to_string(),
    );
    format!(
        "{}{op_s}<<28|{}<<12|{cmp_s}<<24|{}",
        if oparg_shift {
            "FUTEX_OP_OPARG_SHIFT<<28|"
        } else {
            ""
        },
        hex(u64::from(oparg)),
        hex(u64::from(cmparg))
    )
}

/// `futex(uaddr, op, …)` with the arguments the operation uses.
pub(super) fn futex(cx: &mut Ctx<'_>) -> Vec<String> {
    let abi = cx.abi;
    let op = cx.arg(1);
    let cmd = op & 0x7f;
    let uaddr = ptr(cx.warg(0));
    let val = format!("{}", cx.arg(2) as u32 as i32);
    let val2 = format!("{}", cx.arg(3) as u32);
    let uaddr2 = ptr(cx.warg(4));
    let val3 = cx.arg(5) & 0xffff_ffff;
    let timeout = |cx: &mut Ctx<'_>| {
        let t = cx.warg(3);
        timespec(cx, t, false).unwrap_or_else(|| ptr(t))
    };
    let bitset = |v: u64| {
        if v == 0xffff_ffff {
            "FUTEX_BITSET_MATCH_ANY".to_string()
        } else {
            hex(v)
        }
    };
    let mut out = vec![uaddr, futex_op(op)];
    match cmd {
        0 => out.extend([val, timeout(cx)]),
        1 | 2 => out.push(val),
        3 => out.extend([val, val2, uaddr2]),
        4 | 12 => out.extend([val, val2, uaddr2, format!("{}", val3 as u32 as i32)]),
        5 => out.extend([val, val2, uaddr2, futex_wake_op(val3)]),
        6 | 13 => out.push(timeout(cx)),
        7 | 8 => {}
        9 => out.extend([val, timeout(cx), bitset(val3)]),
        10 => out.extend([val, bitset(val3)]),
        11 => out.extend([val, timeout(cx), uaddr2]),
        _ => out.extend([
            hex(cx.arg(2) & 0xffff_ffff),
            hex(word(abi, cx.arg(3))),
            uaddr2,
            hex(val3),
        ]),
    }
    out
}

/// `{tv_sec=1, tv_nsec=500}`; `old32` reads the 32-bit layout.
pub(super) fn timespec(cx: &mut Ctx<'_>, addr: u64, old32: bool) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let (sec, nsec) = if old32 {
        let s = cx.mem.read_u32(addr)? as i32 as i64;
        let n = cx.mem.read_u32(addr.wrapping_add(4))? as i32 as i64;
        (s, n)
    } else {
        let s = cx.mem.read_u64(addr)? as i64;
        let n = cx.mem.read_u64(addr.wrapping_add(8))? as i64;
        (s, n)
    };
    Some(format!("{{tv_sec={sec}, tv_nsec={nsec}}}"))
}

/// `CLOCK_*`.
pub(super) fn clock_id(v: u64) -> String {
    const CLOCKS: &[(u64, &str)] = &[
        (0, "CLOCK_REALTIME"),
        (1, "CLOCK_MONOTONIC"),
        (2, "CLOCK_PROCESS_CPUTIME_ID"),
        (3, "CLOCK_THREAD_CPUTIME_ID"),
        (4, "CLOCK_MONOTONIC_RAW"),
        (5, "CLOCK_REALTIME_COARSE"),
        (6, "CLOCK_MONOTONIC_COARSE"),
        (7, "CLOCK_BOOTTIME"),
        (8, "CLOCK_REALTIME_ALARM"),
        (9, "CLOCK_BOOTTIME_ALARM"),
        (10, "CLOCK_SGI_CYCLE"),
        (11, "CLOCK_TAI"),
    ];
    let v = v & 0xffff_ffff;
    match CLOCKS.iter().find(|&&(n, _)| n == v) {
        Some(&(_, name)) => name.to_string(),
        None => format!("{}", v as u32 as i32),
    }
}

/// `statx`'s flags: the `AT_STATX_*` sync type, then `AT_*` flags.
pub(super) fn statx_flags(v: u64) -> String {
    let v = v & 0xffff_ffff;
    let sync = match v & 0x6000 {
        0 => "AT_STATX_SYNC_AS_STAT",
        0x2000 => "AT_STATX_FORCE_SYNC",
        0x4000 => "AT_STATX_DONT_SYNC",
        _ => "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC",
    };
    let rest = v & !0x6000;
    if rest == 0 {
        sync.to_string()
    } else {
        format!("{sync}|{}", fmt::flags(rest, xlat::AT_FLAGS, "0"))
    }
}

const FAMILIES: [&str; 46] = [
    "AF_UNSPEC",
    "AF_UNIX",
    "AF_INET",
    "AF_AX25",
    "AF_IPX",
    "AF_APPLETALK",
    "AF_NETROM",
    "AF_BRIDGE",
    "AF_ATMPVC",
    "AF_X25",
    "AF_INET6",
    "AF_ROSE",
    "AF_DECnet",
    "AF_NETBEUI",
    "AF_SECURITY",
    "AF_KEY",
    "AF_NETLINK",
    "AF_PACKET",
    "AF_ASH",
    "AF_ECONET",
    "AF_ATMSVC",
    "AF_RDS",
    "AF_SNA",
    "AF_IRDA",
    "AF_PPPOX",
    "AF_WANPIPE",
    "AF_LLC",
    "AF_IB",
    "AF_MPLS",
    "AF_CAN",
    "AF_TIPC",
    "AF_BLUETOOTH",
    "AF_IUCV",
    "AF_RXRPC",
    "AF_ISDN",
    "AF_PHONET",
    "AF_IEEE802154",
    "AF_CAIF",
    "AF_ALG",
    "AF_NFC",
    "AF_VSOCK",
    "AF_KCM",
    "AF_QIPCRTR",
    "AF_SMC",
    "AF_XDP",
    "AF_MCTP",
];

/// A socket family.
pub(super) fn family(v: u64) -> String {
    let v = v & 0xffff_ffff;
    match FAMILIES.get(v as usize) {
        Some(name) => name.to_string(),
        None => format!("{} /* AF_??? */", hex(v)),
    }
}

/// A socket type with its `SOCK_CLOEXEC`/`SOCK_NONBLOCK` flags.
pub(super) fn socket_type(v: u64) -> String {
    let v = v & 0xffff_ffff;
    let ty = v & 0xf;
    let base = match ty {
        1 => "SOCK_STREAM".to_string(),
        2 => "SOCK_DGRAM".to_string(),
        3 => "SOCK_RAW".to_string(),
        4 => "SOCK_RDM".to_string(),
        5 => "SOCK_SEQPACKET".to_string(),
        6 => "SOCK_DCCP".to_string(),
        10 => "SOCK_PACKET".to_string(),
        _ => format!("{} /* SOCK_??? */", hex(ty)),
    };
    let rest = v & !0xf;
    if rest == 0 {
        return base;
    }
    format!(
        "{base}|{}",
        fmt::flags(
            rest,
            &[(0o2000000, "SOCK_CLOEXEC"), (0o4000, "SOCK_NONBLOCK")],
            "0"
        )
    )
}

/// A socket protocol, named by the family.
pub(super) fn socket_proto(family: u64, v: u64) -> String {
    const IPPROTO: &[(u64, &str)] = &[
        (0, "IPPROTO_IP"),
        (1, "IPPROTO_ICMP"),
        (2, "IPPROTO_IGMP"),
        (4, "IPPROTO_IPIP"),
        (6, "IPPROTO_TCP"),
        (8, "IPPROTO_EGP"),
        (12, "IPPROTO_PUP"),
        (17, "IPPROTO_UDP"),
        (22, "IPPROTO_IDP"),
        (29, "IPPROTO_TP"),
        (33, "IPPROTO_DCCP"),
        (41, "IPPROTO_IPV6"),
        (46, "IPPROTO_RSVP"),
        (47, "IPPROTO_GRE"),
        (50, "IPPROTO_ESP"),
        (51, "IPPROTO_AH"),
        (58, "IPPROTO_ICMPV6"),
        (92, "IPPROTO_MTP"),
        (94, "IPPROTO_BEETPH"),
        (98, "IPPROTO_ENCAP"),
        (103, "IPPROTO_PIM"),
        (108, "IPPROTO_COMP"),
        (115, "IPPROTO_L2TP"),
        (132, "IPPROTO_SCTP"),
        (136, "IPPROTO_UDPLITE"),
        (137, "IPPROTO_MPLS"),
        (143, "IPPROTO_ETHERNET"),
        (255, "IPPROTO_RAW"),
        (262, "IPPROTO_MPTCP"),
    ];
    const NETLINK: [&str; 23] = [
        "NETLINK_ROUTE",
        "NETLINK_UNUSED",
        "NETLINK_USERSOCK",
        "NETLINK_FIREWALL",
        "NETLINK_SOCK_DIAG",
        "NETLINK_NFLOG",
        "NETLINK_XFRM",
        "NETLINK_SELINUX",
        "NETLINK_ISCSI",
        "NETLINK_AUDIT",
        "NETLINK_FIB_LOOKUP",
        "NETLINK_CONNECTOR",
        "NETLINK_NETFILTER",
        "NETLINK_IP6_FW",
        "NETLINK_DNRTMSG",
        "NETLINK_KOBJECT_UEVENT",
        "NETLINK_GENERIC",
        "17",
        "NETLINK_SCSITRANSPORT",
        "NETLINK_ECRYPTFS",
        "NETLINK_RDMA",
        "NETLINK_CRYPTO",
        "NETLINK_SMC",
    ];
    let v = v & 0xffff_ffff;
    match family & 0xffff_ffff {
        2 | 10 => fmt::xlat(v, IPPROTO, "IPPROTO_???"),
        16 => match NETLINK.get(v as usize) {
            Some(n) if *n != "17" => n.to_string(),
            _ => format!("{} /* NETLINK_??? */", hex(v)),
        },
        _ => format!("{}", v as u32 as i32),
    }
}

/// `uname`'s output: `{sysname="Linux", nodename="vm", ...}`.
pub(super) fn utsname(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    let field = |cx: &mut Ctx<'_>, off: u64| -> Option<String> {
        let b = fmt::read_bytes(cx.mem, addr.wrapping_add(off), 65)?;
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        Some(quote(&b[..end], false, Quote::Default))
    };
    let sys = field(cx, 0)?;
    let node = field(cx, 65)?;
    Some(format!("{{sysname={sys}, nodename={node}, ...}}"))
}

/// `RLIMIT_*`.
pub(super) fn resource(v: u64) -> String {
    const RES: [&str; 16] = [
        "RLIMIT_CPU",
        "RLIMIT_FSIZE",
        "RLIMIT_DATA",
        "RLIMIT_STACK",
        "RLIMIT_CORE",
        "RLIMIT_RSS",
        "RLIMIT_NPROC",
        "RLIMIT_NOFILE",
        "RLIMIT_MEMLOCK",
        "RLIMIT_AS",
        "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING",
        "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE",
        "RLIMIT_RTPRIO",
        "RLIMIT_RTTIME",
    ];
    let v = v & 0xffff_ffff;
    match RES.get(v as usize) {
        Some(n) => n.to_string(),
        None => format!("{} /* RLIMIT_??? */", hex(v)),
    }
}

/// A 64-bit resource limit value: `RLIM64_INFINITY`, `8192*1024`, `0`.
fn rlim64(v: u64) -> String {
    if v == u64::MAX {
        "RLIM64_INFINITY".to_string()
    } else if v != 0 && v.is_multiple_of(1024) {
        format!("{}*1024", v / 1024)
    } else {
        format!("{v}")
    }
}

/// `struct rlimit64`: `{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`.
pub(super) fn rlimit64(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let cur = cx.mem.read_u64(addr)?;
    let max = cx.mem.read_u64(addr.wrapping_add(8))?;
    Some(format!(
        "{{rlim_cur={}, rlim_max={}}}",
        rlim64(cur),
        rlim64(max)
    ))
}

/// Known `ioctl` requests (terminal and generic file ones).
const IOCTLS: &[(u64, &str)] = &[
    (0x5401, "TCGETS"),
    (0x5402, "TCSETS"),
    (0x5403, "TCSETSW"),
    (0x5404, "TCSETSF"),
    (0x5405, "TCGETA"),
    (0x5406, "TCSETA"),
    (0x5407, "TCSETAW"),
    (0x5408, "TCSETAF"),
    (0x5409, "TCSBRK"),
    (0x540a, "TCXONC"),
    (0x540b, "TCFLSH"),
    (0x540c, "TIOCEXCL"),
    (0x540d, "TIOCNXCL"),
    (0x540e, "TIOCSCTTY"),
    (0x540f, "TIOCGPGRP"),
    (0x5410, "TIOCSPGRP"),
    (0x5411, "TIOCOUTQ"),
    (0x5412, "TIOCSTI"),
    (0x5413, "TIOCGWINSZ"),
    (0x5414, "TIOCSWINSZ"),
    (0x5415, "TIOCMGET"),
    (0x5416, "TIOCMBIS"),
    (0x5417, "TIOCMBIC"),
    (0x5418, "TIOCMSET"),
    (0x5419, "TIOCGSOFTCAR"),
    (0x541a, "TIOCSSOFTCAR"),
    (0x541b, "FIONREAD"),
    (0x541c, "TIOCLINUX"),
    (0x541d, "TIOCCONS"),
    (0x541e, "TIOCGSERIAL"),
    (0x541f, "TIOCSSERIAL"),
    (0x5420, "TIOCPKT"),
    (0x5421, "FIONBIO"),
    (0x5422, "TIOCNOTTY"),
    (0x5423, "TIOCSETD"),
    (0x5424, "TIOCGETD"),
    (0x5425, "TCSBRKP"),
    (0x5427, "TIOCSBRK"),
    (0x5428, "TIOCCBRK"),
    (0x5429, "TIOCGSID"),
    (0x5450, "FIONCLEX"),
    (0x5451, "FIOCLEX"),
    (0x5452, "FIOASYNC"),
    (0x80045430, "TIOCGPTN"),
    (0x40045431, "TIOCSPTLCK"),
    (0x80045432, "TIOCGDEV"),
    (0x5441, "TIOCGPTPEER"),
    (0x5460, "FIOQSIZE"),
    (0x80086601, "FS_IOC_GETFLAGS"),
    (0x40086602, "FS_IOC_SETFLAGS"),
    (0x80081272, "BLKGETSIZE64"),
    (0x1260, "BLKGETSIZE"),
    (0x8912, "SIOCGIFCONF"),
    (0x8913, "SIOCGIFFLAGS"),
    (0x8914, "SIOCSIFFLAGS"),
    (0x8927, "SIOCGIFHWADDR"),
    (0x8933, "SIOCGIFINDEX"),
];

/// An `ioctl` request: its name, or `_IOC(dir, type, nr, size)`.
pub(super) fn ioctl_cmd(v: u64) -> String {
    let v = v & 0xffff_ffff;
    if let Some(&(_, name)) = IOCTLS.iter().find(|&&(n, _)| n == v) {
        return name.to_string();
    }
    let dir = match v >> 30 {
        0 => "_IOC_NONE",
        1 => "_IOC_WRITE",
        2 => "_IOC_READ",
        _ => "_IOC_READ|_IOC_WRITE",
    };
    format!(
        "_IOC({dir}, {}, {}, {})",
        hex((v >> 8) & 0xff),
        hex(v & 0xff),
        hex((v >> 16) & 0x3fff)
    )
}

/// `ioctl`'s third argument as entry sees it (integers passed by pointer are read here).
pub(super) fn ioctl_arg(cx: &mut Ctx<'_>, v: u64) -> String {
    let addr = word(cx.abi, v);
    match cx.arg(1) & 0xffff_ffff {
        // int passed by pointer, input
        0x5410 | 0x5421 | 0x5452 => match cx.mem.read_u32(addr) {
            Some(n) if addr != 0 => format!("[{}]", n as i32),
            _ => ptr(addr),
        },
        _ => hex(addr),
    }
}

/// `struct rlimit` of the ABI's word size: `{rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}`.
pub(super) fn rlimit(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let ws = fmt::word_size(cx.abi);
    let cur = fmt::read_word(cx.mem, cx.abi, addr)?;
    let max = fmt::read_word(cx.mem, cx.abi, addr.wrapping_add(ws))?;
    let show = |v: u64| {
        if v == word(cx.abi, u64::MAX) {
            "RLIM_INFINITY".to_string()
        } else {
            rlim64(v)
        }
    };
    Some(format!(
        "{{rlim_cur={}, rlim_max={}}}",
        show(cur),
        show(max)
    ))
}

/// A directory listing of `len` bytes: `0x… /* 5 entries */`; `reclen_off` is where `d_reclen` is.
pub(super) fn dirents(cx: &mut Ctx<'_>, addr: u64, len: u64, reclen_off: u64) -> Option<String> {
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
    Some(format!(
        "{} /* {n} entr{} */",
        hex(addr),
        if n == 1 { "y" } else { "ies" }
    ))
}
