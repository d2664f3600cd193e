/* split.h - a unit's SQL cut into statements (libpg_query's splitter) and
 * into what hqc apply sends as one message: a statement outside a transaction
 * alone (autocommit, as psql runs it), a BEGIN ... COMMIT block together (one
 * round trip for the whole transaction). */
#ifndef HQC_LIVE_SPLIT_H
#define HQC_LIVE_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    size_t start;       /* byte offset of its first token (comments skipped) */
    size_t end;         /* byte offset just past its text (without the ';') */
    unsigned line;      /* 1-based line of the first token */
} LiveStmt;

typedef struct {
    size_t first;       /* index of its first statement */
    size_t n;           /* number of statements */
    bool transaction;   /* a BEGIN ... COMMIT block */
} LiveGroup;

typedef struct {
    LiveStmt *stmts;    /* malloc'ed */
    size_t n_stmts;
    LiveGroup *groups;  /* malloc'ed */
    size_t n_groups;
} LiveSplit;

/* Splits `sql`; text the parser rejects becomes one statement (sent whole,
 * the server reports the error). Returns 0 (-1 with a malloc'ed *err is
 * reserved for failures to split at all). Free with live_split_free. */
int live_split(const char *sql, LiveSplit *out, char **err);
void live_split_free(LiveSplit *s);

/* Does the statement open or close a transaction (BEGIN, COMMIT, ...)? */
bool live_split_tx_control(const char *sql, const LiveStmt *st);

/* The text of group g: from its first token to the end of its last statement. */
size_t live_split_group_text(const LiveSplit *s, size_t g, size_t *start);

/* The statement of group g holding the 1-based character position `pos` of
 * the group's text (PostgreSQL's error position), or SIZE_MAX. `*line`
 * receives the position's line in the unit. */
size_t live_split_locate(const LiveSplit *s, const char *sql, size_t g, int pos, unsigned *line);

#endif /* HQC_LIVE_SPLIT_H */
