/*
 * precopy.h -- C ABI of libprecopy: decide when a live migration should stop
 * its iterative pre-copy rounds and enter stop-and-copy.
 *
 * Conventions (LevelDB c.h style):
 *
 *  - Every object is an opaque handle with a create/destroy pair.
 *    Destroy functions accept NULL.
 *
 *  - Functions that can fail take a trailing `char **errptr`.  On entry
 *    *errptr must be NULL or a message earlier returned by this library.
 *    On failure the library frees the old message and stores a new one
 *    (allocated with malloc, one line, no trailing newline); the caller
 *    releases it with precopy_free().  On success *errptr is left as it was.
 *    errptr itself may be NULL when the caller does not want the text.
 *
 *  - No function throws, aborts, blocks on I/O (except precopy_destroy when
 *    a trace_path was configured, which writes that file), or allocates in
 *    proportion to the number of rounds beyond the configured round cap.
 *    A NULL handle where one is required is an error (or, for functions that
 *    return a decision, PRECOPY_ERROR).
 *
 *  - Decisions use libxenguest's values: PRECOPY_CONTINUE == 0 ==
 *    XGS_POLICY_CONTINUE_PRECOPY, PRECOPY_STOP == 1 == XGS_POLICY_STOP_AND_COPY.
 *
 *  - Thread safety: one handle per migration.  A handle must not be used by
 *    two threads at once; distinct handles are independent and may be used
 *    concurrently from different threads.  Configs are likewise per thread.
 *
 * The decision protocol ("patched loop"): after live round k has been sent
 * and its dirty bitmap read, call precopy_observe() with the round's numbers,
 * then precopy_decide().  PRECOPY_STOP means: suspend the guest now and send
 * the dirty pages of round k in stop-and-copy.
 *
 * For stock libxenguest (Xen 4.10 .. 4.17 and staging) use precopy_xen_policy
 * as the save_callbacks' precopy_policy with the handle as callbacks.data; it
 * speaks libxenguest's two-calls-per-round protocol and times rounds itself.
 */
#ifndef PRECOPY_PRECOPY_H_
#define PRECOPY_PRECOPY_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PRECOPY_EXPORT __attribute__((visibility("default")))
#else
#define PRECOPY_EXPORT
#endif

#define PRECOPY_CONTINUE 0
#define PRECOPY_STOP 1
#define PRECOPY_ERROR (-1)

typedef struct precopy_config_t precopy_config_t;
typedef struct precopy_t precopy_t;

/* Library version, e.g. "0.1.0". */
PRECOPY_EXPORT const char *precopy_version(void);

/* Releases a string returned through errptr or by precopy_*_string(). */
PRECOPY_EXPORT void precopy_free(void *ptr);

/* ---- Configuration -------------------------------------------------- */

/* A config starts with the defaults: policy "predictive", page_size 4096,
 * threshold_pages 50, max_rounds 30, no downtime budget, downtime_weight 10,
 * fixed_downtime_ms 0, bandwidth measured, log level "warn" (silent unless
 * something goes wrong). */
PRECOPY_EXPORT precopy_config_t *precopy_config_create(void);
PRECOPY_EXPORT void precopy_config_destroy(precopy_config_t *config);

/*
 * Sets one key.  Keys (values are decimal numbers unless said otherwise):
 *   policy               predictive | paper | xen | xen-legacy | qemu | continue
 *   page_size            bytes per page (> 0, power of two)
 *   memory_pages         guest pages (the p2m size); 0 = learn from round 1
 *   threshold_pages      the paper's T / Xen's dirty-page target (>= 1)
 *   max_rounds           hard cap on live rounds (1 .. 1000)
 *   initial_rounds       the paper's initial N (>= 1)
 *   downtime_budget_ms   stop as soon as the predicted downtime fits (> 0)
 *   downtime_limit_ms    the qemu policy's downtime limit (default 300)
 *   downtime_weight      w in J = total_time + w * downtime (>= 0)
 *   fixed_downtime_ms    constant part of downtime (>= 0)
 *   bandwidth_bytes_per_s link rate; 0 = measure it from the rounds
 *   log_level            off | error | warn | info | debug | trace
 *   trace_path           write the observed rounds (and the first 400 peeks,
 *                        precopy_observe_curve) as a trace v1 file at
 *                        precopy_destroy() (for recording real migrations)
 * Unknown keys, bad numbers and out-of-range values are errors.
 */
PRECOPY_EXPORT void precopy_config_set(precopy_config_t *config,
                                       const char *key, const char *value,
                                       char **errptr);

/* Parses "NAME[,key=value...]" (the syntax of
 * `xl migrate --precopy-policy=`), e.g. "predictive,downtime_budget_ms=300".
 * A leading element without '=' is the policy name.  On error the config
 * is left unchanged. */
PRECOPY_EXPORT void precopy_config_parse(precopy_config_t *config,
                                         const char *spec, char **errptr);

/* Reads PRECOPY_POLICY (a spec as for precopy_config_parse),
 * PRECOPY_DOWNTIME_BUDGET_MS, PRECOPY_DOWNTIME_WEIGHT, PRECOPY_MAX_ROUNDS,
 * PRECOPY_THRESHOLD_PAGES, PRECOPY_FIXED_DOWNTIME_MS, PRECOPY_LOG_LEVEL and
 * PRECOPY_TRACE_PATH from the environment; unset or empty variables are
 * ignored.  On error the config is left unchanged. */
PRECOPY_EXPORT void precopy_config_from_env(precopy_config_t *config,
                                            char **errptr);

/* Returns the config as a "NAME,key=value,..." string (free with
 * precopy_free). */
PRECOPY_EXPORT char *precopy_config_string(const precopy_config_t *config);

/* ---- Decisions ------------------------------------------------------ */

/* Creates a decision state for one migration.  The config is copied. */
PRECOPY_EXPORT precopy_t *precopy_create(const precopy_config_t *config,
                                         char **errptr);
PRECOPY_EXPORT void precopy_destroy(precopy_t *handle);

/* Name of the policy in use ("predictive", ...), or "xen-fallback" once the
 * handle has fallen back to Xen's own policy after an internal error. */
PRECOPY_EXPORT const char *precopy_policy_name(const precopy_t *handle);

/* Records live round `round` (1-based, consecutive): it sent pages_sent
 * pages in `seconds` seconds, and dirty_pages pages were dirtied while it
 * ran (the count read from the dirty bitmap after it).  Round 1 sends all of
 * memory. */
PRECOPY_EXPORT void precopy_observe(precopy_t *handle, uint32_t round,
                                    uint64_t dirty_pages, double seconds,
                                    uint64_t pages_sent, char **errptr);

/* Optional evidence during a round: a peek at the dirty bitmap without clearing
 * it (XEN_DOMCTL_SHADOW_OP_PEEK) found `pages` distinct pages dirty `seconds`
 * into round `round`.  Call it before that round's precopy_observe().  Peeks
 * let `predictive` interpolate the dirty curve instead of extrapolating it. */
PRECOPY_EXPORT void precopy_observe_curve(precopy_t *handle, uint32_t round,
                                          double seconds, uint64_t pages,
                                          char **errptr);

/* After precopy_observe(): PRECOPY_STOP to enter stop-and-copy now,
 * PRECOPY_CONTINUE for another live round; PRECOPY_ERROR for a NULL handle
 * or when no round has been observed. */
PRECOPY_EXPORT int precopy_decide(precopy_t *handle);

/* Stock-loop decision before the dirty bitmap of round `round` is read:
 * the round's duration and size are known, its dirty count is not.
 * PRECOPY_STOP means stop-and-copy right after this round.  Policies that
 * cannot predict the dirty count answer PRECOPY_CONTINUE. */
PRECOPY_EXPORT int precopy_decide_before_bitmap(precopy_t *handle,
                                                uint32_t round, double seconds,
                                                uint64_t pages_sent);

/* Why the last decision was taken, e.g. "predicted downtime fits budget"
 * (a string owned by the handle, valid until the next call on it). */
PRECOPY_EXPORT const char *precopy_last_reason(const precopy_t *handle);

/* Estimates after the last observed round; NaN when unknown. */
#define PRECOPY_ESTIMATE_ROUNDS 0            /* predicted total live rounds */
#define PRECOPY_ESTIMATE_DIRTY_RATE 1        /* pages per second */
#define PRECOPY_ESTIMATE_BANDWIDTH 2         /* bytes per second */
#define PRECOPY_ESTIMATE_DOWNTIME 3          /* seconds, if stopped now */
#define PRECOPY_ESTIMATE_NEXT_DIRTY 4        /* pages dirtied by next round */
PRECOPY_EXPORT double precopy_estimate(const precopy_t *handle, int which);

/* ---- Xen (libxenguest) adapter -------------------------------------- */

/*
 * Has exactly libxenguest's precopy_policy_t type, so a toolstack writes
 *
 *     callbacks.precopy_policy = precopy_xen_policy;
 *     callbacks.data = handle;            // a precopy_t *
 *
 * It follows send_memory_live()'s protocol (a call before each round with
 * the dirty count, a call after it with dirty_count == -1), measures round
 * durations with a monotonic clock, and returns XGS_POLICY_* values.  With
 * a NULL handle, or after any internal error, it answers as Xen's own
 * simple_precopy_policy would and logs why once.  Include <xenguest.h>
 * before calling it; the declaration needs only the struct's name.
 */
struct precopy_stats;
PRECOPY_EXPORT int precopy_xen_policy(struct precopy_stats stats, void *data);

/*
 * precopy_xen_policy for a caller that can read, at the call after a round
 * (dirty_count == -1), how many pages that round dirtied: Xen counts the
 * pages dirtied since the log was last cleaned, send_memory_live() cleans it
 * only after that call, and XEN_DOMCTL_SHADOW_OP_PEEK with no bitmap
 * (xc_logdirty_control(xch, domid, XEN_DOMCTL_SHADOW_OP_PEEK, NULL, 0, 0,
 * &stats)) returns that count without clearing anything.  Pass it as
 * dirty_pages; a policy that would predict it (predictive) then decides on
 * the count, as in the patched loop, instead of on a prediction of it; the
 * others ignore it.  dirty_pages < 0 (the peek failed) and the call before a
 * round are exactly precopy_xen_policy.  libprecopy_preload calls this.
 */
PRECOPY_EXPORT int precopy_xen_policy_peeked(struct precopy_stats stats, long dirty_pages, void *data);

/* Replaces the monotonic clock used by precopy_xen_policy (for tests and
 * replays).  now_ns returns nanoseconds; NULL restores the real clock. */
typedef uint64_t (*precopy_clock_fn)(void *clock_data);
PRECOPY_EXPORT void precopy_set_clock(precopy_t *handle, precopy_clock_fn now_ns,
                                      void *clock_data);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PRECOPY_PRECOPY_H_ */
