//! Layouts read from the DWARF of Debian's i386 kernel (no BTF), as `guest/build.sh --arch i386` caches
//! it: `${VMSCOPE_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope/guest}/linux-6.1-i386/vmlinux-dbg`
//! (from the `-dbg` package) beside the `vmlinuz` it describes.
//!
//! A missing file fails the test (run `guest/build.sh --arch i386`), unless `VMSCOPE_SKIP_I386=1`.
//! The exact offsets were checked with gdb on the same file (`ptype`/`&((struct T *)0)->field`); they are
//! asserted for that build only, the invariants for any.

use std::path::{Path, PathBuf};
use std::time::Instant;

use vmscope_linux::Error;
use vmscope_linux::btf::{CurrentTaskVia, KernelLayout, StateField};
use vmscope_linux::dwarf::{check_debuginfo_matches, debuginfo_matches};

fn guest_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("VMSCOPE_GUEST_DIR") {
        return PathBuf::from(d);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("vmscope").join("guest")
}

/// The i386 guest's file `name`, or `None` when skipping is allowed.
fn i386_file(name: &str) -> Option<PathBuf> {
    let path = guest_dir().join("linux-6.1-i386").join(name);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("VMSCOPE_SKIP_I386").as_deref() == Ok("1") {
        println!(
            "skipping: {} is absent and VMSCOPE_SKIP_I386=1",
            path.display()
        );
        return None;
    }
    panic!(
        "{} is absent: run guest/build.sh --arch i386 to fetch Debian's i386 kernel and its debug info \
         (or set VMSCOPE_SKIP_I386=1 to skip these tests)",
        path.display()
    );
}

/// The build whose offsets were checked with gdb.
const CHECKED_RELEASE: &str = "6.1.0-50-686-pae";

#[test]
fn debian_i386_layout_from_dwarf() {
    let Some(path) = i386_file("vmlinux-dbg") else {
        return;
    };
    let t = Instant::now();
    let (l, vfs) =
        KernelLayout::from_dwarf_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!(
        "{}: layout in {:.3} s: {l:#?}\n{vfs:#?}",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    let vfs = vfs.unwrap_or_else(|absent| panic!("VFS layout lacks {absent:?}"));
    let release = l.release.clone().unwrap_or_default();
    assert!(
        release.starts_with("6.1.") && release.ends_with("-686-pae"),
        "{release}"
    );

    // Any i386 6.1 build: 4-byte pointers, a standalone per-CPU current_task at a kernel address in
    // .data..percpu, nothing missing but what 6.1 does not have.
    assert_eq!(l.pointer_size, 4);
    // The maple tree of a 32-bit kernel: more, narrower slots per 256-byte node.
    let vma = l.vma.as_ref().expect("the VMA layout from DWARF");
    assert_eq!(vma.pointer_size, 4);
    match vma.tree {
        vmscope_linux::mm::VmaTree::Maple { range, arange, .. } => {
            assert_eq!((range.pivots, range.slots), (31, 32));
            assert_eq!((arange.pivots, arange.slots), (20, 21));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(l.percpu.current_task_via, CurrentTaskVia::Standalone);
    assert!(
        l.percpu.section_addr >= 0xc000_0000,
        "{:#x}",
        l.percpu.section_addr
    );
    assert!(l.percpu.current_task > l.percpu.section_addr);
    assert!(l.percpu.this_cpu_off > l.percpu.section_addr);
    assert!(l.missing.is_empty(), "{:?}", l.missing);
    assert_eq!(l.task.comm_len, 16);
    assert_eq!(l.task.state.map(|s| s.size), Some(4));
    assert!(l.task.thread_group.is_some());
    assert_eq!(l.process.mm_saved_auxv_len, 48); // AT_VECTOR_SIZE on i386
    let lo = l.task.pid.min(l.task.tgid).min(l.task.comm);
    let hi = (l.task.comm + l.task.comm_len).max(l.task.tgid + 4);
    assert!(hi - lo <= 1024, "pid..comm spans {} bytes", hi - lo);

    if release != CHECKED_RELEASE {
        println!("{release} is not {CHECKED_RELEASE}: exact offsets not checked");
        return;
    }
    let t = &l.task;
    assert_eq!((t.pid, t.tgid, t.comm), (1108, 1112, 1412));
    assert_eq!((t.mm, t.tasks), (Some(1008), Some(968)));
    assert_eq!((t.real_parent, t.group_leader), (Some(1120), Some(1144)));
    assert_eq!(t.thread_group, Some(1200));
    assert_eq!(
        (t.flags, t.exit_code, t.exit_signal),
        (Some(28), Some(1040), Some(1044))
    );
    assert_eq!(
        t.state,
        Some(StateField {
            offset: 16,
            size: 4
        })
    );
    assert_eq!((t.files, t.fs), (Some(1456), Some(1452)));
    assert_eq!(l.mm.pgd, Some(28));
    let p = &l.process;
    assert_eq!((p.mm_arg_start, p.mm_arg_end), (Some(164), Some(168)));
    assert_eq!((p.mm_saved_auxv, p.mm_exe_file), (Some(180), Some(492)));
    assert_eq!(p.task_signal, Some(1468));
    // 6.1 stable has both ways of listing threads (thread_node/thread_head were backported).
    assert_eq!(
        (p.task_thread_node, p.signal_thread_head),
        (Some(1208), Some(16))
    );
    assert_eq!(l.percpu.current_task, 0xc1e8_0808);
    assert_eq!(l.percpu.this_cpu_off, 0xc1e7_b8bc);
    assert_eq!(l.percpu.section_addr, 0xc1e7_2000);

    assert_eq!(
        (vfs.task_files, vfs.task_fs, vfs.files_fdt),
        (1456, 1452, 20)
    );
    assert_eq!((vfs.fdt_max_fds, vfs.fdt_fd), (0, 4));
    assert_eq!((vfs.file_path, vfs.file_inode), (8, 16));
    assert_eq!((vfs.path_mnt, vfs.path_dentry), (0, 4));
    assert_eq!(
        (vfs.dentry_parent, vfs.dentry_name, vfs.dentry_sb),
        (16, 20, 84)
    );
    assert_eq!((vfs.qstr_len, vfs.qstr_name), (4, 8));
    assert_eq!(
        (vfs.mount_mnt, vfs.mount_parent, vfs.mount_mountpoint),
        (16, 8, 12)
    );
    assert_eq!(
        (vfs.vfsmount_root, vfs.inode_ino, vfs.sb_magic),
        (0, 40, 56)
    );
    assert_eq!(vfs.fs_pwd, 28);
    let s = vfs.sock.expect("the socket layout from DWARF");
    assert_eq!((s.file_private_data, s.socket_sk), (140, 16));
    assert_eq!((s.family, s.daddr, s.rcv_saddr), (16, 0, 4));
    assert_eq!((s.dport, s.num), (12, 14));
    assert_eq!((s.v6_daddr, s.v6_rcv_saddr), (Some(40), Some(56)));
    assert_eq!((s.sk_type, s.sk_protocol), (374, 376));
    let u = s.unix.expect("the unix socket layout from DWARF");
    assert_eq!((u.addr, u.peer, u.len, u.name), (552, 604, 4, 8));
}

#[test]
fn debian_i386_debuginfo_matches_its_kernel_only() {
    let (Some(dbg), Some(vmlinuz)) = (i386_file("vmlinux-dbg"), i386_file("vmlinuz")) else {
        return;
    };
    let t = Instant::now();
    check_debuginfo_matches(&vmlinuz, &dbg).unwrap_or_else(|e| panic!("{e}"));
    println!("match checked in {:.3} s", t.elapsed().as_secs_f64());

    // The same image with one byte of its build-id note changed no longer matches.
    let mut image = std::fs::read(&vmlinuz).unwrap_or_else(|e| panic!("{e}"));
    let vmlinux =
        vmscope_linux::kernel_image::vmlinux_from_image(&image).unwrap_or_else(|e| panic!("{e}"));
    let id = build_id(&vmlinux);
    let mut changed = vmlinux.clone();
    let at = memchr::memmem::find(&changed, &id).unwrap_or_else(|| panic!("build-id not found"));
    changed[at] ^= 0xff;
    let dbg_bytes = std::fs::read(&dbg).unwrap_or_else(|e| panic!("{e}"));
    let e = debuginfo_matches(&changed, &dbg_bytes).err();
    assert!(
        matches!(&e, Some(Error::DebuginfoMismatch { detail }) if detail.contains("build-id")),
        "{e:?}"
    );
    println!("{}", e.map(|e| e.to_string()).unwrap_or_default());

    // A kernel image is not a debug-info file.
    image.truncate(1 << 20);
    let e = KernelLayout::from_dwarf(&image).err();
    assert!(matches!(e, Some(Error::NotAKernelImage { .. })), "{e:?}");
    // The stripped vmlinux has no DWARF.
    let e = KernelLayout::from_dwarf(&vmlinux).err();
    assert!(matches!(e, Some(Error::NoDwarf)), "{e:?}");
}

fn build_id(elf: &[u8]) -> Vec<u8> {
    use object::Object;
    let f = object::File::parse(elf).unwrap_or_else(|e| panic!("{e}"));
    f.build_id()
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the vmlinux has no build-id"))
        .to_vec()
}

#[test]
fn missing_debuginfo_file_is_an_io_error() {
    let e = KernelLayout::from_dwarf_file(Path::new("/nonexistent/vmlinux-dbg")).err();
    assert!(matches!(e, Some(Error::Io { .. })), "{e:?}");
}
