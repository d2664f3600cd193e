/* emit.h - emitters: the model in, text out. Emitters never read YAML,
 * never report user errors and never write files (out.c does). Returned
 * strings are malloc'ed; the caller frees them. */
#ifndef HQC_EMIT_H
#define HQC_EMIT_H

#include "model/model.h"
#include "emit/out.h"

/* Migration SQL for one module; source_name goes into the header line. */
char *emit_sql_module(const HqModel *m, const HqModule *mod, const char *source_name);

/* The first migration, 000_hqc: the runtime the modules call (schema hqc)
 * and the manifest of what the schema declares. */
char *emit_sql_runtime(const HqModel *m);

/* One migration file: out/migrations/<name>.sql. */
typedef struct {
    const char *name;           /* "014_agent_inbox" */
    const char *source;         /* "schema/014_agent_inbox.yaml" */
    const HqModule *module;     /* NULL for hqc's own units */
    char *sql;                  /* malloc'ed */
} EmitUnit;

/* Every migration, in the order they are applied (what out/migrations/ holds
 * and hqc apply runs). Free with emit_sql_units_free. */
size_t emit_sql_units(const HqModel *m, EmitUnit **out);
void emit_sql_units_free(EmitUnit *units, size_t n);

/* The documentation: adds docs/README.md, docs/erd.md, docs/schema.dot and one
 * page per module, table, function, enum and cron job (docs/<kind>/<name>.md)
 * to `set`, which collects them for out.c to write. */
void emit_docs(const HqModel *m, OutSet *set);

/* The typed C API: adds c/<project>_schema.h and c/<project>_schema.c
 * (descriptors and thin wrappers over libhq, runtime/hq.h) to `set`. */
void emit_c(const HqModel *m, OutSet *set);

#endif /* HQC_EMIT_H */
