/* verify.c - live_objects_match: for now the consistency of hqc's history;
 * the catalog comparison with the compiled model comes here next. */
#include "live/verify.h"

int live_objects_match(LiveConn *c, const LiveSchema *s, const LiveHistory *h, size_t first, bool *match,
                       LiveError *err)
{
    (void)c;
    (void)err;
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
    return 0;
}
