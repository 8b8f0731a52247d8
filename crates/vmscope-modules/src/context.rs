//! The context module: which guest thread is running at every kernel entry and exit.
//!
//! With the kernel's BTF layout it reads the kernel's own current-task pointer from the per-CPU area
//! and the task's pid, thread-group id and comm, so every event names the guest's thread as the guest
//! knows it. Without a layout it can only name the address space (page-table root).
//!
//! For exits it first decides whether the instruction returns to user mode at all: `iretq` also returns
//! from interrupts inside the kernel, and those must cost as little as possible. At a return to user
//! mode only the task pointer is found (`hook.thread` then has no pid, tid or comm): that is what
//! matches the exit to its entry, which already named the thread.

use std::sync::atomic::{AtomicU64, Ordering};

use vmscope_core::arch::ExitKind;
use vmscope_core::arch::x86_64::{CR3, RSP};
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
    /// Per vCPU: its per-CPU base once validated (0: not yet). A vCPU's per-CPU area never moves after
    /// boot, so a validated base saves the check's memory read on every later hook. Each vCPU touches
    /// only its own slot.
    percpu: Box<[AtomicU64]>,
}

impl Context {
    /// The module's name.
    pub const NAME: &'static str = "context";

    /// A context module; `layout` is `None` when the kernel's BTF could not be had.
    pub fn new(layout: Option<std::sync::Arc<KernelLayout>>) -> Self {
        Self {
            layout,
            percpu: (0..CACHED_VCPUS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn percpu_base(&self, cpu: &mut dyn GuestCpu, layout: &KernelLayout) -> Option<u64> {
        let slot = self.percpu.get(cpu.vcpu() as usize);
        if let Some(base) = slot.map(|s| s.load(Ordering::Relaxed)).filter(|&b| b != 0) {
            return Some(base);
        }
        let base = task::percpu_base(cpu, layout)?;
        if let Some(s) = slot {
            s.store(base, Ordering::Relaxed);
        }
        Some(base)
    }

    /// The running thread. With `identify` false only the task pointer and address space are found
    /// (enough to match an exit to its entry, which already named the thread).
    fn thread(&self, cpu: &mut dyn GuestCpu, identify: bool) -> ThreadCtx {
        let asid = cpu.reg(CR3).map(task::cr3_key).unwrap_or(0);
        let mut ctx = ThreadCtx {
            asid,
            ..ThreadCtx::default()
        };
        let Some(layout) = self.layout.as_deref() else {
            return ctx;
        };
        let Some(base) = self.percpu_base(cpu, layout) else {
            return ctx;
        };
        let Some(t) = task::current_task(cpu, base, layout) else {
            return ctx;
        };
        if !identify {
            ctx.task = t;
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
