//! Process-wide calls as strace prints them (`prctl` and `arch_prctl` are in `prctl.rs`):
//! `clone3`, the scheduler (policies, parameters, attributes, CPU sets), `sysinfo`, capabilities,
//! `personality`, priorities and I/O priorities, `kcmp`, thread areas and the LDT, `membarrier`,
//! `seccomp`, `reboot`, `syslog`, `mount`/`umount2`, `sethostname`, robust lists.
//!
//! Kinds that render a whole call (`clone3`, `seccomp`, `syslog`, …) are in/out: they run dry at
//! the entry, which records what the call read, and render at the exit, showing what the call read
//! from the entry's memory ([`at_entry`]) and what it wrote from the exit's.

use vmscope_core::event::Abi;

use super::super::Call;
use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes, word_size};
use super::prctl::{XFEATURE_BITS, fprog, hex_aux, prctl_ret, signal};
use super::util::{
    at_entry, aux_flags, nonzero_bytes, num_at, num_i32, num_ptr, pflags, pxval, pxval32, sflags,
    str0, strn,
};
use crate::uapi::{name_of, proc as p, process as pr};

/// `struct clone_args` of `clone3` with its size; after a successful call what it wrote
/// (` => {pidfd=[3]}`).
pub(crate) fn clone3(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let addr = cx.warg(0);
    let size = cx.warg(1);
    const MIN: u64 = 64;
    let fetch = size.min(88);
    let args = at_entry(cx, |cx| {
        if fetch < MIN || addr == 0 {
            return None;
        }
        read_bytes(cx.mem, addr, fetch as usize)
    });
    match &args {
        None => w.ptr(addr),
        Some(b) => {
            let mut b = b.clone();
            b.resize(88, 0);
            let f = |i: usize| le_u64(&b, 8 * i);
            let flags = f(0);
            w.s("{flags=");
            let both: Vec<(u64, &str)> = pr::CLONE_FLAGS
                .iter()
                .chain(p::CLONE3_FLAGS.iter())
                .copied()
                .collect();
            pflags(w, flags, &both, Some("CLONE_???"));
            if flags & 0x1000 != 0 {
                w.s(", pidfd=");
                w.ptr(f(1));
            }
            if flags & (pr::CLONE_CHILD_SETTID | pr::CLONE_CHILD_CLEARTID) != 0 {
                w.s(", child_tid=");
                w.ptr(f(2));
            }
            if flags & pr::CLONE_PARENT_SETTID != 0 {
                w.s(", parent_tid=");
                w.ptr(f(3));
            }
            let sig = f(4);
            w.s(", exit_signal=");
            if sig < i32::MAX as u64 {
                signal(w, sig);
            } else {
                w.uint(sig);
            }
            w.s(", stack=");
            w.ptr(f(5));
            w.s(", stack_size=");
            w.hex(f(6));
            if flags & pr::CLONE_SETTLS != 0 {
                w.s(", tls=");
                let tls = f(7);
                if cx.abi == Abi::I386 {
                    at_entry(cx, |cx| {
                        super::ldt::user_desc(cx, w, tls, super::ldt::Desc::Both)
                    });
                } else {
                    w.ptr(tls);
                }
            }
            let (set_tid, n) = (f(8), f(9));
            if set_tid != 0 || n != 0 {
                w.s(", set_tid=");
                if set_tid == 0 || n == 0 || n > 32 {
                    w.ptr(set_tid);
                } else {
                    at_entry(cx, |cx| {
                        super::util::array(cx, w, set_tid, n, 4, |w, e| {
                            w.int(i64::from(le_u32(e, 0) as u32 as i32));
                        });
                    });
                }
                w!(w, ", set_tid_size={n}");
            }
            if fetch > 80 && (f(10) != 0 || flags & 0x2_0000_0000 != 0) {
                w!(w, ", cgroup={}", f(10));
            }
            let total = size.min(4096);
            if size > fetch {
                at_entry(cx, |cx| nonzero_bytes(cx, w, addr, fetch, total, ", "));
            }
            w.c('}');
            // What the call wrote.
            if cx.ok() {
                let mut opened = false;
                let open = |w: &mut Out<'_>, opened: &mut bool| {
                    w.s(if *opened { ", " } else { " => {" });
                    *opened = true;
                };
                if flags & 0x1000 != 0 {
                    open(w, &mut opened);
                    w.s("pidfd=");
                    num_i32(cx, w, f(1));
                }
                if flags & pr::CLONE_PARENT_SETTID != 0 {
                    open(w, &mut opened);
                    w.s("parent_tid=");
                    num_i32(cx, w, f(3));
                }
                if size > fetch {
                    let prefix = if opened { ", " } else { " => {" };
                    if nonzero_bytes(cx, w, addr, fetch, total, prefix) {
                        opened = true;
                    }
                }
                if opened {
                    w.c('}');
                }
            }
        }
    }
    w.sep();
    w.uint(size);
}

/// `[0 1]`: a CPU set of `len` bytes.
pub(crate) fn cpuset(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, len: u64) {
    if addr == 0 || (cx.exit && !cx.ok()) {
        w.ptr(addr);
        return;
    }
    if len == 0 {
        w.s("[]");
        return;
    }
    let ws = word_size(cx.abi);
    let umove = len.min(128);
    let size = umove.div_ceil(ws) * ws;
    let Some(mut b) = read_bytes(cx.mem, addr, umove as usize) else {
        w.ptr(addr);
        return;
    };
    b.resize(size as usize, 0);
    w.c('[');
    let mut first = true;
    for (i, byte) in b.iter().enumerate() {
        for bit in 0..8 {
            if byte >> bit & 1 == 1 {
                if !first {
                    w.c(' ');
                }
                first = false;
                w.uint(i as u64 * 8 + bit);
            }
        }
    }
    if size < len {
        if !first {
            w.c(' ');
        }
        w.s("...");
    }
    w.c(']');
}

/// `struct sched_attr`: `{size=56, sched_policy=SCHED_OTHER, …}`; `usize` is `sched_getattr`'s
/// size argument (0 for `sched_setattr`, whose structure says its own size).
pub(crate) fn sched_attr(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, usize_: u64) {
    const MIN: u64 = 48;
    const VER1: u64 = 56;
    let is_set = usize_ == 0;
    let (b, size, usz) = if !is_set {
        let size = usize_.min(VER1);
        let Some(b) = read_bytes(cx.mem, addr, size as usize).filter(|_| addr != 0) else {
            w.ptr(addr);
            return;
        };
        let written = le_u32(&b, 0);
        (b, written, usize_)
    } else {
        let Some(sz) = cx.mem.read_u32(addr).filter(|_| addr != 0) else {
            w.ptr(addr);
            return;
        };
        let usz = if sz == 0 { MIN } else { u64::from(sz) };
        let size = usz.min(VER1);
        let b = if size >= MIN {
            match read_bytes(cx.mem, addr, size as usize) {
                Some(b) => b,
                None => {
                    w.ptr(addr);
                    return;
                }
            }
        } else {
            sz.to_le_bytes().to_vec()
        };
        (b, size, usz)
    };
    let mut b = b;
    b.resize(VER1 as usize, 0);
    w!(w, "{{size={}", le_u32(&b, 0));
    if size >= MIN {
        let policy = le_u32(&b, 4);
        let flags = le_u64(&b, 8);
        if !is_set || (policy as u32 as i32) < 0 || flags & 0x18 == 0 {
            w.s(", sched_policy=");
            pxval(w, policy, p::SCHEDULERS, "SCHED_???");
        }
        w.s(", sched_flags=");
        pflags(w, flags, p::SCHED_FLAGS, Some("SCHED_FLAG_???"));
        if !is_set || flags & 0x10 == 0 {
            w!(
                w,
                ", sched_nice={}, sched_priority={}, sched_runtime={}, sched_deadline={}, sched_period={}",
                le_u32(&b, 16) as u32 as i32,
                le_u32(&b, 20),
                le_u64(&b, 24),
                le_u64(&b, 32),
                le_u64(&b, 40)
            );
        }
        if size >= VER1 {
            w!(
                w,
                ", sched_util_min={}, sched_util_max={}",
                le_u32(&b, 48),
                le_u32(&b, 52)
            );
        }
    }
    let whole = if is_set { usz } else { le_u32(&b, 0) };
    if whole > size {
        w.s(", ...");
    }
    w.c('}');
}

/// `struct sysinfo` of the ABI.
pub(crate) fn sysinfo(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let ws = word_size(cx.abi) as usize;
    let len = if ws == 8 { 112 } else { 64 };
    let b = read_bytes(cx.mem, addr, len)?;
    let word = |i: usize| {
        if ws == 8 {
            le_u64(&b, 8 * i)
        } else {
            le_u32(&b, 4 * i)
        }
    };
    let procs = le_u32(&b, 10 * ws) & 0xffff;
    // totalhigh, freehigh and mem_unit follow `procs` and its padding, word-aligned.
    let high = 11;
    w!(
        w,
        "{{uptime={}, loads=[{}, {}, {}], totalram={}, freeram={}, sharedram={}, bufferram={}, totalswap={}, freeswap={}, procs={procs}, totalhigh={}, freehigh={}, mem_unit={}}}",
        word(0),
        word(1),
        word(2),
        word(3),
        word(4),
        word(5),
        word(6),
        word(7),
        word(8),
        word(9),
        word(high),
        word(high + 1),
        le_u32(&b, (high + 2) * ws)
    );
    Some(())
}

/// `capget`/`capset`'s header: `{version=_LINUX_CAPABILITY_VERSION_3, pid=0}`; its version.
pub(crate) fn cap_header(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<u64> {
    let b = read_bytes(cx.mem, addr, 8).filter(|_| addr != 0);
    match &b {
        Some(b) => {
            w.s("{version=");
            pxval(
                w,
                le_u32(b, 0),
                p::CAP_VERSION,
                "_LINUX_CAPABILITY_VERSION_???",
            );
            w!(w, ", pid={}}}", le_u32(b, 4) as u32 as i32);
        }
        None => w.ptr(addr),
    }
    b.map(|b| le_u32(&b, 0))
}

/// Capability sets: `{effective=1<<CAP_CHOWN|…, permitted=…, inheritable=0}`.
pub(crate) fn cap_data(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, version: Option<u64>) {
    let Some(v) = version.filter(|_| addr != 0) else {
        w.ptr(addr);
        return;
    };
    let n = if v == 0x2007_1026 || v == 0x2008_0522 {
        2
    } else {
        1
    };
    let Some(b) = read_bytes(cx.mem, addr, 12 * n) else {
        w.ptr(addr);
        return;
    };
    let part = |w: &mut Out<'_>, k: usize| {
        let lo = le_u32(&b, 4 * k);
        let hi = if n > 1 { le_u32(&b, 12 + 4 * k) } else { 0 };
        if lo != 0 || hi == 0 {
            cap_bits(w, lo, 0);
        }
        if hi != 0 {
            if lo != 0 {
                w.c('|');
            }
            cap_bits(w, hi, 32);
        }
    };
    w.s("{effective=");
    part(w, 0);
    w.s(", permitted=");
    part(w, 1);
    w.s(", inheritable=");
    part(w, 2);
    w.c('}');
}

/// One word of capability bits: `1<<CAP_CHOWN|1<<CAP_KILL`, numbered from `base`.
fn cap_bits(w: &mut Out<'_>, v: u64, base: u64) {
    if v == 0 {
        w.c('0');
        return;
    }
    let mut left = v;
    let mut first = true;
    for bit in 0..32u64 {
        if left >> bit & 1 == 0 {
            continue;
        }
        let Some(name) = name_of(p::CAPS, base + bit) else {
            continue;
        };
        if !first {
            w.c('|');
        }
        first = false;
        w!(w, "1<<{name}");
        left &= !(1 << bit);
    }
    if left != 0 {
        if first {
            w!(w, "{left:#x} /* CAP_??? */");
        } else {
            w!(w, "|{left:#x}");
        }
    }
}

/// `personality`'s argument: `PER_LINUX|ADDR_NO_RANDOMIZE`, `0xffffffff` (a query).
pub(crate) fn personality(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    if v == 0xffff_ffff {
        w.s("0xffffffff");
        return;
    }
    pxval(w, v & 0xff, p::PERSONALITY_TYPES, "PER_???");
    let rest = v & !0xff;
    if rest != 0 {
        w.c('|');
        pflags(w, rest, p::PERSONALITY_FLAGS, None);
    }
}

/// `personality`'s return value: `0x40000 (PER_LINUX|ADDR_NO_RANDOMIZE)`.
pub(crate) fn personality_ret(w: &mut Out<'_>, ret: i64) {
    let v = ret as u64 & 0xffff_ffff;
    w.hex(v);
    let mut s = match name_of(p::PERSONALITY_TYPES, v & 0xff) {
        Some(n) => n.to_string(),
        None => format!("{:#x} /* PER_??? */", v & 0xff),
    };
    let rest = v & !0xff;
    if rest != 0 {
        s.push('|');
        s.push_str(&sflags(rest, p::PERSONALITY_FLAGS));
    }
    w!(w, " ({s})");
}

/// `IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)`.
pub(crate) fn ioprio_text(v: u64) -> String {
    let v = v & 0xffff_ffff;
    let class = v >> 13;
    let data = v & 0x1fff;
    let c = match name_of(p::IOPRIO_CLASS, class) {
        Some(n) => n.to_string(),
        None => format!("{class:#x} /* IOPRIO_CLASS_??? */"),
    };
    format!("IOPRIO_PRIO_VALUE({c}, {data})")
}

/// `kcmp(pid1, pid2, type, idx1, idx2)` from `type` on.
pub(crate) fn kcmp_type(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let ty = cx.arg(2) & 0xffff_ffff;
    let (i1, i2) = (cx.warg(3), cx.warg(4));
    pxval(w, ty, p::KCMP_TYPES, "KCMP_???");
    match ty {
        // KCMP_FILE
        0 => {
            w.sep();
            w.int(i64::from(i1 as u32 as i32));
            w.sep();
            w.int(i64::from(i2 as u32 as i32));
        }
        // KCMP_EPOLL_TFD
        7 => {
            w.sep();
            w.int(i64::from(i1 as u32 as i32));
            w.sep();
            match read_bytes(cx.mem, i2, 12).filter(|_| i2 != 0) {
                Some(b) => w!(
                    w,
                    "{{efd={}, tfd={}, toff={}}}",
                    le_u32(&b, 0) as u32 as i32,
                    le_u32(&b, 4) as u32 as i32,
                    le_u32(&b, 8)
                ),
                None => w.ptr(i2),
            }
        }
        1..=6 => {}
        _ => {
            w.sep();
            w.hex(i1);
            w.sep();
            w.hex(i2);
        }
    }
}

/// `membarrier(cmd, flags[, cpu_id])`.
pub(crate) fn membarrier(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let cmd = cx.arg(0) & 0xffff_ffff;
    let flags = cx.arg(1) & 0xffff_ffff;
    pxval(w, cmd, p::MEMBARRIER_CMDS, "MEMBARRIER_CMD_???");
    w.sep();
    pflags(
        w,
        flags,
        p::MEMBARRIER_FLAGS,
        Some("MEMBARRIER_CMD_FLAG_???"),
    );
    if flags & 1 != 0 {
        w.sep();
        w.int(i64::from(cx.arg(2) as u32 as i32));
    }
}

/// `seccomp(op, flags, args)`.
pub(crate) fn seccomp(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let op = cx.arg(0) & 0xffff_ffff;
    let flags = cx.arg(1) & 0xffff_ffff;
    let args = cx.warg(2);
    pxval(w, op, p::SECCOMP_OPS, "SECCOMP_SET_MODE_???");
    w.sep();
    match op {
        // SECCOMP_GET_ACTION_AVAIL
        2 => {
            w.hex(flags);
            w.sep();
            at_entry(cx, |cx| {
                num_at(cx, w, args, 4, |w, v| {
                    pxval(w, v, p::SECCOMP_RET_ACTION, "SECCOMP_RET_???");
                });
            });
        }
        // SECCOMP_GET_NOTIF_SIZES
        3 => {
            w.hex(flags);
            w.sep();
            if !cx.ok() {
                w.ptr(args);
                return;
            }
            match read_bytes(cx.mem, args, 6).filter(|_| args != 0) {
                Some(b) => w!(
                    w,
                    "{{seccomp_notif={}, seccomp_notif_resp={}, seccomp_data={}}}",
                    le_u32(&b, 0) & 0xffff,
                    le_u32(&b, 2) & 0xffff,
                    le_u32(&b, 4) & 0xffff
                ),
                None => w.ptr(args),
            }
        }
        // SECCOMP_SET_MODE_FILTER
        1 => {
            pflags(
                w,
                flags,
                p::SECCOMP_FILTER_FLAGS,
                Some("SECCOMP_FILTER_FLAG_???"),
            );
            w.sep();
            at_entry(cx, |cx| fprog(cx, w, args));
        }
        _ => {
            w.hex(flags);
            w.sep();
            w.ptr(args);
        }
    }
}

/// `reboot(magic, magic2, cmd[, arg])`.
pub(crate) fn reboot(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> Option<()> {
    pxval32(w, cx.arg(0), p::BOOTFLAGS1, "LINUX_REBOOT_MAGIC_???");
    w.sep();
    pxval32(w, cx.arg(1), p::BOOTFLAGS2, "LINUX_REBOOT_MAGIC_???");
    w.sep();
    let cmd = cx.arg(2) & 0xffff_ffff;
    pxval(w, cmd, p::BOOTFLAGS3, "LINUX_REBOOT_CMD_???");
    if cmd == 0xa1b2_c3d4 {
        w.sep();
        let a = cx.warg(3);
        str0(cx, w, a, 255)?;
    }
    Some(())
}

/// `syslog(type, buf, len)`: the buffer after a successful read.
pub(crate) fn syslog(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let ty = cx.arg(0) & 0xffff_ffff;
    let buf = cx.warg(1);
    let len = i64::from(cx.arg(2) as u32 as i32);
    match name_of(p::SYSLOG_ACTIONS, ty) {
        Some(n) => w!(w, "{} /* {n} */", ty as u32 as i32),
        None => w!(w, "{} /* SYSLOG_ACTION_??? */", ty as u32 as i32),
    }
    match ty {
        0 | 1 | 5 | 6 | 7 | 9 | 10 => {}
        2..=4 => {
            w.sep();
            match cx.ret_ok() {
                Some(r) => {
                    let m = w.mark();
                    if strn(cx, w, buf, r as u64).is_none() {
                        w.cut(m);
                        w.hex(buf);
                    }
                }
                None => w.hex(buf),
            }
            w.sep();
            w.int(len);
        }
        8 => {
            w.sep();
            w.ptr(buf);
            w.sep();
            match name_of(p::SYSLOG_LEVELS, len as u64) {
                Some(n) => w!(w, "{len} /* {n} */"),
                None => w!(w, "{len} /* LOGLEVEL_??? */"),
            }
        }
        _ => {
            w.sep();
            w.ptr(buf);
            w.sep();
            w.int(len);
        }
    }
}

/// `mount(source, target, fstype, flags, data)`.
pub(crate) fn mount(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> Option<()> {
    use super::super::read::PATH_LIMIT;
    let mut flags = cx.warg(3);
    let old_magic = flags & 0xffff_0000 == 0xc0ed_0000;
    if old_magic {
        flags &= !0xffff_0000;
    }
    let (ignore_type, ignore_data) = if flags & 0x20 != 0 {
        (true, false)
    } else if flags & (0x1000 | 0x2000 | 0x10_0000 | 0x4_0000 | 0x8_0000 | 0x2_0000) != 0 {
        (true, true)
    } else {
        (false, false)
    };
    let limit = cx.opts.string_limit;
    path_or_ptr(cx, w, cx.warg(0), PATH_LIMIT);
    w.sep();
    path_or_ptr(cx, w, cx.warg(1), PATH_LIMIT);
    w.sep();
    if ignore_type {
        w.ptr(cx.warg(2));
    } else {
        path_or_ptr(cx, w, cx.warg(2), limit);
    }
    w.sep();
    if old_magic {
        w.s("MS_MGC_VAL");
        if flags != 0 {
            w.c('|');
        }
    }
    if flags != 0 || !old_magic {
        pflags(w, flags, p::MOUNT_FLAGS, Some("MS_???"));
    }
    w.sep();
    if ignore_data {
        w.ptr(cx.warg(4));
    } else {
        path_or_ptr(cx, w, cx.warg(4), limit);
    }
    Some(())
}

/// A string (`limit` bytes at most) or the pointer when unreadable.
fn path_or_ptr(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, limit: usize) {
    let m = w.mark();
    if super::super::ctx::string(cx, w, addr, limit).is_none() {
        w.cut(m);
        w.ptr(addr);
    }
}

/// `sethostname(name, len)`: the name as `len` bytes, the pointer above 64.
pub(crate) fn hostname(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> Option<()> {
    let (addr, len) = (cx.warg(0), cx.arg(1) & 0xffff_ffff);
    if len > 64 {
        w.ptr(addr);
    } else {
        strn(cx, w, addr, len)?;
    }
    w.sep();
    w.uint(len);
    Some(())
}

/// The calls of this file whose return value strace decorates, from the registers alone.
pub(crate) fn ret_override(w: &mut Out<'_>, call: Call, raw: &[u64; 6], ret: i64) -> bool {
    let r = ret as u64;
    match call {
        Call::Prctl => prctl_ret(w, raw, ret),
        Call::SchedGetscheduler => {
            w.int(ret);
            if let Some(n) = name_of(p::SCHEDULERS, r) {
                w!(w, " ({n})");
            }
            true
        }
        Call::Personality => {
            personality_ret(w, ret);
            true
        }
        Call::IoprioGet => {
            w.int(ret);
            w!(w, " ({})", ioprio_text(r));
            true
        }
        Call::Membarrier if ret != 0 => {
            hex_aux(w, r, Some(sflags(r, p::MEMBARRIER_CMDS)));
            true
        }
        Call::ArchPrctl if matches!(raw[0] & 0xffff_ffff, 0x1023 | 0x1025) && ret > 0 => {
            let masks: Vec<(u64, String)> = XFEATURE_BITS
                .iter()
                .map(|&(b, n)| (1u64 << b, n.replacen("XFEATURE_", "XFEATURE_MASK_", 1)))
                .collect();
            let t: Vec<(u64, &str)> = masks.iter().map(|(b, n)| (*b, n.as_str())).collect();
            let aux = aux_flags(r, &t);
            hex_aux(w, r, aux);
            true
        }
        // The kernel's modify_ldt returns an int: an error comes back as a large positive value.
        Call::ModifyLdt if (0xffff_f000..=0xffff_ffff).contains(&r) => {
            let e = super::super::Errno((-(r as u32 as i32)) as u32);
            match (e.name(), e.message()) {
                (Some(n), Some(m)) => w!(w, "{r} {n} ({m})"),
                _ => w!(w, "{r} {} (Unknown error {})", e.0, e.0),
            }
            true
        }
        _ => false,
    }
}

/// `[0x…]` and `[24]` of `get_robust_list`'s outputs, and other pointers to words.
pub(crate) fn word_out(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, ptr: bool) {
    if ptr {
        num_ptr(cx, w, addr);
    } else {
        super::util::num_ulong(cx, w, addr);
    }
}
