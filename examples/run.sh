#!/usr/bin/env bash
# Runs the worked example (examples/quickstart.c) end to end: builds it, starts a throwaway
# PostgreSQL 15 (tests/pg/lib.sh; stopped again when this script exits), creates a database with
# the Supabase compatibility layer, applies out/migrations/*.sql in order and runs the program.
#   examples/run.sh            # from the repository root, after `make`
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/examples/quickstart
# shellcheck source=/dev/null
. tests/pg/lib.sh
pg_start
pg_new_db quickstart
log=$(mktemp)
hq_on_exit rm -f "$log"
for f in out/migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -d quickstart -f "$f" >>"$log" 2>&1 || { cat "$log"; exit 1; }
done
echo "applied $(ls out/migrations/*.sql | wc -l) migrations to a throwaway database"
build/examples/quickstart "host=$PGHOST port=$PGPORT user=$PGUSER dbname=quickstart"
