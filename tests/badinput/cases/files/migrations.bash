# Migration directories and files, and the documents the tools read: exit 2
# naming the path and the reason, never "no pending migrations".

t  apply-dir-missing 2 '^flux-apply: error: migrations directory "nope" does not exist' 'flux-apply --db "$DB" --migrations-dir nope'
t  status-dir-missing 2 '^flux-track: error: migrations directory "nope" does not exist' 'flux-track status --db "$DB" --migrations-dir nope'
t  baseline-dir-missing 2 '^flux-track: error: migrations directory "nope" does not exist' 'flux-track baseline --db "$DB" --migrations-dir nope'
t  repair-dir-missing 2 '^flux-track: error: migrations directory "nope" does not exist' 'flux-track repair --db "$DB" --migrations-dir nope'
t  porcelain-apply-dir-missing 2 'flux-apply: error: migrations directory "nope" does not exist' 'pg-flux --db "$DB" --migrations-dir nope migrate apply'
t  porcelain-status-dir-missing 2 'flux-track: error: migrations directory "nope" does not exist' 'pg-flux --db "$DB" --migrations-dir nope migrate status'
t  porcelain-baseline-dir-missing 2 'flux-track: error: migrations directory "nope" does not exist' 'pg-flux --db "$DB" --migrations-dir nope migrate baseline'
t  porcelain-repair-dir-missing 2 'flux-track: error: migrations directory "nope" does not exist' 'pg-flux --db "$DB" --migrations-dir nope migrate repair'
ts apply-dir-default-missing 2 'migrations directory "migrations" does not exist' 'flux-apply --db "$DB"' <<'SETUP'
rmdir migrations
SETUP
ts apply-dir-is-a-file 2 'migrations directory "m\.txt" is not a directory' 'flux-apply --db "$DB" --migrations-dir m.txt' <<'SETUP'
echo hello > m.txt
SETUP
ts status-dir-is-a-file 2 'migrations directory "m\.txt" is not a directory' 'flux-track status --db "$DB" --migrations-dir m.txt' <<'SETUP'
echo hello > m.txt
SETUP
ts new-dir-is-a-file 2 'flux-track: error: cannot create migrations directory "m\.txt/sub"' 'flux-track new --offline --migrations-dir m.txt/sub "$FIX/classified.json"' <<'SETUP'
echo hello > m.txt
SETUP
ts apply-dir-unreadable 2 'cannot read migrations directory "migrations": Permission denied' 'as_nobody flux-apply --db "$DB"' <<'SETUP'
chmod 000 migrations
SETUP
ts apply-entry-is-a-directory 2 '"migrations/20260101_000000_x\.sql" is not a readable regular file' 'flux-apply --db "$DB"' <<'SETUP'
mkdir migrations/20260101_000000_x.sql
SETUP
ts apply-entry-dangling-symlink 2 '"migrations/20260101_000000_x\.sql" is not a readable regular file \(No such file or directory\)' 'flux-apply --db "$DB"' <<'SETUP'
ln -s gone.sql migrations/20260101_000000_x.sql
SETUP
ts apply-entry-symlink-loop 2 '"migrations/20260101_000000_x\.sql" is not a readable regular file \(Too many levels of symbolic links\)' 'flux-apply --db "$DB"' <<'SETUP'
ln -s 20260101_000000_x.sql migrations/20260101_000000_x.sql
SETUP
ts apply-entry-fifo 2 '"migrations/20260101_000000_x\.sql" is not a readable regular file' 'flux-apply --db "$DB"' <<'SETUP'
mkfifo migrations/20260101_000000_x.sql
SETUP
ts status-entry-is-a-directory 2 '"migrations/20260101_000000_x\.sql" is not a readable regular file' 'flux-track status --db "$DB"' <<'SETUP'
mkdir migrations/20260101_000000_x.sql
SETUP
ts apply-file-unreadable 2 'cannot read "migrations/20260101_000000_x\.sql": Permission denied' 'as_nobody flux-apply --db "$DB"' <<'SETUP'
migration 20260101_000000_x.sql <<'SQL'
BEGIN;
CREATE TABLE app.nobody_t (id int);
COMMIT;
SQL
chmod 000 migrations/20260101_000000_x.sql
SETUP
ts apply-file-nul 2 '^flux-apply: error: migrations/20260101_000000_x\.sql:8:30: NUL byte' 'flux-apply --db "$DB"' <<'SETUP'
{ header; printf 'BEGIN;\nCREATE TABLE app.t1 (id int);\0DROP TABLE victim;\nCOMMIT;\n'; } > migrations/20260101_000000_x.sql
SETUP
ts apply-file-latin1 2 'migrations/20260101_000000_x\.sql:8:32: not valid UTF-8 \(byte 0xE9\)' 'flux-apply --db "$DB"' <<'SETUP'
{ header; printf "BEGIN;\nCOMMENT ON TABLE victim IS 'caf\xe9';\nCOMMIT;\n"; } > migrations/20260101_000000_x.sql
SETUP
ts status-file-nul 2 'migrations/20260101_000000_x\.sql:1:1: NUL byte' 'flux-track status --db "$DB"' <<'SETUP'
printf '\0' > migrations/20260101_000000_x.sql
SETUP
ts hazards-sql-missing-file 2 '^flux-hazards: error: cannot read "nope\.sql": No such file or directory' 'flux-hazards --sql nope.sql'
t  hazards-sql-directory 2 'cannot read "migrations": it is a directory' 'flux-hazards --sql migrations'
ts hazards-sql-nul 2 'm\.sql:2:10: NUL byte' 'flux-hazards --sql m.sql' <<'SETUP'
printf 'BEGIN;\nDROP TABL\0E victim;\nCOMMIT;\n' > m.sql
SETUP
ts hazards-sql-latin1 2 'm\.sql:1:4: not valid UTF-8 \(byte 0xE0\)' 'flux-hazards --sql m.sql' <<'SETUP'
printf -- '-- \xe0 la carte\nBEGIN;\nCOMMIT;\n' > m.sql
SETUP
ts hazards-sql-bom-accepted 0 '"summary": "m\.sql:2"' 'flux-hazards --sql m.sql' <<'SETUP'
printf '\xef\xbb\xbfBEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n' > m.sql
SETUP
ts hazards-sql-unreadable 2 'cannot read "m\.sql": Permission denied' 'as_nobody flux-hazards --sql m.sql' <<'SETUP'
echo 'SELECT 1;' > m.sql
chmod 000 m.sql
SETUP
# Generate creates a missing migrations directory (the first generate of a project).
ts generate-creates-missing-dir 0 'wrote new/[0-9]{8}_[0-9]{6}_first\.sql \(' 'pg-flux --db "$DB" --shadow-db none --migrations-dir new --label first migrate generate' <<'SETUP'
cp -r "$FIX/schema/." schema/
echo 'CREATE TABLE app.more (id int);' > schema/more.sql
SETUP

# Documents (JSON) that cannot be read.
t  diff-model-missing 2 '^flux-diff: error: cannot read "nope\.json": No such file or directory' 'flux-diff nope.json "$FIX/desired.json"'
t  diff-model-directory 2 'cannot read "schema": it is a directory' 'flux-diff "$FIX/live.json" schema'
ts diff-model-unreadable 2 'cannot read "live\.json": Permission denied' 'as_nobody flux-diff live.json desired.json' <<'SETUP'
cp "$FIX/live.json" "$FIX/desired.json" .
chmod 000 live.json
SETUP
ts diff-model-nul 2 'live\.json:3:3: NUL byte' 'flux-diff live.json "$FIX/desired.json"' <<'SETUP'
printf '{\n  "format": "pgflux.model",\n  \0"version": 1\n}\n' > live.json
SETUP
ts diff-model-latin1 2 '^flux-diff: error: desired\.json:[0-9]+:[0-9]+: not valid UTF-8 \(byte 0xE9\)' 'flux-diff "$FIX/live.json" desired.json' <<'SETUP'
jq '.objects[0].attrs.comment = "CAFE"' "$FIX/desired.json" | sed 's/CAFE/CAF\xe9/' > desired.json
SETUP
ts hazards-plan-latin1 2 '^flux-hazards: error: plan\.json:[0-9]+:[0-9]+: not valid UTF-8 \(byte 0xFC\)' 'flux-hazards plan.json' <<'SETUP'
jq '.steps[0].summary = "XXX"' "$FIX/plan.json" | sed 's/XXX/\xfc/' > plan.json
SETUP
ts hazards-plan-stdin-latin1 2 '^flux-hazards: error: standard input:[0-9]+:[0-9]+: not valid UTF-8' 'flux-hazards < plan.json' <<'SETUP'
jq '.steps[0].summary = "XXX"' "$FIX/plan.json" | sed 's/XXX/\xfc/' > plan.json
SETUP
ts track-plan-nul 2 '^flux-track: error: standard input:1:2: NUL byte' 'flux-track new --offline < plan.json' <<'SETUP'
printf '{\0}' > plan.json
SETUP
t  track-plan-missing 2 '^flux-track: error: cannot read "nope\.json": No such file or directory' 'flux-track new --offline nope.json'
