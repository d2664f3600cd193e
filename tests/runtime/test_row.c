/* test_row.c - unit tests of the descriptor-driven record code without a server: results are
 * built with libpq's PQmakeEmptyPGresult/PQsetvalue, so decoding every type into a struct,
 * NULL handling, malformed text, parameter building and allocation failures run anywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hq_int.h"
#include "test_util.h"

typedef struct Rec {
    bool b;
    int16_t i2;
    int32_t i4;
    bool i4_is_null;
    int64_t i8;
    float f4;
    double f8;
    char *num;
    char *txt;
    bool txt_is_null;
    char *js;
    char *jsb;
    HqBytes bin;
    HqUuid id;
    int64_t at;
    bool at_is_null;
    int32_t day;
    int status;
    HqVector emb;
    HqArray tags;
    bool tags_is_null;
    HqArray nums;
} Rec;

static const char *const labels[] = {"pending", "leased", "done"};
static const HqEnumDesc status_enum = {"public.status", 3, labels};

#define F(name, type, flags, member, null_member, e)                                              \
    {name, type, flags, offsetof(Rec, member), null_member, e, NULL}
static const HqField rec_fields[] = {
    F("b", HQ_TYPE_BOOL, 0, b, 0, NULL),
    F("i2", HQ_TYPE_INT2, 0, i2, 0, NULL),
    F("i4", HQ_TYPE_INT4, HQ_FIELD_NULLABLE, i4, offsetof(Rec, i4_is_null), NULL),
    F("i8", HQ_TYPE_INT8, 0, i8, 0, NULL),
    F("f4", HQ_TYPE_FLOAT4, 0, f4, 0, NULL),
    F("f8", HQ_TYPE_FLOAT8, 0, f8, 0, NULL),
    F("num", HQ_TYPE_NUMERIC, 0, num, 0, NULL),
    F("\"order\"", HQ_TYPE_TEXT, HQ_FIELD_NULLABLE, txt, offsetof(Rec, txt_is_null), NULL),
    F("js", HQ_TYPE_JSON, 0, js, 0, NULL),
    F("jsb", HQ_TYPE_JSONB, 0, jsb, 0, NULL),
    F("bin", HQ_TYPE_BYTEA, 0, bin, 0, NULL),
    F("id", HQ_TYPE_UUID, 0, id, 0, NULL),
    F("at", HQ_TYPE_TIMESTAMPTZ, HQ_FIELD_NULLABLE, at, offsetof(Rec, at_is_null), NULL),
    F("day", HQ_TYPE_DATE, 0, day, 0, NULL),
    F("status", HQ_TYPE_ENUM, 0, status, 0, &status_enum),
    F("emb", HQ_TYPE_VECTOR, 0, emb, 0, NULL),
    F("tags", HQ_TYPE_TEXT, HQ_FIELD_ARRAY | HQ_FIELD_NULLABLE, tags, offsetof(Rec, tags_is_null),
      NULL),
    F("nums", HQ_TYPE_INT4, HQ_FIELD_ARRAY, nums, 0, NULL),
};
#define N_FIELDS (sizeof rec_fields / sizeof rec_fields[0])
static const HqRecordDesc rec_desc = {"rec", sizeof(Rec), N_FIELDS, rec_fields};

static const char *const good_row[N_FIELDS] = {
    "t", "-32768", "2147483647", "-9223372036854775808", "1.5", "-0.25", "12345678901234567890.5",
    "hello \"world\"", "{\"a\": 1}", "[1, 2]", "\\xdeadbeef",
    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    "1969-12-31 23:59:59+00", "2000-01-01", "done", "[1,2,3]", "{x,\"y z\",NULL}", "{1,2}",
};

/* A one-row text result like the server would send. */
static PGresult *make_result(const char *const *values, size_t n)
{
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    assert_non_null(r);
    PGresAttDesc attrs[64];
    char names[64][24];
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "c%zu", i);
        attrs[i] = (PGresAttDesc){names[i], 0, 0, 0, 25, -1, -1};
    }
    assert_int_equal(PQsetResultAttrs(r, (int)n, attrs), 1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(PQsetvalue(r, 0, (int)i, (char *)values[i],
                                    values[i] == NULL ? -1 : (int)strlen(values[i])),
                         1);
    return r;
}

static void test_record_check(void **state)
{
    (void)state;
    HqError err;
    assert_int_equal(hq_record_check(&rec_desc, &err), HQ_OK);
    assert_int_equal(hq_record_check(NULL, &err), HQ_ERR_INVALID);
    HqField bad[1] = {{"x", HQ_TYPE_INT8, 0, sizeof(Rec) - 4, 0, NULL, NULL}};
    HqRecordDesc d = {"bad", sizeof(Rec), 1, bad};
    assert_int_equal(hq_record_check(&d, &err), HQ_ERR_INVALID);
    assert_non_null(strstr(err.message, "offset"));
    bad[0] = (HqField){"x", HQ_TYPE_ENUM, 0, 0, 0, NULL, NULL};
    assert_int_equal(hq_record_check(&d, &err), HQ_ERR_INVALID);
    bad[0] = (HqField){"x", HQ_TYPE_VECTOR, HQ_FIELD_ARRAY, 0, 0, NULL, NULL};
    assert_int_equal(hq_record_check(&d, &err), HQ_ERR_INVALID);
    bad[0] = (HqField){"x", HQ_TYPE_INT4, HQ_FIELD_NULLABLE, 0, sizeof(Rec), NULL, NULL};
    assert_int_equal(hq_record_check(&d, &err), HQ_ERR_INVALID);
    bad[0] = (HqField){"x", (HqType)77, 0, 0, 0, NULL, NULL};
    assert_int_equal(hq_record_check(&d, &err), HQ_ERR_INVALID);
}

static void test_decode_all_types(void **state)
{
    (void)state;
    PGresult *r = make_result(good_row, N_FIELDS);
    Rec rec;
    memset(&rec, 0xAB, sizeof rec); /* decode must not depend on prior content */
    HqError err;
    assert_int_equal(hq_record_decode(&rec_desc, r, 0, NULL, &rec, &err), HQ_OK);
    assert_true(rec.b);
    assert_int_equal(rec.i2, -32768);
    assert_int_equal(rec.i4, 2147483647);
    assert_false(rec.i4_is_null);
    assert_true(rec.i8 == INT64_MIN);
    assert_true(rec.f4 == 1.5f && rec.f8 == -0.25);
    assert_string_equal(rec.num, "12345678901234567890.5");
    assert_string_equal(rec.txt, "hello \"world\"");
    assert_string_equal(rec.js, "{\"a\": 1}");
    assert_int_equal(rec.bin.n_bytes, 4);
    assert_int_equal(rec.bin.bytes[0], 0xde);
    assert_int_equal(rec.id.bytes[0], 0xa0);
    assert_true(rec.at == -1000000);
    assert_int_equal(rec.day, 10957);
    assert_int_equal(rec.status, 2);
    assert_int_equal(rec.emb.n_values, 3);
    assert_int_equal(rec.tags.n_items, 3);
    assert_string_equal(((char **)rec.tags.items)[1], "y z");
    assert_true(rec.tags.nulls[2]);
    assert_int_equal(((int32_t *)rec.nums.items)[1], 2);
    hq_record_clear(&rec_desc, &rec, NULL);
    assert_null(rec.txt);
    assert_null(rec.tags.items);
    hq_record_clear(&rec_desc, NULL, NULL);
    hq_record_clear(NULL, &rec, NULL);
    PQclear(r);
}

static void test_decode_nulls(void **state)
{
    (void)state;
    const char *row[N_FIELDS];
    memcpy(row, good_row, sizeof row);
    row[2] = row[7] = row[12] = row[16] = NULL; /* the nullable fields */
    PGresult *r = make_result(row, N_FIELDS);
    Rec rec;
    HqError err;
    assert_int_equal(hq_record_decode(&rec_desc, r, 0, NULL, &rec, &err), HQ_OK);
    assert_true(rec.i4_is_null && rec.txt_is_null && rec.at_is_null && rec.tags_is_null);
    assert_int_equal(rec.i4, 0);
    assert_null(rec.txt);
    assert_null(rec.tags.items);
    hq_record_clear(&rec_desc, &rec, NULL);
    PQclear(r);

    /* NULL where the descriptor says NOT NULL: an error naming the field, nothing leaked. */
    row[13] = NULL;
    r = make_result(row, N_FIELDS);
    assert_int_equal(hq_record_decode(&rec_desc, r, 0, NULL, &rec, &err), HQ_ERR_DECODE);
    assert_string_equal(err.column_name, "day");
    assert_null(rec.num);
    PQclear(r);
}

static void test_decode_malformed(void **state)
{
    (void)state;
    /* Each field in turn gets text that is not valid for its type. */
    const char *bad[N_FIELDS] = {"x",  "70000", "1.5", "--1", "1,5", "abc", "1.2.3", NULL,
                                 NULL, NULL,    "zz",  "not-a-uuid", "yesterday", "2024-02-30",
                                 "unknown_label", "[1,2", "{a,\"b}", "{1,x}"};
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (bad[i] == NULL)
            continue; /* text and json accept any text */
        const char *row[N_FIELDS];
        memcpy(row, good_row, sizeof row);
        row[i] = bad[i];
        PGresult *r = make_result(row, N_FIELDS);
        Rec rec;
        HqError err;
        HqStatus st = hq_record_decode(&rec_desc, r, 0, NULL, &rec, &err);
        assert_true(st == HQ_ERR_DECODE || st == HQ_ERR_RANGE);
        assert_string_equal(err.column_name, rec_fields[i].name);
        assert_null(rec.num); /* cleared: earlier fields freed */
        PQclear(r);
    }
    /* Column count must match the descriptor. */
    PGresult *r = make_result(good_row, 3);
    Rec rec;
    HqError err;
    assert_int_equal(hq_record_decode(&rec_desc, r, 0, NULL, &rec, &err), HQ_ERR_INVALID);
    PQclear(r);
}

static void test_decode_alloc_failures(void **state)
{
    (void)state;
    PGresult *r = make_result(good_row, N_FIELDS);
    bool ok = false;
    for (long fail_at = 0; fail_at < 200 && !ok; fail_at++) {
        TestAlloc ta = {fail_at, 0, 0, 0, 0};
        HqAllocator a = test_alloc_hook(&ta);
        Rec rec;
        HqError err;
        HqStatus st = hq_record_decode(&rec_desc, r, 0, &a, &rec, &err);
        if (st == HQ_OK) {
            ok = true;
            hq_record_clear(&rec_desc, &rec, &a);
        } else {
            assert_int_equal(st, HQ_ERR_NOMEM);
        }
        assert_int_equal(ta.live, 0);
    }
    assert_true(ok);
    PQclear(r);
}

/* A connection struct that never connected is enough for building parameters. */
static void fake_conn(HqConn *c, const HqAllocator *a)
{
    memset(c, 0, sizeof *c);
    if (a != NULL)
        c->alloc = *a;
    hq_buf_init(&c->params, &c->alloc);
}

static void fake_conn_free(HqConn *c)
{
    hq_buf_free(&c->params);
    hq_free(&c->alloc, c->param_offsets);
    hq_free(&c->alloc, (void *)c->param_values);
}

static void test_params_build(void **state)
{
    (void)state;
    PGresult *r = make_result(good_row, N_FIELDS);
    Rec rec;
    HqError err;
    assert_int_equal(hq_record_decode(&rec_desc, r, 0, NULL, &rec, &err), HQ_OK);
    PQclear(r);
    rec.at_is_null = true;
    HqConn c;
    fake_conn(&c, NULL);
    const char *extra[] = {"10", NULL};
    HqParamSpec ps = {&rec_desc, &rec, N_FIELDS, NULL, 2, extra};
    const char *const *values;
    int n;
    assert_int_equal(hq_params_build(&c, &ps, &values, &n, &err), HQ_OK);
    assert_int_equal(n, (int)N_FIELDS + 2);
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (i == 12)
            assert_null(values[i]);
        else if (i == 4 || i == 5 || i == 6)
            assert_non_null(values[i]); /* floats and numeric: checked below */
        else
            assert_string_equal(values[i], good_row[i]);
    }
    assert_string_equal(values[4], "1.5");
    assert_string_equal(values[6], "12345678901234567890.5");
    assert_string_equal(values[N_FIELDS], "10");
    assert_null(values[N_FIELDS + 1]);

    /* A subset, in a chosen order. */
    const uint16_t pick[] = {14, 0};
    HqParamSpec sub = {&rec_desc, &rec, 2, pick, 0, NULL};
    assert_int_equal(hq_params_build(&c, &sub, &values, &n, &err), HQ_OK);
    assert_int_equal(n, 2);
    assert_string_equal(values[0], "done");
    assert_string_equal(values[1], "t");

    /* A NULL pointer without the null flag is a caller bug, reported with the field name. */
    char *saved = rec.txt;
    rec.txt = NULL;
    rec.txt_is_null = false;
    assert_int_equal(hq_params_build(&c, &ps, &values, &n, &err), HQ_ERR_ENCODE);
    assert_string_equal(err.column_name, "\"order\"");
    rec.txt = saved;
    rec.status = 7;
    assert_int_equal(hq_params_build(&c, &ps, &values, &n, &err), HQ_ERR_ENCODE);
    assert_string_equal(err.column_name, "status");
    rec.status = 0;
    const uint16_t out_of_range[] = {999};
    HqParamSpec oor = {&rec_desc, &rec, 1, out_of_range, 0, NULL};
    assert_int_equal(hq_params_build(&c, &oor, &values, &n, &err), HQ_ERR_INVALID);
    fake_conn_free(&c);

    /* Out of memory while building: HQ_ERR_NOMEM, and nothing is left behind. */
    bool ok = false;
    for (long fail_at = 0; fail_at < 100 && !ok; fail_at++) {
        TestAlloc ta = {fail_at, 0, 0, 0, 0};
        HqAllocator a = test_alloc_hook(&ta);
        fake_conn(&c, &a);
        HqStatus st = hq_params_build(&c, &ps, &values, &n, &err);
        ok = st == HQ_OK;
        if (!ok)
            assert_int_equal(st, HQ_ERR_NOMEM);
        fake_conn_free(&c);
        assert_int_equal(ta.live, 0);
    }
    assert_true(ok);
    hq_record_clear(&rec_desc, &rec, NULL);
}

static void test_colset(void **state)
{
    (void)state;
    HqColumnSet s;
    hq_colset_clear(&s);
    assert_false(hq_colset_has(&s, 0));
    hq_colset_add(&s, 0);
    hq_colset_add(&s, 63);
    hq_colset_add(&s, 64);
    hq_colset_add(&s, HQ_MAX_FIELDS - 1);
    hq_colset_add(&s, HQ_MAX_FIELDS); /* ignored, not out of bounds */
    assert_true(hq_colset_has(&s, 0) && hq_colset_has(&s, 63) && hq_colset_has(&s, 64));
    assert_true(hq_colset_has(&s, HQ_MAX_FIELDS - 1));
    assert_false(hq_colset_has(&s, 1));
    assert_false(hq_colset_has(&s, HQ_MAX_FIELDS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_check),
        cmocka_unit_test(test_decode_all_types),
        cmocka_unit_test(test_decode_nulls),
        cmocka_unit_test(test_decode_malformed),
        cmocka_unit_test(test_decode_alloc_failures),
        cmocka_unit_test(test_params_build),
        cmocka_unit_test(test_colset),
    };
    return cmocka_run_group_tests_name("row", tests, NULL, NULL);
}
