#!/usr/bin/env bash
# Installs the Debian 12 packages precopy builds and tests with. Idempotent: does nothing (and needs no
# network) when they are all present. Run as root (or through sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libxen-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  clang-14 libclang-rt-14-dev   # fuzzing (libFuzzer) and sanitizers
  scdoc                         # man pages
  dpkg-dev fakeroot file        # cpack -G DEB (dpkg-shlibdeps)
  lintian man-db                # the package test: lintian errors fail it; man renders the pages
  python3                       # the documentation link check (ctest) and the e2e report
  xen-utils-4.17                # Debian's real libxl-save-helper, to check the preload binds to it
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: must run as root to install packages (try: sudo $0)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
