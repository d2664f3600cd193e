/* tmpl.c - rendering the embedded templates: {name} placeholders, "{{"
 * escapes, and strictness (every placeholder has a value, every value is
 * used), so a template and the code that fills it cannot drift apart. */
#include "base/tmpl.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *tmpl, const char *what, const char *name, size_t len)
{
    fprintf(stderr, "hqc: internal error: template %s: %s \"%.*s\"\n", tmpl, what, (int)len, name);
    abort();
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

void tmpl_render(StrBuf *out, const char *name, const TmplVar *vars, size_t n_vars)
{
    const char *text = NULL;
    for (size_t i = 0; i < tmpl_n_files && !text; i++)
        if (!strcmp(tmpl_files[i].name, name))
            text = tmpl_files[i].text;
    if (!text)
        fail(name, "no such template", name, strlen(name));
    bool used[64] = {false};
    if (n_vars > 64)
        fail(name, "too many variables for", name, strlen(name));
    const char *line = text;
    while (*line) {
        const char *eol = strchr(line, '\n');
        const char *next = eol ? eol + 1 : line + strlen(line);
        for (const char *p = line; p < next;) {
            if (p[0] == '{' && p[1] == '{') {
                strbuf_putc(out, '{');
                p += 2;
                continue;
            }
            if (p[0] != '{') {
                const char *q = p;
                while (q < next && *q != '{')
                    q++;
                strbuf_putn(out, p, (size_t)(q - p));
                p = q;
                continue;
            }
            const char *start = p + 1, *q = start;
            while (is_name_char(*q))
                q++;
            if (q == start || *q != '}')
                fail(name, "malformed placeholder at", p, (size_t)(q - p) + (*q == '}'));
            size_t len = (size_t)(q - start);
            size_t k = 0;
            while (k < n_vars && (strlen(vars[k].name) != len || strncmp(vars[k].name, start, len)))
                k++;
            if (k == n_vars)
                fail(name, "placeholder without a value", start, len);
            used[k] = true;
            const char *value = vars[k].value ? vars[k].value : "";
            /* A line of just an empty placeholder disappears. */
            if (!*value && p == line && q + 1 == (eol ? eol : next)) {
                p = next;
                continue;
            }
            strbuf_puts(out, value);
            p = q + 1;
        }
        line = next;
    }
    for (size_t k = 0; k < n_vars; k++)
        if (!used[k])
            fail(name, "value for a placeholder it does not have:", vars[k].name, strlen(vars[k].name));
}
