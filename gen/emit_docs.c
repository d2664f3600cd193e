/* emit_docs.c - the documentation under out/docs/: the cross-reference
 * index every page reads (which function or cron job reads, writes or calls
 * what; the domain each function belongs to), the overview README.md, and
 * the driver that adds every page to the output set.
 *
 * Page shapes live in templates/docs_*.in; this code fills them. Cross
 * references come from SQL text (function bodies, cron commands), searched
 * for schema-qualified names with word boundaries; see docs_sql_table_use. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emit_docs_int.h"
#include "tmpl.h"

/* ---- SQL text search ------------------------------------------------------- */

static bool ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$';
}

/* The word that ends before `p` (spaces skipped), upper-cased into buf
 * ("" when there is none); *start receives where it begins. */
static void prev_word(const char *text, const char *p, char *buf, size_t cap, const char **start)
{
    while (p > text && (p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t' || p[-1] == '\r'))
        p--;
    const char *e = p;
    while (p > text && ident_char(p[-1]))
        p--;
    size_t n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 'a' + 'A') : p[i];
    buf[n] = '\0';
    *start = p;
}

/* Occurrence of `name` at `pos` stands alone (identifier boundaries). */
static bool whole_word(const char *text, const char *pos, size_t len)
{
    return (pos == text || !ident_char(pos[-1])) && !ident_char(pos[len]);
}

/* For a name at `pos`: the start of its "schema." qualifier when it is the
 * project schema, `pos` when unqualified, NULL when qualified otherwise
 * (alias.column, NEW.column, another schema). */
static const char *qualifier_start(const DocCtx *c, const char *text, const char *pos)
{
    if (pos == text || pos[-1] != '.')
        return pos;
    const char *q = pos - 1;
    while (q > text && ident_char(q[-1]))
        q--;
    const char *schema = c->m->project.schema;
    size_t n = strlen(schema);
    return (size_t)(pos - 1 - q) == n && !strncmp(q, schema, n) ? q : NULL;
}

int docs_sql_table_use(const DocCtx *c, const char *sql, const HqTable *t)
{
    if (!sql || t->platform)
        return DOC_USE_NONE;
    int use = DOC_USE_NONE;
    size_t len = strlen(t->name);
    for (const char *pos = strstr(sql, t->name); pos; pos = strstr(pos + len, t->name)) {
        if (!whole_word(sql, pos, len) || pos[len] == '(')
            continue;
        const char *start = qualifier_start(c, sql, pos), *w;
        if (!start)
            continue;
        char kw[16], kw2[16];
        prev_word(sql, start, kw, sizeof kw, &w);
        if (start == pos && strcmp(kw, "FROM") && strcmp(kw, "JOIN") && strcmp(kw, "INTO") && strcmp(kw, "UPDATE") &&
            strcmp(kw, "TABLE") && strncasecmp(pos + len, "%ROWTYPE", 8))
            continue;
        prev_word(sql, w, kw2, sizeof kw2, &w);
        bool writes = !strcmp(kw, "UPDATE") || !strcmp(kw, "TRUNCATE") ||
                      (!strcmp(kw, "INTO") && (!strcmp(kw2, "INSERT") || !strcmp(kw2, "MERGE"))) ||
                      (!strcmp(kw, "FROM") && !strcmp(kw2, "DELETE"));
        if (writes)
            return DOC_USE_WRITE;
        use = DOC_USE_READ;
    }
    return use;
}

bool docs_sql_calls(const DocCtx *c, const char *sql, const char *name)
{
    if (!sql)
        return false;
    size_t len = strlen(name);
    for (const char *pos = strstr(sql, name); pos; pos = strstr(pos + len, name)) {
        if (!whole_word(sql, pos, len) || !qualifier_start(c, sql, pos))
            continue;
        const char *p = pos + len;
        while (*p == ' ')
            p++;
        if (*p == '(')
            return true;
    }
    return false;
}

/* ---- the index ------------------------------------------------------------- */

size_t docs_table_index(const DocCtx *c, const HqTable *t)
{
    for (size_t i = 0; i < c->n_tables; i++)
        if (c->m->tables.items[i] == t)
            return i;
    return c->n_tables;
}

size_t docs_function_index(const DocCtx *c, const char *name)
{
    for (size_t i = 0; i < c->n_functions; i++)
        if (!strcmp(((HqFunction *)c->m->functions.items[i])->name, name))
            return i;
    return c->n_functions;
}

/* The first table (in model order) that `pred` accepts and that has a domain. */
#define FIRST_DOMAIN(cond)                                         \
    for (size_t t_ = 0; t_ < c->n_tables; t_++) {                  \
        const HqTable *t = c->m->tables.items[t_];                 \
        if (t->domain && (cond))                                   \
            return t->domain;                                      \
    }

/* The domain a function is listed under: the table it returns; else a table
 * of its own module that it writes (or, except for trigger functions,
 * reads); else (trigger functions) the table of its first trigger; else the
 * first table it writes, reads, or its module creates. */
static const HqDomain *function_domain(const DocCtx *c, size_t fi)
{
    const HqFunction *f = c->m->functions.items[fi];
    const unsigned char *use = c->fn_uses + fi * c->n_tables;
    if (f->ret_type.kind == HQ_TYPE_TABLE && f->ret_type.table_ref && f->ret_type.table_ref->domain)
        return f->ret_type.table_ref->domain;
    FIRST_DOMAIN(t->module == f->module && use[t_] == DOC_USE_WRITE);
    FIRST_DOMAIN(t->module == f->module && use[t_] == DOC_USE_READ && f->ret_kind != HQ_RET_TRIGGER);
    if (f->ret_kind == HQ_RET_TRIGGER) {
        for (size_t t_ = 0; t_ < c->n_tables; t_++) {
            const HqTable *t = c->m->tables.items[t_];
            for (size_t k = 0; k < t->triggers.n && t->domain; k++)
                if (!strcmp(((HqTrigger *)t->triggers.items[k])->function_name, f->name) ||
                    ((HqTrigger *)t->triggers.items[k])->function == f)
                    return t->domain;
        }
    }
    FIRST_DOMAIN(use[t_] == DOC_USE_WRITE);
    FIRST_DOMAIN(use[t_] == DOC_USE_READ);
    FIRST_DOMAIN(t->module == f->module);
    return NULL;
}

static const HqDomain *cron_domain(const DocCtx *c, size_t ci)
{
    for (size_t f = 0; f < c->n_functions; f++)
        if (c->cron_calls[ci * c->n_functions + f] && c->fn_domain[f])
            return c->fn_domain[f];
    const unsigned char *use = c->cron_uses + ci * c->n_tables;
    FIRST_DOMAIN(use[t_] == DOC_USE_WRITE);
    FIRST_DOMAIN(use[t_] == DOC_USE_READ);
    return NULL;
}

/* A file name for a cron job: lowercase, [a-z0-9_-], unique. */
static const char *cron_slug(DocCtx *c, size_t ci)
{
    const HqCronJob *j = c->m->cron_jobs.items[ci];
    char *s = arena_strdup(c->a, j->name);
    for (char *p = s; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            *p = '-';
    }
    const char *slug = *s ? s : "job";
    for (int n = 2;; n++) {
        bool taken = false;
        for (size_t k = 0; k < ci && !taken; k++)
            taken = !strcmp(c->cron_slug[k], slug);
        if (!taken)
            return slug;
        slug = arena_printf(c->a, "%s-%d", s, n);
    }
}

static void build_index(DocCtx *c, const HqModel *m)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->a = m->arena;
    c->n_tables = m->tables.n;
    c->n_functions = m->functions.n;
    c->n_cron = m->cron_jobs.n;
    size_t nt = c->n_tables ? c->n_tables : 1, nf = c->n_functions ? c->n_functions : 1, nc = c->n_cron ? c->n_cron : 1;
    unsigned char *fn_uses = arena_alloc(c->a, nf * nt), *cron_uses = arena_alloc(c->a, nc * nt);
    unsigned char *fn_calls = arena_alloc(c->a, nf * nf), *cron_calls = arena_alloc(c->a, nc * nf);
    for (size_t f = 0; f < c->n_functions; f++) {
        const HqFunction *fn = m->functions.items[f];
        for (size_t t = 0; t < c->n_tables; t++)
            fn_uses[f * c->n_tables + t] = (unsigned char)docs_sql_table_use(c, fn->body.text, m->tables.items[t]);
        for (size_t g = 0; g < c->n_functions; g++)
            fn_calls[f * c->n_functions + g] =
                g != f && docs_sql_calls(c, fn->body.text, ((HqFunction *)m->functions.items[g])->name);
    }
    for (size_t j = 0; j < c->n_cron; j++) {
        const HqCronJob *job = m->cron_jobs.items[j];
        for (size_t t = 0; t < c->n_tables; t++)
            cron_uses[j * c->n_tables + t] = (unsigned char)docs_sql_table_use(c, job->command.text, m->tables.items[t]);
        for (size_t g = 0; g < c->n_functions; g++)
            cron_calls[j * c->n_functions + g] =
                docs_sql_calls(c, job->command.text, ((HqFunction *)m->functions.items[g])->name);
    }
    c->fn_uses = fn_uses;
    c->cron_uses = cron_uses;
    c->fn_calls = fn_calls;
    c->cron_calls = cron_calls;
    const HqDomain **fd = arena_alloc(c->a, nf * sizeof *fd), **cd = arena_alloc(c->a, nc * sizeof *cd);
    c->fn_domain = fd;
    for (size_t f = 0; f < c->n_functions; f++)
        fd[f] = function_domain(c, f);
    c->cron_domain = cd;
    for (size_t j = 0; j < c->n_cron; j++)
        cd[j] = cron_domain(c, j);
    const char **slugs = arena_alloc(c->a, nc * sizeof *slugs);
    c->cron_slug = slugs;
    for (size_t j = 0; j < c->n_cron; j++)
        slugs[j] = cron_slug(c, j);
}

/* ---- enum values: where they are set or tested ----------------------------- */

/* Scan `sql` for the literal 'value': *strong when it is cast to enum e
 * ('v'::e or 'v'::schema.e), *plain when it appears without a cast. */
static void find_value(const DocCtx *c, const char *sql, const char *quoted, const HqEnum *e, bool *strong, bool *plain)
{
    *strong = *plain = false;
    if (!sql)
        return;
    size_t len = strlen(quoted), ne = strlen(e->name), ns = strlen(c->m->project.schema);
    for (const char *p = strstr(sql, quoted); p; p = strstr(p + len, quoted)) {
        const char *q = p + len;
        while (*q == ' ')
            q++;
        if (q[0] != ':' || q[1] != ':') {
            *plain = true;
            continue;
        }
        q += 2;
        while (*q == ' ')
            q++;
        if (!strncmp(q, c->m->project.schema, ns) && q[ns] == '.')
            q += ns + 1;
        if (!strncmp(q, e->name, ne) && !ident_char(q[ne]))
            *strong = true;
    }
}

static bool contains_word(const char *text, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + len, word))
        if (whole_word(text, p, len))
            return true;
    return false;
}

/* A plain 'value' counts for function f when f also names a column of
 * type e of a table it uses, or has an argument or result of type e. */
static bool names_enum_column(const DocCtx *c, size_t fi, const HqEnum *e)
{
    const HqFunction *f = c->m->functions.items[fi];
    if (f->ret_type.enum_ref == e)
        return true;
    for (size_t i = 0; i < f->n_args; i++)
        if (f->args[i].type.enum_ref == e)
            return true;
    for (size_t t = 0; t < c->n_tables; t++) {
        if (!c->fn_uses[fi * c->n_tables + t])
            continue;
        const HqTable *tab = c->m->tables.items[t];
        for (size_t k = 0; k < tab->columns.n; k++) {
            const HqColumn *col = tab->columns.items[k];
            if (col->type.enum_ref == e && contains_word(f->body.text, col->name))
                return true;
        }
    }
    return false;
}

const char *docs_value_users(const DocCtx *c, const HqEnum *e, const char *value, const char *up)
{
    StrBuf b;
    strbuf_init(&b);
    const char *quoted = arena_printf(c->a, "'%s'", value);
    for (size_t fi = 0; fi < c->n_functions; fi++) {
        const HqFunction *f = c->m->functions.items[fi];
        bool strong, plain;
        find_value(c, f->body.text, quoted, e, &strong, &plain);
        if (strong || (plain && names_enum_column(c, fi, e))) {
            strbuf_puts(&b, b.len ? ", " : "");
            md_link_function(&b, f, up);
        }
    }
    for (size_t t = 0; t < c->n_tables; t++) {
        const HqTable *tab = c->m->tables.items[t];
        bool has_column = false;
        for (size_t k = 0; k < tab->columns.n; k++) {
            const HqColumn *col = tab->columns.items[k];
            if (col->type.enum_ref != e)
                continue;
            has_column = true;
            bool strong, plain;
            find_value(c, col->final_default.text, quoted, e, &strong, &plain);
            if (strong || plain) {
                strbuf_puts(&b, b.len ? ", " : "");
                strbuf_puts(&b, "default of ");
                md_link_table(&b, tab, up);
                strbuf_printf(&b, ".%s", col->name);
            }
        }
        for (size_t k = 0; k < tab->triggers.n; k++) {
            const HqTrigger *tg = tab->triggers.items[k];
            bool strong, plain;
            find_value(c, tg->when.text, quoted, e, &strong, &plain);
            if (strong || (plain && has_column)) {
                strbuf_puts(&b, b.len ? ", " : "");
                strbuf_printf(&b, "WHEN of trigger `%s` on ", tg->name);
                md_link_table(&b, tab, up);
            }
        }
    }
    const char *r = arena_strdup(c->a, b.data);
    strbuf_free(&b);
    return r;
}

const char *docs_schedule_words(HqArena *a, const char *schedule)
{
    char f[5][32];
    int n = 0;
    const char *p = schedule;
    while (*p && n < 5) {
        while (*p == ' ')
            p++;
        size_t k = 0;
        while (*p && *p != ' ' && k < 31)
            f[n][k++] = *p++;
        f[n][k] = '\0';
        if (k)
            n++;
        while (*p == ' ')
            p++;
    }
    if (n != 5 || *p || strcmp(f[2], "*") || strcmp(f[3], "*") || strcmp(f[4], "*"))
        return NULL;
    char *end;
    if (!strcmp(f[0], "*") && !strcmp(f[1], "*"))
        return "every minute";
    if (!strncmp(f[0], "*/", 2) && !strcmp(f[1], "*")) {
        long v = strtol(f[0] + 2, &end, 10);
        return *end || v <= 0 ? NULL : arena_printf(a, "every %ld minutes", v);
    }
    long minute = strtol(f[0], &end, 10);
    if (*end || minute < 0 || minute > 59)
        return NULL;
    if (!strcmp(f[1], "*"))
        return arena_printf(a, "hourly at minute %ld", minute);
    long hour = strtol(f[1], &end, 10);
    if (*end || hour < 0 || hour > 23)
        return NULL;
    return arena_printf(a, "daily at %02ld:%02ld", hour, minute);
}

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
            for (size_t s = 0; s < seen.n && !dup; s++)
                dup = same_policy(seen.items[s], p);
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
    readme_domain(c, &b, NULL, "Other", NULL);
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
        {"version", vnum},
    };
    tmpl_render(&b, "docs_readme.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}

/* ---- driver ---------------------------------------------------------------- */

void emit_docs(const HqModel *m, OutSet *set)
{
    DocCtx c;
    build_index(&c, m);
    out_add(set, "docs/README.md", readme_page(&c));
    out_add(set, "docs/erd.md", docs_erd_page(&c));
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
}
