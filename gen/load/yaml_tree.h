/* yaml_tree.h - a YAML document as a tree of nodes, each with its location.
 * The loader knows nothing about the schema language; build_*.c gives the
 * nodes meaning. All nodes live in the run's arena. */
#ifndef HQC_YAML_TREE_H
#define HQC_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"

typedef enum { YN_SCALAR, YN_SEQ, YN_MAP } YNodeKind;

typedef enum {
    YS_PLAIN, YS_SINGLE, YS_DOUBLE, YS_LITERAL, YS_FOLDED
} YScalarStyle;

typedef struct YNode YNode;

typedef struct {
    YNode *key;    /* always a scalar */
    YNode *value;
} YPair;

/* Laid out in 64 bytes (a schema has hundreds of thousands of nodes; the
 * load limits keep counts far below 2^32). */
struct YNode {
    YNodeKind kind;
    YScalarStyle style;    /* scalars */
    bool is_null;          /* scalars: plain "", "~" or "null" */
    HqLoc loc;             /* where the node starts in its file */
    /* sequences: items; mappings: pairs, in document order */
    uint32_t n_items;
    uint32_t n_pairs;
    const char *text;      /* scalar value (never NULL for scalars) */
    YNode **items;
    YPair *pairs;
    const char *source;    /* whole file text, to map offsets inside scalars */
};

/* Parse one YAML file into a tree. Returns NULL (after reporting a
 * diagnostic) on a syntax error or when the file cannot be read (then
 * *io_error is set). An empty file yields an empty mapping. */
YNode *yaml_load_file(HqArena *a, const char *path, bool *io_error);
/* Parse YAML text that has already been read (path is for diagnostics). */
YNode *yaml_load_text(HqArena *a, const char *path, const char *text, size_t len);

/* Mapping lookup; NULL when absent or when map is not a mapping. */
YNode *yaml_get(const YNode *map, const char *key);
/* Location in the source of byte `offset` of a scalar's value, for every
 * scalar style (an offset on a blank maps to just after the preceding
 * non-blank). The node's own location when it has no source text. */
HqLoc yaml_offset_loc(const YNode *scalar, size_t offset);
const char *yaml_kind_name(YNodeKind k);

#endif /* HQC_YAML_TREE_H */
