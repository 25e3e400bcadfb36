#!/usr/bin/env bats
# Safe on a busy database: column type changes judged against the live
# catalog (a binary-coercible change is no rewrite: the relfilenode stays),
# warning-level hazards (ACCESS_EXCLUSIVE, INDEX_BUILD, INDEX_DROPPED,
# NOT_TRANSACTIONAL, AUTHZ_UPDATE) and the lock of each statement in plans and
# file headers, table sizes in messages, and SET NOT NULL through a validated
# CHECK (no scan under ACCESS EXCLUSIVE), end to end with pg-flux.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# init SQL: the schema files and the database both start as SQL, tracked by a first migration.
init() {
  write_schema 01.sql <<< "$1"
  run -0 pg-flux migrate generate --db "$DB" --label init
  run -0 pg-flux migrate apply --db "$DB"
}
relfilenode() { sql_value "$DB" "select relfilenode from pg_class where oid = 'public.$1'::regclass"; }
col_type() { sql_value "$DB" "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'public.$1'::regclass and attname = '$2'"; }

@test "varchar(10) -> varchar(20): no blocking hazard, applied without --allow-hazards, no table rewrite" {
  init 'CREATE TABLE orders (id int PRIMARY KEY, note varchar(10), code varchar(10));
CREATE INDEX orders_note ON orders (note);'
  sql "$DB" "insert into orders select g, 'n' || g, 'c' from generate_series(1, 1000) g"
  before=$(relfilenode orders)
  index_before=$(relfilenode orders_note)
  write_schema 01.sql <<'SQL'
CREATE TABLE orders (id int PRIMARY KEY, note varchar(20), code text);
CREATE INDEX orders_note ON orders (note);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label widen
  file=$(latest_migration)
  assert_file_contains "$file" '^ALTER TABLE public.orders ALTER COLUMN note TYPE character varying(20)'
  assert_file_contains "$file" '^-- hazards: none$'
  assert_file_contains "$file" '^-- warnings: ACCESS_EXCLUSIVE$'
  assert_file_contains "$file" '^--   warning ACCESS_EXCLUSIVE: ALTER COLUMN orders.note TYPE varchar(20): changes the type of public.orders.note without rewriting the table (character varying(10) to character varying(20) is binary-coercible)'
  assert_file_contains "$file" '^--   ACCESS EXCLUSIVE on public.orders: ALTER COLUMN orders.code TYPE text$'
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(col_type orders note)" "character varying(20)"
  assert_equal "$(col_type orders code)" "text"
  # The same storage: PostgreSQL rewrote neither the table nor its index.
  assert_equal "$(relfilenode orders)" "$before"
  assert_equal "$(relfilenode orders_note)" "$index_before"
  run -0 pg-flux drift --db "$DB"
}

@test "varchar(20) -> varchar(10) is still COLUMN_TYPE_CHANGE, refused, and rewrites the table once allowed" {
  init 'CREATE TABLE orders (id int PRIMARY KEY, note varchar(20));'
  sql "$DB" "insert into orders values (1, 'short')"
  before=$(relfilenode orders)
  write_schema 01.sql <<< 'CREATE TABLE orders (id int PRIMARY KEY, note varchar(10));'
  run -0 pg-flux migrate generate --db "$DB" --label narrow
  file=$(latest_migration)
  assert_file_contains "$file" '^-- hazards: COLUMN_TYPE_CHANGE$'
  assert_file_contains "$file" 'not binary-coercible'
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial 'COLUMN_TYPE_CHANGE: ALTER TABLE public.orders ALTER COLUMN note TYPE character varying(10)'
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=COLUMN_TYPE_CHANGE
  refute [ "$(relfilenode orders)" = "$before" ]
}

@test "numeric precision increase and a CHECK on the column: no rewrite, but the CHECK is scanned again (CONSTRAINT_SCAN)" {
  init 'CREATE TABLE t (id int PRIMARY KEY, amount numeric(10,2) CHECK (amount >= 0), price numeric(8,2));'
  write_schema 01.sql <<< 'CREATE TABLE t (id int PRIMARY KEY, amount numeric(12,2) CHECK (amount >= 0), price numeric);'
  run -0 pg-flux migrate generate --db "$DB" --label wider
  file=$(latest_migration)
  assert_file_contains "$file" '^-- hazards: CONSTRAINT_SCAN$'
  assert_file_contains "$file" 'checks CHECK constraint t_amount_check again'
  # The plan says the same: price has no blocking hazard.
  flux-snapshot --db "$DB" > live.json
  flux-parse schema/01.sql > desired.json
  flux-diff live.json desired.json | flux-hazards > plan.json
  run jq -r '.steps[] | select(.summary | test("price")) | [.summary, (.hazards | length), .lock, .lock_on] | join("|")' plan.json
  assert_output 'ALTER COLUMN t.price TYPE numeric|0|ACCESS EXCLUSIVE|public.t'
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=CONSTRAINT_SCAN
  assert_equal "$(col_type t amount)" "numeric(12,2)"
}

@test "an expression index on the column is rebuilt: the widening stays COLUMN_TYPE_CHANGE" {
  init 'CREATE TABLE t (id int PRIMARY KEY, email varchar(10));
CREATE INDEX t_lower ON t (lower(email));'
  write_schema 01.sql <<< 'CREATE TABLE t (id int PRIMARY KEY, email varchar(40));
CREATE INDEX t_lower ON t (lower(email));'
  run -0 pg-flux migrate generate --db "$DB" --label wider
  file=$(latest_migration)
  assert_file_contains "$file" '^-- hazards: COLUMN_TYPE_CHANGE$'
  assert_file_contains "$file" 'without rewriting the table, but rebuilds index t_lower under an ACCESS EXCLUSIVE lock'
}

@test "a hand-written file is judged at apply time against the live catalog" {
  init 'CREATE TABLE t (id int PRIMARY KEY, v varchar(10));'
  hash=$(state_hash "$DB")
  printf -- '-- baseline: %s\nBEGIN;\nALTER TABLE t ALTER COLUMN v TYPE varchar(30);\nCOMMIT;\n' "$hash" \
    > migrations/20991231_000000_hand.sql
  # flux-hazards --sql has no live catalog: it assumes a rewrite.
  run -0 flux-hazards --sql migrations/20991231_000000_hand.sql
  assert_equal "$(jq -r '[.steps[].hazards[].code] | join(",")' <<< "$output")" COLUMN_TYPE_CHANGE
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(col_type t v)" "character varying(30)"
}

@test "warnings: INDEX_BUILD, INDEX_DROPPED, NOT_TRANSACTIONAL, AUTHZ_UPDATE and locks in the header and the plan, with table sizes" {
  init 'CREATE TABLE orders (id int PRIMARY KEY, note text, total int);
CREATE INDEX idx_orphan ON orders (total);'
  sql "$DB" "insert into orders select g, 'n', g from generate_series(1, 5000) g; analyze orders"
  sql "$DB" "create role hz_reporting"
  write_schema 01.sql <<'SQL'
CREATE TABLE orders (id int PRIMARY KEY, note text, total int);
CREATE INDEX orders_note ON orders (note);
GRANT SELECT ON orders TO hz_reporting;
SQL
  run -0 pg-flux migrate generate --db "$DB" --label warn
  file=$(latest_migration)
  assert_file_contains "$file" '^-- hazards: none$'
  assert_file_contains "$file" '^-- warnings: ACCESS_EXCLUSIVE, AUTHZ_UPDATE, INDEX_BUILD, INDEX_DROPPED, NOT_TRANSACTIONAL$'
  assert_file_contains "$file" '^--   warning INDEX_BUILD: CREATE INDEX orders_note: builds index orders_note on public.orders concurrently (after the commit): writes go on, the build takes longer (public.orders: ~[0-9.]* kB, ~5,000 rows)$'
  assert_file_contains "$file" '^--   warning INDEX_DROPPED: DROP INDEX idx_orphan: drops index public.idx_orphan: queries that used it may get slower$'
  assert_file_contains "$file" '^--   warning NOT_TRANSACTIONAL: CREATE INDEX orders_note: runs after COMMIT'
  assert_file_contains "$file" '^--   warning AUTHZ_UPDATE: .*grants privileges'
  assert_file_contains "$file" '^--   SHARE UPDATE EXCLUSIVE on public.orders: CREATE INDEX orders_note$'
  assert_file_contains "$file" '^--   ACCESS EXCLUSIVE on public.idx_orphan: DROP INDEX idx_orphan$'
  # Warnings never block.
  run -0 pg-flux migrate apply --db "$DB"
  # The plan document carries them too, and validates against its schema.
  flux-snapshot --db "$DB" > live.json
  write_schema 01.sql <<'SQL'
CREATE TABLE orders (id int PRIMARY KEY, note text, total int);
SQL
  flux-parse schema/01.sql > desired.json
  flux-diff live.json desired.json | flux-hazards > plan.json
  run jq -r '.steps[] | [.summary, .lock, .lock_on, ([.warnings[]?.code] | join(","))] | join("|")' plan.json
  assert_line 'DROP INDEX orders_note|ACCESS EXCLUSIVE|public.orders_note|INDEX_DROPPED,ACCESS_EXCLUSIVE'
  assert_line --regexp '^REVOKE .*\|AUTHZ_UPDATE$'
  run jq -r '.live.tables["public.orders"].rows' plan.json
  assert_output 5000
  run -0 /usr/bin/python3 -m jsonschema -i plan.json "$PGFLUX_SOURCE/schemas/pgflux.plan.v1.schema.json"
  # --allow-hazards accepts a warning code and changes nothing.
  run -0 flux-hazards --check --allow-hazards=INDEX_BUILD plan.json
}

@test "SET NOT NULL on a table with rows: CHECK NOT VALID, VALIDATE, SET NOT NULL, DROP; no blocking hazard" {
  init 'CREATE TABLE users (id int PRIMARY KEY, email text);'
  sql "$DB" "insert into users select g, 'u' || g || '@x' from generate_series(1, 2000) g"
  write_schema 01.sql <<< 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);'
  run -0 pg-flux migrate generate --db "$DB" --label email_required
  file=$(latest_migration)
  assert_file_contains "$file" '^-- hazards: none$'
  run -0 awk '/^COMMIT;/ { after = 1 } /^ALTER TABLE/ { print (after ? "after " : "in ") $0 }' "$file"
  assert_output 'in ALTER TABLE public.users ADD CONSTRAINT email__pgflux_not_null CHECK (email IS NOT NULL) NOT VALID;
after ALTER TABLE public.users VALIDATE CONSTRAINT email__pgflux_not_null;
after ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;
after ALTER TABLE public.users DROP CONSTRAINT IF EXISTS email__pgflux_not_null;'
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(sql_value "$DB" "select attnotnull from pg_attribute where attrelid = 'users'::regclass and attname = 'email'")" t
  assert_equal "$(sql_value "$DB" "select count(*) from pg_constraint where conrelid = 'users'::regclass and contype = 'c'")" 0
  run -0 pg-flux drift --db "$DB"
  assert_equal "$(sql_value "$DB" "select count(*) from users")" 2000
}

@test "SET NOT NULL with a NULL row: VALIDATE fails clearly, the file resumes once the row is fixed" {
  init 'CREATE TABLE users (id int PRIMARY KEY, email text);'
  sql "$DB" "insert into users values (1, 'a@x'), (2, null)"
  write_schema 01.sql <<< 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);'
  run -0 pg-flux migrate generate --db "$DB" --label email_required
  run pg-flux migrate apply --db "$DB"
  assert_failure
  assert_output --partial 'email__pgflux_not_null'
  assert_output --partial 'is violated by some row'
  # The transactional part committed: the helper CHECK is there, NOT VALID.
  assert_equal "$(sql_value "$DB" "select convalidated from pg_constraint where conname = 'email__pgflux_not_null'")" f
  sql "$DB" "update users set email = 'b@x' where id = 2"
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(sql_value "$DB" "select attnotnull from pg_attribute where attrelid = 'users'::regclass and attname = 'email'")" t
  assert_equal "$(sql_value "$DB" "select count(*) from pg_constraint where conname = 'email__pgflux_not_null'")" 0
  run -0 pg-flux drift --db "$DB"
}

@test "drift lines: types as a user writes them, an index by its name" {
  init 'CREATE TABLE users (id int PRIMARY KEY, name varchar(20));
CREATE INDEX idx_orphan ON users (name);'
  write_schema 01.sql <<'SQL'
CREATE TABLE users (id int PRIMARY KEY, name varchar(40), last_login timestamptz, seen time with time zone,
  tag character(2), seen_at timestamp(3));
SQL
  run -1 pg-flux drift --db "$DB"
  assert_line 'DROP INDEX idx_orphan'
  assert_line 'ADD COLUMN users.last_login timestamptz'
  assert_line 'ADD COLUMN users.seen timetz'
  assert_line 'ADD COLUMN users.tag char(2)'
  assert_line 'ADD COLUMN users.seen_at timestamp(3)'
  assert_line 'ALTER COLUMN users.name TYPE varchar(40)'
  # Only in summaries: the SQL keeps PostgreSQL's canonical form.
  run -0 pg-flux migrate generate --db "$DB" --label types
  assert_file_contains "$(latest_migration)" '^ALTER TABLE public.users ADD COLUMN last_login timestamp with time zone;$'
}
