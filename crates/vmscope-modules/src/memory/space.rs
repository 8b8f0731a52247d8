//! One process's address space as the memory module models it: the regions of the last kernel walk,
//! kept current by the walks of the ranges each call changed.

use std::collections::{BTreeMap, HashSet};

use vmscope_core::event::{MemoryOp, Region};
use vmscope_linux::mm::MmInfo;

use super::read::Walked;

/// Why a region raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Rule {
    /// Writable and executable at once.
    WxRegion,
    /// Executable memory that maps no file.
    AnonExec,
}

impl Rule {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Rule::WxRegion => "wx_region",
            Rule::AnonExec => "anon_exec",
        }
    }

    /// The rules `r` breaks.
    pub(super) fn broken_by(r: &Region) -> impl Iterator<Item = Rule> {
        let wx = r.writable_and_executable();
        let anon = r.executable() && r.path.is_none();
        [(wx, Rule::WxRegion), (anon, Rule::AnonExec)]
            .into_iter()
            .filter_map(|(b, rule)| b.then_some(rule))
    }
}

/// A process's address space.
#[derive(Debug, Clone, Default)]
pub(super) struct Space {
    /// Its `mm_struct`.
    pub(super) mm: u64,
    /// Its command name, as of its last call.
    pub(super) comm: Option<String>,
    /// Its program file, from the last whole walk that read it.
    pub(super) exe: Option<String>,
    /// The regions by start address: disjoint.
    pub(super) regions: BTreeMap<u64, Region>,
    /// Heap and stack bounds, as of the last walk.
    pub(super) info: Option<MmInfo>,
    /// Whether a whole walk founded the model (ranged walks alone leave holes).
    pub(super) complete: bool,
    /// Alerts already raised: (region start, rule).
    pub(super) alerted: HashSet<(u64, Rule)>,
    /// When it last changed (the oldest is dropped when too many are kept).
    pub(super) touched: u64,
}

impl Space {
    /// Takes in a walk: a whole one replaces the model, a ranged one replaces what lies in its ranges.
    pub(super) fn apply(&mut self, w: &Walked) {
        if w.mm != self.mm {
            // Another address space under the same pid (an exec not seen, a reused pid).
            self.regions.clear();
            self.alerted.clear();
            self.complete = false;
        }
        self.mm = w.mm;
        if w.info.is_some() {
            self.info = w.info;
        }
        match &w.ranges {
            None => {
                self.regions = w.regions.iter().map(|r| (r.start, r.clone())).collect();
                self.complete = true;
                if w.exe.is_some() {
                    self.exe = w.exe.clone();
                }
            }
            Some(ranges) => {
                for &(lo, hi) in ranges {
                    let found: Vec<&Region> = w
                        .regions
                        .iter()
                        .filter(|r| r.start < hi && r.end > lo)
                        .collect();
                    let lo2 = found.iter().map(|r| r.start).fold(lo, u64::min);
                    let hi2 = found.iter().map(|r| r.end).fold(hi, u64::max);
                    self.cut(lo2, hi2);
                    for r in found {
                        self.regions.insert(r.start, r.clone());
                    }
                }
            }
        }
    }

    /// Removes `[lo, hi)`, keeping the parts of regions outside it.
    fn cut(&mut self, lo: u64, hi: u64) {
        let over: Vec<u64> = self
            .regions
            .range(..hi)
            .rev()
            .take_while(|(_, r)| r.end > lo)
            .map(|(s, _)| *s)
            .collect();
        for s in over {
            let Some(r) = self.regions.remove(&s) else {
                continue;
            };
            if let Some(before) = r.clipped(r.start, lo) {
                self.regions.insert(before.start, before);
            }
            if let Some(after) = r.clipped(hi, r.end) {
                self.regions.insert(after.start, after);
            }
        }
    }

    /// The regions overlapping `[lo, hi)`, cut to it.
    pub(super) fn within(&self, lo: u64, hi: u64) -> Vec<Region> {
        let mut out: Vec<Region> = self
            .regions
            .range(..hi)
            .rev()
            .take_while(|(_, r)| r.end > lo)
            .filter_map(|(_, r)| r.clipped(lo, hi))
            .collect();
        out.reverse();
        out
    }

    /// The whole region holding `addr`.
    pub(super) fn holding(&self, addr: u64) -> Option<&Region> {
        self.regions
            .range(..=addr)
            .next_back()
            .map(|(_, r)| r)
            .filter(|r| r.end > addr)
    }

    /// The regions in address order.
    pub(super) fn list(&self) -> Vec<Region> {
        self.regions.values().cloned().collect()
    }
}

/// What changed between `before` and `after` (the same range, before and after a call): regions
/// that appeared (`map`), went (`unmap`) or kept their bounds with other permissions (`protect`).
pub(super) fn diff(before: &[Region], after: &[Region]) -> Vec<(MemoryOp, Region)> {
    let mut out = Vec::new();
    for a in after {
        if before.contains(a) {
            continue;
        }
        let same_bounds = before.iter().any(|b| b.start == a.start && b.end == a.end);
        let op = if same_bounds {
            MemoryOp::Protect
        } else {
            MemoryOp::Map
        };
        out.push((op, a.clone()));
    }
    for b in before {
        if !after.iter().any(|a| a.start == b.start && a.end == b.end) {
            out.push((MemoryOp::Unmap, b.clone()));
        }
    }
    out.sort_by_key(|(_, r)| r.start);
    out
}
