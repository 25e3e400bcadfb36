#!/usr/bin/env bats
# Round trips of table storage attributes: column STORAGE and statistics
# targets, index column statistics targets, table storage parameters and
# REPLICA IDENTITY. All change in place (never a rewrite, never a recreated
# index). From a database loaded with BEFORE, generate + apply reach AFTER;
# drift finds nothing; the catalog is
# what AFTER says (see roundtrip.bash).
bats_require_minimum_version 1.5.0
load helpers
load roundtrip
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

# storage URL TABLE: 'column:attstorage:attstattarget' of every column, in order.
storage() { q "$1" "select string_agg(attname || ':' || attstorage::text || ':' || attstattarget, ',' order by attnum)
  from pg_attribute where attrelid = \$t\$$2\$t\$::regclass and attnum > 0 and not attisdropped"; }
# sorted_reloptions URL TABLE: the table's storage parameters, sorted, comma separated.
sorted_reloptions() { q "$1" "select coalesce((select string_agg(o, ',' order by o) from unnest(reloptions) o), '')
  from pg_class where oid = \$t\$$2\$t\$::regclass"; }
replident() { q "$1" "select relreplident::text || coalesce((select ':' || i.indexrelid::regclass::text from pg_index i
  where i.indrelid = c.oid and i.indisreplident), '') from pg_class c where c.oid = \$t\$$2\$t\$::regclass"; }

# agree_none: the schema loaded by psql, snapshotted, agrees with flux-parse
# --shadow-db none of the same files (no step).
agree_none() {
  local db
  db=$(new_db "agree$BATS_TEST_NUMBER")
  mkdir -p agree/schema && printf '%s\n' "$1" > agree/schema/schema.sql
  psql -X -q -v ON_ERROR_STOP=1 "$db" -f agree/schema/schema.sql
  flux-snapshot --db "$db" > agree/live.json
  (cd agree && flux-parse --shadow-db none > parsed.json)
  run --separate-stderr flux-diff --exit-code --format summary agree/live.json agree/parsed.json
  [ "$status" -eq 0 ] && [ -z "$output" ] || fail "flux-parse --shadow-db none differs from the database: $output $stderr"
}

@test "column STORAGE and SET STATISTICS: set, changed back to the type's default, on new tables and columns" {
  roundtrip_both colstorage \
    "create table t (id integer, body text, doc jsonb, n numeric, v varchar(10));" \
    "create table t (id integer, body text, doc jsonb, n numeric, v varchar(10), extra text);
     alter table t alter column body set storage external, alter column doc set statistics 500;
     alter table t alter column n set storage extended, alter column v set storage extended;
     alter table t alter column extra set storage main, alter column id set statistics 0;
     create table u (a text, b integer);
     alter table u alter column a set storage plain, alter column b set statistics 1000;" \
    "insert into t (id, body) values (1, 'x');"
  assert_equal "$(storage "$FWD" t)" "id:p:0,body:e:-1,doc:x:500,n:x:-1,v:x:-1,extra:m:-1"
  assert_equal "$(storage "$FWD" u)" "a:p:-1,b:p:1000"
  assert_equal "$(storage "$BACK" t)" "id:p:-1,body:x:-1,doc:x:-1,n:m:-1,v:x:-1"
  file_has "$FWD_FILE" '^ALTER TABLE public.t ALTER COLUMN body SET STORAGE EXTERNAL;'
  file_has "$FWD_FILE" '^ALTER TABLE public.t ALTER COLUMN doc SET STATISTICS 500;'
  file_has "$BACK_FILE" '^ALTER TABLE public.t ALTER COLUMN n SET STORAGE MAIN;'
  file_has "$BACK_FILE" '^ALTER TABLE public.t ALTER COLUMN doc SET STATISTICS -1;'
  file_lacks "$FWD_FILE" 'ALTER COLUMN v '
  assert_equal "$(q "$FWD" "select count(*) from t")" "1"
  agree_none "create table t (id integer, body text, doc jsonb, n numeric);
    alter table t alter column body set storage external, alter column doc set statistics 500;
    alter table t alter column n set storage extended, alter column id set statistics 0;
    alter table t alter column doc set storage extended;"
}

# bats test_tags=long
@test "column STORAGE survives a type change (which resets it to the new type's)" {
  roundtrip_both retype \
    "create table t (v varchar(10)); alter table t alter column v set storage external;" \
    "create table t (v text); alter table t alter column v set storage external;"
  assert_equal "$(storage "$FWD" t)" "v:e:-1"
  assert_equal "$(storage "$BACK" t)" "v:e:-1"
}

# bats test_tags=long
@test "ALTER INDEX ... ALTER COLUMN n SET STATISTICS changes in place" {
  roundtrip_both idxstats \
    "create table t (id integer, name text); create index t_lower on t (lower(name), id);" \
    "create table t (id integer, name text); create index t_lower on t (lower(name), id);
     alter index t_lower alter column 1 set statistics 300;
     create index t_upper on t (upper(name)); alter index t_upper alter column 1 set statistics 50;"
  assert_equal "$(storage "$FWD" t_lower)" "lower:x:300,id:p:-1"
  assert_equal "$(storage "$FWD" t_upper)" "upper:x:50"
  assert_equal "$(storage "$BACK" t_lower)" "lower:x:-1,id:p:-1"
  file_has "$FWD_FILE" '^ALTER INDEX public.t_lower ALTER COLUMN 1 SET STATISTICS 300;'
  file_has "$BACK_FILE" '^ALTER INDEX public.t_lower ALTER COLUMN 1 SET STATISTICS -1;'
  file_lacks "$FWD_FILE" 'DROP INDEX'
  file_lacks "$BACK_FILE" 'DROP INDEX public.t_lower'
  agree_none "create table t (id integer, name text); create index t_lower on t (lower(name), id);
    alter index t_lower alter column 1 set statistics 300;"
}

# bats test_tags=long
@test "table storage parameters: WITH (...) on CREATE TABLE, SET (...) / RESET (...)" {
  roundtrip_both reloptions \
    "create table t (id integer) with (fillfactor = 70, autovacuum_enabled = false);" \
    "create table t (id integer) with (fillfactor = 80);
     alter table t set (autovacuum_vacuum_scale_factor = 0.05);
     create table n (id integer) with (fillfactor = 50);" \
    "insert into t values (1);"
  assert_equal "$(sorted_reloptions "$FWD" t)" "autovacuum_vacuum_scale_factor=0.05,fillfactor=80"
  assert_equal "$(sorted_reloptions "$FWD" n)" "fillfactor=50"
  assert_equal "$(sorted_reloptions "$BACK" t)" "autovacuum_enabled=false,fillfactor=70"
  file_has "$FWD_FILE" "^ALTER TABLE public.t RESET \\(autovacuum_enabled\\);"
  file_has "$FWD_FILE" "WITH \\(fillfactor='50'\\);"
  file_lacks "$FWD_FILE" 'DROP TABLE'
  assert_equal "$(q "$FWD" "select count(*) from t")" "1"
  agree_none "create table t (id integer) with (fillfactor = 80, autovacuum_enabled = off);
    alter table t set (autovacuum_vacuum_scale_factor = 0.05); alter table t reset (fillfactor);"
}

@test "REPLICA IDENTITY FULL / NOTHING / USING INDEX (a unique index, a constraint's) / DEFAULT" {
  local base="create table a (id integer primary key); create table b (id integer not null);
    create unique index b_id on b (id); create table c (id integer not null, constraint c_id_key unique (id));
    create table d (id integer);"
  roundtrip_both replident "$base" \
    "$base alter table a replica identity full; alter table b replica identity using index b_id;
     alter table c replica identity using index c_id_key; alter table d replica identity nothing;"
  assert_equal "$(replident "$FWD" a),$(replident "$FWD" b),$(replident "$FWD" c),$(replident "$FWD" d)" "f,i:b_id,i:c_id_key,n"
  assert_equal "$(replident "$BACK" a),$(replident "$BACK" b),$(replident "$BACK" c),$(replident "$BACK" d)" "d,d,d,d"
  agree_none "$base alter table a replica identity full; alter table b replica identity using index b_id;
     alter table c replica identity using index c_id_key; alter table d replica identity nothing;"
}

# bats test_tags=long
@test "REPLICA IDENTITY USING INDEX on a new table's new index, and on an index that is recreated" {
  # A new table and its new index: the identity comes after the index.
  roundtrip_both replident_new "" \
    "create table e (id integer not null); create unique index e_id on e (id);
     alter table e replica identity using index e_id;"
  assert_equal "$(replident "$FWD" e)" "i:e_id"
  # The index is recreated (its definition changes): the identity is set again.
  roundtrip_both replident_rebuilt \
    "create table f (id integer not null, k integer not null); create unique index f_id on f (id);
     alter table f replica identity using index f_id;" \
    "create table f (id integer not null, k integer not null); create unique index f_id on f (id, k);
     alter table f replica identity using index f_id;"
  assert_equal "$(replident "$FWD" f)" "i:f_id"
  assert_equal "$(replident "$BACK" f)" "i:f_id"
}

# parse_fails DIR SQL MESSAGE: flux-parse of SQL (as schema/a.sql) exits 2 naming MESSAGE.
parse_fails() {
  mkdir -p "$1/schema" && printf '%s\n' "$2" > "$1/schema/a.sql"
  run -2 bash -c "cd $1 && flux-parse --shadow-db none"
  assert_output --partial "$3"
}

# bats test_tags=long
@test "source errors: storage attributes flux-parse refuses" {
  parse_fails e1 'create table t (id integer) with (toast.autovacuum_enabled = false);' \
    'schema/a.sql:1:1: storage parameter toast.autovacuum_enabled is not supported by pg-flux yet'
  parse_fails e2 'create table t (id integer); create index t_id on t (id);
alter index t_id alter column 1 set statistics 10;' \
    'schema/a.sql:2:1: column number 1 of index t_id is not an expression'
  parse_fails e3 'create table t (v text);
alter table t alter column v set statistics 20000;' \
    'schema/a.sql:2:1: statistics target 20000 is out of range'
}

# stats_def URL NAME: pg_get_statisticsobjdef, the target and the comment, or <none>.
stats_def() { q "$1" "select coalesce((select pg_get_statisticsobjdef(oid) || ' [' || stxstattarget || '] ' ||
  coalesce(obj_description(oid, 'pg_statistic_ext'), '-') from pg_statistic_ext where stxname = \$n\$$2\$n\$), '<none>')"; }

@test "extended statistics: create (kinds, columns, expressions), target and comment / drop" {
  local base="create table t (a integer, b integer, c text);"
  roundtrip_both stats "$base" \
    "$base
     create statistics t_ab (ndistinct, dependencies) on b, a from t;
     create statistics t_expr on (lower(c)) from t;
     create statistics t_all on a, (a + b) from t;
     alter statistics t_ab set statistics 200;
     comment on statistics t_ab is 'a and b go together';"
  assert_equal "$(stats_def "$FWD" t_ab)" "CREATE STATISTICS public.t_ab (ndistinct, dependencies) ON a, b FROM t [200] a and b go together"
  assert_equal "$(stats_def "$FWD" t_expr)" "CREATE STATISTICS public.t_expr ON lower(c) FROM t [-1] -"
  assert_equal "$(stats_def "$FWD" t_all)" "CREATE STATISTICS public.t_all ON a, (a + b) FROM t [-1] -"
  assert_equal "$(q "$BACK" "select count(*) from pg_statistic_ext")" "0"
  file_has "$BACK_FILE" '^DROP STATISTICS public.t_ab;'
  agree_none "$base
     create statistics t_ab (ndistinct, dependencies) on b, a from t;
     create statistics t_expr on (lower(c)) from t;
     create statistics t_all on a, (a + b) from t;
     alter statistics t_ab set statistics 200;
     comment on statistics t_ab is 'a and b go together';"
}

# bats test_tags=long
@test "extended statistics: the target changes in place; new kinds or columns replace it" {
  local base="create table t (a integer, b integer, c integer);"
  roundtrip_both stats_change \
    "$base create statistics s1 on a, b from t; create statistics s2 on a, b from t;" \
    "$base create statistics s1 on a, b from t; alter statistics s1 set statistics 50;
     create statistics s2 (mcv) on a, b, c from t;"
  assert_equal "$(stats_def "$FWD" s1)" "CREATE STATISTICS public.s1 ON a, b FROM t [50] -"
  assert_equal "$(stats_def "$FWD" s2)" "CREATE STATISTICS public.s2 (mcv) ON a, b, c FROM t [-1] -"
  file_has "$FWD_FILE" '^ALTER STATISTICS public.s1 SET STATISTICS 50;'
  file_lacks "$FWD_FILE" 'DROP STATISTICS public.s1'
  file_has "$FWD_FILE" '^-- DROP STATISTICS s2 ON t \(recreated because its definition changes\)'
  assert_equal "$(stats_def "$BACK" s1)" "CREATE STATISTICS public.s1 ON a, b FROM t [-1] -"
}

@test "extended statistics: a column it uses is dropped or retyped: it is recreated" {
  roundtrip_both stats_column \
    "create table t (a integer, b integer, c integer, d integer);
     create statistics s on a, b, c from t; create statistics r on a, d from t;" \
    "create table t (a bigint, b integer, d integer);
     create statistics s on a, b from t; create statistics r on a, d from t;" \
    "insert into t (a, b, d) values (1, 2, 4);"
  assert_equal "$(stats_def "$FWD" s)" "CREATE STATISTICS public.s ON a, b FROM t [-1] -"
  assert_equal "$(stats_def "$FWD" r)" "CREATE STATISTICS public.r ON a, d FROM t [-1] -"
  assert_equal "$(stats_def "$BACK" s)" "CREATE STATISTICS public.s ON a, b, c FROM t [-1] -"
  assert_equal "$(q "$FWD" "select count(*) from t")" "1"
}

# bats test_tags=long
@test "extended statistics: source errors" {
  parse_fails s1 'create table t (a integer, b integer);
create statistics s on a, x from t;' 'schema/a.sql:2:1: column x of table t does not exist'
  parse_fails s2 'create schema o; create table t (a integer, b integer);
create statistics o.s on a, b from t;' \
    'schema/a.sql:2:1: statistics object s outside the schema of its table t is not supported by pg-flux yet'
}

# bats test_tags=long
@test "LIKE copies a column's storage only INCLUDING STORAGE, never its statistics target; INCLUDING STATISTICS is refused" {
  local base="create table a (v text, n integer); alter table a alter column v set storage external, alter column n set statistics 10;"
  roundtrip_both like_storage "" "$base create table b (like a including storage); create table c (like a);"
  assert_equal "$(storage "$FWD" b)" "v:e:-1,n:p:-1"
  assert_equal "$(storage "$FWD" c)" "v:x:-1,n:p:-1"
  agree_none "$base create table b (like a including storage); create table c (like a including all);"
  parse_fails l1 'create table a (x integer, y integer); create statistics s on x, y from a;
create table b (like a including all);' \
    'schema/a.sql:2:1: LIKE ... INCLUDING STATISTICS of a table with extended statistics is not supported by pg-flux yet'
}

# persistence URL RELATION...: relpersistence of each, comma separated.
persistence() { local r out=""; for r in "${@:2}"; do out+="$(q "$1" "select relpersistence from pg_class where oid = \$t\$$r\$t\$::regclass"),"; done; printf '%s' "${out%,}"; }

@test "unlogged sequences: an unlogged table's serial is one, as PostgreSQL makes it; SET LOGGED changes both" {
  # Both ways: t and counter change persistence; u and l are new in one
  # direction (a new unlogged table's serial sequence is created unlogged;
  # SET LOGGED / UNLOGGED in the file changes the table's sequence too).
  roundtrip_both unlogged_seq \
    "create table t (id serial, n int); create sequence counter;" \
    "create unlogged table t (id serial, n int); create unlogged sequence counter;
     create unlogged table u (id bigserial); alter table u set logged; create table l (id serial); alter table l set unlogged;"
  assert_equal "$(persistence "$FWD" t t_id_seq counter u u_id_seq l l_id_seq)" "u,u,u,p,p,u,u"
  assert_equal "$(persistence "$BACK" t t_id_seq counter)" "p,p,p"
  tx_has "$FWD_FILE" '^ALTER SEQUENCE public.counter SET UNLOGGED;$'
  tx_has "$FWD_FILE" '^CREATE UNLOGGED SEQUENCE public.l_id_seq AS integer;$'
}
