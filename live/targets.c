/* targets.c - reading and checking database URLs. A label is built from the
 * parsed connection options with libpq's defaults (PGHOST, PGUSER, ...)
 * filled in, so two spellings of one database are recognised as duplicates
 * and no report ever shows a password. */
#include "live/targets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/strbuf.h"

static const char *opt_value(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o && o->keyword; o++)
        if (!strcmp(o->keyword, key) && o->val && *o->val)
            return o->val;
    return NULL;
}

/* The value of `key` in the parsed entry, else libpq's default for it. */
static const char *value_or_default(const PQconninfoOption *opts, const PQconninfoOption *dflt,
                                    const char *key, const char *fallback)
{
    const char *v = opt_value(opts, key);
    if (!v)
        v = opt_value(dflt, key);
    return v ? v : fallback;
}

/* Parses one entry; returns 0 and sets the label, or -1 with *err (malloc'ed). */
static int check_entry(const char *conninfo, const PQconninfoOption *dflt, char **label, char **err)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        const char *m = perr ? perr : "out of memory";
        size_t n = strlen(m);
        while (n && m[n - 1] == '\n')
            n--;
        *err = strndup(m, n);
        PQfreemem(perr);
        return -1;
    }
    const char *user = value_or_default(opts, dflt, "user", "");
    const char *host = opt_value(opts, "host");
    if (!host)
        host = opt_value(opts, "hostaddr");
    if (!host)
        host = value_or_default(opts, dflt, "host", "localhost");
    const char *port = value_or_default(opts, dflt, "port", "5432");
    const char *db = opt_value(opts, "dbname");
    if (!db)
        db = opt_value(dflt, "dbname");
    if (!db)
        db = user;
    StrBuf b;
    strbuf_init(&b);
    strbuf_printf(&b, "%s%s%s:%s/%s", user, *user ? "@" : "", host, port, db);
    *label = strbuf_steal(&b);
    PQconninfoFree(opts);
    return 0;
}

static void add(LiveTargets *t, size_t *cap, const char *conninfo, char *label, const char *origin)
{
    if (t->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        t->items = realloc(t->items, *cap * sizeof *t->items);
        if (!t->items)
            abort();
    }
    t->items[t->n++] = (LiveTarget){strdup(conninfo), label, strdup(origin)};
}

/* Adds one entry or prints why it is bad; returns 0 or 1 (an error). */
static int take(LiveTargets *t, size_t *cap, const PQconninfoOption *dflt, const char *conninfo, const char *origin)
{
    char *label = NULL, *err = NULL;
    if (check_entry(conninfo, dflt, &label, &err)) {
        fprintf(stderr, "%s: error: not a database URL: %s\n", origin, err);
        free(err);
        return 1;
    }
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->items[i].label, label)) {
            fprintf(stderr, "%s: error: database %s is already listed (%s)\n", origin, label, t->items[i].origin);
            free(label);
            return 1;
        }
    add(t, cap, conninfo, label, origin);
    return 0;
}

static int load_fleet(const char *path, LiveTargets *t, size_t *cap, const PQconninfoOption *dflt)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "hqc: cannot read fleet file %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *line = NULL;
    size_t cap_line = 0;
    ssize_t len;
    unsigned lineno = 0, errors = 0;
    while ((len = getline(&line, &cap_line, f)) >= 0) {
        lineno++;
        char *s = line, *e = line + len;
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        char origin[4200];
        snprintf(origin, sizeof origin, "%s:%u", path, lineno);
        if (strlen(s) != (size_t)(e - s)) {
            fprintf(stderr, "%s: error: the line holds a NUL byte\n", origin);
            errors++;
            continue;
        }
        errors += (unsigned)take(t, cap, dflt, s, origin);
    }
    bool read_error = ferror(f);
    free(line);
    if (f != stdin)
        fclose(f);
    if (read_error) {
        fprintf(stderr, "hqc: cannot read fleet file %s\n", path);
        return 1;
    }
    if (!errors && t->n == 0) {
        fprintf(stderr, "%s: error: the fleet file lists no database\n", path);
        return 1;
    }
    return errors ? 1 : 0;
}

int live_targets_load(const LiveOptions *o, LiveTargets *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    PQconninfoOption *dflt = PQconndefaults();
    int errors = 0;
    if (o->fleet_file) {
        errors = load_fleet(o->fleet_file, out, &cap, dflt);
    } else if (o->n_urls) {
        for (size_t i = 0; i < o->n_urls; i++) {
            char origin[64];
            snprintf(origin, sizeof origin, "hqc: URL %zu on the command line", i + 1);
            errors += take(out, &cap, dflt, o->urls[i], origin);
        }
    } else {
        const char *env = getenv("DATABASE_URL");
        if (env && *env)
            errors = take(out, &cap, dflt, env, "hqc: DATABASE_URL");
        else {
            fprintf(stderr, "hqc: no database given: pass URLs, --fleet FILE or set DATABASE_URL\n");
            errors = 1;
        }
    }
    PQconninfoFree(dflt);
    if (errors) {
        live_targets_free(out);
        return 2;
    }
    return 0;
}

void live_targets_free(LiveTargets *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].conninfo);
        free(t->items[i].label);
        free(t->items[i].origin);
    }
    free(t->items);
    memset(t, 0, sizeof *t);
}
