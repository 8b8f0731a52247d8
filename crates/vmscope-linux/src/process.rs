//! Processes as the kernel keeps them: a task's parent, state and address space, its command line and
//! the file name it was started with, its threads, the list of every process; and the ABI facts the
//! process monitor decodes (clone flags, wait statuses, `siginfo` of `waitid`, signal names).
//!
//! Like [`crate::task`], everything reads hostile memory: every pointer is checked to be a kernel
//! address before it is followed, every list walk is bounded and cycle-checked, every read may fail.

use std::collections::HashSet;

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

use crate::btf::KernelLayout;
use crate::syscalls::Call;
use crate::task::{self, TaskWalk, WalkEnd};
use crate::uapi::process::{AT_EXECFN, CLONE_VFORK, CLONE_VM};
use crate::uapi::signal::SIGCHLD;

/// Bytes of command line read at most (Linux's `/proc/PID/cmdline` is unbounded; 32 KiB is plenty).
pub const MAX_CMDLINE: usize = 32 * 1024;
/// Arguments kept at most.
pub const MAX_ARGS: usize = 4096;
/// Threads listed per process at most.
pub const MAX_THREADS: usize = 4096;

/// The clone flags a process-creating call used: `fork`, `vfork` imply theirs; `clone` has them in its
/// first argument (both ABIs); `clone3` in the first `u64` of `struct clone_args` at its first argument
/// (read from the caller's memory, still mapped when the call returns). `None` for other calls or an
/// unreadable `clone_args`.
pub fn clone_flags<M: GuestMemory + ?Sized>(mem: &mut M, call: Call, raw: &[u64]) -> Option<u64> {
    match call {
        Call::Fork => Some(SIGCHLD),
        Call::Vfork => Some(CLONE_VM | CLONE_VFORK | SIGCHLD),
        Call::Clone => raw.first().copied(),
        Call::Clone3 => mem.read_u64(*raw.first()?),
        _ => None,
    }
}

/// How a child ended or changed state, from a `wait4` status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitStatus {
    /// `WIFEXITED`: the exit code.
    Exited(u8),
    /// `WIFSIGNALED`: the signal and whether a core was dumped.
    Signaled {
        /// Signal number.
        signal: u8,
        /// `WCOREDUMP`.
        core: bool,
    },
    /// `WIFSTOPPED`: the stopping signal (not an end).
    Stopped(u8),
    /// `WIFCONTINUED` (not an end).
    Continued,
}

impl WaitStatus {
    /// Decodes a status word as `<sys/wait.h>` does.
    pub fn from_raw(st: u32) -> Self {
        let low = (st & 0x7f) as u8;
        if st == 0xffff {
            WaitStatus::Continued
        } else if low == 0 {
            WaitStatus::Exited(((st >> 8) & 0xff) as u8)
        } else if low == 0x7f {
            WaitStatus::Stopped(((st >> 8) & 0xff) as u8)
        } else {
            WaitStatus::Signaled {
                signal: low,
                core: st & 0x80 != 0,
            }
        }
    }
}

/// What `waitid` reports in its `siginfo_t`: the child and how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitidInfo {
    /// `si_pid`.
    pub pid: u32,
    /// The end (`None`: a stop or continue, or an unknown `si_code`).
    pub status: Option<WaitStatus>,
}

/// Reads the `siginfo_t` `waitid` filled at `addr`. The layout is the kernel ABI: `si_signo`, `si_errno`,
/// `si_code` (3 ints), then the union, 8-byte aligned on x86_64 (offset 16) and 4 on i386 (12); the
/// `SIGCHLD` member is `si_pid`, `si_uid`, `si_status`.
pub fn read_waitid_info<M: GuestMemory + ?Sized>(
    mem: &mut M,
    abi: Abi,
    addr: u64,
) -> Option<WaitidInfo> {
    const CLD_EXITED: u32 = 1;
    const CLD_KILLED: u32 = 2;
    const CLD_DUMPED: u32 = 3;
    let union = match abi {
        Abi::X86_64 | Abi::Aarch64 => 16,
        Abi::I386 => 12,
    };
    let code = mem.read_u32(addr.checked_add(8)?)?;
    let pid = mem.read_u32(addr.checked_add(union)?)?;
    let st = mem.read_u32(addr.checked_add(union + 8)?)?;
    let status = match code {
        CLD_EXITED => Some(WaitStatus::Exited(st as u8)),
        CLD_KILLED => Some(WaitStatus::Signaled {
            signal: st as u8,
            core: false,
        }),
        CLD_DUMPED => Some(WaitStatus::Signaled {
            signal: st as u8,
            core: true,
        }),
        _ => None,
    };
    (pid != 0).then_some(WaitidInfo { pid, status })
}

/// A signal's name (x86 numbering, the kernel ABI): `SIGKILL`, `SIGRT_3`, or the number, as strace
/// prints it (the decoder's own table).
pub fn signal_name(n: u8) -> String {
    crate::syscalls::signal_text(u64::from(n))
}

/// A task's run state word (`__state`, or `state` before 5.14) as a word: `running`, `sleeping`,
/// `disk_sleep`, `stopped`, `traced`, `parked`, `idle`, `dead`, or the hex value.
pub fn state_name(state: u64) -> String {
    const TASK_INTERRUPTIBLE: u64 = 0x1;
    const TASK_UNINTERRUPTIBLE: u64 = 0x2;
    const TASK_STOPPED: u64 = 0x4;
    const TASK_TRACED: u64 = 0x8;
    const EXIT_DEAD: u64 = 0x10;
    const EXIT_ZOMBIE: u64 = 0x20;
    const TASK_PARKED: u64 = 0x40;
    const TASK_DEAD: u64 = 0x80;
    const TASK_NOLOAD: u64 = 0x400;
    let s = match state {
        0 => "running",
        _ if state & (TASK_DEAD | EXIT_DEAD) != 0 => "dead",
        _ if state & EXIT_ZOMBIE != 0 => "zombie",
        _ if state & TASK_PARKED != 0 => "parked",
        _ if state & TASK_TRACED != 0 => "traced",
        _ if state & TASK_STOPPED != 0 => "stopped",
        _ if state & TASK_UNINTERRUPTIBLE != 0 && state & TASK_NOLOAD != 0 => "idle",
        _ if state & TASK_UNINTERRUPTIBLE != 0 => "disk_sleep",
        _ if state & TASK_INTERRUPTIBLE != 0 => "sleeping",
        _ => return format!("{state:#x}"),
    };
    s.to_string()
}

/// What the kernel says about one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    /// The `task_struct` address.
    pub task: u64,
    /// Process id (`tgid`).
    pub pid: u32,
    /// Thread id (`pid`).
    pub tid: u32,
    /// The parent process (`real_parent->tgid`); `None` when unreadable or missing from BTF.
    pub ppid: Option<u32>,
    /// Command name.
    pub comm: String,
    /// Run state word.
    pub state: Option<u64>,
    /// `mm` (0 for kernel threads); `None` when unreadable or missing from BTF.
    pub mm: Option<u64>,
}

fn read_ptr<M: GuestMemory + ?Sized>(mem: &mut M, layout: &KernelLayout, addr: u64) -> Option<u64> {
    layout
        .read_ptr(mem, addr)
        .filter(|&p| layout.is_kernel_ptr(p))
}

/// The parent process id: `task->real_parent->tgid`.
pub fn parent_pid<M: GuestMemory + ?Sized>(
    mem: &mut M,
    task: u64,
    layout: &KernelLayout,
) -> Option<u32> {
    let parent = read_ptr(mem, layout, task.checked_add(layout.task.real_parent?)?)?;
    mem.read_u32(in_space(layout, parent.checked_add(layout.task.tgid)?, 4)?)
}

/// `at`, when `len` bytes there are in the kernel's address space (a 32-bit kernel's ends at 4 GiB:
/// a junk pointer near its top plus an offset is in no memory of the kernel's).
fn in_space(layout: &KernelLayout, at: u64, len: u64) -> Option<u64> {
    crate::kspace::fits(layout.pointer_size, at, len).then_some(at)
}

/// `task->mm`: 0 for a kernel thread, `None` when unreadable or not a kernel pointer.
pub fn task_mm<M: GuestMemory + ?Sized>(
    mem: &mut M,
    task: u64,
    layout: &KernelLayout,
) -> Option<u64> {
    let mm = layout.read_ptr(mem, task.checked_add(layout.task.mm?)?)?;
    (mm == 0 || layout.is_kernel_ptr(mm)).then_some(mm)
}

/// Reads a task's identity, parent, state and address space.
pub fn read_task_info<M: GuestMemory + ?Sized>(
    mem: &mut M,
    task: u64,
    layout: &KernelLayout,
) -> Option<TaskInfo> {
    let ident = task::read_task_ident(mem, task, layout)?;
    let state = layout.task.state.and_then(|f| {
        let at = task.checked_add(f.offset)?;
        match f.size {
            4 => mem.read_u32(at).map(u64::from),
            8 => mem.read_u64(at),
            _ => None,
        }
    });
    Some(TaskInfo {
        task,
        pid: ident.pid,
        tid: ident.tid,
        ppid: parent_pid(mem, task, layout),
        comm: ident.comm_lossy(),
        state,
        mm: task_mm(mem, task, layout),
    })
}

/// Reads `len` bytes at `addr` page by page, stopping at the first unreadable page.
fn read_prefix<M: GuestMemory + ?Sized>(mem: &mut M, addr: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len.min(4096));
    let mut cur = addr;
    while out.len() < len {
        let want = (0x1000 - (cur & 0xfff) as usize).min(len - out.len());
        let mut chunk = vec![0u8; want];
        if !mem.read(cur, &mut chunk) {
            break;
        }
        out.extend_from_slice(&chunk);
        let Some(next) = cur.checked_add(want as u64) else {
            break;
        };
        cur = next;
    }
    out
}

/// Splits a NUL-separated argument area into strings (invalid UTF-8 replaced).
pub fn split_args(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes
        .split(|&b| b == 0)
        .take(MAX_ARGS)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// The command line of a user process: the strings between `mm->arg_start` and `mm->arg_end`, in the
/// address space current on the vCPU (call it while the task's own address space is loaded, e.g. at its
/// own system call's exit). `None` for kernel threads, missing BTF fields or unreadable memory.
pub fn read_cmdline<M: GuestMemory + ?Sized>(
    mem: &mut M,
    task: u64,
    layout: &KernelLayout,
) -> Option<Vec<String>> {
    let p = &layout.process;
    let mm = task_mm(mem, task, layout).filter(|&m| m != 0)?;
    let start = layout.read_ptr(mem, mm.checked_add(p.mm_arg_start?)?)?;
    let end = layout.read_ptr(mem, mm.checked_add(p.mm_arg_end?)?)?;
    if end <= start || layout.is_kernel_addr(start) {
        return None;
    }
    let len = usize::try_from(end - start).ok()?.min(MAX_CMDLINE);
    let bytes = read_prefix(mem, start, len);
    if bytes.is_empty() {
        return None;
    }
    Some(split_args(&bytes))
}

/// The file name the program was executed with (`AT_EXECFN` in `mm->saved_auxv`, pointing into the new
/// stack), in the address space current on the vCPU. A compat (i386) process has 32-bit auxv entries.
pub fn read_execfn<M: GuestMemory + ?Sized>(
    mem: &mut M,
    task: u64,
    layout: &KernelLayout,
    abi: Abi,
) -> Option<String> {
    let p = &layout.process;
    let mm = task_mm(mem, task, layout).filter(|&m| m != 0)?;
    let auxv = mm.checked_add(p.mm_saved_auxv?)?;
    let word: u64 = match abi {
        Abi::X86_64 | Abi::Aarch64 => 8,
        Abi::I386 => 4,
    };
    // The array holds `mm_saved_auxv_len` unsigned longs; compat entries are packed as 32-bit words.
    let bytes = p
        .mm_saved_auxv_len
        .checked_mul(u64::from(layout.pointer_size))?;
    let pairs = bytes / (2 * word);
    for i in 0..pairs {
        let at = in_space(layout, auxv.checked_add(i * 2 * word)?, 2 * word)?;
        let (key, val) = match abi {
            Abi::X86_64 | Abi::Aarch64 => (mem.read_u64(at)?, mem.read_u64(at + 8)?),
            Abi::I386 => (
                u64::from(mem.read_u32(at)?),
                u64::from(mem.read_u32(at + 4)?),
            ),
        };
        match key {
            0 => return None,
            AT_EXECFN if !layout.is_kernel_addr(val) => {
                let (name, _) = mem.read_cstr(val, 4096)?;
                return Some(String::from_utf8_lossy(&name).into_owned());
            }
            _ => {}
        }
    }
    None
}

/// `task->mm->exe_file`: the `struct file` of the running program (`None` for kernel threads).
pub fn exe_file<M: GuestMemory + ?Sized>(
    mem: &mut M,
    task: u64,
    layout: &KernelLayout,
) -> Option<u64> {
    let mm = task_mm(mem, task, layout).filter(|&m| m != 0)?;
    read_ptr(mem, layout, mm.checked_add(layout.process.mm_exe_file?)?)
}

/// The threads of the process whose leader is `leader`, the leader first: `signal->thread_head` (6.7+)
/// or `thread_group` (before). Bounded by `max` and cycle-checked; just the leader when the kernel's BTF
/// has neither list.
pub fn thread_tasks<M: GuestMemory + ?Sized>(
    mem: &mut M,
    leader: u64,
    layout: &KernelLayout,
    max: usize,
) -> Vec<u64> {
    let p = &layout.process;
    let mut out = vec![leader];
    // (list head address, offset of the node in task_struct)
    let list = if let (Some(sig), Some(head), Some(node)) =
        (p.task_signal, p.signal_thread_head, p.task_thread_node)
    {
        leader
            .checked_add(sig)
            .and_then(|a| read_ptr(mem, layout, a))
            .and_then(|s| s.checked_add(head))
            .map(|h| (h, node, true))
    } else if let Some(tg) = layout.task.thread_group {
        leader.checked_add(tg).map(|h| (h, tg, false))
    } else {
        None
    };
    let Some((head, node_off, separate_head)) = list else {
        return out;
    };
    let mut seen = HashSet::new();
    let mut node = head;
    while out.len() < max {
        let Some(next) = read_ptr(mem, layout, node) else {
            break;
        };
        if next == head
            || !seen.insert(next)
            || layout.read_ptr(mem, next.wrapping_add(u64::from(layout.pointer_size))) != Some(node)
        {
            break;
        }
        let Some(t) = next.checked_sub(node_off) else {
            break;
        };
        // With a separate head the leader is on the list too; without, the walk started at it.
        if !(separate_head && t == leader) {
            out.push(t);
        }
        node = next;
    }
    out
}

/// A process as listed by [`list_processes`]: its leader and its threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    /// The thread-group leader.
    pub leader: TaskInfo,
    /// Every thread, the leader first.
    pub threads: Vec<TaskInfo>,
}

/// Every process and thread, from the kernel's task list, starting at any task (the current one).
/// `max` bounds the processes; each process's threads are bounded by [`MAX_THREADS`].
pub fn list_processes<M: GuestMemory + ?Sized>(
    mem: &mut M,
    start_task: u64,
    layout: &KernelLayout,
    max: usize,
) -> (Vec<ProcessInfo>, WalkEnd) {
    // The current task may be a thread, not on the `tasks` list: start from its group leader.
    let start = layout
        .task
        .group_leader
        .and_then(|g| start_task.checked_add(g))
        .and_then(|a| read_ptr(mem, layout, a))
        .unwrap_or(start_task);
    let TaskWalk { tasks, end } = task::walk_tasks(mem, start, layout, max);
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        let Some(leader) = read_task_info(mem, t, layout) else {
            continue;
        };
        let threads = thread_tasks(mem, t, layout, MAX_THREADS)
            .into_iter()
            .filter_map(|th| {
                if th == t {
                    Some(leader.clone())
                } else {
                    read_task_info(mem, th, layout)
                }
            })
            .collect();
        out.push(ProcessInfo { leader, threads });
    }
    out.sort_by_key(|p| p.leader.pid);
    (out, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uapi::process::CLONE_THREAD;
    use vmscope_core::guest::TestGuest;

    use crate::testing::small_layout as layout;

    const T: u64 = 0xffff_8880_0100_0000;

    /// A 32-bit kernel's parent near the top of the 4 GiB: its `tgid`, past the top, is not read.
    #[test]
    fn i386_parent_past_4_gib_is_not_read() {
        let l = crate::testing::small_layout_i386();
        let (task, parent) = (0xc800_0000u64, 0xffff_fc00u64);
        let parent_field = task + l.task.real_parent.unwrap();
        let mut g = TestGuest::new();
        g.write_u32(parent_field, parent as u32)
            .write_u32(parent + l.task.tgid, 7);
        assert!(parent + l.task.tgid > 0xffff_ffff);
        assert_eq!(parent_pid(&mut g, task, &l), None);
        let low = 0xffff_f000u64;
        g.write_u32(parent_field, low as u32)
            .write_u32(low + l.task.tgid, 7);
        assert_eq!(parent_pid(&mut g, task, &l), Some(7));
    }
    const MM: u64 = 0xffff_8880_0800_0000;
    const SIG: u64 = 0xffff_8880_0900_0000;

    fn t(i: u64) -> u64 {
        T + i * 0x1000
    }

    fn put_task(g: &mut TestGuest, l: &KernelLayout, at: u64, pid: u32, tid: u32, comm: &str) {
        g.write_u32(at + l.task.pid, tid);
        g.write_u32(at + l.task.tgid, pid);
        let mut c = comm.as_bytes().to_vec();
        c.push(0);
        g.write(at + l.task.comm, &c);
        g.write_u32(at + 0x18, 1);
        g.write_u64(at + 0x118, at);
    }

    fn ring(g: &mut TestGuest, nodes: &[u64]) {
        for (i, &n) in nodes.iter().enumerate() {
            g.write_u64(n, nodes[(i + 1) % nodes.len()]);
            g.write_u64(n + 8, nodes[(i + nodes.len() - 1) % nodes.len()]);
        }
    }

    /// init (1, parent 0) and a two-threaded process 10 (threads 10, 11), child of 1.
    fn guest(new_threads: bool) -> (TestGuest, KernelLayout) {
        let l = layout(new_threads);
        let mut g = TestGuest::new();
        put_task(&mut g, &l, t(0), 0, 0, "swapper/0");
        put_task(&mut g, &l, t(1), 1, 1, "init");
        put_task(&mut g, &l, t(2), 10, 10, "wl");
        put_task(&mut g, &l, t(3), 10, 11, "wl-worker");
        g.write_u64(t(3) + 0x118, t(2));
        g.write_u64(t(1) + 0x110, t(0));
        g.write_u64(t(2) + 0x110, t(1));
        g.write_u64(t(3) + 0x110, t(1));
        g.write_u64(t(2) + 0x80, MM);
        g.write_u64(t(3) + 0x80, MM);
        g.write_u64(t(1) + 0x80, MM + 0x1000);
        ring(&mut g, &[t(0) + 0x40, t(1) + 0x40, t(2) + 0x40]);
        if new_threads {
            // One signal_struct per process, its thread_head ringed with the threads' thread_node.
            g.write_u64(t(2) + 0x130, SIG).write_u64(t(3) + 0x130, SIG);
            g.write_u64(t(1) + 0x130, SIG + 0x1000);
            g.write_u64(t(0) + 0x130, SIG + 0x2000);
            ring(&mut g, &[SIG + 0x20, t(2) + 0x140, t(3) + 0x140]);
            ring(&mut g, &[SIG + 0x1020, t(1) + 0x140]);
            ring(&mut g, &[SIG + 0x2020, t(0) + 0x140]);
        } else {
            ring(&mut g, &[t(2) + 0x120, t(3) + 0x120]);
            ring(&mut g, &[t(1) + 0x120]);
            ring(&mut g, &[t(0) + 0x120]);
        }
        (g, l)
    }

    #[test]
    fn the_process_list_has_parents_states_and_threads_on_both_kernel_generations() {
        for new_threads in [true, false] {
            let (mut g, l) = guest(new_threads);
            // Start from a non-leader thread: the walk begins at its leader.
            let (procs, end) = list_processes(&mut g, t(3), &l, 100);
            assert_eq!(end, WalkEnd::Complete, "new_threads={new_threads}");
            let pids: Vec<u32> = procs.iter().map(|p| p.leader.pid).collect();
            assert_eq!(pids, vec![0, 1, 10]);
            let wl = &procs[2];
            assert_eq!(wl.leader.ppid, Some(1));
            assert_eq!(wl.leader.mm, Some(MM));
            assert_eq!(wl.leader.state.map(state_name).as_deref(), Some("sleeping"));
            let tids: Vec<(u32, &str)> = wl
                .threads
                .iter()
                .map(|t| (t.tid, t.comm.as_str()))
                .collect();
            assert_eq!(tids, vec![(10, "wl"), (11, "wl-worker")], "{new_threads}");
            assert_eq!(procs[1].threads.len(), 1);
            // swapper: no mm, parent unreadable.
            assert_eq!(procs[0].leader.mm, Some(0));
        }
    }

    #[test]
    fn thread_lists_are_bounded_and_cycle_checked() {
        let (mut g, l) = guest(false);
        // Thread 11's next points back at itself without a consistent prev: stops, never loops.
        g.write_u64(t(3) + 0x120, t(3) + 0x120);
        let th = thread_tasks(&mut g, t(2), &l, 100);
        assert_eq!(th, vec![t(2), t(3)]);
        // The bound holds.
        let (mut g, l) = guest(true);
        assert_eq!(thread_tasks(&mut g, t(2), &l, 1), vec![t(2)]);
        // Junk signal pointer: just the leader.
        g.write_u64(t(2) + 0x130, 0x1234);
        assert_eq!(thread_tasks(&mut g, t(2), &l, 100), vec![t(2)]);
    }

    #[test]
    fn command_line_and_execfn_come_from_the_mm() {
        let (mut g, l) = guest(true);
        let args = b"/bin/wl-lifecycle\0child\0x y\0";
        g.write(0x7ffc_0000_0ff0, args);
        g.write_u64(MM + 0x100, 0x7ffc_0000_0ff0);
        g.write_u64(MM + 0x108, 0x7ffc_0000_0ff0 + args.len() as u64);
        assert_eq!(
            read_cmdline(&mut g, t(2), &l),
            Some(vec![
                "/bin/wl-lifecycle".to_string(),
                "child".into(),
                "x y".into()
            ])
        );
        // 64-bit auxv: AT_PAGESZ, AT_EXECFN, AT_NULL.
        g.write(0x7ffc_0000_2000, b"/bin/wl-lifecycle\0");
        for (i, v) in [6u64, 4096, 31, 0x7ffc_0000_2000, 0, 0].iter().enumerate() {
            g.write_u64(MM + 0x200 + 8 * i as u64, *v);
        }
        assert_eq!(
            read_execfn(&mut g, t(2), &l, Abi::X86_64).as_deref(),
            Some("/bin/wl-lifecycle")
        );
        // A compat process: 32-bit entries.
        g.write(0xffd0_0000, b"./wl32\0");
        for (i, v) in [6u32, 4096, 31, 0xffd0_0000, 0, 0].iter().enumerate() {
            g.write_u32(MM + 0x200 + 4 * i as u64, *v);
        }
        assert_eq!(
            read_execfn(&mut g, t(2), &l, Abi::I386).as_deref(),
            Some("./wl32")
        );
        // Arguments running into an unmapped page are cut there; an empty area gives nothing.
        g.write(0x6000_0ffa, b"abc\0de");
        g.write_u64(MM + 0x100, 0x6000_0ffa);
        g.write_u64(MM + 0x108, 0x6000_0ffa + 100);
        assert_eq!(
            read_cmdline(&mut g, t(2), &l),
            Some(vec!["abc".to_string(), "de".into()])
        );
        g.write_u64(MM + 0x100, 0x7ffc_0000_0ff0);
        g.write_u64(MM + 0x108, 0x7ffc_0000_0ff0);
        assert_eq!(read_cmdline(&mut g, t(2), &l), None);
        // A kernel thread has no command line.
        assert_eq!(read_cmdline(&mut g, t(0), &l), None);
    }

    #[test]
    fn wait_statuses_decode_like_sys_wait_h() {
        assert_eq!(WaitStatus::from_raw(7 << 8), WaitStatus::Exited(7));
        assert_eq!(
            WaitStatus::from_raw(9),
            WaitStatus::Signaled {
                signal: 9,
                core: false
            }
        );
        assert_eq!(
            WaitStatus::from_raw(0x86),
            WaitStatus::Signaled {
                signal: 6,
                core: true
            }
        );
        assert_eq!(WaitStatus::from_raw(0x137f), WaitStatus::Stopped(19));
        assert_eq!(WaitStatus::from_raw(0xffff), WaitStatus::Continued);
        assert_eq!(signal_name(9), "SIGKILL");
        assert_eq!(signal_name(15), "SIGTERM");
        assert_eq!(signal_name(35), "SIGRT_3");
        assert_eq!(signal_name(99), "99");
    }

    #[test]
    fn waitid_siginfo_and_clone_flags() {
        let mut g = TestGuest::new();
        // x86_64: si_code CLD_KILLED, si_pid 150 at 16, si_status 9 at 24.
        g.write_u32(0x1000 + 8, 2)
            .write_u32(0x1000 + 16, 150)
            .write_u32(0x1000 + 24, 9);
        assert_eq!(
            read_waitid_info(&mut g, Abi::X86_64, 0x1000),
            Some(WaitidInfo {
                pid: 150,
                status: Some(WaitStatus::Signaled {
                    signal: 9,
                    core: false
                })
            })
        );
        // i386: the union at 12.
        g.write_u32(0x2000 + 8, 1)
            .write_u32(0x2000 + 12, 151)
            .write_u32(0x2000 + 20, 3);
        assert_eq!(
            read_waitid_info(&mut g, Abi::I386, 0x2000).map(|w| w.status),
            Some(Some(WaitStatus::Exited(3)))
        );
        assert_eq!(read_waitid_info(&mut g, Abi::I386, 0x9000), None);
        // clone3 reads clone_args.flags from memory.
        g.write_u64(0x3000, CLONE_THREAD | CLONE_VM);
        assert_eq!(
            clone_flags(&mut g, Call::Clone3, &[0x3000, 88]),
            Some(CLONE_THREAD | CLONE_VM)
        );
        assert_eq!(clone_flags(&mut g, Call::Clone3, &[0x9000, 88]), None);
        assert_eq!(clone_flags(&mut g, Call::Clone, &[0x11, 0]), Some(0x11));
        assert_eq!(
            clone_flags(&mut g, Call::Vfork, &[]).map(|f| f & CLONE_VFORK),
            Some(CLONE_VFORK)
        );
        assert_eq!(clone_flags(&mut g, Call::Read, &[0]), None);
    }

    #[test]
    fn states_have_names() {
        assert_eq!(state_name(0), "running");
        assert_eq!(state_name(1), "sleeping");
        assert_eq!(state_name(2), "disk_sleep");
        assert_eq!(state_name(0x402), "idle");
        assert_eq!(state_name(0x104), "stopped");
        assert_eq!(state_name(0x80), "dead");
        assert_eq!(state_name(0x8000_0000), "0x80000000");
    }
}
