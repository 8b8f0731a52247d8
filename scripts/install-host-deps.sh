#!/usr/bin/env bash
# Installs the host packages vmscope needs on Debian 12 (bookworm) or a Debian/Ubuntu of that age:
# QEMU >= 9.2 with TCG plugin support (bookworm-backports), the tools to build the default guest
# (busybox-static, gcc multilib for 32-bit test programs, cpio, zstd, binutils) and strace for fidelity
# tests; the i386 package architecture for the i386 guest.
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
# The i386 guest (guest/build.sh --arch i386) takes Debian's i386 kernel, busybox and strace packages
# with `apt-get download PKG:i386`; qemu-system-x86 also gives qemu-system-i386.
if command -v dpkg >/dev/null 2>&1; then
    case " $(dpkg --print-foreign-architectures | tr '\n' ' ') " in
        *" i386 "*) ;;
        *) $SUDO dpkg --add-architecture i386 ;;
    esac
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${QEMU_TARGET[@]}" qemu-system-x86 >/dev/null
$SUDO apt-get install -y -qq busybox-static cpio zstd gcc gcc-multilib binutils strace file >/dev/null
qemu-system-x86_64 --version | head -1
