#!/usr/bin/env bats
# flux-snapshot: the live database as a pgflux.model. What it leaves out
# (system schemas, the tracking schema, extension members), what it counts but
# does not model (source.unmodeled), determinism, connection errors and how it
# finds the database.
load helpers
bats_require_minimum_version 1.5.0
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# py FILE CODE: runs python CODE with `m` bound to the JSON document in FILE.
py() { python3 -c "import json, sys
m = json.load(open(sys.argv[1]))
$2" "$1"; }

# objects FILE: "kind schema.name[ on table]" per object, in the model's order.
objects() {
  py "$1" '
for o in m["objects"]:
    name = (o["schema"] + "." if "schema" in o else "") + o["name"]
    print(o["kind"], name + (" on " + o["table"] if "table" in o else ""))'
}

@test "an empty database has no objects and nothing unmodeled" {
  run -0 flux-snapshot --db "$DB"
  printf '%s\n' "$output" > live.json
  run -0 py live.json '
print(m["format"], m["version"], m["generator"]["tool"])
print(len(m["objects"]), json.dumps(m["source"]["unmodeled"]))
print(m["source"]["type"], m["source"]["database"])
print(m["state_hash"].startswith("sha256:") and len(m["state_hash"]) == 71)'
  assert_line --index 0 'pgflux.model 1 flux-snapshot'
  assert_line --index 1 '0 {}'
  assert_line --index 2 "database t${BATS_SUITE_TEST_NUMBER}"
  assert_line --index 3 'True'
}

@test "public, plpgsql, pg_catalog and information_schema are not objects" {
  # objects of the system schemas are always there; a comment on public changes nothing either
  sql "$DB" "comment on schema public is 'standard public schema'"
  flux-snapshot --db "$DB" > live.json
  run -0 objects live.json
  assert_output ''
}

@test "the tracking schema _pgflux and everything in it is excluded" {
  sql "$DB" "create schema _pgflux;
    create table _pgflux.migrations (name text primary key, checksum text not null);
    create index on _pgflux.migrations (checksum);
    create sequence _pgflux.s;
    create table kept (id int)"
  flux-snapshot --db "$DB" > live.json
  run -0 objects live.json
  assert_output 'table public.kept'
  run -0 py live.json 'print(json.dumps(m["source"]["unmodeled"]))'
  assert_output '{}'
}

@test "extension members are not objects, the extension is (citext, hstore WITH SCHEMA, btree_gist)" {
  sql "$DB" "create extension citext;
    create schema ext;
    create extension hstore with schema ext;
    create extension btree_gist"
  flux-snapshot --db "$DB" > live.json
  run -0 objects live.json
  assert_output "schema ext
extension btree_gist
extension citext
extension hstore"
  # the functions, types and operators the extensions bring are not "unmodeled" objects either
  run -0 py live.json 'print(json.dumps(m["source"]["unmodeled"]))'
  assert_output '{}'
  run -0 py live.json '
for o in m["objects"]:
    if o["kind"] == "extension":
        print(o["name"], o["attributes"]["schema"], bool(o["attributes"].get("version")))'
  assert_line 'citext public True'
  assert_line 'hstore ext True'
}

@test "a column of an extension type is modeled with the type qualified" {
  sql "$DB" "create extension citext; create table t (e citext, a citext[])"
  flux-snapshot --db "$DB" > live.json
  run -0 py live.json '
for o in m["objects"]:
    if o["kind"] == "table":
        print([(c["name"], c["type"]) for c in o["attributes"]["columns"]])'
  assert_output "[('e', 'public.citext'), ('a', 'public.citext[]')]"
}

@test "unmodeled objects (statistics in another schema than their table) are counted in source.unmodeled, not modeled" {
  sql "$DB" "create schema other; create table t (id int, b int);
    create view v as select * from t;
    create statistics other.t_stats on id, b from t;
    create domain posint as int check (value > 0)"
  flux-snapshot --db "$DB" > live.json
  run -0 objects live.json
  assert_output $'schema other\ndomain public.posint\ntable public.t\nview public.v'
  run -0 py live.json '
u = m["source"]["unmodeled"]
print(u.get("view"), u.get("cross-schema statistics object"), u.get("domain"))'
  assert_output 'None 1 None'
}

@test "the snapshot is deterministic: two snapshots are byte-identical" {
  sql "$DB" "create schema b; create schema a;
    create type a.mood as enum ('x', 'y');
    create table b.z (id int primary key, m a.mood, note text check (note <> ''));
    create table a.y (id int primary key, z_id int references b.z);
    create index on b.z (note);
    create index on a.y (z_id);
    create sequence a.s;
    comment on table b.z is 'zed'"
  flux-snapshot --db "$DB" > one.json
  flux-snapshot --db "$DB" > two.json
  run -0 cmp one.json two.json
  # objects sorted by kind rank, then schema and name
  run -0 objects one.json
  assert_output "schema a
schema b
enum a.mood
sequence a.s
table a.y
table b.z
constraint a.y_pkey on y
constraint a.y_z_id_fkey on y
constraint b.z_note_check on z
constraint b.z_pkey on z
index a.y_z_id_idx on y
index b.z_note_idx on z"
}

@test "a foreign key depends on the referenced key, not on another foreign key to it" {
  # pg_constraint.conindid of a foreign key is the referenced table's unique
  # index: it stands for the primary key, never for a foreign key.
  sql "$DB" "create table a (id int primary key);
    create table b1 (a_id int constraint b1_fk references a);
    create table b2 (a_id int constraint b2_fk references a);
    create table b3 (a_id int constraint b3_fk references a)"
  flux-snapshot --db "$DB" > live.json
  run -0 py live.json '
for o in m["objects"]:
    if o["kind"] == "constraint" and o["name"].endswith("_fk"):
        print(o["name"], sorted(d["name"] for d in o["depends_on"] if d["kind"] == "constraint"))'
  assert_output "b1_fk ['a_pkey']
b2_fk ['a_pkey']
b3_fk ['a_pkey']"
}

@test "the state hash is stable across databases and changes with the schema" {
  local schema="create table t (id int primary key, n text default 'x');
    create index on t (n);
    create type mood as enum ('a');
    comment on column t.n is 'n'"
  sql "$DB" "$schema"
  other=$(new_db "other${BATS_SUITE_TEST_NUMBER}")
  sql "$other" "$schema"
  h1=$(flux-snapshot --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state_hash"])')
  h2=$(flux-snapshot --db "$other" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state_hash"])')
  assert_equal "$h1" "$h2"
  # rows do not change the state
  sql "$DB" "insert into t values (1, 'a')"
  h3=$(flux-snapshot --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state_hash"])')
  assert_equal "$h1" "$h3"
  # a comment does
  sql "$DB" "comment on column t.n is 'changed'"
  h4=$(flux-snapshot --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state_hash"])')
  refute [ "$h1" = "$h4" ]
}

@test "the state the schema files describe, parsed through a shadow database, hashes as the snapshot's" {
  write_schema app.sql <<'SQL'
create schema app;
create type app.mood as enum ('a', 'b');
create table app.t (id int generated always as identity primary key, m app.mood default 'a', v varchar(10) check (v <> ''));
create index on app.t (lower(v));
create sequence app.s start 5;
comment on table app.t is 'tee';
SQL
  load_schema "$DB"
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db "$PGFLUX_ADMIN_URL" > desired.json
  # The files name no owners: the plan's target (owners resolved to the role
  # flux-snapshot connected as) is the live state, and nothing is to do.
  run python3 -c 'import json,subprocess
p = json.loads(subprocess.run(["flux-diff", "live.json", "desired.json"], capture_output=True, check=True).stdout)
print(len(p["steps"]), p["baseline_hash"] == p["target_hash"], p["baseline_hash"] == json.load(open("live.json"))["state_hash"])'
  assert_output "0 True True"
}

@test "a connection error is exit 4 and never shows the password" {
  run -4 flux-snapshot --db 'postgresql://u:s3cret@127.0.0.1:1/x'
  assert_output --partial 'flux-snapshot: error:'
  refute_output --partial 's3cret'
  run -4 flux-snapshot --db 'host=127.0.0.1 port=1 user=u password=s3cret dbname=x'
  refute_output --partial 's3cret'
  run -4 flux-snapshot -v --db 'postgresql://u:s3cret@127.0.0.1:1/x'
  refute_output --partial 's3cret'
  # the password in DATABASE_URL is not shown either
  DATABASE_URL='postgresql://u:s3cret@127.0.0.1:1/x' run -4 flux-snapshot
  refute_output --partial 's3cret'
}

@test "a malformed URL with a password is a usage error that does not echo the password" {
  run -2 flux-snapshot --db 'postgresql://u:s3cret%zz@127.0.0.1:1/x'
  assert_output --partial 'flux-snapshot: error: invalid connection string or URL:'
  refute_output --partial 's3cret'
  run -2 flux-snapshot --db 'postgresql://u:s3cret@[::1/x'
  assert_output --partial 'flux-snapshot: error:'
  refute_output --partial 's3cret'
}

@test "a database that does not exist is exit 4 naming it; -v does not show a password" {
  run -4 flux-snapshot --db "$(db_url no_such_db)"
  assert_output --partial 'no_such_db'
  url=$(printf '%s' "$DB" | sed 's|postgresql://postgres@|postgresql://postgres:s3cret@|')
  run -0 flux-snapshot -v --db "$url"
  refute_output --partial 's3cret'
}

@test "without --db it uses DATABASE_URL" {
  sql "$DB" "create table from_database_url (id int)"
  DATABASE_URL=$DB run -0 flux-snapshot
  assert_output --partial '"from_database_url"'
}

@test "--db wins over DATABASE_URL" {
  sql "$DB" "create table from_option (id int)"
  DATABASE_URL='postgresql://u:s3cret@127.0.0.1:1/x' run -0 flux-snapshot --db "$DB"
  assert_output --partial '"from_option"'
}

@test "without --db and DATABASE_URL it uses the PG* variables" {
  sql "$DB" "create table from_pg_vars (id int)"
  host=$(sql_value "$DB" "select current_setting('unix_socket_directories')" | cut -d, -f1)
  port=$(sql_value "$DB" "select current_setting('port')")
  PGHOST=$host PGPORT=$port PGUSER=postgres PGDATABASE="t${BATS_SUITE_TEST_NUMBER}" run -0 flux-snapshot
  assert_output --partial '"from_pg_vars"'
  run -0 python3 -c 'import json,sys; print(json.loads(sys.argv[1])["source"]["database"])' "$output"
  assert_output "t${BATS_SUITE_TEST_NUMBER}"
}

@test "stdout is only the document; --help, --version and a bad option" {
  flux-snapshot --db "$DB" > out.json 2> err.txt
  run -0 python3 -c 'import json,sys; json.load(open("out.json"))'
  assert_equal "$(wc -c < err.txt)" 0
  run -0 flux-snapshot --help
  assert_output --partial '--db'
  run -0 flux-snapshot --version
  assert_output --regexp '^flux-snapshot [0-9]+\.[0-9]+\.[0-9]+$'
  run -2 flux-snapshot --bogus
  assert_output --partial 'flux-snapshot: error:'
  run -2 flux-snapshot --db "$DB" extra-argument
  assert_output --partial 'flux-snapshot: error:'
}
