/* hq_row.c - records: C structs described by HqRecordDesc. Builds parameter arrays from a
 * record, fills a record from a result row, and runs a statement either into one record or
 * streaming every row through a callback (libpq single-row mode), so that a result of any size
 * is held in memory one row at a time.
 */
#include "hq_int.h"

#include <string.h>

static void *field_ptr(void *record, const HqField *f)
{
    return (char *)record + f->offset;
}

static bool *null_ptr(void *record, const HqField *f)
{
    return (bool *)((char *)record + f->null_offset);
}

HqStatus hq_record_check(const HqRecordDesc *d, HqError *err)
{
    if (d == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "record descriptor is NULL");
    const char *rn = d->name != NULL ? d->name : "?";
    if (d->n_fields > HQ_MAX_FIELDS || (d->n_fields > 0 && d->fields == NULL))
        return hq_error_set(err, HQ_ERR_INVALID, "record %s: bad field list", rn);
    for (size_t i = 0; i < d->n_fields; i++) {
        const HqField *f = &d->fields[i];
        const char *fn = f->name != NULL ? f->name : "?";
        size_t size = hq_type_size(f->type);
        if (f->name == NULL || size == 0)
            return hq_error_set(err, HQ_ERR_INVALID, "record %s field %zu: no name or bad type",
                                rn, i);
        if ((f->flags & HQ_FIELD_ARRAY) != 0) {
            if (f->type == HQ_TYPE_VECTOR)
                return hq_error_set(err, HQ_ERR_INVALID, "record %s field %s: vector arrays "
                                    "are not supported", rn, fn);
            size = sizeof(HqArray);
        }
        if (f->offset > d->size || size > d->size - f->offset)
            return hq_error_set(err, HQ_ERR_INVALID, "record %s field %s: offset outside the "
                                "struct", rn, fn);
        if ((f->flags & HQ_FIELD_NULLABLE) != 0 &&
            (f->null_offset > d->size || sizeof(bool) > d->size - f->null_offset))
            return hq_error_set(err, HQ_ERR_INVALID, "record %s field %s: null flag outside "
                                "the struct", rn, fn);
        if (f->type == HQ_TYPE_ENUM &&
            (f->enum_desc == NULL || f->enum_desc->n_labels == 0 || f->enum_desc->labels == NULL))
            return hq_error_set(err, HQ_ERR_INVALID, "record %s field %s: enum without labels",
                                rn, fn);
    }
    return HQ_OK;
}

void hq_record_clear(const HqRecordDesc *d, void *record, const HqAllocator *a)
{
    if (d == NULL || record == NULL)
        return;
    for (size_t i = 0; i < d->n_fields; i++) {
        const HqField *f = &d->fields[i];
        if ((f->flags & HQ_FIELD_ARRAY) != 0)
            hq_array_clear(f->type, field_ptr(record, f), a);
        else
            hq_value_clear(f->type, field_ptr(record, f), a);
    }
    memset(record, 0, d->size);
}

static bool ensure_param_slots(HqConn *c, size_t n)
{
    if (n <= c->param_cap)
        return true;
    size_t cap = c->param_cap < 16 ? 16 : c->param_cap;
    while (cap < n)
        cap *= 2;
    size_t *off = hq_alloc(&c->alloc, cap * sizeof *off);
    const char **val = hq_alloc(&c->alloc, cap * sizeof *val);
    if (off == NULL || val == NULL) {
        hq_free(&c->alloc, off);
        hq_free(&c->alloc, (void *)val);
        return false;
    }
    hq_free(&c->alloc, c->param_offsets);
    hq_free(&c->alloc, (void *)c->param_values);
    c->param_offsets = off;
    c->param_values = val;
    c->param_cap = cap;
    return true;
}

HqStatus hq_params_build(HqConn *c, const HqParamSpec *ps, const char *const **values, int *n,
                         HqError *err)
{
    size_t total = ps->n_fields + ps->n_extra;
    if (total > 65535) /* the protocol's limit on parameters */
        return hq_error_set(err, HQ_ERR_INVALID, "too many parameters (%zu)", total);
    if (ps->n_fields > 0 && (ps->desc == NULL || ps->record == NULL))
        return hq_error_set(err, HQ_ERR_INVALID, "parameters need a record and its descriptor");
    if (!ensure_param_slots(c, total))
        return hq_error_nomem(err);
    HqBuf *b = &c->params;
    hq_buf_reset(b);
    /* Encode into one buffer and record offsets: the buffer may move while it grows, so the
     * pointers are resolved only at the end. */
    for (size_t i = 0; i < ps->n_fields; i++) {
        size_t idx = ps->fields != NULL ? ps->fields[i] : i;
        if (idx >= ps->desc->n_fields)
            return hq_error_set(err, HQ_ERR_INVALID, "field index %zu out of range", idx);
        const HqField *f = &ps->desc->fields[idx];
        void *rec = (void *)ps->record; /* only read */
        if ((f->flags & HQ_FIELD_NULLABLE) != 0 && *null_ptr(rec, f)) {
            c->param_offsets[i] = SIZE_MAX;
            continue;
        }
        c->param_offsets[i] = b->len;
        HqStatus st = (f->flags & HQ_FIELD_ARRAY) != 0
                          ? hq_encode_array(f->type, f->enum_desc, field_ptr(rec, f), b, err)
                          : hq_encode(f->type, f->enum_desc, field_ptr(rec, f), b, err);
        if (st != HQ_OK) {
            hq_error_set_column(err, f->name);
            return st;
        }
        hq_buf_putc(b, '\0');
    }
    for (size_t i = 0; i < ps->n_extra; i++) {
        size_t k = ps->n_fields + i;
        if (ps->extra[i] == NULL) {
            c->param_offsets[k] = SIZE_MAX;
            continue;
        }
        c->param_offsets[k] = b->len;
        hq_buf_puts(b, ps->extra[i]);
        hq_buf_putc(b, '\0');
    }
    if (b->oom)
        return hq_error_nomem(err);
    for (size_t i = 0; i < total; i++)
        c->param_values[i] =
            c->param_offsets[i] == SIZE_MAX ? NULL : b->data + c->param_offsets[i];
    *values = c->param_values;
    *n = (int)total;
    return HQ_OK;
}

HqStatus hq_record_decode(const HqRecordDesc *d, const PGresult *r, int row, const HqAllocator *a,
                          void *record, HqError *err)
{
    if ((size_t)PQnfields(r) != d->n_fields)
        return hq_error_set(err, HQ_ERR_INVALID, "result has %d columns but record %s has %zu "
                            "fields", PQnfields(r), d->name != NULL ? d->name : "?", d->n_fields);
    memset(record, 0, d->size);
    for (size_t i = 0; i < d->n_fields; i++) {
        const HqField *f = &d->fields[i];
        HqStatus st;
        if (PQgetisnull(r, row, (int)i)) {
            if ((f->flags & HQ_FIELD_NULLABLE) != 0) {
                *null_ptr(record, f) = true;
                continue;
            }
            st = hq_error_set(err, HQ_ERR_DECODE, "NULL in field %s, which is not nullable",
                              f->name);
        } else {
            const char *text = PQgetvalue(r, row, (int)i);
            st = (f->flags & HQ_FIELD_ARRAY) != 0
                     ? hq_decode_array(f->type, f->enum_desc, text, a, field_ptr(record, f), err)
                     : hq_decode(f->type, f->enum_desc, text, a, field_ptr(record, f), err);
        }
        if (st != HQ_OK) {
            hq_error_set_column(err, f->name);
            hq_record_clear(d, record, a);
            return st;
        }
    }
    return HQ_OK;
}

static HqStatus stream(HqConn *c, const char *sql, const char *const *values, int n,
                       const HqRecordDesc *rdesc, HqRowFn fn, void *ctx, uint64_t *n_rows,
                       HqError *err)
{
    void *row = hq_alloc_zero(&c->alloc, rdesc->size);
    if (row == NULL)
        return hq_error_nomem(err);
    HqStatus st = hq_stmt_send(c, sql, n, values, err);
    if (st != HQ_OK) {
        hq_free(&c->alloc, row);
        return st;
    }
    /* Without single-row mode the whole result would be buffered; it only fails when called
     * at the wrong moment, which the send just above rules out. */
    PQsetSingleRowMode(c->pg);
    c->streaming = true;
    uint64_t count = 0;
    bool stop = false;
    PGresult *r;
    /* Every result must be read even after the callback stops or fails: the connection is
     * unusable until the query has finished. */
    while ((r = PQgetResult(c->pg)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_SINGLE_TUPLE) {
            count++;
            if (!stop) {
                st = hq_record_decode(rdesc, r, 0, &c->alloc, row, err);
                if (st != HQ_OK) {
                    stop = true;
                } else {
                    int rc = fn(ctx, row);
                    hq_record_clear(rdesc, row, &c->alloc);
                    if (rc < 0)
                        st = hq_error_set(err, HQ_ERR_CALLBACK, "row callback aborted (%d)", rc);
                    stop = rc != 0;
                }
            }
        } else if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK && st == HQ_OK) {
            st = hq_error_from_result(err, r);
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            if (state != NULL && strcmp(state, "26000") == 0)
                hq_stmt_invalidate(c, sql);
        }
        PQclear(r);
    }
    c->streaming = false;
    hq_free(&c->alloc, row);
    if (n_rows != NULL)
        *n_rows = count;
    return st;
}

HqStatus hq_run(HqConn *c, const char *sql, const HqParamSpec *ps, const HqRecordDesc *rdesc,
                void *out, HqRowFn fn, void *ctx, uint64_t *n_rows, HqError *err)
{
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    if (fn != NULL && rdesc == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "a row callback needs a result descriptor");
    const char *const *values = NULL;
    int n = 0;
    st = hq_params_build(c, ps, &values, &n, err);
    if (st != HQ_OK)
        return st;
    if (fn != NULL)
        return stream(c, sql, values, n, rdesc, fn, ctx, n_rows, err);
    PGresult *r;
    st = hq_stmt_exec(c, sql, n, values, &r, err);
    if (st != HQ_OK)
        return st;
    if (n_rows != NULL)
        *n_rows = hq_cmd_tuples(r);
    if (out != NULL && rdesc != NULL) {
        if (PQntuples(r) == 0)
            st = hq_error_set(err, HQ_ERR_NOT_FOUND, "no row");
        else
            st = hq_record_decode(rdesc, r, 0, &c->alloc, out, err);
    }
    PQclear(r);
    return st;
}

HqStatus hq_exec(HqConn *c, const HqQuery *q, const void *params, void *out, HqRowFn fn,
                 void *ctx, uint64_t *n_rows, HqError *err)
{
    if (q == NULL || q->sql == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_exec: query is NULL");
    size_t np = q->params != NULL ? q->params->n_fields : 0;
    if (np > 0 && params == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_exec: query needs a parameter record");
    HqParamSpec ps = {q->params, params, np, NULL, 0, NULL};
    return hq_run(c, q->sql, &ps, q->result, out, fn, ctx, n_rows, err);
}
