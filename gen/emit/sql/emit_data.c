/* emit_data.c - rows and user SQL of a module: seed rows, data steps,
 * schema version rows and raw SQL blocks, each run through hqc.run (which
 * skips them when hqc drift only reports). A row is inserted only where
 * none with its key is visible, so a re-run never waits on a row that
 * another transaction has locked. */
#include <string.h>

#include "emit/sql/emit_sql_int.h"

static void json_value(StrBuf *b, const YNode *n)
{
    switch (n->kind) {
    case YN_SCALAR: {
        bool raw = false;
        if (n->style == YS_PLAIN) {
            if (n->is_null || !strcmp(n->text, "true") || !strcmp(n->text, "false")) {
                strbuf_puts(b, n->is_null ? "null" : n->text);
                return;
            }
            /* A plain scalar that is a JSON number stays a number. */
            const char *p = n->text;
            if (*p == '-')
                p++;
            raw = *p >= '0' && *p <= '9';
            for (; raw && *p; p++)
                raw = (*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-';
            if (n->text[0] == '0' && n->text[1] >= '0' && n->text[1] <= '9')
                raw = false;
        }
        if (raw) {
            strbuf_puts(b, n->text);
            return;
        }
        strbuf_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *)n->text; *p; p++) {
            if (*p == '"' || *p == '\\')
                strbuf_printf(b, "\\%c", *p);
            else if (*p == '\n')
                strbuf_puts(b, "\\n");
            else if (*p == '\t')
                strbuf_puts(b, "\\t");
            else if (*p < 0x20)
                strbuf_printf(b, "\\u%04x", *p);
            else
                strbuf_putc(b, (char)*p);
        }
        strbuf_putc(b, '"');
        return;
    }
    case YN_SEQ:
        strbuf_putc(b, '[');
        for (size_t i = 0; i < n->n_items; i++) {
            if (i)
                strbuf_puts(b, ", ");
            json_value(b, n->items[i]);
        }
        strbuf_putc(b, ']');
        return;
    case YN_MAP:
        strbuf_putc(b, '{');
        for (size_t i = 0; i < n->n_pairs; i++) {
            if (i)
                strbuf_puts(b, ", ");
            json_value(b, n->pairs[i].key);
            strbuf_puts(b, ": ");
            json_value(b, n->pairs[i].value);
        }
        strbuf_putc(b, '}');
        return;
    }
}

static void seed_value(StrBuf *b, const HqColumn *c, const YNode *v)
{
    if (v->kind == YN_SCALAR && v->is_null) {
        strbuf_puts(b, "NULL");
        return;
    }
    bool json = c && c->type.name && (!strcmp(c->type.name, "jsonb") || !strcmp(c->type.name, "json"));
    if (v->kind == YN_SCALAR && !json) {
        sqlbuf_literal(b, v->text);
    } else if (v->kind == YN_SEQ && c && c->type.array_dims && !json) {
        strbuf_puts(b, "ARRAY[");
        for (size_t i = 0; i < v->n_items; i++) {
            if (i)
                strbuf_puts(b, ", ");
            sqlbuf_literal(b, v->items[i]->kind == YN_SCALAR ? v->items[i]->text : "");
        }
        strbuf_puts(b, "]");
    } else {
        StrBuf j;
        strbuf_init(&j);
        json_value(&j, v);
        sqlbuf_literal(b, j.data);
        strbuf_free(&j);
    }
    if (c) {
        strbuf_puts(b, "::");
        strbuf_puts(b, c->type.sql);
    }
}

static const YNode *row_value(const HqSeedRow *row, const char *column)
{
    for (size_t x = 0; x < row->n_values; x++)
        if (!strcmp(row->values[x].column, column))
            return row->values[x].value;
    return NULL;
}

/* "a = v AND b = w" over `cols` of one row. */
static void key_match(StrBuf *b, const HqTable *t, const HqSeedRow *row, const char *const *cols, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (k)
            strbuf_puts(b, " AND ");
        sqlbuf_ident(b, cols[k]);
        const YNode *v = row_value(row, cols[k]);
        if (v) {
            strbuf_puts(b, " = ");
            seed_value(b, model_find_column(t, cols[k]), v);
        } else {
            strbuf_puts(b, " IS NULL");
        }
    }
}

/* hqc.run(sql, only_if): the statement runs only while `only_if` holds. */
static void run_call(StrBuf *b, const char *sql, const char *only_if)
{
    strbuf_puts(b, "CALL hqc.run(");
    es_ddl(b, sql);
    if (only_if) {
        strbuf_puts(b, ",\n  only_if => ");
        es_ddl(b, only_if);
    }
    es_end(b);
}

void es_seeds(Emit *e)
{
    StrBuf s, guard;
    strbuf_init(&s);
    strbuf_init(&guard);
    for (size_t i = 0; i < e->mod->seeds.n; i++) {
        const HqSeed *sd = e->mod->seeds.items[i];
        const HqTable *t = sd->table;
        if (!t)
            continue;
        es_comment(e->b, "Seed rows of", t->name);
        const HqConstraint *pk = t->primary_key;
        const char *const *key = sd->n_conflict ? sd->conflict : pk ? (const char *const *)pk->columns : NULL;
        size_t n_key = sd->n_conflict ? sd->n_conflict : pk ? pk->n_columns : 0;
        for (size_t r = 0; r < sd->n_rows; r++) {
            const HqSeedRow *row = &sd->rows[r];
            strbuf_reset(&s);
            strbuf_puts(&s, "INSERT INTO ");
            sqlbuf_qualified(&s, t->qname);
            strbuf_puts(&s, " (");
            for (size_t k = 0; k < row->n_values; k++) {
                if (k)
                    strbuf_puts(&s, ", ");
                sqlbuf_ident(&s, row->values[k].column);
            }
            strbuf_puts(&s, ")\n  SELECT ");
            for (size_t k = 0; k < row->n_values; k++) {
                if (k)
                    strbuf_puts(&s, ", ");
                seed_value(&s, model_find_column(t, row->values[k].column), row->values[k].value);
            }
            /* Inserted only where no row with its key is visible: the check
             * takes no lock, the INSERT would. */
            strbuf_reset(&guard);
            if (n_key) {
                strbuf_puts(&guard, "NOT EXISTS (SELECT 1 FROM ");
                sqlbuf_qualified(&guard, t->qname);
                strbuf_puts(&guard, " WHERE ");
                key_match(&guard, t, row, key, n_key);
                strbuf_putc(&guard, ')');
            }
            if (sd->n_conflict) {
                strbuf_puts(&s, "\n  ON CONFLICT (");
                for (size_t k = 0; k < sd->n_conflict; k++) {
                    if (k)
                        strbuf_puts(&s, ", ");
                    sqlbuf_ident(&s, sd->conflict[k]);
                }
                strbuf_puts(&s, ") DO NOTHING");
            }
            run_call(e->b, s.data, n_key ? guard.data : NULL);
        }
        strbuf_putc(e->b, '\n');
    }
    strbuf_free(&s);
    strbuf_free(&guard);
}

void es_trailing(Emit *e)
{
    StrBuf *b = e->b;
    StrBuf s, guard;
    strbuf_init(&s);
    strbuf_init(&guard);
    for (size_t i = 0; i < e->mod->data_steps.n; i++) {
        const HqDataStep *st = e->mod->data_steps.items[i];
        es_comment(b, "Data step", st->name);
        run_call(b, st->sql.text, st->when.text);
        strbuf_putc(b, '\n');
    }
    const HqTable *vt = e->m->project.version_table ? model_find_table(e->m, e->m->project.version_table) : NULL;
    for (size_t i = 0; vt && i < e->mod->schema_versions.n; i++) {
        const HqSchemaVersion *v = e->mod->schema_versions.items[i];
        if (i == 0)
            es_comment(b, "Schema version rows in", vt->name);
        strbuf_reset(&s);
        strbuf_puts(&s, "INSERT INTO ");
        sqlbuf_qualified(&s, vt->qname);
        strbuf_printf(&s, " (version, description)\n  VALUES (%ld, ", v->version);
        es_lit(&s, v->description);
        strbuf_puts(&s, ")\n  ON CONFLICT (version) DO NOTHING");
        strbuf_reset(&guard);
        strbuf_puts(&guard, "NOT EXISTS (SELECT 1 FROM ");
        sqlbuf_qualified(&guard, vt->qname);
        strbuf_printf(&guard, " WHERE version = %ld)", v->version);
        run_call(b, s.data, guard.data);
        if (i + 1 == e->mod->schema_versions.n)
            strbuf_putc(b, '\n');
    }
    for (size_t i = 0; i < e->mod->raw_blocks.n; i++) {
        const HqRawBlock *r = e->mod->raw_blocks.items[i];
        strbuf_puts(b, "-- Raw SQL");
        if (r->doc) {
            strbuf_puts(b, ": ");
            for (const char *p = r->doc; *p && *p != '\n'; p++)
                strbuf_putc(b, *p);
        }
        strbuf_putc(b, '\n');
        run_call(b, r->sql.text, NULL);
        strbuf_putc(b, '\n');
    }
    strbuf_free(&s);
    strbuf_free(&guard);
}
