/* quickstart.c - the whole flow of HQ through the generated C API (out/c/hq_schema.h), without
 * a line of SQL: create a tenant, a gateway, an agent and a task assigned to the agent; see the
 * assignment trigger put an item in the agent's inbox; lease and complete it through the RPC
 * wrappers, as an agent daemon would; record an LLM call and read the agent's budget back.
 *
 *   build/examples/quickstart [CONNINFO]      (default: $DATABASE_URL)
 *
 * The database needs the migrations in out/migrations/ applied; examples/run.sh does all of it on a
 * throwaway PostgreSQL. The program works as the service role (what HQ's daemons use), so row
 * level security applies as it would in production. Running it again creates another task.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_schema.h"

/* Prints the error and exits: every call below either works or ends the example. */
static void check(HqStatus st, const HqError *err, const char *what)
{
    if (st == HQ_OK)
        return;
    char buf[1200];
    hq_error_format(err, buf, sizeof buf);
    fprintf(stderr, "quickstart: %s: %s\n", what, buf);
    exit(1);
}

static const char *uuid_str(const HqUuid *u, char buf[37])
{
    HqBuf b;
    hq_buf_init(&b, NULL);
    if (hq_encode(HQ_TYPE_UUID, NULL, u, &b, NULL) == HQ_OK)
        snprintf(buf, 37, "%s", b.data);
    else
        snprintf(buf, 37, "?");
    hq_buf_free(&b);
    return buf;
}

/* The inbox items of one task, printed as the list streams them. */
static int print_item(void *ctx, Hq__AgentInboxItem *item)
{
    int *n = ctx;
    (*n)++;
    printf("  inbox item: %s for agent %s, status %s, \"%s\"\n",
           hq__inbox_event_type__to_string((Hq__InboxEventType)item->event_type), item->agent_slug,
           hq__inbox_item_status__to_string((Hq__InboxItemStatus)item->status),
           item->summary_is_null ? "" : item->summary);
    return 0;
}

int main(int argc, char **argv)
{
    HqConn *c = NULL;
    HqError err;
    char id[37];
    check(hq_connect(argc > 1 ? argv[1] : NULL, NULL, &c, &err), &err, "connect");
    check(hq__check_schema(c, &err), &err, "schema check");
    printf("connected; schema version %d (%s)\n", HQ_EXPECTED_SCHEMA_VERSION, HQ_SCHEMA_FINGERPRINT);
    /* As the service role: the key HQ's daemons use (RLS lets it see every tenant). */
    check(hq_act_as(c, "service_role", NULL, HQ_SCOPE_SESSION, &err), &err, "act as service_role");

    /* 1. A tenant. upsert_by_slug: running the example twice reuses it. */
    Hq__Tenant tenant_in, tenant;
    memset(&tenant_in, 0, sizeof tenant_in);
    tenant_in.name = "Acme Robotics";
    tenant_in.slug = "acme";
    check(hq__tenant__upsert_by_slug(c, &tenant_in, NULL, &tenant, &err), &err, "tenant");
    printf("tenant  %s  %s (status %s, meta %s)\n", uuid_str(&tenant.id, id), tenant.slug, tenant.status,
           tenant.meta);

    /* 2. A gateway of that tenant: tenant_id has a default (the caller's tenant), so it is
     *    added to the columns written, on top of the required ones. */
    Hq__Gateway gw_in, gw;
    memset(&gw_in, 0, sizeof gw_in);
    gw_in.tenant_id = tenant.id;
    gw_in.slug = "build-box";
    gw_in.label = "Build box";
    HqColumnSet cols = hq__gateway__required_cols;
    hq_colset_add(&cols, HQ__GATEWAY__TENANT_ID);
    check(hq__gateway__upsert_by_tenant_id_and_slug(c, &gw_in, &cols, &gw, &err), &err, "gateway");
    printf("gateway %s  %s (%s)\n", uuid_str(&gw.id, id), gw.slug,
           hq__gateway_status__to_string((Hq__GatewayStatus)gw.status));

    /* 3. An agent on the gateway. */
    Hq__Agent agent_in, agent;
    memset(&agent_in, 0, sizeof agent_in);
    agent_in.tenant_id = tenant.id;
    agent_in.gateway_id = gw.id;
    agent_in.name = "Ada";
    agent_in.slug = "ada";
    agent_in.model = "claude-sonnet";
    cols = hq__agent__required_cols;
    hq_colset_add(&cols, HQ__AGENT__TENANT_ID);
    hq_colset_add(&cols, HQ__AGENT__GATEWAY_ID);
    hq_colset_add(&cols, HQ__AGENT__MODEL);
    check(hq__agent__upsert_by_tenant_id_and_slug(c, &agent_in, &cols, &agent, &err), &err, "agent");
    printf("agent   %s  %s on %s, model %s\n", uuid_str(&agent.id, id), agent.slug, gw.slug,
           agent.model_is_null ? "-" : agent.model);

    /* 4. A task assigned to the agent. */
    Hq__Task task_in, task;
    memset(&task_in, 0, sizeof task_in);
    task_in.tenant_id = tenant.id;
    task_in.title = "Draft the release notes";
    task_in.priority = HQ__TASK_PRIORITY__HIGH;
    task_in.assignee_type = HQ__ACTOR_TYPE__AGENT;
    task_in.assignee_agent_id = agent.id;
    cols = hq__task__required_cols;
    hq_colset_add(&cols, HQ__TASK__TENANT_ID);
    hq_colset_add(&cols, HQ__TASK__PRIORITY);
    hq_colset_add(&cols, HQ__TASK__ASSIGNEE_TYPE);
    hq_colset_add(&cols, HQ__TASK__ASSIGNEE_AGENT_ID);
    check(hq__task__insert(c, &task_in, &cols, &task, &err), &err, "task");
    printf("task    %s  \"%s\" (%s, %s)\n", uuid_str(&task.id, id), task.title,
           hq__task_status__to_string((Hq__TaskStatus)task.status),
           hq__task_priority__to_string((Hq__TaskPriority)task.priority));

    /* 5. The assignment trigger queued an inbox item: list the task's items. */
    Hq__AgentInboxItem filter;
    memset(&filter, 0, sizeof filter);
    filter.task_id = task.id;
    HqColumnSet where;
    hq_colset_clear(&where);
    hq_colset_add(&where, HQ__AGENT_INBOX_ITEM__TASK_ID);
    HqOrderBy oldest_first = {HQ__AGENT_INBOX_ITEM__CREATED_AT, false};
    HqListOptions opt = {&where, &filter, 1, &oldest_first, 0, 0};
    int n_items = 0;
    check(hq__agent_inbox_item__list(c, &opt, print_item, &n_items, &err), &err, "list inbox");
    if (n_items == 0) {
        fprintf(stderr, "quickstart: the assignment created no inbox item\n");
        return 1;
    }
    /* The same trigger moved the task on: read it again. */
    Hq__Task now;
    check(hq__task__get(c, &task.id, &now, &err), &err, "get task");
    printf("  the task is now %s\n", hq__task_status__to_string((Hq__TaskStatus)now.status));
    hq__task__clear(c, &now);

    /* 6. The agent daemon leases its next item (p_lease_seconds: 300 instead of the default
     *    120) and completes it. Items of earlier runs come first: drain them all. */
    Hq__LeaseInboxItem__Args lease;
    memset(&lease, 0, sizeof lease);
    lease.p_agent_id = agent.id;
    lease.p_lease_seconds = 300;
    HqColumnSet given = hq__lease_inbox_item__required_args;
    hq_colset_add(&given, HQ__LEASE_INBOX_ITEM__P_LEASE_SECONDS);
    for (;;) {
        Hq__AgentInboxItem item;
        HqStatus st = hq__lease_inbox_item(c, &lease, &given, &item, NULL, NULL, &err);
        if (st == HQ_ERR_NOT_FOUND)
            break; /* nothing left to lease */
        check(st, &err, "lease_inbox_item");
        printf("  leased %s (attempt %d, lease %lld s)\n", uuid_str(&item.id, id), (int)item.attempt_count,
               (long long)((item.leased_until - item.leased_at) / 1000000));
        Hq__CompleteInboxItem__Args done;
        memset(&done, 0, sizeof done);
        done.p_item_id = item.id;
        check(hq__complete_inbox_item(c, &done, &err), &err, "complete_inbox_item");
        Hq__AgentInboxItem after;
        check(hq__agent_inbox_item__get(c, &item.id, &after, &err), &err, "get inbox item");
        printf("  completed: status %s\n", hq__inbox_item_status__to_string((Hq__InboxItemStatus)after.status));
        hq__agent_inbox_item__clear(c, &after);
        hq__agent_inbox_item__clear(c, &item);
    }

    /* 7. The work cost an LLM call: record it; the rollup trigger updates the budget. */
    Hq__AgentUsage usage;
    memset(&usage, 0, sizeof usage);
    char run_id[64];
    snprintf(run_id, sizeof run_id, "run-%lld", (long long)time(NULL));
    usage.tenant_id = tenant.id;
    usage.agent_id = agent.id;
    usage.run_id = run_id;
    usage.provider = "anthropic";
    usage.model = "claude-sonnet";
    usage.input_tokens = 1800;
    usage.output_tokens = 600;
    usage.total_tokens = 2400;
    usage.cost_total_usd = "0.0234"; /* numeric travels as decimal text: no rounding */
    cols = hq__agent_usage__required_cols;
    hq_colset_add(&cols, HQ__AGENT_USAGE__TENANT_ID);
    hq_colset_add(&cols, HQ__AGENT_USAGE__AGENT_ID);
    hq_colset_add(&cols, HQ__AGENT_USAGE__INPUT_TOKENS);
    hq_colset_add(&cols, HQ__AGENT_USAGE__OUTPUT_TOKENS);
    hq_colset_add(&cols, HQ__AGENT_USAGE__TOTAL_TOKENS);
    hq_colset_add(&cols, HQ__AGENT_USAGE__COST_TOTAL_USD);
    check(hq__agent_usage__insert(c, &usage, &cols, NULL, &err), &err, "record usage");
    printf("usage   %s: %d tokens, $%s\n", run_id, (int)usage.total_tokens, usage.cost_total_usd);

    /* 8. Read the budget back. */
    Hq__AgentBudget budget;
    check(hq__agent_budget__get(c, &agent.id, &budget, &err), &err, "get budget");
    printf("budget  %s: this period $%s, %lld tokens, %d metered call(s), status %s\n", agent.slug,
           budget.current_period_spend_usd, (long long)budget.current_period_tokens,
           (int)budget.current_period_metered_calls, hq__budget_status__to_string((Hq__BudgetStatus)budget.status));

    hq__agent_budget__clear(c, &budget);
    hq__task__clear(c, &task);
    hq__agent__clear(c, &agent);
    hq__gateway__clear(c, &gw);
    hq__tenant__clear(c, &tenant);
    hq_conn_free(c);
    return 0;
}
