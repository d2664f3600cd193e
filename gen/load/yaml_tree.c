/* yaml_tree.c - libyaml event stream -> YNode tree with file:line:col marks.
 *
 * Accepted: one document per file; scalars, sequences, mappings; anchors
 * and aliases (an alias shares the anchored node). Rejected with a
 * diagnostic: duplicate mapping keys, non-scalar keys, multiple documents. */
#include "load/yaml_tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    const char *name;
    YNode *node;
} Anchor;

typedef struct {
    HqArena *a;
    uint32_t file;
    const char *source;
    yaml_parser_t parser;
    Anchor *anchors;
    size_t n_anchors, cap_anchors;
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
    l->n_anchors++;
}

static bool next_event(Loader *l, yaml_event_t *ev)
{
    if (yaml_parser_parse(&l->parser, ev))
        return true;
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

static YNode *parse_node(Loader *l, yaml_event_t *ev);

static YNode *parse_seq(Loader *l, YNode *n)
{
    HqVec items = {0};
    for (;;) {
        yaml_event_t ev;
        if (!next_event(l, &ev))
            return NULL;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        YNode *item = parse_node(l, &ev);
        if (!item)
            return NULL;
        vec_push(l->a, &items, item);
    }
    n->n_items = items.n;
    n->items = (YNode **)items.items;
    return n;
}

static YNode *parse_map(Loader *l, YNode *n)
{
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(l, &ev))
            return NULL;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        YNode *key = parse_node(l, &ev);
        if (!key)
            return NULL;
        if (!next_event(l, &ev))
            return NULL;
        YNode *value = parse_node(l, &ev);
        if (!value)
            return NULL;
        if (key->kind != YN_SCALAR) {
            diag_error(&key->loc, "mapping keys must be plain scalars");
            l->failed = true;
            continue;
        }
        YNode *dup = yaml_get(n, key->text);
        if (dup) {
            diag_error(&key->loc, "duplicate key \"%s\"", key->text);
            for (size_t i = 0; i < n->n_pairs; i++)
                if (strcmp(n->pairs[i].key->text, key->text) == 0)
                    diag_note(&n->pairs[i].key->loc, "first defined here");
            l->failed = true;
            continue;
        }
        if (n->n_pairs == cap) {
            cap = cap ? cap * 2 : 8;
            YPair *p = arena_alloc(l->a, cap * sizeof *p);
            if (n->n_pairs)
                memcpy(p, n->pairs, n->n_pairs * sizeof *p);
            n->pairs = p;
        }
        n->pairs[n->n_pairs].key = key;
        n->pairs[n->n_pairs].value = value;
        n->n_pairs++;
    }
    return n;
}

/* Consumes *ev (deletes it) and any events of the node's children. */
static YNode *parse_node(Loader *l, yaml_event_t *ev)
{
    YNode *n = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        n = new_node(l, YN_SCALAR, ev->start_mark);
        n->text = arena_strndup(l->a, (const char *)ev->data.scalar.value, ev->data.scalar.length);
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
        remember_anchor(l, ev->data.scalar.anchor, n);
        yaml_event_delete(ev);
        return n;
    }
    case YAML_SEQUENCE_START_EVENT:
        n = new_node(l, YN_SEQ, ev->start_mark);
        remember_anchor(l, ev->data.sequence_start.anchor, n);
        yaml_event_delete(ev);
        return parse_seq(l, n);
    case YAML_MAPPING_START_EVENT:
        n = new_node(l, YN_MAP, ev->start_mark);
        remember_anchor(l, ev->data.mapping_start.anchor, n);
        yaml_event_delete(ev);
        return parse_map(l, n);
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = l->n_anchors; i-- > 0;)
            if (strcmp(l->anchors[i].name, name) == 0) {
                n = l->anchors[i].node;
                break;
            }
        if (!n) {
            HqLoc loc = mark_loc(l, ev->start_mark);
            diag_error(&loc, "unknown YAML alias \"*%s\"", name);
            l->failed = true;
        }
        yaml_event_delete(ev);
        return n;
    }
    default: {
        HqLoc loc = mark_loc(l, ev->start_mark);
        diag_error(&loc, "unexpected YAML event");
        l->failed = true;
        yaml_event_delete(ev);
        return NULL;
    }
    }
}

YNode *yaml_load_text(HqArena *a, const char *path, const char *text, size_t len)
{
    Loader l = {.a = a, .file = diag_add_file(path), .source = text};
    yaml_parser_initialize(&l.parser);
    yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, len);
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
        default:
            root = parse_node(&l, &ev);
            if (!root)
                done = true;
            break;
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

YNode *yaml_load_file(HqArena *a, const char *path, bool *io_error)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        HqLoc loc = {diag_add_file(path), 0, 0};
        diag_error(&loc, "cannot open: %s", strerror(errno));
        *io_error = true;
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *p = realloc(buf, cap *= 2);
            if (!p)
                free(buf);
            buf = p;
        }
    }
    bool bad = !buf || ferror(f);
    int err = errno;
    fclose(f);
    if (bad) {
        HqLoc loc = {diag_add_file(path), 0, 0};
        diag_error(&loc, "cannot read: %s", buf ? strerror(err) : "out of memory");
        free(buf);
        *io_error = true;
        return NULL;
    }
    char *text = arena_strndup(a, buf, len);
    free(buf);
    return yaml_load_text(a, path, text, len);
}

YNode *yaml_get(const YNode *map, const char *key)
{
    if (!map || map->kind != YN_MAP)
        return NULL;
    for (size_t i = 0; i < map->n_pairs; i++)
        if (strcmp(map->pairs[i].key->text, key) == 0)
            return map->pairs[i].value;
    return NULL;
}

/* Start of source line `line` (1-based) in the file text. */
static const char *line_start(const char *src, uint32_t line)
{
    for (uint32_t l = 1; l < line && *src; src++)
        if (*src == '\n')
            l++;
    return src;
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

/* Location of byte p of file text src (the column counts characters, as
 * libyaml's marks do). */
static HqLoc text_loc(uint32_t file, const char *src, const char *p)
{
    HqLoc loc = {file, 1, 1};
    for (const char *q = src; q < p; q++) {
        if (*q == '\n') {
            loc.line++;
            loc.col = 1;
        } else if ((*q & 0xC0) != 0x80) {
            loc.col++;
        }
    }
    return loc;
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
    const char *p = line_start(n->source, n->loc.line);
    for (uint32_t c = 1; c < n->loc.col && *p && *p != '\n'; c++)
        for (p++; (*p & 0xC0) == 0x80; p++)
            ;
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
