/* check_names.c - naming rules, written as PCRE2 patterns: SQL identifiers
 * the schema declares, module file names, and the regular expressions of
 * column `pattern:` keys (which must compile, and which seed rows must
 * satisfy). Also the optional warnings for undocumented objects. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "check/check.h"

typedef struct {
    pcre2_code *re;
    pcre2_match_data *md;
} Rule;

static Rule rule_new(const char *pattern)
{
    int errcode;
    PCRE2_SIZE erroff;
    Rule r;
    r.re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
    r.md = r.re ? pcre2_match_data_create_from_pattern(r.re, NULL) : NULL;
    return r;
}

static void rule_free(Rule *r)
{
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->re);
}

static bool rule_match(const Rule *r, const char *s)
{
    return r->re && pcre2_match(r->re, (PCRE2_SPTR)s, strlen(s), 0, 0, r->md, NULL) >= 0;
}

static Rule ident_rule, module_rule;

/* Reports a bad identifier; true when it did. Names are cut in the
 * message (a hostile one may be megabytes long). */
static bool ident(const char *name, const HqLoc *loc, const char *what)
{
    if (!name)
        return false;
    size_t len = strlen(name);
    int shown = len > 200 ? 200 : (int)len;
    const char *more = len > 200 ? "..." : "";
    if (len > 63)
        diag_error(loc, "%s name \"%.*s%s\" is longer than 63 bytes; PostgreSQL would truncate it", what, shown, name,
                   more);
    else if (!rule_match(&ident_rule, name))
        diag_error(loc, "%s name \"%.*s%s\" must be lowercase letters, digits and underscores, not starting with a "
                   "digit", what, shown, name, more);
    else
        return false;
    return true;
}

/* The compiled pattern of a column, or NULL (error reported). */
static pcre2_code *compile_pattern(const HqConstraint *c)
{
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        HqLoc loc = c->check.node && c->check.node->source ? yaml_offset_loc(c->check.node, erroff) : c->loc;
        diag_error(&loc, "invalid pattern for column \"%s\": %s", c->columns[0], (const char *)msg);
    }
    return re;
}

/* Seeds by table name (HqVec* of HqSeed*), built once per run of the checks. */
static HqNameMap *seeds_by_table;

static const HqVec *seeds_of(const HqModel *m, const char *table)
{
    if (!seeds_by_table) {
        seeds_by_table = namemap_new(m->arena);
        for (size_t i = 0; i < m->seeds.n; i++) {
            HqSeed *s = m->seeds.items[i];
            if (!s->table_name)
                continue;
            HqVec *v = namemap_get(seeds_by_table, s->table_name);
            if (!v) {
                v = arena_alloc(m->arena, sizeof *v);
                namemap_put(seeds_by_table, s->table_name, v);
            }
            vec_push(m->arena, v, s);
        }
    }
    return namemap_get(seeds_by_table, table);
}

static void check_seed_patterns(const HqModel *m, const HqTable *t, const HqConstraint *c, pcre2_code *re)
{
    const HqVec *seeds = seeds_of(m, t->name);
    if (!seeds)
        return;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    for (size_t i = 0; i < seeds->n; i++) {
        const HqSeed *s = seeds->items[i];
        for (size_t r = 0; r < s->n_rows; r++)
            for (size_t v = 0; v < s->rows[r].n_values; v++) {
                const HqSeedValue *sv = &s->rows[r].values[v];
                if (strcmp(sv->column, c->columns[0]) || sv->value->kind != YN_SCALAR || sv->value->is_null)
                    continue;
                if (pcre2_match(re, (PCRE2_SPTR)sv->value->text, strlen(sv->value->text), 0, 0, md, NULL) < 0)
                    diag_error(&sv->value->loc, "seed value \"%s\" does not match the pattern of column \"%s\"",
                               sv->value->text, sv->column);
            }
    }
    pcre2_match_data_free(md);
}

static void table_names(const HqModel *m, const HqTable *t)
{
    if (!t->platform)
        ident(t->name, &t->loc, "table");
    for (size_t d = 0; d < t->deltas.n; d++) {
        const HqTableDelta *delta = t->deltas.items[d];
        for (size_t i = 0; i < delta->columns.n; i++) {
            const HqColumn *c = delta->columns.items[i];
            /* A trait's column is reported at the trait: say where it went. */
            if (ident(c->name, &c->loc, "column") && c->from_trait)
                diag_note(&t->loc, "the trait \"%s\" gives table \"%s\" this column", c->from_trait, t->name);
        }
        for (size_t i = 0; i < delta->constraints.n; i++) {
            const HqConstraint *c = delta->constraints.items[i];
            ident(c->name, &c->loc, "constraint");
            if (c->pattern) {
                pcre2_code *re = compile_pattern(c);
                if (re) {
                    check_seed_patterns(m, t, c, re);
                    pcre2_code_free(re);
                }
            }
        }
        for (size_t i = 0; i < delta->indexes.n; i++)
            ident(((HqIndex *)delta->indexes.items[i])->name, &((HqIndex *)delta->indexes.items[i])->loc, "index");
        for (size_t i = 0; i < delta->triggers.n; i++)
            ident(((HqTrigger *)delta->triggers.items[i])->name, &((HqTrigger *)delta->triggers.items[i])->loc,
                  "trigger");
        for (size_t i = 0; i < delta->policies.n; i++) {
            const HqPolicy *p = delta->policies.items[i];
            if (strlen(p->name) > 63)
                diag_error(&p->loc, "policy name \"%s\" is longer than 63 bytes", p->name);
        }
    }
}

void check_names(const HqModel *m)
{
    seeds_by_table = NULL;
    ident_rule = rule_new("^[a-z_][a-z0-9_]*$");
    module_rule = rule_new("^[0-9]{3}_[a-z0-9_]+$");
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        if (!rule_match(&module_rule, mod->name)) {
            HqLoc loc = mod->loc;
            diag_error(loc.file ? &loc : NULL, "module file name \"%s.yaml\" must look like NNN_name.yaml", mod->name);
        }
    }
    for (size_t i = 0; i < m->tables.n; i++)
        table_names(m, m->tables.items[i]);
    for (size_t i = 0; i < m->platform_tables.n; i++)
        table_names(m, m->platform_tables.items[i]);
    for (size_t i = 0; i < m->enums.n; i++) {
        const HqEnum *e = m->enums.items[i];
        ident(e->name, &e->loc, "enum");
        for (size_t k = 0; k < e->values.n; k++) {
            const HqEnumValue *v = e->values.items[k];
            if (strlen(v->name) > 63 || !*v->name)
                diag_error(&v->loc, "enum value \"%s\" must be 1 to 63 bytes long", v->name);
        }
    }
    for (size_t i = 0; i < m->all_functions.n; i++) {
        const HqFunction *f = m->all_functions.items[i];
        ident(f->name, &f->loc, "function");
        for (size_t k = 0; k < f->n_args; k++)
            ident(f->args[k].name, &f->args[k].loc, "argument");
    }
    rule_free(&ident_rule);
    rule_free(&module_rule);
    seeds_by_table = NULL;  /* it lives in the model's arena */
}

void check_docs(const HqModel *m)
{
    for (size_t i = 0; i < m->tables.n; i++) {
        const HqTable *t = m->tables.items[i];
        if (!t->doc)
            diag_warning(&t->loc, "table \"%s\" has no doc", t->name);
        if (!t->domain && m->project.domains.n)
            diag_warning(&t->loc, "table \"%s\" has no domain (the docs list it under \"Other\")", t->name);
        for (size_t k = 0; k < t->columns.n; k++) {
            const HqColumn *c = t->columns.items[k];
            if (!c->doc && !c->from_trait)
                diag_warning(&c->loc, "column \"%s.%s\" has no doc", t->name, c->name);
        }
    }
    for (size_t i = 0; i < m->functions.n; i++) {
        const HqFunction *f = m->functions.items[i];
        if (!f->doc)
            diag_warning(&f->loc, "function \"%s\" has no doc", f->name);
    }
    for (size_t i = 0; i < m->enums.n; i++) {
        const HqEnum *e = m->enums.items[i];
        if (!e->doc)
            diag_warning(&e->loc, "enum \"%s\" has no doc", e->name);
        for (size_t k = 0; k < e->values.n; k++) {
            const HqEnumValue *v = e->values.items[k];
            if (!v->doc)
                diag_warning(&v->loc, "enum value \"%s.%s\" has no doc", e->name, v->name);
        }
    }
    for (size_t i = 0; i < m->cron_jobs.n; i++) {
        const HqCronJob *j = m->cron_jobs.items[i];
        if (!j->doc)
            diag_warning(&j->loc, "cron job \"%s\" has no doc", j->name);
    }
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        if (!mod->doc)
            diag_warning(&mod->loc, "module \"%s\" has no doc", mod->name);
    }
}
