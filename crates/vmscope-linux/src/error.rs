//! The one error type of this crate: what can go wrong turning a kernel file into a [`KernelLayout`],
//! finding a running kernel's BTF in guest memory, or caching it on the host.
//!
//! Single guest reads never produce these: they fail with `None` (see [`vmscope_core::guest`]); only a
//! whole search that found nothing does ([`Error::Locate`]). Every variant carries what a user needs to
//! act on it.
//!
//! [`KernelLayout`]: crate::btf::KernelLayout

use std::path::PathBuf;

/// Errors of the vmscope-linux crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The kernel file could not be read.
    #[error("cannot read kernel file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },

    /// The bytes are neither an ELF vmlinux nor an x86 bzImage.
    #[error("not a Linux kernel image: {reason}")]
    NotAKernelImage {
        /// Why it was rejected.
        reason: String,
    },

    /// The bzImage payload starts with bytes of no compression format we know.
    #[error("unknown compression of the bzImage payload (first bytes {magic:02x?})")]
    UnknownCompression {
        /// The first bytes of the payload (at most 8).
        magic: Vec<u8>,
    },

    /// The bzImage payload uses a compression we recognise but do not decode.
    #[error(
        "the bzImage payload is {format}-compressed, which vmscope cannot decompress; use an uncompressed vmlinux"
    )]
    UnsupportedCompression {
        /// The format's name (`bzip2`, `lz4`, `lzo`).
        format: &'static str,
    },

    /// Decompression failed.
    #[error("corrupt {format} payload: {detail}")]
    CorruptPayload {
        /// The compression format.
        format: &'static str,
        /// What the decoder said.
        detail: String,
    },

    /// The payload decompresses to more than the limit.
    #[error("the {format} payload decompresses to more than {limit} bytes; refused")]
    PayloadTooLarge {
        /// The compression format.
        format: &'static str,
        /// The limit in bytes.
        limit: u64,
    },

    /// The vmlinux ELF could not be parsed.
    #[error("malformed vmlinux ELF: {detail}")]
    BadElf {
        /// What was wrong.
        detail: String,
    },

    /// The kernel was built without `CONFIG_DEBUG_INFO_BTF`.
    #[error("the kernel has no .BTF section (built without CONFIG_DEBUG_INFO_BTF?)")]
    NoBtf,

    /// The `.BTF` section could not be parsed.
    #[error("cannot parse the kernel's BTF: {source}")]
    Btf {
        /// The parser's error.
        #[source]
        source: btf_rs::Error,
    },

    /// The debug-info file has no `.debug_info` section.
    #[error(
        "the file has no DWARF (no .debug_info section); give the vmlinux of the kernel's -dbg package"
    )]
    NoDwarf,

    /// The DWARF could not be parsed.
    #[error("cannot parse the kernel's DWARF: {detail}")]
    Dwarf {
        /// What the parser said.
        detail: String,
    },

    /// A structure, member or per-CPU variable vmscope cannot work without is not in the DWARF.
    #[error("the kernel's DWARF has no {what}; vmscope needs it to identify tasks")]
    MissingDwarfField {
        /// What is missing, like `task_struct.pid` or `per-CPU variable this_cpu_off`.
        what: String,
    },

    /// The debug-info file was built from another kernel than the image.
    #[error("the debug info does not belong to the kernel: {detail}")]
    DebuginfoMismatch {
        /// What differs (build-ids or version banners), or why nothing could be compared.
        detail: String,
    },

    /// A structure, member or per-CPU variable vmscope cannot work without is not in the BTF.
    #[error("the kernel's BTF has no {what}; vmscope needs it to identify tasks")]
    MissingField {
        /// What is missing, like `task_struct.pid` or `per-CPU variable this_cpu_off`.
        what: String,
    },

    /// The running kernel's BTF could not be found in guest memory.
    #[error(transparent)]
    Locate(#[from] crate::btf_locate::LocateError),

    /// A file of the host's BTF cache exists but cannot be used.
    #[error("cached BTF {}: {reason}", path.display())]
    BadCacheEntry {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A user-space image's file on the host (a debug file, a copy of a library) cannot be used.
    #[error("debug file {}: {reason}", path.display())]
    DebugFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}
