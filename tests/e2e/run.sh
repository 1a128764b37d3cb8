#!/bin/bash
# tests/e2e/run.sh -- real Xen live migration end to end, inside QEMU (TCG).
#
#   tests/e2e/run.sh [options] SCENARIO        e.g. tests/e2e/run.sh tests/e2e/scenarios/ci.conf
#
# Options:
#   --out DIR       results directory (default build/e2e-out/<scenario name>)
#   --record        copy the recorded per-round traces of migrations that passed to data/traces/xen-*.csv
#   --report        regenerate docs/e2e.md from every build/e2e-out/*/results.json (report.py)
#   --no-build      never run cmake (default: build the project only if its artifacts are missing)
#   --build         rebuild the project's targets in $PRECOPY_BUILD_DIR before the run
# Environment:
#   PRECOPY_E2E_CACHE     cache of rootfs/hypervisor/kernels (default build/e2e-cache)
#   PRECOPY_BUILD_DIR     the project's cmake build dir (default build/default, the "default" preset)
#   PRECOPY_XEN_DESTDIR   DESTDIR tree of the patched Xen tools (default: searched, see below)
#   E2E_QEMU_MEM_MB       QEMU memory (default: 3072, or dom0 + twice the largest guest + 512 if more)
#   E2E_DOM0_MEM_MB       dom0 memory (default 1024)
#
# Exit status: 0 when every migration that ran succeeded with the guest alive and zero memory
# mismatches; 1 when one failed (or, with E2E_STRICT=1, when an integration was skipped because
# its artifacts are missing: skips are always reported in a loud banner); 2 on a testbed error
# (build, boot, QEMU timeout).  See tests/e2e/README.md.
set -uo pipefail
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$E2E_DIR/../.." && pwd)
source "$E2E_DIR/lib/common.sh"
source "$E2E_DIR/lib/cache.sh"
source "$E2E_DIR/lib/scenario.sh"
source "$E2E_DIR/lib/stage.sh"
source "$E2E_DIR/lib/compiler.sh"

main() {
local OUT= RECORD=0 REPORT=0 BUILD=1 SCEN= budget g t0 qrc rc
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    --record) RECORD=1; shift ;;
    --report) REPORT=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --build) BUILD=2; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) SCEN=$1; shift ;;
  esac
done
[ -n "$SCEN" ] && [ -f "$SCEN" ] || die "usage: $0 [--record] [--report] SCENARIO (a file; see tests/e2e/scenarios/)"
SCEN=$(cd "$(dirname "$SCEN")" && pwd)/$(basename "$SCEN")
e2e_load_scenario "$SCEN" || die "bad scenario $SCEN"
OUT=${OUT:-$REPO_ROOT/build/e2e-out/$E2E_SCENARIO_NAME}
PRECOPY_BUILD_DIR=${PRECOPY_BUILD_DIR:-$REPO_ROOT/build/default}
T_ALL=$(e2e_now)
log "scenario $E2E_SCENARIO_NAME: ${#E2E_GUESTS[@]} guest(s), ${#E2E_MIGS[@]} migration(s); out=$OUT"

ensure_host_packages
build_cache
rm -rf "$OUT"; mkdir -p "$OUT"
[ $BUILD = 0 ] || build_project $((BUILD - 1))
# ---- time budget -----------------------------------------------------------------------
# Bound: boot + per guest (boot, warm-up, console) + per migration timeout-ish allowance.
budget=300
for g in "${E2E_GUESTS[@]}"; do budget=$((budget + 90 + ${E2E_GUEST[$g.warmup]})); done
budget=$((budget + ${#E2E_MIGS[@]} * (E2E_MIG_TIMEOUT / 2 + 120)))
[ -n "$E2E_GUIDE_GUEST" ] && budget=$((budget + 900))   # the operator's guide: 5 migrations, install, purge
budget_watchdog=$((budget - 60))   # dom0 powers itself off before QEMU is killed
timed stage stage_run "$OUT/stage" || die "staging failed"

# ---- boot Xen + dom0 under QEMU TCG --------------------------------------------------
# A migration to localhost holds the guest twice (sender and receiver) beside dom0, so the machine
# grows with the largest guest: 3072 MiB fits guests up to 768 MiB; a 1 GiB guest needs 3584.
DOM0_MEM=${E2E_DOM0_MEM_MB:-1024}
largest_guest=0
for g in "${E2E_GUESTS[@]}"; do
  ((${E2E_GUEST[$g.memory]} > largest_guest)) && largest_guest=${E2E_GUEST[$g.memory]}
done
needed_mem=$((DOM0_MEM + 2 * largest_guest + 512))
QEMU_MEM=${E2E_QEMU_MEM_MB:-$((needed_mem > 3072 ? needed_mem : 3072))}
((QEMU_MEM >= needed_mem)) ||
  log "WARNING: E2E_QEMU_MEM_MB=$QEMU_MEM is below the ${needed_mem} MiB a ${largest_guest} MiB guest needs (dom0 + two copies of the guest + Xen): its migrations will fail for want of memory"
log "booting Xen under QEMU TCG (timeout ${budget}s); serial log: $OUT/serial.log"
t0=$(e2e_now)
timeout -k 20 "$budget" qemu-system-x86_64 -accel tcg,thread=multi -cpu qemu64 -m "$QEMU_MEM" -smp 2 \
  -nographic -no-reboot -monitor none -display none -serial file:"$OUT/serial.log" \
  -kernel "$PRECOPY_E2E_CACHE/boot/xen" \
  -append "dom0_mem=${DOM0_MEM}M,max:${DOM0_MEM}M dom0_max_vcpus=2 console=com1 com1=115200,8n1 loglvl=warning guest_loglvl=warning noreboot bootscrub=0" \
  -initrd "$PRECOPY_E2E_CACHE/boot/vmlinux console=hvc0 earlyprintk=xen quiet loglevel=4,$OUT/stage/dom0.cpio.gz" \
  </dev/null >"$OUT/qemu.log" 2>&1
qrc=$?
log "TIMING qemu $(e2e_elapsed "$t0" "$(e2e_now)") s (rc=$qrc)"
[ $qrc = 124 ] && log "QEMU TIMED OUT after ${budget}s"

# ---- collect and judge -----------------------------------------------------------------
python3 "$E2E_DIR/report.py" collect --out "$OUT" --scenario "$SCEN" \
  --precopy "$PRECOPY_BUILD_DIR/precopy" --qemu-rc "$qrc" \
  $( [ $RECORD = 1 ] && echo --record-dir "$REPO_ROOT/data/traces" )
rc=$?
log "TIMING total $(e2e_elapsed "$T_ALL" "$(e2e_now)") s"
if [ $REPORT = 1 ]; then
  python3 "$E2E_DIR/report.py" markdown --results-root "$REPO_ROOT/build/e2e-out" \
    --output "$REPO_ROOT/docs/e2e.md" || rc=2
fi
exit $rc
}

# (all in a function: bash then parses the whole script before running it, so editing this file
# during a run cannot break the run)
main "$@"
