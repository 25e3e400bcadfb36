// Reading whole files (and standard input) into memory.
#pragma once

#include <string>

namespace pgflux {

// The bytes of `path`; "-" reads standard input. Unreadable: Error(k_exit_usage).
std::string read_file(const std::string& path);

}  // namespace pgflux
