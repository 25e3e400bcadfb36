#include "source/renamed_comment.h"

#include <gtest/gtest.h>

namespace pgflux::source {
namespace {

using Names = std::vector<std::string>;

TEST(RenamedComment, PlainCommentsAreNotAnnotations) {
    EXPECT_FALSE(parse_renamed_comment("-- just a comment").is_annotation);
    EXPECT_FALSE(parse_renamed_comment("-- renamed from=x").is_annotation);
    EXPECT_FALSE(parse_renamed_comment("--").is_annotation);
}

TEST(RenamedComment, UnquotedNamesFoldToLowerCase) {
    auto r = parse_renamed_comment("-- @renamed from=Email");
    EXPECT_TRUE(r.is_annotation);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.from, Names{"email"});
    EXPECT_EQ(parse_renamed_comment("--@renamed from=old_name_2$  ").from, Names{"old_name_2$"});
}

TEST(RenamedComment, QuotedAndQualifiedNames) {
    EXPECT_EQ(parse_renamed_comment("-- @renamed from=\"Old \"\"T\"\"\"").from, Names{"Old \"T\""});
    EXPECT_EQ(parse_renamed_comment("-- @renamed from=app.\"Users\"").from, (Names{"app", "Users"}));
    EXPECT_EQ(parse_renamed_comment("-- @renamed  from=\"my.schema\".t\t").from, (Names{"my.schema", "t"}));
}

TEST(RenamedComment, MalformedOnesSayWhatAndWhere) {
    auto r = parse_renamed_comment("-- @renamed");
    EXPECT_EQ(r.error, "expected \"from=OLD_NAME\" after @renamed");
    EXPECT_EQ(r.error_at, 11u);
    r = parse_renamed_comment("-- @renamed to=x");
    EXPECT_EQ(r.error, "expected \"from=OLD_NAME\" after @renamed");
    EXPECT_EQ(r.error_at, 12u);
    r = parse_renamed_comment("-- @renamedfrom=x");
    EXPECT_NE(r.error, "");
    r = parse_renamed_comment("-- @renamed from=");
    EXPECT_EQ(r.error, "expected an identifier after from=");
    EXPECT_EQ(r.error_at, 17u);
    r = parse_renamed_comment("-- @renamed from=\"abc");
    EXPECT_EQ(r.error, "unterminated quoted identifier");
    EXPECT_EQ(r.error_at, 17u);
    EXPECT_EQ(parse_renamed_comment("-- @renamed from=\"\"").error, "empty quoted identifier");
    r = parse_renamed_comment("-- @renamed from=a b");
    EXPECT_EQ(r.error, "unexpected text after the old name");
    EXPECT_EQ(r.error_at, 18u);
    EXPECT_EQ(parse_renamed_comment("-- @renamed from=a.b.c").error, "an old name has at most two parts (schema.name)");
    EXPECT_EQ(parse_renamed_comment("-- @renamed from=1abc").error, "expected an identifier after from=");
    EXPECT_EQ(parse_renamed_comment("-- @renamed from=a.").error, "expected an identifier after from=");
    EXPECT_EQ(parse_renamed_comment("-- @renamed from=" + std::string(64, 'a')).error, "identifier longer than 63 bytes");
    EXPECT_TRUE(parse_renamed_comment("-- @renamed from=x;").from.empty());
}

}  // namespace
}  // namespace pgflux::source
