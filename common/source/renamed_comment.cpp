// Parsing of "-- @renamed from=old_name" comments.
#include "source/renamed_comment.h"

namespace pgflux::source {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (static_cast<unsigned char>(c) & 0x80);
}

bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }

}  // namespace

RenamedComment parse_renamed_comment(std::string_view text) {
    RenamedComment out;
    const std::string_view k_tag = "@renamed", k_from = "from=";
    size_t i = text.compare(0, 2, "--") == 0 ? 2 : 0;
    while (i < text.size() && blank(text[i])) ++i;
    if (text.compare(i, k_tag.size(), k_tag) != 0) return out;
    out.is_annotation = true;
    auto fail = [&](size_t at, const std::string& message) {
        out.error = message;
        out.error_at = at;
        out.from.clear();
        return out;
    };
    i += k_tag.size();
    size_t gap = i;
    while (i < text.size() && blank(text[i])) ++i;
    if (i == gap || text.compare(i, k_from.size(), k_from) != 0)
        return fail(i, "expected \"from=OLD_NAME\" after @renamed");
    i += k_from.size();
    for (;;) {
        size_t start = i;
        std::string name;
        if (i < text.size() && text[i] == '"') {
            ++i;
            bool closed = false;
            while (i < text.size()) {
                if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                    name += '"';
                    i += 2;
                } else if (text[i] == '"') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    name += text[i++];
                }
            }
            if (!closed) return fail(start, "unterminated quoted identifier");
            if (name.empty()) return fail(start, "empty quoted identifier");
        } else if (i < text.size() && ident_start(text[i])) {
            while (i < text.size() && ident_char(text[i])) {
                char c = text[i++];
                name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            }
        } else {
            return fail(start, "expected an identifier after from=");
        }
        if (name.size() > 63) return fail(start, "identifier longer than 63 bytes");
        out.from.push_back(name);
        if (i < text.size() && text[i] == '.') {
            if (out.from.size() == 2) return fail(i, "an old name has at most two parts (schema.name)");
            ++i;
            continue;
        }
        break;
    }
    size_t rest = i;
    while (i < text.size() && blank(text[i])) ++i;
    if (i < text.size()) return fail(rest, "unexpected text after the old name");
    return out;
}

}  // namespace pgflux::source
