#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Draws one module of a drcov file (as vmscope's coverage module writes it) over a program's
symbols, Lighthouse-style: every function of the program's text as a cell, coloured by the share of
its bytes the covered blocks hit, and a table of the named functions.

usage: coverage-svg.py FILE.drcov MODULE_PATH BINARY_WITH_SYMBOLS OUT.svg [FUNCTION...]
"""
import struct
import subprocess
import sys


def read_drcov(path):
    data = open(path, "rb").read()
    at = data.index(b"BB Table: ")
    nl = data.index(b"\n", at)
    n = int(data[at + 10:nl].split()[0])
    mods = []
    for line in data[:at].decode().splitlines()[4:]:
        f = line.split(", ", 6)
        mods.append((int(f[1], 16), int(f[2], 16), f[6]))
    blocks = [struct.unpack_from("<IHH", data, nl + 1 + 8 * i) for i in range(n)]
    return mods, blocks


def main():
    drcov, module, binary, out, *named = sys.argv[1:]
    mods, blocks = read_drcov(drcov)
    mid = next(i for i, m in enumerate(mods) if m[2] == module)
    base = mods[mid][0]
    ranges = sorted((base + o, base + o + s) for o, s, m in blocks if m == mid)
    funcs = []
    for line in subprocess.run(["nm", "-S", "--defined-only", "-n", binary], capture_output=True,
                               text=True, check=True).stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "Tt" and int(f[1], 16) > 0:
            funcs.append((int(f[0], 16), int(f[1], 16), f[3]))

    def covered(lo, hi):
        n = 0
        for a, b in ranges:
            if b <= lo or a >= hi:
                continue
            n += min(b, hi) - max(a, lo)
        return min(n, hi - lo)

    cells = [(name, covered(a, a + s) / s, s) for a, s, name in funcs]
    cols, cell, gap = 64, 11, 1
    rows = (len(cells) + cols - 1) // cols
    width = cols * (cell + gap) + 20
    table_y = 40 + rows * (cell + gap) + 20
    height = table_y + 22 * (len(named) + 1) + 20
    hit = sum(1 for c in cells if c[1] > 0)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'font-family="monospace" font-size="12">',
         f'<rect width="100%" height="100%" fill="white"/>',
         f'<text x="10" y="20">{module}: {hit} of {len(cells)} functions run '
         f'({len(ranges)} blocks); one cell per function, in address order</text>']
    for i, (name, frac, size) in enumerate(cells):
        x = 10 + (i % cols) * (cell + gap)
        y = 30 + (i // cols) * (cell + gap)
        if frac == 0:
            colour = "#dddddd"
        else:
            g = int(200 - 120 * frac)
            colour = f"rgb(40,{g},60)"
        o.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{colour}">'
                 f'<title>{name}: {frac:.0%} of {size} bytes</title></rect>')
    o.append(f'<text x="10" y="{table_y}">function              bytes  covered</text>')
    for j, want in enumerate(named):
        c = next((c for c in cells if c[0] == want), None)
        if c is None:
            continue
        y = table_y + 22 * (j + 1)
        o.append(f'<text x="10" y="{y}">{want:<20} {c[2]:>6}  {c[1]:>6.0%}</text>')
        o.append(f'<rect x="260" y="{y - 10}" width="{int(200 * c[1])}" height="12" '
                 f'fill="rgb(40,120,60)"/><rect x="260" y="{y - 10}" width="200" height="12" '
                 f'fill="none" stroke="#888"/>')
    o.append("</svg>")
    open(out, "w").write("\n".join(o) + "\n")


if __name__ == "__main__":
    main()
