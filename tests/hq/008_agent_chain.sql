-- Reports-to chain (module 008): agent_reports_chain, the depth cap, cycle detection by the
-- caller, the no-self-report CHECK, and tenant confinement.
BEGIN;
SELECT plan(14);

INSERT INTO tenants (id, name, slug) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Other', 'other');
INSERT INTO agents (id, name, slug) VALUES
  ('a0000000-0000-0000-0000-000000000001', 'Chief', 'ceo'),
  ('a0000000-0000-0000-0000-000000000002', 'Tech Lead', 'cto'),
  ('a0000000-0000-0000-0000-000000000003', 'Developer', 'dev'),
  ('a0000000-0000-0000-0000-000000000004', 'Intern', 'intern');
UPDATE agents SET reports_to_id = 'a0000000-0000-0000-0000-000000000001' WHERE slug = 'cto';
UPDATE agents SET reports_to_id = 'a0000000-0000-0000-0000-000000000002' WHERE slug = 'dev';
UPDATE agents SET reports_to_id = 'a0000000-0000-0000-0000-000000000003' WHERE slug = 'intern';
-- An agent of another tenant whose manager is in the default tenant.
INSERT INTO agents (id, tenant_id, name, slug, reports_to_id) VALUES
  ('a0000000-0000-0000-0000-000000000005', '22222222-2222-2222-2222-222222222222', 'Outsider', 'outsider',
   'a0000000-0000-0000-0000-000000000002');

SELECT results_eq(
  $$SELECT depth, agent_id, slug, name FROM agent_reports_chain('a0000000-0000-0000-0000-000000000004')$$,
  $$VALUES (0, 'a0000000-0000-0000-0000-000000000004'::uuid, 'intern', 'Intern'),
           (1, 'a0000000-0000-0000-0000-000000000003'::uuid, 'dev', 'Developer'),
           (2, 'a0000000-0000-0000-0000-000000000002'::uuid, 'cto', 'Tech Lead'),
           (3, 'a0000000-0000-0000-0000-000000000001'::uuid, 'ceo', 'Chief')$$,
  'chain: the agent itself at depth 0, then each manager up to the top, in depth order');
SELECT results_eq(
  $$SELECT slug FROM agent_reports_chain('a0000000-0000-0000-0000-000000000004', 2)$$,
  $$VALUES ('intern'), ('dev'), ('cto')$$,
  'p_max_depth caps the chain (deepest row has depth = p_max_depth)');
SELECT results_eq(
  $$SELECT slug FROM agent_reports_chain('a0000000-0000-0000-0000-000000000001')$$,
  $$VALUES ('ceo')$$, 'an agent without manager: just itself');
SELECT is_empty($$SELECT * FROM agent_reports_chain('a0000000-0000-0000-0000-0000000000ff')$$,
                'unknown agent: empty');

SELECT throws_ok(
  $$UPDATE agents SET reports_to_id = id WHERE slug = 'ceo'$$, '23514', NULL,
  'an agent cannot report to itself (agents_no_self_report)');

-- Cycle detection as the UI does it: before making X report to M, look for X in M's chain.
SELECT ok(EXISTS (SELECT 1 FROM agent_reports_chain('a0000000-0000-0000-0000-000000000004')
                   WHERE agent_id = 'a0000000-0000-0000-0000-000000000001'),
          'cycle check: ceo is in intern''s chain, so ceo must not report to intern');
SELECT ok(NOT EXISTS (SELECT 1 FROM agent_reports_chain('a0000000-0000-0000-0000-000000000001')
                       WHERE agent_id = 'a0000000-0000-0000-0000-000000000004'),
          'cycle check: intern is not in ceo''s chain');

-- A cycle that exists anyway is walked until the depth cap (no infinite recursion).
UPDATE agents SET reports_to_id = 'a0000000-0000-0000-0000-000000000003' WHERE slug = 'ceo';
SELECT results_eq(
  $$SELECT depth, slug FROM agent_reports_chain('a0000000-0000-0000-0000-000000000002')$$,
  $$VALUES (0, 'cto'), (1, 'ceo'), (2, 'dev'), (3, 'cto'), (4, 'ceo'), (5, 'dev')$$,
  'a cycle cto -> ceo -> dev -> cto repeats up to the default cap of 5');
SELECT ok(EXISTS (SELECT 1 FROM agent_reports_chain('a0000000-0000-0000-0000-000000000002')
                   WHERE depth > 0 AND agent_id = 'a0000000-0000-0000-0000-000000000002'),
          'cycle visible: the agent reappears in its own chain');
SELECT is((SELECT count(*)::int FROM agent_reports_chain('a0000000-0000-0000-0000-000000000002', 20)), 21,
          'cycle with p_max_depth 20: 21 rows');

-- Tenant confinement (current_tenant_id()).
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT is_empty($$SELECT * FROM agent_reports_chain('a0000000-0000-0000-0000-000000000004')$$,
                'an agent of another tenant yields no rows');
SELECT results_eq(
  $$SELECT slug FROM agent_reports_chain('a0000000-0000-0000-0000-000000000005')$$,
  $$VALUES ('outsider')$$,
  'a manager in another tenant is not followed');
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT is((SELECT count(*)::int FROM agent_reports_chain('a0000000-0000-0000-0000-000000000004', 3)), 4,
          'authenticated of the default tenant sees the chain');
RESET role;
SET LOCAL role service_role;
SET LOCAL request.jwt.claims = '{}';
SELECT is((SELECT count(*)::int FROM agent_reports_chain('a0000000-0000-0000-0000-000000000004', 3)), 4,
          'no tenant claim: the default tenant');
RESET role;

SELECT * FROM finish();
ROLLBACK;
