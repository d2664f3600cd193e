#!/usr/bin/env bash
# Column `backfill:` on PostgreSQL 15 (tests/cases/backfill): version 2 adds two
# NOT NULL columns to a table that version 1 created. Applied over a version-1
# database with rows, the rows get the backfill values and the columns end NOT
# NULL; applying again prints no backfill notice and changes nothing; a fresh
# install reaches the same catalog; a column someone already added by hand as
# nullable is filled where NULL. hqc diff classifies the columns.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
cases=tests/cases/backfill
rc=0
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; rc=1; }
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
expect() { # DB WHAT WANT SQL
	local got
	got=$(q "$1" "$4" 2>&1) || { fail "$2: query failed: $got"; return; }
	if [ "$got" == "$3" ]; then ok "$2"; else fail "$2: expected '$3', got '$got'"; fi
}
apply() { # OUT DB LOG
	local f
	for f in "$1"/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$f" >>"$3" 2>&1 || { cat "$3"; return 1; }
	done
}

"$hqc" build -o "$tmp/v1" "$cases/v1" 2>/dev/null
"$hqc" build -o "$tmp/v2" "$cases/v2" 2>/dev/null
pg_start >/dev/null

# Version 1 with rows, then version 2.
psql -X -q -d postgres -c 'CREATE DATABASE up' >/dev/null
apply "$tmp/v1" up "$tmp/v1.log"
q up "INSERT INTO labels (id, name) VALUES (1, 'Alpha'), (2, 'Beta'), (3, 'GAMMA')"
if apply "$tmp/v2" up "$tmp/up.log"; then ok "version 2 applies over version 1 with rows"; else fail "version 2 over rows"; fi
expect up "existing rows get the backfill values" "1|10|alpha,2|20|beta,3|30|gamma" \
	"SELECT string_agg(id || '|' || sort_order || '|' || slug, ',' ORDER BY id) FROM labels"
expect up "the backfilled columns are NOT NULL" "slug|true,sort_order|true" \
	"SELECT string_agg(attname || '|' || attnotnull, ',' ORDER BY attname) FROM pg_attribute
	  WHERE attrelid = 'labels'::regclass AND attname IN ('slug', 'sort_order')"
expect up "new rows get the declared default" "0" \
	"INSERT INTO labels (id, name, slug) VALUES (4, 'Delta', 'delta') RETURNING sort_order"
grep -q 'hqc: backfill labels.slug' "$tmp/up.log" && ok "the backfill says what it does" ||
	fail "no backfill notice in: $(cat "$tmp/up.log")"

# Once only: a second application does nothing and says nothing.
tests/pg/catalog.sh up >"$tmp/up1.txt"
: >"$tmp/again.log"
apply "$tmp/v2" up "$tmp/again.log"
tests/pg/catalog.sh up >"$tmp/up2.txt"
if diff -u "$tmp/up1.txt" "$tmp/up2.txt" >"$tmp/d"; then ok "a second application leaves the catalog alone"; else fail "catalog changed: $(cat "$tmp/d")"; fi
if grep -q 'backfill' "$tmp/again.log"; then fail "the backfill ran again: $(cat "$tmp/again.log")"; else ok "the backfill runs once"; fi

# A fresh install reaches the same catalog (rows aside).
psql -X -q -d postgres -c 'CREATE DATABASE fresh' >/dev/null
apply "$tmp/v2" fresh "$tmp/fresh.log"
q up "DELETE FROM labels"
tests/pg/catalog.sh up | grep -v '^rows ' >"$tmp/a.txt"
tests/pg/catalog.sh fresh | grep -v '^rows ' >"$tmp/b.txt"
if diff -u "$tmp/b.txt" "$tmp/a.txt" >"$tmp/d"; then ok "upgrade and fresh install agree"
else fail "upgrade and fresh install differ: $(cat "$tmp/d")"; fi

# A column already there but nullable, with NULLs: filled, then NOT NULL.
psql -X -q -d postgres -c 'CREATE DATABASE half' >/dev/null
apply "$tmp/v1" half "$tmp/half.log"
q half "ALTER TABLE labels ADD COLUMN slug text; INSERT INTO labels (id, name, slug) VALUES (1, 'Kept', 'kept'), (2, 'Filled', NULL)"
apply "$tmp/v2" half "$tmp/half.log"
expect half "a nullable column is filled where NULL" "1|kept,2|filled" \
	"SELECT string_agg(id || '|' || slug, ',' ORDER BY id) FROM labels"
expect half "and made NOT NULL" "t" "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'labels'::regclass AND attname = 'slug'"

# hqc diff: with backfill, the columns are "lock" (every row is updated); without it, adding
# them is "breaking" (the migration fails on a table with rows), and --fail-on breaking fails.
if "$hqc" diff --fail-on breaking "$cases/v1" "$cases/v2" >"$tmp/diff.txt" 2>&1 &&
	grep -q '^lock  *column labels.slug added: text NOT NULL; existing rows backfilled with lower(name)' "$tmp/diff.txt"
then ok "diff: backfilled columns are lock, not breaking"; else fail "diff with backfill: $(cat "$tmp/diff.txt")"; fi
cp -r "$cases/v2" "$tmp/nobackfill"
sed -i '/backfill:/d' "$tmp/nobackfill/002_label_order.yaml"
if "$hqc" diff --fail-on breaking "$cases/v1" "$tmp/nobackfill" >"$tmp/diff2.txt" 2>&1; then
	fail "diff --fail-on breaking passed a NOT NULL column without backfill"
elif grep -q '^breaking  *column labels.slug added: text NOT NULL; fails when the table has rows: give existing rows a value with `backfill: <sql>`' "$tmp/diff2.txt"; then
	ok "diff: a NOT NULL column without a value for existing rows is breaking"
else fail "diff without backfill: $(cat "$tmp/diff2.txt")"; fi
# and the compiler says so at the column, suggesting backfill
if "$hqc" check "$tmp/nobackfill" 2>"$tmp/lint.txt"; then fail "check passed a NOT NULL column without backfill"
elif grep -q "002_label_order.yaml:11:7: error: column \"slug\" is added NOT NULL without a default to table \"labels\" of module 001_labels" "$tmp/lint.txt"
then ok "check: not_null_column_without_default at the column"; else fail "check output: $(cat "$tmp/lint.txt")"; fi

exit $rc
