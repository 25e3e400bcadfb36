#!/usr/bin/env bats
# Round trips of domains, composite types and range types: created and dropped
# with the columns that use them, changed in place, recreated (with the rows of
# the tables using them kept), commented. From a database loaded with BEFORE,
# generate + apply reach AFTER; drift finds nothing; the catalog is what AFTER says (see roundtrip.bash).
load helpers
load roundtrip
setup_file() {
  pgflux_setup_file
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "CREATE ROLE types_owner; CREATE ROLE types_user;"
}
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

# domain_def URL DOMAIN: base type|not null|default|checks (name=def, sorted).
domain_def() { q "$1" "select concat_ws('|', format_type(t.typbasetype, t.typtypmod), case when t.typnotnull then 'not null' else 'null' end,
  coalesce(pg_get_expr(t.typdefaultbin, 0), '-'),
  (select string_agg(conname || '=' || pg_get_constraintdef(c.oid), ',' order by conname) from pg_constraint c where c.contypid = t.oid))
  from pg_type t where t.oid = \$d\$$2\$d\$::regtype"; }
# type_attributes URL TYPE: name type, ... of a composite type in row order.
type_attributes() { q "$1" "select string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' order by attnum)
  from pg_attribute where attrelid = (select typrelid from pg_type where oid = \$t\$$2\$t\$::regtype) and attnum > 0 and not attisdropped"; }
# --- domains ---------------------------------------------------------------------------

# bats test_tags=long
@test "domain: create one for an existing column and a new one / drop them again" {
  roundtrip_both domain_create \
    "create table person (id integer primary key, email text);" \
    "create function valid_code(c text) returns boolean language sql immutable as \$\$select c like 'id\\_%'\$\$;
     create domain email as text check (value ~ '@');
     create domain code as text not null check (valid_code(value));
     comment on domain email is 'an address';
     create table person (id integer primary key, email email, c code default 'id_1');" \
    "insert into person values (1, 'a@b'), (2, null);"
  file_has "$FWD_FILE" '^CREATE DOMAIN public\.email AS text'
  file_has "$FWD_FILE" 'ALTER COLUMN email TYPE public\.email'
  assert_equal "$(col_type "$FWD" person email)" "email"
  assert_equal "$(col_type "$FWD" person c)" "code"
  assert_equal "$(domain_def "$FWD" email)" "text|null|-|email_check=CHECK ((VALUE ~ '@'::text))"
  assert_equal "$(domain_def "$FWD" code)" "text|not null|-|code_check=CHECK (valid_code(VALUE))"
  assert_equal "$(described "$FWD" pg_type "'email'::regtype")" "an address"
  assert_equal "$(q "$FWD" "select string_agg(id || ':' || coalesce(email, '-') || ':' || c, ',' order by id) from person")" "1:a@b:id_1,2:-:id_1"
  run psql -X -q "$FWD" -c "insert into person values (3, 'nope')"
  [ "$status" -ne 0 ]
  assert_equal "$(col_type "$BACK" person email)" "text"
  assert_equal "$(q "$BACK" "select count(*) from pg_type where typtype = 'd' and typnamespace = 'public'::regnamespace")" "0"
  assert_equal "$(q "$BACK" "select string_agg(id || ':' || coalesce(email, '-'), ',' order by id) from person")" "1:a@b,2:-"
}

# bats test_tags=long
@test "domain: default, NOT NULL, CHECKs added, changed and dropped, comments, in place" {
  roundtrip_both domain_alter \
    "create domain rating as integer check (value >= 1 and value <= 5);
     comment on domain rating is 'stars';
     create table review (id integer primary key, r rating);" \
    "create domain rating as integer default 3 not null
       constraint rating_range check (value between 1 and 10);
     alter domain rating add check (value <> 7);
     comment on domain rating is 'how many stars';
     comment on constraint rating_range on domain rating is 'one to ten';
     create table review (id integer primary key, r rating);" \
    "insert into review values (1, 4), (2, 5);"
  file_lacks "$FWD_FILE" 'DROP DOMAIN|RENAME'
  file_has "$FWD_FILE" 'ALTER DOMAIN public\.rating ADD CONSTRAINT rating_range CHECK .* NOT VALID;'
  file_has "$FWD_FILE" 'ALTER DOMAIN public\.rating VALIDATE CONSTRAINT rating_range;'
  file_has "$FWD_FILE" 'ALTER DOMAIN public\.rating SET NOT NULL;'
  assert_equal "$(domain_def "$FWD" rating)" "integer|not null|3|rating_check=CHECK ((VALUE <> 7)),rating_range=CHECK (((VALUE >= 1) AND (VALUE <= 10)))"
  assert_equal "$(described "$FWD" pg_type "'rating'::regtype")" "how many stars"
  assert_equal "$(described "$FWD" pg_constraint "(select oid from pg_constraint where conname = 'rating_range')")" "one to ten"
  assert_equal "$(q "$FWD" "insert into review (id) values (3) returning r")" "3"
  file_lacks "$BACK_FILE" 'DROP DOMAIN|RENAME'
  file_has "$BACK_FILE" 'ALTER DOMAIN public\.rating DROP CONSTRAINT rating_range;'
  file_has "$BACK_FILE" 'ALTER DOMAIN public\.rating DROP DEFAULT;'
  assert_equal "$(domain_def "$BACK" rating)" "integer|null|-|rating_check=CHECK (((VALUE >= 1) AND (VALUE <= 5)))"
  assert_equal "$(q "$BACK" "select string_agg(id || ':' || r, ',' order by id) from review")" "1:4,2:5"
}

@test "domain: a new base type and collation recreate it; columns, arrays, defaults and a view follow, rows kept" {
  roundtrip_both domain_replace \
    "create domain code as varchar(10) check (length(value) > 1);
     create table item (id integer primary key, c code default 'xx', cs code[]);
     create index item_c_idx on item (c);
     create view item_codes as select id, c from item;" \
    "create domain code as text collate \"C\" check (length(value) > 1);
     comment on domain code is 'a code';
     create table item (id integer primary key, c code default 'xx', cs code[]);
     create index item_c_idx on item (c);
     create view item_codes as select id, c from item;" \
    "insert into item values (1, 'ab', '{cd,ef}'), (2, 'gh', null);"
  file_has "$FWD_FILE" 'ALTER DOMAIN public\.code RENAME TO'
  file_has "$FWD_FILE" 'ALTER COLUMN c TYPE public\.code'
  assert_equal "$(domain_def "$FWD" code)" "text|null|-|code_check=CHECK ((length(VALUE) > 1))"
  assert_equal "$(q "$FWD" "select collname from pg_collation where oid = (select typcollation from pg_type where typname = 'code')")" "C"
  assert_equal "$(q "$FWD" "select string_agg(id || ':' || c || ':' || coalesce(cs::text, '-'), ',' order by id) from item_codes join item using (id, c)")" "1:ab:{cd,ef},2:gh:-"
  assert_equal "$(col_default "$FWD" item c)" "'xx'::text"
  assert_equal "$(q "$FWD" "select count(*) from pg_type where typtype = 'd' and typnamespace = 'public'::regnamespace")" "1"
  assert_equal "$(index_def "$FWD" public.item_c_idx)" "CREATE INDEX item_c_idx ON public.item USING btree (c)"
  assert_equal "$(domain_def "$BACK" code)" "character varying(10)|null|-|code_check=CHECK ((length((VALUE)::text) > 1))"
  assert_equal "$(q "$BACK" "select string_agg(id || ':' || c, ',' order by id) from item_codes")" "1:ab,2:gh"
  assert_equal "$(q "$BACK" "select count(*) from pg_type where typtype = 'd' and typnamespace = 'public'::regnamespace")" "1"
}

# bats test_tags=long
@test "domain: recreated while a function, a composite type and a column use it; they follow" {
  roundtrip_both domain_users \
    "create domain d as integer check (value > 0);
     create function twice(x d) returns integer language sql as 'select x * 2';
     create type wrap as (v d);
     create table t (id integer primary key, v d);" \
    "create domain d as bigint check (value > 0);
     create function twice(x d) returns integer language sql as 'select (x * 2)::integer';
     create type wrap as (v d);
     create table t (id integer primary key, v d);" \
    "insert into t values (1, 5);"
  file_has "$FWD_FILE" '^DROP FUNCTION public\.twice\(public\.d\);'
  file_has "$FWD_FILE" '^DROP DOMAIN public\.d__pgflux_old;'
  assert_equal "$(q "$FWD" "select format_type(typbasetype, typtypmod) from pg_type where typname = 'd'")" "bigint"
  assert_equal "$(type_attributes "$FWD" wrap)" "v d"
  assert_equal "$(q "$FWD" "select twice(v) from t")" "10"
  assert_equal "$(q "$BACK" "select format_type(typbasetype, typtypmod) from pg_type where typname = 'd'")" "integer"
  assert_equal "$(q "$BACK" "select twice(v) from t")" "10"
}

@test "domain: over a table's row type, CHECK calling a function, used by a table (dependency order)" {
  roundtrip_both domain_deps \
    "create table keep (id integer primary key);" \
    "create table keep (id integer primary key);
     create function validate_row(val anyelement) returns boolean language plpgsql immutable as
       \$\$begin return val is not null; end\$\$;
     create table base (a integer);
     create domain d as base check (validate_row(value));
     create table uses (id integer primary key, dcol d);" \
    "insert into keep values (1);"
  assert_equal "$(q "$FWD" "select format_type(typbasetype, typtypmod) from pg_type where typname = 'd'")" "base"
  assert_equal "$(col_type "$FWD" uses dcol)" "d"
  assert_equal "$(q "$BACK" "select count(*) from pg_type where typname in ('d', 'base', 'uses')")" "0"
  assert_equal "$(q "$BACK" "select count(*) from keep")" "1"
}

# --- composite types ---------------------------------------------------------------------

# bats test_tags=long
@test "composite type: attributes added (with a collation) and dropped in place while a column uses it; comments" {
  roundtrip_both composite_alter \
    "create type address as (street text, zip integer, note text);
     create table person (id integer primary key, home address);" \
    "create type address as (street text, zip integer, city text collate \"C\");
     comment on type address is 'postal address';
     comment on column address.city is 'the town';
     create table person (id integer primary key, home address);" \
    "insert into person values (1, row('main', 12345, 'n')), (2, null);"
  file_lacks "$FWD_FILE" 'DROP TYPE|RENAME'
  file_has "$FWD_FILE" 'ALTER TYPE public\.address DROP ATTRIBUTE note;'
  file_has "$FWD_FILE" 'ALTER TYPE public\.address ADD ATTRIBUTE city text COLLATE pg_catalog."C";'
  assert_equal "$(type_attributes "$FWD" address)" "street text, zip integer, city text"
  assert_equal "$(described "$FWD" pg_type "'address'::regtype")" "postal address"
  assert_equal "$(q "$FWD" "select col_description(a.attrelid, a.attnum) from pg_type t join pg_attribute a on a.attrelid = t.typrelid where t.typname = 'address' and a.attname = 'city'")" "the town"
  assert_equal "$(q "$FWD" "select string_agg(id || ':' || coalesce((home).street, '-') || ':' || coalesce((home).zip::text, '-'), ',' order by id) from person")" "1:main:12345,2:-:-"
  file_lacks "$BACK_FILE" 'DROP TYPE|RENAME'
  assert_equal "$(type_attributes "$BACK" address)" "street text, zip integer, note text"
  assert_equal "$(q "$BACK" "select (home).street from person where id = 1")" "main"
}

@test "composite type: created with an enum and a domain attribute, used by a table and a function / dropped" {
  roundtrip_both composite_create \
    "create table keep (id integer primary key);" \
    "create table keep (id integer primary key);
     create type status as enum ('active', 'inactive');
     create domain small as integer check (value < 100);
     create type record_type as (id integer, status status, n small);
     create table events (id integer primary key, r record_type, rs record_type[]);
     create function status_of(r record_type) returns status language sql as 'select r.status';" \
    "insert into keep values (1);"
  assert_equal "$(type_attributes "$FWD" record_type)" "id integer, status status, n small"
  assert_equal "$(q "$FWD" "insert into events values (1, row(1, 'active', 5)); select status_of(r) from events")" "active"
  assert_equal "$(q "$BACK" "select count(*) from pg_type where typname in ('record_type', 'status', 'small')")" "0"
}

# bats test_tags=long
@test "composite type: attributes reordered or retyped recreate it when no column uses it (a function using it follows)" {
  roundtrip_both composite_replace \
    "create type pt as (x integer, y integer);
     create function pt_sum(p pt) returns integer language sql as 'select (p).x + (p).y';" \
    "create type pt as (y integer, x bigint);
     create function pt_sum(p pt) returns integer language sql as 'select ((p).x + (p).y)::integer';"
  file_has "$FWD_FILE" 'ALTER TYPE public\.pt RENAME TO'
  assert_equal "$(type_attributes "$FWD" pt)" "y integer, x bigint"
  assert_equal "$(q "$FWD" "select pt_sum(row(1, 2)::pt)")" "3"
  assert_equal "$(type_attributes "$BACK" pt)" "x integer, y integer"
  assert_equal "$(q "$BACK" "select count(*) from pg_type where typname like 'pt%' and typtype = 'c'")" "1"
}

# bats test_tags=long
@test "composite type: an attribute retyped in place when no column uses it" {
  roundtrip_both composite_retype \
    "create type pt as (x integer, y integer);" \
    "create type pt as (x bigint, y integer, z text);"
  file_has "$FWD_FILE" 'ALTER TYPE public\.pt ALTER ATTRIBUTE x TYPE bigint;'
  file_lacks "$FWD_FILE" 'RENAME'
  assert_equal "$(type_attributes "$FWD" pt)" "x bigint, y integer, z text"
  assert_equal "$(type_attributes "$BACK" pt)" "x integer, y integer"
}

# bats test_tags=long
@test "composite type: recreating one that a table column uses is refused, naming the column" {
  mkdir -p schema migrations
  DB=$(new_db "t${BATS_TEST_NUMBER}_refuse")
  psql -X -q -v ON_ERROR_STOP=1 "$DB" -c "create type pt as (x integer, y integer);
    create table shape (id integer primary key, p pt); insert into shape values (1, row(1, 2));"
  echo "create type pt as (y integer, x integer); create table shape (id integer primary key, p pt);" > schema/s.sql
  run pg-flux migrate generate --db "$DB" --label x
  [ "$status" -eq 2 ]
  [[ $output == *"composite type pt must be recreated (its attributes change order)"* ]]
  [[ $output == *"shape.p"* ]]
  assert_equal "$(ls migrations 2>/dev/null | wc -l)" "0"
  echo "create type pt as (x integer, y bigint); create table shape (id integer primary key, p pt);" > schema/s.sql
  run pg-flux migrate generate --db "$DB" --label x
  [ "$status" -eq 2 ]
  [[ $output == *"attribute y changes type while columns use the type"* ]]
  assert_equal "$(q "$DB" "select (p).y from shape")" "2"
}

# --- range types ---------------------------------------------------------------------------

@test "range type: created with its multirange for new columns / dropped" {
  roundtrip_both range_create \
    "create table m (id integer primary key);" \
    "create type floatrange as range (subtype = float8, subtype_diff = float8mi);
     create type textr as range (subtype = text, collation = \"C\", multirange_type_name = texts);
     comment on type floatrange is 'floats';
     create table m (id integer primary key, r floatrange, mr floatmultirange, t textr[], ts texts);
     create function lowest(m floatmultirange) returns double precision language sql as 'select lower(m)';" \
    "insert into m values (1), (2);"
  assert_equal "$(col_type "$FWD" m mr)" "floatmultirange"
  assert_equal "$(col_type "$FWD" m ts)" "texts"
  assert_equal "$(q "$FWD" "select rngsubdiff::text from pg_range where rngtypid = 'floatrange'::regtype")" "float8mi"
  assert_equal "$(described "$FWD" pg_type "'floatrange'::regtype")" "floats"
  assert_equal "$(q "$FWD" "update m set r = '[1,2)', ts = '{[a,b)}' where id = 1; select r::text || ts::text from m where id = 1")" "[1,2){[a,b)}"
  assert_equal "$(q "$FWD" "select lowest('{[3,4),[1,2)}')")" "1"
  assert_equal "$(q "$BACK" "select count(*) from pg_type where typtype in ('r', 'm') and typnamespace = 'public'::regnamespace")" "0"
  assert_equal "$(columns "$BACK" m)" "id"
}

# bats test_tags=long
@test "range type: any change recreates it; range and multirange columns converted, rows kept" {
  roundtrip_both range_replace \
    "create type floatrange as range (subtype = float8);
     create table m (id integer primary key, r floatrange, mr floatmultirange, rs floatrange[] default '{}');" \
    "create type floatrange as range (subtype = float8, subtype_diff = float8mi);
     comment on type floatrange is 'floats';
     create table m (id integer primary key, r floatrange, mr floatmultirange, rs floatrange[] default '{}');" \
    "insert into m values (1, '[1,2)', '{[1,2),[3,4)}', '{\"[5,6)\"}'), (2, null, null, default);"
  file_has "$FWD_FILE" 'ALTER TYPE public\.floatrange RENAME TO'
  file_has "$FWD_FILE" 'ALTER TYPE public\.floatmultirange RENAME TO'
  file_has "$FWD_FILE" 'ALTER COLUMN mr TYPE public\.floatmultirange USING mr::text::public\.floatmultirange'
  assert_equal "$(q "$FWD" "select rngsubdiff::text from pg_range where rngtypid = 'floatrange'::regtype")" "float8mi"
  assert_equal "$(q "$FWD" "select string_agg(id || ':' || coalesce(r::text, '-') || ':' || coalesce(mr::text, '-') || ':' || rs::text, ',' order by id) from m")" \
    '1:[1,2):{[1,2),[3,4)}:{"[5,6)"},2:-:-:{}'
  assert_equal "$(q "$FWD" "select count(*) from pg_type where typtype = 'r' and typnamespace = 'public'::regnamespace")" "1"
  assert_equal "$(q "$BACK" "select rngsubdiff from pg_range where rngtypid = 'floatrange'::regtype")" "-"
  assert_equal "$(q "$BACK" "select string_agg(id || ':' || coalesce(mr::text, '-'), ',' order by id) from m")" "1:{[1,2),[3,4)},2:-"
}

# --- without a shadow database ------------------------------------------------------------

@test "--shadow-db none: a domain changed in place and a composite type gaining an attribute converge" {
  RT_SHADOW=none roundtrip_both noshadow \
    "create domain email as text check (value ~ '@');
     create type pair as (a integer, b text);
     create table contact (id integer primary key, e email, p pair);" \
    "create domain email as text not null default 'x@y' check (value ~ '@') check (length(value) < 200);
     create type pair as (a integer, b text, c numeric(10,2));
     create table contact (id integer primary key, e email, p pair);" \
    "insert into contact (id, e, p.a, p.b) values (1, 'a@b', 1, 'one');"
  assert_equal "$(domain_def "$FWD" email)" "text|not null|'x@y'::text|email_check=CHECK ((VALUE ~ '@'::text)),email_check1=CHECK ((length(VALUE) < 200))"
  assert_equal "$(type_attributes "$FWD" pair)" "a integer, b text, c numeric(10,2)"
  assert_equal "$(q "$BACK" "select (p).b from contact")" "one"
}

# --- owners and privileges ------------------------------------------------------------------

# bats test_tags=long
@test "owners and USAGE grants of a domain, a composite type and a range type" {
  roundtrip_both typegrants \
    "create domain d as integer;
     create type pair as (a integer);
     create type floatrange as range (subtype = float8);" \
    "create domain d as integer;
     alter domain d owner to types_owner;
     revoke usage on domain d from public;
     grant usage on domain d to types_user;
     create type pair as (a integer);
     alter type pair owner to types_owner;
     create type floatrange as range (subtype = float8);
     grant usage on type floatrange to types_user;"
  assert_equal "$(q "$FWD" "select pg_get_userbyid(typowner) || ' ' || typacl::text from pg_type where typname = 'd'")" \
    "types_owner {types_owner=U/types_owner,types_user=U/types_owner}"
  assert_equal "$(q "$FWD" "select pg_get_userbyid(typowner) from pg_type where typname = 'pair'")" "types_owner"
  assert_equal "$(q "$FWD" "select typacl::text from pg_type where typname = 'floatrange'")" "{=U/postgres,postgres=U/postgres,types_user=U/postgres}"
  # Back to the default: the owner's and PUBLIC's USAGE, nobody else's.
  assert_equal "$(q "$BACK" "select string_agg(typname || ':' || pg_get_userbyid(typowner) || ':' ||
    (coalesce(typacl::text, '') like '%types_user%') || ':' || has_type_privilege('public', oid, 'usage'), ',' order by typname)
    from pg_type where typname in ('d', 'pair', 'floatrange')")" "d:postgres:false:true,floatrange:postgres:false:true,pair:postgres:false:true"
}
