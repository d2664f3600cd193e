/* emit_changes.c - explicit changes (model.h, HqChange) as migration SQL.
 *
 * Every change is one DO block: IF the catalog still shows the old state
 * THEN change it (and say so in a NOTICE) END IF. The condition is false
 * once the step has run and on a fresh install, which makes the step
 * once-only without a ledger table: the catalog is the record. */
#include "emit/sql/emit_changes.h"

#include <stdio.h>
#include <string.h>

#include "base/sqlbuf.h"
#include "base/tmpl.h"

typedef struct {
    const HqModel *m;
    StrBuf *b;
    HqArena *a;
} Out;

/* `s` through one of sqlbuf's quoting routines, as an arena string. */
static const char *quoted(Out *o, void (*quote)(StrBuf *, const char *), const char *s)
{
    StrBuf b;
    strbuf_init(&b);
    quote(&b, s);
    const char *r = arena_strdup(o->a, b.data);
    strbuf_free(&b);
    return r;
}

static const char *lit(Out *o, const char *s)
{
    return quoted(o, sqlbuf_literal, s);
}

static const char *ident(Out *o, const char *s)
{
    return quoted(o, sqlbuf_ident, s);
}

/* "tasks" -> public.tasks; "storage.objects" stays. */
static const char *qualify(Out *o, const char *name)
{
    return strchr(name, '.') ? name : arena_printf(o->a, "%s.%s", o->m->project.schema, name);
}

static const char *qident(Out *o, const char *name)
{
    return quoted(o, sqlbuf_qualified, qualify(o, name));
}

static const char *relation_exists(Out *o, const char *name)
{
    return arena_printf(o->a, "pg_catalog.to_regclass(%s) IS NOT NULL", lit(o, qualify(o, name)));
}

static const char *relation_absent(Out *o, const char *name)
{
    return arena_printf(o->a, "pg_catalog.to_regclass(%s) IS NULL", lit(o, qualify(o, name)));
}

static const char *column_exists(Out *o, const char *table, const char *column)
{
    return arena_printf(o->a,
                        "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass(%s)"
                        " AND attname = %s AND attnum > 0 AND NOT attisdropped)",
                        lit(o, qualify(o, table)), lit(o, column));
}

static const char *enum_has(Out *o, const char *enm, const char *label)
{
    return arena_printf(o->a,
                        "EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = pg_catalog.to_regtype(%s)"
                        " AND enumlabel = %s)",
                        lit(o, qualify(o, enm)), lit(o, label));
}

/* One guarded step. `body` holds PL/pgSQL statements, each line indented
 * by four spaces; `declare` optional variable declarations, `prelude`
 * statements that compute the condition. */
static void step_with(Out *o, const HqChange *c, const char *title, const char *declare, const char *prelude,
                      const char *cond, const char *body)
{
    StrBuf do_body;
    strbuf_init(&do_body);
    strbuf_putc(&do_body, '\n');
    if (declare)
        strbuf_printf(&do_body, "DECLARE\n%s", declare);
    /* hqc drift (report mode) records a pending step instead of running it. */
    strbuf_printf(&do_body, "BEGIN\n%s  IF %s THEN\n    IF hqc.reporting() THEN\n      PERFORM hqc.report('change', 'change', ",
                  prelude ? prelude : "", cond);
    sqlbuf_literal(&do_body, title);
    strbuf_puts(&do_body, ", NULL, NULL, ");
    sqlbuf_literal(&do_body, arena_printf(o->a, "change of module %s", c->module->name));
    strbuf_printf(&do_body, ");\n      RETURN;\n    END IF;\n%s", body);
    sqlbuf_notice(&do_body, "    ", arena_printf(o->a, "hqc: %s (change of module %s)", title, c->module->name));
    strbuf_puts(&do_body, "  END IF;\nEND\n");
    strbuf_printf(o->b, "-- Change: %s\n", title);
    if (c->doc) {
        strbuf_puts(o->b, "-- ");
        for (const char *p = c->doc; *p; p++) {
            strbuf_putc(o->b, *p == '\n' && p[1] ? ' ' : *p);
            if (*p == '\n')
                break;
        }
        if (o->b->data[o->b->len - 1] != '\n')
            strbuf_putc(o->b, '\n');
    }
    strbuf_puts(o->b, "DO ");
    sqlbuf_dollar(o->b, do_body.data, "hqc");
    strbuf_puts(o->b, ";\n\n");
    strbuf_free(&do_body);
}

static void step(Out *o, const HqChange *c, const char *title, const char *cond, const char *declare,
                 const char *body)
{
    step_with(o, c, title, declare, NULL, cond, body);
}

/* User SQL (a data move) as one EXECUTE per fragment. */
static const char *execute(Out *o, const HqSql *sql)
{
    if (!sql->text)
        return "";
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, "    EXECUTE ");
    sqlbuf_dollar(&b, sql->text, "move");
    strbuf_puts(&b, ";\n");
    const char *r = arena_strdup(o->a, b.data);
    strbuf_free(&b);
    return r;
}

/* A user's condition is evaluated dynamically: one that names a table or
 * column that does not exist (yet, or any more) is false, so a step can
 * test the data of an older version without failing on a fresh install. */
static void sql_step(Out *o, const HqChange *c)
{
    const char *title = c->doc ? arena_strndup(o->a, c->doc, strcspn(c->doc, "\n")) : "data step";
    StrBuf pre;
    strbuf_init(&pre);
    strbuf_puts(&pre, "  BEGIN\n    EXECUTE ");
    sqlbuf_dollar(&pre, arena_printf(o->a, "SELECT (%s)", c->when.text), "when");
    strbuf_puts(&pre, " INTO applies;\n  EXCEPTION WHEN undefined_table OR undefined_column OR undefined_object THEN\n"
                      "    applies := false;\n  END;\n");
    HqChange plain = *c;
    plain.doc = NULL;   /* already the title */
    step_with(o, &plain, title, "  applies boolean;\n", pre.data, "applies", execute(o, &c->sql));
    strbuf_free(&pre);
}

static const char *prefix_renames(Out *o, const char *rel, const char *old_prefix, const char *new_prefix)
{
    char len[32];
    snprintf(len, sizeof len, "%zu", strlen(old_prefix));
    TmplVar vars[] = {{"rel", lit(o, rel)},
                      {"len", len},
                      {"old_prefix", lit(o, old_prefix)},
                      {"new_prefix", lit(o, new_prefix)},
                      {"schema", lit(o, o->m->project.schema)}};
    StrBuf b;
    strbuf_init(&b);
    tmpl_render(&b, "sql_rename_prefix.sql.in", vars, sizeof vars / sizeof vars[0]);
    const char *r = arena_strdup(o->a, b.data);
    strbuf_free(&b);
    return r;
}

static void rename_table(Out *o, const HqChange *c)
{
    const char *cond = arena_printf(o->a, "%s AND %s", relation_exists(o, c->name), relation_absent(o, c->to));
    const char *body = arena_printf(o->a, "    ALTER TABLE %s RENAME TO %s;\n%s", qident(o, c->name), ident(o, c->to),
                                    prefix_renames(o, qualify(o, c->to), arena_printf(o->a, "%s_", c->name),
                                                   arena_printf(o->a, "%s_", c->to)));
    step(o, c, arena_printf(o->a, "rename table %s to %s", c->name, c->to), cond, "  obj record;\n  new_name text;\n",
         body);
}

static void rename_column(Out *o, const HqChange *c)
{
    const char *cond = arena_printf(o->a, "%s AND NOT %s", column_exists(o, c->table, c->name),
                                    column_exists(o, c->table, c->to));
    const char *body = arena_printf(
        o->a, "    ALTER TABLE %s RENAME COLUMN %s TO %s;\n%s", qident(o, c->table), ident(o, c->name), ident(o, c->to),
        prefix_renames(o, qualify(o, c->table), arena_printf(o->a, "%s_%s_", c->table, c->name),
                       arena_printf(o->a, "%s_%s_", c->table, c->to)));
    step(o, c, arena_printf(o->a, "rename column %s.%s to %s", c->table, c->name, c->to), cond,
         "  obj record;\n  new_name text;\n", body);
}

/* The type a column is declared with, tested against the catalog: by type
 * OID, and by the printed form when the declaration has a modifier. */
static const char *type_differs(Out *o, const HqChange *c)
{
    const HqType *t = &c->column_ref->type;
    const char *cond = arena_printf(o->a, "a.atttypid IS DISTINCT FROM pg_catalog.to_regtype(%s)", lit(o, t->sql));
    if (t->typmods && !t->array_dims)
        cond = arena_printf(o->a, "%s OR pg_catalog.format_type(a.atttypid, a.atttypmod) <> "
                                  "pg_catalog.format_type(a.atttypid, NULL) || %s",
                            cond, lit(o, arena_printf(o->a, "(%s)", t->typmods)));
    return arena_printf(o->a,
                        "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.to_regclass(%s)"
                        " AND a.attname = %s AND NOT a.attisdropped AND (%s))",
                        lit(o, qualify(o, c->table)), lit(o, c->name), cond);
}

/* The type change itself is a DO block of its own, EXECUTEd only when the
 * condition holds: PL/pgSQL then compiles its long body on the one run that
 * needs it, not on every no-op run. */
static void retype(Out *o, const HqChange *c, const char *title, const char *prelude, const char *cond,
                   const char *columns, bool restore_defaults, const char *change)
{
    StrBuf inner, body;
    strbuf_init(&inner);
    strbuf_init(&body);
    TmplVar vars[] = {{"columns", columns},
                      {"restore_defaults", restore_defaults ? "true" : "false"},
                      {"change", change}};
    tmpl_render(&inner, "sql_retype.sql.in", vars, sizeof vars / sizeof vars[0]);
    strbuf_puts(&body, "    EXECUTE ");
    sqlbuf_dollar(&body, inner.data, "retype_block");
    strbuf_puts(&body, ";\n");
    step_with(o, c, title, prelude ? "  needed boolean := false;\n" : NULL, prelude, cond, body.data);
    strbuf_free(&inner);
    strbuf_free(&body);
}

static void change_type(Out *o, const HqChange *c)
{
    const HqColumn *col = c->column_ref;
    const char *columns = arena_printf(o->a,
                                       "SELECT attrelid, attnum FROM pg_catalog.pg_attribute"
                                       " WHERE attrelid = pg_catalog.to_regclass(%s) AND attname = %s",
                                       lit(o, qualify(o, c->table)), lit(o, c->name));
    StrBuf ch;
    strbuf_init(&ch);
    strbuf_printf(&ch, "    ALTER TABLE %s ALTER COLUMN %s TYPE %s USING (%s);\n", qident(o, c->table),
                  ident(o, c->name), col->type.sql, c->using_sql.text);
    bool not_null;
    HqSql dflt;
    model_column_as_of(col, c->module, &not_null, &dflt);
    if (dflt.text)
        strbuf_printf(&ch, "    ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", qident(o, c->table), ident(o, c->name),
                      dflt.text);
    else
        ch.data[--ch.len] = '\0';
    retype(o, c, arena_printf(o->a, "change type of %s.%s to %s", c->table, c->name, col->type.written),
           NULL, type_differs(o, c), columns, false, ch.data);
    strbuf_free(&ch);
}

/* Labels as a SQL array literal: ARRAY['a', 'b']. */
static const char *label_array(Out *o, const HqEnum *e, const HqModule *by)
{
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, "ARRAY[");
    size_t n = 0;
    for (size_t i = 0; i < e->values.n; i++) {
        const HqEnumValue *v = e->values.items[i];
        if (by && model_module_after(v->module, by))
            continue;
        if (n++)
            strbuf_puts(&b, ", ");
        sqlbuf_literal(&b, v->name);
    }
    strbuf_puts(&b, "]::text[]");
    const char *r = arena_strdup(o->a, b.data);
    strbuf_free(&b);
    return r;
}

static void recreate_enum(Out *o, const HqChange *c)
{
    const HqEnum *e = c->enum_ref;
    const char *type = lit(o, e->qname);
    const char *final_labels = label_array(o, e, NULL);
    const char *labels = label_array(o, e, c->module);
    const char *current = arena_printf(o->a, "SELECT enumlabel::text FROM pg_catalog.pg_enum WHERE enumtypid = "
                                             "pg_catalog.to_regtype(%s)", type);
    /* Recreated when the type holds a value the schema no longer has, or
     * holds its values in another order. */
    /* A cheap test first, false on every run after the upgrade (the type
     * holds exactly the schema's values); PL/pgSQL plans the full test only
     * when it is reached. */
    const char *prelude = arena_printf(
        o->a,
        "  IF pg_catalog.to_regtype(%s) IS NOT NULL AND ARRAY(%s ORDER BY enumsortorder) IS DISTINCT FROM %s THEN\n"
        "    needed := EXISTS (%s AND enumlabel <> ALL (%s)) OR ARRAY(%s ORDER BY enumsortorder) IS DISTINCT FROM\n"
        "              ARRAY(SELECT u.l FROM unnest(%s) WITH ORDINALITY u(l, n) WHERE u.l IN (%s) ORDER BY u.n);\n"
        "  END IF;\n",
        type, current, final_labels, current, final_labels, current, final_labels, current);
    const char *columns = arena_printf(
        o->a,
        "SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class r ON r.oid = a.attrelid"
        " WHERE a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p') AND a.atttypid IN"
        " (pg_catalog.to_regtype(%s), (SELECT typarray FROM pg_catalog.pg_type WHERE oid = pg_catalog.to_regtype(%s)))",
        type, type);
    const char *new_type = arena_printf(o->a, "%s__hqc_new", e->qname);
    StrBuf map_scalar, map_array, kept;
    strbuf_init(&map_scalar);
    strbuf_init(&map_array);
    strbuf_init(&kept);
    strbuf_puts(&map_array, "%1$I::text[]");
    strbuf_puts(&kept, labels);
    for (size_t i = 0; i < c->n_map; i++) {
        strbuf_printf(&map_scalar, " WHEN %s THEN %s", lit(o, c->map[i].from), lit(o, c->map[i].to));
        StrBuf next;
        strbuf_init(&next);
        strbuf_printf(&next, "array_replace(%s, %s, %s)", map_array.data, lit(o, c->map[i].from), lit(o, c->map[i].to));
        strbuf_reset(&map_array);
        strbuf_puts(&map_array, next.data);
        strbuf_free(&next);
        strbuf_printf(&kept, " || %s::text", lit(o, c->map[i].from));
    }
    /* The USING expressions are format() strings: %1$I is the column, %2$s
     * the new type; quotes doubled for the literal they live in. */
    const char *scalar = c->n_map ? arena_printf(o->a, "(CASE %%1$I::text%s ELSE %%1$I::text END)::%%2$s", map_scalar.data)
                                  : "%1$I::text::%2$s";
    const char *array = arena_printf(o->a, "(%s)::%%2$s[]", map_array.data);
    StrBuf ch;
    strbuf_init(&ch);
    strbuf_printf(&ch,
                  "    FOR col IN SELECT a.attrelid::regclass AS rel, a.attname, t.typcategory = 'A' AS is_array\n"
                  "                 FROM (%s) cols\n"
                  "                 JOIN pg_catalog.pg_attribute a USING (attrelid, attnum)\n"
                  "                 JOIN pg_catalog.pg_type t ON t.oid = a.atttypid LOOP\n"
                  "      EXECUTE format(CASE WHEN col.is_array\n"
                  "               THEN 'SELECT string_agg(DISTINCT u::text, '', '') FROM %%s, unnest(%%I) u WHERE u::text <> ALL ($1)'\n"
                  "               ELSE 'SELECT string_agg(DISTINCT %%2$I::text, '', '') FROM %%1$s WHERE %%2$I::text <> ALL ($1)' END,\n"
                  "               col.rel, col.attname) INTO bad USING %s;\n"
                  "      IF bad IS NOT NULL THEN\n"
                  "        RAISE EXCEPTION 'hqc: cannot recreate enum %s: %%.%% holds %% that the new type lacks', col.rel, col.attname, bad\n"
                  "          USING HINT = 'map each removed value to a kept one (recreate_enum: map:)';\n"
                  "      END IF;\n"
                  "    END LOOP;\n",
                  columns, kept.data, e->name);
    /* CREATE TYPE takes literals only: built from the label array. */
    strbuf_printf(&ch,
                  "    EXECUTE format('CREATE TYPE %%s AS ENUM (%%s)', %s,\n"
                  "                   (SELECT string_agg(quote_literal(l), ', ' ORDER BY n) FROM unnest(%s) WITH ORDINALITY u(l, n)));\n",
                  lit(o, new_type), labels);
    strbuf_printf(&ch,
                  "    FOR col IN SELECT a.attrelid::regclass AS rel, a.attname, t.typcategory = 'A' AS is_array\n"
                  "                 FROM (%s) cols\n"
                  "                 JOIN pg_catalog.pg_attribute a USING (attrelid, attnum)\n"
                  "                 JOIN pg_catalog.pg_type t ON t.oid = a.atttypid LOOP\n"
                  "      EXECUTE format('ALTER TABLE %%s ALTER COLUMN %%I TYPE %%s USING ', col.rel, col.attname,\n"
                  "                     %s || CASE WHEN col.is_array THEN '[]' ELSE '' END)\n"
                  "           || format(CASE WHEN col.is_array THEN %s ELSE %s END, col.attname, %s);\n"
                  "    END LOOP;\n"
                  "    DROP TYPE %s;\n"
                  "    ALTER TYPE %s RENAME TO %s;",
                  columns, lit(o, new_type), lit(o, array), lit(o, scalar), lit(o, new_type), qident(o, e->name),
                  qident(o, new_type), ident(o, e->name));
    retype(o, c, arena_printf(o->a, "recreate enum %s", e->name), prelude, "needed", columns, true, ch.data);
    strbuf_free(&ch);
    strbuf_free(&map_scalar);
    strbuf_free(&map_array);
    strbuf_free(&kept);
}

/* to_regprocedure() fails on a type that does not exist (a function of an
 * extension type without the extension): the types are tested first, in a
 * parenthesized CASE (PL/pgSQL ends an IF condition at its first bare THEN). */
static const char *function_exists(Out *o, const char *name, const char *args, bool exists)
{
    HqVec types = {0};
    model_split_args(o->a, args, &types);
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, "(CASE WHEN ");
    for (size_t i = 0; i < types.n; i++)
        strbuf_printf(&b, "pg_catalog.to_regtype(%s) IS NULL OR ", lit(o, types.items[i]));
    strbuf_printf(&b, "false THEN %s ELSE pg_catalog.to_regprocedure(%s) IS %sNULL END)", exists ? "false" : "true",
                  lit(o, arena_printf(o->a, "%s%s", qualify(o, name), args)), exists ? "NOT " : "");
    const char *r = arena_strdup(o->a, b.data);
    strbuf_free(&b);
    return r;
}

/* Before a drop: what depends on the object and the schema would drop anyway
 * goes first (NOTICE each); anything else stops the step naming it
 * (hqc.clear_dependents). `obj` is SQL giving the object's OID. */
static const char *clear(Out *o, const char *catalog, const char *obj, const char *sub, const char *what)
{
    return arena_printf(o->a, "    PERFORM hqc.clear_dependents('pg_catalog.%s', %s, %s, %s);\n", catalog, obj, sub,
                        lit(o, what));
}

static const char *attnum_of(Out *o, const char *table, const char *column)
{
    return arena_printf(o->a,
                        "(SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass(%s)"
                        " AND attname = %s)::int",
                        lit(o, qualify(o, table)), lit(o, column));
}

/* One block for all the tables a policy is dropped from. */
static void drop_on_tables(Out *o, const HqChange *c)
{
    StrBuf rels;
    strbuf_init(&rels);
    for (size_t i = 0; i < c->n_tables; i++)
        strbuf_printf(&rels, "%spg_catalog.to_regclass(%s)", i ? ", " : "", lit(o, qualify(o, c->tables[i])));
    const char *query = arena_printf(o->a, "SELECT polrelid::regclass FROM pg_catalog.pg_policy WHERE polname = %s AND polrelid IN (%s)",
                                     lit(o, c->name), rels.data);
    const char *title = c->n_tables == 1 ? arena_printf(o->a, "drop policy \"%s\" on %s", c->name, c->tables[0])
                                         : arena_printf(o->a, "drop policy \"%s\" on %zu tables", c->name, c->n_tables);
    step(o, c, title, arena_printf(o->a, "EXISTS (%s)", query), "  rel regclass;\n",
         arena_printf(o->a, "    FOR rel IN %s LOOP\n      EXECUTE format('DROP POLICY %%I ON %%s', %s, rel);\n    END LOOP;\n",
                      query, lit(o, c->name)));
    strbuf_free(&rels);
}

static void one(Out *o, const HqChange *c)
{
    HqArena *a = o->a;
    switch (c->kind) {
    case HQ_CHG_RENAME_TABLE:
        rename_table(o, c);
        break;
    case HQ_CHG_RENAME_COLUMN:
        rename_column(o, c);
        break;
    case HQ_CHG_RENAME_VALUE:
        step(o, c, arena_printf(a, "rename value %s.%s to %s", c->table, c->name, c->to),
             arena_printf(a, "%s AND NOT %s", enum_has(o, c->table, c->name), enum_has(o, c->table, c->to)), NULL,
             arena_printf(a, "    ALTER TYPE %s RENAME VALUE %s TO %s;\n", qident(o, c->table), lit(o, c->name),
                          lit(o, c->to)));
        break;
    case HQ_CHG_RENAME_FUNCTION: {
        step(o, c, arena_printf(a, "rename function %s%s to %s", c->name, c->args, c->to),
             arena_printf(a, "%s AND %s", function_exists(o, c->name, c->args, true),
                          function_exists(o, c->to, c->args, false)),
             NULL, arena_printf(a, "    ALTER FUNCTION %s%s RENAME TO %s;\n", qident(o, c->name), c->args, ident(o, c->to)));
        break;
    }
    case HQ_CHG_RENAME_TYPE:
        step(o, c, arena_printf(a, "rename type %s to %s", c->name, c->to),
             arena_printf(a, "pg_catalog.to_regtype(%s) IS NOT NULL AND pg_catalog.to_regtype(%s) IS NULL",
                          lit(o, qualify(o, c->name)), lit(o, qualify(o, c->to))),
             NULL, arena_printf(a, "    ALTER TYPE %s RENAME TO %s;\n", qident(o, c->name), ident(o, c->to)));
        break;
    case HQ_CHG_RECREATE_ENUM:
        recreate_enum(o, c);
        break;
    case HQ_CHG_CHANGE_TYPE:
        change_type(o, c);
        break;
    case HQ_CHG_DROP_TABLE:
        step(o, c, arena_printf(a, "drop table %s%s", c->name, c->sql.text ? " (after moving its rows)" : ""),
             relation_exists(o, c->name), NULL,
             arena_printf(a, "%s%s    DROP TABLE %s;\n", execute(o, &c->sql),
                          clear(o, "pg_class", arena_printf(a, "pg_catalog.to_regclass(%s)", lit(o, qualify(o, c->name))), "0",
                                arena_printf(a, "table %s", c->name)),
                          qident(o, c->name)));
        break;
    case HQ_CHG_DROP_COLUMN:
        step(o, c, arena_printf(a, "drop column %s.%s%s", c->table, c->name, c->sql.text ? " (after moving its data)" : ""),
             column_exists(o, c->table, c->name), NULL,
             arena_printf(a, "%s%s    ALTER TABLE %s DROP COLUMN %s;\n", execute(o, &c->sql),
                          clear(o, "pg_class", arena_printf(a, "pg_catalog.to_regclass(%s)", lit(o, qualify(o, c->table))),
                                attnum_of(o, c->table, c->name), arena_printf(a, "column %s.%s", c->table, c->name)),
                          qident(o, c->table), ident(o, c->name)));
        break;
    case HQ_CHG_DROP_FUNCTION:
        step(o, c, arena_printf(a, "drop function %s%s", c->name, c->args),
             function_exists(o, c->name, c->args, true), NULL,
             arena_printf(a, "%s    DROP FUNCTION %s%s;\n",
                          clear(o, "pg_proc",
                                arena_printf(a, "pg_catalog.to_regprocedure(%s)",
                                             lit(o, arena_printf(a, "%s%s", qualify(o, c->name), c->args))),
                                "0", arena_printf(a, "function %s%s", c->name, c->args)),
                          qident(o, c->name), c->args));
        break;
    case HQ_CHG_DROP_TYPE:
        step(o, c, arena_printf(a, "drop type %s", c->name),
             arena_printf(a, "pg_catalog.to_regtype(%s) IS NOT NULL", lit(o, qualify(o, c->name))), NULL,
             arena_printf(a, "%s    DROP TYPE %s;\n",
                          clear(o, "pg_type", arena_printf(a, "pg_catalog.to_regtype(%s)", lit(o, qualify(o, c->name))), "0",
                                arena_printf(a, "type %s", c->name)),
                          qident(o, c->name)));
        break;
    case HQ_CHG_DROP_CONSTRAINT: {
        const char *con = arena_printf(a,
                                       "(SELECT oid FROM pg_catalog.pg_constraint WHERE conrelid = pg_catalog.to_regclass(%s)"
                                       " AND conname = %s)",
                                       lit(o, qualify(o, c->table)), lit(o, c->name));
        const char *what = arena_printf(a, "constraint %s.%s", c->table, c->name);
        step(o, c, arena_printf(a, "drop constraint %s.%s", c->table, c->name), arena_printf(a, "EXISTS %s", con), NULL,
             arena_printf(a, "%s%s    ALTER TABLE %s DROP CONSTRAINT %s;\n", clear(o, "pg_constraint", con, "0", what),
                          clear(o, "pg_class",
                                arena_printf(a, "(SELECT conindid FROM pg_catalog.pg_constraint WHERE oid = %s)", con), "0",
                                what),
                          qident(o, c->table), ident(o, c->name)));
        break;
    }
    case HQ_CHG_DROP_INDEX:
        step(o, c, arena_printf(a, "drop index %s", c->name), relation_exists(o, c->name), NULL,
             arena_printf(a, "%s    DROP INDEX %s;\n",
                          clear(o, "pg_class", arena_printf(a, "pg_catalog.to_regclass(%s)", lit(o, qualify(o, c->name))),
                                "0", arena_printf(a, "index %s", c->name)),
                          qident(o, c->name)));
        break;
    case HQ_CHG_DROP_TRIGGER:
        step(o, c, arena_printf(a, "drop trigger %s on %s", c->name, c->table),
             arena_printf(a,
                          "EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = pg_catalog.to_regclass(%s)"
                          " AND tgname = %s)",
                          lit(o, qualify(o, c->table)), lit(o, c->name)),
             NULL, arena_printf(a, "    DROP TRIGGER %s ON %s;\n", ident(o, c->name), qident(o, c->table)));
        break;
    case HQ_CHG_DROP_POLICY:
        drop_on_tables(o, c);
        break;
    case HQ_CHG_SQL:
        sql_step(o, c);
        break;
    }
}

static bool in_phase(const HqChange *c, ChangePhase phase)
{
    switch (phase) {
    case CHANGES_FIRST:
        return !c->at_end && c->kind != HQ_CHG_CHANGE_TYPE;
    case CHANGES_TYPES:
        return !c->at_end && c->kind == HQ_CHG_CHANGE_TYPE;
    case CHANGES_LAST:
        return c->at_end;
    }
    return false;
}

void emit_changes(StrBuf *b, const HqModel *m, const HqModule *mod, ChangePhase phase)
{
    Out o = {m, b, m->arena};
    for (size_t i = 0; i < mod->changes.n; i++) {
        const HqChange *c = mod->changes.items[i];
        if (in_phase(c, phase))
            one(&o, c);
    }
}
