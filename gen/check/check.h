/* check.h - validation of a built model. Checkers only read the model and
 * report diagnostics; after them, emitters can trust every reference. */
#ifndef HQC_CHECK_H
#define HQC_CHECK_H

#include "model/model.h"

void check_refs(const HqModel *m);    /* tables, columns, functions, types, module order */
void check_sql(const HqModel *m);     /* every SQL fragment through libpg_query */
void check_names(const HqModel *m);   /* identifier rules and patterns (PCRE2) */
void check_changes(const HqModel *m); /* explicit changes name old objects only */
/* Warnings for public objects that carry no `doc:` (tables, columns, functions,
 * enums and enum values, cron jobs, modules) and for tables without a domain
 * (hqc check --doc-warnings). Warnings only: they never fail a run. */
void check_docs(const HqModel *m);

/* The version of function `name` visible to module `mod`, or NULL. */
const HqFunction *check_function_at(const HqModel *m, const char *name, const HqModule *mod);

/* All checks, in order. */
void check_model(const HqModel *m);

#endif /* HQC_CHECK_H */
