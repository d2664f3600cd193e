/* arena.h - region allocator: one per compiler run, freed as a whole.
 * Nothing allocated from an arena is freed piece by piece; on out-of-memory
 * the compiler aborts with a message (it has no way to continue). */
#ifndef HQC_ARENA_H
#define HQC_ARENA_H

#include <stddef.h>

typedef struct HqArena HqArena;

HqArena *arena_create(void);
void arena_destroy(HqArena *a);                 /* accepts NULL */
/* A number no other arena of this process has (caches keyed by arena use
 * it: a new arena may reuse a destroyed one's address). */
unsigned long arena_serial(const HqArena *a);
void *arena_alloc(HqArena *a, size_t size);      /* zeroed, aligned to 16 */
char *arena_strdup(HqArena *a, const char *s);   /* NULL stays NULL */
char *arena_strndup(HqArena *a, const char *s, size_t n);
char *arena_printf(HqArena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append-only growable array of pointers, backed by the arena. */
typedef struct {
    void **items;
    size_t n, cap;
} HqVec;

void vec_push(HqArena *a, HqVec *v, void *item);

#endif /* HQC_ARENA_H */
