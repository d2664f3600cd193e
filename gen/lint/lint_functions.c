/* lint_functions.c - functions: SECURITY DEFINER functions clients may
 * execute, with or without a tenant check, names in their bodies that
 * depend on the search_path, functions without a fixed search_path, and
 * trigger functions that client roles may execute. "May execute" is the
 * privilege state of a fresh install (model/privileges.h). */
#include <string.h>

#include "lint/lint_int.h"

/* The client roles that may execute `f`; NULL when none (or the project
 * has no API roles). */
static const char *executors(LintCtx *x, const HqFunction *f)
{
    if (!lint_exposed(x))
        return NULL;
    bool anon = lint_executable_by(x, f, "anon"), auth = lint_executable_by(x, f, "authenticated");
    return anon && auth ? "anon and authenticated" : anon ? "anon" : auth ? "authenticated" : NULL;
}

/* The table the tenancy column refers to ("tenants"), or NULL. */
static const HqTable *tenant_root(LintCtx *x)
{
    for (size_t i = 0; i < x->m->tables.n; i++) {
        const HqTable *t = x->m->tables.items[i];
        if (!lint_tenant_table(x, t))
            continue;
        for (size_t k = 0; k < t->constraints.n; k++) {
            const HqConstraint *c = t->constraints.items[k];
            if (c->kind == HQ_CON_FOREIGN && c->n_columns == 1 && !strcmp(c->columns[0], x->m->project.tenancy.column))
                return c->ref_table;
        }
    }
    return NULL;
}

static bool is_cte(const SqlpRefs *r, const char *name)
{
    for (size_t i = 0; i < r->ctes.n; i++)
        if (!strcmp(((const SqlpName *)r->ctes.items[i])->name, name))
            return true;
    return false;
}

static bool own_schema(LintCtx *x, const SqlpName *n)
{
    return !n->schema || !strcmp(n->schema, x->m->project.schema);
}

static void tenant_check(LintCtx *x, const HqFunction *f, const SqlpRefs *r, const char *who)
{
    const char *fn = x->m->project.tenancy.function;
    if (!fn || f->ret_kind == HQ_RET_TRIGGER)
        return;
    for (size_t i = 0; i < r->functions.n; i++) {
        const SqlpName *n = r->functions.items[i];
        if (own_schema(x, n) && !strcmp(n->name, fn))
            return;
    }
    const HqTable *root = tenant_root(x);
    for (size_t i = 0; i < r->tables.n; i++) {
        const SqlpName *n = r->tables.items[i];
        if (!own_schema(x, n) || (!n->schema && is_cte(r, n->name)))
            continue;
        const HqTable *t = model_find_table(x->m, n->name);
        if (!t || (t != root && !lint_tenant_table(x, t)))
            continue;
        LintSubject s = lint_subject_function(x, f);
        lint_find(x, LR_DEFINER_TENANT_UNCHECKED, &s,
                  "SECURITY DEFINER function \"%s\" is executable by %s and uses tenant table \"%s\" without calling %s()",
                  f->name, who, t->name, fn);
        return;
    }
}

/* Tables, schema functions and schema types named without a schema. */
static void unqualified_names(LintCtx *x, const HqFunction *f, const SqlpRefs *r)
{
    const char *names = NULL;
    int first = -1;
    size_t count = 0;
    for (int pass = 0; pass < 3; pass++) {
        const HqVec *v = pass == 0 ? &r->tables : pass == 1 ? &r->functions : &r->types;
        for (size_t i = 0; i < v->n; i++) {
            const SqlpName *n = v->items[i];
            if (n->schema)
                continue;
            if (pass == 0 && is_cte(r, n->name))
                continue;
            if (pass == 1) {
                const HqFunction *g = model_find_function(x->m, n->name);
                if (!g || g->platform)
                    continue;
            }
            if (pass == 2) {
                const HqTable *t = model_find_table(x->m, n->name);
                if (!model_find_enum(x->m, n->name) && !(t && !t->platform))
                    continue;
            }
            const char *q = arena_printf(x->a, "\"%s\"", n->name);
            if (names && strstr(names, q))
                continue;
            if (first < 0 || (n->location >= 0 && n->location < first))
                first = n->location;
            if (count++ < 3)
                names = names ? arena_printf(x->a, "%s, %s", names, q) : q;
        }
    }
    if (!count)
        return;
    LintSubject s = lint_subject_function(x, f);
    s.loc = lint_sql_loc(&f->body, first);
    lint_find(x, LR_DEFINER_UNQUALIFIED_NAME, &s, "SECURITY DEFINER function \"%s\" names %s%s without a schema", f->name,
              names, count > 3 ? arena_printf(x->a, " and %zu more", count - 3) : "");
}

static void one_function(LintCtx *x, const HqFunction *f)
{
    LintSubject s = lint_subject_function(x, f);
    if (!f->search_path && (f->security_definer || lint_exposed(x)))
        lint_find(x, LR_FUNCTION_SEARCH_PATH_MUTABLE, &s, "function \"%s\" has no fixed search_path", f->name);
    const char *who = executors(x, f);
    if (f->ret_kind == HQ_RET_TRIGGER && who)
        lint_find(x, LR_TRIGGER_FUNCTION_EXECUTABLE, &s, "trigger function \"%s\" is executable by %s", f->name, who);
    if (!f->security_definer)
        return;
    if (who && lint_executable_by(x, f, "anon"))
        lint_find(x, LR_ANON_DEFINER_EXECUTABLE, &s, "function \"%s\" is SECURITY DEFINER and executable by anon", f->name);
    if (who && lint_executable_by(x, f, "authenticated"))
        lint_find(x, LR_AUTHENTICATED_DEFINER_EXECUTABLE, &s,
                  "function \"%s\" is SECURITY DEFINER and executable by authenticated", f->name);
    SqlpRefs refs;
    if (!lint_function_refs(x, f, &refs))
        return;
    if (who)
        tenant_check(x, f, &refs, who);
    unqualified_names(x, f, &refs);
}

void lint_functions(LintCtx *x)
{
    for (size_t i = 0; i < x->m->functions.n; i++) {
        const HqFunction *f = x->m->functions.items[i];
        if (!f->platform)
            one_function(x, f);
    }
}
