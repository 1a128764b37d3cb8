/*
 * memcheck -- guest-side memory writer and integrity checker for the e2e testbed.
 *
 * Keeps a region of N pages.  Every page carries a header (magic ^ index, generation) and a
 * body derived from (index, generation).  An independent record -- one 32-bit generation
 * per page in a separate allocation -- says which generation each page must hold.
 *
 *   - every write first verifies the page it is about to overwrite against the record,
 *     then bumps the record and rewrites the whole page: an update lost by a migration
 *     (page or record reverted to an older copy) shows up as a mismatch;
 *   - every -v seconds a verification pass checks all pages (header and last word; every
 *     -f-th pass the full body), and prints one line:
 *         E2E CHECK wall=<unix s> pass=<n> pages=<N> writes=<total> touched=<pages ever written>
 *                   bad=<pass> bad_total=<all>
 *
 * Usage: memcheck -m MIB [-r PAGES_PER_S] [-p AFTER_S:PAGES_PER_S] [-b ON_S:OFF_S] [-z S | -s]
 *                 [-v VERIFY_S] [-f FULL_EVERY]
 *   -r 0 = idle (the region is still verified; it catches corruption of untouched pages).
 *   -p   a step: AFTER_S seconds after the start, write at the second rate instead of -r (0: stop
 *        writing): a job that starts or ends in the middle of a migration.  Prints one line
 *            E2E MEMCHECK step wall=<unix s> rate=<pages/s>
 *        when it happens, so that the step can be placed among the migration's rounds.
 *   -b   bursty: write at -r for ON_S seconds, then pause OFF_S seconds, repeat.
 *   -z   skewed: the page of popularity rank r (1 = most written) is written with probability
 *        proportional to r^-S (Zipf), instead of uniformly.  A few pages are rewritten all the
 *        time and a long tail rarely, so the distinct pages dirtied grow ever more slowly with
 *        the window: the concave dirty curve of real guests, which a uniform writer only shows
 *        once its region is nearly full.
 *   -s   sweep: write the region's pages in order, wrapping round at its end (a ring buffer, a log,
 *        a copying collector).  No page is written twice until the whole region has been, so the
 *        distinct pages dirtied grow exactly with the window, rate x t, until the region is full:
 *        the constant-rate guest the seed paper assumes, with a hard knee where a uniform writer
 *        bends smoothly.
 *   -X   self-test: after the first pass, simulate one lost update (a page written, then
 *        reverted to its previous contents); bad_total must become 1 (found by the next
 *        pass, or earlier by the next write to that page).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE_WORDS 512u /* 4096 / 8 */
#define MAGIC 0x5052454350595041ull /* "PRECPYPA" */

static uint64_t *region;
static uint32_t *record;
static uint64_t npages;
static uint64_t bad_total, writes;
static int reported;

static double now_mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
static double now_wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline uint64_t body_word(uint64_t idx, uint32_t gen, uint64_t k) {
  uint64_t x = (idx * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)gen * 0xC2B2AE3D27D4EB4Full);
  return x + k * 0x100000001B3ull;
}

static void report_bad(uint64_t idx, const char *what, uint64_t got, uint64_t want) {
  if (reported++ < 20)
    printf("E2E MISMATCH page=%llu %s got=%llx want=%llx record_gen=%u\n", (unsigned long long)idx,
           what, (unsigned long long)got, (unsigned long long)want, record[idx]);
}

/* Checks page idx against the record; full = check the whole body.  Returns 1 if bad. */
static int check_page(uint64_t idx, int full) {
  uint64_t *p = region + idx * PAGE_WORDS;
  uint32_t gen = record[idx];
  if (p[0] != (MAGIC ^ idx)) { report_bad(idx, "header", p[0], MAGIC ^ idx); return 1; }
  if (p[1] != gen) { report_bad(idx, "generation", p[1], gen); return 1; }
  if (full) {
    for (uint64_t k = 2; k < PAGE_WORDS; k++)
      if (p[k] != body_word(idx, gen, k)) { report_bad(idx, "body", p[k], body_word(idx, gen, k)); return 1; }
  } else if (p[PAGE_WORDS - 1] != body_word(idx, gen, PAGE_WORDS - 1)) {
    report_bad(idx, "tail", p[PAGE_WORDS - 1], body_word(idx, gen, PAGE_WORDS - 1));
    return 1;
  }
  return 0;
}

static void write_page(uint64_t idx) {
  uint64_t *p = region + idx * PAGE_WORDS;
  if (check_page(idx, 0)) bad_total++;
  uint32_t gen = ++record[idx];
  p[0] = MAGIC ^ idx;
  p[1] = gen;
  for (uint64_t k = 2; k < PAGE_WORDS; k++) p[k] = body_word(idx, gen, k);
  writes++;
}

static uint64_t rng = 88172645463325252ull;
static inline uint64_t xorshift(void) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return rng;
}

/* The skewed writer's page: rank x drawn from the continuous density x^-s on [1, n + 1] by inverting
 * its distribution function, then spread over the region by multiplying by a prime larger than any
 * region's page count (so a bijection modulo it) so that hot pages are not all adjacent. */
static double zipf_s = -1;
static uint64_t zipf_page(void) {
  double u = (double)(xorshift() >> 11) * (1.0 / 9007199254740992.0), n1 = (double)npages + 1, x;
  if (zipf_s > 0.999 && zipf_s < 1.001) x = pow(n1, u);
  else x = pow(1 + u * (pow(n1, 1 - zipf_s) - 1), 1 / (1 - zipf_s));
  uint64_t rank = (uint64_t)x - 1;
  if (rank >= npages) rank = npages - 1;
  return (uint64_t)(((unsigned __int128)rank * 2654435761u) % npages);
}

int main(int argc, char **argv) {
  double mib = 16, rate = 0, on_s = 0, off_s = 0, verify_s = 2, step_after_s = -1, step_rate = 0;
  int full_every = 5, opt, selftest = 0, sweep = 0;
  while ((opt = getopt(argc, argv, "m:r:p:b:z:sv:f:X")) != -1) {
    switch (opt) {
    case 'm': mib = atof(optarg); break;
    case 'r': rate = atof(optarg); break;
    case 'p':
      if (sscanf(optarg, "%lf:%lf", &step_after_s, &step_rate) != 2 || !(step_after_s >= 0) || !(step_rate >= 0)) return 2;
      break;
    case 'b': if (sscanf(optarg, "%lf:%lf", &on_s, &off_s) != 2) return 2; break;
    case 'z': zipf_s = atof(optarg); if (!(zipf_s > 0)) return 2; break;
    case 's': sweep = 1; break;
    case 'v': verify_s = atof(optarg); break;
    case 'f': full_every = atoi(optarg); break;
    case 'X': selftest = 1; break;
    default:
      fprintf(stderr, "usage: memcheck -m MIB [-r PAGES_PER_S] [-p AFTER_S:PAGES_PER_S] [-b ON:OFF] [-z S | -s] [-v S] [-f N]\n");
      return 2;
    }
  }
  if (sweep && zipf_s > 0) { fprintf(stderr, "memcheck: -z and -s choose different pages: give one\n"); return 2; }
  setvbuf(stdout, NULL, _IOLBF, 0);
  npages = (uint64_t)(mib * 256);
  if (npages == 0) npages = 1;
  region = mmap(NULL, npages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  record = mmap(NULL, npages * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (region == MAP_FAILED || record == MAP_FAILED) { perror("mmap"); return 1; }
  for (uint64_t i = 0; i < npages; i++) {  /* generation 1 everywhere, consistent with record */
    uint64_t *p = region + i * PAGE_WORDS;
    record[i] = 1; p[0] = MAGIC ^ i; p[1] = 1;
    for (uint64_t k = 2; k < PAGE_WORDS; k++) p[k] = body_word(i, 1, k);
  }
  printf("E2E MEMCHECK start pages=%llu rate=%.0f burst=%.1f:%.1f zipf=%.2f sweep=%d wall=%.3f\n",
         (unsigned long long)npages, rate, on_s, off_s, zipf_s, sweep, now_wall());

  const double slice = 0.01; /* write in 10 ms slices */
  double t0 = now_mono(), next_verify = t0 + verify_s, credit = 0, last = t0;
  unsigned long pass = 0;
  uint64_t cursor = 0; /* the sweep's next page */
  for (;;) {
    double t = now_mono(), dt = t - last;
    last = t;
    if (dt > 1.0) dt = 1.0;  /* do not try to catch up after a long pause (migration) */
    if (step_after_s >= 0 && t - t0 >= step_after_s) {
      rate = step_rate;
      step_after_s = -1;
      printf("E2E MEMCHECK step wall=%.3f rate=%.0f\n", now_wall(), rate);
    }
    int writing = rate > 0;
    if (rate > 0 && on_s > 0) {
      double cyc = on_s + off_s, ph = (t - t0) - cyc * (double)(long)((t - t0) / cyc);
      writing = ph < on_s;
    }
    if (writing) {
      credit += rate * dt;
      while (credit >= 1) {
        uint64_t idx;
        if (sweep) { idx = cursor++; if (cursor == npages) cursor = 0; }
        else idx = zipf_s > 0 ? zipf_page() : xorshift() % npages;
        write_page(idx);
        credit -= 1;
      }
    } else {
      credit = 0;
    }
    if (t >= next_verify) {
      int full = full_every > 0 && (pass % (unsigned)full_every) == 0;
      uint64_t bad = 0, touched = 0;
      for (uint64_t i = 0; i < npages; i++) {
        bad += check_page(i, full);
        touched += record[i] > 1;
      }
      bad_total += bad;
      pass++;
      printf("E2E CHECK wall=%.3f pass=%lu full=%d pages=%llu writes=%llu touched=%llu bad=%llu bad_total=%llu\n",
             now_wall(), pass, full, (unsigned long long)npages, (unsigned long long)writes,
             (unsigned long long)touched, (unsigned long long)bad, (unsigned long long)bad_total);
      next_verify = now_mono() + verify_s;
      if (selftest && pass == 1) {  /* a lost update: write a page, then revert it */
        static uint64_t saved[PAGE_WORDS];
        memcpy(saved, region, sizeof saved);
        write_page(0);
        memcpy(region, saved, sizeof saved);
      }
    }
    struct timespec sl = {0, (long)(slice * 1e9)};
    nanosleep(&sl, NULL);
  }
}
