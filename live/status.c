/* status.c - hqc status: reads hqc.applied (never writes, takes no lock) and
 * compares it with the compiled units: applied with this checksum, pending
 * (never applied, or its last run did not succeed), changed since applied
 * (other checksum, or its objects no longer match), or never recorded (the
 * database has no hqc history: built by other means, or never applied). */
#include "live/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sqlbuf.h"
#include "base/strbuf.h"
#include "live/fleet.h"
#include "live/history.h"
#include "live/verify.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void set_note(LiveUnitResult *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_note(LiveUnitResult *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&u->note, fmt, ap) < 0)
        abort();
    va_end(ap);
}

static void classify(LiveJob *job, const LiveSchema *s, const LiveHistory *h, const bool *match)
{
    size_t behind = 0;
    for (size_t i = 0; i < s->n_units; i++) {
        const LiveUnit *u = &s->units[i];
        LiveUnitResult *res = &job->units[i];
        const LiveHistEntry *e = live_history_find(h, u->name);
        if (!h->n) {
            res->state = LIVE_UNIT_UNRECORDED;
        } else if (!e) {
            res->state = LIVE_UNIT_PENDING;
            set_note(res, "never applied");
        } else {
            if (e->ok_id) {
                res->applied_at = dup_or_null(e->ok_finished);
                res->applied_by = dup_or_null(e->ok_version);
            }
            if (e->last_id != e->ok_id) {
                res->state = LIVE_UNIT_PENDING;
                if (!strcmp(e->last_outcome, "running") && h->apply_running)
                    set_note(res, "running now");
                else
                    set_note(res, "its last run %s: %s", e->last_outcome,
                             e->last_message ? e->last_message : "(no message)");
            } else if (strcmp(e->ok_checksum, u->checksum)) {
                res->state = LIVE_UNIT_CHANGED;
                set_note(res, "the unit changed since it was applied");
            } else if (!match[i]) {
                res->state = LIVE_UNIT_CHANGED;
                set_note(res, "its objects no longer match what it declares");
            } else {
                res->state = LIVE_UNIT_CURRENT;
            }
        }
        behind += res->state != LIVE_UNIT_CURRENT;
    }
    job->outcome = behind ? LIVE_DB_BEHIND : LIVE_DB_OK;
}

void live_status_job(LiveJob *job, void *ctx)
{
    const LiveStatus *st = ctx;
    const LiveSchema *s = st->schema;
    LiveConn c;
    LiveError err = {0};
    LiveHistory h = {0};
    if (live_job_connect(job, &c, NULL))
        return;
    live_job_phase(job, "reading the history", SIZE_MAX);
    int rc = 0;
    if (st->statement_timeout) {
        StrBuf b;
        strbuf_init(&b);
        strbuf_puts(&b, "SET statement_timeout = ");
        sqlbuf_literal(&b, st->statement_timeout);
        PGresult *r = live_query(&c, b.data, &err);
        strbuf_free(&b);
        rc = r ? 0 : -1;
        PQclear(r);
    }
    bool *match = calloc(s->n_units + 1, sizeof *match);
    if (!match)
        abort();
    if (!rc)
        rc = live_history_read(&c, &h, &err);
    if (!rc)
        rc = live_objects_match(&c, s, &h, 0, match, &err);
    if (rc) {
        job->outcome = LIVE_DB_FAILED;
        live_job_reason(job, "reading hqc.applied: %s", err.message ? err.message : "");
        live_error_move(&job->err, &err);
    } else {
        job->has_history = h.exists && h.n;
        job->apply_running = h.apply_running;
        classify(job, s, &h, match);
    }
    free(match);
    live_history_free(&h);
    live_disconnect(&c);
}
