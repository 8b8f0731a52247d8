#!/usr/bin/env bash
# Installs the host packages vmscope needs on Debian 12 (bookworm) or a Debian/Ubuntu of that age:
# QEMU >= 9.2 with TCG plugin support (bookworm-backports), the tools to build the default guest
# (busybox-static, gcc multilib for 32-bit test programs, cpio, zstd) and strace for fidelity tests.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

. /etc/os-release
if [ "${ID:-}" = "debian" ] && [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "vmscope setup: adding bookworm-backports to apt sources (QEMU 10 with plugin support)"
        $SUDO tee /etc/apt/sources.list.d/vmscope-backports.sources >/dev/null <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    QEMU_TARGET=(-t bookworm-backports)
else
    QEMU_TARGET=()
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${QEMU_TARGET[@]}" qemu-system-x86 >/dev/null
$SUDO apt-get install -y -qq busybox-static cpio zstd gcc gcc-multilib strace file >/dev/null
qemu-system-x86_64 --version | head -1
