#!/usr/bin/env bash
# Install benchmark: on a throwaway PostgreSQL 15 cluster, in one run:
#   baseline     restoring `pg_dump --schema-only` of a fresh install (the
#                project schema, as psql applies it) into a new database;
#   fresh        every file of out/migrations applied to a new database;
#   no-op        the same files applied again to that database.
# Each figure is the median of $HQ_BENCH_RUNS runs (default 5), each on a new
# database, in two ways:
#   per-file     one `psql -f` per file, as a deployment applies them
#                (includes a psql start-up and connection per file; the
#                baseline is one file, so its per-file time is its one-session
#                time)
#   one session  a single psql running every file (-f F1 -f F2 ...)
# Wall-clock milliseconds and the server's CPU milliseconds of the session
# (one session only: read from /proc by the backend itself). Targets (issue
# 11): fresh <= 1.0 x baseline, no-op <= 0.3 x fresh. The exit status is 1
# only when an application fails; the ratios are reported, not enforced.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/pg/lib.sh
runs=${HQ_BENCH_RUNS:-5}
files=(out/migrations/*.sql)
pg_start
tmp=$(mktemp -d)
hq_on_exit rm -rf "$tmp"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# A psql script running FILEs (absolute paths) between two readings of the
# backend's CPU time (user + system), which it prints as "hq_cpu MS".
cpu_wrap() { # OUT FILE...
	local out=$1 f
	shift
	{
		echo "SELECT (string_to_array(pg_read_file('/proc/self/stat'), ' '))[14]::bigint"
		echo "     + (string_to_array(pg_read_file('/proc/self/stat'), ' '))[15]::bigint AS hq_t0 \\gset"
		for f in "$@"; do echo "\\i $f"; done
		echo "SELECT ((string_to_array(pg_read_file('/proc/self/stat'), ' '))[14]::bigint"
		echo "      + (string_to_array(pg_read_file('/proc/self/stat'), ' '))[15]::bigint - :hq_t0)"
		echo "       * 1000 / $(getconf CLK_TCK) AS hq_cpu \\gset"
		echo "\\echo hq_cpu :hq_cpu"
	} >"$out"
}
cpu_wrap "$tmp/all.sql" "${files[@]/#/$PWD/}"
one_session() { # DB SQL-FILE -> "wall cpu"
	local t0 out
	t0=$(now_ms)
	out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" 2>"$tmp/err") ||
		{ echo "install_bench: $2 failed on database $1:" >&2; tail -5 "$tmp/err" >&2; return 1; }
	echo "$(($(now_ms) - t0)) $(sed -n 's/^hq_cpu //p' <<<"$out")"
}
per_file() { # DB -> wall
	local f t0
	t0=$(now_ms)
	for f in "${files[@]}"; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$f" >/dev/null 2>&1 ||
			{ echo "install_bench: $f failed on database $1" >&2; return 1; }
	done
	echo $(($(now_ms) - t0))
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The baseline: the schema of a fresh install as pg_dump writes it (the
# project's schema; the platform's own schemas exist already in the target).
pg_new_db bench_src
one_session bench_src "$tmp/all.sql" >/dev/null
pg_dump -s -n public -d bench_src |
	grep -v -e '^\\restrict' -e '^\\unrestrict' -e '^CREATE SCHEMA public;' -e '^ALTER SCHEMA public OWNER' \
		-e '^COMMENT ON SCHEMA public' >"$tmp/dump.sql"
cpu_wrap "$tmp/restore.sql" "$tmp/dump.sql"

bw=() bc=() fw=() fc=() nw=() nc=() pf=() pn=()
for ((i = 1; i <= runs; i++)); do
	pg_new_db "base_$i"
	pg_new_db "os_$i"
	pg_new_db "pf_$i"
	read -r w c < <(one_session "base_$i" "$tmp/restore.sql"); bw+=("$w"); bc+=("$c")
	read -r w c < <(one_session "os_$i" "$tmp/all.sql"); fw+=("$w"); fc+=("$c")
	read -r w c < <(one_session "os_$i" "$tmp/all.sql"); nw+=("$w"); nc+=("$c")
	pf+=("$(per_file "pf_$i")")
	pn+=("$(per_file "pf_$i")")
	printf 'run %d: baseline %5d ms; one session fresh %5d, no-op %5d; per file fresh %5d, no-op %5d\n' \
		"$i" "${bw[-1]}" "${fw[-1]}" "${nw[-1]}" "${pf[-1]}" "${pn[-1]}"
done

server=$(psql -X -A -t -c 'SHOW server_version' | cut -d' ' -f1)
printf 'install of %d files on PostgreSQL %s, median of %d runs (wall ms; server CPU ms in brackets):\n' \
	"${#files[@]}" "$server" "$runs"
awk -v bw="$(median "${bw[@]}")" -v bc="$(median "${bc[@]}")" \
	-v fw="$(median "${fw[@]}")" -v fc="$(median "${fc[@]}")" \
	-v nw="$(median "${nw[@]}")" -v nc="$(median "${nc[@]}")" \
	-v pf="$(median "${pf[@]}")" -v pn="$(median "${pn[@]}")" 'BEGIN {
	printf "  baseline (pg_dump -s restore)  %6d  [%5d]\n", bw, bc
	printf "  one session   fresh            %6d  [%5d]   %.2f x baseline (target <= 1.00: %s)\n", fw, fc, fw / bw, fw / bw <= 1.0 ? "met" : "NOT met"
	printf "  one session   no-op            %6d  [%5d]   %.2f x fresh    (target <= 0.30: %s)\n", nw, nc, nw / fw, nw / fw <= 0.3 ? "met" : "NOT met"
	printf "  per file      fresh            %6d           %.2f x baseline\n", pf, pf / bw
	printf "  per file      no-op            %6d           %.2f x fresh\n", pn, pn / pf
	printf "  server CPU: fresh %.2f x baseline, no-op %.2f x fresh\n", fc / bc, nc / fc
}'
