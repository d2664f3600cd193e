# shellcheck shell=bash
# Database helpers for bash test scripts. Source it, don't run it:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../pg/lib.sh"   # path relative to the test
#   pg_start                  # throwaway PostgreSQL 15; PG* variables exported
#   pg_new_db app             # CREATE DATABASE app + Supabase compatibility layer
#   psql -X -v ON_ERROR_STOP=1 -d app -f out/migrations/001_extensions.sql
#   "$HQC_PG_LIB_DIR/catalog.sh" app > "$tmp/catalog.txt"
#
#   pglite_start              # PGlite (PostgreSQL 18 in WASM, with pgvector)
#   pg_load_compat            # compatibility layer into its single database
#
# Everything started here is stopped when the script exits, however it exits
# (one EXIT trap; INT/TERM/HUP exit through it; after a kill -9 a background
# watcher notices within a second). A script that needs its own
# cleanup registers it with hq_on_exit instead of setting another EXIT trap,
# which would replace this one. Cleanups run in reverse order of registration.
#
# pg_start and pglite_start both export PGHOST/PGPORT/...; when a script uses
# both, the later call wins: re-source "$HQC_PG_DIR/env" or
# "$HQC_PGLITE_DIR/env" to switch.

HQC_PG_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# Sourcing this file a second time keeps what is already registered.
if ! declare -p _hq_cleanups >/dev/null 2>&1; then _hq_cleanups=(); fi
_hq_trap_set=${_hq_trap_set:-}

# hq_on_exit CMD [ARGS...]: run CMD ARGS at exit (before earlier registrations).
hq_on_exit() {
	_hq_install_trap
	_hq_cleanups+=("$(printf '%q ' "$@")")
}

_hq_run_cleanups() {
	local rc=$? i
	trap - EXIT INT TERM HUP
	for ((i = ${#_hq_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_hq_cleanups[i]}" ||
			printf 'lib.sh: cleanup failed: %s\n' "${_hq_cleanups[i]}" >&2
	done
	_hq_cleanups=()
	exit "$rc"
}

_hq_install_trap() {
	[[ -z $_hq_trap_set ]] || return 0
	trap _hq_run_cleanups EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	_hq_trap_set=1
}

# _hq_watch CMD [ARGS...]: also run CMD ARGS should this shell die without
# running its EXIT trap (kill -9, a CI time-out): a small background watcher
# polls the shell's pid. At a normal exit the trap stops the watcher first.
_hq_watch() {
	local target=$$
	(
		while kill -0 "$target" 2>/dev/null; do sleep 1; done
		"$@"
	) </dev/null >/dev/null 2>&1 &
	hq_on_exit _hq_stop_watch "$!"
}

_hq_stop_watch() {
	kill "$1" 2>/dev/null || true
}

# pg_start: start a throwaway cluster (tests/pg/cluster.sh) in a new temporary
# directory and export its connection settings (PGHOST, PGPORT, PGUSER=postgres,
# PGDATABASE=postgres, PGPASSWORD, HQC_PG_DIR, HQC_PG_TCP_URL).
pg_start() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/hqc-pg.XXXXXX") || return 1
	# Registered first: a start that fails half-way is cleaned up too.
	hq_on_exit "$HQC_PG_LIB_DIR/cluster.sh" stop "$dir"
	_hq_watch "$HQC_PG_LIB_DIR/cluster.sh" stop "$dir"
	"$HQC_PG_LIB_DIR/cluster.sh" start "$dir" >/dev/null || return 1
	# shellcheck source=/dev/null
	. "$dir/env"
}

# pg_load_compat [DB [PSQL OPTIONS...]]: load tests/pg/supabase_compat.sql into
# DB (default: $PGDATABASE), e.g. pg_load_compat app -v supabase_platform_grants=on
pg_load_compat() {
	local db=${1:-${PGDATABASE:-postgres}}
	(( $# == 0 )) || shift
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@" \
		-f "$HQC_PG_LIB_DIR/supabase_compat.sql" >/dev/null
}

# pg_new_db NAME [PSQL OPTIONS...]: create database NAME (it gets pg_cron from
# the cluster's template1) and load the Supabase compatibility layer into it.
pg_new_db() {
	local name=${1:?usage: pg_new_db NAME [psql options...]}
	shift
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -v db="$name" <<<'CREATE DATABASE :"db";' || return 1
	pg_load_compat "$name" "$@"
}

# pg_apply DIR DB LOG: apply DIR/*.sql to DB in file-name order, one psql per
# file (as migrations are run), their NOTICEs into LOG. On an error: prints the
# file and the end of LOG, returns 1.
pg_apply() {
	local f
	: >"$3"
	for f in "$1"/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$f" 2>>"$3" ||
			{ echo "FAILED: ${f##*/} does not apply to $2"; tail -20 "$3"; return 1; }
	done
}

# pglite_start: start a PGlite server (tests/pglite/start.sh, in-memory, with
# pgvector and pgcrypto loadable) and export its connection settings.
# PGlite has one database and one shared session; it has no pg_cron.
pglite_start() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/hqc-pglite.XXXXXX") || return 1
	hq_on_exit "$HQC_PG_LIB_DIR/../pglite/stop.sh" "$dir"
	_hq_watch "$HQC_PG_LIB_DIR/../pglite/stop.sh" "$dir"
	# The server watches this shell too, and exits with it.
	HQC_PGLITE_WATCH_PID=$$ "$HQC_PG_LIB_DIR/../pglite/start.sh" "$dir" >/dev/null || return 1
	# shellcheck source=/dev/null
	. "$dir/env"
}
