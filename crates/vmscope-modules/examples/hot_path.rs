//! vmscope's own cost per system call, without QEMU: the default modules (context, syscalls) and the
//! journal (JSON Lines to nowhere, on its writer thread, as in a run) driven through the dispatcher
//! by a synthetic x86_64 guest making the benchmark loop's calls (`openat` of `/etc/fstab`, `read`
//! of 64 bytes, `close`, `getppid`), each an entry at `syscall` and an exit at `sysret`.
//!
//! ```sh
//! cargo run --release -p vmscope-modules --example hot_path [-- ITERATIONS [ROUNDS]]
//! valgrind --tool=callgrind target/release/examples/hot_path 20000 1   # instructions, exact
//! ```
//!
//! It prints nanoseconds per call (the median round) and the register and memory reads a call makes
//! through the guest interface: in QEMU each register read costs 60–130 ns and each memory read
//! 350–600 ns on top of what is measured here (docs/benchmarks.md). Times move with the machine;
//! the read counts and callgrind's instruction counts do not.

use std::sync::Arc;

// The plugin's allocator, so allocation costs are the plugin's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;

use vmscope_core::arch::x86_64::{
    CR3, CS, GS_BASE, K_GS_BASE, R8, R9, R10, RAX, RCX, RDI, RDX, RSI, RSP, X86_64,
};
use vmscope_core::arch::{EntryKind, ExitKind};
use vmscope_core::dispatch::Dispatcher;
use vmscope_core::guest::{GuestCpu, GuestMemory, Reg};
use vmscope_core::module::{Hook, HookPoint};
use vmscope_modules::kernel::KernelCell;
use vmscope_modules::options::Options;
use vmscope_modules::registry;

/// The per-CPU area and the task in it (the synthetic kernel of vmscope-linux's tests).
const PERCPU: u64 = 0xffff_8880_0f00_0000;
const TASK: u64 = 0xffff_8880_0100_0000;
/// Where the loop's program keeps its path and buffer, and its stack.
const PATH: u64 = 0x4a_0000;
const BUF: u64 = 0x7ffe_0000_1000;
const STACK: u64 = 0x7ffe_0000_2000;
/// The `syscall` and `sysret` instructions' addresses (a static program, like the bench's loop).
const SYSCALL_PC: u64 = 0x40_1234;
const SYSRET_PC: u64 = 0xffff_ffff_8100_0123;

/// Iterations (of four calls) run back to back before the guest's time passes.
const CHUNK: u64 = 128;
/// The guest's time passing after each chunk: about what 512 calls of the loop take under TCG.
const GUEST_TIME: std::time::Duration = std::time::Duration::from_millis(3);

/// A guest as cheap to read as can be (an array of registers, a few pages), counting reads.
struct Guest {
    regs: [Option<u64>; 64],
    pages: Vec<(u64, Box<[u8; 4096]>)>,
    reg_reads: u64,
    mem_reads: u64,
}

impl Guest {
    fn set(&mut self, r: Reg, v: u64) {
        self.regs[r.0 as usize] = Some(v);
    }

    fn write(&mut self, addr: u64, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            let a = addr + i as u64;
            let base = a & !0xfff;
            let at = match self.pages.iter().position(|(p, _)| *p == base) {
                Some(at) => at,
                None => {
                    self.pages.push((base, Box::new([0; 4096])));
                    self.pages.len() - 1
                }
            };
            self.pages[at].1[(a & 0xfff) as usize] = b;
        }
    }
}

impl GuestMemory for Guest {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        self.mem_reads += 1;
        let mut done = 0;
        while done < buf.len() {
            let a = addr.wrapping_add(done as u64);
            let Some((_, page)) = self.pages.iter().find(|(p, _)| *p == a & !0xfff) else {
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

impl GuestCpu for Guest {
    fn vcpu(&self) -> u32 {
        0
    }

    fn reg(&mut self, reg: Reg) -> Option<u64> {
        self.reg_reads += 1;
        self.regs.get(reg.0 as usize).copied().flatten()
    }
}

fn guest() -> Guest {
    let mut g = Guest {
        regs: [None; 64],
        pages: Vec::new(),
        reg_reads: 0,
        mem_reads: 0,
    };
    g.set(GS_BASE, 0);
    g.set(K_GS_BASE, PERCPU);
    g.set(CR3, 0x1234_5000);
    g.set(CS, 0x33);
    g.set(RSP, STACK);
    // pcpu_hot.current_task at offset 0, this_cpu_off at 8; pid/tgid 0x100/0x104, comm 0x200.
    g.write(PERCPU, &TASK.to_le_bytes());
    g.write(PERCPU + 8, &PERCPU.to_le_bytes());
    g.write(TASK + 0x100, &42u32.to_le_bytes());
    g.write(TASK + 0x104, &42u32.to_le_bytes());
    g.write(TASK + 0x200, b"wl-loop\0\0\0\0\0\0\0\0\0");
    g.write(PATH, b"/etc/fstab\0");
    g.write(BUF, &[b'#'; 64]);
    g
}

/// One call: the entry with `nr` and `args`, then the return of `ret`.
fn call(d: &Dispatcher, g: &mut Guest, ts: &mut u64, nr: u64, args: &[u64], ret: u64) {
    g.set(RAX, nr);
    for (&r, &v) in [RDI, RSI, RDX, R10, R8, R9].iter().zip(args) {
        g.set(r, v);
    }
    // `syscall` puts the return address in rcx; the kernel switches GS on its way in.
    g.set(RCX, SYSCALL_PC + 2);
    *ts += 1000;
    let mut h = Hook::new(*ts, 0, SYSCALL_PC, 2, HookPoint::Entry(EntryKind::Syscall));
    d.hook(g, &mut h);
    g.set(RAX, ret);
    *ts += 1000;
    let mut h = Hook::new(
        *ts,
        0,
        SYSRET_PC,
        3,
        HookPoint::Exit(ExitKind::Sysret { wide: true }),
    );
    d.hook(g, &mut h);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let iterations: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let opts = Options {
        format: vmscope_modules::journal::Format::Jsonl,
        ..Options::default()
    };
    let kernel = Arc::new(KernelCell::known(
        Some(vmscope_linux::testing::small_layout(true)),
        None,
    ));
    let built = registry::compose(
        &opts,
        &X86_64,
        1,
        kernel,
        Box::new(std::io::sink()),
        Vec::new(),
        &[],
    )?;
    let d = Dispatcher::new(built.modules, built.sink)?;
    let mut g = guest();
    let mut ts = 0;
    let mut per_call = Vec::new();
    let calls_per_round = iterations * 4;
    for _ in 0..rounds {
        let (r0, m0) = (g.reg_reads, g.mem_reads);
        let mut busy = std::time::Duration::ZERO;
        for chunk in 0..iterations.div_ceil(CHUNK) {
            let start = Instant::now();
            for _ in 0..CHUNK.min(iterations - chunk * CHUNK) {
                call(&d, &mut g, &mut ts, 257, &[0xffff_ff9c, PATH, 0], 3);
                call(&d, &mut g, &mut ts, 0, &[3, BUF, 64], 64);
                call(&d, &mut g, &mut ts, 3, &[3], 0);
                call(&d, &mut g, &mut ts, 110, &[], 1);
            }
            busy += start.elapsed();
            // The guest's own time between calls, in which the writer keeps up as it does in a
            // run (the writer polls every few milliseconds); not counted.
            std::thread::sleep(GUEST_TIME);
        }
        let ns = busy.as_nanos() as f64 / calls_per_round as f64;
        per_call.push(ns);
        println!(
            "round: {ns:.0} ns per call, {:.2} register reads and {:.2} memory reads per call",
            (g.reg_reads - r0) as f64 / calls_per_round as f64,
            (g.mem_reads - m0) as f64 / calls_per_round as f64,
        );
    }
    d.stop();
    per_call.sort_by(f64::total_cmp);
    if let Some(m) = per_call.get(per_call.len() / 2) {
        println!("median: {m:.0} ns per call ({rounds} rounds of {calls_per_round} calls)");
    }
    Ok(())
}
