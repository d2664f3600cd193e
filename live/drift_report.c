/* drift_report.c - what hqc drift prints: per database its differences
 * (text, markdown or JSON, with the words and JSON keys of hqc diff where
 * they mean the same), or with --sql the statements that converge it. */
#include "live/drift_report.h"

#include <string.h>

#include "base/json.h"

/* The classes of differences, in the order summaries name them. */
static const char *const classes[] = {"missing", "different", "renamed", "undeclared", "dropped",
                                      "privileges", "change", "error", "exempt"};
#define N_CLASSES (sizeof classes / sizeof classes[0])

static void tally(const LiveJob *j, size_t *n)
{
    memset(n, 0, N_CLASSES * sizeof *n);
    for (size_t i = 0; i < j->n_drift; i++)
        for (size_t c = 0; c < N_CLASSES; c++)
            if (!strcmp(j->drift[i].what, classes[c]))
                n[c]++;
}

/* "3 differences (1 missing, 2 undeclared); 1 exempt" */
static void put_counts(FILE *out, const LiveJob *j)
{
    size_t n[N_CLASSES], total = 0;
    tally(j, n);
    for (size_t c = 0; c + 1 < N_CLASSES; c++)
        total += n[c];
    fprintf(out, "%zu difference%s", total, total == 1 ? "" : "s");
    const char *sep = " (";
    for (size_t c = 0; c + 1 < N_CLASSES; c++)
        if (n[c]) {
            fprintf(out, "%s%zu %s", sep, n[c], !strcmp(classes[c], "change") ? "pending change steps" : classes[c]);
            sep = ", ";
        }
    if (*sep == ',')
        putc(')', out);
    if (n[N_CLASSES - 1])
        fprintf(out, "; %zu exempt (project.unmanaged)", n[N_CLASSES - 1]);
}

/* Is the fix only a comment (the object is kept; an explicit change removes it)? */
static bool fix_is_advice(const LiveDriftItem *d)
{
    return d->fix && !strncmp(d->fix, "-- ", 3);
}

static const char *shown_class(const LiveDriftItem *d)
{
    return !strcmp(d->what, "change") ? "pending" : d->what;
}

static void text_item(FILE *out, const LiveDriftItem *d)
{
    const char *pad = "                ";
    if (!strcmp(d->what, "change"))
        fprintf(out, "  %-11s change step: %s", shown_class(d), d->object);
    else
        fprintf(out, "  %-11s %s %s", shown_class(d), d->kind, d->object);
    if (d->module && strcmp(d->what, "error"))
        fprintf(out, " (%s)", d->module);
    putc('\n', out);
    if (!strcmp(d->what, "renamed")) {
        fprintf(out, "%sexists as %s; hqc apply renames it\n", pad, d->live ? d->live : "?");
        return;
    }
    if (!strcmp(d->what, "error")) {
        fprintf(out, "%s", pad);
        live_report_folded(out, d->live);
        putc('\n', out);
        return;
    }
    if (d->live)
        live_report_indented(out, "                live:     ", d->live);
    if (d->declared)
        live_report_indented(out, "                declared: ", d->declared);
    if (!strcmp(d->what, "privileges") && d->fix)
        live_report_indented(out, "                converge: ", d->fix);
    if (!strcmp(d->what, "undeclared"))
        fprintf(out, "%s%s\n", pad, fix_is_advice(d) ? "kept by hqc apply (its data stays): declare a change to drop it"
                                                     : "hqc apply drops it");
    if (!strcmp(d->what, "dropped"))
        fprintf(out, "%sthe schema drops it; hqc apply runs the drop\n", pad);
}

static const char *db_tag(const LiveJob *j)
{
    switch (j->outcome) {
    case LIVE_DB_OK: return "matches the compiled schema";
    case LIVE_DB_BEHIND: return "drifted";
    case LIVE_DB_FAILED: return "FAILED";
    case LIVE_DB_UNREACHABLE: return "UNREACHABLE";
    case LIVE_DB_INTERRUPTED: return "INTERRUPTED";
    case LIVE_DB_NOT_STARTED: return "NOT STARTED";
    default: return "?";
    }
}

static void text_db(FILE *out, const LiveJob *j)
{
    fprintf(out, "%s: %s", j->target->label, db_tag(j));
    if (j->outcome == LIVE_DB_OK || j->outcome == LIVE_DB_BEHIND || (j->outcome == LIVE_DB_FAILED && j->n_drift)) {
        fputs(j->outcome == LIVE_DB_OK ? " (" : ": ", out);
        put_counts(out, j);
        if (j->outcome == LIVE_DB_OK)
            putc(')', out);
    }
    if (j->outcome != LIVE_DB_OK && j->outcome != LIVE_DB_BEHIND && j->reason) {
        fputs(j->n_drift ? "; " : ": ", out);
        live_report_folded(out, j->reason);
    }
    putc('\n', out);
    for (size_t i = 0; i < j->n_drift; i++)
        text_item(out, &j->drift[i]);
    for (size_t k = 0; k < j->n_notes; k++) {
        fputs("  ", out);
        live_report_folded(out, j->notes[k]);
        putc('\n', out);
    }
}

static void text_summary(FILE *out, const LiveReport *r)
{
    LiveTally t = live_report_tally(r->jobs, r->n);
    fprintf(out, "summary: %zu database%s: %zu match%s the schema", r->n, r->n == 1 ? "" : "s",
            t.by_outcome[LIVE_DB_OK], t.by_outcome[LIVE_DB_OK] == 1 ? "es" : "");
    live_report_outcomes(out, &t, "drifted");
    fprintf(out, "; %.2f s\n", r->elapsed);
}

/* A markdown table cell: pipes escaped, line breaks as <br>. */
static void md_cell(FILE *out, const char *s, bool code)
{
    putc(' ', out);
    if (s && *s && code)
        putc('`', out);
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n')
            fputs(code ? "`<br>`" : "<br>", out);
        else if (*s != '\r')
            putc(*s, out);
    }
    if (s && code)
        putc('`', out);
    fputs(" |", out);
}

static void markdown_db(FILE *out, const LiveReport *r, const LiveJob *j)
{
    fprintf(out, "### Drift: `%s` against `%s`\n\n", j->target->label, r->schema_spec);
    if (j->outcome != LIVE_DB_OK && j->outcome != LIVE_DB_BEHIND) {
        fprintf(out, "**%s**: ", db_tag(j));
        live_report_folded(out, j->reason ? j->reason : "");
        fputs("\n\n", out);
    }
    if (j->outcome == LIVE_DB_OK)
        fputs("Matches the compiled schema: ", out);
    put_counts(out, j);
    fputs(".\n\n", out);
    if (!j->n_drift)
        return;
    fputs("| class | kind | object | module | live | declared |\n|---|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < j->n_drift; i++) {
        const LiveDriftItem *d = &j->drift[i];
        fputc('|', out);
        md_cell(out, shown_class(d), false);
        md_cell(out, d->kind, false);
        md_cell(out, d->object, true);
        md_cell(out, d->module, false);
        md_cell(out, d->live, true);
        md_cell(out, d->declared ? d->declared : !strcmp(d->what, "privileges") ? d->fix : NULL, true);
        putc('\n', out);
    }
    putc('\n', out);
}

static void json_db(FILE *out, const LiveJob *j, size_t i)
{
    fputs(i ? ",\n    {\"database\": " : "\n    {\"database\": ", out);
    json_str(out, j->target->label);
    fputs(", \"outcome\": ", out);
    json_str(out, j->outcome == LIVE_DB_OK ? "clean" : j->outcome == LIVE_DB_BEHIND ? "drifted"
                                                                                        : live_db_outcome_name(j->outcome));
    fputs(", \"server_version\": ", out);
    json_str(out, j->server_version[0] ? j->server_version : NULL);
    fprintf(out, ", \"elapsed_ms\": %.1f,\n     \"summary\": {", 1000 * j->elapsed);
    size_t n[N_CLASSES];
    tally(j, n);
    for (size_t c = 0; c < N_CLASSES; c++)
        fprintf(out, "%s\"%s\": %zu", c ? ", " : "", classes[c], n[c]);
    fputs("},\n     \"differences\": [", out);
    for (size_t k = 0; k < j->n_drift; k++) {
        const LiveDriftItem *d = &j->drift[k];
        const char *keys[] = {"class", "kind", "object", "module", "live", "declared", "sql"};
        const char *values[] = {d->what, d->kind, d->object, d->module, d->live, d->declared, d->fix};
        fputs(k ? ",\n       {" : "\n       {", out);
        for (size_t f = 0; f < sizeof keys / sizeof keys[0]; f++) {
            fprintf(out, "%s\"%s\": ", f ? ", " : "", keys[f]);
            json_str(out, values[f]);
        }
        putc('}', out);
    }
    fputs(j->n_drift ? "\n     ],\n     \"error\": " : "],\n     \"error\": ", out);
    live_report_json_error(out, j);
    fputs(",\n     ", out);
    live_report_json_messages(out, j);
    putc('}', out);
}

static void json_report(FILE *out, const LiveReport *r)
{
    fputs("{\n  \"command\": \"drift\",\n  \"hqc_version\": ", out);
    json_str(out, r->hqc_version);
    fputs(",\n  \"schema\": ", out);
    json_str(out, r->schema_spec);
    fputs(",\n  \"databases\": [", out);
    for (size_t i = 0; i < r->n; i++)
        json_db(out, &r->jobs[i], i);
    LiveTally t = live_report_tally(r->jobs, r->n);
    fprintf(out,
            "\n  ],\n  \"summary\": {\"databases\": %zu, \"clean\": %zu, \"drifted\": %zu, \"failed\": %zu, "
            "\"unreachable\": %zu, \"interrupted\": %zu, \"not_started\": %zu, \"elapsed_ms\": %.1f}\n}\n",
            r->n, t.by_outcome[LIVE_DB_OK], t.by_outcome[LIVE_DB_BEHIND], t.by_outcome[LIVE_DB_FAILED],
            t.by_outcome[LIVE_DB_UNREACHABLE], t.by_outcome[LIVE_DB_INTERRUPTED], t.by_outcome[LIVE_DB_NOT_STARTED],
            1000 * r->elapsed);
}

/* --sql: per database, a script of the statements that converge it. */
static void sql_db(FILE *out, const LiveJob *j)
{
    fprintf(out, "-- %s: %s", j->target->label, db_tag(j));
    if (j->outcome == LIVE_DB_BEHIND || j->outcome == LIVE_DB_OK) {
        fputs(" (", out);
        put_counts(out, j);
        putc(')', out);
    } else if (j->reason) {
        fputs(": ", out);
        live_report_folded(out, j->reason);
    }
    putc('\n', out);
    for (size_t i = 0; i < j->n_drift; i++) {
        const LiveDriftItem *d = &j->drift[i];
        if (!strcmp(d->what, "exempt") || !strcmp(d->what, "error"))
            continue;
        if (!strcmp(d->what, "change")) {
            fprintf(out, "-- pending change step of %s (hqc apply runs it): ", d->module ? d->module : "?");
            live_report_folded(out, d->object);
            putc('\n', out);
            continue;
        }
        fprintf(out, "-- %s %s %s\n", d->what, d->kind, d->object);
        if (!d->fix)
            fputs("--   (no statement: apply the module that declares it)\n", out);
        else
            fprintf(out, "%s%s\n", d->fix, fix_is_advice(d) ? "" : ";");
    }
    putc('\n', out);
}

void live_report_drift(const LiveReport *r, LiveFormat fmt, bool sql, FILE *out)
{
    if (sql) {
        fprintf(out, "-- hqc drift --sql against %s: what hqc apply would change, for review; hqc apply itself\n"
                     "-- also handles what depends on each change.\n\n",
                r->schema_spec);
        for (size_t i = 0; i < r->n; i++)
            sql_db(out, &r->jobs[i]);
        return;
    }
    if (fmt == LIVE_FMT_JSON) {
        json_report(out, r);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (fmt == LIVE_FMT_MARKDOWN)
            markdown_db(out, r, &r->jobs[i]);
        else
            text_db(out, &r->jobs[i]);
    }
    text_summary(out, r);
}
