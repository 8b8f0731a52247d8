#!/usr/bin/env bash
# Installs the host packages vmscope needs on Debian 12 (bookworm) or a Debian/Ubuntu of that age:
# QEMU >= 9.2 with TCG plugin support (bookworm-backports), the tools to build the default guest
# (busybox-static, gcc multilib for 32-bit test programs, cpio, zstd, binutils) and strace for fidelity
# tests; for the aarch64 guest (guest/build.sh --arch aarch64) qemu-system-aarch64, a cross compiler and
# Debian's arm64 package lists; the i386 package architecture for the i386 guest; what the report and
# Parquet tests use (install_report_test_deps below).
#
# usage: scripts/install-host-deps.sh [--debian-guest] [--spark]
#   --debian-guest  also the tools guest/build-debian.sh needs (optional; not installed by default)
#   --spark         also Java 17 and pyspark for the Spark test, which is ignored by default (500 MB)
set -euo pipefail

DEBIAN_GUEST=0
SPARK=0
for arg in "$@"; do
    case "$arg" in
        --debian-guest) DEBIAN_GUEST=1 ;;
        --spark) SPARK=1 ;;
        *) echo "install-host-deps.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

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

# The aarch64 guest's kernel, busybox and strace come from Debian's arm64 packages (apt-get download).
AARCH64=0
if [ "${ID:-}" = "debian" ]; then
    AARCH64=1
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        echo "vmscope setup: adding the arm64 architecture to dpkg (packages for the aarch64 guest)"
        $SUDO dpkg --add-architecture arm64
    fi
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
# A mirror caught mid-sync answers with index files of the wrong size (apt-get exits 100): try again a
# few times, then go on with whatever lists apt has; a package really missing fails the install below.
apt_update() {
    local attempt
    for attempt in 1 2 3; do
        if $SUDO apt-get update -qq -o Acquire::Retries=3; then return 0; fi
        echo "vmscope setup: apt-get update failed (attempt $attempt of 3); retrying in 20 s" >&2
        sleep 20
    done
    echo "vmscope setup: apt-get update kept failing; going on with the package lists apt has" >&2
}
apt_update
$SUDO apt-get install -y -qq "${QEMU_TARGET[@]}" qemu-system-x86 >/dev/null
# Debian's gcc-multilib conflicts with every cross compiler over one symlink it ships,
# /usr/include/asm -> x86_64-linux-gnu/asm (gcc -m32 needs it; a cross gcc searches its own
# include directory before /usr/include). So install the real multilib compiler it depends on and
# make that link ourselves: both then live side by side, and a rerun changes nothing.
# (awk reads all of apt-cache's output: an early exit would kill apt-cache with SIGPIPE, and under
# pipefail the failed assignment would end this script without a word.)
MULTILIB="$(apt-cache depends gcc-multilib 2>/dev/null | awk '/Depends: gcc-[0-9]+-multilib/ && !m {m = $2} END {print m}' || true)"
$SUDO apt-get install -y -qq busybox-static cpio zstd gcc "${MULTILIB:-gcc-multilib}" binutils strace file >/dev/null
if [ "$AARCH64" = 1 ]; then
    $SUDO apt-get install -y -qq "${QEMU_TARGET[@]}" qemu-system-arm >/dev/null
    $SUDO apt-get install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
fi
if [ ! -e /usr/include/asm ] && [ -d /usr/include/x86_64-linux-gnu/asm ]; then
    $SUDO ln -s x86_64-linux-gnu/asm /usr/include/asm
fi

# Optional: the Debian 12 disk guest (guest/build-debian.sh): debootstrap and mke2fs for the root file
# system (no loop devices), and for --bootable a GPT disk with GRUB on an EFI system partition, booted
# with OVMF.
install_debian_guest_deps() {
    $SUDO apt-get install -y -qq --no-install-recommends \
        debootstrap e2fsprogs fdisk dosfstools mtools grub-efi-amd64-bin grub-common ovmf >/dev/null
}
if [ "$DEBIAN_GUEST" = 1 ]; then
    install_debian_guest_deps
fi

# The report's and the Parquet datasets' tests (crates/vmscope-cli/tests/README.md): Debian's chromium
# loads the report headless (without its recommended packages: 1 min 53 s into a fresh Debian 12
# minbase, measured); DuckDB from PyPI reads the datasets, installed into a virtual environment of
# vmscope's own (the tests look there; Debian's python3 refuses system-wide pip installs, PEP 668).
# --spark: Java 17 (15 s) and pyspark (a 500 MB download) for tests/convert_spark.rs.
PYENV="${XDG_CACHE_HOME:-$HOME/.cache}/vmscope/venv"
install_report_test_deps() {
    $SUDO apt-get install -y -qq --no-install-recommends chromium python3 python3-venv >/dev/null
    if [ ! -x "$PYENV/bin/python3" ]; then
        python3 -m venv "$PYENV"
    fi
    "$PYENV/bin/python3" -m pip install -q duckdb
    if [ "$SPARK" = 1 ]; then
        $SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
        "$PYENV/bin/python3" -m pip install -q pyspark
    fi
}
install_report_test_deps

qemu-system-x86_64 --version | head -1
chromium --version 2>/dev/null | head -1
if [ "$AARCH64" = 1 ]; then qemu-system-aarch64 --version | head -1; fi
