#!/usr/bin/env bats
# Plans proven before they are written: migrate generate runs the plan in a
# shadow database loaded with the live schema (as apply would) and checks that
# the result has no drift; a plan that fails or does not converge there is
# never written (exit 5). --no-verify skips the proof.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

shadows_left() {
  sql_value "$PGFLUX_ADMIN_URL" "select count(*) from pg_database where datname like 'pgflux\\_shadow\\_%'"
}

users_applied() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label init
  run -0 pg-flux migrate apply --db "$DB"
}

@test "generate proves its plan (transactional and after-commit parts) and says so with -v" {
  users_applied
  write_schema app.sql <<'SQL'
create type mood as enum ('sad', 'ok');
create table users (
  id bigint primary key,
  email text not null check (email <> ''),
  mood mood default 'ok',
  name text
);
create index users_email_idx on users (email);
create table orders (id bigint primary key, user_id bigint not null references users (id));
create view user_emails as select id, email from users;
SQL
  run --separate-stderr -0 pg-flux -v migrate generate --db "$DB" --label more
  assert_output --regexp '^wrote migrations/[0-9]{8}_[0-9]{6}_more\.sql '
  [[ "$stderr" =~ "flux-apply: proved: the plan's "[0-9]+" statements run in a shadow database loaded with the live schema and reach the schema" ]]
  file=$(latest_migration)
  # The proof ran the after-commit part too (the concurrent index build).
  assert_file_contains "$file" 'CREATE INDEX CONCURRENTLY users_email_idx'
  assert_equal "$(shadows_left)" 0
  # Without -v the proof is silent.
  rm "$file"
  run --separate-stderr -0 pg-flux migrate generate --db "$DB" --label more
  assert_equal "$stderr" ""
  run -0 pg-flux migrate apply --db "$DB"
  run -0 pg-flux drift --db "$DB"
}

@test "generate proves a plan from an empty database and through a throwaway local cluster" {
  write_schema app.sql <<'SQL'
create extension if not exists pgcrypto;
create schema app;
create table app.items (id uuid primary key default gen_random_uuid(), tags text[] not null default '{}');
create function app.n_items() returns bigint language sql stable as $$ select count(*) from app.items $$;
SQL
  run --separate-stderr -0 pg-flux -v migrate generate --db "$DB" --label first
  [[ "$stderr" =~ "proved: the plan's" ]]
  rm -r migrations
  run --separate-stderr -0 pg-flux -v migrate generate --db "$DB" --label first --shadow-db local
  [[ "$stderr" =~ "throwaway local cluster" ]]
  [[ "$stderr" =~ "proved: the plan's" ]]
}

@test "--no-verify: the plan is written without the proof" {
  users_applied
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text);
SQL
  run --separate-stderr -0 pg-flux -v migrate generate --db "$DB" --no-verify --label name
  assert_output --regexp '^wrote migrations/[0-9]{8}_[0-9]{6}_name\.sql '
  [[ "$stderr" =~ "the plan is not proven (--no-verify)" ]]
  [[ ! "$stderr" =~ "proved:" ]]
}

# A copy of the tools where flux-hazards hands on a plan edited by the jq
# program $1: the differ's plan made broken, as a bug of pg-flux would.
broken_tools() {
  mkdir -p tools
  ln -s "$PGFLUX_BIN"/* tools/
  rm tools/pg-flux tools/flux-hazards
  cp "$PGFLUX_BIN/pg-flux" tools/  # it runs the tools beside it
  cat > tools/flux-hazards <<SH
#!/usr/bin/env bash
"$PGFLUX_BIN/flux-hazards" "\$@" | jq '$1'
SH
  chmod +x tools/flux-hazards
}

@test "a plan whose statement fails in the shadow is refused with exit 5, naming it; nothing is written" {
  users_applied
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text);
SQL
  # The ADD COLUMN step twice: a valid statement of pg-flux's DDL that fails.
  broken_tools '.steps += [.steps[-1]]'
  before=$(ls migrations)
  run --separate-stderr -5 tools/pg-flux migrate generate --db "$DB" --label name
  assert_output ""
  [[ "$stderr" =~ "the plan fails in a shadow database loaded with the live schema: statement 2 of 2 (ADD COLUMN users.name text)" ]]
  [[ "$stderr" =~ "ALTER TABLE public.users ADD COLUMN name text;" ]]
  [[ "$stderr" =~ 'PostgreSQL: column "name" of relation "users" already exists' ]]
  [[ "$stderr" =~ "This is a bug of pg-flux" ]]
  assert_equal "$(ls migrations)" "$before"
  assert_equal "$(shadows_left)" 0
  # The live database was not touched.
  assert_equal "$(sql_value "$DB" "select count(*) from information_schema.columns where table_name = 'users'")" 2
  # --no-verify writes it (the user's call).
  run -0 tools/pg-flux migrate generate --db "$DB" --label name --no-verify
  assert_equal "$(ls migrations | wc -l)" 2
}

@test "a plan that leaves a difference is refused with exit 5 listing it; nothing is written" {
  users_applied
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text);
create table tags (id int primary key);
SQL
  # The plan loses its last step (a bug of the differ would look like this).
  broken_tools 'del(.steps[] | select(.summary | startswith("ADD COLUMN")))'
  run --separate-stderr -5 tools/pg-flux migrate generate --db "$DB"
  [[ "$stderr" =~ "the plan does not reach the schema: after the plan's 1 statement ran in a shadow database loaded with the live schema, 1 difference remains:" ]]
  [[ "$stderr" =~ "  ADD COLUMN users.name text" ]]
  assert_equal "$(ls migrations | wc -l)" 1
}

@test "flux-apply --prove: a hand-edited plan document is proven or refused; usage errors" {
  users_applied
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text);
SQL
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db auto --db "$DB" schema > desired.json
  flux-diff live.json desired.json | flux-hazards > plan.json
  run --separate-stderr -0 flux-apply -v --prove plan.json --live live.json --desired desired.json --db "$DB"
  [[ "$stderr" =~ "proved: the plan's 1 statement runs" ]]
  # A step that reads as pg-flux DDL but fails: a column added twice.
  jq '.steps += [.steps[0]]' plan.json > twice.json
  run --separate-stderr -5 flux-apply --prove twice.json --live live.json --desired desired.json --db "$DB"
  [[ "$stderr" =~ "statement 2 of 2 (ADD COLUMN users.name text)" ]]
  # A plan with nothing: the difference remains.
  jq '.steps = []' plan.json > empty.json
  run --separate-stderr -5 flux-apply --prove empty.json --live live.json --desired desired.json --db "$DB"
  [[ "$stderr" =~ "1 difference remains:" ]]
  # A step that is not pg-flux DDL never runs.
  jq '.steps[0].sql = "DROP DATABASE postgres;"' plan.json > hostile.json
  run --separate-stderr -2 flux-apply --prove hostile.json --live live.json --desired desired.json --db "$DB"
  run --separate-stderr -2 flux-apply --prove plan.json --live live.json
  [[ "$stderr" =~ "--prove needs --desired MODEL" ]]
  run --separate-stderr -2 flux-apply --prove plan.json --desired desired.json
  [[ "$stderr" =~ "--prove needs --live MODEL" ]]
  run --separate-stderr -2 flux-apply --prove plan.json --replay x.sql --live live.json
  [[ "$stderr" =~ "--prove and --replay are exclusive" ]]
  run --separate-stderr -2 flux-apply --prove plan.json --live live.json --desired desired.json --out-of-order
  [[ "$stderr" =~ "option --out-of-order only applies to applying (not with --prove or --replay)" ]]
  run --separate-stderr -2 flux-apply --live live.json
  [[ "$stderr" =~ "option --live only applies to --prove and --replay" ]]
  # --shadow-db none: not proven, said with -v, exit 0.
  run --separate-stderr -0 flux-apply -v --prove twice.json --live live.json --desired desired.json --shadow-db none
  [[ "$stderr" =~ "not proven (--shadow-db none)" ]]
  assert_equal "$(shadows_left)" 0
}
