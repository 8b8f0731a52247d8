//! The memory module (virtual-memory level): every process's address space, read from the kernel's
//! own structures (the VMA tree of its `mm_struct`, through BTF) and kept current by the calls that
//! change it.
//!
//! - The first call seen from a process (it existed before tracing, or was just forked) and every
//!   successful exec read the whole space: a `maps` snapshot (`first_seen`, `exec`) equal to what
//!   `/proc/PID/maps` would print then.
//! - `mmap`, `munmap`, `mprotect`, `mremap`, `brk`, `madvise`, `shmat`/`shmdt` read again just the
//!   range they changed (and its neighbours, so splits and merges are seen whole) when they return: a
//!   `memory` event per region changed (`map`, `unmap`, `protect`, `remap`, `brk`), cut to the call's
//!   range, with the permissions, offset and file the kernel now has there.
//! - `exit_group` reads the whole space once more before it goes away: a `maps` snapshot (`exit`).
//!   When tracing stops, the model of each live process is its `end` snapshot.
//! - A region that is writable and executable, or executable without a file, raises an `alert`
//!   (rules `wx_region`, `anon_exec`) once per region and rule.
//!
//! With page-table isolation (KPTI) the kernel is not mapped at entries and returns: what a call will
//! need read is noted at its entry and read at the page-table switch before its return
//! ([`crate::at_return`]) — the whole space when the range is not known before the call returns. An
//! exit there, where no switch follows, is the model (`"source":"model"`).

mod effect;
mod read;
mod space;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use vmscope_core::event::{
    CallEnd, CustomEvent, Event, EventKind, EventMask, FieldValue, Level, MapsSnapshot, MapsSource,
    MapsWhen, MemoryEvent, MemoryOp, Notice, ProcessOp, Region, SyscallEvent, ThreadCtx,
};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::process as lp;
use vmscope_linux::syscalls::Call;

use crate::at_return::AtReturn;
use crate::kernel::KernelCell;
use effect::Effect;
use read::{Walked, Want, walk};
use space::{Rule, Space, diff};

/// Address spaces modelled at most; past that the one unchanged longest is dropped.
pub const MAX_SPACES: usize = 16384;

/// Whether the kernel can be read at a call's entry (no KPTI): not yet known, yes, no.
const ENTRY_UNKNOWN: u8 = 0;
const ENTRY_READABLE: u8 = 1;
const ENTRY_UNREADABLE: u8 = 2;

/// The memory module.
pub struct Memory {
    /// The kernel's layouts (known from the start, or found in guest memory later).
    kernel: Arc<KernelCell>,
    spaces: RwLock<HashMap<u32, Space>>,
    /// Walks for calls' returns, read at the page-table switch before them (KPTI).
    at_return: AtReturn<Want, Option<Walked>>,
    entry_reads: AtomicU8,
    warned: AtomicBool,
}

impl Memory {
    /// The module's name.
    pub const NAME: &'static str = "memory";

    /// A memory module reading the kernel with `kernel`'s layouts (their `vma` part; files named with
    /// the VFS layout).
    pub fn new(kernel: Arc<KernelCell>) -> Self {
        Self {
            kernel,
            spaces: RwLock::new(HashMap::new()),
            at_return: AtReturn::new(),
            entry_reads: AtomicU8::new(ENTRY_UNKNOWN),
            warned: AtomicBool::new(false),
        }
    }

    fn warn_once(&self, bus: &mut Bus, ts: u64, message: &str) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            bus.publish(Event::Notice(Notice {
                ts,
                source: Self::NAME.into(),
                level: Level::Warning,
                message: message.into(),
            }));
        }
    }

    /// The layout, when it has what the module needs.
    fn layout(&self) -> Option<&KernelLayout> {
        self.kernel.layout().filter(|l| l.vma.is_some())
    }

    /// Whether `pid`'s space is modelled whole, and its heap's end.
    fn known(&self, pid: u32) -> (bool, Option<u64>) {
        let spaces = self.spaces.read().unwrap_or_else(PoisonError::into_inner);
        spaces
            .get(&pid)
            .map_or((false, None), |s| (s.complete, s.info.map(|i| i.brk)))
    }

    /// At a call's entry, where the kernel cannot be read (KPTI): note what its return will need.
    fn on_entry(&self, cpu: &mut dyn GuestCpu, hook: &Hook) {
        let Some(layout) = self.layout() else {
            return;
        };
        let Some(t) = hook.thread.as_ref().filter(|t| t.task != 0) else {
            return;
        };
        match self.entry_reads.load(Ordering::Relaxed) {
            ENTRY_READABLE => return,
            ENTRY_UNKNOWN => {
                let readable = lp::task_mm(cpu, t.task, layout).is_some();
                self.entry_reads.store(
                    if readable {
                        ENTRY_READABLE
                    } else {
                        ENTRY_UNREADABLE
                    },
                    Ordering::Relaxed,
                );
                if readable {
                    return;
                }
            }
            _ => {}
        }
        let (Some(pid), Some(c)) = (t.pid, hook.call.as_ref()) else {
            return;
        };
        let call = c.call.and_then(Call::from_id);
        if matches!(call, Some(Call::ExitGroup | Call::Exit)) {
            return;
        }
        let (complete, brk) = self.known(pid);
        let ranges = call.and_then(|call| effect::at_entry(call, c.abi, &c.raw));
        let want = match (complete, ranges) {
            (false, _) => Want::Full { exe: true },
            (true, None) => return,
            (true, Some(Some(r))) => Want::Ranges(r),
            (true, Some(None)) => match (call, brk) {
                (Some(Call::Brk), Some(old)) => {
                    let new = c.raw[0];
                    let lo = old.min(new) & !0xfff;
                    let hi = old.max(new).saturating_add(0xfff) & !0xfff;
                    Want::Ranges(vec![(lo, hi.max(lo + 0x1000))])
                }
                (Some(Call::Execve | Call::Execveat), _) => Want::Full { exe: true },
                _ => Want::Full { exe: false },
            },
        };
        self.at_return.note(t.task, want);
    }

    /// At a page-table switch on the kernel's tables: read what the current thread's call noted.
    fn on_switch(&self, cpu: &mut dyn GuestCpu, hook: &Hook) {
        if self.at_return.is_idle() {
            return;
        }
        let Some(layout) = self.layout() else {
            return;
        };
        let Some(t) = hook.thread.as_ref().filter(|t| t.task != 0) else {
            return;
        };
        if t.tid.is_none() || cpu.read_u32(t.task.wrapping_add(layout.task.pid)) != t.tid {
            return;
        }
        let vcpu = cpu.vcpu();
        let vfs = self.kernel.vfs();
        self.at_return
            .capture(vcpu, t.task, |want| walk(cpu, layout, vfs, t.task, want));
    }

    /// A call's event, at its exit (at its entry for `exit_group`).
    fn on_call(&self, c: &SyscallEvent, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let Some(layout) = self.kernel.layout() else {
            return;
        };
        if layout.vma.is_none() {
            self.warn_once(
                bus,
                c.ts,
                "the kernel's BTF lacks the address-space structures (mm_struct, vm_area_struct): \
                 no memory events",
            );
            return;
        }
        let Some(pid) = c.thread.pid else {
            return;
        };
        let call = c.call.and_then(Call::from_id);
        if call == Some(Call::ExitGroup) {
            self.exit(c, cpu, layout, bus);
            return;
        }
        if c.end != CallEnd::Returned {
            return;
        }
        let effect = effect::of(c, cpu);
        let (complete, _) = self.known(pid);
        // Taken whatever happens next, so that no note outlives its call.
        let noted = self.at_return.take(cpu.vcpu(), c.thread.task);
        if complete && effect.is_none() {
            return;
        }
        let first = !complete || effect == Some(Effect::Exec);
        let want = if first {
            Want::Full { exe: true }
        } else {
            match effect {
                Some(e) => self.want_at_return(pid, e),
                None => return,
            }
        };
        let vfs = self.kernel.vfs();
        let walked = match walk(cpu, layout, vfs, c.thread.task, &want) {
            Some(w) => Some(w),
            None => noted.and_then(|(_, captured)| captured.flatten()),
        };
        let Some(w) = walked else {
            return;
        };
        self.take_in(c, effect, first, w, bus);
    }

    /// What to read at a call's return, the range now known.
    fn want_at_return(&self, pid: u32, e: Effect) -> Want {
        let (_, brk) = self.known(pid);
        match e {
            Effect::Map(s, e)
            | Effect::Unmap(s, e)
            | Effect::Protect(s, e)
            | Effect::Advise(s, e) => Want::Ranges(vec![(s, e)]),
            Effect::Shmat(a) => Want::Ranges(vec![(a, a.saturating_add(1))]),
            Effect::Shmdt(a) => {
                // The segment's extent is the model's (the kernel no longer has it).
                let spaces = self.spaces.read().unwrap_or_else(PoisonError::into_inner);
                let end = spaces
                    .get(&pid)
                    .and_then(|s| s.holding(a).map(|r| r.end))
                    .unwrap_or(a.saturating_add(1));
                Want::Ranges(vec![(a, end)])
            }
            Effect::Remap { old, new } => Want::Ranges(vec![old, new]),
            Effect::Brk(new) => match brk {
                Some(old) => {
                    let lo = old.min(new) & !0xfff;
                    let hi = old.max(new).saturating_add(0xfff) & !0xfff;
                    Want::Ranges(vec![(lo, hi.max(lo + 0x1000))])
                }
                None => Want::Full { exe: false },
            },
            Effect::Unknown => Want::Full { exe: false },
            Effect::Exec => Want::Full { exe: true },
        }
    }

    /// Updates `c`'s process's model with walk `w` and publishes what changed.
    fn take_in(
        &self,
        c: &SyscallEvent,
        effect: Option<Effect>,
        first: bool,
        w: Walked,
        bus: &mut Bus,
    ) {
        let Some(pid) = c.thread.pid else {
            return;
        };
        let comm = c.thread.comm.as_deref().map(str::to_string);
        let mut out: Vec<Event> = Vec::new();
        {
            let mut spaces = self.spaces.write().unwrap_or_else(PoisonError::into_inner);
            if !spaces.contains_key(&pid) && spaces.len() >= MAX_SPACES {
                let oldest = spaces
                    .iter()
                    .min_by_key(|(_, s)| s.touched)
                    .map(|(p, _)| *p);
                if let Some(p) = oldest {
                    spaces.remove(&p);
                }
            }
            let space = spaces.entry(pid).or_default();
            if effect == Some(Effect::Exec) {
                *space = Space::default();
            }
            // The kernel's name for the task when read (an exec changes it), else the call's.
            space.comm = w.comm.clone().or(comm.clone()).or(space.comm.take());
            space.touched = c.ts;
            let before = space.clone();
            space.apply(&w);
            if first {
                let when = if effect == Some(Effect::Exec) {
                    MapsWhen::Exec
                } else {
                    MapsWhen::FirstSeen
                };
                let regions = space.list();
                for r in &regions {
                    alerts(space, r, c.ts, Some(&c.thread), pid, c.name, &mut out);
                }
                out.push(Event::Maps(Box::new(MapsSnapshot {
                    ts: c.ts,
                    pid: Some(pid),
                    comm: space.comm.clone(),
                    when,
                    exe: space.exe.clone(),
                    source: MapsSource::Kernel,
                    regions,
                })));
                // Everything is in the snapshot, the call's own change too.
                drop(spaces);
                for e in out {
                    bus.publish(e);
                }
                return;
            }
            let changes = effect.map_or_else(Vec::new, |e| changes(e, &before, space));
            for (op, region, old) in changes {
                if op != MemoryOp::Unmap {
                    alerts(space, &region, c.ts, Some(&c.thread), pid, c.name, &mut out);
                }
                out.push(Event::Memory(Box::new(MemoryEvent {
                    ts: c.ts,
                    vcpu: c.vcpu,
                    thread: c.thread.clone(),
                    op,
                    region,
                    old_start: old.map(|o| o.0),
                    old_end: old.map(|o| o.1),
                    syscall: c.name,
                })));
            }
        }
        for e in out {
            bus.publish(e);
        }
    }

    /// `exit_group`, at its entry: the space as it is before it goes away.
    fn exit(&self, c: &SyscallEvent, cpu: &mut dyn GuestCpu, layout: &KernelLayout, bus: &mut Bus) {
        let Some(pid) = c.thread.pid else {
            return;
        };
        let live = walk(
            cpu,
            layout,
            self.kernel.vfs(),
            c.thread.task,
            &Want::Full { exe: false },
        );
        let mut spaces = self.spaces.write().unwrap_or_else(PoisonError::into_inner);
        let space = spaces.remove(&pid);
        drop(spaces);
        let comm = c
            .thread
            .comm
            .as_deref()
            .map(str::to_string)
            .or_else(|| space.as_ref().and_then(|s| s.comm.clone()));
        let exe = space.as_ref().and_then(|s| s.exe.clone());
        let (source, regions) = match (live, space) {
            (Some(w), _) => (MapsSource::Kernel, w.regions),
            (None, Some(s)) if s.complete => (MapsSource::Model, s.list()),
            _ => return,
        };
        bus.publish(Event::Maps(Box::new(MapsSnapshot {
            ts: c.ts,
            pid: Some(pid),
            comm,
            when: MapsWhen::Exit,
            exe,
            source,
            regions,
        })));
    }

    /// A process ended without `exit_group` (killed, or its last thread called `exit`): its model.
    fn ended(&self, pid: u32, ts: u64, bus: &mut Bus) {
        let space = self
            .spaces
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&pid);
        if let Some(s) = space.filter(|s| s.complete) {
            bus.publish(Event::Maps(Box::new(MapsSnapshot {
                ts,
                pid: Some(pid),
                comm: s.comm.clone(),
                when: MapsWhen::Exit,
                exe: s.exe.clone(),
                source: MapsSource::Model,
                regions: s.list(),
            })));
        }
    }
}

/// One change a call made: what, the region now (as it was, for an unmap), and for a remap where it
/// was.
type Change = (MemoryOp, Region, Option<(u64, u64)>);

/// The memory events of effect `e`.
fn changes(e: Effect, before: &Space, after: &Space) -> Vec<Change> {
    let plain = |op, rs: Vec<Region>| rs.into_iter().map(move |r| (op, r, None));
    match e {
        Effect::Map(s, end) => plain(MemoryOp::Map, after.within(s, end)).collect(),
        Effect::Shmat(a) => after
            .holding(a)
            .map(|r| (MemoryOp::Map, r.clone(), None))
            .into_iter()
            .collect(),
        Effect::Unmap(s, end) => plain(MemoryOp::Unmap, before.within(s, end)).collect(),
        Effect::Shmdt(a) => before
            .holding(a)
            .map(|r| (MemoryOp::Unmap, r.clone(), None))
            .into_iter()
            .collect(),
        Effect::Protect(s, end) => plain(MemoryOp::Protect, after.within(s, end)).collect(),
        Effect::Remap { old, new } => after
            .within(new.0, new.1)
            .into_iter()
            .map(|r| (MemoryOp::Remap, r, Some(old)))
            .collect(),
        Effect::Brk(_) => {
            let heap = |s: &Space| {
                s.regions
                    .values()
                    .find(|r| r.path.as_deref() == Some("[heap]"))
                    .cloned()
            };
            // The break moved within a page, or a query: the heap's region is unchanged.
            if heap(before) == heap(after) {
                return Vec::new();
            }
            let heap = heap(after).or_else(|| {
                // The heap is gone (brk back to its start): an empty region where it starts.
                after.info.map(|i| Region {
                    start: i.start_brk,
                    end: i.start_brk,
                    perms: *b"---p",
                    offset: 0,
                    path: Some("[heap]".into()),
                })
            });
            heap.map(|r| (MemoryOp::Brk, r, None)).into_iter().collect()
        }
        Effect::Advise(s, end) => diff(&before.within(s, end), &after.within(s, end))
            .into_iter()
            .map(|(op, r)| (op, r, None))
            .collect(),
        Effect::Unknown => diff(&before.list(), &after.list())
            .into_iter()
            .map(|(op, r)| (op, r, None))
            .collect(),
        Effect::Exec => Vec::new(),
    }
}

/// Alerts for region `r` of `space`, once per region and rule.
fn alerts(
    space: &mut Space,
    r: &Region,
    ts: u64,
    thread: Option<&ThreadCtx>,
    pid: u32,
    syscall: &str,
    out: &mut Vec<Event>,
) {
    for rule in Rule::broken_by(r) {
        if !space.alerted.insert((r.start, rule)) {
            continue;
        }
        let mut fields = vec![
            ("rule".to_string(), FieldValue::Str(rule.as_str().into())),
            ("pid".to_string(), FieldValue::UInt(u64::from(pid))),
        ];
        if let Some(tid) = thread.and_then(|t| t.tid) {
            fields.push(("tid".into(), FieldValue::UInt(u64::from(tid))));
        }
        if let Some(comm) = &space.comm {
            fields.push(("comm".into(), FieldValue::Str(comm.clone())));
        }
        fields.extend([
            (
                "start".to_string(),
                FieldValue::Str(format!("{:#x}", r.start)),
            ),
            ("end".to_string(), FieldValue::Str(format!("{:#x}", r.end))),
            (
                "perms".to_string(),
                FieldValue::Str(String::from_utf8_lossy(&r.perms).into_owned()),
            ),
            (
                "path".to_string(),
                r.path.clone().map_or(FieldValue::Null, FieldValue::Str),
            ),
            ("syscall".to_string(), FieldValue::Str(syscall.into())),
        ]);
        out.push(Event::Custom(CustomEvent {
            ts,
            kind: "alert".into(),
            module: Memory::NAME.into(),
            fields,
        }));
    }
}

impl Module for Memory {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn depends(&self) -> &[&str] {
        &[crate::syscalls::Syscalls::NAME]
    }

    fn interest(&self) -> Interest {
        // A kernel whose layout is found later may have the structures too.
        let reads =
            self.kernel.may_have_layout() && self.kernel.layout().is_none_or(|l| l.vma.is_some());
        Interest {
            // Entries and switches only to read ahead of a return where the kernel is not mapped.
            entries: reads,
            exits: false,
            page_table_switches: reads,
            events: EventMask::NONE
                .with(EventKind::Syscall)
                .with(EventKind::Process),
            ..Interest::default()
        }
    }

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, _bus: &mut Bus) {
        match hook.point {
            HookPoint::Entry(_) => self.on_entry(cpu, hook),
            HookPoint::PageTableSwitch => self.on_switch(cpu, hook),
            _ => {}
        }
    }

    fn on_event(&self, event: &Event, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        match event {
            Event::Syscall(c) => self.on_call(c, cpu, bus),
            Event::Process(p) if p.op == ProcessOp::Exit => {
                if let Some(pid) = p.pid {
                    self.ended(pid, p.ts, bus);
                }
            }
            _ => {}
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        let spaces = self.spaces.read().unwrap_or_else(PoisonError::into_inner);
        let mut pids: Vec<u32> = spaces
            .iter()
            .filter(|(_, s)| s.complete)
            .map(|(p, _)| *p)
            .collect();
        pids.sort_unstable();
        let ts = vmscope_core::clock::now_ns();
        for pid in pids {
            let s = &spaces[&pid];
            bus.publish(Event::Maps(Box::new(MapsSnapshot {
                ts,
                pid: Some(pid),
                comm: s.comm.clone(),
                when: MapsWhen::End,
                exe: s.exe.clone(),
                source: MapsSource::Model,
                regions: s.list(),
            })));
        }
    }
}
