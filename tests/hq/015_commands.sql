-- Command queue (module 015): lease_command with gateway filtering, start/complete/fail.
-- The gateway runner calls these as service_role.
BEGIN;
SELECT plan(35);

-- Fixtures -----------------------------------------------------------------------------
INSERT INTO tenants (id, name, slug) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Other', 'other');
INSERT INTO gateways (id, slug, label) VALUES
  ('9b000000-0000-0000-0000-00000000000b', 'gw-b', 'Gateway B');
-- Same slug as nothing in the default tenant: lease_command resolves slugs across tenants.
INSERT INTO gateways (id, tenant_id, slug, label) VALUES
  ('9c000000-0000-0000-0000-00000000000c', '22222222-2222-2222-2222-222222222222', 'gw-t2', 'Other tenant gateway');

-- Oldest first: created_at decides the order.
INSERT INTO agent_commands (id, action, status, gateway_id, created_at, leased_until) VALUES
  -- running: never re-leased, whatever its lease says
  ('c0000000-0000-0000-0000-000000000001', 'run_shell', 'running', NULL, now() - interval '60 min', now() - interval '1 hour'),
  -- live lease: not eligible
  ('c0000000-0000-0000-0000-000000000002', 'run_shell', 'leased', NULL, now() - interval '55 min', now() + interval '1 hour'),
  -- bound to the default gateway
  ('c0000000-0000-0000-0000-000000000003', 'run_shell', 'pending',
   (SELECT id FROM gateways WHERE slug = 'default' AND tenant_id = '00000000-0000-0000-0000-000000000000'),
   now() - interval '50 min', NULL),
  -- unbound
  ('c0000000-0000-0000-0000-000000000004', 'start_session', 'pending', NULL, now() - interval '40 min', NULL),
  -- bound to gw-b
  ('c0000000-0000-0000-0000-000000000005', 'provision', 'pending', '9b000000-0000-0000-0000-00000000000b', now() - interval '30 min', NULL),
  -- bound to gw-b, lease expired: leasable again
  ('c0000000-0000-0000-0000-000000000006', 'update', 'leased', '9b000000-0000-0000-0000-00000000000b', now() - interval '20 min', now() - interval '1 second'),
  -- done / failed / cancelled: never leased
  ('c0000000-0000-0000-0000-000000000007', 'update', 'done', NULL, now() - interval '90 min', NULL),
  ('c0000000-0000-0000-0000-000000000008', 'update', 'failed', NULL, now() - interval '91 min', NULL),
  ('c0000000-0000-0000-0000-000000000009', 'update', 'cancelled', NULL, now() - interval '92 min', NULL);
INSERT INTO agent_commands (id, tenant_id, action, gateway_id, created_at) VALUES
  ('c0000000-0000-0000-0000-00000000000a', '22222222-2222-2222-2222-222222222222', 'run_shell',
   '9c000000-0000-0000-0000-00000000000c', now() - interval '10 min');

SET LOCAL role service_role;

-- Gateway filtering ----------------------------------------------------------------------
CREATE TEMP TABLE leased ON COMMIT DROP AS
  SELECT 1 AS n, * FROM lease_command(300, 'gw-b');
SELECT is((SELECT count(*)::int FROM leased), 1, 'lease_command returns one row');
SELECT is((SELECT id FROM leased), 'c0000000-0000-0000-0000-000000000004'::uuid,
          'gw-b: the oldest eligible command is the unbound one (the default-gateway command is skipped)');
SELECT is((SELECT status::text FROM leased), 'leased', 'returned row already shows status leased');
SELECT is((SELECT leased_until FROM leased), now() + interval '300 seconds', 'leased_until = now() + p_lease_seconds');
SELECT is((SELECT leased_at FROM leased), now(), 'leased_at = now()');
SELECT is((SELECT status::text FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000004'),
          'leased', 'the stored row is leased');

SELECT is((SELECT id FROM lease_command(300, 'gw-b')), 'c0000000-0000-0000-0000-000000000005'::uuid,
          'gw-b: next is the command bound to gw-b');
SELECT is((SELECT id FROM lease_command(300, 'gw-b')), 'c0000000-0000-0000-0000-000000000006'::uuid,
          'gw-b: a command whose lease expired is leased again');
SELECT is((SELECT count(*)::int FROM lease_command(300, 'gw-b')), 0,
          'gw-b: nothing left (other gateway, running, live lease and finished commands are never returned)');
SELECT is((SELECT count(*)::int FROM lease_command(300, 'no-such-gateway')), 0,
          'unknown slug: only unbound commands qualify, none is pending');

INSERT INTO agent_commands (id, action, created_at) VALUES
  ('c0000000-0000-0000-0000-00000000000b', 'send_message', now() - interval '1 min');
SELECT is((SELECT id FROM lease_command(60, 'no-such-gateway')), 'c0000000-0000-0000-0000-00000000000b'::uuid,
          'unknown slug: an unbound pending command is leased');
SELECT is((SELECT id FROM lease_command(300, 'gw-t2')), 'c0000000-0000-0000-0000-00000000000a'::uuid,
          'slug resolved without tenant filter: command of another tenant bound to gw-t2');
SELECT is((SELECT id FROM lease_command()), 'c0000000-0000-0000-0000-000000000003'::uuid,
          'no slug: every command is eligible (the default-gateway command now)');
SELECT is((SELECT leased_until FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000003'),
          now() + interval '300 seconds', 'default lease is 300 seconds');
SELECT is((SELECT count(*)::int FROM lease_command()), 0, 'queue drained');
SELECT is((SELECT status::text FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000001'),
          'running', 'a running command with an expired lease was never re-leased');

-- Lifecycle ------------------------------------------------------------------------------
SELECT lives_ok($$SELECT start_command('c0000000-0000-0000-0000-000000000004')$$, 'start_command');
SELECT is((SELECT status::text FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000004'),
          'running', 'start_command: status running');
SELECT is((SELECT started_at FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000004'),
          now(), 'start_command: started_at = now()');

UPDATE agent_commands SET stderr = 'old stderr', stdout = 'old stdout'
 WHERE id = 'c0000000-0000-0000-0000-000000000004';
SELECT complete_command('c0000000-0000-0000-0000-000000000004', 0, 'all good');
SELECT results_eq(
  $$SELECT status::text, exit_code, stdout, stderr, completed_at IS NOT NULL
      FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000004'$$,
  $$VALUES ('done', 0, 'all good', NULL::text, true)$$,
  'complete_command: done, exit code and output stored, stderr overwritten with NULL');

SELECT fail_command('c0000000-0000-0000-0000-000000000005', 2, NULL, 'bad things', 'boom');
SELECT results_eq(
  $$SELECT status::text, exit_code, stdout, stderr, error_message, completed_at IS NOT NULL
      FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000005'$$,
  $$VALUES ('failed', 2, NULL::text, 'bad things', 'boom', true)$$,
  'fail_command: failed with exit code, output, error and completed_at');

SELECT fail_command('c0000000-0000-0000-0000-000000000006');
SELECT results_eq(
  $$SELECT status::text, exit_code, error_message FROM agent_commands
     WHERE id = 'c0000000-0000-0000-0000-000000000006'$$,
  $$VALUES ('failed', NULL::int, NULL::text)$$,
  'fail_command with defaults: failed, NULL exit code and error');

-- No preconditions: a finished command can be restarted / completed again.
SELECT start_command('c0000000-0000-0000-0000-000000000007');
SELECT is((SELECT status::text FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000007'),
          'running', 'start_command has no status precondition');
SELECT complete_command('c0000000-0000-0000-0000-000000000008', 1);
SELECT is((SELECT status::text FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000008'),
          'done', 'complete_command has no status precondition');

SELECT lives_ok($$SELECT start_command('c0000000-0000-0000-0000-0000000000ff')$$, 'start_command: unknown id is a no-op');
SELECT lives_ok($$SELECT complete_command('c0000000-0000-0000-0000-0000000000ff', 0)$$, 'complete_command: unknown id is a no-op');
SELECT lives_ok($$SELECT fail_command('c0000000-0000-0000-0000-0000000000ff')$$, 'fail_command: unknown id is a no-op');

-- A pending command whose lease columns say "expired" but status pending is simply pending;
-- a leased one with a lease in the future stays put even for its own gateway.
SELECT is((SELECT status::text FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000002'),
          'leased', 'a live lease is never stolen');
UPDATE agent_commands SET leased_until = now() - interval '1 second'
 WHERE id = 'c0000000-0000-0000-0000-000000000002';
SELECT is((SELECT id FROM lease_command(10, 'gw-b')), 'c0000000-0000-0000-0000-000000000002'::uuid,
          'once that lease expires the unbound command is leased by any gateway');
SELECT is((SELECT leased_until FROM agent_commands WHERE id = 'c0000000-0000-0000-0000-000000000002'),
          now() + interval '10 seconds', 'p_lease_seconds is honoured');

-- Row-level security: a signed-in user of another tenant sees none of the default tenant's
-- commands, and may queue commands only for its own tenant.
RESET role;
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT is((SELECT count(*)::int FROM agent_commands), 1, 'authenticated sees only its tenant''s commands');
SELECT throws_ok(
  $$INSERT INTO agent_commands (action) VALUES ('run_shell')$$, '42501', NULL,
  'authenticated of another tenant cannot insert with the literal default tenant');
SELECT lives_ok(
  $$INSERT INTO agent_commands (tenant_id, action) VALUES ('22222222-2222-2222-2222-222222222222', 'run_shell')$$,
  'authenticated may queue a command for its own tenant');
RESET role;

SELECT is((SELECT count(*)::int FROM agent_commands WHERE status = 'leased'), 4,
          'four commands are leased at the end');
SELECT is((SELECT count(*)::int FROM agent_commands WHERE status = 'pending'), 1,
          'only the newly queued command is pending');

SELECT * FROM finish();
ROLLBACK;
