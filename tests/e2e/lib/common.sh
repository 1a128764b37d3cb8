# shellcheck shell=bash
# Shared helpers for the host side of the e2e testbed (sourced, not executed).

E2E_DIR=${E2E_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
REPO_ROOT=${REPO_ROOT:-$(cd "$E2E_DIR/../.." && pwd)}
PRECOPY_E2E_CACHE=${PRECOPY_E2E_CACHE:-$REPO_ROOT/build/e2e-cache}

e2e_now() { date -u +%s.%N; }
e2e_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }
log() { printf '[e2e %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FATAL: $*"; exit 2; }

# timed NAME CMD... : run CMD and log how long it took.
timed() {
  local name=$1 t0 rc; shift
  t0=$(e2e_now)
  "$@"; rc=$?
  log "TIMING $name $(e2e_elapsed "$t0" "$(e2e_now)") s (rc=$rc)"
  return $rc
}

# Host packages the testbed needs (Debian 12 names).
E2E_HOST_PACKAGES=(debootstrap busybox-static cpio gzip gcc libc6-dev qemu-system-x86 python3 dpkg-dev)

ensure_host_packages() {
  local missing=() p
  for p in "${E2E_HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing host packages: ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install failed"
}
