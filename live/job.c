/* job.c - job records and their names in reports. */
#include "live/job.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Server messages kept per database: enough to show what happened. */
#define LIVE_MAX_NOTES 20

LiveJob *live_jobs_new(const LiveTargets *t, size_t n_units)
{
    LiveJob *jobs = calloc(t->n + 1, sizeof *jobs);
    if (!jobs)
        abort();
    for (size_t i = 0; i < t->n; i++) {
        jobs[i].target = &t->items[i];
        jobs[i].current = SIZE_MAX;
        jobs[i].n_units = n_units;
        jobs[i].units = calloc(n_units + 1, sizeof *jobs[i].units);
        if (!jobs[i].units)
            abort();
    }
    return jobs;
}

void live_jobs_free(LiveJob *jobs, size_t n)
{
    for (size_t i = 0; jobs && i < n; i++) {
        for (size_t u = 0; u < jobs[i].n_units; u++)
            free(jobs[i].units[u].note), free(jobs[i].units[u].applied_at), free(jobs[i].units[u].applied_by);
        free(jobs[i].units);
        free(jobs[i].reason);
        live_error_clear(&jobs[i].err);
        for (size_t k = 0; k < jobs[i].n_notes; k++)
            free(jobs[i].notes[k]);
        free(jobs[i].notes);
        live_drift_items_free(jobs[i].drift, jobs[i].n_drift);
    }
    free(jobs);
}

void live_job_note(LiveJob *job, const char *severity, const char *message)
{
    if (job->n_notes == LIVE_MAX_NOTES) {
        job->n_notes_dropped++;
        return;
    }
    if (!job->notes) {
        job->notes = calloc(LIVE_MAX_NOTES, sizeof *job->notes);
        if (!job->notes)
            abort();
    }
    if (asprintf(&job->notes[job->n_notes], "%s: %s", severity, message) < 0)
        abort();
    job->n_notes++;
}

void live_job_reason(LiveJob *job, const char *fmt, ...)
{
    free(job->reason);
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&job->reason, fmt, ap) < 0)
        abort();
    va_end(ap);
}

int live_job_connect(LiveJob *job, LiveConn *c, LiveNoticeFn on_notice)
{
    LiveError err = {0};
    if (live_connect(c, job->target, on_notice, job, &err)) {
        job->outcome = LIVE_DB_UNREACHABLE;
        live_job_reason(job, "%s", err.message ? err.message : "cannot connect");
        live_error_move(&job->err, &err);
        live_disconnect(c);
        return -1;
    }
    const char *v = PQparameterStatus(c->pg, "server_version");
    snprintf(job->server_version, sizeof job->server_version, "%s", v ? v : "");
    return 0;
}

const char *live_db_outcome_name(LiveDbOutcome o)
{
    static const char *const names[] = {"pending", "running", "ok", "behind", "failed",
                                        "unreachable", "interrupted", "not started"};
    return names[o];
}

const char *live_unit_state_name(LiveUnitState s)
{
    static const char *const names[] = {"not reached", "skipped", "applied", "failed", "would run",
                                        "applied", "pending", "changed", "never recorded"};
    return names[s];
}

void live_drift_items_free(LiveDriftItem *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        LiveDriftItem *d = &items[i];
        free(d->module), free(d->what), free(d->kind), free(d->object);
        free(d->live), free(d->declared), free(d->fix);
    }
    free(items);
}
