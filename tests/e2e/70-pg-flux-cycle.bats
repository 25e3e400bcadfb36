#!/usr/bin/env bats
# The whole cycle through pg-flux: generate, review, apply, status, drift, verify.
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
