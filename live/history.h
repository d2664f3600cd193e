/* history.h - hqc's record of what ran on a database: table hqc.applied, one
 * row per run of a unit (unit name, SHA-256 of its SQL, hqc version, start,
 * end, duration, attempts, outcome with SQLSTATE and message, who ran it). */
#ifndef HQC_LIVE_HISTORY_H
#define HQC_LIVE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "live/conn.h"
#include "live/sha256.h"

/* What the history says about one unit name. Strings are malloc'ed. */
typedef struct {
    char *unit;
    long long last_id;              /* the latest run, whatever its outcome */
    char *last_outcome;             /* "running", "ok", "failed", "interrupted" */
    char *last_sqlstate, *last_message;
    long long ok_id;                /* the latest successful run, 0 if none */
    char ok_checksum[LIVE_SHA256_HEX];
    char *ok_finished;              /* "2024-05-01 10:00:00Z" */
    char *ok_version;               /* hqc version of that run */
} LiveHistEntry;

typedef struct {
    bool exists;                    /* table hqc.applied exists */
    LiveHistEntry *entries;         /* sorted by unit name */
    size_t n;
    size_t n_running;               /* rows still marked running */
    bool apply_running;             /* an hqc apply holds the lock right now */
} LiveHistory;

/* The advisory lock key of hqc apply ("hqcapply" read as a bigint). */
#define LIVE_LOCK_KEY "7525905303963959296"   /* hqc.lock_key(): the migrations take it too */

/* SELECT-list items: does hqc.applied exist, does another session hold the
 * advisory lock of hqc apply (pg_locks splits a bigint key in two halves).
 * Apply adds the first to its first query, saving a round trip (the
 * second it learns from pg_try_advisory_lock, without reading pg_locks). */
#define LIVE_HISTORY_EXISTS "pg_catalog.to_regclass('hqc.applied') IS NOT NULL"
#define LIVE_HISTORY_PROBE                                                                               \
    LIVE_HISTORY_EXISTS ",\n"                                                                            \
    "  EXISTS (SELECT FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1\n" \
    "          AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())\n" \
    "          AND ((classid::bigint << 32) | objid::bigint) = " LIVE_LOCK_KEY "\n"                          \
    "          AND pid <> pg_catalog.pg_backend_pid())"

/* Reads the history (nothing is created): the probe, then the rows.
 * Returns 0 or -1 with *err. */
int live_history_read(LiveConn *c, LiveHistory *h, LiveError *err);
/* Reads the rows only, h->exists and h->apply_running already set from the
 * probe columns (a missing table gives an empty history). */
int live_history_read_rows(LiveConn *c, LiveHistory *h, LiveError *err);
void live_history_free(LiveHistory *h);
const LiveHistEntry *live_history_find(const LiveHistory *h, const char *unit);

/* Creates schema hqc and table hqc.applied when missing. */
int live_history_create(LiveConn *c, LiveError *err);
/* Marks rows left "running" by a run that died as "interrupted" (call while
 * holding the advisory lock: no other run can be live). */
int live_history_close_stale(LiveConn *c, LiveError *err);

/* Records the start of a unit run after `prefix_sql` (session resets, sent
 * in the same message); *id receives the new row's id. */
int live_history_start(LiveConn *c, const char *prefix_sql, const char *unit, const char *checksum,
                       const char *hqc_version, const char *client, long long *id, LiveError *err);
/* Records the end of run `id`: outcome "ok" or "failed" (with the error and
 * the line of the failing statement, 0 if unknown). */
int live_history_finish(LiveConn *c, long long id, const char *outcome, double ms, int attempts,
                        const LiveError *failure, unsigned line, LiveError *err);

#endif /* HQC_LIVE_HISTORY_H */
