// Unit tests for dependency derivation: qualified-name splitting, sequences
// named in defaults, the key a foreign key needs, and derived_dependencies.
#include "model/dependencies.h"
#include "testing/unit_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace pgflux {
namespace {

using unit::id;

using Names = std::vector<std::string>;

json column(const std::string& name, const std::string& type, json extra = json::object()) {
    json c = {{"name", name}, {"type", type}, {"not_null", false}};
    c.update(extra);
    return c;
}

json table_attrs(json columns) { return {{"unlogged", false}, {"columns", std::move(columns)}}; }

json key_attrs(const std::string& type, json columns) {
    return {{"type", type},           {"columns", std::move(columns)}, {"include", json::array()},
            {"index_options", json::array()}, {"deferrable", false}, {"initially_deferred", false}};
}

json fk_attrs(json columns, const std::string& schema, const std::string& table, json ref_columns) {
    return {{"type", "foreign_key"},
            {"columns", std::move(columns)},
            {"references", {{"schema", schema}, {"table", table}, {"columns", std::move(ref_columns)}}},
            {"match", "simple"},
            {"on_update", "no action"},
            {"on_delete", "no action"},
            {"not_valid", false},
            {"deferrable", false},
            {"initially_deferred", false}};
}

json unique_index(json columns, bool unique = true) {
    json elements = json::array();
    for (const json& c : columns) elements.push_back({{"column", c}, {"descending", false}, {"nulls_first", false}});
    return {{"unique", unique},        {"method", "btree"}, {"elements", elements}, {"include", json::array()},
            {"nulls_not_distinct", false}, {"options", json::array()}};
}

std::vector<ObjectId> ids(const std::vector<Dependency>& deps) {
    std::vector<ObjectId> out;
    for (const auto& d : deps) out.push_back(d.id);
    return out;
}

// What the object's attributes imply.
std::vector<ObjectId> dependencies_of(const Model& m, const Object& o) {
    return ids(derived_dependencies(m, ModelIndex(m), o));
}

bool contains(const std::vector<ObjectId>& ids, const ObjectId& wanted) {
    return std::find(ids.begin(), ids.end(), wanted) != ids.end();
}

TEST(SplitQualifiedName, PlainAndQualified) {
    EXPECT_EQ(split_qualified_name("users"), Names{"users"});
    EXPECT_EQ(split_qualified_name("public.users"), (Names{"public", "users"}));
}

TEST(SplitQualifiedName, UnquotedPartsFoldToLowerCase) {
    EXPECT_EQ(split_qualified_name("Public.Users"), (Names{"public", "users"}));
}

TEST(SplitQualifiedName, QuotedPartsKeepCaseDotsAndDoubledQuotes) {
    EXPECT_EQ(split_qualified_name("public.\"My Seq\""), (Names{"public", "My Seq"}));
    EXPECT_EQ(split_qualified_name("\"a.b\".\"c\"\"d\""), (Names{"a.b", "c\"d"}));
    EXPECT_EQ(split_qualified_name("\"Weird.Name\""), Names{"Weird.Name"});
    EXPECT_EQ(split_qualified_name("\"\"\"\""), Names{"\""});
}

TEST(SequencesInDefault, FindsNextvalTargets) {
    EXPECT_EQ(sequences_in_default("nextval('users_id_seq'::regclass)"), (std::vector<Names>{{"users_id_seq"}}));
    EXPECT_EQ(sequences_in_default("nextval('app.order_seq'::regclass)"),
              (std::vector<Names>{{"app", "order_seq"}}));
    EXPECT_EQ(sequences_in_default("nextval('s')"), (std::vector<Names>{{"s"}}));
}

TEST(SequencesInDefault, QuotedAndEscapedNames) {
    EXPECT_EQ(sequences_in_default("nextval('public.\"My Seq\"'::regclass)"),
              (std::vector<Names>{{"public", "My Seq"}}));
    EXPECT_EQ(sequences_in_default("nextval('\"it''s\"'::regclass)"), (std::vector<Names>{{"it's"}}));
    // A backslash in the name: deparse writes the E'' form, backslashes doubled.
    EXPECT_EQ(sequences_in_default("nextval(E'\"a\\\\s\\\\\".\"x''\\\\seq\"'::regclass)"),
              (std::vector<Names>{{"a\\s\\", "x'\\seq"}}));
}

TEST(SequencesInDefault, SeveralOrNone) {
    EXPECT_EQ(sequences_in_default("nextval('a'::regclass) + nextval('b'::regclass)"),
              (std::vector<Names>{{"a"}, {"b"}}));
    EXPECT_TRUE(sequences_in_default("0").empty());
    EXPECT_TRUE(sequences_in_default("now()").empty());
    EXPECT_TRUE(sequences_in_default("'nextval'::text").empty());
}

class DependencyModel : public ::testing::Test {
protected:
    void SetUp() override {
        m.add(Object(id(Kind::schema, "", "app")));
        m.add(Object(id(Kind::enumeration, "app", "mood"), {{"values", {"a", "b"}}}));
        m.add(Object(id(Kind::collation, "app", "ci"), {{"provider", "icu"}, {"deterministic", false}}));
        m.add(Object(id(Kind::sequence, "app", "users_id_seq"), {{"data_type", "integer"}}));
        m.add(Object(id(Kind::sequence, "public", "global_seq"), {{"data_type", "bigint"}}));
        m.add(Object(id(Kind::extension, "", "citext"), {{"schema", "app"}}));
        m.add(Object(id(Kind::table, "app", "users"),
                     table_attrs({column("id", "integer", {{"default", "nextval('app.users_id_seq'::regclass)"}}),
                                  column("mood", "app.mood"), column("moods", "app.mood[]"),
                                  column("name", "text", {{"collation", "app.ci"}}),
                                  column("n", "bigint", {{"default", "nextval('public.global_seq'::regclass)"}}),
                                  column("email", "text")})));
        m.add(Object(id(Kind::constraint, "app", "users_pkey", "users"), key_attrs("primary_key", {"id"})));
        m.add(Object(id(Kind::constraint, "app", "users_email_key", "users"), key_attrs("unique", {"email"})));
        m.add(Object(id(Kind::table, "app", "orders"),
                     table_attrs({column("id", "integer"), column("user_id", "integer"), column("email", "text")})));
        m.add(Object(id(Kind::constraint, "app", "orders_user_id_fkey", "orders"),
                     fk_attrs({"user_id"}, "app", "users", {"id"})));
        m.add(Object(id(Kind::constraint, "app", "orders_email_fkey", "orders"),
                     fk_attrs({"email"}, "app", "users", {"email"})));
        m.add(Object(id(Kind::index, "app", "orders_user_id_idx", "orders"), unique_index({"user_id"}, false)));
    }
    Model m;
};

TEST_F(DependencyModel, TableDependsOnSchemaTypesCollationsAndSequences) {
    auto deps = dependencies_of(m, *m.find(id(Kind::table, "app", "users")));
    EXPECT_TRUE(contains(deps, id(Kind::schema, "", "app")));
    EXPECT_TRUE(contains(deps, id(Kind::enumeration, "app", "mood")));
    EXPECT_TRUE(contains(deps, id(Kind::collation, "app", "ci")));
    EXPECT_TRUE(contains(deps, id(Kind::sequence, "app", "users_id_seq")));
    EXPECT_TRUE(contains(deps, id(Kind::sequence, "public", "global_seq")));
    // The enum is listed once although two columns use it.
    EXPECT_EQ(std::count(deps.begin(), deps.end(), id(Kind::enumeration, "app", "mood")), 1);
    EXPECT_EQ(deps.size(), 5u);
}

TEST_F(DependencyModel, UnqualifiedSequenceInDefaultMeansTheTablesSchema) {
    m.add(Object(id(Kind::table, "app", "t"),
                 table_attrs(json::array({column("id", "integer", {{"default", "nextval('users_id_seq'::regclass)"}})}))));
    auto deps = dependencies_of(m, *m.find(id(Kind::table, "app", "t")));
    EXPECT_TRUE(contains(deps, id(Kind::sequence, "app", "users_id_seq")));
}

TEST_F(DependencyModel, ObjectsOutsideTheModelAreNotDependencies) {
    // The public schema and pg_catalog types are never in a model.
    m.add(Object(id(Kind::table, "public", "p"),
                 table_attrs({column("x", "public.unknown_type"), column("y", "integer"),
                              column("z", "text", {{"default", "nextval('missing_seq'::regclass)"}})})));
    EXPECT_TRUE(dependencies_of(m, *m.find(id(Kind::table, "public", "p"))).empty());
}

TEST_F(DependencyModel, ExtensionDependsOnItsSchema) {
    auto deps = dependencies_of(m, *m.find(id(Kind::extension, "", "citext")));
    EXPECT_EQ(deps, std::vector<ObjectId>{id(Kind::schema, "", "app")});
}

TEST_F(DependencyModel, ConstraintsAndIndexesDependOnTheirTable) {
    auto pk = dependencies_of(m, *m.find(id(Kind::constraint, "app", "users_pkey", "users")));
    EXPECT_EQ(pk, (std::vector<ObjectId>{id(Kind::schema, "", "app"), id(Kind::table, "app", "users")}));
    auto idx = dependencies_of(m, *m.find(id(Kind::index, "app", "orders_user_id_idx", "orders")));
    EXPECT_EQ(idx, (std::vector<ObjectId>{id(Kind::schema, "", "app"), id(Kind::table, "app", "orders")}));
}

TEST_F(DependencyModel, ForeignKeyDependsOnReferencedTableAndKey) {
    auto deps = dependencies_of(m, *m.find(id(Kind::constraint, "app", "orders_user_id_fkey", "orders")));
    EXPECT_TRUE(contains(deps, id(Kind::table, "app", "orders")));
    EXPECT_TRUE(contains(deps, id(Kind::table, "app", "users")));
    EXPECT_TRUE(contains(deps, id(Kind::constraint, "app", "users_pkey", "users")));
    auto by_email = dependencies_of(m, *m.find(id(Kind::constraint, "app", "orders_email_fkey", "orders")));
    EXPECT_TRUE(contains(by_email, id(Kind::constraint, "app", "users_email_key", "users")));
    EXPECT_FALSE(contains(by_email, id(Kind::constraint, "app", "users_pkey", "users")));
}

TEST_F(DependencyModel, ComputeDependenciesFillsEveryObject) {
    m.derive_dependencies();
    EXPECT_TRUE(contains(ids(m.find(id(Kind::table, "app", "orders"))->depends_on), id(Kind::schema, "", "app")));
    EXPECT_TRUE(contains(ids(m.find(id(Kind::constraint, "app", "orders_user_id_fkey", "orders"))->depends_on),
                         id(Kind::constraint, "app", "users_pkey", "users")));
    EXPECT_TRUE(m.find(id(Kind::schema, "", "app"))->depends_on.empty());
}

TEST_F(DependencyModel, ReferencedKeyFindsPrimaryKeyOrUniqueConstraint) {
    const Object* pk = referenced_key(m, *m.find(id(Kind::constraint, "app", "orders_user_id_fkey", "orders")));
    ASSERT_NE(pk, nullptr);
    EXPECT_EQ(pk->id, id(Kind::constraint, "app", "users_pkey", "users"));
    const Object* uk = referenced_key(m, *m.find(id(Kind::constraint, "app", "orders_email_fkey", "orders")));
    ASSERT_NE(uk, nullptr);
    EXPECT_EQ(uk->id, id(Kind::constraint, "app", "users_email_key", "users"));
}

TEST_F(DependencyModel, ReferencedKeyIgnoresColumnOrder) {
    m.add(Object(id(Kind::constraint, "app", "users_name_email_key", "users"), key_attrs("unique", {"name", "email"})));
    Object fk(id(Kind::constraint, "app", "orders_x_fkey", "orders"),
              fk_attrs({"a", "b"}, "app", "users", {"email", "name"}));
    const Object* key = referenced_key(m, fk);
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->id.name, "users_name_email_key");
}

TEST_F(DependencyModel, ReferencedKeyCanBeAPlainUniqueIndex) {
    m.add(Object(id(Kind::index, "app", "users_name_idx", "users"), unique_index({"name"})));
    Object fk(id(Kind::constraint, "app", "orders_n_fkey", "orders"), fk_attrs({"x"}, "app", "users", {"name"}));
    const Object* key = referenced_key(m, fk);
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->id, id(Kind::index, "app", "users_name_idx", "users"));
}

TEST_F(DependencyModel, ReferencedKeyIgnoresPartialNonUniqueAndExpressionIndexes) {
    json partial = unique_index({"name"});
    partial["where"] = "name IS NOT NULL";
    m.add(Object(id(Kind::index, "app", "users_partial_idx", "users"), partial));
    m.add(Object(id(Kind::index, "app", "users_plain_idx", "users"), unique_index({"name"}, false)));
    json expression = unique_index({"name"});
    expression["elements"].push_back({{"expression", "lower(name)"}, {"descending", false}, {"nulls_first", false}});
    m.add(Object(id(Kind::index, "app", "users_expr_idx", "users"), expression));
    Object fk(id(Kind::constraint, "app", "orders_n_fkey", "orders"), fk_attrs({"x"}, "app", "users", {"name"}));
    EXPECT_EQ(referenced_key(m, fk), nullptr);
}

TEST_F(DependencyModel, ReferencedKeyOfAMissingKeyOrTable) {
    Object wrong_columns(id(Kind::constraint, "app", "f", "orders"), fk_attrs({"x"}, "app", "users", {"mood"}));
    EXPECT_EQ(referenced_key(m, wrong_columns), nullptr);
    Object other_table(id(Kind::constraint, "app", "g", "orders"), fk_attrs({"x"}, "app", "nothing", {"id"}));
    EXPECT_EQ(referenced_key(m, other_table), nullptr);
}

// A table has children when another names it as partition_of or in inherits.
TEST(ModelIndex, HasChildrenFromPartitionOfAndInherits) {
    Model m;
    m.add(Object(id(Kind::table, "public", "parent"), table_attrs(json::array())));
    m.add(Object(id(Kind::table, "public", "base"), table_attrs(json::array())));
    m.add(Object(id(Kind::table, "public", "alone"), table_attrs(json::array())));
    json part = table_attrs(json::array());
    part["partition_of"] = {{"schema", "public"}, {"table", "parent"}};
    m.add(Object(id(Kind::table, "public", "part"), part));
    json child = table_attrs(json::array());
    child["inherits"] = json::array({{{"schema", "public"}, {"table", "base"}}});
    m.add(Object(id(Kind::table, "public", "child"), child));
    ModelIndex index(m);
    EXPECT_TRUE(index.has_children(id(Kind::table, "public", "parent")));
    EXPECT_TRUE(index.has_children(id(Kind::table, "public", "base")));
    EXPECT_FALSE(index.has_children(id(Kind::table, "public", "alone")));
    EXPECT_FALSE(index.has_children(id(Kind::table, "public", "part")));
    EXPECT_FALSE(index.has_children(id(Kind::table, "other", "parent")));
}

}  // namespace
}  // namespace pgflux
