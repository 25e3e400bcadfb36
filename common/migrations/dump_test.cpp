// Unit tests for pg-flux dump's layout: file names of schema names, which
// file each statement goes to, and secret references.
#include "migrations/dump.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace pgflux {
namespace {

Step create(const ObjectId& id, const std::string& sql) {
    Step s;
    s.sql = sql;
    s.summary = sql;
    s.action = "create";
    s.object = id;
    return s;
}

const char* k_header_end = "edit, move and split these statements freely.\n";

TEST(DumpFileName, KeepsPlainLowerCaseNamesAndEscapesEverythingElse) {
    EXPECT_EQ(dump_file_name("public"), "public");
    EXPECT_EQ(dump_file_name("_app2"), "_app2");
    EXPECT_EQ(dump_file_name("Billing"), "@42illing");
    EXPECT_EQ(dump_file_name("billing"), "billing");  // apart from "Billing" on any file system
    EXPECT_EQ(dump_file_name("0_database"), "@30_database");
    EXPECT_EQ(dump_file_name(".."), "@2E@2E");
    EXPECT_EQ(dump_file_name("a/b"), "a@2Fb");
    EXPECT_EQ(dump_file_name("a\nb"), "a@0Ab");
    EXPECT_EQ(dump_file_name("é"), "@C3@A9");
    // Every escaped name sorts after the database-wide file.
    EXPECT_LT(std::string("0_database"), dump_file_name(" x"));
}

TEST(DumpLayout, NamesAreChecked) {
    EXPECT_EQ(dump_layout("flat"), DumpLayout::flat);
    EXPECT_EQ(dump_layout("per-kind"), DumpLayout::per_kind);
    EXPECT_THROW(dump_layout("tree"), Error);
}

TEST(DumpFiles, PerSchemaAndPerKindKeepPlanOrderAndPutRelationObjectsWithTheirRelation) {
    Plan plan;
    plan.steps = {create(ObjectId{Kind::extension, "", "citext"}, "CREATE EXTENSION citext;"),
                  create(ObjectId{Kind::schema, "", "App"}, "CREATE SCHEMA \"App\";"),
                  create(ObjectId{Kind::table, "App", "t"}, "CREATE TABLE \"App\".t (id integer);"),
                  create(ObjectId{Kind::table, "App", "t"}, "COMMENT ON TABLE \"App\".t IS 'x';"),
                  create(ObjectId{Kind::view, "App", "v"}, "CREATE VIEW \"App\".v AS SELECT 1;"),
                  create(ObjectId{Kind::index, "App", "t_i", "t"}, "CREATE INDEX t_i ON \"App\".t (id);"),
                  create(ObjectId{Kind::rule, "App", "r", "v"}, "CREATE RULE r AS ON DELETE TO \"App\".v DO INSTEAD NOTHING;")};
    auto per_schema = dump_files(plan, DumpLayout::per_schema);
    ASSERT_EQ(per_schema.size(), 2u);
    const std::string& app = per_schema.at("@41pp.sql");
    std::string body = app.substr(app.find(k_header_end) + std::string(k_header_end).size());
    EXPECT_EQ(body,
              "\nCREATE SCHEMA \"App\";\n"
              "\nCREATE TABLE \"App\".t (id integer);\nCOMMENT ON TABLE \"App\".t IS 'x';\n"
              "\nCREATE VIEW \"App\".v AS SELECT 1;\n"
              "\nCREATE INDEX t_i ON \"App\".t (id);\n"
              "\nCREATE RULE r AS ON DELETE TO \"App\".v DO INSTEAD NOTHING;\n");
    EXPECT_NE(per_schema.at("0_database.sql").find("CREATE EXTENSION citext;"), std::string::npos);

    auto per_kind = dump_files(plan, DumpLayout::per_kind);
    std::vector<std::string> paths;
    for (const auto& [path, text] : per_kind) paths.push_back(path);
    EXPECT_EQ(paths, (std::vector<std::string>{"0_database/extensions.sql", "@41pp/schema.sql", "@41pp/tables.sql",
                                               "@41pp/views.sql"}));
    EXPECT_NE(per_kind.at("@41pp/tables.sql").find("CREATE INDEX t_i"), std::string::npos);
    EXPECT_NE(per_kind.at("@41pp/views.sql").find("CREATE RULE r"), std::string::npos);

    auto flat = dump_files(plan, DumpLayout::flat);
    ASSERT_EQ(flat.size(), 1u);
    EXPECT_LT(flat.at("schema.sql").find("CREATE EXTENSION"), flat.at("schema.sql").find("CREATE RULE"));
    EXPECT_TRUE(dump_files(Plan{}, DumpLayout::flat).empty());
}

TEST(ReferenceSecrets, EachSecretOptionBecomesAVariableNamedAfterItsMapping) {
    Model model;
    Object mapping(ObjectId{Kind::user_mapping, "", "app-user", "", "remote"},
                   json{{"options", {{"user", "u"}}}, {"secret_options", {"password"}}});
    model.add(mapping);
    Object other(ObjectId{Kind::user_mapping, "", "app_user", "", "remote"},
                 json{{"options", json::object()}, {"secret_options", {"password"}}});
    model.add(other);
    auto messages = reference_secrets(model);
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(model.objects.begin()->second.ddl["secret_values"]["password"], "${PGFLUX_APP_USER_REMOTE_PASSWORD}");
    // Two names that read alike get different variables.
    EXPECT_EQ(std::next(model.objects.begin())->second.ddl["secret_values"]["password"],
              "${PGFLUX_APP_USER_REMOTE_PASSWORD_2}");
    // The attributes (the state) are unchanged.
    EXPECT_FALSE(model.objects.begin()->second.attrs.contains("secret_values"));
}

}  // namespace
}  // namespace pgflux
