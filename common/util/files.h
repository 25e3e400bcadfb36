// Reading whole text files (and standard input) into memory.
#pragma once

#include <string>
#include <string_view>

namespace pgflux {

// The text of `path` ("-" reads standard input). Every file pg-flux reads is
// UTF-8 text (schema files, migration files, JSON documents), so the bytes
// are checked: a NUL byte or a byte sequence that is not UTF-8 is an error
// naming path:line:column; a leading UTF-8 byte order mark (which editors
// write) is dropped. A path that cannot be read (missing, a directory,
// permission) is an error with the system's reason. All errors:
// Error(k_exit_usage).
std::string read_file(const std::string& path);

// The checks read_file makes, on text read from `name`: throws
// Error(k_exit_usage) "NAME:LINE:COLUMN: ..." at the first NUL byte or
// malformed UTF-8 sequence.
void check_text(const std::string& name, const std::string& text);

// `text` without a leading UTF-8 byte order mark.
std::string without_bom(std::string text);

}  // namespace pgflux
