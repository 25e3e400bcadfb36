#!/usr/bin/env bats
# The JSON Schemas in schemas/ against real output: every tool's document
# validates, the state hash is computed as pgflux-formats(5) says, and the
# schemas reject a wrong format, a wrong version or a bad kind (they are not
# vacuous). Validation uses Debian's python3-jsonschema (/usr/bin/python3).
bats_require_minimum_version 1.5.0
load helpers
load every_kind
setup_file() {
  pgflux_setup_file
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "CREATE ROLE docs_reader; CREATE ROLE docs_owner;"
}
teardown_file() { pgflux_teardown_file; }
setup() {
  pgflux_setup
  jsonschema_setup
}

# edit IN OUT 'python statement on d': writes a modified copy of a document.
edit() {
  "$PY" -c "import json, sys
d = json.load(open(sys.argv[1]))
$3
json.dump(d, open(sys.argv[2], 'w'))" "$1" "$2"
}

# kinds FILE: the distinct kinds of a model's objects, sorted, one line.
kinds() { "$PY" -c "import json, sys; print(' '.join(sorted({o['kind'] for o in json.load(open(sys.argv[1]))['objects']})))" "$1"; }

# state_hash_ok FILE: the document's state_hash is sha256 over its objects
# without location, ddl and depends_on, compact and with sorted keys (pgflux-formats(5)).
state_hash_ok() {
  "$PY" -c "import hashlib, json, sys
m = json.load(open(sys.argv[1]))
o = [{k: v for k, v in x.items() if k not in ('location', 'ddl', 'depends_on')} for x in m['objects']
     if x.get('schema') != '_pgflux' and not (x['kind'] == 'schema' and x['name'] == '_pgflux')]
h = 'sha256:' + hashlib.sha256(json.dumps(o, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode()).hexdigest()
sys.exit(0 if h == m['state_hash'] else 'state_hash ' + m['state_hash'] + ' but recomputed ' + h)" "$1"
}

@test "the schemas are valid draft 2020-12 schemas, one per format" {
  for format in pgflux.model pgflux.plan pgflux.apply-result pgflux.status pgflux.generate-result pgflux.drift pgflux.fleet-result; do
    run "$PY" -c "import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
assert s['properties']['format'] == {'const': sys.argv[2]}, 'format const'
assert s['properties']['version'] == {'const': 1}, 'version const'
assert {'format', 'version', 'generator'} <= set(s['required']), 'envelope'" "$SCHEMAS/$format.v1.schema.json" "$format"
    assert_success
  done
  run ls "$SCHEMAS"
  assert_equal "$(ls "$SCHEMAS" | wc -l)" 7
}

@test "flux-parse output validates, without and with a shadow database" {
  write_every_kind
  flux-parse --shadow-db none > parsed.json
  validate pgflux.model parsed.json
  assert_equal "$(kinds parsed.json)" "aggregate cast collation composite_type constraint default_privilege domain enum event_trigger extension foreign_data_wrapper foreign_table function index materialized_view operator policy procedure publication range_type rule schema sequence server statistics table text_search_configuration text_search_dictionary trigger user_mapping view"
  grep -q '"canonical": "parsed"' parsed.json
  grep -q '"location"' parsed.json
  state_hash_ok parsed.json

  flux-parse --shadow-db auto --db "$DB" schema > shadow.json
  validate pgflux.model shadow.json
  grep -q '"canonical": "shadow"' shadow.json
  grep -q '"ddl"' shadow.json
  state_hash_ok shadow.json
}

@test "flux-snapshot of a database with every kind of object validates" {
  write_every_kind
  load_schema "$DB"
  # An index left invalid by a failed CREATE INDEX CONCURRENTLY, and objects
  # of kinds pg-flux does not model (counted in source.unmodeled).
  sql "$DB" "INSERT INTO app.tickets (number) VALUES (1), (1); CREATE STATISTICS public.elsewhere ON user_id, number FROM app.tickets"
  run psql -X -q "$DB" -c "CREATE UNIQUE INDEX CONCURRENTLY tickets_number_key ON app.tickets (number)"
  assert_failure
  flux-snapshot --db "$DB" > live.json
  validate pgflux.model live.json
  assert_equal "$(kinds live.json)" "aggregate cast collation composite_type constraint default_privilege domain enum event_trigger extension foreign_data_wrapper foreign_table function index materialized_view operator policy procedure publication range_type rule schema sequence server statistics table text_search_configuration text_search_dictionary trigger user_mapping view"
  grep -q '"invalid": true' live.json
  grep -q '"on_delete_columns"' live.json
  grep -q '"cross-schema statistics object": 1' live.json
  state_hash_ok live.json
}

@test "flux-diff and flux-hazards plans validate, from a model and from a migration file" {
  write_every_kind
  flux-snapshot --db "$DB" > empty.json
  flux-parse --shadow-db auto --db "$DB" > desired.json
  flux-diff empty.json desired.json > plan.json
  validate pgflux.plan plan.json
  grep -q '"classified": false' plan.json
  flux-hazards plan.json > classified.json
  validate pgflux.plan classified.json
  grep -q '"classified": true' classified.json

  # Changes on existing tables: after-commit steps, locks and every hazard.
  load_schema "$DB"
  flux-snapshot --db "$DB" > live.json
  write_schema all.sql <<'SQL'
CREATE SCHEMA app;
CREATE TABLE app.users (id bigint PRIMARY KEY, email text NOT NULL, room bigint NOT NULL);
CREATE INDEX users_email_idx ON app.users (email);
ALTER TABLE app.users ADD CONSTRAINT users_room_check CHECK (room > 0);
SQL
  flux-parse --shadow-db auto --db "$DB" | flux-diff live.json - > drop.json
  validate pgflux.plan drop.json
  flux-hazards drop.json > drop-classified.json
  validate pgflux.plan drop-classified.json
  for code in DATA_LOSS COLUMN_TYPE_CHANGE MASS_DROP ACCESS_EXCLUSIVE; do
    grep -q "\"code\": \"$code\"" drop-classified.json || fail "no $code hazard in the plan"
  done
  grep -q '"phase": "after-commit"' drop-classified.json
  grep -q '"lock": "ACCESS EXCLUSIVE"' drop-classified.json

  flux-track new --db "$DB" --migrations-dir m --label drop drop-classified.json
  flux-hazards --sql --live-objects 10 m/*_drop.sql > sql-plan.json
  validate pgflux.plan sql-plan.json
  grep -q '"action": "statement"' sql-plan.json
}

@test "flux-apply results validate: applied, nothing pending, resumed" {
  mkdir migrations
  echo "CREATE TABLE t (id integer, v integer); INSERT INTO t VALUES (1, 1), (2, 1);" > migrations/20260101_000000_t.sql
  printf 'BEGIN;\nCREATE TABLE u (id integer);\nCOMMIT;\nCREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v);\nCREATE INDEX CONCURRENTLY u_id_idx ON u (id);\n' \
    > migrations/20260102_000000_index.sql
  run flux-apply --db "$DB"
  assert_failure 4
  # The second file failed after its commit; fix the data and resume.
  sql "$DB" "UPDATE t SET v = id"
  flux-apply --db "$DB" > resumed.json
  validate pgflux.apply-result resumed.json
  grep -q '"resumed": true' resumed.json
  flux-apply --db "$DB" > nothing.json
  validate pgflux.apply-result nothing.json
  grep -q '"applied": \[\]' nothing.json

  echo "CREATE TABLE w (id integer);" > migrations/20260103_000000_w.sql
  flux-apply --db "$DB" > applied.json
  validate pgflux.apply-result applied.json
  grep -q '"name": "20260103_000000_w.sql"' applied.json
}

@test "flux-track status validates with every state" {
  mkdir migrations
  for n in 1 2 3 4 5; do echo "CREATE TABLE t$n (id integer);" > "migrations/2026010${n}_000000_t$n.sql"; done
  printf 'BEGIN;\nCREATE TABLE d (v integer);\nINSERT INTO d VALUES (1), (1);\nCOMMIT;\nCREATE UNIQUE INDEX CONCURRENTLY d_v_key ON d (v);\n' \
    > migrations/20260106_000000_d.sql
  flux-track status --db "$DB" > none.json
  validate pgflux.status none.json
  run flux-apply --db "$DB"
  assert_failure 4
  echo "-- edited" >> migrations/20260102_000000_t2.sql
  rm migrations/20260103_000000_t3.sql
  echo "CREATE TABLE t7 (id integer);" > migrations/20260107_000000_t7.sql
  run -1 flux-track status --db "$DB" --format json
  flux-track status --db "$DB" > status.json || true
  validate pgflux.status status.json
  for state in pending applied changed incomplete missing; do
    grep -q "\"state\": \"$state\"" status.json || fail "no $state file in the status"
  done
}

@test "flux-track new --format json and flux-diff --format drift validate" {
  write_every_kind
  flux-snapshot --db "$DB" > empty.json
  flux-parse --shadow-db auto --db "$DB" > desired.json
  flux-diff empty.json desired.json | flux-hazards > classified.json
  flux-diff --reverse empty.json desired.json | flux-hazards > undo.json
  flux-track new --offline --format json --migrations-dir m --undo undo.json classified.json > generated.json
  validate pgflux.generate-result generated.json
  grep -q '"written": true' generated.json
  grep -q '"undo": {' generated.json
  flux-track new --offline --format json --migrations-dir m2 undo.json > undone.json
  validate pgflux.generate-result undone.json

  run -1 flux-diff --format drift --exit-code empty.json desired.json
  printf '%s\n' "$output" > drift.json
  validate pgflux.drift drift.json
  grep -q '"clean": false' drift.json
  flux-diff --format drift --verify desired.json desired.json > same.json
  validate pgflux.drift same.json
  grep -q '"clean": true' same.json
  grep -q '"mode": "verify"' same.json

  # Nothing to do.
  flux-diff desired.json desired.json | flux-hazards > nothing.json
  flux-track new --offline --format json --migrations-dir m3 nothing.json > none.json
  validate pgflux.generate-result none.json
  edit none.json n1.json "d['file'] = 'm3/20260101_000000_x.sql'"
  invalid pgflux.generate-result n1.json
  edit drift.json d1.json "d['differences'][0]['action'] = 'rename'"
  invalid pgflux.drift d1.json
  edit drift.json d2.json "d['mode'] = 'check'"
  invalid pgflux.drift d2.json
}

# mutants FORMAT FILE: each line of standard input is a Python statement on
# d, a copy of the document in FILE; every document so changed must fail
# validation against FORMAT v1 (one Python process for all of them: each
# start with the jsonschema module costs ~0.3 s).
mutants() {
  run "$PY" -c "import copy, json, sys, jsonschema
schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))
validator = jsonschema.Draft202012Validator(schema)
accepted = []
for line in sys.stdin.read().splitlines():
    if not line.strip(): continue
    d = copy.deepcopy(doc)
    exec(line)
    if validator.is_valid(d): accepted.append(line)
if accepted: sys.exit('accepted as valid after: ' + ' | '.join(accepted))" "$SCHEMAS/$1.v1.schema.json" "$2"
  assert_success
}

@test "the schemas reject a wrong format, a wrong version, a bad kind and bad shapes" {
  write_every_kind
  flux-parse > model.json
  validate pgflux.model model.json
  mutants pgflux.model model.json <<'PY'
d['format'] = 'pgflux.plan'
d['version'] = 2
d['objects'][0]['kind'] = 'foreign_table'
del d['generator']
[o for o in d['objects'] if o['kind'] == 'table'][0]['attributes']['columns'][0]['not_nul'] = True
[o for o in d['objects'] if o['kind'] == 'index'][0].pop('table')
[o for o in d['objects'] if o['kind'] == 'constraint'][0]['attributes']['type'] = 'primary key'
d['state_hash'] = 'sha256:abc'
[o for o in d['objects'] if o['kind'] == 'sequence'][0]['attributes']['unlogged'] = False
PY
  # Unknown keys are allowed at the envelope and object level.
  edit model.json m9.json "d['future'] = 1; d['objects'][0]['future'] = 1"
  validate pgflux.model m9.json
  invalid pgflux.plan model.json

  flux-snapshot --db "$DB" > live.json
  flux-diff live.json model.json | flux-hazards > plan.json
  validate pgflux.plan plan.json
  mutants pgflux.plan plan.json <<'PY'
d['steps'][0]['phase'] = 'later'
d['steps'][0]['object']['kind'] = 'subscription'
d['steps'][0]['hazards'] = [{'code': 'DANGER', 'message': 'x'}]
d['format'] = 'pgflux.model'
PY

  mkdir -p migrations
  flux-apply --db "$DB" > result.json
  validate pgflux.apply-result result.json
  mutants pgflux.apply-result result.json <<'PY'
d['format'] = 'pgflux.status'
del d['applied']
PY

  flux-track status --db "$DB" > status.json
  validate pgflux.status status.json
  mutants pgflux.status status.json <<'PY'
d['migrations'] = [{'name': 'x.sql', 'state': 'done'}]
d['version'] = '1'
PY
}
