//! The process filter: which processes the journal keeps (`--pid`, `--follow-comm` and their
//! descendants), kept up to date by the process monitor, and the sink that applies it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, PoisonError, RwLock};

use vmscope_core::dispatch::Sink;
use vmscope_core::event::Event;

use super::table::Proc;

/// Which processes the journal keeps: the ones named (by pid, or by command name) and their
/// descendants. Shared between the [`Processes`] module, which updates it, and the [`FilterSink`].
#[derive(Debug, Default)]
pub struct Follow {
    pids: Vec<u32>,
    comms: Vec<String>,
    set: RwLock<HashSet<u32>>,
}

impl Follow {
    /// Follows the processes with these pids and those whose command name is one of `comms`.
    pub fn new(pids: Vec<u32>, comms: Vec<String>) -> Self {
        let set = RwLock::new(pids.iter().copied().collect());
        Self { pids, comms, set }
    }

    /// Whether events of process `pid` go to the journal.
    pub fn follows(&self, pid: u32) -> bool {
        self.set
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&pid)
    }

    /// Whether a process is named by the user (its pid, or its command name).
    pub(super) fn named(&self, pid: u32, comm: &str) -> bool {
        self.pids.contains(&pid) || self.comms.iter().any(|c| c == comm)
    }

    pub(super) fn set(&self, pid: u32, on: bool) {
        let mut s = self.set.write().unwrap_or_else(PoisonError::into_inner);
        if on {
            s.insert(pid);
        } else {
            s.remove(&pid);
        }
    }

    /// A new process: followed when named or when its parent is.
    pub(super) fn born(&self, pid: u32, ppid: Option<u32>, comm: &str) {
        let on = self.named(pid, comm) || ppid.is_some_and(|pp| self.follows(pp));
        self.set(pid, on);
    }

    /// A process ran a new program: followed from now on if the new name is one asked for.
    pub(super) fn renamed(&self, pid: u32, comm: &str) {
        if self.comms.iter().any(|c| c == comm) {
            self.set(pid, true);
        }
    }

    /// Replaces the followed set from a full process list: named processes and their descendants.
    pub(super) fn reset(&self, procs: &HashMap<u32, Proc>) {
        let mut on: HashSet<u32> = {
            let old = self.set.read().unwrap_or_else(PoisonError::into_inner);
            procs
                .iter()
                .filter(|(pid, p)| old.contains(pid) || self.named(**pid, &p.comm))
                .map(|(pid, _)| *pid)
                .collect()
        };
        // Descendants: a pass per generation, bounded by the number of processes.
        for _ in 0..procs.len().min(4096) {
            let before = on.len();
            for (pid, p) in procs {
                if p.ppid.is_some_and(|pp| on.contains(&pp)) {
                    on.insert(*pid);
                }
            }
            if on.len() == before {
                break;
            }
        }
        // Pids asked for that do not exist yet stay asked for.
        on.extend(self.pids.iter().copied());
        *self.set.write().unwrap_or_else(PoisonError::into_inner) = on;
    }
}

/// The journal behind a process filter: events of processes not followed are dropped, process lists
/// keep only followed processes; notices (and events without a process) pass.
pub struct FilterSink {
    inner: Arc<dyn Sink>,
    follow: Arc<Follow>,
}

impl FilterSink {
    /// Filters what reaches `inner` by `follow`.
    pub fn new(inner: Arc<dyn Sink>, follow: Arc<Follow>) -> Self {
        Self { inner, follow }
    }
}

impl Sink for FilterSink {
    fn emit(&self, event: Event) {
        let pid = match &event {
            Event::Syscall(s) => s.thread.pid,
            Event::Process(p) => p.pid,
            Event::ProcessList(l) => {
                let mut l = l.clone();
                l.processes.retain(|p| self.follow.follows(p.pid));
                self.inner.emit(Event::ProcessList(l));
                return;
            }
            _ => None,
        };
        if pid.is_none_or(|p| self.follow.follows(p)) {
            self.inner.emit(event);
        }
    }

    fn flush(&self) {
        self.inner.flush();
    }
}
