// Identifier and literal quoting; keyword categories come from libpg_query's
// own scanner, so the rules match the grammar exactly.
#include "sql/quote.h"

#include <cctype>

#include "sql/parser.h"

namespace pgflux {

std::string quote_ident(std::string_view ident) {
    bool safe = !ident.empty() && ((ident[0] >= 'a' && ident[0] <= 'z') || ident[0] == '_');
    for (char c : ident) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) safe = false;
    }
    if (safe) {
        auto kind = pq::keyword_kind(ident);
        safe = kind == pq::KeywordKind::none || kind == pq::KeywordKind::unreserved;
    }
    if (safe) return std::string(ident);
    std::string out = "\"";
    for (char c : ident) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

std::string qualified_name(std::string_view schema, std::string_view name) {
    if (schema.empty()) return quote_ident(name);
    return quote_ident(schema) + "." + quote_ident(name);
}

std::string quote_literal(std::string_view text) {
    // As PostgreSQL's quote_literal: with a backslash, the E'' form (backslashes
    // doubled), which reads the same whatever standard_conforming_strings says.
    bool escape = text.find('\\') != std::string_view::npos;
    std::string out = escape ? "E'" : "'";
    for (char c : text) {
        if (c == '\'' || (escape && c == '\\')) out += c;
        out += c;
    }
    return out + "'";
}

std::string join_idents(const std::vector<std::string>& idents) {
    std::string out;
    for (const auto& ident : idents) {
        if (!out.empty()) out += ", ";
        out += quote_ident(ident);
    }
    return out;
}

std::string display_name(std::string_view schema, std::string_view name) {
    return schema == "public" ? quote_ident(name) : qualified_name(schema, name);
}

std::vector<std::string> split_identifiers(std::string_view text, char separator) {
    std::vector<std::string> parts;
    std::string current;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                current += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                current += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == separator) {
            parts.push_back(current);
            current.clear();
        } else if (!std::isspace(static_cast<unsigned char>(c))) {
            current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    parts.push_back(current);
    return parts;
}

}  // namespace pgflux
