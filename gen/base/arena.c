/* arena.c - region allocator used for every compiler data structure.
 * Chunks are chained and released together by arena_destroy(). Chunks come
 * zeroed and memory is never reused, so allocations are zero without a
 * memset. The first chunk is small (a run on a tiny schema, a fuzzer's
 * input, stays cheap); later ones are big and mapped populated, which costs
 * one system call instead of a page fault per page (the faults were a fifth
 * of the time of a 5,000-table build). */
#include "base/arena.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define FIRST_CHUNK_SIZE (64 * 1024)
#define CHUNK_SIZE (1024 * 1024)

typedef struct Chunk {
    struct Chunk *next;
    size_t used, size;
    bool mapped;            /* mmap'ed (else calloc'ed) */
    _Alignas(16) unsigned char data[];
} Chunk;

struct HqArena {
    Chunk *head;
    unsigned long serial;
};

static void out_of_memory(void)
{
    fputs("hqc: fatal: out of memory\n", stderr);
    abort();
}

static Chunk *chunk_new(size_t size)
{
    Chunk *c;
    if (size >= CHUNK_SIZE / 2) {
        c = mmap(NULL, sizeof(Chunk) + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
                 0);
        if (c == MAP_FAILED)
            out_of_memory();
        c->mapped = true;
    } else if (!(c = calloc(1, sizeof(Chunk) + size))) {
        out_of_memory();
    }
    c->size = size;
    return c;
}

static void chunk_free(Chunk *c)
{
    if (c->mapped)
        munmap(c, sizeof(Chunk) + c->size);
    else
        free(c);
}

HqArena *arena_create(void)
{
    HqArena *a = malloc(sizeof *a);
    if (!a)
        out_of_memory();
    static unsigned long serials;
    a->head = chunk_new(FIRST_CHUNK_SIZE);
    a->serial = ++serials;
    return a;
}

unsigned long arena_serial(const HqArena *a)
{
    return a->serial;
}

void arena_destroy(HqArena *a)
{
    if (!a)
        return;
    for (Chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        chunk_free(c);
    }
    free(a);
}

void *arena_alloc(HqArena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size == 0)
        size = 16;
    Chunk *c = a->head;
    if (c->used + size > c->size) {
        /* Large requests get a chunk of their own behind the current one,
         * so the current chunk keeps serving small allocations. */
        if (size > CHUNK_SIZE / 4) {
            Chunk *big = chunk_new(size);
            big->next = c->next;
            c->next = big;
            big->used = size;
            return big->data;
        }
        c = chunk_new(CHUNK_SIZE);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

char *arena_strndup(HqArena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(HqArena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(HqArena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void vec_push(HqArena *a, HqVec *v, void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void **items = arena_alloc(a, cap * sizeof *items);
        if (v->n)
            memcpy(items, v->items, v->n * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = item;
}
