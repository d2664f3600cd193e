/* sqlparse.c - libpg_query calls and a generic walk over its protobuf tree.
 * The walk uses protobuf-c reflection, so every node type is visited without
 * a hand-written case per node; only the few node types that carry names
 * are inspected. */
#include "base/sqlparse.h"

#include "base/namemap.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL reports an error position in characters (node locations
 * are in bytes): the byte offset of character `chars` of UTF-8 text. */
static size_t char_to_byte(const char *s, size_t chars)
{
    size_t i = 0;
    for (; s[i] && chars; chars--)
        for (i++; (s[i] & 0xC0) == 0x80; i++)
            ;
    return i;
}

static void set_error(HqArena *a, SqlpError *err, const PgQueryError *e, const char *sql, size_t prefix_len,
                      size_t text_len)
{
    err->message = arena_strdup(a, e->message);
    size_t pos = e->cursorpos > 0 ? char_to_byte(sql, (size_t)e->cursorpos - 1) : 0;
    err->offset = pos >= prefix_len ? pos - prefix_len : 0;
    if (err->offset > text_len)
        err->offset = text_len;
}

static PgQuery__ParseResult *parse_pb(HqArena *a, const char *sql, size_t prefix_len, size_t text_len,
                                      SqlpError *err)
{
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
    PgQuery__ParseResult *tree = NULL;
    if (r.error)
        set_error(a, err, r.error, sql, prefix_len, text_len);
    else
        tree = pg_query__parse_result__unpack(NULL, r.parse_tree.len, (const uint8_t *)r.parse_tree.data);
    pg_query_free_protobuf_parse_result(r);
    if (!r.error && !tree)
        err->message = "internal error: cannot unpack parse tree";
    return tree;
}

static const char *node_string(const PgQuery__Node *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

static SqlpName *make_name(HqArena *a, PgQuery__Node **names, size_t n, int location, int shift, bool sub)
{
    SqlpName *nm = arena_alloc(a, sizeof *nm);
    const char *last = n ? node_string(names[n - 1]) : NULL;
    const char *qual = n >= 2 ? node_string(names[n - 2]) : NULL;
    nm->name = arena_strdup(a, last ? last : "*");
    nm->schema = qual && strcmp(qual, "pg_catalog") ? arena_strdup(a, qual) : NULL;
    nm->location = location >= shift ? location - shift : -1;
    nm->in_subquery = sub;
    return nm;
}

typedef struct {
    HqArena *a;
    SqlpRefs *refs;
    int shift;        /* prefix length added in front of the fragment */
    int sub_depth;    /* sub-SELECTs entered */
    int lock_depth;   /* inside FOR UPDATE OF: names there are FROM items, not relations */
} Walk;

static void walk(Walk *w, const ProtobufCMessage *msg);

static void visit(Walk *w, const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    if (d == &pg_query__func_call__descriptor) {
        const PgQuery__FuncCall *f = (const void *)msg;
        vec_push(w->a, &w->refs->functions,
                 make_name(w->a, f->funcname, f->n_funcname, f->location, w->shift, w->sub_depth > 0));
    } else if (d == &pg_query__column_ref__descriptor) {
        const PgQuery__ColumnRef *c = (const void *)msg;
        if (c->n_fields && node_string(c->fields[c->n_fields - 1]))
            vec_push(w->a, &w->refs->columns,
                     make_name(w->a, c->fields, c->n_fields, c->location, w->shift, w->sub_depth > 0));
    } else if (d == &pg_query__range_var__descriptor && !w->lock_depth) {
        const PgQuery__RangeVar *r = (const void *)msg;
        SqlpName *nm = arena_alloc(w->a, sizeof *nm);
        nm->schema = r->schemaname && *r->schemaname ? arena_strdup(w->a, r->schemaname) : NULL;
        nm->name = arena_strdup(w->a, r->relname);
        nm->location = r->location >= w->shift ? r->location - w->shift : -1;
        nm->in_subquery = w->sub_depth > 0;
        vec_push(w->a, &w->refs->tables, nm);
    } else if (d == &pg_query__common_table_expr__descriptor) {
        const PgQuery__CommonTableExpr *c = (const void *)msg;
        SqlpName *nm = arena_alloc(w->a, sizeof *nm);
        nm->name = arena_strdup(w->a, c->ctename);
        nm->location = c->location >= w->shift ? c->location - w->shift : -1;
        vec_push(w->a, &w->refs->ctes, nm);
    } else if (d == &pg_query__type_cast__descriptor) {
        const PgQuery__TypeCast *tc = (const void *)msg;
        if (tc->type_name) {
            SqlpName *t = make_name(w->a, tc->type_name->names, tc->type_name->n_names,
                                    tc->type_name->location, w->shift, w->sub_depth > 0);
            vec_push(w->a, &w->refs->types, t);
            const PgQuery__Node *arg = tc->arg;
            if (arg && arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                arg->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL && tc->type_name->n_array_bounds == 0) {
                SqlpName *s = arena_alloc(w->a, sizeof *s);
                s->name = arena_strdup(w->a, arg->a_const->sval->sval);
                s->schema = t->name;
                s->location = arg->a_const->location >= w->shift ? arg->a_const->location - w->shift : -1;
                vec_push(w->a, &w->refs->strings, s);
            }
        }
    }
}

static void walk(Walk *w, const ProtobufCMessage *msg)
{
    if (!msg)
        return;
    visit(w, msg);
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    /* A sub-select without FROM, "(SELECT auth.uid())", runs once per
     * statement; a correlated EXISTS (... FROM ...) runs per row. */
    bool sub = false, lock = d == &pg_query__locking_clause__descriptor;
    if (d == &pg_query__sub_link__descriptor) {
        const PgQuery__SubLink *sl = (const void *)msg;
        sub = sl->subselect && sl->subselect->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
              !sl->subselect->select_stmt->n_from_clause;
    }
    w->sub_depth += sub;
    w->lock_depth += lock;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)msg;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            /* Members of a oneof share storage: only the active one is valid. */
            uint32_t which = *(const uint32_t *)(base + f->quantifier_offset);
            if (which != f->id)
                continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            ProtobufCMessage *const *arr = *(ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++)
                walk(w, arr[k]);
        } else {
            walk(w, *(ProtobufCMessage *const *)(base + f->offset));
        }
    }
    w->sub_depth -= sub;
    w->lock_depth -= lock;
}

static char *concat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (!s)
        abort();
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    memcpy(s + la + lb, c, lc + 1);
    return s;
}

static int typmod_int(const PgQuery__Node *n, char *buf, size_t size)
{
    if (n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL)
        return snprintf(buf, size, "%d", n->a_const->ival->ival);
    if (n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)
        return snprintf(buf, size, "%s", n->a_const->sval->sval);
    return snprintf(buf, size, "?");
}

static bool parse_type(HqArena *a, const char *text, SqlpType *out, SqlpError *err)
{
    static const char prefix[] = "SELECT NULL::";
    memset(out, 0, sizeof *out);
    err->message = NULL;
    err->offset = 0;
    const char *setof = NULL;
    if (strncasecmp(text, "setof ", 6) == 0) {
        out->setof = true;
        setof = text + 6;
        while (*setof == ' ')
            setof++;
        text = setof;
    }
    char *sql = concat3(prefix, text, "");
    PgQuery__ParseResult *tree = parse_pb(a, sql, sizeof prefix - 1, strlen(text), err);
    free(sql);
    if (!tree)
        return false;
    bool ok = false;
    if (tree->n_stmts == 1 && tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        PgQuery__SelectStmt *s = tree->stmts[0]->stmt->select_stmt;
        if (s->n_target_list == 1 && s->target_list[0]->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
            PgQuery__Node *v = s->target_list[0]->res_target->val;
            if (v && v->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && !s->from_clause) {
                PgQuery__TypeName *tn = v->type_cast->type_name;
                const char *last = node_string(tn->names[tn->n_names - 1]);
                const char *qual = tn->n_names >= 2 ? node_string(tn->names[tn->n_names - 2]) : NULL;
                out->name = arena_strdup(a, last);
                out->schema = qual && strcmp(qual, "pg_catalog") ? arena_strdup(a, qual) : NULL;
                out->array_dims = (int)tn->n_array_bounds;
                if (tn->n_typmods) {
                    char buf[256];
                    size_t len = 0;
                    for (size_t i = 0; i < tn->n_typmods && len < sizeof buf - 32; i++) {
                        if (i)
                            buf[len++] = ',';
                        len += (size_t)typmod_int(tn->typmods[i], buf + len, sizeof buf - len);
                    }
                    buf[len] = '\0';
                    out->typmods = arena_strdup(a, buf);
                }
                ok = true;
            }
        }
    }
    pg_query__parse_result__free_unpacked(tree, NULL);
    if (!ok)
        err->message = "not a type name";
    return ok;
}

static bool parse_expr(HqArena *a, const char *text, SqlpRefs *refs, SqlpError *err)
{
    static const char prefix[] = "SELECT ";
    err->message = NULL;
    err->offset = 0;
    char *sql = concat3(prefix, text, "");
    PgQuery__ParseResult *tree = parse_pb(a, sql, sizeof prefix - 1, strlen(text), err);
    free(sql);
    if (!tree)
        return false;
    bool ok = false;
    if (tree->n_stmts == 1 && tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        PgQuery__SelectStmt *s = tree->stmts[0]->stmt->select_stmt;
        ok = s->n_target_list == 1 && s->n_from_clause == 0 && !s->where_clause && !s->group_clause &&
             s->n_sort_clause == 0 && !s->limit_count && s->op == PG_QUERY__SET_OPERATION__SETOP_NONE;
        /* "x AND" parses as x with the column label "and": not an expression. */
        if (ok && s->target_list[0]->node_case == PG_QUERY__NODE__NODE_RES_TARGET && s->target_list[0]->res_target->name &&
            *s->target_list[0]->res_target->name)
            ok = false;
    }
    if (ok && refs) {
        Walk w = {a, refs, (int)sizeof prefix - 1, 0, 0};
        walk(&w, &tree->base);
    }
    pg_query__parse_result__free_unpacked(tree, NULL);
    if (!ok)
        err->message = "expected a single expression";
    return ok;
}

static bool parse_index_elem(HqArena *a, const char *text, SqlpIndexElem *out, SqlpRefs *refs,
                             SqlpError *err)
{
    static const char prefix[] = "CREATE INDEX i ON t (";
    memset(out, 0, sizeof *out);
    err->message = NULL;
    err->offset = 0;
    char *sql = concat3(prefix, text, ")");
    PgQuery__ParseResult *tree = parse_pb(a, sql, sizeof prefix - 1, strlen(text), err);
    free(sql);
    if (!tree)
        return false;
    bool ok = false;
    if (tree->n_stmts == 1 && tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_INDEX_STMT) {
        PgQuery__IndexStmt *is = tree->stmts[0]->stmt->index_stmt;
        if (is->n_index_params == 1 && is->index_params[0]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM) {
            PgQuery__IndexElem *e = is->index_params[0]->index_elem;
            out->column = e->name && *e->name ? arena_strdup(a, e->name) : NULL;
            out->desc = e->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
            out->nulls_first = e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST;
            out->nulls_last = e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST;
            if (e->n_opclass)
                out->opclass = arena_strdup(a, node_string(e->opclass[e->n_opclass - 1]));
            if (refs) {
                Walk w = {a, refs, (int)sizeof prefix - 1, 0, 0};
                walk(&w, &e->base);
            }
            ok = true;
        }
    }
    pg_query__parse_result__free_unpacked(tree, NULL);
    if (!ok)
        err->message = "expected one index key element";
    return ok;
}

/* ---- memoized fragment parses ---------------------------------------------
 * A schema repeats the same types ("uuid", "text") and defaults ("now()")
 * thousands of times, and a parse through libpg_query costs far more than a
 * hash lookup. Results live in the arena of the call; the cache belongs to
 * that arena (by serial) and starts over with another one. */

typedef struct {
    bool ok;
    SqlpType type;
    SqlpIndexElem elem;
    SqlpRefs refs;
    SqlpError err;
} Parsed;

static struct {
    unsigned long serial;
    HqNameMap *types, *exprs, *elems;
} cache;

static HqNameMap *cache_map(HqArena *a, HqNameMap **which)
{
    if (cache.serial != arena_serial(a)) {
        cache.serial = arena_serial(a);
        cache.types = namemap_new(a);
        cache.exprs = namemap_new(a);
        cache.elems = namemap_new(a);
    }
    return *which;
}

static void append_names(HqArena *a, HqVec *to, const HqVec *from)
{
    for (size_t i = 0; i < from->n; i++)
        vec_push(a, to, from->items[i]);
}

/* Adds the names of a cached parse to the caller's (which may hold some). */
static void append_refs(HqArena *a, SqlpRefs *to, const SqlpRefs *from)
{
    if (!to)
        return;
    append_names(a, &to->functions, &from->functions);
    append_names(a, &to->columns, &from->columns);
    append_names(a, &to->tables, &from->tables);
    append_names(a, &to->types, &from->types);
    append_names(a, &to->strings, &from->strings);
}

bool sqlp_parse_type(HqArena *a, const char *text, SqlpType *out, SqlpError *err)
{
    HqNameMap *map = cache_map(a, &cache.types);
    Parsed *p = namemap_get(map, text);
    if (!p) {
        p = arena_alloc(a, sizeof *p);
        p->ok = parse_type(a, text, &p->type, &p->err);
        namemap_put(map, arena_strdup(a, text), p);
    }
    *out = p->type;
    *err = p->err;
    return p->ok;
}

bool sqlp_parse_expr(HqArena *a, const char *text, SqlpRefs *refs, SqlpError *err)
{
    HqNameMap *map = cache_map(a, &cache.exprs);
    Parsed *p = namemap_get(map, text);
    if (!p) {
        p = arena_alloc(a, sizeof *p);
        p->ok = parse_expr(a, text, &p->refs, &p->err);
        namemap_put(map, arena_strdup(a, text), p);
    }
    append_refs(a, refs, &p->refs);
    *err = p->err;
    return p->ok;
}

bool sqlp_parse_index_elem(HqArena *a, const char *text, SqlpIndexElem *out, SqlpRefs *refs, SqlpError *err)
{
    HqNameMap *map = cache_map(a, &cache.elems);
    Parsed *p = namemap_get(map, text);
    if (!p) {
        p = arena_alloc(a, sizeof *p);
        p->ok = parse_index_elem(a, text, &p->elem, &p->refs, &p->err);
        namemap_put(map, arena_strdup(a, text), p);
    }
    *out = p->elem;
    append_refs(a, refs, &p->refs);
    *err = p->err;
    return p->ok;
}

/* Offset of the first token at or after `i`: past blanks and comments. */
static size_t skip_blanks(const char *text, size_t i)
{
    for (;;) {
        while (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r' || text[i] == '\f')
            i++;
        if (text[i] == '-' && text[i + 1] == '-') {
            while (text[i] && text[i] != '\n')
                i++;
        } else if (text[i] == '/' && text[i + 1] == '*') {
            const char *end = strstr(text + i + 2, "*/");
            i = end ? (size_t)(end - text) + 2 : strlen(text);
        } else {
            return i;
        }
    }
}

bool sqlp_parse_statements(HqArena *a, const char *text, SqlpRefs *refs, size_t *n_statements,
                           const SqlpStatement **statements, SqlpError *err)
{
    err->message = NULL;
    err->offset = 0;
    size_t len = strlen(text);
    PgQuery__ParseResult *tree = parse_pb(a, text, 0, len, err);
    if (!tree)
        return false;
    *n_statements = tree->n_stmts;
    SqlpStatement *st = arena_alloc(a, (tree->n_stmts + 1) * sizeof *st);
    for (size_t i = 0; i < tree->n_stmts; i++) {
        const PgQuery__Node *n = tree->stmts[i]->stmt;
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor, (unsigned)n->node_case);
        st[i].kind = f ? arena_strdup(a, f->name) : "unknown";
        size_t at = tree->stmts[i]->stmt_location > 0 ? (size_t)tree->stmts[i]->stmt_location : 0;
        st[i].offset = skip_blanks(text, at < len ? at : len);
    }
    if (statements)
        *statements = st;
    if (refs) {
        Walk w = {a, refs, 0, 0, 0};
        walk(&w, &tree->base);
    }
    pg_query__parse_result__free_unpacked(tree, NULL);
    return true;
}

bool sqlp_parse_plpgsql(HqArena *a, const char *create_sql, size_t body_offset, SqlpError *err)
{
    err->message = NULL;
    err->offset = 0;
    PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(create_sql);
    bool ok = !r.error;
    if (r.error) {
        err->message = arena_strdup(a, r.error->message);
        size_t pos = r.error->cursorpos > 0 ? char_to_byte(create_sql, (size_t)r.error->cursorpos - 1) : 0;
        err->offset = pos >= body_offset ? pos - body_offset : 0;
        /* The PL/pgSQL parser often reports only a line number. */
        if (r.error->cursorpos <= 0 && r.error->lineno > 0) {
            err->offset = 0;
            int line = 1;
            const char *body = create_sql + body_offset;
            for (size_t i = 0; body[i] && line < r.error->lineno; i++)
                if (body[i] == '\n') {
                    line++;
                    err->offset = i + 1;
                }
        }
    }
    pg_query_free_plpgsql_parse_result(r);
    return ok;
}

unsigned long long sqlp_fingerprint(const char *text)
{
    PgQueryFingerprintResult r = pg_query_fingerprint(text);
    unsigned long long fp = r.error ? 0 : r.fingerprint;
    pg_query_free_fingerprint_result(r);
    return fp;
}

/* A growable string in the arena (old buffers are simply abandoned). */
typedef struct {
    char *data;
    size_t len, cap;
} StrBufLite;

static void lite_put(HqArena *a, StrBufLite *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
        char *d = arena_alloc(a, cap);
        if (b->len)
            memcpy(d, b->data, b->len);
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Drop every source position member ("location", "lineno", "stmt_location",
 * "stmt_len") from parser JSON. */
static const char *strip_positions(HqArena *a, const char *json)
{
    size_t n = strlen(json);
    char *out = arena_alloc(a, n + 1), *o = out;
    for (const char *p = json; *p;) {
        static const char *const keys[] = {"\"location\":", "\"lineno\":", "\"stmt_location\":", "\"stmt_len\":"};
        const char *key = NULL;
        for (size_t k = 0; k < sizeof keys / sizeof *keys && !key; k++)
            if (!strncmp(p, keys[k], strlen(keys[k])))
                key = p + strlen(keys[k]);
        if (key) {
            while (*key == '-' || (*key >= '0' && *key <= '9'))
                key++;
            if (*key == ',')
                key++;
            else if (o > out && o[-1] == ',')
                o--;
            p = key;
            continue;
        }
        *o++ = *p++;
    }
    *o = '\0';
    return out;
}

static const char *canonical_sql(HqArena *a, const char *text)
{
    const char *result = NULL;
    PgQueryParseResult r = pg_query_parse(text);
    if (!r.error && r.parse_tree)
        result = strip_positions(a, r.parse_tree);
    pg_query_free_parse_result(r);
    return result;
}

/* The JSON string whose text starts at `s` (just after its opening quote),
 * unescaped into the arena; *end receives the closing quote (or the NUL). */
static char *json_string(HqArena *a, const char *s, const char **end)
{
    const char *e = s;
    char *out = arena_alloc(a, strlen(s) + 1), *o = out;
    while (*e && *e != '"') {
        if (*e == '\\' && e[1] == 'u' && e[2] && e[3] && e[4] && e[5]) {
            /* \u00XX: the parser escapes <, > and & this way */
            *o++ = (char)strtol((char[]){e[2], e[3], e[4], e[5], 0}, NULL, 16);
            e += 5;
        } else if (*e == '\\' && e[1]) {
            e++;
            *o++ = *e == 'n' ? '\n' : *e == 't' ? '\t' : *e == 'r' ? '\r' : *e;
        } else {
            *o++ = *e;
        }
        e++;
    }
    *o = '\0';
    *end = e;
    return out;
}

/* PL/pgSQL trees keep the SQL of each statement as text ("query"): replace
 * every such string by its own canonical parse tree. */
static const char *canonical_queries(HqArena *a, const char *json)
{
    StrBufLite out = {0};
    static const char key[] = "\"query\":\"";
    const char *p = json;
    for (const char *q; (q = strstr(p, key));) {
        lite_put(a, &out, p, (size_t)(q - p) + sizeof key - 2);
        const char *e;
        const char *sql = json_string(a, q + sizeof key - 1, &e);
        const char *c = canonical_sql(a, sql);
        if (!c)
            c = canonical_sql(a, arena_printf(a, "SELECT %s", sql));
        if (c) {
            lite_put(a, &out, "\"", 1);
            for (const char *x = c; *x; x++)
                lite_put(a, &out, *x == '"' ? "'" : x, 1);
            lite_put(a, &out, "\"", 1);
        } else {
            lite_put(a, &out, q + sizeof key - 2, (size_t)(e - (q + sizeof key - 2)) + 1);
        }
        p = *e ? e + 1 : e;
    }
    lite_put(a, &out, p, strlen(p));
    return out.data ? out.data : "";
}

static bool ident_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           (unsigned char)c >= 0x80;
}

/* Names in one SQL text of a PL/pgSQL function (a statement, or an
 * expression, which the parser takes after "SELECT "). Locations stay
 * relative to `sql`. */
static void query_refs(HqArena *a, const char *sql, SqlpRefs *refs)
{
    SqlpError err = {0};
    PgQuery__ParseResult *tree = parse_pb(a, sql, 0, strlen(sql), &err);
    int shift = 0;
    /* An assignment keeps its target: "v := expr" (PostgreSQL 14+). */
    size_t skip = 0, i = 0;
    while (sql[i] && (ident_byte(sql[i]) || sql[i] == '.' || sql[i] == '[' || sql[i] == ']' || sql[i] == ' '))
        i++;
    if (i && (sql[i] == ':' || sql[i] == '=')) {
        skip = i + (sql[i] == ':' ? 1 : 0);
        if (sql[skip] == '=')
            skip++;
        else
            skip = 0;
    }
    static const char prefix[] = "SELECT ";
    for (int attempt = 0; !tree && attempt < (skip ? 2 : 1); attempt++) {
        size_t from = attempt ? skip : 0;
        char *sel = concat3(prefix, sql + from, "");
        tree = parse_pb(a, sel, sizeof prefix - 1, strlen(sql + from), &err);
        free(sel);
        shift = (int)sizeof prefix - 1 - (int)from;
    }
    if (!tree)
        return;
    Walk w = {a, refs, shift, 0, 0};
    walk(&w, &tree->base);
    pg_query__parse_result__free_unpacked(tree, NULL);
}

static void shift_names(HqVec *v, size_t from, const char *body, const char *stmt, const char *line)
{
    for (size_t i = from; i < v->n; i++) {
        SqlpName *n = v->items[i];
        n->location = stmt && n->location >= 0 ? (int)(stmt - body) + n->location : (int)(line - body);
    }
}

bool sqlp_plpgsql_refs(HqArena *a, const char *create_sql, size_t body_offset, SqlpRefs *refs, SqlpError *err)
{
    err->message = NULL;
    err->offset = 0;
    PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(create_sql);
    if (r.error || !r.plpgsql_funcs) {
        err->message = arena_strdup(a, r.error ? r.error->message : "no PL/pgSQL function");
        pg_query_free_plpgsql_parse_result(r);
        return false;
    }
    const char *json = arena_strdup(a, r.plpgsql_funcs);
    pg_query_free_plpgsql_parse_result(r);
    const char *body = create_sql + body_offset;
    static const char qkey[] = "\"query\":\"", tkey[] = "\"typname\":\"", lkey[] = "\"lineno\":";
    long lineno = 1;
    for (const char *p = json; *p;) {
        if (!strncmp(p, lkey, sizeof lkey - 1)) {
            lineno = strtol(p + sizeof lkey - 1, NULL, 10);
            p += sizeof lkey - 1;
            continue;
        }
        bool query = !strncmp(p, qkey, sizeof qkey - 1), type = !strncmp(p, tkey, sizeof tkey - 1);
        if (!query && !type) {
            p++;
            continue;
        }
        const char *e;
        char *text = json_string(a, p + (query ? sizeof qkey : sizeof tkey) - 1, &e);
        p = *e ? e + 1 : e;
        /* The line the statement starts on (1 = the line the body starts on). */
        const char *line = body;
        for (long l = 1; l < lineno && strchr(line, '\n'); l++)
            line = strchr(line, '\n') + 1;
        if (type) {
            if (!strcmp(text, "UNKNOWN"))
                continue;
            char *pct = strchr(text, '%');
            if (pct)
                *pct = '\0';
            char *dot = strrchr(text, '.');
            SqlpName *n = arena_alloc(a, sizeof *n);
            n->schema = dot ? arena_strndup(a, text, (size_t)(dot - text)) : NULL;
            n->name = dot ? dot + 1 : text;
            n->location = (int)(line - body);
            vec_push(a, &refs->types, n);
            continue;
        }
        size_t nf = refs->functions.n, nc = refs->columns.n, nt = refs->tables.n, ny = refs->types.n,
               ns = refs->strings.n, ne = refs->ctes.n;
        query_refs(a, text, refs);
        const char *stmt = strstr(line, text);
        shift_names(&refs->functions, nf, body, stmt, line);
        shift_names(&refs->columns, nc, body, stmt, line);
        shift_names(&refs->tables, nt, body, stmt, line);
        shift_names(&refs->types, ny, body, stmt, line);
        shift_names(&refs->strings, ns, body, stmt, line);
        shift_names(&refs->ctes, ne, body, stmt, line);
    }
    return true;
}

const char *sqlp_canonical(HqArena *a, const char *text, bool plpgsql)
{
    if (!plpgsql)
        return canonical_sql(a, text);
    const char *result = NULL;
    PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(text);
    if (!r.error && r.plpgsql_funcs)
        result = canonical_queries(a, strip_positions(a, r.plpgsql_funcs));
    pg_query_free_plpgsql_parse_result(r);
    return result;
}
