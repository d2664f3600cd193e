/* stats.c - counts of the final schema, per object class, so a schema can
 * be compared with its specification (and raw SQL blocks stay visible). */
#include "stats.h"

void stats_print(const HqModel *m, FILE *f)
{
    size_t columns = 0, constraints = 0, pk = 0, uq = 0, fk = 0, ck = 0, indexes = 0, policies = 0, triggers = 0;
    size_t rls = 0, realtime = 0, replica_full = 0, values = 0, trigger_fns = 0, definer = 0, seed_rows = 0;
    size_t platform_policies = 0, platform_triggers = 0;
    for (size_t i = 0; i < m->tables.n; i++) {
        const HqTable *t = m->tables.items[i];
        columns += t->columns.n;
        constraints += t->constraints.n;
        for (size_t k = 0; k < t->constraints.n; k++) {
            const HqConstraint *c = t->constraints.items[k];
            pk += c->kind == HQ_CON_PRIMARY;
            uq += c->kind == HQ_CON_UNIQUE;
            fk += c->kind == HQ_CON_FOREIGN;
            ck += c->kind == HQ_CON_CHECK;
        }
        indexes += t->indexes.n;
        policies += t->policies.n;
        triggers += t->triggers.n;
        rls += t->rls == HQ_RLS_ENABLED || t->rls == HQ_RLS_FORCED;
        realtime += t->realtime;
        replica_full += t->replica_identity == HQ_REPLICA_FULL;
    }
    for (size_t i = 0; i < m->platform_tables.n; i++) {
        const HqTable *t = m->platform_tables.items[i];
        platform_policies += t->policies.n;
        platform_triggers += t->triggers.n;
    }
    for (size_t i = 0; i < m->enums.n; i++)
        values += ((HqEnum *)m->enums.items[i])->values.n;
    for (size_t i = 0; i < m->functions.n; i++) {
        const HqFunction *fn = m->functions.items[i];
        trigger_fns += fn->ret_kind == HQ_RET_TRIGGER;
        definer += fn->security_definer;
    }
    for (size_t i = 0; i < m->seeds.n; i++)
        seed_rows += ((HqSeed *)m->seeds.items[i])->n_rows;
    fprintf(f, "modules            %zu\n", m->modules.n);
    fprintf(f, "extensions         %zu\n", m->extensions.n);
    fprintf(f, "enums              %zu (%zu values)\n", m->enums.n, values);
    fprintf(f, "tables             %zu\n", m->tables.n);
    fprintf(f, "columns            %zu\n", columns);
    fprintf(f, "constraints        %zu (%zu primary key, %zu unique, %zu foreign key, %zu check)\n", constraints, pk,
            uq, fk, ck);
    fprintf(f, "indexes            %zu explicit (+%zu behind primary key / unique constraints)\n", indexes, pk + uq);
    fprintf(f, "rls tables         %zu\n", rls);
    fprintf(f, "policies           %zu (+%zu on platform tables)\n", policies, platform_policies);
    fprintf(f, "triggers           %zu (+%zu on platform tables)\n", triggers, platform_triggers);
    fprintf(f, "functions          %zu (%zu trigger functions, %zu security definer, %zu versions)\n", m->functions.n,
            trigger_fns, definer, m->all_functions.n);
    fprintf(f, "cron jobs          %zu\n", m->cron_jobs.n);
    fprintf(f, "realtime tables    %zu (%zu with replica identity full)\n", realtime, replica_full);
    fprintf(f, "storage buckets    %zu\n", m->buckets.n);
    fprintf(f, "seed rows          %zu (+%zu schema version rows)\n", seed_rows, m->schema_versions.n);
    fprintf(f, "data steps         %zu\n", m->data_steps.n);
    size_t renames = 0, drops = 0, moves = 0;
    for (size_t i = 0; i < m->changes.n; i++) {
        const HqChange *c = m->changes.items[i];
        renames += c->to != NULL;
        drops += c->kind >= HQ_CHG_DROP_TABLE && c->kind <= HQ_CHG_DROP_POLICY;
        moves += c->sql.text != NULL;
    }
    fprintf(f, "changes            %zu (%zu renames, %zu drops, %zu with data moves or SQL)\n", m->changes.n, renames,
            drops, moves);
    fprintf(f, "views              %zu\n", m->views.n);
    fprintf(f, "raw sql blocks     %zu\n", m->raw_blocks.n);
}
