/* lint_indexes.c - keys and indexes: tables without a primary key, foreign
 * keys no index serves (a delete of a parent row scans the child table),
 * and indexes that duplicate another (the same definition but for the name,
 * as Supabase's linter compares them). Constraint indexes (primary key,
 * unique) count as unique btree indexes on their columns. */
#include <string.h>

#include "lint/lint_int.h"

/* An index as the rules compare it. */
typedef struct {
    const char *name;
    const char *method;
    bool unique;
    size_t n;
    const char **cols;      /* plain column per key element, NULL for an expression */
    const char **keys;      /* key elements, blanks squeezed */
    const char *where;      /* NULL when not partial */
    const HqIndex *ix;      /* NULL for a constraint's index */
} IndexShape;

static const char *squeeze(LintCtx *x, const char *s)
{
    char *out = arena_alloc(x->a, strlen(s) + 1), *o = out;
    for (; *s; s++) {
        bool blank = *s == ' ' || *s == '\t' || *s == '\n';
        if (blank && (o == out || o[-1] == ' '))
            continue;
        *o++ = blank ? ' ' : (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
    }
    while (o > out && o[-1] == ' ')
        o--;
    *o = '\0';
    return out;
}

static void shapes_of(LintCtx *x, const HqTable *t, HqVec *out)
{
    for (size_t i = 0; i < t->constraints.n; i++) {
        const HqConstraint *c = t->constraints.items[i];
        if (c->kind != HQ_CON_PRIMARY && c->kind != HQ_CON_UNIQUE)
            continue;
        IndexShape *s = arena_alloc(x->a, sizeof *s);
        s->name = c->name;
        s->method = "btree";
        s->unique = true;
        s->n = c->n_columns;
        s->cols = c->columns;
        s->keys = c->columns;
        vec_push(x->a, out, s);
    }
    for (size_t i = 0; i < t->indexes.n; i++) {
        const HqIndex *ix = t->indexes.items[i];
        IndexShape *s = arena_alloc(x->a, sizeof *s);
        s->name = ix->name;
        s->method = ix->method;
        s->unique = ix->unique;
        s->n = ix->n_keys;
        s->cols = arena_alloc(x->a, (ix->n_keys + 1) * sizeof *s->cols);
        s->keys = arena_alloc(x->a, (ix->n_keys + 1) * sizeof *s->keys);
        for (size_t k = 0; k < ix->n_keys; k++) {
            SqlpIndexElem el;
            SqlpError err;
            s->keys[k] = ix->keys[k].text ? squeeze(x, ix->keys[k].text) : "";
            if (ix->keys[k].text && sqlp_parse_index_elem(x->a, ix->keys[k].text, &el, NULL, &err) && el.column &&
                !el.opclass)
                s->cols[k] = el.column;
        }
        s->where = ix->where.text ? squeeze(x, ix->where.text) : NULL;
        s->ix = ix;
        vec_push(x->a, out, s);
    }
}

/* The index's leading plain columns are exactly the key's columns, and it
 * holds every row the key's lookups can match: no predicate, or only
 * "col IS NOT NULL" for a one-column key (a lookup by value implies it). */
static bool covers(LintCtx *x, const IndexShape *s, const HqConstraint *fk)
{
    if (s->n < fk->n_columns || strcmp(s->method, "btree"))
        return false;
    if (s->where && (fk->n_columns != 1 || strcmp(s->where, arena_printf(x->a, "%s is not null", fk->columns[0]))))
        return false;
    for (size_t i = 0; i < fk->n_columns; i++) {
        bool found = false;
        for (size_t k = 0; k < fk->n_columns && !found; k++)
            found = s->cols[k] && !strcmp(s->cols[k], fk->columns[i]);
        if (!found)
            return false;
    }
    return true;
}

static const char *column_list(LintCtx *x, const char *const *cols, size_t n)
{
    const char *s = "";
    for (size_t i = 0; i < n; i++)
        s = arena_printf(x->a, "%s%s%s", s, i ? ", " : "", cols[i]);
    return s;
}

static void foreign_keys(LintCtx *x, const HqTable *t, const HqVec *shapes)
{
    for (size_t i = 0; i < t->constraints.n; i++) {
        const HqConstraint *c = t->constraints.items[i];
        if (c->kind != HQ_CON_FOREIGN)
            continue;
        bool covered = false;
        for (size_t k = 0; k < shapes->n && !covered; k++)
            covered = covers(x, shapes->items[k], c);
        if (covered)
            continue;
        LintSubject s = lint_subject_part(x, t, c->module, "foreign key", c->name, c->loc, c->lint);
        const HqColumn *col = c->n_columns == 1 ? model_find_column(t, c->columns[0]) : NULL;
        for (size_t k = 0; col && col->lint && k < sizeof s.allow / sizeof *s.allow; k++)
            if (!s.allow[k]) {
                s.allow[k] = col->lint;
                break;
            }
        lint_find(x, LR_UNINDEXED_FOREIGN_KEYS, &s, "foreign key \"%s\" of \"%s\" (%s) -> \"%s\" has no index on its columns",
                  c->name, t->name, column_list(x, c->columns, c->n_columns), c->ref_table_name);
    }
}

static bool same_shape(const IndexShape *a, const IndexShape *b)
{
    if (a->n != b->n || a->unique != b->unique || strcmp(a->method, b->method) || (!a->where != !b->where) ||
        (a->where && strcmp(a->where, b->where)))
        return false;
    for (size_t k = 0; k < a->n; k++)
        if (strcmp(a->keys[k], b->keys[k]))
            return false;
    /* INCLUDE columns make an index serve other queries. */
    size_t ia = a->ix ? a->ix->n_include : 0, ib = b->ix ? b->ix->n_include : 0;
    return ia == 0 && ib == 0;
}

static void duplicates(LintCtx *x, const HqTable *t, const HqVec *shapes)
{
    for (size_t j = 0; j < shapes->n; j++) {
        const IndexShape *b = shapes->items[j];
        if (!b->ix)
            continue;
        for (size_t i = 0; i < j; i++) {
            const IndexShape *a = shapes->items[i];
            if (!same_shape(a, b))
                continue;
            LintSubject s = lint_subject_part(x, t, b->ix->module, "index", b->name, b->ix->loc, b->ix->lint);
            lint_find(x, LR_DUPLICATE_INDEX, &s, "index \"%s\" on \"%s\" duplicates %s \"%s\"", b->name, t->name,
                      a->ix ? "index" : "the index of constraint", a->name);
            break;
        }
    }
}

void lint_indexes(LintCtx *x)
{
    for (size_t i = 0; i < x->m->tables.n; i++) {
        const HqTable *t = x->m->tables.items[i];
        if (!t->primary_key) {
            LintSubject s = lint_subject_table(x, t);
            lint_find(x, LR_NO_PRIMARY_KEY, &s, "table \"%s\" has no primary key", t->name);
        }
        HqVec shapes = {0};
        shapes_of(x, t, &shapes);
        foreign_keys(x, t, &shapes);
        duplicates(x, t, &shapes);
    }
}
