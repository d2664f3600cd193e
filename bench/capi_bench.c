/* capi_bench.c - speed and memory of the generated C API against hand-written libpq, on the
 * `tags` table of the HQ schema (uuid id, tenant_id, name, color, created_at):
 *   1. single-row insert: hq__tag__insert() against a loop of PQexecPrepared() of the same
 *      INSERT text, prepared once;
 *   2. get by primary key: hq__tag__get() against PQexecPrepared() of the same SELECT, the
 *      hand-written side copying the text values and parsing the uuid (it does no timestamp
 *      arithmetic, so it does a little less work than the generated side);
 *   3. pipelined batch insert (hq__tag__batch_insert in one HQ_BATCH_ATOMIC batch) against the
 *      same number of single-row hq__tag__insert() calls in one transaction;
 *   4. bytes allocated per row fetched by hq__tag__list(), counted by the allocator hook.
 * Both sides run in the same process, over the same libpq connection, in alternating chunks; the
 * ratios are medians of per-chunk ratios of the same run. Targets: 1-2 >= 0.95, 3 >= 5.
 *
 *   build/bench/capi_bench CONNINFO [ROWS] [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "hq_schema.h"

static int n_rows = 2000;
static int rounds = 5;
static char tenant[37] = "00000000-0000-0000-0000-000000000000";

static void die_hq(const char *what, const HqError *err)
{
    char buf[1200];
    hq_error_format(err, buf, sizeof buf);
    fprintf(stderr, "capi_bench: %s: %s\n", what, buf);
    exit(1);
}

static void die_pg(const char *what, PGconn *pg, PGresult *r)
{
    fprintf(stderr, "capi_bench: %s: %s", what, r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(pg));
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- counting allocator --------------------------------------------------------------------- */

typedef struct Count {
    size_t n_allocs, bytes, live, peak;
} Count;

static void *count_alloc(void *ctx, size_t size)
{
    Count *c = ctx;
    size_t *p = malloc(size + sizeof(size_t) * 2);
    if (p == NULL)
        return NULL;
    p[0] = size;
    c->n_allocs++;
    c->bytes += size;
    c->live += size;
    if (c->live > c->peak)
        c->peak = c->live;
    return p + 2;
}

static void count_free(void *ctx, void *ptr)
{
    Count *c = ctx;
    if (ptr == NULL)
        return;
    size_t *p = (size_t *)ptr - 2;
    c->live -= p[0];
    free(p);
}

/* ---- the database side ---------------------------------------------------------------------- */

static HqConn *hq;
static PGconn *pg;
static Count counts;

static void exec_pg(const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        die_pg(sql, pg, r);
    PQclear(r);
}

static void reset_tags(void)
{
    exec_pg("DELETE FROM public.tags WHERE name LIKE 'bench-%'");
}

static HqColumnSet insert_cols(void)
{
    HqColumnSet cols = hq__tag__required_cols; /* name */
    hq_colset_add(&cols, HQ__TAG__TENANT_ID);
    return cols;
}

/* Wall and client CPU time of one side of a comparison. */
typedef struct Side {
    double wall, cpu;
} Side;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef void (*Chunk)(int first, int n);

/* Per-chunk throughput ratios b/a of every comparison run so far (its median is reported). */
static double *chunk_ratios;
static size_t n_chunk_ratios, chunk_cap;

#define CHUNK 25

/* Runs both sides over n_rows rows in chunks of CHUNK rows, alternating which side goes first.
 * Each pair of chunks runs back to back, so whatever else the machine does (other processes,
 * autovacuum, the server's caches) hits both alike; the median of the per-pair ratios is then
 * a stable estimate even on a noisy machine, where the totals are not. */
static void interleave(Chunk a, Chunk b, Side *sa, Side *sb)
{
    memset(sa, 0, sizeof *sa);
    memset(sb, 0, sizeof *sb);
    for (int i = 0, k = 0; i < n_rows; i += CHUNK, k++) {
        int n = n_rows - i < CHUNK ? n_rows - i : CHUNK;
        double wall[2] = {0, 0};
        for (int turn = 0; turn < 2; turn++) {
            bool do_a = (turn == 0) == (k % 2 == 0);
            double w = now(), c = cpu_now();
            (do_a ? a : b)(i, n);
            Side *s = do_a ? sa : sb;
            wall[do_a ? 0 : 1] = now() - w;
            s->wall += wall[do_a ? 0 : 1];
            s->cpu += cpu_now() - c;
        }
        if (n_chunk_ratios == chunk_cap) {
            chunk_cap = chunk_cap ? chunk_cap * 2 : 1024;
            chunk_ratios = realloc(chunk_ratios, chunk_cap * sizeof *chunk_ratios);
            if (chunk_ratios == NULL)
                exit(1);
        }
        chunk_ratios[n_chunk_ratios++] = wall[1] / wall[0]; /* rate a / rate b */
    }
}

/* The median of the per-chunk ratios collected since the last call. */
static double chunk_median(void)
{
    double m = median(chunk_ratios, (int)n_chunk_ratios);
    n_chunk_ratios = 0;
    return m;
}

static int insert_base;

static HqUuid tenant_id(void)
{
    HqUuid u;
    HqError err;
    if (hq_decode(HQ_TYPE_UUID, NULL, tenant, NULL, &u, &err) != HQ_OK)
        die_hq("tenant id", &err);
    return u;
}

/* 1. generated single-row insert */
static void gen_insert(int first, int n)
{
    HqError err;
    HqColumnSet cols = insert_cols();
    Hq__Tag row;
    memset(&row, 0, sizeof row);
    row.tenant_id = tenant_id();
    char name[32];
    row.name = name;
    for (int i = first; i < first + n; i++) {
        snprintf(name, sizeof name, "bench-g%d", insert_base + i);
        if (hq__tag__insert(hq, &row, &cols, NULL, &err) != HQ_OK)
            die_hq("hq__tag__insert", &err);
    }
}

/* The text the runtime builds for that insert. */
static const char insert_sql[] = "INSERT INTO public.tags (tenant_id, name) VALUES ($1, $2)";

static void pg_insert(int first, int n)
{
    static bool prepared;
    if (!prepared) {
        PGresult *r = PQprepare(pg, "ins", insert_sql, 2, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die_pg("prepare insert", pg, r);
        PQclear(r);
        prepared = true;
    }
    char name[32];
    const char *values[2] = {tenant, name};
    for (int i = first; i < first + n; i++) {
        snprintf(name, sizeof name, "bench-p%d", insert_base + i);
        PGresult *r = PQexecPrepared(pg, "ins", 2, values, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die_pg("insert", pg, r);
        PQclear(r);
    }
}

/* 2. get by primary key */
static HqUuid *ids;
static char (*id_text)[37];

static int collect_id(void *ctx, Hq__Tag *row)
{
    int *n = ctx;
    if (*n < n_rows) {
        ids[*n] = row->id;
        HqBuf b;
        hq_buf_init(&b, NULL);
        hq_encode(HQ_TYPE_UUID, NULL, &row->id, &b, NULL);
        snprintf(id_text[*n], 37, "%s", b.data);
        hq_buf_free(&b);
    }
    (*n)++;
    return 0;
}

static void gen_get(int first, int n)
{
    HqError err;
    Hq__Tag row;
    for (int i = first; i < first + n; i++) {
        if (hq__tag__get(hq, &ids[i], &row, &err) != HQ_OK)
            die_hq("hq__tag__get", &err);
        hq__tag__clear(hq, &row);
    }
}

static const char get_sql[] = "SELECT id, tenant_id, name, color, created_at FROM public.tags WHERE id = $1";

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void parse_uuid(const char *s, unsigned char out[16])
{
    for (int i = 0, k = 0; s[i] != '\0' && k < 16; i++) {
        if (s[i] == '-')
            continue;
        out[k++] = (unsigned char)(hexval(s[i]) << 4 | hexval(s[i + 1]));
        i++;
    }
}

typedef struct PlainTag {
    unsigned char id[16], tenant_id[16];
    char *name, *color, *created_at;
} PlainTag;

static void pg_get(int first, int n)
{
    static bool prepared;
    if (!prepared) {
        PGresult *r = PQprepare(pg, "get", get_sql, 1, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die_pg("prepare get", pg, r);
        PQclear(r);
        prepared = true;
    }
    for (int i = first; i < first + n; i++) {
        const char *values[1] = {id_text[i]};
        PGresult *r = PQexecPrepared(pg, "get", 1, values, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
            die_pg("get", pg, r);
        PlainTag t;
        parse_uuid(PQgetvalue(r, 0, 0), t.id);
        parse_uuid(PQgetvalue(r, 0, 1), t.tenant_id);
        t.name = strdup(PQgetvalue(r, 0, 2));
        t.color = PQgetisnull(r, 0, 3) ? NULL : strdup(PQgetvalue(r, 0, 3));
        t.created_at = strdup(PQgetvalue(r, 0, 4));
        PQclear(r);
        free(t.name);
        free(t.color);
        free(t.created_at);
    }
}

/* 3. pipelined batch against single-row inserts, both in one transaction */
static double gen_batch(void)
{
    HqError err;
    HqColumnSet cols = insert_cols();
    Hq__Tag row;
    memset(&row, 0, sizeof row);
    row.tenant_id = tenant_id();
    char name[32];
    row.name = name;
    double t0 = now();
    HqBatch *b = NULL;
    if (hq_batch_begin(hq, HQ_BATCH_ATOMIC, NULL, NULL, &b, &err) != HQ_OK)
        die_hq("hq_batch_begin", &err);
    for (int i = 0; i < n_rows; i++) {
        snprintf(name, sizeof name, "bench-b%d", insert_base + i);
        if (hq__tag__batch_insert(b, &row, &cols, &err) != HQ_OK)
            die_hq("hq__tag__batch_insert", &err);
    }
    if (hq_batch_finish(b, &err) != HQ_OK)
        die_hq("hq_batch_finish", &err);
    hq_batch_free(b);
    return n_rows / (now() - t0);
}

static double gen_insert_tx(void)
{
    HqError err;
    double t0 = now();
    if (hq_begin(hq, &err) != HQ_OK)
        die_hq("begin", &err);
    gen_insert(0, n_rows);
    if (hq_commit(hq, &err) != HQ_OK)
        die_hq("commit", &err);
    return n_rows / (now() - t0);
}

/* 4. memory per fetched row */
static int count_row(void *ctx, Hq__Tag *row)
{
    (void)row;
    (*(int *)ctx)++;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: capi_bench CONNINFO [ROWS] [ROUNDS]\n");
        return 2;
    }
    if (argc > 2)
        n_rows = atoi(argv[2]);
    if (argc > 3)
        rounds = atoi(argv[3]);
    if (n_rows < 10 || rounds < 1 || rounds > 99) {
        fprintf(stderr, "capi_bench: ROWS >= 10, 1 <= ROUNDS <= 99\n");
        return 2;
    }
    HqError err;
    HqAllocator a = {count_alloc, count_free, &counts};
    if (hq_connect(argv[1], &a, &hq, &err) != HQ_OK)
        die_hq("connect", &err);
    if (hq__check_schema(hq, &err) != HQ_OK)
        die_hq("schema check", &err);
    /* The hand-written side drives the same libpq connection (and so the same server backend):
     * two connections would compare two backends' scheduling as much as two clients. */
    pg = hq_conn_pg(hq);
    ids = calloc((size_t)n_rows, sizeof *ids);
    id_text = calloc((size_t)n_rows, sizeof *id_text);
    double g[99], p[99], gc[99], pc[99];

    /* 1. insert: both sides interleaved, the table emptied before each round */
    Side sa, sb;
    for (int r = 0; r < rounds; r++) {
        reset_tags();
        insert_base += n_rows;
        interleave(gen_insert, pg_insert, &sa, &sb);
        g[r] = n_rows / sa.wall;
        p[r] = n_rows / sb.wall;
        gc[r] = sa.cpu / n_rows * 1e6;
        pc[r] = sb.cpu / n_rows * 1e6;
    }
    HqConnStats st;
    hq_conn_stats(hq, &st);
    double gi = median(g, rounds), pi = median(p, rounds), gic = median(gc, rounds), pic = median(pc, rounds);
    double ri = chunk_median();

    /* 2. get */
    reset_tags();
    insert_base += n_rows;
    gen_insert(0, n_rows);
    int n = 0;
    if (hq__tag__list(hq, NULL, collect_id, &n, &err) != HQ_OK)
        die_hq("list", &err);
    for (int r = 0; r < rounds; r++) {
        interleave(gen_get, pg_get, &sa, &sb);
        g[r] = n_rows / sa.wall;
        p[r] = n_rows / sb.wall;
        gc[r] = sa.cpu / n_rows * 1e6;
        pc[r] = sb.cpu / n_rows * 1e6;
    }
    double gg = median(g, rounds), pgg = median(p, rounds), ggc = median(gc, rounds), pgc = median(pc, rounds);
    double rg = chunk_median();

    /* 3. batch against single rows, both inside one transaction, alternating */
    for (int r = 0; r < rounds; r++) {
        reset_tags();
        insert_base += n_rows;
        if (r % 2 == 0) {
            g[r] = gen_batch();
            p[r] = gen_insert_tx();
        } else {
            p[r] = gen_insert_tx();
            g[r] = gen_batch();
        }
    }
    double gb = median(g, rounds), gs = median(p, rounds);

    /* 4. bytes per fetched row: every allocation a list makes, over n_rows rows */
    reset_tags();
    insert_base += n_rows;
    gen_insert(0, n_rows);
    n = 0;
    hq__tag__list(hq, NULL, count_row, &n, &err); /* warm: statement prepared, buffers grown */
    Count before = counts;
    counts.peak = counts.live;
    n = 0;
    if (hq__tag__list(hq, NULL, count_row, &n, &err) != HQ_OK)
        die_hq("list", &err);
    size_t bytes = counts.bytes - before.bytes, allocs = counts.n_allocs - before.n_allocs;
    size_t peak = counts.peak - before.live;
    reset_tags();

    printf("capi_bench: %d rows x %d rounds, table public.tags; ratio = generated / hand-written libpq\n", n_rows,
           rounds);
    printf("  single-row insert   ratio %.3f (target >= 0.95; median of %d back-to-back %d-row pairs)\n", ri,
           rounds * ((n_rows + CHUNK - 1) / CHUNK), CHUNK);
    printf("                      generated %8.0f rows/s, libpq %8.0f rows/s (medians of rounds); client CPU %.1f / "
           "%.1f us per row\n",
           gi, pi, gic, pic);
    printf("  get by primary key  ratio %.3f (target >= 0.95)\n", rg);
    printf("                      generated %8.0f rows/s, libpq %8.0f rows/s; client CPU %.1f / %.1f us per row\n", gg,
           pgg, ggc, pgc);
    printf("  batch insert        ratio %.1f (target >= 5): pipelined %.0f rows/s, single-row %.0f rows/s (one "
           "transaction each)\n",
           gb / gs, gb, gs);
    printf("  list                %.1f bytes and %.3f allocations per fetched row; %zu bytes at most live (%d rows)\n",
           (double)bytes / n, (double)allocs / n, peak, n);
    printf("  statement cache     %llu prepares, %llu cache hits (each statement is prepared once)\n",
           (unsigned long long)st.n_prepares, (unsigned long long)st.n_cache_hits);
    free(ids);
    free(id_text);
    free(chunk_ratios);
    hq_conn_free(hq);
    return 0;
}
