// Running sibling executables (pgflux-cluster) from a C++ tool, found next to
// the running binary first, then on PATH.
#pragma once

#include <string>
#include <vector>

namespace pgflux {

std::string sibling_path(const std::string& name);  // "" when not found

struct ProcessResult {
    int exit_code = 0;
    std::string out, err;
};
ProcessResult run_process(const std::string& path, const std::vector<std::string>& args);

}  // namespace pgflux
