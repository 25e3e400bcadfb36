#!/usr/bin/env bats
# Declared renames ("-- @renamed from=old" in the schema files): ALTER ...
# RENAME instead of drop + create, data kept, no DATA_LOSS; the comment is
# harmless once applied; malformed comments; notes about undeclared renames;
# --renames=prompt.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# renamed BEFORE_SQL AFTER_SQL SEED_SQL: loads BEFORE into $DB with SEED's
# rows, writes AFTER as the schema, generates and applies (no hazards
# allowed). Afterwards: $file is the migration; a second generate and drift
# find nothing.
renamed() {
  printf '%s\n' "$1" > schema/app.sql
  load_schema "$DB"
  [ -z "$3" ] || sql "$DB" "$3"
  printf '%s\n' "$2" > schema/app.sql
  run pg-flux migrate generate --db "$DB" --label rename
  assert_success
  file=$(latest_migration)
  run grep -c 'DATA_LOSS' "$file"
  assert_output 0
  run pg-flux migrate apply --db "$DB"
  assert_success
  run pg-flux migrate generate --db "$DB"
  assert_success
  assert_output --partial "nothing to do"
  run --separate-stderr pg-flux drift --db "$DB"
  assert_success
}

# parse_fails MESSAGE: flux-parse of schema/app.sql, written from stdin,
# exits 2 with MESSAGE on stderr.
parse_fails() {
  write_schema app.sql
  run --separate-stderr flux-parse schema
  assert_failure 2
  [[ "$stderr" == *"$1"* ]] || fail "expected \"$1\" in: $stderr"
}

@test "table: RENAME TO, rows kept, its primary key, serial sequence and index names follow" {
  renamed "create table users (id serial primary key, email text not null);
create index users_email_idx on users (email);" \
"-- @renamed from=users
create table members (id serial primary key, email text not null);
-- @renamed from=users_email_idx
create index members_email_idx on members (email);" \
    "insert into users (email) values ('a@x'), ('b@x')"
  assert_file_contains "$file" '^ALTER TABLE public.users RENAME TO members;'
  assert_file_contains "$file" '^ALTER TABLE public.members RENAME CONSTRAINT users_pkey TO members_pkey;'
  assert_file_contains "$file" '^ALTER SEQUENCE public.users_id_seq RENAME TO members_id_seq;'
  assert_file_contains "$file" '^ALTER INDEX public.users_email_idx RENAME TO members_email_idx;'
  run grep -c 'DROP\|CREATE' "$file"
  assert_output 0
  run sql_value "$DB" "select string_agg(email, ',' order by id) from members"
  assert_output "a@x,b@x"
  run sql_value "$DB" "insert into members (email) values ('c@x') returning id"
  assert_output 3
}

# bats test_tags=long
@test "column: RENAME COLUMN, values kept; a rename plus a new default in one migration" {
  renamed "create table users (id int primary key, email varchar(10), age int);" \
"create table users (
  id int primary key,
  -- @renamed from=email
  email_address varchar(10),
  -- @renamed from=age
  \"Age\" int default 18
);" \
    "insert into users values (1, 'a@x', 30)"
  assert_file_contains "$file" '^ALTER TABLE public.users RENAME COLUMN email TO email_address;'
  assert_file_contains "$file" '^ALTER TABLE public.users RENAME COLUMN age TO "Age";'
  assert_file_contains "$file" 'ALTER COLUMN "Age" SET DEFAULT 18'
  run sql_value "$DB" "select email_address || ' ' || \"Age\" from users"
  assert_output "a@x 30"
}

@test "constraint, index, view, materialized view" {
  renamed "create table t (id int primary key, n int constraint n_positive check (n > 0));
create index t_n on t (n);
create view v as select id from t;
create materialized view mv as select n from t;" \
"create table t (
  id int primary key,
  n int,
  -- @renamed from=n_positive
  constraint n_above_zero check (n > 0)
);
-- @renamed from=t_n
create index t_by_n on t (n);
-- @renamed from=v
create view t_ids as select id from t;
-- @renamed from=mv
create materialized view t_ns as select n from t;" \
    "insert into t values (1, 5); refresh materialized view mv"
  assert_file_contains "$file" '^ALTER TABLE public.t RENAME CONSTRAINT n_positive TO n_above_zero;'
  assert_file_contains "$file" '^ALTER INDEX public.t_n RENAME TO t_by_n;'
  assert_file_contains "$file" '^ALTER VIEW public.v RENAME TO t_ids;'
  assert_file_contains "$file" '^ALTER MATERIALIZED VIEW public.mv RENAME TO t_ns;'
  run sql_value "$DB" "select n from t_ns"
  assert_output 5
}

# bats test_tags=long
@test "function and procedure (with their argument types), enum, domain and composite type" {
  renamed "create type mood as enum ('sad', 'ok');
create domain pos as int check (value > 0);
create type pair as (a int, b int);
create table t (id int primary key, m mood, p pos);
create function add_one(x int, y text) returns int language sql as 'select x + 1';
create procedure noop(x int) language sql as 'select 1';" \
"-- @renamed from=mood
create type feeling as enum ('sad', 'ok');
-- @renamed from=pos
create domain positive as int check (value > 0);
-- @renamed from=pair
create type couple as (a int, b int);
create table t (id int primary key, m feeling, p positive);
-- @renamed from=add_one
create function plus_one(x int, y text) returns int language sql as 'select x + 1';
-- @renamed from=noop
create procedure nothing(x int) language sql as 'select 1';" \
    "insert into t values (1, 'ok', 7)"
  assert_file_contains "$file" '^ALTER TYPE public.mood RENAME TO feeling;'
  assert_file_contains "$file" '^ALTER DOMAIN public.pos RENAME TO positive;'
  assert_file_contains "$file" '^ALTER DOMAIN public.positive RENAME CONSTRAINT pos_check TO positive_check;'
  assert_file_contains "$file" '^ALTER TYPE public.pair RENAME TO couple;'
  assert_file_contains "$file" '^ALTER FUNCTION public.add_one(integer, text) RENAME TO plus_one;'
  assert_file_contains "$file" '^ALTER PROCEDURE public.noop(integer) RENAME TO nothing;'
  run sql_value "$DB" "select m::text || p from t"
  assert_output "ok7"
  run sql_value "$DB" "select plus_one(1, 'x')"
  assert_output 2
}

@test "schema: ALTER SCHEMA RENAME, its table and rows kept" {
  renamed "create schema app;
create table app.t (id int primary key, s text);" \
"-- @renamed from=app
create schema core;
create table core.t (id int primary key, s text);" \
    "insert into app.t values (1, 'kept')"
  assert_file_contains "$file" '^ALTER SCHEMA app RENAME TO core;'
  run sql_value "$DB" "select s from core.t"
  assert_output kept
}

# bats test_tags=long
@test "a table rename plus a new column and a column rename in one migration" {
  renamed "create table users (id int primary key, email text);" \
"-- @renamed from=users
create table members (
  id int primary key,
  -- @renamed from=email
  mail text,
  joined date
);" \
    "insert into users values (1, 'a@x')"
  assert_file_contains "$file" '^ALTER TABLE public.users RENAME TO members;'
  assert_file_contains "$file" '^ALTER TABLE public.members RENAME COLUMN email TO mail;'
  assert_file_contains "$file" 'ADD COLUMN joined date'
  run sql_value "$DB" "select mail from members"
  assert_output a@x
}

@test "the comment is harmless once applied, and when the old name never existed" {
  write_schema app.sql <<'SQL'
-- @renamed from=nothing_like_this
create table t (
  id int primary key,
  -- @renamed from=gone
  n int
);
SQL
  run pg-flux migrate generate --db "$DB"
  assert_success
  run grep -c 'RENAME' "$(latest_migration)"
  assert_output 0
  run pg-flux migrate apply --db "$DB"
  assert_success
  run pg-flux migrate generate --db "$DB"
  assert_success
  assert_output --partial "nothing to do"
}

# bats test_tags=long
@test "both the old and the new name exist: no rename, a note" {
  sql "$DB" "create table old_t (id int); create table new_t (id int)"
  write_schema app.sql <<'SQL'
-- @renamed from=old_t
create table new_t (id int);
SQL
  run --separate-stderr pg-flux drift --db "$DB"
  assert_failure 1
  assert_output "DROP TABLE old_t"
  [[ "$stderr" == *"declared rename not applied: both table old_t and table new_t exist in the database"* ]]
}

@test "malformed or misplaced @renamed comments are errors naming file:line:column" {
  parse_fails "schema/app.sql:3:20: malformed @renamed comment: unterminated quoted identifier" <<'SQL'
create table t (
  id int,
  -- @renamed from="unterminated
  n int
);
SQL

  parse_fails "schema/app.sql:1:13: malformed @renamed comment: expected \"from=OLD_NAME\" after @renamed" <<'SQL'
-- @renamed to=x
create table t (id int);
SQL

  parse_fails "schema/app.sql:1:1: a @renamed comment must be a line of its own directly before" <<'SQL'
-- @renamed from=x

create table t (id int);
SQL

  parse_fails "schema/app.sql:2:1: this @renamed comment is not before something pg-flux renames" <<'SQL'
create table t (id int);
-- @renamed from=s_old
create sequence s;
SQL

  parse_fails "schema/app.sql:2:1: @renamed from=other.t_old: moving table t from schema other to public is not supported" <<'SQL'
-- @renamed from=other.t_old
create table t (id int);
SQL
}

# bats test_tags=long
@test "the model carries the declaration through the shadow database, outside the state hash" {
  write_schema app.sql <<'SQL'
-- @renamed from=old_t
create table t (
  -- @renamed from="Old"
  n int
);
SQL
  flux-parse schema > plain.json
  flux-parse --shadow-db local schema > shadow.json
  for f in plain.json shadow.json; do
    run jq -r '.objects[] | select(.kind == "table") | "\(.renamed_from) \(.renamed_columns.n)"' "$f"
    assert_output "old_t Old"
  done
  sed '/@renamed/d' schema/app.sql > plain.sql && rm schema/app.sql && mv plain.sql schema/app.sql
  run jq -r .state_hash plain.json
  assert_output "$(flux-parse schema | jq -r .state_hash)"
}

@test "undeclared: a dropped and an added column or table of the same definition are named in a note" {
  write_schema app.sql <<'SQL'
create table users (id int primary key, email text not null);
create table logs (at timestamptz, line text);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create table users (id int primary key, email_address text not null);
create table journal (at timestamptz, line text);
SQL
  run --separate-stderr pg-flux migrate generate --db "$DB"
  assert_success
  [[ "$stderr" == *'note: column users.email_address looks like users.email renamed; to rename it instead of dropping it, put "-- @renamed from=email" on the line before email_address in schema/app.sql'* ]]
  [[ "$stderr" == *'note: table journal looks like logs renamed; to rename it instead of dropping it, put "-- @renamed from=logs" on the line before its definition at schema/app.sql:2:1'* ]]
  assert_file_contains "$(latest_migration)" 'DATA_LOSS'
}

# bats test_tags=long
@test "--renames=prompt: an error without a terminal; on a terminal, yes renames" {
  write_schema app.sql <<'SQL'
create table users (id int primary key, email text not null);
SQL
  load_schema "$DB"
  sql "$DB" "insert into users values (1, 'a@x')"
  write_schema app.sql <<'SQL'
create table users (id int primary key, email_address text not null);
SQL
  run --separate-stderr pg-flux migrate generate --db "$DB" --renames=prompt < /dev/null
  assert_failure 2
  [[ "$stderr" == *"--renames=prompt needs a terminal"* ]]
  run --separate-stderr pg-flux migrate generate --db "$DB" --renames=sometimes
  assert_failure 2
  [[ "$stderr" == *"--renames must be declared or prompt"* ]]

  # script(1) gives pg-flux a terminal; the answer is typed on it.
  run script -qec "pg-flux migrate generate --db '$DB' --renames=prompt" /dev/null <<< "y"
  assert_success
  assert_output --partial "rename column users.email to email_address instead of dropping and creating it? [y/n]"
  file=$(latest_migration)
  assert_file_contains "$file" '^ALTER TABLE public.users RENAME COLUMN email TO email_address;'
  run pg-flux migrate apply --db "$DB"
  assert_success
  run sql_value "$DB" "select email_address from users"
  assert_output a@x
}
