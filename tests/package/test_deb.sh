#!/bin/bash
# test_deb.sh -- build the Debian packages, install them, use them from the installed paths only,
# purge them, and check that nothing is left behind.
#
#   tests/package/test_deb.sh [BUILD_DIR]        (default: build/deb in the repository)
#
# Needs root (dpkg -i / --purge) and: cmake, a C/C++ compiler, dpkg-dev (dpkg-shlibdeps), file,
# pkg-config, scdoc, gzip, man-db, and the build dependencies of precopy (libxen-dev,
# libspdlog-dev, libcli11-dev, nlohmann-json3-dev). lintian is run when installed (set
# PRECOPY_LINTIAN=0 to skip it); any lintian error (E:) fails the test.
# Environment: JOBS (build parallelism, default 2), PRECOPY_CMAKE_ARGS (extra configure flags).
#
# Any failing step stops the script with "test_deb: FAIL: ..." on stderr and exit status 1; the
# packages are purged on the way out whatever happened.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build/deb}
jobs=${JOBS:-2}
packages=(libprecopy0 libprecopy-dev)

step() { printf '\n== test_deb: %s\n' "$*"; }
fail() { printf 'test_deb: FAIL: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "'$1' not found (apt-get install $2)"; }

[ "$(id -u)" -eq 0 ] || fail "must run as root: it installs and purges packages with dpkg"
need cmake cmake
need cpack cmake
need cc gcc
need c++ g++
need dpkg-shlibdeps dpkg-dev
need file file
need pkg-config pkg-config
need scdoc scdoc
need gzip gzip

work=$(mktemp -d /tmp/precopy-test-deb.XXXXXX)
installed=0
cleanup() {
    status=$?
    if [ "$installed" -eq 1 ]; then
        echo "test_deb: purging ${packages[*]} after a failure" >&2
        dpkg --purge "${packages[@]}" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

# A run that died half-way may have left the packages installed: start clean.
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [ -n "$status" ] && [ "${status% not-installed}" = "$status" ]; then
        echo "test_deb: $p is installed from an earlier run; purging it first"
        dpkg --purge "$p"
    fi
done
for f in /usr/bin/precopy /usr/include/precopy /usr/libexec/precopy /usr/share/precopy; do
    [ ! -e "$f" ] || fail "$f exists before installing (not from these packages): remove it first"
done

step "configure and build in $build"
# Debian's standard flags, as a package build would use them (fortify, stack protector, relro,
# bindnow, PIE). They are read at the first configure of a build directory only.
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
export CFLAGS="$CFLAGS $CPPFLAGS" CXXFLAGS="$CXXFLAGS $CPPFLAGS"  # CMake ignores CPPFLAGS (-D_FORTIFY_SOURCE)
# shellcheck disable=SC2086  # PRECOPY_CMAKE_ARGS is a list of flags
cmake -S "$repo" -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPRECOPY_BUILD_TESTS=OFF -DPRECOPY_BUILD_BENCH=OFF ${PRECOPY_CMAKE_ARGS:-} ||
    fail "cmake configure"
cmake --build "$build" -j"$jobs" || fail "cmake --build"

step "cpack -G DEB"
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB) || fail "cpack -G DEB"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || fail "cannot read the project version from $build/CMakeCache.txt"
arch=$(dpkg --print-architecture)
declare -A deb
for p in "${packages[@]}"; do
    deb[$p]=$(ls "$build"/packages/"${p}"_"${version}"-*_"${arch}".deb 2>/dev/null | head -n 1)
    [ -n "${deb[$p]}" ] || fail "no ${p}_${version}-*_${arch}.deb in $build/packages: $(ls "$build/packages")"
    echo "built ${deb[$p]}"
done
extra=$(ls "$build"/packages/*.deb | grep -v -e '/libprecopy0_' -e '/libprecopy-dev_' || true)
[ -z "$extra" ] || fail "unexpected packages (a component without a group?): $extra"

step "package contents and metadata"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
libdir=/usr/lib/$multiarch  # (with merged /usr, ldd may show it as /lib/$multiarch)
# (No "producer | grep -q" below: with pipefail, grep -q exiting early can fail the producer.)
declare -A listing
for p in "${packages[@]}"; do
    listing[$p]=$(dpkg-deb -c "${deb[$p]}" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||') ||
        fail "dpkg-deb -c ${deb[$p]}"
done
contents() { printf '%s\n' "${listing[$1]}"; }
has() { grep -qx -- "$2" <<<"${listing[$1]}" || fail "$1 lacks $2"; }
lacks() {
    if grep -q -- "$2" <<<"${listing[$1]}"; then
        fail "$1 must not contain $2: $(grep -- "$2" <<<"${listing[$1]}" | head -n 3 | tr '\n' ' ')"
    fi
}
runtime_files=(
    "$libdir/libprecopy.so.0" "$libdir/libprecopy.so.$version" /usr/bin/precopy
    /usr/libexec/precopy/precopy-save-helper
    /usr/share/man/man1/precopy.1.gz /usr/share/doc/libprecopy0/copyright
    /usr/share/doc/libprecopy0/changelog.Debian.gz /usr/share/doc/libprecopy0/examples/precopy.env
    /usr/share/precopy/traces/example.csv)
dev_files=(
    /usr/include/precopy/precopy.h "$libdir/libprecopy.so" "$libdir/libprecopy.a"
    "$libdir/cmake/precopy/precopyConfig.cmake" "$libdir/cmake/precopy/precopyConfigVersion.cmake"
    "$libdir/cmake/precopy/precopyTargets.cmake" "$libdir/pkgconfig/precopy.pc"
    /usr/share/man/man3/precopy.3.gz /usr/share/doc/libprecopy-dev/copyright)
for f in "${runtime_files[@]}"; do has libprecopy0 "$f"; done
# The preload: in $libdir, or (better for lintian, which wants a soname on everything there) in a
# private directory below it.
preload=$(grep -x "$libdir/\(precopy/\)\?libprecopy_preload\.so" <<<"${listing[libprecopy0]}" || true)
[ -n "$preload" ] || fail "libprecopy0 lacks $libdir/[precopy/]libprecopy_preload.so"
for f in "${dev_files[@]}"; do has libprecopy-dev "$f"; done
lacks libprecopy0 /usr/include/
lacks libprecopy0 '\.a$'
lacks libprecopy0 /pkgconfig/
lacks libprecopy0 /cmake/
lacks libprecopy-dev /usr/bin/
lacks libprecopy-dev 'libprecopy\.so\.'
field() { dpkg-deb -f "${deb[$1]}" "$2"; }
depends=$(field libprecopy0 Depends)
echo "libprecopy0 Depends: $depends"
for d in libc6 libstdc++6 libspdlog libfmt; do
    grep -q "$d" <<<"$depends" || fail "libprecopy0 Depends lacks $d (dpkg-shlibdeps did not run?)"
done
dev_depends=$(field libprecopy-dev Depends)
echo "libprecopy-dev Depends: $dev_depends"
grep -q "libprecopy0 (= $version-" <<<"$dev_depends" || fail "libprecopy-dev must depend on libprecopy0 (= $version-...)"
grep -q "^libprecopy 0 libprecopy0" <<<"$(dpkg-deb -I "${deb[libprecopy0]}" shlibs)" ||
    fail "libprecopy0 has no shlibs entry for libprecopy.so.0"

if [ "${PRECOPY_LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null 2>&1; then
    step "lintian"
    lintian_out=$(lintian --tag-display-limit 0 "${deb[@]}" 2>&1) || true
    printf '%s\n' "${lintian_out:-(no tags)}"
    ! grep -q '^E: ' <<<"$lintian_out" || fail "lintian reports errors"
fi

# Which of the packages' paths exist already (shared directories such as /usr/share/man/man1):
# after the purge, everything else must be gone.
all_files=$(for p in "${packages[@]}"; do contents "$p"; done | sed '/^$/d' | sort -u)
preexisting=$(while IFS= read -r f; do
    if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "$f"; fi
done <<<"$all_files")
while IFS= read -r f; do
    [ -z "$f" ] || [ -d "$f" ] || fail "$f exists before installing: not from these packages?"
done <<<"$preexisting"

step "dpkg -i"
installed=1
dpkg -i "${deb[@]}" ||
    fail "dpkg -i (missing dependencies? apt-get install libspdlog1.10 libfmt9 libspdlog-dev)"
for p in "${packages[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p")" = 'install ok installed' ] || fail "$p is not installed"
done

# Everything below runs outside the source and build trees, with a minimal environment, so only
# the installed files can be found.
clean_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work" LC_ALL=C.UTF-8 TMPDIR="$work")
run() { (cd "$work" && "${clean_env[@]}" "$@"); }

step "precopy --version, --help"
out=$(run precopy --version) || fail "precopy --version"
[ "$out" = "precopy $version" ] || fail "precopy --version printed '$out', not 'precopy $version'"
echo "$out"
[ "$(command -v precopy)" = /usr/bin/precopy ] || fail "precopy is not /usr/bin/precopy"
run precopy --help >/dev/null || fail "precopy --help"

step "precopy replay /usr/share/precopy/traces/example.csv"
run precopy replay /usr/share/precopy/traces/example.csv || fail "precopy replay on the example trace"
json=$(run precopy replay --json /usr/share/precopy/traces/example.csv) || fail "precopy replay --json"
[ -n "$json" ] || fail "precopy replay --json printed nothing"
while IFS= read -r line; do
    case $line in
        '{'*'"policy":'*'"live_rounds":'*'}' | '{'*'"live_rounds":'*'"policy":'*'}') ;;
        *) fail "not a JSON Lines record with policy and live_rounds: $line" ;;
    esac
done <<<"$json"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]' <<<"$json" || fail "replay --json is not valid JSON Lines"
fi
echo "$(wc -l <<<"$json") JSON lines"
set +e
run precopy replay /nonexistent.csv 2>"$work/stderr"
status=$?
set -e
[ "$status" -eq 2 ] || fail "precopy replay on a missing file exited $status, not 2"
grep -q '^precopy: error: ' "$work/stderr" || fail "no 'precopy: error:' line on stderr for a missing file"

step "man pages"
gzip -t /usr/share/man/man1/precopy.1.gz /usr/share/man/man3/precopy.3.gz || fail "man pages are not valid gzip"
if command -v man >/dev/null 2>&1; then
    [ "$(run man -w precopy)" = /usr/share/man/man1/precopy.1.gz ] || fail "man -w precopy does not find precopy(1)"
    [ "$(run man -w 3 precopy)" = /usr/share/man/man3/precopy.3.gz ] || fail "man -w 3 precopy does not find precopy(3)"
    page=$(run env MANWIDTH=80 man -l /usr/share/man/man1/precopy.1.gz 2>"$work/man.err") ||
        fail "man -l precopy.1.gz: $(cat "$work/man.err")"
    grep -q 'EXIT STATUS' <<<"$page" || fail "precopy(1) does not render"
    page=$(run env MANWIDTH=80 man -l /usr/share/man/man3/precopy.3.gz 2>"$work/man.err") ||
        fail "man -l precopy.3.gz: $(cat "$work/man.err")"
    grep -q 'precopy_xen_policy' <<<"$page" || fail "precopy(3) does not render"
fi
# Every flag of the installed CLI is documented (the same check as the build's ctest).
bash "$repo/tests/package/check_man.sh" /usr/bin/precopy "$repo/docs/man/precopy.1.scd" "$repo/docs/cli.md" ||
    fail "precopy(1) or docs/cli.md does not match --help"

step "precopy-save-helper uses the installed preload"
cat >"$work/fake-save-helper" <<'EOF'
#!/bin/sh
# Stands in for libxl-save-helper: reports what the wrapper set up.
echo "LD_PRELOAD=$LD_PRELOAD" >&2
echo "PRECOPY_LIBRARY=$PRECOPY_LIBRARY" >&2
echo "ARGS=$*" >&2
EOF
chmod +x "$work/fake-save-helper"
run env PRECOPY_REAL_SAVE_HELPER="$work/fake-save-helper" /usr/libexec/precopy/precopy-save-helper --restore 7 \
    >"$work/helper.out" 2>"$work/helper.err" || fail "precopy-save-helper: $(cat "$work/helper.err")"
[ ! -s "$work/helper.out" ] || fail "precopy-save-helper wrote to stdout (libxl's channel): $(cat "$work/helper.out")"
grep -qx "LD_PRELOAD=$preload" "$work/helper.err" ||
    fail "the wrapper did not preload $preload: $(cat "$work/helper.err")"
grep -qx "PRECOPY_LIBRARY=$libdir/libprecopy.so.0" "$work/helper.err" ||
    fail "the wrapper did not point PRECOPY_LIBRARY at $libdir/libprecopy.so.0: $(cat "$work/helper.err")"
grep -qx "ARGS=--restore 7" "$work/helper.err" || fail "the wrapper did not pass the arguments through"
run env LD_PRELOAD="$preload" /bin/true || fail "the preload does not load into a process"

step "a C program built with pkg-config --cflags --libs precopy"
cp "$repo/tests/package/consumer/consumer.c" "$repo/tests/package/consumer/CMakeLists.txt" "$work/"
pc_flags=$(run pkg-config --cflags --libs precopy) || fail "pkg-config --cflags --libs precopy"
echo "pkg-config: $pc_flags"
[ "$(run pkg-config --modversion precopy)" = "$version" ] || fail "pkg-config --modversion precopy is not $version"
# shellcheck disable=SC2086  # pc_flags is a list of flags
run cc -std=c11 -Wall -Wextra -Werror -o consumer-pc consumer.c $pc_flags || fail "compiling with pkg-config flags"
run ./consumer-pc || fail "the pkg-config-built program failed"
grep -Eq "libprecopy\.so\.0 => (/usr)?/lib/$multiarch/libprecopy\.so\.0 " <<<"$(run ldd ./consumer-pc)" ||
    fail "the pkg-config-built program does not use $libdir/libprecopy.so.0: $(run ldd ./consumer-pc)"

step "a CMake project with find_package(precopy) and precopy::precopy"
run cmake -S . -B cmake-build -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 ||
    fail "configuring the find_package project: $(cat "$work/cmake.log")"
grep "precopy $version from $libdir/cmake/precopy" "$work/cmake.log" ||
    fail "find_package(precopy) did not find $version in $libdir/cmake/precopy: $(cat "$work/cmake.log")"
run cmake --build cmake-build >"$work/build.log" 2>&1 || fail "building the find_package project: $(cat "$work/build.log")"
run ./cmake-build/consumer || fail "the CMake-built program (precopy::precopy) failed"
grep -Eq "libprecopy\.so\.0 => (/usr)?/lib/$multiarch/libprecopy\.so\.0 " <<<"$(run ldd ./cmake-build/consumer)" ||
    fail "the CMake-built program does not use $libdir/libprecopy.so.0"
run ./cmake-build/consumer_static || fail "the CMake-built program (precopy::precopy_static) failed"
if grep -q libprecopy <<<"$(run ldd ./cmake-build/consumer_static)"; then
    fail "consumer_static is linked to the shared libprecopy"
fi

step "dpkg --purge"
dpkg --purge "${packages[@]}" || fail "dpkg --purge"
installed=0
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case $status in *" installed" | *config-files*) fail "$p is still there after purge ($status)" ;; esac
done
left=""
while IFS= read -r f; do
    grep -qxF -- "$f" <<<"$preexisting" && continue
    if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done <<<"$all_files"
[ -z "$left" ] || fail "left after purge:$left"
[ ! -e /usr/bin/precopy ] || fail "/usr/bin/precopy is still there after purge"

trap - EXIT
rm -rf "$work"
printf '\ntest_deb: PASS (%s, %s)\n' "$(basename "${deb[libprecopy0]}")" "$(basename "${deb[libprecopy-dev]}")"
