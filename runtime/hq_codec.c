/* hq_codec.c - text-format codecs for scalar types (bool, integers, floats, numeric, text, json,
 * bytea, uuid, enum) and the type dispatch behind hq_decode/hq_encode. Parsers are strict and
 * locale-independent: server text that is not exactly what PostgreSQL prints is an error.
 * Dates and timestamps live in hq_codec_time.c, arrays and vectors in hq_codec_array.c.
 */
#include "hq_int.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- C locale for floats */

/* printf/strtod follow LC_NUMERIC, and a program may have called setlocale(); a thread-local
 * switch to the "C" locale keeps "1.5" from becoming "1,5". */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t enter_c_locale(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    if (c_locale == (locale_t)0)
        return (locale_t)0;
    return uselocale(c_locale);
}

static void leave_c_locale(locale_t old)
{
    if (old != (locale_t)0)
        uselocale(old);
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static HqStatus bad_text(HqError *err, const char *type, const char *s)
{
    return hq_error_set(err, HQ_ERR_DECODE, "invalid %s text \"%.64s\"", type, s);
}

/* ----------------------------------------------------------------- integers and bool */

static HqStatus decode_int(const char *s, int64_t min, int64_t max, const char *type, int64_t *out,
                           HqError *err)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (*p < '0' || *p > '9')
        return bad_text(err, type, s);
    /* Accumulate as unsigned so that INT64_MIN's magnitude fits. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10)
            return hq_error_set(err, HQ_ERR_RANGE, "%s value \"%.64s\" out of range", type, s);
        v = v * 10 + d;
    }
    if (*p != '\0')
        return bad_text(err, type, s);
    int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    if (r < min || r > max)
        return hq_error_set(err, HQ_ERR_RANGE, "%s value \"%.64s\" out of range", type, s);
    *out = r;
    return HQ_OK;
}

static HqStatus decode_bool(const char *s, bool *out, HqError *err)
{
    if (strcmp(s, "t") == 0 || strcmp(s, "true") == 0)
        *out = true;
    else if (strcmp(s, "f") == 0 || strcmp(s, "false") == 0)
        *out = false;
    else
        return bad_text(err, "boolean", s);
    return HQ_OK;
}

/* ----------------------------------------------------------------- floats */

/* Only what float8out/float4out print: digits, sign, point, exponent, or the three words.
 * strtod alone would also take hex floats, "inf", leading spaces. */
static bool float_syntax_ok(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    const char *start = p;
    while (*p >= '0' && *p <= '9')
        p++;
    bool digits = p > start;
    if (*p == '.') {
        start = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        digits = digits || p > start;
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

static int float_special(const char *s, double *out)
{
    if (strcmp(s, "NaN") == 0)
        *out = NAN;
    else if (strcmp(s, "Infinity") == 0)
        *out = INFINITY;
    else if (strcmp(s, "-Infinity") == 0)
        *out = -INFINITY;
    else
        return 0;
    return 1;
}

static HqStatus decode_float8(const char *s, double *out, HqError *err)
{
    if (float_special(s, out))
        return HQ_OK;
    if (!float_syntax_ok(s))
        return bad_text(err, "double precision", s);
    locale_t old = enter_c_locale();
    errno = 0;
    double v = strtod(s, NULL);
    int e = errno;
    leave_c_locale(old);
    if (e == ERANGE && isinf(v))
        return hq_error_set(err, HQ_ERR_RANGE, "double precision value \"%.64s\" out of range", s);
    *out = v;
    return HQ_OK;
}

HqStatus hq_decode_float4(const char *s, float *out, HqError *err)
{
    double special;
    if (float_special(s, &special)) {
        *out = (float)special;
        return HQ_OK;
    }
    if (!float_syntax_ok(s))
        return bad_text(err, "real", s);
    locale_t old = enter_c_locale();
    errno = 0;
    float v = strtof(s, NULL);
    int e = errno;
    leave_c_locale(old);
    if (e == ERANGE && isinf(v))
        return hq_error_set(err, HQ_ERR_RANGE, "real value \"%.64s\" out of range", s);
    *out = v;
    return HQ_OK;
}

void hq_format_float(HqBuf *b, double v, int digits)
{
    if (isnan(v)) {
        hq_buf_puts(b, "NaN");
        return;
    }
    if (isinf(v)) {
        hq_buf_puts(b, v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    /* 17 (double) / 9 (float) significant digits always read back to the same binary value. */
    char tmp[40];
    locale_t old = enter_c_locale();
    snprintf(tmp, sizeof tmp, "%.*g", digits, v);
    leave_c_locale(old);
    hq_buf_puts(b, tmp);
}

/* ----------------------------------------------------------------- numeric */

/* numeric_in accepts: [sign] digits [. digits] [e [sign] digits], ".5", "5.", and NaN/Infinity
 * in any case. numeric_out prints a subset, so one checker serves both directions. */
static bool numeric_ok(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (ascii_ieq(p, "infinity") || ascii_ieq(p, "inf"))
        return true;
    if (p == s && ascii_ieq(p, "nan"))
        return true;
    return float_syntax_ok(s);
}

/* ----------------------------------------------------------------- uuid and bytea */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static HqStatus decode_uuid(const char *s, HqUuid *out, HqError *err)
{
    /* uuid_out prints 8-4-4-4-12 hex digits; nothing else is accepted. */
    const char *p = s;
    for (int i = 0; i < 16; i++) {
        if ((i == 4 || i == 6 || i == 8 || i == 10) && *p++ != '-')
            return bad_text(err, "uuid", s);
        int hi = hexval(p[0]);
        int lo = hi < 0 ? -1 : hexval(p[1]);
        if (lo < 0)
            return bad_text(err, "uuid", s);
        out->bytes[i] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    if (*p != '\0')
        return bad_text(err, "uuid", s);
    return HQ_OK;
}

static void encode_uuid(const HqUuid *u, HqBuf *b)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[37];
    size_t n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            tmp[n++] = '-';
        tmp[n++] = hex[u->bytes[i] >> 4];
        tmp[n++] = hex[u->bytes[i] & 15];
    }
    hq_buf_put(b, tmp, n);
}

static HqStatus decode_bytea(const char *s, const HqAllocator *a, HqBytes *out, HqError *err)
{
    /* bytea_output is set to hex on connect; the escape format is refused, not guessed at. */
    if (s[0] != '\\' || s[1] != 'x')
        return bad_text(err, "bytea", s);
    size_t n = strlen(s + 2);
    if (n % 2 != 0)
        return bad_text(err, "bytea", s);
    uint8_t *p = NULL;
    if (n > 0) {
        p = hq_alloc(a, n / 2);
        if (p == NULL)
            return hq_error_nomem(err);
        for (size_t i = 0; i < n / 2; i++) {
            int hi = hexval(s[2 + 2 * i]);
            int lo = hexval(s[3 + 2 * i]);
            if (hi < 0 || lo < 0) {
                hq_free(a, p);
                return bad_text(err, "bytea", s);
            }
            p[i] = (uint8_t)(hi << 4 | lo);
        }
    }
    out->bytes = p;
    out->n_bytes = n / 2;
    return HQ_OK;
}

static HqStatus encode_bytea(const HqBytes *v, HqBuf *b, HqError *err)
{
    static const char hex[] = "0123456789abcdef";
    if (v->bytes == NULL && v->n_bytes > 0)
        return hq_error_set(err, HQ_ERR_ENCODE, "bytea value has %zu bytes but no data",
                            v->n_bytes);
    if (v->n_bytes > (SIZE_MAX - 3) / 2 || !hq_buf_reserve(b, 2 + 2 * v->n_bytes))
        return hq_error_nomem(err);
    hq_buf_put(b, "\\x", 2);
    for (size_t i = 0; i < v->n_bytes; i++) {
        char pair[2] = {hex[v->bytes[i] >> 4], hex[v->bytes[i] & 15]};
        hq_buf_put(b, pair, 2);
    }
    return HQ_OK;
}

/* ----------------------------------------------------------------- dispatch */

size_t hq_type_size(HqType t)
{
    switch (t) {
    case HQ_TYPE_BOOL: return sizeof(bool);
    case HQ_TYPE_INT2: return sizeof(int16_t);
    case HQ_TYPE_INT4: return sizeof(int32_t);
    case HQ_TYPE_INT8: return sizeof(int64_t);
    case HQ_TYPE_FLOAT4: return sizeof(float);
    case HQ_TYPE_FLOAT8: return sizeof(double);
    case HQ_TYPE_NUMERIC:
    case HQ_TYPE_TEXT:
    case HQ_TYPE_JSON:
    case HQ_TYPE_JSONB: return sizeof(char *);
    case HQ_TYPE_BYTEA: return sizeof(HqBytes);
    case HQ_TYPE_UUID: return sizeof(HqUuid);
    case HQ_TYPE_TIMESTAMPTZ: return sizeof(int64_t);
    case HQ_TYPE_DATE: return sizeof(int32_t);
    case HQ_TYPE_ENUM: return sizeof(int);
    case HQ_TYPE_VECTOR: return sizeof(HqVector);
    }
    return 0;
}

const char *hq_type_name(HqType t)
{
    switch (t) {
    case HQ_TYPE_BOOL: return "boolean";
    case HQ_TYPE_INT2: return "smallint";
    case HQ_TYPE_INT4: return "integer";
    case HQ_TYPE_INT8: return "bigint";
    case HQ_TYPE_FLOAT4: return "real";
    case HQ_TYPE_FLOAT8: return "double precision";
    case HQ_TYPE_NUMERIC: return "numeric";
    case HQ_TYPE_TEXT: return "text";
    case HQ_TYPE_JSON: return "json";
    case HQ_TYPE_JSONB: return "jsonb";
    case HQ_TYPE_BYTEA: return "bytea";
    case HQ_TYPE_UUID: return "uuid";
    case HQ_TYPE_TIMESTAMPTZ: return "timestamptz";
    case HQ_TYPE_DATE: return "date";
    case HQ_TYPE_ENUM: return "enum";
    case HQ_TYPE_VECTOR: return "vector";
    }
    return "?";
}

static HqStatus decode_enum(const HqEnumDesc *e, const char *s, int *out, HqError *err)
{
    if (e == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "enum value without an enum descriptor");
    for (size_t i = 0; i < e->n_labels; i++) {
        if (strcmp(e->labels[i], s) == 0) {
            *out = (int)i;
            return HQ_OK;
        }
    }
    /* A label the compiled code does not know means database and code disagree on the schema. */
    return hq_error_set(err, HQ_ERR_DECODE, "unknown label \"%.64s\" for enum %s", s,
                        e->sql_name != NULL ? e->sql_name : "?");
}

static HqStatus decode_scalar(HqType t, const HqEnumDesc *e, const char *s, const HqAllocator *a,
                              void *value, HqError *err)
{
    int64_t i64 = 0;
    HqStatus st;
    switch (t) {
    case HQ_TYPE_BOOL:
        return decode_bool(s, value, err);
    case HQ_TYPE_INT2:
        if ((st = decode_int(s, INT16_MIN, INT16_MAX, "smallint", &i64, err)) == HQ_OK)
            *(int16_t *)value = (int16_t)i64;
        return st;
    case HQ_TYPE_INT4:
        if ((st = decode_int(s, INT32_MIN, INT32_MAX, "integer", &i64, err)) == HQ_OK)
            *(int32_t *)value = (int32_t)i64;
        return st;
    case HQ_TYPE_INT8:
        return decode_int(s, INT64_MIN, INT64_MAX, "bigint", value, err);
    case HQ_TYPE_FLOAT4:
        return hq_decode_float4(s, value, err);
    case HQ_TYPE_FLOAT8:
        return decode_float8(s, value, err);
    case HQ_TYPE_NUMERIC: /* kept as its exact text once the syntax is known good */
    case HQ_TYPE_TEXT:
    case HQ_TYPE_JSON:
    case HQ_TYPE_JSONB: {
        if (t == HQ_TYPE_NUMERIC && !numeric_ok(s))
            return bad_text(err, "numeric", s);
        char *p = hq_strndup(a, s, strlen(s));
        if (p == NULL)
            return hq_error_nomem(err);
        *(char **)value = p;
        return HQ_OK;
    }
    case HQ_TYPE_BYTEA:
        return decode_bytea(s, a, value, err);
    case HQ_TYPE_UUID:
        return decode_uuid(s, value, err);
    case HQ_TYPE_TIMESTAMPTZ:
        return hq_decode_timestamptz(s, value, err);
    case HQ_TYPE_DATE:
        return hq_decode_date(s, value, err);
    case HQ_TYPE_ENUM:
        return decode_enum(e, s, value, err);
    case HQ_TYPE_VECTOR:
        return hq_decode_vector(s, a, value, err);
    }
    return hq_error_set(err, HQ_ERR_INVALID, "unknown type code %d", (int)t);
}

HqStatus hq_decode(HqType t, const HqEnumDesc *e, const char *text, const HqAllocator *a,
                   void *value, HqError *err)
{
    size_t size = hq_type_size(t);
    if (size == 0)
        return hq_error_set(err, HQ_ERR_INVALID, "unknown type code %d", (int)t);
    if (text == NULL || value == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_decode: NULL text or value");
    memset(value, 0, size);
    HqStatus st = decode_scalar(t, e, text, a, value, err);
    if (st != HQ_OK)
        memset(value, 0, size);
    return st;
}

HqStatus hq_encode(HqType t, const HqEnumDesc *e, const void *value, HqBuf *out, HqError *err)
{
    if (value == NULL || out == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_encode: NULL value or buffer");
    switch (t) {
    case HQ_TYPE_BOOL:
        hq_buf_putc(out, *(const bool *)value ? 't' : 'f');
        break;
    case HQ_TYPE_INT2:
        hq_buf_printf(out, "%d", (int)*(const int16_t *)value);
        break;
    case HQ_TYPE_INT4:
        hq_buf_printf(out, "%ld", (long)*(const int32_t *)value);
        break;
    case HQ_TYPE_INT8:
        hq_buf_printf(out, "%lld", (long long)*(const int64_t *)value);
        break;
    case HQ_TYPE_FLOAT4:
        hq_format_float(out, *(const float *)value, 9);
        break;
    case HQ_TYPE_FLOAT8:
        hq_format_float(out, *(const double *)value, 17);
        break;
    case HQ_TYPE_NUMERIC:
    case HQ_TYPE_TEXT:
    case HQ_TYPE_JSON:
    case HQ_TYPE_JSONB: {
        const char *s = *(const char *const *)value;
        if (s == NULL)
            return hq_error_set(err, HQ_ERR_ENCODE, "NULL %s pointer (set the null flag instead)",
                                hq_type_name(t));
        if (t == HQ_TYPE_NUMERIC && !numeric_ok(s))
            return hq_error_set(err, HQ_ERR_ENCODE, "invalid numeric \"%.64s\"", s);
        hq_buf_puts(out, s);
        break;
    }
    case HQ_TYPE_BYTEA: {
        HqStatus st = encode_bytea(value, out, err);
        if (st != HQ_OK)
            return st;
        break;
    }
    case HQ_TYPE_UUID:
        encode_uuid(value, out);
        break;
    case HQ_TYPE_TIMESTAMPTZ:
        return hq_encode_timestamptz(*(const int64_t *)value, out, err);
    case HQ_TYPE_DATE:
        return hq_encode_date(*(const int32_t *)value, out, err);
    case HQ_TYPE_ENUM: {
        int v = *(const int *)value;
        if (e == NULL)
            return hq_error_set(err, HQ_ERR_INVALID, "enum value without an enum descriptor");
        if (v < 0 || (size_t)v >= e->n_labels)
            return hq_error_set(err, HQ_ERR_ENCODE, "value %d is not a label of enum %s", v,
                                e->sql_name != NULL ? e->sql_name : "?");
        hq_buf_puts(out, e->labels[v]);
        break;
    }
    case HQ_TYPE_VECTOR:
        return hq_encode_vector(value, out, err);
    default:
        return hq_error_set(err, HQ_ERR_INVALID, "unknown type code %d", (int)t);
    }
    if (out->oom)
        return hq_error_nomem(err);
    return HQ_OK;
}

void hq_value_clear(HqType t, void *value, const HqAllocator *a)
{
    if (value == NULL)
        return;
    switch (t) {
    case HQ_TYPE_NUMERIC:
    case HQ_TYPE_TEXT:
    case HQ_TYPE_JSON:
    case HQ_TYPE_JSONB:
        hq_free(a, *(char **)value);
        break;
    case HQ_TYPE_BYTEA:
        hq_free(a, ((HqBytes *)value)->bytes);
        break;
    case HQ_TYPE_VECTOR:
        hq_free(a, ((HqVector *)value)->values);
        break;
    default:
        break;
    }
    size_t size = hq_type_size(t);
    if (size > 0)
        memset(value, 0, size);
}
