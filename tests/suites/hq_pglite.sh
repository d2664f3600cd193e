#!/usr/bin/env bash
# The HQ schema on PGlite (PostgreSQL in WASM) with pgvector (issue 3 item 4):
#   * every migration applies; the only objects skipped are pg_cron's (cron
#     jobs skipped with a NOTICE, not an error) - nothing that needs pgvector;
#   * the pgvector objects exist: knowledge_items.embedding and
#     knowledge_chunks.embedding (vector(384)), their HNSW indexes, and the
#     functions that take or return vectors;
#   * a second application leaves the catalog snapshot unchanged;
#   * a small vector search: search_knowledge_chunks / search_knowledge_items
#     return the caller's tenant's nearest row first, and nothing of another
#     tenant.
# PGlite has ONE session shared by all connections: every check below runs in
# a single transaction with SET LOCAL, so no setting leaks into the next psql.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
pglite_start
pg_load_compat
echo "server: $(psql -X -A -t -c 'SELECT version()' | sed 's/ on wasm.*//')"

apply_all() {
	local f
	for f in out/migrations/*.sql; do
		if ! psql -X -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null 2>>"$1"; then
			echo "failed: $f"; grep -E 'ERROR|psql:' "$1" | tail -5; return 1
		fi
	done
}

rc=0
fail() { echo "FAIL: $*"; rc=1; }

# ------------------------------------------------------------ first install
apply_all "$tmp/notices1.txt"
files=(out/migrations/*.sql)
echo "applied ${#files[@]} migrations"

# Every skip must be pg_cron's. The cron jobs skipped must be exactly the ones
# the generated SQL knows.
grep -h 'hqc: skipped\|hqc: optional' "$tmp/notices1.txt" | sed 's/^psql:[^ ]* //' >"$tmp/skips.txt" || true
if grep -v 'pg_cron' "$tmp/skips.txt" | grep -q .; then
	fail "skipped although PGlite has pgvector:"; grep -v 'pg_cron' "$tmp/skips.txt"
fi
grep -ho "CALL hqc.cron('[^']*'" out/migrations/*.sql | sed "s/^CALL hqc.cron('/hqc: skipped cron job /; s/'\$//" |
	sort -u >"$tmp/jobs_sql.txt"
grep -o 'hqc: skipped cron job [^:]*' "$tmp/skips.txt" | sort -u >"$tmp/jobs_seen.txt"
if ! diff -u "$tmp/jobs_sql.txt" "$tmp/jobs_seen.txt"; then fail "cron job NOTICEs differ"; fi
echo "cron jobs skipped with a NOTICE: $(sed 's/hqc: skipped cron job //' "$tmp/jobs_seen.txt" | paste -sd' ' -)"

# ------------------------------------------------------------ pgvector objects
check() { # check WHAT SQL-returning-one-value EXPECTED
	local got
	got=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "BEGIN; SET LOCAL search_path = pg_catalog; $2; COMMIT;" | sed '/^$/d')
	if [[ $got == "$3" ]]; then echo "ok: $1: $got"; else fail "$1: expected '$3', got '$got'"; fi
}
check "extension vector" "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'vector'" extensions
for col in knowledge_items.embedding knowledge_chunks.embedding; do
	check "column $col" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
	  WHERE attrelid = 'public.${col%.*}'::regclass AND attname = '${col#*.}' AND NOT attisdropped" \
		"extensions.vector(384)"
done
for idx in idx_knowledge_items_embedding_hnsw idx_knowledge_chunks_embedding_hnsw; do
	tbl=${idx#idx_}; tbl=${tbl%_embedding_hnsw}
	check "index $idx" "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = '$idx'" \
		"CREATE INDEX $idx ON public.$tbl USING hnsw (embedding extensions.vector_cosine_ops) WITH (m='16', ef_construction='64')"
done
# The functions hqc skips without pgvector (the generated SQL names them),
# and the chunk pipeline RPC that feeds them.
for fn in $(grep -ho 'skipped function [a-z_]*: extension "vector"' out/migrations/*.sql | awk '{print $3}' | tr -d : | sort -u) \
	upsert_knowledge_chunks; do
	sig=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "BEGIN; SET LOCAL search_path = pg_catalog;
	  SELECT string_agg(p.oid::regprocedure::text, ' ') FROM pg_proc p
	   WHERE p.pronamespace = 'public'::regnamespace AND p.proname = '$fn'; COMMIT;" | sed '/^$/d')
	if [[ -z $sig ]]; then fail "function $fn does not exist"; continue; fi
	echo "ok: function $sig"
done
for fn in search_knowledge_items search_knowledge_chunks mark_knowledge_item_indexed mark_knowledge_chunk_indexed; do
	check "$fn takes a vector" "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
	  AND p.proname = '$fn' AND pg_get_function_identity_arguments(p.oid) LIKE '%extensions.vector%'" 1
done

# ------------------------------------------------------------ second install
tests/pg/catalog.sh postgres >"$tmp/first.txt"
apply_all "$tmp/notices2.txt"
tests/pg/catalog.sh postgres >"$tmp/second.txt"
if diff -u "$tmp/first.txt" "$tmp/second.txt" >"$tmp/diff.txt"; then
	echo "ok: second application: catalog snapshot identical ($(wc -l <"$tmp/first.txt") lines)"
else
	fail "second application changed the catalog:"; head -40 "$tmp/diff.txt"
fi

# ------------------------------------------------------------ vector search
# Vectors of dimension 384 (vec(w1, w2, ...) pads with zeros). Tenant A gets a
# near chunk/item (0.9, 0.1) and a far one (0, 1); tenant B gets an exact
# match (1), which A must never see. Chunks are made by the pipeline RPCs
# upsert_knowledge_chunks + mark_knowledge_chunk_indexed (as service_role); the
# searches run as authenticated with tenant A's JWT claims. All in one
# transaction that is rolled back.
psql -X -A -t -q -v ON_ERROR_STOP=1 -F ' ' >"$tmp/search.txt" 2>&1 <<'SQL' || { cat "$tmp/search.txt"; fail "vector search script failed"; }
BEGIN;
CREATE FUNCTION pg_temp.vec(VARIADIC w float8[]) RETURNS extensions.vector LANGUAGE sql AS $$
  SELECT ('[' || string_agg(coalesce(w[i], 0)::text, ',' ORDER BY i) || ']')::extensions.vector
    FROM generate_series(1, 384) i
$$;
CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q;
END
$$;
SET LOCAL role service_role;
INSERT INTO public.tenants (id, name, slug) VALUES
  ('aaaaaaaa-0000-0000-0000-000000000001', 'Tenant A', 'pglite-tenant-a'),
  ('bbbbbbbb-0000-0000-0000-000000000002', 'Tenant B', 'pglite-tenant-b');
INSERT INTO public.knowledge_items (tenant_id, kind, title) VALUES
  ('aaaaaaaa-0000-0000-0000-000000000001', 'page', 'A-near'),
  ('aaaaaaaa-0000-0000-0000-000000000001', 'page', 'A-far'),
  ('bbbbbbbb-0000-0000-0000-000000000002', 'page', 'B-exact');
SELECT 'upserted', count(*) FROM public.knowledge_items i,
       public.upsert_knowledge_chunks(i.id, jsonb_build_array(jsonb_build_object(
         'chunk_index', 0, 'content', i.title || '-chunk', 'content_hash', md5(i.title)))) u
 WHERE i.title IN ('A-near', 'A-far', 'B-exact');
SELECT 'indexed', count(*) FROM (
  SELECT public.mark_knowledge_chunk_indexed(c.id, v.e, 'test-model', 384),
         public.mark_knowledge_item_indexed(i.id, v.e, 'test-model', 384, md5(i.title))
    FROM public.knowledge_items i
    JOIN public.knowledge_chunks c ON c.knowledge_item_id = i.id
    JOIN (VALUES ('A-near', pg_temp.vec(0.9, 0.1)), ('A-far', pg_temp.vec(0, 1)),
                 ('B-exact', pg_temp.vec(1))) v(title, e) ON v.title = i.title) x;
SET LOCAL role authenticated;
SELECT set_config('request.jwt.claims', '{"app_metadata":{"tenant_id":"aaaaaaaa-0000-0000-0000-000000000001"}}', true) IS NULL;
SELECT 'chunks', string_agg(s.content || '=' || round(s.similarity::numeric, 3), ' ' ORDER BY s.ord)
  FROM public.search_knowledge_chunks(pg_temp.vec(1), 10) WITH ORDINALITY AS s(knowledge_item_id, kind, title, tags,
       folder_id, scope, chunk_id, chunk_index, content, char_start, char_end, page_number, section_path, meta, updated_at,
       similarity, ord);
SELECT 'items', string_agg(s.title || '=' || round(s.similarity::numeric, 3), ' ' ORDER BY s.ord)
  FROM public.search_knowledge_items(pg_temp.vec(1), 5) WITH ORDINALITY AS s(id, title, kind, content, tags, folder_id,
       scope, updated_at, meta, source_connection_id, source_external_id, similarity, ord);
-- The HNSW index serves the nearest-neighbour query (superuser: all tenants).
RESET role;
SET LOCAL enable_seqscan = off;
SELECT 'hnsw', c.content FROM public.knowledge_chunks c
 ORDER BY c.embedding OPERATOR(extensions.<=>) pg_temp.vec(1) LIMIT 1;
SELECT 'hnsw_plan', bool_or(line ~ 'idx_knowledge_chunks_embedding_hnsw') FROM pg_temp.plan(
  'SELECT id FROM public.knowledge_chunks ORDER BY embedding OPERATOR(extensions.<=>) ' ||
  quote_literal(pg_temp.vec(1)::text) || '::extensions.vector LIMIT 1') line;
ROLLBACK;
SQL
sed -i '/^f$/d; /^$/d' "$tmp/search.txt"
expect_line() { # KEY EXPECTED
	local got
	got=$(awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$tmp/search.txt")
	if [[ $got == "$2" ]]; then echo "ok: $1: $got"; else fail "$1: expected '$2', got '$got'"; fi
}
expect_line upserted 3
expect_line indexed 3
expect_line chunks "A-near-chunk=0.994 A-far-chunk=0.000"
expect_line items "A-near=0.994 A-far=0.000"
expect_line hnsw B-exact-chunk
expect_line hnsw_plan t
(( rc == 0 )) && echo "PGlite: every check passed" || echo "PGlite: some checks FAILED"
exit $rc
