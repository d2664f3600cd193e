#!/usr/bin/env bash
# C API benchmark (bench/capi_bench.c): on a throwaway PostgreSQL 15 with out/migrations applied,
# the generated single-row insert and get against a hand-written libpq loop running the same
# prepared statements (target ratio >= 0.95), pipelined batch inserts against single-row inserts
# (target >= 5x) and the bytes the runtime allocates per fetched row (allocator hook). Ratios
# are measured in the same run. HQ_BENCH_ROWS (default 2000) and HQ_BENCH_ROUNDS (default 5)
# change the size. The run is repeated through bench/delay_proxy (HQ_BENCH_DELAY_MS each way,
# default 1: 2 ms more per round trip, what a hosted database adds), with HQ_BENCH_PROXY_ROWS
# (default 300) rows: the batch-insert target is judged there. Exit status 1 only when the
# benchmark cannot run (targets are reported, not enforced).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/bench/capi_bench
# shellcheck source=/dev/null
. tests/pg/lib.sh
pg_start
pg_new_db bench
log=$(mktemp)
hq_on_exit rm -f "$log"
for f in out/migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -d bench -f "$f" >>"$log" 2>&1 || { cat "$log"; exit 1; }
done
echo "local socket:"
build/bench/capi_bench "host=$PGHOST port=$PGPORT user=$PGUSER dbname=bench" \
	"${HQ_BENCH_ROWS:-2000}" "${HQ_BENCH_ROUNDS:-5}"

delay=${HQ_BENCH_DELAY_MS:-1}
cc -std=c11 -O2 -Wall -Wextra bench/delay_proxy.c -o "$log.proxy"
hq_on_exit rm -f "$log.proxy" "$log.port"
"$log.proxy" "$delay" 127.0.0.1 "$PGPORT" "$log.port" &
hq_on_exit kill "$!"
for _ in $(seq 50); do [ -s "$log.port" ] && break; sleep 0.1; done
echo "through bench/delay_proxy ($delay ms each way, TCP):"
build/bench/capi_bench "host=127.0.0.1 port=$(cat "$log.port") user=$PGUSER dbname=bench" \
	"${HQ_BENCH_PROXY_ROWS:-300}" "${HQ_BENCH_ROUNDS:-5}"
