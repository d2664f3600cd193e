#!/usr/bin/env bash
# Drift property test (issue 11), on PostgreSQL 15: starting from a fresh
# install (a copy of a template database), apply seeded random mutations
# generated from the live catalog (tests/cases/foreign/drift_candidates.sql:
# drop, redefine or add indexes, constraints, policies, triggers, views,
# overloads, cron jobs; grant and revoke table, column, function, schema and
# default privileges; change defaults, nullability, comments, RLS flags,
# replica identity, publication membership, function attributes and bodies),
# then apply the migrations (one psql -f per file): the catalog of the fresh
# install must come back exactly (schema hqc left out; row counts too).
# hqc drift must find the mutated database drifted (exit 1) without changing
# it, and the converged one clean (exit 0).
#
# Each case is one seed: it picks the database (HQ, schema/, for every eighth
# seed; otherwise the fixture, tests/cases/fixture/schema), and then
# mutations, a kind at random and a candidate of that kind at random, so rare
# kinds are drawn as often as common ones. Mutations that do not apply (one
# undid the object another needs) are skipped; a case must change the catalog.
#   HQ_DRIFT_CASES=N      number of cases (default 16; seeds SEED .. SEED+N-1)
#   HQ_DRIFT_SEED=S       first seed (default 1); a failing case prints its seed:
#                         HQ_DRIFT_SEED=S HQ_DRIFT_CASES=1 replays it
#   HQ_DRIFT_MUTATIONS=M  mutations per fixture case (default 12; HQ cases 5x),
#                         so the default run draws 288 mutations
#   HQ_DRIFT_KINDS=a,b    only these kinds (see the candidates file)
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
. tests/pg/lib.sh
. tests/pg/converge.sh
tmp=$cv_tmp
cases=${HQ_DRIFT_CASES:-16}
seed0=${HQ_DRIFT_SEED:-1}
per_case=${HQ_DRIFT_MUTATIONS:-12}
kinds=${HQ_DRIFT_KINDS:-}

kind_of() { if (($1 % 8 == 0)); then echo hq; else echo fx; fi; }
need_fx=0 need_hq=0
for ((s = seed0; s < seed0 + cases; s++)); do
	if [ "$(kind_of "$s")" = hq ]; then need_hq=1; else need_fx=1; fi
done

pg_start
# template DB MIGRATIONS: a fresh install, its catalog and its mutation candidates.
template() {
	local db=$1 migs=$2
	pg_new_db "$db"
	cv_apply "$db" "$migs" "$tmp/$db.log" || return 1
	cv_catalog "$db" "$tmp/$db.txt"
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" -v schema=public -f tests/cases/foreign/drift_candidates.sql >"$tmp/$db.cands"
	if [ -n "$kinds" ]; then
		awk -F'\t' -v k=",$kinds," 'index(k, "," $1 ",")' "$tmp/$db.cands" >"$tmp/$db.cands.sel"
		mv "$tmp/$db.cands.sel" "$tmp/$db.cands"
	fi
	echo "template $db: $(wc -l <"$tmp/$db.cands") candidate mutations of $(cut -f1 "$tmp/$db.cands" | sort -u | wc -l) kinds"
}
if ((need_fx)); then
	"$hqc" build -o "$tmp/fx_out" tests/cases/fixture/schema >/dev/null 2>&1
	template tpl_fx "$tmp/fx_out/migrations"
fi
((need_hq)) && template tpl_hq out/migrations

# Body change that keeps behaviour: a comment appended to the function's source.
helper=$(cat <<'SQL'
CREATE FUNCTION pg_temp.drift_body(p regprocedure) RETURNS void LANGUAGE plpgsql AS $h$
DECLARE d text := pg_catalog.pg_get_functiondef(p);
BEGIN
  EXECUTE pg_catalog.regexp_replace(d, '(\$[a-z_]*\$)\s*$', E'\n-- drift\n\\1');
END
$h$;
SQL
)

passed=0 failed=0 total_applied=0 total_skipped=0
for ((s = seed0; s < seed0 + cases; s++)); do
	k=$(kind_of "$s")
	n=$per_case; [ "$k" = hq ] && n=$((per_case * 5))
	db=drift_$s
	cv_clone "tpl_$k" "$db"
	# Pick: a kind at random, then one of its candidates at random.
	awk -F'\t' -v seed="$s" -v n="$n" '
		{ c[$1, ++cnt[$1]] = $0; if (cnt[$1] == 1) kinds[++nk] = $1 }
		END { srand(seed); for (i = 0; i < n; i++) { kd = kinds[int(rand() * nk) + 1]; print c[kd, int(rand() * cnt[kd]) + 1] } }' \
		"$tmp/tpl_$k.cands" >"$tmp/$db.picked"
	{
		echo "SET client_min_messages = warning;"
		echo "$helper"
		while IFS=$'\t' read -r kind stmt; do
			printf 'DO $drift_m$ BEGIN EXECUTE %s; RAISE WARNING %s; EXCEPTION WHEN OTHERS THEN RAISE WARNING %s, SQLERRM; END $drift_m$;\n' \
				"\$drift_q\$$stmt\$drift_q\$" "'drift applied: $kind'" "'drift skipped: $kind: %'"
		done <"$tmp/$db.picked"
	} | psql -X -q -v ON_ERROR_STOP=1 -d "$db" >"$tmp/$db.mutate.log" 2>&1 || { cv_fail "seed $s: the mutation script failed:"; tail -5 "$tmp/$db.mutate.log"; }
	applied=$(grep -c 'drift applied' "$tmp/$db.mutate.log" || true)
	skipped=$(grep -c 'drift skipped' "$tmp/$db.mutate.log" || true)
	total_applied=$((total_applied + applied)) total_skipped=$((total_skipped + skipped))
	cv_catalog "$db" "$tmp/$db.mutated.txt"
	ok=1
	if cmp -s "$tmp/tpl_$k.txt" "$tmp/$db.mutated.txt" && cmp -s "$tmp/tpl_$k.txt.rows" "$tmp/$db.mutated.txt.rows"; then
		echo "FAIL: seed $s ($k): the $applied applied mutations changed nothing in the catalog"; ok=0
	fi
	# hqc drift sees what the mutations did (exit 1) and changes nothing.
	schema_dir=tests/cases/fixture/schema; [ "$k" = hq ] && schema_dir=schema
	if [ $ok = 1 ]; then
		drc=0; "$hqc" drift "$schema_dir" "dbname=$db" >"$tmp/$db.drift" 2>&1 || drc=$?
		cv_catalog "$db" "$tmp/$db.drifted.txt"
		if [ $drc != 1 ]; then
			echo "FAIL: seed $s ($k): hqc drift on the mutated database: exit $drc (1 expected):"; head -n 12 "$tmp/$db.drift" | sed 's/^/    /'; ok=0
		elif ! cmp -s "$tmp/$db.mutated.txt" "$tmp/$db.drifted.txt"; then
			echo "FAIL: seed $s ($k): hqc drift changed the catalog"; ok=0
		fi
	fi
	if [ $ok = 1 ] && cv_apply "$db" "$( [ "$k" = hq ] && echo out/migrations || echo "$tmp/fx_out/migrations")" "$tmp/$db.apply.log" >"$tmp/$db.apply.out"; then
		cv_catalog "$db" "$tmp/$db.after.txt"
		if ! diff "$tmp/tpl_$k.txt" "$tmp/$db.after.txt" >"$tmp/$db.diff" || ! diff "$tmp/tpl_$k.txt.rows" "$tmp/$db.after.txt.rows" >>"$tmp/$db.diff"; then
			echo "FAIL: seed $s ($k): the fresh catalog did not come back ($(grep -c '^[<>]' "$tmp/$db.diff") facts differ; < fresh, > after):"
			grep '^[<>]' "$tmp/$db.diff" | head -n 12 | sed 's/^/    /'
			ok=0
		fi
		drc=0; "$hqc" drift "$schema_dir" "dbname=$db" >"$tmp/$db.drift2" 2>&1 || drc=$?
		if [ $drc != 0 ]; then
			echo "FAIL: seed $s ($k): hqc drift after the migrations: exit $drc (0 expected):"; head -n 12 "$tmp/$db.drift2" | sed 's/^/    /'; ok=0
		fi
	elif [ $ok = 1 ]; then
		echo "FAIL: seed $s ($k): the migrations do not apply to the mutated database:"; sed 's/^/    /' "$tmp/$db.apply.out"
		ok=0
	fi
	if [ $ok = 1 ]; then
		passed=$((passed + 1))
		echo "ok: seed $s ($k): $applied mutations undone ($(cut -f1 "$tmp/$db.picked" | sort -u | paste -sd, -))"
	else
		failed=$((failed + 1)) cv_rc=1
		echo "    mutations of seed $s (replay: HQ_DRIFT_SEED=$s HQ_DRIFT_CASES=1 bash $0):"
		grep -E 'drift (applied|skipped)' "$tmp/$db.mutate.log" | sed 's/.*WARNING: *//' | paste - <(cut -f2 "$tmp/$db.picked" | cut -c1-150) | head -n 40 | sed 's/^/      /'
	fi
done
echo "$passed of $cases cases converged; $total_applied mutations applied, $total_skipped skipped"
exit $cv_rc
