#!/usr/bin/env bash
# hqc apply and hqc status on single databases of a real PostgreSQL 15:
#   * apply on an empty database builds the catalog the migration files build
#     (psql -f per file), records every unit once in hqc.applied, exit 0;
#   * a second apply skips every unit and changes neither the catalog nor
#     the history; --force runs every unit again and changes nothing either;
#   * --dry-run lists what would run and writes nothing (not even schema hqc);
#   * two applies started together on one database: one waits for the other
#     and says so, then finds nothing to do; each unit is recorded once;
#   * status: at the compiled schema; a database built from the files says
#     "never recorded"; after a unit's SQL changed it says "changed", apply
#     runs that unit (and those after it) again;
#   * --format json is valid JSON with the documented fields;
#   * a unit runs with lock_timeout and statement_timeout from project.deploy
#     or the flags, and hqc.prune from --prune / --no-prune (a probe module
#     reports them as a WARNING, which the report shows).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
catalog() { tests/pg/catalog.sh "$1" >"$2"; }
same_catalog() { # WHAT A B
	if diff -u "$2" "$3" >"$tmp/catalog.diff"; then ok "$1 ($(wc -l <"$2") facts)"
	else fail "$1:"; head -40 "$tmp/catalog.diff"; fi
}
# expect_rc WHAT WANT CMD...: run CMD (output to $tmp/out, $tmp/err), check its exit status.
expect_rc() {
	local what=$1 want=$2 got=0
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" || got=$?
	if [ "$got" = "$want" ]; then ok "$what (exit $got)"
	else fail "$what: exit $got, expected $want"; cat "$tmp/out" "$tmp/err" | head -30; fi
}

"$hqc" build -o "$tmp/out_files" schema 2>/dev/null
n_units=$(ls "$tmp"/out_files/migrations/*.sql | wc -l)
pg_start
for db in files applied dry twice old probe; do pg_new_db "$db"; done

echo "files: psql -f per migration into database files"
for f in "$tmp"/out_files/migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -d files -f "$f" 2>>"$tmp/files.log" || { echo "FAIL: $f"; exit 1; }
done
catalog files "$tmp/files.txt"

echo "apply: to the empty database applied"
expect_rc "hqc apply on an empty database" 0 "$hqc" apply schema "dbname=applied"
grep -q "^ok .*/applied  applied $n_units units, skipped 0" "$tmp/out" &&
	ok "the report says $n_units units applied" || { fail "report of the first apply"; cat "$tmp/out"; }
catalog applied "$tmp/applied.txt"
same_catalog "hqc apply builds the catalog the migration files build" "$tmp/files.txt" "$tmp/applied.txt"
hist="SELECT count(*), count(DISTINCT unit), count(*) FILTER (WHERE outcome = 'ok'), count(DISTINCT hqc_version) FROM hqc.applied"
got=$(q applied "$hist")
[ "$got" = "$n_units|$n_units|$n_units|1" ] && ok "hqc.applied: one ok row per unit" || fail "hqc.applied after the first apply: $got"
got=$(q applied "SELECT count(*) FROM hqc.applied WHERE checksum !~ '^[0-9a-f]{64}\$' OR finished_at < started_at OR duration_ms IS NULL OR client IS NULL OR db_user <> 'postgres'")
[ "$got" = 0 ] && ok "hqc.applied rows: SHA-256, start/finish, duration, who ran it" || fail "$got incomplete hqc.applied rows"
# The recorded checksum is the SHA-256 of the migration file.
want=$(sha256sum "$tmp/out_files/migrations/014_agent_inbox.sql" | cut -d' ' -f1)
got=$(q applied "SELECT checksum FROM hqc.applied WHERE unit = '014_agent_inbox'")
[ "$got" = "$want" ] && ok "checksum of 014_agent_inbox = sha256sum of its file" || fail "checksum $got, sha256sum $want"

echo "apply: again (no-op)"
q applied "SELECT id, outcome, finished_at FROM hqc.applied ORDER BY id" >"$tmp/hist1.txt"
expect_rc "second hqc apply" 0 "$hqc" apply schema "dbname=applied"
grep -q "up to date ($n_units units skipped)" "$tmp/out" && ok "second apply: every unit skipped" || { fail "second apply ran units"; cat "$tmp/out"; }
catalog applied "$tmp/applied2.txt"
same_catalog "catalog unchanged by the second apply" "$tmp/applied.txt" "$tmp/applied2.txt"
q applied "SELECT id, outcome, finished_at FROM hqc.applied ORDER BY id" >"$tmp/hist2.txt"
cmp -s "$tmp/hist1.txt" "$tmp/hist2.txt" && ok "history unchanged by the second apply" || fail "the no-op apply wrote to hqc.applied"

echo "apply --force"
expect_rc "hqc apply --force" 0 "$hqc" apply --force schema "dbname=applied"
grep -q "applied $n_units units, skipped 0" "$tmp/out" && ok "--force runs every unit" || { fail "--force"; cat "$tmp/out"; }
catalog applied "$tmp/applied3.txt"
same_catalog "catalog unchanged by --force" "$tmp/applied.txt" "$tmp/applied3.txt"
got=$(q applied "SELECT count(*) FROM hqc.applied WHERE outcome = 'ok'")
[ "$got" = $((2 * n_units)) ] && ok "--force recorded a second run of each unit" || fail "ok rows after --force: $got"

echo "apply --dry-run"
catalog dry "$tmp/dry0.txt"
expect_rc "hqc apply --dry-run on an empty database (changes pending)" 1 "$hqc" apply --dry-run schema "dbname=dry"
grep -q "^would change .*/dry  would run $n_units units: 000_hqc 001_extensions" "$tmp/out" &&
	ok "--dry-run lists the units" || { fail "--dry-run output"; cat "$tmp/out"; }
[ "$(q dry "SELECT count(*) FROM pg_namespace WHERE nspname = 'hqc'")" = 0 ] && ok "--dry-run created nothing (no schema hqc)" || fail "--dry-run created schema hqc"
catalog dry "$tmp/dry1.txt"
same_catalog "--dry-run left the catalog alone" "$tmp/dry0.txt" "$tmp/dry1.txt"
expect_rc "hqc apply --dry-run on an applied database" 0 "$hqc" apply --dry-run schema "dbname=applied"
grep -q "nothing to run" "$tmp/out" && ok "--dry-run: nothing to run" || { fail "--dry-run on an applied database"; cat "$tmp/out"; }

echo "apply: two at once on database twice"
"$hqc" apply --no-progress schema "dbname=twice" >"$tmp/t1.out" 2>"$tmp/t1.err" & p1=$!
"$hqc" apply --no-progress schema "dbname=twice" >"$tmp/t2.out" 2>"$tmp/t2.err" & p2=$!
r1=0 r2=0; wait $p1 || r1=$?; wait $p2 || r2=$?
[ "$r1$r2" = 00 ] && ok "both concurrent applies exit 0" || { fail "concurrent applies: exit $r1 and $r2"; cat "$tmp"/t?.out "$tmp"/t?.err; }
if cat "$tmp/t1.err" "$tmp/t2.err" | grep -q "another hqc apply is running on this database (backend pid [0-9]*): waiting"; then
	ok "the second apply said it waits for the first"
	cat "$tmp/t1.out" "$tmp/t2.out" | grep -q "up to date ($n_units units skipped), after waiting for another hqc apply" &&
		ok "... and then found nothing to do" || { fail "the waiting apply ran units"; cat "$tmp"/t?.out; }
else
	# Scheduling may let one finish before the other connects: then it simply found nothing to do.
	cat "$tmp/t1.out" "$tmp/t2.out" | grep -q "up to date ($n_units units skipped)" &&
		ok "the applies did not overlap; the later one found nothing to do" || { fail "concurrent applies"; cat "$tmp"/t?.*; }
fi
got=$(q twice "$hist")
[ "$got" = "$n_units|$n_units|$n_units|1" ] && ok "each unit recorded once" || fail "hqc.applied after concurrent applies: $got"
catalog twice "$tmp/twice.txt"
same_catalog "concurrent applies build the catalog of the files" "$tmp/files.txt" "$tmp/twice.txt"

echo "status"
expect_rc "hqc status of an applied database" 0 "$hqc" status schema "dbname=applied"
grep -q "/applied: at the compiled schema ($n_units units applied)" "$tmp/out" && ok "status: at the compiled schema" || { fail "status"; cat "$tmp/out"; }
grep -Eq "^  014_agent_inbox +applied [0-9-]+ [0-9:]+Z by hqc [0-9.]+" "$tmp/out" && ok "status: when and by which hqc" || { fail "status unit lines"; head "$tmp/out"; }
expect_rc "hqc status of a database built from the files" 1 "$hqc" status schema "dbname=files"
grep -q "no hqc history: $n_units units never recorded" "$tmp/out" && grep -q "^  001_extensions  *never recorded" "$tmp/out" &&
	ok "status: never recorded" || { fail "status of the files database"; cat "$tmp/out"; }

echo "status and apply after a unit changed"
cp -r schema "$tmp/schema_old"
# An older version of module 029: another comment on one of its tables.
sed -i '0,/^    doc: /s//    doc: (older wording) /' "$tmp/schema_old/029_labels.yaml"
"$hqc" check "$tmp/schema_old" 2>/dev/null || fail "the edited schema does not compile"
expect_rc "apply of the older schema" 0 "$hqc" apply "$tmp/schema_old" "dbname=old"
expect_rc "status against the current schema" 1 "$hqc" status schema "dbname=old"
grep -Eq "^  029_labels +changed \(applied .* by hqc .*\): the unit changed since it was applied" "$tmp/out" &&
	grep -q "/old: 0 pending, 1 changed, $((n_units - 1)) applied" "$tmp/out" &&
	ok "status: 029_labels changed since applied, the others applied" || { fail "status after the change"; cat "$tmp/out"; }
expect_rc "status --format json" 1 "$hqc" status --format json schema "dbname=old"
if jq -e '.command == "status" and (.databases | length) == 1 and .databases[0].outcome == "behind"
          and ([.databases[0].units[] | select(.state == "changed") | .name] == ["029_labels"])' "$tmp/out" >/dev/null; then
	ok "status JSON names the changed unit"
else fail "status JSON"; cat "$tmp/out"; fi
expect_rc "apply of the current schema" 0 "$hqc" apply --format json schema "dbname=old"
n_after=$(ls "$tmp"/out_files/migrations/*.sql | sed -n '/029_labels/,$p' | wc -l)
if jq -e --argjson n "$n_after" '.databases[0].outcome == "ok" and .databases[0].applied == $n
          and ([.databases[0].units[] | select(.action == "applied") | .name][0] == "029_labels")
          and .summary.ok == 1 and .summary.changed == 1' "$tmp/out" >/dev/null; then
	ok "apply re-ran 029_labels and the $((n_after - 1)) units after it (JSON)"
else fail "apply after the change"; cat "$tmp/out"; fi
catalog old "$tmp/old.txt"
same_catalog "the database of the older schema converged" "$tmp/files.txt" "$tmp/old.txt"
expect_rc "status after the apply" 0 "$hqc" status schema "dbname=old"

echo "session settings of a unit"
cp -r tests/cases/fixture/schema "$tmp/probe"
cat >"$tmp/probe/006_probe.yaml" <<'EOF'
module: 006_probe
summary: Reports the session settings a unit runs with
raw_sql:
  - doc: what hqc apply set for this unit, as a WARNING
    sql: |
      DO $$BEGIN RAISE WARNING 'probe: prune=% lock_timeout=% statement_timeout=%',
        current_setting('hqc.prune', true), current_setting('lock_timeout'), current_setting('statement_timeout'); END$$
EOF
expect_rc "apply with the project's deploy settings" 0 "$hqc" apply "$tmp/probe" "dbname=probe"
grep -q "^      WARNING: probe: prune=on lock_timeout=3s statement_timeout=10min$" "$tmp/out" &&
	ok "the unit ran with lock_timeout 3s, statement_timeout 10min, hqc.prune on" || { fail "default settings"; cat "$tmp/out"; }
expect_rc "apply --force --no-prune --lock-timeout 1500ms --statement-timeout 2min" 0 \
	"$hqc" apply --force --no-prune --lock-timeout 1500ms --statement-timeout 2min "$tmp/probe" "dbname=probe"
grep -q "^      WARNING: probe: prune=off lock_timeout=1500ms statement_timeout=2min$" "$tmp/out" &&
	ok "the flags override them" || { fail "settings from the flags"; cat "$tmp/out"; }

exit $rc
