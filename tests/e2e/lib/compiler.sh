# shellcheck shell=bash
# The guest's compiler, for the workload `compile` (the seed paper's guests compiled a kernel): the
# host's gcc driver, cc1 and as, with the shared libraries they load, at the paths they have on the
# host, and C sources for it to compile, preprocessed on the host so that the guest needs no headers.
# stage.sh adds them to a copy of the busybox initramfs, given only to guests that compile.

# What the guest compiles, round and round: the project's own C files (the testbed's tools, the fake
# libxenguest, the C API consumer), with their headers (libc's, Xen's, the project's) inlined.
E2E_COMPILE_SOURCES=(tests/e2e/guest/memcheck.c tests/e2e/guest/tsloop.c tests/e2e/dom0/ratepipe.c
  tests/e2e/dom0/xl-showprogress.c tests/fake_libxenguest.c tests/fake_xen_save_driver.c
  tests/xenguest_abi_test.c tests/package/consumer/consumer.c)

# The compiler's command in the guest: a kernel build's, less the linking (-c), so neither a linker nor
# libc's startup files are needed.
E2E_COMPILE_FLAGS="-O2 -g -c"

# _e2e_copy_with_libs ROOT FILE...: copies each FILE to ROOT at the path it has here, and every shared
# library it loads (as ldd resolves it here) at the path ldd names, the dynamic loader included.
_e2e_copy_with_libs() {
  local root=$1 f dep; shift
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")" && cp -L "$f" "$root$f" || return 1
    while read -r dep; do
      [ -e "$root$dep" ] && continue
      mkdir -p "$root$(dirname "$dep")" && cp -L "$dep" "$root$dep" || return 1
    done < <(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
  done
}

# stage_compiler ROOT: fills ROOT with /usr/bin/gcc (and the cc1 and as it runs) and /src/*.i. Fails,
# saying what is missing, if the host cannot provide them.
stage_compiler() {
  local root=$1 driver cc1 as_bin src
  driver=$(readlink -f "$(command -v gcc)") && [ -x "$driver" ] ||
    { echo "compile workload: no gcc on the host (apt-get install gcc)" >&2; return 1; }
  cc1=$(gcc -print-prog-name=cc1) && [ -x "$cc1" ] ||
    { echo "compile workload: gcc names no cc1 ($cc1)" >&2; return 1; }
  as_bin=$(readlink -f "$(command -v as)") && [ -x "$as_bin" ] ||
    { echo "compile workload: no as on the host (apt-get install binutils)" >&2; return 1; }
  _e2e_copy_with_libs "$root" "$driver" "$cc1" "$as_bin" ||
    { echo "compile workload: could not copy the compiler into $root" >&2; return 1; }
  # The driver finds cc1 beside its own prefix and runs `as` from PATH (/usr/bin in the guest).
  ln -sf "$driver" "$root/usr/bin/gcc"
  [ "$as_bin" = /usr/bin/as ] || ln -sf "$as_bin" "$root/usr/bin/as"
  mkdir -p "$root/src" "$root/tmp"
  for src in "${E2E_COMPILE_SOURCES[@]}"; do
    gcc -E -I "$REPO_ROOT/include" -I "$REPO_ROOT/tests" "$REPO_ROOT/$src" \
        -o "$root/src/$(basename "$src" .c).i" ||
      { echo "compile workload: could not preprocess $src (libxen-dev, the project's build dependency, installed?)" >&2; return 1; }
  done
}
