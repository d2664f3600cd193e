#!/usr/bin/env bash
# Writes DIR/v37 and DIR/v39, the HQ schema at our v37 and at v39, without
# git history (CI may run on a plain checkout):
#   v37 = schema/ modules 001-037, with 012 as released at v37 (the copy in
#         this folder: 039 made 012 describe knowledge_items without `pinned`);
#   v39 = schema/ modules 001-039.
# Files of later modules are left out of both, so the pair stays v37 -> v39.
#
#   tests/cases/hq_v37/schemas.sh DIR
set -euo pipefail
dir=${1:?usage: schemas.sh DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema=$here/../../../schema
mkdir -p "$dir/v37" "$dir/v39"
for f in "$schema"/*.yaml; do
	name=${f##*/}
	case $name in
	_*) cp "$f" "$dir/v37/"; cp "$f" "$dir/v39/" ;;
	0[0-2][0-9]_* | 03[0-7]_*) cp "$f" "$dir/v37/"; cp "$f" "$dir/v39/" ;;
	038_* | 039_*) cp "$f" "$dir/v39/" ;;
	esac
done
cp "$here/012_knowledge.yaml" "$dir/v37/"
