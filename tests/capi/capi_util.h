/* capi_util.h - helpers shared by the tests of the generated C API (tests/capi/test_*.c):
 * the database connection (HQ_TEST_DSN, a libpq conninfo of a database with out/migrations
 * applied) through a counting allocator, status assertions that print the HqError, and
 * one-value queries. Included by exactly one .c file per test program.
 */
#ifndef HQ_CAPI_UTIL_H
#define HQ_CAPI_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq.h"
#include "hq_schema.h"
#include "test_util.h" /* tests/runtime: the counting allocator hook */

/* Fails the test with the formatted error when st is not what was expected. */
static inline void check_status(HqStatus st, HqStatus expected, const HqError *err, const char *what, int line)
{
    if (st != expected) {
        char buf[1200];
        hq_error_format(err, buf, sizeof buf);
        fail_msg("line %d: %s: got %s, expected %s: %s", line, what, hq_status_name(st), hq_status_name(expected),
                 buf);
    }
}
#define OK(call) check_status((call), HQ_OK, &err, #call, __LINE__)
#define EXPECT(call, st) check_status((call), (st), &err, #call, __LINE__)

typedef struct Db {
    TestAlloc ta;
    HqAllocator a;
    HqConn *c;
} Db;

/* The conninfo of the test database, or NULL (then database tests are skipped). */
static inline const char *test_dsn(void)
{
    const char *dsn = getenv("HQ_TEST_DSN");
    return dsn != NULL && dsn[0] != '\0' ? dsn : NULL;
}

/* Opens db->c through a counting allocator; returns 0, or -1 after printing the error. */
static inline int db_open(Db *db)
{
    memset(db, 0, sizeof *db);
    db->ta.fail_at = -1;
    db->a = test_alloc_hook(&db->ta);
    HqError err;
    if (hq_connect(test_dsn(), &db->a, &db->c, &err) != HQ_OK) {
        char buf[1200];
        hq_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "cannot connect to HQ_TEST_DSN: %s\n", buf);
        return -1;
    }
    return 0;
}

/* Closes the connection; everything it allocated must have been released. */
static inline int db_close(Db *db)
{
    hq_conn_free(db->c);
    db->c = NULL;
    if (db->ta.live != 0) {
        fprintf(stderr, "%ld allocation(s) of the connection's allocator were not released\n", db->ta.live);
        return -1;
    }
    return 0;
}

/* First column of the only row of sql (fixed text, $n parameters), malloc'ed; NULL for SQL NULL. */
static inline char *query_value(HqConn *c, const char *sql, size_t n, const char *const *values)
{
    HqResult *r = NULL;
    HqError err;
    OK(hq_query(c, sql, n, values, &r, &err));
    assert_int_equal(hq_result_rows(r), 1);
    const char *v = hq_result_value(r, 0, 0);
    char *copy = v != NULL ? strdup(v) : NULL;
    hq_result_free(r);
    return copy;
}

static inline void uuid_text(const HqUuid *u, char out[37])
{
    HqBuf b;
    HqError err;
    hq_buf_init(&b, NULL);
    OK(hq_encode(HQ_TYPE_UUID, NULL, u, &b, &err));
    snprintf(out, 37, "%s", b.data);
    hq_buf_free(&b);
}

#endif /* HQ_CAPI_UTIL_H */
