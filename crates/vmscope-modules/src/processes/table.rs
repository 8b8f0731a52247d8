//! The module's table of processes: what it knows of each, from the kernel's lists and the events
//! since, bounded.

use std::collections::{BTreeSet, HashMap};
use std::sync::PoisonError;

use vmscope_core::event::SyscallEvent;
use vmscope_core::guest::GuestCpu;
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::process as lp;

use super::Processes;
use super::kpti::Facts;

/// Processes the table keeps at most (exited ones that are never reaped are dropped past this).
pub(super) const MAX_TABLE: usize = 65536;
/// A call from a process already seen exiting is taken as a new process with a reused pid only when
/// it entered this long after the exit (other threads finish their calls right after `exit_group`).
pub(super) const PID_REUSE_AFTER_NS: u64 = 100_000_000;

/// What the module knows of one process.
#[derive(Debug, Clone, Default)]
pub(super) struct Proc {
    pub(super) ppid: Option<u32>,
    pub(super) comm: String,
    pub(super) threads: BTreeSet<u32>,
    /// Threads that already ended. With several vCPUs a thread can start, run and exit on one vCPU
    /// before its creator's `clone` return is seen on another: that late return must not announce it
    /// again. Bounded by [`MAX_ENDED_THREADS`].
    pub(super) ended: BTreeSet<u32>,
    /// Run state and address space from the last walk.
    pub(super) state: Option<String>,
    pub(super) mm: Option<u64>,
    pub(super) path: Option<String>,
    pub(super) argv: Option<Vec<String>>,
    /// When its exit was seen (`exit_group`, or its last thread's `exit`).
    pub(super) exited: Option<u64>,
}

/// Ended threads remembered per process (see `Proc::ended`).
pub(super) const MAX_ENDED_THREADS: usize = 4096;

impl Processes {
    /// Whether thread `tid` of process `pid` is in the table (and the process not gone long ago), and
    /// whether the table lacks the process's address space.
    pub(super) fn table_view(&self, pid: u32, tid: u32, ts: u64) -> (bool, bool) {
        let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
        let Some(p) = table.get(&pid) else {
            return (false, true);
        };
        let known = p
            .exited
            .is_none_or(|at| ts < at.saturating_add(PID_REUSE_AFTER_NS))
            && p.threads.contains(&tid);
        (known, p.mm.is_none_or(|m| m == 0))
    }

    /// A process the table has without an address space makes calls: it has one now (init after it
    /// ran /init from the kernel, with no exec call to see). Its comm changed with it.
    pub(super) fn refresh(
        &self,
        c: &SyscallEvent,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        facts: Option<&Facts>,
        pid: u32,
        tid: u32,
    ) {
        let Some(mm) = lp::task_mm(cpu, c.thread.task, layout)
            .or(facts.and_then(|f| f.mm))
            .filter(|&m| m != 0)
        else {
            return;
        };
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = table.get_mut(&pid) {
            p.mm = Some(mm);
            if pid == tid
                && let Some(comm) = &c.thread.comm
            {
                comm.as_str().clone_into(&mut p.comm);
            }
        }
    }
}

/// Drops the exited processes, oldest exit first, until the table is below its bound.
pub(super) fn evict_exited(table: &mut HashMap<u32, Proc>) {
    let mut exited: Vec<(u64, u32)> = table
        .iter()
        .filter_map(|(pid, p)| p.exited.map(|at| (at, *pid)))
        .collect();
    exited.sort_unstable();
    let excess = table.len().saturating_sub(MAX_TABLE / 2);
    for (_, pid) in exited.into_iter().take(excess.max(1)) {
        table.remove(&pid);
    }
}
