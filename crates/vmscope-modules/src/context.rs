//! The context module: which guest thread is running at every kernel entry and exit.
//!
//! With the kernel's BTF layout it reads the kernel's own current-task pointer from the per-CPU area
//! and the task's pid, thread-group id and comm, so every event names the guest's thread as the guest
//! knows it. Without a layout it can only name the address space (page-table root). A layout still to
//! be found in guest memory (a guest that boots itself) is looked for at this module's kernel-mode
//! hooks, once ([`KernelCell::offer`]); until then threads are not named.
//!
//! For exits it first decides whether the instruction returns to user mode at all: `iretq` also returns
//! from interrupts inside the kernel, and those must cost as little as possible. At a return to user
//! mode only the task pointer and thread id are found (`hook.thread` then has no pid or comm): that is
//! what matches the exit to its entry, which already named the thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use vmscope_core::arch::{Arch, ExitKind};
use vmscope_core::event::{CompactString, ThreadCtx};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, EnteringCall, Hook, HookPoint, Interest, Module};
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::syscalls::{Call, entering_call};
use vmscope_linux::task;

use crate::kernel::KernelCell;

/// The context module.
pub struct Context {
    /// The kernel's layout: known from the start, or found in guest memory at a kernel-mode hook of
    /// this module while pending (see [`KernelCell`]).
    kernel: Arc<KernelCell>,
    arch: &'static dyn Arch,
    /// Per vCPU: its per-CPU base once validated (0: not yet). While GS holds the same value the check's
    /// memory read is skipped. Each vCPU touches only its own slot.
    percpu: Box<[AtomicU64]>,
    /// Per vCPU: the thread found at the last page-table switch. With KPTI the user page tables map
    /// neither the per-CPU area nor any task, so at a `syscall` (user mode) and at a `sysret`/`iret`
    /// (after the switch back) the kernel cannot be read. But KPTI switches tables right before every
    /// return to user mode, and no other thread can run on the vCPU until it enters the kernel again:
    /// the thread read just before that switch is the one in user mode. Taken only by its own vCPU.
    user_thread: Box<[Mutex<Option<ThreadCtx>>]>,
    /// Per vCPU: the thread named at its last entry (see [`Context::entering_thread`]). Taken only by
    /// its own vCPU.
    idents: Box<[Mutex<Option<IdentCache>>]>,
    /// Per vCPU: the task that entered the kernel last, with its address space and user stack
    /// pointer, until another hook says something else may have run (see [`Context::returning_task`]).
    /// Taken only by its own vCPU.
    last_entry: Box<[Mutex<Option<LastEntry>>]>,
    /// Per vCPU: the task it last returned to user mode (see [`Context::user_task`]); 0: unknown.
    user_tasks: Box<[AtomicU64]>,
    /// Per vCPU: page-table switch hooks seen so far. While the count has not moved since a call's
    /// entry, the vCPU is still in the entry's address space (only the kernel switches page tables,
    /// and every switch is a hook), so its `sysret` needs no CR3 read. Only counted, and only
    /// trusted, when those hooks are instrumented ([`Context::tracks_switches`]).
    switches: Box<[AtomicU64]>,
    /// Whether every page-table switch reaches this module (its interest asks for them).
    tracks_switches: bool,
    /// Per vCPU: the address space it last returned to user mode in, when that return knew it (0:
    /// unknown). User mode cannot switch page tables, so the next entry from user mode is made in
    /// it: one register read less per call. Set and cleared with [`Context::user_tasks`].
    user_asids: Box<[AtomicU64]>,
    /// How far the running kernel was moved (KASLR) for its per-CPU variables, once found
    /// ([`task::percpu_slide`]; always 0 where they do not move, x86_64). `SLIDE_UNKNOWN` until then.
    slide: AtomicU64,
    /// Searches for the slide that found nothing (bounded by [`SLIDE_SEARCHES`]).
    slide_misses: AtomicU64,
    /// Advanced, for all vCPUs, wherever a task object may have changed hands or a thread its name:
    /// at every `iret` to user mode (a new thread's first return, a new program's start) and at
    /// `execve`/`prctl` entries. The per-vCPU caches above are trusted only within one epoch: a thread
    /// created on one vCPU may reach another by a plain `sysret`, where that vCPU's cache could still
    /// hold a dead thread on the same task object.
    epoch: AtomicU64,
}

/// The last kernel entry on a vCPU.
#[derive(Debug, Clone, Copy)]
struct LastEntry {
    /// [`Context::epoch`] when it was taken.
    epoch: u64,
    task: u64,
    asid: u64,
    rsp: u64,
    /// The vCPU's page-table switch count at the entry (see [`Context::switches`]).
    switches: u64,
}

impl Context {
    /// The module's name.
    pub const NAME: &'static str = "context";

    /// A context module for a guest of architecture `arch` with up to `max_vcpus` vCPUs, reading the
    /// kernel's structures through `kernel` (without a layout only address spaces are told apart).
    pub fn new(kernel: Arc<KernelCell>, arch: &'static dyn Arch, max_vcpus: usize) -> Self {
        let n = max_vcpus.max(1);
        let tracks_switches = kernel.may_have_layout();
        Self {
            kernel,
            arch,
            percpu: (0..n).map(|_| AtomicU64::new(0)).collect(),
            user_thread: (0..n).map(|_| Mutex::new(None)).collect(),
            idents: (0..n).map(|_| Mutex::new(None)).collect(),
            last_entry: (0..n).map(|_| Mutex::new(None)).collect(),
            user_tasks: (0..n).map(|_| AtomicU64::new(0)).collect(),
            switches: (0..n).map(|_| AtomicU64::new(0)).collect(),
            tracks_switches,
            user_asids: (0..n).map(|_| AtomicU64::new(0)).collect(),
            slide: AtomicU64::new(SLIDE_UNKNOWN),
            slide_misses: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
        }
    }

    /// The running kernel's per-CPU slide: known, or looked for once in kernel mode from the
    /// architecture's per-CPU registers (a few searches at most, each a few hundred reads).
    fn slide(&self, cpu: &mut dyn GuestCpu, layout: &KernelLayout, user_side: bool) -> Option<u64> {
        let known = self.slide.load(Ordering::Relaxed);
        if known != SLIDE_UNKNOWN {
            return Some(known);
        }
        if !layout.percpu_moves_with_kernel() {
            self.slide.store(0, Ordering::Relaxed);
            return Some(0);
        }
        if user_side || self.slide_misses.load(Ordering::Relaxed) >= SLIDE_SEARCHES {
            return None;
        }
        for reg in self.arch.percpu_base_regs(false).into_iter().flatten() {
            let Some(base) = cpu.reg(reg).filter(|&b| b != 0) else {
                continue;
            };
            if let Some(slide) = task::percpu_slide(cpu, layout, base) {
                self.slide.store(slide, Ordering::Relaxed);
                return Some(slide);
            }
            self.slide_misses.fetch_add(1, Ordering::Relaxed);
        }
        None
    }

    /// The key of the current address space (0 when unknown).
    fn asid(&self, cpu: &mut dyn GuestCpu) -> u64 {
        self.arch.address_space(cpu).unwrap_or(0)
    }

    /// The thread remembered at this vCPU's last page-table switch.
    fn remembered(&self, cpu: &dyn GuestCpu) -> Option<ThreadCtx> {
        let slot = self.user_thread.get(cpu.vcpu() as usize)?;
        slot.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn remember(&self, cpu: &dyn GuestCpu, t: ThreadCtx) {
        if let Some(slot) = self.user_thread.get(cpu.vcpu() as usize) {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(t);
        }
    }

    /// The vCPU's per-CPU base. `user_side` says the vCPU is known to be on the user side (a
    /// `syscall` from user mode, a `sysret`): the architecture then tries its user-side register
    /// first (x86: `k_gs_base`).
    fn percpu_base(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        user_side: bool,
    ) -> Option<u64> {
        let slot = self.percpu.get(cpu.vcpu() as usize);
        // The base is trusted again while a register still holds it (x86: the user or kernel half
        // of GS, depending on where the vCPU is). It must be checked against the register, not kept
        // blindly: early in boot GS points at the static per-CPU image, which passes the check too,
        // until the kernel moves every CPU's area and GS with it.
        let regs = self.arch.percpu_base_regs(user_side);
        let cached = slot.map(|s| s.load(Ordering::Relaxed)).filter(|&b| b != 0);
        if let Some(cached) = cached
            && regs.iter().flatten().any(|&r| cpu.reg(r) == Some(cached))
        {
            return Some(cached);
        }
        let slide = self.slide(cpu, layout, user_side)?;
        if let Some(base) = task::percpu_base(cpu, layout, regs, slide) {
            if let Some(s) = slot {
                s.store(base, Ordering::Relaxed);
            }
            return Some(base);
        }
        // No register holds it (i386's return path restores the user's `%fs` before the kernel's
        // last page-table switch): the cached base, if its self-check still reads true.
        cached.filter(|&b| task::is_percpu_base(cpu, layout, b, slide))
    }

    /// The current task: from a register where the architecture keeps it (aarch64's `SP_EL0` in the
    /// kernel), else from the per-CPU area.
    fn current_task(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        user_side: bool,
    ) -> Option<u64> {
        if let Some(t) = self.arch.current_task(cpu) {
            return Some(t);
        }
        let base = self.percpu_base(cpu, layout, user_side)?;
        let slide = self.slide(cpu, layout, user_side)?;
        task::current_task(cpu, base, layout, slide)
    }

    /// The running thread, to the depth `want` asks for. Where the kernel cannot be read (KPTI's user
    /// page tables), the thread remembered at the last page-table switch.
    /// `user_gs`: the vCPU holds the user's GS (see [`Self::percpu_base`]).
    fn thread(&self, cpu: &mut dyn GuestCpu, want: Want, user_gs: bool) -> ThreadCtx {
        let mut ctx = ThreadCtx::default();
        let Some(layout) = self.kernel.layout() else {
            ctx.asid = self.asid(cpu);
            return ctx;
        };
        // An exit needs the address space only when the task is unknown (the key is then the
        // address space and stack); an entry always names it.
        if want == Want::Ident {
            ctx.asid = self.asid(cpu);
        }
        let found = self.current_task(cpu, layout, user_gs);
        let Some(t) = found else {
            let asid = if want == Want::Ident {
                ctx.asid
            } else {
                self.asid(cpu)
            };
            return match self.remembered(cpu) {
                Some(r) => ThreadCtx { asid, ..r },
                None => ThreadCtx { asid, ..ctx },
            };
        };
        match want {
            Want::Task => {
                ctx.task = t;
                return ctx;
            }
            Want::TaskAndTid => {
                // The thread id alone (one small read): it tells a reused task object from its
                // former owner, whose call may still be pending.
                ctx.task = t;
                ctx.tid = cpu.read_u32(t.wrapping_add(layout.task.pid));
                return ctx;
            }
            Want::Ident => {}
        }
        named(cpu, t, layout, ctx.asid)
    }

    /// The thread at a kernel entry: from this vCPU's cache when the same task entered last and the
    /// cache is still fresh, else read (and cached). The cache is dropped where a thread's name or
    /// identity changes: after `execve`/`execveat`/`prctl` (whose entry this may be), at every
    /// `iret` to user mode (a new thread's first return, a new program's start), and every
    /// [`IDENT_REUSE`] uses (a name written through `/proc/PID/comm` by another thread).
    fn entering_thread(&self, cpu: &mut dyn GuestCpu, call: Option<&EnteringCall>) -> ThreadCtx {
        let Some(slot) = self.idents.get(cpu.vcpu() as usize) else {
            return self.thread(cpu, Want::Ident, true);
        };
        let ctx = match self.kernel.layout() {
            Some(layout) => {
                let asid = self.entry_asid(cpu);
                // Taken before any read: a change meanwhile only makes the cache stale sooner.
                let epoch = self.epoch.load(Ordering::Acquire);
                let task = self
                    .user_task(cpu)
                    .or_else(|| self.current_task(cpu, layout, true));
                let mut cache = slot.lock().unwrap_or_else(PoisonError::into_inner);
                match (task, cache.as_mut()) {
                    (Some(t), Some(c))
                        if c.ctx.task == t && c.uses < IDENT_REUSE && c.epoch == epoch =>
                    {
                        c.uses += 1;
                        ThreadCtx {
                            asid,
                            ..c.ctx.clone()
                        }
                    }
                    (Some(t), _) => {
                        drop(cache);
                        let ctx = named(cpu, t, layout, asid);
                        if ctx.tid.is_some() {
                            *slot.lock().unwrap_or_else(PoisonError::into_inner) =
                                Some(IdentCache {
                                    ctx: ctx.clone(),
                                    uses: 0,
                                    epoch,
                                });
                            ctx
                        } else {
                            // The task cannot be read here (KPTI's user tables): as without a
                            // known task.
                            self.thread(cpu, Want::Ident, true)
                        }
                    }
                    (None, _) => {
                        drop(cache);
                        self.thread(cpu, Want::Ident, true)
                    }
                }
            }
            None => self.thread(cpu, Want::Ident, true),
        };
        if renames(call) {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
            self.epoch.fetch_add(1, Ordering::AcqRel);
        }
        ctx
    }

    /// An exit that certainly stays in the kernel, told from registers alone (the architecture knows
    /// how: x86's GS still holding the per-CPU base). Most `iret`s are these (interrupts taken in the
    /// kernel). Anything less certain says `false`, and the frame decides.
    fn stays_in_kernel(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> bool {
        let Some(base) = self
            .percpu
            .get(cpu.vcpu() as usize)
            .map(|s| s.load(Ordering::Relaxed))
            .filter(|&b| b != 0)
        else {
            return false;
        };
        self.arch.exit_stays_in_kernel(cpu, kind, base)
    }

    /// The task this vCPU last returned to user mode, when known: the one making any call now.
    ///
    /// Once the kernel has returned to a thread in user mode, that thread runs on the vCPU until it
    /// enters the kernel again: by a call (the entry being named), or by an interrupt or exception,
    /// which returns by `iret` — an exit hook, which records whichever thread it resumes. Every exit
    /// to user mode records its task here (0 when it could not be told) and an exit whose direction
    /// is unknown forgets it, so an entry can name its thread without reading the kernel.
    fn user_task(&self, cpu: &dyn GuestCpu) -> Option<u64> {
        self.user_tasks
            .get(cpu.vcpu() as usize)
            .map(|s| s.load(Ordering::Relaxed))
            .filter(|&t| t != 0)
    }

    /// Records the task (0: unknown) and address space (0: unknown) this vCPU returns to user mode
    /// with.
    fn set_user_task(&self, cpu: &dyn GuestCpu, task: u64, asid: u64) {
        let i = cpu.vcpu() as usize;
        if let Some(s) = self.user_tasks.get(i) {
            s.store(task, Ordering::Relaxed);
        }
        if let Some(s) = self.user_asids.get(i) {
            s.store(asid, Ordering::Relaxed);
        }
    }

    /// The address space of the entry being made from user mode: the one this vCPU last returned to
    /// user mode in, else read.
    fn entry_asid(&self, cpu: &mut dyn GuestCpu) -> u64 {
        match self
            .user_asids
            .get(cpu.vcpu() as usize)
            .map(|s| s.load(Ordering::Relaxed))
        {
            Some(a) if a != 0 => a,
            _ => self.asid(cpu),
        }
    }

    /// Remembers (or, with `None`, forgets) the last entry on this vCPU.
    fn set_last_entry(&self, cpu: &dyn GuestCpu, e: Option<LastEntry>) {
        if let Some(slot) = self.last_entry.get(cpu.vcpu() as usize) {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = e;
        }
    }

    /// The task leaving by `sysret`/`sysexit`, without reading the kernel when it can be known.
    ///
    /// Such a return restores the user stack pointer saved at the call's entry, and no two threads
    /// of one address space make calls on the same stack, except a `vfork` child on its parent's:
    /// so when the last entry on this vCPU was made from this address space and this stack pointer,
    /// it is this thread's. The address space is the entry's without reading it when no page-table
    /// switch hooked on this vCPU since the entry (no other process ran there; most calls). The
    /// vfork child cannot be mistaken for its parent: its first return is an `iret`, which forgets
    /// the last entry, and its calls that end it (`exit`, `exit_group`, a successful `execve`) are
    /// not remembered. Anything else is read from the kernel.
    fn returning_task(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> ThreadCtx {
        let last = self
            .last_entry
            .get(cpu.vcpu() as usize)
            .and_then(|s| s.lock().unwrap_or_else(PoisonError::into_inner).take());
        if let Some(e) = last
            && e.epoch == self.epoch.load(Ordering::Acquire)
            && self.arch.user_stack_at_exit(cpu, kind) == Some(e.rsp)
            && (self.switched_since(cpu, e.switches) == Some(false)
                || self.arch.address_space(cpu) == Some(e.asid))
        {
            return ThreadCtx {
                task: e.task,
                asid: e.asid,
                ..ThreadCtx::default()
            };
        }
        self.thread(cpu, Want::Task, true)
    }

    /// This vCPU's page-table switch count, when switches are tracked.
    fn switch_count(&self, cpu: &dyn GuestCpu) -> Option<u64> {
        self.tracks_switches
            .then(|| self.switches.get(cpu.vcpu() as usize))
            .flatten()
            .map(|s| s.load(Ordering::Relaxed))
    }

    /// Whether the vCPU switched page tables since its count was `then` (`None`: not tracked).
    fn switched_since(&self, cpu: &dyn GuestCpu, then: u64) -> Option<bool> {
        self.switch_count(cpu).map(|now| now != then)
    }

    fn forget_ident(&self, cpu: &dyn GuestCpu) {
        if let Some(slot) = self.idents.get(cpu.vcpu() as usize) {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
}

/// Task `t` named from its `task_struct`; without pid, tid and comm when that cannot be read.
fn named(cpu: &mut dyn GuestCpu, t: u64, layout: &KernelLayout, asid: u64) -> ThreadCtx {
    let mut ctx = ThreadCtx {
        asid,
        ..ThreadCtx::default()
    };
    if let Some(ident) = task::read_task_ident(cpu, t, layout) {
        ctx.task = t;
        ctx.pid = Some(ident.pid);
        ctx.tid = Some(ident.tid);
        let end = ident.comm.iter().position(|&b| b == 0).unwrap_or(16);
        ctx.comm = Some(CompactString::from_utf8_lossy(&ident.comm[..end]));
    }
    ctx
}

/// [`Context::slide`] not yet known.
const SLIDE_UNKNOWN: u64 = u64::MAX;
/// Searches for the per-CPU slide before giving up (each up to 256 reads).
const SLIDE_SEARCHES: u64 = 16;

/// Entries a cached thread name survives on its vCPU before it is read again.
pub const IDENT_REUSE: u32 = 64;

/// A vCPU's last entering thread.
struct IdentCache {
    ctx: ThreadCtx,
    uses: u32,
    /// [`Context::epoch`] when it was read.
    epoch: u64,
}

/// Whether the call being entered ends the thread or its program when it succeeds (`exit`,
/// `exit_group`, `execve`, `execveat`): the next return to this stack is then not this thread's.
/// An unreadable call might be one.
fn ends_thread_or_image(call: Option<&EnteringCall>) -> bool {
    match call.map(|c| c.call.and_then(Call::from_id)) {
        Some(c) => matches!(
            c,
            Some(Call::Exit | Call::ExitGroup | Call::Execve | Call::Execveat)
        ),
        None => true,
    }
}

/// Whether the call being entered may change the caller's name or identity (`execve`, `execveat`,
/// `prctl`). An unreadable call might.
fn renames(call: Option<&EnteringCall>) -> bool {
    match call.map(|c| c.call.and_then(Call::from_id)) {
        Some(c) => matches!(c, Some(Call::Execve | Call::Execveat | Call::Prctl)),
        None => true,
    }
}

/// How much of the running thread a hook needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// pid, tid, comm and address space: an entry, or a page-table switch.
    Ident,
    /// The task pointer: a `sysret`/`sysexit`, whose thread entered the kernel by a call (or a
    /// fault) and already named itself. A task object reused by a new thread is first left by that
    /// thread through `iret` (`ret_from_fork`), never through `sysret`.
    Task,
    /// The task pointer and thread id: an `iret` to user mode, which may be a new thread's first
    /// return on a task object whose former owner died in a call.
    TaskAndTid,
}

impl Module for Context {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn interest(&self) -> Interest {
        Interest {
            entries: true,
            exits: true,
            // Only useful with a layout to read the thread with (or one still to be found: a
            // page-table switch is where a KPTI kernel is mapped).
            page_table_switches: self.kernel.may_have_layout(),
            ..Interest::default()
        }
    }

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, bus: &mut Bus) {
        // Kernel-mode hooks are where a layout still to be found is looked for (once).
        if self.kernel.is_pending() {
            match hook.point {
                HookPoint::Exit(_) | HookPoint::PageTableSwitch => {
                    self.kernel.offer(cpu, hook.pc, hook.ts, bus);
                }
                HookPoint::Entry(_) => self.kernel.unnamed_call(hook.ts, bus),
            }
        }
        match hook.point {
            HookPoint::Exit(kind) => {
                let to_user = if self.stays_in_kernel(cpu, kind) {
                    Some(false)
                } else {
                    self.arch.exit_to_user(cpu, kind)
                };
                hook.to_user = to_user;
                if to_user.is_none() {
                    self.set_user_task(cpu, 0, 0);
                }
                if to_user == Some(true) {
                    // A fast return (x86 `sysret`/`sysexit`) only ever ends a call; a general one
                    // (`iret`) may be a new thread's first return or a new program's start.
                    let t = if kind.is_fast_return() {
                        self.returning_task(cpu, kind)
                    } else {
                        self.epoch.fetch_add(1, Ordering::AcqRel);
                        self.forget_ident(cpu);
                        self.set_last_entry(cpu, None);
                        self.thread(cpu, Want::TaskAndTid, false)
                    };
                    self.set_user_task(cpu, t.task, t.asid);
                    hook.thread = Some(t);
                }
            }
            HookPoint::Entry(kind) => {
                // The call, decoded once for every module after this one.
                hook.call = entering_call(self.arch, cpu, kind, hook.pc);
                let call = hook.call.as_ref();
                let t = self.entering_thread(cpu, call);
                let last = (t.task != 0 && !ends_thread_or_image(call))
                    .then(|| cpu.reg(self.arch.stack_pointer()))
                    .flatten()
                    .map(|rsp| LastEntry {
                        epoch: self.epoch.load(Ordering::Acquire),
                        task: t.task,
                        asid: t.asid,
                        rsp,
                        switches: self.switch_count(cpu).unwrap_or(0),
                    });
                self.set_last_entry(cpu, last);
                hook.thread = Some(t);
            }
            HookPoint::PageTableSwitch => {
                if let Some(s) = self.switches.get(cpu.vcpu() as usize) {
                    s.fetch_add(1, Ordering::Relaxed);
                }
                // Still on the old tables. On the way into the kernel those are the user's and
                // nothing is found: the remembered thread stays.
                let t = self.thread(cpu, Want::Ident, false);
                if t.tid.is_some() {
                    self.remember(cpu, t.clone());
                    hook.thread = Some(t);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::guest::TestGuest;

    mod cached {
        use super::*;
        use std::sync::Arc;
        use vmscope_core::arch::x86_64::{CR3, CS, GS_BASE, K_GS_BASE, RAX, RSP, X86_64};
        use vmscope_core::arch::{EntryKind, ExitKind};
        use vmscope_core::module::{Bus, Hook, HookPoint, Module};

        const BASE: u64 = 0xffff_8880_0f00_0000;
        const TASK: u64 = 0xffff_8880_0100_0000;

        use crate::test_support::layout;

        fn known() -> Arc<KernelCell> {
            Arc::new(KernelCell::known(Some(layout()), None))
        }

        fn guest(comm: &[u8]) -> TestGuest {
            let mut g = TestGuest::new();
            g.set_reg(GS_BASE, 0)
                .set_reg(K_GS_BASE, BASE)
                .set_reg(CR3, 0x1000)
                .set_reg(CS, 0x33)
                .set_reg(RAX, 0);
            g.write_u64(BASE, TASK).write_u64(BASE + 8, BASE);
            g.write_u32(TASK + 0x100, 7).write_u32(TASK + 0x104, 7);
            rename(&mut g, comm);
            g
        }

        fn rename(g: &mut TestGuest, comm: &[u8]) {
            let mut c = [0u8; 16];
            c[..comm.len()].copy_from_slice(comm);
            g.write(TASK + 0x200, &c);
        }

        fn hook(point: HookPoint) -> Hook {
            Hook::new(0, 0, 0x40_1000, 2, point)
        }

        fn enter(c: &Context, g: &mut TestGuest, nr: u64) -> String {
            g.set_reg(RAX, nr);
            let mut h = hook(HookPoint::Entry(EntryKind::Syscall));
            c.on_hook(g, &mut h, &mut Bus::default());
            let t = h.thread.unwrap();
            assert_eq!((t.task, t.pid, t.tid), (TASK, Some(7), Some(7)));
            t.comm.unwrap().to_string()
        }

        #[test]
        fn entering_thread_names_come_from_the_cache_until_they_may_change() {
            let c = Context::new(known(), &X86_64, 4);
            let mut g = guest(b"old");
            assert_eq!(enter(&c, &mut g, 0), "old");
            // Renamed behind our back: the cache still answers...
            rename(&mut g, b"new");
            assert_eq!(enter(&c, &mut g, 0), "old");
            // ...until a call that may rename enters (prctl), after which the name is read again.
            assert_eq!(enter(&c, &mut g, 157), "old");
            assert_eq!(enter(&c, &mut g, 0), "new");
            // An iret to user mode (a new program, a new thread's first return) drops it too.
            rename(&mut g, b"exec'd");
            g.set_reg(RSP, 0xffff_c900_0000_1000)
                .write_u64(0xffff_c900_0000_1008, 0x33)
                .set_reg(GS_BASE, 0);
            let mut h = hook(HookPoint::Exit(ExitKind::Iret { wide: true }));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.to_user, Some(true));
            assert_eq!(enter(&c, &mut g, 0), "exec'd");
            // And it is read again after IDENT_REUSE uses whatever happens.
            rename(&mut g, b"proc-comm");
            let mut seen = Vec::new();
            for _ in 0..=IDENT_REUSE {
                seen.push(enter(&c, &mut g, 0));
            }
            assert_eq!(seen.last().map(String::as_str), Some("proc-comm"));
            // A different task entering (after its own return to user mode) is never given the
            // cached one's name.
            let other = TASK + 0x4000;
            g.write_u64(BASE, other)
                .write_u32(other + 0x100, 9)
                .write_u32(other + 0x104, 9);
            let rsp = 0x7ffe_1000;
            iret_to_user(&c, &mut g);
            g.set_reg(RSP, rsp);
            let mut h = hook(HookPoint::Entry(EntryKind::Syscall));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.thread.unwrap().tid, Some(9));
        }

        fn iret_to_user(c: &Context, g: &mut TestGuest) {
            g.set_reg(RSP, 0xffff_c900_0000_1000)
                .write_u64(0xffff_c900_0000_1008, 0x33)
                .set_reg(GS_BASE, 0)
                .set_reg(K_GS_BASE, BASE);
            let mut h = hook(HookPoint::Exit(ExitKind::Iret { wide: true }));
            c.on_hook(g, &mut h, &mut Bus::default());
            assert_eq!(h.to_user, Some(true));
        }

        #[test]
        fn a_task_object_reused_on_another_vcpu_is_not_named_from_a_stale_cache() {
            let c = Context::new(known(), &X86_64, 4);
            let mut g = guest(b"dead");
            // vCPU 0 names thread 7 on TASK and caches it.
            assert_eq!(enter(&c, &mut g, 0), "dead");
            // Thread 7 dies; TASK is reused by thread 9, whose first return (an iret) is on vCPU 1.
            g.write_u32(TASK + 0x100, 9).write_u32(TASK + 0x104, 9);
            rename(&mut g, b"new");
            g.vcpu = 1;
            iret_to_user(&c, &mut g);
            // Thread 9 later reaches vCPU 0 through a plain sysret and makes a call there.
            g.vcpu = 0;
            g.set_reg(RSP, 0x7ffe_3000)
                .set_reg(GS_BASE, 0)
                .set_reg(K_GS_BASE, BASE);
            assert_eq!(sysret(&c, &mut g), TASK);
            g.set_reg(RAX, 0);
            let mut h = hook(HookPoint::Entry(EntryKind::Syscall));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            let t = h.thread.unwrap();
            assert_eq!((t.tid, t.comm.as_deref()), (Some(9), Some("new")));
        }

        #[test]
        fn an_entry_is_made_by_the_thread_last_returned_to_user_mode() {
            let c = Context::new(known(), &X86_64, 4);
            let mut g = guest(b"a");
            iret_to_user(&c, &mut g);
            // The kernel's current-task slot now reads junk: the entry is still the thread the
            // vCPU returned to, with no read of it.
            g.write_u64(BASE, 0x1234);
            g.set_reg(RSP, 0x7ffe_1000);
            let mut h = hook(HookPoint::Entry(EntryKind::Syscall));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.thread.unwrap().task, TASK);
            // An exit whose direction is unknown (unreadable frame, no GS hint) forgets it.
            g.set_reg(RSP, 0xdead_0000).set_reg(GS_BASE, 0);
            let mut h = hook(HookPoint::Exit(ExitKind::Iret { wide: true }));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.to_user, None);
            let mut h = hook(HookPoint::Entry(EntryKind::Syscall));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.thread.unwrap().task, 0);
        }

        fn sysret(c: &Context, g: &mut TestGuest) -> u64 {
            let mut h = hook(HookPoint::Exit(ExitKind::Sysret { wide: true }));
            c.on_hook(g, &mut h, &mut Bus::default());
            assert_eq!(h.to_user, Some(true));
            h.thread.unwrap().task
        }

        #[test]
        fn an_entry_after_a_sysret_takes_its_address_space_from_that_return() {
            let c = Context::new(known(), &X86_64, 4);
            let mut g = guest(b"a");
            g.set_reg(RSP, 0x7ffe_1000).set_reg(CR3, 0x2000);
            enter(&c, &mut g, 0);
            assert_eq!(sysret(&c, &mut g), TASK);
            // User mode cannot switch page tables: the next entry is in the address space the
            // return went to, without reading CR3 (which now says something else).
            g.set_reg(CR3, 0x9000);
            let mut h = hook(HookPoint::Entry(EntryKind::Syscall));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.thread.unwrap().asid, 0x2000);
            // A return whose address space is not known (an iret) leaves the entry to read it.
            iret_to_user(&c, &mut g);
            let mut h = hook(HookPoint::Entry(EntryKind::Syscall));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.thread.unwrap().asid, 0x8000);
        }

        /// The kernel switches page tables to `cr3` (the hook fires on the old tables).
        fn switch_tables(c: &Context, g: &mut TestGuest, cr3: u64) {
            let mut h = hook(HookPoint::PageTableSwitch);
            c.on_hook(g, &mut h, &mut Bus::default());
            g.set_reg(CR3, cr3);
        }

        #[test]
        fn a_sysret_with_no_table_switch_since_its_entry_reads_no_cr3() {
            let c = Context::new(known(), &X86_64, 4);
            let mut g = guest(b"a");
            g.set_reg(RSP, 0x7ffe_1000).set_reg(CR3, 0x2000);
            enter(&c, &mut g, 0);
            let other = TASK + 0x4000;
            g.write_u64(BASE, other);
            // CR3 unreadable: with no switch since the entry it is not needed.
            g.regs.remove(&CR3);
            assert_eq!(sysret(&c, &mut g), TASK);
            // A switch away and back to the same tables (KPTI's flips, a process that ran and
            // left): CR3 is read and is the entry's.
            g.write_u64(BASE, TASK).set_reg(CR3, 0x2000);
            enter(&c, &mut g, 0);
            switch_tables(&c, &mut g, 0x3000);
            switch_tables(&c, &mut g, 0x2000 | 0x1000);
            g.write_u64(BASE, other);
            assert_eq!(sysret(&c, &mut g), TASK);
            // A switch to another process on the same user stack address: read from the kernel.
            g.write_u64(BASE, TASK).set_reg(CR3, 0x2000);
            enter(&c, &mut g, 0);
            switch_tables(&c, &mut g, 0x5000);
            g.write_u64(BASE, other);
            assert_eq!(sysret(&c, &mut g), other);
            // Without a layout, switches are not hooked: CR3 is always read.
            let bare = Context::new(Arc::new(KernelCell::known(None, None)), &X86_64, 1);
            assert!(!bare.tracks_switches);
        }

        #[test]
        fn a_sysret_to_the_last_entrys_stack_is_that_thread_without_a_read() {
            let c = Context::new(known(), &X86_64, 4);
            let mut g = guest(b"a");
            g.set_reg(RSP, 0x7ffe_1000);
            enter(&c, &mut g, 0);
            // The kernel now says another task runs: the return to the same stack and address
            // space is still the entering thread's, taken without reading the kernel.
            let other = TASK + 0x4000;
            g.write_u64(BASE, other);
            assert_eq!(sysret(&c, &mut g), TASK);
            // Once only: the next return reads the kernel.
            assert_eq!(sysret(&c, &mut g), other);
            // Another stack, or another address space: read.
            g.write_u64(BASE, TASK);
            enter(&c, &mut g, 0);
            g.write_u64(BASE, other).set_reg(RSP, 0x7ffe_2000);
            assert_eq!(sysret(&c, &mut g), other);
            g.write_u64(BASE, TASK).set_reg(RSP, 0x7ffe_1000);
            enter(&c, &mut g, 0);
            switch_tables(&c, &mut g, 0x9000);
            g.write_u64(BASE, other);
            assert_eq!(sysret(&c, &mut g), other);
            // exit_group and execve entries are not remembered (a vfork child on its parent's
            // stack), and an iret to user mode in between forgets the entry.
            for nr in [231, 59] {
                g.write_u64(BASE, TASK).set_reg(CR3, 0x1000);
                enter(&c, &mut g, nr);
                g.write_u64(BASE, other);
                assert_eq!(sysret(&c, &mut g), other, "nr {nr}");
            }
            g.write_u64(BASE, TASK);
            enter(&c, &mut g, 0);
            let rsp = 0x7ffe_1000;
            g.set_reg(RSP, 0xffff_c900_0000_1000)
                .write_u64(0xffff_c900_0000_1008, 0x33);
            let mut h = hook(HookPoint::Exit(ExitKind::Iret { wide: true }));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            g.write_u64(BASE, other).set_reg(RSP, rsp);
            assert_eq!(sysret(&c, &mut g), other);
        }

        #[test]
        fn an_iret_with_the_kernel_gs_in_place_stays_in_the_kernel_without_a_read() {
            let c = Context::new(known(), &X86_64, 4);
            let mut g = guest(b"x");
            enter(&c, &mut g, 0); // learns the per-CPU base
            // In the kernel: GS holds the base, the other half the user's. The frame is junk (not
            // mapped): the answer comes from the registers alone.
            g.set_reg(GS_BASE, BASE)
                .set_reg(K_GS_BASE, 0)
                .set_reg(RSP, 0xdead_0000);
            let mut h = hook(HookPoint::Exit(ExitKind::Iret { wide: true }));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.to_user, Some(false));
            // Both halves equal (user code set its GS to the kernel's value): the frame decides.
            g.set_reg(K_GS_BASE, BASE);
            let mut h = hook(HookPoint::Exit(ExitKind::Iret { wide: true }));
            c.on_hook(&mut g, &mut h, &mut Bus::default());
            assert_eq!(h.to_user, None);
        }
    }

    /// An i386 kernel (per-CPU variables at link addresses, KASLR, `%fs`): the thread is named
    /// through the slide found at a kernel-mode hook, and still where `%fs` is the user's.
    mod i386 {
        use super::*;
        use std::sync::Arc;
        use vmscope_core::arch::i386::{CR3, EAX, ECX, ESP, FS_BASE, I386};
        use vmscope_core::arch::{EntryKind, ExitKind};
        use vmscope_core::module::{Bus, Hook, HookPoint, Module};
        use vmscope_linux::btf::CurrentTaskVia;

        const FS: u64 = 0x1152_4000;
        const SLIDE: u64 = 0x0c00_0000;
        const TASK: u64 = 0xcd20_0000;

        fn layout() -> KernelLayout {
            let mut l = crate::test_support::layout();
            l.pointer_size = 4;
            l.percpu.section_addr = 0xc1e7_0000;
            l.percpu.current_task = 0xc1e8_0808;
            l.percpu.this_cpu_off = 0xc1e7_f00c;
            l.percpu.current_task_via = CurrentTaskVia::Standalone;
            l
        }

        fn guest(l: &KernelLayout) -> TestGuest {
            let mut g = TestGuest::new();
            let at = |v: u64| (FS + v + SLIDE) & 0xffff_ffff;
            g.write_u32(at(l.percpu.this_cpu_off), FS as u32)
                .write_u32(at(l.percpu.current_task), TASK as u32)
                .write_u32(TASK + 0x100, 7)
                .write_u32(TASK + 0x104, 7)
                .write(TASK + 0x200, b"wl-i386\0");
            g.set_reg(CR3, 0x0f2c_4000).set_reg(EAX, 20);
            g
        }

        fn run(c: &Context, g: &mut TestGuest, point: HookPoint) -> Hook {
            let mut h = Hook::new(0, 0, 0xc1a0_0000, 2, point);
            c.on_hook(g, &mut h, &mut Bus::default());
            h
        }

        #[test]
        fn threads_are_named_through_fs_and_the_kaslr_slide() {
            let l = layout();
            let c = Context::new(Arc::new(KernelCell::known(Some(l.clone()), None)), &I386, 1);
            let mut g = guest(&l);
            // In user mode `%fs` is the user's (0) and nothing was learnt yet: no thread.
            g.set_reg(FS_BASE, 0).set_reg(ESP, 0xbfff_e000);
            let h = run(&c, &mut g, HookPoint::Entry(EntryKind::Sysenter));
            assert_eq!(h.thread.and_then(|t| t.tid), None);
            // A kernel-mode hook with the kernel's `%fs` finds the slide, the base and the task.
            g.set_reg(FS_BASE, FS);
            let h = run(&c, &mut g, HookPoint::PageTableSwitch);
            let t = h.thread.unwrap();
            assert_eq!(
                (t.task, t.tid, t.comm.as_deref()),
                (TASK, Some(7), Some("wl-i386"))
            );
            assert_eq!(c.slide.load(Ordering::Relaxed), SLIDE);
            // The return path's CR3 write after the user's `%fs` is back: the cached base, checked
            // by its this_cpu_off, still names the thread.
            g.set_reg(FS_BASE, 0);
            let h = run(&c, &mut g, HookPoint::PageTableSwitch);
            assert_eq!(h.thread.unwrap().tid, Some(7));
            // An entry, then a sysexit to the same user stack (ecx): that entry's thread.
            let h = run(&c, &mut g, HookPoint::Entry(EntryKind::Sysenter));
            assert_eq!(h.thread.unwrap().task, TASK);
            g.set_reg(ECX, 0xbfff_e000).set_reg(ESP, 0xff7f_cff8);
            g.write_u32(
                (FS + l.percpu.current_task + SLIDE) & 0xffff_ffff,
                0xcd30_0000,
            );
            let h = run(
                &c,
                &mut g,
                HookPoint::Exit(ExitKind::Sysexit { wide: false }),
            );
            assert_eq!(h.to_user, Some(true));
            assert_eq!(h.thread.unwrap().task, TASK);
        }
    }

    #[test]
    fn without_a_layout_only_the_address_space_is_known() {
        let mut g = TestGuest::new();
        g.set_reg(vmscope_core::arch::x86_64::CR3, 0x1234_5000 | 0x1000 | 0x5);
        let t = Context::new(
            Arc::new(KernelCell::known(None, None)),
            &vmscope_core::arch::x86_64::X86_64,
            1,
        )
        .thread(&mut g, Want::Ident, true);
        assert_eq!(t.pid, None);
        assert_eq!(t.asid, 0x1234_4000);
    }
}
