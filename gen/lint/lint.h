/* lint.h - lints: findings about a valid schema that is unsafe to deploy or
 * expose (security, tenancy, performance, migration safety), each from a
 * named rule with a severity, reported at the YAML line of the object.
 *
 * The stage runs after the checks, on a model they accepted. It never
 * connects to a database: privileges come from model/privileges.h. Declared
 * exceptions (`lint: { allow: [...], reason: ... }`) silence a finding on
 * their object; an exception that silences nothing, or names no rule, is an
 * error. Results live in the model's arena. */
#ifndef HQC_LINT_H
#define HQC_LINT_H

#include <stdbool.h>
#include <stdio.h>

#include "model/model.h"

typedef enum { LINT_ERROR, LINT_WARNING, LINT_INFO } LintSeverity;

typedef struct {
    const char *name;           /* stable: "function_search_path_mutable" */
    LintSeverity severity;
    const char *category;       /* "security", "tenancy", "performance", "migration" */
    const char *summary;        /* what it finds, one line (docs/lints.md) */
    const char *why;            /* why it matters and how to fix it: the note line */
} LintRule;

typedef struct {
    const LintRule *rule;
    HqLoc loc;
    const char *object_kind;    /* "table", "function", "policy", ... */
    const char *object;         /* "public.tasks", "tasks.idx_x", ... */
    const char *message;
    const HqLint *allowed_by;   /* the declared exception that silences it, or NULL */
} LintFinding;

typedef struct {
    HqVec findings;             /* LintFinding*, by location */
    unsigned exception_errors;  /* exceptions that name no rule or silence nothing (reported) */
} LintResult;

typedef struct {
    bool werror;                /* warnings are errors */
    bool info;                  /* print findings of severity info */
} LintOptions;

/* Run every rule over `m` and validate its exceptions (problems with those
 * are reported as errors right away). */
void lint_model(const HqModel *m, LintResult *out);
/* Report the findings that no exception silences as diagnostics: the
 * finding ("... [rule]") and a note with the rule's reason. Returns the
 * number of findings that count as errors under `o`. */
unsigned lint_report(const LintResult *r, const LintOptions *o);
/* The findings (silenced ones too, with their reason) as one JSON object on f.
 * Returns the number of findings that count as errors under `o`. */
unsigned lint_print_json(const LintResult *r, const LintOptions *o, FILE *f);

/* The rule registry, in documentation order. */
const LintRule *lint_rules(size_t *n);
const LintRule *lint_find_rule(const char *name);

/* Migration safety shared with hqc diff: a NOT NULL column that gives
 * existing rows no value (no default, backfill, identity or generation). */
bool lint_column_needs_value(const HqColumn *c);

#endif /* HQC_LINT_H */
