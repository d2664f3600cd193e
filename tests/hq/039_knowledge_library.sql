-- Knowledge scope library (module 039) on a fresh install: the scope CHECK, no pinned flag,
-- the browse index, and library items in the search RPCs. (The data move on databases that
-- still have pinned is tested by tests/suites/hq_v39_upgrade.sh.)
BEGIN;
SELECT plan(9);

SELECT hasnt_column('public', 'knowledge_items', 'pinned', 'knowledge_items has no pinned column');
SELECT hasnt_index('public', 'knowledge_items', 'idx_knowledge_items_pinned', 'no partial index over pinned');
SELECT is(pg_get_indexdef('idx_knowledge_items_browse'::regclass),
          'CREATE INDEX idx_knowledge_items_browse ON public.knowledge_items USING btree (tenant_id, kind, updated_at DESC) WHERE (archived_at IS NULL)',
          'the browse index: tenant, kind, newest first, non-archived items');
SELECT col_default_is('public', 'knowledge_items', 'scope', 'workspace', 'the default scope stays workspace');

INSERT INTO knowledge_items (id, kind, title, plain_text, scope) VALUES
  ('4d000000-0000-0000-0000-000000000001', 'page', 'Boot rules', 'always loaded', 'workspace'),
  ('4d000000-0000-0000-0000-000000000002', 'page', 'Pricing archive', 'old pricing tables', 'library'),
  ('4d000000-0000-0000-0000-000000000003', 'skill', 'Scout notes', 'pricing for scouts', 'agent');
SELECT results_eq($$SELECT scope FROM knowledge_items WHERE id::text LIKE '4d%' ORDER BY id$$,
                  $$VALUES ('workspace'), ('library'), ('agent')$$, 'the three scopes are accepted');
SELECT throws_ok($$INSERT INTO knowledge_items (kind, title, scope) VALUES ('page', 'x', 'shelf')$$, '23514', NULL,
                 'any other scope is refused by knowledge_items_scope_check');
SELECT throws_ok($$INSERT INTO knowledge_items (kind, title, pinned) VALUES ('page', 'x', true)$$, '42703', NULL,
                 'writing pinned fails: the column is gone');

-- Library items are searchable and fetchable on demand.
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT results_eq($$SELECT id, scope FROM search_knowledge_items_text('pricing') ORDER BY id$$,
                  $$VALUES ('4d000000-0000-0000-0000-000000000002'::uuid, 'library'), ('4d000000-0000-0000-0000-000000000003'::uuid, 'agent')$$,
                  'search_knowledge_items_text finds library items and returns their scope');
SELECT is((SELECT scope FROM knowledge_items WHERE id = '4d000000-0000-0000-0000-000000000002'), 'library',
          'a signed-in user fetches a library item of its tenant');
RESET role;

SELECT * FROM finish();
ROLLBACK;
