/* test_hostile.c - libhq against a server that misbehaves (tests/runtime/fake_pg.py, a small
 * PostgreSQL wire-protocol server run per test): malformed values, a NULL where the record
 * has no NULL flag, a column too many, a row shorter than its description, a message cut
 * short, an unknown message type, a fatal error and a connection dropped in the middle of a
 * pipeline. Each must end in an error code (never a crash), and every allocation libhq made
 * must be freed (counted through the allocator hook; ASan and valgrind see the rest).
 * Needs python3; without it the tests are skipped. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hq.h"
#include "test_util.h"

typedef struct {
    HqUuid id;
    int64_t at;
    bool at_null;
    HqArray n;
} Row;

static const HqField row_fields[] = {
    {"id", HQ_TYPE_UUID, 0, offsetof(Row, id), 0, NULL, NULL},
    {"at", HQ_TYPE_TIMESTAMPTZ, HQ_FIELD_NULLABLE, offsetof(Row, at), offsetof(Row, at_null), NULL, NULL},
    {"n", HQ_TYPE_INT4, HQ_FIELD_ARRAY, offsetof(Row, n), 0, NULL, NULL},
};
static const HqRecordDesc row_desc = {"row", sizeof(Row), 3, row_fields};
static const HqQuery row_query = {"SELECT id, at, n FROM t", NULL, &row_desc};

typedef struct {
    pid_t pid;
    int out;                    /* the server's standard output (kept open while it runs) */
    char dsn[128];
    TestAlloc ta;
    HqAllocator alloc;
    HqConn *conn;
} Fake;

/* Starts fake_pg.py SCENARIO and connects to it; skips the test without python3. */
static Fake *fake_start(const char *scenario)
{
    static Fake f;
    memset(&f, 0, sizeof f);
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        skip();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    f.pid = fork();
    assert_true(f.pid >= 0);
    if (f.pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        const char *script = getenv("HQ_FAKE_PG") ? getenv("HQ_FAKE_PG") : "tests/runtime/fake_pg.py";
        execlp("python3", "python3", script, scenario, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    f.out = fds[0];
    char port[16] = "";
    size_t len = 0;
    while (len < sizeof port - 1 && !strchr(port, '\n')) {
        ssize_t n = read(f.out, port + len, sizeof port - 1 - len);
        assert_true(n > 0);
        len += (size_t)n;
        port[len] = '\0';
    }
    port[strcspn(port, "\n")] = '\0';
    snprintf(f.dsn, sizeof f.dsn, "host=127.0.0.1 port=%s user=fake dbname=fake sslmode=disable gssencmode=disable "
             "connect_timeout=5", port);
    f.ta.fail_at = -1;
    f.alloc = test_alloc_hook(&f.ta);
    HqError err;
    HqStatus st = hq_connect(f.dsn, &f.alloc, &f.conn, &err);
    if (st != HQ_OK)
        fail_msg("connect to the fake server: %s: %s", hq_status_name(st), err.message);
    return &f;
}

/* Closes the connection, stops the server; everything libhq allocated is freed. */
static void fake_stop(Fake *f)
{
    hq_conn_free(f->conn);
    kill(f->pid, SIGTERM);
    waitpid(f->pid, NULL, 0);
    close(f->out);
    assert_int_equal(f->ta.live, 0);
    assert_int_equal(f->ta.bytes_live, 0);
}

/* One row through hq_exec; the status, with err filled. */
static HqStatus read_row(Fake *f, Row *row, HqError *err)
{
    memset(row, 0, sizeof *row);
    HqStatus st = hq_exec(f->conn, &row_query, NULL, row, NULL, NULL, NULL, err);
    if (st == HQ_OK)
        hq_record_clear(&row_desc, row, &f->alloc);
    return st;
}

static void expect_decode_error(const char *scenario, const char *column)
{
    Fake *f = fake_start(scenario);
    Row row;
    HqError err;
    HqStatus st = read_row(f, &row, &err);
    if (st != HQ_ERR_DECODE)
        fail_msg("%s: %s (%s), expected HQ_ERR_DECODE", scenario, hq_status_name(st), err.message);
    if (column)
        assert_string_equal(err.column_name, column);
    /* The record holds nothing after a failed decode. */
    assert_int_equal(row.n.n_items, 0);
    assert_null(row.n.items);
    /* The connection is still usable: the server was right, only the value was not. */
    assert_int_equal(read_row(f, &row, &err), HQ_ERR_DECODE);
    fake_stop(f);
}

/* The fake server itself works: a well-formed row decodes. Without this, every test below
 * could pass against a server that answers nothing. */
static void test_good_row(void **state)
{
    (void)state;
    Fake *f = fake_start("good");
    Row row;
    HqError err;
    memset(&row, 0, sizeof row);
    HqStatus st = hq_exec(f->conn, &row_query, NULL, &row, NULL, NULL, NULL, &err);
    if (st != HQ_OK)
        fail_msg("good row: %s (%s)", hq_status_name(st), err.message);
    assert_int_equal(row.id.bytes[0], 0xa0);
    assert_false(row.at_null);
    assert_int_equal(row.n.n_items, 3);
    assert_int_equal(((int32_t *)row.n.items)[2], 3);
    hq_record_clear(&row_desc, &row, &f->alloc);
    fake_stop(f);
}

static void test_malformed_uuid(void **state)
{
    (void)state;
    expect_decode_error("bad_uuid", "id");
}

static void test_malformed_timestamp(void **state)
{
    (void)state;
    expect_decode_error("bad_time", "at");
}

static void test_malformed_array(void **state)
{
    (void)state;
    expect_decode_error("bad_array", "n");
}

static void test_null_in_not_null_field(void **state)
{
    (void)state;
    expect_decode_error("null_not_nullable", "id");
}

static void test_huge_value(void **state)
{
    (void)state;
    expect_decode_error("huge_value", "id");
}

static void test_column_too_many(void **state)
{
    (void)state;
    Fake *f = fake_start("extra_column");
    Row row;
    HqError err;
    assert_int_equal(read_row(f, &row, &err), HQ_ERR_INVALID);
    fake_stop(f);
}

/* Broken protocol: whatever libpq makes of it, an error, and the connection can be freed. */
static void expect_failure(const char *scenario, HqStatus want)
{
    Fake *f = fake_start(scenario);
    Row row;
    HqError err;
    HqStatus st = read_row(f, &row, &err);
    print_message("%s: %s: %s\n", scenario, hq_status_name(st), err.message);
    if (st == HQ_OK || (want != HQ_OK && st != want))
        fail_msg("%s: %s (%s), expected %s", scenario, hq_status_name(st), err.message,
                 want != HQ_OK ? hq_status_name(want) : "an error");
    /* A second call on the same connection fails cleanly too (or works after a reset). */
    st = read_row(f, &row, &err);
    assert_true(st != HQ_OK || hq_conn_reset(f->conn, &err) == HQ_OK);
    fake_stop(f);
}

static void test_short_row(void **state)
{
    (void)state;
    expect_failure("short_row", HQ_OK);
}

static void test_truncated_message(void **state)
{
    (void)state;
    expect_failure("truncated_message", HQ_ERR_CONNECT);
}

static void test_unknown_message(void **state)
{
    (void)state;
    expect_failure("unknown_message", HQ_OK);
}

static void test_fatal_error_then_drop(void **state)
{
    (void)state;
    expect_failure("error_then_drop", HQ_OK);
}

static int count_rows(void *ctx, size_t index, void *row)
{
    (void)index;
    (void)row;
    (*(int *)ctx)++;
    return 0;
}

/* Five statements in one pipeline; the server answers two, starts the third and is gone. */
static void test_drop_in_pipeline(void **state)
{
    (void)state;
    Fake *f = fake_start("drop_in_pipeline");
    HqError err;
    HqBatch *b = NULL;
    int rows = 0;
    assert_int_equal(hq_batch_begin(f->conn, HQ_BATCH_INDEPENDENT, count_rows, &rows, &b, &err), HQ_OK);
    for (int i = 0; i < 5; i++) {
        HqStatus st = hq_batch_add(b, &row_query, NULL, &err);
        assert_true(st == HQ_OK || st == HQ_ERR_CONNECT);
    }
    HqStatus st = hq_batch_finish(b, &err);
    print_message("drop_in_pipeline: %s: %s (item %lld)\n", hq_status_name(st), err.message, (long long)err.batch_index);
    if (st != HQ_ERR_CONNECT)
        fail_msg("drop in pipeline: %s (%s), expected HQ_ERR_CONNECT", hq_status_name(st), err.message);
    assert_true(rows <= 2);
    for (size_t i = 0; i < hq_batch_count(b); i++) {
        HqError item;
        HqStatus s = hq_batch_item_status(b, i, &item);
        /* The first two were answered; the rest did not happen. */
        if (i < 2)
            assert_true(s == HQ_OK || s == HQ_ERR_ABORTED || s == HQ_ERR_CONNECT);
        else
            assert_true(s != HQ_OK);
    }
    hq_batch_free(b);
    /* The broken connection refuses further work with an error, not a crash. */
    Row row;
    assert_true(read_row(f, &row, &err) != HQ_OK);
    fake_stop(f);
}

static int stream_row(void *ctx, void *row)
{
    (void)row;
    (*(int *)ctx)++;
    return 0;
}

/* Streaming (single-row mode) meets a malformed value: an error, the callback never sees it. */
static void test_stream_malformed(void **state)
{
    (void)state;
    Fake *f = fake_start("bad_array");
    HqError err;
    int calls = 0;
    HqStatus st = hq_exec(f->conn, &row_query, NULL, NULL, stream_row, &calls, NULL, &err);
    assert_int_equal(st, HQ_ERR_DECODE);
    assert_int_equal(calls, 0);
    fake_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_row),
        cmocka_unit_test(test_malformed_uuid),
        cmocka_unit_test(test_malformed_timestamp),
        cmocka_unit_test(test_malformed_array),
        cmocka_unit_test(test_null_in_not_null_field),
        cmocka_unit_test(test_huge_value),
        cmocka_unit_test(test_column_too_many),
        cmocka_unit_test(test_short_row),
        cmocka_unit_test(test_truncated_message),
        cmocka_unit_test(test_unknown_message),
        cmocka_unit_test(test_fatal_error_then_drop),
        cmocka_unit_test(test_drop_in_pipeline),
        cmocka_unit_test(test_stream_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
