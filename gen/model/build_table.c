/* build_table.c - tables, their traits, and later modules' extensions of them.
 *
 * A table body (and a trait body, and an extend_tables body) is read into
 * an HqTableDelta of the current module; the table's final state is updated
 * as each delta is applied, so the last module's view wins. */
#include <stdio.h>
#include <string.h>

#include "model/build_int.h"
#include "load/limits.h"

static const char *const table_keys[] = {
    "doc", "domain", "traits", "columns", "primary_key", "unique", "checks", "foreign_keys", "indexes", "rls",
    "policies", "grants", "revokes", "triggers", "realtime", "replica_identity", "requires", "lint", NULL};
static const char *const trait_keys[] = {
    "doc", "params", "traits", "columns", "unique", "checks", "foreign_keys", "indexes", "rls",
    "policies", "grants", "revokes", "triggers", "realtime", "replica_identity", NULL};
static const char *const extend_keys[] = {
    "columns", "alter_columns", "unique", "checks", "foreign_keys", "indexes", "rls", "policies",
    "grants", "revokes", "triggers", "realtime", "replica_identity", "drop_constraints",
    "drop_indexes", "drop_policies", "drop_triggers", "lint", NULL};
static const char *const column_keys[] = {
    "type", "not_null", "default", "primary_key", "unique", "references", "check", "pattern",
    "generated", "identity", "requires", "doc", "backfill", "lint", NULL};
static const char *const fk_actions[] = {"no_action", "restrict", "cascade", "set_null", "set_default", NULL};

/* The project domain a table's `domain:` names, or NULL (error reported). */
static const HqDomain *table_domain(Build *b, const YNode *n)
{
    const char *name = bu_str(b, n, "domain");
    if (!name)
        return NULL;
    const HqVec *ds = &b->m->project.domains;
    const char *names[256];
    size_t k = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const HqDomain *d = ds->items[i];
        if (!strcmp(d->name, name))
            return d;
        if (k < 256)
            names[k++] = d->name;
    }
    const char *hint = diag_suggest(name, names, k);
    if (hint)
        diag_error(&n->loc, "unknown domain \"%s\" (did you mean \"%s\"?)", name, hint);
    else
        diag_error(&n->loc, "unknown domain \"%s\"; declare it in _project.yaml under project.domains", name);
    return NULL;
}

/* ---- traits ------------------------------------------------------------ */

typedef struct {
    size_t n;
    const char *names[16];
    const char *values[16];
} Vars;

/* Replace {name} placeholders in `s`; `{{` is a literal brace. Unknown
 * names are reported at `loc`. */
static const char *substitute(Build *b, const char *s, const Vars *v, const HqLoc *loc)
{
    if (!strchr(s, '{'))
        return s;
    const char *end = s + strlen(s);
    size_t cap = (size_t)(end - s) * 2 + 64, len = 0;
    char *out = arena_alloc(b->a, cap);
    for (const char *p = s; *p;) {
        if (p[0] == '{' && p[1] == '{') {
            out[len++] = '{';
            p += 2;
        } else if (p[0] == '{') {
            size_t k = 1;
            while (p[k] == '_' || (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9'))
                k++;
            if (k > 1 && p[k] == '}') {
                const char *val = NULL;
                for (size_t i = 0; i < v->n && !val; i++)
                    if (strlen(v->names[i]) == k - 1 && !strncmp(v->names[i], p + 1, k - 1))
                        val = v->values[i];
                if (!val) {
                    char *given = arena_strndup(b->a, p + 1, k - 1);
                    const char *hint = diag_suggest(given, v->names, v->n);
                    diag_error(loc, "unknown placeholder \"{%s}\" in trait%s%s%s", given,
                               hint ? " (did you mean \"{" : "", hint ? hint : "", hint ? "}\"?)" : "");
                    val = "";
                }
                size_t vl = strlen(val);
                if (len + vl + (size_t)(end - p) + 1 > cap) {
                    char *bigger = arena_alloc(b->a, cap = (len + vl + (size_t)(end - p)) * 2 + 64);
                    memcpy(bigger, out, len);
                    out = bigger;
                }
                memcpy(out + len, val, vl);
                len += vl;
                p += k + 1;
            } else {
                out[len++] = *p++;
            }
        } else {
            out[len++] = *p++;
        }
        if (len + 2 >= cap) {
            char *bigger = arena_alloc(b->a, cap *= 2);
            memcpy(bigger, out, len);
            out = bigger;
        }
    }
    out[len] = '\0';
    return out;
}

/* What instantiating n costs: nodes, and bytes of text with placeholders
 * (an upper bound of what substitution makes). Stops counting past
 * max_nodes, so a trait applied to many tables after the budget is spent
 * costs little each time. */
static void trait_cost(const YNode *n, const Vars *v, size_t max_nodes, size_t *nodes, size_t *bytes)
{
    if (++*nodes > max_nodes)
        return;
    if (n->kind == YN_SCALAR && strchr(n->text, '{')) {
        size_t longest = 0;
        for (size_t i = 0; i < v->n; i++)
            if (strlen(v->values[i]) > longest)
                longest = strlen(v->values[i]);
        size_t len = strlen(n->text);
        *bytes += len + 1 + len / 2 * longest;
    }
    for (size_t i = 0; i < n->n_items && *nodes <= max_nodes; i++)
        trait_cost(n->items[i], v, max_nodes, nodes, bytes);
    for (size_t i = 0; i < n->n_pairs && *nodes <= max_nodes; i++) {
        trait_cost(n->pairs[i].key, v, max_nodes, nodes, bytes);
        trait_cost(n->pairs[i].value, v, max_nodes, nodes, bytes);
    }
}

/* Takes a trait's instantiation from the run's budget; false (reported
 * once per run) when it does not fit. */
static bool trait_budget(const YNode *body, const Vars *v, const HqLoc *loc, const char *name)
{
    size_t nodes = 0, bytes = 0, left = limits_nodes_left();
    trait_cost(body, v, left, &nodes, &bytes);
    if (nodes <= left && limits_take_nodes(nodes) && limits_take_bytes(bytes))
        return true;
    if (limits_first_report())
        diag_error(loc, "too much YAML: applying trait \"%s\" goes over the limits of a run (%zu nodes, %zu bytes; "
                   "see \"Limits\" in docs/schema-language.md)", name, LIMIT_NODES, LIMIT_TOTAL_BYTES);
    return false;
}

static YNode *instantiate(Build *b, const YNode *n, const Vars *v)
{
    YNode *c = arena_alloc(b->a, sizeof *c);
    *c = *n;
    switch (n->kind) {
    case YN_SCALAR:
        c->text = substitute(b, n->text, v, &n->loc);
        /* The text no longer matches the source layout. */
        if (c->text != n->text)
            c->source = NULL;
        break;
    case YN_SEQ:
        c->items = arena_alloc(b->a, (n->n_items + 1) * sizeof *c->items);
        for (size_t i = 0; i < n->n_items; i++)
            c->items[i] = instantiate(b, n->items[i], v);
        break;
    case YN_MAP:
        c->pairs = arena_alloc(b->a, (n->n_pairs + 1) * sizeof *c->pairs);
        for (size_t i = 0; i < n->n_pairs; i++) {
            c->pairs[i].key = instantiate(b, n->pairs[i].key, v);
            c->pairs[i].value = instantiate(b, n->pairs[i].value, v);
        }
        break;
    }
    return c;
}

typedef struct {
    const char *name;
    const YNode *body;     /* instantiated */
} AppliedTrait;

/* Expand `traits:` (names or { name: { param: value } }) depth first:
 * included traits come before the trait that includes them. `chain` holds
 * the `depth` traits being expanded, which include this list. */
static void expand_traits(Build *b, const YNode *list, const char *table, HqVec *out, const char *const *chain,
                          int depth)
{
    if (!list || !bu_is_kind(list, YN_SEQ, "traits"))
        return;
    if (depth > 8) {
        diag_error(&list->loc, "traits are nested more than 8 deep");
        return;
    }
    for (size_t i = 0; i < list->n_items; i++) {
        const YNode *item = list->items[i];
        const char *name = NULL;
        const YNode *args = NULL;
        if (item->kind == YN_SCALAR) {
            name = item->text;
        } else if (item->kind == YN_MAP && item->n_pairs == 1) {
            name = item->pairs[0].key->text;
            args = item->pairs[0].value;
            if (!bu_is_kind(args, YN_MAP, "trait arguments"))
                continue;
        } else {
            diag_error(&item->loc, "a trait is a name or { name: { param: value } }");
            continue;
        }
        const YNode *body = yaml_get(b->traits, name);
        if (!body) {
            HqVec cands = {0};
            for (size_t k = 0; b->traits && k < b->traits->n_pairs; k++)
                vec_push(b->a, &cands, (void *)b->traits->pairs[k].key->text);
            const char *hint = diag_suggest(name, (const char *const *)cands.items, cands.n);
            diag_error(&item->loc, "unknown trait \"%s\"%s%s%s", name, hint ? " (did you mean \"" : "",
                       hint ? hint : "", hint ? "\"?)" : "");
            continue;
        }
        int first = 0;
        while (first < depth && strcmp(chain[first], name))
            first++;
        if (first < depth) {
            char via[512] = "";
            for (int k = first + 1; k < depth; k++)
                snprintf(via + strlen(via), sizeof via - strlen(via), "%s\"%s\"", k > first + 1 ? ", " : " through ",
                         chain[k]);
            diag_error(&item->loc, "trait \"%s\" includes itself%s", name, via);
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < out->n; k++)
            dup |= !strcmp(((AppliedTrait *)out->items[k])->name, name);
        if (dup) {
            diag_error(&item->loc, "trait \"%s\" is applied twice", name);
            continue;
        }
        if (!bu_keys(body, "trait", trait_keys))
            continue;
        Vars v = {0};
        v.names[v.n] = "table";
        v.values[v.n++] = table;
        const YNode *params = yaml_get(body, "params");
        if (params && bu_is_kind(params, YN_MAP, "params")) {
            for (size_t k = 0; k < params->n_pairs && v.n < 16; k++) {
                const char *pname = params->pairs[k].key->text;
                const YNode *given = yaml_get(args, pname);
                const char *val = bu_str(b, given ? given : params->pairs[k].value, "trait parameter");
                v.names[v.n] = pname;
                v.values[v.n++] = substitute(b, val ? val : "", &v, &params->pairs[k].value->loc);
            }
            if (params->n_pairs > 15)
                diag_error(&params->pairs[15].key->loc, "trait \"%s\" has more than 15 parameters", name);
        }
        for (size_t k = 0; args && k < args->n_pairs; k++)
            if (!yaml_get(params, args->pairs[k].key->text)) {
                HqVec cands = {0};
                for (size_t j = 0; params && params->kind == YN_MAP && j < params->n_pairs; j++)
                    vec_push(b->a, &cands, (void *)params->pairs[j].key->text);
                const char *hint = diag_suggest(args->pairs[k].key->text, (const char *const *)cands.items, cands.n);
                diag_error(&args->pairs[k].key->loc, "trait \"%s\" has no parameter \"%s\"%s%s%s", name,
                           args->pairs[k].key->text, hint ? " (did you mean \"" : "", hint ? hint : "",
                           hint ? "\"?)" : "");
            }
        const char *sub[9];
        for (int k = 0; k < depth; k++)
            sub[k] = chain[k];
        sub[depth] = name;
        expand_traits(b, yaml_get(body, "traits"), table, out, sub, depth + 1);
        if (!trait_budget(body, &v, &item->loc, name))
            continue;
        AppliedTrait *at = arena_alloc(b->a, sizeof *at);
        at->name = name;
        at->body = instantiate(b, body, &v);
        vec_push(b->a, out, at);
    }
}

/* ---- columns and constraints ------------------------------------------- */

static HqConstraint *new_constraint(Build *b, HqTableDelta *d, const char *name, HqConstraintKind kind, HqLoc loc)
{
    HqConstraint *c = arena_alloc(b->a, sizeof *c);
    c->name = name;
    c->kind = kind;
    c->module = b->mod;
    c->in_create = d->creates;
    c->loc = loc;
    const HqConstraint *o = model_find_constraint(d->table, name);
    if (o) {
        diag_error(&loc, "duplicate constraint \"%s\" on table \"%s\"", name, d->table->name);
        diag_note(&o->loc, "first defined here");
        return c;
    }
    vec_push(b->a, &d->constraints, c);
    vec_push(b->a, &d->table->constraints, c);
    return c;
}

static void read_fk(Build *b, HqConstraint *c, const YNode *refs, const YNode *owner)
{
    static const char *const ref_keys[] = {"table", "column", "columns", "on_delete", "on_update", "name", NULL};
    if (!bu_keys(refs, "references", ref_keys) || !bu_require(refs, "table", "references"))
        return;
    c->ref_table_name = bu_str(b, yaml_get(refs, "table"), "referenced table");
    const YNode *col = yaml_get(refs, "column"), *cols = yaml_get(refs, "columns");
    if (col) {
        c->ref_columns = arena_alloc(b->a, sizeof *c->ref_columns);
        c->ref_columns[0] = bu_str(b, col, "referenced column");
        c->n_ref_columns = c->ref_columns[0] != NULL;
    } else if (cols) {
        c->ref_columns = bu_str_list(b, cols, "referenced columns", &c->n_ref_columns);
    }
    const YNode *od = yaml_get(refs, "on_delete") ? yaml_get(refs, "on_delete") : yaml_get(owner, "on_delete");
    const YNode *ou = yaml_get(refs, "on_update") ? yaml_get(refs, "on_update") : yaml_get(owner, "on_update");
    c->on_delete = (HqFkAction)bu_choice(od, "on_delete", fk_actions, 0);
    c->on_update = (HqFkAction)bu_choice(ou, "on_update", fk_actions, 0);
}

static const char **one(Build *b, const char *s)
{
    const char **v = arena_alloc(b->a, sizeof *v);
    v[0] = s;
    return v;
}

static HqColumn *read_column(Build *b, HqTableDelta *d, const YNode *key, const YNode *body, const char *trait)
{
    HqTable *t = d->table;
    HqColumn *c = arena_alloc(b->a, sizeof *c);
    c->name = key->text;
    c->module = b->mod;
    c->in_create = d->creates;
    c->from_trait = trait;
    c->loc = key->loc;
    if (!bu_keys(body, "column", column_keys) || !bu_require(body, "type", "column"))
        return c;
    const YNode *type = yaml_get(body, "type");
    bu_type(b, bu_str(b, type, "type"), type->loc, &c->type);
    c->not_null = bu_bool(yaml_get(body, "not_null"), "not_null", false);
    c->default_sql = bu_sql(b, yaml_get(body, "default"), "default");
    c->generated = bu_sql(b, yaml_get(body, "generated"), "generated");
    static const char *const idents[] = {"always", "by_default", NULL};
    c->identity = (HqIdentity)(bu_choice(yaml_get(body, "identity"), "identity", idents, -1) + 1);
    c->doc = bu_str(b, yaml_get(body, "doc"), "doc");
    c->backfill = bu_sql(b, yaml_get(body, "backfill"), "backfill");
    c->lint = bu_lint(b, body, arena_printf(b->a, "column %s.%s", t->name, c->name), t, c);
    if (c->type.kind == HQ_TYPE_EXTENSION && c->type.ext->optional)
        c->requires = c->type.ext;
    size_t n_req;
    const char **req = bu_str_list(b, yaml_get(body, "requires"), "requires", &n_req);
    for (size_t i = 0; i < n_req; i++) {
        HqExtension *x = model_find_extension(b->m, req[i]);
        if (!x)
            diag_error(&yaml_get(body, "requires")->loc, "unknown extension \"%s\"", req[i]);
        else
            c->requires = x;
    }
    if (bu_bool(yaml_get(body, "primary_key"), "primary_key", false)) {
        c->not_null = true;
        HqConstraint *pk = new_constraint(b, d, bu_pg_name(b, t->name, NULL, "pkey"), HQ_CON_PRIMARY, key->loc);
        pk->n_columns = 1;
        pk->columns = one(b, c->name);
        t->primary_key = pk;
    }
    if (bu_bool(yaml_get(body, "unique"), "unique", false)) {
        HqConstraint *u = new_constraint(b, d, bu_pg_name(b, t->name, c->name, "key"), HQ_CON_UNIQUE, key->loc);
        u->n_columns = 1;
        u->columns = one(b, c->name);
    }
    const YNode *refs = yaml_get(body, "references");
    if (refs) {
        const YNode *nm = yaml_get(refs, "name");
        const char *name = nm ? bu_str(b, nm, "constraint name") : bu_pg_name(b, t->name, c->name, "fkey");
        HqConstraint *fk = new_constraint(b, d, name, HQ_CON_FOREIGN, refs->loc);
        fk->n_columns = 1;
        fk->columns = one(b, c->name);
        read_fk(b, fk, refs, NULL);
    }
    const YNode *check = yaml_get(body, "check"), *pattern = yaml_get(body, "pattern");
    if (check && pattern)
        diag_error(&pattern->loc, "a column takes \"check\" or \"pattern\", not both");
    if (check || pattern) {
        HqConstraint *ck = new_constraint(b, d, bu_pg_name(b, t->name, c->name, "check"), HQ_CON_CHECK,
                                          (check ? check : pattern)->loc);
        ck->n_columns = 1;
        ck->columns = one(b, c->name);
        if (check) {
            ck->check = bu_sql(b, check, "check");
        } else {
            ck->pattern = bu_str(b, pattern, "pattern");
            ck->check.loc = pattern->loc;
            ck->check.node = pattern;
        }
    }
    c->final_not_null = c->not_null;
    c->final_default = c->default_sql;
    if (c->backfill.text && (!c->not_null || c->generated.text || c->identity))
        diag_error(&c->backfill.loc, "backfill gives existing rows a value for a new NOT NULL column; column \"%s\" %s",
                   c->name, c->not_null ? "is generated" : "is nullable (NULL is their value)");
    return c;
}

static void add_column(Build *b, HqTableDelta *d, HqColumn *c)
{
    HqColumn *old = model_find_column(d->table, c->name);
    if (old) {
        diag_error(&c->loc, "duplicate column \"%s\" in table \"%s\"", c->name, d->table->name);
        diag_note(&old->loc, "first defined here");
        return;
    }
    vec_push(b->a, &d->columns, c);
    vec_push(b->a, &d->table->columns, c);
}

/* ---- the other sections -------------------------------------------------- */

static const char **str_list_or_one(Build *b, const YNode *n, const char *what, size_t *count)
{
    if (n && n->kind == YN_SCALAR) {
        *count = 1;
        return one(b, n->text);
    }
    return bu_str_list(b, n, what, count);
}

/* Index names are unique within a schema, not only per table: the tables
 * of the project schema share one map of the indexes not dropped. */
static void check_index_name(Build *b, HqTable *t, HqIndex *ix, const HqLoc *loc)
{
    const HqIndex *o = NULL;
    const HqTable *other = t;
    if (t->platform) {
        for (size_t j = 0; j < t->indexes.n && !o; j++)
            if (!strcmp(((HqIndex *)t->indexes.items[j])->name, ix->name))
                o = t->indexes.items[j];
    } else {
        IndexOwner *io = namemap_get(b->index_names, ix->name);
        if (io && !io->index->dropped_in) {
            o = io->index;
            other = io->table;
        } else {
            io = arena_alloc(b->a, sizeof *io);
            io->index = ix;
            io->table = t;
            namemap_put(b->index_names, ix->name, io);
        }
    }
    if (!o)
        return;
    if (other == t)
        diag_error(loc, "duplicate index \"%s\" on table \"%s\"", ix->name, t->name);
    else
        diag_error(loc, "duplicate index \"%s\": table \"%s\" has an index of that name "
                   "(index names are unique within a schema)", ix->name, other->name);
    diag_note(&o->loc, "first defined here");
}

static void read_indexes(Build *b, HqTableDelta *d, const YNode *map)
{
    static const char *const keys[] = {"key", "unique", "using", "where", "include", "with", "requires", "doc", "lint", NULL};
    if (!map || !bu_is_kind(map, YN_MAP, "indexes"))
        return;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key, *body = map->pairs[i].value;
        if (!bu_keys(body, "index", keys) || !bu_require(body, "key", "index"))
            continue;
        HqIndex *ix = arena_alloc(b->a, sizeof *ix);
        ix->name = k->text;
        ix->loc = k->loc;
        ix->module = b->mod;
        ix->unique = bu_bool(yaml_get(body, "unique"), "unique", false);
        static const char *const methods[] = {"btree", "gin", "gist", "hash", "brin", "spgist", "hnsw", "ivfflat", NULL};
        ix->method = methods[bu_choice(yaml_get(body, "using"), "using", methods, 0)];
        const YNode *key = yaml_get(body, "key");
        if (bu_is_kind(key, YN_SEQ, "index key")) {
            ix->n_keys = key->n_items;
            ix->keys = arena_alloc(b->a, (key->n_items + 1) * sizeof *ix->keys);
            for (size_t j = 0; j < key->n_items; j++)
                ix->keys[j] = bu_sql(b, key->items[j], "index key element");
            if (!key->n_items)
                diag_error(&key->loc, "index \"%s\" needs at least one key element", ix->name);
        }
        ix->where = bu_sql(b, yaml_get(body, "where"), "where");
        ix->lint = bu_lint(b, body, arena_printf(b->a, "index %s", ix->name), d->table, ix);
        ix->include = bu_str_list(b, yaml_get(body, "include"), "include", &ix->n_include);
        const YNode *with = yaml_get(body, "with");
        if (with && bu_is_kind(with, YN_MAP, "with")) {
            ix->n_with = with->n_pairs;
            ix->with_names = arena_alloc(b->a, (with->n_pairs + 1) * sizeof(char *));
            ix->with_values = arena_alloc(b->a, (with->n_pairs + 1) * sizeof(char *));
            for (size_t j = 0; j < with->n_pairs; j++) {
                ix->with_names[j] = with->pairs[j].key->text;
                ix->with_values[j] = bu_str(b, with->pairs[j].value, "index storage parameter");
            }
        }
        if (!strcmp(ix->method, "hnsw") || !strcmp(ix->method, "ivfflat"))
            ix->requires = model_find_extension(b->m, "vector");
        check_index_name(b, d->table, ix, &k->loc);
        vec_push(b->a, &d->indexes, ix);
        vec_push(b->a, &d->table->indexes, ix);
    }
}

static void read_policies(Build *b, HqTableDelta *d, const YNode *map)
{
    static const char *const keys[] = {"command", "to", "using", "with_check", "restrictive", "doc", "lint", NULL};
    static const char *const commands[] = {"all", "select", "insert", "update", "delete", NULL};
    if (!map || !bu_is_kind(map, YN_MAP, "policies"))
        return;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key, *body = map->pairs[i].value;
        if (!bu_keys(body, "policy", keys))
            continue;
        HqPolicy *p = arena_alloc(b->a, sizeof *p);
        p->name = k->text;
        p->loc = k->loc;
        p->module = b->mod;
        p->command = (HqCommand)bu_choice(yaml_get(body, "command"), "command", commands, 0);
        p->roles = str_list_or_one(b, yaml_get(body, "to"), "to", &p->n_roles);
        p->using_sql = bu_sql(b, yaml_get(body, "using"), "using");
        p->check_sql = bu_sql(b, yaml_get(body, "with_check"), "with_check");
        p->restrictive = bu_bool(yaml_get(body, "restrictive"), "restrictive", false);
        p->doc = bu_str(b, yaml_get(body, "doc"), "doc");
        p->lint = bu_lint(b, body, arena_printf(b->a, "policy \"%s\" on %s", p->name, d->table->name), d->table, p);
        if (!p->using_sql.text && !p->check_sql.text)
            diag_error(&k->loc, "policy \"%s\" needs \"using\" or \"with_check\"", p->name);
        const HqPolicy *dup = vecindex_find(b->a, &d->table->index->policies, &d->table->policies,
                                            offsetof(HqPolicy, name), p->name);
        if (dup) {
            diag_error(&k->loc, "duplicate policy \"%s\" on table \"%s\"", p->name, d->table->name);
            diag_note(&dup->loc, "first defined here");
        }
        vec_push(b->a, &d->policies, p);
        vec_push(b->a, &d->table->policies, p);
    }
}

static void read_grants(Build *b, HqTableDelta *d, const YNode *list, bool revoke)
{
    static const char *const gkeys[] = {"privileges", "to", "columns", NULL};
    static const char *const rkeys[] = {"privileges", "from", "columns", NULL};
    const char *what = revoke ? "revokes" : "grants";
    if (!list || !bu_is_kind(list, YN_SEQ, what))
        return;
    for (size_t i = 0; i < list->n_items; i++) {
        const YNode *body = list->items[i];
        const char *who = revoke ? "from" : "to";
        const char *one_what = revoke ? "revoke" : "grant";
        if (!bu_keys(body, one_what, revoke ? rkeys : gkeys) || !bu_require(body, "privileges", one_what) ||
            !bu_require(body, who, one_what))
            continue;
        HqGrant *g = arena_alloc(b->a, sizeof *g);
        g->revoke = revoke;
        g->module = b->mod;
        g->loc = body->loc;
        g->privileges = bu_str_list(b, yaml_get(body, "privileges"), "privileges", &g->n_privileges);
        g->roles = bu_str_list(b, yaml_get(body, who), who, &g->n_roles);
        g->columns = bu_str_list(b, yaml_get(body, "columns"), "columns", &g->n_columns);
        vec_push(b->a, &d->grants, g);
        vec_push(b->a, &d->table->grants, g);
    }
}

static void read_triggers(Build *b, HqTableDelta *d, const YNode *map)
{
    static const char *const keys[] = {"timing", "events", "level", "when", "function", "args", "doc", "lint", NULL};
    static const char *const timings[] = {"before", "after", "instead_of", NULL};
    static const char *const levels[] = {"row", "statement", NULL};
    if (!map || !bu_is_kind(map, YN_MAP, "triggers"))
        return;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key, *body = map->pairs[i].value;
        if (!bu_keys(body, "trigger", keys) || !bu_require(body, "timing", "trigger") ||
            !bu_require(body, "events", "trigger") || !bu_require(body, "function", "trigger"))
            continue;
        HqTrigger *tg = arena_alloc(b->a, sizeof *tg);
        tg->name = k->text;
        tg->loc = k->loc;
        tg->module = b->mod;
        tg->timing = (HqTiming)bu_choice(yaml_get(body, "timing"), "timing", timings, 0);
        tg->for_statement = bu_choice(yaml_get(body, "level"), "level", levels, 0) == 1;
        tg->when = bu_sql(b, yaml_get(body, "when"), "when");
        tg->function_name = bu_str(b, yaml_get(body, "function"), "function");
        tg->args = bu_str_list(b, yaml_get(body, "args"), "args", &tg->n_args);
        tg->doc = bu_str(b, yaml_get(body, "doc"), "doc");
        tg->lint = bu_lint(b, body, arena_printf(b->a, "trigger %s on %s", tg->name, d->table->name), d->table, tg);
        const YNode *ev = yaml_get(body, "events");
        if (bu_is_kind(ev, YN_SEQ, "events")) {
            if (!ev->n_items)
                diag_error(&ev->loc, "trigger \"%s\" has no events", tg->name);
            for (size_t j = 0; j < ev->n_items; j++) {
                const char *e = bu_str(b, ev->items[j], "event");
                if (!e)
                    continue;
                if (!strcmp(e, "insert"))
                    tg->events |= HQ_EV_INSERT;
                else if (!strcmp(e, "update"))
                    tg->events |= HQ_EV_UPDATE;
                else if (!strcmp(e, "delete"))
                    tg->events |= HQ_EV_DELETE;
                else if (!strcmp(e, "truncate"))
                    tg->events |= HQ_EV_TRUNCATE;
                else if (!strncmp(e, "update of ", 10)) {
                    tg->events |= HQ_EV_UPDATE;
                    /* "update of a, b": split on commas. */
                    const char *p = e + 10;
                    HqVec cols = {0};
                    while (*p) {
                        while (*p == ' ' || *p == ',')
                            p++;
                        const char *s = p;
                        while (*p && *p != ',' && *p != ' ')
                            p++;
                        if (p > s)
                            vec_push(b->a, &cols, arena_strndup(b->a, s, (size_t)(p - s)));
                    }
                    tg->n_update_of = cols.n;
                    tg->update_of = (const char **)cols.items;
                } else {
                    diag_error(&ev->items[j]->loc,
                               "unknown trigger event \"%s\" (insert, update, update of COLUMNS, delete, truncate)", e);
                }
            }
        }
        const HqTrigger *dup = vecindex_find(b->a, &d->table->index->triggers, &d->table->triggers,
                                             offsetof(HqTrigger, name), tg->name);
        if (dup) {
            diag_error(&k->loc, "duplicate trigger \"%s\" on table \"%s\"", tg->name, d->table->name);
            diag_note(&dup->loc, "first defined here");
        }
        vec_push(b->a, &d->triggers, tg);
        vec_push(b->a, &d->table->triggers, tg);
    }
}

static void read_table_constraints(Build *b, HqTableDelta *d, const YNode *body)
{
    const YNode *uniq = yaml_get(body, "unique");
    if (uniq && bu_is_kind(uniq, YN_MAP, "unique"))
        for (size_t i = 0; i < uniq->n_pairs; i++) {
            HqConstraint *c = new_constraint(b, d, uniq->pairs[i].key->text, HQ_CON_UNIQUE, uniq->pairs[i].key->loc);
            c->columns = bu_str_list(b, uniq->pairs[i].value, "unique columns", &c->n_columns);
        }
    const YNode *checks = yaml_get(body, "checks");
    if (checks && bu_is_kind(checks, YN_MAP, "checks"))
        for (size_t i = 0; i < checks->n_pairs; i++) {
            HqConstraint *c = new_constraint(b, d, checks->pairs[i].key->text, HQ_CON_CHECK, checks->pairs[i].key->loc);
            c->check = bu_sql(b, checks->pairs[i].value, "check");
        }
    const YNode *fks = yaml_get(body, "foreign_keys");
    static const char *const fk_keys[] = {"columns", "references", "on_delete", "on_update", "lint", NULL};
    if (fks && bu_is_kind(fks, YN_MAP, "foreign_keys"))
        for (size_t i = 0; i < fks->n_pairs; i++) {
            const YNode *fb = fks->pairs[i].value;
            if (!bu_keys(fb, "foreign key", fk_keys) || !bu_require(fb, "columns", "foreign key") ||
                !bu_require(fb, "references", "foreign key"))
                continue;
            HqConstraint *c = new_constraint(b, d, fks->pairs[i].key->text, HQ_CON_FOREIGN, fks->pairs[i].key->loc);
            c->columns = bu_str_list(b, yaml_get(fb, "columns"), "columns", &c->n_columns);
            read_fk(b, c, yaml_get(fb, "references"), fb);
            c->lint = bu_lint(b, fb, arena_printf(b->a, "foreign key %s on %s", c->name, d->table->name), d->table, c);
        }
}

static void read_settings(HqTableDelta *d, const YNode *body, bool from_trait)
{
    /* The choices, in HqRls / HqReplica order after the internal UNSET. */
    static const char *const rls[] = {"enabled", "forced", "disabled", NULL};
    static const char *const replicas[] = {"default", "full", "nothing", NULL};
    const YNode *n;
    /* A table's own setting wins over a trait's. */
    if ((n = yaml_get(body, "rls")) && !(from_trait && d->rls != HQ_RLS_UNSET))
        d->rls = (HqRls)(bu_choice(n, "rls", rls, -1) + 1);
    if ((n = yaml_get(body, "realtime")) && !(from_trait && d->realtime >= 0))
        d->realtime = bu_bool(n, "realtime", false);
    if ((n = yaml_get(body, "replica_identity")) && !(from_trait && d->replica_identity != HQ_REPLICA_UNSET))
        d->replica_identity = (HqReplica)(bu_choice(n, "replica_identity", replicas, -1) + 1);
}

static void read_sections(Build *b, HqTableDelta *d, const YNode *body)
{
    read_table_constraints(b, d, body);
    read_indexes(b, d, yaml_get(body, "indexes"));
    read_policies(b, d, yaml_get(body, "policies"));
    read_grants(b, d, yaml_get(body, "grants"), false);
    read_grants(b, d, yaml_get(body, "revokes"), true);
    read_triggers(b, d, yaml_get(body, "triggers"));
}

static void apply_settings(HqTableDelta *d)
{
    HqTable *t = d->table;
    if (d->rls != HQ_RLS_UNSET)
        t->rls = d->rls;
    if (d->realtime >= 0)
        t->realtime = d->realtime;
    if (d->replica_identity != HQ_REPLICA_UNSET)
        t->replica_identity = d->replica_identity;
}

static HqTableDelta *new_delta(Build *b, HqTable *t, bool creates, HqLoc loc)
{
    HqTableDelta *d = arena_alloc(b->a, sizeof *d);
    d->table = t;
    d->module = b->mod;
    d->creates = creates;
    d->realtime = -1;
    d->loc = loc;
    vec_push(b->a, &t->deltas, d);
    vec_push(b->a, &b->mod->tables, d);
    return d;
}

void build_table(Build *b, const char *name, const YNode *name_node, const YNode *body)
{
    HqTable *old = model_find_table(b->m, name);
    if (old) {
        diag_error(&name_node->loc, "table \"%s\" is already defined", name);
        diag_note(&old->loc, "first defined here");
        diag_note(&name_node->loc, "to change a table of an earlier module, use extend_tables");
        return;
    }
    HqTable *t = arena_alloc(b->a, sizeof *t);
    t->name = name;
    t->qname = arena_printf(b->a, "%s.%s", b->m->project.schema, name);
    t->module = b->mod;
    t->loc = name_node->loc;
    model_table_index_init(b->a, t);
    vec_push(b->a, &b->m->tables, t);
    HqTableDelta *d = new_delta(b, t, true, name_node->loc);
    if (!bu_keys(body, "table", table_keys))
        return;
    t->doc = bu_str(b, yaml_get(body, "doc"), "doc");
    t->domain = table_domain(b, yaml_get(body, "domain"));
    d->lint = bu_lint(b, body, arena_printf(b->a, "table %s", name), t, t);
    const YNode *req = yaml_get(body, "requires");
    if (req) {
        size_t n;
        const char **names = bu_str_list(b, req, "requires", &n);
        for (size_t i = 0; i < n; i++)
            if (!(t->requires = model_find_extension(b->m, names[i])))
                diag_error(&req->loc, "unknown extension \"%s\"", names[i]);
    }

    HqVec traits = {0};
    expand_traits(b, yaml_get(body, "traits"), name, &traits, NULL, 0);
    for (size_t i = 0; i < traits.n; i++)
        vec_push(b->a, &t->traits, (void *)((AppliedTrait *)traits.items[i])->name);

    /* Columns: the table's own, with trait columns after the first one
     * unless a placeholder (name with no value) positions them. */
    const YNode *cols = yaml_get(body, "columns");
    bool cols_malformed = cols && !bu_is_kind(cols, YN_MAP, "columns");
    if (cols_malformed)
        cols = NULL;
    HqVec trait_cols = {0}, trait_col_names = {0}, trait_col_traits = {0};
    for (size_t i = 0; i < traits.n; i++) {
        AppliedTrait *at = traits.items[i];
        const YNode *tc = yaml_get(at->body, "columns");
        if (tc && bu_is_kind(tc, YN_MAP, "columns"))
            for (size_t k = 0; k < tc->n_pairs; k++) {
                vec_push(b->a, &trait_col_names, tc->pairs[k].key);
                vec_push(b->a, &trait_cols, tc->pairs[k].value);
                vec_push(b->a, &trait_col_traits, (void *)at->name);
            }
    }
    bool *placed = arena_alloc(b->a, (trait_cols.n + 1) * sizeof *placed);
    for (size_t k = 0; k < trait_cols.n; k++)
        for (size_t i = 0; cols && i < cols->n_pairs; i++)
            if (cols->pairs[i].value->is_null && !strcmp(cols->pairs[i].key->text, ((YNode *)trait_col_names.items[k])->text))
                placed[k] = true;
    size_t n_own = cols ? cols->n_pairs : 0;
    for (size_t i = 0; i <= n_own; i++) {
        if (i == 1 || (i == 0 && n_own == 0)) {
            for (size_t k = 0; k < trait_cols.n; k++)
                if (!placed[k])
                    add_column(b, d, read_column(b, d, trait_col_names.items[k], trait_cols.items[k], trait_col_traits.items[k]));
        }
        if (i == n_own)
            break;
        const YNode *key = cols->pairs[i].key, *val = cols->pairs[i].value;
        if (val->is_null) {
            size_t k = 0;
            while (k < trait_cols.n && strcmp(((YNode *)trait_col_names.items[k])->text, key->text))
                k++;
            if (k == trait_cols.n) {
                diag_error(&key->loc, "column \"%s\" has no definition (and no trait provides it)", key->text);
                continue;
            }
            add_column(b, d, read_column(b, d, trait_col_names.items[k], trait_cols.items[k], trait_col_traits.items[k]));
            continue;
        }
        add_column(b, d, read_column(b, d, key, val, NULL));
    }
    if (!t->columns.n && !cols_malformed)
        diag_error(&name_node->loc, "table \"%s\" has no columns", name);

    const YNode *pk = yaml_get(body, "primary_key");
    if (pk) {
        if (t->primary_key) {
            diag_error(&pk->loc, "table \"%s\" has two primary keys", name);
        } else {
            HqConstraint *c = new_constraint(b, d, bu_pg_name(b, name, NULL, "pkey"), HQ_CON_PRIMARY, pk->loc);
            c->columns = bu_str_list(b, pk, "primary_key", &c->n_columns);
            t->primary_key = c;
            for (size_t i = 0; i < c->n_columns; i++) {
                HqColumn *col = model_find_column(t, c->columns[i]);
                if (col)
                    col->not_null = col->final_not_null = true;
            }
        }
    }

    for (size_t i = 0; i < traits.n; i++) {
        AppliedTrait *at = traits.items[i];
        read_sections(b, d, at->body);
    }
    read_sections(b, d, body);
    read_settings(d, body, false);
    for (size_t i = 0; i < traits.n; i++)
        read_settings(d, ((AppliedTrait *)traits.items[i])->body, true);
    apply_settings(d);
}

void build_platform_table(Build *b, const char *name, const YNode *name_node, const YNode *body)
{
    static const char *const keys[] = {"doc", "columns", NULL};
    const char *dot = strchr(name, '.');
    if (!dot) {
        diag_error(&name_node->loc, "platform table \"%s\" must be schema-qualified (auth.users)", name);
        return;
    }
    HqTable *t = arena_alloc(b->a, sizeof *t);
    t->name = name;
    t->schema = arena_strndup(b->a, name, (size_t)(dot - name));
    t->qname = name;
    t->platform = true;
    t->loc = name_node->loc;
    model_table_index_init(b->a, t);
    vec_push(b->a, &b->m->platform_tables, t);
    if (!bu_keys(body, "platform table", keys))
        return;
    t->doc = bu_str(b, yaml_get(body, "doc"), "doc");
    const YNode *cols = yaml_get(body, "columns");
    if (cols && bu_is_kind(cols, YN_MAP, "columns"))
        for (size_t i = 0; i < cols->n_pairs; i++) {
            HqColumn *c = arena_alloc(b->a, sizeof *c);
            c->name = cols->pairs[i].key->text;
            c->loc = cols->pairs[i].key->loc;
            bu_type(b, bu_str(b, cols->pairs[i].value, "column type"), cols->pairs[i].value->loc, &c->type);
            vec_push(b->a, &t->columns, c);
        }
}

/* Remove the object called `name` from a final-state list and mark it
 * dropped by the current module. Returns false when there is none. */
static bool drop_named(Build *b, HqVec *v, const char *name, size_t name_off, size_t dropped_off)
{
    for (size_t i = 0; i < v->n; i++) {
        char *obj = v->items[i];
        if (strcmp(*(const char **)(obj + name_off), name))
            continue;
        *(HqModule **)(obj + dropped_off) = b->mod;
        memmove(&v->items[i], &v->items[i + 1], (v->n - i - 1) * sizeof *v->items);
        v->n--;
        return true;
    }
    return false;
}

static void read_drops(Build *b, HqTableDelta *d, const YNode *body, const char *key, HqVec *names, HqVec *final,
                       size_t name_off, size_t dropped_off, const char *what)
{
    size_t n;
    const YNode *list = yaml_get(body, key);
    const char **v = bu_str_list(b, list, key, &n);
    for (size_t i = 0; i < n; i++) {
        vec_push(b->a, names, (void *)v[i]);
        /* Dropping what does not exist (an old name) is allowed: the
         * statement is DROP ... IF EXISTS. */
        drop_named(b, final, v[i], name_off, dropped_off);
        (void)what;
    }
    (void)d;
}

void build_extend_table(Build *b, const char *name, const YNode *name_node, const YNode *body)
{
    HqTable *t = model_find_table(b->m, name);
    if (!t) {
        HqVec cands = {0};
        for (size_t i = 0; i < b->m->tables.n; i++)
            vec_push(b->a, &cands, (void *)((HqTable *)b->m->tables.items[i])->name);
        const char *hint = diag_suggest(name, (const char *const *)cands.items, cands.n);
        diag_error(&name_node->loc, "extend_tables: unknown table \"%s\"%s%s%s", name, hint ? " (did you mean \"" : "",
                   hint ? hint : "", hint ? "\"?)" : "");
        return;
    }
    if (t->module == b->mod) {
        diag_error(&name_node->loc, "table \"%s\" is created in this module; declare its content there", name);
        return;
    }
    HqTableDelta *d = new_delta(b, t, false, name_node->loc);
    if (!bu_keys(body, "table extension", extend_keys))
        return;
    d->lint = bu_lint(b, body, arena_printf(b->a, "table %s (extended by %s)", name, b->mod->name), t, t);
    const YNode *cols = yaml_get(body, "columns");
    if (cols && bu_is_kind(cols, YN_MAP, "columns")) {
        if (t->platform)
            diag_error(&cols->loc, "columns cannot be added to platform table \"%s\"", name);
        for (size_t i = 0; i < cols->n_pairs; i++)
            add_column(b, d, read_column(b, d, cols->pairs[i].key, cols->pairs[i].value, NULL));
    }
    const YNode *alters = yaml_get(body, "alter_columns");
    static const char *const alter_keys[] = {"not_null", "default", NULL};
    if (alters && bu_is_kind(alters, YN_MAP, "alter_columns"))
        for (size_t i = 0; i < alters->n_pairs; i++) {
            const YNode *k = alters->pairs[i].key, *ab = alters->pairs[i].value;
            HqColumn *c = model_find_column(t, k->text);
            if (!c) {
                HqVec cands = {0};
                for (size_t j = 0; j < t->columns.n; j++)
                    vec_push(b->a, &cands, (void *)((HqColumn *)t->columns.items[j])->name);
                const char *hint = diag_suggest(k->text, (const char *const *)cands.items, cands.n);
                diag_error(&k->loc, "alter_columns: table \"%s\" has no column \"%s\"%s%s%s", name, k->text,
                           hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
                continue;
            }
            if (!bu_keys(ab, "column change", alter_keys))
                continue;
            HqColumnAlter *al = arena_alloc(b->a, sizeof *al);
            al->module = b->mod;
            al->loc = k->loc;
            const YNode *nn = yaml_get(ab, "not_null"), *df = yaml_get(ab, "default");
            if (nn) {
                al->sets_not_null = true;
                al->not_null = bu_bool(nn, "not_null", false);
                c->final_not_null = al->not_null;
            }
            if (df) {
                al->sets_default = true;
                if (!df->is_null)
                    al->default_sql = bu_sql(b, df, "default");
                c->final_default = al->default_sql;
            }
            if (!nn && !df)
                diag_error(&k->loc, "alter_columns: nothing to change for column \"%s\"", k->text);
            vec_push(b->a, &c->alters, al);
            vec_push(b->a, &d->alters, al);
            vec_push(b->a, &d->alter_columns, c);
        }
    read_drops(b, d, body, "drop_constraints", &d->drop_constraints, &t->constraints, offsetof(HqConstraint, name),
               offsetof(HqConstraint, dropped_in), "constraint");
    read_drops(b, d, body, "drop_indexes", &d->drop_indexes, &t->indexes, offsetof(HqIndex, name),
               offsetof(HqIndex, dropped_in), "index");
    read_drops(b, d, body, "drop_policies", &d->drop_policies, &t->policies, offsetof(HqPolicy, name),
               offsetof(HqPolicy, dropped_in), "policy");
    read_drops(b, d, body, "drop_triggers", &d->drop_triggers, &t->triggers, offsetof(HqTrigger, name),
               offsetof(HqTrigger, dropped_in), "trigger");
    read_sections(b, d, body);
    read_settings(d, body, false);
    apply_settings(d);
}
