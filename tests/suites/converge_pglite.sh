#!/usr/bin/env bash
# The "drifted" foreign fixture database of converge_fixture.sh on PGlite
# (PostgreSQL 18 in WASM, with pgvector, without pg_cron): the hand-written
# shop of tests/cases/foreign/fixture_current.sql with the drift of
# fixture_drifted.sql (same names with other definitions, broader and narrower
# privileges, RLS flags, replica identity, publication membership, defaults,
# nullability, comments) must reach the catalog of a fresh install on a second
# PGlite server once the fixture's migrations ran, except the grants of the
# role `reporting`, which the schema does not name; and a second run must
# change nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
if ! command -v node >/dev/null; then
	echo "skip: node is not installed (PGlite needs it)"
	exit 0
fi
. tests/pg/lib.sh
. tests/pg/converge.sh
tmp=$cv_tmp
"$hqc" build -o "$tmp/out" tests/cases/fixture/schema >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }

# B: a fresh install.
pglite_start
env_b=$HQC_PGLITE_DIR/env
pg_load_compat
cv_apply postgres "$tmp/out/migrations" "$tmp/fresh.log"
cv_catalog postgres "$tmp/fresh.txt"

# A: the foreign database, then the migrations twice.
pglite_start
pg_load_compat
psql -X -q -v ON_ERROR_STOP=1 -f tests/cases/foreign/fixture_current.sql -f tests/cases/foreign/fixture_drifted.sql >/dev/null
cv_catalog postgres "$tmp/before.txt"
n=$(diff "$tmp/fresh.txt" "$tmp/before.txt" | grep -c '^[<>]' || true)
[ "$n" -ge 20 ] && cv_ok "drifted (PGlite): differs from a fresh install in $n facts" || cv_fail "drifted (PGlite): differs in only $n facts"
if cv_apply postgres "$tmp/out/migrations" "$tmp/run1.log"; then
	cv_catalog postgres "$tmp/after1.txt"
	cat >"$tmp/leftovers" <<'LEFT'
+~ ^acl .* to reporting: 
+~ ^default_acl .* to reporting: 
LEFT
	cv_compare "drifted (PGlite)" "$tmp/fresh.txt" "$tmp/after1.txt" "$tmp/leftovers" || true
	cv_apply postgres "$tmp/out/migrations" "$tmp/run2.log" &&
		cv_catalog postgres "$tmp/after2.txt" &&
		if diff -u "$tmp/after1.txt" "$tmp/after2.txt" >"$tmp/rerun.diff"; then cv_ok "drifted (PGlite): second run changed nothing"
		else cv_fail "drifted (PGlite): the second run changed the catalog:"; head -n 20 "$tmp/rerun.diff"; fi
fi
# shellcheck source=/dev/null
. "$env_b"
exit $cv_rc
