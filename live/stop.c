/* stop.c - signal handling for the live commands. Signals are blocked in all
 * threads and taken by one thread with sigtimedwait, so nothing runs in
 * signal context: PQcancel, mutexes and condition variables are all safe.
 * SIGUSR2 only wakes that thread when the run is over.
 * A second signal while stopping ends the process at once (the servers roll
 * back whatever transaction was open when the connections drop). */
#include "live/stop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

typedef struct {
    PGcancel *cancel;       /* NULL: free slot */
    bool busy;              /* a query is running */
} Watched;

static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv = PTHREAD_COND_INITIALIZER;
static Watched *watched;
static size_t n_watched;
static int stop_sig;            /* guarded by stop_mu */
static bool stop_flag;          /* guarded by stop_mu */
static bool thread_done;        /* guarded by stop_mu: live_stop_end was called */
static pthread_t sig_thread;
static bool sig_thread_running;

/* Cancels every busy connection; stop_mu held. */
static void cancel_busy(void)
{
    for (size_t i = 0; i < n_watched; i++)
        if (watched[i].cancel && watched[i].busy) {
            char errbuf[256];
            PQcancel(watched[i].cancel, errbuf, sizeof errbuf);
        }
}

void live_stop_request(int sig)
{
    pthread_mutex_lock(&stop_mu);
    if (!stop_flag) {
        stop_flag = true;
        stop_sig = sig;
    }
    cancel_busy();
    pthread_cond_broadcast(&stop_cv);
    pthread_mutex_unlock(&stop_mu);
}

static void *signal_main(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR2);
    for (;;) {
        pthread_mutex_lock(&stop_mu);
        bool done = thread_done, stopping = stop_flag;
        /* A cancel that reached a backend between two statements did nothing:
         * keep cancelling until the workers are idle. */
        if (stopping)
            cancel_busy();
        pthread_mutex_unlock(&stop_mu);
        if (done)
            return NULL;
        struct timespec ts = {0, 300 * 1000 * 1000};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig < 0 || sig == SIGUSR2)
            continue;   /* a time-out, or live_stop_end waking us */
        if (stopping) {
            static const char msg[] = "hqc: interrupted again: exiting now\n";
            ssize_t w = write(2, msg, sizeof msg - 1);
            (void)w;
            _exit(1);
        }
        static const char msg[] = "\nhqc: interrupted: starting nothing new, cancelling running statements\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        live_stop_request(sig);
    }
}

void live_stop_begin(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    thread_done = false;
    sig_thread_running = pthread_create(&sig_thread, NULL, signal_main, NULL) == 0;
}

void live_stop_end(void)
{
    pthread_mutex_lock(&stop_mu);
    thread_done = true;
    pthread_mutex_unlock(&stop_mu);
    if (sig_thread_running) {
        pthread_kill(sig_thread, SIGUSR2);
        pthread_join(sig_thread, NULL);
    }
    sig_thread_running = false;
    pthread_mutex_lock(&stop_mu);
    free(watched);
    watched = NULL;
    n_watched = 0;
    pthread_mutex_unlock(&stop_mu);
}

bool live_stop_requested(void)
{
    pthread_mutex_lock(&stop_mu);
    bool s = stop_flag;
    pthread_mutex_unlock(&stop_mu);
    return s;
}

int live_stop_signal(void)
{
    pthread_mutex_lock(&stop_mu);
    int s = stop_sig;
    pthread_mutex_unlock(&stop_mu);
    return s;
}

int live_stop_watch(PGconn *pg)
{
    PGcancel *c = PQgetCancel(pg);
    if (!c)
        return -1;
    pthread_mutex_lock(&stop_mu);
    size_t i = 0;
    while (i < n_watched && watched[i].cancel)
        i++;
    if (i == n_watched) {
        Watched *w = realloc(watched, (n_watched + 16) * sizeof *w);
        if (!w) {
            pthread_mutex_unlock(&stop_mu);
            PQfreeCancel(c);
            return -1;
        }
        memset(w + n_watched, 0, 16 * sizeof *w);
        watched = w;
        n_watched += 16;
    }
    watched[i] = (Watched){c, false};
    pthread_mutex_unlock(&stop_mu);
    return (int)i;
}

void live_stop_unwatch(int handle)
{
    if (handle < 0)
        return;
    pthread_mutex_lock(&stop_mu);
    PQfreeCancel(watched[handle].cancel);
    watched[handle] = (Watched){NULL, false};
    pthread_mutex_unlock(&stop_mu);
}

bool live_stop_busy(int handle, bool busy)
{
    pthread_mutex_lock(&stop_mu);
    bool stopping = stop_flag;
    if (handle >= 0)
        watched[handle].busy = busy && !stopping;
    pthread_mutex_unlock(&stop_mu);
    return !stopping;
}

bool live_stop_sleep(unsigned ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&stop_mu);
    int rc = 0;
    while (!stop_flag && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&stop_cv, &stop_mu, &until);
    bool stopped = stop_flag;
    pthread_mutex_unlock(&stop_mu);
    return !stopped;
}
