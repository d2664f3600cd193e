/* test_util.h - helpers shared by the runtime tests: an allocator hook that counts live
 * allocations and bytes and can be told to fail at the Nth allocation (failure injection, as
 * STYLE.md asks), so tests can assert "no leak" and "OOM gives HQ_ERR_NOMEM".
 */
#ifndef HQ_TEST_UTIL_H
#define HQ_TEST_UTIL_H

#include <stdlib.h>

#include "hq.h"

typedef struct TestAlloc {
    long fail_at;      /* index of the allocation that fails; -1: never */
    long n_allocs;     /* allocations attempted so far */
    long live;         /* allocations not yet freed */
    size_t bytes_live; /* bytes not yet freed */
    size_t bytes_peak; /* high-water mark of bytes_live */
} TestAlloc;

/* A header in front of each block remembers its size; 16 bytes keep the block aligned. */
static void *test_alloc_fn(void *ctx, size_t size)
{
    TestAlloc *ta = ctx;
    long n = ta->n_allocs++;
    if (ta->fail_at >= 0 && n >= ta->fail_at)
        return NULL;
    unsigned char *p = malloc(size + 16);
    if (p == NULL)
        return NULL;
    *(size_t *)p = size;
    ta->live++;
    ta->bytes_live += size;
    if (ta->bytes_live > ta->bytes_peak)
        ta->bytes_peak = ta->bytes_live;
    return p + 16;
}

static void test_free_fn(void *ctx, void *ptr)
{
    TestAlloc *ta = ctx;
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - 16;
    ta->live--;
    ta->bytes_live -= *(size_t *)p;
    free(p);
}

static inline HqAllocator test_alloc_hook(TestAlloc *ta)
{
    HqAllocator a = {test_alloc_fn, test_free_fn, ta};
    return a;
}

#endif /* HQ_TEST_UTIL_H */
