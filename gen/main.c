/* main.c - the hqc command line: options, the stages in order, exit status.
 * Exit status: 0 success, 1 schema errors (diagnostics printed), 2 usage or
 * I/O failure. Nothing is written unless every stage succeeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build.h"
#include "check.h"
#include "emit.h"
#include "out.h"
#include "stats.h"

#define HQC_VERSION "0.1.0"

static const char usage_text[] =
    "usage: hqc COMMAND [OPTIONS] SCHEMA_DIR\n"
    "\n"
    "commands:\n"
    "  build [-o OUT] [--check] SCHEMA_DIR   compile the schema; write OUT/migrations/NNN_name.sql\n"
    "                                        and OUT/install.sql (default OUT: out)\n"
    "                                        --check: write nothing, fail if OUT is stale\n"
    "  check [--doc-warnings] SCHEMA_DIR     validate only\n"
    "  stats SCHEMA_DIR                      object counts (and raw SQL blocks)\n"
    "\n"
    "options:\n"
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
    const char *out_dir;
    bool check_only;
    bool doc_warnings;
} Options;

static int parse_args(int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = "out";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
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
        } else if (a[0] == '-') {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown option \"%s\"", a);
            return usage_error(msg);
        } else if (!o->command) {
            o->command = a;
        } else if (!o->schema_dir) {
            o->schema_dir = a;
        } else {
            return usage_error("too many arguments");
        }
    }
    if (!o->command)
        return usage_error("no command given");
    if (strcmp(o->command, "build") && strcmp(o->command, "check") && strcmp(o->command, "stats")) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown command \"%s\"", o->command);
        return usage_error(msg);
    }
    if (!o->schema_dir)
        return usage_error("no schema directory given");
    return 0;
}

/* Emit every output file of the model into `set`. */
static void emit_all(const HqModel *m, OutSet *set)
{
    size_t install_cap = 1 << 20, install_len = 0;
    char *install = malloc(install_cap);
    if (!install)
        abort();
    install[0] = '\0';
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        char source[512], path[512];
        const char *base = strrchr(mod->path, '/');
        snprintf(source, sizeof source, "schema/%s", base ? base + 1 : mod->path);
        snprintf(path, sizeof path, "migrations/%s.sql", mod->name);
        char *sql = emit_sql_module(m, mod, source);
        size_t len = strlen(sql);
        while (install_len + len + 2 > install_cap) {
            char *p = realloc(install, install_cap *= 2);
            if (!p)
                abort();
            install = p;
        }
        memcpy(install + install_len, sql, len + 1);
        install_len += len;
        if (i + 1 < m->modules.n) {
            install[install_len++] = '\n';
            install[install_len] = '\0';
        }
        out_add(set, path, sql);
    }
    out_add(set, "install.sql", install);
}

int main(int argc, char **argv)
{
    Options o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    diag_init();
    HqArena *a = arena_create();
    HqModel m;
    clock_t start = clock();
    int io = build_model(a, o.schema_dir, &m);
    /* Checks run even after build errors, so one run reports everything. */
    if (!io) {
        check_model(&m);
        if (o.doc_warnings)
            check_docs(&m);
    }
    unsigned errors = diag_error_count();
    diag_flush();
    if (io) {
        rc = 2;
    } else if (errors) {
        fprintf(stderr, "hqc: %u error%s; nothing written\n", errors, errors == 1 ? "" : "s");
        rc = 1;
    } else if (!strcmp(o.command, "stats")) {
        stats_print(&m, stdout);
    } else if (!strcmp(o.command, "build")) {
        OutSet *set = out_new();
        emit_all(&m, set);
        if (o.check_only) {
            unsigned stale = out_diff(set, o.out_dir) + (unsigned)out_prune(set, o.out_dir, "migrations", ".sql", true);
            if (stale) {
                fprintf(stderr, "hqc: %u generated file%s out of date; run make\n", stale, stale == 1 ? "" : "s");
                rc = 1;
            }
        } else {
            unsigned written, unchanged;
            rc = out_write(set, o.out_dir, &written, &unchanged);
            out_prune(set, o.out_dir, "migrations", ".sql", false);
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
