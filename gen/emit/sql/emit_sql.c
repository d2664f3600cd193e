/* emit_sql.c - one migration file per module: ordered, idempotent and
 * converging SQL, written as calls into hqc's runtime (emit_sql_int.h says
 * which module settles what).
 *
 * Layout of a file: settings; explicit changes for older databases
 * (emit_changes.c); enum types and values (autocommit, so the module's
 * transaction can use new values); BEGIN; extensions and schema privileges;
 * column type changes; tables and functions in dependency order; what hangs
 * off the tables; views, cron jobs, buckets, seeds; data moves of changes,
 * data steps, schema versions, raw blocks; in the last module, what concerns
 * the whole schema; COMMIT. */
#include "emit/emit.h"

#include <string.h>

#include "emit/sql/emit_changes.h"
#include "emit/sql/emit_sql_int.h"

/* ---- shared helpers (emit_sql_int.h) ------------------------------------ */

void es_comment(StrBuf *b, const char *what, const char *name)
{
    strbuf_printf(b, "-- %s %s\n", what, name);
}

void es_lit(StrBuf *b, const char *s)
{
    if (s)
        sqlbuf_literal(b, s);
    else
        strbuf_puts(b, "NULL");
}

void es_ddl(StrBuf *b, const char *sql)
{
    sqlbuf_dollar(b, sql, "ddl");
}

size_t es_acl_items(StrBuf *b, const HqModel *m, const HqAcl *acl, const char *prefix, size_t n)
{
    static const struct {
        unsigned bit;
        char letter;
    } letters[] = {{HQ_PRIV_INSERT, 'a'},   {HQ_PRIV_SELECT, 'r'},     {HQ_PRIV_UPDATE, 'w'},  {HQ_PRIV_DELETE, 'd'},
                   {HQ_PRIV_TRUNCATE, 'D'}, {HQ_PRIV_REFERENCES, 'x'}, {HQ_PRIV_TRIGGER, 't'}, {HQ_PRIV_EXECUTE, 'X'},
                   {HQ_PRIV_USAGE, 'U'},    {HQ_PRIV_CREATE, 'C'},     {HQ_PRIV_MAINTAIN, 'm'}};
    for (size_t i = 0; i < acl->n; i++) {
        if (!privileges_role_managed(m, acl->items[i].role))
            continue;
        StrBuf item;
        strbuf_init(&item);
        strbuf_printf(&item, "%s%s=", prefix, acl->items[i].role);
        for (size_t k = 0; k < sizeof letters / sizeof letters[0]; k++)
            if (acl->items[i].privs & letters[k].bit)
                strbuf_putc(&item, letters[k].letter);
        if (n++)
            strbuf_puts(b, ", ");
        sqlbuf_literal(b, item.data);
        strbuf_free(&item);
    }
    return n;
}

void es_acl(StrBuf *b, const HqModel *m, const HqAcl *acl)
{
    strbuf_puts(b, "ARRAY[");
    strbuf_puts(b, es_acl_items(b, m, acl, "", 0) ? "]" : "]::text[]");
}

void es_end(StrBuf *b)
{
    strbuf_puts(b, ");\n");
}

bool es_table_final(const HqTable *t, const HqModule *mod)
{
    return t->deltas.n && ((const HqTableDelta *)t->deltas.items[t->deltas.n - 1])->module == mod;
}

bool es_last_module(const HqModel *m, const HqModule *mod)
{
    return m->modules.n && m->modules.items[m->modules.n - 1] == mod;
}

/* ---- the file ------------------------------------------------------------- */

/* The search path every statement of the project runs with: the project's
 * schema, then extension schemas (so operator classes and types resolve). */
void emit_search_path(StrBuf *b, const HqModel *m)
{
    sqlbuf_ident(b, m->project.schema);
    for (size_t i = 0; i < m->extensions.n; i++) {
        const HqExtension *x = m->extensions.items[i];
        /* pg_catalog is searched first anyway; named, it would be searched last. */
        bool seen = !x->schema || !strcmp(x->schema, m->project.schema) || !strcmp(x->schema, "pg_catalog");
        for (size_t k = 0; k < i && !seen; k++) {
            const HqExtension *y = m->extensions.items[k];
            seen = y->schema && !strcmp(y->schema, x->schema);
        }
        if (!seen) {
            strbuf_puts(b, ", ");
            sqlbuf_ident(b, x->schema);
        }
    }
}

void emit_settings(StrBuf *b, const HqModel *m, const char *module)
{
    strbuf_puts(b, "SET client_min_messages = warning;\nSET search_path = ");
    emit_search_path(b, m);
    strbuf_puts(b, ";\n");
    /* The project's timeouts, unless the session already has its own; a
     * module checks that the runtime it calls is there and the same. */
    static const char *const names[] = {"lock_timeout", "statement_timeout"};
    const char *values[] = {m->project.deploy.lock_timeout, m->project.deploy.statement_timeout};
    strbuf_puts(b, "DO $hqc$\nBEGIN\n");
    for (size_t i = 0; i < 2; i++) {
        if (!values[i])
            continue;
        strbuf_printf(b, "  IF pg_catalog.current_setting('%s') = '0' THEN\n    PERFORM pg_catalog.set_config('%s', ", names[i],
                      names[i]);
        sqlbuf_literal(b, values[i]);
        strbuf_puts(b, ", false);\n  END IF;\n");
    }
    if (module) {
        strbuf_puts(b, "  IF pg_catalog.to_regprocedure('hqc.require(text,text)') IS NULL THEN\n"
                       "    RAISE EXCEPTION 'hqc: apply 000_hqc.sql first: it installs the runtime this migration calls';\n"
                       "  END IF;\n  CALL hqc.require(");
        es_lit(b, emit_runtime_version());
        strbuf_puts(b, ", ");
        es_lit(b, module);
        strbuf_puts(b, ");\n");
    }
    strbuf_puts(b, "END\n$hqc$;\n");
}

static void header(Emit *e, const char *source_name)
{
    StrBuf *b = e->b;
    strbuf_printf(b, "-- Generated by hqc from %s. DO NOT EDIT.\n", source_name);
    strbuf_printf(b, "-- Module %s", e->mod->name);
    if (e->mod->summary)
        strbuf_printf(b, ": %s", e->mod->summary);
    strbuf_puts(b, "\n--\n-- Apply in order after 000_hqc.sql (hqc's runtime, which the hqc.* calls are), with\n"
                   "-- `psql -v ON_ERROR_STOP=1 -f FILE` (not with -1: the file commits new enum values\n"
                   "-- before the transaction that may use them). Any number of times: only what differs\n"
                   "-- from the declaration is changed.\n\n");
    emit_settings(b, e->m, e->mod->name);
    strbuf_putc(b, '\n');
}

/* What concerns the whole schema, once every module has run. */
static void finish(Emit *e)
{
    strbuf_puts(e->b, "-- The whole schema: privileges on schemas, default privileges, what is not declared\n");
    es_schema_privileges(e, true);
    /* Default privileges of every schema: none for the project's roles
     * beyond PostgreSQL's own (PUBLIC may EXECUTE functions). */
    strbuf_puts(e->b, "CALL hqc.default_acl('', 'r', ARRAY[]::text[], true);\n"
                      "CALL hqc.default_acl('', 'f', ARRAY['public=X'], true);\n"
                      "CALL hqc.default_acl('', 'S', ARRAY[]::text[], true);\n");
    strbuf_puts(e->b, "CALL hqc.finish();\n\n");
}

char *emit_sql_module(const HqModel *m, const HqModule *mod, const char *source_name)
{
    StrBuf b;
    strbuf_init(&b);
    Emit e = {m, mod, &b, {0}};
    order_module(m->arena, m, mod, &e.order);
    header(&e, source_name);
    emit_changes(&b, m, mod, CHANGES_FIRST);
    es_enums(&e);
    strbuf_puts(&b, "BEGIN;\nCALL hqc.begin(");
    es_lit(&b, mod->name);
    strbuf_puts(&b, ");\n\n");
    es_extensions(&e);
    es_schema_privileges(&e, false);
    emit_changes(&b, m, mod, CHANGES_TYPES);
    /* Tables, columns added to earlier tables and functions, in dependency
     * order (order.c). */
    for (size_t i = 0; i < e.order.n; i++) {
        if (e.order.items[i].table)
            es_table_columns(&e, e.order.items[i].table);
        else
            es_function(&e, e.order.items[i].function);
    }
    for (size_t i = 0; i < mod->tables.n; i++)
        es_table_keys(&e, mod->tables.items[i]);
    for (size_t i = 0; i < mod->tables.n; i++)
        es_table_rest(&e, mod->tables.items[i]);
    es_views(&e);
    es_cron_jobs(&e);
    es_buckets(&e);
    es_seeds(&e);
    emit_changes(&b, m, mod, CHANGES_LAST);
    es_trailing(&e);
    if (es_last_module(m, mod))
        finish(&e);
    strbuf_puts(&b, "COMMIT;\n");
    return strbuf_steal(&b);
}
