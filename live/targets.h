/* targets.h - the databases a live command works on: URLs from the command
 * line, a fleet file (one URL per line, # comments) or DATABASE_URL. Every
 * entry is checked with libpq's own parser before any database is touched. */
#ifndef HQC_LIVE_TARGETS_H
#define HQC_LIVE_TARGETS_H

#include <stddef.h>

#include "live/options.h"

typedef struct {
    char *conninfo;     /* the URL or key=value string as given (may hold a password) */
    char *label;        /* user@host:port/dbname: what reports print (never the password) */
    char *origin;       /* "FILE:LINE", "hqc: URL N on the command line" or "hqc: DATABASE_URL" */
} LiveTarget;

typedef struct {
    LiveTarget *items;  /* malloc'ed */
    size_t n;
} LiveTargets;

/* Collects the targets of `o`. Returns 0, or 2 after printing every bad
 * entry as FILE:LINE: error: ... (nothing is connected to in that case). */
int live_targets_load(const LiveOptions *o, LiveTargets *out);
void live_targets_free(LiveTargets *t);

#endif /* HQC_LIVE_TARGETS_H */
