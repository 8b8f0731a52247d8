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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use vmscope_core::arch::x86_64::{
    CS, R8, R9, R10, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, USER32_CS,
};
use vmscope_core::arch::{EntryKind, ExitKind};
use vmscope_core::event::{Abi, CallEnd, Event, Notice, SyscallEvent, ThreadCtx};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};
use vmscope_linux::signal as linux_signal;
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
    /// Address of the entry instruction and its length: where the call returns to is derived from it.
    pc: u64,
    len: u8,
    thread: ThreadCtx,
    abi: Abi,
    entry: EntryKind,
    nr: u64,
    raw: [u64; 6],
    call: PendingCall,
}

/// Pending calls by thread. foldhash, seeded per run: SipHash cost more than the rest of the lookup,
/// and the table is bounded anyway ([`MAX_PENDING_PER_SHARD`]), so a guest crafting collisions only
/// slows itself.
type PendingMap = HashMap<Key, Pending, foldhash::fast::RandomState>;

/// The syscall detector module.
pub struct Syscalls {
    opts: DecodeOptions,
    shards: Vec<Mutex<PendingMap>>,
    hasher: foldhash::fast::RandomState,
    /// Calls in flight now, and the most there ever were: reported at the end, so the bound on
    /// vmscope's state can be checked from the journal.
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

impl Syscalls {
    /// The module's name.
    pub const NAME: &'static str = "syscalls";

    /// A detector decoding with `opts`.
    pub fn new(opts: DecodeOptions) -> Self {
        Self {
            opts,
            shards: (0..SHARDS)
                .map(|_| Mutex::new(PendingMap::default()))
                .collect(),
            hasher: foldhash::fast::RandomState::default(),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
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
        let Some((abi, nr)) = entering_call(cpu, kind) else {
            return;
        };
        // Only the registers the call takes (all six for a number the table lacks): each read is a
        // trip through QEMU's register interface.
        let nargs = syscalls::lookup(abi, nr).map_or(6, |d| usize::from(d.nargs).min(6));
        let raw = read_args(cpu, abi, kind, nargs);
        let thread = hook.thread.clone().unwrap_or_default();
        let Some(key) = entry_key(cpu, &thread) else {
            return;
        };
        let call = syscalls::decode_entry(&self.opts, abi, nr, &raw, cpu);
        let pending = Pending {
            ts: hook.ts,
            vcpu: hook.vcpu,
            pc: hook.pc,
            len: hook.len,
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
            let stale = shard.insert(key, pending);
            if stale.is_none() && evicted.is_none() {
                let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                self.peak.fetch_max(now, Ordering::Relaxed);
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
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        // The task object now belongs to another thread (the caller died in its call and the object
        // was reused, e.g. by a fork child whose first return this is): the old call never returned.
        if let (Some(now), Some(then)) = (thread.tid, pending.thread.tid)
            && now != then
        {
            self.publish(cpu, pending, None, CallEnd::Unfinished, None, bus);
            return;
        }
        let Some(rax) = cpu.reg(RAX) else {
            self.publish(cpu, pending, None, CallEnd::Unfinished, Some(hook.ts), bus);
            return;
        };
        let ret = return_value(cpu, &pending, kind, rax);
        let mut pending = pending;
        if ret == 0
            && syscalls::is_execve(pending.abi, pending.nr)
            && let Some((_, sp)) = user_return(cpu, kind)
        {
            // The new image's arguments, for those the old one could not give at entry.
            let frame_cs = cpu.reg(RSP).and_then(|f| cpu.read_u64(f.wrapping_add(8)));
            let wide_iret = matches!(kind, ExitKind::Iret { wide: true });
            let abi = if wide_iret && frame_cs == Some(USER32_CS) {
                Abi::I386
            } else {
                Abi::X86_64
            };
            syscalls::note_new_image(&self.opts, &mut pending.call, abi, sp, cpu);
        }
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
            raw: p.raw,
            ret,
            ret_text: d.ret_text,
            end,
        }));
    }
}

/// The ABI and number of the call being entered by `kind`: i386 for `int 0x80`, `sysenter` and a
/// `syscall` from a 32-bit code segment (a 32-bit process is decoded with the i386 table whatever
/// instruction it uses). `None` when the number register cannot be read. Every module that looks at
/// an entry asks this; the registers are cached for the callback, so only the first pays.
pub(crate) fn entering_call(cpu: &mut dyn GuestCpu, kind: EntryKind) -> Option<(Abi, u64)> {
    let rax = cpu.reg(RAX)?;
    let abi = match kind {
        EntryKind::Int80 | EntryKind::Sysenter => Abi::I386,
        EntryKind::Syscall if cpu.reg(CS) == Some(USER32_CS) => Abi::I386,
        EntryKind::Syscall => Abi::X86_64,
    };
    let nr = match abi {
        Abi::X86_64 => rax,
        Abi::I386 => rax & 0xffff_ffff,
    };
    Some((abi, nr))
}

/// Normalizes a raw return register: i386 values are 32-bit, an error in -4095..=-1 and any other
/// value unsigned (an mmap2 address above 2 GiB).
fn normalize(abi: Abi, ax: u64) -> i64 {
    match abi {
        Abi::X86_64 => ax as i64,
        Abi::I386 => match ax as u32 as i32 {
            e @ -4095..=-1 => i64::from(e),
            _ => i64::from(ax as u32),
        },
    }
}

/// `-ERESTARTSYS`: the call was interrupted and is to be restarted (strace: `? ERESTARTSYS`).
const ERESTARTSYS: i64 = -512;
/// `-ERESTART_RESTARTBLOCK`: restarted through `restart_syscall`.
const ERESTART_RESTARTBLOCK: i64 = -516;

/// Where the kernel is about to return to in user mode: (instruction pointer, stack pointer).
fn user_return(cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<(u64, u64)> {
    match kind {
        ExitKind::Sysret { wide } => {
            let ip = cpu.reg(RCX)?;
            let sp = cpu.reg(RSP)?;
            Some(if wide {
                (ip, sp)
            } else {
                (ip & 0xffff_ffff, sp & 0xffff_ffff)
            })
        }
        ExitKind::Sysexit { .. } => Some((cpu.reg(RDX)?, cpu.reg(RCX)?)),
        ExitKind::Iret { wide: true } => {
            let frame = cpu.reg(RSP)?;
            Some((cpu.read_u64(frame)?, cpu.read_u64(frame.wrapping_add(24))?))
        }
        ExitKind::Iret { wide: false } => {
            let frame = cpu.reg(RSP)?;
            Some((
                u64::from(cpu.read_u32(frame)?),
                u64::from(cpu.read_u32(frame.wrapping_add(12))?),
            ))
        }
    }
}

/// The call's own return value, as strace reports it.
///
/// Usually the return register. But the first return to user mode after a call is not always to the
/// call site: a signal delivered on the way out enters the handler (with `ax` cleared; the call's
/// value is in the signal frame), and a call to be restarted returns to the entry instruction itself
/// (with `ax` holding the call number again). Where the thread resumes tells which:
/// - 64-bit `syscall` and `int 0x80` return after the instruction and restart at it;
/// - 32-bit calls through the vDSO (`sysenter`, compat `syscall`) return to the landing pad after the
///   vDSO's `int $0x80` fallback and restart at that `int $0x80`.
///
/// `execve` returns to the new program's entry and the sigreturn calls to the interrupted code: their
/// return register is taken as it is.
fn return_value(cpu: &mut dyn GuestCpu, p: &Pending, kind: ExitKind, ax: u64) -> i64 {
    let plain = normalize(p.abi, ax);
    let name = syscalls::lookup(p.abi, p.nr).map(|d| d.name).unwrap_or("");
    if syscalls::is_execve(p.abi, p.nr) || matches!(name, "rt_sigreturn" | "sigreturn") {
        return plain;
    }
    // Linux leaves by `sysret`/`sysexit` only when the thread resumes exactly where the call
    // returns (64-bit: rcx == rip; 32-bit fast calls: the vDSO's landing pad). A signal handler or a
    // restart moves the instruction pointer and forces `iret`. So these return plainly, and the
    // registers that would tell are not read.
    if matches!(kind, ExitKind::Sysret { .. } | ExitKind::Sysexit { .. }) {
        return plain;
    }
    let Some((ip, sp)) = user_return(cpu, kind) else {
        return plain;
    };
    let after = p.pc.wrapping_add(u64::from(p.len));
    let vdso32 = p.abi == Abi::I386 && p.entry != EntryKind::Int80;
    let (normal_ip, restart_ip) = if vdso32 {
        (after.wrapping_add(2), after)
    } else {
        (after, p.pc)
    };
    let restarted = |ax: u64| -> i64 {
        let restart_block = ax != p.nr
            && syscalls::lookup(p.abi, ax & 0xffff_ffff)
                .is_some_and(|d| d.name == "restart_syscall");
        if restart_block {
            ERESTART_RESTARTBLOCK
        } else {
            ERESTARTSYS
        }
    };
    // Code shared between address spaces (the vDSO, libraries) is translated once, so the entry's
    // address may be that of another mapping of the same page: an address at the same offset in its
    // page counts when the instruction there (or just before, for a return) enters the kernel.
    let at = |cpu: &mut dyn GuestCpu, a: u64, b: u64, back: u64| {
        let mut insn = [0u8; 2];
        a == b
            || ((a ^ b) & 0xfff == 0
                && cpu.read(a.wrapping_sub(back), &mut insn)
                && matches!(insn, [0x0f, 0x05] | [0xcd, 0x80] | [0x0f, 0x34]))
    };
    if at(cpu, ip, normal_ip, 2) {
        return plain;
    }
    if at(cpu, ip, restart_ip, 0) {
        return restarted(ax);
    }
    // Into a signal handler: the frame on the user stack holds the call's context. A call the
    // handler interrupted shows the code the kernel returned before turning it into EINTR.
    for ctx in linux_signal::saved_contexts(cpu, p.abi, sp) {
        if at(cpu, ctx.ip, normal_ip, 2) {
            let v = normalize(p.abi, ctx.ax);
            return syscalls::interrupted_code(p.abi, p.nr, &p.raw, v).unwrap_or(v);
        }
        if at(cpu, ctx.ip, restart_ip, 0) {
            return restarted(ctx.ax);
        }
    }
    plain
}

/// Reads the first `n` argument registers of `abi` for an entry by `kind`; the others stay 0.
///
/// 32-bit code entering through the vDSO moves arguments around: `syscall` from compatibility mode
/// carries the second argument in ebp (ecx is clobbered by the instruction) and the sixth on the user
/// stack; `sysenter` also finds the sixth on the user stack.
pub(crate) fn read_args(cpu: &mut dyn GuestCpu, abi: Abi, kind: EntryKind, n: usize) -> [u64; 6] {
    /// Where an argument is: a register, or the 32-bit word at the user stack pointer.
    #[derive(Clone, Copy)]
    enum At {
        Reg(vmscope_core::guest::Reg),
        Stack,
    }
    let at: [At; 6] = match (abi, kind) {
        (Abi::X86_64, _) => [RDI, RSI, RDX, R10, R8, R9].map(At::Reg),
        (Abi::I386, EntryKind::Int80) => [RBX, RCX, RDX, RSI, RDI, RBP].map(At::Reg),
        (Abi::I386, EntryKind::Syscall) => {
            let r = At::Reg;
            [r(RBX), r(RBP), r(RDX), r(RSI), r(RDI), At::Stack]
        }
        (Abi::I386, EntryKind::Sysenter) => {
            let r = At::Reg;
            [r(RBX), r(RCX), r(RDX), r(RSI), r(RDI), At::Stack]
        }
    };
    let mut raw = [0u64; 6];
    for (slot, &where_) in raw.iter_mut().zip(&at).take(n) {
        *slot = match where_ {
            At::Reg(reg) => cpu.reg(reg).unwrap_or(0),
            At::Stack => cpu
                .reg(RSP)
                .and_then(|sp| cpu.read_u32(sp & 0xffff_ffff))
                .map_or(0, u64::from),
        };
        if abi == Abi::I386 {
            *slot &= 0xffff_ffff;
        }
    }
    raw
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
            HookPoint::PageTableSwitch => {}
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
        bus.publish(Event::Notice(Notice {
            ts: vmscope_core::clock::now_ns(),
            source: Self::NAME.to_string(),
            level: "info",
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
    use vmscope_core::arch::x86_64::{CS, RIP};
    use vmscope_core::guest::TestGuest;

    const SITE: u64 = 0x40_1000;

    fn det() -> Syscalls {
        Syscalls::new(DecodeOptions { string_limit: 32 })
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

    fn hook(point: HookPoint, pc: u64, t: Option<ThreadCtx>) -> Hook {
        Hook {
            ts: 1,
            vcpu: 0,
            pc,
            len: 2,
            point,
            to_user: Some(true),
            thread: t,
        }
    }

    /// A 64-bit `syscall` at SITE with number `nr` and first argument `a0`.
    fn enter(s: &Syscalls, g: &mut TestGuest, t: ThreadCtx, nr: u64, a0: u64) -> Vec<Event> {
        g.set_reg(RAX, nr)
            .set_reg(RDI, a0)
            .set_reg(CS, 0x33)
            .set_reg(RSP, 0x7ffc_0000_1000);
        let mut bus = Bus::default();
        s.on_hook(
            g,
            &mut hook(HookPoint::Entry(EntryKind::Syscall), SITE, Some(t)),
            &mut bus,
        );
        bus.take()
    }

    /// A `sysretq` returning `ret` to user `ip`.
    fn leave(s: &Syscalls, g: &mut TestGuest, t: ThreadCtx, ret: u64, ip: u64) -> Vec<Event> {
        g.set_reg(RAX, ret)
            .set_reg(RCX, ip)
            .set_reg(RSP, 0x7ffc_0000_1000);
        let mut bus = Bus::default();
        let kind = ExitKind::Sysret { wide: true };
        s.on_hook(
            g,
            &mut hook(HookPoint::Exit(kind), 0xffff_ffff_8100_0000, Some(t)),
            &mut bus,
        );
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
        assert_eq!(call(&ev).ret_text, "?");
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
        assert_eq!(call(&ev).ret, Some(ERESTARTSYS));
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
        s.on_hook(
            &mut g,
            &mut hook(
                HookPoint::Entry(EntryKind::Int80),
                0x0804_9000,
                Some(thread(0xa000, 1)),
            ),
            &mut bus,
        );
        // iret back to 0x08049002 with eax = -2 (ENOENT) as a 32-bit value.
        let frame = 0xffff_c900_0000_0f00u64;
        g.write_u64(frame, 0x0804_9002)
            .write_u64(frame + 8, 0x23)
            .write_u64(frame + 24, 0xffd0_0000);
        g.set_reg(RAX, 0xffff_fffe)
            .set_reg(RSP, frame)
            .set_reg(RIP, 0);
        let kind = ExitKind::Iret { wide: true };
        s.on_hook(
            &mut g,
            &mut hook(
                HookPoint::Exit(kind),
                0xffff_ffff_8100_0000,
                Some(thread(0xa000, 1)),
            ),
            &mut bus,
        );
        let c = call(bus.events());
        assert_eq!(c.abi, Abi::I386);
        assert_eq!(c.name, "open");
        assert_eq!(c.args[0], "\"/etc/fstab\"");
        assert_eq!(c.ret, Some(-2));
        assert!(c.ret_text.starts_with("-1 ENOENT"), "{}", c.ret_text);
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
    fn the_pending_table_is_bounded() {
        let s = det();
        let mut g = TestGuest::new();
        let mut reported = 0;
        for i in 0..(SHARDS * MAX_PENDING_PER_SHARD + 100) as u64 {
            reported += enter(&s, &mut g, thread(0x10_0000 + i * 0x1000, 1), 0, 0).len();
        }
        assert!(s.pending() <= SHARDS * MAX_PENDING_PER_SHARD);
        assert!(reported >= 100);
    }
}
