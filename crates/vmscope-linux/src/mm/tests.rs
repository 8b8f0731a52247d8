//! The VMA walkers over synthetic maple trees and lists, and over hostile memory.

use super::*;
use crate::testing::small_vma_layout;
use vmscope_core::guest::TestGuest;

const MM: u64 = 0xffff_8880_0100_0000;
const NODES: u64 = 0xffff_8880_0200_0000;
const VMAS: u64 = 0xffff_8880_0300_0000;

/// Writes an area `[start, end)` with `flags` at `VMAS + 0x100 * i`; returns its address.
fn vma(g: &mut TestGuest, i: u64, start: u64, end: u64, flags: u64, file: u64) -> u64 {
    let l = small_vma_layout();
    let at = VMAS + 0x100 * i;
    g.write_u64(at + l.vm_start, start)
        .write_u64(at + l.vm_end, end)
        .write_u64(at + l.vm_mm, MM)
        .write_u64(at + l.vm_flags, flags)
        .write_u64(at + l.vm_pgoff, 0)
        .write_u64(at + l.vm_file, file)
        .write_u64(at + l.vm_ops, 0)
        .write_u64(at + l.vm_private_data, 0);
    at
}

/// Encodes node `n` of type `ty` as a parent's slot holds it (with the kernel's hint bit 2 set).
fn enode(n: u64, ty: u64) -> u64 {
    (NODES + 0x100 * n) | (ty << 3) | 4
}

/// Encodes node `n` as the tree's root (tagged `MAPLE_ROOT_NODE`).
fn root(n: u64, ty: u64) -> u64 {
    (NODES + 0x100 * n) | (ty << 3) | 2
}

/// Writes maple node `n`: `(pivot, slot)` pairs (the last pivot is implied by the parent's range).
fn node(g: &mut TestGuest, n: u64, ty: u64, entries: &[(u64, u64)]) {
    let at = NODES + 0x100 * n;
    g.write(at, &[0u8; 256]);
    let (pivot, slot) = if ty == MAPLE_ARANGE_64 {
        (8, 80)
    } else {
        (8, 128)
    };
    for (i, &(piv, s)) in entries.iter().enumerate() {
        let i = i as u64;
        g.write_u64(at + pivot + 8 * i, piv);
        g.write_u64(at + slot + 8 * i, s);
    }
}

/// Three areas with a gap before each, in two leaves under an arange root:
/// [0x400000, 0x401000) r-xp, [0x600000, 0x602000) rw-p | [0x7ffd0000, 0x7ffd1000) rw-p.
fn tree() -> (TestGuest, Vec<u64>) {
    let mut g = TestGuest::new();
    let a = vma(&mut g, 0, 0x40_0000, 0x40_1000, 5, 0);
    let b = vma(&mut g, 1, 0x60_0000, 0x60_2000, 3, 0);
    let c = vma(&mut g, 2, 0x7ffd_0000, 0x7ffd_1000, 3, 0);
    // Leaf 1 covers 0..=0x6fffff: gap, a, gap, b, gap up to its end.
    node(
        &mut g,
        1,
        MAPLE_LEAF_64,
        &[
            (0x3f_ffff, 0),
            (0x40_0fff, a),
            (0x5f_ffff, 0),
            (0x60_1fff, b),
            (0x6f_ffff, 0),
        ],
    );
    // Leaf 2 covers 0x700000..=MAX.
    node(
        &mut g,
        2,
        MAPLE_LEAF_64,
        &[(0x7ffc_ffff, 0), (0x7ffd_0fff, c), (u64::MAX, 0)],
    );
    node(
        &mut g,
        0,
        MAPLE_ARANGE_64,
        &[
            (0x6f_ffff, enode(1, MAPLE_LEAF_64)),
            (u64::MAX, enode(2, MAPLE_LEAF_64)),
        ],
    );
    g.write_u64(MM + 0x48, root(0, MAPLE_ARANGE_64));
    (g, vec![a, b, c])
}

#[test]
fn a_maple_tree_gives_every_area_in_order() {
    let (mut g, addrs) = tree();
    let l = small_vma_layout();
    let (v, end) = walk_vmas(&mut g, MM, &l, None);
    assert_eq!(end, VmaWalkEnd::Complete);
    assert_eq!(v.iter().map(|v| v.addr).collect::<Vec<_>>(), addrs);
    assert_eq!(&v[0].perms(), b"r-xp");
    assert_eq!(&v[1].perms(), b"rw-p");
    // Only the areas overlapping a range; the other leaf is not read.
    let (v, _) = walk_vmas(&mut g, MM, &l, Some((0x60_1000, 0x60_3000)));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].start, 0x60_0000);
    let (v, _) = walk_vmas(&mut g, MM, &l, Some((0x7000_0000, 0x8000_0000)));
    assert_eq!(v.iter().map(|v| v.start).collect::<Vec<_>>(), [0x7ffd_0000]);
    // An empty tree.
    g.write_u64(MM + 0x48, 0);
    assert_eq!(
        walk_vmas(&mut g, MM, &l, None),
        (vec![], VmaWalkEnd::Complete)
    );
}

#[test]
fn areas_that_are_not_where_the_tree_says_or_not_this_mms_are_refused() {
    let (mut g, addrs) = tree();
    let l = small_vma_layout();
    // b claims another mm; c claims other bounds.
    g.write_u64(addrs[1] + l.vm_mm, MM + 0x1000);
    g.write_u64(addrs[2] + l.vm_start, 0x1234_5000);
    let (v, end) = walk_vmas(&mut g, MM, &l, None);
    assert_eq!(v.len(), 1);
    assert_eq!(end, VmaWalkEnd::Junk);
}

#[test]
fn cycles_junk_and_absurd_pivots_end_the_walk_within_its_bounds() {
    let l = small_vma_layout();
    // A root whose children are itself: a cycle. Every visit reads one node; the bound stops it.
    let mut g = TestGuest::new();
    let me = enode(0, MAPLE_ARANGE_64);
    node(&mut g, 0, MAPLE_ARANGE_64, &[(0x1000, me), (u64::MAX, me)]);
    g.write_u64(MM + 0x48, root(0, MAPLE_ARANGE_64));
    let (v, end) = walk_vmas(&mut g, MM, &l, None);
    assert!(v.is_empty());
    assert_eq!(end, VmaWalkEnd::Bounded);
    // Decreasing pivots, pivots past the parent's max, unknown node types, unmapped nodes.
    let mut g = TestGuest::new();
    node(&mut g, 0, MAPLE_LEAF_64, &[(0x9000, 0), (0x1000, 0)]);
    g.write_u64(MM + 0x48, root(0, MAPLE_LEAF_64));
    assert_eq!(walk_vmas(&mut g, MM, &l, None).1, VmaWalkEnd::Junk);
    g.write_u64(MM + 0x48, root(0, 9));
    assert_eq!(walk_vmas(&mut g, MM, &l, None).1, VmaWalkEnd::Junk);
    g.write_u64(MM + 0x48, 0xffff_8880_7777_0000 | 2 << 3 | 2);
    assert_eq!(walk_vmas(&mut g, MM, &l, None).1, VmaWalkEnd::Junk);
    // Random memory: never a panic, always bounded.
    let mut seed = 0x9e37_79b9u64;
    for _ in 0..64 {
        let mut g = TestGuest::new();
        for k in 0..64u64 {
            let mut page = [0u8; 4096];
            for chunk in page.chunks_mut(8) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let v = match seed % 4 {
                    0 => (NODES + (seed >> 8) % 0x4000) | ((seed & 3) << 3),
                    1 => seed % 0x7fff_ffff,
                    _ => seed,
                };
                chunk.copy_from_slice(&v.to_le_bytes());
            }
            g.write(NODES + k * 0x1000, &page);
        }
        g.write_u64(MM + 0x48, root(seed % 64, 1 + seed % 3));
        let (v, _) = walk_vmas(&mut g, MM, &l, None);
        assert!(v.len() <= MAX_VMAS);
        assert!(v.windows(2).all(|w| w[0].start < w[1].start));
    }
}

#[test]
fn the_old_list_is_walked_in_order_and_its_cycles_end() {
    let mut l = small_vma_layout();
    l.tree = VmaTree::List {
        head: 0x30,
        next: 0x90,
    };
    let mut g = TestGuest::new();
    let a = vma(&mut g, 0, 0x1000, 0x2000, 1, 0);
    let b = vma(&mut g, 1, 0x3000, 0x5000, 3, 0);
    g.write_u64(MM + 0x30, a);
    g.write_u64(a + 0x90, b).write_u64(b + 0x90, 0);
    let (v, end) = walk_vmas(&mut g, MM, &l, None);
    assert_eq!((v.len(), end), (2, VmaWalkEnd::Complete));
    // b points back at a: out of order, the walk ends.
    g.write_u64(b + 0x90, a);
    let (v, end) = walk_vmas(&mut g, MM, &l, None);
    assert_eq!((v.len(), end), (2, VmaWalkEnd::Junk));
}

#[test]
fn anonymous_areas_are_named_like_proc_maps() {
    let (mut g, addrs) = tree();
    let l = small_vma_layout();
    let (v, _) = walk_vmas(&mut g, MM, &l, None);
    let info = MmInfo {
        start_brk: 0x60_0000,
        brk: 0x60_1000,
        start_stack: 0x7ffd_0ff0,
    };
    let mut files = HashMap::new();
    let mut name = |g: &mut TestGuest, v: &RawVma| {
        vma_name(g, v, Some(info), &l, None, &mut files)
            .as_maps()
            .map(str::to_string)
    };
    assert_eq!(name(&mut g, &v[0]), None);
    assert_eq!(name(&mut g, &v[1]).as_deref(), Some("[heap]"));
    assert_eq!(name(&mut g, &v[2]).as_deref(), Some("[stack]"));
    // A special mapping: operations with a name callback, private data naming it.
    let ops = 0xffff_8880_0400_0000u64;
    let sm = 0xffff_8880_0400_1000u64;
    let s = 0xffff_8880_0400_2000u64;
    g.write_u64(ops + 0x60, 0xffff_ffff_8100_0000)
        .write_u64(sm, s)
        .write(s, b"[vdso]\0");
    let mut vd = v[0];
    vd.ops = ops;
    vd.private = sm;
    assert_eq!(name(&mut g, &vd).as_deref(), Some("[vdso]"));
    // Private data that does not name a special mapping is not taken for one.
    g.write(s, b"junk\0");
    assert_eq!(name(&mut g, &vd), None);
    let _ = addrs;
}

#[test]
fn the_test_builders_address_spaces_walk_whole_and_by_range() {
    use crate::testing::{Area, write_address_space};
    let mut g = TestGuest::new();
    let areas: Vec<Area> = (0..20u64)
        .map(|i| Area::anon(0x10_0000 * (i + 1), 0x10_0000 * (i + 1) + 0x3000, 3))
        .collect();
    write_address_space(&mut g, MM, VMAS, &areas, (0, 0), 0);
    let l = small_vma_layout();
    let (v, end) = walk_vmas(&mut g, MM, &l, None);
    assert_eq!(end, VmaWalkEnd::Complete);
    assert_eq!(
        v.iter().map(|v| (v.start, v.end)).collect::<Vec<_>>(),
        areas.iter().map(|a| (a.start, a.end)).collect::<Vec<_>>()
    );
    let (v, end) = walk_vmas(&mut g, MM, &l, Some((0x80_0000, 0x80_0001)));
    assert_eq!(end, VmaWalkEnd::Complete);
    assert_eq!(v.iter().map(|v| v.start).collect::<Vec<_>>(), [0x80_0000]);
}

/// A 32-bit kernel's strings and areas are not read past 4 GiB (no memory of the kernel's is there).
#[test]
fn i386_reads_stop_at_4_gib() {
    let l = crate::testing::small_vma_layout_i386();
    assert_eq!(l.bytes_below_top(0xffff_fff0, 64), 16);
    assert_eq!(l.bytes_below_top(0xc000_0000, 64), 64);
    assert_eq!(l.bytes_below_top(0x1_0000_0000, 64), 0);
    assert_eq!(small_vma_layout().bytes_below_top(u64::MAX - 3, 64), 64);
    // An area whose fields would run past the top is not read, though memory answers there.
    let (mm, vma) = (0xc800_0000u64, 0xffff_ffe0u64);
    let mut g = TestGuest::new();
    g.write(vma, &[0; 0x100]);
    g.write(0xffff_f000, &[0; 0x100]);
    g.write_u32(vma + l.vm_end, 0x2000)
        .write_u32(vma + l.vm_mm, mm as u32)
        .write_u32(vma + l.vm_start, 0x1000);
    assert_eq!(read_vma(&mut g, vma, mm, &l, None), None);
    let low = 0xffff_f000u64;
    g.write_u32(low + l.vm_end, 0x2000)
        .write_u32(low + l.vm_mm, mm as u32)
        .write_u32(low + l.vm_start, 0x1000);
    assert!(read_vma(&mut g, low, mm, &l, None).is_some());
}
