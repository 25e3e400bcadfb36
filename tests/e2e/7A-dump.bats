#!/usr/bin/env bats
# pg-flux dump: the database written as schema files (flux-snapshot |
# flux-diff --from-nothing | flux-track dump). For the rich example, the
# every-kind schema of suite 80, hostile names and partitions: the files read
# back as the database (drift finds nothing, generate writes nothing), in each
# layout, and two dumps are byte-identical. (In scripts/test --full every
# round trip of suites 31-3G also dumps its database and drifts against the
# dump: see roundtrip.bash.)
load helpers
load every_kind
load hostile_names
bats_require_minimum_version 1.5.0

HOSTILE="nl dq space mixed digit emoji dollar"

setup_file() {
  pgflux_setup_file
  local c roles="CREATE ROLE docs_reader; CREATE ROLE docs_owner;"
  for c in $HOSTILE; do roles+=$(hostile_roles "$c"); done
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "$roles"
}
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# dump_converges LAYOUT DIR [DB]: dumps into DIR; drift against it finds nothing.
dump_converges() {
  local db=${3:-$DB}
  run pg-flux dump --db "$db" --layout "$1" --out "$2"
  assert_success
  assert_line --regexp "^wrote [0-9]+ files? \([0-9]+ statements?, layout $1\) to $2\$"
  run pg-flux drift --db "$db" --schema-dir "$2"
  assert_success
  assert_line "no drift: the database matches $2"
}

@test "the rich example: dumped, read back with nothing to do, byte-identical twice, in every layout" {
  local f
  for f in "$PGFLUX_SOURCE"/examples/schema/*.sql; do psql -X -q -v ON_ERROR_STOP=1 "$DB" -f "$f" > /dev/null; done
  run pg-flux dump --db "$DB"
  assert_success
  assert_line "wrote 2 files (13 statements, layout per-schema) to schema"
  assert_line --partial 'next: `pg-flux drift --schema-dir schema` finds no drift'
  assert_equal "$(cd schema && ls)" "$(printf '0_database.sql\npublic.sql')"
  grep -qx "CREATE EXTENSION citext WITH SCHEMA public VERSION '1.6';" schema/0_database.sql
  grep -qx 'CREATE TABLE public.orders (' schema/public.sql
  # Dependency order within a file: the enum before the table using it, the
  # tables before the view, the view before the function reading it.
  local order
  order=$(grep -n -E '^CREATE (TYPE|TABLE|VIEW|FUNCTION)' schema/public.sql | cut -d' ' -f3 | tr '\n' ' ')
  assert_equal "$order" "public.order_status public.customers public.orders public.customer_totals public.customer_spent(p_customer "
  # Generate after the dump: nothing to do.
  run pg-flux migrate generate --db "$DB"
  assert_success
  assert_output --partial "nothing to do"
  [ -z "$(ls migrations 2>/dev/null)" ]
  # Byte-identical: a second dump, and the flat layout on stdout.
  run pg-flux dump --db "$DB" --out again
  assert_success
  diff -r schema again
  pg-flux dump --db "$DB" --layout flat --out - > flat1.sql
  pg-flux dump --db "$DB" --layout flat --out - > flat2.sql
  cmp flat1.sql flat2.sql
  mkdir flat && mv flat1.sql flat/schema.sql
  run pg-flux drift --db "$DB" --schema-dir flat
  assert_success
  dump_converges per-kind by-kind
  assert_equal "$(cd by-kind && find . -type f | sort | tr '\n' ' ')" \
    "./0_database/extensions.sql ./public/enums.sql ./public/functions.sql ./public/sequences.sql ./public/tables.sql ./public/views.sql "
  # Indexes and constraints go with their table.
  grep -q '^CREATE INDEX orders_customer_id_idx' by-kind/public/tables.sql
  grep -q '^ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey' by-kind/public/tables.sql
}

@test "every kind of object: each layout reads back as the database; a secret becomes a variable reference" {
  write_every_kind
  load_schema "$DB"
  rm -r schema
  run pg-flux dump --db "$DB" --layout per-kind --out kinds
  assert_success
  assert_line "flux-diff: warning: user mapping for docs_reader on server docs_server: the database does not give its password option; the dump writes '\${PGFLUX_DOCS_READER_DOCS_SERVER_PASSWORD}': set PGFLUX_DOCS_READER_DOCS_SERVER_PASSWORD where \`pg-flux migrate apply\` runs"
  grep -q "password '\${PGFLUX_DOCS_READER_DOCS_SERVER_PASSWORD}'" kinds/0_database/user_mappings.sql
  # The default privileges of the role that applies migrations are declared
  # without FOR ROLE, as schema files declare them; another owner is named.
  grep -qx 'ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO docs_reader;' kinds/0_database/default_privileges.sql
  grep -qx 'ALTER TABLE app.tickets OWNER TO docs_owner;' kinds/app/tables.sql
  grep -q '^CREATE TRIGGER tickets_touch' kinds/app/tables.sql
  grep -q '^CREATE RULE happy_no_delete' kinds/app/views.sql
  grep -q '^CREATE UNIQUE INDEX ticket_counts_user' kinds/app/materialized_views.sql
  grep -q 'CONSTRAINT price_positive' kinds/app/domains.sql
  [ -f kinds/app/schema.sql ] && [ -f kinds/app/text_search_configurations.sql ] && [ -f kinds/0_database/event_triggers.sql ]
  export PGFLUX_DOCS_READER_DOCS_SERVER_PASSWORD=secret
  run pg-flux drift --db "$DB" --schema-dir kinds
  assert_success
  dump_converges per-schema per-schema
  assert_equal "$(cd per-schema && ls | tr '\n' ' ')" "0_database.sql app.sql "
  dump_converges flat flat
  run pg-flux migrate generate --db "$DB" --schema-dir flat
  assert_success
  assert_output --partial "nothing to do"
  pg-flux dump --db "$DB" --layout per-kind --out kinds2 2>/dev/null
  diff -r kinds kinds2
}

@test "hostile names: statements quoted, file names escaped, the dump reads back as the database" {
  local c all=""
  for c in $HOSTILE; do all+=$(hostile_schema "$c"); done
  psql -X -q -v ON_ERROR_STOP=1 "$DB" <<< "$all" > /dev/null 2>&1
  dump_converges per-kind kinds
  dump_converges per-schema schemas
  # A schema's file name keeps [a-z0-9_] and writes every other byte @XX:
  # no name can leave the directory, and names differing in case stay apart.
  [ -f "schemas/a@0As.sql" ]     # a<newline>s
  [ -f "schemas/a@22s.sql" ]     # a"s
  [ -f "schemas/@20s@20.sql" ]   # " s "
  [ -f "schemas/@4Dixeds.sql" ]  # Mixeds
  [ -f "schemas/@31s.sql" ]      # 1s: a leading digit, never 0_database
  [ -f "schemas/@F0@9F@98@80s.sql" ]
  [ -d "kinds/a@24@24s@24x@24" ]
  assert_equal "$(find schemas kinds -name '*.sql' | grep -c -v -E '^(schemas|kinds)/[a-z0-9_@A-F]+(/[a-z_]+)?\.sql$')" 0
  run pg-flux migrate generate --db "$DB" --schema-dir kinds
  assert_success
  assert_output --partial "nothing to do"
}

@test "partitions, inheritance, identity and serial columns, mixed-case names and an owner of its own" {
  sql "$DB" "CREATE SCHEMA \"Billing\";
    CREATE TABLE \"Billing\".\"Invoice\" (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n serial, at date NOT NULL);
    CREATE TABLE \"Billing\".lines (invoice bigint REFERENCES \"Billing\".\"Invoice\", at date NOT NULL, amount numeric(10,2) DEFAULT 0) PARTITION BY RANGE (at);
    CREATE TABLE \"Billing\".lines_2025 PARTITION OF \"Billing\".lines FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE \"Billing\".lines_old (LIKE \"Billing\".lines);
    ALTER TABLE \"Billing\".lines ATTACH PARTITION \"Billing\".lines_old FOR VALUES FROM (MINVALUE) TO ('2025-01-01');
    CREATE INDEX ON \"Billing\".lines (at);
    CREATE TABLE public.base (id int, note text); CREATE TABLE public.derived (extra int) INHERITS (public.base);
    CREATE SEQUENCE public.loose START 5; ALTER TABLE public.derived OWNER TO docs_owner;"
  dump_converges per-schema schema
  assert_equal "$(cd schema && ls | tr '\n' ' ')" "@42illing.sql public.sql "
  grep -q '^CREATE TABLE "Billing".lines_old PARTITION OF "Billing".lines FOR VALUES FROM (MINVALUE) TO' 'schema/@42illing.sql'
  run pg-flux migrate generate --db "$DB"
  assert_success
  assert_output --partial "nothing to do"
}

@test "refusals: a directory that is not empty, stdout without flat, a bad layout, options of dump elsewhere; nothing written" {
  sql "$DB" "CREATE TABLE t (id int)"
  mkdir -p out && echo keep > out/mine.sql
  run pg-flux dump --db "$DB" --out out
  assert_failure 2
  assert_output --partial '"out" is not empty: pg-flux dump writes into a new or empty directory'
  assert_equal "$(ls out)" "mine.sql"
  run pg-flux dump --db "$DB" --out -
  assert_failure 2
  assert_output --partial "--out - (standard output) needs --layout flat"
  run pg-flux dump --db "$DB" --layout tree --out x
  assert_failure 2
  assert_output --partial "--layout must be flat, per-schema or per-kind"
  [ ! -e x ]
  run pg-flux drift --db "$DB" --out x
  assert_failure 2
  assert_output --partial "--out applies to dump"
  run pg-flux dump --db "$DB" extra
  assert_failure 2
  # flux-track dump takes only a plan from an empty database.
  flux-snapshot --db "$DB" > live.json
  flux-diff live.json live.json > same.json
  run flux-track dump --out y same.json
  assert_failure 2
  assert_output --partial "same.json: not a plan from an empty database; a dump is made by flux-diff --from-nothing MODEL"
  [ ! -e y ]
  run flux-diff --from-nothing live.json live.json
  assert_failure 2
  assert_output --partial "--from-nothing takes one model"
  # No scratch directory is left behind by any of them.
  [ -z "$(ls -A . | grep pgflux-dump)" ]
  # An empty directory is fine; a database with nothing pg-flux manages writes nothing.
  mkdir empty
  run pg-flux dump --db "$DB" --out empty
  assert_success
  [ -f empty/public.sql ]
  sql "$DB" "DROP TABLE t"
  run pg-flux dump --db "$DB" --out none
  assert_success
  assert_output "nothing to dump: the database has no objects pg-flux manages; none is empty"
  [ -d none ] && [ -z "$(ls -A none)" ]
  run pg-flux drift --db "$DB" --schema-dir none
  assert_success
}

@test "what pg-flux does not model is named, and left out" {
  sql "$DB" "CREATE TABLE t (id int, v int); CREATE SCHEMA other; CREATE STATISTICS other.s ON id, v FROM t"
  run pg-flux dump --db "$DB" --out d
  assert_success
  assert_line "flux-diff: warning: left out (pg-flux does not model these yet): 1 cross-schema statistics object"
}

@test "adoption: dump, then change the schema files and generate only the change" {
  sql "$DB" "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE)"
  run pg-flux dump --db "$DB"
  assert_success
  printf 'CREATE TABLE public.audit (at timestamptz NOT NULL DEFAULT now());\n' > schema/audit.sql
  run pg-flux migrate generate --db "$DB" --label audit
  assert_success
  local file
  file=$(latest_migration)
  grep -q '^CREATE TABLE public.audit' "$file"
  ! grep -q accounts "$file"
  run pg-flux migrate apply --db "$DB"
  assert_success
  run pg-flux drift --db "$DB"
  assert_success
}
