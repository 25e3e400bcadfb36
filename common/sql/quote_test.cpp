// Unit tests for identifier and literal quoting (PostgreSQL's quote_ident /
// quote_literal rules with standard_conforming_strings on).
#include "sql/quote.h"

#include <gtest/gtest.h>

namespace pgflux {
namespace {

TEST(QuoteIdent, LowerCaseIdentifiersStayBare) {
    EXPECT_EQ(quote_ident("users"), "users");
    EXPECT_EQ(quote_ident("order_items"), "order_items");
    EXPECT_EQ(quote_ident("_private"), "_private");
    EXPECT_EQ(quote_ident("t1"), "t1");
}

TEST(QuoteIdent, MixedOrUpperCaseIsQuoted) {
    EXPECT_EQ(quote_ident("Users"), "\"Users\"");
    EXPECT_EQ(quote_ident("USERS"), "\"USERS\"");
    EXPECT_EQ(quote_ident("userId"), "\"userId\"");
}

TEST(QuoteIdent, ReservedKeywordsAreQuoted) {
    EXPECT_EQ(quote_ident("user"), "\"user\"");
    EXPECT_EQ(quote_ident("order"), "\"order\"");
    EXPECT_EQ(quote_ident("select"), "\"select\"");
    EXPECT_EQ(quote_ident("table"), "\"table\"");
}

TEST(QuoteIdent, ColumnNameAndTypeFunctionKeywordsAreQuoted) {
    // PostgreSQL's quote_ident leaves only unreserved keywords bare.
    EXPECT_EQ(quote_ident("int"), "\"int\"");
    EXPECT_EQ(quote_ident("char"), "\"char\"");
    EXPECT_EQ(quote_ident("left"), "\"left\"");
    EXPECT_EQ(quote_ident("similar"), "\"similar\"");
}

TEST(QuoteIdent, UnreservedKeywordsStayBare) {
    EXPECT_EQ(quote_ident("name"), "name");
    EXPECT_EQ(quote_ident("type"), "type");
    EXPECT_EQ(quote_ident("comment"), "comment");
    EXPECT_EQ(quote_ident("data"), "data");
}

TEST(QuoteIdent, SpacesAndPunctuationAreQuoted) {
    EXPECT_EQ(quote_ident("a b"), "\"a b\"");
    EXPECT_EQ(quote_ident("a-b"), "\"a-b\"");
    EXPECT_EQ(quote_ident("a.b"), "\"a.b\"");
    EXPECT_EQ(quote_ident("$x"), "\"$x\"");
}

TEST(QuoteIdent, EmbeddedDoubleQuotesAreDoubled) {
    EXPECT_EQ(quote_ident("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(quote_ident("\""), "\"\"\"\"");
}

TEST(QuoteIdent, NonAsciiIsQuoted) {
    EXPECT_EQ(quote_ident("é"), "\"é\"");
    EXPECT_EQ(quote_ident("café"), "\"café\"");
    EXPECT_EQ(quote_ident("日本"), "\"日本\"");
}

TEST(QuoteIdent, LeadingDigitIsQuoted) {
    EXPECT_EQ(quote_ident("1abc"), "\"1abc\"");
    EXPECT_EQ(quote_ident("2024_sales"), "\"2024_sales\"");
}

TEST(QuoteIdent, EmptyIdentifierIsQuoted) { EXPECT_EQ(quote_ident(""), "\"\""); }

TEST(QuoteLiteral, PlainText) {
    EXPECT_EQ(quote_literal("abc"), "'abc'");
    EXPECT_EQ(quote_literal(""), "''");
}

TEST(QuoteLiteral, SingleQuotesAreDoubled) {
    EXPECT_EQ(quote_literal("it's"), "'it''s'");
    EXPECT_EQ(quote_literal("''"), "''''''");
}

TEST(QuoteLiteral, BackslashesTakeTheEscapeFormThatReadsTheSameWhateverStandardConformingStrings) {
    EXPECT_EQ(quote_literal("a\\b"), "E'a\\\\b'");
    EXPECT_EQ(quote_literal("C:\\dir\\'x'"), "E'C:\\\\dir\\\\''x'''");
    // With standard_conforming_strings off, 'x\''; DROP ...' would end the
    // literal after x\' and run the DROP; E'x\\''; DROP ...' cannot.
    EXPECT_EQ(quote_literal("x\\'; DROP TABLE victim; --"), "E'x\\\\''; DROP TABLE victim; --'");
}

TEST(QuoteLiteral, MultiByteTextIsKept) { EXPECT_EQ(quote_literal("é日"), "'é日'"); }

TEST(QualifiedName, QuotesEachPart) {
    EXPECT_EQ(qualified_name("public", "users"), "public.users");
    EXPECT_EQ(qualified_name("App", "Users"), "\"App\".\"Users\"");
    EXPECT_EQ(qualified_name("user", "order"), "\"user\".\"order\"");
    EXPECT_EQ(qualified_name("a.b", "c"), "\"a.b\".c");
}

TEST(QualifiedName, EmptySchemaGivesTheBareName) {
    EXPECT_EQ(qualified_name("", "users"), "users");
    EXPECT_EQ(qualified_name("", "Users"), "\"Users\"");
}

TEST(DisplayName, PublicSchemaIsLeftOut) {
    EXPECT_EQ(display_name("public", "users"), "users");
    EXPECT_EQ(display_name("public", "User"), "\"User\"");
    EXPECT_EQ(display_name("app", "users"), "app.users");
    EXPECT_EQ(display_name("App", "user"), "\"App\".\"user\"");
}

TEST(JoinIdents, CommaSeparatedQuotedIdentifiers) {
    EXPECT_EQ(join_idents({"a", "B", "c"}), "a, \"B\", c");
    EXPECT_EQ(join_idents({}), "");
    EXPECT_EQ(join_idents({"user"}), "\"user\"");
}

}  // namespace
}  // namespace pgflux
