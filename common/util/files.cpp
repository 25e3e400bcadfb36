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

size_t invalid_utf8_offset(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
        unsigned char c = byte(i);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t length = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (length == 0 || i + length > text.size()) return i;
        // The second byte's range excludes overlong forms, surrogates and
        // code points past U+10FFFF.
        unsigned char low = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        unsigned char high = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        if (byte(i + 1) < low || byte(i + 1) > high) return i;
        for (size_t k = 2; k < length; ++k)
            if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return i;
        i += length;
    }
    return std::string_view::npos;
}

}  // namespace pgflux
