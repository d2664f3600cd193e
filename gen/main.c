/* main.c - the hqc command line: options, the stages in order, exit status.
 * Exit status: 0 success, 1 schema errors (diagnostics printed), 2 usage or
 * I/O failure. Nothing is written unless every stage succeeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "model/build.h"
#include "check/check.h"
#include "diff/diff.h"
#include "emit/emit.h"
#include "emit/out.h"
#include "lint/lint.h"
#include "load/source.h"
#include "stats.h"
#include "base/strbuf.h"
#include "../live/live.h"

#define HQC_VERSION "0.1.0"

static const char usage_text[] =
    "usage: hqc COMMAND [OPTIONS] SCHEMA_DIR\n"
    "\n"
    "commands:\n"
    "  build [-o OUT] [--check] [--werror] SCHEMA_DIR\n"
    "                                        compile the schema; write OUT/migrations/NNN_name.sql\n"
    "                                        OUT/install.sql and OUT/docs/ (default OUT: out)\n"
    "                                        --check: write nothing, fail if OUT is stale\n"
    "  check [--doc-warnings] [--werror] [--lint-only] [--format text|json] SCHEMA_DIR\n"
    "                                        validate and lint (docs/lints.md); --lint-only: report\n"
    "                                        lint findings only; --format json: findings on stdout\n"
    "  stats SCHEMA_DIR                      object counts (and raw SQL blocks)\n"
    "  diff [--format text|markdown|json] [--fail-on CLASS] OLD NEW\n"
    "                                        semantic changes between two schema versions;\n"
    "                                        OLD/NEW: a directory or git:REV[:PATH]; CLASS: safe,\n"
    "                                        lock, breaking, destructive (exit 1 if any change\n"
    "                                        of that class or a more severe one)\n"
    "\n"
    "options:\n"
    "  --werror         lint warnings are errors (build and check)\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n"
    "\n"
    "exit status: 0 ok, 1 schema errors, 2 usage or I/O error\n";

static int usage_error(const char *msg)
{
    fprintf(stderr, "hqc: %s\n%s", msg, usage_text);
    return 2;
}

typedef struct {
    const char *command;
    const char *schema_dir;
    const char *new_dir;        /* diff: the second schema */
    const char *out_dir;
    bool check_only;
    bool doc_warnings;
    bool werror;
    bool lint_only;
    DiffFormat format;
    int fail_on;                /* DiffClass, or -1 */
} Options;

static int parse_args(int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = "out";
    o->fail_on = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            fputs(live_usage_text, stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("hqc %s\n", HQC_VERSION);
            exit(0);
        } else if (!strcmp(a, "-o")) {
            if (++i == argc)
                return usage_error("-o needs a directory");
            o->out_dir = argv[i];
        } else if (!strcmp(a, "--check")) {
            o->check_only = true;
        } else if (!strcmp(a, "--doc-warnings")) {
            o->doc_warnings = true;
        } else if (!strcmp(a, "--werror")) {
            o->werror = true;
        } else if (!strcmp(a, "--lint-only")) {
            o->lint_only = true;
        } else if (!strcmp(a, "--format")) {
            if (++i == argc)
                return usage_error("--format needs text, markdown or json");
            if (!strcmp(argv[i], "text"))
                o->format = DIFF_TEXT;
            else if (!strcmp(argv[i], "markdown"))
                o->format = DIFF_MARKDOWN;
            else if (!strcmp(argv[i], "json"))
                o->format = DIFF_JSON;
            else
                return usage_error("--format needs text, markdown or json");
        } else if (!strcmp(a, "--fail-on")) {
            if (++i == argc || (o->fail_on = diff_class_parse(argv[i])) < 0)
                return usage_error("--fail-on needs safe, lock, breaking or destructive");
        } else if (a[0] == '-') {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown option \"%s\"", a);
            return usage_error(msg);
        } else if (!o->command) {
            o->command = a;
        } else if (!o->schema_dir) {
            o->schema_dir = a;
        } else if (!o->new_dir && !strcmp(o->command, "diff")) {
            o->new_dir = a;
        } else {
            return usage_error("too many arguments");
        }
    }
    if (!o->command)
        return usage_error("no command given");
    if (strcmp(o->command, "build") && strcmp(o->command, "check") && strcmp(o->command, "stats") &&
        strcmp(o->command, "diff")) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown command \"%s\"", o->command);
        return usage_error(msg);
    }
    if (!o->schema_dir)
        return usage_error("no schema directory given");
    if (!strcmp(o->command, "diff") && !o->new_dir)
        return usage_error("diff needs two schemas: OLD NEW");
    if (strcmp(o->command, "diff") && o->format == DIFF_MARKDOWN)
        return usage_error("--format markdown is for diff; check takes text or json");
    if (o->format == DIFF_JSON && strcmp(o->command, "diff") && strcmp(o->command, "check"))
        return usage_error("--format json is for check and diff");
    if (o->lint_only && strcmp(o->command, "check"))
        return usage_error("--lint-only is for check");
    return 0;
}

/* Emit every output file of the model into `set`. */
static void emit_all(const HqModel *m, OutSet *set)
{
    EmitUnit *units;
    size_t n = emit_sql_units(m, &units);
    StrBuf install;
    strbuf_init(&install);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_putc(&install, '\n');
        strbuf_puts(&install, units[i].sql);
        out_add(set, arena_printf(m->arena, "migrations/%s.sql", units[i].name), units[i].sql);
        units[i].sql = NULL;    /* the set owns it now */
    }
    emit_sql_units_free(units, n);
    out_add(set, "install.sql", strbuf_steal(&install));
    emit_docs(m, set);
    emit_c(m, set);
}

/* Remove (or, for --check, count) generated files the set no longer holds. */
static unsigned prune_stale(const OutSet *set, const char *root, bool dry_run)
{
    static const char *const dirs[][2] = {{"migrations", ".sql"},   {"docs", ".md"},          {"docs/tables", ".md"},
                                          {"docs/functions", ".md"}, {"docs/enums", ".md"},    {"docs/modules", ".md"},
                                          {"docs/cron_jobs", ".md"}, {"docs/views", ".md"},
                                          {"c", ".h"}, {"c", ".c"}};
    unsigned n = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        n += (unsigned)out_prune(set, root, dirs[i][0], dirs[i][1], dry_run);
    return n;
}

/* Build and check one schema source; 0, 1 (errors reported) or 2. */
static int load(HqArena *a, const char *dir, HqModel *m)
{
    int io = build_model(a, dir, m);
    if (!io)
        check_model(m);
    unsigned errors = diag_error_count();
    diag_flush();
    return io ? 2 : errors ? 1 : 0;
}

static int run_diff(const Options *o)
{
    HqSource old_src, new_src;
    int rc = source_open(o->new_dir, NULL, &new_src);
    if (rc)
        return rc;
    rc = source_open(o->schema_dir, new_src.dir, &old_src);
    if (rc) {
        source_close(&new_src);
        return rc;
    }
    HqArena *a = arena_create();
    HqModel old_m, new_m;
    rc = load(a, old_src.dir, &old_m);
    if (!rc)
        rc = load(a, new_src.dir, &new_m);
    if (rc == 1)
        fprintf(stderr, "hqc: the schema has errors; no diff\n");
    if (!rc) {
        DiffResult r;
        diff_models(a, &old_m, &new_m, &r);
        diff_print(&r, o->format, o->format == DIFF_TEXT && isatty(1), o->schema_dir, o->new_dir, stdout);
        for (size_t i = 0; i < r.changes.n && o->fail_on >= 0; i++)
            if ((int)((DiffChange *)r.changes.items[i])->cls >= o->fail_on)
                rc = 1;
        if (rc)
            fprintf(stderr, "hqc: changes of class %s or worse: failing as asked\n",
                    diff_class_name((DiffClass)o->fail_on));
    }
    arena_destroy(a);
    diag_reset();
    source_close(&old_src);
    source_close(&new_src);
    return rc;
}

int main(int argc, char **argv)
{
    /* apply, status: the live side (live/) parses its own options. */
    if (argc > 1 && live_is_command(argv[1]))
        return live_main(argc, argv, HQC_VERSION);
    Options o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    diag_init();
    if (!strcmp(o.command, "diff"))
        return run_diff(&o);
    HqArena *a = arena_create();
    HqModel m;
    clock_t start = clock();
    int io = build_model(a, o.schema_dir, &m);
    /* Checks run even after build errors, so one run reports everything;
     * lints need a model the checks accepted. */
    unsigned lint_errors = 0;
    if (!io) {
        check_model(&m);
        if (o.doc_warnings && !o.lint_only)
            check_docs(&m);
        bool linting = !diag_error_count() && (!strcmp(o.command, "check") || !strcmp(o.command, "build"));
        if (linting) {
            LintResult lr;
            LintOptions lo = {o.werror, !strcmp(o.command, "check")};
            lint_model(&m, &lr);
            if (o.format == DIFF_JSON)
                lint_errors = lint_print_json(&lr, &lo, stdout);
            else
                lint_report(&lr, &lo);
        } else if (o.format == DIFF_JSON && !strcmp(o.command, "check")) {
            fputs("{\n  \"findings\": [],\n  \"summary\": null\n}\n", stdout);
        }
    }
    unsigned errors = diag_error_count() + lint_errors;
    diag_flush();
    if (errors)
        fprintf(stderr, "hqc: %u error%s; nothing written\n", errors, errors == 1 ? "" : "s");
    if (io) {
        rc = 2;
    } else if (errors) {
        rc = 1;
    } else if (!strcmp(o.command, "stats")) {
        stats_print(&m, stdout);
    } else if (!strcmp(o.command, "build")) {
        OutSet *set = out_new();
        emit_all(&m, set);
        if (o.check_only) {
            unsigned stale = out_diff(set, o.out_dir) + prune_stale(set, o.out_dir, true);
            if (stale) {
                fprintf(stderr, "hqc: %u generated file%s out of date; run make\n", stale, stale == 1 ? "" : "s");
                rc = 1;
            }
        } else {
            unsigned written, unchanged;
            rc = out_write(set, o.out_dir, &written, &unchanged);
            prune_stale(set, o.out_dir, false);
            if (!rc)
                fprintf(stderr, "hqc: %zu modules: %u file%s written, %u unchanged (%.0f ms)\n", m.modules.n, written,
                        written == 1 ? "" : "s", unchanged, 1000.0 * (double)(clock() - start) / CLOCKS_PER_SEC);
        }
        out_free(set);
    }
    arena_destroy(a);
    diag_reset();
    return rc;
}
