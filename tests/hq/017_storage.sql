-- Storage policies on storage.objects (module 017): the private assets bucket, tenant folder
-- isolation for authenticated users (tenant from the JWT claims), full access for service_role.
BEGIN;
SELECT plan(17);

INSERT INTO storage.buckets (id, name) VALUES ('other', 'other');
INSERT INTO storage.objects (bucket_id, name) VALUES
  ('assets', '22222222-2222-2222-2222-222222222222/seed.png'),
  ('assets', '33333333-3333-3333-3333-333333333333/theirs.png'),
  ('other',  '22222222-2222-2222-2222-222222222222/elsewhere.png');

SELECT results_eq($$SELECT name, public FROM storage.buckets WHERE id = 'assets'$$, $$VALUES ('assets', false)$$,
                  'the assets bucket exists and is private');

SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"sub": "11111111-0000-0000-0000-000000000001", "role": "authenticated",
                                 "app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT results_eq($$SELECT name FROM storage.objects$$, $$VALUES ('22222222-2222-2222-2222-222222222222/seed.png')$$,
                  'a tenant sees only objects of bucket assets under its own folder');
SELECT lives_ok($$INSERT INTO storage.objects (bucket_id, name) VALUES ('assets', '22222222-2222-2222-2222-222222222222/a/b/report.pdf')$$,
                'upload into the own tenant folder (nested folders allowed)');
SELECT throws_ok($$INSERT INTO storage.objects (bucket_id, name) VALUES ('assets', '33333333-3333-3333-3333-333333333333/x.png')$$,
                 '42501', NULL, 'upload into another tenant''s folder is refused');
SELECT throws_ok($$INSERT INTO storage.objects (bucket_id, name) VALUES ('assets', 'x.png')$$,
                 '42501', NULL, 'upload to the bucket root is refused');
SELECT throws_ok($$INSERT INTO storage.objects (bucket_id, name) VALUES ('other', '22222222-2222-2222-2222-222222222222/x.png')$$,
                 '42501', NULL, 'upload into another bucket is refused, even under the tenant folder');
SELECT throws_ok($$INSERT INTO storage.objects (bucket_id, name) VALUES ('assets', 'nested/22222222-2222-2222-2222-222222222222/x.png')$$,
                 '42501', NULL, 'the tenant folder must be the first path segment');
SELECT throws_ok($$UPDATE storage.objects SET name = '33333333-3333-3333-3333-333333333333/moved.png'
                    WHERE name = '22222222-2222-2222-2222-222222222222/seed.png'$$,
                 '42501', NULL, 'moving an object into another tenant''s folder is refused');
UPDATE storage.objects SET name = '33333333-3333-3333-3333-333333333333/stolen.png'
 WHERE name = '33333333-3333-3333-3333-333333333333/theirs.png';
DELETE FROM storage.objects WHERE bucket_id = 'other';
SELECT lives_ok($$UPDATE storage.objects SET metadata = '{"size": 1}' WHERE name = '22222222-2222-2222-2222-222222222222/seed.png'$$,
                'updating an own object works');
SELECT is((SELECT count(*)::int FROM storage.objects), 2, 'two own objects visible');

SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "33333333-3333-3333-3333-333333333333"}}';
SELECT results_eq($$SELECT name FROM storage.objects$$, $$VALUES ('33333333-3333-3333-3333-333333333333/theirs.png')$$,
                  'the other tenant''s object was neither renamed nor visible to the first tenant');
SET LOCAL request.jwt.claims = '{"role": "authenticated"}';
SELECT is((SELECT count(*)::int FROM storage.objects), 0,
          'no tenant claim: the default tenant, which owns no folder here');
RESET role;

SET LOCAL role anon;
SELECT is((SELECT count(*)::int FROM storage.objects), 0, 'anon has no policy: sees nothing');
SELECT throws_ok($$INSERT INTO storage.objects (bucket_id, name) VALUES ('assets', '22222222-2222-2222-2222-222222222222/anon.png')$$,
                 '42501', NULL, 'anon cannot upload');
RESET role;

SET LOCAL role service_role;
SELECT is((SELECT count(*)::int FROM storage.objects), 4, 'service_role sees every object');
SELECT lives_ok($$INSERT INTO storage.objects (bucket_id, name) VALUES ('assets', 'anywhere.png')$$,
                'service_role writes anywhere');
RESET role;

SELECT is((SELECT count(*)::int FROM storage.objects WHERE bucket_id = 'other'), 1,
          'the first tenant''s delete in another bucket removed nothing');

SELECT * FROM finish();
ROLLBACK;
