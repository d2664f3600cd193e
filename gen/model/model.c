/* model.c - lookups over the final state of the model. */
#include "model/model.h"

#include <stddef.h>
#include <string.h>

/* Index slot `field` of the model's lookups, or NULL (scan) without them. */
#define MX(m, field) ((m)->index ? &(m)->index->field : NULL)
#define FIND(m, list, field, type) \
    ((type *)vecindex_find((m)->index ? (m)->arena : NULL, MX(m, field), &(m)->list, offsetof(type, name), name))

void model_index_init(HqModel *m)
{
    m->index = arena_alloc(m->arena, sizeof *m->index);
}

void model_table_index_init(HqArena *a, HqTable *t)
{
    t->index = arena_alloc(a, sizeof *t->index);
    t->index->arena = a;
}

/* A name qualified with the project schema ("public.tasks") names the
 * object itself; another qualifier names a platform object. */
static const char *unqualified(const HqModel *m, const char *name, bool *platform)
{
    const char *dot = strchr(name, '.');
    *platform = false;
    if (!dot)
        return name;
    if (!strncmp(name, m->project.schema, (size_t)(dot - name)) && !m->project.schema[dot - name])
        return dot + 1;
    *platform = true;
    return name;
}

HqTable *model_find_table(const HqModel *m, const char *name)
{
    bool platform;
    if (!name)
        return NULL;
    name = unqualified(m, name, &platform);
    return platform ? FIND(m, platform_tables, platform_tables, HqTable) : FIND(m, tables, tables, HqTable);
}

HqEnum *model_find_enum(const HqModel *m, const char *name)
{
    return name ? FIND(m, enums, enums, HqEnum) : NULL;
}

HqFunction *model_find_function(const HqModel *m, const char *name)
{
    bool platform;
    if (!name)
        return NULL;
    name = unqualified(m, name, &platform);
    return platform ? FIND(m, platform_functions, platform_functions, HqFunction)
                    : FIND(m, functions, functions, HqFunction);
}

size_t model_table_pos(const HqModel *m, const HqTable *t)
{
    size_t i = t->platform ? (size_t)-1
                           : vecindex_pos(m->index ? m->arena : NULL, MX(m, tables), &m->tables, offsetof(HqTable, name),
                                          t->name);
    return i != (size_t)-1 && m->tables.items[i] == t ? i : m->tables.n;
}

size_t model_function_pos(const HqModel *m, const char *name)
{
    size_t i = vecindex_pos(m->index ? m->arena : NULL, MX(m, functions), &m->functions, offsetof(HqFunction, name),
                            name);
    return i != (size_t)-1 ? i : m->functions.n;
}

HqFunction *model_function_at(const HqModel *m, const char *name, const HqModule *mod)
{
    /* Versions of a name chain from the first through replaced_by, in
     * module order. */
    HqFunction *f = name ? FIND(m, all_functions, all_functions, HqFunction) : NULL;
    if (!f || model_module_after(f->module, mod))
        return NULL;
    while (f->replaced_by && !model_module_after(f->replaced_by->module, mod))
        f = f->replaced_by;
    return f;
}

HqExtension *model_find_extension(const HqModel *m, const char *name)
{
    return name ? FIND(m, extensions, extensions, HqExtension) : NULL;
}

HqColumn *model_find_column(const HqTable *t, const char *name)
{
    return vecindex_find(t->index ? t->index->arena : NULL, t->index ? &t->index->columns : NULL, &t->columns,
                         offsetof(HqColumn, name), name);
}

HqConstraint *model_find_constraint(const HqTable *t, const char *name)
{
    return vecindex_find(t->index ? t->index->arena : NULL, t->index ? &t->index->constraints : NULL,
                         &t->constraints, offsetof(HqConstraint, name), name);
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

/* Adds c to the list kept for `key` in map. */
static void index_change(HqArena *a, HqNameMap *map, const char *key, HqChange *c)
{
    HqVec *v = namemap_get(map, key);
    if (!v) {
        v = arena_alloc(a, sizeof *v);
        namemap_put(map, key, v);
    }
    vec_push(a, v, c);
}

/* The changes whose `field` is key, in declaration order; NULL without the
 * index (callers scan then). Changes are only ever appended. */
static const HqVec *changes_for(const HqModel *m, int field, const char *key)
{
    HqModelIndex *x = m->index;
    if (!x)
        return NULL;
    if (!x->changes_by_name || x->n_changes_indexed > m->changes.n) {
        x->changes_by_name = namemap_new(m->arena);
        x->changes_by_to = namemap_new(m->arena);
        x->changes_by_subject = namemap_new(m->arena);
        x->n_changes_indexed = 0;
    }
    for (; x->n_changes_indexed < m->changes.n; x->n_changes_indexed++) {
        HqChange *c = m->changes.items[x->n_changes_indexed];
        if (c->name)
            index_change(m->arena, x->changes_by_name, c->name, c);
        if (c->to)
            index_change(m->arena, x->changes_by_to, c->to, c);
        index_change(m->arena, x->changes_by_subject, c->subject ? c->subject : "", c);
    }
    static const HqVec none;
    HqNameMap *map = field == 0 ? x->changes_by_name : field == 1 ? x->changes_by_to : x->changes_by_subject;
    const HqVec *v = namemap_get(map, key);
    return v ? v : &none;
}

const HqChange *model_find_change(const HqModel *m, HqChangeKind kind, const char *table, const char *name)
{
    const HqVec *v = changes_for(m, 0, name);
    if (!v)
        v = &m->changes;
    for (size_t i = 0; i < v->n; i++) {
        const HqChange *c = v->items[i];
        if (c->kind == kind && change_names(c, table, name))
            return c;
    }
    return NULL;
}

const HqChange *model_find_rename_to(const HqModel *m, HqChangeKind kind, const char *table, const char *to)
{
    const HqVec *v = changes_for(m, 1, to);
    if (!v)
        v = &m->changes;
    for (size_t i = 0; i < v->n; i++) {
        const HqChange *c = v->items[i];
        if (c->kind == kind && c->to && !strcmp(c->to, to) && (!table || (c->table && !strcmp(c->table, table))))
            return c;
    }
    return NULL;
}

bool model_has_change(const HqModel *m, const HqChange *c)
{
    const HqVec *v = changes_for(m, 2, c->subject ? c->subject : "");
    if (!v)
        v = &m->changes;
    for (size_t i = 0; i < v->n; i++) {
        const HqChange *x = v->items[i];
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
