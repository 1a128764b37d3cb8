/*
 * fake_xen_save_driver.c -- plays libxl-save-helper's part for the preload
 * tests: it fills a struct save_callbacks the way the helper does (suspend
 * callback, data pointer, no precopy_policy unless asked) and calls
 * xc_domain_save, which resolves to tests/fake_libxenguest.c, or to
 * libprecopy_preload.so when that is in LD_PRELOAD.
 *
 * Usage: fake_xen_save_driver --p2m N --dirty D1,D2,... [--round-us U]
 *                             [--caller-policy ROUNDS] [--nonlive] [--no-xch]
 *
 * --no-xch passes a NULL xc_interface, as no real caller does: the preload
 * then cannot peek at dirty counts.  Otherwise a dummy handle is passed (the
 * fake library never dereferences it).
 *
 * Prints "key=value" lines on stdout (see main()).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenguest.h>

#include "fake_libxenguest.h"

static int cookie;
static int data_ok = 1;
static unsigned int caller_policy_rounds;
static unsigned int caller_policy_calls;

static int on_suspend(void *data)
{
    if ( data != &cookie )
        data_ok = 0;
    return 1;
}

/* A caller's own policy: stop after a fixed number of rounds. */
static int caller_policy(struct precopy_stats stats, void *data)
{
    if ( data != &cookie )
        data_ok = 0;
    caller_policy_calls++;
    return stats.iteration >= caller_policy_rounds ? XGS_POLICY_STOP_AND_COPY
                                                   : XGS_POLICY_CONTINUE_PRECOPY;
}

static int usage(void)
{
    fprintf(stderr, "usage: fake_xen_save_driver --p2m N --dirty D1,D2,... "
            "[--round-us U] [--caller-policy ROUNDS] [--nonlive] [--no-xch]\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t p2m = 0, dirty[FAKE_XENGUEST_MAX_ROUNDS];
    unsigned int n = 0, round_us = 2000, i;
    uint32_t flags = XCFLAGS_LIVE;
    struct save_callbacks cb;
    const struct fake_xenguest_result *r;
    xc_interface *xch = (xc_interface *)&cookie;  /* never dereferenced */
    int rc;

    for ( i = 1; i < (unsigned int)argc; i++ )
    {
        const char *a = argv[i];
        const char *v = i + 1 < (unsigned int)argc ? argv[i + 1] : NULL;

        if ( !strcmp(a, "--nonlive") )
        {
            flags = 0;
            continue;
        }
        if ( !strcmp(a, "--no-xch") )
        {
            xch = NULL;
            continue;
        }
        if ( v == NULL )
            return usage();
        i++;
        if ( !strcmp(a, "--p2m") )
            p2m = strtoull(v, NULL, 10);
        else if ( !strcmp(a, "--round-us") )
            round_us = (unsigned int)strtoul(v, NULL, 10);
        else if ( !strcmp(a, "--caller-policy") )
            caller_policy_rounds = (unsigned int)strtoul(v, NULL, 10);
        else if ( !strcmp(a, "--dirty") )
        {
            char *end;

            for ( ;; )
            {
                if ( n == FAKE_XENGUEST_MAX_ROUNDS )
                    return usage();
                dirty[n++] = strtoull(v, &end, 10);
                if ( *end != ',' )
                    break;
                v = end + 1;
            }
        }
        else
            return usage();
    }
    if ( p2m == 0 || n == 0 )
        return usage();

    fake_xenguest_configure(p2m, dirty, n, round_us);

    memset(&cb, 0, sizeof(cb));
    cb.suspend = on_suspend;
    cb.data = &cookie;
    if ( caller_policy_rounds )
        cb.precopy_policy = caller_policy;

    rc = xc_domain_save(xch, -1, 1, flags, &cb, XC_STREAM_PLAIN, -1);
    r = fake_xenguest_result();

    printf("rc=%d\n", rc);
    printf("rounds=%u\n", r->live_rounds);
    printf("stop=%c\n", r->stop_point ? r->stop_point : '-');
    printf("final=%" PRIu64 "\n", r->final_pages);
    printf("suspends=%u\n", r->suspends);
    printf("data_ok=%d\n", data_ok);
    printf("policy_restored=%d\n",
           cb.precopy_policy == (caller_policy_rounds ? caller_policy : NULL));
    printf("caller_policy_calls=%u\n", caller_policy_calls);
    printf("live=");
    for ( i = 0; i < r->live_rounds && i < FAKE_XENGUEST_MAX_ROUNDS; i++ )
        printf("%s%" PRIu64, i ? "," : "", r->live_pages[i]);
    printf("\n");
    for ( i = 0; i < r->ncalls; i++ )
        printf("call=%c,%u,%lu,%ld,%d\n", r->calls[i].point,
               r->calls[i].iteration, r->calls[i].total_written,
               r->calls[i].dirty_count, r->calls[i].decision);
    return rc == 0 ? 0 : 1;
}
