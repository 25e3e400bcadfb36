// SQL quoting as PostgreSQL's quote_ident/quote_literal do it, so generated
// DDL reads like pg_dump's and round-trips every identifier.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgflux {

// "users" stays users; "Users", "user", "a b", "é" get double quotes.
std::string quote_ident(std::string_view ident);
// schema.name, each part quoted as needed.
std::string qualified_name(std::string_view schema, std::string_view name);
// 'it''s'; with a backslash E'a\\b', as PostgreSQL's quote_literal does, which
// reads the same whether standard_conforming_strings is on or off.
std::string quote_literal(std::string_view text);
// a, "B", c
std::string join_idents(const std::vector<std::string>& idents);
// The inverse of quoting: splits `text` at `separator` outside double quotes,
// unquotes ("a""b" -> a"b), folds unquoted parts to lower case and drops
// unquoted blanks, as PostgreSQL's SplitIdentifierString does.
// public."My T" -> {public, My T}; 'app, "X", pg_temp' -> {app, X, pg_temp}.
std::vector<std::string> split_identifiers(std::string_view text, char separator);
// Name for messages: schema-qualified unless the schema is public.
std::string display_name(std::string_view schema, std::string_view name);

}  // namespace pgflux
