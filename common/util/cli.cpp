// Tool entry-point helpers.
#include "util/cli.h"

#include <iostream>

#include "util/json.h"

#include "pgflux/version.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/style.h"

namespace pgflux {
namespace {
bool g_verbose = false;
}

bool verbose() { return g_verbose; }
void set_verbose(bool on) { g_verbose = on; }

void note(const std::string& tool, const std::string& message) {
    if (!g_verbose) return;
    clear_progress();
    std::cerr << tool << ": " << message << "\n";
}

namespace {
std::string g_warning_lines;
}

namespace {

// Prints `tool: LABEL message` (the label coloured on a terminal) and keeps
// the line, uncoloured, for warning_lines().
void say(const std::string& tool, Paint label_paint, const std::string& label, const std::string& message) {
    clear_progress();
    std::cerr << tool << ": " << paint(Stream::err, label_paint, label) << " " << message << "\n";
    g_warning_lines += tool + ": " + label + " " + message + "\n";
}
}  // namespace

void warn(const std::string& tool, const std::string& message) { say(tool, Paint::warning, "warning:", message); }

void notice(const std::string& tool, const std::string& message) {
    if (quiet()) return;
    say(tool, Paint::hint, "note:", message);
}

const std::string& warning_lines() { return g_warning_lines; }

void replay_messages(const std::string& lines) {
    size_t start = 0;
    while (start < lines.size()) {
        size_t end = lines.find('\n', start);
        end = end == std::string::npos ? lines.size() : end + 1;
        std::string line = lines.substr(start, end - start);
        size_t colon = line.find(": note: ");
        bool is_note = colon != std::string::npos && line.find(' ') > colon;  // "TOOL: note: ..."
        if (!(is_note && quiet())) std::cerr << line;
        start = end;
    }
}

int run_tool(const std::string& tool, const std::function<int()>& body) {
    try {
        int status = body();
        clear_progress();
        return status;
    } catch (const Error& e) {
        clear_progress();
        std::cerr << tool << ": " << paint(Stream::err, Paint::error, "error:") << " " << e.what() << "\n";
        if (!e.hint.empty()) std::cerr << tool << ": " << paint(Stream::err, Paint::hint, "hint:") << " " << e.hint << "\n";
        return e.code;
    } catch (const cxxopts::exceptions::exception& e) {
        clear_progress();
        std::cerr << tool << ": " << paint(Stream::err, Paint::error, "error:") << " " << e.what() << "\n"
                  << "Try '" << tool << " --help' for more information.\n";
        return k_exit_usage;
    } catch (const nlohmann::json::exception& e) {
        clear_progress();
        std::cerr << tool << ": " << paint(Stream::err, Paint::error, "error:") << " malformed input document: " << e.what() << "\n";
        return k_exit_usage;
    } catch (const std::exception& e) {
        clear_progress();
        std::cerr << tool << ": " << paint(Stream::err, Paint::error, "error:") << " internal error: " << e.what() << "\n";
        return k_exit_internal;
    }
}

void only_with(const cxxopts::ParseResult& args, const std::string& option, bool allowed, const std::string& when) {
    if (args.count(option) && !allowed) usage_error("option --" + option + " only applies " + when);
}

void add_standard_options(cxxopts::Options& options) {
    options.add_options("General")("h,help", "Show this help and exit")(
        "version", "Show the version and exit")("v,verbose", "Report progress on stderr");
}

cxxopts::ParseResult parse_options(cxxopts::Options& options, int argc, char** argv) {
    auto result = options.parse(argc, argv);
    if (result.count("help")) {
        std::cout << options.help() << std::flush;
        std::exit(0);
    }
    if (result.count("version")) {
        std::cout << options.program() << " " << PGFLUX_VERSION << "\n";
        std::exit(0);
    }
    set_verbose(result.count("verbose") > 0);
    if (!result.unmatched().empty()) usage_error("unexpected argument \"" + result.unmatched()[0] + "\"");
    // An option that takes one value, given twice, would silently lose one.
    for (const auto& group : options.groups())
        for (const auto& o : options.group_help(group).options)
            if (!o.is_container && !o.is_boolean && !o.l.empty() && result.count(o.l.front()) > 1)
                usage_error("option --" + o.l.front() + " is given more than once");
    return result;
}

}  // namespace pgflux
