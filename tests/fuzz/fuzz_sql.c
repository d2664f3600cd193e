/* fuzz_sql.c - libFuzzer harness: the SQL fragment checker. The first byte
 * picks where a fragment goes (column default, check, policy, index key or
 * predicate, trigger WHEN, SQL or PL/pgSQL body, cron command, data step,
 * view query, generated column, type) and how it is written in YAML
 * (literal or folded block, double- or single-quoted); the rest is the
 * fragment. The harness writes a module around it and runs build and every
 * check, so both libpg_query's parse and the mapping of its error offsets
 * back to file:line:col inside each YAML scalar style are exercised. */
#include "fuzz_common.h"
#include "fuzz_sql.h"

#include <string.h>

#include "base/sqlparse.h"
#include "base/strbuf.h"


static const char project[] =
    "project:\n"
    "  name: fuzz\n"
    "  roles: { authenticated: Signed in. }\n"
    "platform:\n"
    "  schemas: [auth, cron]\n"
    "  functions:\n"
    "    auth.uid: { returns: uuid }\n";

/* The fragment as a YAML value in `style`, for a key indented by `indent`. */
static void put_value(StrBuf *b, const char *s, size_t n, int style, int indent)
{
    switch (style) {
    case 0:
    case 1: /* literal / folded block, explicit indentation */
        strbuf_puts(b, style ? ">2-\n" : "|2-\n");
        for (int k = 0; k < indent + 2; k++)
            strbuf_putc(b, ' ');
        for (size_t i = 0; i < n; i++) {
            strbuf_putc(b, s[i]);
            if (s[i] == '\n')
                for (int k = 0; k < indent + 2; k++)
                    strbuf_putc(b, ' ');
        }
        break;
    case 2: /* double-quoted, every special byte escaped */
        strbuf_putc(b, '"');
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '"' || c == '\\')
                strbuf_printf(b, "\\%c", c);
            else if (c == '\n')
                strbuf_puts(b, "\\n");
            else if (c < 0x20 || c == 0x7f)
                strbuf_printf(b, "\\x%02x", c);
            else
                strbuf_putc(b, (char)c);
        }
        strbuf_putc(b, '"');
        break;
    default: /* single-quoted: '' for ', an empty line for a newline */
        strbuf_putc(b, '\'');
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\'')
                strbuf_puts(b, "''");
            else if (s[i] == '\n') {
                strbuf_puts(b, "\n\n");
                for (int k = 0; k < indent + 2; k++)
                    strbuf_putc(b, ' ');
            } else
                strbuf_putc(b, s[i]);
        }
        strbuf_putc(b, '\'');
        break;
    }
    strbuf_putc(b, '\n');
}

static void module(StrBuf *b, int kind, int style, const char *s, size_t n)
{
    strbuf_puts(b, "module: 001_fuzz\nsummary: A fragment\nfunctions:\n"
                   "  touch: { returns: trigger, body: \"BEGIN RETURN NEW; END\" }\n");
    if (kind == K_SQL_BODY || kind == K_PLPGSQL_BODY) {
        strbuf_printf(b, "  f:\n    language: %s\n    args: { x: integer }\n    returns: integer\n    body: ",
                      kind == K_SQL_BODY ? "sql" : "plpgsql");
        put_value(b, s, n, style, 4);
    }
    strbuf_puts(b, "tables:\n  t:\n    columns:\n      id: { type: bigint, primary_key: true }\n"
                   "      a: { type: text }\n      n: { type: integer }\n");
    static const char *const column_keys[] = {[K_DEFAULT] = "default", [K_GENERATED] = "generated",
                                              [K_TYPE] = "type"};
    if (kind == K_DEFAULT || kind == K_GENERATED || kind == K_TYPE) {
        strbuf_printf(b, "      x:\n        type: integer\n        %s: ", column_keys[kind]);
        put_value(b, s, n, style, 8);
        if (kind == K_TYPE)
            strbuf_puts(b, "        doc: typed\n");
    }
    if (kind == K_CHECK) {
        strbuf_puts(b, "    checks:\n      c1: ");
        put_value(b, s, n, style, 6);
    }
    if (kind == K_POLICY) {
        strbuf_puts(b, "    policies:\n      p:\n        to: [authenticated]\n        using: ");
        put_value(b, s, n, style, 8);
    }
    if (kind == K_INDEX_KEY || kind == K_INDEX_WHERE) {
        strbuf_puts(b, "    indexes:\n      i:\n");
        strbuf_puts(b, kind == K_INDEX_KEY ? "        key:\n          - " : "        key: [a]\n        where: ");
        put_value(b, s, n, style, kind == K_INDEX_KEY ? 10 : 8);
    }
    if (kind == K_WHEN) {
        strbuf_puts(b, "    triggers:\n      tr:\n        timing: before\n        events: [update]\n"
                       "        function: touch\n        when: ");
        put_value(b, s, n, style, 8);
    }
    if (kind == K_CRON) {
        strbuf_puts(b, "cron_jobs:\n  j:\n    schedule: \"* * * * *\"\n    command: ");
        put_value(b, s, n, style, 4);
    }
    if (kind == K_DATA_STEP) {
        strbuf_puts(b, "data_steps:\n  d:\n    sql: ");
        put_value(b, s, n, style, 4);
    }
    if (kind == K_VIEW) {
        strbuf_puts(b, "views:\n  v:\n    query: ");
        put_value(b, s, n, style, 4);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024)
        return 0;
    int kind = data[0] % N_KINDS, style = (data[0] / N_KINDS) % 4;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    StrBuf b;
    strbuf_init(&b);
    module(&b, kind, style, s, n);
    const char *dir = fuzz_dir("old");
    fuzz_write_one(dir, "001_fuzz.yaml", (const uint8_t *)b.data, b.len);
    fuzz_write_text(dir, "_project.yaml", project);
    strbuf_free(&b);

    HqArena *a = fuzz_begin();
    HqModel m;
    fuzz_build(a, dir, &m, true);
    /* The raw text through the parser entry points directly as well, as
     * far as it is a C string. */
    char *text = arena_strndup(a, s, n);
    SqlpRefs refs = {0};
    SqlpError err;
    SqlpType type;
    SqlpIndexElem elem;
    size_t n_statements;
    const SqlpStatement *statements;
    sqlp_parse_expr(a, text, &refs, &err);
    sqlp_parse_type(a, text, &type, &err);
    sqlp_parse_index_elem(a, text, &elem, &refs, &err);
    sqlp_parse_statements(a, text, &refs, &n_statements, &statements, &err);
    sqlp_canonical(a, text, false);
    fuzz_end(a);
    return 0;
}
