# helpers.bash: shared set-up for the bats suites. Each suite (file) gets its
# own throwaway cluster (setup_file/teardown_file); each test gets a fresh
# database ($DB), a fresh working directory with schema/ and migrations/, and
# an environment with no DATABASE_URL or PG* variables.
#
# In a suite:
#   load helpers
#   setup_file() { pgflux_setup_file; }
#   teardown_file() { pgflux_teardown_file; }
#   setup() { pgflux_setup; }

# bats-support, bats-assert and bats-file, sourced directly: their load.bash
# files fork a dirname per source line, ~170 ms per test on a small machine.
for _lib in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash \
            /usr/lib/bats/bats-file/src/*.bash; do
  source "$_lib"
done
unset _lib

: "${PGFLUX_BIN:?PGFLUX_BIN must point at the bin directory of a build; run the suites through ctest}"
: "${PGFLUX_SOURCE:?PGFLUX_SOURCE must point at the source tree}"
# The server's own client binaries come first: Debian's /usr/bin/psql is a Perl
# wrapper that costs ~50 ms of CPU per call, and the suites call psql thousands
# of times.
# (Computed once per suite: the variable is exported to every test.)
# Every test cluster is throwaway: shadow and scratch databases are copied
# with FILE_COPY, five times faster than the WAL here (see pg-flux(1),
# PGFLUX_SHADOW_STRATEGY), and so are the tests' own databases (new_db).
export PGFLUX_SHADOW_STRATEGY=file_copy
if [ -z "${PGFLUX_PG_BINDIR:-}" ]; then
  PGFLUX_PG_BINDIR=$("$PGFLUX_BIN/pgflux-cluster" bindir)
  export PGFLUX_PG_BINDIR PATH="$PGFLUX_BIN:$PGFLUX_PG_BINDIR:$PATH"
fi

pgflux_clean_env() {
  unset DATABASE_URL PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE PGOPTIONS
}

pgflux_setup_file() {
  pgflux_clean_env
  PGFLUX_TEST_CLUSTER=$(mktemp -d /tmp/pgflux-test.XXXXXX)
  chmod 755 "$PGFLUX_TEST_CLUSTER"
  export PGFLUX_TEST_CLUSTER
  PGFLUX_ADMIN_URL=$(pgflux-cluster start "$PGFLUX_TEST_CLUSTER/pg" --fast)
  export PGFLUX_ADMIN_URL
}

pgflux_teardown_file() {
  [ -n "${PGFLUX_TEST_CLUSTER:-}" ] && pgflux-cluster destroy "$PGFLUX_TEST_CLUSTER/pg" >/dev/null 2>&1
  rm -rf "${PGFLUX_TEST_CLUSTER:-/nonexistent}"
}

# db_url NAME: URL of database NAME on the suite's cluster.
db_url() { printf '%s' "$PGFLUX_ADMIN_URL" | sed "s|@/postgres?|@/$1?|"; }

# new_db NAME: creates (or recreates) database NAME and prints its URL.
new_db() {
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" \
    -c "CREATE DATABASE \"$1\" STRATEGY FILE_COPY" >/dev/null
  db_url "$1"
}

pgflux_setup() {
  pgflux_clean_env
  DB=$(new_db "t${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}")
  export DB
  cd "$BATS_TEST_TMPDIR" || return 1
  mkdir -p schema
}

# sql URL "statements": runs SQL, fails the test on error.
sql() { psql -X -q -v ON_ERROR_STOP=1 "$1" -c "$2"; }
# sql_value URL "query": prints one value.
sql_value() { psql -X -qAt -v ON_ERROR_STOP=1 "$1" -c "$2"; }
# write_schema FILE <<SQL ... : writes schema/FILE from stdin.
write_schema() { mkdir -p "schema/$(dirname "$1")"; cat > "schema/$1"; }
# load_schema URL: loads every schema/*.sql file into the database with psql, in name order.
load_schema() { local f; for f in $(find schema -name '*.sql' | sort); do psql -X -q -v ON_ERROR_STOP=1 "$1" -f "$f" >/dev/null || return 1; done; }
# latest_migration: path of the newest migration file.
latest_migration() { ls migrations/*.sql 2>/dev/null | sort | tail -n 1; }
# header FILE KEY: value of "-- KEY: value" in a migration file.
header() { sed -n "s/^-- $2: //p" "$1" | head -n 1; }
# tracked NAME: number of tracking rows for NAME in $DB (0 when the table is absent).
tracked() {
  if [ "$(sql_value "$DB" "select to_regclass('_pgflux.migrations') is null")" = t ]; then echo 0; return; fi
  sql_value "$DB" "select count(*) from _pgflux.migrations where name = '$1'"
}
# table_exists NAME [URL]: t or f, in URL (default $DB).
table_exists() { sql_value "${2:-$DB}" "select to_regclass('public.$1') is not null"; }
# state_hash URL: the live state hash as flux-snapshot computes it.
state_hash() { flux-snapshot --db "$1" | jq -r .state_hash; }

# The advisory lock key pg-flux migrate apply takes (k_apply_lock_key).
k_apply_lock=7396238125113548110
# wait_for CMD...: retries CMD for up to 20 s.
wait_for() {
  local i
  for i in $(seq 1 200); do "$@" && return 0; sleep 0.1; done
  echo "timed out waiting for: $*" >&2
  return 1
}
# kill_background: stops the background processes a test listed in BG_PIDS
# (lock holders, concurrent applies); for teardown.
kill_background() {
  local pid
  for pid in ${BG_PIDS:-}; do kill "$pid" 2>/dev/null; done
  return 0
}

# JSON Schema checks (suites 75 and 80) with Debian's python3-jsonschema.
# jsonschema_setup: sets SCHEMAS and PY, fails when the module is missing.
jsonschema_setup() {
  SCHEMAS="$PGFLUX_SOURCE/schemas"
  PY=/usr/bin/python3
  "$PY" -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema is not installed (apt-get install python3-jsonschema)"
}

# validate FORMAT FILE: FILE must be a valid FORMAT v1 document.
validate() {
  run "$PY" -m jsonschema -i "$2" "$SCHEMAS/$1.v1.schema.json"
  if [ "$status" -ne 0 ]; then
    echo "$2 is not a valid $1 document:" >&2
    cat "$2" >&2
    echo "$output" >&2
    return 1
  fi
}

# invalid FORMAT FILE: FILE must fail validation against FORMAT v1.
invalid() {
  run "$PY" -m jsonschema -i "$2" "$SCHEMAS/$1.v1.schema.json"
  if [ "$status" -eq 0 ]; then
    echo "$2 was accepted as a $1 document" >&2
    return 1
  fi
}

# embedded_teardown: destroys the embedded cluster a test started (it lives
# under .pgflux/ in the test's working directory); for teardown().
embedded_teardown() {
  if [ -d "$BATS_TEST_TMPDIR/.pgflux" ]; then
    (cd "$BATS_TEST_TMPDIR" && pgflux_clean_env && pg-flux embedded destroy >/dev/null 2>&1)
  fi
  return 0
}
