/*
 * xl-showprogress.so -- LD_PRELOAD shim for xl (dom0 side of the e2e testbed).
 *
 * `xl migrate` calls xtl_stdiostream_adjust_flags(logger, XTL_STDIOSTREAM_HIDE_PROGRESS, 0),
 * which hides libxc's per-round progress ("Frames iteration N: sent/total").  This shim drops
 * HIDE_PROGRESS and asks for one line per progress report ("\n", not "\r"), so the number of
 * live rounds and the pages sent in each can be read from xl's output.
 * Flag values from xentoollog.h: HIDE_PROGRESS 004, PROGRESS_USE_CR 010, PROGRESS_NO_CR 020.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

typedef void adjust_fn(void *, unsigned, unsigned);

void xtl_stdiostream_adjust_flags(void *logger, unsigned set, unsigned clear) {
  static adjust_fn *real;
  if (!real) real = (adjust_fn *)dlsym(RTLD_NEXT, "xtl_stdiostream_adjust_flags");
  if (real) real(logger, (set & ~004u) | 020u, clear | 010u);
}
