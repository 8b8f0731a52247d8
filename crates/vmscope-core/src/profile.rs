//! Self-measurement: how long vmscope keeps the vCPU threads, per kind of hook and per module.
//!
//! Off by default (it costs two clock reads per module and hook). When on, the backend records every
//! callback's whole duration and the dispatcher each module's share and the hand-over to the journal;
//! at the end the figures are one [`Notice`](crate::event::Notice). This is what the benchmark's
//! "where the time goes" rests on: it measures our own code, not the guest's slowdown.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::module::HookPoint;

/// The kinds of callbacks told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A kernel entry.
    Entry,
    /// An exit instruction that returned to user mode.
    ExitToUser,
    /// An exit instruction that stayed in the kernel (an interrupt's `iretq`), or whose direction was
    /// unknown.
    ExitInKernel,
    /// A page-table switch.
    PageTableSwitch,
}

impl Phase {
    const ALL: [Phase; 4] = [
        Phase::Entry,
        Phase::ExitToUser,
        Phase::ExitInKernel,
        Phase::PageTableSwitch,
    ];

    /// The phase of a hook once the modules have seen it.
    pub fn of(point: HookPoint, to_user: Option<bool>) -> Phase {
        match point {
            HookPoint::Entry(_) => Phase::Entry,
            HookPoint::Exit(_) if to_user == Some(true) => Phase::ExitToUser,
            HookPoint::Exit(_) => Phase::ExitInKernel,
            HookPoint::PageTableSwitch => Phase::PageTableSwitch,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn name(self) -> &'static str {
        match self {
            Phase::Entry => "entries",
            Phase::ExitToUser => "exits to user",
            Phase::ExitInKernel => "exits in kernel",
            Phase::PageTableSwitch => "page-table switches",
        }
    }
}

#[derive(Default)]
struct Cell {
    count: AtomicU64,
    ns: AtomicU64,
}

impl Cell {
    fn add(&self, ns: u64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.ns.fetch_add(ns, Ordering::Relaxed);
    }

    fn get(&self) -> (u64, u64) {
        (
            self.count.load(Ordering::Relaxed),
            self.ns.load(Ordering::Relaxed),
        )
    }
}

/// Time spent per phase: in the whole callback, in each module, and handing events over.
pub struct Profile {
    names: Vec<String>,
    /// `[phase]`: the whole callback.
    total: [Cell; 4],
    /// `[phase * modules + module]`: the module's `on_hook` plus the events it triggered in others.
    modules: Box<[Cell]>,
    /// `[phase]`: handing events to the journal.
    sink: [Cell; 4],
    /// Register reads and guest-memory reads through the backend.
    reg_reads: Cell,
    mem_reads: Cell,
}

/// A started measurement.
#[derive(Clone, Copy)]
pub struct Stopwatch(Instant);

impl Stopwatch {
    /// Starts now.
    pub fn start() -> Self {
        Stopwatch(Instant::now())
    }

    /// Nanoseconds since the start.
    pub fn ns(self) -> u64 {
        u64::try_from(self.0.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

impl Profile {
    /// A profile of the modules named `names`, in call order.
    pub fn new(names: Vec<String>) -> Self {
        let n = names.len();
        Self {
            modules: (0..n * Phase::ALL.len()).map(|_| Cell::default()).collect(),
            names,
            total: Default::default(),
            sink: Default::default(),
            reg_reads: Cell::default(),
            mem_reads: Cell::default(),
        }
    }

    /// Records one register read by the backend.
    pub fn reg_read(&self, ns: u64) {
        self.reg_reads.add(ns);
    }

    /// Records one guest-memory read by the backend.
    pub fn mem_read(&self, ns: u64) {
        self.mem_reads.add(ns);
    }

    /// Records a whole callback.
    pub fn callback(&self, phase: Phase, ns: u64) {
        self.total[phase.index()].add(ns);
    }

    /// Records one module's part of a callback.
    pub fn module(&self, phase: Phase, module: usize, ns: u64) {
        if let Some(c) = self.modules.get(phase.index() * self.names.len() + module) {
            c.add(ns);
        }
    }

    /// Records the hand-over of a callback's events to the journal.
    pub fn sink(&self, phase: Phase, ns: u64) {
        self.sink[phase.index()].add(ns);
    }

    /// One line: per phase, the number of callbacks, their mean duration, and the mean share of every
    /// module and of the journal hand-over. Phases that never ran are left out.
    pub fn report(&self) -> String {
        let mean = |(n, ns): (u64, u64)| if n == 0 { 0.0 } else { ns as f64 / n as f64 };
        let mut parts = Vec::new();
        let mut grand = 0u64;
        for phase in Phase::ALL {
            let (n, ns) = self.total[phase.index()].get();
            if n == 0 {
                continue;
            }
            grand = grand.saturating_add(ns);
            let mut detail: Vec<String> = self
                .names
                .iter()
                .enumerate()
                .filter_map(|(i, name)| {
                    let (_, ns) = self.modules[phase.index() * self.names.len() + i].get();
                    (ns > 0).then(|| format!("{name} {:.0}", ns as f64 / n as f64))
                })
                .collect();
            let (_, sink_ns) = self.sink[phase.index()].get();
            if sink_ns > 0 {
                detail.push(format!(
                    "journal hand-over {:.0}",
                    sink_ns as f64 / n as f64
                ));
            }
            parts.push(format!(
                "{} {n} x {:.0} ns ({})",
                phase.name(),
                mean((n, ns)),
                detail.join(", ")
            ));
        }
        for (what, cell) in [
            ("register reads", &self.reg_reads),
            ("memory reads", &self.mem_reads),
        ] {
            let (n, ns) = cell.get();
            if n > 0 {
                parts.push(format!("{what} {n} x {:.0} ns", mean((n, ns))));
            }
        }
        format!(
            "time on the vCPU threads: {:.3} s in all; {}",
            grand as f64 / 1e9,
            parts.join("; ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{EntryKind, ExitKind};

    #[test]
    fn reports_means_per_phase_and_module() {
        let p = Profile::new(vec!["context".into(), "syscalls".into()]);
        p.callback(Phase::Entry, 1000);
        p.callback(Phase::Entry, 3000);
        p.module(Phase::Entry, 0, 400);
        p.module(Phase::Entry, 1, 1200);
        p.sink(Phase::Entry, 200);
        let r = p.report();
        assert!(
            r.contains("entries 2 x 2000 ns (context 200, syscalls 600, journal hand-over 100)"),
            "{r}"
        );
        assert!(r.contains("0.000 s in all"), "{r}");
        assert!(!r.contains("exits"), "{r}");
        // Out-of-range module index: ignored, never a panic.
        p.module(Phase::Entry, 7, 1);
    }

    #[test]
    fn phases_follow_the_hook() {
        let exit = HookPoint::Exit(ExitKind::Iret { wide: true });
        assert_eq!(Phase::of(exit, Some(true)), Phase::ExitToUser);
        assert_eq!(Phase::of(exit, Some(false)), Phase::ExitInKernel);
        assert_eq!(Phase::of(exit, None), Phase::ExitInKernel);
        assert_eq!(
            Phase::of(HookPoint::Entry(EntryKind::Syscall), None),
            Phase::Entry
        );
    }
}
