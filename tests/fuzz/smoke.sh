#!/usr/bin/env bash
# A short run of every fuzz harness (tests/suites/fuzz_smoke.sh, `make fuzz-smoke`): each one
# first replays its regression corpus (tests/fuzz/corpus/NAME: inputs that once failed) and a
# sample of its seeds, then fuzzes for SECONDS (default 9) from them. Any crash, sanitizer
# report, leak, timeout (10 s) or excess memory fails it; the failing input is kept in
# build/fuzz/artifacts/. Prints one line per harness with libFuzzer's numbers.
#   tests/fuzz/smoke.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-9}
dir=build/fuzz
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1
mkdir -p "$dir/artifacts"
passed=0 failed=0
for n in load pipeline sql diff decode row; do
	bin=$dir/fuzz_$n log=$dir/smoke-$n.log
	work=$(mktemp -d)
	mkdir -p "tests/fuzz/corpus/$n"
	# Seeds sampled (every k-th file) so that replaying them takes a few seconds.
	mkdir -p "$work/seeds" "$work/corpus"
	total=$(find "$dir/seeds/$n" -type f | wc -l)
	step=$(((total + 59) / 60))
	find "$dir/seeds/$n" -type f | sort | awk -v k="$step" 'NR % k == 1 || k == 1' | while read -r f; do
		cp "$f" "$work/seeds/"
	done
	rc=0
	nice -n 5 "$bin" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/$n-" "$work/corpus" "tests/fuzz/corpus/$n" "$work/seeds" >"$log" 2>&1 || rc=$?
	stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | sed -E 's/^#([0-9]+)[[:space:]]+DONE[[:space:]]+/\1 runs, /')
	if [ $rc -ne 0 ] || grep -qE '^==[0-9]+==ERROR|^SUMMARY: |runtime error:' "$log"; then
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|^    #[0-9]' "$log" | head -30
		echo "FAILED: fuzz_$n (exit status $rc; log: $log)"
		failed=$((failed + 1))
	else
		echo "ok: fuzz_$n: $stats"
		passed=$((passed + 1))
	fi
	rm -rf "$work"
done
echo "fuzz smoke: $passed passed, $failed failed"
[ $failed -eq 0 ]
