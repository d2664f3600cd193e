#!/usr/bin/env bash
# Install benchmark: on a throwaway PostgreSQL 15 cluster, time the fresh
# install of all migrations (out/migrations/*.sql) into a new database and a
# second, no-op run of the same files on that database. Each figure is the
# median of $HQ_BENCH_RUNS runs (default 5; a new database for every fresh
# run). Two ways of applying are measured:
#   per-file     one `psql -f FILE` per module, as a deployment applies them
#                (includes 37 psql start-ups and connections)
#   one session  a single psql running every file (-f F1 -f F2 ...), which is
#                closer to the cost of the SQL itself
# Prints the medians and no-op / fresh; the target is a ratio below 0.5. The
# exit status is 1 only when an application fails (the ratio is reported,
# not enforced).
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/pg/lib.sh
runs=${HQ_BENCH_RUNS:-5}
files=(out/migrations/*.sql)
fargs=()
for f in "${files[@]}"; do fargs+=(-f "$f"); done
pg_start

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
apply_per_file() { # DB -> prints elapsed milliseconds
	local f t0
	t0=$(now_ms)
	for f in "${files[@]}"; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$f" >/dev/null 2>&1 ||
			{ echo "install_bench: $f failed on database $1" >&2; return 1; }
	done
	echo $(( $(now_ms) - t0 ))
}
apply_one_session() { # DB -> prints elapsed milliseconds
	local t0
	t0=$(now_ms)
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" "${fargs[@]}" >/dev/null 2>&1 ||
		{ echo "install_bench: applying the migrations in one session failed on database $1" >&2; return 1; }
	echo $(( $(now_ms) - t0 ))
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

pf_fresh=() pf_noop=() os_fresh=() os_noop=()
for ((i = 1; i <= runs; i++)); do
	pg_new_db "bench_pf_$i"
	pg_new_db "bench_os_$i"
	pf_fresh+=("$(apply_per_file "bench_pf_$i")")
	pf_noop+=("$(apply_per_file "bench_pf_$i")")
	os_fresh+=("$(apply_one_session "bench_os_$i")")
	os_noop+=("$(apply_one_session "bench_os_$i")")
	printf 'run %d: per-file fresh %5d ms, no-op %5d ms; one session fresh %5d ms, no-op %5d ms\n' \
		"$i" "${pf_fresh[-1]}" "${pf_noop[-1]}" "${os_fresh[-1]}" "${os_noop[-1]}"
done

server=$(psql -X -A -t -c 'SHOW server_version' | cut -d' ' -f1)
printf 'install of %d modules on PostgreSQL %s, median of %d runs (ms):\n' "${#files[@]}" "$server" "$runs"
printf '  %-12s %8s %8s %8s\n' mode fresh no-op ratio
report() {
	local mf mn
	mf=$(median "${@:2:runs}") mn=$(median "${@:runs+2:runs}")
	awk -v m="$1" -v n="$mn" -v f="$mf" 'BEGIN { r = n / f
		printf "  %-12s %8s %8s %8.2f  (target < 0.50: %s)\n", m, f, n, r, (r < 0.5) ? "met" : "NOT met" }'
}
report per-file "${pf_fresh[@]}" "${pf_noop[@]}"
report "one session" "${os_fresh[@]}" "${os_noop[@]}"
