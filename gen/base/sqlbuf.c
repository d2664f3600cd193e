/* sqlbuf.c - quoting rules follow PostgreSQL's quote_identifier and
 * quote_literal, with no <ctype.h> so the locale cannot change output. */
#include "base/sqlbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reserved and type/function-name keywords that must be quoted as
 * identifiers (PostgreSQL's kwlist.h, categories other than UNRESERVED). */
static const char *const keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
    "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
    "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout",
    "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "json_array",
    "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp",
    "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif",
    "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay",
    "placing", "position", "precision", "primary", "real", "references", "returning", "right",
    "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
    "symmetric", "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat",
    "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic",
    "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement",
    "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize",
    "xmltable",
};

static int cmp_kw(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool needs_quotes(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z') && *s != '_')
        return true;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return true;
    return bsearch(&s, keywords, sizeof keywords / sizeof *keywords, sizeof *keywords, cmp_kw) != NULL;
}

void sqlbuf_ident(StrBuf *b, const char *name)
{
    if (!needs_quotes(name)) {
        strbuf_puts(b, name);
        return;
    }
    strbuf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            strbuf_putc(b, '"');
        strbuf_putc(b, *p);
    }
    strbuf_putc(b, '"');
}

void sqlbuf_qualified(StrBuf *b, const char *dotted)
{
    const char *dot = strchr(dotted, '.');
    if (!dot) {
        sqlbuf_ident(b, dotted);
        return;
    }
    char schema[64];
    size_t n = (size_t)(dot - dotted) < sizeof schema - 1 ? (size_t)(dot - dotted) : sizeof schema - 1;
    memcpy(schema, dotted, n);
    schema[n] = '\0';
    sqlbuf_ident(b, schema);
    strbuf_putc(b, '.');
    sqlbuf_ident(b, dot + 1);
}

void sqlbuf_literal(StrBuf *b, const char *value)
{
    if (strchr(value, '\\'))
        strbuf_putc(b, 'E');
    strbuf_putc(b, '\'');
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\')
            strbuf_putc(b, *p);
        strbuf_putc(b, *p);
    }
    strbuf_putc(b, '\'');
}

void sqlbuf_dollar(StrBuf *b, const char *body, const char *tag_hint)
{
    char tag[80];
    size_t body_len = strlen(body);
    for (int n = 0;; n++) {
        if (n == 0)
            snprintf(tag, sizeof tag, "$%s$", tag_hint);
        else
            snprintf(tag, sizeof tag, "$%s%d$", tag_hint, n);
        /* Nor may the body end in the tag less its final '$': "x $fn" +
         * "$fn$" would close at the body's "$fn$". */
        size_t open_len = strlen(tag) - 1;
        if (!strstr(body, tag) &&
            !(body_len >= open_len && !strncmp(body + body_len - open_len, tag, open_len)))
            break;
    }
    strbuf_puts(b, tag);
    strbuf_puts(b, body);
    strbuf_puts(b, tag);
}

void sqlbuf_privileges(StrBuf *b, const char *const *privs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_puts(b, ", ");
        for (const char *p = privs[i]; *p; p++)
            strbuf_putc(b, (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p);
    }
}

void sqlbuf_roles(StrBuf *b, const char *const *roles, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_puts(b, ", ");
        if (!strcmp(roles[i], "public"))
            strbuf_puts(b, "PUBLIC");
        else
            sqlbuf_ident(b, roles[i]);
    }
}

void sqlbuf_function_args(StrBuf *b, const HqFunction *f, bool with_defaults)
{
    static const char *const modes[] = {"", "OUT ", "INOUT ", "VARIADIC "};
    for (size_t i = 0; i < f->n_args; i++) {
        const HqArg *a = &f->args[i];
        if (i)
            strbuf_puts(b, ", ");
        strbuf_puts(b, modes[a->mode]);
        sqlbuf_ident(b, a->name);
        strbuf_putc(b, ' ');
        strbuf_puts(b, a->type.sql ? a->type.sql : "unknown");
        if (with_defaults && a->default_sql.text) {
            strbuf_puts(b, " DEFAULT ");
            strbuf_puts(b, a->default_sql.text);
        }
    }
}

void sqlbuf_function_signature(StrBuf *b, const HqFunction *f)
{
    sqlbuf_qualified(b, f->qname);
    strbuf_putc(b, '(');
    size_t k = 0;
    for (size_t i = 0; i < f->n_args; i++) {
        if (f->args[i].mode == HQ_ARG_OUT)
            continue;
        if (k++)
            strbuf_puts(b, ", ");
        strbuf_puts(b, f->args[i].type.sql ? f->args[i].type.sql : "unknown");
    }
    strbuf_putc(b, ')');
}

void sqlbuf_create_function(StrBuf *b, const HqFunction *f, size_t *body_offset)
{
    strbuf_puts(b, "CREATE OR REPLACE FUNCTION ");
    sqlbuf_qualified(b, f->qname);
    strbuf_putc(b, '(');
    sqlbuf_function_args(b, f, true);
    strbuf_puts(b, ")\n  RETURNS ");
    switch (f->ret_kind) {
    case HQ_RET_TABLE:
        strbuf_puts(b, "TABLE(");
        for (size_t i = 0; i < f->n_out; i++) {
            if (i)
                strbuf_puts(b, ", ");
            sqlbuf_ident(b, f->out[i].name);
            strbuf_putc(b, ' ');
            strbuf_puts(b, f->out[i].type.sql ? f->out[i].type.sql : "unknown");
        }
        strbuf_putc(b, ')');
        break;
    case HQ_RET_SETOF:
        strbuf_puts(b, "SETOF ");
        /* fall through */
    case HQ_RET_SCALAR:
        strbuf_puts(b, f->ret_type.sql ? f->ret_type.sql : "unknown");
        break;
    case HQ_RET_TRIGGER:
        strbuf_puts(b, "trigger");
        break;
    case HQ_RET_VOID:
        strbuf_puts(b, "void");
        break;
    }
    strbuf_printf(b, "\n  LANGUAGE %s", f->language);
    if (f->volatility == 's')
        strbuf_puts(b, " STABLE");
    else if (f->volatility == 'i')
        strbuf_puts(b, " IMMUTABLE");
    if (f->strict)
        strbuf_puts(b, " STRICT");
    if (f->security_definer)
        strbuf_puts(b, " SECURITY DEFINER");
    if (f->search_path) {
        strbuf_puts(b, "\n  SET search_path = ");
        if (!*f->search_path)
            strbuf_puts(b, "''");
        else
            strbuf_puts(b, f->search_path);
    }
    strbuf_puts(b, "\nAS ");
    const char *body = f->body.text ? f->body.text : "";
    /* The body offset is after the opening tag; find it by building the tag. */
    size_t before = b->len;
    sqlbuf_dollar(b, body, "fn");
    if (body_offset) {
        const char *open = b->data + before;
        const char *end = strchr(open + 1, '$');
        *body_offset = (size_t)(end + 1 - b->data);
    }
}

void sqlbuf_notice(StrBuf *b, const char *indent, const char *msg)
{
    strbuf_printf(b, "%sPERFORM pg_catalog.set_config('client_min_messages', 'notice', true);\n%sRAISE NOTICE '%%', ", indent,
                  indent);
    sqlbuf_literal(b, msg);
    strbuf_printf(b, ";\n%sPERFORM pg_catalog.set_config('client_min_messages', 'warning', true);\n", indent);
}
