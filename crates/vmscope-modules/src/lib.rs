//! vmscope's built-in modules.
//!
//! - [`context`]: which guest thread runs (Linux task structures through BTF);
//! - [`syscalls`]: the system-call detector, entry matched with exit, decoded by `vmscope-linux`;
//! - [`journal`]: the sink writing every event as text or JSON Lines, off the vCPU threads;
//! - [`registry`]: the built-in modules by name.
//!
//! Modules name no emulator: they see the guest through `vmscope-core`'s traits only.

pub mod context;
pub mod journal;
pub mod registry;
pub mod syscalls;
