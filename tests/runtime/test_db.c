/* test_db.c - libhq against a live PostgreSQL: statement cache reuse, transactions and
 * savepoints, pipeline batches with a failing row, RLS while acting as a role with JWT claims,
 * server error fields, descriptor-driven CRUD/list/calls, and streaming 100k rows in bounded
 * memory. Needs HQ_TEST_DSN (a libpq conninfo); every test is skipped without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hq.h"
#include "test_util.h"

#if defined(__SANITIZE_ADDRESS__)
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void)
{
    return __sanitizer_get_current_allocated_bytes();
}
#else
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2(); /* 0 under valgrind, which replaces malloc */
    return mi.uordblks + mi.hblkhd;
}
#endif

static const char *dsn;

#define NEED_DB()                                                                                 \
    do {                                                                                          \
        if (dsn == NULL)                                                                          \
            skip();                                                                               \
    } while (0)

/* Fails the test with the formatted error when st is not expected. */
static void check(HqStatus st, HqStatus expected, const HqError *err, int line)
{
    if (st != expected) {
        char buf[1024];
        hq_error_format(err, buf, sizeof buf);
        fail_msg("line %d: got %s, expected %s: %s", line, hq_status_name(st),
                 hq_status_name(expected), buf);
    }
}
#define OK(call) check((call), HQ_OK, &err, __LINE__)
#define EXPECT(call, st) check((call), (st), &err, __LINE__)

/* Each test gets its own connection through a counting allocator, to prove it frees everything. */
typedef struct Db {
    TestAlloc ta;
    HqAllocator a;
    HqConn *c;
} Db;

static void db_open(Db *db)
{
    memset(db, 0, sizeof *db);
    db->ta.fail_at = -1;
    db->a = test_alloc_hook(&db->ta);
    HqError err;
    OK(hq_connect(dsn, &db->a, &db->c, &err));
}

static void db_close(Db *db)
{
    hq_conn_free(db->c);
    assert_int_equal(db->ta.live, 0);
}

/* First column of the first row as text (caller frees), or NULL for SQL NULL. */
static char *scalar(HqConn *c, const char *sql, size_t n, const char *const *values)
{
    HqResult *r;
    HqError err;
    OK(hq_query(c, sql, n, values, &r, &err));
    assert_int_equal(hq_result_rows(r), 1);
    const char *v = hq_result_value(r, 0, 0);
    char *copy = v != NULL ? strdup(v) : NULL;
    hq_result_free(r);
    return copy;
}

static long scalar_long(HqConn *c, const char *sql)
{
    char *s = scalar(c, sql, 0, NULL);
    assert_non_null(s);
    long v = strtol(s, NULL, 10);
    free(s);
    return v;
}

static const char schema_sql[] =
    "SET client_min_messages = warning;"
    "DROP SCHEMA IF EXISTS hq_rt CASCADE;"
    "CREATE SCHEMA hq_rt;"
    "CREATE TYPE hq_rt.item_status AS ENUM ('pending', 'leased', 'done');"
    "CREATE TABLE hq_rt.items ("
    "  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
    "  name text NOT NULL UNIQUE,"
    "  qty integer,"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  status hq_rt.item_status NOT NULL DEFAULT 'pending',"
    "  tags text[],"
    "  meta jsonb,"
    "  price numeric NOT NULL DEFAULT 0);"
    "CREATE TABLE hq_rt.all_types ("
    "  id bigint PRIMARY KEY, b boolean, i2 smallint, i4 integer, i8 bigint, f4 real,"
    "  f8 double precision, num numeric, txt text, js json, jsb jsonb, bin bytea, u uuid,"
    "  ts timestamptz, d date, st hq_rt.item_status, a_i4 integer[], a_txt text[],"
    "  a_ts timestamptz[], a_st hq_rt.item_status[], a_jsb jsonb[], a_bin bytea[]);"
    "CREATE TABLE hq_rt.big (id bigint PRIMARY KEY, payload text NOT NULL);"
    "INSERT INTO hq_rt.big SELECT i, repeat(md5(i::text), 7) FROM generate_series(1, 100000) i;"
    "CREATE FUNCTION hq_rt.add(a integer, b integer DEFAULT 10) RETURNS integer"
    "  LANGUAGE sql AS 'SELECT a + b';"
    "CREATE FUNCTION hq_rt.pairs(n integer) RETURNS TABLE(x integer, y text)"
    "  LANGUAGE sql AS 'SELECT i, ''v'' || i FROM generate_series(1, n) i';"
    "CREATE FUNCTION hq_rt.items_like(p_prefix text) RETURNS SETOF hq_rt.items"
    "  LANGUAGE sql AS 'SELECT * FROM hq_rt.items WHERE name LIKE p_prefix || ''%'' ORDER BY name';"
    "CREATE FUNCTION hq_rt.touch(p_note text DEFAULT NULL) RETURNS void"
    "  LANGUAGE plpgsql AS 'BEGIN PERFORM 1; END';"
    "CREATE FUNCTION hq_rt.schema_version() RETURNS text LANGUAGE sql AS 'SELECT ''v42''';"
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_hq_authenticated')"
    "  THEN CREATE ROLE regress_hq_authenticated NOLOGIN; END IF; END $$;"
    "CREATE TABLE hq_rt.notes (id integer PRIMARY KEY, owner text NOT NULL, body text NOT NULL);"
    "ALTER TABLE hq_rt.notes ENABLE ROW LEVEL SECURITY;"
    "CREATE POLICY notes_owner ON hq_rt.notes FOR ALL TO regress_hq_authenticated"
    "  USING (owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub')"
    "  WITH CHECK (owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub');"
    "GRANT USAGE ON SCHEMA hq_rt TO regress_hq_authenticated;"
    "GRANT SELECT, INSERT ON hq_rt.notes TO regress_hq_authenticated;"
    "INSERT INTO hq_rt.notes VALUES (1, 'alice', 'a1'), (2, 'alice', 'a2'), (3, 'bob', 'b1');";

static int group_setup(void **state)
{
    (void)state;
    dsn = getenv("HQ_TEST_DSN");
    if (dsn != NULL && dsn[0] == '\0')
        dsn = NULL;
    if (dsn == NULL)
        return 0;
    HqConn *c;
    HqError err;
    if (hq_connect(dsn, NULL, &c, &err) != HQ_OK || hq_exec_script(c, schema_sql, &err) != HQ_OK) {
        char buf[1024];
        hq_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "test_db setup failed: %s\n", buf);
        hq_conn_free(c);
        return -1;
    }
    hq_conn_free(c);
    return 0;
}

/* ----------------------------------------------------------------- the items table, as hqc
 * would generate it */

typedef struct Item {
    HqUuid id;
    char *name;
    int32_t qty;
    bool qty_is_null;
    int64_t created_at;
    int status;
    HqArray tags;
    bool tags_is_null;
    char *meta;
    bool meta_is_null;
    char *price;
} Item;

enum {
    ITEM_ID, ITEM_NAME, ITEM_QTY, ITEM_CREATED_AT, ITEM_STATUS, ITEM_TAGS, ITEM_META, ITEM_PRICE
};

static const char *const item_status_labels[] = {"pending", "leased", "done"};
static const HqEnumDesc item_status_enum = {"hq_rt.item_status", 3, item_status_labels};

static const HqField item_fields[] = {
    {"id", HQ_TYPE_UUID, HQ_FIELD_PRIMARY_KEY | HQ_FIELD_HAS_DEFAULT, offsetof(Item, id), 0, NULL,
     NULL},
    {"name", HQ_TYPE_TEXT, 0, offsetof(Item, name), 0, NULL, NULL},
    {"qty", HQ_TYPE_INT4, HQ_FIELD_NULLABLE, offsetof(Item, qty), offsetof(Item, qty_is_null),
     NULL, NULL},
    {"created_at", HQ_TYPE_TIMESTAMPTZ, HQ_FIELD_HAS_DEFAULT, offsetof(Item, created_at), 0, NULL,
     NULL},
    {"status", HQ_TYPE_ENUM, HQ_FIELD_HAS_DEFAULT, offsetof(Item, status), 0, &item_status_enum,
     "hq_rt.item_status"},
    {"tags", HQ_TYPE_TEXT, HQ_FIELD_ARRAY | HQ_FIELD_NULLABLE, offsetof(Item, tags),
     offsetof(Item, tags_is_null), NULL, NULL},
    {"meta", HQ_TYPE_JSONB, HQ_FIELD_NULLABLE, offsetof(Item, meta), offsetof(Item, meta_is_null),
     NULL, NULL},
    {"price", HQ_TYPE_NUMERIC, HQ_FIELD_HAS_DEFAULT, offsetof(Item, price), 0, NULL, NULL},
};
static const HqRecordDesc item_desc = {"hq_rt__item", sizeof(Item), 8, item_fields};
static const uint16_t item_pk_fields[] = {ITEM_ID};
static const HqKey item_pk = {"items_pkey", 1, item_pk_fields, NULL};
static const uint16_t item_name_fields[] = {ITEM_NAME};
static const HqKey item_keys[] = {{"items_name_key", 1, item_name_fields, NULL}};
static const HqTableDesc items_table = {"hq_rt.items", &item_desc, &item_pk, 1, item_keys};

static void reset_items(HqConn *c)
{
    HqError err;
    OK(hq_exec_script(c, "TRUNCATE hq_rt.items", &err));
}

static Item item_named(char *name)
{
    Item it;
    memset(&it, 0, sizeof it);
    it.name = name;
    it.qty_is_null = it.tags_is_null = it.meta_is_null = true;
    it.price = (char *)"0";
    return it;
}

/* ----------------------------------------------------------------- tests */

static void test_connect_session(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    assert_non_null(hq_conn_pg(db.c));
    assert_true(hq_conn_allocator(db.c)->ctx == &db.ta);
    char *tz = scalar(db.c, "SHOW TimeZone", 0, NULL);
    assert_string_equal(tz, "UTC");
    free(tz);
    char *ds = scalar(db.c, "SHOW DateStyle", 0, NULL);
    assert_string_equal(ds, "ISO, YMD");
    free(ds);
    HqError err;
    OK(hq_conn_reset(db.c, &err));
    tz = scalar(db.c, "SHOW TimeZone", 0, NULL);
    assert_string_equal(tz, "UTC");
    free(tz);
    db_close(&db);

    /* DATABASE_URL is used when no conninfo is given. */
    setenv("DATABASE_URL", dsn, 1);
    HqConn *c;
    OK(hq_connect(NULL, NULL, &c, &err));
    hq_conn_free(c);
    unsetenv("DATABASE_URL");
}

static void test_statement_cache(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    HqConnStats s0, s1;
    hq_conn_stats(db.c, &s0);
    const char *sql = "SELECT $1::integer + 1";
    for (int i = 0; i < 10; i++) {
        char arg[16];
        snprintf(arg, sizeof arg, "%d", i);
        const char *values[] = {arg};
        char *v = scalar(db.c, sql, 1, values);
        assert_int_equal(atoi(v), i + 1);
        free(v);
    }
    hq_conn_stats(db.c, &s1);
    assert_true(s1.n_prepares - s0.n_prepares == 1); /* prepared once ... */
    assert_true(s1.n_cache_hits - s0.n_cache_hits == 9); /* ... reused nine times */
    assert_true(s1.n_executions - s0.n_executions == 10);
    const char *values[] = {sql};
    char *n = scalar(db.c, "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", 1,
                     values);
    assert_string_equal(n, "1");
    free(n);

    /* Statements dropped behind the cache's back are prepared again transparently. */
    OK(hq_exec_script(db.c, "DEALLOCATE ALL", &err));
    const char *one[] = {"41"};
    char *v = scalar(db.c, sql, 1, one);
    assert_string_equal(v, "42");
    free(v);

    /* The cache is bounded: the least recently used statement is deallocated. */
    hq_conn_set_cache_capacity(db.c, 3);
    for (int i = 0; i < 10; i++) {
        char q[64];
        snprintf(q, sizeof q, "SELECT %d", i);
        free(scalar(db.c, q, 0, NULL));
    }
    hq_conn_stats(db.c, &s1);
    assert_true(s1.n_cached <= 3);
    long server = scalar_long(db.c, "SELECT count(*) FROM pg_prepared_statements");
    assert_true(server <= 3);
    db_close(&db);
}

static void test_crud(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    reset_items(db.c);
    OK(hq_record_check(&item_desc, &err));

    /* Insert only the name: defaults fill in id, created_at, status and price. */
    Item in = item_named((char *)"widget");
    HqColumnSet cols;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_NAME);
    Item out;
    OK(hq_insert(db.c, &items_table, &in, &cols, &out, &err));
    assert_string_equal(out.name, "widget");
    assert_true(out.qty_is_null && out.tags_is_null && out.meta_is_null);
    assert_int_equal(out.status, 0);
    assert_string_equal(out.price, "0");
    assert_true(out.created_at > INT64_C(1600000000000000));
    HqUuid id = out.id;
    hq_record_clear(&item_desc, &out, &db.a);

    /* Insert every column. */
    char *tags[] = {"a", "b c", NULL};
    bool tag_nulls[] = {false, false, true};
    Item full = item_named((char *)"gadget");
    full.id = id;
    full.id.bytes[15] ^= 1;
    full.qty = 7, full.qty_is_null = false;
    full.created_at = 0;
    full.status = 2;
    full.tags = (HqArray){3, tags, tag_nulls}, full.tags_is_null = false;
    full.meta = (char *)"{\"k\": [1, 2]}", full.meta_is_null = false;
    full.price = (char *)"12.50";
    OK(hq_insert(db.c, &items_table, &full, NULL, &out, &err));
    assert_memory_equal(&out.id, &full.id, sizeof out.id);
    assert_true(out.created_at == 0);
    assert_int_equal(out.status, 2);
    assert_int_equal(out.tags.n_items, 3);
    assert_true(out.tags.nulls[2]);
    assert_string_equal(out.meta, "{\"k\": [1, 2]}");
    assert_string_equal(out.price, "12.50");
    hq_record_clear(&item_desc, &out, &db.a);

    /* Get by primary key; a missing key is HQ_ERR_NOT_FOUND. */
    Item key;
    memset(&key, 0, sizeof key);
    key.id = id;
    OK(hq_get(db.c, &items_table, &key, &out, &err));
    assert_string_equal(out.name, "widget");
    hq_record_clear(&item_desc, &out, &db.a);
    key.id.bytes[0] ^= 0xff;
    EXPECT(hq_get(db.c, &items_table, &key, &out, &err), HQ_ERR_NOT_FOUND);

    /* Update only qty; the name in the record is ignored. */
    Item upd = item_named((char *)"ignored");
    upd.id = id;
    upd.qty = 99, upd.qty_is_null = false;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_QTY);
    OK(hq_update(db.c, &items_table, &upd, &cols, &out, &err));
    assert_int_equal(out.qty, 99);
    assert_string_equal(out.name, "widget");
    hq_record_clear(&item_desc, &out, &db.a);
    OK(hq_update(db.c, &items_table, &upd, &cols, NULL, &err));
    upd.id = key.id;
    EXPECT(hq_update(db.c, &items_table, &upd, &cols, NULL, &err), HQ_ERR_NOT_FOUND);
    HqColumnSet none;
    hq_colset_clear(&none);
    EXPECT(hq_update(db.c, &items_table, &upd, &none, NULL, &err), HQ_ERR_INVALID);

    /* Upsert on the unique name: the existing row gets the new qty. */
    Item up = item_named((char *)"widget");
    up.qty = 5, up.qty_is_null = false;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_NAME);
    hq_colset_add(&cols, ITEM_QTY);
    OK(hq_upsert(db.c, &items_table, &item_keys[0], &up, &cols, &out, &err));
    assert_memory_equal(&out.id, &id, sizeof id);
    assert_int_equal(out.qty, 5);
    hq_record_clear(&item_desc, &out, &db.a);
    up.name = (char *)"gizmo";
    OK(hq_upsert(db.c, &items_table, &item_keys[0], &up, &cols, &out, &err));
    assert_string_equal(out.name, "gizmo");
    hq_record_clear(&item_desc, &out, &db.a);
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_NAME); /* nothing but the key: still returns the row */
    OK(hq_upsert(db.c, &items_table, &item_keys[0], &up, &cols, &out, &err));
    assert_int_equal(out.qty, 5);
    hq_record_clear(&item_desc, &out, &db.a);
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_QTY); /* key not written */
    EXPECT(hq_upsert(db.c, &items_table, &item_keys[0], &up, &cols, &out, &err), HQ_ERR_INVALID);

    /* Delete. */
    uint64_t n = 0;
    OK(hq_delete(db.c, &items_table, &key, &n, &err));
    assert_true(n == 0);
    key.id = id;
    OK(hq_delete(db.c, &items_table, &key, &n, &err));
    assert_true(n == 1);
    EXPECT(hq_get(db.c, &items_table, &key, &out, &err), HQ_ERR_NOT_FOUND);
    db_close(&db);
}

typedef struct Collect {
    int n;
    char names[16][32];
    int stop_after; /* 0: never */
    int ret;        /* returned when stopping */
} Collect;

static int collect_item(void *ctx, void *row)
{
    Collect *col = ctx;
    Item *it = row;
    if (col->n < 16)
        snprintf(col->names[col->n], sizeof col->names[0], "%s", it->name);
    col->n++;
    return col->stop_after > 0 && col->n >= col->stop_after ? col->ret : 0;
}

static void test_list(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    reset_items(db.c);
    const char *names[] = {"e", "a", "d", "b", "c", "f"};
    for (int i = 0; i < 6; i++) {
        Item it = item_named((char *)names[i]);
        it.status = i % 2;
        it.qty = i, it.qty_is_null = i == 5;
        HqColumnSet cols;
        hq_colset_clear(&cols);
        hq_colset_add(&cols, ITEM_NAME);
        hq_colset_add(&cols, ITEM_STATUS);
        hq_colset_add(&cols, ITEM_QTY);
        OK(hq_insert(db.c, &items_table, &it, &cols, NULL, &err));
    }
    /* status = pending (e, d, c) ORDER BY name DESC LIMIT 2 OFFSET 1 -> d, c */
    Item filter = item_named(NULL);
    filter.status = 0;
    HqColumnSet where;
    hq_colset_clear(&where);
    hq_colset_add(&where, ITEM_STATUS);
    HqOrderBy order[] = {{ITEM_NAME, true}};
    HqListOptions opt = {&where, &filter, 1, order, 2, 1};
    Collect col = {0};
    OK(hq_list(db.c, &items_table, &opt, collect_item, &col, &err));
    assert_int_equal(col.n, 2);
    assert_string_equal(col.names[0], "d");
    assert_string_equal(col.names[1], "c");

    /* A NULL filter value means IS NULL. */
    hq_colset_clear(&where);
    hq_colset_add(&where, ITEM_QTY);
    filter.qty_is_null = true;
    HqListOptions opt2 = {&where, &filter, 0, NULL, 0, 0};
    memset(&col, 0, sizeof col);
    OK(hq_list(db.c, &items_table, &opt2, collect_item, &col, &err));
    assert_int_equal(col.n, 1);
    assert_string_equal(col.names[0], "f");

    /* All rows; stop early (not an error), or abort (an error); the connection stays usable. */
    memset(&col, 0, sizeof col);
    col.stop_after = 2, col.ret = 1;
    OK(hq_list(db.c, &items_table, NULL, collect_item, &col, &err));
    assert_int_equal(col.n, 2);
    memset(&col, 0, sizeof col);
    col.stop_after = 3, col.ret = -7;
    EXPECT(hq_list(db.c, &items_table, NULL, collect_item, &col, &err), HQ_ERR_CALLBACK);
    assert_int_equal(col.n, 3);
    assert_int_equal(scalar_long(db.c, "SELECT count(*) FROM hq_rt.items"), 6);
    EXPECT(hq_list(db.c, &items_table, NULL, NULL, NULL, &err), HQ_ERR_INVALID);
    db_close(&db);
}

/* --------------------------------------------------------- every type through the server */

typedef struct AllTypes {
    int64_t id;
    bool b;
    int16_t i2;
    int32_t i4;
    int64_t i8;
    float f4;
    double f8;
    char *num;
    char *txt;
    char *js;
    char *jsb;
    HqBytes bin;
    HqUuid u;
    int64_t ts;
    int32_t d;
    int st;
    HqArray a_i4, a_txt, a_ts, a_st, a_jsb, a_bin;
    bool null[22]; /* null flag of field i */
} AllTypes;

#define AF(name, type, flags, member, i, e)                                                       \
    {name, type, (flags) | HQ_FIELD_NULLABLE, offsetof(AllTypes, member),                         \
     offsetof(AllTypes, null) + (i), e, NULL}
static const HqField all_fields[] = {
    {"id", HQ_TYPE_INT8, HQ_FIELD_PRIMARY_KEY, offsetof(AllTypes, id), 0, NULL, NULL},
    AF("b", HQ_TYPE_BOOL, 0, b, 1, NULL),
    AF("i2", HQ_TYPE_INT2, 0, i2, 2, NULL),
    AF("i4", HQ_TYPE_INT4, 0, i4, 3, NULL),
    AF("i8", HQ_TYPE_INT8, 0, i8, 4, NULL),
    AF("f4", HQ_TYPE_FLOAT4, 0, f4, 5, NULL),
    AF("f8", HQ_TYPE_FLOAT8, 0, f8, 6, NULL),
    AF("num", HQ_TYPE_NUMERIC, 0, num, 7, NULL),
    AF("txt", HQ_TYPE_TEXT, 0, txt, 8, NULL),
    AF("js", HQ_TYPE_JSON, 0, js, 9, NULL),
    AF("jsb", HQ_TYPE_JSONB, 0, jsb, 10, NULL),
    AF("bin", HQ_TYPE_BYTEA, 0, bin, 11, NULL),
    AF("u", HQ_TYPE_UUID, 0, u, 12, NULL),
    AF("ts", HQ_TYPE_TIMESTAMPTZ, 0, ts, 13, NULL),
    AF("d", HQ_TYPE_DATE, 0, d, 14, NULL),
    AF("st", HQ_TYPE_ENUM, 0, st, 15, &item_status_enum),
    AF("a_i4", HQ_TYPE_INT4, HQ_FIELD_ARRAY, a_i4, 16, NULL),
    AF("a_txt", HQ_TYPE_TEXT, HQ_FIELD_ARRAY, a_txt, 17, NULL),
    AF("a_ts", HQ_TYPE_TIMESTAMPTZ, HQ_FIELD_ARRAY, a_ts, 18, NULL),
    AF("a_st", HQ_TYPE_ENUM, HQ_FIELD_ARRAY, a_st, 19, &item_status_enum),
    AF("a_jsb", HQ_TYPE_JSONB, HQ_FIELD_ARRAY, a_jsb, 20, NULL),
    AF("a_bin", HQ_TYPE_BYTEA, HQ_FIELD_ARRAY, a_bin, 21, NULL),
};
static const HqRecordDesc all_desc = {"all_types", sizeof(AllTypes), 22, all_fields};
static const uint16_t all_pk_fields[] = {0};
static const HqKey all_pk = {"all_types_pkey", 1, all_pk_fields, NULL};
static const HqTableDesc all_table = {"hq_rt.all_types", &all_desc, &all_pk, 0, NULL};

static void assert_array_equal(HqType t, const HqArray *a, const HqArray *b)
{
    assert_int_equal(a->n_items, b->n_items);
    size_t size = hq_type_size(t);
    for (size_t i = 0; i < a->n_items; i++) {
        bool an = a->nulls != NULL && a->nulls[i], bn = b->nulls != NULL && b->nulls[i];
        assert_int_equal(an, bn);
        if (an)
            continue;
        const void *x = (const char *)a->items + i * size, *y = (const char *)b->items + i * size;
        if (t == HQ_TYPE_TEXT || t == HQ_TYPE_JSONB)
            assert_string_equal(*(char *const *)x, *(char *const *)y);
        else if (t == HQ_TYPE_BYTEA)
            assert_memory_equal(((const HqBytes *)x)->bytes, ((const HqBytes *)y)->bytes,
                                ((const HqBytes *)x)->n_bytes);
        else
            assert_memory_equal(x, y, size);
    }
}

static void test_all_types_roundtrip(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    OK(hq_record_check(&all_desc, &err));
    OK(hq_exec_script(db.c, "TRUNCATE hq_rt.all_types", &err));

    char digits[302];
    memset(digits, '7', 300);
    digits[0] = '-';
    digits[150] = '.';
    digits[300] = '\0';
    uint8_t bytes[] = {0, 1, 0xfe, 0xff, '\\', '"'};
    int32_t ints[] = {INT32_MIN, 0, INT32_MAX};
    char *texts[] = {"", "NULL", "a,b", "q\"uote", "back\\slash", "{brace}", " lead", "é", NULL};
    bool text_nulls[] = {false, false, false, false, false, false, false, false, true};
    int64_t times[3];
    assert_int_equal(hq_timestamp_from_parts(-4712, 1, 1, 0, 0, 0, 0, &times[0]), HQ_OK);
    assert_int_equal(hq_timestamp_from_parts(250000, 12, 31, 23, 59, 59, 999999, &times[1]),
                     HQ_OK);
    times[2] = HQ_TIMESTAMP_NEG_INFINITY;
    int sts[] = {2, 0};
    char *jsons[] = {"{\"a\": \"x\\\"y\"}", "[]"};
    HqBytes bins[] = {{6, bytes}, {0, NULL}};

    AllTypes in;
    memset(&in, 0, sizeof in);
    in.id = 1;
    in.b = true;
    in.i2 = INT16_MIN;
    in.i4 = INT32_MAX;
    in.i8 = INT64_MIN;
    in.f4 = 3.4028235e38f;
    in.f8 = 0.1;
    in.num = digits;
    in.txt = "multi\nline \"quoted\" \\ text é";
    in.js = "{\"b\":   1,\"a\":2}"; /* json keeps the text as written */
    in.jsb = "{\"a\": [1, 2.5, null, true]}";
    in.bin = (HqBytes){6, bytes};
    assert_int_equal(hq_decode(HQ_TYPE_UUID, NULL, "00000000-0000-0000-0000-000000000001", NULL,
                               &in.u, &err),
                     HQ_OK);
    assert_int_equal(hq_timestamp_from_parts(1969, 7, 20, 20, 17, 40, 123456, &in.ts), HQ_OK);
    assert_int_equal(hq_date_from_ymd(-43, 3, 15, &in.d), HQ_OK);
    in.st = 1;
    in.a_i4 = (HqArray){3, ints, NULL};
    in.a_txt = (HqArray){9, texts, text_nulls};
    in.a_ts = (HqArray){3, times, NULL};
    in.a_st = (HqArray){2, sts, NULL};
    in.a_jsb = (HqArray){2, jsons, NULL};
    in.a_bin = (HqArray){2, bins, NULL};

    AllTypes out;
    OK(hq_insert(db.c, &all_table, &in, NULL, &out, &err));
    for (int i = 0; i < 22; i++)
        assert_false(out.null[i]);
    assert_true(out.b);
    assert_int_equal(out.i2, INT16_MIN);
    assert_int_equal(out.i4, INT32_MAX);
    assert_true(out.i8 == INT64_MIN);
    assert_true(out.f4 == in.f4);
    assert_true(out.f8 == in.f8);
    assert_string_equal(out.num, digits);
    assert_string_equal(out.txt, in.txt);
    assert_string_equal(out.js, in.js);
    assert_string_equal(out.jsb, in.jsb);
    assert_int_equal(out.bin.n_bytes, 6);
    assert_memory_equal(out.bin.bytes, bytes, 6);
    assert_memory_equal(&out.u, &in.u, sizeof in.u);
    assert_true(out.ts == in.ts);
    assert_int_equal(out.d, in.d);
    assert_int_equal(out.st, 1);
    assert_array_equal(HQ_TYPE_INT4, &out.a_i4, &in.a_i4);
    assert_array_equal(HQ_TYPE_TEXT, &out.a_txt, &in.a_txt);
    assert_array_equal(HQ_TYPE_TIMESTAMPTZ, &out.a_ts, &in.a_ts);
    assert_array_equal(HQ_TYPE_ENUM, &out.a_st, &in.a_st);
    assert_array_equal(HQ_TYPE_JSONB, &out.a_jsb, &in.a_jsb);
    assert_array_equal(HQ_TYPE_BYTEA, &out.a_bin, &in.a_bin);
    hq_record_clear(&all_desc, &out, &db.a);

    /* The server agrees on the meaning, not only on the round trip. */
    char *s = scalar(db.c, "SELECT ts::text || ' / ' || d::text FROM hq_rt.all_types", 0, NULL);
    assert_string_equal(s, "1969-07-20 20:17:40.123456+00 / 0044-03-15 BC");
    free(s);
    s = scalar(db.c, "SELECT extract(epoch FROM ts)::text FROM hq_rt.all_types", 0, NULL);
    assert_string_equal(s, "-14182939.876544");
    free(s);
    s = scalar(db.c, "SELECT a_ts[2]::text FROM hq_rt.all_types", 0, NULL);
    assert_string_equal(s, "250000-12-31 23:59:59.999999+00");
    free(s);

    /* A row of NULLs. */
    AllTypes nulls;
    memset(&nulls, 0, sizeof nulls);
    nulls.id = 2;
    for (int i = 1; i < 22; i++)
        nulls.null[i] = true;
    OK(hq_insert(db.c, &all_table, &nulls, NULL, NULL, &err));
    AllTypes key = {0};
    key.id = 2;
    OK(hq_get(db.c, &all_table, &key, &out, &err));
    for (int i = 1; i < 22; i++)
        assert_true(out.null[i]);
    assert_null(out.txt);
    assert_null(out.a_txt.items);
    hq_record_clear(&all_desc, &out, &db.a);

    /* Infinity and special floats. */
    AllTypes inf = nulls;
    inf.id = 3;
    inf.null[6] = inf.null[13] = inf.null[14] = inf.null[7] = false;
    inf.f8 = -1.0 / 0.0;
    inf.ts = HQ_TIMESTAMP_INFINITY;
    inf.d = HQ_DATE_NEG_INFINITY;
    inf.num = "NaN";
    OK(hq_insert(db.c, &all_table, &inf, NULL, &out, &err));
    assert_true(out.f8 < 0 && out.f8 * 0 != 0);
    assert_true(out.ts == HQ_TIMESTAMP_INFINITY);
    assert_true(out.d == HQ_DATE_NEG_INFINITY);
    assert_string_equal(out.num, "NaN");
    hq_record_clear(&all_desc, &out, &db.a);
    db_close(&db);
}

/* ----------------------------------------------------------------- errors */

static void test_unique_violation(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    reset_items(db.c);
    HqColumnSet cols;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_NAME);
    Item it = item_named((char *)"dup");
    OK(hq_insert(db.c, &items_table, &it, &cols, NULL, &err));
    EXPECT(hq_insert(db.c, &items_table, &it, &cols, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "23505");
    assert_string_equal(err.constraint_name, "items_name_key");
    assert_string_equal(err.table_name, "items");
    assert_string_equal(err.schema_name, "hq_rt");
    assert_non_null(strstr(err.detail, "(name)=(dup)"));
    assert_true(hq_error_is(&err, "23505") && hq_error_is(&err, "23"));
    char buf[512];
    hq_error_format(&err, buf, sizeof buf);
    assert_non_null(strstr(buf, "ERROR 23505"));
    assert_non_null(strstr(buf, "items_name_key"));

    /* NOT NULL violation names the column; a syntax error has a hint-less 42601. */
    it.name = NULL;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_QTY);
    it.qty_is_null = false;
    EXPECT(hq_insert(db.c, &items_table, &it, &cols, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "23502");
    assert_string_equal(err.column_name, "name");
    EXPECT(hq_query(db.c, "SELEC 1", 0, NULL, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "42601");
    EXPECT(hq_exec_script(db.c, "DO $$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'd', "
                                "HINT = 'h', ERRCODE = 'P0001'; END $$",
                          &err),
           HQ_ERR_SERVER);
    assert_string_equal(err.message, "boom");
    assert_string_equal(err.detail, "d");
    assert_string_equal(err.hint, "h");
    assert_string_equal(err.sqlstate, "P0001");

    /* Malformed server text for the declared type is a decode error, not a crash. */
    static const HqField int_field[] = {{"v", HQ_TYPE_INT4, 0, 0, 0, NULL, NULL}};
    static const HqRecordDesc int_desc = {"one_int", sizeof(int32_t), 1, int_field};
    HqQuery q = {"SELECT 'abc'::text", NULL, &int_desc};
    int32_t v;
    EXPECT(hq_exec(db.c, &q, NULL, &v, NULL, NULL, NULL, &err), HQ_ERR_DECODE);
    assert_string_equal(err.column_name, "v");
    static const HqField ts_field[] = {{"t", HQ_TYPE_TIMESTAMPTZ, 0, 0, 0, NULL, NULL}};
    static const HqRecordDesc ts_desc = {"one_ts", sizeof(int64_t), 1, ts_field};
    OK(hq_exec_script(db.c, "SET DateStyle = 'German'", &err));
    HqQuery qt = {"SELECT now()", NULL, &ts_desc};
    int64_t t;
    EXPECT(hq_exec(db.c, &qt, NULL, &t, NULL, NULL, NULL, &err), HQ_ERR_DECODE);
    OK(hq_exec_script(db.c, "SET DateStyle = 'ISO, YMD'", &err));
    OK(hq_exec(db.c, &qt, NULL, &t, NULL, NULL, NULL, &err));
    HqQuery q2 = {"SELECT 1, 2", NULL, &int_desc}; /* column count differs from the descriptor */
    EXPECT(hq_exec(db.c, &q2, NULL, &v, NULL, NULL, NULL, &err), HQ_ERR_INVALID);
    db_close(&db);
}

/* ----------------------------------------------------------------- transactions */

static long count_items(HqConn *c)
{
    return scalar_long(c, "SELECT count(*) FROM hq_rt.items");
}

static void insert_name(HqConn *c, const char *name, HqStatus expected)
{
    HqError err;
    HqColumnSet cols;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_NAME);
    Item it = item_named((char *)name);
    EXPECT(hq_insert(c, &items_table, &it, &cols, NULL, &err), expected);
}

static void test_transactions(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    reset_items(db.c);
    assert_false(hq_in_transaction(db.c));
    OK(hq_begin(db.c, &err));
    assert_true(hq_in_transaction(db.c));
    insert_name(db.c, "A", HQ_OK);
    HqSavepoint sp;
    OK(hq_savepoint(db.c, &sp, &err));
    insert_name(db.c, "B", HQ_OK);
    insert_name(db.c, "A", HQ_ERR_SERVER); /* fails: the transaction is now aborted ... */
    EXPECT(hq_query(db.c, "SELECT 1", 0, NULL, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "25P02");
    OK(hq_savepoint_rollback(db.c, &sp, &err)); /* ... until rolled back to the savepoint */
    insert_name(db.c, "C", HQ_OK);
    HqSavepoint sp2;
    OK(hq_savepoint(db.c, &sp2, &err));
    insert_name(db.c, "D", HQ_OK);
    OK(hq_savepoint_release(db.c, &sp2, &err));
    OK(hq_commit(db.c, &err));
    assert_false(hq_in_transaction(db.c));
    char *names = scalar(db.c, "SELECT string_agg(name, ',' ORDER BY name) FROM hq_rt.items", 0,
                         NULL);
    assert_string_equal(names, "A,C,D");
    free(names);

    OK(hq_begin_ex(db.c, HQ_ISOLATION_SERIALIZABLE, false, &err));
    insert_name(db.c, "E", HQ_OK);
    OK(hq_rollback(db.c, &err));
    assert_int_equal(count_items(db.c), 3);

    /* COMMIT of a failed transaction is a rollback: reported, not mistaken for success. */
    OK(hq_begin(db.c, &err));
    insert_name(db.c, "F", HQ_OK);
    insert_name(db.c, "A", HQ_ERR_SERVER);
    EXPECT(hq_commit(db.c, &err), HQ_ERR_STATE);
    assert_false(hq_in_transaction(db.c));
    assert_int_equal(count_items(db.c), 3);

    OK(hq_begin_ex(db.c, HQ_ISOLATION_REPEATABLE_READ, true, &err));
    insert_name(db.c, "G", HQ_ERR_SERVER); /* read-only transaction */
    OK(hq_rollback(db.c, &err));
    EXPECT(hq_savepoint_rollback(db.c, &sp, &err), HQ_ERR_SERVER); /* outside a transaction */
    HqSavepoint unset = {0};
    EXPECT(hq_savepoint_release(db.c, &unset, &err), HQ_ERR_INVALID);
    EXPECT(hq_begin_ex(db.c, (HqIsolation)9, false, &err), HQ_ERR_INVALID);
    db_close(&db);
}

/* ----------------------------------------------------------------- pipeline batches */

typedef struct Returned {
    size_t n;
    size_t last_index;
    bool ordered;
} Returned;

static int on_batch_row(void *ctx, size_t index, void *row)
{
    Returned *r = ctx;
    if (r->n > 0 && index != r->last_index + 1)
        r->ordered = false;
    if (index < 300) {
        char want[32];
        snprintf(want, sizeof want, "r%zu", index);
        if (strcmp(((Item *)row)->name, want) != 0)
            r->ordered = false;
    } else if (*(int64_t *)row != 300) {
        r->ordered = false; /* item 300 counts the rows inserted before it, same transaction */
    }
    r->last_index = index;
    r->n++;
    return 0;
}

static void run_batch(HqConn *c, HqBatchMode mode, size_t n, size_t bad, HqBatch **out)
{
    HqError err;
    HqBatch *b;
    OK(hq_batch_begin(c, mode, NULL, NULL, &b, &err));
    /* The connection refuses other work while the batch is open. */
    EXPECT(hq_query(c, "SELECT 1", 0, NULL, NULL, &err), HQ_ERR_STATE);
    HqColumnSet cols;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_NAME);
    hq_colset_add(&cols, ITEM_QTY);
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "item-%zu", i == bad ? (size_t)10 : i); /* duplicate */
        Item it = item_named(name);
        it.qty = (int32_t)i, it.qty_is_null = false;
        OK(hq_batch_add_insert(b, &items_table, &it, &cols, &err));
    }
    assert_int_equal(hq_batch_count(b), n);
    *out = b;
}

static void test_pipeline(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;

    /* Atomic: one failing row out of 1000 is reported by index and SQLSTATE; nothing commits. */
    reset_items(db.c);
    HqBatch *b;
    run_batch(db.c, HQ_BATCH_ATOMIC, 1000, 537, &b);
    EXPECT(hq_batch_finish(b, &err), HQ_ERR_SERVER);
    assert_true(err.batch_index == 537);
    assert_string_equal(err.sqlstate, "23505");
    assert_string_equal(err.constraint_name, "items_name_key");
    assert_int_equal(hq_batch_failed(b), 1);
    EXPECT(hq_batch_item_status(b, 537, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "23505");
    EXPECT(hq_batch_item_status(b, 0, &err), HQ_ERR_ABORTED);   /* rolled back */
    EXPECT(hq_batch_item_status(b, 999, &err), HQ_ERR_ABORTED); /* skipped */
    EXPECT(hq_batch_item_status(b, 1000, &err), HQ_ERR_INVALID);
    EXPECT(hq_batch_finish(b, &err), HQ_ERR_SERVER); /* finishing twice repeats the outcome */
    assert_true(err.batch_index == 537);
    hq_batch_free(b);
    assert_int_equal(count_items(db.c), 0);

    /* Independent: every other row commits. */
    run_batch(db.c, HQ_BATCH_INDEPENDENT, 1000, 537, &b);
    EXPECT(hq_batch_finish(b, &err), HQ_ERR_SERVER);
    assert_true(err.batch_index == 537);
    assert_string_equal(err.sqlstate, "23505");
    assert_int_equal(hq_batch_failed(b), 1);
    OK(hq_batch_item_status(b, 0, &err));
    OK(hq_batch_item_status(b, 999, &err));
    hq_batch_free(b);
    assert_int_equal(count_items(db.c), 999);

    /* Success, with rows returned in order through the callback; the cache is reused. */
    reset_items(db.c);
    Returned ret = {0, 0, true};
    OK(hq_batch_begin(db.c, HQ_BATCH_ATOMIC, on_batch_row, &ret, &b, &err));
    HqColumnSet cols;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, ITEM_NAME);
    for (size_t i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "r%zu", i);
        Item it = item_named(name);
        OK(hq_batch_add_insert(b, &items_table, &it, &cols, &err));
    }
    static const HqField cnt_field[] = {{"n", HQ_TYPE_INT8, 0, 0, 0, NULL, NULL}};
    static const HqRecordDesc cnt_desc = {"count", sizeof(int64_t), 1, cnt_field};
    HqQuery cq = {"SELECT count(*) FROM hq_rt.items", NULL, &cnt_desc};
    OK(hq_batch_add(b, &cq, NULL, &err)); /* not an insert: rows go to the callback too */
    OK(hq_batch_finish(b, &err));
    assert_int_equal(ret.n, 301);
    assert_true(ret.ordered);
    hq_batch_free(b);
    assert_int_equal(count_items(db.c), 300);

    /* An empty batch, a bad statement inside a batch, and freeing an unfinished batch. */
    OK(hq_batch_begin(db.c, HQ_BATCH_ATOMIC, NULL, NULL, &b, &err));
    OK(hq_batch_finish(b, &err));
    hq_batch_free(b);
    OK(hq_batch_begin(db.c, HQ_BATCH_INDEPENDENT, NULL, NULL, &b, &err));
    HqQuery bad = {"SELEC nonsense", NULL, NULL};
    HqQuery good = {"SELECT 1", NULL, NULL};
    OK(hq_batch_add(b, &good, NULL, &err));
    OK(hq_batch_add(b, &bad, NULL, &err));
    OK(hq_batch_add(b, &good, NULL, &err));
    EXPECT(hq_batch_finish(b, &err), HQ_ERR_SERVER);
    assert_true(err.batch_index == 1);
    assert_string_equal(err.sqlstate, "42601");
    OK(hq_batch_item_status(b, 2, &err));
    hq_batch_free(b);
    OK(hq_batch_begin(db.c, HQ_BATCH_ATOMIC, NULL, NULL, &b, &err));
    OK(hq_batch_add(b, &good, NULL, &err));
    hq_batch_free(b); /* drains and leaves pipeline mode */
    free(scalar(db.c, "SELECT 1", 0, NULL));
    db_close(&db);
}

/* ----------------------------------------------------------------- RLS */

static void test_act_as_role(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    const char *role = "regress_hq_authenticated";
    char *me = scalar(db.c, "SELECT current_user", 0, NULL); /* the test's (super)user */
    assert_int_equal(scalar_long(db.c, "SELECT count(*) FROM hq_rt.notes"), 3);

    /* Transaction scope: policies apply until commit. */
    EXPECT(hq_act_as(db.c, role, "{\"sub\":\"alice\"}", HQ_SCOPE_TRANSACTION, &err), HQ_ERR_STATE);
    OK(hq_begin(db.c, &err));
    OK(hq_act_as(db.c, role, "{\"sub\":\"alice\",\"role\":\"authenticated\"}",
                 HQ_SCOPE_TRANSACTION, &err));
    char *who = scalar(db.c, "SELECT current_user", 0, NULL);
    assert_string_equal(who, role);
    free(who);
    assert_int_equal(scalar_long(db.c, "SELECT count(*) FROM hq_rt.notes"), 2);
    const char *mine[] = {"4", "alice", "mine"};
    OK(hq_query(db.c, "INSERT INTO hq_rt.notes VALUES ($1::int, $2, $3)", 3, mine, NULL, &err));
    const char *theirs[] = {"5", "bob", "not mine"};
    EXPECT(hq_query(db.c, "INSERT INTO hq_rt.notes VALUES ($1::int, $2, $3)", 3, theirs, NULL,
                    &err),
           HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "42501"); /* new row violates row-level security policy */
    OK(hq_rollback(db.c, &err));
    who = scalar(db.c, "SELECT current_user", 0, NULL);
    assert_string_equal(who, me);
    free(who);
    free(me);
    assert_int_equal(scalar_long(db.c, "SELECT count(*) FROM hq_rt.notes"), 3);

    /* Session scope lasts until reset. */
    OK(hq_act_as(db.c, role, "{\"sub\":\"bob\"}", HQ_SCOPE_SESSION, &err));
    assert_int_equal(scalar_long(db.c, "SELECT count(*) FROM hq_rt.notes"), 1);
    OK(hq_act_as(db.c, NULL, "{\"sub\":\"alice\"}", HQ_SCOPE_SESSION, &err)); /* claims only */
    assert_int_equal(scalar_long(db.c, "SELECT count(*) FROM hq_rt.notes"), 2);
    char *claims = scalar(db.c, "SELECT current_setting('request.jwt.claims', true)", 0, NULL);
    assert_string_equal(claims, "{\"sub\":\"alice\"}");
    free(claims);
    OK(hq_act_reset(db.c, &err));
    assert_int_equal(scalar_long(db.c, "SELECT count(*) FROM hq_rt.notes"), 3);
    claims = scalar(db.c, "SELECT coalesce(current_setting('request.jwt.claims', true), '')", 0,
                    NULL);
    assert_string_equal(claims, "");
    free(claims);

    /* An unknown role is a server error, not an injection point. */
    EXPECT(hq_act_as(db.c, "nobody'; DROP TABLE hq_rt.notes; --", NULL, HQ_SCOPE_SESSION, &err),
           HQ_ERR_SERVER);
    assert_int_equal(scalar_long(db.c, "SELECT count(*) FROM hq_rt.notes"), 3);
    OK(hq_act_as(db.c, NULL, NULL, HQ_SCOPE_SESSION, &err));
    db_close(&db);
}

/* ----------------------------------------------------------------- streaming */

typedef struct BigRow {
    int64_t id;
    char *payload;
} BigRow;

static const HqField big_fields[] = {
    {"id", HQ_TYPE_INT8, HQ_FIELD_PRIMARY_KEY, offsetof(BigRow, id), 0, NULL, NULL},
    {"payload", HQ_TYPE_TEXT, 0, offsetof(BigRow, payload), 0, NULL, NULL},
};
static const HqRecordDesc big_desc = {"big", sizeof(BigRow), 2, big_fields};
static const uint16_t big_pk_fields[] = {0};
static const HqKey big_pk = {"big_pkey", 1, big_pk_fields, NULL};
static const HqTableDesc big_table = {"hq_rt.big", &big_desc, &big_pk, 0, NULL};

typedef struct Stream {
    HqConn *c;
    int64_t n, sum, bytes;
    size_t base, peak;
    bool nested_refused;
    char *kept;
} Stream;

static int on_big_row(void *ctx, void *row)
{
    Stream *s = ctx;
    BigRow *r = row;
    s->n++;
    s->sum += r->id;
    s->bytes += (int64_t)strlen(r->payload);
    size_t now = heap_in_use();
    if (now > s->peak)
        s->peak = now;
    if (s->n == 1) {
        /* The callback must not reuse the connection; it is told so instead of corrupting it. */
        HqError err;
        s->nested_refused =
            hq_query(s->c, "SELECT 1", 0, NULL, NULL, &err) == HQ_ERR_STATE &&
            hq_get(s->c, &big_table, row, row, &err) == HQ_ERR_STATE;
        /* Taking ownership of a field: set it to NULL, free it later with the allocator. */
        s->kept = r->payload;
        r->payload = NULL;
    }
    return 0;
}

static void test_stream_100k(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    Stream s = {db.c, 0, 0, 0, 0, 0, false, NULL};
    free(scalar(db.c, "SELECT 1", 0, NULL)); /* warm up caches and buffers */
    s.base = s.peak = heap_in_use();
    HqOrderBy order[] = {{0, false}};
    HqListOptions opt = {NULL, NULL, 1, order, 0, 0};
    OK(hq_list(db.c, &big_table, &opt, on_big_row, &s, &err));
    assert_true(s.n == 100000);
    assert_true(s.sum == INT64_C(5000050000));
    assert_true(s.bytes == INT64_C(22400000));
    assert_true(s.nested_refused);
    assert_non_null(s.kept);
    hq_free(&db.a, s.kept);
    /* 22 MB went through; the process held about one row at a time. */
    size_t growth = s.peak > s.base ? s.peak - s.base : 0;
    print_message("streamed %lld rows (%lld payload bytes), heap growth %zu bytes, "
                  "libhq peak %zu bytes\n",
                  (long long)s.n, (long long)s.bytes, growth, db.ta.bytes_peak);
    assert_true(growth < 2u * 1024 * 1024);
    assert_true(db.ta.bytes_peak < 256u * 1024);

    /* For contrast, a buffered result of the same rows costs its full size. */
    if (heap_in_use() != 0) {
        size_t before = heap_in_use();
        HqResult *r;
        OK(hq_query(db.c, "SELECT id, payload FROM hq_rt.big", 0, NULL, &r, &err));
        assert_true(heap_in_use() - before > 20u * 1024 * 1024);
        hq_result_free(r);
    }

    /* hq_exec streams too, with parameters. */
    static const HqField lim_field[] = {{"n", HQ_TYPE_INT8, 0, 0, 0, NULL, NULL}};
    static const HqRecordDesc lim_desc = {"lim", sizeof(int64_t), 1, lim_field};
    HqQuery q = {"SELECT id, payload FROM hq_rt.big WHERE id <= $1 ORDER BY id", &lim_desc,
                 &big_desc};
    int64_t lim = 1000;
    memset(&s, 0, sizeof s);
    s.c = db.c;
    uint64_t n_rows = 0;
    OK(hq_exec(db.c, &q, &lim, NULL, on_big_row, &s, &n_rows, &err));
    assert_true(s.n == 1000 && n_rows == 1000);
    hq_free(&db.a, s.kept);
    db_close(&db);
}

/* ----------------------------------------------------------------- functions */

typedef struct AddArgs {
    int32_t a;
    int32_t b;
} AddArgs;
typedef struct IntResult {
    int32_t value;
    bool value_is_null;
} IntResult;
static const HqField add_arg_fields[] = {
    {"a", HQ_TYPE_INT4, 0, offsetof(AddArgs, a), 0, NULL, NULL},
    {"b", HQ_TYPE_INT4, HQ_FIELD_HAS_DEFAULT, offsetof(AddArgs, b), 0, NULL, NULL},
};
static const HqRecordDesc add_args_desc = {"add_args", sizeof(AddArgs), 2, add_arg_fields};
static const HqField int_result_fields[] = {
    {"add", HQ_TYPE_INT4, HQ_FIELD_NULLABLE, offsetof(IntResult, value),
     offsetof(IntResult, value_is_null), NULL, NULL},
};
static const HqRecordDesc int_result_desc = {"int_result", sizeof(IntResult), 1,
                                             int_result_fields};
static const HqFuncDesc add_fn = {"hq_rt.add", &add_args_desc, &int_result_desc,
                                  HQ_RETURNS_SCALAR};

typedef struct Pair {
    int32_t x;
    char *y;
} Pair;
static const HqField pair_fields[] = {
    {"x", HQ_TYPE_INT4, 0, offsetof(Pair, x), 0, NULL, NULL},
    {"y", HQ_TYPE_TEXT, 0, offsetof(Pair, y), 0, NULL, NULL},
};
static const HqRecordDesc pair_desc = {"pair", sizeof(Pair), 2, pair_fields};
static const HqField n_field[] = {{"n", HQ_TYPE_INT4, 0, 0, 0, NULL, NULL}};
static const HqRecordDesc n_desc = {"n_arg", sizeof(int32_t), 1, n_field};
static const HqFuncDesc pairs_fn = {"hq_rt.pairs", &n_desc, &pair_desc, HQ_RETURNS_SETOF};
static const HqField prefix_field[] = {{"p_prefix", HQ_TYPE_TEXT, 0, 0, 0, NULL, NULL}};
static const HqRecordDesc prefix_desc = {"prefix_arg", sizeof(char *), 1, prefix_field};
static const HqFuncDesc items_like_fn = {"hq_rt.items_like", &prefix_desc, &item_desc,
                                         HQ_RETURNS_SETOF};
typedef struct NoteArg {
    char *note;
    bool note_is_null;
} NoteArg;
static const HqField note_field[] = {{"p_note", HQ_TYPE_TEXT,
                                      HQ_FIELD_NULLABLE | HQ_FIELD_HAS_DEFAULT,
                                      offsetof(NoteArg, note), offsetof(NoteArg, note_is_null),
                                      NULL, NULL}};
static const HqRecordDesc note_desc = {"note_arg", sizeof(NoteArg), 1, note_field};
static const HqFuncDesc touch_fn = {"hq_rt.touch", &note_desc, NULL, HQ_RETURNS_VOID};

typedef struct PairSum {
    int n;
    int32_t sum;
    char last[16];
} PairSum;

static int on_pair(void *ctx, void *row)
{
    PairSum *p = ctx;
    Pair *r = row;
    p->n++;
    p->sum += r->x;
    snprintf(p->last, sizeof p->last, "%s", r->y);
    return 0;
}

static void test_call(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    AddArgs args = {1, 2};
    IntResult res;
    OK(hq_call(db.c, &add_fn, &args, NULL, &res, NULL, NULL, &err));
    assert_int_equal(res.value, 3);
    HqColumnSet only_a;
    hq_colset_clear(&only_a);
    hq_colset_add(&only_a, 0);
    OK(hq_call(db.c, &add_fn, &args, &only_a, &res, NULL, NULL, &err)); /* b DEFAULT 10 */
    assert_int_equal(res.value, 11);
    HqColumnSet only_b;
    hq_colset_clear(&only_b);
    hq_colset_add(&only_b, 1);
    EXPECT(hq_call(db.c, &add_fn, &args, &only_b, &res, NULL, NULL, &err), HQ_ERR_INVALID);

    int32_t n = 4;
    PairSum ps = {0, 0, ""};
    OK(hq_call(db.c, &pairs_fn, &n, NULL, NULL, on_pair, &ps, &err));
    assert_int_equal(ps.n, 4);
    assert_int_equal(ps.sum, 10);
    assert_string_equal(ps.last, "v4");
    Pair first;
    OK(hq_call(db.c, &pairs_fn, &n, NULL, &first, NULL, NULL, &err));
    assert_int_equal(first.x, 1);
    hq_record_clear(&pair_desc, &first, &db.a);
    n = 0;
    EXPECT(hq_call(db.c, &pairs_fn, &n, NULL, &first, NULL, NULL, &err), HQ_ERR_NOT_FOUND);

    reset_items(db.c);
    insert_name(db.c, "pre-1", HQ_OK);
    insert_name(db.c, "pre-2", HQ_OK);
    insert_name(db.c, "other", HQ_OK);
    const char *prefix = "pre";
    Collect col = {0};
    OK(hq_call(db.c, &items_like_fn, &prefix, NULL, NULL, collect_item, &col, &err));
    assert_int_equal(col.n, 2);
    assert_string_equal(col.names[1], "pre-2");

    NoteArg note = {NULL, true};
    OK(hq_call(db.c, &touch_fn, &note, NULL, NULL, NULL, NULL, &err));
    HqColumnSet none;
    hq_colset_clear(&none);
    OK(hq_call(db.c, &touch_fn, &note, &none, NULL, NULL, NULL, &err));

    /* Typed statement with parameters and a result record. */
    HqQuery q = {"SELECT $1::integer * 2", &n_desc, &int_result_desc};
    n = 21;
    uint64_t rows = 0;
    OK(hq_exec(db.c, &q, &n, &res, NULL, NULL, &rows, &err));
    assert_int_equal(res.value, 42);
    assert_true(rows == 1);
    EXPECT(hq_exec(db.c, &q, NULL, &res, NULL, NULL, NULL, &err), HQ_ERR_INVALID);

    /* Schema version check. */
    OK(hq_check_schema(db.c, "SELECT hq_rt.schema_version()", "v42", &err));
    EXPECT(hq_check_schema(db.c, "SELECT hq_rt.schema_version()", "v43", &err), HQ_ERR_MISMATCH);
    assert_non_null(strstr(err.message, "v42"));
    assert_non_null(strstr(err.message, "v43"));
    EXPECT(hq_check_schema(db.c, "SELECT NULL::text", "v43", &err), HQ_ERR_MISMATCH);
    db_close(&db);
}

/* A backend killed under a batch or a stream: an error, no hang, nothing leaked. */
static int count_rows(void *ctx, void *row)
{
    (void)row;
    ++*(long *)ctx;
    return 0;
}

static void test_connection_lost(void **state)
{
    (void)state;
    NEED_DB();
    Db victim, killer;
    db_open(&victim);
    db_open(&killer);
    HqError err;
    for (int round = 0; round < 2; round++) {
        char *pid = scalar(victim.c, "SELECT pg_backend_pid()::text", 0, NULL);
        const char *values[] = {pid};
        HqStatus st;
        if (round == 0) {
            HqBatch *b;
            OK(hq_batch_begin(victim.c, HQ_BATCH_ATOMIC, NULL, NULL, &b, &err));
            HqQuery q = {"SELECT pg_sleep(0.2)", NULL, NULL};
            OK(hq_batch_add(b, &q, NULL, &err));
            OK(hq_query(killer.c, "SELECT pg_terminate_backend($1::int)", 1, values, NULL, &err));
            for (int i = 0; i < 50; i++)
                hq_batch_add(b, &q, NULL, &err); /* may already report the loss */
            st = hq_batch_finish(b, &err);
            hq_batch_free(b);
        } else {
            /* Prepared beforehand, so the send succeeds and the stream meets the dead backend
             * while reading results. */
            HqQuery q = {"SELECT id, payload FROM hq_rt.big WHERE id <= 10", NULL, &big_desc};
            long n = 0;
            OK(hq_exec(victim.c, &q, NULL, NULL, count_rows, &n, NULL, &err));
            assert_int_equal(n, 10);
            OK(hq_query(killer.c, "SELECT pg_terminate_backend($1::int)", 1, values, NULL, &err));
            st = hq_exec(victim.c, &q, NULL, NULL, count_rows, &n, NULL, &err);
        }
        free(pid);
        assert_true(st == HQ_ERR_CONNECT || st == HQ_ERR_SERVER);
        EXPECT(hq_query(victim.c, "SELECT 1", 0, NULL, NULL, &err), HQ_ERR_CONNECT);
        OK(hq_conn_reset(victim.c, &err)); /* and the connection can be brought back */
        free(scalar(victim.c, "SELECT 1", 0, NULL));
    }
    db_close(&victim);
    db_close(&killer);
}

typedef struct Notices {
    int n;
    char last[128];
    char severity[16];
} Notices;

static void on_notice(void *ctx, const char *severity, const char *sqlstate, const char *message)
{
    Notices *ns = ctx;
    ns->n++;
    snprintf(ns->last, sizeof ns->last, "%s:%s", sqlstate, message);
    snprintf(ns->severity, sizeof ns->severity, "%s", severity);
}

/* The runtime never prints: libpq's default notice printer is replaced. */
static void test_notices(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    const char *raise = "DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$";
    fflush(stderr);
    int saved = dup(fileno(stderr));
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), fileno(stderr));
    HqStatus st = hq_exec_script(db.c, raise, &err);
    HqStatus st2 = hq_exec_script(db.c, "DROP TABLE IF EXISTS hq_rt.no_such_table", &err);
    fflush(stderr);
    dup2(saved, fileno(stderr));
    close(saved);
    fseek(tmp, 0, SEEK_END);
    long printed = ftell(tmp);
    fclose(tmp);
    OK(st);
    OK(st2);
    assert_int_equal(printed, 0);

    Notices ns = {0, "", ""};
    hq_conn_set_notice_handler(db.c, on_notice, &ns);
    OK(hq_exec_script(db.c, raise, &err));
    assert_int_equal(ns.n, 1);
    assert_string_equal(ns.last, "00000:hello 42");
    assert_string_equal(ns.severity, "NOTICE");
    OK(hq_conn_reset(db.c, &err)); /* the handler survives a reconnect */
    OK(hq_exec_script(db.c, raise, &err));
    assert_int_equal(ns.n, 2);
    hq_conn_set_notice_handler(db.c, NULL, NULL);
    OK(hq_exec_script(db.c, raise, &err));
    assert_int_equal(ns.n, 2);
    db_close(&db);
}

/* pgvector is optional: the test runs only where the extension can be created. */
static void test_vector_column(void **state)
{
    (void)state;
    NEED_DB();
    Db db;
    db_open(&db);
    HqError err;
    if (scalar_long(db.c, "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'") ==
        0) {
        db_close(&db);
        skip();
    }
    OK(hq_exec_script(db.c, "CREATE EXTENSION IF NOT EXISTS vector;"
                            "CREATE TABLE hq_rt.emb (id int PRIMARY KEY, v vector(3))",
                      &err));
    static const HqField vf[] = {{"v", HQ_TYPE_VECTOR, 0, 0, 0, NULL, NULL}};
    static const HqRecordDesc vd = {"vec", sizeof(HqVector), 1, vf};
    float vals[] = {1.5f, -2.0f, 0.25f};
    HqVector in = {3, vals}, out;
    HqQuery ins = {"INSERT INTO hq_rt.emb VALUES (1, $1) RETURNING v", &vd, &vd};
    OK(hq_exec(db.c, &ins, &in, &out, NULL, NULL, NULL, &err));
    assert_int_equal(out.n_values, 3);
    assert_memory_equal(out.values, vals, sizeof vals);
    hq_value_clear(HQ_TYPE_VECTOR, &out, &db.a);
    db_close(&db);
}

/* Allocation failures during connect and queries: HQ_ERR_NOMEM and nothing leaked. */
static void test_db_alloc_failures(void **state)
{
    (void)state;
    NEED_DB();
    bool ok = false;
    for (long fail_at = 0; fail_at < 60 && !ok; fail_at++) {
        TestAlloc ta = {fail_at, 0, 0, 0, 0};
        HqAllocator a = test_alloc_hook(&ta);
        HqConn *c = NULL;
        HqError err;
        HqStatus st = hq_connect(dsn, &a, &c, &err);
        if (st == HQ_OK) {
            Item key;
            memset(&key, 0, sizeof key);
            Item out;
            st = hq_get(c, &items_table, &key, &out, &err);
            if (st == HQ_OK)
                hq_record_clear(&item_desc, &out, &a);
            HqBatch *b = NULL;
            if (st == HQ_ERR_NOT_FOUND || st == HQ_OK)
                st = hq_batch_begin(c, HQ_BATCH_ATOMIC, NULL, NULL, &b, &err);
            if (st == HQ_OK) {
                HqQuery q = {"SELECT 2", NULL, NULL};
                st = hq_batch_add(b, &q, NULL, &err);
                HqStatus fs = hq_batch_finish(b, &err);
                if (st == HQ_OK)
                    st = fs;
                hq_batch_free(b);
            }
            ok = st == HQ_OK;
            hq_conn_free(c);
        }
        if (!ok)
            check(st, HQ_ERR_NOMEM, &err, __LINE__);
        assert_int_equal(ta.live, 0);
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_session),
        cmocka_unit_test(test_statement_cache),
        cmocka_unit_test(test_crud),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_all_types_roundtrip),
        cmocka_unit_test(test_unique_violation),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_act_as_role),
        cmocka_unit_test(test_stream_100k),
        cmocka_unit_test(test_call),
        cmocka_unit_test(test_notices),
        cmocka_unit_test(test_connection_lost),
        cmocka_unit_test(test_vector_column),
        cmocka_unit_test(test_db_alloc_failures),
    };
    return cmocka_run_group_tests_name("db", tests, group_setup, NULL);
}
