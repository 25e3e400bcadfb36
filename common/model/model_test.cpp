// Unit tests for the schema model: identity ordering, the state hash, and
// the pgflux.model document (round trip and field-path validation errors).
#include "model/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "kinds/kinds.h"
#include "model/model_json.h"
#include "util/document.h"
#include "util/sha256.h"
#include "util/error.h"
#include "testing/unit_helpers.h"

namespace pgflux {
namespace {

using unit::id;

Model sample_model() {
    Model m;
    m.add(Object(id(Kind::schema, "", "app"), {{"comment", "application"}}));
    m.add(Object(id(Kind::enumeration, "app", "mood"), {{"values", {"sad", "ok", "happy"}}}));
    Object users(id(Kind::table, "app", "users"),
                 {{"unlogged", false},
                  {"columns", json::array({{{"name", "id"}, {"type", "integer"}, {"not_null", true}},
                                           {{"name", "mood"}, {"type", "app.mood"}, {"not_null", false}}})}});
    users.location = SourceLocation{"schema/users.sql", 3, 1};
    m.add(users);
    m.add(Object(id(Kind::constraint, "app", "users_pkey", "users"),
                 {{"type", "primary_key"},
                  {"columns", {"id"}},
                  {"include", json::array()},
                  {"index_options", json::array()},
                  {"deferrable", false},
                  {"initially_deferred", false}}));
    m.derive_dependencies();
    m.source = {{"type", "files"}, {"paths", {"schema"}}};
    return m;
}

std::string error_message(const std::function<void()>& f, ExitCode* code = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (code) *code = e.code;
        return e.what();
    }
    return "(no error)";
}

TEST(Kind, NamesRoundTrip) {
    for (const KindSpec& spec : all_kinds()) {
        Kind k = spec.kind;
        auto back = kind_from_name(kind_name(k));
        ASSERT_TRUE(back.has_value()) << kind_name(k);
        EXPECT_EQ(*back, k);
    }
    EXPECT_STREQ(kind_name(Kind::enumeration), "enum");
    EXPECT_STREQ(kind_name(Kind::materialized_view), "materialized_view");
    EXPECT_FALSE(kind_from_name("subscription").has_value());
    EXPECT_FALSE(kind_from_name("Table").has_value());
}

TEST(Kind, RanksFollowCreationOrder) {
    std::vector<Kind> order = {Kind::schema, Kind::extension, Kind::collation, Kind::enumeration,
                               Kind::sequence, Kind::function, Kind::table, Kind::view, Kind::constraint,
                               Kind::index, Kind::trigger, Kind::policy};
    for (size_t i = 1; i < order.size(); ++i) EXPECT_LT(kind_rank(order[i - 1]), kind_rank(order[i]));
    // The table of kinds is in rank order, one row per kind.
    for (size_t i = 0; i < all_kinds().size(); ++i) EXPECT_EQ(kind_rank(all_kinds()[i].kind), static_cast<int>(i));
}

TEST(ObjectIdOrder, KindRankComesFirst) {
    EXPECT_LT(id(Kind::schema, "", "zzz"), id(Kind::extension, "", "aaa"));
    EXPECT_LT(id(Kind::enumeration, "z", "z"), id(Kind::table, "a", "a"));
    EXPECT_LT(id(Kind::table, "z", "z"), id(Kind::constraint, "a", "a", "a"));
    EXPECT_LT(id(Kind::constraint, "z", "z", "z"), id(Kind::index, "a", "a", "a"));
}

TEST(ObjectIdOrder, ThenSchemaThenNameThenTable) {
    EXPECT_LT(id(Kind::table, "a", "z"), id(Kind::table, "b", "a"));
    EXPECT_LT(id(Kind::table, "a", "a"), id(Kind::table, "a", "b"));
    EXPECT_LT(id(Kind::constraint, "s", "c", "a"), id(Kind::constraint, "s", "c", "b"));
    EXPECT_FALSE(id(Kind::table, "a", "a") < id(Kind::table, "a", "a"));
}

TEST(ObjectIdOrder, EqualityComparesEveryPart) {
    EXPECT_EQ(id(Kind::index, "s", "i", "t"), id(Kind::index, "s", "i", "t"));
    EXPECT_NE(id(Kind::index, "s", "i", "t"), id(Kind::index, "s", "i", "u"));
    EXPECT_NE(id(Kind::index, "s", "i", "t"), id(Kind::constraint, "s", "i", "t"));
}

TEST(ObjectIdOrder, ModelsIterateInCanonicalOrder) {
    Model m;
    m.add(Object(id(Kind::index, "public", "b_idx", "t")));
    m.add(Object(id(Kind::table, "public", "t")));
    m.add(Object(id(Kind::schema, "", "s")));
    m.add(Object(id(Kind::table, "app", "t")));
    std::vector<ObjectId> ids;
    for (const auto& [k, o] : m.objects) ids.push_back(k);
    std::vector<ObjectId> expected = {id(Kind::schema, "", "s"), id(Kind::table, "app", "t"),
                                      id(Kind::table, "public", "t"), id(Kind::index, "public", "b_idx", "t")};
    EXPECT_EQ(ids, expected);
}

TEST(ObjectIdText, DescribeAndSqlName) {
    EXPECT_EQ(id(Kind::table, "public", "users").describe(), "table users");
    EXPECT_EQ(id(Kind::table, "app", "Users").describe(), "table app.\"Users\"");
    EXPECT_EQ(id(Kind::constraint, "public", "users_pkey", "users").describe(), "constraint users_pkey on users");
    EXPECT_EQ(id(Kind::index, "app", "i", "t").describe(), "index i on app.t");
    EXPECT_EQ(id(Kind::enumeration, "public", "mood").describe(), "enum mood");
    EXPECT_EQ(id(Kind::table, "public", "users").sql_name(), "public.users");
    EXPECT_EQ(id(Kind::table, "public", "user").sql_name(), "public.\"user\"");
    EXPECT_EQ(id(Kind::constraint, "public", "Pk", "t").sql_name(), "\"Pk\"");
    EXPECT_EQ(id(Kind::schema, "", "app").sql_name(), "app");
}

TEST(SourceLocationText, FileLineColumn) {
    EXPECT_EQ((SourceLocation{"schema/a.sql", 12, 5}).text(), "schema/a.sql:12:5");
}

TEST(Model, AddingTheSameIdentityTwiceIsAnError) {
    Model m;
    m.add(Object(id(Kind::table, "public", "t")));
    ExitCode code = k_exit_ok;
    std::string message = error_message([&] { m.add(Object(id(Kind::table, "public", "t"))); }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_NE(message.find("duplicate table t"), std::string::npos) << message;
}

TEST(Model, FindReturnsNullForMissingObjects) {
    Model m = sample_model();
    EXPECT_NE(m.find(id(Kind::table, "app", "users")), nullptr);
    EXPECT_EQ(m.find(id(Kind::table, "public", "users")), nullptr);
    const Model& cm = m;
    EXPECT_NE(cm.find(id(Kind::schema, "", "app")), nullptr);
}

TEST(Model, TopLevelCountLeavesOutConstraintsAndIndexes) {
    Model m = sample_model();
    m.add(Object(id(Kind::index, "app", "users_mood_idx", "users")));
    EXPECT_EQ(m.top_level_count(), 3);
}

TEST(StateHash, HasThePrefixAndHexDigest) {
    std::string h = sample_model().state_hash();
    ASSERT_EQ(h.rfind("sha256:", 0), 0u) << h;
    std::string hex = h.substr(7);
    EXPECT_EQ(hex.size(), 64u);
    EXPECT_TRUE(std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c)); }));
}

// The hash is taken piece by piece; it is the hash of the whole array of
// the objects' JSON (no tracking schema), as it always was.
TEST(StateHash, IsTheHashOfTheObjectArray) {
    Model m = sample_model();
    m.add(Object(id(Kind::schema, "", k_tracking_schema)));
    json canonical = json::array();
    for (const auto& [oid, object] : m.objects)
        if (oid.name != k_tracking_schema) canonical.push_back(object_to_json(object, false));
    EXPECT_EQ(m.state_hash(), "sha256:" + sha256_hex(canonical.dump()));
    EXPECT_EQ(Model().state_hash(), "sha256:" + sha256_hex("[]"));
}

TEST(Sha256, PiecesHashAsTheirConcatenation) {
    Sha256 pieces;
    pieces.update("[");
    pieces.update("");
    pieces.update("{\"a\":1}]");
    EXPECT_EQ(pieces.hex(), sha256_hex("[{\"a\":1}]"));
}

// write_model_document streams the objects; the bytes are those of the
// document tree dumped whole.
TEST(ModelDocument, StreamedAsTheTreeDumps) {
    for (const Model& m : {sample_model(), Model()}) {
        testing::internal::CaptureStdout();
        write_document(model_to_document(m, "flux-parse"));
        std::string whole = testing::internal::GetCapturedStdout();
        testing::internal::CaptureStdout();
        write_model_document(m, "flux-parse");
        EXPECT_EQ(testing::internal::GetCapturedStdout(), whole);
    }
}

TEST(StateHash, IsDeterministic) { EXPECT_EQ(sample_model().state_hash(), sample_model().state_hash()); }

TEST(StateHash, IgnoresLocations) {
    Model a = sample_model(), b = sample_model();
    b.find(id(Kind::table, "app", "users"))->location = SourceLocation{"elsewhere.sql", 99, 7};
    b.find(id(Kind::schema, "", "app"))->location = SourceLocation{"x.sql", 1, 1};
    EXPECT_EQ(a.state_hash(), b.state_hash());
}

TEST(StateHash, IgnoresTheDdlForm) {
    Model a = sample_model(), b = sample_model();
    b.find(id(Kind::table, "app", "users"))->ddl = {{"columns", json::array()}, {"unlogged", true}};
    EXPECT_EQ(a.state_hash(), b.state_hash());
}

// A better dependency rule in a new release must not make every pending
// migration look drifted: dependencies are derived, not part of the state.
TEST(StateHash, IgnoresDependencies) {
    Model a = sample_model(), b = sample_model(), c = sample_model();
    for (auto& [id, object] : b.objects) object.depends_on.clear();
    Object& users = *c.find(id(Kind::table, "app", "users"));
    users.depend_on({id(Kind::schema, "", "other"), std::vector<std::string>{"x"}, true});
    users.depend_on({id(Kind::enumeration, "app", "mood"), std::nullopt, false});
    ASSERT_NE(a.find(id(Kind::table, "app", "users"))->depends_on, b.find(id(Kind::table, "app", "users"))->depends_on);
    EXPECT_EQ(a.state_hash(), b.state_hash());
    EXPECT_EQ(a.state_hash(), c.state_hash());
}

TEST(StateHash, IgnoresTheSourceProvenance) {
    Model a = sample_model(), b = sample_model();
    b.source = {{"type", "database"}};
    EXPECT_EQ(a.state_hash(), b.state_hash());
}

TEST(StateHash, IgnoresTheTrackingSchema) {
    Model a = sample_model(), b = sample_model();
    b.add(Object(id(Kind::schema, "", k_tracking_schema)));
    b.add(Object(id(Kind::table, k_tracking_schema, "migrations"), {{"unlogged", false}, {"columns", json::array()}}));
    b.add(Object(id(Kind::constraint, k_tracking_schema, "migrations_pkey", "migrations"), {{"type", "primary_key"}}));
    EXPECT_EQ(a.state_hash(), b.state_hash());
}

TEST(StateHash, ChangesWithAttributes) {
    Model a = sample_model(), b = sample_model();
    b.find(id(Kind::table, "app", "users"))->attrs["columns"][1]["not_null"] = true;
    EXPECT_NE(a.state_hash(), b.state_hash());

    Model c = sample_model();
    c.find(id(Kind::schema, "", "app"))->attrs["comment"] = "changed";
    EXPECT_NE(a.state_hash(), c.state_hash());

    Model d = sample_model();
    d.find(id(Kind::enumeration, "app", "mood"))->attrs["values"] = {"sad", "happy", "ok"};
    EXPECT_NE(a.state_hash(), d.state_hash());
}

TEST(StateHash, ChangesWithObjects) {
    Model a = sample_model(), b = sample_model();
    b.add(Object(id(Kind::schema, "", "other")));
    EXPECT_NE(a.state_hash(), b.state_hash());
    Model c = sample_model();
    c.objects.erase(id(Kind::constraint, "app", "users_pkey", "users"));
    EXPECT_NE(a.state_hash(), c.state_hash());
}

TEST(ObjectJson, FullFormAddsLocationAndDdl) {
    Object o(id(Kind::table, "public", "t"), {{"unlogged", false}, {"columns", json::array()}});
    o.ddl = {{"unlogged", false}, {"columns", json::array()}, {"x", 1}};
    o.location = SourceLocation{"a.sql", 2, 3};
    json full = object_to_json(o);
    EXPECT_EQ(full["kind"], "table");
    EXPECT_EQ(full["schema"], "public");
    EXPECT_EQ(full["name"], "t");
    EXPECT_FALSE(full.contains("table"));
    EXPECT_EQ(full["location"], (json{{"file", "a.sql"}, {"line", 2}, {"column", 3}}));
    EXPECT_EQ(full["ddl"]["x"], 1);
    json bare = object_to_json(o, false);
    EXPECT_FALSE(bare.contains("location"));
    EXPECT_FALSE(bare.contains("ddl"));
    EXPECT_EQ(&ddl_attributes(o), &o.ddl);
    o.ddl = json();
    EXPECT_EQ(&ddl_attributes(o), &o.attrs);
}

TEST(ModelDocument, HasTheEnvelopeAndStateHash) {
    Model m = sample_model();
    json doc = model_to_document(m, "flux-parse");
    EXPECT_EQ(doc["format"], "pgflux.model");
    EXPECT_EQ(doc["version"], 1);
    EXPECT_EQ(doc["generator"]["tool"], "flux-parse");
    EXPECT_EQ(doc["state_hash"], m.state_hash());
    EXPECT_EQ(doc["source"], m.source);
    EXPECT_EQ(doc["objects"].size(), m.objects.size());
}

TEST(ModelDocument, RoundTrips) {
    Model m = sample_model();
    Object* users = m.find(id(Kind::table, "app", "users"));
    users->ddl = users->attrs;  // the source's spelling: same columns and fields, another text
    users->ddl["columns"][0]["type"] = "int8";
    json doc = model_to_document(m, "flux-parse");
    Model back = model_from_document(json::parse(doc.dump()), "desired.json");
    EXPECT_EQ(back.state_hash(), m.state_hash());
    EXPECT_EQ(back.source, m.source);
    ASSERT_EQ(back.objects.size(), m.objects.size());
    for (const auto& [k, o] : m.objects) {
        const Object* b = back.find(k);
        ASSERT_NE(b, nullptr) << k.describe();
        EXPECT_EQ(b->attrs, o.attrs) << k.describe();
        EXPECT_EQ(b->ddl, o.ddl) << k.describe();
        EXPECT_EQ(b->depends_on, o.depends_on) << k.describe();
        EXPECT_EQ(b->location.has_value(), o.location.has_value()) << k.describe();
        if (o.location) {
            EXPECT_EQ(b->location->text(), o.location->text());
        }
    }
    EXPECT_EQ(model_to_document(back, "flux-parse"), doc);
}

json minimal_document(json objects) {
    return {{"format", "pgflux.model"}, {"version", 1}, {"objects", std::move(objects)}};
}

TEST(ModelDocumentErrors, UnknownKindNamesTheFieldPath) {
    json doc = minimal_document({{{"kind", "schema"}, {"name", "a"}, {"attributes", json::object()}},
                                 {{"kind", "schema"}, {"name", "b"}, {"attributes", json::object()}},
                                 {{"kind", "subscription"}, {"schema", "public"}, {"name", "v"}, {"attributes", json::object()}}});
    ExitCode code = k_exit_ok;
    std::string message = error_message([&] { model_from_document(doc, "desired.json"); }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_EQ(message.rfind("desired.json", 0), 0u) << message;
    EXPECT_NE(message.find("objects[2].kind"), std::string::npos) << message;
    EXPECT_NE(message.find("unknown kind \"subscription\""), std::string::npos) << message;
}

// Found by the short fuzzing run: the differ finds columns by name, and makes
// SQL from the "ddl" column of the same name.
TEST(ModelDocumentErrors, ColumnsAreUniqueAndTheDdlHasTheSameFields) {
    json column = {{"name", "b"}, {"type", "integer"}, {"not_null", false}};
    json with_default = column;
    with_default["default"] = "1";
    auto table = [](json columns) {
        return json{{"kind", "table"}, {"schema", "public"}, {"name", "t"},
                    {"attributes", {{"unlogged", false}, {"columns", std::move(columns)}}}};
    };
    std::string twice = error_message([&] {
        model_from_document(minimal_document(json::array({table(json::array({column, with_default}))})), "live.json");
    });
    EXPECT_NE(twice.find("objects[0].attributes.columns[1].name: a second item named \"b\""), std::string::npos)
        << twice;

    // json::array, not braces: a one-element brace list is a copy for clang, an array for gcc.
    json object = table(json::array({with_default}));
    object["ddl"] = {{"unlogged", false}, {"columns", json::array({column})}};
    std::string ddl = error_message([&] { model_from_document(minimal_document(json::array({object})), "live.json"); });
    EXPECT_NE(ddl.find("objects[0].ddl.columns[0]: a column must have the name and the fields"), std::string::npos)
        << ddl;
    object["ddl"]["columns"][0] = with_default;
    object["ddl"]["columns"][0]["default"] = "(1)";
    EXPECT_NO_THROW(model_from_document(minimal_document(json::array({object})), "live.json"));
}

TEST(ModelDocumentErrors, MissingAndMistypedFields) {
    std::string missing = error_message([] {
        model_from_document(minimal_document({{{"kind", "schema"}, {"attributes", json::object()}}}), "live.json");
    });
    EXPECT_NE(missing.find("objects[0].name"), std::string::npos) << missing;
    EXPECT_NE(missing.find("missing"), std::string::npos) << missing;

    std::string mistyped = error_message([] {
        model_from_document(minimal_document({{{"kind", "schema"}, {"name", 5}, {"attributes", json::object()}}}),
                            "live.json");
    });
    EXPECT_NE(mistyped.find("objects[0].name"), std::string::npos) << mistyped;
    EXPECT_NE(mistyped.find("expected a string"), std::string::npos) << mistyped;

    std::string attrs = error_message([] {
        model_from_document(minimal_document({{{"kind", "schema"}, {"name", "a"}, {"attributes", json::array()}}}),
                            "live.json");
    });
    EXPECT_NE(attrs.find("objects[0].attributes"), std::string::npos) << attrs;
    EXPECT_NE(attrs.find("expected an object"), std::string::npos) << attrs;

    std::string objects = error_message([] { model_from_document(minimal_document(json::object()), "live.json"); });
    EXPECT_NE(objects.find("objects"), std::string::npos) << objects;
    EXPECT_NE(objects.find("expected an array"), std::string::npos) << objects;
}

TEST(ModelDocumentErrors, NamesLongerThan63BytesOrWithNulAreRefused) {
    // 63 bytes is the longest name PostgreSQL keeps; one more and it would truncate it.
    EXPECT_NO_THROW(model_from_document(
        minimal_document({{{"kind", "schema"}, {"name", std::string(63, 'a')}, {"attributes", json::object()}}}),
        "desired.json"));
    ExitCode code = k_exit_ok;
    std::string name = error_message([] {
        model_from_document(
            minimal_document({{{"kind", "schema"}, {"name", std::string(64, 'a')}, {"attributes", json::object()}}}),
            "desired.json");
    }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_NE(name.find("objects[0].name"), std::string::npos) << name;
    EXPECT_NE(name.find("longer than 63 bytes"), std::string::npos) << name;
    // 31 x "é" + "é" = 64 bytes in 32 characters: bytes count, not characters.
    std::string e32;
    for (int i = 0; i < 32; ++i) e32 += "\xc3\xa9";
    std::string schema = error_message([&] {
        model_from_document(minimal_document({{{"kind", "table"},
                                               {"schema", e32},
                                               {"name", "t"},
                                               {"attributes", {{"unlogged", false}, {"columns", json::array()}}}}}),
                            "desired.json");
    });
    EXPECT_NE(schema.find("objects[0].schema"), std::string::npos) << schema;
    std::string table = error_message([] {
        model_from_document(minimal_document({{{"kind", "index"},
                                               {"schema", "public"},
                                               {"name", "i"},
                                               {"table", std::string(64, 't')},
                                               {"attributes", json::object()}}}),
                            "desired.json");
    });
    EXPECT_NE(table.find("objects[0].table"), std::string::npos) << table;
    std::string nul = error_message([] {
        model_from_document(
            minimal_document({{{"kind", "schema"}, {"name", std::string("a\0b", 3)}, {"attributes", json::object()}}}),
            "desired.json");
    });
    EXPECT_NE(nul.find("NUL"), std::string::npos) << nul;
}

TEST(ModelDocumentErrors, NestedFieldPaths) {
    std::string line = error_message([] {
        model_from_document(
            minimal_document({{{"kind", "schema"},
                               {"name", "a"},
                               {"attributes", json::object()},
                               {"location", {{"file", "a.sql"}, {"line", "one"}, {"column", 1}}}}}),
            "desired.json");
    });
    EXPECT_NE(line.find("objects[0].location.line"), std::string::npos) << line;
    EXPECT_NE(line.find("expected an integer"), std::string::npos) << line;

    std::string dep = error_message([] {
        model_from_document(minimal_document({{{"kind", "table"},
                                               {"schema", "public"},
                                               {"name", "t"},
                                               {"attributes", {{"unlogged", false}, {"columns", json::array()}}},
                                               {"depends_on", {{{"kind", "nope"}, {"name", "x"}}}}}}),
                            "desired.json");
    });
    EXPECT_NE(dep.find("objects[0].depends_on[0].kind"), std::string::npos) << dep;
}

TEST(ModelDocumentErrors, AttributesOfEachKindAreChecked) {
    std::string line = error_message([] {
        model_from_document(minimal_document({{{"kind", "index"},
                                               {"schema", "public"},
                                               {"name", "i"},
                                               {"table", "t"},
                                               {"attributes", {{"unique", "yes"}}}}}),
                            "desired.json");
    });
    EXPECT_NE(line.find("desired.json: objects[0].attributes.unique: expected true or false"), std::string::npos) << line;
}

TEST(ModelDocumentErrors, IdentityRules) {
    std::string no_schema = error_message([] {
        model_from_document(minimal_document({{{"kind", "table"}, {"name", "t"}, {"attributes", json::object()}}}),
                            "desired.json");
    });
    EXPECT_NE(no_schema.find("objects[0]"), std::string::npos) << no_schema;
    EXPECT_NE(no_schema.find("needs a \"schema\""), std::string::npos) << no_schema;

    std::string no_table = error_message([] {
        model_from_document(minimal_document({{{"kind", "index"},
                                               {"schema", "public"},
                                               {"name", "i"},
                                               {"attributes", json::object()}}}),
                            "desired.json");
    });
    EXPECT_NE(no_table.find("needs a \"table\""), std::string::npos) << no_table;

    std::string duplicate = error_message([] {
        json o = {{"kind", "schema"}, {"name", "a"}, {"attributes", json::object()}};
        model_from_document(minimal_document({o, o}), "desired.json");
    });
    EXPECT_NE(duplicate.find("objects[1]"), std::string::npos) << duplicate;
    EXPECT_NE(duplicate.find("duplicate schema a"), std::string::npos) << duplicate;
}

TEST(ModelDocumentErrors, SchemasAndExtensionsNeedNoSchema) {
    Model m = model_from_document(
        minimal_document({{{"kind", "schema"}, {"name", "a"}, {"attributes", json::object()}},
                          {{"kind", "extension"}, {"name", "citext"}, {"attributes", {{"schema", "public"}}}}}),
        "desired.json");
    EXPECT_EQ(m.objects.size(), 2u);
    EXPECT_NE(m.find(id(Kind::extension, "", "citext")), nullptr);
}

}  // namespace
}  // namespace pgflux

namespace pgflux {
namespace {

TEST(ModelDocumentErrors, NamesAndExpressionsOfForeignObjectsMustBeOneNameOrExpression) {
    json fdw = {{"kind", "foreign_data_wrapper"}, {"name", "w"},
                {"attributes", {{"options", json::object()}, {"handler", "f; DROP TABLE victim"}}}};
    ExitCode code = k_exit_ok;
    std::string message = error_message([&] { model_from_document(minimal_document(json::array({fdw})), "m.json"); }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_NE(message.find("objects[0].attributes.handler: not a name"), std::string::npos) << message;
    json pub = {{"kind", "publication"}, {"name", "p"},
                {"attributes", {{"all_tables", false}, {"schemas", json::array()}, {"publish", json::array()},
                                {"via_root", false},
                                {"tables", {{{"schema", "public"}, {"table", "t"}, {"where", "x > 0); DROP TABLE t; --"}}}}}}};
    message = error_message([&] { model_from_document(minimal_document(json::array({pub})), "m.json"); }, &code);
    EXPECT_NE(message.find("not a single expression"), std::string::npos) << message;
}

}  // namespace
}  // namespace pgflux
