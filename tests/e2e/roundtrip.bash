# roundtrip.bash: the convergence property, as a helper for the 3x-diff-roundtrip suites.
#
#   "After `migrate apply` from any starting state, `drift` exits 0 (a second
#    `generate` would write nothing)", and the catalog is what the schema says.
#
# Load it after helpers:   load helpers; load roundtrip
#
# In the round-trip suites 32-3E (and 31, 3G) every second test is tagged long (run by
# scripts/test --full, not by scripts/test), but for the quoted-name and
# --shadow-db none tests, which always run: the default run keeps one round
# trip in two of every suite within the README's time budget.
#
# roundtrip NAME BEFORE AFTER [SEED]
#   Creates a fresh database, loads BEFORE (SQL) into it with psql, runs SEED (SQL,
#   optional), writes AFTER as the only schema file, then:
#     pg-flux migrate generate --label x          exit 0, one file written
#                                                 (--no-verify unless PGFLUX_TEST_FULL=1)
#     pg-flux migrate apply --allow-hazards=all   exit 0
#     pg-flux drift                               exit 0
#     pg-flux dump; drift --schema-dir dump       exit 0 (PGFLUX_TEST_FULL=1 only)
#   (drift and a second generate compare the same two models with the same
#   differ: drift's "no drift" is generate's "nothing to do". The second
#   generate is left to the suites of the porcelain, 70-78: run once per
#   case it was a sixth of the round trips' time.)
#   Sets RT_DB (URL of the database) and RT_FILE (absolute path of the migration).
#   Each case works in its own directory, $BATS_TEST_TMPDIR/NAME (before.sql,
#   seed.sql, schema/, migrations/); the log of every command, with the
#   migration file and timings, is $BATS_TEST_TMPDIR/NAME.log.
#
# roundtrip_both NAME BEFORE AFTER [SEED_BEFORE [SEED_AFTER]]
#   Runs the pair in both directions at once (two databases, in parallel):
#   BEFORE -> AFTER (seeded with SEED_BEFORE) sets FWD and FWD_FILE, AFTER -> BEFORE
#   (seeded with SEED_AFTER, which defaults to SEED_BEFORE) sets BACK and BACK_FILE.
#   The cases are named NAME_f and NAME_b.
#
# RT_SHADOW=none (variable) adds `--shadow-db none` to generate and drift.
# RT_REFUSE="CODE ..." first runs `migrate apply` without --allow-hazards and
#   requires exit 3, every CODE named in the output and an unchanged database.
# RT_ALLOW=LIST is the --allow-hazards value of the real apply (default: all).
#
# On failure the log (migration file, command outputs) is printed, so bats shows
# exactly what went wrong.

# roundtrip_setup: per-test set-up for these suites: a clean environment and the
# test's temporary directory (each case creates its own databases, so unlike
# pgflux_setup no $DB is made).
roundtrip_setup() {
  pgflux_clean_env
  cd "$BATS_TEST_TMPDIR" || return 1
}

# rt_db_name NAME: database name of a case (unique within the suite).
rt_db_name() { printf 't%s_%s' "$BATS_TEST_NUMBER" "$1"; }

# _rt_now: milliseconds since the epoch; _rt_el: seconds since $t0 (for the log).
_rt_now() { local t=${EPOCHREALTIME/[.,]/}; printf '%s' "$((10#$t / 1000))"; }
_rt_el() { local ms=$(( $(_rt_now) - t0 )); printf '%d.%03ds' $((ms / 1000)) $((ms % 1000)); }

# _rt_run NAME BEFORE AFTER SEED: the property, with plain commands (it may run in
# a background subshell). Writes a log on stdout; returns 0 or 1.
_rt_run() {
  local name=$1 before=$2 after=$3 seed=${4:-}
  local dir="$BATS_TEST_TMPDIR/$name" db out rc files file
  local shadow=() t0
  [ -n "${RT_SHADOW:-}" ] && shadow=(--shadow-db "$RT_SHADOW")
  rm -rf "$dir"; mkdir -p "$dir/schema" "$dir/migrations"
  cd "$dir" || return 1
  printf '%s\n' "$before" > before.sql
  printf '%s\n' "$seed" > seed.sql
  printf '%s\n' "$after" > schema/schema.sql
  echo "=== case $name: $(rt_db_name "$name") ${shadow[*]}"
  t0=$(_rt_now)
  db=$(new_db "$(rt_db_name "$name")") || { echo "FAIL: cannot create the database"; return 1; }
  if ! out=$(psql -X -q -v ON_ERROR_STOP=1 "$db" -f before.sql 2>&1); then
    echo "FAIL: loading BEFORE with psql: $out"; return 1
  fi
  if [ -n "$seed" ] && ! out=$(psql -X -q -v ON_ERROR_STOP=1 "$db" -f seed.sql 2>&1); then
    echo "FAIL: seeding: $out"; return 1
  fi

  echo "--- database created and loaded ($(_rt_el))"
  # The proof (a shadow run of the plan) only in the full run: the round trip
  # applies the plan for real and checks the same convergence; suites 70-78
  # prove every plan they generate.
  local verify=(--no-verify)
  [ "${PGFLUX_TEST_FULL:-0}" = 1 ] && verify=()
  t0=$(_rt_now); out=$(pg-flux migrate generate --db "$db" --label x "${shadow[@]}" "${verify[@]}" 2>&1); rc=$?
  echo "--- migrate generate (exit $rc, $(_rt_el))"; echo "$out"
  if [ $rc -ne 0 ]; then echo "FAIL: migrate generate exited $rc"; return 1; fi
  if ! [[ $out =~ wrote\ migrations/[0-9]{8}_[0-9]{6}_x\.sql ]]; then
    echo "FAIL: migrate generate wrote no migration file"; return 1
  fi
  file=$(ls "$dir"/migrations/*.sql | sort | tail -n 1)
  echo "--- $file"; cat "$file"

  if [ -n "${RT_REFUSE:-}" ]; then
    local before_hash after_hash code
    before_hash=$(flux-snapshot --db "$db" | grep -m1 '"state_hash"')
    t0=$(_rt_now); out=$(pg-flux migrate apply --db "$db" 2>&1); rc=$?
    echo "--- migrate apply without --allow-hazards (exit $rc, $(_rt_el))"; echo "$out"
    if [ $rc -ne 3 ]; then echo "FAIL: migrate apply without --allow-hazards exited $rc, expected 3 (refused: $RT_REFUSE)"; return 1; fi
    for code in $RT_REFUSE; do
      if [[ $out != *"$code"* ]]; then echo "FAIL: the refusal does not name $code"; return 1; fi
    done
    after_hash=$(flux-snapshot --db "$db" | grep -m1 '"state_hash"')
    if [ "$before_hash" != "$after_hash" ]; then
      echo "FAIL: the refused apply changed the database ($before_hash -> $after_hash)"; return 1
    fi
  fi
  t0=$(_rt_now); out=$(pg-flux migrate apply --db "$db" --allow-hazards="${RT_ALLOW:-all}" 2>&1); rc=$?
  echo "--- migrate apply --allow-hazards=${RT_ALLOW:-all} (exit $rc, $(_rt_el))"; echo "$out"
  if [ $rc -ne 0 ]; then echo "FAIL: migrate apply exited $rc"; return 1; fi

  t0=$(_rt_now); out=$(pg-flux drift --db "$db" "${shadow[@]}" 2>&1); rc=$?
  echo "--- drift (exit $rc, $(_rt_el))"; echo "$out"
  if [ $rc -ne 0 ]; then echo "FAIL: drift exited $rc after apply"; return 1; fi
  if [[ $out != *"no drift"* ]]; then echo "FAIL: drift did not say \"no drift\""; return 1; fi
  # The full run also dumps every database it reached: the dump must read
  # back as that database (pg-flux dump; suite 7A runs a selection by default).
  if [ "${PGFLUX_TEST_FULL:-0}" = 1 ]; then
    t0=$(_rt_now); out=$(pg-flux dump --db "$db" --out dump 2>&1 && pg-flux drift --db "$db" --schema-dir dump "${shadow[@]}" 2>&1); rc=$?
    echo "--- dump, then drift against the dump (exit $rc, $(_rt_el))"; echo "$out"
    if [ $rc -ne 0 ]; then (cd dump 2>/dev/null && tail -n +1 ./*.sql); echo "FAIL: the dump does not read back as the database"; return 1; fi
  fi
  echo "=== case $name: ok"
  return 0
}

roundtrip() {
  local name=$1 rc
  local here=$PWD
  rc=0
  ( set +eE; trap - ERR DEBUG; set +T; _rt_run "$@" ) > "$BATS_TEST_TMPDIR/$name.log" 2>&1 || rc=$?
  cd "$here" || true
  RT_DB=$(db_url "$(rt_db_name "$name")")
  RT_FILE=$(ls "$BATS_TEST_TMPDIR/$name"/migrations/*.sql 2>/dev/null | sort | head -n 1)
  if [ $rc -ne 0 ]; then
    cat "$BATS_TEST_TMPDIR/$name.log"
    fail "round trip '$name' failed (see the log above)"
  fi
}

roundtrip_both() {
  local name=$1 before=$2 after=$3 seed_before=${4:-} seed_after=${5-${4:-}}
  local rc_f rc_b pid_f pid_b
  ( set +eE; trap - ERR DEBUG; set +T; _rt_run "${name}_f" "$before" "$after" "$seed_before" ) > "$BATS_TEST_TMPDIR/${name}_f.log" 2>&1 &
  pid_f=$!
  ( set +eE; trap - ERR DEBUG; set +T; _rt_run "${name}_b" "$after" "$before" "$seed_after" ) > "$BATS_TEST_TMPDIR/${name}_b.log" 2>&1 &
  pid_b=$!
  rc_f=0 rc_b=0
  wait $pid_f || rc_f=$?
  wait $pid_b || rc_b=$?
  FWD=$(db_url "$(rt_db_name "${name}_f")")
  BACK=$(db_url "$(rt_db_name "${name}_b")")
  FWD_FILE=$(ls "$BATS_TEST_TMPDIR/${name}_f"/migrations/*.sql 2>/dev/null | sort | head -n 1)
  BACK_FILE=$(ls "$BATS_TEST_TMPDIR/${name}_b"/migrations/*.sql 2>/dev/null | sort | head -n 1)
  if [ $rc_f -ne 0 ] || [ $rc_b -ne 0 ]; then
    [ $rc_f -ne 0 ] && cat "$BATS_TEST_TMPDIR/${name}_f.log"
    [ $rc_b -ne 0 ] && cat "$BATS_TEST_TMPDIR/${name}_b.log"
    fail "round trip '$name' failed: forward (before -> after) exit $rc_f, backward (after -> before) exit $rc_b (see the log above)"
  fi
}

# --- migration file sections --------------------------------------------------
# in_tx FILE: the statements between BEGIN; and COMMIT;
in_tx() { sed -n '/^BEGIN;$/,/^COMMIT;$/p' "$1" | grep -v '^--' | sed '1d;$d'; }
# after_commit FILE: the statements after COMMIT;
after_commit() { sed -n '/^COMMIT;$/,$p' "$1" | sed '1d' | grep -v '^--'; }

# file_lacks FILE REGEX: fails if a line of FILE matches the (extended) regex.
file_lacks() {
  if grep -E -n -- "$2" "$1"; then
    fail "$1 should not contain /$2/ (the lines above match)"
  fi
}
# file_has FILE REGEX: fails unless a line of FILE matches the (extended) regex.
file_has() {
  grep -E -q -- "$2" "$1" || { cat "$1"; fail "$1 should contain /$2/"; }
}

# tx_has / post_has FILE REGEX: the transactional part (between BEGIN; and COMMIT;) /
# the after-commit part of migration FILE has a line matching REGEX (extended).
# tx_lacks / post_lacks: no line matches.
_section_check() {  # _section_check in_tx|after_commit want|lack FILE REGEX
  local found=0
  "$1" "$3" | grep -E -q -- "$4" && found=1
  if [ "$2" = want ] && [ $found -eq 0 ]; then cat "$3"; fail "$1 of $3 should contain /$4/ (file above)"; fi
  if [ "$2" = lack ] && [ $found -eq 1 ]; then cat "$3"; fail "$1 of $3 should not contain /$4/ (file above)"; fi
  return 0
}
tx_has() { _section_check in_tx want "$1" "$2"; }
tx_lacks() { _section_check in_tx lack "$1" "$2"; }
post_has() { _section_check after_commit want "$1" "$2"; }
post_lacks() { _section_check after_commit lack "$1" "$2"; }

# --- catalog ----------------------------------------------------------------------
# q URL "query": one value (or one line per row).
q() { sql_value "$1" "$2"; }
# Column facts. TABLE is a regclass spelling (t, s.t, '"Mixed Case"'); COL is the
# attribute name as stored (no quotes).
_attr() { q "$1" "select $4 from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
  left join pg_collation co on co.oid = a.attcollation
  where a.attrelid = \$t\$$2\$t\$::regclass and a.attname = \$c\$$3\$c\$ and not a.attisdropped"; }
col_type() { _attr "$1" "$2" "$3" "format_type(a.atttypid, a.atttypmod)"; }
col_notnull() { _attr "$1" "$2" "$3" "a.attnotnull"; }
col_default() { _attr "$1" "$2" "$3" "coalesce(pg_get_expr(d.adbin, d.adrelid), '<none>')"; }
col_identity() { _attr "$1" "$2" "$3" "a.attidentity"; }
col_generated() { _attr "$1" "$2" "$3" "a.attgenerated"; }
col_collation() { _attr "$1" "$2" "$3" "coalesce(co.collname, '')"; }
col_comment() { _attr "$1" "$2" "$3" "coalesce(col_description(a.attrelid, a.attnum), '<none>')"; }
col_exists() { _attr "$1" "$2" "$3" "count(*)"; }
# columns URL TABLE: the live column names in order, comma separated.
columns() { q "$1" "select string_agg(attname, ',' order by attnum) from pg_attribute
  where attrelid = \$t\$$2\$t\$::regclass and attnum > 0 and not attisdropped"; }
# relpersistence URL TABLE: p (logged) or u (unlogged).
relpersistence() { q "$1" "select relpersistence from pg_class where oid = \$t\$$2\$t\$::regclass"; }
# constraint_def URL TABLE NAME: pg_get_constraintdef, or <none>.
constraint_def() { q "$1" "select coalesce((select pg_get_constraintdef(oid) from pg_constraint
  where conrelid = \$t\$$2\$t\$::regclass and conname = \$n\$$3\$n\$), '<none>')"; }
# constraints URL TABLE: 'name:type' of every constraint of the table, sorted.
constraints() { q "$1" "select coalesce(string_agg(conname || ':' || contype::text, ',' order by conname), '')
  from pg_constraint where conrelid = \$t\$$2\$t\$::regclass"; }
# index_def URL SCHEMA.INDEX: pg_get_indexdef, or <none>.
index_def() { q "$1" "select coalesce((select pg_get_indexdef(c.oid) from pg_class c
  where c.oid = to_regclass(\$i\$$2\$i\$)), '<none>')"; }
# enum_labels URL TYPE: the labels in sort order, comma separated.
enum_labels() { q "$1" "select string_agg(enumlabel, ',' order by enumsortorder) from pg_enum
  where enumtypid = \$t\$$2\$t\$::regtype"; }
# seq_params URL SEQUENCE: start,increment,min,max,cache,cycle.
seq_params() { q "$1" "select concat_ws(',', seqstart, seqincrement, seqmin, seqmax, seqcache, seqcycle)
  from pg_sequence where seqrelid = \$s\$$2\$s\$::regclass"; }
# seq_owner URL SEQUENCE: table.column owning it (pg_depend 'a' or 'i'), or <none>.
seq_owner() { q "$1" "select coalesce((select c.relname || '.' || a.attname from pg_depend d
  join pg_class c on c.oid = d.refobjid join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
  where d.classid = 'pg_class'::regclass and d.objid = \$s\$$2\$s\$::regclass and d.deptype in ('a', 'i')
  and d.refclassid = 'pg_class'::regclass), '<none>')"; }
# relation_comment URL NAME: obj_description of a relation (table, index, sequence), or <none>.
relation_comment() { q "$1" "select coalesce(obj_description(to_regclass(\$r\$$2\$r\$), 'pg_class'), '<none>')"; }
# relation_exists URL NAME: 1 if the relation exists.
relation_exists() { q "$1" "select count(*) from pg_class where oid = to_regclass(\$r\$$2\$r\$)"; }
# one_line TEXT: whitespace runs squeezed to one space, trimmed.
_one_line_sql() { printf "btrim(regexp_replace(%s, '\\s+', ' ', 'g'))" "$1"; }
# view_def URL VIEW: pg_get_viewdef on one line, or <none>.
view_def() { q "$1" "select coalesce((select $(_one_line_sql "pg_get_viewdef(c.oid)") from pg_class c
  where c.oid = to_regclass(\$v\$$2\$v\$)), '<none>')"; }
# relkind URL NAME: r, v, m, i, S ... or <none>.
relkind() { q "$1" "select coalesce((select relkind::text from pg_class where oid = to_regclass(\$r\$$2\$r\$)), '<none>')"; }
# reloptions URL NAME: the relation's options, comma separated.
reloptions() { q "$1" "select coalesce(array_to_string(reloptions, ','), '') from pg_class where oid = to_regclass(\$r\$$2\$r\$)"; }
# function_def URL 'name(argtypes)': pg_get_functiondef on one line, or <none>.
function_def() { q "$1" "select coalesce((select $(_one_line_sql "pg_get_functiondef(p.oid)") from pg_proc p
  where p.oid = to_regprocedure(\$f\$$2\$f\$)), '<none>')"; }
# routine_exists URL 'name(argtypes)': 1 or 0.
routine_exists() { q "$1" "select count(*) from pg_proc where oid = to_regprocedure(\$f\$$2\$f\$)"; }
# trigger_def URL TABLE NAME: pg_get_triggerdef and the enabled state (O, D, R, A), or <none>.
trigger_def() { q "$1" "select coalesce((select pg_get_triggerdef(oid) || ' [' || tgenabled::text || ']' from pg_trigger
  where tgrelid = \$t\$$2\$t\$::regclass and tgname = \$n\$$3\$n\$), '<none>')"; }
# policy_def URL TABLE NAME: command|permissive|roles|using|check, or <none>.
policy_def() { q "$1" "select coalesce((select concat_ws('|', polcmd, polpermissive,
  (select string_agg(case when r = 0 then 'public' else pg_get_userbyid(r)::text end, ',' order by 1) from unnest(polroles) r),
  $(_one_line_sql "coalesce(pg_get_expr(polqual, polrelid), '-')"), $(_one_line_sql "coalesce(pg_get_expr(polwithcheck, polrelid), '-')"))
  from pg_policy where polrelid = \$t\$$2\$t\$::regclass and polname = \$n\$$3\$n\$), '<none>')"; }
# rule_def URL TABLE NAME: pg_get_ruledef on one line, or <none>.
rule_def() { q "$1" "select coalesce((select $(_one_line_sql "pg_get_ruledef(oid)") from pg_rewrite
  where ev_class = \$t\$$2\$t\$::regclass and rulename = \$n\$$3\$n\$), '<none>')"; }
# row_security URL TABLE: relrowsecurity,relforcerowsecurity (t/f).
row_security() { q "$1" "select relrowsecurity || ',' || relforcerowsecurity from pg_class where oid = \$t\$$2\$t\$::regclass"; }
# described URL CATALOG OID_EXPRESSION: obj_description, or <none>.
described() { q "$1" "select coalesce(obj_description(($3)::oid, '$2'), '<none>')"; }
# step_summaries FILE: the summary comment of each statement of a migration file, in order.
step_summaries() { sed -n '/^BEGIN;$/,$p' "$1" | grep -E '^-- ' | grep -v -e '^-- after-commit:' -e '^-- function bodies' | sed 's/^-- //'; }
