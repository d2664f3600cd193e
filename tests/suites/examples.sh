#!/usr/bin/env bash
# The example schemas (every examples/NAME/ with a _project.yaml: agenthq, ownpilot, ...),
# compiled by the same hqc and applied to a real PostgreSQL 15:
#   * `hqc check --doc-warnings` prints nothing (no error, no warning, no lint finding that is
#     not a declared exception (docs/lints.md); every table, column,
#     function, enum value and module has a doc);
#   * `hqc build` writes the migrations and a non-empty docs/ (and, where the build writes C
#     into c/*.c, that C compiles with -std=c11 -Wall -Wextra -Werror);
#   * the migrations apply, file by file, to an empty database, and a second application
#     leaves the catalog snapshot identical; install.sql builds the same catalog;
#   * upgrade: where a module adds columns to an earlier module's table (extend_tables with
#     columns), the modules before the first such module are built alone (the "earliest
#     state"), applied and filled with rows (seed_NAME below, if defined); then the full build
#     is applied over it, and the catalog must equal a fresh full install's, with the rows
#     still there (verify_NAME);
#   * example-specific behaviour (behaviour_NAME): agenthq's activity_log refuses UPDATE,
#     DELETE and TRUNCATE.
# `hqc stats` is printed per example, with the time each example took.
# shellcheck disable=SC2317  # seed_/verify_/behaviour_ functions are called by name
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}   # HQC=path tests another build of the compiler
. tests/pg/lib.sh
tmp=$(mktemp -d); hq_on_exit rm -rf "$tmp"
rc=0
fail() { echo "FAIL: $*"; rc=1; }
ok() { echo "ok: $*"; }

q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
expect() { # DB WHAT WANT SQL
	local got
	got=$(q "$1" "$4" 2>&1) || { fail "$2: query failed: $got"; return; }
	if [ "$got" != "$3" ]; then fail "$2: expected '$3', got '$got'"; else ok "$2"; fi
}
expect_error() { # DB WHAT PATTERN SQL
	local out
	if out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$4" 2>&1); then
		fail "$2: statement succeeded"
	elif ! grep -q -- "$3" <<<"$out"; then
		fail "$2: expected an error matching '$3', got: $out"
	else
		ok "$2"
	fi
}

# new_db NAME EXAMPLE-DIR: an empty database; with the Supabase compatibility layer only if
# the example declares platform objects or API roles.
new_db() {
	if grep -Eq '^(platform:|  roles:)' "$2/_project.yaml"; then
		pg_new_db "$1"
	else
		psql -X -q -v ON_ERROR_STOP=1 -d postgres -v db="$1" <<<'CREATE DATABASE :"db";'
	fi
}
apply() { # OUT-DIR DB
	local f
	for f in "$1"/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$f" 2>>"$tmp/notices_$2.txt" ||
			{ fail "${f#"$tmp"/} does not apply to $2"; tail -5 "$tmp/notices_$2.txt"; return 1; }
	done
}
catalog() { tests/pg/catalog.sh "$1"; }

# first_column_module DIR: file name of the first module whose extend_tables adds columns.
first_column_module() {
	local f
	for f in "$1"/[0-9]*.yaml; do
		if awk '/^extend_tables:/ { ext = 1; next }
			/^[a-z_]+:/ { ext = 0 }
			ext && /^    columns:/ { found = 1 }
			END { exit !found }' "$f"; then
			basename "$f"
			return
		fi
	done
}

# ---- Example-specific data and behaviour -----------------------------------------------------

# agenthq, earliest state (001-009): one row in every table.
seed_agenthq() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
INSERT INTO orgs (id, name, slug) VALUES ('01J0000000000000000000RG01', 'Acme Realty', 'acme');
INSERT INTO users (id, org_id, email, password_hash, name, role)
  VALUES ('01J000000000000000000VSR01', '01J0000000000000000000RG01', 'ann@acme.test', '$2b$10$hash', 'Ann', 'owner');
INSERT INTO agents (id, org_id, name, description, api_key_hash, api_key_prefix, owner_user_id, capabilities)
  VALUES ('01J000000000000000000AGT01', '01J0000000000000000000RG01', 'Scout', 'Finds new listings every morning',
          '$2b$10$keyhash', 'ahq_0123abcd', '01J000000000000000000VSR01', '["search", "summarize"]');
INSERT INTO channels (org_id, name, type, created_by)
  VALUES ('01J0000000000000000000RG01', 'general', 'public', '01J000000000000000000VSR01');
INSERT INTO channel_members (channel_id, member_id, member_type)
  SELECT id, '01J000000000000000000AGT01', 'agent' FROM channels WHERE name = 'general';
INSERT INTO posts (org_id, channel_id, author_id, author_type, type, title, content)
  SELECT org_id, id, '01J000000000000000000AGT01', 'agent', 'insight', 'Morning report', 'Three new listings downtown'
    FROM channels WHERE name = 'general';
INSERT INTO activity_log (org_id, actor_id, actor_type, action, resource_type, details)
  VALUES ('01J0000000000000000000RG01', '01J000000000000000000AGT01', 'agent', 'post.created', 'post', '{"channel": "general"}');
INSERT INTO insights (org_id, type, title, content, source_agents, confidence)
  VALUES ('01J0000000000000000000RG01', 'trend', 'Inventory rising', 'More listings than last week', '["01J000000000000000000AGT01"]', 0.8);
INSERT INTO re_agent_profiles (agent_id, role, license_number) VALUES ('01J000000000000000000AGT01', 'listing agent', 'MA-123');
INSERT INTO re_transactions (org_id, property_address, type, listing_price, listing_agent_id)
  VALUES ('01J0000000000000000000RG01', '1 Main St', 'listing', 500000, '01J000000000000000000AGT01');
INSERT INTO re_metrics (org_id, agent_id, period, period_start, metrics)
  VALUES ('01J0000000000000000000RG01', '01J000000000000000000AGT01', 'month', '2026-01-01', '{"listings": 3}');
INSERT INTO integrations (org_id, type, status) VALUES ('01J0000000000000000000RG01', 'mls', 'connected');
INSERT INTO integration_sync_log (integration_id, org_id, operation, status, records_synced)
  SELECT id, org_id, 'import', 'succeeded', 42 FROM integrations;
SQL
}
verify_agenthq() {
	expect "$1" "agenthq: every table kept its row" "13" \
		"SELECT (SELECT count(*) FROM orgs) + (SELECT count(*) FROM users) + (SELECT count(*) FROM agents)
		      + (SELECT count(*) FROM channels) + (SELECT count(*) FROM channel_members) + (SELECT count(*) FROM posts)
		      + (SELECT count(*) FROM activity_log) + (SELECT count(*) FROM insights) + (SELECT count(*) FROM re_agent_profiles)
		      + (SELECT count(*) FROM re_transactions) + (SELECT count(*) FROM re_metrics) + (SELECT count(*) FROM integrations)
		      + (SELECT count(*) FROM integration_sync_log)"
	expect "$1" "agenthq: 010 filled search_vector of the existing agent" "Scout" \
		"SELECT name FROM agents WHERE search_vector @@ websearch_to_tsquery('english', 'listing summarize')"
	expect "$1" "agenthq: the existing post is found by full-text search" "Morning report" \
		"SELECT title FROM posts WHERE search_vector @@ websearch_to_tsquery('english', 'listings downtown')"
}
behaviour_agenthq() {
	local db=$1
	expect "$db" "agenthq: generated ULID keys" "t|26" \
		"WITH o AS (INSERT INTO orgs (name, slug) VALUES ('Beta', 'beta') RETURNING id)
		 SELECT id ~ '^[0-9A-HJKMNP-TV-Z]{26}$', length(id) FROM o"
	q "$db" "INSERT INTO activity_log (org_id, actor_id, actor_type, action)
	         SELECT id, id, 'user', 'org.created' FROM orgs WHERE slug = 'beta'" >/dev/null
	expect_error "$db" "agenthq: UPDATE of activity_log refused" "activity_log is append-only: UPDATE" \
		"UPDATE activity_log SET action = 'rewritten'"
	expect_error "$db" "agenthq: DELETE from activity_log refused" "activity_log is append-only: DELETE" \
		"DELETE FROM activity_log"
	expect_error "$db" "agenthq: TRUNCATE of activity_log refused" "activity_log is append-only: TRUNCATE" \
		"TRUNCATE activity_log"
	expect_error "$db" "agenthq: deleting an org with logged activity refused" "violates foreign key constraint" \
		"DELETE FROM orgs WHERE slug = 'beta'"
	expect "$db" "agenthq: activity_log row unchanged" "org.created" \
		"SELECT string_agg(action, ',') FROM activity_log a JOIN orgs o ON o.id = a.org_id WHERE o.slug = 'beta'"
	expect_error "$db" "agenthq: a non-ULID key refused" "orgs_id_check" \
		"INSERT INTO orgs (id, name, slug) VALUES ('not-a-ulid', 'Gamma', 'gamma')"
	expect_error "$db" "agenthq: channel name unique per org" "channels_org_id_name_unique" \
		"INSERT INTO channels (org_id, name) SELECT id, 'x' FROM orgs WHERE slug = 'beta';
		 INSERT INTO channels (org_id, name) SELECT id, 'x' FROM orgs WHERE slug = 'beta'"
	expect_error "$db" "agenthq: channel_members composite key" "channel_members_pkey" \
		"WITH c AS (INSERT INTO channels (org_id, name) SELECT id, 'y' FROM orgs WHERE slug = 'beta' RETURNING id)
		 INSERT INTO channel_members (channel_id, member_id, member_type)
		 SELECT id, 'M', 'user' FROM c UNION ALL SELECT id, 'M', 'user' FROM c"
}

# ownpilot, earliest state (001-008): rows in the tables the column migrations change, and in
# their neighbours.
seed_ownpilot() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
INSERT INTO conversations (id, title, agent_id) VALUES ('conv-1', 'Trip planning', 'agent-1');
INSERT INTO messages (id, conversation_id, role, content) VALUES ('msg-1', 'conv-1', 'user', 'Find flights to Lisbon');
INSERT INTO request_logs (id, conversation_id, type, error) VALUES ('log-1', 'conv-1', 'chat', 'timeout');
INSERT INTO costs (id, provider, model, conversation_id, total_tokens, total_cost) VALUES ('cost-1', 'openai', 'gpt', 'conv-1', 120, 0.25);
INSERT INTO tasks (id, title) VALUES ('task-1', 'Book flights');
INSERT INTO tasks (id, title, parent_id) VALUES ('task-2', 'Compare prices', 'task-1');
INSERT INTO goals (id, title) VALUES ('goal-1', 'Travel more');
INSERT INTO triggers (id, name, type, config) VALUES ('trg-1', 'Morning digest', 'schedule', '{"cron": "0 8 * * *"}');
INSERT INTO plans (id, name, goal, trigger_id, goal_id) VALUES ('plan-1', 'Digest', 'Summarize', 'trg-1', 'goal-1');
INSERT INTO custom_tools (id, name, description, code) VALUES ('tool-1', 'weather', 'Current weather', 'return 42');
INSERT INTO user_model_configs (id, provider_id, model_id) VALUES ('umc-1', 'openai', 'gpt-4o');
INSERT INTO custom_providers (id, provider_id, display_name) VALUES ('cp-1', 'fal', 'fal.ai');
INSERT INTO user_provider_configs (id, provider_id) VALUES ('upc-1', 'anthropic');
INSERT INTO user_workspaces (id, user_id, name, storage_path) VALUES ('ws-1', 'u1', 'Sandbox', '/data/ws-1');
INSERT INTO code_executions (id, workspace_id, user_id, language) VALUES ('ex-1', 'ws-1', 'u1', 'python');
SQL
}
verify_ownpilot() {
	local db=$1
	expect "$db" "ownpilot: conversation and message kept; agent_name added, null" "Trip planning|Find flights to Lisbon|t" \
		"SELECT c.title, m.content, c.agent_name IS NULL FROM conversations c JOIN messages m ON m.conversation_id = c.id"
	expect "$db" "ownpilot: request log kept; error_stack added, null" "timeout|t" \
		"SELECT error, error_stack IS NULL FROM request_logs WHERE id = 'log-1'"
	expect "$db" "ownpilot: existing trigger enabled by the new column's default" "Morning digest|t" \
		"SELECT name, enabled FROM triggers WHERE id = 'trg-1'"
	expect "$db" "ownpilot: custom tool kept; the eight new columns have their defaults" "weather|active|user|[]|f|1|0|[]|{}" \
		"SELECT name, status, created_by, permissions, requires_approval, version, usage_count, required_api_keys, metadata
		   FROM custom_tools WHERE id = 'tool-1'"
	expect "$db" "ownpilot: model and provider configs enabled" "t|t|t" \
		"SELECT (SELECT is_enabled FROM user_model_configs), (SELECT is_enabled FROM custom_providers), (SELECT is_enabled FROM user_provider_configs)"
	expect "$db" "ownpilot: subtask, plan links and workspace execution kept" "task-1|trg-1|goal-1|ws-1" \
		"SELECT (SELECT parent_id FROM tasks WHERE id = 'task-2'), p.trigger_id, p.goal_id, (SELECT workspace_id FROM code_executions)
		   FROM plans p"
}
behaviour_ownpilot() {
	local db=$1
	q "$db" "INSERT INTO goals (id, title) VALUES ('g1', 'Parent'), ('g2', 'Child');
	         UPDATE goals SET parent_id = 'g1' WHERE id = 'g2';
	         INSERT INTO goal_steps (id, goal_id, title, order_num) VALUES ('s1', 'g1', 'Step', 1);
	         INSERT INTO triggers (id, name, type) VALUES ('t1', 'T', 'event');
	         INSERT INTO trigger_history (id, trigger_id, status) VALUES ('h1', 't1', 'success');
	         INSERT INTO plans (id, name, goal, goal_id, trigger_id) VALUES ('p1', 'P', 'G', 'g1', 't1');
	         INSERT INTO plan_steps (id, plan_id, order_num, type, name) VALUES ('ps1', 'p1', 1, 'tool_call', 'S');
	         INSERT INTO plan_history (id, plan_id, step_id, event_type) VALUES ('ph1', 'p1', 'ps1', 'step_started');
	         DELETE FROM plan_steps WHERE id = 'ps1';
	         DELETE FROM goals WHERE id = 'g1';
	         DELETE FROM triggers WHERE id = 't1'" >/dev/null
	expect "$db" "ownpilot: SET NULL (sub-goal, plan goal/trigger, history step) and CASCADE (steps, history)" "|||0|0|1" \
		"SELECT (SELECT parent_id FROM goals WHERE id = 'g2'), (SELECT goal_id FROM plans WHERE id = 'p1'),
		        (SELECT trigger_id FROM plans WHERE id = 'p1'), (SELECT count(*) FROM goal_steps WHERE id = 's1'),
		        (SELECT count(*) FROM trigger_history WHERE id = 'h1'),
		        (SELECT count(*) FROM plan_history WHERE id = 'ph1' AND step_id IS NULL)"
	expect_error "$db" "ownpilot: CHECK ... IN" "messages_role_check" \
		"INSERT INTO conversations (id) VALUES ('c9'); INSERT INTO messages (id, conversation_id, role, content) VALUES ('m9', 'c9', 'robot', 'x')"
	expect_error "$db" "ownpilot: range CHECK" "plans_autonomy_level_check" \
		"INSERT INTO plans (id, name, goal, autonomy_level) VALUES ('p9', 'P', 'G', 5)"
	expect_error "$db" "ownpilot: one default config entry per service" "idx_config_entries_default" \
		"INSERT INTO config_entries (id, service_name, is_default) VALUES ('e1', 'smtp', true), ('e2', 'smtp', true)"
	expect "$db" "ownpilot: non-default config entries are not limited" "2" \
		"INSERT INTO config_entries (id, service_name) VALUES ('e3', 'smtp'), ('e4', 'smtp');
		 SELECT count(*) FROM config_entries WHERE service_name = 'smtp'"
	# 105 explicit indexes: the 102 of the document's section 5.7, per group, and 3 user indexes
	# of the Coding & CLI tables (section 3.12, newer than 5.7).
	expect "$db" "ownpilot: explicit indexes (102 of section 5.7 + 3 of section 3.12)" "105" \
		"SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		  WHERE c.relnamespace = 'public'::regnamespace
		    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
	expect "$db" "ownpilot: DESC temporal indexes" "9" \
		"SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexdef LIKE '% DESC)'"
}

# ---- The examples ------------------------------------------------------------------------------

pg_start
examples=()
for d in examples/*/; do
	[ -f "$d/_project.yaml" ] && examples+=("${d%/}")
done
if [ ${#examples[@]} -eq 0 ]; then echo "FAIL: no examples/*/_project.yaml"; exit 1; fi
summary=()

for dir in "${examples[@]}"; do
	name=$(basename "$dir")
	start=$(date +%s%N)
	echo "== example $name ($dir)"
	out="$tmp/$name/full"
	mkdir -p "$tmp/$name"

	# Compile: no error, no warning.
	if msgs=$("$hqc" check --doc-warnings "$dir" 2>&1); then
		if [ -n "$msgs" ]; then fail "$name: hqc check --doc-warnings printed:"; echo "$msgs"
		else ok "$name: hqc check --doc-warnings is silent"; fi
	else
		fail "$name: hqc check failed:"; echo "$msgs"; continue
	fi
	if ! "$hqc" build -o "$out" "$dir" 2>"$tmp/$name/build.txt"; then
		fail "$name: hqc build failed"; cat "$tmp/$name/build.txt"; continue
	fi
	"$hqc" stats "$dir" | sed "s/^/  $name stats: /"

	# Docs.
	if [ -s "$out/docs/README.md" ] && [ "$(find "$out/docs" -type f | wc -l)" -gt 1 ]; then
		ok "$name: docs built ($(find "$out/docs" -type f | wc -l) files)"
	else
		fail "$name: the build wrote no docs"
	fi

	# Generated C, where the build writes any.
	shopt -s nullglob
	cfiles=("$out"/c/*.c)
	shopt -u nullglob
	if [ ${#cfiles[@]} -gt 0 ]; then
		cok=1
		for f in "${cfiles[@]}"; do
			cc -std=c11 -Wall -Wextra -Werror -Iruntime -I"$out/c" -c "$f" -o "$tmp/$name/$(basename "$f" .c).o" ||
				{ fail "$name: ${f#"$out"/} does not compile"; cok=0; }
		done
		[ $cok = 1 ] && ok "$name: generated C compiles (${#cfiles[@]} files)"
	else
		echo "note: $name: the build writes no C (no $out/c/*.c)"
	fi

	# Apply twice: identical catalogs.
	db="${name}_fresh"
	new_db "$db" "$dir"
	if apply "$out" "$db"; then
		catalog "$db" >"$tmp/$name/first.txt"
		apply "$out" "$db" && catalog "$db" >"$tmp/$name/second.txt"
		if diff -u "$tmp/$name/first.txt" "$tmp/$name/second.txt"; then
			ok "$name: applied twice, identical catalogs ($(wc -l <"$tmp/$name/first.txt") facts)"
		else
			fail "$name: the second application changed the catalog"
		fi
		# install.sql builds the same database.
		new_db "${name}_install" "$dir"
		if psql -X -q -v ON_ERROR_STOP=1 -d "${name}_install" -f "$out/install.sql" 2>>"$tmp/notices_install.txt"; then
			if diff -u "$tmp/$name/first.txt" <(catalog "${name}_install"); then
				ok "$name: install.sql builds the same catalog"
			else
				fail "$name: install.sql builds a different catalog"
			fi
		else
			fail "$name: install.sql does not apply"
		fi
		if declare -F "behaviour_$name" >/dev/null; then "behaviour_$name" "$db"; fi
	fi

	# Upgrade from the earliest state.
	first=$(first_column_module "$dir")
	if [ -n "$first" ]; then
		early="$tmp/$name/early_schema"
		mkdir -p "$early"
		cp "$dir"/_*.yaml "$early"/
		n_early=0
		for f in "$dir"/[0-9]*.yaml; do
			if [[ "$(basename "$f")" < "$first" ]]; then cp "$f" "$early"/; n_early=$((n_early + 1)); fi
		done
		echo "upgrade: $name from its first $n_early modules (before $first) to the full build"
		if "$hqc" build -o "$tmp/$name/early" "$early" 2>"$tmp/$name/build_early.txt"; then
			udb="${name}_upgraded"; fdb="${name}_fresh2"
			new_db "$udb" "$dir"; new_db "$fdb" "$dir"
			if apply "$tmp/$name/early" "$udb"; then
				if declare -F "seed_$name" >/dev/null; then
					"seed_$name" "$udb" || fail "$name: rows could not be written into the earliest state"
				fi
				catalog "$udb" | grep -v '^rows ' >"$tmp/$name/early.txt"
				apply "$out" "$udb" && apply "$out" "$fdb"
				catalog "$udb" | grep -v '^rows ' >"$tmp/$name/upgraded.txt"
				catalog "$fdb" | grep -v '^rows ' >"$tmp/$name/fresh.txt"
				if diff -u "$tmp/$name/fresh.txt" "$tmp/$name/upgraded.txt"; then
					ok "$name: upgraded database = fresh install ($(diff "$tmp/$name/early.txt" "$tmp/$name/fresh.txt" | grep -c '^>') facts added by the upgrade)"
				else
					fail "$name: upgraded database differs from a fresh install (- fresh, + upgraded)"
				fi
				if declare -F "verify_$name" >/dev/null; then "verify_$name" "$udb"; fi
			fi
		else
			fail "$name: the earliest state does not build"; cat "$tmp/$name/build_early.txt"
		fi
	else
		echo "note: $name: no module adds columns to an earlier table; no upgrade test"
	fi

	ms=$((($(date +%s%N) - start) / 1000000))
	summary+=("$(printf '%-10s %6d ms' "$name" "$ms")")
	echo "time: $name ${ms} ms"
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit $rc
