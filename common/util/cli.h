// What every tool's main shares: option parsing with --help/--version, and
// the single catch that prints "<tool>: error: <message>" and picks the exit
// status (see util/error.h).
#pragma once

#include <functional>
#include <vector>
#include <string>

#include <cxxopts.hpp>

namespace pgflux {

// Runs `body`; maps Error, option errors, JSON errors and anything else to
// the documented exit codes with one message on stderr.
int run_tool(const std::string& tool, const std::function<int()>& body);

// Parses options; prints help or version and exits 0 when asked. Unexpected
// arguments and a one-value option given twice are usage errors.
cxxopts::ParseResult parse_options(cxxopts::Options& options, int argc, char** argv);

// Usage error "option --OPTION only applies WHEN" when OPTION was given but
// is not `allowed` with the other options (it would be silently ignored).
void only_with(const cxxopts::ParseResult& args, const std::string& option, bool allowed, const std::string& when);

// Moves `value` to the heap for the rest of the process and returns it. For
// the large models and documents a tool holds until it exits: freeing 60,000
// objects one by one cost about 15% of a no-op flux-diff at 10,000 tables,
// and the kernel takes the memory back at once. (The pointer stays in a
// static list, so leak checkers still see it as reachable.)
template <typename T>
T& keep_until_exit(T&& value) {
    static auto* kept = new std::vector<const void*>();
    T* moved = new T(std::move(value));
    kept->push_back(moved);
    return *moved;
}

// Standard options every tool takes: -h/--help, --version, -v/--verbose.
void add_standard_options(cxxopts::Options& options);

bool verbose();
void set_verbose(bool on);
// A progress line on stderr, shown with -v only.
void note(const std::string& tool, const std::string& message);
void warn(const std::string& tool, const std::string& message);
// "TOOL: note: message" on stderr, always (what was skipped on purpose);
// kept with the warnings (warning_lines) so that a cached run repeats it.
void notice(const std::string& tool, const std::string& message);
// The lines warn() printed so far (a cache entry keeps them to print again).
const std::string& warning_lines();
// Prints such lines again (a cached result's), without the notes when quiet.
void replay_messages(const std::string& lines);

}  // namespace pgflux
