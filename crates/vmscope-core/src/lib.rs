//! vmscope-core: the VM-independent heart of vmscope.
//!
//! It knows nothing of QEMU or of any guest OS. It defines
//! - [`guest`]: traits to read a guest's registers and virtual memory (and a synthetic guest for tests);
//! - [`arch`]: guest architectures chosen at run time, and which instructions enter and leave the kernel;
//! - [`event`]: typed events;
//! - [`capture`]: guest memory read on a vCPU and kept in an event, for rendering elsewhere;
//! - [`module`]: the module trait, with declared interests and default no-op hooks;
//! - [`dispatch`]: the dispatcher that calls modules in dependency order and carries their events (the bus).
//!
//! Backends (QEMU) drive a [`dispatch::Dispatcher`]; OS knowledge (Linux) and modules build on these types.

#![forbid(unsafe_code)]

pub mod arch;
pub mod capture;
pub mod clock;
pub mod dispatch;
pub mod error;
pub mod event;
pub mod guest;
pub mod module;
pub mod profile;

pub use error::Error;
