#!/bin/sh
# /init of the vmscope default guest (busybox). Mounts the basics, writes /etc/fstab, runs the
# workloads named on the kernel command line (optionally under strace, output on the second serial
# port: /dev/ttyS1 on x86, /dev/ttyAMA1 on aarch64), then powers the machine off.
# See guest/README.md.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/ TERM=dumb

mount -t proc proc /proc
# If anything below goes wrong and init exits, the kernel panics: reboot at once (QEMU runs
# with -no-reboot, so that ends the VM instead of hanging).
echo -1 > /proc/sys/kernel/panic 2>/dev/null
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /tmp /run
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run

M="vmscope-guest:"

# A real fstab-like file, larger than 0x400 bytes (the paper's example reads 0x400 bytes).
cat > /etc/fstab <<'FSTAB'
# /etc/fstab: static file system information.
#
# Use 'blkid' to print the universally unique identifier for a
# device; this may be used with UUID= as a more robust way to name devices
# that works even if disks are added and removed. See fstab(5).
#
# systemd generates mount units based on this file, see systemd.mount(5).
# Please run 'systemctl daemon-reload' after making changes here.
#
# <file system>                           <mount point>   <type>  <options>                 <dump>  <pass>
# / was on /dev/vda1 during installation
UUID=3b1f6c2e-7d4a-4f0b-9a51-2c8e5d7f9a10 /               ext4    errors=remount-ro         0       1
# /boot/efi was on /dev/vda15 during installation
UUID=5A1B-C2D3                            /boot/efi       vfat    umask=0077                0       1
# /home was on /dev/vda2 during installation
UUID=9e4d2a7b-1c3f-4e8a-b6d5-7f0a1b2c3d4e /home           ext4    defaults,nodev            0       2
# swap was on /dev/vda3 during installation
UUID=c7a8b9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d none            swap    sw                        0       0
proc                                      /proc           proc    defaults,hidepid=2        0       0
tmpfs                                     /tmp            tmpfs   defaults,nosuid,nodev,size=64m 0  0
/dev/sr0                                  /media/cdrom0   udf,iso9660 user,noauto           0       0
FSTAB

# The loopback, for the network workloads (127.0.0.1 and ::1).
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null

# Kernel command line switches. No file name expansion from here on: a workload's pattern may hold `*`.
RUN=demo
STRACE=0
STRACE_S=""
STRACE_K=0
STRACE_Y=0
set -f
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        vmscope.run=*) RUN="${arg#vmscope.run=}" ;;
        vmscope.strace=*) STRACE="${arg#vmscope.strace=}" ;;
        vmscope.strace_s=*) STRACE_S="${arg#vmscope.strace_s=}" ;;
        vmscope.strace_k=*) STRACE_K="${arg#vmscope.strace_k=}" ;;
        vmscope.strace_y=*) STRACE_Y="${arg#vmscope.strace_y=}" ;;
    esac
done
[ -n "$RUN" ] || RUN=demo
# strace's string limit (-s), for comparisons with vmscope's --string-limit.
SOPT=""
case "$STRACE_S" in
    ''|*[!0-9]*) ;;
    *) SOPT="-s $STRACE_S" ;;
esac
# strace -k: every call with its stack (for the stacks module's comparison).
[ "$STRACE_K" = 1 ] && SOPT="$SOPT -k"
# strace -y: descriptors with their paths (for vmscope's --decode-fds comparison).
[ "$STRACE_Y" = 1 ] && SOPT="$SOPT -y"

# ALL: the list `all` stands for (loop and compute with small counts). CORPUS: the fidelity corpus
# (scripts/fidelity.sh): everything in `all`, then signals, memory mapping and sockets, 64- and
# 32-bit. aarch64 has neither the 32-bit variants nor the x86-only workloads (int80, compat32), and
# its second serial port (the strace port) is the virt machine's second PL011.
if [ "$(uname -m)" = aarch64 ]; then
    ALL="fstab fileio threads forkexec loop:100 compute:1000000"
    CORPUS="$ALL signals mmap sockets"
    TRACE_PORT=/dev/ttyAMA1
else
    ALL="fstab fileio threads forkexec int80 compat32 loop:100 compute:1000000"
    ALL="$ALL fstab32 fileio32 threads32 forkexec32 loop32:100"
    CORPUS="$ALL signals mmap sockets signals32 mmap32 sockets32"
    TRACE_PORT=/dev/ttyS1
fi

# One workload per call family (docs/fidelity.md), 64- and 32-bit (64-bit only on aarch64).
FAMILIES="net-inet net-inet6 net-unix net-misc events fsx proc-misc ipc sys-misc"
if [ "$(uname -m)" != aarch64 ]; then
    FAMILIES="$FAMILIES net-inet32 net-inet632 net-unix32 net-misc32 events32 fsx32 proc-misc32 ipc32 sys-misc32"
fi

LIST=""
for item in $(echo "$RUN" | tr ',' ' '); do
    case "$item" in
        all) LIST="$LIST $ALL" ;;
        corpus) LIST="$LIST $CORPUS" ;;
        families) LIST="$LIST $FAMILIES" ;;
        *) LIST="$LIST $item" ;;
    esac
done

echo "$M boot kernel=$(uname -r) run=$RUN strace=$STRACE"

TRACE_OUT=""
if [ "$STRACE" = 1 ]; then
    # Clean LF line ends on the strace port; fall back to the console when the port is absent.
    if stty -F $TRACE_PORT -opost -echo 2>/dev/null && echo "$M strace output begins" > $TRACE_PORT 2>/dev/null; then
        TRACE_OUT=$TRACE_PORT
    else
        echo "$M warning: $TRACE_PORT unusable (no second -serial?), strace output goes to the console"
        TRACE_OUT=/dev/console
    fi
fi

centis() { # uptime in 1/100 s
    read -r up _ < /proc/uptime
    echo "${up%.*}${up#*.}" | sed 's/^0*//; s/^$/0/'
}

# strace's own test programs (guest/build-corpus.sh: /strace-tests, appended to the initrd), each in
# a fresh directory, as `st:NAME` (64-bit) or `st32:NAME`, with the test's redirections; PATTERN is a
# shell pattern on the test's name (without one, tests marked slow are left out). Their standard output (the test's expected strace lines) is
# dropped; a test that hangs is killed after 60 s.
strace_tests() { # BITS PATTERN
    bits="$1" pat="${2:-*}" all=1
    [ -n "$2" ] || all=0
    tag=st
    [ "$bits" = 32 ] && tag=st32
    bindir=/strace-tests/bin
    [ "$bits" = 32 ] && bindir=/strace-tests/bin32
    if [ ! -f /strace-tests/MANIFEST ]; then
        echo "$M unknown workload 'strace-tests': no /strace-tests (append corpus.img to the initrd)"
        return
    fi
    while IFS="$(printf '\t')" read -r tname twidth tredir tslow; do
        case "$tname" in $pat) ;; *) continue ;; esac
        # Slow tests only when a pattern names them.
        [ "$all" = 0 ] && [ "$tslow" = slow ] && continue
        case ",$twidth," in *",$bits,"*) ;; *) continue ;; esac
        [ "$tredir" = - ] && tredir=""
        echo "$M start $tag:$tname"
        [ -n "$TRACE_OUT" ] && [ "$TRACE_OUT" != /dev/console ] && echo "$M start $tag:$tname" > "$TRACE_OUT"
        rm -rf "/tmp/st/$tname"
        mkdir -p "/tmp/st/$tname"
        t0=$(centis)
        if [ -n "$TRACE_OUT" ]; then
            (cd "/tmp/st/$tname" && eval "timeout -s KILL 60 strace -f -qq $SOPT -o $TRACE_OUT $bindir/$tname < /dev/null > /dev/null 2>&1 $tredir")
        else
            (cd "/tmp/st/$tname" && eval "timeout -s KILL 60 $bindir/$tname < /dev/null > /dev/null 2>&1 $tredir")
        fi
        status=$?
        t1=$(centis)
        d=$((t1 - t0))
        el="$((d / 100)).$((d % 100 / 10))$((d % 10))"
        [ -n "$TRACE_OUT" ] && [ "$TRACE_OUT" != /dev/console ] && echo "$M end $tag:$tname status=$status" > "$TRACE_OUT"
        echo "$M end $tag:$tname status=$status elapsed=${el}s"
        rm -rf "/tmp/st/$tname"
    done < /strace-tests/MANIFEST
}

for item in $LIST; do
    name="${item%%:*}"
    warg=""
    [ "$name" != "$item" ] && warg="${item#*:}"
    case "$name" in
        strace-tests) strace_tests 64 "$warg"; continue ;;
        strace-tests32) strace_tests 32 "$warg"; continue ;;
    esac
    prog="/bin/wl-$name"
    echo "$M start $name"
    [ -n "$TRACE_OUT" ] && [ "$TRACE_OUT" != /dev/console ] && echo "$M start $name" > "$TRACE_OUT"
    t0=$(centis)
    if [ ! -x "$prog" ]; then
        echo "$M unknown workload '$name'"
        status=127
    elif [ -n "$TRACE_OUT" ]; then
        strace -f -qq $SOPT -o "$TRACE_OUT" $prog $warg < /dev/null
        status=$?
    else
        $prog $warg < /dev/null
        status=$?
    fi
    t1=$(centis)
    d=$((t1 - t0))
    el="$((d / 100)).$((d % 100 / 10))$((d % 10))"
    [ -n "$TRACE_OUT" ] && [ "$TRACE_OUT" != /dev/console ] && echo "$M end $name status=$status" > "$TRACE_OUT"
    echo "$M end $name status=$status elapsed=${el}s"
done
echo "$M done"

sync
poweroff -f
sleep 2
reboot -f
sleep 2
exit 1
