/* history.c - table hqc.applied. It lives in schema hqc, hqc's own
 * bookkeeping next to its runtime library; its name must not collide with
 * the runtime's objects. Writes happen only while the advisory lock of hqc
 * apply is held, so a row marked running without that lock is stale. */
#include "live/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sqlbuf.h"
#include "base/strbuf.h"

static const char create_sql[] =
    "BEGIN;\n"
    "SET LOCAL client_min_messages = warning;\n"
    "CREATE SCHEMA IF NOT EXISTS hqc;\n"
    "CREATE TABLE IF NOT EXISTS hqc.applied (\n"
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  unit text NOT NULL,\n"
    "  checksum text NOT NULL,\n"
    "  hqc_version text NOT NULL,\n"
    "  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
    "  finished_at timestamptz,\n"
    "  duration_ms double precision,\n"
    "  attempts integer NOT NULL DEFAULT 1,\n"
    "  outcome text NOT NULL DEFAULT 'running'\n"
    "    CHECK (outcome IN ('running', 'ok', 'failed', 'interrupted')),\n"
    "  sqlstate text,\n"
    "  message text,\n"
    "  line integer,\n"
    "  db_user text NOT NULL DEFAULT session_user,\n"
    "  client text\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS applied_unit_id_idx ON hqc.applied (unit, id);\n"
    "COMMENT ON TABLE hqc.applied IS 'hqc apply: one row per run of a migration unit "
    "(checksum: SHA-256 of its SQL; outcome running, ok, failed or interrupted)';\n"
    "COMMIT";

/* The latest run and the latest successful run of every unit, and whether
 * an apply holds the lock (pg_locks splits a bigint key into two halves). */
static const char read_sql[] =
    "SELECT l.unit, l.id, l.outcome, l.sqlstate, l.message, o.id, o.checksum,\n"
    "       to_char(o.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS\"Z\"'), o.hqc_version,\n"
    "       (SELECT count(*) FROM hqc.applied WHERE outcome = 'running')\n"
    "FROM (SELECT DISTINCT ON (unit) * FROM hqc.applied ORDER BY unit, id DESC) l\n"
    "LEFT JOIN (SELECT DISTINCT ON (unit) * FROM hqc.applied WHERE outcome = 'ok'\n"
    "           ORDER BY unit, id DESC) o USING (unit)\n"
    "ORDER BY l.unit";

static const char probe_sql[] = "SELECT " LIVE_HISTORY_PROBE;

static char *dup_value(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

int live_history_read(LiveConn *c, LiveHistory *h, LiveError *err)
{
    memset(h, 0, sizeof *h);
    PGresult *r = live_query(c, probe_sql, err);
    if (!r)
        return -1;
    h->exists = !strcmp(PQgetvalue(r, 0, 0), "t");
    h->apply_running = !strcmp(PQgetvalue(r, 0, 1), "t");
    PQclear(r);
    return live_history_read_rows(c, h, err);
}

int live_history_read_rows(LiveConn *c, LiveHistory *h, LiveError *err)
{
    h->entries = NULL;
    h->n = h->n_running = 0;
    if (!h->exists)
        return 0;
    PGresult *r = live_query(c, read_sql, err);
    if (!r)
        return -1;
    h->n = (size_t)PQntuples(r);
    h->entries = calloc(h->n + 1, sizeof *h->entries);
    if (!h->entries)
        abort();
    for (size_t i = 0; i < h->n; i++) {
        LiveHistEntry *e = &h->entries[i];
        int row = (int)i;
        e->unit = dup_value(r, row, 0);
        e->last_id = atoll(PQgetvalue(r, row, 1));
        e->last_outcome = dup_value(r, row, 2);
        e->last_sqlstate = dup_value(r, row, 3);
        e->last_message = dup_value(r, row, 4);
        if (!PQgetisnull(r, row, 5)) {
            e->ok_id = atoll(PQgetvalue(r, row, 5));
            snprintf(e->ok_checksum, sizeof e->ok_checksum, "%s", PQgetvalue(r, row, 6));
            e->ok_finished = dup_value(r, row, 7);
            e->ok_version = dup_value(r, row, 8);
        }
        h->n_running = (size_t)atoll(PQgetvalue(r, row, 9));
    }
    PQclear(r);
    return 0;
}

void live_history_free(LiveHistory *h)
{
    for (size_t i = 0; i < h->n; i++) {
        LiveHistEntry *e = &h->entries[i];
        free(e->unit);
        free(e->last_outcome);
        free(e->last_sqlstate);
        free(e->last_message);
        free(e->ok_finished);
        free(e->ok_version);
    }
    free(h->entries);
    memset(h, 0, sizeof *h);
}

const LiveHistEntry *live_history_find(const LiveHistory *h, const char *unit)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(h->entries[mid].unit, unit);
        if (!cmp)
            return &h->entries[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int live_history_create(LiveConn *c, LiveError *err)
{
    PGresult *r = live_query(c, create_sql, err);
    if (!r) {
        live_rollback(c);
        return -1;
    }
    PQclear(r);
    return 0;
}

int live_history_close_stale(LiveConn *c, LiveError *err)
{
    PGresult *r = live_query(c,
                             "UPDATE hqc.applied SET outcome = 'interrupted',\n"
                             "  message = 'the run did not finish: hqc was stopped or lost its connection'\n"
                             "WHERE outcome = 'running'",
                             err);
    PQclear(r);
    return r ? 0 : -1;
}

int live_history_start(LiveConn *c, const char *prefix_sql, const char *unit, const char *checksum,
                       const char *hqc_version, const char *client, long long *id, LiveError *err)
{
    StrBuf b;
    strbuf_init(&b);
    strbuf_puts(&b, prefix_sql);
    strbuf_puts(&b, "INSERT INTO hqc.applied (unit, checksum, hqc_version, client) VALUES (");
    sqlbuf_literal(&b, unit);
    strbuf_puts(&b, ", ");
    sqlbuf_literal(&b, checksum);
    strbuf_puts(&b, ", ");
    sqlbuf_literal(&b, hqc_version);
    strbuf_puts(&b, ", ");
    sqlbuf_literal(&b, client);
    strbuf_puts(&b, ") RETURNING id");
    PGresult *r = live_query(c, b.data, err);
    strbuf_free(&b);
    if (!r)
        return -1;
    *id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int live_history_finish(LiveConn *c, long long id, const char *outcome, double ms, int attempts,
                        const LiveError *failure, unsigned line, LiveError *err)
{
    char id_s[32], ms_s[32], att_s[16], line_s[16];
    snprintf(id_s, sizeof id_s, "%lld", id);
    snprintf(ms_s, sizeof ms_s, "%.3f", ms);
    snprintf(att_s, sizeof att_s, "%d", attempts);
    snprintf(line_s, sizeof line_s, "%u", line);
    const char *values[7] = {id_s, outcome, ms_s, att_s, NULL, NULL, NULL};
    if (failure && failure->message) {
        values[4] = failure->sqlstate[0] ? failure->sqlstate : NULL;
        values[5] = failure->message;
        values[6] = line ? line_s : NULL;
    }
    PGresult *r = live_query_params(c,
                                    "UPDATE hqc.applied SET outcome = $2, finished_at = clock_timestamp(),\n"
                                    "  duration_ms = $3, attempts = $4, sqlstate = $5, message = $6, line = $7\n"
                                    "WHERE id = $1",
                                    7, values, err);
    PQclear(r);
    return r ? 0 : -1;
}
