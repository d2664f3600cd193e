/* drift.h - hqc drift on one database: every unit run in the runtime's
 * report mode inside one transaction that is rolled back, so the live
 * catalog is compared with the compiled schema object by object without
 * changing anything. */
#ifndef HQC_LIVE_DRIFT_H
#define HQC_LIVE_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "live/job.h"
#include "live/options.h"
#include "live/schema.h"

typedef struct {
    const LiveSchema *schema;
    const char *lock_timeout;       /* effective settings: flags, else project.deploy */
    const char *statement_timeout;
    bool count_undeclared;          /* undeclared objects count as drift (not after apply --no-prune) */
} LiveDrift;

void live_drift_init(LiveDrift *d, const LiveSchema *s, const LiveOptions *o);

/* LiveJobFn: fills job->drift (ctx: LiveDrift). OK when nothing differs,
 * BEHIND when something does, FAILED when a unit could not be compared. */
void live_drift_job(LiveJob *job, void *ctx);

/* The differences of a job that count (exempted objects do not). */
size_t live_drift_count(const LiveJob *job, bool count_undeclared);

/* LiveFleet.canary_check: drift on each canary after its apply (ctx:
 * LiveDrift); false, saying why on stderr, when one is not clean. */
bool live_drift_canaries(LiveJob *canaries, size_t n, void *ctx);

#endif /* HQC_LIVE_DRIFT_H */
