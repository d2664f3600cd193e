/* conn.c - libpq for the live commands. Queries go through PQsendQuery and
 * a PQgetResult loop, so a message of several statements yields one result
 * per statement and the count of results before an error says which
 * statement failed. Every query is marked busy in stop.c first, so SIGINT
 * can cancel it. */
#include "live/conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/stop.h"

static char *dup_field(const PGresult *r, int field)
{
    const char *v = PQresultErrorField(r, field);
    return v ? strdup(v) : NULL;
}

/* libpq's messages end in a newline; reports want one line. */
static char *dup_trimmed(const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    return strndup(s, n);
}

void live_error_clear(LiveError *e)
{
    free(e->message);
    free(e->detail);
    free(e->hint);
    free(e->context);
    memset(e, 0, sizeof *e);
}

void live_error_move(LiveError *dst, LiveError *src)
{
    live_error_clear(dst);
    *dst = *src;
    memset(src, 0, sizeof *src);
}

void live_error_set(LiveError *e, const char *fmt, ...)
{
    live_error_clear(e);
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->message, fmt, ap) < 0)
        e->message = NULL;
    va_end(ap);
}

static void error_from_result(LiveConn *c, const PGresult *r, LiveError *e)
{
    live_error_clear(e);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state)
        snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state);
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary) {
        e->message = strdup(primary);
    } else {
        const char *m = r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(c->pg);
        e->message = dup_trimmed(*m ? m : "unknown error");
    }
    if (r) {
        e->detail = dup_field(r, PG_DIAG_MESSAGE_DETAIL);
        e->hint = dup_field(r, PG_DIAG_MESSAGE_HINT);
        e->context = dup_field(r, PG_DIAG_CONTEXT);
        const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
        e->position = pos ? atoi(pos) : 0;
    }
    e->connection_lost = PQstatus(c->pg) == CONNECTION_BAD;
}

static void notice_receiver(void *arg, const PGresult *r)
{
    LiveConn *c = arg;
    if (!c->on_notice)
        return;
    const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    c->on_notice(c->notice_ctx, sev ? sev : "NOTICE", msg ? msg : "");
}

int live_connect(LiveConn *c, const LiveTarget *t, LiveNoticeFn on_notice, void *ctx, LiveError *err)
{
    memset(c, 0, sizeof *c);
    c->watch = -1;
    c->on_notice = on_notice;
    c->notice_ctx = ctx;
    /* Keywords before "dbname" are defaults the URL may override; a URL
     * without connect_timeout must not hang a fleet run on a dead host. */
    const char *keys[4], *vals[4];
    int n = 0;
    if (!getenv("PGCONNECT_TIMEOUT"))
        keys[n] = "connect_timeout", vals[n++] = "10";
    keys[n] = "dbname", vals[n++] = t->conninfo;
    keys[n] = "fallback_application_name", vals[n++] = "hqc";
    keys[n] = NULL, vals[n] = NULL;
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (!c->pg) {
        live_error_set(err, "out of memory");
        return -1;
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        live_error_clear(err);
        err->message = dup_trimmed(PQerrorMessage(c->pg));
        err->connection_lost = true;
        return -1;
    }
    if (PQserverVersion(c->pg) < LIVE_MIN_SERVER_VERSION) {
        const char *v = PQparameterStatus(c->pg, "server_version");
        live_error_set(err, "the server is PostgreSQL %s; hqc needs PostgreSQL 15 or later", v ? v : "(unknown)");
        return -1;
    }
    PQsetNoticeReceiver(c->pg, notice_receiver, c);
    c->watch = live_stop_watch(c->pg);
    return 0;
}

void live_disconnect(LiveConn *c)
{
    live_stop_unwatch(c->watch);
    c->watch = -1;
    if (c->pg)
        PQfinish(c->pg);
    c->pg = NULL;
}

/* Collects the results of a sent query; see live_query. */
static PGresult *collect(LiveConn *c, LiveError *err)
{
    PGresult *last = NULL, *r;
    size_t done = 0;
    bool failed = false;
    while ((r = PQgetResult(c->pg)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (failed) {
            PQclear(r);
        } else if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
            PQclear(last);
            last = r;
            done++;
        } else {
            /* COPY is not something a unit may do: treat it as an error too. */
            error_from_result(c, r, err);
            if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
                live_error_set(err, "COPY is not supported in a unit");
                PQclear(r);
                live_stop_busy(c->watch, false);
                return NULL;   /* the connection is unusable; the caller drops it */
            }
            err->n_done = done;
            PQclear(r);
            PQclear(last);
            last = NULL;
            failed = true;
        }
        if (PQstatus(c->pg) == CONNECTION_BAD)
            break;
    }
    if (!c->cleanup)
        live_stop_busy(c->watch, false);
    if (!failed && PQstatus(c->pg) == CONNECTION_BAD) {
        error_from_result(c, NULL, err);
        err->n_done = done;
        PQclear(last);
        return NULL;
    }
    return failed ? NULL : last;
}

static bool start(LiveConn *c, LiveError *err)
{
    if (c->cleanup)
        return true;
    if (!live_stop_busy(c->watch, true)) {
        live_error_set(err, "interrupted");
        snprintf(err->sqlstate, sizeof err->sqlstate, "57014");
        return false;
    }
    return true;
}

PGresult *live_query_n(LiveConn *c, const char *sql, size_t len, LiveError *err)
{
    char *copy = strndup(sql, len);
    if (!copy)
        abort();
    PGresult *r = live_query(c, copy, err);
    free(copy);
    return r;
}

PGresult *live_query(LiveConn *c, const char *sql, LiveError *err)
{
    if (!start(c, err))
        return NULL;
    if (!PQsendQuery(c->pg, sql)) {
        live_stop_busy(c->watch, false);
        error_from_result(c, NULL, err);
        return NULL;
    }
    return collect(c, err);
}

PGresult *live_query_params(LiveConn *c, const char *sql, int n, const char *const *values, LiveError *err)
{
    if (!start(c, err))
        return NULL;
    if (!PQsendQueryParams(c->pg, sql, n, NULL, values, NULL, NULL, 0)) {
        live_stop_busy(c->watch, false);
        error_from_result(c, NULL, err);
        return NULL;
    }
    return collect(c, err);
}

void live_rollback(LiveConn *c)
{
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK || !live_in_transaction(c))
        return;
    LiveError e = {0};
    bool was = c->cleanup;
    c->cleanup = true;
    PQclear(live_query(c, "ROLLBACK", &e));
    c->cleanup = was;
    live_error_clear(&e);
}

bool live_in_transaction(const LiveConn *c)
{
    PGTransactionStatusType s = PQtransactionStatus(c->pg);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}
