-- Gateway registration tokens (module 007): consume_gateway_token — slug/label rules,
-- uniqueness suffixes, reuse, expiry, unknown tokens, and that anon can call it.
BEGIN;
SELECT plan(31);

INSERT INTO tenants (id, name, slug) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Other', 'other');

-- Only the SHA-256 hex digest is stored (computed here with pgcrypto, as the spec does).
CREATE FUNCTION pg_temp.tok(p_token text, p_label text, p_expires timestamptz DEFAULT now() + interval '1 hour',
                            p_tenant uuid DEFAULT '00000000-0000-0000-0000-000000000000')
RETURNS void LANGUAGE sql AS $$
  INSERT INTO gateway_registration_tokens (tenant_id, token_hash, label, expires_at)
  VALUES (p_tenant, encode(extensions.digest(p_token, 'sha256'), 'hex'), p_label, p_expires)
$$;
SELECT pg_temp.tok('tok-laptop-1', 'My Laptop');
SELECT pg_temp.tok('tok-laptop-2', 'My Laptop');
SELECT pg_temp.tok('tok-expired', 'Old', now() - interval '1 second');
SELECT pg_temp.tok('tok-label-arg', 'Token label');
SELECT pg_temp.tok('tok-blank-arg', '  Spaced Label  ');
SELECT pg_temp.tok('tok-nolabel', NULL);
SELECT pg_temp.tok('tok-nolabel-2', '   ');
SELECT pg_temp.tok('tok-hint', 'Ignored For Slug');
SELECT pg_temp.tok('tok-hint-dashes', 'x');
SELECT pg_temp.tok('tok-hint-empty', 'x');
SELECT pg_temp.tok('tok-symbols', '!!!');
SELECT pg_temp.tok('tok-runs', '  Büro // Rack #7 ');
SELECT pg_temp.tok('tok-other-tenant', 'My Laptop', now() + interval '1 hour', '22222222-2222-2222-2222-222222222222');
SELECT pg_temp.tok('tok-auth', 'Signed In');

-- ------------------------------------------------------------------- as anon
SET LOCAL role anon;
CREATE TEMP TABLE r1 ON COMMIT DROP AS SELECT * FROM consume_gateway_token('tok-laptop-1');
SELECT is((SELECT gateway_slug FROM r1), 'my-laptop', 'anon can consume a token; label "My Laptop" -> slug my-laptop');
SELECT is((SELECT count(*)::int FROM r1), 1, 'exactly one row');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-laptop-2')), 'my-laptop-2',
          'a second token with the same label gets my-laptop-2');
SELECT throws_ok($$SELECT * FROM consume_gateway_token('tok-expired')$$, '28000', 'token_expired',
                 'expired token: 28000 token_expired');
SELECT throws_ok($$SELECT * FROM consume_gateway_token('no-such-token')$$, '28000', 'invalid_token',
                 'unknown token: 28000 invalid_token');
SELECT throws_ok($$SELECT * FROM consume_gateway_token(NULL)$$, '28000', 'invalid_token',
                 'NULL token: 28000 invalid_token');
SELECT throws_ok($$SELECT * FROM gateways$$, '42501', NULL, 'anon itself has no access to gateways');
RESET role;

SELECT results_eq(
  $$SELECT g.tenant_id, g.label, g.status::text, g.meta FROM gateways g JOIN r1 ON r1.gateway_id = g.id$$,
  $$VALUES ('00000000-0000-0000-0000-000000000000'::uuid, 'My Laptop', 'provisioning', '{"registered_via": "token"}'::jsonb)$$,
  'the new gateway: token tenant, label, status provisioning, meta registered_via token');
SELECT results_eq(
  $$SELECT t.consumed_at, t.consumed_by_gateway_id FROM gateway_registration_tokens t
     WHERE t.token_hash = encode(extensions.digest('tok-laptop-1', 'sha256'), 'hex')$$,
  $$SELECT now(), gateway_id FROM r1$$,
  'the token is marked consumed by the new gateway');

-- Reuse: idempotent, also after expiry.
SET LOCAL role anon;
SELECT results_eq($$SELECT * FROM consume_gateway_token('tok-laptop-1', 'Other Label', 'other-hint')$$,
                  $$SELECT * FROM r1$$,
                  'reusing a consumed token returns the same gateway (arguments ignored)');
RESET role;
SELECT is((SELECT count(*)::int FROM gateways WHERE slug LIKE 'my-laptop%' AND tenant_id = '00000000-0000-0000-0000-000000000000'), 2,
          'reuse created no gateway');
UPDATE gateway_registration_tokens SET expires_at = now() - interval '1 day'
 WHERE token_hash = encode(extensions.digest('tok-laptop-1', 'sha256'), 'hex');
SET LOCAL role anon;
SELECT results_eq($$SELECT * FROM consume_gateway_token('tok-laptop-1')$$, $$SELECT * FROM r1$$,
                  'a consumed token keeps working after it expired (consumption is checked first)');

-- Label and slug rules.
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-label-arg', '  Build Box  ')), 'build-box',
          'p_label wins over the token label (trimmed)');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-blank-arg', '   ')), 'spaced-label',
          'a blank p_label falls back to the token label');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-nolabel')), 'gateway',
          'no label anywhere: label Gateway, slug gateway');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-nolabel-2')), 'gateway-2',
          'blank token label: Gateway again, made unique as gateway-2');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-hint', NULL, '  My_Hint.X ')), 'My_Hint.X',
          'a slug hint is trimmed but otherwise used as given');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-hint-dashes', NULL, '--edge--')), 'edge',
          'leading and trailing dashes are removed from hints too');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-hint-empty', NULL, '---')), 'gateway-3',
          'a hint of dashes only becomes gateway (taken twice already: gateway-3)');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-symbols')), 'gateway-4',
          'a label without alphanumerics gives an empty slug -> gateway (-4)');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-runs')), 'b-ro-rack-7',
          'every run of non [a-z0-9] characters becomes one dash, ends trimmed');
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-other-tenant')), 'my-laptop',
          'slugs are unique per tenant: another tenant gets my-laptop');
RESET role;

SELECT set_eq(
  $$SELECT slug, label FROM gateways
     WHERE slug IN ('build-box', 'spaced-label', 'gateway', 'gateway-2', 'My_Hint.X', 'b-ro-rack-7')$$,
  $$VALUES ('build-box', 'Build Box'), ('spaced-label', 'Spaced Label'), ('gateway', 'Gateway'),
           ('gateway-2', 'Gateway'), ('My_Hint.X', 'Ignored For Slug'), ('b-ro-rack-7', 'Büro // Rack #7')$$,
  'stored labels are the chosen label, trimmed; Gateway when none');
SELECT is((SELECT tenant_id FROM gateways WHERE slug = 'my-laptop' AND tenant_id <> '00000000-0000-0000-0000-000000000000'),
          '22222222-2222-2222-2222-222222222222'::uuid, 'the gateway belongs to the token''s tenant');
SELECT is((SELECT count(*)::int FROM gateways WHERE meta ->> 'registered_via' = 'token'), 12,
          'one gateway per consumed token');

-- ------------------------------------------------------------------- authenticated
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT is((SELECT gateway_slug FROM consume_gateway_token('tok-auth')), 'signed-in',
          'authenticated can consume a token too (SECURITY DEFINER: RLS does not hide the token)');
SELECT is((SELECT count(*)::int FROM gateways WHERE slug = 'signed-in'), 0,
          'the gateway belongs to the token''s tenant, not the caller''s: invisible to this caller');
RESET role;

-- ------------------------------------------------------------------- grants, concurrency guard
SELECT ok(has_function_privilege('anon', 'consume_gateway_token(text, text, text)', 'EXECUTE'),
          'anon has EXECUTE on consume_gateway_token');
SELECT ok(has_function_privilege('authenticated', 'consume_gateway_token(text, text, text)', 'EXECUTE'),
          'authenticated has EXECUTE on consume_gateway_token');
SELECT throws_ok(
  $$INSERT INTO gateway_registration_tokens (token_hash, expires_at)
    VALUES (encode(extensions.digest('tok-auth', 'sha256'), 'hex'), now())$$,
  '23505', NULL, 'token hashes are unique');
SELECT is((SELECT count(*)::int FROM gateway_registration_tokens WHERE consumed_at IS NULL), 1,
          'only the expired token is left unconsumed');

SELECT * FROM finish();
ROLLBACK;
