/* emit_docs_erd.c - diagrams drawn from the foreign keys: a Mermaid
 * erDiagram per domain (docs/erd.md) and a Graphviz graph of the whole
 * schema (docs/schema.dot, rendered to SVG by `make docs`).
 *
 * Tables show their key columns only (primary, foreign, unique), so the
 * pictures stay readable. A "hub" table that most tables reference (the
 * tenant registry) would tie every table to one node; references to hubs
 * are left out and named in a note instead. */
#include <string.h>

#include "emit/docs/emit_docs_int.h"
#include "base/tmpl.h"

static const char *take(const DocCtx *c, StrBuf *b)
{
    const char *r = arena_strdup(c->a, b->data);
    strbuf_reset(b);
    return r;
}

/* Tables referenced by more than half of all tables. */
static bool is_hub(const DocCtx *c, const HqTable *t)
{
    size_t i = docs_table_index(c, t);
    return c->n_tables >= 4 && i < c->n_tables && c->n_referring[i] * 2 > c->n_tables;
}

static bool drawn_fk(const DocCtx *c, const HqConstraint *fk)
{
    return fk->kind == HQ_CON_FOREIGN && fk->ref_table && !fk->ref_table->platform && !is_hub(c, fk->ref_table);
}

/* Key markers of a column: "PK", "FK", "UK" joined by ", "; "" for none. */
static const char *key_marks(const DocCtx *c, const HqTable *t, const HqColumn *col)
{
    bool pk = false, fk = false, uk = false;
    for (size_t i = 0; i < t->constraints.n; i++) {
        const HqConstraint *k = t->constraints.items[i];
        for (size_t j = 0; j < k->n_columns; j++) {
            if (strcmp(k->columns[j], col->name))
                continue;
            pk |= k->kind == HQ_CON_PRIMARY;
            fk |= k->kind == HQ_CON_FOREIGN && drawn_fk(c, k);
            uk |= k->kind == HQ_CON_UNIQUE && k->n_columns == 1;
        }
    }
    return arena_printf(c->a, "%s%s%s%s%s", pk ? "PK" : "", pk && (fk || uk) ? ", " : "", fk ? "FK" : "",
                        fk && uk ? ", " : "", uk ? "UK" : "");
}

/* A type as Mermaid accepts it (letters, digits, "_", "-", "[]"): the
 * written name without modifiers ("numeric(10,2)" -> "numeric"). */
static void mermaid_type(StrBuf *b, const HqType *t)
{
    const char *w = t->written ? t->written : t->name ? t->name : "unknown";
    for (const char *p = w; *p && *p != '(' && *p != '['; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        strbuf_putc(b, ok ? ch : '_');
    }
    for (int i = 0; i < t->array_dims; i++)
        strbuf_puts(b, "[]");
}

/* True when the columns of fk are NOT NULL in t / form a unique key of t. */
static bool fk_not_null(const HqTable *t, const HqConstraint *fk)
{
    for (size_t i = 0; i < fk->n_columns; i++) {
        const HqColumn *col = model_find_column(t, fk->columns[i]);
        if (!col || !col->final_not_null)
            return false;
    }
    return true;
}

static bool fk_unique(const HqTable *t, const HqConstraint *fk)
{
    for (size_t i = 0; i < t->constraints.n; i++) {
        const HqConstraint *k = t->constraints.items[i];
        if ((k->kind != HQ_CON_PRIMARY && k->kind != HQ_CON_UNIQUE) || k->n_columns != fk->n_columns)
            continue;
        bool same = true;
        for (size_t j = 0; j < k->n_columns && same; j++)
            same = !strcmp(k->columns[j], fk->columns[j]);
        if (same)
            return true;
    }
    return false;
}

static void fk_label(StrBuf *b, const HqConstraint *fk)
{
    for (size_t j = 0; j < fk->n_columns; j++)
        strbuf_printf(b, "%s%s", j ? ", " : "", fk->columns[j]);
}

static void mermaid_domain(const DocCtx *c, StrBuf *b, const HqDomain *d)
{
    strbuf_puts(b, "```mermaid\nerDiagram\n");
    for (size_t i = 0; i < c->n_tables; i++) {
        const HqTable *t = c->m->tables.items[i];
        if (t->domain != d)
            continue;
        strbuf_printf(b, "    %s {\n", t->name);
        for (size_t k = 0; k < t->columns.n; k++) {
            const HqColumn *col = t->columns.items[k];
            const char *marks = key_marks(c, t, col);
            if (!*marks)
                continue;
            strbuf_puts(b, "        ");
            mermaid_type(b, &col->type);
            strbuf_printf(b, " %s %s\n", col->name, marks);
        }
        strbuf_puts(b, "    }\n");
    }
    for (size_t i = 0; i < c->n_tables; i++) {
        const HqTable *t = c->m->tables.items[i];
        if (t->domain != d)
            continue;
        for (size_t k = 0; k < t->constraints.n; k++) {
            const HqConstraint *fk = t->constraints.items[k];
            if (!drawn_fk(c, fk))
                continue;
            strbuf_printf(b, "    %s %s--%s %s : \"", fk->ref_table->name, fk_not_null(t, fk) ? "||" : "|o",
                          fk_unique(t, fk) ? "o|" : "o{", t->name);
            fk_label(b, fk);
            strbuf_puts(b, "\"\n");
        }
    }
    strbuf_puts(b, "```\n\n");
}

static void hub_note(const DocCtx *c, StrBuf *b)
{
    for (size_t i = 0; i < c->n_tables; i++) {
        const HqTable *hub = c->m->tables.items[i];
        if (!is_hub(c, hub))
            continue;
        strbuf_printf(b, "%zu tables reference ", c->n_referring[i]);
        md_link_table(b, hub, "");
        strbuf_puts(b, "; those references are left out of the diagrams.\n");
    }
}

char *docs_erd_page(const DocCtx *c)
{
    const HqModel *m = c->m;
    StrBuf b;
    strbuf_init(&b);
    hub_note(c, &b);
    const char *note = take(c, &b);
    for (size_t i = 0; i <= m->project.domains.n; i++) {
        const HqDomain *d = i < m->project.domains.n ? m->project.domains.items[i] : NULL;
        size_t n = 0;
        for (size_t t = 0; t < c->n_tables; t++)
            n += ((HqTable *)m->tables.items[t])->domain == d;
        if (!n)
            continue;
        strbuf_printf(&b, "## %s\n\n", d ? d->title : "Other");
        for (size_t t = 0, k = 0; t < c->n_tables; t++) {
            const HqTable *tab = m->tables.items[t];
            if (tab->domain != d)
                continue;
            strbuf_puts(&b, k++ ? ", " : "Tables: ");
            md_link_table(&b, tab, "");
        }
        strbuf_puts(&b, ".\n\n");
        mermaid_domain(c, &b, d);
    }
    const char *diagrams = take(c, &b);
    const TmplVar vars[] = {{"hub_note", note}, {"diagrams", diagrams}};
    tmpl_render(&b, "docs_erd.md.in", vars, sizeof vars / sizeof vars[0]);
    return md_finish(&b);
}

/* ---- Graphviz -------------------------------------------------------------- */

static void html(StrBuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': strbuf_puts(b, "&amp;"); break;
        case '<': strbuf_puts(b, "&lt;"); break;
        case '>': strbuf_puts(b, "&gt;"); break;
        case '"': strbuf_puts(b, "&quot;"); break;
        default: strbuf_putc(b, *s); break;
        }
    }
}

/* A DOT string literal body: quotes and backslashes escaped. */
static void dot_str(StrBuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            strbuf_putc(b, '\\');
        strbuf_putc(b, *s == '\n' ? ' ' : *s);
    }
}

static void dot_node(const DocCtx *c, StrBuf *b, const HqTable *t)
{
    strbuf_puts(b, "    \"");
    dot_str(b, t->name);
    strbuf_puts(b, "\" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n");
    strbuf_puts(b, "      <tr><td bgcolor=\"#dde6f0\"><b>");
    html(b, t->name);
    strbuf_puts(b, "</b></td></tr>\n");
    size_t hidden = 0;
    for (size_t k = 0; k < t->columns.n; k++) {
        const HqColumn *col = t->columns.items[k];
        const char *marks = key_marks(c, t, col);
        if (!*marks) {
            hidden++;
            continue;
        }
        strbuf_puts(b, "      <tr><td port=\"");
        html(b, col->name);
        strbuf_puts(b, "\" align=\"left\">");
        html(b, col->name);
        strbuf_puts(b, " <font color=\"#667788\">");
        html(b, col->type.written ? col->type.written : col->type.name);
        strbuf_puts(b, "</font> ");
        html(b, marks);
        strbuf_puts(b, "</td></tr>\n");
    }
    if (hidden)
        strbuf_printf(b, "      <tr><td align=\"left\"><font color=\"#667788\">+ %zu more column%s</font></td></tr>\n",
                      hidden, hidden == 1 ? "" : "s");
    strbuf_puts(b, "    </table>>];\n");
}

char *docs_schema_dot(const DocCtx *c)
{
    const HqModel *m = c->m;
    StrBuf b;
    strbuf_init(&b);
    for (size_t i = 0; i <= m->project.domains.n; i++) {
        const HqDomain *d = i < m->project.domains.n ? m->project.domains.items[i] : NULL;
        size_t n = 0;
        for (size_t t = 0; t < c->n_tables; t++)
            n += ((HqTable *)m->tables.items[t])->domain == d;
        if (!n)
            continue;
        strbuf_printf(&b, "  subgraph \"cluster_%s\" {\n    label=\"", d ? d->name : "other");
        dot_str(&b, d ? d->title : "Other");
        strbuf_puts(&b, "\"; style=rounded; color=\"#aabbcc\"; fontsize=12;\n");
        for (size_t t = 0; t < c->n_tables; t++) {
            const HqTable *tab = m->tables.items[t];
            if (tab->domain == d)
                dot_node(c, &b, tab);
        }
        strbuf_puts(&b, "  }\n\n");
    }
    const char *clusters = take(c, &b);
    for (size_t i = 0; i < c->n_tables; i++) {
        const HqTable *t = m->tables.items[i];
        for (size_t k = 0; k < t->constraints.n; k++) {
            const HqConstraint *fk = t->constraints.items[k];
            if (!drawn_fk(c, fk))
                continue;
            strbuf_puts(&b, "  \"");
            dot_str(&b, t->name);
            strbuf_puts(&b, "\":\"");
            dot_str(&b, fk->columns[0]);
            strbuf_puts(&b, "\" -> \"");
            dot_str(&b, fk->ref_table->name);
            strbuf_puts(&b, "\"");
            const char *col = fk->n_ref_columns         ? fk->ref_columns[0]
                              : fk->ref_table->primary_key ? fk->ref_table->primary_key->columns[0]
                                                           : NULL;
            const HqColumn *target = col ? model_find_column(fk->ref_table, col) : NULL;
            if (target && *key_marks(c, fk->ref_table, target)) {
                strbuf_puts(&b, ":\"");
                dot_str(&b, col);
                strbuf_puts(&b, "\"");
            }
            strbuf_puts(&b, fk_not_null(t, fk) ? ";\n" : " [style=dashed];\n");
        }
    }
    const char *edges = take(c, &b);
    strbuf_printf(&b, "%s: %zu tables; key columns only; dashed: nullable reference", m->project.name, c->n_tables);
    for (size_t i = 0; i < c->n_tables; i++)
        if (is_hub(c, m->tables.items[i]))
            strbuf_printf(&b, "; references to %s left out", ((HqTable *)m->tables.items[i])->name);
    StrBuf label;
    strbuf_init(&label);
    dot_str(&label, b.data);
    strbuf_reset(&b);
    StrBuf name;
    strbuf_init(&name);
    strbuf_putc(&name, '"');
    dot_str(&name, m->project.name);
    strbuf_putc(&name, '"');
    const TmplVar vars[] = {{"name", name.data}, {"label", label.data}, {"clusters", clusters}, {"edges", edges}};
    tmpl_render(&b, "docs_schema.dot.in", vars, sizeof vars / sizeof vars[0]);
    strbuf_free(&label);
    strbuf_free(&name);
    return strbuf_steal(&b);
}
