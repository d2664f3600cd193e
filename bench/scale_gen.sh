#!/usr/bin/env bash
# Writes a synthetic schema of N simple tables into DIR (for scale_bench.sh):
# each table has ten columns, an index (which covers its foreign key), a
# foreign key to the previous table and row level security with one read
# policy, so the schema is clean under the lints and `hqc build` writes
# everything; PER_MODULE tables per module file (default 100). VARIANT (default
# 0) changes a few details (a column type, a default, a doc) in every tenth
# table, so two variants make a realistic `hqc diff` input.
#
#   bench/scale_gen.sh N DIR [VARIANT [PER_MODULE]]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 N DIR [VARIANT]" >&2; exit 2; }
n=$1 dir=$2 variant=${3:-0} per=${4:-100}
mkdir -p "$dir"
rm -f "$dir"/*.yaml
cat >"$dir/_project.yaml" <<YAML
project:
  name: scale
  doc: Synthetic schema of $n tables for the scale benchmark.
  schema: public
  roles:
    authenticated: Signed-in user.
YAML
awk -v n="$n" -v dir="$dir" -v variant="$variant" -v per="$per" '
BEGIN {
	for (m = 0; m * per < n; m++) {
		file = sprintf("%s/%03d_part%d.yaml", dir, m + 1, m + 1)
		last = (m + 1) * per
		if (last > n)
			last = n
		printf "module: %03d_part%d\nsummary: Tables %d to %d\ntables:\n", m + 1, m + 1, m * per + 1, last >file
		for (i = m * per + 1; i <= n && i <= (m + 1) * per; i++) {
			t = sprintf("t%05d", i)
			changed = variant && i % 10 == 0
			printf "  %s:\n    doc: Table %d%s.\n    columns:\n", t, i, changed ? " (changed)" : "" >file
			printf "      id: { type: uuid, primary_key: true, default: gen_random_uuid() }\n" >file
			if (i > 1)
				printf "      prev_id: { type: uuid, references: { table: t%05d, on_delete: cascade } }\n", i - 1 >file
			else
				printf "      prev_id: { type: uuid }\n" >file
			printf "      name: { type: text, not_null: true, doc: The name. }\n" >file
			printf "      amount: { type: \"%s\", default: \"0\" }\n", changed ? "numeric(14,2)" : "numeric(12,2)" >file
			printf "      qty: { type: integer, not_null: true, default: \"%d\" }\n", changed ? 1 : 0 >file
			printf "      note: { type: text }\n" >file
			printf "      tags: { type: \"text[]\" }\n" >file
			printf "      meta: { type: jsonb, not_null: true, default: \"%s\" }\n", "'"'"'{}'"'"'::jsonb" >file
			printf "      active: { type: boolean, not_null: true, default: \"true\" }\n" >file
			printf "      created_at: { type: timestamptz, not_null: true, default: now() }\n" >file
			printf "    indexes:\n      %s_prev_idx: { key: [prev_id, created_at] }\n", t >file
			printf "    rls: enabled\n    policies:\n      Signed-in users read:\n        command: select\n" >file
			printf "        to: [authenticated]\n        using: \"true\"\n" >file
		}
		close(file)
	}
}'
