/* out.h - the only code that writes generated files. Files are collected
 * first and written only when the whole run succeeded: each through a
 * temporary file and rename, and not rewritten when the bytes are equal. */
#ifndef HQC_OUT_H
#define HQC_OUT_H

#include <stdbool.h>

typedef struct OutSet OutSet;

OutSet *out_new(void);
void out_free(OutSet *o);                                   /* accepts NULL */
/* Add a file; `path` is relative to the output root; takes ownership of data. */
void out_add(OutSet *o, const char *path, char *data);
/* Write every file under root. Returns 0, or 2 on an I/O error (reported). */
int out_write(const OutSet *o, const char *root, unsigned *n_written, unsigned *n_unchanged);
/* Compare with what is on disk: lists stale files on stderr, returns their count. */
unsigned out_diff(const OutSet *o, const char *root);
/* Remove files under root/subdir that the set does not contain (only *.ext). */
int out_prune(const OutSet *o, const char *root, const char *subdir, const char *ext, bool dry_run);

#endif /* HQC_OUT_H */
