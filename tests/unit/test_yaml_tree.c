/* test_yaml_tree.c - the YAML loader (gen/load/yaml_tree.c): 1-based locations of
 * nodes, scalar styles and nulls, anchors, rejected documents (duplicate
 * keys, several documents), and yaml_offset_loc for each scalar style. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "unit.h"
#include "load/yaml_tree.h"

static int setup(void **state)
{
    diag_init();
    *state = arena_create();
    return 0;
}

static int teardown(void **state)
{
    arena_destroy(*state);
    diag_reset();
    return 0;
}

static YNode *load(void **state, const char *text)
{
    return yaml_load_text(*state, "t.yaml", text, strlen(text));
}

#define assert_loc(loc_, line_, col_)            \
    do {                                        \
        HqLoc l_ = (loc_);                      \
        assert_int_equal(l_.line, (line_));     \
        assert_int_equal(l_.col, (col_));       \
    } while (0)

static void test_locations(void **state)
{
    const YNode *root = load(state, "a: 1\n"
                                    "b:\n"
                                    "  c: [x, yy]\n"
                                    "  d:\n"
                                    "    - { e: f }\n");
    assert_non_null(root);
    assert_int_equal(root->kind, YN_MAP);
    assert_loc(root->loc, 1, 1);
    assert_int_equal(root->n_pairs, 2);
    assert_loc(root->pairs[0].key->loc, 1, 1);
    assert_loc(root->pairs[0].value->loc, 1, 4);
    assert_string_equal(root->pairs[0].value->text, "1");
    const YNode *b = yaml_get(root, "b");
    assert_non_null(b);
    assert_loc(b->loc, 3, 3);
    const YNode *c = yaml_get(b, "c");
    assert_int_equal(c->kind, YN_SEQ);
    assert_loc(c->loc, 3, 6);
    assert_int_equal(c->n_items, 2);
    assert_loc(c->items[0]->loc, 3, 7);
    assert_loc(c->items[1]->loc, 3, 10);
    const YNode *d = yaml_get(b, "d");
    assert_loc(d->loc, 5, 5);
    const YNode *e = yaml_get(d->items[0], "e");
    assert_loc(e->loc, 5, 12);
    assert_int_equal(e->loc.file, root->loc.file);
    assert_string_equal(diag_file_name(root->loc.file), "t.yaml");
    assert_int_equal(diag_error_count(), 0);
}

static void test_get(void **state)
{
    const YNode *root = load(state, "k: v\nlist: [1]\n");
    assert_string_equal(yaml_get(root, "k")->text, "v");
    assert_null(yaml_get(root, "missing"));
    assert_null(yaml_get(yaml_get(root, "list"), "1"));  /* not a mapping */
    assert_null(yaml_get(yaml_get(root, "k"), "v"));
    assert_null(yaml_get(NULL, "k"));
    assert_string_equal(yaml_kind_name(YN_MAP), "a mapping");
    assert_string_equal(yaml_kind_name(YN_SEQ), "a sequence");
    assert_string_equal(yaml_kind_name(YN_SCALAR), "a scalar");
}

static void test_scalars(void **state)
{
    const YNode *root = load(state, "plain: x y\n"
                                    "single: 'it''s'\n"
                                    "double: \"a\\tb\"\n"
                                    "literal: |\n"
                                    "  one\n"
                                    "  two\n"
                                    "folded: >\n"
                                    "  one\n"
                                    "  two\n"
                                    "empty:\n"
                                    "tilde: ~\n"
                                    "null_word: null\n"
                                    "quoted_null: 'null'\n"
                                    "quoted_empty: ''\n");
    assert_non_null(root);
    const YNode *n;
    n = yaml_get(root, "plain");
    assert_int_equal(n->style, YS_PLAIN);
    assert_string_equal(n->text, "x y");
    assert_false(n->is_null);
    n = yaml_get(root, "single");
    assert_int_equal(n->style, YS_SINGLE);
    assert_string_equal(n->text, "it's");
    n = yaml_get(root, "double");
    assert_int_equal(n->style, YS_DOUBLE);
    assert_string_equal(n->text, "a\tb");
    n = yaml_get(root, "literal");
    assert_int_equal(n->style, YS_LITERAL);
    assert_string_equal(n->text, "one\ntwo\n");
    n = yaml_get(root, "folded");
    assert_int_equal(n->style, YS_FOLDED);
    assert_string_equal(n->text, "one two\n");
    assert_true(yaml_get(root, "empty")->is_null);
    assert_string_equal(yaml_get(root, "empty")->text, "");
    assert_true(yaml_get(root, "tilde")->is_null);
    assert_true(yaml_get(root, "null_word")->is_null);
    assert_false(yaml_get(root, "quoted_null")->is_null);
    assert_false(yaml_get(root, "quoted_empty")->is_null);
}

static void test_empty_document(void **state)
{
    const YNode *root = load(state, "");
    assert_non_null(root);
    assert_int_equal(root->kind, YN_MAP);
    assert_int_equal(root->n_pairs, 0);
    assert_loc(root->loc, 1, 1);
    root = load(state, "# only a comment\n");
    assert_non_null(root);
    assert_int_equal(root->kind, YN_MAP);
    assert_int_equal(diag_error_count(), 0);
}

static void test_anchors(void **state)
{
    const YNode *root = load(state, "a: &shared { k: v }\nb: *shared\n");
    assert_non_null(root);
    assert_ptr_equal(yaml_get(root, "a"), yaml_get(root, "b"));
    assert_null(load(state, "a: *nowhere\n"));
    assert_int_equal(diag_error_count(), 1);
}

static void test_duplicate_key(void **state)
{
    assert_null(load(state, "a: 1\n"
                            "b:\n"
                            "  c: 1\n"
                            "  c: 2\n"
                            "a: 3\n"));
    assert_int_equal(diag_error_count(), 2);
    assert_diagnostics("t.yaml:4:3: error: duplicate key \"c\"\n"
                       "t.yaml:3:3: note: first defined here\n"
                       "t.yaml:5:1: error: duplicate key \"a\"\n"
                       "t.yaml:1:1: note: first defined here\n");
}

static void test_rejected_documents(void **state)
{
    assert_null(load(state, "a: 1\n---\nb: 2\n"));
    assert_int_equal(diag_error_count(), 1);
    char *out = flush_diagnostics();
    assert_non_null(strstr(out, "t.yaml:2:1: error: a schema file holds one YAML document"));
    free(out);

    assert_null(load(state, "? [a, b]\n: 1\n"));
    assert_int_equal(diag_error_count(), 2);
    out = flush_diagnostics();
    assert_non_null(strstr(out, "t.yaml:1:3: error: mapping keys must be plain scalars"));
    free(out);

    assert_null(load(state, "a: [1, 2\nb: 3\n"));
    assert_int_equal(diag_error_count(), 3);
    out = flush_diagnostics();
    assert_non_null(strstr(out, "error: invalid YAML"));
    free(out);
}

/* Location of the first occurrence of `needle` in the value of key `key`. */
static HqLoc loc_of(const YNode *root, const char *key, const char *needle)
{
    const YNode *n = yaml_get(root, key);
    assert_non_null(n);
    const char *at = strstr(n->text, needle);
    assert_non_null(at);
    return yaml_offset_loc(n, (size_t)(at - n->text));
}

static void test_offset_plain(void **state)
{
    const YNode *root = load(state, "k: lower(x) = y\n"
                                    "multi: first\n"
                                    "  second third\n");
    assert_non_null(root);
    assert_loc(loc_of(root, "k", "lower"), 1, 4);
    assert_loc(loc_of(root, "k", "x"), 1, 10);
    assert_loc(loc_of(root, "k", "y"), 1, 15);
    /* A multi-line plain scalar folds into "first second third". */
    assert_string_equal(yaml_get(root, "multi")->text, "first second third");
    assert_loc(loc_of(root, "multi", "first"), 2, 8);
    assert_loc(loc_of(root, "multi", "second"), 3, 3);
    assert_loc(loc_of(root, "multi", "third"), 3, 10);
}

static void test_offset_quoted(void **state)
{
    const YNode *root = load(state, "d: \"ab cd\"\n"
                                    "s: 'it''s x'\n"
                                    "e: \"a\\tb c\"\n"
                                    "m: \"one\n"
                                    "  two\"\n");
    assert_non_null(root);
    assert_loc(yaml_get(root, "d")->loc, 1, 4);           /* the opening quote */
    assert_loc(loc_of(root, "d", "a"), 1, 5);
    assert_loc(loc_of(root, "d", "c"), 1, 8);
    /* '' in the source is one ' of the value. */
    assert_string_equal(yaml_get(root, "s")->text, "it's x");
    assert_loc(loc_of(root, "s", "s"), 2, 9);
    assert_loc(loc_of(root, "s", "x"), 2, 11);
    /* \t is two source characters for one value byte. */
    assert_loc(loc_of(root, "e", "c"), 3, 10);
    assert_loc(loc_of(root, "m", "two"), 5, 3);
}

static void test_offset_literal(void **state)
{
    const YNode *root = load(state, "body: |\n"
                                    "    SELECT 1\n"
                                    "\n"
                                    "    FROM t\n"
                                    "next: x\n");
    assert_non_null(root);
    const YNode *n = yaml_get(root, "body");
    assert_string_equal(n->text, "SELECT 1\n\nFROM t\n");
    assert_loc(n->loc, 1, 7);                             /* the | indicator */
    assert_loc(yaml_offset_loc(n, 0), 2, 5);
    assert_loc(loc_of(root, "body", "1"), 2, 12);
    assert_loc(loc_of(root, "body", "FROM"), 4, 5);
    assert_loc(loc_of(root, "body", "t"), 4, 10);
}

static void test_offset_folded(void **state)
{
    const YNode *root = load(state, "f: >\n"
                                    "  a b\n"
                                    "  c\n");
    assert_non_null(root);
    assert_string_equal(yaml_get(root, "f")->text, "a b c\n");
    assert_loc(loc_of(root, "f", "b"), 2, 5);
    assert_loc(loc_of(root, "f", "c"), 3, 3);
}

static void test_offset_not_a_scalar(void **state)
{
    const YNode *root = load(state, "m: { a: b }\n");
    const YNode *m = yaml_get(root, "m");
    assert_loc(yaml_offset_loc(m, 3), 1, 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_locations),     T(test_get),           T(test_scalars),
        T(test_empty_document), T(test_anchors),      T(test_duplicate_key),
        T(test_rejected_documents), T(test_offset_plain), T(test_offset_quoted),
        T(test_offset_literal), T(test_offset_folded), T(test_offset_not_a_scalar),
    };
#undef T
    return cmocka_run_group_tests_name("yaml_tree", tests, NULL, NULL);
}
