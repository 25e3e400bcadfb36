#!/usr/bin/env bats
# pg-flux migrate apply when things go wrong: a failing statement in the
# transaction (rolled back, nothing recorded), a failing after-commit
# statement (recorded as incomplete, resumed by the next apply), invalid SQL,
# CONCURRENTLY inside the transaction, applied files that changed or vanished.
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

column_exists() {
  sql_value "$DB" "select count(*) = 1 from information_schema.columns where table_name = '$1' and column_name = '$2'"
}
# catalog: a fingerprint of the user tables, columns and indexes.
catalog() {
  sql_value "$DB" "select string_agg(c.relname || '.' || coalesce(a.attname, ''), ',' order by c.relname, a.attnum)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = 'public'"
}

# users_with_duplicates: a users table whose emails are not unique, and a
# schema that adds a column (transactional) and a unique index (after commit).
users_with_duplicates() {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  load_schema "$DB"
  sql "$DB" "insert into users values (1, 'a@x'), (2, 'a@x'), (3, 'b@x')"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text);
create unique index users_email_key on users (email);
SQL
}

@test "a failing statement in the transactional part rolls back everything and names file:line" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null);
SQL
  load_schema "$DB"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, name text);
create table orders (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label two
  file=$(latest_migration)
  name=$(basename "$file")
  cp "$file" good.sql
  # A bad statement after the first real statement of the transaction.
  line=$(grep -n '^ALTER TABLE public.users ADD COLUMN name text;' "$file" | cut -d: -f1)
  sed -i "${line}a SELECT * FROM no_such_table;" "$file"
  bad_line=$((line + 1))
  before=$(catalog)

  run -4 pg-flux migrate apply --db "$DB"
  assert_output --partial "$file:$bad_line: "
  assert_output --partial 'relation "no_such_table" does not exist'
  assert_output --partial "Nothing from $name was applied"
  assert_equal "$(catalog)" "$before"
  assert_equal "$(table_exists orders)" f
  assert_equal "$(column_exists users name)" f
  assert_equal "$(tracked "$name")" 0

  cp good.sql "$file"
  run -0 pg-flux migrate apply --db "$DB"
  assert_output --partial "applied $name"
  assert_equal "$(table_exists orders)" t
  assert_equal "$(column_exists users name)" t
  assert_equal "$(tracked "$name")" 1
  run -0 pg-flux drift --db "$DB"
}

@test "a transaction that fails at COMMIT (deferred constraint) records nothing" {
  mkdir migrations
  cat > migrations/20240101_000000_deferred.sql <<'SQL'
BEGIN;
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY,
  parent_id int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO child VALUES (1, 42);
COMMIT;
SQL
  run -4 pg-flux migrate apply --db "$DB"
  assert_output --partial 'violates foreign key constraint'
  assert_equal "$(table_exists parent)" f
  assert_equal "$(tracked 20240101_000000_deferred.sql)" 0
}

@test "when the second file fails, the first stays applied and recorded" {
  mkdir migrations
  cat > migrations/20240101_000000_one.sql <<'SQL'
BEGIN;
CREATE TABLE one (id int PRIMARY KEY);
COMMIT;
SQL
  cat > migrations/20240101_000001_two.sql <<'SQL'
BEGIN;
CREATE TABLE two (id int PRIMARY KEY);
INSERT INTO two VALUES (1), (1);
COMMIT;
SQL
  run -4 pg-flux migrate apply --db "$DB"
  assert_output --partial "applied 20240101_000000_one.sql"
  assert_output --partial "migrations/20240101_000001_two.sql:3: "
  assert_output --partial "Nothing from 20240101_000001_two.sql was applied"
  assert_equal "$(table_exists one)" t
  assert_equal "$(table_exists two)" f
  assert_equal "$(tracked 20240101_000000_one.sql)" 1
  assert_equal "$(tracked 20240101_000001_two.sql)" 0
  run -0 pg-flux migrate status --db "$DB"
  assert_line --index 1 "20240101_000001_two.sql pending"
}

@test "a failing after-commit statement leaves the file incomplete; the next apply resumes it" {
  users_with_duplicates
  run -0 pg-flux migrate generate --db "$DB" --label uniq
  file=$(latest_migration)
  name=$(basename "$file")
  assert_file_contains "$file" '^CREATE UNIQUE INDEX CONCURRENTLY users_email_key'
  line=$(grep -n '^CREATE UNIQUE INDEX CONCURRENTLY' "$file" | cut -d: -f1)

  run -4 pg-flux migrate apply --db "$DB"
  assert_output --partial "$file:$line: after-commit statement 1 of 1 failed"
  assert_output --partial 'is duplicated'
  assert_output --partial "The transactional part of $name is committed"
  assert_output --partial 're-run `pg-flux migrate apply`'
  # The transactional part is committed and recorded as incomplete.
  assert_equal "$(column_exists users name)" t
  run sql_value "$DB" "select state, after_commit_done, after_commit_total from _pgflux.migrations where name = '$name'"
  assert_output "after_commit_pending|0|1"
  # PostgreSQL left an invalid index behind.
  run sql_value "$DB" "select indisvalid from pg_index where indexrelid = 'users_email_key'::regclass"
  assert_output f

  run -1 pg-flux migrate status --db "$DB"
  assert_line --index 0 --regexp "^$name applied [0-9: -]+  INCOMPLETE: after-commit 0 of 1 done; run migrate apply to resume$"
  assert_line --index 1 "INVALID INDEX public.users_email_key on public.users: left by an interrupted concurrent build; the next migrate apply rebuilds it (resuming $name)"

  sql "$DB" "delete from users where id = 2"
  run -0 pg-flux migrate apply -v --db "$DB"
  assert_output --partial "resuming $name at after-commit statement 1"
  run sql_value "$DB" "select state, after_commit_done, after_commit_total from _pgflux.migrations where name = '$name'"
  assert_output "applied|1|1"
  run sql_value "$DB" "select count(*), bool_and(x.indisvalid), bool_and(x.indisunique) from pg_class c
    join pg_index x on x.indexrelid = c.oid where c.relname like 'users_email_key%'"
  assert_output "1|t|t"
  run -0 pg-flux migrate status --db "$DB"
  assert_output --regexp "^$name applied [0-9: -]+$"
  run -0 pg-flux drift --db "$DB"
}

@test "a UNIQUE constraint on an existing table is built concurrently, attached after COMMIT, and resumes after duplicates" {
  write_schema app.sql <<'SQL'
create table users (id bigint not null, email text not null);
SQL
  load_schema "$DB"
  sql "$DB" "insert into users values (1, 'a@x'), (2, 'a@x')"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null unique);
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  name=$(basename "$file")
  commit=$(grep -n '^COMMIT;$' "$file" | cut -d: -f1)
  build=$(grep -n '^CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users USING btree (email);$' "$file" | cut -d: -f1)
  attach=$(grep -n '^ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;$' "$file" | cut -d: -f1)
  [ -n "$build" ] && [ -n "$attach" ] && [ "$commit" -lt "$build" ] && [ "$build" -lt "$attach" ]
  assert_file_contains "$file" '^ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;$'
  assert_equal "$(header "$file" hazards)" none

  run -4 pg-flux migrate apply --db "$DB"
  assert_output --partial "$file:$build: after-commit statement"
  assert_output --partial 'is duplicated'
  run sql_value "$DB" "select state from _pgflux.migrations where name = '$name'"
  assert_output after_commit_pending
  sql "$DB" "delete from users where id = 2"
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select string_agg(conname || ':' || contype::text || ':' || c.relname, ',' order by conname)
    from pg_constraint k join pg_class c on c.oid = k.conindid where conrelid = 'users'::regclass"
  assert_output "users_email_key:u:users_email_key,users_pkey:p:users_pkey"
  run -0 pg-flux drift --db "$DB"
}

@test "a changed index is built under a temporary name and swapped in; a failed build leaves the old index in place" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, org int);
create index users_email_idx on users (email);
comment on index users_email_idx is 'lookup';
SQL
  load_schema "$DB"
  sql "$DB" "insert into users values (1, 'a@x', 1), (2, 'a@x', 1)"
  write_schema app.sql <<'SQL'
create table users (id bigint primary key, email text not null, org int);
create unique index users_email_idx on users (email, org);
comment on index users_email_idx is 'lookup';
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  name=$(basename "$file")
  assert_equal "$(sed -n '/^COMMIT;$/,$p' "$file" | grep -v -e '^--' -e '^$' | tr '\n' '|')" \
    "COMMIT;|CREATE UNIQUE INDEX CONCURRENTLY users_email_idx__pgflux_new ON public.users USING btree (email, org);|DROP INDEX CONCURRENTLY public.users_email_idx;|ALTER INDEX public.users_email_idx__pgflux_new RENAME TO users_email_idx;|COMMENT ON INDEX public.users_email_idx IS 'lookup';|"

  # The duplicates make the build fail: the old index is still there, valid.
  run -4 pg-flux migrate apply --db "$DB"
  assert_output --partial 'is duplicated'
  run sql_value "$DB" "select string_agg(c.relname || ':' || x.indisvalid || ':' || x.indisunique, ',' order by c.relname)
    from pg_index x join pg_class c on c.oid = x.indexrelid where x.indrelid = 'users'::regclass and not x.indisprimary"
  assert_output "users_email_idx:true:false,users_email_idx__pgflux_new:false:true"

  sql "$DB" "update users set org = 2 where id = 2"
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select string_agg(c.relname || ':' || x.indisvalid || ':' || x.indisunique || ':' || coalesce(obj_description(c.oid, 'pg_class'), '-'), ',')
    from pg_index x join pg_class c on c.oid = x.indexrelid where x.indrelid = 'users'::regclass and not x.indisprimary"
  assert_output "users_email_idx:true:true:lookup"
  run sql_value "$DB" "select state from _pgflux.migrations where name = '$name'"
  assert_output applied
  run -0 pg-flux drift --db "$DB"
}

@test "a CHECK added NOT VALID whose validation fails after the commit resumes once the rows are fixed" {
  write_schema app.sql <<'SQL'
create table orders (id bigint primary key, total numeric);
SQL
  load_schema "$DB"
  sql "$DB" "insert into orders values (1, 5), (2, -1)"
  write_schema app.sql <<'SQL'
create table orders (id bigint primary key, total numeric check (total >= 0));
SQL
  run -0 pg-flux migrate generate --db "$DB"
  file=$(latest_migration)
  name=$(basename "$file")
  run -4 pg-flux migrate apply --db "$DB"
  assert_output --partial "after-commit statement 1 of 1 failed"
  assert_output --partial "orders_total_check"
  # The constraint exists, NOT VALID, and already guards new rows.
  run sql_value "$DB" "select convalidated from pg_constraint where conname = 'orders_total_check'"
  assert_output f
  run psql -X -q -v ON_ERROR_STOP=1 "$DB" -c "insert into orders values (3, -5)"
  assert_failure
  run sql_value "$DB" "select state from _pgflux.migrations where name = '$name'"
  assert_output after_commit_pending
  sql "$DB" "update orders set total = 0 where total < 0"
  run -0 pg-flux migrate apply --db "$DB"
  run sql_value "$DB" "select convalidated from pg_constraint where conname = 'orders_total_check'"
  assert_output t
  run sql_value "$DB" "select state from _pgflux.migrations where name = '$name'"
  assert_output applied
  run -0 pg-flux drift --db "$DB"
}

@test "a resumed file continues after the statements already done" {
  mkdir migrations
  cat > migrations/20240101_000000_steps.sql <<'SQL'
BEGIN;
CREATE TABLE t (id int, v int);
INSERT INTO t VALUES (1, 1), (2, 1);
COMMIT;
CREATE INDEX CONCURRENTLY t_id_idx ON t (id);
CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v);
CREATE INDEX CONCURRENTLY t_id_v_idx ON t (id, v);
SQL
  run -4 pg-flux migrate apply --db "$DB"
  assert_output --partial "migrations/20240101_000000_steps.sql:6: after-commit statement 2 of 3 failed"
  run sql_value "$DB" "select state, after_commit_done, after_commit_total from _pgflux.migrations"
  assert_output "after_commit_pending|1|3"
  run -1 pg-flux migrate status --db "$DB"
  assert_output --partial "INCOMPLETE: after-commit 1 of 3 done"

  sql "$DB" "update t set v = 2 where id = 2"
  run -0 pg-flux migrate apply -v --db "$DB"
  assert_output --partial "at after-commit statement 2"
  # t_id_idx was not built twice (CREATE INDEX would have failed: it exists).
  run sql_value "$DB" "select string_agg(c.relname || ':' || x.indisvalid, ',' order by c.relname)
    from pg_index x join pg_class c on c.oid = x.indexrelid where x.indrelid = 't'::regclass"
  assert_output "t_id_idx:true,t_id_v_idx:true,t_v_key:true"
  run sql_value "$DB" "select state, after_commit_done from _pgflux.migrations"
  assert_output "applied|3"
}

@test "generate refuses while a file is incomplete" {
  users_with_duplicates
  run -0 pg-flux migrate generate --db "$DB" --label uniq
  run -4 pg-flux migrate apply --db "$DB"
  write_schema more.sql <<'SQL'
create table more (id int);
SQL
  run -3 pg-flux migrate generate --db "$DB" --label more
  assert_output --partial "refusing to generate"
  assert_equal "$(ls migrations | wc -l)" 1
}

@test "invalid SQL in a migration file: exit 2 naming file:line:col, nothing applied" {
  mkdir migrations
  cat > migrations/20240101_000000_bad.sql <<'SQL'
BEGIN;
CREATE TABLE ok (id int);
CREATE TABEL broken (id int);
COMMIT;
SQL
  run -2 pg-flux migrate apply --db "$DB"
  assert_output --regexp 'migrations/20240101_000000_bad\.sql:3:[0-9]+: syntax error at or near "TABEL"'
  assert_equal "$(table_exists ok)" f
  assert_equal "$(tracked 20240101_000000_bad.sql)" 0
}

@test "CONCURRENTLY inside BEGIN..COMMIT: exit 2 telling to move it after COMMIT" {
  mkdir migrations
  cat > migrations/20240101_000000_conc.sql <<'SQL'
BEGIN;
CREATE TABLE t (id int);

CREATE INDEX CONCURRENTLY t_id_idx ON t (id);
COMMIT;
SQL
  run -2 pg-flux migrate apply --db "$DB"
  assert_output --partial "migrations/20240101_000000_conc.sql:4: "
  assert_output --partial "cannot run inside a transaction; move it after COMMIT"
  assert_equal "$(table_exists t)" f
  assert_equal "$(tracked 20240101_000000_conc.sql)" 0
}

@test "misplaced transaction control is an input error" {
  mkdir migrations
  printf 'BEGIN;\nCREATE TABLE t (id int);\n' > migrations/20240101_000000_open.sql
  run -2 pg-flux migrate apply --db "$DB"
  assert_output --partial "BEGIN without COMMIT"
  printf 'BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE u (id int);\nCOMMIT;\n' \
    > migrations/20240101_000000_open.sql
  run -2 pg-flux migrate apply --db "$DB"
  assert_output --partial "migrations/20240101_000000_open.sql:4: BEGIN must come first, once"
  printf 'BEGIN;\nCREATE TABLE t (id int);\nROLLBACK;\n' > migrations/20240101_000000_open.sql
  run -2 pg-flux migrate apply --db "$DB"
  assert_output --partial "migrations/20240101_000000_open.sql:3: transaction control"
  assert_equal "$(table_exists t)" f
}

@test "an applied file that changed: apply refuses (exit 3) until migrate repair records it" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label one
  first=$(latest_migration)
  run -0 pg-flux migrate apply --db "$DB"
  old_sum=$(sha256sum "$first" | cut -d' ' -f1)
  echo "-- reviewed by someone after it was applied" >> "$first"
  new_sum=$(sha256sum "$first" | cut -d' ' -f1)
  mkdir -p more && cat > more/20990101_000000_later.sql <<'SQL'
BEGIN;
CREATE TABLE later (id int);
COMMIT;
SQL
  cp more/20990101_000000_later.sql migrations/

  run -3 pg-flux migrate apply --db "$DB"
  assert_output --partial "refusing to apply: $first was changed after it was applied (recorded checksum $old_sum, file now $new_sum)"
  assert_output --partial "pg-flux migrate repair"
  assert_equal "$(table_exists later)" f
  run -1 pg-flux migrate status --db "$DB"
  assert_line --partial "$(basename "$first") applied"
  assert_line --partial "CHANGED"

  run -0 pg-flux migrate repair --db "$DB"
  assert_output --partial "recorded the edited $(basename "$first")"
  run sql_value "$DB" "select checksum from _pgflux.migrations where name = '$(basename "$first")'"
  assert_output "$new_sum"
  run -0 pg-flux migrate apply --db "$DB"
  assert_output --partial "applied 20990101_000000_later.sql"
  refute_output --partial "$(basename "$first")"
  assert_equal "$(table_exists later)" t
}

@test "an applied file that was deleted: status shows MISSING and exits 1" {
  write_schema app.sql <<'SQL'
create table users (id bigint primary key);
SQL
  run -0 pg-flux migrate generate --db "$DB" --label one
  file=$(latest_migration)
  run -0 pg-flux migrate apply --db "$DB"
  rm "$file"
  run -1 pg-flux migrate status --db "$DB"
  assert_output --regexp "^$(basename "$file") applied [0-9: -]+  MISSING"
  run -0 pg-flux migrate repair --db "$DB"
  assert_output --partial "missing"
  run -1 pg-flux migrate status --db "$DB"
  # apply still runs later files, and warns about the missing one.
  cat > migrations/20990101_000000_later.sql <<'SQL'
BEGIN;
CREATE TABLE later (id int);
COMMIT;
SQL
  run --separate-stderr -0 pg-flux migrate apply --db "$DB"
  assert_output --partial "applied 20990101_000000_later.sql"
  [[ "$stderr" == *"warning: $(basename "$file") is recorded as applied but is not in migrations"* ]]
  assert_equal "$(table_exists later)" t
}
