/* emit_c_names.c - the naming plan of the generated C API: every C identifier
 * is decided here, once, before any text is written, together with the SQL ->
 * C type mapping. Scopes are joined with "__" and words with "_" (protobuf-c):
 * table agent_inbox_items -> type Hq__AgentInboxItem, functions
 * hq__agent_inbox_item__insert, field indexes HQ__AGENT_INBOX_ITEM__STATUS.
 * Names never fail: a clash is resolved by a fixed fallback order, so the
 * emitter needs no diagnostics (see claim()). */
#include "emit/c/emit_c_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/sqlbuf.h"

/* ---- identifier shapes -------------------------------------------------- */

static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static char to_upper(char c) { return is_lower(c) ? (char)(c - 'a' + 'A') : c; }

/* Lowercase words joined by single "_": "_schema__version" -> "schema_version".
 * Anything but [a-z0-9] separates words (names are already lowercase). */
static const char *snake(HqArena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n + 1), *o = out;
    bool sep = false;
    for (const char *p = s; *p; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        if (is_lower(c) || is_digit(c)) {
            if (sep && o > out)
                *o++ = '_';
            *o++ = c;
            sep = false;
        } else {
            sep = true;
        }
    }
    *o = '\0';
    return o == out ? "x" : out;
}

static const char *camel(HqArena *a, const char *snake_name)
{
    char *out = arena_strdup(a, snake_name), *o = out;
    bool up = true;
    for (const char *p = snake_name; *p; p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        *o++ = up ? to_upper(*p) : *p;
        up = false;
    }
    *o = '\0';
    return out;
}

static const char *upper(HqArena *a, const char *s)
{
    char *out = arena_strdup(a, s);
    for (char *o = out; *o; o++)
        *o = to_upper(*o);
    return out;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && !memcmp(s + n - k, suffix, k);
}

/* English singular of the last word, for row types: agent_inbox_items ->
 * agent_inbox_item, task_series stays, policies -> policy. */
static const char *singular(HqArena *a, const char *s)
{
    size_t n = strlen(s);
    const char *word = strrchr(s, '_');
    word = word ? word + 1 : s;
    static const char *const keep[] = {"series", "species", "news", "ss", "us", "is"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (ends_with(word, strlen(word), keep[i]))
            return s;
    if (strlen(word) > 3 && ends_with(s, n, "ies"))
        return arena_printf(a, "%.*sy", (int)(n - 3), s);
    static const char *const es[] = {"sses", "shes", "ches", "xes", "zes", "uses"};
    for (size_t i = 0; i < sizeof es / sizeof es[0]; i++)
        if (strlen(word) > strlen(es[i]) && ends_with(s, n, es[i]))
            return arena_strndup(a, s, n - 2);
    if (strlen(word) > 1 && ends_with(s, n, "s"))
        return arena_strndup(a, s, n - 1);
    return s;
}

/* C and C++ keywords, and lowercase macros of the headers generated code
 * includes (and of GNU mode), which a member name must not be. Sorted. */
static const char *const reserved_words[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "assert", "auto", "bitand", "bitor", "bool", "break", "case",
    "catch", "char", "char16_t", "char32_t", "char8_t", "class", "co_await", "co_return", "co_yield", "compl",
    "complex", "concept", "const", "const_cast", "consteval", "constexpr", "constinit", "continue", "decltype",
    "default", "delete", "do", "double", "dynamic_cast", "else", "enum", "errno", "explicit", "export", "extern",
    "false", "float", "for", "friend", "goto", "i386", "if", "imaginary", "inline", "int", "linux", "long",
    "mutable", "namespace", "new", "noexcept", "noreturn", "not", "not_eq", "nullptr", "offsetof", "operator",
    "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires", "restrict",
    "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "stderr", "stdin", "stdout",
    "struct", "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid",
    "typename", "union", "unix", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor",
    "xor_eq",
};

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool reserved(const char *s)
{
    return bsearch(&s, reserved_words, sizeof reserved_words / sizeof reserved_words[0], sizeof reserved_words[0],
                   cmp_str) != NULL;
}

/* A member name: the SQL name (already [a-z_][a-z0-9_]*), "_" appended to a
 * keyword; leading "_" + uppercase cannot occur. A leading "__" is reserved
 * in C, so it becomes "x__". */
static const char *member_name(HqArena *a, const char *name)
{
    if (reserved(name))
        return arena_printf(a, "%s_", name);
    if (name[0] == '_' && name[1] == '_')
        return arena_printf(a, "x%s", name);
    return name;
}

/* ---- uniqueness --------------------------------------------------------- */

typedef struct {
    HqArena *a;
    HqNameMap *names;      /* claimed name -> itself */
} Claims;

static bool taken(const Claims *c, const char *s)
{
    return namemap_get(c->names, s) != NULL;
}

/* The first free candidate, else the last one with a number appended. Kinds
 * claim in a fixed order (enums, tables, functions), each sorted by name, so
 * the outcome is deterministic. */
static const char *claim(Claims *c, const char *const *cands, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!taken(c, cands[i])) {
            namemap_put(c->names, cands[i], (void *)cands[i]);
            return cands[i];
        }
    for (unsigned k = 2;; k++) {
        const char *s = arena_printf(c->a, "%s_%u", cands[n - 1], k);
        if (!taken(c, s)) {
            namemap_put(c->names, s, (void *)s);
            return s;
        }
    }
}

/* Within one record: member names and null flags must not collide. */
static const char *unique_in(HqArena *a, HqVec *used, const char *s)
{
    for (;;) {
        bool clash = false;
        for (size_t i = 0; i < used->n && !clash; i++)
            clash = !strcmp(used->items[i], s);
        if (!clash)
            break;
        s = arena_printf(a, "%s_", s);
    }
    vec_push(a, used, (void *)s);
    return s;
}

/* ---- types -------------------------------------------------------------- */

static const char *qualified(HqArena *a, const char *qname);

static void scalar(CgType *o, const char *hq, const char *c, bool by_ref, const char *note)
{
    o->hq = hq;
    o->member = c;
    o->by_ref = by_ref;
    o->note = note;
    if (by_ref)
        o->param = !strcmp(c, "HqUuid") ? "const HqUuid *" : !strcmp(c, "HqBytes") ? "const HqBytes *" : "const HqVector *";
    else
        o->param = c;
}

static void text_like(CgType *o, const char *hq, const char *note)
{
    o->hq = hq;
    o->member = "char *";
    o->param = "const char *";
    o->string = true;
    o->note = note;
}

static void map_type(const CgPlan *p, const HqType *t, CgType *o)
{
    HqArena *a = p->a;
    memset(o, 0, sizeof *o);
    const char *cast = t->name ? t->name : "text";
    switch (t->kind) {
    case HQ_TYPE_ENUM: {
        const CgEnum *e = cg_enum(p, t->enum_ref);
        scalar(o, "HQ_TYPE_ENUM", "int", false, e ? e->type : NULL);
        o->enm = t->enum_ref;
        o->enum_sym = e ? e->sym : NULL;
        cast = qualified(a, t->enum_ref->qname);
        break;
    }
    case HQ_TYPE_TABLE:
        text_like(o, "HQ_TYPE_TEXT", arena_printf(a, "row literal of %s", t->table_ref->name));
        cast = qualified(a, t->table_ref->qname);
        break;
    case HQ_TYPE_EXTENSION:
        if (!strcmp(t->name, "vector") && t->array_dims == 0)
            scalar(o, "HQ_TYPE_VECTOR", "HqVector", true, NULL);
        else
            text_like(o, "HQ_TYPE_TEXT", arena_printf(a, "text form of %s", t->name));
        cast = qualified(a, t->ext->schema ? arena_printf(a, "%s.%s", t->ext->schema, t->name) : t->name);
        break;
    default: {
        static const struct {
            const char *sql, *hq, *c, *note;
        } builtin[] = {
            {"bool", "HQ_TYPE_BOOL", "bool", NULL},
            {"bpchar", "HQ_TYPE_TEXT", "char *", NULL},
            {"bytea", "HQ_TYPE_BYTEA", "HqBytes", NULL},
            {"citext", "HQ_TYPE_TEXT", "char *", NULL},
            {"date", "HQ_TYPE_DATE", "int32_t", "days since 1970-01-01"},
            {"float4", "HQ_TYPE_FLOAT4", "float", NULL},
            {"float8", "HQ_TYPE_FLOAT8", "double", NULL},
            {"int2", "HQ_TYPE_INT2", "int16_t", NULL},
            {"int4", "HQ_TYPE_INT4", "int32_t", NULL},
            {"int8", "HQ_TYPE_INT8", "int64_t", NULL},
            {"json", "HQ_TYPE_JSON", "char *", "JSON text"},
            {"jsonb", "HQ_TYPE_JSONB", "char *", "JSON text"},
            {"name", "HQ_TYPE_TEXT", "char *", NULL},
            {"numeric", "HQ_TYPE_NUMERIC", "char *", "decimal text"},
            {"text", "HQ_TYPE_TEXT", "char *", NULL},
            {"timestamptz", "HQ_TYPE_TIMESTAMPTZ", "int64_t", "microseconds since 1970-01-01 UTC"},
            {"uuid", "HQ_TYPE_UUID", "HqUuid", NULL},
            {"varchar", "HQ_TYPE_TEXT", "char *", NULL},
        };
        size_t i = 0, n = sizeof builtin / sizeof builtin[0];
        while (i < n && (!t->name || strcmp(builtin[i].sql, t->name)))
            i++;
        if (i == n)
            text_like(o, "HQ_TYPE_TEXT", arena_printf(a, "text form of %s", t->name ? t->name : "?"));
        else if (!strcmp(builtin[i].c, "char *"))
            text_like(o, builtin[i].hq, builtin[i].note);
        else
            scalar(o, builtin[i].hq, builtin[i].c, !strcmp(builtin[i].c, "HqUuid") || !strcmp(builtin[i].c, "HqBytes"),
                   builtin[i].note);
    }
    }
    if (t->array_dims == 1 && strcmp(o->hq, "HQ_TYPE_VECTOR")) {
        o->note = o->enm ? arena_printf(a, "items: int (%s)", cg_enum(p, o->enm)->type)
                         : arena_printf(a, "items: %s", o->member);
        o->array = true;
        o->member = "HqArray";
        o->param = "const HqArray *";
        o->by_ref = true;
        o->string = false;
    } else if (t->array_dims > 0) {
        /* Multidimensional arrays (and arrays of vectors) travel as text. */
        o->enm = NULL;
        o->enum_sym = NULL;
        text_like(o, "HQ_TYPE_TEXT", "array literal");
    }
    o->cast = cast;
    for (int i = 0; i < t->array_dims; i++)
        o->cast = arena_printf(a, "%s[]", o->cast);
}

/* ---- records ------------------------------------------------------------ */

static const char *quoted(HqArena *a, const char *name)
{
    StrBuf b;
    strbuf_init(&b);
    sqlbuf_ident(&b, name);
    const char *s = arena_strdup(a, b.data);
    strbuf_free(&b);
    return s;
}

static const char *qualified(HqArena *a, const char *qname)
{
    StrBuf b;
    strbuf_init(&b);
    sqlbuf_qualified(&b, qname);
    const char *s = arena_strdup(a, b.data);
    strbuf_free(&b);
    return s;
}

/* Member and index constant of a field; `used` holds the record's names. A
 * nullable field gets its flag from name_flags, once every member is named. */
static void name_field(const CgPlan *p, CgField *f, const char *sql_name, bool nullable, const char *up_scope,
                       HqVec *used)
{
    f->sql_raw = sql_name;
    f->sql = quoted(p->a, sql_name);
    f->member = unique_in(p->a, used, member_name(p->a, sql_name));
    f->null_member = nullable ? "" : NULL;
    f->index = up_scope ? arena_printf(p->a, "%s__%s", up_scope, upper(p->a, sql_name)) : NULL;
}

/* The null flags "<member>_is_null": a column that is really called that
 * keeps its name, and the flag gets a "_" more. */
static void name_flags(const CgPlan *p, CgField *fields, size_t n, HqVec *used)
{
    for (size_t i = 0; i < n; i++)
        if (fields[i].null_member && !fields[i].null_member[0])
            fields[i].null_member = unique_in(p->a, used, arena_printf(p->a, "%s_is_null", fields[i].member));
}

static const char *field_comment(HqArena *a, const HqType *t, const CgField *f)
{
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, t->sql ? t->sql : t->written ? t->written : "?");
    if (f->primary_key)
        strbuf_puts(&b, ", primary key");
    if (f->generated)
        strbuf_puts(&b, ", generated");
    else if (f->has_default)
        strbuf_puts(&b, ", default");
    if (f->requires)
        strbuf_printf(&b, ", needs %s", f->requires->name);
    if (f->ty.note)
        strbuf_printf(&b, "; %s", f->ty.note);
    const char *s = cg_comment(a, b.data);
    strbuf_free(&b);
    return s;
}

static bool plain_column(const CgTable *t, const char *key, size_t *index)
{
    for (size_t i = 0; i < t->n_fields; i++)
        if (!strcmp(t->fields[i].sql_raw, key)) {
            *index = i;
            return true;
        }
    return false;
}

static bool same_key(const CgKey *k, const size_t *fields, size_t n, const char *pred)
{
    if (k->n_fields != n || (k->predicate == NULL) != (pred == NULL) || (pred && strcmp(pred, k->predicate)))
        return false;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = k->fields[j] == fields[i];
        if (!found)
            return false;
    }
    return true;
}

/* Adds a unique key unless an equal one (same column set and predicate) is
 * already there. The upsert wrapper is named after the key's columns. */
static void add_key(const CgPlan *p, const CgTable *t, HqVec *keys, const char *name, const size_t *fields, size_t n,
                    const char *pred)
{
    for (size_t i = 0; i < keys->n; i++)
        if (same_key(keys->items[i], fields, n, pred))
            return;
    CgKey *k = arena_alloc(p->a, sizeof *k);
    k->name = name;
    k->n_fields = n;
    k->fields = arena_alloc(p->a, n * sizeof *k->fields);
    memcpy(k->fields, fields, n * sizeof *fields);
    k->predicate = pred;
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, "_by");
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&b, "%s%s", i ? "_and_" : "_", snake(p->a, t->fields[fields[i]].sql_raw));
    const char *base = arena_strdup(p->a, b.data);
    strbuf_free(&b);
    k->suffix = keys->n == 0 ? "" : base; /* keys->items[0] is the primary key */
    for (unsigned dup = 2;; dup++) {
        bool clash = false;
        for (size_t i = 0; i < keys->n && !clash; i++)
            clash = !strcmp(((CgKey *)keys->items[i])->suffix, k->suffix);
        if (!clash)
            break;
        k->suffix = arena_printf(p->a, "%s_%u", base, dup);
    }
    vec_push(p->a, keys, k);
}

static void plan_table(const CgPlan *p, CgTable *t)
{
    HqArena *a = p->a;
    const HqTable *ht = t->t;
    t->type = arena_printf(a, "%s__%s", p->camel, camel(a, t->base));
    t->sym = arena_printf(a, "%s__%s", p->lo, t->base);
    t->up = arena_printf(a, "%s__%s", p->up, upper(a, t->base));
    t->sql = qualified(a, ht->qname);
    t->n_fields = ht->columns.n;
    t->fields = arena_alloc(a, (t->n_fields + 1) * sizeof *t->fields);
    HqVec used = {0};
    for (size_t i = 0; i < t->n_fields; i++) {
        const HqColumn *col = ht->columns.items[i];
        CgField *f = &t->fields[i];
        bool pk = false;
        for (size_t k = 0; ht->primary_key && k < ht->primary_key->n_columns; k++)
            pk |= !strcmp(ht->primary_key->columns[k], col->name);
        f->primary_key = pk;
        f->generated = col->generated.text != NULL || col->identity == HQ_IDENTITY_ALWAYS;
        f->has_default = !f->generated && (col->final_default.text != NULL || col->identity != HQ_IDENTITY_NONE);
        f->requires = col->requires && col->requires->optional ? col->requires : NULL;
        if (f->requires)
            t->optional_ext = f->requires;
        map_type(p, &col->type, &f->ty);
        name_field(p, f, col->name, !col->final_not_null && !pk, t->up, &used);
        f->comment = field_comment(a, &col->type, f);
    }
    name_flags(p, t->fields, t->n_fields, &used);
    /* keys[0] is the primary key (or a placeholder when there is none), so
     * that a unique key on the same columns is not offered twice. */
    size_t *idx = arena_alloc(a, (t->n_fields + 1) * sizeof *idx);
    HqVec keys = {0};
    const HqConstraint *pk = ht->primary_key;
    bool pk_ok = pk && pk->n_columns > 0;
    for (size_t k = 0; pk_ok && k < pk->n_columns; k++)
        pk_ok = plain_column(t, pk->columns[k], &idx[k]);
    if (pk_ok) {
        add_key(p, t, &keys, pk->name, idx, pk->n_columns, NULL);
        t->pk = keys.items[0];
    } else {
        CgKey *none = arena_alloc(a, sizeof *none);
        none->suffix = "";
        vec_push(a, &keys, none);
    }
    for (size_t i = 0; i < ht->constraints.n; i++) {
        const HqConstraint *c = ht->constraints.items[i];
        bool ok = c->kind == HQ_CON_UNIQUE && c->n_columns > 0;
        for (size_t k = 0; ok && k < c->n_columns; k++)
            ok = plain_column(t, c->columns[k], &idx[k]);
        if (ok)
            add_key(p, t, &keys, c->name, idx, c->n_columns, NULL);
    }
    for (size_t i = 0; i < ht->indexes.n; i++) {
        const HqIndex *x = ht->indexes.items[i];
        bool ok = x->unique && x->n_keys > 0 && !(x->requires && x->requires->optional);
        for (size_t k = 0; ok && k < x->n_keys; k++)
            ok = x->keys[k].text && plain_column(t, x->keys[k].text, &idx[k]);
        if (ok)
            add_key(p, t, &keys, x->name, idx, x->n_keys, x->where.text);
    }
    t->n_unique = keys.n - 1;
    t->unique = arena_alloc(a, keys.n * sizeof *t->unique);
    for (size_t i = 1; i < keys.n; i++)
        t->unique[i - 1] = *(CgKey *)keys.items[i];
}

static void plan_func(const CgPlan *p, CgFunc *cf)
{
    HqArena *a = p->a;
    const HqFunction *f = cf->f;
    cf->type = arena_printf(a, "%s__%s", p->camel, camel(a, cf->sym + strlen(p->lo) + 2));
    cf->up = upper(a, cf->sym);
    cf->sql = qualified(a, f->qname);
    cf->args = arena_alloc(a, (f->n_args + 1) * sizeof *cf->args);
    cf->out = arena_alloc(a, (f->n_args + f->n_out + 1) * sizeof *cf->out);
    HqVec used_in = {0}, used_out = {0};
    for (size_t i = 0; i < f->n_args; i++) {
        const HqArg *arg = &f->args[i];
        if (arg->mode == HQ_ARG_OUT || arg->mode == HQ_ARG_INOUT) {
            CgField *o = &cf->out[cf->n_out++];
            map_type(p, &arg->type, &o->ty);
            name_field(p, o, arg->name, true, NULL, &used_out);
            o->comment = field_comment(a, &arg->type, o);
        }
        if (arg->mode == HQ_ARG_OUT)
            continue;
        CgField *in = &cf->args[cf->n_args++];
        in->has_default = arg->default_sql.text != NULL;
        cf->has_defaults |= in->has_default;
        map_type(p, &arg->type, &in->ty);
        name_field(p, in, arg->name, true, cf->up, &used_in);
        in->comment = field_comment(a, &arg->type, in);
        if (in->has_default)
            in->comment = cg_comment(a, arena_printf(a, "%s; omit for DEFAULT %s", in->comment, arg->default_sql.text));
    }
    name_flags(p, cf->args, cf->n_args, &used_in);
    bool setof = f->ret_kind == HQ_RET_SETOF || f->ret_kind == HQ_RET_TABLE;
    if (cf->n_out > 0) {
        cf->ret = setof ? CG_RET_SETOF : CG_RET_ROW;
    } else if (f->ret_kind == HQ_RET_TABLE) {
        cf->ret = CG_RET_SETOF;
        for (size_t i = 0; i < f->n_out; i++) {
            CgField *o = &cf->out[cf->n_out++];
            map_type(p, &f->out[i].type, &o->ty);
            name_field(p, o, f->out[i].name, true, NULL, &used_out);
            o->comment = field_comment(a, &f->out[i].type, o);
        }
    } else if (f->ret_kind == HQ_RET_VOID || f->ret_type.kind == HQ_TYPE_VOID) {
        cf->ret = CG_RET_VOID;
    } else if (f->ret_type.kind == HQ_TYPE_TABLE && f->ret_type.array_dims == 0 && cg_table(p, f->ret_type.table_ref)) {
        cf->ret = setof ? CG_RET_SETOF : CG_RET_ROW;
        cf->row_table = cg_table(p, f->ret_type.table_ref);
    } else {
        /* One value per row: the result column is named after the function. */
        cf->ret = setof ? CG_RET_SETOF : CG_RET_SCALAR;
        CgField *o = &cf->out[cf->n_out++];
        map_type(p, &f->ret_type, &o->ty);
        o->sql_raw = f->name;
        o->sql = quoted(a, f->name);
        o->member = "value";
        o->null_member = "value_is_null";
        o->comment = field_comment(a, &f->ret_type, o);
    }
    name_flags(p, cf->out, cf->n_out, &used_out);
    if (cf->row_table) {
        cf->row_type = cf->row_table->type;
        cf->row_sym = cf->row_table->sym;
    } else if (cf->ret == CG_RET_ROW || cf->ret == CG_RET_SETOF) {
        cf->row_type = arena_printf(a, "%s__Row", cf->type);
        cf->row_sym = cf->sym;
    }
    if (cf->row_type)
        cf->row_fn = arena_printf(a, "%s__RowFn", cf->row_table ? cf->row_table->type : cf->type);
}

/* ---- the plan ----------------------------------------------------------- */

/* By qualified name, which is unique per kind: the orders are total. */
static int by_enum_name(const void *x, const void *y)
{
    return strcmp(((const CgEnum *)x)->e->qname, ((const CgEnum *)y)->e->qname);
}
static int by_table_name(const void *x, const void *y)
{
    return strcmp(((const CgTable *)x)->t->qname, ((const CgTable *)y)->t->qname);
}
static int by_func_name(const void *x, const void *y)
{
    return strcmp(((const CgFunc *)x)->f->qname, ((const CgFunc *)y)->f->qname);
}

void cg_plan(const HqModel *m, CgPlan *p)
{
    memset(p, 0, sizeof *p);
    HqArena *a = p->a = m->arena;
    p->m = m;
    p->lo = snake(a, m->project.name ? m->project.name : "hq");
    p->camel = camel(a, p->lo);
    p->up = upper(a, p->lo);
    p->file = arena_printf(a, "%s_schema", p->lo);
    Claims c = {a, namemap_new(a)};
    /* Schema-level names the generated code already uses. */
    namemap_put(c.names, "schema", "schema");
    namemap_put(c.names, "check_schema", "check_schema");

    p->enums = arena_alloc(a, (m->enums.n + 1) * sizeof *p->enums);
    for (size_t i = 0; i < m->enums.n; i++)
        p->enums[p->n_enums++].e = m->enums.items[i];
    qsort(p->enums, p->n_enums, sizeof *p->enums, by_enum_name);
    for (size_t i = 0; i < p->n_enums; i++) {
        CgEnum *e = &p->enums[i];
        const char *base = snake(a, e->e->name);
        const char *cands[] = {base, arena_printf(a, "%s_enum", base)};
        base = claim(&c, cands, 2);
        e->type = arena_printf(a, "%s__%s", p->camel, camel(a, base));
        e->sym = arena_printf(a, "%s__%s", p->lo, base);
        e->n_labels = e->e->values.n;
        e->consts = arena_alloc(a, (e->n_labels + 1) * sizeof *e->consts);
        HqVec used = {0};
        for (size_t k = 0; k < e->n_labels; k++) {
            const char *label = upper(a, snake(a, ((HqEnumValue *)e->e->values.items[k])->name));
            const char *s = arena_printf(a, "%s__%s__%s", p->up, upper(a, base), label);
            e->consts[k] = unique_in(a, &used, s);
        }
    }

    p->tables = arena_alloc(a, (m->tables.n + 1) * sizeof *p->tables);
    for (size_t i = 0; i < m->tables.n; i++) /* a struct needs a member: skip a table without columns */
        if (((HqTable *)m->tables.items[i])->columns.n > 0)
            p->tables[p->n_tables++].t = m->tables.items[i];
    qsort(p->tables, p->n_tables, sizeof *p->tables, by_table_name);
    for (size_t i = 0; i < p->n_tables; i++) {
        const char *plural = snake(a, p->tables[i].t->name);
        const char *cands[] = {singular(a, plural), plural, arena_printf(a, "%s_table", plural)};
        p->tables[i].base = claim(&c, cands, 3);
    }

    p->funcs = arena_alloc(a, (m->functions.n + 1) * sizeof *p->funcs);
    for (size_t i = 0; i < m->functions.n; i++) {
        const HqFunction *f = m->functions.items[i];
        if (f->ret_kind != HQ_RET_TRIGGER && f->ret_type.kind != HQ_TYPE_TRIGGER && !f->platform)
            p->funcs[p->n_funcs++].f = f;
    }
    qsort(p->funcs, p->n_funcs, sizeof *p->funcs, by_func_name);
    for (size_t i = 0; i < p->n_funcs; i++) {
        const char *base = snake(a, p->funcs[i].f->name);
        const char *cands[] = {base, arena_printf(a, "%s_fn", base)};
        p->funcs[i].sym = arena_printf(a, "%s__%s", p->lo, claim(&c, cands, 2));
    }
    /* Types first: functions refer to enums and tables. */
    for (size_t i = 0; i < p->n_tables; i++)
        plan_table(p, &p->tables[i]);
    for (size_t i = 0; i < p->n_funcs; i++)
        plan_func(p, &p->funcs[i]);
}

const CgEnum *cg_enum(const CgPlan *p, const HqEnum *e)
{
    for (size_t i = 0; i < p->n_enums; i++)
        if (p->enums[i].e == e)
            return &p->enums[i];
    return NULL;
}

const CgTable *cg_table(const CgPlan *p, const HqTable *t)
{
    for (size_t i = 0; i < p->n_tables; i++)
        if (p->tables[i].t == t)
            return &p->tables[i];
    return NULL;
}

/* ---- text helpers ------------------------------------------------------- */

void cg_cstr(StrBuf *b, const char *s)
{
    strbuf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            strbuf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            strbuf_puts(b, "\\n");
        else if (*p == '\t')
            strbuf_puts(b, "\\t");
        else if (*p == '?' && p[1] == '?')
            strbuf_puts(b, "?\\"); /* no trigraphs: "??=" becomes "?\?=" */
        else if (*p < 0x20 || *p >= 0x7f)
            strbuf_printf(b, "\\%03o", *p);
        else
            strbuf_putc(b, (char)*p);
    }
    strbuf_putc(b, '"');
}

const char *cg_comment(HqArena *a, const char *s)
{
    char *out = arena_strdup(a, s ? s : "");
    for (char *o = out; *o; o++) {
        if (*o == '\n' || *o == '\r' || *o == '\t')
            *o = ' ';
        if (o[0] == '*' && o[1] == '/')
            o[1] = '.';
        if (o[0] == '/' && o[1] == '*')
            o[0] = '.';
    }
    /* Trailing spaces would end up in the output. */
    for (size_t n = strlen(out); n && out[n - 1] == ' ';)
        out[--n] = '\0';
    return out;
}

void cg_flags(StrBuf *b, const CgField *f)
{
    size_t start = b->len;
    const char *sep = "";
#define FLAG(cond, name)                                                                                               \
    if (cond) {                                                                                                        \
        strbuf_printf(b, "%s%s", sep, name);                                                                           \
        sep = " | ";                                                                                                   \
    }
    FLAG(f->null_member, "HQ_FIELD_NULLABLE")
    FLAG(f->ty.array, "HQ_FIELD_ARRAY")
    FLAG(f->primary_key, "HQ_FIELD_PRIMARY_KEY")
    FLAG(f->has_default, "HQ_FIELD_HAS_DEFAULT")
    FLAG(f->generated, "HQ_FIELD_GENERATED")
#undef FLAG
    if (b->len == start)
        strbuf_putc(b, '0');
}

void cg_member(StrBuf *b, const char *type, const char *name, const char *comment)
{
    size_t start = b->len;
    size_t tl = strlen(type);
    strbuf_printf(b, "    %s%s%s;", type, tl && type[tl - 1] == '*' ? "" : " ", name);
    if (comment && *comment) {
        size_t col = b->len - start;
        for (; col < 40; col++)
            strbuf_putc(b, ' ');
        strbuf_printf(b, " /* %s */", comment);
    }
    strbuf_putc(b, '\n');
}
