/* live.h - the hook from gen/main.c into the commands that talk to live
 * databases (apply, status). No libpq types: the compiler includes this. */
#ifndef HQC_LIVE_H
#define HQC_LIVE_H

#include <stdbool.h>

/* Is `command` one of the live commands? */
bool live_is_command(const char *command);

/* Runs the live command argv[1]; returns the exit status (0 every database
 * at the compiled schema, 1 not so or schema errors, 2 usage or I/O). */
int live_main(int argc, char **argv, const char *hqc_version);

/* The live commands' part of `hqc --help`. */
extern const char live_usage_text[];

#endif /* HQC_LIVE_H */
