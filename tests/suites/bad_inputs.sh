#!/usr/bin/env bash
# Bad-input corpus: every tests/cases/bad/<case>/ holds a malformed schema/
# and stderr.txt, the exact diagnostics hqc must print for it. For each case,
# `hqc build -o OUT schema` run from the case directory (so paths print as
# schema/001_x.yaml:3:5) must
#   - exit 1 (schema errors), or the status in the optional file `status`
#     (2 for usage and I/O errors),
#   - print exactly stderr.txt on stderr and nothing on stdout,
#   - write nothing: OUT must not exist afterwards,
#   - finish within 2 s of CPU time and 256 MB (hostile input has limits,
#     not hangs; a 20 s timeout catches a hang).
# A case may generate its schema at test time instead (big files, special
# files, bytes an editor mangles): an executable `make.sh` in the case
# directory runs in a scratch copy of it and writes schema/ there. With a
# file `unprivileged`, hqc runs as user nobody when the tests run as root
# (root reads a file whatever its mode).
# A case may hold a file `command` with the hqc arguments to run instead of
# `build -o OUT` (for lint cases: `check --werror`, or `check` for a finding of
# severity info, whose `status` is 0). A lint case may also hold good/schema,
# the same schema with the finding fixed, which tests/suites/lint.sh checks.
#
#   tests/suites/bad_inputs.sh [CASE...]     run all cases, or the named ones
#   UPDATE_GOLDEN=1 tests/suites/bad_inputs.sh   rewrite stderr.txt (review the diff)
#   HQC=/path/to/hqc tests/suites/bad_inputs.sh  test another binary (e.g. an ASan build)
#   BAD_INPUTS_NO_BOUNDS=1 ...                   skip the time and memory bounds (sanitizer builds)
#   BAD_INPUTS_TIMEOUT=S ...                     a run taking longer fails as a hang (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
if [ -z "${HQC:-}" ]; then
	make -s -C "$root" hqc >/dev/null
	hqc=$root/hqc
else
	hqc=$(cd "$(dirname "$HQC")" && pwd)/$(basename "$HQC")
fi
cases=$root/tests/cases/bad
tmp=$(mktemp -d); trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"   # readable by nobody (unprivileged cases)
max_seconds=2 max_kb=$((256 * 1024))
bounds=1
[ "${BAD_INPUTS_NO_BOUNDS:-}" = 1 ] && bounds=0
[ -x /usr/bin/time ] || { echo "note: /usr/bin/time missing (Debian package time): bounds not checked"; bounds=0; }

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for d in "$cases"/*/; do names+=("$(basename "$d")"); done
fi

passed=0 failed=0 updated=0
for name in "${names[@]}"; do
	dir=$cases/${name%/}
	if [ ! -d "$dir" ]; then
		echo "FAIL $name: no such case"; failed=$((failed + 1)); continue
	fi
	want_status=1
	[ -f "$dir/status" ] && want_status=$(tr -d '[:space:]' <"$dir/status")
	rm -rf "$tmp/out"
	args=(build -o "$tmp/out")
	if [ -f "$dir/command" ]; then read -r -a args <"$dir/command"; fi
	problems=()
	run_dir=$dir
	if [ -f "$dir/make.sh" ]; then
		chmod -R u+rwX "$tmp/case" 2>/dev/null || true
		rm -rf "$tmp/case"
		mkdir -p "$tmp/case"
		chmod 755 "$tmp/case"
		(cd "$tmp/case" && bash "$dir/make.sh") || problems+=("make.sh failed")
		run_dir=$tmp/case
	fi
	as=()
	if [ -f "$dir/unprivileged" ] && [ "$(id -u)" = 0 ]; then
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
	fi
	timer=()
	# CPU seconds (user + system), which other load on the machine does not inflate.
	[ $bounds = 1 ] && timer=(/usr/bin/time -o "$tmp/time" -f "%U %S %M")
	status=0
	(cd "$run_dir" && "${timer[@]}" "${as[@]}" timeout "${BAD_INPUTS_TIMEOUT:-20}" "$hqc" "${args[@]}" schema) >"$tmp/stdout" 2>"$tmp/stderr" ||
		status=$?
	if [ $bounds = 1 ] && read -r user sys kb < <(tail -n 1 "$tmp/time"); then
		secs=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
		awk -v s="$secs" -v m="$max_seconds" 'BEGIN { exit !(s > m) }' && problems+=("took $secs s of CPU (bound: $max_seconds s)")
		[ "$kb" -le $max_kb ] || problems+=("used $((kb / 1024)) MB (bound: $((max_kb / 1024)) MB)")
	fi
	[ "$status" = "$want_status" ] || problems+=("exit status $status, expected $want_status")
	[ ! -s "$tmp/stdout" ] || problems+=("unexpected output on stdout: $(head -c 200 "$tmp/stdout")")
	[ ! -e "$tmp/out" ] || problems+=("output was written: $(cd "$tmp" && find out | head -5 | tr '\n' ' ')")
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		if ! cmp -s "$tmp/stderr" "$dir/stderr.txt" 2>/dev/null; then
			cp "$tmp/stderr" "$dir/stderr.txt"
			updated=$((updated + 1))
			echo "updated: tests/cases/bad/$name/stderr.txt"
		fi
	elif [ ! -f "$dir/stderr.txt" ]; then
		problems+=("no stderr.txt (run with UPDATE_GOLDEN=1 to create it)")
	elif ! cmp -s "$dir/stderr.txt" "$tmp/stderr"; then
		problems+=("stderr differs from stderr.txt:")
		problems+=("$(diff -u --label "$name/stderr.txt" --label "$name/actual" "$dir/stderr.txt" "$tmp/stderr" || true)")
	fi
	if [ ${#problems[@]} -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		printf '%s\n' "${problems[@]}" | sed 's/^/  /'
	fi
done

[ "${UPDATE_GOLDEN:-}" = 1 ] && echo "$updated stderr.txt file(s) rewritten"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
