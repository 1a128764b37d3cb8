#!/usr/bin/env python3
"""Writes synthetic traces of guests whose dirty count jitters round to round around a level that never
falls: a stress test for stopping rules that read a rising count as a burst that will pass.

These are not part of the corpus (data/traces/): the counts are drawn independently each round,
uniform in [(1 - noise) x level, level], with no dirty curve behind them. Round k+1 sends round k's
count at the link's pace (+-5%). Deterministic: the same arguments write the same files.

Usage: bench/jittery_traces.py OUTDIR [--noise 0.3] [--count 40]
Then:  build/precopy evaluate --loop stock OUTDIR     (and without --loop for the patched loop)
"""
import argparse
import os
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--noise", type=float, default=0.3, help="spread of the counts below the level (0..1)")
    parser.add_argument("--count", type=int, default=40, help="how many traces")
    args = parser.parse_args()
    if not 0 <= args.noise <= 1:
        parser.error("--noise must be within 0..1")
    if args.count < 1:
        parser.error("--count must be at least 1")
    os.makedirs(args.outdir, exist_ok=True)
    for seed in range(args.count):
        rng = random.Random(seed)
        memory = rng.choice([32768, 262144, 1048576])  # 128 MiB, 1 GiB, 4 GiB of 4 KiB pages
        level = memory * rng.uniform(0.05, 0.5)
        seconds_per_page = 4096 / rng.choice([12.5e6, 125e6, 1.25e9])  # 100 Mbit/s .. 10 Gbit/s
        lines = ["# precopy-trace v1",
                 f"# memory_pages={memory}; page_size=4096; source=synthetic; workload=jitter:noise={args.noise}",
                 "round,dirty_pages,seconds,pages_sent"]
        sent = memory
        for k in range(1, 31):
            seconds = sent * seconds_per_page * rng.uniform(0.95, 1.05)
            dirty = int(level * rng.uniform(1 - args.noise, 1))
            lines.append(f"{k},{dirty},{seconds:.6f},{sent}")
            sent = dirty
        with open(os.path.join(args.outdir, f"jitter-{seed:02d}.csv"), "w") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
