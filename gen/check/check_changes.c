/* check_changes.c - the rules that keep explicit changes once-only.
 *
 * A change's old name must be one that no module declares any more (the
 * declaring module uses the new name), otherwise every run would rename or
 * drop what the schema just created. A rename's new name, a type change's
 * column and a recreated enum must be declared by this module or an earlier
 * one, so the step finds them when it runs. */
#include <string.h>

#include "check/check.h"
#include "base/sqlparse.h"

static bool declared_by(const HqModule *def, const HqModule *mod)
{
    return def && !model_module_after(def, mod);
}

static HqTable *table_by_now(const HqModel *m, const HqChange *c, const char *name, bool platform_ok)
{
    HqTable *t = model_find_table(m, name);
    if (!t || (t->platform && !platform_ok)) {
        diag_error(&c->loc, "%s: unknown table \"%s\"", c->key, name);
        return NULL;
    }
    if (!t->platform && !declared_by(t->module, c->module)) {
        diag_error(&c->loc, "%s: table \"%s\" is created only by a later module (%s)", c->key, name, t->module->name);
        return NULL;
    }
    return t;
}

static void still_declared(const HqChange *c, const char *what, const char *name, const HqModule *by,
                           const HqLoc *where)
{
    diag_error(&c->loc, "%s: %s \"%s\" is still declared (module %s); a change names an object of an older "
               "version that no module declares", c->key, what, name, by ? by->name : "platform");
    if (where)
        diag_note(where, "declared here");
}

/* "integer" / "int4" / "pg_catalog.int4" -> "int4"; arrays keep "[]". */
static const char *canon_type(HqArena *a, const char *text, const char *schema)
{
    SqlpType t;
    SqlpError err;
    if (!sqlp_parse_type(a, text, &t, &err))
        return NULL;
    const char *s = t.schema && strcmp(t.schema, schema) ? arena_printf(a, "%s.%s", t.schema, t.name) : t.name;
    for (int i = 0; i < t.array_dims; i++)
        s = arena_printf(a, "%s[]", s);
    return s;
}

/* The argument types of "(integer, text[])" in canonical form. */
static bool parse_args(const HqModel *m, const HqChange *c, HqVec *out)
{
    HqVec texts = {0};
    model_split_args(m->arena, c->args, &texts);
    for (size_t i = 0; i < texts.n; i++) {
        const char *t = canon_type(m->arena, texts.items[i], m->project.schema);
        if (!t) {
            diag_error(&c->loc, "%s: \"%s\" is not a type", c->key, (const char *)texts.items[i]);
            return false;
        }
        vec_push(m->arena, out, (void *)t);
    }
    return true;
}

static bool same_signature(const HqModel *m, const HqFunction *f, const HqVec *types)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n_args; i++) {
        if (f->args[i].mode == HQ_ARG_OUT)
            continue;
        const char *t = canon_type(m->arena, f->args[i].type.written, m->project.schema);
        if (k >= types->n || !t || strcmp(t, types->items[k]))
            return false;
        k++;
    }
    return k == types->n;
}

/* The declared version of `name` with these argument types, or NULL. */
static const HqFunction *function_with(const HqModel *m, const char *name, const HqVec *types)
{
    for (size_t i = 0; i < m->all_functions.n; i++) {
        const HqFunction *f = m->all_functions.items[i];
        if (!strcmp(f->name, name) && same_signature(m, f, types))
            return f;
    }
    return NULL;
}

static void check_function_change(const HqModel *m, const HqChange *c)
{
    HqVec types = {0};
    if (!parse_args(m, c, &types))
        return;
    const HqFunction *old = function_with(m, c->name, &types);
    if (old)
        still_declared(c, "function", arena_printf(m->arena, "%s%s", c->name, c->args), old->module, &old->loc);
    if (c->kind != HQ_CHG_RENAME_FUNCTION || !c->to)
        return;
    const HqFunction *f = function_with(m, c->to, &types);
    if (!f)
        diag_error(&c->loc, "rename_function: no function \"%s\" with the arguments %s is declared", c->to, c->args);
    else if (!declared_by(f->module, c->module))
        diag_error(&c->loc, "rename_function: function \"%s\" is defined only by a later module (%s)", c->to,
                   f->module->name);
}

static const HqEnum *enum_by_now(const HqModel *m, const HqChange *c, const char *name)
{
    const HqEnum *e = model_find_enum(m, name);
    if (!e)
        diag_error(&c->loc, "%s: unknown enum \"%s\"", c->key, name);
    else if (!declared_by(e->module, c->module))
        diag_error(&c->loc, "%s: enum \"%s\" is created only by a later module (%s)", c->key, name, e->module->name);
    else
        return e;
    return NULL;
}

static const HqEnumValue *enum_value(const HqEnum *e, const char *name)
{
    for (size_t i = 0; i < e->values.n; i++)
        if (!strcmp(((HqEnumValue *)e->values.items[i])->name, name))
            return e->values.items[i];
    return NULL;
}

/* A value the enum has by the end of the change's module. */
static bool value_by_now(const HqChange *c, const HqEnum *e, const char *name)
{
    const HqEnumValue *v = enum_value(e, name);
    if (!v)
        diag_error(&c->loc, "%s: enum \"%s\" has no value '%s'", c->key, e->name, name);
    else if (!declared_by(v->module, c->module))
        diag_error(&c->loc, "%s: value '%s' of enum \"%s\" is added only by a later module (%s)", c->key, name,
                   e->name, v->module->name);
    return v && declared_by(v->module, c->module);
}

/* The name and location of item i of a delta's list of `kind`. */
static const char *item_name(const char *kind, void *item, const HqLoc **loc)
{
    if (!strcmp(kind, "index")) {
        *loc = &((HqIndex *)item)->loc;
        return ((HqIndex *)item)->name;
    }
    if (!strcmp(kind, "constraint")) {
        *loc = &((HqConstraint *)item)->loc;
        return ((HqConstraint *)item)->name;
    }
    if (!strcmp(kind, "trigger")) {
        *loc = &((HqTrigger *)item)->loc;
        return ((HqTrigger *)item)->name;
    }
    *loc = &((HqPolicy *)item)->loc;
    return ((HqPolicy *)item)->name;
}

/* Is `name` an index, constraint, trigger or policy some module declares? */
static const HqLoc *declared_on(const HqTable *t, const char *kind, const char *name, const HqModule **by)
{
    for (size_t d = 0; d < t->deltas.n; d++) {
        const HqTableDelta *delta = t->deltas.items[d];
        const HqVec *v = !strcmp(kind, "index")        ? &delta->indexes
                         : !strcmp(kind, "constraint") ? &delta->constraints
                         : !strcmp(kind, "trigger")    ? &delta->triggers
                                                       : &delta->policies;
        for (size_t i = 0; i < v->n; i++) {
            const HqLoc *loc;
            if (!strcmp(item_name(kind, v->items[i], &loc), name)) {
                *by = delta->module;
                return loc;
            }
        }
    }
    return NULL;
}

static void check_table_object(const HqModel *m, const HqChange *c, const char *kind, const char *table)
{
    const HqTable *t = table_by_now(m, c, table, true);
    const HqModule *by = NULL;
    const HqLoc *loc = t ? declared_on(t, kind, c->name, &by) : NULL;
    if (loc)
        still_declared(c, kind, c->name, by, loc);
}

static void check_index_name(const HqModel *m, const HqChange *c)
{
    const HqVec *lists[2] = {&m->tables, &m->platform_tables};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const HqModule *by = NULL;
            const HqLoc *loc = declared_on(lists[l]->items[i], "index", c->name, &by);
            if (loc) {
                still_declared(c, "index", c->name, by, loc);
                return;
            }
        }
}

static void check_column_change(const HqModel *m, HqChange *c)
{
    HqTable *t = table_by_now(m, c, c->table, false);
    if (!t)
        return;
    c->table_ref = t;
    HqColumn *old = model_find_column(t, c->name);
    if (c->kind != HQ_CHG_CHANGE_TYPE) {
        if (old)
            still_declared(c, "column", arena_printf(m->arena, "%s.%s", t->name, c->name), old->module, &old->loc);
        if (c->kind == HQ_CHG_RENAME_COLUMN && c->to) {
            HqColumn *col = model_find_column(t, c->to);
            if (!col)
                diag_error(&c->loc, "rename_column: table \"%s\" declares no column \"%s\"", t->name, c->to);
            else if (!declared_by(col->module, c->module))
                diag_error(&c->loc, "rename_column: column \"%s.%s\" is added only by a later module (%s)", t->name,
                           c->to, col->module->name);
            c->column_ref = col;
        }
        return;
    }
    if (!old)
        diag_error(&c->loc, "change_type: table \"%s\" declares no column \"%s\"", t->name, c->name);
    else if (!declared_by(old->module, c->module))
        diag_error(&c->loc, "change_type: column \"%s.%s\" is added only by a later module (%s)", t->name, c->name,
                   old->module->name);
    else if (old->generated.text)
        diag_error(&c->loc, "change_type: column \"%s.%s\" is generated", t->name, c->name);
    c->column_ref = old;
}

static void check_recreate(const HqModel *m, HqChange *c)
{
    HqEnum *e = (HqEnum *)enum_by_now(m, c, c->name);
    c->enum_ref = e;
    if (!e)
        return;
    for (size_t i = 0; i < c->n_map; i++) {
        if (enum_value(e, c->map[i].from))
            diag_error(&c->loc, "recreate_enum: '%s' is still a value of \"%s\"; map lists removed values only",
                       c->map[i].from, e->name);
        if (c->map[i].to)
            value_by_now(c, e, c->map[i].to);
    }
}

static void check_change(const HqModel *m, HqChange *c)
{
    switch (c->kind) {
    case HQ_CHG_RENAME_TABLE:
    case HQ_CHG_DROP_TABLE: {
        const HqTable *t = model_find_table(m, c->name);
        if (t)
            still_declared(c, "table", c->name, t->module, &t->loc);
        for (size_t i = 0; i < m->views.n; i++)
            if (!strcmp(((HqView *)m->views.items[i])->name, c->name))
                still_declared(c, "view", c->name, ((HqView *)m->views.items[i])->module, NULL);
        if (c->kind == HQ_CHG_RENAME_TABLE && c->to)
            c->table_ref = table_by_now(m, c, c->to, false);
        break;
    }
    case HQ_CHG_RENAME_COLUMN:
    case HQ_CHG_DROP_COLUMN:
    case HQ_CHG_CHANGE_TYPE:
        check_column_change(m, c);
        break;
    case HQ_CHG_RENAME_VALUE: {
        HqEnum *e = (HqEnum *)enum_by_now(m, c, c->table);
        c->enum_ref = e;
        if (e && enum_value(e, c->name))
            still_declared(c, "enum value", arena_printf(m->arena, "%s.%s", e->name, c->name), e->module, NULL);
        if (e && c->to)
            value_by_now(c, e, c->to);
        break;
    }
    case HQ_CHG_RENAME_FUNCTION:
    case HQ_CHG_DROP_FUNCTION:
        check_function_change(m, c);
        break;
    case HQ_CHG_RENAME_TYPE:
    case HQ_CHG_DROP_TYPE: {
        const HqEnum *e = model_find_enum(m, c->name);
        if (e)
            still_declared(c, "enum", c->name, e->module, &e->loc);
        if (c->kind == HQ_CHG_RENAME_TYPE && c->to)
            c->enum_ref = (HqEnum *)enum_by_now(m, c, c->to);
        break;
    }
    case HQ_CHG_RECREATE_ENUM:
        check_recreate(m, c);
        break;
    case HQ_CHG_DROP_CONSTRAINT:
        check_table_object(m, c, "constraint", c->table);
        break;
    case HQ_CHG_DROP_TRIGGER:
        check_table_object(m, c, "trigger", c->table);
        break;
    case HQ_CHG_DROP_POLICY:
        for (size_t i = 0; i < c->n_tables; i++)
            if (c->tables[i])
                check_table_object(m, c, "policy", c->tables[i]);
        break;
    case HQ_CHG_DROP_INDEX:
        check_index_name(m, c);
        break;
    case HQ_CHG_SQL:
        break;
    }
}

void check_changes(const HqModel *m)
{
    for (size_t i = 0; i < m->changes.n; i++)
        check_change(m, m->changes.items[i]);
}
