#!/usr/bin/env bash
# Sets up vmscope on a fresh Debian 12 / Ubuntu machine: host packages (QEMU >= 9.2 with plugins,
# guest build tools, strace, and debootstrap, GRUB and OVMF for the Debian guest), the release build
# (the `vmscope` command and the QEMU plugin libvmscope.so), the default guest (a stock Debian 6.12
# kernel and a busybox initramfs), the 6.1 guest the tests also boot, the i386 guest with its
# kernel's debug info, the aarch64 guest, and the Debian 12 disk guest with systemd (a real distribution that boots
# itself; needs root for debootstrap, through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-host-deps.sh --debian-guest
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
# The aarch64 guest (Debian's arm64 6.12 kernel, busybox and strace for arm64, the workloads built with
# the cross compiler) that crates/vmscope-cli/tests/aarch64_e2e.rs boots; install-host-deps.sh installs
# its tools on Debian only, so elsewhere it is skipped with a line.
if command -v qemu-system-aarch64 >/dev/null 2>&1 && command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
    bash guest/build.sh --arch aarch64
else
    echo "vmscope setup: no qemu-system-aarch64 or aarch64-linux-gnu-gcc: the aarch64 guest is not built"
fi
# The Debian 12 disk guest the "any VM" tests boot (guest/README.md): disk.img with its own kernel
# and initrd, and disk-boot.img booting by itself (OVMF, GRUB). debootstrap configures packages in a
# chroot, so it runs as root; the guest goes where the tests look for it and belongs to the user.
DEBIAN_OUT="${VMSCOPE_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope/guest}/debian-12"
if [ "$(id -u)" -eq 0 ]; then
    bash guest/build-debian.sh --bootable --out "$DEBIAN_OUT"
else
    sudo bash guest/build-debian.sh --bootable --out "$DEBIAN_OUT"
    sudo chown -R "$(id -u):$(id -g)" "$DEBIAN_OUT"
fi
echo "vmscope setup: done. Try: ./target/release/vmscope run"
