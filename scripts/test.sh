#!/usr/bin/env bash
# The README's test command, and what .ci/run calls. Runs every stage in order and stops at the first
# failure; `scripts/test.sh unit asan` runs only the named stages.
#
#   unit     build with -Werror, run the GoogleTest suites (ctest)
#   asan     the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   fuzz     each libFuzzer target for a short, fixed time
#   xen      apply xen-patches/4.17 to Debian's Xen source and build the tools
#   package  build the .deb, install it, use it from the installed paths, purge it
#   e2e      boot Xen in QEMU and live-migrate running guests with real `xl migrate`
#
# Run as root: stages install what they need with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
all_stages=(unit asan fuzz xen package e2e)
stages=("$@")
((${#stages[@]})) || stages=("${all_stages[@]}")
jobs=$(nproc)

stage_unit() {
  cmake --preset default
  cmake --build --preset default -j"$jobs"
  ctest --preset default
}
stage_asan() {
  cmake --preset asan
  cmake --build --preset asan -j"$jobs"
  ctest --preset asan
}
stage_fuzz() { tests/fuzz/run.sh --time "${PRECOPY_FUZZ_SECONDS:-20}"; }
stage_xen() { xen-patches/build.sh; }
stage_package() { tests/package/test_deb.sh; }
# run.sh installs what the testbed needs (python3, static libc...), then the host-only self-test runs
stage_e2e() { tests/e2e/run.sh tests/e2e/scenarios/ci.conf && tests/e2e/selftest.sh; }

scripts/install-deps.sh
for s in "${stages[@]}"; do
  if ! declare -F "stage_$s" >/dev/null; then
    echo "test.sh: unknown stage '$s' (stages: ${all_stages[*]})" >&2
    exit 2
  fi
  start=$(date +%s)
  echo "=== stage $s"
  "stage_$s"
  echo "=== stage $s passed in $(($(date +%s) - start)) s"
done
echo "=== all stages passed: ${stages[*]}"
