// Unit tests for the libpg_query wrapper: parsing, statement locations,
// deparse of sub-nodes, keyword classification and error positions.
#include "sql/parser.h"
#include "sql/message.h"

#include <gtest/gtest.h>

namespace pgflux::pq {
namespace {

TEST(Parser, ParsesEveryStatementWithItsNodeType) {
    auto parsed = ParseResult::parse("CREATE TABLE t (id int); CREATE INDEX ON t (id); SELECT 1");
    ASSERT_EQ(parsed->statements().size(), 3u);
    EXPECT_TRUE(parsed->statements()[0].node.is("CreateStmt"));
    EXPECT_TRUE(parsed->statements()[1].node.is("IndexStmt"));
    EXPECT_TRUE(parsed->statements()[2].node.is("SelectStmt"));
    EXPECT_EQ(parsed->statements()[0].node.get("relation").str("relname"), "t");
}

TEST(Parser, KeepsItsOwnCopyOfTheText) {
    std::string sql = "CREATE SCHEMA app;";
    auto parsed = ParseResult::parse(sql);
    sql.assign("xxxxxxxxxxxxxxxxxx");
    EXPECT_EQ(parsed->sql(), "CREATE SCHEMA app;");
    EXPECT_EQ(parsed->statements().at(0).node.str("schemaname"), "app");
}

TEST(Parser, EmptyTextHasNoStatements) {
    EXPECT_TRUE(ParseResult::parse("")->statements().empty());
    EXPECT_TRUE(ParseResult::parse("  -- only a comment\n")->statements().empty());
}

TEST(Parser, StatementLocationsAndTextWithoutSemicolon) {
    const std::string sql = "CREATE SCHEMA a;\nCREATE SCHEMA b;";
    auto parsed = ParseResult::parse(sql);
    const auto& st = parsed->statements();
    ASSERT_EQ(st.size(), 2u);
    EXPECT_EQ(st[0].location, 0);
    EXPECT_EQ(st[0].text, "CREATE SCHEMA a");
    // The second statement starts right after the first ';'.
    EXPECT_EQ(st[1].location, 16);
    EXPECT_EQ(st[1].text, "\nCREATE SCHEMA b");
    // Each text view points into the owned copy of the SQL.
    EXPECT_EQ(st[1].text.data(), parsed->sql().data() + 16);
}

TEST(Parser, LastStatementWithoutSemicolonRunsToTheEnd) {
    auto parsed = ParseResult::parse("CREATE SCHEMA a; CREATE SCHEMA b");
    ASSERT_EQ(parsed->statements().size(), 2u);
    EXPECT_EQ(parsed->statements()[1].text, " CREATE SCHEMA b");
}

TEST(Parser, StatementLocationsAreByteOffsetsAfterMultiByteText) {
    // 'é' is two bytes; the second statement starts at a byte, not character, offset.
    const std::string sql = "COMMENT ON SCHEMA s IS 'é';CREATE SCHEMA b;";
    auto parsed = ParseResult::parse(sql);
    ASSERT_EQ(parsed->statements().size(), 2u);
    EXPECT_EQ(parsed->statements()[1].location, static_cast<int>(sql.find("CREATE")));
    EXPECT_EQ(parsed->statements()[1].text, "CREATE SCHEMA b");
    EXPECT_EQ(parsed->statements()[0].node.str("comment"), "é");
}

// A text of over 4 KB is parsed a statement at a time: the statements, their
// texts and the nodes' positions must be those of one parse of the text.
std::string long_text(const std::string& tail) {
    std::string sql = "-- leading comment\n";
    for (int i = 0; i < 120; ++i)
        sql += "CREATE TABLE \"t;" + std::to_string(i) + "\" (v text DEFAULT $$a;b$$ /* ; */, w text DEFAULT 'é;');;\n";
    return sql + tail;
}

TEST(Parser, LongTextGivesTheStatementsAndPositionsOfOneParse) {
    const std::string sql = long_text("  SELECT 1 -- no semicolon\n");
    auto parsed = ParseResult::parse(sql);
    const auto& st = parsed->statements();
    ASSERT_EQ(st.size(), 121u);
    EXPECT_EQ(st[0].location, 0);
    EXPECT_EQ(st[0].text.substr(0, 32), "-- leading comment\nCREATE TABLE ");
    size_t semicolon = sql.find("');;") + 3;  // the empty statement is skipped, as by the parser
    EXPECT_EQ(st[1].location, static_cast<int>(semicolon) + 1);
    EXPECT_EQ(st[1].text.substr(0, 14), "\nCREATE TABLE ");
    EXPECT_EQ(st[120].text, "\n  SELECT 1 -- no semicolon\n");
    for (int i = 0; i < 120; ++i) {
        const Msg relation = st[i].node.get("relation");
        ASSERT_EQ(relation.str("relname"), "t;" + std::to_string(i));
        auto at = static_cast<size_t>(st[i].node_offset + relation.integer("location"));
        EXPECT_EQ(sql.compare(at, 4, "\"t;" + std::to_string(i).substr(0, 1)), 0) << i;
        EXPECT_EQ(st[i].text.back(), ')');
    }
}

TEST(Parser, LongTextWithSemicolonsInsideAStatementParsesAsAWhole) {
    auto parsed = ParseResult::parse(long_text(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
        "CREATE RULE r AS ON INSERT TO \"t;1\" DO ALSO (NOTIFY a; NOTIFY b);"));
    const auto& st = parsed->statements();
    ASSERT_EQ(st.size(), 122u);
    EXPECT_TRUE(st[120].node.is("CreateFunctionStmt"));
    EXPECT_TRUE(st[121].node.is("RuleStmt"));
    EXPECT_EQ(st[121].node.list("actions").size(), 2u);
}

TEST(Parser, LongTextSyntaxErrorCarriesTheOffsetInTheWholeText) {
    const std::string sql = long_text("CREATE TABLE é (x int,);");
    try {
        ParseResult::parse(sql);
        FAIL() << "no error";
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.byte_offset, static_cast<int>(sql.rfind(");")));
    }
}

TEST(Parser, LongTextWithAStatementThatStartsWithNoKeywordIsAnError) {
    // libpg_query's split leaves such a statement out; the parser rejects it.
    for (const std::string bad : {"oops;", "42; SELECT 1;", "'text';", "oops", "); SELECT 1", "\v;"}) {
        const std::string at_end = long_text(bad), at_start = bad + "\n" + long_text("");
        for (const auto& [sql, offset] : {std::pair{at_end, at_end.size() - bad.size()}, std::pair{at_start, size_t{0}}}) {
            try {
                ParseResult::parse(sql);
                ADD_FAILURE() << "no error for " << bad;
            } catch (const SqlSyntaxError& e) {
                EXPECT_EQ(e.byte_offset, static_cast<int>(offset)) << bad;
            }
        }
    }
}

TEST(Parser, SyntaxErrorCarriesByteOffsetOfTheOffendingToken) {
    const std::string sql = "CREATE TABEL t (id int);";
    try {
        ParseResult::parse(sql);
        FAIL() << "expected a syntax error";
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.byte_offset, static_cast<int>(sql.find("TABEL")));
        EXPECT_NE(std::string(e.what()).find("syntax error at or near \"TABEL\""), std::string::npos) << e.what();
    }
}

TEST(Parser, SyntaxErrorOffsetIsInBytesAfterMultiByteText) {
    // libpg_query reports a character position; the wrapper converts it to bytes.
    const std::string sql = "COMMENT ON SCHEMA s IS 'ééé日本';\nCREATE TABEL t ();";
    try {
        ParseResult::parse(sql);
        FAIL() << "expected a syntax error";
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.byte_offset, static_cast<int>(sql.find("TABEL")));
        auto lc = line_column(sql, e.byte_offset);
        EXPECT_EQ(lc.line, 2);
        EXPECT_EQ(lc.column, 8);
    }
}

TEST(Parser, SyntaxErrorAtEndOfInput) {
    const std::string sql = "CREATE TABLE t (";
    try {
        ParseResult::parse(sql);
        FAIL() << "expected a syntax error";
    } catch (const SqlSyntaxError& e) {
        EXPECT_NE(std::string(e.what()).find("end of input"), std::string::npos) << e.what();
        EXPECT_GE(e.byte_offset, 0);
        EXPECT_LE(e.byte_offset, static_cast<int>(sql.size()));
    }
}

TEST(Parser, ParseExpressionReturnsTheExpressionNode) {
    auto parsed = parse_expression("a + 1");
    ASSERT_TRUE(parsed.owner);
    EXPECT_TRUE(parsed.expr.is("A_Expr"));
    EXPECT_EQ(parsed.expr.strings("name"), std::vector<std::string>{"+"});
}

TEST(Parser, ParseExpressionRejectsWhatIsNotOneExpression) {
    EXPECT_THROW(parse_expression("1, 2"), SqlSyntaxError);
    EXPECT_THROW(parse_expression("1 FROM t"), SqlSyntaxError);
    EXPECT_THROW(parse_expression("1; SELECT 2"), SqlSyntaxError);
}

TEST(Parser, ParseExpressionErrorOffsetIsRelativeToTheExpression) {
    try {
        parse_expression("a + + )");
        FAIL() << "expected a syntax error";
    } catch (const SqlSyntaxError& e) {
        EXPECT_EQ(e.byte_offset, 6);  // the ')' inside "a + + )"
    }
}

TEST(Parser, DeparseExpressionNormalizesSpacingCaseAndParentheses) {
    EXPECT_EQ(deparse_expression(parse_expression("((a))>0   and   B='x'").expr), "a > 0 AND b = 'x'");
    EXPECT_EQ(deparse_expression(parse_expression("lower( Name )").expr), "lower(name)");
    EXPECT_EQ(deparse_expression(parse_expression("x::int").expr), "x::int");
}

TEST(Parser, DeparseOfASubNodeOfAStatement) {
    auto parsed = ParseResult::parse("CREATE TABLE t (c int CHECK (c   >   0 AND  c<10))");
    Msg column = parsed->statements()[0].node.list("table_elts").at(0);
    Msg check = column.list("constraints").at(0);
    EXPECT_EQ(deparse_expression(check.get("raw_expr")), "c > 0 AND c < 10");
    auto index_parse = ParseResult::parse("CREATE INDEX i ON t (lower(x)) WHERE x IS NOT NULL");
    Msg index = index_parse->statements()[0].node;
    EXPECT_EQ(deparse_expression(index.get("where_clause")), "x IS NOT NULL");
    EXPECT_EQ(deparse_expression(index.list("index_params").at(0).get("expr")), "lower(x)");
}

TEST(Parser, DeparseStatement) {
    auto parsed = ParseResult::parse("create   table T (ID   integer)");
    EXPECT_EQ(deparse_statement(parsed->statements()[0].node), "CREATE TABLE t (id int)");
}

TEST(Parser, KeywordKinds) {
    EXPECT_EQ(keyword_kind("select"), KeywordKind::reserved);
    EXPECT_EQ(keyword_kind("user"), KeywordKind::reserved);
    EXPECT_EQ(keyword_kind("order"), KeywordKind::reserved);
    EXPECT_EQ(keyword_kind("name"), KeywordKind::unreserved);
    EXPECT_EQ(keyword_kind("type"), KeywordKind::unreserved);
    EXPECT_EQ(keyword_kind("int"), KeywordKind::col_name);
    EXPECT_EQ(keyword_kind("char"), KeywordKind::col_name);
    EXPECT_EQ(keyword_kind("left"), KeywordKind::type_func_name);
    EXPECT_EQ(keyword_kind("users"), KeywordKind::none);
    EXPECT_EQ(keyword_kind("SELECT"), KeywordKind::reserved);  // the scanner folds case
}

TEST(Parser, KeywordKindOfWhatIsNotASingleWord) {
    EXPECT_EQ(keyword_kind(""), KeywordKind::none);
    EXPECT_EQ(keyword_kind("select x"), KeywordKind::none);
    EXPECT_EQ(keyword_kind("a b"), KeywordKind::none);
    EXPECT_EQ(keyword_kind("\"select\""), KeywordKind::none);
}

TEST(Parser, KeywordKindIsStableWhenCached) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(keyword_kind("table"), KeywordKind::reserved);
}

TEST(Parser, LineColumnCountsLinesAndCharacters) {
    const std::string text = "ab\ncd\n\nef";
    EXPECT_EQ(line_column(text, 0).line, 1);
    EXPECT_EQ(line_column(text, 0).column, 1);
    EXPECT_EQ(line_column(text, 1).column, 2);
    EXPECT_EQ(line_column(text, 3).line, 2);
    EXPECT_EQ(line_column(text, 3).column, 1);
    EXPECT_EQ(line_column(text, 4).column, 2);
    EXPECT_EQ(line_column(text, 7).line, 4);
    EXPECT_EQ(line_column(text, 7).column, 1);
}

TEST(Parser, LineColumnCountsMultiByteCharactersOnce) {
    const std::string text = "é日x\nß y";
    auto x = line_column(text, static_cast<int>(text.find('x')));
    EXPECT_EQ(x.line, 1);
    EXPECT_EQ(x.column, 3);
    auto y = line_column(text, static_cast<int>(text.find('y')));
    EXPECT_EQ(y.line, 2);
    EXPECT_EQ(y.column, 3);
}

TEST(Parser, LineColumnOfUnknownOrOutOfRangeOffsets) {
    auto unknown = line_column("abc\ndef", -1);
    EXPECT_EQ(unknown.line, 1);
    EXPECT_EQ(unknown.column, 1);
    auto past = line_column("ab\ncd", 100);
    EXPECT_EQ(past.line, 2);
    EXPECT_EQ(past.column, 3);
}

TEST(TreeFingerprint, NamesCannotImitateTheTreeAroundThem) {
    // Without lengths, the one column "a"" } fields:String{sval:""b" read as
    // the two names a.b (the fingerprint keys canonical_expression's memory).
    auto two = parse_expression("a.b");
    auto one = parse_expression("\"a\"\" } fields:String{sval:\"\"b\"");
    EXPECT_NE(tree_fingerprint(two.expr), tree_fingerprint(one.expr));
    // Positions are not part of it.
    EXPECT_EQ(tree_fingerprint(parse_expression("a.b").expr), tree_fingerprint(parse_expression("  a . b").expr));
}

TEST(LongIdentifiers, FindsWhatPostgresTruncatesAndHowFar) {
    std::string a70(70, 'a'), b63(63, 'b');
    std::string e32;  // 32 x "é": 64 bytes
    for (int i = 0; i < 32; ++i) e32 += "\xc3\xa9";
    std::string sql = "CREATE TABLE " + b63 + " (X" + std::string(69, 'Y') + " int);\n" +
                      "CREATE TABLE \"" + e32 + "\" (\"q\"\"" + a70 + "\" int, s text default '" + a70 + "');";
    auto found = long_identifiers(sql);
    ASSERT_EQ(found.size(), 3u);
    // Unquoted: folded to lower case first.
    EXPECT_EQ(found[0].name, "x" + std::string(69, 'y'));
    EXPECT_EQ(found[0].truncated, "x" + std::string(62, 'y'));
    EXPECT_EQ(sql.substr(found[0].location, 2), "XY");
    // Quoted: never cut inside a character (62 bytes, not 63).
    EXPECT_EQ(found[1].name, e32);
    EXPECT_EQ(found[1].truncated, e32.substr(0, 62));
    // "" is one double quote; string constants are no identifiers.
    EXPECT_EQ(found[2].name, "q\"" + a70);
    EXPECT_EQ(found[2].truncated, ("q\"" + a70).substr(0, 63));
    // The parse tree holds the same truncated names.
    auto parsed = ParseResult::parse(sql);
    EXPECT_EQ(parsed->statements()[1].node.get("relation").str("relname"), found[1].truncated);
    EXPECT_TRUE(long_identifiers("CREATE TABLE " + b63 + " (id int)").empty());
}

TEST(LongIdentifiers, QuotedOnesOfShortWordsAreFoundToo) {
    // No run of 64 identifier bytes anywhere: only the quoted spans tell.
    std::string words;  // 13 x "word " = 65 bytes
    for (int i = 0; i < 13; ++i) words += "word ";
    std::string doubled = "ab \"\" cd";  // a "" inside
    for (int i = 0; i < 8; ++i) doubled += " efghij \"\"";
    std::string sql = "COMMENT ON TABLE t IS 'a\"b';\nCREATE TABLE \"" + words + "\" (\"" + doubled +
                      "\" int, \"short one\" int);";
    auto found = long_identifiers(sql);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].name, words);
    EXPECT_EQ(sql.substr(found[0].location, 5), "\"word");
    EXPECT_EQ(found[1].name.substr(0, 7), "ab \" cd");
    EXPECT_TRUE(long_identifiers("CREATE TABLE \"" + words.substr(0, 60) + "\" (\"a\"\"b\" int); -- \"").empty());
}

TEST(PsqlMetaCommands, ALineStartingWithABackslashWhereAStatementWouldStart) {
    std::string sql = "\\restrict abc\n-- c\nSET x = 1;\n\\connect -reuse-previous=on \"dbname='x'\"\r\n"
                      "CREATE TABLE t (v text DEFAULT E'\\n\\\\a');\n"
                      "CREATE FUNCTION f() RETURNS int AS $$\n\\no meta here\n$$ LANGUAGE sql;\n"
                      "SELECT 1\n\\unrestrict abc\n;\n\\unrestrict abc";
    auto found = psql_meta_commands(sql);
    std::vector<std::string> texts;
    for (const auto& m : found) texts.push_back(sql.substr(m.start, m.end - m.start));
    // Not inside a dollar quote or a string, not in the middle of a statement.
    EXPECT_EQ(texts, (std::vector<std::string>{"\\restrict abc", "\\connect -reuse-previous=on \"dbname='x'\"\r",
                                               "\\unrestrict abc"}));
    EXPECT_EQ(found.back().end, sql.size());
    EXPECT_TRUE(psql_meta_commands("SELECT 1; -- a \\ b\n").empty());
    // pg_dump's random key may be what libpg_query's scanner refuses (a digit, then letters).
    auto dump = psql_meta_commands("--\n\\restrict 9mJY867h3\nSET x = 1;\n/* a; \n\\no */ SELECT $q$;\n\\x$q$, $1, a$b;\n"
                                   "SELECT 'it''s;\n\\no', E'\\';\n\\no', \"a;\n\\\";\n\\unrestrict 9mJY867h3\n");
    ASSERT_EQ(dump.size(), 2u);
    EXPECT_EQ(dump[0].start, 3u);
    EXPECT_EQ(dump[0].end, 3u + 19u);
    EXPECT_TRUE(psql_meta_commands("").empty());
}

}  // namespace
}  // namespace pgflux::pq
