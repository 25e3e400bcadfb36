#!/usr/bin/env bats
# pg-flux migrate apply killed at every point: kill -9 and SIGTERM of the
# apply process, pg_terminate_backend of its backend, a server restart;
# before the transactional part (waiting for the advisory lock), during it,
# after it, and during each after-commit statement. Each is followed by a
# normal apply that must converge: exit 0, the file recorded once and
# applied, the database in the file's target state (no drift), no half-applied
# transaction, every index valid. "During" is made deterministic with a
# blocker session holding a lock the statement waits for.
# Also: flux-parse / pg-flux drift interrupted leave no shadow database.
# The default run has kill -9 at every point and each other way of dying at
# one or two; the rest of the matrix is tagged long (scripts/test --full).
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
  pgflux_setup_file
  # One migration, generated once against a template database that every
  # test copies: a transactional part (a new table, a column, a CHECK added
  # NOT VALID) and after-commit statements (two concurrent index builds and
  # the validation).
  export PROJECT="$BATS_FILE_TMPDIR/project"
  mkdir -p "$PROJECT/schema"
  cd "$PROJECT" || return 1
  local base; base=$(new_db base)
  psql -X -q -v ON_ERROR_STOP=1 "$base" >/dev/null <<'SQL'
create table a (id bigint primary key, v int);
create table b (id bigint primary key, v int);
create table c (id bigint primary key, v int);
insert into a select g, g % 100 from generate_series(1, 20000) g;
insert into b select g, g % 100 from generate_series(1, 20000) g;
insert into c select g, g % 100 from generate_series(1, 20000) g;
SQL
  cat > schema/app.sql <<'SQL'
create table a (id bigint primary key, v int, note text, constraint a_v_check check (v >= 0));
create table b (id bigint primary key, v int);
create index b_v_idx on b (v);
create table c (id bigint primary key, v int);
create index c_v_idx on c (v);
create table d (id bigint primary key);
SQL
  pg-flux migrate generate --db "$base" --shadow-db none --label crash >/dev/null 2>&1 || return 1
  MIGRATION=$(ls "$PROJECT"/migrations/*.sql)
  export MIGRATION
}
teardown_file() { pgflux_teardown_file; }

setup() {
  pgflux_clean_env
  release
  DB=$(db_url "t$BATS_TEST_NUMBER")
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "drop database if exists \"t$BATS_TEST_NUMBER\" with (force)" \
    -c "create database \"t$BATS_TEST_NUMBER\" template base" >/dev/null
  export DB
  cd "$BATS_TEST_TMPDIR" || return 1
  cp -r "$PROJECT/schema" "$PROJECT/migrations" .
  NAME=$(basename "$MIGRATION")
  TARGET=$(header "$MIGRATION" target)
}
teardown() {
  [ -n "${APPLY_PID:-}" ] && kill -9 "$APPLY_PID" 2>/dev/null
  release
  return 0
}

admin() { psql -X -qAt "$PGFLUX_ADMIN_URL" -c "$1"; }

# block MODE TABLE: a session (application_name flux_blocker) that holds a
# lock until release: "lock:MODE" a table lock, "writer" an uncommitted insert
# (a concurrent index build waits for it after creating its invalid index),
# "advisory" the apply lock.
block() {
  local what
  case "$1" in
    advisory) what="select pg_advisory_lock($k_apply_lock);" ;;
    writer) what="begin; insert into $2 values (-1, 1);" ;;
    *) what="begin; lock table $2 in ${1#lock:} mode;" ;;
  esac
  PGAPPNAME="flux_blocker_$1_${2:-}" psql -X -q "$DB" -c "$what" -c "select pg_sleep(600)" >/dev/null 2>&1 3>&- &
  wait_for blocker_sleeps
}
# block_idle MODE TABLE: like block lock:MODE, but the session then sits idle
# in its transaction (no snapshot that a concurrent index build would wait for).
block_idle() {
  rm -f idlefifo && mkfifo idlefifo
  PGAPPNAME="flux_blocker_idle" psql -X -q "$DB" < idlefifo >/dev/null 2>&1 3>&- &
  sleep 600 > idlefifo 3>&- &
  IDLE_SLEEP=$!
  echo "begin; lock table $2 in $1 mode;" > idlefifo
  wait_for eval '[ "$(admin "select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where a.application_name = '"'"'flux_blocker_idle'"'"' and l.granted and l.locktype = '"'"'relation'"'"' and l.mode <> '"'"'AccessShareLock'"'"'")" -ge 1 ]'
}
blocker_sleeps() { [ "$(admin "select count(*) from pg_stat_activity where application_name like 'flux\_blocker%' and wait_event = 'PgSleep'")" -ge 1 ]; }
release() {
  if [ -z "${1:-}" ] && [ -n "${IDLE_SLEEP:-}" ]; then kill "$IDLE_SLEEP" 2>/dev/null; IDLE_SLEEP=""; fi
  admin "select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'flux\_blocker${1:-}%'" >/dev/null 2>&1
  return 0
}

# start_apply: flux-apply in the background ($APPLY_PID, output in apply.out).
start_apply() {
  flux-apply --db "$DB" --format text > apply.out 2>&1 3>&- &
  APPLY_PID=$!
}
# apply_waits [EVENT]: the apply's backend waits for a lock (of that wait_event).
apply_waits() {
  [ "$(admin "select count(*) from pg_stat_activity where application_name = 'pg-flux apply'
    and wait_event_type = 'Lock' and wait_event like '${1:-%}'")" -ge 1 ]
}
apply_backend() { admin "select pid from pg_stat_activity where application_name = 'pg-flux apply' limit 1"; }
done_count() { sql_value "$DB" "select coalesce((select after_commit_done from _pgflux.migrations), -1)"; }

# reach POINT: starts apply and stops it at POINT (the blockers stay).
# The file's after-commit statements: 1 VALIDATE CONSTRAINT on a, 2 and 3
# index builds on b and c.
reach() {
  case "$1" in
    before)  # waiting for the advisory lock
      block advisory
      start_apply
      wait_for grep -q 'waiting for another pg-flux apply' apply.out ;;
    transaction)  # ALTER TABLE a waits
      block lock:'access share' a
      start_apply
      wait_for apply_waits relation ;;
    validate)  # committed; the validation (after-commit 1) waits for a lock on a
      # A second blocker queues for a lock on a behind the apply's ALTER
      # TABLE: it gets the lock when the transaction commits, and the
      # validation then waits for it.
      block lock:'access share' a
      start_apply
      wait_for apply_waits relation
      PGAPPNAME="flux_blocker_queued" psql -X -q "$DB" -c "begin; lock table a in share update exclusive mode;" \
        -c "select pg_sleep(600)" >/dev/null 2>&1 3>&- &
      wait_for eval '[ "$(admin "select count(*) from pg_stat_activity where application_name = '"'"'flux_blocker_queued'"'"' and wait_event_type = '"'"'Lock'"'"'")" = 1 ]'
      release _lock
      wait_for eval '[ "$(done_count)" = 0 ]'
      wait_for apply_waits relation ;;
    build-1)  # after-commit 2: index b_v_idx exists, invalid; its build waits for a writer
      block writer b
      start_apply
      wait_for apply_waits virtualxid
      [ "$(done_count)" = 1 ]
      [ "$(sql_value "$DB" "select indisvalid from pg_index where indexrelid = 'b_v_idx'::regclass")" = f ] ;;
    build-2)  # after-commit 3: the build waits for its table lock (a blocker
      # holding a snapshot would hold up the build of after-commit 2 instead)
      block_idle share c
      start_apply
      wait_for eval '[ "$(done_count)" = 2 ]'
      wait_for apply_waits relation ;;
  esac
}

# hit METHOD: kills the apply (or its backend, or the server); $rc its status.
hit() {
  case "$1" in
    kill9) kill -9 "$APPLY_PID" ;;
    term) kill -TERM "$APPLY_PID" ;;
    int) kill -INT "$APPLY_PID" ;;
    hup) kill -HUP "$APPLY_PID" ;;
    terminate) admin "select pg_terminate_backend($(apply_backend))" >/dev/null ;;
    restart) pgflux-cluster stop "$PGFLUX_TEST_CLUSTER/pg" && pgflux-cluster start "$PGFLUX_TEST_CLUSTER/pg" --fast >/dev/null ;;
  esac
  rc=0
  wait "$APPLY_PID" || rc=$?
  APPLY_PID=""
  output=$(cat apply.out)
  echo "exit $rc: $output"
}

# consistent: whatever the kill left, the transactional part is all or nothing
# and agrees with the tracking table.
consistent() {
  local row tx
  row=$(sql_value "$DB" "select count(*) from pg_class where relname = 'migrations' and relnamespace = (select oid from pg_namespace where nspname = '_pgflux')")
  [ "$row" = 1 ] && row=$(sql_value "$DB" "select count(*) from _pgflux.migrations")
  tx=$(sql_value "$DB" "select (to_regclass('public.d') is not null)::int + (select count(*) from pg_attribute where attrelid = 'a'::regclass and attname = 'note')
    + (select count(*) from pg_constraint where conname = 'a_v_check')")
  echo "tracked=$row transactional-objects=$tx"
  if [ "$row" = 0 ]; then [ "$tx" = 0 ]; else [ "$row" = 1 ] && [ "$tx" = 3 ]; fi
}

# converges: a normal apply finishes the work and leaves the target state.
converges() {
  release
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select count(*), min(state), bool_and(after_commit_done = after_commit_total and after_commit_total = 3 and name = '$NAME')::text
    from _pgflux.migrations"
  assert_output "1|applied|true"
  run sql_value "$DB" "select string_agg(c.relname || ':' || x.indisvalid, ',' order by c.relname) from pg_index x
    join pg_class c on c.oid = x.indexrelid where x.indrelid in ('b'::regclass, 'c'::regclass)"
  assert_output "b_pkey:true,b_v_idx:true,c_pkey:true,c_v_idx:true"
  run sql_value "$DB" "select convalidated from pg_constraint where conname = 'a_v_check'"
  assert_output t
  assert_equal "$(state_hash "$DB")" "$TARGET"
  run -0 pg-flux migrate apply --db "$DB"
  assert_output "no pending migrations in migrations"
}

crash() {
  reach "$2"
  hit "$1"
  consistent
  case "$1" in
    kill9) assert_equal "$rc" 137 ;;
    term) assert_equal "$rc" 4; assert_output --partial "interrupted by SIGTERM" ;;
    int) assert_equal "$rc" 4; assert_output --partial "interrupted by SIGINT" ;;
    hup) assert_equal "$rc" 4; assert_output --partial "interrupted by SIGHUP" ;;
    terminate|restart) assert_equal "$rc" 4; assert_output --partial "lost the connection to the database" ;;
  esac
  converges
}

@test "the generated migration has the parts the kill points need" {
  assert_equal "$(sed -n '/^COMMIT;$/,$p' "$MIGRATION" | grep -v -e '^--' -e '^$' | tr '\n' '|')" \
    "COMMIT;|ALTER TABLE public.a VALIDATE CONSTRAINT a_v_check;|CREATE INDEX CONCURRENTLY b_v_idx ON public.b USING btree (v);|CREATE INDEX CONCURRENTLY c_v_idx ON public.c USING btree (v);|"
}

@test "kill -9 while waiting for the advisory lock" { crash kill9 before; }
@test "kill -9 during the transactional part" { crash kill9 transaction; }
@test "kill -9 after the transactional part, during after-commit statement 1 (VALIDATE CONSTRAINT)" { crash kill9 validate; }
@test "kill -9 during after-commit statement 2 (index build)" { crash kill9 build-1; }
@test "kill -9 during after-commit statement 3 (index build)" { crash kill9 build-2; }

@test "SIGTERM while waiting for the advisory lock: nothing was applied" {
  crash term before
}
@test "SIGTERM during the transactional part: cancelled, rolled back, says so" {
  reach transaction
  hit term
  assert_equal "$rc" 4
  assert_output --regexp "interrupted by SIGTERM \(the running statement was cancelled\): statement [1-3] of 3 of the transaction of $NAME \(migrations/$NAME:[0-9]+\) did not complete"
  assert_output --partial "the transaction was rolled back: nothing from $NAME was applied"
  consistent
  assert_equal "$(tracked "$NAME")" 0
  converges
}
# bats test_tags=long
@test "SIGTERM after the transactional part, during after-commit statement 1" { crash term validate; }
@test "SIGTERM during after-commit statement 2: the build is cancelled, resume rebuilds the invalid index" {
  reach build-1
  hit term
  assert_equal "$rc" 4
  assert_output --partial "interrupted by SIGTERM (the running statement was cancelled): the transactional part of $NAME is committed and recorded, and 1 of its 3 after-commit statements are done; after-commit statement 2"
  assert_output --partial "Re-run \`pg-flux migrate apply\` to resume"
  run sql_value "$DB" "select indisvalid from pg_index where indexrelid = 'b_v_idx'::regclass"
  assert_output f
  release
  run -0 pg-flux migrate apply -v --db "$DB"
  assert_output --partial "dropping index b_v_idx, left invalid by an interrupted build"
  converges
}
# bats test_tags=long
@test "SIGTERM during after-commit statement 3" { crash term build-2; }
# bats test_tags=long
@test "SIGINT during the transactional part" { crash int transaction; }
# bats test_tags=long
@test "SIGHUP during after-commit statement 2" { crash hup build-1; }

# bats test_tags=long
@test "pg_terminate_backend while waiting for the advisory lock" { crash terminate before; }
@test "pg_terminate_backend during the transactional part" { crash terminate transaction; }
# bats test_tags=long
@test "pg_terminate_backend after the transactional part, during after-commit statement 1" { crash terminate validate; }
# bats test_tags=long
@test "pg_terminate_backend during after-commit statement 2" { crash terminate build-1; }
# bats test_tags=long
@test "pg_terminate_backend during after-commit statement 3" { crash terminate build-2; }

# bats test_tags=long
@test "server restart while waiting for the advisory lock" { crash restart before; }
# bats test_tags=long
@test "server restart during the transactional part" { crash restart transaction; }
# bats test_tags=long
@test "server restart after the transactional part, during after-commit statement 1" { crash restart validate; }
@test "server restart during after-commit statement 2" { crash restart build-1; }
# bats test_tags=long
@test "server restart during after-commit statement 3" { crash restart build-2; }

@test "an orphaned backend that finished the build after its client died: resume recognises the valid index" {
  reach build-1
  # The client stops (its socket stays open), the build completes on the
  # server, then the client dies before recording it.
  kill -STOP "$APPLY_PID"
  release
  wait_for eval '[ "$(sql_value "$DB" "select indisvalid from pg_index where indexrelid = '"'"'b_v_idx'"'"'::regclass")" = t ]'
  hit kill9
  assert_equal "$(done_count)" 1
  run -0 pg-flux migrate apply -v --db "$DB"
  assert_output --partial "index b_v_idx is already built as the statement defines it (by an interrupted earlier run)"
  converges
}

@test "resume refuses an index of the same name with another definition, naming both" {
  mkdir -p m2
  cat > m2/20240101_000000_x.sql <<'SQL'
BEGIN;
CREATE TABLE x (id int PRIMARY KEY, v int, w int);
COMMIT;
CREATE INDEX CONCURRENTLY x_v_idx ON public.x USING btree (v);
SQL
  # The file is recorded as interrupted before its build; someone made
  # another index of that name meanwhile.
  sql "$DB" "create table x (id int primary key, v int, w int); create index x_v_idx on x (w)"
  sql "$DB" "create schema _pgflux; create table _pgflux.migrations (name text primary key, checksum text not null,
    baseline_hash text, target_hash text, state text not null default 'applied', after_commit_done integer not null default 0,
    after_commit_total integer not null default 0, applied_at timestamptz not null default now(),
    applied_by text not null default current_user, duration_ms bigint, tool_version text not null)"
  sql "$DB" "insert into _pgflux.migrations (name, checksum, state, after_commit_total, tool_version)
    values ('20240101_000000_x.sql', '$(sha256sum m2/20240101_000000_x.sql | cut -d' ' -f1)', 'after_commit_pending', 1, 'test')"
  run -4 flux-apply --db "$DB" --migrations-dir m2
  assert_output --partial "m2/20240101_000000_x.sql:4: index x_v_idx already exists and is not the one this statement builds (it is: CREATE INDEX x_v_idx ON public.x USING btree (w))"
  sql "$DB" "drop index x_v_idx"
  run -0 flux-apply --db "$DB" --migrations-dir m2
  run sql_value "$DB" "select pg_get_indexdef('x_v_idx'::regclass)"
  assert_output "CREATE INDEX x_v_idx ON public.x USING btree (v)"
}

@test "a DROP INDEX CONCURRENTLY whose index is already gone counts as done on resume" {
  mkdir -p m3
  cat > m3/20240101_000000_y.sql <<'SQL'
BEGIN;
CREATE TABLE y (id int PRIMARY KEY);
COMMIT;
DROP INDEX CONCURRENTLY public.y_gone_idx;
CREATE INDEX CONCURRENTLY y_id_idx ON public.y USING btree (id);
SQL
  run -0 flux-apply -v --db "$DB" --migrations-dir m3
  assert_output --partial "the index is already dropped (by an interrupted earlier run)"
  run sql_value "$DB" "select state, after_commit_done from _pgflux.migrations"
  assert_output "applied|2"
}

@test "SIGTERM to pg-flux reaches flux-apply: the statement is cancelled and the state reported" {
  block lock:'access share' a
  pg-flux migrate apply --db "$DB" > apply.out 2>&1 3>&- &
  APPLY_PID=$!
  wait_for apply_waits relation
  hit term
  assert_equal "$rc" 4
  assert_output --partial "flux-apply: error: interrupted by SIGTERM"
  assert_output --partial "(the running statement was cancelled)"
  assert_output --partial "nothing from $NAME was applied"
  converges
}

# --- shadow databases ----------------------------------------------------------

shadows() { admin "select count(*) from pg_database where datname like 'pgflux\_shadow\_%'"; }
# slow_schema: a materialized view that takes 60 s to fill in the shadow.
slow_schema() {
  mkdir -p slow
  cat > slow/app.sql <<'SQL'
create table t (id int primary key);
create materialized view slow as select 1 as x from pg_sleep(60);
SQL
}
shadow_loading() { [ "$(admin "select count(*) from pg_stat_activity where datname like 'pgflux\_shadow\_%' and wait_event = 'PgSleep'")" -ge 1 ]; }

@test "SIGTERM, SIGINT and SIGHUP to flux-parse mid-load cancel the load and drop the shadow database" {
  slow_schema
  for sig in TERM INT HUP; do
    flux-parse --shadow-db "$PGFLUX_ADMIN_URL" slow > parse.out 2> parse.err 3>&- &
    pid=$!
    wait_for shadow_loading
    kill -"$sig" "$pid"
    rc=0
    wait "$pid" || rc=$?
    cat parse.err
    assert_equal "$rc" 4
    assert_file_contains parse.err "interrupted by SIG$sig; the shadow database was removed"
    assert_equal "$(shadows)" 0
  done
}

@test "pg-flux drift killed with SIGTERM mid-load leaves no shadow database" {
  slow_schema
  pg-flux drift --db "$DB" --schema-dir slow > drift.out 2>&1 3>&- &
  pid=$!
  wait_for shadow_loading
  kill -TERM "$pid"
  rc=0
  wait "$pid" || rc=$?
  cat drift.out
  assert_equal "$rc" 4
  assert_equal "$(shadows)" 0
}

@test "a shadow database left by a flux-parse killed with -9 is removed by the next run" {
  slow_schema
  flux-parse --shadow-db "$PGFLUX_ADMIN_URL" slow > parse.out 2> parse.err 3>&- &
  pid=$!
  wait_for shadow_loading
  kill -9 "$pid"
  wait "$pid" || true
  # Its backend notices within a second that the client is gone
  # (client_connection_check_interval) and ends; the database stays.
  wait_for eval '[ "$(admin "select count(*) from pg_stat_activity where datname like '"'"'pgflux\_shadow\_%'"'"'")" = 0 ]'
  assert_equal "$(shadows)" 1
  # A shadow of a live process, or of another host, is left alone.
  admin "create database pgflux_shadow_0badc0de_$pid"_other >/dev/null
  sleep 600 >/dev/null 2>&1 3>&- & live=$!
  host=$(admin "select substr(datname, 15, 8) from pg_database where datname like 'pgflux\_shadow\_%' and datname not like '%other'")
  admin "create database pgflux_shadow_${host}_${live}_alive" >/dev/null
  mkdir -p quick && echo "create table q (id int);" > quick/q.sql
  run --separate-stderr -0 flux-parse -v --shadow-db "$PGFLUX_ADMIN_URL" quick
  assert [ "$(grep -c 'removed shadow database' <<< "$stderr")" = 1 ]
  run admin "select string_agg(datname, ',' order by datname) from pg_database where datname like 'pgflux\_shadow\_%'"
  assert_output "pgflux_shadow_0badc0de_${pid}_other,pgflux_shadow_${host}_${live}_alive"
  kill "$live"
  admin "drop database pgflux_shadow_0badc0de_${pid}_other" >/dev/null
  admin "drop database pgflux_shadow_${host}_${live}_alive" >/dev/null
}
