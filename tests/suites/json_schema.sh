#!/usr/bin/env bash
# docs/hqc-schema.json, the JSON Schema editors use for the YAML files: it
# accepts exactly the keys and choices the compiler accepts (key lists of
# gen/model/build*.c), every schema file of the repository validates against it,
# a file using every documented key validates, and unknown keys, bad choices
# and missing required keys are rejected. Uses ajv and yaml from npm,
# installed into tests/jsonschema/node_modules with `npm ci` the first time.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/jsonschema
json=docs/hqc-schema.json
command -v node >/dev/null || { echo "node is not installed"; exit 1; }

# Install once; parallel runs serialize on a lock of the directory.
if [[ ! -f $here/node_modules/.package-lock.json ]]; then
	(
		flock -w 300 9 || { echo "timed out waiting for the npm install lock on $here"; exit 1; }
		if [[ ! -f $here/node_modules/.package-lock.json ]]; then
			echo "installing npm dependencies into $here/node_modules"
			log=$(mktemp)
			if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
				cat "$log"; rm -f "$log"; echo "npm ci failed"; exit 1
			fi
			rm -f "$log"
		fi
	) 9<"$here"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAILED: $1"; }
validate() { node "$here/validate.mjs" "$json" "$@"; }

# 1. The schema and the compiler agree on keys and choices.
if node "$here/validate.mjs" --check-keys gen/model "$json"; then ok "key lists agree"; else fail "key lists agree"; fi

# 2. Every schema file of the repository is valid.
files=(schema/*.yaml)
for f in tests/cases/fixture/schema/*.yaml; do [[ -e $f ]] && files+=("$f"); done
if validate "${files[@]}"; then ok "repository schema files"; else fail "repository schema files"; fi

# 3. A module that uses every key of the language, and project and trait files.
mkdir -p "$tmp/good"
cat >"$tmp/good/_project.yaml" <<'EOF'
project:
  name: demo
  doc: Demo.
  schema: public
  realtime_publication: supabase_realtime
  version_table: _schema_version
  trust: Tenants are isolated by row.
  roles: { anon: Anonymous., authenticated: Signed in. }
  domains:
    tasks: { title: Tasks, doc: Work items. }
    misc:
  tenancy: { column: tenant_id, function: current_tenant_id }
platform:
  schemas: [auth]
  tables:
    auth.users: { doc: Users., columns: { id: uuid } }
  functions:
    auth.uid: { doc: Current user., returns: uuid }
    storage.foldername: { args: { name: text }, returns: "text[]" }
EOF
cat >"$tmp/good/_traits.yaml" <<'EOF'
traits:
  tenant_owned:
    doc: Tenant rows.
    params: { tenant_index: "idx_{table}_tenant" }
    traits: [stamped]
    columns:
      tenant_id: { type: uuid, not_null: true, references: { table: tenants, on_delete: cascade } }
    unique: { "{table}_tenant_key": [tenant_id] }
    checks: { "{table}_tenant_check": tenant_id IS NOT NULL }
    foreign_keys:
      "{table}_tenant_fk": { columns: [tenant_id], references: { table: tenants, columns: [id] } }
    indexes:
      "{tenant_index}": { key: [tenant_id] }
    rls: enabled
    policies:
      Tenant isolation: { to: [authenticated], using: tenant_id = current_tenant_id() }
    grants: [{ privileges: [select], to: [authenticated] }]
    revokes: [{ privileges: [all], from: [anon] }]
    triggers:
      "{table}_touch": { timing: before, events: [update], function: touch }
    realtime: true
    replica_identity: full
  stamped:
    columns:
      created_at: { type: timestamptz, not_null: true, default: now() }
EOF
cat >"$tmp/good/001_all.yaml" <<'EOF'
module: 001_all
summary: Every key of a module file
doc: |
  Prose.
extensions:
  pgcrypto: {}
  pg_trgm:
  vector: { schema: extensions, optional: true, types: [vector], doc: Vectors. }
schema_grants:
  - { schema: public, privileges: [usage], to: [authenticated, anon] }
default_privileges:
  - { schema: public, on: tables, privileges: [select, insert, update, delete], to: [authenticated] }
  - { on: functions, privileges: [execute], to: [public] }
enums:
  task_status:
    doc: Life cycle.
    values:
      - todo: Not started.
      - done
extend_enums:
  task_status: [archived, { cancelled: Given up. }]
functions:
  touch:
    returns: trigger
    body: BEGIN NEW.updated_at := now(); RETURN NEW; END
  lease:
    doc: Lease one item.
    args:
      p_agent_id: uuid
      p_seconds: { type: integer, default: "120", mode: in }
      p_rest: { type: "text[]", mode: variadic }
    returns: setof items
    language: plpgsql
    volatility: volatile
    security: definer
    search_path: ""
    strict: true
    grants: [service_role]
    revokes: [public, anon]
    replaces: false
    requires: [vector]
    lint: { allow: [definer_function_unqualified_name], reason: Test. }
    body: |
      BEGIN
        RETURN;
      END
  debug:
    returns:
      table: { series_id: uuid, title: text }
    language: sql
    volatility: stable
    body: SELECT id, title FROM items
tables:
  items:
    doc: Items.
    domain: tasks
    traits: [tenant_owned, { stamped: {} }]
    columns:
      id:       { type: uuid, primary_key: true, default: gen_random_uuid() }
      created_at:
      status:   { type: task_status, not_null: true, default: "'todo'" }
      attempts: { type: integer, not_null: true, default: 0, check: attempts >= 0, doc: Tries. }
      key:      { type: text, unique: true, pattern: "^[A-Z]+$" }
      owner:    { type: uuid, references: { table: users, column: id, on_delete: set_null, on_update: no_action, name: items_owner_fk } }
      search:   { type: tsvector, generated: "to_tsvector('simple', key)" }
      seq:      { type: bigint, identity: always }
      emb:      { type: vector(3), requires: [vector] }
    primary_key: [id, seq]
    unique: { uq_items_key: [tenant_id, key] }
    checks: { items_has_key: key IS NOT NULL }
    foreign_keys:
      items_series_fk: { columns: [owner], references: { table: users, columns: [id] }, on_delete: restrict, on_update: cascade }
    indexes:
      idx_items_pending: { key: [status, created_at DESC NULLS LAST], where: "status = 'todo'", include: [key], doc: Queue. }
      idx_items_lower:   { unique: true, key: ["lower(key)"], using: btree }
      idx_items_emb:     { using: hnsw, key: [emb vector_cosine_ops], with: { m: 16, ef_construction: 64 }, requires: [vector] }
    rls: forced
    policies:
      Service role full access: { command: all, to: service_role, using: "true", with_check: "true", restrictive: false, doc: All. }
      Readers: { command: select, to: [authenticated], using: "true" }
    grants:
      - { privileges: [select], to: [authenticated], columns: [id, key] }
    revokes:
      - { privileges: [all], from: [anon] }
    triggers:
      items_touch: { timing: before, events: [insert, "update of key, status"], level: row, when: NEW.key IS NOT NULL, function: touch, args: [a, 1], doc: Touch. }
    realtime: true
    replica_identity: default
    requires: [vector]
extend_tables:
  items:
    columns:
      writable: { type: boolean, not_null: true, default: "false" }
      rank: { type: integer, not_null: true, backfill: seq, lint: { allow: rls_disabled_in_public, reason: Test. } }
    lint: { allow: [constraint_on_existing_table], reason: Test. }
    alter_columns:
      key: { not_null: false, default: null }
      status: { default: "'done'" }
    checks: { items_writable_check: writable IS NOT NULL }
    drop_constraints: [items_old_check]
    drop_indexes: [idx_old]
    drop_policies: [Old policy name]
    drop_triggers: [old_trigger]
    rls: disabled
    replica_identity: nothing
cron_jobs:
  spawn-due:
    schedule: "* * * * *"
    command: SELECT 1
    doc: Every minute.
storage_buckets:
  assets: { name: assets, public: false }
seeds:
  - table: items
    on_conflict: [id]
    doc: One row.
    rows:
      - { id: 00000000-0000-0000-0000-000000000000, key: A, meta: { a: 1 }, tags: [x, y], note: null }
data_steps:
  fill:
    doc: Fill.
    sql: UPDATE items SET key = 'A' WHERE key IS NULL
schema_versions:
  - { version: 25, description: v25 }
  - { version: "26" }
raw_sql:
  - { doc: Why., sql: "SELECT 1" }
EOF
if validate "$tmp/good"/*.yaml; then ok "every documented key"; else fail "every documented key"; fi

# 4. Invalid files: each must be rejected with the expected message.
# reject NAME EXPECTED-TEXT <<YAML
reject() {
	local name=$1 want=$2 f="$tmp/bad_$1.yaml" out
	cat >"$f"
	if out=$(validate "$f"); then
		fail "$name: accepted"; return
	fi
	if grep -qF -- "$want" <<<"$out"; then ok "$name rejected"
	else echo "$out"; fail "$name: rejected without \"$want\""; fi
}
head='module: 001_a
summary: Invalid'
reject unknown_top_key 'unknown key "tabels"' <<EOF
$head
tabels: {}
EOF
reject unknown_column_key 'unknown key "nullable"' <<EOF
$head
tables:
  items:
    columns:
      id: { type: uuid, nullable: false }
EOF
reject unknown_table_key 'unknown key "colums"' <<EOF
$head
tables:
  items:
    colums: { id: { type: uuid } }
EOF
reject unknown_reference_key 'unknown key "ondelete"' <<EOF
$head
tables:
  items:
    columns:
      t: { type: uuid, references: { table: t, ondelete: cascade } }
EOF
reject unknown_function_key 'unknown key "volatile"' <<EOF
$head
functions:
  f: { returns: integer, volatile: true, body: SELECT 1 }
EOF
reject on_delete_choice 'must be equal to one of the allowed values' <<EOF
$head
tables:
  items:
    columns:
      t: { type: uuid, references: { table: t, on_delete: delete } }
EOF
reject rls_choice 'must be equal to one of the allowed values' <<EOF
$head
tables:
  items:
    columns: { id: { type: uuid } }
    rls: on
EOF
reject trigger_timing 'must be equal to one of the allowed values' <<EOF
$head
tables:
  items:
    columns: { id: { type: uuid } }
    triggers:
      t: { timing: during, events: [insert], function: f }
EOF
reject trigger_event 'must match pattern' <<EOF
$head
tables:
  items:
    columns: { id: { type: uuid } }
    triggers:
      t: { timing: after, events: [upsert], function: f }
EOF
reject function_language "must be equal to one of the allowed values" <<EOF
$head
functions:
  f: { returns: integer, language: python, body: return 1 }
EOF
reject index_method 'must be equal to one of the allowed values' <<EOF
$head
tables:
  items:
    columns: { id: { type: uuid } }
    indexes:
      i: { key: [id], using: bitmap }
EOF
reject column_without_type "must have required property 'type'" <<EOF
$head
tables:
  items:
    columns:
      id: { not_null: true }
EOF
reject policy_without_condition "must have required property 'using'" <<EOF
$head
tables:
  items:
    columns: { id: { type: uuid } }
    policies:
      Nothing: { to: [anon] }
EOF
reject bool_as_string 'must be boolean' <<EOF
$head
tables:
  items:
    columns:
      id: { type: uuid, not_null: "yes" }
EOF
reject uppercase_name 'must match pattern' <<EOF
$head
tables:
  Items:
    columns: { id: { type: uuid } }
EOF
reject missing_summary "must have required property 'summary'" <<EOF
module: 001_a
EOF
reject traits_primary_key 'unknown key "primary_key"' <<EOF
traits:
  t:
    primary_key: [id]
EOF
reject project_unknown_key 'unknown key "title"' <<EOF
project:
  name: x
  title: X
EOF
reject duplicate_yaml_key 'invalid YAML' <<EOF
$head
summary: Twice
EOF

# 5. The compiler's golden error cases for unknown keys are rejected too.
for d in tests/cases/bad/*unknown_key*/schema; do
	[[ -d $d ]] || continue
	name=$(basename "$(dirname "$d")")
	if out=$(validate "$d"/*.yaml); then fail "$name: accepted"
	elif grep -q 'unknown key' <<<"$out"; then ok "$name rejected"
	else echo "$out"; fail "$name: rejected without \"unknown key\""; fi
done

echo "json_schema: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
