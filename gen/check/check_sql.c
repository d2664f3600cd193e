/* check_sql.c - every SQL fragment goes through the PostgreSQL parser, and
 * the names it uses are resolved where the schema can know them: columns
 * of the table a fragment belongs to, enum labels in casts, functions and
 * tables of the schema that are defined only by a later module. */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "base/sqlbuf.h"
#include "base/sqlparse.h"

typedef struct {
    const HqModel *m;
    const HqModule *mod;      /* module the fragment belongs to */
    const HqTable *table;     /* table whose columns bare names refer to, or NULL */
    bool new_old;             /* trigger WHEN: NEW.x / OLD.x */
    bool legacy;              /* a change: may name tables and enum values of older versions */
} Scope;

static void report(const HqSql *s, const SqlpError *err, const char *what)
{
    HqLoc loc = s->node && s->node->source ? yaml_offset_loc(s->node, err->offset) : s->loc;
    diag_error(&loc, "invalid SQL in %s: %s", what, err->message);
}

static HqLoc at(const HqSql *s, int location)
{
    if (location < 0 || !s->node || !s->node->source)
        return s->loc;
    return yaml_offset_loc(s->node, (size_t)location);
}

static void check_names_in(const Scope *sc, const HqSql *s, const SqlpRefs *r, const char *what)
{
    const HqModel *m = sc->m;
    /* Functions of the schema must exist by this module. */
    for (size_t i = 0; i < r->functions.n; i++) {
        const SqlpName *n = r->functions.items[i];
        if (n->schema && strcmp(n->schema, m->project.schema))
            continue;
        const HqFunction *f = model_find_function(m, n->name);
        if (!f && n->schema) {
            HqLoc loc = at(s, n->location);
            diag_error(&loc, "%s calls unknown function \"%s.%s\"", what, n->schema, n->name);
        } else if (f) {
            /* The earliest version decides when the name exists. */
            while (f->previous)
                f = f->previous;
            if (model_module_after(f->module, sc->mod)) {
                HqLoc loc = at(s, n->location);
                diag_error(&loc, "%s calls function \"%s\", which a later module (%s) defines", what, n->name,
                           f->module->name);
            }
        }
    }
    for (size_t i = 0; i < r->tables.n; i++) {
        const SqlpName *n = r->tables.items[i];
        if (n->schema && strcmp(n->schema, m->project.schema))
            continue;
        const HqTable *t = model_find_table(m, n->name);
        if (t && model_module_after(t->module, sc->mod)) {
            HqLoc loc = at(s, n->location);
            diag_error(&loc, "%s uses table \"%s\", which a later module (%s) creates", what, n->name,
                       t->module->name);
        } else if (!t && n->schema && !sc->legacy) {
            HqLoc loc = at(s, n->location);
            diag_error(&loc, "%s uses unknown table \"%s.%s\"", what, n->schema, n->name);
        }
    }
    /* Enum labels in casts: 'todo'::task_status. */
    for (size_t i = 0; i < r->strings.n; i++) {
        const SqlpName *n = r->strings.items[i];
        const HqEnum *e = model_find_enum(m, n->schema);
        if (!e)
            continue;
        const HqEnumValue *found = NULL;
        const char *cands[256];
        size_t nc = 0;
        for (size_t k = 0; k < e->values.n; k++) {
            const HqEnumValue *v = e->values.items[k];
            if (nc < 256)
                cands[nc++] = v->name;
            if (!strcmp(v->name, n->name))
                found = v;
        }
        HqLoc loc = at(s, n->location);
        if (!found && sc->legacy)
            continue;
        if (!found) {
            const char *hint = diag_suggest(n->name, cands, nc);
            diag_error(&loc, "%s uses unknown value '%s' of enum \"%s\"%s%s%s", what, n->name, e->name,
                       hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
        } else if (model_module_after(found->module, sc->mod)) {
            diag_error(&loc, "%s uses value '%s' of enum \"%s\", which a later module (%s) adds", what, n->name,
                       e->name, found->module->name);
        }
    }
    /* Bare column names, when the fragment reads no other relation. */
    if (!sc->table || r->tables.n)
        return;
    for (size_t i = 0; i < r->columns.n; i++) {
        const SqlpName *n = r->columns.items[i];
        if (sc->new_old) {
            if (!n->schema || (strcmp(n->schema, "new") && strcmp(n->schema, "old")))
                continue;
        } else if (n->schema) {
            continue;
        }
        const HqColumn *c = model_find_column(sc->table, n->name);
        HqLoc loc = at(s, n->location);
        if (!c) {
            const char *cands[512];
            size_t nc = 0;
            for (size_t k = 0; k < sc->table->columns.n && nc < 512; k++)
                cands[nc++] = ((HqColumn *)sc->table->columns.items[k])->name;
            const char *hint = diag_suggest(n->name, cands, nc);
            diag_error(&loc, "%s uses unknown column \"%s\" of table \"%s\"%s%s%s", what, n->name, sc->table->name,
                       hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
        } else if (model_module_after(c->module, sc->mod)) {
            diag_error(&loc, "%s uses column \"%s\", which a later module (%s) adds", what, n->name, c->module->name);
        }
    }
}

static void expr(const Scope *sc, const HqSql *s, const char *what)
{
    if (!s->text)
        return;
    HqArena *a = sc->m->arena;
    SqlpRefs refs = {0};
    SqlpError err;
    if (!sqlp_parse_expr(a, s->text, &refs, &err)) {
        report(s, &err, what);
        return;
    }
    check_names_in(sc, s, &refs, what);
}

static void index_keys(const Scope *sc, const HqIndex *ix)
{
    HqArena *a = sc->m->arena;
    for (size_t i = 0; i < ix->n_keys; i++) {
        const HqSql *s = &ix->keys[i];
        if (!s->text)
            continue;
        SqlpRefs refs = {0};
        SqlpIndexElem el;
        SqlpError err;
        if (!sqlp_parse_index_elem(a, s->text, &el, &refs, &err)) {
            report(s, &err, "index key");
            continue;
        }
        if (el.column) {
            const HqColumn *c = model_find_column(sc->table, el.column);
            if (!c) {
                SqlpName *n = arena_alloc(a, sizeof *n);
                n->name = el.column;
                n->location = 0;
                vec_push(a, &refs.columns, n);
            } else if (model_module_after(c->module, sc->mod)) {
                diag_error(&s->loc, "index \"%s\" uses column \"%s\", which a later module (%s) adds", ix->name,
                           el.column, c->module->name);
            }
        }
        check_names_in(sc, s, &refs, "index key");
    }
    expr(sc, &ix->where, "index predicate");
}

/* How a statement kind reads in SQL: "create_stmt" is CREATE TABLE; the
 * others are their node name without "_stmt", in capitals. */
static const char *statement_sql(HqArena *a, const char *kind)
{
    static const char *const names[][2] = {
        {"alter_enum_stmt", "ALTER TYPE"},          {"alter_table_stmt", "ALTER TABLE"},
        {"create_enum_stmt", "CREATE TYPE"},        {"create_extension_stmt", "CREATE EXTENSION"},
        {"create_function_stmt", "CREATE FUNCTION"}, {"create_policy_stmt", "CREATE POLICY"},
        {"create_schema_stmt", "CREATE SCHEMA"},    {"create_stmt", "CREATE TABLE"},
        {"create_table_as_stmt", "CREATE TABLE AS"}, {"create_trig_stmt", "CREATE TRIGGER"},
        {"grant_stmt", "GRANT or REVOKE"},          {"index_stmt", "CREATE INDEX"},
        {"rename_stmt", "ALTER ... RENAME"},        {"transaction_stmt", "a transaction statement"},
        {"variable_set_stmt", "SET"},               {"view_stmt", "CREATE VIEW"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(kind, names[i][0]))
            return names[i][1];
    size_t n = strlen(kind);
    if (n > 5 && !strcmp(kind + n - 5, "_stmt"))
        n -= 5;
    char *out = arena_strndup(a, kind, n);
    for (char *p = out; *p; p++)
        *p = *p == '_' ? ' ' : *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
    return out;
}

/* `expected` says in words what allowed_kinds allows, for the message. */
static void statements(const Scope *sc, const HqSql *s, const char *what, const char *const *allowed_kinds,
                       const char *expected)
{
    if (!s->text)
        return;
    SqlpRefs refs = {0};
    SqlpError err;
    size_t n = 0;
    const SqlpStatement *st = NULL;
    if (!sqlp_parse_statements(sc->m->arena, s->text, &refs, &n, &st, &err)) {
        report(s, &err, what);
        return;
    }
    if (!n) {
        diag_error(&s->loc, "%s holds no SQL statement", what);
        return;
    }
    for (size_t k = 0; allowed_kinds && k < n; k++) {
        bool ok = false;
        for (size_t i = 0; allowed_kinds[i] && !ok; i++)
            ok = !strcmp(st[k].kind, allowed_kinds[i]);
        if (!ok) {
            HqLoc loc = at(s, (int)st[k].offset);
            diag_error(&loc, "%s must be %s, not %s", what, expected, statement_sql(sc->m->arena, st[k].kind));
        }
    }
    check_names_in(sc, s, &refs, what);
}

static void function_body(const HqModel *m, const HqFunction *f)
{
    if (!f->body.text)
        return;
    Scope sc = {m, f->module, NULL, false, false};
    if (!strcmp(f->language, "sql")) {
        statements(&sc, &f->body, "function body", NULL, NULL);
        return;
    }
    StrBuf b;
    strbuf_init(&b);
    size_t body_offset = 0;
    sqlbuf_create_function(&b, f, &body_offset);
    SqlpError err;
    if (!sqlp_parse_plpgsql(m->arena, b.data, body_offset, &err))
        report(&f->body, &err, "function body");
    strbuf_free(&b);
}

static void table_fragments(const HqModel *m, const HqTable *t)
{
    for (size_t d = 0; d < t->deltas.n; d++) {
        const HqTableDelta *delta = t->deltas.items[d];
        Scope sc = {m, delta->module, t->platform ? NULL : t, false, false};
        for (size_t i = 0; i < delta->columns.n; i++) {
            const HqColumn *c = delta->columns.items[i];
            expr(&sc, &c->default_sql, "default");
            expr(&sc, &c->generated, "generated column");
            expr(&sc, &c->backfill, "backfill");
        }
        for (size_t i = 0; i < delta->alters.n; i++)
            expr(&sc, &((HqColumnAlter *)delta->alters.items[i])->default_sql, "default");
        for (size_t i = 0; i < delta->constraints.n; i++) {
            const HqConstraint *c = delta->constraints.items[i];
            if (c->kind == HQ_CON_CHECK && !c->pattern)
                expr(&sc, &c->check, "check constraint");
        }
        for (size_t i = 0; i < delta->indexes.n; i++)
            index_keys(&sc, delta->indexes.items[i]);
        for (size_t i = 0; i < delta->policies.n; i++) {
            const HqPolicy *p = delta->policies.items[i];
            expr(&sc, &p->using_sql, "policy USING");
            expr(&sc, &p->check_sql, "policy WITH CHECK");
        }
        Scope when = sc;
        when.new_old = true;
        for (size_t i = 0; i < delta->triggers.n; i++)
            expr(&when, &((HqTrigger *)delta->triggers.items[i])->when, "trigger WHEN");
    }
}

void check_sql(const HqModel *m)
{
    static const char *const dml[] = {"insert_stmt", "update_stmt", "delete_stmt", "select_stmt", NULL};
    for (size_t i = 0; i < m->tables.n; i++)
        table_fragments(m, m->tables.items[i]);
    for (size_t i = 0; i < m->platform_tables.n; i++)
        table_fragments(m, m->platform_tables.items[i]);
    for (size_t i = 0; i < m->all_functions.n; i++) {
        const HqFunction *f = m->all_functions.items[i];
        Scope sc = {m, f->module, NULL, false, false};
        for (size_t k = 0; k < f->n_args; k++)
            expr(&sc, &f->args[k].default_sql, "argument default");
        function_body(m, f);
    }
    for (size_t i = 0; i < m->cron_jobs.n; i++) {
        const HqCronJob *j = m->cron_jobs.items[i];
        Scope sc = {m, j->module, NULL, false, false};
        statements(&sc, &j->command, "cron command", NULL, NULL);
    }
    for (size_t i = 0; i < m->data_steps.n; i++) {
        const HqDataStep *s = m->data_steps.items[i];
        Scope sc = {m, s->module, NULL, false, false};
        statements(&sc, &s->sql, "data step", dml, "a data statement (INSERT, UPDATE, DELETE or SELECT)");
        if (s->when.text)
            expr(&sc, &s->when, "data step condition");
    }
    static const char *const select_only[] = {"select_stmt", NULL};
    for (size_t i = 0; i < m->views.n; i++) {
        const HqView *v = m->views.items[i];
        Scope sc = {m, v->module, NULL, false, false};
        statements(&sc, &v->query, "view query", select_only, "a SELECT");
    }
    for (size_t i = 0; i < m->raw_blocks.n; i++) {
        const HqRawBlock *r = m->raw_blocks.items[i];
        Scope sc = {m, r->module, NULL, false, false};
        statements(&sc, &r->sql, "raw SQL", NULL, NULL);
    }
    for (size_t i = 0; i < m->changes.n; i++) {
        const HqChange *c = m->changes.items[i];
        Scope sc = {m, c->module, NULL, false, true};
        statements(&sc, &c->sql, c->kind == HQ_CHG_SQL ? "sql change" : "data move", NULL, NULL);
        expr(&sc, &c->when, "change condition");
        sc.table = c->table_ref;
        if (c->table_ref)
            expr(&sc, &c->using_sql, "USING expression");
    }
}
