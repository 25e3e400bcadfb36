#!/usr/bin/env bats
# pg_dump --schema-only output as the schema files (the way many teams keep
# their schema, e.g. Rails' db/structure.sql): its psql meta-commands
# (\restrict), session settings and statements that change data are skipped
# with a note; what it creates is read as any schema file is.
load helpers
load every_kind
setup_file() {
  pgflux_setup_file
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "CREATE ROLE docs_reader; CREATE ROLE docs_owner;"
}
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

@test "a pg_dump of the example database, as the only schema file: drift finds nothing" {
  local f
  for f in "$PGFLUX_SOURCE"/examples/schema/*.sql; do psql -X -q -v ON_ERROR_STOP=1 "$DB" -f "$f" > /dev/null; done
  pg_dump --schema-only "$DB" > schema/structure.sql
  grep -q '^\\restrict ' schema/structure.sql   # PostgreSQL 15.14 and later write it
  run pg-flux drift --db "$DB"
  assert_success
  assert_output --regexp "flux-parse: note: schema/structure.sql:[0-9]+: psql meta-command \\\\restrict skipped \(it is not SQL\)"
  assert_output --regexp "flux-parse: note: schema/structure.sql:[0-9]+: psql meta-command \\\\unrestrict skipped"
  assert_line "no drift: the database matches schema"
  # And generate has nothing to write.
  run pg-flux migrate generate --db "$DB" --label nothing
  assert_success
  assert_output --partial "nothing to do"
  [ -z "$(ls migrations 2>/dev/null)" ]
}

@test "statements that change data are skipped with a note naming them; meta-commands only where a statement starts" {
  cat > schema/structure.sql <<'SQL'
\restrict k3y
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.schema_migrations (version character varying NOT NULL PRIMARY KEY);
COMMENT ON TABLE public.schema_migrations IS $$applied
\not a meta-command
$$;
INSERT INTO "schema_migrations" (version) VALUES
('20240101000000'),
('20240202000000');
\unrestrict k3y
SQL
  run flux-parse --shadow-db none
  assert_success
  assert_line --partial "flux-parse: note: schema/structure.sql:1: psql meta-command \\restrict skipped (it is not SQL)"
  assert_line "flux-parse: note: schema/structure.sql:8:1: INSERT INTO schema_migrations skipped: it changes data, not the schema"
  assert_line --partial "flux-parse: note: schema/structure.sql:11: psql meta-command \\unrestrict skipped (it is not SQL)"
  # The comment, dollar-quoted, keeps its backslash line.
  run bash -c "flux-parse --shadow-db none 2>/dev/null | jq -r '.objects[] | select(.name == \"schema_migrations\") | .attributes.comment'"
  assert_output --partial '\not a meta-command'
  # A backslash line inside a statement is not a meta-command: a syntax error at it.
  printf 'CREATE TABLE t (id integer\n\\x\n);\n' > schema/structure.sql
  run flux-parse --shadow-db none
  assert_failure 2
  assert_output --partial "schema/structure.sql:2:1: syntax error"
}

@test "ALTER TABLE on a sequence or a view, as pg_dump writes their owner and a view column's default" {
  cat > schema/app.sql <<'SQL'
CREATE SEQUENCE public.counter_seq;
ALTER TABLE public.counter_seq OWNER TO postgres;
CREATE TABLE public.account (id integer, email text);
CREATE VIEW public.recent AS SELECT id, email FROM public.account;
ALTER TABLE public.recent OWNER TO postgres;
ALTER TABLE ONLY public.recent ALTER COLUMN email SET DEFAULT 'x@y'::text;
SQL
  run flux-parse --shadow-db none
  assert_success
  assert_equal "$(flux-parse --shadow-db none | jq -c '.objects[] | select(.name == "recent") | .attributes.column_defaults')" '{"email":"'"'"'x@y'"'"'::text"}'
  assert_equal "$(flux-parse --shadow-db none | jq -r '.objects[] | select(.name == "counter_seq") | .attributes.owner')" postgres
  # What a view cannot have through ALTER TABLE is an error naming it (was an internal error).
  printf 'CREATE TABLE t (id integer);\nCREATE VIEW v AS SELECT id FROM t;\nALTER TABLE v ALTER COLUMN id SET NOT NULL;\n' > schema/app.sql
  run flux-parse --shadow-db none
  assert_failure 2
  assert_output "flux-parse: error: schema/app.sql:3:1: ALTER TABLE SetNotNull is not supported in schema files"
  # Any other change through ALTER TABLE on a sequence is refused, as before.
  printf 'CREATE SEQUENCE s;\nALTER TABLE s ADD COLUMN x integer;\n' > schema/app.sql
  run flux-parse --shadow-db none
  assert_failure 2
  assert_output --partial "schema/app.sql:2:1:"
}

@test "pg_dump of every kind of object, plain and --clean: drift finds nothing (unlogged sequences, a foreign column's OPTIONS, the DROP preamble)" {
  write_every_kind
  load_schema "$DB" 2>/dev/null
  rm -r schema && mkdir schema
  export DOCS_PASSWORD=secret
  pg_dump --schema-only "$DB" > schema/structure.sql
  grep -q '^CREATE UNLOGGED SEQUENCE app.events_id_seq' schema/structure.sql
  grep -q '^ALTER FOREIGN TABLE app.remote_things ALTER COLUMN id OPTIONS' schema/structure.sql
  run pg-flux drift --db "$DB"
  assert_success
  assert_line "no drift: the database matches schema"
  pg_dump --schema-only --clean --if-exists "$DB" > schema/structure.sql
  run pg-flux drift --db "$DB"
  assert_success
  assert_line --regexp '^flux-parse: note: schema/structure.sql:[0-9]+:1: 58 statements that drop before the file.s first CREATE skipped \(a pg_dump --clean preamble\): schema files declare what exists$'
  assert_line "no drift: the database matches schema"
  pg_dump --schema-only --clean "$DB" > schema/structure.sql
  run pg-flux migrate generate --db "$DB"
  assert_success
  assert_output --partial "nothing to do"
}

@test "a placeholder view completed by CREATE OR REPLACE VIEW is one view; a DROP after the first CREATE is an error" {
  cat > schema/structure.sql <<'SQL'
DROP VIEW IF EXISTS public.totals;
CREATE OR REPLACE VIEW public.totals AS SELECT NULL::integer AS id, NULL::bigint AS n;
CREATE TABLE public.t (id integer, v integer);
CREATE VIEW public.totals AS SELECT NULL::integer AS id, NULL::bigint AS n;
COMMENT ON VIEW public.totals IS 'kept';
CREATE OR REPLACE VIEW public.totals WITH (security_barrier) AS SELECT id, count(*) AS n FROM public.t GROUP BY id;
SQL
  run flux-parse --shadow-db none
  assert_success
  assert_line "flux-parse: note: schema/structure.sql:1:1: 2 statements that drop before the file's first CREATE skipped (a pg_dump --clean preamble): schema files declare what exists"
  run bash -c "flux-parse --shadow-db none 2>/dev/null | jq -c '[.objects[] | select(.kind == \"view\")] | map({name, q: .attributes.query, c: .attributes.comment, o: .attributes.options})'"
  assert_output '[{"name":"totals","q":"SELECT id, count(*) AS n FROM public.t GROUP BY id","c":"kept","o":["security_barrier=true"]}]'
  run pg-flux migrate generate --db "$DB"
  assert_success
  grep -q 'CREATE VIEW public.totals' "$(latest_migration)"
  run pg-flux migrate apply --db "$DB"
  assert_success
  assert_equal "$(sql_value "$DB" "select obj_description('public.totals'::regclass)")" kept
  run pg-flux drift --db "$DB"
  assert_success
  # After the first statement that declares something, a DROP is not a preamble.
  printf 'CREATE TABLE public.t (id integer);\nDROP TABLE IF EXISTS public.old;\n' > schema/structure.sql
  run flux-parse --shadow-db none
  assert_failure 2
  assert_output "flux-parse: error: schema/structure.sql:2:1: DROP TABLE IF EXISTS in a schema file: the files declare what exists, and pg-flux writes the DROP when something is no longer declared; remove it (DROP statements before a file's first CREATE, a pg_dump --clean preamble, are skipped)"
}

@test "a file that starts with CREATE OR REPLACE VIEW is read, not taken for a --clean preamble" {
  printf 'CREATE OR REPLACE VIEW public.one AS SELECT 1 AS n;\n' > schema/views.sql
  run flux-parse --shadow-db none
  assert_success
  refute_output --partial "preamble"
  assert_equal "$(flux-parse --shadow-db none | jq -r '.objects[] | select(.kind == "view") | .name')" one
}
