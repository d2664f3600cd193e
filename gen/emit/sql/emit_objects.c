/* emit_objects.c - what a module declares outside its tables, as runtime
 * calls: enum types and values, extensions, privileges on schemas and
 * default privileges, functions, views, cron jobs and storage buckets. */
#include <string.h>

#include "emit/sql/emit_sql_int.h"

void es_enums(Emit *e)
{
    StrBuf *b = e->b;
    for (size_t i = 0; i < e->mod->enums.n; i++) {
        const HqEnumDelta *d = e->mod->enums.items[i];
        const HqEnum *en = d->enm;
        if (!d->values.n)
            continue;
        es_comment(b, d->creates ? "Enum" : "Enum values added to", en->name);
        strbuf_puts(b, "CALL hqc.enum(");
        sqlbuf_literal(b, en->qname);
        strbuf_puts(b, ", ARRAY[");
        for (size_t k = 0; k < d->values.n; k++) {
            strbuf_puts(b, k ? ", " : "");
            sqlbuf_literal(b, ((const HqEnumValue *)d->values.items[k])->name);
        }
        strbuf_puts(b, "], ARRAY[");
        for (size_t k = 0; k < en->values.n; k++) {
            strbuf_puts(b, k ? ", " : "");
            sqlbuf_literal(b, ((const HqEnumValue *)en->values.items[k])->name);
        }
        strbuf_printf(b, "], %s", d->creates ? "true" : "false");
        if (d->creates && en->doc) {
            strbuf_puts(b, ", ");
            sqlbuf_literal(b, en->doc);
        }
        es_end(b);
    }
    if (e->mod->enums.n)
        strbuf_putc(b, '\n');
}

void es_extensions(Emit *e)
{
    StrBuf *b = e->b;
    for (size_t i = 0; i < e->mod->extensions.n; i++) {
        const HqExtension *x = e->mod->extensions.items[i];
        es_comment(b, x->optional ? "Optional extension" : "Extension", x->name);
        strbuf_puts(b, "CALL hqc.extension(");
        sqlbuf_literal(b, x->name);
        strbuf_puts(b, ", ");
        es_lit(b, x->schema);
        strbuf_printf(b, ", %s", x->optional ? "true" : "false");
        es_end(b);
    }
    if (e->mod->extensions.n)
        strbuf_putc(b, '\n');
}

/* Has `v` (HqSchemaGrant*) an item for this schema (and `on`) before `upto`? */
static bool seen_before(const HqVec *v, size_t upto, const char *schema, const char *on)
{
    for (size_t i = 0; i < upto; i++) {
        const HqSchemaGrant *g = v->items[i];
        if (!strcmp(g->schema, schema) && (!on || !strcmp(g->on, on)))
            return true;
    }
    return false;
}

static void schema_acl_call(Emit *e, const char *schema, bool exact)
{
    HqAcl acl;
    privileges_of_schema(e->m, schema, &acl);
    strbuf_puts(e->b, "CALL hqc.schema_acl(");
    sqlbuf_literal(e->b, schema);
    strbuf_puts(e->b, ", ");
    es_acl(e->b, e->m, &acl);
    strbuf_printf(e->b, ", %s", exact ? "true" : "false");
    es_end(e->b);
}

static void default_acl_call(Emit *e, const char *schema, const char *on, bool exact)
{
    HqAcl acl;
    privileges_defaults(e->m, schema, on, NULL, &acl);
    strbuf_puts(e->b, "CALL hqc.default_acl(");
    sqlbuf_literal(e->b, schema);
    strbuf_printf(e->b, ", '%c', ", !strcmp(on, "tables") ? 'r' : !strcmp(on, "functions") ? 'f' : 'S');
    es_acl(e->b, e->m, &acl);
    strbuf_printf(e->b, ", %s", exact ? "true" : "false");
    es_end(e->b);
}

/* Privileges on schemas and default privileges of the schemas the project
 * names in schema_grants / default_privileges. A module that declares some
 * grants what is missing; the last module (exact) also revokes what the
 * project does not declare. */
void es_schema_privileges(Emit *e, bool exact)
{
    HqVec grants = {0}, defaults = {0};
    for (size_t i = 0; i < e->m->modules.n; i++) {
        const HqModule *mod = e->m->modules.items[i];
        if (!exact && mod != e->mod)
            continue;
        for (size_t k = 0; k < mod->schema_grants.n; k++)
            vec_push(e->m->arena, &grants, mod->schema_grants.items[k]);
        for (size_t k = 0; k < mod->default_privileges.n; k++)
            vec_push(e->m->arena, &defaults, mod->default_privileges.items[k]);
    }
    for (size_t i = 0; i < grants.n; i++) {
        const HqSchemaGrant *g = grants.items[i];
        if (!seen_before(&grants, i, g->schema, NULL))
            schema_acl_call(e, g->schema, exact);
    }
    static const char *const ons[] = {"tables", "functions", "sequences"};
    for (size_t i = 0; i < defaults.n; i++) {
        const HqSchemaGrant *g = defaults.items[i];
        if (seen_before(&defaults, i, g->schema, NULL))
            continue;
        /* The last module settles all three kinds of a schema it manages. */
        for (size_t k = 0; k < 3; k++)
            if (exact || seen_before(&defaults, defaults.n, g->schema, ons[k]))
                default_acl_call(e, g->schema, ons[k], exact);
    }
    if (!exact && (grants.n || defaults.n))
        strbuf_putc(e->b, '\n');
}

void es_function(Emit *e, const HqFunction *f)
{
    StrBuf *b = e->b;
    StrBuf s;
    strbuf_init(&s);
    es_comment(b, "Function", f->name);
    strbuf_puts(b, "CALL hqc.function(");
    sqlbuf_function_signature(&s, f);
    sqlbuf_literal(b, s.data);
    strbuf_reset(&s);
    sqlbuf_create_function(&s, f, NULL);
    strbuf_puts(b, ", ");
    es_ddl(b, s.data);
    if (f->replaced_by) {
        /* A later module replaces this version: it is only created where
         * the function does not exist yet (a fresh install). */
        strbuf_puts(b, ", owned => false");
    } else {
        HqAcl acl;
        privileges_of_function(e->m, f, &acl);
        strbuf_puts(b, ",\n  acl => ");
        es_acl(b, e->m, &acl);
        if (f->doc) {
            strbuf_puts(b, ",\n  doc => ");
            sqlbuf_literal(b, f->doc);
        }
    }
    if (f->requires && f->requires->optional) {
        strbuf_puts(b, ", requires => ");
        sqlbuf_literal(b, f->requires->name);
    }
    /* check_sql.c parsed the body with PostgreSQL's PL/pgSQL parser. */
    if (!strcmp(f->language, "plpgsql"))
        strbuf_puts(b, ", parsed => true");
    es_end(b);
    strbuf_putc(b, '\n');
    strbuf_free(&s);
}

/* A view's query without the terminating semicolon and blanks. */
static char *query_text(HqArena *a, const char *sql)
{
    size_t n = strlen(sql);
    while (n && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n' || sql[n - 1] == '\t'))
        n--;
    return arena_strndup(a, sql, n);
}

void es_views(Emit *e)
{
    StrBuf *b = e->b;
    for (size_t i = 0; i < e->mod->views.n; i++) {
        const HqView *v = e->mod->views.items[i];
        es_comment(b, "View", v->name);
        strbuf_puts(b, "CALL hqc.view(");
        sqlbuf_literal(b, v->qname);
        strbuf_puts(b, ", ");
        es_ddl(b, query_text(e->m->arena, v->query.text));
        strbuf_puts(b, ", ");
        es_lit(b, v->security_invoker ? "security_invoker = true" : NULL);
        HqAcl acl;
        privileges_of_view(e->m, v, &acl);
        strbuf_puts(b, ",\n  acl => ");
        es_acl(b, e->m, &acl);
        if (v->doc) {
            strbuf_puts(b, ",\n  doc => ");
            sqlbuf_literal(b, v->doc);
        }
        es_end(b);
        strbuf_putc(b, '\n');
    }
}

void es_cron_jobs(Emit *e)
{
    StrBuf *b = e->b;
    for (size_t i = 0; i < e->mod->cron_jobs.n; i++) {
        const HqCronJob *j = e->mod->cron_jobs.items[i];
        es_comment(b, "Cron job", j->name);
        strbuf_puts(b, "CALL hqc.cron(");
        sqlbuf_literal(b, j->name);
        strbuf_puts(b, ", ");
        sqlbuf_literal(b, j->schedule);
        strbuf_puts(b, ", ");
        sqlbuf_literal(b, j->command.text);
        es_end(b);
    }
    if (e->mod->cron_jobs.n)
        strbuf_putc(b, '\n');
}

void es_buckets(Emit *e)
{
    StrBuf *b = e->b;
    for (size_t i = 0; i < e->mod->buckets.n; i++) {
        const HqBucket *bk = e->mod->buckets.items[i];
        es_comment(b, "Storage bucket", bk->id);
        strbuf_puts(b, "CALL hqc.bucket(");
        sqlbuf_literal(b, bk->id);
        strbuf_puts(b, ", ");
        sqlbuf_literal(b, bk->name);
        strbuf_printf(b, ", %s", bk->is_public ? "true" : "false");
        es_end(b);
    }
    if (e->mod->buckets.n)
        strbuf_putc(b, '\n');
}
