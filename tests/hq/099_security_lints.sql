-- The fixes that make the HQ schema clean under hqc's lints (docs/deviations.md, "Security and
-- performance lints"): RLS on _schema_version, EXECUTE on trigger functions and service-only
-- SECURITY DEFINER functions, the tenant-scoped spawn path for signed-in callers, fixed
-- search_paths, indexes for foreign keys, pgcrypto outside the API schema.
BEGIN;
SELECT plan(29);

-- ============================================================ _schema_version
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'public._schema_version'::regclass),
          'deviation: _schema_version has row level security');
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT ok((SELECT max(version) FROM _schema_version) >= 25, 'deviation: a signed-in user still reads the schema version');
SELECT throws_ok($$INSERT INTO _schema_version (version) VALUES (999)$$, '42501', NULL,
                 'deviation: a signed-in user cannot add a version row');
WITH u AS (UPDATE _schema_version SET description = 'x' RETURNING 1)
SELECT is(count(*)::int, 0, 'deviation: a signed-in user cannot change version rows') FROM u;
WITH d AS (DELETE FROM _schema_version RETURNING 1)
SELECT is(count(*)::int, 0, 'deviation: a signed-in user cannot delete version rows') FROM d;
RESET role;
SET LOCAL role anon;
SELECT throws_ok($$SELECT * FROM _schema_version$$, '42501', NULL, 'anon reads no version rows (no privilege)');
RESET role;
SET LOCAL role service_role;
SELECT lives_ok($$INSERT INTO _schema_version (version, description) VALUES (999, 'test')$$,
                'the service role may write version rows');
RESET role;

-- ============================================================ EXECUTE privileges
SELECT is((SELECT string_agg(p.proname, ', ' ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prorettype = 'trigger'::regtype
              AND (has_function_privilege('authenticated', p.oid, 'EXECUTE')
                   OR has_function_privilege('anon', p.oid, 'EXECUTE'))), NULL,
          'deviation: no trigger function is executable by anon or authenticated');
SELECT cmp_ok((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'public'::regnamespace
                 AND prorettype = 'trigger'::regtype), '>=', 26, 'the trigger functions are there');
SELECT is((SELECT string_agg(p.proname, ', ' ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
              AND has_function_privilege('authenticated', p.oid, 'EXECUTE')),
          'complete_setup, consume_gateway_token, recompute_agent_budget',
          'deviation: authenticated executes exactly the SECURITY DEFINER functions declared as lint exceptions');
SELECT is((SELECT string_agg(p.proname, ', ' ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
              AND has_function_privilege('anon', p.oid, 'EXECUTE')),
          'consume_gateway_token', 'deviation: anon executes only consume_gateway_token of them');
SELECT ok(NOT has_function_privilege('authenticated', f, 'EXECUTE') AND has_function_privilege('service_role', f, 'EXECUTE'),
          'deviation: ' || f || ' is for the service role only')
  FROM unnest(ARRAY['lease_knowledge_items_for_processing(text, integer, integer)', 'upsert_knowledge_chunks(uuid, jsonb)',
                    'escalate_overdue_tasks()']) AS f;
SELECT ok(NOT p.prosecdef, 'deviation: ' || p.proname || ' is SECURITY INVOKER (RLS confines signed-in callers)')
  FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace
   AND p.proname IN ('spawn_due_task_instances', 'recurring_tasks_debug', 'get_agent_daily_usage')
 ORDER BY p.proname;

-- ============================================================ search_path
SELECT is((SELECT string_agg(p.proname, ', ' ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')), NULL,
          'deviation: every function sets its search_path (is_valid_timezone, agent_reports_chain)');
SELECT ok(is_valid_timezone('Europe/Berlin') AND NOT is_valid_timezone('Mars/Base'),
          'is_valid_timezone still works with an empty search_path');

-- ============================================================ spawn_due_task_instances per tenant
INSERT INTO tenants (id, name, slug, status) VALUES
  ('11111111-1111-1111-1111-111111111111', 'Tenant A', 'tenant-a', 'active'),
  ('33333333-3333-3333-3333-333333333333', 'Tenant B', 'tenant-b', 'active');
INSERT INTO task_series (id, tenant_id, title, cadence_type, timezone, starts_on) VALUES
  ('5e000000-0000-0000-0000-0000000000a1', '11111111-1111-1111-1111-111111111111', 'A daily', 'daily', 'UTC', current_date - 5),
  ('5e000000-0000-0000-0000-0000000000b1', '33333333-3333-3333-3333-333333333333', 'B daily', 'daily', 'UTC', current_date - 5);
-- Make them due (the sync trigger keeps a written next_occurrence_at).
UPDATE task_series SET next_occurrence_at = now() - interval '1 hour'
 WHERE id IN ('5e000000-0000-0000-0000-0000000000a1', '5e000000-0000-0000-0000-0000000000b1');
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "11111111-1111-1111-1111-111111111111"}}';
SELECT lives_ok($$SELECT spawn_due_task_instances()$$, 'a signed-in user may still call spawn_due_task_instances');
RESET role;
SELECT is((SELECT count(*)::int FROM tasks WHERE series_id = '5e000000-0000-0000-0000-0000000000a1'), 1,
          'deviation: it spawns the due instance of the caller''s tenant');
SELECT is((SELECT count(*)::int FROM tasks WHERE series_id = '5e000000-0000-0000-0000-0000000000b1'), 0,
          'deviation: and nothing of another tenant');
SELECT ok((SELECT next_occurrence_at > now() FROM task_series WHERE id = '5e000000-0000-0000-0000-0000000000a1'),
          'the caller''s series advanced');
SELECT spawn_due_task_instances();   -- as the table owner, like the cron job
SELECT is((SELECT count(*)::int FROM tasks WHERE series_id = '5e000000-0000-0000-0000-0000000000b1'), 1,
          'the cron job (the owner) still spawns for every tenant');

-- ============================================================ indexes, extensions
SELECT is((SELECT string_agg(c.conrelid::regclass || '.' || c.conname, ', ' ORDER BY 1)
             FROM pg_constraint c
            WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
              AND NOT EXISTS (
                SELECT 1 FROM pg_index i
                 WHERE i.indrelid = c.conrelid
                   AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) ~ '^\(?\w+ IS NOT NULL\)?$')
                   AND (SELECT array_agg(k ORDER BY k) FROM unnest(i.indkey[0:array_length(c.conkey, 1) - 1]) k)
                       = (SELECT array_agg(k ORDER BY k) FROM unnest(c.conkey) k))),
          'gateway_registration_tokens.gateway_registration_tokens_consumed_by_gateway_id_fkey',
          'deviation: every foreign key has an index but the one declared as an exception');
SELECT ok(EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = i), 'deviation: index ' || i)
  FROM unnest(ARRAY['idx_audit_log_actor_agent', 'idx_secrets_tenant', 'idx_agent_commands_gateway']) AS i;
SELECT isnt((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'), 'public',
            'deviation: pgcrypto is not in the API schema');

SELECT * FROM finish();
ROLLBACK;
