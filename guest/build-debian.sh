#!/usr/bin/env bash
# Builds a real distribution as a vmscope test guest: Debian 12 with systemd, udev and journald, in an
# ext4 disk image made without loop devices or mounts (debootstrap into a directory, `mke2fs -d`).
# With --bootable, also a GPT disk that boots by itself under UEFI (OVMF + GRUB). Cached; see
# guest/README.md ("The Debian guest").
#
# usage: guest/build-debian.sh [--out DIR] [--size SIZE] [--mirror URL] [--bootable] [--force]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT=""
SIZE=2G
MIRROR="${VMSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
BOOTABLE=0
FORCE=0
# The file system label: the kernel command line, fstab and GRUB find the root by it, so the same
# file system works as /dev/vda (disk.img) and as a partition (disk-boot.img).
LABEL=vmscope-root
# Packages on top of debootstrap's minbase: an init system, a kernel and what a small real system has
# (rsyslog: a multi-threaded daemon, so thread ids differ from process ids in the guest's own `ps`).
PACKAGES=systemd,systemd-sysv,udev,dbus,kmod,linux-image-amd64,initramfs-tools,procps,iproute2,rsyslog

die() { echo "guest/build-debian.sh: error: $*" >&2; exit 1; }
log() { echo "guest/build-debian.sh: $*" >&2; }
trap 'echo "guest/build-debian.sh: error: command failed (line $LINENO, status $?): $BASH_COMMAND" >&2' ERR

usage() {
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --out) [ $# -ge 2 ] || die "--out needs a directory"; OUT="$2"; shift 2 ;;
        --out=*) OUT="${1#--out=}"; shift ;;
        --size) [ $# -ge 2 ] || die "--size needs a value like 2G"; SIZE="$2"; shift 2 ;;
        --size=*) SIZE="${1#--size=}"; shift ;;
        --mirror) [ $# -ge 2 ] || die "--mirror needs a URL"; MIRROR="$2"; shift 2 ;;
        --mirror=*) MIRROR="${1#--mirror=}"; shift ;;
        --bootable) BOOTABLE=1; shift ;;
        --force) FORCE=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "guest/build-debian.sh: unknown argument: $1" >&2; usage 2 ;;
    esac
done
case "$SIZE" in
    [0-9]*[MG]) ;;
    *) die "--size '$SIZE': give a size in MiB or GiB, like 1500M or 2G" ;;
esac

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vmscope"
if [ -z "$OUT" ]; then
    OUT="${VMSCOPE_GUEST_DIR:-$CACHE/guest}/debian-12"
fi
# Downloaded .debs survive between builds (debootstrap --cache-dir).
DEB_CACHE="$CACHE/debootstrap/$SUITE"

# ---- tools ---------------------------------------------------------------------------------
need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install $2 (scripts/install-host-deps.sh --debian-guest)"
}
[ "$(id -u)" = 0 ] || die "run as root: debootstrap needs chroot to configure the packages"
need debootstrap debootstrap
need mke2fs e2fsprogs
need sha256sum coreutils
if [ "$BOOTABLE" = 1 ]; then
    need sfdisk fdisk
    need mkfs.vfat dosfstools
    need mcopy mtools
    need mmd mtools
    need grub-mkstandalone grub-efi-amd64-bin
    [ -d /usr/lib/grub/x86_64-efi ] || die "no /usr/lib/grub/x86_64-efi: install grub-efi-amd64-bin (scripts/install-host-deps.sh --debian-guest)"
fi

# ---- cache check ---------------------------------------------------------------------------
SRC_HASH="$( (cat "$HERE/build-debian.sh"; echo "$SIZE $SUITE $PACKAGES") | sha256sum | cut -c1-16)"
have_guest() {
    [ -f "$OUT/guest.json" ] && [ -f "$OUT/disk.img" ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ] \
        && grep -q "\"sources_hash\": \"$SRC_HASH\"" "$OUT/guest.json"
}

WORK=""
cleanup() {
    [ -n "$WORK" ] || return 0
    # Never delete through a mount debootstrap may have left (proc, sys inside the tree).
    local m
    for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
mkdir -p "$OUT"
WORK="$(mktemp -d "$OUT/.work.XXXXXX")"

# ---- the root file system ------------------------------------------------------------------
build_disk() {
    local root="$WORK/root" t0
    t0=$(date +%s)
    mkdir -p "$DEB_CACHE"
    log "debootstrap $SUITE (minbase + $PACKAGES) from $MIRROR"
    if ! debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$DEB_CACHE" \
            "$SUITE" "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
        tail -n 30 "$WORK/debootstrap.log" | sed 's/^/  /' >&2
        [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 30 "$root/debootstrap/debootstrap.log" | sed 's/^/  /' >&2
        die "debootstrap failed (network? mirror $MIRROR; see the lines above)"
    fi
    log "debootstrap took $(( $(date +%s) - t0 )) s"

    # The kernel and its initramfs, as the guest's own /boot holds them.
    local vmlinuz initrd krel
    vmlinuz="$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | sed -n 1p)"
    [ -n "$vmlinuz" ] || die "no /boot/vmlinuz-* in the new system"
    krel="${vmlinuz##*/vmlinuz-}"
    initrd="$root/boot/initrd.img-$krel"
    if [ ! -f "$initrd" ]; then
        log "no initramfs after debootstrap: running update-initramfs"
        chroot "$root" update-initramfs -c -k "$krel" >"$WORK/initramfs.log" 2>&1 \
            || { sed 's/^/  /' "$WORK/initramfs.log" >&2; die "update-initramfs failed"; }
    fi

    # -- configuration --
    echo vmscope-debian > "$root/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\tvmscope-debian\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
        > "$root/etc/hosts"
    printf 'LABEL=%s\t/\text4\terrors=remount-ro\t0\t1\n' "$LABEL" > "$root/etc/fstab"
    # Root logs in on the console without a password (a throwaway test machine).
    chroot "$root" passwd -d root >/dev/null
    # journald: persistent journal on the disk (with -snapshot it is thrown away with the run).
    mkdir -p "$root/var/log/journal"

    mkdir -p "$root/usr/local/sbin"
    cat > "$root/usr/local/sbin/vmscope-ps" <<'SCRIPT'
#!/bin/sh
# vmscope-ps: prints the guest's own view of its threads between markers on the console, so a test
# can compare the thread identities vmscope reports from outside; powers off with vmscope.poweroff=1.
exec >/dev/console 2>&1
read -r up _ < /proc/uptime
echo "vmscope-debian: multi-user uptime=$up kernel=$(uname -r)"
echo "vmscope-debian: ps begin"
ps -eLo pid,tid,comm
echo "vmscope-debian: ps end"
for arg in $(cat /proc/cmdline); do
    if [ "$arg" = vmscope.poweroff=1 ]; then
        echo "vmscope-debian: poweroff"
        systemctl --no-block poweroff
    fi
done
SCRIPT
    chmod 0755 "$root/usr/local/sbin/vmscope-ps"
    cat > "$root/etc/systemd/system/vmscope-ps.service" <<'UNIT'
[Unit]
Description=vmscope: print the guest's threads on the console (power off with vmscope.poweroff=1)
# After the rest of multi-user.target has started (the target only wants this unit, so no cycle).
After=multi-user.target

[Service]
# idle: start once the boot jobs are dispatched, so systemd's status lines do not interleave with the list.
Type=idle
ExecStart=/usr/local/sbin/vmscope-ps

[Install]
WantedBy=multi-user.target
UNIT
    mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
    ln -sf /etc/systemd/system/vmscope-ps.service \
        "$root/etc/systemd/system/multi-user.target.wants/vmscope-ps.service"

    # Nothing of the build belongs in the image.
    chroot "$root" apt-get clean
    rm -rf "$root/debootstrap" "$root/var/lib/apt/lists/"* "$root/var/log/"*.log

    cp "$vmlinuz" "$WORK/vmlinuz"
    cp "$initrd" "$WORK/initrd.img"
    [ -f "$root/boot/config-$krel" ] && cp "$root/boot/config-$krel" "$WORK/config"
    KREL="$krel"
    KVER="$(chroot "$root" dpkg-query -W -f '${Version}' "linux-image-$krel")"
    SYSTEMD_VER="$(chroot "$root" dpkg-query -W -f '${Version}' systemd)"
    NPKG="$(chroot "$root" dpkg-query -W -f '${binary:Package}\n' | wc -l)"
    USED_KB="$(du -sk --one-file-system "$root" | cut -f1)"

    log "mke2fs -t ext4 -d (no loop device) into a $SIZE image"
    mke2fs -q -F -t ext4 -L "$LABEL" -d "$root" "$WORK/disk.img" "$SIZE" >/dev/null \
        || die "mke2fs -d failed (image too small for ${USED_KB} KiB? try --size)"
}

# ---- a disk that boots by itself: GPT, an EFI system partition with GRUB, the root partition ---
build_bootable() {
    local disk="$1" out="$2" esp_mib=64 root_bytes root_mib total_mib
    root_bytes="$(stat -c %s "$disk")"
    root_mib=$(( (root_bytes + (1 << 20) - 1) >> 20 ))
    # 1 MiB before the first partition, 1 MiB after the last for the backup GPT.
    total_mib=$(( 1 + esp_mib + root_mib + 1 ))

    cat > "$WORK/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
set default=0
search --no-floppy --label --set=root $LABEL
menuentry "Debian 12 (vmscope test: print the threads, power off)" {
    linux /vmlinuz root=LABEL=$LABEL ro console=ttyS0 vmscope.poweroff=1
    initrd /initrd.img
}
menuentry "Debian 12" {
    linux /vmlinuz root=LABEL=$LABEL ro console=ttyS0
    initrd /initrd.img
}
CFG
    # One EFI program with the modules it needs and this configuration inside.
    grub-mkstandalone -O x86_64-efi -o "$WORK/BOOTX64.EFI" \
        --modules="part_gpt ext2 search_label linux serial terminal normal echo efi_gop" \
        --install-modules="part_gpt fat ext2 search search_label linux serial terminal normal echo test boot configfile efi_gop" \
        --locales= --fonts= --themes= \
        "boot/grub/grub.cfg=$WORK/grub.cfg"

    rm -f "$WORK/esp.img"
    mkfs.vfat -F 32 -n VMSCOPE-ESP -C "$WORK/esp.img" $(( esp_mib * 1024 )) >/dev/null
    mmd -i "$WORK/esp.img" ::/EFI ::/EFI/BOOT
    mcopy -i "$WORK/esp.img" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

    rm -f "$WORK/disk-boot.img"
    truncate -s "${total_mib}M" "$WORK/disk-boot.img"
    sfdisk --quiet "$WORK/disk-boot.img" <<PARTS
label: gpt
start=1MiB, size=${esp_mib}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system"
start=$(( 1 + esp_mib ))MiB, size=${root_mib}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="$LABEL"
PARTS
    dd if="$WORK/esp.img" of="$WORK/disk-boot.img" bs=1M seek=1 conv=notrunc status=none
    dd if="$disk" of="$WORK/disk-boot.img" bs=1M seek=$(( 1 + esp_mib )) conv=notrunc,sparse status=none
    mv -f "$WORK/disk-boot.img" "$out"
}

# ---- main ----------------------------------------------------------------------------------
T_START=$(date +%s)
if [ "$FORCE" = 0 ] && have_guest; then
    log "already built: $OUT (use --force to rebuild)"
else
    build_disk
    rm -f "$OUT/guest.json" "$OUT/disk-boot.img"
    mv -f "$WORK/disk.img" "$OUT/disk.img"
    mv -f "$WORK/vmlinuz" "$OUT/vmlinuz"
    mv -f "$WORK/initrd.img" "$OUT/initrd.img"
    if [ -f "$WORK/config" ]; then mv -f "$WORK/config" "$OUT/config"; fi
    cat > "$OUT/guest.json.tmp" <<JSON
{
  "distribution": "debian",
  "suite": "$SUITE",
  "kernel_release": "$KREL",
  "kernel_package_version": "$KVER",
  "systemd_version": "$SYSTEMD_VER",
  "packages": $NPKG,
  "root_used_kib": $USED_KB,
  "disk": "disk.img",
  "disk_size": "$SIZE",
  "label": "$LABEL",
  "vmlinuz": "vmlinuz",
  "initrd": "initrd.img",
  "sources_hash": "$SRC_HASH",
  "built": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
    mv -f "$OUT/guest.json.tmp" "$OUT/guest.json"
    log "built $OUT (Linux $KREL, $NPKG packages, $(( USED_KB / 1024 )) MiB used)"
fi
if [ "$BOOTABLE" = 1 ]; then
    if [ "$FORCE" = 1 ] || [ ! -f "$OUT/disk-boot.img" ] || [ "$OUT/disk-boot.img" -ot "$OUT/disk.img" ]; then
        log "building the bootable disk (GPT, EFI system partition with GRUB, root partition)"
        build_bootable "$OUT/disk.img" "$OUT/disk-boot.img"
        log "built $OUT/disk-boot.img"
    fi
fi
log "done in $(( $(date +%s) - T_START )) s"
echo "$OUT"
