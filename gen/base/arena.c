/* arena.c - region allocator used for every compiler data structure.
 * Chunks are chained and released together by arena_destroy(). */
#include "base/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (256 * 1024)

typedef struct Chunk {
    struct Chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} Chunk;

struct HqArena {
    Chunk *head;
};

static void out_of_memory(void)
{
    fputs("hqc: fatal: out of memory\n", stderr);
    abort();
}

static Chunk *chunk_new(size_t size)
{
    Chunk *c = malloc(sizeof(Chunk) + size);
    if (!c)
        out_of_memory();
    c->next = NULL;
    c->used = 0;
    c->size = size;
    return c;
}

HqArena *arena_create(void)
{
    HqArena *a = malloc(sizeof *a);
    if (!a)
        out_of_memory();
    a->head = chunk_new(CHUNK_SIZE);
    return a;
}

void arena_destroy(HqArena *a)
{
    if (!a)
        return;
    for (Chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
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
            memset(big->data, 0, size);
            return big->data;
        }
        c = chunk_new(CHUNK_SIZE);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
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
