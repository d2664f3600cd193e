/* emit_docs_xref.c - the cross-reference index of the documentation: which
 * function or cron job reads, writes or calls what, the domain each function
 * and cron job is listed under, and where enum values are set or tested.
 *
 * References come from SQL text (function bodies, cron commands, trigger
 * conditions, defaults): names are searched with identifier boundaries,
 * schema-qualified or after FROM / JOIN / INTO / UPDATE / TABLE, so a column
 * that shares a table's name (contacts.tags vs the tags table) is not taken
 * for the table. The result is a reader's guide, not a dependency analysis. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emit/docs/emit_docs_int.h"

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

/* How the whole word at pos (len bytes) uses the table of that name:
 * DOC_USE_READ or DOC_USE_WRITE, DOC_USE_NONE when it is no table use. */
static int table_use_at(const DocCtx *c, const char *sql, const char *pos, size_t len)
{
    if (pos[len] == '(')
        return DOC_USE_NONE;
    const char *start = qualifier_start(c, sql, pos), *w;
    if (!start)
        return DOC_USE_NONE;
    char kw[16], kw2[16];
    prev_word(sql, start, kw, sizeof kw, &w);
    if (start == pos && strcmp(kw, "FROM") && strcmp(kw, "JOIN") && strcmp(kw, "INTO") && strcmp(kw, "UPDATE") &&
        strcmp(kw, "TABLE") && strncasecmp(pos + len, "%ROWTYPE", 8))
        return DOC_USE_NONE;
    prev_word(sql, w, kw2, sizeof kw2, &w);
    bool writes = !strcmp(kw, "UPDATE") || !strcmp(kw, "TRUNCATE") ||
                  (!strcmp(kw, "INTO") && (!strcmp(kw2, "INSERT") || !strcmp(kw2, "MERGE"))) ||
                  (!strcmp(kw, "FROM") && !strcmp(kw2, "DELETE"));
    return writes ? DOC_USE_WRITE : DOC_USE_READ;
}

/* The whole word at pos (len bytes) calls the function of that name. */
static bool call_at(const DocCtx *c, const char *sql, const char *pos, size_t len)
{
    if (!qualifier_start(c, sql, pos))
        return false;
    const char *p = pos + len;
    while (*p == ' ')
        p++;
    return *p == '(';
}

int docs_sql_table_use(const DocCtx *c, const char *sql, const HqTable *t)
{
    if (!sql || t->platform)
        return DOC_USE_NONE;
    int use = DOC_USE_NONE;
    size_t len = strlen(t->name);
    for (const char *pos = strstr(sql, t->name); pos && use != DOC_USE_WRITE; pos = strstr(pos + len, t->name))
        if (whole_word(sql, pos, len)) {
            int u = table_use_at(c, sql, pos, len);
            use = u > use ? u : use;
        }
    return use;
}

bool docs_sql_calls(const DocCtx *c, const char *sql, const char *name)
{
    if (!sql)
        return false;
    size_t len = strlen(name);
    for (const char *pos = strstr(sql, name); pos; pos = strstr(pos + len, name))
        if (whole_word(sql, pos, len) && call_at(c, sql, pos, len))
            return true;
    return false;
}

/* One pass over sql: for every word that names a table of the schema, its
 * use goes into uses[table]; for every call of a function of the schema,
 * calls[function] = 1 (both indexed like m->tables / m->functions). A
 * search per table and function name made the index cost tables times
 * functions. */
static void scan_sql(const DocCtx *c, const char *sql, unsigned char *uses, unsigned char *calls)
{
    if (!sql)
        return;
    for (const char *p = sql; *p;) {
        if (!ident_char(*p)) {
            p++;
            continue;
        }
        const char *pos = p;
        while (ident_char(*p))
            p++;
        size_t len = (size_t)(p - pos);
        if (len > 63)
            continue;
        char word[64];
        memcpy(word, pos, len);
        word[len] = '\0';
        const HqTable *t = model_find_table(c->m, word);
        size_t ti = t ? docs_table_index(c, t) : c->n_tables;
        if (ti < c->n_tables && !t->platform) {
            int u = table_use_at(c, sql, pos, len);
            if (u > uses[ti])
                uses[ti] = (unsigned char)u;
        }
        size_t fi = docs_function_index(c, word);
        if (fi < c->n_functions && call_at(c, sql, pos, len))
            calls[fi] = 1;
    }
}

/* ---- the index ------------------------------------------------------------- */

size_t docs_table_index(const DocCtx *c, const HqTable *t)
{
    return model_table_pos(c->m, t);
}

size_t docs_function_index(const DocCtx *c, const char *name)
{
    return model_function_pos(c->m, name);
}

/* Who references each table, in table then constraint order. */
static void index_references(DocCtx *c)
{
    size_t nt = c->n_tables ? c->n_tables : 1;
    c->referrers = arena_alloc(c->a, nt * sizeof *c->referrers);
    c->referrer_tables = arena_alloc(c->a, nt * sizeof *c->referrer_tables);
    c->n_referring = arena_alloc(c->a, nt * sizeof *c->n_referring);
    for (size_t i = 0; i < c->n_tables; i++) {
        HqTable *o = c->m->tables.items[i];
        for (size_t k = 0; k < o->constraints.n; k++) {
            HqConstraint *fk = o->constraints.items[k];
            size_t t = fk->kind == HQ_CON_FOREIGN && fk->ref_table ? docs_table_index(c, fk->ref_table) : c->n_tables;
            if (t == c->n_tables)
                continue;
            /* Counted once per referencing table. */
            if (o != fk->ref_table && (!c->referrer_tables[t].n ||
                                      c->referrer_tables[t].items[c->referrer_tables[t].n - 1] != o))
                c->n_referring[t]++;
            vec_push(c->a, &c->referrers[t], fk);
            vec_push(c->a, &c->referrer_tables[t], o);
        }
    }
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

void docs_build_index(DocCtx *c, const HqModel *m)
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
        scan_sql(c, fn->body.text, fn_uses + f * c->n_tables, fn_calls + f * c->n_functions);
        fn_calls[f * c->n_functions + f] = 0;  /* recursion is no call of another function */
    }
    for (size_t j = 0; j < c->n_cron; j++) {
        const HqCronJob *job = m->cron_jobs.items[j];
        scan_sql(c, job->command.text, cron_uses + j * c->n_tables, cron_calls + j * c->n_functions);
    }
    index_references(c);
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
