/*
 * save_helper_shim.c -- lets the patched libxl-save-helper run without a
 * hypervisor, for xen-patches/build.sh's smoke test.
 *
 * Preloaded into the helper, it replaces xc_interface_open/close (there is
 * no /dev/xen here) and xc_domain_save, which instead of migrating a guest
 * reports how the helper filled struct save_callbacks and then drives the
 * new precopy_round_policy callback (patch 1) over fixed rounds, the way the
 * patched send_memory_live() does after each bitmap read, after two calls
 * of precopy_round_peek (patch 4) per round, as send_dirty_pages() makes
 * them while the round is sent.  Lines go to stderr, prefixed "shim:":
 *
 *   shim: precopy_policy=unset round_policy=set|unset round_peek=set|unset
 *   shim: round K dirty D -> DECISION          (0 continue, 1 stop, -1 abort)
 *   shim: rounds=N
 */
#include <stdint.h>
#include <stdio.h>

#include <xenctrl.h>
#include <xenguest.h>

static int fake_handle;

xc_interface *xc_interface_open(xentoollog_logger *logger,
                                xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    (void)logger;
    (void)dombuild_logger;
    (void)open_flags;
    return (xc_interface *)&fake_handle;
}

int xc_interface_close(xc_interface *xch)
{
    (void)xch;
    return 0;
}

int xc_domain_save(xc_interface *xch, int io_fd, uint32_t dom, uint32_t flags,
                   struct save_callbacks *cb, xc_stream_type_t stream_type,
                   int recv_fd)
{
    /* Pages found dirty after each round of a 1 GiB guest. */
    static const unsigned long dirty[] = {
        40000, 20000, 12000, 9000, 8000, 7800, 7700, 7600, 7600, 7600,
    };
    const unsigned int n = sizeof(dirty) / sizeof(dirty[0]);
    unsigned long sent = 262144, total = 0;
    unsigned int i, rounds = 0;

    (void)xch;
    (void)io_fd;
    (void)dom;
    (void)flags;
    (void)stream_type;
    (void)recv_fd;

    fprintf(stderr, "shim: precopy_policy=%s round_policy=%s round_peek=%s\n",
            cb->precopy_policy ? "set" : "unset",
            cb->precopy_round_policy ? "set" : "unset",
            cb->precopy_round_peek ? "set" : "unset");

    if ( cb->precopy_round_policy )
    {
        for ( i = 0; i < n; i++ )
        {
            struct precopy_round_stats s = {
                .iteration = i + 1,
                .pages_written = sent,
                .total_written = total += sent,
                .dirty_count = dirty[i],
                .duration_ns = 2000000 + sent * 8000ULL, /* ~1 Gbit/s */
            };
            int decision;

            /* The dirty set after a quarter and half of the round. */
            if ( cb->precopy_round_peek )
            {
                struct precopy_round_peek p = {
                    .iteration = s.iteration,
                    .dirty_count = dirty[i] / 2,
                    .elapsed_ns = s.duration_ns / 4,
                };

                cb->precopy_round_peek(p, cb->data);
                p.dirty_count = dirty[i] * 3 / 4;
                p.elapsed_ns = s.duration_ns / 2;
                cb->precopy_round_peek(p, cb->data);
            }

            decision = cb->precopy_round_policy(s, cb->data);

            rounds++;
            fprintf(stderr, "shim: round %u dirty %lu -> %d\n",
                    i + 1, dirty[i], decision);
            if ( decision != XGS_POLICY_CONTINUE_PRECOPY )
                break;
            sent = dirty[i];
        }
    }
    fprintf(stderr, "shim: rounds=%u\n", rounds);
    return 0;
}
