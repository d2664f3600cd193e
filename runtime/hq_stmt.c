/* hq_stmt.c - the per-connection prepared statement cache and the raw hq_query() API.
 * A statement is keyed by its SQL text: the first use PQprepare()s it under a generated name,
 * later uses only PQexecPrepared(), so the server parses and plans it once per connection.
 * The cache is bounded; the least recently used statement is DEALLOCATEd to make room.
 */
#include "hq_int.h"

#include <stdio.h>
#include <string.h>

struct HqResult {
    PGresult *pg;      /* owned */
    HqAllocator alloc; /* frees this wrapper */
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

static HqStmt *lookup(const HqConn *c, const char *sql, uint64_t h)
{
    if (c->n_buckets == 0)
        return NULL;
    for (HqStmt *s = c->buckets[h & (c->n_buckets - 1)]; s != NULL; s = s->next)
        if (s->hash == h && strcmp(s->sql, sql) == 0)
            return s;
    return NULL;
}

static bool grow_buckets(HqConn *c)
{
    if (c->n_buckets != 0 && c->n_stmts < c->n_buckets)
        return true;
    size_t n = c->n_buckets == 0 ? 64 : c->n_buckets * 2;
    HqStmt **b = hq_alloc_zero(&c->alloc, n * sizeof *b);
    if (b == NULL)
        return c->n_buckets != 0; /* a full table still works, only chains get longer */
    for (size_t i = 0; i < c->n_buckets; i++) {
        for (HqStmt *s = c->buckets[i], *next; s != NULL; s = next) {
            next = s->next;
            s->next = b[s->hash & (n - 1)];
            b[s->hash & (n - 1)] = s;
        }
    }
    hq_free(&c->alloc, c->buckets);
    c->buckets = b;
    c->n_buckets = n;
    return true;
}

static void unlink_stmt(HqConn *c, HqStmt *s)
{
    for (HqStmt **pp = &c->buckets[s->hash & (c->n_buckets - 1)]; *pp != NULL;
         pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            c->n_stmts--;
            return;
        }
    }
}

void hq_stmt_forget(HqConn *c, HqStmt *s)
{
    unlink_stmt(c, s);
    hq_free(&c->alloc, s);
}

void hq_stmt_invalidate(HqConn *c, const char *sql)
{
    HqStmt *s = lookup(c, sql, fnv1a(sql));
    if (s != NULL)
        hq_stmt_forget(c, s);
}

void hq_stmt_cache_clear(HqConn *c)
{
    for (size_t i = 0; i < c->n_buckets; i++) {
        for (HqStmt *s = c->buckets[i], *next; s != NULL; s = next) {
            next = s->next;
            hq_free(&c->alloc, s);
        }
        c->buckets[i] = NULL;
    }
    c->n_stmts = 0;
}

/* Drops the least recently used statement. Not possible inside a pipeline (no synchronous
 * commands) or a failed transaction (every command fails): the cache then grows past its bound
 * until the next call that can evict. */
static void evict_one(HqConn *c)
{
    if (c->batch != NULL || PQtransactionStatus(c->pg) == PQTRANS_INERROR)
        return;
    HqStmt *victim = NULL;
    for (size_t i = 0; i < c->n_buckets; i++)
        for (HqStmt *s = c->buckets[i]; s != NULL; s = s->next)
            if (!s->pending && (victim == NULL || s->last_used < victim->last_used))
                victim = s;
    if (victim == NULL)
        return;
    /* The name is our own "hq_<number>", not a value, so it may be written into the text. */
    char sql[64];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", victim->name);
    PQclear(PQexec(c->pg, sql));
    hq_stmt_forget(c, victim);
}

HqStatus hq_stmt_get(HqConn *c, const char *sql, int n_params, bool pipeline, HqStmt **out,
                     bool *queued, HqError *err)
{
    uint64_t h = fnv1a(sql);
    HqStmt *s = lookup(c, sql, h);
    if (queued != NULL)
        *queued = false;
    if (s != NULL) {
        s->last_used = ++c->clock;
        c->stats.n_cache_hits++;
        *out = s;
        return HQ_OK;
    }
    if (c->n_stmts >= c->cache_capacity)
        evict_one(c);
    if (!grow_buckets(c))
        return hq_error_nomem(err);
    size_t len = strlen(sql);
    s = hq_alloc(&c->alloc, sizeof *s + len + 1);
    if (s == NULL)
        return hq_error_nomem(err);
    memset(s, 0, sizeof *s);
    memcpy(s->sql, sql, len + 1);
    s->hash = h;
    s->last_used = ++c->clock;
    snprintf(s->name, sizeof s->name, "hq_%llu", (unsigned long long)++c->next_stmt_id);
    if (pipeline) {
        if (!PQsendPrepare(c->pg, s->name, sql, n_params, NULL)) {
            hq_free(&c->alloc, s);
            return hq_error_from_conn(err, c->pg, "queueing prepare");
        }
        s->pending = true;
        if (queued != NULL)
            *queued = true;
    } else {
        PGresult *r = PQprepare(c->pg, s->name, sql, n_params, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            HqStatus st = r == NULL ? hq_error_from_conn(err, c->pg, "prepare failed")
                                    : hq_error_from_result(err, r);
            PQclear(r);
            hq_free(&c->alloc, s);
            return st;
        }
        PQclear(r);
    }
    s->next = c->buckets[h & (c->n_buckets - 1)];
    c->buckets[h & (c->n_buckets - 1)] = s;
    c->n_stmts++;
    c->stats.n_prepares++;
    *out = s;
    return HQ_OK;
}

static bool result_ok(const PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

HqStatus hq_stmt_exec(HqConn *c, const char *sql, int n_params, const char *const *values,
                      PGresult **res, HqError *err)
{
    *res = NULL;
    for (int attempt = 0;; attempt++) {
        HqStmt *s = NULL;
        HqStatus st = hq_stmt_get(c, sql, n_params, false, &s, NULL, err);
        if (st != HQ_OK)
            return st;
        PGresult *r = PQexecPrepared(c->pg, s->name, n_params, values, NULL, NULL, 0);
        c->stats.n_executions++;
        if (result_ok(r)) {
            *res = r;
            return HQ_OK;
        }
        if (r == NULL)
            return hq_error_from_conn(err, c->pg, "execute failed");
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (state != NULL && strcmp(state, "26000") == 0) {
            /* Our statement is gone from the server (DISCARD ALL, DEALLOCATE ALL by someone):
             * forget it, and prepare again when no transaction was broken by the failure. */
            hq_stmt_forget(c, s);
            if (attempt == 0 && PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
                PQclear(r);
                continue;
            }
        }
        st = hq_error_from_result(err, r);
        PQclear(r);
        return st;
    }
}

HqStatus hq_stmt_send(HqConn *c, const char *sql, int n_params, const char *const *values,
                      HqError *err)
{
    HqStmt *s = NULL;
    HqStatus st = hq_stmt_get(c, sql, n_params, false, &s, NULL, err);
    if (st != HQ_OK)
        return st;
    if (!PQsendQueryPrepared(c->pg, s->name, n_params, values, NULL, NULL, 0))
        return hq_error_from_conn(err, c->pg, "send failed");
    c->stats.n_executions++;
    return HQ_OK;
}

HqStatus hq_query(HqConn *c, const char *sql, size_t n_params, const char *const *values,
                  HqResult **out, HqError *err)
{
    if (out != NULL)
        *out = NULL;
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    if (sql == NULL || n_params > 65535 || (n_params > 0 && values == NULL))
        return hq_error_set(err, HQ_ERR_INVALID, "hq_query: bad sql or parameters");
    HqResult *res = NULL;
    if (out != NULL) {
        /* Allocate first so that a failure cannot lose a result that has side effects. */
        res = hq_alloc(&c->alloc, sizeof *res);
        if (res == NULL)
            return hq_error_nomem(err);
        res->alloc = c->alloc;
    }
    PGresult *r;
    st = hq_stmt_exec(c, sql, (int)n_params, values, &r, err);
    if (st != HQ_OK) {
        hq_free(&c->alloc, res);
        return st;
    }
    if (res == NULL) {
        PQclear(r);
        return HQ_OK;
    }
    res->pg = r;
    *out = res;
    return HQ_OK;
}

size_t hq_result_rows(const HqResult *r)
{
    return r != NULL ? (size_t)PQntuples(r->pg) : 0;
}

size_t hq_result_cols(const HqResult *r)
{
    return r != NULL ? (size_t)PQnfields(r->pg) : 0;
}

const char *hq_result_name(const HqResult *r, size_t col)
{
    if (r == NULL || col >= (size_t)PQnfields(r->pg))
        return NULL;
    return PQfname(r->pg, (int)col);
}

const char *hq_result_value(const HqResult *r, size_t row, size_t col)
{
    if (r == NULL || row >= (size_t)PQntuples(r->pg) || col >= (size_t)PQnfields(r->pg) ||
        PQgetisnull(r->pg, (int)row, (int)col))
        return NULL;
    return PQgetvalue(r->pg, (int)row, (int)col);
}

uint64_t hq_cmd_tuples(const PGresult *r)
{
    const char *s = PQcmdTuples((PGresult *)r); /* libpq's prototype lacks the const */
    if (s[0] == '\0')
        return (uint64_t)PQntuples(r);
    uint64_t n = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        n = n * 10 + (uint64_t)(*s - '0');
    return n;
}

uint64_t hq_result_affected(const HqResult *r)
{
    return r != NULL ? hq_cmd_tuples(r->pg) : 0;
}

void hq_result_free(HqResult *r)
{
    if (r == NULL)
        return;
    PQclear(r->pg);
    HqAllocator a = r->alloc;
    hq_free(&a, r);
}
