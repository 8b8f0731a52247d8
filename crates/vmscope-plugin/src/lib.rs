//! `libvmscope.so`, the library QEMU loads with `-plugin`. All the work is in `vmscope-qemu`.

vmscope_qemu::export_plugin!();
