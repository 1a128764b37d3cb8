/* consumer.c -- a tiny program using the installed libprecopy through its C ABI.
 * Built by tests/package/test_deb.sh twice: with `pkg-config --cflags --libs precopy`, and by the
 * CMake project next to it through find_package(precopy). Prints the library version and the
 * decisions on a three-round migration; exits non-zero if anything is off. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <precopy/precopy.h>

static int failed(const char *what, char *err) {
    fprintf(stderr, "consumer: %s: %s\n", what, err ? err : "(no message)");
    precopy_free(err);
    return 1;
}

int main(void) {
    char *err = NULL;

    /* The errptr convention: a bad key is reported, and the config is still usable. */
    precopy_config_t *config = precopy_config_create();
    if (config == NULL) return failed("precopy_config_create", NULL);
    precopy_config_set(config, "no_such_key", "1", &err);
    if (err == NULL) return failed("precopy_config_set accepted an unknown key", NULL);
    precopy_free(err);
    err = NULL;

    precopy_config_parse(config, "predictive,downtime_budget_ms=300,memory_pages=131072", &err);
    if (err) return failed("precopy_config_parse", err);
    precopy_t *m = precopy_create(config, &err);
    precopy_config_destroy(config);
    if (m == NULL) return failed("precopy_create", err);

    /* round, dirty pages, seconds, pages sent: 512 MiB over 100 Mbit/s, a guest that converges. */
    static const struct { uint64_t dirty; double seconds; uint64_t sent; } rounds[] = {
        {20000, 42.9, 131072}, {2500, 6.6, 20000}, {300, 0.82, 2500}};
    int decision = PRECOPY_ERROR;
    uint32_t round = 0;
    while (round < sizeof rounds / sizeof rounds[0]) {
        precopy_observe(m, round + 1, rounds[round].dirty, rounds[round].seconds, rounds[round].sent, &err);
        if (err) return failed("precopy_observe", err);
        ++round;
        decision = precopy_decide(m);
        printf("round %u: %s (%s)\n", round, decision == PRECOPY_STOP ? "stop" : "continue",
               precopy_last_reason(m));
        if (decision != PRECOPY_CONTINUE) break;
    }
    if (decision != PRECOPY_STOP) return failed("no stop within the rounds", NULL);
    double downtime = precopy_estimate(m, PRECOPY_ESTIMATE_DOWNTIME);
    if (!(downtime >= 0 && downtime <= 0.3)) return failed("predicted downtime outside the budget", NULL);
    printf("policy %s, version %s, stopped after round %u, predicted downtime %.3f s\n",
           precopy_policy_name(m), precopy_version(), round, downtime);
    precopy_destroy(m);
    return strcmp(precopy_version(), "") == 0;
}
