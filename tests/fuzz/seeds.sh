#!/usr/bin/env bash
# Writes the seed corpora of the harnesses into OUT (default build/fuzz/seeds)
# from what the repository holds: the HQ schema, examples/, the test cases.
#   load      every module file, as it is
#   pipeline  each schema directory packed (fuzz_common.h), and each module
#             packed with its directory's _project.yaml and _traits.yaml
#   diff      pairs of schemas that are versions of each other
#   sql       every SQL fragment (written by the fuzz_seeds tool)
#   decode    text values of every type libhq decodes
#   row       result rows
# Inputs found by fuzzing that once failed live in tests/fuzz/corpus/NAME/
# (committed; every smoke run replays them).
#
#   tests/fuzz/seeds.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/fuzz/seeds}
rm -rf "$out"
mkdir -p "$out"/{load,pipeline,diff,sql,decode,row}

dirs=(schema examples/agenthq examples/cogo examples/ownpilot examples/hq-v17 tests/cases/fixture/schema
	tests/cases/fixture_v1/schema tests/cases/changes/v1 tests/cases/changes/v2)
for d in tests/cases/bad/*/schema; do dirs+=("$d"); done

pack() { # DIR [FILE...]: the files (default: all *.yaml of DIR) as a pack
	local dir=$1; shift
	local files=("$@")
	[ ${#files[@]} -gt 0 ] || files=("$dir"/*.yaml)
	for f in "${files[@]}"; do
		[ -f "$f" ] || continue
		printf '=== %s\n' "${f##*/}"
		cat "$f"
	done
}

n=0
for d in "${dirs[@]}"; do
	[ -d "$d" ] || continue
	n=$((n + 1))
	key=$(printf '%03d' "$n")
	pack "$d" >"$out/pipeline/dir-$key"
	for f in "$d"/[0-9]*.yaml; do
		[ -f "$f" ] || continue
		cp "$f" "$out/load/$key-${f##*/}"
		pack "$d" "$d/_project.yaml" "$d/_traits.yaml" "$f" >"$out/pipeline/module-$key-${f##*/}"
	done
done

pair() { # NAME OLD NEW
	{ pack "$2"; printf '=== @new\n'; pack "$3"; } >"$out/diff/$1"
}
pair hq-v17-to-hq examples/hq-v17 schema
pair fixture-v1-to-fixture tests/cases/fixture_v1/schema tests/cases/fixture/schema
pair changes-v1-to-v2 tests/cases/changes/v1 tests/cases/changes/v2
pair fixture-to-itself tests/cases/fixture/schema tests/cases/fixture/schema
pair agenthq-to-cogo examples/agenthq examples/cogo
# Smaller pairs run faster: the fixture's first k modules against the first version's.
v1=tests/cases/fixture_v1/schema v2=tests/cases/fixture/schema
k=0
for f in "$v2"/[0-9]*.yaml; do
	k=$((k + 1))
	{
		pack "$v1" "$v1/_project.yaml" "$v1/_traits.yaml" $(ls "$v1"/[0-9]*.yaml | head -n "$k")
		printf '=== @new\n'
		pack "$v2" "$v2/_project.yaml" "$v2/_traits.yaml" $(ls "$v2"/[0-9]*.yaml | head -n "$k")
	} >"$out/diff/fixture-first-$k"
done

build/fuzz/fuzz_seeds "$out/sql" schema examples/agenthq examples/cogo examples/ownpilot examples/hq-v17 \
	tests/cases/fixture/schema >/dev/null

# decode: first byte = type (1..16, hq.h HqType order) - 1, + 16 for an array.
value() { # NAME TYPE ARRAY TEXT
	printf "\\$(printf '%03o' $(($2 - 1 + 16 * $3)))%s" "$4" >"$out/decode/$1"
}
value bool 1 0 t; value int2 2 0 -32768; value int4 3 0 2147483647; value int8 4 0 -9223372036854775808
value float4 5 0 1.17549435e-38; value float8 6 0 -Infinity; value numeric 7 0 -12.500; value numeric-nan 7 0 NaN
value text 8 0 'a "quoted" \ text'; value json 9 0 '{"a": [1, 2.5e3, null, "x\u00e9"]}'
value jsonb 10 0 '{"k": {"n": true}}'; value bytea 11 0 '\x00ff10'; value uuid 12 0 a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11
value uuid-braces 12 0 '{a0eebc999c0b4ef8bb6d6bb9bd380a11}'
value ts 13 0 '2024-02-29 23:59:59.999999+00'; value ts-bc 13 0 '0044-03-15 12:00:00+01:30:15 BC'
value ts-inf 13 0 infinity; value date 14 0 2000-01-01; value date-bc 14 0 '4713-11-24 BC'; value enum 15 0 'in progress'
value vector 16 0 '[1,-2.5,3e-7]'
value int-array 3 1 '{1,NULL,-3}'; value text-array 8 1 '{"a b","c\"d",NULL,"NULL",e}'
value nested-array 3 1 '{{1,2},{3,4}}'; value bounds-array 14 1 '[0:1]={2024-01-01,infinity}'
value uuid-array 12 1 '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'; value ts-array 13 1 '{"2024-01-01 00:00:00+00"}'
value enum-array 15 1 '{todo,"in progress",done}'; value numeric-array 7 1 '{1.5,NaN,-0}'
value json-array 9 1 '{"{\"a\": 1}","[]"}'; value empty-array 8 1 '{}'; value bytea-array 11 1 '{"\\x00"}'

# row: first byte = column count choice (2: all columns), values separated by 0x1F, 0xFF = NULL.
row() { # NAME FIRST VALUES... (joined by 0x1F)
	local name=$1 first=$2; shift 2
	{ printf "\\$(printf '%03o' "$first")"; local sep=""; for v in "$@"; do printf '%s%s' "$sep" "$v"; sep=$'\x1f'; done; } \
		>"$out/row/$name"
}
row full 2 a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 '2024-01-01 10:00:00+00' 2024-01-02 12.50 alice '{"a":1}' done \
	'{x,"y z"}' '{1.5,NULL}' '[1,2,3]' '\x00ff' 42 0.25 t '{2024-01-01}'
row nulls 2 a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 $'\xff' 2024-01-02 0 $'\xff' '{}' todo '{}' $'\xff' $'\xff' '\x' 0 0 f '{}'
row short 0 a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 '2024-01-01 10:00:00+00'
row bad 2 not-a-uuid yesterday 2024-13-40 12..5 bob '{' nope '{unterminated' '{1,x}' '[1,' '\xZZ' 9e99 x maybe '{x}'
echo "seeds: $(find "$out" -type f | wc -l) files in $out"
