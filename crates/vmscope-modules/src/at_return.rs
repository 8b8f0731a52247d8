//! Kernel facts a module wants at a call's return, read at the last moment the kernel is mapped.
//!
//! With page-table isolation (KPTI) the kernel switches to the user page tables right before every
//! return to user mode, and the returning instruction (`sysret`, `iret`) runs on those: no
//! `task_struct`, `mm` or file table can be read there. But the switch itself is hooked
//! ([`HookPoint::PageTableSwitch`](vmscope_core::module::HookPoint)): executed just before the CR3
//! write, still on the kernel's tables, and nothing else runs on that vCPU until the return. So:
//!
//! 1. at a call's entry a module [`note`](AtReturn::note)s what it will want from the kernel at the
//!    return, keyed by the kernel task making the call;
//! 2. at each page-table switch where the kernel is readable (the context module named the current
//!    thread), [`capture`](AtReturn::capture) reads it if something is noted for the current task — and
//!    costs one atomic load when nothing is noted at all;
//! 3. when the call's event arrives, on the vCPU it returned on, the module [`take`](AtReturn::take)s
//!    its note back with what the last capture on that vCPU read for that very call.
//!
//! What is captured is a fallback: modules read live where the kernel is mapped (no KPTI) and use the
//! capture where it is not. A switch on the way *into* the kernel runs on the user tables: the context
//! module finds no thread there and nothing is captured. Captures from an earlier call of the same task
//! are never taken for a later one (each note has its own generation).
//!
//! Bounded: at most [`MAX_NOTED`] tasks with a note (the oldest dropped past that), one capture per vCPU
//! for the first [`MAX_VCPUS`] vCPUs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Tasks with a pending note at most; past that the oldest note is dropped.
pub const MAX_NOTED: usize = 4096;
/// vCPUs that get a capture slot; calls returning on others get no capture.
pub const MAX_VCPUS: usize = 256;

struct Noted<N> {
    generation: u64,
    need: N,
}

struct Captured<C> {
    task: u64,
    generation: u64,
    facts: C,
}

/// Notes per task (`N`: what is wanted) and captures per vCPU (`C`: what was read).
pub struct AtReturn<N, C> {
    notes: Mutex<HashMap<u64, Noted<N>>>,
    /// `notes.len()`, read without the lock on the hot path.
    noted: AtomicUsize,
    generation: AtomicU64,
    slots: Box<[Mutex<Option<Captured<C>>>]>,
}

impl<N: Clone, C> Default for AtReturn<N, C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<N: Clone, C> AtReturn<N, C> {
    /// Nothing noted, nothing captured.
    pub fn new() -> Self {
        Self {
            notes: Mutex::new(HashMap::new()),
            noted: AtomicUsize::new(0),
            generation: AtomicU64::new(1),
            slots: (0..MAX_VCPUS).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Whether nothing is noted (the hot path's only check).
    pub fn is_idle(&self) -> bool {
        self.noted.load(Ordering::Relaxed) == 0
    }

    /// At a call's entry: the call `task` is making will want `need` read at its return. Replaces any
    /// earlier note of the task (that call never returned where it could be seen).
    pub fn note(&self, task: u64, need: N) {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let mut notes = self.notes.lock().unwrap_or_else(PoisonError::into_inner);
        if notes.len() >= MAX_NOTED && !notes.contains_key(&task) {
            // A guest with thousands of tasks blocked in noted calls: forget the oldest.
            let oldest = notes
                .iter()
                .min_by_key(|(_, n)| n.generation)
                .map(|(t, _)| *t);
            if let Some(t) = oldest {
                notes.remove(&t);
            }
        }
        notes.insert(task, Noted { generation, need });
        self.noted.store(notes.len(), Ordering::Relaxed);
    }

    /// At a page-table switch on `vcpu` with the kernel readable and `task` current: if the task has a
    /// note, `read` it now and keep the result for the return. The kernel reads happen outside any lock.
    pub fn capture(&self, vcpu: u32, task: u64, read: impl FnOnce(&N) -> C) {
        if self.is_idle() {
            return;
        }
        let Some(slot) = self.slots.get(vcpu as usize) else {
            return;
        };
        let (generation, need) = {
            let notes = self.notes.lock().unwrap_or_else(PoisonError::into_inner);
            match notes.get(&task) {
                Some(n) => (n.generation, n.need.clone()),
                None => return,
            }
        };
        let facts = read(&need);
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(Captured {
            task,
            generation,
            facts,
        });
    }

    /// When the call's event arrives on `vcpu` (where it returned): the task's note, forgotten now, and
    /// what the last capture on this vCPU read for that same call, if any. `None` without a note.
    pub fn take(&self, vcpu: u32, task: u64) -> Option<(N, Option<C>)> {
        if self.is_idle() {
            return None;
        }
        let noted = {
            let mut notes = self.notes.lock().unwrap_or_else(PoisonError::into_inner);
            let n = notes.remove(&task)?;
            self.noted.store(notes.len(), Ordering::Relaxed);
            n
        };
        let facts = self.slots.get(vcpu as usize).and_then(|slot| {
            let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
            match slot.as_ref() {
                Some(c) if c.task == task && c.generation == noted.generation => {
                    slot.take().map(|c| c.facts)
                }
                _ => None,
            }
        });
        Some((noted.need, facts))
    }

    /// Tasks with a note (for tests).
    pub fn noted(&self) -> usize {
        self.noted.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_reaches_the_return_of_the_call_it_was_noted_for() {
        let a: AtReturn<u32, String> = AtReturn::new();
        assert!(a.is_idle());
        // Nothing noted: no read at all.
        a.capture(0, 0x1000, |_| panic!("read with nothing noted"));
        a.note(0x1000, 7);
        // Another task's switch reads nothing.
        a.capture(0, 0x2000, |_| panic!("read for a task without a note"));
        a.capture(0, 0x1000, |n| format!("early {n}"));
        // The last switch before the return wins.
        a.capture(0, 0x1000, |n| format!("last {n}"));
        // Taken on the vCPU it returned on, once.
        assert_eq!(a.take(1, 0x1000), Some((7, None)), "another vCPU's slot");
        assert!(a.is_idle(), "the note is gone with the event");
        a.note(0x1000, 8);
        a.capture(0, 0x1000, |n| format!("last {n}"));
        assert_eq!(a.take(0, 0x1000), Some((8, Some("last 8".to_string()))));
        assert_eq!(a.take(0, 0x1000), None);
    }

    #[test]
    fn an_earlier_calls_capture_is_never_taken_for_a_later_one() {
        let a: AtReturn<u32, u32> = AtReturn::new();
        a.note(0x1000, 1);
        a.capture(0, 0x1000, |n| *n);
        // The call never returned where it could be seen; the task enters again.
        a.note(0x1000, 2);
        assert_eq!(a.take(0, 0x1000), Some((2, None)));
        // A slot holding another task's capture gives nothing either.
        a.note(0x1000, 3);
        a.note(0x2000, 4);
        a.capture(0, 0x2000, |n| *n);
        assert_eq!(a.take(0, 0x1000), Some((3, None)));
        assert_eq!(a.take(0, 0x2000), Some((4, Some(4))));
    }

    #[test]
    fn notes_and_slots_are_bounded() {
        let a: AtReturn<u64, u64> = AtReturn::new();
        for t in 0..(MAX_NOTED as u64 + 100) {
            a.note(t, t);
        }
        assert_eq!(a.noted(), MAX_NOTED);
        // The oldest were dropped, the newest kept.
        assert_eq!(a.take(0, 0), None);
        let last = MAX_NOTED as u64 + 99;
        a.capture(3, last, |n| *n);
        assert_eq!(a.take(3, last), Some((last, Some(last))));
        // A vCPU beyond the slots captures nothing, and never panics.
        a.note(5, 5);
        a.capture(u32::MAX, 5, |n| *n);
        assert_eq!(a.take(u32::MAX, 5), Some((5, None)));
    }
}
