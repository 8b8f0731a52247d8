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
        pointer_size: 8,
    }
}
