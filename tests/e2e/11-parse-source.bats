#!/usr/bin/env bats
# flux-parse reads schema/ as PostgreSQL would run it: files and statements in
# any order, search_path per file, and the names PostgreSQL itself chooses for
# unnamed constraints, indexes and sequences. Each case checks the model's names
# and that the same SQL, run by psql in an order PostgreSQL accepts, gives a
# database whose snapshot has no difference from the parsed model.
load helpers
bats_require_minimum_version 1.5.0
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# names FILE: one line per object of a model, "kind schema.name" (constraints and
# indexes: "kind schema.name on table"), in the model's order.
names() {
  jq -r '.objects[] | "\(.kind) \(if has("schema") then .schema + "." else "" end)\(.name)\(if has("table") then " on " + .table else "" end)"' "$1"
}

# has_object FILE "kind schema.name[ on table]": the model has that object.
has_object() {
  names "$1" | grep -qxF -- "$2" || { names "$1"; fail "$1 has no object '$2' (objects above)"; }
}

# load_ordered URL: runs ordered.sql (the schema in an order psql accepts).
load_ordered() { psql -X -q -v ON_ERROR_STOP=1 "$1" -f ordered.sql >/dev/null; }

# agrees_with_database: loads ordered.sql into $DB, snapshots it, parses schema/
# without and with a shadow database (warnings, such as truncated names, go to
# stderr and are not part of the models); both models must have no difference from
# the snapshot (flux-diff --exit-code). Leaves live.json, parsed.json, shadow.json.
agrees_with_database() {
  load_ordered "$DB"
  flux-snapshot --db "$DB" > live.json
  run -0 --separate-stderr flux-parse --shadow-db none
  printf '%s\n' "$output" > parsed.json
  run flux-diff --exit-code --format summary live.json parsed.json
  [ "$status" -eq 0 ] || fail "flux-parse --shadow-db none differs from the database (exit $status): $output"
  run -0 --separate-stderr flux-parse --shadow-db "$PGFLUX_ADMIN_URL"
  printf '%s\n' "$output" > shadow.json
  run flux-diff --exit-code --format summary live.json shadow.json
  [ "$status" -eq 0 ] || fail "flux-parse --shadow-db URL differs from the database (exit $status): $output"
}

# --- order ------------------------------------------------------------------------------

@test "files in any order: index and comment files before the tables, FK before the referenced table, ALTER in another file" {
  write_schema 00-indexes.sql <<'SQL'
create index on orders (customer_id);
comment on index orders_customer_id_idx is 'by customer';
SQL
  write_schema 01-comments.sql <<'SQL'
comment on table customers is 'people';
comment on column orders.total is 'sum';
comment on constraint orders_total_check on orders is 'positive';
SQL
  write_schema 02-orders.sql <<'SQL'
create table orders (
  id int primary key,
  customer_id int references customers (id),
  total numeric check (total > 0)
);
SQL
  write_schema 03-customers.sql <<'SQL'
create table customers (id int primary key, email text);
SQL
  write_schema 04-alter.sql <<'SQL'
alter table customers add constraint customers_email_key unique (email);
alter table orders add constraint orders_customer_fk2 foreign key (customer_id) references customers (id) on delete cascade;
SQL
  cat > ordered.sql <<'SQL'
create table customers (id int primary key, email text);
create table orders (
  id int primary key,
  customer_id int references customers (id),
  total numeric check (total > 0)
);
create index on orders (customer_id);
comment on index orders_customer_id_idx is 'by customer';
comment on table customers is 'people';
comment on column orders.total is 'sum';
comment on constraint orders_total_check on orders is 'positive';
alter table customers add constraint customers_email_key unique (email);
alter table orders add constraint orders_customer_fk2 foreign key (customer_id) references customers (id) on delete cascade;
SQL
  agrees_with_database
  has_object parsed.json 'index public.orders_customer_id_idx on orders'
  has_object parsed.json 'constraint public.orders_customer_id_fkey on orders'
  has_object parsed.json 'constraint public.orders_customer_fk2 on orders'
  has_object parsed.json 'constraint public.customers_email_key on customers'
}

@test "statements in any order within one file" {
  write_schema app.sql <<'SQL'
comment on column t.x is 'the x';
create index t_x_idx on t (x);
alter table t add constraint t_x_check check (x <> '');
create table u (id int primary key, t_id int references t);
create table t (id int primary key, x text);
create sequence t_seq owned by t.id;
create type mood as enum ('a', 'b');
alter table t add column m mood;
create schema app;
create table app.z (id int);
SQL
  cat > ordered.sql <<'SQL'
create schema app;
create type mood as enum ('a', 'b');
create table t (id int primary key, x text);
create table u (id int primary key, t_id int references t);
create index t_x_idx on t (x);
alter table t add constraint t_x_check check (x <> '');
comment on column t.x is 'the x';
create sequence t_seq owned by t.id;
alter table t add column m mood;
create table app.z (id int);
SQL
  agrees_with_database
}

@test "file order does not change the model: the same statements in other files give the same state hash" {
  write_schema a.sql <<'SQL'
create table a (id int primary key, b_id int references b);
create index on a (b_id);
SQL
  write_schema b.sql <<'SQL'
create table b (id int primary key, note text check (note <> ''));
comment on table b is 'bee';
SQL
  flux-parse > one.json
  rm schema/*.sql
  write_schema z.sql <<'SQL'
create table a (id int primary key, b_id int references b);
create index on a (b_id);
SQL
  write_schema m/y.sql <<'SQL'
comment on table b is 'bee';
create table b (id int primary key, note text check (note <> ''));
SQL
  flux-parse > two.json
  h1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state_hash"])' one.json)
  h2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state_hash"])' two.json)
  assert_equal "$h1" "$h2"
  run -0 flux-diff --exit-code one.json two.json
}

@test "objects carry the location of the statement that created them" {
  write_schema a.sql <<'SQL'
create table t (id int primary key);

  create index t_id2_idx on t (id);
SQL
  write_schema b.sql <<'SQL'
-- b
alter table t add constraint t_pos check (id > 0);
SQL
  flux-parse > m.json
  run python3 -c '
import json
for o in json.load(open("m.json"))["objects"]:
    loc = o.get("location") or {}
    print(o["name"], "%s:%s:%s" % (loc.get("file"), loc.get("line"), loc.get("column")))
'
  assert_line 't schema/a.sql:1:1'
  assert_line 't_id2_idx schema/a.sql:3:3'
  assert_line --regexp '^t_pos schema/b\.sql:2:[0-9]+$'
}

# --- search_path ---------------------------------------------------------------------------

@test "SET search_path TO app, public applies to the rest of that file only" {
  write_schema a.sql <<'SQL'
create table t (id int primary key, note text);
SQL
  write_schema b.sql <<'SQL'
create schema app;
SET search_path TO app, public;
create type mood as enum ('ok');
create table t (id int primary key, m mood);
create table u (t_id int references t, m mood);
create index on t (m);
comment on table t is 'app t';
alter table t add column extra text;
SQL
  write_schema c.sql <<'SQL'
create table v (t_id int references t);
SQL
  cat > ordered.sql <<'SQL'
create table public.t (id int primary key, note text);
create schema app;
create type app.mood as enum ('ok');
create table app.t (id int primary key, m app.mood);
create table app.u (t_id int references app.t, m app.mood);
create index on app.t (m);
comment on table app.t is 'app t';
alter table app.t add column extra text;
create table public.v (t_id int references public.t);
SQL
  agrees_with_database
  has_object parsed.json 'table app.t'
  has_object parsed.json 'table app.u'
  has_object parsed.json 'enum app.mood'
  has_object parsed.json 'index app.t_m_idx on t'
  has_object parsed.json 'constraint app.u_t_id_fkey on u'
  has_object parsed.json 'table public.t'
  has_object parsed.json 'table public.v'
  run python3 -c '
import json
for o in json.load(open("parsed.json"))["objects"]:
    if o["kind"] == "table" and o["schema"] == "app" and o["name"] == "t":
        print(o["attributes"].get("comment"), [c["name"] for c in o["attributes"]["columns"]])
'
  assert_output "app t ['id', 'm', 'extra']"
}

@test "a file's search_path does not leak into the next file" {
  write_schema a.sql <<'SQL'
create schema app;
set search_path = app;
create table one (id int);
SQL
  write_schema b.sql <<'SQL'
create table two (id int);
SQL
  flux-parse > m.json
  has_object m.json 'table app.one'
  has_object m.json 'table public.two'
}

@test "pg_dump's set_config('search_path', '', false) and session settings: qualified names work" {
  write_schema dump.sql <<'SQL'
--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

CREATE SCHEMA app;

SET default_tablespace = '';
SET default_table_access_method = heap;

CREATE TABLE app.t (
    id integer NOT NULL,
    name text
);

CREATE TABLE public.dumped (
    id integer NOT NULL,
    t_id integer
);

CREATE SEQUENCE public.dumped_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.dumped_id_seq OWNED BY public.dumped.id;

ALTER TABLE ONLY public.dumped ALTER COLUMN id SET DEFAULT nextval('public.dumped_id_seq'::regclass);

ALTER TABLE ONLY app.t
    ADD CONSTRAINT t_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.dumped
    ADD CONSTRAINT dumped_pkey PRIMARY KEY (id);

CREATE INDEX dumped_t_id_idx ON public.dumped USING btree (t_id);

ALTER TABLE ONLY public.dumped
    ADD CONSTRAINT dumped_t_id_fkey FOREIGN KEY (t_id) REFERENCES app.t(id);

COMMENT ON TABLE app.t IS 'from a dump';
SQL
  cp schema/dump.sql ordered.sql
  agrees_with_database
  has_object parsed.json 'table app.t'
  has_object parsed.json 'sequence public.dumped_id_seq'
  has_object parsed.json 'constraint public.dumped_t_id_fkey on dumped'
}

@test "after set_config('search_path', 'app', false) unqualified names go to app" {
  write_schema a.sql <<'SQL'
create schema app;
SELECT pg_catalog.set_config('search_path', 'app', false);
create table t (id int primary key);
create table u (t_id int references t);
SQL
  flux-parse > m.json
  has_object m.json 'table app.t'
  has_object m.json 'constraint app.u_t_id_fkey on u'
}

# --- names PostgreSQL chooses -----------------------------------------------------------

@test "implicit names: pkey, key, fkey, column and multi-column checks, expression index, serial sequence" {
  write_schema app.sql <<'SQL'
create table users (
  id serial primary key,
  email text unique,
  a int check (a > 0),
  b int,
  check (a < b)
);
create table customers (id bigint generated always as identity primary key);
create table orders (
  id bigserial primary key,
  customer_id bigint references customers,
  code text,
  region text,
  unique (code, region)
);
create table t (x text, y text, "Mixed" int);
create index on t (lower(x));
create index on t (x, y);
create index on t ((x || y));
create index on t (lower(x), upper(y));
create index on t ("Mixed");
create unique index on t (y);
SQL
  cp schema/app.sql ordered.sql
  agrees_with_database
  for o in 'constraint public.users_pkey on users' \
           'constraint public.users_email_key on users' \
           'constraint public.users_a_check on users' \
           'constraint public.users_check on users' \
           'sequence public.users_id_seq' \
           'constraint public.customers_pkey on customers' \
           'sequence public.orders_id_seq' \
           'constraint public.orders_customer_id_fkey on orders' \
           'constraint public.orders_code_region_key on orders' \
           'index public.t_lower_idx on t' \
           'index public.t_x_y_idx on t' \
           'index public.t_expr_idx on t' \
           'index public.t_lower_upper_idx on t' \
           'index public.t_Mixed_idx on t' \
           'index public.t_y_idx on t'; do
    has_object parsed.json "$o"
  done
  # the identity's sequence is named like a serial's
  run python3 -c '
import json
for o in json.load(open("parsed.json"))["objects"]:
    if o["name"] == "customers" and o["kind"] == "table":
        print(o["attributes"]["columns"][0]["identity"]["sequence"]["name"])
'
  assert_output customers_id_seq
}

@test "name collisions get the numeric suffix PostgreSQL gives them" {
  write_schema app.sql <<'SQL'
create table u_x_idx (id int);
create table u (x int, y int);
create index on u (x);
create index on u (x);
create table w_pkey (id int);
create table w (id int primary key);
create sequence s_id_seq;
create table s (id serial);
create table k (
  a int check (a > 0),
  constraint k_a_check1 check (a < 100),
  b int check (b > 0),
  check (a > 1)
);
alter table k add check (a > 5);
alter table k add check (a <> b);
alter table k add check (a <> b + 1);
alter table k add unique (a);
create table v (c int check (c > 0) check (c < 10));
SQL
  cp schema/app.sql ordered.sql
  agrees_with_database
  for o in 'index public.u_x_idx1 on u' \
           'index public.u_x_idx2 on u' \
           'constraint public.w_pkey1 on w' \
           'sequence public.s_id_seq1' \
           'constraint public.k_a_check on k' \
           'constraint public.k_a_check1 on k' \
           'constraint public.k_a_check2 on k' \
           'constraint public.k_a_check3 on k' \
           'constraint public.k_check on k' \
           'constraint public.k_check1 on k' \
           'constraint public.k_a_key on k' \
           'constraint public.v_c_check on v' \
           'constraint public.v_c_check1 on v'; do
    has_object parsed.json "$o"
  done
}

@test "two identical UNIQUE clauses in one CREATE TABLE make one constraint, as in PostgreSQL" {
  write_schema app.sql <<'SQL'
create table v (a int, b int, unique (a), unique (a), unique (a, b));
SQL
  cp schema/app.sql ordered.sql
  agrees_with_database
  run -0 sql_value "$DB" "select string_agg(conname, ',' order by conname) from pg_constraint where conrelid = 'v'::regclass"
  assert_output 'v_a_b_key,v_a_key'
}

@test "long names are truncated to 63 bytes, on a UTF-8 character boundary" {
  python3 - <<'PY'
t = 't' + 'x' * 70
c = 'é' * 40
y = 'y' * 70
sql = f'''create table {t} (id serial primary key, "{c}" int unique, {y} int references {t});
create index on {t} ("{c}", {y});
create table "{'ü' * 35}" (a int check (a > 0));
create table short ("{'ö' * 40}" int);
create index on short ("{'ö' * 40}");
'''
open('schema/app.sql', 'w').write(sql)
open('ordered.sql', 'w').write(sql)
PY
  agrees_with_database
  # As PostgreSQL's NOTICE, a warning per long identifier, with file:line:column.
  [[ $stderr == *"warning: schema/app.sql:1:14: identifier \"t$(printf 'x%.0s' {1..70})\" will be truncated to \"t$(printf 'x%.0s' {1..62})\""* ]] ||
    fail "no truncation warning: $stderr"
  run python3 -c '
import json
for o in json.load(open("parsed.json"))["objects"]:
    n = o["name"].encode()
    assert len(n) <= 63, o["name"]
    n.decode("utf-8")  # no split character
    print(o["kind"], len(n))
'
  assert_success
  assert_line 'table 63'
  assert_line 'sequence 63'
  has_object parsed.json "table public.t$(printf 'x%.0s' {1..62})"
  has_object parsed.json "sequence public.t$(printf 'x%.0s' {1..55})_id_seq"
  has_object parsed.json "table public.$(printf 'ü%.0s' {1..31})"
}

@test "quoted identifiers keep their case and characters; unquoted ones fold to lower case" {
  write_schema app.sql <<'SQL'
CREATE TABLE Users (ID int PRIMARY KEY, "Email" text UNIQUE);
CREATE TABLE "Users" ("ID" int PRIMARY KEY);
CREATE INDEX ON Users (ID);
CREATE INDEX ON "Users" ("ID");
SQL
  cp schema/app.sql ordered.sql
  agrees_with_database
  has_object parsed.json 'table public.users'
  has_object parsed.json 'table public.Users'
  has_object parsed.json 'constraint public.users_Email_key on users'
  has_object parsed.json 'constraint public.Users_pkey on Users'
  has_object parsed.json 'index public.users_id_idx on users'
  has_object parsed.json 'index public.Users_ID_idx on Users'
}
