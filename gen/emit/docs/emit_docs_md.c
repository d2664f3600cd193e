/* emit_docs_md.c - Markdown text for the documentation pages: prose from
 * YAML, code spans and blocks, table cells, links between pages, and the
 * final tidy pass that keeps pages free of trailing blanks and blank runs. */
#include <stdlib.h>
#include <string.h>

#include "emit/docs/emit_docs_int.h"

/* Longest run of backticks in s. */
static size_t max_backticks(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* Copy text, escaping "<" outside code spans; in one-line mode newlines
 * become spaces and (in tables) "|" is escaped. */
static void prose(StrBuf *b, const char *s, bool one_line, bool in_table)
{
    size_t open = 0;                        /* backtick count of the open code span */
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == '`') {
            size_t n = 1;
            while (i + n < len && s[i + n] == '`')
                n++;
            if (space)
                strbuf_putc(b, ' ');
            if (!open)
                open = n;
            else if (n == open)
                open = 0;
            strbuf_putn(b, s + i, n);
            i += n - 1;
            space = false;
            continue;
        }
        if (one_line && (ch == '\n' || ch == ' ')) {
            space = true;
            continue;
        }
        if (space) {
            strbuf_putc(b, ' ');
            space = false;
        }
        if (ch == '<' && !open)
            strbuf_puts(b, "&lt;");
        else if (ch == '|' && in_table)
            strbuf_puts(b, "\\|");
        else
            strbuf_putc(b, ch);
    }
}

void md_prose(StrBuf *b, const char *text)
{
    if (text)
        prose(b, text, false, false);
}

void md_inline(StrBuf *b, const char *text, bool in_table)
{
    if (text)
        prose(b, text, true, in_table);
}

void md_code(StrBuf *b, const char *code, bool in_table)
{
    size_t ticks = max_backticks(code) + 1;
    bool pad = code[0] == '`' || (*code && code[strlen(code) - 1] == '`');
    for (size_t i = 0; i < ticks; i++)
        strbuf_putc(b, '`');
    if (pad)
        strbuf_putc(b, ' ');
    bool space = false, started = false;
    for (const char *p = code; *p; p++) {
        if (*p == '\n' || *p == ' ' || *p == '\t') {
            space = true;
            continue;
        }
        if (space && started)
            strbuf_putc(b, ' ');
        space = false;
        started = true;
        if (*p == '|' && in_table)
            strbuf_puts(b, "\\|");
        else
            strbuf_putc(b, *p);
    }
    if (pad)
        strbuf_putc(b, ' ');
    for (size_t i = 0; i < ticks; i++)
        strbuf_putc(b, '`');
}

void md_fence(StrBuf *b, const char *lang, const char *text)
{
    size_t ticks = max_backticks(text) + 1;
    if (ticks < 3)
        ticks = 3;
    for (size_t i = 0; i < ticks; i++)
        strbuf_putc(b, '`');
    strbuf_puts(b, lang);
    strbuf_putc(b, '\n');
    size_t len = strlen(text);
    while (len && text[len - 1] == '\n')
        len--;
    strbuf_putn(b, text, len);
    strbuf_putc(b, '\n');
    for (size_t i = 0; i < ticks; i++)
        strbuf_putc(b, '`');
    strbuf_putc(b, '\n');
}

const char *md_paragraph(HqArena *a, const char *doc)
{
    if (!doc)
        return NULL;
    while (*doc == '\n' || *doc == ' ')
        doc++;
    const char *end = strstr(doc, "\n\n");
    return arena_strndup(a, doc, end ? (size_t)(end - doc) : strlen(doc));
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* The first sentence ends at ". " before a capital letter or a backtick,
 * unless the period closes an abbreviation such as "e.g.". */
const char *md_sentence(HqArena *a, const char *doc)
{
    const char *p = md_paragraph(a, doc);
    if (!p)
        return NULL;
    size_t open = 0;
    for (const char *s = p; *s; s++) {
        if (*s == '`') {
            size_t n = 1;
            while (s[n] == '`')
                n++;
            open = !open ? n : n == open ? 0 : open;
            s += n - 1;
            continue;
        }
        if (open)
            continue;
        if (*s == '\n' && s > p) {
            /* A list starts: the sentence is what leads into it. */
            const char *q = s + 1;
            while (*q == ' ')
                q++;
            bool item = *q == '*' || *q == '-';
            while (*q >= '0' && *q <= '9')
                q++;
            item |= q > s + 1 && *q == '.' && q[-1] != ' ';
            if (item) {
                const char *e = s;
                while (e > p && (e[-1] == ':' || e[-1] == ' '))
                    e--;
                return arena_printf(a, "%.*s.", (int)(e - p), p);
            }
            continue;
        }
        if (*s != '.' || (s[1] != ' ' && s[1] != '\n'))
            continue;
        const char *next = s + 1;
        while (*next == ' ' || *next == '\n')
            next++;
        if (!is_upper(*next) && *next != '`')
            continue;
        if ((s - p >= 3 && (!strncmp(s - 3, "e.g", 3) || !strncmp(s - 3, "i.e", 3))) ||
            (s - p >= 2 && !strncmp(s - 2, "vs", 2)))
            continue;
        return arena_strndup(a, p, (size_t)(s - p) + 1);
    }
    return p;
}

char *md_finish(StrBuf *b)
{
    StrBuf out;
    strbuf_init(&out);
    size_t fence = 0;                       /* backticks of the open fence */
    int blank = 0;
    const char *s = b->data;
    while (*s) {
        const char *eol = strchr(s, '\n');
        size_t len = eol ? (size_t)(eol - s) : strlen(s);
        size_t trimmed = len;
        while (trimmed && (s[trimmed - 1] == ' ' || s[trimmed - 1] == '\t'))
            trimmed--;
        size_t ticks = 0;
        while (ticks < trimmed && s[ticks] == '`')
            ticks++;
        bool is_fence = ticks >= 3 && (!fence || (ticks >= fence && ticks == trimmed));
        if (!trimmed && !fence) {
            blank++;
        } else {
            if (blank && out.len)
                strbuf_putc(&out, '\n');
            blank = 0;
            strbuf_putn(&out, s, trimmed);
            strbuf_putc(&out, '\n');
        }
        if (is_fence)
            fence = fence ? 0 : ticks;
        s += len + (eol ? 1 : 0);
    }
    strbuf_free(b);
    return strbuf_steal(&out);
}

/* ---- links ---------------------------------------------------------------- */

void md_link_table(StrBuf *b, const HqTable *t, const char *up)
{
    if (t->platform) {
        strbuf_printf(b, "`%s`", t->qname);
        return;
    }
    strbuf_printf(b, "[`%s`](%stables/%s.md)", t->name, up, t->name);
}

void md_link_function(StrBuf *b, const HqFunction *f, const char *up)
{
    if (f->platform) {
        strbuf_printf(b, "`%s()`", f->qname);
        return;
    }
    strbuf_printf(b, "[`%s()`](%sfunctions/%s.md)", f->name, up, f->name);
}

void md_link_enum(StrBuf *b, const HqEnum *e, const char *up)
{
    strbuf_printf(b, "[`%s`](%senums/%s.md)", e->name, up, e->name);
}

void md_link_module(StrBuf *b, const HqModule *mod, const char *up)
{
    strbuf_printf(b, "[%s](%smodules/%s.md)", mod->name, up, mod->name);
}

void md_link_cron(StrBuf *b, const DocCtx *c, size_t cron, const char *up)
{
    const HqCronJob *j = c->m->cron_jobs.items[cron];
    strbuf_printf(b, "[`%s`](%scron_jobs/%s.md)", j->name, up, c->cron_slug[cron]);
}

void md_type(StrBuf *b, const HqType *t, const char *up, bool in_table)
{
    if (t->kind == HQ_TYPE_ENUM && t->enum_ref) {
        md_link_enum(b, t->enum_ref, up);
        for (int i = 0; i < t->array_dims; i++)
            strbuf_puts(b, "[]");
    } else if (t->kind == HQ_TYPE_TABLE && t->table_ref) {
        md_link_table(b, t->table_ref, up);
        for (int i = 0; i < t->array_dims; i++)
            strbuf_puts(b, "[]");
    } else {
        md_code(b, t->written ? t->written : t->name, in_table);
    }
}

const char *md_call(HqArena *a, const HqFunction *f)
{
    StrBuf s;
    strbuf_init(&s);
    strbuf_printf(&s, "%s(", f->name);
    size_t n = 0;
    for (size_t i = 0; i < f->n_args; i++) {
        if (f->args[i].mode == HQ_ARG_OUT)
            continue;
        strbuf_puts(&s, n++ ? ", " : "");
        strbuf_puts(&s, f->args[i].name ? f->args[i].name : "?");
    }
    strbuf_putc(&s, ')');
    const char *r = arena_strdup(a, s.data);
    strbuf_free(&s);
    return r;
}
