#!/usr/bin/env bats
# Round trips of constraint and index changes: from a database loaded with BEFORE,
# generate + apply reach AFTER; drift finds nothing; the catalog is what AFTER says; rows survive. Every pair runs in both
# directions (see roundtrip.bash).
load helpers
load roundtrip
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

@test "PRIMARY KEY: add (on a nullable column) / drop (the column becomes nullable again)" {
  roundtrip_both pk \
    "create table t (id integer, a text);" \
    "create table t (id integer primary key, a text);" \
    "insert into t values (1, 'x'), (2, 'y');"
  assert_equal "$(constraints "$FWD" t)" "t_pkey:p"
  assert_equal "$(constraint_def "$FWD" t t_pkey)" "PRIMARY KEY (id)"
  assert_equal "$(col_notnull "$FWD" t id)" "t"
  assert_equal "$(constraints "$BACK" t)" ""
  assert_equal "$(col_notnull "$BACK" t id)" "f"
  assert_equal "$(q "$BACK" "select count(*) from t")" "2"
}

# bats test_tags=long
@test "PRIMARY KEY moves to another column while a FOREIGN KEY references the old one (the FK is dropped and re-added)" {
  roundtrip_both pkmove \
    "create table p (id integer primary key, code text not null);
     create table c (id integer primary key, p_id integer references p (id));" \
    "create table p (id integer not null unique, code text primary key);
     create table c (id integer primary key, p_id integer references p (id));" \
    "insert into p values (1, 'a'), (2, 'b'); insert into c values (10, 1), (11, 2);"
  assert_equal "$(constraint_def "$FWD" p p_pkey)" "PRIMARY KEY (code)"
  assert_equal "$(constraint_def "$FWD" p p_id_key)" "UNIQUE (id)"
  assert_equal "$(constraint_def "$FWD" c c_p_id_fkey)" "FOREIGN KEY (p_id) REFERENCES p(id)"
  assert_equal "$(q "$FWD" "select conindid::regclass || ':' || convalidated from pg_constraint where conname = 'c_p_id_fkey'")" "p_id_key:true"
  assert_equal "$(q "$FWD" "select count(*) from c join p on p.id = c.p_id")" "2"
  run q "$FWD" "insert into c values (12, 99)"
  assert_failure
  assert_equal "$(constraint_def "$BACK" p p_pkey)" "PRIMARY KEY (id)"
  assert_equal "$(constraint_def "$BACK" p p_id_key)" "<none>"
  assert_equal "$(q "$BACK" "select conindid::regclass || ':' || convalidated from pg_constraint where conname = 'c_p_id_fkey'")" "p_pkey:true"
  assert_equal "$(q "$BACK" "select count(*) from c join p on p.id = c.p_id")" "2"
}

@test "PRIMARY KEY columns change (a) -> (a, b) with the referencing FOREIGN KEY following" {
  roundtrip_both pkcols \
    "create table p (a integer, b integer not null, primary key (a));
     create table c (id integer primary key, a integer, b integer, foreign key (a) references p (a));" \
    "create table p (a integer, b integer not null, primary key (a, b));
     create table c (id integer primary key, a integer, b integer, foreign key (a, b) references p (a, b));" \
    "insert into p values (1, 1), (2, 2); insert into c values (10, 1, 1), (11, 2, 2);"
  assert_equal "$(constraint_def "$FWD" p p_pkey)" "PRIMARY KEY (a, b)"
  assert_equal "$(constraints "$FWD" c)" "c_a_b_fkey:f,c_pkey:p"
  assert_equal "$(constraint_def "$FWD" c c_a_b_fkey)" "FOREIGN KEY (a, b) REFERENCES p(a, b)"
  assert_equal "$(q "$FWD" "select count(*) from c")" "2"
  assert_equal "$(constraint_def "$BACK" p p_pkey)" "PRIMARY KEY (a)"
  assert_equal "$(constraints "$BACK" c)" "c_a_fkey:f,c_pkey:p"
  assert_equal "$(constraint_def "$BACK" c c_a_fkey)" "FOREIGN KEY (a) REFERENCES p(a)"
}

# bats test_tags=long
@test "UNIQUE: add / drop" {
  roundtrip_both uniq \
    "create table t (id integer primary key, a integer, b integer, constraint t_a_key unique (a));" \
    "create table t (id integer primary key, a integer, b integer, constraint t_b_key unique (b));" \
    "insert into t values (1, 1, 1), (2, 2, 2);"
  assert_equal "$(constraints "$FWD" t)" "t_b_key:u,t_pkey:p"
  assert_equal "$(relation_exists "$FWD" t_a_key)" "0"
  assert_equal "$(constraint_def "$FWD" t t_b_key)" "UNIQUE (b)"
  assert_equal "$(constraints "$BACK" t)" "t_a_key:u,t_pkey:p"
  assert_equal "$(relation_exists "$BACK" t_b_key)" "0"
}

@test "UNIQUE options: NULLS NOT DISTINCT, DEFERRABLE, INCLUDE toggled" {
  roundtrip_both uniqopts \
    "create table t (id integer primary key, b integer, c integer, d integer, e integer, f integer,
       constraint t_b_key unique (b), constraint t_c_key unique (c), constraint t_d_key unique (d) include (e),
       constraint t_f_key unique nulls not distinct (f) deferrable initially deferred);" \
    "create table t (id integer primary key, b integer, c integer, d integer, e integer, f integer,
       constraint t_b_key unique nulls not distinct (b), constraint t_c_key unique (c) deferrable initially deferred,
       constraint t_d_key unique (d) include (f), constraint t_f_key unique (f) deferrable);" \
    "insert into t values (1, 1, 1, 1, 1, 1), (2, null, 2, 2, 2, null);"
  assert_equal "$(constraint_def "$FWD" t t_b_key)" "UNIQUE NULLS NOT DISTINCT (b)"
  assert_equal "$(constraint_def "$FWD" t t_c_key)" "UNIQUE (c) DEFERRABLE INITIALLY DEFERRED"
  assert_equal "$(constraint_def "$FWD" t t_d_key)" "UNIQUE (d) INCLUDE (f)"
  assert_equal "$(constraint_def "$FWD" t t_f_key)" "UNIQUE (f) DEFERRABLE"
  run q "$FWD" "insert into t (id, b) values (3, null)"
  assert_failure
  assert_equal "$(constraint_def "$BACK" t t_b_key)" "UNIQUE (b)"
  assert_equal "$(constraint_def "$BACK" t t_c_key)" "UNIQUE (c)"
  assert_equal "$(constraint_def "$BACK" t t_d_key)" "UNIQUE (d) INCLUDE (e)"
  assert_equal "$(constraint_def "$BACK" t t_f_key)" "UNIQUE NULLS NOT DISTINCT (f) DEFERRABLE INITIALLY DEFERRED"
  assert_equal "$(q "$BACK" "select count(*) from t")" "2"
}

# bats test_tags=long
@test "CHECK: add on a table with rows (NOT VALID, validated after COMMIT) / drop" {
  roundtrip_both checkadd \
    "create table t (id integer primary key, qty integer, price numeric);" \
    "create table t (id integer primary key, qty integer check (qty >= 0), price numeric, constraint price_positive check (price > 0));" \
    "insert into t values (1, 5, 1.5), (2, 0, 2);"
  tx_has "$FWD_FILE" 'ADD CONSTRAINT t_qty_check CHECK \(qty >= 0\) NOT VALID'
  tx_has "$FWD_FILE" 'ADD CONSTRAINT price_positive CHECK \(price > 0\) NOT VALID'
  post_has "$FWD_FILE" 'VALIDATE CONSTRAINT t_qty_check'
  post_has "$FWD_FILE" 'VALIDATE CONSTRAINT price_positive'
  tx_lacks "$FWD_FILE" 'VALIDATE CONSTRAINT'
  assert_equal "$(constraint_def "$FWD" t t_qty_check)" "CHECK ((qty >= 0))"
  assert_equal "$(constraint_def "$FWD" t price_positive)" "CHECK ((price > (0)::numeric))"
  assert_equal "$(q "$FWD" "select count(*) || ':' || bool_and(convalidated) from pg_constraint where conrelid = 't'::regclass and contype = 'c'")" "2:true"
  run q "$FWD" "insert into t values (3, -1, 1)"
  assert_failure
  assert_equal "$(constraints "$BACK" t)" "t_pkey:p"
  assert_equal "$(q "$BACK" "select count(*) from t")" "2"
}

@test "CHECK: change the expression, NO INHERIT toggled" {
  roundtrip_both checkchg \
    "create table t (id integer primary key, qty integer, constraint c1 check (qty > 0), constraint c2 check (qty < 100));" \
    "create table t (id integer primary key, qty integer, constraint c1 check (qty >= 0 and qty <> 13), constraint c2 check (qty < 100) no inherit);" \
    "insert into t values (1, 5);"
  assert_equal "$(constraint_def "$FWD" t c1)" "CHECK (((qty >= 0) AND (qty <> 13)))"
  assert_equal "$(constraint_def "$FWD" t c2)" "CHECK ((qty < 100)) NO INHERIT"
  assert_equal "$(q "$FWD" "select bool_and(convalidated) from pg_constraint where conrelid = 't'::regclass")" "t"
  assert_equal "$(constraint_def "$BACK" t c1)" "CHECK ((qty > 0))"
  assert_equal "$(constraint_def "$BACK" t c2)" "CHECK ((qty < 100))"
  assert_equal "$(q "$BACK" "select bool_and(convalidated) from pg_constraint where conrelid = 't'::regclass")" "t"
}

# bats test_tags=long
@test "FOREIGN KEY: add on existing tables (NOT VALID, validated after COMMIT) / drop" {
  roundtrip_both fkadd \
    "create table p (id integer primary key);
     create table c (id integer primary key, p_id integer);" \
    "create table p (id integer primary key);
     create table c (id integer primary key, p_id integer references p (id));" \
    "insert into p values (1), (2); insert into c values (10, 1), (11, null);"
  tx_has "$FWD_FILE" 'ADD CONSTRAINT c_p_id_fkey FOREIGN KEY \(p_id\) REFERENCES (public\.)?p ?\(id\) NOT VALID'
  post_has "$FWD_FILE" 'ALTER TABLE (public\.)?c VALIDATE CONSTRAINT c_p_id_fkey'
  tx_lacks "$FWD_FILE" 'VALIDATE CONSTRAINT'
  assert_equal "$(constraint_def "$FWD" c c_p_id_fkey)" "FOREIGN KEY (p_id) REFERENCES p(id)"
  assert_equal "$(q "$FWD" "select convalidated from pg_constraint where conname = 'c_p_id_fkey'")" "t"
  run q "$FWD" "insert into c values (12, 99)"
  assert_failure
  assert_equal "$(constraints "$BACK" c)" "c_pkey:p"
  assert_equal "$(q "$BACK" "select count(*) from c")" "2"
}

@test "FOREIGN KEY: change ON DELETE, DEFERRABLE toggled with ALTER CONSTRAINT" {
  roundtrip_both fkopts \
    "create table p (id integer primary key);
     create table c (id integer primary key, p_id integer references p (id) on delete restrict,
       q_id integer references p (id), r_id integer references p (id) deferrable initially deferred);" \
    "create table p (id integer primary key);
     create table c (id integer primary key, p_id integer references p (id) on delete cascade,
       q_id integer references p (id) deferrable initially deferred, r_id integer references p (id));" \
    "insert into p values (1), (2); insert into c values (10, 1, 2, 2);"
  assert_equal "$(constraint_def "$FWD" c c_p_id_fkey)" "FOREIGN KEY (p_id) REFERENCES p(id) ON DELETE CASCADE"
  assert_equal "$(constraint_def "$FWD" c c_q_id_fkey)" "FOREIGN KEY (q_id) REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED"
  assert_equal "$(constraint_def "$FWD" c c_r_id_fkey)" "FOREIGN KEY (r_id) REFERENCES p(id)"
  file_has "$FWD_FILE" 'ALTER CONSTRAINT c_q_id_fkey DEFERRABLE INITIALLY DEFERRED'
  file_has "$FWD_FILE" 'ALTER CONSTRAINT c_r_id_fkey NOT DEFERRABLE'
  file_lacks "$FWD_FILE" 'DROP CONSTRAINT c_(q|r)_id_fkey'
  assert_equal "$(q "$FWD" "select bool_and(convalidated) from pg_constraint where conrelid = 'c'::regclass")" "t"
  assert_equal "$(q "$FWD" "delete from p where id = 1; select count(*) from c")" "0"
  assert_equal "$(constraint_def "$BACK" c c_p_id_fkey)" "FOREIGN KEY (p_id) REFERENCES p(id) ON DELETE RESTRICT"
  assert_equal "$(constraint_def "$BACK" c c_q_id_fkey)" "FOREIGN KEY (q_id) REFERENCES p(id)"
  assert_equal "$(constraint_def "$BACK" c c_r_id_fkey)" "FOREIGN KEY (r_id) REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED"
  file_has "$BACK_FILE" 'ALTER CONSTRAINT c_q_id_fkey NOT DEFERRABLE'
  file_has "$BACK_FILE" 'ALTER CONSTRAINT c_r_id_fkey DEFERRABLE INITIALLY DEFERRED'
  run q "$BACK" "delete from p where id = 1"
  assert_failure
}

# bats test_tags=long
@test "FOREIGN KEY: composite (MATCH FULL, ON UPDATE CASCADE) and self-referencing" {
  roundtrip_both fkcomp \
    "create table p (a integer, b integer, primary key (a, b));
     create table c (id integer primary key, a integer, b integer);
     create table node (id integer primary key, parent integer);" \
    "create table p (a integer, b integer, primary key (a, b));
     create table c (id integer primary key, a integer, b integer,
       constraint c_ab_fkey foreign key (a, b) references p (a, b) match full on update cascade);
     create table node (id integer primary key, parent integer references node (id) on delete set null);" \
    "insert into p values (1, 1); insert into c values (10, 1, 1), (11, null, null);
     insert into node values (1, null), (2, 1);"
  assert_equal "$(constraint_def "$FWD" c c_ab_fkey)" "FOREIGN KEY (a, b) REFERENCES p(a, b) MATCH FULL ON UPDATE CASCADE"
  assert_equal "$(constraint_def "$FWD" node node_parent_fkey)" "FOREIGN KEY (parent) REFERENCES node(id) ON DELETE SET NULL"
  assert_equal "$(q "$FWD" "select bool_and(convalidated) from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace")" "t"
  assert_equal "$(q "$FWD" "update p set a = 5; select string_agg(coalesce(a::text, '-'), ',' order by id) from c")" "5,-"
  assert_equal "$(q "$FWD" "delete from node where id = 1; select coalesce(parent::text, 'null') from node")" "null"
  run q "$FWD" "insert into c values (12, 1, null)"
  assert_failure
  assert_equal "$(q "$BACK" "select count(*) from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace")" "0"
  assert_equal "$(q "$BACK" "select count(*) from node")" "2"
}

@test "EXCLUDE: add / drop (plain and with a WHERE predicate)" {
  roundtrip_both excl \
    "create table r (id integer primary key, during tsrange, area circle);" \
    "create table r (id integer primary key, during tsrange, area circle,
       constraint r_during_excl exclude using gist (during with &&),
       constraint r_area_excl exclude using gist (area with &&) where (id > 0));" \
    "insert into r values (1, '[2020-01-01,2020-01-02)', '<(0,0),1>'), (2, '[2020-01-03,2020-01-04)', '<(10,10),1>');"
  assert_equal "$(constraint_def "$FWD" r r_during_excl)" "EXCLUDE USING gist (during WITH &&)"
  assert_equal "$(constraint_def "$FWD" r r_area_excl)" "EXCLUDE USING gist (area WITH &&) WHERE ((id > 0))"
  run q "$FWD" "insert into r values (3, '[2020-01-01,2020-01-05)', null)"
  assert_failure
  assert_equal "$(constraints "$BACK" r)" "r_pkey:p"
  assert_equal "$(relation_exists "$BACK" r_during_excl)" "0"
  assert_equal "$(q "$BACK" "select count(*) from r")" "2"
}

# bats test_tags=long
@test "indexes: add on an existing table (CREATE INDEX CONCURRENTLY after COMMIT) / drop" {
  roundtrip_both idxadd \
    "create table t (id integer primary key, a integer, b text);" \
    "create table t (id integer primary key, a integer, b text);
     create index t_a_idx on t (a);
     create unique index t_b_uidx on t (lower(b));" \
    "insert into t values (1, 1, 'x'), (2, 2, 'y');"
  post_has "$FWD_FILE" '^CREATE INDEX CONCURRENTLY (IF NOT EXISTS )?t_a_idx ON (public\.)?t '
  post_has "$FWD_FILE" '^CREATE UNIQUE INDEX CONCURRENTLY (IF NOT EXISTS )?t_b_uidx ON (public\.)?t '
  tx_lacks "$FWD_FILE" 'CREATE (UNIQUE )?INDEX'
  assert_equal "$(index_def "$FWD" t_a_idx)" "CREATE INDEX t_a_idx ON public.t USING btree (a)"
  assert_equal "$(index_def "$FWD" t_b_uidx)" "CREATE UNIQUE INDEX t_b_uidx ON public.t USING btree (lower(b))"
  assert_equal "$(q "$FWD" "select bool_and(indisvalid) from pg_index where indrelid = 't'::regclass")" "t"
  assert_equal "$(index_def "$BACK" t_a_idx)" "<none>"
  assert_equal "$(index_def "$BACK" t_b_uidx)" "<none>"
  assert_equal "$(q "$BACK" "select count(*) from t")" "2"
}

@test "indexes: change columns, expression, predicate and method" {
  roundtrip_both idxchg \
    "create table t (id integer primary key, a integer, b integer, c text);
     create index i_cols on t (a);
     create index i_expr on t (lower(c));
     create index i_pred on t (b) where b > 0;
     create index i_meth on t (c);" \
    "create table t (id integer primary key, a integer, b integer, c text);
     create index i_cols on t (a, b);
     create index i_expr on t (upper(c));
     create index i_pred on t (b) where b > 10 and c is not null;
     create index i_meth on t using hash (c);" \
    "insert into t values (1, 1, 1, 'x');"
  assert_equal "$(index_def "$FWD" i_cols)" "CREATE INDEX i_cols ON public.t USING btree (a, b)"
  assert_equal "$(index_def "$FWD" i_expr)" "CREATE INDEX i_expr ON public.t USING btree (upper(c))"
  assert_equal "$(index_def "$FWD" i_pred)" "CREATE INDEX i_pred ON public.t USING btree (b) WHERE ((b > 10) AND (c IS NOT NULL))"
  assert_equal "$(index_def "$FWD" i_meth)" "CREATE INDEX i_meth ON public.t USING hash (c)"
  assert_equal "$(index_def "$BACK" i_cols)" "CREATE INDEX i_cols ON public.t USING btree (a)"
  assert_equal "$(index_def "$BACK" i_expr)" "CREATE INDEX i_expr ON public.t USING btree (lower(c))"
  assert_equal "$(index_def "$BACK" i_pred)" "CREATE INDEX i_pred ON public.t USING btree (b) WHERE (b > 0)"
  assert_equal "$(index_def "$BACK" i_meth)" "CREATE INDEX i_meth ON public.t USING btree (c)"
  assert_equal "$(q "$BACK" "select bool_and(indisvalid) from pg_index where indrelid = 't'::regclass")" "t"
}

# bats test_tags=long
@test "indexes: change operator class, DESC / NULLS, INCLUDE and WITH (fillfactor)" {
  roundtrip_both idxopts \
    "create table t (id integer primary key, a integer, b integer, c text);
     create index i_ops on t (c);
     create index i_desc on t (a);
     create index i_incl on t (a) include (b);
     create index i_ff on t (b) with (fillfactor = 70);" \
    "create table t (id integer primary key, a integer, b integer, c text);
     create index i_ops on t (c text_pattern_ops);
     create index i_desc on t (a desc nulls last, b nulls first);
     create index i_incl on t (a) include (c);
     create index i_ff on t (b) with (fillfactor = 90, deduplicate_items = off);" \
    "insert into t values (1, 1, 1, 'x');"
  assert_equal "$(index_def "$FWD" i_ops)" "CREATE INDEX i_ops ON public.t USING btree (c text_pattern_ops)"
  assert_equal "$(index_def "$FWD" i_desc)" "CREATE INDEX i_desc ON public.t USING btree (a DESC NULLS LAST, b NULLS FIRST)"
  assert_equal "$(index_def "$FWD" i_incl)" "CREATE INDEX i_incl ON public.t USING btree (a) INCLUDE (c)"
  assert_equal "$(index_def "$FWD" i_ff)" "CREATE INDEX i_ff ON public.t USING btree (b) WITH (fillfactor='90', deduplicate_items=off)"
  assert_equal "$(index_def "$BACK" i_ops)" "CREATE INDEX i_ops ON public.t USING btree (c)"
  assert_equal "$(index_def "$BACK" i_desc)" "CREATE INDEX i_desc ON public.t USING btree (a)"
  assert_equal "$(index_def "$BACK" i_incl)" "CREATE INDEX i_incl ON public.t USING btree (a) INCLUDE (b)"
  assert_equal "$(index_def "$BACK" i_ff)" "CREATE INDEX i_ff ON public.t USING btree (b) WITH (fillfactor='70')"
}

@test "comments on indexes and constraints: add, change, remove" {
  roundtrip_both idxcomment \
    "create table t (id integer primary key, a integer, constraint a_pos check (a > 0));
     create index t_a_idx on t (a);
     create index t_b on t (id, a);
     comment on index t_a_idx is 'old';
     comment on index t_b is 'goes away';" \
    "create table t (id integer primary key, a integer, constraint a_pos check (a > 0));
     create index t_a_idx on t (a);
     create index t_b on t (id, a);
     comment on index t_a_idx is 'new';
     comment on constraint t_pkey on t is 'the key''s comment';
     comment on constraint a_pos on t is 'positive';"
  assert_equal "$(relation_comment "$FWD" t_a_idx)" "new"
  assert_equal "$(relation_comment "$FWD" t_b)" "<none>"
  assert_equal "$(q "$FWD" "select obj_description(oid, 'pg_constraint') from pg_constraint where conname = 't_pkey'")" "the key's comment"
  assert_equal "$(q "$FWD" "select obj_description(oid, 'pg_constraint') from pg_constraint where conname = 'a_pos'")" "positive"
  assert_equal "$(relation_comment "$BACK" t_a_idx)" "old"
  assert_equal "$(relation_comment "$BACK" t_b)" "goes away"
  assert_equal "$(q "$BACK" "select coalesce(obj_description(oid, 'pg_constraint'), '<none>') from pg_constraint where conname = 't_pkey'")" "<none>"
  assert_equal "$(q "$BACK" "select coalesce(obj_description(oid, 'pg_constraint'), '<none>') from pg_constraint where conname = 'a_pos'")" "<none>"
}

@test "quoted names: constraints and indexes named \"Qty Positive\", \"By Name\", \"Order Items\" referencing \"user\"" {
  roundtrip_both quotedcons \
    "create table \"user\" (\"Id\" integer primary key, \"Name\" text);
     create table \"Order Items\" (id integer primary key, \"User Id\" integer, qty integer);" \
    "create table \"user\" (\"Id\" integer primary key, \"Name\" text, constraint \"Name Unique\" unique (\"Name\"));
     create table \"Order Items\" (id integer primary key, \"User Id\" integer, qty integer,
       constraint \"Qty Positive\" check (qty > 0),
       constraint \"User FK\" foreign key (\"User Id\") references \"user\" (\"Id\") on delete cascade);
     create index \"By Name\" on \"user\" (lower(\"Name\")) where \"Name\" <> 'x';
     create index \"order items user\" on \"Order Items\" (\"User Id\", qty desc);
     comment on index \"By Name\" is 'lower case';" \
    "insert into \"user\" values (1, 'Ann'); insert into \"Order Items\" values (1, 1, 2);"
  assert_equal "$(constraint_def "$FWD" '"user"' 'Name Unique')" 'UNIQUE ("Name")'
  assert_equal "$(constraint_def "$FWD" '"Order Items"' 'Qty Positive')" "CHECK ((qty > 0))"
  assert_equal "$(constraint_def "$FWD" '"Order Items"' 'User FK')" 'FOREIGN KEY ("User Id") REFERENCES "user"("Id") ON DELETE CASCADE'
  assert_equal "$(index_def "$FWD" '"By Name"')" "CREATE INDEX \"By Name\" ON public.\"user\" USING btree (lower(\"Name\")) WHERE (\"Name\" <> 'x'::text)"
  assert_equal "$(index_def "$FWD" '"order items user"')" 'CREATE INDEX "order items user" ON public."Order Items" USING btree ("User Id", qty DESC)'
  assert_equal "$(relation_comment "$FWD" '"By Name"')" "lower case"
  assert_equal "$(q "$FWD" "select bool_and(convalidated) from pg_constraint where connamespace = 'public'::regnamespace")" "t"
  assert_equal "$(constraints "$BACK" '"Order Items"')" "Order Items_pkey:p"
  assert_equal "$(constraints "$BACK" '"user"')" "user_pkey:p"
  assert_equal "$(index_def "$BACK" '"By Name"')" "<none>"
  assert_equal "$(q "$BACK" "select count(*) from \"Order Items\"")" "1"
}

@test "comment on the index of a PRIMARY KEY / UNIQUE constraint" {
  # PostgreSQL keeps the comment of a constraint's index apart from the
  # constraint's own comment; both exist once CREATE TABLE has run.
  roundtrip_both conidxcomment \
    "create table t (id integer primary key, a integer unique);" \
    "create table t (id integer primary key, a integer unique);
     comment on index t_pkey is 'the primary key index';
     comment on index t_a_key is 'the unique index';"
  assert_equal "$(relation_comment "$FWD" t_pkey)" "the primary key index"
  assert_equal "$(relation_comment "$FWD" t_a_key)" "the unique index"
  assert_equal "$(relation_comment "$BACK" t_pkey)" "<none>"
  assert_equal "$(relation_comment "$BACK" t_a_key)" "<none>"
}

@test "--shadow-db none: CHECKs with implicit casts, expression and partial indexes, FOREIGN KEYs converge" {
  RT_SHADOW=none roundtrip_both noshadow \
    "create table t (id integer primary key, price numeric, c text, d date);" \
    "create table t (id integer primary key, price numeric, c text, d date,
       constraint price_pos check (price > 0), constraint d_recent check (d > '2000-01-01'));
     create index t_c_lower on t (lower(c)) where c <> 'x';
     create table u (id integer primary key, t_id integer references t on delete cascade);" \
    "insert into t values (1, 2.5, 'a', '2020-01-01');"
  assert_equal "$(constraint_def "$FWD" t price_pos)" "CHECK ((price > (0)::numeric))"
  assert_equal "$(constraint_def "$FWD" t d_recent)" "CHECK ((d > '2000-01-01'::date))"
  assert_equal "$(index_def "$FWD" t_c_lower)" "CREATE INDEX t_c_lower ON public.t USING btree (lower(c)) WHERE (c <> 'x'::text)"
  assert_equal "$(constraint_def "$FWD" u u_t_id_fkey)" "FOREIGN KEY (t_id) REFERENCES t(id) ON DELETE CASCADE"
  assert_equal "$(q "$FWD" "select bool_and(convalidated) from pg_constraint where connamespace = 'public'::regnamespace")" "t"
  assert_equal "$(constraints "$BACK" t)" "t_pkey:p"
  assert_equal "$(relation_exists "$BACK" u)" "0"
  assert_equal "$(index_def "$BACK" t_c_lower)" "<none>"
}
