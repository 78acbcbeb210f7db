#!/usr/bin/env python3
"""Instructions on the hot path of an mma.sync kernel's k-loop, from its SASS.

Usage: hot-path.py CUBIN ENTRY... [-v]   (cuobjdump on PATH; the cubin of
`cargo xtask ptx --check`, target/ptx/kernels_sm_90a.cubin)

The k-loop is the shortest backward branch that encloses at least 64 HMMAs. Its hot path is
the shortest path from the loop head to that branch that issues exactly one k-tile's plain
cp.async (16 for 128x128, 12 for 128x256) and passes no cold code: zero-fill or synchronous
edge copies, the tile switch's division, spills. -v prints the path without HMMA/LDSM."""
import collections, re, subprocess, sys

COLD = ('LDG.E.U16', 'MUFU', 'I2F', 'STS.128', 'ZFILL', 'EXIT', 'STL', 'LDL')


def sass(cubin, entry):
    out = subprocess.run(['cuobjdump', '-sass', '-fun', entry, cubin],
                         capture_output=True, text=True, check=True).stdout
    return [(int(m.group(1), 16), m.group(2).strip())
            for m in (re.match(r'\s+/\*([0-9a-f]{4,})\*/\s+(.*?);', l) for l in out.split('\n')) if m]


def k_loop(ins):
    at = {a: i for i, (a, _) in enumerate(ins)}
    best = None
    for i, (a, t) in enumerate(ins):
        m = re.search(r'BRA (0x[0-9a-f]+)', t)
        if m and int(m.group(1), 16) < a and int(m.group(1), 16) in at:
            j = at[int(m.group(1), 16)]
            if sum('HMMA' in x for _, x in ins[j:i + 1]) >= 64 and (best is None or i - j < best[1] - best[0]):
                best = (j, i)
    return best


def is_copy(t):
    op = t.split()[1] if t.startswith('@') else t.split()[0]
    return op.startswith('LDGSTS')


def hot_path(ins, copies):
    j, e = k_loop(ins)
    at = {a: i for i, (a, _) in enumerate(ins)}
    best = [None] * (e + 2)  # best[i][c]: (length, next) of the shortest way on with c copies
    best[e + 1] = {0: (0, None)}
    for i in range(e, j - 1, -1):
        t = ins[i][1]
        m = re.search(r'BRA (0x[0-9a-f]+)', t)
        succ = [i + 1]
        if i == e:
            succ = [e + 1]
        elif m:
            target = at.get(int(m.group(1), 16))
            succ = ([i + 1] if t.startswith('@') else []) + ([target] if target and i < target <= e else [])
            succ = succ or [i + 1]
        if any(c in t for c in COLD) and not t.startswith('@!PT'):
            best[i] = {}
            continue
        g = is_copy(t)
        d = {}
        for s in succ:
            for c, (length, _) in (best[s] or {}).items():
                if c + g <= copies and (c + g not in d or length + 1 < d[c + g][0]):
                    d[c + g] = (length + 1, s)
        best[i] = d
    path, i, c = [], j, copies
    while i is not None and i <= e:
        t = ins[i][1]
        path.append(t)
        i, c = best[i][c][1], c - is_copy(t)
    return [t for t in path if not t.startswith('@!PT')]  # never-executed padding


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '-v']
    for entry in args[1:]:
        path = hot_path(sass(args[0], entry), 16 if '128x128' in entry else 12)
        ops = collections.Counter(re.sub(r'^@!?U?P\w+\s+', '', t).split()[0] for t in path)
        uniform = sum(n for op, n in ops.items() if op.startswith('U'))
        print(f'{entry}: {len(path)} instructions per k-tile and warp ({uniform} uniform)')
        if '-v' in sys.argv:
            print('\n'.join(t for t in path if 'HMMA' not in t and 'LDSM' not in t))
