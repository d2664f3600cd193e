/* build_util.c - typed readers for YAML nodes, with diagnostics. */
#include "model/build_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/sqlparse.h"

bool bu_is_kind(const YNode *n, YNodeKind kind, const char *what)
{
    if (n && n->kind == kind)
        return true;
    if (n)
        diag_error(&n->loc, "%s must be %s, not %s", what, yaml_kind_name(kind), yaml_kind_name(n->kind));
    return false;
}

bool bu_keys(const YNode *map, const char *what, const char *const *allowed)
{
    if (!bu_is_kind(map, YN_MAP, what))
        return false;
    size_t n_allowed = 0;
    while (allowed[n_allowed])
        n_allowed++;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key;
        bool ok = false;
        for (size_t j = 0; j < n_allowed && !ok; j++)
            ok = strcmp(k->text, allowed[j]) == 0;
        if (ok)
            continue;
        const char *hint = diag_suggest(k->text, allowed, n_allowed);
        if (hint)
            diag_error(&k->loc, "unknown key \"%s\" in %s (did you mean \"%s\"?)", k->text, what, hint);
        else
            diag_error(&k->loc, "unknown key \"%s\" in %s", k->text, what);
    }
    return true;
}

bool bu_require(const YNode *map, const char *key, const char *what)
{
    if (yaml_get(map, key))
        return true;
    diag_error(&map->loc, "%s needs \"%s\"", what, key);
    return false;
}

const char *bu_str(Build *b, const YNode *n, const char *what)
{
    (void)b;
    if (!n)
        return NULL;
    if (n->kind != YN_SCALAR) {
        diag_error(&n->loc, "%s must be a scalar, not %s", what, yaml_kind_name(n->kind));
        return NULL;
    }
    return n->text;
}

bool bu_bool(const YNode *n, const char *what, bool dflt)
{
    if (!n)
        return dflt;
    if (n->kind == YN_SCALAR && n->style == YS_PLAIN) {
        if (!strcmp(n->text, "true"))
            return true;
        if (!strcmp(n->text, "false"))
            return false;
    }
    diag_error(&n->loc, "%s must be true or false", what);
    return dflt;
}

long bu_long(const YNode *n, const char *what, long dflt)
{
    if (!n)
        return dflt;
    if (n->kind == YN_SCALAR && *n->text) {
        char *end;
        long v = strtol(n->text, &end, 10);
        if (!*end)
            return v;
    }
    diag_error(&n->loc, "%s must be an integer", what);
    return dflt;
}

const char **bu_str_list(Build *b, const YNode *n, const char *what, size_t *count)
{
    *count = 0;
    if (!n)
        return NULL;
    if (!bu_is_kind(n, YN_SEQ, what))
        return NULL;
    const char **out = arena_alloc(b->a, (n->n_items + 1) * sizeof *out);
    size_t k = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = bu_str(b, n->items[i], what);
        if (s)
            out[k++] = s;
    }
    *count = k;
    return out;
}

HqSql bu_sql(Build *b, const YNode *n, const char *what)
{
    HqSql s = {0};
    if (!n)
        return s;
    const char *t = bu_str(b, n, what);
    if (!t)
        return s;
    if (n->is_null || !*t) {
        diag_error(&n->loc, "%s must not be empty", what);
        return s;
    }
    s.text = t;
    s.node = n;
    s.loc = n->loc;
    return s;
}

int bu_choice(const YNode *n, const char *what, const char *const *choices, int dflt)
{
    if (!n)
        return dflt;
    if (n->kind == YN_SCALAR) {
        for (int i = 0; choices[i]; i++)
            if (strcmp(n->text, choices[i]) == 0)
                return i;
    }
    size_t nc = 0;
    while (choices[nc])
        nc++;
    const char *hint = n->kind == YN_SCALAR ? diag_suggest(n->text, choices, nc) : NULL;
    char list[256] = "";
    for (size_t i = 0; i < nc; i++) {
        if (i)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    if (hint)
        diag_error(&n->loc, "%s must be one of %s (did you mean \"%s\"?)", what, list, hint);
    else
        diag_error(&n->loc, "%s must be one of %s", what, list);
    return dflt;
}

/* Types PostgreSQL knows without the schema declaring them, by the name
 * the parser normalizes them to (sorted for bsearch). */
static const char *const builtin_types[] = {
    "bit", "bool", "box", "bpchar", "bytea", "char", "cidr", "circle", "citext", "date",
    "daterange", "float4", "float8", "inet", "int2", "int4", "int4range", "int8", "int8range",
    "interval", "json", "jsonb", "line", "lseg", "macaddr", "money", "name", "numeric",
    "numrange", "oid", "path", "point", "polygon", "record", "regclass", "regproc", "text",
    "time", "timestamp", "timestamptz", "timetz", "tsquery", "tsrange", "tstzrange", "tsvector",
    "uuid", "varbit", "varchar", "xml",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void bu_type(Build *b, const char *text, HqLoc loc, HqType *out)
{
    memset(out, 0, sizeof *out);
    out->written = text;
    out->loc = loc;
    out->kind = HQ_TYPE_BUILTIN;
    out->sql = text;
    if (!text)
        return;
    if (!strcmp(text, "trigger")) {
        out->kind = HQ_TYPE_TRIGGER;
        out->name = "trigger";
        return;
    }
    if (!strcmp(text, "void")) {
        out->kind = HQ_TYPE_VOID;
        out->name = "void";
        return;
    }
    SqlpType t;
    SqlpError err;
    if (!sqlp_parse_type(b->a, text, &t, &err) || t.setof) {
        diag_error(&loc, "invalid type \"%s\"%s%s", text, err.message ? ": " : "", err.message ? err.message : "");
        return;
    }
    out->name = t.name;
    out->typmods = t.typmods;
    out->array_dims = t.array_dims;
    const char *suffix = "";
    static const char *const dims[] = {"", "[]", "[][]", "[][][]"};
    if (t.array_dims > 0 && t.array_dims < 4)
        suffix = dims[t.array_dims];
    const char *project_schema = b->m->project.schema;
    if (!t.schema || !strcmp(t.schema, project_schema)) {
        HqEnum *e = model_find_enum(b->m, t.name);
        if (e) {
            out->kind = HQ_TYPE_ENUM;
            out->enum_ref = e;
            out->sql = arena_printf(b->a, "%s%s", e->qname, suffix);
            return;
        }
        HqTable *tab = model_find_table(b->m, t.name);
        if (tab && !tab->platform) {
            out->kind = HQ_TYPE_TABLE;
            out->table_ref = tab;
            out->sql = arena_printf(b->a, "%s%s", tab->qname, suffix);
            return;
        }
    }
    for (size_t i = 0; i < b->m->extensions.n; i++) {
        HqExtension *x = b->m->extensions.items[i];
        for (size_t k = 0; k < x->n_types; k++)
            if (!strcmp(x->types[k], t.name) && (!t.schema || (x->schema && !strcmp(x->schema, t.schema)))) {
                out->kind = HQ_TYPE_EXTENSION;
                out->ext = x;
                out->sql = arena_printf(b->a, "%s%s%s%s%s%s%s", x->schema ? x->schema : "", x->schema ? "." : "",
                                        t.name, t.typmods ? "(" : "", t.typmods ? t.typmods : "",
                                        t.typmods ? ")" : "", suffix);
                return;
            }
    }
    const char *key = t.name;
    if (!t.schema && bsearch(&key, builtin_types, sizeof builtin_types / sizeof *builtin_types,
                             sizeof *builtin_types, cmp_str))
        return;
    /* Unknown: suggest among enums, tables and builtins. */
    HqVec cands = {0};
    for (size_t i = 0; i < b->m->enums.n; i++)
        vec_push(b->a, &cands, (void *)((HqEnum *)b->m->enums.items[i])->name);
    for (size_t i = 0; i < sizeof builtin_types / sizeof *builtin_types; i++)
        vec_push(b->a, &cands, (void *)builtin_types[i]);
    /* The spellings people write, which the parser normalizes away. */
    static const char *const written[] = {"bigint", "boolean", "integer", "smallint", "real", "double precision"};
    for (size_t i = 0; i < sizeof written / sizeof *written; i++)
        vec_push(b->a, &cands, (void *)written[i]);
    const char *hint = diag_suggest(t.name, (const char *const *)cands.items, cands.n);
    if (hint)
        diag_error(&loc, "unknown type \"%s\" (did you mean \"%s\"?)", text, hint);
    else
        diag_error(&loc, "unknown type \"%s\"", text);
}

const char *bu_pg_name(Build *b, const char *name1, const char *name2, const char *label)
{
    size_t overhead = (label ? strlen(label) + 1 : 0) + (name2 ? 1 : 0);
    size_t avail = 63 - overhead;
    size_t n1 = strlen(name1), n2 = name2 ? strlen(name2) : 0;
    while (n1 + n2 > avail) {
        if (n1 > n2)
            n1--;
        else
            n2--;
    }
    return arena_printf(b->a, "%.*s%s%.*s%s%s", (int)n1, name1, name2 ? "_" : "", (int)n2, name2 ? name2 : "",
                        label ? "_" : "", label ? label : "");
}
