/*
 * ratepipe -- rate-limiting, byte-counting pipe for the migration stream (dom0 side).
 *
 *   xl migrate -s '' GUEST 'ratepipe -r 12500000 -o /tmp/m1.bytes | xl migrate-receive -e'
 *
 * Copies stdin to stdout at no more than -r bytes per second (token bucket with a 256 KiB
 * burst; -r 0 = unlimited) and, when stdin ends, writes
 *     bytes=<n> first=<unix s of first byte> last=<unix s of last byte>
 * to the -o file.  Exits 0 at EOF, 1 on a read/write error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static const char *out_path;
static unsigned long long total;
static double first_wall, last_wall;

static void write_count(void) {
  if (!out_path) return;
  FILE *f = fopen(out_path, "w");
  if (!f) return;
  fprintf(f, "bytes=%llu first=%.3f last=%.3f\n", total, first_wall, last_wall);
  fclose(f);
}

int main(int argc, char **argv) {
  double rate = 0;
  int opt;
  while ((opt = getopt(argc, argv, "r:o:")) != -1) {
    if (opt == 'r') rate = atof(optarg);
    else if (opt == 'o') out_path = optarg;
    else { fprintf(stderr, "usage: ratepipe [-r BYTES_PER_S] [-o COUNTFILE]\n"); return 2; }
  }
  signal(SIGPIPE, SIG_IGN);
  static char buf[65536];
  const double burst = 262144;
  double tokens = burst, last = now(CLOCK_MONOTONIC);
  int rc = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { rc = n < 0; break; }
    if (!first_wall) first_wall = now(CLOCK_REALTIME);
    if (rate > 0) {
      for (;;) {  /* wait until the bucket holds n bytes' worth of tokens */
        double t = now(CLOCK_MONOTONIC);
        tokens += (t - last) * rate;
        last = t;
        if (tokens > burst) tokens = burst;
        if (tokens >= n || tokens >= burst) break;
        double wait = (n - tokens) / rate;
        struct timespec d = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
        nanosleep(&d, NULL);
      }
      tokens -= n;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) { rc = 1; goto out; }
      off += w;
    }
    total += n;
    last_wall = now(CLOCK_REALTIME);
    if (out_path && (total & ((1u << 24) - 1)) < (unsigned long long)n) write_count(); /* progress */
  }
out:
  write_count();
  return rc;
}
