/* lint.c - the rule registry and the driver: run the rule families, match
 * findings with declared exceptions, validate the exceptions, and report
 * (GNU diagnostics or JSON). The rule families live in lint_*.c. */
#include "lint/lint_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/sqlbuf.h"
#include "base/strbuf.h"
#include "model/privileges.h"

/* In LintRuleId order. Names follow Supabase's linter (splinter) where a
 * rule corresponds to one of its lints. */
static const LintRule registry[LR_COUNT] = {
    [LR_RLS_DISABLED_IN_PUBLIC] = {
        "rls_disabled_in_public", LINT_ERROR, "security",
        "a table in the exposed schema without row level security",
        "every role holding a table privilege reads and writes every row through the API; "
        "set `rls: enabled` and declare the policies its readers need"},
    [LR_POLICY_EXISTS_RLS_DISABLED] = {
        "policy_exists_rls_disabled", LINT_ERROR, "security",
        "policies on a table whose row level security is off",
        "the policies are ignored while row level security is off, so they protect nothing; set `rls: enabled`"},
    [LR_RLS_ENABLED_NO_POLICY] = {
        "rls_enabled_no_policy", LINT_INFO, "security",
        "row level security on, but no policy",
        "no role without BYPASSRLS sees any row; declare the policies its readers need, or keep it closed on purpose"},
    [LR_RLS_POLICY_ALWAYS_TRUE] = {
        "rls_policy_always_true", LINT_WARNING, "security",
        "a permissive write policy for anon or authenticated whose condition is `true`",
        "every caller of that role may change every row, so the policy restricts nothing; "
        "compare the row with the caller (auth.uid(), the tenant) or narrow `to:`"},
    [LR_RLS_REFERENCES_USER_METADATA] = {
        "rls_references_user_metadata", LINT_ERROR, "security",
        "a policy reading `user_metadata` from the JWT",
        "users edit their own user_metadata, so a policy trusting it trusts the caller; use app_metadata, "
        "which only the server sets"},
    [LR_ANON_DEFINER_EXECUTABLE] = {
        "anon_security_definer_function_executable", LINT_WARNING, "security",
        "a SECURITY DEFINER function that `anon` may execute",
        "anyone holding the public API key calls it over /rest/v1/rpc with its owner's rights, past RLS; "
        "revoke EXECUTE from public and anon, or make it SECURITY INVOKER"},
    [LR_AUTHENTICATED_DEFINER_EXECUTABLE] = {
        "authenticated_security_definer_function_executable", LINT_WARNING, "security",
        "a SECURITY DEFINER function that `authenticated` may execute",
        "any signed-in user of any tenant calls it over /rest/v1/rpc with its owner's rights, past RLS; "
        "revoke EXECUTE from public and authenticated (default privileges grant it) and grant the roles that "
        "call it, or make it SECURITY INVOKER"},
    [LR_FUNCTION_SEARCH_PATH_MUTABLE] = {
        "function_search_path_mutable", LINT_WARNING, "security",
        "a function without a fixed search_path",
        "the caller's search_path decides what its unqualified names resolve to; set `search_path: \"\"` "
        "and qualify names"},
    [LR_SECURITY_DEFINER_VIEW] = {
        "security_definer_view", LINT_ERROR, "security",
        "a view without `security_invoker: true`",
        "the view reads its tables with its owner's rights, so the caller's RLS policies do not apply; "
        "set `security_invoker: true`"},
    [LR_EXTENSION_IN_PUBLIC] = {
        "extension_in_public", LINT_WARNING, "security",
        "an extension installed in schema public",
        "its functions and operators join the API schema, where they are exposed and can shadow or be shadowed; "
        "install it with `schema: extensions`"},
    [LR_PUBLIC_BUCKET_ALLOWS_LISTING] = {
        "public_bucket_allows_listing", LINT_WARNING, "security",
        "a public storage bucket with a SELECT policy on storage.objects for clients",
        "public buckets serve files by URL without any policy; a SELECT policy only lets clients list every "
        "file name of the bucket; drop it or make the bucket private"},
    [LR_TENANT_POLICY_UNSCOPED] = {
        "tenant_policy_unscoped", LINT_WARNING, "tenancy",
        "a policy for client roles on a tenant-owned table that does not call the tenant function",
        "signed-in users of every tenant get the rows it admits; compare the tenant column with the "
        "project's tenant function (`tenancy:` in _project.yaml)"},
    [LR_DEFINER_TENANT_UNCHECKED] = {
        "definer_function_tenant_unchecked", LINT_WARNING, "tenancy",
        "a SECURITY DEFINER function clients may execute that uses tenant tables without checking the tenant",
        "it runs past RLS, so a caller of one tenant reaches rows of every tenant; check the rows against the "
        "tenant function in the body, make it SECURITY INVOKER, or keep it away from client roles"},
    [LR_TRIGGER_FUNCTION_EXECUTABLE] = {
        "trigger_function_executable", LINT_WARNING, "security",
        "a trigger function that client roles may execute",
        "triggers run their function without any EXECUTE privilege, so the grant only adds surface; "
        "revoke EXECUTE from public, anon and authenticated"},
    [LR_DEFINER_UNQUALIFIED_NAME] = {
        "definer_function_unqualified_name", LINT_WARNING, "security",
        "a SECURITY DEFINER function whose body names schema objects without a schema",
        "an unqualified table is looked up in pg_temp first, so a caller's temporary table can take its place "
        "(and with `search_path: \"\"` the name does not resolve at all); qualify it (public.tasks)"},
    [LR_AUTH_RLS_INITPLAN] = {
        "auth_rls_initplan", LINT_WARNING, "performance",
        "a policy calling auth.uid(), auth.jwt(), auth.role() or current_setting() once per row",
        "written as a sub-select the call is evaluated once per statement: `(select auth.uid())`"},
    [LR_MULTIPLE_PERMISSIVE_POLICIES] = {
        "multiple_permissive_policies", LINT_WARNING, "performance",
        "several permissive policies for the same role and command on one table",
        "each of them is evaluated for every row; merge them into one policy with OR"},
    [LR_NO_PRIMARY_KEY] = {
        "no_primary_key", LINT_INFO, "performance",
        "a table without a primary key",
        "rows cannot be addressed one by one (updates through the API, logical replication, realtime); "
        "declare a primary key"},
    [LR_UNINDEXED_FOREIGN_KEYS] = {
        "unindexed_foreign_keys", LINT_INFO, "performance",
        "a foreign key without an index that starts with its columns",
        "deleting or updating a referenced row scans this whole table while it holds its locks; add an index "
        "on the columns where parent rows are deleted or updated"},
    [LR_DUPLICATE_INDEX] = {
        "duplicate_index", LINT_WARNING, "performance",
        "two indexes with the same key, method and predicate on one table",
        "every write maintains both for no gain; drop one"},
    [LR_NOT_NULL_COLUMN_WITHOUT_DEFAULT] = {
        "not_null_column_without_default", LINT_ERROR, "migration",
        "a NOT NULL column without a default added to a table of an earlier module",
        "ADD COLUMN ... NOT NULL fails on every database whose table has a row; give existing rows a value "
        "with `backfill: <sql>` (or a default)"},
    [LR_CONSTRAINT_ON_EXISTING_TABLE] = {
        "constraint_on_existing_table", LINT_WARNING, "migration",
        "a unique, foreign-key or check constraint (or unique index) added to a table of an earlier module",
        "it validates every existing row and the migration fails where one violates it; make the rows conform "
        "first (a `changes:` sql step with `at: start` in the same module) or say why none can"},
    [LR_COLUMN_TYPE_CHANGE_REWRITES] = {
        "column_type_change_rewrites", LINT_WARNING, "migration",
        "a change_type or recreate_enum step",
        "the table is rewritten under an ACCESS EXCLUSIVE lock that blocks reads and writes until it is done; "
        "on large tables add a new column, fill it in batches and switch over"},
    [LR_CHANGE_DROPS_DATA] = {
        "change_drops_data", LINT_WARNING, "migration",
        "a drop_table or drop_column step without `move:`",
        "the rows or values are gone once it runs on an existing database; move what is still needed with "
        "`move:`, or say why nothing is"},
    [LR_MIGRATION_WITHOUT_LOCK_TIMEOUT] = {
        "migration_without_lock_timeout", LINT_WARNING, "migration",
        "generated migrations without a lock_timeout",
        "a statement waiting for a lock queues every later query on the table behind it; keep "
        "`deploy.lock_timeout` above zero"},
};

const LintRule *lint_rules(size_t *n)
{
    *n = LR_COUNT;
    return registry;
}

const LintRule *lint_find_rule(const char *name)
{
    for (size_t i = 0; i < LR_COUNT; i++)
        if (!strcmp(registry[i].name, name))
            return &registry[i];
    return NULL;
}

/* ---- subjects and findings ------------------------------------------------ */

LintSubject lint_subject(const char *kind, const char *object, HqLoc loc, const HqLint *own)
{
    LintSubject s = {kind, object, loc, {own}};
    return s;
}

LintSubject lint_subject_table(LintCtx *x, const HqTable *t)
{
    LintSubject s = {"table", t->qname, t->loc, {0}};
    size_t k = 0;
    for (size_t i = 0; i < t->deltas.n && k < sizeof s.allow / sizeof *s.allow; i++) {
        const HqTableDelta *d = t->deltas.items[i];
        if (d->lint)
            s.allow[k++] = d->lint;
    }
    (void)x;
    return s;
}

LintSubject lint_subject_part(LintCtx *x, const HqTable *t, const HqModule *mod, const char *kind, const char *name,
                              HqLoc loc, const HqLint *own)
{
    LintSubject s = {kind, arena_printf(x->a, "%s.%s", t->qname, name), loc, {own}};
    size_t k = own ? 1 : 0;
    for (size_t i = 0; i < t->deltas.n; i++) {
        const HqTableDelta *d = t->deltas.items[i];
        if (d->module == mod && d->lint && k < sizeof s.allow / sizeof *s.allow)
            s.allow[k++] = d->lint;
    }
    return s;
}

LintSubject lint_subject_function(LintCtx *x, const HqFunction *f)
{
    (void)x;
    return lint_subject("function", f->qname, f->loc, f->lint);
}

void lint_find(LintCtx *x, LintRuleId rule, const LintSubject *s, const char *fmt, ...)
{
    LintFinding *f = arena_alloc(x->a, sizeof *f);
    f->rule = &registry[rule];
    f->loc = s->loc;
    f->object_kind = s->kind;
    f->object = s->object;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *msg = arena_alloc(x->a, (size_t)n + 1);
    vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    va_end(ap);
    f->message = msg;
    for (size_t i = 0; i < sizeof s->allow / sizeof *s->allow; i++) {
        const HqLint *l = s->allow[i];
        for (size_t k = 0; l && k < l->n_allow; k++)
            if (!strcmp(l->allow[k], f->rule->name)) {
                x->used[l->index][k] = true;
                if (!f->allowed_by)
                    f->allowed_by = l;
            }
    }
    vec_push(x->a, &x->out->findings, f);
}

/* ---- helpers shared by the rule families ------------------------------------ */

HqLoc lint_sql_loc(const HqSql *s, int offset)
{
    if (offset < 0 || !s->node || !s->node->source)
        return s->loc;
    return yaml_offset_loc(s->node, (size_t)offset);
}

bool lint_policy_applies_to(const HqPolicy *p, const char *role)
{
    if (!p->n_roles)
        return true;
    for (size_t i = 0; i < p->n_roles; i++)
        if (!strcmp(p->roles[i], role) || !strcmp(p->roles[i], "public"))
            return true;
    return false;
}

bool lint_function_refs(LintCtx *x, const HqFunction *f, SqlpRefs *refs)
{
    memset(refs, 0, sizeof *refs);
    if (!f->body.text)
        return false;
    SqlpError err;
    if (!strcmp(f->language, "sql"))
        return sqlp_parse_statements(x->a, f->body.text, refs, &(size_t){0}, NULL, &err);
    StrBuf b;
    strbuf_init(&b);
    size_t body_offset = 0;
    sqlbuf_create_function(&b, f, &body_offset);
    bool ok = sqlp_plpgsql_refs(x->a, b.data, body_offset, refs, &err);
    strbuf_free(&b);
    return ok;
}

bool lint_executable_by(LintCtx *x, const HqFunction *f, const char *role)
{
    HqAcl acl;
    privileges_of_function(x->m, f, &acl);
    return (privileges_of_role(&acl, role) & HQ_PRIV_EXECUTE) != 0;
}

bool lint_exposed(const LintCtx *x)
{
    for (size_t i = 0; i < x->m->project.roles.n; i++) {
        const HqRole *r = x->m->project.roles.items[i];
        if (!strcmp(r->name, "anon") || !strcmp(r->name, "authenticated"))
            return true;
    }
    return false;
}

bool lint_tenant_table(const LintCtx *x, const HqTable *t)
{
    const char *col = x->m->project.tenancy.column;
    return col && !t->platform && model_find_column(t, col);
}

/* ---- the driver ------------------------------------------------------------- */

static int cmp_finding(const void *pa, const void *pb)
{
    const LintFinding *a = *(LintFinding *const *)pa, *b = *(LintFinding *const *)pb;
    if (a->loc.file != b->loc.file)
        return a->loc.file < b->loc.file ? -1 : 1;
    if (a->loc.line != b->loc.line)
        return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col)
        return a->loc.col < b->loc.col ? -1 : 1;
    int c = strcmp(a->rule->name, b->rule->name);
    return c ? c : strcmp(a->message, b->message);
}

/* Every exception must name a rule and silence at least one finding. */
static void check_exceptions(LintCtx *x)
{
    const char *names[LR_COUNT];
    for (size_t i = 0; i < LR_COUNT; i++)
        names[i] = registry[i].name;
    for (size_t i = 0; i < x->m->lints.n; i++) {
        const HqLint *l = x->m->lints.items[i];
        for (size_t k = 0; k < l->n_allow; k++) {
            if (!lint_find_rule(l->allow[k])) {
                const char *hint = diag_suggest(l->allow[k], names, LR_COUNT);
                diag_error(&l->allow_locs[k], "unknown lint rule \"%s\"%s%s%s", l->allow[k],
                           hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
                x->out->exception_errors++;
            } else if (!x->used[i][k]) {
                diag_error(&l->allow_locs[k], "lint exception for \"%s\" on %s silences nothing: the rule does not "
                           "fire there (remove it)", l->allow[k], l->object);
                x->out->exception_errors++;
            }
        }
    }
}

void lint_model(const HqModel *m, LintResult *out)
{
    memset(out, 0, sizeof *out);
    LintCtx x = {m, m->arena, out, NULL};
    x.used = arena_alloc(m->arena, (m->lints.n + 1) * sizeof *x.used);
    for (size_t i = 0; i < m->lints.n; i++)
        x.used[i] = arena_alloc(m->arena, (((const HqLint *)m->lints.items[i])->n_allow + 1) * sizeof **x.used);
    lint_rls(&x);
    lint_functions(&x);
    lint_objects(&x);
    lint_indexes(&x);
    lint_migration(&x);
    if (out->findings.n)
        qsort(out->findings.items, out->findings.n, sizeof *out->findings.items, cmp_finding);
    check_exceptions(&x);
}

bool lint_column_needs_value(const HqColumn *c)
{
    return c->not_null && !c->default_sql.text && !c->generated.text && !c->identity && !c->backfill.text;
}

/* ---- output ------------------------------------------------------------------- */

static LintSeverity effective(const LintFinding *f, const LintOptions *o)
{
    return f->rule->severity == LINT_WARNING && o->werror ? LINT_ERROR : f->rule->severity;
}

unsigned lint_report(const LintResult *r, const LintOptions *o)
{
    unsigned errors = 0;
    for (size_t i = 0; i < r->findings.n; i++) {
        const LintFinding *f = r->findings.items[i];
        if (f->allowed_by)
            continue;
        switch (effective(f, o)) {
        case LINT_ERROR:
            diag_error(&f->loc, "%s [%s]", f->message, f->rule->name);
            errors++;
            break;
        case LINT_WARNING:
            diag_warning(&f->loc, "%s [%s]", f->message, f->rule->name);
            break;
        case LINT_INFO:
            if (!o->info)
                continue;
            diag_info(&f->loc, "%s [%s]", f->message, f->rule->name);
            break;
        }
        diag_note(&f->loc, "%s", f->rule->why);
    }
    return errors;
}

unsigned lint_print_json(const LintResult *r, const LintOptions *o, FILE *f)
{
    static const char *const sev[] = {"error", "warning", "info"};
    unsigned counts[3] = {0}, allowed = 0;
    fputs("{\n  \"findings\": [", f);
    for (size_t i = 0; i < r->findings.n; i++) {
        const LintFinding *x = r->findings.items[i];
        LintSeverity s = effective(x, o);
        if (x->allowed_by)
            allowed++;
        else
            counts[s]++;
        fprintf(f, "%s\n    {\"rule\": ", i ? "," : "");
        json_str(f, x->rule->name);
        fprintf(f, ", \"severity\": \"%s\", \"category\": \"%s\", \"file\": ", sev[s], x->rule->category);
        json_str(f, diag_file_name(x->loc.file));
        fprintf(f, ", \"line\": %u, \"col\": %u, \"object_kind\": ", x->loc.line, x->loc.col);
        json_str(f, x->object_kind);
        fputs(", \"object\": ", f);
        json_str(f, x->object);
        fputs(", \"message\": ", f);
        json_str(f, x->message);
        fputs(", \"why\": ", f);
        json_str(f, x->rule->why);
        fprintf(f, ", \"allowed\": %s", x->allowed_by ? "true" : "false");
        if (x->allowed_by) {
            fputs(", \"reason\": ", f);
            json_str(f, x->allowed_by->reason ? x->allowed_by->reason : "");
        }
        fputc('}', f);
    }
    fprintf(f, "%s],\n  \"summary\": {\"errors\": %u, \"warnings\": %u, \"info\": %u, \"allowed\": %u}\n}\n",
            r->findings.n ? "\n  " : "", counts[LINT_ERROR], counts[LINT_WARNING], counts[LINT_INFO], allowed);
    return counts[LINT_ERROR];
}
