#!/usr/bin/env bash
# hqc drift on a real PostgreSQL 15 (issue 12), with the fixture schema plus
# an exemption (project.unmanaged: indexes dba_*):
#   * a database hqc apply built matches: exit 0, and hqc status agrees;
#   * nine changes by hand (an index dropped, one redefined, one the schema
#     drops made again, an undeclared index and column, an exempt index, a
#     policy dropped, a default changed, a privilege granted): hqc status
#     says the units changed, hqc drift lists exactly these changes (exit 1)
#     in text, markdown and JSON, notes the exempt index, and changes
#     nothing (catalog and history compared); it runs while other sessions
#     hold EXCLUSIVE locks on every table, so it takes no lock above ACCESS
#     SHARE;
#   * --sql prints the statements that converge it: run by psql, they leave
#     only what hqc apply keeps on purpose (the undeclared column, the exempt
#     index); hqc apply converges the rest and drift is clean again;
#   * a database built by psql -f of the files matches too; status says
#     "never recorded";
#   * after hqc's own memory of the objects is lost (hqc.object_state
#     emptied), apply --force replaces nothing (index OIDs unchanged) and
#     drift stays clean;
#   * an unreachable database: exit 2, the others still compared; a schema
#     that does not compile: exit 2 (1 always means drift);
#   * apply --canary 1: a canary that drifts after its apply (an undeclared
#     column the apply keeps) stops the rollout before the other database.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
catalog() { tests/pg/catalog.sh "$1" >"$2"; }
expect_rc() { # WHAT WANT CMD...: output in $tmp/out and $tmp/err
	local what=$1 want=$2 got=0
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" || got=$?
	if [ "$got" = "$want" ]; then ok "$what (exit $got)"
	else fail "$what: exit $got, expected $want"; cat "$tmp/out" "$tmp/err" | head -40; fi
}
has() { # WHAT PATTERN FILE: a line of FILE matches the extended regex
	if grep -Eq -- "$2" "$3"; then ok "$1"; else fail "$1: no line matches /$2/ in:"; head -40 "$3"; fi
}

S=$tmp/schema
cp -r tests/cases/fixture/schema "$S"
sed -i 's/^  version_table: schema_version$/&\n  unmanaged:\n    indexes: ["dba_*"]/' "$S/_project.yaml"
grep -q 'dba_\*' "$S/_project.yaml" || { echo "FAIL: could not add the exemption to the fixture"; exit 1; }
"$hqc" build -o "$tmp/files_out" "$S" >/dev/null 2>&1 || { echo "FAIL: the fixture does not build"; exit 1; }

pg_start
for db in d files lost canary_a canary_b; do pg_new_db "$db"; done

echo "a database hqc apply built"
expect_rc "hqc apply" 0 "$hqc" apply "$S" "dbname=d"
expect_rc "hqc drift right after the apply" 0 "$hqc" drift "$S" "dbname=d"
has "drift: matches" "/d: matches the compiled schema \(0 differences\)$" "$tmp/out"
expect_rc "hqc status" 0 "$hqc" status "$S" "dbname=d"

echo "nine changes by hand"
psql -X -q -v ON_ERROR_STOP=1 -d d <<'EOF'
DROP INDEX idx_order_items_product;
DROP INDEX idx_orders_shipping_address;
CREATE INDEX idx_orders_shipping_address ON orders (shipping_address_id);
CREATE INDEX idx_orders_status_placed ON orders (status);
CREATE INDEX extra_note ON orders (note);
CREATE INDEX dba_channel ON orders (channel);
ALTER TABLE orders ADD COLUMN legacy text;
DROP POLICY "Items of own orders" ON order_items;
ALTER TABLE orders ALTER COLUMN channel SET DEFAULT 'app';
GRANT DELETE ON order_items TO anon;
EOF
catalog d "$tmp/before.txt"
q d "SELECT id, unit, outcome FROM hqc.applied ORDER BY id" >"$tmp/hist_before.txt"
expect_rc "hqc status after the changes by hand" 1 "$hqc" status "$S" "dbname=d"
has "status: the units no longer match" "^  004_orders +changed \(applied .*\): its objects no longer match what it declares$" "$tmp/out"

# Every user table locked EXCLUSIVE (only ACCESS SHARE passes) by other sessions while drift runs.
tables=$(q d "SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') FROM pg_tables WHERE schemaname = 'public'")
PGAPPNAME=blocker psql -X -q -d d -c "BEGIN; LOCK TABLE $tables IN EXCLUSIVE MODE; SELECT pg_sleep(300)" >/dev/null 2>&1 &
wait_for d "SELECT count(*) > 0 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'blocker' AND l.mode = 'ExclusiveLock' AND l.granted" ||
	fail "the blocking session did not get its locks"
expect_rc "hqc drift --lock-timeout 1s with every table locked EXCLUSIVE" 1 "$hqc" drift --lock-timeout 1s "$S" "dbname=d"
end_sessions blocker
cp "$tmp/out" "$tmp/drift.txt"
has "drift: the count" "/d: drifted: 8 differences \(2 missing, 2 different, 2 undeclared, 1 dropped, 1 privileges\); 1 exempt \(project.unmanaged\)$" "$tmp/drift.txt"
for want in "^  missing +index public.order_items idx_order_items_product " \
	"^  missing +policy public.order_items \"Items of own orders\" " \
	"^  different +column public.orders.channel " \
	"^  different +index public.orders idx_orders_shipping_address " \
	"^  undeclared +index public.orders extra_note " \
	"^  undeclared +column public.orders.legacy " \
	"^  dropped +index public.orders idx_orders_status_placed " \
	"^  privileges +table public.order_items " \
	"^  exempt +index public.orders dba_channel "; do
	has "drift lists: ${want#^  }" "$want" "$tmp/drift.txt"
done
has "drift: both definitions of the redefined index" "declared: CREATE INDEX idx_orders_shipping_address ON public.orders USING btree \(shipping_address_id\) WHERE \(shipping_address_id IS NOT NULL\)" "$tmp/drift.txt"
has "drift: the privilege to revoke" "converge: REVOKE DELETE ON TABLE public.order_items FROM anon" "$tmp/drift.txt"
has "drift: the undeclared column is kept by apply" "kept by hqc apply \(its data stays\)" "$tmp/drift.txt"
catalog d "$tmp/after_drift.txt"
cmp -s "$tmp/before.txt" "$tmp/after_drift.txt" && ok "drift changed no catalog fact" || { fail "drift changed the catalog:"; diff "$tmp/before.txt" "$tmp/after_drift.txt" | head; }
q d "SELECT id, unit, outcome FROM hqc.applied ORDER BY id" >"$tmp/hist_after.txt"
cmp -s "$tmp/hist_before.txt" "$tmp/hist_after.txt" && ok "drift wrote no history" || fail "drift wrote to hqc.applied"

expect_rc "hqc drift --format json" 1 "$hqc" drift --format json "$S" "dbname=d"
if jq -e '.command == "drift" and (.databases | length) == 1 and .databases[0].outcome == "drifted"
          and .databases[0].summary.missing == 2 and .databases[0].summary.exempt == 1
          and ([.databases[0].differences[] | select(.class != "exempt")] | length) == 8
          and ([.databases[0].differences[] | select(.class == "missing") | .sql | startswith("CREATE")] | all)
          and .summary.drifted == 1' "$tmp/out" >/dev/null; then
	ok "drift JSON: classes, counts, SQL of each difference"
else fail "drift JSON"; cat "$tmp/out"; fi
expect_rc "hqc drift --format markdown" 1 "$hqc" drift --format markdown "$S" "dbname=d"
has "markdown: a heading per database" "^### Drift: \`.*/d\` against \`" "$tmp/out"
has "markdown: a table of differences" "^\| class \| kind \| object \| module \| live \| declared \|$" "$tmp/out"
[ "$(grep -c '^| \(missing\|different\|undeclared\|dropped\|privileges\|exempt\) |' "$tmp/out")" = 9 ] &&
	ok "markdown: one row per difference and exempt object" || { fail "markdown rows"; cat "$tmp/out"; }

echo "--sql"
expect_rc "hqc drift --sql" 1 "$hqc" drift --sql "$S" "dbname=d"
cp "$tmp/out" "$tmp/converge.sql"
has "--sql: the revoke" "^REVOKE DELETE ON TABLE public.order_items FROM anon;$" "$tmp/converge.sql"
has "--sql: the missing index" "^CREATE INDEX idx_order_items_product ON public.order_items USING btree \(product_id\);$" "$tmp/converge.sql"
if psql -X -q -v ON_ERROR_STOP=1 -d d -f "$tmp/converge.sql" >"$tmp/psql.out" 2>&1; then
	ok "the --sql script runs"
	expect_rc "drift after the --sql script" 1 "$hqc" drift "$S" "dbname=d"
	has "only what apply keeps on purpose is left" "/d: drifted: 1 difference \(1 undeclared\); 1 exempt \(project.unmanaged\)$" "$tmp/out"
else fail "the --sql script failed:"; cat "$tmp/psql.out"; fi

echo "apply converges"
expect_rc "hqc apply after the changes by hand" 0 "$hqc" apply "$S" "dbname=d"
has "apply warns about the undeclared column" "WARNING: .*legacy" "$tmp/out"
psql -X -q -d d -c "ALTER TABLE orders DROP COLUMN legacy"
expect_rc "hqc drift after apply (and the column dropped)" 0 "$hqc" drift "$S" "dbname=d"
has "drift: clean, the exempt index noted" "/d: matches the compiled schema \(0 differences; 1 exempt \(project.unmanaged\)\)$" "$tmp/out"
[ "$(q d "SELECT count(*) FROM pg_indexes WHERE indexname = 'dba_channel'")" = 1 ] && ok "the exempt index is still there" || fail "apply dropped the exempt index"

echo "a database built from the files"
for f in "$tmp"/files_out/migrations/*.sql; do psql -X -q -v ON_ERROR_STOP=1 -d files -f "$f" >/dev/null 2>&1 || fail "psql -f $f"; done
expect_rc "hqc drift of the files database" 0 "$hqc" drift "$S" "dbname=files"
expect_rc "hqc status of the files database" 1 "$hqc" status "$S" "dbname=files"
has "status: never recorded" "never recorded" "$tmp/out"

echo "hqc's memory of the objects lost"
expect_rc "hqc apply" 0 "$hqc" apply "$S" "dbname=lost"
oids="SELECT (SELECT string_agg(c.oid::text || ':' || c.relname, ',' ORDER BY c.relname) FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('i', 'r'))
        || (SELECT string_agg(t.oid::text, ',' ORDER BY t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal)
        || (SELECT string_agg(p.oid::text, ',' ORDER BY p.oid) FROM pg_policy p)
        || (SELECT string_agg(k.oid::text, ',' ORDER BY k.oid) FROM pg_constraint k WHERE k.connamespace = 'public'::regnamespace)"
before=$(q lost "$oids")
q lost "DELETE FROM hqc.object_state" >/dev/null
expect_rc "hqc apply --force without hqc.object_state" 0 "$hqc" apply --force --format json "$S" "dbname=lost"
if jq -e '.databases[0].messages | map(select(test("replaced|renamed|changed|dropped"))) | length == 0' "$tmp/out" >/dev/null; then
	ok "apply --force replaced nothing (no such server message)"
else fail "apply replaced objects:"; jq -r '.databases[0].messages[]' "$tmp/out" | head; fi
[ "$(q lost "$oids")" = "$before" ] && ok "no table, index, constraint, trigger or policy was re-created (OIDs unchanged)" || fail "OIDs changed"
expect_rc "hqc drift" 0 "$hqc" drift "$S" "dbname=lost"

echo "an unreachable database"
expect_rc "hqc drift with one unreachable database" 2 "$hqc" drift "$S" "dbname=files" "host=127.0.0.1 port=1 connect_timeout=2 dbname=x"
has "the reachable one is compared" "/files: matches the compiled schema" "$tmp/out"
has "the unreachable one is named" "UNREACHABLE" "$tmp/out"

echo "a schema with errors"
cp -r "$S" "$tmp/bad"
echo "tables: [" >>"$tmp/bad/001_base.yaml"
expect_rc "hqc drift of a schema that does not compile" 2 "$hqc" drift "$tmp/bad" "dbname=files"
has "the error is named at its line" "^$tmp/bad/001_base.yaml:[0-9]+:[0-9]+: error: " "$tmp/err"

echo "apply --canary with drift"
# The canary has a table of the schema with a column of its own, which the
# apply keeps (with a WARNING): drift is not clean after it.
psql -X -q -d canary_a -c "CREATE TABLE orders (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, stray int)" 2>/dev/null ||
	fail "could not prepare the canary"
expect_rc "apply --canary 1 where the canary drifts after its apply" 1 "$hqc" apply --canary 1 "$S" "dbname=canary_a" "dbname=canary_b"
has "the rollout stops" "hqc drift was not clean on the canary databases" "$tmp/out"
[ "$(q canary_b "SELECT count(*) FROM pg_namespace WHERE nspname = 'hqc'")" = 0 ] && ok "the other database was not touched" || fail "canary_b was applied"

exit $rc
