//! vmscope-qemu: the QEMU TCG plugin backend.
//!
//! - [`setup`]: what needs I/O before tracing (the kernel's layout, the journal file, module
//!   libraries), then the modules' registry composes the run (testable without QEMU);
//! - `backend`: the FFI side — translation-time instrumentation of kernel entries and exits, per-vCPU
//!   register and memory access, the exit flush. It is the only place that names QEMU's API.
//!
//! The `cdylib` QEMU loads is the `vmscope-plugin` crate, a few lines over this one.

mod backend;
pub mod setup;

pub use vmscope_modules::options;

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

/// The allocator of everything vmscope allocates inside QEMU. Events are allocated on a vCPU thread
/// and freed on the journal thread: glibc's malloc handles that producer/consumer pattern badly (the
/// vCPU thread's cache stays empty, every allocation takes the arena path); mimalloc frees to the
/// owning page's list. Thread-local storage is dynamic because QEMU loads the plugin with `dlopen`.
/// The memory setup used (the decompressed kernel, its BTF) is handed back to the OS once setup is
/// done ([`backend`] calls `mi_collect`): mimalloc would otherwise keep it until the installing thread
/// allocates again, which it never does.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
