//! Structures and arrays read from guest memory: `stat`, `statx`, `iovec`, argument vectors, wait
//! statuses (signal sets and `sigaction` are in `events/signal.rs`). Layouts are those of the kernel's uapi for each ABI.
//!
//! Each renderer reads everything it needs before it writes (or its caller cuts what it wrote when a
//! read fails), so a dry run on the vCPU reads exactly what the rendering will.

use vmscope_core::event::Abi;

use super::ctx::{Ctx, buffer};
use super::out::{Out, Quote, w};
use super::read::{le_u32, le_u64, read_arr, read_string, read_word, word, word_size};
use super::xlat;
use crate::uapi::fs;

/// Most elements printed of an array (strace prints at most `-s` elements, then `...`).
pub(crate) fn max_elems(cx: &Ctx<'_>) -> usize {
    cx.opts.string_limit.clamp(1, 1024)
}

/// The common tail of the abbreviated stat forms: `st_mode=…, st_size=…` or `st_rdev=…`.
fn stat_short(w: &mut Out<'_>, mode: u64, rdev: u64, size: i64) {
    let ty = mode & 0o170000;
    w.s("{st_mode=");
    xlat::file_mode(w, mode);
    if ty == 0o020000 || ty == 0o060000 {
        w.s(", st_rdev=");
        xlat::makedev(w, rdev);
    } else {
        w!(w, ", st_size={size}");
    }
    w.s(", ...}");
}

/// `struct stat`: x86_64's, the generic one of aarch64, and i386's old one.
pub(crate) fn stat(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if cx.abi == Abi::I386 {
        // The i386 `struct stat` (old calls): st_mode u16 at 8, st_rdev u16 at 16, st_size u32 at 20.
        let b = read_arr::<64>(cx.mem, addr)?;
        let mode = le_u32(&b, 8) & 0xffff;
        let rdev = le_u32(&b, 16) & 0xffff;
        let size = le_u32(&b, 20) as u32 as i64;
        stat_short(w, mode, rdev, size);
        return Some(());
    }
    if cx.abi == Abi::Aarch64 {
        // The generic `struct stat` (asm-generic/stat.h, 128 bytes): st_mode u32 at 16, st_rdev at
        // 32, st_size at 48.
        let b = read_arr::<128>(cx.mem, addr)?;
        stat_short(w, le_u32(&b, 16), le_u64(&b, 32), le_u64(&b, 48) as i64);
        return Some(());
    }
    let b = read_arr::<144>(cx.mem, addr)?;
    stat_short(w, le_u32(&b, 24), le_u64(&b, 40), le_u64(&b, 48) as i64);
    Some(())
}

/// i386 `struct stat64` (packed, 96 bytes).
pub(crate) fn stat64(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let b = read_arr::<96>(cx.mem, addr)?;
    stat_short(w, le_u32(&b, 16), le_u64(&b, 32), le_u64(&b, 44) as i64);
    Some(())
}

/// A `statx` request or result mask.
pub(crate) fn statx_mask(w: &mut Out<'_>, v: u64) {
    super::sys::pflags(w, v & 0xffff_ffff, fs::STATX_MASK, Some("STATX_???"));
}

/// `struct statx`, abbreviated like strace.
pub(crate) fn statx(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let b = read_arr::<256>(cx.mem, addr)?;
    w.s("{stx_mask=");
    statx_mask(w, le_u32(&b, 0));
    w.s(", stx_attributes=");
    w.hex(le_u64(&b, 8));
    w.s(", stx_mode=");
    xlat::file_mode(w, le_u32(&b, 28) & 0xffff);
    w!(w, ", stx_size={}, ...}}", le_u64(&b, 40));
    Some(())
}

/// `execve`'s `argv`: `["ls", "-l"]`.
pub(crate) fn argv(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi);
    let max = max_elems(cx);
    w.c('[');
    for i in 0..=max as u64 {
        let p = read_word(cx.mem, cx.abi, addr.wrapping_add(i * ws))?;
        if p == 0 {
            break;
        }
        if i > 0 {
            w.s(", ");
        }
        if i as usize == max {
            w.s("...");
            break;
        }
        match read_string(cx.mem, p, cx.opts.string_limit) {
            Some((b, more)) => w.quote(&b, more, Quote::Default),
            // At entry, try again at the exit (or from the new image after a successful exec).
            None if !cx.exit => return None,
            None => w.hex(p),
        }
    }
    w.c(']');
    Some(())
}

/// `execve`'s `envp`: `0x7ffc… /* 12 vars */`.
pub(crate) fn envp(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
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
    envp_count(w, addr, n);
    Some(())
}

/// `0x7ffc… /* 12 vars */`.
pub(crate) fn envp_count(w: &mut Out<'_>, addr: u64, n: u64) {
    w.hex(addr);
    w!(w, " /* {n} var{} */", if n == 1 { "" } else { "s" });
}

/// `struct iovec[count]`; `data_len` limits the bytes shown for an output vector (the return value).
pub(crate) fn iovec(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    count: u64,
    data_len: Option<u64>,
) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi);
    let max = max_elems(cx) as u64;
    let mut left = data_len;
    w.c('[');
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
        if i > 0 {
            w.s(", ");
        }
        w.s("{iov_base=");
        let m = w.mark();
        if buffer(cx.mem, cx.opts, w, base, show, Quote::Default).is_none() {
            w.cut(m);
            w.hex(base);
        }
        w!(w, ", iov_len={len}}}");
    }
    if count > max {
        w.s(", ...");
    }
    w.c(']');
    Some(())
}

/// A wait status: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
pub(crate) fn wait_status(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    let s = cx.mem.read_u32(addr)?;
    w.c('[');
    wait_status_text(w, s);
    w.c(']');
    Some(())
}

/// The text of a wait status value.
pub(crate) fn wait_status_text(w: &mut Out<'_>, s: u32) {
    let sig = s & 0x7f;
    let core = s & 0x80 != 0;
    if sig == 0 {
        w!(
            w,
            "{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}",
            (s >> 8) & 0xff
        );
    } else if sig == 0x7f {
        w.s("{WIFSTOPPED(s) && WSTOPSIG(s) == ");
        xlat::signal(w, u64::from((s >> 8) & 0xff));
        w.c('}');
        if s >> 16 != 0 {
            w.s(" | ");
            w.hex(u64::from(s >> 16));
            w.s("<<16");
        }
    } else if s == 0xffff {
        w.s("{WIFCONTINUED(s)}");
    } else {
        w.s("{WIFSIGNALED(s) && WTERMSIG(s) == ");
        xlat::signal(w, u64::from(sig));
        if core {
            w.s(" && WCOREDUMP(s)");
        }
        w.c('}');
    }
}

/// `fcntl`'s third argument by command; `false` when the command takes none (nothing written).
pub(crate) fn fcntl_arg(cx: &mut Ctx<'_>, w: &mut Out<'_>, v: u64) -> bool {
    let cmd = cx.arg(1) & 0xffff_ffff;
    match cmd {
        // F_GETFD, F_GETFL, F_GETOWN, F_GETSIG, F_GETLEASE, F_GETPIPE_SZ, F_GET_SEALS
        1 | 3 | 9 | 11 | 1025 | 1032 | 1034 => return false,
        // F_SETFD
        2 => {
            if v & 0xffff_ffff == 1 {
                w.s("FD_CLOEXEC");
            } else {
                w.flags(v & 0xffff_ffff & !1, &[], "0");
            }
        }
        // F_SETFL
        4 => xlat::open_flags(w, cx.abi, v),
        // F_DUPFD, F_DUPFD_CLOEXEC, F_SETOWN, F_SETSIG, F_SETPIPE_SZ
        0 | 1030 | 8 | 10 | 1031 => w.int(i64::from(v as u32 as i32)),
        _ => w.ptr(word(cx.abi, v)),
    }
    true
}
