#!/usr/bin/env bash
# Regenerates docs/evaluation.md and its plots (docs/plots/*.svg) from the trace corpus: every policy
# against the oracle and Xen in both save loops, downtime budgets, non-convergent guests, prediction
# error, and the per-round cost of a decision (Google Benchmark, ratios measured side by side).
#
# Usage: bench/evaluate.sh [BUILD_DIR]     (default build/release; configured and built if needed)
# Needs gnuplot (apt-get install gnuplot-nox).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
command -v gnuplot >/dev/null || { echo "evaluate.sh: needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DPRECOPY_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target precopy_cli precopy_bench >/dev/null
precopy=$build/precopy
corpus=data/traces
out=docs/evaluation.md
plots=docs/plots
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
mkdir -p "$plots"

echo "evaluate.sh: replaying $(ls $corpus/*.csv | wc -l) traces" >&2
"$precopy" evaluate --markdown --plot-data "$data" "$corpus" >"$data/patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus" >"$data/stock.md"
"$precopy" evaluate --markdown --loop stock-peek "$corpus" >"$data/stock-peek.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus" >"$data/no-peeks.md"
"$precopy" evaluate --markdown "$corpus"/xen-*.csv >"$data/real-patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-*.csv >"$data/real-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-h*.csv >"$data/holdout-patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-h*.csv >"$data/holdout-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-n*.csv >"$data/holdout2-patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-n*.csv >"$data/holdout2-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-t*.csv >"$data/holdout3-patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-t*.csv >"$data/holdout3-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-u*.csv >"$data/holdout4-patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-u*.csv >"$data/holdout4-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-v*.csv >"$data/holdout5-patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-v*.csv >"$data/holdout5-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-p*.csv >"$data/peeks-all.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus"/xen-p*.csv >"$data/peeks-none.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-p*.csv >"$data/peeks-stock.md"
"$precopy" evaluate --markdown --curve-rounds 1 "$corpus"/xen-p*.csv >"$data/peeks-round1.md"
bench/bursty_traces.py "$data/bursty-peeks" --precopy "$precopy" --curve 5 --curve-rounds 30
"$precopy" evaluate --markdown "$data/bursty-peeks" >"$data/bursty-peeks-all.md"
"$precopy" evaluate --markdown --curve-rounds 1 "$data/bursty-peeks" >"$data/bursty-peeks-round1.md"
"$precopy" evaluate --markdown --ignore-curve "$data/bursty-peeks" >"$data/bursty-peeks-none.md"
"$precopy" evaluate --markdown "$corpus"/xen-q*.csv >"$data/peeks2-all.md"
"$precopy" evaluate --markdown --curve-rounds 1 "$corpus"/xen-q*.csv >"$data/peeks2-round1.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus"/xen-q*.csv >"$data/peeks2-none.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-q*.csv >"$data/peeks2-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-r*.csv >"$data/peeks3-all.md"
"$precopy" evaluate --markdown --curve-rounds 1 "$corpus"/xen-r*.csv >"$data/peeks3-round1.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus"/xen-r*.csv >"$data/peeks3-none.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-r*.csv >"$data/peeks3-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-k*.csv >"$data/holdout9-all.md"
"$precopy" evaluate --markdown --curve-rounds 1 "$corpus"/xen-k*.csv >"$data/holdout9-round1.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus"/xen-k*.csv >"$data/holdout9-none.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-k*.csv >"$data/holdout9-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-m*.csv >"$data/holdout10-patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-m*.csv >"$data/holdout10-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-l*.csv >"$data/holdout11-patched.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-l*.csv >"$data/holdout11-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-z*.csv >"$data/holdout12-patched.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus"/xen-z*.csv >"$data/holdout12-nopeeks.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-z*.csv >"$data/holdout12-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-c*.csv >"$data/holdout13-patched.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus"/xen-c*.csv >"$data/holdout13-nopeeks.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-c*.csv >"$data/holdout13-stock.md"
"$precopy" evaluate --markdown "$corpus"/xen-j*.csv >"$data/holdout14-patched.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus"/xen-j*.csv >"$data/holdout14-nopeeks.md"
"$precopy" evaluate --markdown --loop stock-peek "$corpus"/xen-j*.csv >"$data/holdout14-stockpeek.md"
"$precopy" evaluate --markdown "$corpus"/xen-o*.csv >"$data/holdout15-patched.md"
"$precopy" evaluate --markdown --ignore-curve "$corpus"/xen-o*.csv >"$data/holdout15-nopeeks.md"
"$precopy" evaluate --markdown --loop stock-peek "$corpus"/xen-o*.csv >"$data/holdout15-stockpeek.md"
"$precopy" evaluate --markdown --loop stock "$corpus"/xen-o*.csv >"$data/holdout15-stock.md"
bench/step_traces.py "$data/step" --precopy "$precopy"
"$precopy" evaluate --markdown "$data/step" >"$data/step-patched.md"
"$precopy" evaluate --markdown --loop stock-peek "$data/step" >"$data/step-stockpeek.md"
bench/jittery_traces.py "$data/jitter" --noise 0.3
"$precopy" evaluate --markdown "$data/jitter" >"$data/jitter-patched.md"
"$precopy" evaluate --markdown --loop stock "$data/jitter" >"$data/jitter-stock.md"
bench/bursty_traces.py "$data/bursty" --precopy "$precopy"
"$precopy" evaluate --markdown "$data/bursty" >"$data/bursty-patched.md"
"$precopy" evaluate --markdown --loop stock "$data/bursty" >"$data/bursty-stock.md"

# Dirty pages per round for one trace of each workload, each policy's stop marked.
examples=(example sim-idle-1GiB-100Mbit sim-kcompile-1GiB-100Mbit sim-hotcold-512MiB-100Mbit-web
          sim-zipf-4GiB-10Gbit sim-alloc-2GiB-1Gbit sim-constant-4GiB-1Gbit sim-heavy-4GiB-1Gbit)
for stem in "${examples[@]}"; do
  [[ -f $data/$stem.rounds.dat ]] || { echo "evaluate.sh: $corpus/$stem.csv is missing" >&2; exit 1; }
  gnuplot <<GP
set terminal svg size 720,420 font "sans,11" background rgb "white"
set output "$plots/dirty-$stem.svg"
set title "$stem: dirty pages per round and where each policy stops"
set xlabel "live round"; set ylabel "dirty pages (log)"; set logscale y; set grid; set key outside right
names = "oracle predictive paper xen xen-legacy qemu"
plot "$data/$stem.rounds.dat" using 1:(\$2 > 0 ? \$2 : 1) with linespoints lc rgb "#888888" pt 7 ps 0.5 title "dirty pages", \
  for [i=1:6] "$data/$stem.stops.dat" every ::(i-1)::(i-1) using 2:(\$3 > 0 ? \$3 : 1) with points pt (i+3) ps 1.8 lc i title word(names, i)
GP
done

# Total time and downtime of every policy relative to the oracle, one point per trace.
gnuplot <<GP
set terminal svg size 720,480 font "sans,11" background rgb "white"
set output "$plots/time-vs-downtime.svg"
set title "Each policy on each trace, relative to the oracle"
set xlabel "total time / oracle's"; set ylabel "downtime / oracle's (log)"; set logscale y; set grid
set key outside right
policies = "predictive paper xen xen-legacy qemu"
plot for [p in policies] "< grep '^" . p . " ' $data/time_vs_downtime.dat" using 3:(\$4 > 0 ? \$4 : 1e-3) with points pt 7 ps 0.7 title p
GP

# The J table of an `evaluate --markdown` report: everything before its non-convergent section.
j_table() { sed -n '1,/^### Non-convergent/p' "$1" | sed '$d'; }

# `predictive` with every round's peeks, round 1's only and none, from PREFIX-{all,round1,none}.md.
peeks_table() {
  echo "| \`predictive\`, peeks used | median J/oracle | worst J/oracle | downtime vs xen | traces >2% worse J than xen | worst J/oracle, with twins | median J/oracle, twins | one-step error, median |"
  echo "|---|---|---|---|---|---|---|---|"
  local f j t e label
  for f in all round1 none; do
    j=$(sed -n '/^| predictive/{p;q}' "$1-$f.md")
    t=$(sed -n '/^### The online floor/,$p' "$1-$f.md" | sed -n '/^| predictive/{p;q}')
    e=$(sed -n '/^### One-step/,$p' "$1-$f.md" | sed -n '/^| dirty curve/{p;q}' | awk -F'|' '{gsub(/ /, "", $3); print $3}')
    label=$(case $f in all) echo "every round's";; round1) echo "round 1's (\`--curve-rounds 1\`)";; none) echo "none (\`--ignore-curve\`)";; esac)
    awk -F'|' -v j="$j" -v e="$e" -v label="$label" 'BEGIN { split(j, a, "|"); }
      { gsub(/ /, "", a[3]); gsub(/ /, "", a[4]); gsub(/ /, "", a[6]); gsub(/ /, "", a[8]); gsub(/ /, "", $4); gsub(/ /, "", $5)
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", label, a[3], a[4], a[6], a[8], $4, $5, e }' <<<"$t"
  done
  echo
}

bench=$("$build/bench/precopy_bench" --benchmark_filter='ObserveDecide' --benchmark_repetitions=5 \
          --benchmark_report_aggregates_only=true --benchmark_format=csv 2>/dev/null | grep '_median' || true)

{
  cat <<'MD'
# Evaluation

Generated by `bench/evaluate.sh` from the corpus in `data/traces/` (simulated traces with their
`source=simulator` header, plus real Xen traces `source=xen` recorded by the end-to-end testbed). Every
number here is an exact replay (see [model.md](model.md)): each trace was recorded with "always
continue", so replaying a policy on it gives exactly what that policy would have done. `oracle` is the
offline optimum; J = total_time + w × downtime with w = 10.

Policies: `predictive` (ours), `paper` (the seed paper's Table 1), `xen` (Xen 4.10+ simple policy),
`xen-legacy` (Xen 3.0.2–4.5, the paper's baseline), `qemu` (stop when downtime fits 300 ms). See
[policies.md](policies.md).

## Patched loop (the decision after each round's dirty bitmap, xen-patches/)

MD
  sed 's/^### /### /' "$data/patched.md"
  cat <<'MD'
### Against the targets, and what the numbers do not show

- J/J_oracle (w = 10, no budget): the median is 1.0019; the worst is not within 5%. The twenty-three
  traces above 1.05 are all real Xen traces:
  - `xen-jd24-step-24-60-1-128-200m-1` (1.45; Xen 1.44) and `xen-jd14-step-14-75-0.5-96-100m-1` (1.41;
    Xen 1.39), held out (fourteenth set, below): writers faster than the link whose count falls by 5
    to 10% a round, a guest that will level off and never converge, until its job ends after nine
    rounds and the count drops to a few dozen pages. `predictive` stops after round 6, where another
    round no longer pays for itself; the oracle waits for the step. Floors 1.08 and 1.12: on the twin
    that stays level, waiting costs as much.
  - `xen-ju40-step-20-33-40-256-1g-1` (1.23; Xen 1.20) and `xen-ju16-step-4-49-16-128-100m-1` (1.17;
    Xen 1.30), fourteenth set: a job faster than the link starts in round 2 or 3; the count, falling
    until then, holds level (31078, 29462; 5328, 5320), and `predictive` runs its one more look before
    the first stop, which rises (33546; 6599), and stops there, a round after the stop that J after the
    level count asked for and two after the oracle's. Floors 1.08 and 1.07.
  - `xen-ju14-step-3-33-14-96-150m-1` (1.14; Xen 1.08), fourteenth set: from the end of round 1 a writer
    at about the link's pace, converging by 15 to 25% a round; each round was predicted to pay for
    itself by a few percent, three did not, and a count that jumped by chance in the look's round
    (1764, then 2603 pages) bought one more; floor 1.07.
  - `xen-w8-writer-8-32-100m-2` (1.44; Xen 1.55): the dirty count holds level for three rounds and then
    falls (a writer that stalled: 4710, 4634, 4615, then 3632, 2204, ... pages). While it holds level
    the guest looks exactly like one that will never converge; `predictive` takes one more look before
    it cuts (see [predictive.md](predictive.md)), but the count holds through that round too. The
    oracle, which knows the count will fall, waits. The online floor (below) makes this exact: the trace
    is identical up to round 5 with its plateau twin, a guest that stays level from there; whatever a
    policy does, it is at least 1.23 × the oracle on one of the pair. No online policy can be within
    5% on both.
  - `xen-ub28-bursty-28-2-2-56-100m-1` (1.17; Xen 1.00), held out (fourth set, below): never converges
    (the count swings between about 3700 and 9000 pages); after the fewest so far (4185) a shorter round
    dirties more, and waiting for a round as quiet, bounded by ski rental, costs five rounds; floor 1.11.
  - `xen-kb20-bursty-20-3-2-72-100m-1` (1.36; Xen 1.21), held out (ninth set, below): a guest that
    dirties about as fast as the 100 Mbit/s link sends, in rounds of 7 s that each span a burst and a
    pause, so the count moves up and down by chance (14067, 12397, 14894, 11040 pages). After rounds
    2 and 3 `predictive` expected another round to lower J by a few percent (after round 3 on that
    round's fallen rate), and both rounds raised it; floor 1.07.
  - `xen-kb24-bursty-24-2-1-40-100m-1` (1.12; Xen 1.06), ninth set: the count stops falling at round 4
    (5189, then 5379 pages), the one more look holds level (5580), and it stops there, a round after
    the oracle; floor 1.07.
  - `xen-ksrt-sort-4-100m-1` (1.10; Xen 1.05), ninth set: sort converges to 111 pages in round 8, where
    the oracle stops; a further fall is predicted, and a new phase of the sort dirties more each round
    instead (262, 450, 751); waiting for a round as quiet as round 8, bounded by ski rental, costs three
    more rounds; floor 1.05.
  - `xen-mb26-bursty-26-2-2-64-200m-1` (1.23; Xen 1.29), held out (tenth set, below): a burst holds the
    count level for five rounds of 0.4 s (2284 to 2617 pages), and `predictive` stops after the look,
    at round 4, as it would for a writer in balance with the link; the pause comes at round 7; floor
    1.15.
  - `xen-mb18-bursty-18-3-1-48-100m-1` (1.18; Xen 1.07), tenth set: as `xen-kb24`, the count stops
    falling (4586, then 4898 pages), the look rises again (5700), and it stops two rounds after the
    oracle; floor 1.07.
  - `xen-l1gb-bursty-24-2-2-192-100m-1` (1.06; Xen 1.01), held out (eleventh set, a 1 GiB guest): the
    count holds level for three rounds (14512, 14489, 14432 pages), the look's among them, and
    `predictive` stops a round after Xen's fixed fifth, five before the oracle's pause; floor 1.06, and
    `predictive` is at it.
  - `xen-cs12-sweep-12-64-150m-1` (1.12; Xen 1.27), held out (thirteenth set, below): a guest that
    sweeps 64 MiB in order, converging by about 0.72 a round, until one round the emulated machine sent
    at 60% of its neighbours' pace (1414 pages in 0.52 s) and the count rose (1729). After the next
    round (1294 pages) the round to come would send 1294 pages, nearest in size to what the slow round
    sent, whose pace then sets its length (0.47 s where its neighbours' pace gives 0.29), so its count is
    guessed above this one (1549), and `predictive` stops, a round before one that fell while the
    guest's writer was paused (122 pages); floor 1.08. (Taking the median pace of the recent rounds of
    about that size instead was tried and not kept: [predictive.md](predictive.md).)
  - `xen-cs20-sweep-20-160-200m-1` (1.07; Xen 1.11), thirteenth set: a sweep of 20 MiB/s that the
    emulated sender, at 83% of the 200 Mbit/s link, hardly outruns (41112, 39998, 39326 pages); the
    oracle stops after round 1; `predictive` expected round 2 to pay (the curve from round 1's peeks
    said 37054 pages), and when it left 39998 ran the one more look before its first stop; floor 1.00:
    this miss is the price of a prediction 7% low and of the look.
  - `xen-burst-bursty-32-2-3-64-100m-1` (1.18; Xen 1.23): never converges; `predictive` goes one round
    past the oracle's second because the curve below the last round is only extrapolated. Its floor is
    1.0003: this miss is the policy's own, the price of the bound that catches a knee in the curve.
  - `xen-w8-writer-8-32-100m-1` (1.10; Xen 1.08): recorded to 9 rounds only; `predictive` would go on
    and is charged the last recorded round (see the last point).
  - `xen-vb22-bursty-22-3-1-64-100m-1` (1.09; Xen 1.12), held out (fifth set): never converges; floor
    1.07.
  - `xen-qb20-bursty-20-2-1-56-150m-1` (1.06; Xen 1.22), held out (seventh set, below): a bursty guest
    whose later rounds' peeks saw the pause coming; floor 1.16. `xen-qb14` of the same set, 1.22 before
    the newest round floored the guess, is at 1.0007.
  - `xen-rb26-bursty-26-3-2-48-200m-1` (1.14; Xen 1.18), held out (eighth set, below): a 3 s burst
    holds the count level from round 2 to round 9 (2000 to 2466 pages; rounds of about 0.35 s from
    round 3), and `predictive` stops after round 4, as it would for a writer in balance with the link;
    the oracle waits for the pause (584, then 43); floor 1.07.
  - `xen-o2b-compile-2-100m-1` (1.09; Xen 1.09), `xen-o2f-compile-2-25m-1` (1.06; Xen 1.13) and
    `xen-o2d-compile-2-50m-1` (1.05; Xen 1.10), held out (fifteenth set, below: guests that compile):
    on `xen-o2b` a round run on a fallen rate rose instead (1624, then 1841 pages) and `predictive`
    stopped at Xen's round, where the oracle waits six more rounds for the count to fall to 449
    (floor 1.05); on the other two, over slower links, the count levels off after round 2 or 3 and the
    look costs a round (floors 1.06 and 1.05).
  Three held-out bursty guests that were on this list are now near the oracle: on each, a round's rate
  fell clearly below the round before it (a burst ended during it), and `predictive` now takes that
  round's own rate as the next round's guess instead of the curve learnt from the burst
  ([predictive.md](predictive.md); commit d7739f7): `xen-vb30-bursty-30-1-2-40-100m-1` 1.25 to 1.0097,
  `xen-tb24-bursty-24-3-3-64-100m-1` 1.26 to 1.04 (Xen 1.00), `xen-pb26-bursty-26-1-1-56-150m-1` 1.06 to
  1.0011. The held-out bursty guest `xen-nb16-bursty-16-2-2-40-100m-1` (1.65 before the one more look) is now
  at 1.0006. `xen-burst-bursty-32-2-3-64-100m-2` (1.78 before commit 08b2cbd; Xen 1.10) is at 1.0048: a
  burst holds the count level (10302, 10381), the round run for the look leaves 9508 pages, not level
  but clearly below the 10379 the curve expects for a round that long, so the rate is falling and
  `predictive` goes on; the pause follows (2353). On the pair that sets its floor (the twin from round
  3, 1.13) it is at the floor.
- The online floor, in the tables after the prediction error: on 121 of the 191 traces no policy can keep
  within 5% of the oracle on both the trace and one of its plateau twins (mostly the twin from round 1:
  after one round any guest may be one whose working set is already full), so "worst ≤ 1.05" cannot
  be met on a corpus that also holds the twins. On the 3447 twins `predictive` has a median of 1.0053;
  Xen's fixed five rounds give 1.0221. Its worst twin, 1.87, is `xen-burst-bursty-32-2-3-64-100m-2`'s
  from round 7: the count fell to 2353 pages in a pause, rose in the next burst to 8343, and on the twin
  stays there; waiting for another pause, bounded by what a pause would save (ski rental), then costs
  about as much again as the oracle's whole migration. (Before the newest round floored the guess, the
  worst was 2.19, `xen-tb24`'s twin from round 8, where the curve also predicted a fall the burst
  ruled out.) The twins are how the rounds a hope may cost were found unbounded and then bounded (see
  [predictive.md](predictive.md)).
- Never more than 2% worse than `xen`: in the patched loop nine traces are, all held out: `xen-ub28`,
  `xen-kb20`, `xen-kb24`, `xen-ksrt`, `xen-mb18`, `xen-l1gb`, `xen-ju14`, `xen-ju40` (above) and `xen-tb24-bursty-24-3-3-64-100m-1` (1.04, where
  Xen's fixed fifth round happens to be the pause; floor 1.10). Of the 132 traces before the ninth set,
  two (three before a round whose rate fell began to guess the next, five before the newest round
  floored the guess). In the stock loop eleven: `xen-ju14`, `xen-ju40`, `xen-ub28`, `xen-pb26`, `xen-qb20`, `xen-kb24`,
  `xen-ksrt`, `xen-mb18`, `xen-l1gb`, `xen-burst-bursty-32-2-3-64-100m-2` (a stock-loop stop never sees the look's round) and a
  bursty guest whose burst outlasts the one round it looks again before its first stop
  (`xen-tb20-bursty-20-2-1-48-150m-1`; see [predictive.md](predictive.md) for why it does not wait
  blind on a hope).
- Downtime budgets: `predictive` stops at the oracle's round on every trace but eleven, where it gives
  up on the budget because the count has levelled off above it: the two guests of the fourteenth set
  whose job ends after nine rounds (`xen-jd14`, `xen-jd24`, all three budgets), the writer that stalls, the level
  bursts of `xen-rb26` and `xen-mb26`, `xen-mb18` at 1000 ms, `xen-kb20` at 1000 ms, whose first
  round to fit is its 18th (all above), `xen-l512b` at 300 ms, whose first is its 28th, and the skewed
  writer `xen-zh20` at 300 ms (twelfth set, below), whose count creeps down by 3 to 5% a round to fit
  at round 17, and two compiling guests at 100 ms (fifteenth set, below), whose count jumps about a
  level above it and first dips below it at round 20 and 22 (470 of 489 (trace, budget) cases in the
  patched loop, 469 through the preload's peek, 452 in the stock loop without it). Where no round meets the budget
  (the right-hand columns) the oracle is simply the J-optimal stop, and `predictive` stays within a
  median of 2–5% of it: it does not chase a budget the guest cannot meet.
- Non-convergent guests: the target "time and bytes ≤ 0.70 × Xen's with no more downtime" asks, on most of
  these traces, for what no policy can do. The per-trace table above replays the oracle with Xen's own
  downtime as its budget (the earliest round whose downtime is no more than Xen's): on all but one
  trace that round is Xen's fifth itself, because the dirty count is still falling slowly there, so any
  stop that saves time costs downtime. On the one trace where the target is possible (a guest that
  levels off at once), `predictive` meets it (0.51 × Xen's time, same downtime). Elsewhere `predictive`
  takes the J-optimal trade instead (median 0.88 × Xen's time for up to 17% more downtime; on
  `xen-kb24`, ninth set, one round more than Xen for its look); an operator
  who wants no more downtime than Xen gives it a downtime budget.
- One-step prediction error: median 7.5% against the paper's constant-rate model's 67.4% (the guess
  `predictive` acts on: the dirty curve's, or after a round whose rate fell that round's own rate).
- The real Xen traces come from Xen-in-QEMU (software emulation). Their replayed downtime is the pages
  left at the stop sent at the link's rate; the pause the guest sees adds a fixed part for suspend and
  restore, 0.36 to 0.65 s on the emulated machine (16 live migrations of 512 MiB and 1 GiB guests,
  `tests/e2e/scenarios/paper2.conf`; [paper-reproduction.md](paper-reproduction.md)), which
  `--fixed-downtime-ms` models. (Until stop 18 the guest's observer timed CLOCK_MONOTONIC, which leaves
  out the suspension, and its figures looked far below the replay's; docs/e2e.md marks those runs.) The
  stop rounds replay exactly. A trace ends where its recording stopped
  (`max_rounds`); a policy that has not stopped by then is charged the last round's outcome and marked
  "did not converge" (`xen-w8-writer-8-32-100m-1`, recorded to 9 rows).

MD
  cat <<'MD'
## Real Xen traces only

The traces recorded by real `xl migrate` runs in the end-to-end testbed (`data/traces/xen-*.csv`,
Xen 4.17 in QEMU, recorded with "always continue" through the preload), on their own: these are the
guests the simulator did not make. `precopy evaluate data/traces/xen-*.csv`, then `--loop stock`.

MD
  j_table "$data/real-patched.md"
  j_table "$data/real-stock.md"
  cat <<'MD'
### Held out: real traces recorded after the policy froze

`data/traces/xen-h*.csv` (`tests/e2e/scenarios/holdout.conf`): nine guests no policy was developed on
(writers of 1 to 12 MiB/s, two bursty shapes, gzip, sort, idle; 100 Mbit/s to 1 Gbit/s), recorded after
`predictive` froze at commit 91cd6cf. Two changes came later (see [predictive.md](predictive.md)): the
forecast accounts, made for the plateau twins of the corpus, not for these (on these nine they move one
stop: `xen-hw3-writer-3-96-200m-1`, 1.0045 to 1.0037 × the oracle in the patched loop, 1.0020 to 1.0045
in the stock loop), and the one more look before the first stop, made for bursty guests after the second
set below showed one (on these nine it moves five patched-loop stops by a round, the median from 1.0019
to 1.0018, the worst unchanged). `precopy evaluate data/traces/xen-h*.csv`, then `--loop stock`.

MD
  j_table "$data/holdout-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout-patched.md"
  echo
  j_table "$data/holdout-stock.md"
  cat <<'MD'
### Held out, second set: real traces recorded after the forecast accounts

`data/traces/xen-n*.csv` (`tests/e2e/scenarios/holdout2.conf`): eight more guests (writers of 2 to
10 MiB/s, two bursty shapes, gzip, sort, idle; 100 Mbit/s to 1 Gbit/s), recorded after the last change
to `predictive` (commit 1df51f3). `precopy evaluate data/traces/xen-n*.csv`, then `--loop stock`.
One of them was a miss in the patched loop: `xen-nb16-bursty-16-2-2-40-100m-1` (J 1.65 × the oracle's;
Xen 1.008). It writes 16 MiB/s for 2 s, then idles 2 s; rounds 3 and 4 fall in bursts (3353, then 3590
pages in a shorter round), `predictive` cut there, and the next round fell in the idle spell (86 pages).
That is what the one more look before the first stop ([predictive.md](predictive.md)) was made for, so
this set is no longer held out for it: with it the trace is at 1.0077 (Xen's own; its online floor is
1.11, and on the twin that stays at 3590 pages `predictive` is at that floor), and the set's patched-loop
median moves from 1.0067 to 1.0030, its worst from 1.65 to 1.03 (`xen-nsrt-sort-3-100m-1`, Xen's own).
The stock loop, which stops one round later anyway, is unchanged.

MD
  j_table "$data/holdout2-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout2-patched.md"
  echo
  j_table "$data/holdout2-stock.md"
  cat <<'MD'
### Held out, third set: real traces recorded after the one more look

`data/traces/xen-t*.csv` (`tests/e2e/scenarios/holdout3.conf`): eight more guests, four of them bursty
(8 to 24 MiB/s, bursts of 1 to 3 s, pauses of 1 to 4 s), two writers, gzip and sort, on 100 to
200 Mbit/s, recorded after the last change to `predictive` (commit d114cbd, the one more look before the
first stop). `precopy evaluate data/traces/xen-t*.csv`, then `--loop stock`. Against the code before
that change (commit 0b49814) the patched loop's median moves from 1.0062 to 1.0031 and its worst from
1.61 to 1.26: `xen-tb24-bursty-24-3-3-64-100m-1`, where the old rule cut inside a burst (7107, 7125
pages) and the look finds the pause (1214 pages). It is still the one trace here more than 2% worse than
Xen: after the pause `predictive` expects the count to keep falling, the burst comes back (2236, 4041,
6565 pages), and it waits for the next pause, stopping one round before it comes (2171, then 79). Its
online floor is 1.10; Xen, whose fifth round is the pause, is at 1.0000. The stock loop is unchanged.
Since commit d7739f7 that round (2171 pages after 6565, in a round half again as long: the burst ended
during it) is read as the quieter phase it is: `predictive` goes on on its rate, round 10 leaves 79
pages, and `xen-tb24` is at 1.04 (median 1.0024), still more than 2% worse than Xen's lucky fifth round.

MD
  j_table "$data/holdout3-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout3-patched.md"
  echo
  j_table "$data/holdout3-stock.md"
  cat <<'MD'
### Held out, fourth set: real traces recorded after the look's round that falls below the curve

`data/traces/xen-u*.csv` (`tests/e2e/scenarios/holdout4.conf`): eight more guests, four of them bursty
with bursts, pauses and working sets not used before (10 to 28 MiB/s, bursts of 1 to 4 s, pauses of 1
to 3 s, 40 to 80 MiB), a writer that converges and one faster than the link, gzip and sort, on 100 to
200 Mbit/s, recorded after the last changes to `predictive` (commit 08b2cbd; the look in the stock loop,
da8cfae). `precopy evaluate data/traces/xen-u*.csv`, then `--loop stock`. The patched loop is the same
as at commit 8b52549, before both changes: median 1.0051 (Xen 1.0131), worst 1.17,
`xen-ub28-bursty-28-2-2-56-100m-1`, a bursty guest that never converges, where waiting for a round as
quiet as its fewest costs five rounds (floor 1.11; Xen's fifth round is that fewest, 1.0000). In the
stock loop the median moves from 1.0169 to 1.0094 and traces more than 2% worse than Xen from 2 to 1
(`xen-ub16-bursty-16-1-1-72-100m-1`: 1.19 to 1.0047, the look finds the pause). Non-convergent
`xen-uw20-writer-20-56-100m-1` (20 MiB/s over 100 Mbit/s): `predictive` cuts it after round 3, at 0.81
× Xen's time and bytes and 1.06 × its downtime.

MD
  j_table "$data/holdout4-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout4-patched.md"
  echo
  j_table "$data/holdout4-stock.md"
  cat <<'MD'
### Held out, fifth set: real traces recorded after the budget rule judged the whole pursuit

`data/traces/xen-v*.csv` (`tests/e2e/scenarios/holdout5.conf`): eight more guests, four of them bursty
with rates, bursts, pauses and working sets not used before (12 to 30 MiB/s, bursts of 1 to 3 s, pauses
of 1 to 3 s, 40 to 96 MiB), two writers (9 and 14 MiB/s), gzip and sort, on 100 to 200 Mbit/s,
recorded after commit ad7bd4a while a change to the stock loop's look was in (7afd50c); on these
guests that change did worse than the code before it and was reverted (see
[predictive.md](predictive.md)), so the figures below are of the code these traces were not recorded
for. `precopy evaluate data/traces/xen-v*.csv`, then `--loop stock`. Patched loop: median 1.0033 (Xen
1.0234), worst 1.25 on `xen-vb30-bursty-30-1-2-40-100m-1`, the one trace more than 2% worse than Xen
(1.18): the look's round fell in a pause (5557, then 640 pages), `predictive` went on as the curve
predicted and met the next burst (1552, 3311, 1508 pages); its online floor is 1.11. Stock loop: median
1.0018, worst 1.09, none more than 2% worse than Xen. Every downtime budget the oracle meets is met in
the patched loop (21 of 21; stock loop 20). Since commit d7739f7 `xen-vb30`'s round 7 (1508 pages
after 3311, in a round twice as long: the burst ended during it) guesses round 8 at its own rate, and
`predictive` goes on into the pause (59 pages): 1.0097; the patched loop's worst here is now 1.09
(`xen-vb22`), none more than 2% worse than Xen.

MD
  j_table "$data/holdout5-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout5-patched.md"
  echo
  j_table "$data/holdout5-stock.md"
  cat <<'MD'
### Held out, sixth set: real traces with peeks, through the patched Xen tools

`data/traces/xen-p*.csv` (`tests/e2e/scenarios/peeks.conf`): eight more guests no policy was developed
on (writers of 6, 11 and 18 MiB/s, bursty guests of 10, 18 and 26 MiB/s, gzip, sort, on 100 to 200
Mbit/s), recorded with "always continue" through the patched tools, whose save loop peeks at the dirty
count while each round is sent (xen-patches/4.17, patch 4: `XEN_DOMCTL_SHADOW_OP_PEEK` without a
bitmap, after a full batch, once per doubling of the round's elapsed time; patch 5 passes the peeks to
libprecopy, which records them in the trace's curve section). These are the first real traces with
peeks: 5 in round 1 on every guest (about 13.5 s at 100 Mbit/s, peeked at 0.4, 1, 2.4, 5 and 10.5 s),
7 to 23 per trace in all, fewer in the shorter rounds after. `precopy evaluate data/traces/xen-p*.csv`,
then with `--ignore-curve` (the same traces, the peeks dropped: what the policy would see through Xen
without patch 4), then `--loop stock`.

With the peeks the patched loop's median is 1.0025 (Xen 1.0603) and the one-step prediction error
8.7% (without them 9.6%; 90th percentile 46% against 58%). They change the stop on three guests. On
`xen-pb18-bursty-18-2-2-48-100m-1` the peeks of rounds 2 and 3 fell in pauses (47 to 63 pages in 0.3 to
1 s), so after round 5 (1316 pages) the curve predicts about 1000 for a round as short as the next;
`predictive` went on and the next round fell in a pause (58): 1.19, as Xen, to 1.0008. Without the
peeks the curve, learnt from whole rounds that ran through bursts, predicts 3900 and it stops there.
On `xen-pb10` it stops one round earlier (1.0009 to 1.0006). The peeks of a bursty guest mix its
phases, so they help only as far as the pauses they saw recur. With them no guest is more than 2%
worse than Xen; without them one is, `xen-pb26-bursty-26-1-1-56-150m-1` (1.20; Xen 1.06; its online
floor 1.07): after round 4 (872 pages, down from 4905) `predictive` goes on (the curve predicts 155),
the bursts come back (1060, 1631, 2368, 1492) and it stops one round before the pause (53). With its
peeks it takes one more look before its first stop instead, round 5 leaves 1060 pages, and there it
stops, as Xen does (1.06): the curve, through a peek of round 3 taken in a pause (53 pages after 0.23
s), predicts about 110 for the next round, but the newest round floors the guess (1060 in 0.19 s: the
next, no shorter, leaves no fewer), the count held level through the look, and the burst is not waited
on (1.20 before the floor). Since commit d7739f7 round 4 (872 pages after 4905, at a quarter of round
3's rate) guesses round 5 at its own rate; the burst comes back at round 5, the rounds run on that are
charged to the hope of a quieter phase, which here comes true after the burst (53 pages, round 9):
1.0011 with the peeks, 1.20 without them. The stock loop, which has no peeks, does as well on `xen-pb18` (1.0015) by
the timing of its blind stop, and worse on `xen-pb26` (1.30).

MD
  j_table "$data/peeks-all.md"
  grep -A4 '^### One-step' "$data/peeks-all.md"
  echo
  echo "The same traces without their peeks (\`--ignore-curve\`):"
  echo
  j_table "$data/peeks-none.md"
  grep -A4 '^### One-step' "$data/peeks-none.md"
  echo
  j_table "$data/peeks-stock.md"
  cat <<'MD'
Which rounds' peeks to trust: all of them, now that the newest round floors the guess. `predictive`
with every round's peeks, round 1's only (`--curve-rounds 1`) and none (`--ignore-curve`), on these
eight guests:

MD
  peeks_table "$data/peeks"
  cat <<'MD'
Every round's peeks give the lowest worst case (1.06, against 1.55 with round 1's: without the pauses
later rounds' peeks saw, `xen-pb18`'s round 4, 3896 pages after 3028, looks like a count that held
level through the look, and it stops in the burst) and the fewest traces more than 2% worse than Xen.
Over the 16 real guests with peeks (this set and the next), against round 1's alone the later rounds'
peeks change the stop on 8: better on 4 (by more than 15% on `xen-pb18` and `xen-qb20`), worse on 4,
by at most 6% (`xen-pb26`, 1.0011 to 1.0636: with round 1's peeks alone the curve promised a fall
after round 4 and `predictive` went on, through the next burst to the pause; with the later ones it
promised none, the one more look before the first stop fell in the burst, and it stopped there). Before the floor
(commit b3d1e54) the answer was unclear: with every round's peeks the worst was 1.20, with round 1's
1.20 too (`xen-pb26`), and a peek a later round took in a pause could promise a round far cleaner than
the burst the newest round had just shown. On 60 simulated bursty guests peeked in every round as the
patched tools do (`bench/bursty_traces.py DIR --curve 5 --curve-rounds 30`, then `precopy evaluate
DIR`, with `--curve-rounds 1` and with `--ignore-curve`) the later rounds' peeks still cost: with all
peeks the worst is 1.67 and the plateau twins' median 1.0087 (1.0121 before the floor); with round
1's only, 1.41 and 1.0025; with none, 1.30 and 1.0105. A simulated bursty guest's later rounds are
short and fall in one phase, a burst or a pause, and their peeks bend the curve to that phase; round
1 spans several. On each set of real guests with peeks (this one and the next two) every round's
peeks give the lowest worst case; on the simulated ones fewer peeks do better (round 1's, or none).
`predictive` takes them all. The figures, in order (all peeks, round 1's, none):

MD
  peeks_table "$data/bursty-peeks"
  cat <<'MD'
### Held out, seventh set: real bursty guests with peeks

`data/traces/xen-q*.csv` (`tests/e2e/scenarios/peeks2.conf`): eight more bursty guests no policy was
developed on (8 to 28 MiB/s, bursts of 1 to 3 s, pauses of 1 to 3 s, 40 to 80 MiB), recorded through
the patched tools with their peeks, to put the open question to real guests whose rounds fall in
different phases. `precopy evaluate data/traces/xen-q*.csv`, with `--curve-rounds 1`, with
`--ignore-curve`, and `--loop stock`. The later rounds' peeks take `xen-qb20-bursty-20-2-1-56-150m-1`
from 1.22 (Xen's too) to 1.06, and no trace of the set is more than 2% worse than Xen with any of the
three. Before the newest round floored the guess (commit b3d1e54) they also cost
`xen-qb14-bursty-14-1-1-72-100m-1` 1.0007 to 1.22 (Xen 1.18): a peek of round 4 promised a round far
cleaner than round 5's burst had just left (1688 pages in 0.46 s, the curve predicting about 1300 for
the next, longer round); with the floor `predictive` hedges on the burst ending, bounded by what a
pause would save, and round 7 finds the pause (57 pages): 1.0007. On the plateau twins the later
rounds' peeks now cost less than none (worst 1.19 against 1.22; before the floor 1.31).

MD
  peeks_table "$data/peeks2"
  j_table "$data/peeks2-all.md"
  grep -A6 '^### Downtime budget' "$data/peeks2-all.md"
  echo
  j_table "$data/peeks2-stock.md"
  cat <<'MD'
### Held out, eighth set: real guests recorded after the newest round floored the guess

`data/traces/xen-r*.csv` (`tests/e2e/scenarios/peeks3.conf`): eight more guests no policy was
developed on, recorded through the patched tools with their peeks after commit b3d1e54 (the newest
round floors the dirty curve's guess, [predictive.md](predictive.md)): five bursty guests (10 to 26
MiB/s, bursts of 1 to 3 s, pauses of 1 to 3 s, 48 to 80 MiB), a writer of 8 MiB/s, gzip and sort, on
100 to 200 Mbit/s. `precopy evaluate data/traces/xen-r*.csv`, with `--curve-rounds 1`, with
`--ignore-curve`, and `--loop stock`. Patched loop: median 1.0038 (Xen 1.0094), worst 1.14 on
`xen-rb26-bursty-26-3-2-48-200m-1` (Xen 1.18; its online floor 1.07), none more than 2% worse than
Xen. The floor moved one stop here, for the better: `xen-rb26` from 1.18 (the code before it,
`bench/compare.py 6a64def data/traces/xen-r*.csv`) to 1.14. With a budget of 100 or 300 ms the same
trace is the one miss: its burst holds the count level from round 2 to round 9, which no online rule tells
from a guest that never converges. As on the sixth and seventh sets, every round's peeks are the best
choice (the table below): with round 1's alone `xen-rb18-bursty-18-1-2-64-100m-1` holds level through
the look (4135, then 4151 pages in a round a third as long, a burst) and is cut there (1.66), where
round 2's peeks, taken in a pause (54 to 67 pages in up to 1.3 s), have the curve predict a fall
after round 2, so the look comes a round later and its round finds the pause (84 pages).

MD
  peeks_table "$data/peeks3"
  j_table "$data/peeks3-all.md"
  grep -A6 '^### Downtime budget' "$data/peeks3-all.md"
  echo
  j_table "$data/peeks3-stock.md"
  cat <<'MD'
### Held out, ninth set: real guests recorded after a round whose rate fell began to guess the next

`data/traces/xen-k*.csv` (`tests/e2e/scenarios/holdout9.conf`): eight more guests no policy was
developed on, recorded through the patched tools with their peeks after commit d7739f7 (a round whose
rate fell clearly below the round before it guesses the next one, [predictive.md](predictive.md)):
five bursty guests (16 to 32 MiB/s, bursts of 1 to 3 s, pauses of 1 to 3 s, 40 to 72 MiB), a writer of
12 MiB/s, gzip and sort, on 100 to 200 Mbit/s. `precopy evaluate data/traces/xen-k*.csv`, with
`--curve-rounds 1`, with `--ignore-curve`, and `--loop stock`. Patched loop: median 1.0062 (Xen 1.0305), worst 1.36 on
`xen-kb20-bursty-20-3-2-72-100m-1` (Xen 1.21; floor 1.07), and three traces more than 2% worse than
Xen, the most of any held-out set: `xen-kb20`, `xen-kb24` and `xen-ksrt` (the targets' list above says
why each). The change this set checks moved one stop here, for the better (`xen-kb32` 1.0063 to
1.0004; `bench/compare.py a8e6304 data/traces/xen-k*.csv`), and in the stock loop one (`xen-kb20` 1.36
to 1.21, Xen's own: the after-bitmap verdict that the stock loop acts on only for its look now says
why the next round may pay). The ninth set is the first where `predictive`'s worst is clearly above
Xen's; on `xen-kb20` the guest dirties about as fast as the link sends, each round spans a burst and a
pause, and `predictive` went on twice on a predicted gain of a few percent that chance took away.

MD
  peeks_table "$data/holdout9"
  j_table "$data/holdout9-all.md"
  grep -A6 '^### Downtime budget' "$data/holdout9-all.md"
  echo
  j_table "$data/holdout9-stock.md"
  cat <<'MD'
### Held out, tenth set: real guests on stock Xen, recorded after the ninth set

`data/traces/xen-m*.csv` (`tests/e2e/scenarios/holdout10.conf`): eight more guests no policy was
developed on, recorded through the preload on stock Xen (no peeks: what a host without the patched
tools sees), with no change to `predictive` since the ninth set (commit 2ce5660): four bursty guests
(12 to 30 MiB/s, bursts of 1 to 3 s, pauses of 1 to 3 s, 40 to 64 MiB), writers of 6 and 16 MiB/s,
gzip and sort, on 100 to 200 Mbit/s. `precopy evaluate data/traces/xen-m*.csv`, then `--loop stock`.
Patched loop: median 1.0047 (Xen 1.0599), worst 1.23 on `xen-mb26-bursty-26-2-2-64-200m-1` (Xen
1.29; floor 1.15), one trace more than 2% worse than Xen (`xen-mb18`, 1.18 against 1.07: the one more
look's round, as `xen-kb24` in the ninth set). Stock loop, the one these guests ran under: median
1.0044, worst 1.23, the same one trace. Budgets: 19 of 22 met; the misses are `xen-mb26`'s level burst
at 100 and 300 ms and `xen-mb18` at 1000 ms.

MD
  j_table "$data/holdout10-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout10-patched.md"
  echo
  j_table "$data/holdout10-stock.md"
  cat <<'MD'
### Held out, eleventh set: guests of the paper's sizes, 512 MiB and 1 GiB

`data/traces/xen-l*.csv` (`tests/e2e/scenarios/paper.conf`): six guests of the sizes the seed paper
migrated, 512 MiB and 1 GiB over 100 Mbit/s (every real guest before was 128 to 256 MiB), recorded
through the preload on stock Xen (no peeks), with no change to `predictive` since the tenth set: idle,
gzip over 64 MiB in a loop, and a bursty writer (20 MiB/s for 3 s, idle for 2 s, over 128 MiB; on the
1 GiB guest 24 MiB/s, 2 s and 2 s, over 192 MiB). `precopy evaluate data/traces/xen-l*.csv`, then
`--loop stock`. Patched loop: median 1.0018 (Xen 1.0000: on the idle and gzip guests Xen's fifth round
is the oracle's), worst 1.063 on `xen-l1gb-bursty-24-2-2-192-100m-1` (Xen 1.011), the one trace more
than 2% worse than Xen: the count holds level for three rounds of 4.8 s (14512, 14489, 14432 pages),
the look's round among them, and `predictive` stops there as it would for a writer in balance with the
link; the oracle waits five rounds more for a pause (6167). Its floor is 1.061: `predictive` is at it.
On the 512 MiB bursty guest 1.04 (Xen 1.09, the paper's Table 1 1.23). Budgets: 13 of 14 met; the
miss is `xen-l512b` at 300 ms, whose first round to fit is its 28th (`predictive` gives up at round 15,
when a round no longer pays for itself). The same traces replayed as the paper's comparison (Table 1
against the loop it was measured against), and the live runs: [paper-reproduction.md](paper-reproduction.md).

MD
  j_table "$data/holdout11-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout11-patched.md"
  echo
  j_table "$data/holdout11-stock.md"
  cat <<'MD'
### Held out, twelfth set: skewed writers (Zipf), the dirty curve the model was built for

`data/traces/xen-z*.csv` (`tests/e2e/scenarios/holdout12.conf`): eight guests whose writes are skewed
(the testbed's workload `zipf:R:W:S`: the page of popularity rank r is written with probability
proportional to r^-S), with S from 0.6 (nearly uniform) to 1.4 (a few hot pages), 10 to 32 MiB/s into
64 to 384 MiB, 160 MiB to 512 MiB guests, links of 100 Mbit/s to 1 Gbit/s, recorded on the patched
tools (peeks in every round) with no change to `predictive` since stop 18. Every real guest before wrote
uniformly over its region or ran a program; these have the concave, saturating curve of the issue's
premise (short rounds see a higher rate than long ones), and on it the paper's cumulative rate rises as
the rounds shorten, so Table 1 stops after round 2 on all eight (1.10 to 1.59 × the oracle's J).
`precopy evaluate data/traces/xen-z*.csv` (then `--ignore-curve`, then `--loop stock`): patched loop
median 1.0046, worst 1.024 (`xen-zs08`, skew 0.8), none more than 2% worse than Xen (Xen: median
1.033, worst 1.096); without the peeks median 1.0046, worst 1.034; stock loop median 1.0018, worst
1.026; the one-step prediction error 5.9% (8.6% without the peeks; the paper's model 68.5%). Budgets:
21 of 22 met in the patched loop; the miss is `xen-zh20` at 300 ms: its count falls by 3 to 5% a round
from round 10 (1691, 1629, 1622, 1571, ...) and first fits at round 17 (1329 pages), while the curve,
right to within a few percent each round (1690 predicted for round 10's 1691), rolls forward to a
level of about 1460, 7% above the budget's 1360 pages: near such a level a few percent of error in
the curve or the round time moves where it levels off by several times as much. In the stock loop 19
of 22, at up to 1.03 × the oracle's time (a stop at call B is blind to the round just sent, so the
budget is claimed only where the curve's upper bound fits). Live, three of the guests under each policy
(`tests/e2e/scenarios/zipf-live.conf`) and on stock Xen through the preload (`zipf-stock.conf`):
[paper-reproduction.md](paper-reproduction.md).

MD
  j_table "$data/holdout12-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout12-patched.md"
  echo
  printf '\nThe same traces without their peeks (`--ignore-curve`: what the patched loop decides with the bitmap alone):\n\n'
  j_table "$data/holdout12-nopeeks.md"
  printf 'The stock loop (`--loop stock`):\n\n'
  j_table "$data/holdout12-stock.md"
  grep -A6 '^### Downtime budget' "$data/holdout12-stock.md"
  cat <<'MD'
### Held out, thirteenth set: guests that sweep their region in order, the paper's constant rate

`data/traces/xen-c*.csv` (`tests/e2e/scenarios/holdout13.conf`): eight guests that write their region in
order and wrap round at its end (the testbed's workload `sweep:R:W`: a ring buffer, a log, a copying
collector), 6 to 24 MiB/s over 64 to 384 MiB, 160 MiB to 512 MiB guests, links of 100 Mbit/s to 1 Gbit/s,
recorded on the patched tools (peeks in every round) with no change to `predictive` since stop 18. A
sweep writes no page twice before it has written them all, so a round dirties the rate times its length
until the region is full: the constant-rate guest of the paper's model, with a hard knee where the
uniform writer bends smoothly and the Zipf writer early. Three of them write about as fast as the
emulated machine sends (`xen-cs14`, `cs16`, `cs20`); one of those never converges (`xen-cs14`).
`precopy evaluate data/traces/xen-c*.csv` (then `--ignore-curve`, then `--loop stock`): patched loop
median 1.0005, worst 1.12 (`xen-cs12`, floor 1.08; above), none more than 2% worse than Xen (Xen:
median 1.21, worst 1.64: five rounds are too few for the slow converging sweeps and too many for the
level ones); the paper's Table 1 stops after round 2 on seven of the eight and round 3 on the eighth,
1.01 to 2.51 × the oracle's J: its cumulative rate rises as soon as round 2 shows the sweep's full rate
where round 1's count was capped by the region ([paper-reproduction.md](paper-reproduction.md)).
Without the peeks median 1.025, worst 1.12: one round is no curve, so the three near the link's rate,
which the oracle stops after round 1, run two to four. Stock loop median 1.013, worst 1.64
(`xen-cs24`: a stop at call B is blind to the round just sent, and there it stops with Xen, at round 5,
where the count then fell by a third or more in each of the next three rounds). One-step prediction
error 4.5% (5.5% without the peeks; the paper's model 20.9%, far nearer than on the whole corpus, 66.0%:
here the rate is constant). Budgets: 15 of 15 in
the patched loop, 12 of 15 in the stock loop. The one that never converges: `predictive` stops after
round 1, 0.44 × Xen's time and 0.43 × its bytes for 1.6% more downtime (no stop has both). Live, three
of the guests under each policy (`tests/e2e/scenarios/sweep-live.conf`):
[paper-reproduction.md](paper-reproduction.md).

MD
  j_table "$data/holdout13-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout13-patched.md"
  echo
  printf '\nThe same traces without their peeks (`--ignore-curve`):\n\n'
  j_table "$data/holdout13-nopeeks.md"
  printf 'The stock loop (`--loop stock`):\n\n'
  j_table "$data/holdout13-stock.md"
  grep -A6 '^### Downtime budget' "$data/holdout13-stock.md"
  cat <<'MD'
### Held out, fourteenth set: a job starts or ends during the migration

`data/traces/xen-j*.csv` (`tests/e2e/scenarios/holdout14.conf`, then `holdout14b.conf`): eleven guests
whose writer changes its rate once, at a moment no earlier round announces (the testbed's workload
`step:R:AFTER:R2:W`): a job ends (`xen-jd*`: a guest faster than the link, whose count falls by a few
percent a round towards a level, converges within two rounds of the step; or one converging at two
thirds of the link goes idle) or starts (`xen-ju*`: a converging guest turns into a writer near or
above the link's pace), in round 1, in round 2 or 3, or after five to nine level rounds; 192 MiB to
384 MiB guests, 100 Mbit/s to 1 Gbit/s, recorded on the patched tools (peeks in every round) with no
change to `predictive` since stop 20. Three of the first eight (`xen-jd30`, `xen-ju24`, `xen-ju12`)
converged before their step came (the emulated machine sent faster than planned for; tests/e2e/report.py
places each step, docs/e2e.md): uniform writers at one rate, kept as recorded; the second part placed
three more steps inside the rounds. `precopy evaluate data/traces/xen-j*.csv` (then `--ignore-curve`,
then `--loop stock-peek`): patched loop median 1.0126, worst 1.45 (`xen-jd24`; floor 1.08), two more
than 2% worse than Xen (`xen-ju14`, `xen-ju40`; above); Xen: median 1.17, worst 1.44 (its fixed fifth
round falls before a late step-down and after an early step-up); the paper's Table 1 median 1.36,
worst 2.10. The same without the peeks and through the preload (stock Xen, the count read at call B):
median 1.0126, worst 1.45. One-step prediction error 7.7% (the paper's model 51.6%). Budgets: 20 of 26
(trace, budget) cases in the patched loop; the six misses are the two late step-downs, whose count
held level above every budget until the job ended (`xen-jd14`, `xen-jd24`). A step-up that leaves no
round fitting a budget once cost far more: with a 1 s budget, the roll-forward to the budget, extended
below the rounds by the peeks of the quieter rounds before the step, found one within reach after
every rise, and `xen-ju16` ran 15 rounds (2.78 × the oracle's J); a count that has just clearly risen
now ends that roll-forward (9 rounds, 1.97; [predictive.md](predictive.md)). Live, three of the shapes
under each policy: `tests/e2e/scenarios/step-live.conf` ([paper-reproduction.md](paper-reproduction.md)).
Where a job faster than the link starts in round 2 or 3, the paper's stop after round 2 is the oracle's.

MD
  j_table "$data/holdout14-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout14-patched.md"
  echo
  printf '\nThe same traces without their peeks (`--ignore-curve`):\n\n'
  j_table "$data/holdout14-nopeeks.md"
  printf 'Through the preload on stock Xen (`--loop stock-peek`):\n\n'
  j_table "$data/holdout14-stockpeek.md"
  grep -A6 '^### Downtime budget' "$data/holdout14-stockpeek.md"
  cat <<'MD'
### Held out, fifteenth set: guests that compile, the paper's own workload

`data/traces/xen-o*.csv` (`tests/e2e/scenarios/holdout15.conf`, and the two recordings of
`paper3.conf`): ten guests that compile C (the testbed's workload `compile:J`: gcc `-O2 -g -c`, the
host's gcc 12, over the project's own C files preprocessed with their headers, J compilers side by
side as `make -jJ`), the workload the seed paper migrated. Every earlier set's guest ran the testbed's
own writer or a busybox gzip or sort; a compiler is a new process per file, whose heap the guest's
kernel hands out from the pages the last one freed, and a working set that is neither a region nor a
rate. Its count jumps from round to round by a third and more (`xen-o512cc`, rounds 15 to 18: 912, 557,
1015, 501 pages, each round a third of a second or less). One to three compilers on one or two vCPUs, 256 MiB to
1 GiB, links of 25 Mbit/s to 1 Gbit/s (the emulated machine compiles a file every 3 to 5 s; the
slower links make the compile heavier against what they send), recorded on the patched tools
(peeks in every round) with no change to `predictive` since stop 21. `precopy evaluate
data/traces/xen-o*.csv`: patched loop median 1.0069, worst 1.09 (`xen-o2b`, as Xen's; floor 1.05),
none more than 2% worse than Xen; Xen median 1.013, worst 1.13; the paper's Table 1 median 1.14, worst
1.17, stopping after round 2 on all ten. Budgets: 19 of 21 (trace, budget) cases; the two misses are
the 1 GiB and 512 MiB guests of the paper's setup at 100 ms, whose count jumps about a level above
100 ms of downtime and first dips below it at round 22 and 20, where `predictive` has given up on the
budget. The one-step prediction error is 18.5% here (the paper's model 85.2%): a compiler's next round
is not in the curve of its last ones. Without the peeks, and through the preload on stock Xen (the
count read at call B), the median is 1.026 and the worst 1.18, two more than 2% worse than Xen
(`xen-o1c` 1.18 against 1.01, `xen-o1gcc` 1.04 against 1.01): on `xen-o1c` the count rose after a
shorter round (381, then 458 pages), `predictive` waited for a round as quiet as the quietest, and
the count crept up for six rounds (447, 491, 491, 544, 718) while the ski-rental bound, priced from the
count of the moment, rose with it; it stopped at 1380 pages, the highest since round 2 (the weakness
the step stress set below measures; with every round's peeks the curve predicts the level, and it
stops at round 6, 1.01). The stock loop, deciding on a predicted count: median 1.011, worst 1.10, none
more than 2% worse than Xen. Live, the paper's two setups under each policy:
[paper-reproduction.md](paper-reproduction.md).

MD
  j_table "$data/holdout15-patched.md"
  grep -A6 '^### Downtime budget' "$data/holdout15-patched.md"
  echo
  printf '\nThe same traces without their peeks (`--ignore-curve`):\n\n'
  j_table "$data/holdout15-nopeeks.md"
  printf 'Through the preload on stock Xen (`--loop stock-peek`):\n\n'
  j_table "$data/holdout15-stockpeek.md"
  printf 'The stock loop (`--loop stock`):\n\n'
  j_table "$data/holdout15-stock.md"
  cat <<'MD'
## Stress: guests whose count only jitters (not in the corpus)

40 synthetic traces from `bench/jittery_traces.py DIR --noise 0.3`: each round's dirty count is drawn
afresh, uniform in 70–100% of a level that never falls, so a count that rises after a shorter round is
noise, not a burst that will pass. A rule that waits for a quiet phase would burn rounds here; this
is why `predictive` waits only where it sees each count before it stops (the patched loop). This is
also where the newest round flooring the guess costs most: a count drawn high is taken for the phase
the next round starts in, so the guess after it is too high (the worst from 1.41 to 1.56 in the
patched loop, 1.40 to 1.46 in the stock loop; traces more than 2% worse than Xen from 2 to 3; the
median unchanged; `bench/compare.py 6a64def`). A round whose rate fell guessing the next (commit
d7739f7) costs here too: a count drawn low is taken at its word, once per guest, before the guest's
record of such falls says not to; one round on 4 of the 40 (traces more than 2% worse than Xen in the
patched loop from 3 to 6, the worst and the median unchanged; `bench/compare.py a8e6304`).

MD
  j_table "$data/jitter-patched.md"
  j_table "$data/jitter-stock.md"
  cat <<'MD'
## Stress: bursty guests like the testbed's (simulated, not in the corpus)

60 traces from `bench/bursty_traces.py DIR`: `precopy simulate --workload bursty` (a writer that is on
for 1–3 s and off for 1–4 s, 4–32 MiB/s into 24–96 MiB, as `memcheck -b` in the e2e testbed) on 128–256
MiB guests over 100–200 Mbit/s, where rounds last about as long as a burst or a pause. A round that
falls in a pause leaves a few pages dirty and the migration is over; until one does, the count may hold
level for rounds, which is what a writer that never converges does too. Cutting at the first level count
(commit 0b49814) put `predictive` more than 2% above Xen on 6 of these 60 guests (worst 2.5 × the
oracle; Xen's fixed five rounds outlast most bursts, worst 1.54). With one more look before its first
stop (see [predictive.md](predictive.md)) that is 1 of 60 in the patched loop, worst 1.30 (1.28 before
the newest round floored the guess: `bursty-07` had gone on through a burst on a fall the curve
predicted and the floor rules out, and found the pause; with the floor it waits on the burst ending,
ski rental, and gives up a round before the pause), and about
45% less downtime than Xen's in all; on the plateau twins, the guests that do stay level, its median is
1.009, Xen's (1.006 before commit 08b2cbd: going on where the look's round fell below the curve buys a
round on twins that level off right after). In the stock loop, which decides blind, 5 of 60 (worst 1.54; 4 and 1.49 before
the look was taken there too, commit da8cfae: it saves some bursts and costs a round on others). A
count that holds level through the look's round is still cut (`bursty-14`; see
[predictive.md](predictive.md)); on `bursty-13` the look's round fell below the curve, `predictive`
went on and found the pause (1.30 to 1.10), and pays for it on the twin level from round 5 (1.47).
With downtime budgets (the patched loop's table below) `predictive` meets every budget the oracle meets
but two (one before the floor: `bursty-07` at 100 ms, as above); where no round meets it, the budget rule used to take every round that fell in a pause for a
guest still converging and kept going for 20 and more rounds (J a median 1.65 × the oracle's, worst
2.39); it now judges the whole pursuit (commit ad7bd4a, see [predictive.md](predictive.md)): median
1.18, worst 1.45; with the newest round flooring the guess, 1.09 and 1.16 (100 ms); now 1.09 and 1.12. Guessing the next
round at the rate of a round whose rate fell (commit d7739f7) stops 5 of the 60 nearer the oracle
(`bursty-14` 1.28 and `bursty-57` 1.10 to 1.0000, `bursty-10` 1.20 to 1.08) and one further from it
(`bursty-15`, 1.03 to 1.06): geometric mean 1.020 to 1.013, worst unchanged
(`bench/compare.py a8e6304`).

MD
  j_table "$data/bursty-patched.md"
  grep -A6 '^### Downtime budget' "$data/bursty-patched.md"
  echo
  sed -n '/^### The online floor/,$p' "$data/bursty-patched.md"
  echo
  j_table "$data/bursty-stock.md"
  cat <<'MD'
## Stress: a job that starts or ends during the migration (simulated, not in the corpus)

60 traces from `bench/step_traces.py DIR`: `precopy simulate --workload step` (uniform writes at one
rate, then from a given moment at another, as `memcheck -p` in the e2e testbed), the rates drawn from 0
to 2 × the link's page rate before and after, the step from a third of round 1 to three times its
length into the migration, 128 MiB to 2 GiB over 100 Mbit/s to 10 Gbit/s. `predictive` median 1.0015,
worst 2.88, three more than 2% worse than Xen (Xen: worst 2.37). Its misses are step-ups: a converging
guest whose count starts to rise round after round, each round longer than the last (`step-56`:
48225, then 86196, 139918, 201525 pages). A rise that follows a quieter round is what a bursty guest
shows at the start of a burst, and `predictive` waits for a round as quiet as the quietest so far,
bounded by ski rental; but the bound is what a quiet round would save from the count now, and a count
that keeps rising raises it with every round waited, so on a step-up the waiting costs about as much
again as the migration (2.2 to 2.9 × the oracle's J on three of the 60; on a real guest, live, five
rounds of waiting: [paper-reproduction.md](paper-reproduction.md)). Three ways to stop that were tried
and not kept, because bursty guests pay for them: waiting for a quiet phase only on a guest whose rate
has also been seen to fall (commit 7751827, reverted), a prize frozen at what the hope was worth when
the waiting began (commit 160f35d, reverted) and a quiet phase valued at one round's fall (commit
dc4763c, reverted); [predictive.md](predictive.md) has the figures. With budgets the misses are step-downs after level rounds, as on the real fourteenth set.

MD
  j_table "$data/step-patched.md"
  grep -A6 '^### Downtime budget' "$data/step-patched.md"
  echo
  sed -n '/^### The online floor/,$p' "$data/step-patched.md"
  echo
  printf 'Through the preload on stock Xen (`--loop stock-peek`):\n\n'
  j_table "$data/step-stockpeek.md"
  cat <<'MD'
## Patched loop without peeks

The simulated traces carry peeks at the dirty bitmap inside round 1 (`# section=curve`, what
`XEN_DOMCTL_SHADOW_OP_PEEK` would read), and so do the real traces recorded through the patched tools
(`xen-p*`, `xen-q*`, `xen-r*`, above); the real traces recorded through the preload on stock Xen do not. The same run with
the peeks dropped (`precopy evaluate --ignore-curve`) shows what they are worth: `predictive` must then
extrapolate the curve from whole rounds.

MD
  j_table "$data/no-peeks.md"
  grep -A4 '^### One-step' "$data/no-peeks.md"
  echo
  cat <<'MD'
## Stock loop (libxenguest's call A / call B protocol, `precopy_xen_policy` alone)

In the stock loop a policy either stops before a round's dirty count is known (call B) or one round
after it (call A), so every policy does a little worse than in the patched loop; `predictive` decides at
call B from its predicted count and claims a downtime budget there only when the curve's upper bound fits.
This is what a toolstack that installs `precopy_xen_policy` alone gets; the preload on stock Xen reads
the count at call B (next section).

MD
  cat "$data/stock.md"
  cat <<'MD'
## Stock Xen through the preload: the count read at call B (`--loop stock-peek`)

Stock `send_memory_live()` reads a round's dirty bitmap only after call B, and Xen counts the pages
dirtied since the last read, so `XEN_DOMCTL_SHADOW_OP_PEEK` without a bitmap at call B returns the
round's count (less the pages dirtied between the peek and the read). `libprecopy_preload` takes it
there and passes it on (`precopy_xen_policy_peeked`), and `predictive` decides on it as in the patched
loop, on unmodified Xen; only the peeks inside rounds (patch 4) are missing. Against the stock loop
without the count (above): median 1.0023 against 1.0025, worst 1.45 against 1.78, 11 traces more than
2% worse than Xen against 11, downtime budgets met on 469 of 489 (trace, budget) cases at the oracle's
total time against 452 at up to 1.16 × it. `predictive` stops where the patched loop without in-round peeks
(`--ignore-curve`) stops on every trace (`StockPeekLoop.*`, src/replay_test.cc; the fuzz target
`replay` checks it on arbitrary traces). The other policies decide as in the stock loop.

MD
  cat "$data/stock-peek.md"
  cat <<'MD'
## Where each policy stops

Dirty pages per live round (grey) for one trace of each workload; the marks are the rounds after which
each policy enters stop-and-copy (the oracle's is the best one).

MD
  for stem in "${examples[@]}"; do echo "![$stem](plots/dirty-$stem.svg)"; echo; done
  cat <<'MD'
## Time against downtime

![time vs downtime](plots/time-vs-downtime.svg)

## Cost of a decision

`observe()` + `decide()` through the C ABI, per round, CPU time (median of 5 repetitions of Google
Benchmark's `bench/policy_bench.cc`, run side by side in one process; the machine is shared, so compare the
ratios, not the absolute numbers):

| policy | CPU ns per round | relative to xen |
|---|---|---|
MD
  xen_ns=$(echo "$bench" | grep '/xen_median' | cut -d, -f4)
  echo "$bench" | while IFS=, read -r name _ _ cpu _; do
    name=${name//\"/}; name=${name#BM_ObserveDecide/}; name=${name%_median}
    printf '| %s | %.0f | %.2f |\n' "$name" "$cpu" "$(echo "$cpu / $xen_ns" | bc -l)"
  done
  cat <<'MD'

## The paper's own evaluation, in simulation and on real Xen

See [paper-reproduction.md](paper-reproduction.md): in simulation (`bench/paper_repro.sh`), and with
512 MiB and 1 GiB guests migrated by `xl migrate` in the testbed (`bench/paper_real.py`; the recordings
are the eleventh held-out set above).
MD
} >"$out"
echo "evaluate.sh: wrote $out and $plots/" >&2
