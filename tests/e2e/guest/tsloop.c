/*
 * tsloop -- guest-side downtime observer for the e2e testbed.
 *
 * Wakes every 1 ms (SCHED_FIFO when allowed, so it is not delayed by the guest's own
 * workload) and measures the gap between consecutive CLOCK_BOOTTIME readings.  A live
 * migration's stop-and-copy phase shows up as one long gap.  Not CLOCK_MONOTONIC: a PV guest
 * is saved and restored through the kernel's suspend path, and the time it spent suspended is
 * added on resume to CLOCK_BOOTTIME (and the wall clock) but never to CLOCK_MONOTONIC, which
 * would show the stop-and-copy of thousands of pages as a gap of a few tens of ms.  Once per second-long window
 * whose largest gap exceeds the threshold it prints
 *     E2E GAP wall_end=<unix s when the largest gap ended> gap_ms=<largest gap> over=<count>
 * and every 10 s a heartbeat
 *     E2E TICK wall=<unix s> max10_ms=<largest gap in the last 10 s>
 * Usage: tsloop [THRESHOLD_MS]   (default 20)
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double ts(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  double thr = (argc > 1 ? atof(argv[1]) : 20.0) / 1000.0;
  struct sched_param sp = {.sched_priority = 50};
  if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) perror("tsloop: SCHED_FIFO (continuing)");
  setvbuf(stdout, NULL, _IOLBF, 0);
  double prev = ts(CLOCK_BOOTTIME), win_start = prev, tick_start = prev;
  double win_max = 0, win_max_wall = 0, tick_max = 0;
  unsigned over = 0;
  printf("E2E TSLOOP start wall=%.3f threshold_ms=%.1f clock=boottime\n", ts(CLOCK_REALTIME), thr * 1000);
  for (;;) {
    struct timespec d = {0, 1000000};
    nanosleep(&d, NULL);
    double now = ts(CLOCK_BOOTTIME), gap = now - prev;
    prev = now;
    if (gap > win_max) { win_max = gap; win_max_wall = ts(CLOCK_REALTIME); }
    if (gap > tick_max) tick_max = gap;
    if (gap > thr) over++;
    if (now - win_start >= 1.0) {
      if (win_max > thr)
        printf("E2E GAP wall_end=%.3f gap_ms=%.1f over=%u\n", win_max_wall, win_max * 1000, over);
      win_start = now; win_max = 0; over = 0;
    }
    if (now - tick_start >= 10.0) {
      printf("E2E TICK wall=%.3f max10_ms=%.1f\n", ts(CLOCK_REALTIME), tick_max * 1000);
      tick_start = now; tick_max = 0;
    }
  }
}
