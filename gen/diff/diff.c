/* diff.c - compares the final states of two models object by object.
 * SQL fragments and bodies are compared as parse trees (libpg_query), so a
 * change of layout, comments or keyword case is not a change. */
#include "diff/diff.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sqlbuf.h"
#include "base/sqlparse.h"

typedef struct {
    HqArena *a;
    DiffResult *r;
    const HqModel *old_m, *new_m;
    HqVec shown;                    /* HqChange* of new_m already shown with an object */
} Diff;

/* The change of the new version that handles an old object (see `changes:`),
 * remembered so it is not listed again as a step of its own. */
static const HqChange *change_for(Diff *d, HqChangeKind kind, const char *table, const char *name)
{
    const HqChange *c = model_find_change(d->new_m, kind, table, name);
    if (c)
        vec_push(d->a, &d->shown, (void *)c);
    return c;
}

static const char *first_line(Diff *d, const char *s)
{
    return s ? arena_strndup(d->a, s, strcspn(s, "\n")) : NULL;
}

/* SQL on one line: runs of white space become one space. */
static const char *one_line(Diff *d, const char *s)
{
    char *out = arena_strdup(d->a, s), *w = out;
    for (const char *r = s; *r; r++) {
        bool space = *r == ' ' || *r == '\t' || *r == '\n' || *r == '\r';
        if (!space)
            *w++ = *r;
        else if (w > out && w[-1] != ' ')
            *w++ = ' ';
    }
    while (w > out && w[-1] == ' ')
        w--;
    *w = '\0';
    return out;
}

/* The name PostgreSQL-named objects of `o` (notes_pkey) carry once the table
 * is renamed to n (memos_pkey): a table rename takes them along. */
static const char *follow_rename(Diff *d, const HqTable *o, const HqTable *n, const char *name)
{
    size_t len = strlen(o->name);
    if (!strcmp(o->name, n->name) || strncmp(name, o->name, len) || name[len] != '_')
        return name;
    return arena_printf(d->a, "%s%s", n->name, name + len);
}

/* Same type, when a rename_type change is taken into account. */
static bool type_same(Diff *d, const HqType *o, const HqType *n)
{
    if (!strcmp(o->sql, n->sql))
        return true;
    const HqChange *rn = model_find_rename_to(d->new_m, HQ_CHG_RENAME_TYPE, NULL, n->name);
    return rn && !strcmp(o->name, rn->name) && o->array_dims == n->array_dims;
}

/* The module of the new version that drops `name` from table n with
 * drop_constraints / drop_indexes / drop_policies / drop_triggers. */
static const HqModule *dropped_by_module(const HqTable *n, const char *kind, const char *name)
{
    for (size_t i = 0; i < n->deltas.n; i++) {
        const HqTableDelta *delta = n->deltas.items[i];
        const HqVec *v = !strcmp(kind, "constraint") ? &delta->drop_constraints
                         : !strcmp(kind, "index")    ? &delta->drop_indexes
                         : !strcmp(kind, "policy")   ? &delta->drop_policies
                                                     : &delta->drop_triggers;
        for (size_t k = 0; k < v->n; k++)
            if (!strcmp(v->items[k], name))
                return delta->module;
    }
    return NULL;
}

/* "; replaced (M)" when module M of the new version drops `name` and declares
 * it again (the way to change a constraint or index under its name); else "". */
static const char *replaced_by(Diff *d, const HqTable *n, const char *kind, const char *name)
{
    const HqModule *m = dropped_by_module(n, kind, name);
    return m ? arena_printf(d->a, "; dropped and re-created (%s)", m->name) : "";
}

static const char *by_change(Diff *d, const HqChange *c);

/* How an object of the old version that the new one no longer has leaves
 * existing databases: by a change, by a module's drop list, or not at all. */
static const char *removal(Diff *d, const HqTable *n, const char *kind, HqChangeKind change, const char *name,
                           const char *old_name)
{
    /* indexes are named per schema, not per table */
    const char *table = change == HQ_CHG_DROP_INDEX ? NULL : n->platform ? n->qname : n->name;
    const HqChange *c = change_for(d, change, table, name);
    if (!c && old_name != name)
        c = change_for(d, change, table, old_name);
    if (c)
        return arena_printf(d->a, "; dropped%s", by_change(d, c));
    const HqModule *m = dropped_by_module(n, kind, old_name);
    if (m)
        return arena_printf(d->a, "; dropped (%s)", m->name);
    return arena_printf(d->a, "; no drop_%s change, so existing databases keep it", kind);
}

/* " (module M: doc)" for a change; "" without one. */
static const char *by_change(Diff *d, const HqChange *c)
{
    if (!c)
        return "";
    return c->doc ? arena_printf(d->a, " (%s: %s)", c->module->name, first_line(d, c->doc))
                  : arena_printf(d->a, " (%s)", c->module->name);
}

static void add(Diff *d, DiffClass cls, const char *kind, const char *object, const char *what, const char *detail)
{
    DiffChange *c = arena_alloc(d->a, sizeof *c);
    c->cls = cls;
    c->kind = kind;
    c->object = object;
    c->what = what;
    c->detail = detail;
    vec_push(d->a, &d->r->changes, c);
}

static bool str_eq(const char *x, const char *y)
{
    return (!x && !y) || (x && y && !strcmp(x, y));
}

/* Two SQL expressions mean the same when their parse trees are equal. */
static bool expr_eq(Diff *d, const HqSql *x, const HqSql *y)
{
    if (!x->text || !y->text)
        return !x->text && !y->text;
    if (!strcmp(x->text, y->text))
        return true;
    const char *cx = sqlp_canonical(d->a, arena_printf(d->a, "SELECT %s", x->text), false);
    const char *cy = sqlp_canonical(d->a, arena_printf(d->a, "SELECT %s", y->text), false);
    return cx && cy && !strcmp(cx, cy);
}

static const char *or_none(const char *s)
{
    return s ? s : "(none)";
}

/* ---- columns, constraints, indexes -------------------------------------- */

static void diff_columns(Diff *d, const HqTable *o, const HqTable *n)
{
    for (size_t i = 0; i < o->columns.n; i++) {
        const HqColumn *oc = o->columns.items[i];
        const HqColumn *nc = model_find_column(n, oc->name);
        const char *obj = arena_printf(d->a, "%s.%s", n->name, oc->name);
        const HqChange *rn = nc ? NULL : change_for(d, HQ_CHG_RENAME_COLUMN, n->name, oc->name);
        if (rn && (nc = model_find_column(n, rn->to)) != NULL)
            add(d, DIFF_BREAKING, "column", obj, "renamed",
                arena_printf(d->a, "to %s%s; callers using the old name break", rn->to, by_change(d, rn)));
        if (!nc) {
            const HqChange *drop = change_for(d, HQ_CHG_DROP_COLUMN, n->name, oc->name);
            add(d, DIFF_DESTRUCTIVE, "column", obj, "removed",
                drop && drop->sql.text
                    ? arena_printf(d->a, "its data moved first by %s, then dropped%s", one_line(d, drop->sql.text),
                                   by_change(d, drop))
                : drop ? arena_printf(d->a, "dropped%s", by_change(d, drop))
                     : arena_printf(d->a, "its data is dropped (%s); no drop_column change, so existing databases keep it",
                                    oc->type.sql));
            continue;
        }
        if (!type_same(d, &oc->type, &nc->type)) {
            const HqChange *ct = change_for(d, HQ_CHG_CHANGE_TYPE, n->name, nc->name);
            add(d, DIFF_LOCK, "column", obj, "changed",
                ct ? arena_printf(d->a, "type %s -> %s, converted USING %s%s (rewrites the table)", oc->type.sql,
                                  nc->type.sql, ct->using_sql.text, by_change(d, ct))
                : nc->type.enum_ref && model_find_change(d->new_m, HQ_CHG_RECREATE_ENUM, NULL, nc->type.enum_ref->name)
                    ? arena_printf(d->a, "type %s -> %s (rewrites the table)", oc->type.sql, nc->type.sql)
                    : arena_printf(d->a, "type %s -> %s (rewrites the table); no change_type step, so existing "
                                         "databases keep the old type", oc->type.sql, nc->type.sql));
        }
        if (oc->final_not_null != nc->final_not_null)
            add(d, nc->final_not_null ? DIFF_LOCK : DIFF_SAFE, "column", obj, "changed",
                nc->final_not_null ? "becomes NOT NULL (scans the table; fails on NULL rows)" : "becomes nullable");
        if (!expr_eq(d, &oc->final_default, &nc->final_default))
            add(d, DIFF_SAFE, "column", obj, "changed",
                arena_printf(d->a, "default %s -> %s", or_none(oc->final_default.text), or_none(nc->final_default.text)));
        if (!expr_eq(d, &oc->generated, &nc->generated))
            add(d, DIFF_LOCK, "column", obj, "changed", "generation expression changed (rewrites the table)");
    }
    for (size_t i = 0; i < n->columns.n; i++) {
        const HqColumn *nc = n->columns.items[i];
        const HqChange *rn = model_find_rename_to(d->new_m, HQ_CHG_RENAME_COLUMN, n->name, nc->name);
        if (model_find_column(o, nc->name) || (rn && model_find_column(o, rn->name)))
            continue;
        /* Existing databases have rows in this table: a NOT NULL column
         * needs a value for them (lint rule not_null_column_without_default). */
        bool needs_value = nc->final_not_null && !nc->final_default.text && !nc->generated.text && !nc->identity &&
                           !nc->backfill.text;
        const char *def = arena_printf(d->a, "%s%s%s%s", nc->type.sql, nc->final_not_null ? " NOT NULL" : "",
                                       nc->final_default.text ? " DEFAULT " : "",
                                       nc->final_default.text ? nc->final_default.text : "");
        add(d, needs_value ? DIFF_BREAKING : nc->backfill.text ? DIFF_LOCK : DIFF_SAFE, "column",
            arena_printf(d->a, "%s.%s", n->name, nc->name), "added",
            needs_value ? arena_printf(d->a, "%s; fails when the table has rows: give existing rows a value with "
                                             "`backfill: <sql>` (or a default)", def)
            : nc->backfill.text ? arena_printf(d->a, "%s; existing rows backfilled with %s (updates every row)", def,
                                               nc->backfill.text)
                                : def);
    }
}

static const char *constraint_text(Diff *d, const HqConstraint *c)
{
    StrBuf b;
    strbuf_init(&b);
    static const char *const kinds[] = {"PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CHECK"};
    strbuf_puts(&b, kinds[c->kind]);
    if (c->kind == HQ_CON_CHECK) {
        strbuf_puts(&b, " (");
        if (c->pattern)
            strbuf_printf(&b, "%s ~ '%s'", c->columns[0], c->pattern);
        else
            strbuf_puts(&b, c->check.text ? c->check.text : "");
        strbuf_putc(&b, ')');
    } else {
        strbuf_puts(&b, " (");
        for (size_t i = 0; i < c->n_columns; i++)
            strbuf_printf(&b, "%s%s", i ? ", " : "", c->columns[i]);
        strbuf_putc(&b, ')');
    }
    if (c->kind == HQ_CON_FOREIGN) {
        strbuf_printf(&b, " -> %s", c->ref_table_name);
        if (c->on_delete)
            strbuf_printf(&b, " ON DELETE %s", model_fk_action_sql(c->on_delete));
        if (c->on_update)
            strbuf_printf(&b, " ON UPDATE %s", model_fk_action_sql(c->on_update));
    }
    const char *s = arena_strdup(d->a, b.data);
    strbuf_free(&b);
    return s;
}

static bool constraint_eq(Diff *d, const HqConstraint *x, const HqConstraint *y)
{
    if (x->kind != y->kind || x->n_columns != y->n_columns || x->on_delete != y->on_delete ||
        x->on_update != y->on_update || !str_eq(x->ref_table_name, y->ref_table_name) || !str_eq(x->pattern, y->pattern))
        return false;
    for (size_t i = 0; i < x->n_columns; i++)
        if (strcmp(x->columns[i], y->columns[i]))
            return false;
    return x->kind != HQ_CON_CHECK || x->pattern || expr_eq(d, &x->check, &y->check);
}

static void diff_constraints(Diff *d, const HqTable *o, const HqTable *n)
{
    for (size_t i = 0; i < o->constraints.n; i++) {
        const HqConstraint *oc = o->constraints.items[i];
        const char *now = follow_rename(d, o, n, oc->name);
        const HqConstraint *nc = model_find_constraint(n, now);
        const char *obj = arena_printf(d->a, "%s.%s", n->name, oc->name);
        if (!nc)
            add(d, DIFF_SAFE, "constraint", obj, "removed",
                arena_printf(d->a, "%s%s", constraint_text(d, oc),
                             removal(d, n, "constraint", HQ_CHG_DROP_CONSTRAINT, now, oc->name)));
        else if (!constraint_eq(d, oc, nc))
            add(d, DIFF_LOCK, "constraint", obj, "changed",
                arena_printf(d->a, "%s -> %s (validates every row)%s", constraint_text(d, oc), constraint_text(d, nc),
                             replaced_by(d, n, "constraint", nc->name)));
    }
    for (size_t i = 0; i < n->constraints.n; i++) {
        const HqConstraint *nc = n->constraints.items[i];
        if (!model_find_constraint(o, nc->name) && !model_find_constraint(o, follow_rename(d, n, o, nc->name)))
            add(d, DIFF_LOCK, "constraint", arena_printf(d->a, "%s.%s", n->name, nc->name), "added",
                arena_printf(d->a, "%s (validates every row; existing rows that violate it stop the migration)",
                             constraint_text(d, nc)));
    }
}

static const HqIndex *find_index(const HqTable *t, const char *name)
{
    for (size_t i = 0; i < t->indexes.n; i++)
        if (!strcmp(((HqIndex *)t->indexes.items[i])->name, name))
            return t->indexes.items[i];
    return NULL;
}

static bool index_eq(Diff *d, const HqIndex *x, const HqIndex *y)
{
    if (x->unique != y->unique || strcmp(x->method, y->method) || x->n_keys != y->n_keys || x->n_with != y->n_with ||
        !expr_eq(d, &x->where, &y->where))
        return false;
    for (size_t i = 0; i < x->n_keys; i++)
        if (strcmp(x->keys[i].text, y->keys[i].text))
            return false;
    for (size_t i = 0; i < x->n_with; i++)
        if (strcmp(x->with_names[i], y->with_names[i]) || !str_eq(x->with_values[i], y->with_values[i]))
            return false;
    return true;
}

/* "(tenant_id, kind DESC) WHERE cond", with the method when not btree. */
static const char *index_text(Diff *d, const HqIndex *ix)
{
    StrBuf b;
    strbuf_init(&b);
    if (ix->unique)
        strbuf_puts(&b, "unique ");
    if (strcmp(ix->method, "btree"))
        strbuf_printf(&b, "using %s ", ix->method);
    strbuf_putc(&b, '(');
    for (size_t i = 0; i < ix->n_keys; i++)
        strbuf_printf(&b, "%s%s", i ? ", " : "", ix->keys[i].text);
    strbuf_putc(&b, ')');
    if (ix->where.text)
        strbuf_printf(&b, " WHERE %s", one_line(d, ix->where.text));
    const char *s = arena_strdup(d->a, b.data);
    strbuf_free(&b);
    return s;
}

static void diff_indexes(Diff *d, const HqTable *o, const HqTable *n)
{
    for (size_t i = 0; i < o->indexes.n; i++) {
        const HqIndex *oi = o->indexes.items[i];
        const char *now = follow_rename(d, o, n, oi->name);
        const HqIndex *ni = find_index(n, now);
        if (!ni)
            add(d, DIFF_SAFE, "index", oi->name, "removed",
                arena_printf(d->a, "on %s%s", n->name, removal(d, n, "index", HQ_CHG_DROP_INDEX, now, oi->name)));
        else if (!index_eq(d, oi, ni))
            add(d, DIFF_LOCK, "index", oi->name, "changed",
                arena_printf(d->a, "on %s %s -> %s%s", n->name, index_text(d, oi), index_text(d, ni),
                             *replaced_by(d, n, "index", ni->name)
                                 ? arena_printf(d->a, "%s, blocking writes while it builds",
                                                replaced_by(d, n, "index", ni->name))
                                 : "; rebuilt, blocking writes (needs an explicit replace step)"));
    }
    for (size_t i = 0; i < n->indexes.n; i++) {
        const HqIndex *ni = n->indexes.items[i];
        if (!find_index(o, ni->name) && !find_index(o, follow_rename(d, n, o, ni->name)))
            add(d, DIFF_LOCK, "index", ni->name, "added",
                arena_printf(d->a, "%son %s using %s; blocks writes while it builds%s", ni->unique ? "unique, " : "",
                             n->name, ni->method, ni->unique ? "; duplicate existing rows stop the migration" : ""));
    }
}

/* ---- access: RLS, policies, grants ------------------------------------- */

static const char *roles_text(Diff *d, const char *const *roles, size_t n)
{
    if (!n)
        return "everyone";
    StrBuf b;
    strbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&b, "%s%s", i ? (i + 1 == n ? " and " : ", ") : "", roles[i]);
    const char *s = arena_strdup(d->a, b.data);
    strbuf_free(&b);
    return s;
}

static const char *policy_words(Diff *d, const HqPolicy *p)
{
    static const char *const verbs[] = {"read and write", "read", "insert", "update", "delete"};
    const char *cond = p->using_sql.text ? p->using_sql.text : p->check_sql.text;
    return arena_printf(d->a, "%s may %s rows%s%s%s", roles_text(d, p->roles, p->n_roles), verbs[p->command],
                        cond && strcmp(cond, "true") ? " where " : "", cond && strcmp(cond, "true") ? cond : "",
                        p->restrictive ? " (restrictive)" : "");
}

static const HqPolicy *find_policy(const HqTable *t, const char *name)
{
    for (size_t i = 0; i < t->policies.n; i++)
        if (!strcmp(((HqPolicy *)t->policies.items[i])->name, name))
            return t->policies.items[i];
    return NULL;
}

static bool roles_eq(const char *const *x, size_t nx, const char *const *y, size_t ny)
{
    if (nx != ny)
        return false;
    for (size_t i = 0; i < nx; i++)
        if (strcmp(x[i], y[i]))
            return false;
    return true;
}

static void diff_policies(Diff *d, const HqTable *o, const HqTable *n)
{
    for (size_t i = 0; i < o->policies.n; i++) {
        const HqPolicy *op = o->policies.items[i];
        const HqPolicy *np = find_policy(n, op->name);
        const char *obj = arena_printf(d->a, "%s: \"%s\"", n->name, op->name);
        if (!np) {
            add(d, DIFF_BREAKING, "policy", obj, "removed",
                arena_printf(d->a, "no longer: %s%s", policy_words(d, op),
                             removal(d, n, "policy", HQ_CHG_DROP_POLICY, op->name, op->name)));
        } else if (op->command != np->command || op->restrictive != np->restrictive ||
                   !roles_eq(op->roles, op->n_roles, np->roles, np->n_roles) || !expr_eq(d, &op->using_sql, &np->using_sql) ||
                   !expr_eq(d, &op->check_sql, &np->check_sql)) {
            add(d, DIFF_BREAKING, "policy", obj, "changed",
                arena_printf(d->a, "was: %s; now: %s", policy_words(d, op), policy_words(d, np)));
        }
    }
    for (size_t i = 0; i < n->policies.n; i++) {
        const HqPolicy *np = n->policies.items[i];
        if (!find_policy(o, np->name))
            add(d, DIFF_SAFE, "policy", arena_printf(d->a, "%s: \"%s\"", n->name, np->name), "added",
                policy_words(d, np));
    }
    if (o->rls != n->rls) {
        static const char *const rls[] = {"unset", "enabled", "forced", "disabled"};
        bool opens = n->rls == HQ_RLS_DISABLED || n->rls == HQ_RLS_UNSET;
        add(d, opens ? DIFF_SAFE : DIFF_BREAKING, "rls", n->name, "changed",
            arena_printf(d->a, "row level security %s -> %s%s", rls[o->rls], rls[n->rls],
                         opens ? " (policies no longer apply: every granted role sees every row)" : ""));
    }
}

/* Effective (role, privilege[, column]) pairs of a table's grants. */
static void grant_pairs(Diff *d, const HqTable *t, HqVec *out)
{
    static const char *const all[] = {"select", "insert", "update", "delete", "truncate", "references", "trigger"};
    for (size_t i = 0; i < t->grants.n; i++) {
        const HqGrant *g = t->grants.items[i];
        for (size_t r = 0; r < g->n_roles; r++)
            for (size_t p = 0; p < g->n_privileges; p++) {
                bool is_all = !strcmp(g->privileges[p], "all");
                for (size_t k = 0; k < (is_all ? 7u : 1u); k++) {
                    const char *priv = is_all ? all[k] : g->privileges[p];
                    for (size_t c = 0; c < (g->n_columns ? g->n_columns : 1); c++) {
                        const char *pair = arena_printf(d->a, "%s %s%s%s%s", g->roles[r], priv,
                                                        g->n_columns ? " (" : "", g->n_columns ? g->columns[c] : "",
                                                        g->n_columns ? ")" : "");
                        /* a revoke removes an earlier grant */
                        bool found = false;
                        for (size_t x = 0; x < out->n; x++)
                            if (!strcmp(out->items[x], pair)) {
                                found = true;
                                if (g->revoke) {
                                    out->items[x] = out->items[--out->n];
                                }
                                break;
                            }
                        if (!found && !g->revoke)
                            vec_push(d->a, out, (void *)pair);
                    }
                }
            }
    }
}

static bool has_pair(const HqVec *v, const char *pair)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->items[i], pair))
            return true;
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per table and direction: "gains authenticated truncate, ...". */
static void diff_grants(Diff *d, const HqTable *o, const HqTable *n)
{
    HqVec og = {0}, ng = {0};
    grant_pairs(d, o, &og);
    grant_pairs(d, n, &ng);
    if (og.n)
        qsort(og.items, og.n, sizeof *og.items, cmp_str);
    if (ng.n)
        qsort(ng.items, ng.n, sizeof *ng.items, cmp_str);
    for (int lost = 1; lost >= 0; lost--) {
        const HqVec *from = lost ? &og : &ng, *to = lost ? &ng : &og;
        StrBuf b;
        strbuf_init(&b);
        for (size_t i = 0; i < from->n; i++)
            if (!has_pair(to, from->items[i]))
                strbuf_printf(&b, "%s%s", b.len ? ", " : "", (char *)from->items[i]);
        if (b.len)
            add(d, lost ? DIFF_BREAKING : DIFF_SAFE, "grant", n->name, lost ? "removed" : "added",
                arena_printf(d->a, "%s %s", lost ? "loses" : "gains", b.data));
        strbuf_free(&b);
    }
}

/* ---- triggers, realtime --------------------------------------------------- */

static const HqTrigger *find_trigger(const HqTable *t, const char *name)
{
    for (size_t i = 0; i < t->triggers.n; i++)
        if (!strcmp(((HqTrigger *)t->triggers.items[i])->name, name))
            return t->triggers.items[i];
    return NULL;
}

static bool trigger_eq(Diff *d, const HqTrigger *x, const HqTrigger *y)
{
    if (x->timing != y->timing || x->events != y->events || x->for_statement != y->for_statement ||
        !str_eq(x->function_name, y->function_name) || x->n_args != y->n_args || x->n_update_of != y->n_update_of ||
        !expr_eq(d, &x->when, &y->when))
        return false;
    for (size_t i = 0; i < x->n_args; i++)
        if (strcmp(x->args[i], y->args[i]))
            return false;
    for (size_t i = 0; i < x->n_update_of; i++)
        if (strcmp(x->update_of[i], y->update_of[i]))
            return false;
    return true;
}

static void diff_table_rest(Diff *d, const HqTable *o, const HqTable *n)
{
    for (size_t i = 0; i < o->triggers.n; i++) {
        const HqTrigger *ot = o->triggers.items[i];
        const HqTrigger *nt = find_trigger(n, ot->name);
        const char *obj = arena_printf(d->a, "%s.%s", n->name, ot->name);
        if (!nt)
            add(d, DIFF_SAFE, "trigger", obj, "removed",
                arena_printf(d->a, "no longer calls %s()%s", ot->function_name,
                             removal(d, n, "trigger", HQ_CHG_DROP_TRIGGER, ot->name, ot->name)));
        else if (!trigger_eq(d, ot, nt))
            add(d, DIFF_SAFE, "trigger", obj, "changed", arena_printf(d->a, "calls %s()", nt->function_name));
    }
    for (size_t i = 0; i < n->triggers.n; i++) {
        const HqTrigger *nt = n->triggers.items[i];
        if (!find_trigger(o, nt->name))
            add(d, DIFF_SAFE, "trigger", arena_printf(d->a, "%s.%s", n->name, nt->name), "added",
                arena_printf(d->a, "calls %s()", nt->function_name));
    }
    if (o->realtime != n->realtime)
        add(d, DIFF_SAFE, "realtime", n->name, n->realtime ? "added" : "removed",
            n->realtime ? "changes are published to realtime subscribers" : "changes are no longer published");
    if (o->replica_identity != n->replica_identity) {
        static const char *const ri[] = {"default", "default", "full", "nothing"};
        add(d, DIFF_SAFE, "replica identity", n->name, "changed",
            arena_printf(d->a, "%s -> %s", ri[o->replica_identity], ri[n->replica_identity]));
    }
}

static void diff_tables(Diff *d, const HqModel *o, const HqModel *n)
{
    for (size_t i = 0; i < o->tables.n; i++) {
        const HqTable *ot = o->tables.items[i];
        const HqTable *nt = model_find_table(n, ot->name);
        const HqChange *rn = nt ? NULL : change_for(d, HQ_CHG_RENAME_TABLE, NULL, ot->name);
        if (rn && (nt = model_find_table(n, rn->to)) != NULL)
            add(d, DIFF_BREAKING, "table", ot->name, "renamed",
                arena_printf(d->a, "to %s%s; rows kept, callers using the old name break", rn->to, by_change(d, rn)));
        if (!nt) {
            const HqChange *drop = change_for(d, HQ_CHG_DROP_TABLE, NULL, ot->name);
            add(d, DIFF_DESTRUCTIVE, "table", ot->name, "removed",
                !drop ? arena_printf(d->a, "%zu columns; no drop_table change, so existing databases keep it",
                                     ot->columns.n)
                : drop->sql.text ? arena_printf(d->a, "rows moved, then dropped%s", by_change(d, drop))
                                 : arena_printf(d->a, "%zu columns and all rows are dropped%s", ot->columns.n,
                                                by_change(d, drop)));
            continue;
        }
        diff_columns(d, ot, nt);
        diff_constraints(d, ot, nt);
        diff_indexes(d, ot, nt);
        diff_policies(d, ot, nt);
        diff_grants(d, ot, nt);
        diff_table_rest(d, ot, nt);
    }
    for (size_t i = 0; i < n->tables.n; i++) {
        const HqTable *nt = n->tables.items[i];
        const HqChange *rn = model_find_rename_to(d->new_m, HQ_CHG_RENAME_TABLE, NULL, nt->name);
        if (!model_find_table(o, nt->name) && !(rn && model_find_table(o, rn->name)))
            add(d, DIFF_SAFE, "table", nt->name, "added",
                arena_printf(d->a, "%zu columns%s%s", nt->columns.n, nt->doc ? ": " : "",
                             nt->doc ? arena_strndup(d->a, nt->doc, strcspn(nt->doc, "\n")) : ""));
    }
    /* Platform tables carry policies and triggers too. */
    for (size_t i = 0; i < n->platform_tables.n; i++) {
        const HqTable *nt = n->platform_tables.items[i];
        const HqTable *ot = model_find_table(o, nt->name);
        if (ot) {
            diff_policies(d, ot, nt);
            diff_table_rest(d, ot, nt);
        }
    }
}

/* ---- enums, functions, cron, seeds -------------------------------------- */

static void diff_enums(Diff *d, const HqModel *o, const HqModel *n)
{
    for (size_t i = 0; i < o->enums.n; i++) {
        const HqEnum *oe = o->enums.items[i];
        const HqEnum *ne = model_find_enum(n, oe->name);
        const HqChange *rn = ne ? NULL : change_for(d, HQ_CHG_RENAME_TYPE, NULL, oe->name);
        if (rn && (ne = model_find_enum(n, rn->to)) != NULL)
            add(d, DIFF_BREAKING, "enum", oe->name, "renamed", arena_printf(d->a, "to %s%s", rn->to, by_change(d, rn)));
        if (!ne) {
            const HqChange *drop = change_for(d, HQ_CHG_DROP_TYPE, NULL, oe->name);
            add(d, DIFF_DESTRUCTIVE, "enum", oe->name, "removed",
                drop ? arena_printf(d->a, "dropped%s", by_change(d, drop))
                     : "no drop_type change, so existing databases keep it");
            continue;
        }
        const HqChange *rebuild = change_for(d, HQ_CHG_RECREATE_ENUM, NULL, ne->name);
        size_t pos = 0;
        bool moved = false;
        for (size_t k = 0; k < oe->values.n; k++) {
            const char *v = ((HqEnumValue *)oe->values.items[k])->name;
            const char *obj = arena_printf(d->a, "%s.%s", oe->name, v);
            const HqChange *vr = change_for(d, HQ_CHG_RENAME_VALUE, ne->name, v);
            const char *now = vr ? vr->to : v;
            size_t at = 0;
            while (at < ne->values.n && strcmp(((HqEnumValue *)ne->values.items[at])->name, now))
                at++;
            if (vr && at < ne->values.n)
                add(d, DIFF_BREAKING, "enum value", obj, "renamed",
                    arena_printf(d->a, "to '%s'%s; rows follow, callers using the old label break", vr->to, by_change(d, vr)));
            if (at == ne->values.n) {
                const char *to = NULL;
                for (size_t x = 0; rebuild && x < rebuild->n_map; x++)
                    if (!strcmp(rebuild->map[x].from, v))
                        to = rebuild->map[x].to;
                add(d, DIFF_DESTRUCTIVE, "enum value", obj, "removed",
                    to ? arena_printf(d->a, "rows holding it get '%s'%s", to, by_change(d, rebuild))
                    : rebuild ? arena_printf(d->a, "the upgrade stops while rows hold it%s", by_change(d, rebuild))
                              : "no recreate_enum change, so existing databases keep it");
            } else if (at < pos) {
                moved = true;
            } else {
                pos = at;
            }
        }
        if (moved)
            add(d, DIFF_BREAKING, "enum", ne->name, "changed",
                rebuild ? arena_printf(d->a, "values reordered: the sort order changes; type recreated%s", by_change(d, rebuild))
                        : "values reordered: the sort order changes; no recreate_enum change, so existing databases "
                          "keep the old order");
        for (size_t k = 0; k < ne->values.n; k++) {
            const char *v = ((HqEnumValue *)ne->values.items[k])->name;
            bool found = false;
            for (size_t x = 0; x < oe->values.n && !found; x++)
                found = !strcmp(((HqEnumValue *)oe->values.items[x])->name, v);
            const HqChange *vr = model_find_rename_to(d->new_m, HQ_CHG_RENAME_VALUE, ne->name, v);
            for (size_t x = 0; vr && x < oe->values.n && !found; x++)
                found = !strcmp(((HqEnumValue *)oe->values.items[x])->name, vr->name);
            if (!found)
                add(d, DIFF_SAFE, "enum value", arena_printf(d->a, "%s.%s", ne->name, v), "added", NULL);
        }
    }
    for (size_t i = 0; i < n->enums.n; i++) {
        const HqEnum *ne = n->enums.items[i];
        const HqChange *rn = model_find_rename_to(d->new_m, HQ_CHG_RENAME_TYPE, NULL, ne->name);
        if (!model_find_enum(o, ne->name) && !(rn && model_find_enum(o, rn->name)))
            add(d, DIFF_SAFE, "enum", ne->name, "added", arena_printf(d->a, "%zu values", ne->values.n));
    }
}

static const char *signature_text(Diff *d, const HqFunction *f)
{
    StrBuf b;
    strbuf_init(&b);
    strbuf_printf(&b, "%s(", f->name);
    sqlbuf_function_args(&b, f, true);
    strbuf_puts(&b, ") -> ");
    switch (f->ret_kind) {
    case HQ_RET_TABLE:
        strbuf_puts(&b, "TABLE(");
        for (size_t i = 0; i < f->n_out; i++)
            strbuf_printf(&b, "%s%s %s", i ? ", " : "", f->out[i].name, f->out[i].type.sql);
        strbuf_putc(&b, ')');
        break;
    case HQ_RET_SETOF:
        strbuf_printf(&b, "SETOF %s", f->ret_type.sql);
        break;
    case HQ_RET_SCALAR:
        strbuf_puts(&b, f->ret_type.sql);
        break;
    case HQ_RET_TRIGGER:
        strbuf_puts(&b, "trigger");
        break;
    case HQ_RET_VOID:
        strbuf_puts(&b, "void");
        break;
    }
    const char *s = arena_strdup(d->a, b.data);
    strbuf_free(&b);
    return s;
}

static bool body_eq(Diff *d, const HqFunction *x, const HqFunction *y)
{
    if (!strcmp(x->body.text, y->body.text))
        return true;
    if (strcmp(x->language, y->language))
        return false;
    bool plpgsql = !strcmp(x->language, "plpgsql");
    const char *cx, *cy;
    if (plpgsql) {
        StrBuf bx, by;
        strbuf_init(&bx);
        strbuf_init(&by);
        sqlbuf_create_function(&bx, x, NULL);
        sqlbuf_create_function(&by, y, NULL);
        cx = sqlp_canonical(d->a, bx.data, true);
        cy = sqlp_canonical(d->a, by.data, true);
        strbuf_free(&bx);
        strbuf_free(&by);
    } else {
        cx = sqlp_canonical(d->a, x->body.text, false);
        cy = sqlp_canonical(d->a, y->body.text, false);
    }
    return cx && cy && !strcmp(cx, cy);
}

static void diff_functions(Diff *d, const HqModel *o, const HqModel *n)
{
    for (size_t i = 0; i < o->functions.n; i++) {
        const HqFunction *of = o->functions.items[i];
        const HqFunction *nf = model_find_function(n, of->name);
        const HqChange *rn = nf ? NULL : change_for(d, HQ_CHG_RENAME_FUNCTION, NULL, of->name);
        if (rn && (nf = model_find_function(n, rn->to)) != NULL)
            add(d, DIFF_BREAKING, "function", of->name, "renamed",
                arena_printf(d->a, "to %s%s; callers using the old name break", rn->to, by_change(d, rn)));
        const HqChange *drop = change_for(d, HQ_CHG_DROP_FUNCTION, NULL, of->name);
        if (!nf) {
            add(d, of->ret_kind == HQ_RET_TRIGGER ? DIFF_SAFE : DIFF_BREAKING, "function", of->name, "removed",
                arena_printf(d->a, "%s%s", of->ret_kind == HQ_RET_TRIGGER ? "trigger function" : "callers of this RPC break",
                             drop ? by_change(d, drop) : "; no drop_function change, so existing databases keep it"));
            continue;
        }
        /* Compared without the name, which a rename changes. */
        const char *os = signature_text(d, of), *ns = signature_text(d, nf);
        if (strcmp(strchr(os, '('), strchr(ns, '(')))
            add(d, DIFF_BREAKING, "function", of->name, "changed",
                arena_printf(d->a, "signature %s -> %s%s", os, ns,
                             drop ? arena_printf(d->a, "; old version dropped%s", by_change(d, drop))
                                  : "; no drop_function change, so existing databases keep the old version too"));
        if (!body_eq(d, of, nf))
            add(d, DIFF_SAFE, "function", of->name, "changed", "body changed");
        if (of->security_definer != nf->security_definer)
            add(d, DIFF_SAFE, "function", of->name, "changed",
                nf->security_definer ? "now SECURITY DEFINER (runs with the owner's rights)" : "now SECURITY INVOKER");
        if (of->volatility != nf->volatility || !str_eq(of->search_path, nf->search_path))
            add(d, DIFF_SAFE, "function", of->name, "changed", "volatility or search_path changed");
        for (size_t k = 0; k < of->n_grants; k++) {
            bool kept = false;
            for (size_t x = 0; x < nf->n_grants && !kept; x++)
                kept = !strcmp(of->grants[k], nf->grants[x]);
            if (!kept)
                add(d, DIFF_BREAKING, "function grant", of->name, "removed",
                    arena_printf(d->a, "%s may no longer execute it", of->grants[k]));
        }
        for (size_t k = 0; k < nf->n_grants; k++) {
            bool had = false;
            for (size_t x = 0; x < of->n_grants && !had; x++)
                had = !strcmp(nf->grants[k], of->grants[x]);
            if (!had)
                add(d, DIFF_SAFE, "function grant", nf->name, "added", arena_printf(d->a, "%s may execute it", nf->grants[k]));
        }
    }
    for (size_t i = 0; i < n->functions.n; i++) {
        const HqFunction *nf = n->functions.items[i];
        const HqChange *rn = model_find_rename_to(d->new_m, HQ_CHG_RENAME_FUNCTION, NULL, nf->name);
        if (!model_find_function(o, nf->name) && !(rn && model_find_function(o, rn->name)))
            add(d, DIFF_SAFE, "function", nf->name, "added", signature_text(d, nf));
    }
}

static const HqCronJob *find_cron(const HqModel *m, const char *name)
{
    return vecindex_find(m->index ? m->arena : NULL, m->index ? &m->index->cron_jobs : NULL, &m->cron_jobs,
                         offsetof(HqCronJob, name), name);
}

static void diff_cron(Diff *d, const HqModel *o, const HqModel *n)
{
    for (size_t i = 0; i < o->cron_jobs.n; i++) {
        const HqCronJob *oj = o->cron_jobs.items[i];
        const HqCronJob *nj = find_cron(n, oj->name);
        if (!nj)
            add(d, DIFF_SAFE, "cron job", oj->name, "removed", "not unscheduled automatically: needs an explicit step");
        else if (strcmp(oj->schedule, nj->schedule) || !expr_eq(d, &oj->command, &nj->command))
            add(d, DIFF_SAFE, "cron job", oj->name, "changed",
                arena_printf(d->a, "\"%s\" %s", nj->schedule, nj->command.text));
    }
    for (size_t i = 0; i < n->cron_jobs.n; i++) {
        const HqCronJob *nj = n->cron_jobs.items[i];
        if (!find_cron(o, nj->name))
            add(d, DIFF_SAFE, "cron job", nj->name, "added", arena_printf(d->a, "\"%s\" %s", nj->schedule, nj->command.text));
    }
}

/* A seed row is identified by its table and key values. */
static const char *seed_key(Diff *d, const HqSeed *s, const HqSeedRow *row)
{
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, s->table_name);
    const HqConstraint *pk = s->table ? s->table->primary_key : NULL;
    size_t nk = s->n_conflict ? s->n_conflict : pk ? pk->n_columns : 0;
    for (size_t k = 0; k < nk; k++) {
        const char *col = s->n_conflict ? s->conflict[k] : pk->columns[k];
        for (size_t v = 0; v < row->n_values; v++)
            if (!strcmp(row->values[v].column, col) && row->values[v].value->kind == YN_SCALAR)
                strbuf_printf(&b, "%s%s=%s", k ? ", " : " (", col, row->values[v].value->text);
    }
    if (nk)
        strbuf_putc(&b, ')');
    const char *r = arena_strdup(d->a, b.data);
    strbuf_free(&b);
    return r;
}

static void seed_keys(Diff *d, const HqModel *m, HqVec *out)
{
    for (size_t i = 0; i < m->seeds.n; i++) {
        const HqSeed *s = m->seeds.items[i];
        for (size_t r = 0; r < s->n_rows; r++)
            vec_push(d->a, out, (void *)seed_key(d, s, &s->rows[r]));
    }
}

static HqNameMap *key_set(Diff *d, const HqVec *keys)
{
    HqNameMap *set = namemap_new(d->a);
    for (size_t i = 0; i < keys->n; i++)
        namemap_put(set, keys->items[i], keys->items[i]);
    return set;
}

static void diff_seeds(Diff *d, const HqModel *o, const HqModel *n)
{
    HqVec ok = {0}, nk = {0};
    seed_keys(d, o, &ok);
    seed_keys(d, n, &nk);
    HqNameMap *old_set = key_set(d, &ok), *new_set = key_set(d, &nk);
    for (size_t i = 0; i < ok.n; i++)
        if (!namemap_get(new_set, ok.items[i]))
            add(d, DIFF_SAFE, "seed row", ok.items[i], "removed", "no longer inserted (existing rows stay)");
    for (size_t i = 0; i < nk.n; i++)
        if (!namemap_get(old_set, nk.items[i]))
            add(d, DIFF_SAFE, "seed row", nk.items[i], "added", NULL);
}

static void diff_extensions(Diff *d, const HqModel *o, const HqModel *n)
{
    for (size_t i = 0; i < o->extensions.n; i++) {
        const HqExtension *x = o->extensions.items[i];
        if (!model_find_extension(n, x->name))
            add(d, DIFF_SAFE, "extension", x->name, "removed", "no longer created (not dropped)");
    }
    for (size_t i = 0; i < n->extensions.n; i++) {
        const HqExtension *x = n->extensions.items[i];
        if (!model_find_extension(o, x->name))
            add(d, DIFF_SAFE, "extension", x->name, "added", x->optional ? "optional" : NULL);
    }
}

static const HqBucket *find_bucket(const HqModel *m, const char *id)
{
    for (size_t i = 0; i < m->buckets.n; i++)
        if (!strcmp(((HqBucket *)m->buckets.items[i])->id, id))
            return m->buckets.items[i];
    return NULL;
}

/* Storage buckets and the schema version rows (what the version table says). */
static void diff_buckets_versions(Diff *d, const HqModel *o, const HqModel *n)
{
    for (size_t i = 0; i < o->buckets.n; i++) {
        const HqBucket *ob = o->buckets.items[i], *nb = find_bucket(n, ob->id);
        if (!nb)
            add(d, DIFF_SAFE, "storage bucket", ob->id, "removed", "no longer created (existing buckets and objects stay)");
        else if (ob->is_public != nb->is_public)
            add(d, nb->is_public ? DIFF_BREAKING : DIFF_SAFE, "storage bucket", ob->id, "changed",
                nb->is_public ? "becomes public: anyone may read its objects" : "becomes private");
    }
    for (size_t i = 0; i < n->buckets.n; i++) {
        const HqBucket *nb = n->buckets.items[i];
        if (!find_bucket(o, nb->id))
            add(d, DIFF_SAFE, "storage bucket", nb->id, "added", nb->is_public ? "public" : "private");
    }
    for (size_t i = 0; i < n->schema_versions.n; i++) {
        const HqSchemaVersion *nv = n->schema_versions.items[i];
        bool had = false;
        for (size_t k = 0; k < o->schema_versions.n && !had; k++)
            had = ((HqSchemaVersion *)o->schema_versions.items[k])->version == nv->version;
        if (!had)
            add(d, DIFF_SAFE, "schema version", arena_printf(d->a, "%ld", nv->version), "added", nv->description);
    }
}

/* Changes of the new version not shown with an object above (data steps,
 * drops of objects the old version did not describe): listed on their own. */
static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

static void diff_steps(Diff *d)
{
    /* Sorted, so each change costs a binary search. */
    if (d->shown.n)
        qsort(d->shown.items, d->shown.n, sizeof *d->shown.items, cmp_ptr);
    for (size_t i = 0; i < d->new_m->changes.n; i++) {
        const HqChange *c = d->new_m->changes.items[i];
        const void *key = c;
        bool shown = model_has_change(d->old_m, c) ||
                     (d->shown.n && bsearch(&key, d->shown.items, d->shown.n, sizeof *d->shown.items, cmp_ptr));
        if (shown)
            continue;
        const char *what = c->kind == HQ_CHG_SQL ? "data step"
                           : c->to              ? arena_printf(d->a, "%s %s -> %s", c->key, c->subject, c->to)
                           : c->n_tables        ? arena_printf(d->a, "%s \"%s\" on %zu table(s)", c->key, c->subject, c->n_tables)
                                                : arena_printf(d->a, "%s %s", c->key, c->subject);
        DiffClass cls = c->kind >= HQ_CHG_DROP_TABLE && c->kind <= HQ_CHG_DROP_TYPE ? DIFF_DESTRUCTIVE
                        : c->kind == HQ_CHG_SQL || c->kind >= HQ_CHG_DROP_CONSTRAINT ? DIFF_SAFE
                                                                                     : DIFF_LOCK;
        add(d, cls, "upgrade step", c->module->name, "added",
            c->doc ? arena_printf(d->a, "%s: %s", what, first_line(d, c->doc)) : what);
    }
}

void diff_models(HqArena *a, const HqModel *old_m, const HqModel *new_m, DiffResult *out)
{
    memset(out, 0, sizeof *out);
    Diff d = {a, out, old_m, new_m, {0}};
    diff_extensions(&d, old_m, new_m);
    diff_enums(&d, old_m, new_m);
    diff_tables(&d, old_m, new_m);
    diff_functions(&d, old_m, new_m);
    diff_cron(&d, old_m, new_m);
    diff_seeds(&d, old_m, new_m);
    diff_buckets_versions(&d, old_m, new_m);
    diff_steps(&d);
}

const char *diff_class_name(DiffClass c)
{
    static const char *const names[] = {"safe", "lock", "breaking", "destructive"};
    return names[c];
}

int diff_class_parse(const char *s)
{
    for (int c = DIFF_SAFE; c <= DIFF_DESTRUCTIVE; c++)
        if (!strcmp(s, diff_class_name((DiffClass)c)))
            return c;
    return -1;
}
