#!/usr/bin/env bash
# The lint stage (docs/lints.md), beyond the exact diagnostics of the bad-input corpus
# (tests/cases/bad/*lint*: one case per rule, run by bad_inputs.sh):
#   * every rule of the registry (gen/lint/lint.c) has a bad case whose diagnostic names it,
#     a good case (the case's good/schema, the finding fixed) on which `hqc check --werror`
#     is silent, and a row with its severity in docs/lints.md;
#   * severities: a warning fails only with --werror; info never fails and `hqc build` does not
#     print it; an error stops the build and nothing is written;
#   * --format json: valid JSON on stdout with the findings (declared exceptions flagged);
#     --lint-only leaves out the doc warnings;
#   * the generated docs show declared exceptions on the object's page and in
#     docs/lint_exceptions.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
hqc=${HQC:-./hqc}
[ -n "${HQC:-}" ] || make -s hqc >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cases=tests/cases/bad
rc=0
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; rc=1; }
json_ok() { # FILE: parses as JSON
	if command -v node >/dev/null; then node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$1"
	else python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"; fi
}

# ---- every rule: registry, bad case, good case, documentation
mapfile -t rules < <(sed -n 's/^        "\([a-z_]*\)", LINT_\([A-Z]*\), .*/\1 \2/p' gen/lint/lint.c)
[ "${#rules[@]}" -ge 25 ] || fail "found only ${#rules[@]} rules in gen/lint/lint.c"
for entry in "${rules[@]}"; do
	rule=${entry% *} sev=${entry#* }
	sev=$(tr 'A-Z' 'a-z' <<<"$sev")
	bad=$(grep -l "\[$rule\]\$" "$cases"/*/stderr.txt | head -1 || true)
	if [ -z "$bad" ]; then fail "$rule: no bad-input case reports it"; continue; fi
	dir=$(dirname "$bad")
	if [ ! -d "$dir/good/schema" ]; then fail "$rule: ${dir#"$cases"/} has no good/schema"; continue; fi
	if out=$("$hqc" check --werror "$dir/good/schema" 2>&1) && [ -z "$out" ]; then
		ok "$rule: fires on ${dir#"$cases"/}, silent on its good variant"
	else
		fail "$rule: the good variant of ${dir#"$cases"/} is not clean: $out"
	fi
	grep -q "^| \`$rule\` | $sev |" docs/lints.md || fail "$rule: no row \"| \`$rule\` | $sev |\" in docs/lints.md"
done

# ---- severities and exit status
w=$cases/136_lint_function_search_path_mutable/schema
if "$hqc" check "$w" 2>"$tmp/w.txt" && grep -q 'warning: .*\[function_search_path_mutable\]' "$tmp/w.txt"; then
	ok "a warning is reported and does not fail the check"
else fail "warning without --werror: $(cat "$tmp/w.txt")"; fi
if "$hqc" build -o "$tmp/w_out" "$w" 2>"$tmp/wb.txt" && [ -d "$tmp/w_out/migrations" ]; then
	ok "a warning does not stop the build"
else fail "warning stopped the build: $(cat "$tmp/wb.txt")"; fi
if ! "$hqc" build --werror -o "$tmp/w_err" "$w" 2>/dev/null && [ ! -e "$tmp/w_err" ]; then
	ok "--werror: a warning stops the build and nothing is written"
else fail "--werror did not stop the build"; fi
i=$cases/147_lint_unindexed_foreign_keys/schema
"$hqc" build --werror -o "$tmp/i_out" "$i" 2>"$tmp/ib.txt" || fail "an info finding failed the build"
if grep -q 'info:' "$tmp/ib.txt"; then fail "hqc build printed an info finding"; else ok "info: not printed by build, never fatal"; fi

# ---- --format json and --lint-only
set +e
"$hqc" check --werror --format json "$cases/132_lint_rls_policy_always_true/schema" >"$tmp/f.json" 2>"$tmp/f.err"
status=$?
set -e
if [ $status = 1 ] && json_ok "$tmp/f.json" &&
	grep -q '"rule": "rls_policy_always_true", "severity": "error", "category": "security", "file": ".*/001_a.yaml", "line": 10, "col": 7' "$tmp/f.json" &&
	grep -q '"summary": {"errors": 1, "warnings": 0, "info": 0, "allowed": 0}' "$tmp/f.json"; then
	ok "--format json: the finding with its location; exit 1 under --werror"
else fail "--format json (exit $status): $(cat "$tmp/f.json" "$tmp/f.err")"; fi
"$hqc" check --format json schema >"$tmp/hq.json"
n_allowed=$(grep -c '"allowed": true, "reason": "' "$tmp/hq.json" || true)
if json_ok "$tmp/hq.json" && [ "$n_allowed" -gt 0 ] && ! grep -q '"allowed": false' "$tmp/hq.json"; then
	ok "--format json on HQ: $n_allowed findings, all declared exceptions with their reasons"
else fail "--format json on HQ"; fi
nodoc=$cases/129_lint_rls_disabled_in_public/good/schema
"$hqc" check --doc-warnings "$nodoc" 2>"$tmp/docw.txt" || true
if grep -q 'has no doc' "$tmp/docw.txt" &&
	[ -z "$("$hqc" check --doc-warnings --lint-only "$nodoc" 2>&1)" ]; then
	ok "--lint-only leaves out the doc warnings"
else fail "--lint-only"; fi

# ---- the clean schemas of the repository
for s in schema examples/*/ tests/cases/fixture/schema; do
	[ -f "$s/_project.yaml" ] || continue
	if out=$("$hqc" check --werror "$s" 2>&1) && ! grep -q . <<<"$out"; then ok "hqc check --werror $s: clean"
	else fail "hqc check --werror $s: $out"; fi
done

# ---- declared exceptions in the docs
"$hqc" build -o "$tmp/hq" schema 2>/dev/null
n_lint=$(grep -c '^ *lint:' schema/0*.yaml | awk -F: '{ s += $2 } END { print s }')
n_rows=$(grep -c '^| \[[0-9]' "$tmp/hq/docs/lint_exceptions.md" || true)
if [ "$n_rows" = "$n_lint" ] && [ "$n_lint" -gt 0 ]; then
	ok "docs/lint_exceptions.md lists the $n_lint exceptions of schema/"
else fail "docs/lint_exceptions.md lists $n_rows exceptions, schema/ declares $n_lint"; fi
if grep -q '## Lint exceptions' "$tmp/hq/docs/functions/consume_gateway_token.md" &&
	grep -q 'anon_security_definer_function_executable' "$tmp/hq/docs/functions/consume_gateway_token.md" &&
	grep -q '## Lint exceptions' "$tmp/hq/docs/tables/gateway_registration_tokens.md" &&
	grep -q 'lint_exceptions.md' "$tmp/hq/docs/README.md"; then
	ok "exceptions appear on the pages of their objects, and README.md links the list"
else fail "exceptions missing from the object pages or README.md"; fi

exit $rc
