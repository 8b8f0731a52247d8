//! Tests of the BTF locator over synthetic kernel memory: a real (small) BTF among decoys, holes and
//! hostile sizes.

use super::*;
use vmscope_core::guest::TestGuest;

/// A [`TestGuest`] read a page slice at a time (its own reads go byte by byte, too slow for scans of
/// thousands of pages in a debug build).
pub(crate) struct Fast<'a>(pub(crate) &'a TestGuest);

impl GuestMemory for Fast<'_> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        let mut done = 0usize;
        while done < buf.len() {
            let Some(a) = addr.checked_add(done as u64) else {
                return false;
            };
            let Some(page) = self.0.pages.get(&(a & !0xfff)) else {
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

/// A minimal valid kernel-like BTF: `int`, `struct task_struct { int pid; int tgid; }`, and padding
/// types to reach about `extra_bytes` more.
pub(crate) fn small_kernel_btf(struct_name: &str, extra_bytes: usize) -> Vec<u8> {
    let mut strings = vec![0u8];
    let mut s = |name: &str| -> u32 {
        let off = strings.len() as u32;
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
        off
    };
    let mut types = Vec::new();
    let mut w = |x: u32| types.extend_from_slice(&x.to_le_bytes());
    // [1] int: name, info (kind 1), size 4, encoding word (signed, 32 bits).
    let int = s("int");
    for x in [int, 1 << 24, 4, (1 << 24) | 32] {
        w(x);
    }
    // [2] struct NAME { int pid; int tgid; }, size 8.
    let (st, pid, tgid) = (s(struct_name), s("pid"), s("tgid"));
    for x in [st, (4 << 24) | 2, 8, pid, 1, 0, tgid, 1, 32] {
        w(x);
    }
    // Padding: typedefs of int (`t0`, `t1`, ...), 12 bytes each.
    let mut i = 0;
    while types.len() < extra_bytes {
        let n = s(&format!("t{i}"));
        for x in [n, 8 << 24, 1] {
            types.extend_from_slice(&x.to_le_bytes());
        }
        i += 1;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&BTF_NEEDLE);
    let (tl, sl) = (types.len() as u32, strings.len() as u32);
    for x in [24u32, 0, tl, tl, sl] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(&types);
    out.extend_from_slice(&strings);
    out
}

pub(crate) const TEXT: u64 = 0xffff_ffff_9a00_0000; // _text, slid by 0x19000000
pub(crate) const SYSRET: u64 = TEXT + 0xe0_01c8;
pub(crate) const RODATA: u64 = TEXT + 0x100_0000;
const BANNER: &[u8] = b"Linux version 6.12.95+deb12-amd64 (debian-kernel@lists.debian.org) (gcc 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.12.95-1\n\0";

pub(crate) fn map(g: &mut TestGuest, from: u64, to: u64) {
    let mut a = from;
    while a < to {
        g.write(a, &[0xcc]);
        a += PAGE;
    }
}

/// A kernel image: text mapped from `_text` to `.rodata` minus a 1.5 MiB hole, the banner at the
/// start of `.rodata`, the BTF at `btf_off` into it.
pub(crate) fn guest_with(btf: &[u8], btf_off: u64) -> TestGuest {
    let mut g = TestGuest::new();
    map(&mut g, TEXT, RODATA - 0x18_0000);
    map(&mut g, RODATA, RODATA + btf_off + btf.len() as u64 + 0x2000);
    g.write(RODATA + 0xe0, BANNER);
    g.write(RODATA + btf_off, btf);
    g
}

/// Counts the reads of the memory it wraps.
struct Counting<M>(M, u64);

impl<M: GuestMemory> GuestMemory for Counting<M> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        self.1 += 1;
        self.0.read(addr, buf)
    }
}

fn locate(g: &mut TestGuest) -> Result<LocatedKernel, LocateError> {
    locate_kernel(&mut Fast(g), SYSRET, &LocateLimits::default())
}

#[test]
fn finds_banner_btf_and_text_start() {
    let btf = small_kernel_btf("task_struct", 9000);
    // An odd offset: .BTF is byte-aligned in vmlinux, and this one straddles pages.
    let mut g = guest_with(&btf, 0x6b_a4f5);
    let k = locate(&mut g).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.btf, btf);
    assert_eq!(k.btf_addr, RODATA + 0x6b_a4f5);
    assert_eq!(k.banner_addr, RODATA + 0xe0);
    assert_eq!(k.rodata_start, RODATA);
    assert!(k.banner.starts_with("Linux version 6.12.95+deb12-amd64 ("));
    assert!(!k.banner.ends_with('\n'));
    assert_eq!(k.release(), Some("6.12.95+deb12-amd64"));
    assert_eq!(k.text_start, Some(TEXT));
    assert_eq!(k.kaslr_slide(), Some(0x1900_0000));
    assert_eq!(k.stats.rejected, Rejections::default());
    // The _text probes, the banner's 9 pages, every page from .rodata to the end of the BTF once, the
    // candidate.
    let pages = (k.btf_addr + btf.len() as u64 - RODATA) / PAGE + 2;
    assert!(
        k.stats.reads <= 10 + 9 + pages + 2 + pages,
        "{:?} {pages}",
        k.stats
    );
    assert_eq!(k.stats.rodata_probes, 1);
    assert!(Btf::from_bytes(&k.btf).is_ok());
}

#[test]
fn the_banner_alone_is_cheap() {
    let btf = small_kernel_btf("task_struct", 100);
    let g = guest_with(&btf, 0x60_0000);
    let mut m = Counting(Fast(&g), 0);
    let (banner, addr) =
        locate_banner(&mut m, SYSRET, &LocateLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(addr, RODATA + 0xe0);
    assert_eq!(m.1, 9);
    assert_eq!(release_of(&banner), Some("6.12.95+deb12-amd64"));
}

#[test]
fn decoys_are_turned_down() {
    let btf = small_kernel_btf("task_struct", 3000);
    let mut g = guest_with(&btf, 0x40_0000);
    // A bare magic in data, a magic with junk sizes, one announcing 1 GiB, one with a gap between
    // its sections, one whose string section does not start with NUL, a valid BTF without
    // task_struct (a module's or a program's): all before the real one.
    let decoys: Vec<Vec<u8>> = {
        let mut v = vec![BTF_NEEDLE.to_vec()];
        let mut junk = BTF_NEEDLE.to_vec();
        junk.extend_from_slice(&[0x55; 20]);
        v.push(junk);
        let hdr = |h: [u32; 5]| {
            let mut d = BTF_NEEDLE.to_vec();
            for x in h {
                d.extend_from_slice(&x.to_le_bytes());
            }
            d
        };
        v.push(hdr([24, 0, 1 << 30, 1 << 30, 16]));
        v.push(hdr([24, 0, 64, 80, 16]));
        let mut nonul = small_kernel_btf("task_struct", 0);
        let so = 24 + u32::from_le_bytes([nonul[16], nonul[17], nonul[18], nonul[19]]) as usize;
        nonul[so] = b'x';
        v.push(nonul);
        v.push(small_kernel_btf("bpf_prog", 0));
        v
    };
    let mut at = RODATA + 0x1000 + 3;
    for d in &decoys {
        g.write(at, d);
        at += 0x3000;
    }
    let k = locate(&mut g).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.btf, btf);
    let r = k.stats.rejected;
    assert_eq!(r.bad_header, 3, "{r:?}");
    assert_eq!(r.oversized, 1, "{r:?}");
    assert_eq!(r.bad_strings, 1, "{r:?}");
    assert_eq!(r.not_kernel_btf, 1, "{r:?}");
}

#[test]
fn a_truncated_section_is_turned_down_and_the_scan_goes_on() {
    let btf = small_kernel_btf("task_struct", 20_000);
    let mut g = guest_with(&btf, 0x40_0000);
    // A copy of the real BTF earlier, with a hole in its middle.
    let copy_at = RODATA + 0x10_0000;
    g.write(copy_at, &btf);
    g.pages.remove(&((copy_at + 0x2000) & !0xfff));
    let k = locate(&mut g).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.btf_addr, RODATA + 0x40_0000);
    assert_eq!(k.stats.rejected.truncated, 1);
}

#[test]
fn a_section_running_off_the_mapping_is_refused() {
    let btf = small_kernel_btf("task_struct", 20_000);
    let mut g = guest_with(&btf, 0x40_0000);
    // The last pages of the real one are gone: no BTF at all.
    let end = RODATA + 0x40_0000 + btf.len() as u64;
    g.pages.remove(&((end - 1) & !0xfff));
    g.pages.remove(&((end + 0x1000) & !0xfff));
    g.pages.remove(&((end + 0x2000) & !0xfff));
    match locate(&mut g) {
        Err(LocateError::NoBtf { rejected, .. }) => assert_eq!(rejected.truncated, 1),
        r => panic!("{r:?}"),
    }
}

#[test]
fn candidates_are_bounded() {
    let btf = small_kernel_btf("task_struct", 2000);
    let mut g = guest_with(&btf, 0x40_0000);
    // Ten plausible copies without task_struct before the real one.
    let fake = small_kernel_btf("not_a_task", 2000);
    for i in 0..10 {
        g.write(RODATA + 0x1_0000 + i * 0x2000, &fake);
    }
    let limits = LocateLimits::default();
    match locate_kernel(&mut Fast(&g), SYSRET, &limits) {
        Err(LocateError::NoBtf { rejected, .. }) => {
            assert_eq!(rejected.not_kernel_btf, limits.max_candidates);
            assert_eq!(rejected.over_budget, 10 - limits.max_candidates + 1);
        }
        r => panic!("{r:?}"),
    }
}

#[test]
fn a_page_full_of_magic_costs_no_reads() {
    let btf = small_kernel_btf("task_struct", 100);
    let mut g = guest_with(&btf, 0x40_0000);
    let mut page = Vec::new();
    for _ in 0..1024 {
        page.extend_from_slice(&BTF_NEEDLE);
    }
    for i in 0..16 {
        g.write(RODATA + 0x10_0000 + i * PAGE, &page);
    }
    let k = locate(&mut g).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.stats.rejected.bad_header, 16 * 1024);
    let pages = (k.btf_addr + btf.len() as u64 - RODATA) / PAGE + 2;
    assert!(k.stats.reads <= 10 + 9 + pages + 2 + 2, "{:?}", k.stats);
}

#[test]
fn hostile_banners_are_skipped() {
    let btf = small_kernel_btf("task_struct", 100);
    let mut g = guest_with(&btf, 0x40_0000);
    // The log buffer's copy (no NUL after the newline), one without a digit: before the real one.
    g.write(
        RODATA + 0x40,
        b"Linux version 6.1.0 (x) #1 SMP\nLinux version x\0",
    );
    let k = locate(&mut g).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.banner_addr, RODATA + 0xe0);
    // One without its end in the banner pages, at the start of a text region: the next region.
    let mut g = guest_with(&btf, 0x40_0000);
    let region = RODATA - X86_64_IMAGE_ALIGN;
    map(&mut g, region, region + 0x10_0000);
    g.write(region, &[b'A'; 0x9000]);
    g.write(region + 0x10, b"Linux version 6");
    let k = locate_kernel(&mut Fast(&g), region - 0x1000, &LocateLimits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.banner_addr, RODATA + 0xe0);
    assert_eq!(k.stats.rodata_probes, 2);
}

#[test]
fn a_banner_across_a_page_boundary_is_read() {
    let btf = small_kernel_btf("task_struct", 100);
    let mut g = guest_with(&btf, 0x40_0000);
    g.write(RODATA + 0xe0, &[0; 200]);
    g.write(RODATA + 0x1ff8, BANNER);
    let k = locate(&mut g).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.banner_addr, RODATA + 0x1ff8);
}

#[test]
fn unmapped_image_and_bad_addresses_give_clear_errors() {
    // User page tables under KPTI: only the entry text is there.
    let mut g = TestGuest::new();
    map(&mut g, SYSRET & !0xfff, (SYSRET & !0xfff) + 0x3000);
    match locate(&mut g) {
        Err(e @ LocateError::ImageNotFound { probes: 64, .. }) => {
            assert!(e.to_string().contains("KPTI"), "{e}");
        }
        r => panic!("{r:?}"),
    }
    // Nothing mapped at all: a read per boundary, not a walk through the whole mapping.
    let empty = TestGuest::new();
    let limits = LocateLimits::default();
    let mut m = Counting(Fast(&empty), 0);
    assert!(matches!(
        locate_kernel(&mut m, SYSRET, &limits),
        Err(LocateError::ImageNotFound { probes: 64, .. })
    ));
    assert_eq!(m.1, 1 + 64);
    // A user address, a module address, zero.
    for a in [0x40_1000, 0xffff_ffff_c012_3000, 0] {
        assert!(matches!(
            locate_kernel(&mut TestGuest::new(), a, &limits),
            Err(LocateError::NotKernelText { .. })
        ));
    }
}

#[test]
fn a_kernel_without_btf_names_its_banner() {
    let mut g = guest_with(&[], 0x40_0000);
    match locate(&mut g) {
        Err(e @ LocateError::NoBtf { .. }) => {
            assert!(e.to_string().contains("6.12.95+deb12-amd64"), "{e}");
        }
        r => panic!("{r:?}"),
    }
}

#[test]
fn without_a_banner_nothing_is_taken() {
    let btf = small_kernel_btf("task_struct", 100);
    let mut g = guest_with(&btf, 0x40_0000);
    g.write(RODATA + 0xe0, &[0; 16]);
    assert!(matches!(
        locate(&mut g),
        Err(LocateError::ImageNotFound { .. })
    ));
}

/// The pages between the text and `.rodata` are freed after boot and may stay mapped (Debian's 6.1):
/// whatever is there, even a banner and a whole valid BTF, is not looked at.
#[test]
fn the_freed_gap_before_rodata_is_not_trusted() {
    let btf = small_kernel_btf("task_struct", 3000);
    let mut g = guest_with(&btf, 0x40_0000);
    let gap = RODATA - 0x18_0000;
    map(&mut g, gap, RODATA);
    let mut fake = BANNER.to_vec();
    fake[14] = b'9';
    g.write(gap + 0x100, &fake);
    g.write(gap + 0x2003, &small_kernel_btf("task_struct", 100));
    let k = locate(&mut g).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.banner_addr, RODATA + 0xe0);
    assert_eq!(k.btf_addr, RODATA + 0x40_0000);
    assert_eq!(k.btf, btf);
    assert_eq!(k.stats.rejected, Rejections::default());
}

#[test]
fn the_scan_ends_at_the_mapping_end() {
    // .rodata in the mapping's last 2 MiB, a BTF running past its end, another in the module area.
    let mut g = TestGuest::new();
    let rodata = X86_64_IMAGE_MAP_END - X86_64_IMAGE_ALIGN;
    map(&mut g, rodata - 0x4000, X86_64_IMAGE_MAP_END + 0x10000);
    g.write(rodata + 0x100, BANNER);
    let btf = small_kernel_btf("task_struct", 20_000);
    g.write(X86_64_IMAGE_MAP_END - 0x1000, &btf);
    g.write(X86_64_IMAGE_MAP_END + 0x8000, &btf);
    match locate_kernel(&mut Fast(&g), rodata - 0x3000, &LocateLimits::default()) {
        Err(LocateError::NoBtf {
            scanned_pages,
            rejected,
            ..
        }) => {
            assert_eq!(scanned_pages, 512);
            assert_eq!(rejected.oversized, 1);
        }
        r => panic!("{r:?}"),
    }
    // A boundary at the very end is not probed.
    assert!(matches!(
        locate_kernel(
            &mut Fast(&g),
            X86_64_IMAGE_MAP_END - 0x1000,
            &LocateLimits::default()
        ),
        Err(LocateError::ImageNotFound { probes: 0, .. })
    ));
}

/// Seeded mutations of a valid section: whatever the bytes, the header check and the parse
/// neither panic nor hang, and the locate still finds the intact copy after the mutated one.
#[test]
fn mutated_sections_never_panic() {
    let btf = small_kernel_btf("task_struct", 600);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..2000 {
        let mut m = btf.clone();
        for _ in 0..(next() % 8 + 1) {
            let i = (next() % m.len() as u64) as usize;
            m[i] = next() as u8;
        }
        if next() % 4 == 0 {
            m.truncate((next() % m.len() as u64) as usize);
        }
        if let Ok(h) = check_header(&m, 64 << 20)
            && h.total() <= m.len() as u64
        {
            let _ = check_kernel_btf(&m[..h.total() as usize]);
        }
    }
    // Copies with hostile sizes before the real one do not stop the locate.
    let mut g = guest_with(&btf, 0x40_0000);
    for (i, (word, delta)) in [(1usize, 4u32), (3, 4), (5, u32::MAX), (4, 4)]
        .into_iter()
        .enumerate()
    {
        let mut m = btf.clone();
        let at = 4 * word;
        let v = u32::from_le_bytes([m[at], m[at + 1], m[at + 2], m[at + 3]]).wrapping_add(delta);
        m[at..at + 4].copy_from_slice(&v.to_le_bytes());
        g.write(RODATA + 0x10_0000 + i as u64 * 0x1000, &m);
    }
    let k = locate(&mut g).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.btf_addr, RODATA + 0x40_0000);
}

#[test]
fn header_checks() {
    let good = small_kernel_btf("task_struct", 0);
    let h = check_header(&good, 1 << 20).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(h.total(), good.len() as u64);
    assert_eq!(check_header(&good, 16), Err(Rejection::Oversized));
    assert_eq!(
        check_header(&good[..10], 1 << 20),
        Err(Rejection::Truncated)
    );
    let mut v2 = good.clone();
    v2[2] = 2;
    assert_eq!(check_header(&v2, 1 << 20), Err(Rejection::BadHeader));
    let mut hdr = good.clone();
    hdr[4] = 20;
    assert_eq!(check_header(&hdr, 1 << 20), Err(Rejection::BadHeader));
    // Strings first, then types: also tiled, accepted; a gap or an overlap is not.
    let hdr = |w: [u32; 5]| {
        let mut d = BTF_NEEDLE.to_vec();
        for x in w {
            d.extend_from_slice(&x.to_le_bytes());
        }
        d
    };
    assert!(check_header(&hdr([24, 16, 100, 0, 16]), 1 << 20).is_ok());
    assert_eq!(
        check_header(&hdr([24, 20, 100, 0, 16]), 1 << 20),
        Err(Rejection::BadHeader)
    );
    assert_eq!(
        check_header(&hdr([24, 0, 100, 96, 16]), 1 << 20),
        Err(Rejection::BadHeader)
    );
    assert_eq!(
        check_header(&hdr([24, 0, 0, 0, 16]), 1 << 20),
        Err(Rejection::BadHeader)
    );
    assert_eq!(
        check_header(&hdr([24, 0, 16, 16, 0]), 1 << 20),
        Err(Rejection::BadHeader)
    );
    // A longer header (4-aligned, up to 256 bytes) is accepted.
    assert!(check_header(&hdr([32, 0, 16, 16, 1]), 1 << 20).is_ok());
    assert_eq!(
        check_header(&hdr([260, 0, 16, 16, 1]), 1 << 20),
        Err(Rejection::BadHeader)
    );
    // Sizes that overflow 32 bits add up in 64.
    let mut big = good;
    big[12..16].copy_from_slice(&0xffff_fffcu32.to_le_bytes());
    big[16..20].copy_from_slice(&0xffff_fffcu32.to_le_bytes());
    big[20..24].copy_from_slice(&0xffff_ffffu32.to_le_bytes());
    assert_eq!(check_header(&big, 64 << 20), Err(Rejection::Oversized));
}
