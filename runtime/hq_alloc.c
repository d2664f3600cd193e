/* hq_alloc.c - the allocator hook and the growable text buffer every encoder writes into.
 * All memory libhq owns goes through here, so a caller's allocator (or a test that injects
 * allocation failures) sees every allocation; a failure surfaces as HQ_ERR_NOMEM, never abort().
 */
#include "hq_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *hq_alloc(const HqAllocator *a, size_t size)
{
    if (size == 0)
        size = 1; /* malloc(0) may return NULL, which would read as a failure */
    if (a != NULL && a->alloc != NULL)
        return a->alloc(a->ctx, size);
    return malloc(size);
}

void hq_free(const HqAllocator *a, void *ptr)
{
    if (ptr == NULL)
        return;
    if (a != NULL && a->free != NULL)
        (*a->free)(a->ctx, ptr);
    else
        free(ptr);
}

void *hq_alloc_zero(const HqAllocator *a, size_t size)
{
    void *p = hq_alloc(a, size);
    if (p != NULL)
        memset(p, 0, size);
    return p;
}

char *hq_strndup(const HqAllocator *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = hq_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void hq_buf_init(HqBuf *b, const HqAllocator *a)
{
    memset(b, 0, sizeof *b);
    if (a != NULL)
        b->alloc = *a;
}

void hq_buf_reset(HqBuf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->cap > 0)
        b->data[0] = '\0';
}

void hq_buf_free(HqBuf *b)
{
    if (b == NULL)
        return;
    hq_free(&b->alloc, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

bool hq_buf_reserve(HqBuf *b, size_t n)
{
    if (b->oom)
        return false;
    if (n < b->cap && b->len < b->cap - n)
        return true; /* room for n bytes and the NUL */
    if (n > SIZE_MAX / 2 - b->len) {
        b->oom = true;
        return false;
    }
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap - b->len <= n)
        cap *= 2;
    /* The hook has no realloc, so grow by copy; doubling keeps that amortized O(1). */
    char *p = hq_alloc(&b->alloc, cap);
    if (p == NULL) {
        b->oom = true;
        return false;
    }
    if (b->len > 0)
        memcpy(p, b->data, b->len);
    p[b->len] = '\0';
    hq_free(&b->alloc, b->data);
    b->data = p;
    b->cap = cap;
    return true;
}

void hq_buf_put(HqBuf *b, const char *s, size_t n)
{
    if (!hq_buf_reserve(b, n))
        return;
    if (n > 0)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void hq_buf_puts(HqBuf *b, const char *s)
{
    hq_buf_put(b, s, strlen(s));
}

void hq_buf_putc(HqBuf *b, char ch)
{
    hq_buf_put(b, &ch, 1);
}

void hq_buf_printf(HqBuf *b, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        hq_buf_put(b, small, (size_t)n);
        return;
    }
    if (!hq_buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
