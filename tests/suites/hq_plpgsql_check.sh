#!/usr/bin/env bash
# Static check of every PL/pgSQL function of the HQ schema with plpgsql_check
# on PostgreSQL 15: apply all migrations, CREATE EXTENSION plpgsql_check, run
# plpgsql_check_function_tb over every plpgsql function of schema public
# (a trigger function once for each table that has a trigger using it, with
# that trigger's transition tables). Any error fails the suite; warnings are
# printed. Functions that need pgvector are not created on this cluster, so
# they are not checked here (they are listed).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/pg/lib.sh
pg_start
pg_new_db hq
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"

for f in out/migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -d hq -f "$f" >/dev/null 2>>"$tmp/notices.txt" ||
		{ echo "failed: $f"; cat "$tmp/notices.txt"; exit 1; }
done
files=(out/migrations/*.sql)
echo "applied ${#files[@]} migrations"

q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d hq -F ' | ' "$@"; }
q -c 'CREATE EXTENSION plpgsql_check' >/dev/null
echo "plpgsql_check $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'plpgsql_check'")"

# One row per (function, relation) checked, then the findings.
q >"$tmp/out.txt" <<'SQL'
CREATE TEMP TABLE targets AS
  WITH f AS (
    SELECT p.oid, p.prorettype = 'trigger'::regtype AS trg
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE l.lanname = 'plpgsql' AND p.pronamespace = 'public'::regnamespace)
  SELECT DISTINCT f.oid, t.tgrelid AS relid, t.tgoldtable AS oldtable, t.tgnewtable AS newtable
    FROM f JOIN pg_trigger t ON t.tgfoid = f.oid
   WHERE f.trg
  UNION ALL
  SELECT f.oid, 0::oid, NULL, NULL FROM f WHERE NOT f.trg;
CREATE TEMP TABLE findings AS
  SELECT t.oid::regprocedure::text AS fn, nullif(t.relid, 0)::regclass::text AS rel, c.*
    FROM targets t,
         LATERAL plpgsql_check_function_tb(t.oid, t.relid, fatal_errors := false,
                                           oldtable := t.oldtable, newtable := t.newtable) c;
SELECT 'functions', count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE l.lanname = 'plpgsql' AND p.pronamespace = 'public'::regnamespace;
SELECT 'trigger_functions', count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE l.lanname = 'plpgsql' AND p.pronamespace = 'public'::regnamespace AND p.prorettype = 'trigger'::regtype;
SELECT 'checks', count(*) FROM targets;
-- Trigger functions without a trigger in this database cannot be checked.
SELECT 'untriggered', p.oid::regprocedure FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE l.lanname = 'plpgsql' AND p.pronamespace = 'public'::regnamespace
   AND p.prorettype = 'trigger'::regtype AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgfoid = p.oid);
SELECT CASE WHEN level = 'error' THEN 'error' ELSE 'warning' END, level, fn, coalesce(rel, '-'),
       'line ' || coalesce(lineno::text, '-'), sqlstate, message,
       coalesce('detail: ' || detail, ''), coalesce('query: ' || regexp_replace(query, '\s+', ' ', 'g'), '')
  FROM findings ORDER BY level = 'error' DESC, fn, rel, lineno;
SQL

field() { awk -F' \\| ' -v k="$1" '$1 == k { print $2 }' "$tmp/out.txt"; }
echo "plpgsql functions in public: $(field functions) ($(field trigger_functions) trigger functions), $(field checks) function/relation checks"
skipped=$(grep -o "skipped function [a-z_]*" "$tmp/notices.txt" | awk '{print $3}' | sort -u | paste -sd, - || true)
[[ -z $skipped ]] || echo "not created without pgvector, so not checked: ${skipped//,/, }"

rc=0
untriggered=$(field untriggered)
if [[ -n $untriggered ]]; then
	echo "trigger functions that no trigger uses (cannot be checked):"; sed 's/^/  /' <<<"$untriggered"; rc=1
fi
nerr=$(grep -c '^error | ' "$tmp/out.txt" || true)
nwarn=$(grep -c '^warning | ' "$tmp/out.txt" || true)
if (( nwarn > 0 )); then echo "warnings ($nwarn):"; grep '^warning | ' "$tmp/out.txt" | cut -d'|' -f2- | sed 's/^/ /'; fi
if (( nerr > 0 )); then echo "ERRORS ($nerr):"; grep '^error | ' "$tmp/out.txt" | cut -d'|' -f3- | sed 's/^/ /'; rc=1; fi
echo "plpgsql_check: $nerr errors, $nwarn warnings"
exit $rc
