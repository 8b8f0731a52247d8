#!/usr/bin/env bash
# Sets up vmscope on a fresh Debian 12 / Ubuntu machine: host packages (QEMU >= 9.2 with plugins,
# guest build tools, strace), the release build (the `vmscope` command and the QEMU plugin
# libvmscope.so), the default guest (a stock Debian 6.12 kernel and a busybox initramfs), the 6.1
# guest the tests also boot, and the i386 guest with its kernel's debug info.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-host-deps.sh
if ! command -v cargo >/dev/null 2>&1; then
    echo "vmscope setup: cargo not found; install Rust >= 1.88 (rustup) first" >&2
    exit 1
fi
cargo build --release --workspace --quiet
bash guest/build.sh
# The second kernel the tests boot (Debian 12's own 6.1, before the pcpu_hot change).
bash guest/build.sh --kernel 6.1
# The i386 guest (Debian's 686-pae 6.1, no BTF) and its DWARF vmlinux-dbg, which the DWARF layout tests
# read (crates/vmscope-linux/tests/real_dwarf.rs; VMSCOPE_SKIP_I386=1 skips them).
bash guest/build.sh --arch i386
echo "vmscope setup: done. Try: ./target/release/vmscope run"
