# Statements a schema file must not hold, and declarations PostgreSQL would
# refuse: exit 2 naming file:line:column and the statement, never skipped
# (but statements that change data: skipped with a note, see sk below).

sq() { ts "$1" 2 "$2" 'flux-parse schema' <<<"printf '%s\n' $(printf '%q' "$3") > schema/a.sql"; }

# Data and session statements.
# Statements that change data are skipped with a note (a pg_dump kept as the
# schema may fill a table), never run: exit 0, and the database unchanged.
sk() { ts "$1" 0 "$2" 'flux-parse schema' <<<"printf '%s\n' $(printf '%q' "$3") > schema/a.sql"; }
sk skipped-insert 'flux-parse: note: schema/a\.sql:2:1: INSERT INTO a skipped: it changes data, not the schema' 'CREATE TABLE a (id int);
INSERT INTO a VALUES (1);'
sk skipped-update 'flux-parse: note: schema/a\.sql:1:1: UPDATE victim skipped: it changes data' 'UPDATE victim SET id = 0;'
sk skipped-delete 'flux-parse: note: schema/a\.sql:1:1: DELETE FROM victim skipped: it changes data' 'DELETE FROM victim;'
sq unsupported-truncate 'schema/a\.sql:1:1: TRUNCATE is not supported' 'TRUNCATE victim;'
# A DROP after the file's first CREATE is an error; before it (a pg_dump
# --clean preamble) it is skipped with a note, never run.
sq unsupported-drop-table 'schema/a\.sql:2:1: DROP TABLE in a schema file: the files declare what exists' 'CREATE TABLE a (id int);
DROP TABLE victim;'
sq unsupported-drop-schema-cascade 'schema/a\.sql:2:1: DROP SCHEMA in a schema file' 'CREATE TABLE a (id int);
DROP SCHEMA app CASCADE;'
sk skipped-clean-preamble 'flux-parse: note: schema/a\.sql:1:1: 2 statements that drop before the file.s first CREATE skipped \(a pg_dump --clean preamble\)' 'DROP TABLE victim;
DROP SCHEMA app CASCADE;
CREATE TABLE a (id int);'
sq unsupported-do-block 'schema/a\.sql:1:1: DO blocks are not supported' 'DO $$ BEGIN EXECUTE '"'"'DROP TABLE public.victim'"'"'; END $$;'
sq unsupported-create-table-as 'schema/a\.sql:1:1: CREATE TABLE \.\.\. AS is not supported' 'CREATE TABLE a AS SELECT 1 AS x;'
sq unsupported-select 'schema/a\.sql:1:1: SELECT is not allowed in schema files' 'SELECT 1;'
sq unsupported-select-function 'schema/a\.sql:1:1: SELECT is not allowed' 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity;'
sq unsupported-copy 'schema/a\.sql:2:1: COPY is not supported' 'CREATE TABLE a (id int);
COPY a FROM PROGRAM '"'"'rm -rf /'"'"';'
sq unsupported-set 'schema/a\.sql:1:1: SET work_mem is not supported in schema files' 'SET work_mem = '"'"'1GB'"'"';'
sq unsupported-set-role 'schema/a\.sql:1:1: SET role is not supported' 'SET ROLE postgres;'
sq unsupported-begin 'schema/a\.sql:1:1: BEGIN is not supported' 'BEGIN;'
sq unsupported-vacuum 'schema/a\.sql:1:1: VACUUM is not supported' 'VACUUM victim;'
sq unsupported-analyze 'schema/a\.sql:1:1: ANALYZE is not supported' 'ANALYZE;'
sq unsupported-lock 'schema/a\.sql:1:1: LOCK TABLE is not supported' 'LOCK TABLE victim;'
sq unsupported-call 'schema/a\.sql:1:1: CALL is not supported' 'CALL app.p();'
sq unsupported-explain 'schema/a\.sql:1:1: EXPLAIN SELECT is not supported' 'EXPLAIN SELECT 1;'
sq unsupported-prepare 'schema/a\.sql:1:1: PREPARE is not supported' 'PREPARE p AS SELECT 1;'
sq unsupported-notify 'schema/a\.sql:1:1: NOTIFY is not supported' 'NOTIFY ch;'
sq unsupported-create-database 'schema/a\.sql:1:1: CREATE DATABASE is not supported' 'CREATE DATABASE other;'
sq unsupported-tablespace 'schema/a\.sql:1:1: CREATE TABLESPACE is not supported' 'CREATE TABLESPACE ts LOCATION '"'"'/tmp'"'"';'
sq unsupported-alter-system 'schema/a\.sql:1:1: ALTER SYSTEM SET is not supported' 'ALTER SYSTEM SET fsync = off;'
sq unsupported-checkpoint 'schema/a\.sql:1:1: CHECKPOINT is not supported' 'CHECKPOINT;'
sq unsupported-reindex 'schema/a\.sql:1:1: REINDEX TABLE is not supported' 'REINDEX TABLE victim;'
sq unsupported-subscription 'schema/a\.sql:1:1: subscriptions are out of scope' 'CREATE SUBSCRIPTION s CONNECTION '"'"'host=x'"'"' PUBLICATION p;'
sq unsupported-security-label 'schema/a\.sql:2:1: SECURITY LABEL is not supported' 'CREATE TABLE a (id int);
SECURITY LABEL ON TABLE a IS '"'"'secret'"'"';'
sq unsupported-alter-role 'schema/a\.sql:1:1: ALTER ROLE is not supported in schema files: roles are cluster-wide' 'ALTER ROLE postgres PASSWORD '"'"'pwned'"'"';'
sq unsupported-grant-role 'schema/a\.sql:1:1: GRANT .*not supported in schema files: roles are cluster-wide' 'GRANT pg_read_all_data TO postgres;'
sq unsupported-drop-role 'schema/a\.sql:1:1: DROP ROLE is not supported' 'DROP ROLE postgres;'
sq unsupported-ts-parser 'schema/a\.sql:1:1: CREATE TEXT SEARCH PARSER is not supported by pg-flux' 'CREATE TEXT SEARCH PARSER p (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype);'
sq unsupported-typed-table 'schema/a\.sql:2:1: .*not supported' 'CREATE TYPE pair AS (a int, b int);
CREATE TABLE typed OF pair;'
sq unsupported-access-method 'schema/a\.sql:1:1: CREATE ACCESS METHOD is not supported' 'CREATE ACCESS METHOD am TYPE INDEX HANDLER bthandler;'
sq unsupported-transform 'schema/a\.sql:1:1: CREATE TRANSFORM FOR INT is not supported' 'CREATE TRANSFORM FOR int LANGUAGE sql (FROM SQL WITH FUNCTION f(internal), TO SQL WITH FUNCTION g(internal));'
sq unsupported-listen 'schema/a\.sql:1:1: LISTEN is not supported' 'LISTEN ch;'
sq unsupported-discard 'schema/a\.sql:1:1: DISCARD ALL is not supported' 'DISCARD ALL;'
sq unsupported-cluster 'schema/a\.sql:1:1: CLUSTER is not supported' 'CLUSTER victim;'
sq unsupported-set-from-current '^flux-parse: error: schema/a\.sql:1:1: SET search_path in a routine must give a value \(FROM CURRENT and DEFAULT are not supported\)' 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path FROM CURRENT AS '"'"'SELECT 1'"'"';'

# Declarations PostgreSQL refuses.
sq null-not-null '^flux-parse: error: schema/a\.sql:1:28: conflicting NULL/NOT NULL declarations for column a of table t$' 'CREATE TABLE t (a int NULL NOT NULL);'
sq not-null-null 'schema/a\.sql:1:32: conflicting NULL/NOT NULL declarations for column a of table t' 'CREATE TABLE t (a int NOT NULL NULL);'
sq null-identity 'schema/a\.sql:1:[0-9]+: conflicting NULL/NOT NULL declarations' 'CREATE TABLE t (a int NULL GENERATED ALWAYS AS IDENTITY);'
sq identity-null 'schema/a\.sql:1:[0-9]+: conflicting NULL/NOT NULL declarations' 'CREATE TABLE t (a int GENERATED BY DEFAULT AS IDENTITY NULL);'
sq serial-null 'schema/a\.sql:1:17: conflicting NULL/NOT NULL declarations for column "?a"?' 'CREATE TABLE t (a serial NULL);'
sq null-not-null-alter-add-column 'schema/a\.sql:2:[0-9]+: conflicting NULL/NOT NULL declarations' 'CREATE TABLE t (id int);
ALTER TABLE t ADD COLUMN a text NULL DEFAULT '"'"'x'"'"' NOT NULL;'
sq null-not-null-second-column 'schema/a\.sql:3:[0-9]+: conflicting NULL/NOT NULL declarations for column "?b"?' 'CREATE TABLE t (
  a int NOT NULL,
  b int NOT NULL PRIMARY KEY NULL
);'
sq null-not-null-foreign-table 'schema/a\.sql:3:1: foreign table ft: conflicting NULL/NOT NULL declarations for column a$' 'CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER s FOREIGN DATA WRAPPER w;
CREATE FOREIGN TABLE ft (a int NOT NULL NULL) SERVER s;'
sq null-not-null-domain 'schema/a\.sql:1:[0-9]+: conflicting NULL/NOT NULL constraints on domain' 'CREATE DOMAIN d AS int NULL NOT NULL;'
sq duplicate-table 'schema/a\.sql:2:1: table public\.t is defined twice \(first defined at schema/a\.sql:1:1\)|is defined twice' 'CREATE TABLE t (id int);
CREATE TABLE t (id int);'
sq undefined-schema 'schema/a\.sql:1:[0-9]+: schema "?nosuch"? is not defined in the schema files' 'CREATE TABLE nosuch.t (id int);'
sq pg-catalog-schema 'schema/a\.sql:1:[0-9]+: objects in schema pg_catalog cannot be managed' 'CREATE TABLE pg_catalog.t (id int);'
sq tracking-schema 'schema/a\.sql:1:[0-9]+: objects in schema _pgflux cannot be managed|_pgflux' 'CREATE TABLE _pgflux.migrations (name text);'
sq alter-undefined-table 'schema/a\.sql:1:1: table nosuch is not defined in the schema files' 'ALTER TABLE nosuch ADD COLUMN x int;'
sq index-on-undefined-table 'schema/a\.sql:1:[0-9]+: .*nosuch.* is not defined in the schema files' 'CREATE INDEX i ON nosuch (id);'
sq index-undefined-column 'schema/a\.sql:2:[0-9]+: column "?nope"? .*does not exist|nope' 'CREATE TABLE t (id int);
CREATE INDEX i ON t (nope);'
sq comment-undefined-table 'schema/a\.sql:1:[0-9]+: .*nosuch.* is not defined' 'COMMENT ON TABLE nosuch IS '"'"'x'"'"';'
sq search-path-empty 'schema/a\.sql:2:1: no schema has been selected to create in' 'SET search_path = '"''"';
CREATE TABLE t (id int);'
sq secret-literal 'schema/a\.sql:[0-9]+:[0-9]+: .*password.*' 'CREATE EXTENSION postgres_fdw;
CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw;
CREATE USER MAPPING FOR postgres SERVER s OPTIONS (user '"'"'u'"'"', password '"'"'hunter2'"'"');'

# Hostile identifiers in statements that fail: the message stays one line
# per problem and nothing reaches the database.
ts hostile-name-duplicate-porcelain 2 'flux-parse: error: schema/a\.sql:2:1: .*is defined twice' 'pg-flux --db "$DB" --shadow-db none migrate generate' <<'SETUP'
printf 'CREATE TABLE "x; DROP TABLE victim; --" (id int);\nCREATE TABLE "x; DROP TABLE victim; --" (id int);\n' > schema/a.sql
SETUP
ts hostile-name-newline-conflict 2 'schema/a\.sql:4:13: conflicting NULL/NOT NULL declarations' 'pg-flux --db "$DB" --shadow-db none drift' <<'SETUP'
printf 'CREATE TABLE "nl\nDROP TABLE victim;\n--" ("a\nb" int NULL NOT NULL);\n' > schema/a.sql
SETUP
ts hostile-do-porcelain 2 'flux-parse: error: schema/a\.sql:1:1: DO blocks are not supported' 'pg-flux --db "$DB" --shadow-db none migrate generate' <<'SETUP'
echo "DO \$\$ BEGIN EXECUTE 'DROP TABLE public.victim'; END \$\$;" > schema/a.sql
SETUP
ts hostile-update-porcelain-shadow 1 'flux-parse: note: schema/a\.sql:2:1: UPDATE victim skipped: it changes data' 'pg-flux --db "$DB" drift' <<'SETUP'
printf 'CREATE TABLE a (id int);\nUPDATE victim SET id = 0;\n' > schema/a.sql
SETUP
