#!/usr/bin/env bats
# Round trips of views and materialized views: from a database loaded with
# BEFORE, generate + apply reach AFTER; drift finds nothing; the catalog is what AFTER says (see roundtrip.bash).
bats_require_minimum_version 1.5.0
load helpers
load roundtrip
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

TABLE="create table emp (id integer primary key, name text not null, salary numeric(10,2), dept text);"

@test "view: create with a column list, options and a comment / drop" {
  roundtrip_both view "$TABLE" \
    "$TABLE
     create view rich (who, pay) with (security_barrier) as select name, salary from emp where salary > 1000;
     comment on view rich is 'well paid';
     comment on column rich.pay is 'monthly';" \
    "insert into emp values (1, 'a', 2000, 'x'), (2, 'b', 10, 'y');"
  assert_equal "$(relkind "$FWD" rich)" "v"
  assert_equal "$(view_def "$FWD" rich)" "SELECT emp.name AS who, emp.salary AS pay FROM emp WHERE (emp.salary > (1000)::numeric);"
  assert_equal "$(reloptions "$FWD" rich)" "security_barrier=true"
  assert_equal "$(relation_comment "$FWD" rich)" "well paid"
  assert_equal "$(col_comment "$FWD" rich pay)" "monthly"
  assert_equal "$(q "$FWD" "select who from rich")" "a"
  assert_equal "$(relkind "$BACK" rich)" "<none>"
  file_has "$BACK_FILE" '^DROP VIEW public.rich;'
}

# bats test_tags=long
@test "view: a new column at the end is CREATE OR REPLACE VIEW; a view over it stays" {
  # AFTER has a new column at the end: forward only adds it.
  roundtrip_both addcol \
    "$TABLE
     create view names as select id, name from emp;
     create view upper_names as select upper(name) as n from names;" \
    "$TABLE
     create view names as select id, name, dept from emp;
     create view upper_names as select upper(name) as n from names;" \
    "insert into emp values (1, 'a', 1, 'x');"
  file_has "$FWD_FILE" '^CREATE OR REPLACE VIEW public.names'
  file_lacks "$FWD_FILE" 'DROP VIEW'
  assert_equal "$(view_def "$FWD" names)" "SELECT emp.id, emp.name, emp.dept FROM emp;"
  assert_equal "$(q "$FWD" "select n from upper_names")" "A"
  # Backward removes a column: PostgreSQL cannot, so the view is dropped and
  # created, and the view over it too, each saying why.
  file_has "$BACK_FILE" '^DROP VIEW public.upper_names;'
  file_has "$BACK_FILE" '^-- DROP VIEW upper_names \(recreated because view names is recreated\)$'
  file_has "$BACK_FILE" '^-- DROP VIEW names \(recreated because columns are removed\)$'
  assert_equal "$(view_def "$BACK" names)" "SELECT emp.id, emp.name FROM emp;"
}

# bats test_tags=long
@test "view: WITH LOCAL / CASCADED CHECK OPTION and security_invoker, changed with the view" {
  roundtrip_both checkopt \
    "$TABLE
     create view cheap as select * from emp where salary < 100 with local check option;" \
    "$TABLE
     create view cheap with (security_invoker = true) as select * from emp where salary < 100 with cascaded check option;"
  assert_equal "$(reloptions "$FWD" cheap)" "check_option=cascaded,security_invoker=true"
  assert_equal "$(reloptions "$BACK" cheap)" "check_option=local"
  run q "$FWD" "insert into cheap values (9, 'z', 500, 'q')"
  assert_failure
}

# bats test_tags=long
@test "view: recursive view, and a view with a column default" {
  roundtrip_both recursive "$TABLE" \
    "$TABLE
     create recursive view nums (n) as select 1 union all select n + 1 from nums where n < 5;
     create view emp_v as select * from emp;
     alter view emp_v alter column dept set default 'none';"
  assert_equal "$(q "$FWD" "select string_agg(n::text, ',') from nums")" "1,2,3,4,5"
  assert_equal "$(col_default "$FWD" emp_v dept)" "'none'::text"
  assert_equal "$(q "$FWD" "insert into emp_v (id, name) values (7, 'g'); select dept from emp where id = 7")" "none"
}

@test "view over a view over a table whose column type changes: both are dropped first and created after" {
  roundtrip_both chain \
    "create table t (id integer primary key, v integer);
     create view a as select id, v from t;
     create view b as select v * 2 as w from a;" \
    "create table t (id integer primary key, v bigint);
     create view a as select id, v from t;
     create view b as select v * 2 as w from a;" \
    "insert into t values (1, 21);"
  assert_equal "$(col_type "$FWD" t v)" "bigint"
  assert_equal "$(q "$FWD" "select w from b")" "42"
  assert_equal "$(q "$FWD" "select atttypid::regtype from pg_attribute where attrelid = 'b'::regclass and attname = 'w'")" "bigint"
  run -0 step_summaries "$FWD_FILE"
  assert_line --index 0 'DROP VIEW b (recreated because view a is recreated)'
  assert_line --index 1 'DROP VIEW a (recreated because column t.v changes)'
  assert_line --index 2 'ALTER COLUMN t.v TYPE bigint'
  assert_line --index 3 'CREATE VIEW a (recreated because column t.v changes)'
  assert_line --index 4 'CREATE VIEW b (recreated because view a is recreated)'
}

# bats test_tags=long
@test "view: a view that does not use the retyped column stays" {
  roundtrip_both untouched \
    "create table t (id integer primary key, v integer, w text);
     create view only_w as select id, w from t;" \
    "create table t (id integer primary key, v bigint, w text);
     create view only_w as select id, w from t;"
  file_lacks "$FWD_FILE" 'VIEW'
}

@test "view: a table is dropped and a view takes its name" {
  roundtrip_both takename \
    "create table data (id integer, name text);" \
    "create table t_data (id integer, name text);
     create view data as select * from t_data;
     create view q as select * from data;"
  assert_equal "$(relkind "$FWD" data)" "v"
  assert_equal "$(relkind "$BACK" data)" "r"
  assert_equal "$(relkind "$BACK" q)" "<none>"
}

# bats test_tags=long
@test "materialized view: WITH NO DATA, storage options, a unique index, comments / drop" {
  roundtrip_both matview "$TABLE" \
    "$TABLE
     create materialized view by_dept (dept, n) with (fillfactor = 70) as
       select dept, count(*) from emp group by dept with no data;
     create unique index by_dept_dept on by_dept (dept);
     comment on materialized view by_dept is 'per department';
     comment on column by_dept.n is 'head count';" \
    "insert into emp values (1, 'a', 1, 'x'), (2, 'b', 1, 'x');"
  assert_equal "$(relkind "$FWD" by_dept)" "m"
  assert_equal "$(q "$FWD" "select relispopulated from pg_class where relname = 'by_dept'")" "f"
  assert_equal "$(reloptions "$FWD" by_dept)" "fillfactor=70"
  assert_equal "$(index_def "$FWD" by_dept_dept)" "CREATE UNIQUE INDEX by_dept_dept ON public.by_dept USING btree (dept)"
  assert_equal "$(relation_comment "$FWD" by_dept)" "per department"
  assert_equal "$(col_comment "$FWD" by_dept n)" "head count"
  # The new materialized view's index is built in the transaction, not concurrently.
  tx_has "$FWD_FILE" '^CREATE UNIQUE INDEX by_dept_dept ON public.by_dept'
  assert_equal "$(relkind "$BACK" by_dept)" "<none>"
}

@test "materialized view: a changed query is drop + create, and its indexes again, said in the plan" {
  roundtrip_both mvquery \
    "$TABLE
     create materialized view pay as select id, salary from emp;
     create unique index pay_id on pay (id);
     alter materialized view pay set (autovacuum_enabled = false);" \
    "$TABLE
     create materialized view pay as select id, salary * 12 as yearly from emp;
     create unique index pay_id on pay (id);" \
    "insert into emp values (1, 'a', 10, 'x');"
  assert_equal "$(q "$FWD" "select yearly from pay")" "120.00"
  assert_equal "$(index_def "$FWD" pay_id)" "CREATE UNIQUE INDEX pay_id ON public.pay USING btree (id)"
  file_has "$FWD_FILE" '^-- DROP MATERIALIZED VIEW pay \(recreated because its query changes\)$'
  file_has "$FWD_FILE" '^-- CREATE INDEX pay_id \(recreated because materialized view pay is recreated\)$'
  file_lacks "$FWD_FILE" 'DROP INDEX'
  assert_equal "$(reloptions "$BACK" pay)" "autovacuum_enabled=false"
}

# bats test_tags=long
@test "materialized view: storage options change in place" {
  roundtrip_both mvopts \
    "$TABLE create materialized view m as select id from emp;" \
    "$TABLE create materialized view m with (fillfactor = 50) as select id from emp;"
  file_has "$FWD_FILE" '^ALTER MATERIALIZED VIEW public.m SET \(fillfactor='"'"'50'"'"'\);'
  file_has "$BACK_FILE" '^ALTER MATERIALIZED VIEW public.m RESET \(fillfactor\);'
  file_lacks "$FWD_FILE" 'DROP'
}

@test "view: names that need quoting" {
  roundtrip_both quoted \
    "create schema \"My App\"; create table \"My App\".\"Order\" (\"Id\" integer, \"select\" text);" \
    "create schema \"My App\"; create table \"My App\".\"Order\" (\"Id\" integer, \"select\" text);
     create view \"My App\".\"Open Orders\" (\"The Id\") as select \"Id\" from \"My App\".\"Order\" where \"select\" is not null;
     comment on view \"My App\".\"Open Orders\" is 'it''s open';"
  assert_equal "$(relkind "$FWD" '"My App"."Open Orders"')" "v"
  assert_equal "$(relation_comment "$FWD" '"My App"."Open Orders"')" "it's open"
}

@test "--shadow-db none: views compare loosely, and the note names them" {
  RT_SHADOW=none roundtrip_both noshadowview "$TABLE" \
    "$TABLE create view names as select id, name from emp where salary > 10;"
  cd "$BATS_TEST_TMPDIR/noshadowview_f"
  run -0 pg-flux drift --db "$FWD" --shadow-db none
  assert_output --partial 'compared without a shadow database and assumed equal: view names'
}

@test "--shadow-db none: a view PostgreSQL stores differently than written is named as taken to differ" {
  export DB
  DB=$(new_db "t${BATS_TEST_NUMBER}_star")
  mkdir -p schema
  echo "create table t (a integer, b text); create view v as select * from t order by a;" > schema/schema.sql
  psql -X -q -v ON_ERROR_STOP=1 "$DB" -f schema/schema.sql
  run -0 pg-flux drift --db "$DB"
  run --separate-stderr pg-flux drift --db "$DB" --shadow-db none
  assert_failure 1
  assert_output --partial 'CREATE OR REPLACE VIEW v'
  assert_equal "$stderr" "note: compared without a shadow database and taken as different: view v"
}
