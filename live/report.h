/* report.h - what a live command prints when it is done: per database its
 * outcome (and per unit for status), then a summary line; as text for
 * people or JSON for machines (--format json), always on stdout. */
#ifndef HQC_LIVE_REPORT_H
#define HQC_LIVE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "live/job.h"
#include "live/options.h"
#include "live/schema.h"

typedef struct {
    const char *command;        /* "apply", "status" */
    const char *schema_spec;    /* SCHEMA_DIR as given */
    const char *hqc_version;
    const LiveSchema *schema;
    const LiveJob *jobs;
    size_t n;
    double elapsed;             /* seconds */
    bool dry_run;
} LiveReport;

void live_report_apply(const LiveReport *r, LiveFormat fmt, FILE *out);
void live_report_status(const LiveReport *r, LiveFormat fmt, FILE *out);

/* Counts of outcomes, for summaries and the exit status. */
typedef struct {
    size_t by_outcome[LIVE_DB_NOT_STARTED + 1];
    size_t changed;             /* OK databases where a unit ran */
} LiveTally;
LiveTally live_report_tally(const LiveJob *jobs, size_t n);

#endif /* HQC_LIVE_REPORT_H */
