#!/usr/bin/env bats
# The whole cycle through pg-flux: generate, review, apply, status, drift, verify.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

@test "generate writes a migration, apply runs it, drift and a second generate find nothing" {
  write_schema app.sql <<'SQL'
create type mood as enum ('sad', 'ok', 'happy');
create table users (
  id bigint generated always as identity primary key,
  email text not null unique,
  mood mood default 'ok',
  created_at timestamptz not null default now()
);
create index users_created_at_idx on users (created_at desc);
SQL
  run pg-flux migrate generate --db "$DB" --label init
  assert_success
  assert_output --regexp '^wrote migrations/[0-9]{8}_[0-9]{6}_init\.sql'
  file=$(latest_migration)
  assert_file_contains "$file" '^-- baseline: sha256:'
  assert_file_contains "$file" 'CREATE TABLE public.users'

  run pg-flux migrate apply --db "$DB"
  assert_success
  assert_output --partial "applied $(basename "$file")"
  run sql_value "$DB" "select count(*) from pg_class where relname in ('users', 'users_created_at_idx', 'users_email_key')"
  assert_output 3

  run pg-flux drift --db "$DB"
  assert_success
  run pg-flux migrate generate --db "$DB"
  assert_success
  assert_output --partial "nothing to do"
  run ls migrations
  assert_equal "$(ls migrations | wc -l)" 1
}

# users_drifted: the schema below, loaded into $DB, then changed by hand: the
# column last_login is missing, an index idx_orphan and a column extra were added.
users_drifted() {
  write_schema app.sql <<'SQL'
create table users (
  id bigint primary key,
  email text not null,
  last_login timestamptz
);
create index users_email_idx on users (email);
SQL
  load_schema "$DB"
  sql "$DB" "alter table users drop column last_login"
  sql "$DB" "create index idx_orphan on users (id, email)"
}

@test "drift: exit 0 and 'no drift' when the database matches the schema" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null unique);
create index users_email_lower_idx on users (lower(email));
SQL
  load_schema "$DB"
  run --separate-stderr -0 pg-flux drift --db "$DB"
  assert_output "no drift: the database matches schema"
}

@test "drift: one line per difference in the documented style, exit 1" {
  users_drifted
  run --separate-stderr -1 pg-flux drift --db "$DB"
  assert_equal "${#lines[@]}" 2
  assert_line "ADD COLUMN users.last_login timestamptz"
  assert_line "DROP INDEX idx_orphan"
  refute_output --partial "no drift"

  sql "$DB" "alter table users add column extra int; create table junk (id int); drop index users_email_idx"
  sql "$DB" "alter table users alter column email type varchar(200)"
  run --separate-stderr -1 pg-flux drift --db "$DB"
  assert_equal "${#lines[@]}" 6
  assert_line "ADD COLUMN users.last_login timestamptz"
  assert_line "DROP INDEX idx_orphan"
  assert_line "DROP COLUMN users.extra"
  assert_line "DROP TABLE junk"
  assert_line "CREATE INDEX users_email_idx"
  assert_line --regexp "^ALTER COLUMN users\.email TYPE text"
  # drift only reports: nothing changed, nothing written.
  run --separate-stderr -1 pg-flux drift --db "$DB"
  assert_equal "${#lines[@]}" 6
  assert [ ! -e migrations ]
}

@test "drift --strict also reports column order, plain drift does not" {
  write_schema app.sql <<'SQL'
create table t (a int, b text, c date);
SQL
  sql "$DB" "create table t (b text, a int, c date)"
  run --separate-stderr -0 pg-flux drift --db "$DB"
  assert_output "no drift: the database matches schema"
  run --separate-stderr -1 pg-flux drift --db "$DB" --strict
  assert_output --partial "column order of table t differs"
  # Same column order: nothing to report even with --strict.
  sql "$DB" "drop table t; create table t (a int, b text, c date)"
  run --separate-stderr -0 pg-flux drift --db "$DB" --strict
  assert_output "no drift: the database matches schema"
}

@test "verify: exit 0 when the database has everything, extra live tables and columns allowed" {
  write_schema app.sql <<'SQL'
create type mood as enum ('ok', 'happy');
create table users (id bigint primary key, email text not null, mood mood);
create index users_email_idx on users (email);
SQL
  load_schema "$DB"
  run --separate-stderr -0 pg-flux verify --db "$DB"
  assert_output "verified: everything in schema exists in the database and matches"
  sql "$DB" "alter table users add column extra int; create table junk (id int); create index junk_idx on junk (id)"
  run --separate-stderr -0 pg-flux verify --db "$DB"
  assert_output "verified: everything in schema exists in the database and matches"
  # drift still sees the extras.
  run -1 pg-flux drift --db "$DB"
  assert_line "DROP TABLE junk"
}

@test "verify: exit 1 listing what is missing or different" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, last_login timestamptz);
create index users_email_idx on users (email);
create table orders (id bigint primary key);
SQL
  load_schema "$DB"
  sql "$DB" "alter table users drop column last_login; drop index users_email_idx; drop table orders"
  sql "$DB" "alter table users alter column email drop not null; create table junk (id int)"
  run --separate-stderr -1 pg-flux verify --db "$DB"
  assert_line "ADD COLUMN users.last_login timestamptz"
  assert_line "CREATE INDEX users_email_idx"
  assert_line "CREATE TABLE orders"
  assert_line --partial "users.email"
  refute_output --partial "junk"
  refute_output --partial "verified"
  assert_equal "${#lines[@]}" 4
}

@test "generate with nothing to do exits 0 and writes nothing" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  load_schema "$DB"
  run -0 pg-flux migrate generate --db "$DB" --label nothing
  assert_output --partial "nothing to do"
  assert [ ! -e migrations ]
  mkdir migrations
  run -0 pg-flux migrate generate --db "$DB"
  assert_output --partial "nothing to do"
  assert_equal "$(ls migrations | wc -l)" 0
}

# bats test_tags=long
@test "a second change: generate, apply, status lists both, drift and verify are clean" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label a_init
  run -0 pg-flux migrate apply --db "$DB"
  sql "$DB" "insert into users values (1, 'a@example.com')"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text default 'anon');
create unique index users_email_key on users (email);
create table orders (id bigint primary key, user_id bigint not null references users (id));
SQL
  run -1 pg-flux drift --db "$DB"
  run -1 pg-flux verify --db "$DB"
  run -0 pg-flux migrate generate --db "$DB" --label b_orders
  run -0 pg-flux migrate status --db "$DB"
  assert_line --index 0 --regexp '_a_init\.sql applied '
  assert_line --index 1 --regexp '_b_orders\.sql pending$'
  run -0 pg-flux migrate apply --db "$DB"
  assert_output --regexp 'applied [0-9]{8}_[0-9]{6}_b_orders\.sql'
  run -0 pg-flux migrate status --db "$DB"
  assert_line --index 1 --regexp '_b_orders\.sql applied '
  run -0 pg-flux drift --db "$DB"
  run -0 pg-flux verify --db "$DB"
  run sql_value "$DB" "select name from users"
  assert_output anon
}

@test "the shipped examples: schema, then schema-v2 (a rewrite refused until allowed), as scripts/demo runs them" {
  cp "$PGFLUX_SOURCE"/examples/schema/*.sql schema/
  run -0 pg-flux migrate generate --db "$DB" --label init
  run -0 pg-flux migrate apply --db "$DB"
  sql "$DB" "insert into customers (email, full_name) values ('a@example.com', 'A')"
  sql "$DB" "insert into orders (customer_id, total) select id, 10 from customers"
  cp "$PGFLUX_SOURCE"/examples/schema-v2/*.sql schema/
  run -1 pg-flux drift --db "$DB"
  run -0 pg-flux migrate generate --db "$DB" --label orders_v2
  file=$(latest_migration)
  assert_file_contains "$file" '^-- hazards: COLUMN_TYPE_CHANGE$'
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial "adds column reference to public.orders: its default calls gen_random_uuid()"
  # The report gains a column at its end: replaced in place, its function kept.
  assert_file_contains "$file" '^CREATE OR REPLACE VIEW public.customer_totals'
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=COLUMN_TYPE_CHANGE
  run -0 pg-flux drift --db "$DB"
  run sql_value "$DB" "select customer_spent(customer_id) || ' ' || (last_order_at is not null) from customer_totals"
  assert_output '10.00 true'
  # The existing order got a reference; new orders get their own.
  run sql_value "$DB" "select count(distinct reference) from orders"
  assert_output 1
  run -0 pg-flux migrate generate --db "$DB"
  assert_output --partial "nothing to do"
}
