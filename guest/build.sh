#!/usr/bin/env bash
# Builds the vmscope default guest: a Debian kernel (vmlinuz) and a busybox initramfs holding the
# test workloads and strace. The result is cached; see guest/README.md.
#
# usage: guest/build.sh [--kernel 6.12|6.1] [--out DIR] [--deb FILE] [--force]
#        guest/build.sh --arch aarch64 [--kernel 6.12|6.1] [--out DIR] [--deb FILE] [--force]
#        guest/build.sh --arch i386 [--no-debuginfo] [--out DIR] [--deb FILE] [--force]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERIES=""
ARCH=x86_64
DEBUGINFO=1
OUT=""
DEB=""
FORCE=0

die() { echo "guest/build.sh: error: $*" >&2; exit 1; }
log() { echo "guest/build.sh: $*" >&2; }
# Never die silently: name the command that failed. (No `head` in pipelines: with pipefail its
# early exit can fail the writer with SIGPIPE.)
trap 'echo "guest/build.sh: error: command failed (line $LINENO, status $?): $BASH_COMMAND" >&2' ERR

usage() {
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --kernel) [ $# -ge 2 ] || die "--kernel needs a value (6.12 or 6.1)"; SERIES="$2"; shift 2 ;;
        --kernel=*) SERIES="${1#--kernel=}"; shift ;;
        --out) [ $# -ge 2 ] || die "--out needs a directory"; OUT="$2"; shift 2 ;;
        --out=*) OUT="${1#--out=}"; shift ;;
        --deb) [ $# -ge 2 ] || die "--deb needs a file"; DEB="$2"; shift 2 ;;
        --deb=*) DEB="${1#--deb=}"; shift ;;
        --force) FORCE=1; shift ;;
        --arch) [ $# -ge 2 ] || die "--arch needs a value (x86_64, aarch64 or i386)"; ARCH="$2"; shift 2 ;;
        --arch=*) ARCH="${1#--arch=}"; shift ;;
        --no-debuginfo) DEBUGINFO=0; shift ;;
        -h|--help) usage 0 ;;
        *) echo "guest/build.sh: unknown argument: $1" >&2; usage 2 ;;
    esac
done

need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install $2 (see scripts/install-host-deps.sh)"
}

case "$ARCH" in
    x86_64|amd64) ;;
    aarch64|arm64)
        # shellcheck source=guest/build-aarch64.sh
        . "$HERE/build-aarch64.sh"
        build_aarch64
        exit 0
        ;;
    i386|i686)
        # shellcheck source=guest/build-i386.sh
        . "$HERE/build-i386.sh"
        build_i386
        exit 0
        ;;
    *) die "unsupported --arch '$ARCH' (use x86_64, aarch64 or i386)" ;;
esac
[ "$DEBUGINFO" = 1 ] || die "--no-debuginfo is for --arch i386 (the x86_64 kernels carry BTF)"

[ -n "$SERIES" ] || SERIES=6.12
case "$SERIES" in
    6.12) APT_TARGET=(-t bookworm-backports) ;;
    6.1) APT_TARGET=() ;;
    *) die "unsupported --kernel '$SERIES' (use 6.12 or 6.1)" ;;
esac

if [ -z "$OUT" ]; then
    OUT="${VMSCOPE_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope/guest}/linux-$SERIES"
fi

# ---- tools ---------------------------------------------------------------------------------
need gcc gcc
need cpio cpio
need gzip gzip
need tar tar
need dpkg-deb dpkg
need ldd libc-bin
need sha256sum coreutils
need strace strace
BUSYBOX="$(command -v busybox || true)"
[ -n "$BUSYBOX" ] || die "'busybox' not found: install busybox-static (see scripts/install-host-deps.sh)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
    die "$BUSYBOX is dynamically linked: install busybox-static (see scripts/install-host-deps.sh)"
fi
if [ -z "$DEB" ]; then
    need apt-get apt
    need apt-cache apt
fi

# ---- cache check ---------------------------------------------------------------------------
# The hash of everything that goes into the initramfs: a change rebuilds the initramfs only.
SRC_HASH="$( (cat "$HERE/build.sh" "$HERE/init.sh" "$HERE"/workloads/*; \
              sha256sum "$BUSYBOX" "$(command -v strace)") | sha256sum | cut -c1-16)"

if [ "$FORCE" = 0 ] && [ -f "$OUT/guest.json" ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ]; then
    if grep -q "\"sources_hash\": \"$SRC_HASH\"" "$OUT/guest.json"; then
        log "already built: $OUT (use --force to rebuild)"
        echo "$OUT"
        exit 0
    fi
    REUSE_KERNEL=1
    log "guest sources changed: rebuilding the initramfs in $OUT"
else
    REUSE_KERNEL=0
fi

mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vmscope-guest.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# ---- kernel --------------------------------------------------------------------------------
if [ "$REUSE_KERNEL" = 1 ]; then
    KPKG="$(sed -n 's/.*"kernel_package": "\([^"]*\)".*/\1/p' "$OUT/guest.json")"
    KVER="$(sed -n 's/.*"kernel_package_version": "\([^"]*\)".*/\1/p' "$OUT/guest.json")"
    KREL="$(sed -n 's/.*"kernel_release": "\([^"]*\)".*/\1/p' "$OUT/guest.json")"
    cp "$OUT/vmlinuz" "$WORK/vmlinuz"
    [ -f "$OUT/config" ] && cp "$OUT/config" "$WORK/config"
else
    if [ -z "$DEB" ]; then
        KPKG="$(apt-cache depends "${APT_TARGET[@]}" linux-image-amd64 2>/dev/null \
                | awk '/Depends: linux-image-/ && !found {print $2; found=1}' || true)"
        if [ -z "$KPKG" ]; then
            if [ "$SERIES" = 6.12 ]; then
                die "cannot resolve the Linux 6.12 image package: add bookworm-backports to apt sources and run apt-get update (scripts/install-host-deps.sh does)"
            fi
            die "cannot resolve the Linux $SERIES image package (apt-cache depends linux-image-amd64 found nothing; run apt-get update)"
        fi
        log "downloading $KPKG"
        mkdir -p "$WORK/dl"
        chmod 0777 "$WORK/dl" # lets apt's _apt sandbox user write here when run as root
        if ! (cd "$WORK/dl" && apt-get download "${APT_TARGET[@]}" "$KPKG" >"$WORK/apt.log" 2>&1); then
            sed 's/^/  /' "$WORK/apt.log" >&2
            die "apt-get download $KPKG failed (stale apt lists? try apt-get update)"
        fi
        DEB="$(find "$WORK/dl" -maxdepth 1 -name '*.deb' | sort | sed -n 1p)"
        [ -n "$DEB" ] || die "apt-get download $KPKG produced no .deb"
    else
        [ -f "$DEB" ] || die "no such file: $DEB"
        KPKG="$(dpkg-deb -f "$DEB" Package)"
    fi
    KVER="$(dpkg-deb -f "$DEB" Version)"
    mkdir -p "$WORK/kpkg"
    dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$WORK/kpkg" --wildcards './boot/*'
    VMLINUZ="$(find "$WORK/kpkg/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | sed -n 1p)"
    [ -n "$VMLINUZ" ] || die "$DEB holds no boot/vmlinuz-*"
    KREL="$(basename "$VMLINUZ")"
    KREL="${KREL#vmlinuz-}"
    mv "$VMLINUZ" "$WORK/vmlinuz"
    if [ -f "$WORK/kpkg/boot/config-$KREL" ]; then mv "$WORK/kpkg/boot/config-$KREL" "$WORK/config"; fi
fi

# ---- workloads -----------------------------------------------------------------------------
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root}
mkdir -p "$WORK/wl"
# Every workloads/NAME.c is built 64-bit as wl-NAME and 32-bit as wl-NAME32, unless its source says
# `vmscope-guest: 32-bit only` (built -m32 as wl-NAME) or `vmscope-guest: 64-bit only`, or
# `vmscope-guest: dynamic` (64-bit linked against the guest's libc, 32-bit static).
WORKLOADS=""
CFLAGS=(-O1 -Wall -static -s)
cc() { # cc OUT SRC [extra flags]
    local out="$1" src="$2"; shift 2
    gcc "${CFLAGS[@]}" "$@" -o "$out" "$src" -lpthread >"$WORK/gcc.log" 2>&1 || {
        sed 's/^/  /' "$WORK/gcc.log" >&2
        case " $* " in
            *" -m32 "*) die "gcc -m32 -static failed for $(basename "$src"): install gcc-multilib" ;;
            *) die "gcc -static failed for $(basename "$src")" ;;
        esac
    }
}
for src in "$HERE"/workloads/*.c; do
    w=$(basename "$src" .c)
    if grep -q 'vmscope-guest: 32-bit only' "$src"; then
        cc "$WORK/wl/wl-$w" "$src" -m32
        WORKLOADS="$WORKLOADS $w"
    elif grep -q 'vmscope-guest: dynamic' "$src"; then
        # Linked against the guest's libc (installed below with strace's libraries); 32-bit static.
        # `dynamic debug`: built with -g, its debug file kept on the host under debug/.build-id/.
        if grep -q 'vmscope-guest: dynamic debug' "$src"; then
            gcc -O1 -g -Wall -o "$WORK/wl/wl-$w" "$src" >"$WORK/gcc.log" 2>&1 || {
                sed 's/^/  /' "$WORK/gcc.log" >&2
                die "gcc failed for $(basename "$src")"
            }
            id="$(readelf -n "$WORK/wl/wl-$w" | awk '/Build ID:/{print $3}')"
            [ -n "$id" ] || die "wl-$w has no build-id"
            mkdir -p "$WORK/debug/.build-id/${id:0:2}"
            objcopy --only-keep-debug "$WORK/wl/wl-$w" "$WORK/debug/.build-id/${id:0:2}/${id:2}.debug"
            strip --strip-all "$WORK/wl/wl-$w"
        else
            gcc -O1 -Wall -s -o "$WORK/wl/wl-$w" "$src" >"$WORK/gcc.log" 2>&1 || {
                sed 's/^/  /' "$WORK/gcc.log" >&2
                die "gcc failed for $(basename "$src")"
            }
        fi
        cc "$WORK/wl/wl-${w}32" "$src" -m32
        WORKLOADS="$WORKLOADS $w ${w}32"
    elif grep -q 'vmscope-guest: 64-bit only' "$src"; then
        cc "$WORK/wl/wl-$w" "$src"
        WORKLOADS="$WORKLOADS $w"
    else
        cc "$WORK/wl/wl-$w" "$src"
        cc "$WORK/wl/wl-${w}32" "$src" -m32
        WORKLOADS="$WORKLOADS $w ${w}32"
    fi
done
install -m 0755 "$HERE/workloads/demo.sh" "$WORK/wl/wl-demo"
WORKLOADS="demo$WORKLOADS"
cp "$WORK"/wl/wl-* "$ROOT/bin/"

# ---- initramfs -----------------------------------------------------------------------------
install -m 0755 "$BUSYBOX" "$ROOT/bin/busybox"
"$BUSYBOX" --list-full | while read -r applet; do
    [ -e "$ROOT/$applet" ] || [ -L "$ROOT/$applet" ] || ln -s /bin/busybox "$ROOT/$applet"
done
install -m 0755 "$HERE/init.sh" "$ROOT/init"

# strace with its shared libraries and the dynamic loader, at the paths ldd names.
STRACE_BIN="$(command -v strace)"
install -D -m 0755 "$STRACE_BIN" "$ROOT/usr/bin/strace"
# The dynamically linked workloads need the same libc (ldd fails on static ones: nothing to add).
for bin in "$STRACE_BIN" "$WORK"/wl/wl-*; do ldd "$bin" 2>/dev/null || true; done \
    | awk '/=> \//{print $3} /^[ \t]*\//{print $1}' | sort -u | while read -r lib; do
    install -D -m 0755 "$(readlink -f "$lib")" "$ROOT$lib"
done
[ -e "$ROOT/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader of strace was not found by ldd"
STRACE_VER="$(strace -V 2>/dev/null | awk 'NR==1{print $NF}')"
BUSYBOX_VER="$("$BUSYBOX" 2>&1 | awk 'NR==1{print $2}')"

echo "vmscope" > "$ROOT/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\n' > "$ROOT/etc/group"

(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) \
    | gzip -6 > "$WORK/initrd.img"

# ---- install into the output dir (guest.json last: it marks a complete build) ----------------
rm -f "$OUT/guest.json"
mv -f "$WORK/vmlinuz" "$OUT/vmlinuz"
mv -f "$WORK/initrd.img" "$OUT/initrd.img"
if [ -f "$WORK/config" ]; then mv -f "$WORK/config" "$OUT/config"; fi
rm -rf "$OUT/workloads" "$OUT/debug"
mkdir -p "$OUT/workloads"
cp "$WORK"/wl/wl-* "$OUT/workloads/"
# Debug files of the workloads built with -g (`vmscope-guest: dynamic debug`), for --debug-dir.
if [ -d "$WORK/debug" ]; then cp -r "$WORK/debug" "$OUT/debug"; fi

json_list() { local first=1; printf '['; for x in "$@"; do
    [ $first = 1 ] || printf ', '; first=0; printf '"%s"' "$x"; done; printf ']'; }
# shellcheck disable=SC2086
cat > "$OUT/guest.json.tmp" <<JSON
{
  "kernel_series": "$SERIES",
  "kernel_package": "$KPKG",
  "kernel_package_version": "$KVER",
  "kernel_release": "$KREL",
  "vmlinuz": "vmlinuz",
  "initrd": "initrd.img",
  "busybox_version": "$BUSYBOX_VER",
  "strace_version": "$STRACE_VER",
  "workloads": $(json_list $WORKLOADS),
  "sources_hash": "$SRC_HASH",
  "built": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
mv -f "$OUT/guest.json.tmp" "$OUT/guest.json"
log "built $OUT (kernel $KPKG $KVER)"
echo "$OUT"
