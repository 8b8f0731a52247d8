//! The process monitor: process and thread lifecycle events, process lists, and the process filter.
//!
//! It listens to the syscall detector's events, each delivered at the call's exit on the vCPU that made
//! it (so the guest can still be read as the call left it), and turns the calls that create, replace
//! and end processes into [`ProcessEvent`]s:
//! - `fork`, `vfork`, `clone`, `clone3` returning a new id in the creator: a `fork`, or a thread
//!   `start` when the clone flags (the first argument, or `clone_args.flags` in the caller's memory)
//!   say `CLONE_THREAD`;
//! - a successful `execve`/`execveat`: an `exec` with the new image's argv (`mm->arg_start..arg_end`)
//!   and the file name it was started with (`AT_EXECFN` in `mm->saved_auxv`);
//! - `exit_group`: the process `exit` with its code; `exit`: a thread `exit` (and the process's, for its
//!   last known thread);
//! - `wait4`/`waitpid`/`waitid` reaping a child that made no exit call: its `exit` with the killing
//!   signal (`"seen":"wait"`).
//!
//! A process or thread whose first system call is seen before its creator's call returned (the child
//! runs first, or on the other vCPU) is announced at that first call, its parent read from
//! `task_struct.real_parent` (`"seen":"first_call"`); the creator's return then adds nothing.
//!
//! The kernel's task list is walked (bounded, cycle-checked) at the first call seen, at the guest's
//! `reboot` call, and every `list_every` if asked: each walk is published as a [`ProcessList`] and
//! resets the module's table. When tracing stops there is no vCPU to read the guest with, so the last
//! list is the table: the last walk updated with every event since (`"source":"events"`).
//!
//! [`Follow`] and [`FilterSink`] restrict the journal to some processes and their descendants; the
//! module keeps the followed set up to date (children are followed from their fork, or from their
//! first call, before any of their events reach the journal).
//!
//! With page-table isolation (KPTI) the kernel is not mapped at the hooked entries and returns. What a
//! call's return needs from the kernel (an exec's program file, comm, argv, working directory; an
//! unknown thread's parent) is noted at the call's entry and read at the kernel's last page-table
//! switch before the return ([`crate::at_return`]); process lists wanted where the kernel cannot be
//! read are walked at the next page-table switch where it can.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use vmscope_core::arch::EntryKind;
use vmscope_core::arch::x86_64::{RSP, USER32_CS};
use vmscope_core::dispatch::Sink;
use vmscope_core::event::{
    Abi, CallEnd, Event, EventKind, EventMask, Notice, ProcessEntry, ProcessEvent, ProcessList,
    ProcessOp, Seen, SyscallEvent, ThreadCtx, ThreadEntry,
};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};
use vmscope_linux::btf::{KernelLayout, VfsLayout};
use vmscope_linux::process::{self as lp, WaitStatus};
use vmscope_linux::{syscalls, task, vfs};

use crate::at_return::AtReturn;
use crate::context::Context;
use crate::syscalls::Syscalls;

/// Processes a walk lists at most.
pub const MAX_PROCESSES: usize = 32768;
/// Processes the table keeps at most (exited ones that are never reaped are dropped past this).
const MAX_TABLE: usize = 65536;
/// A call from a process already seen exiting is taken as a new process with a reused pid only when
/// it entered this long after the exit (other threads finish their calls right after `exit_group`).
const PID_REUSE_AFTER_NS: u64 = 100_000_000;

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
    fn named(&self, pid: u32, comm: &str) -> bool {
        self.pids.contains(&pid) || self.comms.iter().any(|c| c == comm)
    }

    fn set(&self, pid: u32, on: bool) {
        let mut s = self.set.write().unwrap_or_else(PoisonError::into_inner);
        if on {
            s.insert(pid);
        } else {
            s.remove(&pid);
        }
    }

    /// A new process: followed when named or when its parent is.
    fn born(&self, pid: u32, ppid: Option<u32>, comm: &str) {
        let on = self.named(pid, comm) || ppid.is_some_and(|pp| self.follows(pp));
        self.set(pid, on);
    }

    /// A process ran a new program: followed from now on if the new name is one asked for.
    fn renamed(&self, pid: u32, comm: &str) {
        if self.comms.iter().any(|c| c == comm) {
            self.set(pid, true);
        }
    }

    /// Replaces the followed set from a full process list: named processes and their descendants.
    fn reset(&self, procs: &HashMap<u32, Proc>) {
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

/// What the module knows of one process.
#[derive(Debug, Clone, Default)]
struct Proc {
    ppid: Option<u32>,
    comm: String,
    threads: BTreeSet<u32>,
    /// Threads that already ended. With several vCPUs a thread can start, run and exit on one vCPU
    /// before its creator's `clone` return is seen on another: that late return must not announce it
    /// again. Bounded by [`MAX_ENDED_THREADS`].
    ended: BTreeSet<u32>,
    /// Run state and address space from the last walk.
    state: Option<String>,
    mm: Option<u64>,
    path: Option<String>,
    argv: Option<Vec<String>>,
    /// When its exit was seen (`exit_group`, or its last thread's `exit`).
    exited: Option<u64>,
}

/// Ended threads remembered per process (see `Proc::ended`).
const MAX_ENDED_THREADS: usize = 4096;

/// Process lists asked for where the kernel could not be read, walked at the next page-table switch
/// where it can (bits of `Processes::deferred`).
const WALK_START: u8 = 1;
const WALK_PERIODIC: u8 = 2;
const WALK_SHUTDOWN: u8 = 4;

fn walk_name(bit: u8) -> &'static str {
    match bit {
        WALK_START => "start",
        WALK_PERIODIC => "periodic",
        _ => "shutdown",
    }
}

/// What a call will want from the kernel at its return, noted at its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Need {
    /// An exec, called from this address space: a successful one returns in another.
    exec_from: Option<u64>,
    /// The thread is not in the table: its parent, to announce it.
    parent: bool,
    /// The table has no address space for the process (new to it, or a kernel thread at the last
    /// walk, like init before it ran /init): its `mm` now.
    mm: bool,
}

/// What was read from the kernel at the page-table switch before a call's return.
#[derive(Debug, Clone, Default)]
struct Facts {
    /// The thread current at the switch.
    pid: Option<u32>,
    tid: Option<u32>,
    ppid: Option<u32>,
    mm: Option<u64>,
    exec: Option<ExecFacts>,
}

/// The kernel's account of a task right after a successful exec.
#[derive(Debug, Clone, Default)]
struct ExecFacts {
    pid: u32,
    tid: u32,
    comm: String,
    ppid: Option<u32>,
    argv: Option<Vec<String>>,
    /// `AT_EXECFN` read as a 64-bit and as a 32-bit auxiliary vector (which one is right is known from
    /// the return's code segment).
    execfn64: Option<String>,
    execfn32: Option<String>,
    /// The program file (`mm->exe_file`), and the working directory when no absolute `AT_EXECFN`
    /// was found.
    path: Option<String>,
    cwd: Option<String>,
}

impl ExecFacts {
    fn execfn(&self, abi: Abi) -> Option<String> {
        match abi {
            Abi::X86_64 => self.execfn64.clone(),
            Abi::I386 => self.execfn32.clone(),
        }
    }
}

/// The process monitor module.
pub struct Processes {
    layout: Option<Arc<KernelLayout>>,
    vfs: Option<Arc<VfsLayout>>,
    follow: Option<Arc<Follow>>,
    list_every_ns: Option<u64>,
    table: RwLock<HashMap<u32, Proc>>,
    started: AtomicBool,
    shutdown_listed: AtomicBool,
    /// When the guest's `reboot` call entered (for a shutdown list that had to wait).
    shutdown_ts: AtomicU64,
    last_list: AtomicU64,
    warned: AtomicBool,
    /// Lists asked for where the kernel could not be read (`WALK_*` bits).
    deferred: AtomicU8,
    /// Kernel facts for calls' returns, read at the page-table switch before them (KPTI).
    at_return: AtReturn<Need, Facts>,
}

impl Processes {
    /// The module's name.
    pub const NAME: &'static str = "processes";

    /// A process monitor; `follow` is the filter to keep up to date, `list_every_ns` asks for a
    /// process list that often (at the first call after each period).
    pub fn new(
        layout: Option<Arc<KernelLayout>>,
        vfs: Option<Arc<VfsLayout>>,
        follow: Option<Arc<Follow>>,
        list_every_ns: Option<u64>,
    ) -> Self {
        Self {
            layout,
            vfs,
            follow,
            list_every_ns,
            table: RwLock::new(HashMap::new()),
            started: AtomicBool::new(false),
            shutdown_listed: AtomicBool::new(false),
            shutdown_ts: AtomicU64::new(0),
            last_list: AtomicU64::new(0),
            warned: AtomicBool::new(false),
            deferred: AtomicU8::new(0),
            at_return: AtReturn::new(),
        }
    }

    fn warn_once(&self, bus: &mut Bus, ts: u64, message: String) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            bus.publish(Event::Notice(Notice {
                ts,
                source: Self::NAME.into(),
                level: "warning",
                message,
            }));
        }
    }

    /// Walks the kernel's task list from `task`, publishes it and makes it the table.
    fn walk(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        task: u64,
        when: &'static str,
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
        let current_mm = lp::task_mm(cpu, task, layout).filter(|&m| m != 0);
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        let mut fresh = HashMap::with_capacity(procs.len());
        for p in &procs {
            let l = &p.leader;
            let old = table.get(&l.pid).filter(|o| o.exited.is_none());
            let argv = if l.mm.is_some() && l.mm == current_mm {
                lp::read_cmdline(cpu, l.task, layout)
            } else {
                None
            };
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
        if let Some(f) = &self.follow {
            f.reset(&table);
        }
        let mut list = list_from_table(&table, ts, when, "kernel", complete);
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
    fn list(
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

    /// Whether thread `tid` of process `pid` is in the table (and the process not gone long ago), and
    /// whether the table lacks the process's address space.
    fn table_view(&self, pid: u32, tid: u32, ts: u64) -> (bool, bool) {
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
    fn refresh(
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

    fn on_call(&self, c: &SyscallEvent, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let Some(layout) = self.layout.as_deref() else {
            return;
        };
        let (Some(pid), Some(tid)) = (c.thread.pid, c.thread.tid) else {
            self.warn_once(
                bus,
                c.ts,
                "threads are not identified (no kernel BTF, or the current task cannot be read at kernel \
                 entries and exits, as with KPTI): no process events"
                    .into(),
            );
            return;
        };
        if c.thread.task == 0 {
            return;
        }
        // What this call noted at its entry it would want now, and what was read for it at the
        // page-table switch before its return (KPTI).
        let (need, facts) = match self.at_return.take(cpu.vcpu(), c.thread.task) {
            Some((need, facts)) => (Some(need), facts),
            None => (None, None),
        };
        if !self.started.load(Ordering::Relaxed) && !self.started.swap(true, Ordering::Relaxed) {
            self.list(cpu, layout, c.thread.task, WALK_START, c.ts, bus);
        } else if let Some(every) = self.list_every_ns
            && c.ts.saturating_sub(self.last_list.load(Ordering::Relaxed)) >= every
        {
            self.list(cpu, layout, c.thread.task, WALK_PERIODIC, c.ts, bus);
        }
        // Calls flushed when tracing stops come without a guest to read: nothing to learn from them.
        if c.end != CallEnd::Unfinished
            && !self.discover(c, cpu, layout, pid, tid, facts.as_ref(), bus)
        {
            return;
        }
        if c.end != CallEnd::Unfinished && need.is_some_and(|n| n.mm) {
            self.refresh(c, cpu, layout, facts.as_ref(), pid, tid);
        }
        let ret = c.ret.unwrap_or(-1);
        match (c.name.as_str(), c.end) {
            ("fork" | "vfork" | "clone" | "clone3", CallEnd::Returned) if ret > 0 => {
                self.created(c, cpu, pid, ret as u32, bus);
            }
            ("execve" | "execveat", CallEnd::Returned) if ret == 0 => {
                self.exec(c, cpu, layout, pid, facts.and_then(|f| f.exec), bus);
            }
            ("exit_group", CallEnd::NoReturn) => self.exit_group(c, pid, tid, bus),
            ("exit", CallEnd::NoReturn) => self.thread_exit(c, pid, tid, bus),
            ("wait4" | "waitpid", CallEnd::Returned) if ret > 0 => {
                let status = c
                    .raw
                    .get(1)
                    .copied()
                    .filter(|&p| p != 0)
                    .and_then(|p| cpu.read_u32(p))
                    .map(WaitStatus::from_raw);
                self.reaped(c, pid, ret as u32, status, bus);
            }
            ("waitid", CallEnd::Returned) if ret == 0 => {
                let info = c
                    .raw
                    .get(2)
                    .copied()
                    .filter(|&p| p != 0)
                    .and_then(|p| lp::read_waitid_info(cpu, c.abi, p));
                if let Some(info) = info {
                    self.reaped(c, pid, info.pid, info.status, bus);
                }
            }
            _ => {}
        }
    }

    /// A call by a process or thread not known yet: announce it (its creator's call has not returned
    /// yet, or it was missed). `false` when the call is stale: the thread object now belongs to
    /// another thread (a dead thread's call matched with the first return of a task reusing its
    /// `task_struct`), and nothing is to be learnt from it.
    ///
    /// `facts`: what was read at the page-table switch before the return, for when the kernel cannot
    /// be read here (KPTI).
    #[allow(clippy::too_many_arguments, reason = "one call's whole context")]
    fn discover(
        &self,
        c: &SyscallEvent,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        pid: u32,
        tid: u32,
        facts: Option<&Facts>,
        bus: &mut Bus,
    ) -> bool {
        let known = |p: &Proc| {
            p.exited
                .is_none_or(|at| c.ts < at.saturating_add(PID_REUSE_AFTER_NS))
        };
        if self.table_view(pid, tid, c.ts).0 {
            return true;
        }
        let now = match task::read_task_ident(cpu, c.thread.task, layout) {
            Some(i) => Some((i.pid, i.tid)),
            None => facts.and_then(|f| f.pid.zip(f.tid)),
        };
        if now.is_some_and(|ids| ids != (pid, tid)) {
            return false;
        }
        let ppid = lp::parent_pid(cpu, c.thread.task, layout).or(facts.and_then(|f| f.ppid));
        let comm = c
            .thread
            .comm
            .as_deref()
            .map(str::to_string)
            .unwrap_or_default();
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        match table.get_mut(&pid).filter(|p| known(p)) {
            Some(p) if p.threads.contains(&tid) => {}
            Some(p) => {
                p.threads.insert(tid);
                let mut e = ProcessEvent::new(
                    c.ts,
                    c.vcpu,
                    ProcessOp::ThreadStart,
                    pid,
                    tid,
                    Seen::FirstCall,
                );
                e.comm = Some(comm);
                drop(table);
                bus.publish(Event::Process(e));
            }
            None => {
                if table.len() >= MAX_TABLE {
                    evict_exited(&mut table);
                }
                table.insert(
                    pid,
                    Proc {
                        ppid,
                        comm: comm.clone(),
                        threads: [pid, tid].into_iter().collect(),
                        ..Proc::default()
                    },
                );
                drop(table);
                if let Some(f) = &self.follow {
                    f.born(pid, ppid, &comm);
                }
                let mut e =
                    ProcessEvent::new(c.ts, c.vcpu, ProcessOp::Fork, pid, pid, Seen::FirstCall);
                e.ppid = ppid;
                e.comm = Some(comm);
                bus.publish(Event::Process(e));
            }
        }
        true
    }

    /// `fork`/`vfork`/`clone`/`clone3` returned `child` in the creator.
    fn created(
        &self,
        c: &SyscallEvent,
        cpu: &mut dyn GuestCpu,
        pid: u32,
        child: u32,
        bus: &mut Bus,
    ) {
        let Some(flags) = lp::clone_flags(cpu, &c.name, &c.raw) else {
            // clone_args unreadable: the child is announced at its first call.
            return;
        };
        let comm = c.thread.comm.as_deref().map(str::to_string);
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        if flags & lp::CLONE_THREAD != 0 {
            let p = table.entry(pid).or_default();
            if p.ended.contains(&child) || !p.threads.insert(child) {
                return;
            }
            drop(table);
            let mut e =
                ProcessEvent::new(c.ts, c.vcpu, ProcessOp::ThreadStart, pid, child, Seen::Call);
            e.comm = comm;
            e.syscall = Some(c.name.to_string());
            bus.publish(Event::Process(e));
            return;
        }
        let ppid = if flags & lp::CLONE_PARENT != 0 {
            table.get(&pid).and_then(|p| p.ppid)
        } else {
            Some(pid)
        };
        let fresh = table.get(&child).is_none_or(|p| {
            p.exited
                .is_some_and(|at| c.ts >= at.saturating_add(PID_REUSE_AFTER_NS))
        });
        if !fresh {
            return;
        }
        if table.len() >= MAX_TABLE {
            evict_exited(&mut table);
        }
        table.insert(
            child,
            Proc {
                ppid,
                comm: comm.clone().unwrap_or_default(),
                threads: [child].into_iter().collect(),
                ..Proc::default()
            },
        );
        drop(table);
        if let Some(f) = &self.follow {
            f.born(child, ppid, comm.as_deref().unwrap_or(""));
        }
        let mut e = ProcessEvent::new(c.ts, c.vcpu, ProcessOp::Fork, child, child, Seen::Call);
        e.ppid = ppid;
        e.comm = comm;
        e.syscall = Some(c.name.to_string());
        bus.publish(Event::Process(e));
    }

    /// The kernel's account of `task` right after an exec: `None` when the kernel cannot be read here.
    /// `abi` is the new image's when known (at the return); at a page-table switch it is not, and
    /// `AT_EXECFN` is read both ways.
    fn read_exec(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        task: u64,
        abi: Option<Abi>,
    ) -> Option<ExecFacts> {
        let ident = task::read_task_ident(cpu, task, layout)?;
        let mut f = ExecFacts {
            pid: ident.pid,
            tid: ident.tid,
            comm: ident.comm_lossy(),
            ppid: lp::parent_pid(cpu, task, layout),
            argv: lp::read_cmdline(cpu, task, layout),
            ..ExecFacts::default()
        };
        // The image's own ABI first; the other only when that finds nothing or the ABI is unknown.
        if abi != Some(Abi::I386) {
            f.execfn64 = lp::read_execfn(cpu, task, layout, Abi::X86_64);
        }
        if abi.is_none() || f.execfn64.is_none() {
            f.execfn32 = lp::read_execfn(cpu, task, layout, Abi::I386);
        }
        if abi == Some(Abi::I386) && f.execfn32.is_none() {
            f.execfn64 = lp::read_execfn(cpu, task, layout, Abi::X86_64);
        }
        // The kernel's own name for the program file (symlinks resolved), and the working directory
        // for a file name given relative.
        if let Some(v) = self.vfs.as_deref() {
            f.path = lp::exe_file(cpu, task, layout).and_then(|file| vfs::file_name(cpu, v, file));
            let absolute = [&f.execfn64, &f.execfn32]
                .into_iter()
                .flatten()
                .any(|n| n.starts_with('/'));
            if !absolute {
                f.cwd = vfs::task_cwd(cpu, v, task);
            }
        }
        Some(f)
    }

    /// A successful exec, seen at its return: the guest now holds the new image. What the kernel
    /// says is read here, or comes from `captured` (read at the page-table switch before the return)
    /// where the kernel is not mapped (KPTI).
    fn exec(
        &self,
        c: &SyscallEvent,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        pid: u32,
        captured: Option<ExecFacts>,
        bus: &mut Bus,
    ) {
        let t = c.thread.task;
        let abi = new_image_abi(cpu).unwrap_or(c.abi);
        let other = match abi {
            Abi::X86_64 => Abi::I386,
            Abi::I386 => Abi::X86_64,
        };
        let f = self.read_exec(cpu, layout, t, Some(abi)).or(captured);
        // The exec'ing thread may have taken over the leader's id; the comm is the new program's.
        let (pid, tid) = f.as_ref().map_or((pid, pid), |f| (f.pid, f.tid));
        let comm = f
            .as_ref()
            .map(|f| f.comm.clone())
            .or_else(|| c.thread.comm.as_deref().map(str::to_string));
        let argv = f.as_ref().and_then(|f| f.argv.clone());
        let given = match c.name.as_str() {
            "execveat" => c.args.get(1),
            _ => c.args.first(),
        };
        let mut filename = f
            .as_ref()
            .and_then(|f| f.execfn(abi).or_else(|| f.execfn(other)))
            .or_else(|| given.and_then(|a| unquote(a)));
        // The file name as given, made absolute with the working directory.
        if let Some(name) = filename.as_deref()
            && !name.starts_with('/')
            && c.name == "execve"
            && let Some(cwd) = f.as_ref().and_then(|f| f.cwd.as_deref())
        {
            filename = Some(join_path(cwd, name));
        }
        let path = f
            .as_ref()
            .and_then(|f| f.path.clone())
            .or_else(|| filename.clone());
        let ppid = {
            let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
            let p = table.entry(pid).or_default();
            p.comm = comm.clone().unwrap_or_default();
            p.path = path.clone();
            p.argv = argv.clone();
            p.threads = [tid].into_iter().collect();
            p.exited = None;
            if p.ppid.is_none() {
                p.ppid = f.as_ref().and_then(|f| f.ppid);
            }
            p.ppid
        };
        if let (Some(f), Some(comm)) = (&self.follow, &comm) {
            f.renamed(pid, comm);
        }
        let mut e = ProcessEvent::new(c.ts, c.vcpu, ProcessOp::Exec, pid, tid, Seen::Call);
        e.ppid = ppid;
        e.comm = comm;
        e.path = path;
        e.filename = filename;
        e.argv = argv;
        e.syscall = Some(c.name.to_string());
        bus.publish(Event::Process(e));
    }

    fn exit_group(&self, c: &SyscallEvent, pid: u32, tid: u32, bus: &mut Bus) {
        let code = i64::from(c.raw.first().copied().unwrap_or(0) as u8);
        let ppid = {
            let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
            let p = table.entry(pid).or_default();
            if p.exited.is_some() {
                return;
            }
            p.exited = Some(c.ts);
            p.ppid
        };
        let mut e = ProcessEvent::new(c.ts, c.vcpu, ProcessOp::Exit, pid, tid, Seen::Call);
        e.ppid = ppid;
        e.comm = c.thread.comm.as_deref().map(str::to_string);
        e.code = Some(code);
        e.syscall = Some(c.name.to_string());
        bus.publish(Event::Process(e));
    }

    fn thread_exit(&self, c: &SyscallEvent, pid: u32, tid: u32, bus: &mut Bus) {
        let code = i64::from(c.raw.first().copied().unwrap_or(0) as u8);
        let (last, ppid) = {
            let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
            let p = table.entry(pid).or_default();
            p.threads.remove(&tid);
            p.ended.insert(tid);
            while p.ended.len() > MAX_ENDED_THREADS {
                p.ended.pop_first();
            }
            let last = p.threads.is_empty() && p.exited.is_none();
            if last {
                p.exited = Some(c.ts);
            }
            (last, p.ppid)
        };
        let mut e = ProcessEvent::new(c.ts, c.vcpu, ProcessOp::ThreadExit, pid, tid, Seen::Call);
        e.comm = c.thread.comm.as_deref().map(str::to_string);
        e.code = Some(code);
        e.syscall = Some(c.name.to_string());
        bus.publish(Event::Process(e.clone()));
        if last {
            e.op = ProcessOp::Exit;
            e.ppid = ppid;
            bus.publish(Event::Process(e));
        }
    }

    /// A parent reaped `child`: its exit, if no exit call announced it (killed by a signal).
    fn reaped(
        &self,
        c: &SyscallEvent,
        parent: u32,
        child: u32,
        status: Option<WaitStatus>,
        bus: &mut Bus,
    ) {
        let (code, signal, core) = match status {
            Some(WaitStatus::Exited(code)) => (Some(i64::from(code)), None, None),
            Some(WaitStatus::Signaled { signal, core }) => {
                (None, Some(lp::signal_name(signal)), Some(core))
            }
            // A stop or continue is not an end; an unreadable status says nothing.
            Some(WaitStatus::Stopped(_) | WaitStatus::Continued) => return,
            None => (None, None, None),
        };
        let old = self
            .table
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&child);
        if old.as_ref().is_some_and(|p| p.exited.is_some()) {
            return;
        }
        let mut e = ProcessEvent::new(c.ts, c.vcpu, ProcessOp::Exit, child, child, Seen::Wait);
        e.ppid = Some(parent);
        e.comm = old.map(|p| p.comm);
        e.code = code;
        e.signal = signal;
        e.core_dumped = core;
        e.syscall = Some(c.name.to_string());
        bus.publish(Event::Process(e));
    }

    /// At a kernel entry: the first call seen gets the start list, the guest's `reboot` call a last
    /// one while the guest can be read; and what the call will want from the kernel at its return is
    /// noted, to be read at the page-table switch before it if the kernel is not mapped there (KPTI).
    fn on_entry(&self, cpu: &mut dyn GuestCpu, hook: &Hook, kind: EntryKind, bus: &mut Bus) {
        let Some(layout) = self.layout.as_deref() else {
            return;
        };
        let Some(thread) = hook.thread.as_ref().filter(|t| t.task != 0) else {
            return;
        };
        let task = thread.task;
        if !self.started.load(Ordering::Relaxed) && !self.started.swap(true, Ordering::Relaxed) {
            self.list(cpu, layout, task, WALK_START, hook.ts, bus);
        }
        let Some((abi, nr)) = crate::syscalls::entering_call(cpu, kind) else {
            return;
        };
        let name = syscalls::lookup(abi, nr).map(|d| d.name);
        if name == Some("reboot") {
            if !self.shutdown_listed.swap(true, Ordering::Relaxed) {
                self.shutdown_ts.store(hook.ts, Ordering::Relaxed);
                self.list(cpu, layout, task, WALK_SHUTDOWN, hook.ts, bus);
            }
            return;
        }
        let (known, no_mm) = match (thread.pid, thread.tid) {
            (Some(pid), Some(tid)) => self.table_view(pid, tid, hook.ts),
            _ => (true, false),
        };
        let need = Need {
            exec_from: matches!(name, Some("execve" | "execveat")).then_some(thread.asid),
            parent: !known,
            mm: no_mm,
        };
        if need.exec_from.is_some() || need.parent || need.mm {
            self.at_return.note(task, need);
        }
    }

    /// At a page-table switch: walks the lists that had to wait, and reads what a call of the current
    /// thread noted it will want at its return. Only when something waits: with KPTI this runs before
    /// every return to user mode. On the way into the kernel the old tables are the user's, the kernel
    /// cannot be read and nothing is done (the context module then names the thread it remembers).
    fn on_switch(&self, cpu: &mut dyn GuestCpu, hook: &Hook, bus: &mut Bus) {
        if self.deferred.load(Ordering::Relaxed) == 0 && self.at_return.is_idle() {
            return;
        }
        let Some(layout) = self.layout.as_deref() else {
            return;
        };
        let Some(t) = hook.thread.as_ref().filter(|t| t.task != 0) else {
            return;
        };
        if t.tid.is_none() || cpu.read_u32(t.task.wrapping_add(layout.task.pid)) != t.tid {
            return;
        }
        if self.deferred.load(Ordering::Relaxed) != 0 {
            let bits = self.deferred.swap(0, Ordering::Relaxed);
            for bit in [WALK_START, WALK_PERIODIC, WALK_SHUTDOWN] {
                if bits & bit != 0 {
                    self.walk(cpu, layout, t.task, walk_name(bit), hook.ts, bus);
                }
            }
        }
        let vcpu = cpu.vcpu();
        self.at_return.capture(vcpu, t.task, |need| {
            self.facts_at_switch(cpu, layout, t, *need)
        });
    }

    fn facts_at_switch(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        t: &ThreadCtx,
        need: Need,
    ) -> Facts {
        let mut f = Facts {
            pid: t.pid,
            tid: t.tid,
            ..Facts::default()
        };
        if need.parent {
            f.ppid = lp::parent_pid(cpu, t.task, layout);
        }
        if need.mm {
            f.mm = lp::task_mm(cpu, t.task, layout);
        }
        // A successful exec returns in a new address space; a failed one has nothing to read. Earlier
        // switches during the exec may see it half done: the last one before the return wins.
        if need.exec_from.is_some_and(|from| from != t.asid) {
            f.exec = self.read_exec(cpu, layout, t.task, None);
        }
        f
    }
}

/// The ABI of the image an exec returns to, from the code segment in the `iretq` frame the kernel is
/// about to use (`None` when the frame does not look like one).
fn new_image_abi(cpu: &mut dyn GuestCpu) -> Option<Abi> {
    let sp = cpu.reg(RSP)?;
    match cpu.read_u64(sp.checked_add(8)?)? {
        0x33 => Some(Abi::X86_64),
        cs if cs == USER32_CS => Some(Abi::I386),
        _ => None,
    }
}

/// `dir` and a relative `name` joined, `.` and `..` components folded (as the kernel would resolve them
/// without symlinks).
pub fn join_path(dir: &str, name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for comp in dir.split('/').chain(name.split('/')) {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Drops the exited processes, oldest exit first, until the table is below its bound.
fn evict_exited(table: &mut HashMap<u32, Proc>) {
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

fn sorted_by_pid(procs: &[lp::ProcessInfo]) -> Vec<&lp::ProcessInfo> {
    let mut v: Vec<&lp::ProcessInfo> = procs.iter().collect();
    v.sort_by_key(|p| p.leader.pid);
    v
}

fn list_from_table(
    table: &HashMap<u32, Proc>,
    ts: u64,
    when: &'static str,
    source: &'static str,
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

/// The string inside a strace-style quoted argument (`"/bin/sh"`, with `\n`, `\"`, `\\`, `\xNN`, octal
/// escapes); `None` for anything else (a pointer rendered as hex, a cut string).
pub fn unquote(arg: &str) -> Option<String> {
    let inner = arg.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::with_capacity(inner.len());
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let e = *b.get(i + 1)?;
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'v' => out.push(0x0b),
            b'f' => out.push(0x0c),
            b'x' => {
                let h = inner.get(i..i + 2)?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 2;
            }
            b'0'..=b'7' => {
                let mut v: u32 = u32::from(e - b'0');
                let mut n = 1;
                while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push(u8::try_from(v).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

impl Module for Processes {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn depends(&self) -> &[&str] {
        &[Context::NAME, Syscalls::NAME]
    }

    fn interest(&self) -> Interest {
        Interest {
            // Entries for the start and `reboot` lists and to note what a call's return will want.
            entries: true,
            exits: false,
            // The last point before a return where the kernel is mapped (KPTI).
            page_table_switches: self.layout.is_some(),
            events: EventMask::NONE.with(EventKind::Syscall),
        }
    }

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, bus: &mut Bus) {
        match hook.point {
            HookPoint::Entry(kind) if !self.shutdown_listed.load(Ordering::Relaxed) => {
                self.on_entry(cpu, hook, kind, bus);
            }
            HookPoint::PageTableSwitch => self.on_switch(cpu, hook, bus),
            _ => {}
        }
    }

    fn on_event(&self, event: &Event, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        if let Event::Syscall(c) = event {
            self.on_call(c, cpu, bus);
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        if self.layout.is_none() || !self.started.load(Ordering::Relaxed) {
            return;
        }
        let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
        // A shutdown list the kernel could not be read for (KPTI, and no page-table switch came after
        // the `reboot` call): the table as the events left it.
        let shutdown = (self.deferred.load(Ordering::Relaxed) & WALK_SHUTDOWN != 0).then(|| {
            let ts = self.shutdown_ts.load(Ordering::Relaxed);
            list_from_table(&table, ts, "shutdown", "events", true)
        });
        let list = list_from_table(&table, vmscope_core::clock::now_ns(), "end", "events", true);
        drop(table);
        if let Some(l) = shutdown {
            bus.publish(Event::ProcessList(l));
        }
        bus.publish(Event::ProcessList(list));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use vmscope_core::arch::x86_64::{CS, RAX};
    use vmscope_core::guest::TestGuest;

    use crate::test_support::layout;

    const T: u64 = 0xffff_8880_0100_0000;
    const MM: u64 = 0xffff_8880_0800_0000;

    fn t(i: u64) -> u64 {
        T + i * 0x1000
    }

    /// Task 3 (pid 11, "wl", child of task 2) after an exec of /bin/wl with `args`: its mm holds the
    /// arguments and an auxiliary vector whose AT_EXECFN names the program.
    fn new_image(g: &mut TestGuest, args: &[u8]) {
        task(g, 3, 11, 11, "wl", t(2));
        g.write_u64(t(3) + 0x80, MM);
        g.write(0x7ffc_0000_0100, args);
        g.write_u64(MM + 0x100, 0x7ffc_0000_0100)
            .write_u64(MM + 0x108, 0x7ffc_0000_0100 + args.len() as u64);
        g.write(0x7ffc_0000_0200, b"/bin/wl\0");
        for (i, v) in [31u64, 0x7ffc_0000_0200, 0, 0].iter().enumerate() {
            g.write_u64(MM + 0x200 + 8 * i as u64, *v);
        }
    }

    /// Writes task `i` (pid, tid, comm, parent task) with an empty thread list.
    fn task(g: &mut TestGuest, i: u64, pid: u32, tid: u32, comm: &str, parent: u64) {
        let at = t(i);
        g.write_u32(at + 0x100, tid).write_u32(at + 0x104, pid);
        let mut c = comm.as_bytes().to_vec();
        c.resize(16, 0);
        g.write(at + 0x200, &c);
        g.write_u64(at + 0x110, parent).write_u64(at + 0x118, at);
        g.write_u64(at + 0x120, at + 0x120)
            .write_u64(at + 0x128, at + 0x120);
        g.write_u32(at + 0x18, 1);
    }

    /// init (task 1, pid 1) and a shell (task 2, pid 10) on the task list.
    fn guest() -> TestGuest {
        let mut g = TestGuest::new();
        task(&mut g, 1, 1, 1, "init", t(1));
        task(&mut g, 2, 10, 10, "sh", t(1));
        let (a, b) = (t(1) + 0x40, t(2) + 0x40);
        g.write_u64(a, b).write_u64(a + 8, b);
        g.write_u64(b, a).write_u64(b + 8, a);
        g
    }

    fn call(name: &str, pid: u32, tid: u32, task: u64, raw: [u64; 6], ret: Option<i64>) -> Event {
        Event::Syscall(SyscallEvent {
            ts: 1_000,
            ts_exit: ret.map(|_| 2_000),
            vcpu: 0,
            thread: vmscope_core::event::ThreadCtx {
                pid: Some(pid),
                tid: Some(tid),
                comm: Some("sh".into()),
                task,
                asid: 0,
            },
            abi: Abi::X86_64,
            entry: EntryKind::Syscall,
            nr: 0,
            name: name.into(),
            args: vec![],
            raw: {
                let mut r = [0u64; 6];
                r[..raw.len().min(6)].copy_from_slice(&raw[..raw.len().min(6)]);
                r
            },
            ret,
            ret_text: Default::default(),
            end: if ret.is_some() {
                CallEnd::Returned
            } else {
                CallEnd::NoReturn
            },
        })
    }

    fn feed(m: &Processes, g: &mut TestGuest, ev: &Event) -> Vec<Event> {
        let mut bus = Bus::default();
        m.on_event(ev, g, &mut bus);
        bus.take()
    }

    fn procs(ev: &[Event]) -> Vec<&ProcessEvent> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Process(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    fn module() -> Processes {
        Processes::new(Some(Arc::new(layout())), None, None, None)
    }

    #[test]
    fn fork_exec_exit_and_a_kill_seen_at_wait() {
        let m = module();
        let mut g = guest();
        // The shell forks 11: the first event also lists the processes.
        let ev = feed(
            &m,
            &mut g,
            &call("clone", 10, 10, t(2), [0x11, 0, 0, 0, 0, 0], Some(11)),
        );
        let Some(Event::ProcessList(list)) = ev.first() else {
            panic!("no list first: {ev:?}");
        };
        assert_eq!((list.when, list.complete), ("start", true));
        let pids: Vec<(u32, Option<u32>)> =
            list.processes.iter().map(|p| (p.pid, p.ppid)).collect();
        assert_eq!(pids, vec![(1, Some(1)), (10, Some(1))]);
        let p = procs(&ev);
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].op, p[0].pid, p[0].ppid),
            (ProcessOp::Fork, Some(11), Some(10))
        );
        assert_eq!(p[0].seen, Seen::Call);
        // 11 execs /bin/wl with arguments: read from the new image.
        new_image(&mut g, b"wl\0-v\0two words\0");
        let ev = feed(&m, &mut g, &call("execve", 11, 11, t(3), [0; 6], Some(0)));
        let p = procs(&ev);
        assert_eq!(p.len(), 1, "{ev:?}");
        assert_eq!(p[0].op, ProcessOp::Exec);
        assert_eq!(p[0].comm.as_deref(), Some("wl"));
        assert_eq!(p[0].path.as_deref(), Some("/bin/wl"));
        assert_eq!(
            p[0].argv.as_deref(),
            Some(&["wl".to_string(), "-v".into(), "two words".into()][..])
        );
        // exit_group(42 + 256): the parent sees 42.
        let ev = feed(
            &m,
            &mut g,
            &call("exit_group", 11, 11, t(3), [298, 0, 0, 0, 0, 0], None),
        );
        let p = procs(&ev);
        assert_eq!((p[0].op, p[0].code), (ProcessOp::Exit, Some(42)));
        // The wait that reaps it adds nothing.
        g.write_u32(0x7ffc_0000_0300, 42 << 8);
        let ev = feed(
            &m,
            &mut g,
            &call(
                "wait4",
                10,
                10,
                t(2),
                [11, 0x7ffc_0000_0300, 0, 0, 0, 0],
                Some(11),
            ),
        );
        assert!(procs(&ev).is_empty(), "{ev:?}");
        // 12 is forked and killed: its end is learnt from the wait status.
        feed(&m, &mut g, &call("fork", 10, 10, t(2), [0; 6], Some(12)));
        g.write_u32(0x7ffc_0000_0300, 9);
        let ev = feed(
            &m,
            &mut g,
            &call(
                "wait4",
                10,
                10,
                t(2),
                [12, 0x7ffc_0000_0300, 0, 0, 0, 0],
                Some(12),
            ),
        );
        let p = procs(&ev);
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].op, p[0].pid, p[0].ppid),
            (ProcessOp::Exit, Some(12), Some(10))
        );
        assert_eq!(p[0].signal.as_deref(), Some("SIGKILL"));
        assert_eq!(p[0].seen, Seen::Wait);
        // At the end the list holds init and the shell only.
        let mut bus = Bus::default();
        m.on_stop(&mut bus);
        let Some(Event::ProcessList(end)) = bus.events().first() else {
            panic!("no end list");
        };
        let pids: Vec<u32> = end.processes.iter().map(|p| p.pid).collect();
        assert_eq!((end.source, pids), ("events", vec![1, 10]));
    }

    #[test]
    fn a_thread_that_ended_before_its_creators_clone_returned_is_announced_once() {
        let m = module();
        let mut g = guest();
        feed(&m, &mut g, &call("getpid", 10, 10, t(2), [0; 6], Some(10)));
        // Thread 13 starts, runs and exits on another vCPU before clone3 returns in its creator.
        task(&mut g, 4, 10, 13, "sh", t(1));
        let ev = feed(&m, &mut g, &call("getpid", 10, 13, t(4), [0; 6], Some(10)));
        assert_eq!(procs(&ev)[0].op, ProcessOp::ThreadStart);
        let ev = feed(&m, &mut g, &call("exit", 10, 13, t(4), [0; 6], None));
        assert_eq!(procs(&ev)[0].op, ProcessOp::ThreadExit);
        g.write_u64(0x7ffc_0000_0400, lp::CLONE_THREAD | lp::CLONE_VM);
        let ev = feed(
            &m,
            &mut g,
            &call(
                "clone3",
                10,
                10,
                t(2),
                [0x7ffc_0000_0400, 88, 0, 0, 0, 0],
                Some(13),
            ),
        );
        assert!(
            procs(&ev).is_empty(),
            "announced again after its exit: {ev:?}"
        );
    }

    #[test]
    fn first_calls_announce_children_and_threads_once() {
        let m = module();
        let mut g = guest();
        feed(&m, &mut g, &call("getpid", 10, 10, t(2), [0; 6], Some(10)));
        // Thread 13 of the shell calls before clone3 returns in its creator.
        task(&mut g, 4, 10, 13, "sh", t(1));
        let ev = feed(&m, &mut g, &call("getpid", 10, 13, t(4), [0; 6], Some(10)));
        let p = procs(&ev);
        assert_eq!(
            (p[0].op, p[0].tid, p[0].seen),
            (ProcessOp::ThreadStart, Some(13), Seen::FirstCall)
        );
        g.write_u64(0x7ffc_0000_0400, lp::CLONE_THREAD | lp::CLONE_VM);
        let ev = feed(
            &m,
            &mut g,
            &call(
                "clone3",
                10,
                10,
                t(2),
                [0x7ffc_0000_0400, 88, 0, 0, 0, 0],
                Some(13),
            ),
        );
        assert!(procs(&ev).is_empty(), "announced twice: {ev:?}");
        // A clone3 whose arguments say CLONE_THREAD announces a thread.
        let ev = feed(
            &m,
            &mut g,
            &call(
                "clone3",
                10,
                10,
                t(2),
                [0x7ffc_0000_0400, 88, 0, 0, 0, 0],
                Some(16),
            ),
        );
        assert_eq!(procs(&ev)[0].op, ProcessOp::ThreadStart);
        // Child 14's first call comes before its parent's fork returns: its parent is the kernel's.
        task(&mut g, 5, 14, 14, "sh", t(2));
        let ev = feed(&m, &mut g, &call("getpid", 14, 14, t(5), [0; 6], Some(14)));
        let p = procs(&ev);
        assert_eq!(
            (p[0].op, p[0].ppid, p[0].seen),
            (ProcessOp::Fork, Some(10), Seen::FirstCall)
        );
        let ev = feed(&m, &mut g, &call("fork", 10, 10, t(2), [0; 6], Some(14)));
        assert!(procs(&ev).is_empty(), "announced twice: {ev:?}");
        // Thread 13 exits: a thread exit, not the process's.
        let ev = feed(&m, &mut g, &call("exit", 10, 13, t(4), [0; 6], None));
        let p = procs(&ev);
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].op, p[0].tid), (ProcessOp::ThreadExit, Some(13)));
        // A stale call (the task object now belongs to another thread) teaches nothing.
        task(&mut g, 6, 30, 30, "other", t(1));
        let ev = feed(&m, &mut g, &call("getpid", 20, 20, t(6), [0; 6], Some(20)));
        assert!(procs(&ev).is_empty(), "{ev:?}");
    }

    #[derive(Default)]
    struct VecSink(Mutex<Vec<Event>>);
    impl Sink for VecSink {
        fn emit(&self, event: Event) {
            self.0.lock().unwrap().push(event);
        }
    }

    #[test]
    fn the_filter_follows_a_command_name_and_its_descendants() {
        let follow = Arc::new(Follow::new(vec![], vec!["wl".into()]));
        let m = Processes::new(Some(Arc::new(layout())), None, Some(follow.clone()), None);
        let inner = Arc::new(VecSink::default());
        let sink = FilterSink::new(inner.clone(), follow);
        let mut g = guest();
        let run = |g: &mut TestGuest, ev: Event| {
            for e in feed(&m, g, &ev) {
                sink.emit(e);
            }
            sink.emit(ev);
        };
        run(
            &mut g,
            call("clone", 10, 10, t(2), [0x11, 0, 0, 0, 0, 0], Some(11)),
        );
        run(&mut g, call("getpid", 11, 11, t(3), [0; 6], Some(11)));
        task(&mut g, 3, 11, 11, "wl", t(2));
        run(&mut g, call("execve", 11, 11, t(3), [0; 6], Some(0)));
        run(
            &mut g,
            call("clone", 11, 11, t(3), [0x11, 0, 0, 0, 0, 0], Some(12)),
        );
        task(&mut g, 7, 12, 12, "wl", t(3));
        run(&mut g, call("getpid", 12, 12, t(7), [0; 6], Some(12)));
        run(&mut g, call("getpid", 10, 10, t(2), [0; 6], Some(10)));
        let out = inner.0.lock().unwrap();
        let mut kept = Vec::new();
        for e in out.iter() {
            match e {
                Event::Syscall(s) => kept.push((s.name.to_string(), s.thread.pid)),
                Event::Process(p) => kept.push((format!("{:?}", p.op), p.pid)),
                Event::ProcessList(l) => assert!(l.processes.is_empty(), "{l:?}"),
                _ => {}
            }
        }
        assert_eq!(
            kept,
            vec![
                ("Exec".to_string(), Some(11)),
                ("execve".into(), Some(11)),
                ("Fork".into(), Some(12)),
                ("clone".into(), Some(11)),
                ("getpid".into(), Some(12)),
            ]
        );
    }

    // ---- KPTI: the kernel is mapped at page-table switches, not at entries and returns ----

    /// What the vCPU sees on the user page tables (KPTI at an entry or a return): user memory only.
    fn user_view(g: &TestGuest) -> TestGuest {
        let mut u = g.clone();
        u.pages.retain(|a, _| *a < 1 << 47);
        u
    }

    fn at(point: HookPoint, thread: vmscope_core::event::ThreadCtx) -> Hook {
        Hook {
            ts: 1_000,
            vcpu: 0,
            pc: 0x40_1000,
            len: 2,
            point,
            to_user: None,
            thread: Some(thread),
        }
    }

    fn thread(pid: u32, tid: u32, comm: &str, task: u64, asid: u64) -> ThreadCtx {
        ThreadCtx {
            pid: Some(pid),
            tid: Some(tid),
            comm: Some(comm.into()),
            task,
            asid,
        }
    }

    fn hook_on(m: &Processes, g: &mut TestGuest, mut h: Hook) -> Vec<Event> {
        let mut bus = Bus::default();
        m.on_hook(g, &mut h, &mut bus);
        bus.take()
    }

    /// A call entering by `syscall` with number `nr`, seen on the user page tables.
    fn enter(m: &Processes, g: &TestGuest, nr: u64, t: ThreadCtx) -> Vec<Event> {
        let mut u = user_view(g);
        u.set_reg(RAX, nr).set_reg(CS, 0x33);
        hook_on(m, &mut u, at(HookPoint::Entry(EntryKind::Syscall), t))
    }

    #[test]
    fn with_kpti_lists_wait_for_a_switch_where_the_kernel_is_mapped() {
        let m = module();
        assert!(m.interest().page_table_switches);
        let g = guest();
        let sh = thread(10, 10, "sh", t(2), 0x1000);
        // The first call enters on the user tables: the start list cannot be walked there.
        assert!(enter(&m, &g, 39, sh.clone()).is_empty());
        // The switch into the kernel runs on the user tables too: nothing.
        assert!(
            hook_on(
                &m,
                &mut user_view(&g),
                at(HookPoint::PageTableSwitch, sh.clone())
            )
            .is_empty()
        );
        // The switch back, on the kernel's tables: the start list.
        let ev = hook_on(
            &m,
            &mut g.clone(),
            at(HookPoint::PageTableSwitch, sh.clone()),
        );
        let Some(Event::ProcessList(l)) = ev.first() else {
            panic!("no list at the switch: {ev:?}");
        };
        assert_eq!(
            (l.when, l.source, l.complete, l.processes.len()),
            ("start", "kernel", true, 2)
        );
        // The guest's reboot call: no switch follows it; the list is the table, at the end.
        assert!(enter(&m, &g, 169, sh).is_empty());
        let mut bus = Bus::default();
        m.on_stop(&mut bus);
        let lists: Vec<(&str, &str)> = bus
            .events()
            .iter()
            .filter_map(|e| match e {
                Event::ProcessList(l) => Some((l.when, l.source)),
                _ => None,
            })
            .collect();
        assert_eq!(lists, vec![("shutdown", "events"), ("end", "events")]);
    }

    #[test]
    fn with_kpti_exec_details_are_read_at_the_switch_before_the_return() {
        let m = module();
        let mut g = guest();
        feed(&m, &mut g, &call("getpid", 10, 10, t(2), [0; 6], Some(10)));
        feed(
            &m,
            &mut g,
            &call("clone", 10, 10, t(2), [0x11, 0, 0, 0, 0, 0], Some(11)),
        );
        // 11 calls execve (59) on the user tables of the shell's copy (address space 0x1000).
        let before = thread(11, 11, "sh", t(3), 0x1000);
        task(&mut g, 3, 11, 11, "sh", t(2));
        enter(&m, &g, 59, before.clone());
        // A switch while the exec is half done (still the old address space) reads nothing of it.
        hook_on(
            &m,
            &mut g.clone(),
            at(HookPoint::PageTableSwitch, before.clone()),
        );
        // The new image: comm, mm with arguments and AT_EXECFN, a new address space (0x2000).
        new_image(&mut g, b"wl\0-v\0");
        let after = thread(11, 11, "wl", t(3), 0x2000);
        hook_on(&m, &mut g.clone(), at(HookPoint::PageTableSwitch, after));
        // The return, on the user tables: what the kernel says comes from the switch.
        let ev = feed(
            &m,
            &mut user_view(&g),
            &call("execve", 11, 11, t(3), [0; 6], Some(0)),
        );
        let p = procs(&ev);
        assert_eq!(p.len(), 1, "{ev:?}");
        assert_eq!(p[0].op, ProcessOp::Exec);
        assert_eq!(p[0].comm.as_deref(), Some("wl"));
        assert_eq!(p[0].path.as_deref(), Some("/bin/wl"));
        assert_eq!(p[0].ppid, Some(10));
        assert_eq!(
            p[0].argv.as_deref(),
            Some(&["wl".to_string(), "-v".into()][..])
        );
        assert!(m.at_return.is_idle(), "the note went with the event");
        // A failed exec returns in the caller's address space: nothing is read for it.
        enter(&m, &g, 59, thread(11, 11, "wl", t(3), 0x2000));
        hook_on(
            &m,
            &mut TestGuest::new(),
            at(
                HookPoint::PageTableSwitch,
                thread(11, 11, "wl", t(3), 0x2000),
            ),
        );
        let ev = feed(
            &m,
            &mut user_view(&g),
            &call("execve", 11, 11, t(3), [0; 6], Some(-2)),
        );
        assert!(procs(&ev).is_empty());
        assert!(m.at_return.is_idle());
    }

    #[test]
    fn with_kpti_an_unknown_threads_parent_is_read_at_the_switch() {
        let m = module();
        let mut g = guest();
        feed(&m, &mut g, &call("getpid", 10, 10, t(2), [0; 6], Some(10)));
        // Child 14 makes its first call before the shell's fork returns.
        task(&mut g, 5, 14, 14, "sh", t(2));
        g.write_u64(t(5) + 0x80, MM + 0x1000);
        let child = thread(14, 14, "sh", t(5), 0x3000);
        enter(&m, &g, 39, child.clone());
        hook_on(&m, &mut g.clone(), at(HookPoint::PageTableSwitch, child));
        let ev = feed(
            &m,
            &mut user_view(&g),
            &call("getpid", 14, 14, t(5), [0; 6], Some(14)),
        );
        let p = procs(&ev);
        assert_eq!(
            (p[0].op, p[0].ppid, p[0].seen),
            (ProcessOp::Fork, Some(10), Seen::FirstCall)
        );
        // Known now, with its address space (read at the switch too): its next calls note nothing.
        enter(&m, &g, 39, thread(14, 14, "sh", t(5), 0x3000));
        assert!(m.at_return.is_idle());
        let mut bus = Bus::default();
        m.on_stop(&mut bus);
        let Some(Event::ProcessList(end)) = bus.events().first() else {
            panic!("no end list");
        };
        let child = end
            .processes
            .iter()
            .find(|p| p.pid == 14)
            .expect("child listed");
        assert_eq!(child.mm, Some(format!("{:#x}", MM + 0x1000)));
    }

    #[test]
    fn quoted_names_and_relative_paths() {
        assert_eq!(unquote("\"/bin/sh\"").as_deref(), Some("/bin/sh"));
        assert_eq!(
            unquote("\"a\\\"b\\\\c\\n\\x41\\101\"").as_deref(),
            Some("a\"b\\c\nAA")
        );
        assert_eq!(unquote("0x1234"), None);
        assert_eq!(unquote("\"cut\"..."), None);
        assert_eq!(join_path("/bin", "./wl"), "/bin/wl");
        assert_eq!(join_path("/usr/lib", "../bin/x"), "/usr/bin/x");
        assert_eq!(join_path("/", "../../x"), "/x");
    }
}
