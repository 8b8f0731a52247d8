//! Synthetic kernel layouts for tests, here and in the crates above (feature `testing`): one place
//! for the offsets a synthetic guest is written with.

use crate::btf::{
    CurrentTaskVia, KernelLayout, MmStructLayout, PerCpuLayout, ProcessLayout, StateField,
    TaskStructLayout, VfsLayout,
};

/// A 6.12-like layout (thread lists through `signal->thread_head`) or a 6.1-like one
/// (`thread_group`).
pub fn small_layout(new_threads: bool) -> KernelLayout {
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
            thread_group: (!new_threads).then_some(0x120),
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
            mm_saved_auxv_len: 12,
            mm_exe_file: Some(0x300),
            task_signal: Some(0x130),
            task_thread_node: new_threads.then_some(0x140),
            signal_thread_head: new_threads.then_some(0x20),
        },
        missing: vec![],
    }
}

/// The Debian 6.12 layout (from its BTF), as a synthetic kernel.
pub fn debian_6_12_layout() -> KernelLayout {
    KernelLayout {
        release: Some("test".into()),
        task: TaskStructLayout {
            pid: 2432,
            tgid: 2436,
            comm: 2976,
            comm_len: 16,
            mm: Some(2304),
            tasks: Some(2224),
            real_parent: Some(2448),
            group_leader: None,
            thread_group: None,
            flags: None,
            exit_code: None,
            exit_signal: None,
            state: None,
            files: None,
            fs: None,
        },
        mm: MmStructLayout { pgd: Some(120) },
        process: Default::default(),
        percpu: PerCpuLayout {
            current_task: 0x351c0,
            current_task_via: CurrentTaskVia::PcpuHot {
                var: 0x351c0,
                member: 0,
            },
            this_cpu_off: 0x19a18,
            section_addr: 0,
        },
        missing: vec![],
    }
}

/// Small synthetic offsets (not a real kernel's).
pub fn small_vfs_layout() -> VfsLayout {
    VfsLayout {
        task_files: 0x100,
        task_fs: 0x108,
        files_fdt: 0x20,
        fdt_max_fds: 0,
        fdt_fd: 8,
        file_path: 0x10,
        file_inode: 0x20,
        path_mnt: 0,
        path_dentry: 8,
        dentry_parent: 0x18,
        dentry_name: 0x20,
        dentry_sb: 0x68,
        qstr_len: 4,
        qstr_name: 8,
        mount_mnt: 0x20,
        mount_parent: 0x10,
        mount_mountpoint: 0x18,
        vfsmount_root: 0,
        inode_ino: 0x40,
        sb_magic: 0x60,
        fs_pwd: 0x28,
    }
}
