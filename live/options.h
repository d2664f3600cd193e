/* options.h - the command line of the live commands (apply, status, drift): schema, databases, concurrency, output format, session
 * settings. One parser, each option marked with the commands it serves. */
#ifndef HQC_LIVE_OPTIONS_H
#define HQC_LIVE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { LIVE_FMT_TEXT, LIVE_FMT_JSON, LIVE_FMT_MARKDOWN } LiveFormat;

/* The commands, as bits: an option lists the commands that accept it. */
enum { LIVE_CMD_APPLY = 1, LIVE_CMD_STATUS = 2, LIVE_CMD_DRIFT = 4 };

typedef struct {
    const char *command;            /* "apply", "status", "drift" */
    unsigned cmd;                   /* its LIVE_CMD_* bit */
    const char *schema_dir;         /* a directory or git:REV[:PATH] */
    const char **urls;              /* databases named on the command line (malloc'ed array) */
    size_t n_urls;
    const char *fleet_file;         /* --fleet FILE, or NULL */
    int jobs;                       /* -j: connections at once (default 4) */
    LiveFormat format;              /* --format */
    const char *lock_timeout;       /* --lock-timeout, NULL: project.deploy */
    const char *statement_timeout;  /* --statement-timeout, NULL: project.deploy */
    int lock_retries;               /* --lock-retries, -1: project.deploy */
    int prune;                      /* --prune 1 / --no-prune 0 (default 1) */
    bool dry_run;                   /* --dry-run */
    bool force;                     /* --force: run every unit */
    bool sql;                       /* drift --sql: print the converging statements */
    size_t canary;                  /* --canary N, 0: none */
    size_t max_failures;            /* --max-failures K, 0: no limit */
    int progress;                   /* --progress 1 / --no-progress 0 / -1: when stderr is a terminal */
} LiveOptions;

/* Parses argv (argv[1] is the command). Returns 0, or 2 after printing a
 * usage error. Free o->urls with live_options_free. */
int live_options_parse(int argc, char **argv, LiveOptions *o);
void live_options_free(LiveOptions *o);

/* Is `s` a PostgreSQL duration such as "3s", "500ms", "10min", "0"? */
bool live_duration_valid(const char *s);

/* Prints "hqc: MSG" and a pointer to --help; returns 2. */
int live_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* HQC_LIVE_OPTIONS_H */
