/* verify.c - live_objects_match: the second half of apply's skip rule.
 *
 * hqc's runtime (000_hqc) can hash everything it manages in the catalog
 * (hqc.catalog_fingerprint: definitions, privileges, comments, settings,
 * cron jobs, buckets, the runtime and manifest). After a complete run apply
 * records that hash (live_objects_record); a later apply whose history
 * matches skips the units only while the hash is still the same, so an
 * object changed by hand since (or a run that stopped half way after it)
 * makes every unit run again, each changing only what differs. */
#include "live/verify.h"

#include <string.h>

/* "f" only when a hash was recorded and the catalog's is another now; no
 * hash yet (no complete run, or built by the files) leaves the history to
 * decide, so an interrupted first run resumes where it stopped. */
#define FINGERPRINT_SQL                                                                                     \
    "SELECT CASE WHEN pg_catalog.to_regprocedure('hqc.catalog_fingerprint()') IS NULL\n"                     \
    "             OR pg_catalog.to_regclass('hqc.settings') IS NULL THEN true\n"                                 \
    "        ELSE coalesce((SELECT value[1] FROM hqc.settings WHERE key = 'catalog')\n"                        \
    "                      = hqc.catalog_fingerprint(), true) END"

int live_objects_match(LiveConn *c, const LiveSchema *s, const LiveHistory *h, size_t first, bool *match,
                       LiveError *err)
{
    long long prev_ok = 0;
    bool chain = true;   /* every earlier unit is consistent */
    for (size_t i = 0; i < s->n_units; i++) {
        const LiveHistEntry *e = live_history_find(h, s->units[i].name);
        bool ok = chain && e && e->ok_id && e->last_id == e->ok_id && e->ok_id > prev_ok;
        if (ok)
            prev_ok = e->ok_id;
        chain = ok;
        if (i >= first)
            match[i] = ok;
    }
    PGresult *res = live_query(c, FINGERPRINT_SQL, err);
    if (!res)
        return -1;
    bool same = !strcmp(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    for (size_t i = first; !same && i < s->n_units; i++)
        match[i] = false;
    return 0;
}

int live_objects_record(LiveConn *c, LiveError *err)
{
    PGresult *res = live_query(c,
                               "INSERT INTO hqc.settings (key, value) VALUES ('catalog', ARRAY[hqc.catalog_fingerprint()])\n"
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               err);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}
