-- Knowledge text search (modules 012 and 033): search_knowledge_items_text and
-- search_knowledge_chunks_text (fixed: they failed with 42883 as shipped), the search-vector
-- and mark-pending triggers, the chunk pipeline RPCs. Vector search needs pgvector, which this
-- PostgreSQL 15 cluster lacks: those functions are skipped by the migrations (checked below) and
-- covered on PGlite by another suite.
BEGIN;
SELECT plan(41);

INSERT INTO tenants (id, name, slug) VALUES ('22222222-2222-2222-2222-222222222222', 'Other', 'other');
INSERT INTO knowledge_folders (id, name) VALUES ('f0000000-0000-0000-0000-000000000001', 'Animals');
INSERT INTO knowledge_items (id, tenant_id, kind, title, plain_text, content, tags, folder_id, updated_at, archived_at) VALUES
  ('4b000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000000', 'page', 'Quarterly revenue report',
   'Revenue grew strongly. Revenue targets were met.', NULL, '{finance}', NULL, now() - interval '3 hours', NULL),
  ('4b000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000000', 'page', 'Team offsite',
   'Planning notes; revenue mentioned once.', NULL, '{team}', NULL, now() - interval '1 hour', NULL),
  ('4b000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000000', 'skill', 'Revenue forecasting',
   'revenue revenue revenue', NULL, '{}', NULL, now(), now()),
  ('4b000000-0000-0000-0000-000000000004', '22222222-2222-2222-2222-222222222222', 'page', 'Revenue elsewhere',
   'Another tenant''s revenue.', NULL, '{}', NULL, now(), NULL),
  ('4b000000-0000-0000-0000-000000000005', '00000000-0000-0000-0000-000000000000', 'skill', 'Zebra handling',
   NULL, '{"text": "unicorn"}', '{zoology}', 'f0000000-0000-0000-0000-000000000001', now() - interval '2 hours', NULL);

CREATE FUNCTION pg_temp.ids(p_query text, p_count int DEFAULT 10, p_tags text[] DEFAULT NULL,
                            p_folder uuid DEFAULT NULL, p_kind text DEFAULT NULL)
RETURNS SETOF uuid LANGUAGE sql AS $$
  SELECT id FROM search_knowledge_items_text(p_query, p_count, p_tags, p_folder, p_kind)
$$;

-- ============================================================ item search
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT lives_ok($$SELECT * FROM search_knowledge_items_text('revenue')$$,
                'deviation: search_knowledge_items_text runs under search_path '''' (the original failed with 42883)');
SELECT results_eq($$SELECT pg_temp.ids('revenue')$$,
                  $$VALUES ('4b000000-0000-0000-0000-000000000001'::uuid), ('4b000000-0000-0000-0000-000000000002'::uuid)$$,
                  'revenue: the current tenant''s non-archived matches, best rank first');
SELECT ok((SELECT bool_and(similarity > 0) FROM search_knowledge_items_text('revenue')),
          'similarity is the ts_rank_cd rank (positive for matches)');
SELECT ok((SELECT (array_agg(similarity ORDER BY similarity DESC))[1] > (array_agg(similarity ORDER BY similarity DESC))[2]
             FROM search_knowledge_items_text('revenue')),
          'three occurrences rank above one');
SELECT results_eq($$SELECT pg_temp.ids('revenue', 1)$$, $$VALUES ('4b000000-0000-0000-0000-000000000001'::uuid)$$,
                  'match_count limits the rows');
SELECT results_eq($$SELECT pg_temp.ids('revenue', 10, '{finance,other}')$$, $$VALUES ('4b000000-0000-0000-0000-000000000001'::uuid)$$,
                  'filter_tags: any common tag');
SELECT results_eq($$SELECT pg_temp.ids('zebra', 10, NULL, 'f0000000-0000-0000-0000-000000000001', 'skill')$$,
                  $$VALUES ('4b000000-0000-0000-0000-000000000005'::uuid)$$, 'filter_folder_id and filter_kind');
SELECT is_empty($$SELECT pg_temp.ids('zebra', 10, NULL, NULL, 'page')$$, 'filter_kind excludes other kinds');
SELECT is_empty($$SELECT pg_temp.ids('zebra', 10, NULL, gen_random_uuid())$$, 'filter_folder_id excludes other folders');
SELECT is_empty($$SELECT pg_temp.ids('unicorn')$$, 'the JSON content is not indexed');
SELECT results_eq($$SELECT pg_temp.ids('zoology')$$, $$VALUES ('4b000000-0000-0000-0000-000000000005'::uuid)$$,
                  'tags are indexed');
SELECT results_eq($$SELECT pg_temp.ids('"revenue grew"')$$, $$VALUES ('4b000000-0000-0000-0000-000000000001'::uuid)$$,
                  'websearch syntax: a quoted phrase');
SELECT results_eq($$SELECT pg_temp.ids('revenue -offsite')$$, $$VALUES ('4b000000-0000-0000-0000-000000000001'::uuid)$$,
                  'websearch syntax: exclusion');
SELECT set_eq($$SELECT pg_temp.ids('revenue or zebras')$$,
              $$VALUES ('4b000000-0000-0000-0000-000000000001'::uuid), ('4b000000-0000-0000-0000-000000000002'::uuid),
                       ('4b000000-0000-0000-0000-000000000005'::uuid)$$,
              'websearch syntax: or, with English stemming');
SELECT results_eq(
  $$SELECT id, similarity FROM search_knowledge_items_text('   ')$$,
  $$VALUES ('4b000000-0000-0000-0000-000000000002'::uuid, 0::double precision),
           ('4b000000-0000-0000-0000-000000000005'::uuid, 0), ('4b000000-0000-0000-0000-000000000001'::uuid, 0)$$,
  'blank query: the newest non-archived items of the tenant, similarity 0');
SELECT results_eq($$SELECT pg_temp.ids(NULL, 2)$$,
                  $$VALUES ('4b000000-0000-0000-0000-000000000002'::uuid), ('4b000000-0000-0000-0000-000000000005'::uuid)$$,
                  'NULL query is a blank query; match_count applies');
SELECT results_eq($$SELECT pg_temp.ids('', 10, '{zoology}')$$, $$VALUES ('4b000000-0000-0000-0000-000000000005'::uuid)$$,
                  'blank query with a filter');
SELECT results_eq(
  $$SELECT title, kind, tags, folder_id, scope FROM search_knowledge_items_text('zebra')$$,
  $$VALUES ('Zebra handling', 'skill', '{zoology}'::text[], 'f0000000-0000-0000-0000-000000000001'::uuid, 'workspace')$$,
  'result columns come from the item');

SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT results_eq($$SELECT pg_temp.ids('revenue')$$, $$VALUES ('4b000000-0000-0000-0000-000000000004'::uuid)$$,
                  'another tenant finds only its own item');
RESET role;

-- ============================================================ chunks
SELECT results_eq(
  $$SELECT chunk_index FROM upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000001',
      '[{"chunk_index": 1, "content": "Revenue targets were met.", "content_hash": "h1", "char_start": 24, "char_end": 49},
        {"chunk_index": 0, "content": "Revenue grew strongly.", "content_hash": "h0", "char_start": 0, "char_end": 22,
         "meta": {"page": 1}}]')$$,
  $$VALUES (0), (1)$$,
  'upsert_knowledge_chunks returns the inserted chunks in chunk_index order');
SELECT results_eq(
  $$SELECT tenant_id, chunk_index, content_hash, char_start, char_end, meta, embedding_status, page_number
      FROM knowledge_chunks WHERE knowledge_item_id = '4b000000-0000-0000-0000-000000000001' ORDER BY chunk_index$$,
  $$VALUES ('00000000-0000-0000-0000-000000000000'::uuid, 0, 'h0', 0, 22, '{"page": 1}'::jsonb, 'pending', NULL::int),
           ('00000000-0000-0000-0000-000000000000'::uuid, 1, 'h1', 24, 49, '{}'::jsonb, 'pending', NULL::int)$$,
  'chunks: item tenant, offsets, meta ({} when absent), embedding pending');
SELECT count(*) AS n FROM upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000005', '[{"chunk_index": 0, "content": "Zebras are striped.", "content_hash": "z0"}]') \gset
SELECT count(*) AS n FROM upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000003', '[{"chunk_index": 0, "content": "Archived revenue.", "content_hash": "a0"}]') \gset
SELECT count(*) AS n FROM upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000004', '[{"chunk_index": 0, "content": "Other revenue.", "content_hash": "o0"}]') \gset

SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT set_eq(
  $$SELECT knowledge_item_id, chunk_index, title FROM search_knowledge_chunks_text('revenue')$$,
  $$VALUES ('4b000000-0000-0000-0000-000000000001'::uuid, 0, 'Quarterly revenue report'),
           ('4b000000-0000-0000-0000-000000000001'::uuid, 1, 'Quarterly revenue report')$$,
  'deviation: search_knowledge_chunks_text runs; chunks of non-archived items of the tenant');
SELECT ok((SELECT bool_and(similarity > 0) FROM search_knowledge_chunks_text('revenue')), 'chunk similarity is the rank');
SELECT results_eq(
  $$SELECT knowledge_item_id, content FROM search_knowledge_chunks_text('zebra', 10, NULL, NULL, NULL, '4b000000-0000-0000-0000-000000000005')$$,
  $$VALUES ('4b000000-0000-0000-0000-000000000005'::uuid, 'Zebras are striped.')$$,
  'filter_source_id');
SELECT is_empty($$SELECT * FROM search_knowledge_chunks_text('zebra', 10, NULL, NULL, 'page')$$,
                'filter_source_type filters on the item kind');
SELECT is((SELECT count(*)::int FROM search_knowledge_chunks_text('')), 3,
          'blank query: every chunk of the tenant''s non-archived items');
SELECT is((SELECT count(*)::int FROM search_knowledge_chunks_text('', 10, '{zoology}')), 1, 'blank query with filter_tags');
RESET role;

SELECT count(*) AS n FROM upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000001', '[{"chunk_index": 0, "content": "All in one.", "content_hash": "x"}]') \gset
SELECT is((SELECT count(*)::int FROM knowledge_chunks WHERE knowledge_item_id = '4b000000-0000-0000-0000-000000000001'), 1,
          'a second upsert replaces all chunks of the item');
SELECT throws_ok($$SELECT upsert_knowledge_chunks('4b000000-0000-0000-0000-0000000000ff', '[]')$$, 'P0001', NULL,
                 'unknown item: P0001');
SELECT throws_ok($$SELECT upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000001', '{"chunk_index": 0}')$$, '22023', NULL,
                 'not an array: 22023');
SELECT throws_ok($$SELECT upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000001',
                     '[{"chunk_index": 0, "content_hash": "x"}]')$$, '23502', NULL, 'missing content: 23502');
SELECT throws_ok($$SELECT upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000001',
                     '[{"chunk_index": 0, "content": "a", "content_hash": "x"}, {"chunk_index": 0, "content": "b", "content_hash": "y"}]')$$,
                 '23505', NULL, 'duplicate chunk_index: 23505');
SELECT throws_ok($$SELECT upsert_knowledge_chunks('4b000000-0000-0000-0000-000000000001',
                     '[{"chunk_index": -1, "content": "a", "content_hash": "x"}]')$$, '23514', NULL, 'negative chunk_index: 23514');
SELECT is((SELECT content FROM knowledge_chunks WHERE knowledge_item_id = '4b000000-0000-0000-0000-000000000001'), 'All in one.',
          'a failed upsert leaves the previous chunks in place');

-- ============================================================ item state triggers and markers
SELECT mark_knowledge_item_chunks_indexed('4b000000-0000-0000-0000-000000000001', 1, 'src-hash');
SELECT results_eq(
  $$SELECT chunk_status, chunk_count, chunk_source_hash, chunks_updated_at, chunk_error FROM knowledge_items
     WHERE id = '4b000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('indexed', 1, 'src-hash', now(), NULL::text)$$, 'mark_knowledge_item_chunks_indexed');
UPDATE knowledge_items SET scope = 'library' WHERE id = '4b000000-0000-0000-0000-000000000001';
SELECT is((SELECT chunk_status FROM knowledge_items WHERE id = '4b000000-0000-0000-0000-000000000001'), 'indexed',
          'changing an unindexed column keeps the chunk state');
UPDATE knowledge_items SET title = 'Annual revenue report' WHERE id = '4b000000-0000-0000-0000-000000000001';
SELECT results_eq(
  $$SELECT chunk_status, chunk_count, chunk_source_hash, embedding_status FROM knowledge_items
     WHERE id = '4b000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('pending', 0, NULL::text, 'pending')$$, 'changing the title marks the item for re-indexing');
SELECT results_eq($$SELECT pg_temp.ids('annual')$$, $$VALUES ('4b000000-0000-0000-0000-000000000001'::uuid)$$,
                  'the search vector follows the new title');
SELECT mark_knowledge_item_chunks_failed('4b000000-0000-0000-0000-000000000001', repeat('e', 1500));
SELECT results_eq($$SELECT chunk_status, length(chunk_error) FROM knowledge_items WHERE id = '4b000000-0000-0000-0000-000000000001'$$,
                  $$VALUES ('failed', 1000)$$, 'mark_knowledge_item_chunks_failed keeps the first 1000 characters');

-- Vector-dependent objects are skipped on a server without pgvector.
SELECT hasnt_function('public', 'search_knowledge_items', 'search_knowledge_items (pgvector) is skipped without pgvector');
SELECT hasnt_column('public', 'knowledge_chunks', 'embedding', 'knowledge_chunks.embedding (pgvector) is skipped without pgvector');

SELECT * FROM finish();
ROLLBACK;
