#!/usr/bin/env bats
# The result cache (flux-parse, flux-snapshot and flux-diff --cache-dir;
# pg-flux uses .pgflux/cache/ unless --no-cache) is an optimisation only: a
# cached run writes the very output an uncached run writes, says the same
# warnings and exits the same; for models a changed or added file, another
# shadow server and another pg-flux build miss; for snapshots any change of
# the catalog's content (DDL, a comment, a grant, a renamed owner) misses;
# drift and generate give the same results with and without it.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }
teardown() {
  [ -z "${SECOND_CLUSTER:-}" ] || pgflux-cluster destroy "$SECOND_CLUSTER" >/dev/null 2>&1
  return 0
}

examples_schema() { cp "$PGFLUX_SOURCE"/examples/schema/*.sql schema/; }

# parse_cached OUT [FLUX_PARSE [OPTIONS...]]: flux-parse -v with the cache in
# cache/, the model in OUT; $stderr has what it said.
parse_cached() {
  local out=$1 parse=${2:-flux-parse}
  run --separate-stderr -0 "$parse" -v --shadow-db auto --db "$DB" --cache-dir cache "${@:3}" schema
  printf '%s\n' "$output" > "$out"
}
hit() { [[ "$stderr" == *"the model is cached (cache): nothing changed since it was made"* ]] || fail "no cache hit: $stderr"; }
miss() { [[ "$stderr" != *"the model is cached"* ]] || fail "a cache hit: $stderr"; }
entries() { find cache -name '*.model' | wc -l; }

@test "a cached run writes the model an uncached run writes; the second run skips the shadow" {
  mkdir -p schema
  examples_schema
  parse_cached first.json
  miss
  [[ "$stderr" == *"loading the schema into a shadow database"* ]]
  assert_equal "$(entries)" 1
  parse_cached second.json
  hit
  [[ "$stderr" != *"loading the schema"* ]]
  flux-parse --shadow-db auto --db "$DB" schema > uncached.json
  cmp first.json second.json
  cmp first.json uncached.json
  # Not vacuous: a real, shadow-canonical model.
  [ "$(jq '.objects | length' first.json)" -gt 10 ]
  assert_equal "$(jq -r .source.canonical first.json)" shadow
}

@test "a changed file, a new file, another shadow and another pg-flux build miss the cache" {
  mkdir -p schema
  examples_schema
  parse_cached base.json
  miss
  # A comment is a change of bytes: a miss (the model is the same but for
  # the digest of the files it records).
  cp schema/20_customers.sql customers.orig
  echo "-- reviewed" >> schema/20_customers.sql
  parse_cached comment.json
  miss
  assert_equal "$(jq 'del(.source.source_hash)' comment.json)" "$(jq 'del(.source.source_hash)' base.json)"
  [ "$(jq .source.source_hash comment.json)" != "$(jq .source.source_hash base.json)" ]
  assert_equal "$(entries)" 2
  # Back to the old bytes: the old entry again.
  cp customers.orig schema/20_customers.sql
  parse_cached again.json
  hit
  # A new file.
  echo "create table audit_log (id bigint primary key, at timestamptz not null);" > schema/50_audit.sql
  parse_cached added.json
  miss
  assert_equal "$(jq '[.objects[] | select(.kind == "table" and .name == "audit_log")] | length' added.json)" 1
  rm schema/50_audit.sql
  # No shadow: other canonical forms, another entry.
  run --separate-stderr -0 flux-parse -v --shadow-db none --cache-dir cache schema
  miss
  assert_equal "$(printf '%s\n' "$output" | jq -r .source.canonical)" parsed
  # Another shadow server: a second cluster whose template0 has another
  # collation (what CREATE DATABASE of the shadow copies).
  SECOND_CLUSTER="$BATS_TEST_TMPDIR/second"
  url2=$(pgflux-cluster start "$SECOND_CLUSTER" --fast)
  sql "$url2" "update pg_database set datcollate = 'C' where datname = 'template0'"
  run --separate-stderr -0 flux-parse -v --shadow-db "$url2" --cache-dir cache schema
  miss
  [[ "$stderr" == *"loading the schema into a shadow database"* ]]
  run --separate-stderr -0 flux-parse -v --shadow-db "$url2" --cache-dir cache schema
  hit
  # Another build of pg-flux (the same version, other bytes): a miss.
  mkdir bin
  cp "$PGFLUX_BIN"/* bin/
  printf 'x' >> bin/flux-parse
  parse_cached rebuilt.json bin/flux-parse
  miss
  cmp base.json rebuilt.json
  parse_cached rebuilt2.json bin/flux-parse
  hit
}

@test "a hit says the warnings the run that made the entry said" {
  mkdir -p schema
  long=$(printf 'c%.0s' $(seq 1 70))
  echo "create table t (${long} int);" > schema/app.sql
  parse_cached first.json
  miss
  [[ "$stderr" == *"schema/app.sql:1:17: identifier \"${long}\" will be truncated"* ]]
  parse_cached second.json
  hit
  [[ "$stderr" == *"schema/app.sql:1:17: identifier \"${long}\" will be truncated"* ]]
  cmp first.json second.json
}

@test "a damaged entry is a miss and is replaced" {
  mkdir -p schema
  examples_schema
  parse_cached first.json
  entry=$(find cache -name '*.model')
  sed -i 's/"table"/"view"/' "$entry"
  parse_cached second.json
  miss
  [[ "$stderr" == *"removed a damaged cache entry"* ]]
  cmp first.json second.json
  parse_cached third.json
  hit
}

@test "pg-flux: drift and generate agree with and without the cache; --no-cache leaves it alone" {
  mkdir -p schema
  examples_schema
  run -0 pg-flux migrate generate --db "$DB" --label init
  [ -d .pgflux/cache ]
  assert_equal "$(find .pgflux/cache -name '*.model' | wc -l)" 1
  run -0 pg-flux migrate apply --db "$DB"
  run -0 pg-flux -v drift --db "$DB"
  [[ "$output" == *"the model is cached"* ]]
  assert_line "no drift: the database matches schema"
  sed -i 's/full_name   text/full_name   varchar(200)/' schema/20_customers.sql
  grep -q 'full_name   varchar(200)' schema/20_customers.sql
  run -1 pg-flux drift --db "$DB"
  cached=$output
  rm -rf .pgflux/cache
  run -1 pg-flux drift --db "$DB" --no-cache
  assert_equal "$output" "$cached"
  [ ! -d .pgflux/cache ]
}

# snapshot_cached OUT: flux-snapshot -v with the cache in cache/; $stderr has
# what it said.
snapshot_cached() {
  run --separate-stderr -0 flux-snapshot -v --db "$DB" --cache-dir cache --cache-min-relations 0
  printf '%s\n' "$output" > "$1"
}
snapshot_hit() { [[ "$stderr" == *"the snapshot is cached (cache): the catalog did not change"* ]] || fail "no cache hit: $stderr"; }
snapshot_miss() { [[ "$stderr" != *"the snapshot is cached"* ]] || fail "a cache hit: $stderr"; }
# A change, then: the cached snapshot misses and equals an uncached one.
snapshot_after() {
  sql "$DB" "$1"
  snapshot_cached changed.json
  snapshot_miss
  flux-snapshot --db "$DB" > uncached.json
  cmp changed.json uncached.json
  ! cmp -s changed.json before.json || fail "the snapshot did not change after: $1"
  cp changed.json before.json
}

@test "snapshots: a hit writes what an uncached run writes; every change of the schema misses" {
  sql "$DB" "create role cache_owner; create role cache_other; create table t (id int primary key, note text); create view v as select id from t"
  snapshot_cached before.json
  snapshot_miss
  snapshot_cached second.json
  snapshot_hit
  cmp before.json second.json
  flux-snapshot --db "$DB" > uncached.json
  cmp before.json uncached.json
  [ "$(jq '[.objects[] | select(.name == "t" or .name == "v")] | length' before.json)" -ge 2 ]
  [ -s cache/secret ]
  assert_equal "$(find cache -name '*.snapshot' | wc -l)" 1
  # Each of these changes what a snapshot reads.
  snapshot_after "alter table t add column at timestamptz"
  snapshot_after "comment on table t is 'audited'"
  snapshot_after "grant select on t to cache_owner"
  snapshot_after "alter table t owner to cache_owner"
  snapshot_after "alter role cache_owner rename to cache_keeper"
  snapshot_after "create or replace view v as select id, note from t"
  snapshot_after "create index t_note on t (note)"
  # A change undone: the first entry again.
  sql "$DB" "drop index t_note"
  snapshot_cached undone.json
  snapshot_hit
  # Other databases of the cluster (a shadow made while the live one is read,
  # say) do not change this one's digest.
  sql "$PGFLUX_ADMIN_URL" "create database cache_other owner cache_other"
  sql "$PGFLUX_ADMIN_URL" "comment on database cache_other is 'other'; alter database cache_other set work_mem = '8MB'"
  snapshot_cached other.json
  snapshot_hit
  cmp undone.json other.json
  sql "$PGFLUX_ADMIN_URL" "drop database cache_other"

  # Another database of the same cluster with the same catalog misses (the
  # key names the database).
  sql "$PGFLUX_ADMIN_URL" "create database cache_copy template \"$(sql_value "$DB" "select current_database()")\""
  run --separate-stderr -0 flux-snapshot -v --db "$(db_url cache_copy)" --cache-dir cache --cache-min-relations 0
  snapshot_miss
}

@test "snapshots: the same catalog read by another role, or with another DateStyle, misses" {
  sql "$DB" "create table t (id int, at timestamptz default '2026-01-02 03:04:05+00')"
  snapshot_cached before.json
  PGOPTIONS='-c DateStyle=SQL,DMY' run --separate-stderr -0 flux-snapshot -v --db "$DB" --cache-dir cache --cache-min-relations 0
  snapshot_miss
  PGOPTIONS='-c DateStyle=SQL,DMY' run --separate-stderr -0 flux-snapshot -v --db "$DB" --cache-dir cache --cache-min-relations 0
  snapshot_hit
  sql "$DB" "create role cache_reader login; grant select on t to cache_reader"
  run --separate-stderr -0 flux-snapshot -v --db "$(printf '%s' "$DB" | sed 's|//postgres@|//cache_reader@|')" --cache-dir cache --cache-min-relations 0
  snapshot_miss
}

@test "diff results: a hit prints the same output and exits the same; other options or documents miss" {
  sql "$DB" "create table t (id int primary key)"
  mkdir -p schema
  echo "create table t (id int primary key, name text);" > schema/app.sql
  flux-snapshot --db "$DB" > live.json
  flux-parse --shadow-db none schema > desired.json
  run --separate-stderr -1 flux-diff -v --cache-dir cache --exit-code --format summary live.json desired.json
  first=$output
  [[ "$stderr" != *"the result is cached"* ]]
  [[ "$first" == *"name"* ]]
  run --separate-stderr -1 flux-diff -v --cache-dir cache --exit-code --format summary live.json desired.json
  [[ "$stderr" == *"the result is cached (cache): both documents are unchanged"* ]]
  assert_equal "$output" "$first"
  # Other options: a miss, and the uncached answer.
  run --separate-stderr -0 flux-diff -v --cache-dir cache --format summary live.json desired.json
  [[ "$stderr" != *"the result is cached"* ]]
  assert_equal "$output" "$first"
  run --separate-stderr -0 flux-diff -v --cache-dir cache --format plan live.json desired.json
  [[ "$stderr" != *"the result is cached"* ]]
  flux-diff live.json desired.json > uncached.json
  printf '%s\n' "$output" | cmp - uncached.json
  # Another document: a miss.
  echo "create table t (id int primary key);" > schema/app.sql
  flux-parse --shadow-db none schema > desired.json
  run --separate-stderr -0 flux-diff -v --cache-dir cache --exit-code --format summary live.json desired.json
  [[ "$stderr" != *"the result is cached"* ]]
  assert_equal "$output" ""
}

@test "snapshots: a database with fewer relations than --cache-min-relations is read, not cached" {
  sql "$DB" "create table t (id int primary key)"
  run --separate-stderr -0 flux-snapshot -v --db "$DB" --cache-dir cache
  [[ "$stderr" == *"fewer than 2000 relations: the snapshot is read, not cached"* ]]
  [ ! -d cache ] || [ "$(find cache -name '*.snapshot' | wc -l)" -eq 0 ]
  flux-snapshot --db "$DB" | cmp - <(printf '%s\n' "$output")
  run --separate-stderr -0 flux-snapshot -v --db "$DB" --cache-dir cache --cache-min-relations 2
  [[ "$stderr" != *"not cached"* ]]
  assert_equal "$(find cache -name '*.snapshot' | wc -l)" 1
}

@test "pg-flux drift: warm runs reuse the model and the result, and still see a change made in the database" {
  mkdir -p schema
  examples_schema
  run -0 pg-flux migrate generate --db "$DB" --label init
  run -0 pg-flux migrate apply --db "$DB"
  run -0 pg-flux drift --db "$DB"
  run -0 pg-flux -v drift --db "$DB"
  [[ "$output" == *"the model is cached"* ]]
  # flux-snapshot is given the cache; this database is below its size threshold.
  [[ "$output" == *"relations: the snapshot is read, not cached"* ]]
  [[ "$output" == *"the result is cached"* ]]
  assert_line "no drift: the database matches schema"
  # A change made behind pg-flux's back is seen at once.
  sql "$DB" "alter table customers add column nickname text"
  run -1 pg-flux -v drift --db "$DB"
  [[ "$output" != *"the result is cached"* ]]
  [[ "$output" == *"nickname"* ]]
  run -1 pg-flux drift --db "$DB"
  with_cache=$output
  run -1 pg-flux drift --db "$DB" --no-cache
  assert_equal "$output" "$with_cache"
}
