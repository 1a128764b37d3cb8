#!/bin/bash
# check_man3.sh -- precopy(3) must document exactly the C ABI that precopy.h exports.
#
#   tests/package/check_man3.sh [HEADER [MAN_SOURCE]]
#     HEADER      include/precopy/precopy.h (default: next to this script's repository)
#     MAN_SOURCE  docs/man/precopy.3.scd
#
# Every function declared PRECOPY_EXPORT and every PRECOPY_* macro of the header must be named in
# the man source, and every precopy_*() function the man source names must be declared.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
header=${1:-$here/../../include/precopy/precopy.h}
man_src=${2:-$here/../../docs/man/precopy.3.scd}
for f in "$header" "$man_src"; do
    [ -r "$f" ] || { echo "check_man3: cannot read $f" >&2; exit 1; }
done

# Declarations may span lines: join the header, then pick "PRECOPY_EXPORT <type> name(".
functions=$(tr '\n' ' ' < "$header" | grep -o 'PRECOPY_EXPORT[^;(]*(' |
    grep -o 'precopy_[a-z0-9_]*($' | tr -d '(' | sort -u)
macros=$(grep -o '^#define PRECOPY_[A-Z0-9_]*' "$header" | awk '{ print $2 }' |
    grep -v -e '^PRECOPY_EXPORT$' -e '^PRECOPY_PRECOPY_H_$' | sort -u)
[ -n "$functions" ] || { echo "check_man3: no PRECOPY_EXPORT functions found in $header" >&2; exit 1; }

# The man source escapes nothing inside names, but emphasis marks (*...*, _..._) may wrap them.
man_text=$(sed 's/\*//g' "$man_src")
failures=0
for name in $functions $macros; do
    grep -q -- "$name" <<<"$man_text" || { echo "check_man3: $name is in $(basename "$header") but not in $(basename "$man_src")"; failures=$((failures + 1)); }
done
for name in $(grep -o 'precopy_[a-z0-9_]*(' <<<"$man_text" | tr -d '(' | sort -u); do
    grep -qx -- "$name" <<<"$functions" || { echo "check_man3: $name() is in $(basename "$man_src") but not exported by $(basename "$header")"; failures=$((failures + 1)); }
done
if [ "$failures" -gt 0 ]; then
    echo "check_man3: $failures mismatch(es)" >&2
    exit 1
fi
echo "check_man3: $(basename "$man_src") covers the $(wc -w <<<"$functions") functions and $(wc -w <<<"$macros") macros of $(basename "$header")"
