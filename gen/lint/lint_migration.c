/* lint_migration.c - migration safety: what a module does to databases that
 * already hold rows (in the spirit of Squawk and of pg-schema-diff's
 * hazards). A table of an earlier module may have rows when a later module
 * runs; these rules look at what later modules add to such tables, and at
 * the explicit changes (`changes:`) that rewrite or drop data. */
#include <string.h>

#include "lint/lint_int.h"

static bool column_new_in(const HqTableDelta *d, const char *name)
{
    for (size_t i = 0; i < d->columns.n; i++)
        if (!strcmp(((const HqColumn *)d->columns.items[i])->name, name))
            return true;
    return false;
}

/* A `changes:` sql step of the module, run at its start, names the table:
 * the module's plan for rows that would violate what it adds. */
static bool has_plan(LintCtx *x, const HqTableDelta *d)
{
    for (size_t i = 0; i < d->module->changes.n; i++) {
        const HqChange *c = d->module->changes.items[i];
        if (c->kind != HQ_CHG_SQL || c->at_end || !c->sql.text)
            continue;
        SqlpRefs refs = {0};
        SqlpError err;
        if (!sqlp_parse_statements(x->a, c->sql.text, &refs, &(size_t){0}, NULL, &err))
            continue;
        for (size_t k = 0; k < refs.tables.n; k++) {
            const SqlpName *n = refs.tables.items[k];
            if ((!n->schema || !strcmp(n->schema, x->m->project.schema)) && !strcmp(n->name, d->table->name))
                return true;
        }
    }
    return false;
}

/* Only new columns, whose existing rows hold NULL or one default: a check
 * or foreign key on them holds; a unique key holds unless they all get
 * the same non-null value. */
static bool only_new_columns(LintCtx *x, const HqTableDelta *d, const HqConstraint *c)
{
    const char *const *cols = c->columns;
    size_t n = c->n_columns;
    if (c->kind == HQ_CON_CHECK && !c->pattern) {
        SqlpRefs refs = {0};
        SqlpError err;
        if (!c->check.text || !sqlp_parse_expr(x->a, c->check.text, &refs, &err))
            return false;
        n = refs.columns.n;
        const char **names = arena_alloc(x->a, (n + 1) * sizeof *names);
        for (size_t i = 0; i < n; i++)
            names[i] = ((const SqlpName *)refs.columns.items[i])->name;
        cols = names;
    }
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!column_new_in(d, cols[i]))
            return false;
        const HqColumn *col = model_find_column(d->table, cols[i]);
        if (c->kind == HQ_CON_UNIQUE && col && (col->default_sql.text || col->backfill.text))
            return false;
    }
    return true;
}

static void existing_table(LintCtx *x, const HqTableDelta *d)
{
    const HqTable *t = d->table;
    for (size_t i = 0; i < d->columns.n; i++) {
        const HqColumn *c = d->columns.items[i];
        if (!lint_column_needs_value(c))
            continue;
        LintSubject s = lint_subject_part(x, t, d->module, "column", c->name, c->loc, c->lint);
        lint_find(x, LR_NOT_NULL_COLUMN_WITHOUT_DEFAULT, &s,
                  "column \"%s\" is added NOT NULL without a default to table \"%s\" of module %s: the migration fails "
                  "on every database whose \"%s\" has a row",
                  c->name, t->name, t->module->name, t->name);
    }
    int plan = -1;
    static const char *const kinds[] = {"primary key", "unique constraint", "foreign key", "check constraint"};
    for (size_t i = 0; i < d->constraints.n; i++) {
        const HqConstraint *c = d->constraints.items[i];
        if (c->kind == HQ_CON_PRIMARY || c->dropped_in || only_new_columns(x, d, c))
            continue;
        if (plan == -1)
            plan = has_plan(x, d);
        if (plan)
            break;
        LintSubject s = lint_subject_part(x, t, d->module, "constraint", c->name, c->loc, c->lint);
        if (c->n_columns == 1) {
            const HqColumn *col = model_find_column(t, c->columns[0]);
            if (col && col->lint && !s.allow[1])
                s.allow[s.allow[0] ? 1 : 0] = col->lint;
        }
        lint_find(x, LR_CONSTRAINT_ON_EXISTING_TABLE, &s,
                  "%s \"%s\" is added to table \"%s\" of module %s: existing rows that violate it stop the migration",
                  kinds[c->kind], c->name, t->name, t->module->name);
    }
    for (size_t i = 0; i < d->indexes.n; i++) {
        const HqIndex *ix = d->indexes.items[i];
        if (!ix->unique || ix->dropped_in)
            continue;
        if (plan == -1)
            plan = has_plan(x, d);
        if (plan)
            break;
        LintSubject s = lint_subject_part(x, t, d->module, "index", ix->name, ix->loc, ix->lint);
        lint_find(x, LR_CONSTRAINT_ON_EXISTING_TABLE, &s,
                  "unique index \"%s\" is added to table \"%s\" of module %s: duplicate existing rows stop the migration",
                  ix->name, t->name, t->module->name);
    }
}

static void changes(LintCtx *x)
{
    for (size_t i = 0; i < x->m->changes.n; i++) {
        const HqChange *c = x->m->changes.items[i];
        LintSubject s = lint_subject("change", arena_printf(x->a, "%s %s", c->key, c->subject ? c->subject : ""), c->loc,
                                     c->lint);
        if (c->kind == HQ_CHG_CHANGE_TYPE)
            lint_find(x, LR_COLUMN_TYPE_CHANGE_REWRITES, &s, "change_type %s rewrites table \"%s\" under an ACCESS "
                      "EXCLUSIVE lock", c->subject, c->table);
        else if (c->kind == HQ_CHG_RECREATE_ENUM)
            lint_find(x, LR_COLUMN_TYPE_CHANGE_REWRITES, &s, "recreate_enum %s rewrites every table with a column of "
                      "that type under an ACCESS EXCLUSIVE lock", c->subject);
        else if ((c->kind == HQ_CHG_DROP_TABLE || c->kind == HQ_CHG_DROP_COLUMN) && !c->sql.text)
            lint_find(x, LR_CHANGE_DROPS_DATA, &s, "%s %s drops its data on existing databases (no move:)", c->key,
                      c->subject);
    }
}

/* "0", "0s", "0ms", ...: the setting that turns lock_timeout off. */
static bool zero_duration(const char *s)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    while (*s == '0')
        s++;
    return *s < '0' || *s > '9';
}

void lint_migration(LintCtx *x)
{
    for (size_t i = 0; i < x->m->modules.n; i++) {
        const HqModule *mod = x->m->modules.items[i];
        for (size_t k = 0; k < mod->tables.n; k++) {
            const HqTableDelta *d = mod->tables.items[k];
            if (!d->creates && !d->table->platform)
                existing_table(x, d);
        }
    }
    changes(x);
    const HqDeploy *dep = &x->m->project.deploy;
    if (zero_duration(dep->lock_timeout)) {
        LintSubject s = lint_subject("project", "deploy", dep->loc, dep->lint);
        lint_find(x, LR_MIGRATION_WITHOUT_LOCK_TIMEOUT, &s, "deploy.lock_timeout is %s: the generated migrations wait "
                  "for locks without limit", dep->lock_timeout);
    }
}
