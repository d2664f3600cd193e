/* lint_rls.c - row level security and policies: tables open in the exposed
 * schema, policies that are ignored, always true, per-row auth calls,
 * overlapping permissive policies, user-editable JWT claims, policies of
 * tenant tables that ignore the tenant, and listable public buckets. */
#include <string.h>

#include "lint/lint_int.h"

/* The roles clients act as through the API. */
static const char *const client_roles[] = {"anon", "authenticated"};

static bool rls_on(const HqTable *t)
{
    return t->rls == HQ_RLS_ENABLED || t->rls == HQ_RLS_FORCED;
}

/* The condition is the constant true (spaces, parentheses and case aside). */
static bool always_true(const HqSql *s)
{
    if (!s->text)
        return false;
    char buf[16];
    size_t n = 0;
    for (const char *p = s->text; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '(' || *p == ')')
            continue;
        if (n + 1 >= sizeof buf)
            return false;
        buf[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    buf[n] = '\0';
    return !strcmp(buf, "true");
}

static const char *roles_text(LintCtx *x, const HqPolicy *p)
{
    const char *s = NULL;
    for (size_t i = 0; i < sizeof client_roles / sizeof *client_roles; i++)
        if (lint_policy_applies_to(p, client_roles[i]))
            s = s ? arena_printf(x->a, "%s and %s", s, client_roles[i]) : client_roles[i];
    return s;
}

static LintSubject policy_subject(LintCtx *x, const HqTable *t, const HqPolicy *p)
{
    LintSubject s = lint_subject_part(x, t, p->module, "policy", p->name, p->loc, p->lint);
    s.object = arena_printf(x->a, "%s: %s", t->qname, p->name);
    return s;
}

static void table_rls(LintCtx *x, const HqTable *t)
{
    if (t->platform)
        return;
    LintSubject s = lint_subject_table(x, t);
    if (!rls_on(t)) {
        if (lint_exposed(x))
            lint_find(x, LR_RLS_DISABLED_IN_PUBLIC, &s, "table \"%s\" has row level security disabled in exposed schema \"%s\"",
                  t->name, x->m->project.schema);
        if (t->policies.n) {
            const HqPolicy *p = t->policies.items[0];
            LintSubject ps = policy_subject(x, t, p);
            lint_find(x, LR_POLICY_EXISTS_RLS_DISABLED, &ps,
                      "table \"%s\" has %zu polic%s but row level security is disabled", t->name, t->policies.n,
                      t->policies.n == 1 ? "y" : "ies");
        }
    } else if (!t->policies.n) {
        lint_find(x, LR_RLS_ENABLED_NO_POLICY, &s, "table \"%s\" has row level security enabled but no policy", t->name);
    }
}

/* ---- one policy ---------------------------------------------------------- */

static void always_true_policy(LintCtx *x, const HqTable *t, const HqPolicy *p)
{
    if (p->restrictive || p->command == HQ_CMD_SELECT)
        return;
    const char *who = roles_text(x, p);
    if (!who)
        return;
    /* The row test of writes: USING for UPDATE and DELETE, WITH CHECK (or
     * USING when there is none) for INSERT and UPDATE. */
    bool using_true = p->command != HQ_CMD_INSERT && always_true(&p->using_sql);
    bool check_true = p->command != HQ_CMD_DELETE &&
                      (p->check_sql.text ? always_true(&p->check_sql) : always_true(&p->using_sql));
    if (!using_true && !check_true)
        return;
    static const char *const verbs[] = {"write", "", "insert", "update", "delete"};
    LintSubject s = policy_subject(x, t, p);
    lint_find(x, LR_RLS_POLICY_ALWAYS_TRUE, &s, "policy \"%s\" on \"%s\" lets %s %s every row (%s true)", p->name,
              t->name, who, verbs[p->command], using_true ? "USING" : "WITH CHECK");
}

static void per_row_calls(LintCtx *x, const HqTable *t, const HqPolicy *p, const HqSql *sql)
{
    if (!sql->text)
        return;
    SqlpRefs refs = {0};
    SqlpError err;
    if (!sqlp_parse_expr(x->a, sql->text, &refs, &err))
        return;
    for (size_t i = 0; i < refs.functions.n; i++) {
        const SqlpName *n = refs.functions.items[i];
        bool auth = n->schema && !strcmp(n->schema, "auth") &&
                    (!strcmp(n->name, "uid") || !strcmp(n->name, "jwt") || !strcmp(n->name, "role") ||
                     !strcmp(n->name, "email"));
        bool setting = !n->schema && !strcmp(n->name, "current_setting");
        if ((!auth && !setting) || n->in_subquery)
            continue;
        const char *call = auth ? arena_printf(x->a, "auth.%s()", n->name) : "current_setting()";
        LintSubject s = policy_subject(x, t, p);
        s.loc = lint_sql_loc(sql, n->location);
        lint_find(x, LR_AUTH_RLS_INITPLAN, &s, "policy \"%s\" on \"%s\" calls %s for every row; write (select %s)",
                  p->name, t->name, call, auth ? call : "current_setting(...)");
        return;
    }
}

static void user_metadata(LintCtx *x, const HqTable *t, const HqPolicy *p, const HqSql *sql)
{
    if (!sql->text)
        return;
    const char *hit = strstr(sql->text, "user_metadata");
    const char *raw = strstr(sql->text, "raw_user_meta_data");
    if (!hit || (raw && raw < hit))
        hit = raw;
    if (!hit)
        return;
    LintSubject s = policy_subject(x, t, p);
    s.loc = lint_sql_loc(sql, (int)(hit - sql->text));
    lint_find(x, LR_RLS_REFERENCES_USER_METADATA, &s, "policy \"%s\" on \"%s\" reads user_metadata, which users edit",
              p->name, t->name);
}

static bool calls_function(LintCtx *x, const HqSql *sql, const char *name)
{
    if (!sql->text)
        return false;
    SqlpRefs refs = {0};
    SqlpError err;
    if (!sqlp_parse_expr(x->a, sql->text, &refs, &err))
        return true; /* reported by the checks */
    for (size_t i = 0; i < refs.functions.n; i++) {
        const SqlpName *n = refs.functions.items[i];
        if (!strcmp(n->name, name) && (!n->schema || !strcmp(n->schema, x->m->project.schema)))
            return true;
    }
    return false;
}

/* A policy restricts by tenant when each row test it applies calls the
 * tenant function. */
static bool tenant_scoped(LintCtx *x, const HqPolicy *p)
{
    const char *fn = x->m->project.tenancy.function;
    bool needs_using = p->command != HQ_CMD_INSERT, needs_check = p->command != HQ_CMD_SELECT && p->command != HQ_CMD_DELETE;
    if (needs_using && !calls_function(x, &p->using_sql, fn))
        return false;
    if (needs_check && !calls_function(x, p->check_sql.text ? &p->check_sql : &p->using_sql, fn))
        return false;
    return true;
}

static void tenant_policy(LintCtx *x, const HqTable *t, const HqPolicy *p)
{
    if (!lint_tenant_table(x, t) || p->restrictive)
        return;
    const char *who = roles_text(x, p);
    if (!who || tenant_scoped(x, p))
        return;
    /* A restrictive policy on the tenant covers every permissive one. */
    for (size_t i = 0; i < t->policies.n; i++) {
        const HqPolicy *r = t->policies.items[i];
        if (r->restrictive && (r->command == HQ_CMD_ALL || r->command == p->command) && tenant_scoped(x, r))
            return;
    }
    LintSubject s = policy_subject(x, t, p);
    lint_find(x, LR_TENANT_POLICY_UNSCOPED, &s,
              "policy \"%s\" on tenant table \"%s\" admits rows for %s without calling %s()", p->name, t->name, who,
              x->m->project.tenancy.function);
}

/* ---- policies of one table together ----------------------------------------- */

static unsigned command_bits(HqCommand c)
{
    return c == HQ_CMD_ALL ? 0xF : 1u << (c - 1);
}

static void overlapping_policies(LintCtx *x, const HqTable *t)
{
    static const char *const cmds[] = {"SELECT", "INSERT", "UPDATE", "DELETE"};
    for (size_t r = 0; r < sizeof client_roles / sizeof *client_roles; r++) {
        /* Commands with the same set of policies are reported together. */
        unsigned done = 0;
        for (unsigned c = 0; c < 4; c++) {
            if (done & (1u << c))
                continue;
            HqVec set = {0};
            for (size_t i = 0; i < t->policies.n; i++) {
                const HqPolicy *p = t->policies.items[i];
                if (!p->restrictive && (command_bits(p->command) & (1u << c)) && lint_policy_applies_to(p, client_roles[r]))
                    vec_push(x->a, &set, (void *)p);
            }
            if (set.n < 2)
                continue;
            const char *which = cmds[c];
            for (unsigned c2 = c + 1; c2 < 4; c2++) {
                size_t same = 0, n2 = 0;
                for (size_t i = 0; i < t->policies.n; i++) {
                    const HqPolicy *p = t->policies.items[i];
                    if (p->restrictive || !(command_bits(p->command) & (1u << c2)) ||
                        !lint_policy_applies_to(p, client_roles[r]))
                        continue;
                    n2++;
                    for (size_t k = 0; k < set.n; k++)
                        same += set.items[k] == p;
                }
                if (n2 == set.n && same == set.n) {
                    done |= 1u << c2;
                    which = arena_printf(x->a, "%s, %s", which, cmds[c2]);
                }
            }
            const char *names = NULL;
            for (size_t k = 0; k < set.n; k++) {
                const char *q = arena_printf(x->a, "\"%s\"", ((const HqPolicy *)set.items[k])->name);
                names = names ? arena_printf(x->a, "%s, %s", names, q) : q;
            }
            const HqPolicy *second = set.items[1];
            LintSubject s = policy_subject(x, t, second);
            const HqPolicy *first = set.items[0];
            for (size_t k = 0; k < sizeof s.allow / sizeof *s.allow; k++)
                if (!s.allow[k]) {
                    s.allow[k] = first->lint;
                    break;
                }
            lint_find(x, LR_MULTIPLE_PERMISSIVE_POLICIES, &s, "table \"%s\" has %zu permissive policies for %s %s: %s",
                      t->name, set.n, client_roles[r], which, names);
        }
    }
}

static void table_policies(LintCtx *x, const HqTable *t)
{
    for (size_t i = 0; i < t->policies.n; i++) {
        const HqPolicy *p = t->policies.items[i];
        always_true_policy(x, t, p);
        per_row_calls(x, t, p, &p->using_sql);
        if (!p->using_sql.text || !p->check_sql.text || strcmp(p->using_sql.text, p->check_sql.text))
            per_row_calls(x, t, p, &p->check_sql);
        user_metadata(x, t, p, &p->using_sql);
        if (!p->using_sql.text || !strstr(p->using_sql.text, "user_meta"))
            user_metadata(x, t, p, &p->check_sql);
        tenant_policy(x, t, p);
    }
    overlapping_policies(x, t);
}

/* ---- storage buckets ---------------------------------------------------------- */

static void buckets(LintCtx *x)
{
    const HqTable *objects = model_find_table(x->m, "storage.objects");
    for (size_t b = 0; b < x->m->buckets.n; b++) {
        const HqBucket *bk = x->m->buckets.items[b];
        if (!bk->is_public || !objects)
            continue;
        const char *quoted = arena_printf(x->a, "'%s'", bk->id);
        for (size_t i = 0; i < objects->policies.n; i++) {
            const HqPolicy *p = objects->policies.items[i];
            if (p->restrictive || (p->command != HQ_CMD_SELECT && p->command != HQ_CMD_ALL) || !roles_text(x, p))
                continue;
            const char *u = p->using_sql.text ? p->using_sql.text : "";
            if (strstr(u, "bucket_id") && !strstr(u, quoted))
                continue;
            LintSubject s = lint_subject("storage bucket", bk->id, bk->loc, bk->lint);
            lint_find(x, LR_PUBLIC_BUCKET_ALLOWS_LISTING, &s,
                      "public bucket \"%s\" can be listed by %s through policy \"%s\" on storage.objects", bk->id,
                      roles_text(x, p), p->name);
            break;
        }
    }
}

void lint_rls(LintCtx *x)
{
    for (size_t i = 0; i < x->m->tables.n; i++) {
        const HqTable *t = x->m->tables.items[i];
        table_rls(x, t);
        table_policies(x, t);
    }
    for (size_t i = 0; i < x->m->platform_tables.n; i++)
        table_policies(x, x->m->platform_tables.items[i]);
    buckets(x);
}
