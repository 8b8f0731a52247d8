#!/usr/bin/env bash
# Sets up vmscope on a fresh Debian 12 / Ubuntu machine: host packages (QEMU >= 9.2 with plugins,
# guest build tools, strace), the release build (the `vmscope` command and the QEMU plugin
# libvmscope.so), and the default guest (a stock Debian kernel and a busybox initramfs).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-host-deps.sh
if ! command -v cargo >/dev/null 2>&1; then
    echo "vmscope setup: cargo not found; install Rust >= 1.88 (rustup) first" >&2
    exit 1
fi
cargo build --release --workspace --quiet
bash guest/build.sh
echo "vmscope setup: done. Try: ./target/release/vmscope run"
