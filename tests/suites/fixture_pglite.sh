#!/usr/bin/env bash
# The fixture schema where pgvector exists (PGlite: PostgreSQL in WASM with
# pgvector, without pg_cron). On PostgreSQL 15 the vector objects are only
# ever skipped (tests/suites/fixture_pg15.sh); here the guarded statements
# really run:
#   1. first run with CREATE EXTENSION vector failing (an event trigger
#      blocks it): the vector column, HNSW index and vector function are
#      skipped with a NOTICE, the cron job too (no pg_cron), nothing else;
#   2. once the extension can be created, the next run creates them, and a
#      further run changes nothing;
#   3. that database equals a fresh install made with pgvector present.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}   # HQC=path tests another build of the compiler
if ! command -v node >/dev/null; then
	echo "skip: node is not installed (PGlite needs it)"
	exit 0
fi
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
rc=0

echo "build: tests/cases/fixture/schema"
"$hqc" build -o "$tmp/out" tests/cases/fixture/schema 2>/dev/null

apply_all() { # NOTICE-FILE
	local f
	for f in "$tmp"/out/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -f "$f" 2>>"$1" || { echo "FAIL: $f does not apply"; cat "$1"; return 1; }
	done
}
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }
expect() { # WHAT WANT SQL
	local got
	got=$(q "$3") || { echo "FAIL: $1: query failed"; rc=1; return; }
	if [ "$got" != "$2" ]; then echo "FAIL: $1: expected '$2', got '$got'"; rc=1; else echo "ok: $1"; fi
}
skips() { grep -o 'hqc: skipped [^:]*: .*' "$1" | sed 's/ *$//' | sort -u || true; }

# ---- A: vector unavailable at first, available later.
pglite_start
env_a=$HQC_PGLITE_DIR/env
pg_load_compat
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE FUNCTION public.hqc_test_block_vector() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_query() ~* 'create extension if not exists vector|hqc\.extension\(''vector''' THEN
    RAISE EXCEPTION 'pgvector blocked by the test';
  END IF;
END
$$;
CREATE EVENT TRIGGER hqc_test_block_vector ON ddl_command_start WHEN TAG IN ('CREATE EXTENSION')
  EXECUTE FUNCTION public.hqc_test_block_vector();
SQL

echo "apply: without pgvector (blocked) and without pg_cron"
apply_all "$tmp/n1.txt"
skips "$tmp/n1.txt" >"$tmp/skips1.txt"
cat >"$tmp/want1.txt" <<'EOF'
hqc: skipped column products.embedding: extension "vector" is not installed
hqc: skipped comment of similar_products: extension "vector" is not installed
hqc: skipped cron job refresh-catalog: pg_cron is not installed in this database
hqc: skipped function similar_products: extension "vector" is not installed
hqc: skipped index idx_products_embedding: extension "vector" is not installed
hqc: skipped privileges of similar_products: extension "vector" is not installed
EOF
if diff -u "$tmp/want1.txt" "$tmp/skips1.txt"; then echo "ok: exactly the vector objects and the cron job are skipped"
else echo "FAIL: skipped objects (- expected, + got)"; rc=1; fi
grep -q 'optional extension "vector" is not available (pgvector blocked by the test)' "$tmp/n1.txt" &&
	echo "ok: NOTICE optional extension vector not available" ||
	{ echo "FAIL: no NOTICE for the optional extension vector"; rc=1; }
expect "no vector objects yet" "0|0|0" \
	"SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.products'::regclass AND attname = 'embedding'),
	        (SELECT count(*) FROM pg_class WHERE relname = 'idx_products_embedding'),
	        (SELECT count(*) FROM pg_proc WHERE proname = 'similar_products')"

echo "apply: again, pgvector available now"
q "DROP EVENT TRIGGER hqc_test_block_vector; DROP FUNCTION public.hqc_test_block_vector()" >/dev/null
apply_all "$tmp/n2.txt"
skips "$tmp/n2.txt" >"$tmp/skips2.txt"
if [ "$(cat "$tmp/skips2.txt")" = "hqc: skipped cron job refresh-catalog: pg_cron is not installed in this database" ]; then
	echo "ok: only the cron job is skipped now"
else
	echo "FAIL: unexpected skips on the second run:"; cat "$tmp/skips2.txt"; rc=1
fi
expect "vector objects created by the later run" "vector(3)|hnsw|authenticated=X/postgres|Nearest products by embedding (needs pgvector)." \
	"SELECT format_type(a.atttypid, a.atttypmod),
	        (SELECT am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam WHERE i.relname = 'idx_products_embedding'),
	        (SELECT string_agg(x, ',') FROM unnest(p.proacl::text[]) x WHERE x LIKE 'authenticated=%'),
	        obj_description(p.oid, 'pg_proc')
	 FROM pg_attribute a, pg_proc p
	 WHERE a.attrelid = 'public.products'::regclass AND a.attname = 'embedding' AND p.proname = 'similar_products'"
tests/pg/catalog.sh postgres >"$tmp/a2.txt"
apply_all "$tmp/n3.txt"
tests/pg/catalog.sh postgres >"$tmp/a3.txt"
if diff -u "$tmp/a2.txt" "$tmp/a3.txt"; then echo "ok: a further run with pgvector changes nothing"
else echo "FAIL: a further run with pgvector changed the catalog"; rc=1; fi
# (INSERT, not UPDATE: on PostgreSQL 18 an UPDATE of products fails, its
# replica identity FULL contains the generated column `search`, which the
# publication does not publish.)
q "INSERT INTO public.products (sku, name, price, embedding) VALUES
     ('VEC-A', 'Vector A', 1, '[1,0,0]'), ('VEC-B', 'Vector B', 1, '[0,1,0]')" >/dev/null
expect "similar_products works" "VEC-A" \
	"SELECT p.sku FROM public.similar_products('[0.9,0.1,0]', 1) s JOIN public.products p ON p.id = s.id"

# ---- B: a fresh install with pgvector from the start.
echo "apply: fresh install with pgvector"
pglite_start
pg_load_compat
apply_all "$tmp/nb.txt"
tests/pg/catalog.sh postgres >"$tmp/b.txt"
if diff -u "$tmp/b.txt" "$tmp/a2.txt"; then echo "ok: skipped-then-created equals a fresh install"
else echo "FAIL: the database that caught up differs from a fresh install (- fresh, + caught up)"; rc=1; fi
# shellcheck source=/dev/null
. "$env_a"
exit $rc
