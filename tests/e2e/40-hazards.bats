#!/usr/bin/env bats
# Hazards: flux-hazards classifies statements from their parse trees
# (DATA_LOSS, COLUMN_TYPE_CHANGE, MASS_DROP, CONSTRAINT_SCAN), pg-flux migrate
# apply refuses blocking hazards unless allowed, hand edits are classified
# too, and generated plans get the safe rewrites (NOT VALID + VALIDATE after
# COMMIT, CREATE INDEX CONCURRENTLY after COMMIT).
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

k_refusal='refusing to apply: blocking hazards; pass --allow-hazards or change schema'

# hazards_of "SQL" [flux-hazards options]: the hazard codes flux-hazards --sql
# finds in SQL (wrapped in BEGIN/COMMIT), sorted, comma-separated.
hazards_of() {
  local stmt=$1
  shift
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$stmt" > classify.sql
  flux-hazards --sql classify.sql "$@" | jq -r '[.steps[].hazards[].code] | unique | join(",")'
}
# expect_hazards CODES "SQL" [options]: fails naming the statement when the codes differ.
expect_hazards() {
  local want=$1 got
  shift
  got=$(hazards_of "$@") || { echo "flux-hazards failed on: $1" >&2; return 1; }
  if [ "$got" != "$want" ]; then
    echo "expected [$want] but got [$got] for: $1" >&2
    return 1
  fi
}
# file_lacks FILE REGEX: fails when FILE has a line matching REGEX.
file_lacks() {
  if grep -q -- "$2" "$1"; then
    echo "$1 should not contain $2:" >&2
    grep -n -- "$2" "$1" >&2
    return 1
  fi
}
header() { sed -n "s/^-- $2: //p" "$1" | head -n 1; }
tracked() {
  if [ "$(sql_value "$DB" "select to_regclass('_pgflux.migrations') is null")" = t ]; then echo 0; return; fi
  sql_value "$DB" "select count(*) from _pgflux.migrations where name = '$1'"
}
# catalog: tables, columns with types and nullability, indexes and constraints of public.
catalog() {
  sql_value "$DB" "select coalesce(string_agg(x, ',' order by x), '') from (
    select c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull as x
      from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
    union all select 'index ' || relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'i'
    union all select 'constraint ' || conname || ':' || convalidated from pg_constraint
      where connamespace = 'public'::regnamespace
    union all select 'sequence ' || relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'S'
    union all select 'schema ' || nspname from pg_namespace where nspname not like 'pg\_%' and nspname not in ('information_schema', '_pgflux')
  ) s"
}

# --- flux-hazards --sql ------------------------------------------------------

@test "DATA_LOSS: DROP TABLE/SEQUENCE/EXTENSION, DROP COLUMN, DROP ... CASCADE, TRUNCATE, DELETE" {
  expect_hazards DATA_LOSS 'DROP TABLE a;'
  expect_hazards DATA_LOSS 'DROP TABLE IF EXISTS app.a, b;'
  expect_hazards DATA_LOSS 'DROP SEQUENCE s;'
  expect_hazards DATA_LOSS 'DROP EXTENSION citext;'
  expect_hazards DATA_LOSS 'ALTER TABLE b DROP COLUMN c;'
  expect_hazards DATA_LOSS 'ALTER TABLE b ADD COLUMN z int, DROP COLUMN c;'
  expect_hazards DATA_LOSS 'DROP INDEX i CASCADE;'
  expect_hazards DATA_LOSS 'DROP TYPE mood CASCADE;'
  expect_hazards DATA_LOSS 'DROP SCHEMA app CASCADE;'
  expect_hazards DATA_LOSS 'TRUNCATE e;'
  expect_hazards DATA_LOSS 'DELETE FROM f WHERE id = 1;'
}

@test "statements without hazards are not flagged" {
  expect_hazards '' 'CREATE TABLE t (id int PRIMARY KEY, email text NOT NULL);'
  expect_hazards '' 'ALTER TABLE b ADD COLUMN z int;'
  expect_hazards '' 'ALTER TABLE b ADD CONSTRAINT u UNIQUE (x);'
  expect_hazards '' 'ALTER TABLE b DROP CONSTRAINT u;'
  expect_hazards '' 'ALTER TABLE b ALTER COLUMN x DROP NOT NULL;'
  expect_hazards '' 'ALTER TABLE b ALTER COLUMN x SET DEFAULT 0;'
  expect_hazards '' 'CREATE INDEX b_x_idx ON b (x);'
  expect_hazards '' 'DROP INDEX b_x_idx;'
  expect_hazards '' 'DROP TYPE mood;'
  expect_hazards '' 'DROP SCHEMA app;'
  expect_hazards '' "ALTER TYPE mood ADD VALUE 'meh';"
  expect_hazards '' "COMMENT ON TABLE b IS 'x';"
  expect_hazards '' 'INSERT INTO b VALUES (1);'
  expect_hazards '' 'UPDATE b SET x = 1;'
}

@test "COLUMN_TYPE_CHANGE: ALTER COLUMN ... TYPE" {
  expect_hazards COLUMN_TYPE_CHANGE 'ALTER TABLE b ALTER COLUMN d TYPE bigint;'
  expect_hazards COLUMN_TYPE_CHANGE 'ALTER TABLE b ALTER d SET DATA TYPE text USING d::text;'
  expect_hazards COLUMN_TYPE_CHANGE,DATA_LOSS 'ALTER TABLE b DROP COLUMN c, ALTER COLUMN d TYPE bigint;'
}

@test "CONSTRAINT_SCAN: FOREIGN KEY/CHECK without NOT VALID and SET NOT NULL on existing tables only" {
  expect_hazards CONSTRAINT_SCAN 'ALTER TABLE b ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES y (id);'
  expect_hazards CONSTRAINT_SCAN 'ALTER TABLE b ADD FOREIGN KEY (x) REFERENCES y;'
  expect_hazards CONSTRAINT_SCAN 'ALTER TABLE b ADD CONSTRAINT ck CHECK (x > 0);'
  expect_hazards CONSTRAINT_SCAN 'ALTER TABLE b ALTER COLUMN x SET NOT NULL;'
  expect_hazards CONSTRAINT_SCAN 'ALTER TABLE app.b ADD CONSTRAINT ck CHECK (x > 0);'
  # NOT VALID and VALIDATE do not hold the strong lock during the scan.
  expect_hazards '' 'ALTER TABLE b ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES y (id) NOT VALID;'
  expect_hazards '' 'ALTER TABLE b ADD CONSTRAINT ck CHECK (x > 0) NOT VALID;'
  expect_hazards '' 'ALTER TABLE b VALIDATE CONSTRAINT ck;'
  # A table created earlier in the same file is empty: no scan to fear.
  expect_hazards '' 'CREATE TABLE n (id int, x int);
ALTER TABLE n ADD CONSTRAINT ck CHECK (x > 0);
ALTER TABLE n ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES y (id);
ALTER TABLE n ALTER COLUMN x SET NOT NULL;'
  expect_hazards '' 'CREATE TABLE app.n (id int, x int);
ALTER TABLE app.n ADD CONSTRAINT ck CHECK (x > 0);'
  # ... but only that table: same name in another schema still counts as existing.
  expect_hazards CONSTRAINT_SCAN 'CREATE TABLE app.n (id int, x int);
ALTER TABLE n ADD CONSTRAINT ck CHECK (x > 0);'
}

@test "each statement carries its own hazards, with its file:line" {
  cat > mixed.sql <<'SQL'
BEGIN;
CREATE TABLE n (id int);

DROP TABLE a;
ALTER TABLE b ALTER COLUMN d TYPE bigint;
ALTER TABLE b ALTER COLUMN x SET NOT NULL;
COMMIT;
CREATE INDEX CONCURRENTLY n_id_idx ON n (id);
SQL
  run --separate-stderr -0 flux-hazards --sql mixed.sql
  run jq -r '.steps[] | .summary + " " + .phase + " " + ([.hazards[].code] | join(","))' <<< "$output"
  assert_output "mixed.sql:2 transactional 
mixed.sql:4 transactional DATA_LOSS
mixed.sql:5 transactional COLUMN_TYPE_CHANGE
mixed.sql:6 transactional CONSTRAINT_SCAN
mixed.sql:8 after-commit "
  run --separate-stderr -0 flux-hazards --sql mixed.sql
  run jq -r '[.format, .version, .classified] | map(tostring) | join(" ")' <<< "$output"
  assert_output "pgflux.plan 1 true"
}

@test "MASS_DROP: more than 25% of the live top-level objects (--live-objects)" {
  two_tables='DROP TABLE a;
DROP TABLE b;'
  expect_hazards DATA_LOSS,MASS_DROP "$two_tables" --live-objects 4
  expect_hazards DATA_LOSS,MASS_DROP "$two_tables" --live-objects 7
  # Exactly 25% is not more than 25%.
  expect_hazards DATA_LOSS "$two_tables" --live-objects 8
  # Without a live count MASS_DROP is not checked.
  expect_hazards DATA_LOSS "$two_tables"
  # Every top-level kind counts: schemas, extensions, collations, enums, sequences, tables.
  five_kinds='DROP SCHEMA app;
DROP EXTENSION citext;
DROP COLLATION ci;
DROP TYPE mood;
DROP SEQUENCE s;'
  expect_hazards DATA_LOSS,MASS_DROP "$five_kinds" --live-objects 19
  expect_hazards DATA_LOSS "$five_kinds" --live-objects 20
  expect_hazards MASS_DROP 'DROP TYPE mood;
DROP SCHEMA app;' --live-objects 4
  # Indexes and constraints are not top-level objects.
  expect_hazards '' 'DROP INDEX i1;
DROP INDEX i2;
ALTER TABLE t DROP CONSTRAINT c1;' --live-objects 2
  # The message says how many of how many.
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$two_tables" > m.sql
  run --separate-stderr -0 flux-hazards --sql m.sql --live-objects 4
  run jq -r '[.steps[].hazards[] | select(.code == "MASS_DROP") | .message] | unique | .[]' <<< "$output"
  assert_output --partial "drops 2 of 4 live objects"
}

@test "flux-hazards --check refuses blocking hazards unless --allow-hazards accepts them" {
  cat > h.sql <<'SQL'
BEGIN;
DROP TABLE a;
ALTER TABLE b ALTER COLUMN d TYPE bigint;
ALTER TABLE b ALTER COLUMN x SET NOT NULL;
COMMIT;
SQL
  run -0 flux-hazards --sql h.sql
  run -3 flux-hazards --sql h.sql --check
  assert_output --partial "$k_refusal"
  assert_output --partial "DATA_LOSS: DROP TABLE a;"
  assert_output --partial "COLUMN_TYPE_CHANGE: ALTER TABLE b ALTER COLUMN d TYPE bigint;"
  assert_output --partial "CONSTRAINT_SCAN: ALTER TABLE b ALTER COLUMN x SET NOT NULL;"
  assert_output --partial "--allow-hazards=COLUMN_TYPE_CHANGE,CONSTRAINT_SCAN,DATA_LOSS"
  run -3 flux-hazards --sql h.sql --check --allow-hazards=DATA_LOSS,COLUMN_TYPE_CHANGE
  assert_output --partial "CONSTRAINT_SCAN: ALTER TABLE b ALTER COLUMN x SET NOT NULL;"
  refute_output --partial "DATA_LOSS: DROP TABLE a;"
  refute_output --partial "COLUMN_TYPE_CHANGE:"
  run -0 flux-hazards --sql h.sql --check --allow-hazards=DATA_LOSS,COLUMN_TYPE_CHANGE,CONSTRAINT_SCAN
  run -0 flux-hazards --sql h.sql --check --allow-hazards=all
  run -2 flux-hazards --sql h.sql --check --allow-hazards=DATA_LOSS,EVERYTHING
  assert_output --partial 'unknown hazard "EVERYTHING"'
}

@test "flux-hazards --sql input errors exit 2" {
  run -2 flux-hazards --sql
  assert_output --partial "--sql needs a FILE"
  run -2 flux-hazards --sql no-such-file.sql
  printf 'BEGIN;\nDROP TABLEE a;\nCOMMIT;\n' > bad.sql
  run -2 flux-hazards --sql bad.sql
  assert_output --regexp 'bad\.sql:2:[0-9]+: syntax error'
  run -2 flux-hazards --no-such-option
}

# --- pg-flux migrate apply --------------------------------------------------------

# three_tables: users, orders (with data) and old; the schema drops old and
# changes orders.total to bigint.
drop_and_retype() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text);
create table orders (id bigint primary key, total integer);
create table old (id int);
create table keep1 (id int);
create table keep2 (id int);
create table keep3 (id int);
create table keep4 (id int);
SQL
  load_schema "$DB"
  sql "$DB" "insert into old values (1); insert into orders values (1, 10)"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text);
create table orders (id bigint primary key, total bigint);
create table keep1 (id int);
create table keep2 (id int);
create table keep3 (id int);
create table keep4 (id int);
SQL
}

@test "apply refuses a generated DROP TABLE and changes nothing" {
  drop_and_retype
  run -0 pg-flux migrate generate --db "$DB" --label drop_old
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" "COLUMN_TYPE_CHANGE, DATA_LOSS"
  assert_file_contains "$file" '^--   DATA_LOSS: DROP TABLE old: '
  before=$(catalog)

  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial "$k_refusal"
  assert_line --partial "DATA_LOSS: DROP TABLE public.old;"
  assert_line --partial "COLUMN_TYPE_CHANGE: ALTER TABLE public.orders ALTER COLUMN total"
  assert_equal "$(catalog)" "$before"
  assert_equal "$(sql_value "$DB" "select count(*) from old")" 1
  assert_equal "$(tracked "$(basename "$file")")" 0
}

@test "--allow-hazards lets exactly the listed hazards through" {
  drop_and_retype
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  before=$(catalog)
  run -3 pg-flux migrate apply --db "$DB" --allow-hazards=DATA_LOSS
  assert_line --partial "COLUMN_TYPE_CHANGE: ALTER TABLE public.orders"
  refute_line --partial "DATA_LOSS: DROP TABLE public.old;"
  assert_equal "$(catalog)" "$before"
  run -3 pg-flux migrate apply --db "$DB" --allow-hazards COLUMN_TYPE_CHANGE
  assert_line --partial "DATA_LOSS: DROP TABLE public.old;"
  assert_equal "$(catalog)" "$before"
  assert_equal "$(tracked "$(basename "$file")")" 0

  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=DATA_LOSS,COLUMN_TYPE_CHANGE
  assert_output --partial "applied $(basename "$file")"
  assert_equal "$(sql_value "$DB" "select to_regclass('public.old') is null")" t
  assert_equal "$(sql_value "$DB" "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'orders'::regclass and attname = 'total'")" bigint
  assert_equal "$(sql_value "$DB" "select total from orders")" 10
  run -0 pg-flux drift --db "$DB"
}

@test "a hazard not listed still blocks; --allow-hazards=all accepts everything" {
  drop_and_retype
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  # A hand edit adds a third kind of hazard.
  sed -i 's/^COMMIT;$/ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;\nCOMMIT;/' "$file"
  before=$(catalog)
  run -3 pg-flux migrate apply --db "$DB" --allow-hazards=DATA_LOSS,COLUMN_TYPE_CHANGE
  assert_output --partial "$k_refusal"
  assert_line --partial "CONSTRAINT_SCAN: ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;"
  refute_line --partial "DATA_LOSS:"
  assert_equal "$(catalog)" "$before"
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=all
  assert_equal "$(sql_value "$DB" "select attnotnull from pg_attribute where attrelid = 'users'::regclass and attname = 'email'")" t
  assert_equal "$(tracked "$(basename "$file")")" 1
}

@test "an unknown hazard code in --allow-hazards is a usage error (exit 2), nothing applied" {
  drop_and_retype
  run -0 pg-flux migrate generate --db "$DB"
  before=$(catalog)
  run -2 pg-flux migrate apply --db "$DB" --allow-hazards=DATA_LOSS,NOT_A_HAZARD
  assert_output --partial 'unknown hazard "NOT_A_HAZARD"'
  assert_equal "$(catalog)" "$before"
  assert_equal "$(tracked "$(basename "$(latest_migration)")")" 0
}

@test "MASS_DROP at apply time counts the live objects: 2 of 4 tables blocks even with DATA_LOSS allowed" {
  sql "$DB" "create table a (id int); create table b (id int); create table c (id int); create table d (id int)"
  write_schema app.sql <<'SQL'
create table a (id int);
create table b (id int);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" "DATA_LOSS, MASS_DROP"
  before=$(catalog)
  run -3 pg-flux migrate apply --db "$DB" --allow-hazards=DATA_LOSS
  assert_line --partial "MASS_DROP: DROP TABLE public.c;"
  assert_output --partial "drops 2 of 4 live objects (more than 25%)"
  assert_equal "$(catalog)" "$before"
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=DATA_LOSS,MASS_DROP
  assert_equal "$(sql_value "$DB" "select count(*) from pg_tables where schemaname = 'public'")" 2
}

@test "MASS_DROP is not raised for 1 table of 5" {
  sql "$DB" "create table a (id int); create table b (id int); create table c (id int); create table d (id int); create table e (id int)"
  write_schema app.sql <<'SQL'
create table a (id int);
create table b (id int);
create table c (id int);
create table d (id int);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  assert_equal "$(header "$(latest_migration)" hazards)" "DATA_LOSS"
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=DATA_LOSS
  assert_equal "$(sql_value "$DB" "select to_regclass('public.e') is null")" t
}

@test "hand-edited files are classified: an appended DROP TABLE is refused" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
create table audit (id bigint primary key);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, name text);
create table audit (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" none
  cp "$file" generated.sql
  # Appended at the end of the file: an after-commit statement.
  echo "DROP TABLE public.audit;" >> "$file"
  before=$(catalog)
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial "$k_refusal"
  assert_line --partial "DATA_LOSS: DROP TABLE public.audit;"
  assert_equal "$(catalog)" "$before"
  # Inside the transaction.
  cp generated.sql "$file"
  sed -i 's/^COMMIT;$/TRUNCATE public.audit;\nCOMMIT;/' "$file"
  run -3 pg-flux migrate apply --db "$DB"
  assert_line --partial "DATA_LOSS: TRUNCATE public.audit;"
  assert_equal "$(catalog)" "$before"
  assert_equal "$(tracked "$(basename "$file")")" 0
  # The edit only matters for the checksum once applied: the generated text applies.
  cp generated.sql "$file"
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(sql_value "$DB" "select checksum from _pgflux.migrations")" "$(sha256sum generated.sql | cut -d' ' -f1)"
}

# --- safe rewrites in generated plans -------------------------------------------

existing_tables() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
create table orders (id bigint primary key, user_id bigint, total numeric);
SQL
  load_schema "$DB"
  sql "$DB" "insert into users values (1, 'a'); insert into orders values (1, 1, 5)"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
create table orders (id bigint primary key, user_id bigint references users (id), total numeric check (total >= 0));
SQL
}

@test "FK and CHECK on existing tables are added NOT VALID and validated after COMMIT" {
  existing_tables
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" none
  commit=$(grep -n '^COMMIT;$' "$file" | cut -d: -f1)
  fk=$(grep -n 'ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID;$' "$file" | cut -d: -f1)
  ck=$(grep -n 'ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;$' "$file" | cut -d: -f1)
  vfk=$(grep -n '^ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;$' "$file" | cut -d: -f1)
  vck=$(grep -n '^ALTER TABLE public.orders VALIDATE CONSTRAINT orders_total_check;$' "$file" | cut -d: -f1)
  [ -n "$fk" ] && [ -n "$ck" ] && [ -n "$vfk" ] && [ -n "$vck" ]
  [ "$fk" -lt "$commit" ] && [ "$ck" -lt "$commit" ]
  [ "$vfk" -gt "$commit" ] && [ "$vck" -gt "$commit" ]

  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select string_agg(conname || ':' || convalidated, ',' order by conname) from pg_constraint where conrelid = 'orders'::regclass and contype in ('f', 'c')"
  assert_output "orders_total_check:true,orders_user_id_fkey:true"
  run sql_value "$DB" "select state, after_commit_done, after_commit_total from _pgflux.migrations"
  assert_output "applied|2|2"
  run -0 pg-flux drift --db "$DB"
}

@test "--no-auto-not-valid keeps the scan in the transaction: CONSTRAINT_SCAN, refused until allowed" {
  existing_tables
  run -0 pg-flux migrate generate --db "$DB" --no-auto-not-valid
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" CONSTRAINT_SCAN
  file_lacks "$file" '^ALTER .*NOT VALID'
  file_lacks "$file" 'VALIDATE CONSTRAINT'
  assert_file_contains "$file" 'ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id);$'
  before=$(catalog)
  run -3 pg-flux migrate apply --db "$DB"
  assert_line --partial "CONSTRAINT_SCAN: ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY"
  assert_line --partial "CONSTRAINT_SCAN: ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK"
  assert_equal "$(catalog)" "$before"
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=CONSTRAINT_SCAN
  run sql_value "$DB" "select count(*) from pg_constraint where conrelid = 'orders'::regclass and contype in ('f', 'c') and convalidated"
  assert_output 2
}

@test "SET NOT NULL on an existing column is a CONSTRAINT_SCAN hazard in the generated file" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" CONSTRAINT_SCAN
  assert_file_contains "$file" 'ALTER COLUMN email SET NOT NULL;$'
  run -3 pg-flux migrate apply --db "$DB"
  assert_line --partial "CONSTRAINT_SCAN: ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;"
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=CONSTRAINT_SCAN
  run -0 pg-flux drift --db "$DB"
}

@test "new indexes on existing tables are built CONCURRENTLY after COMMIT; --no-concurrent-indexes keeps them inside" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, created_at timestamptz);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, created_at timestamptz);
create unique index users_email_key on users (email);
create index users_created_idx on users (created_at desc) where created_at is not null;
SQL
  run -0 pg-flux migrate generate --db "$DB" --label concurrent
  file=$(latest_migration)
  commit=$(grep -n '^COMMIT;$' "$file" | cut -d: -f1)
  i1=$(grep -n '^CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users' "$file" | cut -d: -f1)
  i2=$(grep -n '^CREATE INDEX CONCURRENTLY users_created_idx ON public.users' "$file" | cut -d: -f1)
  [ -n "$i1" ] && [ -n "$i2" ] && [ "$i1" -gt "$commit" ] && [ "$i2" -gt "$commit" ]
  assert_equal "$(header "$file" hazards)" none
  cp "$file" concurrent.sql
  rm "$file"

  run -0 pg-flux migrate generate --db "$DB" --label plain --no-concurrent-indexes
  file=$(latest_migration)
  file_lacks "$file" CONCURRENTLY
  commit=$(grep -n '^COMMIT;$' "$file" | cut -d: -f1)
  i1=$(grep -n '^CREATE UNIQUE INDEX users_email_key ON public.users' "$file" | cut -d: -f1)
  [ -n "$i1" ] && [ "$i1" -lt "$commit" ]
  assert_equal "$(tail -n 1 "$file" | tr -d '\n')" "COMMIT;"

  # The concurrent version applies and builds valid indexes.
  rm "$file"
  cp concurrent.sql migrations/
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select string_agg(c.relname || ':' || x.indisvalid, ',' order by c.relname) from pg_index x
    join pg_class c on c.oid = x.indexrelid where x.indrelid = 'users'::regclass and not x.indisprimary"
  assert_output "users_created_idx:true,users_email_key:true"
  run -0 pg-flux drift --db "$DB"
}

@test "indexes, foreign keys and checks on a table created in the same migration stay plain in the transaction" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
create table orders (
  id bigint primary key,
  user_id bigint not null references users (id),
  total numeric check (total >= 0)
);
create index orders_user_idx on orders (user_id);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" none
  file_lacks "$file" CONCURRENTLY
  file_lacks "$file" '^ALTER .*NOT VALID'
  file_lacks "$file" 'VALIDATE CONSTRAINT'
  file_lacks "$file" '^-- after-commit'
  assert_file_contains "$file" '^CREATE INDEX orders_user_idx ON public.orders'
  assert_equal "$(tail -n 1 "$file" | tr -d '\n')" "COMMIT;"
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select after_commit_total from _pgflux.migrations"
  assert_output 0
  run -0 pg-flux drift --db "$DB"
}

@test "a plain index on an existing table stays CONCURRENTLY when a new table references that table" {
  # Only a unique index can be needed by a foreign key; a plain one never is.
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
create index users_email_idx on users (email);
create table orders (id bigint primary key, user_id bigint references users (id));
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  commit=$(grep -n '^COMMIT;$' "$file" | cut -d: -f1)
  idx=$(grep -n '^CREATE INDEX CONCURRENTLY users_email_idx ON public.users' "$file" | cut -d: -f1)
  sed -n '/^BEGIN;$/,$p' "$file"  # shown when the test fails
  [ -n "$idx" ] && [ "$idx" -gt "$commit" ]
}

@test "removing an enum value recreates the type: COLUMN_TYPE_CHANGE only, the replaced type is no MASS_DROP" {
  write_schema app.sql <<'SQL'
create type mood as enum ('sad', 'ok', 'meh');
create table users (id bigint primary key, mood mood);
SQL
  load_schema "$DB"
  sql "$DB" "insert into users values (1, 'ok')"
  write_schema app.sql <<'SQL'
create type mood as enum ('ok', 'meh');
create table users (id bigint primary key, mood mood);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  # One of the two live top-level objects is dropped (the renamed old type),
  # but it is replaced, not lost.
  assert_equal "$(header "$file" hazards)" COLUMN_TYPE_CHANGE
  before=$(catalog)
  run -3 pg-flux migrate apply --db "$DB"
  assert_line --partial "COLUMN_TYPE_CHANGE: ALTER TABLE public.users ALTER COLUMN mood TYPE"
  refute_output --partial MASS_DROP
  refute_output --partial DATA_LOSS
  assert_equal "$(catalog)" "$before"
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards=COLUMN_TYPE_CHANGE
  run sql_value "$DB" "select enum_range(null::mood)::text, (select mood::text from users)"
  assert_output "{ok,meh}|ok"
  run -0 pg-flux drift --db "$DB"
}
