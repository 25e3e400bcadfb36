#!/usr/bin/env bats
# flux-diff as a command: the documents it accepts and refuses, stdin, the
# summary format, --exit-code, --strict, --verify, and deterministic plans.
load helpers
bats_require_minimum_version 1.5.0
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# A valid, empty model.
empty_model() { printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": []}' > "$1"; }

# The scenario of the man page: the database has users (id, email, extra),
# an index idx_orphan and a table scratch; the schema wants users (id, email,
# last_login) with users_email_idx. Writes live.json and desired.json.
users_scenario() {
  write_schema app.sql <<'SQL'
create table users (id int primary key, email text not null, last_login timestamptz);
create index users_email_idx on users (email);
SQL
  sql "$DB" "create table users (id int primary key, email text not null, extra int);
    create index idx_orphan on users (extra);
    create table scratch (id int)"
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db "$PGFLUX_ADMIN_URL" > desired.json
}

# --- documents refused ---------------------------------------------------------------------

@test "a document of another format is exit 2 naming the file and the expected format, in either position" {
  empty_model ok.json
  printf '%s\n' '{"format": "pgflux.plan", "version": 1, "steps": []}' > plan.json
  run -2 flux-diff ok.json plan.json
  assert_output 'flux-diff: error: plan.json: wrong format "pgflux.plan" (expected "pgflux.model")'
  run -2 flux-diff plan.json ok.json
  assert_output 'flux-diff: error: plan.json: wrong format "pgflux.plan" (expected "pgflux.model")'
}

@test "a real plan fed back as a model is refused" {
  users_scenario
  flux-diff live.json desired.json > plan.json
  run -2 flux-diff plan.json desired.json
  assert_output --partial 'plan.json: wrong format "pgflux.plan"'
}

@test "an unsupported version is exit 2 naming the file and the version this tool reads" {
  empty_model ok.json
  printf '%s\n' '{"format": "pgflux.model", "version": 2, "objects": []}' > v2.json
  run -2 flux-diff ok.json v2.json
  assert_output 'flux-diff: error: v2.json: unsupported pgflux.model version 2 (this tool reads version 1)'
  run -2 flux-diff v2.json ok.json
  assert_output --partial 'v2.json: unsupported pgflux.model version 2'
  printf '%s\n' '{"format": "pgflux.model", "version": "1", "objects": []}' > vs.json
  run -2 flux-diff ok.json vs.json
  assert_output --partial 'vs.json:'
  assert_output --partial 'version'
}

@test "a document without format, or not an object, is exit 2" {
  empty_model ok.json
  printf '%s\n' '{"version": 1, "objects": []}' > nofmt.json
  run -2 flux-diff ok.json nofmt.json
  assert_output 'flux-diff: error: nofmt.json: missing "format" (expected "pgflux.model")'
  printf '%s\n' '[]' > arr.json
  run -2 flux-diff ok.json arr.json
  assert_output --partial 'flux-diff: error: arr.json:'
}

@test "invalid JSON is exit 2 naming the tool and the file" {
  empty_model ok.json
  printf 'not json\n' > bad.json
  run -2 flux-diff ok.json bad.json
  assert_output --regexp '^flux-diff: error: bad\.json:1:2: invalid JSON: syntax error'
  printf '{"format": "pgflux.model", "version": 1, "objects": [' > cut.json
  run -2 flux-diff cut.json ok.json
  assert_output --regexp '^flux-diff: error: cut\.json:1:[0-9]+: invalid JSON: .*unexpected end of input'
}

@test "empty input is exit 2, from a file or from stdin" {
  empty_model ok.json
  : > empty.json
  run -2 flux-diff ok.json empty.json
  assert_output 'flux-diff: error: empty.json: empty input, expected a pgflux.model document'
  run -2 flux-diff - ok.json < /dev/null
  assert_output 'flux-diff: error: standard input: empty input, expected a pgflux.model document'
}

@test "a missing objects array is exit 2 naming the field" {
  empty_model ok.json
  printf '%s\n' '{"format": "pgflux.model", "version": 1}' > noobj.json
  run -2 flux-diff ok.json noobj.json
  assert_output 'flux-diff: error: noobj.json: objects: missing'
  printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": {}}' > objobj.json
  run -2 flux-diff ok.json objobj.json
  assert_output 'flux-diff: error: objobj.json: objects: expected an array'
}

@test "a bad or missing kind is exit 2 naming the field path" {
  empty_model ok.json
  printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": [
    {"kind": "bogus", "schema": "public", "name": "x", "attributes": {}, "depends_on": []}]}' > badkind.json
  run -2 flux-diff ok.json badkind.json
  assert_output 'flux-diff: error: badkind.json: objects[0].kind: unknown kind "bogus"'
  printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": [
    {"kind": "schema", "name": "a", "attributes": {}, "depends_on": []},
    {"schema": "public", "name": "x", "attributes": {}, "depends_on": []}]}' > nokind.json
  run -2 flux-diff nokind.json ok.json
  assert_output 'flux-diff: error: nokind.json: objects[1].kind: missing'
}

@test "a malformed identity is exit 2 naming the field path" {
  empty_model ok.json
  printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": [
    {"kind": "table", "schema": "public", "name": 5, "attributes": {"columns": [], "unlogged": false}, "depends_on": []}]}' > name.json
  run -2 flux-diff ok.json name.json
  assert_output 'flux-diff: error: name.json: objects[0].name: expected a string'
  printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": [
    {"kind": "table", "schema": "public", "name": "x", "depends_on": []}]}' > noattrs.json
  run -2 flux-diff ok.json noattrs.json
  assert_output 'flux-diff: error: noattrs.json: objects[0].attributes: missing'
  printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": [
    {"kind": "index", "schema": "public", "name": "i", "attributes": {}, "depends_on": []}]}' > notable.json
  run -2 flux-diff ok.json notable.json
  assert_output --regexp '^flux-diff: error: notable\.json: objects\[0\].*table'
}

@test "malformed attributes are exit 2 naming the file and the field path, in either position" {
  empty_model ok.json
  printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": [
    {"kind": "table", "schema": "public", "name": "x", "attributes": {"unlogged": false, "columns": 5}, "depends_on": []}]}' > cols.json
  run -2 flux-diff ok.json cols.json
  assert_output --regexp '^flux-diff: error: cols\.json: objects\[0\]\.attributes\.columns'
  run -2 flux-diff cols.json ok.json
  assert_output --regexp '^flux-diff: error: cols\.json: objects\[0\]\.attributes\.columns'
  printf '%s\n' '{"format": "pgflux.model", "version": 1, "objects": [
    {"kind": "table", "schema": "public", "name": "x", "attributes": {"unlogged": false, "columns": [{"name": "a", "type": 5, "not_null": false}]}, "depends_on": []}]}' > coltype.json
  run -2 flux-diff coltype.json ok.json
  assert_output --regexp '^flux-diff: error: coltype\.json: objects\[0\]\.attributes\.columns\[0\]\.type'
}

@test "a file that cannot be read is exit 2 naming it" {
  empty_model ok.json
  run -2 flux-diff ok.json missing.json
  assert_output --partial 'flux-diff: error:'
  assert_output --partial 'missing.json'
}

# --- usage ---------------------------------------------------------------------------------

@test "usage errors: one model, two stdins, a bad --format, an unknown option; --help and --version" {
  empty_model ok.json
  run -2 flux-diff ok.json
  assert_output --partial 'flux-diff: error:'
  run -2 flux-diff - - < ok.json
  assert_output --partial 'flux-diff: error:'
  run -2 flux-diff ok.json ok.json ok.json
  assert_output --partial 'flux-diff: error:'
  run -2 flux-diff --format xml ok.json ok.json
  assert_output --partial 'flux-diff: error:'
  assert_output --partial 'format'
  run -2 flux-diff --bogus ok.json ok.json
  assert_output --partial 'flux-diff: error:'
  run -0 flux-diff --help
  assert_output --partial '--exit-code'
  assert_output --partial '--verify'
  run -0 flux-diff --version
  assert_output --regexp '^flux-diff [0-9]+\.[0-9]+\.[0-9]+$'
}

# --- stdin ---------------------------------------------------------------------------------

@test "- reads a model from stdin, as CURRENT or as DESIRED, with the same result as files" {
  users_scenario
  flux-diff --format summary live.json desired.json > files.txt
  run -0 flux-diff --format summary live.json - < desired.json
  assert_equal "$output" "$(cat files.txt)"
  run -0 flux-diff --format summary - desired.json < live.json
  assert_equal "$output" "$(cat files.txt)"
  # and from a pipe
  run -1 bash -c 'flux-parse | flux-diff --exit-code --format summary live.json -'
  assert_line 'ADD COLUMN users.last_login timestamptz'
  run -2 bash -c 'echo "{}" | flux-diff live.json -'
  assert_output --partial 'standard input'
}

# --- summary and exit codes ----------------------------------------------------------------

@test "--format summary prints one line per difference" {
  users_scenario
  run -0 flux-diff --format summary live.json desired.json
  assert_equal "${#lines[@]}" 5
  assert_line 'DROP INDEX idx_orphan'
  assert_line 'DROP COLUMN users.extra'
  assert_line 'ADD COLUMN users.last_login timestamptz'
  assert_line 'CREATE INDEX users_email_idx'
  assert_line 'DROP TABLE scratch'
}

@test "summary names objects outside public with their schema, and quotes when needed" {
  write_schema app.sql <<'SQL'
create schema app;
create table app."Order Items" ("Qty" int, id int);
create index "Qty Idx" on app."Order Items" ("Qty");
SQL
  sql "$DB" 'create schema app; create table app."Order Items" (id int)'
  flux-snapshot --db "$DB" > live.json
  flux-parse > desired.json
  run -0 flux-diff --format summary live.json desired.json
  assert_line --partial 'ADD COLUMN app."Order Items"."Qty" integer'
  assert_line 'CREATE INDEX app."Qty Idx"'
}

@test "--exit-code: 1 when there are differences, 0 when there are none; without it always 0" {
  users_scenario
  run -1 flux-diff --exit-code live.json desired.json
  run -1 flux-diff --exit-code --format summary live.json desired.json
  assert_line 'DROP TABLE scratch'
  run -0 flux-diff live.json desired.json
  run -0 flux-diff --format summary live.json desired.json
  # the same model on both sides
  run -0 flux-diff --exit-code live.json live.json
  run -0 flux-diff --exit-code --format summary desired.json desired.json
  assert_output ''
  # after loading the schema, no differences
  sql "$DB" "drop table scratch; drop table users"
  load_schema "$DB"
  flux-snapshot --db "$DB" > live2.json
  run -0 flux-diff --exit-code --format summary live2.json desired.json
  assert_output ''
}

@test "a plan with no steps has the empty steps list; a plan with steps lists SQL, summary, action, object, phase" {
  users_scenario
  flux-diff live.json desired.json > plan.json
  run -0 python3 -c '
import json
p = json.load(open("plan.json"))
print(p["format"], p["version"], p["generator"]["tool"])
for s in p["steps"]:
    o = s["object"]
    print(s["action"], o["kind"], o["name"], s["phase"], s["summary"], "|", s["sql"])
'
  assert_line --index 0 'pgflux.plan 1 flux-diff'
  assert_line 'drop index idx_orphan transactional DROP INDEX idx_orphan | DROP INDEX public.idx_orphan;'
  assert_line 'drop table scratch transactional DROP TABLE scratch | DROP TABLE public.scratch;'
  assert_line --regexp '^create index users_email_idx [a-z-]+ CREATE INDEX users_email_idx \| CREATE INDEX users_email_idx ON public\.users USING btree \(email\);$'
  flux-diff desired.json desired.json > none.json
  run -0 python3 -c 'import json; print(json.load(open("none.json"))["steps"])'
  assert_output '[]'
}

@test "the plan carries the live state hash and the hash of the state it reaches" {
  users_scenario
  flux-diff live.json desired.json > plan.json
  run -0 python3 -c '
import json
p, l, d = (json.load(open(f)) for f in ("plan.json", "live.json", "desired.json"))
print(p["baseline_hash"] == l["state_hash"], p["target_hash"] != l["state_hash"], l["state_hash"] != d["state_hash"])
'
  assert_output 'True True True'
}

# --- --verify ------------------------------------------------------------------------------

@test "--verify ignores an extra live table, column, index, constraint and enum value" {
  write_schema app.sql <<'SQL'
create type mood as enum ('a', 'b');
create table users (id int primary key, email text not null, m mood);
SQL
  flux-parse > desired.json
  sql "$DB" "create type mood as enum ('a', 'b', 'c');
    create table users (id int primary key, email text not null, m mood, extra int check (extra > 0));
    create index on users (extra);
    create table scratch (id int)"
  flux-snapshot --db "$DB" > live.json
  run -0 flux-diff --exit-code --verify --format summary live.json desired.json
  assert_output ''
  run -1 flux-diff --exit-code --format summary live.json desired.json
  assert_line 'DROP TABLE scratch'
  assert_line 'DROP COLUMN users.extra'
}

@test "--verify reports a missing table, a missing column and a column of another type" {
  users_scenario
  run -1 flux-diff --exit-code --verify --format summary live.json desired.json
  assert_equal "${#lines[@]}" 2
  assert_line 'ADD COLUMN users.last_login timestamptz'
  assert_line 'CREATE INDEX users_email_idx'
  sql "$DB" "alter table users add column last_login timestamp; create index users_email_idx on users (email)"
  flux-snapshot --db "$DB" > live2.json
  run -1 flux-diff --exit-code --verify --format summary live2.json desired.json
  assert_output 'ALTER COLUMN users.last_login TYPE timestamptz'
  sql "$DB" "drop table users"
  flux-snapshot --db "$DB" > live3.json
  run -1 flux-diff --exit-code --verify --format summary live3.json desired.json
  assert_line 'CREATE TABLE users'
}

# --- notes and --strict --------------------------------------------------------------------

@test "notes go to stderr in summary format and count as differences only with --strict" {
  write_schema app.sql <<'SQL'
create table t (id int, s text default 'x');
SQL
  load_schema "$DB"
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db none > desired.json
  # without a shadow the default is only loosely equal: a note, not a step
  flux-diff --exit-code --format summary live.json desired.json > out.txt 2> err.txt
  assert_equal "$(wc -c < out.txt)" 0
  assert_file_contains err.txt '^note: .*t\.s'
  run -1 flux-diff --exit-code --strict --format summary live.json desired.json
  assert_output --partial 't.s'
  refute_output --partial 'note: '
  run -0 python3 -c '
import json, subprocess
p = json.loads(subprocess.run(["flux-diff", "live.json", "desired.json"], capture_output=True, text=True).stdout)
print(len(p["steps"]), len(p["notes"]) > 0)'
  assert_output '0 True'
}

@test "a column order difference is a note, a difference only with --strict" {
  write_schema app.sql <<'SQL'
create table t (a int, b int);
SQL
  sql "$DB" "create table t (b int, a int)"
  flux-snapshot --db "$DB" > live.json
  flux-parse > desired.json
  run -0 flux-diff --exit-code --format summary live.json desired.json
  run -1 flux-diff --exit-code --strict --format summary live.json desired.json
}

# --- determinism ---------------------------------------------------------------------------

@test "the plan is deterministic: same bytes on every run and whatever the order of the input objects" {
  users_scenario
  flux-diff live.json desired.json > one.json
  flux-diff live.json desired.json > two.json
  run -0 cmp one.json two.json
  python3 -c '
import json
for f in ("live.json", "desired.json"):
    m = json.load(open(f))
    m["objects"].reverse()
    json.dump(m, open("rev-" + f, "w"))
'
  flux-diff rev-live.json rev-desired.json > three.json
  run -0 cmp one.json three.json
}

@test "unmodeled live objects are not dropped and are mentioned in a note" {
  write_schema app.sql <<'SQL'
create table t (id int, b int);
create schema other;
SQL
  sql "$DB" "create table t (id int, b int); create schema other;
    create statistics other.s1 on id, b from t; create statistics other.s2 (ndistinct) on id, b from t"
  flux-snapshot --db "$DB" > live.json
  flux-parse > desired.json
  run -0 flux-diff --exit-code --format summary live.json desired.json
  refute_output --partial 'DROP'
  flux-diff live.json desired.json > plan.json
  run -0 python3 -c 'import json; print(json.load(open("plan.json"))["notes"])'
  assert_output --partial '2 cross-schema statistics objects'
}
