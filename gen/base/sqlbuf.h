/* sqlbuf.h - building SQL text: identifier and literal quoting, dollar
 * quoting, and the pieces of statements shared by the checker and the
 * emitter. Names typed into YAML always go through sqlbuf_ident. */
#ifndef HQC_SQLBUF_H
#define HQC_SQLBUF_H

#include "model/model.h"
#include "base/strbuf.h"

/* An identifier, quoted only when PostgreSQL's quote_identifier would. */
void sqlbuf_ident(StrBuf *b, const char *name);
/* "schema.name" as two identifiers; a name without a dot is left single. */
void sqlbuf_qualified(StrBuf *b, const char *dotted);
/* A string literal: '...' with quotes doubled, E'...' when it has backslashes. */
void sqlbuf_literal(StrBuf *b, const char *value);
/* A dollar-quoted string whose tag does not occur in the body. */
void sqlbuf_dollar(StrBuf *b, const char *body, const char *tag_hint);
/* A privilege list: "SELECT, INSERT" or "ALL". */
/* PL/pgSQL lines that show `msg` as a NOTICE even though the migration runs
 * with client_min_messages = warning. */
void sqlbuf_notice(StrBuf *b, const char *indent, const char *msg);
void sqlbuf_privileges(StrBuf *b, const char *const *privs, size_t n);
/* A role list: "authenticated, service_role" ("public" -> PUBLIC). */
void sqlbuf_roles(StrBuf *b, const char *const *roles, size_t n);
/* Argument list as in CREATE FUNCTION: with_defaults adds DEFAULT clauses. */
void sqlbuf_function_args(StrBuf *b, const HqFunction *f, bool with_defaults);
/* Identity signature: qualified name and argument types, for GRANT / COMMENT. */
void sqlbuf_function_signature(StrBuf *b, const HqFunction *f);
/* The complete CREATE OR REPLACE FUNCTION statement (without ';').
 * *body_offset receives the position of the body inside the text. */
void sqlbuf_create_function(StrBuf *b, const HqFunction *f, size_t *body_offset);

#endif /* HQC_SQLBUF_H */
