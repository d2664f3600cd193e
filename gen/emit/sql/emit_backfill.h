/* emit_backfill.h - a NOT NULL column with `backfill:` added to a table that
 * may hold rows: added nullable, filled, then made NOT NULL, once. Part of
 * the SQL emitter. */
#ifndef HQC_EMIT_BACKFILL_H
#define HQC_EMIT_BACKFILL_H

#include "model/model.h"
#include "base/strbuf.h"

/* One DO block for column `c` of `t` with its state as of the module being
 * emitted (`not_null`, `dflt`). It acts only while the column is missing,
 * or present but nullable with NULL rows: it adds the column without NOT
 * NULL and default, sets the rows that are NULL to the backfill expression,
 * then sets the default and NOT NULL. Otherwise it changes nothing and takes
 * no lock beyond reading the catalog. */
void emit_backfill_column(StrBuf *b, const HqTable *t, const HqColumn *c, bool not_null, const HqSql *dflt);

#endif /* HQC_EMIT_BACKFILL_H */
