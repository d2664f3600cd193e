/* limits.h - bounds on what one run of hqc reads, so that hostile or broken
 * input (a huge file, YAML aliases that expand exponentially, deep nesting)
 * ends in a clear error within bounded time and memory instead of a crash
 * or a hang. docs/schema-language.md ("Limits") documents the numbers.
 *
 * The budgets count over the whole run (both schemas of a diff). */
#ifndef HQC_LIMITS_H
#define HQC_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#define LIMIT_FILE_BYTES ((size_t)16 << 20)   /* one schema file */
#define LIMIT_TOTAL_BYTES ((size_t)32 << 20)  /* all files read, plus text made by traits */
#define LIMIT_NODES ((size_t)1500000)         /* YAML nodes, aliases and traits expanded */
#define LIMIT_DEPTH 64                        /* nesting of YAML collections */

/* Take n nodes / bytes from the run's budget; false when that exceeds it. */
bool limits_take_nodes(size_t n);
bool limits_take_bytes(size_t n);
size_t limits_nodes_left(void);
/* Report "over the limit" once per run: true the first time. */
bool limits_first_report(void);
/* Start over (tests and fuzzers run many inputs in one process). */
void limits_reset(void);

#endif /* HQC_LIMITS_H */
