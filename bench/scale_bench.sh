#!/usr/bin/env bash
# How hqc's cost grows with the schema: synthetic schemas of 1,000, 4,000 and 5,000 tables
# (bench/scale_gen.sh: ten columns, an index and a foreign key to the previous table each)
# through `hqc check`, `hqc build` (SQL, C and docs into a fresh directory) and `hqc diff`
# (against a variant with every tenth table changed). For each: the median wall time of
# HQ_BENCH_RUNS runs (default 3), CPU time (user + system) and peak RSS (/usr/bin/time), and
# the ratio to the 1,000-table schema measured in the same run: linear cost means a ratio
# near the ratio of the sizes (4 and 5). Targets for 5,000 tables: check < 0.5 s, build < 2 s,
# diff < 1 s. Output goes to /dev/shm when it exists, so the numbers are the compiler's and
# not the disk's.
#
#   bench/scale_bench.sh                      the hqc of this tree
#   HQC_COMPARE=/path/to/old/hqc bench/...    also an older binary, in the same run
set -euo pipefail
cd "$(dirname "$0")/.."
make -s hqc >/dev/null
runs=${HQ_BENCH_RUNS:-3}
sizes=(1000 4000 5000)
[ -x /usr/bin/time ] || { echo "scale_bench: needs /usr/bin/time (Debian package time)"; exit 1; }
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
work=$(mktemp -d "$base/hqc-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT

for n in "${sizes[@]}"; do
	bench/scale_gen.sh "$n" "$work/s$n"
	bench/scale_gen.sh "$n" "$work/s$n-b" 1
done
# The largest schema again as one module (the order of a module's tables is a graph sort).
last=${sizes[${#sizes[@]} - 1]}
bench/scale_gen.sh "$last" "$work/s$last-one" 0 "$last"
echo "schemas: $(for n in "${sizes[@]}"; do printf '%s tables %s KB; ' "$n" "$(du -sk "$work/s$n" | cut -f1)"; done)"

# measure BIN WHAT N -> "median_wall_ms cpu_ms peak_kb" (CPU and RSS of the median run)
measure() {
	local bin=$1 what=$2 n=$3 i out
	local rows=()
	for i in $(seq "$runs"); do
		rm -rf "$work/out"
		case $what in
		check) cmd=("$bin" check "$work/s$n") ;;
		build) cmd=("$bin" build -o "$work/out" "$work/s$n") ;;
		build1) cmd=("$bin" build -o "$work/out" "$work/s$n-one") ;;
		diff) cmd=("$bin" diff "$work/s$n" "$work/s$n-b") ;;
		esac
		local t0 t1
		t0=$(date +%s%N)
		local rc=0
		/usr/bin/time -o "$work/time" -f "%U %S %M" "${cmd[@]}" >/dev/null 2>"$work/err" || rc=$?
		t1=$(date +%s%N)
		# (A run that fails measures nothing: the schemas must stay clean under every check.)
		if [ "$rc" != 0 ]; then
			echo "scale_bench: ${cmd[*]} failed (exit $rc):" >&2
			grep -v '^Command exited' "$work/err" | head -5 >&2
			exit 1
		fi
		read -r u s kb < <(tail -n 1 "$work/time")
		rows+=("$(((t1 - t0) / 1000000)) $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 }') $kb")
	done
	printf '%s\n' "${rows[@]}" | sort -n | awk -v k=$(((runs + 1) / 2)) 'NR == k'
}

report() { # BIN LABEL
	local bin=$1 label=$2 what n
	echo
	echo "$label"
	printf '%-6s %7s %10s %9s %10s %11s %9s\n' command tables "wall ms" "cpu ms" "peak MB" "wall ratio" "MB ratio"
	for what in check build diff; do
		local w0=0 m0=0
		for n in "${sizes[@]}"; do
			read -r w c kb < <(measure "$bin" "$what" "$n")
			if [ "$n" = "${sizes[0]}" ]; then w0=$w m0=$kb; fi
			printf '%-6s %7s %10s %9s %10s %11s %9s\n' "$what" "$n" "$w" "$c" "$((kb / 1024))" \
				"$(awk -v a="$w" -v b="$w0" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
				"$(awk -v a="$kb" -v b="$m0" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
		done
	done
	read -r w c kb < <(measure "$bin" build1 "$last")
	printf '%-6s %7s %10s %9s %10s   (all %s tables in one module)\n' build "$last" "$w" "$c" "$((kb / 1024))" "$last"
}

report ./hqc "hqc (this tree); ratios against the ${sizes[0]}-table schema (linear: 4.00 and 5.00)"
if [ -n "${HQC_COMPARE:-}" ]; then
	report "$HQC_COMPARE" "$HQC_COMPARE (for comparison, same run)"
fi
echo
echo "targets at 5000 tables: check < 500 ms, build < 2000 ms, diff < 1000 ms (wall, median of $runs)"
