// Reading whole files (and standard input) into memory.
#pragma once

#include <string>
#include <string_view>

namespace pgflux {

// The bytes of `path`; "-" reads standard input. Unreadable: Error(k_exit_usage).
std::string read_file(const std::string& path);

// The byte offset of the first byte that is not part of well-formed UTF-8
// (no overlong forms, surrogates or code points past U+10FFFF), or npos.
size_t invalid_utf8_offset(std::string_view text);

}  // namespace pgflux
