#!/usr/bin/env bats
# Documents kept from an earlier run (CI caches them): pg-flux --snapshot and
# --model, flux-snapshot and flux-parse --from. They are used instead of being
# made again, give the answers a live run gives, and a stale or mismatched
# one is refused (exit 2) saying why; the CI recipe's script (examples/ci)
# runs its steps from them.
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() {
  pgflux_setup
  write_schema app.sql <<'SQL'
create table account (id bigint primary key, email text not null, note text check (length(note) < 100));
create index account_email on account (lower(email));
SQL
  load_schema "$DB"
  # The shadow: a temporary database on the suite's server.
  SHADOW=$PGFLUX_ADMIN_URL
}

@test "drift, verify and plan from --snapshot and --model read no database and answer as a live run does" {
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db "$SHADOW" > model.json
  # No database setting at all, not on a terminal: only the two files are read.
  run pg-flux drift --snapshot live.json --model model.json
  assert_success
  assert_output "no drift: the database matches schema"
  run pg-flux verify --snapshot live.json --model model.json
  assert_success
  # The snapshot says what the database was when it was made.
  sql "$DB" "alter table account add column extra integer"
  run pg-flux drift --snapshot live.json --model model.json
  assert_success
  flux-snapshot --db "$DB" > live2.json
  run pg-flux drift --snapshot live2.json --model model.json
  assert_failure 1
  assert_output --partial "extra"
  # plan from the two files is plan from the database (proven in the shadow alike).
  run pg-flux plan --snapshot live2.json --model model.json --shadow-db "$SHADOW"
  assert_success
  assert_output --partial "DROP COLUMN extra"
  local from_files=$output
  run pg-flux plan --db "$DB" --no-cache
  assert_equal "$output" "$from_files"
  # --snapshot alone: the schema files are parsed, the shadow on the server --db names.
  run pg-flux drift --snapshot live2.json --db "$SHADOW"
  assert_failure 1
  assert_output --partial "extra"
}

@test "a --model whose schema files changed, or made without a shadow for a run with one, is refused" {
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db "$SHADOW" > model.json
  printf '%s\n' "-- only a comment" >> schema/app.sql
  run pg-flux drift --snapshot live.json --model model.json
  assert_failure 2
  assert_output "flux-parse: error: model.json: stale: the schema files changed since it was written (or it was written for other paths); write it again with flux-parse"
  # A new file, or the same files under other paths, is stale too.
  flux-parse --shadow-db "$SHADOW" > model.json
  write_schema more.sql <<<"create table other (id integer);"
  run pg-flux drift --snapshot live.json --model model.json
  assert_failure 2
  assert_output --partial "stale"
  rm schema/more.sql
  mkdir elsewhere && cp -r schema elsewhere/
  run pg-flux drift --snapshot live.json --model model.json --schema-dir elsewhere/schema
  assert_failure 2
  assert_output --partial "stale"
  # As parsed (no shadow): refused by a run that asks for a shadow, used by one without.
  flux-parse --shadow-db none > parsed.json
  run pg-flux drift --snapshot live.json --model parsed.json
  assert_failure 2
  assert_output --partial "parsed.json: made without a shadow database, and this run asks for one (--shadow-db auto)"
  run pg-flux drift --snapshot live.json --model parsed.json --shadow-db none
  assert_success
  # flux-parse --from says the same, and writes the file as it is.
  run flux-parse --from model.json
  assert_success
  assert_equal "$output" "$(cat model.json)"
}

@test "documents of the other tool, of another pg-flux version, without a source hash or not JSON are refused" {
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db "$SHADOW" > model.json
  run pg-flux drift --snapshot model.json --model model.json
  assert_failure 2
  assert_output "flux-snapshot: error: model.json: written by flux-parse, not by flux-snapshot (a snapshot of a database)"
  run pg-flux drift --snapshot live.json --model live.json
  assert_failure 2
  assert_output "flux-parse: error: live.json: written by flux-snapshot, not by flux-parse (a model of schema files)"
  jq '.generator.version = "0.0.9"' live.json > old.json
  run pg-flux drift --snapshot old.json --model model.json
  assert_failure 2
  assert_output --partial "old.json: written by flux-snapshot 0.0.9, not by this version ($(flux-parse --version | cut -d' ' -f2))"
  jq 'del(.source.source_hash)' model.json > nohash.json
  run pg-flux drift --snapshot live.json --model nohash.json
  assert_failure 2
  assert_output --partial "nohash.json: no source hash"
  jq '.source.source_hash = "sha256:12"' model.json > badhash.json
  run pg-flux drift --snapshot live.json --model badhash.json
  assert_failure 2
  assert_output --partial "badhash.json: source.source_hash: not a digest"
  printf '{"format": "pgflux.model",\n "version": 1,,}' > broken.json
  run pg-flux drift --snapshot broken.json --model model.json
  assert_failure 2
  assert_output --partial "broken.json:2:15: invalid JSON"
  run pg-flux drift --snapshot missing.json --model model.json
  assert_failure 2
  assert_output --partial "missing.json"
  # flux-snapshot --from reads no database.
  run flux-snapshot --from live.json --db "$DB"
  assert_failure 2
  assert_output --partial "option --db only applies without --from"
}

@test "documents from servers of different major versions are not compared" {
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db "$SHADOW" > model.json
  assert_equal "$(jq .source.server_version model.json)" "$(sql_value "$DB" "show server_version_num")"
  jq '.source.server_version = 160004' live.json > live16.json
  run flux-diff live16.json model.json
  assert_failure 2
  assert_output "flux-diff: error: live16.json comes from PostgreSQL 16 and model.json from PostgreSQL 15: canonical forms differ between major versions; make both on servers of the same major version"
  run pg-flux drift --snapshot live16.json --model model.json
  assert_failure 2
  # A model made without a shadow has no server version: compared with any.
  flux-parse --shadow-db none > parsed.json
  run flux-diff --format summary live16.json parsed.json
  assert_success
}

@test "migrate generate --snapshot starts the file from the snapshot's state; apply refuses it once the database moved on" {
  flux-snapshot --db "$DB" > before.json
  write_schema app.sql <<'SQL'
create table account (id bigint primary key, email text not null, note text check (length(note) < 100), since date);
create index account_email on account (lower(email));
SQL
  flux-parse --shadow-db "$SHADOW" > model.json
  run pg-flux migrate generate --db "$DB" --snapshot before.json --model model.json --label since
  assert_success
  assert_file_contains "$(latest_migration)" 'ADD COLUMN since date'
  assert_equal "$(header "$(latest_migration)" baseline)" "$(jq -r .state_hash before.json)"
  # The database changes by hand after the snapshot: the file no longer starts from its state.
  sql "$DB" "comment on table account is 'by hand'"
  run pg-flux migrate apply --db "$DB"
  assert_failure 3
  assert_output --partial "drift"
  sql "$DB" "comment on table account is null"
  run pg-flux migrate apply --db "$DB"
  assert_success
  run pg-flux drift --db "$DB"
  assert_success
}

@test "--snapshot and --model apply only to plan, drift, verify, migrate generate and rebase" {
  flux-snapshot --db "$DB" > live.json
  run pg-flux migrate apply --db "$DB" --snapshot live.json
  assert_failure 2
  assert_output "pg-flux: error: --snapshot applies to plan, drift, verify, migrate generate and migrate rebase (the others read or change the database itself)"
  run pg-flux migrate status --db "$DB" --model live.json
  assert_failure 2
  assert_output --partial "--model applies to plan, drift, verify, migrate generate and migrate rebase"
  run pg-flux drift --snapshot
  assert_failure 2
  assert_output --partial "option --snapshot needs a value"
}

@test "the CI recipe's steps (examples/ci/pgflux-ci): snapshot, model (kept while schema/ is unchanged), drift gate, plan" {
  local ci=$PGFLUX_SOURCE/examples/ci/pgflux-ci
  export PGFLUX_SHADOW=$SHADOW
  DATABASE_URL=$DB run "$ci" snapshot kept
  assert_success
  run "$ci" model kept
  assert_success
  run "$ci" model kept
  assert_success
  assert_output "pgflux-ci: kept/model.json is the model of schema/: kept"
  # The gate, with no database setting: clean, then failing on a change by hand.
  run "$ci" drift kept
  assert_success
  sql "$DB" "create index account_note on account (note)"
  DATABASE_URL=$DB run "$ci" snapshot kept
  run "$ci" drift kept
  assert_failure 1
  assert_output --partial "account_note"
  # A branch changes schema/: the kept model is stale and made again; the plan shows the change.
  sql "$DB" "drop index account_note"
  DATABASE_URL=$DB run "$ci" snapshot kept
  printf '%s\n' "create table audit (id bigint primary key, at timestamptz not null default now());" > schema/audit.sql
  run "$ci" model kept
  assert_success
  refute_output --partial "kept"
  run "$ci" plan kept
  assert_success
  assert_file_contains kept/plan.md 'CREATE TABLE public.audit'
  assert_file_contains kept/plan.md '^### pg-flux plan'
}
