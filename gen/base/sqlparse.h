/* sqlparse.h - SQL fragments through the real PostgreSQL parser (libpg_query).
 * Each call parses one kind of fragment and collects the names it refers to,
 * so checks can resolve them against the model. Results are copied into the
 * arena; nothing here reports diagnostics (the caller maps errors to YAML). */
#ifndef HQC_SQLPARSE_H
#define HQC_SQLPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

typedef struct {
    const char *message;   /* NULL when the parse succeeded */
    size_t offset;         /* byte offset into the fragment (0 if unknown) */
} SqlpError;

typedef struct {
    const char *schema;    /* NULL when unqualified */
    const char *name;
    int location;          /* byte offset into the fragment, -1 unknown */
    bool in_subquery;      /* inside a sub-SELECT without FROM: (SELECT auth.uid()) */
} SqlpName;

/* Names a fragment refers to. */
typedef struct {
    HqVec functions;       /* SqlpName*: function calls */
    HqVec columns;         /* SqlpName*: column references (last field; schema = qualifier) */
    HqVec tables;          /* SqlpName*: relations (FROM, INSERT INTO, UPDATE ...) */
    HqVec types;           /* SqlpName*: types in casts */
    HqVec strings;         /* SqlpName*: string literals cast to a type (name = literal, schema = type) */
    HqVec ctes;            /* SqlpName*: names of WITH queries (tables by those names are not relations) */
} SqlpRefs;

typedef struct {
    const char *schema, *name;  /* type name; pg_catalog stripped to NULL */
    const char *typmods;        /* "10,2" or NULL */
    int array_dims;
    bool setof;
} SqlpType;

typedef struct {
    const char *column;         /* plain column, or NULL for an expression */
    bool desc, nulls_first, nulls_last;
    const char *opclass;
} SqlpIndexElem;

bool sqlp_parse_type(HqArena *a, const char *text, SqlpType *out, SqlpError *err);
/* A scalar expression (default, CHECK, USING, WHEN, WHERE). */
bool sqlp_parse_expr(HqArena *a, const char *text, SqlpRefs *refs, SqlpError *err);
/* One element of an index key: "col", "col DESC", "lower(email)", "e vector_cosine_ops". */
bool sqlp_parse_index_elem(HqArena *a, const char *text, SqlpIndexElem *out, SqlpRefs *refs,
                           SqlpError *err);
typedef struct {
    const char *kind;      /* parse node name: "update_stmt", "create_stmt", ... */
    size_t offset;         /* byte offset of its first token in the text */
} SqlpStatement;

/* One or more SQL statements (sql function bodies, data steps, cron commands).
 * *n_statements receives their count and *statements (may be NULL) an
 * arena array describing each. */
bool sqlp_parse_statements(HqArena *a, const char *text, SqlpRefs *refs, size_t *n_statements,
                           const SqlpStatement **statements, SqlpError *err);
/* A whole CREATE FUNCTION ... LANGUAGE plpgsql statement through the PL/pgSQL
 * parser; body_offset is where the body starts inside `create_sql`. */
bool sqlp_parse_plpgsql(HqArena *a, const char *create_sql, size_t body_offset, SqlpError *err);
/* The names the SQL statements and expressions inside a PL/pgSQL function
 * refer to, and the types of its variables (`tasks%ROWTYPE` as type
 * "tasks"). Locations are byte offsets into the body (the text after
 * `body_offset` in `create_sql`): exact where the statement text is found
 * again in the body, else the start of its line. */
bool sqlp_plpgsql_refs(HqArena *a, const char *create_sql, size_t body_offset, SqlpRefs *refs, SqlpError *err);
/* Fingerprint of a statement list that ignores formatting (0 on error). */
unsigned long long sqlp_fingerprint(const char *text);
/* The parse tree of `text` as JSON without source positions, so two texts
 * that differ only in layout, comments or keyword case compare equal. With
 * plpgsql set, `text` is a whole CREATE FUNCTION statement. Returns an arena
 * string, or NULL when the text does not parse. */
const char *sqlp_canonical(HqArena *a, const char *text, bool plpgsql);

#endif /* HQC_SQLPARSE_H */
