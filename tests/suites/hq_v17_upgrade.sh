#!/usr/bin/env bash
# The older single-user HQ schema as a real upgrade case, on PostgreSQL 15
# with pg_cron: a database built by examples/hq-v17 and holding rows in every
# one of its 30 tables (tests/cases/hq_v17_rows.sql) is brought forward by the
# current out/migrations (database A). A must end with the catalog of a fresh
# install (database B), keep the rows of every table that still exists, move
# the rows of the tables v37 replaced (documents and assets -> knowledge,
# task attachments -> entity links, automation rules -> routines), give every
# row the default tenant and have the tenant policies instead of the old
# ones. Each change step runs once; re-running any module changes nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
rc=0
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; rc=1; }
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

"$hqc" build -o "$tmp/v17" examples/hq-v17 2>/dev/null
pg_start
pg_new_db upgraded
pg_new_db fresh

# "table rows" for every ordinary table of schema public.
counts() {
	q "$1" "SELECT c.relname || ' ' || (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text
	          FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1"
}

echo "apply: v17 to database A, then rows into all of its tables"
pg_apply "$tmp/v17/migrations" upgraded "$tmp/v17.log"
psql -X -q -v ON_ERROR_STOP=1 -d upgraded -f tests/cases/hq_v17_rows.sql >/dev/null 2>"$tmp/rows.log" || { cat "$tmp/rows.log"; exit 1; }
counts upgraded >"$tmp/before.txt"
if [ "$(wc -l <"$tmp/before.txt")" = 30 ] && ! awk '$2 == 0' "$tmp/before.txt" | grep -q .; then
	ok "v17 database: 30 tables, every one with rows ($(awk '{s += $2} END {print s}' "$tmp/before.txt") rows)"
else fail "v17 tables without rows: $(awk '$2 == 0 {print $1}' "$tmp/before.txt" | xargs)"; fi

echo "apply: out/migrations to A (upgrade) twice, and to B (fresh) twice"
pg_apply out/migrations upgraded "$tmp/up1.log"
pg_apply out/migrations upgraded "$tmp/up2.log"
pg_apply out/migrations fresh "$tmp/fresh1.log"
pg_apply out/migrations fresh "$tmp/fresh2.log"

tests/pg/catalog.sh upgraded -v columns_by_name=1 | grep -v '^rows ' >"$tmp/a.txt"
tests/pg/catalog.sh fresh -v columns_by_name=1 | grep -v '^rows ' >"$tmp/b.txt"
if diff -u "$tmp/b.txt" "$tmp/a.txt" >"$tmp/catalog.diff"; then
	ok "upgraded v17 database has the catalog of a fresh install ($(wc -l <"$tmp/a.txt") facts)"
else
	fail "upgraded database differs from the fresh install (- fresh, + upgraded):"; cat "$tmp/catalog.diff"
fi

steps=$(grep -c 'change of module' "$tmp/up1.log" || true)
if [ "$steps" -gt 40 ]; then ok "the upgrade ran $steps change steps"; else fail "only $steps change steps ran"; fi
for log in up2 fresh1 fresh2; do
	if grep -q 'change of module' "$tmp/$log.log"; then fail "$log ran change steps:"; grep 'change of module' "$tmp/$log.log" | head
	else ok "no change step ran on $log"; fi
done

echo "check: rows"
counts upgraded >"$tmp/after.txt"
# Tables that still exist keep their rows; the upgrade itself adds only the
# default tenant and its gateway seed row.
join "$tmp/before.txt" "$tmp/after.txt" | awk '
	$1 == "gateways" { $2 += 1 }
	$2 != $3 { print "FAIL: " $1 ": " $2 " rows before, " $3 " after"; bad = 1 }
	END { exit bad }' || rc=1
kept=$(join "$tmp/before.txt" "$tmp/after.txt" | wc -l)
[ "$kept" = 24 ] && ok "the 24 tables that still exist kept every row" || fail "$kept tables kept, want 24"
n() { awk -v t="$1" '$1 == t {print $2}' "$tmp/before.txt"; }
expect() { # WHAT WANT SQL
	local got
	got=$(q upgraded "$3") || { fail "$1: query failed"; return; }
	if [ "$got" = "$2" ]; then ok "$1 ($got)"; else fail "$1: expected '$2', got '$got'"; fi
}
expect "documents and assets moved into knowledge_items" "$(($(n documents) + $(n assets)))" \
	"SELECT count(*) FROM knowledge_items"
expect "pinned documents are workspace items, the other documents and the assets library items (the rule of 039)" \
	"workspace: Sales playbook|library: 5|agent: 0" \
	"SELECT 'workspace: ' || string_agg(title, ',') FILTER (WHERE scope = 'workspace') || '|library: ' ||
	        count(*) FILTER (WHERE scope = 'library') || '|agent: ' || count(*) FILTER (WHERE scope = 'agent')
	   FROM knowledge_items"
expect "their folders moved into knowledge_folders" "$(($(n document_folders) + $(n asset_folders)))" \
	"SELECT count(*) FROM knowledge_folders"
expect "task attachments moved into entity_links" "$(n task_attachments)" "SELECT count(*) FROM entity_links WHERE owner_type = 'task'"
expect "automation rules moved into routines" "$(n automation_rules)" \
	"SELECT count(*) FROM routines WHERE meta ->> 'migrated_from' = 'automation_rules' AND trigger_type = 'event' AND entity_type = 'contact'"
expect "the replaced tables are gone" "" \
	"SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace
	   AND relname IN ('documents', 'assets', 'document_folders', 'asset_folders', 'task_attachments', 'automation_rules')"
expect "every row of every tenant-owned table has the default tenant" "0" \
	"SELECT sum((xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I WHERE tenant_id <> %L', table_name,
	         '00000000-0000-0000-0000-000000000000'), false, true, '')))[1]::text::int)
	   FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'"
expect "no single-user policy is left" "0" \
	"SELECT count(*) FROM pg_policies WHERE policyname IN ('Authenticated full access', 'gateway_registration_tokens_all')
	    OR policyname LIKE 'Authenticated users can % assets'"
expect "the 24 kept tables have the tenant policy" "24" \
	"SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND policyname = 'Tenant isolation' AND tablename IN (
	   'workspace','pipeline_stages','field_definitions','tags','campaigns','contacts','organizations','contact_organizations',
	   'templates','gateways','gateway_registration_tokens','agents','interactions','streams','tasks','task_series','comments',
	   'draft_sets','audit_log','notifications','agent_inbox_items','agent_commands','agent_usage','agent_budgets')"
expect "enum values mapped: priorities, stream types, agent and gateway status" \
	"high,low,medium,urgent|functional|hibernating,paused,ready|hibernating,ready" \
	"SELECT (SELECT string_agg(DISTINCT priority::text, ',') FROM tasks WHERE priority IS NOT NULL) || '|' ||
	        (SELECT string_agg(DISTINCT type::text, ',') FROM streams) || '|' ||
	        (SELECT string_agg(DISTINCT status::text, ',') FROM agents) || '|' ||
	        (SELECT string_agg(DISTINCT status::text, ',') FROM gateways WHERE slug <> 'default')"
expect "task_priority sorts as today" "low,medium,high,urgent" \
	"SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'task_priority'::regtype"
expect "dropped columns moved their data first (due_at, is_read, failed_at)" "true|true|true" \
	"SELECT (SELECT bool_and(due_date IS NOT NULL) FROM tasks WHERE id IN (SELECT id FROM tasks WHERE due_date IS NOT NULL)) || '|' ||
	        (SELECT count(*) > 0 FROM notifications WHERE read_at IS NOT NULL) || '|' ||
	        (SELECT count(*) > 0 FROM agent_commands WHERE status = 'failed' AND completed_at IS NOT NULL)"

echo "check: re-running any one module changes nothing"
changed=0
for f in out/migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -d upgraded -f "$f" 2>"$tmp/rerun.log" || { fail "re-run of ${f##*/}"; cat "$tmp/rerun.log"; changed=1; continue; }
	if grep -q 'change of module' "$tmp/rerun.log"; then fail "re-run of ${f##*/} ran a change step"; changed=1; fi
done
tests/pg/catalog.sh upgraded -v columns_by_name=1 | grep -v '^rows ' >"$tmp/again.txt"
if cmp -s "$tmp/a.txt" "$tmp/again.txt" && [ $changed = 0 ]; then ok "each of the $(ls out/migrations/*.sql | wc -l) modules re-run alone: catalog unchanged"
else fail "single-module re-runs changed the catalog"; diff "$tmp/a.txt" "$tmp/again.txt" | head; fi
exit $rc
