//! vmscope-qemu: the QEMU TCG plugin backend.
//!
//! - [`options`]: the plugin's `key=value` options;
//! - [`setup`]: options turned into modules and a journal (testable without QEMU);
//! - `backend`: the FFI side — translation-time instrumentation of kernel entries and exits, per-vCPU
//!   register and memory access, the exit flush. It is the only place that names QEMU's API.
//!
//! The `cdylib` QEMU loads is the `vmscope-plugin` crate, a few lines over this one.

mod backend;
pub mod options;
pub mod setup;

pub use backend::VmscopePlugin;

/// Registers vmscope with the `qemu-plugin` crate's installer; called once from the `cdylib`.
#[macro_export]
macro_rules! export_plugin {
    () => {
        $crate::__qemu_plugin::register!($crate::VmscopePlugin);
    };
}

#[doc(hidden)]
pub use qemu_plugin as __qemu_plugin;
