/* lint_int.h - internal to gen/lint/: rule identifiers, the context rules
 * report through, and helpers several rule families share. */
#ifndef HQC_LINT_INT_H
#define HQC_LINT_INT_H

#include "lint/lint.h"
#include "base/sqlparse.h"

/* Rule identifiers: positions in the registry of lint.c. */
typedef enum {
    /* security (Supabase's linter, decided from the schema) */
    LR_RLS_DISABLED_IN_PUBLIC,
    LR_POLICY_EXISTS_RLS_DISABLED,
    LR_RLS_ENABLED_NO_POLICY,
    LR_RLS_POLICY_ALWAYS_TRUE,
    LR_RLS_REFERENCES_USER_METADATA,
    LR_ANON_DEFINER_EXECUTABLE,
    LR_AUTHENTICATED_DEFINER_EXECUTABLE,
    LR_FUNCTION_SEARCH_PATH_MUTABLE,
    LR_SECURITY_DEFINER_VIEW,
    LR_EXTENSION_IN_PUBLIC,
    LR_PUBLIC_BUCKET_ALLOWS_LISTING,
    /* this project's own */
    LR_TENANT_POLICY_UNSCOPED,
    LR_DEFINER_TENANT_UNCHECKED,
    LR_TRIGGER_FUNCTION_EXECUTABLE,
    LR_DEFINER_UNQUALIFIED_NAME,
    /* performance */
    LR_AUTH_RLS_INITPLAN,
    LR_MULTIPLE_PERMISSIVE_POLICIES,
    LR_NO_PRIMARY_KEY,
    LR_UNINDEXED_FOREIGN_KEYS,
    LR_DUPLICATE_INDEX,
    /* migration safety */
    LR_NOT_NULL_COLUMN_WITHOUT_DEFAULT,
    LR_CONSTRAINT_ON_EXISTING_TABLE,
    LR_COLUMN_TYPE_CHANGE_REWRITES,
    LR_CHANGE_DROPS_DATA,
    LR_MIGRATION_WITHOUT_LOCK_TIMEOUT,
    LR_COUNT
} LintRuleId;

/* What a finding is about: where it is reported, and the exceptions that
 * may silence it, the object's own first. */
typedef struct {
    const char *kind;               /* "table", "function", ... */
    const char *object;             /* "public.tasks" */
    HqLoc loc;
    const HqLint *allow[6];
} LintSubject;

typedef struct {
    const HqModel *m;
    HqArena *a;
    LintResult *out;
    bool **used;                    /* [lint index][allow index]: silenced a finding */
} LintCtx;

void lint_find(LintCtx *x, LintRuleId rule, const LintSubject *s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Subjects: a table as a whole (the exceptions of every entry declaring or
 * extending it), an object declared by a table entry (its own exception,
 * then that entry's), a function, anything else. */
LintSubject lint_subject_table(LintCtx *x, const HqTable *t);
LintSubject lint_subject_part(LintCtx *x, const HqTable *t, const HqModule *mod, const char *kind, const char *name,
                              HqLoc loc, const HqLint *own);
LintSubject lint_subject_function(LintCtx *x, const HqFunction *f);
LintSubject lint_subject(const char *kind, const char *object, HqLoc loc, const HqLint *own);

/* The location of byte `offset` of an SQL fragment (its start when unknown). */
HqLoc lint_sql_loc(const HqSql *s, int offset);
/* Roles a policy applies to include `role` (no roles = PUBLIC = everyone). */
bool lint_policy_applies_to(const HqPolicy *p, const char *role);
/* The names a function body refers to (SQL or PL/pgSQL); false when it does
 * not parse (the checks reported that). Locations are offsets in the body. */
bool lint_function_refs(LintCtx *x, const HqFunction *f, SqlpRefs *refs);
/* EXECUTE of `f` for `role` by the privileges of a fresh install. */
bool lint_executable_by(LintCtx *x, const HqFunction *f, const char *role);
/* The project schema is exposed through the API: the project declares the
 * API roles (anon or authenticated), as a Supabase project does. Rules about
 * exposure apply only then. */
bool lint_exposed(const LintCtx *x);
/* Is `t` a tenant-owned table (it has the project's tenancy column)? */
bool lint_tenant_table(const LintCtx *x, const HqTable *t);

/* The rule families, each in its own file. */
void lint_rls(LintCtx *x);          /* lint_rls.c: RLS, policies, storage buckets */
void lint_functions(LintCtx *x);    /* lint_functions.c: definer functions, search_path, triggers */
void lint_objects(LintCtx *x);      /* lint_objects.c: views, extensions */
void lint_indexes(LintCtx *x);      /* lint_indexes.c: primary keys, foreign-key indexes, duplicates */
void lint_migration(LintCtx *x);    /* lint_migration.c: what runs against databases with rows */

#endif /* HQC_LINT_INT_H */
