/* build_int.h - shared state and helpers of the build stage (YAML -> model).
 * Internal to build_*.c. Every helper reports its own diagnostics and
 * returns a neutral value on error, so building goes on and all problems
 * of a run are reported. */
#ifndef HQC_BUILD_INT_H
#define HQC_BUILD_INT_H

#include "model/model.h"

typedef struct {
    HqArena *a;
    HqModel *m;
    HqModule *mod;            /* module being built; NULL for project files */
    const YNode *traits;      /* the `traits:` mapping of _traits.yaml, or NULL */
    HqNameMap *index_names;   /* index name -> IndexOwner of the project schema's tables */
} Build;

/* An index and its table, as the index-name map holds them. */
typedef struct {
    HqIndex *index;
    HqTable *table;
} IndexOwner;

/* Report every key of `map` that is not in `allowed` (NULL-terminated).
 * Returns false (after reporting) when map is not a mapping. */
bool bu_keys(const YNode *map, const char *what, const char *const *allowed);
bool bu_require(const YNode *map, const char *key, const char *what);
bool bu_is_kind(const YNode *n, YNodeKind kind, const char *what);
const char *bu_str(Build *b, const YNode *n, const char *what);       /* scalar text or NULL */
bool bu_bool(const YNode *n, const char *what, bool dflt);
long bu_long(const YNode *n, const char *what, long dflt);
/* A sequence of scalars; NULL (with *count 0) when absent or malformed. */
const char **bu_str_list(Build *b, const YNode *n, const char *what, size_t *count);
HqSql bu_sql(Build *b, const YNode *n, const char *what);
/* One of `choices` (NULL-terminated); returns its index or dflt. */
int bu_choice(const YNode *n, const char *what, const char *const *choices, int dflt);
/* Resolve a type written in YAML (enums, tables, extension types known so far). */
void bu_type(Build *b, const char *text, HqLoc loc, HqType *out);
/* PostgreSQL's default object name: name1_name2_label, truncated to 63 bytes
 * the way makeObjectName() does it. name2 may be NULL. */
const char *bu_pg_name(Build *b, const char *name1, const char *name2, const char *label);

/* The `lint:` exceptions of an object's YAML body, or NULL when it has none;
 * `object` names the object in words ("column tasks.title"), `table` is the
 * table it belongs to (or NULL), `owner` the model object it is on. */
const HqLint *bu_lint(Build *b, const YNode *body, const char *object, const HqTable *table, const void *owner);

void build_table(Build *b, const char *name, const YNode *name_node, const YNode *body);
void build_extend_table(Build *b, const char *name, const YNode *name_node, const YNode *body);
void build_function(Build *b, const char *name, const YNode *name_node, const YNode *body, bool platform);
void build_changes(Build *b, const YNode *list);
void build_platform_table(Build *b, const char *name, const YNode *name_node, const YNode *body);

#endif /* HQC_BUILD_INT_H */
