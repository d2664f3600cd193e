/* model.c - lookups over the final state of the model. */
#include "model/model.h"

#include <string.h>

HqTable *model_find_table(const HqModel *m, const char *name)
{
    const char *dot = strchr(name, '.');
    if (dot && !strncmp(name, m->project.schema, (size_t)(dot - name)) && !m->project.schema[dot - name])
        name = dot + 1;
    else if (dot) {
        for (size_t i = 0; i < m->platform_tables.n; i++)
            if (!strcmp(((HqTable *)m->platform_tables.items[i])->name, name))
                return m->platform_tables.items[i];
        return NULL;
    }
    for (size_t i = 0; i < m->tables.n; i++)
        if (!strcmp(((HqTable *)m->tables.items[i])->name, name))
            return m->tables.items[i];
    return NULL;
}

HqEnum *model_find_enum(const HqModel *m, const char *name)
{
    for (size_t i = 0; i < m->enums.n; i++)
        if (!strcmp(((HqEnum *)m->enums.items[i])->name, name))
            return m->enums.items[i];
    return NULL;
}

HqFunction *model_find_function(const HqModel *m, const char *name)
{
    const char *dot = strchr(name, '.');
    if (dot && !strncmp(name, m->project.schema, (size_t)(dot - name)) && !m->project.schema[dot - name])
        name = dot + 1;
    else if (dot) {
        for (size_t i = 0; i < m->platform_functions.n; i++)
            if (!strcmp(((HqFunction *)m->platform_functions.items[i])->name, name))
                return m->platform_functions.items[i];
        return NULL;
    }
    for (size_t i = 0; i < m->functions.n; i++)
        if (!strcmp(((HqFunction *)m->functions.items[i])->name, name))
            return m->functions.items[i];
    return NULL;
}

HqExtension *model_find_extension(const HqModel *m, const char *name)
{
    for (size_t i = 0; i < m->extensions.n; i++)
        if (!strcmp(((HqExtension *)m->extensions.items[i])->name, name))
            return m->extensions.items[i];
    return NULL;
}

HqColumn *model_find_column(const HqTable *t, const char *name)
{
    for (size_t i = 0; i < t->columns.n; i++)
        if (!strcmp(((HqColumn *)t->columns.items[i])->name, name))
            return t->columns.items[i];
    return NULL;
}

HqConstraint *model_find_constraint(const HqTable *t, const char *name)
{
    for (size_t i = 0; i < t->constraints.n; i++)
        if (!strcmp(((HqConstraint *)t->constraints.items[i])->name, name))
            return t->constraints.items[i];
    return NULL;
}

bool model_module_after(const HqModule *later, const HqModule *earlier)
{
    return later && earlier && later->index > earlier->index;
}

const char *model_command_name(HqCommand c)
{
    static const char *const names[] = {"ALL", "SELECT", "INSERT", "UPDATE", "DELETE"};
    return names[c];
}

const char *model_fk_action_sql(HqFkAction a)
{
    static const char *const names[] = {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"};
    return names[a];
}

void model_column_as_of(const HqColumn *c, const HqModule *mod, bool *not_null, HqSql *dflt)
{
    *not_null = c->not_null;
    *dflt = c->default_sql;
    for (size_t i = 0; i < c->alters.n; i++) {
        const HqColumnAlter *al = c->alters.items[i];
        if (model_module_after(al->module, mod))
            break;
        if (al->sets_not_null)
            *not_null = al->not_null;
        if (al->sets_default)
            *dflt = al->default_sql;
    }
}

/* Does change c name `name` (on table `table`, NULL = any) as its old object? */
static bool change_names(const HqChange *c, const char *table, const char *name)
{
    if (!c->name || strcmp(c->name, name))
        return false;
    if (!table)
        return true;
    if (c->kind == HQ_CHG_DROP_POLICY) {
        for (size_t i = 0; i < c->n_tables; i++)
            if (c->tables[i] && !strcmp(c->tables[i], table))
                return true;
        return false;
    }
    return c->table && !strcmp(c->table, table);
}

const HqChange *model_find_change(const HqModel *m, HqChangeKind kind, const char *table, const char *name)
{
    for (size_t i = 0; i < m->changes.n; i++) {
        const HqChange *c = m->changes.items[i];
        if (c->kind == kind && change_names(c, table, name))
            return c;
    }
    return NULL;
}

const HqChange *model_find_rename_to(const HqModel *m, HqChangeKind kind, const char *table, const char *to)
{
    for (size_t i = 0; i < m->changes.n; i++) {
        const HqChange *c = m->changes.items[i];
        if (c->kind == kind && c->to && !strcmp(c->to, to) && (!table || (c->table && !strcmp(c->table, table))))
            return c;
    }
    return NULL;
}

bool model_has_change(const HqModel *m, const HqChange *c)
{
    for (size_t i = 0; i < m->changes.n; i++) {
        const HqChange *x = m->changes.items[i];
        if (x->kind == c->kind && !strcmp(x->subject ? x->subject : "", c->subject ? c->subject : "") &&
            !strcmp(x->to ? x->to : "", c->to ? c->to : ""))
            return true;
    }
    return false;
}

void model_split_args(HqArena *a, const char *args, HqVec *out)
{
    const char *p = args + 1;
    const char *end = args + strlen(args) - 1;
    while (p < end) {
        int depth = 0;
        const char *q = p;
        while (q < end && (depth || *q != ',')) {
            depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
            q++;
        }
        const char *s = p, *e = q;
        while (s < e && *s == ' ')
            s++;
        while (e > s && e[-1] == ' ')
            e--;
        vec_push(a, out, arena_strndup(a, s, (size_t)(e - s)));
        p = q < end ? q + 1 : q;
    }
}
