#!/usr/bin/env bash
# The fixture schema (tests/cases/fixture, every construct of the language) on
# a real PostgreSQL 15 with pg_cron and without pgvector:
#   * every migration applies, file by file, with psql -f (not -1);
#   * the vector column, its HNSW index and the function taking a vector are
#     skipped with a NOTICE, and nothing else is;
#   * a second application changes neither the catalog nor the data (rows
#     inserted between the two runs are still there, seeds are not doubled);
#   * re-running any one earlier file alone changes nothing either (a later
#     module's RLS, publication, replica identity, replaced function and
#     its comment are not undone);
#   * behaviour that proves ordering and enum safety: the row the data step
#     of module 005 inserts with the enum value added by 005, the default and
#     CHECK using it, the replaced function keeps its later body, ...;
#   * install.sql builds the same database as the migrations one by one.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}   # HQC=path tests another build of the compiler
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"

echo "build: tests/cases/fixture/schema"
"$hqc" build -o "$tmp/out" tests/cases/fixture/schema 2>/dev/null

pg_start
pg_new_db fx

apply_all() { # DB NOTICE-FILE
	local f
	for f in "$tmp"/out/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$f" 2>>"$2" || { echo "FAIL: $f does not apply"; cat "$2"; return 1; }
	done
}
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d fx -c "$1"; }
rc=0
expect() { # WHAT WANT SQL
	local got
	got=$(q "$3") || { echo "FAIL: $1: query failed"; rc=1; return; }
	if [ "$got" != "$2" ]; then echo "FAIL: $1: expected '$2', got '$got'"; rc=1; else echo "ok: $1"; fi
}
expect_error() { # WHAT PATTERN SQL
	local out
	if out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d fx -c "$3" 2>&1); then
		echo "FAIL: $1: statement succeeded"; rc=1
	elif ! grep -q -- "$2" <<<"$out"; then
		echo "FAIL: $1: expected error matching '$2', got: $out"; rc=1
	else
		echo "ok: $1"
	fi
}

echo "apply: every migration, file by file"
apply_all fx "$tmp/notices1.txt"
tests/pg/catalog.sh fx >"$tmp/first.txt"

# ---- NOTICEs: exactly the objects that need pgvector are skipped.
echo "check: NOTICEs of the first run"
for want in \
	'optional extension "vector" is not available' \
	'skipped column products.embedding: extension "vector" is not installed' \
	'skipped index idx_products_embedding: extension "vector" is not installed' \
	'skipped function similar_products: extension "vector" is not installed' \
	'skipped privileges of similar_products: extension "vector" is not installed' \
	'skipped comment of similar_products: extension "vector" is not installed'; do
	if grep -qF "$want" "$tmp/notices1.txt"; then echo "ok: NOTICE $want"; else echo "FAIL: no NOTICE: $want"; rc=1; fi
done
if grep 'hqc: skipped' "$tmp/notices1.txt" | grep -v 'extension "vector" is not installed' | grep -q .; then
	echo "FAIL: unexpected skips:"; grep 'hqc: skipped' "$tmp/notices1.txt" | grep -v '"vector"'; rc=1
fi
if grep -E 'ERROR|WARNING' "$tmp/notices1.txt"; then echo "FAIL: errors or warnings on the first run"; rc=1; fi

# ---- Data written between the two runs (as an application would).
echo "write: rows between the runs"
q "INSERT INTO auth.users (id, email, raw_user_meta_data)
     VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'ada@shop.test', '{\"name\": \"Ada\"}')" >/dev/null
q "INSERT INTO public.addresses (customer_id, line1, city)
     SELECT id, 'Main St 1', 'Berlin' FROM public.customers WHERE email = 'ada@shop.test'" >/dev/null
q "UPDATE public.customers c SET default_address_id = a.id FROM public.addresses a
     WHERE a.customer_id = c.id AND c.email = 'ada@shop.test'" >/dev/null
q "INSERT INTO public.categories (id, parent_id, name) VALUES ('poetry', 'books', 'Poetry')" >/dev/null
q "INSERT INTO public.products (id, sku, name, price, category_id, stock, tags)
     VALUES ('5b3c7c1e-0000-4000-8000-0000000000aa', 'BOOK-ODES', 'Odes', 5.00, 'poetry', 10, '{verse}')" >/dev/null
# An order placed through the RPC, as the signed-in user (SECURITY DEFINER,
# current_customer_id(), the statement trigger that recomputes totals).
order_id=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d fx <<'SQL'
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "aaaaaaaa-0000-4000-8000-000000000001", "role": "authenticated"}', false);
SELECT public.place_order('[{"product_id": "5b3c7c1e-0000-4000-8000-0000000000aa", "quantity": 3}]', 'first order') \gset
SELECT :place_order;
SQL
)
order_id=$(tail -n 1 <<<"$order_id")
q "INSERT INTO public.returns (order_id, reason) VALUES ($order_id, 'too long')" >/dev/null
q "UPDATE public.orders SET status = 'returned' WHERE id = $order_id" >/dev/null
tests/pg/catalog.sh fx >"$tmp/before.txt"

echo "apply: every migration again"
apply_all fx "$tmp/notices2.txt"
tests/pg/catalog.sh fx >"$tmp/second.txt"
if diff -u "$tmp/before.txt" "$tmp/second.txt"; then
	echo "ok: second application left catalog and row counts unchanged"
else
	echo "FAIL: second application changed the catalog or the data"; rc=1
fi
if diff <(grep -v '^rows ' "$tmp/first.txt") <(grep -v '^rows ' "$tmp/second.txt") >/dev/null; then
	echo "ok: the rows written between the runs changed nothing but row counts"
else
	echo "FAIL: catalog differs between the first and the second run:"
	diff -u <(grep -v '^rows ' "$tmp/first.txt") <(grep -v '^rows ' "$tmp/second.txt") || true
	rc=1
fi

# Re-running one earlier file alone never undoes what a later one did.
for f in "$tmp"/out/migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -d fx -f "$f" 2>>"$tmp/notices3.txt" || { echo "FAIL: $f does not apply alone"; rc=1; continue; }
	tests/pg/catalog.sh fx >"$tmp/alone.txt"
	if diff -u "$tmp/second.txt" "$tmp/alone.txt"; then echo "ok: re-running ${f##*/} alone changes nothing"
	else echo "FAIL: re-running ${f##*/} alone changed the catalog (- before, + after)"; rc=1; fi
done

# ---- Data survived, seeds and data steps did not run twice.
echo "check: data"
expect "customer made by the auth.users trigger" "Ada|t" \
	"SELECT display_name, default_address_id IS NOT NULL FROM customers WHERE email = 'ada@shop.test'"
expect "row inserted between runs (product)" "Odes|10|{verse}" \
	"SELECT name, stock, tags FROM products WHERE sku = 'BOOK-ODES'"
expect "row inserted between runs (category)" "books" "SELECT parent_id FROM categories WHERE id = 'poetry'"
expect "order placed through the RPC, returned" "returned|0.00|t|first order" \
	"SELECT status, total, returned_at IS NOT NULL, note FROM orders WHERE id = $order_id"
expect "its items" "3|5.00" "SELECT quantity, unit_price FROM order_items WHERE order_id = $order_id"
expect "status history written by the trigger" "returned" \
	"SELECT string_agg(status::text, ',' ORDER BY id) FROM order_events WHERE order_id = $order_id"
expect "seed rows, once each" "1|3|2|1|1" \
	"SELECT (SELECT count(*) FROM customers WHERE id = 1000), (SELECT count(*) FROM categories WHERE id IN ('books', 'sci-fi', 'music')),
	        (SELECT count(*) FROM products WHERE sku IN ('BOOK-DUNE', 'MP3-SUITE')), (SELECT count(*) FROM orders WHERE id = 1000),
	        (SELECT count(*) FROM order_items WHERE order_id = 1000)"
expect "seed values (scalars, JSON mapping, array)" "Dune|9.99|{classic,sci-fi}|412|Frank Herbert|[1965, 2005]|digital|{}|it's \"lossless\"" \
	"SELECT d.name, d.price, d.tags, d.attributes->>'pages', d.attributes->>'author', d.attributes->'editions',
	        s.kind, s.tags, s.attributes->>'note'
	 FROM products d, products s WHERE d.sku = 'BOOK-DUNE' AND s.sku = 'MP3-SUITE'"
expect "schema versions" "1,2" "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version"

# ---- Ordering and enum safety.
echo "check: enum safety and ordering"
expect "enum values in declared order" "pending,paid,shipped,cancelled,returned,refunded" \
	"SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'order_status'::regtype"
expect "row of the data step that uses the new enum value (once)" "1" \
	"SELECT count(*) FROM order_events WHERE order_id = 1000 AND status = 'returned' AND payload->>'source' = 'data step'"
expect "column default using the new enum value" "returned" \
	"INSERT INTO returns (order_id) VALUES (1000) RETURNING status"
expect_error "CHECK using the new enum value" "orders_returned_has_date" \
	"ALTER TABLE orders DISABLE TRIGGER orders_returned_stamp; UPDATE orders SET status = 'returned' WHERE id = 1000"
expect "replaced function keeps the later body after re-running the earlier module" "0.00" \
	"SELECT order_total($order_id)"
expect "the foreign-key cycle is closed" "customers_default_address_id_fkey|addresses_customer_id_fkey" \
	"SELECT string_agg(conname, '|' ORDER BY conrelid::regclass::text DESC) FROM pg_constraint
	 WHERE conname IN ('customers_default_address_id_fkey', 'addresses_customer_id_fkey')"
expect "dropped policy, index and constraint stay dropped" "0|0|0" \
	"SELECT (SELECT count(*) FROM pg_policies WHERE policyname = 'Public catalog'),
	        (SELECT count(*) FROM pg_class WHERE relname = 'idx_orders_status_placed'),
	        (SELECT count(*) FROM pg_constraint WHERE conname = 'orders_total_check')"
expect "alter_columns: default set, NOT NULL dropped, default set, NOT NULL set, default changed, default dropped" \
	"orders.note YES ''::text|customers.email YES|customers.display_name YES 'customer'::text|order_events.status NO|orders.total NO 0.00|orders.channel YES" \
	"SELECT string_agg(concat_ws(' ', table_name || '.' || column_name, is_nullable, column_default), '|' ORDER BY k)
	 FROM information_schema.columns
	 JOIN (VALUES (1, 'orders', 'note'), (2, 'customers', 'email'), (3, 'customers', 'display_name'),
	              (4, 'order_events', 'status'), (5, 'orders', 'total'), (6, 'orders', 'channel')) v(k, t, c)
	   ON table_schema = 'public' AND table_name = t AND column_name = c"
expect_error "trigger with WHEN and args" "stock and price cannot be negative" \
	"UPDATE products SET stock = -1 WHERE sku = 'BOOK-DUNE'"
expect "trait columns in position (id, customer_id, created_at, updated_at, status)" "id,customer_id,created_at,updated_at,status" \
	"SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum BETWEEN 1 AND 5"
expect "placeholder column placed by the table" "default_address_id,created_at,updated_at" \
	"SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'customers'::regclass AND attnum >= 6"
expect "platform objects: trigger, storage policies, bucket, cron job" "1|2|1|1" \
	"SELECT (SELECT count(*) FROM pg_trigger WHERE tgname = 'create_customer_for_user'),
	        (SELECT count(*) FROM pg_policies WHERE schemaname = 'storage'),
	        (SELECT count(*) FROM storage.buckets WHERE id = 'product-images' AND public),
	        (SELECT count(*) FROM cron.job WHERE jobname = 'refresh-catalog')"
expect "realtime members (products taken out again by module 005)" "orders" \
	"SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'supabase_realtime'"
expect "RLS: a signed-in customer sees only itself" "1|Ada" \
	"SET ROLE authenticated; SET request.jwt.claims = '{\"sub\": \"aaaaaaaa-0000-4000-8000-000000000001\"}';
	 SELECT count(*) || '|' || max(display_name) FROM customers"
expect "settings changed by a later module: RLS of order_events, replica identity of products" "t|d" \
	"SELECT (SELECT relrowsecurity FROM pg_class WHERE oid = 'order_events'::regclass),
	        (SELECT relreplident FROM pg_class WHERE oid = 'products'::regclass)"
expect "view: security_invoker, grants, rows" "{security_invoker=true}|t|t" \
	"SELECT (SELECT reloptions FROM pg_class WHERE oid = 'open_orders'::regclass),
	        has_table_privilege('authenticated', 'open_orders', 'SELECT'),
	        (SELECT count(*) FROM open_orders) = (SELECT count(*) FROM orders WHERE status NOT IN ('cancelled', 'returned', 'refunded'))"
expect "view under RLS: the signed-in customer's only order is returned, so none is open" "0" \
	"SET ROLE authenticated; SET request.jwt.claims = '{\"sub\": \"aaaaaaaa-0000-4000-8000-000000000001\"}';
	 SELECT count(*) FROM open_orders"
expect "raw SQL block" "{autovacuum_vacuum_scale_factor=0.05}" "SELECT reloptions FROM pg_class WHERE oid = 'order_events'::regclass"

# ---- install.sql builds the same database.
echo "check: install.sql"
pg_new_db fx_install
psql -X -q -v ON_ERROR_STOP=1 -d fx_install -f "$tmp/out/install.sql" 2>"$tmp/notices_install.txt" || { echo "FAIL: install.sql"; rc=1; }
tests/pg/catalog.sh fx_install >"$tmp/install.txt"
if diff -u "$tmp/first.txt" "$tmp/install.txt"; then echo "ok: install.sql = migrations one by one"
else echo "FAIL: install.sql builds a different database"; rc=1; fi

exit $rc
