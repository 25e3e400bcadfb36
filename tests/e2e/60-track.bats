#!/usr/bin/env bats
# Tracking and migration files: pg-flux migrate status (text) and flux-track
# status --format json (INCOMPLETE and the other flags: 61-lifecycle-track),
# migrate baseline and repair, flux-track new (naming, header, nothing to do, refusing while files are pending), and generated
# files that psql can run as they are.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

k_stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
# The time of an applied file in status lines: UTC, without T and Z.
k_time='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'

# two_files: one applied file and one pending file in migrations/.
two_files() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label a_users
  APPLIED=$(basename "$(latest_migration)")
  run -0 pg-flux migrate apply --db "$DB"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, name text);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label b_name
  PENDING=$(basename "$(latest_migration)")
}

@test "migrate status: one line per file, applied with its UTC time, pending, exit 0" {
  # A migrations directory that does not exist is an error, not an empty list.
  run -2 pg-flux migrate status --db "$DB"
  assert_output 'flux-track: error: migrations directory "migrations" does not exist (check --migrations-dir)'
  mkdir migrations
  run -0 pg-flux migrate status --db "$DB"
  assert_output "no migrations in migrations"
  # status only reads: the tracking table is created by apply or baseline.
  run sql_value "$DB" "select to_regclass('_pgflux.migrations') is null"
  assert_output t
  two_files
  run -0 pg-flux migrate status --db "$DB"
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 --regexp "^$APPLIED applied $k_time$"
  assert_line --index 1 "$PENDING pending"
  # The time shown is the applied_at of the row, in UTC.
  at=$(sql_value "$DB" "select to_char(applied_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') from _pgflux.migrations")
  assert_line --index 0 "$APPLIED applied $at"
}

@test "migrate status: CHANGED and MISSING files make it exit 1" {
  two_files
  echo "-- edited" >> "migrations/$APPLIED"
  run -1 pg-flux migrate status --db "$DB"
  assert_line --index 0 --regexp "^$APPLIED applied $k_time  CHANGED since it was applied \(checksum differs\): restore it, or record an edit of comments or formatting with \`pg-flux migrate repair\`$"
  assert_line --index 1 "$PENDING pending"
  rm "migrations/$APPLIED"
  run -1 pg-flux migrate status --db "$DB"
  assert_line --index 0 --regexp "^$APPLIED applied $k_time  MISSING: the file is gone; restore it from version control$"
  # A pending file alone is not a problem.
  run -0 pg-flux migrate repair --db "$DB"
  sql "$DB" "delete from _pgflux.migrations"
  run -0 pg-flux migrate status --db "$DB"
  assert_output "$PENDING pending"
}

@test "flux-track status --format json is a pgflux.status document" {
  two_files
  echo "-- edited" >> "migrations/$APPLIED"
  run --separate-stderr -1 flux-track status --db "$DB" --format json
  echo "$output" > status.json
  run jq -r '[.format, .version, .generator.tool, .migrations_dir] | map(tostring) | join(" ")' status.json
  assert_output "pgflux.status 1 flux-track migrations"
  run jq -r '.migrations | map(.name + " " + .state) | join(",")' status.json
  assert_output "$APPLIED changed,$PENDING pending"
  run jq -r '.migrations[0] | [.applied_by, .checksum == .file_checksum, (.applied_at | test("^[0-9-]+T[0-9:]+Z$"))] | map(tostring) | join(" ")' status.json
  assert_output "postgres false true"
  run jq -r '.migrations[1] | [has("checksum"), .file_checksum] | map(tostring) | join(" ")' status.json
  assert_output "false $(sha256sum "migrations/$PENDING" | cut -d' ' -f1)"
  jsonschema_setup
  validate pgflux.status status.json
  # text is the other format; anything else is a usage error
  run -1 flux-track status --db "$DB" --format text
  assert_line --index 1 "$PENDING pending"
  run -2 flux-track status --db "$DB" --format yaml
}

@test "flux-track usage errors exit 2" {
  run -2 flux-track
  assert_output --partial "missing COMMAND"
  run -2 flux-track frobnicate
  assert_output --partial 'unknown command "frobnicate"'
  run -2 flux-track status extra --db "$DB"
  run -2 flux-track --bogus-option status
}

@test "migrate baseline records pending files as applied without running them" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  DEV=$(new_db "dev$BATS_TEST_NUMBER")
  run -0 pg-flux migrate generate --db "$DEV" --label init
  file=$(latest_migration)
  name=$(basename "$file")
  # $DB has nothing yet: baseline must not run the file.
  run -0 pg-flux migrate baseline --db "$DB"
  assert_output "recorded $name as applied (not run)"
  assert_equal "$(table_exists users "$DB")" f
  run sql_value "$DB" "select state, checksum, baseline_hash, target_hash from _pgflux.migrations where name = '$name'"
  assert_output "applied|$(sha256sum "$file" | cut -d' ' -f1)|$(header "$file" baseline)|$(header "$file" target)"
  run -0 pg-flux migrate status --db "$DB"
  assert_output --regexp "^$name applied $k_time$"
  run -0 pg-flux migrate apply --db "$DB"
  assert_output "no pending migrations in migrations"
  assert_equal "$(table_exists users "$DB")" f
  run -0 pg-flux migrate baseline --db "$DB"
  assert_output "nothing to record: no pending migrations in migrations"
}

@test "migrate baseline adopts an existing database: later files apply on top" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text);
SQL
  load_schema "$DB"
  DEV=$(new_db "dev$BATS_TEST_NUMBER")
  run -0 pg-flux migrate generate --db "$DEV" --label init
  run -0 pg-flux migrate apply --db "$DEV"
  run -0 pg-flux migrate baseline --db "$DB"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text, name text);
SQL
  run -0 pg-flux migrate generate --db "$DEV" --label name
  run -0 pg-flux migrate apply --db "$DB"
  assert_output --partial "applied $(basename "$(latest_migration)")"
  run -0 pg-flux drift --db "$DB"
}

@test "migrate repair updates the checksum of edited applied files only" {
  two_files
  run -0 pg-flux migrate repair --db "$DB"
  assert_output "nothing to repair in migrations"
  old=$(sql_value "$DB" "select checksum from _pgflux.migrations where name = '$APPLIED'")
  sed -i 's/^-- Review it.*/-- Reviewed by ops./' "migrations/$APPLIED"
  run -0 pg-flux migrate repair --db "$DB"
  assert_output "recorded the edited $APPLIED (its statements are not re-run)"
  run sql_value "$DB" "select checksum from _pgflux.migrations where name = '$APPLIED'"
  assert_output "$(sha256sum "migrations/$APPLIED" | cut -d' ' -f1)"
  refute_output "$old"
  # The pending file is not recorded by repair.
  run sql_value "$DB" "select count(*) from _pgflux.migrations"
  assert_output 1
  run -0 pg-flux migrate status --db "$DB"
}

@test "generate with nothing to do says so and writes nothing; so does flux-track new" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  load_schema "$DB"
  run -0 pg-flux migrate generate --db "$DB"
  assert_output --partial "nothing to do"
  assert [ ! -e migrations ]
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db none schema > desired.json
  flux-diff live.json desired.json | flux-hazards > plan.json
  run -0 flux-track new --db "$DB" plan.json
  assert_output --partial "nothing to do"
  assert [ ! -e migrations ]
  run -0 flux-track new --db "$DB" < plan.json
  assert [ ! -e migrations ]
}

@test "flux-track new refuses an unclassified plan" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db none schema > desired.json
  flux-diff live.json desired.json > plan.json
  run -2 flux-track new --db "$DB" plan.json
  assert_output --partial "flux-hazards"
  assert [ ! -e migrations ]
}

@test "generate refuses (exit 3) while an earlier file is pending, and writes nothing" {
  two_files
  write_schema more.sql <<'SQL'
create table more (id int);
SQL
  run -3 pg-flux migrate generate --db "$DB" --label more
  assert_output --partial "refusing to generate: migrations not applied yet: $PENDING"
  assert_equal "$(ls migrations | wc -l)" 2
  run -0 pg-flux migrate apply --db "$DB"
  run -0 pg-flux migrate generate --db "$DB" --label more
  assert_equal "$(ls migrations | wc -l)" 3
}

@test "file names are YYYYMMDD_HHMMSS_label.sql in UTC, labels sanitized" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  start=$(date -u +%s)
  run -0 pg-flux migrate generate --db "$DB" --label "Add Users!"
  end=$(date -u +%s)
  file=$(latest_migration)
  assert_output --regexp "^wrote migrations/[0-9]{8}_[0-9]{6}_add_users\.sql \(1 statement; hazards: none\)$"
  [[ "$(basename "$file")" =~ ^([0-9]{8})_([0-9]{2})([0-9]{2})([0-9]{2})_add_users\.sql$ ]]
  stamp=$(TZ=UTC date -d "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}:${BASH_REMATCH[3]}:${BASH_REMATCH[4]}" +%s)
  [ "$stamp" -ge "$start" ] && [ "$stamp" -le "$end" ]
  rm "$file"
  run -0 pg-flux migrate generate --db "$DB"
  assert_output --regexp "^wrote migrations/[0-9]{8}_[0-9]{6}_migration\.sql "
  rm "$(latest_migration)"
  run -0 pg-flux migrate generate --db "$DB" --label "Orders-Items v2"
  assert_output --regexp "^wrote migrations/[0-9]{8}_[0-9]{6}_orders_items_v2\.sql "
  rm "$(latest_migration)"
  run -0 pg-flux migrate generate --db "$DB" --label '!!!'
  assert_output --regexp "^wrote migrations/[0-9]{8}_[0-9]{6}_migration\.sql "
}

@test "the header carries format, baseline, target and hazards" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
create table old (id int);
SQL
  baseline=$(state_hash "$DB")
  run -0 pg-flux migrate generate --db "$DB" --label init
  file=$(latest_migration)
  assert_equal "$(head -n 1 "$file")" "-- pg-flux migration"
  assert_equal "$(header "$file" format)" 1
  assert_equal "$(header "$file" baseline)" "$baseline"
  [[ "$(header "$file" baseline)" =~ ^sha256:[0-9a-f]{64}$ ]]
  [[ "$(header "$file" target)" =~ ^sha256:[0-9a-f]{64}$ ]]
  assert_equal "$(header "$file" hazards)" none
  run -0 grep -Ec "^-- generated: $k_stamp by pg-flux $(pg-flux --version | cut -d' ' -f2)$" "$file"
  assert_output 1
  run -0 pg-flux migrate apply --db "$DB"
  # The target is the state the database reaches.
  assert_equal "$(state_hash "$DB")" "$(header "$file" target)"

  write_schema app.sql <<'SQL'
create table users (id bigint);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label drop
  # Dropping one of two tables is also a MASS_DROP.
  assert_output --partial "hazards: DATA_LOSS, MASS_DROP)"
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" "DATA_LOSS, MASS_DROP"
  assert_file_contains "$file" '^--   MASS_DROP: DROP TABLE old: drops 1 of 2 live objects'
  assert_file_contains "$file" '^--   DATA_LOSS: DROP TABLE old: '
}

@test "a generated file runs with psql -v ON_ERROR_STOP=1 -f on a copy of the database" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  load_schema "$DB"
  sql "$DB" "insert into users select g, 'u' || g from generate_series(1, 50) g"
  write_schema app.sql <<'SQL'
create type mood as enum ('ok', 'happy');
create table users (id bigint primary key, email text not null, mood mood default 'ok');
create unique index users_email_key on users (email);
create table orders (id bigint generated always as identity primary key,
  user_id bigint not null references users (id), total numeric check (total >= 0));
create index orders_user_idx on orders (user_id);
alter table users add constraint users_email_check check (email <> '');
comment on table orders is 'what people bought';
SQL
  run -0 pg-flux migrate generate --db "$DB" --label review
  file=$(latest_migration)
  # It has both parts.
  assert_file_contains "$file" '^-- after-commit'
  COPY=$(db_url "copy$BATS_TEST_NUMBER")
  sql "$PGFLUX_ADMIN_URL" "drop database if exists \"copy$BATS_TEST_NUMBER\" with (force)"
  sql "$PGFLUX_ADMIN_URL" "create database \"copy$BATS_TEST_NUMBER\" template \"t$BATS_TEST_NUMBER\""
  run psql -X -q -v ON_ERROR_STOP=1 "$COPY" -f "$file"
  assert_success
  refute_output --partial ERROR
  run -0 pg-flux drift --db "$COPY"
  assert_output --partial "no drift"
  # The state reached by psql is the file's target.
  assert_equal "$(state_hash "$COPY")" "$(header "$file" target)"
}
