# shellcheck shell=bash
# Scenario file parser, shared by the host (tests/e2e/run.sh) and the dom0 runner.
#
# A scenario is a bash-sourceable file of directives (one per line, '#' comments):
#
#   scenario NAME [mig_timeout=S]          name used for results; per-migration timeout (default 300)
#   link NAME RATE                         a migration link; RATE = 100mbit | 1gbit | 500kbit |
#                                          12500000 (bytes/s) | unlimited
#   guest NAME memory=MIB workload=SPEC [warmup=S] [vcpus=N]
#                                          SPEC: idle | writer:MIBPS[:WSS] | gzip[:MIB] |
#                                          sort[:MIB] | bursty:MIBPS:ON_S:OFF_S[:WSS] |
#                                          zipf:MIBPS[:WSS[:S]] | sweep:MIBPS[:WSS] |
#                                          step:MIBPS:AFTER_S:MIBPS2[:WSS] | compile[:JOBS]
#                                          (numbers > 0, the gzip and sort sizes and JOBS whole; S the
#                                          skew, default 1; sweep writes its region in order;
#                                          step writes at MIBPS2, which may be 0, from AFTER_S
#                                          seconds after the guest's writer started: a job
#                                          that starts or ends during the migration, which
#                                          begins warmup seconds after the guest is ready;
#                                          compile runs JOBS gcc loops over C files, as make -j)
#   migrate GUEST link=NAME integration=stock|preload|patched [policy=SPEC] [record=1]
#           [repeat=N] [settle=S]
#                                          policy SPEC as for `xl migrate --precopy-policy=`,
#                                          e.g. predictive,downtime_budget_ms=300
#   operator_guide GUEST                   after GUEST's migrations, follow docs/operators-guide.md
#                                          literally on it (install the .deb, migrate, roll back,
#                                          purge; see dom0/operator-guide.sh)
#
# Guests are booted one at a time, in file order; each guest's migrations run in file order
# (a migration line may name only a guest declared above it).

E2E_SCENARIO_NAME=unnamed
E2E_MIG_TIMEOUT=300
declare -gA E2E_LINK_RATE=()          # link name -> bytes/s (0 = unlimited)
declare -ga E2E_GUESTS=()             # guest names, in order
declare -gA E2E_GUEST=()              # "$g.memory", "$g.workload", "$g.warmup", "$g.vcpus"
declare -ga E2E_MIGS=()               # "guest|link|integration|policy|record|settle", repeats expanded
E2E_GUIDE_GUEST=                      # guest the operator's guide runs on (operator_guide), if any

_e2e_kv() { # _e2e_kv KEY ARGS... -> value of KEY=... among ARGS
  local k=$1 a; shift
  for a in "$@"; do [ "${a%%=*}" = "$k" ] && { printf '%s' "${a#*=}"; return 0; }; done
  return 1
}

e2e_rate_bytes() { # 100mbit -> 12500000
  local r=${1,,}
  case "$r" in
    unlimited|0) echo 0 ;;
    *gbit) awk -v x="${r%gbit}" 'BEGIN{printf "%d", x*1e9/8}' ;;
    *mbit) awk -v x="${r%mbit}" 'BEGIN{printf "%d", x*1e6/8}' ;;
    *kbit) awk -v x="${r%kbit}" 'BEGIN{printf "%d", x*1e3/8}' ;;
    *[!0-9]*) echo "bad link rate: $1" >&2; return 1 ;;
    *) echo "$r" ;;
  esac
}

# The guest would run an unknown or malformed workload as idle (tests/e2e/guest/init), and the
# migration would pass while measuring the wrong thing: refuse it here, before anything boots.
e2e_check_workload() { # e2e_check_workload SPEC -> 0 if the guest knows it
  local n='(0*[1-9][0-9]*(\.[0-9]+)?|0*\.[0-9]*[1-9][0-9]*)' i='0*[1-9][0-9]*'  # > 0; whole and > 0
  local z='[0-9]+(\.[0-9]+)?'  # >= 0
  [[ $1 =~ ^idle$ || $1 =~ ^writer:$n(:$n)?$ || $1 =~ ^(gzip|sort)(:$i)?$ ||
     $1 =~ ^bursty:$n:$n:$n(:$n)?$ || $1 =~ ^zipf:$n(:$n(:$n)?)?$ || $1 =~ ^sweep:$n(:$n)?$ ||
     $1 =~ ^step:$n:$n:$z(:$n)?$ || $1 =~ ^compile(:$i)?$ ]]
}

# What a guest's kernel, initramfs and tools take beside the workload's pages: a 192 MiB guest reports
# 142 MiB of MemTotal (145108 kB), and a 128 MiB region in it was killed for want of memory; 80 MiB beside the
# region has always been enough.
E2E_GUEST_OVERHEAD_MIB=80

# e2e_workload_memory_mib SPEC -> the least guest memory (MiB) a valid SPEC runs in: the writer's region
# (default 64), or for gzip and sort the checker's 16 MiB plus the input and its output.
e2e_workload_memory_mib() {
  local kind a b c d
  IFS=: read -r kind a b c d <<<"$1"
  case "$kind" in
    writer|zipf|sweep) awk -v w="${b:-64}" -v o=$E2E_GUEST_OVERHEAD_MIB 'BEGIN{printf "%d", w + o + 0.999}' ;;
    bursty|step) awk -v w="${d:-64}" -v o=$E2E_GUEST_OVERHEAD_MIB 'BEGIN{printf "%d", w + o + 0.999}' ;;
    gzip) echo $(( 16 + 2 * ${a:-8} + E2E_GUEST_OVERHEAD_MIB )) ;;
    sort) echo $(( 16 + 2 * ${a:-4} + E2E_GUEST_OVERHEAD_MIB )) ;;
    # the compiler's files unpacked in the guest's memory (44 MiB), and 64 MiB for each compiler at work
    compile) echo $(( 16 + 48 + 64 * ${a:-1} + E2E_GUEST_OVERHEAD_MIB )) ;;
    *) echo $(( 16 + E2E_GUEST_OVERHEAD_MIB )) ;;
  esac
}

_e2e_scenario() {
  E2E_SCENARIO_NAME=$1; shift
  E2E_MIG_TIMEOUT=$(_e2e_kv mig_timeout "$@" || echo 300)
}

_e2e_link() {
  [ $# -eq 2 ] || { echo "scenario: link NAME RATE" >&2; return 1; }
  E2E_LINK_RATE[$1]=$(e2e_rate_bytes "$2") || return 1
}

_e2e_guest() {
  local g=$1; shift
  [[ $g =~ ^[a-z][a-z0-9]*$ ]] || { echo "scenario: bad guest name '$g' (lowercase alnum)" >&2; return 1; }
  E2E_GUESTS+=("$g")
  E2E_GUEST[$g.memory]=$(_e2e_kv memory "$@" || echo 128)
  [[ ${E2E_GUEST[$g.memory]} =~ ^[1-9][0-9]*$ ]] ||
    { echo "scenario: guest $g: memory=${E2E_GUEST[$g.memory]}: a whole number of MiB" >&2; return 1; }
  E2E_GUEST[$g.workload]=$(_e2e_kv workload "$@" || echo idle)
  e2e_check_workload "${E2E_GUEST[$g.workload]}" ||
    { echo "scenario: guest $g: workload=${E2E_GUEST[$g.workload]}: not one the guest runs (see the SPEC list above)" >&2; return 1; }
  local need
  need=$(e2e_workload_memory_mib "${E2E_GUEST[$g.workload]}")
  (( ${E2E_GUEST[$g.memory]} >= need )) ||
    { echo "scenario: guest $g: memory=${E2E_GUEST[$g.memory]} is too small for workload=${E2E_GUEST[$g.workload]}: it needs at least $need MiB (its pages plus ${E2E_GUEST_OVERHEAD_MIB} for the kernel and the initramfs), or the guest's writer is killed for want of memory" >&2; return 1; }
  E2E_GUEST[$g.warmup]=$(_e2e_kv warmup "$@" || echo 15)
  E2E_GUEST[$g.vcpus]=$(_e2e_kv vcpus "$@" || echo 1)
}

_e2e_migrate() {
  local g=$1 l i p r n s k; shift
  [ -n "${E2E_GUEST[$g.memory]:-}" ] || { echo "scenario: migrate: unknown guest '$g'" >&2; return 1; }
  l=$(_e2e_kv link "$@") || { echo "scenario: migrate $g: link= missing" >&2; return 1; }
  [ -n "${E2E_LINK_RATE[$l]:-}" ] || { echo "scenario: migrate $g: unknown link '$l'" >&2; return 1; }
  i=$(_e2e_kv integration "$@" || echo stock)
  case "$i" in stock|preload|patched) ;; *) echo "scenario: bad integration '$i'" >&2; return 1 ;; esac
  p=$(_e2e_kv policy "$@" || echo "")
  [ "$i" = stock ] || [ -n "$p" ] || p=predictive
  r=$(_e2e_kv record "$@" || echo 0)
  n=$(_e2e_kv repeat "$@" || echo 1)
  s=$(_e2e_kv settle "$@" || echo 8)
  for ((k = 0; k < n; k++)); do E2E_MIGS+=("$g|$l|$i|$p|$r|$s"); done
}

_e2e_operator_guide() {
  [ $# -eq 1 ] || { echo "scenario: operator_guide GUEST" >&2; return 1; }
  [ -n "${E2E_GUEST[$1.memory]:-}" ] || { echo "scenario: operator_guide: unknown guest '$1'" >&2; return 1; }
  E2E_GUIDE_GUEST=$1
}

# The directives. `source` returns only the status of a file's last line, so each directive counts its
# own failure, and a bad line anywhere in the file fails the load.
E2E_SCENARIO_ERRORS=0
_e2e_directive() { "$@" && return 0; E2E_SCENARIO_ERRORS=$((E2E_SCENARIO_ERRORS + 1)); return 1; }
scenario() { _e2e_directive _e2e_scenario "$@"; }
link() { _e2e_directive _e2e_link "$@"; }
guest() { _e2e_directive _e2e_guest "$@"; }
migrate() { _e2e_directive _e2e_migrate "$@"; }
operator_guide() { _e2e_directive _e2e_operator_guide "$@"; }

# e2e_load_scenario FILE: parse FILE into the variables above.
e2e_load_scenario() {
  E2E_SCENARIO_ERRORS=0
  # shellcheck disable=SC1090
  source "$1" || [ "$E2E_SCENARIO_ERRORS" -gt 0 ] || { echo "scenario: cannot load $1" >&2; return 1; }
  [ "$E2E_SCENARIO_ERRORS" -eq 0 ] || { echo "scenario: $1: $E2E_SCENARIO_ERRORS bad line(s), above" >&2; return 1; }
  [ ${#E2E_MIGS[@]} -gt 0 ] || [ -n "$E2E_GUIDE_GUEST" ] ||
    { echo "scenario: $1 has no migrate or operator_guide lines" >&2; return 1; }
}

# e2e_scenario_uses INTEGRATION: true if some migration uses it.
e2e_scenario_uses() {
  local m f
  for m in "${E2E_MIGS[@]}"; do IFS='|' read -r _ _ f _ _ _ <<<"$m"; [ "$f" = "$1" ] && return 0; done
  return 1
}
