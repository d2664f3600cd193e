-- Supabase compatibility layer for hqc tests.
--
-- Gives a plain PostgreSQL database (or PGlite) the parts of a Supabase
-- project that the HQ schema relies on: the API roles, schemas extensions /
-- auth / storage with the tables and helper functions migrations reference,
-- publication supabase_realtime, pg_cron where the server has it, and
-- Supabase's search_path. It is a stand-in, not a copy: only what the schema
-- touches, with Supabase's names, types and behaviour.
--
--   psql -X -v ON_ERROR_STOP=1 -d DB -f tests/pg/supabase_compat.sql
--
-- Load it as a superuser. It is idempotent (load it any number of times) and
-- runs in one transaction. Optional psql variable:
--   -v supabase_platform_grants=on   also add the default privileges that the
--       Supabase platform gives in schema public (ALL to anon, authenticated,
--       service_role). Off by default, so tests see exactly what the
--       migrations themselves grant.
--
-- Same file for PGlite: pg_cron is skipped when the server lacks it, and
-- nothing needs a login role. pgTAP and plpgsql_check are installed on the
-- test cluster but not created here (Supabase does not enable them by
-- default either): CREATE EXTENSION pgtap SCHEMA extensions; and
-- CREATE EXTENSION plpgsql_check; where a test needs them.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;

-- ---------------------------------------------------------------- roles
-- Roles are cluster-wide, so loads into several databases of one cluster at
-- the same time would race on them ("tuple concurrently updated"). A
-- self-conflicting lock on the shared catalog pg_authid serializes the loads
-- until COMMIT; logins and reads of pg_authid are not blocked.
LOCK TABLE pg_catalog.pg_authid IN SHARE ROW EXCLUSIVE MODE;

-- Create each role once, and give it Supabase's attributes if it lacks them.
DO $compat$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT v.*, a.rolname IS NOT NULL AS present,
           a.rolcanlogin IS NOT DISTINCT FROM v.login
             AND a.rolinherit IS NOT DISTINCT FROM v.inherit
             AND a.rolbypassrls IS NOT DISTINCT FROM v.bypassrls AS ok
    FROM (VALUES
      ('anon',          false, false, false),
      ('authenticated', false, false, false),
      ('service_role',  false, false, true),
      -- What PostgREST logs in as before it SETs ROLE to one of the three.
      ('authenticator', true,  false, false)
    ) AS v(name, login, inherit, bypassrls)
    LEFT JOIN pg_catalog.pg_roles a ON a.rolname = v.name
  LOOP
    CONTINUE WHEN r.ok;
    EXECUTE format('%s ROLE %I %s %s %s',
                   CASE WHEN r.present THEN 'ALTER' ELSE 'CREATE' END, r.name,
                   CASE WHEN r.login THEN 'LOGIN' ELSE 'NOLOGIN' END,
                   CASE WHEN r.inherit THEN 'INHERIT' ELSE 'NOINHERIT' END,
                   CASE WHEN r.bypassrls THEN 'BYPASSRLS' ELSE 'NOBYPASSRLS' END);
  END LOOP;
END
$compat$;

-- The loading superuser (the "postgres" of a Supabase project) and the
-- authenticator may act as the API roles:
--   SET ROLE authenticated; SET request.jwt.claims = '{"sub": "...", ...}';
GRANT anon, authenticated, service_role TO authenticator;
GRANT anon, authenticated, service_role TO CURRENT_USER;

-- -------------------------------------------------------------- schemas
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS storage;
GRANT USAGE ON SCHEMA extensions, auth, storage TO anon, authenticated, service_role;

-- ----------------------------------------------------------- extensions
-- On Supabase pgcrypto and uuid-ossp live in schema extensions.
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA extensions;
DO $compat$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'uuid-ossp') THEN
    CREATE EXTENSION IF NOT EXISTS "uuid-ossp" SCHEMA extensions;
  END IF;
END
$compat$;

-- pg_cron can only be created where the server preloads it, and only in the
-- database named by cron.database_name (tests/pg/cluster.sh pre-creates it in
-- template1, so every database of a test cluster already has it). Elsewhere,
-- e.g. on PGlite or in a database made from template0, skip it: that is the
-- "pg_cron absent" case the schema must survive.
DO $compat$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron')
     AND EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_cron') THEN
    BEGIN
      CREATE EXTENSION pg_cron;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'supabase_compat: pg_cron not created in database %: %',
        current_database(), SQLERRM;
    END;
  END IF;
END
$compat$;

-- ----------------------------------------------------------------- auth
-- A subset of GoTrue's auth.users (same names and types), plus a default on
-- id so tests can insert users without inventing ids.
CREATE TABLE IF NOT EXISTS auth.users (
  instance_id          uuid,
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  aud                  varchar(255),
  role                 varchar(255),
  email                varchar(255),
  encrypted_password   varchar(255),
  email_confirmed_at   timestamptz,
  invited_at           timestamptz,
  confirmation_token   varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token       varchar(255),
  recovery_sent_at     timestamptz,
  last_sign_in_at      timestamptz,
  raw_app_meta_data    jsonb,
  raw_user_meta_data   jsonb,
  is_super_admin       boolean,
  created_at           timestamptz DEFAULT now(),
  updated_at           timestamptz DEFAULT now(),
  phone                text DEFAULT NULL,
  phone_confirmed_at   timestamptz,
  confirmed_at         timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,
  banned_until         timestamptz,
  deleted_at           timestamptz,
  is_sso_user          boolean NOT NULL DEFAULT false,
  is_anonymous         boolean NOT NULL DEFAULT false,
  CONSTRAINT users_pkey PRIMARY KEY (id),
  CONSTRAINT users_phone_key UNIQUE (phone)
);
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;

-- The JWT helpers, as Supabase defines them: PostgREST puts the verified
-- claims into the setting request.jwt.claims (older versions used one
-- setting per claim, request.jwt.claim.<name>, which still wins when set).
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

CREATE OR REPLACE FUNCTION auth.role() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

CREATE OR REPLACE FUNCTION auth.email() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt()
  TO anon, authenticated, service_role;

-- -------------------------------------------------------------- storage
CREATE TABLE IF NOT EXISTS storage.buckets (
  id                 text NOT NULL,
  name               text NOT NULL,
  owner              uuid,
  owner_id           text,
  public             boolean DEFAULT false,
  avif_autodetection boolean DEFAULT false,
  file_size_limit    bigint,
  allowed_mime_types text[],
  created_at         timestamptz DEFAULT now(),
  updated_at         timestamptz DEFAULT now(),
  CONSTRAINT buckets_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets USING btree (name);

CREATE TABLE IF NOT EXISTS storage.objects (
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  bucket_id        text,
  name             text,
  owner            uuid,
  owner_id         text,
  created_at       timestamptz DEFAULT now(),
  updated_at       timestamptz DEFAULT now(),
  last_accessed_at timestamptz DEFAULT now(),
  metadata         jsonb,
  user_metadata    jsonb,
  version          text,
  path_tokens      text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
  CONSTRAINT objects_pkey PRIMARY KEY (id),
  CONSTRAINT "objects_bucketId_fkey" FOREIGN KEY (bucket_id) REFERENCES storage.buckets (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects USING btree (bucket_id, name);
CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects USING btree (name text_pattern_ops);

-- Supabase Storage keeps RLS on and leaves the policies to the project.
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
GRANT ALL ON TABLE storage.buckets, storage.objects TO anon, authenticated, service_role;

-- Path helpers, as in Supabase Storage: foldername('a/b/c.png') = {a,b},
-- filename(...) = 'c.png', extension(...) = 'png'.
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  _parts text[];
BEGIN
  SELECT string_to_array(name, '/') INTO _parts;
  RETURN _parts[1 : array_length(_parts, 1) - 1];
END
$$;

CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  _parts text[];
BEGIN
  SELECT string_to_array(name, '/') INTO _parts;
  RETURN _parts[array_length(_parts, 1)];
END
$$;

CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  _parts text[];
  _filename text;
BEGIN
  SELECT string_to_array(name, '/') INTO _parts;
  SELECT _parts[array_length(_parts, 1)] INTO _filename;
  RETURN reverse(split_part(reverse(_filename), '.', 1));
END
$$;

-- ------------------------------------------------------------- realtime
DO $compat$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = 'supabase_realtime') THEN
    -- PGlite runs with wal_level=replica and would warn; the publication is
    -- still real catalog state, which is all tests look at.
    IF current_setting('wal_level') <> 'logical' THEN
      PERFORM set_config('client_min_messages', 'error', true);
    END IF;
    CREATE PUBLICATION supabase_realtime;
  END IF;
END
$compat$;

-- ------------------------------------------------------ platform grants
\if :{?supabase_platform_grants}
\if :supabase_platform_grants
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
\endif
\endif

-- ---------------------------------------------------------- search_path
-- Supabase sessions run with "$user", public, extensions: unqualified
-- references to extension objects (gen_random_bytes, vector_cosine_ops)
-- resolve. Make it the database default for new sessions, and set it in this
-- session too (on PGlite every connection shares this one session).
DO $compat$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path TO "$user", public, extensions',
                 current_database());
END
$compat$;
SET search_path TO "$user", public, extensions;

COMMIT;
RESET client_min_messages;
