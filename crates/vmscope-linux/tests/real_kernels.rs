//! Layouts extracted from real Debian kernels, as `guest/build.sh` caches them.
//!
//! The kernels live in `${VMSCOPE_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope/guest}/linux-*/vmlinuz`.
//! A missing kernel fails the test (run `guest/build.sh`), unless `VMSCOPE_SKIP_REAL_KERNELS=1`.

use std::path::PathBuf;
use std::time::Instant;

use vmscope_linux::Error;
use vmscope_linux::btf::{CurrentTaskVia, KernelLayout};
use vmscope_linux::kernel_image::vmlinux_from_image;

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

/// Loads the layout of the cached kernel `linux-<version>`, or `None` when skipping is allowed.
fn load(version: &str) -> Option<KernelLayout> {
    let path = guest_dir().join(format!("linux-{version}")).join("vmlinuz");
    if !path.exists() {
        if std::env::var("VMSCOPE_SKIP_REAL_KERNELS").as_deref() == Ok("1") {
            println!(
                "skipping: {} is absent and VMSCOPE_SKIP_REAL_KERNELS=1",
                path.display()
            );
            return None;
        }
        panic!(
            "{} is absent: run guest/build.sh to fetch the Debian kernels \
             (or set VMSCOPE_SKIP_REAL_KERNELS=1 to skip these tests)",
            path.display()
        );
    }
    let t = Instant::now();
    let layout =
        KernelLayout::from_kernel_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!(
        "{}: layout in {:.3} s: {layout:#?}",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    Some(layout)
}

#[test]
fn debian_6_12_layout_matches_known_offsets() {
    let Some(l) = load("6.12") else { return };
    assert!(
        l.release.as_deref().is_some_and(|r| r.starts_with("6.12.")),
        "{:?}",
        l.release
    );
    assert_eq!(l.task.pid, 2432);
    assert_eq!(l.task.tgid, 2436);
    assert_eq!(l.task.comm, 2976);
    assert_eq!(l.task.comm_len, 16);
    assert_eq!(l.task.mm, Some(2304));
    assert_eq!(l.task.tasks, Some(2224));
    assert_eq!(l.task.real_parent, Some(2448));
    assert_eq!(l.mm.pgd, Some(120));
    assert_eq!(
        l.percpu.current_task_via,
        CurrentTaskVia::PcpuHot {
            var: 0x351c0,
            member: 0
        }
    );
    assert_eq!(l.percpu.current_task, 0x351c0);
    assert_eq!(l.percpu.this_cpu_off, 0x19a18);
    assert_eq!(l.percpu.section_addr, 0);
    // 6.12 has `__state` (4 bytes) and no `thread_group` (removed in 6.7).
    assert_eq!(l.task.state.map(|s| s.size), Some(4));
    assert_eq!(l.task.thread_group, None);
    assert_eq!(l.missing, vec!["task_struct.thread_group"]);
}

#[test]
fn debian_6_1_layout_uses_the_standalone_current_task() {
    let Some(l) = load("6.1") else { return };
    assert!(
        l.release.as_deref().is_some_and(|r| r.starts_with("6.1.")),
        "{:?}",
        l.release
    );
    // Before 6.2 there is no `pcpu_hot`.
    assert_eq!(l.percpu.current_task_via, CurrentTaskVia::Standalone);
    assert_eq!(l.percpu.section_addr, 0);
    assert!(l.task.thread_group.is_some());
    assert_eq!(l.task.state.map(|s| s.size), Some(4));
    assert!(l.missing.is_empty(), "{:?}", l.missing);
    // The identity fields are close together, so one guest read gets them all.
    let lo = l.task.pid.min(l.task.tgid).min(l.task.comm);
    let hi = (l.task.comm + l.task.comm_len).max(l.task.tgid + 4);
    assert!(hi - lo <= 1024, "pid..comm spans {} bytes", hi - lo);
}

#[test]
fn non_kernel_files_give_clean_errors() {
    // A real ELF file that is a program, not a kernel.
    let sh = std::path::Path::new("/bin/sh");
    if sh.exists() {
        let e = KernelLayout::from_kernel_file(sh).err();
        assert!(matches!(e, Some(Error::NotAKernelImage { .. })), "{e:?}");
    }
    // Random bytes.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let junk: Vec<u8> = (0..65536)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let e = vmlinux_from_image(&junk).err();
    assert!(matches!(e, Some(Error::NotAKernelImage { .. })), "{e:?}");
    let e = KernelLayout::from_image(&junk).err();
    assert!(matches!(e, Some(Error::NotAKernelImage { .. })), "{e:?}");
    // A file that does not exist.
    let e = KernelLayout::from_kernel_file(std::path::Path::new("/nonexistent/vmlinuz")).err();
    assert!(matches!(e, Some(Error::Io { .. })), "{e:?}");
}
