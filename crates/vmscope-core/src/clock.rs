//! The trace clock: nanoseconds since tracing started. By default the host's monotonic clock; a
//! replay installs the guest's virtual clock instead ([`use_virtual`]), so that two replays of one
//! recording stamp every event alike.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();
static VIRTUAL: OnceLock<fn() -> u64> = OnceLock::new();
static FROZEN: OnceLock<u64> = OnceLock::new();

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

/// Stops a virtual clock at `at` (the first call wins; nothing without a virtual clock): what is
/// stamped after the guest's last observed instruction — the end of tracing, after QEMU was asked
/// to stop — must not depend on how many instructions the vCPU ran before QEMU's main loop noticed,
/// which varies with the host's load from one replay to the next.
pub fn freeze(at: u64) {
    if is_virtual() {
        let _ = FROZEN.set(at);
    }
}

/// Nanoseconds since [`start`] (which it calls if nobody did), or the virtual clock's reading.
pub fn now_ns() -> u64 {
    if let Some(v) = VIRTUAL.get() {
        if let Some(&f) = FROZEN.get() {
            return f;
        }
        return v();
    }
    let s = START.get_or_init(Instant::now);
    u64::try_from(s.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
