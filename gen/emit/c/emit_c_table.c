/* emit_c_table.c - the C API of one table: its row struct, field index
 * constants, descriptors (HqField array, HqRecordDesc, keys, HqTableDesc) and
 * the thin insert/get/update/delete/upsert/list/clear wrappers around the
 * runtime's descriptor-driven calls. Declarations go to the header, the rest
 * to the source file. */
#include "emit/c/emit_c_int.h"

#include <stdio.h>
#include <string.h>

/* Names the wrappers use for their own parameters and locals; a key
 * parameter named like one of them gets a "_" appended. */
static const char *param_name(HqArena *a, const char *member)
{
    static const char *const fixed[] = {"c", "cl", "cols", "ctx", "err", "fn", "key", "n_deleted", "opt", "out", "row"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcmp(fixed[i], member))
            return arena_printf(a, "%s_", member);
    return member;
}

void cg_emit_fields(StrBuf *c, const char *array, const char *type, const CgField *fields, size_t n, bool casts)
{
    strbuf_printf(c, "static const HqField %s[] = {\n", array);
    for (size_t i = 0; i < n; i++) {
        const CgField *f = &fields[i];
        strbuf_puts(c, "    {");
        cg_cstr(c, f->sql);
        strbuf_printf(c, ", %s, ", f->ty.hq);
        cg_flags(c, f);
        strbuf_printf(c, ",\n     offsetof(%s, %s), ", type, f->member);
        if (f->null_member)
            strbuf_printf(c, "offsetof(%s, %s)", type, f->null_member);
        else
            strbuf_putc(c, '0');
        strbuf_puts(c, ", ");
        /* The enum descriptor is defined above (enums come first). */
        if (f->ty.enum_sym)
            strbuf_printf(c, "&%s__enum", f->ty.enum_sym);
        else
            strbuf_puts(c, "NULL");
        strbuf_puts(c, ", ");
        if (casts && f->ty.cast)
            cg_cstr(c, f->ty.cast);
        else
            strbuf_puts(c, "NULL");
        strbuf_puts(c, "},\n");
    }
    strbuf_puts(c, "};\n");
}

void cg_emit_trampoline(StrBuf *c, const char *row_type, const char *row_sym)
{
    const char *scope = row_type;
    size_t n = strlen(row_type);
    /* Row types of functions are "<scope>__Row"; their callback and closure live in <scope>. */
    char buf[512];
    if (n > 5 && !strcmp(row_type + n - 5, "__Row")) {
        snprintf(buf, sizeof buf, "%.*s", (int)(n - 5), row_type);
        scope = buf;
    }
    strbuf_printf(c,
                  "typedef struct {\n"
                  "    %s__RowFn fn;\n"
                  "    void *ctx;\n"
                  "} %s__Closure;\n"
                  "\n"
                  "static int %s__row_fn(void *ctx, void *row)\n"
                  "{\n"
                  "    const %s__Closure *cl = (const %s__Closure *)ctx;\n"
                  "    return cl->fn(cl->ctx, (%s *)row);\n"
                  "}\n\n",
                  scope, scope, row_sym, scope, scope, row_type);
}

void cg_emit_colset(StrBuf *c, const bool *in, size_t n)
{
    size_t words = 0;
    for (size_t i = 0; i < n; i++)
        if (in[i])
            words = i / 64 + 1;
    strbuf_puts(c, "{{");
    if (words == 0)
        strbuf_putc(c, '0');
    for (size_t w = 0; w < words; w++) {
        unsigned long long bits = 0;
        for (size_t i = w * 64; i < n && i < (w + 1) * 64; i++)
            if (in[i])
                bits |= 1ull << (i % 64);
        strbuf_printf(c, "%sUINT64_C(0x%llx)", w ? ", " : "", bits);
    }
    strbuf_puts(c, "}}");
}

/* ---- header ------------------------------------------------------------- */

static void key_params(StrBuf *b, HqArena *a, const CgTable *t)
{
    for (size_t i = 0; i < t->pk->n_fields; i++) {
        const CgField *f = &t->fields[t->pk->fields[i]];
        size_t tl = strlen(f->ty.param);
        strbuf_printf(b, ", %s%s%s", f->ty.param, f->ty.param[tl - 1] == '*' ? "" : " ", param_name(a, f->member));
    }
}

static void declare(const CgPlan *p, const CgTable *t, StrBuf *h)
{
    HqArena *a = p->a;
    const HqTable *ht = t->t;
    strbuf_printf(h, "/* ---- Table %s ", ht->qname);
    for (size_t n = strlen(ht->qname) + 15; n < 100; n++)
        strbuf_putc(h, '-');
    strbuf_puts(h, " */\n\n");
    strbuf_printf(h, "typedef struct %s {\n", t->type);
    for (size_t i = 0; i < t->n_fields; i++) {
        const CgField *f = &t->fields[i];
        cg_member(h, f->ty.member, f->member, f->comment);
        if (f->null_member)
            cg_member(h, "bool", f->null_member, NULL);
    }
    strbuf_printf(h, "} %s;\n\n", t->type);
    strbuf_puts(h, "enum {\n");
    for (size_t i = 0; i < t->n_fields; i++)
        strbuf_printf(h, "    %s%s,\n", t->fields[i].index, i == 0 ? " = 0" : "");
    strbuf_puts(h, "};\n\n");
    strbuf_printf(h, "typedef int (*%s__RowFn)(void *ctx, %s *row);\n\n", t->type, t->type);
    strbuf_printf(h, "extern const HqTableDesc %s__table;\n", t->sym);
    if (t->optional_ext)
        strbuf_printf(h, "extern const HqTableDesc %s__table_without_%s; /* for databases without %s */\n", t->sym,
                      t->optional_ext->name, t->optional_ext->name);
    strbuf_printf(h, "extern const HqColumnSet %s__required_cols;\n", t->sym);
    strbuf_printf(h, "HqStatus %s__insert(HqConn *c, const %s *row, const HqColumnSet *cols, %s *out, HqError *err);\n",
                  t->sym, t->type, t->type);
    strbuf_printf(h, "HqStatus %s__batch_insert(HqBatch *b, const %s *row, const HqColumnSet *cols, HqError *err);\n",
                  t->sym, t->type);
    if (t->pk) {
        strbuf_printf(h, "HqStatus %s__get(HqConn *c", t->sym);
        key_params(h, a, t);
        strbuf_printf(h, ", %s *out, HqError *err);\n", t->type);
        strbuf_printf(h, "HqStatus %s__update(HqConn *c, const %s *row, const HqColumnSet *cols, %s *out, HqError *err);\n",
                      t->sym, t->type, t->type);
        strbuf_printf(h, "HqStatus %s__delete(HqConn *c", t->sym);
        key_params(h, a, t);
        strbuf_puts(h, ", uint64_t *n_deleted, HqError *err);\n");
        strbuf_printf(h, "HqStatus %s__upsert(HqConn *c, const %s *row, const HqColumnSet *cols, %s *out, HqError *err);\n",
                      t->sym, t->type, t->type);
    }
    for (size_t i = 0; i < t->n_unique; i++)
        strbuf_printf(h, "HqStatus %s__upsert%s(HqConn *c, const %s *row, const HqColumnSet *cols, %s *out, HqError *err);\n",
                      t->sym, t->unique[i].suffix, t->type, t->type);
    strbuf_printf(h, "HqStatus %s__list(HqConn *c, const HqListOptions *opt, %s__RowFn fn, void *ctx, HqError *err);\n",
                  t->sym, t->type);
    strbuf_printf(h, "void %s__clear(HqConn *c, %s *row);\n\n", t->sym, t->type);
}

/* ---- source ------------------------------------------------------------- */

/* Keys as HqKey initializers over fields; `map` renumbers field indexes (for
 * the descriptor without optional columns), NULL keeps them. */
static void keys(StrBuf *c, const char *sym, const CgTable *t, const size_t *map, const char *suffix)
{
    size_t n_keys = (t->pk ? 1 : 0) + t->n_unique;
    if (n_keys == 0)
        return;
    strbuf_printf(c, "static const uint16_t %s__key_fields%s[] = {", sym, suffix);
    const char *sep = "";
    for (size_t k = 0; k < n_keys; k++) {
        const CgKey *key = t->pk ? (k == 0 ? t->pk : &t->unique[k - 1]) : &t->unique[k];
        for (size_t i = 0; i < key->n_fields; i++) {
            if (map)
                strbuf_printf(c, "%s%zu", sep, map[key->fields[i]]);
            else
                strbuf_printf(c, "%s%s", sep, t->fields[key->fields[i]].index);
            sep = ", ";
        }
    }
    strbuf_puts(c, "};\n");
    strbuf_printf(c, "static const HqKey %s__keys%s[] = {\n", sym, suffix);
    size_t at = 0;
    for (size_t k = 0; k < n_keys; k++) {
        const CgKey *key = t->pk ? (k == 0 ? t->pk : &t->unique[k - 1]) : &t->unique[k];
        strbuf_puts(c, "    {");
        cg_cstr(c, key->name);
        strbuf_printf(c, ", %zu, &%s__key_fields%s[%zu], ", key->n_fields, sym, suffix, at);
        if (key->predicate)
            cg_cstr(c, key->predicate);
        else
            strbuf_puts(c, "NULL");
        strbuf_puts(c, "},\n");
        at += key->n_fields;
    }
    strbuf_puts(c, "};\n");
}

static void table_desc(StrBuf *c, const CgTable *t, const char *suffix)
{
    strbuf_printf(c, "const HqTableDesc %s__table%s = {", t->sym, suffix);
    cg_cstr(c, t->sql);
    strbuf_printf(c, ", &%s__record%s,\n    ", t->sym, suffix);
    if (t->pk)
        strbuf_printf(c, "&%s__keys%s[0], ", t->sym, suffix);
    else
        strbuf_puts(c, "NULL, ");
    if (t->n_unique)
        strbuf_printf(c, "%zu, &%s__keys%s[%d]};\n\n", t->n_unique, t->sym, suffix, t->pk ? 1 : 0);
    else
        strbuf_puts(c, "0, NULL};\n\n");
}

static void descriptors(const CgPlan *p, const CgTable *t, StrBuf *c)
{
    char array[300];
    snprintf(array, sizeof array, "%s__fields", t->sym);
    cg_emit_fields(c, array, t->type, t->fields, t->n_fields, false);
    strbuf_printf(c, "static const HqRecordDesc %s__record = {\"%s\", sizeof(%s), %zu, %s__fields};\n", t->sym, t->sym,
                  t->type, t->n_fields, t->sym);
    keys(c, t->sym, t, NULL, "");
    table_desc(c, t, "");
    if (!t->optional_ext)
        return;
    /* The same row struct without the columns of optional extensions: a
     * database where the extension is missing has no such columns. */
    const char *suffix = arena_printf(p->a, "_without_%s", t->optional_ext->name);
    CgField *kept = arena_alloc(p->a, (t->n_fields + 1) * sizeof *kept);
    size_t *map = arena_alloc(p->a, (t->n_fields + 1) * sizeof *map);
    size_t n = 0;
    for (size_t i = 0; i < t->n_fields; i++)
        if (!t->fields[i].requires) {
            map[i] = n;
            kept[n++] = t->fields[i];
        }
    snprintf(array, sizeof array, "%s__fields%s", t->sym, suffix);
    cg_emit_fields(c, array, t->type, kept, n, false);
    strbuf_printf(c, "static const HqRecordDesc %s__record%s = {\"%s\", sizeof(%s), %zu, %s__fields%s};\n", t->sym,
                  suffix, t->sym, t->type, n, t->sym, suffix);
    keys(c, t->sym, t, map, suffix);
    table_desc(c, t, suffix);
}

static void key_assign(StrBuf *c, HqArena *a, const CgTable *t)
{
    strbuf_printf(c, "    %s key;\n    memset(&key, 0, sizeof key);\n", t->type);
    for (size_t i = 0; i < t->pk->n_fields; i++) {
        const CgField *f = &t->fields[t->pk->fields[i]];
        const char *pn = param_name(a, f->member);
        if (f->ty.by_ref)
            strbuf_printf(c, "    key.%s = *%s;\n", f->member, pn);
        else if (f->ty.string)
            strbuf_printf(c, "    key.%s = (char *)%s;\n", f->member, pn);
        else
            strbuf_printf(c, "    key.%s = %s;\n", f->member, pn);
    }
}

/* Required: the columns the database cannot fill in (NOT NULL, no default,
 * not generated). A nullable column without a default defaults to NULL. */
static void required_sets(const CgPlan *p, const CgTable *t, StrBuf *c)
{
    bool *in = arena_alloc(p->a, (t->n_fields + 1) * sizeof *in);
    for (size_t i = 0; i < t->n_fields; i++)
        in[i] = !t->fields[i].generated && !t->fields[i].has_default && !t->fields[i].null_member;
    strbuf_printf(c, "const HqColumnSet %s__required_cols = ", t->sym);
    cg_emit_colset(c, in, t->n_fields);
    strbuf_puts(c, ";\n");
    /* Upserts also write their key. */
    size_t n_keys = (t->pk ? 1 : 0) + t->n_unique;
    for (size_t k = 0; k < n_keys; k++) {
        const CgKey *key = t->pk ? (k == 0 ? t->pk : &t->unique[k - 1]) : &t->unique[k];
        bool *with_key = arena_alloc(p->a, (t->n_fields + 1) * sizeof *with_key);
        memcpy(with_key, in, t->n_fields * sizeof *in);
        for (size_t i = 0; i < key->n_fields; i++)
            with_key[key->fields[i]] = true;
        strbuf_printf(c, "static const HqColumnSet %s__upsert%s_cols = ", t->sym, key->suffix);
        cg_emit_colset(c, with_key, t->n_fields);
        strbuf_puts(c, ";\n");
    }
    strbuf_putc(c, '\n');
}

static void wrappers(const CgPlan *p, const CgTable *t, StrBuf *c)
{
    HqArena *a = p->a;
    const char *s = t->sym, *T = t->type;
    strbuf_printf(c,
                  "HqStatus %s__insert(HqConn *c, const %s *row, const HqColumnSet *cols, %s *out, HqError *err)\n"
                  "{\n"
                  "    return hq_insert(c, &%s__table, row, cols != NULL ? cols : &%s__required_cols, out, err);\n"
                  "}\n\n",
                  s, T, T, s, s);
    strbuf_printf(c,
                  "HqStatus %s__batch_insert(HqBatch *b, const %s *row, const HqColumnSet *cols, HqError *err)\n"
                  "{\n"
                  "    return hq_batch_add_insert(b, &%s__table, row, cols != NULL ? cols : &%s__required_cols, err);\n"
                  "}\n\n",
                  s, T, s, s);
    if (t->pk) {
        strbuf_printf(c, "HqStatus %s__get(HqConn *c", s);
        key_params(c, a, t);
        strbuf_printf(c, ", %s *out, HqError *err)\n{\n", T);
        key_assign(c, a, t);
        strbuf_printf(c, "    return hq_get(c, &%s__table, &key, out, err);\n}\n\n", s);
        strbuf_printf(c,
                      "HqStatus %s__update(HqConn *c, const %s *row, const HqColumnSet *cols, %s *out, HqError *err)\n"
                      "{\n"
                      "    return hq_update(c, &%s__table, row, cols, out, err);\n"
                      "}\n\n",
                      s, T, T, s);
        strbuf_printf(c, "HqStatus %s__delete(HqConn *c", s);
        key_params(c, a, t);
        strbuf_puts(c, ", uint64_t *n_deleted, HqError *err)\n{\n");
        key_assign(c, a, t);
        strbuf_printf(c, "    return hq_delete(c, &%s__table, &key, n_deleted, err);\n}\n\n", s);
    }
    size_t n_keys = (t->pk ? 1 : 0) + t->n_unique;
    for (size_t k = 0; k < n_keys; k++) {
        const CgKey *key = t->pk ? (k == 0 ? t->pk : &t->unique[k - 1]) : &t->unique[k];
        strbuf_printf(c,
                      "HqStatus %s__upsert%s(HqConn *c, const %s *row, const HqColumnSet *cols, %s *out, HqError *err)\n"
                      "{\n"
                      "    return hq_upsert(c, &%s__table, &%s__keys[%zu], row, cols != NULL ? cols : &%s__upsert%s_cols,\n"
                      "                     out, err);\n"
                      "}\n\n",
                      s, key->suffix, T, T, s, s, k, s, key->suffix);
    }
    cg_emit_trampoline(c, T, s);
    strbuf_printf(c,
                  "HqStatus %s__list(HqConn *c, const HqListOptions *opt, %s__RowFn fn, void *ctx, HqError *err)\n"
                  "{\n"
                  "    %s__Closure cl;\n"
                  "    cl.fn = fn;\n"
                  "    cl.ctx = ctx;\n"
                  "    return hq_list(c, &%s__table, opt, fn != NULL ? %s__row_fn : NULL, &cl, err);\n"
                  "}\n\n",
                  s, T, T, s, s);
    strbuf_printf(c,
                  "void %s__clear(HqConn *c, %s *row)\n"
                  "{\n"
                  "    hq_record_clear(&%s__record, row, hq_conn_allocator(c));\n"
                  "}\n\n",
                  s, T, s);
}

void cg_emit_table(const CgPlan *p, const CgTable *t, StrBuf *h, StrBuf *c)
{
    declare(p, t, h);
    strbuf_printf(c, "/* ---- Table %s */\n\n", t->t->qname);
    descriptors(p, t, c);
    required_sets(p, t, c);
    wrappers(p, t, c);
}
