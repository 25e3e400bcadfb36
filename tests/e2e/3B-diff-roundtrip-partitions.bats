#!/usr/bin/env bats
# Round trips of partitioned tables, partitions and table inheritance: from a
# database loaded with BEFORE, generate + apply reach AFTER; drift finds nothing; the catalog is what AFTER says; rows
# survive (see roundtrip.bash). Also: parse and snapshot agree on a partitioned
# schema, a changed bound is a PARTITION_CHANGE hazard, a changed partition key
# is refused, and drift names a partition added by hand.
bats_require_minimum_version 1.5.0
load helpers
load roundtrip
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

parent_of() { q "$1" "select coalesce((select inhparent::regclass::text from pg_inherits where inhrelid = '$2'::regclass), '-')"; }
bound_of() { q "$1" "select coalesce(pg_get_expr(relpartbound, oid), '-') from pg_class where oid = '$2'::regclass"; }
partkey_of() { q "$1" "select coalesce(pg_get_partkeydef('$2'::regclass), '-')"; }
parents_of() { q "$1" "select coalesce(string_agg(inhparent::regclass::text, ',' order by inhseqno), '-') from pg_inherits where inhrelid = '$2'::regclass"; }

RANGE_BASE="create table m (id integer not null, day date not null, v integer default 0) partition by range (day);
     create table m_2024 partition of m for values from ('2024-01-01') to ('2025-01-01');"

# bats test_tags=long
@test "range partitioning: a partitioned table with partitions, created / dropped" {
  roundtrip_both range "create table keep (id integer);" \
    "create table keep (id integer);
     $RANGE_BASE
     create table m_2025 partition of m for values from ('2025-01-01') to ('2026-01-01');
     create table m_other partition of m default;" \
    "insert into keep values (1);"
  assert_equal "$(partkey_of "$FWD" m)" "RANGE (day)"
  assert_equal "$(bound_of "$FWD" m_2025)" "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
  assert_equal "$(bound_of "$FWD" m_other)" "DEFAULT"
  file_has "$FWD_FILE" '^CREATE TABLE public\.m_2024 PARTITION OF public\.m FOR VALUES FROM'
  assert_equal "$(q "$FWD" "insert into m values (1, '2025-06-01'), (2, '2030-01-01'); select string_agg(tableoid::regclass::text, ',' order by id) from m")" "m_2025,m_other"
  assert_equal "$(relation_exists "$BACK" m)" "0"
  assert_equal "$(q "$BACK" "select count(*) from keep")" "1"
}

# bats test_tags=long
@test "list and hash partitioning, sub-partitions, partition column defaults" {
  roundtrip_both listhash "create table keep (id integer);" \
    "create table keep (id integer);
     create table orders (id bigint not null, region text not null, priority integer default 0, notes text) partition by list (region);
     create table orders_eu partition of orders for values in ('eu', 'uk');
     create table orders_us partition of orders (priority default 10, notes not null) for values in ('us');
     create table h (id integer, v text) partition by hash (id);
     create table h0 partition of h for values with (modulus 2, remainder 0) partition by range ((lower(v)));
     create table h0a partition of h0 for values from (minvalue) to ('m');
     create table h0b partition of h0 default;
     create table h1 partition of h for values with (modulus 2, remainder 1);"
  assert_equal "$(partkey_of "$FWD" orders)" "LIST (region)"
  assert_equal "$(bound_of "$FWD" orders_eu)" "FOR VALUES IN ('eu', 'uk')"
  assert_equal "$(partkey_of "$FWD" h0)" "RANGE (lower(v))"
  assert_equal "$(parent_of "$FWD" h0a)" "h0"
  assert_equal "$(bound_of "$FWD" h1)" "FOR VALUES WITH (modulus 2, remainder 1)"
  assert_equal "$(q "$FWD" "select pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'orders_us'::regclass")" "10"
  assert_equal "$(q "$FWD" "select attnotnull from pg_attribute where attrelid = 'orders_us'::regclass and attname = 'notes'")" "t"
  assert_equal "$(q "$FWD" "select attnotnull from pg_attribute where attrelid = 'orders_eu'::regclass and attname = 'notes'")" "f"
}

@test "partitions added and dropped; a column added to the parent is one ADD COLUMN; rows kept" {
  roundtrip_both addpart "$RANGE_BASE
     create table m_2023 partition of m for values from ('2023-01-01') to ('2024-01-01');" \
    "create table m (id integer not null, day date not null, v integer default 0, note text) partition by range (day);
     create table m_2024 partition of m for values from ('2024-01-01') to ('2025-01-01');
     create table m_2025 partition of m for values from ('2025-01-01') to ('2026-01-01');" \
    "insert into m values (1, '2024-05-05', 7);"
  file_has "$FWD_FILE" '^ALTER TABLE public\.m ADD COLUMN note text;'
  assert_equal "$(grep -c '^ALTER TABLE .* ADD COLUMN' "$FWD_FILE")" "1"
  file_has "$FWD_FILE" '^DROP TABLE public\.m_2023;'
  file_has "$FWD_FILE" '^CREATE TABLE public\.m_2025 PARTITION OF public\.m'
  assert_equal "$(columns "$FWD" m_2024)" "id,day,v,note"
  assert_equal "$(q "$FWD" "select id || ':' || v from m")" "1:7"
  assert_equal "$(columns "$BACK" m_2024)" "id,day,v"
  assert_equal "$(q "$BACK" "select id || ':' || v from m")" "1:7"
}

# bats test_tags=long
@test "a changed bound is DETACH + ATTACH: refused without PARTITION_CHANGE, applied with it, rows kept" {
  RT_REFUSE=PARTITION_CHANGE RT_ALLOW=PARTITION_CHANGE roundtrip bound \
    "$RANGE_BASE" \
    "create table m (id integer not null, day date not null, v integer default 0) partition by range (day);
     create table m_2024 partition of m for values from ('2024-01-01') to ('2024-07-01');" \
    "insert into m values (1, '2024-02-02');"
  file_has "$RT_FILE" '^-- hazards: .*PARTITION_CHANGE'
  file_has "$RT_FILE" '^ALTER TABLE public\.m DETACH PARTITION public\.m_2024;'
  file_has "$RT_FILE" "^ALTER TABLE public\.m ATTACH PARTITION public\.m_2024 FOR VALUES FROM \('2024-01-01'\) TO \('2024-07-01'\);"
  assert_equal "$(bound_of "$RT_DB" m_2024)" "FOR VALUES FROM ('2024-01-01') TO ('2024-07-01')"
  assert_equal "$(q "$RT_DB" "select count(*) from m")" "1"
}

@test "a table becomes a partition (ATTACH) and a partition becomes a table (DETACH)" {
  roundtrip_both attach \
    "$RANGE_BASE
     create table m_2025 (id integer not null, day date not null, v integer default 0);" \
    "$RANGE_BASE
     create table m_2025 partition of m for values from ('2025-01-01') to ('2026-01-01');" \
    "insert into m_2025 values (5, '2025-03-03');" "insert into m values (5, '2025-03-03');"
  file_has "$FWD_FILE" '^ALTER TABLE public\.m ATTACH PARTITION public\.m_2025 FOR VALUES'
  assert_equal "$(parent_of "$FWD" m_2025)" "m"
  assert_equal "$(q "$FWD" "select count(*) from m")" "1"
  file_has "$BACK_FILE" '^ALTER TABLE public\.m DETACH PARTITION public\.m_2025;'
  assert_equal "$(parent_of "$BACK" m_2025)" "-"
  assert_equal "$(q "$BACK" "select count(*) from m_2025")" "1"
}

# bats test_tags=long
@test "a changed partition key recreates the table and its partitions: refused without DATA_LOSS, applied with it" {
  RT_REFUSE=DATA_LOSS RT_ALLOW=DATA_LOSS roundtrip key \
    "create table m (id integer, day date) partition by range (day);
     create table m_a partition of m for values from ('2024-01-01') to ('2025-01-01');
     create table plain (id serial, v text);
     create table k1 (id integer); create table k2 (id integer); create table k3 (id integer); create table k4 (id integer);" \
    "create table m (id integer, day date) partition by list (id);
     create table m_a partition of m for values in (1, 2);
     create table plain (id serial, v text) partition by hash (id);
     create table plain_0 partition of plain for values with (modulus 1, remainder 0);
     create table k1 (id integer); create table k2 (id integer); create table k3 (id integer); create table k4 (id integer);" \
    "insert into m values (1, '2024-02-02'); insert into plain (v) values ('x');"
  file_has "$RT_FILE" '^-- hazards: DATA_LOSS$'
  file_has "$RT_FILE" '^-- DROP TABLE m \(recreated because its partition key changes \(PARTITION BY RANGE \(day\) -> PARTITION BY LIST \(id\)\)\)'
  file_has "$RT_FILE" '^DROP TABLE public\.m_a;'
  file_has "$RT_FILE" '^CREATE TABLE public\.m_a PARTITION OF public\.m FOR VALUES IN \(1, 2\);'
  assert_equal "$(partkey_of "$RT_DB" m)" "LIST (id)"
  assert_equal "$(partkey_of "$RT_DB" plain)" "HASH (id)"
  # the serial column's sequence survives the table (OWNED BY NONE, then owned again)
  file_has "$RT_FILE" '^ALTER SEQUENCE public\.plain_id_seq OWNED BY NONE;'
  assert_equal "$(q "$RT_DB" "insert into plain (v) values ('y') returning id")" "2"
  assert_equal "$(q "$RT_DB" "select count(*) from m")" "0"
}

@test "a table with inheriting children cannot become partitioned: refused, naming both" {
  local db dir="$BATS_TEST_TMPDIR/keyinh"
  mkdir -p "$dir/schema" && cd "$dir"
  db=$(new_db keyinh)
  sql "$db" "create table m (id integer, day date); create table kid () inherits (m);"
  echo "create table m (id integer, day date) partition by range (day); create table kid (id integer, day date);" > schema/s.sql
  run pg-flux migrate generate --db "$db" --label x
  assert_failure
  assert_output --partial 'the partition key of table m changes (not partitioned -> PARTITION BY RANGE (day)), which means recreating it, but table kid inherits from it'
}

# bats test_tags=long
@test "an index on the partitioned table is one object; partitions get theirs from PostgreSQL" {
  roundtrip_both pidx "$RANGE_BASE
     create table m_2025 partition of m for values from ('2025-01-01') to ('2026-01-01');" \
    "$RANGE_BASE
     create table m_2025 partition of m for values from ('2025-01-01') to ('2026-01-01');
     create index m_v_idx on m (v);
     create index m_2024_local_idx on m_2024 (id);" \
    "insert into m values (1, '2024-02-02', 3);"
  file_has "$FWD_FILE" '^CREATE INDEX m_v_idx ON public\.m USING btree \(v\);'
  file_lacks "$FWD_FILE" 'CONCURRENTLY public\.m '
  assert_equal "$(grep -c '^CREATE INDEX' "$FWD_FILE")" "2"
  assert_equal "$(q "$FWD" "select count(*) from pg_inherits where inhparent = 'm_v_idx'::regclass")" "2"
  assert_equal "$(q "$BACK" "select count(*) from pg_indexes where schemaname = 'public'")" "0"
}

@test "primary keys and foreign keys to and from partitioned tables" {
  roundtrip_both pfk "create table keep (id integer);" \
    "create table keep (id integer);
     create table cust (id integer primary key, region text not null) ;
     create table ord (id integer not null, day date not null, cust_id integer references cust,
       primary key (id, day)) partition by range (day);
     create table ord_2024 partition of ord for values from ('2024-01-01') to ('2025-01-01');
     create table line (ord_id integer not null, ord_day date not null, n integer,
       foreign key (ord_id, ord_day) references ord (id, day) on delete cascade);" \
    "insert into keep values (1);"
  assert_equal "$(constraint_def "$FWD" ord ord_pkey)" "PRIMARY KEY (id, day)"
  assert_equal "$(constraint_def "$FWD" line line_ord_id_ord_day_fkey)" "FOREIGN KEY (ord_id, ord_day) REFERENCES ord(id, day) ON DELETE CASCADE"
  assert_equal "$(q "$FWD" "insert into cust values (1, 'x'); insert into ord values (1, '2024-03-03', 1); insert into line values (1, '2024-03-03', 1); delete from ord; select count(*) from line")" "0"
  assert_equal "$(relation_exists "$BACK" ord)" "0"
}

# bats test_tags=long
@test "inheritance: a child with INHERITS, added and removed in place (INHERIT / NO INHERIT)" {
  roundtrip_both inh \
    "create table base (id integer not null, kind text check (kind <> ''));
     create table child (id integer not null, kind text, extra integer);
     create table other (id integer not null, kind text) inherits (base);" \
    "create table base (id integer not null, kind text check (kind <> ''));
     create table child (extra integer) inherits (base);
     create table other (id integer not null, kind text);" \
    "insert into child values (1, 'a', 2); insert into other values (3, 'b');"
  file_has "$FWD_FILE" "^ALTER TABLE public\\.child ADD CONSTRAINT base_kind_check CHECK \\(kind <> ''\\), INHERIT public\\.base;"
  file_has "$FWD_FILE" '^ALTER TABLE public\.other NO INHERIT public\.base;'
  file_has "$FWD_FILE" '^ALTER TABLE public\.other DROP CONSTRAINT base_kind_check;'
  assert_equal "$(parents_of "$FWD" child)" "base"
  assert_equal "$(parents_of "$FWD" other)" "-"
  assert_equal "$(q "$FWD" "select count(*) from base")" "1"
  assert_equal "$(q "$FWD" "select conislocal || ':' || coninhcount from pg_constraint where conrelid = 'child'::regclass")" "true:1"
  assert_equal "$(q "$FWD" "select count(*) from pg_constraint where conrelid = 'other'::regclass")" "0"
  assert_equal "$(parents_of "$BACK" child)" "-"
  assert_equal "$(parents_of "$BACK" other)" "base"
  assert_equal "$(q "$BACK" "select count(*) from base")" "1"
}

@test "inheritance: new children with their own columns and checks; a column added to the parent once" {
  roundtrip_both inh2 \
    "create table base (id integer not null);" \
    "create table base (id integer not null, note text);
     create table a (extra integer, constraint a_extra check (extra > 0)) inherits (base);
     create table b (id integer not null default 7, more text) inherits (base);"
  assert_equal "$(columns "$FWD" a)" "id,note,extra"
  assert_equal "$(columns "$FWD" b)" "id,note,more"
  assert_equal "$(q "$FWD" "select pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'b'::regclass")" "7"
  assert_equal "$(grep -c '^ALTER TABLE .* ADD COLUMN' "$FWD_FILE")" "1"
}

# bats test_tags=long
@test "parse and snapshot agree on a partitioned schema; drift names a partition added by hand" {
  local db dir="$BATS_TEST_TMPDIR/agree"
  mkdir -p "$dir/schema" && cd "$dir"
  cat > schema/s.sql <<'SQL'
create table m (id integer not null, day date not null, v integer default 0, primary key (id, day)) partition by range (day);
create table m_2024 partition of m (v default 5) for values from ('2024-01-01') to ('2025-01-01');
create table m_rest partition of m default partition by list (id);
create table m_rest_1 partition of m_rest for values in (1, 2);
create index m_v_idx on m (v);
create table base (id integer, t text collate "C", check (id > 0) no inherit);
create table kid (x integer) inherits (base);
SQL
  db=$(new_db agree)
  load_schema "$db"
  run -0 bash -c "flux-parse schema > parsed.json && flux-snapshot --db '$db' > live.json"
  run -0 bash -c "flux-diff live.json parsed.json | jq -r '.steps | length'"
  assert_output "0"
  run -0 pg-flux drift --db "$db"
  sql "$db" "create table m_2025 partition of m for values from ('2025-01-01') to ('2026-01-01');"
  run pg-flux drift --db "$db"
  assert_failure
  assert_line --partial 'DROP TABLE m_2025'
  assert_equal "$(echo "$output" | grep -c 'm_2025')" "1"
}

@test "inheritance: a column the parent drops but the child keeps is added back to the child" {
  roundtrip dropkeep \
    "create table base (created_at timestamp default now(), e integer);
     create table a (a1 integer, a2 integer) inherits (base);" \
    "create table base (created_at timestamp default now());
     create table a (a1 integer, e integer) inherits (base);"
  file_has "$RT_FILE" '^ALTER TABLE public\.base DROP COLUMN e;'
  file_has "$RT_FILE" '^ALTER TABLE public\.a ADD COLUMN IF NOT EXISTS e integer;'
  assert_equal "$(q "$RT_DB" "select string_agg(attname || ':' || attinhcount, ',' order by attnum) from pg_attribute where attrelid = 'a'::regclass and attnum > 0 and not attisdropped")" "created_at:1,a1:0,e:0"
}
