#!/usr/bin/env bash
# Fleet benchmark: the HQ schema onto many databases of one throwaway
# PostgreSQL 15 cluster, `hqc apply -j 8` against what HQ's provisioning does
# (every migration file, in order, one `psql -f` per file, one database after
# the other), measured in the same run:
#   fresh     empty databases (template with the Supabase layer): psql loop
#             vs hqc apply; target: hqc >= 3x faster
#   no-op     the same databases again: hqc apply of the whole fleet, target
#             <= 2 s (it skips every unit: two round trips per database); the
#             psql loop re-runs every file
#   memory    peak RSS of hqc apply over the fleet (target < 64 MB)
#   latency   the same on $HQ_BENCH_PROXY_DBS databases through bench/delay_proxy
#             (HQ_BENCH_DELAY_MS each way, default 1: +2 ms per round trip)
# hqc always runs on the whole fleet. The psql loop is sequential, so its time
# is linear in the number of databases: it runs on the first
# $HQ_BENCH_BASELINE_DBS (default 5; 3 through the proxy) and is scaled to
# the fleet, which keeps the benchmark to about ten minutes on a small machine.
# The no-op figure is set against its floor, measured in the same run:
# bench/connect_floor.c opening and closing one connection per database with
# the same number of threads, no query at all.
# HQ_BENCH_DBS (default 200) and HQ_BENCH_JOBS (default 8) change the size.
# Exit status 1 only when something could not run (targets are reported).
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/pg/lib.sh
n=${HQ_BENCH_DBS:-200}
jobs=${HQ_BENCH_JOBS:-8}
n_base=${HQ_BENCH_BASELINE_DBS:-5}
n_proxy=${HQ_BENCH_PROXY_DBS:-20}
delay=${HQ_BENCH_DELAY_MS:-1}
((n_base <= n)) || n_base=$n
n_pbase=$((3 < n_proxy ? 3 : n_proxy))
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
cc -std=c11 -O2 -Wall -Wextra bench/delay_proxy.c -o "$tmp/delay_proxy"
cc -std=c11 -O2 -Wall -Wextra -pthread -I"$(pg_config --includedir)" bench/connect_floor.c -o "$tmp/connect_floor" -lpq
files=(out/migrations/*.sql)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }

pg_start
pg_new_db tpl
# prefix COUNT: create prefix001..prefixCOUNT from tpl, four sessions at once.
make_dbs() {
	local k i pids=()
	for k in 0 1 2 3; do
		for ((i = k + 1; i <= $2; i += 4)); do printf 'CREATE DATABASE %s%03d TEMPLATE tpl STRATEGY = FILE_COPY;\n' "$1" "$i"; done |
			psql -X -q -v ON_ERROR_STOP=1 -d postgres &
		pids+=($!)
	done
	wait "${pids[@]}"
}
# psql_loop PREFIX COUNT [psql connection options]: every file into every database.
psql_loop() {
	local prefix=$1 count=$2 i f
	shift 2
	for ((i = 1; i <= count; i++)); do
		for f in "${files[@]}"; do
			psql -X -q -v ON_ERROR_STOP=1 "$@" -d "$(printf '%s%03d' "$prefix" "$i")" -f "$f" >/dev/null 2>&1 ||
				{ echo "fleet_bench: $f failed on $prefix$i" >&2; return 1; }
		done
	done
}
# hqc_apply FLEET-FILE: hqc apply -j N; prints "elapsed_ms peak_rss_kb".
hqc_apply() {
	local t0 t1 rss
	t0=$(now_ms)
	/usr/bin/time -f %M -o "$tmp/rss" ./hqc apply --no-progress -j "$jobs" --fleet "$1" schema >"$tmp/apply.out" 2>&1 ||
		{ echo "fleet_bench: hqc apply failed:" >&2; tail -20 "$tmp/apply.out" >&2; return 1; }
	t1=$(now_ms)
	rss=$(tail -n 1 "$tmp/rss")
	echo "$((t1 - t0)) $rss"
}
fleet_file() { # PREFIX COUNT [CONNINFO-PREFIX] > file
	local i
	for ((i = 1; i <= $2; i++)); do printf '%sdbname=%s%03d\n' "${3:-}" "$1" "$i"; done
}

echo "creating $((n + n_base + n_proxy + n_pbase)) databases"
make_dbs h "$n"
make_dbs p "$n_base"
make_dbs hx "$n_proxy"
make_dbs px "$n_pbase"
fleet_file h "$n" >"$tmp/h.txt"
server=$(psql -X -A -t -c 'SHOW server_version' | cut -d' ' -f1)

echo "local: fresh install, psql loop over $n_base databases"
t0=$(now_ms); psql_loop p "$n_base"; psql_fresh=$(( ($(now_ms) - t0) * n / n_base ))
echo "local: fresh install, hqc apply -j $jobs"
hqc_apply "$tmp/h.txt" >"$tmp/res"; read -r hqc_fresh rss_fresh <"$tmp/res"
echo "local: no-op, hqc apply -j $jobs"
hqc_apply "$tmp/h.txt" >"$tmp/res"; read -r hqc_noop rss_noop <"$tmp/res"
grep -q "summary: $n databases: $n ok (0 changed, $n already up to date)" "$tmp/apply.out" ||
	{ echo "fleet_bench: the no-op apply was not a no-op:" >&2; tail -3 "$tmp/apply.out" >&2; exit 1; }
echo "local: connection floor"
floor=$("$tmp/connect_floor" "$jobs" "$tmp/h.txt")
echo "local: no-op, psql loop over $n_base databases"
t0=$(now_ms); psql_loop p "$n_base"; psql_noop=$(( ($(now_ms) - t0) * n / n_base ))

echo "through the delay proxy ($delay ms each way)"
"$tmp/delay_proxy" "$delay" 127.0.0.1 "$PGPORT" "$tmp/proxy.port" & proxy=$!
hq_on_exit kill "$proxy"
for _ in $(seq 50); do [ -s "$tmp/proxy.port" ] && break; sleep 0.1; done
pport=$(cat "$tmp/proxy.port")
rtt() { # PORT -> average ms of a SELECT 1 round trip over TCP
	{ echo '\timing on'; for _ in $(seq 20); do echo 'SELECT 1;'; done; } |
		psql -X -q -h 127.0.0.1 -p "$1" -d postgres | awk '/^Time:/ { s += $2; n++ } END { printf "%.2f", s / n }'
}
rtt_direct=$(rtt "$PGPORT")
rtt_proxy=$(rtt "$pport")
fleet_file hx "$n_proxy" "host=127.0.0.1 port=$pport " >"$tmp/hx.txt"
t0=$(now_ms); psql_loop px "$n_pbase" -h 127.0.0.1 -p "$pport"; proxy_psql_fresh=$(( ($(now_ms) - t0) * n_proxy / n_pbase ))
hqc_apply "$tmp/hx.txt" >"$tmp/res"; read -r proxy_hqc_fresh _ <"$tmp/res"
hqc_apply "$tmp/hx.txt" >"$tmp/res"; read -r proxy_hqc_noop _ <"$tmp/res"
t0=$(now_ms); psql_loop px "$n_pbase" -h 127.0.0.1 -p "$pport"; proxy_psql_noop=$(( ($(now_ms) - t0) * n_proxy / n_pbase ))

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }
echo
printf 'fleet of %d databases, HQ schema (%d units), PostgreSQL %s, hqc apply -j %d, local socket:\n' \
	"$n" "${#files[@]}" "$server" "$jobs"
printf '  fresh install   psql per-file loop %10s   hqc apply %9s   hqc %s faster (target >= 3x: %s)\n' \
	"$(secs "$psql_fresh")" "$(secs "$hqc_fresh")" "$(ratio "$psql_fresh" "$hqc_fresh")" "$(met "$psql_fresh >= 3 * $hqc_fresh")"
printf '  no-op re-apply  psql per-file loop %10s   hqc apply %9s   hqc %s faster (target <= 2 s: %s)\n' \
	"$(secs "$psql_noop")" "$(secs "$hqc_noop")" "$(ratio "$psql_noop" "$hqc_noop")" "$(met "$hqc_noop <= 2000")"
printf '                  (only connecting to and disconnecting from each database: %s)\n' "$(secs "$floor")"
printf '                  (psql loop timed on %d databases, scaled to %d; hqc no-op / fresh: %s)\n' "$n_base" "$n" \
	"$(awk -v a="$hqc_noop" -v b="$hqc_fresh" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
printf '  peak RSS of hqc apply: fresh %.1f MB, no-op %.1f MB (target < 64 MB: %s)\n' \
	"$(awk -v k="$rss_fresh" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rss_noop" 'BEGIN { print k / 1024 }')" \
	"$(met "$rss_fresh < 65536 && $rss_noop < 65536")"
printf 'through bench/delay_proxy, %d databases over TCP (round trip %s ms direct, %s ms through the proxy;\n' \
	"$n_proxy" "$rtt_direct" "$rtt_proxy"
printf '  psql loop timed on %d databases, scaled):\n' "$n_pbase"
printf '  fresh install   psql per-file loop %10s   hqc apply %9s   hqc %s faster\n' \
	"$(secs "$proxy_psql_fresh")" "$(secs "$proxy_hqc_fresh")" "$(ratio "$proxy_psql_fresh" "$proxy_hqc_fresh")"
printf '  no-op re-apply  psql per-file loop %10s   hqc apply %9s   hqc %s faster\n' \
	"$(secs "$proxy_psql_noop")" "$(secs "$proxy_hqc_noop")" "$(ratio "$proxy_psql_noop" "$proxy_hqc_noop")"
