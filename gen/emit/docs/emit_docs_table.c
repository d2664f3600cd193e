/* emit_docs_table.c - one documentation page per table (docs/tables/<name>.md):
 * columns, constraints, indexes, row-level security with every policy in
 * words and in SQL, grants, triggers and what they do, realtime, and the
 * tables and functions that refer to it. Final state, after all modules. */
#include <string.h>
#include <strings.h>

#include "emit/docs/emit_docs_int.h"
#include "base/sqlbuf.h"
#include "base/tmpl.h"

static const char *take(const DocCtx *c, StrBuf *b)
{
    const char *r = arena_strdup(c->a, b->data);
    strbuf_reset(b);
    return r;
}

static bool is_true(const char *sql)
{
    if (!sql)
        return false;
    while (*sql == ' ' || *sql == '(')
        sql++;
    size_t n = strlen(sql);
    while (n && (sql[n - 1] == ' ' || sql[n - 1] == '\n' || sql[n - 1] == ')'))
        n--;
    return n == 4 && !strncasecmp(sql, "true", 4);
}

static void roles_words(StrBuf *b, const char *const *roles, size_t n)
{
    if (!n) {
        strbuf_puts(b, "every role (PUBLIC)");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(b, i == 0 ? "" : i + 1 == n ? " and " : ", ");
        if (!strcmp(roles[i], "public"))
            strbuf_puts(b, "every role (PUBLIC)");
        else
            strbuf_printf(b, "`%s`", roles[i]);
    }
}

static void rows_where(StrBuf *b, const char *cond, bool in_table)
{
    if (!cond || is_true(cond)) {
        strbuf_puts(b, "all rows");
        return;
    }
    strbuf_puts(b, "rows where ");
    md_code(b, cond, in_table);
}

void docs_policy_words(StrBuf *b, const HqPolicy *p, bool in_table)
{
    static const char *const verbs[] = {"read and write", "read", "insert", "update", "delete"};
    const char *using = p->using_sql.text, *check = p->check_sql.text;
    if (p->restrictive)
        strbuf_puts(b, "Restrictive: whatever other policies allow, ");
    roles_words(b, p->roles, p->n_roles);
    strbuf_printf(b, p->restrictive ? " may only %s " : " may %s ", verbs[p->command]);
    if (p->command == HQ_CMD_INSERT) {
        rows_where(b, check, in_table);
    } else if (p->command == HQ_CMD_ALL && !using && check) {
        /* WITH CHECK only: the condition applies to rows written. */
        rows_where(b, check, in_table);
        check = NULL;
    } else {
        rows_where(b, using, in_table);
    }
    if (check && (p->command == HQ_CMD_ALL || p->command == HQ_CMD_UPDATE) && strcmp(check, using ? using : "")) {
        if (is_true(check)) {
            strbuf_puts(b, "; rows it writes may have any values");
        } else {
            strbuf_puts(b, "; rows it writes must satisfy ");
            md_code(b, check, in_table);
        }
    }
    strbuf_putc(b, '.');
}

/* ---- facts and columns ----------------------------------------------------- */

static void facts(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    strbuf_printf(b, "| Domain | %s |\n", t->domain ? t->domain->title : "Other");
    strbuf_puts(b, "| Created by | ");
    md_link_module(b, t->module, "../");
    strbuf_puts(b, " |\n");
    size_t n = 0;
    for (size_t i = 0; i < t->deltas.n; i++) {
        const HqTableDelta *d = t->deltas.items[i];
        if (d->creates)
            continue;
        strbuf_puts(b, n++ ? ", " : "| Changed by | ");
        md_link_module(b, d->module, "../");
    }
    if (n)
        strbuf_puts(b, " |\n");
    for (size_t i = 0; i < t->traits.n; i++)
        strbuf_printf(b, "%s`%s`", i ? ", " : "| Traits | ", (const char *)t->traits.items[i]);
    if (t->traits.n)
        strbuf_puts(b, " |\n");
    if (t->primary_key) {
        strbuf_puts(b, "| Primary key | ");
        for (size_t i = 0; i < t->primary_key->n_columns; i++)
            strbuf_printf(b, "%s`%s`", i ? ", " : "", t->primary_key->columns[i]);
        strbuf_puts(b, " |\n");
    }
    static const char *const rls[] = {"not enabled", "enabled", "enabled and forced", "disabled"};
    strbuf_printf(b, "| Row-level security | %s, %zu polic%s |\n", rls[t->rls], t->policies.n,
                  t->policies.n == 1 ? "y" : "ies");
    strbuf_printf(b, "| Realtime | %s |\n", t->realtime ? "yes" : "no");
    if (t->requires)
        strbuf_printf(b, "| Needs extension | `%s`%s |\n", t->requires->name, t->requires->optional ? " (optional)" : "");
    (void)c;
}

/* The single-column foreign key of column `col`, if any. */
static const HqConstraint *column_fk(const HqTable *t, const char *col)
{
    for (size_t i = 0; i < t->constraints.n; i++) {
        const HqConstraint *k = t->constraints.items[i];
        if (k->kind == HQ_CON_FOREIGN && k->n_columns == 1 && !strcmp(k->columns[0], col))
            return k;
    }
    return NULL;
}

static void fk_target(StrBuf *b, const HqConstraint *k, bool in_table)
{
    if (k->ref_table)
        md_link_table(b, k->ref_table, "../");
    else
        md_code(b, k->ref_table_name, in_table);
    if (k->n_ref_columns) {
        strbuf_putc(b, '.');
        for (size_t i = 0; i < k->n_ref_columns; i++)
            strbuf_printf(b, "%s`%s`", i ? ", " : "", k->ref_columns[i]);
    }
    if (k->on_delete)
        strbuf_printf(b, ", on delete %s", model_fk_action_sql(k->on_delete));
    if (k->on_update)
        strbuf_printf(b, ", on update %s", model_fk_action_sql(k->on_update));
}

static void columns(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    for (size_t i = 0; i < t->columns.n; i++) {
        const HqColumn *col = t->columns.items[i];
        strbuf_printf(b, "| `%s` | ", col->name);
        md_type(b, &col->type, "../", true);
        strbuf_printf(b, " | %s | ", col->final_not_null ? "not null" : "null");
        if (col->generated.text) {
            strbuf_puts(b, "generated: ");
            md_code(b, col->generated.text, true);
        } else if (col->identity) {
            strbuf_puts(b, col->identity == HQ_IDENTITY_ALWAYS ? "identity (always)" : "identity (by default)");
        } else if (col->final_default.text) {
            md_code(b, col->final_default.text, true);
        }
        strbuf_puts(b, " | ");
        const HqConstraint *fk = column_fk(t, col->name);
        if (fk)
            fk_target(b, fk, true);
        strbuf_puts(b, " | ");
        size_t start = b->len;
        md_inline(b, col->doc, true);
        if (col->from_trait)
            strbuf_printf(b, "%s(trait `%s`)", b->len > start ? " " : "", col->from_trait);
        if (col->module != t->module) {
            strbuf_puts(b, b->len > start ? " Added by " : "Added by ");
            md_link_module(b, col->module, "../");
            strbuf_putc(b, '.');
        }
        for (size_t k = 0; k < col->alters.n; k++) {
            const HqColumnAlter *al = col->alters.items[k];
            strbuf_puts(b, b->len > start ? " " : "");
            if (al->sets_not_null)
                strbuf_puts(b, al->not_null ? "Made NOT NULL" : "Made nullable");
            if (al->sets_default)
                strbuf_printf(b, "%s", al->sets_not_null ? " and its default changed" : "Default changed");
            strbuf_puts(b, " by ");
            md_link_module(b, al->module, "../");
            strbuf_putc(b, '.');
        }
        if (col->requires)
            strbuf_printf(b, "%sNeeds extension `%s`%s.", b->len > start ? " " : "", col->requires->name,
                          col->requires->optional ? " (skipped where it is missing)" : "");
        strbuf_puts(b, " |\n");
    }
    (void)c;
}

/* ---- constraints and indexes ----------------------------------------------- */

static void added_by(StrBuf *b, const HqTable *t, const HqModule *mod)
{
    if (mod && mod != t->module)
        md_link_module(b, mod, "../");
}

static void constraints(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    if (!t->constraints.n)
        return;
    strbuf_puts(b, "## Constraints\n\n| Constraint | Kind | Definition | Added by |\n|---|---|---|---|\n");
    static const char *const kinds[] = {"primary key", "unique", "foreign key", "check"};
    StrBuf def;
    strbuf_init(&def);
    for (size_t i = 0; i < t->constraints.n; i++) {
        const HqConstraint *k = t->constraints.items[i];
        strbuf_printf(b, "| `%s` | %s | ", k->name, kinds[k->kind]);
        strbuf_reset(&def);
        if (k->kind == HQ_CON_CHECK) {
            if (k->pattern) {
                sqlbuf_ident(&def, k->columns[0]);
                strbuf_puts(&def, " ~ ");
                sqlbuf_literal(&def, k->pattern);
            } else {
                strbuf_puts(&def, k->check.text ? k->check.text : "true");
            }
            md_code(b, def.data, true);
        } else {
            strbuf_putc(&def, '(');
            for (size_t j = 0; j < k->n_columns; j++) {
                strbuf_puts(&def, j ? ", " : "");
                sqlbuf_ident(&def, k->columns[j]);
            }
            strbuf_putc(&def, ')');
            md_code(b, def.data, true);
            if (k->kind == HQ_CON_FOREIGN) {
                strbuf_puts(b, " → ");
                fk_target(b, k, true);
            }
        }
        strbuf_puts(b, " | ");
        added_by(b, t, k->module);
        strbuf_puts(b, " |\n");
    }
    strbuf_free(&def);
    (void)c;
}

static void indexes(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    if (!t->indexes.n)
        return;
    strbuf_puts(b, "## Indexes\n\nBesides the indexes behind the primary key and unique constraints:\n\n"
                   "| Index | Definition | Added by |\n|---|---|---|\n");
    StrBuf def;
    strbuf_init(&def);
    for (size_t i = 0; i < t->indexes.n; i++) {
        const HqIndex *ix = t->indexes.items[i];
        strbuf_reset(&def);
        strbuf_puts(&def, ix->unique ? "UNIQUE " : "");
        strbuf_puts(&def, ix->method);
        strbuf_puts(&def, " (");
        for (size_t k = 0; k < ix->n_keys; k++)
            strbuf_printf(&def, "%s%s", k ? ", " : "", ix->keys[k].text ? ix->keys[k].text : "");
        strbuf_putc(&def, ')');
        for (size_t k = 0; k < ix->n_include; k++)
            strbuf_printf(&def, "%s%s", k ? ", " : " INCLUDE (", ix->include[k]);
        if (ix->n_include)
            strbuf_putc(&def, ')');
        for (size_t k = 0; k < ix->n_with; k++)
            strbuf_printf(&def, "%s%s = %s", k ? ", " : " WITH (", ix->with_names[k],
                          ix->with_values[k] ? ix->with_values[k] : "");
        if (ix->n_with)
            strbuf_putc(&def, ')');
        if (ix->where.text)
            strbuf_printf(&def, " WHERE %s", ix->where.text);
        strbuf_printf(b, "| `%s` | ", ix->name);
        md_code(b, def.data, true);
        if (ix->requires)
            strbuf_printf(b, " (needs `%s`)", ix->requires->name);
        strbuf_puts(b, " | ");
        added_by(b, t, ix->module);
        strbuf_puts(b, " |\n");
    }
    strbuf_free(&def);
    (void)c;
}

/* ---- security -------------------------------------------------------------- */

static void policy_sql(StrBuf *b, const HqTable *t, const HqPolicy *p)
{
    StrBuf s;
    strbuf_init(&s);
    strbuf_puts(&s, "CREATE POLICY ");
    sqlbuf_ident(&s, p->name);
    strbuf_puts(&s, " ON ");
    sqlbuf_qualified(&s, t->qname);
    if (p->restrictive)
        strbuf_puts(&s, " AS RESTRICTIVE");
    strbuf_printf(&s, "\n  FOR %s TO ", model_command_name(p->command));
    if (p->n_roles)
        sqlbuf_roles(&s, p->roles, p->n_roles);
    else
        strbuf_puts(&s, "PUBLIC");
    if (p->using_sql.text)
        strbuf_printf(&s, "\n  USING (%s)", p->using_sql.text);
    if (p->check_sql.text)
        strbuf_printf(&s, "\n  WITH CHECK (%s)", p->check_sql.text);
    strbuf_puts(&s, ";");
    md_fence(b, "sql", s.data);
    strbuf_free(&s);
}

static void rls(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    switch (t->rls) {
    case HQ_RLS_ENABLED:
        strbuf_puts(b, "Row-level security is **enabled**: roles other than the owner and `BYPASSRLS` roles see "
                       "and change only the rows a policy allows.\n\n");
        break;
    case HQ_RLS_FORCED:
        strbuf_puts(b, "Row-level security is **enabled and forced** (it applies to the table owner too).\n\n");
        break;
    default:
        strbuf_puts(b, "Row-level security is **not enabled**: every role with a table privilege (see Grants) sees "
                       "every row.\n\n");
        break;
    }
    for (size_t i = 0; i < t->policies.n; i++) {
        const HqPolicy *p = t->policies.items[i];
        strbuf_printf(b, "### Policy \"%s\"\n\n", p->name);
        docs_policy_words(b, p, false);
        if (p->doc) {
            strbuf_putc(b, ' ');
            md_inline(b, p->doc, false);
        }
        if (p->module != t->module) {
            strbuf_puts(b, " Added by ");
            md_link_module(b, p->module, "../");
            strbuf_putc(b, '.');
        }
        strbuf_puts(b, "\n\n");
        policy_sql(b, t, p);
        strbuf_putc(b, '\n');
    }
    (void)c;
}

static void grants(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    if (!t->grants.n)
        return;
    strbuf_puts(b, "## Grants\n\nIn the order the modules issue them:\n\n| Statement | Module |\n|---|---|\n");
    StrBuf s;
    strbuf_init(&s);
    for (size_t i = 0; i < t->grants.n; i++) {
        const HqGrant *g = t->grants.items[i];
        strbuf_reset(&s);
        strbuf_puts(&s, g->revoke ? "REVOKE " : "GRANT ");
        sqlbuf_privileges(&s, g->privileges, g->n_privileges);
        for (size_t k = 0; k < g->n_columns; k++)
            strbuf_printf(&s, "%s%s", k ? ", " : " (", g->columns[k]);
        if (g->n_columns)
            strbuf_putc(&s, ')');
        strbuf_puts(&s, " ON ");
        sqlbuf_qualified(&s, t->qname);
        strbuf_puts(&s, g->revoke ? " FROM " : " TO ");
        sqlbuf_roles(&s, g->roles, g->n_roles);
        strbuf_puts(b, "| ");
        md_code(b, s.data, true);
        strbuf_puts(b, " | ");
        md_link_module(b, g->module, "../");
        strbuf_puts(b, " |\n");
    }
    strbuf_free(&s);
    (void)c;
}

static void triggers(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    if (!t->triggers.n)
        return;
    static const char *const timings[] = {"BEFORE", "AFTER", "INSTEAD OF"};
    strbuf_puts(b, "## Triggers\n\n");
    for (size_t i = 0; i < t->triggers.n; i++) {
        const HqTrigger *tg = t->triggers.items[i];
        strbuf_printf(b, "### Trigger `%s`\n\n%s ", tg->name, timings[tg->timing]);
        const char *sep = "";
        if (tg->events & HQ_EV_INSERT) {
            strbuf_puts(b, "INSERT");
            sep = " OR ";
        }
        if (tg->events & HQ_EV_UPDATE) {
            strbuf_printf(b, "%sUPDATE", sep);
            for (size_t k = 0; k < tg->n_update_of; k++)
                strbuf_printf(b, "%s`%s`", k ? ", " : " OF ", tg->update_of[k]);
            sep = " OR ";
        }
        if (tg->events & HQ_EV_DELETE) {
            strbuf_printf(b, "%sDELETE", sep);
            sep = " OR ";
        }
        if (tg->events & HQ_EV_TRUNCATE)
            strbuf_printf(b, "%sTRUNCATE", sep);
        strbuf_puts(b, tg->for_statement ? ", for each statement" : ", for each row");
        if (tg->when.text) {
            strbuf_puts(b, ", when ");
            md_code(b, tg->when.text, false);
        }
        strbuf_puts(b, ": calls ");
        const HqFunction *f = model_find_function(c->m, tg->function_name);
        if (f)
            md_link_function(b, f, "../");
        else
            strbuf_printf(b, "`%s()`", tg->function_name);
        for (size_t k = 0; k < tg->n_args; k++)
            strbuf_printf(b, "%s'%s'", k ? ", " : " with arguments ", tg->args[k]);
        if (tg->module != t->module) {
            strbuf_puts(b, ". Added by ");
            md_link_module(b, tg->module, "../");
        }
        strbuf_puts(b, ".\n\n");
        /* A function's doc is shown once per page, at its first trigger. */
        bool shown = false;
        for (size_t k = 0; k < i && !shown; k++)
            shown = !strcmp(((HqTrigger *)t->triggers.items[k])->function_name, tg->function_name);
        const char *what = tg->doc ? tg->doc : f && !shown ? md_paragraph(c->a, f->doc) : NULL;
        if (what) {
            md_prose(b, what);
            strbuf_puts(b, "\n\n");
        }
    }
}

static void realtime(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    static const char *const replica[] = {"default", "default", "full", "nothing"};
    if (t->realtime)
        strbuf_printf(b, "Member of the publication `%s`: Supabase Realtime broadcasts its inserts, updates and "
                         "deletes. Replica identity: %s%s.\n",
                      c->m->project.realtime_publication ? c->m->project.realtime_publication : "?",
                      replica[t->replica_identity],
                      t->replica_identity == HQ_REPLICA_FULL ? " (old rows are sent whole)" : "");
    else
        strbuf_puts(b, "Not published to Realtime.\n");
}

/* ---- references ------------------------------------------------------------ */

static void referenced_by(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    size_t ti = docs_table_index(c, t);
    for (size_t i = 0; ti < c->n_tables && i < c->referrers[ti].n; i++) {
        const HqTable *o = c->referrer_tables[ti].items[i];
        const HqConstraint *fk = c->referrers[ti].items[i];
        if (!i)
            strbuf_puts(b, "## Referenced by\n\n");
        strbuf_puts(b, "- ");
        md_link_table(b, o, "../");
        strbuf_putc(b, '.');
        for (size_t j = 0; j < fk->n_columns; j++)
            strbuf_printf(b, "%s`%s`", j ? ", " : "", fk->columns[j]);
        if (fk->on_delete)
            strbuf_printf(b, " (on delete %s)", model_fk_action_sql(fk->on_delete));
        strbuf_putc(b, '\n');
    }
}

static void used_by(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    size_t ti = docs_table_index(c, t);
    StrBuf w, r;
    strbuf_init(&w);
    strbuf_init(&r);
    for (size_t f = 0; f < c->n_functions; f++) {
        int use = c->fn_uses[f * c->n_tables + ti];
        StrBuf *into = use == DOC_USE_WRITE ? &w : use == DOC_USE_READ ? &r : NULL;
        if (!into)
            continue;
        strbuf_puts(into, into->len ? ", " : "");
        md_link_function(into, c->m->functions.items[f], "../");
    }
    for (size_t j = 0; j < c->n_cron; j++) {
        int use = c->cron_uses[j * c->n_tables + ti];
        StrBuf *into = use == DOC_USE_WRITE ? &w : use == DOC_USE_READ ? &r : NULL;
        if (!into)
            continue;
        strbuf_puts(into, into->len ? ", cron job " : "cron job ");
        md_link_cron(into, c, j, "../");
    }
    for (size_t i = 0; i < c->m->views.n; i++) {
        const HqView *v = c->m->views.items[i];
        if (!docs_sql_table_use(c, v->query.text, t))
            continue;
        strbuf_printf(&r, "%sview [`%s`](../views/%s.md)", r.len ? ", " : "", v->name, v->name);
    }
    if (w.len || r.len) {
        strbuf_puts(b, "## Functions that use it\n\nFrom their SQL (and that of cron jobs and views): statements "
                       "that insert into, update or delete from the table count as writes; any other mention as a "
                       "read.\n\n");
        if (w.len)
            strbuf_printf(b, "- Writes: %s\n", w.data);
        if (r.len)
            strbuf_printf(b, "- Reads: %s\n", r.data);
    }
    strbuf_free(&w);
    strbuf_free(&r);
}

static void seeds(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    size_t n = 0;
    for (size_t i = 0; i < c->m->seeds.n; i++) {
        const HqSeed *s = c->m->seeds.items[i];
        if (s->table != t)
            continue;
        if (!n++)
            strbuf_puts(b, "## Seed rows\n\n");
        strbuf_puts(b, "- ");
        md_link_module(b, s->module, "../");
        strbuf_printf(b, " inserts %zu row%s", s->n_rows, s->n_rows == 1 ? "" : "s");
        for (size_t k = 0; k < s->n_conflict; k++)
            strbuf_printf(b, "%s`%s`", k ? ", " : " unless a row with the same ", s->conflict[k]);
        strbuf_puts(b, s->n_conflict ? " exists.\n" : " unless a row with the same key exists.\n");
    }
}

char *docs_table_page(const DocCtx *c, const HqTable *t)
{
    StrBuf b;
    strbuf_init(&b);
    const char *doc, *fct, *cols, *cons, *idx, *sec, *grt, *trg, *rt, *refs, *use, *sd;
    md_prose(&b, t->doc);
    doc = take(c, &b);
    facts(c, &b, t);
    fct = take(c, &b);
    columns(c, &b, t);
    cols = take(c, &b);
    constraints(c, &b, t);
    cons = take(c, &b);
    indexes(c, &b, t);
    idx = take(c, &b);
    rls(c, &b, t);
    sec = take(c, &b);
    grants(c, &b, t);
    grt = take(c, &b);
    triggers(c, &b, t);
    trg = take(c, &b);
    realtime(c, &b, t);
    rt = take(c, &b);
    referenced_by(c, &b, t);
    refs = take(c, &b);
    used_by(c, &b, t);
    use = take(c, &b);
    seeds(c, &b, t);
    sd = take(c, &b);
    docs_lint_section(c, &b, t, NULL, NULL, "../");
    const char *lint = take(c, &b);
    const TmplVar vars[] = {
        {"name", t->name},     {"doc", doc},     {"facts", fct},       {"columns", cols},
        {"constraints", cons}, {"indexes", idx}, {"rls", sec},         {"grants", grt},
        {"triggers", trg},     {"realtime", rt}, {"referenced_by", refs}, {"used_by", use},
        {"seeds", sd},         {"lint", lint},
    };
    tmpl_render(&b, "docs_table.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}
