//! The module trait: what a module is interested in, and the hooks the dispatcher calls.
//!
//! Like a `tracing` layer, a module says once what it wants ([`Interest`]); the backend instruments only
//! what some module wants. Every hook has a default that does nothing. Modules are called from the
//! vCPU threads concurrently, so they take `&self` and keep their own state per vCPU or per thread.

use crate::arch::{EntryKind, ExitKind};
use crate::event::{Abi, CallId, DeviceSpace, Event, EventMask, ThreadCtx};
use crate::guest::GuestCpu;

/// What a module wants to see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Interest {
    /// Kernel entries (`syscall`, `int 0x80`, `sysenter`).
    pub entries: bool,
    /// Possible kernel exits (`sysret`, `sysexit`, `iret`).
    pub exits: bool,
    /// Page-table switches in the kernel (see [`crate::arch::InsnClass::PageTableSwitch`]).
    pub page_table_switches: bool,
    /// Translated blocks of user code as they run ([`Module::on_block`]), each distinct block once
    /// per vCPU until the module resets the vCPU's filter ([`GuestCpu::reset_blocks`]).
    pub user_blocks: bool,
    /// Translated blocks of kernel code as they run, filtered the same way.
    pub kernel_blocks: bool,
    /// Port I/O instructions (x86 `in`/`out`/`ins`/`outs`), at execution ([`Module::on_device`]).
    pub port_io: bool,
    /// Memory accesses that reach a device rather than RAM ([`Module::on_device`]). Costly: every
    /// memory access of the guest gets a callback.
    pub mmio: bool,
    /// Event kinds published by other modules.
    pub events: EventMask,
}

/// A device access as the backend sees it: at a port I/O instruction, or at a memory access that
/// reached a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceAccess {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The vCPU.
    pub vcpu: u32,
    /// The instruction's address.
    pub pc: u64,
    /// Port or memory space.
    pub space: DeviceSpace,
    /// The port, or the physical address.
    pub addr: u64,
    /// Bytes per access.
    pub size: u8,
    /// How many accesses (a `rep` string instruction's count).
    pub count: u32,
    /// A write (`out`, a store).
    pub write: bool,
    /// The value, where known at the access.
    pub value: Option<u64>,
    /// The emulator's name for the device (MMIO), if it has one.
    pub device: Option<&'static str>,
}

/// Where a hook fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookPoint {
    /// About to execute a kernel-entry instruction (user mode).
    Entry(EntryKind),
    /// About to execute a possible kernel exit (kernel mode).
    Exit(ExitKind),
    /// About to switch page tables (kernel mode, still on the old tables).
    PageTableSwitch,
}

/// A hook firing on a vCPU; modules earlier in the order annotate it for the later ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The vCPU.
    pub vcpu: u32,
    /// Address of the instruction.
    pub pc: u64,
    /// Length of the instruction in bytes.
    pub len: u8,
    /// What the instruction is.
    pub point: HookPoint,
    /// For exits: whether this one returns to user mode, once a module found out (`None`: unknown yet).
    pub to_user: Option<bool>,
    /// The running thread, filled in by the context module.
    pub thread: Option<ThreadCtx>,
    /// At an entry: the system call being made, decoded once from the registers by the context
    /// module (through the OS layer), read by every later module.
    pub call: Option<EnteringCall>,
}

impl Hook {
    /// A hook at `point` with nothing found yet.
    pub fn new(ts: u64, vcpu: u32, pc: u64, len: u8, point: HookPoint) -> Self {
        Hook {
            ts,
            vcpu,
            pc,
            len,
            point,
            to_user: None,
            thread: None,
            call: None,
        }
    }
}

/// A system call at its entry: its ABI, number, identity and argument registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnteringCall {
    /// The ABI, from the entry instruction and the code's width.
    pub abi: Abi,
    /// The number register.
    pub nr: u64,
    /// The call's identity; `None` for a number the table lacks.
    pub call: Option<CallId>,
    /// The call's name (`""` when unknown).
    pub name: &'static str,
    /// The argument registers the call takes (all six for an unknown number), in the ABI's order;
    /// the rest 0.
    pub raw: [u64; 6],
}

/// Collects what a module publishes during a call; the dispatcher delivers it afterwards.
#[derive(Debug, Default)]
pub struct Bus {
    /// Inline room for what a hook usually publishes (one event), so handing it over allocates nothing.
    pub(crate) queue: smallvec::SmallVec<[Event; 1]>,
}

impl Bus {
    /// Publishes an event to the modules subscribed to its kind and to the journal.
    pub fn publish(&mut self, ev: Event) {
        self.queue.push(ev);
    }

    /// What was published so far (for tests of modules).
    pub fn events(&self) -> &[Event] {
        &self.queue
    }

    /// Takes what was published so far.
    pub fn take(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.queue).into_vec()
    }
}

/// Takes the user-space call stack of a thread entering the kernel. A stacks module implements it and
/// the syscall detector calls it at each entry (after the context module named the thread), so the
/// stack travels on the call's event.
pub trait CallStacks: Send + Sync {
    /// The stack at `hook` (an entry), innermost first; `None` when none can be taken.
    fn capture(&self, cpu: &mut dyn GuestCpu, hook: &Hook) -> Option<Box<[crate::event::Frame]>>;
}

/// A vmscope module.
pub trait Module: Send + Sync {
    /// The module's name, as given to `--modules`.
    fn name(&self) -> &str;

    /// Names of modules whose output this one needs; they are loaded and called before it.
    fn depends(&self) -> &[&str] {
        &[]
    }

    /// What the module wants to see.
    fn interest(&self) -> Interest;

    /// A kernel entry or exit on a vCPU. `hook` carries what earlier modules found.
    fn on_hook(&self, _cpu: &mut dyn GuestCpu, _hook: &mut Hook, _bus: &mut Bus) {}

    /// An event another module published, of a kind this one subscribed to.
    ///
    /// Events published during a hook are delivered during that hook, on the same vCPU: `cpu` then
    /// reads the guest as it is at that instruction (at a syscall's exit, for a syscall event). Events
    /// published outside a hook (at the end of tracing) come with a `cpu` that reads nothing.
    fn on_event(&self, _event: &Event, _cpu: &mut dyn GuestCpu, _bus: &mut Bus) {}

    /// A translated block of `size` bytes at `pc` runs on `vcpu` (for modules interested in blocks).
    /// The hottest path there is: no guest reads, no events; keep a per-vCPU buffer.
    fn on_block(&self, _vcpu: u32, _pc: u64, _size: u16) {}

    /// A device was accessed (for modules interested in port I/O or MMIO).
    fn on_device(&self, _access: &DeviceAccess, _bus: &mut Bus) {}

    /// Tracing stops (the guest powered off or QEMU exits): flush what is pending.
    fn on_stop(&self, _bus: &mut Bus) {}
}
