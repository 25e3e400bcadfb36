#!/usr/bin/env bats
# SQL nobody asked for never reaches the database: names that hold line
# breaks stay inside their comment lines; strings from model and plan
# documents that reach DDL are checked (types, expressions, names, whole
# statements); code the gate cannot see into (DO, CALL, a routine the file
# creates that runs dynamic SQL or changes things) is the UNCLASSIFIABLE
# hazard; and statements keep their transaction unless PostgreSQL forbids it.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

victim() {
  sql "$DB" "create table victim (id int); insert into victim values (1);"
}
victim_rows() { sql_value "$DB" "select coalesce(string_agg(id::text, ',' order by id), '') from victim"; }

# --- comment lines --------------------------------------------------------------

@test "a name with line breaks stays inside its comment line; the file reads back as its plan" {
  victim
  printf 'create table "nl\nINSERT INTO victim VALUES (666);\n--" (id int);\ncreate table victim (id int);\n' > schema/app.sql
  run -0 pg-flux migrate generate --db "$DB" --label nl
  file=$(latest_migration)
  assert_equal "$(header "$file" hazards)" none
  # The summary comment shows the break as \n, on one line.
  assert_file_contains "$file" '^-- CREATE TABLE "nl\\nINSERT INTO victim VALUES (666);\\n--"$'
  # Exactly one statement between BEGIN and COMMIT: the CREATE TABLE.
  run -0 flux-hazards --sql "$file"
  assert_equal "$(jq '.steps | length' <<<"$output")" 1
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(victim_rows)" 1
  run sql_value "$DB" "select count(*) from pg_class where relname = E'nl\nINSERT INTO victim VALUES (666);\n--'"
  assert_output 1
  run -0 pg-flux drift --db "$DB"
  # Drift prints the name on one line too.
  sql "$DB" "drop table \"nl
INSERT INTO victim VALUES (666);
--\""
  run -1 pg-flux drift --db "$DB"
  assert_line --partial 'CREATE TABLE "nl\nINSERT INTO victim VALUES (666);\n--"'
}

@test "the file reader refuses a header it cannot believe" {
  mkdir -p migrations
  good=$(printf 'sha256:%064d' 0)
  printf -- '-- format: 1\n-- baseline: %s\n-- target: not-a-hash\nBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n' "$good" > migrations/20260101_000000_a.sql
  run -2 pg-flux migrate apply --db "$DB"
  assert_output --partial "20260101_000000_a.sql: the header's target is not a state hash"
  printf -- '-- baseline: %s\n-- baseline: %s\nBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n' "$good" "$good" > migrations/20260101_000000_a.sql
  run -2 pg-flux migrate apply --db "$DB"
  assert_output --partial 'the header gives "baseline" twice'
  printf -- '-- hazards: DATA_LOSS, SOMETHING\nBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n' > migrations/20260101_000000_a.sql
  run -2 pg-flux migrate apply --db "$DB"
  assert_output --partial 'unknown hazard "SOMETHING"'
  assert_equal "$(table_exists a)" f
}

# --- strings from documents ----------------------------------------------------------

# desired_with JQ-FILTER: flux-parse's model of schema/ with the filter applied.
desired_with() { flux-parse --shadow-db none schema | jq "$1" > desired.json; }

@test "a model string that reaches DDL must be one name, type or expression (flux-diff exit 2, nothing runs)" {
  victim
  write_schema app.sql <<'SQL'
create table victim (id int);
create table t (id int, name text);
create index t_name_idx on t (name text_ops);
SQL
  flux-snapshot --db "$DB" > live.json
  evil='text_ops); UPDATE victim SET id = 0; ALTER ROLE postgres PASSWORD '"'"'pwned'"'"'; SELECT (1'
  desired_with "(.objects[] | select(.kind == \"index\") | .attributes.elements[0].opclass) = \"$evil\""
  run -2 flux-diff live.json desired.json
  assert_output --partial 'elements[0].opclass: not a name'
  # The same for an expression, a type, a collation and a sequence type.
  desired_with '(.objects[] | select(.kind == "table" and .name == "t") | .attributes.columns[0].default) = "1; DELETE FROM victim"'
  run -2 flux-diff live.json desired.json
  assert_output --partial 'columns[0].default: not a single expression'
  desired_with '(.objects[] | select(.kind == "table" and .name == "t") | .attributes.columns[0].type) = "int, DROP COLUMN name"'
  run -2 flux-diff live.json desired.json
  assert_output --partial 'columns[0].type: not a type name'
  desired_with '(.objects[] | select(.kind == "table" and .name == "t") | .attributes.columns[1].collation) = "C\" ; DROP TABLE victim; --"'
  run -2 flux-diff live.json desired.json
  assert_output --partial 'columns[1].collation: not a name'
  desired_with '(.objects[] | select(.kind == "index") | .attributes.where) = "true; DROP TABLE victim"'
  run -2 flux-diff live.json desired.json
  assert_output --partial '.where: not a single expression'
  assert_equal "$(victim_rows)" 1
}

@test "a plan step must be exactly one statement of the DDL pg-flux generates (flux-hazards and flux-track exit 2)" {
  victim
  write_schema app.sql <<'SQL'
create table victim (id int);
create table t (id int);
SQL
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db none schema > desired.json
  flux-diff live.json desired.json > plan.json
  jq '.steps[0].sql = "CREATE TABLE public.t (id int); UPDATE victim SET id = 0;"' plan.json > evil.json
  run -2 flux-hazards evil.json
  assert_output --partial 'steps[0].sql: a step is exactly one statement'
  jq '.steps[0].sql = "UPDATE victim SET id = 0;"' plan.json > evil.json
  run -2 flux-hazards evil.json
  assert_output --partial 'steps[0].sql: a UpdateStmt is not a statement pg-flux generates'
  flux-hazards plan.json > classified.json
  jq '.steps[0].sql = "ALTER ROLE postgres PASSWORD '"'"'pwned'"'"';"' classified.json > evil.json
  run -2 flux-track new --offline --migrations-dir migrations evil.json
  assert_output --partial 'not a statement pg-flux generates'
  jq '.steps[0].sql = ""' classified.json > evil.json
  run -2 flux-track new --offline --migrations-dir migrations evil.json
  assert_output --partial 'steps[0].sql: a step is exactly one statement'
  jq '.baseline_hash = "sha256:abc\n-- x"' classified.json > evil.json
  run -2 flux-track new --offline --migrations-dir migrations evil.json
  assert_output --partial 'baseline_hash: not a state hash'
  jq '.steps[0].hazards = [{"code": "NONE\nDROP TABLE victim;", "message": "x"}]' classified.json > evil.json
  run -2 flux-track new --offline --migrations-dir migrations evil.json
  assert_output --partial 'unknown hazard code'
  jq '.steps[0].summary = "x\nDROP TABLE victim;\n--"' classified.json > evil.json
  run -0 flux-track new --offline --migrations-dir migrations evil.json
  run -0 pg-flux migrate apply --db "$DB"
  assert_equal "$(victim_rows)" 1
  assert_equal "$(table_exists t)" t
}

# --- UNCLASSIFIABLE ----------------------------------------------------------------

# migration NAME: writes migrations/NAME.sql from stdin (a hand-written file).
migration() { mkdir -p migrations; cat > "migrations/$1.sql"; }

@test "UNCLASSIFIABLE: DO, CALL and calls of routines the file creates that run dynamic SQL or change things" {
  sql "$DB" "create table keep (id int); insert into keep values (1);"
  migration 20260101_000001_do <<'SQL'
BEGIN;
DO $$ BEGIN EXECUTE 'DROP TABLE public.keep'; END $$;
COMMIT;
SQL
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial 'UNCLASSIFIABLE: DO $$ BEGIN EXECUTE'
  assert_output --partial 'a DO block runs code pg-flux cannot classify'
  assert_output --partial 'to accept them: --allow-hazards=UNCLASSIFIABLE'
  assert_equal "$(table_exists keep)" t
  rm migrations/*.sql

  migration 20260101_000002_fn <<'SQL'
BEGIN;
CREATE FUNCTION public.cleanup() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE public.keep; END $$;
SELECT public.cleanup();
COMMIT;
SQL
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial 'calls cleanup(), which this file creates or replaces and which runs DROP TABLE public.keep'
  assert_equal "$(table_exists keep)" t

  # Dynamic SQL in a routine, called from a CHECK and from CALL.
  migration 20260101_000002_fn <<'SQL'
BEGIN;
CREATE FUNCTION public.sneaky(int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DROP TABLE public.keep'; RETURN true; END $$;
ALTER TABLE public.keep ADD CONSTRAINT k CHECK (public.sneaky(id));
CREATE PROCEDURE public.p() LANGUAGE sql AS $$ DELETE FROM public.keep $$;
CALL public.p();
COMMIT;
SQL
  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial 'which runs dynamic SQL (EXECUTE)'
  assert_output --partial 'CALL p runs code pg-flux cannot classify'
  assert_equal "$(sql_value "$DB" 'select count(*) from keep')" 1

  # A routine that only reads is classified: no hazard.
  migration 20260101_000002_fn <<'SQL'
BEGIN;
CREATE FUNCTION public.positive(int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN $1 > 0; END $$;
ALTER TABLE public.keep ADD CONSTRAINT k CHECK (public.positive(id)) NOT VALID;
COMMIT;
SQL
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select conname from pg_constraint where conrelid = 'keep'::regclass"
  assert_output k
}

@test "UNCLASSIFIABLE is allowed by name after review" {
  sql "$DB" "create table keep (id int);"
  migration 20260101_000001_do <<'SQL'
BEGIN;
DO $$ BEGIN CREATE TABLE public.made_by_do (id int); END $$;
COMMIT;
SQL
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards UNCLASSIFIABLE
  assert_equal "$(table_exists made_by_do)" t
}

# --- statements keep their transaction ------------------------------------------------

@test "a new enum value used as a default moves only what uses it after the commit" {
  write_schema app.sql <<'SQL'
create type mood as enum ('sad', 'ok');
create table users (id int primary key, m mood);
create table logs (id int);
create table other (id int);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create type mood as enum ('sad', 'ok', 'happy');
create table users (id int primary key, m mood default 'happy', extra int);
create table other (id int, note text);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label enum --allow-hazards DATA_LOSS
  file=$(latest_migration)
  commit=$(grep -n '^COMMIT;$' "$file" | cut -d: -f1)
  line_of() { grep -n -- "$1" "$file" | head -n 1 | cut -d: -f1; }
  # What uses the value waits for the commit; the rest stays inside.
  [ "$(line_of "SET DEFAULT 'happy'")" -gt "$commit" ]
  [ "$(line_of 'ADD COLUMN note text')" -lt "$commit" ]
  [ "$(line_of 'DROP TABLE public.logs')" -lt "$commit" ]
  [ "$(line_of "ADD VALUE 'happy'")" -lt "$commit" ]
  run -0 pg-flux migrate apply --db "$DB" --allow-hazards DATA_LOSS
  run -0 pg-flux drift --db "$DB"
}

@test "a changed index on a table that also gets a new unique index is never missing" {
  write_schema app.sql <<'SQL'
create table t (id int primary key, a int, b int);
create index t_a_idx on t (a);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create table t (id int primary key, a int, b int);
create index t_a_idx on t (a, b);
create unique index t_b_key on t (b);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label idx
  file=$(latest_migration)
  commit=$(grep -n '^COMMIT;$' "$file" | cut -d: -f1)
  # The old index is dropped only after its replacement was built.
  drop=$(grep -n 'DROP INDEX.*t_a_idx' "$file" | head -n 1 | cut -d: -f1)
  build=$(grep -n 'CREATE INDEX.*t_a_idx.* ON public.t' "$file" | head -n 1 | cut -d: -f1)
  [ -n "$drop" ] && [ -n "$build" ]
  if [ "$drop" -lt "$commit" ]; then
    [ "$build" -lt "$commit" ]   # both inside the transaction
  else
    [ "$build" -lt "$drop" ]     # swapped in after the commit
  fi
  run -0 pg-flux migrate apply --db "$DB"
  run -0 pg-flux drift --db "$DB"
}
