#!/usr/bin/env bash
# cmocka unit tests of the compiler's pure functions (tests/unit/test_*.c),
# linked against the compiler's objects (gen/**/*.c but gen/main.c). Built into
# build/unit/ twice: with AddressSanitizer, UndefinedBehaviorSanitizer and
# LeakSanitizer (any report fails the test), and plainly for valgrind
# (--leak-check=full, which also sees uninitialised reads that ASan does
# not), which runs every test when it is installed. Suppressions for leaks
# of libpg_query itself are in tests/lsan.supp and tests/unit/valgrind.supp.
set -euo pipefail
cd "$(dirname "$0")/../.."

CC=${CC:-cc}
WARN=(-std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2)
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags yaml-0.1 libpcre2-8 cmocka)"
read -r -a PKG_LIBS <<<"$(pkg-config --libs cmocka yaml-0.1 libpcre2-8)"
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
out=build/unit

# build VARIANT FLAGS...: the compiler's objects into an archive (so a test
# pulls in only what it uses), then one binary per test source.
build() {
	local variant=$1; shift
	local dir=$out/$variant obj src o newest_h
	mkdir -p "$dir/obj"
	newest_h=$(ls -t $(find gen -name '*.h') tests/unit/*.h 2>/dev/null | head -n 1)
	local objs=()
	for src in $(find gen -name '*.c' | sort); do
		[[ $src == gen/main.c ]] && continue
		o=$dir/obj/$(basename "$src" .c).o
		objs+=("$o")
		if [[ ! -f $o || $src -nt $o || $newest_h -nt $o ]]; then
			"$CC" -D_GNU_SOURCE "${WARN[@]}" "$@" -Igen "${PKG_CFLAGS[@]}" -c "$src" -o "$o" || return 1
		fi
	done
	rm -f "$dir/libgen.a"
	ar rcs "$dir/libgen.a" "${objs[@]}"
	for src in tests/unit/test_*.c; do
		"$CC" -D_GNU_SOURCE "${WARN[@]}" "$@" -Igen "${PKG_CFLAGS[@]}" "$src" -o "$dir/$(basename "$src" .c)" \
			"$dir/libgen.a" "${PKG_LIBS[@]}" -lpg_query || return 1
	done
}

echo "building the unit tests with ASan+UBSan into $out/asan"
build asan -g -O1 "${SAN[@]}"

passed=0 failed=0
for src in tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	t=$out/asan/$name
	log=$out/asan/$name.log
	rc=0
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
	LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0:fast_unwind_on_malloc=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$t" >"$log" 2>&1 || rc=$?
	cat "$log"
	if [[ $rc -ne 0 ]]; then
		echo "FAILED: $name (exit status $rc)"; failed=$((failed + 1))
	elif grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
		echo "FAILED: $name (sanitizer report)"; failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
done

if command -v valgrind >/dev/null; then
	echo "building the unit tests without sanitizers into $out/plain for valgrind"
	build plain -g -O0
	for src in tests/unit/test_*.c; do
		name=$(basename "$src" .c)
		log=$out/plain/$name.valgrind.log
		rc=0
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
			--suppressions=tests/unit/valgrind.supp --error-exitcode=1 "$out/plain/$name" >"$log" 2>&1 || rc=$?
		if [[ $rc -ne 0 ]]; then
			cat "$log"; echo "FAILED: valgrind $name (exit status $rc)"; failed=$((failed + 1))
		else
			echo "ok: valgrind $name"; passed=$((passed + 1))
		fi
	done
else
	echo "valgrind is not installed: skipped"
fi

echo "unit: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
