/* diff.h - semantic differences between two versions of a schema, for
 * code review: every change classified by what it does to a live database
 * and its callers. */
#ifndef HQC_DIFF_H
#define HQC_DIFF_H

#include <stdio.h>

#include "model/model.h"

/* Ordered by severity: --fail-on X fails on X and everything after it. */
typedef enum {
    DIFF_SAFE,          /* applies online, callers unaffected */
    DIFF_LOCK,          /* needs a table rewrite, a full scan or a strong lock */
    DIFF_BREAKING,      /* callers break: a changed RPC signature, lost access */
    DIFF_DESTRUCTIVE    /* data is lost: a dropped table, column or enum value */
} DiffClass;

typedef struct {
    DiffClass cls;
    const char *kind;       /* "table", "column", "policy", ... */
    const char *object;     /* "tasks", "tasks.status", ... */
    const char *what;       /* "added", "removed", "changed", "renamed" */
    const char *detail;     /* one line in words, or NULL */
} DiffChange;

typedef struct {
    HqVec changes;          /* DiffChange*, in a stable order */
} DiffResult;

typedef enum { DIFF_TEXT, DIFF_MARKDOWN, DIFF_JSON } DiffFormat;

void diff_models(HqArena *a, const HqModel *old_m, const HqModel *new_m, DiffResult *out);
void diff_print(const DiffResult *r, DiffFormat format, bool color, const char *old_name, const char *new_name,
                FILE *f);
const char *diff_class_name(DiffClass c);
/* Parses "safe", "lock", "breaking", "destructive"; -1 if unknown. */
int diff_class_parse(const char *s);

#endif /* HQC_DIFF_H */
