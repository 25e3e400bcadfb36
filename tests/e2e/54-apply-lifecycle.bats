#!/usr/bin/env bats
# migrate apply through a file's life: a pending file applied by hand is
# recorded, out-of-order files are refused unless --out-of-order, the drift
# refusal says how to go on (and --force-after-drift does), the JSON result
# says why a run stopped, and `migrate undo FILE` runs FILE.undo.sql and
# removes the tracking row.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() {
  pgflux_setup
  jsonschema_setup
}

# users_v1 / users_v2: two versions of the schema files.
users_v1() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
}
users_v2() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, nickname text);
create index users_nickname_idx on users (nickname);
SQL
}
drift_advice='Re-run `pg-flux migrate generate` to rebase the migration, or pass --force-after-drift to apply anyway'

@test "a pending file applied by hand is recorded as applied, with a note, without running it" {
  users_v1
  run -0 pg-flux migrate generate --db "$DB" --label init
  file=$(latest_migration); name=$(basename "$file")
  psql -X -q -v ON_ERROR_STOP=1 "$DB" -f "$file"
  sql "$DB" "insert into users values (1, 'a@example.com')"
  run -0 pg-flux migrate apply --db "$DB"
  assert_output "recorded $name as applied without running it (applied by hand: the database already matched the target)"
  run sql_value "$DB" "select state, note, length(statements_hash), checksum = '$(sha256sum "$file" | cut -d' ' -f1)',
    target_hash = '$(header "$file" target)' from _pgflux.migrations where name = '$name'"
  assert_output "applied|applied by hand: the database already matched the target|64|t|t"
  # Nothing ran a second time (CREATE TABLE would have failed); the row is intact.
  assert_equal "$(sql_value "$DB" "select count(*) from users")" 1
  # The next file applies normally on top.
  users_v2
  run -0 pg-flux migrate generate --db "$DB" --label nick
  run -0 pg-flux migrate apply --db "$DB"
  assert_output --regexp "^applied $(basename "$(latest_migration)") "
  run -0 pg-flux migrate apply --db "$DB"
  assert_output "no pending migrations in migrations"
}

# bats test_tags=long
@test "a file applied by hand is reported as recorded in the JSON result, among applied files" {
  users_v1
  run -0 pg-flux migrate generate --db "$DB" --label init
  first=$(basename "$(latest_migration)")
  run -0 pg-flux migrate apply --db "$DB"
  users_v2
  run -0 pg-flux migrate generate --db "$DB" --label nick
  second=$(latest_migration)
  psql -X -q -v ON_ERROR_STOP=1 "$DB" -f "$second"
  run --separate-stderr -0 flux-apply --db "$DB" --format json
  echo "$output" > result.json
  validate pgflux.apply-result result.json
  run jq -c '[.applied[] | [.name, .state, .note]], has("error")' result.json
  assert_output "[[\"$(basename "$second")\",\"recorded\",\"applied by hand: the database already matched the target\"]]
false"
  assert_equal "$(tracked "$first")$(tracked "$(basename "$second")")" 11
}

@test "an out-of-order file is refused (exit 3) before anything runs, naming it and the newest applied file" {
  mkdir migrations
  echo "CREATE TABLE b (id int);" > migrations/20240102_000000_b.sql
  run -0 pg-flux migrate apply --db "$DB"
  echo "CREATE TABLE a (id int);" > migrations/20240101_000000_a.sql
  echo "CREATE TABLE c (id int);" > migrations/20240103_000000_c.sql
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial "refusing to apply: migrations/20240101_000000_a.sql sorts before 20240102_000000_b.sql, which is already applied"
  assert_output --partial "--out-of-order"
  # Nothing ran: not even the in-order file c.
  assert_equal "$(table_exists a)$(table_exists c)" ff
  assert_equal "$(tracked 20240103_000000_c.sql)" 0
  run --separate-stderr -3 flux-apply --db "$DB" --format json
  echo "$output" > refused.json
  validate pgflux.apply-result refused.json
  run jq -c '.applied, .error.exit_code, .error.reason, .error.file' refused.json
  assert_output '[]
3
"out_of_order"
"20240101_000000_a.sql"'
  # With --out-of-order both are applied, in name order.
  run -0 --separate-stderr pg-flux migrate apply --db "$DB" --out-of-order
  assert_equal "$(head -n 1 <<< "$stderr")" "flux-apply: warning: applying 20240101_000000_a.sql out of order (it sorts before 20240102_000000_b.sql, already applied; --out-of-order)"
  assert_line --index 0 --regexp "^applied 20240101_000000_a.sql "
  assert_line --index 1 --regexp "^applied 20240103_000000_c.sql "
  assert_equal "$(table_exists a)$(table_exists c)" tt
  run -0 pg-flux migrate apply --db "$DB"
  assert_output "no pending migrations in migrations"
}

# bats test_tags=long
@test "--out-of-order keeps the drift check of a generated file; --force-after-drift then applies it" {
  users_v1
  run -0 pg-flux migrate generate --db "$DB" --label init
  run -0 pg-flux migrate apply --db "$DB"
  # A teammate's file generated against the same state, but named earlier than ours.
  users_v2
  run -0 pg-flux migrate generate --db "$DB" --label nick
  theirs=$(latest_migration)
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
create table orders (id bigint primary key);
SQL
  mv "$theirs" "$theirs.keep"
  run -0 pg-flux migrate generate --db "$DB" --label orders
  run -0 pg-flux migrate apply --db "$DB"
  early="migrations/20000101_000000_nick.sql"
  mv "$theirs.keep" "$early"
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial "refusing to apply: $early sorts before"
  run -3 pg-flux migrate apply --db "$DB" --out-of-order
  assert_output --partial "refusing to apply $early: live database state has drifted"
  assert_output --partial "$drift_advice"
  run -0 pg-flux migrate apply --db "$DB" --out-of-order --force-after-drift
  assert_output --partial "applied 20000101_000000_nick.sql"
  assert_equal "$(sql_value "$DB" "select count(*) from pg_attribute where attrelid = 'users'::regclass and attname = 'nickname'")" 1
}

@test "the drift refusal gives the documented advice, and --force-after-drift then works" {
  users_v1
  run -0 pg-flux migrate generate --db "$DB" --label init
  file=$(latest_migration)
  sql "$DB" "create table stray (id int)"
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial "refusing to apply $file: live database state has drifted since this migration was generated (expected baseline=$(header "$file" baseline), live=$(state_hash "$DB"))."
  assert_output --partial "$drift_advice"
  assert_equal "$(table_exists users)" f
  run -0 pg-flux migrate apply --db "$DB" --force-after-drift
  assert_output --partial "Applying it anyway (--force-after-drift)."
  assert_output --regexp "applied $(basename "$file") "
  assert_equal "$(table_exists users)$(table_exists stray)$(tracked "$(basename "$file")")" tt1
}

@test "with --format json a refused or failed run still writes a pgflux.apply-result document saying why" {
  mkdir migrations
  echo "CREATE TABLE t (id int);" > migrations/20240101_000000_t.sql
  echo "DROP TABLE t;" > migrations/20240102_000000_drop.sql
  # Hazards: the first file is applied, the second refused.
  run -3 --separate-stderr pg-flux migrate apply --db "$DB" --format json
  echo "$output" > hazards.json
  validate pgflux.apply-result hazards.json
  run jq -c '[.applied[].name], [.applied[].state], .error.exit_code, .error.reason, .error.file, .error.hazards' hazards.json
  assert_output '["20240101_000000_t.sql"]
["applied"]
3
"hazards"
"20240102_000000_drop.sql"
["DATA_LOSS","MASS_DROP"]'
  run jq -r .error.message hazards.json
  assert_output --partial "blocking hazards"
  # A statement error names the statement.
  rm migrations/20240102_000000_drop.sql
  printf 'BEGIN;\nCREATE TABLE u (id int);\nSELECT 1/0;\nCOMMIT;\n' > migrations/20240103_000000_bad.sql
  run --separate-stderr -4 flux-apply --db "$DB" --format json
  echo "$output" > error.json
  validate pgflux.apply-result error.json
  run jq -c '.applied, .error.exit_code, .error.reason, .error.location' error.json
  assert_output '[]
4
"statement_error"
"migrations/20240103_000000_bad.sql:3"'
  assert_equal "$(table_exists u)" f
  # An applied file changed.
  rm migrations/20240103_000000_bad.sql
  echo "-- edited" >> migrations/20240101_000000_t.sql
  run --separate-stderr -3 flux-apply --db "$DB" --format json
  echo "$output" > changed.json
  validate pgflux.apply-result changed.json
  assert_equal "$(jq -c '[.error.reason, .error.file]' changed.json)" '["changed_file","20240101_000000_t.sql"]'
  # Bad input (an invalid duration) is reported the same way.
  run --separate-stderr -2 flux-apply --db "$DB" --format json --lock-timeout 5
  echo "$output" > usage.json
  validate pgflux.apply-result usage.json
  assert_equal "$(jq -c '[.error.exit_code, .error.reason, .error.file]' usage.json)" '[2,"invalid_input",null]'
  # The drift refusal.
  mkdir other
  users_v1
  run -0 pg-flux migrate generate --db "$DB" --migrations-dir other --label init
  sql "$DB" "create table stray (id int)"
  run -3 --separate-stderr flux-apply --db "$DB" --migrations-dir other --format json
  echo "$output" > drift.json
  validate pgflux.apply-result drift.json
  assert_equal "$(jq -c '[.error.exit_code, .error.reason]' drift.json)" '[3,"drift"]'
  run jq -r .error.message drift.json
  assert_output --partial "$drift_advice"
}

@test "--lock-timeout and --statement-timeout take PostgreSQL durations, strictly" {
  mkdir migrations
  for bad in 5 5sec '5 s' -1s 1.5s "1s'; drop table x; --" 30d ''; do
    run -2 flux-apply --db "$DB" --lock-timeout="$bad"
    assert_output --partial "--lock-timeout \"$bad\""
    run -2 pg-flux migrate apply --db "$DB" --statement-timeout="$bad"
  done
  # The limits are set on the session that runs the files.
  printf 'CREATE TABLE settings AS SELECT current_setting($$lock_timeout$$) AS l, current_setting($$statement_timeout$$) AS s;\n' \
    > migrations/20240101_000000_probe.sql
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(sql_value "$DB" "select l || ' ' || s from settings")" "5s 10min"
  printf 'CREATE TABLE settings2 AS SELECT current_setting($$lock_timeout$$) AS l, current_setting($$statement_timeout$$) AS s;\n' \
    > migrations/20240102_000000_probe.sql
  run -0 pg-flux migrate apply --db "$DB" --lock-timeout 250ms --statement-timeout 0
  assert_equal "$(sql_value "$DB" "select l || ' ' || s from settings2")" "250ms 0"
  # A statement longer than statement_timeout: exit 4, rolled back.
  printf 'BEGIN;\nCREATE TABLE slow (id int);\nSELECT pg_sleep(3);\nCOMMIT;\n' > migrations/20240103_000000_slow.sql
  run -4 --separate-stderr pg-flux migrate apply --db "$DB" --statement-timeout 1s --format json
  assert_equal "$(jq -c '[.error.reason, .error.location]' <<< "$output")" '["statement_timeout","migrations/20240103_000000_slow.sql:3"]'
  assert_equal "$(table_exists slow)" f
}

# undo_v2 FORWARD: writes FORWARD.undo.sql by hand, reversing users_v2 (its
# baseline is the forward's target and its target the forward's baseline).
undo_v2() {
  cat > "${1%.sql}.undo.sql" <<SQL
-- pg-flux migration
-- format: 1
-- baseline: $(header "$1" target)
-- target: $(header "$1" baseline)
-- hazards: DATA_LOSS
BEGIN;
DROP INDEX public.users_nickname_idx;
ALTER TABLE public.users DROP COLUMN nickname;
COMMIT;
SQL
}

@test "migrate undo FILE: the undo file runs, the tracking row goes, the database is back at the baseline" {
  users_v1
  run -0 pg-flux migrate generate --db "$DB" --label init
  first=$(latest_migration)
  run -0 pg-flux migrate apply --db "$DB"
  users_v2
  run -0 pg-flux migrate generate --db "$DB" --label nick
  second=$(latest_migration); name=$(basename "$second")
  run -0 pg-flux migrate apply --db "$DB"
  sql "$DB" "insert into users values (1, 'a@example.com', 'al')"
  # No undo file yet.
  run -2 pg-flux migrate undo "$name" --db "$DB"
  assert_output --partial "cannot undo $name: its undo file migrations/${name%.sql}.undo.sql does not exist"
  undo_v2 "$second"
  # apply never picks it up.
  run -0 pg-flux migrate apply --db "$DB"
  assert_output "no pending migrations in migrations"
  # Only the newest applied file can be undone.
  cp "${second%.sql}.undo.sql" "${first%.sql}.undo.sql"
  run -3 pg-flux migrate undo "$first" --db "$DB"
  assert_output --partial "refusing to undo $(basename "$first"): $name was applied after it"
  rm "${first%.sql}.undo.sql"
  # Hazards are refused as apply refuses them.
  run -3 pg-flux migrate undo "$name" --db "$DB"
  assert_output --partial "DATA_LOSS"
  assert_equal "$(tracked "$name")" 1
  run -0 pg-flux migrate undo "$second" --db "$DB" --allow-hazards DATA_LOSS
  assert_output --regexp "^undone $name with ${name%.sql}.undo.sql \(2 statements, [0-9]+ ms\)$"
  assert_equal "$(tracked "$name")" 0
  assert_equal "$(state_hash "$DB")" "$(header "$second" baseline)"
  assert_equal "$(sql_value "$DB" "select id || email from users")" "1a@example.com"
  users_v1
  run -0 pg-flux drift --db "$DB"
  # The forward file is pending again: apply runs it again.
  run -0 pg-flux migrate apply --db "$DB"
  assert_output --regexp "^applied $name "
}

# bats test_tags=long
@test "migrate undo refuses a drifted database unless --force-after-drift, and reports JSON" {
  users_v1
  run -0 pg-flux migrate generate --db "$DB" --label init
  run -0 pg-flux migrate apply --db "$DB"
  users_v2
  run -0 pg-flux migrate generate --db "$DB" --label nick
  second=$(latest_migration); name=$(basename "$second")
  run -0 pg-flux migrate apply --db "$DB"
  undo_v2 "$second"
  sql "$DB" "create table stray (id int)"
  run -3 --separate-stderr pg-flux migrate undo "$name" --db "$DB" --allow-hazards DATA_LOSS --format json
  echo "$output" > drift.json
  validate pgflux.apply-result drift.json
  assert_equal "$(jq -c '[.applied, .error.reason, .error.exit_code]' drift.json)" '[[],"drift",3]'
  assert_equal "$(tracked "$name")" 1
  run -0 --separate-stderr pg-flux migrate undo "${name%.sql}.undo.sql" --db "$DB" --allow-hazards DATA_LOSS --force-after-drift --format json
  echo "$output" > undone.json
  validate pgflux.apply-result undone.json
  assert_equal "$(jq -c '[.applied[] | [.name, .state]], has("error")' undone.json)" "[[\"$name\",\"undone\"]]
false"
  assert_equal "$(tracked "$name")$(table_exists stray)" 0t
  # Not applied any more: nothing to undo.
  run -3 pg-flux migrate undo "$name" --db "$DB" --allow-hazards DATA_LOSS
  assert_output --partial "refusing to undo $name: it is not recorded as applied"
}

@test "an undo file with an after-commit part: the tracking row goes with the transactional part" {
  mkdir migrations
  printf 'BEGIN;\nCREATE TABLE t (id int, v int);\nCOMMIT;\nCREATE INDEX CONCURRENTLY t_v_idx ON t (v);\n' > migrations/20240101_000000_t.sql
  run -0 pg-flux migrate apply --db "$DB"
  printf 'BEGIN;\nALTER TABLE t ADD COLUMN w int;\nCOMMIT;\nDROP INDEX CONCURRENTLY t_v_idx;\n' > migrations/20240101_000000_t.undo.sql
  run -0 pg-flux migrate undo migrations/20240101_000000_t.sql --db "$DB"
  assert_output --partial "undone 20240101_000000_t.sql"
  assert_equal "$(sql_value "$DB" "select to_regclass('t_v_idx') is null")$(tracked 20240101_000000_t.sql)" t0
  assert_equal "$(sql_value "$DB" "select count(*) from pg_attribute where attrelid = 't'::regclass and attname = 'w'")" 1
  run -2 pg-flux migrate undo --db "$DB"
  assert_output --partial "usage: pg-flux migrate undo FILE"
}

@test "progress: on a terminal apply shows the statement it runs, in place; without one nothing extra" {
  users_v2
  run -0 pg-flux migrate generate --db "$DB" --label init
  name=$(basename "$(latest_migration)")
  # script(1) gives the run a terminal; its output is what the terminal got.
  TERM=xterm script -qec "pg-flux migrate apply --db '$DB'" /dev/null > tty.out
  grep -q $'\r\033\[K'"$name: statement 1 of [0-9]* ([0-9.]* s): CREATE TABLE" tty.out || { cat -v tty.out; false; }
  # The line is erased before the result line is written.
  grep -q $'\r\033\[Kapplied '"$name " tty.out || { cat -v tty.out; false; }
  # Without a terminal: the result only.
  sql "$DB" "drop table users; drop schema _pgflux cascade"
  run --separate-stderr -0 pg-flux migrate apply --db "$DB"
  assert_output --regexp "^applied $name "
  assert_equal "$stderr" ""
}

@test "progress: on a terminal the shadow load and the catalog read show counts; without one nothing extra" {
  users_v2
  TERM=xterm script -qec "pg-flux drift --db '$DB' --no-cache" /dev/null > tty.out || true
  grep -q $'\r\033\[Kloading the shadow database: statement 1 of [0-9]*' tty.out || { cat -v tty.out; false; }
  TERM=xterm script -qec "flux-snapshot --db '$DB' > live.json" /dev/null > tty.out
  grep -q $'\r\033\[Kreading the catalog (1 of [0-9]*): schema; 0 objects so far' tty.out || { cat -v tty.out; false; }
  run --separate-stderr -1 pg-flux drift --db "$DB" --no-cache
  assert_equal "$stderr" ""
  run --separate-stderr -0 flux-snapshot --db "$DB"
  assert_equal "$stderr" ""
}
