#!/usr/bin/env bash
# Stop the PGlite server started by tests/pglite/start.sh DIR and remove DIR.
#
#   tests/pglite/stop.sh DIR
#
# Succeeds when DIR is already gone; refuses to delete a non-empty DIR that
# start.sh did not set up.
set -euo pipefail

prog=${0##*/}
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

(( $# == 1 )) || { printf 'usage: %s DIR\n' "$prog" >&2; exit 2; }
dir=$1
[[ -e $dir ]] || exit 0
[[ -d $dir ]] || die "$dir is not a directory"
if [[ ! -e $dir/.hqc-pglite ]]; then
	[[ -z $(ls -A "$dir") ]] || die "$dir was not made by start.sh; not removing it"
	rmdir "$dir"
	exit 0
fi

# Only ever signal the process recorded in DIR/pid, and only while it still is
# our server (pids get reused).
ours() {
	local cmdline
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
		cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) &&
		[[ $cmdline == *server.mjs* ]]
}
pid=
[[ -f $dir/pid ]] && pid=$(<"$dir/pid")
if ours; then
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		ours || break
		sleep 0.1
	done
	if ours; then
		printf '%s: server %s did not stop, killing it\n' "$prog" "$pid" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
fi
rm -rf "$dir"
