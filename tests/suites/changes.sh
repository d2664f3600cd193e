#!/usr/bin/env bash
# Explicit changes on PostgreSQL 15 (tests/cases/changes): a database built
# from v1 and filled with rows, then brought forward with v2's migrations
# (database A), must have the catalog of a fresh v2 install (database B),
# with every row kept under its new name and in its new type; each change
# runs exactly once (its NOTICE appears on the upgrade, never again), and
# re-running any single module afterwards changes nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
rc=0
cases=tests/cases/changes

"$hqc" build -o "$tmp/v1" $cases/v1 2>/dev/null
"$hqc" build -o "$tmp/v2" $cases/v2 2>/dev/null

pg_start
pg_new_db upgraded
pg_new_db fresh

apply() { # OUT-DIR DB LOG
	local f
	: >"$3"
	for f in "$1"/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$f" 2>>"$3" ||
			{ echo "FAIL: ${f#"$tmp"/} does not apply to $2"; cat "$3"; return 1; }
	done
}
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; rc=1; }
expect() { # WHAT WANT SQL
	local got
	got=$(q upgraded "$3") || { fail "$1: query failed"; return; }
	if [ "$got" = "$2" ]; then ok "$1"; else fail "$1: expected '$2', got '$got'"; fi
}

echo "apply: v1 to database A, with rows"
apply "$tmp/v1" upgraded "$tmp/v1.log"
psql -X -q -v ON_ERROR_STOP=1 -d upgraded <<'SQL'
INSERT INTO notes (id, title, due_date, priority, status, kinds, legacy_flag) VALUES
  ('00000000-0000-4000-8000-000000000001', 'Pay rent', '2026-12-01 09:00+00', 'urgent', 'open', '{a,b}', false),
  ('00000000-0000-4000-8000-000000000002', NULL, NULL, 'high', 'closed', '{a}', true),
  ('00000000-0000-4000-8000-000000000003', 'Read', NULL, 'low', 'open', '{}', true);
INSERT INTO attachments (id, note_id, url) VALUES
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'https://bank.test/rent'),
  ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-000000000003', 'https://books.test/1');
SQL

echo "apply: v2 to A (upgrade) twice, and to B (fresh) twice"
apply "$tmp/v2" upgraded "$tmp/up1.log"
apply "$tmp/v2" upgraded "$tmp/up2.log"
apply "$tmp/v2" fresh "$tmp/fresh1.log"
apply "$tmp/v2" fresh "$tmp/fresh2.log"

tests/pg/catalog.sh upgraded -v columns_by_name=1 | grep -v '^rows ' >"$tmp/a.txt"
tests/pg/catalog.sh fresh -v columns_by_name=1 | grep -v '^rows ' >"$tmp/b.txt"
if diff -u "$tmp/b.txt" "$tmp/a.txt"; then
	ok "upgraded v1 database has the catalog of a fresh v2 install ($(wc -l <"$tmp/a.txt") facts)"
else
	fail "upgraded database differs from the fresh install (- fresh, + upgraded)"
fi

# Every change announced itself once, on the upgrade only.
changes=$(grep -c 'change of module' "$tmp/up1.log" || true)
if [ "$changes" = 13 ]; then ok "the upgrade ran all 13 change steps"; else fail "upgrade ran $changes change steps, want 13"; cat "$tmp/up1.log"; fi
for log in up2 fresh1 fresh2; do
	if grep -q 'change of module' "$tmp/$log.log"; then fail "$log ran a change step again:"; grep 'change of module' "$tmp/$log.log"
	else ok "no change step ran on $log"; fi
done
if grep -q 'not restored' "$tmp/up1.log"; then
	ok "index on a removed enum value not restored, with a NOTICE (the module re-creates it)"
else fail "expected a NOTICE about the index on priority 'urgent'"; fi

echo "check: rows kept under their new names and types"
expect "memos: renamed table and column, mapped and recreated enums, retyped status, moved flag" \
	"Pay rent|2026-12-01 09:00:00+00|high|open|{alpha,b}
(untitled) (flagged)||high|done|{alpha}
Read (flagged)||low|open|{}" \
	"SELECT title, due_at, priority, status, kinds FROM memos ORDER BY id"
expect "attachments moved into links" "https://bank.test/rent|attachment,https://books.test/1|attachment" \
	"SELECT string_agg(url || '|' || label, ',' ORDER BY url) FROM links"
expect "renamed function works on the renamed table" "3" "SELECT memo_count()"
expect "priority has v2's order" "low,medium,high" \
	"SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'priority'::regtype"
expect "constraints and indexes named after the old table follow it" "memos_pkey" \
	"SELECT string_agg(conname, ',') FROM pg_constraint WHERE conrelid = 'memos'::regclass AND contype = 'p'"

echo "check: re-running any one module of v2 changes nothing"
for f in "$tmp"/v2/migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -d upgraded -f "$f" 2>"$tmp/rerun.log" || { fail "re-run of ${f##*/}"; cat "$tmp/rerun.log"; continue; }
	tests/pg/catalog.sh upgraded -v columns_by_name=1 | grep -v '^rows ' >"$tmp/again.txt"
	if cmp -s "$tmp/a.txt" "$tmp/again.txt" && ! grep -q 'change of module' "$tmp/rerun.log"; then ok "re-run of ${f##*/}"
	else fail "re-run of ${f##*/} changed the catalog or ran a change"; diff "$tmp/a.txt" "$tmp/again.txt" | head; fi
done

echo "check: a value in use without a mapping stops the upgrade with a clear error"
pg_new_db unmapped
apply "$tmp/v1" unmapped "$tmp/v1b.log"
q unmapped "INSERT INTO notes (title, priority) VALUES ('x', 'urgent')" >/dev/null
sed 's/map: { urgent: high }/map: {}/' $cases/v2/001_base.yaml >"$tmp/001_base.yaml"
mkdir -p "$tmp/v2nomap" && cp $cases/v2/*.yaml "$tmp/v2nomap/" && cp "$tmp/001_base.yaml" "$tmp/v2nomap/"
"$hqc" build -o "$tmp/nomap" "$tmp/v2nomap" 2>/dev/null
if psql -X -q -v ON_ERROR_STOP=1 -d unmapped -f "$tmp/nomap/migrations/001_base.sql" 2>"$tmp/nomap.log"; then
	fail "an unmapped value in use was accepted"
elif grep -q "cannot recreate enum priority: memos.priority holds urgent that the new type lacks" "$tmp/nomap.log"; then
	ok "unmapped value: $(grep -o 'cannot recreate.*lacks' "$tmp/nomap.log")"
else fail "unexpected error:"; cat "$tmp/nomap.log"; fi
got=$(q unmapped "SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'priority'::regtype")
if [ "$got" = "urgent,high,low" ]; then ok "and that step left the enum as it was ($got)"; else fail "enum after the failed step: $got"; fi
exit $rc
