//! The trace clock: nanoseconds since tracing started. By default the host's monotonic clock; a
//! replay installs the guest's virtual clock instead ([`use_virtual`]), so that two replays of one
//! recording stamp every event alike.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();
static VIRTUAL: OnceLock<fn() -> u64> = OnceLock::new();

/// Starts the clock (the first call wins); later calls of [`now_ns`] count from here.
pub fn start() {
    START.get_or_init(Instant::now);
}

/// Makes [`now_ns`] return `source()` from now on (the first call wins): a deterministic clock such
/// as the guest's instruction count scaled to nanoseconds. `false` when another source was set.
pub fn use_virtual(source: fn() -> u64) -> bool {
    VIRTUAL.set(source).is_ok()
}

/// Whether [`now_ns`] reads a virtual clock.
pub fn is_virtual() -> bool {
    VIRTUAL.get().is_some()
}

/// Nanoseconds since [`start`] (which it calls if nobody did), or the virtual clock's reading.
pub fn now_ns() -> u64 {
    if let Some(v) = VIRTUAL.get() {
        return v();
    }
    let s = START.get_or_init(Instant::now);
    u64::try_from(s.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
