#!/usr/bin/env bash
# Upgrade convergence on PostgreSQL 15: a database built from an older version
# of the fixture (tests/cases/fixture_v1: fewer columns, a missing index, an
# enum without a middle value, older function bodies, an older policy, no
# module 005 and so no table `returns`) and filled with rows, then brought
# forward with the current fixture's migrations (database A), must have the
# same catalog as a fresh install of the current fixture (database B), row
# counts and column positions aside; and A's rows must still be there.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}   # HQC=path tests another build of the compiler
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
rc=0

echo "build: tests/cases/fixture_v1/schema and tests/cases/fixture/schema"
"$hqc" build -o "$tmp/v1" tests/cases/fixture_v1/schema 2>/dev/null
"$hqc" build -o "$tmp/cur" tests/cases/fixture/schema 2>/dev/null

pg_start
pg_new_db upgraded
pg_new_db fresh

apply() { # OUT-DIR DB
	local f
	for f in "$1"/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$f" 2>>"$tmp/notices_$2.txt" ||
			{ echo "FAIL: ${f#"$tmp"/} does not apply to $2"; cat "$tmp/notices_$2.txt"; return 1; }
	done
}
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

echo "apply: v1 to database A"
apply "$tmp/v1" upgraded

echo "write: rows into every table of A"
psql -X -q -v ON_ERROR_STOP=1 -d upgraded <<'SQL'
INSERT INTO auth.users (id, email) VALUES ('bbbbbbbb-0000-4000-8000-000000000001', 'old@shop.test');
INSERT INTO public.schema_version (version, description) VALUES (0, 'Written by hand');
INSERT INTO public.customers (id, email, display_name) VALUES (2000, 'bob@shop.test', 'Bob');
INSERT INTO public.addresses (customer_id, line1, city, country) VALUES (2000, 'Old Rd 2', 'Paris', 'FR');
UPDATE public.customers SET default_address_id = (SELECT id FROM public.addresses WHERE customer_id = 2000) WHERE id = 2000;
INSERT INTO public.categories (id, parent_id, name, position) VALUES ('jazz', 'music', 'Jazz', 3);
INSERT INTO public.products (id, sku, name, price, category_id, stock, tags)
  VALUES ('5b3c7c1e-0000-4000-8000-0000000000bb', 'CD-KIND-OF-BLUE', 'Kind of Blue', 12.00, 'jazz', 4, '{vinyl}');
INSERT INTO public.orders (id, customer_id, status, note) VALUES (2000, 2000, 'paid', 'old order');
INSERT INTO public.order_items (order_id, product_id, quantity, unit_price)
  VALUES (2000, '5b3c7c1e-0000-4000-8000-0000000000bb', 2, 12.00);
UPDATE public.orders SET status = 'cancelled' WHERE id = 2000;
SQL
# Every table of v1 has rows now.
empty=$(q upgraded "SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
	WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
	  AND NOT (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text::int > 0")
if [ -n "$empty" ]; then echo "FAIL: tables without rows in A: $empty"; rc=1; else echo "ok: every table of A has rows"; fi
tests/pg/catalog.sh upgraded -v columns_by_name=1 >"$tmp/v1_full.txt"
grep -v '^rows ' "$tmp/v1_full.txt" >"$tmp/v1.txt"

echo "apply: current fixture to A (upgrade) and to B (fresh)"
apply "$tmp/cur" upgraded
apply "$tmp/cur" fresh

echo "check: catalog of A = catalog of B (row counts and column positions aside)"
tests/pg/catalog.sh upgraded -v columns_by_name=1 | grep -v '^rows ' >"$tmp/a.txt"
tests/pg/catalog.sh fresh -v columns_by_name=1 | grep -v '^rows ' >"$tmp/b.txt"
if diff -u "$tmp/b.txt" "$tmp/a.txt"; then
	echo "ok: upgraded database converged to the fresh install ($(wc -l <"$tmp/a.txt") catalog facts)"
else
	echo "FAIL: upgraded database differs from the fresh install (- fresh, + upgraded)"; rc=1
fi

# The comparison has teeth: before the upgrade, A lacked each v1 difference.
for fact in \
	"column public.customers blocked boolean NOT NULL DEFAULT false" \
	"policy public.customers \"Not blocked\" RESTRICTIVE" \
	"policy public.customers \"Customer reads self\" PERMISSIVE FOR SELECT TO authenticated USING ((user_id = ( SELECT auth.uid() AS uid)))" \
	"column public.products attributes jsonb" \
	"index public.products CREATE INDEX idx_products_tags" \
	"enum public.order_status: 'pending', 'paid', 'shipped', 'cancelled', 'returned', 'refunded'" \
	"column public.orders channel text" \
	"relation public.returns table" \
	"function public.price_with_tax(numeric,numeric) function"; do
	if ! grep -qF "$fact" "$tmp/b.txt"; then echo "FAIL: fresh install lacks: $fact"; rc=1
	elif grep -qF "$fact" "$tmp/v1.txt" && [ "${fact#function}" = "$fact" ]; then echo "FAIL: v1 already has: $fact"; rc=1
	else echo "ok: v1 differed, upgrade converged: $fact"; fi
done
if [ "$(grep -F 'function public.price_with_tax(numeric,numeric)' "$tmp/v1.txt")" = "$(grep -F 'function public.price_with_tax(numeric,numeric)' "$tmp/b.txt")" ]; then
	echo "FAIL: price_with_tax has the same body in v1"; rc=1
fi

echo "check: rows of A survived the upgrade"
expect() { # WHAT WANT SQL
	local got
	got=$(q upgraded "$3") || { echo "FAIL: $1: query failed"; rc=1; return; }
	if [ "$got" != "$2" ]; then echo "FAIL: $1: expected '$2', got '$got'"; rc=1; else echo "ok: $1"; fi
}
expect "customer from the auth.users trigger" "old|f" \
	"SELECT display_name, blocked FROM customers WHERE user_id = 'bbbbbbbb-0000-4000-8000-000000000001'"
expect "customer, address and default address" "Bob|Old Rd 2|FR|f" \
	"SELECT c.display_name, a.line1, a.country, c.blocked FROM customers c JOIN addresses a ON a.id = c.default_address_id WHERE c.id = 2000"
expect "category" "music|Jazz|3" "SELECT parent_id, name, position FROM categories WHERE id = 'jazz'"
expect "product, with the new column's default" "Kind of Blue|12.00|4|{vinyl}|{}" \
	"SELECT name, price, stock, tags, attributes FROM products WHERE sku = 'CD-KIND-OF-BLUE'"
expect "order, item and the new column's default" "cancelled|24.00|old order|web|2" \
	"SELECT o.status, o.total, o.note, o.channel, i.quantity FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = 2000"
expect "order events" "cancelled" "SELECT string_agg(status::text, ',' ORDER BY id) FROM order_events WHERE order_id = 2000"
expect "hand-written version row and the fixture's" "0,1,2" "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version"
# Row counts: as before the upgrade, plus the data step's order event, the
# version row of module 005 and the new, empty table returns.
awk '$1 == "rows" { n = $3; if ($2 == "public.order_events" || $2 == "public.schema_version") n++; print $1, $2, n }
     END { print "rows public.returns 0" }' "$tmp/v1_full.txt" | sort >"$tmp/rows_want.txt"
tests/pg/catalog.sh upgraded | grep '^rows ' | sort >"$tmp/rows_got.txt"
if diff -u "$tmp/rows_want.txt" "$tmp/rows_got.txt"; then echo "ok: no row lost, seeds not inserted twice (row counts of every table)"
else echo "FAIL: row counts after the upgrade (- expected, + got)"; rc=1; fi
expect "enum order after inserting the middle value" "pending,paid,shipped,cancelled,returned,refunded" \
	"SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'order_status'::regtype"
expect "functions have the current bodies" "1.19|t" \
	"SELECT price_with_tax(1), prosrc LIKE '%returned%' FROM pg_proc WHERE oid = 'order_total(bigint)'::regprocedure"
exit $rc
