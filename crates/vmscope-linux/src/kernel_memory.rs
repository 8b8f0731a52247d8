//! The running kernel's layout from guest memory, for a guest that boots itself (no kernel file).
//!
//! From any kernel text address (an exit instruction of the kernel's return path): the version banner
//! (a few reads, [`locate_banner`]), then the host cache of BTF keyed by that banner; on a miss, the
//! whole `.BTF` section located in memory ([`locate_kernel`]) and stored in the cache for the next run.
//! Either way the result is the same [`KernelLayout`] and [`VfsLayout`] a kernel file gives.
//!
//! The per-CPU offsets in BTF are relative to `.data..percpu`, which x86_64 links at address 0 (every
//! Debian vmlinux checked: 6.1, 6.12); a section found in memory has no ELF section table to say
//! otherwise, so 0 is taken.
//!
//! Trust: the banner and the BTF both come from the guest, which may be hostile. A forged banner can
//! only pick another cached BTF, which is no worse than a forged BTF in memory: offsets that name junk,
//! read through bounded, failing reads. Building a layout from a parsed BTF runs under `catch_unwind`
//! (`btf-rs` is not written for hostile input).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use btf_rs::Btf;
use vmscope_core::guest::GuestMemory;

use crate::btf::{KernelLayout, VfsLayout};
use crate::btf_cache::BtfCache;
use crate::btf_locate::{
    LocateError, LocateLimits, check_kernel_btf, locate_banner, locate_kernel, release_of,
};
use crate::error::Error;

/// Where the BTF of a kernel found in memory came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BtfSource {
    /// The host cache had it, under the kernel's banner.
    Cache {
        /// The cached file.
        path: PathBuf,
    },
    /// Located in guest memory.
    Memory {
        /// Where the `.BTF` section is.
        btf_addr: u64,
        /// How far KASLR moved the kernel, when `_text` was found.
        kaslr_slide: Option<u64>,
        /// Where it was stored in the cache (`None`: no cache, or the store failed; see
        /// [`MemoryKernel::warnings`]).
        cached_as: Option<PathBuf>,
    },
}

/// The running kernel, from guest memory.
#[derive(Debug, Clone)]
pub struct MemoryKernel {
    /// The structure layout, as from a kernel file (its release from the banner).
    pub layout: KernelLayout,
    /// The VFS layout, or the fields the BTF lacks.
    pub vfs: Result<VfsLayout, Vec<&'static str>>,
    /// The version banner (`Linux version ...`, without the newline).
    pub banner: String,
    /// Where the BTF came from.
    pub source: BtfSource,
    /// The BTF section's size in bytes.
    pub btf_len: usize,
    /// Guest memory reads made (each at most a page).
    pub reads: u64,
    /// What went wrong on the way without stopping it (an unusable cache entry, a failed store).
    pub warnings: Vec<String>,
}

impl MemoryKernel {
    /// One line: where the BTF came from, for users.
    pub fn describe_source(&self) -> String {
        let size = format!("{:.1} MiB", self.btf_len as f64 / f64::from(1 << 20));
        match &self.source {
            BtfSource::Cache { path } => format!(
                "BTF ({size}) from the host cache {} (banner found in {} reads)",
                path.display(),
                self.reads
            ),
            BtfSource::Memory {
                btf_addr,
                kaslr_slide,
                cached_as,
            } => {
                let mut s = format!("BTF ({size}) found at {btf_addr:#x}");
                if let Some(slide) = kaslr_slide {
                    s.push_str(&format!(" (KASLR slide {slide:#x})"));
                }
                s.push_str(&format!(" in {} reads", self.reads));
                if let Some(p) = cached_as {
                    s.push_str(&format!(", cached as {}", p.display()));
                }
                s
            }
        }
    }
}

/// A reader that counts its reads.
struct Counting<'m, M: GuestMemory + ?Sized> {
    mem: &'m mut M,
    reads: u64,
}

impl<M: GuestMemory + ?Sized> GuestMemory for Counting<'_, M> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        self.reads += 1;
        self.mem.read(addr, buf)
    }
}

/// The running kernel's layouts, from `text_addr` (an address in the kernel's text, like the address of
/// an exit instruction), through `cache` when given.
///
/// [`Error::Locate`] with [`LocateError::NotKernelText`] or [`LocateError::ImageNotFound`] means the
/// kernel is not mapped here (a firmware's or boot loader's instruction; KPTI's user page tables): the
/// caller may try again at another kernel-mode instruction. Other errors are final for this kernel.
pub fn kernel_from_memory<M: GuestMemory + ?Sized>(
    mem: &mut M,
    text_addr: u64,
    limits: &LocateLimits,
    cache: Option<&BtfCache>,
) -> Result<MemoryKernel, Error> {
    let mut mem = Counting { mem, reads: 0 };
    let mut warnings = Vec::new();
    if let Some(cache) = cache {
        let (banner, _) = locate_banner(&mut mem, text_addr, limits)?;
        match cache.load(&banner) {
            Ok(Some(bytes)) => match check_kernel_btf(&bytes) {
                Ok(btf) => {
                    let (layout, vfs) = layouts(&btf, &banner)?;
                    return Ok(MemoryKernel {
                        layout,
                        vfs,
                        source: BtfSource::Cache {
                            path: cache.path_for(&banner),
                        },
                        btf_len: bytes.len(),
                        reads: mem.reads,
                        banner,
                        warnings,
                    });
                }
                Err(r) => warnings.push(format!(
                    "cached BTF {} is not a kernel's BTF ({r:?}); located again",
                    cache.path_for(&banner).display()
                )),
            },
            Ok(None) => {}
            Err(e) => warnings.push(format!("{e}; located again")),
        }
    }
    let k = locate_kernel(&mut mem, text_addr, limits)?;
    let (layout, vfs) = layouts(&k.parsed, &k.banner)?;
    let cached_as = cache.and_then(|c| match c.store(&k.banner, &k.btf) {
        Ok(p) => Some(p),
        Err(e) => {
            warnings.push(format!("the BTF found is not cached: {e}"));
            None
        }
    });
    Ok(MemoryKernel {
        layout,
        vfs,
        source: BtfSource::Memory {
            btf_addr: k.btf_addr,
            kaslr_slide: k.kaslr_slide(),
            cached_as,
        },
        btf_len: k.btf.len(),
        reads: mem.reads,
        banner: k.banner,
        warnings,
    })
}

/// Whether `e` only says the kernel is not mapped where the locate ran (try at another instruction).
pub fn is_not_here(e: &Error) -> bool {
    matches!(
        e,
        Error::Locate(LocateError::NotKernelText { .. } | LocateError::ImageNotFound { .. })
    )
}

/// The layouts from a parsed kernel BTF (`.data..percpu` at 0), guarded against panics in `btf-rs`.
fn layouts(
    btf: &Btf,
    banner: &str,
) -> Result<(KernelLayout, Result<VfsLayout, Vec<&'static str>>), Error> {
    let built = catch_unwind(AssertUnwindSafe(|| {
        KernelLayout::from_btf(btf, 0).map(|l| (l, VfsLayout::from_btf(btf)))
    }))
    .map_err(|_| Error::MissingField {
        what: "readable types (the BTF parser gave up on this one)".into(),
    })?;
    let (mut layout, vfs) = built?;
    layout.release = release_of(banner).map(str::to_string);
    Ok((layout, vfs))
}

#[cfg(test)]
mod tests;
