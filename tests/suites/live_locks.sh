#!/usr/bin/env bash
# hqc apply against other sessions' locks, on a real PostgreSQL 15:
#   * kill -9 of hqc while a unit waits for a lock: the server notices the
#     dead client within seconds (nothing stays blocked behind it), the unit
#     is rolled back (none of its objects exist), the earlier units stay
#     applied; the next apply marks the dead run interrupted, converges to
#     the catalog of the migration files, and the history is consistent;
#   * a long transaction holding a lock on a table the apply must alter:
#     the statement gives up after lock_timeout, the unit is rolled back and
#     retried with backoff, the report names the unit, line and SQLSTATE,
#     and a session reading that table meanwhile was never blocked for
#     longer than the lock timeout; once the transaction ends, apply converges.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
"$hqc" build -o "$tmp/out" schema 2>/dev/null
pg_start
for db in files killed locks; do pg_new_db "$db"; done
for f in "$tmp"/out/migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -d files -f "$f" 2>>"$tmp/files.log" || { echo "FAIL: $f"; exit 1; }
done
tests/pg/catalog.sh files >"$tmp/files.txt"
tests/pg/catalog.sh files -v columns_by_name=1 >"$tmp/files_by_name.txt"

echo "kill -9 in the middle of a unit"
# 004_tenants puts a trigger on auth.users: hold that table, so the apply
# stops inside 004 and waits there (with a lock timeout long enough).
hold_lock killed auth.users || { fail "the blocker did not get its lock"; exit 1; }
"$hqc" apply --lock-timeout 5min --no-progress schema "dbname=killed" >"$tmp/k1.out" 2>&1 & hp=$!
if wait_for killed "SELECT EXISTS (SELECT FROM hqc.applied WHERE unit = '004_tenants' AND outcome = 'running')
                    AND EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'hqc' AND wait_event_type = 'Lock')" 300; then
	ok "hqc apply waits for the lock inside unit 004_tenants"
else
	fail "hqc apply never got to wait inside 004_tenants"; cat "$tmp/k1.out"; exit 1
fi
kill -9 "$hp"
wait "$hp" 2>/dev/null || true
if wait_for killed "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'hqc')" 100; then
	ok "the server ended the backend of the killed hqc (client_connection_check_interval)"
else fail "the killed hqc's backend is still there"; fi
got=$(history killed)
[ "$got" = "000_hqc:ok 001_extensions:ok 002_enums:ok 003_shared_functions:ok 004_tenants:running" ] &&
	ok "history: 000-003 ok, 004 still marked running" || fail "history after kill -9: $got"
[ "$(q killed "SELECT to_regclass('public.tenants') IS NULL AND to_regclass('public._schema_version') IS NOT NULL")" = t ] &&
	ok "nothing of 004_tenants was committed; 003 stayed" || fail "half-applied 004_tenants"
end_sessions blocker
"$hqc" apply --no-progress schema "dbname=killed" >"$tmp/k2.out" 2>&1 && ok "apply after the kill (exit 0)" ||
	{ fail "apply after the kill"; cat "$tmp/k2.out"; }
grep -q "applied $(($(ls "$tmp"/out/migrations/*.sql | wc -l) - 4)) units, skipped 4" "$tmp/k2.out" &&
	ok "it skipped 000-003 and ran the rest" || { fail "what the second apply ran"; cat "$tmp/k2.out"; }
tests/pg/catalog.sh killed >"$tmp/killed.txt"
if diff -u "$tmp/files.txt" "$tmp/killed.txt" >"$tmp/k.diff"; then ok "converged to the catalog of the files"
else fail "catalog after kill -9 and apply"; head -30 "$tmp/k.diff"; fi
got=$(q killed "SELECT string_agg(outcome, ',' ORDER BY id) FROM hqc.applied WHERE unit = '004_tenants'")
[ "$got" = "interrupted,ok" ] && ok "history: the killed run of 004 is marked interrupted, then ok" || fail "004 history: $got"
got=$(q killed "SELECT count(*) FROM (SELECT DISTINCT ON (unit) outcome FROM hqc.applied ORDER BY unit, id DESC) l WHERE outcome <> 'ok'")
[ "$got" = 0 ] && ok "history: the latest run of every unit is ok" || fail "$got units whose latest run is not ok"
"$hqc" status schema "dbname=killed" >"$tmp/k3.out" 2>&1 && ok "status: at the compiled schema" || { fail "status after the kill"; cat "$tmp/k3.out"; }

echo "a long transaction holds a lock on a table the apply must alter"
"$hqc" apply --no-progress schema "dbname=locks" >/dev/null 2>&1 || { fail "first apply to locks"; exit 1; }
# A column dropped by hand: re-adding it needs an ACCESS EXCLUSIVE lock on tags.
q locks "ALTER TABLE public.tags DROP COLUMN color"
PGAPPNAME=longtx psql -X -q -d locks -c "BEGIN; SELECT count(*) FROM public.tags; SELECT pg_sleep(300)" >/dev/null 2>&1 &
wait_for locks "SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE a.application_name = 'longtx' AND l.relation = 'public.tags'::regclass AND l.granted)" ||
	{ fail "the long transaction did not start"; exit 1; }
# The application: reads tags every 50 ms for 8 s; psql's \timing gives each wait.
{
	echo '\timing on'
	for _ in $(seq 1 130); do echo 'SELECT count(*) FROM public.tags;'; echo '\! sleep 0.05'; done
} >"$tmp/reader.sql"
PGAPPNAME=reader psql -X -q -d locks -f "$tmp/reader.sql" >"$tmp/reader.out" 2>&1 & rp=$!
sleep 0.3
t0=$(date +%s%N)
arc=0
"$hqc" apply --force --lock-timeout 1s --lock-retries 2 --no-progress schema "dbname=locks" >"$tmp/l1.out" 2>"$tmp/l1.err" || arc=$?
t1=$(date +%s%N)
wait "$rp" || true
[ "$arc" = 1 ] && ok "apply gives up (exit 1)" || { fail "apply exit $arc"; cat "$tmp/l1.out" "$tmp/l1.err"; }
if grep -Eq "^FAILED .*/locks  unit 006_crm, statement at line [0-9]+ \(rolled back; gave up after 2 retries\): ERROR 55P03: canceling statement due to lock timeout" "$tmp/l1.out"; then
	ok "the report names the unit, line, SQLSTATE and the retries"
else fail "report of the lock timeout"; cat "$tmp/l1.out"; fi
[ "$(grep -c "unit 006_crm, line [0-9]*: canceling statement due to lock timeout (55P03); retry [12] of 2 in [0-9]* ms" "$tmp/l1.err")" = 2 ] &&
	ok "each retry was announced on stderr" || { fail "retry messages"; cat "$tmp/l1.err"; }
elapsed=$(((t1 - t0) / 1000000))
((elapsed >= 3000)) && ok "three attempts of about 1 s each ($elapsed ms in all)" || fail "apply took only $elapsed ms"
got=$(q locks "SELECT outcome || ' ' || sqlstate || ' ' || attempts || ' ' || (line > 0) FROM hqc.applied WHERE unit = '006_crm' ORDER BY id DESC LIMIT 1")
[ "$got" = "failed 55P03 3 true" ] && ok "history: 006_crm failed with 55P03 after 3 attempts" || fail "006_crm history: $got"
max=$(awk '/^Time: / { v = $2 + 0; if (v > m) m = v } END { printf "%d", m }' "$tmp/reader.out")
n=$(grep -c '^Time: ' "$tmp/reader.out" || true)
if ((n > 100 && max < 1400)); then ok "the reading session was never blocked for longer than the lock timeout (longest wait $max ms of $n)"
else fail "reader: $n queries, longest wait $max ms (lock_timeout 1 s)"; fi
((max >= 500)) && ok "... though it did queue behind the apply's lock request ($max ms)" ||
	fail "the reader never queued behind the apply (longest wait $max ms): the test proves nothing"
[ "$(q locks "SELECT count(*) FROM information_schema.columns WHERE table_name = 'tags' AND column_name = 'color'")" = 0 ] &&
	ok "006_crm rolled back (the column is still missing)" || fail "006_crm was half-applied"
end_sessions longtx
"$hqc" apply --no-progress schema "dbname=locks" >"$tmp/l2.out" 2>&1 && ok "apply once the transaction ended (exit 0)" ||
	{ fail "apply after the long transaction"; cat "$tmp/l2.out"; }
tests/pg/catalog.sh locks -v columns_by_name=1 >"$tmp/locks.txt"
if diff -u "$tmp/files_by_name.txt" "$tmp/locks.txt" >"$tmp/l.diff"; then ok "converged (catalog of the files, columns by name)"
else fail "catalog after the lock test"; head -30 "$tmp/l.diff"; fi

exit $rc
