#!/usr/bin/env bash
# Print the normalized catalog snapshot of one database (see catalog.sql).
#
#   tests/pg/catalog.sh DBNAME [psql options...] > snapshot.txt
#
# Connection settings come from the usual libpq environment (source the env
# file of tests/pg/cluster.sh or tests/pglite/start.sh first). Extra options
# go to psql, e.g. -v columns_by_name=1.
set -euo pipefail

if (( $# < 1 )); then
	printf 'usage: %s DBNAME [psql options...]\n' "${0##*/}" >&2
	exit 2
fi
db=$1
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGCLIENTENCODING=UTF8 exec psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" "$@" -f "$here/catalog.sql"
