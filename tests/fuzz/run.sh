#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) in their own build directory and runs each one
# for a fixed number of executions or a fixed time, one after another on one core.
#
#   tests/fuzz/run.sh [--runs N] [--time SECONDS] [--build-dir DIR] [TARGET...]
#
#   --runs N        executions per target (default 200000)
#   --time SECONDS  wall-clock budget per target; with --runs too, whichever limit comes first
#   --build-dir DIR build directory (default: build/fuzz in the repository)
#   TARGET          a subset of: trace_parser c_api xen_policy replay (default: all)
#
# Seeds come from tests/fuzz/corpus/<target>/ (and data/traces/*.csv for the trace readers); inputs the
# fuzzer finds go to <build-dir>/corpus/<target>/, crashes to <build-dir>/artifacts/. Prints a Markdown
# table (target, executions, crashes, corpus size, seconds). Exits non-zero if any target crashed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=200000
time_budget=""
runs_given=0
build_dir="$repo/build/fuzz"
targets=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; runs_given=1; shift 2 ;;
    --time) time_budget=$2; shift 2 ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    trace_parser|c_api|xen_policy|replay) targets+=("$1"); shift ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(trace_parser c_api xen_policy replay)
[[ "$runs" =~ ^[0-9]+$ ]] || { echo "run.sh: --runs needs a whole number" >&2; exit 2; }
[[ -z "$time_budget" || "$time_budget" =~ ^[0-9]+$ ]] || { echo "run.sh: --time needs whole seconds" >&2; exit 2; }

# ---- build ---------------------------------------------------------------------------------------
cmake -S "$repo" -B "$build_dir" -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPRECOPY_FUZZ=ON -DPRECOPY_SANITIZE=address,undefined \
  -DPRECOPY_WERROR=ON -DPRECOPY_BUILD_TESTS=OFF -DPRECOPY_BUILD_BENCH=OFF >"$build_dir.configure.log" 2>&1 ||
  { cat "$build_dir.configure.log" >&2; exit 1; }
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "fuzz_$t"); done
cmake --build "$build_dir" -j2 "${build_targets[@]}"

# ---- run -----------------------------------------------------------------------------------------
# Per-target limits: inputs long enough for many rounds and calls, short enough to keep executions fast.
max_len_of() {
  case "$1" in
    trace_parser|replay) echo 8192 ;;
    *) echo 1024 ;;
  esac
}

# Short allocation stacks: recording full ones for every malloc costs a fifth of the run, and a crash
# reproduces from its saved input with full stacks anyway.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:malloc_context_size=4}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$build_dir/artifacts" "$build_dir/logs"

table="| target | executions | crashes | new inputs | corpus size | seconds |
|---|---:|---:|---:|---:|---:|"
failed=0
for t in "${targets[@]}"; do
  work_corpus="$build_dir/corpus/$t"
  mkdir -p "$work_corpus"
  seeds=("$repo/tests/fuzz/corpus/$t")
  if [[ "$t" == trace_parser || "$t" == replay ]]; then
    compgen -G "$repo/data/traces/*.csv" >/dev/null && seeds+=("$repo/data/traces")
  fi
  flags=(-max_len="$(max_len_of "$t")" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=512
         -print_final_stats=1 -artifact_prefix="$build_dir/artifacts/$t-")
  [[ -f "$repo/tests/fuzz/$t.dict" ]] && flags+=(-dict="$repo/tests/fuzz/$t.dict")
  [[ -n "$time_budget" ]] && flags+=(-max_total_time="$time_budget")
  [[ -z "$time_budget" || $runs_given -eq 1 ]] && flags+=(-runs="$runs")
  log="$build_dir/logs/$t.log"
  echo "run.sh: fuzzing $t (log: $log)" >&2
  start=$(date +%s)
  status=0
  "$build_dir/fuzz_$t" "${flags[@]}" "$work_corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
  seconds=$(( $(date +%s) - start ))
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  new_units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  corpus_size=$(find "$work_corpus" -type f | wc -l)
  crashes=0
  if [[ $status -ne 0 ]]; then
    crashes=1
    failed=1
    echo "run.sh: $t FAILED (exit $status); the end of its log:" >&2
    tail -40 "$log" >&2
  fi
  table+="
| $t | ${executions:-?} | $crashes | ${new_units:-?} | $corpus_size | $seconds |"
done
echo "$table"
exit $failed
