/* verify.h - the second half of apply's skip rule: does the database still
 * hold what a unit made when it last ran? */
#ifndef HQC_LIVE_VERIFY_H
#define HQC_LIVE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "live/conn.h"
#include "live/history.h"
#include "live/schema.h"

/* Sets match[i] for every unit i in [first, s->n_units): true when the
 * objects of unit i still match what it declares, so a unit whose checksum
 * also matches the history may be skipped. match has s->n_units entries.
 * Returns 0, or -1 with *err (the caller then runs the units).
 *
 * A unit matches when the history is consistent (its latest run succeeded
 * and came after the latest successful run of every earlier unit: a unit
 * re-run later may have replaced what a later unit made) and the catalog
 * hash recorded after the last complete run is still the database's. */
int live_objects_match(LiveConn *c, const LiveSchema *s, const LiveHistory *h, size_t first, bool *match,
                       LiveError *err);
/* Records the catalog hash after every unit has run or was skipped. */
int live_objects_record(LiveConn *c, LiveError *err);

#endif /* HQC_LIVE_VERIFY_H */
