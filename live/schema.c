/* schema.c - compile SCHEMA_DIR in memory for the live commands, exactly as
 * `hqc build` does (same stages and lints, same units), without writing
 * anything. */
#include "live/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "check/check.h"
#include "lint/lint.h"
#include "model/build.h"

int live_schema_load(const char *spec, bool split, LiveSchema *s)
{
    memset(s, 0, sizeof *s);
    int rc = source_open(spec, NULL, &s->source);
    if (rc)
        return rc;
    diag_init();
    s->arena = arena_create();
    int io = build_model(s->arena, s->source.dir, &s->model);
    unsigned lint_errors = 0;
    if (!io) {
        check_model(&s->model);
        /* What hqc build refuses, apply refuses too (lint errors). */
        if (!diag_error_count()) {
            LintResult lr;
            LintOptions lo = {false, false};
            lint_model(&s->model, &lr);
            lint_errors = lint_report(&lr, &lo);
        }
    }
    unsigned errors = diag_error_count() + lint_errors;
    diag_flush();
    if (io)
        return 2;
    if (errors) {
        fprintf(stderr, "hqc: %u error%s in the schema; no database touched\n", errors, errors == 1 ? "" : "s");
        return 1;
    }
    s->n_units = emit_sql_units(&s->model, &s->emitted);
    s->units = calloc(s->n_units + 1, sizeof *s->units);
    if (!s->units)
        abort();
    for (size_t i = 0; i < s->n_units; i++) {
        LiveUnit *u = &s->units[i];
        u->name = s->emitted[i].name;
        u->source = s->emitted[i].source;
        u->sql = s->emitted[i].sql;
        u->len = strlen(u->sql);
        sha256_hex(u->sql, u->len, u->checksum);
        char *err = NULL;
        if (split && live_split(u->sql, &u->split, &err)) {
            /* The compiler emitted SQL that does not scan: a bug in hqc. */
            fprintf(stderr, "hqc: internal error: unit %s does not split into statements: %s\n", u->name, err);
            free(err);
            return 2;
        }
    }
    return 0;
}

void live_schema_free(LiveSchema *s)
{
    for (size_t i = 0; s->units && i < s->n_units; i++)
        live_split_free(&s->units[i].split);
    free(s->units);
    emit_sql_units_free(s->emitted, s->n_units);
    arena_destroy(s->arena);
    diag_reset();
    source_close(&s->source);
    memset(s, 0, sizeof *s);
}
