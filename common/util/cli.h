// What every tool's main shares: option parsing with --help/--version, and
// the single catch that prints "<tool>: error: <message>" and picks the exit
// status (see util/error.h).
#pragma once

#include <functional>
#include <string>

#include <cxxopts.hpp>

namespace pgflux {

// Runs `body`; maps Error, option errors, JSON errors and anything else to
// the documented exit codes with one message on stderr.
int run_tool(const std::string& tool, const std::function<int()>& body);

// Parses options; prints help or version and exits 0 when asked.
cxxopts::ParseResult parse_options(cxxopts::Options& options, int argc, char** argv);

// Standard options every tool takes: -h/--help, --version, -v/--verbose.
void add_standard_options(cxxopts::Options& options);

bool verbose();
void set_verbose(bool on);
// A progress line on stderr, shown with -v only.
void note(const std::string& tool, const std::string& message);
void warn(const std::string& tool, const std::string& message);

}  // namespace pgflux
