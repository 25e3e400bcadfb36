// Unit tests for the source reader: schema files in temporary directories
// become a Model (ordering, search_path, serial, identity, implicit names,
// LIKE, USING INDEX), and errors carry file:line:column with exit code 2.
#include "source/source_reader.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model/attributes.h"
#include "source/schema_dir_test_support.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace {

ObjectId table_id(const std::string& schema, const std::string& name) { return {Kind::table, schema, name, ""}; }
ObjectId constraint_id(const std::string& schema, const std::string& name, const std::string& table) {
    return {Kind::constraint, schema, name, table};
}
ObjectId index_id(const std::string& schema, const std::string& name, const std::string& table) {
    return {Kind::index, schema, name, table};
}

const json& column_of(const Model& m, const ObjectId& table, const std::string& column) {
    const Object* t = m.find(table);
    if (!t) throw std::runtime_error("no " + table.describe());
    int i = column_index(t->attrs, column);
    if (i < 0) throw std::runtime_error("no column " + column);
    return t->attrs["columns"][i];
}

std::vector<std::string> names_of_kind(const Model& m, Kind kind) {
    std::vector<std::string> out;
    for (const auto& [id, o] : m.objects)
        if (id.kind == kind) out.push_back(id.name);
    return out;
}


TEST(ReadSource, DomainsGetPostgresImplicitCheckNamesAndAlterDomainMerges) {
    SchemaDir dir;
    dir.write("schema.sql",
              "CREATE TABLE t (id d);\n"
              "CREATE DOMAIN d AS int4 DEFAULT 1 NOT NULL CHECK (VALUE > 0) CONSTRAINT named CHECK (VALUE < 9) CHECK (VALUE <> 5);\n"
              "ALTER DOMAIN d ADD CHECK (VALUE <> 6);\n"
              "ALTER DOMAIN d DROP CONSTRAINT named;\n"
              "ALTER DOMAIN d DROP DEFAULT;\n"
              "COMMENT ON CONSTRAINT d_check ON DOMAIN d IS 'positive';\n");
    Model m = dir.read();
    const Object* d = m.find(ObjectId{Kind::domain, "public", "d"});
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->attrs["type"], "integer");
    EXPECT_EQ(d->attrs["not_null"], true);
    EXPECT_FALSE(d->attrs.contains("default"));
    json names = json::array();
    for (const auto& [name, expression] : d->attrs["checks"].items()) names.push_back(name);
    EXPECT_EQ(names, (json{"d_check", "d_check1", "d_check2"}));
    EXPECT_EQ(d->attrs["check_comments"], (json{{"d_check", "positive"}}));
    // The column's type resolves to the domain declared later in the file.
    EXPECT_EQ(column_of(m, table_id("public", "t"), "id")["type"], "public.d");
    EXPECT_NE(m.find(table_id("public", "t"))->dependency_on(d->id), nullptr);
}

TEST(ReadSource, RangeTypesNameTheirMultirangeAsPostgresDoes) {
    SchemaDir dir;
    dir.write("schema.sql",
              "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = pg_catalog.float8mi);\n"
              "CREATE TYPE spans AS RANGE (subtype = text, collation = \"C\");\n"
              "CREATE TYPE r2 AS RANGE (subtype = int4, multirange_type_name = many);\n"
              "CREATE TABLE t (a floatmultirange, b spans_multirange, c many[]);\n");
    Model m = dir.read();
    const Object* floats = m.find(ObjectId{Kind::range_type, "public", "floatrange"});
    ASSERT_NE(floats, nullptr);
    EXPECT_EQ(floats->attrs, (json{{"subtype", "double precision"}, {"subtype_diff", "float8mi"}, {"multirange", "floatmultirange"}}));
    EXPECT_EQ(m.find(ObjectId{Kind::range_type, "public", "spans"})->attrs["multirange"], "spans_multirange");
    EXPECT_EQ(m.find(ObjectId{Kind::range_type, "public", "spans"})->attrs["collation"], "pg_catalog.\"C\"");
    const Object* t = m.find(table_id("public", "t"));
    EXPECT_EQ(column_of(m, t->id, "c")["type"], "public.many[]");
    for (const char* range : {"floatrange", "spans", "r2"})
        EXPECT_NE(t->dependency_on(ObjectId{Kind::range_type, "public", range}), nullptr) << range;
}

TEST(ReadSource, CompositeTypesKeepAttributeOrderAndComments) {
    SchemaDir dir;
    dir.write("schema.sql",
              "CREATE TYPE pair AS (b text COLLATE \"C\", a int4);\n"
              "COMMENT ON COLUMN pair.a IS 'second';\n"
              "COMMENT ON TYPE pair IS 'a pair';\n");
    Model m = dir.read();
    const Object* pair = m.find(ObjectId{Kind::composite_type, "public", "pair"});
    ASSERT_NE(pair, nullptr);
    EXPECT_EQ(pair->attrs, (json{{"attributes", json::array({{{"name", "b"}, {"type", "text"}, {"collation", "pg_catalog.\"C\""}},
                                                              {{"name", "a"}, {"type", "integer"}, {"comment", "second"}}})},
                                 {"comment", "a pair"}}));
}

TEST(ReadSource, TablesColumnsAndProvenance) {
    SchemaDir dir;
    std::string file = dir.write("schema.sql", "CREATE TABLE users (id integer NOT NULL, email varchar(200), note text DEFAULT 'x');");
    Model m = dir.read();
    const Object* users = m.find(table_id("public", "users"));
    ASSERT_NE(users, nullptr);
    EXPECT_EQ(users->attrs["unlogged"], false);
    EXPECT_EQ(column_of(m, users->id, "id"), (json{{"name", "id"}, {"type", "integer"}, {"not_null", true}}));
    EXPECT_EQ(column_of(m, users->id, "email")["type"], "character varying(200)");
    EXPECT_EQ(column_of(m, users->id, "note")["default"], "'x'");
    ASSERT_TRUE(users->location.has_value());
    EXPECT_EQ(users->location->text(), file + ":1:1");
    EXPECT_EQ(m.source["type"], "files");
    EXPECT_EQ(m.source["files"], json::array({file}));
}

TEST(ReadSource, FilesAreReadRecursivelyInPathOrder) {
    SchemaDir dir;
    std::string b = dir.write("b.sql", "CREATE SCHEMA b;");
    std::string a2 = dir.write("a/2.sql", "CREATE SCHEMA a2;");
    std::string a1 = dir.write("a/1.sql", "CREATE SCHEMA a1;");
    dir.write("readme.txt", "not sql");
    EXPECT_EQ(source_files({dir.path()}), (std::vector<std::string>{a1, a2, b}));
    Model m = dir.read();
    EXPECT_EQ(names_of_kind(m, Kind::schema), (std::vector<std::string>{"a1", "a2", "b"}));
}

TEST(ReadSource, MissingPathIsAnError) {
    Failure f = failure_of([] { read_source({"/nonexistent/pgflux/schema"}); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_NE(f.message.find("schema path \"/nonexistent/pgflux/schema\" does not exist"), std::string::npos) << f.message;
}

TEST(ReadSource, ForwardReferencesAcrossFiles) {
    SchemaDir dir;
    dir.write("a_orders.sql",
              "CREATE INDEX ON orders (user_id);\n"
              "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, m app.mood);\n");
    dir.write("b_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
    dir.write("c_types.sql", "CREATE TYPE app.mood AS ENUM ('a', 'b');\nCREATE SCHEMA app;\n");
    Model m = dir.read();
    EXPECT_NE(m.find(table_id("public", "users")), nullptr);
    EXPECT_NE(m.find(index_id("public", "orders_user_id_idx", "orders")), nullptr);
    EXPECT_EQ(column_of(m, table_id("public", "orders"), "m")["type"], "app.mood");
    const Object* fk = m.find(constraint_id("public", "orders_user_id_fkey", "orders"));
    ASSERT_NE(fk, nullptr);
    EXPECT_EQ(fk->attrs["type"], "foreign_key");
    EXPECT_EQ(fk->attrs["columns"], json::array({"user_id"}));
    EXPECT_EQ(fk->attrs["references"], (json{{"schema", "public"}, {"table", "users"}, {"columns", {"id"}}}));
    EXPECT_EQ(fk->attrs["on_delete"], "no action");
    EXPECT_EQ(fk->attrs["match"], "simple");
    // Dependencies are computed: the foreign key needs the referenced key.
    EXPECT_NE(fk->dependency_on(constraint_id("public", "users_pkey", "users")), nullptr);
}

TEST(ReadSource, UnqualifiedEnumDeclaredLaterInTheSameFile) {
    Model m = read_sql("CREATE TABLE t (m mood, ms mood[]);\nCREATE TYPE mood AS ENUM ('x');\n");
    EXPECT_EQ(column_of(m, table_id("public", "t"), "m")["type"], "public.mood");
    EXPECT_EQ(column_of(m, table_id("public", "t"), "ms")["type"], "public.mood[]");
}

TEST(ReadSource, SearchPathAppliesToTheRestOfTheFile) {
    SchemaDir dir;
    dir.write("a.sql",
              "CREATE TABLE first (id int PRIMARY KEY);\n"
              "SET search_path TO app, public;\n"
              "CREATE TYPE mood AS ENUM ('a');\n"
              "CREATE TABLE second (m mood, f int REFERENCES first);\n");
    dir.write("b.sql", "CREATE SCHEMA app;\nCREATE TABLE third (id int);\n");
    Model m = dir.read();
    EXPECT_NE(m.find(table_id("public", "first")), nullptr);
    EXPECT_NE(m.find(table_id("app", "second")), nullptr);
    EXPECT_NE(m.find(table_id("public", "third")), nullptr);
    EXPECT_NE(m.find(ObjectId{Kind::enumeration, "app", "mood", ""}), nullptr);
    EXPECT_EQ(column_of(m, table_id("app", "second"), "m")["type"], "app.mood");
    const Object* fk = m.find(constraint_id("app", "second_f_fkey", "second"));
    ASSERT_NE(fk, nullptr);
    EXPECT_EQ(fk->attrs["references"]["schema"], "public");
}

TEST(ReadSource, PgDumpSetConfigSetsTheSearchPath) {
    Model m = read_sql(
        "SET statement_timeout = 0;\n"
        "SET client_encoding = 'UTF8';\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE SCHEMA app;\n"
        "CREATE TABLE app.a (id int);\n"
        "SELECT pg_catalog.set_config('search_path', 'app', false);\n"
        "CREATE TABLE b (id int);\n");
    EXPECT_NE(m.find(table_id("app", "a")), nullptr);
    EXPECT_NE(m.find(table_id("app", "b")), nullptr);
}

TEST(ReadSource, SearchPathResetGoesBackToPublic) {
    Model m = read_sql("CREATE SCHEMA app;\nSET search_path = app;\nCREATE TABLE a (id int);\nRESET search_path;\nCREATE TABLE b (id int);\n");
    EXPECT_NE(m.find(table_id("app", "a")), nullptr);
    EXPECT_NE(m.find(table_id("public", "b")), nullptr);
}

TEST(ReadSource, SerialBecomesASequenceAndADefault) {
    Model m = read_sql("CREATE TABLE users (id serial PRIMARY KEY, big bigserial, small smallserial);");
    const json& id = column_of(m, table_id("public", "users"), "id");
    EXPECT_EQ(id["type"], "integer");
    EXPECT_EQ(id["not_null"], true);
    EXPECT_EQ(id["default"], "nextval('public.users_id_seq'::regclass)");
    const Object* seq = m.find(ObjectId{Kind::sequence, "public", "users_id_seq", ""});
    ASSERT_NE(seq, nullptr);
    EXPECT_EQ(seq->attrs["data_type"], "integer");
    EXPECT_EQ(seq->attrs["start"], 1);
    EXPECT_EQ(seq->attrs["increment"], 1);
    EXPECT_EQ(seq->attrs["min_value"], 1);
    EXPECT_EQ(seq->attrs["max_value"], 2147483647);
    EXPECT_EQ(seq->attrs["cache"], 1);
    EXPECT_EQ(seq->attrs["cycle"], false);
    EXPECT_EQ(seq->attrs["owned_by"], (json{{"table", "users"}, {"column", "id"}}));

    EXPECT_EQ(column_of(m, table_id("public", "users"), "big")["type"], "bigint");
    const Object* big = m.find(ObjectId{Kind::sequence, "public", "users_big_seq", ""});
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(big->attrs["max_value"], 9223372036854775807LL);
    const Object* small = m.find(ObjectId{Kind::sequence, "public", "users_small_seq", ""});
    ASSERT_NE(small, nullptr);
    EXPECT_EQ(small->attrs["data_type"], "smallint");
    EXPECT_EQ(small->attrs["max_value"], 32767);
    // The table depends on its sequences.
    EXPECT_NE(m.find(table_id("public", "users"))->dependency_on(seq->id), nullptr);
}

TEST(ReadSource, SerialSequenceNameAvoidsTakenNames) {
    Model m = read_sql("CREATE SEQUENCE t_id_seq;\nCREATE TABLE t (id serial);");
    EXPECT_EQ(column_of(m, table_id("public", "t"), "id")["default"], "nextval('public.t_id_seq1'::regclass)");
    EXPECT_NE(m.find(ObjectId{Kind::sequence, "public", "t_id_seq1", ""}), nullptr);
}

TEST(ReadSource, SerialWithADefaultIsAnError) {
    Failure f = failure_of([] { read_sql("CREATE TABLE t (id serial DEFAULT 1);"); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_NE(f.message.find("a serial column cannot also have a DEFAULT"), std::string::npos) << f.message;
}

TEST(ReadSource, IdentityColumns) {
    Model m = read_sql(
        "CREATE TABLE t (\n"
        "  a bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5),\n"
        "  b int GENERATED BY DEFAULT AS IDENTITY\n"
        ");");
    const json& a = column_of(m, table_id("public", "t"), "a");
    EXPECT_EQ(a["not_null"], true);
    EXPECT_EQ(a["identity"]["always"], true);
    EXPECT_EQ(a["identity"]["sequence"],
              (json{{"name", "t_a_seq"}, {"start", 10}, {"increment", 5}, {"min_value", 1},
                    {"max_value", 9223372036854775807LL}, {"cache", 1}, {"cycle", false}}));
    const json& b = column_of(m, table_id("public", "t"), "b");
    EXPECT_EQ(b["identity"]["always"], false);
    EXPECT_EQ(b["identity"]["sequence"]["name"], "t_b_seq");
    EXPECT_EQ(b["identity"]["sequence"]["max_value"], 2147483647);
    EXPECT_FALSE(b.contains("default"));
    // Identity sequences are not separate objects.
    EXPECT_TRUE(names_of_kind(m, Kind::sequence).empty());
}

TEST(ReadSource, IdentityAddedByAlterTable) {
    Model m = read_sql("CREATE TABLE t (id int);\nALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;");
    const json& id = column_of(m, table_id("public", "t"), "id");
    EXPECT_EQ(id["not_null"], true);
    EXPECT_EQ(id["identity"]["always"], true);
    EXPECT_EQ(id["identity"]["sequence"]["name"], "t_id_seq");
}

TEST(ReadSource, IdentityOnANonIntegerColumnIsAnError) {
    Failure f = failure_of([] { read_sql("CREATE TABLE t (id text GENERATED ALWAYS AS IDENTITY);"); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_NE(f.message.find("identity column id must be smallint, integer or bigint"), std::string::npos) << f.message;
}

TEST(ReadSource, PrimaryKeyMarksColumnsNotNull) {
    Model m = read_sql(
        "CREATE TABLE t (a int, b int, c int, PRIMARY KEY (a, b));\n"
        "CREATE TABLE u (x int, y int);\n"
        "ALTER TABLE u ADD PRIMARY KEY (y);\n");
    EXPECT_EQ(column_of(m, table_id("public", "t"), "a")["not_null"], true);
    EXPECT_EQ(column_of(m, table_id("public", "t"), "b")["not_null"], true);
    EXPECT_EQ(column_of(m, table_id("public", "t"), "c")["not_null"], false);
    EXPECT_EQ(column_of(m, table_id("public", "u"), "x")["not_null"], false);
    EXPECT_EQ(column_of(m, table_id("public", "u"), "y")["not_null"], true);
    const Object* pk = m.find(constraint_id("public", "t_pkey", "t"));
    ASSERT_NE(pk, nullptr);
    EXPECT_EQ(pk->attrs["columns"], json::array({"a", "b"}));
    EXPECT_NE(m.find(constraint_id("public", "u_pkey", "u")), nullptr);
}

TEST(ReadSource, ImplicitConstraintNames) {
    Model m = read_sql(
        "CREATE TABLE items (\n"
        "  id int PRIMARY KEY,\n"
        "  sku text UNIQUE,\n"
        "  price numeric CHECK (price > 0),\n"
        "  low int, high int,\n"
        "  CHECK (low < high),\n"
        "  UNIQUE (low, high),\n"
        "  parent int REFERENCES items (id)\n"
        ");");
    EXPECT_NE(m.find(constraint_id("public", "items_pkey", "items")), nullptr);
    EXPECT_NE(m.find(constraint_id("public", "items_sku_key", "items")), nullptr);
    EXPECT_NE(m.find(constraint_id("public", "items_price_check", "items")), nullptr);
    EXPECT_NE(m.find(constraint_id("public", "items_check", "items")), nullptr);
    EXPECT_NE(m.find(constraint_id("public", "items_low_high_key", "items")), nullptr);
    EXPECT_NE(m.find(constraint_id("public", "items_parent_fkey", "items")), nullptr);
    const Object* check = m.find(constraint_id("public", "items_price_check", "items"));
    EXPECT_EQ(check->attrs["expression"], "price > 0");
    EXPECT_EQ(check->attrs["type"], "check");
}

TEST(ReadSource, ImplicitKeyNamesIncludeIncludedColumnsAndExclusions) {
    Model m = read_sql(
        "CREATE EXTENSION btree_gist;\n"
        "CREATE TABLE t (a int, b int, room int, during tsrange,\n"
        "  UNIQUE (a) INCLUDE (b),\n"
        "  EXCLUDE USING gist (room WITH =, during WITH &&));\n");
    EXPECT_NE(m.find(constraint_id("public", "t_a_b_key", "t")), nullptr);
    const Object* excl = m.find(constraint_id("public", "t_room_during_excl", "t"));
    ASSERT_NE(excl, nullptr);
    EXPECT_EQ(excl->attrs["method"], "gist");
    EXPECT_EQ(excl->attrs["elements"][1]["operator"], "&&");
}

TEST(ReadSource, ImplicitNamesAreNumberedWhenTaken) {
    Model m = read_sql(
        "CREATE TABLE t (a int CHECK (a > 0) CHECK (a < 10), b int);\n"
        "CREATE INDEX ON t (a);\n"
        "CREATE INDEX ON t (a);\n"
        "CREATE TABLE t_b_idx (x int);\n"
        "CREATE INDEX ON t (b);\n");
    EXPECT_NE(m.find(constraint_id("public", "t_a_check", "t")), nullptr);
    EXPECT_NE(m.find(constraint_id("public", "t_a_check1", "t")), nullptr);
    EXPECT_NE(m.find(index_id("public", "t_a_idx", "t")), nullptr);
    EXPECT_NE(m.find(index_id("public", "t_a_idx1", "t")), nullptr);
    // A table already holds the name t_b_idx in the relation namespace.
    EXPECT_NE(m.find(index_id("public", "t_b_idx1", "t")), nullptr);
}

TEST(ReadSource, ImplicitIndexNames) {
    Model m = read_sql(
        "CREATE TABLE t (a int, b int, email text);\n"
        "CREATE INDEX ON t (lower(email));\n"
        "CREATE INDEX ON t (a, b);\n"
        "CREATE INDEX ON t ((a + b));\n"
        "CREATE INDEX ON t (a, a);\n"
        "CREATE INDEX ON t (a) INCLUDE (b);\n");
    EXPECT_EQ(names_of_kind(m, Kind::index),
              (std::vector<std::string>{"t_a_a1_idx", "t_a_b_idx", "t_a_b_idx1", "t_expr_idx", "t_lower_idx"}));
    const Object* lower = m.find(index_id("public", "t_lower_idx", "t"));
    ASSERT_NE(lower, nullptr);
    EXPECT_EQ(lower->attrs["elements"][0]["expression"], "lower(email)");
    EXPECT_EQ(lower->attrs["method"], "btree");
}

TEST(ReadSource, ExplicitNamesAreKept) {
    Model m = read_sql(
        "CREATE TABLE t (id int CONSTRAINT my_pk PRIMARY KEY, x int);\n"
        "CREATE UNIQUE INDEX my_idx ON t (x) WHERE x > 0;\n");
    EXPECT_NE(m.find(constraint_id("public", "my_pk", "t")), nullptr);
    const Object* idx = m.find(index_id("public", "my_idx", "t"));
    ASSERT_NE(idx, nullptr);
    EXPECT_EQ(idx->attrs["unique"], true);
    EXPECT_EQ(idx->attrs["where"], "x > 0");
}

TEST(ReadSource, LikeIncludingAll) {
    Model m = read_sql(
        "CREATE TABLE copy (LIKE base INCLUDING ALL, extra int);\n"
        "CREATE TABLE base (\n"
        "  id int PRIMARY KEY,\n"
        "  name text DEFAULT 'x' CHECK (name <> ''),\n"
        "  email text UNIQUE,\n"
        "  n int GENERATED ALWAYS AS IDENTITY\n"
        ");\n"
        "CREATE INDEX ON base (lower(name));\n"
        "COMMENT ON COLUMN base.name IS 'the name';\n");
    const Object* copy = m.find(table_id("public", "copy"));
    ASSERT_NE(copy, nullptr);
    std::vector<std::string> columns;
    for (const json& c : copy->attrs["columns"]) columns.push_back(c["name"]);
    EXPECT_EQ(columns, (std::vector<std::string>{"id", "name", "email", "n", "extra"}));
    EXPECT_EQ(column_of(m, copy->id, "id")["not_null"], true);
    EXPECT_EQ(column_of(m, copy->id, "name")["default"], "'x'");
    EXPECT_EQ(column_of(m, copy->id, "name")["comment"], "the name");
    EXPECT_EQ(column_of(m, copy->id, "n")["identity"]["sequence"]["name"], "copy_n_seq");
    EXPECT_NE(m.find(constraint_id("public", "copy_pkey", "copy")), nullptr);
    EXPECT_NE(m.find(constraint_id("public", "copy_email_key", "copy")), nullptr);
    // CHECK constraints keep their name when copied.
    EXPECT_NE(m.find(constraint_id("public", "base_name_check", "copy")), nullptr);
    // Cloned expression indexes are named after "expr", as PostgreSQL does.
    EXPECT_NE(m.find(index_id("public", "copy_expr_idx", "copy")), nullptr);
}

TEST(ReadSource, LikeWithoutOptionsCopiesOnlyColumns) {
    Model m = read_sql(
        "CREATE TABLE base (id int PRIMARY KEY, name text NOT NULL DEFAULT 'x' CHECK (name <> ''));\n"
        "CREATE INDEX ON base (name);\n"
        "CREATE TABLE copy (LIKE base);\n");
    const json& name = column_of(m, table_id("public", "copy"), "name");
    EXPECT_FALSE(name.contains("default"));
    EXPECT_EQ(name["not_null"], true);  // NOT NULL is always copied
    for (const auto& [id, o] : m.objects) {
        if (id.kind == Kind::constraint || id.kind == Kind::index) {
            EXPECT_NE(id.table, "copy") << id.describe();
        }
    }
}

TEST(ReadSource, UniqueUsingIndexTurnsTheIndexIntoTheConstraint) {
    Model m = read_sql(
        "CREATE TABLE t (a int, b int);\n"
        "CREATE UNIQUE INDEX t_a_uidx ON t (a);\n"
        "CREATE UNIQUE INDEX t_b_uidx ON t (b);\n"
        "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_uidx;\n"
        "ALTER TABLE t ADD PRIMARY KEY USING INDEX t_b_uidx;\n");
    EXPECT_EQ(m.find(index_id("public", "t_a_uidx", "t")), nullptr);
    EXPECT_EQ(m.find(index_id("public", "t_b_uidx", "t")), nullptr);
    const Object* key = m.find(constraint_id("public", "t_a_key", "t"));
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->attrs["type"], "unique");
    EXPECT_EQ(key->attrs["columns"], json::array({"a"}));
    // Without a constraint name, the constraint takes the index's name.
    const Object* pk = m.find(constraint_id("public", "t_b_uidx", "t"));
    ASSERT_NE(pk, nullptr);
    EXPECT_EQ(pk->attrs["type"], "primary_key");
    EXPECT_EQ(column_of(m, table_id("public", "t"), "b")["not_null"], true);
}

TEST(ReadSource, UsingIndexNeedsAPlainUniqueIndex) {
    Failure f = failure_of([] {
        read_sql("CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nALTER TABLE t ADD UNIQUE USING INDEX t_a;\n");
    });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_NE(f.message.find("cannot back a constraint"), std::string::npos) << f.message;
}

TEST(ReadSource, CommentsOnObjects) {
    Model m = read_sql(
        "COMMENT ON TABLE t IS 'a table';\n"
        "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY);\n"
        "COMMENT ON COLUMN t.id IS 'the id';\n"
        "COMMENT ON CONSTRAINT t_pk ON t IS 'the key';\n"
        "CREATE SCHEMA app;\n"
        "COMMENT ON SCHEMA app IS 'app';\n");
    EXPECT_EQ(m.find(table_id("public", "t"))->attrs["comment"], "a table");
    EXPECT_EQ(column_of(m, table_id("public", "t"), "id")["comment"], "the id");
    EXPECT_EQ(m.find(constraint_id("public", "t_pk", "t"))->attrs["comment"], "the key");
    EXPECT_EQ(m.find(ObjectId{Kind::schema, "", "app", ""})->attrs["comment"], "app");
}

TEST(ReadSource, PublicSchemaAndPlpgsqlAreNotManaged) {
    Model m = read_sql("CREATE SCHEMA public;\nCREATE EXTENSION plpgsql;\nCREATE TABLE t (id int);\n");
    EXPECT_TRUE(names_of_kind(m, Kind::schema).empty());
    EXPECT_TRUE(names_of_kind(m, Kind::extension).empty());
}

TEST(ReadSourceErrors, SyntaxErrorNamesFileLineAndColumn) {
    SchemaDir dir;
    std::string file = dir.write("bad.sql", "CREATE TABLE a (id int);\n-- café ☕\nCREATE TABEL b (id int);\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_EQ(f.message.rfind(file + ":3:8: ", 0), 0u) << f.message;
    EXPECT_NE(f.message.find("syntax error at or near \"TABEL\""), std::string::npos) << f.message;
}

TEST(ReadSourceErrors, SyntaxErrorColumnCountsCharactersAfterMultiByteText) {
    SchemaDir dir;
    std::string file = dir.write("bad.sql", "COMMENT ON SCHEMA s IS 'ééé'; CREATE TABEL b (id int);\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.message.rfind(file + ":1:38: ", 0), 0u) << f.message;
}

TEST(ReadSourceErrors, UnsupportedStatementNamesFileLineColumnAndKind) {
    SchemaDir dir;
    std::string file = dir.write("d.sql", "CREATE TABLE t (id int);\n\n  -- an access method\n  CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_EQ(f.message.rfind(file + ":4:3: CREATE ACCESS METHOD is not supported by pg-flux yet", 0), 0u) << f.message;
}

TEST(ReadSourceErrors, UnsupportedFunctionOption) {
    SchemaDir dir;
    std::string file = dir.write("f.sql", "CREATE FUNCTION f() RETURNS int LANGUAGE sql SUPPORT g AS 'SELECT 1';\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_NE(f.message.find("function option support is not supported by pg-flux yet"), std::string::npos) << f.message;
}

TEST(ReadSourceErrors, TableDefinedTwiceAcrossFiles) {
    SchemaDir dir;
    std::string a = dir.write("a.sql", "CREATE TABLE t (id int);\n");
    std::string b = dir.write("b.sql", "\nCREATE TABLE t (id int);\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_EQ(f.message.rfind(b + ":2:1: ", 0), 0u) << f.message;
    EXPECT_NE(f.message.find("table t is defined twice (first defined at " + a + ":1:1)"), std::string::npos) << f.message;
}

TEST(ReadSourceErrors, MissingSchema) {
    SchemaDir dir;
    std::string file = dir.write("a.sql", "CREATE TABLE app.t (id int);\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_EQ(f.message.rfind(file + ":1:1: ", 0), 0u) << f.message;
    EXPECT_NE(f.message.find("schema app is not defined in the schema files"), std::string::npos) << f.message;
}

TEST(ReadSourceErrors, ColumnDefinedTwicePointsAtTheColumn) {
    SchemaDir dir;
    std::string file = dir.write("a.sql", "CREATE TABLE t (\n  id int,\n  id text\n);\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_EQ(f.message.rfind(file + ":3:3: column id is defined twice", 0), 0u) << f.message;
}

TEST(ReadSourceErrors, ForeignKeyToAMissingTable) {
    SchemaDir dir;
    std::string file = dir.write("a.sql", "CREATE TABLE t (id int REFERENCES nothing);\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_NE(f.message.find(file + ":1:"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("table nothing is not defined in the schema files"), std::string::npos) << f.message;
}

TEST(ReadSourceErrors, UnsupportedSettingAndSelect) {
    Failure set = failure_of([] { read_sql("SET work_mem = '64MB';\n"); });
    EXPECT_EQ(set.code, k_exit_usage);
    EXPECT_NE(set.message.find("SET work_mem is not supported in schema files"), std::string::npos) << set.message;
    Failure select = failure_of([] { read_sql("SELECT 1;\n"); });
    EXPECT_EQ(select.code, k_exit_usage);
    EXPECT_NE(select.message.find("SELECT is not allowed in schema files"), std::string::npos) << select.message;
}

TEST(ReadSourceErrors, AlterOfAMissingColumn) {
    SchemaDir dir;
    std::string file = dir.write("a.sql", "CREATE TABLE t (id int);\nALTER TABLE t ALTER COLUMN nope SET NOT NULL;\n");
    Failure f = failure_of([&] { dir.read(); });
    EXPECT_EQ(f.code, k_exit_usage);
    EXPECT_EQ(f.message.rfind(file + ":2:1: column nope of table t does not exist", 0), 0u) << f.message;
}

}  // namespace
}  // namespace pgflux

namespace pgflux {
namespace {

TEST(ReadSourcePartitions, KeysBoundsAndInheritedColumns) {
    Model m = read_sql(
        "CREATE TABLE m (id int NOT NULL, day date, v int DEFAULT 0) PARTITION BY RANGE (day, (v + 1) COLLATE \"C\");\n"
        "CREATE TABLE m_a PARTITION OF m (v DEFAULT 5) FOR VALUES FROM (MINVALUE, -1) TO ('2024-01-01', 10);\n"
        "CREATE TABLE m_d PARTITION OF m DEFAULT PARTITION BY LIST (id);\n"
        "ALTER TABLE m ADD COLUMN note text;\n");
    const Object* m_table = m.find(table_id("public", "m"));
    ASSERT_NE(m_table, nullptr);
    EXPECT_EQ(m_table->attrs["partition_by"]["strategy"], "range");
    EXPECT_EQ(m_table->attrs["partition_by"]["elements"][0], (json{{"column", "day"}}));
    EXPECT_EQ(m_table->attrs["partition_by"]["elements"][1]["expression"], "v + 1");
    const Object* a = m.find(table_id("public", "m_a"));
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->attrs["partition_of"], (json{{"schema", "public"}, {"table", "m"}}));
    EXPECT_EQ(a->attrs["bound"], "FOR VALUES FROM (MINVALUE, '-1') TO ('2024-01-01', 10)");
    EXPECT_EQ(column_of(m, a->id, "id"), (json{{"name", "id"}, {"type", "integer"}, {"not_null", true}, {"inherited", true}}));
    EXPECT_EQ(column_of(m, a->id, "v")["default"], "5");
    EXPECT_EQ(column_of(m, a->id, "note")["inherited"], true);  // ADD COLUMN on the parent reaches it
    EXPECT_EQ(m.find(table_id("public", "m_d"))->attrs["bound"], "DEFAULT");
    const Dependency* dep = a->dependency_on(table_id("public", "m"));
    EXPECT_NE(dep, nullptr);
}

TEST(ReadSourcePartitions, PgDumpFormAttachesTablesAndIndexes) {
    Model m = read_sql(
        "CREATE TABLE p (id int NOT NULL, r text NOT NULL) PARTITION BY LIST (r);\n"
        "CREATE TABLE p_x (id int NOT NULL, r text NOT NULL);\n"
        "ALTER TABLE ONLY p ATTACH PARTITION p_x FOR VALUES IN ('x');\n"
        "ALTER TABLE ONLY p ADD CONSTRAINT p_pkey PRIMARY KEY (id, r);\n"
        "ALTER TABLE ONLY p_x ADD CONSTRAINT p_x_pkey PRIMARY KEY (id, r);\n"
        "CREATE INDEX p_r_idx ON ONLY p USING btree (r);\n"
        "CREATE INDEX p_x_r_idx ON p_x USING btree (r);\n"
        "ALTER INDEX p_pkey ATTACH PARTITION p_x_pkey;\n"
        "ALTER INDEX p_r_idx ATTACH PARTITION p_x_r_idx;\n");
    const Object* x = m.find(table_id("public", "p_x"));
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->attrs["bound"], "FOR VALUES IN ('x')");
    EXPECT_EQ(column_of(m, x->id, "r")["inherited"], true);
    EXPECT_NE(m.find(constraint_id("public", "p_pkey", "p")), nullptr);
    EXPECT_EQ(m.find(constraint_id("public", "p_x_pkey", "p_x")), nullptr);
    EXPECT_NE(m.find(ObjectId{Kind::index, "public", "p_r_idx", "p"}), nullptr);
    EXPECT_EQ(m.find(ObjectId{Kind::index, "public", "p_x_r_idx", "p_x"}), nullptr);
}

TEST(ReadSourcePartitions, InheritanceMergesColumnsAndAltersInPlace) {
    Model m = read_sql(
        "CREATE TABLE a (id int NOT NULL, t text);\n"
        "CREATE TABLE b (id int, u text);\n"
        "CREATE TABLE c (t text DEFAULT 'x', own int) INHERITS (a, b);\n"
        "CREATE TABLE d (id int NOT NULL, t text);\n"
        "ALTER TABLE d INHERIT a;\n"
        "ALTER TABLE c NO INHERIT b;\n");
    const Object* c = m.find(table_id("public", "c"));
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->attrs["inherits"], json::array({json{{"schema", "public"}, {"table", "a"}}}));
    std::vector<std::string> names;
    for (const json& col : c->attrs["columns"]) names.push_back(col["name"]);
    EXPECT_EQ(names, (std::vector<std::string>{"id", "t", "u", "own"}));
    EXPECT_EQ(column_of(m, c->id, "id")["not_null"], true);
    EXPECT_EQ(column_of(m, c->id, "t")["default"], "'x'");
    EXPECT_FALSE(column_of(m, c->id, "u").contains("inherited"));  // only b gave it
    EXPECT_FALSE(column_of(m, c->id, "own").contains("inherited"));
    EXPECT_EQ(m.find(table_id("public", "d"))->attrs["inherits"].size(), 1u);
    Failure f = failure_of([] { read_sql("CREATE TABLE a (id int);\nCREATE TABLE c (id text) INHERITS (a);"); });
    EXPECT_NE(f.message.find("has type text but the parent's is integer"), std::string::npos);
}

}  // namespace
}  // namespace pgflux
