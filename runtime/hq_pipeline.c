/* hq_pipeline.c - bulk execution in libpq pipeline mode: many executions are queued without
 * waiting for each round trip, then results are matched back to items in order. The socket is
 * non-blocking while a batch is open and results are read as they arrive, so neither side can
 * fill its buffers and deadlock however many items are queued.
 */
#include "hq_int.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

enum { EXP_PREPARE, EXP_EXEC, EXP_SYNC };
enum { ITEM_PENDING, ITEM_OK, ITEM_FAILED, ITEM_ABORTED };

/* One result libpq will hand back, in queue order. */
typedef struct Expect {
    int kind;                  /* EXP_* */
    size_t index;              /* item it belongs to (PREPARE: the item that needed it) */
    HqStmt *stmt;              /* PREPARE: cache entry to confirm or forget */
    const HqRecordDesc *rdesc; /* EXEC: decode rows with this, or NULL */
} Expect;

typedef struct ItemError {
    size_t index;  /* item index */
    HqError error; /* what went wrong */
} ItemError;

struct HqBatch {
    HqConn *c;              /* NULL once detached (connection freed) */
    HqAllocator alloc;      /* copy of the connection's, so a detached batch can free itself */
    HqBatchMode mode;
    HqBatchRowFn fn;        /* optional row callback */
    void *ctx;
    Expect *exp;            /* queue of expected results; [head, n_exp) still to come */
    size_t n_exp, exp_cap, head;
    bool got_result;        /* exp[head] had its result; its terminating NULL is next */
    uint8_t *items;         /* ITEM_* per item */
    size_t n_items, items_cap;
    ItemError *errors;      /* failed items, in index order */
    size_t n_errors, errors_cap;
    bool finished;          /* sync done and pipeline left */
    bool broken;            /* connection failed; conn_error says how */
    HqError conn_error;
    HqStatus final_status;  /* what finish returned */
};

/* Doubles an array's capacity; the hook has no realloc. */
static bool grow(const HqAllocator *a, void **p, size_t *cap, size_t need, size_t elsize)
{
    if (need <= *cap)
        return true;
    size_t n = *cap < 16 ? 16 : *cap;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elsize)
        return false;
    void *q = hq_alloc(a, n * elsize);
    if (q == NULL)
        return false;
    if (*cap > 0)
        memcpy(q, *p, *cap * elsize);
    hq_free(a, *p);
    *p = q;
    *cap = n;
    return true;
}

static void push(HqBatch *b, int kind, size_t index, HqStmt *stmt, const HqRecordDesc *rdesc)
{
    /* Capacity is reserved before anything is sent, so this cannot fail. */
    b->exp[b->n_exp++] = (Expect){kind, index, stmt, rdesc};
}

static void break_batch(HqBatch *b, const char *what)
{
    if (!b->broken)
        hq_error_from_conn(&b->conn_error, b->c->pg, what);
    b->broken = true;
}

/* Records an item's own failure; the error array is grown before the error is copied. */
static void fail_item(HqBatch *b, size_t index, const HqError *e)
{
    if (b->items[index] == ITEM_FAILED)
        return; /* first error of an item wins (a failed PREPARE, then its aborted EXEC) */
    b->items[index] = ITEM_FAILED;
    if (!grow(&b->alloc, (void **)&b->errors, &b->errors_cap, b->n_errors + 1,
              sizeof *b->errors))
        return; /* the item still counts as failed; only its details are lost */
    ItemError *ie = &b->errors[b->n_errors++];
    ie->index = index;
    ie->error = *e;
    ie->error.batch_index = (int64_t)index;
}

static void deliver_rows(HqBatch *b, const Expect *e, const PGresult *r)
{
    int n = PQntuples(r);
    if (e->rdesc == NULL || b->fn == NULL || n == 0)
        return;
    HqError err;
    void *row = hq_alloc_zero(&b->alloc, e->rdesc->size);
    if (row == NULL) {
        hq_error_nomem(&err);
        fail_item(b, e->index, &err);
        return;
    }
    for (int i = 0; i < n; i++) {
        if (hq_record_decode(e->rdesc, r, i, &b->alloc, row, &err) != HQ_OK) {
            fail_item(b, e->index, &err);
            break;
        }
        int rc = b->fn(b->ctx, e->index, row);
        hq_record_clear(e->rdesc, row, &b->alloc);
        if (rc < 0) {
            hq_error_set(&err, HQ_ERR_CALLBACK, "row callback aborted (%d)", rc);
            fail_item(b, e->index, &err);
            break;
        }
    }
    hq_free(&b->alloc, row);
}

/* Consumes one PQgetResult() value (NULL included) against the head expectation. */
static void handle(HqBatch *b, PGresult *r)
{
    Expect *e = &b->exp[b->head];
    if (r == NULL) {
        if (e->kind != EXP_SYNC && b->got_result) {
            b->head++;
            b->got_result = false;
        }
        return;
    }
    ExecStatusType s = PQresultStatus(r);
    HqError err;
    if (e->kind == EXP_SYNC) {
        if (s == PGRES_PIPELINE_SYNC) {
            b->head++; /* no NULL follows a sync result */
            b->got_result = false;
        }
    } else if (e->kind == EXP_PREPARE) {
        b->got_result = true;
        if (s == PGRES_COMMAND_OK) {
            e->stmt->pending = false;
        } else {
            if (s == PGRES_FATAL_ERROR) {
                hq_error_from_result(&err, r);
                fail_item(b, e->index, &err);
            }
            hq_stmt_forget(b->c, e->stmt); /* never prepared: the next use prepares again */
        }
    } else {
        b->got_result = true;
        if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
            if (b->items[e->index] == ITEM_PENDING)
                b->items[e->index] = ITEM_OK;
            deliver_rows(b, e, r);
        } else if (s == PGRES_PIPELINE_ABORTED) {
            if (b->items[e->index] == ITEM_PENDING)
                b->items[e->index] = ITEM_ABORTED;
        } else {
            hq_error_from_result(&err, r);
            fail_item(b, e->index, &err);
        }
    }
    PQclear(r);
}

/* Sends what is buffered and handles whatever results have arrived; with `wait`, blocks in
 * poll() until every expected result is in. */
static void pump(HqBatch *b, bool wait)
{
    PGconn *pg = b->c->pg;
    while (!b->broken) {
        int fr = PQflush(pg);
        if (fr < 0) {
            break_batch(b, "sending pipeline");
            return;
        }
        if (!PQconsumeInput(pg)) {
            break_batch(b, "reading pipeline results");
            return;
        }
        while (b->head < b->n_exp && !PQisBusy(pg)) {
            size_t head = b->head;
            bool had = b->got_result;
            PGresult *r = PQgetResult(pg);
            bool none = r == NULL;
            handle(b, r);
            if (none && head == b->head && had == b->got_result)
                break; /* nothing usable yet: wait for input rather than spin */
        }
        if (PQstatus(pg) == CONNECTION_BAD) {
            break_batch(b, "connection lost during pipeline");
            return;
        }
        if (!wait || b->head == b->n_exp)
            return;
        struct pollfd pfd = {PQsocket(pg), (short)(POLLIN | (fr == 1 ? POLLOUT : 0)), 0};
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
            break_batch(b, "waiting for pipeline results");
            return;
        }
    }
}

HqStatus hq_batch_begin(HqConn *c, HqBatchMode mode, HqBatchRowFn fn, void *ctx, HqBatch **out,
                        HqError *err)
{
    if (out == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_batch_begin: out is NULL");
    *out = NULL;
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    if (mode != HQ_BATCH_ATOMIC && mode != HQ_BATCH_INDEPENDENT)
        return hq_error_set(err, HQ_ERR_INVALID, "unknown batch mode %d", (int)mode);
    HqBatch *b = hq_alloc_zero(&c->alloc, sizeof *b);
    if (b == NULL)
        return hq_error_nomem(err);
    b->c = c;
    b->alloc = c->alloc;
    /* Room for the final sync is reserved now, so hq_batch_finish never needs to allocate. */
    if (!grow(&b->alloc, (void **)&b->exp, &b->exp_cap, 16, sizeof *b->exp)) {
        hq_free(&c->alloc, b);
        return hq_error_nomem(err);
    }
    b->mode = mode;
    b->fn = fn;
    b->ctx = ctx;
    if (!PQenterPipelineMode(c->pg)) {
        st = hq_error_from_conn(err, c->pg, "entering pipeline mode");
        hq_free(&c->alloc, b->exp);
        hq_free(&c->alloc, b);
        return st;
    }
    if (PQsetnonblocking(c->pg, 1) != 0) {
        st = hq_error_from_conn(err, c->pg, "making the connection non-blocking");
        PQexitPipelineMode(c->pg);
        hq_free(&c->alloc, b->exp);
        hq_free(&c->alloc, b);
        return st;
    }
    c->batch = b;
    *out = b;
    return HQ_OK;
}

static HqStatus check_open(const HqBatch *b, HqError *err)
{
    if (b == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "batch is NULL");
    if (b->c == NULL || b->finished)
        return hq_error_set(err, HQ_ERR_STATE, "batch is already finished");
    if (b->broken) {
        if (err != NULL)
            *err = b->conn_error;
        return HQ_ERR_CONNECT;
    }
    return HQ_OK;
}

static HqStatus add_item(HqBatch *b, const char *sql, const HqParamSpec *ps,
                         const HqRecordDesc *rdesc, HqError *err)
{
    HqConn *c = b->c;
    const char *const *values = NULL;
    int n = 0;
    HqStatus st = hq_params_build(c, ps, &values, &n, err);
    if (st != HQ_OK)
        return st;
    /* Reserve every slot first: once something is queued on the wire, bookkeeping must not fail. */
    if (!grow(&b->alloc, (void **)&b->exp, &b->exp_cap, b->n_exp + 3, sizeof *b->exp) ||
        !grow(&b->alloc, (void **)&b->items, &b->items_cap, b->n_items + 1, sizeof *b->items))
        return hq_error_nomem(err);
    size_t index = b->n_items;
    HqStmt *s = NULL;
    bool queued = false;
    st = hq_stmt_get(c, sql, n, true, &s, &queued, err);
    if (st != HQ_OK)
        return st;
    if (queued)
        push(b, EXP_PREPARE, index, s, NULL);
    if (!PQsendQueryPrepared(c->pg, s->name, n, values, NULL, NULL, 0)) {
        break_batch(b, "queueing execution");
        if (err != NULL)
            *err = b->conn_error;
        return HQ_ERR_CONNECT;
    }
    c->stats.n_executions++;
    push(b, EXP_EXEC, index, NULL, b->fn != NULL ? rdesc : NULL);
    b->items[b->n_items++] = ITEM_PENDING;
    if (b->mode == HQ_BATCH_INDEPENDENT) {
        if (!PQpipelineSync(c->pg)) {
            break_batch(b, "queueing sync");
            if (err != NULL)
                *err = b->conn_error;
            return HQ_ERR_CONNECT;
        }
        push(b, EXP_SYNC, index, NULL, NULL);
    }
    pump(b, false);
    return HQ_OK;
}

HqStatus hq_batch_add(HqBatch *b, const HqQuery *q, const void *params, HqError *err)
{
    HqStatus st = check_open(b, err);
    if (st != HQ_OK)
        return st;
    if (q == NULL || q->sql == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_batch_add: query is NULL");
    size_t np = q->params != NULL ? q->params->n_fields : 0;
    if (np > 0 && params == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_batch_add: query needs a parameter record");
    HqParamSpec ps = {q->params, params, np, NULL, 0, NULL};
    return add_item(b, q->sql, &ps, q->result, err);
}

HqStatus hq_batch_add_insert(HqBatch *b, const HqTableDesc *t, const void *row,
                             const HqColumnSet *cols, HqError *err)
{
    HqStatus st = check_open(b, err);
    if (st != HQ_OK)
        return st;
    if (t == NULL || t->sql_name == NULL || t->record == NULL || row == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "table descriptor or row is NULL");
    uint16_t fields[HQ_MAX_FIELDS];
    size_t n;
    hq_buf_reset(&b->c->sql);
    st = hq_table_insert_sql(b->c, t, cols, b->fn != NULL, fields, &n, err);
    if (st != HQ_OK)
        return st;
    HqParamSpec ps = {t->record, row, n, fields, 0, NULL};
    return add_item(b, b->c->sql.data, &ps, t->record, err);
}

static void leave_pipeline(HqBatch *b)
{
    HqConn *c = b->c;
    PQsetnonblocking(c->pg, 0);
    PQexitPipelineMode(c->pg); /* fails only on a broken connection, reported already */
    c->batch = NULL;
    b->finished = true;
}

HqStatus hq_batch_finish(HqBatch *b, HqError *err)
{
    if (b != NULL && b->finished) {
        if (b->final_status != HQ_OK && err != NULL) {
            if (b->broken)
                *err = b->conn_error;
            else if (b->n_errors > 0)
                *err = b->errors[0].error;
            else
                hq_error_set(err, b->final_status, "batch failed");
        }
        return b->final_status;
    }
    if (b == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "batch is NULL");
    if (b->c == NULL)
        return hq_error_set(err, HQ_ERR_STATE, "the batch's connection was freed");
    /* A broken batch is finished too: the connection must leave pipeline mode either way. */
    if (!b->broken && (b->mode == HQ_BATCH_ATOMIC || b->n_items == 0)) {
        if (!grow(&b->alloc, (void **)&b->exp, &b->exp_cap, b->n_exp + 1, sizeof *b->exp)) {
            /* Without room to track the sync, abandon the batch like a broken connection. */
            b->broken = true;
            hq_error_nomem(&b->conn_error);
        } else if (!PQpipelineSync(b->c->pg)) {
            break_batch(b, "queueing sync");
        } else {
            push(b, EXP_SYNC, b->n_items, NULL, NULL);
        }
    }
    pump(b, true);
    leave_pipeline(b);
    size_t n_failed = 0;
    for (size_t i = 0; i < b->n_items; i++) {
        if (b->items[i] == ITEM_FAILED)
            n_failed++;
        else if (b->items[i] == ITEM_PENDING)
            b->items[i] = ITEM_ABORTED; /* never heard of: the connection broke */
    }
    if (b->mode == HQ_BATCH_ATOMIC && n_failed > 0)
        for (size_t i = 0; i < b->n_items; i++)
            if (b->items[i] == ITEM_OK)
                b->items[i] = ITEM_ABORTED; /* rolled back with the failed one */
    if (b->broken) {
        b->final_status = HQ_ERR_CONNECT;
        if (err != NULL)
            *err = b->conn_error;
    } else if (n_failed > 0) {
        b->final_status = b->n_errors > 0 ? b->errors[0].error.status : HQ_ERR_NOMEM;
        if (err != NULL) {
            if (b->n_errors > 0)
                *err = b->errors[0].error;
            else
                hq_error_nomem(err);
        }
    } else {
        b->final_status = HQ_OK;
    }
    return b->final_status;
}

size_t hq_batch_count(const HqBatch *b)
{
    return b != NULL ? b->n_items : 0;
}

size_t hq_batch_failed(const HqBatch *b)
{
    size_t n = 0;
    for (size_t i = 0; b != NULL && i < b->n_items; i++)
        n += b->items[i] == ITEM_FAILED;
    return n;
}

HqStatus hq_batch_item_status(const HqBatch *b, size_t i, HqError *err)
{
    if (b == NULL || i >= b->n_items)
        return hq_error_set(err, HQ_ERR_INVALID, "no batch item %zu", i);
    switch (b->items[i]) {
    case ITEM_OK:
        return HQ_OK;
    case ITEM_FAILED:
        for (size_t k = 0; k < b->n_errors; k++) {
            if (b->errors[k].index == i) {
                if (err != NULL)
                    *err = b->errors[k].error;
                return b->errors[k].error.status;
            }
        }
        return hq_error_nomem(err); /* details were lost to an allocation failure */
    case ITEM_ABORTED:
        hq_error_set(err, HQ_ERR_ABORTED, "not applied: another item of its transaction failed");
        if (err != NULL)
            err->batch_index = (int64_t)i;
        return HQ_ERR_ABORTED;
    default:
        return hq_error_set(err, HQ_ERR_STATE, "batch not finished");
    }
}

void hq_batch_detach(HqBatch *b)
{
    b->c = NULL;
    b->finished = true;
    b->broken = true;
    b->final_status = hq_error_set(&b->conn_error, HQ_ERR_STATE,
                                   "the connection was freed while the batch was open");
}

void hq_batch_free(HqBatch *b)
{
    if (b == NULL)
        return;
    if (b->c != NULL && !b->finished)
        hq_batch_finish(b, NULL);
    HqAllocator a = b->alloc;
    hq_free(&a, b->exp);
    hq_free(&a, b->items);
    hq_free(&a, b->errors);
    hq_free(&a, b);
}
