#!/usr/bin/env bats
# flux-parse errors: every problem in schema/ is exit 2 with one line on stderr,
# `flux-parse: error: FILE:LINE:COL: message`, and nothing on stdout. Line and
# column are those of the offending token (columns count characters, not bytes).
load helpers
bats_require_minimum_version 1.5.0
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# parse_error EXPECTED [OPTIONS...]: flux-parse exits 2 and prints exactly
# "flux-parse: error: EXPECTED" (stdout and stderr together: no document).
parse_error() {
  local expected=$1
  shift
  run -2 flux-parse "$@"
  assert_output "flux-parse: error: $expected"
}

# parse_error_matching REGEX [OPTIONS...]: flux-parse exits 2 with one line
# "flux-parse: error: ..." matching REGEX.
parse_error_matching() {
  local regex=$1
  shift
  run -2 flux-parse "$@"
  assert_equal "${#lines[@]}" 1
  assert_output --regexp "^flux-parse: error: $regex"
}

# --- syntax errors --------------------------------------------------------------

@test "syntax error: exit 2 with the file, line and column of the bad token" {
  write_schema a.sql <<'SQL'
create tabel t (id int);
SQL
  parse_error 'schema/a.sql:1:8: syntax error at or near "tabel"'
}

@test "syntax error after a multi-line statement points at the right line and column" {
  write_schema a.sql <<'SQL'
create table t (id int);
create table u (
  id int,
  x text,
  y tex t
);
SQL
  parse_error 'schema/a.sql:5:9: syntax error at or near "t"'
}

@test "syntax error in the second file names that file, after comments and blank lines" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  write_schema b.sql <<'SQL'
-- b.sql: a comment line
/* a block
   comment */

create table u (id int,
   id2 int,, x int);
SQL
  parse_error 'schema/b.sql:6:12: syntax error at or near ","'
}

@test "syntax error in a file in a subdirectory names its path" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  write_schema sub/dir/c.sql <<'SQL'
create table c (id int);
create table d (id int oops);
SQL
  parse_error 'schema/sub/dir/c.sql:2:24: syntax error at or near "oops"'
}

@test "syntax error columns count characters: non-ASCII identifiers before the error" {
  write_schema a.sql <<'SQL'
create table "café" (id int, x tabel t);
SQL
  parse_error 'schema/a.sql:1:38: syntax error at or near "t"'
}

@test "syntax error at the end of input, and an unterminated string" {
  printf 'create table t (\n  id int\n' > schema/a.sql
  parse_error 'schema/a.sql:3:1: syntax error at end of input'
  printf "create table t (id int);\n\ncreate table u (x text default 'oops);\n" > schema/a.sql
  run -2 flux-parse
  assert_line --index 0 --regexp "^flux-parse: error: schema/a\\.sql:3:32: unterminated quoted string"
}

@test "CRLF line endings do not shift line numbers" {
  printf 'create table t (id int);\r\n\r\ncreate table u (x int,, y int);\r\n' > schema/a.sql
  parse_error 'schema/a.sql:3:23: syntax error at or near ","'
}

# --- unsupported statements -------------------------------------------------------

@test "CREATE ACCESS METHOD is an error naming file, line, column and statement kind" {
  write_schema a.sql <<'SQL'
create table t (id int);

create access method heap2 type table handler heap_tableam_handler;
SQL
  parse_error 'schema/a.sql:3:1: CREATE ACCESS METHOD is not supported by pg-flux yet (CreateAmStmt)'
}

@test "after a multi-line dollar-quoted function body, an error's location is the next statement's first token" {
  write_schema a.sql <<'SQL'
create table t (id int);
/* helper */   create function f() returns int language plpgsql as $$
begin
  return 1;
end
$$;  /* next */ create access method heap2
  type table handler heap_tableam_handler;
SQL
  parse_error 'schema/a.sql:6:17: CREATE ACCESS METHOD is not supported by pg-flux yet (CreateAmStmt)'
}

@test "a SQL function body that is not valid SQL is an error naming the function" {
  write_schema a.sql <<'SQL'
create table t (id int);
  create function f() returns int language sql as 'selec 1';
SQL
  parse_error_matching 'schema/a\.sql:2:3: the body of function f\(\) is not valid SQL: syntax error at or near "selec"'
}

@test "with a shadow database, a function body PostgreSQL rejects is an error at the function" {
  write_schema a.sql <<'SQL'
create table t (id int);

create function f() returns int language plpgsql as $$ begin retur 1; end $$;
SQL
  parse_error 'schema/a.sql:3:1: the body of function f() is not valid: syntax error at or near "retur"' --shadow-db "$PGFLUX_ADMIN_URL"
  write_schema a.sql <<'SQL'
create table t (id int);
create function g() returns bigint language sql as 'select count(*) from nosuch';
SQL
  parse_error 'schema/a.sql:2:1: the body of function g() is not valid: relation "nosuch" does not exist' --shadow-db "$PGFLUX_ADMIN_URL"
  # A body may name what the files define later.
  write_schema a.sql <<'SQL'
create function h() returns bigint language sql as 'select count(*) from later';
create table later (id int);
SQL
  run -0 flux-parse --shadow-db "$PGFLUX_ADMIN_URL"
}

@test "GRANT on what the files do not define, on a language, or of a privilege that does not apply is an error with its location" {
  write_schema a.sql <<'SQL'
create table t (id int);
grant select on nothere to public;
SQL
  parse_error_matching 'schema/a\.sql:2:17: relation nothere is not defined in the schema files$'
  write_schema a.sql <<'SQL'
create table t (id int);
grant usage on language plpgsql to public;
SQL
  parse_error_matching 'schema/a\.sql:2:1: GRANT and REVOKE on LANGUAGE objects are not supported by pg-flux yet$'
  write_schema a.sql <<'SQL'
create table t (id int);
grant execute on t to public;
SQL
  parse_error_matching 'schema/a\.sql:2:1: privilege EXECUTE does not apply to table t$'
}

@test "ALTER ROLE and GRANT role are errors: roles are managed outside pg-flux" {
  write_schema a.sql <<'SQL'
create table t (id int);
grant pg_read_all_data to public;
SQL
  parse_error_matching 'schema/a\.sql:2:1: GRANT.* is not supported in schema files: roles are cluster-wide'
}

@test "DROP TABLE is an error with its location" {
  write_schema a.sql <<'SQL'
create table t (id int);
drop table t;
SQL
  parse_error 'schema/a.sql:2:1: DROP TABLE in a schema file: the files declare what exists, and pg-flux writes the DROP when something is no longer declared; remove it (DROP statements before a file'"'"'s first CREATE, a pg_dump --clean preamble, are skipped)'
}

@test "INSERT is skipped with a note naming its location, also on the same line as another statement" {
  write_schema a.sql <<'SQL'
create table t (id int); insert into t values (1);
SQL
  run flux-parse --shadow-db none
  assert_success
  assert_line --index 0 "flux-parse: note: schema/a.sql:1:26: INSERT INTO t skipped: it changes data, not the schema"
}

@test "partition errors name the file and line: parent not partitioned, undefined parent, unknown column" {
  write_schema a.sql <<'SQL'
create table t (id int);
create table m (id int, at date) partition by range (at);
create table p partition of t for values in (1);
SQL
  parse_error 'schema/a.sql:3:1: cannot create a partition of table t: it is not partitioned (PARTITION BY)'
  write_schema a.sql <<'SQL'
create table p partition of nowhere for values in (1);
SQL
  parse_error_matching 'schema/a\.sql:1:1: table nowhere is not defined in the schema files'
  write_schema a.sql <<'SQL'
create table m (id int, at date) partition by range (at);
create table p partition of m (nope default 1) for values from (minvalue) to (maxvalue);
SQL
  parse_error 'schema/a.sql:2:32: column nope of table p is not a column of its parent'
}

@test "CREATE TEMP TABLE and CREATE TEMPORARY TABLE are errors" {
  write_schema a.sql <<'SQL'
create table t (id int);
create temp table scratch (id int);
SQL
  parse_error_matching 'schema/a\.sql:2:1: .*TEMP'
  write_schema a.sql <<'SQL'
create temporary table scratch (id int);
SQL
  parse_error_matching 'schema/a\.sql:1:1: .*TEMP'
}

@test "other unmodeled statements are errors too: table as, shell type, ALTER TYPE" {
  local stmt kind
  for pair in 'create table t2 as select 1|CREATE TABLE ... AS' \
              'create type shell|CREATE TYPE is not supported' \
              'alter type pair add attribute c int|ALTER TYPE is not supported'; do
    stmt=${pair%|*} kind=${pair#*|}
    printf 'create table t (id int);\n%s;\n' "$stmt" > schema/a.sql
    run -2 flux-parse
    assert_output --regexp "^flux-parse: error: schema/a\\.sql:2:1: .*$kind"
  done
}

@test "a session setting that changes the schema (SET role) is rejected, harmless ones are accepted" {
  write_schema a.sql <<'SQL'
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET statement_timeout = 0;
create table t (id int);
SQL
  run -0 flux-parse
  write_schema a.sql <<'SQL'
create table t (id int);
SET role = 'someone';
SQL
  parse_error_matching 'schema/a\.sql:2:1: SET role is not supported'
}

# --- paths ------------------------------------------------------------------------------

@test "a missing schema path is exit 2 naming it" {
  parse_error 'schema path "nothere" does not exist' nothere
  rm -rf schema
  parse_error 'schema path "schema" does not exist'
}

@test "one missing path among several is exit 2" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  parse_error 'schema path "missing.sql" does not exist' schema missing.sql
}

# --- definitions that do not fit together ----------------------------------------------

@test "a table defined twice across files names both locations" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  write_schema b.sql <<'SQL'

create table t (id int);
SQL
  run -2 flux-parse
  assert_output --partial 'schema/b.sql:2:1: '
  assert_output --partial 'defined twice'
  assert_output --partial 'schema/a.sql:1:1'
}

@test "a table defined twice in another schema via search_path names both locations" {
  write_schema a.sql <<'SQL'
create schema app;
create table app.t (id int);
SQL
  write_schema b.sql <<'SQL'
set search_path to app;
create table t (id int);
SQL
  run -2 flux-parse
  assert_output --regexp '^flux-parse: error: schema/b\.sql:2:1: .*app\.t.* is defined twice .*schema/a\.sql:2:1'
}

@test "an index name used twice is exit 2 naming both locations" {
  write_schema a.sql <<'SQL'
create table t (a int, b int);
create index t_idx on t (a);
SQL
  write_schema b.sql <<'SQL'
create index t_idx on t (b);
SQL
  run -2 flux-parse
  assert_output --partial 'schema/b.sql:1:1'
  assert_output --partial 'schema/a.sql:2:1'
}

@test "ALTER TABLE naming an undefined table is exit 2 with its location" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  write_schema b.sql <<'SQL'
-- adds a column
alter table missing add column x int;
SQL
  parse_error_matching 'schema/b\.sql:2:1: .*missing.* is not defined in the schema files'
}

@test "CREATE INDEX on an undefined table is exit 2 with its location" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  write_schema b.sql <<'SQL'

create index on nope (x);
SQL
  parse_error_matching 'schema/b\.sql:2:1: .*nope.* is not defined in the schema files'
}

@test "COMMENT ON an undefined table, column, index or constraint is exit 2 with its location" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  printf "comment on table nope is 'x';\n" > schema/b.sql
  parse_error_matching 'schema/b\.sql:1:1: .*nope.* is not defined'
  printf "\ncomment on column t.nope is 'x';\n" > schema/b.sql
  parse_error_matching 'schema/b\.sql:2:1: .*nope.*'
  printf "comment on index nope_idx is 'x';\n" > schema/b.sql
  parse_error_matching 'schema/b\.sql:1:1: .*nope_idx.* is not defined'
  printf "comment on constraint nope on t is 'x';\n" > schema/b.sql
  parse_error_matching 'schema/b\.sql:1:1: .*nope.* is not defined'
}

@test "REFERENCES to an undefined table is exit 2 at the REFERENCES clause" {
  write_schema a.sql <<'SQL'
create table t (id int references nope);
SQL
  parse_error_matching 'schema/a\.sql:1:24: .*nope.* is not defined in the schema files'
  write_schema a.sql <<'SQL'
create table t (
  id int,
  foreign key (id) references nope (id)
);
SQL
  parse_error_matching 'schema/a\.sql:3:3: .*nope.* is not defined in the schema files'
}

@test "REFERENCES to an unknown column, or to a table without a primary key, is exit 2" {
  write_schema a.sql <<'SQL'
create table t (id int references u (nope));
create table u (id int primary key);
SQL
  parse_error_matching 'schema/a\.sql:1:24: .*nope.*'
  write_schema a.sql <<'SQL'
create table t (id int references u);
create table u (id int);
SQL
  parse_error_matching 'schema/a\.sql:1:24: .*primary key'
}

@test "an unknown column in an index is exit 2 with its location" {
  write_schema a.sql <<'SQL'
create table t (id int);
create index on t (nope);
SQL
  parse_error_matching 'schema/a\.sql:2:[0-9]+: .*nope.*'
}

@test "an unknown column in an index INCLUDE list is exit 2" {
  write_schema a.sql <<'SQL'
create table t (id int);
create index i on t (id) include (nope);
SQL
  parse_error_matching 'schema/a\.sql:2:[0-9]+: .*nope'
}

@test "an unknown column in PRIMARY KEY, UNIQUE, UNIQUE INCLUDE or FOREIGN KEY is exit 2" {
  local def
  for def in 'primary key (nope)' 'unique (id, nope)' 'unique (id) include (nope)' \
             'foreign key (nope) references t (id)'; do
    printf 'create table t (id int primary key,\n  %s);\n' "$def" > schema/a.sql
    run -2 flux-parse
    assert_output --regexp '^flux-parse: error: schema/a\.sql:2:[0-9]+: .*nope'
  done
}

@test "an unknown column in ALTER TABLE ADD CONSTRAINT in another file is exit 2 there" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  write_schema b.sql <<'SQL'
alter table t add constraint k unique (nope);
SQL
  parse_error_matching 'schema/b\.sql:1:[0-9]+: .*nope'
}

@test "an unknown column in an EXCLUDE constraint is exit 2" {
  write_schema a.sql <<'SQL'
create table t (id int,
  exclude using gist (nope with =));
SQL
  parse_error_matching 'schema/a\.sql:[12]:[0-9]+: .*nope'
}

@test "with a shadow database, an unknown column inside an expression is exit 2 with the location" {
  write_schema a.sql <<'SQL'
create table t (id int);
create index i on t (lower(nope));
SQL
  run -2 flux-parse --shadow-db "$PGFLUX_ADMIN_URL"
  assert_output --regexp '^flux-parse: error: schema/a\.sql:2:1: .*column "nope" does not exist'
  write_schema a.sql <<'SQL'
create table t (id int, check (nope > 0));
SQL
  run -2 flux-parse --shadow-db "$PGFLUX_ADMIN_URL"
  assert_output --regexp '^flux-parse: error: schema/a\.sql:1:1: .*column "nope" does not exist'
}

@test "an unqualified CREATE after pg_dump's empty search_path is exit 2 (no schema selected)" {
  write_schema a.sql <<'SQL'
SELECT pg_catalog.set_config('search_path', '', false);
create table x (id int);
SQL
  parse_error_matching 'schema/a\.sql:2:1: '
}

@test "an object in a schema that is not defined is exit 2" {
  write_schema a.sql <<'SQL'
create table nosuch.t (id int);
SQL
  parse_error_matching 'schema/a\.sql:1:1: .*nosuch.* is not defined'
}

@test "the error goes to stderr and stdout stays empty" {
  write_schema a.sql <<'SQL'
create access method heap2 type table handler heap_tableam_handler;
SQL
  flux-parse > out.json 2> err.txt && fail "flux-parse should fail"
  assert_equal "$(wc -c < out.json)" 0
  assert_file_contains err.txt '^flux-parse: error: schema/a.sql:1:1: CREATE ACCESS METHOD'
}

# --- options ---------------------------------------------------------------------------

@test "--help and --version exit 0" {
  run -0 flux-parse --help
  assert_output --partial 'Usage:'
  assert_output --partial '--shadow-db'
  run -0 flux-parse --version
  assert_output --regexp '^flux-parse [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "an unknown option is exit 2 pointing at --help" {
  run -2 flux-parse --bogus
  assert_output --partial 'flux-parse: error:'
  assert_output --partial 'bogus'
  assert_output --partial "flux-parse --help"
}

@test "a wrong --shadow-db value is an error, not a silent fallback" {
  write_schema a.sql <<'SQL'
create table t (id int);
SQL
  run flux-parse --shadow-db 'postgresql://nobody@127.0.0.1:1/x'
  assert_equal "$status" 4
  assert_output --partial 'flux-parse: error:'
  refute_output --partial '"format"'
}
