/* build.c - the build stage: read the schema directory, turn each file's
 * YAML tree into the model. Project files (_project.yaml, _traits.yaml)
 * come first, then modules in file-name order. */
#include "model/build.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/build_int.h"
#include "base/sqlparse.h"

static const char *const module_keys[] = {
    "module", "summary", "doc", "extensions", "schema_grants", "default_privileges", "enums",
    "extend_enums", "functions", "tables", "extend_tables", "cron_jobs", "storage_buckets", "seeds",
    "data_steps", "schema_versions", "raw_sql", "views", "changes", NULL};

/* A PostgreSQL duration setting: digits, optionally one of its units. */
static const char *read_duration(Build *b, const YNode *n, const char *what, const char *dflt)
{
    static const char *const units[] = {"", "us", "ms", "s", "min", "h", "d", NULL};
    const char *s = n ? bu_str(b, n, what) : NULL;
    if (!s)
        return dflt;
    const char *u = s;
    while (*u >= '0' && *u <= '9')
        u++;
    for (size_t i = 0; u > s && units[i]; i++)
        if (!strcmp(u, units[i]))
            return s;
    diag_error(&n->loc, "%s must be a duration such as \"3s\", \"500ms\" or \"10min\"", what);
    return dflt;
}

static void read_deploy(Build *b, const YNode *n, HqDeploy *d)
{
    static const char *const keys[] = {"lock_timeout", "statement_timeout", "lock_retries", "lint", NULL};
    d->lock_timeout = "3s";
    d->statement_timeout = "10min";
    d->lock_retries = 5;
    if (!n || !bu_keys(n, "deploy", keys))
        return;
    d->loc = n->loc;
    d->lint = bu_lint(b, n, "project deploy settings", NULL, d);
    d->lock_timeout = read_duration(b, yaml_get(n, "lock_timeout"), "lock_timeout", d->lock_timeout);
    d->statement_timeout = read_duration(b, yaml_get(n, "statement_timeout"), "statement_timeout", d->statement_timeout);
    long r = bu_long(yaml_get(n, "lock_retries"), "lock_retries", d->lock_retries);
    if (r < 0 || r > 100)
        diag_error(&yaml_get(n, "lock_retries")->loc, "lock_retries must be between 0 and 100");
    else
        d->lock_retries = (int)r;
}

static void read_unmanaged(Build *b, const YNode *n, HqProject *p)
{
    static const char *const keys[] = {"indexes", "constraints", "triggers", "policies", NULL};
    HqVec *lists[] = {&p->unmanaged_indexes, &p->unmanaged_constraints, &p->unmanaged_triggers, &p->unmanaged_policies};
    if (!n || !bu_keys(n, "unmanaged", keys))
        return;
    for (size_t k = 0; keys[k]; k++) {
        size_t count;
        const char **globs = bu_str_list(b, yaml_get(n, keys[k]), keys[k], &count);
        for (size_t i = 0; i < count; i++) {
            if (!*globs[i])
                diag_error(&yaml_get(n, keys[k])->loc, "unmanaged %s: an empty pattern", keys[k]);
            vec_push(b->a, lists[k], (void *)globs[i]);
        }
    }
}

/* project.tenancy: { column: tenant_id, function: current_tenant_id } */
static void read_tenancy(Build *b, const YNode *n, HqTenancy *t)
{
    static const char *const keys[] = {"column", "function", NULL};
    if (!n || !bu_keys(n, "tenancy", keys) || !bu_require(n, "column", "tenancy") || !bu_require(n, "function", "tenancy"))
        return;
    t->loc = n->loc;
    t->column = bu_str(b, yaml_get(n, "column"), "column");
    t->function = bu_str(b, yaml_get(n, "function"), "function");
}

static void read_project(Build *b, const YNode *root)
{
    static const char *const top[] = {"project", "platform", NULL};
    static const char *const pkeys[] = {"name",  "doc",   "schema",  "realtime_publication", "version_table",
                                        "trust", "roles", "domains", "deploy", "unmanaged", "tenancy", NULL};
    static const char *const domain_keys[] = {"title", "doc", NULL};
    static const char *const platkeys[] = {"schemas", "tables", "functions", NULL};
    if (!bu_keys(root, "_project.yaml", top))
        return;
    HqProject *p = &b->m->project;
    const YNode *proj = yaml_get(root, "project");
    if (proj && bu_keys(proj, "project", pkeys)) {
        p->loc = proj->loc;
        bu_require(proj, "name", "project");
        p->name = bu_str(b, yaml_get(proj, "name"), "name");
        p->doc = bu_str(b, yaml_get(proj, "doc"), "doc");
        if (yaml_get(proj, "schema"))
            p->schema = bu_str(b, yaml_get(proj, "schema"), "schema");
        p->realtime_publication = bu_str(b, yaml_get(proj, "realtime_publication"), "realtime_publication");
        p->version_table = bu_str(b, yaml_get(proj, "version_table"), "version_table");
        const YNode *roles = yaml_get(proj, "roles");
        if (roles && bu_is_kind(roles, YN_MAP, "roles"))
            for (size_t i = 0; i < roles->n_pairs; i++) {
                HqRole *r = arena_alloc(b->a, sizeof *r);
                r->name = roles->pairs[i].key->text;
                r->doc = bu_str(b, roles->pairs[i].value, "role description");
                vec_push(b->a, &p->roles, r);
            }
        p->trust = bu_str(b, yaml_get(proj, "trust"), "trust");
        const YNode *domains = yaml_get(proj, "domains");
        if (domains && bu_is_kind(domains, YN_MAP, "domains"))
            for (size_t i = 0; i < domains->n_pairs; i++) {
                const YNode *k = domains->pairs[i].key, *v = domains->pairs[i].value;
                HqDomain *d = arena_alloc(b->a, sizeof *d);
                d->name = k->text;
                d->title = d->name;
                d->loc = k->loc;
                vec_push(b->a, &p->domains, d);
                if (v->is_null || !bu_keys(v, "domain", domain_keys))
                    continue;
                const char *title = bu_str(b, yaml_get(v, "title"), "title");
                if (title && *title)
                    d->title = title;
                d->doc = bu_str(b, yaml_get(v, "doc"), "doc");
            }
    }
    if (!p->schema)
        p->schema = "public";
    read_deploy(b, proj ? yaml_get(proj, "deploy") : NULL, &p->deploy);
    read_unmanaged(b, proj ? yaml_get(proj, "unmanaged") : NULL, p);
    read_tenancy(b, proj ? yaml_get(proj, "tenancy") : NULL, &p->tenancy);
    const YNode *plat = yaml_get(root, "platform");
    if (plat && bu_keys(plat, "platform", platkeys)) {
        size_t n;
        const char **schemas = bu_str_list(b, yaml_get(plat, "schemas"), "schemas", &n);
        for (size_t i = 0; i < n; i++)
            vec_push(b->a, &p->platform_schemas, (void *)schemas[i]);
        const YNode *tables = yaml_get(plat, "tables");
        if (tables && bu_is_kind(tables, YN_MAP, "tables"))
            for (size_t i = 0; i < tables->n_pairs; i++)
                build_platform_table(b, tables->pairs[i].key->text, tables->pairs[i].key, tables->pairs[i].value);
        const YNode *fns = yaml_get(plat, "functions");
        if (fns && bu_is_kind(fns, YN_MAP, "functions"))
            for (size_t i = 0; i < fns->n_pairs; i++)
                build_function(b, fns->pairs[i].key->text, fns->pairs[i].key, fns->pairs[i].value, true);
    }
}

static void read_extensions(Build *b, const YNode *map)
{
    static const char *const keys[] = {"schema", "optional", "types", "doc", "lint", NULL};
    if (!map || !bu_is_kind(map, YN_MAP, "extensions"))
        return;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key, *v = map->pairs[i].value;
        const HqExtension *old = model_find_extension(b->m, k->text);
        if (old) {
            diag_error(&k->loc, "extension \"%s\" is already declared", k->text);
            diag_note(&old->loc, "first declared here");
            continue;
        }
        HqExtension *x = arena_alloc(b->a, sizeof *x);
        x->name = k->text;
        x->loc = k->loc;
        x->module = b->mod;
        vec_push(b->a, &b->m->extensions, x);
        vec_push(b->a, &b->mod->extensions, x);
        if (v->is_null || !bu_keys(v, "extension", keys))
            continue;
        x->schema = bu_str(b, yaml_get(v, "schema"), "schema");
        x->optional = bu_bool(yaml_get(v, "optional"), "optional", false);
        x->types = bu_str_list(b, yaml_get(v, "types"), "types", &x->n_types);
        x->doc = bu_str(b, yaml_get(v, "doc"), "doc");
        x->lint = bu_lint(b, v, arena_printf(b->a, "extension %s", x->name), NULL, x);
    }
}

static void read_schema_grants(Build *b, const YNode *list, HqVec *out, bool defaults)
{
    static const char *const gkeys[] = {"schema", "privileges", "to", NULL};
    static const char *const dkeys[] = {"schema", "on", "privileges", "to", NULL};
    static const char *const ons[] = {"tables", "functions", "sequences", NULL};
    const char *what = defaults ? "default_privileges" : "schema_grants";
    if (!list || !bu_is_kind(list, YN_SEQ, what))
        return;
    for (size_t i = 0; i < list->n_items; i++) {
        const YNode *g = list->items[i];
        if (!bu_keys(g, what, defaults ? dkeys : gkeys) || !bu_require(g, "privileges", what) ||
            !bu_require(g, "to", what) || (defaults && !bu_require(g, "on", what)))
            continue;
        HqSchemaGrant *sg = arena_alloc(b->a, sizeof *sg);
        sg->loc = g->loc;
        sg->module = b->mod;
        sg->schema = yaml_get(g, "schema") ? bu_str(b, yaml_get(g, "schema"), "schema") : b->m->project.schema;
        sg->privileges = bu_str_list(b, yaml_get(g, "privileges"), "privileges", &sg->n_privileges);
        sg->roles = bu_str_list(b, yaml_get(g, "to"), "to", &sg->n_roles);
        if (defaults)
            sg->on = ons[bu_choice(yaml_get(g, "on"), "on", ons, 0)];
        vec_push(b->a, out, sg);
    }
}

static HqEnumValue *read_enum_value(Build *b, const YNode *item)
{
    HqEnumValue *v = arena_alloc(b->a, sizeof *v);
    v->module = b->mod;
    v->loc = item->loc;
    if (item->kind == YN_SCALAR) {
        v->name = item->text;
    } else if (item->kind == YN_MAP && item->n_pairs == 1) {
        v->name = item->pairs[0].key->text;
        v->doc = bu_str(b, item->pairs[0].value, "value description");
    } else {
        diag_error(&item->loc, "an enum value is a name or { name: description }");
        return NULL;
    }
    return v;
}

static void add_enum_values(Build *b, HqEnum *e, HqEnumDelta *ed, const YNode *list)
{
    if (!list || !bu_is_kind(list, YN_SEQ, "enum values"))
        return;
    for (size_t i = 0; i < list->n_items; i++) {
        HqEnumValue *v = read_enum_value(b, list->items[i]);
        if (!v)
            continue;
        HqEnumValue *old = vecindex_find(b->a, &e->value_index, &e->values, offsetof(HqEnumValue, name), v->name);
        if (old) {
            if (ed->creates) {
                diag_error(&v->loc, "duplicate value \"%s\" in enum \"%s\"", v->name, e->name);
                diag_note(&old->loc, "first defined here");
            }
            /* Re-adding an existing value in a later module is a no-op,
             * as ALTER TYPE ... ADD VALUE IF NOT EXISTS is. */
            continue;
        }
        vec_push(b->a, &e->values, v);
        vec_push(b->a, &ed->values, v);
    }
}

static void read_enums(Build *b, const YNode *map, bool extend)
{
    static const char *const keys[] = {"doc", "values", NULL};
    if (!map || !bu_is_kind(map, YN_MAP, extend ? "extend_enums" : "enums"))
        return;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key, *v = map->pairs[i].value;
        HqEnum *e = model_find_enum(b->m, k->text);
        HqEnumDelta *ed = arena_alloc(b->a, sizeof *ed);
        ed->loc = k->loc;
        if (extend) {
            if (!e) {
                HqVec cands = {0};
                for (size_t n = 0; n < b->m->enums.n; n++)
                    vec_push(b->a, &cands, (void *)((HqEnum *)b->m->enums.items[n])->name);
                const char *hint = diag_suggest(k->text, (const char *const *)cands.items, cands.n);
                diag_error(&k->loc, "extend_enums: unknown enum \"%s\"%s%s%s", k->text, hint ? " (did you mean \"" : "",
                           hint ? hint : "", hint ? "\"?)" : "");
                continue;
            }
            ed->enm = e;
            add_enum_values(b, e, ed, v);
        } else {
            if (e) {
                diag_error(&k->loc, "enum \"%s\" is already defined", k->text);
                diag_note(&e->loc, "first defined here");
                continue;
            }
            e = arena_alloc(b->a, sizeof *e);
            e->name = k->text;
            e->qname = arena_printf(b->a, "%s.%s", b->m->project.schema, e->name);
            e->loc = k->loc;
            e->module = b->mod;
            ed->enm = e;
            ed->creates = true;
            vec_push(b->a, &b->m->enums, e);
            if (bu_keys(v, "enum", keys) && bu_require(v, "values", "enum")) {
                e->doc = bu_str(b, yaml_get(v, "doc"), "doc");
                add_enum_values(b, e, ed, yaml_get(v, "values"));
                if (!e->values.n)
                    diag_error(&k->loc, "enum \"%s\" has no values", e->name);
            }
        }
        vec_push(b->a, &b->mod->enums, ed);
    }
}

static void read_cron(Build *b, const YNode *map)
{
    static const char *const keys[] = {"schedule", "command", "doc", NULL};
    if (!map || !bu_is_kind(map, YN_MAP, "cron_jobs"))
        return;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key, *v = map->pairs[i].value;
        if (!bu_keys(v, "cron job", keys) || !bu_require(v, "schedule", "cron job") || !bu_require(v, "command", "cron job"))
            continue;
        HqCronJob *j = arena_alloc(b->a, sizeof *j);
        j->name = k->text;
        j->loc = k->loc;
        j->module = b->mod;
        j->schedule = bu_str(b, yaml_get(v, "schedule"), "schedule");
        j->command = bu_sql(b, yaml_get(v, "command"), "command");
        j->doc = bu_str(b, yaml_get(v, "doc"), "doc");
        const HqCronJob *dup =
            vecindex_find(b->a, &b->m->index->cron_jobs, &b->m->cron_jobs, offsetof(HqCronJob, name), j->name);
        if (dup) {
            diag_error(&k->loc, "duplicate cron job \"%s\"", j->name);
            diag_note(&dup->loc, "first defined here");
        }
        vec_push(b->a, &b->m->cron_jobs, j);
        vec_push(b->a, &b->mod->cron_jobs, j);
    }
}

static void read_buckets(Build *b, const YNode *map)
{
    static const char *const keys[] = {"name", "public", "lint", NULL};
    if (!map || !bu_is_kind(map, YN_MAP, "storage_buckets"))
        return;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key, *v = map->pairs[i].value;
        HqBucket *bk = arena_alloc(b->a, sizeof *bk);
        bk->id = k->text;
        bk->name = k->text;
        bk->loc = k->loc;
        bk->module = b->mod;
        if (bu_keys(v, "storage bucket", keys)) {
            if (yaml_get(v, "name"))
                bk->name = bu_str(b, yaml_get(v, "name"), "name");
            bk->is_public = bu_bool(yaml_get(v, "public"), "public", false);
            bk->lint = bu_lint(b, v, arena_printf(b->a, "storage bucket %s", bk->id), NULL, bk);
        }
        vec_push(b->a, &b->m->buckets, bk);
        vec_push(b->a, &b->mod->buckets, bk);
    }
}

static void read_seeds(Build *b, const YNode *list)
{
    static const char *const keys[] = {"table", "on_conflict", "rows", "doc", NULL};
    if (!list || !bu_is_kind(list, YN_SEQ, "seeds"))
        return;
    for (size_t i = 0; i < list->n_items; i++) {
        const YNode *s = list->items[i];
        if (!bu_keys(s, "seed", keys) || !bu_require(s, "table", "seed") || !bu_require(s, "rows", "seed"))
            continue;
        HqSeed *sd = arena_alloc(b->a, sizeof *sd);
        sd->loc = s->loc;
        sd->module = b->mod;
        sd->table_name = bu_str(b, yaml_get(s, "table"), "table");
        sd->conflict = bu_str_list(b, yaml_get(s, "on_conflict"), "on_conflict", &sd->n_conflict);
        const YNode *rows = yaml_get(s, "rows");
        if (bu_is_kind(rows, YN_SEQ, "rows")) {
            sd->n_rows = rows->n_items;
            sd->rows = arena_alloc(b->a, (rows->n_items + 1) * sizeof *sd->rows);
            for (size_t r = 0; r < rows->n_items; r++) {
                const YNode *row = rows->items[r];
                sd->rows[r].loc = row->loc;
                if (!bu_is_kind(row, YN_MAP, "seed row"))
                    continue;
                sd->rows[r].n_values = row->n_pairs;
                sd->rows[r].values = arena_alloc(b->a, (row->n_pairs + 1) * sizeof(HqSeedValue));
                for (size_t c = 0; c < row->n_pairs; c++) {
                    sd->rows[r].values[c].column = row->pairs[c].key->text;
                    sd->rows[r].values[c].value = row->pairs[c].value;
                }
            }
        }
        vec_push(b->a, &b->m->seeds, sd);
        vec_push(b->a, &b->mod->seeds, sd);
    }
}

static void read_module_misc(Build *b, const YNode *root)
{
    static const char *const step_keys[] = {"doc", "sql", "when", NULL};
    static const char *const raw_keys[] = {"doc", "sql", NULL};
    static const char *const ver_keys[] = {"version", "description", NULL};
    const YNode *steps = yaml_get(root, "data_steps");
    if (steps && bu_is_kind(steps, YN_MAP, "data_steps"))
        for (size_t i = 0; i < steps->n_pairs; i++) {
            const YNode *v = steps->pairs[i].value;
            if (!bu_keys(v, "data step", step_keys) || !bu_require(v, "sql", "data step"))
                continue;
            HqDataStep *ds = arena_alloc(b->a, sizeof *ds);
            ds->name = steps->pairs[i].key->text;
            ds->loc = steps->pairs[i].key->loc;
            ds->module = b->mod;
            ds->doc = bu_str(b, yaml_get(v, "doc"), "doc");
            ds->sql = bu_sql(b, yaml_get(v, "sql"), "sql");
            if (yaml_get(v, "when"))
                ds->when = bu_sql(b, yaml_get(v, "when"), "when");
            vec_push(b->a, &b->m->data_steps, ds);
            vec_push(b->a, &b->mod->data_steps, ds);
        }
    const YNode *vers = yaml_get(root, "schema_versions");
    if (vers && bu_is_kind(vers, YN_SEQ, "schema_versions"))
        for (size_t i = 0; i < vers->n_items; i++) {
            const YNode *v = vers->items[i];
            if (!bu_keys(v, "schema version", ver_keys) || !bu_require(v, "version", "schema version"))
                continue;
            HqSchemaVersion *sv = arena_alloc(b->a, sizeof *sv);
            sv->loc = v->loc;
            sv->module = b->mod;
            sv->version = bu_long(yaml_get(v, "version"), "version", 0);
            sv->description = bu_str(b, yaml_get(v, "description"), "description");
            vec_push(b->a, &b->m->schema_versions, sv);
            vec_push(b->a, &b->mod->schema_versions, sv);
        }
    const YNode *raw = yaml_get(root, "raw_sql");
    if (raw && bu_is_kind(raw, YN_SEQ, "raw_sql"))
        for (size_t i = 0; i < raw->n_items; i++) {
            const YNode *v = raw->items[i];
            if (!bu_keys(v, "raw SQL block", raw_keys) || !bu_require(v, "sql", "raw SQL block"))
                continue;
            HqRawBlock *rb = arena_alloc(b->a, sizeof *rb);
            rb->loc = v->loc;
            rb->module = b->mod;
            rb->doc = bu_str(b, yaml_get(v, "doc"), "doc");
            rb->sql = bu_sql(b, yaml_get(v, "sql"), "sql");
            vec_push(b->a, &b->m->raw_blocks, rb);
            vec_push(b->a, &b->mod->raw_blocks, rb);
        }
}

static void read_views(Build *b, const YNode *map)
{
    static const char *const keys[] = {"doc", "query", "security_invoker", "grants", "lint", NULL};
    if (!map || !bu_is_kind(map, YN_MAP, "views"))
        return;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const YNode *k = map->pairs[i].key, *v = map->pairs[i].value;
        if (!bu_keys(v, "view", keys) || !bu_require(v, "query", "view"))
            continue;
        HqView *vw = arena_alloc(b->a, sizeof *vw);
        vw->name = k->text;
        vw->qname = arena_printf(b->a, "%s.%s", b->m->project.schema, vw->name);
        vw->loc = k->loc;
        vw->module = b->mod;
        vw->doc = bu_str(b, yaml_get(v, "doc"), "doc");
        vw->query = bu_sql(b, yaml_get(v, "query"), "query");
        vw->security_invoker = bu_bool(yaml_get(v, "security_invoker"), "security_invoker", false);
        vw->grants = bu_str_list(b, yaml_get(v, "grants"), "grants", &vw->n_grants);
        vw->lint = bu_lint(b, v, arena_printf(b->a, "view %s", vw->name), NULL, vw);
        const HqView *dup = vecindex_find(b->a, &b->m->index->views, &b->m->views, offsetof(HqView, name), vw->name);
        if (dup) {
            diag_error(&k->loc, "duplicate view \"%s\"", vw->name);
            diag_note(&dup->loc, "first defined here");
        }
        if (model_find_table(b->m, vw->name))
            diag_error(&k->loc, "view \"%s\" has the name of a table", vw->name);
        vec_push(b->a, &b->m->views, vw);
        vec_push(b->a, &b->mod->views, vw);
    }
}

static void each_pair(Build *b, const YNode *map, const char *what,
                      void (*fn)(Build *, const char *, const YNode *, const YNode *))
{
    if (!map || !bu_is_kind(map, YN_MAP, what))
        return;
    for (size_t i = 0; i < map->n_pairs; i++)
        fn(b, map->pairs[i].key->text, map->pairs[i].key, map->pairs[i].value);
}

static void build_function_pair(Build *b, const char *name, const YNode *key, const YNode *body)
{
    build_function(b, name, key, body, false);
}

static void read_module(Build *b, const YNode *root, const char *stem)
{
    HqModule *mod = b->mod;
    if (!bu_keys(root, "module file", module_keys))
        return;
    const YNode *name = yaml_get(root, "module");
    if (!name) {
        diag_error(&root->loc, "module file needs \"module\" (its name, \"%s\")", stem);
    } else if (bu_str(b, name, "module") && strcmp(name->text, stem)) {
        diag_error(&name->loc, "module name \"%s\" does not match its file name \"%s\"", name->text, stem);
    }
    if (bu_require(root, "summary", "module file"))
        mod->summary = bu_str(b, yaml_get(root, "summary"), "summary");
    mod->doc = bu_str(b, yaml_get(root, "doc"), "doc");
    read_extensions(b, yaml_get(root, "extensions"));
    read_schema_grants(b, yaml_get(root, "schema_grants"), &mod->schema_grants, false);
    read_schema_grants(b, yaml_get(root, "default_privileges"), &mod->default_privileges, true);
    read_enums(b, yaml_get(root, "enums"), false);
    read_enums(b, yaml_get(root, "extend_enums"), true);
    each_pair(b, yaml_get(root, "tables"), "tables", build_table);
    each_pair(b, yaml_get(root, "extend_tables"), "extend_tables", build_extend_table);
    each_pair(b, yaml_get(root, "functions"), "functions", build_function_pair);
    read_cron(b, yaml_get(root, "cron_jobs"));
    read_buckets(b, yaml_get(root, "storage_buckets"));
    read_seeds(b, yaml_get(root, "seeds"));
    read_module_misc(b, root);
    read_views(b, yaml_get(root, "views"));
    build_changes(b, yaml_get(root, "changes"));
}

/* An index on a column that needs an optional extension needs it too. */
static void resolve_index_requires(HqArena *a, const HqTable *t, HqIndex *ix)
{
    for (size_t i = 0; i < ix->n_keys && !ix->requires; i++) {
        SqlpRefs refs = {0};
        SqlpIndexElem el;
        SqlpError err;
        if (!ix->keys[i].text || !sqlp_parse_index_elem(a, ix->keys[i].text, &el, &refs, &err))
            continue;
        if (el.column) {
            SqlpName *n = arena_alloc(a, sizeof *n);
            n->name = el.column;
            vec_push(a, &refs.columns, n);
        }
        for (size_t k = 0; k < refs.columns.n && !ix->requires; k++) {
            const HqColumn *c = model_find_column(t, ((SqlpName *)refs.columns.items[k])->name);
            if (c && c->requires)
                ix->requires = c->requires;
        }
    }
}

/* Link names to objects for later stages: foreign-key targets, seed
 * tables, and the version of a trigger's function visible to its module.
 * Unresolved names stay NULL; check_refs reports them. */
static void resolve(HqModel *m)
{
    for (size_t i = 0; i < m->tables.n + m->platform_tables.n; i++) {
        HqTable *t = i < m->tables.n ? m->tables.items[i] : m->platform_tables.items[i - m->tables.n];
        for (size_t d = 0; d < t->deltas.n; d++) {
            HqTableDelta *delta = t->deltas.items[d];
            for (size_t k = 0; k < delta->constraints.n; k++) {
                HqConstraint *c = delta->constraints.items[k];
                if (c->kind == HQ_CON_FOREIGN && c->ref_table_name)
                    c->ref_table = model_find_table(m, c->ref_table_name);
            }
            for (size_t k = 0; k < delta->indexes.n; k++)
                resolve_index_requires(m->arena, t, delta->indexes.items[k]);
            for (size_t k = 0; k < delta->triggers.n; k++) {
                HqTrigger *tg = delta->triggers.items[k];
                tg->function = model_function_at(m, tg->function_name, tg->module);
            }
        }
    }
    for (size_t i = 0; i < m->seeds.n; i++) {
        HqSeed *s = m->seeds.items[i];
        if (s->table_name)
            s->table = model_find_table(m, s->table_name);
    }
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && !strcmp(s + ls - lx, suffix);
}

int build_model(HqArena *a, const char *dir, HqModel *m)
{
    memset(m, 0, sizeof *m);
    m->arena = a;
    m->project.schema = "public";
    model_index_init(m);
    DIR *d = opendir(dir);
    if (!d) {
        diag_error(NULL, "cannot open schema directory \"%s\": %s", dir, strerror(errno));
        return 2;
    }
    /* Problems of the directory as a whole are reported against its name. */
    HqLoc dir_loc = {diag_add_file(dir), 0, 0};
    HqVec names = {0};
    for (struct dirent *e; (e = readdir(d));)
        if (has_suffix(e->d_name, ".yaml"))
            vec_push(a, &names, arena_strdup(a, e->d_name));
    closedir(d);
    if (names.n)
        qsort(names.items, names.n, sizeof *names.items, cmp_names);

    Build b = {.a = a, .m = m, .index_names = namemap_new(a)};
    bool io_error = false;
    const char *project = NULL, *traits = NULL;
    for (size_t i = 0; i < names.n; i++) {
        const char *n = names.items[i];
        if (!strcmp(n, "_project.yaml"))
            project = n;
        else if (!strcmp(n, "_traits.yaml"))
            traits = n;
        else if (n[0] == '_') {
            HqLoc loc = {diag_add_file(arena_printf(a, "%s/%s", dir, n)), 0, 0};
            diag_error(&loc, "unknown project file (expected _project.yaml or _traits.yaml)");
        }
    }
    if (project) {
        YNode *root = yaml_load_file(a, arena_printf(a, "%s/%s", dir, project), &io_error);
        if (root)
            read_project(&b, root);
    } else {
        diag_error(&dir_loc, "no _project.yaml (it names the project and its settings)");
    }
    if (traits) {
        YNode *root = yaml_load_file(a, arena_printf(a, "%s/%s", dir, traits), &io_error);
        static const char *const keys[] = {"traits", NULL};
        if (root && bu_keys(root, "_traits.yaml", keys)) {
            b.traits = yaml_get(root, "traits");
            if (b.traits && !bu_is_kind(b.traits, YN_MAP, "traits"))
                b.traits = NULL;
        }
    }
    for (size_t i = 0; i < names.n; i++) {
        const char *n = names.items[i];
        if (n[0] == '_')
            continue;
        char *path = arena_printf(a, "%s/%s", dir, n);
        char *stem = arena_strndup(a, n, strlen(n) - 5);
        HqModule *mod = arena_alloc(a, sizeof *mod);
        mod->name = stem;
        mod->path = path;
        mod->index = (int)m->modules.n;
        vec_push(a, &m->modules, mod);
        YNode *root = yaml_load_file(a, path, &io_error);
        if (!root)
            continue;
        mod->loc = root->loc;
        b.mod = mod;
        read_module(&b, root, stem);
    }
    resolve(m);
    if (!m->modules.n && !io_error)
        diag_error(&dir_loc, "no module files (NNN_name.yaml)");
    return io_error ? 2 : 0;
}
