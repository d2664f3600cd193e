-- Gateway backups (module 038): the backup_gateway command action (a deviation: HQ's UI and
-- gateway use it, HQ's schema never added it), the backup columns of gateways, the private
-- gateway-backups bucket and its service-role policy on storage.objects.
BEGIN;
SELECT plan(17);

-- ============================================================ command action backup_gateway
SELECT is((SELECT enumlabel::text FROM pg_enum WHERE enumtypid = 'command_action'::regtype
            ORDER BY enumsortorder DESC LIMIT 1), 'backup_gateway',
          'backup_gateway is the last value of command_action (appended after the existing ones)');
INSERT INTO gateways (id, slug, label) VALUES ('9d000000-0000-0000-0000-00000000000d', 'gw-backup', 'Backup gateway');

-- The UI queues the command as a signed-in user of the tenant.
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT lives_ok(
  $$INSERT INTO agent_commands (id, tenant_id, gateway_id, action, payload)
    VALUES ('c3000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000000',
            '9d000000-0000-0000-0000-00000000000d', 'backup_gateway', '{"reason": "manual"}')$$,
  'deviation: the UI can queue a backup_gateway command (the original failed with 22P02)');
RESET role;

-- The gateway's runner leases it as service_role, runs it and records the backup.
SET LOCAL role service_role;
CREATE TEMP TABLE leased ON COMMIT DROP AS SELECT * FROM lease_command(300, 'gw-backup');
SELECT results_eq($$SELECT id, action::text, status::text FROM leased$$,
                  $$VALUES ('c3000000-0000-0000-0000-000000000001'::uuid, 'backup_gateway', 'leased')$$,
                  'deviation: lease_command hands the backup_gateway command to its gateway');
SELECT is((SELECT payload FROM leased), '{"reason": "manual"}'::jsonb, 'the payload comes with it');
SELECT is((SELECT count(*)::int FROM lease_command(300, 'gw-backup')), 0, 'leased once only');
SELECT lives_ok($$SELECT complete_command('c3000000-0000-0000-0000-000000000001', 0, 'backup uploaded')$$,
                'complete_command finishes it');
SELECT is((SELECT status::text FROM agent_commands WHERE id = 'c3000000-0000-0000-0000-000000000001'), 'done',
          'the backup_gateway command is done');
SELECT throws_ok($$INSERT INTO agent_commands (action) VALUES ('backup_gateways')$$, '22P02', NULL,
                 'a value that is not in command_action is still refused');

-- ============================================================ gateways: last backup
SELECT lives_ok(
  $$UPDATE gateways SET last_backup_at = '2025-03-01 02:00:00+00', last_backup_size_bytes = 5368709120
     WHERE slug = 'gw-backup'$$,
  'the gateway records its last backup (bigint: sizes above 2 GiB)');
RESET role;
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT results_eq($$SELECT last_backup_at, last_backup_size_bytes FROM gateways WHERE slug = 'gw-backup'$$,
                  $$VALUES ('2025-03-01 02:00:00+00'::timestamptz, 5368709120::bigint)$$,
                  'the UI reads the backup status from gateways');
SELECT is((SELECT count(*)::int FROM gateways WHERE last_backup_at IS NOT NULL), 1,
          'gateways without a backup have NULL there');
RESET role;

-- ============================================================ storage
SELECT results_eq($$SELECT name, public FROM storage.buckets WHERE id = 'gateway-backups'$$,
                  $$VALUES ('gateway-backups', false)$$, 'the gateway-backups bucket exists and is private');
SELECT is(
  (SELECT permissive || ' ' || cmd || ' ' || array_to_string(roles, ',') || ' ' || qual || ' ' || with_check
     FROM pg_policies
    WHERE schemaname = 'storage' AND tablename = 'objects' AND policyname = 'Gateway backup service access'),
  'PERMISSIVE ALL service_role (bucket_id = ''gateway-backups''::text) (bucket_id = ''gateway-backups''::text)',
  'policy "Gateway backup service access": PERMISSIVE, FOR ALL TO service_role, bucket gateway-backups');

SET LOCAL role service_role;
SELECT lives_ok($$INSERT INTO storage.objects (bucket_id, name) VALUES ('gateway-backups', 'gw-backup/2025-03-01.tar.gz')$$,
                'service_role uploads a backup');
RESET role;
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT is((SELECT count(*)::int FROM storage.objects WHERE bucket_id = 'gateway-backups'), 0,
          'a signed-in user does not see gateway backups');
SELECT throws_ok(
  $$INSERT INTO storage.objects (bucket_id, name) VALUES ('gateway-backups', '00000000-0000-0000-0000-000000000000/x.tar.gz')$$,
  '42501', NULL, 'a signed-in user cannot upload into gateway-backups, even under its tenant folder');
RESET role;

-- ============================================================ schema version
SELECT results_eq($$SELECT version, description FROM _schema_version WHERE version > 25 ORDER BY version$$,
                  $$VALUES (38, 'Gateway backups'), (39, 'Knowledge library scope')$$,
                  'deviation: 038 and 039 record their schema versions (the original stopped at 25)');

SELECT * FROM finish();
ROLLBACK;
