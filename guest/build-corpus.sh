#!/usr/bin/env bash
# Builds strace's own test programs (from Debian's strace source package, the version of the guest's
# strace) statically, 64- and 32-bit, into a gzip'd cpio to append to the default guest's initrd.
# See guest/README.md ("strace's test programs").
#
# usage: guest/build-corpus.sh [--src DIR] [--out DIR] [--force]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vmscope"
OUT=""
SRC=""
FORCE=0

die() { echo "guest/build-corpus.sh: error: $*" >&2; exit 1; }
log() { echo "guest/build-corpus.sh: $*" >&2; }
trap 'echo "guest/build-corpus.sh: error: command failed (line $LINENO, status $?): $BASH_COMMAND" >&2' ERR

usage() {
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --src) [ $# -ge 2 ] || die "--src needs a directory"; SRC="$2"; shift 2 ;;
        --src=*) SRC="${1#--src=}"; shift ;;
        --out) [ $# -ge 2 ] || die "--out needs a directory"; OUT="$2"; shift 2 ;;
        --out=*) OUT="${1#--out=}"; shift ;;
        --force) FORCE=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "guest/build-corpus.sh: unknown argument: $1" >&2; usage 2 ;;
    esac
done
[ -n "$OUT" ] || OUT="${VMSCOPE_GUEST_DIR:-$CACHE/guest}/strace-tests"

need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install $2 (see scripts/install-host-deps.sh)"
}
need gcc gcc
need make make
need cpio cpio
need gzip gzip
need python3 python3
need strace strace
need apt-get apt
STRACE_VER="$(strace -V 2>/dev/null | awk 'NR==1{print $NF}')"

# ---- source: Debian's strace source package, the version of the strace put in the guest --------
if [ -z "$SRC" ]; then
    APT="$CACHE/apt-src"
    mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/etc" "$APT/src"
    # A private apt configuration with deb-src lines: the host's own sources are left alone.
    printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main\n' \
        > "$APT/etc/sources.list"
    APTO=(-o "Dir::Etc::SourceList=$APT/etc/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
          -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache")
    SRC="$(find "$APT/src" -maxdepth 1 -type d -name "strace-$STRACE_VER" | sed -n 1p)"
    if [ -z "$SRC" ]; then
        log "downloading Debian's strace $STRACE_VER source package"
        apt-get "${APTO[@]}" update >"$APT/update.log" 2>&1 || { sed 's/^/  /' "$APT/update.log" >&2; die "apt-get update (deb-src) failed"; }
        chmod 0777 "$APT/src"
        (cd "$APT/src" && apt-get "${APTO[@]}" source --download-only "strace" >"$APT/source.log" 2>&1) \
            || { sed 's/^/  /' "$APT/source.log" >&2; die "apt-get source strace failed"; }
        TARBALL="$(find "$APT/src" -maxdepth 1 -name "strace_$STRACE_VER.orig.tar.*" | sed -n 1p)"
        [ -n "$TARBALL" ] || die "Debian's strace source is not version $STRACE_VER (the installed strace's): see $APT/src"
        tar -x -C "$APT/src" -f "$TARBALL"
        SRC="$APT/src/strace-$STRACE_VER"
    fi
fi
[ -f "$SRC/tests/gen_tests.in" ] || die "$SRC is not a strace source tree (no tests/gen_tests.in)"
SRC="$(cd "$SRC" && pwd)"

# ---- cache check ---------------------------------------------------------------------------
SRC_HASH="$( (cat "$HERE/build-corpus.sh" "$HERE/strace-tests-manifest.py" "$SRC/tests/gen_tests.in"; \
              echo "$STRACE_VER") | sha256sum | cut -c1-16)"
if [ "$FORCE" = 0 ] && [ -f "$OUT/corpus.json" ] && grep -q "\"sources_hash\": \"$SRC_HASH\"" "$OUT/corpus.json"; then
    log "already built: $OUT (use --force to rebuild)"
    echo "$OUT"
    exit 0
fi

# ---- configure and build (out of tree, kept in the cache for the next build) -----------------
BUILD="$CACHE/strace-tests-build"
if [ "$FORCE" = 1 ] || [ ! -f "$BUILD/tests/Makefile" ] || [ ! -f "$BUILD/tests-m32/Makefile" ]; then
    rm -rf "$BUILD"
    mkdir -p "$BUILD"
    log "configuring strace $STRACE_VER in $BUILD"
    (cd "$BUILD" && "$SRC/configure" --enable-mpers=check --without-libunwind --without-libdw \
        --without-libselinux --disable-gcc-Werror >configure.log 2>&1) \
        || { tail -20 "$BUILD/configure.log" >&2; die "configure failed (log: $BUILD/configure.log)"; }
fi

mkdir -p "$OUT"
MANIFEST="$OUT/manifest.tsv.tmp"
python3 "$HERE/strace-tests-manifest.py" "$SRC/tests/gen_tests.in" > "$MANIFEST"
mapfile -t PROGS < <(awk -F'\t' '$2=="run" || $2=="slow" {print $1}' "$MANIFEST")
JOBS="$(nproc 2>/dev/null || echo 2)"
for dir in tests tests-m32; do
    log "building ${#PROGS[@]} programs in $dir (static; failures are listed, not fatal)"
    make -C "$BUILD/$dir" ksysent.h scno.h >"$BUILD/$dir-gen.log" 2>&1 \
        || { tail -20 "$BUILD/$dir-gen.log" >&2; die "make $dir/scno.h failed"; }
    # -k: a program that does not build here (a missing header, an old libc) is left out.
    make -C "$BUILD/$dir" -k -j"$JOBS" LDFLAGS=-static libtests.a "${PROGS[@]}" \
        >"$BUILD/$dir-build.log" 2>&1 || true
done

# ---- the archive: /strace-tests/{MANIFEST,bin/NAME,bin32/NAME} --------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vmscope-corpus.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/root/strace-tests"
mkdir -p "$ROOT/bin" "$ROOT/bin32"
: > "$ROOT/MANIFEST"
: > "$OUT/manifest.tsv"
built64=0 built32=0
while IFS=$'\t' read -r name verdict redirs opts reason; do
    b64=no b32=no
    if [ "$verdict" = run ] || [ "$verdict" = slow ]; then
        if [ -x "$BUILD/tests/$name" ]; then
            strip -o "$ROOT/bin/$name" "$BUILD/tests/$name"; b64=yes; built64=$((built64 + 1))
        fi
        if [ -x "$BUILD/tests-m32/$name" ]; then
            strip -o "$ROOT/bin32/$name" "$BUILD/tests-m32/$name"; b32=yes; built32=$((built32 + 1))
        fi
        if [ $b64 = no ] && [ $b32 = no ]; then
            verdict=skip
            reason="does not build here (static, Debian 12 headers): see $BUILD/tests-build.log"
        else
            # The guest's list: NAME, where it was built, the test's redirections, slow or `-`.
            printf '%s\t%s\t%s\t%s\n' "$name" \
                "$([ $b64 = yes ] && echo 64),$([ $b32 = yes ] && echo 32)" "$redirs" \
                "$([ "$verdict" = slow ] && echo slow || echo -)" >> "$ROOT/MANIFEST"
        fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$verdict" "$b64" "$b32" "$redirs" "$opts" "$reason" \
        >> "$OUT/manifest.tsv"
done < "$MANIFEST"
rm -f "$MANIFEST"
[ "$built64" -gt 0 ] || die "no test program was built (see $BUILD/tests-build.log)"

(cd "$WORK/root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) \
    | gzip -6 > "$OUT/corpus.img.tmp"
mv -f "$OUT/corpus.img.tmp" "$OUT/corpus.img"
cat > "$OUT/corpus.json" <<JSON
{
  "strace_version": "$STRACE_VER",
  "source": "$SRC",
  "programs_64": $built64,
  "programs_32": $built32,
  "tests_listed": $(wc -l < "$OUT/manifest.tsv"),
  "sources_hash": "$SRC_HASH",
  "built": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
log "built $OUT: $built64 programs 64-bit, $built32 32-bit ($(du -h "$OUT/corpus.img" | cut -f1))"
echo "$OUT"
