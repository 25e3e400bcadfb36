// Unit tests for canonical expression text, the loose comparison key,
// referenced columns and the DEFAULT clause form.
#include "canon/expressions.h"

#include <gtest/gtest.h>

#include "sql/parser.h"

namespace pgflux {
namespace {

std::string canon_expression(const std::string& text) { return canonical_expression_text(text); }
std::string key(const std::string& text) { return loose_expression_key(canon_expression(text)); }

std::vector<std::string> columns_of(const std::string& text) {
    auto parsed = pq::parse_expression(text);
    return referenced_columns(parsed.expr);
}

TEST(CanonicalExpression, NormalizesSpacing) {
    EXPECT_EQ(canon_expression("a>0"), "a > 0");
    EXPECT_EQ(canon_expression("  a   >   0  "), "a > 0");
    EXPECT_EQ(canon_expression("a\n>\t0"), "a > 0");
    EXPECT_EQ(canon_expression("lower(  name  )"), "lower(name)");
    EXPECT_EQ(canon_expression("x IN (1,2,3)"), "x IN (1, 2, 3)");
}

TEST(CanonicalExpression, NormalizesKeywordAndIdentifierCase) {
    EXPECT_EQ(canon_expression("A > 0 and B < 1"), "a > 0 AND b < 1");
    EXPECT_EQ(canon_expression("NOW()"), "now()");
    EXPECT_EQ(canon_expression("x is not null"), "x IS NOT NULL");
    EXPECT_EQ(canon_expression("\"Mixed\" > 0"), "\"Mixed\" > 0");
}

TEST(CanonicalExpression, RemovesRedundantParentheses) {
    EXPECT_EQ(canon_expression("((a)) > (0)"), "a > 0");
    EXPECT_EQ(canon_expression("a + b * c"), canon_expression("a + (b * c)"));
    EXPECT_EQ(canon_expression("(((a + b * c)))"), canon_expression("a + (b * c)"));
    EXPECT_EQ(canon_expression("((a > 0) AND (b > 0))"), "a > 0 AND b > 0");
}

TEST(CanonicalExpression, KeepsNeededParentheses) {
    EXPECT_EQ(canon_expression("(a + b) * c"), "(a + b) * c");
    EXPECT_EQ(canon_expression("(a OR b) AND c"), "(a OR b) AND c");
}

TEST(CanonicalExpression, SameTextForEquivalentSpellings) {
    EXPECT_EQ(canon_expression("CAST(x AS integer)"), canon_expression("x::integer"));
    EXPECT_EQ(canon_expression("x::integer"), canon_expression("x :: INT"));
    EXPECT_EQ(canon_expression("x::integer"), "x::int");
    EXPECT_EQ(canon_expression("'abc'"), "'abc'");
    EXPECT_EQ(canon_expression("'it''s'"), "'it''s'");
}

TEST(CanonicalExpression, IsAFixedPoint) {
    for (const char* text : {"a > 0 AND b = 'x'", "lower(email)", "(a + b) * c", "x IN (1, 2)",
                             "nextval('users_id_seq'::regclass)", "CURRENT_TIMESTAMP",
                             "CASE WHEN a THEN 1 ELSE 2 END"}) {
        std::string once = canon_expression(text);
        EXPECT_EQ(canon_expression(once), once) << text;
    }
}

TEST(CanonicalExpression, SyntaxErrorsThrow) {
    EXPECT_THROW(canon_expression("a >"), pq::SqlSyntaxError);
    EXPECT_THROW(canon_expression("1, 2"), pq::SqlSyntaxError);
}

TEST(LooseExpressionKey, IgnoresCasts) {
    EXPECT_EQ(key("'a'::text"), key("'a'"));
    EXPECT_EQ(key("(status)::text = 'x'::text"), key("status = 'x'"));
    EXPECT_EQ(key("x::integer > 0"), key("x > 0"));
    EXPECT_EQ(key("'a'::character varying"), key("'a'::text"));
}

TEST(LooseExpressionKey, InListEqualsAnyArray) {
    EXPECT_EQ(key("x IN (1, 2)"), key("x = ANY (ARRAY[1, 2])"));
    EXPECT_EQ(key("status IN ('a', 'b')"),
              key("(status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])"));
}

TEST(LooseExpressionKey, NotInListEqualsAllArray) {
    EXPECT_EQ(key("x NOT IN (1, 2)"), key("x <> ALL (ARRAY[1, 2])"));
    EXPECT_NE(key("x NOT IN (1, 2)"), key("x = ANY (ARRAY[1, 2])"));
}

TEST(LooseExpressionKey, IgnoresFunctionSchemaQualification) {
    EXPECT_EQ(key("pg_catalog.lower(name)"), key("lower(name)"));
    EXPECT_EQ(key("public.f(x, 1)"), key("f(x, 1)"));
}

TEST(LooseExpressionKey, IgnoresLiteralSpelling) {
    EXPECT_EQ(key("'1'::integer"), key("1"));
    EXPECT_EQ(key("'10'::bigint"), key("10"));
    EXPECT_EQ(key("'1.50'::numeric"), key("1.50"));
    EXPECT_EQ(key("'0'::integer"), key("0"));
    EXPECT_EQ(key("'false'::boolean"), key("false"));
    EXPECT_EQ(key("NULL::text"), key("NULL"));
}

TEST(LooseExpressionKey, IgnoresLocations) {
    EXPECT_EQ(key("a    >     0"), key("a > 0"));
    EXPECT_EQ(loose_expression_key("  a > 0"), loose_expression_key("a > 0"));
}

TEST(LooseExpressionKey, DifferentConstantsDiffer) {
    EXPECT_NE(key("x > 1"), key("x > 2"));
    EXPECT_NE(key("'a'"), key("'b'"));
    EXPECT_NE(key("x IN (1, 2)"), key("x IN (1, 3)"));
    EXPECT_NE(key("x IN (1, 2)"), key("x = ANY (ARRAY[1, 2, 3])"));
    EXPECT_NE(key("1"), key("NULL"));
}

TEST(LooseExpressionKey, DifferentColumnsDiffer) {
    EXPECT_NE(key("a > 0"), key("b > 0"));
    EXPECT_NE(key("lower(a)"), key("lower(b)"));
    EXPECT_NE(key("x IN (1)"), key("y IN (1)"));
}

TEST(LooseExpressionKey, DifferentOperatorsAndFunctionsDiffer) {
    EXPECT_NE(key("a > 0"), key("a >= 0"));
    EXPECT_NE(key("a > 0 AND b > 0"), key("a > 0 OR b > 0"));
    EXPECT_NE(key("lower(a)"), key("upper(a)"));
    EXPECT_NE(key("x = ANY (ARRAY[1])"), key("x = ALL (ARRAY[1])"));
    EXPECT_NE(key("x IS NULL"), key("x IS NOT NULL"));
}

TEST(ReferencedColumns, DistinctNamesInOrder) {
    EXPECT_EQ(columns_of("a + b * a"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(columns_of("lower(name) || c"), (std::vector<std::string>{"name", "c"}));
    EXPECT_EQ(columns_of("price > 0 AND price < max_price"), (std::vector<std::string>{"price", "max_price"}));
}

TEST(ReferencedColumns, IgnoresQualifiedReferencesAndConstants) {
    EXPECT_EQ(columns_of("t.a > 0"), std::vector<std::string>{});
    EXPECT_EQ(columns_of("1 + 2"), std::vector<std::string>{});
    EXPECT_EQ(columns_of("t.a > b"), std::vector<std::string>{"b"});
}

TEST(ReferencedColumns, FindsColumnsInsideNestedNodes) {
    EXPECT_EQ(columns_of("CASE WHEN a > 0 THEN b ELSE coalesce(c, 0) END"),
              (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(columns_of("x IN (y, 1)"), (std::vector<std::string>{"x", "y"}));
}

TEST(DefaultClauseExpression, SimpleExpressionsStayBare) {
    EXPECT_EQ(default_clause_expression("0"), "0");
    EXPECT_EQ(default_clause_expression("-1"), "-1");
    EXPECT_EQ(default_clause_expression("now()"), "now()");
    EXPECT_EQ(default_clause_expression("'a'::text"), "'a'::text");
    EXPECT_EQ(default_clause_expression("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
    EXPECT_EQ(default_clause_expression("1 + 2"), "1 + 2");
    EXPECT_EQ(default_clause_expression("'a' || 'b'"), "'a' || 'b'");
    EXPECT_EQ(default_clause_expression("nextval('s'::regclass)"), "nextval('s'::regclass)");
}

TEST(DefaultClauseExpression, AtTimeZoneNeedsParentheses) {
    EXPECT_EQ(default_clause_expression("now() AT TIME ZONE 'utc'"), "(now() AT TIME ZONE 'utc')");
}

TEST(DefaultClauseExpression, IsNullNeedsParentheses) {
    EXPECT_EQ(default_clause_expression("NULL IS NULL"), "(NULL IS NULL)");
}

TEST(DefaultClauseExpression, CollateNeedsParentheses) {
    // Bare, COLLATE would be read as the column's own COLLATE clause.
    EXPECT_EQ(default_clause_expression("'a' COLLATE \"C\""), "('a' COLLATE \"C\")");
}

TEST(DefaultClauseExpression, BooleanOperatorsAndInNeedParentheses) {
    EXPECT_EQ(default_clause_expression("true AND false"), "(true AND false)");
    EXPECT_EQ(default_clause_expression("NOT true"), "(NOT true)");
    EXPECT_EQ(default_clause_expression("1 IN (1, 2)"), "(1 IN (1, 2))");
}

TEST(DefaultClauseExpression, ResultParsesBackToTheSameDefault) {
    for (const char* expr : {"0", "now() AT TIME ZONE 'utc'", "'a' COLLATE \"C\"", "NULL IS NULL",
                             "true AND false", "1 + 2"}) {
        std::string sql = "CREATE TABLE t (c int DEFAULT " + default_clause_expression(expr) + ")";
        auto parsed = pq::ParseResult::parse(sql);
        auto cons = parsed->statements().at(0).node.list("table_elts").at(0).list("constraints");
        ASSERT_EQ(cons.size(), 1u) << sql;
        EXPECT_EQ(pq::tree_fingerprint(cons[0].get("raw_expr")),
                  pq::tree_fingerprint(pq::parse_expression(expr).expr))
            << sql;
    }
}

}  // namespace
}  // namespace pgflux
