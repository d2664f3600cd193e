/* fleet.c - the worker pool. Threads rather than libpq's non-blocking API:
 * a job is a sequential script (connect, lock, read, run units, retry with
 * backoff) that stays readable as straight-line code, the server does the
 * work, and a pool of at most -j threads costs little next to -j backends
 * (see live/README.md). One lock guards the queue, the counters and what the
 * progress display reads; the main thread only waits and redraws. */
#include "live/fleet.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "live/stop.h"

/* Running jobs shown under the progress header. */
#define FLEET_MAX_SHOWN 16

static pthread_mutex_t fleet_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fleet_cv = PTHREAD_COND_INITIALIZER;

static struct {
    const LiveFleet *f;
    LiveJob *jobs;
    size_t n;
    size_t next, end;           /* the current wave: jobs [next, end) are left */
    size_t done, running, failed;
    int workers;                /* worker threads still alive */
    int lines;                  /* lines of the progress display on screen */
    int cols;                   /* terminal width */
    double t0;
} fl;

double live_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Removes the progress display; fleet_mu held. */
static void erase_progress(void)
{
    if (fl.lines > 0)
        fprintf(stderr, "\033[%dA\033[J", fl.lines);
    fl.lines = 0;
}

/* One display line, cut to the terminal width (a wrapped line would break
 * the cursor arithmetic). */
static void progress_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress_line(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (fl.cols > 1 && strlen(buf) >= (size_t)fl.cols)
        buf[fl.cols - 1] = '\0';
    fprintf(stderr, "%s\n", buf);
    fl.lines++;
}

/* Redraws the progress display; fleet_mu held. */
static void draw_progress(void)
{
    if (!fl.f->progress)
        return;
    erase_progress();
    double now = live_now();
    progress_line("%s: %zu/%zu databases done, %zu running, %zu failed, %.1f s", fl.f->title, fl.done, fl.n,
                  fl.running, fl.failed, now - fl.t0);
    size_t shown = 0;
    for (size_t i = 0; i < fl.n && shown < FLEET_MAX_SHOWN; i++) {
        const LiveJob *j = &fl.jobs[i];
        if (!j->active)
            continue;
        shown++;
        if (j->current != SIZE_MAX)
            progress_line("  %s: unit %zu/%zu %s, %.1f s", j->target->label, j->current + 1, fl.f->n_units,
                          fl.f->unit_names[j->current], now - j->t_phase);
        else
            progress_line("  %s: %s, %.1f s", j->target->label, j->phase ? j->phase : "starting", now - j->t_phase);
    }
    if (fl.running > shown)
        progress_line("  ... and %zu more", fl.running - shown);
    fflush(stderr);
}

void live_job_phase(LiveJob *job, const char *phase, size_t unit)
{
    pthread_mutex_lock(&fleet_mu);
    job->phase = phase;
    job->current = unit;
    job->t_phase = live_now();
    pthread_mutex_unlock(&fleet_mu);
}

void live_job_say(LiveJob *job, const char *fmt, ...)
{
    char *msg;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    pthread_mutex_lock(&fleet_mu);
    erase_progress();
    fprintf(stderr, "hqc: %s: %s\n", job->target->label, msg ? msg : "(out of memory)");
    pthread_mutex_unlock(&fleet_mu);
    free(msg);
}

/* May another job start? fleet_mu held. */
static bool may_start(void)
{
    if (fl.next >= fl.end || live_stop_requested())
        return false;
    return !fl.f->max_failures || fl.failed < fl.f->max_failures;
}

static void *worker_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&fleet_mu);
    while (may_start()) {
        LiveJob *job = &fl.jobs[fl.next++];
        job->outcome = LIVE_DB_RUNNING;
        job->active = true;
        job->t_start = job->t_phase = live_now();
        job->phase = "connecting";
        fl.running++;
        pthread_mutex_unlock(&fleet_mu);

        fl.f->fn(job, fl.f->ctx);

        pthread_mutex_lock(&fleet_mu);
        job->elapsed = live_now() - job->t_start;
        job->current = SIZE_MAX;
        job->active = false;
        fl.running--;
        fl.done++;
        if (job->outcome == LIVE_DB_FAILED || job->outcome == LIVE_DB_UNREACHABLE) {
            fl.failed++;
            if (fl.f->progress) {
                erase_progress();
                fprintf(stderr, "hqc: %s: %s: %s\n", job->target->label, live_db_outcome_name(job->outcome),
                        job->reason ? job->reason : "");
            }
        }
        pthread_cond_broadcast(&fleet_cv);
    }
    fl.workers--;
    pthread_cond_broadcast(&fleet_cv);
    pthread_mutex_unlock(&fleet_mu);
    return NULL;
}

/* Runs jobs [begin, end) and waits for them. */
static void run_wave(size_t begin, size_t end)
{
    size_t n_threads = (size_t)fl.f->jobs < end - begin ? (size_t)fl.f->jobs : end - begin;
    pthread_t *threads = calloc(n_threads + 1, sizeof *threads);
    if (!threads)
        abort();
    pthread_mutex_lock(&fleet_mu);
    fl.next = begin;
    fl.end = end;
    fl.workers = 0;
    pthread_mutex_unlock(&fleet_mu);
    size_t started = 0;
    for (; started < n_threads; started++) {
        pthread_mutex_lock(&fleet_mu);
        fl.workers++;
        pthread_mutex_unlock(&fleet_mu);
        if (pthread_create(&threads[started], NULL, worker_main, NULL)) {
            pthread_mutex_lock(&fleet_mu);
            fl.workers--;
            pthread_mutex_unlock(&fleet_mu);
            if (!started) {
                /* Not even one thread: run the wave on this one. */
                pthread_mutex_lock(&fleet_mu);
                fl.workers++;
                pthread_mutex_unlock(&fleet_mu);
                worker_main(NULL);
            }
            break;
        }
    }
    pthread_mutex_lock(&fleet_mu);
    while (fl.workers > 0) {
        draw_progress();
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&fleet_cv, &fleet_mu, &until);
    }
    pthread_mutex_unlock(&fleet_mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
}

void live_fleet_run(const LiveFleet *f, LiveJob *jobs, size_t n)
{
    memset(&fl, 0, sizeof fl);
    fl.f = f;
    fl.jobs = jobs;
    fl.n = n;
    fl.t0 = live_now();
    struct winsize ws;
    fl.cols = f->progress && ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;

    const char *why_not = NULL;
    if (f->canary && f->canary < n) {
        run_wave(0, f->canary);
        size_t bad = 0;
        for (size_t i = 0; i < f->canary; i++)
            bad += jobs[i].outcome != LIVE_DB_OK;
        if (bad) {
            fprintf(stderr, "hqc: %zu of %zu canary database%s did not converge: not going on with the other %zu\n",
                    bad, f->canary, f->canary == 1 ? "" : "s", n - f->canary);
            why_not = "the canary databases did not all converge";
        } else if (f->canary_check && !f->canary_check(jobs, f->canary, f->canary_ctx)) {
            why_not = "hqc drift was not clean on the canary databases";
        }
        if (!why_not)
            run_wave(f->canary, n);
    } else {
        run_wave(0, n);
    }
    pthread_mutex_lock(&fleet_mu);
    erase_progress();
    pthread_mutex_unlock(&fleet_mu);

    if (!why_not && live_stop_requested())
        why_not = "interrupted before it started";
    else if (!why_not && f->max_failures && fl.failed >= f->max_failures)
        why_not = "--max-failures reached before it started";
    for (size_t i = 0; i < n; i++)
        if (jobs[i].outcome == LIVE_DB_PENDING) {
            jobs[i].outcome = LIVE_DB_NOT_STARTED;
            live_job_reason(&jobs[i], "%s", why_not ? why_not : "not started");
        }
}
