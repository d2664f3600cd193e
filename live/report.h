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

/* Pieces the reports of every command share. */
/* Writes s with every line break (and the indentation after it) as one space. */
void live_report_folded(FILE *out, const char *s);
/* Writes s after prefix, its further lines indented as far. */
void live_report_indented(FILE *out, const char *prefix, const char *s);
/* The error of a database as a JSON object, or null. */
void live_report_json_error(FILE *out, const LiveJob *j);
/* "messages": [...], the server messages kept for a database. */
void live_report_json_messages(FILE *out, const LiveJob *j);
/* Width of the database column: the longest label, at most 60. */
int live_report_label_width(const LiveReport *r);

/* Counts of outcomes, for summaries and the exit status. */
typedef struct {
    size_t by_outcome[LIVE_DB_NOT_STARTED + 1];
    size_t changed;             /* OK databases where a unit ran */
} LiveTally;
LiveTally live_report_tally(const LiveJob *jobs, size_t n);
/* ", 2 behind, 1 failed, ...": the outcomes other than OK that occurred,
 * BEHIND named `behind` ("behind", "would change", "drifted"). */
void live_report_outcomes(FILE *out, const LiveTally *t, const char *behind);

#endif /* HQC_LIVE_REPORT_H */
