#!/usr/bin/env bash
# The generated C API (out/c/hq_schema.[ch], issue 4):
#   1. it compiles warning-free as C11 (-Wpedantic -Werror) and as C++, for the HQ schema, the
#      fixture schema (tests/cases/fixture: every construct of the language) and the example
#      schemas (examples/*/), and the generation is deterministic;
#   2. the cmocka tests in tests/capi/ run against a throwaway PostgreSQL 15 database with
#      out/migrations/*.sql applied: descriptors against the catalog and a round trip for every
#      table (test_tables), enums, typed wrappers, RPCs, schema check and error reporting (test_api);
#   3. each test runs twice: built with AddressSanitizer+UBSan, and under valgrind (leak-free).
# Env: HQ_TEST_DSN=<conninfo> uses an existing database with the migrations applied instead of
# starting one; HQ_TEST_NO_VALGRIND=1 skips the valgrind pass; CC, CXX.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
CC=${CC:-cc}
CXX=${CXX:-c++}
out=build/tests/capi
mkdir -p "$out/asan" "$out/plain" "$out/fixture"
die() { echo "c_api: $*" >&2; exit 2; }
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

[ -x ./hqc ] || die "build hqc first (make)"
[ -f out/c/hq_schema.c ] || die "out/c/hq_schema.c is missing (make generate)"

# ---- 1. compiles cleanly, C and C++, deterministic
strict=(-std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror)
cxx_strict=(-std=c++11 -Wall -Wextra -Wpedantic -Werror)
compile_checks() { # dir label: <dir>/<project>_schema.[ch]
	local dir=$1 label=$2 f base
	base=$(basename "$(ls "$dir"/*_schema.c 2>/dev/null | head -1)" .c)
	[ -n "$base" ] || { fail "$label: no *_schema.c in $dir"; return; }
	if "$CC" "${strict[@]}" -Iruntime -I"$dir" -c "$dir/$base.c" -o "$out/fixture/$label.o"; then
		echo "ok: $label/$base.c compiles as C11 with -Wpedantic -Werror"
	else fail "$label/$base.c does not compile cleanly as C11"; fi
	for f in "$base.h" "$base.c"; do
		if "$CXX" -x c++ "${cxx_strict[@]}" -fsyntax-only -Iruntime -I"$dir" "$dir/$f"; then
			echo "ok: $label/$f compiles as C++"
		else fail "$label/$f does not compile as C++"; fi
	done
}
compile_checks out/c hq
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ./hqc build -o "$tmp/a" tests/cases/fixture/schema 2>"$tmp/log"; then
	compile_checks "$tmp/a/c" "fixture"
else
	cat "$tmp/log"; fail "hqc build of the fixture failed"
fi
for f in examples/quickstart.c bench/capi_bench.c; do # the programs built on the API
	if "$CC" "${strict[@]}" -D_POSIX_C_SOURCE=200809L -Iruntime -Iout/c $(pkg-config --cflags libpq) -fsyntax-only "$f"; then
		echo "ok: $f compiles with -Wpedantic -Werror"
	else fail "$f does not compile cleanly"; fi
done
for d in examples/*/; do # the example schemas (tests/suites/examples.sh applies them)
	[ -f "$d/_project.yaml" ] || continue
	name=$(basename "$d")
	if ./hqc build -o "$tmp/$name" "$d" 2>"$tmp/log"; then
		compile_checks "$tmp/$name/c" "$name"
	else
		cat "$tmp/log"; fail "hqc build of $d failed"
	fi
done
(cd "$tmp" && TZ=Asia/Tokyo LC_ALL=C "$root/hqc" build -o b "$root/schema" 2>/dev/null) || fail "second build failed"
if cmp -s out/c/hq_schema.h "$tmp/b/c/hq_schema.h" && cmp -s out/c/hq_schema.c "$tmp/b/c/hq_schema.c"; then
	echo "ok: a second build (another directory, time zone and locale) gives the same bytes"
else
	fail "out/c differs from a second build (run make, or the output is not deterministic)"
fi

# ---- 2. build the tests (runtime sources compiled in, so the sanitizers see them)
read -ra pc_cflags <<<"$(pkg-config --cflags libpq cmocka)"
read -ra pc_libs <<<"$(pkg-config --libs libpq cmocka)"
common=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wformat=2 -Werror -g
	-Iruntime -Iout/c -Itests/runtime -Itests/capi "${pc_cflags[@]}")
libs=("${pc_libs[@]}" -lm)
tests=()
for t in tests/capi/test_*.c; do tests+=("$(basename "$t" .c)"); done
build_variant() { # variant flags...
	local variant=$1 src obj t objs=()
	shift
	for src in runtime/*.c out/c/hq_schema.c; do
		obj="$out/$variant/$(basename "$src" .c).o"
		"$CC" "${common[@]}" "$@" -c "$src" -o "$obj" || return 1
		objs+=("$obj")
	done
	for t in "${tests[@]}"; do
		"$CC" "${common[@]}" "$@" "tests/capi/$t.c" "${objs[@]}" "${libs[@]}" -o "$out/$variant/$t" || return 1
	done
}
build_variant asan -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all ||
	die "ASan build failed"
build_variant plain -O0 || die "plain build failed"

# ---- 3. database
if [ -z "${HQ_TEST_DSN:-}" ]; then
	# shellcheck source=/dev/null
	. tests/pg/lib.sh || die "cannot load tests/pg/lib.sh"
	pg_start || die "pg_start failed"
	pg_new_db capi || die "pg_new_db failed"
	for f in out/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d capi -f "$f" >>"$out/migrations.log" 2>&1 ||
			{ cat "$out/migrations.log"; die "applying $f failed"; }
	done
	echo "ok: out/migrations applied to a fresh database"
	export HQ_TEST_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=capi"
fi

# ---- 4. run: cmocka prints "[  PASSED  ] N test(s)." and so on; add them up
passed=0 tfailed=0 skipped=0
count() {
	local p f s
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	passed=$((passed + ${p:-0})); tfailed=$((tfailed + ${f:-0})); skipped=$((skipped + ${s:-0}))
}
run_one() { # label command...
	local label=$1 log="$out/$1.log" rc
	shift
	echo "== $label"
	"$@" >"$log" 2>&1
	rc=$?
	grep -v '^\[ RUN      \]\|^\[       OK \]' "$log"
	count "$log"
	[ $rc -eq 0 ] || fail "$label exited with status $rc"
}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${tests[@]}"; do run_one "asan-$t" "$out/asan/$t"; done
if [ "${HQ_TEST_NO_VALGRIND:-0}" = 1 ]; then
	echo "valgrind pass skipped (HQ_TEST_NO_VALGRIND=1)"
elif ! command -v valgrind >/dev/null; then
	fail "valgrind not found (apt-get install valgrind, or HQ_TEST_NO_VALGRIND=1)"
else
	for t in "${tests[@]}"; do
		run_one "valgrind-$t" valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
			--error-exitcode=1 "$out/plain/$t"
	done
fi
# ---- 5. the worked example runs against the same database (after the tests: it commits rows)
make -s build/examples/quickstart || fail "the example does not build"
runner=()
if [ "${HQ_TEST_NO_VALGRIND:-0}" != 1 ] && command -v valgrind >/dev/null; then
	runner=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible --error-exitcode=1)
fi
if "${runner[@]}" build/examples/quickstart "$HQ_TEST_DSN" >"$out/quickstart.log" 2>&1 &&
	grep -q "^budget  ada: .* 1 metered call" "$out/quickstart.log"; then
	echo "ok: examples/quickstart runs${runner:+ under valgrind} and reads the budget back"
else
	cat "$out/quickstart.log"; fail "examples/quickstart"
fi
echo "c_api: $passed passed, $((tfailed + failed)) failed, $skipped skipped"
[ $((tfailed + failed)) -eq 0 ]
