/* diag.c - collects diagnostics so that all problems of a run are reported,
 * in a stable order (by file, line, column, then arrival), whatever order the
 * checking stages found them in. Repeats are found through a hash set, and
 * past DIAG_MAX_KEPT errors and warnings the rest are only counted, so that
 * a file with a million mistakes costs linear time and bounded memory. */
#include "base/diag.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    HqLoc loc;
    int kind;        /* 0 error, 1 warning, 2 note, 3 info */
    unsigned seq;    /* arrival order, for stable sorting */
    unsigned parent; /* notes sort with the diagnostic they belong to */
    char *text;
} Diag;

#define DIAG_MAX_KEPT 1000

static Diag *diags;
static size_t n_diags, cap_diags;
static size_t n_kept;        /* errors and warnings in diags */
static unsigned n_dropped;   /* errors and warnings counted but not kept */
/* Hashes of every error and warning seen (kind, place, text): 0 = empty. */
static uint64_t *seen;
static size_t cap_seen, n_seen;
static char **files;
static size_t n_files;
static unsigned errors, warnings, infos, last_parent;
static bool drop_notes;  /* the last error or warning repeated an earlier one */

void diag_init(void)
{
    diag_reset();
}

void diag_reset(void)
{
    for (size_t i = 0; i < n_diags; i++)
        free(diags[i].text);
    free(diags);
    diags = NULL;
    n_diags = cap_diags = 0;
    for (size_t i = 0; i < n_files; i++)
        free(files[i]);
    free(files);
    files = NULL;
    n_files = 0;
    errors = warnings = infos = last_parent = 0;
    drop_notes = false;
    free(seen);
    seen = NULL;
    cap_seen = n_seen = 0;
    n_kept = n_dropped = 0;
}

uint32_t diag_add_file(const char *path)
{
    char **f = realloc(files, (n_files + 1) * sizeof *files);
    if (!f)
        abort();
    files = f;
    files[n_files] = strdup(path);
    return (uint32_t)++n_files;
}

const char *diag_file_name(uint32_t file)
{
    return file >= 1 && file <= n_files ? files[file - 1] : "<unknown>";
}

static uint64_t diag_hash(int kind, const HqLoc *loc, const char *text)
{
    uint64_t h = 1469598103934665603ull;
    const uint32_t parts[] = {(uint32_t)kind, loc->file, loc->line, loc->col};
    for (size_t i = 0; i < 4; i++)
        h = (h ^ parts[i]) * 1099511628211ull;
    for (const char *p = text; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h ? h : 1;
}

/* Records h; false when it was there already. */
static bool seen_add(uint64_t h)
{
    if (2 * (n_seen + 1) > cap_seen) {
        size_t cap = cap_seen ? 2 * cap_seen : 256;
        uint64_t *t = calloc(cap, sizeof *t);
        if (!t)
            abort();
        for (size_t i = 0; i < cap_seen; i++)
            if (seen[i]) {
                size_t k = (size_t)seen[i] & (cap - 1);
                while (t[k])
                    k = (k + 1) & (cap - 1);
                t[k] = seen[i];
            }
        free(seen);
        seen = t;
        cap_seen = cap;
    }
    size_t k = (size_t)h & (cap_seen - 1);
    for (; seen[k]; k = (k + 1) & (cap_seen - 1))
        if (seen[k] == h)
            return false;
    seen[k] = h;
    n_seen++;
    return true;
}

/* Adds a diagnostic; returns false, adding nothing, when an error or a
 * warning repeats an earlier one (the same text at the same place, as when
 * a trait with a mistake is applied to several tables). Its notes go too. */
static bool add(const HqLoc *loc, int kind, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static bool add(const HqLoc *loc, int kind, const char *fmt, va_list ap)
{
    if (kind == 2 && drop_notes)
        return false;
    static const HqLoc none = {0, 0, 0};
    HqLoc where = loc ? *loc : none;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *text = malloc((size_t)n + 1);
    if (!text)
        abort();
    vsnprintf(text, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    if (kind != 2) {
        drop_notes = !seen_add(diag_hash(kind, &where, text));
        if (drop_notes) {
            free(text);
            return false;
        }
        if (n_kept == DIAG_MAX_KEPT) {
            /* Counted, not kept; nor are its notes. */
            n_dropped++;
            drop_notes = true;
            free(text);
            return true;
        }
        n_kept++;
    }
    if (n_diags == cap_diags) {
        cap_diags = cap_diags ? cap_diags * 2 : 32;
        Diag *d = realloc(diags, cap_diags * sizeof *diags);
        if (!d)
            abort();
        diags = d;
    }
    Diag *d = &diags[n_diags];
    d->loc = where;
    d->kind = kind;
    d->seq = (unsigned)n_diags;
    if (kind != 2)
        last_parent = d->seq;
    d->parent = last_parent;
    d->text = text;
    n_diags++;
    return true;
}

void diag_error(const HqLoc *loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (add(loc, 0, fmt, ap))
        errors++;
    va_end(ap);
}

void diag_warning(const HqLoc *loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (add(loc, 1, fmt, ap))
        warnings++;
    va_end(ap);
}

void diag_info(const HqLoc *loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (add(loc, 3, fmt, ap))
        infos++;
    va_end(ap);
}

void diag_note(const HqLoc *loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(loc, 2, fmt, ap);
    va_end(ap);
}

unsigned diag_error_count(void) { return errors; }
unsigned diag_warning_count(void) { return warnings; }
unsigned diag_info_count(void) { return infos; }

/* Sort key of a diagnostic: that of its parent, so notes follow it. */
static int cmp_diag(const void *pa, const void *pb)
{
    const Diag *a = pa, *b = pb;
    const Diag *ka = &diags[a->parent], *kb = &diags[b->parent];
    if (ka->loc.file != kb->loc.file)
        return ka->loc.file < kb->loc.file ? -1 : 1;
    if (ka->loc.line != kb->loc.line)
        return ka->loc.line < kb->loc.line ? -1 : 1;
    if (ka->loc.col != kb->loc.col)
        return ka->loc.col < kb->loc.col ? -1 : 1;
    if (a->parent != b->parent)
        return a->parent < b->parent ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_flush(void)
{
    static const char *const kinds[] = {"error", "warning", "note", "info"};
    /* Sort a copy of indices, because cmp_diag looks parents up by seq. */
    Diag *sorted = malloc((n_diags ? n_diags : 1) * sizeof *sorted);
    if (!sorted)
        abort();
    if (n_diags)
        memcpy(sorted, diags, n_diags * sizeof *sorted);
    qsort(sorted, n_diags, sizeof *sorted, cmp_diag);
    for (size_t i = 0; i < n_diags; i++) {
        const Diag *d = &sorted[i];
        if (d->loc.file == 0)
            fprintf(stderr, "hqc: %s: %s\n", kinds[d->kind], d->text);
        else if (d->loc.line == 0)
            fprintf(stderr, "%s: %s: %s\n", diag_file_name(d->loc.file), kinds[d->kind], d->text);
        else
            fprintf(stderr, "%s:%u:%u: %s: %s\n", diag_file_name(d->loc.file), d->loc.line,
                    d->loc.col, kinds[d->kind], d->text);
    }
    free(sorted);
    if (n_dropped)
        fprintf(stderr, "hqc: note: %u more errors and warnings not shown (the first %d are)\n", n_dropped,
                DIAG_MAX_KEPT);
    for (size_t i = 0; i < n_diags; i++)
        free(diags[i].text);
    n_diags = 0;
    n_kept = n_dropped = 0;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

const char *diag_suggest(const char *name, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t limit = strlen(name) / 3 + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(name, candidates[i]);
        if (d < best_d || (d == best_d && best && strcmp(candidates[i], best) < 0)) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit && best_d > 0 ? best : NULL;
}
