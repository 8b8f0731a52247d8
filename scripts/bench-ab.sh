#!/usr/bin/env bash
# Compares the cost of two vmscope builds on this machine, interleaved: `vmscope bench` of build A,
# then of build B, N times, each run pairing its traced loop with a run without the plugin just
# before it. A shared or drifting machine moves the loop's time by 2x from one minute to the next;
# alternating the builds exposes both to the same drift, and the report gives bootstrap confidence
# intervals of the differences, so a difference the machine cannot resolve is not taken for one.
#
#   scripts/bench-ab.sh A_CHECKOUT[:CONFIG] B_CHECKOUT[:CONFIG] [N] [OUT]
#
# CHECKOUT is a directory with a release build (target/release/vmscope); CONFIG the bench
# configuration to compare (default `default`; builds before 2026-11-29 call it `vmscope`).
# Example: scripts/bench-ab.sh /work/old:vmscope . 12 /tmp/ab
set -euo pipefail

usage() { echo "usage: $0 A_CHECKOUT[:CONFIG] B_CHECKOUT[:CONFIG] [N] [OUT]" >&2; exit 2; }
[ $# -ge 2 ] || usage
side() { # side SPEC -> "dir config"
    local dir="${1%%:*}" cfg="default"
    [ "$dir" != "$1" ] && cfg="${1#*:}"
    echo "$dir $cfg"
}
read -r A_DIR A_CFG <<<"$(side "$1")"
read -r B_DIR B_CFG <<<"$(side "$2")"
for d in "$A_DIR" "$B_DIR"; do
    [ -x "$d/target/release/vmscope" ] || { echo "$0: no $d/target/release/vmscope (build it first)" >&2; exit 2; }
done
N="${3:-12}"
OUT="${4:-bench-ab}"
mkdir -p "$OUT"

for i in $(seq 1 "$N"); do
    for s in A B; do
        if [ "$s" = A ]; then dir="$A_DIR" cfg="$A_CFG"; else dir="$B_DIR" cfg="$B_CFG"; fi
        "$dir/target/release/vmscope" bench --configs "none,$cfg" --repeats 1 --out "$OUT/$s-$i" \
            >"$OUT/$s-$i.log" 2>&1 || { echo "$0: bench of $dir failed: see $OUT/$s-$i.log" >&2; exit 1; }
        echo "round $i/$N: $s done" >&2
    done
done

python3 - "$OUT" "$A_DIR" "$B_DIR" <<'EOF'
import glob, json, random, statistics as st, sys
out, a_dir, b_dir = sys.argv[1:4]

def runs(side):
    rs = []
    for f in glob.glob(f"{out}/{side}-*/results.json"):
        s = json.load(open(f))["samples"]
        none = [x["loop_s"] for x in s if x["config"] == "none"]
        traced = [x["loop_s"] for x in s if x["config"] != "none"]
        if none and traced:
            rs.append((none[0], traced[0]))
    return rs

def paired(rs):
    return st.median([t / n for n, t in rs])

def of_medians(rs):
    return st.median([t for _, t in rs]) / st.median([n for n, _ in rs])

def interval(a, b, stat, rounds=20000):
    rnd = random.Random(1)
    d = sorted(stat([rnd.choice(b) for _ in b]) - stat([rnd.choice(a) for _ in a]) for _ in range(rounds))
    return d[int(0.025 * rounds)], d[int(0.975 * rounds)]

A, B = runs("A"), runs("B")
if not A or not B:
    sys.exit(f"no completed runs of both builds in {out}")
for name, dir_, rs in (("A", a_dir, A), ("B", b_dir, B)):
    print(f"{name} ({dir_}): {len(rs)} runs, loop ratio: paired median {paired(rs):.2f}x, "
          f"ratio of medians {of_medians(rs):.2f}x")
for label, stat in (("paired median", paired), ("ratio of medians", of_medians)):
    lo, hi = interval(A, B, stat)
    print(f"B - A, {label}: {stat(B) - stat(A):+.2f} (95% bootstrap interval {lo:+.2f} to {hi:+.2f})")
EOF
