-- Deterministic description of a database's user-visible catalog, one fact
-- per line, for `diff` between two databases (fresh install vs. upgraded,
-- before vs. after a re-run of the migrations, ...).
--
--   tests/pg/catalog.sh DBNAME > snapshot.txt
--   psql -X -v ON_ERROR_STOP=1 -d DBNAME -f tests/pg/catalog.sql > snapshot.txt
--
-- What it covers:
--   * every schema that is not a system schema, not created by an extension,
--     not one of Supabase's auth / storage and not hqc's own (its runtime
--     and bookkeeping) ("user schemas", normally public and extensions): relations, columns, constraints, indexes,
--     triggers, policies, functions, enum and domain types, sequences,
--     comments, ACLs (tables, columns, functions, schemas, sequences, also
--     the sequences behind identity columns), row counts;
--   * tables of auth / storage: RLS flags, triggers, policies, ACLs, indexes
--     and constraints (their columns belong to Supabase, here to the
--     compatibility layer; the indexes and constraints show that a migration
--     left what it does not own alone);
--   * not schema hqc: hqc's own bookkeeping (hqc apply's history, its
--     runtime), so a database built by hqc apply compares equal to one built
--     from the files;
--   * extensions, default ACLs, publications and their members, pg_cron jobs
--     (if schema cron exists), storage buckets (if storage.buckets exists).
-- Objects that belong to an extension (pgcrypto's functions, pg_cron's
-- tables, ...) are left out.
--
-- It never prints OIDs or anything else that changes when the same schema is
-- built again: ACLs are exploded and sorted (grant order does not matter, an
-- explicit ACL equal to the default prints like the default), enum labels and
-- columns print their rank rather than enumsortorder / attnum, cron jobs omit
-- jobid, buckets omit timestamps. All names print schema-qualified
-- (search_path is pg_catalog while it runs). Newlines inside values print as
-- \n, so every fact is one line.
--
-- Options: -v columns_by_name=1 lists columns by name without their position,
-- for comparing tables whose columns were added in a different order;
-- -v exclude_schemas=a,b leaves those schemas out entirely (their objects,
-- ACLs, default ACLs and comments), e.g. hqc's own bookkeeping schema `hqc`.
--
-- The script only reads (one READ ONLY transaction; SET LOCAL, so nothing
-- leaks into PGlite's shared session). Run it as a superuser, so that row
-- counts ignore RLS.

\set ON_ERROR_STOP on
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset pager off
\if :{?columns_by_name}
\set hq_colsort name
\else
\set hq_colsort position
\endif
\if :{?exclude_schemas}
\set hq_exclude :exclude_schemas
\else
\set hq_exclude ''
\endif

BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY;
SET LOCAL search_path = pg_catalog;

SELECT to_regclass('cron.job') IS NOT NULL AS hq_has_cron,
       to_regclass('storage.buckets') IS NOT NULL AS hq_has_buckets
\gset

WITH
-- Objects owned by an extension.
ext_member AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
-- Schemas described in full.
user_nsp AS (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl
  FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'auth', 'storage', 'hqc')
    AND n.nspname !~ '^pg_(temp|toast_temp)_'
    AND n.nspname <> ALL (string_to_array(:'hq_exclude', ','))
    AND NOT EXISTS (SELECT 1 FROM ext_member e
                    WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid)
),
-- Supabase-owned schemas: only triggers, policies, RLS flags and ACLs.
ext_nsp AS (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl
  FROM pg_namespace n WHERE n.nspname IN ('auth', 'storage')
),
rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relowner, c.relacl, c.relpersistence,
         c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.reloptions,
         c.relispartition, c.relpartbound,
         c.oid::regclass::text AS ident,
         n.oid IN (SELECT oid FROM user_nsp) AS is_full
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE (n.oid IN (SELECT oid FROM user_nsp)
         OR (n.oid IN (SELECT oid FROM ext_nsp) AND c.relkind IN ('r', 'p')))
    AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
    AND NOT EXISTS (SELECT 1 FROM ext_member e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
    -- Sequences behind identity columns show up as the column's identity.
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i'
                      AND c.relkind = 'S')
),
fn AS (
  SELECT p.*, p.oid::regprocedure::text AS ident
  FROM pg_proc p
  WHERE p.pronamespace IN (SELECT oid FROM user_nsp)
    AND NOT EXISTS (SELECT 1 FROM ext_member e
                    WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
),
typ AS (
  SELECT t.*, format_type(t.oid, NULL) AS ident
  FROM pg_type t
  WHERE t.typnamespace IN (SELECT oid FROM user_nsp)
    AND t.typtype IN ('e', 'd')
    AND NOT EXISTS (SELECT 1 FROM ext_member e
                    WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
),
-- Every ACL, made explicit (NULL means the built-in default).
acl AS (
  SELECT nspname AS obj, 'schema ' || quote_ident(nspname) AS what,
         coalesce(nspacl, acldefault('n'::"char", nspowner)) AS acl
  FROM (SELECT * FROM user_nsp UNION ALL SELECT * FROM ext_nsp) s
  UNION ALL
  SELECT ident, CASE relkind WHEN 'S' THEN 'sequence ' ELSE 'table ' END || ident,
         coalesce(relacl, acldefault((CASE relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", relowner))
  FROM rel WHERE relkind <> 'c'
  UNION ALL
  SELECT r.ident, 'column ' || r.ident || '.' || quote_ident(a.attname), a.attacl
  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid
  WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT ident, 'function ' || ident, coalesce(proacl, acldefault('f'::"char", proowner))
  FROM fn
  UNION ALL
  -- The sequence behind an identity column, named by its column (setval on it
  -- is a privilege like any other).
  SELECT r.ident, 'identity sequence of ' || r.ident || '.' || quote_ident(a.attname),
         coalesce(s.relacl, acldefault('s'::"char", s.relowner))
  FROM rel r
  JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity <> ''
  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = r.oid AND d.refobjsubid = a.attnum
                  AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  WHERE r.is_full
),
facts(obj, sec, ord, line) AS (
  -- schemas -----------------------------------------------------------------
  SELECT nspname, 0, 0,
         format('schema %I owner=%s', nspname, pg_get_userbyid(nspowner))
  FROM (SELECT * FROM user_nsp UNION ALL SELECT * FROM ext_nsp) s

  -- extensions --------------------------------------------------------------
  UNION ALL
  SELECT '', 0, 0, format('extension %I schema=%I', x.extname, n.nspname)
  FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
  WHERE x.extname <> 'plpgsql'

  -- relations -----------------------------------------------------------------
  UNION ALL
  SELECT r.ident, 1, 0, concat_ws(' ',
    'relation', r.ident,
    CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned-table'
      WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized-view' WHEN 'S' THEN 'sequence'
      WHEN 'f' THEN 'foreign-table' WHEN 'c' THEN 'composite-type' END,
    CASE r.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary' END,
    CASE WHEN r.relkind IN ('r', 'p') THEN
      format('rls=%s force_rls=%s replica_identity=%s',
        CASE WHEN r.relrowsecurity THEN 'on' ELSE 'off' END,
        CASE WHEN r.relforcerowsecurity THEN 'on' ELSE 'off' END,
        CASE r.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing'
          WHEN 'f' THEN 'full'
          ELSE 'index:' || coalesce((SELECT quote_ident(ic.relname) FROM pg_index i
                                     JOIN pg_class ic ON ic.oid = i.indexrelid
                                     WHERE i.indrelid = r.oid AND i.indisreplident), '?')
        END)
    END,
    'owner=' || pg_get_userbyid(r.relowner),
    'options=' || array_to_string(r.reloptions, ','),
    'partition_by=' || pg_get_partkeydef(r.oid),
    CASE WHEN r.relispartition THEN
      format('partition_of=%s %s',
             (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = r.oid),
             pg_get_expr(r.relpartbound, r.oid))
    END,
    CASE WHEN r.relkind IN ('v', 'm') THEN 'definition_md5=' || md5(pg_get_viewdef(r.oid)) END,
    (SELECT format('type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s',
                   format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                   s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
     FROM pg_sequence s WHERE s.seqrelid = r.oid),
    (SELECT 'owned_by=' || d.refobjid::regclass::text || '.' || quote_ident(a.attname)
     FROM pg_depend d
     JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
     WHERE r.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = r.oid
       AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a')
  )
  FROM rel r

  -- columns -------------------------------------------------------------------
  UNION ALL
  SELECT r.ident, 2,
         CASE WHEN :'hq_colsort' = 'name' THEN 0 ELSE a.attnum END,
         concat_ws(' ',
           'column', r.ident,
           CASE WHEN :'hq_colsort' = 'position' THEN
             (row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum))::text END,
           quote_ident(a.attname),
           format_type(a.atttypid, a.atttypmod),
           CASE WHEN a.attcollation <> t.typcollation THEN
             (SELECT format('COLLATE %I.%I', cn.nspname, co.collname)
              FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
              WHERE co.oid = a.attcollation) END,
           CASE WHEN a.attnotnull THEN 'NOT NULL' END,
           CASE WHEN a.attgenerated = 's'
                THEN 'GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                ELSE 'DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) END,
           CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                              WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END)
  FROM rel r
  JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  WHERE r.is_full AND r.relkind <> 'S'

  -- constraints (tables and domains) ---------------------------------------
  UNION ALL
  SELECT r.ident, 3, 0,
         format('constraint %s %I %s', r.ident, c.conname, pg_get_constraintdef(c.oid))
  FROM rel r JOIN pg_constraint c ON c.conrelid = r.oid
  UNION ALL
  SELECT t.ident, 3, 0,
         format('constraint %s %I %s', t.ident, c.conname, pg_get_constraintdef(c.oid))
  FROM typ t JOIN pg_constraint c ON c.contypid = t.oid

  -- indexes -------------------------------------------------------------------
  UNION ALL
  SELECT r.ident, 4, 0, concat_ws(' ', 'index', r.ident, pg_get_indexdef(i.indexrelid),
                                  CASE WHEN i.indisclustered THEN '(clustered)' END,
                                  CASE WHEN NOT i.indisvalid THEN '(invalid)' END)
  FROM rel r JOIN pg_index i ON i.indrelid = r.oid

  -- triggers ------------------------------------------------------------------
  UNION ALL
  SELECT r.ident, 5, 0, concat_ws(' ', 'trigger', r.ident, pg_get_triggerdef(g.oid),
    CASE g.tgenabled WHEN 'D' THEN '(disabled)' WHEN 'R' THEN '(enabled replica)'
                     WHEN 'A' THEN '(enabled always)' END)
  FROM rel r JOIN pg_trigger g ON g.tgrelid = r.oid
  WHERE NOT g.tgisinternal

  -- policies ------------------------------------------------------------------
  UNION ALL
  SELECT r.ident, 6, 0, concat_ws(' ',
    'policy', r.ident, quote_ident(p.polname),
    CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
    'FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                            WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
    'TO ' || (SELECT string_agg(CASE WHEN ro = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(ro)) END,
                                ', ' ORDER BY CASE WHEN ro = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(ro)::text END)
              FROM unnest(p.polroles) AS ro),
    'USING (' || pg_get_expr(p.polqual, p.polrelid) || ')',
    'WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
  FROM rel r JOIN pg_policy p ON p.polrelid = r.oid

  -- functions -----------------------------------------------------------------
  UNION ALL
  SELECT f.ident, 1, 0, concat_ws(' ',
    'function', f.ident,
    CASE f.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure'
                   WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window' END,
    'args=(' || pg_get_function_arguments(f.oid) || ')',
    'returns=' || pg_get_function_result(f.oid),
    'language=' || (SELECT lanname FROM pg_language WHERE oid = f.prolang),
    'volatility=' || CASE f.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable'
                                        ELSE 'volatile' END,
    'strict=' || CASE WHEN f.proisstrict THEN 'yes' ELSE 'no' END,
    'security=' || CASE WHEN f.prosecdef THEN 'definer' ELSE 'invoker' END,
    'leakproof=' || CASE WHEN f.proleakproof THEN 'yes' ELSE 'no' END,
    'parallel=' || CASE f.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted'
                                      ELSE 'unsafe' END,
    'config=' || array_to_string(f.proconfig, ','),
    'owner=' || pg_get_userbyid(f.proowner),
    'body_md5=' || md5(coalesce(pg_get_function_sqlbody(f.oid), f.prosrc)))
  FROM fn f

  -- types ---------------------------------------------------------------------
  UNION ALL
  SELECT t.ident, 1, 0,
         format('enum %s: %s', t.ident,
                (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                 FROM pg_enum e WHERE e.enumtypid = t.oid))
  FROM typ t WHERE t.typtype = 'e'
  UNION ALL
  SELECT t.ident, 1, 0, concat_ws(' ',
    'domain', t.ident, format_type(t.typbasetype, t.typtypmod),
    CASE WHEN t.typnotnull THEN 'NOT NULL' END,
    'DEFAULT ' || t.typdefault,
    'owner=' || pg_get_userbyid(t.typowner))
  FROM typ t WHERE t.typtype = 'd'

  -- ACLs ----------------------------------------------------------------------
  UNION ALL
  SELECT a.obj, 7, 0,
         format('acl %s to %s: %s by %s', a.what,
                CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
                string_agg(x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END,
                           ',' ORDER BY x.privilege_type),
                quote_ident(pg_get_userbyid(x.grantor)))
  FROM acl a, aclexplode(a.acl) x
  GROUP BY a.obj, a.what, x.grantee, x.grantor

  UNION ALL
  SELECT '', 8, 0,
         format('default_acl for %s in %s on %s to %s: %s by %s',
                quote_ident(pg_get_userbyid(d.defaclrole)),
                coalesce((SELECT quote_ident(nspname) FROM pg_namespace WHERE oid = d.defaclnamespace),
                         '(all schemas)'),
                CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
                  WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' END,
                CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
                string_agg(x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END,
                           ',' ORDER BY x.privilege_type),
                quote_ident(pg_get_userbyid(x.grantor)))
  FROM pg_default_acl d, aclexplode(d.defaclacl) x
  WHERE coalesce((SELECT nspname FROM pg_namespace WHERE oid = d.defaclnamespace), '')
        <> ALL (string_to_array(:'hq_exclude', ','))
    AND d.defaclnamespace IS DISTINCT FROM to_regnamespace('hqc')::oid
  GROUP BY d.defaclrole, d.defaclnamespace, d.defaclobjtype, x.grantee, x.grantor

  -- comments ------------------------------------------------------------------
  UNION ALL
  SELECT CASE d.classoid
           WHEN 'pg_class'::regclass THEN d.objoid::regclass::text
           WHEN 'pg_proc'::regclass THEN d.objoid::regprocedure::text
           WHEN 'pg_type'::regclass THEN format_type(d.objoid, NULL)
           WHEN 'pg_namespace'::regclass THEN o.name
           ELSE o.identity END, 9, 0,
         format('comment %s %s: %s', o.type, o.identity, d.description)
  FROM pg_description d
  CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
  WHERE d.objoid >= 16384            -- user objects only (FirstNormalObjectId)
    AND d.classoid <> 'pg_extension'::regclass
    AND coalesce(o.schema, '') NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'hqc')
    AND coalesce(o.schema, '') <> ALL (string_to_array(:'hq_exclude', ','))
    AND NOT (d.classoid = 'pg_namespace'::regclass
             AND o.identity = ANY (string_to_array(:'hq_exclude', ',')))
    AND NOT (d.classoid = 'pg_namespace'::regclass AND o.identity = 'hqc')
    AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = d.classoid AND e.objid = d.objoid)
    AND NOT EXISTS (SELECT 1 FROM ext_member e JOIN pg_namespace n
                    ON e.classid = 'pg_namespace'::regclass AND e.objid = n.oid
                    WHERE n.nspname = o.schema)

  -- publications --------------------------------------------------------------
  UNION ALL
  SELECT '', 10, 0, format('publication %I all_tables=%s publish=%s via_root=%s owner=%s',
    p.pubname, p.puballtables,
    concat_ws(',', CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
              CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END),
    p.pubviaroot, pg_get_userbyid(p.pubowner))
  FROM pg_publication p
  UNION ALL
  SELECT '', 10, 0, concat_ws(' ',
    'publication', quote_ident(p.pubname), 'table', pr.prrelid::regclass::text,
    (SELECT '(' || string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) || ')'
     FROM pg_attribute a
     WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs::int2[])),
    'WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')')
  FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
  UNION ALL
  SELECT '', 10, 0, format('publication %I schema %I', p.pubname, n.nspname)
  FROM pg_publication_namespace pn
  JOIN pg_publication p ON p.oid = pn.pnpubid
  JOIN pg_namespace n ON n.oid = pn.pnnspid

  -- row counts (exact; query_to_xml runs the count without a DO block) -------
  UNION ALL
  SELECT r.ident, 11, 0,
         format('rows %s %s', r.ident,
                (regexp_match(query_to_xml(format('SELECT count(*) AS n FROM %s', r.ident),
                                           false, true, '')::text, '<n>(\d+)</n>'))[1])
  FROM rel r WHERE r.is_full AND r.relkind IN ('r', 'p')
)
SELECT replace(replace(replace(line, E'\n', '\n'), E'\r', '\r'), E'\t', '\t')
FROM facts
ORDER BY obj COLLATE "C", sec, ord, line COLLATE "C";

\if :hq_has_cron
SELECT replace(replace(format('cron_job %s schedule=%s command=%s active=%s user=%s',
                              coalesce(quote_ident(jobname), '(unnamed)'), quote_literal(schedule),
                              quote_literal(command), active, username),
                       E'\n', '\n'), E'\r', '\r')
FROM cron.job
ORDER BY jobname COLLATE "C", schedule COLLATE "C", command COLLATE "C";
\endif

\if :hq_has_buckets
SELECT format('bucket %s %s', quote_literal(b.id),
              to_jsonb(b) - 'id' - 'created_at' - 'updated_at')
FROM storage.buckets b
ORDER BY b.id COLLATE "C";
\endif

COMMIT;
