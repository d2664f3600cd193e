/* order.c - dependency order of the objects a module creates. Dependencies
 * come from the model (foreign keys, row types) and from the names SQL
 * fragments use (functions called by defaults and checks, tables read by
 * SQL-language function bodies). */
#include "model/order.h"

#include <stdint.h>
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
    HqNameMap *table_nodes;     /* table name -> first node of its table + 1 */
    HqNameMap *function_nodes;  /* function name -> first node of that name + 1 */
} Graph;

/* The node that creates `t`, or (unless created_only) that adds columns to it. */
static long node_of_table(const Graph *g, const HqTable *t, bool created_only)
{
    size_t i = (size_t)(uintptr_t)namemap_get(g->table_nodes, t->name);
    /* A module has one delta per table; a platform table shares no name. */
    if (!i || g->nodes[i - 1].table->table != t || (created_only && !g->nodes[i - 1].table->creates))
        return -1;
    return (long)i - 1;
}

static long node_of_function(const Graph *g, const char *schema, const char *name)
{
    if (schema && strcmp(schema, g->m->project.schema))
        return -1;
    return (long)(uintptr_t)namemap_get(g->function_nodes, name) - 1;
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

static void heap_push(size_t *h, size_t *n, size_t v)
{
    size_t i = (*n)++;
    for (; i && h[(i - 1) / 2] > v; i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
    h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *n)
{
    size_t top = h[0], last = h[--*n], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (h[c] >= last)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = last;
    return top;
}

void order_module(HqArena *a, const HqModel *m, const HqModule *mod, ModuleOrder *out)
{
    memset(out, 0, sizeof *out);
    Graph g = {a, m, 0, NULL, {0}, NULL, NULL};
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
    g.table_nodes = namemap_new(a);
    g.function_nodes = namemap_new(a);
    for (size_t i = g.n; i-- > 0;) /* backwards: the first node of a name wins */
        if (g.nodes[i].table)
            namemap_put(g.table_nodes, g.nodes[i].table->table->name, (void *)(uintptr_t)(i + 1));
        else
            namemap_put(g.function_nodes, g.nodes[i].function->name, (void *)(uintptr_t)(i + 1));

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

    /* Kahn's algorithm, always taking the lowest-numbered ready node: a
     * node is ready when no edge from it leads to a node not yet placed
     * (deferred foreign keys aside). Counts of such edges per node and a
     * min-heap of ready nodes keep it O(E + n log n). */
    size_t nn = g.n + 1;
    bool *done = arena_alloc(a, nn * sizeof *done);
    size_t *blocking = arena_alloc(a, nn * sizeof *blocking);  /* edges to unplaced nodes */
    size_t *plain = arena_alloc(a, nn * sizeof *plain);        /* of them, not foreign keys */
    HqVec *in = arena_alloc(a, nn * sizeof *in), *outgoing = arena_alloc(a, nn * sizeof *outgoing);
    for (size_t k = 0; k < g.edges.n; k++) {
        Edge *e = g.edges.items[k];
        blocking[e->from]++;
        plain[e->from] += !e->fk;
        vec_push(a, &in[e->to], e);
        vec_push(a, &outgoing[e->from], e);
    }
    size_t *heap = arena_alloc(a, nn * sizeof *heap), n_heap = 0;
    for (size_t i = 0; i < g.n; i++)
        if (!blocking[i])
            heap_push(heap, &n_heap, i);
    out->items = arena_alloc(a, nn * sizeof *out->items);
    HqPtrSet *deferred = ptrset_new(a);    /* the foreign keys in out->deferred_fks */
    size_t lowest = 0;                     /* no node below it is unplaced */
    while (out->n < g.n) {
        long pick = n_heap ? (long)heap_pop(heap, &n_heap) : -1;
        if (pick < 0) {
            /* A cycle: defer the foreign keys of the first table in it. */
            for (size_t i = lowest; i < g.n && pick < 0; i++) {
                if (done[i] || !g.nodes[i].table || plain[i])
                    continue;
                for (size_t k = 0; k < outgoing[i].n; k++) {
                    const Edge *e = outgoing[i].items[k];
                    if (!done[e->to] && e->fk && !ptrset_has(deferred, e->fk)) {
                        vec_push(a, &out->deferred_fks, (void *)e->fk);
                        ptrset_add(deferred, e->fk);
                    }
                }
                pick = (long)i;
            }
            if (pick < 0) /* not breakable by deferring: keep declaration order */
                for (size_t i = lowest; i < g.n && pick < 0; i++)
                    if (!done[i])
                        pick = (long)i;
        }
        done[pick] = true;
        out->items[out->n++] = g.nodes[pick];
        while (lowest < g.n && done[lowest])
            lowest++;
        /* Edges into the placed node block nothing any more. */
        for (size_t k = 0; k < in[pick].n; k++) {
            const Edge *e = in[pick].items[k];
            if (done[e->from])
                continue;
            plain[e->from] -= !e->fk;
            if (!--blocking[e->from])
                heap_push(heap, &n_heap, e->from);
        }
    }
    /* A foreign key to a table created later in this module is deferred. */
    HqNameMap *placed = namemap_new(a); /* table name -> first output position + 1 */
    for (size_t i = out->n; i-- > 0;)
        if (out->items[i].table)
            namemap_put(placed, out->items[i].table->table->name, (void *)(uintptr_t)(i + 1));
    for (size_t i = 0; i < out->n; i++) {
        const HqTableDelta *d = out->items[i].table;
        if (!d || !d->creates)
            continue;
        for (size_t k = 0; k < d->constraints.n; k++) {
            const HqConstraint *c = d->constraints.items[k];
            if (c->kind != HQ_CON_FOREIGN || !c->ref_table || c->ref_table == d->table || ptrset_has(deferred, c))
                continue;
            if (c->ref_table->module != mod)
                continue;
            size_t at = (size_t)(uintptr_t)namemap_get(placed, c->ref_table->name);
            bool before = at && at - 1 < i && out->items[at - 1].table->table == c->ref_table;
            if (!before) {
                vec_push(a, &out->deferred_fks, (void *)c);
                ptrset_add(deferred, c);
            }
        }
    }
    out->deferred = deferred;
}

bool order_fk_deferred(const ModuleOrder *o, const HqConstraint *fk)
{
    if (!fk)
        return false;
    if (o->deferred)
        return ptrset_has(o->deferred, fk);
    for (size_t i = 0; i < o->deferred_fks.n; i++)
        if (o->deferred_fks.items[i] == fk)
            return true;
    return false;
}
