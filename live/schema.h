/* schema.h - the compiled schema a live command works against: SCHEMA_DIR
 * built and checked in memory, its units (what out/migrations/ holds, in
 * order) with their SHA-256, and each unit split into statements. The model
 * stays available for commands that compare it with a catalog. */
#ifndef HQC_LIVE_SCHEMA_H
#define HQC_LIVE_SCHEMA_H

#include <stdbool.h>

#include "emit/emit.h"
#include "load/source.h"
#include "model/model.h"
#include "live/sha256.h"
#include "live/split.h"

typedef struct {
    const char *name;               /* "014_agent_inbox" */
    const char *source;             /* "schema/014_agent_inbox.yaml" */
    const char *sql;                /* the unit's SQL, as the migration file holds it */
    size_t len;
    char checksum[LIVE_SHA256_HEX]; /* SHA-256 of sql */
    LiveSplit split;                /* statements and groups (when asked for) */
} LiveUnit;

typedef struct {
    HqSource source;
    HqArena *arena;
    HqModel model;
    EmitUnit *emitted;              /* owns the SQL */
    LiveUnit *units;
    size_t n_units;
} LiveSchema;

/* Builds, checks and emits `spec` (a directory or git:REV[:PATH]); with
 * `split`, also splits every unit. Returns 0, 1 (schema errors, printed) or
 * 2 (I/O error, printed). live_schema_free also after a failure. */
int live_schema_load(const char *spec, bool split, LiveSchema *s);
void live_schema_free(LiveSchema *s);

#endif /* HQC_LIVE_SCHEMA_H */
