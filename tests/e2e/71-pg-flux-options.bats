#!/usr/bin/env bats
# pg-flux usage and options: help, version, usage errors (exit 2), and
# --schema-dir / --migrations-dir on every command that reads them.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }


@test "--help, -h and help print the usage and exit 0" {
  for arg in --help -h help; do
    run --separate-stderr -0 pg-flux $arg
    assert_line --index 0 "usage: pg-flux <command> [options]"
    assert_output --partial "migrate generate"
    assert_output --partial "migrate apply"
    assert_output --partial "migrate status"
    assert_output --partial "migrate baseline"
    assert_output --partial "migrate repair"
    assert_output --partial "drift"
    assert_output --partial "verify"
    assert_output --partial "--schema-dir DIR"
    assert_output --partial "--migrations-dir DIR"
    assert_output --partial "--allow-hazards LIST"
    assert_output --partial "Exit status:"
  done
  # --help wins over a command and touches no database.
  run -0 pg-flux migrate apply --help
  assert_line --index 0 "usage: pg-flux <command> [options]"
  assert [ ! -e .pgflux/data ]  # no embedded cluster started (.pgflux/cache is the model cache)
}

@test "--version prints pg-flux and the tools' version" {
  run -0 pg-flux --version
  assert_output --regexp '^pg-flux [0-9]+\.[0-9]+\.[0-9]+$'
  version=${output#pg-flux }
  for tool in flux-parse flux-snapshot flux-diff flux-hazards flux-apply flux-track; do
    run -0 "$tool" --version
    assert_output --partial "$version"
  done
}

@test "no command: usage on stderr, exit 2" {
  run --separate-stderr -2 pg-flux
  assert_output ""
  [[ "$stderr" == *"usage: pg-flux <command> [options]"* ]]
  run -2 pg-flux --db "$DB"
  assert_output --partial "usage: pg-flux"
}

@test "unknown commands, unknown options and missing values exit 2 and name the problem" {
  run --separate-stderr -2 pg-flux frobnicate --db "$DB"
  assert_output ""
  [[ "$stderr" == *'unknown command "frobnicate"'* ]]
  run -2 pg-flux drift --frobnicate --db "$DB"
  assert_output --partial "unknown option --frobnicate"
  run -2 pg-flux migrate --db "$DB"
  assert_output --partial "usage: pg-flux migrate generate|apply|status|baseline"
  run -2 pg-flux migrate frobnicate --db "$DB"
  assert_output --partial 'unknown migrate command "frobnicate"'
  run -2 pg-flux migrate apply extra --db "$DB"
  run -2 pg-flux drift extra --db "$DB"
  assert_output --partial "drift takes no arguments"
  run -2 pg-flux verify extra --db "$DB"
  assert_output --partial "verify takes no arguments"
  run -2 pg-flux embedded frobnicate
  assert_output --partial "usage: pg-flux embedded start|stop|status|url|destroy"
  for opt in --db --schema-dir --migrations-dir --shadow-db --label --allow-hazards; do
    run -2 pg-flux drift "$opt"
    assert_output --partial "option $opt needs a value"
  done
  # Nothing was started or written by any of these.
  assert [ ! -e .pgflux/data ]  # no embedded cluster started (.pgflux/cache is the model cache)
  assert [ ! -e migrations ]
}

@test "a tool's usage error passes through pg-flux as exit 2" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  run -2 pg-flux migrate apply --db "$DB" --allow-hazards=NOPE
  assert_output --partial 'unknown hazard "NOPE"'
}

# Two trees: the default schema/ and migrations/ hold something else, so a
# command that ignored the option would visibly use the wrong files.
two_trees() {
  write_schema decoy.sql <<'SQL'
create table decoy (id int);
SQL
  mkdir -p db/schema migrations
  cat > db/schema/app.sql <<'SQL'
create table users (id bigint primary key, email text);
SQL
  cat > migrations/20000101_000000_decoy.sql <<'SQL'
BEGIN;
CREATE TABLE decoy (id int);
COMMIT;
SQL
}

@test "--schema-dir and --migrations-dir: generate reads and writes where told" {
  two_trees
  run -0 pg-flux migrate generate --db "$DB" --schema-dir db/schema --migrations-dir db/migrations --label users
  assert_output --regexp '^wrote db/migrations/[0-9]{8}_[0-9]{6}_users\.sql '
  file=$(ls db/migrations/*.sql)
  assert_file_contains "$file" 'CREATE TABLE public.users'
  run grep -c decoy "$file"
  assert_output 0
  assert_equal "$(ls migrations)" 20000101_000000_decoy.sql
  # The --opt=value spelling works too.
  rm -r db/migrations
  run -0 pg-flux migrate generate --db "$DB" --schema-dir=db/schema --migrations-dir=db/migrations --label=users
  assert_output --regexp '^wrote db/migrations/[0-9]{8}_[0-9]{6}_users\.sql '
}

@test "--migrations-dir: apply, status, baseline and repair use that directory" {
  two_trees
  run -0 pg-flux migrate generate --db "$DB" --schema-dir db/schema --migrations-dir db/migrations
  name=$(basename "$(ls db/migrations/*.sql)")
  run -0 pg-flux migrate status --db "$DB" --migrations-dir db/migrations
  assert_output "$name pending"
  run -0 pg-flux migrate apply --db "$DB" --migrations-dir db/migrations
  assert_output --partial "applied $name"
  assert_equal "$(table_exists users)" t
  assert_equal "$(table_exists decoy)" f
  run -0 pg-flux migrate apply --db "$DB" --migrations-dir=db/migrations
  assert_output "no pending migrations in db/migrations"
  run -0 pg-flux migrate status --db "$DB" --migrations-dir db/migrations
  assert_output --regexp "^$name applied "
  # repair: an edit in db/migrations is seen there only.
  echo "-- edited" >> "db/migrations/$name"
  run -1 pg-flux migrate status --db "$DB" --migrations-dir db/migrations
  assert_output --partial CHANGED
  run -0 pg-flux migrate repair --db "$DB" --migrations-dir db/migrations
  assert_output "recorded the edited $name (its statements are not re-run)"
  # baseline: records the files of the directory given.
  mkdir -p other
  cp migrations/20000101_000000_decoy.sql other/20000101_000000_other.sql
  run -0 pg-flux migrate baseline --db "$DB" --migrations-dir other
  assert_output "recorded 20000101_000000_other.sql as applied (not run)"
  run sql_value "$DB" "select string_agg(name, ',' order by name) from _pgflux.migrations"
  assert_output "20000101_000000_other.sql,$name"
  assert_equal "$(table_exists decoy)" f
  # The default directory was untouched by all of this: its file is still
  # pending, and the rows recorded from the other directories are missing there.
  run -1 pg-flux migrate status --db "$DB"
  assert_line --regexp "^20000101_000000_decoy\.sql pending"
  assert_line --regexp "^$name applied .*MISSING"
}

@test "--schema-dir: drift and verify compare against that directory" {
  two_trees
  psql -X -q -v ON_ERROR_STOP=1 "$DB" -f db/schema/app.sql
  run -0 pg-flux drift --db "$DB" --schema-dir db/schema
  assert_output "no drift: the database matches db/schema"
  run -0 pg-flux verify --db "$DB" --schema-dir db/schema
  assert_output "verified: everything in db/schema exists in the database and matches"
  # The default schema/ (decoy) differs.
  run -1 pg-flux drift --db "$DB"
  assert_line "CREATE TABLE decoy"
  run -1 pg-flux verify --db "$DB"
  assert_line "CREATE TABLE decoy"
  run -1 pg-flux drift --db "$DB" --schema-dir=schema
  run -0 pg-flux drift --db "$DB" --schema-dir=db/schema
}

@test "a schema directory that does not exist is an input error" {
  run -2 pg-flux drift --db "$DB" --schema-dir no/such/dir
  assert_output --partial "no/such/dir"
  run -2 pg-flux migrate generate --db "$DB" --schema-dir no/such/dir
  assert [ ! -e migrations ]
}

@test "generate options reach the tools: --label, --no-auto-not-valid, --no-concurrent-indexes, --shadow-db none" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text);
create table orders (id bigint primary key, user_id bigint);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text);
create table orders (id bigint primary key, user_id bigint references users (id));
create index orders_user_idx on orders (user_id);
SQL
  run -0 pg-flux migrate generate --db "$DB" --shadow-db none --no-auto-not-valid --no-concurrent-indexes --label opts
  file=$(latest_migration)
  assert_output --regexp "^wrote migrations/[0-9]{8}_[0-9]{6}_opts\.sql "
  run grep -cE 'CONCURRENTLY|NOT VALID;|VALIDATE CONSTRAINT' "$file"
  assert_output 0
  assert_file_contains "$file" '^CREATE INDEX orders_user_idx ON public.orders'
  rm "$file"
  run -0 pg-flux migrate generate --db "$DB" --shadow-db none
  file=$(latest_migration)
  assert_file_contains "$file" '^CREATE INDEX CONCURRENTLY orders_user_idx'
  assert_file_contains "$file" 'NOT VALID;$'
}

@test "-v reports progress on stderr; without it pg-flux is quiet" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  DEV=$(new_db "dev$BATS_TEST_NUMBER")
  load_schema "$DEV"
  run --separate-stderr -0 pg-flux drift --db "$DEV" --shadow-db none
  assert_equal "$stderr" ""
  run --separate-stderr -0 pg-flux -v migrate generate --db "$DB"
  assert_output --regexp '^wrote migrations/'
  [ -n "$stderr" ]
}

@test "--color, NO_COLOR, --quiet and hint lines" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
insert into users values (1);
SQL
  local esc=$'\e'
  # Not a terminal: no colour unless asked; --color=always colours headings,
  # hazards and the error label; NO_COLOR wins.
  # (The plans need no shadow database: --shadow-db none.)
  run -0 pg-flux plan --db "$DB" --shadow-db none
  refute_output --partial "$esc"
  run -0 pg-flux plan --db "$DB" --shadow-db none --color=always
  assert_line "${esc}[1mIn one transaction:${esc}[0m"
  assert_line "hazards: ${esc}[32mnone${esc}[0m"
  run -0 pg-flux plan --db "$DB" --shadow-db none --color always
  assert_line --partial "${esc}[1m"
  run -0 env NO_COLOR=1 pg-flux plan --db "$DB" --shadow-db none --color
  refute_output --partial "$esc"
  run -4 pg-flux drift --db "postgresql://nobody@/none?host=/nonexistent" --color=always
  assert_output --partial "flux-snapshot: ${esc}[1;31merror:${esc}[0m cannot connect"
  run -2 pg-flux drift --color=sometimes
  assert_output "pg-flux: error: --color must be always, never or auto"
  # --quiet: the note about the INSERT and the confirmation go; the result stays.
  run --separate-stderr -1 pg-flux drift --db "$DB"
  assert_output "CREATE TABLE users"
  assert_equal "$stderr" "flux-parse: note: schema/app.sql:2:1: INSERT INTO users skipped: it changes data, not the schema"
  run --separate-stderr -1 pg-flux drift --db "$DB" -q
  assert_output "CREATE TABLE users"
  assert_equal "$stderr" ""
  run -0 pg-flux migrate generate --db "$DB" --quiet
  assert_output --regexp '^wrote migrations/.*_migration\.sql \(1 statement; hazards: none\)$'
  run -0 pg-flux migrate apply --db "$DB" --quiet
  run --separate-stderr -0 pg-flux drift --db "$DB" --quiet
  assert_output ""
  assert_equal "$stderr" ""
  # Advice is a hint line of its own, after the one-line error.
  run -4 env -u DATABASE_URL pg-flux drift < /dev/null
  assert_line --index 0 "pg-flux: error: no database given, and not on a terminal, so the embedded local cluster is not used implicitly"
  assert_line --index 1 --partial "pg-flux: hint: choose one: --db URL, the DATABASE_URL environment variable"
}
