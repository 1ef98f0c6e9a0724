#!/usr/bin/env python3
"""A lower bound on the bytes per value any lossless store needs for the arena's data.

usage: docs/size-bound.py FILE.lp [LINES]   (FILE from `./x bench shard`: devops-1m.lp or
telegraf-1m.lp in ~/.cache/cairn-bench-data; LINES to read, default 400000)

The arena (../shared/arena/src/main.rs) draws every value from the previous one of its
series with a random step; what a codec cannot predict is the step. Per value, the bound
is the entropy of the value given everything before it:
- cpu floats: v' = clamp(v + s, 0, 100) with s uniform over the multiples of 2^-52 in
  [-1, 1): v' is uniform over the doubles in [v-1, v+1] (about 2^47-2^49 of them, by the
  binade of v), plus the clamp's point masses at 0 and 100;
- mem `used`: a uniform integer step over 20,000,000 values: log2(2e7) bits;
- net `bytes_sent` / `bytes_recv`: uniform increments over 100,000 / 400,000 values;
- everything else (`free`, `used_percent` follow from `used`; `total`, `n_cpus`, `err_*`
  are constant; `uptime_format` follows from the time; `healthy` and `load1` are counted
  as free, which only lowers the bound); timestamps are regular: 0 bits.
Nothing here counts series keys, block headers or file overhead: a real store needs more.
"""
import math
import sys


def float_step_bits(v):
    """Entropy in bits of clamp(v + s, 0, 100), s uniform in [-1, 1) on a 2^-52 grid."""
    lo, hi = max(v - 1.0, 0.0), min(v + 1.0, 100.0)
    p0 = (1.0 - v) / 2.0 if v < 1.0 else 0.0
    p100 = (v - 99.0) / 2.0 if v > 99.0 else 0.0
    inside = 1.0 - p0 - p100
    doubles, x = 0.0, lo
    while x < hi:  # the doubles in [lo, hi], binade by binade
        if x == 0.0:
            x = 2.0**-1022
            continue
        top = min(hi, 2.0 ** math.frexp(x)[1])
        doubles += (top - x) / math.ulp(x)
        x = top
    bits = -sum(p * math.log2(p) for p in (p0, p100) if p > 0)
    if inside > 0 and doubles > 1:
        bits += inside * (math.log2(doubles) - math.log2(inside))
    return bits


INTEGER_STEP_BITS = {
    ("mem", "used"): math.log2(20_000_000),
    ("net", "bytes_sent"): math.log2(100_000),
    ("net", "bytes_recv"): math.log2(400_000),
}


def main():
    path, limit = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 400_000
    previous, bits, values = {}, 0.0, 0
    with open(path) as f:
        for i, line in enumerate(f):
            if i >= limit:
                break
            series, fields, _ = line.rsplit(" ", 2) if '"' not in line else (None, None, None)
            if series is None:  # system line: a quoted string with a space; all free
                values += 4
                continue
            measurement = series.split(",", 1)[0]
            for kv in fields.split(","):
                name, raw = kv.split("=", 1)
                values += 1
                key = (series, name)
                if measurement == "cpu":
                    v = float(raw)
                    if key in previous:
                        bits += float_step_bits(previous[key])
                    previous[key] = v
                elif (measurement, name) in INTEGER_STEP_BITS and key in previous:
                    bits += INTEGER_STEP_BITS[(measurement, name)]
                previous.setdefault(key, None)
    print(f"{path}: {values} values, at least {bits / 8 / values:.3f} bytes/value")


main()
