/* test_diag.c - the diagnostics sink (gen/base/diag.c): did-you-mean suggestions,
 * and the order diag_flush prints in (file, line, column, then arrival; a
 * note right after the diagnostic it belongs to, wherever it points). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/diag.h"
#include "unit.h"

static int setup(void **state)
{
    (void)state;
    diag_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    diag_reset();
    return 0;
}

static const char *suggest(const char *name, const char *const *cands, size_t n)
{
    return diag_suggest(name, cands, n);
}

static void test_suggest_typos(void **state)
{
    (void)state;
    static const char *const keys[] = {"columns", "indexes", "policies", "triggers", "tables", "traits"};
    size_t n = sizeof keys / sizeof *keys;
    assert_string_equal(suggest("colums", keys, n), "columns");      /* deletion */
    assert_string_equal(suggest("columnss", keys, n), "columns");    /* insertion */
    assert_string_equal(suggest("indices", keys, n), "indexes");     /* two substitutions */
    assert_string_equal(suggest("tabels", keys, n), "tables");       /* transposition = 2 edits */
    assert_string_equal(suggest("Tables", keys, n), "tables");       /* case counts as an edit */
    assert_string_equal(suggest("trigers", keys, n), "triggers");
}

static void test_suggest_none(void **state)
{
    (void)state;
    static const char *const keys[] = {"columns", "indexes"};
    assert_null(suggest("columns", keys, 2));    /* an exact match is no suggestion */
    assert_null(suggest("xyz", keys, 2));        /* too far */
    assert_null(suggest("colour", keys, 2));     /* 4 edits, limit 6/3+1 = 3 */
    assert_null(suggest("anything", keys, 0));   /* no candidates */
    assert_null(suggest("", keys, 2));
    /* The limit grows with the name: strlen/3 + 1 edits. */
    static const char *const ab[] = {"ab"};
    assert_string_equal(suggest("ac", ab, 1), "ab");   /* 1 edit, limit 1 */
    assert_null(suggest("ba", ab, 1));                  /* 2 edits, limit 1 */
    static const char *const long_name[] = {"replica_identity"};
    assert_string_equal(suggest("replca_identiy", long_name, 1), "replica_identity"); /* 2 of 5 */
    /* Names longer than 64 bytes are not compared. */
    static const char *const huge[] = {"a_name_that_is_far_longer_than_sixty_four_bytes_which_is_the_limit_x"};
    assert_null(suggest("a_name_that_is_far_longer_than_sixty_four_bytes_which_is_the_limit_y", huge, 1));
}

static void test_suggest_ties(void **state)
{
    (void)state;
    /* Equally close candidates: the alphabetically first, whatever the order. */
    static const char *const a[] = {"hat", "bat", "cat"};
    static const char *const b[] = {"cat", "bat", "hat"};
    assert_string_equal(suggest("xat", a, 3), "bat");
    assert_string_equal(suggest("xat", b, 3), "bat");
    /* The closest wins over an earlier or alphabetically smaller one. */
    static const char *const c[] = {"abcdeaa", "abcdefgh"};
    assert_string_equal(suggest("abcdefg", c, 2), "abcdefgh");
}

static void test_counts(void **state)
{
    (void)state;
    uint32_t f = diag_add_file("a.yaml");
    HqLoc loc = {f, 1, 1};
    assert_int_equal(diag_error_count(), 0);
    diag_error(&loc, "one");
    diag_note(&loc, "a note is not counted");
    diag_warning(&loc, "w");
    diag_error(NULL, "two");
    assert_int_equal(diag_error_count(), 2);
    assert_int_equal(diag_warning_count(), 1);
    free(flush_diagnostics());
    /* flush forgets the diagnostics, not the counts */
    assert_int_equal(diag_error_count(), 2);
    assert_diagnostics("");
}

/* Info findings (lints of severity info) print as "info", count apart and
 * carry their notes like any diagnostic. */
static void test_info(void **state)
{
    (void)state;
    uint32_t f = diag_add_file("schema/001_a.yaml");
    HqLoc l2 = {f, 2, 3}, l1 = {f, 1, 1};
    diag_info(&l2, "fk has no index [unindexed_foreign_keys]");
    diag_note(&l2, "why");
    diag_info(&l2, "fk has no index [unindexed_foreign_keys]");   /* a repeat: dropped */
    diag_note(&l2, "why");
    diag_warning(&l1, "w");
    assert_int_equal(diag_info_count(), 1);
    assert_int_equal(diag_warning_count(), 1);
    assert_int_equal(diag_error_count(), 0);
    assert_diagnostics("schema/001_a.yaml:1:1: warning: w\n"
                       "schema/001_a.yaml:2:3: info: fk has no index [unindexed_foreign_keys]\n"
                       "schema/001_a.yaml:2:3: note: why\n");
}

static void test_flush_order(void **state)
{
    (void)state;
    uint32_t b = diag_add_file("schema/002_b.yaml");
    uint32_t a = diag_add_file("schema/001_a.yaml");
    assert_string_equal(diag_file_name(a), "schema/001_a.yaml");
    assert_string_equal(diag_file_name(99), "<unknown>");
    HqLoc b_3_5 = {b, 3, 5}, b_3_2 = {b, 3, 2}, b_10_1 = {b, 10, 1}, a_7_1 = {a, 7, 1}, a_whole = {a, 0, 0};
    HqLoc a_1_1 = {a, 1, 1};
    diag_error(&b_10_1, "late in b");
    diag_error(&b_3_5, "b 3:5");
    diag_note(&a_1_1, "note of b 3:5, pointing into a");
    diag_note(&b_10_1, "second note of b 3:5");
    diag_warning(&b_3_2, "warning b 3:2");
    diag_error(&a_7_1, "a 7:1");
    diag_error(&b_3_5, "b 3:5 again, later");
    diag_error(NULL, "no location");
    diag_error(&a_whole, "whole file a");
    diag_note(NULL, "note of whole file a");
    /* Files in the order they were added, then line, column, arrival. */
    assert_diagnostics("hqc: error: no location\n"
                       "schema/002_b.yaml:3:2: warning: warning b 3:2\n"
                       "schema/002_b.yaml:3:5: error: b 3:5\n"
                       "schema/001_a.yaml:1:1: note: note of b 3:5, pointing into a\n"
                       "schema/002_b.yaml:10:1: note: second note of b 3:5\n"
                       "schema/002_b.yaml:3:5: error: b 3:5 again, later\n"
                       "schema/002_b.yaml:10:1: error: late in b\n"
                       "schema/001_a.yaml: error: whole file a\n"
                       "hqc: note: note of whole file a\n"
                       "schema/001_a.yaml:7:1: error: a 7:1\n");
}

static void test_flush_many(void **state)
{
    (void)state;
    /* More than the initial capacity, in reverse order; each with a note. */
    uint32_t f = diag_add_file("m.yaml");
    for (uint32_t line = 100; line >= 1; line--) {
        HqLoc loc = {f, line, 1}, note = {f, 1000 + line, 1};
        diag_error(&loc, "error %u", line);
        diag_note(&note, "note %u", line);
    }
    char *out = flush_diagnostics();
    const char *p = out;
    for (uint32_t line = 1; line <= 100; line++) {
        char want[128];
        snprintf(want, sizeof want, "m.yaml:%u:1: error: error %u\nm.yaml:%u:1: note: note %u\n", line, line,
                 1000 + line, line);
        assert_memory_equal(p, want, strlen(want));
        p += strlen(want);
    }
    assert_string_equal(p, "");
    free(out);
}

static void test_repeated_diagnostic_dropped(void **state)
{
    (void)state;
    /* A trait with a mistake applied to several tables reports it once. */
    uint32_t f = diag_add_file("_traits.yaml");
    HqLoc loc = {f, 4, 7}, other = {f, 5, 1};
    diag_error(&loc, "unknown key \"%s\"", "x");
    diag_note(&other, "first");
    diag_error(&loc, "unknown key \"%s\"", "x");
    diag_note(&other, "dropped with its error");
    diag_error(&other, "unknown key \"x\"");   /* another place: kept */
    diag_warning(&loc, "unknown key \"x\"");   /* another kind: kept */
    assert_int_equal(diag_error_count(), 2);
    assert_int_equal(diag_warning_count(), 1);
    assert_diagnostics("_traits.yaml:4:7: error: unknown key \"x\"\n"
                       "_traits.yaml:5:1: note: first\n"
                       "_traits.yaml:4:7: warning: unknown key \"x\"\n"
                       "_traits.yaml:5:1: error: unknown key \"x\"\n");
}

static void test_long_message(void **state)
{
    (void)state;
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    diag_error(NULL, "%s", big);
    char *out = flush_diagnostics();
    assert_int_equal(strlen(out), strlen("hqc: error: \n") + sizeof big - 1);
    free(out);
}

/* A million mistakes: every error counted, the first 1,000 shown (by
 * arrival), then one line for the rest; repeats are still recognised. */
static void test_many_errors_capped(void **state)
{
    (void)state;
    uint32_t f = diag_add_file("big.yaml");
    for (uint32_t i = 1; i <= 100000; i++) {
        HqLoc loc = {f, i, 1};
        diag_error(&loc, "unknown key \"k%u\"", i);
        diag_note(&loc, "a note");
    }
    HqLoc first = {f, 1, 1}, last = {f, 100000, 1};
    diag_error(&first, "unknown key \"k1\"");      /* repeat of a shown one */
    diag_error(&last, "unknown key \"k100000\"");  /* repeat of a counted one */
    assert_int_equal(diag_error_count(), 100000);
    char *out = flush_diagnostics();
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 2 * 1000 + 1);
    assert_non_null(strstr(out, "big.yaml:1000:1: error: unknown key \"k1000\"\n"));
    assert_null(strstr(out, "k1001\""));
    assert_non_null(strstr(out, "hqc: note: 99000 more errors and warnings not shown (the first 1000 are)\n"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suggest_typos),
        cmocka_unit_test(test_suggest_none),
        cmocka_unit_test(test_suggest_ties),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_diagnostic_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_errors_capped, setup, teardown),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
