#!/usr/bin/env bats
# A fleet of databases with one schema (tenants, shards): pg-flux migrate apply
# and drift --targets FILE --jobs N run once per database, each under its own
# lock, and report a line per target (or a pgflux.fleet-result document); a
# broken target is reported and leaves the others unaffected; no new target
# starts after a failure unless --keep-going.
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
# Every tenant's schema; the migration to it, generated against an empty database.
setup() {
  pgflux_setup
  printf '%s\n' "create table account (id bigint generated always as identity primary key, email text not null unique);" \
    "create index account_email_lower on account (lower(email));" > schema/tenant.sql
  run pg-flux migrate generate --db "$DB" --label accounts --no-verify
  assert_success
}

# tenants N: creates databases tenant_1..tenant_N and writes targets.txt naming
# them (after a comment and a blank line, as a hand-kept file has: tenant_K is
# on line K + 2).
tenants() {
  local i
  printf '# the tenants\n\n' > targets.txt
  for i in $(seq "$1"); do
    new_db "tenant_$i" > /dev/null
    db_url "tenant_$i" >> targets.txt
    echo >> targets.txt
  done
}
state_of() { flux-snapshot --db "$(db_url "$1")" | jq -r .state_hash; }

@test "migrate apply --targets: 20 databases, 4 at a time, all reach the same state" {
  tenants 20
  run pg-flux migrate apply --targets targets.txt --jobs 4
  assert_success
  assert_line --index 0 "pg-flux migrate apply on 20 target(s), 4 at a time:"
  assert_line --regexp "^  line 3    applied  postgresql://postgres@/tenant_1\?host=.*: applied [0-9_]+_accounts\.sql \(2 statements"
  assert_line "20 target(s): 20 ok, 0 with differences, 0 failed, 0 not started"
  local want i
  want=$(state_of tenant_1)
  for i in $(seq 2 20); do assert_equal "$(state_of "tenant_$i")" "$want"; done
  assert_equal "$(sql_value "$(db_url tenant_7)" "select count(*) from _pgflux.migrations")" 1
}

@test "a broken target is reported; the others are unaffected; without --keep-going no new target starts" {
  tenants 5
  # Tenant 3 was changed by hand since the migration was generated: its apply is refused.
  sql "$(db_url tenant_3)" "create table account (id integer)"
  local broken
  broken=$(sql_value "$(db_url tenant_3)" "select md5(string_agg(relname, ',' order by relname)) from pg_class where relnamespace = 'public'::regnamespace")
  run pg-flux migrate apply --targets targets.txt --jobs 1
  assert_failure 3
  assert_line --regexp "^  line 3    applied  "
  assert_line --regexp "^  line 5    refused  postgresql://postgres@/tenant_3\?host=.*: flux-apply: error: refusing to apply .*drifted"
  assert_line --regexp "^  line 6    skipped  .*: not started: an earlier target failed"
  assert_line "5 target(s): 2 ok, 0 with differences, 1 failed, 2 not started"
  # Its whole message, with the advice, comes after the table.
  assert_output --partial "--- line 5 (postgresql://postgres@/tenant_3"
  assert_output --partial "pass --force-after-drift to apply anyway"
  assert_equal "$(sql_value "$(db_url tenant_4)" "select to_regclass('public.account') is null")" t
  # The failed apply changed nothing there.
  assert_equal "$(sql_value "$(db_url tenant_3)" "select md5(string_agg(relname, ',' order by relname)) from pg_class where relnamespace = 'public'::regnamespace")" "$broken"
  # --keep-going: every other target is applied; the exit status is the failure's.
  run pg-flux migrate apply --targets targets.txt --jobs 3 --keep-going
  assert_failure 3
  assert_line "5 target(s): 4 ok, 0 with differences, 1 failed, 0 not started"
  assert_equal "$(state_of tenant_5)" "$(state_of tenant_1)"
  # A database that does not exist fails on its own line (exit 4); the
  # status is the first failure's in file order.
  { db_url no_such_tenant; printf '\n\n'; db_url tenant_1; echo; } > targets.txt
  run pg-flux migrate apply --targets targets.txt --keep-going
  assert_failure 4
  assert_line --regexp "^  line 1    failed   .*no_such_tenant.*: .*error: .*"
  assert_line --regexp "^  line 3    applied  .*tenant_1.*: no pending migrations"
}

@test "drift --targets: differences on one target exit 1; --format json writes a pgflux.fleet-result document" {
  jsonschema_setup
  tenants 3
  run pg-flux migrate apply --targets targets.txt
  assert_success
  sql "$(db_url tenant_2)" "alter table account add column note text"
  run pg-flux drift --targets targets.txt
  assert_failure 1
  assert_line --regexp "^  line 4    differs  .*tenant_2.*: 1 difference\(s\)"
  assert_line "3 target(s): 2 ok, 1 with differences, 0 failed, 0 not started"
  run --separate-stderr pg-flux drift --targets targets.txt --format json
  assert_failure 1
  printf '%s\n' "$output" > fleet.json
  validate pgflux.fleet-result fleet.json
  assert_equal "$(jq -r '.targets | map(.status) | join(",")' fleet.json)" "clean,differs,clean"
  assert_equal "$(jq -r '.targets[1].result.format' fleet.json)" pgflux.drift
  assert_equal "$(jq -c '.summary' fleet.json)" '{"targets":3,"ok":2,"differs":1,"failed":0,"skipped":0}'
  assert_equal "$(jq .exit fleet.json)" 1
}

@test "targets: passwords never appear, service names are accepted, and the fleet's options are checked" {
  new_db tenant_pw > /dev/null
  local url
  url=$(db_url tenant_pw | sed 's|postgresql://postgres@|postgresql://postgres:Sup3rSecret@|')
  printf '%s\n' "$url" > targets.txt
  # A service name (pg_service.conf) on a line of its own.
  local socket
  socket=$(printf '%s' "$PGFLUX_ADMIN_URL" | sed -E 's/.*host=([^&]*).*/\1/')
  printf '[tenant_svc]\nhost=%s\ndbname=tenant_pw\nuser=postgres\npassword=Sup3rSecret\n' "$socket" > services.conf
  echo tenant_svc >> targets.txt
  PGSERVICEFILE=$PWD/services.conf run pg-flux migrate apply --targets targets.txt
  assert_success
  refute_output --partial "Sup3rSecret"
  assert_line --regexp "^  line 1    applied  postgresql://postgres@/tenant_pw"
  assert_line --regexp "^  line 2    applied  service=tenant_svc: "
  run pg-flux migrate apply --targets targets.txt --db "$DB"
  assert_failure 2
  assert_output "pg-flux: error: --targets and --db cannot be used together: the targets file names the databases"
  run pg-flux migrate apply --targets targets.txt --jobs 0
  assert_failure 2
  assert_output --partial "--jobs must be a whole number of 1 or more"
  run pg-flux migrate generate --targets targets.txt
  assert_failure 2
  assert_output --partial "--targets applies to migrate apply, drift and verify"
  run pg-flux migrate apply --db "$DB" --keep-going
  assert_failure 2
  assert_output --partial "--keep-going applies with --targets"
  printf '# nobody\n\n' > empty.txt
  run pg-flux drift --targets empty.txt
  assert_failure 2
  assert_output --partial "names no database"
  run pg-flux drift --targets missing.txt
  assert_failure 2
  assert_output --partial "cannot read the targets file missing.txt"
}
