#include "util/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "util/style.h"

namespace pgflux {

namespace {

using Clock = std::chrono::steady_clock;

bool g_drawn = false;
Clock::time_point g_last_draw;

bool on_terminal() {
    static const bool yes = [] {
        const char* term = std::getenv("TERM");
        return isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
    }();
    return yes;
}

size_t terminal_width() {
    struct winsize ws {};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

// `line` fitted to `width` columns: control characters become spaces, and a
// cut never splits a UTF-8 sequence (each code point counts as one column).
std::string fitted(const std::string& line, size_t width) {
    std::string out;
    size_t columns = 0;
    for (size_t i = 0; i < line.size();) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
        if (i + length > line.size()) length = 1;
        if (columns + 1 >= width) break;  // the last column stays free: no wrap
        if (c < 0x20 || c == 0x7F) out += ' ';
        else out.append(line, i, length);
        i += length;
        ++columns;
    }
    return out;
}

}  // namespace

void show_progress(const std::string& line, bool force) {
    if (!on_terminal() || quiet()) return;
    auto now = Clock::now();
    if (!force && g_drawn && now - g_last_draw < std::chrono::milliseconds(100)) return;
    std::cerr << "\r\033[K" << fitted(line, terminal_width()) << std::flush;
    g_drawn = true;
    g_last_draw = now;
}

void clear_progress() {
    if (!g_drawn) return;
    std::cerr << "\r\033[K" << std::flush;
    g_drawn = false;
}

}  // namespace pgflux
