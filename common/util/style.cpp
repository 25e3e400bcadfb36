#include "util/style.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace pgflux {

namespace {

bool set(const char* name) {
    const char* value = std::getenv(name);
    return value && *value;
}

bool decide(int fd) {
    if (set("NO_COLOR")) return false;
    const char* mode = std::getenv("PGFLUX_COLOR");
    if (mode && std::strcmp(mode, "always") == 0) return true;
    if (mode && std::strcmp(mode, "never") == 0) return false;
    const char* term = std::getenv("TERM");
    return isatty(fd) && !(term && std::strcmp(term, "dumb") == 0);
}

}  // namespace

bool colored(Stream stream) {
    static const bool out = decide(STDOUT_FILENO), err = decide(STDERR_FILENO);
    return stream == Stream::out ? out : err;
}

std::string paint(Stream stream, Paint paint, const std::string& text) {
    if (!colored(stream)) return text;
    const char* code = "";
    switch (paint) {
        case Paint::error: code = "\033[1;31m"; break;    // bold red
        case Paint::warning: code = "\033[33m"; break;    // yellow
        case Paint::hint: code = "\033[36m"; break;       // cyan
        case Paint::hazard: code = "\033[31m"; break;     // red
        case Paint::heading: code = "\033[1m"; break;     // bold
        case Paint::good: code = "\033[32m"; break;       // green
    }
    return code + text + "\033[0m";
}

bool quiet() {
    static const bool yes = [] {
        const char* value = std::getenv("PGFLUX_QUIET");
        return value && std::strcmp(value, "1") == 0;
    }();
    return yes;
}

}  // namespace pgflux
