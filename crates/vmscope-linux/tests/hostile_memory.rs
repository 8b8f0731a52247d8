//! Property tests over hostile guests: every kernel-structure walker and decoder run over memory that
//! is junk, full of pointers into itself (so walks meet long chains and cycles), or partly unmapped.
//! The properties: no panic, every walk ends within its bound, results stay within their limits.
//!
//! `cargo fuzz` needs a nightly toolchain this project does not have; these run on stable, in CI, with
//! a fixed seed set so a failure is reproducible (the seed is in the message).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use vmscope_core::arch::i386::FS_BASE;
use vmscope_core::arch::x86_64::{GS_BASE, K_GS_BASE};
use vmscope_core::event::Abi;
use vmscope_core::event::{CallEnd, CallRender, RenderedCall, SyscallEvent};
use vmscope_core::guest::{GuestCpu, GuestMemory, Reg};
use vmscope_linux::btf::{KernelLayout, VfsLayout};
use vmscope_linux::kernel_image::vmlinux_from_image;
use vmscope_linux::syscalls::{DecodeOptions, Decoder, capture_entry, capture_exit};
use vmscope_linux::{fileops, mm, process, signal, sock, task, vfs};

/// splitmix64: a fast, well-mixed function of its input.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The shape of a guest's kernel: the word size, and the window most of its pointers point into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Flavour {
    /// Bytes of a pointer (and of the guest's aligned words): 8 or 4.
    word: u64,
    /// A small kernel-looking window (64 KiB) most pointers point into: chains and cycles everywhere.
    window: u64,
    /// Where the other kernel pointers fall: anywhere in this range.
    kernel: (u64, u64),
}

/// An x86_64 kernel: pointers into the direct map.
const WIDE: Flavour = Flavour {
    word: 8,
    window: 0xffff_8880_0000_0000,
    kernel: (0xffff_8880_0000_0000, 0xffff_ffff_ffff_f000),
};

/// An i386 kernel (3G/1G split): 4-byte pointers into lowmem above `PAGE_OFFSET`, some near the top
/// of the 4 GiB, where a structure's fields run past the end of the address space.
const NARROW: Flavour = Flavour {
    word: 4,
    window: 0xc800_0000,
    kernel: (0xc000_0000, 0xf000_0000),
};

/// The x86_64 window, as the tests that predate [`Flavour`] name it.
const WINDOW: u64 = WIDE.window;

impl Flavour {
    /// A pointer into the small window, aligned to the word.
    fn in_window(&self, h: u64) -> u64 {
        (self.window + h % (64 << 10)) & !(self.word - 1)
    }

    fn of(layout: &KernelLayout) -> Self {
        if layout.pointer_size == 4 {
            NARROW
        } else {
            WIDE
        }
    }
}

/// A guest whose memory is a pure function of the address and a seed.
struct Chaos {
    seed: u64,
    /// Share of unmapped pages, out of 256.
    holes: u64,
    /// Aligned words are mostly pointers (chains and cycles everywhere), some small numbers (socket
    /// families, lengths) and encoded maple-tree nodes.
    pointers: bool,
    flavour: Flavour,
    reads: u64,
    /// Reads that went past the end of a 32-bit guest's space (4 GiB).
    past_top: u64,
}

impl Chaos {
    fn new(seed: u64, holes: u64, pointers: bool) -> Self {
        Self::of(WIDE, seed, holes, pointers)
    }

    fn of(flavour: Flavour, seed: u64, holes: u64, pointers: bool) -> Self {
        Self {
            seed,
            holes,
            pointers,
            flavour,
            reads: 0,
            past_top: 0,
        }
    }

    fn word(&self, aligned: u64) -> u64 {
        let f = self.flavour;
        let h = mix(aligned ^ self.seed);
        let v = match (self.pointers, h % 16) {
            (false, _) | (true, 0..4) => h,
            (true, 4) => (h >> 8) % 16,
            // An encoded maple node: a 256-byte aligned address, its type, the root tag.
            // (Bits above those of the choice and the address: type 0..=3, tag bits 1 and 2.)
            (true, 5) => (f.in_window(h >> 8) & !255) | ((h >> 40) % 4) << 3 | (h >> 44) & 6,
            (true, 6) => {
                let (lo, hi) = f.kernel;
                (lo + (h >> 8) % (hi - lo)) & !(f.word - 1)
            }
            (true, 7) => u64::MAX.wrapping_sub((h >> 8) % 64) & !(f.word - 1),
            _ => f.in_window(h >> 8),
        };
        if f.word == 4 { v & 0xffff_ffff } else { v }
    }
}

impl GuestMemory for Chaos {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        self.reads += 1;
        let w = self.flavour.word;
        for (i, b) in buf.iter_mut().enumerate() {
            let Some(a) = addr.checked_add(i as u64) else {
                return false;
            };
            // A 32-bit guest has nothing above 4 GiB.
            if w == 4 && a > 0xffff_ffff {
                self.past_top += 1;
                return false;
            }
            if mix((a >> 12) ^ self.seed.rotate_left(17)) % 256 < self.holes {
                return false;
            }
            *b = self.word(a & !(w - 1)).to_le_bytes()[(a & (w - 1)) as usize];
        }
        true
    }
}

impl GuestCpu for Chaos {
    fn vcpu(&self) -> u32 {
        0
    }
    fn reg(&mut self, reg: Reg) -> Option<u64> {
        let v = mix(self.seed ^ u64::from(reg.0) << 40);
        if self.flavour.word == 4 {
            // %fs holds a per-CPU offset on i386: any 32-bit value, sometimes 0 (user mode).
            return Some(if v.is_multiple_of(8) {
                0
            } else {
                v & 0xffff_ffff
            });
        }
        // Per-CPU bases that sometimes point into the window, sometimes anywhere.
        if (reg == GS_BASE || reg == K_GS_BASE) && v.is_multiple_of(2) {
            return Some((WINDOW + (v >> 8) % (64 << 10)) & !7);
        }
        Some(v)
    }
}

/// A kernel the walkers are run with.
struct Kernel {
    name: String,
    layout: KernelLayout,
    vfs: Option<VfsLayout>,
}

impl Kernel {
    fn flavour(&self) -> Flavour {
        Flavour::of(&self.layout)
    }

    /// A guest of this kernel's word size.
    fn chaos(&self, seed: u64, holes: u64, pointers: bool) -> Chaos {
        Chaos::of(self.flavour(), seed, holes, pointers)
    }

    /// A task (or any structure) address in the window.
    fn start(&self, seed: u64) -> u64 {
        self.flavour().in_window(mix(seed))
    }
}

fn guest_dir() -> PathBuf {
    std::env::var_os("VMSCOPE_GUEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/vmscope/guest")
        })
}

/// The kernels the walkers are run with: the synthetic ones always, of both word sizes (so the
/// tests never run over nothing), and the real kernels' from the test guests: the x86_64 ones from
/// their BTF, the i386 one from its DWARF (skipped with a note when absent). Read once.
fn kernels() -> &'static [Kernel] {
    static KERNELS: OnceLock<Vec<Kernel>> = OnceLock::new();
    KERNELS.get_or_init(|| {
        use vmscope_linux::testing::*;
        let synthetic = |name: &str, layout, vfs| Kernel {
            name: name.into(),
            layout,
            vfs: Some(vfs),
        };
        let mut out = vec![
            synthetic("small 6.1", small_layout(false), small_vfs_layout()),
            synthetic("small 6.12", small_layout(true), small_vfs_layout()),
            synthetic("debian 6.12", debian_6_12_layout(), small_vfs_layout()),
            synthetic("small i386", small_layout_i386(), small_vfs_layout_i386()),
        ];
        let root = guest_dir();
        for series in ["6.12", "6.1"] {
            let k = root.join(format!("linux-{series}/vmlinuz"));
            if k.is_file() {
                let (layout, vfs) = KernelLayout::from_kernel_file_with_vfs(&k).unwrap();
                out.push(Kernel {
                    name: k.display().to_string(),
                    layout,
                    vfs: vfs.ok(),
                });
            } else if std::env::var("VMSCOPE_SKIP_REAL_KERNELS").as_deref() != Ok("1") {
                panic!(
                    "{} is absent: run guest/build.sh --kernel {series}",
                    k.display()
                );
            }
        }
        let dbg = root.join("linux-6.1-i386/vmlinux-dbg");
        if dbg.is_file() {
            let (layout, vfs) = KernelLayout::from_dwarf_file(&dbg).unwrap();
            assert_eq!(layout.pointer_size, 4, "{}", dbg.display());
            out.push(Kernel {
                name: dbg.display().to_string(),
                layout,
                vfs: Some(vfs.unwrap()),
            });
        } else {
            println!(
                "note: {} is absent (guest/build.sh --arch i386): the i386 kernel's DWARF layout is \
                 not exercised, only the synthetic 4-byte one",
                dbg.display()
            );
        }
        // Both word sizes, always.
        for size in [8, 4] {
            assert!(
                out.iter().any(|k| k.layout.pointer_size == size),
                "no {size}-byte layout"
            );
        }
        out
    })
}

#[test]
fn task_walkers_end_within_their_bounds_on_any_memory() {
    for k in kernels() {
        let layout = &k.layout;
        for seed in 0..400u64 {
            for (holes, pointers) in [(0, true), (16, true), (128, true), (0, false), (64, false)] {
                let mut g = k.chaos(seed, holes, pointers);
                let start = k.start(seed);
                let walk = task::walk_tasks(&mut g, start, layout, 512);
                assert!(
                    walk.tasks.len() <= 512,
                    "{}: seed {seed}: {} tasks",
                    k.name,
                    walk.tasks.len()
                );
                assert!(
                    g.reads < 512 * 8 + 64,
                    "{}: seed {seed}: {} reads for 512 tasks",
                    k.name,
                    g.reads
                );
                assert!(
                    walk.tasks.iter().all(|&t| layout.is_kernel_addr(t)),
                    "{}: seed {seed}: a task outside the kernel: {:x?}",
                    k.name,
                    walk.tasks
                );
                let _ = task::read_task_ident(&mut g, start, layout);
                let _ = task::task_asid(&mut g, start, layout);
                let regs = if layout.pointer_size == 4 {
                    [Some(FS_BASE), None]
                } else {
                    [Some(GS_BASE), Some(K_GS_BASE)]
                };
                // The per-CPU slide of a kernel whose per-CPU offsets are link addresses (i386).
                let fs = g.reg(FS_BASE).unwrap_or(0);
                let slide = if layout.percpu_moves_with_kernel() && seed % 8 == 0 {
                    let before = g.reads;
                    let slide = task::percpu_slide(&mut g, layout, fs);
                    assert!(
                        g.reads - before <= 1024,
                        "{}: seed {seed}: slide search",
                        k.name
                    );
                    slide.unwrap_or(0)
                } else {
                    0
                };
                if let Some(base) = task::percpu_base(&mut g, layout, regs, slide) {
                    let _ = task::current_task(&mut g, base, layout, slide);
                }
                let _ = task::current_task(&mut g, u64::MAX - 3, layout, slide);
                let _ = task::current_task(&mut g, 0xffff_fffd, layout, slide);
                assert_eq!(g.past_top, 0, "{}: seed {seed}: read past 4 GiB", k.name);
            }
        }
    }
}

/// The memory kinds every walker meets: pointer-rich with no, few and many holes; pure junk.
const MEMORIES: [(u64, bool); 5] = [(0, true), (16, true), (128, true), (0, false), (64, false)];

#[test]
fn process_facts_are_read_within_their_bounds_on_any_memory() {
    for k in kernels() {
        let layout = &k.layout;
        for seed in 0..150u64 {
            for (holes, pointers) in MEMORIES {
                let mut g = k.chaos(seed, holes, pointers);
                let start = k.start(seed);
                let ctx = |what: &str| format!("{}: seed {seed} holes {holes}: {what}", k.name);
                let (procs, _) = process::list_processes(&mut g, start, layout, 64);
                assert!(procs.len() <= 64, "{}", ctx("processes"));
                for p in &procs {
                    assert!(
                        p.threads.len() <= process::MAX_THREADS,
                        "{}",
                        ctx("threads")
                    );
                    assert!(p.leader.comm.len() <= 16 * 3, "{}", ctx("comm"));
                }
                let threads = process::thread_tasks(&mut g, start, layout, 100);
                assert!(
                    !threads.is_empty() && threads.len() <= 100,
                    "{}",
                    ctx("threads")
                );
                let _ = process::read_task_info(&mut g, start, layout);
                let _ = process::parent_pid(&mut g, start, layout);
                let _ = process::exe_file(&mut g, start, layout);
                if let Some(mm) = process::task_mm(&mut g, start, layout) {
                    assert!(mm == 0 || layout.is_kernel_ptr(mm), "{}", ctx("mm"));
                }
                if let Some(args) = process::read_cmdline(&mut g, start, layout) {
                    assert!(args.len() <= process::MAX_ARGS, "{}", ctx("args"));
                    let bytes: usize = args.iter().map(|a| a.len()).sum();
                    // Invalid UTF-8 is replaced: at most 3 bytes for each byte read.
                    assert!(bytes <= 3 * process::MAX_CMDLINE, "{}", ctx("cmdline"));
                }
                for abi in [Abi::X86_64, Abi::I386] {
                    if let Some(name) = process::read_execfn(&mut g, start, layout, abi) {
                        assert!(name.len() <= 3 * 4096, "{}", ctx("execfn"));
                    }
                }
                assert_eq!(g.past_top, 0, "{}", ctx("read past 4 GiB"));
            }
        }
    }
}

#[test]
fn descriptors_and_paths_are_read_within_their_bounds_on_any_memory() {
    let mut exercised = 0;
    for k in kernels() {
        let Some(l) = &k.vfs else {
            println!("{}: no VFS layout, descriptors not exercised", k.name);
            continue;
        };
        exercised += 1;
        for seed in 0..300u64 {
            for (holes, pointers) in MEMORIES {
                let mut g = k.chaos(seed, holes, pointers);
                let start = k.start(seed);
                let ctx = |what: &str| format!("{}: seed {seed} holes {holes}: {what}", k.name);
                // Longest name: a path of PATH_MAX, or `anon_inode:` and a component of NAME_MAX bytes
                // (each replaced by up to 3 bytes when not UTF-8).
                let path_ok = |p: &str| p.len() <= vfs::PATH_MAX;
                for fd in [0, 1, 2, 3, (mix(seed) % 64) as i64, -1, i64::MAX] {
                    let before = g.reads;
                    if let Some(file) = vfs::task_fd_file(&mut g, l, start, fd) {
                        assert!(k.layout.is_kernel_ptr(file), "{}", ctx("file"));
                    }
                    if let Some(name) = vfs::task_fd_name(&mut g, l, start, fd) {
                        assert!(path_ok(&name), "{}", ctx(&format!("fd {fd}: {name}")));
                    }
                    // A path is at most MAX_COMPONENTS + MAX_MOUNTS steps of a few reads each.
                    let steps = (vfs::MAX_COMPONENTS + vfs::MAX_MOUNTS) as u64;
                    assert!(g.reads - before <= 8 * steps, "{}", ctx("reads"));
                }
                if let Some(cwd) = vfs::task_cwd(&mut g, l, start) {
                    assert!(path_ok(&cwd), "{}", ctx(&format!("cwd {cwd}")));
                }
                let (a, b) = (k.start(seed ^ 1), k.start(seed ^ 2));
                if let Some(name) = vfs::file_name(&mut g, l, a) {
                    assert!(path_ok(&name), "{}", ctx("file name"));
                }
                if let Some(path) = vfs::path_name(&mut g, l, a, b) {
                    assert!(path_ok(&path), "{}", ctx("path"));
                }
                if let Some(name) = vfs::dentry_name(&mut g, l, b) {
                    assert!(
                        name.len() <= 3 * vfs::NAME_MAX as usize,
                        "{}",
                        ctx("dentry")
                    );
                }
                let _ = vfs::file_is_socket(&mut g, l, a);
                assert_eq!(g.past_top, 0, "{}", ctx("read past 4 GiB"));
            }
        }
    }
    assert!(
        exercised >= 2,
        "the VFS readers ran with {exercised} layouts"
    );
}

#[test]
fn sockets_are_read_within_their_bounds_on_any_memory() {
    let mut families = HashMap::new();
    for k in kernels() {
        let Some(vl) = &k.vfs else {
            println!("{}: no VFS layout, sockets not exercised", k.name);
            continue;
        };
        // Every kernel here has the socket structures, from BTF or DWARF.
        let sl = vl
            .sock
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no socket layout", k.name));
        for seed in 0..2000u64 {
            for (holes, pointers) in MEMORIES {
                let mut g = k.chaos(seed, holes, pointers);
                let ctx = |what: &str| format!("{}: seed {seed} holes {holes}: {what}", k.name);
                let start = k.start(seed);
                let check = |s: &sock::KernelSock| {
                    // An address is short: at most a sun_path of 108 bytes, escaped.
                    for a in [&s.local, &s.remote].into_iter().flatten() {
                        assert!(a.len() <= 4 * 108 + 16, "{}", ctx(&format!("address {a}")));
                    }
                };
                for fd in [0, 3, (mix(seed) % 16) as i64] {
                    if let Some(s) = sock::task_fd_sock(&mut g, vl, sl, start, fd) {
                        check(&s);
                    }
                }
                if let Some(s) = sock::sock_of(&mut g, vl, sl, start) {
                    check(&s);
                    *families
                        .entry((vl.pointer_size, s.kind.family))
                        .or_insert(0u32) += 1;
                }
                assert_eq!(g.past_top, 0, "{}", ctx("read past 4 GiB"));
            }
        }
    }
    // Sockets near the top of a 32-bit kernel's space: nothing is read past it.
    for k in kernels().iter().filter(|k| k.flavour() == NARROW) {
        let Some(vl) = &k.vfs else { continue };
        let sl = vl.sock.as_ref().unwrap();
        for seed in 0..2000u64 {
            let mut g = k.chaos(seed, 0, true);
            let sk = (0xffff_ffff - mix(seed) % 1024) & !3;
            if let Some(s) = sock::sock_of(&mut g, vl, sl, sk) {
                *families.entry((4, s.kind.family)).or_insert(0) += 1;
            }
            assert_eq!(g.past_top, 0, "{}: seed {seed}: read past 4 GiB", k.name);
        }
    }
    // The small numbers in the memory make every family's reader run, at both word sizes.
    for size in [8, 4] {
        for family in [1, 2, 10] {
            assert!(
                families.contains_key(&(size, family)),
                "family {family} never read at {size} bytes: {families:?}"
            );
        }
    }
}

#[test]
fn address_spaces_are_walked_within_their_bounds_on_any_memory() {
    let mut exercised = HashMap::new();
    for k in kernels() {
        let Some(vl) = &k.layout.vma else {
            println!("{}: no VMA layout, address spaces not exercised", k.name);
            continue;
        };
        for seed in 0..300u64 {
            for (holes, pointers) in MEMORIES {
                let mut g = k.chaos(seed, holes, pointers);
                let ctx = |what: &str| format!("{}: seed {seed} holes {holes}: {what}", k.name);
                let mm = k.start(seed);
                let info = mm::mm_info(&mut g, mm, vl);
                for range in [None, Some((0x1000, 0x0800_0000)), Some((0, u64::MAX))] {
                    let before = g.reads;
                    let (areas, end) = mm::walk_vmas(&mut g, mm, vl, range);
                    let reads = g.reads - before;
                    // More than the root read: the walk went into the tree.
                    let how = if reads > 1 {
                        "into the tree"
                    } else {
                        "at the root"
                    };
                    *exercised
                        .entry((vl.pointer_size, format!("{how}, {end:?}")))
                        .or_insert(0u32) += 1;
                    assert!(areas.len() <= mm::MAX_VMAS, "{}", ctx("areas"));
                    // A node or an area is one read, and the walk reads at most MAX_NODES nodes.
                    assert!(
                        reads <= 1 + (mm::MAX_NODES * (1 + 32)) as u64,
                        "{}",
                        ctx(&format!("{reads} reads"))
                    );
                    for v in &areas {
                        assert!(v.start < v.end, "{}", ctx("an empty area"));
                        if let Some((lo, hi)) = range {
                            assert!(v.start < hi && v.end > lo, "{}", ctx("outside the range"));
                        }
                    }
                    assert!(
                        areas.windows(2).all(|w| w[0].start < w[1].start),
                        "{}",
                        ctx("areas out of order")
                    );
                    let mut files = HashMap::new();
                    for v in areas.iter().take(16) {
                        let name = mm::vma_name(&mut g, v, info, vl, k.vfs.as_ref(), &mut files);
                        if let Some(n) = name.as_maps() {
                            assert!(n.len() <= vfs::PATH_MAX, "{}", ctx("area name"));
                        }
                    }
                }
                // A made-up area at a junk place: named without a panic.
                let v = mm::RawVma {
                    addr: mm,
                    start: 0x1000,
                    end: 0x2000,
                    flags: mix(seed),
                    pgoff: 0,
                    file: if seed % 2 == 0 { k.start(seed ^ 3) } else { 0 },
                    ops: k.start(seed ^ 4),
                    private: k.start(seed ^ 5),
                };
                let mut files = HashMap::new();
                let _ = mm::vma_name(&mut g, &v, info, vl, k.vfs.as_ref(), &mut files);
                assert_eq!(g.past_top, 0, "{}", ctx("read past 4 GiB"));
            }
        }
    }
    println!("walk ends: {exercised:?}");
    // The encoded nodes in the memory make the walk go into the tree, at both word sizes.
    for size in [8, 4] {
        assert!(
            exercised
                .keys()
                .any(|(s, how)| *s == size && how.starts_with("into")),
            "no {size}-byte walk met a node: {exercised:?}"
        );
    }
}

#[test]
fn i386_syscalls_decode_over_narrow_junk_memory() {
    // An i386 process's arguments are 32-bit, its structures hold 4-byte pointers: the decoders read
    // them from a 32-bit guest, every entry of the table, both ways (captured, then rendered).
    let opts = [
        DecodeOptions { string_limit: 32 },
        DecodeOptions { string_limit: 1 },
        DecodeOptions { string_limit: 4096 },
    ];
    let mut too_long = Vec::new();
    let mut decoded = 0;
    for seed in 0..4u64 {
        for nr in (0..512u64).chain([0x1bad, u64::MAX]) {
            let known = vmscope_linux::syscalls::lookup(Abi::I386, nr).is_some();
            decoded += u32::from(known && seed == 0);
            let o = &opts[(nr % 3) as usize];
            let mut g = Chaos::of(NARROW, seed ^ nr, 16 * seed, seed != 1);
            let raw: [u64; 6] = std::array::from_fn(|i| match (seed + i as u64) % 4 {
                0 => g.word(mix(nr.wrapping_add(i as u64)) & !3),
                1 => NARROW.in_window(mix(nr ^ i as u64)),
                // A user pointer (below PAGE_OFFSET), the memory there as junk as any.
                2 => mix(nr ^ (i as u64) << 8) % 0xc000_0000,
                _ => mix(nr.wrapping_mul(31).wrapping_add(i as u64)) & 0xffff_ffff,
            });
            let mut c = capture_entry(o, Abi::I386, nr, &raw, &mut g);
            let ret = match seed {
                0 => Some(i64::from(mix(nr) as i32)),
                1 => Some(-((nr % 4096) as i64)),
                2 => Some((mix(nr) % 0xc000_0000) as i64),
                _ => None,
            };
            capture_exit(o, Abi::I386, nr, &mut c, ret, None, &mut g);
            render_bounded(Abi::I386, nr, c, ret, o, &mut too_long);
            let u = fileops::handle_use(Abi::I386, nr, &raw, &mut g);
            assert!(u.given.len() <= 7, "{nr}: {u:?}");
        }
    }
    assert!(decoded > 400, "only {decoded} i386 calls in the table");
    too_long.dedup();
    assert!(too_long.is_empty(), "unbounded arguments: {too_long:#?}");
}

/// Memory written by a test, counting its reads.
struct Crafted {
    g: vmscope_core::guest::TestGuest,
    word: u64,
    reads: u64,
}

impl Crafted {
    fn new(word: u64) -> Self {
        Self {
            g: vmscope_core::guest::TestGuest::new(),
            word,
            reads: 0,
        }
    }

    /// Writes a pointer (an `unsigned long`) of the kernel's size.
    fn put(&mut self, addr: u64, v: u64) {
        if self.word == 4 {
            self.g.write_u32(addr, u32::try_from(v).unwrap());
        } else {
            self.g.write_u64(addr, v);
        }
    }
}

impl GuestMemory for Crafted {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        self.reads += 1;
        self.g.read(addr, buf)
    }
}

#[test]
fn well_formed_cycles_end_at_their_bounds_at_both_word_sizes() {
    for k in kernels() {
        let l = &k.layout;
        let f = k.flavour();
        // A ring of 600 tasks whose every `prev` points back: the walk stops at its bound.
        let off = l.task.tasks.unwrap();
        let stride = (off + 2 * f.word).next_multiple_of(0x1000);
        let task = |i: u64| f.window + (i % 600) * stride;
        let mut g = Crafted::new(f.word);
        for i in 0..600 {
            g.put(task(i) + off, task(i + 1) + off);
            g.put(task(i) + off + f.word, task(i + 599) + off);
        }
        let walk = task::walk_tasks(&mut g, task(0), l, 512);
        assert_eq!(walk.tasks.len(), 512, "{}", k.name);
        assert_eq!(walk.end, task::WalkEnd::Limit, "{}", k.name);
        assert!(g.reads <= 512 * 8 + 64, "{}: {} reads", k.name, g.reads);

        // A maple node whose every slot is itself: the walk reads at most MAX_NODES nodes.
        let Some(vl) = &l.vma else { continue };
        let mm::VmaTree::Maple { root, range, .. } = vl.tree else {
            continue;
        };
        let (mm_at, node) = (f.window + 0x10_0000, f.window + 0x20_0000);
        let enode = node | 2 << 3; // a maple_range_64 node
        let mut g = Crafted::new(f.word);
        g.put(mm_at + root, enode | 2); // the root tag
        for i in 0..range.slots {
            if i < range.pivots {
                g.put(node + range.pivot + i * f.word, (i + 1) * 0x1000 - 1);
            }
            g.put(node + range.slot + i * f.word, enode);
        }
        let (areas, end) = mm::walk_vmas(&mut g, mm_at, vl, None);
        assert!(areas.is_empty(), "{}", k.name);
        assert_eq!(end, mm::VmaWalkEnd::Bounded, "{}", k.name);
        assert!(
            g.reads <= 2 + mm::MAX_NODES as u64,
            "{}: {} reads",
            k.name,
            g.reads
        );
    }
}

#[test]
fn signal_frames_are_read_safely_anywhere() {
    for seed in 0..2000u64 {
        let mut g = Chaos::new(seed, 32, seed % 2 == 0);
        let sp = mix(seed);
        for abi in [Abi::X86_64, Abi::I386] {
            assert!(signal::saved_contexts(&mut g, abi, sp).len() <= 2);
        }
    }
}

/// Renders call `nr` of `abi` from what was captured, checking the captures' and the arguments'
/// bounds: an argument shows at most `limit` elements of at most `limit` bytes (each escaped to at
/// most 4 characters), like strace -s, whatever the memory holds. Nested arrays multiply: sendmmsg's
/// vector shows up to `limit` messages, each with up to `limit` iovecs and control messages, so the
/// floor is 256 KiB, not 64. Arguments past the bound are added to `too_long`.
fn render_bounded(
    abi: Abi,
    nr: u64,
    c: vmscope_linux::syscalls::Captured,
    ret: Option<i64>,
    o: &DecodeOptions,
    too_long: &mut Vec<String>,
) {
    assert!(c.data.entry.size() <= vmscope_core::capture::MAX_CAPTURE);
    assert!(c.data.exit.size() <= vmscope_core::capture::MAX_CAPTURE);
    let ev = SyscallEvent {
        abi,
        nr,
        call: c.call.map(|c| c.id()),
        name: c.name(),
        raw: c.raw,
        ret,
        end: if ret.is_some() {
            CallEnd::Returned
        } else {
            CallEnd::Unfinished
        },
        data: c.data,
        ..SyscallEvent::blank()
    };
    let mut d = RenderedCall::default();
    Decoder::new(o.clone()).render(&ev, &mut d);
    let elems = o.string_limit.clamp(1, 1024);
    let bound = (256 << 10).max(8 * o.string_limit * elems);
    for a in d.arg_list() {
        if a.len() >= bound {
            too_long.push(format!("{abi:?} {} ({nr}): {} bytes", d.name, a.len()));
        }
    }
}

#[test]
fn every_syscall_decodes_over_junk_memory() {
    let opts = [
        DecodeOptions { string_limit: 32 },
        DecodeOptions { string_limit: 1 },
        DecodeOptions { string_limit: 4096 },
    ];
    let mut too_long = Vec::new();
    for seed in 0..3u64 {
        for abi in [Abi::X86_64, Abi::I386] {
            for nr in (0..460u64).chain([0x1bad, u64::MAX]) {
                let o = &opts[(nr % 3) as usize];
                let mut g = Chaos::new(seed ^ nr, 16 * seed, seed != 1);
                let raw: [u64; 6] = std::array::from_fn(|i| match (seed + i as u64) % 3 {
                    0 => g.word(mix(nr.wrapping_add(i as u64)) & !7),
                    1 => WINDOW + (mix(nr ^ i as u64) % (64 << 10)),
                    _ => mix(nr.wrapping_mul(31).wrapping_add(i as u64)),
                });
                let mut c = capture_entry(o, abi, nr, &raw, &mut g);
                let ret = match seed {
                    0 => Some(mix(nr) as i64),
                    1 => Some(-((nr % 4096) as i64)),
                    _ => None,
                };
                capture_exit(o, abi, nr, &mut c, ret, None, &mut g);
                render_bounded(abi, nr, c, ret, o, &mut too_long);
            }
        }
    }
    too_long.dedup();
    assert!(too_long.is_empty(), "unbounded arguments: {too_long:#?}");
}

#[test]
fn handles_known_at_entry_are_read_safely_over_junk() {
    // What a call names at its entry (read before a return where the kernel is not mapped, KPTI):
    // at most the call's arguments and one extra descriptor, whatever the memory holds.
    for seed in 0..3u64 {
        for abi in [Abi::X86_64, Abi::I386] {
            for nr in (0..460u64).chain([0x1bad, u64::MAX]) {
                let mut g = Chaos::new(seed ^ nr, 16 * seed, seed != 1);
                let raw: [u64; 6] = std::array::from_fn(|i| match (seed + i as u64) % 3 {
                    0 => g.word(mix(nr.wrapping_add(i as u64)) & !7),
                    1 => WINDOW + (mix(nr ^ i as u64) % (64 << 10)),
                    _ => mix(nr.wrapping_mul(31).wrapping_add(i as u64)),
                });
                let u = fileops::handle_use(abi, nr, &raw, &mut g);
                assert!(u.given.len() <= 7, "{abi:?} {nr}: {u:?}");
                assert!(u.given.iter().all(|&h| h >= 0), "{abi:?} {nr}: {u:?}");
            }
        }
    }
}

#[test]
fn kernel_images_from_arbitrary_bytes_fail_cleanly() {
    for seed in 0..300u64 {
        let len = (mix(seed) % 70_000) as usize;
        let mut bytes: Vec<u8> = (0..len as u64).map(|i| mix(seed ^ i) as u8).collect();
        match seed % 4 {
            // An ELF header over junk.
            1 if len > 64 => bytes[..4].copy_from_slice(b"\x7fELF"),
            // A bzImage header with a junk payload location and compressed-looking payload.
            2 if len > 0x300 => {
                bytes[0x202..0x206].copy_from_slice(b"HdrS");
                bytes[0x1f1] = (seed % 40) as u8;
                if len > 0x1000 {
                    let at = 0x800;
                    bytes[at..at + 4].copy_from_slice(&[0x28, 0xb5, 0x2f, 0xfd]);
                }
            }
            3 if len > 64 => {
                bytes[..4].copy_from_slice(b"\x7fELF");
                bytes[40..60].copy_from_slice(b"Linux version 6.12 x");
            }
            _ => {}
        }
        // Junk is refused with an error (never a layout made of junk, never a panic).
        // An ELF header is taken for a vmlinux as it is; anything else must not come back as one.
        if let Ok(v) = vmlinux_from_image(&bytes) {
            assert!(
                v.starts_with(b"\x7fELF"),
                "seed {seed}: junk taken for a kernel image"
            );
        }
        assert!(
            KernelLayout::from_image(&bytes).is_err(),
            "seed {seed}: a layout from junk"
        );
    }
}
