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

mod filter;
mod kpti;
mod lifecycle;
mod lists;
mod table;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use vmscope_core::event::{
    CallEnd, Event, EventKind, EventMask, ListSource, ListWhen, Notice, SyscallEvent,
};
use vmscope_core::guest::{GuestCpu, GuestMemory};
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};
use vmscope_linux::process::{self as lp, WaitStatus};
use vmscope_linux::syscalls::{Call, EventMemory};

use crate::at_return::AtReturn;
use crate::context::Context;
use crate::kernel::KernelCell;
use crate::syscalls::Syscalls;

pub use filter::{FilterSink, Follow};
use kpti::{Facts, Need};
pub use lifecycle::join_path;
use lists::{WALK_PERIODIC, WALK_SHUTDOWN, WALK_START, list_from_table};
use table::Proc;

/// Processes a walk lists at most.
pub const MAX_PROCESSES: usize = 32768;

/// The process monitor module.
pub struct Processes {
    /// The kernel's layouts (known from the start, or found in guest memory later).
    kernel: Arc<KernelCell>,
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
    /// The most processes the table held (counted where it grows), reported at the end.
    peak: AtomicUsize,
}

impl Processes {
    /// The module's name.
    pub const NAME: &'static str = "processes";

    /// A process monitor; `follow` is the filter to keep up to date, `list_every_ns` asks for a
    /// process list that often (at the first call after each period).
    pub fn new(
        kernel: Arc<KernelCell>,
        follow: Option<Arc<Follow>>,
        list_every_ns: Option<u64>,
    ) -> Self {
        Self {
            kernel,
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
            peak: AtomicUsize::new(0),
        }
    }

    fn warn_once(&self, bus: &mut Bus, ts: u64, message: String) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            bus.publish(Event::Notice(Notice {
                ts,
                source: Self::NAME.into(),
                level: vmscope_core::event::Level::Warning,
                message,
            }));
        }
    }

    fn on_call(&self, c: &SyscallEvent, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let Some(layout) = self.kernel.layout() else {
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
        // What the call wrote (a wait status) as the decoder captured it, else the guest now.
        let mut mem = EventMemory::new(c, cpu);
        match (Call::of(c), c.end) {
            (Some(Call::Fork | Call::Vfork | Call::Clone | Call::Clone3), CallEnd::Returned)
                if ret > 0 =>
            {
                self.created(c, &mut mem, pid, ret as u32, bus);
            }
            (Some(Call::Execve | Call::Execveat), CallEnd::Returned) if ret == 0 => {
                self.exec(c, cpu, layout, pid, facts.and_then(|f| f.exec), bus);
            }
            (Some(Call::ExitGroup), CallEnd::NoReturn) => self.exit_group(c, pid, tid, bus),
            (Some(Call::Exit), CallEnd::NoReturn) => self.thread_exit(c, pid, tid, bus),
            (Some(Call::Wait4 | Call::Waitpid), CallEnd::Returned) if ret > 0 => {
                let status = c
                    .raw
                    .get(1)
                    .copied()
                    .filter(|&p| p != 0)
                    .and_then(|p| mem.read_u32(p))
                    .map(WaitStatus::from_raw);
                self.reaped(c, pid, ret as u32, status, bus);
            }
            (Some(Call::Waitid), CallEnd::Returned) if ret == 0 => {
                let info = c
                    .raw
                    .get(2)
                    .copied()
                    .filter(|&p| p != 0)
                    .and_then(|p| lp::read_waitid_info(&mut mem, c.abi, p));
                if let Some(info) = info {
                    self.reaped(c, pid, info.pid, info.status, bus);
                }
            }
            _ => {}
        }
    }
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
            page_table_switches: self.kernel.may_have_layout(),
            events: EventMask::NONE.with(EventKind::Syscall),
            ..Interest::default()
        }
    }

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, bus: &mut Bus) {
        match hook.point {
            HookPoint::Entry(_) if !self.shutdown_listed.load(Ordering::Relaxed) => {
                self.on_entry(cpu, hook, bus);
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
        if self.kernel.layout().is_none() || !self.started.load(Ordering::Relaxed) {
            return;
        }
        let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
        // A shutdown list the kernel could not be read for (KPTI, and no page-table switch came after
        // the `reboot` call): the table as the events left it.
        let shutdown = (self.deferred.load(Ordering::Relaxed) & WALK_SHUTDOWN != 0).then(|| {
            let ts = self.shutdown_ts.load(Ordering::Relaxed);
            list_from_table(&table, ts, ListWhen::Shutdown, ListSource::Events, true)
        });
        let now = vmscope_core::clock::now_ns();
        let list = list_from_table(&table, now, ListWhen::End, ListSource::Events, true);
        // vmscope's own state at the end, so its bound can be checked from the journal.
        let exited = table.values().filter(|p| p.exited.is_some()).count();
        let state = Notice {
            ts: now,
            source: Self::NAME.into(),
            level: vmscope_core::event::Level::Info,
            message: format!(
                "process table: {} processes at the end ({exited} seen exiting since the last walk), \
                 at most {} at once (limit {})",
                table.len(),
                self.peak.load(Ordering::Relaxed),
                table::MAX_TABLE
            ),
        };
        drop(table);
        if let Some(l) = shutdown {
            bus.publish(Event::ProcessList(l));
        }
        bus.publish(Event::ProcessList(list));
        bus.publish(Event::Notice(state));
    }
}
