#!/usr/bin/env bash
# Convergence of HQ databases hqc did not build (issue 11), on PostgreSQL 15
# with pg_cron. Two foreign databases, written by hand in
# tests/cases/foreign/ (not hqc's output), hold rows in every table:
#   old  an older single-user HQ (the v17 shape: no tenants, older enums,
#        free-text gateway status, automation rules) whose object names are
#        not the spec's: the automation trigger on contacts is
#        on_contact_change, so the declared drop of contact_automation_trigger
#        finds nothing and dropping process_contact_automation() must take the
#        undeclared trigger along (today: "other objects depend on it");
#        updated_at triggers call update_updated_at_column(); keys, foreign
#        keys, indexes and policies have names of their own;
#   v37  the current shape with the differences the issue lists:
#        idx_comments_entity and uq_inbox_dedup on other columns,
#        authenticated granted ALL and broad default privileges, the
#        consume_gateway_token(text,text,text,uuid) overload callable by anon,
#        a singleton index on workspace, a global unique slug index, an old
#        composite unique key on draft_sets, an old FK from agents to gateways,
#        an old `credentials` column, replica identity default, the spawn job
#        with an old command.
# out/migrations, one psql -f per file, must bring each to the catalog of a
# fresh install (schema hqc left out) except the leftovers listed here
# (undeclared columns, tables, functions; a storage policy of its own), keep
# every row (values compared where the schema's declared changes do not
# rewrite them, and those checked by key), name the leftovers in WARNINGs;
# a second run must run no DDL at all and change nothing, and a third one
# must pass sessions holding EXCLUSIVE locks on every user table with
# lock_timeout=100ms (no lock above ACCESS SHARE). Then some
# behaviour of the converged database: the replaced uq_inbox_dedup still
# serves ON CONFLICT ON CONSTRAINT, per tenant; anon cannot call the old
# overload; the old automation trigger is gone.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/pg/lib.sh
. tests/pg/converge.sh
tmp=$cv_tmp
cases=tests/cases/foreign
migs=out/migrations
cv_schema=schema   # hqc drift of the foreign databases, before and after (cv_drift)

pg_start
pg_new_db fresh
cv_apply fresh "$migs" "$tmp/fresh.log"
cv_catalog fresh "$tmp/fresh.txt"

expect() { # DB WHAT WANT SQL
	local got
	got=$(cv_q "$1" "$4" 2>&1) || { cv_fail "$1: $2: query failed: $got"; return; }
	if [ "$got" = "$3" ]; then cv_ok "$1: $2 ($got)"; else cv_fail "$1: $2: expected '$3', got '$got'"; fi
}

# ---- old: the single-user HQ with names of its own
echo "== old"
cat >"$tmp/old.leftovers" <<'EOF'
+ column public.contacts lead_score integer
+~ ^(relation|column|constraint|index|acl table|acl sequence) public\.contact_notes_legacy[ ._]
+~ ^(function|acl function) public\.update_updated_at_column\(\)
# storage.objects is a platform table: its policies of other names stay
+ policy storage.objects "assets: signed-in users write" PERMISSIVE FOR INSERT TO authenticated WITH CHECK ((bucket_id = 'assets'::text))
EOF
cat >"$tmp/old.rows" <<'EOF'
# the declared changes of v37 rewrite these (checked by key below)
ignore public.agents.status
ignore public.gateways.status
ignore public.agent_inbox_items.event_type
ignore public.streams.type
# data step of module 025 (the modules setting), which bumps updated_at
ignore public.workspace.settings
ignore public.workspace.updated_at
# moved into routines by the declared drop_table
dropped public.automation_rules
EOF
printf '%s\n' lead_score contact_notes_legacy update_updated_at_column >"$tmp/old.warnings"
# What hqc drift must name before the migrations (class object).
cat >"$tmp/old.drift" <<'EOF'
change rename value agent_status.online to ready
change drop function process_contact_automation()
renamed public.contacts idx_contacts_status
undeclared public.workspace workspace_one_row
undeclared public.contacts.lead_score
undeclared public.contact_notes_legacy
EOF
cv_converge old "$migs" "$tmp/fresh.txt" "$cases/hq_old.sql"
if [ -s "$tmp/old.after1.txt" ]; then
	expect old "agent statuses mapped (online -> ready, offline -> hibernating)" "ada ready,bob hibernating,cy paused" \
		"SELECT string_agg(slug || ' ' || status, ',' ORDER BY slug) FROM agents"
	expect old "gateway status became the enum" "attic hibernating,default ready" \
		"SELECT string_agg(slug || ' ' || status, ',' ORDER BY slug) FROM gateways"
	expect old "inbox items of the contact automation became routine events" "routine_event 3,task_assignment 1" \
		"SELECT string_agg(event_type || ' ' || n, ',' ORDER BY event_type) FROM (SELECT event_type::text, count(*) n FROM agent_inbox_items GROUP BY 1) s"
	expect old "automation rules moved into routines" "2" \
		"SELECT count(*) FROM routines WHERE meta ->> 'migrated_from' = 'automation_rules' AND entity_type = 'contact'"
	expect old "the automation trigger of another name went with its function" "0|0" \
		"SELECT (SELECT count(*) FROM pg_trigger WHERE tgname = 'on_contact_change'),
		        (SELECT count(*) FROM pg_proc WHERE proname = 'process_contact_automation')"
	expect old "every row got the default tenant" "0" \
		"SELECT count(*) FROM agents WHERE tenant_id <> '00000000-0000-0000-0000-000000000000'"
fi

# ---- v37: the current shape with the differences of issue 11
echo "== v37"
cat >"$tmp/v37.leftovers" <<'EOF'
+ column public.gateways credentials text
EOF
: >"$tmp/v37.rows"
printf '%s\n' credentials >"$tmp/v37.warnings"
# The seven ways of the issue, as hqc drift names them before the migrations.
cat >"$tmp/v37.drift" <<'EOF'
different public.comments idx_comments_entity
different public.agent_inbox_items uq_inbox_dedup
privileges public.set_updated_at()
undeclared public.consume_gateway_token(text,text,text,uuid)
undeclared public.workspace workspace_singleton
undeclared public.draft_sets draft_sets_version_uniq
undeclared public.agents fk_agents_gateway
undeclared public.gateways.credentials
different spawn-due-task-instances
different public.agents
EOF
cv_converge v37 "$migs" "$tmp/fresh.txt" "$cases/hq_v37.sql"
if [ -s "$tmp/v37.after1.txt" ]; then
	expect v37 "uq_inbox_dedup serves ON CONFLICT ON CONSTRAINT, per tenant" "2" \
		"INSERT INTO agent_inbox_items (tenant_id, agent_id, agent_slug, event_type, dedup_key)
		 SELECT t, '33333333-0000-4000-8000-000000000001', 'ada', 'heartbeat', 'hb:same-key'
		   FROM (VALUES ('00000000-0000-0000-0000-000000000000'::uuid), ('00000000-0000-0000-0000-000000000000'),
		                ('11111111-1111-4111-8111-111111111111')) v(t)
		 ON CONFLICT ON CONSTRAINT uq_inbox_dedup DO NOTHING;
		 SELECT count(*) FROM agent_inbox_items WHERE dedup_key = 'hb:same-key'"
	expect v37 "the old overload is gone; anon may call only the declared token exchange" "consume_gateway_token(text,text,text)|t" \
		"SELECT string_agg(p.oid::regprocedure::text, ','), bool_and(has_function_privilege('anon', p.oid, 'EXECUTE'))
		   FROM pg_proc p WHERE p.proname = 'consume_gateway_token'"
	expect v37 "a second workspace (another tenant) fits now" "2" \
		"INSERT INTO workspace (tenant_id, name) VALUES ('11111111-1111-4111-8111-111111111111', 'Acme');
		 SELECT count(*) FROM workspace"
	expect v37 "the credentials survived" "token:abc,token:def" \
		"SELECT string_agg(credentials, ',' ORDER BY credentials) FROM gateways"
fi

exit $cv_rc
