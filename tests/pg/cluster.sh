#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for hqc tests.
#
#   tests/pg/cluster.sh start DIR    create and start a fresh cluster in DIR
#                                    (an empty directory the caller made), then
#                                    print the connection settings as shell
#                                    exports on stdout and write them to DIR/env
#   tests/pg/cluster.sh stop DIR     stop the cluster and remove DIR
#   tests/pg/cluster.sh status DIR   exit 0 when the cluster in DIR accepts connections
#
# The server runs as an unprivileged OS user: the caller itself, or, when the
# caller is root, the system user $HQC_PG_OSUSER (default hqctest, created on
# first use). It listens on a Unix socket in DIR and on 127.0.0.1 at a random
# free port; the socket trusts local users (DIR is mode 0700), TCP needs the
# generated password that DIR/env exports as PGPASSWORD. The database superuser
# is "postgres".
#
# pg_cron is preloaded with cron.database_name = postgres. pg_cron only lets
# itself be created in that database, so at start the cluster's template1 is
# rebuilt with the extension already in it: every database made with a plain
# CREATE DATABASE then has a working cron schema (cron.schedule/unschedule
# record jobs in that database's cron.job) but only jobs of database
# "postgres" ever run. A database made WITH TEMPLATE template0 has no pg_cron.
#
# Environment knobs: HQC_PG_BINDIR (server binaries; default: PostgreSQL 15's,
# else the newest installed), HQC_PG_OSUSER (see above), HQC_PG_PORT (try this
# TCP port first instead of a random one).
set -euo pipefail

prog=${0##*/}
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$prog" "$*" >&2; }

# Nothing the caller has in its libpq environment may leak into our own psql
# and pg_ctl calls (a test that already talks to another cluster, say).
unset PGDATA PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE \
      PGSERVICE PGSERVICEFILE PGOPTIONS PGSSLMODE PGREQUIRESSL PGTARGETSESSIONATTRS \
      PGCONNECT_TIMEOUT PGAPPNAME PGCLIENTENCODING

marker=.hqc-pg-cluster   # proves that DIR is ours before `stop` deletes it

find_bindir() {
	if [[ -n ${HQC_PG_BINDIR:-} ]]; then
		[[ -x $HQC_PG_BINDIR/initdb ]] || die "HQC_PG_BINDIR=$HQC_PG_BINDIR has no initdb"
		printf '%s\n' "$HQC_PG_BINDIR"
		return
	fi
	local d best=
	if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
		best=/usr/lib/postgresql/15/bin
	else
		for d in /usr/lib/postgresql/*/bin; do
			[[ -x $d/initdb ]] || continue
			if [[ -z $best ]] || (( ${d//[^0-9]/} > ${best//[^0-9]/} )); then best=$d; fi
		done
	fi
	if [[ -z $best ]] && command -v pg_config >/dev/null; then
		best=$(pg_config --bindir)
	fi
	[[ -n $best && -x $best/initdb ]] ||
		die "no PostgreSQL server binaries found (install postgresql-15 or set HQC_PG_BINDIR)"
	printf '%s\n' "$best"
}

# The OS user that owns and runs the cluster.
pick_osuser() {
	if (( EUID != 0 )); then
		id -un
		return
	fi
	local u=${HQC_PG_OSUSER:-hqctest}
	[[ $u != root ]] || die "HQC_PG_OSUSER must not be root"
	if ! id "$u" >/dev/null 2>&1; then
		# Two test scripts may race here; the loser's useradd fails, which is fine
		# as long as the user exists afterwards.
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$u" >/dev/null 2>&1 || true
		id "$u" >/dev/null 2>&1 || die "cannot create system user $u"
	fi
	printf '%s\n' "$u"
}

# as_user CMD...: run CMD as the cluster's OS user, from a directory that user
# can read (the PostgreSQL tools fail when they cannot resolve the cwd).
as_user() {
	if (( EUID == 0 )); then
		(cd "$dir" && setpriv --reuid="$osuser" --regid="$osuser" --init-groups -- "$@")
	else
		(cd "$dir" && "$@")
	fi
}

# psql as the cluster superuser over the Unix socket.
su_psql() {
	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"
}

random_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
		# Skip ports that something already listens on (a best-effort check: the
		# start loop below retries when the bind still fails).
		if command -v ss >/dev/null && [[ -n $(ss -Hltn "sport = :$p" 2>/dev/null) ]]; then
			continue
		fi
		printf '%s\n' "$p"
		return
	done
	printf '%s\n' "$p"
}

show_log() {
	if [[ -s $dir/server.log ]]; then
		printf '%s: ---- last lines of %s ----\n' "$prog" "$dir/server.log" >&2
		tail -n 40 "$dir/server.log" >&2
		printf '%s: ----\n' "$prog" >&2
	fi
}

cmd_start() {
	[[ -d $dir ]] || die "start: $dir is not a directory (the caller creates it, e.g. with mktemp -d)"
	[[ -z $(ls -A "$dir") ]] || die "start: $dir is not empty"
	# Unix socket paths are limited to 107 bytes: DIR/.s.PGSQL.NNNNN must fit.
	(( ${#dir} + 15 <= 107 )) || die "start: path of $dir is too long for a Unix socket; use a shorter one"

	bindir=$(find_bindir)
	osuser=$(pick_osuser)
	touch "$dir/$marker"
	chmod 0700 "$dir"
	if (( EUID == 0 )); then
		chown "$osuser:" "$dir"
		as_user test -w "$dir" ||
			die "start: user $osuser cannot write to $dir (a parent directory is not searchable); use a directory under /tmp"
	fi

	local locale=C
	# (no grep -q: with pipefail, locale's SIGPIPE would fail the test)
	if locale -a 2>/dev/null | grep -ix 'c\.utf-\?8' >/dev/null; then locale=C.UTF-8; fi
	local pw
	pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	(umask 077 && printf '%s\n' "$pw" >"$dir/pwfile")
	(( EUID != 0 )) || chown "$osuser:" "$dir/pwfile"
	if ! as_user "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale="$locale" \
		--no-sync --no-instructions >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		die "start: initdb failed"
	fi
	rm -f "$dir/pwfile"

	# Later settings win over initdb's; everything here favours speed and
	# repeatability over durability.
	cat >>"$dir/data/postgresql.conf" <<-EOF

		# ---- hqc test cluster (tests/pg/cluster.sh) ----
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$dir'
		unix_socket_permissions = 0700
		shared_preload_libraries = 'pg_cron'
		cron.database_name = 'postgres'
		cron.use_background_workers = on   # jobs run in bgworkers, no libpq login needed
		cron.max_running_jobs = 4
		max_worker_processes = 16
		wal_level = logical                # as on Supabase: publications are real
		max_connections = 50
		max_locks_per_transaction = 256    # whole-schema migrations in one transaction
		shared_buffers = 64MB
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		checkpoint_timeout = 1h
		max_wal_size = 1GB
		autovacuum = off                   # no background statistics churn in tests
		jit = off
		timezone = 'UTC'
		log_timezone = 'UTC'
		datestyle = 'iso, mdy'
		lc_messages = 'C'
		log_line_prefix = '%m [%p] %q%u@%d '
		log_checkpoints = off
	EOF

	# The port is chosen at random; if something grabs it between the check and
	# the bind, try another one.
	local attempt ok=
	for attempt in 1 2 3 4 5; do
		if (( attempt == 1 )) && [[ -n ${HQC_PG_PORT:-} ]]; then
			port=$HQC_PG_PORT
		else
			port=$(random_port)
		fi
		if [[ -e $dir/server.log ]]; then : >"$dir/server.log"; fi
		if as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" \
			-w -t 60 start >"$dir/pg_ctl.log" 2>&1; then
			ok=1
			break
		fi
		if grep -Eq 'could not bind|could not create any TCP/IP sockets|Address already in use' \
			"$dir/server.log" 2>/dev/null; then
			note "port $port is taken, retrying (attempt $attempt)"
			continue
		fi
		break
	done
	if [[ -z $ok ]]; then
		cat "$dir/pg_ctl.log" >&2
		show_log
		stop_server
		die "start: the server did not start"
	fi

	# pg_ctl -w already waited for the postmaster; also make sure both the
	# socket and the TCP listener answer before handing the cluster out.
	local i
	for i in $(seq 1 100); do
		if "$bindir/pg_isready" -q -h "$dir" -p "$port" -d postgres -U postgres &&
			"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U postgres; then
			break
		fi
		if (( i == 100 )); then
			show_log
			stop_server
			die "start: server is not ready after 10 seconds"
		fi
		sleep 0.1
	done

	# pg_cron in "postgres" (where jobs run) and, through the
	# contrib_regression exception of its install script, in a new template1.
	if ! {
		su_psql -d postgres -c 'CREATE EXTENSION pg_cron' &&
		su_psql -d postgres -c 'CREATE DATABASE contrib_regression TEMPLATE template0' &&
		su_psql -d contrib_regression -c 'CREATE EXTENSION pg_cron' &&
		su_psql -d postgres \
			-c 'ALTER DATABASE template1 IS_TEMPLATE false' \
			-c 'DROP DATABASE template1 WITH (FORCE)' \
			-c 'ALTER DATABASE contrib_regression RENAME TO template1' \
			-c 'ALTER DATABASE template1 IS_TEMPLATE true'
	} 2>"$dir/setup.log"; then
		cat "$dir/setup.log" >&2
		show_log
		stop_server
		die "start: setting up pg_cron failed"
	fi

	{
		printf '# hqc test cluster: source this file to talk to it with psql/libpq.\n'
		printf 'export PGHOST=%q\n' "$dir"
		printf 'export PGPORT=%q\n' "$port"
		printf 'export PGUSER=postgres\n'
		printf 'export PGDATABASE=postgres\n'
		printf '# needed only over TCP (127.0.0.1); the Unix socket trusts local users\n'
		printf 'export PGPASSWORD=%q\n' "$pw"
		printf 'export PGCONNECT_TIMEOUT=10\n'
		printf 'export HQC_PG_DIR=%q\n' "$dir"
		printf 'export HQC_PG_TCP_URL=%q\n' "postgresql://postgres:$pw@127.0.0.1:$port/postgres"
		printf 'unset PGHOSTADDR PGSERVICE PGOPTIONS PGPASSFILE PGSSLMODE\n'
	} >"$dir/env"
	cat "$dir/env"
}

# Stop the postmaster of $dir if one is running: politely, then firmly.
stop_server() {
	local pidfile=$dir/data/postmaster.pid pid
	[[ -f $pidfile ]] || return 0
	pid=$(head -n 1 "$pidfile")
	if [[ -z ${osuser:-} ]]; then osuser=$(stat -c %U "$dir/data"); fi
	if [[ -z ${bindir:-} ]]; then bindir=$(find_bindir); fi
	as_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
		as_user "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 ||
		true
	# Last resort: the postmaster recorded in this cluster's own pid file.
	if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
		[[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$dir/data" ]]; then
		note "postmaster $pid did not stop, killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
}

cmd_stop() {
	[[ -e $dir ]] || return 0
	[[ -d $dir ]] || die "stop: $dir is not a directory"
	if [[ ! -e $dir/$marker ]]; then
		[[ -z $(ls -A "$dir") ]] || die "stop: $dir was not made by '$prog start'; not removing it"
		rmdir "$dir"
		return 0
	fi
	stop_server
	rm -rf "$dir"
}

cmd_status() {
	[[ -f $dir/env ]] || die "status: no cluster in $dir"
	port=$(sed -n 's/^export PGPORT=//p' "$dir/env")
	bindir=$(find_bindir)
	"$bindir/pg_isready" -h "$dir" -p "$port" -d postgres -U postgres
}

usage() {
	printf 'usage: %s start|stop|status DIR\n' "$prog" >&2
	exit 2
}

(( $# == 2 )) || usage
action=$1
# Absolute, symlink-free path: it goes into the server's config and into the
# /proc check above. `stop` must also work when DIR is already gone.
if [[ -d $2 ]]; then
	dir=$(cd "$2" && pwd -P)
else
	dir=$2
fi
bindir='' osuser='' port=''
case $action in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*) usage ;;
esac
