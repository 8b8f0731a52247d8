# The aarch64 guest of guest/build.sh (`--arch aarch64`), sourced by it: Debian's arm64 kernel
# (bookworm-backports 6.12, or bookworm 6.1), an arm64 busybox/strace userland from Debian's arm64
# packages, the workloads cross-compiled with gcc-aarch64-linux-gnu, and the same /init.
# Boots on `qemu-system-aarch64 -M virt`; see guest/README.md.
#
# Uses from build.sh: HERE SERIES OUT DEB FORCE, die, log, need.

# Checks the host and settles SERIES, OUT and the apt target suite.
aarch64_setup() {
    [ -n "$SERIES" ] || SERIES=6.12
    case "$SERIES" in
        6.12) A64_APT_TARGET=(-t bookworm-backports) ;;
        6.1) A64_APT_TARGET=() ;;
        *) die "unsupported --kernel '$SERIES' for --arch aarch64 (use 6.12 or 6.1)" ;;
    esac
    [ -n "$OUT" ] || OUT="${VMSCOPE_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope/guest}/linux-$SERIES-aarch64"
    A64_CC=aarch64-linux-gnu-gcc
    need "$A64_CC" "gcc-aarch64-linux-gnu and libc6-dev-arm64-cross"
    need cpio cpio
    need gzip gzip
    need tar tar
    need dpkg dpkg
    need dpkg-deb dpkg
    need readelf binutils
    need sha256sum coreutils
    need apt-get apt
    need apt-cache apt
    dpkg --print-foreign-architectures | grep -qx arm64 \
        || die "the arm64 architecture is not enabled: run 'dpkg --add-architecture arm64 && apt-get update' (scripts/install-host-deps.sh does)"
}

# A field of the previous build's guest.json, or empty.
aarch64_old() {
    [ -f "$OUT/guest.json" ] || return 0
    sed -n "s/.*\"$1\": \"\\([^\"]*\\)\".*/\\1/p" "$OUT/guest.json"
}

# apt-get download PKG... into DIR.
aarch64_download() {
    local dir="$1"; shift
    mkdir -p "$dir"
    chmod 0777 "$dir" # lets apt's _apt sandbox user write here when run as root
    if ! (cd "$dir" && apt-get download "$@" >"$dir/apt.log" 2>&1); then
        sed 's/^/  /' "$dir/apt.log" >&2
        die "apt-get download $* failed (stale apt lists? try apt-get update)"
    fi
}

# Debian version -> upstream version: 1:1.35.0-4+deb12u1+b1 -> 1.35.0
aarch64_upstream() {
    local v="${1#*:}"
    echo "${v%%-*}"
}

# Installs into ROOT the dynamic loader and every shared library BIN needs (transitively), taken
# from the extracted packages in PK, at the paths where the packages put them.
aarch64_install_libs() {
    local pk="$1" root="$2" bin="$3"
    local interp
    interp="$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')"
    [ -n "$interp" ] || die "$bin names no program interpreter"
    [ -e "$pk$interp" ] || die "the loader $interp of $(basename "$bin") is not in libc6:arm64"
    # The loader path is a symlink into lib/aarch64-linux-gnu: keep the link, install its target.
    if [ -L "$pk$interp" ]; then
        local target
        target="$(readlink "$pk$interp")"
        mkdir -p "$root$(dirname "$interp")"
        ln -sfn "$target" "$root$interp"
        install -D -m 0755 "$(readlink -f "$pk$interp")" "$root$(dirname "$interp")/$target"
    else
        install -D -m 0755 "$pk$interp" "$root$interp"
    fi
    local todo="$bin" seen="" next f lib dir found depth
    for depth in 1 2 3 4 5 6 7 8; do
        [ -n "$todo" ] || break
        next=""
        for f in $todo; do
            for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
                case " $seen " in *" $lib "*) continue ;; esac
                seen="$seen $lib"
                found=""
                for dir in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib; do
                    if [ -e "$pk/$dir/$lib" ]; then found="$dir/$lib"; break; fi
                done
                [ -n "$found" ] || die "$(basename "$f") needs $lib, which is in none of the arm64 packages fetched"
                [ -e "$root/$found" ] || install -D -m 0755 "$(readlink -f "$pk/$found")" "$root/$found"
                next="$next $root/$found"
            done
        done
        todo="$next"
    done
    [ -z "$todo" ] || die "the libraries of $(basename "$bin") nest deeper than 8 levels"
}

build_aarch64() {
    aarch64_setup
    local kpkg kver krel src_hash userland versions p v

    # The cache key: everything of ours that goes in, and the cross compiler. As for x86, a newer
    # Debian package does not rebuild a cached guest by itself (--force does), so a cache hit asks
    # apt nothing (each apt-cache call costs seconds).
    src_hash="$( (cat "$HERE/build.sh" "$HERE/build-aarch64.sh" "$HERE/init.sh" "$HERE"/workloads/*; \
                  "$A64_CC" --version | sed -n 1p) | sha256sum | cut -c1-16)"
    if [ "$FORCE" = 0 ] && [ -f "$OUT/guest.json" ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ] \
        && grep -q "\"sources_hash\": \"$src_hash\"" "$OUT/guest.json" \
        && { [ -z "$DEB" ] || [ "$(dpkg-deb -f "$DEB" Version 2>/dev/null)" = "$(aarch64_old kernel_package_version)" ]; }; then
        log "already built: $OUT (use --force to rebuild)"
        echo "$OUT"
        return 0
    fi

    # The kernel package: what linux-image-arm64:arm64 depends on, unless --deb names one.
    if [ -n "$DEB" ]; then
        [ -f "$DEB" ] || die "no such file: $DEB"
        [ "$(dpkg-deb -f "$DEB" Architecture)" = arm64 ] || die "$DEB is not an arm64 package"
        kpkg="$(dpkg-deb -f "$DEB" Package)"
        kver="$(dpkg-deb -f "$DEB" Version)"
    else
        kpkg="$(apt-cache depends "${A64_APT_TARGET[@]}" linux-image-arm64:arm64 2>/dev/null \
                | awk '/Depends: linux-image-/ && !found {print $2; found=1}' || true)"
        kpkg="${kpkg%:arm64}"
        if [ -z "$kpkg" ]; then
            [ "$SERIES" = 6.12 ] \
                && die "cannot resolve the arm64 Linux 6.12 image package: add bookworm-backports to apt sources and run apt-get update (scripts/install-host-deps.sh does)"
            die "cannot resolve the arm64 Linux $SERIES image package (apt-cache depends linux-image-arm64:arm64 found nothing; run apt-get update)"
        fi
    fi

    # One apt-cache call for every candidate version: PACKAGE=VERSION lines. The kernel package
    # exists in one suite only, so no -t is needed; the userland comes from bookworm as on x86.
    # strace:arm64 needs only libc6 (Debian builds it without libunwind, so no -k, on arm64);
    # aarch64_install_libs dies if that ever changes.
    versions="$(apt-cache show --no-all-versions "$kpkg:arm64" busybox-static:arm64 strace:arm64 libc6:arm64 \
                2>/dev/null | awk '/^Package: /{p=$2} /^Version: /{print p "=" $2}' || true)"
    [ -n "$DEB" ] || kver="$(echo "$versions" | sed -n "s/^$kpkg=//p" | sed -n 1p)"
    [ -n "$kver" ] || die "no version of $kpkg:arm64 in the apt lists (run apt-get update)"
    userland=""
    for p in busybox-static strace libc6; do
        v="$(echo "$versions" | sed -n "s/^$p=//p" | sed -n 1p)"
        [ -n "$v" ] || die "no version of $p:arm64 in the apt lists (run apt-get update)"
        userland="$userland $p=$v"
    done

    mkdir -p "$OUT"
    local work
    work="$(mktemp -d "${TMPDIR:-/tmp}/vmscope-guest-aarch64.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" EXIT

    # ---- kernel: kept when the package is the one already here -------------------------------
    local reuse_kernel=0
    if [ "$FORCE" = 0 ] && [ -z "$DEB" ] && [ -f "$OUT/vmlinuz" ] \
        && [ "$(aarch64_old kernel_package)" = "$kpkg" ] && [ "$(aarch64_old kernel_package_version)" = "$kver" ]; then
        reuse_kernel=1
        krel="$(aarch64_old kernel_release)"
        log "guest sources changed: rebuilding the initramfs in $OUT"
    else
        if [ -z "$DEB" ]; then
            log "downloading $kpkg:arm64 $kver"
            aarch64_download "$work/dl" "$kpkg:arm64=$kver"
            DEB="$(find "$work/dl" -maxdepth 1 -name '*.deb' | sort | sed -n 1p)"
            [ -n "$DEB" ] || die "apt-get download $kpkg produced no .deb"
        fi
        mkdir -p "$work/kpkg"
        dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$work/kpkg" --wildcards './boot/*'
        local vmlinuz
        vmlinuz="$(find "$work/kpkg/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | sed -n 1p)"
        [ -n "$vmlinuz" ] || die "$DEB holds no boot/vmlinuz-*"
        krel="$(basename "$vmlinuz")"
        krel="${krel#vmlinuz-}"
        # Debian's arm64 vmlinuz is the uncompressed Image (magic "ARM\x64" at offset 56), which
        # QEMU boots as is and which holds the .BTF section's bytes.
        [ "$(dd if="$vmlinuz" bs=1 skip=56 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 41524d64 ] \
            || die "$vmlinuz is not an arm64 Image (no ARM\\x64 magic at offset 56)"
        mv "$vmlinuz" "$work/vmlinuz"
        if [ -f "$work/kpkg/boot/config-$krel" ]; then mv "$work/kpkg/boot/config-$krel" "$work/config"; fi
    fi
    [ -n "$krel" ] || die "cannot tell the kernel release of $kpkg"

    # ---- userland: busybox, strace with its libraries and loader -----------------------------
    # shellcheck disable=SC2046 # one argument per package
    aarch64_download "$work/ul" $(for x in $userland; do echo "${x%%=*}:arm64=${x#*=}"; done)
    local pk="$work/pk" d
    mkdir -p "$pk"
    for d in "$work"/ul/*.deb; do dpkg-deb -x "$d" "$pk"; done
    [ -x "$pk/bin/busybox" ] || die "busybox-static:arm64 holds no bin/busybox"
    [ -x "$pk/usr/bin/strace" ] || die "strace:arm64 holds no usr/bin/strace"

    local root="$work/root"
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root}
    install -m 0755 "$pk/bin/busybox" "$root/bin/busybox"
    # The applet list: from the arm64 busybox if this host can run it (binfmt), else from the
    # host's busybox-static (Debian builds both from one configuration).
    local applets applet
    if ! applets="$("$pk/bin/busybox" --list-full 2>/dev/null)" || [ -z "$applets" ]; then
        command -v busybox >/dev/null 2>&1 \
            || die "cannot run the arm64 busybox here to list its applets, and no host busybox (install busybox-static)"
        applets="$(busybox --list-full)"
    fi
    for applet in $applets; do
        [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
    done
    install -m 0755 "$HERE/init.sh" "$root/init"
    install -D -m 0755 "$pk/usr/bin/strace" "$root/usr/bin/strace"
    aarch64_install_libs "$pk" "$root" "$pk/usr/bin/strace"

    # ---- workloads, cross-compiled -------------------------------------------------------------
    # Every workload that is neither 32-bit only (x86: int $0x80, the compat ABI) nor x86 only (legacy
    # calls by x86's numbers: the families corpus) is built once, 64-bit;
    # aarch64 has no 32-bit variants here (no NAME32).
    local wl="$work/wl" src w workloads="demo"
    mkdir -p "$wl"
    for src in "$HERE"/workloads/*.c; do
        w=$(basename "$src" .c)
        grep -q 'vmscope-guest: 32-bit only' "$src" && continue
        grep -q 'vmscope-guest: x86 only' "$src" && continue
        # `dynamic debug` (wl-stack): as on x86_64, linked against the guest's libc (strace's, the
        # same 2.36) and built with -g; the guest gets a stripped copy and its debug file stays on the
        # host under debug/.build-id/, for --debug-dir. (A static link would have no .eh_frame_hdr:
        # gcc passes --eh-frame-hdr only to dynamic links.) Every other workload is static.
        local dbg=0 flags="-static -s"
        if grep -q 'vmscope-guest: dynamic debug' "$src"; then dbg=1; flags="-g"; fi
        "$A64_CC" -O1 -Wall $flags -o "$wl/wl-$w" "$src" -lpthread >"$work/gcc.log" 2>&1 || {
            sed 's/^/  /' "$work/gcc.log" >&2
            die "$A64_CC $flags failed for $(basename "$src") (libc6-dev-arm64-cross installed?)"
        }
        if [ $dbg = 1 ]; then
            local id
            id="$(readelf -n "$wl/wl-$w" | awk '/Build ID:/{print $3}')"
            [ -n "$id" ] || die "wl-$w has no build-id"
            mkdir -p "$work/debug/.build-id/${id:0:2}"
            aarch64-linux-gnu-objcopy --only-keep-debug "$wl/wl-$w" "$work/debug/.build-id/${id:0:2}/${id:2}.debug"
            aarch64-linux-gnu-strip --strip-all "$wl/wl-$w"
            aarch64_install_libs "$pk" "$root" "$wl/wl-$w"
        fi
        workloads="$workloads $w"
    done
    install -m 0755 "$HERE/workloads/demo.sh" "$wl/wl-demo"
    cp -a "$wl"/wl-* "$root/bin/"

    echo "vmscope" > "$root/etc/hostname"
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
    printf 'root:x:0:\n' > "$root/etc/group"
    (cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) \
        | gzip -6 > "$work/initrd.img"

    local busybox_ver strace_ver libc_ver
    busybox_ver="v$(aarch64_upstream "$(echo "$userland" | tr ' ' '\n' | sed -n 's/^busybox-static=//p')")"
    strace_ver="$(aarch64_upstream "$(echo "$userland" | tr ' ' '\n' | sed -n 's/^strace=//p')")"
    libc_ver="$(echo "$userland" | tr ' ' '\n' | sed -n 's/^libc6=//p')"

    # ---- install (guest.json last: it marks a complete build) --------------------------------
    rm -f "$OUT/guest.json"
    if [ $reuse_kernel = 0 ]; then
        mv -f "$work/vmlinuz" "$OUT/vmlinuz"
        rm -f "$OUT/config"
        if [ -f "$work/config" ]; then mv -f "$work/config" "$OUT/config"; fi
    fi
    mv -f "$work/initrd.img" "$OUT/initrd.img"
    rm -rf "$OUT/workloads" "$OUT/debug"
    mkdir -p "$OUT/workloads"
    cp -a "$wl"/wl-* "$OUT/workloads/"
    if [ -d "$work/debug" ]; then cp -r "$work/debug" "$OUT/debug"; fi

    local first=1 list="["
    for w in $workloads; do
        [ $first = 1 ] || list="$list, "
        first=0
        list="$list\"$w\""
    done
    list="$list]"
    cat > "$OUT/guest.json.tmp" <<JSON
{
  "arch": "aarch64",
  "kernel_series": "$SERIES",
  "kernel_package": "$kpkg",
  "kernel_package_version": "$kver",
  "kernel_release": "$krel",
  "vmlinuz": "vmlinuz",
  "initrd": "initrd.img",
  "busybox_version": "$busybox_ver",
  "strace_version": "$strace_ver",
  "libc_version": "$libc_ver",
  "workloads": $list,
  "sources_hash": "$src_hash",
  "built": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
    mv -f "$OUT/guest.json.tmp" "$OUT/guest.json"
    log "built $OUT (kernel $kpkg $kver, aarch64)"
    echo "$OUT"
}
