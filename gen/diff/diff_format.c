/* diff_format.c - a schema diff as terminal text, Markdown for a pull
 * request comment, or JSON for bots. */
#include <string.h>

#include "base/json.h"
#include "diff/diff.h"

/* Markdown table cells: pipes escaped, newlines folded. */
static void md_cell(FILE *f, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '|')
            fputs("\\|", f);
        else if (*p == '\n')
            fputc(' ', f);
        else
            fputc(*p, f);
    }
}

static void counts(const DiffResult *r, size_t n[4])
{
    memset(n, 0, 4 * sizeof *n);
    for (size_t i = 0; i < r->changes.n; i++)
        n[((DiffChange *)r->changes.items[i])->cls]++;
}

void diff_print(const DiffResult *r, DiffFormat format, bool color, const char *old_name, const char *new_name, FILE *f)
{
    static const char *const colors[] = {"\033[32m", "\033[33m", "\033[35m", "\033[31m"};
    size_t n[4];
    counts(r, n);
    switch (format) {
    case DIFF_JSON:
        fputs("{\n  \"old\": ", f);
        json_str(f, old_name);
        fputs(",\n  \"new\": ", f);
        json_str(f, new_name);
        fprintf(f, ",\n  \"summary\": {\"safe\": %zu, \"lock\": %zu, \"breaking\": %zu, \"destructive\": %zu},\n"
                   "  \"changes\": [", n[0], n[1], n[2], n[3]);
        for (size_t i = 0; i < r->changes.n; i++) {
            const DiffChange *c = r->changes.items[i];
            fputs(i ? ",\n    {\"class\": " : "\n    {\"class\": ", f);
            json_str(f, diff_class_name(c->cls));
            fputs(", \"kind\": ", f);
            json_str(f, c->kind);
            fputs(", \"object\": ", f);
            json_str(f, c->object);
            fputs(", \"change\": ", f);
            json_str(f, c->what);
            if (c->detail) {
                fputs(", \"detail\": ", f);
                json_str(f, c->detail);
            }
            fputc('}', f);
        }
        fputs(r->changes.n ? "\n  ]\n}\n" : "]\n}\n", f);
        return;
    case DIFF_MARKDOWN:
        fprintf(f, "### Schema changes: `%s` → `%s`\n\n", old_name, new_name);
        if (!r->changes.n) {
            fputs("No schema changes.\n", f);
            return;
        }
        fprintf(f, "%zu changes: %zu safe, %zu need a rewrite or strong lock, %zu break callers, %zu destroy data.\n",
                r->changes.n, n[0], n[1], n[2], n[3]);
        /* Riskiest first; the safe ones folded, so a review starts where it matters. */
        static const char *const titles[] = {"Safe", "Needs a rewrite or strong lock", "Breaks callers", "Destroys data"};
        for (int cls = DIFF_DESTRUCTIVE; cls >= DIFF_SAFE; cls--) {
            if (!n[cls])
                continue;
            if (cls == DIFF_SAFE)
                fprintf(f, "\n<details><summary>%s (%zu)</summary>\n\n", titles[cls], n[cls]);
            else
                fprintf(f, "\n#### %s (%zu)\n\n", titles[cls], n[cls]);
            fputs("| kind | object | change | detail |\n|---|---|---|---|\n", f);
            for (size_t i = 0; i < r->changes.n; i++) {
                const DiffChange *c = r->changes.items[i];
                if ((int)c->cls != cls)
                    continue;
                fprintf(f, "| %s | `", c->kind);
                md_cell(f, c->object);
                fprintf(f, "` | %s | ", c->what);
                md_cell(f, c->detail);
                fputs(" |\n", f);
            }
            if (cls == DIFF_SAFE)
                fputs("\n</details>\n", f);
        }
        return;
    case DIFF_TEXT:
        for (size_t i = 0; i < r->changes.n; i++) {
            const DiffChange *c = r->changes.items[i];
            fprintf(f, "%s%-11s%s %s %s %s%s%s\n", color ? colors[c->cls] : "", diff_class_name(c->cls),
                    color ? "\033[0m" : "", c->kind, c->object, c->what, c->detail ? ": " : "",
                    c->detail ? c->detail : "");
        }
        fprintf(f, "%zu changes (%zu safe, %zu lock, %zu breaking, %zu destructive)\n", r->changes.n, n[0], n[1], n[2], n[3]);
        return;
    }
}
