/* test_sqlparse.c - SQL fragments through libpg_query (gen/base/sqlparse.c): type
 * names as PostgreSQL normalizes them, the names an expression refers to,
 * index key elements, statement lists, and error offsets inside the
 * fragment (not inside the statement the fragment is wrapped in). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pg_query.h>
#include <stdio.h>
#include <string.h>

#include "base/sqlparse.h"

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

static int group_teardown(void **state)
{
    (void)state;
    pg_query_exit();
    return 0;
}

/* ---- types ----------------------------------------------------------------- */

static SqlpType type_of(void **state, const char *text)
{
    SqlpType t;
    SqlpError err;
    bool ok = sqlp_parse_type(*state, text, &t, &err);
    if (!ok)
        print_error("sqlp_parse_type(\"%s\"): %s\n", text, err.message);
    assert_true(ok);
    assert_null(err.message);
    return t;
}

static void expect_type(void **state, const char *text, const char *schema, const char *name, const char *typmods,
                        int dims)
{
    SqlpType t = type_of(state, text);
    if (schema)
        assert_string_equal(t.schema, schema);
    else
        assert_null(t.schema);
    assert_string_equal(t.name, name);
    if (typmods)
        assert_string_equal(t.typmods, typmods);
    else
        assert_null(t.typmods);
    assert_int_equal(t.array_dims, dims);
    assert_false(t.setof);
}

static void test_types_normalized(void **state)
{
    expect_type(state, "timestamp with time zone", NULL, "timestamptz", NULL, 0);
    expect_type(state, "timestamptz", NULL, "timestamptz", NULL, 0);
    expect_type(state, "timestamp without time zone", NULL, "timestamp", NULL, 0);
    expect_type(state, "time with time zone", NULL, "timetz", NULL, 0);
    expect_type(state, "integer", NULL, "int4", NULL, 0);
    expect_type(state, "int", NULL, "int4", NULL, 0);
    expect_type(state, "bigint", NULL, "int8", NULL, 0);
    expect_type(state, "smallint", NULL, "int2", NULL, 0);
    expect_type(state, "boolean", NULL, "bool", NULL, 0);
    expect_type(state, "double precision", NULL, "float8", NULL, 0);
    expect_type(state, "real", NULL, "float4", NULL, 0);
    expect_type(state, "TEXT", NULL, "text", NULL, 0);
    expect_type(state, "uuid", NULL, "uuid", NULL, 0);
    expect_type(state, "pg_catalog.int4", NULL, "int4", NULL, 0);   /* pg_catalog is dropped */
}

static void test_types_typmods(void **state)
{
    expect_type(state, "numeric(10,2)", NULL, "numeric", "10,2", 0);
    expect_type(state, "numeric(10, 2)", NULL, "numeric", "10,2", 0);
    expect_type(state, "decimal(5)", NULL, "numeric", "5", 0);
    expect_type(state, "varchar(255)", NULL, "varchar", "255", 0);
    expect_type(state, "character varying(64)", NULL, "varchar", "64", 0);
    expect_type(state, "char(2)", NULL, "bpchar", "2", 0);
    expect_type(state, "timestamp(3) with time zone", NULL, "timestamptz", "3", 0);
    expect_type(state, "vector(384)", NULL, "vector", "384", 0);
    expect_type(state, "extensions.vector(1536)", "extensions", "vector", "1536", 0);
}

static void test_types_arrays_and_schemas(void **state)
{
    expect_type(state, "text[]", NULL, "text", NULL, 1);
    expect_type(state, "int[][]", NULL, "int4", NULL, 2);
    expect_type(state, "integer ARRAY", NULL, "int4", NULL, 1);
    expect_type(state, "numeric(10,2)[]", NULL, "numeric", "10,2", 1);
    expect_type(state, "task_status", NULL, "task_status", NULL, 0);
    expect_type(state, "public.task_status", "public", "task_status", NULL, 0);
    expect_type(state, "public.task_status[]", "public", "task_status", NULL, 1);
    expect_type(state, "\"Weird Type\"", NULL, "Weird Type", NULL, 0);

    SqlpType t = type_of(state, "setof agent_inbox_items");
    assert_true(t.setof);
    assert_string_equal(t.name, "agent_inbox_items");
    t = type_of(state, "SETOF  public.items");
    assert_true(t.setof);
    assert_string_equal(t.schema, "public");
}

static void expect_bad_type(void **state, const char *text)
{
    SqlpType t;
    SqlpError err;
    assert_false(sqlp_parse_type(*state, text, &t, &err));
    assert_non_null(err.message);
    assert_true(err.offset <= strlen(text));
}

static void test_types_invalid(void **state)
{
    expect_bad_type(state, "not a type!!");
    expect_bad_type(state, "");
    expect_bad_type(state, "text; DROP TABLE users");   /* two statements */
    expect_bad_type(state, "uuid FROM users");          /* more than a type */
    expect_bad_type(state, "int, text");
    SqlpType t;
    SqlpError err;
    assert_false(sqlp_parse_type(*state, "numeric(10,", &t, &err));
    assert_string_equal(err.message, "syntax error at end of input");
}

/* ---- expressions -------------------------------------------------------------- */

static const SqlpName *name_at(const HqVec *v, size_t i)
{
    assert_true(i < v->n);
    return v->items[i];
}

static void expect_name(const HqVec *v, size_t i, const char *schema, const char *name, int location)
{
    const SqlpName *n = name_at(v, i);
    if (schema)
        assert_string_equal(n->schema, schema);
    else
        assert_null(n->schema);
    assert_string_equal(n->name, name);
    if (location >= 0)
        assert_int_equal(n->location, location);
}

static SqlpRefs expr(void **state, const char *text)
{
    SqlpRefs refs = {0};
    SqlpError err;
    bool ok = sqlp_parse_expr(*state, text, &refs, &err);
    if (!ok)
        print_error("sqlp_parse_expr(\"%s\"): %s\n", text, err.message);
    assert_true(ok);
    return refs;
}

static void test_expr_refs(void **state)
{
    SqlpRefs r = expr(state, "tenant_id = current_tenant_id()");
    assert_int_equal(r.functions.n, 1);
    expect_name(&r.functions, 0, NULL, "current_tenant_id", 12);
    assert_int_equal(r.columns.n, 1);
    expect_name(&r.columns, 0, NULL, "tenant_id", 0);

    r = expr(state, "lower(email) = 'x' AND public.f(t.a, b) > 0");
    assert_int_equal(r.functions.n, 2);
    expect_name(&r.functions, 0, NULL, "lower", 0);
    expect_name(&r.functions, 1, "public", "f", 23);
    assert_int_equal(r.columns.n, 3);
    expect_name(&r.columns, 0, NULL, "email", 6);
    expect_name(&r.columns, 1, "t", "a", 32);
    expect_name(&r.columns, 2, NULL, "b", 37);
    assert_int_equal(r.strings.n, 0);  /* 'x' is not cast */

    r = expr(state, "pg_catalog.now()");
    expect_name(&r.functions, 0, NULL, "now", 0);

    r = expr(state, "now()");
    assert_int_equal(r.columns.n, 0);
    r = expr(state, "42");
    assert_int_equal(r.functions.n + r.columns.n + r.types.n + r.strings.n, 0);
}

static void test_expr_enum_literals(void **state)
{
    SqlpRefs r = expr(state, "status = 'todo'::task_status OR status IN ('done'::public.task_status)");
    assert_int_equal(r.types.n, 2);
    expect_name(&r.types, 0, NULL, "task_status", -1);
    expect_name(&r.types, 1, "public", "task_status", -1);
    assert_int_equal(r.strings.n, 2);
    expect_name(&r.strings, 0, "task_status", "todo", 9);
    expect_name(&r.strings, 1, "task_status", "done", 43);
    /* CAST(... AS ...) is the same node. */
    r = expr(state, "CAST('x' AS kind)");
    expect_name(&r.strings, 0, "kind", "x", 5);
    /* A cast to an array type is not an enum literal. */
    r = expr(state, "'{a,b}'::kind[]");
    assert_int_equal(r.types.n, 1);
    assert_int_equal(r.strings.n, 0);
    /* Nor a cast of a non-string. */
    r = expr(state, "1::bigint");
    assert_int_equal(r.strings.n, 0);
}

static void test_expr_subquery(void **state)
{
    SqlpRefs r = expr(state, "EXISTS (SELECT 1 FROM public.members m WHERE m.user_id = auth.uid())");
    assert_int_equal(r.tables.n, 1);
    expect_name(&r.tables, 0, "public", "members", 22);
    expect_name(&r.functions, 0, "auth", "uid", 57);
    expect_name(&r.columns, 0, "m", "user_id", 45);
}

/* A call inside a sub-select without FROM runs once per statement (the lint
 * auth_rls_initplan); inside a correlated EXISTS it runs per row. */
static void test_expr_initplan(void **state)
{
    SqlpRefs r = expr(state, "user_id = (SELECT auth.uid())");
    expect_name(&r.functions, 0, "auth", "uid", 18);
    assert_true(name_at(&r.functions, 0)->in_subquery);
    r = expr(state, "user_id = auth.uid()");
    assert_false(name_at(&r.functions, 0)->in_subquery);
    r = expr(state, "EXISTS (SELECT 1 FROM public.members m WHERE m.user_id = auth.uid())");
    assert_false(name_at(&r.functions, 0)->in_subquery);
}

static void expect_bad_expr(void **state, const char *text, const char *message, size_t offset)
{
    SqlpRefs refs = {0};
    SqlpError err;
    assert_false(sqlp_parse_expr(*state, text, &refs, &err));
    assert_non_null(err.message);
    if (message)
        assert_string_equal(err.message, message);
    assert_int_equal(err.offset, offset);
}

static void test_expr_errors(void **state)
{
    /* Offsets are into the fragment, not into "SELECT <fragment>". */
    expect_bad_expr(state, "a = = b", "syntax error at or near \"=\"", 4);
    expect_bad_expr(state, "1 2", "syntax error at or near \"2\"", 2);
    expect_bad_expr(state, "lower(email", "syntax error at end of input", 11);
    expect_bad_expr(state, "status IN ('a', 'b'", "syntax error at end of input", 19);
    expect_bad_expr(state, "'unterminated", "unterminated quoted string at or near \"'unterminated\"", 0);
    /* Valid SQL that is not one expression. */
    expect_bad_expr(state, "1; DROP TABLE t", "expected a single expression", 0);
    expect_bad_expr(state, "a, b", "expected a single expression", 0);
    expect_bad_expr(state, "x FROM t", "expected a single expression", 0);
    expect_bad_expr(state, "1 UNION SELECT 2", "expected a single expression", 0);
}

/* ---- index elements ----------------------------------------------------------- */

static SqlpIndexElem elem(void **state, const char *text, SqlpRefs *refs)
{
    SqlpIndexElem e;
    SqlpError err;
    bool ok = sqlp_parse_index_elem(*state, text, &e, refs, &err);
    if (!ok)
        print_error("sqlp_parse_index_elem(\"%s\"): %s\n", text, err.message);
    assert_true(ok);
    return e;
}

static void test_index_elems(void **state)
{
    SqlpIndexElem e = elem(state, "created_at", NULL);
    assert_string_equal(e.column, "created_at");
    assert_false(e.desc || e.nulls_first || e.nulls_last);
    assert_null(e.opclass);

    e = elem(state, "created_at DESC", NULL);
    assert_true(e.desc);
    assert_false(e.nulls_last);

    e = elem(state, "created_at DESC NULLS LAST", NULL);
    assert_true(e.desc && e.nulls_last);
    assert_false(e.nulls_first);

    e = elem(state, "due_at ASC NULLS FIRST", NULL);
    assert_false(e.desc);
    assert_true(e.nulls_first);

    e = elem(state, "embedding vector_cosine_ops", NULL);
    assert_string_equal(e.column, "embedding");
    assert_string_equal(e.opclass, "vector_cosine_ops");

    e = elem(state, "embedding extensions.vector_cosine_ops", NULL);
    assert_string_equal(e.opclass, "vector_cosine_ops");

    e = elem(state, "name text_pattern_ops DESC", NULL);
    assert_string_equal(e.opclass, "text_pattern_ops");
    assert_true(e.desc);
}

static void test_index_expressions(void **state)
{
    SqlpRefs refs = {0};
    SqlpIndexElem e = elem(state, "lower(email)", &refs);
    assert_null(e.column);
    expect_name(&refs.functions, 0, NULL, "lower", 0);
    expect_name(&refs.columns, 0, NULL, "email", 6);

    SqlpRefs refs2 = {0};
    e = elem(state, "(a + b) DESC", &refs2);
    assert_null(e.column);
    assert_true(e.desc);
    assert_int_equal(refs2.columns.n, 2);
    expect_name(&refs2.columns, 0, NULL, "a", 1);
    expect_name(&refs2.columns, 1, NULL, "b", 5);

    SqlpRefs refs3 = {0};
    e = elem(state, "coalesce(title, '') gin_trgm_ops", &refs3);
    assert_null(e.column);
    assert_string_equal(e.opclass, "gin_trgm_ops");
}

static void test_index_errors(void **state)
{
    SqlpIndexElem e;
    SqlpError err;
    assert_false(sqlp_parse_index_elem(*state, "a DESC LAST", &e, NULL, &err));
    assert_string_equal(err.message, "syntax error at or near \"LAST\"");
    assert_int_equal(err.offset, 7);
    /* "a DESCC" is column a with operator class descc, not an error. */
    e = elem(state, "a DESCC", NULL);
    assert_string_equal(e.opclass, "descc");
    assert_false(sqlp_parse_index_elem(*state, "a, b", &e, NULL, &err));
    assert_string_equal(err.message, "expected one index key element");
    assert_false(sqlp_parse_index_elem(*state, "lower(", &e, NULL, &err));
    assert_true(err.offset <= strlen("lower("));
}

/* ---- statements ----------------------------------------------------------------- */

static void test_statements(void **state)
{
    SqlpRefs refs = {0};
    SqlpError err;
    size_t n;
    const SqlpStatement *st;
    assert_true(sqlp_parse_statements(*state, "UPDATE public.workspace SET settings = '{}' WHERE NOT settings ? 'm'",
                                      &refs, &n, &st, &err));
    assert_int_equal(n, 1);
    assert_string_equal(st[0].kind, "update_stmt");
    assert_int_equal(st[0].offset, 0);
    expect_name(&refs.tables, 0, "public", "workspace", 7);
    expect_name(&refs.columns, 0, NULL, "settings", 54);

    /* Each statement's offset is that of its first token. */
    assert_true(sqlp_parse_statements(*state, "SELECT 1;  INSERT INTO t VALUES (1);\n-- c\n/* d */ DELETE FROM t", NULL,
                                      &n, &st, &err));
    assert_int_equal(n, 3);
    assert_string_equal(st[0].kind, "select_stmt");
    assert_string_equal(st[1].kind, "insert_stmt");
    assert_int_equal(st[1].offset, 11);
    assert_string_equal(st[2].kind, "delete_stmt");
    assert_int_equal(st[2].offset, 50);

    assert_true(sqlp_parse_statements(*state, "-- nothing", NULL, &n, NULL, &err));
    assert_int_equal(n, 0);

    assert_false(sqlp_parse_statements(*state, "SELECT 1;\nSELEC 2", NULL, &n, &st, &err));
    assert_string_equal(err.message, "syntax error at or near \"SELEC\"");
    assert_int_equal(err.offset, 10);
}

static void test_multibyte_offsets(void **state)
{
    /* PostgreSQL reports error positions in characters and node locations
     * in bytes; both come back as byte offsets into the fragment. */
    expect_bad_expr(state, "'\xc3\xa9' = = b", "syntax error at or near \"=\"", 7);
    SqlpRefs r = expr(state, "'\xc3\xa9' || f(x)");
    expect_name(&r.functions, 0, NULL, "f", 8);
    expect_name(&r.columns, 0, NULL, "x", 10);
}

static void test_plpgsql(void **state)
{
    static const char head[] = "CREATE OR REPLACE FUNCTION f() RETURNS integer LANGUAGE plpgsql AS $fn$";
    SqlpError err;
    char sql[512];
    snprintf(sql, sizeof sql, "%sBEGIN\n  RETURN 1;\nEND$fn$", head);
    assert_true(sqlp_parse_plpgsql(*state, sql, strlen(head), &err));
    assert_null(err.message);

    /* An error on the body's third line: the offset is inside the body. */
    const char *body = "BEGIN\n  x := 1;\n  RETURN 1 +;\nEND";
    snprintf(sql, sizeof sql, "%s%s$fn$", head, body);
    assert_false(sqlp_parse_plpgsql(*state, sql, strlen(head), &err));
    assert_non_null(err.message);
    assert_true(err.offset <= strlen(body));
    assert_true(err.offset >= (size_t)(strstr(body, "  RETURN") - body));
}

/* Names inside a PL/pgSQL body: statements, expressions, assignments,
 * variable types; WITH names and FOR UPDATE OF aliases are no relations. */
static void test_plpgsql_refs(void **state)
{
    static const char head[] = "CREATE OR REPLACE FUNCTION f() RETURNS integer LANGUAGE plpgsql AS $fn$";
    const char *body = "DECLARE\n  r public.tasks%ROWTYPE;\n  n integer;\nBEGIN\n"
                       "  n := public.current_tenant_id_count();\n"
                       "  WITH c AS (SELECT 1) SELECT count(*) INTO n FROM c, notes;\n"
                       "  PERFORM 1 FROM public.tasks t FOR UPDATE OF t;\n"
                       "  RETURN n;\nEND";
    char sql[1024];
    snprintf(sql, sizeof sql, "%s%s$fn$", head, body);
    SqlpRefs r = {0};
    SqlpError err;
    assert_true(sqlp_plpgsql_refs(*state, sql, strlen(head), &r, &err));
    bool tenant = false, notes = false, tasks = false, cte = false, rowtype = false, alias = false;
    for (size_t i = 0; i < r.functions.n; i++)
        if (!strcmp(name_at(&r.functions, i)->name, "current_tenant_id_count")) {
            tenant = true;
            /* the location is the call's, inside the body */
            assert_int_equal(name_at(&r.functions, i)->location, (int)(strstr(body, "public.current") - body));
        }
    for (size_t i = 0; i < r.tables.n; i++) {
        const SqlpName *n = name_at(&r.tables, i);
        notes |= !strcmp(n->name, "notes") && !n->schema;
        tasks |= !strcmp(n->name, "tasks") && n->schema && !strcmp(n->schema, "public");
        alias |= !strcmp(n->name, "t");
    }
    for (size_t i = 0; i < r.ctes.n; i++)
        cte |= !strcmp(name_at(&r.ctes, i)->name, "c");
    for (size_t i = 0; i < r.types.n; i++)
        rowtype |= !strcmp(name_at(&r.types, i)->name, "tasks");
    assert_true(tenant);
    assert_true(notes);
    assert_true(tasks);
    assert_true(cte);
    assert_true(rowtype);
    assert_false(alias);
}

static void test_fingerprint(void **state)
{
    (void)state;
    unsigned long long a = sqlp_fingerprint("SELECT a FROM t WHERE b = 1");
    assert_true(a != 0);
    assert_true(a == sqlp_fingerprint("select a\n  from t\n where b = 1"));
    assert_true(a != sqlp_fingerprint("SELECT c FROM t WHERE b = 1"));
    assert_true(sqlp_fingerprint("SELEC nothing") == 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_types_normalized),  T(test_types_typmods),   T(test_types_arrays_and_schemas),
        T(test_types_invalid),     T(test_expr_refs),       T(test_expr_enum_literals),
        T(test_expr_subquery),     T(test_expr_errors),     T(test_index_elems),
        T(test_index_expressions), T(test_index_errors),    T(test_statements),
        T(test_multibyte_offsets), T(test_plpgsql),         T(test_fingerprint),
        T(test_expr_initplan),     T(test_plpgsql_refs),
    };
#undef T
    return cmocka_run_group_tests_name("sqlparse", tests, NULL, group_teardown);
}
