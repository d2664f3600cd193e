/* privileges.c - the privileges of a fresh install, replayed from the model
 * in the order the migrations grant them (see privileges.h). */
#include "model/privileges.h"

#include <stdlib.h>
#include <string.h>

#include "base/sqlbuf.h"

static const struct {
    const char *word;
    unsigned bit;
} priv_words[] = {
    {"select", HQ_PRIV_SELECT},   {"insert", HQ_PRIV_INSERT},         {"update", HQ_PRIV_UPDATE},
    {"delete", HQ_PRIV_DELETE},   {"truncate", HQ_PRIV_TRUNCATE},     {"references", HQ_PRIV_REFERENCES},
    {"trigger", HQ_PRIV_TRIGGER}, {"execute", HQ_PRIV_EXECUTE},       {"usage", HQ_PRIV_USAGE},
    {"create", HQ_PRIV_CREATE},   {"maintain", HQ_PRIV_MAINTAIN},
};

unsigned privileges_parse(const char *word, unsigned all)
{
    if (!strcmp(word, "all") || !strcmp(word, "all privileges"))
        return all;
    for (size_t i = 0; i < sizeof priv_words / sizeof priv_words[0]; i++)
        if (!strcmp(word, priv_words[i].word))
            return priv_words[i].bit & all;
    return 0;
}

const char *privileges_name(unsigned bit)
{
    static const char *const upper[] = {"SELECT",  "INSERT",  "UPDATE", "DELETE", "TRUNCATE",  "REFERENCES",
                                        "TRIGGER", "EXECUTE", "USAGE",  "CREATE", "MAINTAIN"};
    for (size_t i = 0; i < sizeof upper / sizeof upper[0]; i++)
        if (bit == 1u << i)
            return upper[i];
    return "?";
}

/* An ACL being replayed: grants add bits, revokes remove them. As in
 * PostgreSQL, revoking from PUBLIC does not touch what a role was granted. */
typedef struct {
    HqArena *a;
    HqVec entries;          /* HqAclEntry* */
} AclBuild;

static HqAclEntry *entry(AclBuild *b, const char *role)
{
    for (size_t i = 0; i < b->entries.n; i++) {
        HqAclEntry *e = b->entries.items[i];
        if (!strcmp(e->role, role))
            return e;
    }
    HqAclEntry *e = arena_alloc(b->a, sizeof *e);
    e->role = role;
    vec_push(b->a, &b->entries, e);
    return e;
}

static void apply(AclBuild *b, bool revoke, const char *const *privs, size_t n_privs, const char *const *roles,
                  size_t n_roles, unsigned all)
{
    unsigned bits = 0;
    for (size_t i = 0; i < n_privs; i++)
        bits |= privileges_parse(privs[i], all);
    for (size_t i = 0; i < n_roles; i++) {
        HqAclEntry *e = entry(b, roles[i]);
        e->privs = revoke ? e->privs & ~bits : e->privs | bits;
    }
}

static int by_role(const void *x, const void *y)
{
    return strcmp(((const HqAclEntry *)x)->role, ((const HqAclEntry *)y)->role);
}

static void finish(AclBuild *b, HqAcl *out)
{
    out->n = 0;
    out->items = arena_alloc(b->a, (b->entries.n + 1) * sizeof *out->items);
    for (size_t i = 0; i < b->entries.n; i++) {
        const HqAclEntry *e = b->entries.items[i];
        if (e->privs)
            out->items[out->n++] = *e;
    }
    qsort(out->items, out->n, sizeof *out->items, by_role);
}

/* Default privileges of `on` in `schema` declared by modules up to `as_of`. */
static void add_defaults(AclBuild *b, const HqModel *m, const char *schema, const char *on, const HqModule *as_of,
                         unsigned all)
{
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        if (as_of && model_module_after(mod, as_of))
            break;
        for (size_t j = 0; j < mod->default_privileges.n; j++) {
            const HqSchemaGrant *g = mod->default_privileges.items[j];
            if (!strcmp(g->on, on) && !strcmp(g->schema, schema))
                apply(b, false, g->privileges, g->n_privileges, g->roles, g->n_roles, all);
        }
    }
}

static const char *schema_of(const HqModel *m, const char *own)
{
    return own ? own : m->project.schema;
}

void privileges_defaults(const HqModel *m, const char *schema, const char *on, const HqModule *as_of, HqAcl *out)
{
    AclBuild b = {m->arena, {0}};
    unsigned all = !strcmp(on, "functions") ? HQ_PRIVS_FUNCTION : !strcmp(on, "sequences") ? HQ_PRIVS_SEQUENCE : HQ_PRIVS_TABLE;
    add_defaults(&b, m, schema, on, as_of, all);
    finish(&b, out);
}

/* Table or column grants of `t`, in module order; `column` NULL for the
 * table level. A table-level revoke also revokes the column privileges. */
static void replay_table(AclBuild *b, const HqTable *t, const char *column)
{
    for (size_t i = 0; i < t->grants.n; i++) {
        const HqGrant *g = t->grants.items[i];
        bool on_column = false;
        for (size_t j = 0; j < g->n_columns && column; j++)
            on_column |= !strcmp(g->columns[j], column);
        if (column ? (on_column || (g->revoke && !g->n_columns)) : !g->n_columns)
            apply(b, g->revoke, g->privileges, g->n_privileges, g->roles, g->n_roles,
                  column ? HQ_PRIVS_COLUMN : HQ_PRIVS_TABLE);
    }
}

void privileges_of_table(const HqModel *m, const HqTable *t, HqAcl *out)
{
    AclBuild b = {m->arena, {0}};
    if (!t->platform)
        add_defaults(&b, m, schema_of(m, t->schema), "tables", t->module, HQ_PRIVS_TABLE);
    replay_table(&b, t, NULL);
    finish(&b, out);
}

void privileges_of_column(const HqModel *m, const HqTable *t, const char *column, HqAcl *out)
{
    AclBuild b = {m->arena, {0}};
    replay_table(&b, t, column);
    finish(&b, out);
}

void privileges_of_view(const HqModel *m, const HqView *v, HqAcl *out)
{
    AclBuild b = {m->arena, {0}};
    add_defaults(&b, m, m->project.schema, "tables", v->module, HQ_PRIVS_TABLE);
    static const char *const select[] = {"select"};
    apply(&b, false, select, 1, v->grants, v->n_grants, HQ_PRIVS_TABLE);
    finish(&b, out);
}

static bool same_signature(const HqFunction *a, const HqFunction *b)
{
    StrBuf x, y;
    strbuf_init(&x);
    strbuf_init(&y);
    sqlbuf_function_signature(&x, a);
    sqlbuf_function_signature(&y, b);
    bool same = !strcmp(x.data, y.data);
    strbuf_free(&x);
    strbuf_free(&y);
    return same;
}

void privileges_of_function(const HqModel *m, const HqFunction *f, HqAcl *out)
{
    AclBuild b = {m->arena, {0}};
    /* The oldest version with this signature created the ACL. */
    const HqFunction *first = f;
    while (first->previous && same_signature(first->previous, f))
        first = first->previous;
    static const char *const public_role[] = {"public"}, *const execute[] = {"execute"};
    apply(&b, false, execute, 1, public_role, 1, HQ_PRIVS_FUNCTION);
    if (!f->platform)
        add_defaults(&b, m, m->project.schema, "functions", first->module, HQ_PRIVS_FUNCTION);
    /* Replay the versions oldest first: each revokes, then grants. */
    HqVec versions = {0};
    for (const HqFunction *v = f; v; v = v->previous) {
        vec_push(m->arena, &versions, (void *)v);
        if (v == first)
            break;
    }
    for (size_t i = versions.n; i-- > 0;) {
        const HqFunction *v = versions.items[i];
        apply(&b, true, execute, 1, v->revokes, v->n_revokes, HQ_PRIVS_FUNCTION);
        apply(&b, false, execute, 1, v->grants, v->n_grants, HQ_PRIVS_FUNCTION);
    }
    finish(&b, out);
}

void privileges_of_schema(const HqModel *m, const char *schema, HqAcl *out)
{
    AclBuild b = {m->arena, {0}};
    if (!strcmp(schema, "public")) {
        static const char *const public_role[] = {"public"}, *const usage[] = {"usage"};
        apply(&b, false, usage, 1, public_role, 1, HQ_PRIVS_SCHEMA);
    }
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        for (size_t j = 0; j < mod->schema_grants.n; j++) {
            const HqSchemaGrant *g = mod->schema_grants.items[j];
            if (!strcmp(g->schema, schema))
                apply(&b, false, g->privileges, g->n_privileges, g->roles, g->n_roles, HQ_PRIVS_SCHEMA);
        }
    }
    finish(&b, out);
}

unsigned privileges_of_role(const HqAcl *acl, const char *role)
{
    unsigned bits = 0;
    for (size_t i = 0; i < acl->n; i++)
        if (!strcmp(acl->items[i].role, role) || !strcmp(acl->items[i].role, "public"))
            bits |= acl->items[i].privs;
    return bits;
}

bool privileges_role_managed(const HqModel *m, const char *role)
{
    if (!strcmp(role, "public"))
        return true;
    for (size_t i = 0; i < m->project.roles.n; i++)
        if (!strcmp(((const HqRole *)m->project.roles.items[i])->name, role))
            return true;
    return false;
}
