/* strbuf.h - growable byte buffer for building output text.
 * Owns its memory (malloc); strbuf_free releases it. Aborts on OOM. */
#ifndef HQC_STRBUF_H
#define HQC_STRBUF_H

#include <stddef.h>

typedef struct {
    char *data;   /* NUL-terminated contents (never NULL after init) */
    size_t len;   /* bytes used, excluding the NUL */
    size_t cap;   /* bytes allocated */
} StrBuf;

void strbuf_init(StrBuf *b);
void strbuf_free(StrBuf *b);
void strbuf_reset(StrBuf *b);
void strbuf_putn(StrBuf *b, const char *s, size_t n);
void strbuf_puts(StrBuf *b, const char *s);
void strbuf_putc(StrBuf *b, char c);
void strbuf_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Transfer ownership of the contents to the caller (free() them); the
 * buffer is left empty and must be strbuf_init'ed before reuse. */
char *strbuf_steal(StrBuf *b);

#endif /* HQC_STRBUF_H */
