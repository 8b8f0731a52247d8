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

use vmscope_core::arch::ExitKind;
use vmscope_core::arch::x86_64::{CR3, GS_BASE, K_GS_BASE, RSP};
use vmscope_core::event::ThreadCtx;
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

    fn percpu_base(&self, cpu: &mut dyn GuestCpu, layout: &KernelLayout) -> Option<u64> {
        let slot = self.percpu.get(cpu.vcpu() as usize);
        // The base is trusted again while GS still holds it (user or kernel half, depending on where
        // the vCPU is). It must be checked against the register, not kept blindly: early in boot GS
        // points at the static per-CPU image, which passes the check too, until the kernel moves
        // every CPU's area and GS with it.
        if let Some(cached) = slot.map(|s| s.load(Ordering::Relaxed)).filter(|&b| b != 0)
            && (cpu.reg(GS_BASE) == Some(cached) || cpu.reg(K_GS_BASE) == Some(cached))
        {
            return Some(cached);
        }
        let base = task::percpu_base(cpu, layout)?;
        if let Some(s) = slot {
            s.store(base, Ordering::Relaxed);
        }
        Some(base)
    }

    /// The running thread. With `identify` false only the task pointer and address space are found
    /// (enough to match an exit to its entry, which already named the thread). Where the kernel cannot
    /// be read (KPTI's user page tables), the thread remembered at the last page-table switch.
    fn thread(&self, cpu: &mut dyn GuestCpu, identify: bool) -> ThreadCtx {
        let asid = cpu.reg(CR3).map(task::cr3_key).unwrap_or(0);
        let mut ctx = ThreadCtx {
            asid,
            ..ThreadCtx::default()
        };
        let Some(layout) = self.layout.as_deref() else {
            return ctx;
        };
        let found = self
            .percpu_base(cpu, layout)
            .and_then(|base| task::current_task(cpu, base, layout));
        let Some(t) = found else {
            return match self.remembered(cpu) {
                Some(r) => ThreadCtx { asid, ..r },
                None => ctx,
            };
        };
        if !identify {
            // The thread id alone (one small read): it tells a reused task object from its former
            // owner, whose call may still be pending.
            ctx.task = t;
            ctx.tid = cpu.read_u32(t.wrapping_add(layout.task.pid));
            return ctx;
        }
        if let Some(ident) = task::read_task_ident(cpu, t, layout) {
            ctx.task = t;
            ctx.pid = Some(ident.pid);
            ctx.tid = Some(ident.tid);
            ctx.comm = Some(ident.comm_lossy());
        }
        ctx
    }
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
                    hook.thread = Some(self.thread(cpu, false));
                }
            }
            HookPoint::Entry(_) => hook.thread = Some(self.thread(cpu, true)),
            HookPoint::PageTableSwitch => {
                // Still on the old tables. On the way into the kernel those are the user's and
                // nothing is found: the remembered thread stays.
                let t = self.thread(cpu, true);
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
        let t = Context::new(None).thread(&mut g, true);
        assert_eq!(t.pid, None);
        assert_eq!(t.asid, 0x1234_4000);
    }
}
