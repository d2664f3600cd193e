#!/usr/bin/env bash
# Runs every test suite and prints one closing line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0
run() {
	local name=$1; shift
	echo "== $name"
	if "$@"; then passed=$((passed + 1)); echo "ok: $name"
	else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
for t in tests/suites/*.sh; do
	run "$(basename "$t" .sh)" bash "$t"
done
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
