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
# (one EXIT trap; INT/TERM/HUP exit through it). A script that needs its own
# cleanup registers it with hq_on_exit instead of setting another EXIT trap,
# which would replace this one. Cleanups run in reverse order of registration.
#
# pg_start and pglite_start both export PGHOST/PGPORT/...; when a script uses
# both, the later call wins: re-source "$HQC_PG_DIR/env" or
# "$HQC_PGLITE_DIR/env" to switch.

HQC_PG_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

_hq_cleanups=()
_hq_trap_set=

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

# pg_start: start a throwaway cluster (tests/pg/cluster.sh) in a new temporary
# directory and export its connection settings (PGHOST, PGPORT, PGUSER=postgres,
# PGDATABASE=postgres, PGPASSWORD, HQC_PG_DIR, HQC_PG_TCP_URL).
pg_start() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/hqc-pg.XXXXXX") || return 1
	# Registered first: a start that fails half-way is cleaned up too.
	hq_on_exit "$HQC_PG_LIB_DIR/cluster.sh" stop "$dir"
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

# pglite_start: start a PGlite server (tests/pglite/start.sh, in-memory, with
# pgvector and pgcrypto loadable) and export its connection settings.
# PGlite has one database and one shared session; it has no pg_cron.
pglite_start() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/hqc-pglite.XXXXXX") || return 1
	hq_on_exit "$HQC_PG_LIB_DIR/../pglite/stop.sh" "$dir"
	# The server also watches this shell and exits with it, should the trap
	# never run (kill -9).
	HQC_PGLITE_WATCH_PID=$$ "$HQC_PG_LIB_DIR/../pglite/start.sh" "$dir" >/dev/null || return 1
	# shellcheck source=/dev/null
	. "$dir/env"
}
