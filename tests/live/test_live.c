/* test_live.c - the pure parts of live/: SHA-256 against the FIPS 180-4
 * examples and block-boundary lengths, statement splitting and transaction
 * groups (live/split.c), error positions mapped to statements and lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "live/sha256.h"
#include "live/split.h"

static void expect_sha(const char *data, size_t len, const char *want)
{
    char got[LIVE_SHA256_HEX];
    sha256_hex(data, len, got);
    if (strcmp(got, want))
        print_error("sha256 of %zu bytes = %s, want %s\n", len, got, want);
    assert_string_equal(got, want);
}

static void test_sha256_examples(void **state)
{
    (void)state;
    expect_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_sha(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* Lengths around the padding boundaries (55/56 bytes: one or two final
 * blocks) and a million bytes; digests from an independent implementation. */
static void test_sha256_lengths(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        const char *hex;
    } cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
        {1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_sha(a, cases[i].n, cases[i].hex);
    free(a);
}

/* The text of statement i. */
static char *stmt_text(const LiveSplit *s, const char *sql, size_t i)
{
    return strndup(sql + s->stmts[i].start, s->stmts[i].end - s->stmts[i].start);
}

static void expect_stmt(const LiveSplit *s, const char *sql, size_t i, const char *text, unsigned line)
{
    char *got = stmt_text(s, sql, i);
    assert_string_equal(got, text);
    assert_int_equal(s->stmts[i].line, line);
    free(got);
}

static void test_split_groups(void **state)
{
    (void)state;
    const char *sql = "-- header\n"
                      "SET client_min_messages = warning;\n"
                      "ALTER TYPE e ADD VALUE IF NOT EXISTS 'x';\n"
                      "\n"
                      "BEGIN;\n"
                      "CREATE TABLE t (a int);\n"
                      "DO $$BEGIN PERFORM 1; END$$;\n"
                      "/* a /* nested */ comment */ COMMENT ON TABLE t IS 'a;b';\n"
                      "COMMIT;\n"
                      "SELECT 1";
    LiveSplit s;
    char *err = NULL;
    assert_int_equal(live_split(sql, &s, &err), 0);
    assert_int_equal(s.n_stmts, 8);
    expect_stmt(&s, sql, 0, "SET client_min_messages = warning", 2);
    expect_stmt(&s, sql, 2, "BEGIN", 5);
    expect_stmt(&s, sql, 4, "DO $$BEGIN PERFORM 1; END$$", 7);
    expect_stmt(&s, sql, 5, "COMMENT ON TABLE t IS 'a;b'", 8);
    expect_stmt(&s, sql, 7, "SELECT 1", 10);
    /* SET and ALTER TYPE alone (autocommit), BEGIN..COMMIT together, SELECT alone. */
    assert_int_equal(s.n_groups, 4);
    assert_int_equal(s.groups[0].n, 1);
    assert_false(s.groups[0].transaction);
    assert_int_equal(s.groups[2].first, 2);
    assert_int_equal(s.groups[2].n, 5);
    assert_true(s.groups[2].transaction);
    assert_int_equal(s.groups[3].first, 7);
    size_t start, len = live_split_group_text(&s, 2, &start);
    char *text = strndup(sql + start, len);
    assert_string_equal(text, "BEGIN;\nCREATE TABLE t (a int);\nDO $$BEGIN PERFORM 1; END$$;\n"
                              "/* a /* nested */ comment */ COMMENT ON TABLE t IS 'a;b';\nCOMMIT");
    free(text);
    live_split_free(&s);
}

static void test_split_transaction_words(void **state)
{
    (void)state;
    const char *sql = "start transaction isolation level serializable;\n"
                      "savepoint a;\n"
                      "rollback to savepoint a;\n"
                      "end;\n"
                      "begin;\n"
                      "select 1;\n"
                      "rollback;\n"
                      "begin;\n"
                      "select 2";
    LiveSplit s;
    char *err = NULL;
    assert_int_equal(live_split(sql, &s, &err), 0);
    assert_int_equal(s.n_stmts, 9);
    /* START ... END (ROLLBACK TO stays inside), BEGIN ... ROLLBACK, and an
     * unterminated BEGIN that runs to the end. */
    assert_int_equal(s.n_groups, 3);
    assert_int_equal(s.groups[0].n, 4);
    assert_int_equal(s.groups[1].n, 3);
    assert_int_equal(s.groups[2].n, 2);
    for (size_t g = 0; g < 3; g++)
        assert_true(s.groups[g].transaction);
    live_split_free(&s);
}

/* A unit the parser rejects is sent whole: nothing of it runs, and the
 * server's error position finds the statement. */
static void test_split_syntax_error(void **state)
{
    (void)state;
    const char *sql = "-- x\nSELECT 1;\nSELEC 2;\nSELECT 3;";
    LiveSplit s;
    char *err = NULL;
    assert_int_equal(live_split(sql, &s, &err), 0);
    assert_int_equal(s.n_stmts, 1);
    assert_int_equal(s.n_groups, 1);
    expect_stmt(&s, sql, 0, "SELECT 1;\nSELEC 2;\nSELECT 3;", 2);
    unsigned line = 0;
    assert_int_equal(live_split_locate(&s, sql, 0, 11, &line), 0);   /* "SELEC" */
    assert_int_equal(line, 3);
    live_split_free(&s);
}

/* PostgreSQL's error position counts characters from the start of the text
 * sent (the group), not bytes. */
static void test_locate_position(void **state)
{
    (void)state;
    const char *sql = "SET a = 1;\n"
                      "BEGIN;\n"
                      "SELECT 'ééé';\n"
                      "SELECT x\n"
                      "  FROM nope;\n"
                      "COMMIT;";
    LiveSplit s;
    char *err = NULL;
    assert_int_equal(live_split(sql, &s, &err), 0);
    assert_int_equal(s.n_groups, 2);
    size_t start;
    live_split_group_text(&s, 1, &start);
    const char *group = sql + start;
    /* "nope" at character position: count characters up to it. */
    const char *nope = strstr(group, "nope");
    int pos = 1;
    for (const char *p = group; p < nope; p++)
        pos += ((unsigned char)*p & 0xC0) != 0x80;
    unsigned line = 0;
    size_t k = live_split_locate(&s, sql, 1, pos, &line);
    assert_int_equal(k, 3);
    assert_int_equal(line, 5);
    assert_int_equal(live_split_locate(&s, sql, 1, 1, &line), 1);
    assert_int_equal(line, 2);
    live_split_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_examples),  cmocka_unit_test(test_sha256_lengths),
        cmocka_unit_test(test_split_groups),     cmocka_unit_test(test_split_transaction_words),
        cmocka_unit_test(test_split_syntax_error), cmocka_unit_test(test_locate_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
