// Shared by the libFuzzer harnesses: the rule for what counts as a finding,
// and a per-process scratch directory for readers that take a path.
//
// A harness runs one input through a reader and what the tools do next. The
// project's documented error (pgflux::Error: a message and an exit status)
// is a normal outcome. Anything else is a finding: a crash or sanitizer
// report (AddressSanitizer, UndefinedBehaviorSanitizer, both abort), and any
// other exception that escapes (nlohmann::json type_error/out_of_range,
// std::out_of_range, a libpg_query syntax error that was not turned into an
// Error ...), which the tools would report as "internal error" or "malformed
// input document" instead of naming the file and field.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>

#include "util/error.h"

namespace pgflux::fuzz {

// An access the JSON library itself rejects (util/json.h) aborts where it
// happens, so the report shows the stack.
struct AbortOnJsonPrecondition {
    AbortOnJsonPrecondition() { ::setenv("PGFLUX_ABORT_ON_JSON_PRECONDITION", "1", 1); }
};
inline AbortOnJsonPrecondition abort_on_json_precondition;

template <class F>
void run(F&& body) {
    try {
        body();
    } catch (const pgflux::Error&) {
        // documented outcome: exit status and message
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz: finding: uncaught %s: %s\n", typeid(e).name(), e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "fuzz: finding: uncaught exception of unknown type\n");
        std::abort();
    }
}

// A directory of this process, removed at exit.
inline const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        std::string templ = (std::filesystem::temp_directory_path() / "pgflux_fuzz_XXXXXX").string();
        if (!::mkdtemp(templ.data())) {
            std::perror("fuzz: mkdtemp");
            std::abort();
        }
        static std::string keep;
        keep = templ;
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(keep, ec);
        });
        return std::filesystem::path(templ);
    }();
    return dir;
}

// Writes the input to `name` in the scratch directory; returns its path.
inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
    std::filesystem::path p = scratch_dir() / name;
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", p.c_str());
        std::abort();
    }
    return p.string();
}

}  // namespace pgflux::fuzz
