/* model.c - lookups over the final state of the model. */
#include "model.h"

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
