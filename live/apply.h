/* apply.h - hqc apply on one database: the job function the fleet runs. */
#ifndef HQC_LIVE_APPLY_H
#define HQC_LIVE_APPLY_H

#include "live/job.h"
#include "live/options.h"
#include "live/schema.h"

typedef struct {
    const LiveSchema *schema;
    const char *hqc_version;
    const char *lock_timeout;       /* effective settings: flags, else project.deploy */
    const char *statement_timeout;
    int lock_retries;
    bool prune, dry_run, force;
    char *session_sql;              /* RESET ALL and the session settings (malloc'ed) */
    char *client;                   /* who runs hqc: "user@host pid N" (malloc'ed) */
} LiveApply;

/* Fills `a` from the options and the project's deploy settings. */
void live_apply_init(LiveApply *a, const LiveSchema *s, const LiveOptions *o, const char *hqc_version);
void live_apply_free(LiveApply *a);

/* LiveJobFn: applies the schema to job's database (ctx: LiveApply). */
void live_apply_job(LiveJob *job, void *ctx);

#endif /* HQC_LIVE_APPLY_H */
