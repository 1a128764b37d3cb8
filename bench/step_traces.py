#!/usr/bin/env python3
"""Writes simulated traces of guests like the e2e testbed's step one (memcheck -p AFTER_S:RATE2): a writer
whose rate changes once during the migration, a job that ends or starts. A stress test for stopping
rules: the rounds before the step say nothing about the rounds after it, and the best stop depends on
which side of the step it falls.

These are not part of the corpus (data/traces/). Each trace is `precopy simulate --workload step:...`
with the rates drawn as multiples of the link's page rate (0 to 2x, before and after, so that half the
guests slow down and half speed up), the step from a third of round 1 to three times its length into
the migration, a working set of a quarter to three quarters of memory, 128 MiB to 2 GiB over 100 Mbit/s
to 10 Gbit/s, 30 rounds, 10 ms of set-up per round. Deterministic: the same arguments write the same files.

Usage: bench/step_traces.py OUTDIR [--count 60] [--precopy build/release/precopy]
Then:  build/precopy evaluate OUTDIR     (and with --loop stock-peek)
"""
import os
import random
import sys

import stress_set

RATES = [0, 0.1, 0.3, 0.6, 0.9, 1.3, 2]  # multiples of the link's page rate
MEMORY_MIB = [128, 256, 512, 1024, 2048]
LINK_MBIT = [100, 200, 1000, 10000]


def main():
    args = stress_set.parse_args(__doc__)
    for seed in range(args.count):
        rng = random.Random(seed)
        memory, link = rng.choice(MEMORY_MIB), rng.choice(LINK_MBIT)
        before = rng.choice(RATES)
        after = rng.choice([r for r in RATES if r != before])
        round_one_s = memory * 1048576 * 8 / (link * 1e6)
        workload = "step:rate={}x,after={:.3f},rate2={}x,wss={}%".format(
            before, rng.uniform(1 / 3, 3) * round_one_s, after, rng.choice([25, 50, 75]))
        stress_set.simulate(args, os.path.join(args.outdir, f"step-{seed:02d}.csv"), f"{memory}MiB",
                            f"{link}Mbit", workload, seed + 1, "step_traces.py")
    print(f"step_traces.py: wrote {args.count} traces to {args.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
