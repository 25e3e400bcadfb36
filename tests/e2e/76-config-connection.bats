#!/usr/bin/env bats
# The project config file (pgflux.toml, or --config FILE): its keys reach the
# tools, flags override them, an unknown key names the closest known one,
# wrong types are errors with the line; and the connection rules with it.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }
teardown() { embedded_teardown; }

users_schema() {
  mkdir -p "$(dirname "${1:-schema/app.sql}")"
  cat > "${1:-schema/app.sql}" <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
}

@test "database, schema_dir and migrations_dir come from pgflux.toml" {
  users_schema db/schema/app.sql
  cat > pgflux.toml <<EOF
# the project
database = "$DB"
schema_dir = "db/schema"
migrations_dir = "db/migrations"
EOF
  run -0 pg-flux migrate generate --label init </dev/null
  assert_output --regexp '^wrote db/migrations/[0-9]{8}_[0-9]{6}_init\.sql'
  run -0 pg-flux migrate apply </dev/null
  assert_equal "$(table_exists users)" t
  run -0 pg-flux drift </dev/null
  assert_output "no drift: the database matches db/schema"
  run -0 pg-flux migrate status --format json </dev/null
  [[ "$output" == *'"migrations_dir": "db/migrations"'* ]]
  assert [ ! -e .pgflux/data ]  # no embedded cluster started (.pgflux/cache is the model cache)
}

@test "--config FILE: directories are relative to the file's directory; flags and DATABASE_URL override the file" {
  users_schema proj/schema/app.sql
  OTHER=$(new_db "other$BATS_TEST_NUMBER")
  cat > proj/flux.toml <<EOF
database = "$OTHER"
schema_dir = "schema"
migrations_dir = "migrations"
EOF
  run -0 pg-flux migrate generate --config proj/flux.toml --label init </dev/null
  assert_output --regexp '^wrote proj/migrations/[0-9]{8}_[0-9]{6}_init\.sql'
  # --db wins over the file's database; --migrations-dir over its directory.
  run -0 pg-flux migrate apply --config proj/flux.toml --db "$DB" </dev/null
  assert_equal "$(table_exists users "$DB")" t
  assert_equal "$(table_exists users "$OTHER")" f
  run -2 pg-flux migrate status --config proj/flux.toml --migrations-dir nowhere </dev/null
  assert_output --partial '"nowhere" does not exist'
  # DATABASE_URL wins over the file's database too.
  DATABASE_URL=$DB run -0 pg-flux drift --config proj/flux.toml </dev/null
  run -1 pg-flux drift --config proj/flux.toml </dev/null
  assert_line "CREATE TABLE users"
}

@test "rewrites, hazard policy and owners from the config file, and flags over them" {
  users_schema
  cat > pgflux.toml <<EOF
database = "$DB"
auto_not_valid = false
EOF
  pg-flux migrate generate --label init </dev/null
  pg-flux migrate apply </dev/null
  cat > schema/app.sql <<'SQL'
create table users (id bigint primary key, email text not null check (email <> ''));
SQL
  run -0 pg-flux plan </dev/null
  refute_output --partial "CHECK (email <> '') NOT VALID;"
  assert_output --partial "hazard CONSTRAINT_SCAN"
  run -0 pg-flux plan --auto-not-valid </dev/null
  assert_output --partial "CHECK (email <> '') NOT VALID;"
  refute_output --partial "hazard CONSTRAINT_SCAN"

  # allow_hazards: apply accepts what the file allows, and a flag replaces it.
  cat > schema/app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  cat > pgflux.toml <<EOF
database = "$DB"
allow_hazards = ["DATA_LOSS"]
EOF
  pg-flux migrate generate --label drop </dev/null
  run -3 pg-flux migrate apply --allow-hazards=CONSTRAINT_SCAN </dev/null
  run -0 pg-flux migrate apply </dev/null
  assert_equal "$(sql_value "$DB" "select count(*) from information_schema.columns where table_name = 'users'")" 1

  # owners = "unmanaged": an owner changed by hand is not drift.
  sql "$DB" "create role cfg_owner$BATS_TEST_NUMBER; alter table users owner to cfg_owner$BATS_TEST_NUMBER"
  run -1 pg-flux drift </dev/null
  assert_output --partial "OWNER"
  echo 'owners = "unmanaged"' >> pgflux.toml
  run -0 pg-flux drift </dev/null
  run -1 pg-flux drift --owners managed </dev/null
}

@test "an unknown key is an error naming the file, the line and the closest known key" {
  cat > pgflux.toml <<EOF
database = "$DB"

migration_dir = "m"
EOF
  run --separate-stderr -2 pg-flux migrate status </dev/null
  assert_equal "$stderr" 'flux-track: error: pgflux.toml:3:1: unknown key "migration_dir" (did you mean migrations_dir?)'
  printf 'lock_timout = "5s"\n' > other.toml
  run --separate-stderr -2 pg-flux drift --config other.toml --db "$DB" </dev/null
  [[ "$stderr" == *'other.toml:1:1: unknown key "lock_timout" (did you mean lock_timeout?)'* ]] || fail "$stderr"
  # Keys pg-flux cannot honour yet say so.
  printf 'tracking_schema = "meta"\n' > other.toml
  run --separate-stderr -2 pg-flux drift --config other.toml --db "$DB" </dev/null
  [[ "$stderr" == *"tracking_schema is not supported"* ]] || fail "$stderr"
}

@test "wrong types and bad values are errors with the line; the database URL is never printed" {
  url="postgresql://app:hunter2@127.0.0.1:1/app"
  printf 'database = "%s"\nlock_timeout = 5\n' "$url" > pgflux.toml
  run --separate-stderr -2 pg-flux migrate apply </dev/null
  [[ "$stderr" == *"pgflux.toml:2:16: lock_timeout must be a string (got an integer)"* ]] || fail "$stderr"
  printf 'database = "%s"\nauto_not_valid = "no"\n' "$url" > pgflux.toml
  run --separate-stderr -2 pg-flux plan </dev/null
  [[ "$stderr" == *"pgflux.toml:2:18: auto_not_valid must be true or false"* ]] || fail "$stderr"
  printf 'database = "%s"\nowners = "mine"\n' "$url" > pgflux.toml
  run --separate-stderr -2 pg-flux drift </dev/null
  [[ "$stderr" == *"pgflux.toml:2:10: owners must be one of managed, unmanaged"* ]] || fail "$stderr"
  printf 'database = "%s"\nschema_dir = \n' "$url" > pgflux.toml
  run --separate-stderr -2 pg-flux drift </dev/null
  [[ "$stderr" == *"pgflux.toml:2:"*"not valid TOML"* ]] || fail "$stderr"
  refute_output --partial hunter2
  [[ "$stderr" != *hunter2* ]] || fail "$stderr"
  # A valid file with an unreachable database: exit 4, no password anywhere.
  printf 'database = "%s"\n' "$url" > pgflux.toml
  for cmd in "drift" "migrate status" "migrate apply" "plan"; do
    run -4 pg-flux -v $cmd </dev/null
    refute_output --partial hunter2
  done
  run -2 pg-flux drift --config missing.toml </dev/null
  assert_output --partial "missing.toml"
}

@test "database = \"embedded\" and --db embedded pick the embedded cluster without a terminal" {
  users_schema
  echo 'database = "embedded"' > pgflux.toml
  run -0 pg-flux migrate generate --label init </dev/null
  assert [ -d .pgflux ]
  run -0 pg-flux migrate apply </dev/null
  run -0 pg-flux embedded url
  assert_equal "$(table_exists users "$output")" t
  rm pgflux.toml
  run -0 pg-flux drift --db embedded </dev/null
  # Without the file and any setting: refused, naming the ways to choose.
  run --separate-stderr -4 pg-flux drift </dev/null
  [[ "$stderr" == *"--db embedded"* ]] || fail "$stderr"
  run -0 pg-flux embedded destroy
}
