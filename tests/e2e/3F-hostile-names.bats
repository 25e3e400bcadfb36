#!/usr/bin/env bats
# Hostile names: identifiers with tabs, quotes, semicolons, comment starters,
# backslashes, dollar quotes, non-ASCII, reserved words, mixed case, leading
# digits and spaces, and names of exactly 63 bytes, in every kind pg-flux
# models (hostile_names.bash writes one object of each kind per class of
# name), through flux-parse (with and without the shadow), flux-snapshot,
# flux-diff, migrate generate / apply and drift, both ways.
# Then names over 63 bytes (truncated as PostgreSQL does, with a warning),
# implicit names derived from long names, and model documents naming objects
# with more than 63 bytes. Names with line breaks are in their own group at
# the end ("line breaks: ..."): they need the summary comment lines of the
# migration file to be safe. Tagged long (scripts/test --full): the
# shadow-less round trip of half of the classes and the changes of names with
# line breaks.
load helpers
load roundtrip
load hostile_names
bats_require_minimum_version 1.5.0

# Every class of name but those with line breaks.
CLASSES="tab dq paren sq semi dash cmt bs dollar eacute cjk emoji mixed digit space len63 mb63"
LINEBREAK_CLASSES="nl cr nlsql"
# Halves of CLASSES for the slower round trips (the full set runs in the first
# test, and without a shadow in the flux-diff agreement test).
CLASSES_A="tab dq paren bs dollar emoji len63 mb63"
CLASSES_B="sq semi dash cmt eacute cjk mixed digit space"

setup_file() {
  pgflux_setup_file
  local c roles=""
  for c in $CLASSES $LINEBREAK_CLASSES; do roles+=$(hostile_roles "$c"); done
  roles+='CREATE ROLE "select"; CREATE ROLE "User Role";'
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "$roles"
}
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

# all_classes [VARIANT] CLASS...: the schema of every class given.
all_classes() {
  local variant=$1 c; shift
  for c in "$@"; do hostile_schema "$c" "$variant"; done
}

VICTIM="create table victim (id int);"
SEED="insert into victim values (1);"

# victim_intact URL: the table a name tried to attack is unchanged.
victim_intact() {
  assert_equal "$(q "$1" "select string_agg(id::text, ',') from victim")" "1"
}

# check NAME ACTUAL EXPECTED: adds a check to CHECKS (ACTUAL and EXPECTED are
# SQL expressions); run_checks URL runs every check in one query and fails
# naming each one whose ACTUAL differs from EXPECTED (a psql per check made
# these tests slow).
check() { CHECKS+=("('${1//\'/\'\'}', ($2)::text, ($3)::text)"); }
run_checks() {
  local IFS=,
  assert_equal "$(q "$1" "select coalesce(string_agg(format('%s: %s, expected %s', name, coalesce(actual, 'NULL'),
    coalesce(expected, 'NULL')), E'\n'), 'ok') from (values ${CHECKS[*]}) v(name, actual, expected)
    where actual is distinct from expected")" ok
  CHECKS=()
}

# as_literal TEXT: sets LIT to TEXT as a string literal.
as_literal() { LIT="'${1//\'/\'\'}'"; }

# every_name_exists URL CLASS...: one object of each catalog, looked up by its exact name.
every_name_exists() {
  local url=$1 c rel enum fn LIT; shift
  local -A QI QL
  CHECKS=()
  for c in "$@"; do
    hostile_names "$c" s tbl idx seq view mv ft p1 pk uq enum lab1 lab2 tbl-comment1 evt pub srv role fn arg
    as_literal "${QI[s]}.${QI[tbl]}"; rel=$LIT
    as_literal "${QI[s]}.${QI[enum]}"; enum=$LIT
    as_literal "${QI[s]}.${QI[fn]}(int)"; fn=$LIT
    check "$c: relations" "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${QL[s]} and c.relname in (${QL[tbl]}, ${QL[idx]}, ${QL[seq]}, ${QL[view]}, ${QL[mv]},
        ${QL[ft]}, ${QL[p1]})" 7
    check "$c: constraints" "select string_agg(contype::text, '' order by contype) from pg_constraint
      where conrelid = $rel::regclass and conname in (${QL[pk]}, ${QL[uq]})" "'pu'"
    check "$c: enum labels" "select string_agg(enumlabel, '|' order by enumsortorder) from pg_enum
      where enumtypid = $enum::regtype" "${QL[lab1]} || '|' || ${QL[lab2]}"
    check "$c: table comment" "select obj_description($rel::regclass, 'pg_class')" "${QL[tbl-comment1]}"
    check "$c: event trigger" "select count(*) from pg_event_trigger where evtname = ${QL[evt]}" 1
    check "$c: publication" "select count(*) from pg_publication where pubname = ${QL[pub]}" 1
    check "$c: user mapping" "select count(*) from pg_user_mappings where srvname = ${QL[srv]}
      and usename = ${QL[role]}" 1
    check "$c: argument name" "select proargnames[1] from pg_proc where oid = $fn::regprocedure" "${QL[arg]}"
  done
  run_checks "$url"
}

# no_hostile_schema URL CLASS...: nothing of the classes is left.
no_hostile_schema() {
  local url=$1 c; shift
  local -A QI QL
  CHECKS=()
  for c in "$@"; do
    hostile_names "$c" s srv evt pub
    check "$c: schema" "select count(*) from pg_namespace where nspname = ${QL[s]}" 0
    check "$c: server" "select count(*) from pg_foreign_server where srvname = ${QL[srv]}" 0
    check "$c: event trigger" "select count(*) from pg_event_trigger where evtname = ${QL[evt]}" 0
    check "$c: publication" "select count(*) from pg_publication where pubname = ${QL[pub]}" 0
  done
  run_checks "$url"
}

@test "hostile names: every kind x every class (quotes, ; -- /* \\ \$\$ tab, non-ASCII, case, digits, spaces, 63 bytes): create all / drop all" {
  roundtrip_both all "$VICTIM" "$VICTIM
$(all_classes 1 $CLASSES)" "$SEED"
  every_name_exists "$FWD" $CLASSES
  no_hostile_schema "$BACK" $CLASSES
  victim_intact "$FWD"
  victim_intact "$BACK"
}

# bats test_tags=long
@test "hostile names: the same without a shadow database (half of the classes; all of them in the agreement test)" {
  RT_SHADOW=none roundtrip_both noshadow "$VICTIM" "$VICTIM
$(all_classes 1 $CLASSES_A)" "$SEED"
  every_name_exists "$FWD" $CLASSES_A
  no_hostile_schema "$BACK" $CLASSES_A
}

# bats test_tags=long
@test "hostile names: changes (comments, a column, an enum label, a grant) both ways (the other half of the classes)" {
  roundtrip_both change "$VICTIM
$(all_classes 1 $CLASSES_B)" "$VICTIM
$(all_classes 2 $CLASSES_B)" "$SEED"
  local c rel enum LIT
  local -A QI QL
  for c in $CLASSES_B; do
    hostile_names "$c" s tbl enum c5 tbl-comment2 lab1 lab2 lab3 role
    as_literal "${QI[s]}.${QI[tbl]}"; rel=$LIT
    as_literal "${QI[s]}.${QI[enum]}"; enum=$LIT
    check "$c: new column" "select count(*) from pg_attribute where attrelid = $rel::regclass and attname = ${QL[c5]}" 1
    check "$c: table comment" "select obj_description($rel::regclass, 'pg_class')" "${QL[tbl-comment2]}"
    check "$c: enum labels" "select string_agg(enumlabel, '|' order by enumsortorder) from pg_enum
      where enumtypid = $enum::regtype" "${QL[lab1]} || '|' || ${QL[lab2]} || '|' || ${QL[lab3]}"
    check "$c: insert granted" "select has_table_privilege(${QL[role]}, $rel, 'insert')" "true"
  done
  run_checks "$FWD"
  for c in $CLASSES_B; do
    hostile_names "$c" s tbl c5 role
    as_literal "${QI[s]}.${QI[tbl]}"; rel=$LIT
    check "$c: no new column" "select count(*) from pg_attribute where attrelid = $rel::regclass and attname = ${QL[c5]}" 0
    check "$c: insert not granted" "select has_table_privilege(${QL[role]}, $rel, 'insert')" "false"
  done
  run_checks "$BACK"
}

# bats test_tags=long
@test "hostile names: flux-parse with and without the shadow, flux-snapshot and flux-diff agree on every class" {
  local db
  db=$(new_db "t${BATS_TEST_NUMBER}_agree")
  mkdir -p schema
  { echo "$VICTIM"; all_classes 1 $CLASSES; } > schema/all.sql
  psql -X -q -v ON_ERROR_STOP=1 "$db" -f schema/all.sql
  run --separate-stderr flux-parse --shadow-db none schema
  assert_success
  printf '%s\n' "$output" > parsed.json
  run --separate-stderr flux-parse --shadow-db "$PGFLUX_ADMIN_URL" schema
  assert_success
  printf '%s\n' "$output" > shadow.json
  run --separate-stderr flux-snapshot --db "$db"
  assert_success
  printf '%s\n' "$output" > live.json
  for m in parsed shadow; do
    run --separate-stderr flux-diff --exit-code --format summary live.json "$m.json"
    [ "$status" -eq 0 ] || fail "flux-diff live.json $m.json (exit $status): $output $stderr"
  done
  # The names are in the documents exactly (JSON escapes, not SQL quoting).
  assert_equal "$(jq -r --arg n "$(hn dq tbl)" '[.objects[] | select(.kind == "table" and .name == $n)] | length' live.json)" 1
  assert_equal "$(jq -r --arg t "$(hn tab tbl)" --arg n "$(hn tab col)" '[.objects[] | select(.kind == "table" and .name == $t) | .attributes.columns[]? | select(.name == $n)] | length' parsed.json)" 1
  assert_equal "$(jq -r --arg n "$(hn emoji lab2)" '[.objects[] | select(.kind == "enum") | .attributes.values[]? | select(. == $n)] | length' shadow.json)" 1
}

@test "reserved words as names: schema select, table table, columns user/order, type order, function user, role select" {
  local after='create schema "select";
create type "select"."order" as enum ($$select$$, $$user$$);
create table "select"."table" ("user" int primary key, "order" "select"."order", "Table" text, "from" int check ("from" > 0));
create index "select" on "select"."table" ("order", "from");
create function "select"."user"("table" int) returns int language sql as $$select $1$$;
create view "select"."group" as select "user" as "where" from "select"."table";
create sequence "select"."limit";
create trigger "or" before update on "select"."table" for each row execute function suppress_redundant_updates_trigger();
grant select ("order") on "select"."table" to "select";
grant usage on schema "select" to "User Role";
comment on column "select"."table"."user" is $$the "user"; -- /*$$;'
  roundtrip_both reserved "$VICTIM" "$VICTIM
$after" "$SEED"
  assert_equal "$(columns "$FWD" '"select"."table"')" "user,order,Table,from"
  assert_equal "$(q "$FWD" "select indexrelid::regclass from pg_index where indrelid = '\"select\".\"table\"'::regclass and not indisprimary")" '"select"."select"'
  assert_equal "$(col_comment "$FWD" '"select"."table"' user)" 'the "user"; -- /*'
  assert_equal "$(q "$BACK" "select count(*) from pg_namespace where nspname = 'select'")" 0
  file_has "$FWD_FILE" 'CREATE TABLE "select"\."table"'
}

@test "names over 63 bytes: truncated as PostgreSQL does, with a warning naming file:line and both names" {
  local long_t long_c cut_t cut_c e32 e31
  long_t="Orders_$(printf 'x%.0s' {1..70})"      # unquoted: folded, then cut at 63
  long_c=$(printf 'c%.0s' {1..80})
  e32=$(printf 'é%.0s' {1..32})                  # 64 bytes: cut at 62, never inside é
  e31=$(printf 'é%.0s' {1..31})
  cut_t=$(printf '%s' "orders_$(printf 'x%.0s' {1..70})" | head -c 63)
  cut_c=$(printf 'c%.0s' {1..63})
  mkdir -p schema
  printf '%s\n' "create table $long_t (" "  $long_c int primary key," "  \"$e32\" text);" \
    "create index \"${e32}\" on $long_t (\"$e32\");" "comment on column $long_t.$long_c is 'long';" > schema/long.sql
  run --separate-stderr flux-parse --shadow-db none schema
  assert_success
  [[ $stderr == *"schema/long.sql:1:14: identifier \"${long_t,,}\" will be truncated to \"$cut_t\""* ]] || fail "$stderr"
  [[ $stderr == *"schema/long.sql:2:3: identifier \"$long_c\" will be truncated to \"$cut_c\""* ]] || fail "$stderr"
  [[ $stderr == *"schema/long.sql:3:3: identifier \"$e32\" will be truncated to \"$e31\""* ]] || fail "$stderr"
  [[ $stderr == *"schema/long.sql:4:"*"will be truncated"* ]] || fail "$stderr"
  [[ $stderr == *"schema/long.sql:5:"*"will be truncated"* ]] || fail "$stderr"
  assert_equal "$(jq -r '.objects[] | select(.kind == "table") | .name' <<<"$output")" "$cut_t"
  assert_equal "$(jq -r '.objects[] | select(.kind == "index") | .name' <<<"$output")" "$e31"
  local schema_text
  schema_text=$(cat schema/long.sql)
  roundtrip_both long "$VICTIM" "$VICTIM
$schema_text" "$SEED"
  assert_equal "$(columns "$FWD" "$cut_t")" "$cut_c,$e31"
  assert_equal "$(relation_exists "$FWD" "public.\"$e31\"")" 1
  assert_equal "$(col_comment "$FWD" "$cut_t" "$cut_c")" long
  assert_equal "$(relation_exists "$BACK" "public.$cut_t")" 0
  # pg-flux passes the warning on.
  grep -q 'will be truncated to' "$BATS_TEST_TMPDIR/long_f.log" || fail "migrate generate did not pass the warning on"
}

@test "implicit names from 60-byte table and column names: _pkey _key _fkey _check _idx _seq as PostgreSQL chooses them" {
  local t c t2 schema_text
  t=$(printf 't%.0s' {1..60}); c=$(printf 'c%.0s' {1..60}); t2=$(printf 'u%.0s' {1..58})é
  schema_text="create table $t ($c serial primary key, b${c:1} int unique check (b${c:1} > 0), d int generated always as identity);
create index on $t (b${c:1}, $c);
create index on $t (lower(b${c:1}::text));
create table \"$t2\" (\"é$c\" int references $t ($c), \"x$c\" int references $t ($c), unique (\"é$c\", \"x$c\"));
create index on \"$t2\" (\"é$c\");
create index on \"$t2\" (\"é$c\");"
  roundtrip_both implicit "$VICTIM" "$VICTIM
$schema_text" "$SEED"
  # Loaded by psql, PostgreSQL names everything itself: pg-flux must agree.
  local db
  db=$(new_db "t${BATS_TEST_NUMBER}_psql")
  printf '%s\n' "$schema_text" > "$BATS_TEST_TMPDIR/implicit.sql"
  psql -X -q -v ON_ERROR_STOP=1 "$db" -f "$BATS_TEST_TMPDIR/implicit.sql"
  mkdir -p "$BATS_TEST_TMPDIR/psql/schema"
  cp "$BATS_TEST_TMPDIR/implicit.sql" "$BATS_TEST_TMPDIR/psql/schema/"
  cd "$BATS_TEST_TMPDIR/psql"
  for shadow in none "$PGFLUX_ADMIN_URL"; do
    run pg-flux drift --db "$db" --shadow-db "$shadow"
    [ "$status" -eq 0 ] || fail "drift against what PostgreSQL named (shadow $shadow): $output"
  done
  assert_equal "$(q "$FWD" "select string_agg(relname, ',' order by relname) from pg_class where relkind in ('i', 'S') and relnamespace = 'public'::regnamespace")" \
    "$(q "$db" "select string_agg(relname, ',' order by relname) from pg_class where relkind in ('i', 'S') and relnamespace = 'public'::regnamespace")"
  assert_equal "$(q "$FWD" "select string_agg(conname, ',' order by conname) from pg_constraint where connamespace = 'public'::regnamespace")" \
    "$(q "$db" "select string_agg(conname, ',' order by conname) from pg_constraint where connamespace = 'public'::regnamespace")"
}

@test "model documents: a name of more than 63 bytes (or with a NUL) is refused with exit 2, not pasted into DDL" {
  local db
  db=$(new_db "t${BATS_TEST_NUMBER}_json")
  mkdir -p schema
  echo "create table t (id int); create index i on t (id);" > schema/s.sql
  flux-parse schema > desired.json
  flux-snapshot --db "$db" > live.json
  local long
  long=$(printf 'é%.0s' {1..32})
  for field in name schema; do
    jq --arg n "$long" "(.objects[] | select(.kind == \"table\") | .$field) = \$n" desired.json > bad.json
    run --separate-stderr flux-diff live.json bad.json
    assert_equal "$status" 2
    [[ $stderr == *"bad.json"*"$field"*"longer than 63 bytes"* ]] || fail "$stderr"
  done
  jq --arg n "$(printf 't%.0s' {1..64})" '(.objects[] | select(.kind == "index") | .table) = $n' desired.json > bad.json
  run --separate-stderr flux-diff live.json bad.json
  assert_equal "$status" 2
  [[ $stderr == *"table"*"longer than 63 bytes"* ]] || fail "$stderr"
  jq '(.objects[] | select(.kind == "table") | .name) = "a\u0000b"' desired.json > bad.json
  run --separate-stderr flux-diff live.json bad.json
  assert_equal "$status" 2
  [[ $stderr == *"NUL"* ]] || fail "$stderr"
  # Exactly 63 bytes is fine.
  jq --arg n "$(printf 'é%.0s' {1..31})x" '(.objects[] | select(.kind == "index") | .name) = $n' desired.json > ok.json
  run --separate-stderr flux-diff live.json ok.json
  assert_success
}

@test "range types: a 63-byte name gets PostgreSQL's multirange name; one PostgreSQL would cut inside a character is refused" {
  local r63 rr63
  r63=$(printf 'r%.0s' {1..63}); rr63="my_range_$(printf 'z%.0s' {1..54})"
  roundtrip_both ranges "$VICTIM" "$VICTIM
create type $r63 as range (subtype = int4);
create type $rr63 as range (subtype = int8);
create table rt (a ${r63:0:52}_multirange, b my_multirange_$(printf 'z%.0s' {1..49}));" "$SEED"
  assert_equal "$(q "$FWD" "select string_agg(typname, ',' order by typname) from pg_type where typtype = 'm' and typnamespace = 'public'::regnamespace")" \
    "my_multirange_$(printf 'z%.0s' {1..49}),${r63:0:52}_multirange"
  mkdir -p schema
  printf 'create type "%s" as range (subtype = int4);\n' "$(printf 'x%.0s' {1..51})ééé" > schema/r.sql
  run --separate-stderr flux-parse --shadow-db none schema
  assert_equal "$status" 2
  [[ $stderr == *"schema/r.sql:1:1"*"multirange_type_name"* ]] || fail "$stderr"
}

@test "literals with backslashes: a database with standard_conforming_strings off cannot be fooled (E'' form)" {
  local seed="$SEED
do \$\$ begin execute format('alter database %I set standard_conforming_strings = off', current_database()); end \$\$;"
  roundtrip_both scs "$VICTIM" "$VICTIM
create table \"a\\b\" (\"c\\\" int default 0);
comment on table \"a\\b\" is 'x\\''; drop table victim; --';
comment on column \"a\\b\".\"c\\\" is '\\';" "$seed"
  victim_intact "$FWD"
  victim_intact "$BACK"
  assert_equal "$(q "$FWD" "show standard_conforming_strings")" off
  assert_equal "$(relation_comment "$FWD" '"a\b"')" "x\\'; drop table victim; --"
  assert_equal "$(col_comment "$FWD" '"a\b"' 'c\')" '\'
  file_has "$FWD_FILE" "^COMMENT ON TABLE .* IS E'x\\\\\\\\''; drop table victim; --';\$"
}

@test "encodings: a LATIN1 database and PGCLIENTENCODING=LATIN1 still get UTF-8 names right" {
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "DROP DATABASE IF EXISTS latin WITH (FORCE)" \
    -c "CREATE DATABASE latin ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
  local db
  db=$(db_url latin)
  mkdir -p schema migrations
  printf '%s\n' 'create table "été" ("ü" text default $$ß$$);' "comment on table \"été\" is 'Ça';" > schema/s.sql
  export PGCLIENTENCODING=LATIN1
  run pg-flux migrate generate --db "$db" --label x
  assert_success
  run pg-flux migrate apply --db "$db"
  assert_success
  run pg-flux drift --db "$db"
  assert_success
  run pg-flux migrate generate --db "$db" --label again
  assert_success
  assert_output --partial "nothing to do"
  unset PGCLIENTENCODING
  assert_equal "$(PGCLIENTENCODING=UTF8 q "$db" "select relname || ':' || obj_description(oid, 'pg_class') from pg_class where relname = 'été'")" "été:Ça"
  assert_equal "$(PGCLIENTENCODING=UTF8 q "$db" "select attname || ':' || pg_get_expr(adbin, adrelid) from pg_attribute join pg_attrdef on adrelid = attrelid and adnum = attnum where attrelid = 'été'::regclass")" "ü:'ß'::text"
}

# --- line breaks -------------------------------------------------------------
# A name with a line break must stay inside its "-- summary" comment line
# (escaped as \n): raw, it would end the comment, and migrate apply would fail
# or run what the name carries.

@test "line breaks: every kind named with a newline, a carriage return, and a newline carrying SQL: create all / drop all" {
  roundtrip_both linebreaks "$VICTIM" "$VICTIM
$(all_classes 1 $LINEBREAK_CLASSES)" "$SEED"
  every_name_exists "$FWD" $LINEBREAK_CLASSES
  no_hostile_schema "$BACK" $LINEBREAK_CLASSES
  victim_intact "$FWD"
  victim_intact "$BACK"
}

# bats test_tags=long
@test "line breaks: changes of every kind named with line breaks, both ways" {
  roundtrip_both linebreak_change "$VICTIM
$(all_classes 1 $LINEBREAK_CLASSES)" "$VICTIM
$(all_classes 2 $LINEBREAK_CLASSES)" "$SEED"
  victim_intact "$FWD"
  victim_intact "$BACK"
}

@test "schema files: DROP COLUMN of a column with a quote or backslash in its name still sees the index that uses it" {
  mkdir -p schema
  printf '%s\n' 'create table t ("a""b\" int, c int);' 'create index i on t ("a""b\");' 'alter table t drop column "a""b\";' > schema/s.sql
  run --separate-stderr flux-parse --shadow-db none schema
  assert_equal "$status" 2
  [[ $stderr == *"schema/s.sql:3:"*"is used by index i on"* ]] || fail "$stderr"
}
