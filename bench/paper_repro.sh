#!/usr/bin/env bash
# Reproduces the seed paper's evaluation (Kim & Kim, section 4) in simulation: 512 MiB and 1 GiB guests on
# a 100 Mbit/s link, idle and compiling a kernel, the paper's Table 1 policy (`paper`) against the Xen
# save loop it was measured against (`xen-legacy`, xc_domain_save of Xen 3.0.2-4.5). Each setup is
# simulated with several seeds; every trace is replayed under both policies with `precopy replay`.
# Prints mean migration time and downtime per policy and the paper's own figures beside them, then the
# same for kernel compiles of lower and higher write intensity (how the result depends on the workload).
# docs/paper-reproduction.md discusses the output.
#
# Usage: bench/paper_repro.sh [--markdown] [--seeds N] [PRECOPY_BINARY]
#        (binary default: $PRECOPY, else build/precopy; seeds default 20)
set -euo pipefail

markdown=0
seeds=20
precopy=
while (($#)); do
  case $1 in
    --markdown) markdown=1 ;;
    --seeds) seeds=$2; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) precopy=$1 ;;
  esac
  shift
done
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
precopy=${precopy:-${PRECOPY:-$root/build/precopy}}
if [[ ! -x $precopy ]]; then
  echo "paper_repro.sh: no precopy binary at $precopy (build first, or pass its path)" >&2
  exit 1
fi
if ! [[ $seeds =~ ^[1-9][0-9]*$ ]]; then
  echo "paper_repro.sh: --seeds needs a positive whole number" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The default kcompile model (make -j1 on a small guest; see docs/simulator.md), and the same compile with
# every rate scaled: `scaled_kcompile 2` writes twice as fast.
scaled_kcompile() {
  awk -v f="$1" 'BEGIN { printf "kcompile:compute_rate=%g,io_rate=%g,alloc_rate=%g,background=%g", 1500*f, 1500*f, 200*f, 20*f }'
}

# simulate LABEL MEMORY WORKLOAD: writes $seeds traces and replays them; appends JSON lines to LABEL.json.
simulate_setup() {
  local label=$1 memory=$2 workload=$3 seed
  mkdir -p "$work/$label"
  for ((seed = 1; seed <= seeds; seed++)); do
    "$precopy" simulate --memory "$memory" --bandwidth 100Mbit --workload "$workload" --seed "$seed" \
      --rounds 30 --output "$work/$label/seed-$seed.csv"
  done
  "$precopy" replay --json --policy xen-legacy --policy paper "$work/$label" >"$work/$label.json"
}

# summarize LABEL PAPER_TIME PAPER_DOWNTIME: one table row per setup from the replay's JSON lines.
summarize() {
  local label=$1 paper_time=$2 paper_downtime=$3
  awk -v label="$label" -v paper_time="$paper_time" -v paper_downtime="$paper_downtime" -v md="$markdown" '
    function field(line, key,    start, rest) {
      if (!match(line, "\"" key "\":")) return ""
      rest = substr(line, RSTART + RLENGTH)
      if (substr(rest, 1, 1) == "\"") { rest = substr(rest, 2); return substr(rest, 1, index(rest, "\"") - 1) }
      match(rest, /^[-+0-9.eE]+|^true|^false/)
      return substr(rest, RSTART, RLENGTH)
    }
    {
      policy = field($0, "policy")
      n[policy]++
      time[policy] += field($0, "total_time_s")
      down[policy] += field($0, "downtime_s")
      rounds[policy] += field($0, "live_rounds")
      if (field($0, "converged") == "false") unconverged[policy]++
      # Per-trace relative change, so that the spread across seeds can be shown.
      trace = field($0, "trace")
      if (policy == "xen-legacy") base[trace] = field($0, "total_time_s")
      else if (policy == "paper") mine[trace] = field($0, "total_time_s")
    }
    END {
      lt = time["xen-legacy"] / n["xen-legacy"]; pt = time["paper"] / n["paper"]
      ld = down["xen-legacy"] / n["xen-legacy"]; pd = down["paper"] / n["paper"]
      lo = 1e9; hi = -1e9
      for (t in base) { c = 100 * (mine[t] / base[t] - 1); if (c < lo) lo = c; if (c > hi) hi = c }
      change = 100 * (pt / lt - 1)
      fmt = md ? "| %s | %.1f s | %.1f s | %+.1f%% (%+.0f%% .. %+.0f%%) | %s | %.3f s | %.3f s | %s | %.1f / %.1f |\n" \
               : "%-22s %9.1f %9.1f %+8.1f%% (%+4.0f%%..%+4.0f%%) %-9s %9.3f %9.3f  %-15s %5.1f /%5.1f\n"
      printf fmt, label, lt, pt, change, lo, hi, paper_time, ld, pd, paper_downtime,
             rounds["xen-legacy"] / n["xen-legacy"], rounds["paper"] / n["paper"]
    }' "$work/$label.json"
}

header() {
  if ((markdown)); then
    echo "| setup ($seeds seeds each) | time, xen-legacy | time, paper | time change (range over seeds) | paper reports | downtime, xen-legacy | downtime, paper | paper reports | live rounds, legacy / paper |"
    echo "|---|---|---|---|---|---|---|---|---|"
  else
    printf "%-22s %9s %9s %25s %-9s %9s %9s  %-15s %s\n" "setup ($seeds seeds)" "legacy_s" "paper_s" \
      "time change (range)" "reported" "legacy_dt" "paper_dt" "reported" "rounds legacy/paper"
  fi
}

echo "The paper's setups (100 Mbit/s link, Table 1 policy vs Xen's xc_domain_save):"
header
simulate_setup "512MiB idle" 512MiB idle
summarize "512MiB idle" "~0%" "~same"
simulate_setup "1GiB idle" 1GiB idle
summarize "1GiB idle" "~0%" "~same"
simulate_setup "512MiB kcompile" 512MiB kcompile
summarize "512MiB kcompile" "-17%" "more"
simulate_setup "1GiB kcompile" 1GiB kcompile
summarize "1GiB kcompile" "-14%" "more"

echo
echo "Kernel compiles of other write intensities (every rate of the kcompile model scaled):"
header
for scale in 0.5 1.25 1.5 2 3; do
  for memory in 512MiB 1GiB; do
    simulate_setup "$memory kcompile x$scale" "$memory" "$(scaled_kcompile "$scale")"
    summarize "$memory kcompile x$scale" "" ""
  done
done
