/* strbuf.c - growable byte buffer used by the emitters. */
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(StrBuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        fputs("hqc: fatal: out of memory\n", stderr);
        abort();
    }
    b->data = p;
    b->cap = cap;
}

void strbuf_init(StrBuf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    grow(b, 0);
    b->data[0] = '\0';
}

void strbuf_free(StrBuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void strbuf_reset(StrBuf *b)
{
    b->len = 0;
    b->data[0] = '\0';
}

void strbuf_putn(StrBuf *b, const char *s, size_t n)
{
    grow(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_puts(StrBuf *b, const char *s)
{
    strbuf_putn(b, s, strlen(s));
}

void strbuf_putc(StrBuf *b, char c)
{
    strbuf_putn(b, &c, 1);
}

void strbuf_printf(StrBuf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    /* Format into the free space; only when it is too small, grow and
     * format again. */
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= room) {
        grow(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    if (n > 0)
        b->len += (size_t)n;
    else
        b->data[b->len] = '\0';
}

char *strbuf_steal(StrBuf *b)
{
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
