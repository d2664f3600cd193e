#!/usr/bin/env bash
# hqc apply on a fleet, on a real PostgreSQL 15 (the fixture schema, five
# modules, keeps it quick):
#   * 55 databases in a fleet file (-j 8): 36 new, 5 at an older version
#     built from fewer modules (the fixture's first three, applied by hqc), 5
#     at an older version of every module (fixture_v1, applied by hqc), 5
#     built from fixture_v1's files by psql (no history), 1 whose module 004
#     fails (a view stands where a table must go), 3 unreachable (nothing
#     listening, no such database, wrong password): every reachable database
#     but the failing one converges to the catalog of a fresh install, the
#     summary names each failure with unit and reason, the exit status is 1;
#   * re-running resumes: the fixed database is applied, the others are
#     skipped quickly, and status agrees;
#   * --max-failures stops starting databases; --canary goes on only when
#     the canaries converged;
#   * SIGINT in the middle: running statements are cancelled, nothing new
#     starts, locks are released, the summary is printed, exit 1; the next
#     run converges.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
S=tests/cases/fixture/schema
S1=tests/cases/fixture_v1/schema

"$hqc" build -o "$tmp/new" $S 2>/dev/null
"$hqc" build -o "$tmp/old" $S1 2>/dev/null
pg_start
pg_new_db tpl
pg_new_db ref
for f in "$tmp"/new/migrations/*.sql; do psql -X -q -v ON_ERROR_STOP=1 -d ref -f "$f" 2>/dev/null; done
tests/pg/catalog.sh ref >"$tmp/ref.txt"

echo "fleet: 61 databases from a template"
# Four sessions at once: CREATE DATABASE is mostly waiting for the disk
# (FILE_COPY: no WAL for the copies, less to write and to delete at the end).
pids=()
for k in 0 1 2 3; do
	for i in $(seq $((k * 16 + 1)) $((k < 3 ? k * 16 + 16 : 61))); do printf 'CREATE DATABASE f%02d TEMPLATE tpl STRATEGY = FILE_COPY;\n' "$i"; done |
		psql -X -q -v ON_ERROR_STOP=1 -d postgres &
	pids+=($!)
done
wait "${pids[@]}"
[ "$(q postgres "SELECT count(*) FROM pg_database WHERE datname ~ '^f[0-9]{2}$'")" = 61 ] || { fail "creating the databases"; exit 1; }
fleet_range() { for i in $(seq "$1" "$2"); do printf 'dbname=f%02d\n' "$i"; done; }
# f01-f05: fewer modules (the fixture's first three), applied by hqc.
mkdir "$tmp/fewer" && cp $S/_*.yaml $S/00[1-3]_*.yaml "$tmp/fewer/"
"$hqc" apply -j 4 "$tmp/fewer" $(fleet_range 1 5) >"$tmp/v0.out" 2>&1 || { fail "applying the fewer modules"; cat "$tmp/v0.out"; }
# f06-f10: the older version of every module, applied by hqc.
"$hqc" apply -j 4 $S1 $(fleet_range 6 10) >"$tmp/v1.out" 2>&1 || { fail "applying the older version"; cat "$tmp/v1.out"; }
# f11-f15: the older files by psql.
for i in $(seq 11 15); do
	for f in "$tmp"/old/migrations/*.sql; do psql -X -q -v ON_ERROR_STOP=1 -d "f$i" -f "$f" 2>/dev/null; done
done
# f16: a view where module 004 creates table orders.
q f16 "CREATE VIEW public.orders AS SELECT 1 AS id"
tcp=$(sed -E 's|/postgres$||' <<<"$HQC_PG_TCP_URL")
bad_pw=$(sed -E 's|(//[^:]*:)[^@]*@|\1wrong@|' <<<"$tcp")
{
	echo "# the fleet: one database per line"
	fleet_range 1 52
	echo
	echo "postgresql://postgres@127.0.0.1:1/f99?connect_timeout=2   "
	echo "dbname=f_missing"
	echo "$bad_pw/f52"
} >"$tmp/fleet.txt"

echo "apply to the fleet"
t0=$(date +%s%N)
arc=0
"$hqc" apply --fleet "$tmp/fleet.txt" -j 8 $S >"$tmp/a1.out" 2>"$tmp/a1.err" || arc=$?
t1=$(date +%s%N)
echo "(apply to 55 databases: $(((t1 - t0) / 1000000)) ms)"
[ "$arc" = 1 ] && ok "exit 1: not every database converged" || { fail "fleet apply exit $arc"; cat "$tmp/a1.err"; }
grep -q "^summary: 55 databases: 51 ok (51 changed, 0 already up to date), 1 failed, 3 unreachable;" "$tmp/a1.out" &&
	ok "summary: 51 ok, 1 failed, 3 unreachable" || { fail "fleet summary"; tail -5 "$tmp/a1.out"; }
grep -Eq '^FAILED +postgres@.*/f16 +unit 004_orders, statement at line [0-9]+ \(rolled back\): ERROR [0-9A-Z]{5}: .*orders' "$tmp/a1.out" &&
	ok "the summary says which database failed, in which unit and why" || { fail "report of f16"; grep -A3 f16 "$tmp/a1.out"; }
grep -q "units before it: 4 applied, 0 skipped; nothing after it ran" "$tmp/a1.out" && ok "... and how far it got" || fail "progress of f16"
[ "$(grep -c '^UNREACHABLE ' "$tmp/a1.out")" = 3 ] && grep -q 'f_missing .*does not exist' "$tmp/a1.out" &&
	grep -q 'password authentication failed' "$tmp/a1.out" && grep -q '127.0.0.1:1/f99 .*Connection refused' "$tmp/a1.out" &&
	ok "the three unreachable databases and why" || { fail "unreachable reports"; grep UNREACH "$tmp/a1.out"; }
# Every unit carries the final state of what it declares (enum values, renamed
# policies), so the databases built from fewer modules run every unit again.
n6=$(grep -c '^ok .* applied 6 units, skipped 0' "$tmp/a1.out" || true)
[ "$n6" = 51 ] && ok "51 databases got all six units (000_hqc and the fixture's five)" ||
	{ fail "what ran where: $n6 with six units"; grep '^ok' "$tmp/a1.out" | head; }
tests/pg/catalog.sh ref -v columns_by_name=1 >"$tmp/ref_by_name.txt"
bad=0
for db in f01 f06 f11 f17 f52; do
	# Upgraded tables may have their columns in another order: compare by name.
	tests/pg/catalog.sh "$db" -v columns_by_name=1 >"$tmp/$db.txt"
	cmp -s "$tmp/ref_by_name.txt" "$tmp/$db.txt" || { bad=1; echo "catalog of $db differs:"; diff -u "$tmp/ref_by_name.txt" "$tmp/$db.txt" | head -20 || true; }
done
tests/pg/catalog.sh f30 >"$tmp/f30.txt"
cmp -s "$tmp/ref.txt" "$tmp/f30.txt" || { bad=1; echo "catalog of f30 differs:"; diff -u "$tmp/ref.txt" "$tmp/f30.txt" | head -20 || true; }
[ $bad = 0 ] && ok "databases of every kind have the catalog of a fresh install" || fail "fleet catalogs"
[ "$(history f16)" = "000_hqc:ok 001_base:ok 002_customers:ok 003_catalog:ok 004_orders:failed" ] &&
	ok "f16's history: 000-003 ok, 004 failed" || fail "history of f16"

echo "resume after fixing f16"
q f16 "DROP VIEW public.orders"
t0=$(date +%s%N)
arc=0
"$hqc" apply --fleet "$tmp/fleet.txt" -j 8 $S >"$tmp/a2.out" 2>"$tmp/a2.err" || arc=$?
t1=$(date +%s%N)
[ "$arc" = 1 ] && grep -q "^summary: 55 databases: 52 ok (1 changed, 51 already up to date), 3 unreachable;" "$tmp/a2.out" &&
	ok "re-run: f16 applied, the other 51 skipped, the 3 still unreachable ($(((t1 - t0) / 1000000)) ms)" ||
	{ fail "resume"; tail -3 "$tmp/a2.out"; }
grep -Eq '^ok +.*/f16 +applied 2 units, skipped 4' "$tmp/a2.out" && ok "f16 resumed at 004_orders" || { fail "f16 resume"; grep f16 "$tmp/a2.out"; }
grep -v -e 'f_missing' -e '127.0.0.1' "$tmp/fleet.txt" >"$tmp/reachable.txt"
"$hqc" status --fleet "$tmp/reachable.txt" -j 8 $S >"$tmp/s.out" 2>&1 &&
	grep -q "^summary: 52 databases: 52 at the compiled schema;" "$tmp/s.out" && ok "status: all 52 at the compiled schema" ||
	{ fail "status of the fleet"; tail -3 "$tmp/s.out"; }

echo "--max-failures and --canary"
{ echo "postgresql://postgres@127.0.0.1:1/a?connect_timeout=2"; echo "dbname=f_none1"; echo "dbname=f_none2"
  fleet_range 1 3; } >"$tmp/mf.txt"
arc=0
"$hqc" apply --fleet "$tmp/mf.txt" -j 1 --max-failures 2 $S >"$tmp/mf.out" 2>&1 || arc=$?
[ "$arc" = 1 ] && grep -q "summary: 6 databases: 0 ok (0 changed, 0 already up to date), 2 unreachable, 4 not started" "$tmp/mf.out" &&
	grep -q "^NOT STARTED .*/f03 .*--max-failures reached before it started" "$tmp/mf.out" &&
	ok "--max-failures 2: after two failures nothing new starts" || { fail "--max-failures"; cat "$tmp/mf.out"; }
q f53 "CREATE VIEW public.orders AS SELECT 1 AS id"
arc=0
"$hqc" apply --canary 2 -j 4 $S $(fleet_range 53 56) >"$tmp/c1.out" 2>&1 || arc=$?
[ "$arc" = 1 ] && grep -q "1 of 2 canary databases did not converge: not going on with the other 2" "$tmp/c1.out" &&
	grep -q "^NOT STARTED .*/f56 .*the canary databases did not all converge" "$tmp/c1.out" &&
	[ "$(q f55 "SELECT count(*) FROM pg_namespace WHERE nspname = 'hqc'")" = 0 ] &&
	ok "--canary 2 with a failing canary: the others are not touched" || { fail "--canary with a failure"; cat "$tmp/c1.out"; }
arc=0
"$hqc" apply --canary 2 -j 4 $S $(fleet_range 54 57) >"$tmp/c2.out" 2>&1 || arc=$?
[ "$arc" = 0 ] && grep -q "summary: 4 databases: 4 ok (3 changed, 1 already up to date)" "$tmp/c2.out" && ok "--canary 2 with good canaries: all four applied (f54, a canary before, was up to date)" ||
	{ fail "--canary with good canaries"; cat "$tmp/c2.out"; }

echo "SIGINT in the middle of a fleet run"
# Hold auth.users in f58-f59 so their applies wait inside module 002.
hold_lock f58 auth.users && hold_lock f59 auth.users || { fail "the blockers did not get their locks"; exit 1; }
"$hqc" apply -j 2 --lock-timeout 5min --no-progress $S $(fleet_range 58 61) >"$tmp/i.out" 2>"$tmp/i.err" & hp=$!
for _ in $(seq 300); do
	[ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hqc' AND wait_event_type = 'Lock'")" = 2 ] && break
	sleep 0.1
done
t0=$(date +%s%N)
kill -INT "$hp"
arc=0
wait "$hp" || arc=$?
t1=$(date +%s%N)
[ "$arc" = 1 ] && ok "hqc exits 1 after SIGINT, $(((t1 - t0) / 1000000)) ms later" || { fail "exit $arc after SIGINT"; cat "$tmp/i.out" "$tmp/i.err"; }
grep -q "interrupted: starting nothing new, cancelling running statements" "$tmp/i.err" && ok "it says it was interrupted" || fail "no interruption message"
grep -q "^summary: 4 databases: 0 ok (0 changed, 0 already up to date), 2 interrupted, 2 not started;" "$tmp/i.out" &&
	grep -Eq "^INTERRUPTED +.*/f58 +unit 002_customers, statement at line [0-9]+ \(rolled back\): ERROR 57014: canceling statement due to user request" "$tmp/i.out" &&
	grep -q "^NOT STARTED .*/f61 .*interrupted before it started" "$tmp/i.out" &&
	ok "the summary: 2 interrupted in 002_customers, 2 not started" || { fail "summary after SIGINT"; cat "$tmp/i.out"; }
# The backends end when they read hqc's Terminate message: give them a moment.
for _ in $(seq 20); do
	[ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hqc'")" = 0 ] && break
	sleep 0.1
done
[ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hqc'")" = 0 ] &&
	[ "$(q postgres "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ] &&
	ok "no hqc session and no advisory lock left" || fail "hqc sessions or locks left after SIGINT"
got=$(history f58)
[ "$got" = "000_hqc:ok 001_base:ok 002_customers:interrupted" ] && ok "history of f58: 002 recorded as interrupted" || fail "history of f58: $got"
end_sessions blocker
arc=0
"$hqc" apply -j 4 $S $(fleet_range 58 61) >"$tmp/i2.out" 2>&1 || arc=$?
[ "$arc" = 0 ] && grep -q "summary: 4 databases: 4 ok" "$tmp/i2.out" && ok "the next run converges all four" || { fail "after SIGINT"; cat "$tmp/i2.out"; }

exit $rc
