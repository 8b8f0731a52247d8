//! A process's address space as the kernel keeps it: the VMA tree of an `mm_struct` (the maple tree
//! of Linux 6.1 and later, or the `mmap` list before), each area's bounds, flags, file and offset, and
//! the names `/proc/PID/maps` gives the areas that have no file (`[heap]`, `[stack]`, `[vdso]`...).
//!
//! Like the task walkers, everything reads hostile memory: node and area pointers must be kernel
//! addresses, a node's entries must fit the range its parent gave it and each area must say it is
//! exactly where the tree put it and belongs to this `mm`; walks are bounded in nodes and areas. A walk
//! can be limited to a range of addresses (after an `mmap` only that range is read again).

use std::collections::HashMap;

use vmscope_core::guest::GuestMemory;

use crate::btf::VfsLayout;
use crate::task::is_kernel_addr;
use crate::vfs;

/// Offsets of the address-space structures (from BTF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmaLayout {
    /// How the areas are found.
    pub tree: VmaTree,
    /// `mm_struct.start_brk`, `brk`, `start_stack` (for `[heap]` and `[stack]`).
    pub mm_start_brk: u64,
    /// `mm_struct.brk`.
    pub mm_brk: u64,
    /// `mm_struct.start_stack`.
    pub mm_start_stack: u64,
    /// `vm_area_struct.vm_start`.
    pub vm_start: u64,
    /// `vm_area_struct.vm_end`.
    pub vm_end: u64,
    /// `vm_area_struct.vm_mm`.
    pub vm_mm: u64,
    /// `vm_area_struct.vm_flags`.
    pub vm_flags: u64,
    /// `vm_area_struct.vm_pgoff`.
    pub vm_pgoff: u64,
    /// `vm_area_struct.vm_file`.
    pub vm_file: u64,
    /// `vm_area_struct.vm_ops` (its `name` callback marks special mappings such as the vDSO).
    pub vm_ops: u64,
    /// `vm_area_struct.vm_private_data` (a special mapping's `struct vm_special_mapping`).
    pub vm_private_data: u64,
    /// `vm_operations_struct.name`.
    pub ops_name: Option<u64>,
    /// `vm_special_mapping.name`.
    pub special_name: u64,
    /// `vm_area_struct.anon_name` and `anon_vma_name.name` (`prctl(PR_SET_VMA_ANON_NAME)`), when the
    /// kernel has them.
    pub anon_name: Option<(u64, u64)>,
    /// The size of the kernel's pointers and `unsigned long` (pivots, slots, `vm_start`...): 8, or 4
    /// on i386.
    pub pointer_size: u8,
}

impl VmaLayout {
    /// The layout from a kernel's type information, BTF or DWARF alike: `off(struct, field)` is a
    /// member's offset, `tree` how the areas are found. `None` when a needed field is missing.
    pub(crate) fn from_offsets(
        tree: VmaTree,
        pointer_size: u8,
        off: impl Fn(&str, &str) -> Option<u64>,
    ) -> Option<Self> {
        Some(VmaLayout {
            tree,
            mm_start_brk: off("mm_struct", "start_brk")?,
            mm_brk: off("mm_struct", "brk")?,
            mm_start_stack: off("mm_struct", "start_stack")?,
            vm_start: off("vm_area_struct", "vm_start")?,
            vm_end: off("vm_area_struct", "vm_end")?,
            vm_mm: off("vm_area_struct", "vm_mm")?,
            vm_flags: off("vm_area_struct", "vm_flags")?,
            vm_pgoff: off("vm_area_struct", "vm_pgoff")?,
            vm_file: off("vm_area_struct", "vm_file")?,
            vm_ops: off("vm_area_struct", "vm_ops")?,
            vm_private_data: off("vm_area_struct", "vm_private_data")?,
            ops_name: off("vm_operations_struct", "name"),
            special_name: off("vm_special_mapping", "name").unwrap_or(0),
            anon_name: off("vm_area_struct", "anon_name").zip(off("anon_vma_name", "name")),
            pointer_size,
        })
    }

    /// The bytes of a word (pointer, `unsigned long`): 4 or 8.
    fn word(&self) -> u64 {
        if self.pointer_size == 4 { 4 } else { 8 }
    }

    /// Reads a word of the kernel's size.
    fn read_word<M: GuestMemory + ?Sized>(&self, mem: &mut M, at: u64) -> Option<u64> {
        crate::kspace::read_word(mem, self.pointer_size, at)
    }

    /// At most `max` bytes from `p`, fewer when a 32-bit kernel's space (4 GiB) ends before.
    fn bytes_below_top(&self, p: u64, max: usize) -> usize {
        crate::kspace::bytes_below_top(self.pointer_size, p, max)
    }

    /// A kernel address of this kernel (upper half; above 3 GiB on i386).
    fn is_kernel(&self, p: u64) -> bool {
        if self.pointer_size == 4 {
            (0xc000_0000..=0xffff_ffff).contains(&p)
        } else {
            is_kernel_addr(p)
        }
    }

    /// A kernel pointer to a structure: a kernel address aligned to the word.
    fn kernel_ptr(&self, p: u64) -> bool {
        self.is_kernel(p) && p.is_multiple_of(self.word())
    }

    /// The largest `unsigned long` (a maple tree's upper bound).
    fn word_max(&self) -> u64 {
        if self.pointer_size == 4 {
            u64::from(u32::MAX)
        } else {
            u64::MAX
        }
    }
}

/// A little-endian word of `size` (4 or 8) bytes at `o` in `b`.
fn le_word(b: &[u8], o: usize, size: u64) -> Option<u64> {
    if size == 4 {
        let s = b.get(o..o.checked_add(4)?)?;
        Some(u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
    } else {
        let s = b.get(o..o.checked_add(8)?)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Some(u64::from_le_bytes(a))
    }
}

/// Where an `mm_struct` keeps its areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmaTree {
    /// Linux 6.1+: `mm_struct.mm_mt`, a maple tree.
    Maple {
        /// `mm_struct.mm_mt` + `maple_tree.ma_root`.
        root: u64,
        /// `maple_range_64.pivot`, `.slot` and their lengths (leaves and internal range nodes).
        range: NodeShape,
        /// `maple_arange_64.pivot`, `.slot` and their lengths (internal nodes with gaps).
        arange: NodeShape,
    },
    /// Before 6.1: `mm_struct.mmap`, a list through `vm_area_struct.vm_next`.
    List {
        /// `mm_struct.mmap`.
        head: u64,
        /// `vm_area_struct.vm_next`.
        next: u64,
    },
}

/// Where a maple node kind keeps its pivots and slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeShape {
    /// Offset of `pivot[]`.
    pub pivot: u64,
    /// Number of pivots.
    pub pivots: u64,
    /// Offset of `slot[]`.
    pub slot: u64,
    /// Number of slots.
    pub slots: u64,
}

impl VmaTree {
    /// The maple tree of Linux 6.1 and later, rooted at `mm_struct` offset `mm_mt`: `off(struct,
    /// field)` is a member's offset, `array(struct, field)` an array member's offset and length.
    pub(crate) fn maple(
        mm_mt: u64,
        off: impl Fn(&str, &str) -> Option<u64>,
        array: impl Fn(&str, &str) -> Option<(u64, u64)>,
    ) -> Option<Self> {
        let shape = |st: &str| -> Option<NodeShape> {
            let (pivot, pivots) = array(st, "pivot")?;
            let (slot, slots) = array(st, "slot")?;
            Some(NodeShape {
                pivot,
                pivots,
                slot,
                slots,
            })
        };
        Some(VmaTree::Maple {
            root: mm_mt + off("maple_tree", "ma_root")?,
            range: shape("maple_range_64")?,
            arange: shape("maple_arange_64")?,
        })
    }
}

/// Bytes of a maple node (`struct maple_node`).
const MAPLE_NODE_SIZE: usize = 256;
/// The bits of an encoded node pointer that are not the address.
const MAPLE_NODE_MASK: u64 = 255;
/// Node types (`enum maple_type`).
const MAPLE_LEAF_64: u64 = 1;
const MAPLE_RANGE_64: u64 = 2;
const MAPLE_ARANGE_64: u64 = 3;

/// Areas a walk returns at most (the kernel's default `vm.max_map_count` is 65530).
pub const MAX_VMAS: usize = 65536;
/// Tree nodes a walk reads at most.
pub const MAX_NODES: usize = 8192;

/// `VM_*` flags.
pub mod flags {
    /// Readable.
    pub const VM_READ: u64 = 0x1;
    /// Writable.
    pub const VM_WRITE: u64 = 0x2;
    /// Executable.
    pub const VM_EXEC: u64 = 0x4;
    /// Shared (`/proc` shows `s` for `VM_MAYSHARE`).
    pub const VM_MAYSHARE: u64 = 0x80;
}

/// One area as the kernel keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawVma {
    /// Its `vm_area_struct`.
    pub addr: u64,
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// `VM_*` flags.
    pub flags: u64,
    /// Offset in the file, in pages.
    pub pgoff: u64,
    /// `struct file *`, 0 for anonymous memory.
    pub file: u64,
    /// `vm_ops`.
    pub ops: u64,
    /// `vm_private_data`.
    pub private: u64,
}

impl RawVma {
    /// Permissions as `/proc/PID/maps` writes them: `r-xp`, `rw-s`.
    pub fn perms(&self) -> [u8; 4] {
        use flags::*;
        [
            if self.flags & VM_READ != 0 {
                b'r'
            } else {
                b'-'
            },
            if self.flags & VM_WRITE != 0 {
                b'w'
            } else {
                b'-'
            },
            if self.flags & VM_EXEC != 0 {
                b'x'
            } else {
                b'-'
            },
            if self.flags & VM_MAYSHARE != 0 {
                b's'
            } else {
                b'p'
            },
        ]
    }
}

/// Why a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmaWalkEnd {
    /// Every node and area was read.
    Complete,
    /// A node or an area could not be read or did not hold together (junk, or a tree changing
    /// under the walk); the areas found before are returned.
    Junk,
    /// The bound on nodes or areas was reached.
    Bounded,
}

/// The fields of an `mm_struct` the names of anonymous areas depend on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MmInfo {
    /// `start_brk`.
    pub start_brk: u64,
    /// `brk`.
    pub brk: u64,
    /// `start_stack`.
    pub start_stack: u64,
}

/// Reads `mm`'s heap and stack bounds.
pub fn mm_info<M: GuestMemory + ?Sized>(mem: &mut M, mm: u64, l: &VmaLayout) -> Option<MmInfo> {
    Some(MmInfo {
        start_brk: l.read_word(mem, mm.checked_add(l.mm_start_brk)?)?,
        brk: l.read_word(mem, mm.checked_add(l.mm_brk)?)?,
        start_stack: l.read_word(mem, mm.checked_add(l.mm_start_stack)?)?,
    })
}

/// Reads the area at `addr` and checks it is one of `mm`'s, spanning `[start, end)` when the tree says
/// so (`expect`).
fn read_vma<M: GuestMemory + ?Sized>(
    mem: &mut M,
    addr: u64,
    mm: u64,
    l: &VmaLayout,
    expect: Option<(u64, u64)>,
) -> Option<RawVma> {
    if !l.kernel_ptr(addr) {
        return None;
    }
    let fields = [
        l.vm_start,
        l.vm_end,
        l.vm_mm,
        l.vm_flags,
        l.vm_pgoff,
        l.vm_file,
        l.vm_ops,
        l.vm_private_data,
    ];
    let size = l.word();
    let span = fields.iter().max().copied()? + size;
    if span > 1024 || (l.bytes_below_top(addr, 1024) as u64) < span {
        return None;
    }
    let mut b = [0u8; 1024];
    let b = &mut b[..span as usize];
    if !mem.read(addr, b) {
        return None;
    }
    let word = |off: u64| le_word(b, off as usize, size).unwrap_or(0);
    let v = RawVma {
        addr,
        start: word(l.vm_start),
        end: word(l.vm_end),
        flags: word(l.vm_flags),
        pgoff: word(l.vm_pgoff),
        file: word(l.vm_file),
        ops: word(l.vm_ops),
        private: word(l.vm_private_data),
    };
    let mine = word(l.vm_mm) == mm;
    let placed = expect.is_none_or(|(s, e)| v.start == s && v.end == e);
    (mine && placed && v.start < v.end && v.start & 0xfff == 0 && v.end & 0xfff == 0).then_some(v)
}

/// The areas of address space `mm`, in address order; with `range`, only those overlapping
/// `[range.0, range.1)` (reading only the nodes that cover it).
pub fn walk_vmas<M: GuestMemory + ?Sized>(
    mem: &mut M,
    mm: u64,
    l: &VmaLayout,
    range: Option<(u64, u64)>,
) -> (Vec<RawVma>, VmaWalkEnd) {
    let (lo, hi) = range.unwrap_or((0, u64::MAX));
    match l.tree {
        VmaTree::Maple {
            root,
            range: r64,
            arange: a64,
        } => walk_maple(mem, mm, l, root, r64, a64, lo, hi),
        VmaTree::List { head, next } => walk_list(mem, mm, l, head, next, lo, hi),
    }
}

#[allow(clippy::too_many_arguments, reason = "the walk's whole state")]
fn walk_maple<M: GuestMemory + ?Sized>(
    mem: &mut M,
    mm: u64,
    l: &VmaLayout,
    root_off: u64,
    r64: NodeShape,
    a64: NodeShape,
    lo: u64,
    hi: u64,
) -> (Vec<RawVma>, VmaWalkEnd) {
    let mut out = Vec::new();
    let Some(root) = mm.checked_add(root_off).and_then(|a| l.read_word(mem, a)) else {
        return (out, VmaWalkEnd::Junk);
    };
    if root == 0 {
        return (out, VmaWalkEnd::Complete);
    }
    // The root, when it is a node, is tagged `...10` in its low bits (`MAPLE_ROOT_NODE`); the children
    // in an internal node's slots are plain encoded nodes (address | type << 3 | a hint bit).
    if root & 3 != 2 || root <= 4096 {
        // A tree of one entry at index 0: no area starts at address 0 in a user address space.
        return (out, VmaWalkEnd::Complete);
    }
    let mut end = VmaWalkEnd::Complete;
    // Depth-first, leftmost first, so areas come out in order. (node, min, max) of each node.
    let mut stack: Vec<(u64, u64, u64)> = vec![(root, 0, l.word_max())];
    let size = l.word();
    let mut nodes = 0usize;
    let mut node = [0u8; MAPLE_NODE_SIZE];
    while let Some((enode, min, max)) = stack.pop() {
        nodes += 1;
        if nodes > MAX_NODES || out.len() >= MAX_VMAS {
            end = VmaWalkEnd::Bounded;
            break;
        }
        let addr = enode & !MAPLE_NODE_MASK;
        let ty = (enode >> 3) & 0xf;
        let shape = match ty {
            MAPLE_LEAF_64 | MAPLE_RANGE_64 => r64,
            MAPLE_ARANGE_64 => a64,
            _ => {
                end = VmaWalkEnd::Junk;
                continue;
            }
        };
        if !l.kernel_ptr(addr) || !mem.read(addr, &mut node) {
            end = VmaWalkEnd::Junk;
            continue;
        }
        let word = |off: u64| -> Option<u64> { le_word(&node, usize::try_from(off).ok()?, size) };
        let leaf = ty == MAPLE_LEAF_64;
        let mut children = Vec::new();
        let mut cur = min;
        for i in 0..shape.slots {
            let pivot = if i < shape.pivots {
                match word(shape.pivot + size * i) {
                    Some(p) => p,
                    None => break,
                }
            } else {
                max
            };
            // A zero pivot past the first entry: unused, or (the kernel's `mas_logical_pivot`) an entry
            // that runs to the node's end.
            let pivot = if i > 0 && pivot == 0 {
                match word(shape.slot + size * i) {
                    Some(s) if s != 0 => max,
                    _ => break,
                }
            } else {
                pivot
            };
            if pivot < cur || pivot > max {
                end = VmaWalkEnd::Junk;
                break;
            }
            let Some(slot) = word(shape.slot + size * i) else {
                break;
            };
            let overlaps = cur < hi && pivot >= lo;
            if slot != 0 && overlaps {
                if leaf {
                    match read_vma(mem, slot, mm, l, Some((cur, pivot.wrapping_add(1)))) {
                        Some(v) => out.push(v),
                        None => end = VmaWalkEnd::Junk,
                    }
                } else if l.kernel_ptr(slot & !MAPLE_NODE_MASK) {
                    children.push((slot, cur, pivot));
                } else {
                    end = VmaWalkEnd::Junk;
                }
            }
            if pivot >= max {
                break;
            }
            cur = pivot + 1;
        }
        // Leftmost child on top; a tree that would need more pending nodes than the bound is cut.
        if stack.len() + children.len() > MAX_NODES {
            end = VmaWalkEnd::Bounded;
            break;
        }
        stack.extend(children.into_iter().rev());
    }
    out.sort_by_key(|v| v.start);
    out.dedup_by_key(|v| v.start);
    (out, end)
}

fn walk_list<M: GuestMemory + ?Sized>(
    mem: &mut M,
    mm: u64,
    l: &VmaLayout,
    head: u64,
    next: u64,
    lo: u64,
    hi: u64,
) -> (Vec<RawVma>, VmaWalkEnd) {
    let mut out = Vec::new();
    let Some(mut cur) = mm.checked_add(head).and_then(|a| l.read_word(mem, a)) else {
        return (out, VmaWalkEnd::Junk);
    };
    let mut last_end = 0u64;
    for _ in 0..MAX_VMAS {
        if cur == 0 {
            return (out, VmaWalkEnd::Complete);
        }
        let Some(v) = read_vma(mem, cur, mm, l, None) else {
            return (out, VmaWalkEnd::Junk);
        };
        // The list is sorted and disjoint: anything else is junk (and ends a cycle).
        if v.start < last_end {
            return (out, VmaWalkEnd::Junk);
        }
        last_end = v.end;
        if v.start < hi && v.end > lo {
            out.push(v);
        }
        if v.start >= hi {
            return (out, VmaWalkEnd::Complete);
        }
        let Some(n) = cur.checked_add(next).and_then(|a| l.read_word(mem, a)) else {
            return (out, VmaWalkEnd::Junk);
        };
        cur = n;
    }
    (out, VmaWalkEnd::Bounded)
}

/// What `/proc/PID/maps` names an area.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VmaName {
    /// A file, by the kernel's path.
    File(String),
    /// A file whose name could not be read.
    UnnamedFile,
    /// `[heap]`, `[stack]`, `[vdso]`, `[vvar]`, `[anon:NAME]`...
    Special(String),
    /// Anonymous memory.
    Anonymous,
}

impl VmaName {
    /// The name as `/proc/PID/maps` prints it, `None` for anonymous memory.
    pub fn as_maps(&self) -> Option<&str> {
        match self {
            VmaName::File(p) | VmaName::Special(p) => Some(p),
            VmaName::UnnamedFile => Some("?"),
            VmaName::Anonymous => None,
        }
    }
}

/// Names area `v` as `/proc/PID/maps` would. `files` caches file names by `struct file *` for one
/// walk (a library's several mappings share one file).
pub fn vma_name<M: GuestMemory + ?Sized>(
    mem: &mut M,
    v: &RawVma,
    info: Option<MmInfo>,
    l: &VmaLayout,
    vfs: Option<&VfsLayout>,
    files: &mut HashMap<u64, Option<String>>,
) -> VmaName {
    if v.file != 0 {
        let name = files
            .entry(v.file)
            .or_insert_with(|| vfs.and_then(|vl| vfs::file_name(mem, vl, v.file)))
            .clone();
        return name.map_or(VmaName::UnnamedFile, VmaName::File);
    }
    // A special mapping (vDSO, vvar): its operations have a `name` callback, and its private data is
    // a `struct vm_special_mapping` whose first member names it.
    if let Some(ops_name) = l.ops_name
        && l.kernel_ptr(v.ops)
        && l.read_word(mem, v.ops.wrapping_add(ops_name))
            .is_some_and(|f| f != 0)
        && l.kernel_ptr(v.private)
        && let Some(p) = l.read_word(mem, v.private.wrapping_add(l.special_name))
        && l.is_kernel(p)
        && let Some((b, true)) = mem.read_cstr(p, l.bytes_below_top(p, 64))
        && b.first() == Some(&b'[')
        && b.last() == Some(&b']')
    {
        return VmaName::Special(String::from_utf8_lossy(&b).into_owned());
    }
    if let Some(i) = info {
        if v.start <= i.brk && v.end >= i.start_brk {
            return VmaName::Special("[heap]".into());
        }
        if v.start <= i.start_stack && v.end >= i.start_stack {
            return VmaName::Special("[stack]".into());
        }
    }
    if let Some((field, name_off)) = l.anon_name
        && let Some(p) = l.read_word(mem, v.addr.wrapping_add(field))
        && l.kernel_ptr(p)
        && let name = p.wrapping_add(name_off)
        && let Some((b, true)) = mem.read_cstr(name, l.bytes_below_top(name, 80))
    {
        return VmaName::Special(format!("[anon:{}]", String::from_utf8_lossy(&b)));
    }
    VmaName::Anonymous
}

#[cfg(test)]
mod tests;
