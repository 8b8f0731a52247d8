//! The trace clock: nanoseconds since tracing started, on the host's monotonic clock.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Starts the clock (the first call wins); later calls of [`now_ns`] count from here.
pub fn start() {
    START.get_or_init(Instant::now);
}

/// Nanoseconds since [`start`] (which it calls if nobody did).
pub fn now_ns() -> u64 {
    let s = START.get_or_init(Instant::now);
    u64::try_from(s.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
