#!/usr/bin/env bash
# Start a throwaway PGlite server (PostgreSQL in WASM, with pgvector) for hqc
# tests: an in-memory database served over the PostgreSQL wire protocol.
#
#   tests/pglite/start.sh DIR [--unix]
#
# DIR is an empty directory the caller made; it receives the server log, its
# pid and DIR/env (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE exports, also
# printed on stdout). The server listens on 127.0.0.1 at a free port chosen by
# the kernel, or with --unix on the socket DIR/.s.PGSQL.5432 only.
# Stop it with tests/pglite/stop.sh DIR.
#
# The server exits by itself when the process that ran start.sh exits (so a
# crashed test leaves nothing behind); set HQC_PGLITE_WATCH_PID to another
# pid to watch, or to 0 to keep it running (e.g. when started from a make
# recipe line).
#
# The npm dependencies are installed into tests/pglite/node_modules with
# `npm ci` (from package-lock.json) the first time.
#
# Remember: all connections share one PGlite session (a SET in one is seen by
# the next), and there is no pg_cron.
set -euo pipefail

prog=${0##*/}
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

unix=
case $# in
1) ;;
2) [[ $2 == --unix ]] || die "unknown option $2"; unix=1 ;;
*) printf 'usage: %s DIR [--unix]\n' "$prog" >&2; exit 2 ;;
esac
[[ -d $1 ]] || die "$1 is not a directory (the caller creates it, e.g. with mktemp -d)"
dir=$(cd "$1" && pwd -P)
[[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
command -v node >/dev/null || die "node is not installed"

touch "$dir/.hqc-pglite"   # lets stop.sh know that DIR is ours to delete

# Install the dependencies when missing or older than package-lock.json.
# Parallel tests serialize on a lock of this directory, so that two `npm ci`
# never write the same node_modules.
stale() {
	[[ ! -f $here/node_modules/.package-lock.json ||
		$here/package-lock.json -nt $here/node_modules/.package-lock.json ]]
}
if stale; then
	# shellcheck disable=SC2094 # fd 9 only holds the lock; nothing reads $here
	(
		flock -w 300 9 || die "timed out waiting for the npm install lock on $here"
		if stale; then
			printf '%s: installing npm dependencies into %s\n' "$prog" "$here/node_modules" >&2
			if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >"$dir/npm.log" 2>&1; then
				cat "$dir/npm.log" >&2
				die "npm ci failed"
			fi
		fi
	) 9<"$here"
fi

args=(--ready-file "$dir/ready")
watch=${HQC_PGLITE_WATCH_PID:-$PPID}
if [[ $watch != 0 ]]; then args+=(--parent-pid "$watch"); fi
if [[ -n $unix ]]; then
	args+=(--path "$dir/.s.PGSQL.5432")
else
	args+=(--host 127.0.0.1 --port 0)
fi

# Detached from our stdio, so that a pipe reading the test's output does not
# wait for the server.
node "$here/server.mjs" "${args[@]}" </dev/null >"$dir/server.log" 2>&1 &
pid=$!
printf '%s\n' "$pid" >"$dir/pid"

# Loading the WASM module takes a few seconds.
for ((i = 0; i < 600; i++)); do
	[[ -f $dir/ready ]] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		cat "$dir/server.log" >&2
		die "the PGlite server exited during startup"
	fi
	sleep 0.1
done
if [[ ! -f $dir/ready ]]; then
	cat "$dir/server.log" >&2
	kill "$pid" 2>/dev/null || true
	die "the PGlite server did not start within 60 seconds"
fi

if [[ -n $unix ]]; then
	host=$dir port=5432
else
	host=127.0.0.1 port=$(<"$dir/ready")
fi
if ! PGSSLMODE=disable pg_isready -q -h "$host" -p "$port" -d postgres -U postgres -t 10; then
	cat "$dir/server.log" >&2
	kill "$pid" 2>/dev/null || true
	die "the PGlite server does not accept connections"
fi

{
	printf '# hqc PGlite server: source this file to talk to it with psql/libpq.\n'
	printf 'export PGHOST=%q\n' "$host"
	printf 'export PGPORT=%q\n' "$port"
	printf 'export PGUSER=postgres\n'
	printf 'export PGDATABASE=postgres\n'
	printf 'export PGSSLMODE=disable\n'
	printf 'export HQC_PGLITE_DIR=%q\n' "$dir"
	printf 'unset PGHOSTADDR PGSERVICE PGOPTIONS PGPASSFILE\n'
} >"$dir/env"
cat "$dir/env"
