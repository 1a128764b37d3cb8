/*
 * fake_libxenguest.c -- a test-only stand-in for libxenguest.so.4.17.
 *
 * It exports xc_domain_save@VERS_4.17.0 (see fake_libxenguest.map) and, for
 * a live plain save, runs the pre-copy loop with the observable behaviour of
 * Xen 4.17's send_memory_live() over a scripted dirty-page sequence:
 *
 *   - the policy is asked before every round ("call A") with the dirty
 *     count that round is about to send (round 1: all of memory), the
 *     number of finished rounds and the pages sent so far;
 *   - the round is sent even when call A answered stop-and-copy (only an
 *     abort skips it), and then the loop ends;
 *   - otherwise the policy is asked again after the round ("call B") with
 *     dirty_count == -1, before the dirty bitmap is read; a stop there
 *     suspends at once, and the round's dirty pages go in stop-and-copy;
 *   - with no policy, Xen's simple policy decides (stop when fewer than 50
 *     pages are dirty or after 5 rounds).
 *
 * It also exports libxenctrl's xc_logdirty_control@VERS_4.17.0 for
 * XEN_DOMCTL_SHADOW_OP_PEEK without a bitmap: the pages dirtied since the
 * last bitmap read, i.e. by the live round sent last.  With
 * FAKE_XENGUEST_PEEK=fail in the environment it fails with EPERM, as a
 * hypervisor that refuses the operation would.
 *
 * Nothing here talks to a hypervisor; the "pages" are counters.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenctrl.h>
#include <xenguest.h>

#include "fake_libxenguest.h"

#define FAKE_EXPORT __attribute__((visibility("default")))

static uint64_t p2m_pages = 1024;
static uint64_t script[FAKE_XENGUEST_MAX_ROUNDS];
static unsigned int script_len;
static unsigned int full_round_us = 2000;
static struct fake_xenguest_result result;
static unsigned int rounds_sent;  /* live rounds sent in the save in progress */

FAKE_EXPORT void fake_xenguest_configure(uint64_t p2m_size,
                                         const uint64_t *dirty,
                                         unsigned int n, unsigned int round_us)
{
    unsigned int i;

    p2m_pages = p2m_size ? p2m_size : 1;
    if ( n > FAKE_XENGUEST_MAX_ROUNDS )
        n = FAKE_XENGUEST_MAX_ROUNDS;
    for ( i = 0; i < n; i++ )
        script[i] = dirty[i];
    script_len = n;
    full_round_us = round_us;
}

FAKE_EXPORT const struct fake_xenguest_result *fake_xenguest_result(void)
{
    return &result;
}

/* Pages found dirty after live round `round` (1-based). */
static uint64_t dirtied_by_round(unsigned int round)
{
    if ( script_len == 0 )
        return 0;
    if ( round > script_len )
        round = script_len;
    return script[round - 1];
}

static void spend_time(uint64_t pages)
{
    uint64_t us = (uint64_t)full_round_us * pages / p2m_pages;
    struct timespec ts;

    if ( full_round_us == 0 )
        return;
    if ( us < 50 )
        us = 50;
    ts.tv_sec = us / 1000000;
    ts.tv_nsec = (long)(us % 1000000) * 1000;
    while ( nanosleep(&ts, &ts) != 0 && errno == EINTR )
        ;
}

static int fallback_policy(struct precopy_stats stats, void *data)
{
    (void)data;
    if ( (stats.dirty_count >= 0 && stats.dirty_count < 50) ||
         stats.iteration >= 5 )
        return XGS_POLICY_STOP_AND_COPY;
    return XGS_POLICY_CONTINUE_PRECOPY;
}

static int ask(precopy_policy_t policy, void *data, char point,
               struct precopy_stats stats)
{
    int decision = policy(stats, data);

    if ( result.ncalls < FAKE_XENGUEST_MAX_CALLS )
    {
        struct fake_xenguest_call *c = &result.calls[result.ncalls++];

        c->point = point;
        c->iteration = stats.iteration;
        c->total_written = stats.total_written;
        c->dirty_count = stats.dirty_count;
        c->decision = decision;
    }
    return decision;
}

static void send_round(uint64_t pages)
{
    rounds_sent++;
    if ( result.live_rounds < FAKE_XENGUEST_MAX_ROUNDS )
        result.live_pages[result.live_rounds] = pages;
    result.live_rounds++;
    spend_time(pages);
}

static int live_loop(struct save_callbacks *cb)
{
    precopy_policy_t policy = cb->precopy_policy ? cb->precopy_policy
                                                 : fallback_policy;
    struct precopy_stats stats = { 0, 0, 0 };
    uint64_t bitmap = p2m_pages;  /* pages the next round will send */
    unsigned int round = 0;
    int decision;

    stats.dirty_count = (long)p2m_pages;
    for ( ;; )
    {
        decision = ask(policy, cb->data, 'A', stats);
        round++;
        if ( bitmap > 0 && decision != XGS_POLICY_ABORT )
            send_round(bitmap);
        if ( decision != XGS_POLICY_CONTINUE_PRECOPY )
        {
            result.stop_point = 'A';
            break;
        }

        stats.iteration = round;
        stats.total_written += (unsigned long)stats.dirty_count;
        stats.dirty_count = -1;
        decision = ask(policy, cb->data, 'B', stats);
        if ( decision != XGS_POLICY_CONTINUE_PRECOPY )
        {
            result.stop_point = 'B';
            break;
        }

        /* The bitmap read after round `round`. */
        bitmap = dirtied_by_round(round);
        stats.dirty_count = (long)bitmap;

        if ( round >= 1000 )  /* a runaway policy; real Xen would loop on */
        {
            result.stop_point = 'X';
            return -1;
        }
    }
    if ( decision == XGS_POLICY_ABORT )
    {
        result.stop_point = 'X';
        return -1;
    }

    /* Suspend; the final bitmap holds what the last live round let dirty. */
    if ( cb->suspend )
    {
        result.suspends++;
        if ( cb->suspend(cb->data) != 1 )
            return -1;
    }
    result.final_pages = dirtied_by_round(result.live_rounds);
    return 0;
}

FAKE_EXPORT int xc_domain_save(xc_interface *xch, int io_fd, uint32_t dom,
                               uint32_t flags, struct save_callbacks *callbacks,
                               xc_stream_type_t stream_type, int recv_fd)
{
    (void)xch;
    (void)io_fd;
    (void)dom;
    (void)recv_fd;

    memset(&result, 0, sizeof(result));
    rounds_sent = 0;
    if ( callbacks == NULL )
    {
        errno = EINVAL;
        return -1;
    }
    if ( !(flags & XCFLAGS_LIVE) || stream_type != XC_STREAM_PLAIN )
    {
        /* Non-live save: suspend and send everything once. */
        if ( callbacks->suspend )
        {
            result.suspends++;
            if ( callbacks->suspend(callbacks->data) != 1 )
                return -1;
        }
        result.final_pages = p2m_pages;
        return 0;
    }
    return live_loop(callbacks);
}

FAKE_EXPORT long long xc_logdirty_control(xc_interface *xch, uint32_t domid,
                                          unsigned int sop,
                                          xc_hypercall_buffer_t *dirty_bitmap,
                                          unsigned long pages,
                                          unsigned int mode,
                                          xc_shadow_op_stats_t *stats)
{
    const char *how = getenv("FAKE_XENGUEST_PEEK");

    (void)xch;
    (void)domid;
    (void)mode;
    if ( sop != XEN_DOMCTL_SHADOW_OP_PEEK || dirty_bitmap != NULL ||
         pages != 0 || stats == NULL || rounds_sent == 0 )
    {
        errno = EINVAL;
        return -1;
    }
    if ( how != NULL && !strcmp(how, "fail") )
    {
        errno = EPERM;
        return -1;
    }
    memset(stats, 0, sizeof(*stats));
    stats->dirty_count = (uint32_t)dirtied_by_round(rounds_sent);
    return 0;
}
