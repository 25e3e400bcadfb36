#!/usr/bin/env bats
# pg-flux migrate apply: one transaction per file including its tracking row,
# name order, the after-commit phase, the tracking table, the drift check
# against the file's baseline, the advisory lock, and chains of files.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }
teardown() { kill_background; }

# advisory_locks GRANTED N: true when N advisory locks are granted (t) or waited for (f).
advisory_locks() {
  [ "$(sql_value "$DB" "select count(*) from pg_locks where locktype = 'advisory' and granted = $1")" -eq "$2" ]
}
# hold_lock: holds the apply advisory lock from a psql session in the
# background until release_lock; fd 7 feeds it.
hold_lock() {
  rm -f lockfifo && mkfifo lockfifo
  psql -X -q -v ON_ERROR_STOP=1 "$DB" < lockfifo > lockholder.out 2>&1 3>&- &
  BG_PIDS="${BG_PIDS:-} $!"
  exec 7> lockfifo
  echo "select pg_advisory_lock($k_apply_lock);" >&7
  wait_for advisory_locks true 1
}
release_lock() { echo "select pg_advisory_unlock($k_apply_lock);" >&7; exec 7>&-; }

@test "the first apply creates _pgflux.migrations with every documented column and fills the row" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  run pg-flux migrate generate --db "$DB" --label init
  assert_success
  file=$(latest_migration)
  name=$(basename "$file")
  run sql_value "$DB" "select to_regclass('_pgflux.migrations') is null"
  assert_output t

  run -0 pg-flux migrate apply --db "$DB"
  assert_output --regexp "^applied $name \([0-9]+ statements?, [0-9]+ ms\)$"

  run sql_value "$DB" "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns
    where table_schema = '_pgflux' and table_name = 'migrations'"
  assert_output "name,checksum,baseline_hash,target_hash,state,after_commit_done,after_commit_total,applied_at,applied_by,duration_ms,tool_version,statements_hash,note"
  run sql_value "$DB" "select checksum from _pgflux.migrations where name = '$name'"
  assert_output "$(sha256sum "$file" | cut -d' ' -f1)"
  run sql_value "$DB" "select baseline_hash || ' ' || target_hash from _pgflux.migrations"
  assert_output "$(header "$file" baseline) $(header "$file" target)"
  run sql_value "$DB" "select state, after_commit_done, after_commit_total, applied_by, duration_ms >= 0,
    applied_at between now() - interval '2 minutes' and now(), tool_version from _pgflux.migrations"
  assert_output "applied|0|0|postgres|t|t|$(pg-flux --version | cut -d' ' -f2)"
  run sql_value "$DB" "select length(statements_hash), note is null from _pgflux.migrations"
  assert_output "64|t"
  # The target hash is the state the database is in now.
  assert_equal "$(state_hash "$DB")" "$(header "$file" target)"
}

@test "the transactional part and the tracking row commit in one transaction" {
  mkdir migrations
  cat > migrations/20240101_000000_xid.sql <<'SQL'
BEGIN;
CREATE TABLE xid_probe AS SELECT pg_current_xact_id()::text::bigint % 4294967296 AS xid;
COMMIT;
SQL
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select (select xid from xid_probe)::text = (select xmin::text from _pgflux.migrations
    where name = '20240101_000000_xid.sql')"
  assert_output t
}

@test "files are applied in name order, one transaction each" {
  mkdir migrations
  # Written in reverse order: the names decide, not the file times.
  cat > migrations/20240102_000000_child.sql <<'SQL'
BEGIN;
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
INSERT INTO applied_order (name) VALUES ('child');
COMMIT;
SQL
  sleep 1
  cat > migrations/20240101_000000_parent.sql <<'SQL'
BEGIN;
CREATE TABLE applied_order (seq serial, name text);
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO applied_order (name) VALUES ('parent');
COMMIT;
SQL
  run --separate-stderr -0 pg-flux migrate apply --db "$DB"
  assert_line --index 0 --partial "applied 20240101_000000_parent.sql"
  assert_line --index 1 --partial "applied 20240102_000000_child.sql"
  run sql_value "$DB" "select string_agg(name, ',' order by seq) from applied_order"
  assert_output "parent,child"
  # Each file committed in its own transaction.
  run sql_value "$DB" "select count(distinct xmin::text) from _pgflux.migrations"
  assert_output 2
}

@test "after-commit statements run after the commit: CREATE INDEX CONCURRENTLY and VACUUM work" {
  mkdir migrations
  cat > migrations/20240101_000000_items.sql <<'SQL'
BEGIN;
CREATE TABLE items (id int PRIMARY KEY, v int);
INSERT INTO items SELECT g, g % 7 FROM generate_series(1, 1000) g;
COMMIT;

CREATE INDEX CONCURRENTLY items_v_idx ON items (v);
VACUUM items;
SQL
  run -0 pg-flux migrate apply --db "$DB"
  assert_output --partial "applied 20240101_000000_items.sql"
  run sql_value "$DB" "select indisvalid from pg_index where indexrelid = 'items_v_idx'::regclass"
  assert_output t
  run sql_value "$DB" "select state, after_commit_done, after_commit_total from _pgflux.migrations"
  assert_output "applied|2|2"
}

@test "a generated migration with an after-commit index applies and leaves no drift" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  load_schema "$DB"
  sql "$DB" "insert into users select g, 'u' || g from generate_series(1, 100) g"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
create index users_email_idx on users (email);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label idx
  file=$(latest_migration)
  assert_file_contains "$file" '^CREATE INDEX CONCURRENTLY users_email_idx'
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select indisvalid from pg_index where indexrelid = 'users_email_idx'::regclass"
  assert_output t
  run sql_value "$DB" "select state, after_commit_done, after_commit_total from _pgflux.migrations"
  assert_output "applied|1|1"
  run -0 pg-flux drift --db "$DB"
}

# orders_generated: users loaded, a migration creating orders generated; $file is it.
orders_generated() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  load_schema "$DB"
  write_schema orders.sql <<'SQL'
create table orders (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label orders
  file=$(latest_migration)
}

@test "apply refuses a file when the database drifted since it was generated, and applies nothing" {
  orders_generated
  baseline=$(header "$file" baseline)
  sql "$DB" "alter table users add column nickname text"
  live=$(state_hash "$DB")
  refute [ "$live" = "$baseline" ]

  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial "refusing to apply $file: live database state has drifted since this migration was generated (expected baseline=$baseline, live=$live)."
  assert_output --partial "--force-after-drift"
  assert_equal "$(table_exists orders)" f
  assert_equal "$(tracked "$(basename "$file")")" 0
  # status flags it: generated against another database state.
  run -1 pg-flux migrate status --db "$DB"
  assert_output "$(basename "$file") pending  STALE: generated against another database state; run \`pg-flux migrate rebase\`"
}

@test "--force-after-drift applies a file generated before the database drifted" {
  orders_generated
  sql "$DB" "alter table users add column nickname text"
  run -0 pg-flux migrate apply --db "$DB" --force-after-drift
  assert_output --partial "applied $(basename "$file")"
  assert_equal "$(table_exists orders)" t
  assert_equal "$(tracked "$(basename "$file")")" 1
  run sql_value "$DB" "select count(*) from information_schema.columns where table_name = 'users' and column_name = 'nickname'"
  assert_output 1
}

@test "apply waits for the advisory lock held by another session, then completes" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  name=$(basename "$(latest_migration)")
  hold_lock
  pg-flux migrate apply -v --db "$DB" > apply.out 2> apply.err 3>&- &
  apply_pid=$!
  BG_PIDS="$BG_PIDS $apply_pid"
  # A waiter polls the lock from the client (it does not queue in the server).
  wait_for grep -q "waiting for another pg-flux apply" apply.err
  sleep 1
  # Still waiting: nothing applied yet.
  kill -0 "$apply_pid"
  assert_equal "$(table_exists users)" f
  assert_equal "$(tracked "$name")" 0
  assert_file_contains apply.err "waiting for another pg-flux apply"

  release_lock
  wait "$apply_pid"
  assert_file_contains apply.out "^applied $name"
  assert_equal "$(table_exists users)" t
  assert_equal "$(tracked "$name")" 1
}

@test "two concurrent applies: one applies the file, the other then finds nothing pending" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
create table orders (id bigint primary key, user_id bigint references users (id));
SQL
  run -0 pg-flux migrate generate --db "$DB"
  name=$(basename "$(latest_migration)")
  hold_lock
  pg-flux migrate apply --db "$DB" > apply1.out 2>&1 3>&- &
  pid1=$!
  pg-flux migrate apply --db "$DB" > apply2.out 2>&1 3>&- &
  pid2=$!
  BG_PIDS="$BG_PIDS $pid1 $pid2"
  wait_for eval '[ "$(cat apply1.out apply2.out | grep -c "waiting for another pg-flux apply")" -eq 2 ]'
  release_lock
  rc1=0 rc2=0
  wait "$pid1" || rc1=$?
  wait "$pid2" || rc2=$?
  cat apply1.out apply2.out
  assert_equal "$rc1" 0
  assert_equal "$rc2" 0
  assert_equal "$(cat apply1.out apply2.out | grep -c "^applied $name")" 1
  assert_equal "$(cat apply1.out apply2.out | grep -c "^no pending migrations")" 1
  assert_equal "$(tracked "$name")" 1
  run sql_value "$DB" "select count(*) from pg_class where relname in ('users', 'orders')"
  assert_output 2
}

@test "nothing pending: apply says so and exits 0" {
  # A migrations directory that does not exist is an error, not "nothing pending".
  run -2 pg-flux migrate apply --db "$DB"
  assert_output 'flux-apply: error: migrations directory "migrations" does not exist (check --migrations-dir)'
  mkdir migrations
  run -0 pg-flux migrate apply --db "$DB"
  assert_output "no pending migrations in migrations"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  run -0 pg-flux migrate apply --db "$DB"
  run -0 pg-flux migrate apply --db "$DB"
  assert_output "no pending migrations in migrations"
  run sql_value "$DB" "select count(*) from _pgflux.migrations"
  assert_output 1
}

@test "files generated in sequence on dev chain their baselines and apply at once on a fresh database" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label a_one
  run -0 pg-flux migrate apply --db "$DB"
  write_schema app.sql <<'SQL'
create type mood as enum ('ok', 'happy');
create table users (id bigint primary key, email text not null, mood mood);
create table orders (id bigint primary key, user_id bigint not null references users (id));
SQL
  run -0 pg-flux migrate generate --db "$DB" --label b_two
  run -0 pg-flux migrate apply --db "$DB"
  write_schema app.sql <<'SQL'
create type mood as enum ('ok', 'happy');
create table users (id bigint primary key, email text not null, mood mood);
create table orders (id bigint primary key, user_id bigint not null references users (id), total numeric);
create index orders_user_idx on orders (user_id);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label c_three
  run -0 pg-flux migrate apply --db "$DB"
  files=($(ls migrations/*.sql | sort))
  assert_equal "${#files[@]}" 3
  assert_equal "$(header "${files[1]}" baseline)" "$(header "${files[0]}" target)"
  assert_equal "$(header "${files[2]}" baseline)" "$(header "${files[1]}" target)"

  PROD=$(new_db "prod$BATS_TEST_NUMBER")
  assert_equal "$(state_hash "$PROD")" "$(header "${files[0]}" baseline)"
  run --separate-stderr -0 pg-flux migrate apply --db "$PROD"
  assert_line --index 0 --partial "applied $(basename "${files[0]}")"
  assert_line --index 1 --partial "applied $(basename "${files[1]}")"
  assert_line --index 2 --partial "applied $(basename "${files[2]}")"
  assert_equal "$(state_hash "$PROD")" "$(header "${files[2]}" target)"
  run -0 pg-flux drift --db "$PROD"
  run sql_value "$PROD" "select count(*) from _pgflux.migrations where state = 'applied'"
  assert_output 3
}

@test "an enum value added and used in one migration: the use runs after the commit" {
  write_schema app.sql <<'SQL'
create type mood as enum ('sad', 'ok');
create table users (id bigint primary key, mood mood);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create type mood as enum ('sad', 'ok', 'meh');
create table users (id bigint primary key, mood mood default 'meh');
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  commit=$(grep -n '^COMMIT;$' "$file" | cut -d: -f1)
  add=$(grep -n "ADD VALUE 'meh'" "$file" | cut -d: -f1)
  use=$(grep -n "SET DEFAULT 'meh'" "$file" | cut -d: -f1)
  [ -n "$add" ] && [ -n "$use" ] && [ "$add" -lt "$commit" ] && [ "$use" -gt "$commit" ]
  run -0 pg-flux migrate apply --db "$DB"
  sql "$DB" "insert into users (id) values (1)"
  run sql_value "$DB" "select mood from users"
  assert_output meh
  run -0 pg-flux drift --db "$DB"
}

@test "flux-apply writes a pgflux.apply-result document" {
  mkdir migrations
  cat > migrations/20240101_000000_t.sql <<'SQL'
BEGIN;
CREATE TABLE t (id int PRIMARY KEY);
COMMIT;
CREATE INDEX CONCURRENTLY t_id_idx ON t (id);
SQL
  run --separate-stderr -0 flux-apply --db "$DB"
  run jq -r '[.format, .version, .applied[0].name, .applied[0].statements, .applied[0].after_commit, .applied[0].resumed] | join(" ")' <<< "$output"
  assert_output "pgflux.apply-result 1 20240101_000000_t.sql 2 1 false"
  run --separate-stderr -0 flux-apply --db "$DB"
  run jq -c .applied <<< "$output"
  assert_output "[]"
  run -2 flux-apply --db "$DB" --format xml
}
