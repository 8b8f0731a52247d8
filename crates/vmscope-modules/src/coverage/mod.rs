//! The coverage module (hardware level): per process, the basic blocks of user code it executed,
//! written as one drcov file per process (see [`drcov`]) when it exits, when it replaces its program
//! (the old program's blocks), and at the end for processes still alive.
//!
//! Cheap by construction. The backend reports each distinct translated block of user code once per
//! vCPU until this module resets the vCPU's filter (an inline load and compare of a per-vCPU
//! scoreboard slot in front of the block's callback: a block run again, the common case in a loop,
//! costs that and nothing else). The filter is reset whenever the vCPU starts running another
//! process's user code; blocks of processes not covered (`--coverage-for COMM`) are reported once per
//! switch and dropped. Reported blocks of covered processes go to a per-vCPU buffer, merged into the
//! process's set when full, when the vCPU switches process, and before the file is written.
//!
//! A process is known by the thread the context module names (the task → pid cache is filled at
//! kernel entries, which name the pid); the memory module's `exec`/`exit` snapshots tell when a
//! program ends, and the images module's events give the module table (program, loader, libraries,
//! vDSO). Blocks outside every image (JIT code) go to an `[anonymous]` row, or are counted in the
//! `coverage` event when one row cannot hold them. With `--coverage-kernel` kernel blocks are
//! recorded for everyone into `kernel.drcov` (a `[kernel]` row spanning them).

pub mod drcov;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use vmscope_core::arch::Arch;
use vmscope_core::clock;
use vmscope_core::event::{
    CoverageEvent, Event, EventKind, EventMask, ImageOp, MapsWhen, ThreadCtx,
};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};

use crate::images::Images;
use drcov::DrcovModule;

#[cfg(test)]
mod tests;

/// A vCPU's buffer of new blocks is merged when it holds this many.
const BUFFER: usize = 8192;
/// Unique blocks kept per process at most (8 bytes each); past it new ones are counted, not kept.
const MAX_BLOCKS: usize = 1 << 22;
/// Processes followed at most.
const MAX_PROCESSES: usize = 16_384;
/// Tasks remembered at most (cleared when full).
const MAX_TASKS: usize = 65_536;

/// What the command line asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoverageOptions {
    /// Where the drcov files go (checked writable before the guest starts).
    pub dir: PathBuf,
    /// Only processes with these command names (empty: every process).
    pub only: Vec<String>,
    /// Kernel blocks too, into `kernel.drcov`.
    pub kernel: bool,
}

/// Checks that `dir` can take files (creating it if needed): the one line a user gets before the
/// guest starts.
pub fn check_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("coverage directory {}: {e}", dir.display()))?;
    let probe = dir.join(format!(".vmscope-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| {
        format!(
            "coverage directory {}: cannot write there: {e}",
            dir.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn pack(pc: u64, size: u16) -> u64 {
    (pc & 0xffff_ffff_ffff) | u64::from(size) << 48
}

fn unpack(w: u64) -> (u64, u16) {
    let low = w & 0xffff_ffff_ffff;
    let pc = if low >> 47 != 0 {
        low | 0xffff_0000_0000_0000
    } else {
        low
    };
    (pc, (w >> 48) as u16)
}

/// A vCPU's buffers of blocks not merged yet.
#[derive(Default)]
struct VcpuCov {
    /// The process whose user code runs.
    pid: Option<u32>,
    /// Whether that process is covered (its blocks are kept).
    covered: bool,
    user: Vec<u64>,
    kernel: Vec<u64>,
}

#[derive(Debug, Default)]
struct Proc {
    comm: Option<String>,
    blocks: HashSet<u64>,
    dropped: u64,
    images: Vec<DrcovModule>,
}

/// The coverage module.
pub struct Coverage {
    opts: CoverageOptions,
    arch: &'static dyn Arch,
    vcpus: Box<[Mutex<VcpuCov>]>,
    procs: Mutex<HashMap<u32, Proc>>,
    /// Task object → (thread id, pid), from kernel entries.
    tasks: Mutex<HashMap<u64, (Option<u32>, u32)>>,
    kernel: Mutex<HashSet<u64>>,
    /// File names taken.
    names: Mutex<HashSet<String>>,
}

impl Coverage {
    /// The module's name.
    pub const NAME: &'static str = "coverage";

    /// A coverage module writing into `opts.dir`.
    pub fn new(opts: CoverageOptions, arch: &'static dyn Arch, max_vcpus: usize) -> Self {
        Self {
            opts,
            arch,
            vcpus: (0..max_vcpus.max(1)).map(|_| Mutex::default()).collect(),
            procs: Mutex::default(),
            tasks: Mutex::default(),
            kernel: Mutex::default(),
            names: Mutex::default(),
        }
    }

    fn wanted(&self, comm: Option<&str>) -> bool {
        self.opts.only.is_empty() || comm.is_some_and(|c| self.opts.only.iter().any(|o| o == c))
    }

    /// Merges a vCPU's buffers into its process's set and the kernel's.
    fn merge(&self, v: &mut VcpuCov) {
        if !v.user.is_empty() {
            if let Some(pid) = v.pid {
                let mut procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
                // A process already written (exited) takes nothing more.
                if let Some(p) = procs.get_mut(&pid) {
                    for w in v.user.drain(..) {
                        if p.blocks.len() < MAX_BLOCKS {
                            p.blocks.insert(w);
                        } else if !p.blocks.contains(&w) {
                            p.dropped += 1;
                        }
                    }
                }
            }
            v.user.clear();
        }
        if !v.kernel.is_empty() {
            let mut k = self.kernel.lock().unwrap_or_else(PoisonError::into_inner);
            for w in v.kernel.drain(..) {
                if k.len() < MAX_BLOCKS {
                    k.insert(w);
                }
            }
        }
    }

    fn vcpu(&self, i: u32) -> Option<std::sync::MutexGuard<'_, VcpuCov>> {
        self.vcpus
            .get(i as usize)
            .map(|m| m.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The vCPU now runs `pid`'s user code (`None`: unknown): when that changes, merge and reset the
    /// vCPU's block filter (the same addresses are other code now).
    fn switch_to(&self, cpu: &mut dyn GuestCpu, pid: Option<u32>, comm_changed: bool) {
        let covered = pid.is_some_and(|p| {
            let procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
            procs
                .get(&p)
                .is_some_and(|pr| self.wanted(pr.comm.as_deref()))
        });
        let Some(mut v) = self.vcpu(cpu.vcpu()) else {
            return;
        };
        if v.pid != pid || comm_changed {
            self.merge(&mut v);
            cpu.reset_blocks();
            v.pid = pid;
        }
        v.covered = covered;
    }

    fn learn(&self, t: &ThreadCtx) {
        let (Some(pid), true) = (t.pid, t.task != 0) else {
            return;
        };
        {
            let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
            if tasks.len() >= MAX_TASKS {
                tasks.clear();
            }
            tasks.insert(t.task, (t.tid, pid));
        }
        let mut procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
        if procs.len() >= MAX_PROCESSES && !procs.contains_key(&pid) {
            return;
        }
        let p = procs.entry(pid).or_default();
        if p.comm.is_none() {
            p.comm = t.comm.as_deref().map(str::to_string);
        }
    }

    fn pid_of(&self, t: &ThreadCtx) -> Option<u32> {
        if t.pid.is_some() {
            return t.pid;
        }
        let tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        tasks
            .get(&t.task)
            .filter(|(tid, _)| t.tid.is_none() || tid.is_none() || *tid == t.tid)
            .map(|&(_, pid)| pid)
    }

    /// A free file name for `comm`/`pid`.
    fn file_name(&self, comm: Option<&str>, pid: Option<u32>) -> String {
        let comm: String = comm
            .unwrap_or("unknown")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.+".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let stem = match pid {
            Some(p) => format!("{comm}-{p}"),
            None => comm,
        };
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        let mut name = format!("{stem}.drcov");
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{stem}.{n}.drcov");
            n += 1;
        }
        names.insert(name.clone());
        name
    }

    /// Writes one file of `p`'s blocks and says so with a `coverage` event.
    fn write_file(&self, pid: Option<u32>, p: Proc, when: &'static str, bus: &mut Bus) {
        let a = drcov::assign(&p.images, p.blocks.into_iter().map(unpack));
        let file = self.opts.dir.join(self.file_name(p.comm.as_deref(), pid));
        let result = std::fs::File::create(&file).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            drcov::write(&mut w, &a.modules, &a.blocks)?;
            std::io::Write::flush(&mut w)
        });
        bus.publish(Event::Coverage(Box::new(CoverageEvent {
            ts: clock::now_ns(),
            pid,
            comm: p.comm,
            when,
            file: file.display().to_string(),
            blocks: a.blocks.len() as u64,
            modules: u32::try_from(a.modules.len()).unwrap_or(u32::MAX),
            outside: a.outside + p.dropped,
            error: result.err().map(|e| e.to_string()),
        })));
    }

    /// Writes `pid`'s file (if it is covered and ran any block) and forgets its blocks.
    fn finish(&self, pid: u32, when: &'static str, keep: bool, bus: &mut Bus) {
        let p = {
            let mut procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
            if keep {
                procs.get_mut(&pid).map(std::mem::take)
            } else {
                procs.remove(&pid)
            }
        };
        let Some(p) = p else { return };
        if p.blocks.is_empty() || !self.wanted(p.comm.as_deref()) {
            return;
        }
        self.write_file(Some(pid), p, when, bus);
    }
}

impl Module for Coverage {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn depends(&self) -> &[&str] {
        &[Images::NAME]
    }

    fn interest(&self) -> Interest {
        Interest {
            entries: true,
            exits: true,
            user_blocks: true,
            kernel_blocks: self.opts.kernel,
            events: EventMask::NONE.with(EventKind::Maps).with(EventKind::Image),
            ..Interest::default()
        }
    }

    fn on_block(&self, vcpu: u32, pc: u64, size: u16) {
        let w = pack(pc, size);
        let Some(mut v) = self.vcpu(vcpu) else { return };
        let full = if self.arch.is_kernel_address(pc) {
            if !self.opts.kernel {
                return;
            }
            v.kernel.push(w);
            v.kernel.len() >= BUFFER
        } else {
            if !v.covered {
                return;
            }
            v.user.push(w);
            v.user.len() >= BUFFER
        };
        if full {
            self.merge(&mut v);
        }
    }

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, _bus: &mut Bus) {
        let Some(t) = &hook.thread else { return };
        match hook.point {
            HookPoint::Entry(_) => self.learn(t),
            HookPoint::Exit(_) if hook.to_user == Some(true) => {
                let pid = self.pid_of(t);
                self.switch_to(cpu, pid, false);
            }
            _ => {}
        }
    }

    fn on_event(&self, event: &Event, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        match event {
            Event::Maps(m) => {
                let Some(pid) = m.pid else { return };
                match m.when {
                    MapsWhen::Exec => {
                        // At the exec's return, on its vCPU: the old program's blocks are done.
                        if let Some(mut v) = self.vcpu(cpu.vcpu()) {
                            self.merge(&mut v);
                        }
                        self.finish(pid, "exec", true, bus);
                        {
                            let mut procs =
                                self.procs.lock().unwrap_or_else(PoisonError::into_inner);
                            if procs.len() < MAX_PROCESSES || procs.contains_key(&pid) {
                                procs.entry(pid).or_default().comm = m.comm.clone();
                            }
                        }
                        self.switch_to(cpu, Some(pid), true);
                    }
                    MapsWhen::Exit => {
                        if let Some(mut v) = self.vcpu(cpu.vcpu()) {
                            self.merge(&mut v);
                        }
                        self.finish(pid, "exit", false, bus);
                    }
                    MapsWhen::FirstSeen | MapsWhen::End => {}
                }
            }
            Event::Image(i) if i.op == ImageOp::Load => {
                let Some(pid) = i.thread.pid else { return };
                let mut procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(p) = procs.get_mut(&pid) {
                    p.images.push(DrcovModule {
                        base: i.base,
                        end: i.end,
                        path: i.path.clone().unwrap_or_else(|| "[unknown]".into()),
                    });
                }
            }
            _ => {}
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        for m in self.vcpus.iter() {
            let mut v = m.lock().unwrap_or_else(PoisonError::into_inner);
            self.merge(&mut v);
        }
        let mut pids: Vec<u32> = {
            let procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
            procs.keys().copied().collect()
        };
        pids.sort_unstable();
        for pid in pids {
            self.finish(pid, "end", false, bus);
        }
        if self.opts.kernel {
            let k =
                std::mem::take(&mut *self.kernel.lock().unwrap_or_else(PoisonError::into_inner));
            if !k.is_empty() {
                let blocks: Vec<(u64, u16)> = k.iter().map(|&w| unpack(w)).collect();
                let lo = blocks.iter().map(|b| b.0).min().unwrap_or(0) & !0xfff;
                let hi = blocks
                    .iter()
                    .map(|b| b.0.saturating_add(u64::from(b.1)))
                    .max()
                    .unwrap_or(0);
                let row = DrcovModule {
                    base: lo,
                    end: hi,
                    path: "[kernel]".into(),
                };
                self.write_file(
                    None,
                    Proc {
                        comm: Some("kernel".into()),
                        blocks: k,
                        dropped: 0,
                        images: vec![row],
                    },
                    "end",
                    bus,
                );
            }
        }
    }
}
