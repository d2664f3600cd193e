#!/usr/bin/env bash
# The lints against live catalogs (docs/lints.md): our own queries for the rules of Supabase's
# linter (tests/lint/live_lints.sql) run on fresh installs on the throwaway PostgreSQL 15.
#
#   * HQ (schema/): nothing above INFO but the declared exceptions, with the migrations' own
#     privileges and with the default privileges the Supabase platform adds in public;
#   * compile time and run time agree: for HQ and for the older HQ (examples/hq-v17, which has
#     findings of many rules), the findings `hqc check --format json` reports (declared
#     exceptions included) are the findings of the live queries, rule by rule;
#   * the queries have teeth: on hq-v17 they find what that release ships with.
#
# Findings the environment brings (the compatibility layer, pg_cron in template1) are measured
# on an empty database first and taken out.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
rc=0
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; rc=1; }

# Rules of Supabase's linter that hqc decides at compile time and the live queries implement.
# extension_in_public is left out of the comparison: the compatibility layer installs pgcrypto
# into schema extensions before any migration, so where it lands depends on the environment.
# multiple_permissive_policies names the table live and the policy at compile time.
shared='rls_disabled_in_public policy_exists_rls_disabled rls_enabled_no_policy rls_policy_always_true
auth_rls_initplan rls_references_user_metadata anon_security_definer_function_executable
authenticated_security_definer_function_executable function_search_path_mutable security_definer_view
no_primary_key unindexed_foreign_keys duplicate_index public_bucket_allows_listing'

live() { # DB -> rule|level|object lines, sorted, less the environment's
	psql -X -A -t -q -F '|' -f tests/lint/live_lints.sql "$1" | sort -u | comm -23 - "$tmp/env.txt"
}
# hqc check --format json SCHEMA -> rule|object|allowed lines
compiled() {
	"$hqc" check --format json "$1" 2>/dev/null |
		sed -n 's/^    {"rule": "\([a-z_]*\)".*"object": "\(\([^"\\]\|\\.\)*\)".*"allowed": \(true\|false\).*/\1|\2|\4/p' | sort -u
}
apply() { # OUT DB
	local f
	for f in "$1"/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$f" >/dev/null 2>>"$tmp/apply.log" ||
			{ fail "$f does not apply to $2"; tail -5 "$tmp/apply.log"; return 1; }
	done
}
# Compile-time findings of the shared rules = live findings (rule|object), both directions.
agree() { # NAME COMPILED LIVE
	local rule want got
	for rule in $shared; do
		want=$(grep "^$rule|" "$2" | cut -d'|' -f1,2 | sort -u || true)
		got=$(grep "^$rule|" "$3" | cut -d'|' -f1,3 | sort -u || true)
		if [ "$want" != "$got" ]; then
			fail "$1: $rule: compile time and live differ"
			diff <(echo "$want") <(echo "$got") | sed 's/^/    /' | head -20
		fi
	done
	[ $rc -ne 0 ] || ok "$1: compile time and the live queries agree on $(wc -l <"$3") findings"
}

"$hqc" build -o "$tmp/hq" schema 2>/dev/null
"$hqc" build -o "$tmp/v17" examples/hq-v17 2>/dev/null
compiled schema >"$tmp/hq_compiled.txt"
compiled examples/hq-v17 >"$tmp/v17_compiled.txt"
[ -s "$tmp/hq_compiled.txt" ] && [ -s "$tmp/v17_compiled.txt" ] || fail "hqc check --format json gave no findings"
if grep -q '|false$' "$tmp/hq_compiled.txt"; then
	fail "hqc check schema has findings that are not declared exceptions: $(grep '|false$' "$tmp/hq_compiled.txt")"
fi

pg_start >/dev/null
pg_new_db env >/dev/null
psql -X -A -t -q -F '|' -f tests/lint/live_lints.sql env | sort -u >"$tmp/env.txt"

# ---- HQ, fresh install: nothing above INFO but the declared exceptions
for mode in plain platform; do
	db=hq_$mode
	if [ $mode = platform ]; then pg_new_db $db -v supabase_platform_grants=on >/dev/null; else pg_new_db $db >/dev/null; fi
	apply "$tmp/hq" $db || continue
	live $db >"$tmp/$db.txt"
	bad=""
	while IFS='|' read -r rule level object; do
		[ "$level" = INFO ] && continue
		grep -qxF "$rule|$object|true" "$tmp/hq_compiled.txt" || bad+="    $rule $level $object"$'\n'
	done <"$tmp/$db.txt"
	if [ -z "$bad" ]; then
		ok "HQ ($mode privileges): $(grep -vc '|INFO|' "$tmp/$db.txt" || true) findings above INFO, each a declared exception"
	else
		fail "HQ ($mode privileges): findings above INFO that are not declared exceptions:"; printf '%s' "$bad"
	fi
done
agree "HQ" "$tmp/hq_compiled.txt" "$tmp/hq_plain.txt"

# ---- the older HQ: the queries find what it ships with, as the compiler does
pg_new_db v17 >/dev/null
apply "$tmp/v17" v17
live v17 >"$tmp/v17_live.txt"
for want in rls_policy_always_true:30 anon_security_definer_function_executable:5 \
	authenticated_security_definer_function_executable:5 function_search_path_mutable:2 unindexed_foreign_keys:12; do
	n=$(grep -c "^${want%%:*}|" "$tmp/v17_live.txt" || true)
	if [ "$n" = "${want##*:}" ]; then ok "hq-v17 live: $n ${want%%:*}"; else fail "hq-v17 live: ${want%%:*}: expected ${want##*:}, found $n"; fi
done
agree "hq-v17" "$tmp/v17_compiled.txt" "$tmp/v17_live.txt"

exit $rc
