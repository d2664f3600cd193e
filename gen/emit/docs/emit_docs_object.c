/* emit_docs_object.c - documentation pages for functions, enums, cron jobs
 * and modules (docs/functions/, docs/enums/, docs/cron_jobs/, docs/modules/).
 * A function page shows the final version and the history of replaced ones;
 * a module page lists what that one migration introduces or changes. */
#include <string.h>

#include "emit/docs/emit_docs_int.h"
#include "base/sqlbuf.h"
#include "base/tmpl.h"

static const char *take(const DocCtx *c, StrBuf *b)
{
    const char *r = arena_strdup(c->a, b->data);
    strbuf_reset(b);
    return r;
}

static void list_sep(StrBuf *b, size_t *n)
{
    strbuf_puts(b, (*n)++ ? ", " : "");
}

/* ---- functions ------------------------------------------------------------- */

static void returns(StrBuf *b, const HqFunction *f)
{
    switch (f->ret_kind) {
    case HQ_RET_TABLE:
        strbuf_puts(b, "a set of rows (");
        for (size_t i = 0; i < f->n_out; i++) {
            strbuf_printf(b, "%s`%s` ", i ? ", " : "", f->out[i].name);
            md_type(b, &f->out[i].type, "../", true);
        }
        strbuf_putc(b, ')');
        break;
    case HQ_RET_SETOF:
        strbuf_puts(b, "a set of ");
        md_type(b, &f->ret_type, "../", true);
        break;
    case HQ_RET_SCALAR:
        md_type(b, &f->ret_type, "../", true);
        break;
    case HQ_RET_TRIGGER:
        strbuf_puts(b, "`trigger` (a trigger function)");
        break;
    case HQ_RET_VOID:
        strbuf_puts(b, "nothing (`void`)");
        break;
    }
}

static void roles_list(StrBuf *b, const char *const *roles, size_t n)
{
    for (size_t i = 0; i < n; i++)
        strbuf_printf(b, "%s`%s`", i ? ", " : "", roles[i]);
}

static void function_facts(const DocCtx *c, StrBuf *b, const HqFunction *f, size_t fi)
{
    static const char *const vol[] = {"volatile", "stable", "immutable"};
    strbuf_puts(b, "| Returns | ");
    returns(b, f);
    strbuf_printf(b, " |\n| Language | `%s` |\n| Volatility | %s |\n", f->language ? f->language : "?",
                  vol[f->volatility == 's' ? 1 : f->volatility == 'i' ? 2 : 0]);
    strbuf_puts(b, f->security_definer ? "| Security | **definer**: runs with the rights of its owner |\n"
                                       : "| Security | invoker: runs with the rights of the caller |\n");
    if (!f->search_path)
        strbuf_puts(b, "| search_path | not set (the caller's) |\n");
    else if (!*f->search_path)
        strbuf_puts(b, "| search_path | empty: every name in the body is schema-qualified |\n");
    else
        strbuf_printf(b, "| search_path | `%s` |\n", f->search_path);
    if (f->strict)
        strbuf_puts(b, "| Strict | yes: returns NULL on a NULL argument without running |\n");
    strbuf_puts(b, "| EXECUTE granted to | ");
    if (f->n_grants)
        roles_list(b, f->grants, f->n_grants);
    else
        strbuf_puts(b, "no role by name (default privileges apply)");
    strbuf_puts(b, " |\n");
    if (f->n_revokes) {
        strbuf_puts(b, "| EXECUTE revoked from | ");
        roles_list(b, f->revokes, f->n_revokes);
        strbuf_puts(b, " |\n");
    }
    const HqDomain *d = fi < c->n_functions ? c->fn_domain[fi] : NULL;
    strbuf_printf(b, "| Domain | %s |\n| Defined by | ", d ? d->title : "Other");
    md_link_module(b, f->module, "../");
    if (f->previous) {
        strbuf_puts(b, " (replaces the version of ");
        md_link_module(b, f->previous->module, "../");
        strbuf_putc(b, ')');
    }
    strbuf_puts(b, " |\n");
    if (f->requires)
        strbuf_printf(b, "| Needs extension | `%s`%s |\n", f->requires->name,
                      f->requires->optional ? " (skipped where it is missing)" : "");
}

static void function_called_by(const DocCtx *c, StrBuf *b, const HqFunction *f, size_t fi)
{
    StrBuf s;
    strbuf_init(&s);
    /* The schema's tables, then the platform's. */
    size_t n_tables = c->m->tables.n, n_all = n_tables + c->m->platform_tables.n;
    for (size_t t = 0; t < n_all; t++) {
        const HqTable *tab = t < n_tables ? c->m->tables.items[t] : c->m->platform_tables.items[t - n_tables];
        for (size_t k = 0; k < tab->triggers.n; k++) {
            const HqTrigger *tg = tab->triggers.items[k];
            if (strcmp(tg->function_name, f->name) && tg->function != f)
                continue;
            strbuf_printf(&s, "- trigger `%s` on ", tg->name);
            md_link_table(&s, tab, "../");
            strbuf_putc(&s, '\n');
        }
    }
    for (size_t j = 0; j < c->n_cron && fi < c->n_functions; j++) {
        if (!c->cron_calls[j * c->n_functions + fi])
            continue;
        strbuf_puts(&s, "- cron job ");
        md_link_cron(&s, c, j, "../");
        const HqCronJob *job = c->m->cron_jobs.items[j];
        const char *when = docs_schedule_words(c->a, job->schedule);
        if (when)
            strbuf_printf(&s, " (%s)", when);
        strbuf_putc(&s, '\n');
    }
    for (size_t g = 0; g < c->n_functions && fi < c->n_functions; g++) {
        if (!c->fn_calls[g * c->n_functions + fi])
            continue;
        strbuf_puts(&s, "- function ");
        md_link_function(&s, c->m->functions.items[g], "../");
        strbuf_putc(&s, '\n');
    }
    if (s.len)
        strbuf_printf(b, "## Called by\n\n%s", s.data);
    strbuf_free(&s);
}

static void function_uses(const DocCtx *c, StrBuf *b, size_t fi)
{
    if (fi >= c->n_functions)
        return;
    StrBuf w, r, calls;
    strbuf_init(&w);
    strbuf_init(&r);
    strbuf_init(&calls);
    size_t nw = 0, nr = 0, nc = 0;
    for (size_t t = 0; t < c->n_tables; t++) {
        int use = c->fn_uses[fi * c->n_tables + t];
        if (use == DOC_USE_WRITE) {
            list_sep(&w, &nw);
            md_link_table(&w, c->m->tables.items[t], "../");
        } else if (use == DOC_USE_READ) {
            list_sep(&r, &nr);
            md_link_table(&r, c->m->tables.items[t], "../");
        }
    }
    for (size_t g = 0; g < c->n_functions; g++)
        if (c->fn_calls[fi * c->n_functions + g]) {
            list_sep(&calls, &nc);
            md_link_function(&calls, c->m->functions.items[g], "../");
        }
    if (nw || nr || nc) {
        strbuf_puts(b, "## What it uses\n\nFrom its SQL: statements that insert into, update or delete from a table "
                       "count as writes; any other mention as a read.\n\n");
        if (nw)
            strbuf_printf(b, "- Writes: %s\n", w.data);
        if (nr)
            strbuf_printf(b, "- Reads: %s\n", r.data);
        if (nc)
            strbuf_printf(b, "- Calls: %s\n", calls.data);
    }
    strbuf_free(&w);
    strbuf_free(&r);
    strbuf_free(&calls);
}

static void function_history(const DocCtx *c, StrBuf *b, const HqFunction *f)
{
    size_t n = 0;
    for (size_t i = 0; i < c->m->all_functions.n; i++)
        n += !strcmp(((HqFunction *)c->m->all_functions.items[i])->name, f->name);
    if (n < 2)
        return;
    strbuf_puts(b, "## Version history\n\n");
    size_t k = 0;
    for (size_t i = 0; i < c->m->all_functions.n; i++) {
        const HqFunction *v = c->m->all_functions.items[i];
        if (strcmp(v->name, f->name))
            continue;
        strbuf_printf(b, "%zu. ", ++k);
        md_link_module(b, v->module, "../");
        strbuf_puts(b, k == 1 ? ": first version" : ": replaces the previous version");
        strbuf_puts(b, v == f ? " (current, shown above).\n" : ".\n");
    }
    for (size_t i = 0; i < c->m->all_functions.n; i++) {
        const HqFunction *v = c->m->all_functions.items[i];
        if (strcmp(v->name, f->name) || v == f)
            continue;
        StrBuf s;
        strbuf_init(&s);
        sqlbuf_create_function(&s, v, NULL);
        strbuf_printf(b, "\n<details><summary>The version of %s</summary>\n\n", v->module->name);
        if (v->doc) {
            md_prose(b, v->doc);
            strbuf_puts(b, "\n\n");
        }
        md_fence(b, "sql", s.data);
        strbuf_puts(b, "\n</details>\n");
        strbuf_free(&s);
    }
}

char *docs_function_page(const DocCtx *c, const HqFunction *f)
{
    size_t fi = docs_function_index(c, f->name);
    StrBuf b, def;
    strbuf_init(&b);
    strbuf_init(&def);
    const char *doc, *sig, *fct, *called, *uses, *hist, *body;
    md_prose(&b, f->doc);
    doc = take(c, &b);
    sqlbuf_create_function(&def, f, NULL);
    strbuf_putc(&def, ';');
    const char *as = strstr(def.data, "\nAS ");
    char *head = arena_strndup(c->a, def.data, as ? (size_t)(as - def.data) : def.len);
    md_fence(&b, "sql", head);
    sig = take(c, &b);
    function_facts(c, &b, f, fi);
    fct = take(c, &b);
    function_called_by(c, &b, f, fi);
    called = take(c, &b);
    function_uses(c, &b, fi);
    uses = take(c, &b);
    function_history(c, &b, f);
    hist = take(c, &b);
    docs_lint_section(c, &b, NULL, f, NULL, "../");
    const char *lint = take(c, &b);
    md_fence(&b, "sql", def.data);
    body = take(c, &b);
    strbuf_free(&def);
    const TmplVar vars[] = {
        {"name", f->name},       {"doc", doc},   {"signature", sig},  {"facts", fct},
        {"called_by", called},   {"uses", uses}, {"history", hist},   {"definition", body},
        {"lint", lint},
    };
    tmpl_render(&b, "docs_function.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}

/* ---- enums ----------------------------------------------------------------- */

char *docs_enum_page(const DocCtx *c, const HqEnum *e)
{
    StrBuf b;
    strbuf_init(&b);
    const char *doc, *mod, *values, *used;
    md_prose(&b, e->doc);
    doc = take(c, &b);
    md_link_module(&b, e->module, "../");
    mod = take(c, &b);
    for (size_t i = 0; i < e->values.n; i++) {
        const HqEnumValue *v = e->values.items[i];
        strbuf_puts(&b, "| ");
        md_code(&b, v->name, true);
        strbuf_puts(&b, " | ");
        md_inline(&b, v->doc, true);
        strbuf_puts(&b, " | ");
        if (v->module != e->module)
            md_link_module(&b, v->module, "../");
        strbuf_printf(&b, " | %s |\n", docs_value_users(c, e, v->name, "../"));
    }
    values = take(c, &b);
    StrBuf cols, fns;
    strbuf_init(&cols);
    strbuf_init(&fns);
    size_t nc = 0, nf = 0;
    for (size_t t = 0; t < c->n_tables; t++) {
        const HqTable *tab = c->m->tables.items[t];
        for (size_t k = 0; k < tab->columns.n; k++) {
            const HqColumn *col = tab->columns.items[k];
            if (col->type.enum_ref != e)
                continue;
            list_sep(&cols, &nc);
            md_link_table(&cols, tab, "../");
            strbuf_printf(&cols, ".`%s`", col->name);
        }
    }
    for (size_t i = 0; i < c->n_functions; i++) {
        const HqFunction *f = c->m->functions.items[i];
        bool uses = f->ret_type.enum_ref == e;
        for (size_t k = 0; k < f->n_args; k++)
            uses |= f->args[k].type.enum_ref == e;
        for (size_t k = 0; k < f->n_out; k++)
            uses |= f->out[k].type.enum_ref == e;
        if (uses) {
            list_sep(&fns, &nf);
            md_link_function(&fns, f, "../");
        }
    }
    if (nc || nf)
        strbuf_puts(&b, "## Used by\n\n");
    if (nc)
        strbuf_printf(&b, "- Columns: %s\n", cols.data);
    if (nf)
        strbuf_printf(&b, "- Function arguments and results: %s\n", fns.data);
    if (!nc && !nf)
        strbuf_puts(&b, "No column or function argument has this type.\n");
    used = take(c, &b);
    strbuf_free(&cols);
    strbuf_free(&fns);
    const TmplVar vars[] = {
        {"name", e->name}, {"doc", doc}, {"module", mod}, {"values", values}, {"used_by", used},
    };
    tmpl_render(&b, "docs_enum.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}

/* ---- cron jobs ------------------------------------------------------------- */

char *docs_cron_page(const DocCtx *c, size_t cron)
{
    const HqCronJob *j = c->m->cron_jobs.items[cron];
    StrBuf b;
    strbuf_init(&b);
    const char *doc, *sched, *mod, *calls, *cmd;
    md_prose(&b, j->doc);
    doc = take(c, &b);
    md_code(&b, j->schedule, true);
    const char *words = docs_schedule_words(c->a, j->schedule);
    if (words)
        strbuf_printf(&b, " (%s)", words);
    sched = take(c, &b);
    md_link_module(&b, j->module, "../");
    mod = take(c, &b);
    size_t n = 0;
    for (size_t f = 0; f < c->n_functions; f++)
        if (c->cron_calls[cron * c->n_functions + f]) {
            strbuf_puts(&b, n++ ? ", " : "| Calls | ");
            md_link_function(&b, c->m->functions.items[f], "../");
        }
    if (n)
        strbuf_puts(&b, " |\n");
    for (int pass = DOC_USE_WRITE; pass >= DOC_USE_READ; pass--) {
        n = 0;
        for (size_t t = 0; t < c->n_tables; t++)
            if (c->cron_uses[cron * c->n_tables + t] == pass) {
                strbuf_puts(&b, n++ ? ", " : pass == DOC_USE_WRITE ? "| Writes | " : "| Reads | ");
                md_link_table(&b, c->m->tables.items[t], "../");
            }
        if (n)
            strbuf_puts(&b, " |\n");
    }
    calls = take(c, &b);
    md_fence(&b, "sql", j->command.text ? j->command.text : "");
    cmd = take(c, &b);
    const TmplVar vars[] = {
        {"name", j->name}, {"doc", doc}, {"schedule", sched}, {"module", mod}, {"calls", calls}, {"command", cmd},
    };
    tmpl_render(&b, "docs_cron.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}

/* ---- views ----------------------------------------------------------------- */

char *docs_view_page(const DocCtx *c, const HqView *v)
{
    StrBuf b;
    strbuf_init(&b);
    const char *doc, *mod, *grants, *reads, *query;
    md_prose(&b, v->doc);
    doc = take(c, &b);
    md_link_module(&b, v->module, "../");
    mod = take(c, &b);
    if (v->n_grants)
        roles_list(&b, v->grants, v->n_grants);
    else
        strbuf_puts(&b, "no role by name (default privileges apply)");
    grants = take(c, &b);
    size_t n = 0;
    for (size_t t = 0; t < c->n_tables; t++)
        if (docs_sql_table_use(c, v->query.text, c->m->tables.items[t])) {
            strbuf_puts(&b, n++ ? ", " : "| Reads | ");
            md_link_table(&b, c->m->tables.items[t], "../");
        }
    if (n)
        strbuf_puts(&b, " |\n");
    reads = take(c, &b);
    md_fence(&b, "sql", v->query.text ? v->query.text : "");
    query = take(c, &b);
    docs_lint_section(c, &b, NULL, v, NULL, "../");
    const char *lint = take(c, &b);
    const TmplVar vars[] = {
        {"name", v->name},
        {"doc", doc},
        {"module", mod},
        {"security", v->security_invoker ? "invoker: the caller's privileges and row-level security apply"
                                         : "definer: the view owner's privileges apply (RLS of the caller does not)"},
        {"grants", grants},
        {"reads", reads},
        {"query", query},
        {"lint", lint},
    };
    tmpl_render(&b, "docs_view.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}

/* ---- modules --------------------------------------------------------------- */

static void heading(StrBuf *b, size_t *n, const char *title)
{
    if (!(*n)++)
        strbuf_printf(b, "## %s\n\n", title);
}

static void names(StrBuf *b, const char *label, const HqVec *v)
{
    if (!v->n)
        return;
    strbuf_printf(b, "  - %s: ", label);
    for (size_t i = 0; i < v->n; i++)
        strbuf_printf(b, "%s`%s`", i ? ", " : "", (const char *)v->items[i]);
    strbuf_putc(b, '\n');
}

/* What an extend_tables entry (or a table's creation) changes, as sub-items. */
static void delta_items(const DocCtx *c, StrBuf *b, const HqTableDelta *d)
{
    static const char *const rls[] = {"", "enables row-level security", "enables and forces row-level security",
                                      "disables row-level security"};
    if (d->columns.n) {
        strbuf_puts(b, "  - adds columns: ");
        for (size_t i = 0; i < d->columns.n; i++) {
            const HqColumn *col = d->columns.items[i];
            strbuf_printf(b, "%s`%s` ", i ? ", " : "", col->name);
            md_type(b, &col->type, "../", false);
        }
        strbuf_putc(b, '\n');
    }
    for (size_t i = 0; i < d->alters.n; i++) {
        const HqColumnAlter *al = d->alters.items[i];
        const HqColumn *col = d->alter_columns.items[i];
        strbuf_printf(b, "  - changes column `%s`:", col->name);
        if (al->sets_not_null)
            strbuf_puts(b, al->not_null ? " NOT NULL" : " nullable");
        if (al->sets_default) {
            strbuf_puts(b, al->sets_not_null ? ", " : " ");
            if (al->default_sql.text) {
                strbuf_puts(b, "default ");
                md_code(b, al->default_sql.text, false);
            } else {
                strbuf_puts(b, "no default");
            }
        }
        strbuf_putc(b, '\n');
    }
    if (d->constraints.n) {
        strbuf_puts(b, "  - adds constraints: ");
        for (size_t i = 0; i < d->constraints.n; i++)
            strbuf_printf(b, "%s`%s`", i ? ", " : "", ((HqConstraint *)d->constraints.items[i])->name);
        strbuf_putc(b, '\n');
    }
    names(b, "drops constraints", &d->drop_constraints);
    if (d->indexes.n) {
        strbuf_puts(b, "  - adds indexes: ");
        for (size_t i = 0; i < d->indexes.n; i++)
            strbuf_printf(b, "%s`%s`", i ? ", " : "", ((HqIndex *)d->indexes.items[i])->name);
        strbuf_putc(b, '\n');
    }
    names(b, "drops indexes", &d->drop_indexes);
    if (d->rls)
        strbuf_printf(b, "  - %s\n", rls[d->rls]);
    if (d->policies.n) {
        strbuf_puts(b, "  - adds policies: ");
        for (size_t i = 0; i < d->policies.n; i++)
            strbuf_printf(b, "%s\"%s\"", i ? ", " : "", ((HqPolicy *)d->policies.items[i])->name);
        strbuf_putc(b, '\n');
    }
    names(b, "drops policies", &d->drop_policies);
    for (size_t i = 0; i < d->triggers.n; i++) {
        const HqTrigger *tg = d->triggers.items[i];
        strbuf_printf(b, "  - adds trigger `%s` → ", tg->name);
        const HqFunction *f = model_find_function(c->m, tg->function_name);
        if (f)
            md_link_function(b, f, "../");
        else
            strbuf_printf(b, "`%s()`", tg->function_name);
        strbuf_putc(b, '\n');
    }
    names(b, "drops triggers", &d->drop_triggers);
    if (d->grants.n) {
        StrBuf s;
        strbuf_init(&s);
        strbuf_puts(b, "  - privileges: ");
        for (size_t i = 0; i < d->grants.n; i++) {
            const HqGrant *g = d->grants.items[i];
            strbuf_reset(&s);
            strbuf_puts(&s, g->revoke ? "REVOKE " : "GRANT ");
            sqlbuf_privileges(&s, g->privileges, g->n_privileges);
            strbuf_puts(&s, g->revoke ? " FROM " : " TO ");
            sqlbuf_roles(&s, g->roles, g->n_roles);
            strbuf_puts(b, i ? ", " : "");
            md_code(b, s.data, false);
        }
        strbuf_putc(b, '\n');
        strbuf_free(&s);
    }
    if (d->realtime >= 0)
        strbuf_printf(b, "  - %s\n", d->realtime ? "publishes it to Realtime" : "removes it from Realtime");
    if (d->replica_identity)
        strbuf_printf(b, "  - sets replica identity %s\n",
                      d->replica_identity == HQ_REPLICA_FULL ? "full" : d->replica_identity == HQ_REPLICA_NOTHING ? "nothing" : "default");
}

static void module_changes(const DocCtx *c, StrBuf *b, const HqModule *mod)
{
    size_t n = 0;
    StrBuf s;
    strbuf_init(&s);
    for (size_t i = 0; i < mod->extensions.n; i++) {
        const HqExtension *x = mod->extensions.items[i];
        heading(b, &n, "Extensions");
        strbuf_printf(b, "- `%s`%s%s%s", x->name, x->schema ? " in schema `" : "", x->schema ? x->schema : "",
                      x->schema ? "`" : "");
        strbuf_puts(b, x->optional ? " (optional: skipped with a NOTICE where it is not available)" : "");
        if (x->doc) {
            strbuf_puts(b, " — ");
            md_inline(b, x->doc, false);
        }
        strbuf_putc(b, '\n');
    }
    if (n)
        strbuf_putc(b, '\n');
    n = 0;
    for (int pass = 0; pass < 2; pass++) {
        const HqVec *v = pass ? &mod->default_privileges : &mod->schema_grants;
        for (size_t i = 0; i < v->n; i++) {
            const HqSchemaGrant *g = v->items[i];
            heading(b, &n, "Schema privileges");
            strbuf_reset(&s);
            if (pass)
                strbuf_printf(&s, "ALTER DEFAULT PRIVILEGES IN SCHEMA %s GRANT ", g->schema);
            else
                strbuf_puts(&s, "GRANT ");
            sqlbuf_privileges(&s, g->privileges, g->n_privileges);
            if (pass)
                strbuf_printf(&s, " ON %s TO ", g->on ? g->on : "?");
            else
                strbuf_printf(&s, " ON SCHEMA %s TO ", g->schema);
            sqlbuf_roles(&s, g->roles, g->n_roles);
            strbuf_puts(b, "- ");
            md_code(b, s.data, false);
            strbuf_putc(b, '\n');
        }
    }
    if (n)
        strbuf_putc(b, '\n');
    n = 0;
    for (size_t i = 0; i < mod->enums.n; i++) {
        const HqEnumDelta *ed = mod->enums.items[i];
        heading(b, &n, "Enums");
        strbuf_puts(b, "- ");
        md_link_enum(b, ed->enm, "../");
        strbuf_puts(b, ed->creates ? " (new): " : " gains ");
        for (size_t k = 0; k < ed->values.n; k++)
            strbuf_printf(b, "%s`%s`", k ? ", " : "", ((HqEnumValue *)ed->values.items[k])->name);
        strbuf_putc(b, '\n');
    }
    if (n)
        strbuf_putc(b, '\n');
    for (int creates = 1; creates >= 0; creates--) {
        n = 0;
        for (size_t i = 0; i < mod->tables.n; i++) {
            const HqTableDelta *d = mod->tables.items[i];
            if (d->creates != (creates == 1))
                continue;
            heading(b, &n, creates ? "New tables" : "Changed tables");
            strbuf_puts(b, "- ");
            md_link_table(b, d->table, "../");
            if (creates) {
                const char *sent = md_sentence(c->a, d->table->doc);
                if (sent) {
                    strbuf_puts(b, " — ");
                    md_inline(b, sent, false);
                }
                strbuf_putc(b, '\n');
            } else {
                strbuf_putc(b, '\n');
                delta_items(c, b, d);
            }
        }
        if (n)
            strbuf_putc(b, '\n');
    }
    n = 0;
    for (size_t i = 0; i < mod->functions.n; i++) {
        const HqFunction *f = mod->functions.items[i];
        heading(b, &n, "Functions");
        strbuf_puts(b, "- ");
        const HqFunction *last = f;
        while (last->replaced_by)
            last = last->replaced_by;
        md_link_function(b, last, "../");
        if (f->previous) {
            strbuf_puts(b, " replaces the version of ");
            md_link_module(b, f->previous->module, "../");
        }
        if (f->replaced_by) {
            strbuf_puts(b, f->previous ? "; " : " ");
            strbuf_puts(b, "replaced by ");
            md_link_module(b, f->replaced_by->module, "../");
        }
        const char *sent = md_sentence(c->a, f->doc);
        if (sent) {
            strbuf_puts(b, " — ");
            md_inline(b, sent, false);
        }
        strbuf_putc(b, '\n');
    }
    if (n)
        strbuf_putc(b, '\n');
    n = 0;
    for (size_t i = 0; i < mod->views.n; i++) {
        const HqView *v = mod->views.items[i];
        heading(b, &n, "Views");
        strbuf_printf(b, "- [`%s`](../views/%s.md)", v->name, v->name);
        const char *sent = md_sentence(c->a, v->doc);
        if (sent) {
            strbuf_puts(b, " — ");
            md_inline(b, sent, false);
        }
        strbuf_putc(b, '\n');
    }
    if (n)
        strbuf_putc(b, '\n');
    n = 0;
    for (size_t i = 0; i < mod->cron_jobs.n; i++) {
        const HqCronJob *j = mod->cron_jobs.items[i];
        heading(b, &n, "Cron jobs");
        size_t ci = 0;
        while (ci < c->n_cron && c->m->cron_jobs.items[ci] != j)
            ci++;
        strbuf_puts(b, "- ");
        if (ci < c->n_cron)
            md_link_cron(b, c, ci, "../");
        else
            md_code(b, j->name, false);
        strbuf_puts(b, " ");
        md_code(b, j->schedule, false);
        if (j->doc) {
            strbuf_puts(b, " — ");
            md_inline(b, md_sentence(c->a, j->doc), false);
        }
        strbuf_putc(b, '\n');
    }
    if (n)
        strbuf_putc(b, '\n');
    n = 0;
    for (size_t i = 0; i < mod->buckets.n; i++) {
        const HqBucket *bk = mod->buckets.items[i];
        heading(b, &n, "Storage buckets");
        strbuf_printf(b, "- `%s` (%s)\n", bk->id, bk->is_public ? "public" : "private");
    }
    if (n)
        strbuf_putc(b, '\n');
    n = 0;
    for (size_t i = 0; i < mod->seeds.n; i++) {
        const HqSeed *sd = mod->seeds.items[i];
        heading(b, &n, "Seed rows");
        strbuf_puts(b, "- ");
        if (sd->table)
            md_link_table(b, sd->table, "../");
        else
            md_code(b, sd->table_name, false);
        strbuf_printf(b, ": %zu row%s\n", sd->n_rows, sd->n_rows == 1 ? "" : "s");
    }
    if (n)
        strbuf_putc(b, '\n');
    n = 0;
    for (size_t i = 0; i < mod->data_steps.n; i++) {
        const HqDataStep *st = mod->data_steps.items[i];
        heading(b, &n, "Data steps");
        strbuf_printf(b, "### `%s`\n\n", st->name);
        if (st->doc) {
            md_prose(b, st->doc);
            strbuf_puts(b, "\n\n");
        }
        md_fence(b, "sql", st->sql.text ? st->sql.text : "");
        strbuf_putc(b, '\n');
    }
    n = 0;
    for (size_t i = 0; i < mod->schema_versions.n; i++) {
        const HqSchemaVersion *sv = mod->schema_versions.items[i];
        heading(b, &n, "Schema version");
        strbuf_printf(b, "- %ld", sv->version);
        if (sv->description) {
            strbuf_puts(b, ": ");
            md_inline(b, sv->description, false);
        }
        strbuf_putc(b, '\n');
    }
    if (n)
        strbuf_putc(b, '\n');
    n = 0;
    for (size_t i = 0; i < mod->raw_blocks.n; i++) {
        const HqRawBlock *rb = mod->raw_blocks.items[i];
        heading(b, &n, "Raw SQL");
        if (rb->doc) {
            md_prose(b, rb->doc);
            strbuf_puts(b, "\n\n");
        }
        md_fence(b, "sql", rb->sql.text ? rb->sql.text : "");
        strbuf_putc(b, '\n');
    }
    n = 0;
    for (size_t i = 0; i < mod->changes.n; i++) {
        const HqChange *ch = mod->changes.items[i];
        heading(b, &n, "Changes for older databases");
        if (n == 1)
            strbuf_puts(b, "Steps that run once on a database built by an older version of the schema (and never on a "
                           "fresh install), in this order:\n\n");
        strbuf_printf(b, "- %s ", ch->key);
        if (ch->kind == HQ_CHG_SQL)
            strbuf_puts(b, "(data step)");
        else
            md_code(b, ch->subject, false);
        if (ch->to) {
            strbuf_puts(b, " → ");
            md_code(b, ch->to, false);
        }
        for (size_t k = 0; k < ch->n_map; k++) {
            strbuf_puts(b, k ? ", " : " (");
            md_code(b, ch->map[k].from, false);
            strbuf_puts(b, " → ");
            md_code(b, ch->map[k].to ? ch->map[k].to : "", false);
            strbuf_puts(b, k + 1 == ch->n_map ? ")" : "");
        }
        if (ch->n_tables)
            strbuf_printf(b, " on %zu table%s", ch->n_tables, ch->n_tables == 1 ? "" : "s");
        if (ch->sql.text && ch->kind != HQ_CHG_SQL)
            strbuf_puts(b, ", after moving its data");
        if (ch->doc) {
            strbuf_puts(b, " — ");
            md_inline(b, md_sentence(c->a, ch->doc), false);
        }
        strbuf_putc(b, '\n');
    }
    if (n)
        strbuf_putc(b, '\n');
    strbuf_free(&s);
}

char *docs_module_page(const DocCtx *c, const HqModule *mod)
{
    StrBuf b;
    strbuf_init(&b);
    const char *base = strrchr(mod->path, '/');
    const char *source = arena_printf(c->a, "schema/%s", base ? base + 1 : mod->path);
    const char *summary, *doc, *nb, *changes;
    md_prose(&b, mod->summary);
    summary = take(c, &b);
    md_prose(&b, mod->doc);
    doc = take(c, &b);
    const HqModule *prev = mod->index > 0 ? c->m->modules.items[mod->index - 1] : NULL;
    const HqModule *next = (size_t)mod->index + 1 < c->m->modules.n ? c->m->modules.items[mod->index + 1] : NULL;
    if (prev) {
        strbuf_puts(&b, "| Previous | ");
        md_link_module(&b, prev, "../");
        strbuf_puts(&b, " |\n");
    }
    if (next) {
        strbuf_puts(&b, "| Next | ");
        md_link_module(&b, next, "../");
        strbuf_puts(&b, " |\n");
    }
    nb = take(c, &b);
    module_changes(c, &b, mod);
    if (!b.len)
        strbuf_puts(&b, "This module declares no objects.\n");
    changes = take(c, &b);
    docs_lint_section(c, &b, NULL, NULL, mod, "../");
    const char *lint = take(c, &b);
    const TmplVar vars[] = {
        {"name", mod->name}, {"source", source}, {"summary", summary}, {"doc", doc}, {"neighbours", nb},
        {"changes", changes}, {"lint", lint},
    };
    tmpl_render(&b, "docs_module.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}
