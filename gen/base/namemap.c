/* namemap.c - open-addressing hash tables (linear probing, at most half
 * full) in the run's arena. A grown table abandons its old array to the
 * arena, as HqVec does. */
#include "base/namemap.h"

#include <string.h>

/* Vectors this short are scanned: building an index would cost more. */
#define SCAN_LIMIT 8

uint64_t namemap_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* ---- HqNameMap ---------------------------------------------------------- */

typedef struct {
    const char *key;   /* NULL = empty */
    uint64_t hash;
    void *value;
} MapEntry;

struct HqNameMap {
    HqArena *a;
    MapEntry *e;
    size_t cap, n;     /* cap is a power of two */
};

HqNameMap *namemap_new(HqArena *a)
{
    HqNameMap *m = arena_alloc(a, sizeof *m);
    m->a = a;
    m->cap = 16;
    m->e = arena_alloc(a, m->cap * sizeof *m->e);
    return m;
}

static MapEntry *map_slot(MapEntry *e, size_t cap, const char *key, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (e[i].key && (e[i].hash != h || strcmp(e[i].key, key)))
        i = (i + 1) & (cap - 1);
    return &e[i];
}

void *namemap_get(const HqNameMap *m, const char *key)
{
    MapEntry *s = map_slot(m->e, m->cap, key, namemap_hash(key));
    return s->key ? s->value : NULL;
}

void *namemap_put(HqNameMap *m, const char *key, void *value)
{
    uint64_t h = namemap_hash(key);
    MapEntry *s = map_slot(m->e, m->cap, key, h);
    if (s->key) {
        void *old = s->value;
        s->value = value;
        return old;
    }
    if (2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap * 2;
        MapEntry *e = arena_alloc(m->a, cap * sizeof *e);
        for (size_t i = 0; i < m->cap; i++)
            if (m->e[i].key)
                *map_slot(e, cap, m->e[i].key, m->e[i].hash) = m->e[i];
        m->e = e;
        m->cap = cap;
        s = map_slot(e, cap, key, h);
    }
    s->key = key;
    s->hash = h;
    s->value = value;
    m->n++;
    return NULL;
}

size_t namemap_count(const HqNameMap *m)
{
    return m->n;
}

/* ---- HqPtrSet ----------------------------------------------------------- */

struct HqPtrSet {
    HqArena *a;
    const void **e;    /* NULL = empty */
    size_t cap, n;
};

static size_t ptr_slot(const void *p, size_t cap)
{
    return (size_t)(((uintptr_t)p >> 4) * 11400714819323198485ull) & (cap - 1);
}

HqPtrSet *ptrset_new(HqArena *a)
{
    HqPtrSet *s = arena_alloc(a, sizeof *s);
    s->a = a;
    s->cap = 16;
    s->e = arena_alloc(a, s->cap * sizeof *s->e);
    return s;
}

bool ptrset_has(const HqPtrSet *s, const void *p)
{
    for (size_t k = ptr_slot(p, s->cap); s->e[k]; k = (k + 1) & (s->cap - 1))
        if (s->e[k] == p)
            return true;
    return false;
}

void ptrset_add(HqPtrSet *s, const void *p)
{
    if (!p || ptrset_has(s, p))
        return;
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = 2 * s->cap;
        const void **e = arena_alloc(s->a, cap * sizeof *e);
        for (size_t i = 0; i < s->cap; i++)
            if (s->e[i]) {
                size_t k = ptr_slot(s->e[i], cap);
                while (e[k])
                    k = (k + 1) & (cap - 1);
                e[k] = s->e[i];
            }
        s->e = e;
        s->cap = cap;
    }
    size_t k = ptr_slot(p, s->cap);
    while (s->e[k])
        k = (k + 1) & (s->cap - 1);
    s->e[k] = p;
    s->n++;
}

/* ---- HqVecIndex --------------------------------------------------------- */

typedef struct {
    uint64_t hash;
    size_t slot;       /* position in the vector + 1; 0 = empty */
} IdxEntry;

struct HqVecIndex {
    IdxEntry *e;
    size_t cap;
    size_t n_indexed;  /* v->items[0 .. n_indexed-1] are in the table */
    void *last;        /* v->items[n_indexed - 1] when they were indexed */
};

static const char *item_name(const HqVec *v, size_t i, size_t name_off)
{
    return *(const char *const *)((const char *)v->items[i] + name_off);
}

/* Adds item i unless an earlier item has its name (the first one wins). */
static void idx_add(IdxEntry *e, size_t cap, const HqVec *v, size_t name_off, size_t i, uint64_t h)
{
    const char *name = item_name(v, i, name_off);
    size_t k = (size_t)h & (cap - 1);
    for (; e[k].slot; k = (k + 1) & (cap - 1))
        if (e[k].hash == h && !strcmp(item_name(v, e[k].slot - 1, name_off), name))
            return;
    e[k].hash = h;
    e[k].slot = i + 1;
}

static void idx_sync(HqArena *a, HqVecIndex *x, const HqVec *v, size_t name_off)
{
    /* Items removed (the vector shrank, or what sat at the last indexed
     * position moved) or replaced: start over. */
    if (v->n < x->n_indexed || (x->n_indexed && v->items[x->n_indexed - 1] != x->last)) {
        memset(x->e, 0, x->cap * sizeof *x->e);
        x->n_indexed = 0;
    }
    if (x->n_indexed == v->n)
        return;
    if (2 * v->n > x->cap) {
        size_t cap = x->cap ? x->cap : 16;
        while (2 * v->n > cap)
            cap *= 2;
        x->e = arena_alloc(a, cap * sizeof *x->e);
        x->cap = cap;
        x->n_indexed = 0;
    }
    for (size_t i = x->n_indexed; i < v->n; i++) {
        const char *name = item_name(v, i, name_off);
        if (name)
            idx_add(x->e, x->cap, v, name_off, i, namemap_hash(name));
    }
    x->n_indexed = v->n;
    x->last = v->items[v->n - 1];
}

size_t vecindex_pos(HqArena *a, HqVecIndex **idx, const HqVec *v, size_t name_off, const char *name)
{
    if (!name)
        return (size_t)-1;
    if (v->n <= SCAN_LIMIT || !a || !idx) {
        for (size_t i = 0; i < v->n; i++) {
            const char *n = item_name(v, i, name_off);
            if (n && !strcmp(n, name))
                return i;
        }
        return (size_t)-1;
    }
    if (!*idx)
        *idx = arena_alloc(a, sizeof **idx);
    HqVecIndex *x = *idx;
    idx_sync(a, x, v, name_off);
    uint64_t h = namemap_hash(name);
    for (size_t k = (size_t)h & (x->cap - 1); x->e[k].slot; k = (k + 1) & (x->cap - 1))
        if (x->e[k].hash == h && !strcmp(item_name(v, x->e[k].slot - 1, name_off), name))
            return x->e[k].slot - 1;
    return (size_t)-1;
}

void *vecindex_find(HqArena *a, HqVecIndex **idx, const HqVec *v, size_t name_off, const char *name)
{
    size_t i = vecindex_pos(a, idx, v, name_off, name);
    return i == (size_t)-1 ? NULL : v->items[i];
}
