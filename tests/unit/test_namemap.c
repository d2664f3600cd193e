/* test_namemap.c - the name lookups of gen/base/namemap.c: the hash map,
 * and the vector index, which must answer as a linear scan would (first
 * item of a name) while the vector grows, shrinks or has items replaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/namemap.h"

typedef struct {
    int id;
    const char *name;
} Item;

static int setup(void **state)
{
    *state = arena_create();
    return 0;
}

static int teardown(void **state)
{
    arena_destroy(*state);
    return 0;
}

static void test_map(void **state)
{
    HqArena *a = *state;
    HqNameMap *m = namemap_new(a);
    char *keys[5000];
    for (int i = 0; i < 5000; i++) {
        keys[i] = arena_printf(a, "key%d", i);
        assert_null(namemap_put(m, keys[i], keys[i]));
    }
    assert_int_equal(namemap_count(m), 5000);
    for (int i = 0; i < 5000; i++)
        assert_ptr_equal(namemap_get(m, arena_printf(a, "key%d", i)), keys[i]);
    assert_null(namemap_get(m, "key5000"));
    assert_null(namemap_get(m, ""));
    assert_ptr_equal(namemap_put(m, keys[7], "x"), keys[7]);  /* replaced, earlier value back */
    assert_string_equal(namemap_get(m, "key7"), "x");
    assert_int_equal(namemap_count(m), 5000);
}

/* What a linear scan finds. */
static Item *scan(const HqVec *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(((Item *)v->items[i])->name, name))
            return v->items[i];
    return NULL;
}

static void expect_same(HqArena *a, HqVecIndex **x, const HqVec *v, int n_names)
{
    for (int i = 0; i < n_names; i++) {
        char name[32];
        snprintf(name, sizeof name, "n%d", i);
        assert_ptr_equal(vecindex_find(a, x, v, offsetof(Item, name), name), scan(v, name));
    }
}

static void test_vec_index(void **state)
{
    HqArena *a = *state;
    HqVec v = {0};
    HqVecIndex *x = NULL;
    /* 100 items over 60 names: duplicates, the first one wins. */
    for (int i = 0; i < 100; i++) {
        Item *it = arena_alloc(a, sizeof *it);
        it->id = i;
        it->name = arena_printf(a, "n%d", i % 60);
        vec_push(a, &v, it);
    }
    expect_same(a, &x, &v, 70);
    assert_int_equal(((Item *)vecindex_find(a, &x, &v, offsetof(Item, name), "n5"))->id, 5);
    /* Appended later: found without rebuilding by hand. */
    Item *late = arena_alloc(a, sizeof *late);
    late->name = "n65";
    vec_push(a, &v, late);
    assert_ptr_equal(vecindex_find(a, &x, &v, offsetof(Item, name), "n65"), late);
    /* Removed from the middle (as build drops a constraint): the index notices. */
    memmove(&v.items[5], &v.items[6], (v.n - 6) * sizeof *v.items);
    v.n--;
    expect_same(a, &x, &v, 70);
    assert_int_equal(((Item *)vecindex_find(a, &x, &v, offsetof(Item, name), "n5"))->id, 65);
    /* Removed, then as many appended: still noticed. */
    memmove(&v.items[0], &v.items[1], (v.n - 1) * sizeof *v.items);
    v.n--;
    Item *again = arena_alloc(a, sizeof *again);
    again->name = "n0";
    vec_push(a, &v, again);
    expect_same(a, &x, &v, 70);
    /* Replaced in place by an item of the same name (a function's new version). */
    Item *repl = arena_alloc(a, sizeof *repl);
    repl->name = ((Item *)v.items[3])->name;
    v.items[3] = repl;
    expect_same(a, &x, &v, 70);
    size_t pos = vecindex_pos(a, &x, &v, offsetof(Item, name), repl->name);
    assert_ptr_equal(v.items[pos], scan(&v, repl->name));
    assert_int_equal(vecindex_pos(a, &x, &v, offsetof(Item, name), "absent"), (size_t)-1);
    /* Without an arena: a scan. */
    assert_ptr_equal(vecindex_find(NULL, NULL, &v, offsetof(Item, name), "n9"), scan(&v, "n9"));
    assert_null(vecindex_find(a, &x, &v, offsetof(Item, name), NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vec_index, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
