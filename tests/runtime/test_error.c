/* test_error.c - unit tests of the HqError object: clearing, status names, SQLSTATE matching,
 * one-line formatting (with truncation at UTF-8 boundaries), errors built from libpq results
 * without SQLSTATE, and that every fallible call accepts a NULL error pointer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_int.h"

static void test_clear_and_names(void **state)
{
    (void)state;
    HqError err;
    memset(&err, 0x55, sizeof err);
    hq_error_clear(&err);
    assert_int_equal(err.status, HQ_OK);
    assert_string_equal(err.message, "");
    assert_string_equal(err.sqlstate, "");
    assert_true(err.batch_index == -1);
    hq_error_clear(NULL);
    assert_string_equal(hq_status_name(HQ_OK), "HQ_OK");
    assert_string_equal(hq_status_name(HQ_ERR_SERVER), "HQ_ERR_SERVER");
    assert_string_equal(hq_status_name(HQ_ERR_MISMATCH), "HQ_ERR_MISMATCH");
    assert_string_equal(hq_status_name((HqStatus)1234), "HQ_ERR_UNKNOWN");
    for (int s = HQ_OK; s <= HQ_ERR_MISMATCH; s++)
        assert_string_not_equal(hq_status_name((HqStatus)s), "HQ_ERR_UNKNOWN");
}

static void test_is(void **state)
{
    (void)state;
    HqError err;
    hq_error_clear(&err);
    assert_false(hq_error_is(&err, "23505"));
    err.status = HQ_ERR_SERVER;
    strcpy(err.sqlstate, "23505");
    assert_true(hq_error_is(&err, "23505"));
    assert_true(hq_error_is(&err, "23"));
    assert_false(hq_error_is(&err, "22"));
    assert_false(hq_error_is(&err, "23503"));
    assert_false(hq_error_is(NULL, "23505"));
    assert_false(hq_error_is(&err, NULL));
}

static void test_format(void **state)
{
    (void)state;
    HqError err;
    hq_error_clear(&err);
    char buf[512];
    hq_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "no error");
    err.status = HQ_ERR_SERVER;
    strcpy(err.sqlstate, "23505");
    strcpy(err.message, "duplicate key value violates unique constraint \"items_name_key\"");
    strcpy(err.detail, "Key (name)=(x) already exists.");
    strcpy(err.constraint_name, "items_name_key");
    err.batch_index = 7;
    size_t need = hq_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "ERROR 23505: duplicate key value violates unique constraint "
                             "\"items_name_key\"; detail: Key (name)=(x) already exists. "
                             "(constraint \"items_name_key\") [batch item 7]");
    assert_int_equal(need, strlen(buf));
    /* snprintf-like: a short buffer gets a cut, terminated string and the needed length. */
    char small[10];
    assert_int_equal(hq_error_format(&err, small, sizeof small), need);
    assert_string_equal(small, "ERROR 235");
    assert_int_equal(hq_error_format(&err, NULL, 0), need);

    hq_error_set(&err, HQ_ERR_DECODE, "invalid integer text \"%s\"", "x");
    hq_error_set_column(&err, "qty");
    hq_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "HQ_ERR_DECODE: invalid integer text \"x\" (column \"qty\")");

    /* Cutting never splits a UTF-8 sequence: "é" is two bytes. */
    hq_error_set(&err, HQ_ERR_INVALID, "%s", "ééé");
    char tiny[8]; /* "HQ_ERR_" fits, then nothing */
    hq_error_format(&err, tiny, sizeof tiny);
    assert_string_equal(tiny, "HQ_ERR_");
    char cut[4];
    hq_copy_str(cut, sizeof cut, "ééé");
    assert_string_equal(cut, "é");
    char longmsg[2000];
    memset(longmsg, 'x', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    longmsg[510] = (char)0xC3; /* a two-byte character straddling the 511-byte limit */
    longmsg[511] = (char)0xA9;
    hq_error_set(&err, HQ_ERR_INVALID, "%s", longmsg);
    assert_int_equal(strlen(err.message), 510);
}

static void test_from_result(void **state)
{
    (void)state;
    HqError err;
    /* libpq's own errors carry no SQLSTATE: they mean the connection is unusable. */
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
    assert_int_equal(hq_error_from_result(&err, r), HQ_ERR_CONNECT);
    assert_int_equal(err.status, HQ_ERR_CONNECT);
    PQclear(r);
    assert_int_equal(hq_error_from_result(&err, NULL), HQ_ERR_CONNECT);
    assert_int_equal(hq_error_from_result(NULL, NULL), HQ_ERR_CONNECT);
    assert_int_equal(hq_error_from_conn(&err, NULL, "x"), HQ_ERR_CONNECT);
    assert_string_equal(err.message, "x: no connection");
}

static void test_null_error_pointer(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(hq_decode(HQ_TYPE_INT8, NULL, "x", NULL, &v, NULL), HQ_ERR_DECODE);
    HqConn *c = NULL;
    assert_int_equal(hq_connect("host=/nonexistent-hq-test-dir port=1", NULL, &c, NULL),
                     HQ_ERR_CONNECT);
    assert_null(c);
    assert_int_equal(hq_query(NULL, "SELECT 1", 0, NULL, NULL, NULL), HQ_ERR_INVALID);
    hq_conn_free(NULL);
    hq_result_free(NULL);
    hq_batch_free(NULL);
    hq_buf_free(NULL);
}

static void test_connect_errors(void **state)
{
    (void)state;
    HqConn *c = (HqConn *)1;
    HqError err;
    assert_int_equal(hq_connect("host=/nonexistent-hq-test-dir port=1", NULL, &c, &err),
                     HQ_ERR_CONNECT);
    assert_null(c);
    assert_non_null(strstr(err.message, "connection failed"));
    assert_null(strchr(err.message, '\n'));
    assert_int_equal(hq_connect("this is = not a conninfo'", NULL, &c, &err), HQ_ERR_CONNECT);
    const char *saved = getenv("DATABASE_URL");
    char copy[1024] = "";
    if (saved != NULL)
        snprintf(copy, sizeof copy, "%s", saved);
    unsetenv("DATABASE_URL");
    assert_int_equal(hq_connect(NULL, NULL, &c, &err), HQ_ERR_INVALID);
    assert_non_null(strstr(err.message, "DATABASE_URL"));
    setenv("DATABASE_URL", "postgresql:///x?host=/nonexistent-hq-test-dir&port=1", 1);
    assert_int_equal(hq_connect(NULL, NULL, &c, &err), HQ_ERR_CONNECT);
    if (saved != NULL)
        setenv("DATABASE_URL", copy, 1);
    else
        unsetenv("DATABASE_URL");
    assert_int_equal(hq_connect("", NULL, NULL, &err), HQ_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear_and_names),
        cmocka_unit_test(test_is),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_from_result),
        cmocka_unit_test(test_null_error_pointer),
        cmocka_unit_test(test_connect_errors),
    };
    return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
