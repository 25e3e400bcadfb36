#!/usr/bin/env bats
# Foreign data wrappers, servers, user mappings (secret options) and
# publications: round trips both ways (see roundtrip.bash), the catalog
# afterwards, secrets never printed, subscriptions refused.
bats_require_minimum_version 1.5.0
load helpers
load roundtrip
setup_file() {
  pgflux_setup_file
  psql -X -q -v ON_ERROR_STOP=1 "$PGFLUX_ADMIN_URL" -c "CREATE ROLE app; CREATE ROLE remote_reader;"
}
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

srv() { q "$1" "select coalesce((select concat_ws('|', w.fdwname, s.srvtype, s.srvversion, array_to_string(s.srvoptions, ','),
  coalesce(s.srvacl::text, '-'), pg_get_userbyid(s.srvowner)) from pg_foreign_server s join pg_foreign_data_wrapper w on w.oid = s.srvfdw
  where s.srvname = '$2'), '<none>')"; }
pub() { q "$1" "select coalesce((select concat_ws('|', puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot,
  (select string_agg(c.relname || coalesce('(' || (select string_agg(attname, ',' order by attnum) from pg_attribute
     where attrelid = pr.prrelid and attnum = any (pr.prattrs)) || ')', '') || coalesce(' where ' || pg_get_expr(pr.prqual, pr.prrelid), ''), ';' order by c.relname)
   from pg_publication_rel pr join pg_class c on c.oid = pr.prrelid where pr.prpubid = p.oid),
  (select string_agg(pnnspid::regnamespace::text, ';') from pg_publication_namespace where pnpubid = p.oid))
  from pg_publication p where pubname = '$2'), '<none>')"; }

@test "servers and wrappers: create with options, change options and version in place, change the wrapper (replace), drop" {
  roundtrip_both servers \
    "create extension postgres_fdw;
     create foreign data wrapper dummy;
     create server remote foreign data wrapper postgres_fdw options (host 'a.internal', port '5432');
     create server other type 'x' version '1' foreign data wrapper dummy;" \
    "create extension postgres_fdw;
     create foreign data wrapper dummy options (debug 'true');
     comment on foreign data wrapper dummy is 'for tests';
     create server remote foreign data wrapper postgres_fdw options (host 'b.internal', dbname 'sales');
     comment on server remote is 'sales';
     grant usage on foreign server remote to remote_reader;
     alter server remote owner to app;
     create server other type 'x' version '2' foreign data wrapper postgres_fdw;
     create server added foreign data wrapper dummy;"
  assert_equal "$(srv "$FWD" remote)" 'postgres_fdw|host=b.internal,dbname=sales|{app=U/app,remote_reader=U/app}|app'
  assert_equal "$(srv "$FWD" other)" 'postgres_fdw|x|2|-|postgres'
  assert_equal "$(srv "$FWD" added)" 'dummy|-|postgres'
  assert_equal "$(q "$FWD" "select array_to_string(fdwoptions, ',') || '|' || obj_description(oid, 'pg_foreign_data_wrapper') from pg_foreign_data_wrapper where fdwname = 'dummy'")" 'debug=true|for tests'
  file_has "$FWD_FILE" "ALTER SERVER remote OPTIONS \(DROP port, ADD dbname 'sales', SET host 'b.internal'\)|ALTER SERVER remote OPTIONS \(DROP port, SET host 'b.internal', ADD dbname 'sales'\)"
  file_has "$FWD_FILE" 'DROP SERVER other'
  assert_equal "$(srv "$BACK" remote)" 'postgres_fdw|host=a.internal,port=5432|{postgres=U/postgres}|postgres'
  assert_equal "$(srv "$BACK" added)" '<none>'
}

# bats test_tags=long
@test "user mappings: secret options come from the environment at apply and are never printed or read back" {
  db=$(new_db mappings)
  cd "$BATS_TEST_TMPDIR"; mkdir -p schema
  cat > schema/s.sql <<'SQL'
create extension postgres_fdw;
create server remote foreign data wrapper postgres_fdw options (host 'db.internal');
create user mapping for app server remote options (user 'reader', password '${REMOTE_PASSWORD}');
create user mapping for public server remote options (user 'guest');
SQL
  run pg-flux migrate generate --db "$db"
  assert_success
  file=$(latest_migration)
  file_has "$file" "CREATE USER MAPPING FOR app SERVER remote OPTIONS \(password '\\$\{REMOTE_PASSWORD\}', \"user\" 'reader'\);"
  run pg-flux migrate apply --db "$db"
  assert_failure 4
  assert_output --partial 'the environment variable REMOTE_PASSWORD is not set'
  assert_equal "$(q "$db" "select count(*) from pg_foreign_server")" 0
  REMOTE_PASSWORD='s3cr3t-Val' run pg-flux migrate apply --db "$db"
  assert_success
  assert_equal "$(q "$db" "select array_to_string(umoptions, ',') from pg_user_mappings where usename = 'app'")" 'password=s3cr3t-Val,user=reader'
  run pg-flux drift --db "$db"
  assert_success
  run flux-snapshot --db "$db"
  refute_output --partial 's3cr3t'
  # Rotated by hand: values are not compared. Removed by hand: one line, names only.
  sql "$db" "alter user mapping for app server remote options (set password 'rotated')"
  run pg-flux drift --db "$db"
  assert_success
  sql "$db" "alter user mapping for app server remote options (drop password, set user 'other')"
  run pg-flux drift --db "$db"
  assert_failure 1
  assert_output 'ALTER USER MAPPING FOR app SERVER remote OPTIONS (ADD password, SET "user")'
  refute_output --partial rotated
  # A literal password in a schema file is refused before anything is written.
  sed -i "s/'\${REMOTE_PASSWORD}'/'plain'/" schema/s.sql
  run pg-flux migrate generate --db "$db"
  assert_failure 2
  assert_output --partial "schema/s.sql:3:1: the password option of user mapping for app on server remote is a secret"
  refute_output --partial plain
}

@test "publications: tables with column lists and row filters, schemas, options, FOR ALL TABLES (replace), ALTER PUBLICATION ADD in the files" {
  roundtrip_both publications \
    "create schema sales;
     create table orders (id int primary key, total numeric, region text);
     create table customers (id int primary key, name text);
     create table sales.items (id int primary key);
     create publication orders_pub for table orders;
     create publication everything for all tables;" \
    "create schema sales;
     create table orders (id int primary key, total numeric, region text);
     create table customers (id int primary key, name text);
     create table sales.items (id int primary key);
     create publication orders_pub for table orders (total, id) where (total > 0) with (publish = 'insert, update');
     create publication sales_pub for tables in schema sales;
     alter publication orders_pub add table customers;
     comment on publication orders_pub is 'to the warehouse';
     alter publication orders_pub owner to app;
     create publication everything for table customers;" \
    "insert into orders values (1, 10, 'eu');"
  assert_equal "$(pub "$FWD" orders_pub)" 'f|t|t|f|f|f|customers;orders(id,total) where (total > (0)::numeric)'
  assert_equal "$(pub "$FWD" sales_pub)" 'f|t|t|t|t|f|sales'
  assert_equal "$(pub "$FWD" everything)" 'f|t|t|t|t|f|customers'
  assert_equal "$(q "$FWD" "select pg_get_userbyid(pubowner) || '|' || obj_description(oid, 'pg_publication') from pg_publication where pubname = 'orders_pub'")" 'app|to the warehouse'
  assert_equal "$(pub "$BACK" orders_pub)" 'f|t|t|t|t|f|orders'
  assert_equal "$(pub "$BACK" everything)" 't|t|t|t|t|f'
  assert_equal "$(q "$FWD" "select count(*) from orders")" 1
}

# bats test_tags=long
@test "subscriptions and SECURITY LABEL are refused with a clear message" {
  cd "$BATS_TEST_TMPDIR"; mkdir -p schema
  echo "create subscription s connection 'host=x' publication p;" > schema/a.sql
  run -2 flux-parse
  assert_output --partial 'schema/a.sql:1:1: subscriptions are out of scope'
  echo "create table t (id int); security label for selinux on table t is 'x';" > schema/a.sql
  run -2 flux-parse
  assert_output --partial 'schema/a.sql:1:26: SECURITY LABEL is not supported'
}

@test "foreign tables: columns with options, defaults and collations change in place (no hazard), a view over a dropped column is recreated, server change replaces" {
  roundtrip_both foreigntables \
    "create extension postgres_fdw;
     create server remote foreign data wrapper postgres_fdw options (host 'a');
     create server other foreign data wrapper postgres_fdw;
     create foreign table remote_orders (id int options (column_name 'order_id') not null, total numeric(10,2) default 0,
       note text collate \"C\") server remote options (table_name 'orders');
     create view big_orders as select id, total from remote_orders where total > 100;
     create foreign table moved (id int) server remote;" \
    "create extension postgres_fdw;
     create server remote foreign data wrapper postgres_fdw options (host 'a');
     create server other foreign data wrapper postgres_fdw;
     create foreign table remote_orders (id int options (column_name 'id2') not null, note varchar(20),
       added int default 1) server remote options (table_name 'orders2', schema_name 'sales');
     comment on foreign table remote_orders is 'over there';
     comment on column remote_orders.note is 'free text';
     grant select on remote_orders to app;
     create view big_orders as select id from remote_orders;
     create foreign table moved (id int) server other;"
  ft() { q "$1" "select string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull || ':' ||
    coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ':' || coalesce(array_to_string(a.attfdwoptions, ','), '-'), ' ' order by a.attnum)
    || ' | ' || (select coalesce(array_to_string(ftoptions, ','), '') || '@' || srvname from pg_foreign_table join pg_foreign_server s on s.oid = ftserver where ftrelid = '$2'::regclass)
    from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = '$2'::regclass and a.attnum > 0 and not a.attisdropped"; }
  assert_equal "$(ft "$FWD" remote_orders)" 'id:integer:true:-:column_name=id2 note:character varying(20):false:-:- added:integer:false:1:- | table_name=orders2,schema_name=sales@remote'
  assert_equal "$(ft "$FWD" moved)" 'id:integer:false:-:- | @other'
  assert_equal "$(relation_comment "$FWD" remote_orders)" 'over there'
  assert_equal "$(q "$FWD" "select coalesce(relacl::text, '') from pg_class where relname = 'remote_orders'")" '{postgres=arwdDxt/postgres,app=r/postgres}'
  tx_has "$FWD_FILE" 'ALTER FOREIGN TABLE public.remote_orders DROP COLUMN total;'
  file_has "$FWD_FILE" 'hazards: none'
  file_has "$FWD_FILE" 'DROP FOREIGN TABLE public.moved'
  assert_equal "$(ft "$BACK" remote_orders)" 'id:integer:true:-:column_name=order_id total:numeric(10,2):false:0:- note:text:false:-:- | table_name=orders@remote'
  assert_equal "$(view_def "$BACK" big_orders)" 'SELECT remote_orders.id, remote_orders.total FROM remote_orders WHERE (remote_orders.total > (100)::numeric);'
}
