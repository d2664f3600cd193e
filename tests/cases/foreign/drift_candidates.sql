-- Candidate mutations for tests/suites/converge_drift.sh, generated from the
-- live catalog of a fresh install, so that they apply to whatever the schema
-- declares: one line per candidate, "kind<TAB>sql" (sql on one line). Each
-- mutation is something the migrations must undo exactly (issue 11): drop or
-- redefine an index, constraint, policy, trigger, view or function; add an
-- undeclared index, constraint, policy, trigger, overload or cron job calling
-- a schema function; grant or revoke table, column, function, schema and
-- default privileges for the project roles and PUBLIC; change defaults,
-- nullability, comments, RLS flags, replica identity, publication membership,
-- function attributes and bodies, cron schedules. (Not here: undeclared
-- columns and tables, enum values, roles the schema does not name: those
-- stay, see converge_fixture.sh.) Names of added objects derive from what
-- they are added to, so a case is the same every time.
--
--   psql -X -A -t -q -d DB -v schema=public -f drift_candidates.sql

\set ON_ERROR_STOP on
SELECT to_regclass('cron.job') IS NOT NULL AS has_cron \gset
BEGIN;
SET LOCAL search_path = pg_catalog;

CREATE TEMP VIEW drift_tab AS
  SELECT c.oid, c.oid::regclass::text AS t, c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relreplident,
         (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
           WHERE i.indrelid = c.oid AND i.indisprimary) AS pk,
         EXISTS (SELECT 1 FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
                  WHERE p.pubname = 'supabase_realtime' AND pr.prrelid = c.oid) AS published
    FROM pg_class c
   WHERE c.relnamespace = :'schema'::regnamespace AND c.relkind = 'r'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e');

CREATE TEMP VIEW drift_col AS
  SELECT t.oid, t.t, t.relname, a.attname, quote_ident(a.attname) AS c, a.attnotnull, a.atthasdef,
         a.atttypid::regtype::text AS typ, a.attnum,
         EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = t.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)) AS in_pk
    FROM drift_tab t JOIN pg_attribute a ON a.attrelid = t.oid
   WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = '' AND a.attgenerated = '';

CREATE TEMP VIEW drift_fn AS
  SELECT p.oid, p.oid::regprocedure::text AS f, p.proname, p.prosecdef, p.provolatile, p.proconfig,
         pg_get_function_identity_arguments(p.oid) AS idargs, pg_get_function_result(p.oid) AS res,
         p.prorettype = 'trigger'::regtype AS is_trigger, p.prosqlbody IS NOT NULL AS atomic
    FROM pg_proc p
   WHERE p.pronamespace = :'schema'::regnamespace AND p.prokind = 'f'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e');

-- Roles a mutation grants to or revokes from, and the role to use instead of
-- the one a policy names.
CREATE TEMP VIEW drift_role(r) AS VALUES ('anon'), ('authenticated'), ('service_role'), ('PUBLIC');
-- Whether role r holds a privilege in ACL acl (revoking what is not there
-- would change nothing).
CREATE FUNCTION pg_temp.drift_holds(acl aclitem[], r text) RETURNS boolean LANGUAGE sql AS $$
  SELECT EXISTS (SELECT 1 FROM aclexplode(acl) x
                  WHERE x.grantee = CASE WHEN r = 'PUBLIC' THEN 0 ELSE r::regrole::oid END)
$$;

SELECT (kind || E'\t' || replace(replace(stmt, E'\n', ' '), E'\t', ' ')) COLLATE "C" AS line FROM (
  -- indexes --------------------------------------------------------------------
  SELECT 'index_drop' AS kind, format('DROP INDEX %s', i.indexrelid::regclass) AS stmt
    FROM pg_index i JOIN drift_tab t ON t.oid = i.indrelid
   WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
  UNION ALL
  SELECT 'index_redefine', format('DROP INDEX %1$s; CREATE INDEX %2$I ON %3$s (%4$s) WHERE (%4$s IS NOT NULL)',
                                  i.indexrelid::regclass, ic.relname, t.t,
                                  (SELECT c FROM drift_col c WHERE c.oid = t.oid ORDER BY c.attnum LIMIT 1))
    FROM pg_index i JOIN drift_tab t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
   WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
  UNION ALL
  SELECT 'index_add', format('CREATE INDEX %I ON %s (%s)', 'drift_' || substr(md5(c.t || c.attname), 1, 10), c.t, c.c)
    FROM drift_col c WHERE c.typ NOT IN ('json', 'xml', 'point')
  UNION ALL
  SELECT 'index_add', format('CREATE UNIQUE INDEX %I ON %s (%s, %s)', 'drift_u' || substr(md5(c.t || c.attname), 1, 10),
                             c.t, t.pk, c.c)
    FROM drift_col c JOIN drift_tab t ON t.oid = c.oid
   WHERE t.pk IS NOT NULL AND NOT c.in_pk AND c.typ NOT IN ('json', 'xml', 'point')

  -- constraints ------------------------------------------------------------------
  UNION ALL
  SELECT 'constraint_drop', format('ALTER TABLE %s DROP CONSTRAINT %I CASCADE', t.t, k.conname)
    FROM pg_constraint k JOIN drift_tab t ON t.oid = k.conrelid WHERE k.contype IN ('c', 'f', 'u', 'p', 'x')
  UNION ALL
  SELECT 'check_redefine', format('ALTER TABLE %1$s DROP CONSTRAINT %2$I, ADD CONSTRAINT %2$I CHECK (true)', t.t, k.conname)
    FROM pg_constraint k JOIN drift_tab t ON t.oid = k.conrelid WHERE k.contype = 'c'
  UNION ALL
  SELECT 'fk_redefine',
         format('ALTER TABLE %1$s DROP CONSTRAINT %2$I, ADD CONSTRAINT %2$I FOREIGN KEY (%3$s) REFERENCES %4$s (%5$s) ON DELETE %6$s',
                t.t, k.conname,
                (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY x.n) FROM unnest(k.conkey) WITH ORDINALITY x(k, n)
                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.k),
                k.confrelid::regclass,
                (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY x.n) FROM unnest(k.confkey) WITH ORDINALITY x(k, n)
                   JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.k),
                CASE WHEN k.confdeltype = 'c' THEN 'NO ACTION' ELSE 'CASCADE' END)
    FROM pg_constraint k JOIN drift_tab t ON t.oid = k.conrelid WHERE k.contype = 'f'
  UNION ALL
  SELECT 'unique_redefine',
         format('ALTER TABLE %1$s DROP CONSTRAINT %2$I CASCADE, ADD CONSTRAINT %2$I UNIQUE (%3$s, %4$s)', t.t, k.conname,
                (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY x.n) FROM unnest(k.conkey) WITH ORDINALITY x(k, n)
                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.k),
                (SELECT c.c FROM drift_col c WHERE c.oid = t.oid AND c.attnum <> ALL (k.conkey)
                   AND c.typ NOT IN ('json', 'xml', 'point') ORDER BY c.attnum LIMIT 1))
    FROM pg_constraint k JOIN drift_tab t ON t.oid = k.conrelid WHERE k.contype = 'u'
  UNION ALL
  SELECT 'constraint_add', format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s IS NOT NULL OR true)',
                                  c.t, 'drift_c' || substr(md5(c.t || c.attname), 1, 10), c.c)
    FROM drift_col c
  UNION ALL
  SELECT 'constraint_add', format('ALTER TABLE %1$s ADD CONSTRAINT %2$I FOREIGN KEY (%3$s) REFERENCES %1$s (%3$s)',
                                  t.t, 'drift_f' || substr(md5(t.t), 1, 10), t.pk)
    FROM drift_tab t WHERE t.pk IS NOT NULL
  UNION ALL
  SELECT 'constraint_add', format('ALTER TABLE %s ADD CONSTRAINT %I UNIQUE (%s, %s)',
                                  c.t, 'drift_k' || substr(md5(c.t || c.attname), 1, 10), t.pk, c.c)
    FROM drift_col c JOIN drift_tab t ON t.oid = c.oid
   WHERE t.pk IS NOT NULL AND NOT c.in_pk AND c.typ NOT IN ('json', 'xml', 'point')

  -- policies ---------------------------------------------------------------------
  UNION ALL
  SELECT 'policy_drop', format('DROP POLICY %I ON %s', p.polname, t.t)
    FROM pg_policy p JOIN drift_tab t ON t.oid = p.polrelid
  UNION ALL
  SELECT 'policy_alter', format('ALTER POLICY %I ON %s TO %s', p.polname, t.t,
                                CASE WHEN 'anon'::regrole = ANY (p.polroles) THEN 'authenticated' ELSE 'anon' END)
    FROM pg_policy p JOIN drift_tab t ON t.oid = p.polrelid
  UNION ALL
  SELECT 'policy_alter', format('ALTER POLICY %I ON %s USING (false)', p.polname, t.t)
    FROM pg_policy p JOIN drift_tab t ON t.oid = p.polrelid WHERE p.polqual IS NOT NULL
  UNION ALL
  SELECT 'policy_alter', format('DROP POLICY %1$I ON %2$s; CREATE POLICY %1$I ON %2$s AS RESTRICTIVE FOR SELECT TO authenticated USING (true)',
                                p.polname, t.t)
    FROM pg_policy p JOIN drift_tab t ON t.oid = p.polrelid
  UNION ALL
  SELECT 'policy_add', format('CREATE POLICY %I ON %s FOR SELECT TO anon USING (true)', 'drift ' || substr(md5(t.t), 1, 8), t.t)
    FROM drift_tab t

  -- triggers -----------------------------------------------------------------------
  UNION ALL
  SELECT 'trigger_drop', format('DROP TRIGGER %I ON %s', g.tgname, t.t)
    FROM pg_trigger g JOIN drift_tab t ON t.oid = g.tgrelid WHERE NOT g.tgisinternal
  UNION ALL
  SELECT 'trigger_redefine', format('DROP TRIGGER %I ON %s; %s', g.tgname, t.t,
           CASE WHEN pg_get_triggerdef(g.oid) ~ ' WHEN \('
                THEN regexp_replace(pg_get_triggerdef(g.oid), ' WHEN \(.*\) EXECUTE FUNCTION ',
                                    ' WHEN (pg_catalog.pg_trigger_depth() < 1000) EXECUTE FUNCTION ')
                ELSE replace(pg_get_triggerdef(g.oid), ' EXECUTE FUNCTION ',
                             ' WHEN (pg_catalog.pg_trigger_depth() < 1000) EXECUTE FUNCTION ') END)
    FROM pg_trigger g JOIN drift_tab t ON t.oid = g.tgrelid WHERE NOT g.tgisinternal AND g.tgtype & 32 = 0
  UNION ALL
  SELECT 'trigger_disable', format('ALTER TABLE %s DISABLE TRIGGER %I', t.t, g.tgname)
    FROM pg_trigger g JOIN drift_tab t ON t.oid = g.tgrelid WHERE NOT g.tgisinternal
  UNION ALL
  SELECT 'trigger_add', format('CREATE TRIGGER %I AFTER UPDATE ON %s FOR EACH STATEMENT WHEN (false) EXECUTE FUNCTION %s()',
                               'drift_t' || substr(md5(t.t), 1, 10), t.t,
                               (SELECT f.oid::regproc FROM drift_fn f WHERE f.is_trigger ORDER BY f.proname LIMIT 1))
    FROM drift_tab t WHERE EXISTS (SELECT 1 FROM drift_fn f WHERE f.is_trigger)

  -- privileges -------------------------------------------------------------------
  UNION ALL
  SELECT 'grant_add', format('GRANT ALL ON %s TO %s', t.t, r.r) FROM drift_tab t, drift_role r
  UNION ALL
  SELECT 'grant_add', format('GRANT SELECT ON %s TO %s WITH GRANT OPTION', t.t, r.r) FROM drift_tab t, drift_role r WHERE r.r <> 'PUBLIC'
  UNION ALL
  SELECT 'grant_revoke', format('REVOKE ALL ON %s FROM %s', t.t, r.r) FROM drift_tab t JOIN pg_class c ON c.oid = t.oid, drift_role r
   WHERE pg_temp.drift_holds(coalesce(c.relacl, acldefault('r', c.relowner)), r.r)
  UNION ALL
  SELECT 'grant_revoke', format('REVOKE SELECT ON %s FROM %s', c.oid::regclass, r.r)
    FROM pg_class c, drift_role r WHERE c.relnamespace = :'schema'::regnamespace AND c.relkind IN ('v', 'm')
     AND pg_temp.drift_holds(coalesce(c.relacl, acldefault('r', c.relowner)), r.r)
  UNION ALL
  SELECT 'column_grant', format('GRANT UPDATE (%s), SELECT (%s) ON %s TO %s', c.c, c.c, c.t, r.r) FROM drift_col c, drift_role r
  UNION ALL
  SELECT 'function_grant', format('GRANT EXECUTE ON FUNCTION %s TO %s', f.f, r.r) FROM drift_fn f, drift_role r
  UNION ALL
  SELECT 'function_grant', format('REVOKE EXECUTE ON FUNCTION %s FROM %s', f.f, r.r) FROM drift_fn f JOIN pg_proc p ON p.oid = f.oid, drift_role r
   WHERE pg_temp.drift_holds(coalesce(p.proacl, acldefault('f', p.proowner)), r.r)
  UNION ALL
  SELECT 'sequence_grant', format('GRANT ALL ON SEQUENCE %s TO %s', c.oid::regclass, r.r)
    FROM pg_class c, drift_role r WHERE c.relnamespace = :'schema'::regnamespace AND c.relkind = 'S'
  UNION ALL
  SELECT 'schema_grant', format('GRANT %s ON SCHEMA %I TO %s', p, :'schema', r.r)
    FROM drift_role r, (VALUES ('CREATE'), ('USAGE')) v(p)
  UNION ALL
  SELECT 'schema_grant', format('REVOKE %s ON SCHEMA %I FROM %s', p, :'schema', r.r)
    FROM drift_role r, (VALUES ('CREATE'), ('USAGE')) v(p), pg_namespace n
   WHERE n.nspname = :'schema' AND pg_temp.drift_holds(coalesce(n.nspacl, acldefault('n', n.nspowner)), r.r)
  UNION ALL
  SELECT 'default_privileges', format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I %s ON %s %s %s', :'schema', g,
                                      o, CASE g WHEN 'GRANT ALL' THEN 'TO' ELSE 'FROM' END, r.r)
    FROM drift_role r, (VALUES ('GRANT ALL'), ('REVOKE ALL')) a(g), (VALUES ('TABLES'), ('SEQUENCES'), ('FUNCTIONS')) b(o)
  UNION ALL
  SELECT 'default_privileges', format('ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO %s', r.r)
    FROM drift_role r WHERE r.r <> 'PUBLIC'

  -- functions ------------------------------------------------------------------------
  UNION ALL
  SELECT 'overload_add',
         format('CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE plpgsql SECURITY DEFINER AS $drift_fn$BEGIN %s END$drift_fn$; GRANT EXECUTE ON FUNCTION %I.%I(%s) TO anon',
                :'schema', f.proname, concat_ws(', ', nullif(f.idargs, ''), 'drift_extra integer'), f.res,
                CASE WHEN f.res ~ '^(SETOF |TABLE\()' OR f.res = 'void' THEN 'RETURN;' ELSE 'RETURN NULL;' END,
                :'schema', f.proname, concat_ws(', ', nullif(f.idargs, ''), 'drift_extra integer'))
    FROM drift_fn f WHERE NOT f.is_trigger AND f.idargs !~ 'VARIADIC'
  UNION ALL
  SELECT 'function_alter', format('ALTER FUNCTION %s %s', f.f, CASE WHEN f.prosecdef THEN 'SECURITY INVOKER' ELSE 'SECURITY DEFINER' END)
    FROM drift_fn f
  UNION ALL
  SELECT 'function_alter', format('ALTER FUNCTION %s %s', f.f, CASE f.provolatile WHEN 'v' THEN 'STABLE' ELSE 'VOLATILE' END)
    FROM drift_fn f
  UNION ALL
  SELECT 'function_alter', format('ALTER FUNCTION %s %s', f.f,
                                  CASE WHEN f.proconfig IS NULL THEN 'SET search_path = public, pg_temp' ELSE 'RESET ALL' END)
    FROM drift_fn f
  UNION ALL
  SELECT 'function_body', format('SELECT pg_temp.drift_body(%L::regprocedure)', f.f) FROM drift_fn f WHERE NOT f.atomic
  UNION ALL
  SELECT 'function_drop', format('DROP FUNCTION %s CASCADE', f.f) FROM drift_fn f

  -- columns --------------------------------------------------------------------------
  UNION ALL
  SELECT 'column_default', format('ALTER TABLE %s ALTER COLUMN %s %s', c.t, c.c,
                                  CASE WHEN c.atthasdef THEN 'DROP DEFAULT' ELSE 'SET DEFAULT NULL' END)
    FROM drift_col c
  UNION ALL
  SELECT 'column_nullability', format('ALTER TABLE %s ALTER COLUMN %s %s', c.t, c.c,
                                      CASE WHEN c.attnotnull THEN 'DROP NOT NULL' ELSE 'SET NOT NULL' END)
    FROM drift_col c WHERE NOT c.in_pk

  -- comments -------------------------------------------------------------------------
  UNION ALL
  SELECT 'comment', format('COMMENT ON TABLE %s IS %L', t.t, 'drift') FROM drift_tab t
  UNION ALL
  SELECT 'comment', format('COMMENT ON COLUMN %s.%s IS NULL', c.t, c.c) FROM drift_col c
  UNION ALL
  SELECT 'comment', format('COMMENT ON FUNCTION %s IS %L', f.f, 'drift') FROM drift_fn f
  UNION ALL
  SELECT 'comment', format('COMMENT ON POLICY %I ON %s IS %L', p.polname, t.t, 'drift')
    FROM pg_policy p JOIN drift_tab t ON t.oid = p.polrelid
  UNION ALL
  SELECT 'comment', format('COMMENT ON TRIGGER %I ON %s IS %L', g.tgname, t.t, 'drift')
    FROM pg_trigger g JOIN drift_tab t ON t.oid = g.tgrelid WHERE NOT g.tgisinternal
  UNION ALL
  SELECT 'comment', format('COMMENT ON CONSTRAINT %I ON %s IS %L', k.conname, t.t, 'drift')
    FROM pg_constraint k JOIN drift_tab t ON t.oid = k.conrelid
  UNION ALL
  SELECT 'comment', format('COMMENT ON INDEX %s IS %L', i.indexrelid::regclass, 'drift')
    FROM pg_index i JOIN drift_tab t ON t.oid = i.indrelid
  UNION ALL
  SELECT 'comment', format('COMMENT ON TYPE %s IS %L', ty.oid::regtype, 'drift')
    FROM pg_type ty WHERE ty.typnamespace = :'schema'::regnamespace AND ty.typtype = 'e'

  -- table settings -------------------------------------------------------------------
  UNION ALL
  SELECT 'rls', format('ALTER TABLE %s %s ROW LEVEL SECURITY', t.t, CASE WHEN t.relrowsecurity THEN 'DISABLE' ELSE 'ENABLE' END)
    FROM drift_tab t
  UNION ALL
  SELECT 'rls', format('ALTER TABLE %s %s ROW LEVEL SECURITY', t.t, CASE WHEN t.relforcerowsecurity THEN 'NO FORCE' ELSE 'FORCE' END)
    FROM drift_tab t
  UNION ALL
  SELECT 'replica_identity', format('ALTER TABLE %s REPLICA IDENTITY %s', t.t, CASE WHEN t.relreplident = 'f' THEN 'DEFAULT' ELSE 'FULL' END)
    FROM drift_tab t
  UNION ALL
  SELECT 'publication', format('ALTER PUBLICATION supabase_realtime %s TABLE %s', CASE WHEN t.published THEN 'DROP' ELSE 'ADD' END, t.t)
    FROM drift_tab t WHERE EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime')

  -- views ------------------------------------------------------------------------------
  UNION ALL
  SELECT 'view_redefine', format('CREATE OR REPLACE VIEW %s AS SELECT * FROM (%s) drift_v', c.oid::regclass,
                                 rtrim(pg_get_viewdef(c.oid), '; ' || E'\n'))
    FROM pg_class c WHERE c.relnamespace = :'schema'::regnamespace AND c.relkind = 'v'
  UNION ALL
  SELECT 'view_redefine', format('ALTER VIEW %s %s', c.oid::regclass,
                                 CASE WHEN c.reloptions IS NULL THEN 'SET (security_barrier = true)' ELSE 'RESET (security_invoker, security_barrier)' END)
    FROM pg_class c WHERE c.relnamespace = :'schema'::regnamespace AND c.relkind = 'v'
) m
ORDER BY 1;

\if :has_cron
-- cron jobs ------------------------------------------------------------------------------
SELECT (kind || E'\t' || stmt) COLLATE "C" AS line FROM (
  SELECT 'cron' AS kind, format('SELECT cron.alter_job(%s, schedule := %L)', j.jobid, '7 7 7 * *') AS stmt
    FROM cron.job j WHERE j.jobname IS NOT NULL
  UNION ALL
  SELECT 'cron', format('SELECT cron.alter_job(%s, command := %L)', j.jobid, 'SELECT 1') FROM cron.job j WHERE j.jobname IS NOT NULL
  UNION ALL
  SELECT 'cron', format('SELECT cron.unschedule(%L)', j.jobname) FROM cron.job j WHERE j.jobname IS NOT NULL
  UNION ALL
  SELECT 'cron', format('SELECT cron.schedule(%L, %L, %L)', 'drift-' || substr(md5(f.f), 1, 8), '0 0 1 1 *',
                        format('SELECT %I.%I()', :'schema', f.proname))
    FROM drift_fn f WHERE NOT f.is_trigger
) m
ORDER BY 1;
\endif
ROLLBACK;
