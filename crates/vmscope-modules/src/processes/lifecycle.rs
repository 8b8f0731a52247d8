//! Process and thread lifecycle from the calls that create, replace and end them: fork, exec,
//! exit, thread start and exit, and exits seen only by a parent's wait.

use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use vmscope_core::event::{Abi, Event, ProcessEvent, ProcessOp, Seen, SyscallEvent};
use vmscope_core::guest::{GuestCpu, GuestMemory};
use vmscope_core::module::Bus;
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::process::{self as lp, WaitStatus};
use vmscope_linux::syscalls::{Call, captured_string};
use vmscope_linux::{task, uapi};

use super::Processes;
use super::kpti::{ExecFacts, Facts};
use super::table::{MAX_ENDED_THREADS, MAX_TABLE, PID_REUSE_AFTER_NS, Proc, evict_exited};

impl Processes {
    /// A call by a process or thread not known yet: announce it (its creator's call has not returned
    /// yet, or it was missed). `false` when the call is stale: the thread object now belongs to
    /// another thread (a dead thread's call matched with the first return of a task reusing its
    /// `task_struct`), and nothing is to be learnt from it.
    ///
    /// `facts`: what was read at the page-table switch before the return, for when the kernel cannot
    /// be read here (KPTI).
    #[allow(clippy::too_many_arguments, reason = "one call's whole context")]
    pub(super) fn discover(
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
                bus.publish(Event::Process(Box::new(e)));
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
                self.peak.fetch_max(table.len(), Ordering::Relaxed);
                drop(table);
                if let Some(f) = &self.follow {
                    f.born(pid, ppid, &comm);
                }
                let mut e =
                    ProcessEvent::new(c.ts, c.vcpu, ProcessOp::Fork, pid, pid, Seen::FirstCall);
                e.ppid = ppid;
                e.comm = Some(comm);
                bus.publish(Event::Process(Box::new(e)));
            }
        }
        true
    }

    /// `fork`/`vfork`/`clone`/`clone3` returned `child` in the creator.
    pub(super) fn created(
        &self,
        c: &SyscallEvent,
        mem: &mut dyn GuestMemory,
        pid: u32,
        child: u32,
        bus: &mut Bus,
    ) {
        let Some(flags) = Call::of(c).and_then(|call| lp::clone_flags(mem, call, &c.raw)) else {
            // clone_args unreadable: the child is announced at its first call.
            return;
        };
        let comm = c.thread.comm.as_deref().map(str::to_string);
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        if flags & uapi::process::CLONE_THREAD != 0 {
            let p = table.entry(pid).or_default();
            if p.ended.contains(&child) || !p.threads.insert(child) {
                return;
            }
            drop(table);
            let mut e =
                ProcessEvent::new(c.ts, c.vcpu, ProcessOp::ThreadStart, pid, child, Seen::Call);
            e.comm = comm;
            e.syscall = Some(c.name);
            bus.publish(Event::Process(Box::new(e)));
            return;
        }
        let ppid = if flags & uapi::process::CLONE_PARENT != 0 {
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
        self.peak.fetch_max(table.len(), Ordering::Relaxed);
        drop(table);
        if let Some(f) = &self.follow {
            f.born(child, ppid, comm.as_deref().unwrap_or(""));
        }
        let mut e = ProcessEvent::new(c.ts, c.vcpu, ProcessOp::Fork, child, child, Seen::Call);
        e.ppid = ppid;
        e.comm = comm;
        e.syscall = Some(c.name);
        bus.publish(Event::Process(Box::new(e)));
    }

    /// A successful exec, seen at its return: the guest now holds the new image. What the kernel
    /// says is read here, or comes from `captured` (read at the page-table switch before the return)
    /// where the kernel is not mapped (KPTI).
    pub(super) fn exec(
        &self,
        c: &SyscallEvent,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        pid: u32,
        captured: Option<ExecFacts>,
        bus: &mut Bus,
    ) {
        let t = c.thread.task;
        // The new program's ABI, as the syscall detector saw the return (a 64-bit process may run a
        // 32-bit program).
        let abi = c.data.new_image.map_or(c.abi, |(abi, _)| abi);
        let other = match abi {
            Abi::X86_64 => Abi::I386,
            Abi::I386 => Abi::X86_64,
            // No 32-bit programs traced on aarch64: the same 64-bit reading.
            Abi::Aarch64 => Abi::Aarch64,
        };
        let f = self.read_exec(cpu, layout, t, Some(abi)).or(captured);
        // The exec'ing thread may have taken over the leader's id; the comm is the new program's.
        let (pid, tid) = f.as_ref().map_or((pid, pid), |f| (f.pid, f.tid));
        let comm = f
            .as_ref()
            .map(|f| f.comm.clone())
            .or_else(|| c.thread.comm.as_deref().map(str::to_string));
        let argv = f.as_ref().and_then(|f| f.argv.clone());
        // The file name as the caller gave it, from the memory captured at the call's entry.
        let given = match Call::of(c) {
            Some(Call::Execveat) => captured_string(c, 1),
            _ => captured_string(c, 0),
        };
        let mut filename = f
            .as_ref()
            .and_then(|f| f.execfn(abi).or_else(|| f.execfn(other)))
            .or(given);
        // The file name as given, made absolute with the working directory.
        if let Some(name) = filename.as_deref()
            && !name.starts_with('/')
            && Call::of(c) == Some(Call::Execve)
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
        e.syscall = Some(c.name);
        bus.publish(Event::Process(Box::new(e)));
    }

    pub(super) fn exit_group(&self, c: &SyscallEvent, pid: u32, tid: u32, bus: &mut Bus) {
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
        e.syscall = Some(c.name);
        bus.publish(Event::Process(Box::new(e)));
    }

    pub(super) fn thread_exit(&self, c: &SyscallEvent, pid: u32, tid: u32, bus: &mut Bus) {
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
        e.syscall = Some(c.name);
        bus.publish(Event::Process(Box::new(e.clone())));
        if last {
            e.op = ProcessOp::Exit;
            e.ppid = ppid;
            bus.publish(Event::Process(Box::new(e)));
        }
    }

    /// A parent reaped `child`: its exit, if no exit call announced it (killed by a signal).
    pub(super) fn reaped(
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
        e.syscall = Some(c.name);
        bus.publish(Event::Process(Box::new(e)));
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
