/* fuzz_seeds.c - writes the seed inputs of fuzz_sql: every SQL fragment of
 * the given schema directories, one file each (first byte: kind and the
 * YAML style it was written in, see fuzz_sql.h).
 *
 *   fuzz_seeds OUT_DIR SCHEMA_DIR...      (run by tests/fuzz/seeds.sh) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_sql.h"
#include "model/build.h"

static const char *out_dir;
static unsigned n_written;

static void seed(int kind, const char *text, const YNode *node)
{
    if (!text)
        return;
    int style = 0;
    if (node && node->style == YS_FOLDED)
        style = 1;
    else if (node && node->style == YS_DOUBLE)
        style = 2;
    else if (node && node->style == YS_SINGLE)
        style = 3;
    char path[4096];
    snprintf(path, sizeof path, "%s/sql-%05u", out_dir, n_written++);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputc(kind + N_KINDS * style, f);
    fputs(text, f);
    fclose(f);
}

static void sql(int kind, const HqSql *s)
{
    seed(kind, s->text, s->node);
}

static void table(const HqTable *t)
{
    for (size_t d = 0; d < t->deltas.n; d++) {
        const HqTableDelta *delta = t->deltas.items[d];
        for (size_t i = 0; i < delta->columns.n; i++) {
            const HqColumn *c = delta->columns.items[i];
            sql(K_DEFAULT, &c->default_sql);
            sql(K_GENERATED, &c->generated);
            seed(K_TYPE, c->type.written, NULL);
        }
        for (size_t i = 0; i < delta->constraints.n; i++) {
            const HqConstraint *c = delta->constraints.items[i];
            if (c->kind == HQ_CON_CHECK && !c->pattern)
                sql(K_CHECK, &c->check);
        }
        for (size_t i = 0; i < delta->indexes.n; i++) {
            const HqIndex *ix = delta->indexes.items[i];
            for (size_t k = 0; k < ix->n_keys; k++)
                sql(K_INDEX_KEY, &ix->keys[k]);
            sql(K_INDEX_WHERE, &ix->where);
        }
        for (size_t i = 0; i < delta->policies.n; i++) {
            const HqPolicy *p = delta->policies.items[i];
            sql(K_POLICY, &p->using_sql);
            sql(K_POLICY, &p->check_sql);
        }
        for (size_t i = 0; i < delta->triggers.n; i++)
            sql(K_WHEN, &((const HqTrigger *)delta->triggers.items[i])->when);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz_seeds OUT_DIR SCHEMA_DIR...\n");
        return 2;
    }
    out_dir = argv[1];
    for (int i = 2; i < argc; i++) {
        diag_init();
        HqArena *a = arena_create();
        HqModel m;
        if (build_model(a, argv[i], &m) == 0) {
            for (size_t k = 0; k < m.tables.n; k++)
                table(m.tables.items[k]);
            for (size_t k = 0; k < m.all_functions.n; k++) {
                const HqFunction *f = m.all_functions.items[k];
                sql(strcmp(f->language, "sql") ? K_PLPGSQL_BODY : K_SQL_BODY, &f->body);
            }
            for (size_t k = 0; k < m.cron_jobs.n; k++)
                sql(K_CRON, &((const HqCronJob *)m.cron_jobs.items[k])->command);
            for (size_t k = 0; k < m.data_steps.n; k++)
                sql(K_DATA_STEP, &((const HqDataStep *)m.data_steps.items[k])->sql);
            for (size_t k = 0; k < m.views.n; k++)
                sql(K_VIEW, &((const HqView *)m.views.items[k])->query);
        }
        arena_destroy(a);
        diag_reset();
    }
    printf("%u SQL fragments\n", n_written);
    return 0;
}
