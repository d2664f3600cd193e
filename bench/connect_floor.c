/* connect_floor.c - what a no-op fleet apply cannot go below: opening and
 * closing one connection per database (libpq, the same number of threads as
 * hqc apply -j N), with no query at all. Prints the elapsed milliseconds.
 *
 *   connect_floor JOBS FILE     FILE: one connection string per line */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

static char **lines;
static size_t n_lines, next;
static int failures;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        size_t i = next++;
        pthread_mutex_unlock(&mu);
        if (i >= n_lines)
            return NULL;
        PGconn *c = PQconnectdb(lines[i]);
        if (PQstatus(c) != CONNECTION_OK) {
            pthread_mutex_lock(&mu);
            failures++;
            fprintf(stderr, "connect_floor: %s", PQerrorMessage(c));
            pthread_mutex_unlock(&mu);
        }
        PQfinish(c);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: connect_floor JOBS FILE\n");
        return 2;
    }
    int jobs = atoi(argv[1]);
    FILE *f = fopen(argv[2], "r");
    if (jobs < 1 || jobs > 256 || !f) {
        fprintf(stderr, "connect_floor: bad arguments\n");
        return 2;
    }
    char buf[4096];
    size_t cap = 0;
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = '\0';
        if (!buf[0] || buf[0] == '#')
            continue;
        if (n_lines == cap) {
            cap = cap ? 2 * cap : 64;
            lines = realloc(lines, cap * sizeof *lines);
            if (!lines)
                return 1;
        }
        lines[n_lines++] = strdup(buf);
    }
    fclose(f);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t th[256];
    for (int i = 0; i < jobs; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < jobs; i++)
        pthread_join(th[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.0f\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    for (size_t i = 0; i < n_lines; i++)
        free(lines[i]);
    free(lines);
    return failures ? 1 : 0;
}
