#!/bin/bash
# tests/e2e/selftest.sh -- host-only checks of the testbed's own tools (seconds, no QEMU):
#   memcheck finds a simulated lost page update (and none without one), ratepipe limits the
#   rate and counts bytes exactly, tsloop reports gaps, report.py parses a sample run, and
#   every scenario file loads.
set -uo pipefail
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

gcc -O2 -static -Wall -o "$tmp/memcheck" "$E2E_DIR/guest/memcheck.c" &&
gcc -O2 -static -Wall -o "$tmp/tsloop" "$E2E_DIR/guest/tsloop.c" &&
gcc -O2 -static -Wall -o "$tmp/ratepipe" "$E2E_DIR/dom0/ratepipe.c" &&
gcc -O2 -shared -fPIC -Wall -o "$tmp/xl-showprogress.so" "$E2E_DIR/dom0/xl-showprogress.c" -ldl ||
  { echo "FAIL build"; exit 1; }

timeout 5 "$tmp/memcheck" -m 4 -r 2000 -v 1 -f 1 > "$tmp/clean.out"
last=$(grep 'E2E CHECK' "$tmp/clean.out" | tail -1)
[[ $last == *bad_total=0* ]] && grep -q 'pass=3' "$tmp/clean.out" && ok "memcheck: no mismatch without a lost update" ||
  bad "memcheck clean run: $last"

timeout 4.5 "$tmp/memcheck" -m 4 -r 100 -v 1 -X > "$tmp/lost.out"
grep -q 'E2E MISMATCH page=0 generation' "$tmp/lost.out" && grep -q 'bad_total=1$' "$tmp/lost.out" &&
  ok "memcheck: a simulated lost update is reported" || bad "memcheck -X did not report the lost update"

t0=$(date +%s.%N)
head -c 3000000 /dev/urandom | "$tmp/ratepipe" -r 1000000 -o "$tmp/count" > /dev/null
t1=$(date +%s.%N)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
grep -q '^bytes=3000000 ' "$tmp/count" && awk -v e="$el" 'BEGIN{exit !(e > 2.4 && e < 4.5)}' &&
  ok "ratepipe: 3 MB at 1 MB/s took ${el}s, counted $(cut -d' ' -f1 "$tmp/count")" ||
  bad "ratepipe: took ${el}s, count $(cat "$tmp/count" 2>/dev/null)"
head -c 1234567 /dev/zero | "$tmp/ratepipe" -o "$tmp/count2" | wc -c | grep -qx 1234567 &&
  grep -q '^bytes=1234567 ' "$tmp/count2" && ok "ratepipe: unlimited copies and counts exactly" ||
  bad "ratepipe unlimited"

( timeout 2.5 "$tmp/tsloop" 0.5 > "$tmp/ts.out" 2>/dev/null ) ; :
grep -q 'E2E TSLOOP start' "$tmp/ts.out" && ok "tsloop: starts and reports" || bad "tsloop"

for f in "$E2E_DIR"/scenarios/*.conf; do
  if bash -c "source '$E2E_DIR/lib/scenario.sh'; e2e_load_scenario '$f'" >/dev/null; then ok "scenario loads: $(basename "$f")"
  else bad "scenario does not load: $f"; fi
done

python3 - "$E2E_DIR" <<'PY' && ok "report.py: parses progress, decisions, gaps, checks" || bad "report.py parsing"
import sys
sys.path.insert(0, sys.argv[1])
import report
xl = ['xc: detail: Frames iteration 0: 1024/4096   25%', 'xc: detail: Frames iteration 0: 4096/4096  100%',
      'xc: progress: Frames iteration 1: 300/300  100%',
      'precopy: info: policy=predictive at=after-bitmap round=1 dirty_pages=300 decision=stop reason="fits"',
      'xc: progress: Domain now suspended: 0/0    0%', 'xc: detail: Frames iteration 2: 120/120  100%']
r = report.parse_xl_log(xl)
assert r['live_rounds'] == 2 and r['pages_per_round'] == [4096, 300] and r['stop_copy_pages'] == 120, r
assert r['stop_reason'] == 'round 1: fits', r
g, c, m = report.parse_console(['E2E GAP wall_end=100.5 gap_ms=812.0 over=1',
                                'E2E CHECK wall=101.0 pass=3 full=0 pages=10 writes=5 bad=0 bad_total=0',
                                'E2E CHECK wall=101.0 pass=3 full=0 pages=10 writes=5 bad=0 bad_total=0'])
assert g == [(100.5, 812.0)] and len(c) == 1 and not m, (g, c, m)
t = report.normalise_trace(['# precopy-trace v1', '# memory_pages=4; page_size=4096', 'round,dirty_pages,seconds,pages_sent', '1,2,0.5,4'], 'idle', '1g')
assert '# source=xen; workload=idle; link=1g' in t, t
PY

echo "selftest: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
