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
        vma: Some(small_vma_layout()),
        pointer_size: 8,
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
        vma: None,
        pointer_size: 8,
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
        pointer_size: 8,
        sock: Some(small_sock_layout()),
    }
}

/// Small synthetic socket offsets (not a real kernel's): `file.private_data` 0x30, `socket.sk` 0x18,
/// in `sock`: family 0x10, daddr 0, rcv_saddr 4, dport 0xc, num 0xe, v6_daddr 0x38, v6_rcv_saddr
/// 0x48, sk_type 0x60, sk_protocol 0x62; `unix_sock.addr` 0x80, `peer` 0x88; `unix_address.len` 4,
/// `name` 8.
pub fn small_sock_layout() -> crate::sock::SockLayout {
    crate::sock::SockLayout {
        file_private_data: 0x30,
        socket_sk: 0x18,
        family: 0x10,
        daddr: 0,
        rcv_saddr: 4,
        dport: 0xc,
        num: 0xe,
        v6_daddr: Some(0x38),
        v6_rcv_saddr: Some(0x48),
        sk_type: 0x60,
        sk_protocol: 0x62,
        unix: Some(crate::sock::UnixLayout {
            addr: 0x80,
            peer: 0x88,
            len: 4,
            name: 8,
        }),
    }
}

/// The address-space offsets of [`small_layout`]: a maple tree at `mm+0x40` (root at `+0x48`),
/// heap and stack bounds at `mm+0x150..`, areas with `vm_start` 0, `vm_end` 8, `vm_mm` 0x10,
/// `vm_flags` 0x20, `vm_ops` 0x70, `vm_pgoff` 0x78, `vm_file` 0x80, `vm_private_data` 0x88; maple
/// nodes shaped as the kernel's (range: 15 pivots at 8, 16 slots at 128; arange: 9 pivots at 8, 10
/// slots at 80).
pub fn small_vma_layout() -> crate::mm::VmaLayout {
    use crate::mm::{NodeShape, VmaLayout, VmaTree};
    VmaLayout {
        tree: VmaTree::Maple {
            root: 0x48,
            range: NodeShape {
                pivot: 8,
                pivots: 15,
                slot: 128,
                slots: 16,
            },
            arange: NodeShape {
                pivot: 8,
                pivots: 9,
                slot: 80,
                slots: 10,
            },
        },
        mm_start_brk: 0x150,
        mm_brk: 0x158,
        mm_start_stack: 0x160,
        vm_start: 0,
        vm_end: 8,
        vm_mm: 0x10,
        vm_flags: 0x20,
        vm_pgoff: 0x78,
        vm_file: 0x80,
        vm_ops: 0x70,
        vm_private_data: 0x88,
        ops_name: Some(0x60),
        special_name: 0,
        anon_name: None,
        pointer_size: 8,
    }
}

/// One area of a synthetic address space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// First address (page-aligned).
    pub start: u64,
    /// One past the last (page-aligned).
    pub end: u64,
    /// `VM_*` flags (`VM_READ` 1, `VM_WRITE` 2, `VM_EXEC` 4, `VM_MAYSHARE` 0x80).
    pub flags: u64,
    /// Offset in the file, in pages.
    pub pgoff: u64,
    /// `struct file *`, 0 for anonymous memory.
    pub file: u64,
    /// `vm_ops` and `vm_private_data` (a special mapping), 0 otherwise.
    pub special: (u64, u64),
}

impl Area {
    /// Anonymous memory.
    pub fn anon(start: u64, end: u64, flags: u64) -> Self {
        Self {
            start,
            end,
            flags,
            pgoff: 0,
            file: 0,
            special: (0, 0),
        }
    }

    /// A mapping of `file` from page `pgoff`.
    pub fn file(start: u64, end: u64, flags: u64, file: u64, pgoff: u64) -> Self {
        Self {
            start,
            end,
            flags,
            pgoff,
            file,
            special: (0, 0),
        }
    }
}

/// Writes the address space of `mm` in [`small_layout`]'s offsets: the areas (sorted, disjoint) as
/// `vm_area_struct`s at `scratch`, under a maple tree of leaves (seven areas and their gaps each)
/// below one arange root, all in `[scratch, scratch + 0x10_0000)`; and the heap and stack bounds.
/// Writing it again replaces the tree (as the kernel does after a change).
pub fn write_address_space(
    g: &mut vmscope_core::guest::TestGuest,
    mm: u64,
    scratch: u64,
    areas: &[Area],
    brk: (u64, u64),
    start_stack: u64,
) {
    let l = small_vma_layout();
    let nodes = scratch + 0x8_0000;
    // Children as the kernel encodes them in a parent's slot; the root tagged `MAPLE_ROOT_NODE` (2).
    let enode = |n: u64, ty: u64| (nodes + 0x100 * n) | (ty << 3);
    let node = |g: &mut vmscope_core::guest::TestGuest,
                n: u64,
                pivot: u64,
                slot: u64,
                e: &[(u64, u64)]| {
        let at = nodes + 0x100 * n;
        g.write(at, &[0u8; 256]);
        for (i, &(p, s)) in e.iter().enumerate() {
            g.write_u64(at + pivot + 8 * i as u64, p);
            g.write_u64(at + slot + 8 * i as u64, s);
        }
    };
    // Leaf entries: a gap before each area, the area, and a last gap to the leaf's end.
    let mut leaves: Vec<Vec<(u64, u64)>> = Vec::new();
    let mut cur = 0u64;
    for (i, chunk) in areas.chunks(7).enumerate() {
        let mut e = Vec::new();
        if i > 0 {
            // This leaf starts at its first area (the previous one ends right before it).
            cur = chunk[0].start;
        }
        for (j, a) in chunk.iter().enumerate() {
            let at = scratch + 0x100 * (7 * i + j) as u64;
            g.write_u64(at + l.vm_start, a.start)
                .write_u64(at + l.vm_end, a.end)
                .write_u64(at + l.vm_mm, mm)
                .write_u64(at + l.vm_flags, a.flags)
                .write_u64(at + l.vm_pgoff, a.pgoff)
                .write_u64(at + l.vm_file, a.file)
                .write_u64(at + l.vm_ops, a.special.0)
                .write_u64(at + l.vm_private_data, a.special.1);
            if a.start > cur {
                e.push((a.start - 1, 0));
            }
            e.push((a.end - 1, at));
            cur = a.end;
        }
        leaves.push(e);
    }
    // Each leaf but the last ends where the next one's first area starts; the last at the top.
    let count = leaves.len();
    let mut root = Vec::new();
    for (i, mut e) in leaves.into_iter().enumerate() {
        let max = if i + 1 == count {
            u64::MAX
        } else {
            areas[7 * (i + 1)].start - 1
        };
        if e.last().is_some_and(|&(p, _)| p < max) {
            e.push((max, 0));
        }
        node(g, 1 + i as u64, 8, 128, &e);
        root.push((max, enode(1 + i as u64, 1)));
    }
    if root.is_empty() {
        g.write_u64(mm + 0x48, 0);
    } else {
        node(g, 0, 8, 80, &root);
        g.write_u64(mm + 0x48, enode(0, 3) | 2);
    }
    g.write_u64(mm + l.mm_start_brk, brk.0)
        .write_u64(mm + l.mm_brk, brk.1)
        .write_u64(mm + l.mm_start_stack, start_stack);
}

/// Files by absolute path in one root file system, written in [`small_vfs_layout`]'s offsets from
/// `base` on (each structure gets a page).
pub struct FileTree {
    next: u64,
    mnt: u64,
    sb: u64,
    dentries: std::collections::HashMap<String, u64>,
}

impl FileTree {
    /// An empty root file system.
    pub fn new(g: &mut vmscope_core::guest::TestGuest, base: u64) -> Self {
        let l = small_vfs_layout();
        let mut t = Self {
            next: base,
            mnt: 0,
            sb: 0,
            dentries: std::collections::HashMap::new(),
        };
        t.sb = t.alloc();
        g.write_u64(t.sb + l.sb_magic, 0xef53);
        let root = t.dentry(g, None, "/");
        let m = t.alloc();
        g.write_u64(m + l.mount_parent, m)
            .write_u64(m + l.mount_mountpoint, root)
            .write_u64(m + l.mount_mnt + l.vfsmount_root, root);
        t.mnt = m + l.mount_mnt;
        t.dentries.insert(String::new(), root);
        t
    }

    fn alloc(&mut self) -> u64 {
        self.next += 0x1000;
        self.next
    }

    fn dentry(
        &mut self,
        g: &mut vmscope_core::guest::TestGuest,
        parent: Option<u64>,
        name: &str,
    ) -> u64 {
        let l = small_vfs_layout();
        let d = self.alloc();
        let s = self.alloc();
        g.write(s, name.as_bytes());
        g.write_u64(d + l.dentry_parent, parent.unwrap_or(d))
            .write_u32(d + l.dentry_name + l.qstr_len, name.len() as u32)
            .write_u64(d + l.dentry_name + l.qstr_name, s)
            .write_u64(d + l.dentry_sb, self.sb);
        d
    }

    /// A `struct file` open on `path` (its directories made as needed).
    pub fn file(&mut self, g: &mut vmscope_core::guest::TestGuest, path: &str) -> u64 {
        let l = small_vfs_layout();
        let mut at = String::new();
        let mut parent = self.dentries[""];
        for part in path.split('/').filter(|p| !p.is_empty()) {
            at.push('/');
            at.push_str(part);
            parent = match self.dentries.get(&at) {
                Some(&d) => d,
                None => {
                    let d = self.dentry(g, Some(parent), part);
                    self.dentries.insert(at.clone(), d);
                    d
                }
            };
        }
        let f = self.alloc();
        let inode = self.alloc();
        g.write_u64(f + l.file_path + l.path_mnt, self.mnt)
            .write_u64(f + l.file_path + l.path_dentry, parent)
            .write_u64(f + l.file_inode, inode)
            .write_u64(inode + l.inode_ino, 1);
        f
    }
}

/// A 64-bit little-endian ELF image to write into a synthetic process.
#[derive(Debug, Clone, Default)]
pub struct ElfSpec {
    /// `ET_EXEC` (2) or `ET_DYN` (3).
    pub kind: u16,
    /// Loadable segments: file address, size in memory, `PF_*` flags. The first must start at 0 (or
    /// at the image's own fixed address for `ET_EXEC`) and hold the headers.
    pub loads: Vec<(u64, u64, u32)>,
    /// `PT_INTERP`.
    pub interp: Option<String>,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `NT_GNU_BUILD_ID`.
    pub build_id: Option<Vec<u8>>,
    /// Exported functions: name, file address, size.
    pub symbols: Vec<(String, u64, u64)>,
}

impl ElfSpec {
    /// Writes the image mapped at `base` (its load bias is `base` minus its first segment's address):
    /// headers at `base`, notes at `+0x200`, interpreter at `+0x300`, strings at `+0x400`, symbols at
    /// `+0x800`, hash at `+0xc00`, the dynamic section at `+0xe00` (all in its first page).
    pub fn write(&self, g: &mut vmscope_core::guest::TestGuest, base: u64) {
        let first = self.loads.first().map_or(0, |l| l.0);
        let bias = base.wrapping_sub(first);
        let mut phdrs: Vec<(u32, u32, u64, u64)> = self
            .loads
            .iter()
            .map(|&(v, sz, f)| (1u32, f, v, sz))
            .collect();
        if self.interp.is_some() {
            phdrs.push((3, 4, first + 0x300, 0x100));
        }
        if self.build_id.is_some() {
            phdrs.push((4, 4, first + 0x200, 0x100));
        }
        phdrs.push((2, 6, first + 0xe00, 0x100));
        let mut h = [0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[16..18].copy_from_slice(&self.kind.to_le_bytes());
        h[32..40].copy_from_slice(&64u64.to_le_bytes());
        h[54..56].copy_from_slice(&56u16.to_le_bytes());
        h[56..58].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
        g.write(base, &h);
        for (i, &(kind, flags, vaddr, size)) in phdrs.iter().enumerate() {
            let mut p = [0u8; 56];
            p[..4].copy_from_slice(&kind.to_le_bytes());
            p[4..8].copy_from_slice(&flags.to_le_bytes());
            p[8..16].copy_from_slice(&(vaddr - first).to_le_bytes());
            p[16..24].copy_from_slice(&vaddr.to_le_bytes());
            p[32..40].copy_from_slice(&size.to_le_bytes());
            p[40..48].copy_from_slice(&size.to_le_bytes());
            g.write(base + 64 + 56 * i as u64, &p);
        }
        if let Some(id) = &self.build_id {
            let mut n = Vec::new();
            n.extend_from_slice(&4u32.to_le_bytes());
            n.extend_from_slice(&(id.len() as u32).to_le_bytes());
            n.extend_from_slice(&3u32.to_le_bytes());
            n.extend_from_slice(b"GNU\0");
            n.extend_from_slice(id);
            g.write(base + 0x200, &n);
        }
        if let Some(i) = &self.interp {
            g.write(base + 0x300, i.as_bytes())
                .write(base + 0x300 + i.len() as u64, &[0]);
        }
        let mut strtab = vec![0u8];
        let soname = self.soname.as_ref().map(|s| {
            let off = strtab.len() as u64;
            strtab.extend_from_slice(s.as_bytes());
            strtab.push(0);
            off
        });
        for (i, (name, value, size)) in self.symbols.iter().enumerate() {
            let off = strtab.len() as u32;
            strtab.extend_from_slice(name.as_bytes());
            strtab.push(0);
            let mut s = [0u8; 24];
            s[..4].copy_from_slice(&off.to_le_bytes());
            s[4] = 0x12;
            s[6..8].copy_from_slice(&1u16.to_le_bytes());
            s[8..16].copy_from_slice(&value.to_le_bytes());
            s[16..24].copy_from_slice(&size.to_le_bytes());
            g.write(base + 0x800 + 24 * (i as u64 + 1), &s);
        }
        g.write(base + 0x400, &strtab);
        g.write_u32(base + 0xc00, 1)
            .write_u32(base + 0xc04, self.symbols.len() as u32 + 1);
        // Relocated as the loader leaves it.
        let mut dynamic = vec![
            (5u64, bias.wrapping_add(first + 0x400)),
            (10, strtab.len() as u64),
            (6, bias.wrapping_add(first + 0x800)),
            (4, bias.wrapping_add(first + 0xc00)),
        ];
        if let Some(off) = soname {
            dynamic.push((14, off));
        }
        dynamic.push((0, 0));
        for (i, (tag, val)) in dynamic.iter().enumerate() {
            g.write_u64(base + 0xe00 + 16 * i as u64, *tag)
                .write_u64(base + 0xe08 + 16 * i as u64, *val);
        }
    }
}

/// Call `nr` of `abi` returning `ret`, as the syscall module would publish it (thread 7 of process 7,
/// entered by `syscall`), its memory captured from `g` at entry and exit.
pub fn returned_call(
    g: &mut vmscope_core::guest::TestGuest,
    abi: vmscope_core::event::Abi,
    nr: u64,
    raw: [u64; 6],
    ret: i64,
) -> vmscope_core::event::SyscallEvent {
    use vmscope_core::event::{CallEnd, SyscallEvent, ThreadCtx};
    let opts = crate::syscalls::DecodeOptions::default();
    let mut c = crate::syscalls::capture_entry(&opts, abi, nr, &raw, g);
    crate::syscalls::capture_exit(&opts, abi, nr, &mut c, Some(ret), None, g);
    SyscallEvent {
        ts: 0,
        ts_exit: Some(1),
        vcpu: 0,
        thread: ThreadCtx {
            pid: Some(7),
            tid: Some(7),
            ..ThreadCtx::default()
        },
        abi,
        entry: vmscope_core::arch::EntryKind::Syscall,
        nr,
        call: c.call.map(crate::syscalls::Call::id),
        name: c.name(),
        raw: c.raw,
        ret: Some(ret),
        end: CallEnd::Returned,
        data: c.data,
        stack: None,
    }
}

/// A 32-bit (i386) kernel as a synthetic layout: 4-byte pointers, the Debian 6.1 686-pae offsets
/// (from its DWARF) for the task, process and per-CPU fields, 6.1's two ways of listing threads.
pub fn small_layout_i386() -> KernelLayout {
    KernelLayout {
        release: Some("test-i386".into()),
        task: TaskStructLayout {
            pid: 1108,
            tgid: 1112,
            comm: 1412,
            comm_len: 16,
            mm: Some(1008),
            tasks: Some(968),
            real_parent: Some(1120),
            group_leader: Some(1144),
            thread_group: Some(1200),
            flags: Some(28),
            exit_code: Some(1040),
            exit_signal: Some(1044),
            state: Some(StateField {
                offset: 16,
                size: 4,
            }),
            files: Some(1456),
            fs: Some(1452),
        },
        mm: MmStructLayout { pgd: Some(28) },
        percpu: PerCpuLayout {
            current_task: 0xc1e8_0808,
            current_task_via: CurrentTaskVia::Standalone,
            this_cpu_off: 0xc1e7_b8bc,
            section_addr: 0xc1e7_2000,
        },
        process: ProcessLayout {
            mm_arg_start: Some(164),
            mm_arg_end: Some(168),
            mm_saved_auxv: Some(180),
            mm_saved_auxv_len: 48,
            mm_exe_file: Some(492),
            task_signal: Some(1468),
            task_thread_node: Some(1208),
            signal_thread_head: Some(16),
        },
        missing: vec![],
        vma: Some(small_vma_layout_i386()),
        pointer_size: 4,
    }
}

/// The VFS offsets of an i386 kernel (Debian 6.1 686-pae's, from its DWARF), with the socket
/// offsets of [`small_sock_layout`].
pub fn small_vfs_layout_i386() -> VfsLayout {
    VfsLayout {
        task_files: 1456,
        task_fs: 1452,
        files_fdt: 20,
        fdt_max_fds: 0,
        fdt_fd: 4,
        file_path: 8,
        file_inode: 16,
        path_mnt: 0,
        path_dentry: 4,
        dentry_parent: 16,
        dentry_name: 20,
        dentry_sb: 84,
        qstr_len: 4,
        qstr_name: 8,
        mount_mnt: 16,
        mount_parent: 8,
        mount_mountpoint: 12,
        vfsmount_root: 0,
        inode_ino: 40,
        sb_magic: 56,
        fs_pwd: 28,
        pointer_size: 4,
        sock: Some(small_sock_layout()),
    }
}

/// Synthetic 4-byte address-space offsets, with the maple nodes of a 32-bit kernel (256 bytes: range
/// 31 pivots at 4 and 32 slots at 128; arange 20 pivots at 4 and 21 slots at 84).
pub fn small_vma_layout_i386() -> crate::mm::VmaLayout {
    use crate::mm::{NodeShape, VmaLayout, VmaTree};
    VmaLayout {
        tree: VmaTree::Maple {
            root: 0x24,
            range: NodeShape {
                pivot: 4,
                pivots: 31,
                slot: 128,
                slots: 32,
            },
            arange: NodeShape {
                pivot: 4,
                pivots: 20,
                slot: 84,
                slots: 21,
            },
        },
        mm_start_brk: 0x9c,
        mm_brk: 0xa0,
        mm_start_stack: 0xa4,
        vm_start: 0,
        vm_end: 4,
        vm_mm: 8,
        vm_flags: 0x14,
        vm_pgoff: 0x3c,
        vm_file: 0x40,
        vm_ops: 0x38,
        vm_private_data: 0x44,
        ops_name: Some(0x30),
        special_name: 0,
        anon_name: None,
        pointer_size: 4,
    }
}
