#!/usr/bin/env bats
# The reference benchmark (scripts/benchmark) in its short version: N = 20,
# one run. The generator is deterministic and writes the schema a real
# project would; the benchmark measures every figure with positive numbers,
# writes them and the targets of issue 10 as JSON, and a no-op drift on the
# database loaded from the generated files finds nothing. The benchmark starts
# its own cluster, so this suite needs none.
bats_require_minimum_version 1.5.0
load helpers
setup() {
  pgflux_clean_env
  cd "$BATS_TEST_TMPDIR" || return 1
  BENCH=$PGFLUX_SOURCE/scripts/benchmark
}

@test "the generator writes the same bytes for the same N, split into files as a project would" {
  run "$BENCH" --generate a 250
  assert_success
  run "$BENCH" --generate b 250
  assert_success
  run diff -r a b
  assert_success
  # One file per 100 tables, the enums first, views and functions apart.
  run ls a
  assert_output "$(printf '%s\n' 00-types.sql 10-tables-00001.sql 10-tables-00101.sql 10-tables-00201.sql \
    20-views.sql 30-functions.sql)"
  [ "$(cat a/10-tables-*.sql | grep -c '^CREATE TABLE ')" -eq 250 ]
  [ "$(grep -c '^CREATE VIEW ' a/20-views.sql)" -eq 25 ]
  [ "$(grep -c '^CREATE FUNCTION ' a/30-functions.sql)" -eq 25 ]
  [ "$(grep -c 'LANGUAGE plpgsql' a/30-functions.sql)" -eq 25 ]
  # Identity on half of the tables, a named CHECK and a key on each, a foreign
  # key on all but the first, a comment on every 10th.
  [ "$(cat a/10-tables-*.sql | grep -c 'AS IDENTITY,$')" -eq 125 ]
  [ "$(cat a/10-tables-*.sql | grep -c '_check CHECK (')" -eq 250 ]
  [ "$(cat a/10-tables-*.sql | grep -c '_pkey PRIMARY KEY (id)')" -eq 250 ]
  [ "$(cat a/10-tables-*.sql | grep -c '_parent_fk FOREIGN KEY (parent_id) REFERENCES ')" -eq 249 ]
  [ "$(cat a/10-tables-*.sql | grep -c '^CREATE INDEX ')" -eq 500 ]
  [ "$(cat a/10-tables-*.sql | grep -c '^COMMENT ON TABLE ')" -eq 25 ]
  for type in jsonb uuid 'numeric(' 'varchar(' timestamptz boolean text; do
    grep -q " $type" a/10-tables-00001.sql || fail "no $type column"
  done
  # Another N is another schema; --tables-only leaves out views and functions.
  run "$BENCH" --generate c 240
  assert_success
  run diff -q a/10-tables-00001.sql c/10-tables-00001.sql
  assert_success
  run diff -q a/20-views.sql c/20-views.sql
  assert_failure
  run "$BENCH" --tables-only --generate d 20
  assert_success
  run ls d
  assert_output "$(printf '%s\n' 00-types.sql 10-tables-00001.sql)"
  # --generate refuses a directory that holds files.
  run "$BENCH" --generate a 20
  assert_failure 2
  assert_output --partial "is not empty"
}

@test "scripts/benchmark --runs 1 20 measures every figure, prints the targets and writes them as JSON" {
  run "$BENCH" --bin "$PGFLUX_BIN" --runs 1 --json bench.json 20
  assert_success
  assert_output --partial "flux-snapshot / pg_dump --schema-only = "
  assert_output --partial "drift cold / psql -f of the schema = "
  assert_line --regexp '^  flux-diff \(no-op\) = [0-9.]+ s \(target <= 0.5 s\): (met|not met)$'
  refute_output --partial "exited with"
  /usr/bin/python3 - bench.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["format"] == "pgflux.benchmark" and doc["version"] == 1, doc["format"]
assert doc["runs"] == 1 and not doc["failed"] and doc["postgres"].startswith("15"), doc
(size,) = doc["sizes"]
assert (size["n"], size["tables"], size["views"], size["functions"], size["files"]) == (20, 20, 2, 2, 4), size
assert size["bytes"] > 10000 and size["objects"] > 100, size
figures = ["psql-f", "pg_dump", "rawparse", "flux-parse-none", "flux-parse-shadow", "flux-snapshot",
           "flux-diff", "flux-diff-create", "flux-hazards", "drift-cold", "drift-warm", "drift-none",
           "generate-no-verify", "generate", "apply", "psql-f-migration"]
assert sorted(size["figures"]) == sorted(figures), sorted(size["figures"])
for fid in figures:
    f = size["figures"][fid]
    assert f["wall"] > 0 and f["cpu"] > 0 and f["rss_mb"] > 1 and len(f["runs"]) == 1, (fid, f)
    assert f["exit"] == 0 and not f["failed"], (fid, f)
# Every target has a value and a verdict; the references are the right ones.
targets = {t["figure"] + "/" + str(t["reference"]): t for t in size["targets"]}
for key in ["flux-snapshot/pg_dump", "flux-parse-none/rawparse", "flux-diff/None", "flux-hazards/None",
            "drift-warm/pg_dump", "drift-cold/psql-f", "generate-no-verify/psql-f", "generate/psql-f",
            "apply/psql-f-migration"]:
    t = targets[key]
    assert t["value"] > 0 and t["met"] in (True, False), t
snap = targets["flux-snapshot/pg_dump"]
ratio = size["figures"]["flux-snapshot"]["wall"] / size["figures"]["pg_dump"]["wall"]
assert abs(snap["value"] - ratio) < 1e-9 and snap["met"] == (ratio <= 0.3), snap
assert any(t["name"].startswith("largest peak RSS") and t["limit"] == 500 for t in size["targets"])
assert doc["growth"] == [], doc["growth"]
PY
}

# bats test_tags=long
@test "scripts/benchmark compares sizes: growth targets between consecutive N; --skip" {
  run "$BENCH" --bin "$PGFLUX_BIN" --runs 1 --tables-only --skip flux-parse-shadow,generate --json bench.json 10 3
  assert_success
  assert_output --partial "benchmark: N=10 run 1: generate-no-verify"
  refute_output --partial "run 1: flux-diff"
  refute_line "benchmark: N=10 run 1: generate"
  assert_output --partial "Growth (each figure at the larger N / at the smaller):"
  assert_line --regexp '^  flux-snapshot at 10 / at 3 = [0-9.]+ \(target <= 4.0\): (met|not met)$'
  /usr/bin/python3 - bench.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert [s["n"] for s in doc["sizes"]] == [3, 10], doc["sizes"]
assert all(s["views"] == 0 and s["functions"] == 0 for s in doc["sizes"])
growth = {g["figure"]: g for g in doc["growth"]}
assert "flux-snapshot" in growth and "drift-cold" in growth and "pg_dump" not in growth, sorted(growth)
g = growth["flux-snapshot"]
assert (g["from"], g["to"], g["limit"]) == (3, 10, 4.0) and g["value"] > 0, g
# Skipped: the figures named and those that need their output; apply uses the
# migration of generate --no-verify.
for s in doc["sizes"]:
    assert not {"flux-parse-shadow", "generate", "flux-diff", "flux-diff-create", "flux-hazards"} & set(s["figures"]), s["figures"].keys()
    assert {"flux-parse-none", "flux-snapshot", "generate-no-verify", "apply", "psql-f-migration"} <= set(s["figures"])
    assert all(not f["failed"] for f in s["figures"].values())
PY
}

@test "scripts/benchmark refuses bad options and says what is missing" {
  run "$BENCH" --runs 0 20
  assert_failure 2
  assert_output --partial "--runs needs a positive whole number"
  run "$BENCH" --skip flux-parse,generate 20
  assert_failure 2
  assert_output --partial 'no figure "flux-parse"'
  run "$BENCH" 20x
  assert_failure 2
  assert_output --partial "N must be a whole number"
  run "$BENCH" --bin "$PGFLUX_BIN" --helpers "$BATS_TEST_TMPDIR" 20
  assert_failure 2
  assert_output --partial "$BATS_TEST_TMPDIR/pgflux-bench-rawparse not found"
  run "$BENCH" --bin "$PGFLUX_BIN" --peers "$BATS_TEST_TMPDIR" 20
  assert_failure 2
  assert_output --partial "node_modules/.bin/pgdelta not found"
  run "$BENCH" --help
  assert_success
  assert_output --partial "--install-peers DIR"
}
