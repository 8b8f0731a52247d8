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

use std::path::PathBuf;

use vmscope_core::arch::EntryKind;
use vmscope_core::arch::x86_64::{GS_BASE, K_GS_BASE};
use vmscope_core::event::Abi;
use vmscope_core::event::{CallEnd, CallRender, RenderedCall, SyscallEvent, ThreadCtx};
use vmscope_core::guest::{GuestCpu, GuestMemory, Reg};
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::kernel_image::vmlinux_from_image;
use vmscope_linux::syscalls::{DecodeOptions, Decoder, capture_entry, capture_exit};
use vmscope_linux::{fileops, signal, task};

/// splitmix64: a fast, well-mixed function of its input.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A guest whose memory is a pure function of the address and a seed.
struct Chaos {
    seed: u64,
    /// Share of unmapped pages, out of 256.
    holes: u64,
    /// Aligned words are pointers into a small kernel-looking window (chains and cycles everywhere).
    pointers: bool,
    reads: u64,
}

const WINDOW: u64 = 0xffff_8880_0000_0000;

impl Chaos {
    fn new(seed: u64, holes: u64, pointers: bool) -> Self {
        Self {
            seed,
            holes,
            pointers,
            reads: 0,
        }
    }

    fn word(&self, aligned: u64) -> u64 {
        let h = mix(aligned ^ self.seed);
        if self.pointers && !h.is_multiple_of(4) {
            (WINDOW + (h >> 8) % (64 << 10)) & !7
        } else {
            h
        }
    }
}

impl GuestMemory for Chaos {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        self.reads += 1;
        for (i, b) in buf.iter_mut().enumerate() {
            let Some(a) = addr.checked_add(i as u64) else {
                return false;
            };
            if mix((a >> 12) ^ self.seed.rotate_left(17)) % 256 < self.holes {
                return false;
            }
            *b = self.word(a & !7).to_le_bytes()[(a & 7) as usize];
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
        // Per-CPU bases that sometimes point into the window, sometimes anywhere.
        if (reg == GS_BASE || reg == K_GS_BASE) && v.is_multiple_of(2) {
            return Some((WINDOW + (v >> 8) % (64 << 10)) & !7);
        }
        Some(v)
    }
}

/// The layouts the walkers are run with: the synthetic ones always (so the test never runs over
/// nothing), and the real kernels' from the test guests.
fn layouts() -> Vec<KernelLayout> {
    let mut out = vec![
        vmscope_linux::testing::small_layout(false),
        vmscope_linux::testing::small_layout(true),
        vmscope_linux::testing::debian_6_12_layout(),
    ];
    let root = std::env::var_os("VMSCOPE_GUEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/vmscope/guest")
        });
    for series in ["6.12", "6.1"] {
        let k = root.join(format!("linux-{series}/vmlinuz"));
        if k.is_file() {
            out.push(KernelLayout::from_kernel_file(&k).unwrap());
        } else if std::env::var("VMSCOPE_SKIP_REAL_KERNELS").as_deref() != Ok("1") {
            panic!(
                "{} is absent: run guest/build.sh --kernel {series}",
                k.display()
            );
        }
    }
    out
}

#[test]
fn task_walkers_end_within_their_bounds_on_any_memory() {
    for layout in layouts() {
        for seed in 0..400u64 {
            for (holes, pointers) in [(0, true), (16, true), (128, true), (0, false), (64, false)] {
                let mut g = Chaos::new(seed, holes, pointers);
                let start = WINDOW + ((mix(seed) % (64 << 10)) & !7);
                let walk = task::walk_tasks(&mut g, start, &layout, 512);
                assert!(
                    walk.tasks.len() <= 512,
                    "seed {seed}: {} tasks",
                    walk.tasks.len()
                );
                assert!(
                    g.reads < 512 * 8 + 64,
                    "seed {seed}: {} reads for 512 tasks",
                    g.reads
                );
                let _ = task::read_task_ident(&mut g, start, &layout);
                let _ = task::task_asid(&mut g, start, &layout);
                if let Some(base) =
                    task::percpu_base(&mut g, &layout, [Some(GS_BASE), Some(K_GS_BASE)], 0)
                {
                    let _ = task::current_task(&mut g, base, &layout, 0);
                }
                let _ = task::current_task(&mut g, u64::MAX - 3, &layout, 0);
            }
        }
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
                assert!(c.data.entry.size() <= vmscope_core::capture::MAX_CAPTURE);
                assert!(c.data.exit.size() <= vmscope_core::capture::MAX_CAPTURE);
                let ev = SyscallEvent {
                    ts: 0,
                    ts_exit: None,
                    vcpu: 0,
                    thread: ThreadCtx::default(),
                    abi,
                    entry: EntryKind::Syscall,
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
                    stack: None,
                };
                let mut d = RenderedCall::default();
                Decoder::new(o.clone()).render(&ev, &mut d);
                // Bounded output: an argument shows at most `limit` elements of at most `limit` bytes
                // (each escaped to at most 4 characters), like strace -s, whatever the memory holds.
                // Nested arrays multiply: sendmmsg's vector shows up to `limit` messages, each with
                // up to `limit` iovecs and control messages, so the floor is 256 KiB, not 64.
                let elems = o.string_limit.clamp(1, 1024);
                let bound = (256 << 10).max(8 * o.string_limit * elems);
                for a in d.arg_list() {
                    if a.len() >= bound {
                        too_long.push(format!("{abi:?} {} ({nr}): {} bytes", d.name, a.len()));
                    }
                }
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
