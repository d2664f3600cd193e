/* test_sqlbuf.c - quoting of identifiers and literals, dollar quoting, and
 * privilege and role lists (gen/base/sqlbuf.c). Identifier quoting is compared
 * with PostgreSQL's own keyword table, as linked into libpg_query. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/sqlbuf.h"

/* sqlbuf_ident(name) as a string; the caller frees it. */
static char *ident(const char *name)
{
    StrBuf b;
    strbuf_init(&b);
    sqlbuf_ident(&b, name);
    return strbuf_steal(&b);
}

static void expect_ident(const char *name, const char *want)
{
    char *got = ident(name);
    if (strcmp(got, want))
        print_error("sqlbuf_ident(\"%s\") = %s, want %s\n", name, got, want);
    int same = !strcmp(got, want);
    free(got);
    assert_true(same);
}

static void test_ident_plain(void **state)
{
    (void)state;
    expect_ident("users", "users");
    expect_ident("_private", "_private");
    expect_ident("tenant_id2", "tenant_id2");
    expect_ident("a", "a");
}

static void test_ident_keywords(void **state)
{
    (void)state;
    /* Reserved and column-name / type-name keywords are quoted... */
    expect_ident("user", "\"user\"");
    expect_ident("order", "\"order\"");
    expect_ident("table", "\"table\"");
    expect_ident("select", "\"select\"");
    expect_ident("position", "\"position\"");
    expect_ident("time", "\"time\"");
    expect_ident("authorization", "\"authorization\"");
    expect_ident("end", "\"end\"");
    /* ...unreserved keywords are not, as in quote_identifier. */
    expect_ident("name", "name");
    expect_ident("type", "type");
    expect_ident("key", "key");
    expect_ident("status", "status");
    expect_ident("data", "data");
    expect_ident("comment", "comment");
    expect_ident("role", "role");
    expect_ident("text", "text");
}

static void test_ident_needs_quotes(void **state)
{
    (void)state;
    expect_ident("Users", "\"Users\"");
    expect_ident("camelCase", "\"camelCase\"");
    expect_ident("1abc", "\"1abc\"");
    expect_ident("9", "\"9\"");
    expect_ident("a-b", "\"a-b\"");
    expect_ident("two words", "\"two words\"");
    expect_ident("we\"ird", "\"we\"\"ird\"");
    expect_ident("\"", "\"\"\"\"");
    expect_ident("", "\"\"");
    expect_ident("caf\xc3\xa9", "\"caf\xc3\xa9\"");
}

/* PostgreSQL's keyword list (src/common/kwlist_d.h), exported by
 * libpg_query; the layout is that of src/include/common/kwlookup.h. */
typedef struct {
    const char *kw_string;
    const uint16_t *kw_offsets;
    int (*hash)(const void *key, size_t keylen);
    int num_keywords;
    int max_kw_len;
} ScanKeywordList;
extern const ScanKeywordList ScanKeywords;
extern const uint8_t ScanKeywordCategories[];
enum { UNRESERVED_KEYWORD = 0 };

/* Every keyword of the linked PostgreSQL version is quoted exactly when
 * quote_identifier() quotes it: when it is not UNRESERVED. (hqc may quote a
 * few more, keywords of later PostgreSQL versions; they are listed.) */
static void test_ident_keyword_table(void **state)
{
    (void)state;
    static const char *const later_versions[] = {"json_array"};
    assert_true(ScanKeywords.num_keywords > 400);
    int checked = 0, wrong = 0;
    for (int i = 0; i < ScanKeywords.num_keywords; i++) {
        const char *kw = ScanKeywords.kw_string + ScanKeywords.kw_offsets[i];
        char *got = ident(kw);
        int quoted = got[0] == '"';
        int want = ScanKeywordCategories[i] != UNRESERVED_KEYWORD;
        for (size_t k = 0; k < sizeof later_versions / sizeof *later_versions; k++)
            want |= !strcmp(kw, later_versions[k]);
        if (quoted != want) {
            print_error("keyword \"%s\" (category %d): sqlbuf_ident gives %s\n", kw, ScanKeywordCategories[i], got);
            wrong++;
        }
        free(got);
        checked++;
    }
    assert_int_equal(wrong, 0);
    assert_int_equal(checked, ScanKeywords.num_keywords);
    /* Sanity of the layout above: known categories. */
    expect_ident("select", "\"select\"");
    expect_ident("abort", "abort");
}

static void expect_qualified(const char *name, const char *want)
{
    StrBuf b;
    strbuf_init(&b);
    sqlbuf_qualified(&b, name);
    assert_string_equal(b.data, want);
    strbuf_free(&b);
}

static void test_qualified(void **state)
{
    (void)state;
    expect_qualified("auth.users", "auth.users");
    expect_qualified("public.user", "public.\"user\"");
    expect_qualified("Auth.order", "\"Auth\".\"order\"");
    expect_qualified("items", "items");
    expect_qualified("table", "\"table\"");
}

static void expect_literal(const char *value, const char *want)
{
    StrBuf b;
    strbuf_init(&b);
    sqlbuf_literal(&b, value);
    assert_string_equal(b.data, want);
    strbuf_free(&b);
}

static void test_literal(void **state)
{
    (void)state;
    expect_literal("todo", "'todo'");
    expect_literal("", "''");
    expect_literal("it's", "'it''s'");
    expect_literal("''", "''''''");
    /* Backslashes: an E'' string with each one doubled, as quote_literal. */
    expect_literal("a\\b", "E'a\\\\b'");
    expect_literal("\\", "E'\\\\'");
    expect_literal("^[A-Z]\\d+$", "E'^[A-Z]\\\\d+$'");
    expect_literal("it's a\\b", "E'it''s a\\\\b'");
    expect_literal("{\"a\": 1}", "'{\"a\": 1}'");
}

/* The text between the opening and the first closing dollar tag of a
 * dollar-quoted string, as PostgreSQL's lexer reads it back. */
static char *dollar_body(const char *quoted)
{
    assert_int_equal(quoted[0], '$');
    const char *end_tag = strchr(quoted + 1, '$');
    assert_non_null(end_tag);
    size_t tag_len = (size_t)(end_tag - quoted) + 1;
    char tag[128];
    assert_true(tag_len < sizeof tag);
    memcpy(tag, quoted, tag_len);
    tag[tag_len] = '\0';
    const char *body = quoted + tag_len;
    const char *close = strstr(body, tag);
    assert_non_null(close);
    assert_string_equal(close + tag_len, ""); /* nothing after the closing tag */
    return strndup(body, (size_t)(close - body));
}

static void expect_dollar(const char *body, const char *hint, const char *want)
{
    StrBuf b;
    strbuf_init(&b);
    sqlbuf_dollar(&b, body, hint);
    if (want)
        assert_string_equal(b.data, want);
    char *back = dollar_body(b.data);
    assert_string_equal(back, body);
    free(back);
    strbuf_free(&b);
}

static void test_dollar(void **state)
{
    (void)state;
    expect_dollar("SELECT 1", "fn", "$fn$SELECT 1$fn$");
    expect_dollar("", "fn", "$fn$$fn$");
    expect_dollar("SELECT '$$'", "fn", "$fn$SELECT '$$'$fn$");
    /* The tag is not in the body. */
    expect_dollar("SELECT $fn$x$fn$", "fn", "$fn1$SELECT $fn$x$fn$$fn1$");
    expect_dollar("$fn$ $fn1$", "fn", "$fn2$$fn$ $fn1$$fn2$");
    expect_dollar("$fn$", "do", "$do$$fn$$do$");
    /* A body that ends in the tag less its last '$' would be closed early
     * ("...$fn" + "$fn$" reads as "...", then "fn$"). */
    expect_dollar("SELECT 1 AS $fn", "fn", NULL);
    expect_dollar("$fn$x$fn1", "fn", NULL);
    /* Any body round-trips. */
    expect_dollar("$", "fn", NULL);
    expect_dollar("$$", "fn", NULL);
    expect_dollar("fn$", "fn", NULL);
}

static void test_privileges_and_roles(void **state)
{
    (void)state;
    StrBuf b;
    strbuf_init(&b);
    static const char *const privs[] = {"select", "insert", "update"};
    sqlbuf_privileges(&b, privs, 3);
    assert_string_equal(b.data, "SELECT, INSERT, UPDATE");
    strbuf_reset(&b);
    static const char *const all[] = {"all"};
    sqlbuf_privileges(&b, all, 1);
    assert_string_equal(b.data, "ALL");
    strbuf_reset(&b);
    static const char *const roles[] = {"authenticated", "public", "user", "Admin"};
    sqlbuf_roles(&b, roles, 4);
    assert_string_equal(b.data, "authenticated, PUBLIC, \"user\", \"Admin\"");
    strbuf_reset(&b);
    sqlbuf_roles(&b, roles, 0);
    assert_string_equal(b.data, "");
    strbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ident_plain),
        cmocka_unit_test(test_ident_keywords),
        cmocka_unit_test(test_ident_needs_quotes),
        cmocka_unit_test(test_ident_keyword_table),
        cmocka_unit_test(test_qualified),
        cmocka_unit_test(test_literal),
        cmocka_unit_test(test_dollar),
        cmocka_unit_test(test_privileges_and_roles),
    };
    return cmocka_run_group_tests_name("sqlbuf", tests, NULL, NULL);
}
