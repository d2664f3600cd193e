/* fuzz_row.c - libFuzzer harness: libhq's decoding of a result row into a
 * record (hq_record_decode, which every read of a table row or function
 * result goes through). The input is a row as a server could send it:
 * values separated by the byte 0x1F, a value starting with 0xFF is SQL
 * NULL, and the first byte chooses how many columns the result has, so
 * malformed values, missing and extra columns and NULLs in NOT NULL fields
 * all reach the decoder through a real PGresult. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "hq_int.h"

static const char *const labels[] = {"todo", "doing", "done"};
static const HqEnumDesc status_enum = {"public.status", 3, labels};

typedef struct {
    HqUuid id;
    int64_t at;
    bool at_null;
    int32_t day;
    char *amount;
    char *name;
    bool name_null;
    char *meta;
    int status;
    HqArray tags;
    HqArray scores;
    bool scores_null;
    HqVector embedding;
    bool embedding_null;
    HqBytes blob;
    int64_t n;
    double ratio;
    bool flag;
    HqArray days;
} Row;

#define F(name, type, flags, member, null_member)                                                             \
    {name, type, flags, offsetof(Row, member), null_member, type == HQ_TYPE_ENUM ? &status_enum : NULL, NULL}

static const HqField fields[] = {
    F("id", HQ_TYPE_UUID, HQ_FIELD_PRIMARY_KEY, id, 0),
    F("at", HQ_TYPE_TIMESTAMPTZ, HQ_FIELD_NULLABLE, at, offsetof(Row, at_null)),
    F("day", HQ_TYPE_DATE, 0, day, 0),
    F("amount", HQ_TYPE_NUMERIC, 0, amount, 0),
    F("name", HQ_TYPE_TEXT, HQ_FIELD_NULLABLE, name, offsetof(Row, name_null)),
    F("meta", HQ_TYPE_JSONB, 0, meta, 0),
    F("status", HQ_TYPE_ENUM, 0, status, 0),
    F("tags", HQ_TYPE_TEXT, HQ_FIELD_ARRAY, tags, 0),
    F("scores", HQ_TYPE_FLOAT4, HQ_FIELD_ARRAY | HQ_FIELD_NULLABLE, scores, offsetof(Row, scores_null)),
    F("embedding", HQ_TYPE_VECTOR, HQ_FIELD_NULLABLE, embedding, offsetof(Row, embedding_null)),
    F("blob", HQ_TYPE_BYTEA, 0, blob, 0),
    F("n", HQ_TYPE_INT8, 0, n, 0),
    F("ratio", HQ_TYPE_FLOAT8, 0, ratio, 0),
    F("flag", HQ_TYPE_BOOL, 0, flag, 0),
    F("days", HQ_TYPE_DATE, HQ_FIELD_ARRAY, days, 0),
};
#define N_FIELDS (sizeof fields / sizeof fields[0])
static const HqRecordDesc row_desc = {"row", sizeof(Row), N_FIELDS, fields};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* Mostly the right number of columns, sometimes one more or fewer. */
    int n_cols = data[0] % 8 == 0 ? (int)N_FIELDS - 1 : data[0] % 8 == 1 ? (int)N_FIELDS + 1 : (int)N_FIELDS;
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    if (!r)
        return 0;
    PGresAttDesc attrs[N_FIELDS + 1];
    memset(attrs, 0, sizeof attrs);
    for (int i = 0; i < n_cols; i++)
        attrs[i].name = (char *)(i < (int)N_FIELDS ? fields[i].name : "extra");
    if (!PQsetResultAttrs(r, n_cols, attrs)) {
        PQclear(r);
        return 0;
    }
    const uint8_t *p = data + 1, *end = data + size;
    for (int col = 0; col < n_cols; col++) {
        const uint8_t *sep = p < end ? memchr(p, 0x1f, (size_t)(end - p)) : NULL;
        const uint8_t *stop = sep ? sep : end;
        if (p < end && *p == 0xff)
            PQsetvalue(r, 0, col, NULL, -1);
        else
            PQsetvalue(r, 0, col, (char *)p, (int)(stop - p));
        p = sep ? sep + 1 : end;
    }
    Row row;
    HqError err;
    if (hq_record_decode(&row_desc, r, 0, NULL, &row, &err) == HQ_OK)
        hq_record_clear(&row_desc, &row, NULL);
    PQclear(r);
    return 0;
}
