# shellcheck shell=bash
# Shared by tests/suites/live_*.sh (source it from the repository root, after
# `set -euo pipefail`): the database harness, a temporary directory, result
# lines, and small helpers around psql and the hqc under test.
#
#   hqc       the binary under test (HQC=path tests another build)
#   tmp       a temporary directory, removed at exit
#   rc        the suite's exit status: 1 once any `fail` was called
. tests/pg/lib.sh
hqc=${HQC:-./hqc}
tmp=$(mktemp -d)
hq_on_exit rm -rf "$tmp"
rc=0
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; rc=1; }
# q DB SQL: one value per line, unaligned.
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
# wait_for DB SQL [TRIES]: poll until SQL returns t (every 0.1 s, default 100 tries).
wait_for() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		[ "$(q "$1" "$2" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}
# history DB: "unit:outcome ..." of every run in hqc.applied, in order.
history() { q "$1" "SELECT string_agg(unit || ':' || outcome, ' ' ORDER BY id) FROM hqc.applied"; }
# hold_lock DB TABLE: a session (application_name blocker) that holds an ACCESS
# EXCLUSIVE lock on TABLE for five minutes; returns once the lock is granted.
hold_lock() {
	PGAPPNAME=blocker psql -X -q -d "$1" -c "BEGIN; LOCK TABLE $2 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(300)" \
		>/dev/null 2>&1 &
	wait_for "$1" "SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
	               WHERE a.application_name = 'blocker' AND l.relation = '$2'::regclass AND l.granted)"
}
# end_sessions APPLICATION_NAME: terminate every session of that name.
end_sessions() {
	q postgres "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '$1'" >/dev/null
}
