/* emit_docs.c - the documentation under out/docs/: the overview README.md
 * (migrations, trust model, tables and functions by domain, status enums,
 * realtime, schema version, how to apply), and the driver that adds every
 * page to the output set. Page shapes live in templates/docs_*.in; the
 * cross-reference index the pages read is built by emit_docs_xref.c. */
#include <string.h>

#include "emit/docs/emit_docs_int.h"
#include "base/sqlbuf.h"
#include "base/tmpl.h"

/* ---- README.md ------------------------------------------------------------- */

static const char *dup_reset(const DocCtx *c, StrBuf *b)
{
    const char *r = arena_strdup(c->a, b->data);
    strbuf_reset(b);
    return r;
}

static void readme_migrations(const DocCtx *c, StrBuf *b)
{
    for (size_t i = 0; i < c->m->modules.n; i++) {
        const HqModule *mod = c->m->modules.items[i];
        strbuf_puts(b, "| ");
        md_link_module(b, mod, "");
        strbuf_puts(b, " | ");
        md_inline(b, mod->summary, true);
        strbuf_printf(b, " | [%s.sql](../migrations/%s.sql) |\n", mod->name, mod->name);
    }
}

static bool role_named(const char *const *roles, size_t n, const char *role)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(roles[i], role))
            return true;
    return false;
}

static void readme_roles(const DocCtx *c, StrBuf *b)
{
    const HqModel *m = c->m;
    for (size_t i = 0; i < m->project.roles.n; i++) {
        const HqRole *r = m->project.roles.items[i];
        size_t policies = 0, tables = 0, functions = 0;
        for (size_t t = 0; t < m->tables.n; t++) {
            const HqTable *tab = m->tables.items[t];
            size_t before = policies;
            for (size_t k = 0; k < tab->policies.n; k++) {
                const HqPolicy *p = tab->policies.items[k];
                policies += role_named(p->roles, p->n_roles, r->name);
            }
            tables += policies > before;
        }
        for (size_t f = 0; f < m->functions.n; f++) {
            const HqFunction *fn = m->functions.items[f];
            functions += role_named(fn->grants, fn->n_grants, r->name);
        }
        strbuf_printf(b, "| `%s` | ", r->name);
        md_inline(b, r->doc, true);
        strbuf_printf(b, " | %zu on %zu table%s | %zu |\n", policies, tables, tables == 1 ? "" : "s", functions);
    }
}

static bool same_text(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static bool same_policy(const HqPolicy *a, const HqPolicy *b)
{
    if (strcmp(a->name, b->name) || a->command != b->command || a->restrictive != b->restrictive ||
        a->n_roles != b->n_roles || !same_text(a->using_sql.text, b->using_sql.text) ||
        !same_text(a->check_sql.text, b->check_sql.text))
        return false;
    for (size_t i = 0; i < a->n_roles; i++)
        if (strcmp(a->roles[i], b->roles[i]))
            return false;
    return true;
}

/* Policies that several tables share (same name and meaning), in words. */
static void readme_rls(const DocCtx *c, StrBuf *b)
{
    const HqModel *m = c->m;
    size_t n_default = 0;
    StrBuf s;
    strbuf_init(&s);
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        for (size_t k = 0; k < mod->default_privileges.n; k++) {
            const HqSchemaGrant *g = mod->default_privileges.items[k];
            if (!n_default++)
                strbuf_puts(b, "Default privileges, which every table, function and sequence created afterwards "
                               "inherits (besides what each object grants by name):\n\n");
            strbuf_reset(&s);
            sqlbuf_privileges(&s, g->privileges, g->n_privileges);
            strbuf_printf(&s, " ON %s TO ", g->on ? g->on : "?");
            sqlbuf_roles(&s, g->roles, g->n_roles);
            strbuf_puts(b, "- ");
            md_code(b, s.data, false);
            strbuf_puts(b, " (");
            md_link_module(b, mod, "");
            strbuf_puts(b, ")\n");
        }
    }
    strbuf_free(&s);
    if (n_default)
        strbuf_putc(b, '\n');
    size_t rls = 0;
    StrBuf without;
    strbuf_init(&without);
    for (size_t t = 0; t < m->tables.n; t++) {
        const HqTable *tab = m->tables.items[t];
        if (tab->rls == HQ_RLS_ENABLED || tab->rls == HQ_RLS_FORCED) {
            rls++;
        } else {
            strbuf_puts(&without, without.len ? ", " : "");
            md_link_table(&without, tab, "");
        }
    }
    strbuf_printf(b, "Row-level security is enabled on %zu of %zu tables", rls, m->tables.n);
    if (without.len)
        strbuf_printf(b, " (not on %s)", without.data);
    strbuf_puts(b, ". Policies that several tables share:\n\n| Policy | In words | Tables |\n|---|---|---|\n");
    strbuf_free(&without);
    /* Group policies that agree in name, command, roles and conditions. */
    HqVec seen = {0};
    for (size_t t = 0; t < m->tables.n; t++) {
        const HqTable *tab = m->tables.items[t];
        for (size_t k = 0; k < tab->policies.n; k++) {
            const HqPolicy *p = tab->policies.items[k];
            bool dup = false;
            for (size_t q = 0; q < seen.n && !dup; q++)
                dup = same_policy(seen.items[q], p);
            if (dup)
                continue;
            vec_push(c->a, &seen, (void *)p);
            size_t same = 0;
            for (size_t u = 0; u < m->tables.n; u++) {
                const HqTable *other = m->tables.items[u];
                for (size_t q = 0; q < other->policies.n; q++)
                    same += same_policy(other->policies.items[q], p);
            }
            if (same < 3)
                continue;
            strbuf_puts(b, "| ");
            md_code(b, p->name, true);
            strbuf_puts(b, " | ");
            docs_policy_words(b, p, true);
            strbuf_printf(b, " | %zu |\n", same);
        }
    }
    strbuf_puts(b, "\nEvery table page lists its policies in words and in SQL.");
}

static void fn_line(const DocCtx *c, StrBuf *b, const HqFunction *f)
{
    strbuf_printf(b, "- [`%s`](functions/%s.md)", f->ret_kind == HQ_RET_TRIGGER ? arena_printf(c->a, "%s()", f->name)
                                                                                    : md_call(c->a, f),
                  f->name);
    const char *s = md_sentence(c->a, f->doc);
    if (s) {
        strbuf_puts(b, " — ");
        md_inline(b, s, false);
    }
    if (f->ret_kind == HQ_RET_TRIGGER) {
        size_t n = 0;
        StrBuf on;
        strbuf_init(&on);
        HqVec all = {0};
        for (size_t t = 0; t < c->m->tables.n; t++)
            vec_push(c->a, &all, c->m->tables.items[t]);
        for (size_t t = 0; t < c->m->platform_tables.n; t++)
            vec_push(c->a, &all, c->m->platform_tables.items[t]);
        for (size_t t = 0; t < all.n; t++) {
            const HqTable *tab = all.items[t];
            bool hit = false;
            for (size_t k = 0; k < tab->triggers.n && !hit; k++)
                hit = !strcmp(((HqTrigger *)tab->triggers.items[k])->function_name, f->name);
            if (hit) {
                strbuf_puts(&on, n++ ? ", " : "");
                md_link_table(&on, tab, "");
            }
        }
        if (n > 6)
            strbuf_printf(b, " (trigger on %zu tables)", n);
        else if (n)
            strbuf_printf(b, " (trigger on %s)", on.data);
        strbuf_free(&on);
    }
    strbuf_putc(b, '\n');
}

static void readme_domain(const DocCtx *c, StrBuf *b, const HqDomain *d, const char *title, const char *doc)
{
    const HqModel *m = c->m;
    size_t n_tables = 0, n_rpc = 0, n_trig = 0, n_cron = 0;
    for (size_t t = 0; t < m->tables.n; t++)
        n_tables += ((HqTable *)m->tables.items[t])->domain == d;
    for (size_t f = 0; f < c->n_functions; f++)
        if (c->fn_domain[f] == d) {
            if (((HqFunction *)m->functions.items[f])->ret_kind == HQ_RET_TRIGGER)
                n_trig++;
            else
                n_rpc++;
        }
    for (size_t j = 0; j < c->n_cron; j++)
        n_cron += c->cron_domain[j] == d;
    if (!n_tables && !n_rpc && !n_trig && !n_cron)
        return;
    strbuf_printf(b, "### %s\n\n", title);
    if (doc) {
        md_prose(b, doc);
        strbuf_puts(b, "\n\n");
    }
    for (size_t t = 0; t < m->tables.n; t++) {
        const HqTable *tab = m->tables.items[t];
        if (tab->domain != d)
            continue;
        strbuf_puts(b, "- ");
        md_link_table(b, tab, "");
        const char *s = md_sentence(c->a, tab->doc);
        if (s) {
            strbuf_puts(b, " — ");
            md_inline(b, s, false);
        }
        strbuf_putc(b, '\n');
    }
    for (int pass = 0; pass < 2; pass++) {
        if (!(pass ? n_trig : n_rpc))
            continue;
        strbuf_puts(b, pass ? "\nTrigger functions:\n\n" : "\nRPCs:\n\n");
        for (size_t f = 0; f < c->n_functions; f++) {
            const HqFunction *fn = m->functions.items[f];
            if (c->fn_domain[f] == d && (fn->ret_kind == HQ_RET_TRIGGER) == (pass == 1))
                fn_line(c, b, fn);
        }
    }
    if (n_cron) {
        strbuf_puts(b, "\nCron jobs:\n\n");
        for (size_t j = 0; j < c->n_cron; j++) {
            if (c->cron_domain[j] != d)
                continue;
            const HqCronJob *job = m->cron_jobs.items[j];
            const char *when = docs_schedule_words(c->a, job->schedule);
            strbuf_puts(b, "- ");
            md_link_cron(b, c, j, "");
            strbuf_puts(b, " (");
            if (when)
                strbuf_puts(b, when);
            else
                md_code(b, job->schedule, false);
            strbuf_putc(b, ')');
            if (job->doc) {
                strbuf_puts(b, " — ");
                md_inline(b, md_sentence(c->a, job->doc), false);
            }
            strbuf_putc(b, '\n');
        }
    }
    strbuf_putc(b, '\n');
}

static void readme_status_enums(const DocCtx *c, StrBuf *b)
{
    const HqModel *m = c->m;
    for (size_t i = 0; i < m->enums.n; i++) {
        const HqEnum *e = m->enums.items[i];
        size_t len = strlen(e->name);
        if (len < 7 || strcmp(e->name + len - 7, "_status"))
            continue;
        strbuf_puts(b, "### ");
        md_link_enum(b, e, "");
        strbuf_puts(b, "\n\n");
        if (e->doc) {
            md_prose(b, e->doc);
            strbuf_puts(b, "\n\n");
        }
        strbuf_puts(b, "| Value | Meaning | Set or tested by |\n|---|---|---|\n");
        for (size_t k = 0; k < e->values.n; k++) {
            const HqEnumValue *v = e->values.items[k];
            strbuf_puts(b, "| ");
            md_code(b, v->name, true);
            strbuf_puts(b, " | ");
            md_inline(b, v->doc, true);
            strbuf_printf(b, " | %s |\n", docs_value_users(c, e, v->name, ""));
        }
        strbuf_putc(b, '\n');
    }
    strbuf_puts(b, "\"Set or tested by\": the functions whose SQL names the value (cast to the enum, or next to "
                   "a column of the enum's type), trigger conditions, and column defaults.\n");
}

static void readme_realtime(const DocCtx *c, StrBuf *b)
{
    const HqModel *m = c->m;
    size_t n = 0;
    for (size_t t = 0; t < m->tables.n; t++)
        n += ((HqTable *)m->tables.items[t])->realtime;
    strbuf_printf(b, "%zu tables are members of the publication `%s`; Supabase Realtime broadcasts their changes "
                     "(with the full old row where the replica identity is `full`).\n\n",
                  n, m->project.realtime_publication ? m->project.realtime_publication : "(none)");
    strbuf_puts(b, "| Table | Replica identity | Domain |\n|---|---|---|\n");
    for (size_t t = 0; t < m->tables.n; t++) {
        const HqTable *tab = m->tables.items[t];
        if (!tab->realtime)
            continue;
        static const char *const replica[] = {"default", "default", "full", "nothing"};
        strbuf_puts(b, "| ");
        md_link_table(b, tab, "");
        strbuf_printf(b, " | %s | %s |\n", replica[tab->replica_identity], tab->domain ? tab->domain->title : "Other");
    }
}

static long schema_version(const HqModel *m, const HqSchemaVersion **which)
{
    long best = -1;
    *which = NULL;
    for (size_t i = 0; i < m->schema_versions.n; i++) {
        const HqSchemaVersion *v = m->schema_versions.items[i];
        if (v->version > best) {
            best = v->version;
            *which = v;
        }
    }
    return best;
}

static void readme_version(const DocCtx *c, StrBuf *b)
{
    const HqModel *m = c->m;
    const HqSchemaVersion *top;
    long v = schema_version(m, &top);
    const HqTable *vt = m->project.version_table ? model_find_table(m, m->project.version_table) : NULL;
    if (!top) {
        strbuf_puts(b, "The modules record no schema version.\n");
        return;
    }
    strbuf_puts(b, "The table ");
    if (vt)
        md_link_table(b, vt, "");
    else
        md_code(b, m->project.version_table ? m->project.version_table : "?", false);
    strbuf_printf(b, " records the applied schema versions; the current schema version is **%ld**, so after all "
                     "migrations `max(version)` is %ld. Rows the modules insert:\n\n",
                  v, v);
    for (size_t i = 0; i < m->schema_versions.n; i++) {
        const HqSchemaVersion *sv = m->schema_versions.items[i];
        strbuf_printf(b, "- %ld, by ", sv->version);
        md_link_module(b, sv->module, "");
        if (sv->description) {
            strbuf_puts(b, ": ");
            md_inline(b, sv->description, false);
        }
        strbuf_putc(b, '\n');
    }
}

static char *readme_page(const DocCtx *c)
{
    const HqModel *m = c->m;
    StrBuf b;
    strbuf_init(&b);
    const char *project_doc = "", *counts, *migrations, *trust = "", *roles, *rls, *domains, *status, *all_enums,
               *realtime, *version, *role_list, *platform, *extensions;
    md_prose(&b, m->project.doc);
    project_doc = dup_reset(c, &b);
    size_t n_trig = 0;
    for (size_t f = 0; f < m->functions.n; f++)
        n_trig += ((HqFunction *)m->functions.items[f])->ret_kind == HQ_RET_TRIGGER;
    strbuf_printf(&b, "%zu migration modules, %zu tables, %zu functions (%zu of them trigger functions), %zu enums, "
                      "%zu cron jobs",
                  m->modules.n, m->tables.n, m->functions.n, n_trig, m->enums.n, m->cron_jobs.n);
    counts = dup_reset(c, &b);
    readme_migrations(c, &b);
    migrations = dup_reset(c, &b);
    md_prose(&b, m->project.trust);
    trust = dup_reset(c, &b);
    readme_roles(c, &b);
    roles = dup_reset(c, &b);
    readme_rls(c, &b);
    rls = dup_reset(c, &b);
    for (size_t i = 0; i < m->project.domains.n; i++) {
        const HqDomain *d = m->project.domains.items[i];
        readme_domain(c, &b, d, d->title, d->doc);
    }
    readme_domain(c, &b, NULL, m->project.domains.n ? "Other" : "All tables", NULL);
    for (size_t i = 0; i < m->views.n; i++) {
        const HqView *v = m->views.items[i];
        strbuf_printf(&b, "%s- [`%s`](views/%s.md)", i ? "" : "### Views\n\n", v->name, v->name);
        const char *sent = md_sentence(c->a, v->doc);
        if (sent) {
            strbuf_puts(&b, " — ");
            md_inline(&b, sent, false);
        }
        strbuf_putc(&b, '\n');
    }
    domains = dup_reset(c, &b);
    readme_status_enums(c, &b);
    status = dup_reset(c, &b);
    for (size_t i = 0; i < m->enums.n; i++) {
        strbuf_puts(&b, i ? ", " : "");
        md_link_enum(&b, m->enums.items[i], "");
    }
    all_enums = dup_reset(c, &b);
    readme_realtime(c, &b);
    realtime = dup_reset(c, &b);
    readme_version(c, &b);
    version = dup_reset(c, &b);
    for (size_t i = 0; i < m->project.roles.n; i++)
        strbuf_printf(&b, "%s`%s`", i ? ", " : "", ((HqRole *)m->project.roles.items[i])->name);
    role_list = dup_reset(c, &b);
    for (size_t i = 0; i < m->project.platform_schemas.n; i++)
        strbuf_printf(&b, "%s`%s`", i ? ", " : "", (const char *)m->project.platform_schemas.items[i]);
    if (!b.len)
        strbuf_puts(&b, "(none)");
    platform = dup_reset(c, &b);
    size_t n_opt = 0;
    for (size_t i = 0; i < m->extensions.n; i++) {
        const HqExtension *x = m->extensions.items[i];
        strbuf_printf(&b, "%s`%s`%s", i ? ", " : "", x->name, x->optional ? " (optional)" : "");
        n_opt += x->optional;
    }
    if (!m->extensions.n)
        strbuf_puts(&b, "none.");
    else if (n_opt)
        strbuf_puts(&b, ". Objects that need an optional extension the server lacks are skipped with a NOTICE, "
                        "and created by a later run once the extension is installed.");
    else
        strbuf_puts(&b, ".");
    extensions = dup_reset(c, &b);
    const char *lints = m->lints.n ? arena_printf(c->a, "The schema declares %zu lint exception%s, findings of `hqc check` "
                                                        "accepted on purpose, each with its reason: "
                                                        "[lint exceptions](lint_exceptions.md).",
                                                  m->lints.n, m->lints.n == 1 ? "" : "s")
                                   : "The schema declares no lint exceptions ([lint exceptions](lint_exceptions.md)).";
    const HqSchemaVersion *top;
    long v = schema_version(m, &top);
    const char *vnum = top ? arena_printf(c->a, "%ld", v) : "no row";
    const TmplVar vars[] = {
        {"title", m->project.name},    {"project_doc", project_doc},   {"counts", counts},
        {"migrations", migrations},    {"trust", trust},               {"roles", roles},
        {"rls_summary", rls},          {"domains", domains},           {"status_enums", status},
        {"all_enums", all_enums},      {"realtime", realtime},         {"schema_version", version},
        {"role_list", role_list},      {"platform_schemas", platform}, {"extensions", extensions},
        {"version_table", m->project.version_table ? m->project.version_table : "?"},
        {"version", vnum},             {"lint_exceptions", lints},
    };
    tmpl_render(&b, "docs_readme.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}

/* ---- driver ---------------------------------------------------------------- */

void emit_docs(const HqModel *m, OutSet *set)
{
    DocCtx c;
    docs_build_index(&c, m);
    out_add(set, "docs/README.md", readme_page(&c));
    out_add(set, "docs/erd.md", docs_erd_page(&c));
    out_add(set, "docs/lint_exceptions.md", docs_lint_page(&c));
    out_add(set, "docs/schema.dot", docs_schema_dot(&c));
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        out_add(set, arena_printf(c.a, "docs/modules/%s.md", mod->name), docs_module_page(&c, mod));
    }
    for (size_t i = 0; i < m->tables.n; i++) {
        const HqTable *t = m->tables.items[i];
        out_add(set, arena_printf(c.a, "docs/tables/%s.md", t->name), docs_table_page(&c, t));
    }
    for (size_t i = 0; i < m->functions.n; i++) {
        const HqFunction *f = m->functions.items[i];
        out_add(set, arena_printf(c.a, "docs/functions/%s.md", f->name), docs_function_page(&c, f));
    }
    for (size_t i = 0; i < m->enums.n; i++) {
        const HqEnum *e = m->enums.items[i];
        out_add(set, arena_printf(c.a, "docs/enums/%s.md", e->name), docs_enum_page(&c, e));
    }
    for (size_t i = 0; i < m->cron_jobs.n; i++)
        out_add(set, arena_printf(c.a, "docs/cron_jobs/%s.md", c.cron_slug[i]), docs_cron_page(&c, i));
    for (size_t i = 0; i < m->views.n; i++) {
        const HqView *v = m->views.items[i];
        out_add(set, arena_printf(c.a, "docs/views/%s.md", v->name), docs_view_page(&c, v));
    }
}
