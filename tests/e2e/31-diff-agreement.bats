#!/usr/bin/env bats
# The agreement property: load a schema into a fresh database with psql, and
# flux-snapshot of that database must have no difference from flux-parse of the
# same files (`flux-diff --exit-code` exits 0), both with a shadow database and
# without one (then notes about loose comparisons are allowed on stderr, but no
# step). One test per feature family, so a failure points at the feature.
load helpers
bats_require_minimum_version 1.5.0
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { pgflux_setup; }

# agree: loads schema/*.sql into $DB with psql, then checks both directions of
# parsing against the snapshot. Leaves live.json, shadow.json and parsed.json.
agree() {
  load_and_snapshot
  agree_models
}

# load_and_snapshot: starts the shadow parse (the slow part) in the background,
# loads schema/*.sql into $DB with psql and writes live.json.
load_and_snapshot() {
  flux-parse --shadow-db "$PGFLUX_ADMIN_URL" > shadow.json 2> shadow.err &
  SHADOW_PID=$!
  load_schema "$DB" || fail "psql could not load the schema"
  flux-snapshot --db "$DB" > live.json || fail "flux-snapshot failed"
}

# agree_models: after load_and_snapshot, both parses must agree with live.json.
agree_models() {
  local out
  wait "$SHADOW_PID" || fail "flux-parse --shadow-db \$PGFLUX_ADMIN_URL failed: $(cat shadow.err)"
  agree_with shadow "--shadow-db \$PGFLUX_ADMIN_URL"
  if ! out=$(flux-parse --shadow-db none 2>&1 > parsed.json); then
    fail "flux-parse --shadow-db none failed: $out"
  fi
  agree_with parsed "--shadow-db none"
}

# agree_with NAME HOW: flux-diff --exit-code live.json NAME.json must exit 0
# with no step (HOW says how NAME.json was parsed).
agree_with() {
  run --separate-stderr flux-diff --exit-code --format summary live.json "$1.json"
  if [ "$status" -ne 0 ] || [ -n "$output" ]; then
    fail "flux-parse $2 differs from the loaded database (flux-diff exit $status):
$output
$stderr"
  fi
}

# live_attr JQ-LIKE: prints a value of live.json computed by a python expression
# over `objs` (a dict (kind, name) -> attributes).
live_attr() {
  python3 -c "import json
objs = {(o['kind'], o['name']): o['attributes'] for o in json.load(open('live.json'))['objects']}
print($1)"
}

# --- column types ------------------------------------------------------------------------

@test "integer, numeric and floating point types" {
  write_schema app.sql <<'SQL'
create table nums (
  a integer, b bigint, c smallint, d int4, e int8, f int2, g int,
  h numeric(10,2), i numeric, j numeric(5), k decimal(12,4), l numeric(3, -1),
  m real, n double precision, o float4, p float8, q float(10), r float(40), s float
);
SQL
  agree
  run -0 live_attr "[c['type'] for c in objs[('table', 'nums')]['columns']]"
  assert_output "['integer', 'bigint', 'smallint', 'integer', 'bigint', 'smallint', 'integer', 'numeric(10,2)', 'numeric', 'numeric(5,0)', 'numeric(12,4)', 'numeric(3,-1)', 'real', 'double precision', 'real', 'double precision', 'real', 'double precision', 'double precision']"
}

# bats test_tags=long
@test "character, binary and boolean types" {
  write_schema app.sql <<'SQL'
create table chars (
  a varchar(20), b character varying, c char(3), d character(1), e char, f text,
  g bytea, h boolean, i bool, j "char", k name, l national character varying(5), m nchar(2)
);
SQL
  agree
}

@test "date and time types with precision, interval and interval fields" {
  write_schema app.sql <<'SQL'
create table times (
  a date, b time, c time(3), d timetz, e time(2) with time zone, f time without time zone,
  g timestamp, h timestamp(0), i timestamptz, j timestamp(6) with time zone, k timestamp without time zone,
  l interval, m interval year to month, n interval day to second(3), o interval hour, p interval(2),
  q interval minute to second, r interval day, s interval year
);
SQL
  agree
}

# bats test_tags=long
@test "uuid, json, jsonb, network, money, bit strings, geometry, text search and range types" {
  write_schema app.sql <<'SQL'
create table misc (
  a uuid, b json, c jsonb, d inet, e cidr, f macaddr, g macaddr8, h money,
  i bit(8), j bit varying(16), k varbit, l bit,
  m point, n circle, o box, p line, q lseg, r polygon, s path,
  t tsvector, u tsquery, v int4range, w tsrange, x tstzrange, y daterange, z numrange, aa int8range,
  ab xml, ac oid, ad pg_lsn, ae int4multirange
);
SQL
  agree
}

@test "arrays of several element types" {
  write_schema app.sql <<'SQL'
create table arrays (
  a integer[], b text[], c varchar(10)[], d numeric(6,2)[], e timestamptz[], f int[][],
  g uuid[], h jsonb[], i boolean array, j int array[3], k char(2)[], l int4range[], m bit(4)[]
);
SQL
  agree
  run -0 live_attr "[c['type'] for c in objs[('table', 'arrays')]['columns']]"
  assert_output "['integer[]', 'text[]', 'character varying(10)[]', 'numeric(6,2)[]', 'timestamp with time zone[]', 'integer[]', 'uuid[]', 'jsonb[]', 'boolean[]', 'integer[]', 'character(2)[]', 'int4range[]', 'bit(4)[]']"
}

# bats test_tags=long
@test "serial, bigserial and smallserial (and their aliases)" {
  write_schema app.sql <<'SQL'
create table s1 (a serial, b bigserial, c smallserial, d serial4, e serial8, f serial2);
create table s2 (id serial primary key, other bigserial not null unique);
SQL
  agree
  run -0 live_attr "sorted(n for (k, n) in objs if k == 'sequence')"
  assert_output "['s1_a_seq', 's1_b_seq', 's1_c_seq', 's1_d_seq', 's1_e_seq', 's1_f_seq', 's2_id_seq', 's2_other_seq']"
}

@test "user enums, enum arrays and enum defaults, in several schemas" {
  write_schema app.sql <<'SQL'
create type mood as enum ('sad', 'ok', 'happy');
create type "Status" as enum ('new', 'in progress', 'it''s done', 'ÜBER');
create schema app;
create type app.level as enum ();
create type app.mood as enum ('x');
create table people (
  m mood, ms mood[], s "Status" not null default 'new', l app.level, m2 mood default 'ok'::mood,
  am app.mood default 'x', ams app.mood[] default '{x}', mss mood[] default array['ok'::mood]
);
SQL
  agree
}

# bats test_tags=long
@test "domains, composite and range types, in several schemas, used by columns, with comments" {
  write_schema types.sql <<'SQL'
create schema app;
create type mood as enum ('sad', 'ok');
create function is_even(i integer) returns boolean language sql immutable as 'select i % 2 = 0';
create domain pos as integer default 1 not null constraint pos_positive check (value > 0) check (value < 1000)
  check (is_even(value));
create domain app.email as varchar(200) collate "C" check (value ~ '@');
alter domain app.email add constraint email_len check (length(value) < 100);
comment on domain pos is 'positive';
comment on constraint pos_positive on domain pos is 'must be positive';
create domain moods as mood[];
comment on type moods is 'domain commented with COMMENT ON TYPE';
create type app.pair as (a integer, b text collate "C", m mood, p pos, e app.email);
comment on type app.pair is 'a pair';
comment on column app.pair.a is 'first';
create type floatrange as range (subtype = float8, subtype_diff = float8mi);
create type app.textr as range (subtype = text, collation = "C", multirange_type_name = app.texts);
comment on type floatrange is 'floats';
create table t (id pos primary key, e app.email, p app.pair, ps app.pair[], r floatrange, mr floatmultirange,
  tr app.textr[], ts app.texts, m moods default '{sad}');
create function app.lowest(m app.texts) returns text language sql as 'select lower(m)';
SQL
  agree
  assert_equal "$(live_attr "sorted(objs[('domain', 'pos')]['checks'])")" "['pos_check', 'pos_check1', 'pos_positive']"
  assert_equal "$(live_attr "objs[('range_type', 'textr')]['multirange']")" "texts"
  assert_equal "$(live_attr "[a['name'] for a in objs[('composite_type', 'pair')]['attributes']]")" "['a', 'b', 'm', 'p', 'e']"
}

# --- defaults --------------------------------------------------------------------------------

@test "DEFAULT literals, functions and expressions" {
  write_schema app.sql <<'SQL'
create type mood as enum ('ok', 'bad');
create table d (
  a int default 0, b int default -1, c text default 'x', d text default '', e boolean default true,
  f boolean default false, g numeric default 1.5, h timestamptz default now(),
  i timestamptz default current_timestamp, j date default current_date, k jsonb default '{}'::jsonb,
  l json default '[]', m text[] default '{}', n int[] default array[1,2],
  p timestamp default timezone('UTC', now()), q uuid default gen_random_uuid(),
  s text default current_user, t interval default '1 day', u varchar(10) default 'abc',
  v int default 2 + 3 * 4, w text default lower('ABC'), x double precision default random(),
  z numeric(10,2) default 0, aa char(2) default 'ab', ac bytea default '\x00', ad inet default '127.0.0.1',
  ae int not null default 1, af timestamp(3) default localtimestamp, ag time default current_time,
  ah text default 'it''s', ai date default '2020-01-02', aj numeric default -0.5,
  ak bigint default 9223372036854775807, al text default 'a' || 'b', am mood default 'ok',
  an mood[] default '{ok}', ao int default length('abc'), ar text default E'tab\there',
  at_ smallint default 3, au timestamptz default now() + interval '1 day', aw int default -(-1),
  az text default case when random() > 0.5 then 'a' else 'b' end, bb text default coalesce(null, 'x'),
  bc text default current_schema, bd timestamp(0) default current_timestamp(0),
  be int default extract(year from now()), bf jsonb default '{"a": [1, 2]}', bg timestamptz default statement_timestamp()
);
SQL
  agree
}

# bats test_tags=long
@test "DEFAULT nextval() of a sequence (unqualified, and with ::regclass)" {
  write_schema app.sql <<'SQL'
create sequence d_seq;
create sequence e_seq;
create table d (
  r bigint default nextval('d_seq'),
  s bigint not null default nextval('e_seq'::regclass)
);
SQL
  agree
}

@test "DEFAULT NULL is no default, as in PostgreSQL" {
  write_schema app.sql <<'SQL'
create table d (a text default null, b int default null not null, c timestamptz default NULL::timestamptz);
SQL
  agree
  run -0 live_attr "[c.get('default') for c in objs[('table', 'd')]['columns']]"
  assert_output "[None, None, None]"
}

# bats test_tags=long
@test "DEFAULT and generated expressions with AT TIME ZONE" {
  write_schema app.sql <<'SQL'
create table tz (
  ts timestamptz,
  a timestamp default (now() at time zone 'utc'),
  b date default (now() at time zone 'UTC')::date,
  c timestamp generated always as (ts at time zone 'Europe/Paris') stored,
  d date generated always as ((ts at time zone 'UTC')::date) stored
);
SQL
  agree
}

@test "DEFAULT literals PostgreSQL rewrites when it stores them (1e3, 't', B'101', 'NaN', 1.50)" {
  write_schema app.sql <<'SQL'
create table lits (
  a numeric default 1e3, b boolean default 't', d bit(3) default B'101', e float8 default 'NaN',
  f real default 1.50
);
SQL
  agree
}

# bats test_tags=long
@test "literals only the server can normalize (interval '2 hours') agree with a shadow database" {
  # Without a shadow, pg-flux cannot know that '2 hours' is stored as
  # '02:00:00'; with one (the default), the forms agree.
  write_schema app.sql <<'SQL'
create table lits2 (c interval default interval '2 hours', g interval default '90 minutes');
SQL
  load_and_snapshot
  wait "$SHADOW_PID" || fail "flux-parse --shadow-db failed: $(cat shadow.err)"
  agree_with shadow "--shadow-db \$PGFLUX_ADMIN_URL"
}

# --- NOT NULL, identity, generated, collation, unlogged --------------------------------------

@test "NOT NULL and identity columns with sequence options" {
  write_schema app.sql <<'SQL'
create table i1 (
  a int generated always as identity,
  b bigint generated by default as identity,
  c smallint generated always as identity primary key,
  n text not null, m int null
);
create table i2 (a bigint generated by default as identity (start with 100 increment by 10 minvalue 50 maxvalue 100000 cache 20 cycle));
create table i3 (a int generated always as identity (start 5 increment -1 minvalue -100 maxvalue 5 no cycle));
create table i4 (a int not null);
alter table i4 alter column a add generated always as identity (start 7);
create table i5 (a int generated always as identity (sequence name i5_custom_seq start 3));
SQL
  agree
  run -0 live_attr "objs[('table', 'i2')]['columns'][0]['identity']"
  assert_output "{'always': False, 'sequence': {'cache': 20, 'cycle': True, 'increment': 10, 'max_value': 100000, 'min_value': 50, 'name': 'i2_a_seq', 'start': 100}}"
}

# bats test_tags=long
@test "generated stored columns" {
  write_schema app.sql <<'SQL'
create table g (
  w numeric, h numeric,
  area numeric generated always as (w * h) stored,
  first text, last text,
  full_name text generated always as (first || ' ' || last) stored,
  lower_first text generated always as (lower(first)) stored,
  n int, twice int generated always as (n * 2) stored,
  j jsonb, k text generated always as (j ->> 'k') stored
);
SQL
  agree
}

@test "COLLATE \"C\", POSIX, user collations (icu and libc, in another schema) and UNLOGGED tables" {
  write_schema app.sql <<'SQL'
create collation ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
create collation c2 (provider = libc, lc_collate = 'C', lc_ctype = 'C');
create schema s;
create collation s.german (provider = icu, locale = 'de-DE');
create table c (
  a text collate "C", b varchar(10) collate "POSIX", c text collate ci, d text collate c2,
  e text collate s.german, f text collate "default", g text[] collate "C"
);
create unlogged table ul (id int primary key, x text);
create index on c (a collate "POSIX");
SQL
  agree
}

# --- constraints -----------------------------------------------------------------------------

# bats test_tags=long
@test "PRIMARY KEY and UNIQUE: composite, named, NULLS NOT DISTINCT, DEFERRABLE, INCLUDE" {
  write_schema app.sql <<'SQL'
create table pk1 (id int primary key);
create table pk2 (a int, b text, primary key (a, b));
create table pk3 (id int, constraint "Custom PK" primary key (id) include (x), x int);
create table u1 (
  a int unique, b int, c int, d int, e text, f text,
  unique nulls not distinct (b),
  constraint u1_cd unique (c, d) deferrable initially deferred,
  constraint u1_c_dfr unique (c) deferrable,
  constraint u1_e_inc unique (e) include (f)
);
alter table u1 add constraint u1_late unique (f, e);
SQL
  agree
}

@test "PRIMARY KEY and UNIQUE WITH (fillfactor) keep their storage parameters" {
  write_schema app.sql <<'SQL'
create table pk3 (id int, constraint "Custom PK" primary key (id) with (fillfactor = 70));
create table u1 (f text, constraint u1_f_ff unique (f) with (fillfactor = 80));
SQL
  load_and_snapshot
  # the snapshot must see the storage parameters of the constraints' indexes
  run -0 live_attr "(objs[('constraint', 'Custom PK')].get('index_options'), objs[('constraint', 'u1_f_ff')].get('index_options'))"
  assert_output "(['fillfactor=70'], ['fillfactor=80'])"
  agree_models
}

# bats test_tags=long
@test "CHECK: column and table level, NO INHERIT, multi-column, IN lists, functions, regex" {
  write_schema app.sql <<'SQL'
create table ck (
  a int check (a > 0), b int check (b > 0) no inherit, c text check (c in ('x', 'y', 'z')),
  d int, e int, check (d < e), constraint ck_named check (d is not null or e is not null),
  g text check (length(g) <= 10), h int check (h <> all (array[1,2])), i text check (i ~ '^[a-z]+$'),
  j date check (j > '2000-01-01'), k varchar(5) check (k <> ''), l int check (l not in (3, 4)),
  m numeric check (m >= 0 and m < 100.5), n text check (n is null or n <> 'a')
);
alter table ck add constraint ck_late check (a + b > 0) no inherit;
SQL
  agree
  run -0 live_attr "(objs[('constraint', 'ck_b_check')]['no_inherit'], objs[('constraint', 'ck_late')]['no_inherit'])"
  assert_output '(True, True)'
}

@test "CHECK with BETWEEN and LIKE (PostgreSQL stores them as other operators)" {
  write_schema app.sql <<'SQL'
create table ck (
  f numeric check (f between 0 and 100), g int check (g not between 1 and 2),
  n text check (n like 'a%'), o text check (o not ilike '%x%')
);
SQL
  agree
}

# bats test_tags=long
@test "FOREIGN KEY: actions, MATCH FULL, DEFERRABLE, self-reference, composite, column REFERENCES without a column list" {
  write_schema app.sql <<'SQL'
create table parent (id int primary key, code text unique, a int, b int, unique (a, b));
create table child (
  id int primary key,
  p1 int references parent,
  p2 int references parent (id) on delete cascade,
  p3 int references parent on delete set null on update cascade,
  p4 int references parent on delete restrict on update restrict,
  p5 int references parent on delete set default,
  p6 int references parent on delete no action on update set null,
  c text references parent (code) match full,
  a int, b int,
  foreign key (a, b) references parent (a, b) match full on delete cascade,
  constraint child_deferred foreign key (p1) references parent deferrable initially deferred,
  constraint child_dfr2 foreign key (p2) references parent deferrable initially immediate,
  parent_child int references child (id)
);
create table tree (id bigint primary key, parent_id bigint references tree);
create table tree2 (a int, b int, pa int, pb int, primary key (a, b), foreign key (pa, pb) references tree2);
create table fkd (p int, q int, foreign key (p) references parent (id) on delete set null (p));
create schema other;
create table other.ref (id int primary key, parent_id int references public.parent);
SQL
  agree
}

@test "EXCLUDE USING gist with btree_gist" {
  write_schema app.sql <<'SQL'
create extension btree_gist;
comment on extension btree_gist is 'gist for scalars';
create table booking (
  room int, during tsrange, who text,
  exclude using gist (room with =, during with &&),
  constraint no_same_who exclude using gist (who with =) where (room > 0)
);
create table circ (c circle, exclude using gist (c with &&) deferrable initially deferred);
SQL
  agree
  run -0 live_attr "sorted(n for (k, n) in objs if k == 'constraint')"
  assert_output "['booking_room_during_excl', 'circ_c_excl', 'no_same_who']"
}

# --- indexes ---------------------------------------------------------------------------------

# bats test_tags=long
@test "indexes: unique, partial, expression, multi-column, INCLUDE, opclasses, DESC NULLS LAST, NULLS FIRST, COLLATE" {
  write_schema app.sql <<'SQL'
create table t (id int primary key, a text, b text, c int, d jsonb, f varchar(100), g timestamptz, j text collate "C");
create unique index t_a_uq on t (a);
create unique index t_c_partial on t (c) where c > 0 and a is not null;
create index t_lower_idx on t (lower(a));
create index t_expr on t ((a || b), (c + 1));
create index t_multi on t (a, b, c);
create index t_incl on t (c) include (a, b);
create index t_vpo on t (f varchar_pattern_ops);
create index t_tpo on t (a text_pattern_ops);
create index t_desc on t (g desc nulls last);
create index t_nf on t (c nulls first);
create index t_desc2 on t (c desc, a asc nulls first);
create index t_coll on t (a collate "C");
create unique index t_nnd on t (b) nulls not distinct;
create index on t (c) where (d ->> 'k') = 'v';
create index t_j on t (j);
create unique index t_expr_partial on t (lower(b)) where b is not null;
SQL
  agree
}

@test "index methods hash, gin (jsonb_path_ops, tsvector, trigram), gist, brin and storage parameters" {
  write_schema app.sql <<'SQL'
create extension pg_trgm;
comment on extension pg_trgm is 'trigrams';
create table t (a text, d jsonb, e tsvector, g timestamptz, h point, i int4range, c int);
create index t_hash on t using hash (a);
create index t_gin on t using gin (d jsonb_path_ops);
create index t_gin2 on t using gin (d);
create index t_gin_ts on t using gin (e);
create index t_gin_expr on t using gin (to_tsvector('english', a));
create index t_trgm on t using gin (a gin_trgm_ops);
create index t_gist on t using gist (h);
create index t_gist_r on t using gist (i);
create index t_brin on t using brin (g) with (pages_per_range = 32);
create index t_ff on t (c) with (fillfactor = 70);
create index t_gin_fu on t using gin (d) with (fastupdate = off);
create index t_btree on t using btree (c) with (deduplicate_items = off);
SQL
  agree
}

# --- sequences, extensions, schemas, comments -------------------------------------------------

# bats test_tags=long
@test "standalone sequences with options, OWNED BY, in other schemas" {
  write_schema app.sql <<'SQL'
create sequence s_plain;
create sequence s_opts as integer start with 100 increment by 5 minvalue 10 maxvalue 100000 cache 10 cycle;
create sequence s_desc increment by -1;
create sequence s_small as smallint;
create sequence s_bnd minvalue 0 maxvalue 10 start 0;
create sequence s_big as bigint no minvalue no maxvalue;
create table sowner (x int);
alter sequence s_plain owned by sowner.x;
create schema other;
create sequence other.s2 start 42 no cycle owned by none;
create table other.o (id int);
create sequence other.s3 owned by other.o.id;
SQL
  agree
}

@test "a sequence owned by the column whose default uses it (pg_dump style)" {
  write_schema app.sql <<'SQL'
create sequence s_owned;
create table owner_t (id bigint not null default nextval('public.s_owned'::regclass));
alter sequence s_owned owned by owner_t.id;
SQL
  agree
}

# bats test_tags=long
@test "extensions: citext, btree_gist, hstore WITH SCHEMA, with their default comments" {
  write_schema app.sql <<'SQL'
create extension citext;
create extension btree_gist;
create schema ext;
create extension hstore with schema ext;
create table e (a citext, b ext.hstore, c citext[]);
SQL
  agree
  run -0 live_attr "sorted(n for (k, n) in objs if k == 'extension')"
  assert_output "['btree_gist', 'citext', 'hstore']"
  # a comment changed in the database is still a difference, with or without a shadow
  sql "$DB" "comment on extension citext is 'changed by hand'"
  flux-snapshot --db "$DB" > live2.json
  run -1 --separate-stderr flux-diff --exit-code --format summary live2.json shadow.json
  assert_output 'COMMENT ON EXTENSION citext'
  run -1 --separate-stderr flux-diff --exit-code --format summary live2.json parsed.json
  assert_output 'COMMENT ON EXTENSION citext'
}

@test "extension with a comment of its own and a pinned version" {
  write_schema app.sql <<'SQL'
create extension citext version '1.6';
comment on extension citext is 'case-insensitive text';
create table e (a citext unique);
SQL
  agree
}

# bats test_tags=long
@test "schemas, with objects of every kind in them" {
  write_schema app.sql <<'SQL'
create schema app;
create schema "Other Schema";
create schema empty;
create type app.mood as enum ('a');
create sequence app.s;
create table app.t (id int primary key, m app.mood, x int default nextval('app.s'));
create table "Other Schema".u (id int references app.t, n text);
create index on "Other Schema".u (n);
SQL
  agree
}

@test "COMMENT ON table, column, index, constraint, sequence, type, schema, extension" {
  write_schema app.sql <<'SQL'
create schema app;
comment on schema app is 'the app';
create extension citext;
comment on extension citext is 'case-insensitive';
create type app.mood as enum ('a', 'b');
comment on type app.mood is 'how one feels';
create sequence app.counter;
comment on sequence app.counter is 'counts';
create table app.t (id int primary key, x text check (x <> ''), y citext, z int);
comment on table app.t is 'a table';
comment on column app.t.x is 'the x';
comment on column app.t.id is 'it''s the id';
comment on column app.t.z is E'two\nlines';
create index t_x_idx on app.t (x);
comment on index app.t_x_idx is 'x lookups';
comment on constraint t_x_check on app.t is 'not empty';
comment on constraint t_pkey on app.t is 'pk';
comment on column app.t.y is 'ünïcödé';
SQL
  agree
  run -0 live_attr "(objs[('constraint', 't_pkey')]['comment'], objs[('index', 't_x_idx')]['comment'], objs[('enum', 'mood')]['comment'])"
  assert_output "('pk', 'x lookups', 'how one feels')"
}

# bats test_tags=long
@test "identifiers needing quotes: mixed case, spaces, embedded quotes, reserved words, non-ASCII" {
  write_schema app.sql <<'SQL'
create schema "My Schema";
create table "My Schema"."Users" (
  "ID" int primary key, "Full Name" text, "quote""d" int, "user" text, "order" int,
  "select" int, "café" text, "MiXeD" int unique, "check" int check ("check" > 0)
);
create table "user" (id int primary key, "group" int);
create table "order" (id int primary key, "user" int references "user", "from" date);
create index "Idx Full" on "My Schema"."Users" ("Full Name");
create index on "My Schema"."Users" ("café");
create index on "My Schema"."Users" (lower("Full Name"));
create index on "order" ("from", "user");
create type "My Schema"."Mood Type" as enum ('ok');
create table "café" ("crème brûlée" int check ("crème brûlée" > 0), m "My Schema"."Mood Type");
create sequence "My Schema"."Seq ""X""";
create table "Tab""le" ("Col""umn" serial primary key);
comment on table "My Schema"."Users" is 'users';
comment on column "café"."crème brûlée" is 'dessert';
SQL
  agree
  run -0 live_attr "sorted(n for (k, n) in objs if k == 'table')"
  assert_output "['Tab\"le', 'Users', 'café', 'order', 'user']"
}

@test "a realistic application schema in several files and schemas" {
  write_schema 00-base.sql <<'SQL'
create extension if not exists citext;
create schema if not exists billing;
create type order_status as enum ('new', 'paid', 'shipped', 'cancelled');
SQL
  write_schema 10-users.sql <<'SQL'
create table users (
  id bigint generated always as identity primary key,
  email citext not null unique,
  name varchar(200) not null,
  created_at timestamptz not null default now(),
  settings jsonb not null default '{}'::jsonb,
  tags text[] not null default '{}'
);
create index users_created_at_idx on users (created_at desc);
comment on table users is 'registered users';
SQL
  write_schema 20-orders.sql <<'SQL'
create table orders (
  id bigserial primary key,
  user_id bigint not null references users on delete cascade,
  status order_status not null default 'new',
  total numeric(12,2) not null check (total >= 0),
  placed_at timestamptz default current_timestamp,
  note text
);
create index on orders (user_id, placed_at);
create index orders_open_idx on orders (placed_at) where status in ('new', 'paid');
SQL
  write_schema 30-billing.sql <<'SQL'
set search_path to billing, public;
create table invoices (
  id uuid primary key default gen_random_uuid(),
  order_id bigint not null references public.orders (id),
  amount numeric(12,2) not null,
  issued date not null default current_date,
  unique (order_id)
);
comment on column invoices.amount is 'in EUR';
SQL
  agree
}

# --- views, routines, triggers, rules, policies ----------------------------------------
# A shadow database gives PostgreSQL's own text of queries, bodies and
# expressions; without one, the objects that compare loosely are named in notes.

# agree_with_shadow: loads schema/*.sql and checks the shadow parse only.
agree_with_shadow() {
  load_and_snapshot
  wait "$SHADOW_PID" || fail "flux-parse --shadow-db \$PGFLUX_ADMIN_URL failed: $(cat shadow.err)"
  agree_with shadow "--shadow-db \$PGFLUX_ADMIN_URL"
}

# bats test_tags=long
@test "views: column lists, options, check options, recursive, views on views, joins, aggregates, column comments and defaults" {
  write_schema a.sql <<'SQL'
create schema app;
create table app.emp (id int primary key, name text, salary numeric(10,2), dept text, boss int);
create view app.rich (who, pay) with (security_barrier) as select name, salary from app.emp where salary > 1000;
create view app.by_dept as
  select dept, count(*) as n, avg(salary) filter (where salary > 0) as avg_pay
  from app.emp group by dept having count(*) > 1 order by n desc;
create view app.cheap as select * from app.emp where salary < 100 with local check option;
create view app.cheaper with (security_invoker = true) as select * from app.cheap where salary < 10 with cascaded check option;
create recursive view app.chain (id, boss) as
  select id, boss from app.emp where boss is null union all select e.id, e.boss from app.emp e join chain c on e.boss = c.id;
create view app.names as select e.name, b.name as boss_name from app.emp e left join app.emp b on b.id = e.boss
  where e.name like 'a%' and e.dept in ('x', 'y');
alter view app.names alter column boss_name set default 'nobody';
comment on view app.names is 'who reports to whom';
comment on column app.names.name is 'the employee';
SQL
  agree_with_shadow
  run -0 live_attr "objs[('view', 'rich')]['options'], [c['name'] for c in objs[('view', 'rich')]['columns']]"
  assert_output "['security_barrier=true'] ['who', 'pay']"
}

@test "materialized views: WITH NO DATA, storage parameters, indexes on them, comments" {
  write_schema a.sql <<'SQL'
create table t (id int primary key, v int);
create materialized view mv with (fillfactor = 70) as select v, count(*) as n from t group by v with no data;
create unique index mv_v on mv (v);
create index mv_n on mv (n desc) where n > 1;
comment on materialized view mv is 'counts';
comment on column mv.n is 'how many';
SQL
  agree_with_shadow
}

# bats test_tags=long
@test "functions and procedures: bodies, attributes, SET, RETURNS TABLE, SETOF, OUT/INOUT/VARIADIC, defaults, overloads" {
  write_schema a.sql <<'SQL'
create table t (id int primary key, v int);
create function total() returns bigint language sql stable as 'select sum(v) from t';
create function bump(x int, by int default 1) returns int language plpgsql immutable strict leakproof parallel safe
  cost 7 set search_path = public, pg_temp set work_mem = '64MB' as $$ begin return x + by; end $$;
create function twice(x int) returns int language sql immutable return x * 2;
create function ids(min_id int) returns setof int language sql stable rows 20 begin atomic select id from t where id >= min_id; end;
create function pairs(out a int, inout b text, variadic rest int[]) language sql as 'select 1, b';
create function rows_of(n int) returns table (id int, label text) language sql as 'select g, g::text from generate_series(1, n) g';
create function area(r float8) returns float8 language sql immutable return pi() * r * r;
create function area(w float8, h float8) returns float8 language sql immutable return w * h;
create function secret() returns text language sql security definer as $$select 'x'$$;
create function greet(name text default 'world', punctuation text default '!') returns text language sql
  return 'hello ' || name || punctuation;
create procedure note(m text, inout n int default 0) language plpgsql as $$ begin n := n + 1; end $$;
create procedure clear() language sql begin atomic delete from t; end;
create aggregate total_of(int) (sfunc = int4pl, stype = int, initcond = '0');
comment on function twice(int) is 'doubles';
comment on procedure clear() is 'empties t';
comment on aggregate total_of(int) is 'sum';
SQL
  agree_with_shadow
  # Bodies in strings compare exactly without a shadow database too.
  flux-parse --shadow-db none > parsed.json
  run --separate-stderr flux-diff --exit-code --format summary live.json parsed.json
  refute_output --partial 'FUNCTION bump'
  refute_output --partial 'FUNCTION total'
}

@test "triggers, event triggers, rules, row-level security and policies" {
  write_schema a.sql <<'SQL'
create table emp (id int primary key, name text, salary int, modified timestamptz);
create table raises (id int);
create function touch() returns trigger language plpgsql as $$ begin new.modified := now(); return new; end $$;
create trigger emp_touch before insert or update of salary, name on emp for each row
  when (new.salary is not null) execute function touch();
create trigger emp_audit after update on emp referencing old table as old_rows new table as new_rows
  for each statement execute function touch('x', 'y');
create constraint trigger emp_check after insert on emp deferrable initially deferred for each row execute function touch();
alter table emp disable trigger emp_audit;
comment on trigger emp_touch on emp is 'stamps rows';
create function on_ddl() returns event_trigger language plpgsql as $$ begin end $$;
create event trigger ddl_log on ddl_command_end when tag in ('CREATE TABLE', 'DROP TABLE') execute function on_ddl();
alter event trigger ddl_log disable;
create view emp_v as select id, name from emp;
create rule emp_v_del as on delete to emp_v do instead delete from emp where id = old.id;
create rule emp_log as on update to emp where new.salary > 100 do also insert into raises values (new.id);
alter table emp enable row level security;
alter table emp force row level security;
create policy readers on emp for select using (salary < 100);
create policy writers on emp as restrictive for insert with check (salary >= 0 and name <> '');
comment on policy readers on emp is 'who reads';
SQL
  agree_with_shadow
}
