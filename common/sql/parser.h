// libpg_query entry points: parse SQL into protobuf trees, deparse sub-trees,
// classify keywords. All errors carry a byte position into the input.
#pragma once

#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sql/message.h"

namespace pgflux::pq {

class SqlSyntaxError : public std::runtime_error {
public:
    SqlSyntaxError(const std::string& message, int byte_offset)
        : std::runtime_error(message), byte_offset(byte_offset) {}
    int byte_offset;  // 0-based into the parsed text; -1 when unknown
};

struct Statement {
    Msg node;              // the statement (RawStmt.stmt, unwrapped)
    int location = 0;      // byte offset of the statement in the text
    std::string_view text; // the statement's text, without the trailing ';'
    // Byte offset in the text that the "location" fields of the statement's
    // nodes count from (a long text is parsed a statement at a time).
    int node_offset = 0;
};

// One parsed text; views in statements() point into it. Statements,
// locations and errors are those of one libpg_query parse of the whole text;
// a long text is parsed a statement at a time after a scan for its top-level
// semicolons (libpg_query's protobuf output of a whole file costs about 2.5
// times as much), falling back to the whole text when a piece does not parse
// (a semicolon inside BEGIN ATOMIC ... END or a rule's action list, an error).
class ParseResult {
public:
    static std::shared_ptr<const ParseResult> parse(std::string sql);
    const std::string& sql() const { return sql_; }
    const std::vector<Statement>& statements() const { return statements_; }

private:
    bool parse_by_statement();
    void parse_whole();
    // Keeps `tree` (libpg_query's protobuf parse of `text`, which starts at `offset`)
    // and appends its statements.
    void add_statements(std::string_view tree, int offset, std::string_view text);

    std::string sql_;
    std::deque<std::string> pbufs_;  // a deque: statements' nodes point into its strings
    std::vector<Statement> statements_;
};

// Parses `SELECT <expression>` and returns the expression node together with
// the result that owns it.
struct ParsedExpression {
    std::shared_ptr<const ParseResult> owner;
    Msg expr;
};
ParsedExpression parse_expression(const std::string& expression);

// libpg_query's deparse of one expression node: normalized spacing, case and
// parentheses ("x > 0 AND y = 'a'::text").
std::string deparse_expression(const Msg& expr);
// Deparse of a TypeName node ("integer", "public.mood[]", "numeric(10,2)").
std::string deparse_type_name(const Msg& type_name);
// Deparse of a whole statement node.
std::string deparse_statement(const Msg& stmt);

// PL/pgSQL's own parse of a CREATE FUNCTION statement's body: libpg_query's
// JSON (one PLpgSQL_function per function). Throws SqlSyntaxError.
// libpg_query's JSON parse tree of `sql` (positions included as "location").
std::string parse_tree_json(const std::string& sql);
std::string parse_plpgsql_json(const std::string& create_function_sql);

enum class KeywordKind { none, unreserved, col_name, type_func_name, reserved };
KeywordKind keyword_kind(std::string_view word);

// An identifier of the text longer than 63 bytes (NAMEDATALEN - 1), which
// PostgreSQL's scanner (and libpg_query's, the same code) truncates.
struct LongIdentifier {
    int location = 0;       // byte offset of the token
    std::string name;       // as written (unquoted, unquoted ones folded to lower case)
    std::string truncated;  // what PostgreSQL keeps
};
// Every identifier token of `sql` that is longer than 63 bytes, in order.
std::vector<LongIdentifier> long_identifiers(const std::string& sql);

// psql meta-commands, as pg_dump writes them ("\\restrict KEY", "\\connect"):
// a backslash at the start of a line where a statement would start, to the
// end of that line (psql reads its arguments so). Their byte ranges, in order.
struct MetaCommand {
    size_t start, end;
};
std::vector<MetaCommand> psql_meta_commands(const std::string& sql);

// A comment of a SQL text (-- to the end of the line, or /* ... */), as
// PostgreSQL's scanner sees it (not inside strings or dollar quotes).
struct Comment {
    int start = 0;  // byte offset of -- or /*
    int end = 0;    // byte offset just past it (a -- comment stops before the newline)
};
// Every comment of `sql`, in order; none when the scanner fails.
std::vector<Comment> comments(const std::string& sql);

// Offset of the first token at or after `offset`, past blanks and comments.
size_t first_token_offset(std::string_view text, size_t offset);

// Byte offset -> 1-based line and column (columns counted in characters).
struct LineColumn {
    int line = 1;
    int column = 1;
};
LineColumn line_column(std::string_view text, int byte_offset);

// line_column for many offsets into one text, without rescanning it.
class LineIndex {
public:
    explicit LineIndex(std::string_view text);
    LineColumn at(int byte_offset) const;

private:
    std::string_view text_;
    std::vector<size_t> line_starts_;
};

}  // namespace pgflux::pq
