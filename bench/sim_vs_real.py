#!/usr/bin/env python3
"""How well does `precopy simulate` stand in for a real guest? For each real Xen trace whose workload
the simulator models (the testbed's writer, bursty, zipf, sweep and idle guests; gzip, sort and compile are
programs it does not), simulates the same guest (memory, link, write rate, working set, bursts, skew) over as many
rounds, with several seeds, and compares round by round and decision by decision:

  - the dirty count of rounds 1 to 6, simulated over real (median over seeds), per trace, and of rounds
    2 to 6 per workload kind (round 1 is the pass over all of memory);
  - where `predictive` and Xen's own policy stop, and J/J_oracle, on the real trace and on the
    simulated ones (w = 10, the patched loop).

The real guest runs more than its writer (a kernel, the downtime observer, the checker's own record of
each page), so its count never falls below a floor of pages dirtied in every round, however short; a
workload model alone falls towards zero. Each guest is simulated twice: with the workload alone, and
with `--floor-pages` set to the floor the real idle guests show (the median count of their rounds after
the first, measured here from the idle traces, not fitted to the others).

Usage: bench/sim_vs_real.py [--precopy build/precopy] [--seeds 5] [--floor-pages N] [--markdown] [TRACE ...]
  TRACE          real traces (default: data/traces/xen-*.csv recorded with "always continue")
  --floor-pages  the floor to simulate with (default: measured from the real idle traces given or in
                 data/traces/)
Exit status: 0, or 2 on bad input (no trace the simulator models).
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile

from trace_file import header_fields, rounds_of

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINKS = {"100m": "100Mbit", "150m": "150Mbit", "200m": "200Mbit", "1g": "1Gbit"}


def fail(code, msg):
    print(f"sim_vs_real.py: {msg}", file=sys.stderr)
    sys.exit(code)


def sim_workload(spec):
    """The simulator's workload for the testbed's SPEC, or None where it has no model of it."""
    kind, *args = spec.split(":")
    try:
        if kind == "writer":
            rate, wss = args[0], args[1] if len(args) > 1 else "64"
            return "writer", f"constant:rate={rate}MiB/s,wss={wss}MiB"
        if kind == "bursty":
            rate, on, off = args[0], args[1], args[2]
            wss = args[3] if len(args) > 3 else "64"
            return "bursty", f"bursty:rate={rate}MiB/s,on={on},off={off},wss={wss}MiB"
        if kind == "zipf":
            rate = args[0]
            wss = args[1] if len(args) > 1 else "64"
            s = args[2] if len(args) > 2 else "1"
            return "zipf", f"zipf:rate={rate}MiB/s,s={s},wss={wss}MiB"
        if kind == "sweep":
            # The sweep is the simulator's allocation stream over an arena of the region's size, wrapping
            # round, with no working set of its own beside it.
            rate = args[0]
            wss = args[1] if len(args) > 1 else "64"
            return "sweep", f"alloc:rate={rate}MiB/s,arena={wss}MiB,hot=0,hot_rate=0"
        if kind == "idle":
            return "idle", "idle"
    except IndexError:
        return None
    return None


def idle_floor(paths):
    """The median dirty count of the real idle guests' rounds after the first, or None without one."""
    counts = []
    for path in paths:
        h = header_fields(path)
        if h.get("source") == "xen" and h.get("workload") == "idle":
            counts.extend(d for d, _ in rounds_of(path)[1:])
    return round(statistics.median(counts)) if counts else None


def replay(precopy, path):
    """{policy: (live rounds, J/oracle)} for predictive and xen, patched loop."""
    out = subprocess.run([precopy, "replay", "--json", "-p", "oracle", "-p", "predictive", "-p", "xen", path],
                         capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {r["policy"]: (r["live_rounds"], r["objective_over_oracle"]) for r in rows if r["policy"] != "oracle"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("traces", nargs="*")
    ap.add_argument("--precopy", default=os.path.join(ROOT, "build", "precopy"))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--floor-pages", type=int)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if args.seeds < 1:
        fail(2, "--seeds must be at least 1")
    if not os.access(args.precopy, os.X_OK):
        fail(2, f"{args.precopy}: not an executable (build it: scripts/quickstart.sh, or pass --precopy)")
    corpus = sorted(glob.glob(os.path.join(ROOT, "data", "traces", "xen-*.csv")))
    traces = args.traces or corpus
    floor = args.floor_pages
    if floor is None:
        floor = idle_floor(traces) or idle_floor(corpus)
    if floor is None or floor < 0:
        fail(2, "no floor: pass --floor-pages N (no real idle trace to measure it from)")
    cases = []
    for path in traces:
        h = header_fields(path)
        if h.get("policy", "continue") != "continue" or h.get("source") != "xen":
            continue
        model = sim_workload(h.get("workload", ""))
        link = LINKS.get(h.get("link", ""))
        if model is None or link is None or "memory_pages" not in h:
            continue
        cases.append((path, h, model, link))
    if not cases:
        fail(2, "no real trace of a workload the simulator models (writer, bursty, zipf, sweep, idle)")

    ratios = {0: {}, floor: {}}  # floor -> kind -> [sim/real of rounds 2..6]
    outcomes = {}  # kind -> [(real predictive, sim predictive, real xen, sim xen) J/oracle], with the floor
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (path, h, (kind, workload), link) in enumerate(cases, 1):
            print(f"sim_vs_real.py: [{n}/{len(cases)}] {os.path.basename(path)}", file=sys.stderr, flush=True)
            real = rounds_of(path)
            memory = int(h["memory_pages"]) * int(h.get("page_size", 4096))
            for with_floor in sorted(ratios):
                sims, decisions = [], []
                for seed in range(1, args.seeds + 1):
                    out = os.path.join(tmp, f"s{seed}.csv")
                    subprocess.run([args.precopy, "simulate", "--memory", f"{memory}B", "--bandwidth", link,
                                    "--workload", workload, "--rounds", str(len(real)), "--seed", str(seed),
                                    "--floor-pages", str(min(with_floor, int(h["memory_pages"]))), "-o", out],
                                   check=True, capture_output=True)
                    sims.append(rounds_of(out))
                    decisions.append(replay(args.precopy, out))
                per_round = []  # rounds 1..6 (index 0..5); the summary leaves out round 1, all of memory
                for k in range(0, min(6, len(real))):
                    sim_counts = [s[k][0] if len(s) > k else 0 for s in sims]
                    per_round.append(statistics.median(sim_counts) / real[k][0] if real[k][0] > 0 else None)
                ratios[with_floor].setdefault(kind, []).extend(r for r in per_round[1:] if r is not None)
                if with_floor != floor:
                    continue
                real_dec = replay(args.precopy, path)
                sim_pred = statistics.median(d["predictive"][1] for d in decisions)
                sim_xen = statistics.median(d["xen"][1] for d in decisions)
                sim_rounds = statistics.median(d["predictive"][0] for d in decisions)
                outcomes.setdefault(kind, []).append((real_dec["predictive"][1], sim_pred, real_dec["xen"][1], sim_xen))
                lines.append([os.path.basename(path), h["workload"],
                              " ".join("-" if r is None else f"{r:.2f}" for r in per_round),
                              f"{real_dec['predictive'][0]} / {sim_rounds:g}",
                              f"{real_dec['predictive'][1]:.3f} / {sim_pred:.3f}",
                              f"{real_dec['xen'][1]:.3f} / {sim_xen:.3f}"])

    head = ["trace", "workload", "rounds 1-6: simulated / real count", "predictive stops: real / sim",
            "predictive J/oracle: real / sim", "xen J/oracle: real / sim"]
    summary_head = ["workload", "traces", "rounds compared", "median sim/real, workload alone",
                    "middle half", f"median sim/real, floor of {floor} pages", "middle half",
                    "J/oracle median, real / sim: predictive", "xen"]
    summary = []
    for kind in sorted(ratios[floor]):
        row = [kind, str(sum(1 for c in cases if c[2][0] == kind)), str(len(ratios[floor][kind]))]
        for with_floor in (0, floor):
            r = sorted(ratios[with_floor].get(kind, []))
            row += [f"{statistics.median(r):.2f}", f"{r[len(r) // 4]:.2f} .. {r[(3 * len(r)) // 4]:.2f}"] if r else ["-", "-"]
        o = outcomes[kind]
        for i in (0, 2):
            row.append(f"{statistics.median(x[i] for x in o):.4f} / {statistics.median(x[i + 1] for x in o):.4f}")
        summary.append(row)
    for title, h, rows in ((f"Per trace, simulated with a floor of {floor} pages a round", head, lines),
                           ("Per workload: simulated over real dirty count, rounds 2 to 6", summary_head, summary)):
        print(f"{title} ({args.seeds} seeds per simulated guest):\n")
        if args.markdown:
            print("| " + " | ".join(h) + " |")
            print("|" + "---|" * len(h))
            for row in rows:
                print("| " + " | ".join(row) + " |")
        else:
            widths = [max(len(x) for x in col) for col in zip(h, *rows)]
            for row in [h] + rows:
                print("  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip())
        print()


if __name__ == "__main__":
    main()
