#!/usr/bin/env bash
# C API benchmark (bench/capi_bench.c): on a throwaway PostgreSQL 15 with out/migrations applied,
# the generated single-row insert and get against a hand-written libpq loop running the same
# prepared statements (target ratio >= 0.95), pipelined batch inserts against single-row inserts
# (target >= 5x) and the bytes the runtime allocates per fetched row (allocator hook). Ratios
# are measured in the same run. HQ_BENCH_ROWS (default 2000) and HQ_BENCH_ROUNDS (default 5)
# change the size. Exit status 1 only when the benchmark cannot run (targets are reported, not
# enforced).
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
build/bench/capi_bench "host=$PGHOST port=$PGPORT user=$PGUSER dbname=bench" \
	"${HQ_BENCH_ROWS:-2000}" "${HQ_BENCH_ROUNDS:-5}"
