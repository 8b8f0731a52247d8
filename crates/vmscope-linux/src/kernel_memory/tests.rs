//! The layouts from a synthetic kernel's memory: located, cached, taken from the cache, and the errors
//! that say "try elsewhere" apart from the final ones.

use super::*;
use crate::btf::CurrentTaskVia;
use crate::btf_locate::tests::{Fast, RODATA, SYSRET, guest_with, small_kernel_btf};
use vmscope_core::guest::TestGuest;

/// A BTF with what a layout needs: `struct task_struct { int pid @8; int tgid @12; char comm[16] @16 }`
/// and a `.data..percpu` DATASEC with `current_task` at 0x10 and `this_cpu_off` at 0x20.
fn layout_btf() -> Vec<u8> {
    let mut strings = vec![0u8];
    let mut s = |name: &str| -> u32 {
        let off = strings.len() as u32;
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
        off
    };
    let names = [
        s("int"),
        s("char"),
        s("task_struct"),
        s("pid"),
        s("tgid"),
        s("comm"),
        s("unsigned long"),
        s("current_task"),
        s("this_cpu_off"),
        s(".data..percpu"),
    ];
    let [int, chr, task, pid, tgid, comm, ulong, cur, off, sec] = names;
    let mut t: Vec<u32> = Vec::new();
    // [1] int
    t.extend([int, 1 << 24, 4, (1 << 24) | 32]);
    // [2] char (BTF_INT_CHAR)
    t.extend([chr, 1 << 24, 1, (2 << 24) | 8]);
    // [3] char[16]
    t.extend([0, 3 << 24, 0, 2, 1, 16]);
    // [4] struct task_struct, 3 members, size 64 (member offsets in bits)
    t.extend([task, (4 << 24) | 3, 64]);
    t.extend([pid, 1, 8 * 8, tgid, 1, 12 * 8, comm, 3, 16 * 8]);
    // [5] struct task_struct *
    t.extend([0, 2 << 24, 4]);
    // [6] unsigned long
    t.extend([ulong, 1 << 24, 8, 64]);
    // [7] var current_task, [8] var this_cpu_off (global linkage)
    t.extend([cur, 14 << 24, 5, 1]);
    t.extend([off, 14 << 24, 6, 1]);
    // [9] datasec .data..percpu: two variables
    t.extend([sec, (15 << 24) | 2, 0x100]);
    t.extend([7, 0x10, 8, 8, 0x20, 8]);
    let types: Vec<u8> = t.iter().flat_map(|x| x.to_le_bytes()).collect();
    let mut out = vec![0x9f, 0xeb, 0x01, 0x00];
    let (tl, sl) = (types.len() as u32, strings.len() as u32);
    for x in [24u32, 0, tl, tl, sl] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(&types);
    out.extend_from_slice(&strings);
    out
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "vmscope-kernel-memory-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn find(g: &TestGuest, cache: Option<&BtfCache>) -> Result<MemoryKernel, Error> {
    kernel_from_memory(&mut Fast(g), SYSRET, &LocateLimits::default(), cache)
}

#[test]
fn located_then_cached_then_taken_from_the_cache() {
    let btf = layout_btf();
    let g = guest_with(&btf, 0x23_4567);
    let dir = tmpdir("roundtrip");
    let cache = BtfCache::new(&dir);
    let first = find(&g, Some(&cache)).unwrap_or_else(|e| panic!("{e}"));
    let l = &first.layout;
    assert_eq!(l.release.as_deref(), Some("6.12.95+deb12-amd64"));
    assert_eq!((l.task.pid, l.task.tgid, l.task.comm), (8, 12, 16));
    assert_eq!(l.percpu.current_task, 0x10);
    assert_eq!(l.percpu.current_task_via, CurrentTaskVia::Standalone);
    assert_eq!(l.percpu.this_cpu_off, 0x20);
    assert_eq!(l.percpu.section_addr, 0);
    // This BTF has no VFS structures: the file monitor is told which.
    assert!(
        first
            .vfs
            .as_ref()
            .is_err_and(|m| m.contains(&"file.f_path"))
    );
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    let BtfSource::Memory {
        btf_addr,
        kaslr_slide,
        cached_as: Some(cached),
    } = &first.source
    else {
        panic!("{:?}", first.source)
    };
    assert_eq!(*btf_addr, RODATA + 0x23_4567);
    assert_eq!(*kaslr_slide, Some(0x1900_0000));
    assert_eq!(std::fs::read(cached).ok(), Some(btf.clone()));
    assert!(first.describe_source().contains("cached as"));

    // The next run of the same kernel: the banner is enough, the BTF comes from the cache.
    let second = find(&g, Some(&cache)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.layout, first.layout);
    assert!(
        matches!(&second.source, BtfSource::Cache { path } if path == cached),
        "{:?}",
        second.source
    );
    assert!(
        second.reads * 10 < first.reads,
        "{} vs {}",
        second.reads,
        first.reads
    );
    assert!(second.describe_source().contains("host cache"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_cache_entry_is_located_again_and_replaced() {
    let btf = layout_btf();
    let g = guest_with(&btf, 0x10_0000);
    let dir = tmpdir("damaged");
    let cache = BtfCache::new(&dir);
    let first = find(&g, Some(&cache)).unwrap_or_else(|e| panic!("{e}"));
    let BtfSource::Memory {
        cached_as: Some(path),
        ..
    } = &first.source
    else {
        panic!("{:?}", first.source)
    };
    // Another kernel's BTF under this banner (valid header, no task_struct).
    std::fs::write(path, small_kernel_btf("not_a_task", 100)).ok();
    let again = find(&g, Some(&cache)).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(again.source, BtfSource::Memory { .. }));
    assert_eq!(again.warnings.len(), 1, "{:?}", again.warnings);
    assert!(again.warnings[0].contains("located again"));
    assert_eq!(std::fs::read(path).ok(), Some(btf));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_a_cache_nothing_is_stored() {
    let g = guest_with(&layout_btf(), 0x10_0000);
    let k = find(&g, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        k.source,
        BtfSource::Memory {
            cached_as: None,
            ..
        }
    ));
}

#[test]
fn not_here_is_told_from_final_failures() {
    // Not the kernel's text (a firmware's or boot loader's instruction): try elsewhere.
    let g = guest_with(&layout_btf(), 0x10_0000);
    let e = kernel_from_memory(&mut Fast(&g), 0x7c00, &LocateLimits::default(), None)
        .err()
        .unwrap_or_else(|| panic!("found"));
    assert!(is_not_here(&e), "{e}");
    // Nothing mapped (KPTI's user tables): try elsewhere.
    let e = find(&TestGuest::new(), None)
        .err()
        .unwrap_or_else(|| panic!("found"));
    assert!(is_not_here(&e), "{e}");
    // A kernel without BTF: final.
    let e = find(&guest_with(&[], 0x10_0000), None)
        .err()
        .unwrap_or_else(|| panic!("found"));
    assert!(!is_not_here(&e), "{e}");
    // A kernel BTF without the per-CPU variables: final, and says what is missing.
    let e = find(
        &guest_with(&small_kernel_btf("task_struct", 100), 0x10_0000),
        None,
    )
    .err()
    .unwrap_or_else(|| panic!("found"));
    assert!(!is_not_here(&e), "{e}");
    assert!(e.to_string().contains("task_struct.comm"), "{e}");
}
