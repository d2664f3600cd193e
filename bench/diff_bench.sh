#!/usr/bin/env bash
# hqc diff between the two HQ versions (examples/hq-v17 -> schema, 30 -> 48
# tables, ~540 changes): median of 5 runs (HQ_BENCH_RUNS=N), no database.
# Baseline in the same run: `hqc check schema` (read, build and check of the
# new side alone), so the ratio says what comparing adds on top of loading.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s hqc >/dev/null
runs=${HQ_BENCH_RUNS:-5}
ms() { # COMMAND... -> elapsed milliseconds of one run
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
diff_ms=() check_ms=()
for _ in $(seq "$runs"); do
	diff_ms+=("$(ms ./hqc diff examples/hq-v17 schema)")
	check_ms+=("$(ms ./hqc check schema)")
done
d=$(printf '%s\n' "${diff_ms[@]}" | median)
c=$(printf '%s\n' "${check_ms[@]}" | median)
n=$(./hqc diff examples/hq-v17 schema | tail -1)
echo "hqc diff examples/hq-v17 schema: median ${d} ms of $runs runs (${diff_ms[*]}) -> $n"
echo "baseline hqc check schema:       median ${c} ms of $runs runs (${check_ms[*]})"
awk -v d="$d" -v c="$c" 'BEGIN { if (c > 0) printf "ratio diff / check: %.2f\n", d / c }'
