-- live_lints.sql - the rules of Supabase's database linter that hqc also decides at compile
-- time (docs/lints.md), as queries against a live catalog, written for hqc's tests. One row per
-- finding: rule | level | object, where object is how `hqc check --format json` names it
-- (schema.table, schema.function, schema.table.constraint, extension name, bucket id).
--
--   psql -X -A -t -F '|' -v schemas="'public'" -f tests/lint/live_lints.sql DB
--
-- :schemas is the list of exposed schemas (PostgREST's db-schemas), as SQL literals.

\set ON_ERROR_STOP on
\if :{?schemas}
\else
\set schemas '''public'''
\endif

WITH
exposed AS (
  SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname IN (:schemas)
),
tables AS (
  SELECT c.oid, e.nspname, c.relname, c.relrowsecurity
    FROM pg_catalog.pg_class c JOIN exposed e ON e.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p')
),
-- Policies with the roles they apply to spelled out: PUBLIC (oid 0) applies to every role.
policies AS (
  SELECT p.oid, p.polrelid, p.polname, p.polcmd, p.polpermissive,
         pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual,
         pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS with_check,
         r.role
    FROM pg_catalog.pg_policy p
    CROSS JOIN LATERAL (
      SELECT CASE WHEN x = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x)::text END AS role
        FROM unnest(p.polroles) AS x
    ) r
),
client_policies AS (
  SELECT DISTINCT p.oid, p.polrelid, p.polname, p.polcmd, p.polpermissive, p.qual, p.with_check
    FROM policies p WHERE p.role IN ('public', 'anon', 'authenticated')
),
functions AS (
  SELECT p.oid, e.nspname, p.proname, p.prosecdef, p.proconfig, p.prorettype
    FROM pg_catalog.pg_proc p JOIN exposed e ON e.oid = p.pronamespace
   WHERE p.prokind = 'f'
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d          -- not an extension's own
                      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
),
-- An index as the foreign-key rule and the duplicate rule see it.
indexes AS (
  SELECT i.indexrelid, i.indrelid, i.indisunique, i.indkey, i.indclass, i.indcollation, i.indoption,
         pg_catalog.pg_get_expr(i.indexprs, i.indrelid) AS exprs,
         pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS pred,
         a.amname
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_am a ON a.oid = ic.relam
    JOIN tables t ON t.oid = i.indrelid
),
findings (rule, level, object) AS (
  -- Tables the API exposes without row level security.
  SELECT 'rls_disabled_in_public', 'ERROR', t.nspname || '.' || t.relname
    FROM tables t WHERE NOT t.relrowsecurity
  UNION ALL
  -- Policies that row level security, being off, ignores.
  SELECT DISTINCT 'policy_exists_rls_disabled', 'ERROR', t.nspname || '.' || t.relname
    FROM tables t JOIN pg_catalog.pg_policy p ON p.polrelid = t.oid
   WHERE NOT t.relrowsecurity
  UNION ALL
  SELECT 'rls_enabled_no_policy', 'INFO', t.nspname || '.' || t.relname
    FROM tables t
   WHERE t.relrowsecurity AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = t.oid)
  UNION ALL
  -- Permissive write policies for clients whose row test is the constant true.
  SELECT DISTINCT 'rls_policy_always_true', 'WARN', t.nspname || '.' || t.relname || ': ' || p.polname
    FROM client_policies p JOIN tables t ON t.oid = p.polrelid
   WHERE p.polpermissive AND p.polcmd IN ('a', 'w', 'd', '*')
     AND ((p.polcmd <> 'a' AND p.qual = 'true')
          OR (p.polcmd <> 'd' AND coalesce(p.with_check, p.qual) = 'true'))
  UNION ALL
  -- Several permissive policies a client role meets for one command.
  SELECT DISTINCT 'multiple_permissive_policies', 'WARN', t.nspname || '.' || t.relname
    FROM tables t
    JOIN LATERAL (
      SELECT r.role, c.cmd
        FROM policies p
        CROSS JOIN (VALUES ('anon'), ('authenticated')) r(role)
        CROSS JOIN (VALUES ('r'), ('a'), ('w'), ('d')) c(cmd)
       WHERE p.polrelid = t.oid AND p.polpermissive AND p.role IN ('public', r.role)
         AND p.polcmd IN (c.cmd, '*')
       GROUP BY r.role, c.cmd
      HAVING count(DISTINCT p.oid) > 1
    ) m ON true
  UNION ALL
  -- auth.* or current_setting() called per row: what is left after taking out the calls that
  -- PostgreSQL prints as a sub-select of their own, "( SELECT auth.uid() AS uid)".
  SELECT DISTINCT 'auth_rls_initplan', 'WARN', t.nspname || '.' || t.relname || ': ' || p.polname
    FROM pg_catalog.pg_policy p JOIN tables t ON t.oid = p.polrelid
    CROSS JOIN LATERAL (
      SELECT regexp_replace(
               coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') || ' ' ||
               coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), ''),
               '\( SELECT (auth\.(uid|jwt|role|email)\(\)|current_setting\([^()]*\)) AS [a-z_]+\)', '', 'g') AS rest
    ) x
   WHERE x.rest ~ '(auth\.(uid|jwt|role|email)\(\)|current_setting\()'
  UNION ALL
  SELECT DISTINCT 'rls_references_user_metadata', 'ERROR', t.nspname || '.' || t.relname || ': ' || p.polname
    FROM pg_catalog.pg_policy p JOIN tables t ON t.oid = p.polrelid
   WHERE concat(pg_catalog.pg_get_expr(p.polqual, p.polrelid), ' ',
                pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)) ~ 'user_meta(data|_data)'
  UNION ALL
  SELECT 'anon_security_definer_function_executable', 'WARN', f.nspname || '.' || f.proname
    FROM functions f
   WHERE f.prosecdef AND pg_catalog.has_function_privilege('anon', f.oid, 'EXECUTE')
  UNION ALL
  SELECT 'authenticated_security_definer_function_executable', 'WARN', f.nspname || '.' || f.proname
    FROM functions f
   WHERE f.prosecdef AND pg_catalog.has_function_privilege('authenticated', f.oid, 'EXECUTE')
  UNION ALL
  SELECT 'function_search_path_mutable', 'WARN', f.nspname || '.' || f.proname
    FROM functions f
   WHERE NOT EXISTS (SELECT 1 FROM unnest(f.proconfig) s WHERE s LIKE 'search_path=%')
  UNION ALL
  -- Views that read their tables with the owner's rights.
  SELECT 'security_definer_view', 'ERROR', e.nspname || '.' || c.relname
    FROM pg_catalog.pg_class c JOIN exposed e ON e.oid = c.relnamespace
   WHERE c.relkind = 'v'
     AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true']
                      OR c.reloptions @> ARRAY['security_invoker=on'], false)
  UNION ALL
  SELECT 'extension_in_public', 'WARN', x.extname
    FROM pg_catalog.pg_extension x WHERE x.extnamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'no_primary_key', 'INFO', t.nspname || '.' || t.relname
    FROM tables t
   WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'p')
  UNION ALL
  -- Foreign keys without a btree index that leads with their columns (in any order) and holds
  -- every row a lookup can match: no predicate, or "col IS NOT NULL" of a one-column key.
  SELECT 'unindexed_foreign_keys', 'INFO', t.nspname || '.' || t.relname || '.' || k.conname
    FROM pg_catalog.pg_constraint k JOIN tables t ON t.oid = k.conrelid
   WHERE k.contype = 'f'
     AND NOT EXISTS (
       SELECT 1 FROM indexes i
        WHERE i.indrelid = k.conrelid AND i.amname = 'btree'
          AND (SELECT array_agg(a ORDER BY a) FROM unnest((i.indkey::int2[])[0:cardinality(k.conkey) - 1]) a)
              = (SELECT array_agg(a ORDER BY a) FROM unnest(k.conkey) a)
          AND (i.pred IS NULL
               OR (cardinality(k.conkey) = 1
                   AND i.pred ~ ('^\(?' || (SELECT quote_ident(attname) FROM pg_catalog.pg_attribute
                                             WHERE attrelid = k.conrelid AND attnum = k.conkey[1])
                                 || ' IS NOT NULL\)?$'))))
  UNION ALL
  -- Indexes that are the same but for their name: the later ones are duplicates.
  SELECT 'duplicate_index', 'WARN', t.nspname || '.' || t.relname || '.' || ic.relname
    FROM indexes i
    JOIN tables t ON t.oid = i.indrelid
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
   WHERE EXISTS (SELECT 1 FROM indexes o
                  WHERE o.indrelid = i.indrelid AND o.indexrelid < i.indexrelid
                    AND o.amname = i.amname AND o.indisunique = i.indisunique
                    AND o.indkey::text = i.indkey::text AND o.indclass::text = i.indclass::text
                    AND o.indcollation::text = i.indcollation::text AND o.indoption::text = i.indoption::text
                    AND o.exprs IS NOT DISTINCT FROM i.exprs AND o.pred IS NOT DISTINCT FROM i.pred)
)
SELECT rule, level, object FROM findings ORDER BY 1, 3;

-- Public buckets whose objects clients may list through a SELECT policy on storage.objects
-- (one that names the bucket, or does not look at bucket_id at all).
SELECT pg_catalog.to_regclass('storage.buckets') IS NOT NULL
       AND pg_catalog.to_regclass('storage.objects') IS NOT NULL AS has_storage \gset
\if :has_storage
SELECT DISTINCT 'public_bucket_allows_listing', 'WARN', b.id
  FROM storage.buckets b
  JOIN pg_catalog.pg_policy p ON p.polrelid = 'storage.objects'::regclass
 WHERE b.public AND p.polpermissive AND p.polcmd IN ('r', '*')
   AND EXISTS (SELECT 1 FROM unnest(p.polroles) r
                WHERE r = 0 OR pg_catalog.pg_get_userbyid(r) IN ('anon', 'authenticated'))
   AND (pg_catalog.pg_get_expr(p.polqual, p.polrelid) !~ 'bucket_id'
        OR strpos(pg_catalog.pg_get_expr(p.polqual, p.polrelid), quote_literal(b.id)) > 0)
 ORDER BY 3;
\endif
