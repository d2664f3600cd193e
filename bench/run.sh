#!/usr/bin/env bash
# Runs every bench/*_bench.sh (benchmarks print numbers; they are not tests).
# Exit status: the number of benchmarks that failed to run (capped at 1).
set -uo pipefail
cd "$(dirname "$0")" || exit 1
failed=0
for b in ./*_bench.sh; do
	[[ -e $b ]] || continue
	echo "== ${b#./}"
	bash "$b" || { echo "FAILED: ${b#./}"; failed=1; }
done
exit $failed
