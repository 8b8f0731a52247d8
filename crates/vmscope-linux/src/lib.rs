//! vmscope-linux: what vmscope knows about Linux guests, with no I/O of its own but reading kernel files
//! and the host cache of kernels' BTF ([`btf_cache`]).
//!
//! Everything here reads the guest through [`vmscope_core::guest`] traits, so it can be tested against a
//! synthetic guest.

// One audited exception: `dwarf::map_file` maps a debug vmlinux read-only.
#![deny(unsafe_code)]

pub mod btf;
pub mod btf_cache;
pub mod btf_locate;
mod describe;
pub mod dwarf;
pub mod elf;
pub mod error;
pub mod fileops;
pub mod kernel_image;
pub mod kernel_memory;
mod kspace;
pub mod mm;
pub mod netops;
pub mod process;
pub mod signal;
pub mod sock;
pub mod symbols;
pub mod task;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod trace_classes;
pub mod uapi;
pub mod unwind;
pub mod vfs;

pub use error::Error;
pub mod syscalls;
