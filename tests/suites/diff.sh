#!/usr/bin/env bash
# hqc diff: the changes between the older fixture (tests/cases/fixture_v1) and
# the current one, and between the two versions of tests/cases/changes
# (renames, a type change, drops and data moves declared as `changes:`), in
# text, Markdown and JSON, compared with golden files (UPDATE_GOLDEN=1
# rewrites them); the --fail-on gate; formatting-only changes of function
# bodies are no change; the v17 -> current diff of HQ names what changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
old=tests/cases/fixture_v1/schema new=tests/cases/fixture/schema exp=tests/cases/diff
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $*"; fi; }

golden() { # FORMAT FILE [OLD NEW]
	local format=$1 file=$2
	"$hqc" diff --format "$format" "${3:-$old}" "${4:-$new}" >"$tmp/$file"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$tmp/$file" "$exp/$file"; fi
	diff -u "$exp/$file" "$tmp/$file"
}
check golden text expected.txt
check golden markdown expected.md
check golden json expected.json
chg=tests/cases/changes
check golden text changes.txt $chg/v1 $chg/v2
check golden markdown changes.md $chg/v1 $chg/v2
check golden json changes.json $chg/v1 $chg/v2
# Renames are shown as renames (not a removal and an addition), and objects
# removed without a drop change are flagged: existing databases keep them.
check grep -q '^breaking    table notes renamed: to memos' $exp/changes.txt
check test "$(grep -c 'table memos added\|column memos.due_at added' $exp/changes.txt)" = 0
sed '/^changes:/,$d' $chg/v2/002_links.yaml >"$tmp/002_links.yaml"
mkdir "$tmp/nodrop" && cp $chg/v2/*.yaml "$tmp/nodrop/" && cp "$tmp/002_links.yaml" "$tmp/nodrop/"
check grep -q 'table attachments removed: 3 columns; no drop_table change, so existing databases keep it' \
	<("$hqc" diff $chg/v1 "$tmp/nodrop")

# The gate: the v1 -> current changes include a lock-class change but
# nothing destructive.
gate() { "$hqc" diff --fail-on "$1" "$old" "$new" >/dev/null 2>&1; }
check gate destructive
check test "$(gate lock; echo $?)" = 1
# Dropping and moving data is destructive: the gate stops it, whatever the
# change steps do to keep rows.
check test "$("$hqc" diff --fail-on destructive tests/cases/changes/v1 tests/cases/changes/v2 >/dev/null 2>&1; echo $?)" = 1
check test "$("$hqc" diff --fail-on destructive examples/hq-v17 schema >/dev/null 2>&1; echo $?)" = 1
check test "$("$hqc" diff --fail-on breaking tests/cases/changes/v2 tests/cases/changes/v2 >/dev/null 2>&1; echo $?)" = 0
# A schema against itself: no changes.
check test "$("$hqc" diff "$new" "$new")" = "0 changes (0 safe, 0 lock, 0 breaking, 0 destructive)"
# Reformatting a function body (case, spacing, a comment) is not a change.
cp -r "$new" "$tmp/reformatted"
sed -i -e 's/RETURN NEW;/return   NEW;/' -e 's/^\( *\)BEGIN$/\1BEGIN  -- reformatted/' "$tmp/reformatted"/*.yaml
check test "$(grep -c 'reformatted\|return   NEW' "$tmp/reformatted"/*.yaml | awk -F: '{s += $2} END {print (s > 0)}')" = 1
"$hqc" check "$tmp/reformatted"
check test "$("$hqc" diff "$new" "$tmp/reformatted")" = "0 changes (0 safe, 0 lock, 0 breaking, 0 destructive)"

# The older single-user HQ schema against the current one lists what the seed
# pages describe, and every removal says how existing databases lose it.
"$hqc" diff examples/hq-v17 schema >"$tmp/v17.txt"
has() { grep -qE "$1" "$tmp/v17.txt" || { echo "v17 diff lacks: $1"; return 1; }; }
check has '^safe +table tenants added'
check has '^destructive table documents removed: rows moved, then dropped \(012_knowledge'
check has '^destructive table assets removed: rows moved, then dropped \(012_knowledge'
check has '^safe +table knowledge_items added'
check has '^destructive table task_attachments removed: rows moved, then dropped \(019_entity_links'
check has '^safe +table entity_links added'
check has '^destructive table automation_rules removed: rows moved, then dropped \(020_routines'
check has '^safe +table routines added'
check test "$(grep -cE '^(safe|lock) +column [a-z_]+\.tenant_id added' "$tmp/v17.txt")" = 24
check test "$(grep -c 'policy [a-z_]*: "Authenticated full access" removed.*(017_rls_realtime_storage:' "$tmp/v17.txt")" = 23
check has 'enum value agent_status.online renamed: to .ready.'
check has "enum value stream_type.project removed: rows holding it get 'functional'"
check has 'column gateways.status changed: type text -> public.gateway_status, converted USING'
check has 'function complete_setup changed: signature .* old version dropped \(018_setup_wizard'
check has 'function search_documents removed: callers of this RPC break \(012_knowledge'
check test "$(grep -c 'existing databases keep' "$tmp/v17.txt")" = 0
# HQ v37 -> v39 (038, 039), the review of issue 14: our v37 is rebuilt without git
# history (tests/cases/hq_v37/schemas.sh); the output is kept as a golden file. The
# column drop with its data move is destructive and says what it does to rows; the CHECK
# and the browse index are replaced under their names by 039.
tests/cases/hq_v37/schemas.sh "$tmp/hq"
hqc_abs=$(cd "$(dirname "$hqc")" && pwd)/$(basename "$hqc")
hq_golden() { # FORMAT FILE
	(cd "$tmp/hq" && "$hqc_abs" diff --format "$1" v37 v39) >"$tmp/$2"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$tmp/$2" "$exp/$2"; fi
	diff -u "$exp/$2" "$tmp/$2"
}
check hq_golden text hq_v37_v39.txt
check hq_golden markdown hq_v37_v39.md
hq39() { grep -qE "$1" $exp/hq_v37_v39.txt || { echo "v37 -> v39 diff lacks: $1"; return 1; }; }
check hq39 "^destructive column knowledge_items.pinned removed: its data moved first by UPDATE public.knowledge_items SET scope = 'library' WHERE scope = 'workspace' AND pinned IS NOT TRUE, then dropped \(039_knowledge_library_scope"
check hq39 '^lock +constraint knowledge_items.knowledge_items_scope_check changed: .*dropped and re-created \(039_knowledge_library_scope\)'
check hq39 '^lock +index idx_knowledge_items_browse changed: .*pinned DESC.* -> \(tenant_id, kind, updated_at DESC\).*dropped and re-created \(039'
check hq39 '^1[0-9] changes \([0-9]+ safe, 2 lock, 0 breaking, 1 destructive\)$'
check test "$("$hqc" diff --fail-on destructive "$tmp/hq/v37" "$tmp/hq/v39" >/dev/null 2>&1; echo $?)" = 1
# The copy of 012 as released at v37 is that file, where git history is at hand.
if git cat-file -e 9736b87:schema/012_knowledge.yaml 2>/dev/null; then
	check cmp -s <(git show 9736b87:schema/012_knowledge.yaml) tests/cases/hq_v37/012_knowledge.yaml
fi

echo "diff: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
