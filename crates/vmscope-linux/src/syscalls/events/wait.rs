//! Waiting for descriptors: `poll`/`ppoll` arrays, `select`/`pselect6` fd sets (and what strace
//! prints after their return value), `epoll` events, and the flags of the descriptors made to be
//! waited on (`eventfd`, `timerfd`, `signalfd`, `inotify`, `fanotify`).

use vmscope_core::event::Abi;

use super::super::Call;
use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes, read_word, word_size};
use super::super::structs::max_elems;
use super::{K, array, flags, signal, time};
use crate::uapi::{events as ev, fs};

/// Renders input kind `k` of argument `i` (see `events::input`).
pub(super) fn input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) -> Option<bool> {
    let v = cx.warg(i);
    match k {
        K::PollFds => {
            let n = cx.arg(i + 1) & 0xffff_ffff;
            pollfds(cx, w, v, n)?;
        }
        K::FdSet => {
            let nfds = cx.arg(0);
            if fd_set(cx, w, nfds, v).is_none() {
                if !cx.exit {
                    return None;
                }
                w.ptr(v);
            }
        }
        K::OldSelectArgs => old_select(cx, w, v)?,
        K::PselectSigmask => pselect_sigmask(cx, w, v)?,
        K::EpollFlags => flags(w, v, ev::EPOLL_FLAGS, "EPOLL_???"),
        K::EpollOp => w.xlat(v & 0xffff_ffff, ev::EPOLL_CTLS, "EPOLL_CTL_???"),
        K::EpollEvent => {
            if cx.arg(1) & 0xffff_ffff == ev::EPOLL_CTL_DEL || v == 0 {
                w.ptr(v);
            } else {
                let (size, render) = epoll_layout(cx.abi);
                let b = read_bytes(cx.mem, v, size as usize)?;
                render(w, &b);
            }
        }
        K::EfdFlags => flags(w, v, ev::EFD_FLAGS, "EFD_???"),
        K::TfdFlags => flags(w, v, ev::TFD_FLAGS, "TFD_???"),
        K::SfdFlags => flags(w, v, ev::SFD_FLAGS, "SFD_???"),
        K::InotifyInitFlags => flags(w, v, ev::INOTIFY_INIT_FLAGS, "IN_???"),
        K::InotifyMask => flags(w, v, ev::INOTIFY_MASK, "IN_???"),
        K::FanInitFlags => {
            let f = v & 0xffff_ffff;
            w.xlat(f & ev::FAN_CLASS_BITS, ev::FAN_CLASSES, "FAN_CLASS_???");
            let rest = f & !ev::FAN_CLASS_BITS;
            if rest != 0 {
                w.c('|');
                flags(w, rest, ev::FAN_INIT_FLAGS, "FAN_???");
            }
        }
        // An `unsigned int`: strace ignores the register's upper half.
        K::FanMarkFlags => flags(w, v & 0xffff_ffff, ev::FAN_MARK_FLAGS, "FAN_MARK_???"),
        K::FanMask => {
            let mask = match cx.abi {
                Abi::X86_64 | Abi::Aarch64 => v,
                Abi::I386 => v | cx.warg(i + 1) << 32,
            };
            flags(w, mask, ev::FAN_EVENTS, "FAN_???");
        }
        K::FanDirFd => match v as u32 as i32 {
            ev::FAN_NOFD => w.s("FAN_NOFD"),
            fs::AT_FDCWD => w.s("AT_FDCWD"),
            fd => w.int(i64::from(fd)),
        },
        K::Hex32 => w.hex(v & 0xffff_ffff),
        _ => return None,
    }
    Some(true)
}

/// Renders output kind `k` of argument `i` at exit (see `events::output`).
pub(super) fn output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) {
    let addr = cx.warg(i);
    match (k, cx.ret_ok()) {
        (K::EpollEvents, Some(n)) => {
            let (size, render) = epoll_layout(cx.abi);
            array(cx, w, addr, n as u64, size, render);
        }
        _ => w.ptr(addr),
    }
}

/// The size of `struct epoll_event` and its renderer: packed (12 bytes) on x86, naturally aligned
/// (16 bytes, `data` at 8) elsewhere (`EPOLL_PACKED` in the uapi header).
fn epoll_layout(abi: Abi) -> (u64, fn(&mut Out<'_>, &[u8])) {
    match abi {
        Abi::X86_64 | Abi::I386 => (12, epoll_event),
        Abi::Aarch64 => (16, epoll_event_aligned),
    }
}

/// `{events=EPOLLIN, data={u32=3, u64=3}}` from the 12 packed bytes of a `struct epoll_event`.
fn epoll_event(w: &mut Out<'_>, b: &[u8]) {
    epoll_event_at(w, b, 4);
}

/// The same from the 16 bytes of an unpacked `struct epoll_event`.
fn epoll_event_aligned(w: &mut Out<'_>, b: &[u8]) {
    epoll_event_at(w, b, 8);
}

fn epoll_event_at(w: &mut Out<'_>, b: &[u8], data_at: usize) {
    w.s("{events=");
    flags(w, le_u32(b, 0), ev::EPOLL_EVENTS, "EPOLL???");
    let data = le_u64(b, data_at);
    w!(w, ", data={{u32={}, u64={}}}}}", data as u32, data);
}

/// `[{fd=3, events=POLLIN}, {fd=-1}]`: at most `-s` elements, then `...`.
fn pollfds(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, n: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let max = max_elems(cx) as u64;
    w.c('[');
    for k in 0..n.min(max + 1) {
        if k > 0 {
            w.s(", ");
        }
        if k == max {
            w.s("...");
            break;
        }
        let at = addr.wrapping_add(8 * k);
        let Some(b) = read_bytes(cx.mem, at, 8) else {
            // strace's `print_array`: where the array became unreadable, as a comment.
            if k == 0 {
                return None;
            }
            w!(w, "... /* {at:#x} */");
            break;
        };
        let fd = le_u32(&b, 0) as u32 as i32;
        w!(w, "{{fd={fd}");
        if fd >= 0 {
            w.s(", events=");
            w.flags(le_u32(&b, 4) & 0xffff, ev::POLL, "0");
        }
        w.c('}');
    }
    w.c(']');
    Some(())
}

/// After `poll`'s return value: ` (Timeout)` for 0, else ` ([{fd=3, revents=POLLIN}])` from the
/// array at exit, and for `ppoll` the time left (`left {tv_sec=0, tv_nsec=…}`).
pub(super) fn poll_result(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    let Some(ret) = cx.ret_ok() else {
        return false;
    };
    if ret == 0 {
        w.s(" (Timeout)");
        return true;
    }
    let addr = cx.warg(0);
    let n = (cx.arg(1) & 0xffff_ffff).min(1 << 16);
    let max = max_elems(cx);
    let mut shown = 0usize;
    let mut any = false;
    let m = w.mark();
    w.s(" (");
    for k in 0..n {
        let at = addr.wrapping_add(8 * k);
        let Some(b) = read_bytes(cx.mem, at, 8) else {
            w.s(if any { ", " } else { "[" });
            w.hex(at);
            any = true;
            break;
        };
        let revents = (le_u32(&b, 4) >> 16) & 0xffff;
        if revents == 0 {
            continue;
        }
        w.s(if any { ", " } else { "[" });
        any = true;
        if shown >= max {
            w.s("...");
            break;
        }
        w!(w, "{{fd={}, revents=", le_u32(&b, 0) as u32 as i32);
        w.flags(revents, ev::POLL, "0");
        w.c('}');
        shown += 1;
    }
    if any {
        w.c(']');
    }
    if matches!(cx.desc.call, Call::Ppoll | Call::PpollTime64) {
        let ts = cx.warg(2);
        if ts != 0 {
            w.s(if any { ", left " } else { "left " });
            let old32 = cx.desc.call == Call::Ppoll && cx.abi == Abi::I386;
            time::timespec_or_addr(cx, w, ts, old32);
            any = true;
        }
    }
    if !any {
        w.cut(m);
        return false;
    }
    w.c(')');
    true
}

/// The bytes of the fd sets of `nfds` descriptors strace reads: the kernel's `int` clamped to
/// `0..=1Mi`, rounded up to whole words.
fn fd_set_bytes(abi: Abi, nfds: u64) -> (u64, u64) {
    let n = i64::from(nfds as u32 as i32).clamp(0, 1024 * 1024) as u64;
    let ws = word_size(abi);
    (n, (n.div_ceil(8) + ws - 1) & !(ws - 1))
}

/// The most descriptors of one set shown (strace shows all; real sets hold far fewer).
const MAX_FDS: usize = 4096;

/// An fd set `[3 4]`; the pointer when `nfds` makes it empty; `None` when unreadable.
fn fd_set(cx: &mut Ctx<'_>, w: &mut Out<'_>, nfds: u64, addr: u64) -> Option<()> {
    let (n, size) = fd_set_bytes(cx.abi, nfds);
    if size == 0 || addr == 0 {
        w.ptr(addr);
        return Some(());
    }
    let b = read_bytes(cx.mem, addr, size as usize)?;
    w.c('[');
    for (k, j) in set_bits(&b, n).enumerate() {
        if k > 0 {
            w.c(' ');
        }
        // strace prints every descriptor; past this many (a set of junk) the text stays bounded.
        if k == MAX_FDS {
            w.s("...");
            break;
        }
        w.uint(j);
    }
    w.c(']');
    Some(())
}

/// The set bits below `n` of a little-endian bit set.
fn set_bits(b: &[u8], n: u64) -> impl Iterator<Item = u64> + '_ {
    let bits = n.min(b.len() as u64 * 8);
    (0..bits).filter(move |&j| b[(j / 8) as usize] >> (j % 8) & 1 == 1)
}

/// i386 `select(args)`: the five arguments from the block `args` points to, as strace shows them
/// (`select(4, [3], NULL, NULL, NULL)`); the pointer when the block cannot be read.
fn old_select(cx: &mut Ctx<'_>, w: &mut Out<'_>, block: u64) -> Option<()> {
    let Some(a) = old_select_block(cx, block) else {
        if !cx.exit {
            return None;
        }
        w.ptr(block);
        return Some(());
    };
    // Everything is read before anything is written: an unreadable part waits for the exit.
    let m = w.mark();
    w.int(i64::from(a[0] as u32 as i32));
    for &set in &a[1..4] {
        w.sep();
        if fd_set(cx, w, a[0], set).is_none() {
            if !cx.exit {
                w.cut(m);
                return None;
            }
            w.ptr(set);
        }
    }
    w.sep();
    if time::timeval(cx, w, a[4]).is_none() {
        if !cx.exit {
            w.cut(m);
            return None;
        }
        w.ptr(a[4]);
    }
    Some(())
}

/// The five words of i386 `select`'s argument block.
fn old_select_block(cx: &mut Ctx<'_>, block: u64) -> Option<[u64; 5]> {
    let mut a = [0u64; 5];
    for (k, v) in a.iter_mut().enumerate() {
        *v = read_word(cx.mem, cx.abi, block.checked_add(4 * k as u64)?)?;
    }
    Some(a)
}

/// `pselect6`'s `{sigmask=[INT], sigsetsize=8}` (a pointer and a `size_t` of the ABI).
fn pselect_sigmask(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi);
    let (Some(mask), Some(size)) = (
        read_word(cx.mem, cx.abi, addr),
        read_word(cx.mem, cx.abi, addr.wrapping_add(ws)),
    ) else {
        if !cx.exit {
            return None;
        }
        w.ptr(addr);
        return Some(());
    };
    let m = w.mark();
    w.s("{sigmask=");
    if signal::sigset(cx, w, mask, size, ws).is_none() {
        if !cx.exit {
            w.cut(m);
            return None;
        }
        w.ptr(mask);
    }
    w!(w, ", sigsetsize={size}}}");
    Some(())
}

/// After `select`'s return value (strace builds it in a 1 KiB buffer, and so do we): ` (Timeout)`
/// for 0, else the ready descriptors of each set and the time left:
/// ` (in [3], out [4], left {tv_sec=0, tv_usec=999})`.
pub(super) fn select_result(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> bool {
    let Some(ret) = cx.ret_ok() else {
        return false;
    };
    if ret == 0 {
        w.s(" (Timeout)");
        return true;
    }
    let args = if cx.desc.call == Call::Select && cx.abi == Abi::I386 {
        match old_select_block(cx, cx.warg(0)) {
            Some(a) => a,
            None => return false,
        }
    } else {
        [cx.arg(0), cx.warg(1), cx.warg(2), cx.warg(3), cx.warg(4)]
    };
    let (n, size) = fd_set_bytes(cx.abi, args[0]);
    // strace's buffer: 1024 bytes; a descriptor is added while fewer than this many are used.
    const ROOM: usize = 1024 - (11 + 12 + 2);
    let mut text = String::new();
    let mut ready = ret;
    let mut sep = "";
    for (k, name) in ["in", "out", "except"].into_iter().enumerate() {
        if ready <= 0 {
            break;
        }
        let addr = args[k + 1];
        if addr == 0 {
            continue;
        }
        let Some(b) = read_bytes(cx.mem, addr, size as usize) else {
            continue;
        };
        let mut first = true;
        for j in set_bits(&b, n) {
            if text.len() < ROOM {
                if first {
                    text.push_str(&format!("{sep}{name} [{j}"));
                    first = false;
                    sep = ", ";
                } else {
                    text.push_str(&format!(" {j}"));
                }
            }
            ready -= 1;
            if ready == 0 {
                break;
            }
        }
        if !text.is_empty() {
            text.push(']');
        }
    }
    let tv = args[4];
    if tv != 0 {
        let mut left = String::new();
        let mut lw = Out::to(&mut left);
        match cx.desc.call {
            Call::Select | Call::Newselect => {
                if time::timeval(cx, &mut lw, tv).is_none() {
                    lw.hex(tv);
                }
            }
            _ => {
                let old32 = cx.desc.call == Call::Pselect6 && cx.abi == Abi::I386;
                time::timespec_or_addr(cx, &mut lw, tv, old32);
            }
        }
        if text.len() + 6 + sep.len() + left.len() < 1024 {
            text.push_str(sep);
            text.push_str("left ");
            text.push_str(&left);
        }
    }
    w.s(" (");
    w.s(&text);
    w.c(')');
    true
}
