/* hq.h - public interface of libhq, the PostgreSQL runtime that hqc-generated C links against.
 * The library knows nothing about any schema: generated code hands it static descriptors
 * (HqRecordDesc, HqTableDesc, HqFuncDesc) and thin typed wrappers call the generic routines here.
 * Requires C11 (or C++11); compiles warning-free with -Wall -Wextra -Wpedantic.
 *
 * OWNERSHIP, stated once for the whole API:
 *   - Objects returned through an out-parameter (HqConn, HqResult, HqBatch) belong to the caller,
 *     who releases each exactly once with its *_free(); every *_free() accepts NULL.
 *   - Input pointers (SQL text, records, descriptors, values) are borrowed for the duration of
 *     the call only; descriptors must stay valid while a connection uses them (they are static).
 *   - Memory that a decode hangs off a caller's record or value (text, numeric, bytea, arrays,
 *     vectors) comes from the allocator given to the call (for connections: the one given to
 *     hq_connect) and is released with hq_record_clear() / hq_value_clear() / hq_array_clear().
 *     A decode overwrites its destination without freeing what was there.
 *   - Records passed to a row callback (HqRowFn) belong to the runtime and are cleared after the
 *     callback returns; to keep a pointer field, the callback copies it or takes it by setting
 *     the field to NULL (then frees it later with hq_free() and the connection's allocator).
 *
 * ERRORS: every fallible function returns HqStatus and, when given a non-NULL HqError, fills it.
 * The runtime never prints, never exits and never aborts on out-of-memory.
 *
 * THREADS: a connection (and what hangs off it) is used by one thread at a time.
 */
#ifndef HQ_H
#define HQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version. Generated code checks at compile time (as protobuf-c does):
 *   #if HQ_RUNTIME_VERSION_NUMBER < 1000 || HQ_RUNTIME_VERSION_NUMBER >= 2000000
 *   # error "generated with a different libhq"
 *   #endif
 * NUMBER is major * 1000000 + minor * 1000 + patch. */
#define HQ_RUNTIME_VERSION "0.1.0"
#define HQ_RUNTIME_VERSION_NUMBER 1000
/* Oldest generated-code version this runtime still accepts. */
#define HQ_RUNTIME_MIN_COMPATIBLE_VERSION_NUMBER 1000

#if defined(HQ_BUILDING_LIBRARY) && defined(__GNUC__)
#define HQ_API __attribute__((visibility("default")))
#else
#define HQ_API
#endif

/* Version of the library actually linked (compare with HQ_RUNTIME_VERSION_NUMBER). */
HQ_API uint32_t hq_version_number(void);
HQ_API const char *hq_version(void);

/* ===================================================================== status and errors */

typedef enum HqStatus {
    HQ_OK = 0,
    HQ_ERR_NOMEM,     /* the allocator returned NULL (libhq or libpq) */
    HQ_ERR_INVALID,   /* bad argument or descriptor: a bug in the caller or generator */
    HQ_ERR_CONNECT,   /* could not connect, or the connection is broken */
    HQ_ERR_SERVER,    /* the server reported an error: sqlstate and the fields below are set */
    HQ_ERR_DECODE,    /* text from the server does not parse as the expected type */
    HQ_ERR_ENCODE,    /* a C value cannot be sent as its SQL type */
    HQ_ERR_RANGE,     /* a value does not fit its C representation */
    HQ_ERR_NOT_FOUND, /* a single-row operation (get, update) matched no row */
    HQ_ERR_STATE,     /* not valid now: e.g. local role outside a transaction, batch open */
    HQ_ERR_ABORTED,   /* batch item not applied because another item of its transaction failed */
    HQ_ERR_CALLBACK,  /* a row callback returned a negative value */
    HQ_ERR_MISMATCH   /* the database schema version differs from the compiled-in one */
} HqStatus;

/* Fixed-size buffers so that reporting an error can never fail for lack of memory. Strings are
 * NUL-terminated and cut at a UTF-8 character boundary when too long. */
typedef struct HqError {
    HqStatus status;           /* HQ_OK when no error was recorded */
    char sqlstate[6];          /* five-character SQLSTATE, "" for client-side errors */
    int64_t batch_index;       /* index of the failing batch item, -1 otherwise */
    char message[512];         /* primary message, one line, no trailing newline */
    char detail[512];          /* DETAIL from the server, "" when absent */
    char hint[256];            /* HINT from the server, "" when absent */
    char constraint_name[64];  /* violated constraint (e.g. unique index name) */
    char schema_name[64];      /* schema of the object involved */
    char table_name[64];       /* table involved */
    char column_name[64];      /* column involved; for decode/encode errors, the descriptor field */
    char datatype_name[64];    /* data type involved */
} HqError;

/* Constant name of a status, e.g. "HQ_ERR_SERVER". */
HQ_API const char *hq_status_name(HqStatus s);
/* Resets err to "no error" (status HQ_OK, empty strings, batch_index -1). Accepts NULL. */
HQ_API void hq_error_clear(HqError *err);
/* True when err holds a server error whose SQLSTATE equals code, or starts with it when code has
 * two characters (a class, e.g. "23" for integrity violations). */
HQ_API bool hq_error_is(const HqError *err, const char *code);
/* Writes a one-line description ("ERROR 23505: duplicate key ... (constraint "x")") into buf
 * like snprintf: returns the length it needed. The caller decides whether to print it. */
HQ_API size_t hq_error_format(const HqError *err, char *buf, size_t size);

/* ===================================================================== memory */

/* Allocation hook (as ProtobufCAllocator). A NULL HqAllocator pointer, or NULL members, mean
 * malloc/free. libpq's own allocations (PGresult, connection buffers) do not go through it. */
typedef struct HqAllocator {
    void *(*alloc)(void *ctx, size_t size); /* returns NULL on failure */
    void (*free)(void *ctx, void *ptr);     /* must accept NULL */
    void *ctx;                              /* passed to both */
} HqAllocator;

HQ_API void *hq_alloc(const HqAllocator *a, size_t size);
HQ_API void hq_free(const HqAllocator *a, void *ptr);

/* Growable NUL-terminated text buffer used by the encoders. After a failed allocation `oom` is set,
 * further appends do nothing, and the encoders report HQ_ERR_NOMEM. */
typedef struct HqBuf {
    char *data;        /* NUL-terminated when cap > 0 */
    size_t len;        /* bytes used, excluding the NUL */
    size_t cap;        /* bytes allocated */
    bool oom;          /* sticky allocation failure */
    HqAllocator alloc; /* copy of the allocator given to hq_buf_init */
} HqBuf;

HQ_API void hq_buf_init(HqBuf *b, const HqAllocator *a);
HQ_API void hq_buf_reset(HqBuf *b); /* len = 0, keeps the memory, clears oom */
HQ_API void hq_buf_free(HqBuf *b);  /* releases memory; accepts NULL; b can be reused after init */

/* ===================================================================== types and codecs */

/* SQL types the runtime encodes and decodes (all in PostgreSQL text format). The C representation
 * a field of each type has in a record, and that hq_decode/hq_encode take:
 *   BOOL bool | INT2 int16_t | INT4 int32_t | INT8 int64_t | FLOAT4 float | FLOAT8 double
 *   NUMERIC char* (decimal string exactly as the server prints it, e.g. "-12.500", "NaN",
 *           "Infinity"; no precision is lost, conversion to a number is the caller's choice)
 *   TEXT, JSON, JSONB char* (UTF-8; JSON kept as text) | BYTEA HqBytes
 *   UUID HqUuid | TIMESTAMPTZ int64_t microseconds since 1970-01-01 00:00 UTC (infinity is
 *           HQ_TIMESTAMP_INFINITY) | DATE int32_t days since 1970-01-01 (HQ_DATE_INFINITY)
 *   ENUM int (index into HqEnumDesc.labels; generated C enums number labels 0..n-1 in order)
 *   VECTOR HqVector (pgvector)
 * Arrays of any type but VECTOR are HqArray, with items of the element's C representation. */
typedef enum HqType {
    HQ_TYPE_BOOL = 1,
    HQ_TYPE_INT2,
    HQ_TYPE_INT4,
    HQ_TYPE_INT8,
    HQ_TYPE_FLOAT4,
    HQ_TYPE_FLOAT8,
    HQ_TYPE_NUMERIC,
    HQ_TYPE_TEXT,
    HQ_TYPE_JSON,
    HQ_TYPE_JSONB,
    HQ_TYPE_BYTEA,
    HQ_TYPE_UUID,
    HQ_TYPE_TIMESTAMPTZ,
    HQ_TYPE_DATE,
    HQ_TYPE_ENUM,
    HQ_TYPE_VECTOR
} HqType;

typedef struct HqUuid {
    uint8_t bytes[16]; /* network order, as printed */
} HqUuid;

typedef struct HqBytes {
    size_t n_bytes; /* length */
    uint8_t *bytes; /* may be NULL when n_bytes is 0 */
} HqBytes;

typedef struct HqVector {
    size_t n_values; /* dimensions */
    float *values;   /* n_values floats */
} HqVector;

typedef struct HqArray {
    size_t n_items; /* one-dimensional only; the lower bound is not kept */
    void *items;    /* n_items values of the element's C representation */
    bool *nulls;    /* NULL when no item is NULL, else n_items flags */
} HqArray;

#define HQ_TIMESTAMP_INFINITY INT64_MAX
#define HQ_TIMESTAMP_NEG_INFINITY INT64_MIN
#define HQ_DATE_INFINITY INT32_MAX
#define HQ_DATE_NEG_INFINITY INT32_MIN

/* Labels of an SQL enum in declared order; the C value of a label is its index. */
typedef struct HqEnumDesc {
    const char *sql_name;       /* for messages, e.g. "public.inbox_item_status" */
    size_t n_labels;            /* number of labels */
    const char *const *labels;  /* labels, declared order */
} HqEnumDesc;

/* sizeof the C representation of a type; 0 for an unknown type. */
HQ_API size_t hq_type_size(HqType t);
/* SQL name of a type, e.g. "timestamptz"; "?" for an unknown type. */
HQ_API const char *hq_type_name(HqType t);

/* Decodes server text into *value (the C representation of t). `e` is needed for HQ_TYPE_ENUM
 * only. Malformed text gives HQ_ERR_DECODE, out-of-range values HQ_ERR_RANGE; on error nothing
 * is allocated and *value is zeroed. */
HQ_API HqStatus hq_decode(HqType t, const HqEnumDesc *e, const char *text, const HqAllocator *a,
                          void *value, HqError *err);
/* Appends the text form of *value to out (NUL-terminated). */
HQ_API HqStatus hq_encode(HqType t, const HqEnumDesc *e, const void *value, HqBuf *out,
                          HqError *err);
/* Array literal ("{1,NULL,\"a b\"}", "[0:1]={...}") to HqArray and back. Multidimensional arrays
 * are refused with HQ_ERR_DECODE. */
HQ_API HqStatus hq_decode_array(HqType elem, const HqEnumDesc *e, const char *text,
                                const HqAllocator *a, HqArray *out, HqError *err);
HQ_API HqStatus hq_encode_array(HqType elem, const HqEnumDesc *e, const HqArray *arr, HqBuf *out,
                                HqError *err);
/* Release what a decode allocated and zero the value. Accept NULL. */
HQ_API void hq_value_clear(HqType t, void *value, const HqAllocator *a);
HQ_API void hq_array_clear(HqType elem, HqArray *arr, const HqAllocator *a);

/* Calendar helpers (proleptic Gregorian, astronomical years: 1 BC is year 0). */
HQ_API HqStatus hq_date_from_ymd(int64_t year, int month, int day, int32_t *days);
HQ_API void hq_date_to_ymd(int32_t days, int64_t *year, int *month, int *day);
HQ_API HqStatus hq_timestamp_from_parts(int64_t year, int month, int day, int hour, int minute,
                                        int second, int usec, int64_t *usecs);

/* ===================================================================== descriptors */

/* Field flags. */
#define HQ_FIELD_NULLABLE 0x01u    /* a bool at null_offset says "SQL NULL" */
#define HQ_FIELD_ARRAY 0x02u       /* value is an HqArray of `type` */
#define HQ_FIELD_PRIMARY_KEY 0x04u /* informational; keys are given by HqKey */
#define HQ_FIELD_HAS_DEFAULT 0x08u /* informational for columns; an RPC argument may be omitted */
#define HQ_FIELD_GENERATED 0x10u   /* never written (GENERATED ALWAYS, identity ALWAYS) */

/* One column of a table, argument of a function, or column of a result, mapped onto a C struct.
 * NULL rule (the same for every type): a nullable field has a bool at null_offset that is true
 * for SQL NULL; the value member is then ignored on encode and zeroed on decode. A pointer-typed
 * value (char*, HqBytes, ...) must not be NULL unless that flag is set. */
typedef struct HqField {
    const char *name;             /* SQL identifier as it goes into SQL text, already quoted by
                                     the generator when needed (e.g. "\"order\"") */
    HqType type;                  /* element type when HQ_FIELD_ARRAY */
    uint32_t flags;               /* HQ_FIELD_* */
    size_t offset;                /* offsetof the value in the record */
    size_t null_offset;           /* offsetof the bool null flag (HQ_FIELD_NULLABLE only) */
    const HqEnumDesc *enum_desc;  /* labels for HQ_TYPE_ENUM, else NULL */
    const char *sql_type;         /* cast written after the placeholder ("$1::public.status"), or
                                     NULL to let the server infer the parameter type */
} HqField;

/* A C struct that holds one row: table row, function arguments, or query result. */
typedef struct HqRecordDesc {
    const char *name;      /* C name for messages, e.g. "billing__invoice" */
    size_t size;           /* sizeof the struct */
    size_t n_fields;       /* at most HQ_MAX_FIELDS */
    const HqField *fields; /* in SQL column order */
} HqRecordDesc;

/* A unique key: the conflict target of an upsert, or the primary key. */
typedef struct HqKey {
    const char *name;        /* constraint or index name, for messages */
    size_t n_fields;         /* number of key columns */
    const uint16_t *fields;  /* indexes into the record's fields */
    const char *predicate;   /* WHERE of a partial unique index (SQL text), or NULL */
} HqKey;

typedef struct HqTableDesc {
    const char *sql_name;          /* schema-qualified, quoted as needed: public.agent_inbox */
    const HqRecordDesc *record;    /* the row struct */
    const HqKey *primary_key;      /* NULL when the table has none (get/update/delete refuse) */
    size_t n_unique_keys;          /* other unique keys usable by upsert */
    const HqKey *unique_keys;
} HqTableDesc;

typedef enum HqReturns {
    HQ_RETURNS_VOID,   /* result ignored */
    HQ_RETURNS_SCALAR, /* SELECT f(...): result record has one field */
    HQ_RETURNS_ROW,    /* SELECT cols FROM f(...): one composite row */
    HQ_RETURNS_SETOF   /* SELECT cols FROM f(...): zero or more rows (SETOF / TABLE(...)) */
} HqReturns;

typedef struct HqFuncDesc {
    const char *sql_name;         /* schema-qualified function name, quoted as needed */
    const HqRecordDesc *args;     /* field name = argument name (named notation), may be NULL */
    const HqRecordDesc *result;   /* field names = output column names; NULL for VOID */
    HqReturns returns;
} HqFuncDesc;

/* A fixed statement with descriptors: parameters $1..$n are the params fields in order, result
 * columns map onto the result fields in order. */
typedef struct HqQuery {
    const char *sql;              /* $1..$n placeholders; no values are ever formatted in */
    const HqRecordDesc *params;   /* NULL: no parameters */
    const HqRecordDesc *result;   /* NULL: rows are not decoded */
} HqQuery;

/* Set of field indexes: columns to write, arguments provided, filters. */
#define HQ_MAX_FIELDS 1600
typedef struct HqColumnSet {
    uint64_t bits[(HQ_MAX_FIELDS + 63) / 64];
} HqColumnSet;

static inline void hq_colset_clear(HqColumnSet *s)
{
    for (size_t i = 0; i < sizeof s->bits / sizeof s->bits[0]; i++)
        s->bits[i] = 0;
}
static inline void hq_colset_add(HqColumnSet *s, size_t field)
{
    if (field < HQ_MAX_FIELDS)
        s->bits[field / 64] |= (uint64_t)1 << (field % 64);
}
static inline bool hq_colset_has(const HqColumnSet *s, size_t field)
{
    return field < HQ_MAX_FIELDS && ((s->bits[field / 64] >> (field % 64)) & 1u) != 0;
}

/* Checks a descriptor once (offsets inside size, enum labels present, ...); generated code or its
 * tests call this, the hot paths do not. */
HQ_API HqStatus hq_record_check(const HqRecordDesc *d, HqError *err);
/* Frees every owned member of a decoded record and zeroes it. Accepts NULL. */
HQ_API void hq_record_clear(const HqRecordDesc *d, void *record, const HqAllocator *a);

/* ===================================================================== connections */

typedef struct HqConn HqConn;

typedef struct HqConnStats {
    uint64_t n_prepares;   /* statements prepared on the server */
    uint64_t n_cache_hits; /* executions that reused a prepared statement */
    uint64_t n_executions; /* prepared statements executed */
    size_t n_cached;       /* statements currently in the cache */
} HqConnStats;

/* Connects with a libpq conninfo string or postgresql:// URI. conninfo NULL means the
 * DATABASE_URL environment variable (HQ_ERR_INVALID when unset); "" means libpq's PG* defaults.
 * The session is set to TimeZone UTC, DateStyle ISO, extra_float_digits 3, bytea_output hex and
 * client_encoding UTF8, which the decoders rely on. `a` (may be NULL) is copied and used for
 * everything the connection allocates. */
HQ_API HqStatus hq_connect(const char *conninfo, const HqAllocator *a, HqConn **out, HqError *err);
/* Closes the connection and frees it. Accepts NULL. */
HQ_API void hq_conn_free(HqConn *c);
/* Reconnects with the same parameters; prepared statements and session role are forgotten. */
HQ_API HqStatus hq_conn_reset(HqConn *c, HqError *err);
HQ_API const HqAllocator *hq_conn_allocator(const HqConn *c);
/* The underlying libpq connection (PGconn *), for what libhq does not cover. */
HQ_API struct pg_conn *hq_conn_pg(HqConn *c);
HQ_API void hq_conn_stats(const HqConn *c, HqConnStats *out);
/* Maximum number of cached prepared statements (default 256); the least recently used is
 * DEALLOCATEd when a new one would exceed it. */
HQ_API void hq_conn_set_cache_capacity(HqConn *c, size_t capacity);

/* Server notices (NOTICE, WARNING, ...). libpq would print them to stderr; libhq discards them
 * unless a handler is set. Fields are valid during the call only; sqlstate may be "". */
typedef void (*HqNoticeFn)(void *ctx, const char *severity, const char *sqlstate,
                           const char *message);
HQ_API void hq_conn_set_notice_handler(HqConn *c, HqNoticeFn fn, void *ctx);

/* Runs fixed SQL without parameters (may hold several statements): DDL, SET, test setup.
 * Never build this text from values. */
HQ_API HqStatus hq_exec_script(HqConn *c, const char *sql, HqError *err);

/* Acting as a role: sets `role` and `request.jwt.claims` (JSON text) through set_config(), so row
 * level security policies see auth.uid() / auth.role() as the given user. Either may be NULL to
 * leave it unchanged. HQ_SCOPE_TRANSACTION needs an open transaction (hq_begin) and ends with it,
 * which suits pooled connections; HQ_SCOPE_SESSION lasts until hq_act_reset. */
typedef enum HqRoleScope { HQ_SCOPE_TRANSACTION, HQ_SCOPE_SESSION } HqRoleScope;
HQ_API HqStatus hq_act_as(HqConn *c, const char *role, const char *claims_json, HqRoleScope scope,
                          HqError *err);
/* RESET ROLE and request.jwt.claims (session scope). */
HQ_API HqStatus hq_act_reset(HqConn *c, HqError *err);

/* Compares the single text value returned by `query` (fixed SQL, e.g. the generated schema
 * fingerprint lookup) with `expected`. Mismatch gives HQ_ERR_MISMATCH naming both values. */
HQ_API HqStatus hq_check_schema(HqConn *c, const char *query, const char *expected, HqError *err);

/* ===================================================================== transactions */

typedef enum HqIsolation {
    HQ_ISOLATION_DEFAULT,
    HQ_ISOLATION_READ_COMMITTED,
    HQ_ISOLATION_REPEATABLE_READ,
    HQ_ISOLATION_SERIALIZABLE
} HqIsolation;

typedef struct HqSavepoint {
    uint32_t id; /* names the server savepoint; set by hq_savepoint */
} HqSavepoint;

HQ_API HqStatus hq_begin(HqConn *c, HqError *err);
HQ_API HqStatus hq_begin_ex(HqConn *c, HqIsolation iso, bool read_only, HqError *err);
/* Commits. When the transaction had failed, the server rolls back instead: this returns
 * HQ_ERR_STATE so that a lost transaction is never mistaken for a committed one. */
HQ_API HqStatus hq_commit(HqConn *c, HqError *err);
HQ_API HqStatus hq_rollback(HqConn *c, HqError *err);
HQ_API HqStatus hq_savepoint(HqConn *c, HqSavepoint *sp, HqError *err);
HQ_API HqStatus hq_savepoint_release(HqConn *c, const HqSavepoint *sp, HqError *err);
HQ_API HqStatus hq_savepoint_rollback(HqConn *c, const HqSavepoint *sp, HqError *err);
/* True inside a transaction block (also a failed one). */
HQ_API bool hq_in_transaction(const HqConn *c);

/* ===================================================================== raw queries */

typedef struct HqResult HqResult;

/* Executes sql (prepared once per connection, then reused) with text parameters;
 * values[i] NULL means SQL NULL. *out may be NULL when the rows are not wanted. */
HQ_API HqStatus hq_query(HqConn *c, const char *sql, size_t n_params, const char *const *values,
                         HqResult **out, HqError *err);
HQ_API size_t hq_result_rows(const HqResult *r);
HQ_API size_t hq_result_cols(const HqResult *r);
HQ_API const char *hq_result_name(const HqResult *r, size_t col);
/* Text of one value, NULL for SQL NULL; valid until hq_result_free. */
HQ_API const char *hq_result_value(const HqResult *r, size_t row, size_t col);
/* Rows affected by INSERT/UPDATE/DELETE, or returned by SELECT. */
HQ_API uint64_t hq_result_affected(const HqResult *r);
HQ_API void hq_result_free(HqResult *r);

/* ===================================================================== records and rows */

/* Row callback: return 0 to continue, > 0 to stop early (the call still returns HQ_OK), < 0 to
 * abort (the call returns HQ_ERR_CALLBACK). The callback must not use the same connection. */
typedef int (*HqRowFn)(void *ctx, void *row);

/* Runs q with parameters taken from the params record. With fn, rows stream one at a time
 * (libpq single-row mode: memory stays bounded whatever the result size) into a runtime-owned
 * record passed to fn. Without fn and with out, the first row is decoded into out (HQ_ERR_NOT_FOUND
 * when there is none). n_rows (may be NULL) receives rows returned or affected. */
HQ_API HqStatus hq_exec(HqConn *c, const HqQuery *q, const void *params, void *out, HqRowFn fn,
                        void *ctx, uint64_t *n_rows, HqError *err);

/* Table operations, SQL built from the descriptor's identifiers and cached per column set.
 * `cols` selects the fields written (NULL: every non-GENERATED field); omitted columns get their
 * defaults. `out` (may be NULL) receives the row as stored (RETURNING), defaults filled in. */
HQ_API HqStatus hq_insert(HqConn *c, const HqTableDesc *t, const void *row, const HqColumnSet *cols,
                          void *out, HqError *err);
/* Reads the row whose primary key equals the key fields of `key`. HQ_ERR_NOT_FOUND when none. */
HQ_API HqStatus hq_get(HqConn *c, const HqTableDesc *t, const void *key, void *out, HqError *err);
/* Sets only the fields in cols (must not be empty) of the row with row's primary key. */
HQ_API HqStatus hq_update(HqConn *c, const HqTableDesc *t, const void *row, const HqColumnSet *cols,
                          void *out, HqError *err);
HQ_API HqStatus hq_delete(HqConn *c, const HqTableDesc *t, const void *key, uint64_t *n_deleted,
                          HqError *err);
/* INSERT ... ON CONFLICT (key) DO UPDATE SET <cols minus key> ; key NULL means the primary key.
 * cols must contain the key fields. */
HQ_API HqStatus hq_upsert(HqConn *c, const HqTableDesc *t, const HqKey *key, const void *row,
                          const HqColumnSet *cols, void *out, HqError *err);

typedef struct HqOrderBy {
    uint16_t field;  /* field index */
    bool descending; /* DESC instead of ASC */
} HqOrderBy;

typedef struct HqListOptions {
    const HqColumnSet *where_eq; /* fields that must equal filter's values (NULL flag: IS NULL) */
    const void *filter;          /* record holding the filter values */
    size_t n_order_by;           /* ORDER BY terms */
    const HqOrderBy *order_by;
    int64_t limit;               /* 0: no limit */
    int64_t offset;              /* 0: none */
} HqListOptions;

/* Streams matching rows through fn (single-row mode). opt may be NULL (all rows). */
HQ_API HqStatus hq_list(HqConn *c, const HqTableDesc *t, const HqListOptions *opt, HqRowFn fn,
                        void *ctx, HqError *err);

/* Calls a function with named arguments: fields in `provided` (NULL: all) are passed, the others
 * must have HQ_FIELD_HAS_DEFAULT and take their SQL default. Results: with fn, every row is
 * streamed; otherwise the first (or only) row goes into out (HQ_ERR_NOT_FOUND for an empty
 * SETOF). VOID functions ignore out and fn. */
HQ_API HqStatus hq_call(HqConn *c, const HqFuncDesc *f, const void *args,
                        const HqColumnSet *provided, void *out, HqRowFn fn, void *ctx,
                        HqError *err);

/* ===================================================================== pipeline batches */

typedef enum HqBatchMode {
    HQ_BATCH_ATOMIC,     /* one implicit transaction: any failure rolls back every item */
    HQ_BATCH_INDEPENDENT /* each item commits or fails alone (one sync per item) */
} HqBatchMode;

typedef struct HqBatch HqBatch;

/* Called for each row an item returns (e.g. INSERT ... RETURNING), with the item's index. */
typedef int (*HqBatchRowFn)(void *ctx, size_t index, void *row);

/* Puts the connection into libpq pipeline mode; other calls on it return HQ_ERR_STATE until the
 * batch is finished or freed. Inside a transaction block the items join it. */
HQ_API HqStatus hq_batch_begin(HqConn *c, HqBatchMode mode, HqBatchRowFn fn, void *ctx,
                               HqBatch **out, HqError *err);
/* Queues one execution of q (rows decoded with q->result and passed to the batch callback).
 * On error nothing was queued; the batch stays usable unless the status is HQ_ERR_CONNECT. */
HQ_API HqStatus hq_batch_add(HqBatch *b, const HqQuery *q, const void *params, HqError *err);
/* Queues hq_insert(t, row, cols) (RETURNING only when the batch has a callback). */
HQ_API HqStatus hq_batch_add_insert(HqBatch *b, const HqTableDesc *t, const void *row,
                                    const HqColumnSet *cols, HqError *err);
/* Syncs, waits for every result and leaves pipeline mode. HQ_OK when every item succeeded; else
 * the first failure is returned in err, with err->batch_index set to the item's index.
 * HQ_ERR_CONNECT means the connection broke: hq_conn_reset() it before further use. */
HQ_API HqStatus hq_batch_finish(HqBatch *b, HqError *err);
HQ_API size_t hq_batch_count(const HqBatch *b);
HQ_API size_t hq_batch_failed(const HqBatch *b);
/* Outcome of item i after finish: HQ_OK, the item's own error (copied into err), or
 * HQ_ERR_ABORTED when another failure rolled it back or skipped it. */
HQ_API HqStatus hq_batch_item_status(const HqBatch *b, size_t i, HqError *err);
/* Frees the batch; an unfinished batch is synced and drained first. Accepts NULL. Free a batch
 * before its connection; if the connection went first, this only releases the batch's memory. */
HQ_API void hq_batch_free(HqBatch *b);

#ifdef __cplusplus
}
#endif

#endif /* HQ_H */
