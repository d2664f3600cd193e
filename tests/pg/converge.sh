# shellcheck shell=bash
# Helpers for the convergence suites (tests/suites/converge_*.sh): apply
# migrations file by file, compare a database with a fresh install except an
# explicit list of leftovers, check that rows survived, record the DDL and the
# locks of a re-run. Source it after tests/pg/lib.sh and pg_start:
#
#   . tests/pg/lib.sh; . tests/pg/converge.sh
#   cv_apply DB MIGRATIONS-DIR LOG            # one psql -f per file, in order
#   cv_catalog DB OUT                         # snapshot without schema hqc and row counts
#   cv_compare WHAT FRESH GOT LEFTOVERS       # FRESH = GOT except the listed leftovers
#   cv_clone DB COPY                          # CREATE DATABASE COPY TEMPLATE DB
#   cv_rows_compare WHAT BEFORE AFTER SPEC    # every row of BEFORE is still in AFTER
#   cv_ddl_log_start DB / cv_ddl_log_check WHAT DB
#   cv_hold_start DB NAME MODE TABLE... / cv_hold_ready / cv_hold_release WHAT
#   cv_user_tables DB [EXCEPT...]             # every table an application reads and writes
#   cv_drift NAME WHEN                        # hqc drift of cv_schema before/after the migrations
#   cv_converge NAME MIGRATIONS FRESH SQL...  # all of the above for one foreign database
#
# Every check prints "ok: ..." or "FAIL: ..." and sets cv_rc=1 on failure;
# a suite ends with `exit $cv_rc`. Temporary files go to $cv_tmp (made here).

cv_rc=0
cv_tmp=$(mktemp -d)
hq_on_exit rm -rf "$cv_tmp"
cv_ok() { echo "ok: $*"; }
cv_fail() { echo "FAIL: $*"; cv_rc=1; }
cv_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
cv_schema=""   # the schema the migrations come from: cv_converge runs hqc drift with it

# cv_apply DB DIR LOG: apply DIR/*.sql to DB in name order, one psql each
# (as a deploy does); NOTICEs and WARNINGs are appended to LOG. Returns 1 at
# the first file that fails, after printing which and the end of its output.
# PGOPTIONS in the environment reaches every psql (e.g. -c lock_timeout=100ms).
cv_apply() {
	local db=$1 dir=$2 log=$3 f
	for f in "$dir"/*.sql; do
		echo "-- ${f##*/}" >>"$log"
		if ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$f" >>"$log" 2>&1; then
			echo "FAIL: ${f##*/} does not apply to $db:"
			tail -n 8 "$log" | sed 's/^/    /'
			cv_rc=1
			return 1
		fi
	done
}

# cv_catalog DB OUT: the catalog snapshot (tests/pg/catalog.sql), columns by
# name, without hqc's own schema `hqc`; row counts go to OUT.rows (rows are
# compared by cv_rows_compare).
cv_catalog() {
	"$HQC_PG_LIB_DIR/catalog.sh" "$1" -v columns_by_name=1 -v exclude_schemas=hqc >"$2.all" || return 1
	grep -v '^rows ' "$2.all" >"$2" || true
	grep '^rows ' "$2.all" >"$2.rows" || true
	rm -f "$2.all"
}

# cv_compare WHAT FRESH GOT LEFTOVERS: snapshot GOT equals snapshot FRESH
# except the facts LEFTOVERS lists, one per line:
#   + FACT     a line only GOT has (an undeclared column, table, ... that stays)
#   - FACT     a line only FRESH has (e.g. the enum line a leftover value changes)
#   +~ ERE     every GOT-only line matching ERE (at least one must)
#   -~ ERE     every FRESH-only line matching ERE (at least one must)
# Blank lines and lines starting with # are ignored. Each listed leftover must
# really be there, so the list cannot hide a fact that was converged away.
cv_compare() {
	local what=$1 fresh=$2 got=$3 spec=$4 d=$cv_tmp/cmp.$$ bad=0 line kind fact
	mkdir -p "$d"
	LC_ALL=C sort -u "$fresh" >"$d/fresh"
	LC_ALL=C sort -u "$got" >"$d/got"
	LC_ALL=C comm -13 "$d/fresh" "$d/got" >"$d/plus"
	LC_ALL=C comm -23 "$d/fresh" "$d/got" >"$d/minus"
	: >"$d/plus_ok"
	: >"$d/minus_ok"
	if [ -n "$spec" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in '' | '#'*) continue ;; esac
			kind=${line%% *}
			fact=${line#* }
			case $kind in
			+ | -)
				local set=plus; [ "$kind" = - ] && set=minus
				if grep -qxF -- "$fact" "$d/$set"; then
					printf '%s\n' "$fact" >>"$d/${set}_ok"
				else
					echo "FAIL: $what: expected leftover is not there ($kind): $fact"; bad=1
				fi ;;
			+~ | -~)
				local set=plus; [ "$kind" = -~ ] && set=minus
				if grep -qE -- "$fact" "$d/$set"; then
					grep -E -- "$fact" "$d/$set" >>"$d/${set}_ok"
				else
					echo "FAIL: $what: no leftover matches ($kind): $fact"; bad=1
				fi ;;
			*) echo "FAIL: $what: bad leftover line: $line"; bad=1 ;;
			esac
		done <"$spec"
	fi
	LC_ALL=C sort -u -o "$d/plus_ok" "$d/plus_ok"
	LC_ALL=C sort -u -o "$d/minus_ok" "$d/minus_ok"
	LC_ALL=C comm -23 "$d/plus" "$d/plus_ok" >"$d/plus_left"
	LC_ALL=C comm -23 "$d/minus" "$d/minus_ok" >"$d/minus_left"
	if [ -s "$d/plus_left" ] || [ -s "$d/minus_left" ]; then
		echo "FAIL: $what: the catalog differs from a fresh install ($(wc -l <"$d/minus_left") facts missing, $(wc -l <"$d/plus_left") facts extra):"
		sed 's/^/    - /' "$d/minus_left" | head -n 60
		sed 's/^/    + /' "$d/plus_left" | head -n 60
		bad=1
	fi
	if [ $bad = 0 ]; then
		cv_ok "$what: catalog = fresh install ($(wc -l <"$d/fresh") facts; $(wc -l <"$d/plus_ok") listed leftovers stay, $(wc -l <"$d/minus_ok") fresh facts they replace)"
	else
		cv_rc=1
	fi
	rm -rf "$d"
	return $bad
}

# cv_clone DB COPY: COPY becomes a copy of DB (nobody may be connected to DB).
cv_clone() {
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -v src="$1" -v dst="$2" <<<'CREATE DATABASE :"dst" TEMPLATE :"src";'
}

# The tables the row checks look at: ordinary tables of the user schemas
# (not system, not auth/storage, not an extension's, not hqc's).
cv_tables_sql="SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'auth', 'storage', 'hqc')
    AND n.nspname !~ '^pg_(temp|toast)'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')"

# cv_columns DB: "schema.table column" for every column of those tables.
cv_columns() {
	cv_q "$1" "SELECT format('%I.%I', t.nspname, t.relname) || ' ' || quote_ident(a.attname)
	           FROM ($cv_tables_sql) t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
	           ORDER BY 1" | LC_ALL=C sort
}

# cv_rows DB COLUMNS-FILE: one line "schema.table<TAB>(values)" per row, with
# the values of the columns listed in COLUMNS-FILE ("schema.table column").
cv_rows() {
	local db=$1 cols=$2
	awk '{ c[$1] = c[$1] (c[$1] == "" ? "" : ", ") $2 } END { for (t in c) print t "\t" c[t] }' "$cols" |
		LC_ALL=C sort | while IFS=$'\t' read -r t list; do
			printf "SELECT %s || E'\\\\t' || replace(ROW(%s)::text, E'\\\\n', '\\\\n') FROM %s;\n" "$(cv_literal "$t")" "$list" "$t"
		done | psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" | LC_ALL=C sort
}
cv_literal() { printf "'%s'" "${1//\'/\'\'}"; }

# cv_rows_compare WHAT BEFORE AFTER SPEC: every row of database BEFORE (a
# copy taken before the migrations) is still in AFTER with the same values,
# compared on the columns both have. SPEC (may be empty) lists, one per line:
#   added schema.table N     N rows may be new in AFTER (seeds, data steps)
#   ignore schema.table.col  do not compare this column (a declared change rewrites it)
#   dropped schema.table     the table may be gone (a declared drop_table)
# Without a line, a table must have exactly its rows of before.
cv_rows_compare() {
	local what=$1 before=$2 after=$3 spec=${4:-/dev/null} d=$cv_tmp/rows.$$ bad=0 t n
	mkdir -p "$d"
	cv_columns "$before" >"$d/cols_before"
	cv_columns "$after" >"$d/cols_after"
	# "ignore schema.table.col" -> "schema.table col", as cv_columns prints
	awk '$1 == "ignore" { n = split($2, p, "."); c = p[n]; sub("[.][^.]*$", "", $2); print $2, c }' "$spec" |
		LC_ALL=C sort >"$d/ignored"
	LC_ALL=C comm -12 "$d/cols_before" "$d/cols_after" | LC_ALL=C comm -23 - "$d/ignored" >"$d/cols"
	awk '{ print $1 }' "$d/cols_before" | LC_ALL=C sort -u >"$d/tables_before"
	awk '{ print $1 }' "$d/cols_after" | LC_ALL=C sort -u >"$d/tables_after"
	for t in $(LC_ALL=C comm -23 "$d/tables_before" "$d/tables_after"); do
		if awk -v t="$t" '$1 == "dropped" && $2 == t { f = 1 } END { exit !f }' "$spec"; then
			cv_ok "$what: table $t dropped by a declared change"
		else
			echo "FAIL: $what: table $t is gone"; bad=1
		fi
	done
	cv_rows "$before" "$d/cols" >"$d/before"
	cv_rows "$after" "$d/cols" >"$d/after"
	LC_ALL=C comm -23 "$d/before" "$d/after" >"$d/lost"
	LC_ALL=C comm -13 "$d/before" "$d/after" >"$d/new"
	if [ -s "$d/lost" ]; then
		echo "FAIL: $what: $(wc -l <"$d/lost") rows lost or changed (values before):"
		head -n 20 "$d/lost" | sed 's/^/    /'
		bad=1
	fi
	cut -f1 "$d/new" | LC_ALL=C sort | uniq -c | awk '{ print $2, $1 }' >"$d/new_counts"
	awk '$1 == "added" { print $2, $3 }' "$spec" | LC_ALL=C sort >"$d/want_counts"
	if ! diff <(LC_ALL=C sort "$d/want_counts") "$d/new_counts" >"$d/counts.diff"; then
		echo "FAIL: $what: new rows per table differ (< expected, > got):"
		sed 's/^/    /' "$d/counts.diff"
		grep -F -f <(awk '/^>/ { print $2 "\t" }' "$d/counts.diff") "$d/new" | head -n 10 | sed 's/^/    new: /'
		bad=1
	fi
	if [ $bad = 0 ]; then
		n=$(wc -l <"$d/before")
		cv_ok "$what: all $n rows of $(wc -l <"$d/tables_before") tables kept with their values ($(wc -l <"$d/cols") columns compared, $(wc -l <"$d/new") rows added as expected)"
	else
		cv_rc=1
	fi
	rm -rf "$d"
	return $bad
}

# ---- DDL log: an event trigger that records every DDL command (CREATE,
# ALTER, DROP, GRANT, REVOKE, COMMENT, ...) run while it is installed.
cv_ddl_log_start() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
CREATE SCHEMA hqc_cvtest;
CREATE TABLE hqc_cvtest.ddl_log (n bigserial PRIMARY KEY, tag text, query text);
CREATE FUNCTION hqc_cvtest.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hqc_cvtest.ddl_log (tag, query) VALUES (tg_tag, left(current_query(), 300));
END
$$;
CREATE EVENT TRIGGER hqc_cvtest_ddl ON ddl_command_start EXECUTE FUNCTION hqc_cvtest.log_ddl();
SQL
}

# cv_ddl_log_check WHAT DB: the log is empty; removes the event trigger and
# its schema again (so later snapshots do not see them).
cv_ddl_log_check() {
	local what=$1 db=$2 log
	log=$(cv_q "$db" "SELECT tag || ': ' || regexp_replace(query, '\s+', ' ', 'g') FROM hqc_cvtest.ddl_log ORDER BY n")
	cv_ddl_log_stop "$db"
	if [ -z "$log" ]; then
		cv_ok "$what: no DDL at all (event trigger on ddl_command_start logged nothing)"
	else
		cv_fail "$what: $(wc -l <<<"$log") DDL commands ran, e.g.:"
		head -n 15 <<<"$log" | sed 's/^/    /'
	fi
}

cv_ddl_log_stop() {
	cv_q "$1" "SET client_min_messages = warning; DROP EVENT TRIGGER IF EXISTS hqc_cvtest_ddl; DROP SCHEMA IF EXISTS hqc_cvtest CASCADE" >/dev/null
}

# cv_user_tables DB [EXCEPT...]: "schema.table column" for every table an
# application reads and writes (the user schemas and auth.users,
# storage.objects, storage.buckets), with a column UPDATE may set to itself,
# or "-" when a statement-level UPDATE trigger would reject even an UPDATE
# of no rows (the holder then takes the same lock with LOCK TABLE).
cv_user_tables() {
	local db=$1 t
	shift
	cv_q "$db" "SELECT format('%I.%I', n.nspname, c.relname) || ' ' ||
	              CASE WHEN EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal
	                                  AND g.tgtype & 1 = 0 AND g.tgtype & 16 <> 0) THEN '-' ELSE
	              (SELECT quote_ident(a.attname) FROM pg_attribute a
	                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	                  AND a.attidentity = '' AND a.attgenerated = '' ORDER BY a.attnum LIMIT 1) END
	            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	           WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
	             AND (n.nspname NOT IN ('pg_catalog', 'information_schema', 'auth', 'storage', 'hqc')
	                  AND n.nspname !~ '^pg_(temp|toast)'
	                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
	                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
	                  OR c.oid IN ('auth.users'::regclass, 'storage.objects'::regclass, 'storage.buckets'::regclass))
	           ORDER BY 1" | while read -r t col; do
		case " $* " in *" $t "*) continue ;; esac
		echo "$t $col"
	done
}

# ---- Lock holders: background sessions inside an open transaction that
# holds locks on tables until released, as an application's would.
#   cv_hold_start DB NAME MODE [TABLE COLUMN]... (pairs as cv_user_tables prints)
# MODE app: each table is read (SELECT), written (UPDATE col = col WHERE
# false: ROW EXCLUSIVE) and one row locked (SELECT ... FOR UPDATE), so any
# lock stronger than ROW EXCLUSIVE (SHARE, ACCESS EXCLUSIVE: ALTER TABLE,
# CREATE INDEX, CREATE TRIGGER, ...) and any write of that row must wait.
# MODE exclusive: LOCK TABLE ... IN EXCLUSIVE MODE, so every lock stronger
# than ACCESS SHARE (also ROW EXCLUSIVE of an INSERT ... ON CONFLICT DO
# NOTHING) must wait.
cv_holders=()
cv_gate_key="1129137748, 11"   # two-int form: never the key of a bigint advisory lock
cv_hold_start() {
	local db=$1 name=$2 mode=$3 fifo sql
	shift 3
	fifo=$cv_tmp/hold_$name
	mkfifo "$fifo"
	sql="BEGIN;"
	# MODE gate: no tables, a session advisory lock that workers (cv_work_start)
	# poll; releasing the gate ends them.
	[ "$mode" = gate ] && sql="SELECT pg_advisory_lock($cv_gate_key);"
	while (($# >= 2)); do
		if [ "$mode" = exclusive ]; then
			sql+=" LOCK TABLE $1 IN EXCLUSIVE MODE; SELECT count(*) FROM $1;"
		else
			sql+=" SELECT count(*) FROM $1;"
			if [ "$2" = - ]; then sql+=" LOCK TABLE $1 IN ROW EXCLUSIVE MODE;"
			else sql+=" UPDATE $1 SET $2 = $2 WHERE false;"; fi
			sql+=" SELECT 1 FROM (SELECT 1 FROM $1 LIMIT 1 FOR UPDATE) s;"
		fi
		shift 2
	done
	PGAPPNAME=cv_hold_$name psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$fifo" >"$fifo.log" 2>&1 &
	cv_holders+=("$name:$!")
	exec {cv_fd}>"$fifo"
	eval "cv_fd_$name=$cv_fd"
	printf '%s\n\\echo holding\n' "$sql" >&"$cv_fd"
}

# cv_hold_ready: wait until every holder holds its locks (at most 30 s).
cv_hold_ready() {
	local h name i
	for h in "${cv_holders[@]}"; do
		name=${h%%:*}
		for ((i = 0; i < 300; i++)); do
			grep -q '^holding$' "$cv_tmp/hold_$name.log" 2>/dev/null && break
			kill -0 "${h#*:}" 2>/dev/null || break
			sleep 0.1
		done
		grep -q '^holding$' "$cv_tmp/hold_$name.log" 2>/dev/null ||
			{ cv_fail "holder $name did not get its locks:"; sed 's/^/    /' "$cv_tmp/hold_$name.log"; return 1; }
	done
}

# cv_hold_release WHAT: commit every holder's transaction; each must still be
# alive and commit without error (nothing cancelled or broke it meanwhile).
cv_hold_release() {
	local what=$1 h name pid fd bad=0
	for h in "${cv_holders[@]}"; do
		name=${h%%:*}
		eval "fd=\$cv_fd_$name"
		if [ "$name" = gate ]; then printf 'SELECT pg_advisory_unlock(%s);\n' "$cv_gate_key" >&"$fd"
		else printf 'COMMIT;\n' >&"$fd"; fi
		exec {fd}>&-
	done
	for h in "${cv_holders[@]}"; do
		name=${h%%:*} pid=${h#*:}
		if ! wait "$pid" || grep -q ERROR "$cv_tmp/hold_$name.log"; then
			echo "FAIL: $what: holder $name did not commit:"; sed 's/^/    /' "$cv_tmp/hold_$name.log"; bad=1
		fi
		rm -f "$cv_tmp/hold_$name" "$cv_tmp/hold_$name.log"
	done
	cv_holders=()
	if [ $bad = 0 ]; then cv_ok "$what: every holder session kept its transaction and committed"; else cv_rc=1; fi
	return $bad
}

# cv_converge NAME MIGRATIONS-DIR FRESH-CATALOG SQL-FILES...: the whole
# contract for one foreign database. Builds database NAME from the SQL files
# (hand-written, run as they are), keeps a copy NAME_before, applies the
# migrations (one psql -f per file) and checks: the catalog equals
# FRESH-CATALOG except the leftovers in $cv_tmp/NAME.leftovers (cv_compare);
# every row is kept ($cv_tmp/NAME.rows, cv_rows_compare); a WARNING names
# each word of $cv_tmp/NAME.warnings; a second run runs no DDL at all and
# changes neither the catalog nor the row counts; a third run completes with
# lock_timeout=100ms while other sessions hold EXCLUSIVE locks on every user
# table (so it takes no lock above ACCESS SHARE). Missing spec files count as
# empty. Leaves $cv_tmp/NAME.{before,after1,after2}.txt and NAME.run{1,2,3}.log.
# cv_drift NAME before|after: hqc drift of $cv_schema on database NAME (JSON in
# $cv_tmp/NAME.drift_WHEN.json). Before the migrations the foreign database
# has drifted (exit 1), every statement could be compared (no error rows),
# and the report names each object of $cv_tmp/NAME.drift (lines "CLASS
# OBJECT"); after them only what apply keeps on purpose may be left (undeclared
# columns, tables, functions, enum values: their statement is advice). The
# catalog is the same before and after drift.
cv_drift() {
	local name=$1 when=$2 rc=0 line got
	[ -n "$cv_schema" ] || return 0
	local out=$cv_tmp/$name.drift_$when.json
	"${HQC:-./hqc}" drift --format json "$cv_schema" "dbname=$name" >"$out" 2>"$out.err" || rc=$?
	cv_catalog "$name" "$cv_tmp/$name.drifted.txt"
	if cmp -s "$cv_tmp/$name.$([ "$when" = before ] && echo before || echo after1).txt" "$cv_tmp/$name.drifted.txt"; then
		cv_ok "$name: hqc drift $when the migrations changed nothing"
	else cv_fail "$name: hqc drift $when the migrations changed the catalog"; fi
	if [ "$when" = before ]; then
		if [ $rc = 1 ] && jq -e '.databases[0].outcome == "drifted" and .databases[0].summary.error == 0' "$out" >/dev/null; then
			cv_ok "$name: hqc drift before the migrations: drifted, $(jq '[.databases[0].differences[] | select(.class != "exempt")] | length' "$out") differences, every statement compared"
		else
			cv_fail "$name: hqc drift before the migrations: exit $rc:"
			jq -r '.databases[0] | (.error.message // empty), (.differences[] | select(.class == "error") | .object + ": " + .live)' "$out" 2>/dev/null | head -5 | sed 's/^/    /'
			head -3 "$out.err" | sed 's/^/    /'
		fi
		[ -f "$cv_tmp/$name.drift" ] || return 0
		while read -r line; do
			case $line in '' | '#'*) continue ;; esac
			got=$(jq --arg c "${line%% *}" --arg o "${line#* }" '[.databases[0].differences[] | select(.class == $c and .object == $o)] | length' "$out")
			if [ "$got" -ge 1 ]; then cv_ok "$name: drift lists $line"; else cv_fail "$name: drift does not list $line"; fi
		done <"$cv_tmp/$name.drift"
	else
		got=$(jq -r '.databases[0].differences[] | select(.class != "exempt" and (.class != "undeclared" or ((.sql // "") | startswith("-- ") | not))) | .class + " " + .kind + " " + .object' "$out")
		if [ $rc -le 1 ] && [ -z "$got" ]; then
			cv_ok "$name: hqc drift after the migrations: only what apply keeps on purpose ($(jq '.databases[0].summary.undeclared' "$out") undeclared)"
		else
			cv_fail "$name: hqc drift after the migrations: exit $rc, left:"; printf '%s\n' "$got" | head -10 | sed 's/^/    /'
		fi
	fi
}

cv_converge() {
	local name=$1 migs=$2 fresh=$3 f n w
	shift 3
	for f in leftovers rows warnings; do [ -f "$cv_tmp/$name.$f" ] || : >"$cv_tmp/$name.$f"; done
	pg_new_db "$name"
	for f in "$@"; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$name" -f "$f" >"$cv_tmp/$name.build.log" 2>&1 ||
			{ cv_fail "$name: $f does not apply:"; sed 's/^/    /' "$cv_tmp/$name.build.log"; return 0; }
	done
	cv_clone "$name" "${name}_before"
	cv_catalog "$name" "$cv_tmp/$name.before.txt"
	n=$(diff "$fresh" "$cv_tmp/$name.before.txt" | grep -c '^[<>]' || true)
	if [ "$n" -ge 20 ]; then cv_ok "$name: the foreign database differs from a fresh install in $n facts"
	else cv_fail "$name: the foreign database differs from a fresh install in only $n facts"; fi
	cv_drift "$name" before

	cv_apply "$name" "$migs" "$cv_tmp/$name.run1.log" || return 0
	cv_catalog "$name" "$cv_tmp/$name.after1.txt"
	cv_compare "$name" "$fresh" "$cv_tmp/$name.after1.txt" "$cv_tmp/$name.leftovers" || true
	cv_drift "$name" after
	cv_rows_compare "$name" "${name}_before" "$name" "$cv_tmp/$name.rows" || true
	while read -r w; do
		[ -n "$w" ] || continue
		if grep -E 'WARNING:' "$cv_tmp/$name.run1.log" | grep -qF -- "$w"; then cv_ok "$name: a WARNING names $w"
		else cv_fail "$name: no WARNING names $w"; fi
	done <"$cv_tmp/$name.warnings"

	cv_ddl_log_start "$name"
	cv_apply "$name" "$migs" "$cv_tmp/$name.run2.log" || { cv_ddl_log_stop "$name"; return 0; }
	cv_ddl_log_check "$name: second run" "$name"
	cv_catalog "$name" "$cv_tmp/$name.after2.txt"
	if diff -u "$cv_tmp/$name.after1.txt" "$cv_tmp/$name.after2.txt" >"$cv_tmp/$name.rerun.diff" &&
		diff -u "$cv_tmp/$name.after1.txt.rows" "$cv_tmp/$name.after2.txt.rows" >>"$cv_tmp/$name.rerun.diff"; then
		cv_ok "$name: second run: catalog and row counts unchanged"
	else
		cv_fail "$name: the second run changed the catalog (- first, + second):"; head -n 40 "$cv_tmp/$name.rerun.diff" | sed 's/^/    /'
	fi

	# Third run: sessions hold EXCLUSIVE locks on every user table, which only
	# ACCESS SHARE passes; with lock_timeout 100ms every file must complete.
	local t c
	local -a held=()
	while read -r t c; do held+=("$t" "$c"); done < <(cv_user_tables "$name")
	cv_hold_start "$name" "${name}_x" exclusive "${held[@]}"
	cv_hold_ready || { cv_hold_release "$name: third run, holders" >/dev/null; return 0; }
	if PGOPTIONS='-c lock_timeout=100ms' cv_apply "$name" "$migs" "$cv_tmp/$name.run3.log" >"$cv_tmp/$name.run3.out"; then
		cv_ok "$name: third run under EXCLUSIVE locks on all $((${#held[@]} / 2)) user tables: no lock above ACCESS SHARE"
	else
		cv_fail "$name: third run: a file needs a lock above ACCESS SHARE (sessions hold EXCLUSIVE on every user table):"
		grep -m2 -E 'ERROR|does not apply' "$cv_tmp/$name.run3.out" | sed 's/^/    /'
	fi
	cv_hold_release "$name: third run, holders" >/dev/null || cv_fail "$name: a holder of the third run did not commit"
}

# ---- Workers: background sessions that keep reading and writing tables in
# short transactions (as an application does) until the gate holder (a
# cv_hold_start ... gate session) releases its advisory lock, each statement
# with lock_timeout 100ms. At the end each worker prints one NOTICE per table:
# "cv_work TABLE ok=N timeouts=M" (to $cv_tmp/work_NAME.log).
#   cv_work_start DB NAME [TABLE COLUMN]...   (pairs as cv_user_tables prints)
cv_workers=()
cv_work_start() {
	local db=$1 name=$2 tabs="" stmts="" i=0
	shift 2
	while (($# >= 2)); do
		i=$((i + 1))
		tabs+="${tabs:+, }$(cv_literal "$1")"
		if [ "$2" = - ]; then stmts+="${stmts:+, }$(cv_literal "LOCK TABLE $1 IN ROW EXCLUSIVE MODE")"
		else stmts+="${stmts:+, }$(cv_literal "UPDATE $1 SET $2 = $2 WHERE false")"; fi
		shift 2
	done
	PGAPPNAME=cv_work_$name psql -X -q -v ON_ERROR_STOP=1 -d "$db" >"$cv_tmp/work_$name.log" 2>&1 <<SQL &
DO \$w\$
DECLARE
  tabs text[] := ARRAY[$tabs];
  stmts text[] := ARRAY[$stmts];
  ok int[] := array_fill(0, ARRAY[$i]);
  bad int[] := array_fill(0, ARRAY[$i]);
  k int;
  done boolean := false;
BEGIN
  PERFORM set_config('lock_timeout', '100ms', false);
  WHILE NOT done LOOP
    FOR k IN 1 .. $i LOOP
      BEGIN
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s LIMIT 1) s', tabs[k]);
        EXECUTE stmts[k];
        ok[k] := ok[k] + 1;
      EXCEPTION WHEN lock_not_available THEN
        bad[k] := bad[k] + 1;
      END;
      COMMIT;
    END LOOP;
    IF pg_try_advisory_lock_shared($cv_gate_key) THEN
      PERFORM pg_advisory_unlock_shared($cv_gate_key);
      done := true;
    END IF;
    PERFORM pg_sleep(0.005);
  END LOOP;
  FOR k IN 1 .. $i LOOP
    RAISE NOTICE 'cv_work % ok=% timeouts=%', tabs[k], ok[k], bad[k];
  END LOOP;
END
\$w\$;
SQL
	cv_workers+=("$name:$!")
}

# cv_work_wait: wait for every worker to end (release the gate first); 1 if
# one failed.
cv_work_wait() {
	local w bad=0
	for w in "${cv_workers[@]}"; do
		wait "${w#*:}" || { echo "FAIL: worker ${w%%:*} failed:"; sed 's/^/    /' "$cv_tmp/work_${w%%:*}.log"; bad=1; cv_rc=1; }
	done
	cv_workers=()
	return $bad
}
