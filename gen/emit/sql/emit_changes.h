/* emit_changes.h - explicit changes (renames, type changes, drops, data
 * moves) as guarded, once-only migration steps. Part of the SQL emitter. */
#ifndef HQC_EMIT_CHANGES_H
#define HQC_EMIT_CHANGES_H

#include "model/model.h"
#include "base/strbuf.h"

/* Where a module's changes run: FIRST before anything else (old objects get
 * the names the module uses); TYPES once the module's enum types exist;
 * LAST after the module's objects (data moves into new tables). */
typedef enum { CHANGES_FIRST, CHANGES_TYPES, CHANGES_LAST } ChangePhase;

void emit_changes(StrBuf *b, const HqModel *m, const HqModule *mod, ChangePhase phase);

#endif /* HQC_EMIT_CHANGES_H */
