#!/usr/bin/env python3
"""Compares `predictive` at another commit with the working tree's (or a second commit's), trace by trace,
on the corpus and the stress sets: the before/after behind the "before -> now" figures in
docs/predictive.md and the stop notes.

For each set and save loop (patched, stock) it replays both builds with `precopy replay --json` and
prints: how many traces changed; the geometric mean, median and worst of J/J_oracle (w = 10); traces
more than 2% worse than Xen; the plateau twins' median and count more than 2% worse than Xen (from
`precopy evaluate`); with downtime budgets of 100, 300 and 1000 ms, the (trace, budget) cases met where
the oracle meets them and J/J_oracle where no round meets them; and the traces that changed most.
Only traces recorded with "always continue" count (as in `precopy evaluate`).

Usage: bench/compare.py BASE_REV [PATH ...] [--against REV] [--build-dir build/release] [--top 8]
  BASE_REV   a commit (its precopy is built in build/compare/<commit>, a git worktree, once)
  PATH       trace directories, each a set, and trace files, together one set (default: data/traces,
             and the bursty, jitter and step stress sets that bench/bursty_traces.py,
             bench/jittery_traces.py --noise 0.3 and bench/step_traces.py write)
  --against  compare with this commit instead of the working tree

Example: bench/compare.py f561d10 --against 7afd50c data/traces/xen-v*.csv   (why 7afd50c was reverted)
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUDGETS_MS = (100, 300, 1000)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, cwd=ROOT, **kw).stdout


def log(msg):
    print(f"compare.py: {msg}", file=sys.stderr, flush=True)


def build(source_dir, build_dir):
    """Configures (Release, no tests) and builds the precopy CLI; returns the binary's path."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        run(["cmake", "-S", source_dir, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release", "-DPRECOPY_BUILD_TESTS=OFF"])
    run(["cmake", "--build", build_dir, "-j", str(os.cpu_count() or 2), "--target", "precopy_cli"])
    return os.path.join(build_dir, "precopy")


def base_binary(rev):
    commit = run(["git", "rev-parse", "--verify", rev + "^{commit}"]).strip()
    tree = os.path.join(ROOT, "build", "compare", commit[:12])
    if not os.path.isdir(tree):
        log(f"checking out {rev} ({commit[:12]}) in {tree}")
        run(["git", "worktree", "add", "--detach", tree, commit])
    log(f"building {rev} in {tree}/build")
    return build(tree, os.path.join(tree, "build"))


def counterfactual(path):
    """Whether the trace was recorded with "always continue" (header policy= absent or continue)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            for field in line[1:].split(";"):
                key, _, value = field.strip().partition("=")
                if key == "policy" and value != "continue":
                    return False
    return True


def traces_in(directory):
    files = sorted(os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(".csv"))
    return [f for f in files if counterfactual(f)]


def replay(binary, files, loop, budget_ms=None, policies=("predictive", "xen")):
    cmd = [binary, "replay", "--json", "--loop", loop]
    for p in policies:
        cmd += ["-p", p]
    if budget_ms:
        cmd += ["--downtime-budget-ms", str(budget_ms)]
    out = {}
    for line in run(cmd + files).splitlines():
        o = json.loads(line)
        out.setdefault(o["trace"], {})[o["policy"]] = o
    return out


def oracle(binary, files, budget_ms=None):
    cmd = [binary, "replay", "--json", "-p", "oracle"]
    if budget_ms:
        cmd += ["--downtime-budget-ms", str(budget_ms)]
    return {json.loads(l)["trace"]: json.loads(l) for l in run(cmd + files).splitlines()}


def twins(binary, files, loop):
    """(median J/oracle over the plateau twins, twins more than 2% worse than Xen), from evaluate."""
    out = run([binary, "evaluate", "--loop", loop] + files)
    section = out[out.index("== The online floor"):]
    for line in section.splitlines():
        cols = line.split()
        if cols and cols[0] == "predictive":
            return float(cols[3]), int(cols[4])
    raise RuntimeError("no predictive line in evaluate's online floor table")


def summary(ratios, worse_than_xen):
    logs = [math.log(r) for r in ratios]
    return {"gmean": math.exp(sum(logs) / len(logs)), "median": statistics.median(ratios),
            "worst": max(ratios), "over_xen": worse_than_xen}


def measure(binary, files, loop):
    runs = replay(binary, files, loop)
    ratios = {t: v["predictive"]["objective_over_oracle"] for t, v in runs.items()}
    over = sum(1 for v in runs.values() if v["predictive"]["objective"] > 1.02 * v["xen"]["objective"])
    result = summary(list(ratios.values()), over)
    result["ratios"] = ratios
    result["twins_median"], result["twins_over_xen"] = twins(binary, files, loop)
    met, cases, nofit = 0, 0, []
    for budget in BUDGETS_MS:
        best = oracle(binary, files, budget)
        got = replay(binary, files, loop, budget, policies=("predictive",))
        for t, o in best.items():
            p = got[t]["predictive"]
            if o["downtime_s"] <= budget / 1000 + 1e-12:
                cases += 1
                met += p["downtime_s"] <= budget / 1000 + 1e-12
            else:
                nofit.append(p["objective_over_oracle"])
    result["budgets"] = f"{met} of {cases}"
    result["nofit"] = f"{statistics.median(nofit):.4f} / {max(nofit):.4f}" if nofit else "-"
    return result


def stress_sets(binary, scratch):
    bursty = os.path.join(scratch, "bursty")
    jitter = os.path.join(scratch, "jitter")
    step = os.path.join(scratch, "step")
    run([sys.executable, "bench/bursty_traces.py", bursty, "--precopy", binary])
    run([sys.executable, "bench/jittery_traces.py", jitter, "--noise", "0.3"])
    try:
        run([sys.executable, "bench/step_traces.py", step, "--precopy", binary])
    except subprocess.CalledProcessError:  # a build from before the simulator's step workload
        log("the step stress set needs a precopy with the simulator's step workload; skipped")
        return [bursty, jitter]
    return [bursty, jitter, step]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the commit to compare against")
    parser.add_argument("paths", nargs="*", help="trace directories and files (default: the corpus and the stress sets)")
    parser.add_argument("--against", help="compare with this commit instead of the working tree")
    parser.add_argument("--build-dir", default="build/release", help="where the working tree is built")
    parser.add_argument("--top", type=int, default=8, help="how many of the most changed traces to list")
    args = parser.parse_intermixed_args()
    for p in args.paths:
        if not os.path.exists(p):
            parser.error(f"{p}: no such file or directory")
    old = base_binary(args.base)
    if args.against:
        new = base_binary(args.against)
    else:
        log(f"building the working tree in {args.build_dir}")
        new = build(ROOT, os.path.join(ROOT, args.build_dir))
    with tempfile.TemporaryDirectory() as scratch:
        sets = [(os.path.relpath(os.path.abspath(d), ROOT), traces_in(d)) for d in args.paths if os.path.isdir(d)]
        loose = [os.path.abspath(f) for f in args.paths if not os.path.isdir(f) and counterfactual(f)]
        if loose:
            sets.append((f"{len(loose)} files", loose))
        if not args.paths:
            defaults = [os.path.join(ROOT, "data", "traces")] + stress_sets(new, scratch)
            sets = [(os.path.relpath(d, ROOT) if d.startswith(ROOT) else os.path.basename(d), traces_in(d))
                    for d in defaults]
        print(f"# predictive at {args.base} (before) against {args.against or 'the working tree'} (now)\n")
        for name, files in sets:
            if not files:
                log(f"{name}: no trace recorded with 'always continue'; skipped")
                continue
            for loop in ("patched", "stock"):
                log(f"{name}, {loop} loop: {len(files)} traces")
                a, b = measure(old, files, loop), measure(new, files, loop)
                changed = sorted((b["ratios"][t] / a["ratios"][t], t) for t in a["ratios"]
                                 if abs(b["ratios"][t] - a["ratios"][t]) > 1e-9)
                print(f"## {name}, {loop} loop: {len(files)} traces, {len(changed)} changed without a budget\n")
                print("| measure | before | now |\n|---|---|---|")
                for key, label in (("gmean", "geometric mean J/oracle"), ("median", "median J/oracle"),
                                   ("worst", "worst J/oracle"), ("twins_median", "plateau twins: median J/oracle")):
                    print(f"| {label} | {a[key]:.4f} | {b[key]:.4f} |")
                for key, label in (("over_xen", "traces >2% worse J than xen"),
                                   ("twins_over_xen", "plateau twins >2% worse J than xen"),
                                   ("budgets", "budgets met where the oracle meets them (100/300/1000 ms)"),
                                   ("nofit", "no round fits the budget: median / worst J/oracle")):
                    print(f"| {label} | {a[key]} | {b[key]} |")
                if changed:
                    shown = changed[-args.top:][::-1] + [c for c in changed[:args.top] if c not in changed[-args.top:]]
                    print("\nMost changed (J/oracle before -> now):\n")
                    for _, t in shown:
                        print(f"- {os.path.basename(t)}: {a['ratios'][t]:.4f} -> {b['ratios'][t]:.4f}")
                print()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        sys.exit(f"compare.py: {' '.join(e.cmd[:3])} ... failed (exit {e.returncode}):\n{e.stderr.strip()}")
    except RuntimeError as e:
        sys.exit(f"compare.py: {e}")
