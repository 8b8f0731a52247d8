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

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use vmscope_core::arch::EntryKind;
use vmscope_core::arch::x86_64::{CS, RAX, RSP, USER32_CS};
use vmscope_core::dispatch::Sink;
use vmscope_core::event::{
    Abi, CallEnd, Event, EventKind, EventMask, Notice, ProcessEntry, ProcessEvent, ProcessList,
    ProcessOp, Seen, SyscallEvent, ThreadEntry,
};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};
use vmscope_linux::btf::{KernelLayout, VfsLayout};
use vmscope_linux::process::{self as lp, WaitStatus};
use vmscope_linux::{syscalls, task, vfs};

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

/// The process monitor module.
pub struct Processes {
    layout: Option<Arc<KernelLayout>>,
    vfs: Option<Arc<VfsLayout>>,
    follow: Option<Arc<Follow>>,
    list_every_ns: Option<u64>,
    table: RwLock<HashMap<u32, Proc>>,
    started: AtomicBool,
    shutdown_listed: AtomicBool,
    last_list: AtomicU64,
    warned: AtomicBool,
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
            last_list: AtomicU64::new(0),
            warned: AtomicBool::new(false),
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
        if !self.started.swap(true, Ordering::Relaxed) {
            self.walk(cpu, layout, c.thread.task, "start", c.ts, bus);
        } else if let Some(every) = self.list_every_ns
            && c.ts.saturating_sub(self.last_list.load(Ordering::Relaxed)) >= every
        {
            self.walk(cpu, layout, c.thread.task, "periodic", c.ts, bus);
        }
        // Calls flushed when tracing stops come without a guest to read: nothing to learn from them.
        if c.end != CallEnd::Unfinished && !self.discover(c, cpu, layout, pid, tid, bus) {
            return;
        }
        let ret = c.ret.unwrap_or(-1);
        match (c.name.as_str(), c.end) {
            ("fork" | "vfork" | "clone" | "clone3", CallEnd::Returned) if ret > 0 => {
                self.created(c, cpu, pid, ret as u32, bus);
            }
            ("execve" | "execveat", CallEnd::Returned) if ret == 0 => {
                self.exec(c, cpu, layout, pid, bus);
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
    fn discover(
        &self,
        c: &SyscallEvent,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        pid: u32,
        tid: u32,
        bus: &mut Bus,
    ) -> bool {
        let known = |p: &Proc| {
            p.exited
                .is_none_or(|at| c.ts < at.saturating_add(PID_REUSE_AFTER_NS))
        };
        {
            let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
            if table
                .get(&pid)
                .is_some_and(|p| known(p) && p.threads.contains(&tid))
            {
                return true;
            }
        }
        if task::read_task_ident(cpu, c.thread.task, layout)
            .is_some_and(|i| (i.pid, i.tid) != (pid, tid))
        {
            return false;
        }
        let ppid = lp::parent_pid(cpu, c.thread.task, layout);
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

    /// A successful exec, seen at its return: the guest now holds the new image.
    fn exec(
        &self,
        c: &SyscallEvent,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        pid: u32,
        bus: &mut Bus,
    ) {
        let t = c.thread.task;
        // The exec'ing thread may have taken over the leader's id; the comm is the new program's.
        let ident = task::read_task_ident(cpu, t, layout);
        let (pid, tid) = ident.map_or((pid, pid), |i| (i.pid, i.tid));
        let comm = ident
            .map(|i| i.comm_lossy())
            .or_else(|| c.thread.comm.as_deref().map(str::to_string));
        let argv = lp::read_cmdline(cpu, t, layout);
        let abi = new_image_abi(cpu).unwrap_or(c.abi);
        let other = match abi {
            Abi::X86_64 => Abi::I386,
            Abi::I386 => Abi::X86_64,
        };
        let given = match c.name.as_str() {
            "execveat" => c.args.get(1),
            _ => c.args.first(),
        };
        let mut filename = lp::read_execfn(cpu, t, layout, abi)
            .or_else(|| lp::read_execfn(cpu, t, layout, other))
            .or_else(|| given.and_then(|a| unquote(a)));
        // The kernel's own name for the program file (symlinks resolved), and the file name as given
        // made absolute with the working directory.
        let mut path = None;
        if let Some(v) = self.vfs.as_deref() {
            path = lp::exe_file(cpu, t, layout).and_then(|f| vfs::file_name(cpu, v, f));
            if let Some(f) = filename.as_deref()
                && !f.starts_with('/')
                && c.name == "execve"
                && let Some(cwd) = vfs::task_cwd(cpu, v, t)
            {
                filename = Some(join_path(&cwd, f));
            }
        }
        let path = path.or_else(|| filename.clone());
        let ppid = {
            let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
            let p = table.entry(pid).or_default();
            p.comm = comm.clone().unwrap_or_default();
            p.path = path.clone();
            p.argv = argv.clone();
            p.threads = [tid].into_iter().collect();
            p.exited = None;
            if p.ppid.is_none() {
                p.ppid = lp::parent_pid(cpu, t, layout);
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

    /// At a kernel entry: the guest's `reboot` call gets a last walk while the guest can be read.
    fn on_entry(&self, cpu: &mut dyn GuestCpu, hook: &Hook, kind: EntryKind, bus: &mut Bus) {
        let Some(layout) = self.layout.as_deref() else {
            return;
        };
        let Some(task) = hook.thread.as_ref().map(|t| t.task).filter(|&t| t != 0) else {
            return;
        };
        let Some(ax) = cpu.reg(RAX) else { return };
        let abi = match kind {
            EntryKind::Syscall if cpu.reg(CS) != Some(USER32_CS) => Abi::X86_64,
            _ => Abi::I386,
        };
        let nr = match abi {
            Abi::X86_64 => ax,
            Abi::I386 => ax & 0xffff_ffff,
        };
        if syscalls::lookup(abi, nr).is_some_and(|d| d.name == "reboot")
            && !self.shutdown_listed.swap(true, Ordering::Relaxed)
        {
            self.walk(cpu, layout, task, "shutdown", hook.ts, bus);
        }
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
            // Entries only to catch the guest's `reboot` call (it never returns, so no event).
            entries: true,
            exits: false,
            page_table_switches: false,
            events: EventMask::NONE.with(EventKind::Syscall),
        }
    }

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, bus: &mut Bus) {
        if let HookPoint::Entry(kind) = hook.point
            && !self.shutdown_listed.load(Ordering::Relaxed)
        {
            self.on_entry(cpu, hook, kind, bus);
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
        let list = list_from_table(&table, vmscope_core::clock::now_ns(), "end", "events", true);
        drop(table);
        bus.publish(Event::ProcessList(list));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use vmscope_core::guest::TestGuest;
    use vmscope_linux::btf::{
        CurrentTaskVia, MmStructLayout, PerCpuLayout, ProcessLayout, StateField, TaskStructLayout,
    };

    fn layout() -> KernelLayout {
        KernelLayout {
            release: Some("test".into()),
            task: TaskStructLayout {
                pid: 0x100,
                tgid: 0x104,
                comm: 0x200,
                comm_len: 16,
                mm: Some(0x80),
                tasks: Some(0x40),
                real_parent: Some(0x110),
                group_leader: Some(0x118),
                thread_group: Some(0x120),
                flags: None,
                exit_code: None,
                exit_signal: None,
                state: Some(StateField {
                    offset: 0x18,
                    size: 4,
                }),
                files: None,
                fs: None,
            },
            mm: MmStructLayout { pgd: Some(0x10) },
            percpu: PerCpuLayout {
                current_task: 0,
                current_task_via: CurrentTaskVia::Standalone,
                this_cpu_off: 8,
                section_addr: 0,
            },
            process: ProcessLayout {
                mm_arg_start: Some(0x100),
                mm_arg_end: Some(0x108),
                mm_saved_auxv: Some(0x200),
                mm_saved_auxv_len: 8,
                mm_exe_file: None,
                task_signal: None,
                task_thread_node: None,
                signal_thread_head: None,
            },
            missing: vec![],
        }
    }

    const T: u64 = 0xffff_8880_0100_0000;
    const MM: u64 = 0xffff_8880_0800_0000;

    fn t(i: u64) -> u64 {
        T + i * 0x1000
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
        task(&mut g, 3, 11, 11, "wl", t(2));
        g.write_u64(t(3) + 0x80, MM);
        let args = b"wl\0-v\0two words\0";
        g.write(0x7ffc_0000_0100, args);
        g.write_u64(MM + 0x100, 0x7ffc_0000_0100)
            .write_u64(MM + 0x108, 0x7ffc_0000_0100 + args.len() as u64);
        g.write(0x7ffc_0000_0200, b"/bin/wl\0");
        for (i, v) in [31u64, 0x7ffc_0000_0200, 0, 0].iter().enumerate() {
            g.write_u64(MM + 0x200 + 8 * i as u64, *v);
        }
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
