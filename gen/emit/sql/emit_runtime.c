/* emit_runtime.c - the first migration unit, 000_hqc: hqc's runtime
 * (templates/sql_runtime*.sql.in, installed only when its version differs)
 * and the manifest of what the schema declares (replaced only when it
 * differs), so that a run of an unchanged schema executes no DDL. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/tmpl.h"
#include "emit/emit.h"
#include "emit/sql/emit_sql_int.h"

/* The runtime in the order it is installed: basics, probes and dependents;
 * tables and what is on them; functions, views and schema-wide objects. */
static const char *const runtime_parts[] = {"sql_runtime.sql.in", "sql_runtime_tables.sql.in",
                                            "sql_runtime_objects.sql.in"};
#define N_PARTS (sizeof runtime_parts / sizeof runtime_parts[0])

/* FNV-1a, 64 bits: a content hash for version checks (not a security
 * boundary), continued from h. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    return h;
}
#define FNV_START 0xcbf29ce484222325u

static void hex16(uint64_t h, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static void fnv_hex(const char *s, char out[17])
{
    hex16(fnv(FNV_START, s), out);
}

const char *emit_runtime_version(void)
{
    static char version[17];
    if (!version[0]) {
        uint64_t h = FNV_START;
        for (size_t k = 0; k < N_PARTS; k++)
            for (size_t i = 0; i < tmpl_n_files; i++)
                if (!strcmp(tmpl_files[i].name, runtime_parts[k]))
                    h = fnv(h, tmpl_files[i].text);
        hex16(h, version);
    }
    return version;
}

/* ---- the manifest ----------------------------------------------------------- */

typedef struct {
    StrBuf *b;
    size_t n;
} Rows;

static void row(Rows *r, const char *tbl, char kind, const char *name)
{
    strbuf_puts(r->b, r->n++ ? ",\n  (" : "\n  (");
    sqlbuf_literal(r->b, tbl);
    strbuf_printf(r->b, ", '%c', ", kind);
    sqlbuf_literal(r->b, name);
    strbuf_putc(r->b, ')');
}

static void names(Rows *r, const char *tbl, char kind, const HqVec *objects)
{
    for (size_t i = 0; i < objects->n; i++)
        row(r, tbl, kind, *(const char *const *)objects->items[i]);
}

static void table_rows(Rows *r, const HqTable *t)
{
    if (!t->platform) {
        row(r, "", 'r', t->qname);
        names(r, t->qname, 'c', &t->columns);
    }
    names(r, t->qname, 'k', &t->constraints);
    names(r, t->qname, 'i', &t->indexes);
    names(r, t->qname, 't', &t->triggers);
    names(r, t->qname, 'p', &t->policies);
}

static void setting(StrBuf *b, size_t *n, const char *key, const char *const *values, size_t n_values)
{
    strbuf_puts(b, (*n)++ ? ",\n  (" : "\n  (");
    sqlbuf_literal(b, key);
    strbuf_puts(b, ", ARRAY[");
    for (size_t i = 0; i < n_values; i++) {
        strbuf_puts(b, i ? ", " : "");
        sqlbuf_literal(b, values[i]);
    }
    strbuf_puts(b, n_values ? "])" : "]::text[])");
}

/* The statements that replace manifest and settings. */
static void manifest(const HqModel *m, StrBuf *b)
{
    Rows r = {b, 0};
    strbuf_puts(b, "DELETE FROM hqc.manifest;\nINSERT INTO hqc.manifest (tbl, kind, name) VALUES");
    for (size_t i = 0; i < m->tables.n; i++)
        table_rows(&r, m->tables.items[i]);
    for (size_t i = 0; i < m->platform_tables.n; i++)
        table_rows(&r, m->platform_tables.items[i]);
    StrBuf sig;
    strbuf_init(&sig);
    for (size_t i = 0; i < m->functions.n; i++) {
        const HqFunction *f = m->functions.items[i];
        if (f->platform)
            continue;
        strbuf_reset(&sig);
        sqlbuf_function_signature(&sig, f);
        row(&r, "", 'f', sig.data);
    }
    strbuf_free(&sig);
    for (size_t i = 0; i < m->views.n; i++)
        row(&r, "", 'v', ((const HqView *)m->views.items[i])->qname);
    for (size_t i = 0; i < m->enums.n; i++) {
        const HqEnum *en = m->enums.items[i];
        row(&r, "", 'n', en->qname);
        names(&r, en->qname, 'e', &en->values);
    }
    for (size_t i = 0; i < m->cron_jobs.n; i++)
        row(&r, "", 'j', ((const HqCronJob *)m->cron_jobs.items[i])->name);
    /* Objects an explicit change drops (x): left to that change, which says
     * so itself, rather than pruned or reported as undeclared. Index names
     * are unique per schema, so their drops name no table. */
    for (size_t i = 0; i < m->changes.n; i++) {
        const HqChange *c = m->changes.items[i];
        const char *tbl = !c->table ? ""
                          : strchr(c->table, '.') ? c->table
                                                  : arena_printf(m->arena, "%s.%s", m->project.schema, c->table);
        switch (c->kind) {
        case HQ_CHG_DROP_COLUMN:
        case HQ_CHG_DROP_CONSTRAINT:
        case HQ_CHG_DROP_TRIGGER:
            row(&r, tbl, 'x', c->name);
            break;
        case HQ_CHG_DROP_INDEX:
            row(&r, "", 'x', c->name);
            break;
        case HQ_CHG_DROP_POLICY:
            for (size_t k = 0; k < c->n_tables; k++)
                row(&r, strchr(c->tables[k], '.') ? c->tables[k]
                                                  : arena_printf(m->arena, "%s.%s", m->project.schema, c->tables[k]),
                    'x', c->name);
            break;
        default:
            break;
        }
    }
    if (!r.n)
        strbuf_puts(b, "\n  ('', 'r', '')");
    strbuf_puts(b, ";\nINSERT INTO hqc.settings (key, value) VALUES");
    size_t n = 0;
    setting(b, &n, "schema", &m->project.schema, 1);
    setting(b, &n, "publication", &m->project.realtime_publication, m->project.realtime_publication ? 1 : 0);
    const char **roles = arena_alloc(m->arena, (m->project.roles.n + 1) * sizeof *roles);
    for (size_t i = 0; i < m->project.roles.n; i++)
        roles[i] = ((const HqRole *)m->project.roles.items[i])->name;
    roles[m->project.roles.n] = "public";
    setting(b, &n, "roles", roles, m->project.roles.n + 1);
    const HqVec *unmanaged[] = {&m->project.unmanaged_indexes, &m->project.unmanaged_constraints,
                                &m->project.unmanaged_triggers, &m->project.unmanaged_policies};
    static const char *const keys[] = {"unmanaged_i", "unmanaged_k", "unmanaged_t", "unmanaged_p"};
    for (size_t k = 0; k < 4; k++)
        setting(b, &n, keys[k], (const char *const *)unmanaged[k]->items, unmanaged[k]->n);
    strbuf_puts(b, "\nON CONFLICT (key) DO UPDATE SET value = excluded.value;\n");
}

char *emit_sql_runtime(const HqModel *m)
{
    StrBuf b, runtime, list;
    strbuf_init(&b);
    strbuf_init(&runtime);
    strbuf_init(&list);
    /* The project's search path, as the inside of a standard SQL literal. */
    StrBuf path, path_lit;
    strbuf_init(&path);
    strbuf_init(&path_lit);
    emit_search_path(&path, m);
    for (const char *p = path.data; *p; p++)
        strbuf_puts(&path_lit, *p == '\'' ? "''" : (char[]){*p, '\0'});
    /* (Part 1 names the version; parts 1 and 3 run SQL with the search path.) */
    TmplVar vars[] = {{"version", emit_runtime_version()}, {"search_path", path_lit.data}};
    tmpl_render(&runtime, runtime_parts[0], vars, 2);
    tmpl_render(&runtime, runtime_parts[1], NULL, 0);
    tmpl_render(&runtime, runtime_parts[2], vars + 1, 1);
    strbuf_free(&path);
    manifest(m, &list);
    char hash[17];
    fnv_hex(list.data, hash);
    strbuf_printf(&list, "INSERT INTO hqc.settings (key, value) VALUES ('manifest', ARRAY['%s'])\n"
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value;\n", hash);

    strbuf_puts(&b, "-- Generated by hqc. DO NOT EDIT.\n");
    strbuf_printf(&b, "-- hqc's runtime for the migrations of project %s: the functions of schema hqc that\n",
                  m->project.name ? m->project.name : "");
    strbuf_puts(&b, "-- every migration calls to compare what it declares with the database and change only\n"
                    "-- what differs, and the manifest of everything the schema declares. Apply it first; it\n"
                    "-- installs the runtime only when its version differs, so a re-run changes nothing.\n\n");
    emit_settings(&b, m, NULL);
    strbuf_puts(&b, "\nBEGIN;\nDO $hqc$\nDECLARE\n  runtime text := ");
    sqlbuf_dollar(&b, runtime.data, "runtime");
    strbuf_puts(&b, ";\n  manifest text := ");
    sqlbuf_dollar(&b, list.data, "manifest");
    strbuf_puts(&b, ";\n  current boolean := false;\n  validate text := pg_catalog.current_setting('check_function_bodies');\n"
                    "  f record;\nBEGIN\n"
                    "  PERFORM pg_catalog.pg_advisory_xact_lock(7525905303963959296);\n"
                    "  IF pg_catalog.to_regnamespace('hqc') IS NULL THEN\n    CREATE SCHEMA hqc;\n  END IF;\n"
                    "  IF pg_catalog.to_regprocedure('hqc.version()') IS NOT NULL THEN\n"
                    "    current := hqc.version() = ");
    sqlbuf_literal(&b, emit_runtime_version());
    strbuf_puts(&b, ";\n  END IF;\n"
                    "  IF NOT current THEN\n"
                    "    -- Another version: its functions go (their arguments may differ), and so does what\n"
                    "    -- it remembered (a cache; the next run compares everything once).\n"
                    "    FOR f IN SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p\n"
                    "              WHERE p.pronamespace = 'hqc'::regnamespace LOOP\n"
                    "      EXECUTE pg_catalog.format('DROP ROUTINE %s', f.fn);\n"
                    "    END LOOP;\n"
                    "    DROP TABLE IF EXISTS hqc.object_state;\n"
                    "    -- (hqc's own code, tested: its bodies are not validated again)\n"
                    "    PERFORM pg_catalog.set_config('check_function_bodies', 'off', true);\n"
                    "    EXECUTE runtime;\n"
                    "    PERFORM pg_catalog.set_config('check_function_bodies', validate, true);\n"
                    "  END IF;\n"
                    "  IF hqc.setting('manifest') IS DISTINCT FROM ARRAY[");
    sqlbuf_literal(&b, hash);
    strbuf_puts(&b, "] THEN\n    EXECUTE manifest;\n  END IF;\nEND\n$hqc$;\nCOMMIT;\n");
    strbuf_free(&runtime);
    strbuf_free(&list);
    strbuf_free(&path_lit);
    return strbuf_steal(&b);
}
