//! Memory calls as strace prints them: `mincore`'s vector, NUMA policies and node masks
//! (`mbind`, `set_mempolicy`, `get_mempolicy`, `migrate_pages`), `process_madvise`'s ranges.

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, word_size};
use super::util::{array, num_at, pflags, pxval};
use crate::uapi::mm;

/// `mincore`'s vector at exit: `[1, 1, 0]`, one element per page of the length argument.
pub(crate) fn mincore_vec(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    if !cx.ok() {
        w.ptr(addr);
        return;
    }
    let len = cx.warg(1);
    let n = len / 4096 + u64::from(len & 4095 != 0);
    array(cx, w, addr, n, 1, |w, e| w.uint(u64::from(e[0] & 1)));
}

/// A memory policy mode with its flags: `MPOL_BIND|MPOL_F_STATIC_NODES`.
pub(crate) fn mpol_mode(w: &mut Out<'_>, v: u64) {
    let flag_mask = (1 << 15) | (1 << 14) | (1 << 13);
    let mode = v & !flag_mask;
    let flags = v & flag_mask;
    if flags == 0 {
        pxval(w, mode, mm::MPOL_MODES, "MPOL_???");
        return;
    }
    match crate::uapi::name_of(mm::MPOL_MODES, mode) {
        Some(n) => {
            w.s(n);
            w.c('|');
            pflags(w, flags, mm::MPOL_MODE_FLAGS, None);
        }
        None => pflags(w, v, mm::MPOL_MODE_FLAGS, Some("MPOL_???")),
    }
}

/// A node mask of `maxnode` bits: `[0000000000000001]` (words of the ABI, zero-padded hex).
pub(crate) fn nodemask(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, maxnode: u64) {
    let ws = word_size(cx.abi);
    let bits = 8 * ws;
    let n = maxnode.wrapping_add(bits - 2) / bits;
    if n < maxnode / bits || (maxnode != 0 && n == 0) {
        w.ptr(addr);
        return;
    }
    let width = 2 * ws as usize;
    array(cx, w, addr, n, ws, |w, e| {
        let v = if ws == 8 { le_u64(e, 0) } else { le_u32(e, 0) };
        if v == 0 {
            w!(w, "{:0width$}", 0);
        } else {
            w!(w, "{v:#0width$x}");
        }
    });
}

/// `get_mempolicy(mode, nodemask, maxnode, addr, flags)`, all at exit.
pub(crate) fn get_mempolicy(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let mode = cx.warg(0);
    num_at(cx, w, mode, 4, |w, v| {
        pxval(w, v, mm::MPOL_MODES, "MPOL_???");
    });
    w.sep();
    let (mask, maxnode) = (cx.warg(1), cx.warg(2));
    if cx.ok() || mask == 0 {
        nodemask(cx, w, mask, maxnode);
    } else {
        w.ptr(mask);
    }
    w.sep();
    w.uint(maxnode);
    w.sep();
    w.ptr(cx.warg(3));
    w.sep();
    pflags(w, cx.warg(4), mm::GET_MEMPOLICY_FLAGS, Some("MPOL_???"));
}

/// `process_madvise`'s `struct iovec[]` shown as addresses: `[{iov_base=0x…, iov_len=4096}]`.
pub(crate) fn iovec_addrs(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, n: u64) {
    let ws = word_size(cx.abi);
    array(cx, w, addr, n, 2 * ws, |w, e| {
        let (base, len) = if ws == 8 {
            (le_u64(e, 0), le_u64(e, 8))
        } else {
            (le_u32(e, 0), le_u32(e, 4))
        };
        w.s("{iov_base=");
        w.ptr(base);
        w!(w, ", iov_len={len}}}");
    });
}

/// Whether `mremap` shows its new address (only with `MREMAP_MAYMOVE|MREMAP_FIXED`).
pub(crate) fn mremap_shows_new(cx: &Ctx<'_>) -> bool {
    cx.warg(3) & 3 == 3
}
