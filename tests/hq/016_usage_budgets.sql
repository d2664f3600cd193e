-- Usage rollup into budgets (module 016): the agent_usage_rollup trigger with warned /
-- exceeded notifications and period resets, recompute_agent_budget, get_agent_daily_usage.
BEGIN;
SELECT plan(41);

-- The current period of the default tenant (anchor zone UTC) and helpers.
CREATE TEMP TABLE p ON COMMIT DROP AS
  SELECT date_trunc('month', now() AT TIME ZONE 'UTC')::date AS cur,
         (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month')::date AS prev;
CREATE FUNCTION pg_temp.use(p_agent uuid, p_run text, p_cost numeric, p_tokens int,
                            p_at timestamptz DEFAULT now(), p_tenant uuid DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO agent_usage (tenant_id, agent_id, run_id, provider, model, total_tokens, cost_total_usd, occurred_at)
  VALUES (coalesce(p_tenant, (SELECT tenant_id FROM agents WHERE id = p_agent),
                   '00000000-0000-0000-0000-000000000000'),
          p_agent, p_run, 'anthropic', 'claude', p_tokens, p_cost, p_at)
$$;

UPDATE workspace SET default_agent_budget_usd = 10.00, default_soft_threshold_pct = 80, owner_timezone = NULL
 WHERE tenant_id = '00000000-0000-0000-0000-000000000000';
INSERT INTO tenants (id, name, slug) VALUES
  ('22222222-2222-2222-2222-222222222222', 'No workspace', 'no-workspace'),
  ('33333333-3333-3333-3333-333333333333', 'Bad zone', 'bad-zone'),
  ('44444444-4444-4444-4444-444444444444', 'Auckland', 'auckland');
INSERT INTO workspace (tenant_id, default_agent_budget_usd, owner_timezone) VALUES
  ('33333333-3333-3333-3333-333333333333', 1.00, 'Mars/Base'),
  ('44444444-4444-4444-4444-444444444444', NULL, 'Pacific/Auckland');
INSERT INTO agents (id, tenant_id, name, slug) VALUES
  ('a0000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-000000000000', 'Alpha', 'alpha'),
  ('a0000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-000000000000', 'Bravo', 'bravo'),
  ('a0000000-0000-0000-0000-00000000000c', '00000000-0000-0000-0000-000000000000', 'Charlie', 'charlie'),
  ('a0000000-0000-0000-0000-00000000000d', '00000000-0000-0000-0000-000000000000', 'Delta', 'delta'),
  ('a0000000-0000-0000-0000-00000000000e', '22222222-2222-2222-2222-222222222222', 'Echo', 'echo'),
  ('a0000000-0000-0000-0000-00000000000f', '33333333-3333-3333-3333-333333333333', 'Foxtrot', 'foxtrot'),
  ('a0000000-0000-0000-0000-000000000010', '44444444-4444-4444-4444-444444444444', 'Golf', 'golf'),
  ('a0000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-000000000000', 'Hotel', 'hotel');

-- ================================================================= rollup: warned, exceeded
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000a', 'r1', 8.50, 100);
SELECT results_eq(
  $$SELECT monthly_limit_usd, soft_threshold_pct, hard_cutoff, period_anchor_tz, current_period_start,
           tenant_id, status::text, warned_at, exceeded_at
      FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a'$$,
  $$SELECT 10.00::numeric(10,2), 80, true, 'UTC', cur, '00000000-0000-0000-0000-000000000000'::uuid,
           'warned', now(), NULL::timestamptz FROM p$$,
  'first usage creates the budget row with the workspace defaults; 8.50 of 10.00 at 80 % is warned');
SELECT results_eq(
  $$SELECT title, body, entity_type, actor_type::text, tenant_id, meta ->> 'period_start',
           (meta ->> 'spend')::numeric, (meta ->> 'limit')::numeric, meta ->> 'agent_id'
      FROM notifications WHERE type = 'budget.warned' AND entity_id = 'a0000000-0000-0000-0000-00000000000a'$$,
  $$SELECT 'Agent Alpha near monthly budget', 'Spent $8.50 of $10.00', 'agent_budget', 'system',
           '00000000-0000-0000-0000-000000000000'::uuid, to_char(cur, 'YYYY-MM-DD'), 8.5, 10.0,
           'a0000000-0000-0000-0000-00000000000a' FROM p$$,
  'budget.warned notification (title, body, entity, meta)');

SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000a', 'r2', 2.00, 200);
SELECT results_eq(
  $$SELECT status::text, current_period_spend_usd, exceeded_at FROM agent_budgets
     WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a'$$,
  $$VALUES ('exceeded', 10.50::numeric, now())$$,
  'a further 2.00 exceeds the limit: status exceeded, exceeded_at stamped');
SELECT results_eq(
  $$SELECT title, body FROM notifications WHERE type = 'budget.exceeded' AND entity_id = 'a0000000-0000-0000-0000-00000000000a'$$,
  $$VALUES ('Agent Alpha exceeded monthly budget', 'Stopped at $10.50 (limit $10.00)')$$,
  'budget.exceeded notification');

SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000a', 'r3', 1.00, 300);
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000a', 'r4', NULL, 400);
SELECT results_eq(
  $$SELECT status::text, current_period_spend_usd, current_period_tokens, current_period_metered_calls,
           current_period_unmetered_calls, last_usage_at
      FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a'$$,
  $$VALUES ('exceeded', 11.50::numeric, 1000::bigint, 3, 1, now())$$,
  'running totals: spend, tokens, metered and unmetered calls; hard_cutoff is not enforced by SQL');
SELECT is((SELECT count(*)::int FROM notifications WHERE entity_id = 'a0000000-0000-0000-0000-00000000000a'), 2,
          'staying exceeded creates no further notification');

-- A late row from the previous month restarts the period (either direction).
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000a', 'r5', 1.00, 10, (SELECT (prev + 14) + time '12:00' FROM p) AT TIME ZONE 'UTC');
SELECT results_eq(
  $$SELECT current_period_start, current_period_spend_usd, current_period_tokens, current_period_metered_calls,
           current_period_unmetered_calls, status::text, warned_at, exceeded_at
      FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a'$$,
  $$SELECT prev, 1.00::numeric, 10::bigint, 1, 0, 'ok', NULL::timestamptz, NULL::timestamptz FROM p$$,
  'a usage row of another month restarts the period: totals replaced, warned_at / exceeded_at cleared');
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000a', 'r6', 9.00, 600);
SELECT results_eq(
  $$SELECT current_period_start, current_period_spend_usd, status::text, warned_at IS NOT NULL, exceeded_at
      FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a'$$,
  $$SELECT cur, 9.00::numeric, 'warned', true, NULL::timestamptz FROM p$$,
  'back in the current month: period restarts again, 9.00 is warned');
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'budget.warned' AND entity_id = 'a0000000-0000-0000-0000-00000000000a'), 1,
          'one budget.warned notification per agent and period (uq_budget_notification_per_period)');

-- ================================================================= other status paths
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000b', 'b1', NULL, 50);
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000b', 'b2', NULL, 50);
SELECT results_eq(
  $$SELECT status::text, current_period_spend_usd, current_period_metered_calls, current_period_unmetered_calls
      FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000b'$$,
  $$VALUES ('unmetered', 0::numeric, 0, 2)$$,
  'only calls without cost: unmetered');

SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000c', 'c1', 12.00, 1);
SELECT results_eq(
  $$SELECT type FROM notifications WHERE entity_id = 'a0000000-0000-0000-0000-00000000000c' ORDER BY type$$,
  $$VALUES ('budget.exceeded')$$,
  'jumping from ok straight to exceeded produces only the exceeded notification');
SELECT results_eq(
  $$SELECT status::text, warned_at, exceeded_at FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000c'$$,
  $$VALUES ('exceeded', now(), now())$$,
  'both thresholds crossed at once: warned_at and exceeded_at stamped');

UPDATE agent_budgets SET monthly_limit_usd = NULL WHERE agent_id = 'a0000000-0000-0000-0000-00000000000c';
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000c', 'c2', 100.00, 1);
SELECT is((SELECT status::text FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000c'), 'ok',
          'no limit: status ok whatever the spend');

SELECT lives_ok($$SELECT pg_temp.use(NULL, 'n1', 5.00, 5, now(), '00000000-0000-0000-0000-000000000000')$$,
                'usage without agent_id is recorded');
SELECT is((SELECT count(*)::int FROM agent_budgets), 3, 'and creates no budget row');
SELECT throws_ok($$SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000c', 'c2', 100.00, 1)$$, '23505', NULL,
                 'usage rows are idempotent on (run_id, provider, model, occurred_at)');

-- ================================================================= deviation: no workspace row
SELECT lives_ok($$SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000e', 'e1', 5.00, 10)$$,
                'deviation: usage of a tenant without a workspace row is recorded (the original failed with 23502)');
SELECT results_eq(
  $$SELECT tenant_id, monthly_limit_usd, soft_threshold_pct, hard_cutoff, period_anchor_tz, status::text,
           current_period_spend_usd
      FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000e'$$,
  $$VALUES ('22222222-2222-2222-2222-222222222222'::uuid, NULL::numeric(10,2), 80, true, 'UTC', 'ok', 5.00::numeric)$$,
  'deviation: a tenant without a workspace row gets the documented defaults (no limit, 80 %, hard cutoff, UTC)');

SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000f', 'f1', 2.00, 10);
SELECT results_eq(
  $$SELECT period_anchor_tz, monthly_limit_usd, status::text FROM agent_budgets
     WHERE agent_id = 'a0000000-0000-0000-0000-00000000000f'$$,
  $$VALUES ('UTC', 1.00::numeric(10,2), 'exceeded')$$,
  'deviation: an unusable owner_timezone falls back to UTC (workspace limit still applies)');

-- ================================================================= anchor time zone
SELECT pg_temp.use('a0000000-0000-0000-0000-000000000010', 'g1', 1.00, 1, '2025-01-31 10:00+00');  -- Jan 31 23:00 NZDT
SELECT is((SELECT current_period_start FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-000000000010'),
          '2025-01-01'::date, 'period start is the month of occurred_at in the workspace zone');
SELECT pg_temp.use('a0000000-0000-0000-0000-000000000010', 'g2', 2.00, 20, '2025-01-31 12:00+00'); -- Feb 1 01:00 NZDT
SELECT pg_temp.use('a0000000-0000-0000-0000-000000000010', 'g3', 4.00, 40, '2025-02-01 12:00+00'); -- Feb 2 01:00 NZDT
SELECT results_eq(
  $$SELECT period_anchor_tz, current_period_start, current_period_spend_usd, current_period_tokens
      FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-000000000010'$$,
  $$VALUES ('Pacific/Auckland', '2025-02-01'::date, 6.00::numeric, 60::bigint)$$,
  'Jan 31 12:00 UTC is already February in Pacific/Auckland: new period');

-- ================================================================= recompute_agent_budget
SELECT lives_ok($$SELECT recompute_agent_budget('a0000000-0000-0000-0000-00000000000a')$$,
                'deviation: recompute_agent_budget runs (the original failed on every call with 42883)');
SELECT results_eq(
  $$SELECT current_period_start, current_period_spend_usd, current_period_tokens, current_period_metered_calls,
           current_period_unmetered_calls, last_usage_at, status::text, warned_at IS NOT NULL, exceeded_at
      FROM recompute_agent_budget('a0000000-0000-0000-0000-00000000000a')$$,
  $$SELECT cur, 20.50::numeric, 1600::bigint, 4, 1, now(), 'exceeded', true, NULL::timestamptz FROM p$$,
  'recompute: current-month rows only (the previous-month row is ignored); exceeded without stamping exceeded_at');
SELECT is((SELECT count(*)::int FROM notifications WHERE entity_id = 'a0000000-0000-0000-0000-00000000000a'), 2,
          'recompute creates no notification');
UPDATE agent_budgets SET monthly_limit_usd = 100 WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a';
SELECT results_eq(
  $$SELECT status::text, warned_at, exceeded_at FROM recompute_agent_budget('a0000000-0000-0000-0000-00000000000a')$$,
  $$VALUES ('ok', NULL::timestamptz, NULL::timestamptz)$$,
  'recompute below the thresholds: ok, warned_at cleared');
SELECT is((SELECT status::text FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a'), 'ok',
          'recompute stores the row');
UPDATE agent_budgets SET monthly_limit_usd = 20.00 WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a';
SELECT is((SELECT status::text FROM recompute_agent_budget('a0000000-0000-0000-0000-00000000000a')), 'exceeded',
          'recompute applies the rollup status rule (20.50 of 20.00)');
SELECT is((SELECT status::text FROM recompute_agent_budget('a0000000-0000-0000-0000-00000000000b')), 'unmetered',
          'recompute: only unmetered calls -> unmetered');
SELECT results_eq(
  $$SELECT agent_id, status FROM recompute_agent_budget('a0000000-0000-0000-0000-000000000011')$$,
  $$VALUES (NULL::uuid, NULL::budget_status)$$,
  'recompute for an agent without budget row returns a row of NULLs');
SELECT is((SELECT count(*)::int FROM agent_budgets WHERE agent_id = 'a0000000-0000-0000-0000-000000000011'), 0,
          'and creates no budget row');

SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT throws_ok($$SELECT recompute_agent_budget('a0000000-0000-0000-0000-00000000000a')$$, 'P0001', NULL,
                 'recompute of another tenant''s budget raises P0001');
SELECT is((SELECT current_period_spend_usd FROM recompute_agent_budget('a0000000-0000-0000-0000-00000000000e')),
          5.00::numeric, 'recompute of the own tenant''s budget works for authenticated');
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT lives_ok($$SELECT recompute_agent_budget('a0000000-0000-0000-0000-00000000000a')$$,
                'authenticated of the default tenant may recompute its agent');
RESET role;
SET LOCAL role anon;
SELECT throws_ok($$SELECT recompute_agent_budget('a0000000-0000-0000-0000-00000000000a')$$, '42501', NULL,
                 'deviation: anon cannot execute recompute_agent_budget');
SELECT throws_ok($$SELECT * FROM get_agent_daily_usage('a0000000-0000-0000-0000-00000000000a')$$, '42501', NULL,
                 'deviation: anon cannot execute get_agent_daily_usage');
RESET role;
SET LOCAL role service_role;
SELECT lives_ok($$SELECT recompute_agent_budget('a0000000-0000-0000-0000-00000000000a')$$,
                'service_role may execute recompute_agent_budget');
RESET role;

-- ================================================================= daily usage
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000d', 'd0', 50.00, 999, (SELECT (prev + 3) + time '08:00' FROM p) AT TIME ZONE 'UTC');
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000d', 'd1', 1.50, 10, (SELECT cur + time '01:00' FROM p) AT TIME ZONE 'UTC');
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000d', 'd2', NULL, 5, (SELECT cur + time '02:00' FROM p) AT TIME ZONE 'UTC');
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000d', 'd3', 2.25, 20, (SELECT (cur + 1) + time '01:00' FROM p) AT TIME ZONE 'UTC');
SELECT pg_temp.use('a0000000-0000-0000-0000-00000000000d', 'd4', NULL, 7, (SELECT (cur + 2) + time '23:59' FROM p) AT TIME ZONE 'UTC');
SELECT results_eq(
  $$SELECT day, spend_usd, tokens FROM get_agent_daily_usage('a0000000-0000-0000-0000-00000000000d')$$,
  $$SELECT cur, 1.50::numeric, 15::bigint FROM p
    UNION ALL SELECT cur + 1, 2.25, 20 FROM p
    UNION ALL SELECT cur + 2, 0, 7 FROM p$$,
  'daily usage of the current period: per-day spend (0 when all costs are NULL) and tokens, ascending');
SELECT is_empty($$SELECT * FROM get_agent_daily_usage('a0000000-0000-0000-0000-000000000011')$$,
                'daily usage of an agent without budget row is empty');
SELECT results_eq(
  $$SELECT day, spend_usd, tokens FROM get_agent_daily_usage('a0000000-0000-0000-0000-000000000010')$$,
  $$VALUES ('2025-02-02'::date, 4.00::numeric, 40::bigint)$$,
  'daily usage groups by the anchor-zone date; the period start is compared as midnight of the session zone');

SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT is((SELECT count(*)::int FROM get_agent_daily_usage('a0000000-0000-0000-0000-00000000000d')), 0,
          'deviation: get_agent_daily_usage shows a signed-in user nothing of another tenant''s agent (SECURITY INVOKER)');
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT is((SELECT count(*)::int FROM get_agent_daily_usage('a0000000-0000-0000-0000-00000000000d')), 3,
          'deviation: get_agent_daily_usage shows a signed-in user its own tenant''s agent');
RESET role;

SELECT * FROM finish();
ROLLBACK;
