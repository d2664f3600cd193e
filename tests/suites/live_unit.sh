#!/usr/bin/env bash
# cmocka unit tests of live/'s pure parts (tests/live/test_live.c: SHA-256,
# statement splitting, transaction groups, error positions), built with
# AddressSanitizer + UndefinedBehaviorSanitizer (any report fails) and run
# under valgrind when it is installed. No database needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
CC=${CC:-cc}
WARN=(-std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2)
read -r -a CMOCKA <<<"$(pkg-config --cflags --libs cmocka)"
out=build/unit/live
mkdir -p "$out"
srcs=(tests/live/test_live.c live/sha256.c live/split.c)
rc=0
"$CC" -D_GNU_SOURCE "${WARN[@]}" -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -I. "${srcs[@]}" -o "$out/test_live_asan" "${CMOCKA[@]}" -lpg_query
if ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$PWD/tests/unit/lsan.supp:print_suppressions=0 \
	"$out/test_live_asan" >"$out/asan.log" 2>&1 && ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$out/asan.log"; then
	echo "ok: test_live (ASan+UBSan)"
else
	cat "$out/asan.log"; echo "FAILED: test_live (ASan+UBSan)"; rc=1
fi
if command -v valgrind >/dev/null; then
	"$CC" -D_GNU_SOURCE "${WARN[@]}" -g -O0 -I. "${srcs[@]}" -o "$out/test_live" "${CMOCKA[@]}" -lpg_query
	if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
		--suppressions=tests/unit/valgrind.supp --error-exitcode=1 "$out/test_live" >"$out/valgrind.log" 2>&1; then
		echo "ok: test_live (valgrind)"
	else
		cat "$out/valgrind.log"; echo "FAILED: test_live (valgrind)"; rc=1
	fi
fi
exit $rc
