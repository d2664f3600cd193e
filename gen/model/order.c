/* order.c - dependency order of the objects a module creates. Dependencies
 * come from the model (foreign keys, row types) and from the names SQL
 * fragments use (functions called by defaults and checks, tables read by
 * SQL-language function bodies). */
#include "model/order.h"

#include <string.h>

#include "base/sqlparse.h"

typedef struct {
    size_t from, to;            /* `from` must come after `to` */
    const HqConstraint *fk;     /* set when the edge is a foreign key */
} Edge;

typedef struct {
    HqArena *a;
    const HqModel *m;
    size_t n;
    OrderItem *nodes;
    HqVec edges;                /* Edge* */
} Graph;

/* The node that creates `t`, or (unless created_only) that adds columns to it. */
static long node_of_table(const Graph *g, const HqTable *t, bool created_only)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->nodes[i].table && g->nodes[i].table->table == t && (g->nodes[i].table->creates || !created_only))
            return (long)i;
    return -1;
}

static long node_of_function(const Graph *g, const char *schema, const char *name)
{
    if (schema && strcmp(schema, g->m->project.schema))
        return -1;
    for (size_t i = 0; i < g->n; i++)
        if (g->nodes[i].function && !strcmp(g->nodes[i].function->name, name))
            return (long)i;
    return -1;
}

static void edge(Graph *g, size_t from, long to, const HqConstraint *fk)
{
    if (to < 0 || (size_t)to == from)
        return;
    Edge *e = arena_alloc(g->a, sizeof *e);
    e->from = from;
    e->to = (size_t)to;
    e->fk = fk;
    vec_push(g->a, &g->edges, e);
}

static void calls_in(Graph *g, size_t from, const HqSql *s, bool statements)
{
    if (!s->text)
        return;
    SqlpRefs refs = {0};
    SqlpError err;
    size_t n;
    bool ok = statements ? sqlp_parse_statements(g->a, s->text, &refs, &n, NULL, &err)
                         : sqlp_parse_expr(g->a, s->text, &refs, &err);
    if (!ok)
        return;
    for (size_t i = 0; i < refs.functions.n; i++) {
        const SqlpName *f = refs.functions.items[i];
        edge(g, from, node_of_function(g, f->schema, f->name), NULL);
    }
    for (size_t i = 0; statements && i < refs.tables.n; i++) {
        const SqlpName *t = refs.tables.items[i];
        if (t->schema && strcmp(t->schema, g->m->project.schema))
            continue;
        const HqTable *tab = model_find_table(g->m, t->name);
        if (tab)
            edge(g, from, node_of_table(g, tab, false), NULL);
    }
}

static void type_dep(Graph *g, size_t from, const HqType *t)
{
    if (t->kind == HQ_TYPE_TABLE)
        edge(g, from, node_of_table(g, t->table_ref, false), NULL);
}

void order_module(HqArena *a, const HqModel *m, const HqModule *mod, ModuleOrder *out)
{
    memset(out, 0, sizeof *out);
    Graph g = {a, m, 0, NULL, {0}};
    g.nodes = arena_alloc(a, (mod->tables.n + mod->functions.n + 1) * sizeof *g.nodes);
    /* Changes to earlier tables first (this module's functions may read
     * their new columns), unless a new column's default calls a function
     * of this module. */
    for (size_t i = 0; i < mod->tables.n; i++) {
        HqTableDelta *d = mod->tables.items[i];
        if (!d->creates)
            g.nodes[g.n++].table = d;
    }
    for (size_t i = 0; i < mod->tables.n; i++) {
        HqTableDelta *d = mod->tables.items[i];
        if (d->creates)
            g.nodes[g.n++].table = d;
    }
    for (size_t i = 0; i < mod->functions.n; i++)
        g.nodes[g.n++].function = mod->functions.items[i];

    for (size_t i = 0; i < g.n; i++) {
        if (g.nodes[i].table) {
            const HqTableDelta *d = g.nodes[i].table;
            for (size_t k = 0; k < d->columns.n; k++) {
                const HqColumn *c = d->columns.items[k];
                calls_in(&g, i, &c->default_sql, false);
                calls_in(&g, i, &c->generated, false);
            }
            for (size_t k = 0; k < d->alters.n; k++)
                calls_in(&g, i, &((const HqColumnAlter *)d->alters.items[k])->default_sql, false);
            /* An earlier table's new constraints are added after every node. */
            for (size_t k = 0; d->creates && k < d->constraints.n; k++) {
                const HqConstraint *c = d->constraints.items[k];
                if (c->kind == HQ_CON_CHECK)
                    calls_in(&g, i, &c->check, false);
                if (c->kind == HQ_CON_FOREIGN && c->ref_table)
                    edge(&g, i, node_of_table(&g, c->ref_table, true), c);
            }
        } else {
            const HqFunction *f = g.nodes[i].function;
            for (size_t k = 0; k < f->n_args; k++) {
                type_dep(&g, i, &f->args[k].type);
                calls_in(&g, i, &f->args[k].default_sql, false);
            }
            type_dep(&g, i, &f->ret_type);
            if (!strcmp(f->language, "sql"))
                calls_in(&g, i, &f->body, true);
        }
    }

    /* Kahn's algorithm, always taking the lowest-numbered ready node. */
    bool *done = arena_alloc(a, (g.n + 1) * sizeof *done);
    out->items = arena_alloc(a, (g.n + 1) * sizeof *out->items);
    while (out->n < g.n) {
        long pick = -1;
        for (size_t i = 0; i < g.n && pick < 0; i++) {
            if (done[i])
                continue;
            bool ready = true;
            for (size_t k = 0; k < g.edges.n && ready; k++) {
                const Edge *e = g.edges.items[k];
                ready = !(e->from == i && !done[e->to] && !order_fk_deferred(out, e->fk));
            }
            if (ready)
                pick = (long)i;
        }
        if (pick < 0) {
            /* A cycle: defer the foreign keys of the first table in it. */
            for (size_t i = 0; i < g.n && pick < 0; i++) {
                if (done[i] || !g.nodes[i].table)
                    continue;
                bool only_fks = true;
                for (size_t k = 0; k < g.edges.n && only_fks; k++) {
                    const Edge *e = g.edges.items[k];
                    if (e->from == i && !done[e->to] && !e->fk)
                        only_fks = false;
                }
                if (!only_fks)
                    continue;
                for (size_t k = 0; k < g.edges.n; k++) {
                    const Edge *e = g.edges.items[k];
                    if (e->from == i && !done[e->to] && e->fk && !order_fk_deferred(out, e->fk))
                        vec_push(a, &out->deferred_fks, (void *)e->fk);
                }
                pick = (long)i;
            }
            if (pick < 0) /* not breakable by deferring: keep declaration order */
                for (size_t i = 0; i < g.n && pick < 0; i++)
                    if (!done[i])
                        pick = (long)i;
        }
        done[pick] = true;
        out->items[out->n++] = g.nodes[pick];
    }
    /* A foreign key to a table created later in this module is deferred. */
    for (size_t i = 0; i < out->n; i++) {
        const HqTableDelta *d = out->items[i].table;
        if (!d || !d->creates)
            continue;
        for (size_t k = 0; k < d->constraints.n; k++) {
            const HqConstraint *c = d->constraints.items[k];
            if (c->kind != HQ_CON_FOREIGN || !c->ref_table || c->ref_table == d->table || order_fk_deferred(out, c))
                continue;
            if (c->ref_table->module != mod)
                continue;
            bool before = false;
            for (size_t j = 0; j < i; j++)
                before |= out->items[j].table && out->items[j].table->table == c->ref_table;
            if (!before)
                vec_push(a, &out->deferred_fks, (void *)c);
        }
    }
}

bool order_fk_deferred(const ModuleOrder *o, const HqConstraint *fk)
{
    if (!fk)
        return false;
    for (size_t i = 0; i < o->deferred_fks.n; i++)
        if (o->deferred_fks.items[i] == fk)
            return true;
    return false;
}
