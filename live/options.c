/* options.c - parsing the live commands' options. Every option names the
 * commands that accept it, so `hqc status --force` is a usage error rather
 * than silently ignored. */
#include "live/options.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int live_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hqc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(hqc --help shows the usage)\n", stderr);
    va_end(ap);
    return 2;
}

bool live_duration_valid(const char *s)
{
    static const char *const units[] = {"", "us", "ms", "s", "min", "h", "d", NULL};
    const char *u = s;
    while (*u >= '0' && *u <= '9')
        u++;
    if (u == s || u - s > 9)
        return false;
    for (size_t i = 0; units[i]; i++)
        if (!strcmp(u, units[i]))
            return true;
    return false;
}

/* A count in [lo, hi]; -1 when `s` is not one. */
static long parse_count(const char *s, long lo, long hi)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    long v = strtol(s, &end, 10);
    return *end || v < lo || v > hi ? -1 : v;
}

static const char *const command_names[] = {"apply", "status", "drift"};

static const char *cmd_list(unsigned mask)
{
    static char buf[64];
    buf[0] = '\0';
    for (unsigned i = 0; i < 3; i++)
        if (mask & (1u << i)) {
            if (buf[0])
                strcat(buf, ", ");
            strcat(buf, command_names[i]);
        }
    return buf;
}

int live_options_parse(int argc, char **argv, LiveOptions *o)
{
    memset(o, 0, sizeof *o);
    o->command = argv[1];
    for (unsigned i = 0; i < 3; i++)
        if (!strcmp(argv[1], command_names[i]))
            o->cmd = 1u << i;
    o->jobs = 4;
    o->lock_retries = -1;
    o->prune = 1;
    o->progress = -1;
    o->urls = calloc((size_t)argc, sizeof *o->urls);
    if (!o->urls)
        abort();
    const unsigned all = LIVE_CMD_APPLY | LIVE_CMD_STATUS | LIVE_CMD_DRIFT;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        unsigned accepts = all;
        /* Options with a value take it from the next argument. */
#define TAKES_VALUE(what)                                                        \
    do {                                                                         \
        if (++i == argc)                                                         \
            return live_usage_error("%s needs %s", a, what);                    \
        val = argv[i];                                                           \
    } while (0)
        if (!strcmp(a, "--")) {
            for (i++; i < argc; i++) {
                if (!o->schema_dir)
                    o->schema_dir = argv[i];
                else
                    o->urls[o->n_urls++] = argv[i];
            }
            break;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs") || !strncmp(a, "-j", 2)) {
            if (a[1] == 'j' && a[2])
                val = a + 2;
            else
                TAKES_VALUE("a number of connections");
            long n = parse_count(val, 1, 1000);
            if (n < 0)
                return live_usage_error("-j needs a number of connections between 1 and 1000, not \"%s\"", val);
            o->jobs = (int)n;
        } else if (!strcmp(a, "--fleet")) {
            TAKES_VALUE("a file with one database URL per line");
            if (o->fleet_file)
                return live_usage_error("--fleet given twice");
            o->fleet_file = val;
        } else if (!strcmp(a, "--format")) {
            TAKES_VALUE("text or json");
            if (!strcmp(val, "text"))
                o->format = LIVE_FMT_TEXT;
            else if (!strcmp(val, "json"))
                o->format = LIVE_FMT_JSON;
            else if (!strcmp(val, "markdown") && o->cmd == LIVE_CMD_DRIFT)
                o->format = LIVE_FMT_MARKDOWN;
            else
                return live_usage_error("--format needs %s, not \"%s\"",
                                        o->cmd == LIVE_CMD_DRIFT ? "text, markdown or json" : "text or json", val);
        } else if (!strcmp(a, "--lock-timeout") || !strcmp(a, "--statement-timeout")) {
            accepts = a[2] == 'l' ? LIVE_CMD_APPLY | LIVE_CMD_DRIFT : all;
            TAKES_VALUE("a duration such as 3s, 500ms or 10min");
            if (!live_duration_valid(val))
                return live_usage_error("%s needs a duration such as 3s, 500ms or 10min, not \"%s\"", a, val);
            *(a[2] == 'l' ? &o->lock_timeout : &o->statement_timeout) = val;
        } else if (!strcmp(a, "--lock-retries")) {
            accepts = LIVE_CMD_APPLY;
            TAKES_VALUE("a number");
            long n = parse_count(val, 0, 100);
            if (n < 0)
                return live_usage_error("--lock-retries needs a number between 0 and 100, not \"%s\"", val);
            o->lock_retries = (int)n;
        } else if (!strcmp(a, "--canary") || !strcmp(a, "--max-failures")) {
            accepts = LIVE_CMD_APPLY;
            TAKES_VALUE("a number of databases");
            long n = parse_count(val, 1, 1000000000);
            if (n < 0)
                return live_usage_error("%s needs a positive number of databases, not \"%s\"", a, val);
            *(a[2] == 'c' ? &o->canary : &o->max_failures) = (size_t)n;
        } else if (!strcmp(a, "--prune") || !strcmp(a, "--no-prune")) {
            accepts = LIVE_CMD_APPLY;
            o->prune = a[2] == 'p';
        } else if (!strcmp(a, "--dry-run")) {
            accepts = LIVE_CMD_APPLY;
            o->dry_run = true;
        } else if (!strcmp(a, "--sql")) {
            accepts = LIVE_CMD_DRIFT;
            o->sql = true;
        } else if (!strcmp(a, "--force")) {
            accepts = LIVE_CMD_APPLY;
            o->force = true;
        } else if (!strcmp(a, "--progress") || !strcmp(a, "--no-progress")) {
            o->progress = a[2] == 'p';
        } else if (a[0] == '-' && a[1]) {
            return live_usage_error("unknown option \"%s\" for hqc %s", a, o->command);
        } else if (!o->schema_dir) {
            o->schema_dir = a;
        } else {
            o->urls[o->n_urls++] = a;
        }
        if (!(accepts & o->cmd))
            return live_usage_error("%s is an option of hqc %s only", a, cmd_list(accepts));
#undef TAKES_VALUE
    }
    if (!o->schema_dir)
        return live_usage_error("hqc %s needs a schema directory", o->command);
    if (o->sql && o->format == LIVE_FMT_JSON)
        return live_usage_error("--sql prints SQL; the JSON report has each difference's statement already");
    if (o->fleet_file && o->n_urls)
        return live_usage_error("give databases either as URLs or with --fleet, not both");
    return 0;
}

void live_options_free(LiveOptions *o)
{
    free(o->urls);
    o->urls = NULL;
}
