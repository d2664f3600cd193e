/* emit_docs_int.h - internal to emit_docs*.c: the cross-reference index the
 * documentation pages are built from (who reads, writes or calls what), and
 * the Markdown helpers every page uses. Strings returned by the md_ and
 * docs_ helpers live in the model's arena; page texts are malloc'ed. */
#ifndef HQC_EMIT_DOCS_INT_H
#define HQC_EMIT_DOCS_INT_H

#include <stdbool.h>

#include "emit/emit.h"
#include "base/strbuf.h"

/* How a piece of SQL uses a table. */
enum { DOC_USE_NONE = 0, DOC_USE_READ = 1, DOC_USE_WRITE = 2 };

typedef struct {
    const HqModel *m;
    HqArena *a;
    size_t n_tables, n_functions, n_cron;
    const HqDomain **fn_domain;     /* per m->functions entry; NULL = no domain */
    const HqDomain **cron_domain;   /* per m->cron_jobs entry */
    unsigned char *fn_uses;         /* [fn * n_tables + table]: DOC_USE_* */
    unsigned char *cron_uses;       /* [cron * n_tables + table] */
    unsigned char *fn_calls;        /* [caller * n_functions + callee]: 1 = calls */
    unsigned char *cron_calls;      /* [cron * n_functions + fn] */
    const char **cron_slug;         /* page name of each cron job (names are free text) */
    HqVec *referrers;               /* per table: the foreign keys (HqConstraint*) that reference it */
    HqVec *referrer_tables;         /* per table: the table of each of those foreign keys */
    size_t *n_referring;            /* per table: tables other than itself that reference it */
} DocCtx;

/* ---- the index (emit_docs_xref.c) ----------------------------------------- */

/* Fill the index for model m (arrays in the model's arena). */
void docs_build_index(DocCtx *c, const HqModel *m);

/* Position in m->tables / m->functions / m->cron_jobs, or the count when absent
 * (platform objects, replaced function versions are looked up by name). */
size_t docs_table_index(const DocCtx *c, const HqTable *t);
size_t docs_function_index(const DocCtx *c, const char *name);
/* DOC_USE_* of table t in SQL text (word-boundary search for schema-qualified
 * names, and for bare names after FROM / JOIN / INTO / UPDATE / TABLE). */
int docs_sql_table_use(const DocCtx *c, const char *sql, const HqTable *t);
/* True when the SQL text calls function `name` (name followed by "("). */
bool docs_sql_calls(const DocCtx *c, const char *sql, const char *name);
/* Where enum value `value` of `e` is set or tested: linked function names,
 * trigger WHEN clauses and column defaults, separated by ", "; "" when none. */
const char *docs_value_users(const DocCtx *c, const HqEnum *e, const char *value, const char *up);
/* A cron schedule in words when it is a simple one ("every minute"), else NULL. */
const char *docs_schedule_words(HqArena *a, const char *schedule);

/* ---- Markdown (emit_docs_md.c) -------------------------------------------- */

/* Prose written in YAML (already Markdown): copied with "<" escaped outside
 * code spans, so "<agent name>" is not taken for an HTML tag. No final newline. */
void md_prose(StrBuf *b, const char *text);
/* Prose on one line, for list items and table cells ("|" escaped). */
void md_inline(StrBuf *b, const char *text, bool in_table);
/* An inline code span (newlines become spaces; "|" escaped inside tables). */
void md_code(StrBuf *b, const char *code, bool in_table);
/* A fenced code block with a fence longer than any backtick run inside. */
void md_fence(StrBuf *b, const char *lang, const char *text);
/* First paragraph / first sentence of a doc text (NULL stays NULL). */
const char *md_paragraph(HqArena *a, const char *doc);
const char *md_sentence(HqArena *a, const char *doc);
/* Finish a page: strip trailing blanks, collapse blank-line runs outside code
 * blocks, end with exactly one newline. Returns the malloc'ed text. */
char *md_finish(StrBuf *b);

/* Links from a page in directory `up` ("" for docs/, "../" for docs/x/). */
void md_link_table(StrBuf *b, const HqTable *t, const char *up);
void md_link_function(StrBuf *b, const HqFunction *f, const char *up);
void md_link_enum(StrBuf *b, const HqEnum *e, const char *up);
void md_link_module(StrBuf *b, const HqModule *mod, const char *up);
void md_link_cron(StrBuf *b, const DocCtx *c, size_t cron, const char *up);
/* A type, linked when it is an enum or a table of the schema. */
void md_type(StrBuf *b, const HqType *t, const char *up, bool in_table);
/* "name(arg, arg)" of a function, argument names only. */
const char *md_call(HqArena *a, const HqFunction *f);

/* ---- pages ---------------------------------------------------------------- */

/* A policy in words: "`authenticated` may read and write rows where ...". */
void docs_policy_words(StrBuf *b, const HqPolicy *p, bool in_table);

char *docs_table_page(const DocCtx *c, const HqTable *t);             /* emit_docs_table.c */
char *docs_function_page(const DocCtx *c, const HqFunction *f);       /* emit_docs_object.c */
char *docs_enum_page(const DocCtx *c, const HqEnum *e);
char *docs_cron_page(const DocCtx *c, size_t cron);
char *docs_module_page(const DocCtx *c, const HqModule *mod);
char *docs_view_page(const DocCtx *c, const HqView *v);
char *docs_erd_page(const DocCtx *c);                                 /* emit_docs_erd.c */
/* Lint exceptions (emit_docs_lint.c): the section of a page (those on table
 * t and its objects, on owner, or declared by module mod), nothing when
 * there are none; and the page listing them all. */
void docs_lint_section(const DocCtx *c, StrBuf *b, const HqTable *t, const void *owner, const HqModule *mod,
                       const char *up);
char *docs_lint_page(const DocCtx *c);
char *docs_schema_dot(const DocCtx *c);

#endif /* HQC_EMIT_DOCS_INT_H */
