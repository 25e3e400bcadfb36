// Wrappers over libpg_query's C API (parse, deparse, scan), converting its
// error structs into SqlSyntaxError and freeing every result it hands out.
#include "sql/parser.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace pgflux::pq {
namespace {

// libpg_query reports an error position as a 1-based character index.
int byte_offset_of_char(std::string_view text, int char_pos) {
    if (char_pos <= 0) return -1;
    int chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            if (++chars == char_pos) return static_cast<int>(i);
        }
    }
    return static_cast<int>(text.size());
}

const MessageType& message_type(std::string_view name) { return ProtoSchema::get().message(name); }

int field_number(std::string_view message, std::string_view field) {
    return message_type(message).field(field)->number;
}

// Wraps an encoded Node as ParseResult{stmts: [RawStmt{stmt: node}]}.
std::string wrap_statement(std::string_view node_bytes) {
    std::string raw;
    append_length_delimited(raw, field_number("RawStmt", "stmt"), node_bytes);
    std::string result;
    append_varint_field(result, field_number("ParseResult", "version"), PG_VERSION_NUM);
    append_length_delimited(result, field_number("ParseResult", "stmts"), raw);
    return result;
}

// Encodes `SELECT <expr>` around an encoded expression Node.
std::string select_of(std::string_view expr_node) {
    std::string target;
    append_length_delimited(target, field_number("ResTarget", "val"), expr_node);
    std::string select;
    append_length_delimited(select, field_number("SelectStmt", "target_list"),
                            Msg(&message_type("ResTarget"), target).node_bytes());
    return Msg(&message_type("SelectStmt"), select).node_bytes();
}

std::string deparse_bytes(const std::string& parse_result) {
    PgQueryProtobuf pbuf{parse_result.size(), const_cast<char*>(parse_result.data())};
    PgQueryDeparseResult res = pg_query_deparse_protobuf(pbuf);
    if (res.error) {
        std::string message = res.error->message;
        pg_query_free_deparse_result(res);
        throw std::runtime_error("deparse failed: " + message);
    }
    std::string out = res.query;
    pg_query_free_deparse_result(res);
    return out;
}

}  // namespace

std::shared_ptr<const ParseResult> ParseResult::parse(std::string sql) {
    auto result = std::shared_ptr<ParseResult>(new ParseResult());
    result->sql_ = std::move(sql);
    if (!result->parse_by_statement()) result->parse_whole();
    return result;
}

void ParseResult::parse_whole() {
    pbufs_.clear();
    statements_.clear();
    PgQueryProtobufParseResult res = pg_query_parse_protobuf(sql_.c_str());
    if (res.error) {
        std::string message = res.error->message;
        int offset = byte_offset_of_char(sql_, res.error->cursorpos);
        pg_query_free_protobuf_parse_result(res);
        throw SqlSyntaxError(message, offset);
    }
    add_statements({res.parse_tree.data, res.parse_tree.len}, 0, sql_);
    pg_query_free_protobuf_parse_result(res);
}

namespace {

// Nothing but blanks, comments and semicolons in text[from, to).
bool only_separators(std::string_view text, size_t from, size_t to) {
    for (size_t i = first_token_offset(text, from); i < to; i = first_token_offset(text, i + 1))
        if (text[i] != ';') return false;
    return true;
}

}  // namespace

bool ParseResult::parse_by_statement() {
    // Below this size the scan costs more than it saves.
    constexpr size_t k_min_size = 4096;
    if (sql_.size() < k_min_size) return false;
    PgQuerySplitResult split = pg_query_split_with_scanner(sql_.c_str());
    bool ok = !split.error;
    std::string piece;
    size_t covered = 0;  // the text up to here is in the pieces so far
    for (int i = 0; ok && i < split.n_stmts; ++i) {
        // The split's pieces are the parser's: from just after the previous
        // top-level ';' up to the next one (or the end of the text). But the
        // split leaves out a piece that does not start with a keyword
        // ("oops;", "42;"): text between pieces must be separators only.
        int offset = split.stmts[i]->stmt_location;
        ok = only_separators(sql_, covered, static_cast<size_t>(offset));
        if (!ok) break;
        piece.assign(sql_, offset, split.stmts[i]->stmt_len);
        covered = offset + piece.size();
        PgQueryProtobufParseResult res = pg_query_parse_protobuf(piece.c_str());
        ok = !res.error;
        if (ok) add_statements({res.parse_tree.data, res.parse_tree.len}, offset, std::string_view(sql_).substr(offset, piece.size()));
        pg_query_free_protobuf_parse_result(res);
    }
    pg_query_free_split_result(split);
    return ok && only_separators(sql_, covered, sql_.size());
}

void ParseResult::add_statements(std::string_view tree, int offset, std::string_view text) {
    Msg root(&message_type("ParseResult"), pbufs_.emplace_back(tree));
    for (const Msg& raw : root.list("stmts")) {
        Statement st;
        st.node = raw.get("stmt");
        auto location = static_cast<size_t>(raw.integer("stmt_location"));
        auto len = static_cast<size_t>(raw.integer("stmt_len"));
        st.text = len ? text.substr(location, len) : text.substr(location);
        st.location = offset + static_cast<int>(location);
        st.node_offset = offset;
        statements_.push_back(st);
    }
}

ParsedExpression parse_expression(const std::string& expression) {
    std::string sql = "SELECT " + expression;
    std::shared_ptr<const ParseResult> parsed;
    try {
        parsed = ParseResult::parse(sql);
    } catch (const SqlSyntaxError& e) {
        throw SqlSyntaxError(e.what(), e.byte_offset < 7 ? -1 : e.byte_offset - 7);
    }
    const auto& stmts = parsed->statements();
    if (stmts.size() != 1 || !stmts[0].node.is("SelectStmt"))
        throw SqlSyntaxError("not a single expression: " + expression, -1);
    // Exactly one unnamed target and nothing else: the text is pasted into
    // DDL where anything more would be SQL of its own.
    const Msg& select = stmts[0].node;
    auto targets = select.list("target_list");
    bool extra = targets.size() != 1 || !targets[0].str("name").empty() || !targets[0].list("indirection").empty();
    for (const char* clause : {"from_clause", "group_clause", "window_clause", "values_lists", "sort_clause",
                               "locking_clause", "distinct_clause"})
        extra = extra || !select.list(clause).empty();
    for (const char* clause : {"where_clause", "having_clause", "limit_offset", "limit_count", "with_clause",
                               "into_clause", "larg", "rarg"})
        extra = extra || select.get(clause);
    if (extra) throw SqlSyntaxError("not a single expression: " + expression, -1);
    return {parsed, targets[0].get("val")};
}

std::string deparse_expression(const Msg& expr) {
    std::string sql = deparse_bytes(wrap_statement(select_of(expr.node_bytes())));
    const std::string prefix = "SELECT ";
    if (sql.compare(0, prefix.size(), prefix) != 0)
        throw std::runtime_error("deparse: unexpected output " + sql);
    return sql.substr(prefix.size());
}

std::string deparse_type_name(const Msg& type_name) {
    // SELECT NULL::<type>, built around the TypeName's own bytes.
    std::string null_const;
    append_varint_field(null_const, field_number("A_Const", "isnull"), 1);
    std::string cast;
    append_length_delimited(cast, field_number("TypeCast", "arg"), Msg(&message_type("A_Const"), null_const).node_bytes());
    append_length_delimited(cast, field_number("TypeCast", "type_name"), type_name.bytes());
    std::string text = deparse_expression(Msg(&message_type("TypeCast"), cast));
    const std::string prefix = "NULL::";
    if (text.compare(0, prefix.size(), prefix) != 0) throw std::runtime_error("deparse: unexpected type output " + text);
    return text.substr(prefix.size());
}

std::string parse_plpgsql_json(const std::string& create_function_sql) {
    PgQueryPlpgsqlParseResult res = pg_query_parse_plpgsql(create_function_sql.c_str());
    if (res.error) {
        std::string message = res.error->message;
        pg_query_free_plpgsql_parse_result(res);
        throw SqlSyntaxError(message, -1);
    }
    std::string out = res.plpgsql_funcs ? res.plpgsql_funcs : "[]";
    pg_query_free_plpgsql_parse_result(res);
    return out;
}

std::string parse_tree_json(const std::string& sql) {
    PgQueryParseResult res = pg_query_parse(sql.c_str());
    if (res.error) {
        std::string message = res.error->message;
        int position = res.error->cursorpos > 0 ? res.error->cursorpos - 1 : -1;
        pg_query_free_parse_result(res);
        throw SqlSyntaxError(message, position);
    }
    std::string out = res.parse_tree ? res.parse_tree : "";
    pg_query_free_parse_result(res);
    return out;
}

std::string deparse_statement(const Msg& stmt) {
    return deparse_bytes(wrap_statement(stmt.node_bytes()));
}

KeywordKind keyword_kind(std::string_view word) {
    static std::mutex mutex;
    static std::unordered_map<std::string, KeywordKind> cache;
    std::lock_guard<std::mutex> lock(mutex);
    std::string key(word);
    if (auto it = cache.find(key); it != cache.end()) return it->second;

    KeywordKind kind = KeywordKind::none;
    PgQueryScanResult res = pg_query_scan(key.c_str());
    if (!res.error) {
        Msg scan(&message_type("ScanResult"), std::string_view(res.pbuf.data, res.pbuf.len));
        auto tokens = scan.list("tokens");
        if (tokens.size() == 1 && tokens[0].integer("end") == static_cast<int64_t>(key.size())) {
            std::string k = tokens[0].enumeration("keyword_kind");
            if (k == "UNRESERVED_KEYWORD") kind = KeywordKind::unreserved;
            else if (k == "COL_NAME_KEYWORD") kind = KeywordKind::col_name;
            else if (k == "TYPE_FUNC_NAME_KEYWORD") kind = KeywordKind::type_func_name;
            else if (k == "RESERVED_KEYWORD") kind = KeywordKind::reserved;
        }
    }
    pg_query_free_scan_result(res);
    cache.emplace(key, kind);
    return kind;
}

namespace {

// A byte an unquoted identifier may hold (scan.l's ident_cont, UTF-8 bytes included).
bool identifier_byte(char ch) {
    auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

// Whether `sql` may hold an identifier token of more than `max_bytes` bytes,
// found without the scanner (a scan of a 10,000-table schema costs ~0.8 s):
// a longer run of bytes an unquoted identifier is made of, or a longer span
// between two double quotes (a doubled one "" does not end a span).
bool may_have_long_identifier(std::string_view sql, size_t max_bytes) {
    size_t run = 0;
    for (char ch : sql) {
        run = identifier_byte(ch) ? run + 1 : 0;
        if (run > max_bytes) return true;
    }
    size_t open = std::string_view::npos;
    for (size_t i = sql.find('"'); i != std::string_view::npos; i = sql.find('"', i + 1)) {
        if (i + 1 < sql.size() && sql[i + 1] == '"') {
            ++i;
            continue;
        }
        if (open != std::string_view::npos && i - open > max_bytes - 1) return true;
        open = i;
    }
    return false;
}

}  // namespace

std::vector<LongIdentifier> long_identifiers(const std::string& sql) {
    constexpr size_t max_bytes = 63;  // NAMEDATALEN - 1
    std::vector<LongIdentifier> out;
    if (sql.size() <= max_bytes || !may_have_long_identifier(sql, max_bytes)) return out;
    PgQueryScanResult res = pg_query_scan(sql.c_str());
    if (!res.error) {
        Msg scan(&message_type("ScanResult"), std::string_view(res.pbuf.data, res.pbuf.len));
        for (const Msg& token : scan.list("tokens")) {
            if (token.enumeration("token") != "IDENT") continue;
            auto start = static_cast<size_t>(token.integer("start"));
            auto end = static_cast<size_t>(token.integer("end"));
            if (end <= start || end > sql.size() || end - start <= max_bytes) continue;
            std::string_view text(sql.data() + start, end - start);
            std::string name;
            if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
                for (size_t i = 1; i + 1 < text.size(); ++i) {
                    name += text[i];
                    if (text[i] == '"') ++i;  // "" stands for one "
                }
            } else {
                // downcase_identifier: ASCII letters only (UTF-8 bytes are kept).
                for (char c : text) name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            }
            if (name.size() <= max_bytes) continue;
            size_t keep = max_bytes;
            while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;
            out.push_back({static_cast<int>(start), name, name.substr(0, keep)});
        }
    }
    pg_query_free_scan_result(res);
    return out;
}

std::vector<MetaCommand> psql_meta_commands(const std::string& sql) {
    std::vector<MetaCommand> out;
    // Only a text with a backslash at the start of a line can hold one.
    if (sql.empty() || (sql[0] != '\\' && sql.find("\n\\") == std::string::npos)) return out;
    // Not libpg_query's scanner: it refuses what psql would not send (pg_dump's
    // random \restrict key may start "9m": "trailing junk after numeric
    // literal"). Only statement boundaries matter here: strings, quoted
    // names, dollar quotes and comments are stepped over as PostgreSQL's
    // scanner does (standard_conforming_strings on; E'' strings escape).
    const size_t n = sql.size();
    size_t i = 0;
    bool statement_start = true;
    while (i < n) {
        if (statement_start) {
            i = first_token_offset(sql, i);
            if (i >= n) break;
            if (sql[i] == '\\' && (i == 0 || sql[i - 1] == '\n')) {
                // psql reads a meta-command's arguments to the end of the line.
                size_t end = sql.find('\n', i);
                if (end == std::string::npos) end = n;
                out.push_back({i, end});
                i = end;
                continue;
            }
            statement_start = false;
        }
        char c = sql[i];
        if (c == ';') {
            statement_start = true;
            ++i;
        } else if (c == '\'') {
            bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !identifier_byte(sql[i - 2]));
            for (++i; i < n; ++i) {
                if (escapes && sql[i] == '\\') {
                    ++i;
                } else if (sql[i] == '\'') {
                    if (i + 1 < n && sql[i + 1] == '\'') ++i;
                    else break;
                }
            }
            ++i;
        } else if (c == '"') {
            for (++i; i < n; ++i)
                if (sql[i] == '"') {
                    if (i + 1 < n && sql[i + 1] == '"') ++i;
                    else break;
                }
            ++i;
        } else if (c == '$' && (i == 0 || !identifier_byte(sql[i - 1]))) {
            // $tag$ ... $tag$ (a tag does not start with a digit: $1 is a parameter).
            size_t j = i + 1;
            while (j < n && identifier_byte(sql[j]) && sql[j] != '$') ++j;
            if (j < n && sql[j] == '$' && !(j > i + 1 && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
                std::string tag = sql.substr(i, j - i + 1);
                size_t close = sql.find(tag, j + 1);
                i = close == std::string::npos ? n : close + tag.size();
            } else {
                i = j;
            }
        } else if (sql.compare(i, 2, "--") == 0 || sql.compare(i, 2, "/*") == 0) {
            i = first_token_offset(sql, i);
        } else {
            ++i;
        }
    }
    return out;
}

std::vector<Comment> comments(const std::string& sql) {
    std::vector<Comment> out;
    PgQueryScanResult res = pg_query_scan(sql.c_str());
    if (!res.error) {
        Msg scan(&message_type("ScanResult"), std::string_view(res.pbuf.data, res.pbuf.len));
        for (const Msg& token : scan.list("tokens")) {
            std::string kind = token.enumeration("token");
            if (kind != "SQL_COMMENT" && kind != "C_COMMENT") continue;
            int start = static_cast<int>(token.integer("start")), end = static_cast<int>(token.integer("end"));
            // The scanner's -- comment may include its newline.
            while (end > start && (sql[end - 1] == '\n' || sql[end - 1] == '\r')) --end;
            out.push_back({start, end});
        }
    }
    pg_query_free_scan_result(res);
    return out;
}

size_t first_token_offset(std::string_view text, size_t i) {
    // As PostgreSQL 15's scanner (scan.l): blanks are space, tab, line feed,
    // carriage return and form feed (not a vertical tab); a -- comment ends
    // at a line feed or a carriage return; /* comments nest.
    while (i < text.size()) {
        if (std::strchr(" \t\n\r\f", text[i]) && text[i] != '\0') {
            ++i;
        } else if (text.compare(i, 2, "--") == 0) {
            while (i < text.size() && text[i] != '\n' && text[i] != '\r') ++i;
        } else if (text.compare(i, 2, "/*") == 0) {
            int depth = 0;
            do {
                if (text.compare(i, 2, "/*") == 0) {
                    ++depth;
                    i += 2;
                } else if (text.compare(i, 2, "*/") == 0) {
                    --depth;
                    i += 2;
                } else {
                    ++i;
                }
            } while (depth > 0 && i < text.size());
        } else {
            break;
        }
    }
    return i;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') line_starts_.push_back(i + 1);
}

LineColumn LineIndex::at(int byte_offset) const {
    if (byte_offset < 0) return {};
    size_t offset = std::min(static_cast<size_t>(byte_offset), text_.size());
    size_t line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - line_starts_.begin() - 1;
    LineColumn lc;
    lc.line = static_cast<int>(line) + 1;
    for (size_t i = line_starts_[line]; i < offset; ++i)
        if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++lc.column;
    return lc;
}

LineColumn line_column(std::string_view text, int byte_offset) {
    LineColumn lc;
    if (byte_offset < 0) return lc;
    auto end = std::min(static_cast<size_t>(byte_offset), text.size());
    for (size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++lc.line;
            lc.column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++lc.column;
        }
    }
    return lc;
}

}  // namespace pgflux::pq
