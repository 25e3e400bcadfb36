#!/usr/bin/env bats
# pg-flux migrate apply run by several processes at once: waiters poll the
# advisory lock from the client and hold nothing a concurrent index build of
# the holder waits for (no deadlock); each file is applied once; the lock is
# released on every exit path; each file starts from a clean session.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }
teardown() { kill_background; }

# concurrent_applies N: runs N `pg-flux migrate apply` at once; fails unless
# every one exits 0 and says at most once that it waits.
concurrent_applies() {
  local n=$1 i pids=() rc failed=0
  for i in $(seq 1 "$n"); do
    pg-flux migrate apply --db "$DB" > "apply$i.out" 2> "apply$i.err" &
    pids+=($!)
  done
  for i in $(seq 1 "$n"); do
    rc=0
    wait "${pids[$((i - 1))]}" || rc=$?
    if [ "$rc" -ne 0 ]; then
      echo "apply $i exited $rc:" >&2
      cat "apply$i.out" "apply$i.err" >&2
      failed=1
    fi
    if [ "$(grep -c 'waiting for another pg-flux apply' "apply$i.err")" -gt 1 ]; then
      echo "apply $i said more than once that it waits" >&2
      failed=1
    fi
  done
  return $failed
}

@test "4 concurrent applies x 3 rounds of files with CREATE INDEX CONCURRENTLY after the commit: no deadlock, each file once" {
  write_schema app.sql <<'SQL'
create table items (id bigint primary key, a int, b int, c int, d text);
SQL
  load_schema "$DB"
  sql "$DB" "insert into items select g, g % 97, g % 89, g % 83, md5(g::text) from generate_series(1, 60000) g"
  indexes="create table items (id bigint primary key, a int, b int, c int, d text);"
  for round in 1 2 3; do
    col=$(echo a b c | cut -d' ' -f"$round")
    indexes="$indexes
create index items_${col}_idx on items ($col);
create index items_${col}_d_idx on items ($col, d);"
    printf '%s\n' "$indexes" | write_schema app.sql
    run -0 pg-flux migrate generate --db "$DB" --label "round$round"
    file=$(latest_migration)
    assert_file_contains "$file" "^CREATE INDEX CONCURRENTLY items_${col}_idx"
    assert_file_contains "$file" "^CREATE INDEX CONCURRENTLY items_${col}_d_idx"
    concurrent_applies 4
    # Exactly one process applied the file; the others found nothing pending.
    assert_equal "$(cat apply*.out | grep -c "^applied $(basename "$file")")" 1
    assert_equal "$(cat apply*.out | grep -c '^no pending migrations')" 3
  done
  run sql_value "$DB" "select count(*), count(*) filter (where state = 'applied' and after_commit_done = after_commit_total),
    count(distinct name) from _pgflux.migrations"
  assert_output "3|3|3"
  run sql_value "$DB" "select count(*), bool_and(x.indisvalid) from pg_index x where x.indrelid = 'items'::regclass"
  assert_output "7|t"
  run sql_value "$DB" "select count(*) from pg_locks where locktype = 'advisory'"
  assert_output 0
  run -0 pg-flux drift --db "$DB"
}

@test "a waiting apply polls from the client: it holds no snapshot and waits in no lock while the holder builds" {
  mkdir migrations
  cat > migrations/20240101_000000_t.sql <<'SQL'
BEGIN;
CREATE TABLE t (id int PRIMARY KEY, v int);
COMMIT;
SQL
  # Another session holds the apply lock.
  rm -f lockfifo && mkfifo lockfifo
  psql -X -q "$DB" < lockfifo > /dev/null 2>&1 &
  BG_PIDS="$!"
  exec 7> lockfifo
  echo "select pg_advisory_lock($k_apply_lock);" >&7
  for i in $(seq 1 100); do
    [ "$(sql_value "$DB" "select count(*) from pg_locks where locktype = 'advisory' and granted")" = 1 ] && break
    sleep 0.1
  done
  flux-apply --db "$DB" --format text > apply.out 2> apply.err &
  apply_pid=$!
  BG_PIDS="$BG_PIDS $apply_pid"
  for i in $(seq 1 100); do grep -q 'waiting for another' apply.err && break; sleep 0.1; done
  sleep 1
  # Nobody waits inside the server for the advisory lock, and the waiter's
  # backend has no snapshot (backend_xmin) a concurrent build would wait for.
  run sql_value "$DB" "select count(*) from pg_locks where locktype = 'advisory' and not granted"
  assert_output 0
  run sql_value "$DB" "select count(*) from pg_stat_activity where application_name = 'pg-flux apply'
    and (wait_event_type = 'Lock' or (state = 'idle' and backend_xmin is not null))"
  assert_output 0
  run sql_value "$DB" "select count(*) from pg_stat_activity where application_name = 'pg-flux apply'"
  assert_output 1
  # It says once that it waits, naming the backend that holds the lock.
  assert_equal "$(grep -c 'waiting for another pg-flux apply' apply.err)" 1
  assert_file_contains apply.err 'waiting for another pg-flux apply on this database to finish (backend [0-9][0-9]*'
  echo "select pg_advisory_unlock($k_apply_lock);" >&7
  exec 7>&-
  wait "$apply_pid"
  assert_file_contains apply.out '^applied 20240101_000000_t.sql'
}

@test "the advisory lock is released when apply fails, in the transaction and after the commit" {
  mkdir migrations
  cat > migrations/20240101_000000_bad.sql <<'SQL'
BEGIN;
CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t VALUES (1, 1), (2, 1);
COMMIT;
CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v);
SQL
  run -4 flux-apply --db "$DB"
  assert_output --partial "after-commit statement 1 of 1 failed"
  run sql_value "$DB" "select count(*) from pg_locks where locktype = 'advisory'"
  assert_output 0
  cat > migrations/20240101_000001_worse.sql <<'SQL'
BEGIN;
CREATE TABLE u (id int PRIMARY KEY);
SELECT 1/0;
COMMIT;
SQL
  sql "$DB" "update t set v = 2 where id = 2"
  # The next apply neither waits nor finds a lock left behind.
  run -4 flux-apply --db "$DB"
  refute_output --partial "waiting for another"
  assert_output --partial "Nothing from 20240101_000001_worse.sql was applied"
  run sql_value "$DB" "select count(*) from pg_locks where locktype = 'advisory'"
  assert_output 0
  run sql_value "$DB" "select state from _pgflux.migrations where name = '20240101_000000_bad.sql'"
  assert_output applied
}

@test "each file starts from a clean session: SET, SET ROLE, temp tables and prepared statements do not leak" {
  sql "$DB" "create role flux_leak_role"
  mkdir migrations
  cat > migrations/20240101_000000_dirty.sql <<'SQL'
BEGIN;
CREATE TABLE one (id int PRIMARY KEY);
COMMIT;
SET search_path = nosuch;
SET ROLE flux_leak_role;
CREATE TEMP TABLE scratch (id int);
PREPARE leaked AS SELECT 1;
SET statement_timeout = 1;
SQL
  cat > migrations/20240101_000001_next.sql <<'SQL'
BEGIN;
CREATE TABLE two (id int PRIMARY KEY);
CREATE TABLE seen AS SELECT current_setting('search_path') AS path, current_user::text AS who,
  (SELECT count(*) FROM pg_prepared_statements) AS prepared, to_regclass('pg_temp.scratch') IS NULL AS no_temp,
  current_setting('statement_timeout') AS timeout;
COMMIT;
SQL
  cat > migrations/20240101_000002_inside.sql <<'SQL'
BEGIN;
SET search_path = nosuch;
CREATE TABLE public.three (id int PRIMARY KEY);
COMMIT;
CREATE TABLE four AS SELECT current_setting('search_path') AS path;
SQL
  run -0 flux-apply --db "$DB" --format text
  run sql_value "$DB" "select path || '|' || who || '|' || prepared || '|' || no_temp || '|' || timeout from seen"
  # statement_timeout: apply's own (default 10min), not the previous file's 1ms.
  assert_output '"$user", public|postgres|0|true|10min'
  # The after-commit part runs in a clean session after the transaction too.
  run sql_value "$DB" "select path from public.four"
  assert_output '"$user", public'
  run sql_value "$DB" "select count(*) from _pgflux.migrations where state = 'applied'"
  assert_output 3
}
