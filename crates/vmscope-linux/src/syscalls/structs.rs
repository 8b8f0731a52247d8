//! Structures and arrays read from guest memory: `stat`, `statx`, signal sets, `sigaction`, `iovec`,
//! argument vectors, wait statuses. Layouts are those of the kernel's uapi for each ABI.

use vmscope_core::event::Abi;

use super::args::{Ctx, buffer};
use super::fmt::{self, Quote, hex, ptr, quote, read_string, read_word, word, word_size};
use super::xlat;

/// Most elements printed of an array (strace prints at most `-s` elements, then `...`).
fn max_elems(cx: &Ctx<'_>) -> usize {
    cx.opts.string_limit.clamp(1, 1024)
}

/// Reads `N` bytes at `addr`.
fn read_arr<const N: usize>(cx: &mut Ctx<'_>, addr: u64) -> Option<[u8; N]> {
    let mut b = [0u8; N];
    let v = fmt::read_bytes(cx.mem, addr, N)?;
    b.copy_from_slice(&v);
    Some(b)
}

fn le_u32(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[off..off + 4]);
    u64::from(u32::from_le_bytes(a))
}

fn le_u64(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

/// The common tail of the abbreviated stat forms: `st_mode=…, st_size=…` or `st_rdev=…`.
fn stat_short(mode: u64, rdev: u64, size: i64) -> String {
    let ty = mode & 0o170000;
    let dev = ty == 0o020000 || ty == 0o060000;
    if dev {
        format!(
            "{{st_mode={}, st_rdev={}, ...}}",
            xlat::file_mode(mode),
            xlat::makedev(rdev)
        )
    } else {
        format!("{{st_mode={}, st_size={size}, ...}}", xlat::file_mode(mode))
    }
}

/// x86_64 `struct stat`.
pub(super) fn stat(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    if cx.abi == Abi::I386 {
        // The i386 `struct stat` (old calls): st_mode u16 at 8, st_rdev u16 at 16, st_size u32 at 20.
        let b = read_arr::<64>(cx, addr)?;
        let mode = le_u32(&b, 8) & 0xffff;
        let rdev = le_u32(&b, 16) & 0xffff;
        let size = le_u32(&b, 20) as u32 as i64;
        return Some(stat_short(mode, rdev, size));
    }
    let b = read_arr::<144>(cx, addr)?;
    let mode = le_u32(&b, 24);
    let rdev = le_u64(&b, 40);
    let size = le_u64(&b, 48) as i64;
    Some(stat_short(mode, rdev, size))
}

/// i386 `struct stat64` (packed, 96 bytes).
pub(super) fn stat64(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    let b = read_arr::<96>(cx, addr)?;
    let mode = le_u32(&b, 16);
    let rdev = le_u64(&b, 32);
    let size = le_u64(&b, 44) as i64;
    Some(stat_short(mode, rdev, size))
}

/// `STATX_*` bits.
const STATX_MASK: &[(u64, &str)] = &[
    (0x0000_0fff, "STATX_ALL"),
    (0x0000_07ff, "STATX_BASIC_STATS"),
    (0x1, "STATX_TYPE"),
    (0x2, "STATX_MODE"),
    (0x4, "STATX_NLINK"),
    (0x8, "STATX_UID"),
    (0x10, "STATX_GID"),
    (0x20, "STATX_ATIME"),
    (0x40, "STATX_MTIME"),
    (0x80, "STATX_CTIME"),
    (0x100, "STATX_INO"),
    (0x200, "STATX_SIZE"),
    (0x400, "STATX_BLOCKS"),
    (0x800, "STATX_BTIME"),
    (0x1000, "STATX_MNT_ID"),
    (0x2000, "STATX_DIOALIGN"),
];

/// A `statx` request or result mask.
pub(super) fn statx_mask(v: u64) -> String {
    fmt::flags(v, STATX_MASK, "0")
}

/// `struct statx`, abbreviated like strace.
pub(super) fn statx(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    let b = read_arr::<256>(cx, addr)?;
    let mask = le_u32(&b, 0);
    let attributes = le_u64(&b, 8);
    let mode = le_u32(&b, 28) & 0xffff;
    let size = le_u64(&b, 40);
    Some(format!(
        "{{stx_mask={}, stx_attributes={}, stx_mode={}, stx_size={size}, ...}}",
        statx_mask(mask),
        hex(attributes),
        xlat::file_mode(mode)
    ))
}

/// A signal set of `size` bytes: `[INT TERM]`, `~[RTMIN RT_1]` when most signals are in it.
pub(super) fn sigset(cx: &mut Ctx<'_>, addr: u64, size: u64) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    // The old calls take one word of signals; the rt_* ones an 8-byte set, anything else is rejected
    // by the kernel and strace prints the pointer.
    let nbytes = if cx.desc.name == "sigprocmask" {
        4
    } else if size == 8 {
        8
    } else {
        return Some(ptr(addr));
    };
    let b = fmt::read_bytes(cx.mem, addr, nbytes)?;
    let mut set = 0u64;
    for (i, byte) in b.iter().enumerate() {
        set |= u64::from(*byte) << (8 * i);
    }
    Some(sigset_text(set, nbytes * 8))
}

/// The name of signal `n` inside a set (no `SIG` prefix).
fn sig_short(n: u64) -> String {
    match xlat::signal_name(n) {
        Some(name) => name.trim_start_matches("SIG").to_string(),
        None if n == 32 => "RTMIN".to_string(),
        None if n > 32 => format!("RT_{}", n - 32),
        None => format!("{n}"),
    }
}

/// Renders a set of `bits` signals.
pub(super) fn sigset_text(set: u64, bits: usize) -> String {
    let bits = bits.min(64);
    let all = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let set = set & all;
    let count = set.count_ones() as usize;
    let (neg, shown) = if count * 2 > bits {
        (true, !set & all)
    } else {
        (false, set)
    };
    let names: Vec<String> = (0..bits as u64)
        .filter(|b| shown >> b & 1 == 1)
        .map(|b| sig_short(b + 1))
        .collect();
    format!("{}[{}]", if neg { "~" } else { "" }, names.join(" "))
}

/// `SA_*` flags.
const SA_FLAGS: &[(u64, &str)] = &[
    (0x0000_0001, "SA_NOCLDSTOP"),
    (0x0000_0002, "SA_NOCLDWAIT"),
    (0x0000_0004, "SA_SIGINFO"),
    (0x0000_0400, "SA_UNSUPPORTED"),
    (0x0000_0800, "SA_EXPOSE_TAGBITS"),
    (0x0400_0000, "SA_RESTORER"),
    (0x0800_0000, "SA_ONSTACK"),
    (0x1000_0000, "SA_RESTART"),
    (0x4000_0000, "SA_NODEFER"),
    (0x8000_0000, "SA_RESETHAND"),
];

/// `struct sigaction` as the kernel's `rt_sigaction` sees it: handler, flags, restorer, mask.
pub(super) fn sigaction(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let ws = word_size(cx.abi);
    let handler = read_word(cx.mem, cx.abi, addr)?;
    let flags = read_word(cx.mem, cx.abi, addr.wrapping_add(ws))?;
    let restorer = read_word(cx.mem, cx.abi, addr.wrapping_add(2 * ws))?;
    let mask = cx.mem.read_u64(addr.wrapping_add(3 * ws))?;
    let h = match handler {
        0 => "SIG_DFL".to_string(),
        1 => "SIG_IGN".to_string(),
        v if v == word(cx.abi, u64::MAX) => "SIG_ERR".to_string(),
        v => hex(v),
    };
    let mut s = format!(
        "{{sa_handler={h}, sa_mask={}, sa_flags={}",
        sigset_text(mask, 64),
        fmt::flags(flags & 0xffff_ffff, SA_FLAGS, "0")
    );
    if flags & 0x0400_0000 != 0 {
        s.push_str(&format!(", sa_restorer={}", ptr(restorer)));
    }
    s.push('}');
    Some(s)
}

/// `execve`'s `argv`: `["ls", "-l"]`.
pub(super) fn argv(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let ws = word_size(cx.abi);
    let mut items = Vec::new();
    let max = max_elems(cx);
    let mut more = false;
    for i in 0..=max as u64 {
        let p = read_word(cx.mem, cx.abi, addr.wrapping_add(i * ws))?;
        if p == 0 {
            break;
        }
        if i as usize == max {
            more = true;
            break;
        }
        let s = match read_string(cx.mem, p, cx.opts.string_limit) {
            Some((b, m)) => quote(&b, m, Quote::Default),
            None => hex(p),
        };
        items.push(s);
    }
    Some(format!(
        "[{}{}]",
        items.join(", "),
        if more { ", ..." } else { "" }
    ))
}

/// `execve`'s `envp`: `0x7ffc… /* 12 vars */`.
pub(super) fn envp(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let ws = word_size(cx.abi);
    let mut n = 0u64;
    while n < 65536 {
        let p = read_word(cx.mem, cx.abi, addr.wrapping_add(n * ws))?;
        if p == 0 {
            break;
        }
        n += 1;
    }
    Some(format!(
        "{} /* {n} var{} */",
        hex(addr),
        if n == 1 { "" } else { "s" }
    ))
}

/// `struct iovec[count]`; `data_len` limits the bytes shown for an output vector (the return value).
pub(super) fn iovec(
    cx: &mut Ctx<'_>,
    addr: u64,
    count: u64,
    data_len: Option<u64>,
) -> Option<String> {
    if addr == 0 {
        return Some("NULL".to_string());
    }
    let ws = word_size(cx.abi);
    let max = max_elems(cx) as u64;
    let mut left = data_len;
    let mut items = Vec::new();
    for i in 0..count.min(max) {
        let base = read_word(cx.mem, cx.abi, addr.wrapping_add(i * 2 * ws))?;
        let len = read_word(cx.mem, cx.abi, addr.wrapping_add(i * 2 * ws + ws))?;
        let show = match left {
            Some(l) => {
                let n = l.min(len);
                left = Some(l - n);
                n
            }
            None => len,
        };
        let b = buffer(cx.mem, cx.opts, base, show, Quote::Default).unwrap_or_else(|| hex(base));
        items.push(format!("{{iov_base={b}, iov_len={len}}}"));
    }
    let more = if count > max { ", ..." } else { "" };
    Some(format!("[{}{more}]", items.join(", ")))
}

/// A wait status: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
pub(super) fn wait_status(cx: &mut Ctx<'_>, addr: u64) -> Option<String> {
    let s = cx.mem.read_u32(addr)?;
    Some(format!("[{}]", wait_status_text(s)))
}

/// The text of a wait status value.
pub(super) fn wait_status_text(s: u32) -> String {
    let sig = s & 0x7f;
    let core = s & 0x80 != 0;
    if sig == 0 {
        return format!("{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}", (s >> 8) & 0xff);
    }
    if sig == 0x7f {
        let stop = (s >> 8) & 0xff;
        let mut t = format!(
            "{{WIFSTOPPED(s) && WSTOPSIG(s) == {}}}",
            xlat::signal(u64::from(stop))
        );
        if s >> 16 != 0 {
            t = format!("{t} | {}", hex(u64::from(s >> 16)) + "<<16");
        }
        return t;
    }
    if s == 0xffff {
        return "{WIFCONTINUED(s)}".to_string();
    }
    format!(
        "{{WIFSIGNALED(s) && WTERMSIG(s) == {}{}}}",
        xlat::signal(u64::from(sig)),
        if core { " && WCOREDUMP(s)" } else { "" }
    )
}

/// `fcntl`'s third argument by command; `None` when the command takes none.
pub(super) fn fcntl_arg(cx: &mut Ctx<'_>, v: u64) -> Option<String> {
    let cmd = cx.arg(1) & 0xffff_ffff;
    match cmd {
        // F_GETFD, F_GETFL, F_GETOWN, F_GETSIG, F_GETLEASE, F_GETPIPE_SZ, F_GET_SEALS
        1 | 3 | 9 | 11 | 1025 | 1032 | 1034 => None,
        // F_SETFD
        2 => Some(if v & 0xffff_ffff == 1 {
            "FD_CLOEXEC".to_string()
        } else {
            fmt::flags(v & 0xffff_ffff & !1, &[], "0")
        }),
        // F_SETFL
        4 => Some(xlat::open_flags(v)),
        // F_DUPFD, F_DUPFD_CLOEXEC, F_SETOWN, F_SETSIG, F_SETPIPE_SZ
        0 | 1030 | 8 | 10 | 1031 => Some(format!("{}", v as u32 as i32)),
        _ => Some(ptr(word(cx.abi, v))),
    }
}
