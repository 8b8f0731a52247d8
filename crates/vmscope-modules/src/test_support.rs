//! Fixtures shared by the modules' unit tests.

use vmscope_linux::btf::{
    CurrentTaskVia, KernelLayout, MmStructLayout, PerCpuLayout, ProcessLayout, StateField,
    TaskStructLayout,
};

/// A small kernel layout: task_struct pid 0x100, tgid 0x104, comm 0x200, mm 0x80, tasks 0x40;
/// the current task at per-CPU offset 0, `this_cpu_off` at 8.
pub(crate) fn layout() -> KernelLayout {
    KernelLayout {
        release: Some("test".into()),
        task: TaskStructLayout {
            pid: 0x100,
            tgid: 0x104,
            comm: 0x200,
            comm_len: 16,
            mm: Some(0x80),
            tasks: Some(0x40),
            real_parent: Some(0x110),
            group_leader: Some(0x118),
            thread_group: Some(0x120),
            flags: None,
            exit_code: None,
            exit_signal: None,
            state: Some(StateField {
                offset: 0x18,
                size: 4,
            }),
            files: None,
            fs: None,
        },
        mm: MmStructLayout { pgd: Some(0x10) },
        percpu: PerCpuLayout {
            current_task: 0,
            current_task_via: CurrentTaskVia::Standalone,
            this_cpu_off: 8,
            section_addr: 0,
        },
        process: ProcessLayout {
            mm_arg_start: Some(0x100),
            mm_arg_end: Some(0x108),
            mm_saved_auxv: Some(0x200),
            mm_saved_auxv_len: 8,
            mm_exe_file: None,
            task_signal: None,
            task_thread_node: None,
            signal_thread_head: None,
        },
        missing: vec![],
    }
}

/// The number of call `name` in `abi`'s table.
pub(crate) fn nr_of(abi: vmscope_core::event::Abi, name: &str) -> u64 {
    (0..1024u64)
        .find(|&n| vmscope_linux::syscalls::lookup(abi, n).is_some_and(|d| d.name() == name))
        .unwrap_or_else(|| panic!("{name} is not in the {abi:?} table"))
}

/// A system call as the syscall detector publishes it: `name` made by `thread` with arguments
/// `raw`, returning `ret` (`None`: it did not return), its memory captured from `mem` at entry and
/// exit (`None`: nothing captured).
pub(crate) fn syscall_event(
    abi: vmscope_core::event::Abi,
    name: &str,
    thread: vmscope_core::event::ThreadCtx,
    raw: [u64; 6],
    ret: Option<i64>,
    mem: Option<&mut dyn vmscope_core::guest::GuestMemory>,
) -> vmscope_core::event::SyscallEvent {
    use vmscope_core::event::{CallEnd, SyscallEvent};
    use vmscope_linux::syscalls::{self, DecodeOptions};
    let nr = nr_of(abi, name);
    let opts = DecodeOptions::default();
    let mut unreadable = vmscope_core::guest::Unreadable;
    let mem = mem.unwrap_or(&mut unreadable);
    let mut c = syscalls::capture_entry(&opts, abi, nr, &raw, mem);
    let end = if ret.is_some() {
        CallEnd::Returned
    } else {
        CallEnd::NoReturn
    };
    if ret.is_some() {
        syscalls::capture_exit(&opts, abi, nr, &mut c, ret, None, mem);
    }
    SyscallEvent {
        ts: 1_000,
        ts_exit: ret.map(|_| 2_000),
        vcpu: 0,
        thread,
        abi,
        entry: vmscope_core::arch::EntryKind::Syscall,
        nr,
        call: c.call.map(syscalls::Call::id),
        name: c.name(),
        raw: c.raw,
        ret,
        end,
        data: c.data,
    }
}
