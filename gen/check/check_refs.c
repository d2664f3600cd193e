/* check_refs.c - every name the schema uses must resolve, and to something
 * defined in the same or an earlier module. */
#include <stdio.h>
#include <string.h>

#include "check/check.h"

static void unknown(const HqLoc *loc, const char *what, const char *name, const char *const *cands, size_t n,
                    const char *suffix)
{
    const char *hint = diag_suggest(name, cands, n);
    if (hint)
        diag_error(loc, "%s \"%s\"%s (did you mean \"%s\"?)", what, name, suffix, hint);
    else
        diag_error(loc, "%s \"%s\"%s", what, name, suffix);
}

static void unknown_table(const HqModel *m, const HqLoc *loc, const char *name, const char *context)
{
    const char *cands[512];
    size_t n = 0;
    for (size_t i = 0; i < m->tables.n && n < 512; i++)
        cands[n++] = ((HqTable *)m->tables.items[i])->name;
    unknown(loc, context, name, cands, n, "");
}

static void unknown_column(const HqTable *t, const HqLoc *loc, const char *name, const char *context)
{
    const char *cands[512];
    size_t n = 0;
    for (size_t i = 0; i < t->columns.n && n < 512; i++)
        cands[n++] = ((HqColumn *)t->columns.items[i])->name;
    char what[200], suffix[200];
    snprintf(what, sizeof what, "unknown %s", context);
    snprintf(suffix, sizeof suffix, " in table \"%s\"", t->name);
    unknown(loc, what, name, cands, n, suffix);
}

/* The column, if the table has it by the end of module `mod`. */
static const HqColumn *column_at(const HqTable *t, const char *name, const HqModule *mod, const HqLoc *loc,
                                 const char *context)
{
    const HqColumn *c = model_find_column(t, name);
    if (!c) {
        unknown_column(t, loc, name, context);
        return NULL;
    }
    if (mod && model_module_after(c->module, mod)) {
        diag_error(loc, "%s \"%s\" is added to table \"%s\" only by a later module (%s)", context, name, t->name,
                   c->module->name);
        diag_note(&c->loc, "added here");
        return NULL;
    }
    return c;
}

static void check_type_order(const HqType *t, const HqModule *mod)
{
    const HqModule *def = t->kind == HQ_TYPE_ENUM    ? t->enum_ref->module
                          : t->kind == HQ_TYPE_TABLE ? t->table_ref->module
                          : t->kind == HQ_TYPE_EXTENSION ? t->ext->module
                                                     : NULL;
    if (def && model_module_after(def, mod)) {
        diag_error(&t->loc, "type \"%s\" is defined only in a later module (%s)", t->written, def->name);
    }
}

static void check_constraint(const HqModel *m, const HqTable *t, const HqConstraint *c)
{
    for (size_t i = 0; i < c->n_columns; i++)
        column_at(t, c->columns[i], c->module, &c->loc, "constraint column");
    /* Without a table name (`references:` without `table:`) build has
     * reported the foreign key already. */
    if (c->kind != HQ_CON_FOREIGN || !c->ref_table_name)
        return;
    const HqTable *target = model_find_table(m, c->ref_table_name);
    if (!target) {
        unknown_table(m, &c->loc, c->ref_table_name, "foreign key references unknown table");
        return;
    }
    if (target->module && model_module_after(target->module, c->module)) {
        diag_error(&c->loc, "foreign key \"%s\" references table \"%s\", which a later module (%s) creates", c->name,
                   target->name, target->module->name);
        diag_note(&target->loc, "table defined here");
        return;
    }
    if (c->n_ref_columns) {
        if (c->n_ref_columns != c->n_columns)
            diag_error(&c->loc, "foreign key \"%s\" has %zu columns but references %zu", c->name, c->n_columns,
                       c->n_ref_columns);
        for (size_t i = 0; i < c->n_ref_columns; i++)
            column_at(target, c->ref_columns[i], c->module, &c->loc, "referenced column");
    } else if (!target->primary_key) {
        diag_error(&c->loc, "foreign key \"%s\": table \"%s\" has no primary key to reference", c->name, target->name);
    } else if (target->primary_key->n_columns != c->n_columns) {
        diag_error(&c->loc, "foreign key \"%s\" has %zu columns but the primary key of \"%s\" has %zu", c->name,
                   c->n_columns, target->name, target->primary_key->n_columns);
    }
}

const HqFunction *check_function_at(const HqModel *m, const char *name, const HqModule *mod)
{
    return model_function_at(m, name, mod);
}

static void check_trigger(const HqModel *m, const HqTable *t, const HqTrigger *tg)
{
    const char *fname = tg->function_name;
    if (!fname)
        return;
    const HqFunction *f = check_function_at(m, fname, tg->module);
    if (!f) {
        const HqFunction *later = model_find_function(m, fname);
        if (later) {
            diag_error(&tg->loc, "trigger \"%s\" calls function \"%s\", which a later module (%s) defines", tg->name,
                       fname, later->module->name);
            diag_note(&later->loc, "function defined here");
        } else {
            const char *cands[512];
            size_t n = 0;
            for (size_t i = 0; i < m->functions.n && n < 512; i++)
                if (((HqFunction *)m->functions.items[i])->ret_kind == HQ_RET_TRIGGER)
                    cands[n++] = ((HqFunction *)m->functions.items[i])->name;
            char what[200];
            snprintf(what, sizeof what, "trigger \"%s\" calls unknown function", tg->name);
            unknown(&tg->loc, what, fname, cands, n, "");
        }
    } else if (f->ret_kind != HQ_RET_TRIGGER) {
        diag_error(&tg->loc, "trigger \"%s\" calls \"%s\", which does not return trigger", tg->name, fname);
    }
    for (size_t i = 0; i < tg->n_update_of; i++)
        column_at(t, tg->update_of[i], tg->module, &tg->loc, "UPDATE OF column");
    if (tg->timing == HQ_TIMING_INSTEAD_OF)
        diag_error(&tg->loc, "INSTEAD OF triggers apply to views; \"%s\" is a table", t->name);
}

static void check_grant_columns(const HqTable *t, const HqGrant *g)
{
    for (size_t i = 0; i < g->n_columns; i++)
        column_at(t, g->columns[i], g->module, &g->loc, "granted column");
}

static void check_table(const HqModel *m, const HqTable *t)
{
    for (size_t d = 0; d < t->deltas.n; d++) {
        const HqTableDelta *delta = t->deltas.items[d];
        for (size_t i = 0; i < delta->columns.n; i++) {
            const HqColumn *c = delta->columns.items[i];
            check_type_order(&c->type, delta->module);
            if (c->type.kind == HQ_TYPE_TRIGGER || c->type.kind == HQ_TYPE_VOID)
                diag_error(&c->type.loc, "column \"%s\" cannot have type %s", c->name, c->type.written);
            if (c->generated.text && c->default_sql.text)
                diag_error(&c->loc, "column \"%s\" is generated and cannot have a default", c->name);
            if (c->identity && c->default_sql.text)
                diag_error(&c->loc, "identity column \"%s\" cannot have a default", c->name);
        }
        for (size_t i = 0; i < delta->constraints.n; i++)
            check_constraint(m, t, delta->constraints.items[i]);
        for (size_t i = 0; i < delta->triggers.n; i++)
            check_trigger(m, t, delta->triggers.items[i]);
        for (size_t i = 0; i < delta->grants.n; i++)
            check_grant_columns(t, delta->grants.items[i]);
        for (size_t i = 0; i < delta->indexes.n; i++) {
            const HqIndex *ix = delta->indexes.items[i];
            for (size_t k = 0; k < ix->n_include; k++)
                column_at(t, ix->include[k], ix->module, &ix->loc, "included column");
        }
        if (t->platform && (delta->constraints.n || delta->indexes.n || delta->columns.n))
            diag_error(&delta->loc, "only triggers, policies and grants can be added to platform table \"%s\"",
                       t->name);
        if (delta->realtime == 1 && !m->project.realtime_publication)
            diag_error(&delta->loc, "realtime: true needs project.realtime_publication in _project.yaml");
    }
}

static void check_function(const HqModel *m, const HqFunction *f)
{
    for (size_t i = 0; i < f->n_args; i++)
        check_type_order(&f->args[i].type, f->module);
    check_type_order(&f->ret_type, f->module);
    for (size_t i = 0; i < f->n_out; i++)
        check_type_order(&f->out[i].type, f->module);
    if (f->previous) {
        /* CREATE OR REPLACE cannot change the identity or the result. */
        const HqFunction *p = f->previous;
        bool same = p->n_args == f->n_args && p->ret_kind == f->ret_kind;
        for (size_t i = 0; same && i < f->n_args; i++)
            same = !strcmp(p->args[i].type.sql, f->args[i].type.sql) && !strcmp(p->args[i].name, f->args[i].name);
        if (same && (f->ret_kind == HQ_RET_SCALAR || f->ret_kind == HQ_RET_SETOF))
            same = !strcmp(p->ret_type.sql, f->ret_type.sql);
        if (!same) {
            diag_error(&f->loc, "function \"%s\" replaces the version of %s with a different signature or result; "
                                "declare a new name instead", f->name, p->module->name);
            diag_note(&p->loc, "previous version here");
        }
    }
    (void)m;
}

static void check_seed(const HqModel *m, const HqSeed *s)
{
    if (!s->table_name)
        return;
    const HqTable *t = model_find_table(m, s->table_name);
    if (!t) {
        unknown_table(m, &s->loc, s->table_name, "seed for unknown table");
        return;
    }
    if (t->module && model_module_after(t->module, s->module)) {
        diag_error(&s->loc, "seed for table \"%s\", which a later module (%s) creates", t->name, t->module->name);
        return;
    }
    for (size_t i = 0; i < s->n_conflict; i++)
        column_at(t, s->conflict[i], s->module, &s->loc, "on_conflict column");
    if (!s->n_conflict && !t->primary_key)
        diag_error(&s->loc, "seed for \"%s\" needs on_conflict: the table has no primary key", t->name);
    for (size_t r = 0; r < s->n_rows; r++)
        for (size_t v = 0; v < s->rows[r].n_values; v++) {
            const HqSeedValue *sv = &s->rows[r].values[v];
            column_at(t, sv->column, s->module, &sv->value->loc, "seed column");
        }
}

void check_refs(const HqModel *m)
{
    for (size_t i = 0; i < m->tables.n; i++) {
        HqTable *t = m->tables.items[i];
        check_table(m, t);
        }
    for (size_t i = 0; i < m->platform_tables.n; i++)
        check_table(m, m->platform_tables.items[i]);
    for (size_t i = 0; i < m->all_functions.n; i++)
        check_function(m, m->all_functions.items[i]);
    for (size_t i = 0; i < m->seeds.n; i++)
        check_seed(m, m->seeds.items[i]);
    for (size_t i = 0; i < m->schema_versions.n; i++) {
        const HqSchemaVersion *v = m->schema_versions.items[i];
        if (!m->project.version_table)
            diag_error(&v->loc, "schema_versions needs project.version_table in _project.yaml");
        else if (!model_find_table(m, m->project.version_table))
            diag_error(&v->loc, "version table \"%s\" is not defined", m->project.version_table);
    }
}

void check_model(const HqModel *m)
{
    check_names(m);
    check_refs(m);
    check_changes(m);
    check_sql(m);
}
