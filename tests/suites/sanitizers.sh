#!/usr/bin/env bash
# hqc itself under AddressSanitizer (leak checking on) and UndefinedBehaviorSanitizer: the
# bad-input corpus (tests/suites/bad_inputs.sh), the golden output and determinism checks
# (golden.sh), the diff goldens (diff.sh), and check/build/diff of the HQ schema and the
# examples, all against build/asan/hqc (`make asan-hqc`). Any sanitizer report fails: it
# changes stderr or the exit status the suites compare. Leaks inside libraries that hqc
# cannot free are listed in tests/lsan.supp, each with its reason; build/asan/hqc leaves
# that one call out of leak reports itself (tests/fuzz/lsan_plpgsql.c), so malloc stacks can
# be unwound the fast way.
set -uo pipefail
cd "$(dirname "$0")/../.."
make -s asan-hqc >/dev/null || { echo "FAILED: make asan-hqc"; exit 1; }
hqc=$PWD/build/asan/hqc
case $(nm "$hqc" 2>/dev/null) in
*__asan_init*) ;;
*) echo "FAILED: $hqc is not built with AddressSanitizer"; exit 1 ;;
esac
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
passed=0 failed=0
run() { # NAME COMMAND...
	local name=$1; shift
	if "$@" >"$tmp/$name.log" 2>&1; then
		echo "ok: $name"; passed=$((passed + 1))
	else
		tail -n 40 "$tmp/$name.log"; echo "FAILED: $name (under ASan+UBSan)"; failed=$((failed + 1))
	fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The time and memory bounds of the corpus hold for the plain build; a sanitizer's overhead
# would only make them noise.
run bad_inputs env HQC="$hqc" BAD_INPUTS_NO_BOUNDS=1 BAD_INPUTS_TIMEOUT=180 bash tests/suites/bad_inputs.sh
run golden env HQC="$hqc" bash tests/suites/golden.sh
run diff env HQC="$hqc" bash tests/suites/diff.sh

# Clean runs print nothing on stderr but the summary line: a sanitizer report would.
clean() { # NAME COMMAND...: exit 0 and no sanitizer output
	local name=$1; shift
	local log=$tmp/${name//[^a-z0-9]/_}
	if "$@" >"$log.out" 2>"$log.err" && ! grep -qE 'Sanitizer|runtime error:' "$log.err"; then
		echo "ok: $name"; passed=$((passed + 1))
	else
		head -n 40 "$log.err"; echo "FAILED: $name (under ASan+UBSan)"; failed=$((failed + 1))
	fi
}
clean "check schema" "$hqc" check --doc-warnings schema
clean "build schema" "$hqc" build -o "$tmp/out" schema
clean "stats schema" "$hqc" stats schema
clean "diff hq-v17 schema" "$hqc" diff --format json examples/hq-v17 schema
for d in examples/*/; do
	[ -f "$d/_project.yaml" ] || continue
	clean "build ${d%/}" "$hqc" build -o "$tmp/ex" "${d%/}"
done
echo "sanitizers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
