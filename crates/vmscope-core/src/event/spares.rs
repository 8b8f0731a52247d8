//! Spare system-call events: the journal's writer hands the events it wrote back, and the vCPUs
//! fill them with their next calls.
//!
//! Without this every call allocated its event and capture buffers on a vCPU thread and freed them
//! on the writer's, which the allocator pays for on both sides (a free from another thread goes
//! through the owning page's shared list, collected later by the vCPU); perf put that at about an
//! eighth of vmscope's time on the vCPU. A reused event keeps its capture buffers, so the reads of
//! the next call need no allocation either.
//!
//! Both sides move events in batches, so the shared lock is taken once per [`BATCH`] calls, not per
//! call. The pool is bounded ([`MAX_SPARES`] events, capture buffers of at most [`KEEP_CAPTURE`]
//! bytes each are kept): what does not fit is simply freed.

// The events are boxed on purpose: they travel as `Event::Syscall(Box<..>)`, and a box is what is
// handed back and reused (with the buffers inside it), so only pointers move.
#![allow(clippy::vec_box)]

use std::sync::{Mutex, PoisonError};

use super::SyscallEvent;

/// Events moved at once between a thread's own stash and the shared pool.
pub const BATCH: usize = 64;

/// Events the shared pool keeps at most; the writer frees the rest.
pub const MAX_SPARES: usize = 1024;

/// A capture buffer that grew past this many bytes is freed rather than kept with a spare event.
pub const KEEP_CAPTURE: usize = 4096;

/// Spare events held by one thread (taken from or given to the pool in batches).
pub type Stash = Vec<Box<SyscallEvent>>;

/// The shared pool of spare events.
#[derive(Debug, Default)]
pub struct SpareCalls {
    pool: Mutex<Stash>,
}

impl SpareCalls {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves up to [`BATCH`] spare events into `stash` (one lock); none when the pool is empty.
    pub fn take_into(&self, stash: &mut Stash) {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        let n = pool.len().min(BATCH);
        let at = pool.len() - n;
        stash.extend(pool.drain(at..));
    }

    /// Gives back the events in `done` (already written), emptying it: each is
    /// [reset](SyscallEvent::reset) and kept while the pool has room, freed otherwise.
    pub fn give(&self, done: &mut Stash) {
        for ev in done.iter_mut() {
            ev.reset();
        }
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        let room = MAX_SPARES.saturating_sub(pool.len());
        let keep = done.len().min(room);
        pool.extend(done.drain(..keep));
        drop(pool);
        done.clear();
    }

    /// Spare events in the pool now (for tests and statistics).
    pub fn len(&self) -> usize {
        self.pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Phase;
    use crate::event::{CallEnd, CallId};

    fn used(big: usize) -> Box<SyscallEvent> {
        let mut ev = Box::new(SyscallEvent::blank());
        ev.ts = 7;
        ev.nr = 2;
        ev.call = Some(CallId(3));
        ev.name = "open";
        ev.ret = Some(3);
        ev.end = CallEnd::Returned;
        ev.thread.tid = Some(9);
        ev.data.entry.record(Phase::Entry, 0x1000, b"/etc/fstab");
        ev.data.exit.record(Phase::Exit, 0x2000, &vec![1u8; big]);
        ev
    }

    #[test]
    fn a_given_back_event_is_blank_and_keeps_its_small_buffers() {
        let spares = SpareCalls::new();
        let mut done = vec![used(16)];
        spares.give(&mut done);
        assert!(done.is_empty());
        let mut stash = Vec::new();
        spares.take_into(&mut stash);
        let ev = stash.pop().expect("one spare");
        assert_eq!(*ev, SyscallEvent::blank());
        assert!(ev.data.entry.is_empty() && ev.data.exit.is_empty());
        assert!(ev.data.entry.capacity() >= 10 && ev.data.exit.capacity() >= 16);
        assert!(spares.is_empty());
    }

    #[test]
    fn the_pool_is_bounded_and_hands_out_batches() {
        let spares = SpareCalls::new();
        let mut done: Vec<_> = (0..MAX_SPARES + 10).map(|_| used(1)).collect();
        spares.give(&mut done);
        assert!(done.is_empty());
        assert_eq!(spares.len(), MAX_SPARES);
        let mut stash = Vec::new();
        spares.take_into(&mut stash);
        assert_eq!(stash.len(), BATCH);
        assert_eq!(spares.len(), MAX_SPARES - BATCH);
    }

    #[test]
    fn a_big_capture_buffer_is_not_kept() {
        let mut ev = used(KEEP_CAPTURE * 4);
        ev.reset();
        assert_eq!(*ev, SyscallEvent::blank());
        assert_eq!(ev.data.exit.capacity(), 0);
        assert!(ev.data.entry.capacity() > 0);
    }
}
