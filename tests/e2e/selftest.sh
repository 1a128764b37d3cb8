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

gcc -O2 -static -Wall -o "$tmp/memcheck" "$E2E_DIR/guest/memcheck.c" -lm &&
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

# The skewed writer (workload zipf) rewrites its hot pages and leaves much of the region untouched
# where the uniform one, with as many writes, has touched nearly all of it (1024 pages, about 4000
# writes: uniform about 98%, Zipf with s = 1 about 73%).
# field FILE N KEY: KEY's value on the N-th CHECK line memcheck printed.
field() { grep 'E2E CHECK' "$1" | sed -n "$2p" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
touched() { field "$1" 2 touched; }
timeout 2.5 "$tmp/memcheck" -m 4 -r 2000 -v 1 -f 1 > "$tmp/uniform.out"
timeout 2.5 "$tmp/memcheck" -m 4 -r 2000 -v 1 -f 1 -z 1 > "$tmp/zipf.out"
u=$(touched "$tmp/uniform.out") z=$(touched "$tmp/zipf.out")
[[ -n $u && -n $z ]] && grep -q 'zipf=1.00' "$tmp/zipf.out" && (( u > 900 && z * 100 < u * 85 )) &&
  grep -q 'bad_total=0$' "$tmp/zipf.out" && ok "memcheck -z: $z of 1024 pages touched where uniform writes touched $u" ||
  bad "memcheck -z: touched uniform=$u zipf=$z"
"$tmp/memcheck" -m 4 -z 0 > /dev/null 2>&1; [ $? = 2 ] && ok "memcheck -z 0 refused" || bad "memcheck -z 0 accepted"
# The sweep (workload sweep) writes its region in order: until it wraps, every write is a page not yet
# written, so touched equals writes exactly (the constant rate of the seed paper's model), and once it
# has gone round, touched is the whole region.
timeout 2.5 "$tmp/memcheck" -m 4 -r 300 -v 1 -f 1 -s > "$tmp/sweep.out"
timeout 2.5 "$tmp/memcheck" -m 4 -r 3000 -v 1 -f 1 -s > "$tmp/sweepfull.out"
w1=$(field "$tmp/sweep.out" 1 writes) t1=$(field "$tmp/sweep.out" 1 touched)
w2=$(field "$tmp/sweep.out" 2 writes) t2=$(field "$tmp/sweep.out" 2 touched) tf=$(field "$tmp/sweepfull.out" 2 touched)
[[ -n $w1 && -n $w2 && -n $tf ]] && grep -q 'sweep=1' "$tmp/sweep.out" && (( w1 > 0 && w2 > w1 && w2 < 1024 )) &&
  [[ $t1 == "$w1" && $t2 == "$w2" && $tf == 1024 ]] && grep -q 'bad_total=0$' "$tmp/sweepfull.out" &&
  ok "memcheck -s: touched = writes ($t1, $t2) until the region is full, then all 1024 pages" ||
  bad "memcheck -s: writes $w1/$w2 touched $t1/$t2, full run touched $tf"
"$tmp/memcheck" -m 4 -s -z 1 > /dev/null 2>&1; [ $? = 2 ] && ok "memcheck -s -z refused" || bad "memcheck -s -z accepted"
# The step (workload step) changes the rate once, at the time given, and says when: writes before the
# step, none after a step to 0, and one step line between the first and the second check.
timeout 3.5 "$tmp/memcheck" -m 4 -r 2000 -p 1.5:0 -v 1 -f 1 > "$tmp/step.out"
s1=$(field "$tmp/step.out" 1 writes) s2=$(field "$tmp/step.out" 2 writes) s3=$(field "$tmp/step.out" 3 writes)
[[ -n $s1 && -n $s3 ]] && (( s1 > 0 && s2 > s1 && s3 == s2 )) &&
  [ "$(grep -c 'E2E MEMCHECK step wall=.* rate=0$' "$tmp/step.out")" = 1 ] &&
  sed -n '/E2E CHECK.*pass=1 /,/E2E CHECK.*pass=2 /p' "$tmp/step.out" | grep -q 'MEMCHECK step' &&
  grep -q 'bad_total=0$' "$tmp/step.out" &&
  ok "memcheck -p: writes $s1, $s2 until the step at 1.5 s, then none ($s3)" ||
  bad "memcheck -p: writes $s1/$s2/$s3; $(grep -c 'MEMCHECK step' "$tmp/step.out") step lines"
"$tmp/memcheck" -m 4 -r 10 -p 1:-1 > /dev/null 2>&1; [ $? = 2 ] && ok "memcheck -p with a negative rate refused" ||
  bad "memcheck -p 1:-1 accepted"

# At least the time the rate allows (3 s, with a little slack for the token bucket's first burst); no
# upper bound: a loaded machine may take longer, and that is not the limiter's fault.
t0=$(date +%s.%N)
head -c 3000000 /dev/urandom | "$tmp/ratepipe" -r 1000000 -o "$tmp/count" > /dev/null
t1=$(date +%s.%N)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
grep -q '^bytes=3000000 ' "$tmp/count" && awk -v e="$el" 'BEGIN{exit !(e > 2.4)}' &&
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
wrong=
for w in writer:8:64 bursty:20:3:2:128 zipf:16 zipf:16:128:0.8 sweep:8 sweep:12:96 step:16:40:1:128 step:4:30:0 \
         gzip:64 sort idle compile compile:2; do
  bash -c "source '$E2E_DIR/lib/scenario.sh'; e2e_check_workload '$w'" || wrong+=" $w refused;"
done
for w in writer writer:0 bursty:20:3 zipf:16:128:0 sweep sweep:8:64:1 step:8:30 step:0:30:8 step:8:30:-1 \
         step:8:30:4:0 gzip:0.5 idle:1 wirter:8 compile:0 compile:1.5 compile:2:1; do
  printf 'scenario w\nguest g1 memory=64 workload=%s\n' "$w" > "$tmp/badwl.conf"
  bash -c "source '$E2E_DIR/lib/scenario.sh'; e2e_load_scenario '$tmp/badwl.conf'" 2>"$tmp/badwl.err" &&
    wrong+=" $w accepted;"
  grep -q "workload=$w: not one the guest runs" "$tmp/badwl.err" || wrong+=" $w without a reason;"
done
[ -z "$wrong" ] && ok "scenario: workloads the guest runs load, malformed ones are refused with a reason" ||
  bad "scenario: workloads:$wrong"
# A bad line anywhere fails the load, not only the last (source returns the last line's status), and a
# guest too small for its workload's pages (the writer would be killed for want of memory) is refused.
printf 'scenario s\nlink l 100mbit\nguest g1 memory=192 workload=zipf:16:128\nmigrate g1 link=l\n' > "$tmp/small.conf"
if ! bash -c "source '$E2E_DIR/lib/scenario.sh'; e2e_load_scenario '$tmp/small.conf'" 2>"$tmp/small.err" &&
   grep -q 'memory=192 is too small for workload=zipf:16:128: it needs at least 208 MiB' "$tmp/small.err" &&
   grep -q '1 bad line(s)' "$tmp/small.err"; then ok "scenario: a bad line before the last fails the load; too small a guest is refused"
else bad "scenario: a bad guest line before the last: $(cat "$tmp/small.err")"; fi
printf 'scenario c\nguest g1 memory=192 workload=compile\n' > "$tmp/smallcc.conf"
if ! bash -c "source '$E2E_DIR/lib/scenario.sh'; e2e_load_scenario '$tmp/smallcc.conf'" 2>"$tmp/smallcc.err" &&
   grep -q 'memory=192 is too small for workload=compile: it needs at least 208 MiB' "$tmp/smallcc.err"; then
  ok "scenario: a compiling guest needs room for the compiler's files and heap"
else bad "scenario: compile in 192 MiB: $(cat "$tmp/smallcc.err")"; fi
printf 'scenario m\nguest g1 memory=1g\n' > "$tmp/badmem.conf"
if ! bash -c "source '$E2E_DIR/lib/scenario.sh'; e2e_load_scenario '$tmp/badmem.conf'" 2>"$tmp/badmem.err" &&
   grep -q 'memory=1g: a whole number of MiB' "$tmp/badmem.err"; then ok "scenario: memory=1g refused with a reason"
else bad "scenario: memory=1g was not refused"; fi

# The compiling guest's compiler (lib/compiler.sh) is whole: in a root holding nothing else it compiles
# every source the guest compiles (the guest's initramfs adds only busybox). Needs root or user namespaces.
ccroot="$tmp/ccroot"
if (REPO_ROOT="$E2E_DIR/../.."; source "$E2E_DIR/lib/compiler.sh"; stage_compiler "$ccroot") 2>"$tmp/cc.err"; then
  # absolute paths: the compiles run with the guest's PATH, which has no sbin
  as_root=("$(command -v chroot)"); [ "$(id -u)" = 0 ] || as_root=("$(command -v unshare)" -r "${as_root[0]}")
  if "${as_root[@]}" "$ccroot" /usr/bin/gcc --version >/dev/null 2>&1; then
    n_src=0 n_obj=0
    for f in "$ccroot"/src/*.i; do
      n_src=$((n_src + 1)); o=/tmp/$(basename "$f" .i).o
      PATH=/usr/bin "${as_root[@]}" "$ccroot" /usr/bin/gcc -O2 -g -c "/src/$(basename "$f")" -o "$o" 2>>"$tmp/cc.err" &&
        [ -s "$ccroot$o" ] && n_obj=$((n_obj + 1))
    done
    (( n_src >= 8 && n_obj == n_src )) && ok "compile workload: the staged compiler alone compiles all $n_src sources" ||
      bad "compile workload: $n_obj of $n_src sources compiled in the staged root: $(head -c 400 "$tmp/cc.err")"
  else
    echo "skip compile workload: no chroot here (neither root nor user namespaces)"
  fi
else
  bad "compile workload: staging the compiler failed: $(cat "$tmp/cc.err")"
fi

# The operator's guide walk-through reads docs/operators-guide.md: its blocks must extract as the dom0
# will run them (a guide edit that breaks this fails here, in seconds, before QEMU).
( source "$E2E_DIR/dom0/lib.sh"; guide_blocks "$E2E_DIR/../../docs/operators-guide.md" "$tmp/guide" g1 )
runnable=$(ls "$tmp"/guide/*.sh 2>/dev/null | wc -l)
if ls "$tmp"/guide/*.sh.skipped >/dev/null 2>&1 && [ "$runnable" -ge 5 ] &&
   ! grep -l 'mydomain\|otherhost' "$tmp"/guide/*.sh >/dev/null &&
   grep -q '^apt-get install \./libprecopy0_' "$tmp"/guide/*.sh && grep -q '^apt-get purge libprecopy0' "$tmp"/guide/*.sh &&
   grep -q 'xl migrate g1 localhost' "$tmp"/guide/*.sh &&
   for b in "$tmp"/guide/*.sh; do [ "$(tail -n 1 "$b")" = ":" ] || exit 1; bash -n "$b" || exit 1; done; then
  ok "operator's guide: $runnable runnable blocks (+ the build block), words replaced, each parses"
else
  bad "operator's guide: block extraction ($runnable runnable blocks in $tmp/guide)"
fi

python3 - "$E2E_DIR" "$tmp" <<'PY' && ok "report.py: judges the operator's guide records" || bad "report.py guide judging"
import contextlib, io, os, sys
sys.path.insert(0, sys.argv[1])
import report
tmp = sys.argv[2]
scen = os.path.join(tmp, 'g.conf')
with open(scen, 'w') as f:
    f.write('scenario g\nguest g1 memory=64\noperator_guide g1\n')
def run(lines):
    out = os.path.join(tmp, 'out-%d' % len(lines))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'serial.log'), 'w') as f:
        f.write('\n'.join(lines + ['E2E|END|rc=0']) + '\n')
    class A: pass
    a = A(); a.out = out; a.scenario = scen; a.scenario_name = 'g'; a.precopy = ''; a.qemu_rc = '0'; a.record_dir = ''
    with contextlib.redirect_stdout(io.StringIO()):
        return report.collect(a)
good = ['E2E|GUIDE|BLOCK|n=01|section=1. Install|skipped=build machine (ran on the host)',
        'E2E|GUIDE|BLOCK|n=02|section=2. Migrate|failed_commands=0|first_line=xl migrate g1 localhost',
        'E2E|GUIDE|CHECK|n=02|what=precopy decided|ok=1|detail=x',
        'E2E|GUIDE|BLOCK|n=03|section=5. Roll back|failed_commands=0|first_line=apt-get purge libprecopy0',
        'E2E|GUIDE|CHECK|n=03|what=libprecopy0 purged|ok=1|detail=gone']
assert run(good) == 0
assert run(good + ['E2E|GUIDE|CHECK|n=03|what=guest running after the migration|ok=0|detail=gone']) == 1
assert run([l.replace('failed_commands=0', 'failed_commands=2') for l in good]) == 1
assert run(good[:3]) == 1          # the purge step never ran
assert run(good[:1]) == 1          # no block ran
PY

python3 - "$E2E_DIR" <<'PY' && ok "report.py: parses progress, decisions, gaps, checks" || bad "report.py parsing"
import sys
sys.path.insert(0, sys.argv[1])
import report
xl = ['xc: detail: Frames iteration 0: 1024/4096   25%', 'xc: detail: Frames iteration 0: 4096/4096  100%',
      'xc: progress: Frames iteration 1: 300/300  100%',
      'libxl-save-helper: debug: precopy round 1: 217 dirty after 0.157s',
      'precopy: info: policy=predictive at=after-bitmap round=1 dirty_pages=300 decision=stop reason="fits"',
      'xc: progress: Domain now suspended: 0/0    0%', 'xc: detail: Frames iteration 2: 120/120  100%']
r = report.parse_xl_log(xl)
assert r['live_rounds'] == 2 and r['pages_per_round'] == [4096, 300] and r['stop_copy_pages'] == 120, r
assert r['stop_reason'] == 'round 1: fits', r
assert len(r['decision_lines']) == 1 and r['peek_lines'] == ['libxl-save-helper: debug: precopy round 1: 217 dirty after 0.157s'], r
shared = ['xc: progress: Frames iteration 1: 40/40  100%precopy: info: policy=predictive at=after-bitmap '
          'round=7 dirty_pages=40 decision=stop reason="no pay"']
r = report.parse_xl_log(shared)  # libxc's progress ends in a carriage return: the decision shares its line
assert r['pages_per_round'] == [40] and r['stop_reason'] == 'round 7: no pay', r
g, c, m, k, clk = report.parse_console(['E2E TSLOOP start wall=99.0 threshold_ms=20.0 clock=boottime',
                                        'E2E GAP wall_end=100.5 gap_ms=812.0 over=1',
                                        'E2E CHECK wall=101.0 pass=3 full=0 pages=10 writes=5 bad=0 bad_total=0',
                                        'E2E CHECK wall=101.0 pass=3 full=0 pages=10 writes=5 bad=0 bad_total=0'])
assert g == [(100.5, 812.0)] and len(c) == 1 and not m and not k and clk == 'boottime', (g, c, m, k, clk)
assert report.parse_console(['E2E TSLOOP start wall=99.0 threshold_ms=20.0'])[4] == 'monotonic'  # an old observer
k = report.parse_console(['[    4.824837] Out of memory: Killed process 98 (memcheck) total-vm:58456kB'])[3]
assert k == ['memcheck'], k
st = report.workload_steps(['E2E MEMCHECK start pages=10 rate=5', 'E2E MEMCHECK step wall=130.25 rate=0',
                            'E2E MEMCHECK step wall=130.25 rate=0', 'E2E MEMCHECK step wall=x rate=0'])
assert st == [130.25], st  # the step's wall time once, however often the console repeats it
wf = report.workload_failures(['E2E WORK compile job=0 files=8 wall=5', 'E2E WORK compile failed job=0 file=/src/a.i: x',
                               'E2E WORK compile failed job=0 file=/src/a.i: x'])
assert wf == ['compile failed job=0 file=/src/a.i: x'], wf
t = report.normalise_trace(['# precopy-trace v1', '# memory_pages=4; page_size=4096', 'round,dirty_pages,seconds,pages_sent', '1,2,0.5,4'], 'idle', '1g')
assert '# source=xen; workload=idle; link=1g' in t, t
# A result collected in another clone (the fresh-clone CI run) names the scenario as in any clone.
assert report.scenario_file_shown('/work/scratch/ci16/tests/e2e/scenarios/ci.conf') == 'tests/e2e/scenarios/ci.conf'
assert report.scenario_file_shown('../x/tests/e2e/scenarios/peeks3.conf') == 'tests/e2e/scenarios/peeks3.conf'
PY

# A run with two recorded migrations, one of a guest whose workload the kernel killed for lack of
# memory: only the good one's trace goes into the record directory, and the other fails with the cause.
# report.py's collect on a made-up serial log, as run.sh calls it: the harness both checks below use.
cat > "$tmp/collect_harness.py" <<'PY'
import contextlib, io, os, sys
sys.path.insert(0, sys.argv[1])
import report


def collect(out, lines, record_dir=''):
    """Writes lines (and the end marker) as out/serial.log, runs report.collect: (rc, printed)."""
    os.makedirs(out)
    scen = os.path.join(out, 's.conf')
    with open(scen, 'w') as f:
        f.write('scenario s\n')
    with open(os.path.join(out, 'serial.log'), 'w') as f:
        f.write('\n'.join(lines + ['E2E|END|rc=0']) + '\n')
    class A: pass
    a = A(); a.out = out; a.scenario = scen; a.scenario_name = 's'; a.precopy = ''; a.qemu_rc = '0'
    a.record_dir = record_dir
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        rc = report.collect(a)
    return rc, printed.getvalue()


def migration(n, guest, integration, alive='1', record='0', workload='writer:20:56', policy='continue'):
    return ('E2E|MIG|n=%s|guest=%s|workload=%s|link=100m|rate=12500000|integration=%s|policy=%s|'
            'record=%s|rc=0|t0=100.0|t1=110.0|alive=%s|state=r-----|bytes=4096'
            % (n, guest, workload, integration, policy, record, alive))


def checked(guest):
    return 'E2E|FILE|%s.console|E2E CHECK wall=120.0 pass=3 full=0 pages=10 writes=5 bad=0 bad_total=0' % guest
PY

python3 - "$E2E_DIR" "$tmp" <<'PY' && ok "report.py: records only the traces of migrations that passed" || bad "report.py recording"
import json, os, sys
sys.path.insert(0, sys.argv[2])
from collect_harness import collect, migration, checked
tmp = os.path.join(sys.argv[2], 'rec')
trace = ['# precopy-trace v1', '# memory_pages=4; page_size=4096; source=xen; policy=continue',
         'round,dirty_pages,seconds,pages_sent', '1,2,0.5,4', '2,1,0.1,2',
         '# section=curve', 'round,seconds,pages', '1,0.25,1']  # a peek, as the patched tools record
lines = []
for n, guest, alive in (('1', 'good', '1'), ('2', 'oom', '0')):
    lines.append(migration(n, guest, 'preload', alive=alive, record='1'))
    lines += ['E2E|FILE|m%s.csv|%s' % (n, t) for t in trace]
    lines.append('E2E|FILE|m%s.log|xc: detail: Frames iteration 0: 4/4  100%%' % n)
lines.append(checked('good'))
lines.append('E2E|FILE|oom.console|[    4.8] Out of memory: Killed process 98 (memcheck) total-vm:58456kB')
record_dir = os.path.join(tmp, 'data', 'traces')
rc, printed = collect(os.path.join(tmp, 'out'), lines, record_dir)
assert rc == 1, rc
assert sorted(os.listdir(record_dir)) == ['xen-good-writer-20-56-100m-1.csv'], os.listdir(record_dir)
assert 'the guest ran out of memory (its kernel killed memcheck)' in printed, printed
assert '(its trace is not recorded)' in printed, printed
with open(os.path.join(record_dir, 'xen-good-writer-20-56-100m-1.csv')) as f:
    kept = f.read().splitlines()
assert kept[-3:] == ['# section=curve', 'round,seconds,pages', '1,0.25,1'], kept
with open(os.path.join(tmp, 'out', 'results.json')) as f:
    good = [m for m in json.load(f)['migrations'] if m['guest'] == 'good'][0]
assert (good['trace_rounds'], good['trace_peeks']) == (2, 1), good
PY

# A migration through the patched tools must show their peeks at the dirty count (patches 4 and 5).
python3 - "$E2E_DIR" "$tmp" <<'PY' && ok "report.py: a patched migration without peeks fails" || bad "report.py peeks check"
import os, sys
sys.path.insert(0, sys.argv[2])
from collect_harness import collect, migration, checked
def run(with_peek):
    log = ['xc: detail: Frames iteration 1: 4096/4096  100%',
           'precopy: info: policy=predictive at=after-bitmap round=1 dirty_pages=30 decision=stop reason="fits"']
    if with_peek:
        log.insert(0, 'libxl-save-helper: debug: precopy round 1: 20 dirty after 0.300s')
    lines = [migration(1, 'g', 'patched', workload='idle', policy='predictive')]
    lines += ['E2E|FILE|m1.log|%s' % ln for ln in log] + [checked('g')]
    return collect(os.path.join(sys.argv[2], 'peeks-%d' % with_peek), lines)
rc, printed = run(True)
assert rc == 0, printed
rc, printed = run(False)
assert rc == 1 and 'took no peek at the dirty count' in printed, printed
PY

# The guest's pause must be at least what the link needs for the pages sent after the suspension: a
# shorter one means the downtime observer missed it (as CLOCK_MONOTONIC does across a PV suspend).
python3 - "$E2E_DIR" "$tmp" <<'PY' && ok "report.py: a pause shorter than the stop-and-copy's link time fails" || bad "report.py downtime check"
import os, sys
sys.path.insert(0, sys.argv[2])
from collect_harness import collect, migration, checked
def run(gap_ms):
    log = ['xc: detail: Frames iteration 1: 4096/4096  100%', 'xc: progress: Domain now suspended: 0/0    0%',
           'xc: detail: Frames iteration 2: 12306/12306  100%']  # 50 MB: about 4 s at 100 Mbit/s
    lines = [migration(1, 'g', 'stock', workload='idle', policy='-')]
    lines += ['E2E|FILE|m1.log|%s' % ln for ln in log] + [checked('g')]
    lines.append('E2E|FILE|g.console|E2E GAP wall_end=105.0 gap_ms=%.1f over=1' % gap_ms)
    return collect(os.path.join(sys.argv[2], 'pause-%d' % gap_ms), lines)
rc, printed = run(4100)
assert rc == 0, printed
rc, printed = run(80)
assert rc == 1 and 'the downtime observer missed the suspension' in printed, printed
PY

# The noise floor before a migration leaves out the guest's previous migration and its pause.
python3 - "$E2E_DIR" "$tmp" <<'PY' && ok "report.py: a migration's noise floor leaves out the one before" || bad "report.py noise floor"
import json, os, sys
sys.path.insert(0, sys.argv[2])
from collect_harness import collect, migration, checked
second = migration(2, 'g', 'stock', workload='idle', policy='-').replace('t0=100.0|t1=110.0', 't0=116.0|t1=126.0')
lines = [migration(1, 'g', 'stock', workload='idle', policy='-'), second,
         'E2E|FILE|g.console|E2E GAP wall_end=108.0 gap_ms=500.0 over=1',   # migration 1's pause
         'E2E|FILE|g.console|E2E GAP wall_end=113.5 gap_ms=30.0 over=1',    # noise between them
         'E2E|FILE|g.console|E2E GAP wall_end=124.0 gap_ms=450.0 over=1',   # migration 2's pause
         'E2E|FILE|g.console|E2E CHECK wall=130.0 pass=9 full=0 pages=10 writes=5 bad=0 bad_total=0']
rc, printed = collect(os.path.join(sys.argv[2], 'noise'), lines)
with open(os.path.join(sys.argv[2], 'noise', 'results.json')) as f:
    m1, m2 = json.load(f)['migrations']
assert (m1['downtime_ms'], m2['downtime_ms'], m2['baseline_ms']) == (500.0, 450.0, 30.0), (m1, m2)
PY

echo "selftest: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
