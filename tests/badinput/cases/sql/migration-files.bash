# Migration files that are wrong: flux-apply and flux-hazards --sql refuse
# them with file:line (exit 2) before anything runs.

# mf NAME REGEX BODY: migrations/20260101_000000_x.sql is a header and BODY;
# flux-apply must fail with REGEX (and the database stays as it was).
mf() { ts "$1" 2 "$2" 'flux-apply --db "$DB"' <<<"migration 20260101_000000_x.sql <<<$(printf '%q' "$3")"; }
# hs NAME REGEX BODY: the same file through flux-hazards --sql.
hs() { ts "$1" 2 "$2" 'flux-hazards --sql migrations/20260101_000000_x.sql' <<<"migration 20260101_000000_x.sql <<<$(printf '%q' "$3")"; }

mf apply-syntax-error '^flux-apply: error: migrations/20260101_000000_x\.sql:9:8: syntax error at or near "TABEL"' 'BEGIN;
DROP TABLE victim;
CREATE TABEL t (id int);
COMMIT;'
mf apply-unterminated-string 'migrations/20260101_000000_x\.sql:8:[0-9]+: unterminated quoted string' "BEGIN;
INSERT INTO victim VALUES (9, 'x);
COMMIT;"
mf apply-unterminated-dollar 'migrations/20260101_000000_x\.sql:[0-9]+:[0-9]+: unterminated dollar-quoted string' 'BEGIN;
DO $x$ BEGIN DELETE FROM victim; END $y$;
COMMIT;'
mf apply-begin-twice 'migrations/20260101_000000_x\.sql:8: BEGIN must come first, once' 'BEGIN;
BEGIN;
DELETE FROM victim;
COMMIT;'
mf apply-commit-without-begin 'migrations/20260101_000000_x\.sql:8: COMMIT without BEGIN|COMMIT without BEGIN' 'DELETE FROM victim;
COMMIT;'
mf apply-begin-without-commit 'migrations/20260101_000000_x\.sql: BEGIN without COMMIT' 'BEGIN;
DELETE FROM victim;'
mf apply-rollback 'migrations/20260101_000000_x\.sql:9: transaction control other than one BEGIN \.\.\. COMMIT is not allowed' 'BEGIN;
DELETE FROM victim;
ROLLBACK;
COMMIT;'
mf apply-savepoint 'migrations/20260101_000000_x\.sql:8: transaction control other than one BEGIN' 'BEGIN;
SAVEPOINT s;
DELETE FROM victim;
COMMIT;'
mf apply-second-transaction 'migrations/20260101_000000_x\.sql:10: .*BEGIN|transaction control' 'BEGIN;
COMMIT;
DELETE FROM victim;
BEGIN;
COMMIT;'
mf apply-concurrently-in-transaction 'migrations/20260101_000000_x\.sql:9: .*(cannot run inside a transaction|transaction block)' 'BEGIN;
DELETE FROM victim;
CREATE INDEX CONCURRENTLY victim_note_idx ON victim (note);
COMMIT;'
mf apply-vacuum-in-transaction 'migrations/20260101_000000_x\.sql:9: .*(cannot run inside a transaction|transaction block)' 'BEGIN;
UPDATE victim SET id = 0;
VACUUM victim;
COMMIT;'
mf apply-control-character 'migrations/20260101_000000_x\.sql:9:8: syntax error' "$(printf 'BEGIN;\nDELETE FROM victim;\nCOMMIT;\n\n')"$'\x01;'
mf apply-deep-nesting 'migrations/20260101_000000_x\.sql:[0-9]+:[0-9]+: memory exhausted at or near' "BEGIN;
UPDATE victim SET id = $(printf '(%.0s' {1..10000})0$(printf ')%.0s' {1..10000});
COMMIT;"
ts apply-format-2 2 'migrations/20260101_000000_x\.sql: unsupported migration file format 2' 'flux-apply --db "$DB"' <<'SETUP'
printf -- '-- pg-flux migration\n-- format: 2\n\nBEGIN;\nDELETE FROM victim;\nCOMMIT;\n' > migrations/20260101_000000_x.sql
SETUP
ts apply-error-in-second-file 2 'migrations/20260102_000000_y\.sql:[0-9]+:[0-9]+: syntax error' 'flux-apply --db "$DB" --allow-hazards all' <<'SETUP'
migration 20260101_000000_x.sql <<'SQL'
BEGIN;
CREATE TABLE app.first_file (id int);
COMMIT;
SQL
migration 20260102_000000_y.sql <<'SQL'
BEGIN;
DELETE FROM victim WHERE;
COMMIT;
SQL
SETUP
ts apply-porcelain-syntax 2 'flux-apply: error: migrations/20260101_000000_x\.sql:8:[0-9]+: syntax error' 'pg-flux --db "$DB" migrate apply --allow-hazards all' <<'SETUP'
migration 20260101_000000_x.sql <<'SQL'
BEGIN;
TRUNCATE victim,;
COMMIT;
SQL
SETUP
hs hazards-syntax-error '^flux-hazards: error: migrations/20260101_000000_x\.sql:8:8: syntax error at or near "TABEL"' 'BEGIN;
CREATE TABEL t (id int);
COMMIT;'
hs hazards-begin-twice 'migrations/20260101_000000_x\.sql:8: BEGIN must come first' 'BEGIN;
BEGIN;
COMMIT;'
hs hazards-begin-without-commit 'BEGIN without COMMIT' 'BEGIN;
CREATE TABLE t (id int);'
hs hazards-commit-without-begin 'COMMIT without BEGIN' 'CREATE TABLE t (id int);
COMMIT;'
hs hazards-rollback 'transaction control other than one BEGIN' 'BEGIN;
ROLLBACK;'
hs hazards-unterminated-comment 'migrations/20260101_000000_x\.sql:[0-9]+:[0-9]+: unterminated /\* comment' 'BEGIN;
/* oops
COMMIT;'
ts hazards-format-99 2 'unsupported migration file format 99' 'flux-hazards --sql m.sql' <<'SETUP'
printf -- '-- format: 99\nBEGIN;\nCOMMIT;\n' > m.sql
SETUP
hs hazards-concurrently-in-transaction '^flux-hazards: error: migrations/20260101_000000_x\.sql:8: this statement cannot run inside a transaction; move it after COMMIT' 'BEGIN;
CREATE INDEX CONCURRENTLY victim_note_idx ON victim (note);
COMMIT;'
