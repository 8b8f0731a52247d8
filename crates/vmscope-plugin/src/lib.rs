//! `libvmscope.so`, the library QEMU loads with `-plugin`. All the work is in `vmscope-qemu`.

vmscope_qemu::export_plugin!();

/// The allocator of everything vmscope allocates inside QEMU. Events are allocated on a vCPU thread
/// and freed on the journal thread: glibc's malloc handles that producer/consumer pattern badly (the
/// vCPU thread's cache stays empty, every allocation takes the arena path); mimalloc frees to the
/// owning page's list. Thread-local storage is dynamic because QEMU loads the plugin with `dlopen`.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
