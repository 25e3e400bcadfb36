#!/usr/bin/env bats
# How pg-flux finds its database: --db, else DATABASE_URL, else libpq's PG*
# variables, else (only on a terminal, or with --db embedded) the embedded
# cluster under .pgflux/ (and it says so).
# Passwords never appear in any output.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }
teardown() { embedded_teardown; }

k_password=s3cr3t-pw
# socket_dir, port: where the suite's cluster listens (from its URL).
socket_dir() { printf '%s' "$PGFLUX_ADMIN_URL" | sed -E 's/.*[?&]host=([^&]*).*/\1/' | sed 's/%2F/\//g'; }
port() { printf '%s' "$PGFLUX_ADMIN_URL" | sed -E 's/.*[?&]port=([0-9]+).*/\1/'; }

users_schema() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
}

@test "--db beats DATABASE_URL" {
  users_schema
  OTHER=$(new_db "other$BATS_TEST_NUMBER")
  export DATABASE_URL=$OTHER
  run -0 pg-flux migrate generate --db "$DB"
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(table_exists users "$DB")" t
  assert_equal "$(table_exists users "$OTHER")" f
  assert_equal "$(sql_value "$OTHER" "select to_regclass('_pgflux.migrations') is null")" t
  run -0 pg-flux drift --db "$DB"
  run -0 pg-flux migrate status --db "$DB"
  assert_output --regexp ' applied '
  # A DATABASE_URL that cannot work does not matter when --db is given.
  export DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing"
  run -0 pg-flux verify --db "$DB"
  run -0 pg-flux migrate status --db "$DB"
}

@test "DATABASE_URL is used without --db" {
  users_schema
  export DATABASE_URL=$DB
  run -0 pg-flux migrate generate
  run -0 pg-flux migrate status
  assert_output --regexp ' pending$'
  run -0 pg-flux migrate apply
  assert_output --partial "applied "
  assert_equal "$(table_exists users "$DB")" t
  run -0 pg-flux drift
  run -0 pg-flux verify
  run -0 pg-flux migrate status
  assert_output --regexp ' applied '
  assert [ ! -e .pgflux/data ]  # no embedded cluster started (.pgflux/cache is the model cache)
}

@test "libpq's PG* variables are used when there is neither --db nor DATABASE_URL" {
  users_schema
  export PGHOST=$(socket_dir) PGPORT=$(port) PGUSER=postgres PGDATABASE="t$BATS_TEST_NUMBER"
  run -0 pg-flux migrate generate
  run -0 pg-flux migrate status
  assert_output --regexp ' pending$'
  # generate refuses while that file is pending, through the same variables
  run -3 pg-flux migrate generate --label again
  assert_equal "$(ls migrations | wc -l)" 1
  run -0 pg-flux migrate apply
  assert_output --partial "applied "
  assert_equal "$(table_exists users "$DB")" t
  run -0 pg-flux drift
  run -0 pg-flux verify
  assert [ ! -e .pgflux/data ]  # no embedded cluster started (.pgflux/cache is the model cache)
  # The variables really are what pg-flux follows: another database differs.
  OTHER=$(new_db "other$BATS_TEST_NUMBER")
  export PGDATABASE="other$BATS_TEST_NUMBER"
  run -1 pg-flux drift
  assert_line "CREATE TABLE users"
}

@test "--db embedded starts the embedded cluster under .pgflux/" {
  users_schema
  run --separate-stderr -0 pg-flux migrate generate --db embedded --label init
  assert_output --regexp '^wrote migrations/[0-9]{8}_[0-9]{6}_init\.sql'
  assert [ -d .pgflux ]
  run -0 pg-flux embedded status
  run -0 pg-flux migrate apply --db embedded
  assert_output --partial "applied "
  run --separate-stderr -0 pg-flux drift --db embedded
  assert_output --partial "no drift"
  # It is a real server: the table is there.
  run -0 pg-flux embedded url
  url=$output
  assert_equal "$(table_exists users "$url")" t
  # Settings win over the embedded cluster once given.
  run -1 pg-flux drift --db "$DB"
  assert_line "CREATE TABLE users"
  run -0 pg-flux embedded destroy
  assert [ ! -e .pgflux/data ]  # no embedded cluster started (.pgflux/cache is the model cache)
  run -1 pg-flux embedded status
}

@test "without a terminal and without connection settings pg-flux refuses (exit 4) and says how to choose" {
  users_schema
  mkdir -p migrations
  for cmd in "migrate generate" "migrate apply" "migrate status" "plan" "drift" "verify"; do
    run --separate-stderr -4 pg-flux $cmd </dev/null
    [[ "$stderr" == *"no database given, and not on a terminal"* ]] || fail "pg-flux $cmd: $stderr"
    for way in "--db URL" DATABASE_URL "PG*" pgflux.toml "--db embedded"; do
      [[ "$stderr" == *"$way"* ]] || fail "pg-flux $cmd does not mention $way: $stderr"
    done
  done
  assert [ ! -e .pgflux/data ]  # no embedded cluster started (.pgflux/cache is the model cache)
  assert_equal "$(ls migrations | wc -l)" 0
}

@test "on a terminal with no connection settings pg-flux starts the embedded cluster and says so" {
  users_schema
  # script(1) gives pg-flux a terminal for stdin and stderr.
  run -0 script -qec "pg-flux migrate generate --label init" /dev/null
  assert_output --partial "using the embedded local cluster in .pgflux/"
  assert_output --regexp 'wrote migrations/[0-9]{8}_[0-9]{6}_init\.sql'
  assert [ -d .pgflux ]
  run -0 script -qec "pg-flux migrate apply" /dev/null
  assert_output --partial "applied "
  run -0 pg-flux embedded url
  assert_equal "$(table_exists users "$output")" t
  # A terminal on stdout alone is not enough (stdin from a pipe: a script).
  run -4 script -qec "pg-flux drift </dev/null" /dev/null
  assert_output --partial "not on a terminal"
  run -0 pg-flux embedded destroy
}

# secret_url: a URL with a password, to a port where nothing listens.
secret_urls() {
  printf '%s\n' "postgresql://alice:$k_password@127.0.0.1:1/app" \
    "host=127.0.0.1 port=1 user=alice password=$k_password dbname=app"
}

@test "a password never appears in output: connection failures exit 4 (--db)" {
  users_schema
  mkdir -p migrations
  cat > migrations/20240101_000000_t.sql <<'SQL'
BEGIN;
CREATE TABLE t (id int);
COMMIT;
SQL
  # Every command with -v (which prints what it connects to, and more), and
  # one without: the output without -v is a part of it.
  while IFS= read -r url; do
    run -4 pg-flux drift --db "$url"
    if [[ "$output" == *"$k_password"* ]]; then
      echo "pg-flux drift printed the password: $output" >&2
      return 1
    fi
    for cmd in "drift" "verify" "migrate generate" "migrate apply" "migrate status" "migrate baseline" "migrate repair"; do
      run -4 pg-flux -v $cmd --db "$url"
      refute_output --partial "$k_password"
    done
  done < <(secret_urls)
}

@test "a password never appears in output: connection failures exit 4 (DATABASE_URL)" {
  users_schema
  export DATABASE_URL="postgresql://alice:$k_password@127.0.0.1:1/app"
  for cmd in "drift" "verify" "migrate generate" "migrate apply" "migrate status"; do
    run -4 pg-flux -v $cmd
    refute_output --partial "$k_password"
  done
  for tool in "flux-snapshot" "flux-apply" "flux-track status"; do
    run -4 $tool -v
    refute_output --partial "$k_password"
  done
}

@test "a password never appears in output: successful runs with a password in the URL" {
  users_schema
  # Trust authentication ignores the password, so these connect.
  url=$(printf '%s' "$DB" | sed "s|postgresql://postgres@|postgresql://postgres:$k_password@|")
  [[ "$url" == *"$k_password"* ]]
  for cmd in "migrate generate" "migrate status" "migrate apply" "migrate status" "drift" "verify" "drift --strict"; do
    run pg-flux -v $cmd --db "$url"
    assert_success
    refute_output --partial "$k_password"
  done
  assert_equal "$(table_exists users "$DB")" t
  run sql_value "$DB" "select count(*) from _pgflux.migrations"
  assert_output 1
  run --separate-stderr -0 flux-snapshot -v --db "$url"
  refute_output --partial "$k_password"
  [[ "$stderr" != *"$k_password"* ]]
}
