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

/// The kernel file's `.BTF` and banner planted in a synthetic kernel's memory (slid by KASLR, the BTF
/// 8 MiB into `.rodata`, nothing else mapped but one text page): the layouts found in memory are the
/// file's, and the second find comes from the host cache.
#[test]
fn layouts_found_in_memory_are_the_files() {
    use object::{Object, ObjectSection};
    use vmscope_core::guest::{GuestMemory, TestGuest};
    use vmscope_linux::btf_cache::BtfCache;
    use vmscope_linux::btf_locate::LocateLimits;
    use vmscope_linux::kernel_memory::{BtfSource, kernel_from_memory};

    /// Reads whole page slices (TestGuest's own reads go byte by byte).
    struct Fast<'a>(&'a TestGuest);
    impl GuestMemory for Fast<'_> {
        fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
            let mut done = 0;
            while done < buf.len() {
                let a = addr + done as u64;
                let Some(page) = self.0.pages.get(&(a & !0xfff)) else {
                    return false;
                };
                let off = (a & 0xfff) as usize;
                let n = (4096 - off).min(buf.len() - done);
                buf[done..done + n].copy_from_slice(&page[off..off + n]);
                done += n;
            }
            true
        }
    }
    fn plant(g: &mut TestGuest, addr: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            let a = addr + i as u64;
            g.pages
                .entry(a & !0xfff)
                .or_insert_with(|| Box::new([0; 4096]))[(a & 0xfff) as usize] = *b;
        }
    }

    for series in ["6.12", "6.1"] {
        let path = guest_dir().join(format!("linux-{series}")).join("vmlinuz");
        if load(series).is_none() {
            continue;
        }
        let image = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let elf = vmlinux_from_image(&image).unwrap_or_else(|e| panic!("{e}"));
        let file = object::File::parse(&*elf).unwrap_or_else(|e| panic!("{e}"));
        let btf = file
            .section_by_name(".BTF")
            .and_then(|s| s.data().ok())
            .unwrap_or_else(|| panic!("no .BTF in {}", path.display()));
        let at = memchr::memmem::find(&elf, b"Linux version ").unwrap_or_else(|| panic!("banner"));
        let end = at + elf[at..].iter().position(|&b| b == b'\n').unwrap_or(200);
        let banner = &elf[at..=end];

        let text = 0xffff_ffff_9a00_0000u64;
        let rodata = text + 0x100_0000;
        let mut g = TestGuest::new();
        plant(&mut g, text + 0xe0_0000, &[0xcc; 4096]);
        plant(&mut g, rodata, &[0; 0x1000]);
        plant(&mut g, rodata + 0xe0, banner);
        // .rodata up to the BTF is readable (the scan reads every page of it).
        for page in (rodata..rodata + 0x80_0000).step_by(4096) {
            g.pages.entry(page).or_insert_with(|| Box::new([0; 4096]));
        }
        plant(&mut g, rodata + 0x80_0000, btf);

        let (want, want_vfs) =
            KernelLayout::from_kernel_file_with_vfs(&path).unwrap_or_else(|e| panic!("{e}"));
        let dir = std::env::temp_dir().join(format!(
            "vmscope-real-kernel-cache-{}-{series}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = BtfCache::new(&dir);
        let limits = LocateLimits::default();
        let t = Instant::now();
        let found = kernel_from_memory(&mut Fast(&g), text + 0xe0_01c8, &limits, Some(&cache))
            .unwrap_or_else(|e| panic!("{series}: {e}"));
        println!(
            "{series}: found in {:.3} s: {}",
            t.elapsed().as_secs_f64(),
            found.describe_source()
        );
        assert_eq!(found.layout, want, "{series}");
        assert_eq!(found.vfs.ok(), want_vfs.ok(), "{series}");
        assert!(
            matches!(found.source, BtfSource::Memory { btf_addr, .. } if btf_addr == rodata + 0x80_0000)
        );
        let t = Instant::now();
        let cached = kernel_from_memory(&mut Fast(&g), text + 0xe0_01c8, &limits, Some(&cache))
            .unwrap_or_else(|e| panic!("{series}: {e}"));
        println!(
            "{series}: from the cache in {:.3} s: {}",
            t.elapsed().as_secs_f64(),
            cached.describe_source()
        );
        assert_eq!(cached.layout, want, "{series}");
        assert!(matches!(cached.source, BtfSource::Cache { .. }));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn debian_6_12_arm64_image_layout_matches_known_offsets() {
    // An uncompressed arm64 `Image` (no ELF headers): the BTF is found by its header.
    let Some(l) = load("6.12-aarch64") else {
        return;
    };
    assert!(
        l.release
            .as_deref()
            .is_some_and(|r| r.starts_with("6.12.") && r.ends_with("arm64")),
        "{:?}",
        l.release
    );
    // docs/notes-aarch64.md (6.12.95+deb12-arm64).
    assert_eq!((l.task.pid, l.task.tgid, l.task.comm), (1376, 1380, 1920));
    assert_eq!(l.task.mm, Some(1248));
    assert_eq!(l.mm.pgd, Some(104));
    assert_eq!(l.percpu.current_task_via, CurrentTaskVia::Register);
    assert_eq!(l.pointer_size, 8);
}

#[test]
fn debian_kernels_name_their_socket_structures() {
    for series in ["6.12", "6.1"] {
        let path = guest_dir().join(format!("linux-{series}")).join("vmlinuz");
        if !path.exists() && std::env::var("VMSCOPE_SKIP_REAL_KERNELS").as_deref() == Ok("1") {
            continue;
        }
        let (_, vfs) =
            KernelLayout::from_kernel_file_with_vfs(&path).unwrap_or_else(|e| panic!("{e}"));
        let s = vfs
            .unwrap()
            .sock
            .unwrap_or_else(|| panic!("{series}: no socket layout"));
        println!("{series}: {s:#?}");
        // struct sock_common: skc_addrpair (daddr, rcv_saddr), skc_hash, skc_portpair (dport, num),
        // skc_family; the IPv6 addresses later; struct sock starts with it.
        assert_eq!(
            (s.daddr, s.rcv_saddr, s.dport, s.num, s.family),
            (0, 4, 12, 14, 16),
            "{series}"
        );
        assert!(s.v6_daddr.is_some() && s.v6_rcv_saddr.is_some(), "{series}");
        assert!(s.unix.is_some(), "{series}");
        assert!(s.sk_type > s.family && s.sk_protocol > s.family, "{series}");
    }
}
