//! Processes, file systems, IPC, ioctls and the rest: `prctl`, `clone3`, `sched_*`, resource usage,
//! `flock` and `fcntl` locks, `fallocate`, `renameat2`, `memfd_create`, `splice`, SysV IPC, `ioctl` families.
//!
//! A family of argument kinds ([`K`]) plugged into the decoder through [`io`], [`input`],
//! [`output`] and [`ret_extra`] (see `args.rs` and `events.rs` for the pattern).

use super::args::Io;
use super::ctx::Ctx;
use super::out::Out;

/// Argument kinds of this family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {}

/// When kind `k` is read.
pub(crate) fn io(k: K) -> Io {
    match k {}
}

/// Renders input kind `k` of argument `i` (see `events::input`).
pub(crate) fn input(_cx: &mut Ctx<'_>, _w: &mut Out<'_>, _i: usize, k: K) -> Option<bool> {
    match k {}
}

/// Renders output (or in/out) kind `k` of argument `i` at exit (see `events::output`).
pub(crate) fn output(_cx: &mut Ctx<'_>, _w: &mut Out<'_>, _i: usize, k: K) {
    match k {}
}

/// What strace prints after a successful call's return value (see `events::ret_extra`).
pub(crate) fn ret_extra(_cx: &mut Ctx<'_>, _w: &mut Out<'_>) -> bool {
    false
}
