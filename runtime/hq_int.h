/* hq_int.h - declarations shared between libhq's source files, never installed.
 * Everything here has hidden visibility in libhq.so (the library builds with
 * -fvisibility=hidden and exports only HQ_API functions), so the hq_ prefix is for readability.
 */
#ifndef HQ_INT_H
#define HQ_INT_H

#include "hq.h"

#include <libpq-fe.h>

#if defined(__GNUC__)
#define HQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HQ_PRINTF(f, a)
#endif

/* ----------------------------------------------------------------- hq_alloc.c */

void *hq_alloc_zero(const HqAllocator *a, size_t size);
/* Copies n bytes of s and adds a NUL. */
char *hq_strndup(const HqAllocator *a, const char *s, size_t n);
void hq_buf_put(HqBuf *b, const char *s, size_t n);
void hq_buf_puts(HqBuf *b, const char *s);
void hq_buf_putc(HqBuf *b, char ch);
void hq_buf_printf(HqBuf *b, const char *fmt, ...) HQ_PRINTF(2, 3);
/* Makes room for n more bytes (plus NUL); false (and oom set) when that failed. */
bool hq_buf_reserve(HqBuf *b, size_t n);

/* ----------------------------------------------------------------- hq_error.c */

/* Each setter returns the status it recorded, so callers can `return hq_error_set(...)`. */
HqStatus hq_error_set(HqError *err, HqStatus st, const char *fmt, ...) HQ_PRINTF(3, 4);
HqStatus hq_error_nomem(HqError *err);
/* From a failed PGresult: SQLSTATE, message, detail, hint, constraint, table, ... */
HqStatus hq_error_from_result(HqError *err, const PGresult *r);
/* From PQerrorMessage; `what` prefixes the message. */
HqStatus hq_error_from_conn(HqError *err, PGconn *pg, const char *what);
/* Records the descriptor field a client-side error concerns. */
void hq_error_set_column(HqError *err, const char *name);
/* Bounded copy into a fixed buffer, cut at a UTF-8 boundary. */
void hq_copy_str(char *dst, size_t size, const char *src);

/* ----------------------------------------------------------------- hq_codec*.c */

HqStatus hq_decode_timestamptz(const char *s, int64_t *out, HqError *err);
HqStatus hq_decode_date(const char *s, int32_t *out, HqError *err);
HqStatus hq_encode_timestamptz(int64_t v, HqBuf *out, HqError *err);
HqStatus hq_encode_date(int32_t v, HqBuf *out, HqError *err);
HqStatus hq_decode_float4(const char *s, float *out, HqError *err);
HqStatus hq_decode_vector(const char *s, const HqAllocator *a, HqVector *out, HqError *err);
HqStatus hq_encode_vector(const HqVector *v, HqBuf *out, HqError *err);
void hq_format_float(HqBuf *b, double v, int digits);

/* ----------------------------------------------------------------- hq_stmt.c */

typedef struct HqStmt {
    struct HqStmt *next; /* hash chain */
    uint64_t hash;       /* FNV-1a of sql */
    uint64_t last_used;  /* cache clock value, for LRU eviction */
    bool pending;        /* Parse queued in a pipeline, result not yet seen */
    char name[24];       /* server-side name "hq_<n>" */
    char sql[];          /* the key */
} HqStmt;

struct HqConn {
    PGconn *pg;              /* the libpq connection */
    HqAllocator alloc;       /* resolved allocator (never NULL members) */
    HqStmt **buckets;        /* statement cache, power-of-two buckets */
    size_t n_buckets;
    size_t n_stmts;
    size_t cache_capacity;   /* LRU bound */
    uint64_t next_stmt_id;   /* for statement names; never reused on this connection */
    uint64_t clock;          /* bumped on each cache use */
    uint32_t next_savepoint; /* savepoint names hq_sp_<n> */
    HqConnStats stats;
    HqBuf params;            /* encoded parameter text, reused across calls */
    size_t *param_offsets;   /* offsets into params.data, SIZE_MAX for NULL */
    const char **param_values;
    size_t param_cap;
    HqBuf sql;               /* SQL text built by hq_table.c, reused across calls */
    struct HqBatch *batch;   /* open pipeline batch, or NULL */
    bool streaming;          /* inside a row callback: the connection is busy */
    HqNoticeFn notice_fn;    /* server notices go here, or nowhere */
    void *notice_ctx;
};

/* HQ_ERR_STATE when the connection is busy (batch, streaming) or gone. */
HqStatus hq_conn_check(HqConn *c, HqError *err);
/* Settings the decoders depend on; run after connect and reset. */
HqStatus hq_conn_setup_session(HqConn *c, HqError *err);

/* Finds or prepares sql. In pipeline mode the Parse is queued (*queued set), not waited for. */
HqStatus hq_stmt_get(HqConn *c, const char *sql, int n_params, bool pipeline, HqStmt **out,
                     bool *queued, HqError *err);
/* Drops a cache entry whose server statement is gone or failed to prepare. */
void hq_stmt_forget(HqConn *c, HqStmt *s);
void hq_stmt_cache_clear(HqConn *c);
/* Forgets sql's entry, if any (its server statement turned out to be gone). */
void hq_stmt_invalidate(HqConn *c, const char *sql);
/* Prepare-if-needed + PQexecPrepared. On success *res is a TUPLES_OK/COMMAND_OK result. */
HqStatus hq_stmt_exec(HqConn *c, const char *sql, int n_params, const char *const *values,
                      PGresult **res, HqError *err);
/* Rows affected (INSERT/UPDATE/DELETE) or returned (SELECT) by a result. */
uint64_t hq_cmd_tuples(const PGresult *r);
/* Prepare-if-needed + PQsendQueryPrepared, for single-row streaming. */
HqStatus hq_stmt_send(HqConn *c, const char *sql, int n_params, const char *const *values,
                      HqError *err);

/* ----------------------------------------------------------------- hq_row.c */

/* Which fields of a record become $1..$n, plus trailing text parameters (LIMIT, OFFSET). */
typedef struct HqParamSpec {
    const HqRecordDesc *desc;  /* may be NULL with n_fields 0 */
    const void *record;
    size_t n_fields;
    const uint16_t *fields;    /* NULL: fields 0..n_fields-1 */
    size_t n_extra;
    const char *const *extra;  /* already text */
} HqParamSpec;

/* Encodes the parameters into c->params; *values stays valid until the next call. */
HqStatus hq_params_build(HqConn *c, const HqParamSpec *ps, const char *const **values, int *n,
                         HqError *err);
/* Decodes row `row` of r into record (overwritten); on error the record is cleared. */
HqStatus hq_record_decode(const HqRecordDesc *d, const PGresult *r, int row, const HqAllocator *a,
                          void *record, HqError *err);
/* Executes sql with ps; rows go to fn (streamed) or the first one into out. */
HqStatus hq_run(HqConn *c, const char *sql, const HqParamSpec *ps, const HqRecordDesc *rdesc,
                void *out, HqRowFn fn, void *ctx, uint64_t *n_rows, HqError *err);

/* ----------------------------------------------------------------- hq_pipeline.c */

/* Called when the connection is freed under an open batch: the batch forgets it. */
void hq_batch_detach(struct HqBatch *b);

/* ----------------------------------------------------------------- hq_table.c */

/* INSERT text for t and cols into c->sql; field indexes written go into fields/n_fields. */
HqStatus hq_table_insert_sql(HqConn *c, const HqTableDesc *t, const HqColumnSet *cols,
                             bool returning, uint16_t *fields, size_t *n_fields, HqError *err);

#endif /* HQ_INT_H */
