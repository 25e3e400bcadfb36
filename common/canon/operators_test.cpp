// Unit tests for operator, cast and text search attributes: the builders
// read statements the way the catalog reader rebuilds them, names are kept
// bare for pg_catalog and qualified otherwise, and COMMUTATOR/NEGATOR links
// are closed the same way on both sides.
#include "canon/operators.h"

#include <gtest/gtest.h>

#include "model/model_json.h"
#include "util/document.h"
#include "sql/parser.h"
#include "util/error.h"

namespace pgflux {
namespace {

json operator_attrs(const std::string& sql, std::string* signature = nullptr) {
    auto parsed = pq::ParseResult::parse(sql);
    OperatorDefinition d = operator_definition(parsed->statements().at(0).node, catalog_scope());
    if (signature) *signature = d.signature;
    return d.attrs;
}

TEST(Operators, CatalogFormIsReadBack) {
    std::string signature;
    json a = operator_attrs(
        "CREATE OPERATOR app.=== (LEFTARG = app.mood, RIGHTARG = app.mood, FUNCTION = app.mood_eq, "
        "COMMUTATOR = OPERATOR(app.===), NEGATOR = OPERATOR(pg_catalog.<>), RESTRICT = eqsel, JOIN = pg_catalog.eqjoinsel, "
        "HASHES)",
        &signature);
    EXPECT_EQ(signature, "app.mood, app.mood");
    EXPECT_EQ(a["function"], "app.mood_eq");
    EXPECT_EQ(a["commutator"], "app.===");
    EXPECT_EQ(a["negator"], "<>");
    EXPECT_EQ(a["restrict"], "eqsel");
    EXPECT_EQ(a["join"], "eqjoinsel");
    EXPECT_EQ(a["hashes"], true);
    EXPECT_EQ(a["merges"], false);
}

TEST(Operators, PrefixOperatorHasNoneOnTheLeft) {
    std::string signature;
    json a = operator_attrs("CREATE OPERATOR app.~~ (RIGHTARG = int4, FUNCTION = app.neg)", &signature);
    EXPECT_EQ(signature, "NONE, integer");
    EXPECT_FALSE(a.contains("left"));
}

TEST(Operators, MissingRightOperandOrFunctionIsAnError) {
    EXPECT_THROW(operator_attrs("CREATE OPERATOR app.~~ (LEFTARG = int4, FUNCTION = app.neg)"), Error);
    EXPECT_THROW(operator_attrs("CREATE OPERATOR app.~~ (RIGHTARG = int4)"), Error);
}

TEST(Operators, ReferenceSqlQuotesTheSchemaNeverTheSymbol) {
    EXPECT_EQ(operator_reference_sql("app.==="), "OPERATOR(app.===)");
    EXPECT_EQ(operator_reference_sql("\"My App\".==="), "OPERATOR(\"My App\".===)");
    EXPECT_EQ(operator_reference_sql("<>"), "OPERATOR(pg_catalog.<>)");
}

TEST(Operators, LinksAreClosedSymmetrically) {
    Model m;
    m.add(Object(ObjectId{Kind::operator_, "app", "===", "", "integer, text"},
                 {{"left", "integer"}, {"right", "text"}, {"function", "app.f"}, {"commutator", "app.==="},
                  {"negator", "app.!=="}, {"hashes", false}, {"merges", false}}));
    m.add(Object(ObjectId{Kind::operator_, "app", "===", "", "text, integer"},
                 {{"left", "text"}, {"right", "integer"}, {"function", "app.g"}, {"hashes", false}, {"merges", false}}));
    m.add(Object(ObjectId{Kind::operator_, "app", "!==", "", "integer, text"},
                 {{"left", "integer"}, {"right", "text"}, {"function", "app.h"}, {"negator", "app.<<<"},
                  {"hashes", false}, {"merges", false}}));
    close_operator_links(m);
    EXPECT_EQ(m.find(ObjectId{Kind::operator_, "app", "===", "", "text, integer"})->attrs["commutator"], "app.===");
    // An operator's own link is kept.
    EXPECT_EQ(m.find(ObjectId{Kind::operator_, "app", "!==", "", "integer, text"})->attrs["negator"], "app.<<<");
}

TEST(Casts, NameAndAttributes) {
    auto parsed = pq::ParseResult::parse("CREATE CAST (int4 AS app.mood) WITH FUNCTION app.mood_of(int4) AS ASSIGNMENT");
    CastDefinition d = cast_definition(parsed->statements().at(0).node, catalog_scope());
    EXPECT_EQ(d.name, "(integer AS app.mood)");
    EXPECT_EQ(d.attrs["function"], "app.mood_of(integer)");
    EXPECT_EQ(d.attrs["method"], "function");
    EXPECT_EQ(d.attrs["context"], "assignment");
    EXPECT_TRUE(in_user_schema(d.attrs["target"]));
    EXPECT_FALSE(in_user_schema(d.attrs["source"]));
}

TEST(TextSearch, DictionaryOptionsAndAlter) {
    auto parsed = pq::ParseResult::parse(
        "CREATE TEXT SEARCH DICTIONARY app.d (TEMPLATE = pg_catalog.simple, stopwords = 'english', Accept = false)");
    json a = ts_dictionary_attributes(parsed->statements().at(0).node, catalog_scope());
    EXPECT_EQ(a, json({{"template", "simple"}, {"options", {{"stopwords", "english"}, {"accept", "false"}}}}));
    auto alter = pq::ParseResult::parse("ALTER TEXT SEARCH DICTIONARY app.d (stopwords, maxlen = 5)");
    alter_ts_dictionary_options(a, alter->statements().at(0).node.list("options"));
    EXPECT_EQ(a["options"], json({{"accept", "false"}, {"maxlen", "5"}}));
}

TEST(TextSearch, BuiltinConfigurations) {
    json english = builtin_ts_configuration("english");
    EXPECT_EQ(english["parser"], "default");
    EXPECT_EQ(english["mappings"].size(), 19u);
    EXPECT_EQ(english["mappings"]["asciiword"], json::array({"english_stem"}));
    EXPECT_EQ(english["mappings"]["email"], json::array({"simple"}));
    EXPECT_EQ(builtin_ts_configuration("russian")["mappings"]["asciiword"], json::array({"english_stem"}));
    EXPECT_EQ(builtin_ts_configuration("russian")["mappings"]["word"], json::array({"russian_stem"}));
    EXPECT_TRUE(builtin_ts_configuration("klingon").is_null());
    EXPECT_EQ(catalog_object_sql("default"), "pg_catalog.\"default\"");
    EXPECT_EQ(catalog_object_sql("app.\"My Dict\""), "app.\"My Dict\"");
}

TEST(Identities, OperatorAndCastIdentitiesMustBeOneDropStatement) {
    auto id = [](json j) { return id_from_json(JsonField(j, "doc")); };
    EXPECT_NO_THROW(id({{"kind", "operator"}, {"schema", "app"}, {"name", "==="}, {"signature", "NONE, integer"}}));
    EXPECT_THROW(id({{"kind", "operator"}, {"schema", "app"}, {"name", "=== (int, int); DROP TABLE x; --"},
                     {"signature", "integer, integer"}}),
                 Error);
    EXPECT_THROW(id({{"kind", "operator"}, {"schema", "app"}, {"name", "==="},
                     {"signature", "integer, integer); DROP TABLE x; --"}}),
                 Error);
    EXPECT_NO_THROW(id({{"kind", "cast"}, {"name", "(integer AS app.mood)"}}));
    EXPECT_THROW(id({{"kind", "cast"}, {"name", "(integer AS app.mood); DROP TABLE x"}}), Error);
}

}  // namespace
}  // namespace pgflux
