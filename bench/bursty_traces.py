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
import argparse
import os
import random
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--count", type=int, default=60, help="how many traces")
    parser.add_argument("--precopy", default="build/release/precopy", help="the precopy binary")
    parser.add_argument("--curve", type=int, default=0,
                        help="peeks per round (precopy simulate --curve; 0 = none, the default)")
    parser.add_argument("--curve-rounds", type=int, default=1,
                        help="how many leading rounds get peeks (precopy simulate --curve-rounds)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    if not 0 <= args.curve <= 32 or args.curve_rounds < 1:
        parser.error("--curve must be 0 to 32 and --curve-rounds at least 1")
    if not os.access(args.precopy, os.X_OK):
        parser.error(f"no precopy binary at {args.precopy} (build first, or pass --precopy)")
    os.makedirs(args.outdir, exist_ok=True)
    for seed in range(args.count):
        rng = random.Random(seed)
        memory = rng.choice(["128MiB", "160MiB", "256MiB"])
        link = rng.choice(["100Mbit", "150Mbit", "200Mbit"])
        workload = "bursty:rate={}MiB/s,on={},off={},wss={}MiB".format(
            rng.choice([4, 8, 12, 16, 24, 32]), rng.choice([1, 2, 3]), rng.choice([1, 2, 3, 4]),
            rng.choice([24, 32, 40, 48, 64, 96]))
        path = os.path.join(args.outdir, f"bursty-{seed:02d}.csv")
        result = subprocess.run([args.precopy, "simulate", "--memory", memory, "--bandwidth", link,
                                 "--workload", workload, "--seed", str(seed + 1), "--rounds", "30",
                                 "--round-overhead", "10ms", "--curve", str(args.curve),
                                 "--curve-rounds", str(args.curve_rounds), "--output", path],
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"bursty_traces.py: precopy simulate failed for {workload}: {result.stderr.strip()}")
    print(f"bursty_traces.py: wrote {args.count} traces to {args.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
