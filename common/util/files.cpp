// Whole-file reads.
#include "util/files.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "util/error.h"

namespace pgflux {

std::string read_file(const std::string& path) {
    std::ostringstream buffer;
    if (path == "-") {
        buffer << std::cin.rdbuf();
        return buffer.str();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) usage_error("cannot read \"" + path + "\"");
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace pgflux
