#!/usr/bin/env bats
# pg-flux migrate rebase: pending files whose baseline no longer matches (a
# teammate's migration was applied first) are regenerated on top of the new
# state, keeping their label, with a new timestamp; migrate generate does the
# same when every pending file is stale (the advice of apply's refusal).
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# as DIR pg-flux ARGS...: runs pg-flux in developer DIR's clone.
as() { local dir=$1; shift; (cd "$dir" && "$@"); }

# Two clones, A and B, of a project whose first migration is applied to $DB.
two_clones() {
  mkdir -p A/schema B
  cat > A/schema/users.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  run -0 as A pg-flux migrate generate --db "$DB" --label init
  run -0 as A pg-flux migrate apply --db "$DB"
  cp -r A/schema A/migrations B/
}

# b_adds_name URL: B adds the column users.name and generates add_name
# against URL ($B_FILE).
b_adds_name() {
  cat > B/schema/users.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text);
SQL
  run -0 as B pg-flux migrate generate --db "$1" --label add_name
  B_FILE=$(basename "$(cd B && latest_migration)")
}

# A adds a table and generates; B (one second later) adds a column and
# generates; A applies; B pulls A's file and schema.
teammate_first() {
  cat > A/schema/orders.sql <<'SQL'
create table orders (id bigint primary key, user_id bigint not null references users (id));
SQL
  run -0 as A pg-flux migrate generate --db "$DB" --label add_orders
  A_FILE=$(basename "$(cd A && latest_migration)")
  sleep 1
  b_adds_name "$DB"
  run -0 as A pg-flux migrate apply --db "$DB"
  cp "A/migrations/$A_FILE" B/migrations/
  cp A/schema/orders.sql B/schema/
}

# After a rebase: B's old file is gone, one file with its label sorts last.
check_rebased() {
  assert_file_not_exists "B/migrations/$B_FILE"
  NEW=$(basename "$(cd B && latest_migration)")
  [[ "$NEW" =~ ^[0-9]{8}_[0-9]{6}_add_name\.sql$ ]]
  [[ "$NEW" > "$A_FILE" ]]
  assert_equal "$(ls B/migrations | wc -l)" 3
  assert_file_contains "B/migrations/$NEW" 'ADD COLUMN name text'
  run grep -c 'CREATE TABLE' "B/migrations/$NEW"
  assert_output 0
  assert_equal "$(header "B/migrations/$NEW" baseline)" "$(state_hash "$DB")"
  run -0 as B pg-flux migrate apply --db "$DB"
  assert_output --partial "applied $NEW"
  run -0 as B pg-flux drift --db "$DB"
  run -0 as B pg-flux migrate status --db "$DB"
  refute_output --partial pending
}

# bats test_tags=long
@test "two developers: B's apply refuses, migrate rebase regenerates B's file on top of A's; apply and drift are clean" {
  two_clones
  teammate_first
  run --separate-stderr -3 as B pg-flux migrate apply --db "$DB"
  [[ "$stderr" =~ "Re-run \`pg-flux migrate generate\`" ]]
  [[ "$stderr" =~ "--force-after-drift" ]]
  assert_equal "$(tracked "$B_FILE")" 0
  # The plumbing behind rebase: flux-track pending judges B's file stale.
  flux-snapshot --db "$DB" > live.json
  run -0 flux-track pending --live live.json --db "$DB" --migrations-dir B/migrations
  assert_output "stale $B_FILE"
  run -2 flux-track pending --db "$DB" --migrations-dir B/migrations
  assert_output --partial "flux-track pending needs --live MODEL"
  # An undo file beside the stale one goes with it.
  echo "-- undo" > "B/migrations/${B_FILE%.sql}.undo.sql"
  run --separate-stderr -0 as B pg-flux migrate rebase --db "$DB"
  NEW=$(basename "$(cd B && latest_migration)")
  assert_line "rebased migrations/$B_FILE -> migrations/$NEW (1 statement; hazards: none)"
  assert_line --partial "removed migrations/${B_FILE%.sql}.undo.sql"
  assert_file_not_exists "B/migrations/${B_FILE%.sql}.undo.sql"
  check_rebased
  # Nothing left to rebase.
  run -0 as B pg-flux migrate rebase --db "$DB"
  assert_output "nothing to rebase: no pending migrations in migrations"
}

# bats test_tags=long
@test "two developers: migrate generate, as the refusal advises, rebases the stale file" {
  two_clones
  teammate_first
  run -3 as B pg-flux migrate apply --db "$DB"
  run --separate-stderr -0 as B pg-flux migrate generate --db "$DB"
  assert_line --regexp "^rebased migrations/$B_FILE -> migrations/[0-9_]+add_name\.sql \(1 statement; hazards: none\)$"
  assert_line --partial "no new migration is needed"
  check_rebased
}

# bats test_tags=long
@test "rebase: a pending file that starts from the current state is left alone" {
  two_clones
  b_adds_name "$DB"
  before=$(ls B/migrations)
  run -0 as B pg-flux migrate rebase --db "$DB"
  assert_output "nothing to rebase: every pending migration in migrations starts from the current database state"
  assert_equal "$(ls B/migrations)" "$before"
  # generate still refuses while it is pending.
  run -3 as B pg-flux migrate generate --db "$DB"
}

@test "rebase: several pending files are replayed in order; the chain applies and reaches the schema" {
  two_clones
  # B works against a database of their own: two files, each applied there.
  DB_B=$(new_db "b${BATS_SUITE_TEST_NUMBER}")
  run -0 as B pg-flux migrate apply --db "$DB_B"
  b_adds_name "$DB_B"
  B1=$B_FILE
  run -0 as B pg-flux migrate apply --db "$DB_B"
  sleep 1
  cat > B/schema/users.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text);
create index users_name_idx on users (name);
SQL
  run -0 as B pg-flux migrate generate --db "$DB_B" --label name_index
  B2=$(basename "$(cd B && latest_migration)")
  # Meanwhile A's table lands on the shared database.
  cat > A/schema/orders.sql <<'SQL'
create table orders (id bigint primary key);
SQL
  run -0 as A pg-flux migrate generate --db "$DB" --label add_orders
  run -0 as A pg-flux migrate apply --db "$DB"
  A_FILE=$(basename "$(cd A && latest_migration)")
  cp "A/migrations/$A_FILE" B/migrations/
  cp A/schema/orders.sql B/schema/
  # B's own schema change after B2 goes into the last rebased file.
  echo "comment on table users is 'people';" >> B/schema/users.sql
  run --separate-stderr -0 as B pg-flux migrate rebase --db "$DB"
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 --regexp "^rebased migrations/$B1 -> migrations/[0-9_]+add_name\.sql "
  assert_line --index 1 --regexp "^rebased migrations/$B2 -> migrations/[0-9_]+name_index\.sql "
  assert_file_not_exists "B/migrations/$B1"
  assert_file_not_exists "B/migrations/$B2"
  new=($(ls B/migrations | tail -n 2))
  [[ "${new[0]}" =~ _add_name\.sql$ && "${new[1]}" =~ _name_index\.sql$ ]]
  [[ "${new[0]}" > "$A_FILE" ]]
  assert_file_contains "B/migrations/${new[0]}" 'ADD COLUMN name text'
  assert_file_contains "B/migrations/${new[1]}" 'CREATE INDEX CONCURRENTLY users_name_idx'
  assert_file_contains "B/migrations/${new[1]}" "COMMENT ON TABLE public.users IS 'people'"
  # The chain: the second file's baseline is the first file's target.
  assert_equal "$(header "B/migrations/${new[1]}" baseline)" "$(header "B/migrations/${new[0]}" target)"
  run -0 as B pg-flux migrate apply --db "$DB"
  assert_output --partial "applied ${new[0]}"
  assert_output --partial "applied ${new[1]}"
  run -0 as B pg-flux drift --db "$DB"
}

@test "rebase: a replay that conflicts is refused naming the statement; nothing changes" {
  two_clones
  DB_B=$(new_db "b${BATS_SUITE_TEST_NUMBER}")
  run -0 as B pg-flux migrate apply --db "$DB_B"
  # B creates orders their way, then adds to it; A creates orders too.
  cat > B/schema/orders.sql <<'SQL'
create table orders (id bigint primary key, total numeric);
SQL
  run -0 as B pg-flux migrate generate --db "$DB_B" --label orders
  run -0 as B pg-flux migrate apply --db "$DB_B"
  sleep 1
  cat > B/schema/orders.sql <<'SQL'
create table orders (id bigint primary key, total numeric, note text);
SQL
  run -0 as B pg-flux migrate generate --db "$DB_B" --label orders_note
  cat > A/schema/orders.sql <<'SQL'
create table orders (id bigint primary key, placed_at timestamptz);
SQL
  run -0 as A pg-flux migrate generate --db "$DB" --label add_orders
  run -0 as A pg-flux migrate apply --db "$DB"
  cp A/migrations/*add_orders.sql B/migrations/
  before=$(cd B/migrations && sha256sum *)
  run --separate-stderr -3 as B pg-flux migrate rebase --db "$DB"
  [[ "$stderr" =~ "_orders.sql:"[0-9]+": CREATE TABLE public.orders" ]]
  [[ "$stderr" =~ 'relation "orders" already exists' ]]
  [[ "$stderr" =~ "regenerate them with one \`pg-flux migrate generate\`" ]]
  [[ "$stderr" =~ "Nothing was changed" ]]
  assert_equal "$(cd B/migrations && sha256sum *)" "$before"
  assert_equal "$(sql_value "$PGFLUX_ADMIN_URL" "select count(*) from pg_database where datname like 'pgflux\\_shadow\\_%'")" 0
}
