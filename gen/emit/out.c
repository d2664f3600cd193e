/* out.c - writing generated files safely: temp file + rename, unchanged
 * files left alone (so timestamps and rebuilds are not disturbed). */
#include "emit/out.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *path;
    char *data;
} OutFile;

struct OutSet {
    OutFile *files;
    size_t n, cap;
};

OutSet *out_new(void)
{
    OutSet *o = calloc(1, sizeof *o);
    if (!o)
        abort();
    return o;
}

void out_free(OutSet *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++) {
        free(o->files[i].path);
        free(o->files[i].data);
    }
    free(o->files);
    free(o);
}

void out_add(OutSet *o, const char *path, char *data)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 64;
        OutFile *f = realloc(o->files, o->cap * sizeof *f);
        if (!f)
            abort();
        o->files = f;
    }
    o->files[o->n].path = strdup(path);
    o->files[o->n].data = data;
    o->n++;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *p = realloc(buf, cap *= 2);
            if (!p)
                free(buf);
            buf = p;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static bool same_content(const char *path, const char *data)
{
    size_t len;
    char *old = read_all(path, &len);
    bool same = old && len == strlen(data) && memcmp(old, data, len) == 0;
    free(old);
    return same;
}

static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc && errno != EEXIST)
            return -1;
    }
    return 0;
}

int out_write(const OutSet *o, const char *root, unsigned *n_written, unsigned *n_unchanged)
{
    *n_written = *n_unchanged = 0;
    for (size_t i = 0; i < o->n; i++) {
        size_t len = strlen(root) + strlen(o->files[i].path) + 2;
        char *path = malloc(len), *tmp = malloc(len + 16);
        if (!path || !tmp)
            abort();
        snprintf(path, len, "%s/%s", root, o->files[i].path);
        if (same_content(path, o->files[i].data)) {
            (*n_unchanged)++;
            free(path);
            free(tmp);
            continue;
        }
        snprintf(tmp, len + 16, "%s.tmp%ld", path, (long)getpid());
        FILE *f = NULL;
        if (make_dirs(path) == 0)
            f = fopen(tmp, "wb");
        bool ok = f && fputs(o->files[i].data, f) >= 0;
        if (f && fclose(f) != 0)
            ok = false;
        if (ok && rename(tmp, path) != 0)
            ok = false;
        if (!ok) {
            fprintf(stderr, "hqc: error: cannot write %s: %s\n", path, strerror(errno));
            remove(tmp);
            free(path);
            free(tmp);
            return 2;
        }
        (*n_written)++;
        free(path);
        free(tmp);
    }
    return 0;
}

unsigned out_diff(const OutSet *o, const char *root)
{
    unsigned stale = 0;
    for (size_t i = 0; i < o->n; i++) {
        size_t len = strlen(root) + strlen(o->files[i].path) + 2;
        char *path = malloc(len);
        if (!path)
            abort();
        snprintf(path, len, "%s/%s", root, o->files[i].path);
        if (!same_content(path, o->files[i].data)) {
            fprintf(stderr, "hqc: stale: %s\n", path);
            stale++;
        }
        free(path);
    }
    return stale;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int out_prune(const OutSet *o, const char *root, const char *subdir, const char *ext, bool dry_run)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", root, subdir);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    /* The set's paths sorted, so each directory entry costs a bsearch. */
    char **paths = malloc((o->n + 1) * sizeof *paths);
    if (!paths)
        abort();
    for (size_t i = 0; i < o->n; i++)
        paths[i] = o->files[i].path;
    qsort(paths, o->n, sizeof *paths, cmp_path);
    int removed = 0;
    size_t lx = strlen(ext);
    for (struct dirent *e; (e = readdir(d));) {
        size_t ln = strlen(e->d_name);
        if (ln <= lx || strcmp(e->d_name + ln - lx, ext))
            continue;
        char rel[4096];
        snprintf(rel, sizeof rel, "%s/%s", subdir, e->d_name);
        const char *key = rel;
        if (bsearch(&key, paths, o->n, sizeof *paths, cmp_path))
            continue;
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        if (dry_run)
            fprintf(stderr, "hqc: stale: %s (no longer generated)\n", full);
        else
            remove(full);
        removed++;
    }
    closedir(d);
    free(paths);
    return removed;
}
