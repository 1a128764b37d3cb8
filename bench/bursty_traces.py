#!/usr/bin/env python3
"""Writes simulated traces of guests like the e2e testbed's bursty one (memcheck -b ON:OFF): a writer that
switches on and off on a fixed period, on small guests over slow links, where rounds last about as long
as a burst or a pause. A stress test for stopping rules: a round that falls inside a pause dirties almost
nothing, and which round does depends on the phase, not on anything the rounds before it show.

These are not part of the corpus (data/traces/). Each trace is `precopy simulate --workload bursty:...`
with the guest, link and burst shape drawn from the ranges the testbed's scenarios use (tests/e2e/
scenarios/), 30 rounds, 10 ms of set-up per round. Deterministic: the same arguments write the same files.

Usage: bench/bursty_traces.py OUTDIR [--count 60] [--precopy build/release/precopy]
Then:  build/precopy evaluate OUTDIR     (and with --loop stock)
"""
import os
import random
import sys

import stress_set


def main():
    args = stress_set.parse_args(__doc__)
    for seed in range(args.count):
        rng = random.Random(seed)
        memory = rng.choice(["128MiB", "160MiB", "256MiB"])
        link = rng.choice(["100Mbit", "150Mbit", "200Mbit"])
        workload = "bursty:rate={}MiB/s,on={},off={},wss={}MiB".format(
            rng.choice([4, 8, 12, 16, 24, 32]), rng.choice([1, 2, 3]), rng.choice([1, 2, 3, 4]),
            rng.choice([24, 32, 40, 48, 64, 96]))
        stress_set.simulate(args, os.path.join(args.outdir, f"bursty-{seed:02d}.csv"), memory, link, workload,
                            seed + 1, "bursty_traces.py")
    print(f"bursty_traces.py: wrote {args.count} traces to {args.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
