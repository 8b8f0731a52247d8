//! The virtual clock of a replay, in its own process (the clock is process-wide).

use std::sync::atomic::{AtomicU64, Ordering};

use vmscope_core::clock;

static GUEST_NS: AtomicU64 = AtomicU64::new(1_000);

fn guest() -> u64 {
    GUEST_NS.load(Ordering::Relaxed)
}

#[test]
fn a_frozen_virtual_clock_stamps_the_end_where_it_was_frozen() {
    // Without a virtual clock, freezing does nothing.
    clock::freeze(5);
    assert_ne!(clock::now_ns(), 5);
    assert!(clock::use_virtual(guest));
    assert_eq!(clock::now_ns(), 1_000);
    GUEST_NS.store(2_000, Ordering::Relaxed);
    assert_eq!(clock::now_ns(), 2_000);
    // The end of tracing: the guest ran on by a varying amount, the stamps do not.
    clock::freeze(2_000);
    GUEST_NS.store(2_345, Ordering::Relaxed);
    assert_eq!(clock::now_ns(), 2_000);
    // The first freeze wins.
    clock::freeze(9_999);
    assert_eq!(clock::now_ns(), 2_000);
}
