// Whole-file reads of UTF-8 text.
#include "util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "util/error.h"

namespace pgflux {
namespace {

[[noreturn]] void cannot_read(const std::string& path, const std::string& reason) {
    usage_error("cannot read \"" + path + "\": " + reason);
}

// Length of the well-formed UTF-8 sequence at `i`, 0 when malformed
// (overlong forms, surrogates and code points past U+10FFFF included).
size_t utf8_sequence(const std::string& text, size_t i) {
    auto byte = [&](size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
    unsigned c = byte(i);
    if (c < 0x80) return 1;
    auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned c1 = byte(i + 1);
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) return 0;
        return cont(i + 1) && cont(i + 2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned c1 = byte(i + 1);
        if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) return 0;
        return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    return 0;
}

}  // namespace

namespace {

// Whether `text` is UTF-8 without NUL bytes; eight ASCII bytes at a time
// (a 60 MB document took 0.3 s byte by byte).
bool valid_text(const std::string& text) {
    constexpr uint64_t k_high = 0x8080808080808080ULL, k_ones = 0x0101010101010101ULL;
    size_t i = 0, size = text.size();
    while (i < size) {
        if (i + 8 <= size) {
            uint64_t word;
            std::memcpy(&word, text.data() + i, 8);
            bool has_zero = ((word - k_ones) & ~word & k_high) != 0;
            if (!(word & k_high) && !has_zero) {
                i += 8;
                continue;
            }
        }
        if (text[i] == '\0') return false;
        size_t n = utf8_sequence(text, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

}  // namespace

void check_text(const std::string& name, const std::string& text) {
    if (valid_text(text)) return;
    // Where the first bad byte is, for the message.
    int line = 1, column = 1;
    for (size_t i = 0; i < text.size();) {
        auto where = [&] { return name + ":" + std::to_string(line) + ":" + std::to_string(column) + ": "; };
        if (text[i] == '\0')
            usage_error(where() + "NUL byte (\\0): a text file must not contain NUL bytes");
        size_t n = utf8_sequence(text, i);
        if (n == 0) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[i]));
            usage_error(where() + "not valid UTF-8 (byte " + hex + "); pg-flux reads UTF-8 text only");
        }
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
        i += n;
    }
}

std::string without_bom(std::string text) {
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    return text;
}

std::string read_file(const std::string& path) {
    bool from_stdin = path == "-";
    auto failed = [&](const std::string& why) {
        if (from_stdin) usage_error("cannot read standard input: " + why);
        cannot_read(path, why);
    };
    int fd = from_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) failed(std::strerror(errno));
    struct stat st {};
    bool known_size = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (!from_stdin && S_ISDIR(st.st_mode)) {
        ::close(fd);
        failed("it is a directory");
    }
    // Straight into the string (documents are tens of megabytes, often piped
    // from another tool); one byte more than the size, so that the loop sees
    // the end at once.
    std::string text;
    text.resize(known_size ? static_cast<size_t>(st.st_size) + 1 : 65536);
    size_t used = 0;
    for (;;) {
        if (used == text.size()) text.resize(text.size() * 2);
        ssize_t n = ::read(fd, text.data() + used, text.size() - used);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            if (!from_stdin) ::close(fd);
            failed(std::strerror(err));
        }
        used += static_cast<size_t>(n);
    }
    text.resize(used);
    if (!from_stdin) ::close(fd);
    text = without_bom(std::move(text));
    check_text(path == "-" ? "standard input" : path, text);
    return text;
}

}  // namespace pgflux
