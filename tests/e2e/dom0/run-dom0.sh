#!/bin/bash
# Runs inside the e2e dom0: starts the Xen daemons, then for each guest of /e2e/scenario.conf
# boots it, warms it up and performs its migrations, measuring each one.
#
# Everything the host needs is printed on the console as lines starting with "E2E|":
#   E2E|MIG|n=..|guest=..|...         one per migration (facts measured in dom0)
#   E2E|FILE|<name>|<line>            files shipped to the host (xl logs, traces, guest consoles)
#   E2E|SKIP|n=..|reason=..           a migration not run (integration unavailable)
#   E2E|INFO|...                      progress
# The host (tests/e2e/run.sh + report.py) turns them into results and decides pass/fail.
set -u
export PATH=/e2e/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
source /e2e/scenario.sh
source /e2e/settings.sh        # written by the host: PRELOAD_HELPER, PATCHED_ROOT, ...
source /e2e/lib.sh             # say, console_of, checked_after
e2e_load_scenario /e2e/scenario.conf || exit 2

now() { date +%s.%N; }
ship() { # ship NAME FILE: print FILE to the console for the host to collect
  [ -f "$2" ] || return 0
  tr -d '\r' < "$2" | sed -e "s/^/E2E|FILE|$1|/"
  echo "E2E|EOF|$1"
}

# ---- Xen daemons -----------------------------------------------------------------------
modprobe -a xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd 2>&1
mkdir -p "$CONS" /var/lib/xen /run/xen /tmp/e2e/traces
echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' >> /etc/default/xen
/etc/init.d/xen start 2>&1
say "xen daemons started rc=$?; $(xl info 2>/dev/null | grep -E '^(xen_version|free_memory|nr_cpus)' | tr -s ' ' | tr '\n' ' ')"

# ---- integrations available in this dom0 -----------------------------------------------
declare -A AVAIL_REASON=()
[ -n "${PRELOAD_HELPER:-}" ] && [ -x "$PRELOAD_HELPER" ] || AVAIL_REASON[preload]="preload not built (no precopy-save-helper/libprecopy_preload.so in the build dir)"
[ -n "${PATCHED_XL:-}" ] && [ -x "$PATCHED_XL" ] || AVAIL_REASON[patched]="patched tools not built (no DESTDIR tree from xen-patches)"

# ---- one migration ---------------------------------------------------------------------
# run_migration N GUEST LINK INTEGRATION POLICY RECORD
run_migration() {
  local n=$1 g=$2 l=$3 integ=$4 pol=$5 rec=$6
  local rate=${E2E_LINK_RATE[$l]} wl=${E2E_GUEST[$g.workload]}
  local log=/tmp/e2e/m$n.log bytes=/tmp/e2e/m$n.bytes trace=/tmp/e2e/traces/m$n.csv
  local -a env=() xl=(xl) extra=()
  case "$integ" in
    stock) ;;
    preload)
      env=(LIBXL_SAVE_HELPER="$PRELOAD_HELPER" PRECOPY_POLICY="$pol" PRECOPY_LOG_LEVEL=info)
      [ -n "${PRELOAD_ENV:-}" ] && env+=($PRELOAD_ENV)
      ;;
    patched)
      # the patched helper configures libprecopy from the spec alone (no PRECOPY_* variables)
      local spec="$pol,log_level=info"
      [ "$rec" = 1 ] && spec+=",trace_path=$trace"
      env=(LD_LIBRARY_PATH="$PATCHED_LIBDIR" LIBXL_SAVE_HELPER="$PATCHED_SAVE_HELPER")
      xl=("$PATCHED_XL"); extra=(--precopy-policy="$spec")
      ;;
  esac
  [ "$rec" = 1 ] && [ "$integ" = preload ] && env+=(PRECOPY_TRACE_PATH="$trace")
  local recv="ratepipe -r $rate -o $bytes | ${xl[*]} migrate-receive -e"
  say "migration $n: guest=$g workload=$wl link=$l($rate B/s) integration=$integ policy=${pol:--}"
  echo "# env: ${env[*]:-}" > "$log"
  echo "# cmd: ${xl[*]} -vvv migrate ${extra[*]:-} -s '' $g '$recv'" >> "$log"
  local t0 t1 rc
  t0=$(now)
  local endf=/tmp/e2e/m$n.end
  rm -f "$endf"
  ( env "${env[@]}" LD_PRELOAD=/e2e/lib/xl-showprogress.so \
      timeout -k 10 "$E2E_MIG_TIMEOUT" "${xl[@]}" -vvv migrate "${extra[@]}" -s '' "$g" "$recv" >> "$log" 2>&1
    echo "$? $(now)" > "$endf" ) &
  local pid=$! hb=0
  while kill -0 $pid 2>/dev/null; do   # heartbeat: where the migration is, every ~20 s
    sleep 1; hb=$((hb + 1))
    [ $((hb % 20)) = 0 ] && say "  migration $n running ${hb}s: $(cat "$bytes" 2>/dev/null) | $(grep -a 'Frames iteration\|precopy' "$log" | tail -1 | cut -c1-120)"
  done
  wait $pid
  read -r rc t1 < "$endf" 2>/dev/null || { rc=255; t1=$(now); }
  # clean up after a failure so the next guest can run
  if [ $rc != 0 ]; then
    xl list 2>&1 | sed 's/^/E2E|INFO|  /'
    xl destroy "$g--incoming" 2>/dev/null
    xl list "$g" >/dev/null 2>&1 && xl unpause "$g" 2>/dev/null
  fi
  # wait for the guest to prove it runs: a memcheck CHECK line stamped after the migration
  local alive=0 state
  checked_after "$g" "$t1" 90 && alive=1
  state=$(xl list "$g" 2>/dev/null | awk 'NR==2{print $5}')
  echo "E2E|MIG|n=$n|guest=$g|workload=$wl|link=$l|rate=$rate|integration=$integ|policy=${pol:--}|record=$rec|rc=$rc|t0=$t0|t1=$t1|alive=$alive|state=${state:-gone}|$(cat "$bytes" 2>/dev/null | tr ' ' '|')"
  ship "m$n.log" "$log"
  [ -f "$trace" ] && ship "m$n.csv" "$trace"
  # the guest's console so far (the host keeps the last copy): results survive a cut-short run
  console_of "$g" > /tmp/e2e/$g.console; ship "$g.console" /tmp/e2e/$g.console
  # 0: migrated; 1: the migration failed but the guest still runs (next migrations go on);
  # 2: the guest is gone or stopped (its remaining migrations are skipped)
  [ $alive = 1 ] || return 2
  [ "$rc" = 0 ] || return 1
  return 0
}

# ---- guests, in order ------------------------------------------------------------------
n=0
for g in "${E2E_GUESTS[@]}"; do
  mem=${E2E_GUEST[$g.memory]} wl=${E2E_GUEST[$g.workload]}
  initrd=/e2e/guest.cpio.gz
  [[ $wl == compile* ]] && initrd=/e2e/guest-compile.cpio.gz  # with the compiler (lib/compiler.sh)
  cat > /tmp/e2e/$g.cfg <<CFG
name = "$g"
type = "pv"
kernel = "/boot/vmlinuz"
ramdisk = "$initrd"
extra = "console=hvc0 rdinit=/init quiet e2e.workload=$wl"
memory = $mem
vcpus = ${E2E_GUEST[$g.vcpus]}
on_crash = "preserve"
CFG
  say "creating guest $g memory=$mem workload=$wl"
  if ! timeout 120 xl create /tmp/e2e/$g.cfg > /tmp/e2e/$g.create.log 2>&1; then
    ship "$g.create.log" /tmp/e2e/$g.create.log
    echo "E2E|GUESTFAIL|guest=$g|reason=xl create failed"
    continue
  fi
  ready=0
  for _ in $(seq 60); do console_of "$g" | grep -q 'E2E GUEST ready' && { ready=1; break; }; sleep 2; done
  if [ $ready = 0 ]; then
    console_of "$g" > /tmp/e2e/$g.console; ship "$g.console" /tmp/e2e/$g.console
    echo "E2E|GUESTFAIL|guest=$g|reason=guest did not report ready"
    xl destroy "$g"; continue
  fi
  say "guest $g ready; warming up ${E2E_GUEST[$g.warmup]} s"
  sleep "${E2E_GUEST[$g.warmup]}"
  broken=0
  for m in "${E2E_MIGS[@]}"; do
    IFS='|' read -r mg l integ pol rec settle <<<"$m"
    [ "$mg" = "$g" ] || continue
    n=$((n + 1))
    if [ -n "${AVAIL_REASON[$integ]:-}" ]; then
      echo "E2E|SKIP|n=$n|guest=$g|link=$l|integration=$integ|policy=$pol|reason=${AVAIL_REASON[$integ]}"
      continue
    fi
    if [ $broken = 1 ]; then
      echo "E2E|SKIP|n=$n|guest=$g|link=$l|integration=$integ|policy=$pol|reason=guest stopped running after an earlier failed migration"
      continue
    fi
    run_migration "$n" "$g" "$l" "$integ" "$pol" "$rec"
    [ $? = 2 ] && broken=1
    xl list "$g" >/dev/null 2>&1 || broken=1
    sleep "$settle"
  done
  if [ "${E2E_GUIDE_GUEST:-}" = "$g" ]; then
    if [ $broken = 1 ] || ! xl list "$g" >/dev/null 2>&1; then
      echo "E2E|GUIDE|CHECK|n=0|what=operator's guide|ok=0|detail=guest $g stopped running before the guide"
    elif [ ! -f /e2e/operator-guide.sh ]; then
      echo "E2E|GUIDE|CHECK|n=0|what=operator's guide|ok=0|detail=not staged by the host"
    else
      bash /e2e/operator-guide.sh "$g"
    fi
  fi
  xl destroy "$g" 2>/dev/null
  console_of "$g" > /tmp/e2e/$g.console; ship "$g.console" /tmp/e2e/$g.console
done
ls "$CONS" | sed 's/^/E2E|INFO|console file: /'
say "scenario done"
