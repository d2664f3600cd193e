/* source.h - where a schema comes from: a directory, or `git:REV[:PATH]`,
 * a schema directory at a git revision of the current repository, read with
 * `git archive` into a temporary directory (the working tree is untouched). */
#ifndef HQC_SOURCE_H
#define HQC_SOURCE_H

typedef struct {
    char *dir;       /* directory to build from */
    char *tmp;       /* temporary directory to remove afterwards, or NULL */
} HqSource;

/* `path_hint` is the schema directory used when a git spec names no PATH.
 * Returns 0, or 2 after printing an error. */
int source_open(const char *spec, const char *path_hint, HqSource *out);
void source_close(HqSource *s);

#endif /* HQC_SOURCE_H */
