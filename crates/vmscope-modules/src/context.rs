//! The context module: which guest thread is running at every kernel entry and exit.
//!
//! With the kernel's BTF layout it reads the kernel's own current-task pointer from the per-CPU area
//! and the task's pid, thread-group id and comm, so every event names the guest's thread as the guest
//! knows it. Without a layout it can only name the address space (page-table root).
//!
//! For exits it first decides whether the instruction returns to user mode at all: `iretq` also returns
//! from interrupts inside the kernel, and those must cost as little as possible. At a return to user
//! mode only the task pointer and thread id are found (`hook.thread` then has no pid or comm): that is
//! what matches the exit to its entry, which already named the thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use vmscope_core::arch::x86_64::{CR3, CS, GS_BASE, K_GS_BASE, RAX, RSP, USER32_CS};
use vmscope_core::arch::{EntryKind, ExitKind};
use vmscope_core::event::{CompactString, ThreadCtx};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::task;

/// vCPUs whose per-CPU base is remembered; others look it up every time.
const CACHED_VCPUS: usize = 256;

/// The context module.
pub struct Context {
    layout: Option<std::sync::Arc<KernelLayout>>,
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
}

impl Context {
    /// The module's name.
    pub const NAME: &'static str = "context";

    /// A context module; `layout` is `None` when the kernel's BTF could not be had.
    pub fn new(layout: Option<std::sync::Arc<KernelLayout>>) -> Self {
        Self {
            layout,
            percpu: (0..CACHED_VCPUS).map(|_| AtomicU64::new(0)).collect(),
            user_thread: (0..CACHED_VCPUS).map(|_| Mutex::new(None)).collect(),
            idents: (0..CACHED_VCPUS).map(|_| Mutex::new(None)).collect(),
        }
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

    /// The vCPU's per-CPU base. `user_gs` says the vCPU is known to hold the user's GS (a `syscall`
    /// from user mode, a `sysret`): the kernel's base is then in `k_gs_base`, which is tried first.
    fn percpu_base(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        user_gs: bool,
    ) -> Option<u64> {
        let slot = self.percpu.get(cpu.vcpu() as usize);
        // The base is trusted again while GS still holds it (user or kernel half, depending on where
        // the vCPU is). It must be checked against the register, not kept blindly: early in boot GS
        // points at the static per-CPU image, which passes the check too, until the kernel moves
        // every CPU's area and GS with it.
        let (first, second) = if user_gs {
            (K_GS_BASE, GS_BASE)
        } else {
            (GS_BASE, K_GS_BASE)
        };
        if let Some(cached) = slot.map(|s| s.load(Ordering::Relaxed)).filter(|&b| b != 0)
            && (cpu.reg(first) == Some(cached) || cpu.reg(second) == Some(cached))
        {
            return Some(cached);
        }
        let base = task::percpu_base(cpu, layout)?;
        if let Some(s) = slot {
            s.store(base, Ordering::Relaxed);
        }
        Some(base)
    }

    /// The running thread, to the depth `want` asks for. Where the kernel cannot be read (KPTI's user
    /// page tables), the thread remembered at the last page-table switch.
    /// `user_gs`: the vCPU holds the user's GS (see [`Self::percpu_base`]).
    fn thread(&self, cpu: &mut dyn GuestCpu, want: Want, user_gs: bool) -> ThreadCtx {
        let mut ctx = ThreadCtx::default();
        let Some(layout) = self.layout.as_deref() else {
            ctx.asid = cpu.reg(CR3).map(task::cr3_key).unwrap_or(0);
            return ctx;
        };
        // An exit needs the address space only when the task is unknown (the key is then the
        // address space and stack); an entry always names it.
        if want == Want::Ident {
            ctx.asid = cpu.reg(CR3).map(task::cr3_key).unwrap_or(0);
        }
        let found = self
            .percpu_base(cpu, layout, user_gs)
            .and_then(|base| task::current_task(cpu, base, layout));
        let Some(t) = found else {
            let asid = if want == Want::Ident {
                ctx.asid
            } else {
                cpu.reg(CR3).map(task::cr3_key).unwrap_or(0)
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
    fn entering_thread(&self, cpu: &mut dyn GuestCpu, kind: EntryKind) -> ThreadCtx {
        let Some(slot) = self.idents.get(cpu.vcpu() as usize) else {
            return self.thread(cpu, Want::Ident, true);
        };
        let ctx = match self.layout.as_deref() {
            Some(layout) => {
                let asid = cpu.reg(CR3).map(task::cr3_key).unwrap_or(0);
                let task = self
                    .percpu_base(cpu, layout, true)
                    .and_then(|base| task::current_task(cpu, base, layout));
                let mut cache = slot.lock().unwrap_or_else(PoisonError::into_inner);
                match (task, cache.as_mut()) {
                    (Some(t), Some(c)) if c.ctx.task == t && c.uses < IDENT_REUSE => {
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
                                });
                        }
                        ctx
                    }
                    (None, _) => {
                        drop(cache);
                        self.thread(cpu, Want::Ident, true)
                    }
                }
            }
            None => self.thread(cpu, Want::Ident, true),
        };
        if renames(cpu, kind) {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        ctx
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

/// Entries a cached thread name survives on its vCPU before it is read again.
pub const IDENT_REUSE: u32 = 64;

/// A vCPU's last entering thread.
struct IdentCache {
    ctx: ThreadCtx,
    uses: u32,
}

/// Whether the call being entered may change the caller's name or identity (`execve`, `execveat`,
/// `prctl`), from its number (the register reads are cached for the syscall module).
fn renames(cpu: &mut dyn GuestCpu, kind: EntryKind) -> bool {
    let Some(nr) = cpu.reg(RAX) else { return true };
    let compat = match kind {
        EntryKind::Int80 | EntryKind::Sysenter => true,
        EntryKind::Syscall => cpu.reg(CS) == Some(USER32_CS),
    };
    if compat {
        matches!(nr & 0xffff_ffff, 11 | 172 | 358)
    } else {
        matches!(nr, 59 | 157 | 322)
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

/// Whether an exit instruction returns to user mode, from the state just before it executes.
pub fn exit_returns_to_user(cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<bool> {
    match kind {
        // sysret and sysexit only ever return to user mode.
        ExitKind::Sysret { .. } | ExitKind::Sysexit { .. } => Some(true),
        ExitKind::Iret { wide } => {
            // The frame at rsp is {rip, cs, rflags, rsp, ss}, in 8-byte slots for iretq.
            let rsp = cpu.reg(RSP)?;
            let cs = if wide {
                cpu.read_u64(rsp.wrapping_add(8))?
            } else {
                u64::from(cpu.read_u32(rsp.wrapping_add(4))?)
            };
            Some(cs & 3 == 3)
        }
    }
}

impl Module for Context {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn interest(&self) -> Interest {
        Interest {
            entries: true,
            exits: true,
            // Only useful with a layout to read the thread with.
            page_table_switches: self.layout.is_some(),
            ..Interest::default()
        }
    }

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, _bus: &mut Bus) {
        match hook.point {
            HookPoint::Exit(kind) => {
                let to_user = exit_returns_to_user(cpu, kind);
                hook.to_user = to_user;
                if to_user == Some(true) {
                    let want = match kind {
                        ExitKind::Iret { .. } => {
                            self.forget_ident(cpu);
                            Want::TaskAndTid
                        }
                        ExitKind::Sysret { .. } | ExitKind::Sysexit { .. } => Want::Task,
                    };
                    hook.thread = Some(self.thread(cpu, want, want == Want::Task));
                }
            }
            HookPoint::Entry(kind) => hook.thread = Some(self.entering_thread(cpu, kind)),
            HookPoint::PageTableSwitch => {
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

    #[test]
    fn iret_to_kernel_is_not_a_return_to_user() {
        let mut g = TestGuest::new();
        g.set_reg(RSP, 0xffff_c900_0000_1000);
        // Frame: rip, cs=0x10 (kernel), ...
        g.write_u64(0xffff_c900_0000_1000, 0xffff_ffff_8100_0000)
            .write_u64(0xffff_c900_0000_1008, 0x10);
        assert_eq!(
            exit_returns_to_user(&mut g, ExitKind::Iret { wide: true }),
            Some(false)
        );
        g.write_u64(0xffff_c900_0000_1008, 0x33);
        assert_eq!(
            exit_returns_to_user(&mut g, ExitKind::Iret { wide: true }),
            Some(true)
        );
        // Junk rsp: unknown, never a panic.
        g.set_reg(RSP, 0xdead_0000);
        assert_eq!(
            exit_returns_to_user(&mut g, ExitKind::Iret { wide: true }),
            None
        );
        assert_eq!(
            exit_returns_to_user(&mut g, ExitKind::Sysret { wide: true }),
            Some(true)
        );
    }

    #[test]
    fn without_a_layout_only_the_address_space_is_known() {
        let mut g = TestGuest::new();
        g.set_reg(CR3, 0x1234_5000 | 0x1000 | 0x5);
        let t = Context::new(None).thread(&mut g, Want::Ident, true);
        assert_eq!(t.pid, None);
        assert_eq!(t.asid, 0x1234_4000);
    }
}
