//! Reading tasks out of a running guest: the per-CPU area, the current task, its identity, its address
//! space and the list of all tasks.
//!
//! Everything here reads hostile memory through [`GuestMemory`]/[`GuestCpu`]: every function returns
//! `None` rather than trusting a pointer that is not a kernel address, and every walk is bounded and
//! cycle-checked. These run on every system call, so each does as few guest reads as it can.

use std::collections::HashSet;

use vmscope_core::guest::{GuestCpu, GuestMemory, Reg};

use crate::btf::{CurrentTaskVia, KernelLayout};

/// The lowest x86_64 kernel address (5-level paging: the upper half starts at `0xff00_0000_0000_0000`,
/// and 4-level kernels live above that too).
const KERNEL_START: u64 = 0xff00_0000_0000_0000;

/// The lowest kernel address of a 32-bit kernel with Linux's default 3G/1G split (`PAGE_OFFSET`).
const KERNEL_START_32: u64 = 0xc000_0000;

/// True when `addr` is in the kernel half of the x86_64 address space.
pub fn is_kernel_addr(addr: u64) -> bool {
    addr >= KERNEL_START
}

/// The largest KASLR slide looked for on a kernel whose per-CPU variables have link addresses
/// (i386: `KERNEL_IMAGE_SIZE`, 512 MiB).
const SLIDE_MAX: u64 = 512 << 20;
/// The step of that search: the smallest `CONFIG_PHYSICAL_ALIGN` a distribution uses (2 MiB;
/// Debian's 686-pae kernel moves by 16 MiB).
const SLIDE_STEP: u64 = 2 << 20;

impl KernelLayout {
    /// True when `addr` is a kernel address of this kernel: the upper half of the 64-bit address space,
    /// or above `PAGE_OFFSET` (3 GiB) on a 32-bit kernel.
    pub fn is_kernel_addr(&self, addr: u64) -> bool {
        if self.pointer_size == 4 {
            (KERNEL_START_32..=0xffff_ffff).contains(&addr)
        } else {
            addr >= KERNEL_START
        }
    }

    /// A kernel pointer that may point at a structure: a kernel address aligned to the pointer size.
    pub fn is_kernel_ptr(&self, addr: u64) -> bool {
        self.is_kernel_addr(addr) && addr.is_multiple_of(u64::from(self.pointer_size.max(1)))
    }

    /// Reads a kernel pointer (or `unsigned long`) of this kernel's size at `at`.
    pub fn read_ptr<M: GuestMemory + ?Sized>(&self, mem: &mut M, at: u64) -> Option<u64> {
        crate::kspace::read_word(mem, self.pointer_size, at)
    }

    /// `base + off` in the kernel's address arithmetic (wrapping at 4 GiB on a 32-bit kernel, whose
    /// per-CPU offsets plus link addresses do).
    fn percpu_addr(&self, base: u64, off: u64) -> Option<u64> {
        if self.pointer_size == 4 {
            Some(base.wrapping_add(off) & 0xffff_ffff)
        } else {
            base.checked_add(off)
        }
    }

    /// Whether the per-CPU variables' offsets are link addresses, which move with a relocated
    /// (KASLR) kernel (i386); x86_64's are zero-based and never move.
    pub fn percpu_moves_with_kernel(&self) -> bool {
        self.percpu.section_addr != 0 && self.percpu.current_task_via != CurrentTaskVia::Register
    }
}

/// Whether `base` may be a per-CPU base: a kernel address on 64-bit kernels; on 32-bit ones, whose
/// bases are offsets added to link addresses, anything but 0 (user mode's `%fs`, and the boot CPU's
/// static image before the per-CPU areas are set up).
fn may_be_percpu_base(layout: &KernelLayout, base: u64) -> bool {
    if layout.pointer_size == 4 {
        base != 0 && base <= 0xffff_ffff
    } else {
        is_kernel_addr(base)
    }
}

/// Whether `base` is the per-CPU base of a CPU of the running kernel moved by `slide`: its
/// `this_cpu_off` holds `base` itself (one read).
pub fn is_percpu_base<M: GuestMemory + ?Sized>(
    mem: &mut M,
    layout: &KernelLayout,
    base: u64,
    slide: u64,
) -> bool {
    may_be_percpu_base(layout, base)
        && layout
            .percpu_addr(base, layout.percpu.this_cpu_off.wrapping_add(slide))
            .and_then(|slot| layout.read_ptr(mem, slot))
            == Some(base)
}

/// Finds the per-CPU base of the vCPU: whichever of the registers `regs` (the architecture's
/// candidates, e.g. x86's `gs_base` and `k_gs_base`, i386's `fs_base`) holds a base whose
/// `this_cpu_off` holds itself ([`is_percpu_base`]; `slide` from [`percpu_slide`]). Which register has
/// it depends on where the vCPU is (before or after `swapgs`), and user code can set GS to anything
/// with FSGSBASE, hence the check.
pub fn percpu_base<C: GuestCpu + ?Sized>(
    cpu: &mut C,
    layout: &KernelLayout,
    regs: [Option<Reg>; 2],
    slide: u64,
) -> Option<u64> {
    for reg in regs.into_iter().flatten() {
        let Some(base) = cpu.reg(reg) else { continue };
        if is_percpu_base(cpu, layout, base, slide) {
            return Some(base);
        }
    }
    None
}

/// How far the running kernel was moved from its link addresses (KASLR), as far as per-CPU variables
/// are concerned, given a candidate per-CPU base `base` (a register that may hold it, read in the
/// kernel). 0 for kernels whose per-CPU offsets do not move (x86_64). On a kernel whose do (i386) the
/// slide is the multiple of 2 MiB below 512 MiB that makes `base` pass [`is_percpu_base`] and whose
/// current-task slot holds a kernel pointer: at most 256 reads, done once per run by the caller.
pub fn percpu_slide<M: GuestMemory + ?Sized>(
    mem: &mut M,
    layout: &KernelLayout,
    base: u64,
) -> Option<u64> {
    if !layout.percpu_moves_with_kernel() {
        return Some(0);
    }
    if !may_be_percpu_base(layout, base) {
        return None;
    }
    (0..SLIDE_MAX / SLIDE_STEP)
        .map(|k| k * SLIDE_STEP)
        .find(|&slide| {
            is_percpu_base(mem, layout, base, slide)
                && current_task(mem, base, layout, slide).is_some()
        })
}

/// Reads the current task pointer of the CPU whose per-CPU base is `percpu_base`, on a kernel moved by
/// `slide` ([`percpu_slide`]; 0 on x86_64).
pub fn current_task<M: GuestMemory + ?Sized>(
    mem: &mut M,
    percpu_base: u64,
    layout: &KernelLayout,
    slide: u64,
) -> Option<u64> {
    let slot = layout.percpu_addr(percpu_base, layout.percpu.current_task.wrapping_add(slide))?;
    layout
        .read_ptr(mem, slot)
        .filter(|&t| layout.is_kernel_ptr(t))
}

/// Who a task is: its process id, thread id and command name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskIdent {
    /// The process id (the kernel's `tgid`).
    pub pid: u32,
    /// The thread id (the kernel's `pid`).
    pub tid: u32,
    /// `comm`, NUL-padded.
    pub comm: [u8; 16],
}

impl TaskIdent {
    /// The command name up to its first NUL, invalid UTF-8 replaced.
    pub fn comm_lossy(&self) -> String {
        let end = self.comm.iter().position(|&b| b == 0).unwrap_or(16);
        String::from_utf8_lossy(&self.comm[..end]).into_owned()
    }
}

/// The span of `task_struct` read at once by [`read_task_ident`] when pid, tgid and comm are close.
const IDENT_SPAN_MAX: usize = 1024;

/// Reads a task's pid, tgid and comm, in one guest read when they are within [`IDENT_SPAN_MAX`] bytes
/// of each other (they are on every kernel seen so far).
pub fn read_task_ident<M: GuestMemory + ?Sized>(
    mem: &mut M,
    task: u64,
    layout: &KernelLayout,
) -> Option<TaskIdent> {
    if !layout.is_kernel_ptr(task) {
        return None;
    }
    let t = &layout.task;
    let comm_len = t.comm_len.min(16) as usize;
    let start = t.pid.min(t.tgid).min(t.comm);
    let end = (t.pid + 4).max(t.tgid + 4).max(t.comm + comm_len as u64);
    let span = (end - start) as usize;
    let mut comm = [0u8; 16];
    if span <= IDENT_SPAN_MAX {
        let mut buf = [0u8; IDENT_SPAN_MAX];
        let buf = &mut buf[..span];
        if !mem.read(task.checked_add(start)?, buf) {
            return None;
        }
        let at = |off: u64| (off - start) as usize;
        let u32_at = |off: u64| {
            let i = at(off);
            u32::from_le_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]])
        };
        let (tid, pid) = (u32_at(t.pid), u32_at(t.tgid));
        comm[..comm_len].copy_from_slice(&buf[at(t.comm)..at(t.comm) + comm_len]);
        Some(TaskIdent { pid, tid, comm })
    } else {
        let tid = mem.read_u32(task.checked_add(t.pid)?)?;
        let pid = mem.read_u32(task.checked_add(t.tgid)?)?;
        if !mem.read(task.checked_add(t.comm)?, &mut comm[..comm_len]) {
            return None;
        }
        Some(TaskIdent { pid, tid, comm })
    }
}

/// The address-space identity of a task: `task->mm->pgd`, the kernel virtual address of its top-level
/// page table. `None` for kernel threads (no `mm`), junk, or a kernel whose BTF lacks `mm`/`pgd`.
///
/// This is a virtual address, not a CR3 value: compare it with other `task_asid` results, not with
/// the architecture's address-space key.
pub fn task_asid<M: GuestMemory + ?Sized>(
    mem: &mut M,
    task: u64,
    layout: &KernelLayout,
) -> Option<u64> {
    if !layout.is_kernel_ptr(task) {
        return None;
    }
    let mm = layout
        .read_ptr(mem, task.checked_add(layout.task.mm?)?)
        .filter(|&p| layout.is_kernel_ptr(p))?;
    layout
        .read_ptr(mem, mm.checked_add(layout.mm.pgd?)?)
        .filter(|&p| layout.is_kernel_addr(p) && p & 0xfff == 0)
}

/// Why [`walk_tasks`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkEnd {
    /// Back at the start: the list was walked completely.
    Complete,
    /// A node was seen twice without coming back to the start (a loop not through the start).
    Loop {
        /// The list node seen twice.
        node: u64,
    },
    /// A pointer that is not a kernel address, an unreadable node, or a `prev` that does not point back.
    Junk {
        /// The node (or pointer) that was wrong.
        node: u64,
    },
    /// The walk reached its `max` tasks.
    Limit,
    /// The kernel's BTF had no `task_struct.tasks`.
    NoLayout,
}

/// The result of [`walk_tasks`]: the tasks found, in list order starting with the start task, and why the
/// walk stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskWalk {
    /// `task_struct` addresses.
    pub tasks: Vec<u64>,
    /// Why the walk stopped.
    pub end: WalkEnd,
}

/// Walks the circular `task_struct.tasks` list from `start_task`, collecting at most `max` tasks.
///
/// The list holds thread-group leaders (processes) and `init_task`. Each step checks that the next node is
/// a readable kernel address whose `prev` points back, and that no node repeats.
pub fn walk_tasks<M: GuestMemory + ?Sized>(
    mem: &mut M,
    start_task: u64,
    layout: &KernelLayout,
    max: usize,
) -> TaskWalk {
    let mut tasks = Vec::new();
    let Some(off) = layout.task.tasks else {
        return TaskWalk {
            tasks,
            end: WalkEnd::NoLayout,
        };
    };
    let junk = |tasks, node| TaskWalk {
        tasks,
        end: WalkEnd::Junk { node },
    };
    let Some(start) = start_task
        .checked_add(off)
        .filter(|_| layout.is_kernel_ptr(start_task))
    else {
        return junk(tasks, start_task);
    };
    let mut seen = HashSet::new();
    seen.insert(start);
    let mut node = start;
    loop {
        if tasks.len() >= max {
            return TaskWalk {
                tasks,
                end: WalkEnd::Limit,
            };
        }
        let Some(next) = layout.read_ptr(mem, node) else {
            return junk(tasks, node);
        };
        tasks.push(node - off);
        if !layout.is_kernel_ptr(next) || next < off {
            return junk(tasks, next);
        }
        if next != start && !seen.insert(next) {
            return TaskWalk {
                tasks,
                end: WalkEnd::Loop { node: next },
            };
        }
        // A real list links back: `next->prev` is this node.
        if layout.read_ptr(mem, next.wrapping_add(u64::from(layout.pointer_size))) != Some(node) {
            return junk(tasks, next);
        }
        if next == start {
            return TaskWalk {
                tasks,
                end: WalkEnd::Complete,
            };
        }
        node = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::arch::x86_64::{GS_BASE, K_GS_BASE};
    use vmscope_core::guest::TestGuest;

    use crate::testing::debian_6_12_layout as layout;

    const PERCPU: u64 = 0xffff_8880_7fc0_0000;
    const GS: [Option<vmscope_core::guest::Reg>; 2] = [Some(GS_BASE), Some(K_GS_BASE)];
    const TASK_A: u64 = 0xffff_8880_0100_0000;
    const TASK_B: u64 = 0xffff_8880_0200_0000;
    const TASK_C: u64 = 0xffff_8880_0300_0000;
    const MM: u64 = 0xffff_8880_0400_0000;
    const PGD: u64 = 0xffff_8880_0500_0000;

    fn task(g: &mut TestGuest, l: &KernelLayout, at: u64, pid: u32, tid: u32, comm: &[u8]) {
        g.write_u32(at + l.task.pid, tid);
        g.write_u32(at + l.task.tgid, pid);
        g.write(at + l.task.comm, comm);
    }

    /// Links tasks into a circular `tasks` list in the given order.
    fn link(g: &mut TestGuest, l: &KernelLayout, ring: &[u64]) {
        let off = l.task.tasks.unwrap_or(0);
        for (i, &t) in ring.iter().enumerate() {
            let next = ring[(i + 1) % ring.len()];
            let prev = ring[(i + ring.len() - 1) % ring.len()];
            g.write_u64(t + off, next + off);
            g.write_u64(t + off + 8, prev + off);
        }
    }

    fn guest() -> (TestGuest, KernelLayout) {
        let l = layout();
        let mut g = TestGuest::new();
        g.write_u64(PERCPU + l.percpu.this_cpu_off, PERCPU);
        g.write_u64(PERCPU + l.percpu.current_task, TASK_A);
        task(&mut g, &l, TASK_A, 100, 101, b"bash\0");
        task(&mut g, &l, TASK_B, 1, 1, b"systemd\0");
        task(&mut g, &l, TASK_C, 0, 0, b"swapper/0\0");
        g.write_u64(TASK_A + 2304, MM);
        g.write_u64(MM + 120, PGD);
        link(&mut g, &l, &[TASK_A, TASK_B, TASK_C]);
        (g, l)
    }

    #[test]
    fn percpu_base_is_found_in_either_gs_register() {
        let (mut g, l) = guest();
        // At a user-mode `syscall`: gs_base is the user's, k_gs_base the kernel's.
        g.set_reg(GS_BASE, 0x7f00_0000_0000);
        g.set_reg(K_GS_BASE, PERCPU);
        assert_eq!(percpu_base(&mut g, &l, GS, 0), Some(PERCPU));
        // After `swapgs`.
        g.set_reg(GS_BASE, PERCPU);
        g.set_reg(K_GS_BASE, 0);
        assert_eq!(percpu_base(&mut g, &l, GS, 0), Some(PERCPU));
    }

    #[test]
    fn percpu_base_rejects_kernel_looking_junk() {
        let (mut g, l) = guest();
        // A kernel address whose this_cpu_off does not hold itself, and an unmapped one.
        g.set_reg(GS_BASE, TASK_B);
        g.set_reg(K_GS_BASE, 0xffff_ffff_ffff_f000);
        assert_eq!(percpu_base(&mut g, &l, GS, 0), None);
        // No registers at all.
        assert_eq!(percpu_base(&mut TestGuest::new(), &l, GS, 0), None);
    }

    #[test]
    fn current_task_and_identity() {
        let (mut g, l) = guest();
        let t = current_task(&mut g, PERCPU, &l, 0);
        assert_eq!(t, Some(TASK_A));
        let id = read_task_ident(&mut g, TASK_A, &l);
        assert_eq!(id.map(|i| (i.pid, i.tid)), Some((100, 101)));
        assert_eq!(id.map(|i| i.comm_lossy()).as_deref(), Some("bash"));
        // A 16-byte comm without NUL.
        g.write(TASK_A + l.task.comm, b"0123456789abcdef");
        let id = read_task_ident(&mut g, TASK_A, &l);
        assert_eq!(
            id.map(|i| i.comm_lossy()).as_deref(),
            Some("0123456789abcdef")
        );
    }

    #[test]
    fn identity_with_far_apart_fields_uses_separate_reads() {
        let (mut g, mut l) = guest();
        l.task.comm = 8000;
        g.write(TASK_A + 8000, b"far\0");
        let id = read_task_ident(&mut g, TASK_A, &l);
        assert_eq!(id.map(|i| i.comm_lossy()).as_deref(), Some("far"));
    }

    /// An i386 kernel's layout: 4-byte pointers, per-CPU variables at link addresses (Debian 6.1
    /// 686-pae: `current_task` at 0xc1e80808).
    fn i386_layout() -> KernelLayout {
        let mut l = layout();
        l.pointer_size = 4;
        l.percpu.section_addr = 0xc1e7_0000;
        l.percpu.current_task = 0xc1e8_0808;
        l.percpu.this_cpu_off = 0xc1e7_f00c;
        l.percpu.current_task_via = CurrentTaskVia::Standalone;
        l
    }

    #[test]
    fn i386_per_cpu_slide_base_and_current_task() {
        let l = i386_layout();
        let mut g = TestGuest::new();
        let (fs, slide, task) = (0x1152_4000u64, 0x0c00_0000u64, 0xcd20_0000u64);
        let at = |v: u64| (fs + v + slide) & 0xffff_ffff;
        g.write_u32(at(l.percpu.this_cpu_off), fs as u32)
            .write_u32(at(l.percpu.current_task), task as u32);
        g.set_reg(GS_BASE, fs);
        assert_eq!(percpu_slide(&mut g, &l, fs), Some(slide));
        assert_eq!(percpu_base(&mut g, &l, GS, slide), Some(fs));
        assert_eq!(current_task(&mut g, fs, &l, slide), Some(task));
        // Without the slide the link address reads nothing; 0 (user mode's %fs) is never a base.
        assert_eq!(current_task(&mut g, fs, &l, 0), None);
        assert_eq!(percpu_slide(&mut g, &l, 0), None);
        assert!(!is_percpu_base(&mut g, &l, 0, slide));
        // A 64-bit address is no 32-bit kernel pointer; 32-bit kernel pointers are.
        assert!(l.is_kernel_ptr(0xc100_0004) && !l.is_kernel_ptr(0xc100_0002));
        assert!(!l.is_kernel_ptr(0xffff_8880_0100_0000) && !l.is_kernel_ptr(0xbfff_f000));
        // The 64-bit layout's per-CPU offsets never move.
        assert_eq!(percpu_slide(&mut g, &layout(), fs), Some(0));
    }

    #[test]
    fn junk_pointers_give_none() {
        let (mut g, l) = guest();
        // The current task slot holds a user address.
        g.write_u64(PERCPU + l.percpu.current_task, 0x4000_0000);
        assert_eq!(current_task(&mut g, PERCPU, &l, 0), None);
        // Unmapped per-CPU area; base that overflows.
        assert_eq!(current_task(&mut g, 0xffff_c900_0000_0000, &l, 0), None);
        assert_eq!(current_task(&mut g, u64::MAX, &l, 0), None);
        // Unmapped, user-space and unaligned tasks.
        assert_eq!(read_task_ident(&mut g, 0xffff_8880_0900_0000, &l), None);
        assert_eq!(read_task_ident(&mut g, 0x1000, &l), None);
        assert_eq!(read_task_ident(&mut g, TASK_A + 1, &l), None);
        assert_eq!(read_task_ident(&mut g, u64::MAX - 7, &l), None);
    }

    #[test]
    fn asid_is_mm_pgd() {
        let (mut g, l) = guest();
        assert_eq!(task_asid(&mut g, TASK_A, &l), Some(PGD));
        // A kernel thread: mm is NULL.
        assert_eq!(task_asid(&mut g, TASK_B, &l), None);
        // A kernel without mm in its BTF.
        let mut degraded = l.clone();
        degraded.task.mm = None;
        assert_eq!(task_asid(&mut g, TASK_A, &degraded), None);
    }

    #[test]
    fn walk_a_complete_list() {
        let (mut g, l) = guest();
        let w = walk_tasks(&mut g, TASK_B, &l, 100);
        assert_eq!(w.tasks, vec![TASK_B, TASK_C, TASK_A]);
        assert_eq!(w.end, WalkEnd::Complete);
        // A single task pointing at itself.
        link(&mut g, &l, &[TASK_A]);
        let w = walk_tasks(&mut g, TASK_A, &l, 100);
        assert_eq!((w.tasks, w.end), (vec![TASK_A], WalkEnd::Complete));
    }

    #[test]
    fn walk_stops_at_the_limit() {
        let (mut g, l) = guest();
        let w = walk_tasks(&mut g, TASK_A, &l, 2);
        assert_eq!((w.tasks.len(), w.end), (2, WalkEnd::Limit));
        let w = walk_tasks(&mut g, TASK_A, &l, 0);
        assert_eq!((w.tasks.len(), w.end), (0, WalkEnd::Limit));
    }

    #[test]
    fn walk_detects_a_loop_not_through_the_start() {
        let (mut g, l) = guest();
        let off = 2224;
        // A -> B -> C -> B: C's next is B again, which is seen before its (inconsistent) prev is checked.
        link(&mut g, &l, &[TASK_A, TASK_B, TASK_C]);
        g.write_u64(TASK_C + off, TASK_B + off);
        let w = walk_tasks(&mut g, TASK_A, &l, 100);
        assert_eq!(w.tasks, vec![TASK_A, TASK_B, TASK_C]);
        assert_eq!(w.end, WalkEnd::Loop { node: TASK_B + off });
    }

    #[test]
    fn walk_stops_when_prev_does_not_point_back() {
        let (mut g, l) = guest();
        let off = 2224;
        // B's prev points at C instead of A.
        g.write_u64(TASK_B + off + 8, TASK_C + off);
        let w = walk_tasks(&mut g, TASK_A, &l, 100);
        assert_eq!(w.tasks, vec![TASK_A]);
        assert_eq!(w.end, WalkEnd::Junk { node: TASK_B + off });
    }

    #[test]
    fn walk_stops_on_junk() {
        let (mut g, l) = guest();
        let off = 2224;
        // B's next is a user address.
        g.write_u64(TASK_B + off, 0x7fff_0000);
        let w = walk_tasks(&mut g, TASK_A, &l, 100);
        assert_eq!(w.tasks, vec![TASK_A, TASK_B]);
        assert_eq!(w.end, WalkEnd::Junk { node: 0x7fff_0000 });
        // B's next is an unmapped kernel address.
        g.write_u64(TASK_B + off, 0xffff_8880_0900_0000);
        let w = walk_tasks(&mut g, TASK_A, &l, 100);
        assert!(matches!(w.end, WalkEnd::Junk { .. }));
        // The start itself is junk.
        let w = walk_tasks(&mut g, 0x1234, &l, 100);
        assert_eq!((w.tasks.len(), w.end), (0, WalkEnd::Junk { node: 0x1234 }));
        let w = walk_tasks(&mut g, 0xffff_8880_0900_0000, &l, 100);
        assert!(matches!(w.end, WalkEnd::Junk { .. }));
    }

    #[test]
    fn walk_without_tasks_member_says_so() {
        let (mut g, mut l) = guest();
        l.task.tasks = None;
        assert_eq!(walk_tasks(&mut g, TASK_A, &l, 10).end, WalkEnd::NoLayout);
    }
}
