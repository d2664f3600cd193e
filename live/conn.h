/* conn.h - one database connection of a live command: connecting (server
 * version checked), running SQL with every error field kept, notices passed
 * to the caller, and cancellation on SIGINT through stop.h. */
#ifndef HQC_LIVE_CONN_H
#define HQC_LIVE_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "live/targets.h"

/* What went wrong, with PostgreSQL's error fields; strings are malloc'ed. */
typedef struct {
    char sqlstate[6];       /* "" when the error did not come from the server */
    char *message;          /* primary message (or libpq's), NULL when no error */
    char *detail, *hint, *context;
    int position;           /* 1-based character position in the query, 0 if none */
    size_t n_done;          /* statements of the query that completed before it */
    bool connection_lost;   /* the connection is gone */
} LiveError;

/* Receives each NOTICE/WARNING the server sends: severity ("WARNING",
 * "NOTICE", ...) and message. */
typedef void (*LiveNoticeFn)(void *ctx, const char *severity, const char *message);

typedef struct {
    PGconn *pg;
    int watch;              /* stop.h handle */
    LiveNoticeFn on_notice;
    void *notice_ctx;
    bool cleanup;           /* cleaning up (ROLLBACK, history, unlock): run even
                               while stopping, and do not cancel */
} LiveConn;

/* Lowest server version hqc supports. */
#define LIVE_MIN_SERVER_VERSION 150000

/* Connects to `t`. Returns 0, or -1 with *err filled (connection failures
 * and servers older than PostgreSQL 15). */
int live_connect(LiveConn *c, const LiveTarget *t, LiveNoticeFn on_notice, void *ctx, LiveError *err);
void live_disconnect(LiveConn *c);

/* Runs `sql` (one or more statements, the simple query protocol) and returns
 * the result of its last statement (PQclear it), or NULL with *err filled. */
PGresult *live_query(LiveConn *c, const char *sql, LiveError *err);
/* Like live_query for text of length len (not NUL-terminated). */
PGresult *live_query_n(LiveConn *c, const char *sql, size_t len, LiveError *err);
/* One statement with text parameters $1..$n. */
PGresult *live_query_params(LiveConn *c, const char *sql, int n, const char *const *values, LiveError *err);

/* Rolls back an open transaction; works while stopping, errors ignored. */
void live_rollback(LiveConn *c);

/* Is the connection inside a transaction block (open or failed)? */
bool live_in_transaction(const LiveConn *c);

void live_error_clear(LiveError *e);
/* Moves src into dst (dst cleared first). */
void live_error_move(LiveError *dst, LiveError *src);
/* Sets a client-side error (no SQLSTATE). */
void live_error_set(LiveError *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* HQC_LIVE_CONN_H */
