//! What the memory module reads from the kernel: a process's areas, whole or in ranges, named as
//! `/proc/PID/maps` names them.

use std::collections::HashMap;

use vmscope_core::event::Region;
use vmscope_core::guest::GuestMemory;
use vmscope_linux::btf::{KernelLayout, VfsLayout};
use vmscope_linux::mm::{self, MmInfo, RawVma, VmaWalkEnd};
use vmscope_linux::{process as lp, vfs};

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Want {
    /// Every area, and with `exe` the program file's name.
    Full {
        /// Read `mm->exe_file`'s name too.
        exe: bool,
    },
    /// The areas overlapping these ranges (and their neighbours).
    Ranges(Vec<(u64, u64)>),
}

/// What was read.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Walked {
    /// The address space (`mm_struct`).
    pub(super) mm: u64,
    /// Its heap and stack bounds.
    pub(super) info: Option<MmInfo>,
    /// The areas found, in address order.
    pub(super) regions: Vec<Region>,
    /// Why the walk ended.
    pub(super) end: VmaWalkEnd,
    /// `None`: the whole address space; otherwise the ranges read (widened to their neighbours).
    pub(super) ranges: Option<Vec<(u64, u64)>>,
    /// The program file and the task's command name, when asked for.
    pub(super) exe: Option<String>,
    /// The task's command name (with the program file: after an exec it is the new one).
    pub(super) comm: Option<String>,
}

/// `/proc/PID/maps`'s region for an area.
fn region<M: GuestMemory + ?Sized>(
    mem: &mut M,
    v: &RawVma,
    info: Option<MmInfo>,
    l: &mm::VmaLayout,
    vfs: Option<&VfsLayout>,
    files: &mut HashMap<u64, Option<String>>,
) -> Region {
    let name = mm::vma_name(mem, v, info, l, vfs, files);
    Region {
        start: v.start,
        end: v.end,
        perms: v.perms(),
        // The kernel shows an offset for file mappings only.
        offset: if v.file != 0 {
            v.pgoff.wrapping_shl(12)
        } else {
            0
        },
        path: name.as_maps().map(str::to_string),
    }
}

/// Reads `task`'s address space as `want` says: `None` when the kernel cannot be read here (KPTI),
/// the task has no address space (a kernel thread, an exiting task) or the kernel has no VMA layout.
pub(super) fn walk<M: GuestMemory + ?Sized>(
    mem: &mut M,
    layout: &KernelLayout,
    vfs: Option<&VfsLayout>,
    task: u64,
    want: &Want,
) -> Option<Walked> {
    let l = layout.vma.as_ref()?;
    let mm = lp::task_mm(mem, task, layout).filter(|&m| m != 0)?;
    let info = mm::mm_info(mem, mm, l);
    let mut files = HashMap::new();
    let comm = matches!(want, Want::Full { exe: true })
        .then(|| vmscope_linux::task::read_task_ident(mem, task, layout).map(|i| i.comm_lossy()))
        .flatten();
    let (raws, end, ranges, exe) = match want {
        Want::Full { exe } => {
            let (raws, end) = mm::walk_vmas(mem, mm, l, None);
            let exe = if *exe {
                vfs.and_then(|v| {
                    lp::exe_file(mem, task, layout).and_then(|f| vfs::file_name(mem, v, f))
                })
            } else {
                None
            };
            (raws, end, None, exe)
        }
        Want::Ranges(rs) => {
            let mut all: Vec<RawVma> = Vec::new();
            let mut end = VmaWalkEnd::Complete;
            let mut widened = Vec::new();
            for &(lo, hi) in rs {
                // One byte either side: the areas just before and after come back too, so a split
                // or a merge at the range's edges is seen whole.
                let w = (lo.saturating_sub(1), hi.saturating_add(1).max(lo));
                let (v, e) = mm::walk_vmas(mem, mm, l, Some(w));
                if e != VmaWalkEnd::Complete {
                    end = e;
                }
                widened.push(w);
                all.extend(v);
            }
            all.sort_by_key(|v| v.start);
            all.dedup_by_key(|v| v.start);
            (all, end, Some(widened), None)
        }
    };
    let regions = raws
        .iter()
        .map(|v| region(mem, v, info, l, vfs, &mut files))
        .collect();
    Some(Walked {
        mm,
        info,
        regions,
        end,
        ranges,
        exe,
        comm,
    })
}
