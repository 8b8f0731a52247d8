//! vmscope's built-in modules.
//!
//! - [`kernel`]: the kernel's structure layouts, known from a file or found in guest memory later;
//! - [`context`]: which guest thread runs (Linux task structures through BTF);
//! - [`at_return`]: kernel facts for a call's return, read at the last page-table switch before it
//!   (page-table isolation);
//! - [`syscalls`]: the system-call detector, entry matched with exit, decoded by `vmscope-linux`;
//! - [`files`]: the file monitor, handle tables and file events from the syscall module's events;
//! - [`processes`]: process and thread lifecycle events, process lists, the process filter;
//! - [`images`]: the ELF objects loaded in each process (application level);
//! - [`network`]: sockets per process, their operations and per-connection bytes;
//! - [`trace_filter`]: `--trace`, the calls the journal keeps;
//! - [`memory`]: every process's address space, its changes and snapshots (virtual-memory level);
//! - [`journal`]: the sink writing every event as text or JSON Lines, off the vCPU threads;
//! - [`options`]: what a run is told, shared by the command line and the plugin;
//! - [`registry`]: the built-in modules by name, and the composition root of a run.
//!
//! Modules name no emulator and no architecture: they see the guest through `vmscope-core`'s traits
//! and the OS layer (`vmscope-linux`) only.

#![forbid(unsafe_code)]

pub mod at_return;
pub mod context;
pub mod coverage;
pub mod devices;
pub mod fd_names;
pub mod files;
pub mod images;
pub mod journal;
pub mod kernel;
pub mod memory;
pub mod network;
pub mod options;
pub mod processes;
pub mod registry;
pub mod sched;
pub mod stacks;
pub mod syscalls;
#[cfg(test)]
mod test_support;
pub mod trace_filter;
