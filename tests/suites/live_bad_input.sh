#!/usr/bin/env bash
# Bad input to hqc apply / status gives a clear error and the documented exit
# status (0 every database at the compiled schema, 1 some database not, or
# schema errors, 2 usage or I/O), and never leaves more than the running unit
# undone:
#   * usage: unknown options, options of another command, bad numbers and
#     durations, no schema, no database, URLs and --fleet together -> 2;
#   * a malformed URL, a fleet file with garbage lines (each reported as
#     FILE:LINE: error: ...) or duplicates, a missing fleet file -> 2, and no
#     database is touched, not even the good ones in the same file;
#   * a schema with errors -> 1, no database touched; a missing schema -> 2;
#   * wrong password, nothing listening, no such database, a server that is
#     not PostgreSQL 15+ (tests/live/fake_pg.c reports 9.6) -> 1, the reason
#     in the report, the other databases of the run still applied;
#   * the server shutting down while a unit runs -> 1, "connection was lost";
#     after the restart the earlier units are applied, the running one left
#     no trace, and the next apply converges.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
# expect WHAT RC PATTERN CMD...: exit status RC and PATTERN (grep -E) in stdout+stderr.
expect() {
	local what=$1 want=$2 pat=$3 got=0
	shift 3
	"$@" >"$tmp/out" 2>&1 || got=$?
	if [ "$got" != "$want" ]; then fail "$what: exit $got, expected $want"; cat "$tmp/out"
	elif ! grep -Eq -- "$pat" "$tmp/out"; then fail "$what: no line matches /$pat/"; cat "$tmp/out"
	else ok "$what (exit $got)"; fi
}
untouched() { # DB...: no schema hqc in any of them
	local db
	for db in "$@"; do
		[ "$(q "$db" "SELECT count(*) FROM pg_namespace WHERE nspname = 'hqc'")" = 0 ] || { fail "database $db was touched"; return; }
	done
	ok "no database was touched ($*)"
}

cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -O1 tests/live/fake_pg.c -o "$tmp/fake_pg"
pg_start
for db in good other gone; do pg_new_db "$db"; done
# A small schema keeps this suite quick: the fixture's five modules.
S=tests/cases/fixture/schema

echo "usage errors"
expect "no schema directory" 2 "needs a schema directory" "$hqc" apply
expect "unknown option" 2 'unknown option "--frobnicate"' "$hqc" apply --frobnicate $S dbname=good
expect "an option of apply given to status" 2 "--force is an option of hqc apply only" "$hqc" status --force $S dbname=good
expect "-j 0" 2 '-j needs a number of connections between 1 and 1000, not "0"' "$hqc" apply -j 0 $S dbname=good
expect "-j without a number" 2 '-j needs a number' "$hqc" apply $S dbname=good -j
expect "a bad duration" 2 '--lock-timeout needs a duration such as 3s, 500ms or 10min, not "3 seconds"' \
	"$hqc" apply --lock-timeout "3 seconds" $S dbname=good
expect "--lock-retries out of range" 2 "--lock-retries needs a number between 0 and 100" "$hqc" apply --lock-retries 101 $S dbname=good
expect "--canary 0" 2 "--canary needs a positive number" "$hqc" apply --canary 0 $S dbname=good
expect "--format yaml" 2 '--format needs text or json, not "yaml"' "$hqc" status --format yaml $S dbname=good
expect "URLs and --fleet together" 2 "either as URLs or with --fleet" "$hqc" apply --fleet /dev/null $S dbname=good
expect "no database and no DATABASE_URL" 2 "no database given" env -u DATABASE_URL "$hqc" apply $S
untouched good

echo "bad URLs and fleet files"
expect "a malformed URL" 2 '^hqc: URL 2 on the command line: error: not a database URL: .*IPv6' \
	"$hqc" apply $S dbname=good 'postgresql://[::1/x'
expect "a key=value string with an unknown key" 2 'URL 1 on the command line: error: not a database URL: invalid connection option "colour"' \
	"$hqc" apply $S 'colour=blue'
cat >"$tmp/fleet.txt" <<EOF
# the fleet
dbname=good

this is not a url
dbname=other   # a trailing comment is not a comment
postgresql://[::1:5432/x
dbname=good
EOF
expect "a fleet file with garbage lines" 2 "fleet.txt:4: error: not a database URL: missing \"=\" after \"this\"" \
	"$hqc" apply --fleet "$tmp/fleet.txt" $S
grep -q 'fleet.txt:5: error: not a database URL: missing "=" after "#"' "$tmp/out" &&
	grep -q 'fleet.txt:6: error: not a database URL: .*"\]"' "$tmp/out" &&
	grep -Eq 'fleet.txt:7: error: database .*/good is already listed \(.*fleet.txt:2\)' "$tmp/out" &&
	[ "$(grep -c error: "$tmp/out")" = 4 ] && ok "every bad line reported as FILE:LINE, once" || { fail "fleet file errors"; cat "$tmp/out"; }
untouched good other
expect "a missing fleet file" 2 "cannot read fleet file .*/nope.txt: No such file" "$hqc" apply --fleet "$tmp/nope.txt" $S
printf '# only comments\n\n' >"$tmp/empty.txt"
expect "a fleet file without databases" 2 "empty.txt: error: the fleet file lists no database" "$hqc" apply --fleet "$tmp/empty.txt" $S

echo "bad schemas"
expect "a missing schema directory" 2 'cannot open schema directory' "$hqc" apply "$tmp/none" dbname=good
cp -r $S "$tmp/broken"
sed -i 's/table: addresses,/table: adresses,/' "$tmp/broken/004_orders.yaml"
expect "a schema with errors" 1 "004_orders.yaml:[0-9]+:[0-9]+: error: .*adresses.*" "$hqc" apply "$tmp/broken" dbname=good
grep -q "no database touched" "$tmp/out" && ok "... says no database was touched" || { fail "schema errors message"; cat "$tmp/out"; }
untouched good

echo "databases that cannot be reached"
bad_pw=$(sed -E 's|(//[^:]*:)[^@]*@|\1wrong@|' <<<"$HQC_PG_TCP_URL")
no_port="postgresql://postgres@127.0.0.1:1/good?connect_timeout=2"
no_db="dbname=nosuchdb"
"$tmp/fake_pg" 9.6.24 "$tmp/fake.port" & fake=$!
hq_on_exit kill "$fake"
for _ in $(seq 50); do [ -s "$tmp/fake.port" ] && break; sleep 0.1; done
old="postgresql://postgres@127.0.0.1:$(cat "$tmp/fake.port")/legacy"
expect "wrong password, no server, no database, old server; one good database" 1 \
	"summary: 5 databases: 1 ok \(1 changed, 0 already up to date\), 4 unreachable" \
	"$hqc" apply -j 3 $S "$bad_pw" "$no_port" "$no_db" "$old" "dbname=good"
grep -Eq '^UNREACHABLE +postgres@127.0.0.1:[0-9]+/postgres +.*password authentication failed for user "postgres"' "$tmp/out" &&
	ok "wrong password: says so" || { fail "wrong password report"; cat "$tmp/out"; }
grep -q "wrong" "$tmp/out" && fail "the report shows the password" || ok "the report does not show the password"
grep -Eq '^UNREACHABLE +postgres@127.0.0.1:1/good +.*Connection refused' "$tmp/out" && ok "nothing listening: connection refused" ||
	{ fail "refused report"; cat "$tmp/out"; }
grep -Eq '^UNREACHABLE +.*/nosuchdb +.*database "nosuchdb" does not exist' "$tmp/out" && ok "no such database: says so" ||
	{ fail "missing database report"; cat "$tmp/out"; }
grep -Eq '^UNREACHABLE +postgres@127.0.0.1:[0-9]+/legacy +the server is PostgreSQL 9.6.24; hqc needs PostgreSQL 15 or later' "$tmp/out" &&
	ok "PostgreSQL 9.6: refused with the version" || { fail "old server report"; cat "$tmp/out"; }
grep -Eq '^ok +.*/good +applied 6 units' "$tmp/out" && ok "the good database was applied all the same" || { fail "good database"; cat "$tmp/out"; }
expect "status of the same set" 1 "summary: 5 databases: 1 at the compiled schema, 4 unreachable" \
	"$hqc" status $S "$bad_pw" "$no_port" "$no_db" "$old" "dbname=good"
expect "JSON report of the failures" 1 "" "$hqc" apply --format json $S "$bad_pw" "$old"
jq -e '.summary.unreachable == 2 and ([.databases[].error.reason] | length) == 2
       and (.databases[1].error.message | test("PostgreSQL 9.6.24"))' "$tmp/out" >/dev/null &&
	ok "JSON: outcome and reason of each" || { fail "JSON report"; cat "$tmp/out"; }

echo "the server goes away while a unit runs"
# Module 002 of the fixture puts a trigger on auth.users: hold that table so
# the apply waits inside 002, then restart the server under it.
hold_lock gone auth.users || { fail "the blocker did not get its lock"; exit 1; }
arc=0
"$hqc" apply --no-progress --lock-timeout 5min $S dbname=gone >"$tmp/g1.out" 2>&1 & hp=$!
for _ in $(seq 300); do
	[ "$(q gone "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'hqc' AND wait_event_type = 'Lock')")" = t ] && break
	sleep 0.1
done
bindir=/usr/lib/postgresql/15/bin
[ -x $bindir/pg_ctl ] || bindir=$(pg_config --bindir)
owner=$(stat -c %U "$HQC_PG_DIR/data")
as_owner() { if [ "$(id -u)" = 0 ]; then (cd "$HQC_PG_DIR" && setpriv --reuid="$owner" --regid="$owner" --init-groups -- "$@"); else (cd "$HQC_PG_DIR" && "$@"); fi; }
as_owner "$bindir/pg_ctl" -D "$HQC_PG_DIR/data" -l "$HQC_PG_DIR/server.log" -w -m fast restart >/dev/null
wait "$hp" || arc=$?
[ "$arc" = 1 ] && ok "apply ends with exit 1" || { fail "apply exit $arc when the server went away"; cat "$tmp/g1.out"; }
grep -Eq '^FAILED +.*/gone +unit 002_customers, statement at line [0-9]+: the connection was lost .*: ERROR 57P01: terminating connection due to administrator command' "$tmp/g1.out" &&
	ok "the report: unit, statement line, connection lost" || { fail "report when the server went away"; cat "$tmp/g1.out"; }
pg_isready -q -t 10 || true
got=$(history gone)
[ "$got" = "000_hqc:ok 001_base:ok 002_customers:running" ] && ok "after the restart: 000 and 001 applied, 002 still marked running" || fail "history after the restart: $got"
[ "$(q gone "SELECT to_regclass('public.customers') IS NULL")" = t ] && ok "nothing of 002 was committed" || fail "002 half-applied"
expect "apply after the restart" 0 "applied 4 units, skipped 2" "$hqc" apply $S dbname=gone
expect "status after the restart" 0 "at the compiled schema" "$hqc" status $S dbname=gone

exit $rc
