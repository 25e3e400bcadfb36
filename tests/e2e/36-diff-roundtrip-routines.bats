#!/usr/bin/env bats
# Round trips of functions, procedures and aggregates: from a database loaded
# with BEFORE, generate + apply reach AFTER; drift finds nothing; the catalog is what AFTER says (see roundtrip.bash).
bats_require_minimum_version 1.5.0
load helpers
load roundtrip
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

@test "function: SQL, plpgsql and SQL-standard bodies with every attribute / drop" {
  roundtrip_both functions "create table t (id integer primary key, v integer);" \
    "create table t (id integer primary key, v integer);
     create function total() returns bigint language sql stable as 'select sum(v) from t';
     create function bump(x integer, by integer default 1) returns integer language plpgsql
       immutable strict leakproof parallel safe cost 7 set search_path = public, pg_temp set work_mem = '64MB'
       as \$\$ begin return x + by; end \$\$;
     create function twice(x integer) returns integer language sql immutable return x * 2;
     create function ids(min_id integer) returns setof integer language sql stable rows 20
       begin atomic select id from t where id >= min_id; end;
     create function pairs(out a integer, inout b text, variadic rest integer[]) language sql as 'select 1, b';
     create function rows_of(n integer) returns table (id integer, label text) language sql
       as 'select g, g::text from generate_series(1, n) g';
     create function secret() returns text language sql security definer as \$\$select 'x'\$\$;
     comment on function twice(integer) is 'doubles';" \
    "insert into t values (1, 10), (2, 20);"
  assert_equal "$(q "$FWD" "select total()")" "30"
  assert_equal "$(q "$FWD" "select bump(1)")" "2"
  assert_equal "$(q "$FWD" "select twice(21)")" "42"
  assert_equal "$(q "$FWD" "select string_agg(i::text, ',') from ids(2) i")" "2"
  assert_equal "$(q "$FWD" "select string_agg(label, ',') from rows_of(3)")" "1,2,3"
  assert_equal "$(q "$FWD" "select concat(provolatile, proisstrict, proleakproof, proparallel, procost) from pg_proc where proname = 'bump'")" "itts7"
  assert_equal "$(q "$FWD" "select array_to_string(proconfig, ';') from pg_proc where proname = 'bump'")" "search_path=public, pg_temp;work_mem=64MB"
  assert_equal "$(q "$FWD" "select prorows from pg_proc where proname = 'ids'")" "20"
  assert_equal "$(q "$FWD" "select prosecdef from pg_proc where proname = 'secret'")" "t"
  assert_equal "$(q "$FWD" "select obj_description('twice(integer)'::regprocedure, 'pg_proc')")" "doubles"
  assert_equal "$(routine_exists "$FWD" 'pairs(text, integer[])')" "1"
  # Functions are created with bodies unchecked (one may name what comes later).
  tx_has "$FWD_FILE" '^SET LOCAL check_function_bodies = off;'
  assert_equal "$(q "$BACK" "select count(*) from pg_proc where pronamespace = 'public'::regnamespace")" "0"
}

# bats test_tags=long
@test "function: a changed body is CREATE OR REPLACE; attributes alone are ALTER FUNCTION" {
  roundtrip_both body \
    "create function f(x integer) returns integer language sql as 'select x + 1';
     create function g(x integer) returns integer language sql immutable as 'select x';" \
    "create function f(x integer) returns integer language sql as 'select x + 2';
     create function g(x integer) returns integer language sql stable strict cost 50 set search_path = public as 'select x';"
  file_has "$FWD_FILE" '^CREATE OR REPLACE FUNCTION public.f\(x integer\)'
  file_has "$FWD_FILE" '^ALTER FUNCTION public.g\(integer\) STABLE STRICT COST 50$'
  file_has "$BACK_FILE" '^ALTER FUNCTION public.g\(integer\) IMMUTABLE CALLED ON NULL INPUT COST 100 RESET search_path;$'
  file_lacks "$FWD_FILE" 'DROP FUNCTION'
  assert_equal "$(q "$FWD" "select f(1)")" "3"
  assert_equal "$(q "$BACK" "select f(1)")" "2"
}

@test "function: overloads are told apart by their argument types" {
  roundtrip_both overloads \
    "create function area(r double precision) returns double precision language sql immutable return pi() * r * r;" \
    "create function area(r double precision) returns double precision language sql immutable return pi() * r * r;
     create function area(w double precision, h double precision) returns double precision language sql immutable return w * h;
     create function area(label text) returns text language sql immutable return 'area ' || label;"
  assert_equal "$(q "$FWD" "select area(2.0, 3.0)")" "6"
  assert_equal "$(q "$FWD" "select area('x'::text)")" "area x"
  assert_equal "$(q "$BACK" "select count(*) from pg_proc where proname = 'area' and pronamespace = 'public'::regnamespace")" "1"
  file_has "$BACK_FILE" '^DROP FUNCTION public.area\(double precision, double precision\);'
}

# bats test_tags=long
@test "function: a changed result type is drop + create, with the trigger, view, default, CHECK and policy that use it" {
  # scored TYPE: a function returning TYPE and everything that uses it.
  scored() {
    echo "create function score(x integer) returns $1 language sql immutable as 'select x * 10';
     create function stamp() returns trigger language plpgsql as \$\$ begin new.s := score(1); return new; end \$\$;
     create table t (id integer primary key, s integer default score(0), constraint positive check (score(id) > 0));
     create trigger t_stamp before insert on t for each row execute function stamp();
     create view scores as select id, score(id) as points from t;
     alter table t enable row level security;
     create policy scored on t using (score(id) > 5);"
  }
  roundtrip_both rettype "$(scored integer)" "$(scored bigint)" \
    "insert into t values (1, 5), (2, 7);"
  assert_equal "$(q "$FWD" "select prorettype::regtype from pg_proc where proname = 'score'")" "bigint"
  assert_equal "$(col_default "$FWD" t s)" "score(0)"
  assert_equal "$(constraint_def "$FWD" t positive)" "CHECK ((score(id) > 0))"
  assert_equal "$(q "$FWD" "select atttypid::regtype from pg_attribute where attrelid = 'scores'::regclass and attname = 'points'")" "bigint"
  assert_equal "$(policy_def "$FWD" t scored)" "*|t|public|(score(id) > 5)|-"
  assert_equal "$(q "$FWD" "insert into t (id) values (3) returning s")" "10"
  file_has "$FWD_FILE" '^-- DROP FUNCTION score\(integer\) \(recreated because its result type changes\)$'
  file_has "$FWD_FILE" '^-- DROP VIEW scores \(recreated because function score\(integer\) is recreated\)$'
  file_has "$FWD_FILE" '^-- DROP POLICY scored ON t \(recreated because function score\(integer\) is recreated\)$'
  file_has "$FWD_FILE" '^-- DROP CONSTRAINT positive ON t \(recreated because function score\(integer\) is recreated\)$'
  file_has "$FWD_FILE" '^ALTER TABLE public.t ALTER COLUMN s DROP DEFAULT;'
  file_lacks "$FWD_FILE" 'DROP TRIGGER'
}

@test "trigger function: a changed signature drops and recreates the trigger" {
  roundtrip_both trigfn \
    "create table t (id integer primary key, note text);
     create function note_it() returns trigger language plpgsql as \$\$ begin new.note := 'a'; return new; end \$\$;
     create trigger t_note before insert on t for each row execute function note_it();" \
    "create table t (id integer primary key, note text);
     create function note_it2() returns trigger language plpgsql as \$\$ begin new.note := 'b'; return new; end \$\$;
     create trigger t_note before insert on t for each row execute function note_it2();"
  assert_equal "$(q "$FWD" "insert into t (id) values (1) returning note")" "b"
  assert_equal "$(q "$BACK" "insert into t (id) values (1) returning note")" "a"
  assert_equal "$(routine_exists "$FWD" 'note_it()')" "0"
}

# bats test_tags=long
@test "function and view that use each other: the function body is opaque, so it comes first" {
  # (psql loads the files with check_function_bodies off, as pg_dump's output does.)
  roundtrip_both cycle "" \
    "set check_function_bodies = off;
     create function first_or_count(x integer) returns bigint language sql stable
       as 'select case when x > 0 then x else (select count(*) from visible) end';
     create view visible as select first_or_count(7) as n;"
  assert_equal "$(q "$FWD" "select n from visible")" "7"
  run -0 step_summaries "$FWD_FILE"
  assert_line --index 0 'CREATE FUNCTION first_or_count(integer)'
  assert_line --index 1 'CREATE VIEW visible'
}

@test "a SQL function reading a table is created after the table" {
  roundtrip_both soft "" \
    "set check_function_bodies = off;
     create function n() returns bigint language sql as 'select count(*) from zz';
     create table zz (id integer);"
  run -0 step_summaries "$FWD_FILE"
  assert_line --index 0 'CREATE TABLE zz'
  assert_line --index 1 'CREATE FUNCTION n()'
}

# bats test_tags=long
@test "procedure: create, change, drop" {
  roundtrip_both proc "create table log (msg text);" \
    "create table log (msg text);
     create procedure note(m text, inout n integer default 0) language plpgsql as \$\$ begin insert into log values (m); n := n + 1; end \$\$;
     create procedure clear() language sql begin atomic delete from log; end;
     comment on procedure clear() is 'empties the log';"
  assert_equal "$(q "$FWD" "call note('x', 1)")" "2"
  assert_equal "$(q "$FWD" "select count(*) from log")" "1"
  assert_equal "$(q "$FWD" "select obj_description('clear()'::regprocedure, 'pg_proc')")" "empties the log"
  file_has "$BACK_FILE" '^DROP PROCEDURE public.note\(text, integer\);'
}

@test "aggregate: normal, moving and ordered-set; changed in place, then dropped" {
  roundtrip_both agg "" \
    "create aggregate total(integer) (sfunc = int4pl, stype = integer, initcond = '0', parallel = safe,
       msfunc = int4pl, minvfunc = int4mi, mstype = integer, minitcond = '0');
     create aggregate biggest(integer) (sfunc = int4larger, stype = integer, sortop = >);
     create aggregate pct(double precision order by double precision) (sfunc = ordered_set_transition,
       stype = internal, finalfunc = percentile_cont_float8_final);
     create aggregate counted(*) (sfunc = int8inc, stype = bigint, initcond = '0');
     comment on aggregate total(integer) is 'sum';"
  assert_equal "$(q "$FWD" "select total(x), biggest(x), pct(0.5) within group (order by x::float8), counted(*) from generate_series(1, 4) x")" "10|4|2.5|4"
  assert_equal "$(q "$FWD" "select obj_description('total(integer)'::regprocedure, 'pg_proc')")" "sum"
  roundtrip_both aggchange \
    "create aggregate total(integer) (sfunc = int4pl, stype = integer, initcond = '0');" \
    "create aggregate total(integer) (sfunc = int4pl, stype = integer, initcond = '100');"
  file_has "$FWD_FILE" '^CREATE OR REPLACE AGGREGATE public.total\(integer\)'
  assert_equal "$(q "$FWD" "select total(x) from generate_series(1, 2) x")" "103"
}

@test "--shadow-db none: function bodies compare exactly as written" {
  RT_SHADOW=none roundtrip_both noshadowfn "" \
    "create function f(x integer) returns integer language plpgsql as \$\$ begin return x; end \$\$;
     create function g(x integer default 3) returns integer language sql return x + 1;"
  assert_equal "$(q "$FWD" "select f(2) + g()")" "6"
}
