/* apply.c - hqc apply on one database:
 *   connect (PostgreSQL 15+), session settings, the advisory lock of hqc
 *   apply (waiting, and saying so, when another apply holds it), the
 *   history (created when missing; runs that died marked interrupted), then
 *   every unit in order: skipped when its last successful run had the same
 *   checksum and live_objects_match agrees, else run group by group and
 *   recorded; a lock timeout rolls the unit back and retries it with
 *   backoff; any other error stops the database at that unit. */
#include "live/apply.h"

#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/sqlbuf.h"
#include "base/strbuf.h"
#include "live/fleet.h"
#include "live/history.h"
#include "live/stop.h"
#include "live/verify.h"

void live_apply_init(LiveApply *a, const LiveSchema *s, const LiveOptions *o, const char *hqc_version)
{
    memset(a, 0, sizeof *a);
    const HqDeploy *d = &s->model.project.deploy;
    a->schema = s;
    a->hqc_version = hqc_version;
    a->lock_timeout = o->lock_timeout ? o->lock_timeout : d->lock_timeout ? d->lock_timeout : "3s";
    a->statement_timeout = o->statement_timeout ? o->statement_timeout
                           : d->statement_timeout        ? d->statement_timeout
                                                         : "10min";
    a->lock_retries = o->lock_retries >= 0 ? o->lock_retries : d->lock_timeout ? d->lock_retries : 5;
    a->prune = o->prune != 0;
    a->dry_run = o->dry_run;
    a->force = o->force;

    /* Every unit starts from the same session, as each file does under psql;
     * the settings the runtime library reads go with it. A dead client is
     * noticed within a second, so a killed hqc leaves no backend holding locks. */
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, "RESET ALL;\nSET lock_timeout = ");
    sqlbuf_literal(&b, a->lock_timeout);
    strbuf_puts(&b, ";\nSET statement_timeout = ");
    sqlbuf_literal(&b, a->statement_timeout);
    strbuf_puts(&b, ";\nSET client_connection_check_interval = '1s';\nSET hqc.prune = ");
    sqlbuf_literal(&b, a->prune ? "on" : "off");
    strbuf_puts(&b, ";\n");
    a->session_sql = strbuf_steal(&b);

    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    const struct passwd *pw = getpwuid(geteuid());
    if (asprintf(&a->client, "%s@%s pid %ld", pw ? pw->pw_name : "?", host, (long)getpid()) < 0)
        abort();
}

void live_apply_free(LiveApply *a)
{
    free(a->session_sql);
    free(a->client);
    memset(a, 0, sizeof *a);
}

typedef struct {
    LiveJob *job;
    const LiveApply *a;
    LiveConn c;
    LiveHistory hist;
    unsigned seed;          /* backoff jitter */
} Run;

static void on_notice(void *ctx, const char *severity, const char *message)
{
    /* WARNINGs (undeclared objects kept) and hqc's own NOTICEs (changes made,
     * objects skipped) are what an operator needs to see. */
    if (!strcmp(severity, "WARNING") || !strncmp(message, "hqc:", 4))
        live_job_note(ctx, severity, message);
}

/* Records a failure of the job: outcome, reason and the server's fields. */
static void fail(Run *r, LiveDbOutcome outcome, LiveError *err, const char *what)
{
    LiveJob *job = r->job;
    job->outcome = outcome;
    if (err->sqlstate[0])
        live_job_reason(job, "%s: ERROR %s: %s", what, err->sqlstate, err->message ? err->message : "");
    else
        live_job_reason(job, "%s: %s", what, err->message ? err->message : "unknown error");
    live_error_move(&job->err, err);
}

/* Sets up the session, takes the advisory lock of hqc apply (not for a dry
 * run; waiting for another apply if needed) and reads the history. The
 * first query does all it can at once: a no-op apply costs two round trips. */
static int start_session(Run *r, LiveError *err)
{
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, r->a->session_sql);
    /* A dry run takes no lock, but says when an apply is running. */
    strbuf_puts(&b, r->a->dry_run ? "SELECT true, " LIVE_HISTORY_PROBE
                                  : "SELECT pg_catalog.pg_try_advisory_lock(" LIVE_LOCK_KEY "), " LIVE_HISTORY_EXISTS);
    PGresult *res = live_query(&r->c, b.data, err);
    strbuf_free(&b);
    if (!res)
        return -1;
    bool got = !strcmp(PQgetvalue(res, 0, 0), "t");
    r->hist.exists = !strcmp(PQgetvalue(res, 0, 1), "t");
    r->hist.apply_running = r->a->dry_run && !strcmp(PQgetvalue(res, 0, 2), "t");
    PQclear(res);
    if (got)
        return live_history_read_rows(&r->c, &r->hist, err);
    res = live_query(&r->c,
                     "SELECT string_agg(l.pid::text, ', ') FROM pg_catalog.pg_locks l\n"
                     "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1\n"
                     "  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())\n"
                     "  AND ((l.classid::bigint << 32) | l.objid::bigint) = " LIVE_LOCK_KEY,
                     err);
    const char *pid = res && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "?";
    live_job_say(r->job, "another hqc apply is running on this database (backend pid %s): waiting for it to finish", pid);
    PQclear(res);
    live_error_clear(err);
    r->job->waited = true;
    live_job_phase(r->job, "waiting for another hqc apply", SIZE_MAX);
    /* No lock_timeout or statement_timeout for this wait: it ends when the
     * other apply does (or on SIGINT, through PQcancel). */
    res = live_query(&r->c,
                     "BEGIN; SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0;\n"
                     "SELECT pg_catalog.pg_advisory_lock(" LIVE_LOCK_KEY "); COMMIT",
                     err);
    if (!res) {
        live_rollback(&r->c);
        return -1;
    }
    PQclear(res);
    live_job_say(r->job, "the other hqc apply finished; going on");
    /* It may have created the history meanwhile. */
    return live_history_read(&r->c, &r->hist, err);
}

static bool retryable(const LiveError *e)
{
    return !strcmp(e->sqlstate, "55P03") || !strcmp(e->sqlstate, "40P01");
}

/* Runs unit i (with retries). Returns 0 when it committed. */
static int run_unit(Run *r, size_t i)
{
    LiveJob *job = r->job;
    const LiveApply *a = r->a;
    const LiveUnit *u = &a->schema->units[i];
    LiveUnitResult *res = &job->units[i];
    LiveError err = {0};
    long long id = 0;
    double t0 = live_now();
    live_job_phase(job, NULL, i);
    for (int attempt = 1;; attempt++) {
        int rc = id ? (PQclear(live_query(&r->c, a->session_sql, &err)), err.message ? -1 : 0)
                    : live_history_start(&r->c, a->session_sql, u->name, u->checksum, a->hqc_version, a->client, &id,
                                         &err);
        if (rc) {
            char what[300];
            snprintf(what, sizeof what, "unit %s: cannot record the run in hqc.applied", u->name);
            fail(r, LIVE_DB_FAILED, &err, what);
            job->err_unit = u->name;
            res->state = LIVE_UNIT_FAILED;
            return -1;
        }
        size_t g = 0;
        for (; g < u->split.n_groups; g++) {
            size_t start, len = live_split_group_text(&u->split, g, &start);
            PGresult *pr = live_query_n(&r->c, u->sql + start, len, &err);
            if (!pr)
                break;
            PQclear(pr);
        }
        bool failed = g < u->split.n_groups;
        unsigned line = 0;
        if (failed) {
            const LiveGroup *grp = &u->split.groups[g];
            size_t k = grp->first + (err.n_done < grp->n ? err.n_done : grp->n - 1);
            line = u->split.stmts[k].line;
            if (err.position > 0)
                live_split_locate(&u->split, u->sql, g, err.position, &line);
        } else if (live_in_transaction(&r->c)) {
            failed = true;
            live_error_set(&err, "the unit ended inside a transaction (a BEGIN without COMMIT)");
        }
        bool lost = failed && (err.connection_lost || PQstatus(r->c.pg) == CONNECTION_BAD);
        if (failed && !lost)
            live_rollback(&r->c);
        if (!failed) {
            res->ms = 1000 * (live_now() - t0);
            res->retries = attempt - 1;
            if (live_history_finish(&r->c, id, "ok", res->ms, attempt, NULL, 0, &err)) {
                char what[300];
                snprintf(what, sizeof what, "unit %s ran, but recording it in hqc.applied failed", u->name);
                fail(r, LIVE_DB_FAILED, &err, what);
                res->state = LIVE_UNIT_APPLIED;
                return -1;
            }
            res->state = LIVE_UNIT_APPLIED;
            return 0;
        }
        bool stopping = live_stop_requested();
        if (!lost && !stopping && retryable(&err) && attempt <= a->lock_retries) {
            unsigned base = 250u << (attempt - 1 < 5 ? attempt - 1 : 5);
            unsigned wait = base + (unsigned)rand_r(&r->seed) % (base / 2 + 1);
            char note[600];
            snprintf(note, sizeof note, "unit %s, line %u: %s (%s); retry %d of %d in %u ms", u->name, line,
                     err.message ? err.message : "", err.sqlstate, attempt, a->lock_retries, wait);
            live_job_note(job, "RETRY", note);
            live_job_say(job, "%s", note);
            live_error_clear(&err);
            live_job_phase(job, "waiting to retry", SIZE_MAX);
            bool slept = live_stop_sleep(wait);
            live_job_phase(job, NULL, i);
            if (slept)
                continue;
            live_error_set(&err, "interrupted");
        }
        /* Give up: record the failure (when the connection still works). */
        stopping = live_stop_requested();
        res->ms = 1000 * (live_now() - t0);
        res->retries = attempt - 1;
        res->state = LIVE_UNIT_FAILED;
        LiveError rec = {0};
        r->c.cleanup = true;
        if (!lost)
            live_history_finish(&r->c, id, stopping ? "interrupted" : "failed", res->ms, attempt, &err, line, &rec);
        r->c.cleanup = false;
        live_error_clear(&rec);
        char what[400];
        if (lost)
            snprintf(what, sizeof what,
                     "unit %s, statement at line %u: the connection was lost (the server rolls back the unit's "
                     "open transaction)",
                     u->name, line);
        else if (attempt > 1)
            snprintf(what, sizeof what, "unit %s, statement at line %u (rolled back; gave up after %d retries)",
                     u->name, line, attempt - 1);
        else
            snprintf(what, sizeof what, "unit %s, statement at line %u (rolled back)", u->name, line);
        fail(r, stopping ? LIVE_DB_INTERRUPTED : LIVE_DB_FAILED, &err, what);
        job->err_unit = u->name;
        job->err_line = line;
        return -1;
    }
}

/* Decides and runs every unit. */
static void run_units(Run *r)
{
    LiveJob *job = r->job;
    const LiveApply *a = r->a;
    const LiveSchema *s = a->schema;
    LiveError err = {0};
    bool *match = calloc(s->n_units + 1, sizeof *match);
    if (!match)
        abort();
    bool need_check = true, ran = false, would_run = false;
    job->outcome = LIVE_DB_OK;
    for (size_t i = 0; i < s->n_units; i++) {
        const LiveUnit *u = &s->units[i];
        if (live_stop_requested()) {
            job->outcome = LIVE_DB_INTERRUPTED;
            live_job_reason(job, "interrupted before unit %s", u->name);
            break;
        }
        const LiveHistEntry *e = live_history_find(&r->hist, u->name);
        bool same = e && e->ok_id && !strcmp(e->ok_checksum, u->checksum);
        if (!a->force && same && !would_run) {
            if (need_check) {
                /* What ran since the history was read changed it. */
                if (ran) {
                    live_history_free(&r->hist);
                    if (live_history_read(&r->c, &r->hist, &err)) {
                        fail(r, LIVE_DB_FAILED, &err, "reading hqc.applied");
                        break;
                    }
                }
                if (live_objects_match(&r->c, s, &r->hist, i, match, &err)) {
                    live_job_note(job, "NOTICE", err.message ? err.message : "verification failed");
                    live_error_clear(&err);
                    memset(match, 0, s->n_units * sizeof *match);
                }
                need_check = false;
            }
            if (match[i]) {
                job->units[i].state = LIVE_UNIT_SKIPPED;
                job->n_skipped++;
                continue;
            }
        }
        if (a->dry_run) {
            /* Once a unit would run, what follows may have to run again too. */
            job->units[i].state = LIVE_UNIT_WOULD_RUN;
            job->n_would_run++;
            would_run = true;
            continue;
        }
        if (run_unit(r, i))
            break;
        job->n_applied++;
        ran = true;
        need_check = true;
    }
    if (a->dry_run && job->outcome == LIVE_DB_OK && would_run)
        job->outcome = LIVE_DB_BEHIND;
    /* The database is at the schema now: what its catalog holds is what the
     * next apply compares with. */
    if (!a->dry_run && job->outcome == LIVE_DB_OK && (ran || need_check) && live_objects_record(&r->c, &err)) {
        live_job_note(job, "NOTICE", err.message ? err.message : "recording the catalog hash failed");
        live_error_clear(&err);
    }
    free(match);
}

void live_apply_job(LiveJob *job, void *ctx)
{
    Run r = {.job = job, .a = ctx};
    r.seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)job;
    LiveError err = {0};
    if (live_job_connect(job, &r.c, on_notice))
        return;
    live_job_phase(job, "reading the history", SIZE_MAX);
    if (start_session(&r, &err)) {
        fail(&r, live_stop_requested() ? LIVE_DB_INTERRUPTED : LIVE_DB_FAILED, &err,
             r.a->dry_run ? "reading hqc.applied" : "taking hqc apply's advisory lock and reading hqc.applied");
    } else if (!r.a->dry_run && !r.hist.exists && live_history_create(&r.c, &err)) {
        fail(&r, LIVE_DB_FAILED, &err, "creating hqc.applied");
    } else if (!r.a->dry_run && r.hist.n_running && live_history_close_stale(&r.c, &err)) {
        fail(&r, LIVE_DB_FAILED, &err, "closing unfinished runs in hqc.applied");
    } else {
        job->has_history = r.hist.exists;
        job->apply_running = r.hist.apply_running;
        run_units(&r);
    }
    /* Closing the session releases the advisory lock (PQfinish does not wait
     * for the server): no round trip for an explicit unlock. */
    live_history_free(&r.hist);
    live_disconnect(&r.c);
}
