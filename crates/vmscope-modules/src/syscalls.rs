//! The system-call detector: matches every kernel entry with its return and publishes one
//! [`SyscallEvent`] per call, its arguments captured for the Linux decoder to render.
//!
//! Entries are `syscall`, `int 0x80` and `sysenter` (on x86); exits are the architecture's returns to
//! user mode (the context module decides which exits those are, names the thread, and decodes the
//! entering call once into the hook). An exit is matched to the pending call of the same kernel
//! thread; without a thread (no BTF) to the call made from the same address space and user stack
//! pointer. An exit with nothing pending (an interrupt returning to user code, a new thread's first
//! return) is not a call and is ignored.
//!
//! On the vCPU this module only copies: the argument registers from the hook, and the guest memory
//! the arguments point to (strings, structures), read through a recorder at entry and exit. The text
//! is made from those later, on the journal's writer thread.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use vmscope_core::arch::{Arch, EntryKind, ExitKind};
use vmscope_core::event::spares::{SpareCalls, Stash};
use vmscope_core::event::{CallEnd, Event, Notice, SyscallEvent, ThreadCtx};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, CallStacks, Hook, HookPoint, Interest, Module};
use vmscope_linux::syscalls::{
    self, CallSite, DecodeOptions, call_result, capture_entry_into, capture_exit_into,
    never_returns, returning_image,
};

use crate::context::Context;
use crate::fd_names::FdNamer;

/// Shards of the pending-call table; vCPUs rarely touch the same shard at once.
const SHARDS: usize = 16;
/// Pending calls kept per shard at most; past that the oldest is reported unfinished.
pub const MAX_PENDING_PER_SHARD: usize = 8192;

/// What identifies the thread a pending call belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// The kernel's thread object: exact.
    Task(u64),
    /// Address space and user stack pointer: the fallback without BTF.
    Stack { asid: u64, rsp: u64 },
}

struct Pending {
    /// Address of the entry instruction and its length: where the call returns to is derived from it.
    pc: u64,
    len: u8,
    /// The argument registers as the call was made (for a multiplexer, its own, not its sub-call's).
    regs: [u64; 6],
    /// The call as made (for a multiplexer, the multiplexer: what decides whether it is captured).
    made: Option<vmscope_core::event::CallId>,
    /// The event, filled at entry and completed at the exit in place: it is allocated once and only
    /// its pointer moves from the table to the bus and the journal's queue.
    event: Box<SyscallEvent>,
}

/// Pending calls by thread. foldhash, seeded per run: SipHash cost more than the rest of the lookup,
/// and the table is bounded anyway ([`MAX_PENDING_PER_SHARD`]), so a guest crafting collisions only
/// slows itself.
type PendingMap = HashMap<Key, Pending, foldhash::fast::RandomState>;

/// The pool the journal gives events back to, and each vCPU's stash taken from it.
struct Recycling {
    pool: Arc<SpareCalls>,
    stashes: Box<[Mutex<Stash>]>,
}

/// The syscall detector module.
pub struct Syscalls {
    opts: DecodeOptions,
    arch: &'static dyn Arch,
    shards: Vec<Mutex<PendingMap>>,
    hasher: foldhash::fast::RandomState,
    /// Calls in flight now, and the most there ever were: reported at the end, so the bound on
    /// vmscope's state can be checked from the journal.
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    /// Takes each call's user-space stack at its entry (`--stack`).
    stacks: Option<Arc<dyn CallStacks>>,
    /// `--trace`: calls outside this set are not captured (nothing consumes their memory).
    uncaptured: Option<vmscope_linux::trace_classes::TraceSet>,
    /// `--decode-fds`: where the names of descriptor arguments come from.
    fd_names: Option<Arc<FdNamer>>,
    /// Events the journal wrote and gave back, and per vCPU a stash of them taken in batches (see
    /// [`SpareCalls`]): a call's event is reused rather than allocated.
    spares: Option<Recycling>,
}

impl Syscalls {
    /// The module's name.
    pub const NAME: &'static str = "syscalls";

    /// A detector capturing what the decoder's `opts` need, for a guest of architecture `arch`.
    pub fn new(opts: DecodeOptions, arch: &'static dyn Arch) -> Self {
        Self {
            opts,
            arch,
            shards: (0..SHARDS)
                .map(|_| Mutex::new(PendingMap::default()))
                .collect(),
            hasher: foldhash::fast::RandomState::default(),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            stacks: None,
            uncaptured: None,
            fd_names: None,
            spares: None,
        }
    }

    /// Fills the events the journal gives back to `spares` (for up to `max_vcpus` vCPUs) rather
    /// than allocating one per call.
    pub fn with_spares(mut self, spares: Arc<SpareCalls>, max_vcpus: usize) -> Self {
        let stashes = (0..max_vcpus.max(1))
            .map(|_| Mutex::new(Vec::new()))
            .collect();
        self.spares = Some(Recycling {
            pool: spares,
            stashes,
        });
        self
    }

    /// A blank event for a call on `vcpu`: a spare one when there is one, else a new one.
    fn blank_event(&self, vcpu: u32) -> Box<SyscallEvent> {
        let spare = self.spares.as_ref().and_then(|r| {
            let mut stash = r
                .stashes
                .get(vcpu as usize)?
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if stash.is_empty() {
                r.pool.take_into(&mut stash);
            }
            stash.pop()
        });
        spare.unwrap_or_else(|| Box::new(SyscallEvent::blank()))
    }

    /// Makes every call carry what its descriptor arguments named when it was made (`--decode-fds`).
    pub fn with_fd_names(mut self, namer: Arc<FdNamer>) -> Self {
        self.fd_names = Some(namer);
        self
    }

    /// Makes every call's event carry the user-space stack `stacks` takes at its entry.
    pub fn with_stacks(mut self, stacks: Arc<dyn CallStacks>) -> Self {
        self.stacks = Some(stacks);
        self
    }

    /// Captures no memory for calls outside `set` (`--trace`, when nothing but the journal consumes
    /// system calls): their events carry values only.
    pub fn capture_only(mut self, set: vmscope_linux::trace_classes::TraceSet) -> Self {
        self.uncaptured = Some(set);
        self
    }

    /// Whether a call's memory is captured.
    fn captures(&self, call: Option<vmscope_core::event::CallId>) -> bool {
        use vmscope_linux::syscalls::Call;
        let call = call.and_then(Call::from_id);
        // A multiplexer's identity is known only once its block is read: always captured.
        self.uncaptured
            .as_ref()
            .is_none_or(|s| s.contains(call) || matches!(call, Some(Call::Socketcall | Call::Ipc)))
    }

    fn shard(&self, key: &Key) -> &Mutex<PendingMap> {
        &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS]
    }

    /// Number of calls in flight (for tests and statistics).
    pub fn pending(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }

    fn on_entry(&self, cpu: &mut dyn GuestCpu, hook: &Hook, kind: EntryKind, bus: &mut Bus) {
        let Some(call) = hook.call else {
            return;
        };
        let thread = hook.thread.clone().unwrap_or_default();
        let Some(key) = self.entry_key(cpu, &thread) else {
            return;
        };
        let mut event = self.blank_event(hook.vcpu);
        // The memory the input arguments point to, read now (the caller may change it later).
        let (made_as, raw) = if self.captures(call.call) {
            capture_entry_into(
                &self.opts,
                call.abi,
                call.nr,
                &call.raw,
                &mut event.data,
                cpu,
            )
        } else {
            (
                call.call.and_then(vmscope_linux::syscalls::Call::from_id),
                call.raw,
            )
        };
        let stack = self.stacks.as_ref().and_then(|s| s.capture(cpu, hook));
        let ev = &mut *event;
        ev.ts = hook.ts;
        ev.vcpu = hook.vcpu;
        ev.thread = thread;
        ev.abi = call.abi;
        ev.entry = kind;
        ev.nr = call.nr;
        ev.call = made_as.map(syscalls::Call::id);
        ev.name = made_as.map_or("", syscalls::Call::name);
        ev.raw = raw;
        ev.stack = stack;
        let pending = Pending {
            pc: hook.pc,
            len: hook.len,
            regs: call.raw,
            made: call.call,
            event,
        };
        if never_returns(syscalls::Call::of(&pending.event)) {
            self.publish(cpu, pending, None, CallEnd::NoReturn, None, bus);
            return;
        }
        let (stale, evicted) = {
            let mut shard = self
                .shard(&key)
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let evicted = if shard.len() >= MAX_PENDING_PER_SHARD && !shard.contains_key(&key) {
                let oldest = shard
                    .iter()
                    .min_by_key(|(_, p)| p.event.ts)
                    .map(|(k, _)| *k);
                oldest.and_then(|k| shard.remove(&k))
            } else {
                None
            };
            let stale = shard.insert(key, pending);
            if stale.is_none() && evicted.is_none() {
                let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                // A locked update only for a new peak (rare), not one per call.
                if now > self.peak.load(Ordering::Relaxed) {
                    self.peak.fetch_max(now, Ordering::Relaxed);
                }
            }
            (stale, evicted)
        };
        // A call still pending for this thread never returned where we could see it (the thread
        // vanished, or its object was reused): report it rather than lose it.
        for old in stale.into_iter().chain(evicted) {
            self.publish(cpu, old, None, CallEnd::Unfinished, None, bus);
        }
    }

    fn on_exit(&self, cpu: &mut dyn GuestCpu, hook: &Hook, kind: ExitKind, bus: &mut Bus) {
        if hook.to_user != Some(true) {
            return;
        }
        let thread = hook.thread.clone().unwrap_or_default();
        let Some(key) = self.exit_key(cpu, &thread, kind) else {
            return;
        };
        let Some(pending) = self
            .shard(&key)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key)
        else {
            return;
        };
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        // The task object now belongs to another thread (the caller died in its call and the object
        // was reused, e.g. by a fork child whose first return this is): the old call never returned.
        if let (Some(now), Some(then)) = (thread.tid, pending.event.thread.tid)
            && now != then
        {
            self.publish(cpu, pending, None, CallEnd::Unfinished, None, bus);
            return;
        }
        let site = CallSite {
            abi: pending.event.abi,
            nr: pending.event.nr,
            entry: pending.event.entry,
            pc: pending.pc,
            len: pending.len,
            raw: pending.regs,
        };
        let Some(ret) = call_result(self.arch, cpu, &site, kind) else {
            self.publish(cpu, pending, None, CallEnd::Unfinished, Some(hook.ts), bus);
            return;
        };
        self.publish(
            cpu,
            pending,
            Some((ret, kind)),
            CallEnd::Returned,
            Some(hook.ts),
            bus,
        );
    }

    /// Captures the exit's memory and publishes the call. `ret` is the return value and the exit it
    /// returned by (`None` when it did not return).
    fn publish(
        &self,
        cpu: &mut dyn GuestCpu,
        p: Pending,
        ret: Option<(i64, ExitKind)>,
        end: CallEnd,
        ts_exit: Option<u64>,
        bus: &mut Bus,
    ) {
        let Pending {
            made, mut event, ..
        } = p;
        // After a successful exec, what could not be read at entry is on the new program's stack.
        let new_image = match ret {
            Some((0, kind)) if end == CallEnd::Returned => returning_image(self.arch, cpu, kind),
            _ => None,
        };
        let value = ret.map(|(v, _)| v);
        // The call the entry's capture identified (for a multiplexer, the call it stands for).
        let call = syscalls::Call::of(&event);
        let captures = self.captures(made);
        if end != CallEnd::NoReturn && captures {
            let ev = &mut *event;
            capture_exit_into(
                &self.opts,
                ev.abi,
                ev.nr,
                call,
                &ev.raw,
                &mut ev.data,
                value,
                new_image,
                cpu,
            );
        }
        event.ts_exit = ts_exit;
        event.ret = value;
        event.end = end;
        // The descriptor arguments' names before the modules apply the call (a closed one's too).
        if let Some(n) = self.fd_names.as_ref().filter(|_| captures) {
            event.data.fd_names = n.before(&event);
        }
        bus.publish(Event::Syscall(event));
    }

    fn entry_key(&self, cpu: &mut dyn GuestCpu, thread: &ThreadCtx) -> Option<Key> {
        if thread.task != 0 {
            return Some(Key::Task(thread.task));
        }
        Some(Key::Stack {
            asid: thread.asid,
            rsp: cpu.reg(self.arch.stack_pointer())?,
        })
    }

    fn exit_key(&self, cpu: &mut dyn GuestCpu, thread: &ThreadCtx, kind: ExitKind) -> Option<Key> {
        if thread.task != 0 {
            return Some(Key::Task(thread.task));
        }
        // The user stack pointer the kernel is about to restore.
        Some(Key::Stack {
            asid: thread.asid,
            rsp: self.arch.user_stack_at_exit(cpu, kind)?,
        })
    }
}

impl Module for Syscalls {
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

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, bus: &mut Bus) {
        match hook.point {
            HookPoint::Entry(kind) => self.on_entry(cpu, hook, kind, bus),
            HookPoint::Exit(kind) => self.on_exit(cpu, hook, kind, bus),
            HookPoint::PageTableSwitch => {}
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        // Calls still in flight: flushed as unfinished, oldest first. Their output arguments cannot be
        // read any more (no vCPU context), so they render as entry captured them.
        let mut all: Vec<Pending> = self
            .shards
            .iter()
            .flat_map(|s| {
                std::mem::take(&mut *s.lock().unwrap_or_else(PoisonError::into_inner))
                    .into_values()
                    .collect::<Vec<_>>()
            })
            .collect();
        all.sort_by_key(|p| p.event.ts);
        bus.publish(Event::Notice(Notice {
            ts: vmscope_core::clock::now_ns(),
            source: Self::NAME.to_string(),
            level: vmscope_core::event::Level::Info,
            message: format!(
                "{} calls still in flight at the end (reported unfinished); at most {} were pending at once (limit {})",
                all.len(),
                self.peak.load(Ordering::Relaxed),
                SHARDS * MAX_PENDING_PER_SHARD
            ),
        }));
        self.in_flight.store(0, Ordering::Relaxed);
        let mut no_memory = vmscope_core::guest::Unreadable;
        for p in all {
            self.publish(&mut no_memory, p, None, CallEnd::Unfinished, None, bus);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::arch::x86_64::{CS, RAX, RBX, RCX, RDI, RIP, RSP, X86_64};
    use vmscope_core::event::{Abi, CallRender, RenderedCall};
    use vmscope_core::guest::TestGuest;
    use vmscope_linux::syscalls::{Decoder, entering_call};

    const SITE: u64 = 0x40_1000;

    fn det() -> Syscalls {
        Syscalls::new(DecodeOptions { string_limit: 32 }, &X86_64)
    }

    /// The call as the journal would render it.
    fn text(c: &SyscallEvent) -> RenderedCall {
        let mut r = RenderedCall::default();
        Decoder::new(DecodeOptions { string_limit: 32 }).render(c, &mut r);
        r
    }

    fn thread(task: u64, tid: u32) -> ThreadCtx {
        ThreadCtx {
            pid: Some(100),
            tid: Some(tid),
            comm: Some("t".into()),
            task,
            asid: 0x1000,
        }
    }

    /// A hook as the context module leaves it: the thread named, the entering call decoded.
    fn hook(g: &mut TestGuest, point: HookPoint, pc: u64, t: Option<ThreadCtx>) -> Hook {
        let mut h = Hook::new(1, 0, pc, 2, point);
        h.to_user = Some(true);
        h.thread = t;
        if let HookPoint::Entry(kind) = point {
            h.call = entering_call(&X86_64, g, kind, pc);
        }
        h
    }

    /// A 64-bit `syscall` at SITE with number `nr` and first argument `a0`.
    fn enter(s: &Syscalls, g: &mut TestGuest, t: ThreadCtx, nr: u64, a0: u64) -> Vec<Event> {
        g.set_reg(RAX, nr)
            .set_reg(RDI, a0)
            .set_reg(CS, 0x33)
            .set_reg(RSP, 0x7ffc_0000_1000);
        let mut bus = Bus::default();
        let mut h = hook(g, HookPoint::Entry(EntryKind::Syscall), SITE, Some(t));
        s.on_hook(g, &mut h, &mut bus);
        bus.take()
    }

    /// A `sysretq` returning `ret` to user `ip`.
    fn leave(s: &Syscalls, g: &mut TestGuest, t: ThreadCtx, ret: u64, ip: u64) -> Vec<Event> {
        g.set_reg(RAX, ret)
            .set_reg(RCX, ip)
            .set_reg(RSP, 0x7ffc_0000_1000);
        let mut bus = Bus::default();
        let kind = ExitKind::Sysret { wide: true };
        let mut h = hook(g, HookPoint::Exit(kind), 0xffff_ffff_8100_0000, Some(t));
        s.on_hook(g, &mut h, &mut bus);
        bus.take()
    }

    /// A return by `iretq` to `ip` with the user stack at `sp`: how Linux leaves when the thread does
    /// not resume right after its call (a signal handler, a restart).
    fn leave_by_iret(
        s: &Syscalls,
        g: &mut TestGuest,
        t: ThreadCtx,
        ret: u64,
        ip: u64,
        sp: u64,
    ) -> Vec<Event> {
        let frame = 0xffff_c900_0000_2000u64;
        g.write_u64(frame, ip)
            .write_u64(frame + 8, 0x33)
            .write_u64(frame + 16, 0x246)
            .write_u64(frame + 24, sp)
            .write_u64(frame + 32, 0x2b);
        g.set_reg(RAX, ret).set_reg(RSP, frame);
        let mut bus = Bus::default();
        let mut h = hook(
            g,
            HookPoint::Exit(ExitKind::Iret { wide: true }),
            0xffff_ffff_8100_0000,
            Some(t),
        );
        h.to_user = Some(true);
        s.on_hook(g, &mut h, &mut bus);
        bus.take()
    }

    fn call(ev: &[Event]) -> &SyscallEvent {
        match ev {
            [Event::Syscall(c)] => c,
            other => panic!("expected one call, got {other:?}"),
        }
    }

    #[test]
    fn an_exit_is_matched_to_its_threads_entry() {
        let s = det();
        let mut g = TestGuest::new();
        g.write(0x5000, b"/etc/fstab\0");
        // Thread A blocks in read (0); thread B makes getpid (39) meanwhile.
        assert!(enter(&s, &mut g, thread(0xa000, 1), 0, 3).is_empty());
        assert!(enter(&s, &mut g, thread(0xb000, 2), 39, 0).is_empty());
        let b = leave(&s, &mut g, thread(0xb000, 2), 100, SITE + 2);
        assert_eq!(call(&b).name, "getpid");
        assert_eq!(call(&b).ret, Some(100));
        assert_eq!(call(&b).thread.tid, Some(2));
        let a = leave(&s, &mut g, thread(0xa000, 1), 5, SITE + 2);
        assert_eq!(call(&a).name, "read");
        assert_eq!(call(&a).ret, Some(5));
        assert_eq!(call(&a).end, CallEnd::Returned);
        assert_eq!(s.pending(), 0);
        // An exit with nothing pending (an interrupt returning to user mode) is no call.
        assert!(leave(&s, &mut g, thread(0xa000, 1), 0, 0x40_2000).is_empty());
    }

    #[test]
    fn a_call_fills_an_event_the_journal_gave_back() {
        let spares = Arc::new(SpareCalls::new());
        let s = det().with_spares(spares.clone(), 1);
        let mut g = TestGuest::new();
        g.write(0x5000, b"/etc/fstab\0");
        // The journal wrote an earlier call and gave its event back.
        enter(&s, &mut g, thread(0xa000, 1), 2, 0x5000);
        let mut written = match leave(&s, &mut g, thread(0xa000, 1), 3, SITE + 2).pop() {
            Some(Event::Syscall(c)) => vec![c],
            other => panic!("expected a call, got {other:?}"),
        };
        let spare: *const SyscallEvent = &*written[0];
        spares.give(&mut written);
        assert_eq!(spares.len(), 1);
        // The next call is made in that very event, with nothing left of the earlier one.
        enter(&s, &mut g, thread(0xb000, 2), 39, 0);
        assert!(spares.is_empty());
        let ev = leave(&s, &mut g, thread(0xb000, 2), 100, SITE + 2);
        let c = call(&ev);
        assert!(std::ptr::eq(c, spare));
        assert_eq!(
            (c.name, c.ret, c.thread.tid),
            ("getpid", Some(100), Some(2))
        );
        assert!(c.data.entry.is_empty() && c.data.exit.is_empty());
        // With the pool empty, calls still get events.
        enter(&s, &mut g, thread(0xa000, 1), 39, 0);
        assert_eq!(
            call(&leave(&s, &mut g, thread(0xa000, 1), 7, SITE + 2)).ret,
            Some(7)
        );
    }

    #[test]
    fn a_reused_task_object_does_not_inherit_the_dead_threads_call() {
        let s = det();
        let mut g = TestGuest::new();
        // Thread 5 blocks in read and dies there; its task object is reused by thread 9, whose first
        // return to user mode (a fork child's) must not complete thread 5's read.
        enter(&s, &mut g, thread(0xa000, 5), 0, 3);
        let ev = leave(&s, &mut g, thread(0xa000, 9), 0, 0x40_2000);
        let c = call(&ev);
        assert_eq!(c.name, "read");
        assert_eq!(c.thread.tid, Some(5));
        assert_eq!(c.end, CallEnd::Unfinished);
        assert_eq!(c.ret, None);
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn exit_group_is_reported_at_entry_without_a_return_value() {
        let s = det();
        let mut g = TestGuest::new();
        let ev = enter(&s, &mut g, thread(0xa000, 1), 231, 7);
        assert_eq!(call(&ev).name, "exit_group");
        assert_eq!(call(&ev).ret, None);
        assert_eq!(call(&ev).end, CallEnd::NoReturn);
        assert_eq!(text(call(&ev)).ret, "?");
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn a_signal_delivered_on_return_does_not_hide_the_calls_value() {
        let s = det();
        let mut g = TestGuest::new();
        enter(&s, &mut g, thread(0xa000, 1), 61, u64::MAX); // wait4(-1, ...)
        // The kernel returns into the handler at 0x40_5000 with ax = 0; the frame on the user stack
        // holds the call's value (147) and its return address.
        let sp = 0x7ffc_0000_0800u64;
        g.write(sp, &[0u8; 256]);
        g.write_u64(sp + 48 + 13 * 8, 147)
            .write_u64(sp + 48 + 16 * 8, SITE + 2);
        let ev = leave_by_iret(&s, &mut g, thread(0xa000, 1), 0, 0x40_5000, sp);
        assert_eq!(call(&ev).ret, Some(147));
    }

    #[test]
    fn a_sysret_returns_the_register_as_it_is() {
        // Linux leaves by sysret only to the instruction after the call; the registers that would
        // tell a handler or a restart are not even looked at.
        let s = det();
        let mut g = TestGuest::new();
        enter(&s, &mut g, thread(0xa000, 1), 0, 0);
        let ev = leave(&s, &mut g, thread(0xa000, 1), (-512i64) as u64, SITE);
        assert_eq!(call(&ev).ret, Some(-512));
    }

    #[test]
    fn a_call_returning_to_its_own_instruction_is_being_restarted() {
        let s = det();
        let mut g = TestGuest::new();
        enter(&s, &mut g, thread(0xa000, 1), 0, 0);
        let ev = leave_by_iret(&s, &mut g, thread(0xa000, 1), 0, SITE, 0x7ffc_0000_1000);
        assert_eq!(call(&ev).ret, Some(-512), "ERESTARTSYS");
    }

    #[test]
    fn i386_calls_use_the_i386_table_and_registers() {
        let s = det();
        let mut g = TestGuest::new();
        g.write(0x0804_a000, b"/etc/fstab\0");
        // int 0x80: open("/etc/fstab", O_RDONLY) is i386 number 5.
        g.set_reg(RAX, 5)
            .set_reg(RBX, 0x0804_a000)
            .set_reg(RCX, 0)
            .set_reg(CS, 0x23)
            .set_reg(RSP, 0xffd0_0000);
        let mut bus = Bus::default();
        let mut h = hook(
            &mut g,
            HookPoint::Entry(EntryKind::Int80),
            0x0804_9000,
            Some(thread(0xa000, 1)),
        );
        s.on_hook(&mut g, &mut h, &mut bus);
        // iret back to 0x08049002 with eax = -2 (ENOENT) as a 32-bit value.
        let frame = 0xffff_c900_0000_0f00u64;
        g.write_u64(frame, 0x0804_9002)
            .write_u64(frame + 8, 0x23)
            .write_u64(frame + 24, 0xffd0_0000);
        g.set_reg(RAX, 0xffff_fffe)
            .set_reg(RSP, frame)
            .set_reg(RIP, 0);
        let kind = ExitKind::Iret { wide: true };
        let mut h = hook(
            &mut g,
            HookPoint::Exit(kind),
            0xffff_ffff_8100_0000,
            Some(thread(0xa000, 1)),
        );
        s.on_hook(&mut g, &mut h, &mut bus);
        let c = call(bus.events());
        assert_eq!(c.abi, Abi::I386);
        assert_eq!(c.name, "open");
        assert_eq!(text(c).arg_list().next(), Some("\"/etc/fstab\""));
        assert_eq!(c.ret, Some(-2));
        assert!(text(c).ret.starts_with("-1 ENOENT"), "{}", text(c).ret);
    }

    #[test]
    fn without_a_thread_calls_are_matched_by_address_space_and_stack() {
        let s = det();
        let mut g = TestGuest::new();
        let anon = ThreadCtx {
            asid: 0x2000,
            ..ThreadCtx::default()
        };
        enter(&s, &mut g, anon.clone(), 39, 0);
        let ev = leave(&s, &mut g, anon, 42, SITE + 2);
        assert_eq!(call(&ev).ret, Some(42));
        assert_eq!(call(&ev).thread.pid, None);
    }

    #[test]
    fn calls_in_flight_are_flushed_as_unfinished() {
        let s = det();
        let mut g = TestGuest::new();
        enter(&s, &mut g, thread(0xa000, 1), 0, 0);
        let mut bus = Bus::default();
        s.on_stop(&mut bus);
        let ev = bus.take();
        assert!(
            matches!(&ev[0], Event::Notice(n) if n.message.starts_with("1 calls still in flight"))
        );
        assert_eq!(call(&ev[1..]).end, CallEnd::Unfinished);
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn the_pending_table_is_bounded_and_gives_up_the_oldest_calls() {
        let s = det();
        let mut g = TestGuest::new();
        g.set_reg(RAX, 0)
            .set_reg(RDI, 0)
            .set_reg(CS, 0x33)
            .set_reg(RSP, 0x7ffc_0000_1000);
        let n = (SHARDS * MAX_PENDING_PER_SHARD + 100) as u64;
        let task = |i: u64| 0x10_0000 + i * 0x1000;
        let mut evicted = Vec::new();
        for i in 0..n {
            let mut h = hook(
                &mut g,
                HookPoint::Entry(EntryKind::Syscall),
                SITE,
                Some(thread(task(i), 1)),
            );
            h.ts = i;
            let mut bus = Bus::default();
            s.on_hook(&mut g, &mut h, &mut bus);
            for ev in bus.take() {
                let Event::Syscall(c) = ev else { continue };
                assert_eq!(c.end, CallEnd::Unfinished);
                evicted.push(c.ts);
            }
        }
        assert!(s.pending() <= SHARDS * MAX_PENDING_PER_SHARD);
        assert!(evicted.len() >= 100, "{} evicted", evicted.len());
        // Each shard keeps its newest calls: whatever was given up had at least a shard's worth of
        // newer calls after it...
        let newest_evicted = evicted.iter().max().copied().unwrap_or(0);
        assert!(
            newest_evicted < n - MAX_PENDING_PER_SHARD as u64,
            "call {newest_evicted} of {n} was given up"
        );
        // ...and the newest call is still there to be matched with its return.
        let ev = leave(&s, &mut g, thread(task(n - 1), 1), 7, SITE + 2);
        assert_eq!((call(&ev).ts, call(&ev).ret), (n - 1, Some(7)));
    }
}
