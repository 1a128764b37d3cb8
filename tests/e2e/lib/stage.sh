# shellcheck shell=bash
# Per-run staging: the guest initramfs, the project's artifacts, and the dom0 overlay.
#
# Artifacts looked for (first match wins):
#   libprecopy.so.0       $PRECOPY_BUILD_DIR/libprecopy.so.0 (or anywhere under the build dir)
#   libprecopy_preload.so under $PRECOPY_BUILD_DIR
#   precopy-save-helper   under $PRECOPY_BUILD_DIR, else generated from src/precopy-save-helper.in
#                         (its paths are overridden through PRECOPY_* variables in the dom0 anyway)
#   precopy (the CLI)     $PRECOPY_BUILD_DIR/precopy
#   patched Xen tools     $PRECOPY_XEN_DESTDIR, else the first of build/xen-4.17/destdir (the default
#                         of xen-patches/build.sh), xen-patches/build/destdir,
#                         build/xen-patched/destdir, build/xen-destdir that holds an xl binary
# In the dom0 they live under /opt/precopy and /opt/xen-patched.

# Builds the project (cmake preset "default" -> build/default) only when an artifact the
# scenario needs is missing; an existing build is used as it is (rebuild it yourself, or with
# --build, after changing the sources).
build_project() {
  local b=$PRECOPY_BUILD_DIR force=${1:-0}
  if [ "$force" != 1 ] && [ -e "$b/libprecopy.so.0" ] && [ -e "$b/libprecopy_preload.so" ] && [ -x "$b/precopy" ]; then
    return 0
  fi
  if [ ! -f "$b/CMakeCache.txt" ]; then
    log "configuring the project in $b"
    if [ "$b" = "$REPO_ROOT/build/default" ]; then
      (cd "$REPO_ROOT" && timeout 900 cmake --preset default) > "$OUT/cmake-configure.log" 2>&1
    else
      timeout 900 cmake -S "$REPO_ROOT" -B "$b" > "$OUT/cmake-configure.log" 2>&1
    fi || { log "WARN: cmake configure failed (see $OUT/cmake-configure.log); preload may be skipped"; return 0; }
  fi
  log "building the project in $b (log: $OUT/cmake-build.log)"
  timeout 1800 cmake --build "$b" -j2 --target precopy precopy_cli precopy_preload > "$OUT/cmake-build.log" 2>&1 ||
    log "WARN: project build failed (see $OUT/cmake-build.log); using whatever artifacts exist"
}

find_artifact() { # find_artifact DIR NAME -> DIR/NAME, else the first file or symlink NAME under DIR
  [ -d "$1" ] || return 1
  [ -e "$1/$2" ] && { echo "$1/$2"; return 0; }
  find "$1" -path "$1/e2e-*" -prune -o \( -type f -o -type l \) -name "$2" -print 2>/dev/null | head -1
}

find_patched_tree() {
  local d
  for d in ${PRECOPY_XEN_DESTDIR:-} "$REPO_ROOT/build/xen-4.17/destdir" "$REPO_ROOT/xen-patches/build/destdir" \
           "$REPO_ROOT/build/xen-patched/destdir" "$REPO_ROOT/build/xen-destdir" \
           "$REPO_ROOT/build/xen/destdir"; do
    [ -n "$d" ] && [ -d "$d" ] || continue
    if [ -n "$(find "$d" -type f -name xl -perm -u+x 2>/dev/null | head -1)" ]; then echo "$d"; return 0; fi
  done
  return 1
}

# stage_run DIR: builds DIR/overlay.cpio.gz (dom0 per-run files) and the combined initrd.
stage_run() {
  local s=$1 ov=$1/overlay g=$1/guest
  rm -rf "$s"; mkdir -p "$ov/e2e/bin" "$ov/e2e/lib" "$g/bin" "$g"/{proc,sys,dev,tmp}
  : > "$s/integrations.txt"

  # guest: busybox + our static programs + /init
  cp /bin/busybox "$g/bin/busybox"
  gcc -O2 -static -Wall -o "$g/bin/memcheck" "$E2E_DIR/guest/memcheck.c" -lm || return 1
  gcc -O2 -static -Wall -o "$g/bin/tsloop" "$E2E_DIR/guest/tsloop.c" || return 1
  cp "$E2E_DIR/guest/init" "$g/init"; chmod +x "$g/init"
  (cd "$g" && find . | cpio -o -H newc --quiet | gzip -1) > "$ov/e2e/guest.cpio.gz" || return 1
  # guests that compile (workload compile): the same initramfs with the compiler in it
  local gn
  for gn in "${E2E_GUESTS[@]}"; do
    [[ ${E2E_GUEST[$gn.workload]} == compile* ]] || continue
    log "staging the guests' compiler (workload compile)"
    cp -a "$g" "$s/guest-compile" && stage_compiler "$s/guest-compile" || return 1
    (cd "$s/guest-compile" && find . | cpio -o -H newc --quiet | gzip -1) > "$ov/e2e/guest-compile.cpio.gz" || return 1
    break
  done

  # dom0 tools and runner
  gcc -O2 -static -Wall -o "$ov/e2e/bin/ratepipe" "$E2E_DIR/dom0/ratepipe.c" || return 1
  gcc -O2 -shared -fPIC -Wall -o "$ov/e2e/lib/xl-showprogress.so" "$E2E_DIR/dom0/xl-showprogress.c" -ldl || return 1
  cp "$E2E_DIR/dom0/init" "$ov/init"; chmod +x "$ov/init"
  cp "$E2E_DIR/dom0/run-dom0.sh" "$ov/e2e/run-dom0.sh"
  cp "$E2E_DIR/dom0/lib.sh" "$ov/e2e/lib.sh"
  cp "$E2E_DIR/lib/scenario.sh" "$ov/e2e/scenario.sh"
  cp "$SCEN" "$ov/e2e/scenario.conf"
  echo "${budget_watchdog:-3600}" > "$ov/e2e/watchdog_s"

  # the project: libprecopy + the preload + its wrapper + the CLI
  local b=$PRECOPY_BUILD_DIR lib pre wrap cli
  : > "$ov/e2e/settings.sh"
  lib=$(find_artifact "$b" 'libprecopy.so.0')
  pre=$(find_artifact "$b" 'libprecopy_preload.so')
  wrap=$(find_artifact "$b" 'precopy-save-helper')
  cli=$b/precopy
  mkdir -p "$ov/opt/precopy/bin" "$ov/opt/precopy/lib"
  [ -x "$cli" ] && cp -L "$cli" "$ov/opt/precopy/bin/precopy"
  if [ -n "$lib" ] && [ -n "$pre" ]; then
    cp -L "$lib" "$ov/opt/precopy/lib/libprecopy.so.0"
    cp -L "$pre" "$ov/opt/precopy/lib/libprecopy_preload.so"
    if [ -n "$wrap" ]; then cp -L "$wrap" "$ov/opt/precopy/bin/precopy-save-helper"
    else sed 's/@[A-Z_]*@/\/nonexistent/g' "$REPO_ROOT/src/precopy-save-helper.in" > "$ov/opt/precopy/bin/precopy-save-helper"
    fi
    chmod +x "$ov/opt/precopy/bin/precopy-save-helper"
    cat >> "$ov/e2e/settings.sh" <<SET
PRELOAD_HELPER=/opt/precopy/bin/precopy-save-helper
PRELOAD_ENV="PRECOPY_PRELOAD=/opt/precopy/lib/libprecopy_preload.so PRECOPY_LIBRARY=/opt/precopy/lib/libprecopy.so.0 PRECOPY_REAL_SAVE_HELPER=/usr/lib/xen-4.17/bin/libxl-save-helper"
SET
    echo "preload: $pre (+ $lib, wrapper ${wrap:-generated from src/precopy-save-helper.in})" >> "$s/integrations.txt"
    check_dom0_deps "$ov/opt/precopy/lib/libprecopy.so.0" "$ov/opt/precopy/lib/libprecopy_preload.so"
  else
    echo "preload: MISSING (libprecopy.so.0=${lib:-none} libprecopy_preload.so=${pre:-none} in $b)" >> "$s/integrations.txt"
  fi

  # the operator's guide: the guide itself, its dom0 runner, and the packages it installs (in
  # /root, where the guide's `apt-get install ./libprecopy0_...deb` looks for them)
  if [ -n "${E2E_GUIDE_GUEST:-}" ]; then
    local debdir=${PRECOPY_DEB_DIR:-}
    if [ -z "$debdir" ]; then build_debs_as_the_guide_says || return 1; debdir=$REPO_ROOT/build/deb/packages; fi
    compgen -G "$debdir/libprecopy0_*.deb" >/dev/null || { log "no libprecopy0_*.deb in $debdir"; return 1; }
    mkdir -p "$ov/root"
    cp "$debdir"/libprecopy*.deb "$ov/root/"
    cp "$REPO_ROOT/docs/operators-guide.md" "$ov/e2e/operators-guide.md"
    cp "$E2E_DIR/dom0/operator-guide.sh" "$ov/e2e/operator-guide.sh"
    echo "operator's guide: on guest $E2E_GUIDE_GUEST with $(cd "$debdir" && ls libprecopy*.deb | tr '\n' ' ')" >> "$s/integrations.txt"
  fi

  # the patched Xen tools
  local tree xl helper libdir
  if tree=$(find_patched_tree); then
    mkdir -p "$ov/opt/xen-patched"
    cp -a "$tree/." "$ov/opt/xen-patched/"
    rm -rf "$ov/opt/xen-patched"/usr/{include,share} "$ov/opt/xen-patched"/usr/lib/*/pkgconfig 2>/dev/null
    find "$ov/opt/xen-patched" -name '*.a' -delete
    xl=$(cd "$ov" && find opt/xen-patched -type f -name xl -perm -u+x | head -1)
    helper=$(cd "$ov" && find opt/xen-patched -type f -name libxl-save-helper | head -1)
    libdir=$(cd "$ov" && find opt/xen-patched -name 'libxenlight.so*' -printf '%h\n' | sort -u | head -1)
    cat >> "$ov/e2e/settings.sh" <<SET
PATCHED_XL=/$xl
PATCHED_SAVE_HELPER=/$helper
PATCHED_LIBDIR=/$libdir:/opt/precopy/lib
SET
    echo "patched: $tree (xl=/$xl helper=/$helper libdir=/$libdir)" >> "$s/integrations.txt"
  else
    echo "patched: MISSING (no DESTDIR tree with xl; set PRECOPY_XEN_DESTDIR)" >> "$s/integrations.txt"
  fi
  sed 's/^/  /' "$s/integrations.txt" | while read -r l; do log "artifact $l"; done

  (cd "$ov" && find . | cpio -o -H newc --quiet | gzip -1) > "$s/overlay.cpio.gz" || return 1
  # one initrd: the cached base rootfs archive followed by the overlay archive
  cat "$PRECOPY_E2E_CACHE/dom0-base.cpio.gz" "$s/overlay.cpio.gz" > "$s/dom0.cpio.gz"
}

# Section 1 of docs/operators-guide.md, run as written on this (the build) machine: the block
# after "<!-- guide-test: build machine -->" builds build/deb/packages/libprecopy*.deb.
build_debs_as_the_guide_says() {
  local block=$OUT/guide-build-block.sh
  awk '/^<!-- guide-test: build machine -->/{m=1; next} m && /^```sh/{b=1; next} b && /^```/{exit} b' \
    "$REPO_ROOT/docs/operators-guide.md" > "$block"
  [ -s "$block" ] || { log "no build-machine block in docs/operators-guide.md"; return 1; }
  log "building the packages as docs/operators-guide.md section 1 says (log: $OUT/guide-build.log)"
  sed 's/^/  $ /' "$block" >&2
  (cd "$REPO_ROOT" && timeout 1800 bash -e "$block") > "$OUT/guide-build.log" 2>&1 ||
    { log "the guide's build block failed (see $OUT/guide-build.log)"; tail -n 20 "$OUT/guide-build.log" >&2; return 1; }
}

# Warn when a library we put into the dom0 needs something the dom0 rootfs lacks.
check_dom0_deps() {
  local f missing
  for f in "$@"; do
    missing=$(ldd "$f" 2>/dev/null | awk '{print $1}' | while read -r so; do
      case "$so" in linux-vdso*|/*|libprecopy*|libxen*) continue ;; esac
      [ -n "$(find "$PRECOPY_E2E_CACHE/rootfs/usr/lib" "$PRECOPY_E2E_CACHE/rootfs/lib" -name "$so" 2>/dev/null | head -1)" ] || echo "$so"
    done)
    [ -z "$missing" ] || log "WARN: $f needs libraries missing in dom0: $missing"
  done
}
