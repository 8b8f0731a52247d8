//! Networking: socket addresses of every common family, messages (`msghdr`, `mmsghdr`, control
//! messages), socket options by level, socket-related flags.
//!
//! A family of argument kinds ([`K`]) plugged into the decoder through [`io`], [`input`],
//! [`output`] and [`ret_extra`] (see `args.rs` and `events.rs` for the pattern).

use super::args::Io;
use super::ctx::Ctx;
use super::out::{Out, w};

/// Argument kinds of this family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    /// A `socklen_t *` the call reads and rewrites (`accept`, `getsockname`, `recvfrom`): `[16]`, or
    /// `[128 => 16]` when the call changed it.
    SockLen,
}

/// When kind `k` is read.
pub(crate) fn io(k: K) -> Io {
    match k {
        K::SockLen => Io::InOut,
    }
}

/// Renders input kind `k` of argument `i` (see `events::input`). For an in/out kind this is what
/// the entry reads (run dry at entry, its reads kept for the exit).
pub(crate) fn input(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) -> Option<bool> {
    match k {
        K::SockLen => {
            let addr = cx.warg(i);
            if addr == 0 {
                w.s("NULL");
            } else {
                let v = cx.mem.read_u32(addr)?;
                w!(w, "[{v}]");
            }
        }
    }
    Some(true)
}

/// Renders output (or in/out) kind `k` of argument `i` at exit (see `events::output`).
pub(crate) fn output(cx: &mut Ctx<'_>, w: &mut Out<'_>, i: usize, k: K) {
    match k {
        K::SockLen => {
            let addr = cx.warg(i);
            if addr == 0 {
                w.s("NULL");
                return;
            }
            let before = cx.entry_mem().read_u32(addr);
            let after = if cx.ok() { cx.mem.read_u32(addr) } else { None };
            match (before, after) {
                (Some(b), Some(a)) if a != b => w!(w, "[{b} => {a}]"),
                (_, Some(a)) => w!(w, "[{a}]"),
                (Some(b), None) => w!(w, "[{b}]"),
                (None, None) => w.ptr(addr),
            }
        }
    }
}

/// What strace prints after a successful call's return value (see `events::ret_extra`).
pub(crate) fn ret_extra(_cx: &mut Ctx<'_>, _w: &mut Out<'_>) -> bool {
    false
}
