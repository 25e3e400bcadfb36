// Declared renames in schema files: a comment line
//     -- @renamed from=old_name
// directly before a CREATE statement, a column or a constraint of CREATE
// TABLE says the object (or column) was called old_name before, so flux-diff
// renames it instead of dropping and creating it. See pg-flux(1), RENAMES.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgflux::source {

struct RenamedComment {
    bool is_annotation = false;     // the comment's text starts with @renamed
    std::vector<std::string> from;  // the old name: [schema,] name, as PostgreSQL reads the identifiers
    std::string error;              // malformed: what is wrong ("" when well-formed)
    size_t error_at = 0;            // byte offset of the problem in the comment
};

// Parses one -- comment (its text from the two dashes to the end of the
// line). Identifiers are written as in SQL: unquoted ones fold to lower case,
// "Quoted" ones keep their case ("" stands for a double quote).
RenamedComment parse_renamed_comment(std::string_view comment);

}  // namespace pgflux::source
