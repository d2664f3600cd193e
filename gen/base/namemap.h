/* namemap.h - lookups by name in constant time, so that the cost of a run
 * grows linearly with the schema (a 5,000-table schema resolves 50,000
 * names; a linear scan per name made that quadratic).
 *
 * Two tools, both backed by the run's arena (nothing to free):
 *  - HqNameMap: a string -> pointer hash map; keys are not copied and must
 *    live as long as the map (arena strings do).
 *  - HqVecIndex: an index over an HqVec of structs that carry their name as
 *    a `const char *` at a fixed offset (HqTable.name, HqColumn.name, ...).
 *    It catches up lazily with items appended since the last lookup, and
 *    notices when items were removed or replaced (it rebuilds itself then),
 *    so the vector stays the single source of truth. A lookup returns the
 *    first item of that name in vector order, as a linear scan would. */
#ifndef HQC_NAMEMAP_H
#define HQC_NAMEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

typedef struct HqNameMap HqNameMap;

HqNameMap *namemap_new(HqArena *a);
/* The value stored for key, or NULL. */
void *namemap_get(const HqNameMap *m, const char *key);
/* Stores value for key (replacing an earlier value); returns the earlier
 * value or NULL. */
void *namemap_put(HqNameMap *m, const char *key, void *value);
size_t namemap_count(const HqNameMap *m);

/* FNV-1a of a NUL-terminated string (also for callers' own tables). */
uint64_t namemap_hash(const char *s);

/* A set of pointers (objects of the model: "this foreign key is deferred"). */
typedef struct HqPtrSet HqPtrSet;

HqPtrSet *ptrset_new(HqArena *a);
void ptrset_add(HqPtrSet *s, const void *p);
bool ptrset_has(const HqPtrSet *s, const void *p);

typedef struct HqVecIndex HqVecIndex;

/* The first item of v named `name`, or NULL. *idx starts NULL and is
 * created on first use; name_off is offsetof(Item, name). With a NULL
 * arena the vector is scanned. Replacing an item in place by one of
 * another name is not noticed: replace only by an item of the same name. */
void *vecindex_find(HqArena *a, HqVecIndex **idx, const HqVec *v, size_t name_off, const char *name);
/* The same, as a position in v; (size_t)-1 when absent. */
size_t vecindex_pos(HqArena *a, HqVecIndex **idx, const HqVec *v, size_t name_off, const char *name);

#endif /* HQC_NAMEMAP_H */
