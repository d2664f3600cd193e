#!/usr/bin/env bash
# tests/runtime/run.sh - builds libhq (build/libhq.a, .so, .pc) and its cmocka tests, then runs
# the tests twice: built with AddressSanitizer+UBSan, and plain under valgrind --leak-check=full.
# DB tests need HQ_TEST_DSN (libpq conninfo of a throwaway server) and are skipped without it;
# with --with-pg, a throwaway cluster is started through tests/pg/lib.sh and used instead.
# Env: HQ_TEST_DSN, HQ_TEST_NO_VALGRIND=1 (skip the valgrind pass), CC (default cc), CXX.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
if [ "${1:-}" = --with-pg ]; then
    # shellcheck source=/dev/null
    . tests/pg/lib.sh || { echo "run.sh: cannot load tests/pg/lib.sh" >&2; exit 2; }
    pg_start || { echo "run.sh: pg_start failed" >&2; exit 2; }
    export HQ_TEST_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
fi
CC=${CC:-cc}
CXX=${CXX:-c++}
out=build/tests/runtime
mkdir -p "$out/asan" "$out/plain"

die() { echo "run.sh: $*" >&2; exit 2; }

# 1. The library itself, warnings as errors.
make -s -f runtime/runtime.mk runtime HQ_RT_EXTRA_CFLAGS=-Werror CC="$CC" || die "library build failed"

# 2. The public header alone compiles warning-free as C11 and as C++ (extern "C").
printf '#include "hq.h"\nint main(void) { return hq_version_number() == HQ_RUNTIME_VERSION_NUMBER ? 0 : 1; }\n' \
    > "$out/header_check.c"
cp "$out/header_check.c" "$out/header_check.cpp"
"$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -Iruntime -c "$out/header_check.c" -o "$out/header_check.o" \
    || die "hq.h does not compile cleanly as C11"
"$CXX" -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iruntime -c "$out/header_check.cpp" -o "$out/header_check_cpp.o" \
    || die "hq.h does not compile cleanly as C++"

# 3. Tests, in two builds. The runtime is compiled into each test (not linked from libhq.a) so
#    that sanitizers instrument it and tests can reach hq_int.h helpers.
read -ra pc_cflags <<< "$(pkg-config --cflags libpq cmocka)"
read -ra pc_libs <<< "$(pkg-config --libs libpq cmocka)"
common=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wstrict-prototypes
        -Wmissing-prototypes -Wformat=2 -Werror -g -Iruntime "${pc_cflags[@]}")
libs=("${pc_libs[@]}" -lm)
asan_flags=(-O1 -fno-omit-frame-pointer "-fsanitize=address,undefined" -fno-sanitize-recover=all)
plain_flags=(-O0)
tests=(codec row error db hostile)

build_variant() { # variant, flags...
    local variant=$1 src obj t
    shift
    local objs=()
    for src in runtime/*.c; do
        obj="$out/$variant/$(basename "$src" .c).o"
        "$CC" "${common[@]}" "$@" -c "$src" -o "$obj" || return 1
        objs+=("$obj")
    done
    for t in "${tests[@]}"; do
        "$CC" "${common[@]}" "$@" "tests/runtime/test_$t.c" "${objs[@]}" "${libs[@]}" \
            -o "$out/$variant/test_$t" || return 1
    done
}
build_variant asan "${asan_flags[@]}" || die "ASan build failed"
build_variant plain "${plain_flags[@]}" || die "plain build failed"

# 4. Run. cmocka prints "[  PASSED  ] N test(s)." etc.; add them up for one closing line.
passed=0 failed=0 skipped=0 broken=0
count() { # log, label
    local log=$1 p f s
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
}
run_one() { # label, command...
    local label=$1; shift
    local log="$out/$label.log"
    echo "== $label"
    "$@" > "$log" 2>&1
    local rc=$?
    grep -v '^\[ RUN      \]\|^\[       OK \]' "$log"
    count "$log"
    if [ $rc -ne 0 ]; then
        echo "!! $label exited with status $rc"
        broken=$((broken + 1))
    fi
}

[ -n "${HQ_TEST_DSN:-}" ] || echo "HQ_TEST_DSN is not set: database tests will be skipped"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${tests[@]}"; do
    run_one "asan-$t" "$out/asan/test_$t"
done
if [ "${HQ_TEST_NO_VALGRIND:-0}" = 1 ]; then
    echo "valgrind pass skipped (HQ_TEST_NO_VALGRIND=1)"
elif ! command -v valgrind > /dev/null; then
    echo "valgrind not found: install it (apt-get install valgrind) or set HQ_TEST_NO_VALGRIND=1"
    broken=$((broken + 1))
else
    for t in "${tests[@]}"; do
        run_one "valgrind-$t" valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
            --error-exitcode=1 "$out/plain/test_$t"
    done
fi

failed=$((failed + broken))
echo "runtime: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
