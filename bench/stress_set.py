"""What the simulated stress-set writers (bench/bursty_traces.py, bench/step_traces.py) share: their
command line and the `precopy simulate` run that writes each trace."""
import argparse
import os
import subprocess
import sys


def parse_args(doc):
    """OUTDIR, --count, --precopy, --curve and --curve-rounds, checked; the directory is created."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
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
    return args


def simulate(args, path, memory, link, workload, seed, writer):
    """Writes one trace: 30 rounds, 10 ms of set-up per round; exits naming `writer` if simulate fails."""
    result = subprocess.run([args.precopy, "simulate", "--memory", memory, "--bandwidth", link,
                             "--workload", workload, "--seed", str(seed), "--rounds", "30",
                             "--round-overhead", "10ms", "--curve", str(args.curve),
                             "--curve-rounds", str(args.curve_rounds), "--output", path],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{writer}: precopy simulate failed for {workload}: {result.stderr.strip()}")
