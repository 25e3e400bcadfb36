#!/usr/bin/env bats
# Round trips of schema-level objects: schemas, enums, sequences, extensions,
# collations, comments, whole sets of tables. From a database loaded with BEFORE,
# generate + apply reach AFTER; drift finds nothing; the catalog is what AFTER says; rows survive (see roundtrip.bash).
load helpers
load roundtrip
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

@test "schema: create a new schema with tables / drop it" {
  roundtrip_both schema \
    "create table keep (id integer primary key);" \
    "create table keep (id integer primary key);
     create schema app;
     comment on schema app is 'application';
     create table app.customer (id bigint generated always as identity primary key, name text not null);
     create table app.orders (id bigint primary key, customer_id bigint not null references app.customer,
       total numeric(10,2) check (total >= 0));
     create index orders_customer_idx on app.orders (customer_id);" \
    "insert into keep values (1), (2);"
  assert_equal "$(q "$FWD" "select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = 'app'")" "application"
  assert_equal "$(constraint_def "$FWD" app.orders orders_customer_id_fkey)" "FOREIGN KEY (customer_id) REFERENCES app.customer(id)"
  assert_equal "$(constraint_def "$FWD" app.orders orders_total_check)" "CHECK ((total >= (0)::numeric))"
  assert_equal "$(index_def "$FWD" app.orders_customer_idx)" "CREATE INDEX orders_customer_idx ON app.orders USING btree (customer_id)"
  assert_equal "$(col_identity "$FWD" app.customer id)" "a"
  assert_equal "$(q "$FWD" "insert into app.customer (name) values ('c') returning id")" "1"
  assert_equal "$(q "$FWD" "select count(*) from keep")" "2"
  assert_equal "$(q "$BACK" "select count(*) from pg_namespace where nspname = 'app'")" "0"
  assert_equal "$(q "$BACK" "select string_agg(relname, ',' order by relname) from pg_class where relnamespace = 'public'::regnamespace")" "keep,keep_pkey"
  assert_equal "$(q "$BACK" "select count(*) from keep")" "2"
}

# bats test_tags=long
@test "enum: add values in the middle and at the end / remove them again (recreate path)" {
  roundtrip_both enumadd \
    "create type mood as enum ('sad', 'happy');
     create table t (id integer primary key, m mood);" \
    "create type mood as enum ('sad', 'ok', 'happy', 'ecstatic');
     create table t (id integer primary key, m mood);" \
    "insert into t values (1, 'sad'), (2, 'happy'), (3, null);"
  assert_equal "$(enum_labels "$FWD" mood)" "sad,ok,happy,ecstatic"
  file_has "$FWD_FILE" "ADD VALUE 'ok' (BEFORE 'happy'|AFTER 'sad')"
  file_has "$FWD_FILE" "ADD VALUE 'ecstatic'"
  file_lacks "$FWD_FILE" 'DROP TYPE'
  assert_equal "$(q "$FWD" "insert into t values (4, 'ok'), (5, 'ecstatic'); select string_agg(m::text, ',' order by m) from t")" "sad,ok,happy,ecstatic"
  assert_equal "$(enum_labels "$BACK" mood)" "sad,happy"
  assert_equal "$(col_type "$BACK" t m)" "mood"
  assert_equal "$(q "$BACK" "select count(*) from pg_type where typtype = 'e'")" "1"
  assert_equal "$(q "$BACK" "select string_agg(id || ':' || coalesce(m::text, '-'), ',' order by id) from t")" "1:sad,2:happy,3:-"
}

@test "enum: remove a value and reorder another enum; columns with a default, an array, indexes and a CHECK follow (recreate path)" {
  roundtrip_both enumdrop \
    "create type status as enum ('draft', 'review', 'published', 'archived');
     create type prio as enum ('low', 'high');
     create table doc (id integer primary key, s status not null default 'draft', hist status[] default '{}', p prio default 'low');
     create index doc_s_idx on doc (s);
     create index doc_published_idx on doc (id) where s = 'published';
     create table other (st status, constraint st_not_draft check (st <> 'draft'));" \
    "create type status as enum ('draft', 'published', 'archived');
     create type prio as enum ('high', 'low');
     create table doc (id integer primary key, s status not null default 'draft', hist status[] default '{}', p prio default 'low');
     create index doc_s_idx on doc (s);
     create index doc_published_idx on doc (id) where s = 'published';
     create table other (st status, constraint st_not_draft check (st <> 'draft'));" \
    "insert into doc values (1, 'draft', '{draft,published}', 'high'), (2, 'archived', '{}', 'low'), (3, 'published', null, null);
     insert into other values ('archived');"
  assert_equal "$(enum_labels "$FWD" status)" "draft,published,archived"
  assert_equal "$(enum_labels "$FWD" prio)" "high,low"
  assert_equal "$(col_type "$FWD" doc s)" "status"
  assert_equal "$(col_type "$FWD" doc hist)" "status[]"
  assert_equal "$(col_default "$FWD" doc s)" "'draft'::status"
  assert_equal "$(col_default "$FWD" doc hist)" "'{}'::status[]"
  assert_equal "$(col_default "$FWD" doc p)" "'low'::prio"
  assert_equal "$(index_def "$FWD" doc_s_idx)" "CREATE INDEX doc_s_idx ON public.doc USING btree (s)"
  assert_equal "$(index_def "$FWD" doc_published_idx)" "CREATE INDEX doc_published_idx ON public.doc USING btree (id) WHERE (s = 'published'::status)"
  assert_equal "$(constraint_def "$FWD" other st_not_draft)" "CHECK ((st <> 'draft'::status))"
  assert_equal "$(q "$FWD" "select count(*) from pg_type where typtype = 'e'")" "2"
  assert_equal "$(q "$FWD" "select string_agg(id || ':' || s || ':' || coalesce(hist::text, '-') || ':' || coalesce(p::text, '-'), ' ' order by id) from doc")" \
    "1:draft:{draft,published}:high 2:archived:{}:low 3:published:-:-"
  assert_equal "$(q "$FWD" "select string_agg(p::text, ',' order by p) from doc")" "high,low"
  assert_equal "$(q "$FWD" "select st from other")" "archived"
  assert_equal "$(enum_labels "$BACK" status)" "draft,review,published,archived"
  assert_equal "$(enum_labels "$BACK" prio)" "low,high"
  assert_equal "$(col_default "$BACK" doc s)" "'draft'::status"
  assert_equal "$(q "$BACK" "select string_agg(id || ':' || s || ':' || coalesce(hist::text, '-') || ':' || coalesce(p::text, '-'), ' ' order by id) from doc")" \
    "1:draft:{draft,published}:high 2:archived:{}:low 3:published:-:-"
}

# bats test_tags=long
@test "enum: removing a value still used by a row fails and rolls back" {
  db=$(new_db enum_in_use)
  sql "$db" "create type status as enum ('draft', 'review', 'published');
    create table doc (id integer primary key, s status);
    insert into doc values (1, 'review'), (2, 'draft');"
  write_schema s.sql <<'SQL'
create type status as enum ('draft', 'published');
create table doc (id integer primary key, s status);
SQL
  run pg-flux migrate generate --db "$db" --label drop_review
  assert_success
  run pg-flux migrate apply --db "$db" --allow-hazards=all
  assert_failure
  refute_output --regexp '^applied ' 
  assert_equal "$(enum_labels "$db" status)" "draft,review,published"
  assert_equal "$(q "$db" "select string_agg(id || ':' || s, ',' order by id) from doc")" "1:review,2:draft"
  assert_equal "$(q "$db" "select count(*) from pg_type where typtype = 'e'")" "1"
  run pg-flux migrate status --db "$db"
  assert_output --partial pending
}

@test "enum: a new value used as a column default is used only after COMMIT" {
  roundtrip_both enumdefault \
    "create type status as enum ('new', 'done');
     create table t (id integer primary key, s status not null default 'new');" \
    "create type status as enum ('new', 'active', 'done');
     create table t (id integer primary key, s status not null default 'active', s2 status default 'active',
       constraint s_known check (s in ('new', 'active', 'done')));" \
    "insert into t (id, s) values (1, 'new'), (2, 'done');" \
    "insert into t (id, s, s2) values (1, 'new', 'new'), (2, 'done', null);"
  post_has "$FWD_FILE" "ALTER COLUMN s SET DEFAULT 'active'"
  post_has "$FWD_FILE" "ADD CONSTRAINT s_known CHECK"
  # inside the transaction only ADD VALUE may name the new value
  if in_tx "$FWD_FILE" | grep "'active'" | grep -v "ADD VALUE"; then
    cat "$FWD_FILE"; fail "the new value 'active' is used before COMMIT (lines above)"
  fi
  local add_line def_line
  add_line=$(grep -n "^ALTER TYPE .*ADD VALUE 'active'" "$FWD_FILE" | head -n 1 | cut -d: -f1)
  def_line=$(grep -n "^ALTER TABLE .*ALTER COLUMN s SET DEFAULT 'active'" "$FWD_FILE" | head -n 1 | cut -d: -f1)
  [ -n "$add_line" ] && [ "$add_line" -lt "$def_line" ] || { cat "$FWD_FILE"; fail "ADD VALUE must come before SET DEFAULT"; }
  assert_equal "$(enum_labels "$FWD" status)" "new,active,done"
  assert_equal "$(col_default "$FWD" t s)" "'active'::status"
  assert_equal "$(col_default "$FWD" t s2)" "'active'::status"
  assert_equal "$(constraint_def "$FWD" t s_known)" "CHECK ((s = ANY (ARRAY['new'::status, 'active'::status, 'done'::status])))"
  assert_equal "$(q "$FWD" "select convalidated from pg_constraint where conname = 's_known'")" "t"
  assert_equal "$(q "$FWD" "insert into t (id) values (3) returning s || ':' || s2")" "active:active"
  assert_equal "$(q "$FWD" "select string_agg(id || ':' || s, ',' order by id) from t where id < 3")" "1:new,2:done"
  assert_equal "$(enum_labels "$BACK" status)" "new,done"
  assert_equal "$(col_default "$BACK" t s)" "'new'::status"
  assert_equal "$(columns "$BACK" t)" "id,s"
  assert_equal "$(constraints "$BACK" t)" "t_pkey:p"
  assert_equal "$(q "$BACK" "select string_agg(id || ':' || s, ',' order by id) from t")" "1:new,2:done"
}

# bats test_tags=long
@test "sequences: create, alter options, drop, OWNED BY change" {
  roundtrip_both seqs \
    "create table t (id integer, other integer);
     create sequence s1;
     create sequence s2;
     create sequence s3 owned by t.id;
     create sequence s5 owned by t.other;" \
    "create table t (id integer, other integer);
     create sequence s2 increment by 5 start with 10 maxvalue 1000 cycle cache 3;
     create sequence s3 owned by t.other;
     create sequence s4 as integer start 7;
     create sequence s5;" \
    "select nextval('s3'), nextval('s3');"
  assert_equal "$(relation_exists "$FWD" s1)" "0"
  assert_equal "$(seq_params "$FWD" s2)" "10,5,1,1000,3,t"
  assert_equal "$(seq_params "$FWD" s4)" "7,1,1,2147483647,1,f"
  assert_equal "$(q "$FWD" "select format_type(seqtypid, null) from pg_sequence where seqrelid = 's4'::regclass")" "integer"
  assert_equal "$(seq_owner "$FWD" s3)" "t.other"
  assert_equal "$(seq_owner "$FWD" s5)" "<none>"
  assert_equal "$(q "$FWD" "select nextval('s3')")" "3"
  assert_equal "$(relation_exists "$BACK" s1)" "1"
  assert_equal "$(relation_exists "$BACK" s4)" "0"
  assert_equal "$(seq_params "$BACK" s2)" "1,1,1,9223372036854775807,1,f"
  assert_equal "$(seq_owner "$BACK" s3)" "t.id"
  assert_equal "$(seq_owner "$BACK" s5)" "t.other"
  assert_equal "$(q "$BACK" "select nextval('s3')")" "3"
}

@test "extension: add citext and a column of its type / drop both" {
  roundtrip_both citext \
    "create table t (id integer primary key, email text);" \
    "create extension citext;
     create table t (id integer primary key, email citext);" \
    "insert into t values (1, 'A@X.com');"
  assert_equal "$(q "$FWD" "select count(*) from pg_extension where extname = 'citext'")" "1"
  assert_equal "$(col_type "$FWD" t email)" "citext"
  assert_equal "$(q "$FWD" "select id from t where email = 'a@x.COM'")" "1"
  assert_equal "$(q "$BACK" "select count(*) from pg_extension where extname = 'citext'")" "0"
  assert_equal "$(col_type "$BACK" t email)" "text"
  assert_equal "$(q "$BACK" "select email from t")" "A@X.com"
}

# bats test_tags=long
@test "collations: ICU nondeterministic and libc FROM \"C\", used by columns / dropped" {
  roundtrip_both coll \
    "create table t (id integer primary key, name text);" \
    "create collation ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
     create collation mc from \"C\";
     create table t (id integer primary key, name text collate ci, code text collate mc);" \
    "insert into t (id, name) values (1, 'Abc');"
  assert_equal "$(q "$FWD" "select collprovider::text || ':' || colliculocale || ':' || collisdeterministic from pg_collation where collname = 'ci'")" "i:und-u-ks-level2:false"
  assert_equal "$(q "$FWD" "select collprovider::text || ':' || collcollate || ':' || collctype || ':' || collisdeterministic from pg_collation where collname = 'mc'")" "c:C:C:true"
  assert_equal "$(col_collation "$FWD" t name)" "ci"
  assert_equal "$(col_collation "$FWD" t code)" "mc"
  assert_equal "$(q "$FWD" "select id from t where name = 'ABC'")" "1"
  assert_equal "$(q "$BACK" "select count(*) from pg_collation where collname in ('ci', 'mc')")" "0"
  assert_equal "$(col_collation "$BACK" t name)" "default"
  assert_equal "$(q "$BACK" "select name from t")" "Abc"
}

# bats test_tags=long
@test "table rename is a drop and a create: refused without --allow-hazards (DATA_LOSS), applied with it" {
  RT_REFUSE=DATA_LOSS RT_ALLOW=DATA_LOSS roundtrip rename \
    "create table t_old (id integer primary key, a text);
     create table k1 (id integer); create table k2 (id integer); create table k3 (id integer); create table k4 (id integer);" \
    "create table t_new (id integer primary key, a text);
     create table k1 (id integer); create table k2 (id integer); create table k3 (id integer); create table k4 (id integer);" \
    "insert into t_old values (1, 'x');"
  file_has "$RT_FILE" '^-- hazards: .*DATA_LOSS'
  file_has "$RT_FILE" '^DROP TABLE public\.t_old'
  file_has "$RT_FILE" '^CREATE TABLE public\.t_new'
  assert_equal "$(relation_exists "$RT_DB" t_old)" "0"
  assert_equal "$(columns "$RT_DB" t_new)" "id,a"
  assert_equal "$(constraints "$RT_DB" t_new)" "t_new_pkey:p"
}

# bats test_tags=long
@test "comments on a table, a sequence, a type and a schema: add, change, remove" {
  roundtrip_both comments \
    "create schema app;
     comment on schema app is 'old schema';
     create table app.t (id integer);
     comment on table app.t is 'old table';
     create sequence app.s;
     create type app.e as enum ('a');
     comment on type app.e is 'old type';" \
    "create schema app;
     create table app.t (id integer);
     comment on table app.t is 'new table';
     create sequence app.s;
     comment on sequence app.s is 'new sequence';
     create type app.e as enum ('a');"
  assert_equal "$(q "$FWD" "select coalesce(obj_description('app'::regnamespace, 'pg_namespace'), '<none>')")" "<none>"
  assert_equal "$(relation_comment "$FWD" app.t)" "new table"
  assert_equal "$(relation_comment "$FWD" app.s)" "new sequence"
  assert_equal "$(q "$FWD" "select coalesce(obj_description('app.e'::regtype, 'pg_type'), '<none>')")" "<none>"
  assert_equal "$(q "$BACK" "select coalesce(obj_description('app'::regnamespace, 'pg_namespace'), '<none>')")" "old schema"
  assert_equal "$(relation_comment "$BACK" app.t)" "old table"
  assert_equal "$(relation_comment "$BACK" app.s)" "<none>"
  assert_equal "$(q "$BACK" "select coalesce(obj_description('app.e'::regtype, 'pg_type'), '<none>')")" "old type"
}

@test "quoted names: schema \"My App\", enum \"Status\" with labels holding quotes and spaces, sequence \"Seq 1\"" {
  roundtrip_both quotednames \
    "create schema \"My App\";
     create type \"My App\".\"Status\" as enum ('to do', 'done');
     create table \"My App\".\"Task\" (id integer primary key, st \"My App\".\"Status\" default 'to do');" \
    "create schema \"My App\";
     comment on schema \"My App\" is 'tasks';
     create type \"My App\".\"Status\" as enum ('to do', 'it''s \"blocked\"', 'done', 'Done Done');
     create sequence \"My App\".\"Seq 1\" increment by 2;
     comment on type \"My App\".\"Status\" is 'states';
     create table \"My App\".\"Task\" (id integer primary key, st \"My App\".\"Status\" default 'it''s \"blocked\"',
       n bigint default nextval('\"My App\".\"Seq 1\"'));" \
    "insert into \"My App\".\"Task\" (id, st) values (1, 'done'), (2, 'to do');"
  assert_equal "$(enum_labels "$FWD" '"My App"."Status"')" "to do,it's \"blocked\",done,Done Done"
  assert_equal "$(col_default "$FWD" '"My App"."Task"' st)" "'it''s \"blocked\"'::\"My App\".\"Status\""
  assert_equal "$(col_default "$FWD" '"My App"."Task"' n)" "nextval('\"My App\".\"Seq 1\"'::regclass)"
  assert_equal "$(seq_params "$FWD" '"My App"."Seq 1"')" "1,2,1,9223372036854775807,1,f"
  assert_equal "$(q "$FWD" "select obj_description('\"My App\"'::regnamespace, 'pg_namespace')")" "tasks"
  assert_equal "$(q "$FWD" "select obj_description('\"My App\".\"Status\"'::regtype, 'pg_type')")" "states"
  # the new column's volatile default numbered the two existing rows (1, 3)
  assert_equal "$(q "$FWD" "select string_agg(id || ':' || st || ':' || n, ',' order by id) from \"My App\".\"Task\"")" "1:done:1,2:to do:3"
  assert_equal "$(q "$FWD" "insert into \"My App\".\"Task\" (id) values (3) returning st::text || ':' || n")" "it's \"blocked\":5"
  assert_equal "$(enum_labels "$BACK" '"My App"."Status"')" "to do,done"
  assert_equal "$(col_default "$BACK" '"My App"."Task"' st)" "'to do'::\"My App\".\"Status\""
  assert_equal "$(relation_exists "$BACK" '"My App"."Seq 1"')" "0"
  assert_equal "$(q "$BACK" "select string_agg(id || ':' || st, ',' order by id) from \"My App\".\"Task\"")" "1:done,2:to do"
}

# Six tables with foreign keys between them, two of them cycles (customer <->
# address, category <-> product). ORDERED can be loaded by psql; UNORDERED has
# every table before the tables it references.
MANY_ORDERED="create table customer (id integer primary key, default_address_id integer);
create table address (id integer primary key, customer_id integer not null references customer (id));
alter table customer add constraint customer_default_address_fkey foreign key (default_address_id) references address (id);
create table category (id integer primary key, parent_id integer references category (id), featured_product_id integer);
create table product (id integer primary key, category_id integer references category (id));
alter table category add constraint category_featured_fkey foreign key (featured_product_id) references product (id);
create table orders (id integer primary key, customer_id integer references customer (id), billing_address_id integer references address (id));
create table line_item (id integer primary key, order_id integer not null references orders (id) on delete cascade, product_id integer references product (id));"
MANY_UNORDERED="create table line_item (id integer primary key, order_id integer not null references orders (id) on delete cascade, product_id integer references product (id));
create table orders (id integer primary key, customer_id integer references customer (id), billing_address_id integer references address (id));
create table product (id integer primary key, category_id integer references category (id));
create table category (id integer primary key, parent_id integer references category (id), featured_product_id integer references product (id));
create table address (id integer primary key, customer_id integer not null references customer (id));
create table customer (id integer primary key, default_address_id integer references address (id));"
MANY_FKS="address_customer_id_fkey,category_featured_fkey,category_parent_id_fkey,customer_default_address_fkey,line_item_order_id_fkey,line_item_product_id_fkey,orders_billing_address_id_fkey,orders_customer_id_fkey,product_category_id_fkey"

# bats test_tags=long
@test "many tables with foreign keys between them, cycles included, in both source orders; and back to nothing" {
  roundtrip_both many "" "$MANY_ORDERED"
  assert_equal "$(q "$FWD" "select string_agg(conname, ',' order by conname) from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace")" "$MANY_FKS"
  assert_equal "$(q "$FWD" "select bool_and(convalidated) from pg_constraint where connamespace = 'public'::regnamespace")" "t"
  assert_equal "$(q "$BACK" "select count(*) from pg_class where relnamespace = 'public'::regnamespace")" "0"

  roundtrip many_unordered "" "$MANY_UNORDERED"
  assert_equal "$(q "$RT_DB" "select count(*) from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace")" "9"
  assert_equal "$(constraint_def "$RT_DB" category category_featured_product_id_fkey)" "FOREIGN KEY (featured_product_id) REFERENCES product(id)"
  assert_equal "$(constraint_def "$RT_DB" customer customer_default_address_id_fkey)" "FOREIGN KEY (default_address_id) REFERENCES address(id)"
  assert_equal "$(constraint_def "$RT_DB" line_item line_item_order_id_fkey)" "FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE"
  # the schema works: a customer, its address, an order and a line
  run q "$RT_DB" "insert into customer values (1, null); insert into address values (1, 1); update customer set default_address_id = 1;
    insert into category values (1, null, null); insert into product values (1, 1); update category set featured_product_id = 1;
    insert into orders values (1, 1, 1); insert into line_item values (1, 1, 1); delete from orders; select count(*) from line_item"
  assert_success
  assert_output "0"
}

ten_tables() {
  local i
  for i in $(seq 1 10); do
    echo "create table t$i (id bigint generated by default as identity primary key, name text not null default 't$i',"
    if [ "$i" -gt 1 ]; then echo "  prev_id bigint references t$((i - 1)) (id),"; fi
    echo "  qty integer check (qty >= 0), created timestamptz not null default now());"
    echo "create index t${i}_name_idx on t$i (name);"
  done
}

# bats test_tags=long
@test "mass change: from nothing to ten tables, and back to nothing (refused without --allow-hazards)" {
  roundtrip ten_up "" "$(ten_tables)"
  assert_equal "$(q "$RT_DB" "select count(*) from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'")" "10"
  assert_equal "$(q "$RT_DB" "select count(*) from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace")" "9"
  assert_equal "$(q "$RT_DB" "select count(*) from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace")" "10"
  assert_equal "$(index_def "$RT_DB" t10_name_idx)" "CREATE INDEX t10_name_idx ON public.t10 USING btree (name)"

  RT_REFUSE="DATA_LOSS MASS_DROP" roundtrip ten_down "$(ten_tables)" "" \
    "insert into t1 (qty) values (1); insert into t2 (prev_id, qty) values (1, 2);"
  assert_equal "$(q "$RT_DB" "select count(*) from pg_class where relnamespace = 'public'::regnamespace")" "0"
}

@test "--shadow-db none: enum values and collations converge" {
  RT_SHADOW=none roundtrip_both noshadow \
    "create type mood as enum ('sad', 'happy');
     create table t (id integer primary key, m mood default 'sad', name text);" \
    "create collation ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
     create type mood as enum ('sad', 'ok', 'happy');
     create table t (id integer primary key, m mood default 'sad', name text collate ci);" \
    "insert into t (id, m, name) values (1, 'happy', 'Abc');"
  assert_equal "$(enum_labels "$FWD" mood)" "sad,ok,happy"
  assert_equal "$(col_collation "$FWD" t name)" "ci"
  assert_equal "$(q "$FWD" "select m from t where name = 'ABC'")" "happy"
  assert_equal "$(enum_labels "$BACK" mood)" "sad,happy"
  assert_equal "$(col_default "$BACK" t m)" "'sad'::mood"
  assert_equal "$(col_collation "$BACK" t name)" "default"
}

@test "--shadow-db none: an extension (citext, which comes with a comment) and a column of its type converge" {
  RT_SHADOW=none roundtrip_both noshadowext \
    "create table t (id integer primary key, email text);" \
    "create extension citext;
     create table t (id integer primary key, email citext);" \
    "insert into t values (1, 'A@X.com');"
  assert_equal "$(col_type "$FWD" t email)" "citext"
  assert_equal "$(q "$FWD" "select id from t where email = 'a@x.COM'")" "1"
  assert_equal "$(q "$BACK" "select count(*) from pg_extension where extname = 'citext'")" "0"
  assert_equal "$(col_type "$BACK" t email)" "text"
}
