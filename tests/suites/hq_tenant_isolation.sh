#!/usr/bin/env bash
# Tenant isolation of the HQ schema on PostgreSQL 15 (issue 3 item 6).
#
# With every migration applied, two tenants A and B get one row in EVERY
# tenant-owned table (found in the catalog: tables of schema public with a
# tenant_id column, plus `tenants` itself, which compares id). The rows are
# generated generically as service_role: each NOT NULL column without default
# gets a value by type (enum: first label; CHECK (col = ANY (ARRAY[...])):
# first allowed literal; FK: a row of the referenced table, created first for
# the same tenant), plus a small override map for multi-column CHECKs.
# Then, per table, acting as `authenticated` with the JWT claims of tenant A:
#   select    only A's rows are visible (all of them, unless no policy
#             grants authenticated anything on the table)
#   update    UPDATE ... WHERE tenant_id = B affects 0 rows
#   delete    DELETE ... WHERE tenant_id = B affects 0 rows
#   insert    INSERT of a row with tenant_id = B fails with 42501
#   service   service_role sees the rows of both tenants (and B's survived)
#   anon      anon sees nothing (42501 or zero rows), with and without claims
# and globally: anon can execute no SECURITY DEFINER function of schema
# public except consume_gateway_token.
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

# ------------------------------------------------------------ row generator
psql -X -q -v ON_ERROR_STOP=1 -d hq >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE SCHEMA hqtest;
GRANT USAGE ON SCHEMA hqtest TO service_role, authenticated, anon;

-- One generated row per (table, tenant), as jsonb.
CREATE TABLE hqtest.made (tbl regclass, tenant uuid, row jsonb NOT NULL, PRIMARY KEY (tbl, tenant));
-- Extra columns to fill / literal values where a generic value cannot satisfy
-- a CHECK that spans several columns. expr NULL = generic value for the type.
CREATE TABLE hqtest.override (tbl text, col text, expr text, PRIMARY KEY (tbl, col));
INSERT INTO hqtest.override VALUES
  ('interactions', 'contact_id',   NULL),        -- interactions_has_owner
  ('entity_links', 'target_type',  '''task'''),  -- entity_links_target_check
  ('entity_links', 'target_id',    NULL),
  ('routines',     'cadence_type', '''daily'''), -- routines_schedule_check
  ('routines',     'timezone',     '''UTC'''),
  ('task_series',  'timezone',     '''UTC'''),   -- task_series_timezone_check
  ('draft_sets',   'variants',     '''[]'''),    -- draft_sets_variants_is_array
  ('tenants',      'slug',         NULL);
-- The tables under test, in a stable order.
CREATE TABLE hqtest.tables AS
  SELECT c.oid::regclass AS tbl, c.relname::text AS name,
         CASE WHEN c.relname = 'tenants' THEN 'id' ELSE 'tenant_id' END AS tcol
    FROM pg_class c
   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
     AND (c.relname = 'tenants'
          OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped))
   ORDER BY c.relname;
CREATE TABLE hqtest.result (tbl text, check_name text, ok boolean, detail text);
GRANT ALL ON ALL TABLES IN SCHEMA hqtest TO service_role, authenticated, anon;

CREATE FUNCTION hqtest.has_tenant(p_tbl regclass) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = p_tbl AND attname = 'tenant_id' AND NOT attisdropped)
$$;

-- SQL expression for one column of a new row of p_tbl owned by p_tenant.
-- p_fresh: make a new referenced row instead of reusing the tenant's one.
CREATE FUNCTION hqtest.value_for(p_tbl regclass, p_col name, p_tenant uuid, p_fresh boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  a record; fk record; v text; parent jsonb;
BEGIN
  SELECT t.typtype, t.typcategory, a2.atttypid, format_type(a2.atttypid, a2.atttypmod) AS typ,
         t.typname
    INTO a
    FROM pg_attribute a2 JOIN pg_type t ON t.oid = a2.atttypid
   WHERE a2.attrelid = p_tbl AND a2.attname = p_col;
  SELECT o.expr INTO v FROM hqtest.override o
   WHERE o.tbl = p_tbl::text AND o.col = p_col AND o.expr IS NOT NULL;
  IF FOUND THEN RETURN v || '::' || a.typ; END IF;
  -- Foreign key: a row of the referenced table for the same tenant.
  SELECT c.confrelid::regclass AS ref, ra.attname AS refcol INTO fk
    FROM pg_constraint c
    JOIN pg_attribute la ON la.attrelid = c.conrelid AND la.attnum = c.conkey[1]
    JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
   WHERE c.conrelid = p_tbl AND c.contype = 'f' AND cardinality(c.conkey) = 1 AND la.attname = p_col
   LIMIT 1;
  IF FOUND THEN
    parent := hqtest.make_row(fk.ref, p_tenant, p_fresh);
    RETURN quote_literal(parent ->> fk.refcol) || '::' || a.typ;
  END IF;
  -- CHECK (col = ANY (ARRAY['first', ...])): the first allowed literal.
  SELECT (regexp_match(pg_get_constraintdef(c.oid),
            '\m' || p_col || ' = ANY \(ARRAY\[''((?:[^'']|'''')*)''')
         )[1] INTO v
    FROM pg_constraint c
   WHERE c.conrelid = p_tbl AND c.contype = 'c'
     AND pg_get_constraintdef(c.oid) ~ ('\m' || p_col || ' = ANY \(ARRAY\[''')
   LIMIT 1;
  IF v IS NOT NULL THEN RETURN quote_literal(replace(v, '''''', '''')) || '::' || a.typ; END IF;
  IF a.typtype = 'e' THEN
    SELECT quote_literal(enumlabel) INTO v FROM pg_enum WHERE enumtypid = a.atttypid
     ORDER BY enumsortorder LIMIT 1;
    RETURN v || '::' || a.typ;
  END IF;
  IF a.typcategory = 'A' THEN RETURN '''{}''::' || a.typ; END IF;
  RETURN CASE
    WHEN a.typname = 'uuid' THEN 'gen_random_uuid()'
    WHEN a.typcategory = 'S' THEN
      quote_literal(p_tbl::text || '.' || p_col || '.' || left(md5(random()::text), 10)) || '::' || a.typ
    WHEN a.typcategory = 'N' THEN '1::' || a.typ
    WHEN a.typname = 'bool' THEN 'false'
    WHEN a.typname IN ('timestamptz', 'timestamp') THEN '(now() + interval ''1 day'')::' || a.typ
    WHEN a.typname = 'date' THEN 'current_date'
    WHEN a.typname IN ('time', 'timetz') THEN '''12:00''::' || a.typ
    WHEN a.typname = 'interval' THEN '''1 hour''::interval'
    WHEN a.typname IN ('jsonb', 'json') THEN '''{}''::' || a.typ
    ELSE hqtest.no_value(p_tbl, p_col, a.typ)
  END;
END
$$;

CREATE FUNCTION hqtest.no_value(p_tbl regclass, p_col name, p_typ text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'hqtest: no generic value for %.% of type %', p_tbl, p_col, p_typ;
END
$$;

-- INSERT statement for a new row of p_tbl owned by p_tenant: the tenant
-- column, every NOT NULL column without default, and the override columns.
CREATE FUNCTION hqtest.insert_sql(p_tbl regclass, p_tenant uuid, p_suffix text DEFAULT '')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  col record; cols text[] := '{}'; vals text[] := '{}'; refs regclass[] := '{}'; ref regclass;
BEGIN
  IF hqtest.has_tenant(p_tbl) THEN
    cols := cols || 'tenant_id'::text; vals := vals || (quote_literal(p_tenant) || '::uuid');
  END IF;
  FOR col IN
    SELECT a.attname FROM pg_attribute a
     WHERE a.attrelid = p_tbl AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
       AND a.attname <> 'tenant_id'
       AND ((a.attnotnull AND NOT a.atthasdef)
            OR EXISTS (SELECT 1 FROM hqtest.override o WHERE o.tbl = p_tbl::text AND o.col = a.attname))
     ORDER BY a.attnum
  LOOP
    -- A second FK column to the same table gets its own referenced row
    -- (task_relations: source <> target).
    SELECT c.confrelid::regclass INTO ref FROM pg_constraint c
     WHERE c.conrelid = p_tbl AND c.contype = 'f' AND cardinality(c.conkey) = 1
       AND c.conkey[1] = (SELECT attnum FROM pg_attribute WHERE attrelid = p_tbl AND attname = col.attname);
    cols := cols || quote_ident(col.attname);
    vals := vals || hqtest.value_for(p_tbl, col.attname, p_tenant, ref IS NOT NULL AND ref = ANY (refs));
    IF ref IS NOT NULL THEN refs := refs || ref; END IF;
  END LOOP;
  RETURN format('INSERT INTO %s AS t (%s) VALUES (%s)%s', p_tbl, array_to_string(cols, ', '),
                array_to_string(vals, ', '), p_suffix);
END
$$;

-- The row of p_tbl generated for p_tenant (made on first use; with p_fresh
-- always a new one). Triggers may already have made a row that takes the
-- unique key (agent_budgets): then any row of the tenant is used.
CREATE FUNCTION hqtest.make_row(p_tbl regclass, p_tenant uuid, p_fresh boolean DEFAULT false)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
BEGIN
  IF NOT p_fresh THEN
    SELECT row INTO r FROM hqtest.made WHERE tbl = p_tbl AND tenant = p_tenant;
    IF FOUND THEN RETURN r; END IF;
  END IF;
  EXECUTE hqtest.insert_sql(p_tbl, p_tenant, ' ON CONFLICT DO NOTHING RETURNING to_jsonb(t.*)') INTO r;
  IF r IS NULL AND hqtest.has_tenant(p_tbl) THEN
    EXECUTE format('SELECT to_jsonb(t.*) FROM %s t WHERE tenant_id = $1 LIMIT 1', p_tbl) INTO r USING p_tenant;
  END IF;
  IF r IS NULL THEN RAISE EXCEPTION 'hqtest: could not make a row of %', p_tbl; END IF;
  IF NOT p_fresh THEN INSERT INTO hqtest.made VALUES (p_tbl, p_tenant, r); END IF;
  RETURN r;
END
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA hqtest TO service_role, authenticated;
SQL

# ------------------------------------------------ tenants and rows, as service_role
psql -X -q -v ON_ERROR_STOP=1 -d hq >"$tmp/ids.txt" <<'SQL'
BEGIN;
SET LOCAL role service_role;
DO $$
DECLARE
  ta uuid; tb uuid; t record;
BEGIN
  EXECUTE hqtest.insert_sql('tenants', NULL, ' RETURNING id') INTO ta;
  EXECUTE hqtest.insert_sql('tenants', NULL, ' RETURNING id') INTO tb;
  INSERT INTO hqtest.made SELECT 'tenants', id, to_jsonb(x.*) FROM public.tenants x WHERE id IN (ta, tb);
  FOR t IN SELECT * FROM hqtest.tables WHERE name <> 'tenants' LOOP
    BEGIN
      PERFORM hqtest.make_row(t.tbl, ta);
      PERFORM hqtest.make_row(t.tbl, tb);
    EXCEPTION WHEN OTHERS THEN
      -- reported with the table; its 'service' check fails for want of rows
      INSERT INTO hqtest.result VALUES (t.name, 'rows', false, 'cannot generate rows: ' || SQLSTATE || ' ' || SQLERRM);
    END;
  END LOOP;
  CREATE TEMP TABLE ids AS SELECT ta AS a, tb AS b;
END
$$;
\pset format unaligned
\pset tuples_only on
SELECT a || ' ' || b FROM ids;
COMMIT;
SQL
read -r A B <"$tmp/ids.txt"
echo "tenant A = $A"
echo "tenant B = $B"

# ------------------------------------------------------------- the checks
psql -X -q -v ON_ERROR_STOP=1 -d hq -v a="$A" -v b="$B" >/dev/null <<'SQL' || { echo "the checks aborted"; exit 1; }
SELECT set_config('hqtest.a', :'a', false), set_config('hqtest.b', :'b', false);
DO $$
DECLARE
  ta uuid := current_setting('hqtest.a'); tb uuid := current_setting('hqtest.b');
  claims_a text := json_build_object('app_metadata', json_build_object('tenant_id', ta))::text;
  t record; n bigint; n_a bigint; n_b bigint; seen_a bigint; seen_other bigint;
  stmt text; st text; msg text; auth_policy boolean;
BEGIN
  FOR t IN SELECT * FROM hqtest.tables ORDER BY name LOOP
    -- service_role: both tenants have rows
    SET LOCAL role service_role;
    EXECUTE format('SELECT count(*) FILTER (WHERE %1$I = $1), count(*) FILTER (WHERE %1$I = $2) FROM %2$s',
                   t.tcol, t.tbl) INTO n_a, n_b USING ta, tb;
    INSERT INTO hqtest.result VALUES (t.name, 'service', n_a > 0 AND n_b > 0,
                                      format('service_role sees A:%s B:%s', n_a, n_b));
    RESET role;
    SELECT EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = t.name
                    AND ('authenticated' = ANY (p.roles) OR 'public' = ANY (p.roles)))
      INTO auth_policy;

    -- authenticated with tenant A's claims
    SET LOCAL role authenticated;
    PERFORM set_config('request.jwt.claims', claims_a, true);
    BEGIN
      EXECUTE format('SELECT count(*) FILTER (WHERE %1$I = $1), count(*) FILTER (WHERE %1$I IS DISTINCT FROM $1) FROM %2$s',
                     t.tcol, t.tbl) INTO seen_a, seen_other USING ta;
      INSERT INTO hqtest.result VALUES (t.name, 'select',
        seen_other = 0 AND seen_a = CASE WHEN auth_policy THEN n_a ELSE 0 END,
        format('A sees own:%s/%s other:%s%s', seen_a, n_a, seen_other,
               CASE WHEN auth_policy THEN '' ELSE ' (no policy for authenticated)' END));
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO hqtest.result VALUES (t.name, 'select', false, SQLSTATE || ' ' || SQLERRM);
    END;
    BEGIN
      EXECUTE format('UPDATE %2$s SET %1$I = %1$I WHERE %1$I = $1', t.tcol, t.tbl) USING tb;
      GET DIAGNOSTICS n = ROW_COUNT;
      INSERT INTO hqtest.result VALUES (t.name, 'update', n = 0, format('UPDATE of B''s rows: %s rows', n));
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO hqtest.result VALUES (t.name, 'update', SQLSTATE = '42501', 'UPDATE of B''s rows: ' || SQLSTATE || ' ' || SQLERRM);
    END;
    BEGIN
      EXECUTE format('DELETE FROM %2$s WHERE %1$I = $1', t.tcol, t.tbl) USING tb;
      GET DIAGNOSTICS n = ROW_COUNT;
      INSERT INTO hqtest.result VALUES (t.name, 'delete', n = 0, format('DELETE of B''s rows: %s rows', n));
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO hqtest.result VALUES (t.name, 'delete', SQLSTATE = '42501', 'DELETE of B''s rows: ' || SQLSTATE || ' ' || SQLERRM);
    END;
    -- The statement is built with the rows B already has (FK targets).
    RESET role;
    BEGIN
      IF t.name = 'tenants' THEN
        stmt := hqtest.insert_sql(t.tbl, NULL);
        stmt := regexp_replace(stmt, '\(', '(id, ');
        stmt := regexp_replace(stmt, 'VALUES \(', format('VALUES (%L::uuid, ', tb));
      ELSE
        stmt := hqtest.insert_sql(t.tbl, tb);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      stmt := NULL; msg := SQLSTATE || ' ' || SQLERRM;
    END;
    SET LOCAL role authenticated;
    BEGIN
      IF stmt IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'cannot build the row: ' || msg;
      END IF;
      EXECUTE stmt;
      INSERT INTO hqtest.result VALUES (t.name, 'insert', false, 'INSERT with B''s tenant succeeded: ' || stmt);
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO hqtest.result VALUES (t.name, 'insert', SQLSTATE = '42501',
                                        'INSERT with B''s tenant: ' || SQLSTATE || ' ' || SQLERRM);
    END;

    -- B's rows are all still there
    SET LOCAL role service_role;
    EXECUTE format('SELECT count(*) FROM %2$s WHERE %1$I = $1', t.tcol, t.tbl) INTO n USING tb;
    INSERT INTO hqtest.result VALUES (t.name, 'intact', n = n_b, format('B has %s rows (before: %s)', n, n_b));

    -- anon, without and with claims
    SET LOCAL role anon;
    FOREACH st IN ARRAY ARRAY['', claims_a] LOOP
      PERFORM set_config('request.jwt.claims', st, true);
      BEGIN
        EXECUTE format('SELECT count(*) FROM %s', t.tbl) INTO n;
        INSERT INTO hqtest.result VALUES (t.name, 'anon', n = 0,
          format('anon%s sees %s rows', CASE WHEN st = '' THEN '' ELSE ' with A''s claims' END, n));
      EXCEPTION WHEN OTHERS THEN
        INSERT INTO hqtest.result VALUES (t.name, 'anon', SQLSTATE = '42501',
          format('anon%s: %s', CASE WHEN st = '' THEN '' ELSE ' with A''s claims' END, SQLSTATE));
      END;
    END LOOP;
    PERFORM set_config('request.jwt.claims', '', true);
    RESET role;
  END LOOP;
END
$$;
SQL

# ------------------------------------------------------------- report
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d hq -c "$1"; }
q "SELECT tbl || ': ' || string_agg(check_name || CASE WHEN ok THEN '=ok' ELSE '=FAIL' END, ' ' ORDER BY check_name)
     FROM hqtest.result GROUP BY tbl ORDER BY tbl"
rc=0
ntables=$(q "SELECT count(*) FROM hqtest.tables")
npass=$(q "SELECT count(*) FROM (SELECT tbl FROM hqtest.result GROUP BY tbl HAVING bool_and(ok)) x")
failures=$(q "SELECT tbl || ' ' || check_name || ': ' || detail FROM hqtest.result WHERE NOT ok ORDER BY tbl, check_name")
if [[ -n $failures ]]; then echo "failures:"; printf '%s\n' "$failures"; rc=1; fi
# 45 tenant-owned tables + tenants
if [[ $ntables != 46 ]]; then echo "expected 46 tables under test, found $ntables"; rc=1; fi
if [[ $(q "SELECT count(DISTINCT check_name) FROM hqtest.result WHERE check_name <> 'rows'") != 7 ]]; then echo "missing checks"; rc=1; fi
echo "tables passing every check: $npass/$ntables"

# SECURITY DEFINER functions that anon may execute
anon_fns=$(q "SELECT p.oid::regprocedure FROM pg_proc p
               WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
                 AND has_function_privilege('anon', p.oid, 'EXECUTE') ORDER BY 1")
ndef=$(q "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prosecdef")
echo "SECURITY DEFINER functions: $ndef; executable by anon: ${anon_fns//$'\n'/, }"
if [[ $anon_fns != "consume_gateway_token(text,text,text)" ]]; then
	echo "anon must execute exactly consume_gateway_token among SECURITY DEFINER functions"; rc=1
fi
[[ -n ${HQ_ISOLATION_DETAILS:-} ]] && q "SELECT tbl, check_name, detail FROM hqtest.result ORDER BY 1,2"
exit $rc
