/* test_api.c - the typed surface of the generated C API (out/c/hq_schema.h):
 *   - without a database: constants, enum to/from string for every enum (unknown labels
 *     rejected), descriptor checks;
 *   - with HQ_TEST_DSN (migrations applied): typed table wrappers (insert with defaults, get,
 *     update of chosen fields, upsert on the primary key and on a unique key, list with filter,
 *     order, limit and offset, delete), RPC wrappers for void, scalar, row, SETOF-table and
 *     TABLE(...) results with argument defaults, row level security while acting as an
 *     authenticated user with JWT claims, the schema version check (match, mismatch, empty and
 *     missing version table), and error reporting (23505 / 23503 with the
 *     constraint name, a RAISE with its SQLSTATE).
 * Every database test runs inside a transaction that is rolled back.
 */
#include "capi_util.h"

static Db db;
static bool connected;

#define NEED_DB()                                                                                                      \
    do {                                                                                                               \
        if (!connected)                                                                                                \
            skip();                                                                                                    \
    } while (0)

/* ---- without a database ------------------------------------------------------------------- */

static void test_constants(void **state)
{
    (void)state;
    assert_int_equal(HQ_EXPECTED_SCHEMA_VERSION, 39);
    assert_int_equal(strlen(HQ_SCHEMA_FINGERPRINT), strlen("fnv1a64:") + 16);
    assert_memory_equal(HQ_SCHEMA_FINGERPRINT, "fnv1a64:", 8);
    size_t n = 0;
    while (hq__schema__tables[n] != NULL)
        n++;
    assert_int_equal(n, hq__schema__n_tables);
    for (n = 0; hq__schema__enums[n] != NULL;)
        n++;
    assert_int_equal(n, hq__schema__n_enums);
    for (n = 0; hq__schema__functions[n] != NULL;)
        n++;
    assert_int_equal(n, hq__schema__n_functions);
    /* Labels are numbered 0..n-1 in declared order; field constants follow column order. */
    assert_int_equal(HQ__TASK_STATUS__TODO, 0);
    assert_int_equal(HQ__TASK_STATUS__MISSED, 5);
    assert_int_equal(hq__task_status__enum.n_labels, 6);
    assert_int_equal(HQ__AGENT_INBOX_ITEM__ID, 0);
    assert_string_equal(hq__agent_inbox_item__table.record->fields[HQ__AGENT_INBOX_ITEM__DEDUP_KEY].name,
                        "dedup_key");
    assert_string_equal(hq__agent_inbox_item__table.sql_name, "public.agent_inbox_items");
    assert_string_equal(hq__agent_inbox_item__table.unique_keys[0].name, "uq_inbox_dedup");
    /* Required columns: NOT NULL without a default. */
    assert_true(hq_colset_has(&hq__tenant__required_cols, HQ__TENANT__NAME));
    assert_true(hq_colset_has(&hq__tenant__required_cols, HQ__TENANT__SLUG));
    assert_false(hq_colset_has(&hq__tenant__required_cols, HQ__TENANT__ID));
    assert_false(hq_colset_has(&hq__tenant__required_cols, HQ__TENANT__META));
    /* Functions: defaults flagged, required arguments listed. */
    const HqField *lease = hq__lease_inbox_item__func.args->fields;
    assert_false(lease[HQ__LEASE_INBOX_ITEM__P_AGENT_ID].flags & HQ_FIELD_HAS_DEFAULT);
    assert_true(lease[HQ__LEASE_INBOX_ITEM__P_LEASE_SECONDS].flags & HQ_FIELD_HAS_DEFAULT);
    assert_true(hq_colset_has(&hq__lease_inbox_item__required_args, HQ__LEASE_INBOX_ITEM__P_AGENT_ID));
    assert_false(hq_colset_has(&hq__lease_inbox_item__required_args, HQ__LEASE_INBOX_ITEM__P_LEASE_SECONDS));
    assert_int_equal(hq__lease_inbox_item__func.returns, HQ_RETURNS_SETOF);
    assert_ptr_equal(hq__lease_inbox_item__func.result, hq__agent_inbox_item__table.record);
    assert_int_equal(hq__consume_gateway_token__func.returns, HQ_RETURNS_SETOF);
    assert_int_equal(hq__current_tenant_id__func.returns, HQ_RETURNS_SCALAR);
    assert_int_equal(hq__recompute_agent_budget__func.returns, HQ_RETURNS_ROW);
    assert_int_equal(hq__complete_inbox_item__func.returns, HQ_RETURNS_VOID);
    assert_string_equal(lease[HQ__LEASE_INBOX_ITEM__P_AGENT_ID].sql_type, "uuid");
}

static void test_descriptors_check(void **state)
{
    (void)state;
    HqError err;
    for (size_t i = 0; hq__schema__tables[i] != NULL; i++)
        OK(hq_record_check(hq__schema__tables[i]->record, &err));
    OK(hq_record_check(hq__knowledge_item__table_without_vector.record, &err));
    OK(hq_record_check(hq__knowledge_chunk__table_without_vector.record, &err));
    for (size_t i = 0; hq__schema__functions[i] != NULL; i++) {
        const HqFuncDesc *f = hq__schema__functions[i];
        if (f->args)
            OK(hq_record_check(f->args, &err));
        if (f->result)
            OK(hq_record_check(f->result, &err));
    }
}

/* Every label converts both ways, values outside the enum have no label, and strings that are
 * not exactly a label are rejected without touching *out. */
#define CHECK_ENUM(sym, Type)                                                                                          \
    do {                                                                                                               \
        const HqEnumDesc *d_ = &sym##__enum;                                                                           \
        assert_true(d_->n_labels > 0);                                                                                 \
        for (size_t i_ = 0; i_ < d_->n_labels; i_++) {                                                                 \
            Type v_;                                                                                                   \
            assert_string_equal(sym##__to_string((Type)i_), d_->labels[i_]);                                           \
            assert_true(sym##__from_string(d_->labels[i_], &v_));                                                      \
            assert_int_equal((int)v_, (int)i_);                                                                        \
        }                                                                                                              \
        assert_null(sym##__to_string((Type)d_->n_labels));                                                             \
        assert_null(sym##__to_string((Type)-1));                                                                       \
        static const char *const bad_[] = {"", "?", "unknown_label", " x", "\xff"};                                   \
        for (size_t i_ = 0; i_ < sizeof bad_ / sizeof bad_[0]; i_++) {                                                 \
            Type v_ = (Type)0;                                                                                         \
            assert_false(sym##__from_string(bad_[i_], &v_));                                                           \
            assert_int_equal((int)v_, 0);                                                                              \
        }                                                                                                              \
        Type w_ = (Type)0;                                                                                             \
        assert_false(sym##__from_string(NULL, &w_));                                                                   \
        /* Case, surrounding space and prefixes of real labels are not labels. */                                     \
        char buf_[80];                                                                                                 \
        snprintf(buf_, sizeof buf_, "%s ", d_->labels[0]);                                                             \
        assert_false(sym##__from_string(buf_, &w_));                                                                   \
        snprintf(buf_, sizeof buf_, "%.*s", (int)strlen(d_->labels[0]) - 1, d_->labels[0]);                            \
        assert_false(sym##__from_string(buf_, &w_));                                                                   \
        snprintf(buf_, sizeof buf_, "%s", d_->labels[0]);                                                              \
        buf_[0] = (char)(buf_[0] - 'a' + 'A');                                                                         \
        assert_false(sym##__from_string(buf_, &w_));                                                                   \
        n_checked++;                                                                                                   \
    } while (0)

static void test_enums(void **state)
{
    (void)state;
    size_t n_checked = 0;
    CHECK_ENUM(hq__actor_type, Hq__ActorType);
    CHECK_ENUM(hq__agent_status, Hq__AgentStatus);
    CHECK_ENUM(hq__asset_type, Hq__AssetType);
    CHECK_ENUM(hq__audit_action, Hq__AuditAction);
    CHECK_ENUM(hq__automation_condition, Hq__AutomationCondition);
    CHECK_ENUM(hq__budget_status, Hq__BudgetStatus);
    CHECK_ENUM(hq__command_action, Hq__CommandAction);
    CHECK_ENUM(hq__command_status, Hq__CommandStatus);
    CHECK_ENUM(hq__gateway_status, Hq__GatewayStatus);
    CHECK_ENUM(hq__inbox_event_type, Hq__InboxEventType);
    CHECK_ENUM(hq__inbox_item_status, Hq__InboxItemStatus);
    CHECK_ENUM(hq__plugin_event_status, Hq__PluginEventStatus);
    CHECK_ENUM(hq__plugin_source, Hq__PluginSource);
    CHECK_ENUM(hq__stream_type, Hq__StreamType);
    CHECK_ENUM(hq__task_priority, Hq__TaskPriority);
    CHECK_ENUM(hq__task_relation_type, Hq__TaskRelationType);
    CHECK_ENUM(hq__task_status, Hq__TaskStatus);
    CHECK_ENUM(hq__work_product_status, Hq__WorkProductStatus);
    assert_int_equal(n_checked, hq__schema__n_enums);

    /* The C constants are the labels' positions. */
    Hq__TaskStatus s;
    assert_true(hq__task_status__from_string("in_progress", &s));
    assert_int_equal(s, HQ__TASK_STATUS__IN_PROGRESS);
    assert_string_equal(hq__task_status__to_string(HQ__TASK_STATUS__CANCELLED), "cancelled");
    assert_false(hq__task_status__from_string("in-progress", &s));
    assert_false(hq__task_status__from_string("In_progress", &s));
    assert_string_equal(hq__command_action__to_string(HQ__COMMAND_ACTION__SOURCE_WRITE), "source_write");
    assert_string_equal(hq__command_action__to_string(HQ__COMMAND_ACTION__BACKUP_GATEWAY), "backup_gateway");
    assert_string_equal(hq__inbox_item_status__to_string(HQ__INBOX_ITEM_STATUS__DEAD_LETTER), "dead_letter");

    /* The runtime's decoder agrees with the generated descriptors, and reports drift. */
    HqError err;
    int v = -1;
    OK(hq_decode(HQ_TYPE_ENUM, &hq__task_status__enum, "blocked", NULL, &v, &err));
    assert_int_equal(v, HQ__TASK_STATUS__BLOCKED);
    EXPECT(hq_decode(HQ_TYPE_ENUM, &hq__task_status__enum, "archived", NULL, &v, &err), HQ_ERR_DECODE);
}

/* ---- database helpers --------------------------------------------------------------------- */

static int begin_tx(void **state)
{
    (void)state;
    HqError err;
    return !connected || hq_begin(db.c, &err) == HQ_OK ? 0 : -1;
}

static int rollback_tx(void **state)
{
    (void)state;
    HqError err;
    return !connected || hq_rollback(db.c, &err) == HQ_OK ? 0 : -1;
}

static void make_tenant(const char *slug, Hq__Tenant *out)
{
    HqError err;
    Hq__Tenant t;
    memset(&t, 0, sizeof t);
    t.name = (char *)"Test tenant";
    t.slug = (char *)slug;
    OK(hq__tenant__insert(db.c, &t, NULL, out, &err));
}

static void make_agent(const char *slug, const HqUuid *reports_to, Hq__Agent *out)
{
    HqError err;
    Hq__Agent a;
    memset(&a, 0, sizeof a);
    a.name = (char *)slug;
    a.slug = (char *)slug;
    HqColumnSet cols = hq__agent__required_cols;
    if (reports_to != NULL) {
        a.reports_to_id = *reports_to;
        hq_colset_add(&cols, HQ__AGENT__REPORTS_TO_ID);
    }
    OK(hq__agent__insert(db.c, &a, &cols, out, &err));
}

static void make_task(const char *title, const HqUuid *assignee, Hq__Task *out)
{
    HqError err;
    Hq__Task t;
    memset(&t, 0, sizeof t);
    t.title = (char *)title;
    t.assignee_agent_id = *assignee;
    t.assignee_type = HQ__ACTOR_TYPE__AGENT;
    HqColumnSet cols = hq__task__required_cols;
    hq_colset_add(&cols, HQ__TASK__ASSIGNEE_AGENT_ID);
    hq_colset_add(&cols, HQ__TASK__ASSIGNEE_TYPE);
    OK(hq__task__insert(db.c, &t, &cols, out, &err));
}

/* ---- typed table wrappers ----------------------------------------------------------------- */

typedef struct Collected {
    size_t n;
    char slugs[8][64];
} Collected;

static int collect_tenant(void *ctx, Hq__Tenant *row)
{
    Collected *c = ctx;
    if (c->n < 8)
        snprintf(c->slugs[c->n], sizeof c->slugs[0], "%s", row->slug);
    c->n++;
    return 0;
}

static void test_tenant_crud(void **state)
{
    (void)state;
    NEED_DB();
    HqError err;
    Hq__Tenant t, got, upd;

    /* insert with cols NULL: name and slug written, id/created_at/status/meta defaulted */
    make_tenant("capi-one", &t);
    assert_string_equal(t.slug, "capi-one");
    assert_string_equal(t.meta, "{}");
    assert_true(t.created_at > 0);
    HqUuid zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_not_equal(&t.id, &zero, sizeof zero);

    OK(hq__tenant__get(db.c, &t.id, &got, &err));
    assert_string_equal(got.name, "Test tenant");
    assert_int_equal(got.created_at, t.created_at);

    /* update only the chosen field */
    hq__tenant__clear(db.c, &got);
    OK(hq__tenant__get(db.c, &t.id, &got, &err));
    hq_free(hq_conn_allocator(db.c), got.name);
    got.name = strdup("Renamed");
    got.slug[0] = 'X'; /* not in cols: must not be written */
    HqColumnSet cols;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, HQ__TENANT__NAME);
    OK(hq__tenant__update(db.c, &got, &cols, &upd, &err));
    free(got.name);
    got.name = NULL;
    assert_string_equal(upd.name, "Renamed");
    assert_string_equal(upd.slug, "capi-one");
    hq__tenant__clear(db.c, &upd);
    hq__tenant__clear(db.c, &got);

    /* upsert on the unique slug: an existing slug updates the row in place */
    Hq__Tenant u;
    memset(&u, 0, sizeof u);
    u.name = (char *)"Upserted";
    u.slug = (char *)"capi-one";
    OK(hq__tenant__upsert_by_slug(db.c, &u, NULL, &upd, &err));
    assert_memory_equal(&upd.id, &t.id, sizeof t.id);
    assert_string_equal(upd.name, "Upserted");
    hq__tenant__clear(db.c, &upd);
    u.slug = (char *)"capi-two";
    OK(hq__tenant__upsert_by_slug(db.c, &u, NULL, &upd, &err));
    assert_memory_not_equal(&upd.id, &t.id, sizeof t.id);
    /* upsert on the primary key */
    u.id = upd.id;
    u.name = (char *)"Two";
    OK(hq__tenant__upsert(db.c, &u, NULL, NULL, &err));
    hq__tenant__clear(db.c, &upd);
    OK(hq__tenant__get(db.c, &u.id, &upd, &err));
    assert_string_equal(upd.name, "Two");
    hq__tenant__clear(db.c, &upd);
    make_tenant("capi-three", &upd);
    hq__tenant__clear(db.c, &upd);

    /* list: filter, order, limit, offset */
    Hq__Tenant filter;
    memset(&filter, 0, sizeof filter);
    filter.status = (char *)"active";
    HqColumnSet where;
    hq_colset_clear(&where);
    hq_colset_add(&where, HQ__TENANT__STATUS);
    HqOrderBy by_slug = {HQ__TENANT__SLUG, true};
    HqListOptions opt = {&where, &filter, 1, &by_slug, 2, 1};
    Collected seen;
    memset(&seen, 0, sizeof seen);
    OK(hq__tenant__list(db.c, &opt, collect_tenant, &seen, &err));
    /* slugs descending: default, capi-two, capi-three, capi-one -> skip 1, take 2 */
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.slugs[0], "capi-two");
    assert_string_equal(seen.slugs[1], "capi-three");
    memset(&seen, 0, sizeof seen);
    OK(hq__tenant__list(db.c, NULL, collect_tenant, &seen, &err));
    assert_int_equal(seen.n, 4);

    /* delete, then it is gone */
    uint64_t n = 0;
    OK(hq__tenant__delete(db.c, &t.id, &n, &err));
    assert_int_equal(n, 1);
    OK(hq__tenant__delete(db.c, &t.id, &n, &err));
    assert_int_equal(n, 0);
    EXPECT(hq__tenant__get(db.c, &t.id, &got, &err), HQ_ERR_NOT_FOUND);
    hq__tenant__clear(db.c, &t);
}

static void test_constraint_errors(void **state)
{
    (void)state;
    NEED_DB();
    HqError err;
    Hq__Tenant t;
    make_tenant("capi-dup", &t);
    hq__tenant__clear(db.c, &t);
    HqSavepoint sp;
    OK(hq_savepoint(db.c, &sp, &err));
    Hq__Tenant dup;
    memset(&dup, 0, sizeof dup);
    dup.name = (char *)"again";
    dup.slug = (char *)"capi-dup";
    EXPECT(hq__tenant__insert(db.c, &dup, NULL, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "23505");
    assert_true(hq_error_is(&err, "23"));
    assert_string_equal(err.constraint_name, "tenants_slug_unique");
    assert_string_equal(err.table_name, "tenants");
    assert_non_null(strstr(err.detail, "capi-dup"));
    OK(hq_savepoint_rollback(db.c, &sp, &err));

    /* a foreign key violation names its constraint too */
    Hq__Agent a;
    memset(&a, 0, sizeof a);
    a.name = (char *)"orphan";
    a.slug = (char *)"orphan";
    a.gateway_id.bytes[0] = 0x42;
    HqColumnSet cols = hq__agent__required_cols;
    hq_colset_add(&cols, HQ__AGENT__GATEWAY_ID);
    OK(hq_savepoint(db.c, &sp, &err));
    EXPECT(hq__agent__insert(db.c, &a, &cols, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "23503");
    assert_string_equal(err.table_name, "agents");
    assert_true(strlen(err.constraint_name) > 0);
    assert_non_null(strstr(err.constraint_name, "gateway"));
    OK(hq_savepoint_rollback(db.c, &sp, &err));

    /* a CHECK constraint */
    Hq__Agent self;
    make_agent("self", NULL, &self);
    HqUuid id = self.id;
    self.reports_to_id = id;
    self.reports_to_id_is_null = false;
    hq_colset_clear(&cols);
    hq_colset_add(&cols, HQ__AGENT__REPORTS_TO_ID);
    OK(hq_savepoint(db.c, &sp, &err));
    EXPECT(hq__agent__update(db.c, &self, &cols, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "23514");
    assert_string_equal(err.constraint_name, "agents_no_self_report");
    OK(hq_savepoint_rollback(db.c, &sp, &err));
    hq__agent__clear(db.c, &self);

    /* update of a row that does not exist */
    Hq__Tenant ghost;
    memset(&ghost, 0, sizeof ghost);
    ghost.id.bytes[15] = 0x99;
    ghost.name = (char *)"ghost";
    hq_colset_clear(&cols);
    hq_colset_add(&cols, HQ__TENANT__NAME);
    EXPECT(hq__tenant__update(db.c, &ghost, &cols, NULL, &err), HQ_ERR_NOT_FOUND);
}

/* ---- RPC wrappers ------------------------------------------------------------------------- */

typedef struct Counter {
    size_t n;
    int64_t lease_span;
} Counter;

static int count_item(void *ctx, Hq__AgentInboxItem *row)
{
    Counter *c = ctx;
    c->n++;
    c->lease_span = row->leased_until - row->leased_at;
    return 0;
}

static void test_rpc_inbox(void **state)
{
    (void)state;
    NEED_DB();
    HqError err;
    Hq__Agent agent;
    make_agent("capi-worker", NULL, &agent);
    Hq__Task task;
    make_task("Write the report", &agent.id, &task);

    /* The assignment trigger queued one pending item for the agent. */
    Hq__AgentInboxItem filter;
    memset(&filter, 0, sizeof filter);
    filter.agent_id = agent.id;
    HqColumnSet where;
    hq_colset_clear(&where);
    hq_colset_add(&where, HQ__AGENT_INBOX_ITEM__AGENT_ID);
    HqListOptions opt = {&where, &filter, 0, NULL, 0, 0};
    Counter cnt = {0, 0};
    OK(hq__agent_inbox_item__list(db.c, &opt, count_item, &cnt, &err));
    assert_int_equal(cnt.n, 1);

    /* lease with the default lease (provided NULL: p_lease_seconds DEFAULT 120 applies) */
    Hq__LeaseInboxItem__Args la;
    memset(&la, 0, sizeof la);
    la.p_agent_id = agent.id;
    Hq__AgentInboxItem item;
    OK(hq__lease_inbox_item(db.c, &la, NULL, &item, NULL, NULL, &err));
    assert_int_equal(item.status, HQ__INBOX_ITEM_STATUS__LEASED);
    assert_int_equal(item.event_type, HQ__INBOX_EVENT_TYPE__TASK_ASSIGNMENT);
    assert_int_equal(item.attempt_count, 1);
    assert_false(item.leased_at_is_null);
    assert_int_equal(item.leased_until - item.leased_at, INT64_C(120000000));
    assert_memory_equal(&item.task_id, &task.id, sizeof task.id);

    /* nothing left to lease: an empty SETOF into out is HQ_ERR_NOT_FOUND, streamed it is 0 rows */
    Hq__AgentInboxItem none;
    EXPECT(hq__lease_inbox_item(db.c, &la, NULL, &none, NULL, NULL, &err), HQ_ERR_NOT_FOUND);
    cnt.n = 0;
    OK(hq__lease_inbox_item(db.c, &la, NULL, NULL, count_item, &cnt, &err));
    assert_int_equal(cnt.n, 0);

    /* complete (void RPC) */
    Hq__CompleteInboxItem__Args ca;
    memset(&ca, 0, sizeof ca);
    ca.p_item_id = item.id;
    OK(hq__complete_inbox_item(db.c, &ca, &err));
    Hq__AgentInboxItem done;
    OK(hq__agent_inbox_item__get(db.c, &item.id, &done, &err));
    assert_int_equal(done.status, HQ__INBOX_ITEM_STATUS__DONE);
    assert_false(done.completed_at_is_null);
    hq__agent_inbox_item__clear(db.c, &done);
    hq__agent_inbox_item__clear(db.c, &item);

    /* a second task: lease with an explicit p_lease_seconds, streamed through the callback */
    Hq__Task task2;
    make_task("Review the report", &agent.id, &task2);
    la.p_lease_seconds = 30;
    HqColumnSet given = hq__lease_inbox_item__required_args;
    hq_colset_add(&given, HQ__LEASE_INBOX_ITEM__P_LEASE_SECONDS);
    cnt.n = 0;
    OK(hq__lease_inbox_item(db.c, &la, &given, NULL, count_item, &cnt, &err));
    assert_int_equal(cnt.n, 1);
    assert_int_equal(cnt.lease_span, INT64_C(30000000));

    /* fail it with the reason defaulted, then lease again: attempt 2 */
    memset(&filter, 0, sizeof filter);
    filter.task_id = task2.id;
    hq_colset_clear(&where);
    hq_colset_add(&where, HQ__AGENT_INBOX_ITEM__TASK_ID);
    HqListOptions by_task = {&where, &filter, 0, NULL, 1, 0};
    Hq__FailInboxItem__Args fa;
    memset(&fa, 0, sizeof fa);
    char *sql_id = NULL;
    {
        char id[37];
        uuid_text(&task2.id, id);
        const char *p[] = {id};
        sql_id = query_value(db.c, "SELECT id::text FROM public.agent_inbox_items WHERE task_id = $1", 1, p);
    }
    HqError derr;
    assert_int_equal(hq_decode(HQ_TYPE_UUID, NULL, sql_id, NULL, &fa.p_item_id, &derr), HQ_OK);
    free(sql_id);
    OK(hq__fail_inbox_item(db.c, &fa, NULL, &err));
    la.p_lease_seconds = 60;
    OK(hq__lease_inbox_item(db.c, &la, &given, &item, NULL, NULL, &err));
    assert_int_equal(item.attempt_count, 2);
    assert_int_equal(item.leased_until - item.leased_at, INT64_C(60000000));
    hq__agent_inbox_item__clear(db.c, &item);
    cnt.n = 0;
    OK(hq__agent_inbox_item__list(db.c, &by_task, count_item, &cnt, &err));
    assert_int_equal(cnt.n, 1);

    hq__task__clear(db.c, &task);
    hq__task__clear(db.c, &task2);
    hq__agent__clear(db.c, &agent);
}

static int count_token_rows(void *ctx, Hq__ConsumeGatewayToken__Row *row)
{
    size_t *n = ctx;
    assert_false(row->gateway_slug_is_null);
    (*n)++;
    return 0;
}

static void test_rpc_table_result(void **state)
{
    (void)state;
    NEED_DB();
    HqError err;
    /* a registration token: only its SHA-256 is stored */
    const char *tok[] = {"capi-secret-token"};
    char *hash = query_value(db.c, "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1, tok);
    Hq__GatewayRegistrationToken t;
    memset(&t, 0, sizeof t);
    t.token_hash = hash;
    t.expires_at = HQ_TIMESTAMP_INFINITY;
    OK(hq__gateway_registration_token__insert(db.c, &t, NULL, NULL, &err));
    free(hash);

    /* TABLE(gateway_id uuid, gateway_slug text), p_slug_hint left to its default */
    Hq__ConsumeGatewayToken__Args a;
    memset(&a, 0, sizeof a);
    a.p_token = (char *)tok[0];
    a.p_label = (char *)"My Build Box";
    HqColumnSet given = hq__consume_gateway_token__required_args;
    hq_colset_add(&given, HQ__CONSUME_GATEWAY_TOKEN__P_LABEL);
    Hq__ConsumeGatewayToken__Row row;
    OK(hq__consume_gateway_token(db.c, &a, &given, &row, NULL, NULL, &err));
    assert_false(row.gateway_id_is_null);
    assert_string_equal(row.gateway_slug, "my-build-box");
    Hq__Gateway gw;
    OK(hq__gateway__get(db.c, &row.gateway_id, &gw, &err));
    assert_string_equal(gw.label, "My Build Box");
    assert_int_equal(gw.status, HQ__GATEWAY_STATUS__PROVISIONING);
    hq__gateway__clear(db.c, &gw);

    /* idempotent: the same gateway again, streamed */
    size_t n = 0;
    OK(hq__consume_gateway_token(db.c, &a, NULL, NULL, count_token_rows, &n, &err));
    assert_int_equal(n, 1);
    hq__consume_gateway_token__row_clear(db.c, &row);

    /* an unknown token: the function's RAISE comes back with its SQLSTATE */
    HqSavepoint sp;
    OK(hq_savepoint(db.c, &sp, &err));
    a.p_token = (char *)"nope";
    EXPECT(hq__consume_gateway_token(db.c, &a, NULL, &row, NULL, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "28000");
    assert_string_equal(err.message, "invalid_token");
    OK(hq_savepoint_rollback(db.c, &sp, &err));

    /* agent_reports_chain: TABLE(depth, agent_id, slug, name), p_max_depth DEFAULT 5 */
    Hq__Agent boss, lead, dev;
    make_agent("capi-boss", NULL, &boss);
    make_agent("capi-lead", &boss.id, &lead);
    make_agent("capi-dev", &lead.id, &dev);
    Hq__AgentReportsChain__Args ca;
    memset(&ca, 0, sizeof ca);
    ca.p_agent_id = dev.id;
    Hq__AgentReportsChain__Row first;
    OK(hq__agent_reports_chain(db.c, &ca, NULL, &first, NULL, NULL, &err));
    assert_int_equal(first.depth, 0);
    assert_string_equal(first.slug, "capi-dev");
    hq__agent_reports_chain__row_clear(db.c, &first);
    ca.p_max_depth = 1;
    HqColumnSet depth = hq__agent_reports_chain__required_args;
    hq_colset_add(&depth, HQ__AGENT_REPORTS_CHAIN__P_MAX_DEPTH);
    HqResult *r = NULL;
    char id[37];
    uuid_text(&dev.id, id);
    const char *p[] = {id};
    OK(hq_query(db.c, "SELECT count(*) FROM public.agent_reports_chain($1)", 1, p, &r, &err));
    assert_string_equal(hq_result_value(r, 0, 0), "3");
    hq_result_free(r);
    OK(hq__agent_reports_chain(db.c, &ca, &depth, &first, NULL, NULL, &err));
    hq__agent_reports_chain__row_clear(db.c, &first);
    hq__agent__clear(db.c, &boss);
    hq__agent__clear(db.c, &lead);
    hq__agent__clear(db.c, &dev);
}

static void test_rpc_scalar_and_row(void **state)
{
    (void)state;
    NEED_DB();
    HqError err;
    /* scalar uuid: the default tenant without JWT claims, the claimed one with them */
    HqUuid tenant;
    bool is_null = true;
    OK(hq__current_tenant_id(db.c, &tenant, &is_null, &err));
    assert_false(is_null);
    HqUuid zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&tenant, &zero, sizeof zero);
    OK(hq_act_as(db.c, NULL, "{\"app_metadata\": {\"tenant_id\": \"11111111-2222-3333-4444-555555555555\"}}",
                 HQ_SCOPE_TRANSACTION, &err));
    OK(hq__current_tenant_id(db.c, &tenant, NULL, &err));
    assert_int_equal(tenant.bytes[0], 0x11);
    assert_int_equal(tenant.bytes[15], 0x55);
    OK(hq_act_as(db.c, NULL, "{}", HQ_SCOPE_TRANSACTION, &err));

    /* scalar boolean, including a NULL argument */
    Hq__IsValidTimezone__Args tz;
    memset(&tz, 0, sizeof tz);
    tz.tz = (char *)"Europe/Paris";
    bool valid = false;
    OK(hq__is_valid_timezone(db.c, &tz, &valid, NULL, &err));
    assert_true(valid);
    tz.tz = (char *)"Mars/Olympus_Mons";
    OK(hq__is_valid_timezone(db.c, &tz, &valid, &is_null, &err));
    assert_false(valid);
    assert_false(is_null);
    tz.tz = NULL;
    tz.tz_is_null = true;
    OK(hq__is_valid_timezone(db.c, &tz, &valid, NULL, &err));
    assert_true(valid);

    /* scalar timestamptz with smallint[] / time / defaulted arguments */
    Hq__RoutineNextOccurrence__Args ro;
    memset(&ro, 0, sizeof ro);
    ro.p_cadence_type = (char *)"daily";
    ro.p_interval_n_is_null = true;
    ro.p_days_of_week_is_null = true;
    ro.p_day_of_month_is_null = true;
    ro.p_time_of_day = (char *)"09:00";
    ro.p_timezone = (char *)"UTC";
    OK(hq_timestamp_from_parts(2024, 5, 6, 10, 0, 0, 0, &ro.p_from));
    HqColumnSet all = hq__routine_next_occurrence__required_args;
    hq_colset_add(&all, HQ__ROUTINE_NEXT_OCCURRENCE__P_FROM);
    int64_t next = 0, expected = 0;
    OK(hq__routine_next_occurrence(db.c, &ro, &all, &next, NULL, &err));
    OK(hq_timestamp_from_parts(2024, 5, 7, 9, 0, 0, 0, &expected));
    assert_int_equal(next, expected);
    /* p_from omitted: DEFAULT now() applies, so the next 09:00 is in the future */
    OK(hq__routine_next_occurrence(db.c, &ro, NULL, &next, NULL, &err));
    assert_true(next > expected);
    /* weekly on Wednesdays (ISO 3) from Monday 2024-05-06 */
    ro.p_cadence_type = (char *)"weekly";
    int16_t days[] = {3};
    ro.p_days_of_week.n_items = 1;
    ro.p_days_of_week.items = days;
    ro.p_days_of_week_is_null = false;
    OK(hq__routine_next_occurrence(db.c, &ro, &all, &next, NULL, &err));
    OK(hq_timestamp_from_parts(2024, 5, 8, 9, 0, 0, 0, &expected));
    assert_int_equal(next, expected);

    /* a table-row argument travels as the row's text: next_occurrence(p_series task_series, ...) */
    Hq__TaskSeries ts_in, series;
    memset(&ts_in, 0, sizeof ts_in);
    ts_in.title = (char *)"Standup";
    ts_in.cadence_type = (char *)"daily";
    ts_in.timezone = (char *)"UTC";
    ts_in.time_of_day = (char *)"08:30";
    HqColumnSet scols = hq__task_series__required_cols;
    hq_colset_add(&scols, HQ__TASK_SERIES__TIME_OF_DAY);
    OK(hq__task_series__insert(db.c, &ts_in, &scols, &series, &err));
    char sid[37];
    uuid_text(&series.id, sid);
    const char *sp[] = {sid};
    char *literal = query_value(db.c, "SELECT t::text FROM public.task_series t WHERE id = $1", 1, sp);
    Hq__NextOccurrence__Args no;
    memset(&no, 0, sizeof no);
    no.p_series = literal;
    OK(hq_timestamp_from_parts(2024, 5, 6, 10, 0, 0, 0, &no.p_from_ts));
    OK(hq__next_occurrence(db.c, &no, &next, &is_null, &err));
    OK(hq_timestamp_from_parts(2024, 5, 7, 8, 30, 0, 0, &expected));
    assert_false(is_null);
    assert_int_equal(next, expected);
    free(literal);
    hq__task_series__clear(db.c, &series);

    /* row result: recompute_agent_budget RETURNS agent_budgets, after two usage records */
    Hq__Agent agent;
    make_agent("capi-spender", NULL, &agent);
    Hq__AgentUsage u;
    memset(&u, 0, sizeof u);
    u.agent_id = agent.id;
    u.run_id = (char *)"run-1";
    u.provider = (char *)"anthropic";
    u.model = (char *)"claude";
    u.input_tokens = 1000;
    u.output_tokens = 250;
    u.total_tokens = 1250;
    u.cost_total_usd = (char *)"0.125";
    HqColumnSet ucols = hq__agent_usage__required_cols;
    hq_colset_add(&ucols, HQ__AGENT_USAGE__AGENT_ID);
    hq_colset_add(&ucols, HQ__AGENT_USAGE__INPUT_TOKENS);
    hq_colset_add(&ucols, HQ__AGENT_USAGE__OUTPUT_TOKENS);
    hq_colset_add(&ucols, HQ__AGENT_USAGE__TOTAL_TOKENS);
    hq_colset_add(&ucols, HQ__AGENT_USAGE__COST_TOTAL_USD);
    OK(hq__agent_usage__insert(db.c, &u, &ucols, NULL, &err));
    u.run_id = (char *)"run-2";
    u.cost_total_usd = (char *)"0.5";
    OK(hq__agent_usage__insert(db.c, &u, &ucols, NULL, &err));
    Hq__RecomputeAgentBudget__Args ra;
    memset(&ra, 0, sizeof ra);
    ra.p_agent_id = agent.id;
    Hq__AgentBudget budget;
    OK(hq__recompute_agent_budget(db.c, &ra, &budget, &err));
    assert_memory_equal(&budget.agent_id, &agent.id, sizeof agent.id);
    assert_string_equal(budget.current_period_spend_usd, "0.625000");
    assert_int_equal(budget.current_period_tokens, 2500);
    assert_int_equal(budget.current_period_metered_calls, 2);
    hq__agent__clear(db.c, &agent);
    hq__agent_budget__clear(db.c, &budget);
}

static void test_rpc_daily_usage(void **state)
{
    (void)state;
    NEED_DB();
    HqError err;
    Hq__Agent agent;
    make_agent("capi-daily", NULL, &agent);
    Hq__AgentUsage u;
    memset(&u, 0, sizeof u);
    u.agent_id = agent.id;
    u.provider = (char *)"p";
    u.model = (char *)"m";
    u.cost_total_usd = (char *)"1.25";
    u.total_tokens = 40;
    HqColumnSet ucols = hq__agent_usage__required_cols;
    hq_colset_add(&ucols, HQ__AGENT_USAGE__AGENT_ID);
    hq_colset_add(&ucols, HQ__AGENT_USAGE__COST_TOTAL_USD);
    hq_colset_add(&ucols, HQ__AGENT_USAGE__TOTAL_TOKENS);
    for (int i = 0; i < 3; i++) {
        char run[16];
        snprintf(run, sizeof run, "d-%d", i);
        u.run_id = run;
        OK(hq__agent_usage__insert(db.c, &u, &ucols, NULL, &err));
    }
    /* TABLE(day date, spend_usd numeric, tokens bigint) */
    Hq__GetAgentDailyUsage__Args a;
    memset(&a, 0, sizeof a);
    a.p_agent_id = agent.id;
    Hq__GetAgentDailyUsage__Row row;
    OK(hq__get_agent_daily_usage(db.c, &a, &row, NULL, NULL, &err));
    assert_false(row.day_is_null);
    char *today = query_value(db.c, "SELECT (current_date - DATE '1970-01-01')::text", 0, NULL);
    assert_int_equal(row.day, strtol(today, NULL, 10));
    free(today);
    assert_string_equal(row.spend_usd, "3.750000");
    assert_int_equal(row.tokens, 120);
    hq__get_agent_daily_usage__row_clear(db.c, &row);
    hq__agent__clear(db.c, &agent);
}

/* ---- row level security while acting as an API user ------------------------------------- */

typedef struct Seen {
    size_t n, n_other;
    HqUuid tenant;
} Seen;

static int see_agent(void *ctx, Hq__Agent *row)
{
    Seen *s = ctx;
    s->n++;
    s->n_other += memcmp(&row->tenant_id, &s->tenant, sizeof s->tenant) != 0;
    return 0;
}

static void test_rls_acting_as(void **state)
{
    (void)state;
    NEED_DB();
    HqError err;
    Hq__Tenant other;
    make_tenant("capi-rls", &other);
    char tid[37], claims[256];
    uuid_text(&other.id, tid);
    snprintf(claims, sizeof claims,
             "{\"sub\": \"11111111-1111-1111-1111-111111111111\", \"role\": \"authenticated\","
             " \"app_metadata\": {\"tenant_id\": \"%s\"}}",
             tid);
    Hq__Agent mine;
    make_agent("capi-default-tenant", NULL, &mine); /* in the default tenant */

    OK(hq_act_as(db.c, "authenticated", claims, HQ_SCOPE_TRANSACTION, &err));
    /* The caller writes into its own tenant... */
    Hq__Agent a, a_in;
    memset(&a_in, 0, sizeof a_in);
    a_in.name = (char *)"capi-rls-agent";
    a_in.slug = (char *)"capi-rls-agent";
    a_in.tenant_id = other.id;
    HqColumnSet cols = hq__agent__required_cols;
    hq_colset_add(&cols, HQ__AGENT__TENANT_ID);
    OK(hq__agent__insert(db.c, &a_in, &cols, &a, &err));
    /* ...and sees its own tenant's rows only. */
    Seen seen = {0, 0, other.id};
    OK(hq__agent__list(db.c, NULL, see_agent, &seen, &err));
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.n_other, 0);
    Hq__Agent hidden;
    EXPECT(hq__agent__get(db.c, &mine.id, &hidden, &err), HQ_ERR_NOT_FOUND);
    /* Writing into another tenant is refused by the policy's WITH CHECK. */
    HqSavepoint sp;
    OK(hq_savepoint(db.c, &sp, &err));
    Hq__Agent foreign;
    memset(&foreign, 0, sizeof foreign);
    foreign.name = (char *)"intruder";
    foreign.slug = (char *)"intruder";
    foreign.tenant_id = mine.tenant_id;
    EXPECT(hq__agent__insert(db.c, &foreign, &cols, NULL, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "42501");
    OK(hq_savepoint_rollback(db.c, &sp, &err));
    /* RPCs run as the caller too: current_tenant_id() reads the claims. */
    HqUuid t;
    OK(hq__current_tenant_id(db.c, &t, NULL, &err));
    assert_memory_equal(&t, &other.id, sizeof t);
    hq__agent__clear(db.c, &a);
    hq__agent__clear(db.c, &mine);
    hq__tenant__clear(db.c, &other);
}

/* ---- schema check ------------------------------------------------------------------------- */

static void test_check_schema(void **state)
{
    (void)state;
    NEED_DB();
    HqError err;
    OK(hq__check_schema(db.c, &err));

    /* a newer database */
    HqSavepoint sp;
    OK(hq_savepoint(db.c, &sp, &err));
    OK(hq_exec_script(db.c, "INSERT INTO public._schema_version (version) VALUES (40)", &err));
    EXPECT(hq__check_schema(db.c, &err), HQ_ERR_MISMATCH);
    assert_non_null(strstr(err.message, "\"version 40\""));
    assert_non_null(strstr(err.message, "\"version 39\""));
    OK(hq_savepoint_rollback(db.c, &sp, &err));
    OK(hq__check_schema(db.c, &err));

    /* an older one */
    OK(hq_exec_script(db.c, "DELETE FROM public._schema_version WHERE version = 39", &err));
    EXPECT(hq__check_schema(db.c, &err), HQ_ERR_MISMATCH);
    assert_non_null(strstr(err.message, "\"version 38\""));
    OK(hq_savepoint_rollback(db.c, &sp, &err));

    /* no version recorded */
    OK(hq_exec_script(db.c, "DELETE FROM public._schema_version", &err));
    EXPECT(hq__check_schema(db.c, &err), HQ_ERR_MISMATCH);
    assert_non_null(strstr(err.message, "no schema version"));
    OK(hq_savepoint_rollback(db.c, &sp, &err));

    /* no version table: a database without the migrations */
    OK(hq_exec_script(db.c, "ALTER TABLE public._schema_version RENAME TO _schema_version_old", &err));
    EXPECT(hq__check_schema(db.c, &err), HQ_ERR_SERVER);
    assert_string_equal(err.sqlstate, "42P01");
    OK(hq_savepoint_rollback(db.c, &sp, &err));
    OK(hq__check_schema(db.c, &err));
}

static int group_setup(void **state)
{
    (void)state;
    if (test_dsn() == NULL)
        return 0;
    if (db_open(&db) != 0)
        return -1;
    connected = true;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return connected ? db_close(&db) : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_descriptors_check),
        cmocka_unit_test(test_enums),
        cmocka_unit_test_setup_teardown(test_tenant_crud, begin_tx, rollback_tx),
        cmocka_unit_test_setup_teardown(test_constraint_errors, begin_tx, rollback_tx),
        cmocka_unit_test_setup_teardown(test_rpc_inbox, begin_tx, rollback_tx),
        cmocka_unit_test_setup_teardown(test_rpc_table_result, begin_tx, rollback_tx),
        cmocka_unit_test_setup_teardown(test_rpc_scalar_and_row, begin_tx, rollback_tx),
        cmocka_unit_test_setup_teardown(test_rpc_daily_usage, begin_tx, rollback_tx),
        cmocka_unit_test_setup_teardown(test_rls_acting_as, begin_tx, rollback_tx),
        cmocka_unit_test_setup_teardown(test_check_schema, begin_tx, rollback_tx),
    };
    if (test_dsn() == NULL)
        fprintf(stderr, "HQ_TEST_DSN is not set: the database tests are skipped\n");
    return cmocka_run_group_tests_name("api", tests, group_setup, group_teardown);
}
