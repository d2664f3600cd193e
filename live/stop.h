/* stop.h - stopping a run cleanly on SIGINT/SIGTERM: a signal thread sets the
 * stop flag, cancels the statements running on every watched connection
 * (PQcancel) and wakes sleeping workers; workers then start nothing new. */
#ifndef HQC_LIVE_STOP_H
#define HQC_LIVE_STOP_H

#include <stdbool.h>

typedef struct pg_conn PGconn;

/* Blocks SIGINT and SIGTERM in the calling thread (and so in every thread
 * created after it) and starts the signal thread. Call once, before any
 * worker thread. live_stop_end joins the signal thread again. */
void live_stop_begin(void);
void live_stop_end(void);

/* Has a stop been requested (a signal, or live_stop_request)? */
bool live_stop_requested(void);
/* The signal that asked for the stop, 0 if none. */
int live_stop_signal(void);
/* Requests a stop as a signal would. */
void live_stop_request(int sig);

/* Watch `pg` for cancellation; returns a handle for live_stop_unwatch, or -1
 * (out of memory: the connection is then not cancellable). */
int live_stop_watch(PGconn *pg);
void live_stop_unwatch(int handle);
/* Marks the connection busy (a query is about to be sent) or idle; returns
 * false when a stop was requested before the query started. */
bool live_stop_busy(int handle, bool busy);

/* Sleeps `ms` milliseconds or until a stop is requested; false if stopped. */
bool live_stop_sleep(unsigned ms);

#endif /* HQC_LIVE_STOP_H */
