//! Finding the running kernel's BTF in guest memory, for a guest booted without a kernel file.
//!
//! A kernel built with `CONFIG_DEBUG_INFO_BTF=y` keeps its `.BTF` section in memory, in the read-only
//! data after its text (`RO_DATA` in the kernel's linker script: `.rodata` first, `.BTF` near its end).
//! On x86_64 the kernel image lives in the kernel text mapping `0xffffffff80000000..0xffffffffc0000000`,
//! `_text` at `0xffffffff81000000` moved by KASLR in steps of 2 MiB; below `_text` nothing is mapped, and
//! `.rodata` starts at the first 2 MiB boundary after the text.
//!
//! Any kernel text address seen at run time (a `sysretq` or `iretq` of the kernel's exit path, known at
//! translation time) is a starting point:
//! 1. `_text`: the 2 MiB boundaries below it, while readable (for the KASLR slide; not needed after).
//! 2. `.rodata`: the first 2 MiB boundary above it whose first pages hold the version banner
//!    ("Linux version ...\n", at 0xe0 or 0x1a0 into `.rodata` on Debian's kernels). Since Linux 6.1
//!    that first one is `init/version.c`'s weak `linux_banner`, built before the build number is known
//!    (`# SMP`); the one printed at boot and in `/proc/version` (`#1 SMP`), from
//!    `init/version-timestamp.c`, is 1.5 MiB further. The first is the one taken: it names the build as
//!    well (release, compiler, package version and date) and costs 9 reads.
//! 3. `.BTF`: a scan upward from there, page after page, for a BTF header that checks out.
//!
//! The scan starts at `.rodata`, not at the text address, on purpose: the pages between the end of the
//! text and `.rodata` are freed after boot and may stay mapped (Debian's 6.1 leaves them so); they are
//! reused for anything, modules' BTF and user data included. A scan through them met 30 module BTF
//! headers there and could be fed a copy of `/sys/kernel/btf/vmlinux` with other offsets by any user.
//! `.rodata` up to `.BTF` is constant. (A kernel without BTF is still scanned past its `.rodata`, into
//! memory others may write: such a kernel could be given a fake BTF.)
//!
//! Guest memory is hostile and everything is bounded: at most 513 one-byte probes for `_text`; at most
//! 64 boundaries × 9 pages for the banner; at most [`LocateLimits::max_scan_pages`] pages scanned, each
//! read once (4 KiB reads that never cross a page), ending early after [`LocateLimits::max_gap_pages`]
//! unreadable pages in a row. Every BTF candidate is checked in memory first (header fields consistent,
//! the whole section within [`LocateLimits::max_btf_size`]), and at most [`LocateLimits::max_candidates`]
//! are read further: both ends of the string section (2 one-byte reads; both must be NUL), then the whole
//! section (one read per page), parsed with `btf-rs`; the kernel's own BTF describes `task_struct.pid`.
//! With the default limits: at most 513 + 576 + 32,768 + 4 × (2 + 16,385) = 99,405 reads.
//!
//! With KPTI the user page tables map only the kernel's entry code: the locate must run where the
//! kernel's page tables are loaded (a kernel-mode hook, like the write of the user CR3 just before the
//! return to user mode), else it fails with [`LocateError::ImageNotFound`].

use std::fmt;

use btf_rs::{Btf, Type};
use vmscope_core::guest::GuestMemory;

/// Start of the x86_64 kernel text mapping (`__START_KERNEL_map`).
pub const X86_64_IMAGE_MAP_START: u64 = 0xffff_ffff_8000_0000;
/// End (exclusive) of the x86_64 kernel image mapping (`KERNEL_IMAGE_SIZE` is 1 GiB with KASLR; the
/// modules follow).
pub const X86_64_IMAGE_MAP_END: u64 = 0xffff_ffff_c000_0000;
/// Where `_text` is without KASLR (`__START_KERNEL`): `text_start - X86_64_DEFAULT_TEXT` is the slide.
pub const X86_64_DEFAULT_TEXT: u64 = 0xffff_ffff_8100_0000;
/// KASLR moves the kernel in steps of this (`CONFIG_PHYSICAL_ALIGN`, 2 MiB).
pub const X86_64_IMAGE_ALIGN: u64 = 2 << 20;

const PAGE: u64 = 4096;
const PAGE_USIZE: usize = 4096;
/// How far below the text address `_text` is looked for: the whole 1 GiB mapping in 2 MiB steps.
const MAX_TEXT_PROBES: u64 = (X86_64_IMAGE_MAP_END - X86_64_IMAGE_MAP_START) / X86_64_IMAGE_ALIGN;

const BANNER_PREFIX: &[u8] = b"Linux version ";
/// The longest banner accepted (Debian's are about 200 bytes).
const MAX_BANNER: usize = 512;
/// 2 MiB boundaries above the text address tried as the start of `.rodata` (128 MiB).
const MAX_RODATA_PROBES: u64 = 64;
/// Pages at the start of a boundary searched for the banner (32 KiB).
const BANNER_PAGES: u64 = 8;

/// `magic` 0xeB9F (little-endian), `version` 1, `flags` 0: the first 4 bytes of `struct btf_header`.
pub(crate) const BTF_NEEDLE: [u8; 4] = [0x9f, 0xeb, 0x01, 0x00];
/// `sizeof(struct btf_header)` in Linux; a later version may grow it (the kernel accepts a longer header
/// whose extra bytes are zero).
const BTF_HEADER_LEN: usize = 24;
/// The longest header accepted.
const BTF_MAX_HEADER_LEN: u32 = 256;

/// Bounds of a locate; see the module documentation for what they cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocateLimits {
    /// Pages scanned upward from the start of `.rodata`, readable or not (default 32,768: 128 MiB;
    /// Debian's 6.12 BTF ends 11 MiB into its `.rodata`).
    pub max_scan_pages: u64,
    /// Unreadable pages in a row that end the scan (default 1,024: 4 MiB; `.rodata` to `.BTF` has
    /// none).
    pub max_gap_pages: u64,
    /// The largest BTF section accepted, header included (default 64 MiB; Debian's 6.12 has 4.7 MiB).
    pub max_btf_size: u64,
    /// BTF candidates whose header passed and that are read in full and parsed (default 4).
    pub max_candidates: u32,
}

impl Default for LocateLimits {
    fn default() -> Self {
        Self {
            max_scan_pages: 32_768,
            max_gap_pages: 1_024,
            max_btf_size: 64 << 20,
            max_candidates: 4,
        }
    }
}

/// The running kernel, found in guest memory.
pub struct LocatedKernel {
    /// `_text`: the lowest 2 MiB-aligned address from which the mapping is readable in 2 MiB steps up to
    /// the text address; `None` when the text address's own 2 MiB boundary is not readable.
    pub text_start: Option<u64>,
    /// The first version banner in `.rodata`, without its final newline (`Linux version
    /// 6.12.95+deb12-amd64 (...) # SMP ...`; on 6.1+ without the build number `/proc/version` has).
    pub banner: String,
    /// Where the banner is.
    pub banner_addr: u64,
    /// Where `.rodata` starts (the 2 MiB boundary the banner was found after).
    pub rodata_start: u64,
    /// Where the `.BTF` section starts.
    pub btf_addr: u64,
    /// The whole `.BTF` section, header included, as `Btf::from_bytes` takes it (and as the cache
    /// stores it).
    pub btf: Vec<u8>,
    /// The same, parsed (the check parsed it; parsing Debian's takes about 0.1 s, no need to do it twice).
    pub parsed: Btf,
    /// What the locate cost.
    pub stats: LocateStats,
}

impl fmt::Debug for LocatedKernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocatedKernel")
            .field("text_start", &self.text_start.map(|a| format!("{a:#x}")))
            .field("banner", &self.banner)
            .field("banner_addr", &format_args!("{:#x}", self.banner_addr))
            .field("rodata_start", &format_args!("{:#x}", self.rodata_start))
            .field("btf_addr", &format_args!("{:#x}", self.btf_addr))
            .field("btf_len", &self.btf.len())
            .field("stats", &self.stats)
            .finish()
    }
}

impl LocatedKernel {
    /// The kernel release from the banner (`6.12.95+deb12-amd64`).
    pub fn release(&self) -> Option<&str> {
        release_of(&self.banner)
    }

    /// How far KASLR moved the kernel, when `_text` was found.
    pub fn kaslr_slide(&self) -> Option<u64> {
        self.text_start
            .and_then(|t| t.checked_sub(X86_64_DEFAULT_TEXT))
    }
}

/// The release in a banner: the word after `Linux version `.
pub fn release_of(banner: &str) -> Option<&str> {
    let rest = banner.strip_prefix("Linux version ")?;
    let release = rest.split(' ').next()?;
    (!release.is_empty()).then_some(release)
}

/// What a locate read and what it turned down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LocateStats {
    /// Calls to [`GuestMemory::read`] (each at most one page).
    pub reads: u64,
    /// 2 MiB boundaries tried as the start of `.rodata`.
    pub rodata_probes: u64,
    /// Pages the BTF scan visited (readable or not).
    pub scanned_pages: u64,
    /// Pages of those that could be read.
    pub readable_pages: u64,
    /// BTF candidates turned down.
    pub rejected: Rejections,
}

/// Counts of BTF candidates turned down, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rejections {
    /// The magic was there but the header's fields were inconsistent (a decoy).
    pub bad_header: u32,
    /// The header announced more than [`LocateLimits::max_btf_size`].
    pub oversized: u32,
    /// Part of the announced section could not be read.
    pub truncated: u32,
    /// The string section does not start and end with NUL.
    pub bad_strings: u32,
    /// `btf-rs` refused it, or it has no `struct task_struct` (not the kernel's own BTF).
    pub not_kernel_btf: u32,
    /// Not read: [`LocateLimits::max_candidates`] were already read.
    pub over_budget: u32,
}

impl Rejections {
    fn total(&self) -> u32 {
        self.bad_header
            + self.oversized
            + self.truncated
            + self.bad_strings
            + self.not_kernel_btf
            + self.over_budget
    }

    fn count(&mut self, r: Rejection) {
        let slot = match r {
            Rejection::BadHeader => &mut self.bad_header,
            Rejection::Oversized => &mut self.oversized,
            Rejection::Truncated => &mut self.truncated,
            Rejection::BadStrings => &mut self.bad_strings,
            Rejection::NotKernelBtf => &mut self.not_kernel_btf,
            Rejection::OverBudget => &mut self.over_budget,
        };
        *slot = slot.saturating_add(1);
    }
}

impl fmt::Display for Rejections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.total() == 0 {
            return f.write_str("no BTF magic seen");
        }
        let parts = [
            (self.bad_header, "inconsistent header"),
            (self.oversized, "oversized"),
            (self.truncated, "truncated"),
            (self.bad_strings, "bad string section"),
            (self.not_kernel_btf, "not the kernel's BTF"),
            (self.over_budget, "not read (candidate limit)"),
        ];
        let mut first = true;
        f.write_str("candidates turned down: ")?;
        for (n, what) in parts.into_iter().filter(|(n, _)| *n > 0) {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{n} {what}")?;
        }
        Ok(())
    }
}

/// Why a BTF candidate was turned down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    BadHeader,
    Oversized,
    Truncated,
    BadStrings,
    NotKernelBtf,
    OverBudget,
}

/// Why the kernel's BTF could not be located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocateError {
    /// The starting address is not in the kernel image mapping.
    #[error(
        "{addr:#x} is not in the x86_64 kernel image mapping ({X86_64_IMAGE_MAP_START:#x}..{X86_64_IMAGE_MAP_END:#x})"
    )]
    NotKernelText {
        /// The address given.
        addr: u64,
    },

    /// No 2 MiB boundary above the text address starts with the banner: the image is not mapped in
    /// this address space, or the address is not in the text.
    #[error(
        "no `Linux version` banner at any of the {probes} 2 MiB boundaries above {from:#x}: is the kernel image mapped here? (with KPTI the user page tables map only the entry code; locate on the kernel's page tables) Else this kernel's banner is not in the first 32 KiB of its .rodata"
    )]
    ImageNotFound {
        /// The text address given.
        from: u64,
        /// Boundaries tried.
        probes: u64,
    },

    /// The banner was found but no valid BTF.
    #[error(
        "the running kernel ({banner}) has no usable .BTF in the {scanned_pages} pages scanned from {from:#x} ({rejected}); built without CONFIG_DEBUG_INFO_BTF?"
    )]
    NoBtf {
        /// The version banner.
        banner: String,
        /// Where the scan started (the start of `.rodata`).
        from: u64,
        /// Pages visited.
        scanned_pages: u64,
        /// What was turned down.
        rejected: Rejections,
    },
}

/// Finds the running kernel's version banner and BTF, from `text_addr`, an address in the kernel's text
/// (the address of an instruction of the kernel's exit path).
pub fn locate_kernel<M: GuestMemory + ?Sized>(
    mem: &mut M,
    text_addr: u64,
    limits: &LocateLimits,
) -> Result<LocatedKernel, LocateError> {
    let mut s = Scan::new(mem, text_addr, limits)?;
    let text_start = s.find_text_start(text_addr);
    let (rodata_start, banner, banner_addr) = s.find_rodata(text_addr)?;
    match s.find_btf(rodata_start) {
        Some((btf_addr, btf, parsed)) => {
            s.stats.reads = s.r.reads;
            Ok(LocatedKernel {
                text_start,
                banner,
                banner_addr,
                rodata_start,
                btf_addr,
                btf,
                parsed,
                stats: s.stats,
            })
        }
        None => Err(LocateError::NoBtf {
            banner,
            from: rodata_start,
            scanned_pages: s.stats.scanned_pages,
            rejected: s.stats.rejected,
        }),
    }
}

/// Finds only the version banner (a few dozen reads): enough to look the BTF up in a
/// [`crate::btf_cache::BtfCache`] before paying for the rest. Returns the banner and its address.
pub fn locate_banner<M: GuestMemory + ?Sized>(
    mem: &mut M,
    text_addr: u64,
    limits: &LocateLimits,
) -> Result<(String, u64), LocateError> {
    let mut s = Scan::new(mem, text_addr, limits)?;
    let (_, banner, addr) = s.find_rodata(text_addr)?;
    Ok((banner, addr))
}

/// A guest reader that counts its reads.
struct Reader<'m, M: GuestMemory + ?Sized> {
    mem: &'m mut M,
    reads: u64,
}

impl<M: GuestMemory + ?Sized> Reader<'_, M> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        self.reads += 1;
        self.mem.read(addr, buf)
    }

    /// Reads `len` bytes at `addr` a page at a time; `None` at the first unreadable page.
    fn read_span(&mut self, addr: u64, len: u64) -> Option<Vec<u8>> {
        let end = addr.checked_add(len)?;
        let mut out = vec![0u8; usize::try_from(len).ok()?];
        let mut cur = addr;
        while cur < end {
            let chunk = (PAGE - (cur & (PAGE - 1))).min(end - cur);
            let at = (cur - addr) as usize;
            if !self.read(cur, &mut out[at..at + chunk as usize]) {
                return None;
            }
            cur += chunk;
        }
        Some(out)
    }
}

/// The parsed `struct btf_header`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BtfHeader {
    pub(crate) hdr_len: u32,
    pub(crate) type_off: u32,
    pub(crate) type_len: u32,
    pub(crate) str_off: u32,
    pub(crate) str_len: u32,
}

impl BtfHeader {
    /// The whole section's size, header included.
    pub(crate) fn total(&self) -> u64 {
        u64::from(self.hdr_len) + u64::from(self.type_len) + u64::from(self.str_len)
    }

    /// Offset of the string section from the start of the section.
    fn strings_at(&self) -> u64 {
        u64::from(self.hdr_len) + u64::from(self.str_off)
    }
}

/// Checks the header at the start of `bytes` as the kernel does for its own BTF: magic, version 1, no
/// flags, a header of 24 to 256 bytes (4-aligned), the type and string sections back to back from
/// offset 0 without a gap or an overlap, the types 4-aligned and present, strings present, the whole
/// within `max_size`.
pub(crate) fn check_header(bytes: &[u8], max_size: u64) -> Result<BtfHeader, Rejection> {
    let word = |i: usize| -> Option<u32> {
        let b = bytes.get(i..i + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if bytes.get(..4) != Some(&BTF_NEEDLE[..]) {
        return Err(Rejection::BadHeader);
    }
    let (Some(hdr_len), Some(type_off), Some(type_len), Some(str_off), Some(str_len)) =
        (word(4), word(8), word(12), word(16), word(20))
    else {
        return Err(Rejection::Truncated);
    };
    let h = BtfHeader {
        hdr_len,
        type_off,
        type_len,
        str_off,
        str_len,
    };
    let aligned = hdr_len % 4 == 0 && type_off % 4 == 0 && type_len % 4 == 0;
    let sized = (BTF_HEADER_LEN as u32..=BTF_MAX_HEADER_LEN).contains(&hdr_len)
        && type_len > 0
        && str_len > 0;
    // The two sections tile [0, type_len + str_len) in either order.
    let tiled = (type_off == 0 && u64::from(str_off) == u64::from(type_len))
        || (str_off == 0 && u64::from(type_off) == u64::from(str_len));
    if !(aligned && sized && tiled) {
        return Err(Rejection::BadHeader);
    }
    if h.total() > max_size {
        return Err(Rejection::Oversized);
    }
    Ok(h)
}

/// Checks `blob` is a whole BTF section (header, exact size, string section ending in NUL), parses it and
/// checks it is a kernel's own: a base BTF whose `struct task_struct` has a `pid`.
pub(crate) fn check_kernel_btf(blob: &[u8]) -> Result<Btf, Rejection> {
    let h = check_header(blob, u64::MAX)?;
    if h.total() != blob.len() as u64 {
        return Err(Rejection::Truncated);
    }
    // A string section ending without NUL would make the parser read on into the next section.
    let strings = usize::try_from(h.strings_at()).map_err(|_| Rejection::Truncated)?;
    let str_len = h.str_len as usize;
    if blob.get(strings) != Some(&0) || blob.get(strings + str_len - 1) != Some(&0) {
        return Err(Rejection::BadStrings);
    }
    // btf-rs is not written for hostile input; a panic in it must not cross into QEMU.
    let parsed = std::panic::catch_unwind(|| {
        let btf = Btf::from_bytes(blob).ok()?;
        let types = btf.resolve_types_by_name("task_struct").ok()?;
        let has_pid = types.iter().any(|t| match t {
            Type::Struct(st) => st
                .members
                .iter()
                .any(|m| btf.resolve_name(m).is_ok_and(|n| n == "pid")),
            _ => false,
        });
        has_pid.then_some(btf)
    });
    match parsed {
        Ok(Some(btf)) => Ok(btf),
        _ => Err(Rejection::NotKernelBtf),
    }
}

/// The state of one locate.
struct Scan<'m, M: GuestMemory + ?Sized> {
    r: Reader<'m, M>,
    limits: LocateLimits,
    candidates_read: u32,
    stats: LocateStats,
}

impl<'m, M: GuestMemory + ?Sized> Scan<'m, M> {
    fn new(mem: &'m mut M, text_addr: u64, limits: &LocateLimits) -> Result<Self, LocateError> {
        if !(X86_64_IMAGE_MAP_START..X86_64_IMAGE_MAP_END).contains(&text_addr) {
            return Err(LocateError::NotKernelText { addr: text_addr });
        }
        Ok(Scan {
            r: Reader { mem, reads: 0 },
            limits: *limits,
            candidates_read: 0,
            stats: LocateStats::default(),
        })
    }

    /// `_text`: 2 MiB-aligned, readable from there in 2 MiB steps up to the text address, and nothing
    /// readable 2 MiB below.
    fn find_text_start(&mut self, text_addr: u64) -> Option<u64> {
        let mut b = [0u8; 1];
        let mut at = text_addr & !(X86_64_IMAGE_ALIGN - 1);
        if !self.r.read(at, &mut b) {
            return None;
        }
        for _ in 0..MAX_TEXT_PROBES {
            let Some(below) = at.checked_sub(X86_64_IMAGE_ALIGN) else {
                break;
            };
            if below < X86_64_IMAGE_MAP_START || !self.r.read(below, &mut b) {
                break;
            }
            at = below;
        }
        Some(at)
    }

    /// `.rodata`: the first 2 MiB boundary above `text_addr` with the banner in its first
    /// [`BANNER_PAGES`] pages. Returns the boundary, the banner and its address.
    fn find_rodata(&mut self, text_addr: u64) -> Result<(u64, String, u64), LocateError> {
        let mut region = (text_addr | (X86_64_IMAGE_ALIGN - 1)).saturating_add(1);
        let mut bytes = Vec::with_capacity(((BANNER_PAGES + 1) * PAGE) as usize);
        let mut page = [0u8; PAGE_USIZE];
        while region < X86_64_IMAGE_MAP_END && self.stats.rodata_probes < MAX_RODATA_PROBES {
            self.stats.rodata_probes += 1;
            // The banner may run into the page after the last one searched.
            bytes.clear();
            for i in 0..=BANNER_PAGES {
                if !self.r.read(region + i * PAGE, &mut page) {
                    break;
                }
                bytes.extend_from_slice(&page);
            }
            let searched = bytes.len().min((BANNER_PAGES * PAGE) as usize);
            let hay = &bytes[..(searched + BANNER_PREFIX.len()).min(bytes.len())];
            let found = memchr::memmem::find_iter(hay, BANNER_PREFIX)
                .filter(|&pos| pos < searched)
                .find_map(|pos| parse_banner(&bytes[pos..]).map(|b| (pos, b)));
            if let Some((pos, banner)) = found {
                return Ok((region, banner, region + pos as u64));
            }
            region += X86_64_IMAGE_ALIGN;
        }
        self.stats.reads = self.r.reads;
        Err(LocateError::ImageNotFound {
            from: text_addr,
            probes: self.stats.rodata_probes,
        })
    }

    /// Scans upward from `from` for the kernel's BTF: its address, bytes and parse.
    fn find_btf(&mut self, from: u64) -> Option<(u64, Vec<u8>, Btf)> {
        let end = from
            .saturating_add(self.limits.max_scan_pages.saturating_mul(PAGE))
            .min(X86_64_IMAGE_MAP_END);
        let mut gap = 0u64;
        // The last readable page, not yet searched: it waits for the next page, joined to it so a
        // header that starts near its end is seen whole.
        let mut pending: Option<(u64, Box<[u8; PAGE_USIZE]>)> = None;
        let mut joined = Vec::with_capacity(2 * PAGE_USIZE);
        let mut page = from;
        while page < end {
            let mut buf = Box::new([0u8; PAGE_USIZE]);
            self.stats.scanned_pages += 1;
            let readable = self.r.read(page, &mut buf[..]);
            if let Some((addr, prev)) = pending.take() {
                joined.clear();
                joined.extend_from_slice(&prev[..]);
                if readable {
                    joined.extend_from_slice(&buf[..]);
                }
                if let Some(found) = self.search(addr, &joined) {
                    return Some(found);
                }
            }
            if readable {
                self.stats.readable_pages += 1;
                gap = 0;
                pending = Some((page, buf));
            } else {
                gap += 1;
                if gap >= self.limits.max_gap_pages {
                    break;
                }
            }
            page += PAGE;
        }
        let (addr, prev) = pending?;
        self.search(addr, &prev[..])
    }

    /// Searches the page at `addr`, the first 4 KiB of `bytes`, for BTF headers (the rest of `bytes` is
    /// the next page, for a header that runs into it).
    fn search(&mut self, addr: u64, bytes: &[u8]) -> Option<(u64, Vec<u8>, Btf)> {
        let hay = &bytes[..bytes.len().min(PAGE_USIZE + BTF_NEEDLE.len() - 1)];
        for pos in memchr::memmem::find_iter(hay, &BTF_NEEDLE) {
            let at = addr + pos as u64;
            match self.try_candidate(at, &bytes[pos..]) {
                Ok((btf, parsed)) => return Some((at, btf, parsed)),
                Err(r) => self.stats.rejected.count(r),
            }
        }
        None
    }

    /// Checks the candidate at `addr`, whose first bytes are `head`; returns the whole section.
    fn try_candidate(&mut self, addr: u64, head: &[u8]) -> Result<(Vec<u8>, Btf), Rejection> {
        let h = check_header(head, self.limits.max_btf_size)?;
        let total = h.total();
        if addr
            .checked_add(total)
            .is_none_or(|e| e > X86_64_IMAGE_MAP_END)
        {
            return Err(Rejection::Oversized);
        }
        if self.candidates_read >= self.limits.max_candidates {
            return Err(Rejection::OverBudget);
        }
        self.candidates_read += 1;
        // Both ends of the string section first: two small reads before a large one.
        let strings = addr + h.strings_at();
        let last = strings + u64::from(h.str_len) - 1;
        let (mut first_b, mut last_b) = ([0xffu8; 1], [0xffu8; 1]);
        if !self.r.read(strings, &mut first_b) || !self.r.read(last, &mut last_b) {
            return Err(Rejection::Truncated);
        }
        if first_b[0] != 0 || last_b[0] != 0 {
            return Err(Rejection::BadStrings);
        }
        let blob = self.r.read_span(addr, total).ok_or(Rejection::Truncated)?;
        let parsed = check_kernel_btf(&blob)?;
        Ok((blob, parsed))
    }
}

/// The banner at the start of `bytes`: `Linux version ` and a digit, printable ASCII, ended by `\n` and
/// a NUL within [`MAX_BANNER`] bytes, as `linux_banner` is. Copies in the log buffer have no NUL there.
fn parse_banner(bytes: &[u8]) -> Option<String> {
    let rest = bytes.get(BANNER_PREFIX.len()..)?;
    if !rest.first()?.is_ascii_digit() {
        return None;
    }
    let limit = bytes.len().min(MAX_BANNER);
    let nul = bytes[..limit].iter().position(|&b| b == 0)?;
    let text = bytes[..nul].strip_suffix(b"\n")?;
    if !text.iter().all(|&b| b == b' ' || b.is_ascii_graphic()) {
        return None;
    }
    String::from_utf8(text.to_vec()).ok()
}

#[cfg(test)]
pub(crate) mod tests;
