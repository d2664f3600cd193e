#!/usr/bin/env bash
# The HQ schema on a real PostgreSQL 15 (pg_cron, no pgvector): every module
# applies, a second application leaves the catalog unchanged, and the
# catalog holds the objects the specification counts.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/pg/lib.sh
pg_start
pg_new_db hq
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"

apply_all() {
	for f in out/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d hq -f "$f" 2>>"$tmp/notices.txt" || { echo "failed: $f"; return 1; }
	done
}
apply_all
tests/pg/catalog.sh hq >"$tmp/first.txt"
apply_all
tests/pg/catalog.sh hq >"$tmp/second.txt"
if ! diff -u "$tmp/first.txt" "$tmp/second.txt"; then
	echo "second application changed the catalog"; exit 1
fi

# Objects that need pgvector are skipped with a NOTICE, nothing else is.
grep -q 'skipped column knowledge_chunks.embedding: extension "vector" is not installed' "$tmp/notices.txt"
if grep -v 'vector' "$tmp/notices.txt" | grep -q 'NOTICE:  hqc: skipped'; then
	echo "unexpected skips:"; grep -v vector "$tmp/notices.txt" | grep 'skipped'; exit 1
fi

count() { psql -X -A -t -d hq -c "$1"; }
expect() {
	local what=$1 want=$2 got
	got=$(count "$3")
	if [ "$got" != "$want" ]; then echo "$what: expected $want, got $got"; return 1; fi
	echo "$what: $got"
}
rc=0
expect tables 48 "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" || rc=1
# 678 columns (677 at v37; 038 adds two, 039 drops pinned), less the two embedding columns
# skipped without pgvector
expect columns 676 "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'" || rc=1
expect constraints 204 "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND c.contype IN ('p','u','f','c')" || rc=1
# 246 indexes at v39 (039 drops idx_knowledge_items_pinned), less the two HNSW indexes skipped
# without pgvector, plus the 17 foreign-key indexes of docs/deviations.md ("Security and
# performance lints")
expect indexes 261 "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'" || rc=1
# 47, plus _schema_version (docs/deviations.md)
expect rls_tables 48 "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity" || rc=1
# 96 at v39, plus the two policies of _schema_version
expect policies 98 "SELECT count(*) FROM pg_policies WHERE schemaname IN ('public', 'storage')" || rc=1
expect enum_values 116 "SELECT count(*) FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'" || rc=1
expect realtime 41 "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'supabase_realtime'" || rc=1
exit $rc
