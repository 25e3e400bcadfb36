// Unit tests for PostgreSQL's implicit object names (makeObjectName,
// ChooseRelationName, ChooseIndexNameAddition, ChooseIndexColumnNames,
// FigureColnameInternal).
#include "canon/names.h"

#include <gtest/gtest.h>

#include <set>

#include "sql/parser.h"

namespace pgflux {
namespace {

std::string figure(const std::string& expression) {
    auto parsed = pq::parse_expression(expression);
    return figure_expression_name(parsed.expr);
}

bool valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

std::string repeat(const std::string& s, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += s;
    return out;
}

TEST(TruncateIdentifier, KeepsShortNamesAndCutsAt63Bytes) {
    EXPECT_EQ(truncate_identifier("users"), "users");
    EXPECT_EQ(truncate_identifier(std::string(63, 'a')), std::string(63, 'a'));
    EXPECT_EQ(truncate_identifier(std::string(70, 'a')), std::string(63, 'a'));
}

TEST(TruncateIdentifier, NeverSplitsAMultiByteCharacter) {
    // 31 x "é" = 62 bytes, then a 2-byte character straddling byte 63.
    std::string name = repeat("é", 40);
    std::string cut = truncate_identifier(name);
    EXPECT_EQ(cut, repeat("é", 31));
    EXPECT_TRUE(valid_utf8(cut));
}

TEST(MakeObjectName, JoinsTheParts) {
    EXPECT_EQ(make_object_name("users", "", "pkey"), "users_pkey");
    EXPECT_EQ(make_object_name("users", "email", "key"), "users_email_key");
    EXPECT_EQ(make_object_name("orders", "customer_id", "fkey"), "orders_customer_id_fkey");
    EXPECT_EQ(make_object_name("t", "id", "seq"), "t_id_seq");
}

TEST(MakeObjectName, ExactlySixtyThreeBytesIsNotTruncated) {
    std::string table(30, 't');
    std::string column(28, 'c');  // 30 + 1 + 28 + 1 + 3 ("key") = 63
    std::string name = make_object_name(table, column, "key");
    EXPECT_EQ(name.size(), 63u);
    EXPECT_EQ(name, table + "_" + column + "_key");
}

TEST(MakeObjectName, BothPartsLongShortenTheLongerFirst) {
    std::string table(40, 't');
    std::string column(50, 'c');
    // Available: 63 - 1 - 4 ("_key") = 58 bytes; shortening the longer part
    // first ends with both at 29.
    std::string name = make_object_name(table, column, "key");
    EXPECT_EQ(name, std::string(29, 't') + "_" + std::string(29, 'c') + "_key");
    EXPECT_EQ(name.size(), 63u);
}

TEST(MakeObjectName, UnevenSplitWhenTheAvailableLengthIsOdd) {
    // Available: 63 - 1 - 5 ("_fkey") = 57; on a tie the loop shortens name2, so name1 keeps the odd byte.
    std::string name = make_object_name(std::string(40, 'a'), std::string(40, 'b'), "fkey");
    EXPECT_EQ(name, std::string(29, 'a') + "_" + std::string(28, 'b') + "_fkey");
}

TEST(MakeObjectName, OneLongPartIsTheOnlyOneShortened) {
    std::string table(70, 't');
    EXPECT_EQ(make_object_name(table, "id", "seq"), std::string(56, 't') + "_id_seq");
    EXPECT_EQ(make_object_name("t", std::string(70, 'c'), "key"), "t_" + std::string(57, 'c') + "_key");
    EXPECT_EQ(make_object_name(table, "", "pkey"), std::string(58, 't') + "_pkey");
}

TEST(MakeObjectName, MultiByteCharactersAreNeverSplit) {
    // "é" is two bytes; the 59-byte budget left by "_key" would split the 30th "é".
    std::string table = repeat("é", 40);
    std::string name = make_object_name(table, "", "key");
    EXPECT_TRUE(valid_utf8(name));
    EXPECT_EQ(name, repeat("é", 29) + "_key");
    EXPECT_EQ(make_object_name(table, "", "pkey"), repeat("é", 29) + "_pkey");

    std::string both = make_object_name(repeat("é", 40), repeat("ü", 40), "key");
    EXPECT_TRUE(valid_utf8(both));
    EXPECT_LE(both.size(), 63u);
    // 58 bytes split 29/29 and clipped back to whole characters: 14 of each.
    EXPECT_EQ(both, repeat("é", 14) + "_" + repeat("ü", 14) + "_key");
}

TEST(ChooseObjectName, AddsNumbersToTheLabelUntilFree) {
    std::set<std::string> taken;
    auto is_taken = [&](const std::string& n) { return taken.count(n) > 0; };
    EXPECT_EQ(choose_object_name("t", "a", "idx", is_taken), "t_a_idx");
    taken.insert("t_a_idx");
    EXPECT_EQ(choose_object_name("t", "a", "idx", is_taken), "t_a_idx1");
    taken.insert("t_a_idx1");
    EXPECT_EQ(choose_object_name("t", "a", "idx", is_taken), "t_a_idx2");
}

TEST(ChooseObjectName, NumberedLabelsStillFitIn63Bytes) {
    std::set<std::string> taken;
    auto is_taken = [&](const std::string& n) { return taken.count(n) > 0; };
    std::string table(40, 't'), column(40, 'c');
    std::string first = choose_object_name(table, column, "idx", is_taken);
    taken.insert(first);
    std::string second = choose_object_name(table, column, "idx", is_taken);
    EXPECT_EQ(second.size(), 63u);
    EXPECT_EQ(second.substr(second.size() - 5), "_idx1");
    EXPECT_NE(first, second);
}

TEST(NameAddition, JoinsColumnNames) {
    EXPECT_EQ(name_addition({"a"}), "a");
    EXPECT_EQ(name_addition({"a", "b", "c"}), "a_b_c");
    EXPECT_EQ(name_addition({}), "");
}

TEST(NameAddition, StopsOnceSixtyFourBytesAreReached) {
    // PostgreSQL stops adding names once the buffer holds NAMEDATALEN (64) bytes or more.
    std::string a(40, 'a'), b(40, 'b');
    EXPECT_EQ(name_addition({a, b, "c"}), a + "_" + b);
    // At exactly 63 bytes it keeps going.
    std::string x(31, 'x'), y(31, 'y');
    EXPECT_EQ(name_addition({x, y, "z"}), x + "_" + y + "_z");
    // Each name contributes at most 63 bytes (and 63 is still below the limit).
    EXPECT_EQ(name_addition({std::string(70, 'q'), "r", "s"}), std::string(63, 'q') + "_r");
}

TEST(IndexColumnNames, NamesAndExpressions) {
    EXPECT_EQ(index_column_names({"a", "b"}), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(index_column_names({"", "lower"}), (std::vector<std::string>{"expr", "lower"}));
}

TEST(IndexColumnNames, DuplicatesAreNumbered) {
    EXPECT_EQ(index_column_names({"a", "a"}), (std::vector<std::string>{"a", "a1"}));
    EXPECT_EQ(index_column_names({"a", "a", "a"}), (std::vector<std::string>{"a", "a1", "a2"}));
    EXPECT_EQ(index_column_names({"", ""}), (std::vector<std::string>{"expr", "expr1"}));
    EXPECT_EQ(index_column_names({"a1", "a", "a"}), (std::vector<std::string>{"a1", "a", "a2"}));
}

TEST(IndexColumnNames, NumberedLongNamesStayUnder64Bytes) {
    std::string long_name(63, 'n');
    auto names = index_column_names({long_name, long_name});
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(names[1], std::string(62, 'n') + "1");
}

TEST(FigureExpressionName, FunctionCallsUseTheFunctionName) {
    EXPECT_EQ(figure("lower(email)"), "lower");
    EXPECT_EQ(figure("pg_catalog.upper(name)"), "upper");
    EXPECT_EQ(figure("date_trunc('day', created_at)"), "date_trunc");
}

TEST(FigureExpressionName, CastsUseTheArgumentOrTheTypeName) {
    EXPECT_EQ(figure("(a + b)::int"), "int4");
    EXPECT_EQ(figure("CAST(a + b AS integer)"), "int4");
    EXPECT_EQ(figure("(a + b)::text"), "text");
    EXPECT_EQ(figure("x::int"), "x");
    EXPECT_EQ(figure("lower(x)::text"), "lower");
}

TEST(FigureExpressionName, CaseUsesElseOrCase) {
    EXPECT_EQ(figure("CASE WHEN a THEN 1 ELSE 2 END"), "case");
    EXPECT_EQ(figure("CASE WHEN a THEN 1 END"), "case");
    EXPECT_EQ(figure("CASE WHEN a THEN b ELSE c END"), "c");
}

TEST(FigureExpressionName, SpecialForms) {
    EXPECT_EQ(figure("COALESCE(a, b)"), "coalesce");
    EXPECT_EQ(figure("ARRAY[a, b]"), "array");
    EXPECT_EQ(figure("GREATEST(a, b)"), "greatest");
    EXPECT_EQ(figure("LEAST(a, b)"), "least");
    EXPECT_EQ(figure("NULLIF(a, b)"), "nullif");
    EXPECT_EQ(figure("ROW(a, b)"), "row");
    EXPECT_EQ(figure("CURRENT_DATE"), "current_date");
}

TEST(FigureExpressionName, ColumnRefUsesTheLastField) {
    EXPECT_EQ(figure("a"), "a");
    EXPECT_EQ(figure("t.b"), "b");
}

TEST(FigureExpressionName, OperatorExpressionsHaveNoName) {
    EXPECT_EQ(figure("a + b"), "");
    EXPECT_EQ(figure("a || ' ' || b"), "");
    EXPECT_EQ(figure("1"), "");
}

}  // namespace
}  // namespace pgflux
