#!/usr/bin/env bats
# --format json on plan, generate, apply, status, drift and verify: real
# output of each validates against its JSON Schema in schemas/ (Debian's
# python3-jsonschema), stdout holds exactly one document, and what it says
# matches what happened.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() {
  pgflux_setup
  jsonschema_setup
}

# value FILE EXPR: a field of a JSON document (jq expression), raw.
value() { jq -r "$2" "$1"; }

users_schema() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, nickname text);
SQL
}

@test "plan --format json: the classified plan document; nothing is written" {
  users_schema
  run --separate-stderr -0 pg-flux plan --format json --db "$DB"
  printf '%s\n' "$output" > plan.json
  validate pgflux.plan plan.json
  assert_equal "$(value plan.json .classified)" true
  assert_equal "$(value plan.json '.steps[0].summary')" "CREATE TABLE users"
  assert_equal "$(value plan.json .baseline_hash)" "$(state_hash "$DB")"
  assert [ ! -e migrations ]
  assert_equal "$(table_exists users)" f
}

@test "migrate generate --format json: the file written, or nothing to do" {
  users_schema
  run --separate-stderr -0 pg-flux migrate generate --format json --db "$DB" --label init
  printf '%s\n' "$output" > gen.json
  validate pgflux.generate-result gen.json
  assert_equal "$(value gen.json .written)" true
  file=$(value gen.json .file)
  assert_equal "$file" "$(latest_migration)"
  assert_equal "$(value gen.json .statements)" 1
  assert_equal "$(value gen.json .target_hash)" "$(header "$file" target)"
  assert_equal "$(value gen.json '.hazard_codes | length')" 0

  pg-flux migrate apply --db "$DB" >/dev/null
  run --separate-stderr -0 pg-flux migrate generate --format json --db "$DB"
  printf '%s\n' "$output" > nothing.json
  validate pgflux.generate-result nothing.json
  assert_equal "$(value nothing.json .written)" false
  assert_equal "$(value nothing.json 'has("file")')" false
  assert_equal "$(ls migrations | wc -l)" 1

  # A hazard: the file's hazards, with the statement they belong to.
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  run --separate-stderr -0 pg-flux migrate generate --format json --db "$DB" --label drop
  printf '%s\n' "$output" > drop.json
  validate pgflux.generate-result drop.json
  assert_equal "$(value drop.json '.hazard_codes | join(",")')" DATA_LOSS
  assert_equal "$(value drop.json '.hazards[0].summary')" "DROP COLUMN users.nickname"
}

@test "migrate apply --format json: applied files, nothing pending" {
  users_schema
  pg-flux migrate generate --db "$DB" --label init >/dev/null
  run --separate-stderr -0 pg-flux migrate apply --format json --db "$DB"
  printf '%s\n' "$output" > applied.json
  validate pgflux.apply-result applied.json
  assert_equal "$(value applied.json '.applied[0].name')" "$(basename "$(latest_migration)")"
  run --separate-stderr -0 pg-flux migrate apply --format json --db "$DB"
  printf '%s\n' "$output" > nothing.json
  validate pgflux.apply-result nothing.json
  assert_equal "$(value nothing.json '.applied | length')" 0
}

# Needs flux-apply's refusal document (the apply part of issue 9).
@test "migrate apply --format json on refusal: the document still comes, and says why" {
  users_schema
  pg-flux migrate generate --db "$DB" --label init >/dev/null
  pg-flux migrate apply --db "$DB" >/dev/null
  # Refused (a blocking hazard, exit 3).
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  pg-flux migrate generate --db "$DB" --label drop >/dev/null
  run --separate-stderr -3 pg-flux migrate apply --format json --db "$DB"
  [ -n "$output" ] || fail "apply --format json printed nothing on refusal (stderr: $stderr)"
  printf '%s\n' "$output" > refused.json
  validate pgflux.apply-result refused.json
  assert_equal "$(value refused.json '.applied | length')" 0
  run jq -e '[.. | strings] | any(. == "DATA_LOSS")' refused.json
  assert_success
}

@test "migrate status --format json: every file with its state" {
  users_schema
  pg-flux migrate generate --db "$DB" --label init >/dev/null
  run --separate-stderr -0 pg-flux migrate status --format json --db "$DB"
  printf '%s\n' "$output" > pending.json
  validate pgflux.status pending.json
  assert_equal "$(value pending.json '.migrations[0].state')" pending
  pg-flux migrate apply --db "$DB" >/dev/null
  run --separate-stderr -0 pg-flux migrate status --format json --db "$DB"
  printf '%s\n' "$output" > applied.json
  validate pgflux.status applied.json
  assert_equal "$(value applied.json '.migrations[0].state')" applied
}

@test "drift and verify --format json: differences with kind, object and action; clean or not; exit status" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, last_login timestamptz);
create index users_email_idx on users (email);
SQL
  load_schema "$DB"
  run --separate-stderr -0 pg-flux drift --format json --db "$DB"
  printf '%s\n' "$output" > clean.json
  validate pgflux.drift clean.json
  assert_equal "$(value clean.json .clean)" true
  assert_equal "$(value clean.json .mode)" drift
  assert_equal "$(value clean.json '.differences | length')" 0
  refute_output --partial "no drift"

  sql "$DB" "alter table users drop column last_login; create index idx_orphan on users (id, email); alter table users add column extra int"
  run --separate-stderr -1 pg-flux drift --format json --db "$DB"
  printf '%s\n' "$output" > drifted.json
  validate pgflux.drift drifted.json
  assert_equal "$(value drifted.json .clean)" false
  assert_equal "$(value drifted.json '[.differences[].action] | sort | join(",")')" "alter,alter,drop"
  assert_equal "$(value drifted.json '[.differences[] | select(.kind == "index") | .object.name] | join(",")')" idx_orphan
  assert_equal "$(value drifted.json .baseline_hash)" "$(state_hash "$DB")"

  # verify: the extra column and index are fine, the missing column is not.
  run --separate-stderr -1 pg-flux verify --format json --db "$DB"
  printf '%s\n' "$output" > verify.json
  validate pgflux.drift verify.json
  assert_equal "$(value verify.json .mode)" verify
  assert_equal "$(value verify.json '.differences | length')" 1
  assert_equal "$(value verify.json '.differences[0].kind')" table

  sql "$DB" "alter table users add column last_login timestamptz"
  run --separate-stderr -0 pg-flux verify --format json --db "$DB"
  printf '%s\n' "$output" > verified.json
  validate pgflux.drift verified.json
  assert_equal "$(value verified.json .clean)" true
  refute_output --partial "verified:"
}

@test "drift --format json --strict: notes count, and clean says so" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text);
SQL
  sql "$DB" "create table users (email text, id bigint primary key)"
  run --separate-stderr -0 pg-flux drift --format json --db "$DB"
  printf '%s\n' "$output" > loose.json
  validate pgflux.drift loose.json
  assert_equal "$(value loose.json .clean)" true
  [ "$(value loose.json '.notes | length')" -ge 1 ] || fail "no note about column order"
  run --separate-stderr -1 pg-flux drift --format json --strict --db "$DB"
  printf '%s\n' "$output" > strict.json
  validate pgflux.drift strict.json
  assert_equal "$(value strict.json .clean)" false
  assert_equal "$(value strict.json .strict)" true
}

# bats test_tags=long
@test "the new schemas reject a wrong format and bad shapes" {
  users_schema
  run --separate-stderr -0 pg-flux migrate generate --format json --db "$DB"
  printf '%s\n' "$output" > gen.json
  validate pgflux.generate-result gen.json
  jq '.format = "pgflux.plan"' gen.json > g1.json
  invalid pgflux.generate-result g1.json
  jq '.written = false' gen.json > g2.json
  invalid pgflux.generate-result g2.json
  run --separate-stderr -1 pg-flux drift --format json --db "$DB"
  printf '%s\n' "$output" > drift.json
  validate pgflux.drift drift.json
  jq '.clean = true' drift.json > d1.json
  invalid pgflux.drift d1.json
  jq '.differences[0].kind = "subscription"' drift.json > d2.json
  invalid pgflux.drift d2.json
}
