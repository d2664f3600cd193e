/* emit_sql_int.h - shared by the files of the SQL emitter (emit_*.c here).
 *
 * A migration is a list of calls into hqc's runtime (templates/
 * sql_runtime*.sql.in, installed by the first unit, 000_hqc): each call names
 * one declared object with its definition, and the runtime changes the
 * database only where it differs. Who settles what:
 *  - an object (index, constraint, policy, trigger, function) is settled by
 *    the last module that declares it; an earlier declaration of the same
 *    name only creates it where it is missing ("owned" false);
 *  - a column property (nullability, default) by the last module that sets it;
 *  - a table's privileges, settings, comments and its undeclared objects by
 *    the table's last module (hqc.table_end);
 *  - schema privileges, default privileges and what is undeclared schema-wide
 *    by the last module (hqc.finish). */
#ifndef HQC_EMIT_SQL_INT_H
#define HQC_EMIT_SQL_INT_H

#include "base/sqlbuf.h"
#include "model/model.h"
#include "model/order.h"
#include "model/privileges.h"

typedef struct {
    const HqModel *m;
    const HqModule *mod;
    StrBuf *b;
    ModuleOrder order;
} Emit;

/* The project's search path and session settings (both for the modules and
 * the runtime unit: module NULL); the runtime's version, which each module
 * checks. */
void emit_search_path(StrBuf *b, const HqModel *m);
void emit_settings(StrBuf *b, const HqModel *m, const char *module);
const char *emit_runtime_version(void);

/* "-- what name" */
void es_comment(StrBuf *b, const char *what, const char *name);
/* Arguments of a runtime call: a literal (NULL writes NULL), a dollar-quoted
 * definition, a boolean; each but the first preceded by ", ". */
void es_lit(StrBuf *b, const char *s);
void es_ddl(StrBuf *b, const char *sql);
/* ARRAY['role=letters', ...] of the project's roles (and PUBLIC);
 * es_acl_items appends the items ('<prefix>role=letters'), n counting the
 * items already in the array, and returns the new count. */
void es_acl(StrBuf *b, const HqModel *m, const HqAcl *acl);
size_t es_acl_items(StrBuf *b, const HqModel *m, const HqAcl *acl, const char *prefix, size_t n);
/* Ends a call: ");\n". */
void es_end(StrBuf *b);
/* True when `mod` is the last module that says anything about `t`. */
bool es_table_final(const HqTable *t, const HqModule *mod);
/* True when `mod` is the last module. */
bool es_last_module(const HqModel *m, const HqModule *mod);

/* emit_table.c: a table created or extended by the module: its creation
 * and columns (in dependency order), then everything that hangs off it. */
void es_table_columns(Emit *e, const HqTableDelta *d);
/* Keys of every table of a module come before the other constraints of any:
 * a foreign key needs the key it references (on a database where that key
 * was dropped, and the foreign keys with it, both come back in this order). */
void es_table_keys(Emit *e, const HqTableDelta *d);
void es_table_rest(Emit *e, const HqTableDelta *d);

/* emit_objects.c */
void es_enums(Emit *e);
void es_extensions(Emit *e);
void es_schema_privileges(Emit *e, bool exact);
void es_function(Emit *e, const HqFunction *f);
void es_views(Emit *e);
void es_cron_jobs(Emit *e);
void es_buckets(Emit *e);

/* emit_data.c: seeds, data steps, schema version rows, raw SQL. */
void es_seeds(Emit *e);
void es_trailing(Emit *e);

#endif /* HQC_EMIT_SQL_INT_H */
