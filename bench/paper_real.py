#!/usr/bin/env python3
"""The seed paper's comparison on real Xen: the tables of docs/paper-reproduction.md's "On real Xen" part.

tests/e2e/scenarios/paper.conf records 512 MiB and 1 GiB guests over 100 Mbit/s under "always continue"
(data/traces/xen-l*.csv) and migrates the busy ones live once under each policy of the paper's comparison.
This script prints:

  1. exact replay of the recorded traces (`precopy replay --json`): per guest, each policy's live rounds,
     total time, downtime, bytes and J/J_oracle, and the paper's Table 1 (`paper`) against the loop it was
     measured against (`xen-legacy`) beside the paper's own -17% / -14%;
  2. with --live, the live migrations of an e2e run (build/e2e-out/paper/results.json, and paper2's:
     the bursty guests live, tests/e2e/scenarios/paper2.conf): what `xl migrate` took and what the guest
     saw, per guest and policy (single runs: the workload differs run to run); where a guest ran under a
     policy more than once across the --live files (paper3.conf and paper3-live.conf), the median of its runs.

Usage: bench/paper_real.py [--markdown] [--loop patched|stock] [--precopy BIN] [--live RESULTS_JSON ...]
                           [TRACE ...]
  TRACE      trace files (default: data/traces/xen-l*.csv, and the xen-o*.csv compiling guests of 512 MiB
             or 1 GiB over 100 Mbit/s: tests/e2e/scenarios/paper3.conf)
  --loop     the save loop replayed (default patched: the paper changed Xen's loop to decide after each
             round's bitmap; stock: libxenguest's call A / call B, as the preload's live runs decide)
Exit status: 0 success, 1 a replay failed, 2 bad input (no traces, unreadable results).
"""
import argparse
import glob
import json
import os
import subprocess
import sys

from trace_file import header_fields

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICIES = ("xen-legacy", "paper", "xen", "predictive", "oracle")
# What the paper reports for its kernel compile (section 4): migration time against Xen's loop.
PAPER_TIME_CHANGE = {512: "-17%", 1024: "-14%"}


def fail(code, msg):
    print(f"paper_real.py: {msg}", file=sys.stderr)
    sys.exit(code)


def setup_of(path):
    """(MiB of memory, workload) from the trace's header."""
    h = header_fields(path)
    try:
        mib = int(h["memory_pages"]) * int(h.get("page_size", 4096)) // (1 << 20)
    except (KeyError, ValueError):
        fail(2, f"{path}: no memory_pages in the header")
    return mib, h.get("workload", "?")


def default_traces():
    """paper.conf's recordings (xen-l*), then the compiling guests of the paper's sizes over its link
    (xen-o*: paper3.conf, holdout15.conf): the paper's own workload."""
    traces = os.path.join(ROOT, "data", "traces")
    chosen = sorted(glob.glob(os.path.join(traces, "xen-l*.csv")))
    for path in sorted(glob.glob(os.path.join(traces, "xen-o*.csv"))):
        mib, workload = setup_of(path)
        if mib in PAPER_TIME_CHANGE and workload.startswith("compile") and header_fields(path).get("link") == "100m":
            chosen.append(path)
    return chosen


def replay(precopy, path, loop):
    cmd = [precopy, "replay", "--json", "--loop", "both"] + [a for p in POLICIES for a in ("-p", p)] + [path]
    out = subprocess.run(cmd, text=True, capture_output=True)
    if out.returncode != 0:
        fail(1, f"{' '.join(cmd)} failed: {out.stderr.strip()}")
    rows = {}
    for line in out.stdout.splitlines():
        r = json.loads(line)
        if r["policy"] == "oracle" or r["loop"] == loop:  # the oracle is the same in both loops
            rows[r["policy"]] = r
    return rows


def table(markdown, head, rows):
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        for r in [head] + rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print()


def change(new, base):
    return f"{100 * (new / base - 1):+.1f}%" if base > 0 else "-"


def traces_part(args, traces):
    rows, summary = [], []
    for path in sorted(traces, key=lambda p: (setup_of(p), p)):
        mib, workload = setup_of(path)
        r = replay(args.precopy, path, args.loop)
        name = os.path.basename(path)
        for p in POLICIES:
            x = r[p]
            rows.append([name if p == POLICIES[0] else "", p, str(x["live_rounds"]), f"{x['total_time_s']:.1f}",
                         f"{x['downtime_s']:.3f}", f"{x['bytes_sent'] / 2**20:.0f}", f"{x['objective_over_oracle']:.3f}"])
        legacy, paper, pred = r["xen-legacy"], r["paper"], r["predictive"]
        busy = not workload.startswith("idle")
        summary.append([f"{mib} MiB {workload}", change(paper["total_time_s"], legacy["total_time_s"]),
                        PAPER_TIME_CHANGE.get(mib, "-") if busy else "~0%",
                        f"{legacy['downtime_s']:.3f} / {paper['downtime_s']:.3f}",
                        change(pred["total_time_s"], legacy["total_time_s"]),
                        f"{pred['downtime_s']:.3f}",
                        f"{paper['objective_over_oracle']:.3f} / {legacy['objective_over_oracle']:.3f} / "
                        f"{r['xen']['objective_over_oracle']:.3f} / {pred['objective_over_oracle']:.3f}"])
    print(f"Exact replay of the recorded rounds ({args.loop} loop; J = total time + 10 x downtime):\n")
    table(args.markdown, ["trace", "policy", "live rounds", "total s", "downtime s", "MiB sent", "J/oracle"], rows)
    print("The paper's comparison on these guests (time change against xen-legacy):\n")
    table(args.markdown, ["setup", "paper: time", "paper reports", "downtime s, legacy / paper",
                          "predictive: time", "predictive: downtime s", "J/oracle: paper / legacy / xen / predictive"],
          summary)


def live_part(args, path, runs):
    """Prints one e2e run's migrations; adds each policy's (total s, downtime ms, J) to runs, keyed by
    (guest, workload, policy), recordings left out."""
    try:
        with open(path) as f:
            results = json.load(f)
    except (OSError, ValueError) as e:
        fail(2, f"{path}: {e}")
    rows, fixed_ms = [], []
    for m in results.get("migrations", []):
        if m.get("status") != "ran":
            continue
        policy = m.get("policy") if m.get("policy") not in (None, "", "-") else "xen (stock Xen's own)"
        if m.get("record") == "1":
            policy += " (recording)"
        # The pause beyond the link's time for the pages sent after the suspension: the fixed part of a
        # stop (suspend, device state, restore), which the replay's downtime leaves out.
        rate, pages, downtime = int(m.get("rate") or 0), m.get("stop_copy_pages"), m.get("downtime_ms")
        beyond = "-"
        if rate > 0 and pages is not None and downtime is not None:
            fixed_ms.append(downtime - 1000.0 * pages * 4096 / rate)
            beyond = f"{fixed_ms[-1]:.0f}"
        if downtime is not None and m.get("record") != "1":
            runs.setdefault((m["guest"], m.get("workload", "?"), policy), []).append(
                (m.get("total_s", 0), downtime, m["total_s"] + 10 * downtime / 1000))
        rows.append([m["guest"], m.get("workload", "?"), m["integration"], policy, str(m.get("live_rounds", "?")),
                     f"{m.get('total_s', 0):.1f}", f"{downtime if downtime is not None else float('nan'):.0f}",
                     str(pages if pages is not None else "?"), beyond,
                     f"{m['total_s'] + 10 * downtime / 1000:.1f}" if downtime is not None else "-",
                     f"{m.get('bytes', 0) / 1e6:.0f}",
                     "yes" if m.get("ok") else "NO"])
    if not rows:
        fail(2, f"{path}: no migration ran")
    print(f"Live `xl migrate` runs ({results.get('scenario', '?')}; downtime as the guest saw it):\n")
    table(args.markdown, ["guest", "workload", "integration", "policy", "live rounds", "total s", "downtime ms",
                          "pages at stop", "ms beyond the link", "J (w = 10)", "MB sent", "ok"], rows)
    if fixed_ms:
        fixed_ms.sort()
        n = len(fixed_ms)
        median = (fixed_ms[(n - 1) // 2] + fixed_ms[n // 2]) / 2
        print(f"The pause beyond the link's time for the stop-and-copy pages: {fixed_ms[0] / 1000:.2f} to "
              f"{fixed_ms[-1] / 1000:.2f} s, median {median / 1000:.2f} s, over {n} migrations.\n")


def median(xs):
    xs = sorted(xs)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2


def repeats_part(args, runs):
    """Where a guest ran under a policy more than once (across the --live files): the median of its runs,
    since single runs scatter with the moment each migration catches the guest in."""
    if not any(len(v) > 1 for v in runs.values()):
        return
    rows = []
    for (guest, workload, policy), v in runs.items():
        if len(v) < 2:
            continue
        rows.append([guest, workload, policy, str(len(v)), f"{median([r[0] for r in v]):.1f}",
                     f"{median([r[1] for r in v]):.0f}", f"{median([r[2] for r in v]):.1f}",
                     f"{min(r[2] for r in v):.1f} .. {max(r[2] for r in v):.1f}"])
    print("Repeated live runs, the median per guest and policy:\n")
    table(args.markdown, ["guest", "workload", "policy", "runs", "total s", "downtime ms", "J (w = 10)",
                          "J, lowest .. highest"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("traces", nargs="*")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--loop", choices=("patched", "stock"), default="patched")
    ap.add_argument("--precopy", default=os.environ.get("PRECOPY", os.path.join(ROOT, "build", "precopy")))
    ap.add_argument("--live", action="append", default=[], help="an e2e run's results.json (repeatable)")
    args = ap.parse_args()
    traces = args.traces or default_traces()
    if not traces:
        fail(2, "no traces (record them: tests/e2e/run.sh --record tests/e2e/scenarios/paper.conf)")
    if not os.access(args.precopy, os.X_OK):
        fail(2, f"no precopy binary at {args.precopy} (build first, or --precopy BIN)")
    traces_part(args, traces)
    runs = {}
    for path in args.live:
        live_part(args, path, runs)
    repeats_part(args, runs)


if __name__ == "__main__":
    main()
