#!/usr/bin/env bash
# xen-patches/build.sh -- build Xen 4.17's toolstack with precopy's patch series.
#
# Fetches Debian's xen source package (cached), applies Debian's own patches (debian/patches, as
# dpkg-source would), then the series in xen-patches/4.17 with `git am`, configures the tools
# only, builds tools/include, tools/libs and tools/xl, and installs them into a DESTDIR laid out
# like Debian's packages (/usr/sbin/xl, /usr/lib/x86_64-linux-gnu/libxen*.so.*,
# /usr/lib/xen-4.17/bin/libxl-save-helper). Fails loudly if a patch does not apply or the build
# breaks. 2-4 minutes on 2 cores once the source is cached (about 1 min of CPU time).
#
# Usage: xen-patches/build.sh [--no-deps] [--destdir DIR] [--staging XEN_GIT_DIR]
#
#   --no-deps            do not apt-get install the build dependencies (they must be there)
#   --destdir DIR        install here (default: $PRECOPY_XEN_WORK/destdir)
#   --staging GIT_DIR    also check that xen-patches/staging applies (git am) to the commit named
#                        in xen-patches/staging/BASE, in a worktree of that Xen git repository
#
# Environment:
#   PRECOPY_CACHE        where the downloaded source package is kept (default: build/xen-src)
#   PRECOPY_XEN_WORK     scratch directory for the unpacked tree (default: build/xen-4.17)
#   XEN_DEB_VERSION      Debian source version (default: 4.17.5+72-g01140da4e8-1)
#   JOBS                 make -j (default: 2)
#   PRECOPY_LIBRARY_DIR  directory with libprecopy.so.0 for the smoke test of the patched helper
#                        (default: build/default or build of this repository, else the system's)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
XEN_DEB_VERSION=${XEN_DEB_VERSION:-4.17.5+72-g01140da4e8-1}
upstream_version=${XEN_DEB_VERSION%-*}
cache=${PRECOPY_CACHE:-$repo/build/xen-src}
work=${PRECOPY_XEN_WORK:-$repo/build/xen-4.17}
destdir=${PRECOPY_XEN_DESTDIR:-}
jobs=${JOBS:-2}
install_deps=1
staging_git=
series=("$here"/4.17/*.patch)
git_id=(-c user.name="precopy build" -c user.email="build@precopy.invalid" -c commit.gpgsign=false)

die() { echo "build.sh: ERROR: $*" >&2; exit 1; }
step() { echo "==> [$(date +%H:%M:%S)] $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --no-deps) install_deps=0 ;;
    --destdir) destdir=${2:?--destdir needs a directory}; shift ;;
    --destdir=*) destdir=${1#*=} ;;
    --staging) staging_git=${2:?--staging needs a git directory}; shift ;;
    --staging=*) staging_git=${1#*=} ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
destdir=${destdir:-$work/destdir}
[ -e "${series[0]}" ] || die "no patches in $here/4.17"
start=$(date +%s)

# ---- build dependencies (tools only; no hypervisor, stubdoms, firmware, docs, OCaml, Go) ----
deps=(gcc make autoconf autotools-dev bison flex acpica-tools pkg-config python3-dev
      uuid-dev libyajl-dev zlib1g-dev liblzma-dev libzstd-dev git xz-utils patch ca-certificates
      binutils)
missing=()
for p in "${deps[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install_deps" = 0 ] || [ "$(id -u)" != 0 ]; then
    die "missing build dependencies: ${missing[*]} (apt-get install ${missing[*]})"
  fi
  step "installing build dependencies: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed"
fi

# ---- Debian's source package, cached ----
orig=$cache/xen_${upstream_version}.orig.tar.xz
debian=$cache/xen_${XEN_DEB_VERSION}.debian.tar.xz
if [ ! -s "$orig" ] || [ ! -s "$debian" ]; then
  mkdir -p "$cache"
  offered() { apt-cache showsrc xen 2>/dev/null | grep -qx "Version: $XEN_DEB_VERSION"; }
  if ! offered && [ "$(id -u)" = 0 ]; then
    apt-get update -qq || die "apt-get update failed"   # the lists may just be stale
  fi
  if ! offered; then
    [ "$(id -u)" = 0 ] || die "no deb-src entry offers xen $XEN_DEB_VERSION; enable one (as root) and rerun"
    # Reuse the mirror of the configured Debian archive for a deb-src line.
    uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
            /etc/apt/sources.list 2>/dev/null | grep -oE 'https?://[^ ]*debian/?' | grep -v security | head -n1 || true)
    uri=${uri:-http://deb.debian.org/debian}
    step "enabling deb-src for bookworm from $uri"
    cat > /etc/apt/sources.list.d/precopy-deb-src.sources <<EOF
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apt-get update -qq || die "apt-get update failed"
    offered || die "the archive does not offer xen source $XEN_DEB_VERSION (set XEN_DEB_VERSION)"
  fi
  step "downloading xen $XEN_DEB_VERSION source into $cache"
  # --download-only: apt checks the files against the signed Sources index; we unpack ourselves.
  (cd "$cache" && apt-get source -qq --download-only "xen=$XEN_DEB_VERSION") \
    || die "apt-get source xen=$XEN_DEB_VERSION failed"
  [ -s "$orig" ] && [ -s "$debian" ] || die "apt-get source did not leave $orig and $debian"
else
  step "using cached source in $cache"
fi

# ---- unpack, Debian's patches, then ours ----
src=$work/src/xen-$upstream_version
step "unpacking into $src"
rm -rf "$work/src"
mkdir -p "$work/src"
tar -xf "$orig" -C "$work/src"
[ -d "$src" ] || die "unexpected layout of $orig (no xen-$upstream_version/)"
tar -xf "$debian" -C "$src"
cd "$src"
step "applying Debian's patches (debian/patches/series)"
while read -r p _; do
  case "$p" in ''|'#'*) continue ;; esac
  patch -p1 -N -s --no-backup-if-mismatch -i "debian/patches/$p" \
    || die "Debian patch $p does not apply to xen $upstream_version"
done < debian/patches/series

git init -q -b debian .
git add -A -f . >/dev/null
git "${git_id[@]}" commit -q -m "xen $XEN_DEB_VERSION with debian/patches applied"
step "applying ${#series[@]} precopy patches (git am)"
for p in "${series[@]}"; do echo "    $(basename "$p")"; done
if ! git "${git_id[@]}" am -q --whitespace=nowarn "${series[@]}"; then
  git am --abort || true
  die "a precopy patch does not apply to Debian's xen $XEN_DEB_VERSION (see above)"
fi

# ---- configure (tools only) and build ----
step "configuring"
# Debian's patches delete the generated configure scripts and config.{sub,guess}.
cp /usr/share/misc/config.sub /usr/share/misc/config.guess .
./autogen.sh > "$work/autogen.log" 2>&1 || { tail -n 30 "$work/autogen.log" >&2; die "autogen.sh failed"; }
PYTHON=/usr/bin/python3 ./configure \
    --prefix=/usr --includedir=/usr/include \
    --libdir=/usr/lib/x86_64-linux-gnu --with-libexec-libdir-suffix=/x86_64-linux-gnu \
    --with-libexec-leaf-dir=xen-4.17 \
    --sysconfdir=/etc --localstatedir=/var --mandir=/usr/share/man \
    --disable-xen --disable-docs --disable-stubdom --disable-ocamltools --disable-golang \
    --disable-qemu-traditional --disable-rombios --disable-seabios --disable-ipxe \
    --disable-pvshim --disable-monitors --disable-xsmpolicy \
    --with-system-qemu=/usr/libexec/xen-qemu-system-i386 \
    > "$work/configure.log" 2>&1 || { tail -n 30 "$work/configure.log" >&2; die "configure failed (log: $work/configure.log)"; }

step "building tools/include, tools/libs, tools/xl (make -j$jobs)"
for d in tools/include tools/libs tools/xl; do
  if ! make -C "$d" -j"$jobs" > "$work/make-${d//\//-}.log" 2>&1; then
    grep -E -B2 -A6 'error|Error [0-9]' "$work/make-${d//\//-}.log" | head -n 60 >&2
    die "building $d failed (log: $work/make-${d//\//-}.log)"
  fi
done

# ---- install ----
step "installing into $destdir"
rm -rf "$destdir"
mkdir -p "$destdir"
for d in tools/include tools/libs tools/xl; do
  make -C "$d" install DESTDIR="$destdir" > "$work/install-${d//\//-}.log" 2>&1 \
    || die "make -C $d install failed (log: $work/install-${d//\//-}.log)"
done
for f in usr/sbin/xl usr/lib/xen-4.17/bin/libxl-save-helper \
         usr/lib/x86_64-linux-gnu/libxenguest.so.4.17.0 usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0; do
  [ -e "$destdir/$f" ] || die "expected $destdir/$f after install"
done
grep -q precopy_round_policy "$destdir/usr/include/xenguest.h" \
  || die "installed xenguest.h lacks precopy_round_policy: the series was not built"

# ---- smoke test: the patched libxl-save-helper, without a hypervisor ----
# tests/save_helper_shim.c, preloaded, stands in for xc_interface_open and xc_domain_save; the
# helper's own code (LIBXL_PRECOPY_POLICY, dlopen of libprecopy, the round policy) runs for real.
step "smoke test of the patched libxl-save-helper (shim for libxenctrl/libxenguest)"
smoke=$work/smoke
mkdir -p "$smoke"
gcc -shared -fPIC -Wall -Wextra -Werror -I"$destdir/usr/include" -o "$smoke/shim.so" \
    "$here/tests/save_helper_shim.c" || die "cannot build the smoke-test shim"
run_helper() {  # run_helper SPEC EXTRA_LIBRARY_DIR: leaves $smoke/log (messages to libxl), $smoke/err
  env ${1:+LIBXL_PRECOPY_POLICY="$1"} \
      LD_LIBRARY_PATH="$destdir/usr/lib/x86_64-linux-gnu${2:+:$2}" LD_PRELOAD="$smoke/shim.so" \
      "$destdir/usr/lib/xen-4.17/bin/libxl-save-helper" --save-domain 5 -1 1 1 0 0 \
      </dev/null >"$smoke/out" 2>"$smoke/err" || true   # ends waiting for libxl's reply: exit 254
  strings "$smoke/out" > "$smoke/log"
}
expect() {  # expect FILE REGEX WHAT
  grep -qE "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; die "smoke test: $3"; }
}
run_helper "" ""
expect "$smoke/err" 'round_policy=unset round_peek=unset' "without a policy the helper must not install one"
expect "$smoke/err" 'rounds=0' "without a policy the helper must not run one"
if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libprecopy\.so\.0 '; then
  run_helper "continue,max_rounds=3" ""
  expect "$smoke/log" 'cannot load libprecopy\.so\.0.*using the default precopy policy' "missing libprecopy must be reported"
  expect "$smoke/err" 'round_policy=unset' "missing libprecopy must leave Xen's policy"
fi
libdir=${PRECOPY_LIBRARY_DIR:-}
if [ -z "$libdir" ]; then
  for d in "$repo/build/default" "$repo/build"; do
    if [ -e "$d/libprecopy.so.0" ]; then libdir=$d; break; fi
  done
fi
if [ -n "$libdir" ] || /sbin/ldconfig -p 2>/dev/null | grep -q 'libprecopy\.so\.0 '; then
  rm -f "$smoke/trace.csv"
  run_helper "continue,max_rounds=3,trace_path=$smoke/trace.csv" "$libdir"
  expect "$smoke/log" 'precopy policy: continue' "the helper must load libprecopy (from ${libdir:-the system})"
  expect "$smoke/err" 'round_policy=set round_peek=set' "the helper must pass peeks to libprecopy"
  expect "$smoke/trace.csv" '^1,[0-9.]+,20000$' "round 1's peeks must reach libprecopy's recording"
  expect "$smoke/trace.csv" '^3,[0-9.]+,9000$' "round 3's peeks must reach libprecopy's recording"
  expect "$smoke/err" 'round 3 dirty 12000 -> 1' "continue,max_rounds=3 must stop after round 3"
  expect "$smoke/err" 'rounds=3' "continue,max_rounds=3 must run 3 rounds"
  expect "$smoke/log" 'precopy round 3: .* stop and copy' "round decisions must be logged"
  run_helper "no-such-policy" "$libdir"
  expect "$smoke/log" 'precopy policy "no-such-policy": .*using the default policy' "a bad policy must be reported"
  expect "$smoke/err" 'round_policy=unset' "a bad policy must leave Xen's policy"
  echo "    helper: policy loaded, rounds decided, failures fall back (libprecopy from ${libdir:-the system})"
else
  echo "    helper: fallback checked; no libprecopy.so.0 found (build precopy first, or set PRECOPY_LIBRARY_DIR)"
fi

# ---- optionally: the staging series against upstream ----
if [ -n "$staging_git" ]; then
  base=$(tr -d ' \n' < "$here/staging/BASE")
  step "checking xen-patches/staging against $base in $staging_git"
  wt=$work/staging-check
  git -C "$staging_git" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
  git -C "$staging_git" worktree add -q --detach "$wt" "$base" || die "cannot check out $base"
  if ! git -C "$wt" "${git_id[@]}" am -q "$here"/staging/*.patch; then
    git -C "$wt" am --abort || true
    die "the staging series does not apply to $base"
  fi
  git -C "$staging_git" worktree remove --force "$wt"
  echo "    staging series applies to $base"
fi

end=$(date +%s)
step "done in $((end - start)) s"
echo "DESTDIR=$destdir"
echo "  xl:                $destdir/usr/sbin/xl"
echo "  libxl-save-helper: $destdir/usr/lib/xen-4.17/bin/libxl-save-helper"
echo "  libraries:         $destdir/usr/lib/x86_64-linux-gnu/libxen{guest,light,ctrl,...}.so.*"
