#!/usr/bin/env bash
# Re-running the migrations on a live database takes no lock the application
# waits on (issue 11), on PostgreSQL 15, for a fresh HQ install and for a
# foreign fixture database (tests/cases/foreign/fixture_current.sql +
# fixture_drifted.sql, converged by a first run):
#   1. no-op re-run while other sessions sit in open transactions that have
#      read every user table, written it (UPDATE ... WHERE false: ROW
#      EXCLUSIVE) and locked a row (FOR UPDATE): every file completes with
#      PGOPTIONS='-c lock_timeout=100ms', and every such session commits
#      afterwards;
#   2. the same with sessions holding EXCLUSIVE locks, which only ACCESS SHARE
#      passes: a no-op run takes no lock stronger than ACCESS SHARE on any
#      user table (also no INSERT ... ON CONFLICT DO NOTHING of a seed that
#      is already there, no UPDATE of a data step with nothing to do);
#   3. HQ only: when one table differs (a declared index of labels dropped),
#      only that table is locked: with the holders of 1 on every other table
#      and workers that keep reading and writing every table in short
#      transactions (lock_timeout 100ms each), the run completes, recreates
#      the index, and no worker on another table ever times out; and, as a
#      control, with a holder on labels too, the run fails on a lock timeout.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
. tests/pg/lib.sh
. tests/pg/converge.sh
tmp=$cv_tmp
hqmigs=out/migrations

pg_start

# holders DB MODE [EXCEPT...]: start holder sessions on every user table of DB
# (three sessions, tables dealt round robin) and wait until they hold.
holders() {
	local db=$1 mode=$2 i=0 t c
	shift 2
	local -a a=() b=() d=()
	while read -r t c; do
		case $((i % 3)) in 0) a+=("$t" "$c") ;; 1) b+=("$t" "$c") ;; 2) d+=("$t" "$c") ;; esac
		i=$((i + 1))
	done < <(cv_user_tables "$db" "$@")
	cv_hold_start "$db" "${mode}_a" "$mode" "${a[@]}"
	cv_hold_start "$db" "${mode}_b" "$mode" "${b[@]}"
	cv_hold_start "$db" "${mode}_c" "$mode" "${d[@]}"
	cv_hold_ready
	echo "   ($i tables held in $mode mode)"
}

# rerun WHAT DB MIGRATIONS: every file again with lock_timeout=100ms.
rerun() {
	local what=$1 db=$2 migs=$3 t0 t1
	t0=$(date +%s%N)
	: >"$tmp/$db.rerun.log"
	if PGOPTIONS='-c lock_timeout=100ms' cv_apply "$db" "$migs" "$tmp/$db.rerun.log"; then
		t1=$(date +%s%N)
		cv_ok "$what: every file re-ran with lock_timeout=100ms ($(((t1 - t0) / 1000000)) ms)"
	else
		grep -m3 -E 'ERROR|lock timeout' "$tmp/$db.rerun.log" | sed 's/^/    /'
		cv_fail "$what: a file waited for a lock the holders have"
	fi
}

# ---- HQ: fresh install, then re-runs under locks
echo "== hq"
pg_new_db hq
cv_apply hq "$hqmigs" "$tmp/hq.log"
cv_catalog hq "$tmp/hq.txt"

holders hq app
rerun "hq, application sessions on every table" hq "$hqmigs"
cv_hold_release "hq, application sessions"

holders hq exclusive
rerun "hq, EXCLUSIVE locks on every table (no lock above ACCESS SHARE)" hq "$hqmigs"
cv_hold_release "hq, EXCLUSIVE holders"

# One table differs: only it may be locked.
index=$(cv_q hq "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE i.indrelid = 'public.labels'::regclass AND c.relname = 'idx_labels_tenant'")
[ -n "$index" ] || cv_fail "hq: labels has no index idx_labels_tenant to drop"
cv_q hq "DROP INDEX public.idx_labels_tenant" >/dev/null
cv_hold_start hq gate gate
cv_hold_ready
work=$(cv_user_tables hq public.labels | tr '\n' ' ')
# shellcheck disable=SC2086
cv_work_start hq others $work
cv_work_start hq labels public.labels "$(cv_user_tables hq | awk '$1 == "public.labels" { print $2 }')"
holders hq app public.labels
sleep 0.3
rerun "hq, labels lacks an index; application sessions on every other table" hq "$hqmigs"
cv_hold_release "hq, application sessions while labels changed"
cv_work_wait || true
got=$(cv_q hq "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'public.labels'::regclass AND c.relname = 'idx_labels_tenant'")
[ -n "$got" ] && [ "$got" = "$index" ] && cv_ok "hq: the index of labels is back: $got" || cv_fail "hq: the index of labels is not back ($got)"
if [ -s "$tmp/work_others.log" ]; then
	timeouts=$(grep -o 'cv_work [^ ]* ok=[0-9]* timeouts=[1-9][0-9]*' "$tmp/work_others.log" || true)
	idle=$(grep -o 'cv_work [^ ]* ok=0 ' "$tmp/work_others.log" || true)
	n=$(grep -c 'cv_work ' "$tmp/work_others.log" || true)
	if [ -z "$timeouts" ] && [ -z "$idle" ] && [ "$n" -gt 40 ]; then
		cv_ok "hq: the workers on the $n other tables kept running, no lock timeout"
	else
		cv_fail "hq: workers on other tables were blocked or idle:"; printf '%s\n' $timeouts $idle | sed 's/^/    /' | head
	fi
	echo "   (worker on labels: $(grep -o 'cv_work public.labels .*' "$tmp/work_labels.log" || echo none))"
fi

# Control: the same difference with a holder on labels must wait, and fail.
cv_q hq "SET client_min_messages = warning; DROP INDEX IF EXISTS public.idx_labels_tenant" >/dev/null
holders hq app
if PGOPTIONS='-c lock_timeout=100ms' timeout 300 bash -c '
	for f in "$1"/*.sql; do psql -X -q -v ON_ERROR_STOP=1 -d hq -f "$f" || exit 1; done' _ "$hqmigs" >"$tmp/control.log" 2>&1; then
	cv_fail "hq control: the run recreated the index of labels under a holder's lock (the holders do not hold what they should)"
elif grep -q 'lock timeout' "$tmp/control.log"; then
	cv_ok "hq control: with a holder on labels the run stops on a lock timeout"
else
	cv_fail "hq control: the run failed for another reason:"; grep -m3 ERROR "$tmp/control.log" | sed 's/^/    /'
fi
cv_hold_release "hq control holders"

# ---- a foreign fixture database, converged by a first run
echo "== fixture (foreign)"
if "$hqc" build -o "$tmp/fx" tests/cases/fixture/schema >"$tmp/fx_build.log" 2>&1; then
	pg_new_db fx
	psql -X -q -v ON_ERROR_STOP=1 -d fx -f tests/cases/foreign/fixture_current.sql \
		-f tests/cases/foreign/fixture_drifted.sql >/dev/null
	if cv_apply fx "$tmp/fx/migrations" "$tmp/fx.log"; then
		holders fx app
		rerun "fixture, application sessions on every table" fx "$tmp/fx/migrations"
		cv_hold_release "fixture, application sessions"
		holders fx exclusive
		rerun "fixture, EXCLUSIVE locks on every table (no lock above ACCESS SHARE)" fx "$tmp/fx/migrations"
		cv_hold_release "fixture, EXCLUSIVE holders"
	fi
else
	cv_fail "hqc build of the fixture:"; cat "$tmp/fx_build.log"
fi

exit $cv_rc
