#!/usr/bin/env bash
# Sets up vmscope on a fresh Debian 12 / Ubuntu machine: host packages (QEMU >= 9.2 with plugins,
# guest build tools, strace), the release build (the `vmscope` command and the QEMU plugin
# libvmscope.so), the default guest (a stock Debian 6.12 kernel and a busybox initramfs) and the 6.1
# guest the tests also boot.
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
echo "vmscope setup: done. Try: ./target/release/vmscope run"
