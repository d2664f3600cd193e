#!/usr/bin/env bash
# HQ v37 -> v39 (modules 038 gateway backups, 039 knowledge library scope) as
# a real upgrade on PostgreSQL 15 (no pgvector). Database A is built by the v37
# migrations (compiled by this hqc from our v37 schema, tests/cases/hq_v37/)
# and gets rows (tests/cases/hq_v37/rows.sql): knowledge items of every
# scope / pinned combination in two tenants, gateways, agents, commands, links
# and chunks. The v39 files bring it forward, twice; database B is a fresh v39
# install, twice. Checks: every row is kept, unpinned workspace items (false
# or NULL) became library, pinned ones stayed workspace, agent items agent;
# `pinned` and its index are gone, the CHECK and the browse index are the new
# ones; A has B's catalog; the two change steps ran once on A, never on B; a
# second run changes neither catalog nor rows (a workspace item created after
# the upgrade stays workspace).
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
rc=0
ok() { echo "ok: $1"; }
fail() { echo "FAILED: $1"; rc=1; }
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
expect() { # DB WHAT WANT SQL
	local got
	got=$(q "$1" "$4") || { fail "$2: query failed"; return; }
	if [ "$got" = "$3" ]; then ok "$2"; else fail "$2: expected '$3', got '$got'"; fi
}

tests/cases/hq_v37/schemas.sh "$tmp/schema"
for v in v37 v39; do
	"$hqc" build -o "$tmp/$v" "$tmp/schema/$v" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
done
# 37 / 39 modules, each after hqc's runtime (000_hqc.sql).
[ "$(ls "$tmp/v37/migrations" | wc -l)" = 38 ] && [ "$(ls "$tmp/v39/migrations" | wc -l)" = 40 ] ||
	{ echo "FAILED: v37 / v39 builds do not have 37 / 39 modules"; exit 1; }

pg_start
pg_new_db upgraded
pg_new_db fresh

# One line per table of schema public: "table md5-of-its-rows", the rows as JSON without
# the columns 038/039 add or drop and without the scope the move changes (checked on its
# own); updated_at of knowledge_items is bumped by the move's UPDATE (the trigger).
rows() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" <<-'EOF'
		SELECT format($q$SELECT %L || ' ' || coalesce(md5(string_agg(j, ',' ORDER BY j)), 'empty')
		                  FROM (SELECT (to_jsonb(t) - 'pinned' - 'scope' - 'last_backup_at' - 'last_backup_size_bytes'
		                                %s)::text AS j FROM public.%I t) s$q$,
		              c.relname, CASE c.relname WHEN 'knowledge_items' THEN $$- 'updated_at'$$ ELSE '' END, c.relname)
		  FROM pg_class c
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> '_schema_version'
		 ORDER BY c.relname
		\gexec
	EOF
}
scopes() { q "$1" "SELECT string_agg(title || '=' || scope, ', ' ORDER BY id) FROM public.knowledge_items"; }
catalog() { tests/pg/catalog.sh "$1" -v columns_by_name=1 | grep -v '^rows '; }
steps() { grep 'change of module' "$1" | sed 's/^.*NOTICE: *//' || true; }

echo "apply: v37 to database A, then rows"
pg_apply "$tmp/v37/migrations" upgraded "$tmp/v37.log"
psql -X -q -v ON_ERROR_STOP=1 -d upgraded -f tests/cases/hq_v37/rows.sql >/dev/null
expect upgraded "A is at v37: knowledge_items.pinned, the two-value scope CHECK, no gateway backup columns" \
	"1|CHECK ((scope = ANY (ARRAY['workspace'::text, 'agent'::text])))|0" \
	"SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.knowledge_items'::regclass AND attname = 'pinned' AND NOT attisdropped)
	   || '|' || (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'knowledge_items_scope_check')
	   || '|' || (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.gateways'::regclass AND attname LIKE 'last_backup%')"
rows upgraded >"$tmp/rows_before.txt"
n=$(grep -c -v ' empty$' "$tmp/rows_before.txt" || true)
if [ "$n" -ge 9 ]; then ok "$n tables of the v37 database hold rows"; else fail "only $n tables hold rows"; fi

echo "apply: v39 to A (upgrade) twice, and to B (fresh) twice"
pg_apply "$tmp/v39/migrations" upgraded "$tmp/up1.log"
catalog upgraded >"$tmp/a1.txt"
rows upgraded >"$tmp/rows_after.txt"
scopes upgraded >"$tmp/scopes1.txt"
psql -X -q -v ON_ERROR_STOP=1 -d upgraded \
	-c "INSERT INTO public.knowledge_items (id, kind, title) VALUES ('4c000000-0000-0000-0000-00000000000a', 'page', 'new after upgrade')"
rows upgraded >"$tmp/rows_mid.txt"
pg_apply "$tmp/v39/migrations" upgraded "$tmp/up2.log"
rows upgraded >"$tmp/rows_again.txt"
pg_apply "$tmp/v39/migrations" fresh "$tmp/fresh1.log"
pg_apply "$tmp/v39/migrations" fresh "$tmp/fresh2.log"

echo "check: change steps"
want="hqc: drop index idx_knowledge_items_pinned (change of module 039_knowledge_library_scope)
hqc: drop column knowledge_items.pinned (after moving its data) (change of module 039_knowledge_library_scope)"
if [ "$(steps "$tmp/up1.log")" = "$want" ]; then ok "the upgrade ran the two steps of 039 once: drop index, move + drop column"
else fail "upgrade steps:"; steps "$tmp/up1.log"; fi
for log in up2 fresh1 fresh2; do
	if [ -z "$(steps "$tmp/$log.log")" ]; then ok "no change step ran on $log"
	else fail "$log ran change steps:"; steps "$tmp/$log.log"; fi
done

echo "check: rows"
# Re-running 016 gives agents without a budget row one (its backfill data step, as in HQ):
# the agents added after the v37 install get theirs now. Every other table is unchanged.
if diff -u <(grep -v '^agent_budgets ' "$tmp/rows_before.txt") <(grep -v '^agent_budgets ' "$tmp/rows_after.txt"); then
	ok "every row of the other $(($(wc -l <"$tmp/rows_after.txt") - 1)) tables kept (apart from scope, pinned and the new columns)"
else fail "rows changed by the upgrade (- before, + after)"; fi
expect upgraded "agent_budgets: the backfill of 016 gave both agents a budget" "2|2" \
	"SELECT (SELECT count(*) FROM public.agent_budgets) || '|' || (SELECT count(*) FROM public.agents)"
want="workspace pinned=workspace, workspace unpinned=library, workspace pinned null=library, agent pinned=agent, agent unpinned=agent, agent pinned null=agent, workspace pinned, other tenant=workspace, workspace unpinned, archived=library, defaults=library"
if [ "$(cat "$tmp/scopes1.txt")" = "$want" ]; then
	ok "scopes moved: unpinned workspace items (false or NULL) are library, pinned stay workspace, agent untouched"
else fail "scopes after the upgrade: $(cat "$tmp/scopes1.txt")"; fi
expect upgraded "gateways: the backup columns are NULL on every row" "3|0" \
	"SELECT count(*) || '|' || count(*) FILTER (WHERE last_backup_at IS NOT NULL OR last_backup_size_bytes IS NOT NULL) FROM public.gateways"
expect upgraded "schema versions 38 and 39 recorded" "38 Gateway backups|39 Knowledge library scope" \
	"SELECT string_agg(version || ' ' || description, '|' ORDER BY version) FROM public._schema_version WHERE version > 25"

echo "check: catalog"
expect upgraded "pinned and idx_knowledge_items_pinned are gone" "0|0" \
	"SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.knowledge_items'::regclass AND attname = 'pinned' AND NOT attisdropped)
	   || '|' || (SELECT count(*) FROM pg_class WHERE relname = 'idx_knowledge_items_pinned')"
expect upgraded "the scope CHECK accepts library, under its name" \
	"CHECK ((scope = ANY (ARRAY['workspace'::text, 'agent'::text, 'library'::text])))" \
	"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'knowledge_items_scope_check'"
expect upgraded "the browse index is rebuilt under its name without pinned" \
	"CREATE INDEX idx_knowledge_items_browse ON public.knowledge_items USING btree (tenant_id, kind, updated_at DESC) WHERE (archived_at IS NULL)" \
	"SELECT pg_get_indexdef('public.idx_knowledge_items_browse'::regclass)"
expect upgraded "command_action ends with backup_gateway" "collection_record_update,backup_gateway" \
	"SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM (SELECT * FROM pg_enum WHERE enumtypid = 'public.command_action'::regtype
	   ORDER BY enumsortorder DESC LIMIT 2) e"
expect upgraded "bucket gateway-backups (private) and its service-role policy" "false|ALL {service_role}" \
	"SELECT (SELECT public FROM storage.buckets WHERE id = 'gateway-backups') || '|' ||
	        (SELECT cmd || ' ' || roles::text FROM pg_policies WHERE schemaname = 'storage' AND policyname = 'Gateway backup service access')"
catalog fresh >"$tmp/b.txt"
if diff -u "$tmp/b.txt" "$tmp/a1.txt" >"$tmp/catalog.diff"; then
	ok "upgraded v37 database has the catalog of a fresh v39 install ($(wc -l <"$tmp/a1.txt") facts)"
else fail "upgraded database differs from the fresh install (- fresh, + upgraded):"; cat "$tmp/catalog.diff"; fi

echo "check: the second run"
catalog upgraded >"$tmp/a2.txt"
if cmp -s "$tmp/a1.txt" "$tmp/a2.txt"; then ok "a second run leaves the catalog unchanged"
else fail "a second run changed the catalog:"; diff -u "$tmp/a1.txt" "$tmp/a2.txt" | head -20; fi
if diff -u "$tmp/rows_mid.txt" "$tmp/rows_again.txt"; then ok "a second run leaves every row unchanged"
else fail "a second run changed rows"; fi
expect upgraded "a second run moves nothing: a workspace item created after the upgrade stays workspace" \
	"$(cat "$tmp/scopes1.txt"), new after upgrade=workspace" \
	"SELECT string_agg(title || '=' || scope, ', ' ORDER BY id) FROM public.knowledge_items"
catalog fresh >"$tmp/b2.txt"
if cmp -s "$tmp/b.txt" "$tmp/b2.txt"; then ok "a second run on the fresh install leaves its catalog unchanged"
else fail "a second fresh run changed the catalog"; diff -u "$tmp/b.txt" "$tmp/b2.txt" | head -20; fi

echo "check: writes after the upgrade"
expect upgraded "a gateway records its last backup" "1" \
	"WITH u AS (UPDATE public.gateways SET last_backup_at = now(), last_backup_size_bytes = 1024 WHERE slug = 'gw-office' RETURNING 1)
	 SELECT count(*) FROM u"
expect upgraded "a library item can be written" "library" \
	"INSERT INTO public.knowledge_items (kind, title, scope) VALUES ('page', 'written after', 'library') RETURNING scope"
if q upgraded "DO \$\$ BEGIN
	  INSERT INTO public.knowledge_items (kind, title, scope) VALUES ('page', 'x', 'shelf');
	  RAISE EXCEPTION 'scope shelf accepted';
	EXCEPTION WHEN check_violation THEN NULL; END \$\$" >/dev/null; then ok "any other scope is refused (23514)"
else fail "scope shelf was not refused by the CHECK"; fi
exit $rc
