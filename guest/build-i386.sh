# The i386 guest of guest/build.sh (`--arch i386`), sourced by it: Debian bookworm's 32-bit 686-pae
# kernel, an i386 busybox/strace userland from Debian's i386 packages, the workloads built
# `gcc -m32 -static`, the same /init, and the kernel's DWARF (`vmlinux-dbg`, from the `-dbg` package)
# because this kernel has no BTF. See guest/README.md.
#
# Uses from build.sh: HERE SERIES OUT DEB FORCE DEBUGINFO, die, log, need.

# Every name a step needs, resolved once.
i386_setup() {
    [ -z "$SERIES" ] || [ "$SERIES" = 6.1 ] \
        || die "--arch i386 builds Debian bookworm's Linux 6.1 only (got --kernel $SERIES)"
    SERIES=6.1
    [ -n "$OUT" ] || OUT="${VMSCOPE_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope/guest}/linux-$SERIES-i386"
    need gcc gcc
    need cpio cpio
    need gzip gzip
    need tar tar
    need dpkg dpkg
    need dpkg-deb dpkg
    need readelf binutils
    need sha256sum coreutils
    need apt-get apt
    need apt-cache apt
    # (No `grep -q` in the pipeline: with pipefail its early exit can fail dpkg with SIGPIPE.)
    case " $(dpkg --print-foreign-architectures | tr '\n' ' ') " in
        *" i386 "*) ;;
        *) die "the i386 architecture is not enabled: run 'dpkg --add-architecture i386 && apt-get update' (scripts/install-host-deps.sh does)" ;;
    esac
}

# apt-get download PKG... into DIR (names carry :i386 or =VERSION as given).
i386_download() {
    local dir="$1"; shift
    mkdir -p "$dir"
    chmod 0777 "$dir" # lets apt's _apt sandbox user write here when run as root
    if ! (cd "$dir" && apt-get download "$@" >"$dir/apt.log" 2>&1); then
        sed 's/^/  /' "$dir/apt.log" >&2
        die "apt-get download $* failed (stale apt lists? try apt-get update)"
    fi
}

# A field of the previous build's guest.json, or empty.
i386_old() {
    [ -f "$OUT/guest.json" ] || return 0
    sed -n "s/.*\"$1\": \"\\([^\"]*\\)\".*/\\1/p" "$OUT/guest.json"
}

build_i386() {
    i386_setup
    local kpkg kver krel src_hash userland="" want_dbg=0 have_dbg=0
    [ "$DEBUGINFO" = 1 ] && want_dbg=1

    # The cache check is offline (apt-cache can take seconds): like the x86_64 guest, a newer Debian
    # kernel or userland is picked up by --force, a change of the guest's sources by itself.
    src_hash="$(cat "$HERE/build.sh" "$HERE/build-i386.sh" "$HERE/init.sh" "$HERE"/workloads/* \
                | sha256sum | cut -c1-16)"
    local old_kver
    old_kver="$(i386_old kernel_package_version)"
    if [ -f "$OUT/vmlinux-dbg" ] && [ -n "$old_kver" ] \
        && [ "$(i386_old debuginfo_package_version)" = "$old_kver" ]; then
        have_dbg=1
    fi
    if [ "$FORCE" = 0 ] && [ -f "$OUT/guest.json" ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ] \
        && grep -q "\"sources_hash\": \"$src_hash\"" "$OUT/guest.json" \
        && { [ -z "$DEB" ] || [ "$(dpkg-deb -f "$DEB" Version 2>/dev/null)" = "$old_kver" ]; } \
        && { [ $want_dbg = 0 ] || [ $have_dbg = 1 ]; }; then
        log "already built: $OUT (use --force to rebuild)"
        echo "$OUT"
        return 0
    fi

    # The kernel package: what linux-image-686-pae:i386 depends on, unless --deb names one.
    if [ -n "$DEB" ]; then
        [ -f "$DEB" ] || die "no such file: $DEB"
        [ "$(dpkg-deb -f "$DEB" Architecture)" = i386 ] || die "$DEB is not an i386 package"
        kpkg="$(dpkg-deb -f "$DEB" Package)"
        kver="$(dpkg-deb -f "$DEB" Version)"
    else
        kpkg="$(apt-cache depends linux-image-686-pae:i386 2>/dev/null \
                | awk '/Depends: linux-image-/ && !found {print $2; found=1}' || true)"
        kpkg="${kpkg%:i386}"
        [ -n "$kpkg" ] || die "cannot resolve the i386 Linux image package (apt-cache depends linux-image-686-pae:i386 found nothing; run apt-get update)"
    fi
    # Candidate versions, in one apt-cache call.
    local versions p v
    versions="$(apt-cache show --no-all-versions "$kpkg:i386" busybox-static:i386 strace:i386 libc6:i386 \
                2>/dev/null | awk '/^Package: /{p=$2} /^Version: /{print p "=" $2}' || true)"
    for p in busybox-static strace libc6; do
        v="$(echo "$versions" | sed -n "s/^$p=//p" | sed -n 1p)"
        [ -n "$v" ] || die "no version of $p:i386 in the apt lists (run apt-get update)"
        userland="$userland $p=$v"
    done
    if [ -z "$DEB" ]; then
        kver="$(echo "$versions" | sed -n "s/^$kpkg=//p" | sed -n 1p)"
        [ -n "$kver" ] || die "no version of $kpkg:i386 in the apt lists (run apt-get update)"
    fi
    [ "$(i386_old debuginfo_package_version)" = "$kver" ] || have_dbg=0

    mkdir -p "$OUT"
    rm -rf "$OUT/vmlinux-dbg.tmp" "$OUT/.dl" # left by an interrupted build
    local work
    work="$(mktemp -d "${TMPDIR:-/tmp}/vmscope-guest-i386.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work' '$OUT/.dl'" EXIT

    # ---- kernel ----------------------------------------------------------------------------
    local reuse_kernel=0
    if [ "$FORCE" = 0 ] && [ -z "$DEB" ] && [ -f "$OUT/vmlinuz" ] \
        && [ "$(i386_old kernel_package)" = "$kpkg" ] && [ "$(i386_old kernel_package_version)" = "$kver" ]; then
        reuse_kernel=1
        krel="$(i386_old kernel_release)"
        cp "$OUT/vmlinuz" "$work/vmlinuz"
        [ -f "$OUT/config" ] && cp "$OUT/config" "$work/config"
    else
        if [ -z "$DEB" ]; then
            log "downloading $kpkg:i386 $kver"
            i386_download "$work/dl" "$kpkg:i386=$kver"
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
        mv "$vmlinuz" "$work/vmlinuz"
        if [ -f "$work/kpkg/boot/config-$krel" ]; then mv "$work/kpkg/boot/config-$krel" "$work/config"; fi
    fi
    [ -n "$krel" ] || die "cannot tell the kernel release of $kpkg"

    # ---- the kernel's DWARF: just the vmlinux out of the -dbg package ------------------------
    # The package is ~765 MB; GNU tar's --occurrence stops reading the archive once the vmlinux (an
    # early member) is out, and the .deb is deleted right after.
    if [ $want_dbg = 1 ] && { [ $have_dbg = 0 ] || [ "$FORCE" = 1 ]; }; then
        local t0 t1 t2 dbgdeb
        t0=$(date +%s)
        log "downloading $kpkg-dbg:i386 $kver (about 765 MB) for the kernel's DWARF"
        i386_download "$OUT/.dl" "$kpkg-dbg:i386=$kver"
        dbgdeb="$(find "$OUT/.dl" -maxdepth 1 -name '*.deb' | sort | sed -n 1p)"
        [ -n "$dbgdeb" ] || die "apt-get download $kpkg-dbg produced no .deb"
        t1=$(date +%s)
        mkdir -p "$OUT/.dl/x"
        # dpkg-deb dies of SIGPIPE when tar stops early: tar's status and the file's presence decide.
        { dpkg-deb --fsys-tarfile "$dbgdeb" 2>/dev/null || true; } \
            | tar -x -C "$OUT/.dl/x" --occurrence=1 "./usr/lib/debug/boot/vmlinux-$krel" \
            || die "$dbgdeb holds no ./usr/lib/debug/boot/vmlinux-$krel"
        [ -s "$OUT/.dl/x/usr/lib/debug/boot/vmlinux-$krel" ] || die "extracting the vmlinux from $dbgdeb failed"
        mv -f "$OUT/.dl/x/usr/lib/debug/boot/vmlinux-$krel" "$OUT/vmlinux-dbg.tmp"
        rm -rf "$OUT/.dl"
        t2=$(date +%s)
        log "debuginfo: download $((t1 - t0)) s, extraction $((t2 - t1)) s, vmlinux-dbg $(du -m "$OUT/vmlinux-dbg.tmp" | cut -f1) MB"
        have_dbg=1
    elif [ $want_dbg = 0 ]; then
        rm -f "$OUT/vmlinux-dbg"
        have_dbg=0
    fi

    # ---- userland: busybox, strace with its libraries and loader, from Debian's i386 packages --
    i386_download "$work/ul" $(for x in $userland; do echo "${x%%=*}:i386=${x#*=}"; done)
    local pk="$work/pk" d
    mkdir -p "$pk"
    for d in "$work"/ul/*.deb; do dpkg-deb -x "$d" "$pk"; done
    [ -x "$pk/bin/busybox" ] || die "busybox-static:i386 holds no bin/busybox"
    [ -x "$pk/usr/bin/strace" ] || die "strace:i386 holds no usr/bin/strace"

    local root="$work/root"
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root}
    install -m 0755 "$pk/bin/busybox" "$root/bin/busybox"
    # The applet list from the i386 busybox itself; a host without 32-bit support uses the host's
    # busybox (the same Debian version on bookworm).
    local applets
    if ! applets="$("$pk/bin/busybox" --list-full 2>/dev/null)" || [ -z "$applets" ]; then
        command -v busybox >/dev/null 2>&1 \
            || die "cannot run the i386 busybox here to list its applets, and no host busybox"
        log "the i386 busybox does not run on this host: taking the applet list from $(command -v busybox)"
        applets="$(busybox --list-full)"
    fi
    local applet
    for applet in $applets; do
        [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
    done
    install -m 0755 "$HERE/init.sh" "$root/init"

    install -D -m 0755 "$pk/usr/bin/strace" "$root/usr/bin/strace"
    i386_install_libs "$pk" "$root" "$pk/usr/bin/strace"

    # ---- workloads, all 32-bit ---------------------------------------------------------------
    # On this kernel 32-bit is native: every workload that is not 64-bit only is built once with
    # `-m32` as wl-NAME, and wl-NAME32 is a hard link to it so the names of `vmscope.run=all` work.
    local wl="$work/wl" src w workloads="demo"
    mkdir -p "$wl"
    for src in "$HERE"/workloads/*.c; do
        w=$(basename "$src" .c)
        grep -q 'vmscope-guest: 64-bit only' "$src" && continue
        gcc -O1 -Wall -static -s -m32 -o "$wl/wl-$w" "$src" -lpthread >"$work/gcc.log" 2>&1 || {
            sed 's/^/  /' "$work/gcc.log" >&2
            die "gcc -m32 -static failed for $(basename "$src"): install gcc-multilib"
        }
        workloads="$workloads $w"
        if ! grep -q 'vmscope-guest: 32-bit only' "$src"; then
            ln "$wl/wl-$w" "$wl/wl-${w}32"
            workloads="$workloads ${w}32"
        fi
    done
    install -m 0755 "$HERE/workloads/demo.sh" "$wl/wl-demo"
    cp -a "$wl"/wl-* "$root/bin/"

    echo "vmscope" > "$root/etc/hostname"
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
    printf 'root:x:0:\n' > "$root/etc/group"
    (cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) \
        | gzip -6 > "$work/initrd.img"

    local busybox_ver strace_ver libc_ver
    busybox_ver="$(echo "$userland" | tr ' ' '\n' | sed -n 's/^busybox-static=//p')"
    strace_ver="$(echo "$userland" | tr ' ' '\n' | sed -n 's/^strace=//p')"
    libc_ver="$(echo "$userland" | tr ' ' '\n' | sed -n 's/^libc6=//p')"

    # ---- install (guest.json last: it marks a complete build) --------------------------------
    rm -f "$OUT/guest.json"
    [ $reuse_kernel = 1 ] || mv -f "$work/vmlinuz" "$OUT/vmlinuz"
    if [ $reuse_kernel = 0 ] && [ -f "$work/config" ]; then mv -f "$work/config" "$OUT/config"; fi
    [ -f "$OUT/vmlinux-dbg.tmp" ] && mv -f "$OUT/vmlinux-dbg.tmp" "$OUT/vmlinux-dbg"
    mv -f "$work/initrd.img" "$OUT/initrd.img"
    rm -rf "$OUT/workloads"
    mkdir -p "$OUT/workloads"
    cp -a "$wl"/wl-* "$OUT/workloads/"

    local dbg_json='null' dbgver_json='null' first=1 list="["
    if [ $have_dbg = 1 ]; then dbg_json='"vmlinux-dbg"'; dbgver_json="\"$kver\""; fi
    for w in $workloads; do
        [ $first = 1 ] || list="$list, "
        first=0
        list="$list\"$w\""
    done
    list="$list]"
    cat > "$OUT/guest.json.tmp" <<JSON
{
  "arch": "i386",
  "kernel_series": "$SERIES",
  "kernel_package": "$kpkg",
  "kernel_package_version": "$kver",
  "kernel_release": "$krel",
  "vmlinuz": "vmlinuz",
  "initrd": "initrd.img",
  "debuginfo": $dbg_json,
  "debuginfo_package": "$kpkg-dbg",
  "debuginfo_package_version": $dbgver_json,
  "busybox_version": "$busybox_ver",
  "strace_version": "$strace_ver",
  "libc_version": "$libc_ver",
  "workloads": $list,
  "sources_hash": "$src_hash",
  "built": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
    mv -f "$OUT/guest.json.tmp" "$OUT/guest.json"
    log "built $OUT (kernel $kpkg $kver, i386)"
    echo "$OUT"
}

# Installs into ROOT the dynamic loader and every shared library BIN needs (transitively), from the
# extracted packages in PK, at the paths the loader searches (/lib/i386-linux-gnu).
i386_install_libs() {
    local pk="$1" root="$2" bin="$3"
    local interp
    interp="$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')"
    [ -n "$interp" ] || die "$bin names no program interpreter"
    [ -e "$pk$interp" ] || die "the loader $interp of $(basename "$bin") is not in libc6:i386"
    install -D -m 0755 "$(readlink -f "$pk$interp")" "$root$interp"
    local todo="$bin" done_libs="" f lib found dir
    local round
    for round in 1 2 3 4 5 6 7 8; do
        [ -n "$todo" ] || break
        local next=""
        for f in $todo; do
            for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
                case " $done_libs " in *" $lib "*) continue ;; esac
                done_libs="$done_libs $lib"
                found=""
                for dir in lib/i386-linux-gnu usr/lib/i386-linux-gnu; do
                    if [ -e "$pk/$dir/$lib" ]; then found="$dir/$lib"; break; fi
                done
                [ -n "$found" ] || die "$(basename "$f") needs $lib, which is in none of the i386 packages fetched"
                install -D -m 0755 "$(readlink -f "$pk/$found")" "$root/$found"
                next="$next $root/$found"
            done
        done
        todo="$next"
    done
}
