/* drift.c - hqc drift on one database:
 *   connect, open a transaction with hqc.mode = 'report' (after any running
 *   hqc apply, whose lock it waits for), run every unit's statements in it
 *   (000_hqc installs the runtime and manifest for the transaction when the
 *   database lacks them; the units' own BEGIN and COMMIT are left out), read
 *   the differences the runtime wrote to pg_temp.hqc_report, roll back.
 * Each statement runs under a savepoint: one that fails (a declaration that
 * cannot even be compared with what the database holds) becomes an error
 * row of the report and the comparison goes on with the next. */
#include "live/drift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sqlbuf.h"
#include "base/strbuf.h"
#include "live/fleet.h"
#include "live/history.h"
#include "live/stop.h"

void live_drift_init(LiveDrift *d, const LiveSchema *s, const LiveOptions *o)
{
    const HqDeploy *dep = &s->model.project.deploy;
    d->schema = s;
    d->lock_timeout = o->lock_timeout ? o->lock_timeout : dep->lock_timeout ? dep->lock_timeout : "3s";
    d->statement_timeout = o->statement_timeout ? o->statement_timeout
                           : dep->statement_timeout   ? dep->statement_timeout
                                                      : "10min";
    d->count_undeclared = o->prune != 0;
}

static bool counts(const LiveDriftItem *d, bool count_undeclared)
{
    return strcmp(d->what, "exempt") && (count_undeclared || strcmp(d->what, "undeclared"));
}

size_t live_drift_count(const LiveJob *job, bool count_undeclared)
{
    size_t n = 0;
    for (size_t i = 0; i < job->n_drift; i++)
        n += counts(&job->drift[i], count_undeclared);
    return n;
}

static void on_notice(void *ctx, const char *severity, const char *message)
{
    if (!strcmp(severity, "WARNING"))
        live_job_note(ctx, severity, message);
}

static LiveDriftItem *add_item(LiveJob *job)
{
    LiveDriftItem *items = realloc(job->drift, (job->n_drift + 1) * sizeof *items);
    if (!items)
        abort();
    job->drift = items;
    LiveDriftItem *d = &items[job->n_drift++];
    memset(d, 0, sizeof *d);
    return d;
}

/* A statement that could not be compared: an error row. */
static void add_error(LiveJob *job, const LiveUnit *u, unsigned line, const LiveError *err)
{
    LiveDriftItem *d = add_item(job);
    d->module = strdup(u->name);
    d->what = strdup("error");
    d->kind = strdup("statement");
    if (asprintf(&d->object, "%s line %u", u->name, line) < 0 ||
        asprintf(&d->live, "ERROR %s: %s", err->sqlstate[0] ? err->sqlstate : "-----",
                 err->message ? err->message : "") < 0)
        abort();
}

/* Runs the statements [from, to) of unit u, each under a savepoint, as one
 * message (prefix first, when given). Returns the index of the statement
 * that failed, `to` when none did, or SIZE_MAX when the connection is gone
 * or a stop was requested (err filled). */
static size_t run_stmts(LiveConn *c, const LiveUnit *u, const size_t *idx, size_t from, size_t to,
                        const char *prefix, LiveError *err)
{
    StrBuf b;
    strbuf_init(&b);
    if (prefix)
        strbuf_puts(&b, prefix);
    for (size_t k = from; k < to; k++) {
        const LiveStmt *st = &u->split.stmts[idx[k]];
        strbuf_puts(&b, "SAVEPOINT hqc_drift;\n");
        strbuf_putn(&b, u->sql + st->start, st->end - st->start);
        strbuf_puts(&b, ";\nRELEASE SAVEPOINT hqc_drift;\n");
    }
    PGresult *r = live_query_n(c, b.data, b.len, err);
    strbuf_free(&b);
    if (r) {
        PQclear(r);
        return to;
    }
    if (err->connection_lost || PQstatus(c->pg) == CONNECTION_BAD || live_stop_requested())
        return SIZE_MAX;
    size_t done = err->n_done - (prefix && err->n_done ? 1 : 0);
    return from + done / 3 < to ? from + done / 3 : to - 1;
}

/* Runs unit i in report mode. Returns 0, or -1 (connection lost, stopped). */
static int compare_unit(LiveJob *job, LiveConn *c, const LiveUnit *u, LiveError *err)
{
    size_t *idx = calloc(u->split.n_stmts + 1, sizeof *idx), n = 0;
    if (!idx)
        abort();
    for (size_t s = 0; s < u->split.n_stmts; s++)
        if (!live_split_tx_control(u->sql, &u->split.stmts[s]))
            idx[n++] = s;
    /* Rows the runtime reports carry the unit's name. */
    StrBuf prefix;
    strbuf_init(&prefix);
    strbuf_puts(&prefix, "SELECT pg_catalog.set_config('hqc.module', ");
    sqlbuf_literal(&prefix, u->name);
    strbuf_puts(&prefix, ", true);\n");
    int rc = 0;
    for (size_t from = 0; from < n;) {
        size_t failed = run_stmts(c, u, idx, from, n, from ? NULL : prefix.data, err);
        if (failed == SIZE_MAX) {
            rc = -1;
            break;
        }
        if (failed == n)
            break;
        add_error(job, u, u->split.stmts[idx[failed]].line, err);
        live_error_clear(err);
        PGresult *r = live_query(c, "ROLLBACK TO SAVEPOINT hqc_drift; RELEASE SAVEPOINT hqc_drift", err);
        if (!r) {
            rc = -1;
            break;
        }
        PQclear(r);
        from = failed + 1;
    }
    strbuf_free(&prefix);
    free(idx);
    return rc;
}

/* Opens the report transaction after any running hqc apply. */
static int begin_report(LiveJob *job, LiveConn *c, const LiveDrift *d, LiveError *err)
{
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, "SET lock_timeout = ");
    sqlbuf_literal(&b, d->lock_timeout);
    strbuf_puts(&b, ";\nSET statement_timeout = ");
    sqlbuf_literal(&b, d->statement_timeout);
    strbuf_puts(&b, ";\nSET client_connection_check_interval = '1s';\nBEGIN;\nSET LOCAL hqc.mode = 'report';\n"
                    "SELECT pg_catalog.pg_try_advisory_xact_lock(" LIVE_LOCK_KEY ")");
    PGresult *r = live_query(c, b.data, err);
    strbuf_free(&b);
    if (!r)
        return -1;
    bool got = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (got)
        return 0;
    live_job_say(job, "an hqc apply is running on this database: waiting for it to finish");
    job->waited = true;
    live_job_phase(job, "waiting for hqc apply", SIZE_MAX);
    strbuf_init(&b);
    strbuf_puts(&b, "SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0;\n"
                    "SELECT pg_catalog.pg_advisory_xact_lock(" LIVE_LOCK_KEY ");\nSET LOCAL lock_timeout = ");
    sqlbuf_literal(&b, d->lock_timeout);
    strbuf_puts(&b, "; SET LOCAL statement_timeout = ");
    sqlbuf_literal(&b, d->statement_timeout);
    r = live_query(c, b.data, err);
    strbuf_free(&b);
    if (!r)
        return -1;
    PQclear(r);
    return 0;
}

static int read_report(LiveJob *job, LiveConn *c, LiveError *err)
{
    PGresult *r = live_query(c, "SELECT pg_catalog.to_regclass('pg_temp.hqc_report') IS NOT NULL", err);
    if (!r)
        return -1;
    bool any = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (!any)
        return 0;
    r = live_query(c, "SELECT module, what, kind, object, live, declared, fix FROM pg_temp.hqc_report ORDER BY seq", err);
    if (!r)
        return -1;
    for (int row = 0; row < PQntuples(r); row++) {
        LiveDriftItem *d = add_item(job);
        char **fields[] = {&d->module, &d->what, &d->kind, &d->object, &d->live, &d->declared, &d->fix};
        for (int f = 0; f < 7; f++)
            *fields[f] = PQgetisnull(r, row, f) ? NULL : strdup(PQgetvalue(r, row, f));
        if (!d->what)
            d->what = strdup("different");
        if (!d->kind)
            d->kind = strdup("object");
        if (!d->object)
            d->object = strdup("");
    }
    PQclear(r);
    return 0;
}

void live_drift_job(LiveJob *job, void *ctx)
{
    const LiveDrift *d = ctx;
    const LiveSchema *s = d->schema;
    LiveConn c;
    LiveError err = {0};
    if (live_job_connect(job, &c, on_notice))
        return;
    live_job_phase(job, "comparing", SIZE_MAX);
    const char *what = "opening the report transaction";
    int rc = begin_report(job, &c, d, &err);
    for (size_t i = 0; !rc && i < s->n_units; i++) {
        live_job_phase(job, NULL, i);
        what = s->units[i].name;
        rc = compare_unit(job, &c, &s->units[i], &err);
    }
    if (!rc) {
        what = "reading the report";
        rc = read_report(job, &c, &err);
    }
    c.cleanup = true;
    live_rollback(&c);
    size_t errors = 0;
    for (size_t i = 0; i < job->n_drift; i++)
        errors += !strcmp(job->drift[i].what, "error");
    if (rc) {
        job->outcome = live_stop_requested() ? LIVE_DB_INTERRUPTED : LIVE_DB_FAILED;
        if (err.sqlstate[0])
            live_job_reason(job, "%s: ERROR %s: %s", what, err.sqlstate, err.message ? err.message : "");
        else
            live_job_reason(job, "%s: %s", what, err.message ? err.message : "the connection was lost");
        live_error_move(&job->err, &err);
    } else if (errors) {
        job->outcome = LIVE_DB_FAILED;
        for (size_t i = 0; i < job->n_drift; i++)
            if (!strcmp(job->drift[i].what, "error")) {
                live_job_reason(job, "%zu statement%s could not be compared; the first: %s: %s", errors,
                                errors == 1 ? "" : "s", job->drift[i].object, job->drift[i].live);
                break;
            }
    } else {
        job->outcome = live_drift_count(job, d->count_undeclared) ? LIVE_DB_BEHIND : LIVE_DB_OK;
    }
    live_error_clear(&err);
    live_disconnect(&c);
}

bool live_drift_canaries(LiveJob *canaries, size_t n, void *ctx)
{
    const LiveDrift *d = ctx;
    bool clean = true;
    for (size_t i = 0; i < n; i++) {
        LiveJob check = canaries[i];
        check.drift = NULL, check.n_drift = 0, check.reason = NULL, check.notes = NULL, check.n_notes = 0;
        memset(&check.err, 0, sizeof check.err);
        live_drift_job(&check, ctx);
        size_t count = live_drift_count(&check, d->count_undeclared);
        if (check.outcome != LIVE_DB_OK) {
            clean = false;
            const LiveDriftItem *first = NULL;
            for (size_t k = 0; k < check.n_drift && !first; k++)
                if (counts(&check.drift[k], d->count_undeclared))
                    first = &check.drift[k];
            if (check.outcome == LIVE_DB_BEHIND && first)
                fprintf(stderr, "hqc: canary %s has drifted after its apply: %zu difference%s, the first: %s %s %s\n",
                        check.target->label, count, count == 1 ? "" : "s", first->what, first->kind, first->object);
            else
                fprintf(stderr, "hqc: canary %s: hqc drift failed: %s\n", check.target->label,
                        check.reason ? check.reason : "unknown error");
        }
        live_drift_items_free(check.drift, check.n_drift);
        free(check.reason);
        for (size_t k = 0; k < check.n_notes; k++)
            free(check.notes[k]);
        free(check.notes);
        live_error_clear(&check.err);
    }
    return clean;
}
