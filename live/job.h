/* job.h - one database of a live command run: its target, where it stands
 * (for the progress display) and what came of it (for the report). A worker
 * thread owns its job while running it; fields the progress display reads
 * change only through fleet.h's live_job_* setters, under the fleet lock. */
#ifndef HQC_LIVE_JOB_H
#define HQC_LIVE_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "live/conn.h"
#include "live/targets.h"

typedef enum {
    LIVE_DB_PENDING,        /* not started yet */
    LIVE_DB_RUNNING,
    LIVE_DB_OK,             /* at the compiled schema */
    LIVE_DB_BEHIND,         /* not at the compiled schema (status, --dry-run, drift) */
    LIVE_DB_FAILED,         /* a unit failed: the database stopped at it */
    LIVE_DB_UNREACHABLE,    /* no connection, or a server hqc does not support */
    LIVE_DB_INTERRUPTED,    /* stopped by SIGINT/SIGTERM while running */
    LIVE_DB_NOT_STARTED,    /* never started: canary failed, --max-failures, or a stop */
} LiveDbOutcome;

typedef enum {
    LIVE_UNIT_NONE,         /* not reached */
    LIVE_UNIT_SKIPPED,      /* apply: already applied, objects match */
    LIVE_UNIT_APPLIED,      /* apply: ran and committed */
    LIVE_UNIT_FAILED,       /* apply: ran and rolled back */
    LIVE_UNIT_WOULD_RUN,    /* apply --dry-run */
    LIVE_UNIT_CURRENT,      /* status: applied with this checksum */
    LIVE_UNIT_PENDING,      /* status: not applied (yet, or its last run failed) */
    LIVE_UNIT_CHANGED,      /* status: applied, but the unit changed since */
    LIVE_UNIT_UNRECORDED,   /* status: the database has no hqc history at all */
} LiveUnitState;

typedef struct {
    LiveUnitState state;
    double ms;              /* apply: time it took (all attempts) */
    int retries;            /* apply: attempts after a lock timeout */
    char *applied_at;       /* status: when it last ran successfully (malloc'ed) */
    char *applied_by;       /* status: the hqc version of that run (malloc'ed) */
    char *note;             /* status: why it is pending or changed (malloc'ed) */
} LiveUnitResult;

/* One difference hqc drift found: a row of the runtime's report. */
typedef struct {
    char *module;           /* the unit that declares the object */
    char *what;             /* missing, different, undeclared, privileges, renamed,
                               change (a pending change step), exempt, error */
    char *kind;             /* table, column, index, policy, ... */
    char *object;
    char *live, *declared;  /* definitions, where there are two to show */
    char *fix;              /* the statement that converges it, "-- ..." when none */
} LiveDriftItem;

typedef struct {
    const LiveTarget *target;
    LiveDbOutcome outcome;
    char server_version[32];
    LiveUnitResult *units;  /* one per unit of the schema */
    size_t n_units;
    /* progress (fleet lock) */
    bool active;            /* a worker runs it now */
    const char *phase;      /* "connecting", "waiting for another hqc apply", ... */
    size_t current;         /* the unit running now, or SIZE_MAX */
    double t_start, t_phase, elapsed;   /* seconds (monotonic) */
    /* what happened */
    char *reason;           /* one line, when not OK (malloc'ed) */
    LiveError err;          /* the server's error fields, if it came from the server */
    const char *err_unit;   /* the unit that failed, or NULL */
    unsigned err_line;      /* its statement's line, 0 if unknown */
    size_t n_applied, n_skipped, n_would_run;
    bool waited;            /* waited for another hqc apply */
    bool apply_running;     /* status: an apply holds the lock now */
    bool has_history;       /* the database has table hqc.applied */
    char **notes;           /* WARNINGs and hqc's own notices (malloc'ed) */
    size_t n_notes, n_notes_dropped;
    LiveDriftItem *drift;   /* drift: the differences (malloc'ed) */
    size_t n_drift;
} LiveJob;

/* Jobs for every target, each with n_units unit slots. */
LiveJob *live_jobs_new(const LiveTargets *t, size_t n_units);
void live_jobs_free(LiveJob *jobs, size_t n);

/* Keeps a server message for the report (bounded per job). */
void live_job_note(LiveJob *job, const char *severity, const char *message);
/* Sets job->reason (printf-style). */
void live_job_reason(LiveJob *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Connects for the job (server messages to on_notice with the job as its
 * context) and notes the server's version; -1 when that fails: the job is
 * unreachable, with libpq's reason. */
int live_job_connect(LiveJob *job, LiveConn *c, LiveNoticeFn on_notice);

void live_drift_items_free(LiveDriftItem *items, size_t n);

const char *live_db_outcome_name(LiveDbOutcome o);
const char *live_unit_state_name(LiveUnitState s);

#endif /* HQC_LIVE_JOB_H */
