//! The sched module (hardware level): which thread each vCPU runs, and for how long.
//!
//! It re-detects nothing: the context module names the thread at every kernel entry and every return
//! to user mode, and this module compares, per vCPU, the thread returning to user mode with the one
//! that returned there before. A different one is a `switch` event (`ts`, `vcpu`, the new thread, the
//! previous one). A return to user mode names the kernel's task and thread id, not always the pid and
//! comm: those come from the thread's kernel entries (a cache by task), and a switch to a thread not
//! named yet (a new thread's first return) waits for its first entry to be published with them.
//!
//! A thread's time on a vCPU runs from its return to user mode there to the next other thread's return
//! there: it includes the kernel's work between (its own system calls, interrupts, and idle time
//! after it blocked). Kernel threads never return to user mode and are not seen. At the end one
//! `sched_summary` per thread gives its time on each vCPU.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use vmscope_core::clock;
use vmscope_core::event::{CompactString, Event, SchedSummary, SwitchEvent, ThreadCtx, VcpuTime};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};

use crate::context::Context;

#[cfg(test)]
mod tests;

/// Threads named at most (a cache by task; cleared when full).
const MAX_NAMES: usize = 65_536;
/// Threads accounted at most; past it, time goes to no one and the summary says so.
const MAX_THREADS: usize = 65_536;

/// A thread as this module tells threads apart: the kernel's task object (and its thread id, once
/// known: a task object can be reused by a new thread), else the thread id, else the address space (no
/// layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key(u64, Option<u32>);

fn key(t: &ThreadCtx) -> Option<Key> {
    match (t.task, t.tid) {
        (0, Some(tid)) => Some(Key(0, Some(tid))),
        (0, None) if t.asid != 0 => Some(Key(t.asid, None)),
        (0, None) => None,
        (task, tid) => Some(Key(task, tid)),
    }
}

impl Key {
    /// The same thread: the same object, and no two different thread ids (a return by `sysret`
    /// names the task only).
    fn same(self, other: Key) -> bool {
        self.0 == other.0 && (self.1.is_none() || other.1.is_none() || self.1 == other.1)
    }
}

#[derive(Debug, Clone, Default)]
struct Ident {
    pid: Option<u32>,
    tid: Option<u32>,
    comm: Option<CompactString>,
}

#[derive(Debug, Default)]
struct Running {
    key: Option<Key>,
    ident: Ident,
    since: u64,
    /// A switch whose thread is not named yet.
    pending: Option<SwitchEvent>,
}

#[derive(Debug, Default)]
struct Totals {
    ident: Ident,
    per_vcpu: BTreeMap<u32, (u64, u64)>,
}

/// The sched module.
pub struct Sched {
    vcpus: Box<[Mutex<Running>]>,
    names: Mutex<HashMap<u64, Ident>>,
    totals: Mutex<HashMap<Key, Totals>>,
}

impl Sched {
    /// The module's name.
    pub const NAME: &'static str = "sched";

    /// A sched module for up to `max_vcpus` vCPUs.
    pub fn new(max_vcpus: usize) -> Self {
        Self {
            vcpus: (0..max_vcpus.max(1)).map(|_| Mutex::default()).collect(),
            names: Mutex::default(),
            totals: Mutex::default(),
        }
    }

    fn name_of(&self, t: &ThreadCtx) -> Ident {
        let mut id = Ident {
            pid: t.pid,
            tid: t.tid,
            comm: t.comm.clone(),
        };
        if id.pid.is_none() && t.task != 0 {
            let names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
            // A task object reused by a new thread: the cached name is another thread's.
            if let Some(n) = names
                .get(&t.task)
                .filter(|n| t.tid.is_none() || n.tid == t.tid)
            {
                id.pid = n.pid;
                id.comm = n.comm.clone();
                id.tid = id.tid.or(n.tid);
            }
        }
        id
    }

    fn account(&self, vcpu: u32, key: Key, ident: &Ident, ns: u64, switched_in: bool) {
        let key = Key(key.0, key.1.or(ident.tid));
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        if totals.len() >= MAX_THREADS && !totals.contains_key(&key) {
            return;
        }
        let t = totals.entry(key).or_default();
        if ident.pid.is_some() || t.ident.tid.is_none() {
            t.ident = ident.clone();
        }
        let e = t.per_vcpu.entry(vcpu).or_default();
        e.0 = e.0.saturating_add(ns);
        e.1 += u64::from(switched_in);
    }

    fn on_entry(&self, vcpu: u32, t: &ThreadCtx, bus: &mut Bus) {
        if t.pid.is_none() || t.task == 0 {
            return;
        }
        let ident = Ident {
            pid: t.pid,
            tid: t.tid,
            comm: t.comm.clone(),
        };
        {
            let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
            if names.len() >= MAX_NAMES && !names.contains_key(&t.task) {
                names.clear();
            }
            names.insert(t.task, ident.clone());
        }
        let Some(slot) = self.vcpus.get(vcpu as usize) else {
            return;
        };
        let mut run = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if run.key.is_some_and(|k| k.0 == t.task) && run.ident.pid.is_none() {
            run.ident = ident.clone();
            if let Some(mut ev) = run.pending.take() {
                ev.pid = ident.pid;
                ev.tid = ident.tid.or(ev.tid);
                ev.comm = ident.comm;
                bus.publish(Event::Switch(ev));
            }
        }
    }

    fn on_return(&self, vcpu: u32, ts: u64, t: &ThreadCtx, bus: &mut Bus) {
        let Some(k) = key(t) else { return };
        let Some(slot) = self.vcpus.get(vcpu as usize) else {
            return;
        };
        let mut run = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if run.key.is_some_and(|r| r.same(k)) {
            if k.1.is_some() && run.key.is_some_and(|r| r.1.is_none()) {
                run.key = Some(k);
            }
            return;
        }
        let ident = self.name_of(t);
        let k = Key(k.0, k.1.or(ident.tid));
        if let Some(prev) = run.key {
            self.account(vcpu, prev, &run.ident, ts.saturating_sub(run.since), false);
        }
        if let Some(ev) = run.pending.take() {
            bus.publish(Event::Switch(ev));
        }
        let ev = SwitchEvent {
            ts,
            vcpu,
            pid: ident.pid,
            tid: ident.tid,
            comm: ident.comm.clone(),
            prev_pid: run.ident.pid,
            prev_tid: run.ident.tid,
        };
        self.account(vcpu, k, &ident, 0, true);
        if ident.pid.is_some() || t.task == 0 {
            bus.publish(Event::Switch(ev));
        } else {
            run.pending = Some(ev);
        }
        *run = Running {
            key: Some(k),
            ident,
            since: ts,
            pending: run.pending.take(),
        };
    }

    /// The summaries, one per thread, in pid then tid order.
    fn summaries(&self, ts: u64) -> Vec<SchedSummary> {
        let totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out: Vec<SchedSummary> = totals
            .values()
            .map(|t| {
                let vcpus: Vec<VcpuTime> = t
                    .per_vcpu
                    .iter()
                    .map(|(&vcpu, &(ns, switches))| VcpuTime { vcpu, ns, switches })
                    .collect();
                SchedSummary {
                    ts,
                    pid: t.ident.pid,
                    tid: t.ident.tid,
                    comm: t.ident.comm.clone(),
                    total_ns: vcpus.iter().map(|v| v.ns).sum(),
                    vcpus,
                }
            })
            .collect();
        out.sort_by_key(|s| (s.pid, s.tid));
        out
    }
}

impl Module for Sched {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn depends(&self) -> &[&str] {
        &[Context::NAME]
    }

    fn interest(&self) -> Interest {
        Interest {
            entries: true,
            exits: true,
            ..Interest::default()
        }
    }

    fn on_hook(&self, _cpu: &mut dyn GuestCpu, hook: &mut Hook, bus: &mut Bus) {
        let Some(t) = &hook.thread else { return };
        match hook.point {
            HookPoint::Entry(_) => self.on_entry(hook.vcpu, t, bus),
            HookPoint::Exit(_) if hook.to_user == Some(true) => {
                self.on_return(hook.vcpu, hook.ts, t, bus);
            }
            _ => {}
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        let now = clock::now_ns();
        for (vcpu, slot) in self.vcpus.iter().enumerate() {
            let mut run = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(ev) = run.pending.take() {
                bus.publish(Event::Switch(ev));
            }
            if let Some(k) = run.key {
                let vcpu = u32::try_from(vcpu).unwrap_or(u32::MAX);
                self.account(vcpu, k, &run.ident, now.saturating_sub(run.since), false);
                run.since = now;
            }
        }
        for s in self.summaries(now) {
            bus.publish(Event::SchedSummary(Box::new(s)));
        }
    }
}
