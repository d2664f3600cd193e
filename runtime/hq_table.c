/* hq_table.c - generic insert/get/update/delete/upsert/list on a table, and function calls,
 * driven by descriptors. SQL text is composed only from the descriptor's identifiers (quoted by
 * the generator at compile time) and $n placeholders; values always travel as parameters. Each
 * distinct text (one per column set) is prepared once per connection by the statement cache.
 */
#include "hq_int.h"

#include <inttypes.h>
#include <stdio.h>

static void put_placeholder(HqBuf *b, size_t n, const HqField *f)
{
    hq_buf_printf(b, "$%zu", n);
    if (f != NULL && f->sql_type != NULL) {
        hq_buf_puts(b, "::");
        hq_buf_puts(b, f->sql_type);
    }
}

static void put_columns(HqBuf *b, const HqRecordDesc *d)
{
    for (size_t i = 0; i < d->n_fields; i++) {
        if (i > 0)
            hq_buf_puts(b, ", ");
        hq_buf_puts(b, d->fields[i].name);
    }
}

static void put_returning(HqBuf *b, const HqRecordDesc *d)
{
    hq_buf_puts(b, " RETURNING ");
    put_columns(b, d);
}

/* " WHERE k1 = $n AND k2 = $n+1", appending the key's fields to fields[]. */
static void put_key_match(HqBuf *b, const HqRecordDesc *d, const HqKey *k, uint16_t *fields,
                          size_t *n)
{
    for (size_t i = 0; i < k->n_fields; i++) {
        const HqField *f = &d->fields[k->fields[i]];
        hq_buf_puts(b, i == 0 ? " WHERE " : " AND ");
        hq_buf_puts(b, f->name);
        hq_buf_puts(b, " = ");
        fields[*n] = k->fields[i];
        put_placeholder(b, ++*n, f);
    }
}

static HqStatus check_key(const HqRecordDesc *d, const HqKey *k, const char *what, HqError *err)
{
    if (k == NULL || k->n_fields == 0 || k->fields == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "%s needs a %s", what,
                            k == NULL ? "primary key" : "non-empty key");
    for (size_t i = 0; i < k->n_fields; i++)
        if (k->fields[i] >= d->n_fields)
            return hq_error_set(err, HQ_ERR_INVALID, "key %s: field index out of range",
                                k->name != NULL ? k->name : "?");
    return HQ_OK;
}

/* Common entry checks; also makes sure the connection is free before c->sql is overwritten
 * (a row callback of a running stream still refers to it). */
static HqStatus start(HqConn *c, const HqTableDesc *t, bool need_row, const void *row,
                      HqError *err)
{
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    if (t == NULL || t->sql_name == NULL || t->record == NULL || (need_row && row == NULL))
        return hq_error_set(err, HQ_ERR_INVALID, "table descriptor or row is NULL");
    hq_buf_reset(&c->sql);
    return HQ_OK;
}

static HqStatus sql_ready(const HqConn *c, HqError *err)
{
    return c->sql.oom ? hq_error_nomem(err) : HQ_OK;
}

HqStatus hq_table_insert_sql(HqConn *c, const HqTableDesc *t, const HqColumnSet *cols,
                             bool returning, uint16_t *fields, size_t *n_fields, HqError *err)
{
    const HqRecordDesc *d = t->record;
    HqBuf *b = &c->sql;
    size_t n = 0;
    for (size_t i = 0; i < d->n_fields; i++) {
        bool wanted = cols == NULL || hq_colset_has(cols, i);
        if (wanted && (d->fields[i].flags & HQ_FIELD_GENERATED) != 0) {
            if (cols != NULL)
                return hq_error_set(err, HQ_ERR_INVALID, "column %s is generated and cannot be "
                                    "written", d->fields[i].name);
            wanted = false;
        }
        if (wanted)
            fields[n++] = (uint16_t)i;
    }
    hq_buf_puts(b, "INSERT INTO ");
    hq_buf_puts(b, t->sql_name);
    if (n == 0) {
        hq_buf_puts(b, " DEFAULT VALUES");
    } else {
        hq_buf_puts(b, " (");
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                hq_buf_puts(b, ", ");
            hq_buf_puts(b, d->fields[fields[i]].name);
        }
        hq_buf_puts(b, ") VALUES (");
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                hq_buf_puts(b, ", ");
            put_placeholder(b, i + 1, &d->fields[fields[i]]);
        }
        hq_buf_putc(b, ')');
    }
    if (returning)
        put_returning(b, d);
    *n_fields = n;
    return sql_ready(c, err);
}

HqStatus hq_insert(HqConn *c, const HqTableDesc *t, const void *row, const HqColumnSet *cols,
                   void *out, HqError *err)
{
    HqStatus st = start(c, t, true, row, err);
    if (st != HQ_OK)
        return st;
    uint16_t fields[HQ_MAX_FIELDS];
    size_t n;
    st = hq_table_insert_sql(c, t, cols, out != NULL, fields, &n, err);
    if (st != HQ_OK)
        return st;
    HqParamSpec ps = {t->record, row, n, fields, 0, NULL};
    return hq_run(c, c->sql.data, &ps, t->record, out, NULL, NULL, NULL, err);
}

HqStatus hq_get(HqConn *c, const HqTableDesc *t, const void *key, void *out, HqError *err)
{
    HqStatus st = start(c, t, true, key, err);
    if (st != HQ_OK)
        return st;
    const HqRecordDesc *d = t->record;
    if ((st = check_key(d, t->primary_key, "get", err)) != HQ_OK)
        return st;
    if (out == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_get: out is NULL");
    uint16_t fields[HQ_MAX_FIELDS];
    size_t n = 0;
    HqBuf *b = &c->sql;
    hq_buf_puts(b, "SELECT ");
    put_columns(b, d);
    hq_buf_puts(b, " FROM ");
    hq_buf_puts(b, t->sql_name);
    put_key_match(b, d, t->primary_key, fields, &n);
    if ((st = sql_ready(c, err)) != HQ_OK)
        return st;
    HqParamSpec ps = {d, key, n, fields, 0, NULL};
    return hq_run(c, b->data, &ps, d, out, NULL, NULL, NULL, err);
}

HqStatus hq_update(HqConn *c, const HqTableDesc *t, const void *row, const HqColumnSet *cols,
                   void *out, HqError *err)
{
    HqStatus st = start(c, t, true, row, err);
    if (st != HQ_OK)
        return st;
    const HqRecordDesc *d = t->record;
    if ((st = check_key(d, t->primary_key, "update", err)) != HQ_OK)
        return st;
    if (cols == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_update: no columns to set");
    uint16_t fields[HQ_MAX_FIELDS + HQ_MAX_FIELDS];
    size_t n = 0;
    HqBuf *b = &c->sql;
    hq_buf_puts(b, "UPDATE ");
    hq_buf_puts(b, t->sql_name);
    for (size_t i = 0; i < d->n_fields; i++) {
        if (!hq_colset_has(cols, i))
            continue;
        const HqField *f = &d->fields[i];
        if ((f->flags & HQ_FIELD_GENERATED) != 0)
            return hq_error_set(err, HQ_ERR_INVALID, "column %s is generated and cannot be "
                                "written", f->name);
        hq_buf_puts(b, n == 0 ? " SET " : ", ");
        hq_buf_puts(b, f->name);
        hq_buf_puts(b, " = ");
        fields[n] = (uint16_t)i;
        put_placeholder(b, ++n, f);
    }
    if (n == 0)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_update: no columns to set");
    put_key_match(b, d, t->primary_key, fields, &n);
    if (out != NULL)
        put_returning(b, d);
    if ((st = sql_ready(c, err)) != HQ_OK)
        return st;
    HqParamSpec ps = {d, row, n, fields, 0, NULL};
    uint64_t affected = 0;
    st = hq_run(c, b->data, &ps, d, out, NULL, NULL, &affected, err);
    if (st == HQ_OK && affected == 0)
        st = hq_error_set(err, HQ_ERR_NOT_FOUND, "no row");
    return st;
}

HqStatus hq_delete(HqConn *c, const HqTableDesc *t, const void *key, uint64_t *n_deleted,
                   HqError *err)
{
    HqStatus st = start(c, t, true, key, err);
    if (st != HQ_OK)
        return st;
    const HqRecordDesc *d = t->record;
    if ((st = check_key(d, t->primary_key, "delete", err)) != HQ_OK)
        return st;
    uint16_t fields[HQ_MAX_FIELDS];
    size_t n = 0;
    HqBuf *b = &c->sql;
    hq_buf_puts(b, "DELETE FROM ");
    hq_buf_puts(b, t->sql_name);
    put_key_match(b, d, t->primary_key, fields, &n);
    if ((st = sql_ready(c, err)) != HQ_OK)
        return st;
    HqParamSpec ps = {d, key, n, fields, 0, NULL};
    return hq_run(c, b->data, &ps, NULL, NULL, NULL, NULL, n_deleted, err);
}

HqStatus hq_upsert(HqConn *c, const HqTableDesc *t, const HqKey *key, const void *row,
                   const HqColumnSet *cols, void *out, HqError *err)
{
    HqStatus st = start(c, t, true, row, err);
    if (st != HQ_OK)
        return st;
    const HqRecordDesc *d = t->record;
    if (key == NULL)
        key = t->primary_key;
    if ((st = check_key(d, key, "upsert", err)) != HQ_OK)
        return st;
    uint16_t fields[HQ_MAX_FIELDS];
    size_t n;
    st = hq_table_insert_sql(c, t, cols, false, fields, &n, err);
    if (st != HQ_OK)
        return st;
    HqBuf *b = &c->sql;
    bool in_key[HQ_MAX_FIELDS] = {false};
    for (size_t i = 0; i < key->n_fields; i++)
        in_key[key->fields[i]] = true;
    size_t n_key_written = 0;
    for (size_t i = 0; i < n; i++)
        n_key_written += in_key[fields[i]];
    if (n_key_written != key->n_fields)
        return hq_error_set(err, HQ_ERR_INVALID, "upsert on %s: every key column must be written",
                            key->name != NULL ? key->name : "key");
    hq_buf_puts(b, " ON CONFLICT (");
    for (size_t i = 0; i < key->n_fields; i++) {
        if (i > 0)
            hq_buf_puts(b, ", ");
        hq_buf_puts(b, d->fields[key->fields[i]].name);
    }
    hq_buf_putc(b, ')');
    if (key->predicate != NULL) {
        hq_buf_puts(b, " WHERE ");
        hq_buf_puts(b, key->predicate);
    }
    hq_buf_puts(b, " DO UPDATE SET ");
    size_t n_set = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_key[fields[i]])
            continue;
        const char *name = d->fields[fields[i]].name;
        hq_buf_printf(b, "%s%s = EXCLUDED.%s", n_set++ > 0 ? ", " : "", name, name);
    }
    if (n_set == 0) {
        /* DO NOTHING would return no row; a no-op update of the key still returns it. */
        const char *name = d->fields[key->fields[0]].name;
        hq_buf_printf(b, "%s = EXCLUDED.%s", name, name);
    }
    if (out != NULL)
        put_returning(b, d);
    if ((st = sql_ready(c, err)) != HQ_OK)
        return st;
    HqParamSpec ps = {d, row, n, fields, 0, NULL};
    return hq_run(c, b->data, &ps, d, out, NULL, NULL, NULL, err);
}

HqStatus hq_list(HqConn *c, const HqTableDesc *t, const HqListOptions *opt, HqRowFn fn,
                 void *ctx, HqError *err)
{
    static const HqListOptions no_options = {NULL, NULL, 0, NULL, 0, 0};
    if (opt == NULL)
        opt = &no_options;
    HqStatus st = start(c, t, opt->where_eq != NULL, opt->filter, err);
    if (st != HQ_OK)
        return st;
    if (fn == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_list: row callback is NULL");
    if (opt->limit < 0 || opt->offset < 0)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_list: negative limit or offset");
    const HqRecordDesc *d = t->record;
    uint16_t fields[HQ_MAX_FIELDS];
    size_t n = 0;
    HqBuf *b = &c->sql;
    hq_buf_puts(b, "SELECT ");
    put_columns(b, d);
    hq_buf_puts(b, " FROM ");
    hq_buf_puts(b, t->sql_name);
    bool first = true;
    for (size_t i = 0; opt->where_eq != NULL && i < d->n_fields; i++) {
        if (!hq_colset_has(opt->where_eq, i))
            continue;
        const HqField *f = &d->fields[i];
        hq_buf_puts(b, first ? " WHERE " : " AND ");
        first = false;
        hq_buf_puts(b, f->name);
        /* "= NULL" is never true; a NULL filter value means IS NULL (as an index can use). */
        if ((f->flags & HQ_FIELD_NULLABLE) != 0 &&
            *(const bool *)((const char *)opt->filter + f->null_offset)) {
            hq_buf_puts(b, " IS NULL");
            continue;
        }
        hq_buf_puts(b, " = ");
        fields[n] = (uint16_t)i;
        put_placeholder(b, ++n, f);
    }
    for (size_t i = 0; i < opt->n_order_by; i++) {
        if (opt->order_by[i].field >= d->n_fields)
            return hq_error_set(err, HQ_ERR_INVALID, "hq_list: order field out of range");
        hq_buf_puts(b, i == 0 ? " ORDER BY " : ", ");
        hq_buf_puts(b, d->fields[opt->order_by[i].field].name);
        if (opt->order_by[i].descending)
            hq_buf_puts(b, " DESC");
    }
    char limit[24], offset[24];
    const char *extra[2];
    size_t n_extra = 0;
    if (opt->limit > 0) {
        snprintf(limit, sizeof limit, "%" PRId64, opt->limit);
        extra[n_extra++] = limit;
        hq_buf_printf(b, " LIMIT $%zu", n + n_extra);
    }
    if (opt->offset > 0) {
        snprintf(offset, sizeof offset, "%" PRId64, opt->offset);
        extra[n_extra++] = offset;
        hq_buf_printf(b, " OFFSET $%zu", n + n_extra);
    }
    if ((st = sql_ready(c, err)) != HQ_OK)
        return st;
    HqParamSpec ps = {d, opt->filter, n, fields, n_extra, extra};
    return hq_run(c, b->data, &ps, d, NULL, fn, ctx, NULL, err);
}

HqStatus hq_call(HqConn *c, const HqFuncDesc *f, const void *args, const HqColumnSet *provided,
                 void *out, HqRowFn fn, void *ctx, HqError *err)
{
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    if (f == NULL || f->sql_name == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "function descriptor is NULL");
    HqReturns returns = f->returns;
    if ((unsigned)returns > HQ_RETURNS_SETOF)
        return hq_error_set(err, HQ_ERR_INVALID, "function %s: unknown return kind", f->sql_name);
    const HqRecordDesc *ad = f->args;
    const HqRecordDesc *rd = returns == HQ_RETURNS_VOID ? NULL : f->result;
    if (ad != NULL && ad->n_fields > 0 && args == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "function %s needs an argument record",
                            f->sql_name);
    if (returns != HQ_RETURNS_VOID &&
        (rd == NULL || rd->n_fields == 0 || (returns == HQ_RETURNS_SCALAR && rd->n_fields != 1)))
        return hq_error_set(err, HQ_ERR_INVALID, "function %s: bad result descriptor",
                            f->sql_name);
    uint16_t fields[HQ_MAX_FIELDS];
    size_t n = 0;
    HqBuf *b = &c->sql;
    hq_buf_reset(b);
    hq_buf_puts(b, "SELECT ");
    if (rd != NULL && (returns == HQ_RETURNS_ROW || returns == HQ_RETURNS_SETOF)) {
        put_columns(b, rd);
        hq_buf_puts(b, " FROM ");
    }
    hq_buf_puts(b, f->sql_name);
    hq_buf_putc(b, '(');
    for (size_t i = 0; ad != NULL && i < ad->n_fields; i++) {
        const HqField *a = &ad->fields[i];
        if (provided != NULL && !hq_colset_has(provided, i)) {
            /* Leaving a named argument out is how its SQL default applies. */
            if ((a->flags & HQ_FIELD_HAS_DEFAULT) == 0)
                return hq_error_set(err, HQ_ERR_INVALID, "function %s: argument %s has no "
                                    "default and was not provided", f->sql_name, a->name);
            continue;
        }
        if (n > 0)
            hq_buf_puts(b, ", ");
        hq_buf_puts(b, a->name);
        hq_buf_puts(b, " => ");
        fields[n] = (uint16_t)i;
        put_placeholder(b, ++n, a);
    }
    hq_buf_putc(b, ')');
    if ((st = sql_ready(c, err)) != HQ_OK)
        return st;
    HqParamSpec ps = {ad, args, n, fields, 0, NULL};
    if (rd == NULL)
        return hq_run(c, b->data, &ps, NULL, NULL, NULL, NULL, NULL, err);
    return hq_run(c, b->data, &ps, rd, fn != NULL ? NULL : out, fn, ctx, NULL, err);
}
