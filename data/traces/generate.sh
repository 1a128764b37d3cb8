#!/usr/bin/env bash
# Regenerates the simulated part of the trace corpus (data/traces/sim-*.csv), bit for bit, with
# `precopy simulate`. Every trace runs "always continue" for 30 rounds (fewer only if a round dirties
# nothing), so it is an exact counterfactual for every stopping policy, and carries 8 dirty-curve samples
# of round 1. Real traces recorded by the end-to-end testbed live beside these and are not touched.
#
# Usage: data/traces/generate.sh [PRECOPY_BINARY]     (default: $PRECOPY, else build/precopy)
#
# The corpus spans 512 MiB to 64 GiB and 100 Mbit/s to 25 Gbit/s and every workload model, with guests
# that converge in a round or two, slowly, or never (writers faster than the link), and bursty ones. It is
# not designed around any policy: parameters are plausible guests, chosen before any policy was run on them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
precopy=${1:-${PRECOPY:-$here/../../build/precopy}}
if [[ ! -x $precopy ]]; then
  echo "generate.sh: no precopy binary at $precopy (build first, or pass its path)" >&2
  exit 1
fi

# name suffix | workload spec | memory | link | seed | extra flags
# Names are sim-<workload>-<memory>-<link>[-<variant>].csv.
corpus=(
  # The seed paper's setups (section 4): 512 MiB and 1 GiB guests on 100 Mbit/s, idle and kernel compile.
  "|idle|512MiB|100Mbit|101|"
  "|idle|1GiB|100Mbit|102|"
  "|kcompile|512MiB|100Mbit|103|"
  "|kcompile|1GiB|100Mbit|104|"
  # Idle guests of every size: converge in two or three rounds.
  "|idle|512MiB|1Gbit|105|"
  "|idle|4GiB|1Gbit|106|"
  "|idle|16GiB|10Gbit|107|"
  "|idle|64GiB|25Gbit|108|"
  # Kernel compiles: bursty. make -j1 defaults; -j4 on a slow link outruns it; -j8/-j32 on big guests.
  "|kcompile|1GiB|1Gbit|109|"
  "|kcompile|4GiB|100Mbit|110|"
  "-j4|kcompile:wss=384MiB,compute_rate=5000,io_rate=4000,alloc_rate=800|2GiB|100Mbit|111|"
  "-j8|kcompile:wss=1GiB,compute_rate=12000,io_rate=8000,alloc_rate=1500,compute_s=2|8GiB|10Gbit|112|"
  "-j8|kcompile:wss=1GiB,compute_rate=12000,io_rate=8000,alloc_rate=1500,compute_s=2|16GiB|1Gbit|113|"
  "-j32|kcompile:wss=8GiB,compute_rate=100000,io_rate=60000,alloc_rate=10000,compute_s=2,io_s=0.5|32GiB|25Gbit|114|"
  # The paper's model: uniform random writes at a constant rate, from fast to slow convergence.
  "|constant:rate=1000|1GiB|100Mbit|115|"
  "|constant:rate=10000|4GiB|1Gbit|116|"
  "|constant:rate=100000|16GiB|10Gbit|117|"
  "-slow|constant:rate=25000|8GiB|1Gbit|118|"
  "|constant:rate=50000|32GiB|25Gbit|119|"
  "|constant:rate=500|512MiB|25Gbit|120|"
  "-near-link|constant:rate=0.9x|2GiB|10Gbit|121|--round-overhead 10ms"
  # Hot/cold working sets: web servers, databases, caches.
  "|hotcold|2GiB|1Gbit|122|"
  "-web|hotcold:hot=64MiB,hot_rate=4000,cold_rate=20|512MiB|100Mbit|123|"
  "-db|hotcold:hot=2GiB,hot_rate=200000,cold_rate=1000|8GiB|10Gbit|124|"
  "|hotcold:hot=10%,hot_rate=60000,cold_rate=500|16GiB|2.5Gbit|125|"
  "|hotcold:hot=4GiB,hot_rate=300000,cold_rate=2000|64GiB|10Gbit|126|"
  "-hot|hotcold:hot=25%,hot_rate=500000,cold_rate=5000|4GiB|25Gbit|127|"
  "|hotcold:hot=128MiB,hot_rate=15000,cold_rate=100|1GiB|2.5Gbit|128|--round-overhead 20ms"
  # Zipf-skewed writes: key-value stores, in-memory caches.
  "|zipf|1GiB|1Gbit|129|"
  "|zipf:rate=200000,s=0.8|4GiB|10Gbit|130|"
  "|zipf:rate=50000,s=1.1|16GiB|1Gbit|131|"
  "|zipf:rate=400000,s=0.9|32GiB|10Gbit|132|"
  "|zipf:rate=5000,s=1.2|2GiB|100Mbit|133|"
  "|zipf:rate=100000,s=1.0|64GiB|2.5Gbit|134|"
  # Fresh allocation streams: distinct pages grow linearly until the arena wraps.
  "|alloc|2GiB|1Gbit|135|"
  "-jvm|alloc:rate=40000,arena=60%,hot=2%,hot_rate=20000|8GiB|10Gbit|136|"
  "-slow|alloc:rate=25000,arena=25%|16GiB|1Gbit|137|"
  "-outrun|alloc:rate=4000,arena=30%|1GiB|100Mbit|138|"
  "|alloc:rate=200000,arena=50%|64GiB|25Gbit|139|"
  # Writers faster than the link: never converge.
  "|heavy|1GiB|100Mbit|140|"
  "|heavy:rate=1.2x,wss=80%|4GiB|1Gbit|141|"
  "-borderline|heavy:rate=1.05x,wss=30%|16GiB|10Gbit|142|"
  "|heavy:rate=3x,wss=10%|64GiB|25Gbit|143|"
  "|heavy:rate=1.5x,wss=100%|8GiB|2.5Gbit|144|--round-overhead 5ms"
)

rm -f "$here"/sim-*.csv
count=0
for entry in "${corpus[@]}"; do
  IFS='|' read -r variant workload memory link seed extra <<<"$entry"
  name="sim-${workload%%:*}-${memory}-${link}${variant}.csv"
  if [[ -e $here/$name ]]; then
    echo "generate.sh: two corpus entries are both named $name" >&2
    exit 1
  fi
  # shellcheck disable=SC2086  # $extra holds whole flags
  "$precopy" simulate --memory "$memory" --bandwidth "$link" --workload "$workload" --seed "$seed" \
    --rounds 30 --curve 8 $extra --output "$here/$name"
  count=$((count + 1))
done
echo "generate.sh: wrote $count traces to $here" >&2
