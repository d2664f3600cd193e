#!/usr/bin/env bash
# Convergence of databases hqc did not build (issue 11), with the fixture
# schema on PostgreSQL 15. Each "foreign" database is built by hand-written SQL
# (tests/cases/foreign/fixture_*.sql, not hqc's output), holds rows in every
# table, and differs from the schema in some of the seven ways of the issue:
#   old      an older version with object names of its own (keys, foreign
#            keys, triggers, policies, an updated_at function, a primary key
#            pk_addresses), an enum value the schema no longer lists, a
#            parameter of another name, the old place_order(jsonb) overload
#            (SECURITY DEFINER, callable by anon), its own version table, a
#            cron job with an old command, broad grants;
#   drifted  the current version with every name as declared but another
#            definition (index keys/method/predicate, CHECK, FK actions,
#            unique columns, policies, triggers, view, function attributes),
#            broader and narrower privileges (table, column, sequence,
#            function, schema, default privileges), RLS flags, replica
#            identity, publication membership, defaults, nullability,
#            comments, cron schedule; plus grants to a role the schema does
#            not name (reporting), which must stay;
#   extras   undeclared indexes, unique keys, FKs, checks, triggers and
#            policies on declared tables (some exempted by `unmanaged:`
#            patterns, which must stay), objects on auth.users and
#            storage.objects (never touched), overloads with grants,
#            undeclared columns, a table and a function holding data, cron
#            jobs the schema does not declare;
#   coupons  change steps (drop_function, drop_column, drop_table of a test
#            module) whose targets have undeclared dependents the schema
#            would drop anyway: they go too;
#   report   as coupons, plus a view of an undeclared name reading the
#            dropped column: the step fails with a message naming the view,
#            never with PostgreSQL's bare "other objects depend on it".
# For each (but report) the migrations, one psql -f per file, must bring the
# catalog to that of a fresh install (tests/pg/catalog.sql, schema hqc left
# out) except the leftovers listed here (undeclared columns and tables,
# exempted objects, objects on platform tables, an enum value, functions of
# undeclared names, a role's grants, a cron job calling no schema function),
# each named by a WARNING where the contract says so; keep every row with its
# values; a second run must change nothing: no DDL at all (event trigger on
# ddl_command_start) and the same catalog and row counts; and a third run
# must complete with lock_timeout=100ms while other sessions hold EXCLUSIVE
# locks on every user table (no lock above ACCESS SHARE).
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
. tests/pg/lib.sh
. tests/pg/converge.sh
tmp=$cv_tmp
cases=tests/cases/foreign

# ---- the schema and its two test variants
mkdir -p "$tmp/s_unmanaged" "$tmp/s_changes"
cp tests/cases/fixture/schema/*.yaml "$tmp/s_unmanaged/"
cp tests/cases/fixture/schema/*.yaml "$tmp/s_changes/"
cp "$cases/fixture_changes/006_cleanup.yaml" "$tmp/s_changes/"
# Exemptions by name pattern, per kind (the `unmanaged:` key of issue 11).
awk '{ print } /^  version_table:/ {
	print "  unmanaged:"
	print "    indexes: [\"dba_*\"]"
	print "    constraints: [\"legacy_chk_*\"]"
	print "    triggers: [\"dba_*\"]"
	print "    policies: [\"dba *\"]" }' tests/cases/fixture/schema/_project.yaml >"$tmp/s_unmanaged/_project.yaml"
for v in plain unmanaged changes; do
	src=$tmp/s_$v; [ $v = plain ] && src=tests/cases/fixture/schema
	if ! "$hqc" build -o "$tmp/out_$v" "$src" >"$tmp/build_$v.log" 2>&1; then
		cv_fail "hqc build of the $v schema variant:"; sed 's/^/    /' "$tmp/build_$v.log"
	fi
done

pg_start
# Fresh installs, the reference of each comparison.
for v in plain unmanaged changes; do
	[ -d "$tmp/out_$v/migrations" ] || continue
	pg_new_db "fresh_$v"
	cv_apply "fresh_$v" "$tmp/out_$v/migrations" "$tmp/fresh_$v.log" && cv_catalog "fresh_$v" "$tmp/fresh_$v.txt"
done

# converge NAME VARIANT SQL-FILES...: cv_converge with the variant's migrations.
converge() {
	local name=$1 v=$2
	shift 2
	echo "== $name ($v schema)"
	if [ ! -s "$tmp/fresh_$v.txt" ]; then cv_fail "$name: no fresh install of the $v variant to compare with"; return; fi
	cv_schema=$tmp/s_$v; [ "$v" = plain ] && cv_schema=tests/cases/fixture/schema
	cv_converge "$name" "$tmp/out_$v/migrations" "$tmp/fresh_$v.txt" "$@"
}

# ---- old: an older hand-written shop
cat >"$tmp/old.leftovers" <<'EOF'
# an undeclared column and table with data stay
+ column public.customers legacy_ref text
+~ ^(relation|column|constraint|index|acl table) public\.schema_migrations[ .]
# a function of an undeclared name stays (its triggers are gone)
+~ ^(function|acl function) public\.set_updated_at\(\)
# an enum value the schema no longer lists stays, in place
- enum public.order_status: 'pending', 'paid', 'shipped', 'cancelled', 'returned', 'refunded'
+ enum public.order_status: 'pending', 'paid', 'on_hold', 'shipped', 'cancelled', 'returned', 'refunded'
# objects on platform tables are never touched
+ trigger auth.users CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.create_customer_for_user()
+ policy storage.objects "product images read" PERMISSIVE FOR SELECT TO PUBLIC USING ((bucket_id = 'product-images'::text))
# a cron job that calls no function of the schema stays
+ cron_job "vacuum-events" schedule='0 4 * * *' command='VACUUM public.order_events' active=t user=postgres
EOF
cat >"$tmp/old.rows" <<'EOF'
# the data step of module 005 logs the return of the demo order 1000
added public.order_events 1
EOF
printf '%s\n' legacy_ref schema_migrations set_updated_at on_hold >"$tmp/old.warnings"
converge old plain "$cases/fixture_old.sql"
# A leftover overload is gone, and so is the hole it opened.
if [ -s "$tmp/old.after1.txt" ]; then
	got=$(cv_q old "SELECT count(*) FROM pg_proc WHERE proname = 'place_order' AND pronamespace = 'public'::regnamespace")
	[ "$got" = 1 ] && cv_ok "old: place_order(jsonb) is gone, place_order(jsonb,text) remains" || cv_fail "old: $got place_order functions"
fi

# ---- drifted: same names, other definitions, privileges, settings
cat >"$tmp/drifted.leftovers" <<'EOF'
# grants to a role the schema does not name stay as they were
+ acl schema public to reporting: USAGE by pg_database_owner
+ acl table public.orders to reporting: SELECT by postgres
# (the view is redefined, and keeps the grant)
+ acl table public.open_orders to reporting: SELECT by postgres
+ acl function public.order_total(bigint) to reporting: EXECUTE by postgres
+ default_acl for postgres in public on tables to reporting: SELECT by postgres
+~ ^acl table public\.[a-z_]+ to reporting: SELECT by postgres$
EOF
: >"$tmp/drifted.rows"
: >"$tmp/drifted.warnings"
converge drifted plain "$cases/fixture_current.sql" "$cases/fixture_drifted.sql"

# ---- extras: undeclared objects, exemptions, platform tables, overloads
cat >"$tmp/extras.leftovers" <<'EOF'
# exempted by the unmanaged: patterns of _project.yaml
+ index public.orders CREATE INDEX dba_orders_placed ON public.orders USING btree (placed_at)
+ constraint public.products legacy_chk_price CHECK ((price < (100000)::numeric))
+ trigger public.categories CREATE TRIGGER dba_audit_categories AFTER UPDATE ON public.categories FOR EACH ROW EXECUTE FUNCTION public.audit_signup()
+ policy public.order_items "dba audit" PERMISSIVE FOR SELECT TO service_role USING (true)
# platform tables: never touched
+ index auth.users CREATE INDEX users_email_dba_idx ON auth.users USING btree (lower((email)::text))
+ trigger auth.users CREATE TRIGGER users_audit AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.audit_signup()
+ policy storage.objects "Users read own files" PERMISSIVE FOR SELECT TO authenticated USING ((owner = auth.uid()))
# undeclared columns, a table and functions of undeclared names stay
+ column public.customers loyalty_points integer NOT NULL DEFAULT 0
+ column public.products legacy_code text
+~ ^(relation|column|constraint|index|acl table|acl identity sequence of) public\.wishlists[ .]
+~ ^(function|acl function) public\.audit_signup\(\)
+~ ^(function|acl function) public\.customer_lifetime_value\(bigint\)
# a cron job that calls no function of the schema stays
+ cron_job "vacuum-events" schedule='0 4 * * *' command='VACUUM public.order_events' active=t user=postgres
EOF
: >"$tmp/extras.rows"
printf '%s\n' loyalty_points legacy_code wishlists customer_lifetime_value audit_signup >"$tmp/extras.warnings"
converge extras unmanaged "$cases/fixture_current.sql" "$cases/fixture_extras.sql"

# ---- coupons: change steps with undeclared dependents the schema would drop anyway
: >"$tmp/coupons.leftovers"
cat >"$tmp/coupons.rows" <<'EOF'
dropped public.coupons
EOF
: >"$tmp/coupons.warnings"
converge coupons changes "$cases/fixture_current.sql" "$cases/fixture_coupons.sql"
if [ -s "$tmp/coupons.run1.log" ]; then
	if grep -q 'other objects depend on it' "$tmp/coupons.run1.log"; then cv_fail "coupons: a step failed with PostgreSQL's bare dependency error"
	else cv_ok "coupons: no step failed over a dependent"; fi
fi

# ---- report: a dependent outside what the schema owns stops the step, by name
echo "== report (changes schema)"
if [ -d "$tmp/out_changes/migrations" ]; then
	pg_new_db report
	for f in "$cases/fixture_current.sql" "$cases/fixture_coupons.sql" "$cases/fixture_coupon_report.sql"; do
		psql -X -q -v ON_ERROR_STOP=1 -d report -f "$f" >/dev/null
	done
	failed=""
	for f in "$tmp"/out_changes/migrations/*.sql; do
		if ! psql -X -q -v ON_ERROR_STOP=1 -d report -f "$f" >"$tmp/report.log" 2>&1; then failed=${f##*/}; break; fi
	done
	if [ "$failed" != 006_cleanup.sql ]; then
		cv_fail "report: expected 006_cleanup.sql to fail, got: ${failed:-no failure}"; sed 's/^/    /' "$tmp/report.log" | tail -n 8
	elif grep -q 'other objects depend on it' "$tmp/report.log"; then
		cv_fail "report: the step failed with PostgreSQL's bare dependency error:"; grep -E 'ERROR|DETAIL|HINT' "$tmp/report.log" | sed 's/^/    /'
	elif grep -E 'ERROR' "$tmp/report.log" | grep -q 'coupon_report'; then
		cv_ok "report: the step stopped with an error naming the view: $(grep -m1 ERROR "$tmp/report.log" | sed 's/.*ERROR: *//')"
	else
		cv_fail "report: the error does not name coupon_report:"; sed 's/^/    /' "$tmp/report.log" | tail -n 8
	fi
	got=$(cv_q report "SELECT count(*) FROM pg_views WHERE viewname = 'coupon_report'")
	[ "$got" = 1 ] && cv_ok "report: the view is still there" || cv_fail "report: the view is gone"
fi

exit $cv_rc
