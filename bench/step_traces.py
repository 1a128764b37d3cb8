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
import argparse
import os
import random
import subprocess
import sys

RATES = [0, 0.1, 0.3, 0.6, 0.9, 1.3, 2]  # multiples of the link's page rate
MEMORY_MIB = [128, 256, 512, 1024, 2048]
LINK_MBIT = [100, 200, 1000, 10000]


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
        memory, link = rng.choice(MEMORY_MIB), rng.choice(LINK_MBIT)
        before = rng.choice(RATES)
        after = rng.choice([r for r in RATES if r != before])
        round_one_s = memory * 1048576 * 8 / (link * 1e6)
        workload = "step:rate={}x,after={:.3f},rate2={}x,wss={}%".format(
            before, rng.uniform(1 / 3, 3) * round_one_s, after, rng.choice([25, 50, 75]))
        path = os.path.join(args.outdir, f"step-{seed:02d}.csv")
        result = subprocess.run([args.precopy, "simulate", "--memory", f"{memory}MiB", "--bandwidth",
                                 f"{link}Mbit", "--workload", workload, "--seed", str(seed + 1), "--rounds",
                                 "30", "--round-overhead", "10ms", "--curve", str(args.curve),
                                 "--curve-rounds", str(args.curve_rounds), "--output", path],
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"step_traces.py: precopy simulate failed for {workload}: {result.stderr.strip()}")
    print(f"step_traces.py: wrote {args.count} traces to {args.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
