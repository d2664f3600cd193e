#!/usr/bin/env bash
# Behaviour tests of the HQ functions and triggers on a real PostgreSQL 15
# (pg_cron + Supabase compatibility layer), written with pgTAP.
#
#   bash tests/suites/hq_behaviour.sh              # every test under tests/hq/
#   bash tests/suites/hq_behaviour.sh 014 016      # only files whose name contains 014 or 016
#
# One throwaway cluster, one database with the compatibility layer, all
# migrations applied once, pgTAP in schema extensions. Then, in name order:
#
#   tests/hq/*.sql  run by pg_prove (psql when pg_prove is missing) against that
#                   database; every file is one transaction that it rolls back
#                   itself (BEGIN; SELECT plan(n); ... SELECT * FROM finish(); ROLLBACK;),
#                   so the files see the same freshly migrated database.
#   tests/hq/*.sh   tests that need committed data and several sessions
#                   (concurrency): each gets its own copy of the migrated
#                   database, named in $1 (PG* variables point at the cluster),
#                   and prints TAP on stdout.
#
# Prints one line per file and closes with "N passed, N failed" (assertions;
# the assertions a file planned but never reached count as failed). Exits
# non-zero on any failure. A final check makes sure the .sql files really left
# the shared database as they found it.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/pg/lib.sh

db=hq_behaviour
# Dates in the tests ("due before today", month boundaries) are meant in UTC, the cluster's
# zone (and pg_cron's); a PGTZ from the caller's environment must not override it.
export PGTZ=UTC
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"

pg_start || { echo "cannot start PostgreSQL"; exit 1; }
pg_new_db "$db" || { echo "cannot create database $db"; exit 1; }
for f in out/migrations/*.sql; do
	if ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$f" >/dev/null 2>>"$tmp/apply.log"; then
		echo "failed to apply $f:"; grep -v NOTICE "$tmp/apply.log" | tail -n 20; exit 1
	fi
done
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION pgtap SCHEMA extensions' || exit 1

# Row counts of every table in public/auth/storage/cron: identical before and after the .sql
# files, or one of them committed something.
fingerprint() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" <<-'EOF'
		DO $$
		DECLARE r record; n bigint; acc text := '';
		BEGIN
		  FOR r IN SELECT schemaname, tablename FROM pg_tables
		            WHERE schemaname IN ('public', 'auth', 'storage', 'cron')
		            ORDER BY 1, 2 LOOP
		    EXECUTE format('SELECT count(*) FROM %I.%I', r.schemaname, r.tablename) INTO n;
		    acc := acc || r.schemaname || '.' || r.tablename || '=' || n || E'\n';
		  END LOOP;
		  PERFORM set_config('hqt.fp', acc, false);
		END $$;
		SELECT current_setting('hqt.fp');
	EOF
}
fingerprint >"$tmp/fp.before" || exit 1

files=()
for f in tests/hq/*.sql tests/hq/*.sh; do
	[[ -e $f ]] || continue
	if (( $# > 0 )); then
		keep=
		for pat in "$@"; do [[ $f == *"$pat"* ]] && keep=1; done
		[[ -n $keep ]] || continue
	fi
	files+=("$f")
done
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -t/ -k3)
(( ${#files[@]} > 0 )) || { echo "no test files"; exit 1; }

have_pg_prove=
command -v pg_prove >/dev/null && have_pg_prove=1

total_pass=0 total_fail=0 files_ok=0 files_failed=0 clone_n=0
for f in "${files[@]}"; do
	name=${f##*/}
	out=$tmp/$name.out
	start=$(date +%s.%N)
	case $f in
	*.sql)
		if [[ -n $have_pg_prove ]]; then
			pg_prove -v -d "$db" "$f" >"$out" 2>&1
		else
			psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -f "$f" >"$out" 2>&1
		fi
		rc=$?
		;;
	*.sh)
		clone_n=$((clone_n + 1))
		clone=hq_behaviour_$clone_n
		# A copy of the migrated database (database settings are not copied: search_path again).
		if psql -X -q -v ON_ERROR_STOP=1 -d postgres -v c="$clone" -v t="$db" >"$out" 2>&1 <<-'EOF'
			CREATE DATABASE :"c" TEMPLATE :"t";
			ALTER DATABASE :"c" SET search_path TO "$user", public, extensions;
		EOF
		then
			bash "$f" "$clone" >>"$out" 2>&1
			rc=$?
			psql -X -q -d postgres -v c="$clone" >/dev/null 2>&1 <<<'DROP DATABASE IF EXISTS :"c" WITH (FORCE);'
		else
			rc=1
		fi
		;;
	esac
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

	# TAP: the plan "1..N", "ok ..." and "not ok ..." lines (pg_prove -v echoes them).
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
	pass=$(grep -c '^ok ' "$out")
	fail=$(grep -c '^not ok ' "$out")
	missing=0
	if [[ -n $plan ]] && (( pass + fail < plan )); then missing=$((plan - pass - fail)); fi
	if [[ -z $plan ]]; then missing=1; fi   # died before planning
	fail=$((fail + missing))
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	if (( rc == 0 && fail == 0 )); then
		files_ok=$((files_ok + 1))
		printf 'ok     %-32s %4d assertions  %5ss\n' "$name" "$pass" "$secs"
	else
		files_failed=$((files_failed + 1))
		printf 'FAILED %-32s %4d passed, %d failed (plan %s, exit %d)  %ss\n' \
			"$name" "$pass" "$fail" "${plan:-none}" "$rc" "$secs"
		# The failing assertions with their diagnostics, and any error psql reported.
		grep -E -A8 '^not ok ' "$out" | grep -E '^(not ok |#|--)' | sed 's/^/    /'
		grep -E 'ERROR|FATAL|psql:|Dubious|Bad plan|No plan|Parse errors' "$out" | head -n 20 | sed 's/^/    /'
	fi
done

# Only meaningful when the .sql files ran (a subset run still checks what it ran).
fingerprint >"$tmp/fp.after" || exit 1
if ! diff -u "$tmp/fp.before" "$tmp/fp.after" >"$tmp/fp.diff"; then
	echo "FAILED a .sql test file left committed rows behind:"
	sed 's/^/    /' "$tmp/fp.diff"
	total_fail=$((total_fail + 1))
	files_failed=$((files_failed + 1))
fi

echo
echo "files: $files_ok passed, $files_failed failed"
echo "$total_pass passed, $total_fail failed"
(( total_fail == 0 && files_failed == 0 ))
