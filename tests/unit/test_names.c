/* test_names.c - default constraint names (bu_pg_name in gen/model/build_util.c)
 * against a copy of PostgreSQL's makeObjectName (src/backend/commands/
 * indexcmds.c): name1_name2_label, the longer name truncated first so that
 * the result fits in NAMEDATALEN - 1 = 63 bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/build_int.h"

static int setup(void **state)
{
    Build *b = test_calloc(1, sizeof *b);
    b->a = arena_create();
    *state = b;
    return 0;
}

static int teardown(void **state)
{
    Build *b = *state;
    arena_destroy(b->a);
    test_free(b);
    return 0;
}

/* makeObjectName() for ASCII names (pg_mbcliplen is then the identity). */
static void make_object_name(char *out, const char *name1, const char *name2, const char *label)
{
    int overhead = 0, name1chars = (int)strlen(name1), name2chars = 0;
    if (name2) {
        name2chars = (int)strlen(name2);
        overhead++;
    }
    if (label)
        overhead += (int)strlen(label) + 1;
    int availchars = 64 - 1 - overhead;
    while (name1chars + name2chars > availchars) {
        if (name1chars > name2chars)
            name1chars--;
        else
            name2chars--;
    }
    int n = sprintf(out, "%.*s", name1chars, name1);
    if (name2)
        n += sprintf(out + n, "_%.*s", name2chars, name2);
    if (label)
        sprintf(out + n, "_%s", label);
}

static void repeat(char *out, char c, size_t n)
{
    memset(out, c, n);
    out[n] = '\0';
}

static void test_short_names(void **state)
{
    Build *b = *state;
    assert_string_equal(bu_pg_name(b, "items", NULL, "pkey"), "items_pkey");
    assert_string_equal(bu_pg_name(b, "items", "tenant_id", "fkey"), "items_tenant_id_fkey");
    assert_string_equal(bu_pg_name(b, "items", "name", "key"), "items_name_key");
    assert_string_equal(bu_pg_name(b, "items", "code", "check"), "items_code_check");
    assert_string_equal(bu_pg_name(b, "items", "code", NULL), "items_code");
}

static void test_truncation_examples(void **state)
{
    Build *b = *state;
    char table[64], want[128];
    /* A 60-byte table name with a short column: only the table name is cut. */
    repeat(table, 't', 60);
    const char *got = bu_pg_name(b, table, "id", "fkey");
    assert_int_equal(strlen(got), 63);
    repeat(want, 't', 55);
    strcat(want, "_id_fkey");
    assert_string_equal(got, want);
    /* Exactly 63 bytes untruncated: left alone. */
    repeat(table, 'a', 58);
    got = bu_pg_name(b, table, NULL, "pkey");
    assert_int_equal(strlen(got), 63);
    assert_string_equal(got + 58, "_pkey");
    /* One byte more: cut by one. */
    repeat(table, 'a', 59);
    got = bu_pg_name(b, table, NULL, "pkey");
    assert_int_equal(strlen(got), 63);
    /* Two long names: both cut, the longer first; on a tie name2 goes first. */
    char col[64];
    repeat(table, 't', 40);
    repeat(col, 'c', 40);
    got = bu_pg_name(b, table, col, "key");   /* 58 bytes for the names: 29 + 29 */
    repeat(want, 't', 29);
    strcat(want, "_");
    repeat(want + 30, 'c', 29);
    strcat(want, "_key");
    assert_string_equal(got, want);
    got = bu_pg_name(b, table, col, "fkey");  /* 57 bytes: 29 + 28 */
    repeat(want, 't', 29);
    strcat(want, "_");
    repeat(want + 30, 'c', 28);
    strcat(want, "_fkey");
    assert_string_equal(got, want);
}

/* Every combination of lengths gives PostgreSQL's name. */
static void test_matches_make_object_name(void **state)
{
    Build *b = *state;
    static const char *const labels[] = {"pkey", "key", "fkey", "check", "excl", NULL};
    char n1[80], n2[80], want[200];
    int checked = 0;
    for (size_t l1 = 1; l1 <= 70; l1 += 3)
        for (size_t l2 = 0; l2 <= 70; l2 += 3)
            for (size_t k = 0; k < sizeof labels / sizeof *labels; k++) {
                repeat(n1, 'a', l1);
                n1[0] = 'x'; /* distinguishable ends, so a wrong cut shows */
                repeat(n2, 'b', l2);
                if (l2)
                    n2[0] = 'y';
                const char *name2 = l2 ? n2 : NULL;
                make_object_name(want, n1, name2, labels[k]);
                const char *got = bu_pg_name(b, n1, name2, labels[k]);
                if (strcmp(got, want))
                    print_error("bu_pg_name(%zu, %zu, %s) = %s, want %s\n", l1, l2, labels[k] ? labels[k] : "NULL",
                                got, want);
                assert_string_equal(got, want);
                assert_true(strlen(got) <= 63);
                checked++;
            }
    assert_true(checked > 3000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_short_names),
        T(test_truncation_examples),
        T(test_matches_make_object_name),
    };
#undef T
    return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
