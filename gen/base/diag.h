/* diag.h - diagnostics sink: GNU-style "file:line:col: error: msg" lines.
 * Every model node carries an HqLoc; file indexes the diag file table.
 * Diagnostics are collected (sorted by location) and printed by diag_flush;
 * an error or warning that repeats an earlier one word for word at the same
 * place is dropped with its notes (and not counted). */
#ifndef HQC_DIAG_H
#define HQC_DIAG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t file;  /* index into the file table; 0 = no location */
    uint32_t line;  /* 1-based; 0 = whole file */
    uint32_t col;   /* 1-based */
} HqLoc;

void diag_init(void);
void diag_reset(void);                                  /* frees all state */
uint32_t diag_add_file(const char *path);               /* returns file index (>0) */
const char *diag_file_name(uint32_t file);
void diag_error(const HqLoc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(const HqLoc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Informational findings (lints of severity info): printed, never fatal. */
void diag_info(const HqLoc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A note attaches to the diagnostic reported just before it. */
void diag_note(const HqLoc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned diag_error_count(void);
unsigned diag_warning_count(void);
unsigned diag_info_count(void);
/* Print collected diagnostics to stderr in location order, then forget them. */
void diag_flush(void);
/* Closest candidate to `name` within a small edit distance, or NULL. */
const char *diag_suggest(const char *name, const char *const *candidates, size_t n);

#endif /* HQC_DIAG_H */
