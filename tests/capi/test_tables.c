/* test_tables.c - every table of the generated C API against a database with the migrations
 * applied, driven by the generated descriptors (hq__schema__tables):
 *   - the descriptors agree with the catalog: same columns in the same order, compatible types,
 *     NULL flags where the column is nullable; every function descriptor names a function with
 *     the same arguments and defaults;
 *   - one round trip per table, inside a transaction that is rolled back: parents first (found
 *     through the catalog's foreign keys), then a row with a value in every writable column,
 *     read back equal (insert's RETURNING and get), found by list, one field updated, deleted.
 * Values are generated from the field's runtime type (and the catalog type for columns that
 * travel as text); a few columns have CHECK constraints a generic value cannot meet, and get a
 * fixed value from `overrides`.
 */
#include "capi_util.h"

/* ---- catalog ------------------------------------------------------------------------------ */

typedef struct ColInfo {
    char *table;  /* "public.tasks" */
    char *name;   /* attname */
    char *quoted; /* quote_ident(attname), as in HqField.name */
    char *type;   /* format_type without typmod: "integer", "text[]", "time without time zone" */
    char *elem_typtype; /* typtype of the (element) type: "b", "e", ... */
    bool not_null;
} ColInfo;

typedef struct FkCol {
    char *table, *conname, *column, *ref_table, *ref_column;
} FkCol;

/* A row created as a parent, as text by column name. */
typedef struct RowText {
    char *table;
    size_t n;
    char **names;
    char **values; /* NULL for SQL NULL */
} RowText;

static struct {
    Db db;
    bool connected;
    bool has_vector;
    size_t n_cols, n_fks, n_rows;
    ColInfo *cols;
    FkCol *fks;
    RowText rows[64];
    unsigned long counter;
} G;

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static int load_catalog(void)
{
    HqError err;
    HqResult *r = NULL;
    static const char cols_sql[] =
        "SELECT format('%I.%I', n.nspname, c.relname), a.attname, quote_ident(a.attname),"
        "       format_type(a.atttypid, NULL),"
        "       CASE WHEN t.typcategory = 'A' THEN et.typtype ELSE t.typtype END, a.attnotnull"
        "  FROM pg_catalog.pg_attribute a"
        "  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
        "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        "  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
        "  LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
        " ORDER BY c.relname, a.attnum";
    if (hq_query(G.db.c, cols_sql, 0, NULL, &r, &err) != HQ_OK)
        return -1;
    G.n_cols = hq_result_rows(r);
    G.cols = calloc(G.n_cols + 1, sizeof *G.cols);
    for (size_t i = 0; i < G.n_cols; i++) {
        ColInfo *ci = &G.cols[i];
        ci->table = strdup(hq_result_value(r, i, 0));
        ci->name = strdup(hq_result_value(r, i, 1));
        ci->quoted = strdup(hq_result_value(r, i, 2));
        ci->type = strdup(hq_result_value(r, i, 3));
        ci->elem_typtype = strdup(hq_result_value(r, i, 4));
        ci->not_null = !strcmp(hq_result_value(r, i, 5), "t");
    }
    hq_result_free(r);
    static const char fks_sql[] =
        "SELECT format('%I.%I', n.nspname, cl.relname), c.conname, a.attname,"
        "       format('%I.%I', rn.nspname, rc.relname), ra.attname"
        "  FROM pg_catalog.pg_constraint c"
        "  JOIN pg_catalog.pg_class cl ON cl.oid = c.conrelid"
        "  JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace"
        "  JOIN pg_catalog.pg_class rc ON rc.oid = c.confrelid"
        "  JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace"
        "  CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refnum, ord)"
        "  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
        "  JOIN pg_catalog.pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum"
        " WHERE c.contype = 'f' AND n.nspname = 'public'"
        " ORDER BY cl.relname, c.conname, k.ord";
    if (hq_query(G.db.c, fks_sql, 0, NULL, &r, &err) != HQ_OK)
        return -1;
    G.n_fks = hq_result_rows(r);
    G.fks = calloc(G.n_fks + 1, sizeof *G.fks);
    for (size_t i = 0; i < G.n_fks; i++) {
        FkCol *fk = &G.fks[i];
        fk->table = strdup(hq_result_value(r, i, 0));
        fk->conname = strdup(hq_result_value(r, i, 1));
        fk->column = strdup(hq_result_value(r, i, 2));
        fk->ref_table = strdup(hq_result_value(r, i, 3));
        fk->ref_column = strdup(hq_result_value(r, i, 4));
    }
    hq_result_free(r);
    if (hq_query(G.db.c, "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'vector'", 0, NULL, &r,
                 &err) != HQ_OK)
        return -1;
    G.has_vector = strcmp(hq_result_value(r, 0, 0), "0") != 0;
    hq_result_free(r);
    return 0;
}

static void free_catalog(void)
{
    for (size_t i = 0; i < G.n_cols; i++) {
        free(G.cols[i].table);
        free(G.cols[i].name);
        free(G.cols[i].quoted);
        free(G.cols[i].type);
        free(G.cols[i].elem_typtype);
    }
    for (size_t i = 0; i < G.n_fks; i++) {
        free(G.fks[i].table);
        free(G.fks[i].conname);
        free(G.fks[i].column);
        free(G.fks[i].ref_table);
        free(G.fks[i].ref_column);
    }
    free(G.cols);
    free(G.fks);
}

static const ColInfo *column_info(const char *table, const char *quoted)
{
    for (size_t i = 0; i < G.n_cols; i++)
        if (!strcmp(G.cols[i].table, table) && !strcmp(G.cols[i].quoted, quoted))
            return &G.cols[i];
    return NULL;
}

static size_t catalog_columns(const char *table)
{
    size_t n = 0;
    for (size_t i = 0; i < G.n_cols; i++)
        n += !strcmp(G.cols[i].table, table);
    return n;
}

/* The descriptor to use on this database: without pgvector, the tables with vector columns
 * have them skipped, and the generated *_without_vector descriptors describe what is left. */
static const HqTableDesc *effective(const HqTableDesc *t)
{
    static const HqTableDesc *const variants[][2] = {
        {&hq__knowledge_item__table, &hq__knowledge_item__table_without_vector},
        {&hq__knowledge_chunk__table, &hq__knowledge_chunk__table_without_vector},
    };
    if (G.has_vector)
        return t;
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i][0] == t)
            return variants[i][1];
    return t;
}

static const HqTableDesc *table_by_name(const char *sql_name)
{
    for (size_t i = 0; hq__schema__tables[i] != NULL; i++)
        if (!strcmp(hq__schema__tables[i]->sql_name, sql_name))
            return effective(hq__schema__tables[i]);
    return NULL;
}

/* ---- the catalog test --------------------------------------------------------------------- */

/* The runtime type a catalog type travels as. */
static HqType expected_type(const ColInfo *ci, bool *array)
{
    static const struct {
        const char *sql;
        HqType t;
    } map[] = {
        {"boolean", HQ_TYPE_BOOL},     {"smallint", HQ_TYPE_INT2},
        {"integer", HQ_TYPE_INT4},     {"bigint", HQ_TYPE_INT8},
        {"real", HQ_TYPE_FLOAT4},      {"double precision", HQ_TYPE_FLOAT8},
        {"numeric", HQ_TYPE_NUMERIC},  {"text", HQ_TYPE_TEXT},
        {"character varying", HQ_TYPE_TEXT}, {"json", HQ_TYPE_JSON},
        {"jsonb", HQ_TYPE_JSONB},      {"bytea", HQ_TYPE_BYTEA},
        {"uuid", HQ_TYPE_UUID},        {"timestamp with time zone", HQ_TYPE_TIMESTAMPTZ},
        {"date", HQ_TYPE_DATE},        {"vector", HQ_TYPE_VECTOR},
    };
    char base[128];
    snprintf(base, sizeof base, "%s", ci->type);
    size_t n = strlen(base);
    *array = n > 2 && !strcmp(base + n - 2, "[]");
    if (*array)
        base[n - 2] = '\0';
    if (!strcmp(ci->elem_typtype, "e"))
        return HQ_TYPE_ENUM;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].sql, base))
            return map[i].t;
    *array = false; /* anything else travels as its text form */
    return HQ_TYPE_TEXT;
}

static void test_descriptors_match_catalog(void **state)
{
    (void)state;
    if (!G.connected)
        skip();
    HqError err;
    size_t n_tables = 0;
    for (size_t i = 0; hq__schema__tables[i] != NULL; i++) {
        const HqTableDesc *t = effective(hq__schema__tables[i]);
        const HqRecordDesc *d = t->record;
        OK(hq_record_check(d, &err));
        assert_int_equal(catalog_columns(t->sql_name), d->n_fields);
        size_t k = 0;
        for (size_t c = 0; c < G.n_cols; c++) {
            const ColInfo *ci = &G.cols[c];
            if (strcmp(ci->table, t->sql_name))
                continue;
            const HqField *f = &d->fields[k++];
            if (strcmp(f->name, ci->quoted))
                fail_msg("%s: field %zu is %s, the catalog has %s", t->sql_name, k - 1, f->name, ci->quoted);
            bool array;
            HqType want = expected_type(ci, &array);
            if (f->type != want || array != ((f->flags & HQ_FIELD_ARRAY) != 0))
                fail_msg("%s.%s: descriptor type %s%s, catalog %s", t->sql_name, f->name, hq_type_name(f->type),
                         (f->flags & HQ_FIELD_ARRAY) ? "[]" : "", ci->type);
            if (ci->not_null == ((f->flags & HQ_FIELD_NULLABLE) != 0))
                fail_msg("%s.%s: NULL flag %s, catalog %s", t->sql_name, f->name,
                         (f->flags & HQ_FIELD_NULLABLE) ? "nullable" : "not null", ci->not_null ? "NOT NULL" : "NULL");
            if (want == HQ_TYPE_ENUM) {
                assert_non_null(f->enum_desc);
                const char *dot = strchr(f->enum_desc->sql_name, '.');
                char base[128];
                snprintf(base, sizeof base, "%s", ci->type);
                char *br = strchr(base, '[');
                if (br)
                    *br = '\0';
                assert_string_equal(dot ? dot + 1 : f->enum_desc->sql_name, base);
            }
        }
        assert_non_null(t->primary_key);
        n_tables++;
    }
    /* And every table of the database has a descriptor. */
    char *n = query_value(G.db.c,
                          "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                          " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
                          0, NULL);
    assert_int_equal(strtoul(n, NULL, 10), n_tables);
    free(n);
    assert_int_equal(n_tables, hq__schema__n_tables);
}

static void test_functions_match_catalog(void **state)
{
    (void)state;
    if (!G.connected)
        skip();
    HqError err;
    size_t checked = 0;
    for (size_t i = 0; hq__schema__functions[i] != NULL; i++) {
        const HqFuncDesc *f = hq__schema__functions[i];
        if (f->args)
            OK(hq_record_check(f->args, &err));
        if (f->result)
            OK(hq_record_check(f->result, &err));
        const char *name = strchr(f->sql_name, '.') + 1;
        const char *params[] = {name};
        HqResult *r = NULL;
        OK(hq_query(G.db.c,
                    "SELECT pronargs, pronargdefaults, coalesce(array_to_string(proargnames, ','), ''),"
                    "       proretset FROM pg_catalog.pg_proc"
                    " WHERE proname = $1 AND pronamespace = 'public'::regnamespace",
                    1, params, &r, &err));
        if (hq_result_rows(r) == 0) {
            /* Only functions that need pgvector may be missing. */
            hq_result_free(r);
            assert_false(G.has_vector);
            bool uses_vector = false;
            for (size_t k = 0; f->args && k < f->args->n_fields; k++)
                uses_vector |= f->args->fields[k].type == HQ_TYPE_VECTOR;
            if (!uses_vector && strstr(name, "knowledge") == NULL)
                fail_msg("function %s is missing from the database", f->sql_name);
            continue;
        }
        assert_int_equal(hq_result_rows(r), 1);
        size_t n_args = f->args ? f->args->n_fields : 0, n_defaults = 0;
        char names[1024] = "";
        for (size_t k = 0; k < n_args; k++) {
            n_defaults += (f->args->fields[k].flags & HQ_FIELD_HAS_DEFAULT) != 0;
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? "," : "",
                     f->args->fields[k].name);
        }
        assert_int_equal(strtoul(hq_result_value(r, 0, 0), NULL, 10), n_args);
        assert_int_equal(strtoul(hq_result_value(r, 0, 1), NULL, 10), n_defaults);
        if (f->returns != HQ_RETURNS_SETOF || strstr(hq_result_value(r, 0, 2), names) == hq_result_value(r, 0, 2))
            assert_true(strncmp(hq_result_value(r, 0, 2), names, strlen(names)) == 0);
        assert_int_equal(!strcmp(hq_result_value(r, 0, 3), "t"), f->returns == HQ_RETURNS_SETOF);
        hq_result_free(r);
        checked++;
    }
    assert_true(checked > 0);
}

/* ---- generated values --------------------------------------------------------------------- */

static const char SQL_NULL[] = "<NULL>";

/* Columns whose CHECK constraints (or trigger logic) a generic value cannot meet. */
static const struct {
    const char *table, *column, *value;
} overrides[] = {
    {"public.collection_fields", "field_type", "text"},
    {"public.contact_organizations", "ended_at", SQL_NULL}, /* is_current may then be true or false */
    {"public.collection_views", "view_type", "table"},
    {"public.draft_sets", "variants", "[1]"},
    {"public.entity_links", "review_status", "draft"},
    {"public.entity_links", "target_type", "task"},
    {"public.entity_links", "url", SQL_NULL},
    {"public.knowledge_chunks", "embedding_status", "pending"},
    {"public.knowledge_items", "chunk_status", "pending"},
    {"public.knowledge_items", "embedding_status", "pending"},
    {"public.knowledge_items", "kind", "page"},
    {"public.knowledge_items", "processing_status", "ready"},
    {"public.knowledge_items", "scope", "workspace"},
    {"public.knowledge_items", "source_sync_status", "synced"},
    {"public.routines", "cadence_type", "daily"},
    {"public.routines", "condition", "created"},
    {"public.routines", "entity_type", "task"},
    {"public.routines", "trigger_type", "schedule"},
    {"public.secrets", "category", "user"},
    {"public.secrets", "sync_status", "pending"},
    {"public.source_connections", "status", "active"},
    {"public.source_sync_runs", "status", "running"},
    {"public.task_series", "cadence_type", "daily"},
    {"public.task_series", "missed_policy", "auto_skip"},
};

/* Columns a trigger rewrites on insert or update, so they need not read back as written
 * ("x*": every column whose name starts with x). */
static const struct {
    const char *table, *column;
} rewritten[] = {
    {"*", "updated_at"},
    {"public.knowledge_chunks", "search_vector"},   /* to_tsvector(content) */
    {"public.knowledge_items", "chunk*"},           /* the indexing state is reset when the */
    {"public.knowledge_items", "embedding_*"},      /* content changes (mark_..._pending) */
    {"public.knowledge_items", "search_vector"},    /* to_tsvector(title, content) */
    {"public.task_series", "is_paused"},            /* paused past ends_on or the count limit */
    {"public.task_series", "next_occurrence_at"},   /* computed from the cadence */
    {"public.tasks", "completed_at"},               /* follows status */
    {"public.tasks", "status"},                     /* assignment moves todo to in_progress */
};

static bool is_rewritten(const char *table, const char *column)
{
    for (size_t i = 0; i < sizeof rewritten / sizeof rewritten[0]; i++)
        if (!strcmp(rewritten[i].table, "*") || !strcmp(rewritten[i].table, table)) {
            const char *pat = rewritten[i].column, *star = strchr(pat, '*');
            if (star ? !strncmp(pat, column, (size_t)(star - pat)) : !strcmp(pat, column))
                return true;
        }
    return false;
}

static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Text of one scalar value of type t; `salt` makes values differ (unique columns, updates). */
static char *scalar_text(HqType t, const HqEnumDesc *e, const char *sql_type, size_t field, unsigned long salt)
{
    switch (t) {
    case HQ_TYPE_BOOL:
        return strdup(salt % 2 ? "true" : "false");
    case HQ_TYPE_INT2:
    case HQ_TYPE_INT4:
    case HQ_TYPE_INT8:
        return xprintf("%lu", 3 + salt % 2);
    case HQ_TYPE_FLOAT4:
        return strdup(salt % 2 ? "2.5" : "1.5");
    case HQ_TYPE_FLOAT8:
        return strdup(salt % 2 ? "0.75" : "0.25");
    case HQ_TYPE_NUMERIC:
        return strdup(salt % 2 ? "2.25" : "1.5");
    case HQ_TYPE_JSON:
    case HQ_TYPE_JSONB:
        return xprintf("{\"k\": %lu}", salt);
    case HQ_TYPE_BYTEA:
        return xprintf("\\x0102%02lx", salt % 256);
    case HQ_TYPE_UUID:
        return xprintf("00000000-0000-4000-8000-%012lx", salt);
    case HQ_TYPE_TIMESTAMPTZ:
        return xprintf("2024-05-06 07:%02zu:%02lu.123456+00", field % 60, salt % 60);
    case HQ_TYPE_DATE:
        return xprintf("2024-05-%02lu", 1 + salt % 28);
    case HQ_TYPE_ENUM:
        return strdup(e->labels[salt % 2 && e->n_labels > 1 ? 1 : 0]);
    case HQ_TYPE_VECTOR: {
        /* The schema's vectors are vector(384). */
        size_t cap = 384 * 5 + 3, len = 0;
        char *s = malloc(cap);
        s[len++] = '[';
        for (int i = 0; i < 384; i++)
            len += (size_t)snprintf(s + len, cap - len, "%s0.5", i ? "," : "");
        snprintf(s + len, cap - len, "]");
        return s;
    }
    default:
        if (!strcmp(sql_type, "time without time zone"))
            return xprintf("12:34:%02lu", salt % 60);
        if (!strcmp(sql_type, "tsvector"))
            return xprintf("'w%lu'", salt);
        if (!strcmp(sql_type, "interval"))
            return xprintf("%lu:00:00", 1 + salt % 20);
        if (!strcmp(sql_type, "inet"))
            return xprintf("10.0.0.%lu", 1 + salt % 250);
        return xprintf("v%lu", salt);
    }
}

static char *value_text(const char *table, const HqField *f, const ColInfo *ci, size_t field, unsigned long salt)
{
    for (size_t i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
        if (!strcmp(overrides[i].table, table) && !strcmp(overrides[i].column, ci->name))
            return overrides[i].value == SQL_NULL ? NULL : strdup(overrides[i].value);
    size_t n = strlen(ci->name);
    if (f->type == HQ_TYPE_TEXT && (!strcmp(ci->name, "timezone") || (n > 3 && !strcmp(ci->name + n - 3, "_tz"))))
        return strdup("UTC");
    if (!(f->flags & HQ_FIELD_ARRAY))
        return scalar_text(f->type, f->enum_desc, ci->type, field, salt);
    char elem_type[128];
    snprintf(elem_type, sizeof elem_type, "%s", ci->type);
    elem_type[strlen(elem_type) - 2] = '\0';
    char *a = scalar_text(f->type, f->enum_desc, elem_type, field, salt);
    char *b = scalar_text(f->type, f->enum_desc, elem_type, field, salt + 2);
    char *s = xprintf("{\"%s\",\"%s\"}", a, b);
    /* Inside an array literal a quote or backslash would need escaping: none is generated. */
    free(a);
    free(b);
    return s;
}

static void *field_ptr(void *rec, const HqField *f)
{
    return (char *)rec + f->offset;
}

static bool *null_ptr(void *rec, const HqField *f)
{
    return (bool *)((char *)rec + f->null_offset);
}

/* Sets field f of rec from text (NULL: SQL NULL); the field must be empty. */
static void set_field(const char *table, void *rec, const HqField *f, const char *text)
{
    HqError err;
    if (text == NULL) {
        if (!(f->flags & HQ_FIELD_NULLABLE))
            fail_msg("%s.%s: NULL for a NOT NULL column", table, f->name);
        *null_ptr(rec, f) = true;
        return;
    }
    if (f->flags & HQ_FIELD_NULLABLE)
        *null_ptr(rec, f) = false;
    HqStatus st = (f->flags & HQ_FIELD_ARRAY)
                      ? hq_decode_array(f->type, f->enum_desc, text, &G.db.a, field_ptr(rec, f), &err)
                      : hq_decode(f->type, f->enum_desc, text, &G.db.a, field_ptr(rec, f), &err);
    if (st != HQ_OK)
        fail_msg("%s.%s: cannot decode generated value \"%.60s\": %s", table, f->name, text, err.message);
}

static void clear_field(void *rec, const HqField *f)
{
    if (f->flags & HQ_FIELD_ARRAY)
        hq_array_clear(f->type, field_ptr(rec, f), &G.db.a);
    else
        hq_value_clear(f->type, field_ptr(rec, f), &G.db.a);
    if (f->flags & HQ_FIELD_NULLABLE)
        *null_ptr(rec, f) = false;
}

/* Text of field f of rec, malloc'ed; NULL for SQL NULL. */
static char *field_text(void *rec, const HqField *f)
{
    if ((f->flags & HQ_FIELD_NULLABLE) && *null_ptr(rec, f))
        return NULL;
    HqBuf b;
    HqError err;
    hq_buf_init(&b, NULL);
    HqStatus st = (f->flags & HQ_FIELD_ARRAY) ? hq_encode_array(f->type, f->enum_desc, field_ptr(rec, f), &b, &err)
                                               : hq_encode(f->type, f->enum_desc, field_ptr(rec, f), &b, &err);
    if (st != HQ_OK)
        fail_msg("field %s does not encode: %s", f->name, err.message);
    char *s = strdup(b.data);
    hq_buf_free(&b);
    return s;
}

/* Numeric text without trailing fractional zeros: "1.500000" and "1.5" are the same value. */
static void numeric_trim(char *s)
{
    if (s == NULL || strchr(s, '.') == NULL)
        return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.')
        s[--n] = '\0';
}

/* Compares every field of a and b (skipping trigger-rewritten ones when `lenient`). */
static void compare_rows(const HqTableDesc *t, void *a, void *b, const HqColumnSet *only, bool lenient,
                         const char *what)
{
    const HqRecordDesc *d = t->record;
    size_t n_diff = 0;
    for (size_t i = 0; i < d->n_fields; i++) {
        const HqField *f = &d->fields[i];
        if (only != NULL && !hq_colset_has(only, i))
            continue;
        const ColInfo *ci = column_info(t->sql_name, f->name);
        if (lenient && is_rewritten(t->sql_name, ci->name))
            continue;
        char *x = field_text(a, f), *y = field_text(b, f);
        if (f->type == HQ_TYPE_NUMERIC && !(f->flags & HQ_FIELD_ARRAY)) {
            numeric_trim(x);
            numeric_trim(y);
        }
        bool same = (x == NULL && y == NULL) || (x != NULL && y != NULL && !strcmp(x, y));
        if (!same) {
            print_error("%s.%s: %s: \"%.80s\" != \"%.80s\"\n", t->sql_name, f->name, what, x ? x : "NULL",
                        y ? y : "NULL");
            n_diff++;
        }
        free(x);
        free(y);
    }
    if (n_diff > 0)
        fail_msg("%s: %zu field(s) differ (%s)", t->sql_name, n_diff, what);
}

/* ---- parents ------------------------------------------------------------------------------ */

static void free_row_text(RowText *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->names[i]);
        free(r->values[i]);
    }
    free(r->names);
    free(r->values);
    free(r->table);
    memset(r, 0, sizeof *r);
}

static const char *row_value(const RowText *r, const char *column)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->names[i], column))
            return r->values[i];
    fail_msg("parent row of %s has no column %s", r->table, column);
    return NULL;
}

static void build_row(const HqTableDesc *t, void *rec, HqColumnSet *cols, int depth);

static const char *platform_insert[][2] = {
    {"auth.users", "INSERT INTO auth.users DEFAULT VALUES RETURNING *"},
};

/* A new row of table `sql_name`, inserted, as text. */
static RowText *new_parent(const char *sql_name, int depth)
{
    HqError err;
    assert_true(G.n_rows < sizeof G.rows / sizeof G.rows[0]);
    RowText *pr = &G.rows[G.n_rows];
    const HqTableDesc *t = table_by_name(sql_name);
    if (t == NULL) {
        const char *sql = NULL;
        for (size_t i = 0; i < sizeof platform_insert / sizeof platform_insert[0]; i++)
            if (!strcmp(platform_insert[i][0], sql_name))
                sql = platform_insert[i][1];
        if (sql == NULL)
            fail_msg("no way to create a row of %s", sql_name);
        HqResult *r = NULL;
        OK(hq_query(G.db.c, sql, 0, NULL, &r, &err));
        pr->table = strdup(sql_name);
        pr->n = hq_result_cols(r);
        pr->names = calloc(pr->n, sizeof *pr->names);
        pr->values = calloc(pr->n, sizeof *pr->values);
        for (size_t i = 0; i < pr->n; i++) {
            pr->names[i] = strdup(hq_result_name(r, i));
            pr->values[i] = dup_or_null(hq_result_value(r, 0, i));
        }
        hq_result_free(r);
        G.n_rows++;
        return pr;
    }
    const HqRecordDesc *d = t->record;
    void *rec = calloc(1, d->size), *out = calloc(1, d->size);
    HqColumnSet cols;
    build_row(t, rec, &cols, depth + 1);
    OK(hq_insert(G.db.c, t, rec, &cols, out, &err));
    pr = &G.rows[G.n_rows]; /* build_row may have added parents */
    pr->table = strdup(sql_name);
    pr->n = d->n_fields;
    pr->names = calloc(pr->n, sizeof *pr->names);
    pr->values = calloc(pr->n, sizeof *pr->values);
    for (size_t i = 0; i < d->n_fields; i++) {
        pr->names[i] = strdup(column_info(sql_name, d->fields[i].name)->name);
        pr->values[i] = field_text(out, &d->fields[i]);
    }
    G.n_rows++;
    hq_record_clear(d, rec, &G.db.a);
    hq_record_clear(d, out, &G.db.a);
    free(rec);
    free(out);
    return pr;
}

static RowText *parent(const char *sql_name, bool fresh, int depth)
{
    if (depth > 12)
        fail_msg("foreign keys nest too deep at %s", sql_name);
    for (size_t i = 0; !fresh && i < G.n_rows; i++)
        if (!strcmp(G.rows[i].table, sql_name))
            return &G.rows[i];
    return new_parent(sql_name, depth);
}

/* A row of t with a value in every writable column (cols: those columns). Foreign key columns
 * take the referenced values of parent rows, created first; a second foreign key to the same
 * table gets a row of its own (task_relations: source and target must differ). */
static void build_row(const HqTableDesc *t, void *rec, HqColumnSet *cols, int depth)
{
    const HqRecordDesc *d = t->record;
    memset(rec, 0, d->size);
    hq_colset_clear(cols);
    char **fk_text = calloc(d->n_fields, sizeof *fk_text);
    bool *fk_set = calloc(d->n_fields, sizeof *fk_set);
    RowText *current = NULL;
    const char *refs_seen[32];
    size_t n_refs = 0;
    for (size_t i = 0; i < G.n_fks; i++) {
        const FkCol *fk = &G.fks[i];
        if (strcmp(fk->table, t->sql_name))
            continue;
        bool first_col = i == 0 || strcmp(G.fks[i - 1].table, fk->table) || strcmp(G.fks[i - 1].conname, fk->conname);
        if (first_col) {
            current = NULL;
            if (strcmp(fk->ref_table, t->sql_name)) { /* a self reference stays NULL */
                bool again = false;
                for (size_t s = 0; s < n_refs; s++)
                    again |= !strcmp(refs_seen[s], fk->ref_table);
                current = parent(fk->ref_table, again, depth);
                assert_true(n_refs < 32);
                refs_seen[n_refs++] = fk->ref_table;
            }
        }
        size_t k = 0;
        while (k < d->n_fields && strcmp(column_info(t->sql_name, d->fields[k].name)->name, fk->column))
            k++;
        assert_true(k < d->n_fields);
        if (fk_set[k])
            continue; /* a column in two foreign keys takes its value from the first */
        fk_set[k] = true;
        fk_text[k] = current != NULL ? dup_or_null(row_value(current, fk->ref_column)) : NULL;
    }
    for (size_t i = 0; i < d->n_fields; i++) {
        const HqField *f = &d->fields[i];
        if (f->flags & HQ_FIELD_GENERATED)
            continue;
        hq_colset_add(cols, i);
        const ColInfo *ci = column_info(t->sql_name, f->name);
        if (fk_set[i]) {
            set_field(t->sql_name, rec, f, fk_text[i]);
            free(fk_text[i]);
            continue;
        }
        char *text = value_text(t->sql_name, f, ci, i, ++G.counter);
        set_field(t->sql_name, rec, f, text);
        free(text);
    }
    free(fk_text);
    free(fk_set);
}

/* ---- the round trip ----------------------------------------------------------------------- */

typedef struct ListCheck {
    const HqTableDesc *t;
    void *expected;
    size_t n;
} ListCheck;

static int on_listed_row(void *ctx, void *row)
{
    ListCheck *lc = ctx;
    compare_rows(lc->t, lc->expected, row, NULL, false, "list");
    lc->n++;
    return 0;
}

static bool is_key_field(const HqTableDesc *t, size_t field)
{
    const HqKey *keys[17];
    size_t n = 0;
    keys[n++] = t->primary_key;
    for (size_t i = 0; i < t->n_unique_keys && n < 17; i++)
        keys[n++] = &t->unique_keys[i];
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; keys[k] != NULL && i < keys[k]->n_fields; i++)
            if (keys[k]->fields[i] == field)
                return true;
    return false;
}

static bool is_fk_column(const char *table, const char *column)
{
    for (size_t i = 0; i < G.n_fks; i++)
        if (!strcmp(G.fks[i].table, table) && !strcmp(G.fks[i].column, column))
            return true;
    return false;
}

/* The field an update changes: the first plain text column, else an integer, a boolean or a
 * timestamp, none of them part of a key, a foreign key or an override. */
static size_t update_field(const HqTableDesc *t)
{
    static const HqType order[] = {HQ_TYPE_TEXT, HQ_TYPE_INT4, HQ_TYPE_BOOL, HQ_TYPE_TIMESTAMPTZ};
    const HqRecordDesc *d = t->record;
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
        for (size_t i = 0; i < d->n_fields; i++) {
            const HqField *f = &d->fields[i];
            const ColInfo *ci = column_info(t->sql_name, f->name);
            bool overridden = false;
            for (size_t k = 0; k < sizeof overrides / sizeof overrides[0]; k++)
                overridden |= !strcmp(overrides[k].table, t->sql_name) && !strcmp(overrides[k].column, ci->name);
            if (f->type != order[o] || (f->flags & (HQ_FIELD_ARRAY | HQ_FIELD_GENERATED)) || is_key_field(t, i) ||
                is_fk_column(t->sql_name, ci->name) || overridden || is_rewritten(t->sql_name, ci->name))
                continue;
            /* Plain text only (time, tsvector, ... also travel as text). */
            size_t nl = strlen(ci->name);
            if (f->type == HQ_TYPE_TEXT && (strcmp(ci->type, "text") || !strcmp(ci->name, "timezone") ||
                                            (nl > 3 && !strcmp(ci->name + nl - 3, "_tz"))))
                continue;
            return i;
        }
    return SIZE_MAX;
}

static void test_round_trip(void **state)
{
    if (!G.connected)
        skip();
    const HqTableDesc *t = effective(*state);
    const HqRecordDesc *d = t->record;
    HqConn *c = G.db.c;
    HqError err;
    void *row = calloc(1, d->size), *out = calloc(1, d->size), *got = calloc(1, d->size);
    void *upd = calloc(1, d->size), *again = calloc(1, d->size);
    HqColumnSet cols;

    /* insert: every writable column, parents first */
    build_row(t, row, &cols, 0);
    OK(hq_insert(c, t, row, &cols, out, &err));
    compare_rows(t, row, out, &cols, true, "insert returned");

    /* get by primary key */
    /* AFTER triggers may have changed the row since RETURNING (tasks: updated_at). */
    OK(hq_get(c, t, out, got, &err));
    compare_rows(t, out, got, NULL, true, "get");

    /* list with an equality filter on the primary key */
    HqColumnSet where;
    hq_colset_clear(&where);
    for (size_t i = 0; i < t->primary_key->n_fields; i++)
        hq_colset_add(&where, t->primary_key->fields[i]);
    HqOrderBy order = {t->primary_key->fields[0], true};
    HqListOptions opt = {&where, got, 1, &order, 10, 0};
    ListCheck lc = {t, got, 0};
    OK(hq_list(c, t, &opt, on_listed_row, &lc, &err));
    assert_int_equal(lc.n, 1);

    /* update one field */
    size_t uf = update_field(t);
    if (uf != SIZE_MAX) {
        const HqField *f = &d->fields[uf];
        const ColInfo *ci = column_info(t->sql_name, f->name);
        clear_field(got, f);
        char *text = value_text(t->sql_name, f, ci, uf, ++G.counter);
        set_field(t->sql_name, got, f, text);
        free(text);
        HqColumnSet one;
        hq_colset_clear(&one);
        hq_colset_add(&one, uf);
        OK(hq_update(c, t, got, &one, upd, &err));
        compare_rows(t, got, upd, NULL, true, "update returned");
        OK(hq_get(c, t, upd, again, &err));
        compare_rows(t, upd, again, NULL, false, "get after update");
        hq_record_clear(d, again, &G.db.a);
    } else if (strcmp(t->sql_name, "public.task_labels") && strcmp(t->sql_name, "public.knowledge_item_agents")) {
        fail_msg("%s: no field to update", t->sql_name);
    }

    /* delete, then the row is gone */
    uint64_t n_deleted = 0;
    OK(hq_delete(c, t, got, &n_deleted, &err));
    assert_int_equal(n_deleted, 1);
    EXPECT(hq_get(c, t, got, again, &err), HQ_ERR_NOT_FOUND);

    hq_record_clear(d, row, &G.db.a);
    hq_record_clear(d, out, &G.db.a);
    hq_record_clear(d, got, &G.db.a);
    hq_record_clear(d, upd, &G.db.a);
    free(row);
    free(out);
    free(got);
    free(upd);
    free(again);
}

static int begin_tx(void **state)
{
    (void)state;
    if (!G.connected)
        return 0;
    HqError err;
    return hq_begin(G.db.c, &err) == HQ_OK ? 0 : -1;
}

static int rollback_tx(void **state)
{
    (void)state;
    if (!G.connected)
        return 0;
    for (size_t i = 0; i < G.n_rows; i++)
        free_row_text(&G.rows[i]);
    G.n_rows = 0;
    HqError err;
    return hq_rollback(G.db.c, &err) == HQ_OK ? 0 : -1;
}

static int group_setup(void **state)
{
    (void)state;
    if (test_dsn() == NULL)
        return 0;
    if (db_open(&G.db) != 0 || load_catalog() != 0)
        return -1;
    G.connected = true;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (!G.connected)
        return 0;
    free_catalog();
    return db_close(&G.db);
}

int main(void)
{
    size_t n = hq__schema__n_tables;
    struct CMUnitTest *tests = calloc(n + 2, sizeof *tests);
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_descriptors_match_catalog);
    tests[1] = (struct CMUnitTest)cmocka_unit_test(test_functions_match_catalog);
    for (size_t i = 0; i < n; i++) {
        struct CMUnitTest *tc = &tests[i + 2];
        tc->name = hq__schema__tables[i]->sql_name;
        tc->test_func = test_round_trip;
        tc->setup_func = begin_tx;
        tc->teardown_func = rollback_tx;
        tc->initial_state = (void *)hq__schema__tables[i];
    }
    if (test_dsn() == NULL)
        fprintf(stderr, "HQ_TEST_DSN is not set: the table tests are skipped\n");
    int rc = _cmocka_run_group_tests("tables", tests, n + 2, group_setup, group_teardown);
    free(tests);
    return rc;
}
