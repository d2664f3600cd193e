/* status.h - hqc status on one database: what its history says about each
 * unit of the compiled schema. */
#ifndef HQC_LIVE_STATUS_H
#define HQC_LIVE_STATUS_H

#include "live/job.h"
#include "live/schema.h"

typedef struct {
    const LiveSchema *schema;
    const char *statement_timeout;  /* NULL: the server's */
} LiveStatus;

/* LiveJobFn: fills job->units with LIVE_UNIT_CURRENT, _PENDING, _CHANGED or
 * _UNRECORDED (ctx: LiveStatus). OK when every unit is current. */
void live_status_job(LiveJob *job, void *ctx);

#endif /* HQC_LIVE_STATUS_H */
