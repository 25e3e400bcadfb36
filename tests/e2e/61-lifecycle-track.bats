#!/usr/bin/env bats
# The tracking side of the migration lifecycle: migrate status flags (OUT OF
# ORDER, APPLIED BY HAND, STALE, INVALID INDEX) with their JSON, generate
# refusing a stale or hand-applied pending file, migrate baseline FILE...,
# the refusal rule of migrate repair, and a --migrations-dir that does not
# exist. Every situation is made for real on the suite's cluster.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; jsonschema_setup; BG_PIDS=""; }
teardown() { kill_background; }

k_time='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
k_by_hand='APPLIED BY HAND: the database already matches its target (applied by hand?); migrate apply records it'
k_stale='STALE: generated against another database state; run `pg-flux migrate rebase`'

# status_json NAME: writes flux-track status --format json to NAME and validates it.
status_json() {
  flux-track status --db "$DB" --format json > "$1" || [ $? -eq 1 ]
  validate pgflux.status "$1"
}

# applied_at NAME: the row's applied_at as status shows it.
applied_at() {
  sql_value "$DB" "select to_char(applied_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') from _pgflux.migrations where name = '$1'"
}

# init_applied: schema with users, its migration generated and applied on $DB ($INIT).
init_applied() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label init
  INIT=$(basename "$(latest_migration)")
  run -0 pg-flux migrate apply --db "$DB"
}

# one_pending: $INIT applied on $DB, $NAME pending (adds users.name).
one_pending() {
  init_applied
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, name text);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label name
  NAME=$(basename "$(latest_migration)")
}

# two_pending: $INIT applied on $DB; $B and $C generated one after the other
# on a developer's database ($DEV, where they are applied), pending on $DB:
# $C starts from $B's target.
two_pending() {
  init_applied
  DEV=$(new_db "dev$BATS_SUITE_TEST_NUMBER")
  run -0 pg-flux migrate apply --db "$DEV"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, name text);
SQL
  run -0 pg-flux migrate generate --db "$DEV" --label name
  B=$(basename "$(latest_migration)")
  run -0 pg-flux migrate apply --db "$DEV"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, name text, email text);
SQL
  run -0 pg-flux migrate generate --db "$DEV" --label email
  C=$(basename "$(latest_migration)")
}

# bats test_tags=long
@test "status: NAME applied YYYY-MM-DD HH:MM:SS (UTC) and NAME pending, one space apart" {
  one_pending
  run -0 pg-flux migrate status --db "$DB"
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 "$INIT applied $(applied_at "$INIT")"
  assert_line --index 0 --regexp "^[0-9]{8}_[0-9]{6}_init\.sql applied $k_time$"
  assert_line --index 1 "$NAME pending"
  # The time is the row's, in UTC whatever the session's time zone.
  sql "$DB" "alter database \"t$BATS_SUITE_TEST_NUMBER\" set timezone = 'America/New_York'"
  run -0 pg-flux migrate status --db "$DB"
  assert_line --index 0 "$INIT applied $(applied_at "$INIT")"
  status_json s.json
  run jq -r '[.live_hash == .migrations[0].target, .migrations[1].baseline == .migrations[0].target,
              .migrations[0].recorded_target == .migrations[0].target, .problems, (.invalid_indexes | length)]
             | map(tostring) | join(" ")' s.json
  assert_output "true true true 0 0"
  run jq -r '.migrations[] | [.name, .state, .out_of_order, .applied_by_hand, .stale, .problem] | map(tostring) | join(" ")' s.json
  assert_line --index 0 "$INIT applied false false false false"
  assert_line --index 1 "$NAME pending false false false false"
}

# bats test_tags=long
@test "status: a pending file run by hand with psql -f is APPLIED BY HAND; generate says to run migrate apply" {
  one_pending
  run -0 psql -X -q -v ON_ERROR_STOP=1 "$DB" -f "migrations/$NAME"
  # Not a problem: apply records it.
  run -0 pg-flux migrate status --db "$DB"
  assert_line --index 1 "$NAME pending  $k_by_hand"
  status_json s.json
  run jq -r '.migrations[1] | [.applied_by_hand, .stale, .problem, .target == $live] | map(tostring) | join(" ")' \
    --arg live "$(state_hash "$DB")" s.json
  assert_output "true false false true"
  write_schema more.sql <<'SQL'
create table more (id int);
SQL
  run -3 pg-flux migrate generate --db "$DB" --label more
  assert_output "flux-track: error: refusing to generate: $NAME is applied by hand already (the database matches the target hash). Run \`pg-flux migrate apply\` to record it."
  assert_equal "$(ls migrations | wc -l)" 2
}

@test "status: a pending file sorting before the newest applied one is OUT OF ORDER (exit 1)" {
  mkdir migrations
  echo "CREATE TABLE a (id int);" > migrations/20260101_000000_a.sql
  echo "CREATE TABLE c (id int);" > migrations/20260103_000000_c.sql
  run -0 pg-flux migrate apply --db "$DB"
  # A teammate's older file merged after the newer ones ran.
  echo "CREATE TABLE b (id int);" > migrations/20260102_000000_b.sql
  echo "CREATE TABLE d (id int);" > migrations/20260104_000000_d.sql
  run -1 pg-flux migrate status --db "$DB"
  assert_equal "${#lines[@]}" 4
  assert_line --index 1 "20260102_000000_b.sql pending  OUT OF ORDER: sorts before 20260103_000000_c.sql, which is applied; migrate apply refuses it unless --out-of-order"
  assert_line --index 3 "20260104_000000_d.sql pending"
  status_json s.json
  run jq -r '.migrations | map(.name[16:17] + "=" + (.out_of_order | tostring) + "/" + (.problem | tostring)) | join(" ")' s.json
  assert_output "a=false/false b=true/true c=false/false d=false/false"
  run jq -r .problems s.json
  assert_output 1
  # Once it is recorded it is no longer pending, nor out of order.
  run -0 pg-flux migrate baseline --db "$DB" 20260102_000000_b.sql
  run -0 pg-flux migrate status --db "$DB"
  assert_line --index 1 --regexp "^20260102_000000_b\.sql applied $k_time$"
}

@test "status: a pending file generated against another state is STALE (exit 1); generate says to rebase" {
  two_pending
  run -0 pg-flux migrate status --db "$DB"
  assert_line --index 1 "$B pending"
  assert_line --index 2 "$C pending"
  run -3 pg-flux migrate generate --db "$DB" --label later
  assert_output "flux-track: error: refusing to generate: migrations not applied yet: $B $C. Apply them first (pg-flux migrate apply) or remove them; a new migration would repeat their changes."

  # A teammate's migration changed the database meanwhile.
  sql "$DB" "create table teammate (id int)"
  run -1 pg-flux migrate status --db "$DB"
  assert_line --index 0 --regexp "^$INIT applied $k_time$"
  assert_line --index 1 "$B pending  $k_stale"
  # The second file follows the first: rebasing the first is what it takes.
  assert_line --index 2 "$C pending"
  status_json s.json
  run jq -r '[.migrations[1].stale, .migrations[2].stale, .migrations[1].baseline != .live_hash, .problems] | map(tostring) | join(" ")' s.json
  assert_output "true false true 1"
  # Every pending file is stale: generate rebases them (what apply's refusal advises).
  run -0 pg-flux migrate generate --db "$DB" --label later
  assert_output --partial "rebased migrations/$B -> "
  assert_equal "$(ls migrations | wc -l)" 3
  # A file without a baseline header (written by hand) is never stale.
  echo "CREATE TABLE z (id int);" > migrations/29990101_000000_z.sql
  run pg-flux migrate status --db "$DB"
  assert_line --index 3 "29990101_000000_z.sql pending"
}

@test "status: an index left INVALID by an interrupted concurrent build; migrate generate rebuilds it" {
  write_schema app.sql <<'SQL'
create table t (v int);
create unique index t_v_key on t (v);
SQL
  sql "$DB" "create table t (v int); insert into t values (1), (1)"
  run psql -X -q "$DB" -c "create unique index concurrently t_v_key on t (v)"
  assert_failure
  mkdir migrations
  run -1 pg-flux migrate status --db "$DB"
  assert_output 'no migrations in migrations
INVALID INDEX public.t_v_key on public.t: left by an interrupted concurrent build; `pg-flux migrate generate` writes a migration that rebuilds it'
  status_json s.json
  run jq -c '[.invalid_indexes[] | [.schema, .name, .table_schema, .table, .rebuilt_by, .problem]]' s.json
  assert_output '[["public","t_v_key","public","t","migrate generate",true]]'
  # What status promises: generate replaces it, apply builds it valid.
  sql "$DB" "delete from t; insert into t values (1)"
  run -0 pg-flux migrate generate --db "$DB" --label rebuild
  assert_file_contains "$(latest_migration)" 'DROP INDEX'
  run -0 pg-flux migrate apply --db "$DB"
  run -0 pg-flux migrate status --db "$DB"
  refute_output --partial INVALID
  run sql_value "$DB" "select indisvalid from pg_index where indexrelid = 't_v_key'::regclass"
  assert_output t
}

@test "status: an INVALID index of an incomplete file is rebuilt by the next migrate apply" {
  mkdir migrations
  cat > migrations/20240101_000000_dup.sql <<'SQL'
BEGIN;
CREATE TABLE t (v int);
INSERT INTO t VALUES (1), (1);
COMMIT;
CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v);
SQL
  run -4 pg-flux migrate apply --db "$DB"
  run -1 pg-flux migrate status --db "$DB"
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 --regexp "^20240101_000000_dup\.sql applied $k_time  INCOMPLETE: after-commit 0 of 1 done; run migrate apply to resume$"
  assert_line --index 1 "INVALID INDEX public.t_v_key on public.t: left by an interrupted concurrent build; the next migrate apply rebuilds it (resuming 20240101_000000_dup.sql)"
  status_json s.json
  run jq -c '[.migrations[0] | .state, .after_commit_done, .after_commit_total, .problem] + [.invalid_indexes[0] | .rebuilt_by, .incomplete_file]' s.json
  assert_output '["incomplete",0,1,true,"migrate apply","20240101_000000_dup.sql"]'
  run jq -r .problems s.json
  assert_output 2
  sql "$DB" "delete from t; insert into t values (1)"
  run -0 pg-flux migrate apply --db "$DB"
  run -0 pg-flux migrate status --db "$DB"
  assert_output --regexp "^20240101_000000_dup\.sql applied $k_time$"
}

@test "status: an index being built concurrently is shown, not counted as a problem" {
  mkdir migrations
  sql "$DB" "create table t (v int)"
  # An open writing transaction makes CREATE INDEX CONCURRENTLY wait with its
  # index already in the catalog, invalid.
  psql -X -q "$DB" -c "begin" -c "insert into t values (1)" -c "select pg_sleep(30)" >/dev/null 2>&1 &
  BG_PIDS="$BG_PIDS $!"
  writer_waits() { [ "$(sql_value "$DB" "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 't' and l.mode = 'RowExclusiveLock' and l.granted")" = 1 ]; }
  wait_for writer_waits
  psql -X -q "$DB" -c "create index concurrently t_v_idx on t (v)" >/dev/null 2>&1 &
  BG_PIDS="$BG_PIDS $!"
  build_waits() { [ "$(sql_value "$DB" "select count(*) from pg_stat_progress_create_index where index_relid = to_regclass('t_v_idx')")" = 1 ]; }
  wait_for build_waits
  pid=$(sql_value "$DB" "select pid from pg_stat_progress_create_index")
  run -0 pg-flux migrate status --db "$DB"
  assert_output "no migrations in migrations
INVALID INDEX public.t_v_idx on public.t: being built by backend $pid (a concurrent build in progress)"
  status_json s.json
  run jq -c '.invalid_indexes[0] | [.building_pid == ($pid | tonumber), .problem, has("rebuilt_by")]' --arg pid "$pid" s.json
  assert_output '[true,false,false]'
  sql "$DB" "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()" >/dev/null
}

# bats test_tags=long
@test "migrate baseline FILE records the named files only; a file not in the directory or an undo file is exit 2" {
  two_pending
  before=$(sql_value "$DB" "select count(*) from _pgflux.migrations")

  run -2 pg-flux migrate baseline --db "$DB" 20990101_000000_nope.sql
  assert_output 'flux-track: error: "20990101_000000_nope.sql" is not a migration file in the migrations directory "migrations" (check the name and --migrations-dir)'
  mkdir elsewhere
  cp "migrations/$B" elsewhere/
  run -2 pg-flux migrate baseline --db "$DB" "elsewhere/$B"
  assert_output "flux-track: error: \"elsewhere/$B\" is not a migration file in the migrations directory \"migrations\" (check the name and --migrations-dir)"
  undo=${B%.sql}.undo.sql
  echo "ALTER TABLE users DROP COLUMN name;" > "migrations/$undo"
  run -2 pg-flux migrate baseline --db "$DB" "$undo"
  assert_output "flux-track: error: \"$undo\" is an undo file, not a migration: baseline records migration files of \"migrations\" (\`pg-flux migrate undo\` runs undo files)"
  # A good and a bad FILE: nothing is recorded.
  run -2 pg-flux migrate baseline --db "$DB" "$B" nope.sql
  assert_equal "$(sql_value "$DB" "select count(*) from _pgflux.migrations")" "$before"

  # A path into the directory and a bare name both work; only they are recorded.
  run -0 pg-flux migrate baseline --db "$DB" "migrations/$B"
  assert_output "recorded $B as applied (not run)"
  assert_equal "$(tracked "$C")" 0
  run sql_value "$DB" "select state, note, checksum = '$(sha256sum "migrations/$B" | cut -d' ' -f1)', statements_hash ~ '^[0-9a-f]{64}$' from _pgflux.migrations where name = '$B'"
  assert_output "applied|baseline: recorded without running it|t|t"
  # Not run.
  run sql_value "$DB" "select count(*) from information_schema.columns where table_name = 'users' and column_name = 'name'"
  assert_output 0
  run -3 pg-flux migrate baseline --db "$DB" "$B"
  assert_output "flux-track: error: refusing to baseline $B: it is already applied (recorded $(applied_at "$B") UTC by postgres; baseline: recorded without running it)"
  run -3 pg-flux migrate baseline --db "$DB" "$INIT"
  assert_output "flux-track: error: refusing to baseline $INIT: it is already applied (recorded $(applied_at "$INIT") UTC by postgres)"
  run -0 pg-flux migrate baseline --db "$DB" "$C"
  assert_output "recorded $C as applied (not run)"
  run -0 pg-flux migrate status --db "$DB"
  assert_equal "${#lines[@]}" 3
  status_json s.json
  run jq -r '.migrations[1].note' s.json
  assert_output "baseline: recorded without running it"
  # With no FILE: every pending file, and the undo file is never one.
  run -0 pg-flux migrate baseline --db "$DB"
  assert_output "nothing to record: no pending migrations in migrations"
}

@test "migrate repair accepts a comment or formatting edit and records it with a note" {
  init_applied
  row() { sql_value "$DB" "select checksum, statements_hash, coalesce(note, '-') from _pgflux.migrations where name = '$INIT'"; }
  old_hash=$(sql_value "$DB" "select statements_hash from _pgflux.migrations where name = '$INIT'")
  [[ "$old_hash" =~ ^[0-9a-f]{64}$ ]]
  # Comments added, the statement re-indented and its keywords in lower case.
  sed -i -e 's/^-- Review it.*/-- Reviewed by ops./' -e 's/^CREATE TABLE/create   table/' "migrations/$INIT"
  echo "-- checked on staging" >> "migrations/$INIT"
  run -1 pg-flux migrate status --db "$DB"
  assert_output --regexp "^$INIT applied $k_time  CHANGED since it was applied \(checksum differs\): restore it, or record an edit of comments or formatting with \`pg-flux migrate repair\`$"
  run -0 pg-flux migrate repair --db "$DB"
  assert_output "recorded the edited $INIT (its statements are not re-run)"
  run row
  assert_output "$(sha256sum "migrations/$INIT" | cut -d' ' -f1)|$old_hash|repair: comments or formatting edited, statements unchanged"
  run -0 pg-flux migrate status --db "$DB"
  run -0 pg-flux migrate repair --db "$DB"
  assert_output "nothing to repair in migrations"
}

@test "migrate repair refuses (exit 3) an edit of the statements or the header hashes and records nothing" {
  init_applied
  snapshot() { sql_value "$DB" "select to_jsonb(m) from _pgflux.migrations m order by name"; }
  before=$(snapshot)
  cp "migrations/$INIT" original.sql
  sed -i 's/id bigint/id integer/' "migrations/$INIT"
  run -3 pg-flux migrate repair --db "$DB"
  assert_output "flux-track: error: refusing to repair $INIT: its statements changed since it was applied (not only comments or formatting). This database ran the file as it was; a database that applies the edited file would get something else. Restore the file from version control and write a new migration for the change.
Nothing was recorded."
  assert_equal "$(snapshot)" "$before"
  # The header's target hash edited (statements as they were).
  cp original.sql "migrations/$INIT"
  sed -i "s/^-- target: .*/-- target: sha256:$(printf '0%.0s' {1..64})/" "migrations/$INIT"
  run -3 pg-flux migrate repair --db "$DB"
  assert_output --partial "refusing to repair $INIT: its header's target hash is not the recorded one (the file now claims to go between other database states)."
  assert_equal "$(snapshot)" "$before"
  # Restored: nothing to repair.
  cp original.sql "migrations/$INIT"
  run -0 pg-flux migrate repair --db "$DB"
  assert_output "nothing to repair in migrations"
}

@test "migrate repair of a row without a statements hash (older pg-flux): header hashes decide, with a warning" {
  init_applied
  sql "$DB" "update _pgflux.migrations set statements_hash = null"
  echo "-- reviewed" >> "migrations/$INIT"
  run --separate-stderr -0 pg-flux migrate repair --db "$DB"
  assert_output "recorded the edited $INIT (its statements are not re-run)"
  assert_equal "$stderr" "flux-track: warning: $INIT was recorded by an older pg-flux without a statements hash: whether its statements changed cannot be checked; the edit is accepted because its baseline and target hashes are the recorded ones. Make sure only comments or formatting changed."
  run sql_value "$DB" "select note, statements_hash ~ '^[0-9a-f]{64}$' from _pgflux.migrations"
  assert_output "repair: edit accepted on the header hashes (recorded without a statements hash)|t"
  # With the header hashes edited it is refused like any other edit.
  sql "$DB" "update _pgflux.migrations set statements_hash = null, baseline_hash = 'sha256:' || repeat('0', 64)"
  echo "-- again" >> "migrations/$INIT"
  run -3 pg-flux migrate repair --db "$DB"
  assert_output --partial "its header's baseline hash is not the recorded one"
  # A missing file stays a warning.
  rm "migrations/$INIT"
  run --separate-stderr -0 pg-flux migrate repair --db "$DB"
  assert_equal "$stderr" "flux-track: warning: $INIT is recorded but missing from migrations; restore it from version control"
  assert_output "nothing to repair in migrations"
}

@test "a --migrations-dir that does not exist is exit 2 for status, baseline and repair, and is not created" {
  for cmd in status baseline repair; do
    run -2 pg-flux migrate "$cmd" --db "$DB" --migrations-dir migrashuns
    assert_output 'flux-track: error: migrations directory "migrashuns" does not exist (check --migrations-dir)'
  done
  run -2 pg-flux migrate baseline --db "$DB" --migrations-dir migrashuns 20260101_000000_a.sql
  assert_output 'flux-track: error: migrations directory "migrashuns" does not exist (check --migrations-dir)'
  assert [ ! -e migrashuns ]
  # Nothing was written to the database either.
  run sql_value "$DB" "select to_regnamespace('_pgflux') is null"
  assert_output t
  touch not-a-dir
  run -2 pg-flux migrate status --db "$DB" --migrations-dir not-a-dir
  assert_output 'flux-track: error: migrations directory "not-a-dir" is not a directory'
}
