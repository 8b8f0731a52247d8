//! Process lists: the kernel's task list walked (at the first call, at the guest's `reboot`, every
//! `list_every`), or the module's table when the kernel cannot be read.

use std::collections::HashMap;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use vmscope_core::event::{Event, ListSource, ListWhen, ProcessEntry, ProcessList, ThreadEntry};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::Bus;
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::process as lp;
use vmscope_linux::task;

use super::table::Proc;
use super::{MAX_PROCESSES, Processes};

/// Process lists asked for where the kernel could not be read, walked at the next page-table switch
/// where it can (bits of `Processes::deferred`).
pub(super) const WALK_START: u8 = 1;
pub(super) const WALK_PERIODIC: u8 = 2;
pub(super) const WALK_SHUTDOWN: u8 = 4;

pub(super) fn walk_name(bit: u8) -> ListWhen {
    match bit {
        WALK_START => ListWhen::Start,
        WALK_PERIODIC => ListWhen::Periodic,
        _ => ListWhen::Shutdown,
    }
}

impl Processes {
    /// Walks the kernel's task list from `task`, publishes it and makes it the table.
    pub(super) fn walk(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        task: u64,
        when: ListWhen,
        ts: u64,
        bus: &mut Bus,
    ) {
        self.last_list.store(ts, Ordering::Relaxed);
        let (procs, end) = lp::list_processes(cpu, task, layout, MAX_PROCESSES);
        let complete = end == task::WalkEnd::Complete;
        if end == task::WalkEnd::NoLayout {
            self.warn_once(
                bus,
                ts,
                "the kernel's BTF lacks task_struct.tasks: no process list; processes are known from \
                 their events only"
                    .into(),
            );
            return;
        }
        // The current process's own command line is in the address space loaded now; the others'
        // are not (QEMU's plugin API v4 reads only the current address space).
        // Read before the table is locked: no guest read while other vCPUs wait on the lock.
        let current_mm = lp::task_mm(cpu, task, layout).filter(|&m| m != 0);
        let current_argv: Vec<(u32, Vec<String>)> = procs
            .iter()
            .map(|p| &p.leader)
            .filter(|l| l.mm.is_some() && l.mm == current_mm)
            .filter_map(|l| Some((l.pid, lp::read_cmdline(cpu, l.task, layout)?)))
            .collect();
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        let mut fresh = HashMap::with_capacity(procs.len());
        for p in &procs {
            let l = &p.leader;
            let old = table.get(&l.pid).filter(|o| o.exited.is_none());
            let argv = current_argv
                .iter()
                .find(|(pid, _)| *pid == l.pid)
                .map(|(_, a)| a.clone());
            fresh.insert(
                l.pid,
                Proc {
                    ppid: l.ppid,
                    comm: l.comm.clone(),
                    threads: p.threads.iter().map(|t| t.tid).collect(),
                    ended: old.map(|o| o.ended.clone()).unwrap_or_default(),
                    state: l.state.map(lp::state_name),
                    mm: l.mm,
                    path: old.and_then(|o| o.path.clone()),
                    argv: argv.or_else(|| old.and_then(|o| o.argv.clone())),
                    exited: None,
                },
            );
        }
        if !complete {
            // Keep what the events taught about processes the walk did not reach.
            for (pid, p) in table.drain() {
                fresh.entry(pid).or_insert(p);
            }
        }
        *table = fresh;
        self.peak.fetch_max(table.len(), Ordering::Relaxed);
        if let Some(f) = &self.follow {
            f.reset(&table);
        }
        let mut list = list_from_table(&table, ts, when, ListSource::Kernel, complete);
        // Thread states and names come from the walk itself.
        for (entry, p) in list.processes.iter_mut().zip(sorted_by_pid(&procs)) {
            if entry.pid == p.leader.pid {
                entry.threads = p
                    .threads
                    .iter()
                    .map(|t| ThreadEntry {
                        tid: t.tid,
                        comm: t.comm.clone(),
                        state: t.state.map(lp::state_name),
                    })
                    .collect();
            }
        }
        drop(table);
        bus.publish(Event::ProcessList(list));
    }

    /// Walks the task list now if the kernel can be read here, else at the next page-table switch
    /// where it can (with KPTI, entries and returns run on the user page tables).
    pub(super) fn list(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        task: u64,
        bit: u8,
        ts: u64,
        bus: &mut Bus,
    ) {
        if cpu.read_u32(task.wrapping_add(layout.task.pid)).is_some() {
            self.walk(cpu, layout, task, walk_name(bit), ts, bus);
        } else {
            self.deferred.fetch_or(bit, Ordering::Relaxed);
        }
    }
}

pub(super) fn sorted_by_pid(procs: &[lp::ProcessInfo]) -> Vec<&lp::ProcessInfo> {
    let mut v: Vec<&lp::ProcessInfo> = procs.iter().collect();
    v.sort_by_key(|p| p.leader.pid);
    v
}

pub(super) fn list_from_table(
    table: &HashMap<u32, Proc>,
    ts: u64,
    when: ListWhen,
    source: ListSource,
    complete: bool,
) -> ProcessList {
    let mut processes: Vec<ProcessEntry> = table
        .iter()
        .filter(|(_, p)| p.exited.is_none())
        .map(|(pid, p)| ProcessEntry {
            pid: *pid,
            ppid: p.ppid,
            comm: p.comm.clone(),
            state: p.state.clone(),
            mm: p.mm.filter(|&m| m != 0).map(|m| format!("{m:#x}")),
            kernel_thread: p.mm == Some(0),
            path: p.path.clone(),
            argv: p.argv.clone(),
            threads: p
                .threads
                .iter()
                .map(|&tid| ThreadEntry {
                    tid,
                    comm: p.comm.clone(),
                    state: None,
                })
                .collect(),
        })
        .collect();
    processes.sort_by_key(|p| p.pid);
    ProcessList {
        ts,
        when,
        source,
        complete,
        processes,
    }
}
