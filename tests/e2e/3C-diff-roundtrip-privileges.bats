#!/usr/bin/env bats
# Owners, privileges and default privileges: round trips both ways (see
# roundtrip.bash), the catalog's ACLs afterwards, drift lines for changes made
# by hand, and the errors and notes about roles.
load helpers
load roundtrip
setup_file() {
  pgflux_setup_file
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" \
    -c "CREATE ROLE app_reader; CREATE ROLE app_owner; CREATE ROLE app_user; CREATE ROLE \"Odd Role\";"
}
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

# acl DB OBJECT-QUERY: the ACL as PostgreSQL prints it ('' when NULL: the default).
relacl() { q "$1" "select coalesce(relacl::text, '') from pg_class where oid = \$r\$$2\$r\$::regclass"; }
relowner() { q "$1" "select pg_get_userbyid(relowner) from pg_class where oid = \$r\$$2\$r\$::regclass"; }
proacl() { q "$1" "select coalesce(proacl::text, '') from pg_proc where oid = \$r\$$2\$r\$::regprocedure"; }
attacl() { q "$1" "select coalesce(attacl::text, '') from pg_attribute where attrelid = \$r\$$2\$r\$::regclass and attname = '$3'"; }

@test "grants: table, columns, grant option, PUBLIC, the owner's own (revoked, and granted by name); ALL and a list compare equal" {
  roundtrip_both tablegrants \
    "create table users (id int primary key, name text, email text);
     create table audit (id int);" \
    "create table users (id int primary key, name text, email text);
     create table audit (id int);
     grant select, insert on users to app_reader with grant option;
     grant update (email), references (name) on users to app_user;
     grant all on users to \"Odd Role\";
     revoke truncate, delete on users from \"Odd Role\";
     grant select on audit to public;
     revoke all on table audit from current_user;
     grant select on audit to current_user;
     grant insert on audit to postgres;" \
    "insert into users values (1, 'a', 'a@x');"
  assert_equal "$(relacl "$FWD" users)" '{postgres=arwdDxt/postgres,"\"Odd Role\"=arwxt/postgres",app_reader=a*r*/postgres}'
  assert_equal "$(attacl "$FWD" users email)" '{app_user=w/postgres}'
  assert_equal "$(attacl "$FWD" users name)" '{app_user=x/postgres}'
  # postgres applies the migrations: a grant naming it is the owner's own.
  assert_equal "$(relacl "$FWD" audit)" '{postgres=ar/postgres,=r/postgres}'
  file_has "$FWD_FILE" 'GRANT UPDATE \("email"\)|GRANT UPDATE \(email\)'
  assert_equal "$(relacl "$BACK" users)" '{postgres=arwdDxt/postgres}'
  assert_equal "$(attacl "$BACK" users email)" ''
  assert_equal "$(relacl "$BACK" audit)" '{postgres=arwdDxt/postgres}'
  assert_equal "$(q "$FWD" "select count(*) from users")" "1"
}

# bats test_tags=long
@test "owners: table with a serial column, view, function, schema, type, sequence change owner and back" {
  roundtrip_both owners \
    "create schema app;
     create table app.orders (id serial primary key, n int);
     create view app.v as select id from app.orders;
     create function app.f() returns int language sql as 'select 1';
     create type app.mood as enum ('a', 'b');
     create sequence app.s;" \
    "create schema app authorization app_owner;
     create table app.orders (id serial primary key, n int);
     alter table app.orders owner to app_owner;
     create view app.v as select id from app.orders;
     alter view app.v owner to app_owner;
     create function app.f() returns int language sql as 'select 1';
     alter function app.f() owner to app_user;
     create type app.mood as enum ('a', 'b');
     alter type app.mood owner to app_user;
     create sequence app.s;
     alter sequence app.s owner to app_user;" \
    "insert into app.orders (n) values (1), (2);"
  assert_equal "$(relowner "$FWD" app.orders)" app_owner
  assert_equal "$(relowner "$FWD" app.orders_id_seq)" app_owner
  assert_equal "$(relowner "$FWD" app.v)" app_owner
  assert_equal "$(relowner "$FWD" app.s)" app_user
  assert_equal "$(q "$FWD" "select pg_get_userbyid(proowner) from pg_proc where proname = 'f'")" app_user
  assert_equal "$(q "$FWD" "select pg_get_userbyid(typowner) from pg_type where typname = 'mood'")" app_user
  assert_equal "$(q "$FWD" "select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'app'")" app_owner
  assert_equal "$(relowner "$BACK" app.orders)" postgres
  assert_equal "$(relowner "$BACK" app.orders_id_seq)" postgres
  assert_equal "$(q "$BACK" "select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'app'")" postgres
  assert_equal "$(q "$FWD" "select count(*) from app.orders")" "2"
}

@test "routines: REVOKE ALL FROM PUBLIC and GRANT EXECUTE; an owner change keeps the owner's privileges relative" {
  roundtrip_both routinegrants \
    "create function f(a int) returns int language sql as 'select a';
     create procedure p() language sql as 'select 1';" \
    "create function f(a int) returns int language sql as 'select a';
     revoke all on function f(int) from public;
     grant execute on function f(int) to app_user;
     create procedure p() language sql as 'select 1';
     alter procedure p() owner to app_owner;
     revoke execute on procedure p() from public;"
  assert_equal "$(proacl "$FWD" 'f(integer)')" '{postgres=X/postgres,app_user=X/postgres}'
  assert_equal "$(proacl "$FWD" 'p()')" '{app_owner=X/app_owner}'
  assert_equal "$(proacl "$BACK" 'f(integer)')" '{postgres=X/postgres,=X/postgres}'
}

# bats test_tags=long
@test "default privileges: in a schema, for all schemas, FOR ROLE; objects created after them get them" {
  roundtrip_both defaults \
    "create schema app;
     create table app.before (id int);" \
    "create schema app;
     create table app.before (id int);
     alter default privileges in schema app grant select, update on tables to app_reader;
     alter default privileges revoke execute on functions from public;
     alter default privileges for role app_owner grant usage on sequences to app_user with grant option;
     create table app.after (id int);
     create function app.g() returns int language sql as 'select 2';"
  assert_equal "$(q "$FWD" "select string_agg(pg_get_userbyid(defaclrole) || ':' || coalesce(defaclnamespace::regnamespace::text, '-') || ':' || defaclobjtype::text || ':' || defaclacl::text, ' ' order by defaclobjtype) from pg_default_acl")" \
    'app_owner:-:S:{app_owner=rwU/app_owner,app_user=U*/app_owner} postgres:-:f:{postgres=X/postgres} postgres:app:r:{app_reader=rw/postgres}'
  assert_equal "$(relacl "$FWD" app.before)" ''
  assert_equal "$(relacl "$FWD" app.after)" '{postgres=arwdDxt/postgres,app_reader=rw/postgres}'
  assert_equal "$(proacl "$FWD" 'app.g()')" '{postgres=X/postgres}'
  assert_equal "$(q "$BACK" "select count(*) from pg_default_acl")" "0"
}

# bats test_tags=long
@test "drift: a grant, an owner change, a default privilege and a statistics object made by hand are one line each" {
  db=$(new_db drifthand)
  write_schema s.sql <<'SQL'
create table users (id int primary key);
create table orders (id int primary key);
SQL
  run pg-flux migrate generate --db "$db"
  assert_success
  run pg-flux migrate apply --db "$db"
  assert_success
  run pg-flux drift --db "$db"
  assert_success
  sql "$db" "GRANT ALL ON users TO app_reader; ALTER TABLE orders OWNER TO app_owner;
             ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO app_user;
             CREATE STATISTICS users_stats ON id, (id * 2) FROM users;"
  run pg-flux drift --db "$db"
  assert_failure 1
  assert_line 'ALTER TABLE public.orders OWNER TO postgres'
  assert_line 'REVOKE SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE public.users FROM app_reader'
  assert_line 'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE SELECT ON TABLES FROM app_user'
  assert_line --regexp '^DROP STATISTICS .*users_stats'
  assert_equal "$(printf '%s\n' "$output" | grep -vc '^note:')" 4
  # Owners left unmanaged: the owner change is not reported.
  run pg-flux drift --db "$db" --owners unmanaged
  assert_failure 1
  refute_line --partial 'OWNER TO'
  # The applying role named explicitly: objects are expected to be owned by it.
  run pg-flux drift --db "$db" --default-owner app_owner
  assert_line 'ALTER TABLE public.users OWNER TO app_owner'
  refute_line --partial 'public.orders OWNER'
}

# bats test_tags=long
@test "roles: a missing role is an error at generate naming it and file:line; CREATE ROLE and the create-if-missing DO block are skipped with a note" {
  db=$(new_db roles)
  write_schema a.sql <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_reader') THEN
        CREATE ROLE app_reader;
    END IF;
END $$;
create role app_user;
create table t (id int);
grant select on t to app_reader, app_user;
SQL
  run pg-flux migrate generate --db "$db"
  assert_success
  assert_output --partial 'schema/a.sql:1:1: role app_reader is not created by pg-flux'
  assert_output --partial 'schema/a.sql:7:1: role app_user is not created by pg-flux'
  write_schema b.sql <<'SQL'
create table u (id int);
alter table u owner to nobody_here;
SQL
  rm -rf migrations
  run pg-flux migrate generate --db "$db"
  assert_failure 2
  assert_output --partial 'schema/b.sql:1:1: role nobody_here does not exist (named by table u)'
  assert [ ! -d migrations ]
  write_schema b.sql <<'SQL'
DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;
SQL
  run pg-flux migrate generate --db "$db"
  assert_failure 2
  assert_output --partial 'schema/b.sql:1:1: DO blocks are not supported in schema files'
}

@test "owners of domains, operators, text search dictionaries, statistics and publications" {
  roundtrip_both moreowners \
    "create domain posint as int check (value > 0);
     create function same(a int, b int) returns boolean language sql immutable as 'select a = b';
     create operator === (leftarg = int, rightarg = int, function = same);
     create text search dictionary dict (template = simple);
     create table t (a int, b int);
     create statistics t_stats on a, b from t;
     create publication pub for table t;" \
    "create domain posint as int check (value > 0);
     alter domain posint owner to app_owner;
     create function same(a int, b int) returns boolean language sql immutable as 'select a = b';
     create operator === (leftarg = int, rightarg = int, function = same);
     alter operator === (int, int) owner to app_owner;
     create text search dictionary dict (template = simple);
     alter text search dictionary dict owner to app_owner;
     create table t (a int, b int);
     alter table t owner to app_owner;
     create statistics t_stats on a, b from t;
     alter statistics t_stats owner to app_owner;
     create publication pub for table t;
     alter publication pub owner to app_owner;"
  assert_equal "$(q "$FWD" "select string_agg(o, ',') from (
    select pg_get_userbyid(typowner) o from pg_type where typname = 'posint' union all
    select pg_get_userbyid(oprowner) from pg_operator where oprname = '===' union all
    select pg_get_userbyid(dictowner) from pg_ts_dict where dictname = 'dict' union all
    select pg_get_userbyid(stxowner) from pg_statistic_ext where stxname = 't_stats' union all
    select pg_get_userbyid(pubowner) from pg_publication where pubname = 'pub') x")" 'app_owner,app_owner,app_owner,app_owner,app_owner'
  assert_equal "$(q "$BACK" "select pg_get_userbyid(oprowner) || ',' || (select pg_get_userbyid(stxowner) from pg_statistic_ext where stxname = 't_stats') from pg_operator where oprname = '==='")" 'postgres,postgres'
}
