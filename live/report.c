/* report.c - the final report of apply and status, text or JSON. Messages
 * from libpq can span lines; text output folds them into one. */
#include "live/report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

LiveTally live_report_tally(const LiveJob *jobs, size_t n)
{
    LiveTally t;
    memset(&t, 0, sizeof t);
    for (size_t i = 0; i < n; i++) {
        t.by_outcome[jobs[i].outcome]++;
        t.changed += jobs[i].outcome == LIVE_DB_OK && jobs[i].n_applied > 0;
    }
    return t;
}

void live_report_outcomes(FILE *out, const LiveTally *t, const char *behind)
{
    static const struct {
        LiveDbOutcome o;
        const char *name;
    } parts[] = {{LIVE_DB_BEHIND, NULL},
                 {LIVE_DB_FAILED, "failed"},
                 {LIVE_DB_UNREACHABLE, "unreachable"},
                 {LIVE_DB_INTERRUPTED, "interrupted"},
                 {LIVE_DB_NOT_STARTED, "not started"}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (t->by_outcome[parts[i].o])
            fprintf(out, ", %zu %s", t->by_outcome[parts[i].o], parts[i].name ? parts[i].name : behind);
}

/* Writes s with every line break (and the indentation after it) as one space. */
void live_report_folded(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\n' || *s == '\r') {
            while (s[1] == '\n' || s[1] == '\r' || s[1] == '\t' || s[1] == ' ')
                s++;
            if (s[1])
                putc(' ', out);
        } else {
            putc(*s, out);
        }
    }
}

/* Writes s indented, one output line per line of s. */
void live_report_indented(FILE *out, const char *prefix, const char *s)
{
    fprintf(out, "%s", prefix);
    char last = '\0';
    for (; *s; s++) {
        putc(*s, out);
        last = *s;
        if (*s == '\n' && s[1])
            fprintf(out, "%*s", (int)strlen(prefix), "");
    }
    if (last != '\n')
        putc('\n', out);
}

int live_report_label_width(const LiveReport *r)
{
    size_t w = 8;
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->jobs[i].target->label) > w)
            w = strlen(r->jobs[i].target->label);
    return (int)(w > 60 ? 60 : w);
}

static const char *apply_tag(const LiveJob *j, bool dry_run)
{
    switch (j->outcome) {
    case LIVE_DB_OK: return "ok";
    case LIVE_DB_BEHIND: return dry_run ? "would change" : "behind";
    case LIVE_DB_FAILED: return "FAILED";
    case LIVE_DB_UNREACHABLE: return "UNREACHABLE";
    case LIVE_DB_INTERRUPTED: return "INTERRUPTED";
    case LIVE_DB_NOT_STARTED: return "NOT STARTED";
    default: return "?";
    }
}

static void put_error_details(FILE *out, const LiveJob *j)
{
    const char *pad = "      ";
    if (j->err.detail) {
        fprintf(out, "%sDETAIL: ", pad);
        live_report_folded(out, j->err.detail);
        putc('\n', out);
    }
    if (j->err.hint) {
        fprintf(out, "%sHINT: ", pad);
        live_report_folded(out, j->err.hint);
        putc('\n', out);
    }
    if (j->err.context)
        live_report_indented(out, "      CONTEXT: ", j->err.context);
}

static void text_apply_db(const LiveReport *r, const LiveJob *j, int w, FILE *out)
{
    fprintf(out, "%-12s %-*s  ", apply_tag(j, r->dry_run), w, j->target->label);
    if (j->outcome == LIVE_DB_OK && r->dry_run) {
        fprintf(out, "up to date (%zu units, nothing to run)", j->n_skipped);
    } else if (j->outcome == LIVE_DB_OK && j->n_applied) {
        fprintf(out, "applied %zu unit%s, skipped %zu", j->n_applied, j->n_applied == 1 ? "" : "s", j->n_skipped);
    } else if (j->outcome == LIVE_DB_OK) {
        fprintf(out, "up to date (%zu units skipped)", j->n_skipped);
    } else if (j->outcome == LIVE_DB_BEHIND) {
        fprintf(out, "would run %zu unit%s:", j->n_would_run, j->n_would_run == 1 ? "" : "s");
        size_t shown = 0;
        for (size_t u = 0; u < j->n_units; u++)
            if (j->units[u].state == LIVE_UNIT_WOULD_RUN && shown++ < 8)
                fprintf(out, " %s", r->schema->units[u].name);
        if (shown > 8)
            fprintf(out, " ...");
        fprintf(out, " (%zu skipped)", j->n_skipped);
    } else {
        live_report_folded(out, j->reason ? j->reason : "");
    }
    if (j->waited)
        fprintf(out, ", after waiting for another hqc apply");
    if (j->outcome == LIVE_DB_OK || j->outcome == LIVE_DB_FAILED || j->outcome == LIVE_DB_INTERRUPTED)
        fprintf(out, " (%.2f s)", j->elapsed);
    putc('\n', out);
    if (j->outcome == LIVE_DB_FAILED || j->outcome == LIVE_DB_INTERRUPTED) {
        put_error_details(out, j);
        if (j->err_unit)
            fprintf(out, "      units before it: %zu applied, %zu skipped; nothing after it ran\n", j->n_applied,
                    j->n_skipped);
    }
    /* WARNINGs and retries in full; hqc's NOTICEs (changes made, objects
     * skipped) repeat across a fleet: the first few, JSON has them all. */
    size_t notices = 0;
    for (size_t k = 0; k < j->n_notes; k++) {
        bool notice = !strncmp(j->notes[k], "NOTICE:", 7);
        if (notice && ++notices > 3)
            continue;
        fprintf(out, "      ");
        live_report_folded(out, j->notes[k]);
        putc('\n', out);
    }
    if (notices > 3 || j->n_notes_dropped)
        fprintf(out, "      ... and %zu more messages (--format json lists them)\n",
                (notices > 3 ? notices - 3 : 0) + j->n_notes_dropped);
}

static void text_summary(const LiveReport *r, FILE *out)
{
    LiveTally t = live_report_tally(r->jobs, r->n);
    fprintf(out, "summary: %zu database%s: %zu %s", r->n, r->n == 1 ? "" : "s", t.by_outcome[LIVE_DB_OK],
            !strcmp(r->command, "status") ? "at the compiled schema" : "ok");
    if (!strcmp(r->command, "apply") && !r->dry_run)
        fprintf(out, " (%zu changed, %zu already up to date)", t.changed, t.by_outcome[LIVE_DB_OK] - t.changed);
    live_report_outcomes(out, &t, r->dry_run ? "would change" : "behind");
    fprintf(out, "; %.2f s\n", r->elapsed);
}

void live_report_json_error(FILE *out, const LiveJob *j)
{
    if (j->outcome == LIVE_DB_OK || j->outcome == LIVE_DB_BEHIND || !j->reason) {
        fputs("null", out);
        return;
    }
    fputs("{\"reason\": ", out);
    json_str(out, j->reason);
    fputs(", \"unit\": ", out);
    json_str(out, j->err_unit);
    fprintf(out, ", \"line\": %u, \"sqlstate\": ", j->err_line);
    json_str(out, j->err.sqlstate[0] ? j->err.sqlstate : NULL);
    fputs(", \"message\": ", out);
    json_str(out, j->err.message);
    fputs(", \"detail\": ", out);
    json_str(out, j->err.detail);
    fputs(", \"hint\": ", out);
    json_str(out, j->err.hint);
    fputs(", \"context\": ", out);
    json_str(out, j->err.context);
    fputs("}", out);
}

void live_report_json_messages(FILE *out, const LiveJob *j)
{
    fputs("\"messages\": [", out);
    for (size_t k = 0; k < j->n_notes; k++) {
        if (k)
            fputs(", ", out);
        json_str(out, j->notes[k]);
    }
    putc(']', out);
}

static void json_head(const LiveReport *r, FILE *out)
{
    fputs("{\n  \"command\": ", out);
    json_str(out, r->command);
    fputs(",\n  \"hqc_version\": ", out);
    json_str(out, r->hqc_version);
    fputs(",\n  \"schema\": ", out);
    json_str(out, r->schema_spec);
    if (!strcmp(r->command, "apply"))
        fprintf(out, ",\n  \"dry_run\": %s", r->dry_run ? "true" : "false");
    fputs(",\n  \"units\": [", out);
    for (size_t u = 0; u < r->schema->n_units; u++) {
        fputs(u ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
        json_str(out, r->schema->units[u].name);
        fputs(", \"checksum\": ", out);
        json_str(out, r->schema->units[u].checksum);
        fputs("}", out);
    }
    fputs("\n  ],\n  \"databases\": [", out);
}

static void json_db_head(const LiveJob *j, size_t i, FILE *out)
{
    fputs(i ? ",\n    {\"database\": " : "\n    {\"database\": ", out);
    json_str(out, j->target->label);
    fputs(", \"outcome\": ", out);
    json_str(out, live_db_outcome_name(j->outcome));
    fputs(", \"server_version\": ", out);
    json_str(out, j->server_version[0] ? j->server_version : NULL);
    fprintf(out, ", \"elapsed_ms\": %.1f", 1000 * j->elapsed);
}

static void json_tail(const LiveReport *r, FILE *out)
{
    LiveTally t = live_report_tally(r->jobs, r->n);
    fprintf(out, "\n  ],\n  \"summary\": {\"databases\": %zu", r->n);
    for (int o = LIVE_DB_OK; o <= LIVE_DB_NOT_STARTED; o++) {
        fputs(", ", out);
        char key[32];
        snprintf(key, sizeof key, "%s", live_db_outcome_name((LiveDbOutcome)o));
        for (char *k = key; *k; k++)
            if (*k == ' ')
                *k = '_';
        json_str(out, key);
        fprintf(out, ": %zu", t.by_outcome[o]);
    }
    if (!strcmp(r->command, "apply"))
        fprintf(out, ", \"changed\": %zu", t.changed);
    fprintf(out, ", \"elapsed_ms\": %.1f}\n}\n", 1000 * r->elapsed);
}

void live_report_apply(const LiveReport *r, LiveFormat fmt, FILE *out)
{
    if (fmt != LIVE_FMT_JSON) {
        int w = live_report_label_width(r);
        for (size_t i = 0; i < r->n; i++)
            text_apply_db(r, &r->jobs[i], w, out);
        text_summary(r, out);
        return;
    }
    json_head(r, out);
    for (size_t i = 0; i < r->n; i++) {
        const LiveJob *j = &r->jobs[i];
        json_db_head(j, i, out);
        fprintf(out, ", \"applied\": %zu, \"skipped\": %zu, \"would_run\": %zu, \"waited_for_lock\": %s,\n",
                j->n_applied, j->n_skipped, j->n_would_run, j->waited ? "true" : "false");
        fputs("     \"units\": [", out);
        for (size_t u = 0, k = 0; u < j->n_units; u++) {
            const LiveUnitResult *ur = &j->units[u];
            if (ur->state == LIVE_UNIT_NONE)
                continue;
            fputs(k++ ? ", {\"name\": " : "{\"name\": ", out);
            json_str(out, r->schema->units[u].name);
            fputs(", \"action\": ", out);
            json_str(out, live_unit_state_name(ur->state));
            if (ur->state == LIVE_UNIT_APPLIED || ur->state == LIVE_UNIT_FAILED)
                fprintf(out, ", \"ms\": %.1f, \"retries\": %d", ur->ms, ur->retries);
            fputs("}", out);
        }
        fputs("],\n     \"error\": ", out);
        live_report_json_error(out, j);
        fputs(",\n     ", out);
        live_report_json_messages(out, j);
        fprintf(out, ", \"messages_dropped\": %zu}", j->n_notes_dropped);
    }
    json_tail(r, out);
}

static void text_status_db(const LiveReport *r, const LiveJob *j, FILE *out)
{
    fprintf(out, "%s: ", j->target->label);
    if (j->outcome != LIVE_DB_OK && j->outcome != LIVE_DB_BEHIND) {
        fprintf(out, "%s: ", j->outcome == LIVE_DB_UNREACHABLE ? "UNREACHABLE" : "FAILED");
        live_report_folded(out, j->reason ? j->reason : "");
        putc('\n', out);
        return;
    }
    size_t n[LIVE_UNIT_UNRECORDED + 1] = {0};
    for (size_t u = 0; u < j->n_units; u++)
        n[j->units[u].state]++;
    if (j->outcome == LIVE_DB_OK)
        fprintf(out, "at the compiled schema (%zu units applied)", n[LIVE_UNIT_CURRENT]);
    else if (!j->has_history)
        fprintf(out, "no hqc history: %zu units never recorded (built by other means, or never applied by hqc)",
                n[LIVE_UNIT_UNRECORDED]);
    else
        fprintf(out, "%zu pending, %zu changed, %zu applied", n[LIVE_UNIT_PENDING], n[LIVE_UNIT_CHANGED],
                n[LIVE_UNIT_CURRENT]);
    if (j->apply_running)
        fprintf(out, "; an hqc apply is running on it now");
    putc('\n', out);
    for (size_t u = 0; u < j->n_units; u++) {
        const LiveUnitResult *ur = &j->units[u];
        fprintf(out, "  %-40s %s", r->schema->units[u].name,
                ur->state == LIVE_UNIT_CHANGED ? "changed" : live_unit_state_name(ur->state));
        if (ur->applied_at)
            fprintf(out, "%s %s by hqc %s", ur->state == LIVE_UNIT_CURRENT ? "" : " (applied", ur->applied_at,
                    ur->applied_by ? ur->applied_by : "?");
        if (ur->applied_at && ur->state != LIVE_UNIT_CURRENT)
            putc(')', out);
        if (ur->note) {
            fputs(": ", out);
            live_report_folded(out, ur->note);
        }
        putc('\n', out);
    }
}

void live_report_status(const LiveReport *r, LiveFormat fmt, FILE *out)
{
    if (fmt != LIVE_FMT_JSON) {
        for (size_t i = 0; i < r->n; i++)
            text_status_db(r, &r->jobs[i], out);
        text_summary(r, out);
        return;
    }
    json_head(r, out);
    for (size_t i = 0; i < r->n; i++) {
        const LiveJob *j = &r->jobs[i];
        json_db_head(j, i, out);
        fprintf(out, ", \"history\": %s, \"apply_running\": %s,\n     \"units\": [", j->has_history ? "true" : "false",
                j->apply_running ? "true" : "false");
        for (size_t u = 0; u < j->n_units && (j->outcome == LIVE_DB_OK || j->outcome == LIVE_DB_BEHIND); u++) {
            const LiveUnitResult *ur = &j->units[u];
            fputs(u ? ", {\"name\": " : "{\"name\": ", out);
            json_str(out, r->schema->units[u].name);
            fputs(", \"state\": ", out);
            json_str(out, live_unit_state_name(ur->state));
            fputs(", \"applied_at\": ", out);
            json_str(out, ur->applied_at);
            fputs(", \"applied_by\": ", out);
            json_str(out, ur->applied_by);
            fputs(", \"note\": ", out);
            json_str(out, ur->note);
            fputs("}", out);
        }
        fputs("],\n     \"error\": ", out);
        live_report_json_error(out, j);
        fputs("}", out);
    }
    json_tail(r, out);
}
