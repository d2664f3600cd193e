-- Secrets (module 026): the validation the schema has — category and sync_status CHECKs,
-- one value per key and scope (gateway-wide / per agent), cascades, tenant isolation.
BEGIN;
SELECT plan(19);

INSERT INTO tenants (id, name, slug) VALUES ('22222222-2222-2222-2222-222222222222', 'Other', 'other');
INSERT INTO gateways (id, slug, label) VALUES ('9b000000-0000-0000-0000-00000000000b', 'gw-b', 'Gateway B');
INSERT INTO agents (id, name, slug) VALUES
  ('a0000000-0000-0000-0000-00000000000a', 'Alpha', 'alpha'),
  ('a0000000-0000-0000-0000-00000000000b', 'Bravo', 'bravo');
CREATE TEMP TABLE gw ON COMMIT DROP AS
  SELECT id FROM gateways WHERE slug = 'default' AND tenant_id = '00000000-0000-0000-0000-000000000000';
GRANT SELECT ON gw TO PUBLIC;

CREATE FUNCTION pg_temp.secret(p_key text, p_gateway uuid DEFAULT NULL, p_agent uuid DEFAULT NULL,
                               p_category text DEFAULT NULL, p_sync text DEFAULT NULL)
RETURNS uuid LANGUAGE sql AS $$
  INSERT INTO secrets (gateway_id, agent_id, key, name, encrypted_value, category, sync_status)
  VALUES (coalesce(p_gateway, (SELECT id FROM gw)), p_agent, p_key, p_key, 'cipher:' || p_key,
          coalesce(p_category, 'user'), coalesce(p_sync, 'pending'))
  RETURNING id
$$;

INSERT INTO secrets (id, gateway_id, key, name, encrypted_value)
VALUES ('5c000000-0000-0000-0000-000000000001', (SELECT id FROM gw), 'OPENAI_API_KEY', 'OpenAI', 'cipher-1');
SELECT results_eq(
  $$SELECT category, sync_status, tenant_id, last_synced_at FROM secrets WHERE id = '5c000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('user', 'pending', '00000000-0000-0000-0000-000000000000'::uuid, NULL::timestamptz)$$,
  'defaults: category user, sync_status pending');

-- CHECKs
SELECT lives_ok($$SELECT pg_temp.secret('K_CHANNEL', NULL, NULL, 'channel', 'active')$$, 'category channel / sync_status active');
SELECT lives_ok($$SELECT pg_temp.secret('K_INTEGRATION', NULL, NULL, 'integration', 'waiting')$$, 'category integration / sync_status waiting');
SELECT lives_ok($$SELECT pg_temp.secret('K_ERROR', NULL, NULL, 'user', 'error')$$, 'sync_status error');
SELECT throws_ok($$SELECT pg_temp.secret('K_BAD_CAT', NULL, NULL, 'system')$$, '23514', NULL,
                 'an unknown category is rejected (secrets_category_check)');
SELECT throws_ok($$SELECT pg_temp.secret('K_BAD_SYNC', NULL, NULL, NULL, 'synced')$$, '23514', NULL,
                 'an unknown sync_status is rejected (secrets_sync_status_check)');
SELECT throws_ok($$INSERT INTO secrets (gateway_id, key, name) VALUES ((SELECT id FROM gw), 'K', 'K')$$, '23502', NULL,
                 'encrypted_value is required');

-- One value per key and scope.
SELECT throws_ok($$SELECT pg_temp.secret('OPENAI_API_KEY')$$, '23505', NULL,
                 'gateway-wide: a key exists once per gateway (idx_secrets_gateway_key)');
SELECT lives_ok($$SELECT pg_temp.secret('OPENAI_API_KEY', NULL, 'a0000000-0000-0000-0000-00000000000a')$$,
                'the same key for one agent of that gateway is another scope');
SELECT throws_ok($$SELECT pg_temp.secret('OPENAI_API_KEY', NULL, 'a0000000-0000-0000-0000-00000000000a')$$, '23505', NULL,
                 'per agent: a key exists once per gateway and agent (idx_secrets_agent_key)');
SELECT lives_ok($$SELECT pg_temp.secret('OPENAI_API_KEY', NULL, 'a0000000-0000-0000-0000-00000000000b')$$,
                'the same key for another agent');
SELECT lives_ok($$SELECT pg_temp.secret('OPENAI_API_KEY', '9b000000-0000-0000-0000-00000000000b')$$,
                'the same key on another gateway');
SELECT lives_ok($$SELECT pg_temp.secret('openai_api_key')$$, 'keys are case-sensitive');

-- Cascades and the source_connections link.
INSERT INTO source_connections (id, provider, account_label, secret_id)
VALUES ('5d000000-0000-0000-0000-000000000001', 'notion', 'Team Notion', '5c000000-0000-0000-0000-000000000001');
DELETE FROM secrets WHERE id = '5c000000-0000-0000-0000-000000000001';
SELECT is((SELECT secret_id FROM source_connections WHERE id = '5d000000-0000-0000-0000-000000000001'), NULL::uuid,
          'deleting a secret clears source_connections.secret_id');
DELETE FROM agents WHERE id = 'a0000000-0000-0000-0000-00000000000a';
SELECT is((SELECT count(*)::int FROM secrets WHERE agent_id = 'a0000000-0000-0000-0000-00000000000a'), 0,
          'an agent''s secrets are deleted with the agent');
DELETE FROM gateways WHERE id = '9b000000-0000-0000-0000-00000000000b';
SELECT is((SELECT count(*)::int FROM secrets WHERE gateway_id = '9b000000-0000-0000-0000-00000000000b'), 0,
          'a gateway''s secrets are deleted with the gateway');

-- Tenant isolation.
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT is((SELECT count(*)::int FROM secrets), 0, 'another tenant sees none of the secrets');
SELECT throws_ok(
  $$INSERT INTO secrets (gateway_id, key, name, encrypted_value) VALUES ((SELECT id FROM gw), 'X', 'X', 'c')$$,
  '42501', NULL, 'another tenant cannot write into the default tenant (tenant_id defaults to the default tenant)');
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT is((SELECT count(*)::int FROM secrets), 5, 'the own tenant sees its remaining secrets');
RESET role;

SELECT * FROM finish();
ROLLBACK;
