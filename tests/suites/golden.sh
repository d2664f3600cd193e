#!/usr/bin/env bash
# Golden output of the fixture schema (tests/cases/fixture: every construct of
# the language): the SQL that `hqc build` writes (migrations/*.sql,
# install.sql) must equal tests/cases/fixture/expected/ byte for byte, and
# the whole output (SQL and docs) must not depend on the run: a second build,
# another working directory, another path to the schema, another locale or
# time zone give the same bytes.
#
#   UPDATE_GOLDEN=1 tests/suites/golden.sh   rewrite expected/ (review the diff)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
hqc=$(cd "$(dirname "${HQC:-./hqc}")" && pwd)/$(basename "${HQC:-./hqc}")   # HQC=path tests another build
case_dir=$root/tests/cases/fixture
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
rc=0

build() { # OUT-DIR [env...]; run from the current directory with schema path $schema
	env "${@:2}" "$hqc" build -o "$1" "$schema" 2>"$1.log" || { cat "$1.log"; return 1; }
}

echo "check: the fixture documents everything (hqc check --doc-warnings)"
if warnings=$("$hqc" check --doc-warnings tests/cases/fixture/schema 2>&1) && [ -z "$warnings" ]; then
	echo "ok: no warnings"
else
	echo "FAIL: hqc check --doc-warnings:"; echo "$warnings"; rc=1
fi

echo "build: tests/cases/fixture/schema"
schema=tests/cases/fixture/schema
build "$tmp/a"

# The golden part: the SQL.
mkdir -p "$tmp/sql"
cp -R "$tmp/a/migrations" "$tmp/a/install.sql" "$tmp/sql/"

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
	rm -rf "$case_dir/expected"
	mkdir -p "$case_dir/expected"
	cp -R "$tmp/sql/." "$case_dir/expected/"
	echo "updated: tests/cases/fixture/expected ($(find "$case_dir/expected" -type f | wc -l) files)"
fi

echo "check: migrations/*.sql and install.sql = tests/cases/fixture/expected"
if diff -ru "$case_dir/expected" "$tmp/sql"; then
	echo "ok: golden output matches"
else
	echo "FAIL: output differs from tests/cases/fixture/expected (UPDATE_GOLDEN=1 rewrites it)"; rc=1
fi
# install.sql is the migrations in order, separated by one blank line.
{
	first=1
	for f in "$tmp"/a/migrations/*.sql; do
		[ $first = 1 ] || echo
		cat "$f"; first=0
	done
} >"$tmp/concat.sql"
if cmp -s "$tmp/concat.sql" "$tmp/a/install.sql"; then
	echo "ok: install.sql is the migrations in order"
else
	echo "FAIL: install.sql is not the concatenation of the migrations"; rc=1
fi

same() { # WHAT DIR
	if diff -r "$tmp/a" "$2" >/dev/null; then echo "ok: deterministic: $1"
	else echo "FAIL: output differs: $1"; diff -ru "$tmp/a" "$2" | head -40; rc=1; fi
}
echo "check: determinism"
build "$tmp/b"
same "second build" "$tmp/b"
# Every installed locale among these (tr_TR: the dotless i of toupper/tolower).
for loc in C C.UTF-8 POSIX en_US.UTF-8 de_DE.UTF-8 tr_TR.UTF-8 sv_SE.UTF-8; do
	norm=$(tr 'A-Z' 'a-z' <<<"${loc//-/}")
	locale -a 2>/dev/null | tr 'A-Z' 'a-z' | tr -d '-' | grep -qx "$norm" || continue
	build "$tmp/lc_$loc" LC_ALL="$loc" LANG="$loc"
	same "LC_ALL=$loc" "$tmp/lc_$loc"
done
build "$tmp/tz" TZ=Pacific/Kiritimati SOURCE_DATE_EPOCH=1
same "TZ and SOURCE_DATE_EPOCH" "$tmp/tz"
# Another working directory and other spellings of the schema path.
mkdir -p "$tmp/wd/sub"
(cd "$tmp/wd/sub" && schema=$case_dir/schema && build "$tmp/abs")
same "absolute schema path from another directory" "$tmp/abs"
(cd "$case_dir" && schema=schema/ && build "$tmp/rel")
same "relative path 'schema/' from the case directory" "$tmp/rel"
cp -R "$case_dir/schema" "$tmp/wd/copy"
(cd "$tmp/wd" && schema=copy && build "$tmp/copy")
same "a copy of the schema under another name" "$tmp/copy"
# Rebuilding into an existing output leaves the files unchanged.
build "$tmp/a"
if grep -q ' 0 files written' "$tmp/a.log"; then echo "ok: rebuild into the same directory writes nothing"
else echo "FAIL: rebuild rewrote files: $(cat "$tmp/a.log")"; rc=1; fi
exit $rc
