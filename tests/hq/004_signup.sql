-- The auth.users signup trigger (module 004): set_tenant_id_on_signup stamps the tenant id into
-- raw_app_meta_data.
BEGIN;
SELECT plan(8);

INSERT INTO auth.users (id, email) VALUES ('11111111-0000-0000-0000-000000000001', 'plain@example.com');
SELECT is((SELECT raw_app_meta_data FROM auth.users WHERE id = '11111111-0000-0000-0000-000000000001'),
          '{"tenant_id": "00000000-0000-0000-0000-000000000000"}'::jsonb,
          'NULL metadata: {"tenant_id": <default tenant>}');

INSERT INTO auth.users (id, email, raw_app_meta_data) VALUES
  ('11111111-0000-0000-0000-000000000002', 'keep@example.com', '{"provider": "email", "providers": ["email"]}');
SELECT is((SELECT raw_app_meta_data FROM auth.users WHERE id = '11111111-0000-0000-0000-000000000002'),
          '{"provider": "email", "providers": ["email"], "tenant_id": "00000000-0000-0000-0000-000000000000"}'::jsonb,
          'other keys are kept, the default tenant is added');

INSERT INTO auth.users (id, email, raw_app_meta_data) VALUES
  ('11111111-0000-0000-0000-000000000003', 'upper@example.com', '{"tenant_id": "ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB"}');
SELECT is((SELECT raw_app_meta_data ->> 'tenant_id' FROM auth.users WHERE id = '11111111-0000-0000-0000-000000000003'),
          'abcdefab-cdef-abcd-efab-cdefabcdefab',
          'an existing tenant_id is rewritten in canonical lower-case form (no check that the tenant exists)');

INSERT INTO auth.users (id, email, raw_app_meta_data) VALUES
  ('11111111-0000-0000-0000-000000000004', 'braces@example.com', '{"tenant_id": "{22222222-2222-2222-2222-222222222222}", "x": 1}');
SELECT is((SELECT raw_app_meta_data FROM auth.users WHERE id = '11111111-0000-0000-0000-000000000004'),
          '{"tenant_id": "22222222-2222-2222-2222-222222222222", "x": 1}'::jsonb,
          'any uuid spelling is canonicalised');

INSERT INTO auth.users (id, email, raw_app_meta_data) VALUES
  ('11111111-0000-0000-0000-000000000005', 'null@example.com', '{"tenant_id": null}');
SELECT is((SELECT raw_app_meta_data ->> 'tenant_id' FROM auth.users WHERE id = '11111111-0000-0000-0000-000000000005'),
          '00000000-0000-0000-0000-000000000000', 'JSON null tenant_id: default tenant');

SELECT throws_ok(
  $$INSERT INTO auth.users (email, raw_app_meta_data) VALUES ('bad@example.com', '{"tenant_id": "not-a-uuid"}')$$,
  '22P02', NULL, 'a non-uuid tenant_id aborts the signup (22P02)');
SELECT is((SELECT count(*)::int FROM auth.users WHERE email = 'bad@example.com'), 0, 'no user was created');

-- The stamped claim is what current_tenant_id() later reads from the JWT.
SELECT set_config('request.jwt.claims',
                  jsonb_build_object('app_metadata', (SELECT raw_app_meta_data FROM auth.users
                                                        WHERE id = '11111111-0000-0000-0000-000000000004'))::text,
                  true) IS NOT NULL AS claims_set \gset
SET LOCAL role authenticated;
SELECT is(current_tenant_id(), '22222222-2222-2222-2222-222222222222'::uuid,
          'current_tenant_id() resolves the stamped tenant from the JWT claims');
RESET role;

SELECT * FROM finish();
ROLLBACK;
