/* fuzz_common.h - what the compiler harnesses share: the pack format (a
 * schema directory in one input), writing a pack into a scratch directory,
 * and the stages of hqc run the way gen/main.c runs them.
 *
 * Pack format: text in which a line "=== NAME" starts the file NAME (the
 * bytes up to the next such line are its content, the newline before that
 * line included). A line "=== @new" starts the second schema of a diff.
 * Bytes before the first header are ignored. NAME must be 1 to 64 of
 * [A-Za-z0-9_.-] and not start with "."; other names are skipped, at most
 * 64 files a schema are written. Example:
 *
 *     === _project.yaml
 *     project: { name: shop }
 *     === 001_core.yaml
 *     module: 001_core
 *     summary: Core tables
 */
#ifndef HQC_FUZZ_COMMON_H
#define HQC_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/model.h"

/* Per-process scratch directory (created on first use): DIR/old, DIR/new. */
const char *fuzz_dir(const char *which);
/* Empties `dir` and writes the files of schema `which` (0: the files before
 * "=== @new", 1: after it) of a pack into it. Returns the number written. */
size_t fuzz_unpack(const uint8_t *data, size_t size, int which, const char *dir);
/* Removes the files of dir. */
void fuzz_empty_dir(const char *dir);
/* Replaces the files of `dir` by one file `name` holding data. */
void fuzz_write_one(const char *dir, const char *name, const uint8_t *data, size_t size);
/* Writes a fixed file into dir (for harnesses that fuzz one file only). */
void fuzz_write_text(const char *dir, const char *name, const char *text);

/* A fresh run: diagnostics, limits and the arena. */
HqArena *fuzz_begin(void);
/* Build (and check) the schema in dir; returns true when it has no errors.
 * Diagnostics are printed into /dev/null (their sorting is code too). */
bool fuzz_build(HqArena *a, const char *dir, HqModel *m, bool check);
/* Every emitter, into memory; the output is freed. */
void fuzz_emit(const HqModel *m);
void fuzz_end(HqArena *a);
/* /dev/null, for printing. */
FILE *fuzz_null(void);

#endif /* HQC_FUZZ_COMMON_H */
