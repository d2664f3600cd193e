#!/usr/bin/env bash
# Self-test of the database test harness: tests/pg/cluster.sh, lib.sh,
# supabase_compat.sql, catalog.sql/catalog.sh and the PGlite server.
#
#   tests/pg/selftest.sh
#
# Prints one "ok"/"not ok" line per check and "N passed, N failed[, N skipped]"
# at the end; exits non-zero when a check failed. The PGlite part is skipped
# when node is missing or HQC_SKIP_PGLITE=1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/hqc-selftest.XXXXXX")
hq_on_exit rm -rf "$work"

passed=0 failed=0 skipped=0

# check NAME CMD [ARGS...]: run one check; its output is shown only on failure.
check() {
	local name=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		passed=$((passed + 1))
		printf 'ok - %s\n' "$name"
	else
		failed=$((failed + 1))
		printf 'not ok - %s\n' "$name"
		sed 's/^/    /' "$work/out"
	fi
}

skip() {
	skipped=$((skipped + 1))
	printf 'ok - %s # SKIP %s\n' "$1" "$2"
}

# q DB SQL: one value, unaligned, no headers.
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# expect WANT CMD...: CMD prints exactly WANT.
expect() {
	local want=$1 got
	shift
	got=$("$@") || return 1
	[[ $got == "$want" ]] && return 0
	printf 'expected: %s\n     got: %s\n' "$want" "$got"
	return 1
}

# differ A B: the two files are not identical.
differ() { ! cmp -s "$1" "$2"; }

now_ms() { local t=${EPOCHREALTIME/[.,]/}; printf '%s\n' "$((t / 1000))"; }

# Checks too long for one line.
same_in_second_db() {
	pg_new_db selftest2 &&
		psql -X -q -d selftest2 -f "$work/objects.sql" &&
		diff -u "$work/cat1" <("$here/catalog.sh" selftest2)
}

cron_job_in_snapshot() {
	q selftest "SELECT cron.schedule('nightly', '0 3 * * *', 'SELECT 1')" &&
		"$here/catalog.sh" selftest -o "$work/cat2" &&
		grep -Fx "cron_job nightly schedule='0 3 * * *' command='SELECT 1' active=t user=postgres" "$work/cat2"
}

cron_schedule_unschedule() {
	expect t q selftest "SELECT cron.schedule('selftest-job', '*/5 * * * *', 'SELECT 1') > 0" &&
		expect 1 q selftest "SELECT count(*) FROM cron.job WHERE jobname = 'selftest-job'" &&
		expect t q selftest "SELECT cron.unschedule('selftest-job')" &&
		expect 0 q selftest 'SELECT count(*) FROM cron.job'
}

compat_without_cron() {
	q postgres 'CREATE DATABASE nocron TEMPLATE template0' &&
		pg_load_compat nocron &&
		expect 0 q nocron "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'" &&
		expect 1 q nocron "SELECT count(*) FROM pg_namespace WHERE nspname = 'storage'"
}

platform_grants() {
	pg_new_db platform -v supabase_platform_grants=on &&
		q platform "SELECT count(*) FROM pg_default_acl WHERE defaclnamespace = 'public'::regnamespace"
}

stop_cluster() {
	local dir=$HQC_PG_DIR
	"$here/cluster.sh" stop "$dir" && [[ ! -e $dir ]]
}

pglite_snapshot_stable() {
	"$here/catalog.sh" postgres -o "$work/lite1" &&
		diff -u "$work/lite1" <("$here/catalog.sh" postgres) &&
		grep -qx 'rows public.notes 2' "$work/lite1"
}

stop_pglite() {
	local dir=$HQC_PGLITE_DIR
	"$here/../pglite/stop.sh" "$dir" && [[ ! -e $dir ]]
}

# The objects of a typical migration: table, RLS policy, trigger, function.
cat >"$work/objects.sql" <<'SQL'
\set ON_ERROR_STOP on
CREATE TABLE public.notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL DEFAULT auth.uid(),
  body text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Own notes" ON public.notes FOR ALL TO authenticated
  USING (owner_id = auth.uid()) WITH CHECK (owner_id = auth.uid());
GRANT SELECT, INSERT, UPDATE, DELETE ON public.notes TO authenticated;
CREATE FUNCTION public.set_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER notes_updated_at BEFORE UPDATE ON public.notes
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
ALTER PUBLICATION supabase_realtime ADD TABLE public.notes;
INSERT INTO public.notes (owner_id, body) VALUES
  ('00000000-0000-0000-0000-0000000000a1', 'a1'),
  ('00000000-0000-0000-0000-0000000000b2', 'b2');
SQL

# ------------------------------------------------------------ PostgreSQL 15
t0=$(now_ms)
check "cluster starts" pg_start
printf '# cluster start took %s ms\n' "$(($(now_ms) - t0))"

if [[ -z ${PGHOST:-} ]]; then
	printf '%d passed, %d failed\n' "$passed" "$((failed + 1))"
	exit 1
fi

check "superuser over the Unix socket" expect postgres q postgres 'SELECT current_user'
check "password login over TCP 127.0.0.1" \
	expect 1 psql -X -A -t -q "$HQC_PG_TCP_URL" -c 'SELECT 1'
check "server runs as an unprivileged OS user" \
	expect f q postgres "SELECT pg_read_file('/proc/self/status') ~ E'\\nUid:\\t0\\t'"
check "pg_cron launcher runs in database postgres" \
	expect 1 q postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher' AND datname = 'postgres'"

check "pg_new_db creates a database with the compat layer" pg_new_db selftest
check "compat layer loads a second time" pg_load_compat selftest
check "compat layer roles" expect 'anon false false|authenticated false false|authenticator true false|service_role false true' \
	q selftest "SELECT string_agg(rolname || ' ' || rolcanlogin || ' ' || rolbypassrls, '|' ORDER BY rolname)
	            FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role', 'authenticator')"
# shellcheck disable=SC2016 # "$user" is the literal search_path entry
check "default search_path of a new session" expect '"$user", public, extensions' q selftest 'SHOW search_path'
check "pgcrypto in schema extensions, found through search_path" \
	expect 16 q selftest 'SELECT length(gen_random_bytes(16))'
check "pg_cron in a test database" expect 1 q selftest "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'"
check "auth.uid/role/jwt read request.jwt.claims" \
	expect '00000000-0000-0000-0000-0000000000a1|authenticated|true' \
	q selftest "SET request.jwt.claims = '{\"sub\": \"00000000-0000-0000-0000-0000000000a1\", \"role\": \"authenticated\", \"app_metadata\": {\"tenant_id\": \"x\"}}';
	            SELECT auth.uid() || '|' || auth.role() || '|' || (auth.jwt() -> 'app_metadata' ->> 'tenant_id' = 'x')"
check "auth.users takes a user with defaults" \
	expect 1 q selftest "INSERT INTO auth.users (email, raw_app_meta_data) VALUES ('a@example.com', '{}');
	                     SELECT count(*) FROM auth.users WHERE id IS NOT NULL AND created_at IS NOT NULL"
check "storage.foldername" expect '{tenant,sub}|c.png|png' \
	q selftest "SELECT storage.foldername('tenant/sub/c.png')::text || '|' || storage.filename('tenant/sub/c.png') || '|' || storage.extension('tenant/sub/c.png')"
check "RLS on storage.objects" \
	expect 'true|true' q selftest "SELECT string_agg(relrowsecurity::text, '|' ORDER BY relname) FROM pg_class WHERE oid IN ('storage.objects'::regclass, 'storage.buckets'::regclass)"
check "publication supabase_realtime exists and is empty" \
	expect 'false|0' q selftest "SELECT puballtables || '|' || (SELECT count(*) FROM pg_publication_rel WHERE prpubid = p.oid) FROM pg_publication p WHERE pubname = 'supabase_realtime'"

check "catalog snapshot" "$here/catalog.sh" selftest -o "$work/cat0"
check "compat layer loads a third time" pg_load_compat selftest
check "compat layer reload leaves the catalog unchanged" \
	diff -u "$work/cat0" <("$here/catalog.sh" selftest)
check "objects of a migration apply" psql -X -q -d selftest -f "$work/objects.sql"
check "catalog snapshot after the migration" "$here/catalog.sh" selftest -o "$work/cat1"
check "snapshot shows the change" differ "$work/cat0" "$work/cat1"
check "snapshot lists table, column, policy, trigger, function, acl, publication, rows" \
	grep -c -e '^relation public.notes table rls=on' -e '^column public.notes 3 body text NOT NULL$' \
		-e '^policy public.notes "Own notes" PERMISSIVE FOR ALL TO authenticated' \
		-e '^trigger public.notes CREATE TRIGGER notes_updated_at BEFORE UPDATE' \
		-e '^function public.set_updated_at() function ' \
		-e '^acl table public.notes to authenticated: DELETE,INSERT,SELECT,UPDATE by postgres$' \
		-e '^publication supabase_realtime table public.notes$' -e '^rows public.notes 2$' "$work/cat1"
check "snapshotting twice gives identical output" diff -u "$work/cat1" <("$here/catalog.sh" selftest)
check "same schema in a second database gives the same snapshot" same_in_second_db

check "RLS as authenticated: sees only own rows" expect 1 \
	q selftest "SET ROLE authenticated; SET request.jwt.claims = '{\"sub\": \"00000000-0000-0000-0000-0000000000a1\"}';
	            SELECT count(*) FROM public.notes"
check "RLS as service_role: bypasses RLS" expect 2 \
	q selftest "GRANT SELECT ON public.notes TO service_role; SET ROLE service_role; SELECT count(*) FROM public.notes"
check "authenticator logs in and switches role, as PostgREST does" expect authenticated \
	psql -X -A -t -q -U authenticator -d selftest -c 'SET ROLE authenticated' -c 'SELECT current_user'

check "cron.schedule / cron.unschedule" cron_schedule_unschedule
check "cron job appears in the snapshot" cron_job_in_snapshot
check "cron.schedule in database postgres" expect t \
	q postgres "SELECT cron.schedule('pg-job', '0 0 1 1 *', 'SELECT 1') > 0 AND cron.unschedule('pg-job')"

cat >"$work/plpgsql_check.sql" <<'SQL'
\set ON_ERROR_STOP on
CREATE EXTENSION IF NOT EXISTS plpgsql_check;
CREATE FUNCTION public.broken() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT no_such_column FROM public.notes LIMIT 1);
END
$$;
SELECT count(*) FROM plpgsql_check_function('public.broken()') AS m
WHERE m ~ 'column "no_such_column" does not exist';
SQL
check "plpgsql_check finds an error in a function body" \
	expect 1 psql -X -A -t -q -d selftest -f "$work/plpgsql_check.sql"
check "pgTAP runs" expect $'1..1\nok 1 - pgtap works' \
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d selftest -c 'CREATE EXTENSION IF NOT EXISTS pgtap SCHEMA extensions' \
		-c 'SELECT plan(1)' -c "SELECT ok(true, 'pgtap works')" -c 'SELECT * FROM finish()'

check "database from template0: no pg_cron, compat layer still loads" compat_without_cron

check "platform grants option adds default privileges" expect 3 platform_grants

t0=$(now_ms)
check "cluster stops and its directory is removed" stop_cluster
printf '# cluster stop took %s ms\n' "$(($(now_ms) - t0))"

# ------------------------------------------------------------------- PGlite
if [[ ${HQC_SKIP_PGLITE:-} == 1 ]]; then
	skip "PGlite server" "HQC_SKIP_PGLITE=1"
elif ! command -v node >/dev/null; then
	skip "PGlite server" "node is not installed"
else
	t0=$(now_ms)
	check "PGlite server starts" pglite_start
	printf '# PGlite start took %s ms\n' "$(($(now_ms) - t0))"
	if [[ ${PGHOST:-} == 127.0.0.1 ]]; then
		check "pgvector on PGlite" expect 0.00853986601633272 \
			q postgres "CREATE EXTENSION vector; SELECT '[1,2,3]'::vector <=> '[1,2,4]'::vector"
		check "compat layer loads on PGlite" pg_load_compat
		check "compat layer loads on PGlite a second time" pg_load_compat
		check "PGlite has pgcrypto in extensions, no pg_cron" expect 'extensions|0' \
			q postgres "SELECT (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto')
			            || '|' || (SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron')"
		check "migration objects apply on PGlite" psql -X -q -f "$work/objects.sql"
		check "catalog snapshot on PGlite is stable" pglite_snapshot_stable
		check "PGlite server stops" stop_pglite
	fi
fi

printf '%d passed, %d failed' "$passed" "$failed"
if ((skipped)); then printf ', %d skipped' "$skipped"; fi
printf '\n'
((failed == 0))
