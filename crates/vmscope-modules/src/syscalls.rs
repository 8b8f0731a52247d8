//! The system-call detector: matches every kernel entry with its return and publishes one
//! [`SyscallEvent`] per call, decoded by the Linux tables.
//!
//! Entries are `syscall`, `int 0x80` and `sysenter`; exits are `sysret`, `sysexit` and `iret` when they
//! return to user mode (the context module decides that and names the thread). An exit is matched to the
//! pending call of the same kernel thread; without a thread (no BTF) to the call made from the same
//! address space and user stack pointer. An exit with nothing pending (an interrupt returning to user
//! code, a new thread's first return) is not a call and is ignored.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Mutex, PoisonError};

use vmscope_core::arch::x86_64::{
    CS, R8, R9, R10, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, USER32_CS,
};
use vmscope_core::arch::{EntryKind, ExitKind};
use vmscope_core::event::{Abi, CallEnd, Event, SyscallEvent, ThreadCtx};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};
use vmscope_linux::syscalls::{self, DecodeOptions, PendingCall};

use crate::context::Context;

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
    ts: u64,
    vcpu: u32,
    thread: ThreadCtx,
    abi: Abi,
    entry: EntryKind,
    nr: u64,
    raw: [u64; 6],
    call: PendingCall,
}

/// The syscall detector module.
pub struct Syscalls {
    opts: DecodeOptions,
    shards: Vec<Mutex<HashMap<Key, Pending>>>,
    hasher: std::hash::RandomState,
}

impl Syscalls {
    /// The module's name.
    pub const NAME: &'static str = "syscalls";

    /// A detector decoding with `opts`.
    pub fn new(opts: DecodeOptions) -> Self {
        Self {
            opts,
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: std::hash::RandomState::new(),
        }
    }

    fn shard(&self, key: &Key) -> &Mutex<HashMap<Key, Pending>> {
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
        let Some(rax) = cpu.reg(RAX) else { return };
        let cs = cpu.reg(CS).unwrap_or(0);
        let abi = match kind {
            EntryKind::Int80 | EntryKind::Sysenter => Abi::I386,
            EntryKind::Syscall if cs == USER32_CS => Abi::I386,
            EntryKind::Syscall => Abi::X86_64,
        };
        let raw = read_args(cpu, abi, kind);
        let nr = match abi {
            Abi::X86_64 => rax,
            Abi::I386 => rax & 0xffff_ffff,
        };
        let thread = hook.thread.clone().unwrap_or_default();
        let Some(key) = entry_key(cpu, &thread) else {
            return;
        };
        let call = syscalls::decode_entry(&self.opts, abi, nr, &raw, cpu);
        let pending = Pending {
            ts: hook.ts,
            vcpu: hook.vcpu,
            thread,
            abi,
            entry: kind,
            nr,
            raw,
            call,
        };
        if syscalls::never_returns(abi, nr) {
            self.publish(cpu, pending, None, CallEnd::NoReturn, None, bus);
            return;
        }
        let (stale, evicted) = {
            let mut shard = self
                .shard(&key)
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let evicted = if shard.len() >= MAX_PENDING_PER_SHARD && !shard.contains_key(&key) {
                let oldest = shard.iter().min_by_key(|(_, p)| p.ts).map(|(k, _)| *k);
                oldest.and_then(|k| shard.remove(&k))
            } else {
                None
            };
            (shard.insert(key, pending), evicted)
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
        let Some(key) = exit_key(cpu, &thread, kind) else {
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
        let Some(rax) = cpu.reg(RAX) else {
            self.publish(cpu, pending, None, CallEnd::Unfinished, Some(hook.ts), bus);
            return;
        };
        let ret = match pending.abi {
            Abi::X86_64 => rax as i64,
            // eax: an error in -4095..=-1, any other value unsigned (an mmap2 address above 2 GiB).
            Abi::I386 => match rax as u32 as i32 {
                e @ -4095..=-1 => i64::from(e),
                _ => i64::from(rax as u32),
            },
        };
        self.publish(
            cpu,
            pending,
            Some(ret),
            CallEnd::Returned,
            Some(hook.ts),
            bus,
        );
    }

    fn publish(
        &self,
        cpu: &mut dyn GuestCpu,
        p: Pending,
        ret: Option<i64>,
        end: CallEnd,
        ts_exit: Option<u64>,
        bus: &mut Bus,
    ) {
        let d = syscalls::decode_exit(&self.opts, p.call, ret, cpu);
        bus.publish(Event::Syscall(SyscallEvent {
            ts: p.ts,
            ts_exit,
            vcpu: p.vcpu,
            thread: p.thread,
            abi: p.abi,
            entry: p.entry,
            nr: p.nr,
            name: d.name,
            args: d.args,
            raw: p.raw.to_vec(),
            ret,
            ret_text: d.ret_text,
            end,
        }));
    }
}

/// Reads the six argument registers of `abi` for an entry by `kind`.
///
/// 32-bit code entering through the vDSO moves arguments around: `syscall` from compatibility mode
/// carries the second argument in ebp (ecx is clobbered by the instruction) and the sixth on the user
/// stack; `sysenter` also finds the sixth on the user stack.
fn read_args(cpu: &mut dyn GuestCpu, abi: Abi, kind: EntryKind) -> [u64; 6] {
    let mut r = |reg| cpu.reg(reg).unwrap_or(0);
    match abi {
        Abi::X86_64 => [r(RDI), r(RSI), r(RDX), r(R10), r(R8), r(R9)],
        Abi::I386 => {
            let lo = |v: u64| v & 0xffff_ffff;
            let (a1, a3, a4, a5) = (lo(r(RBX)), lo(r(RDX)), lo(r(RSI)), lo(r(RDI)));
            match kind {
                EntryKind::Int80 => [a1, lo(r(RCX)), a3, a4, a5, lo(r(RBP))],
                EntryKind::Syscall => {
                    let a2 = lo(r(RBP));
                    let sp = lo(r(RSP));
                    let a6 = cpu.read_u32(sp).map(u64::from).unwrap_or(0);
                    [a1, a2, a3, a4, a5, a6]
                }
                EntryKind::Sysenter => {
                    let a2 = lo(r(RCX));
                    let sp = lo(r(RSP));
                    let a6 = cpu.read_u32(sp).map(u64::from).unwrap_or(0);
                    [a1, a2, a3, a4, a5, a6]
                }
            }
        }
    }
}

fn entry_key(cpu: &mut dyn GuestCpu, thread: &ThreadCtx) -> Option<Key> {
    if thread.task != 0 {
        return Some(Key::Task(thread.task));
    }
    Some(Key::Stack {
        asid: thread.asid,
        rsp: cpu.reg(RSP)?,
    })
}

fn exit_key(cpu: &mut dyn GuestCpu, thread: &ThreadCtx, kind: ExitKind) -> Option<Key> {
    if thread.task != 0 {
        return Some(Key::Task(thread.task));
    }
    // The user stack pointer the kernel is about to restore.
    let rsp = match kind {
        ExitKind::Sysret { .. } => cpu.reg(RSP)?,
        ExitKind::Sysexit { .. } => cpu.reg(RCX)?,
        ExitKind::Iret { wide: true } => {
            let sp = cpu.reg(RSP)?;
            cpu.read_u64(sp.wrapping_add(24))?
        }
        ExitKind::Iret { wide: false } => {
            let sp = cpu.reg(RSP)?;
            u64::from(cpu.read_u32(sp.wrapping_add(12))?)
        }
    };
    Some(Key::Stack {
        asid: thread.asid,
        rsp,
    })
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
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        // Calls still in flight: flushed as unfinished, oldest first. Their output arguments cannot be
        // read any more (no vCPU context), so they stay as entry rendered them.
        let mut all: Vec<Pending> = self
            .shards
            .iter()
            .flat_map(|s| {
                std::mem::take(&mut *s.lock().unwrap_or_else(PoisonError::into_inner))
                    .into_values()
                    .collect::<Vec<_>>()
            })
            .collect();
        all.sort_by_key(|p| p.ts);
        let mut no_memory = vmscope_core::guest::Unreadable;
        for p in all {
            self.publish(&mut no_memory, p, None, CallEnd::Unfinished, None, bus);
        }
    }
}
