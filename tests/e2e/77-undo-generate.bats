#!/usr/bin/env bats
# migrate generate --generate-undo: NAME.undo.sql beside NAME.sql, planned in
# the other direction (the forward file's target back to its baseline), with
# a header that says what it undoes; what it cannot bring back is marked
# IRREVERSIBLE, never left out; migrate apply never runs it.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# forward_migration: the newest migration file that is not an undo file.
forward_migration() { ls migrations/*.sql | grep -v '\.undo\.sql$' | sort | tail -n 1; }
# undo_of FILE: the undo file of migration FILE.
undo_of() { printf '%s' "${1%.sql}.undo.sql"; }

# run_undo FILE: runs an undo file as psql would (the lead's migrate undo runs
# it through flux-apply); here only its SQL is under test.
run_undo() { psql -X -q -v ON_ERROR_STOP=1 "$DB" -f "$1" >/dev/null; }

@test "generate --generate-undo writes the pair; the undo's header names the forward file and swaps the hashes" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  pg-flux migrate generate --db "$DB" --label init >/dev/null
  pg-flux migrate apply --db "$DB" >/dev/null
  before=$(state_hash "$DB")
  write_schema app.sql <<'SQL'
create type mood as enum ('ok', 'happy');
create table users (id bigint primary key, email text not null, mood mood, last_login timestamptz);
create index users_email_idx on users (email);
create table notes (id int primary key, body text);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label more --generate-undo
  file=$(forward_migration)
  undo=$(undo_of "$file")
  assert_line --index 0 --regexp "^wrote $file \\([0-9]+ statements; hazards: none\\)$"
  assert_line --index 1 --regexp "^wrote $undo \\(the undo: [0-9]+ statements; hazards: .*DATA_LOSS.*\\)$"
  assert_file_exists "$undo"
  assert_equal "$(sed -n 1p "$undo")" "-- pg-flux undo migration"
  assert_equal "$(header "$undo" undo-of)" "$(basename "$file")"
  assert_equal "$(header "$undo" baseline)" "$(header "$file" target)"
  assert_equal "$(header "$undo" target)" "$(header "$file" baseline)"
  assert_file_contains "$undo" "pg-flux migrate undo $(basename "$file")"
  # The undo is not a pending migration: status and apply see the forward file only.
  run -0 pg-flux migrate status --db "$DB"
  assert_equal "$(grep -c pending <<<"$output")" 1
  refute_output --partial ".undo.sql"
  run -0 pg-flux migrate apply --db "$DB"
  refute_output --partial ".undo.sql"
  assert_equal "$(state_hash "$DB")" "$(header "$file" target)"
  # Run by hand, the undo takes the database back to the forward file's baseline.
  run_undo "$undo"
  assert_equal "$(state_hash "$DB")" "$before"
  assert_equal "$(table_exists notes)" f
}

@test "a forward DROP COLUMN gives an undo marked IRREVERSIBLE that brings the column back empty" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, nickname text);
create sequence ticket_seq;
SQL
  pg-flux migrate generate --db "$DB" --label init >/dev/null
  pg-flux migrate apply --db "$DB" >/dev/null
  sql "$DB" "insert into users values (1, 'ann')"
  before=$(state_hash "$DB")
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label drop --generate-undo
  file=$(forward_migration)
  undo=$(undo_of "$file")
  assert_line --index 1 --partial "IRREVERSIBLE"
  assert_equal "$(header "$undo" hazards)" "IRREVERSIBLE"
  # In the header (with the forward statement) and as a comment on the statement.
  assert_file_contains "$undo" "^--   IRREVERSIBLE: ADD COLUMN users.nickname text: the forward migration $(basename "$file") ran DROP COLUMN users.nickname"
  grep -A2 -- '^-- ADD COLUMN users.nickname text$' "$undo" | grep -q '^-- IRREVERSIBLE: .*without the data it held' \
    || fail "no IRREVERSIBLE comment on the statement: $(cat "$undo")"
  assert_file_contains "$undo" '^-- IRREVERSIBLE: .*DROP SEQUENCE ticket_seq'
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=all
  run_undo "$undo"
  assert_equal "$(state_hash "$DB")" "$before"
  # The column is back, without its data.
  assert_equal "$(sql_value "$DB" "select coalesce(nickname, 'NULL') from users")" NULL
}

# bats test_tags=long
@test "generate --generate-undo --format json names both files; nothing to do writes neither" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, nickname text);
SQL
  pg-flux migrate generate --db "$DB" >/dev/null
  pg-flux migrate apply --db "$DB" >/dev/null
  run --separate-stderr -0 pg-flux migrate generate --db "$DB" --generate-undo --format json
  assert_equal "$(jq -r .written <<<"$output")" false
  assert_equal "$(ls migrations | wc -l)" 1
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run --separate-stderr -0 pg-flux migrate generate --db "$DB" --generate-undo --format json --label drop
  printf '%s\n' "$output" > gen.json
  run /usr/bin/python3 -m jsonschema -i gen.json "$PGFLUX_SOURCE/schemas/pgflux.generate-result.v1.schema.json"
  assert_success
  file=$(jq -r .file gen.json)
  assert_equal "$(jq -r .undo.file gen.json)" "$(undo_of "$file")"
  assert_equal "$(jq -r '.undo.hazard_codes | join(",")' gen.json)" IRREVERSIBLE
  assert_file_exists "$(undo_of "$file")"
}

# bats test_tags=long
@test "the undo of added enum values recreates the type and is marked IRREVERSIBLE" {
  write_schema app.sql <<'SQL'
create type mood as enum ('ok');
create table users (id bigint primary key, mood mood);
SQL
  pg-flux migrate generate --db "$DB" >/dev/null
  pg-flux migrate apply --db "$DB" >/dev/null
  before=$(state_hash "$DB")
  write_schema app.sql <<'SQL'
create type mood as enum ('ok', 'happy');
create table users (id bigint primary key, mood mood);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label happy --generate-undo
  file=$(forward_migration)
  undo=$(undo_of "$file")
  assert_file_contains "$undo" '^-- IRREVERSIBLE: PostgreSQL cannot drop an enum value'
  pg-flux migrate apply --db "$DB" >/dev/null
  sql "$DB" "insert into users values (1, 'ok')"
  run_undo "$undo"
  assert_equal "$(state_hash "$DB")" "$before"
  assert_equal "$(sql_value "$DB" "select mood from users")" ok
}
