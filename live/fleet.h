/* fleet.h - running one job per database on a pool of worker threads: at
 * most `jobs` connections at once, an optional canary wave, a failure limit,
 * a clean stop on SIGINT/SIGTERM, and the progress display on a terminal.
 * apply, status (and drift) differ only in the job function they pass. */
#ifndef HQC_LIVE_FLEET_H
#define HQC_LIVE_FLEET_H

#include <stdbool.h>
#include <stddef.h>

#include "live/job.h"

typedef void (*LiveJobFn)(LiveJob *job, void *ctx);

typedef struct {
    int jobs;                   /* worker threads (connections at once) */
    size_t canary;              /* run the first N jobs first, 0: no canary wave */
    size_t max_failures;        /* start nothing new after K failed databases, 0: no limit */
    bool progress;              /* draw progress on stderr */
    const char *title;          /* "hqc apply" */
    const char *const *unit_names;
    size_t n_units;
    LiveJobFn fn;               /* sets job->outcome (OK, BEHIND, FAILED, ...) */
    void *ctx;
    /* After the canary wave, all of whose databases ended OK: may veto the
     * rest (returns false and says why on stderr). NULL: nothing more to check.
     * apply: drift must be clean on them (live_drift_canaries). */
    bool (*canary_check)(LiveJob *canaries, size_t n, void *ctx);
    void *canary_ctx;
} LiveFleet;

/* Runs f->fn on every job; returns when all jobs ended or were not started. */
void live_fleet_run(const LiveFleet *f, LiveJob *jobs, size_t n);

/* Called by job functions: where the job stands (unit SIZE_MAX: none). */
void live_job_phase(LiveJob *job, const char *phase, size_t unit);
/* Prints "hqc: LABEL: MESSAGE" on stderr without garbling the progress display. */
void live_job_say(LiveJob *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Seconds on the monotonic clock. */
double live_now(void);

#endif /* HQC_LIVE_FLEET_H */
