/* hq_conn.c - opening and closing connections, the session settings the decoders rely on, and
 * acting as a role with JWT claims so that row level security applies as for an API request.
 * Role and claims go in as parameters of set_config(), never spliced into SQL text.
 */
#include "hq_int.h"

#include <stdlib.h>
#include <string.h>

uint32_t hq_version_number(void)
{
    return HQ_RUNTIME_VERSION_NUMBER;
}

const char *hq_version(void)
{
    return HQ_RUNTIME_VERSION;
}

/* The decoders parse ISO dates with an explicit offset, hex bytea and round-trip floats; pin the
 * settings instead of trusting server or role defaults. TimeZone UTC makes timestamptz text
 * exact microseconds since the epoch with a "+00" offset. */
static const char session_sql[] = "SET TimeZone = 'UTC'; "
                                  "SET DateStyle = 'ISO, YMD'; "
                                  "SET IntervalStyle = 'postgres'; "
                                  "SET extra_float_digits = 3; "
                                  "SET bytea_output = 'hex'";

HqStatus hq_conn_setup_session(HqConn *c, HqError *err)
{
    if (PQsetClientEncoding(c->pg, "UTF8") != 0)
        return hq_error_from_conn(err, c->pg, "setting client_encoding");
    PGresult *r = PQexec(c->pg, session_sql);
    HqStatus st = HQ_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        st = r == NULL ? hq_error_from_conn(err, c->pg, "session setup")
                       : hq_error_from_result(err, r);
    PQclear(r);
    return st;
}

/* Replaces libpq's default receiver, which prints to stderr: the runtime never prints. */
static void receive_notice(void *arg, const PGresult *r)
{
    HqConn *c = arg;
    if (c->notice_fn == NULL)
        return;
    const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    c->notice_fn(c->notice_ctx, sev != NULL ? sev : "NOTICE", state != NULL ? state : "",
                 msg != NULL ? msg : "");
}

void hq_conn_set_notice_handler(HqConn *c, HqNoticeFn fn, void *ctx)
{
    if (c == NULL)
        return;
    c->notice_fn = fn;
    c->notice_ctx = ctx;
}

HqStatus hq_connect(const char *conninfo, const HqAllocator *a, HqConn **out, HqError *err)
{
    if (out == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_connect: out is NULL");
    *out = NULL;
    if (conninfo == NULL) {
        conninfo = getenv("DATABASE_URL");
        if (conninfo == NULL)
            return hq_error_set(err, HQ_ERR_INVALID,
                                "no connection string given and DATABASE_URL is not set");
    }
    HqConn *c = hq_alloc_zero(a, sizeof *c);
    if (c == NULL)
        return hq_error_nomem(err);
    if (a != NULL)
        c->alloc = *a;
    hq_buf_init(&c->params, &c->alloc);
    hq_buf_init(&c->sql, &c->alloc);
    c->cache_capacity = 256;
    HqStatus st;
    c->pg = PQconnectdb(conninfo);
    if (c->pg == NULL) {
        st = hq_error_nomem(err);
        goto fail;
    }
    PQsetNoticeReceiver(c->pg, receive_notice, c); /* kept across PQreset */
    if (PQstatus(c->pg) != CONNECTION_OK) {
        st = hq_error_from_conn(err, c->pg, "connection failed");
        goto fail;
    }
    st = hq_conn_setup_session(c, err);
    if (st != HQ_OK)
        goto fail;
    *out = c;
    return HQ_OK;
fail:
    hq_conn_free(c);
    return st;
}

void hq_conn_free(HqConn *c)
{
    if (c == NULL)
        return;
    if (c->batch != NULL)
        hq_batch_detach(c->batch); /* the caller still owns the batch and frees it later */
    hq_stmt_cache_clear(c);
    hq_free(&c->alloc, c->buckets);
    hq_buf_free(&c->params);
    hq_buf_free(&c->sql);
    hq_free(&c->alloc, c->param_offsets);
    hq_free(&c->alloc, (void *)c->param_values);
    if (c->pg != NULL)
        PQfinish(c->pg);
    HqAllocator a = c->alloc;
    hq_free(&a, c);
}

HqStatus hq_conn_check(HqConn *c, HqError *err)
{
    if (c == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "connection is NULL");
    if (c->batch != NULL)
        return hq_error_set(err, HQ_ERR_STATE, "a pipeline batch is open on this connection");
    if (c->streaming)
        return hq_error_set(err, HQ_ERR_STATE,
                            "connection is busy streaming rows (a row callback must not use it)");
    if (PQstatus(c->pg) != CONNECTION_OK)
        return hq_error_from_conn(err, c->pg, "connection is not usable");
    return HQ_OK;
}

HqStatus hq_conn_reset(HqConn *c, HqError *err)
{
    if (c == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "connection is NULL");
    if (c->batch != NULL || c->streaming)
        return hq_error_set(err, HQ_ERR_STATE, "connection is busy");
    PQreset(c->pg);
    /* The new backend has none of our prepared statements. */
    hq_stmt_cache_clear(c);
    if (PQstatus(c->pg) != CONNECTION_OK)
        return hq_error_from_conn(err, c->pg, "reconnect failed");
    return hq_conn_setup_session(c, err);
}

const HqAllocator *hq_conn_allocator(const HqConn *c)
{
    return c != NULL ? &c->alloc : NULL;
}

struct pg_conn *hq_conn_pg(HqConn *c)
{
    return c != NULL ? c->pg : NULL;
}

void hq_conn_stats(const HqConn *c, HqConnStats *out)
{
    if (c == NULL || out == NULL)
        return;
    *out = c->stats;
    out->n_cached = c->n_stmts;
}

void hq_conn_set_cache_capacity(HqConn *c, size_t capacity)
{
    if (c != NULL)
        c->cache_capacity = capacity > 0 ? capacity : 1;
}

HqStatus hq_exec_script(HqConn *c, const char *sql, HqError *err)
{
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    if (sql == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_exec_script: sql is NULL");
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
        st = r == NULL ? hq_error_from_conn(err, c->pg, "query failed")
                       : hq_error_from_result(err, r);
    PQclear(r);
    return st;
}

HqStatus hq_act_as(HqConn *c, const char *role, const char *claims_json, HqRoleScope scope,
                   HqError *err)
{
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    bool local = scope == HQ_SCOPE_TRANSACTION;
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    if (local && ts != PQTRANS_INTRANS)
        return hq_error_set(err, HQ_ERR_STATE, "%s",
                            ts == PQTRANS_INERROR
                                ? "transaction has failed; roll it back before acting as a role"
                                : "transaction-scoped role needs an open transaction (hq_begin)");
    if (role == NULL && claims_json == NULL)
        return HQ_OK;
    /* set_config(name, value, is_local) is SET [LOCAL] with the value as a parameter. */
    const char *is_local = local ? "true" : "false";
    const char *sql;
    const char *values[3] = {NULL, NULL, NULL};
    int n = 0;
    if (role != NULL) {
        values[n++] = role;
        sql = claims_json != NULL
                  ? "SELECT set_config('role', $1, $3::boolean), "
                    "set_config('request.jwt.claims', $2, $3::boolean)"
                  : "SELECT set_config('role', $1, $2::boolean)";
    } else {
        sql = "SELECT set_config('request.jwt.claims', $1, $2::boolean)";
    }
    if (claims_json != NULL)
        values[n++] = claims_json;
    values[n++] = is_local;
    PGresult *r = NULL;
    st = hq_stmt_exec(c, sql, n, values, &r, err);
    PQclear(r);
    return st;
}

HqStatus hq_act_reset(HqConn *c, HqError *err)
{
    return hq_exec_script(c, "RESET ROLE; RESET request.jwt.claims", err);
}

HqStatus hq_check_schema(HqConn *c, const char *query, const char *expected, HqError *err)
{
    if (query == NULL || expected == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_check_schema: NULL query or expected");
    HqResult *res = NULL;
    HqStatus st = hq_query(c, query, 0, NULL, &res, err);
    if (st != HQ_OK)
        return st;
    const char *got = hq_result_rows(res) == 1 && hq_result_cols(res) == 1
                          ? hq_result_value(res, 0, 0)
                          : NULL;
    if (got == NULL)
        st = hq_error_set(err, HQ_ERR_MISMATCH,
                          "schema check: the database has no schema version (expected \"%.200s\")",
                          expected);
    else if (strcmp(got, expected) != 0)
        st = hq_error_set(err, HQ_ERR_MISMATCH,
                          "schema mismatch: the database has \"%.200s\", this code was generated "
                          "for \"%.200s\"",
                          got, expected);
    hq_result_free(res);
    return st;
}
