/* fuzz_common.c - packs, scratch directories and the stages of hqc for the
 * compiler harnesses (see fuzz_common.h). */
#include "fuzz_common.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "emit/emit.h"
#include "load/limits.h"
#include "model/build.h"
#include "stats.h"

#define MAX_FILES 64
#define MAX_NAME 64

static char root[256];

void fuzz_empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char path[512];
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static void remove_root(void)
{
    char path[300];
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", root, k ? "new" : "old");
        fuzz_empty_dir(path);
        rmdir(path);
    }
    rmdir(root);
}

FILE *fuzz_null(void)
{
    static FILE *f;
    if (!f && !(f = fopen("/dev/null", "w")))
        abort();
    return f;
}

const char *fuzz_dir(const char *which)
{
    static char path[2][300];
    if (!root[0]) {
        /* tmpfs when there is one: an input costs a few file writes. */
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(root, sizeof root, "%s/hqc-fuzz-%ld", base, (long)getpid());
        mkdir(root, 0700);
        atexit(remove_root);
    }
    int k = strcmp(which, "new") == 0;
    snprintf(path[k], sizeof path[k], "%s/%s", root, which);
    mkdir(path[k], 0700);
    return path[k];
}


static void write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    while (size) {
        ssize_t n = write(fd, data, size);
        if (n <= 0)
            break;
        data += n;
        size -= (size_t)n;
    }
    close(fd);
}

void fuzz_write_one(const char *dir, const char *name, const uint8_t *data, size_t size)
{
    fuzz_empty_dir(dir);
    write_file(dir, name, data, size);
}

void fuzz_write_text(const char *dir, const char *name, const char *text)
{
    write_file(dir, name, (const uint8_t *)text, strlen(text));
}

static bool name_ok(const uint8_t *s, size_t n)
{
    if (n == 0 || n > MAX_NAME || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return false;
    return true;
}

/* Start of the header line at or after p (a line beginning "=== "), or end. */
static const uint8_t *next_header(const uint8_t *p, const uint8_t *start, const uint8_t *end)
{
    for (; p + 4 <= end; p++)
        if ((p == start || p[-1] == '\n') && !memcmp(p, "=== ", 4))
            return p;
    return end;
}

size_t fuzz_unpack(const uint8_t *data, size_t size, int which, const char *dir)
{
    fuzz_empty_dir(dir);
    const uint8_t *end = data + size, *p = next_header(data, data, end);
    int schema = 0;
    size_t written = 0;
    while (p < end) {
        const uint8_t *name = p + 4, *eol = memchr(name, '\n', (size_t)(end - name));
        if (!eol)
            eol = end;
        size_t name_len = (size_t)(eol - name);
        const uint8_t *body = eol < end ? eol + 1 : end;
        const uint8_t *next = next_header(body, data, end);
        if (name_len == 4 && !memcmp(name, "@new", 4)) {
            schema++;
        } else if (schema == which && written < MAX_FILES && name_ok(name, name_len)) {
            char fname[MAX_NAME + 1];
            memcpy(fname, name, name_len);
            fname[name_len] = '\0';
            write_file(dir, fname, body, (size_t)(next - body));
            written++;
        }
        p = next;
    }
    return written;
}

HqArena *fuzz_begin(void)
{
    diag_init();
    limits_reset();
    return arena_create();
}

static void flush_quietly(void)
{
    /* diag_flush prints to stderr, which libFuzzer needs for its reports. */
    FILE *saved = stderr;
    stderr = fuzz_null();
    diag_flush();
    stderr = saved;
}

bool fuzz_build(HqArena *a, const char *dir, HqModel *m, bool check)
{
    int io = build_model(a, dir, m);
    if (!io && check) {
        check_model(m);
        check_docs(m);
    }
    bool ok = !io && diag_error_count() == 0;
    flush_quietly();
    return ok;
}

void fuzz_emit(const HqModel *m)
{
    OutSet *set = out_new();
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        out_add(set, mod->name, emit_sql_module(m, mod, mod->path));
    }
    emit_docs(m, set);
    emit_c(m, set);
    stats_print(m, fuzz_null());
    out_free(set);
}

void fuzz_end(HqArena *a)
{
    arena_destroy(a);
    diag_reset();
}
