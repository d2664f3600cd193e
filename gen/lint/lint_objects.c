/* lint_objects.c - objects other than tables and functions that the API
 * exposes: views that bypass the caller's RLS, extensions installed into the
 * exposed schema. */
#include <string.h>

#include "lint/lint_int.h"

/* Extensions whose control file fixes their schema: never in public. */
static bool fixed_schema(const char *name)
{
    static const char *const fixed[] = {"plpgsql", "pg_net", "pgsodium", "pg_graphql", "supabase_vault"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (!strcmp(name, fixed[i]))
            return true;
    return false;
}

void lint_objects(LintCtx *x)
{
    if (!lint_exposed(x))
        return;
    for (size_t i = 0; i < x->m->views.n; i++) {
        const HqView *v = x->m->views.items[i];
        if (v->security_invoker)
            continue;
        LintSubject s = lint_subject("view", v->qname, v->loc, v->lint);
        lint_find(x, LR_SECURITY_DEFINER_VIEW, &s, "view \"%s\" reads its tables with its owner's rights (no security_invoker)",
                  v->name);
    }
    for (size_t i = 0; i < x->m->extensions.n; i++) {
        const HqExtension *e = x->m->extensions.items[i];
        /* Without a schema, CREATE EXTENSION uses the first schema of the
         * migration's search_path: the project schema. */
        const char *schema = e->schema ? e->schema : x->m->project.schema;
        if (strcmp(schema, "public") || fixed_schema(e->name))
            continue;
        LintSubject s = lint_subject("extension", e->name, e->loc, e->lint);
        lint_find(x, LR_EXTENSION_IN_PUBLIC, &s, "extension \"%s\" is installed in schema public%s", e->name,
                  e->schema ? "" : " (no schema: given)");
    }
}
