//! vmscope-linux: what vmscope knows about Linux guests, with no I/O of its own.
//!
//! Everything here reads the guest through [`vmscope_core::guest`] traits, so it can be tested against a
//! synthetic guest.

pub mod btf;
mod describe;
pub mod dwarf;
pub mod error;
pub mod fileops;
pub mod kernel_image;
pub mod process;
pub mod signal;
pub mod task;
pub mod vfs;

pub use error::Error;
pub mod syscalls;
