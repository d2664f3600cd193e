/* hq_codec_array.c - PostgreSQL array literals ({a,"b c",NULL}) and pgvector text ([1,2,3]).
 * The array parser follows array_in's rules (quoting, backslash escapes, unquoted NULL,
 * whitespace trimming, optional [lo:hi]= dimension decoration) for one dimension; anything it
 * does not understand is HQ_ERR_DECODE with nothing left allocated.
 */
#include "hq_int.h"

#include <math.h>
#include <string.h>

static bool array_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static const char *skip_space(const char *p)
{
    while (array_space(*p))
        p++;
    return p;
}

/* Grows a parallel pair (items, nulls) to hold one more element; no realloc in the hook. */
static bool grow(const HqAllocator *a, HqArray *arr, size_t *cap, size_t elsize)
{
    if (arr->n_items < *cap)
        return true;
    size_t ncap = *cap == 0 ? 8 : *cap * 2;
    if (ncap > SIZE_MAX / elsize)
        return false;
    void *items = hq_alloc(a, ncap * elsize);
    bool *nulls = hq_alloc(a, ncap * sizeof(bool));
    if (items == NULL || nulls == NULL) {
        hq_free(a, items);
        hq_free(a, nulls);
        return false;
    }
    if (arr->n_items > 0) {
        memcpy(items, arr->items, arr->n_items * elsize);
        memcpy(nulls, arr->nulls, arr->n_items * sizeof(bool));
    }
    hq_free(a, arr->items);
    hq_free(a, arr->nulls);
    arr->items = items;
    arr->nulls = nulls;
    *cap = ncap;
    return true;
}

void hq_array_clear(HqType elem, HqArray *arr, const HqAllocator *a)
{
    if (arr == NULL)
        return;
    size_t size = hq_type_size(elem);
    if (arr->items != NULL && size > 0) {
        for (size_t i = 0; i < arr->n_items; i++)
            if (arr->nulls == NULL || !arr->nulls[i])
                hq_value_clear(elem, (char *)arr->items + i * size, a);
    }
    hq_free(a, arr->items);
    hq_free(a, arr->nulls);
    memset(arr, 0, sizeof *arr);
}

/* "[lo:hi]=" before the braces: checked for shape, then ignored (the lower bound is not kept). */
static bool skip_dimensions(const char **pp)
{
    const char *p = *pp;
    if (*p != '[')
        return true;
    p++;
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p++ != ':')
        return false;
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p++ != ']')
        return false;
    if (*p == '[')
        return false; /* a second dimension */
    p = skip_space(p);
    if (*p++ != '=')
        return false;
    *pp = skip_space(p);
    return true;
}

/* Reads one element at *pp into tok (unescaped). Sets *is_null for an unquoted NULL. */
static bool read_element(const char **pp, HqBuf *tok, bool *is_null, bool *multidim)
{
    const char *p = skip_space(*pp);
    hq_buf_reset(tok);
    *is_null = false;
    if (*p == '{') {
        *multidim = true;
        return false;
    }
    if (*p == '"') {
        for (p++; *p != '"'; p++) {
            if (*p == '\0')
                return false;
            if (*p == '\\' && *++p == '\0')
                return false;
            hq_buf_putc(tok, *p);
        }
        p = skip_space(p + 1);
    } else {
        size_t keep = 0;      /* length up to the last character that is not trailing space */
        bool escaped = false; /* "NULL" written with an escape is the string, not SQL NULL */
        for (; *p != ',' && *p != '}'; p++) {
            if (*p == '\0' || *p == '"' || *p == '{')
                return false;
            if (*p == '\\') {
                if (*++p == '\0')
                    return false;
                escaped = true;
                hq_buf_putc(tok, *p);
                keep = tok->len;
            } else {
                hq_buf_putc(tok, *p);
                if (!array_space(*p))
                    keep = tok->len;
            }
        }
        if (tok->len > 0) {
            tok->len = keep;
            tok->data[keep] = '\0';
        }
        if (tok->len == 0)
            return false; /* an empty unquoted element is a syntax error in array_in */
        if (!escaped && tok->len == 4 && (tok->data[0] | 0x20) == 'n' &&
            (tok->data[1] | 0x20) == 'u' && (tok->data[2] | 0x20) == 'l' &&
            (tok->data[3] | 0x20) == 'l')
            *is_null = true;
    }
    *pp = p;
    return true;
}

HqStatus hq_decode_array(HqType elem, const HqEnumDesc *e, const char *text,
                         const HqAllocator *a, HqArray *out, HqError *err)
{
    size_t size = hq_type_size(elem);
    if (out == NULL || text == NULL || size == 0 || elem == HQ_TYPE_VECTOR)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_decode_array: bad arguments");
    memset(out, 0, sizeof *out);
    HqArray arr = {0, NULL, NULL};
    size_t cap = 0;
    bool any_null = false, multidim = false;
    HqBuf tok;
    hq_buf_init(&tok, a);
    HqStatus st = HQ_OK;

    const char *p = skip_space(text);
    if (!skip_dimensions(&p) || *p != '{')
        goto syntax;
    p = skip_space(p + 1);
    if (*p == '}') {
        p++;
    } else {
        for (;;) {
            bool is_null;
            if (!read_element(&p, &tok, &is_null, &multidim)) {
                if (tok.oom)
                    goto nomem;
                goto syntax;
            }
            if (tok.oom || !grow(a, &arr, &cap, size))
                goto nomem;
            void *slot = (char *)arr.items + arr.n_items * size;
            memset(slot, 0, size);
            arr.nulls[arr.n_items] = is_null;
            if (!is_null) {
                st = hq_decode(elem, e, tok.data != NULL ? tok.data : "", a, slot, err);
                if (st != HQ_OK)
                    goto fail;
            }
            any_null |= is_null;
            arr.n_items++;
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '}') {
                p++;
                break;
            }
            goto syntax;
        }
    }
    if (*skip_space(p) != '\0')
        goto syntax;
    hq_buf_free(&tok);
    if (!any_null) {
        hq_free(a, arr.nulls);
        arr.nulls = NULL;
    }
    *out = arr;
    return HQ_OK;

syntax:
    st = multidim ? hq_error_set(err, HQ_ERR_DECODE, "multidimensional arrays are not supported")
                  : hq_error_set(err, HQ_ERR_DECODE, "invalid array literal \"%.64s\"", text);
    goto fail;
nomem:
    st = hq_error_nomem(err);
fail:
    hq_buf_free(&tok);
    hq_array_clear(elem, &arr, a);
    return st;
}

/* array_out quotes an element that is empty, spells NULL, or holds a brace, quote, comma,
 * backslash or white space; inside quotes, quote and backslash get a backslash. */
static void put_element(HqBuf *out, const char *s, size_t n)
{
    bool quote = n == 0 || (n == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' &&
                            (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 'l');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == '{' || s[i] == '}' || s[i] == '"' || s[i] == ',' || s[i] == '\\' ||
                array_space(s[i]);
    if (!quote) {
        hq_buf_put(out, s, n);
        return;
    }
    hq_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            hq_buf_putc(out, '\\');
        hq_buf_putc(out, s[i]);
    }
    hq_buf_putc(out, '"');
}

HqStatus hq_encode_array(HqType elem, const HqEnumDesc *e, const HqArray *arr, HqBuf *out,
                         HqError *err)
{
    size_t size = hq_type_size(elem);
    if (arr == NULL || out == NULL || size == 0 || elem == HQ_TYPE_VECTOR)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_encode_array: bad arguments");
    if (arr->n_items > 0 && arr->items == NULL)
        return hq_error_set(err, HQ_ERR_ENCODE, "array has %zu items but no item storage",
                            arr->n_items);
    HqBuf tmp;
    hq_buf_init(&tmp, &out->alloc);
    HqStatus st = HQ_OK;
    hq_buf_putc(out, '{');
    for (size_t i = 0; i < arr->n_items; i++) {
        if (i > 0)
            hq_buf_putc(out, ',');
        if (arr->nulls != NULL && arr->nulls[i]) {
            hq_buf_puts(out, "NULL");
            continue;
        }
        hq_buf_reset(&tmp);
        st = hq_encode(elem, e, (const char *)arr->items + i * size, &tmp, err);
        if (st != HQ_OK)
            break;
        put_element(out, tmp.data != NULL ? tmp.data : "", tmp.len);
    }
    hq_buf_putc(out, '}');
    hq_buf_free(&tmp);
    if (st == HQ_OK && out->oom)
        st = hq_error_nomem(err);
    return st;
}

HqStatus hq_decode_vector(const char *s, const HqAllocator *a, HqVector *out, HqError *err)
{
    memset(out, 0, sizeof *out);
    const char *p = skip_space(s);
    if (*p++ != '[')
        goto bad;
    size_t n = 0;
    p = skip_space(p);
    if (*p != ']') {
        n = 1;
        for (const char *q = p; *q != '\0'; q++)
            n += *q == ',';
    }
    float *v = n > 0 ? hq_alloc(a, n * sizeof(float)) : NULL;
    if (n > 0 && v == NULL)
        return hq_error_nomem(err);
    for (size_t i = 0; i < n; i++) {
        char tok[64];
        size_t len = 0;
        p = skip_space(p);
        while (*p != ',' && *p != ']' && *p != '\0' && !array_space(*p)) {
            if (len + 1 >= sizeof tok)
                goto bad_free;
            tok[len++] = *p++;
        }
        tok[len] = '\0';
        if (hq_decode_float4(tok, &v[i], NULL) != HQ_OK)
            goto bad_free;
        p = skip_space(p);
        if (*p != (i + 1 < n ? ',' : ']'))
            goto bad_free;
        if (i + 1 < n)
            p++;
    }
    if (*p++ != ']' || *skip_space(p) != '\0')
        goto bad_free;
    out->values = v;
    out->n_values = n;
    return HQ_OK;
bad_free:
    hq_free(a, v);
bad:
    return hq_error_set(err, HQ_ERR_DECODE, "invalid vector text \"%.64s\"", s);
}

HqStatus hq_encode_vector(const HqVector *v, HqBuf *out, HqError *err)
{
    if (v->n_values > 0 && v->values == NULL)
        return hq_error_set(err, HQ_ERR_ENCODE, "vector has %zu values but no storage",
                            v->n_values);
    hq_buf_putc(out, '[');
    for (size_t i = 0; i < v->n_values; i++) {
        if (!isfinite(v->values[i]))
            return hq_error_set(err, HQ_ERR_ENCODE, "vector element %zu is not finite", i);
        if (i > 0)
            hq_buf_putc(out, ',');
        hq_format_float(out, v->values[i], 9);
    }
    hq_buf_putc(out, ']');
    return out->oom ? hq_error_nomem(err) : HQ_OK;
}
