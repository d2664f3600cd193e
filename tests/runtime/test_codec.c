/* test_codec.c - unit tests of libhq's text codecs: every type, NULL array items, edge values
 * (int64 limits, timestamps before 1970 and far in the future, infinities, long numerics,
 * arrays with quotes and backslashes) and malformed server text, which must give an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hq.h"
#include "test_util.h"

/* Decodes text as t into a zeroed value and checks the status. */
static HqStatus dec(HqType t, const char *text, void *value)
{
    HqError err;
    hq_error_clear(&err);
    HqStatus st = hq_decode(t, NULL, text, NULL, value, &err);
    assert_int_equal(st, err.status == HQ_OK ? HQ_OK : err.status);
    if (st != HQ_OK)
        assert_true(err.message[0] != '\0');
    return st;
}

/* Encodes and compares with the expected text. */
static void enc_eq(HqType t, const HqEnumDesc *e, const void *value, const char *expected)
{
    HqBuf b;
    HqError err;
    hq_buf_init(&b, NULL);
    assert_int_equal(hq_encode(t, e, value, &b, &err), HQ_OK);
    assert_string_equal(b.data, expected);
    hq_buf_free(&b);
}

static HqStatus enc_status(HqType t, const HqEnumDesc *e, const void *value)
{
    HqBuf b;
    HqError err;
    hq_buf_init(&b, NULL);
    HqStatus st = hq_encode(t, e, value, &b, &err);
    hq_buf_free(&b);
    return st;
}

static void test_bool(void **state)
{
    (void)state;
    bool v = false;
    assert_int_equal(dec(HQ_TYPE_BOOL, "t", &v), HQ_OK);
    assert_true(v);
    assert_int_equal(dec(HQ_TYPE_BOOL, "f", &v), HQ_OK);
    assert_false(v);
    assert_int_equal(dec(HQ_TYPE_BOOL, "true", &v), HQ_OK);
    assert_true(v);
    assert_int_equal(dec(HQ_TYPE_BOOL, "yes", &v), HQ_ERR_DECODE);
    assert_int_equal(dec(HQ_TYPE_BOOL, "", &v), HQ_ERR_DECODE);
    assert_int_equal(dec(HQ_TYPE_BOOL, "T", &v), HQ_ERR_DECODE);
    v = true;
    enc_eq(HQ_TYPE_BOOL, NULL, &v, "t");
    v = false;
    enc_eq(HQ_TYPE_BOOL, NULL, &v, "f");
}

static void test_integers(void **state)
{
    (void)state;
    int16_t i2;
    int32_t i4;
    int64_t i8;
    assert_int_equal(dec(HQ_TYPE_INT2, "32767", &i2), HQ_OK);
    assert_int_equal(i2, 32767);
    assert_int_equal(dec(HQ_TYPE_INT2, "-32768", &i2), HQ_OK);
    assert_int_equal(i2, -32768);
    assert_int_equal(dec(HQ_TYPE_INT2, "32768", &i2), HQ_ERR_RANGE);
    assert_int_equal(dec(HQ_TYPE_INT4, "2147483647", &i4), HQ_OK);
    assert_int_equal(i4, INT32_MAX);
    assert_int_equal(dec(HQ_TYPE_INT4, "-2147483648", &i4), HQ_OK);
    assert_int_equal(i4, INT32_MIN);
    assert_int_equal(dec(HQ_TYPE_INT4, "-2147483649", &i4), HQ_ERR_RANGE);
    assert_int_equal(dec(HQ_TYPE_INT8, "9223372036854775807", &i8), HQ_OK);
    assert_true(i8 == INT64_MAX);
    assert_int_equal(dec(HQ_TYPE_INT8, "-9223372036854775808", &i8), HQ_OK);
    assert_true(i8 == INT64_MIN);
    assert_int_equal(dec(HQ_TYPE_INT8, "9223372036854775808", &i8), HQ_ERR_RANGE);
    assert_int_equal(dec(HQ_TYPE_INT8, "-9223372036854775809", &i8), HQ_ERR_RANGE);
    assert_int_equal(dec(HQ_TYPE_INT8, "99999999999999999999999", &i8), HQ_ERR_RANGE);
    assert_int_equal(dec(HQ_TYPE_INT8, "0", &i8), HQ_OK);
    assert_true(i8 == 0);
    const char *bad[] = {"", "-", "+", "abc", "1 ", " 1", "1.0", "1e3", "0x10", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        i8 = 42;
        assert_int_equal(dec(HQ_TYPE_INT8, bad[i], &i8), HQ_ERR_DECODE);
        assert_true(i8 == 0); /* zeroed on error */
    }
    i2 = INT16_MIN;
    enc_eq(HQ_TYPE_INT2, NULL, &i2, "-32768");
    i4 = INT32_MIN;
    enc_eq(HQ_TYPE_INT4, NULL, &i4, "-2147483648");
    i8 = INT64_MIN;
    enc_eq(HQ_TYPE_INT8, NULL, &i8, "-9223372036854775808");
    i8 = INT64_MAX;
    enc_eq(HQ_TYPE_INT8, NULL, &i8, "9223372036854775807");
}

static void test_floats(void **state)
{
    (void)state;
    double d;
    float f;
    assert_int_equal(dec(HQ_TYPE_FLOAT8, "1.5", &d), HQ_OK);
    assert_true(d == 1.5);
    assert_int_equal(dec(HQ_TYPE_FLOAT8, "-0", &d), HQ_OK);
    assert_true(d == 0 && signbit(d));
    assert_int_equal(dec(HQ_TYPE_FLOAT8, "NaN", &d), HQ_OK);
    assert_true(isnan(d));
    assert_int_equal(dec(HQ_TYPE_FLOAT8, "Infinity", &d), HQ_OK);
    assert_true(isinf(d) && d > 0);
    assert_int_equal(dec(HQ_TYPE_FLOAT8, "-Infinity", &d), HQ_OK);
    assert_true(isinf(d) && d < 0);
    assert_int_equal(dec(HQ_TYPE_FLOAT8, "1.7976931348623157e+308", &d), HQ_OK);
    assert_true(d == 1.7976931348623157e308);
    assert_int_equal(dec(HQ_TYPE_FLOAT8, "4.9406564584124654e-324", &d), HQ_OK);
    assert_true(d > 0);
    assert_int_equal(dec(HQ_TYPE_FLOAT8, "1e309", &d), HQ_ERR_RANGE);
    const char *bad[] = {"", "inf", "nan", "0x10", " 1", "1 ", "1.5e", "e5", ".", "1,5", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dec(HQ_TYPE_FLOAT8, bad[i], &d), HQ_ERR_DECODE);
    assert_int_equal(dec(HQ_TYPE_FLOAT4, "3.4028235e+38", &f), HQ_OK);
    assert_true(f == 3.4028235e38f);
    assert_int_equal(dec(HQ_TYPE_FLOAT4, "1e39", &f), HQ_ERR_RANGE);
    assert_int_equal(dec(HQ_TYPE_FLOAT4, "NaN", &f), HQ_OK);
    assert_true(isnan(f));

    /* Encoding must read back to the same binary value. */
    const double samples[] = {0.1, 1.0 / 3.0, -2.5e-300, 123456789.123456789, 5e-324, DBL_MAX};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        HqBuf b;
        hq_buf_init(&b, NULL);
        assert_int_equal(hq_encode(HQ_TYPE_FLOAT8, NULL, &samples[i], &b, NULL), HQ_OK);
        double back;
        assert_int_equal(dec(HQ_TYPE_FLOAT8, b.data, &back), HQ_OK);
        assert_memory_equal(&back, &samples[i], sizeof back);
        hq_buf_free(&b);
    }
    f = 0.1f;
    HqBuf b;
    hq_buf_init(&b, NULL);
    assert_int_equal(hq_encode(HQ_TYPE_FLOAT4, NULL, &f, &b, NULL), HQ_OK);
    float fb;
    assert_int_equal(dec(HQ_TYPE_FLOAT4, b.data, &fb), HQ_OK);
    assert_true(fb == f);
    hq_buf_free(&b);
    d = NAN;
    enc_eq(HQ_TYPE_FLOAT8, NULL, &d, "NaN");
    d = -INFINITY;
    enc_eq(HQ_TYPE_FLOAT8, NULL, &d, "-Infinity");
    d = 1.5;
    enc_eq(HQ_TYPE_FLOAT8, NULL, &d, "1.5");
}

static void test_numeric(void **state)
{
    (void)state;
    char *s = NULL;
    const char *good[] = {"123.4500", "-0.000001", "0", "NaN", "Infinity", "-Infinity"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(dec(HQ_TYPE_NUMERIC, good[i], &s), HQ_OK);
        assert_string_equal(s, good[i]);
        hq_value_clear(HQ_TYPE_NUMERIC, &s, NULL);
        assert_null(s);
    }
    /* Many digits survive exactly: numeric is kept as text. */
    char big[1200];
    memset(big, '9', 1000);
    big[0] = '-';
    big[500] = '.';
    big[1000] = '\0';
    assert_int_equal(dec(HQ_TYPE_NUMERIC, big, &s), HQ_OK);
    assert_string_equal(s, big);
    enc_eq(HQ_TYPE_NUMERIC, NULL, &s, big);
    hq_value_clear(HQ_TYPE_NUMERIC, &s, NULL);
    const char *bad[] = {"", "1.2.3", "abc", "1e", "--1", " 1", "1 ", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(dec(HQ_TYPE_NUMERIC, bad[i], &s), HQ_ERR_DECODE);
        assert_null(s);
    }
    const char *in = "1.5e10";
    enc_eq(HQ_TYPE_NUMERIC, NULL, &in, "1.5e10");
    in = "12a";
    assert_int_equal(enc_status(HQ_TYPE_NUMERIC, NULL, &in), HQ_ERR_ENCODE);
    in = NULL;
    assert_int_equal(enc_status(HQ_TYPE_NUMERIC, NULL, &in), HQ_ERR_ENCODE);
}

static void test_text_json(void **state)
{
    (void)state;
    const HqType types[] = {HQ_TYPE_TEXT, HQ_TYPE_JSON, HQ_TYPE_JSONB};
    const char *samples[] = {"", "héllo wörld", "{\"a\": [1, 2, {\"b\": null}]}", "line\nbreak"};
    for (size_t t = 0; t < 3; t++) {
        for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
            char *s = NULL;
            assert_int_equal(dec(types[t], samples[i], &s), HQ_OK);
            assert_ptr_not_equal(s, samples[i]); /* a copy the caller owns */
            assert_string_equal(s, samples[i]);
            enc_eq(types[t], NULL, &s, samples[i]);
            hq_value_clear(types[t], &s, NULL);
        }
        const char *none = NULL;
        assert_int_equal(enc_status(types[t], NULL, &none), HQ_ERR_ENCODE);
    }
}

static void test_bytea(void **state)
{
    (void)state;
    HqBytes v;
    assert_int_equal(dec(HQ_TYPE_BYTEA, "\\x", &v), HQ_OK);
    assert_int_equal(v.n_bytes, 0);
    hq_value_clear(HQ_TYPE_BYTEA, &v, NULL);
    assert_int_equal(dec(HQ_TYPE_BYTEA, "\\x00ff10Ab", &v), HQ_OK);
    assert_int_equal(v.n_bytes, 4);
    assert_int_equal(v.bytes[0], 0x00);
    assert_int_equal(v.bytes[1], 0xff);
    assert_int_equal(v.bytes[2], 0x10);
    assert_int_equal(v.bytes[3], 0xab);
    enc_eq(HQ_TYPE_BYTEA, NULL, &v, "\\x00ff10ab");
    hq_value_clear(HQ_TYPE_BYTEA, &v, NULL);
    const char *bad[] = {"", "\\x0", "\\xzz", "abc", "\\000", "x00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dec(HQ_TYPE_BYTEA, bad[i], &v), HQ_ERR_DECODE);
    HqBytes empty = {0, NULL};
    enc_eq(HQ_TYPE_BYTEA, NULL, &empty, "\\x");
    HqBytes broken = {3, NULL};
    assert_int_equal(enc_status(HQ_TYPE_BYTEA, NULL, &broken), HQ_ERR_ENCODE);
}

static void test_uuid(void **state)
{
    (void)state;
    HqUuid u;
    assert_int_equal(dec(HQ_TYPE_UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", &u), HQ_OK);
    assert_int_equal(u.bytes[0], 0xa0);
    assert_int_equal(u.bytes[15], 0x11);
    enc_eq(HQ_TYPE_UUID, NULL, &u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assert_int_equal(dec(HQ_TYPE_UUID, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", &u), HQ_OK);
    enc_eq(HQ_TYPE_UUID, NULL, &u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    const char *bad[] = {"", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
                         "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
                         "a0eebc999c0b4ef8bb6d6bb9bd380a11", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                         "a0eebc99-9c0b-4ef8-bb6d_6bb9bd380a11",
                         "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dec(HQ_TYPE_UUID, bad[i], &u), HQ_ERR_DECODE);
}

static int64_t ts(int64_t y, int mo, int d, int h, int mi, int s, int us)
{
    int64_t v;
    assert_int_equal(hq_timestamp_from_parts(y, mo, d, h, mi, s, us, &v), HQ_OK);
    return v;
}

static void ts_eq(const char *text, int64_t expected)
{
    int64_t v = 0;
    assert_int_equal(dec(HQ_TYPE_TIMESTAMPTZ, text, &v), HQ_OK);
    assert_true(v == expected);
}

static void test_timestamptz(void **state)
{
    (void)state;
    ts_eq("1970-01-01 00:00:00+00", 0);
    ts_eq("1969-12-31 23:59:59.999999+00", -1);
    ts_eq("1970-01-01 00:00:00.5+00", 500000);
    ts_eq("2024-02-29 12:34:56.789+05:30", ts(2024, 2, 29, 7, 4, 56, 789000));
    ts_eq("2024-02-29T12:34:56Z", ts(2024, 2, 29, 12, 34, 56, 0));
    ts_eq("2000-01-01 00:00:00-03:00:15", ts(2000, 1, 1, 3, 0, 15, 0));
    ts_eq("1900-06-15 08:00:00-11", ts(1900, 6, 15, 19, 0, 0, 0));
    ts_eq("0044-03-15 12:00:00+00 BC", ts(-43, 3, 15, 12, 0, 0, 0));
    ts_eq("4713-11-24 00:00:00+00 BC", ts(-4712, 11, 24, 0, 0, 0, 0));
    ts_eq("294000-12-31 23:59:59.999999+00", ts(294000, 12, 31, 23, 59, 59, 999999));
    ts_eq("infinity", HQ_TIMESTAMP_INFINITY);
    ts_eq("-infinity", HQ_TIMESTAMP_NEG_INFINITY);
    int64_t v;
    /* PostgreSQL goes to 294276 AD, which is past int64 microseconds since 1970. */
    assert_int_equal(dec(HQ_TYPE_TIMESTAMPTZ, "294276-12-31 23:59:59+00", &v), HQ_ERR_RANGE);
    const char *bad[] = {"", "garbage", "2024-01-01", "2024-01-01 00:00:00",
                         "2024-02-30 00:00:00+00", "2023-02-29 00:00:00+00",
                         "2024-13-01 00:00:00+00", "2024-01-01 24:00:00+00",
                         "2024-01-01 00:60:00+00", "2024-01-01 00:00:00.1234567+00",
                         "2024-01-01 00:00:00.+00", "2024-1-01 00:00:00+00",
                         "24-01-01 00:00:00+00", "2024-01-01 00:00:00+16",
                         "2024-01-01 00:00:00+00 AD", "0000-01-01 00:00:00+00",
                         "2024-01-01 00:00:00+00x", "Infinity"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dec(HQ_TYPE_TIMESTAMPTZ, bad[i], &v), HQ_ERR_DECODE);

    v = 0;
    enc_eq(HQ_TYPE_TIMESTAMPTZ, NULL, &v, "1970-01-01 00:00:00+00");
    v = -1;
    enc_eq(HQ_TYPE_TIMESTAMPTZ, NULL, &v, "1969-12-31 23:59:59.999999+00");
    v = ts(-43, 3, 15, 12, 0, 0, 0);
    enc_eq(HQ_TYPE_TIMESTAMPTZ, NULL, &v, "0044-03-15 12:00:00+00 BC");
    v = ts(200000, 1, 1, 0, 0, 0, 1);
    enc_eq(HQ_TYPE_TIMESTAMPTZ, NULL, &v, "200000-01-01 00:00:00.000001+00");
    v = HQ_TIMESTAMP_INFINITY;
    enc_eq(HQ_TYPE_TIMESTAMPTZ, NULL, &v, "infinity");
    v = HQ_TIMESTAMP_NEG_INFINITY;
    enc_eq(HQ_TYPE_TIMESTAMPTZ, NULL, &v, "-infinity");

    /* Round trip across the whole representable range, both signs. */
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t r = x % UINT64_C(18000000000000000001), mid = UINT64_C(9000000000000000000);
        int64_t want = r >= mid ? (int64_t)(r - mid) : -(int64_t)(mid - r);
        if (i % 4 == 0)
            want /= 1000000; /* plenty of values near the epoch too */
        HqBuf b;
        hq_buf_init(&b, NULL);
        assert_int_equal(hq_encode(HQ_TYPE_TIMESTAMPTZ, NULL, &want, &b, NULL), HQ_OK);
        int64_t got;
        assert_int_equal(dec(HQ_TYPE_TIMESTAMPTZ, b.data, &got), HQ_OK);
        assert_true(got == want);
        hq_buf_free(&b);
    }
}

static void test_date(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(dec(HQ_TYPE_DATE, "1970-01-01", &d), HQ_OK);
    assert_int_equal(d, 0);
    assert_int_equal(dec(HQ_TYPE_DATE, "1969-12-31", &d), HQ_OK);
    assert_int_equal(d, -1);
    assert_int_equal(dec(HQ_TYPE_DATE, "2000-02-29", &d), HQ_OK);
    assert_int_equal(d, 11016);
    assert_int_equal(dec(HQ_TYPE_DATE, "0001-01-01 BC", &d), HQ_OK);
    int64_t y;
    int m, day;
    hq_date_to_ymd(d, &y, &m, &day);
    assert_true(y == 0 && m == 1 && day == 1);
    assert_int_equal(dec(HQ_TYPE_DATE, "5874897-12-31", &d), HQ_OK); /* PostgreSQL's last date */
    assert_int_equal(dec(HQ_TYPE_DATE, "infinity", &d), HQ_OK);
    assert_int_equal(d, HQ_DATE_INFINITY);
    assert_int_equal(dec(HQ_TYPE_DATE, "-infinity", &d), HQ_OK);
    assert_int_equal(d, HQ_DATE_NEG_INFINITY);
    assert_int_equal(dec(HQ_TYPE_DATE, "999999999-01-01", &d), HQ_ERR_RANGE);
    const char *bad[] = {"", "1900-02-29", "2024-00-10", "2024-01-32", "2024-01-01 00:00:00",
                         "2024/01/01", "0000-01-01", "2024-01-01 BCE"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dec(HQ_TYPE_DATE, bad[i], &d), HQ_ERR_DECODE);
    d = -1;
    enc_eq(HQ_TYPE_DATE, NULL, &d, "1969-12-31");
    assert_int_equal(hq_date_from_ymd(-43, 3, 15, &d), HQ_OK);
    enc_eq(HQ_TYPE_DATE, NULL, &d, "0044-03-15 BC");
    d = HQ_DATE_INFINITY;
    enc_eq(HQ_TYPE_DATE, NULL, &d, "infinity");
    assert_int_equal(hq_date_from_ymd(2023, 2, 29, &d), HQ_ERR_RANGE);
    for (int32_t v = -800000; v < 800000; v += 997) {
        HqBuf b;
        hq_buf_init(&b, NULL);
        assert_int_equal(hq_encode(HQ_TYPE_DATE, NULL, &v, &b, NULL), HQ_OK);
        int32_t back;
        assert_int_equal(dec(HQ_TYPE_DATE, b.data, &back), HQ_OK);
        assert_int_equal(back, v);
        hq_buf_free(&b);
    }
}

static const char *const status_labels[] = {"pending", "leased", "done"};
static const HqEnumDesc status_enum = {"public.status", 3, status_labels};

static void test_enum(void **state)
{
    (void)state;
    int v = -1;
    HqError err;
    assert_int_equal(hq_decode(HQ_TYPE_ENUM, &status_enum, "leased", NULL, &v, &err), HQ_OK);
    assert_int_equal(v, 1);
    assert_int_equal(hq_decode(HQ_TYPE_ENUM, &status_enum, "Leased", NULL, &v, &err),
                     HQ_ERR_DECODE);
    assert_non_null(strstr(err.message, "public.status"));
    assert_int_equal(hq_decode(HQ_TYPE_ENUM, NULL, "leased", NULL, &v, &err), HQ_ERR_INVALID);
    v = 2;
    enc_eq(HQ_TYPE_ENUM, &status_enum, &v, "done");
    v = 3;
    assert_int_equal(enc_status(HQ_TYPE_ENUM, &status_enum, &v), HQ_ERR_ENCODE);
    v = -1;
    assert_int_equal(enc_status(HQ_TYPE_ENUM, &status_enum, &v), HQ_ERR_ENCODE);
}

static void test_vector(void **state)
{
    (void)state;
    HqVector v;
    assert_int_equal(dec(HQ_TYPE_VECTOR, "[1,2,3]", &v), HQ_OK);
    assert_int_equal(v.n_values, 3);
    assert_true(v.values[0] == 1 && v.values[1] == 2 && v.values[2] == 3);
    enc_eq(HQ_TYPE_VECTOR, NULL, &v, "[1,2,3]");
    hq_value_clear(HQ_TYPE_VECTOR, &v, NULL);
    assert_int_equal(dec(HQ_TYPE_VECTOR, " [1.5, -2e-05 ,3] ", &v), HQ_OK);
    assert_int_equal(v.n_values, 3);
    assert_true(v.values[1] == -2e-05f);
    hq_value_clear(HQ_TYPE_VECTOR, &v, NULL);
    assert_int_equal(dec(HQ_TYPE_VECTOR, "[]", &v), HQ_OK);
    assert_int_equal(v.n_values, 0);
    const char *bad[] = {"", "[1,,2]", "[1,2", "1,2]", "[a]", "[1,2]x", "[1 2]", "{1,2}", "[,]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dec(HQ_TYPE_VECTOR, bad[i], &v), HQ_ERR_DECODE);
    float vals[] = {1.0f, 2.5f, -0.125f};
    HqVector w = {3, vals};
    enc_eq(HQ_TYPE_VECTOR, NULL, &w, "[1,2.5,-0.125]");
    vals[1] = NAN;
    assert_int_equal(enc_status(HQ_TYPE_VECTOR, NULL, &w), HQ_ERR_ENCODE);
}

static HqStatus dec_arr(HqType t, const char *text, HqArray *a)
{
    HqError err;
    return hq_decode_array(t, &status_enum, text, NULL, a, &err);
}

static void test_array_int(void **state)
{
    (void)state;
    HqArray a;
    assert_int_equal(dec_arr(HQ_TYPE_INT4, "{1,2,3}", &a), HQ_OK);
    assert_int_equal(a.n_items, 3);
    assert_null(a.nulls);
    assert_int_equal(((int32_t *)a.items)[2], 3);
    hq_array_clear(HQ_TYPE_INT4, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_INT4, "{}", &a), HQ_OK);
    assert_int_equal(a.n_items, 0);
    hq_array_clear(HQ_TYPE_INT4, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_INT8, "{1,NULL,-9223372036854775808, null }", &a), HQ_OK);
    assert_int_equal(a.n_items, 4);
    assert_non_null(a.nulls);
    assert_true(!a.nulls[0] && a.nulls[1] && !a.nulls[2] && a.nulls[3]);
    assert_true(((int64_t *)a.items)[2] == INT64_MIN);
    HqBuf b;
    hq_buf_init(&b, NULL);
    assert_int_equal(hq_encode_array(HQ_TYPE_INT8, NULL, &a, &b, NULL), HQ_OK);
    assert_string_equal(b.data, "{1,NULL,-9223372036854775808,NULL}");
    hq_buf_free(&b);
    hq_array_clear(HQ_TYPE_INT8, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_INT4, "[0:1]={7,8}", &a), HQ_OK);
    assert_int_equal(a.n_items, 2);
    hq_array_clear(HQ_TYPE_INT4, &a, NULL);
    HqError err;
    assert_int_equal(hq_decode_array(HQ_TYPE_INT4, NULL, "{{1,2},{3,4}}", NULL, &a, &err),
                     HQ_ERR_DECODE);
    assert_non_null(strstr(err.message, "multidimensional"));
    assert_int_equal(dec_arr(HQ_TYPE_INT4, "[1:2][1:2]={{1,2},{3,4}}", &a), HQ_ERR_DECODE);
    const char *bad[] = {"", "{1,2", "1,2}", "{1,,2}", "{,}", "{1}x", "{1,x}", "{\"1}",
                         "{1 2}", "[1:2={1,2}", "{1,2}}", "{99999999999}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        HqStatus st = dec_arr(HQ_TYPE_INT4, bad[i], &a);
        assert_true(st == HQ_ERR_DECODE || st == HQ_ERR_RANGE);
        assert_int_equal(a.n_items, 0);
        assert_null(a.items);
    }
}

static void test_array_text(void **state)
{
    (void)state;
    HqArray a;
    const char *lit = "{a,\"b c\",\"x\\\"y\",\"back\\\\slash\",NULL,\"NULL\",\"\",  spaced out  ,"
                      "esc\\,aped,n\\ull}";
    assert_int_equal(dec_arr(HQ_TYPE_TEXT, lit, &a), HQ_OK);
    assert_int_equal(a.n_items, 10);
    char **s = a.items;
    assert_string_equal(s[0], "a");
    assert_string_equal(s[1], "b c");
    assert_string_equal(s[2], "x\"y");
    assert_string_equal(s[3], "back\\slash");
    assert_true(a.nulls[4]);
    assert_null(s[4]);
    assert_false(a.nulls[5]);
    assert_string_equal(s[5], "NULL");
    assert_string_equal(s[6], "");
    assert_string_equal(s[7], "spaced out");
    assert_string_equal(s[8], "esc,aped");
    assert_string_equal(s[9], "null"); /* escaped: the string, not SQL NULL */
    HqBuf b;
    hq_buf_init(&b, NULL);
    assert_int_equal(hq_encode_array(HQ_TYPE_TEXT, NULL, &a, &b, NULL), HQ_OK);
    assert_string_equal(b.data, "{a,\"b c\",\"x\\\"y\",\"back\\\\slash\",NULL,\"NULL\",\"\","
                                "\"spaced out\",\"esc,aped\",\"null\"}");
    /* ... and the encoded text decodes to the same items. */
    HqArray back;
    assert_int_equal(dec_arr(HQ_TYPE_TEXT, b.data, &back), HQ_OK);
    assert_int_equal(back.n_items, a.n_items);
    for (size_t i = 0; i < a.n_items; i++) {
        assert_int_equal(back.nulls[i], a.nulls[i]);
        if (!a.nulls[i])
            assert_string_equal(((char **)back.items)[i], s[i]);
    }
    hq_array_clear(HQ_TYPE_TEXT, &back, NULL);
    hq_buf_free(&b);
    hq_array_clear(HQ_TYPE_TEXT, &a, NULL);
    assert_null(a.items);

    const char *bad[] = {"{\"unterminated}", "{a\"b}", "{a,b\\}", "{\"a\"b}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dec_arr(HQ_TYPE_TEXT, bad[i], &a), HQ_ERR_DECODE);
}

static void test_array_other_types(void **state)
{
    (void)state;
    HqArray a;
    assert_int_equal(dec_arr(HQ_TYPE_JSONB, "{\"{\\\"a\\\": 1}\",NULL}", &a), HQ_OK);
    assert_string_equal(((char **)a.items)[0], "{\"a\": 1}");
    HqBuf b;
    hq_buf_init(&b, NULL);
    assert_int_equal(hq_encode_array(HQ_TYPE_JSONB, NULL, &a, &b, NULL), HQ_OK);
    assert_string_equal(b.data, "{\"{\\\"a\\\": 1}\",NULL}");
    hq_array_clear(HQ_TYPE_JSONB, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_TIMESTAMPTZ,
                             "{\"1970-01-01 00:00:01+00\",\"0044-03-15 12:00:00+00 BC\",infinity}",
                             &a),
                     HQ_OK);
    assert_int_equal(a.n_items, 3);
    assert_true(((int64_t *)a.items)[0] == 1000000);
    assert_true(((int64_t *)a.items)[2] == HQ_TIMESTAMP_INFINITY);
    hq_buf_reset(&b);
    assert_int_equal(hq_encode_array(HQ_TYPE_TIMESTAMPTZ, NULL, &a, &b, NULL), HQ_OK);
    assert_string_equal(b.data, "{\"1970-01-01 00:00:01+00\",\"0044-03-15 12:00:00+00 BC\","
                                "infinity}");
    hq_array_clear(HQ_TYPE_TIMESTAMPTZ, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_ENUM, "{pending,done,NULL}", &a), HQ_OK);
    assert_int_equal(((int *)a.items)[1], 2);
    hq_array_clear(HQ_TYPE_ENUM, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_ENUM, "{pending,bogus}", &a), HQ_ERR_DECODE);
    assert_int_equal(dec_arr(HQ_TYPE_UUID, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", &a), HQ_OK);
    hq_array_clear(HQ_TYPE_UUID, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_BOOL, "{t,f,NULL}", &a), HQ_OK);
    hq_buf_reset(&b);
    assert_int_equal(hq_encode_array(HQ_TYPE_BOOL, NULL, &a, &b, NULL), HQ_OK);
    assert_string_equal(b.data, "{t,f,NULL}");
    hq_array_clear(HQ_TYPE_BOOL, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_BYTEA, "{\"\\\\x0102\",\"\\\\x\"}", &a), HQ_OK);
    assert_int_equal(((HqBytes *)a.items)[0].n_bytes, 2);
    hq_buf_reset(&b);
    assert_int_equal(hq_encode_array(HQ_TYPE_BYTEA, NULL, &a, &b, NULL), HQ_OK);
    assert_string_equal(b.data, "{\"\\\\x0102\",\"\\\\x\"}");
    hq_array_clear(HQ_TYPE_BYTEA, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_NUMERIC, "{1.50,NaN,-Infinity}", &a), HQ_OK);
    hq_array_clear(HQ_TYPE_NUMERIC, &a, NULL);
    assert_int_equal(dec_arr(HQ_TYPE_VECTOR, "{}", &a), HQ_ERR_INVALID);
    HqArray empty = {0, NULL, NULL};
    hq_buf_reset(&b);
    assert_int_equal(hq_encode_array(HQ_TYPE_TEXT, NULL, &empty, &b, NULL), HQ_OK);
    assert_string_equal(b.data, "{}");
    HqArray broken = {2, NULL, NULL};
    assert_int_equal(hq_encode_array(HQ_TYPE_TEXT, NULL, &broken, &b, NULL), HQ_ERR_ENCODE);
    hq_buf_free(&b);
}

static void test_type_info(void **state)
{
    (void)state;
    assert_int_equal(hq_type_size(HQ_TYPE_INT8), 8);
    assert_int_equal(hq_type_size(HQ_TYPE_UUID), 16);
    assert_int_equal(hq_type_size((HqType)999), 0);
    assert_string_equal(hq_type_name(HQ_TYPE_TIMESTAMPTZ), "timestamptz");
    assert_string_equal(hq_type_name((HqType)999), "?");
    int64_t v;
    HqError err;
    assert_int_equal(hq_decode((HqType)999, NULL, "1", NULL, &v, &err), HQ_ERR_INVALID);
    assert_int_equal(hq_encode((HqType)999, NULL, &v, NULL, &err), HQ_ERR_INVALID);
    assert_int_equal(hq_decode(HQ_TYPE_INT8, NULL, NULL, NULL, &v, &err), HQ_ERR_INVALID);
    assert_true(hq_version_number() == HQ_RUNTIME_VERSION_NUMBER);
    assert_string_equal(hq_version(), HQ_RUNTIME_VERSION);
}

/* Every allocation of a decode can fail: each failure must give HQ_ERR_NOMEM and leave nothing
 * allocated, and with enough memory the decode succeeds. */
static void test_alloc_failures(void **state)
{
    (void)state;
    const struct {
        HqType type;
        bool array;
        const char *text;
    } cases[] = {
        {HQ_TYPE_TEXT, true, "{a,\"b c\",NULL,d,e,f,g,h,i,j,k,l,m,n,o,p,q}"},
        {HQ_TYPE_BYTEA, true, "{\"\\\\x01\",\"\\\\x0203\"}"},
        {HQ_TYPE_INT4, true, "{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18}"},
        {HQ_TYPE_BYTEA, false, "\\x0102"},
        {HQ_TYPE_VECTOR, false, "[1,2,3]"},
        {HQ_TYPE_JSONB, false, "{}"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bool ok = false;
        for (long fail_at = 0; fail_at < 100 && !ok; fail_at++) {
            TestAlloc ta = {0};
            ta.fail_at = fail_at;
            HqAllocator a = test_alloc_hook(&ta);
            HqError err;
            HqArray arr;
            HqVector vec;
            HqBytes bytes;
            char *str;
            void *out = cases[k].array ? (void *)&arr
                        : cases[k].type == HQ_TYPE_VECTOR ? (void *)&vec
                        : cases[k].type == HQ_TYPE_BYTEA  ? (void *)&bytes
                                                          : (void *)&str;
            HqStatus st = cases[k].array
                              ? hq_decode_array(cases[k].type, NULL, cases[k].text, &a, out, &err)
                              : hq_decode(cases[k].type, NULL, cases[k].text, &a, out, &err);
            if (st == HQ_OK) {
                ok = true;
                /* The encoder's allocations fail the same way. */
                HqBuf b;
                hq_buf_init(&b, &a);
                ta.fail_at = ta.n_allocs; /* next allocation fails */
                HqStatus est = cases[k].array
                                   ? hq_encode_array(cases[k].type, NULL, out, &b, &err)
                                   : hq_encode(cases[k].type, NULL, out, &b, &err);
                assert_int_equal(est, HQ_ERR_NOMEM);
                hq_buf_free(&b);
                if (cases[k].array)
                    hq_array_clear(cases[k].type, out, &a);
                else
                    hq_value_clear(cases[k].type, out, &a);
            } else {
                assert_int_equal(st, HQ_ERR_NOMEM);
                assert_int_equal(err.status, HQ_ERR_NOMEM);
            }
            assert_int_equal(ta.live, 0);
        }
        assert_true(ok);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_text_json),
        cmocka_unit_test(test_bytea),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_timestamptz),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_enum),
        cmocka_unit_test(test_vector),
        cmocka_unit_test(test_array_int),
        cmocka_unit_test(test_array_text),
        cmocka_unit_test(test_array_other_types),
        cmocka_unit_test(test_type_info),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
