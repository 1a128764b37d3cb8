/*
 * fake_libxenguest.h -- test hooks of the test-only libxenguest stand-in
 * (tests/fake_libxenguest.c).  The library exports xc_domain_save@VERS_4.17.0
 * and runs libxenguest's live pre-copy loop over a scripted dirty-page
 * sequence instead of a guest.
 */
#ifndef PRECOPY_TESTS_FAKE_LIBXENGUEST_H_
#define PRECOPY_TESTS_FAKE_LIBXENGUEST_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FAKE_XENGUEST_MAX_ROUNDS 64
#define FAKE_XENGUEST_MAX_CALLS 256

/*
 * p2m_size: guest pages (round 1 sends them all).
 * dirty[k-1]: pages found dirty after live round k (k = 1..n); past n the
 *   last value repeats.
 * round_us: how long a round that sends all p2m_size pages sleeps (rounds
 *   that send fewer pages sleep proportionally, at least 50 us), so that
 *   a policy timing rounds with a real clock sees plausible numbers.
 */
void fake_xenguest_configure(uint64_t p2m_size, const uint64_t *dirty,
                             unsigned int n, unsigned int round_us);

struct fake_xenguest_call {
    char point;               /* 'A' before a round, 'B' after it */
    unsigned int iteration;
    unsigned long total_written;
    long dirty_count;
    int decision;
};

struct fake_xenguest_result {
    unsigned int live_rounds;     /* live rounds sent */
    uint64_t live_pages[FAKE_XENGUEST_MAX_ROUNDS]; /* pages sent by each */
    char stop_point;              /* 'A', 'B', or 'X' for abort */
    uint64_t final_pages;         /* pages sent after suspend */
    unsigned int suspends;        /* times callbacks->suspend was called */
    unsigned int ncalls;          /* policy calls (capped at the array) */
    struct fake_xenguest_call calls[FAKE_XENGUEST_MAX_CALLS];
};

/* The outcome of the last xc_domain_save(). */
const struct fake_xenguest_result *fake_xenguest_result(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PRECOPY_TESTS_FAKE_LIBXENGUEST_H_ */
