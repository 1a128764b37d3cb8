#!/usr/bin/env bash
# The README's first command: install dependencies, build, and compare every policy on the example trace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target precopy_cli
echo
echo "$ build/precopy replay data/traces/example.csv"
build/precopy replay data/traces/example.csv
