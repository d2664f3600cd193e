/* fuzz_decode.c - libFuzzer harness: libhq's decoders of PostgreSQL text
 * values (runtime/hq_codec*.c): every scalar type (uuid, timestamptz, date,
 * numeric, JSON, vector, enums, ...) and arrays of them, nested and quoted
 * included. The first byte picks the type and whether it is an array; the
 * rest is the text as a server would send it. What decodes must encode,
 * and decoding that again must give the same text (a decoder and encoder
 * that disagree corrupt data quietly). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq.h"

static const char *const labels[] = {"todo", "in progress", "done", "a\"b", "NULL", ""};
static const HqEnumDesc status_enum = {"public.status", 6, labels};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encodes v; the text (malloc'ed) or NULL when the encoder refuses it. */
static char *encode(HqType t, bool array, const void *v)
{
    HqBuf b;
    hq_buf_init(&b, NULL);
    HqError err;
    HqStatus st = array ? hq_encode_array(t, &status_enum, v, &b, &err) : hq_encode(t, &status_enum, v, &b, &err);
    char *s = st == HQ_OK && b.data ? strdup(b.data) : NULL;
    hq_buf_free(&b);
    return s;
}

static void clear(HqType t, bool array, void *v)
{
    if (array)
        hq_array_clear(t, v, NULL);
    else
        hq_value_clear(t, v, NULL);
}

static HqStatus decode(HqType t, bool array, const char *text, void *v)
{
    HqError err;
    return array ? hq_decode_array(t, &status_enum, text, NULL, v, &err)
                 : hq_decode(t, &status_enum, text, NULL, v, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    HqType t = (HqType)(data[0] % HQ_TYPE_VECTOR + 1);
    bool array = (data[0] / HQ_TYPE_VECTOR) % 2 && t != HQ_TYPE_VECTOR;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    _Alignas(16) unsigned char v1[64], v2[64];
    if (decode(t, array, text, v1) == HQ_OK) {
        char *e1 = encode(t, array, v1);
        clear(t, array, v1);
        if (e1) {
            if (decode(t, array, e1, v2) != HQ_OK) {
                fprintf(stderr, "type %s%s: \"%s\" decodes, its encoding \"%s\" does not\n", hq_type_name(t),
                        array ? "[]" : "", text, e1);
                abort();
            }
            char *e2 = encode(t, array, v2);
            clear(t, array, v2);
            if (!e2 || strcmp(e1, e2)) {
                fprintf(stderr, "type %s%s: \"%s\" encodes as \"%s\", which encodes as \"%s\"\n", hq_type_name(t),
                        array ? "[]" : "", text, e1, e2 ? e2 : "(refused)");
                abort();
            }
            free(e2);
        }
        free(e1);
    }
    free(text);
    return 0;
}
