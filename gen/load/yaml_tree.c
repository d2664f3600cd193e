/* yaml_tree.c - libyaml event stream -> YNode tree with file:line:col marks.
 *
 * Accepted: one UTF-8 document per file; scalars, sequences, mappings;
 * anchors and aliases (an alias shares the anchored node). Rejected with a
 * diagnostic: duplicate mapping keys, non-scalar keys, multiple documents,
 * NUL characters, an alias inside the node it names, and what exceeds the
 * limits of load/limits.h (file size, nesting, nodes with aliases counted
 * as often as they are used). */
#include "load/yaml_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "base/namemap.h"
#include "load/limits.h"

/* The text of a file, with what locating a byte offset in it needs. The
 * text follows the header in the same arena block, so a node's `source`
 * leads back to it. Every CP_STEP bytes a checkpoint records the line and
 * column there: a location costs at most CP_STEP bytes of counting, so
 * reporting many errors in a big file (or on one huge line) stays linear. */
#define CP_STEP 4096

typedef struct {
    HqArena *a;
    uint32_t file;
    size_t len;
    size_t n_cp;            /* 0 until first needed */
    HqLoc *cp;              /* cp[k]: location of byte k * CP_STEP */
    /* Big mappings of the file -> their key index (key -> pair index + 1),
     * so yaml_get on them is a hash lookup: an open-addressing table. */
    const YNode **big_maps;
    HqNameMap **big_keys;
    size_t big_cap, big_n;
} Source;

static Source *source_of(const char *text)
{
    return (Source *)(void *)(text - sizeof(Source));
}

static size_t ptr_slot(const void *p, size_t cap)
{
    return (size_t)(((uintptr_t)p >> 4) * 11400714819323198485ull) & (cap - 1);
}

/* Remember the key index of mapping n (parsed from this source). */
static void remember_keys(Source *s, const YNode *n, HqNameMap *keys)
{
    if (2 * (s->big_n + 1) > s->big_cap) {
        size_t cap = s->big_cap ? 2 * s->big_cap : 16;
        const YNode **maps = arena_alloc(s->a, cap * sizeof *maps);
        HqNameMap **idx = arena_alloc(s->a, cap * sizeof *idx);
        for (size_t i = 0; i < s->big_cap; i++)
            if (s->big_maps[i]) {
                size_t k = ptr_slot(s->big_maps[i], cap);
                while (maps[k])
                    k = (k + 1) & (cap - 1);
                maps[k] = s->big_maps[i];
                idx[k] = s->big_keys[i];
            }
        s->big_maps = maps;
        s->big_keys = idx;
        s->big_cap = cap;
    }
    size_t k = ptr_slot(n, s->big_cap);
    while (s->big_maps[k])
        k = (k + 1) & (s->big_cap - 1);
    s->big_maps[k] = n;
    s->big_keys[k] = keys;
    s->big_n++;
}

static HqNameMap *keys_of(const YNode *n)
{
    const Source *s = source_of(n->source);
    for (size_t k = s->big_cap ? ptr_slot(n, s->big_cap) : 0; s->big_cap && s->big_maps[k];
         k = (k + 1) & (s->big_cap - 1))
        if (s->big_maps[k] == n)
            return s->big_keys[k];
    return NULL;
}

/* A zeroed block for len bytes of text (plus NUL) behind its header. */
static char *source_alloc(HqArena *a, uint32_t file, size_t len)
{
    Source *s = arena_alloc(a, sizeof(Source) + len + 1);
    s->a = a;
    s->file = file;
    s->len = len;
    return (char *)(s + 1);
}

typedef struct {
    const char *name;
    YNode *node;
    size_t weight;          /* nodes it stands for, aliases expanded; 0 while open */
} Anchor;

typedef struct {
    HqArena *a;
    uint32_t file;
    const char *source;
    yaml_parser_t parser;
    Anchor *anchors;
    size_t n_anchors, cap_anchors;
    int depth;
    bool failed;
} Loader;

static HqLoc mark_loc(const Loader *l, yaml_mark_t m)
{
    /* libyaml counts from 0; diagnostics are 1-based. */
    HqLoc loc = {l->file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
    return loc;
}

static void remember_anchor(Loader *l, const unsigned char *anchor, YNode *n)
{
    if (!anchor)
        return;
    if (l->n_anchors == l->cap_anchors) {
        l->cap_anchors = l->cap_anchors ? 2 * l->cap_anchors : 8;
        Anchor *p = realloc(l->anchors, l->cap_anchors * sizeof *p);
        if (!p)
            abort();
        l->anchors = p;
    }
    l->anchors[l->n_anchors].name = arena_strdup(l->a, (const char *)anchor);
    l->anchors[l->n_anchors].node = n;
    l->anchors[l->n_anchors].weight = 0;
    l->n_anchors++;
}

/* The anchor of node n is complete: aliases may now refer to it. */
static void close_anchor(Loader *l, const YNode *n, size_t weight)
{
    for (size_t i = l->n_anchors; i-- > 0;)
        if (l->anchors[i].node == n) {
            l->anchors[i].weight = weight;
            return;
        }
}


/* n more nodes (or an alias standing for n nodes) at loc; false when the
 * run's budget is spent (reported once). */
static bool take_nodes(Loader *l, size_t n, HqLoc loc)
{
    if (limits_take_nodes(n))
        return true;
    if (limits_first_report())
        diag_error(&loc, "too much YAML: more than %zu nodes in this run, aliases expanded (see \"Limits\" in "
                   "docs/schema-language.md)", LIMIT_NODES);
    l->failed = true;
    return false;
}

/* The location of a byte offset of the file text. */
static HqLoc text_loc(uint32_t file, const char *src, const char *p);

static bool next_event(Loader *l, yaml_event_t *ev)
{
    if (yaml_parser_parse(&l->parser, ev))
        return true;
    if (l->parser.error == YAML_READER_ERROR) {
        /* Bad bytes: libyaml gives a byte offset, not a mark. */
        size_t off = l->parser.problem_offset <= source_of(l->source)->len ? l->parser.problem_offset : 0;
        HqLoc loc = text_loc(l->file, l->source, l->source + off);
        int v = l->parser.problem_value;
        if (v >= 0 && l->parser.problem && strstr(l->parser.problem, "octet"))
            diag_error(&loc, "invalid YAML: %s (byte 0x%02X); schema files are UTF-8", l->parser.problem, v & 0xFF);
        else if (v >= 0)
            diag_error(&loc, "invalid YAML: %s (U+%04X)", l->parser.problem ? l->parser.problem : "bad character", v);
        else
            diag_error(&loc, "invalid YAML: %s", l->parser.problem ? l->parser.problem : "bad input");
        l->failed = true;
        return false;
    }
    HqLoc loc = mark_loc(l, l->parser.problem_mark);
    const char *ctx = l->parser.context;
    diag_error(&loc, "invalid YAML: %s%s%s", l->parser.problem ? l->parser.problem : "syntax error",
               ctx ? " " : "", ctx ? ctx : "");
    /* The problem mark is often the end of the file; the context mark is
     * where the unfinished construct ("while parsing a flow mapping") began. */
    HqLoc at = mark_loc(l, l->parser.context_mark);
    if (ctx && (at.line != loc.line || at.col != loc.col)) {
        static const char *const prefixes[] = {"while parsing ", "while scanning ", "a ", "an "};
        for (size_t i = 0; i < 4; i++)
            if (!strncmp(ctx, prefixes[i], strlen(prefixes[i])))
                ctx += strlen(prefixes[i]);
        diag_note(&at, "the %s starts here", ctx);
    }
    l->failed = true;
    return false;
}

static YNode *new_node(Loader *l, YNodeKind kind, yaml_mark_t m)
{
    YNode *n = arena_alloc(l->a, sizeof *n);
    n->kind = kind;
    n->loc = mark_loc(l, m);
    n->source = l->source;
    return n;
}

/* Collects a collection's children in malloc'ed scratch memory, then
 * copies them to the arena at their final size (no abandoned arrays). */
typedef struct {
    void *items;
    size_t n, cap, size;     /* size: bytes of one item */
} Scratch;

static void *scratch_push(Scratch *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        void *p = realloc(s->items, s->cap * s->size);
        if (!p)
            abort();
        s->items = p;
    }
    return (char *)s->items + s->n++ * s->size;
}

static void *scratch_finish(HqArena *a, Scratch *s)
{
    void *out = arena_alloc(a, (s->n + 1) * s->size);
    if (s->n)
        memcpy(out, s->items, s->n * s->size);
    free(s->items);
    return out;
}

static YNode *parse_node(Loader *l, yaml_event_t *ev, size_t *weight);

static YNode *parse_seq(Loader *l, YNode *n, size_t *weight)
{
    Scratch items = {.size = sizeof(YNode *)};
    for (;;) {
        yaml_event_t ev;
        if (!next_event(l, &ev))
            break;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            n->n_items = (uint32_t)items.n;
            n->items = scratch_finish(l->a, &items);
            return n;
        }
        size_t w = 0;
        YNode *item = parse_node(l, &ev, &w);
        if (!item)
            break;
        *weight += w;
        *(YNode **)scratch_push(&items) = item;
    }
    free(items.items);
    return NULL;
}

/* Index of the pair with key `key` among the first n, or -1: a scan for
 * small mappings, a hash map (key -> index + 1) for big ones. */
static long find_key(Loader *l, const YPair *pairs, size_t n, HqNameMap **map, const char *key)
{
    enum { SCAN = 16 };
    if (n <= SCAN && !*map) {
        for (size_t i = 0; i < n; i++)
            if (!strcmp(pairs[i].key->text, key))
                return (long)i;
        return -1;
    }
    if (!*map) {
        *map = namemap_new(l->a);
        for (size_t i = 0; i < n; i++)
            if (!namemap_get(*map, pairs[i].key->text))
                namemap_put(*map, pairs[i].key->text, (void *)(uintptr_t)(i + 1));
    }
    uintptr_t at = (uintptr_t)namemap_get(*map, key);
    return (long)at - 1;
}

static YNode *parse_map(Loader *l, YNode *n, size_t *weight)
{
    Scratch pairs = {.size = sizeof(YPair)};
    HqNameMap *keys = NULL;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(l, &ev))
            break;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            n->n_pairs = (uint32_t)pairs.n;
            n->pairs = scratch_finish(l->a, &pairs);
            if (keys)
                remember_keys(source_of(l->source), n, keys);
            return n;
        }
        size_t wk = 0, wv = 0;
        YNode *key = parse_node(l, &ev, &wk);
        if (!key)
            break;
        if (!next_event(l, &ev))
            break;
        YNode *value = parse_node(l, &ev, &wv);
        if (!value)
            break;
        *weight += wk + wv;
        if (key->kind != YN_SCALAR) {
            diag_error(&key->loc, "mapping keys must be plain scalars");
            l->failed = true;
            continue;
        }
        long dup = find_key(l, pairs.items, pairs.n, &keys, key->text);
        if (dup >= 0) {
            diag_error(&key->loc, "duplicate key \"%s\"", key->text);
            diag_note(&((YPair *)pairs.items)[dup].key->loc, "first defined here");
            l->failed = true;
            continue;
        }
        if (keys)
            namemap_put(keys, key->text, (void *)(uintptr_t)(pairs.n + 1));
        YPair *p = scratch_push(&pairs);
        p->key = key;
        p->value = value;
    }
    free(pairs.items);
    return NULL;
}

/* Consumes *ev (deletes it) and any events of the node's children; *weight
 * receives the number of nodes it stands for, aliases expanded. */
static YNode *parse_node(Loader *l, yaml_event_t *ev, size_t *weight)
{
    YNode *n = NULL;
    HqLoc loc = mark_loc(l, ev->start_mark);
    *weight = 1;
    if (ev->type != YAML_ALIAS_EVENT && !take_nodes(l, 1, loc)) {
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        n = new_node(l, YN_SCALAR, ev->start_mark);
        const char *value = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        n->text = arena_strndup(l->a, value, len);
        switch (ev->data.scalar.style) {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = YS_SINGLE; break;
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = YS_DOUBLE; break;
        case YAML_LITERAL_SCALAR_STYLE: n->style = YS_LITERAL; break;
        case YAML_FOLDED_SCALAR_STYLE: n->style = YS_FOLDED; break;
        default: n->style = YS_PLAIN; break;
        }
        n->is_null = n->style == YS_PLAIN &&
                     (!*n->text || !strcmp(n->text, "~") || !strcmp(n->text, "null") ||
                      !strcmp(n->text, "Null") || !strcmp(n->text, "NULL"));
        /* "\0" or "\x00" in a double-quoted scalar: C strings end there. */
        if (memchr(value, 0, len)) {
            diag_error(&loc, "a scalar must not contain a NUL character");
            l->failed = true;
        }
        remember_anchor(l, ev->data.scalar.anchor, n);
        close_anchor(l, n, 1);
        yaml_event_delete(ev);
        return n;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        n = new_node(l, seq ? YN_SEQ : YN_MAP, ev->start_mark);
        remember_anchor(l, seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor, n);
        yaml_event_delete(ev);
        if (l->depth >= LIMIT_DEPTH) {
            diag_error(&loc, "YAML nested more than %d levels deep (see \"Limits\" in docs/schema-language.md)",
                       LIMIT_DEPTH);
            l->failed = true;
            return NULL;
        }
        l->depth++;
        n = seq ? parse_seq(l, n, weight) : parse_map(l, n, weight);
        l->depth--;
        if (n)
            close_anchor(l, n, *weight);
        return n;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        const Anchor *an = NULL;
        for (size_t i = l->n_anchors; i-- > 0 && !an;)
            if (strcmp(l->anchors[i].name, name) == 0)
                an = &l->anchors[i];
        if (!an) {
            diag_error(&loc, "unknown YAML alias \"*%s\"", name);
            l->failed = true;
        } else if (!an->weight) {
            /* A node containing itself would make every walk endless. */
            diag_error(&loc, "YAML alias \"*%s\" refers to a node that contains it", name);
            l->failed = true;
        } else if (take_nodes(l, an->weight, loc)) {
            n = an->node;
            *weight = an->weight;
        }
        yaml_event_delete(ev);
        return n;
    }
    default:
        diag_error(&loc, "unexpected YAML event");
        l->failed = true;
        yaml_event_delete(ev);
        return NULL;
    }
}

/* Parse the text of a Source block. */
static YNode *load_source(HqArena *a, const char *text)
{
    const Source *src = source_of(text);
    Loader l = {.a = a, .file = src->file, .source = text};
    yaml_parser_initialize(&l.parser);
    yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, src->len);
    /* No guessing UTF-16 from a byte order mark: offsets are UTF-8 bytes. */
    yaml_parser_set_encoding(&l.parser, YAML_UTF8_ENCODING);
    YNode *root = NULL;
    yaml_event_t ev;
    bool done = false;
    while (!done && next_event(&l, &ev)) {
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            yaml_event_delete(&ev);
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (root) {
                HqLoc loc = mark_loc(&l, ev.start_mark);
                diag_error(&loc, "a schema file holds one YAML document");
                l.failed = true;
                done = true;
            }
            yaml_event_delete(&ev);
            break;
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            done = true;
            break;
        default: {
            size_t weight = 0;
            root = parse_node(&l, &ev, &weight);
            if (!root)
                done = true;
            break;
        }
        }
    }
    yaml_parser_delete(&l.parser);
    free(l.anchors);
    if (l.failed)
        return NULL;
    if (!root) {
        root = arena_alloc(a, sizeof *root);
        root->kind = YN_MAP;
        root->loc = (HqLoc){l.file, 1, 1};
        root->source = text;
    }
    return root;
}

/* Counts len bytes against the run's budget; false (reported) when over. */
static bool take_file_bytes(uint32_t file, size_t len)
{
    HqLoc loc = {file, 0, 0};
    if (len > LIMIT_FILE_BYTES) {
        diag_error(&loc, "file too big: %zu bytes, a schema file holds at most %zu (see \"Limits\" in "
                   "docs/schema-language.md)", len, LIMIT_FILE_BYTES);
        return false;
    }
    if (limits_take_bytes(len))
        return true;
    if (limits_first_report())
        diag_error(&loc, "too much YAML: the schema files of this run hold more than %zu bytes (see \"Limits\" in "
                   "docs/schema-language.md)", LIMIT_TOTAL_BYTES);
    return false;
}

YNode *yaml_load_text(HqArena *a, const char *path, const char *text, size_t len)
{
    uint32_t file = diag_add_file(path);
    if (!take_file_bytes(file, len))
        return NULL;
    char *copy = source_alloc(a, file, len);
    memcpy(copy, text, len);
    return load_source(a, copy);
}

YNode *yaml_load_file(HqArena *a, const char *path, bool *io_error)
{
    uint32_t file = diag_add_file(path);
    HqLoc loc = {file, 0, 0};
    /* O_NONBLOCK: a FIFO named like a schema file must not hang the run. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        diag_error(&loc, "cannot open: %s", strerror(errno));
        *io_error = true;
        return NULL;
    }
    struct stat st;
    int err = fstat(fd, &st) ? errno : S_ISDIR(st.st_mode) ? EISDIR : S_ISREG(st.st_mode) ? 0 : -1;
    if (err) {
        if (err > 0)
            diag_error(&loc, "cannot read: %s", strerror(err));
        else
            diag_error(&loc, "cannot read: not a regular file");
        close(fd);
        *io_error = true;
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    if (!take_file_bytes(file, size)) {
        close(fd);
        return NULL;
    }
    /* Read what fstat promised; a file that changes meanwhile is cut there. */
    char *text = source_alloc(a, file, size);
    size_t len = 0;
    while (len < size) {
        ssize_t got = read(fd, text + len, size - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            diag_error(&loc, "cannot read: %s", strerror(errno));
            close(fd);
            *io_error = true;
            return NULL;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    source_of(text)->len = len;
    text[len] = '\0';
    return load_source(a, text);
}

YNode *yaml_get(const YNode *map, const char *key)
{
    if (!map || map->kind != YN_MAP)
        return NULL;
    /* A big mapping as parsed (not a trait's copy of one) has a key index. */
    HqNameMap *keys = map->n_pairs > 16 && map->source ? keys_of(map) : NULL;
    if (keys) {
        uintptr_t at = (uintptr_t)namemap_get(keys, key);
        return at ? map->pairs[at - 1].value : NULL;
    }
    for (size_t i = 0; i < map->n_pairs; i++)
        if (strcmp(map->pairs[i].key->text, key) == 0)
            return map->pairs[i].value;
    return NULL;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* An escape sequence of a double-quoted scalar at p (a backslash): returns
 * its length in the source; *vbytes is the number of value bytes it
 * stands for (as UTF-8) and *blank whether those are blanks. */
static size_t dq_escape(const char *p, size_t *vbytes, bool *blank)
{
    *vbytes = 1;
    *blank = false;
    switch (p[1]) {
    case '\0':
        return 1;
    case '\r':
    case '\n': /* escaped line break: stands for nothing */
        *vbytes = 0;
        *blank = true;
        return 2;
    case 't': case '\t': case 'n': case 'r': case ' ':
        *blank = true;
        return 2;
    case 'N': case '_':
        *vbytes = 2;
        return 2;
    case 'L': case 'P':
        *vbytes = 3;
        return 2;
    case 'x': case 'u': case 'U': {
        size_t digits = p[1] == 'x' ? 2 : p[1] == 'u' ? 4 : 8, k = 0;
        unsigned long cp = 0;
        for (; k < digits && hex_value(p[2 + k]) >= 0; k++)
            cp = cp * 16 + (unsigned long)hex_value(p[2 + k]);
        *vbytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        return 2 + k;
    }
    default:
        return 2;
    }
}

/* Advance a location over bytes [p, end) (the column counts characters,
 * as libyaml's marks do). */
static HqLoc advance(HqLoc loc, const char *p, const char *end)
{
    for (; p < end; p++) {
        if (*p == '\n') {
            loc.line++;
            loc.col = 1;
        } else if ((*p & 0xC0) != 0x80) {
            loc.col++;
        }
    }
    return loc;
}

static void build_checkpoints(Source *s, const char *src)
{
    s->n_cp = s->len / CP_STEP + 1;
    s->cp = arena_alloc(s->a, s->n_cp * sizeof *s->cp);
    HqLoc loc = {s->file, 1, 1};
    for (size_t k = 0; k < s->n_cp; k++) {
        if (k)
            loc = advance(loc, src + (k - 1) * CP_STEP, src + k * CP_STEP);
        s->cp[k] = loc;
    }
}

/* Location of byte p of file text src. */
static HqLoc text_loc(uint32_t file, const char *src, const char *p)
{
    Source *s = source_of(src);
    if (!s->n_cp)
        build_checkpoints(s, src);
    size_t off = (size_t)(p - src);
    if (off > s->len)
        off = s->len;
    size_t k = off / CP_STEP;
    HqLoc loc = advance(s->cp[k], src + k * CP_STEP, src + off);
    loc.file = file;
    return loc;
}

/* The byte at line:col (1-based, col in characters) of file text src, or
 * the end of that line (or of the text) when it is shorter. */
static const char *loc_byte(const char *src, uint32_t line, uint32_t col)
{
    Source *s = source_of(src);
    if (!s->n_cp)
        build_checkpoints(s, src);
    /* The last checkpoint at or before the line's start. */
    size_t lo = 0, hi = s->n_cp;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->cp[mid].line < line)
            lo = mid;
        else
            hi = mid;
    }
    const char *p = src + lo * CP_STEP, *end = src + s->len;
    HqLoc at = s->cp[lo];
    for (; p < end && at.line < line; p++)
        if (*p == '\n') {
            at.line++;
            at.col = 1;
        }
    for (; p < end && *p != '\n' && at.col < col; at.col++)
        for (p++; p < end && (*p & 0xC0) == 0x80; p++)
            ;
    return p;
}

/* Folding, indentation, line breaks and quoting change only blanks, quotes
 * and escapes: every other byte of the value appears in the source in the
 * same order. So count the non-blank bytes before `offset` and find the
 * source byte that produced the next one. An offset on a blank (such as the
 * end of the value, "syntax error at end of input") maps to just after the
 * last non-blank byte before it. */
HqLoc yaml_offset_loc(const YNode *n, size_t offset)
{
    if (n->kind != YN_SCALAR || !n->source)
        return n->loc;
    const char *v = n->text;
    size_t len = strlen(v), want = 0;
    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++)
        want += !is_blank(v[i]);
    bool on_token = offset < len && !is_blank(v[offset]);
    if (!on_token && want == 0)
        return n->loc;

    /* The node's start mark: the first character, the opening quote or
     * the block indicator (whose line holds no content). */
    const char *p = loc_byte(n->source, n->loc.line, n->loc.col);
    if (n->style == YS_SINGLE || n->style == YS_DOUBLE)
        p++;
    else if (n->style == YS_LITERAL || n->style == YS_FOLDED)
        while (*p && *p != '\n')
            p++;
    size_t produced = 0;
    const char *after = NULL;
    while (*p) {
        size_t ulen = 1, vbytes = 1;
        bool blank = is_blank(*p);
        if (n->style == YS_SINGLE && *p == '\'') {
            if (p[1] != '\'')
                break;
            ulen = 2;
        } else if (n->style == YS_DOUBLE && *p == '"') {
            break;
        } else if (n->style == YS_DOUBLE && *p == '\\') {
            ulen = dq_escape(p, &vbytes, &blank);
        }
        if (!blank) {
            if (on_token && want < produced + vbytes)
                return text_loc(n->loc.file, n->source, p);
            produced += vbytes;
            after = p + ulen;
            if (!on_token && produced >= want)
                return text_loc(n->loc.file, n->source, after);
        }
        p += ulen;
    }
    return after ? text_loc(n->loc.file, n->source, after) : n->loc;
}

const char *yaml_kind_name(YNodeKind k)
{
    return k == YN_SCALAR ? "a scalar" : k == YN_SEQ ? "a sequence" : "a mapping";
}
