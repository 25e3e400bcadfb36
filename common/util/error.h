// The error every tool raises: a message and the exit status it maps to.
// One catch in each tool's main prints "flux-<tool>: error: <message>", and
// the advice, when there is one, on a line of its own: "flux-<tool>: hint: ...".
#pragma once

#include <stdexcept>
#include <string>

namespace pgflux {

// Exit statuses shared by every tool and pg-flux (see DESIGN and pg-flux(1)).
enum ExitCode : int {
    k_exit_ok = 0,
    k_exit_differences = 1,
    k_exit_usage = 2,
    k_exit_refused = 3,
    k_exit_database = 4,
    k_exit_internal = 5,
};

class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& message, std::string hint = "")
        : std::runtime_error(message), code(code), hint(std::move(hint)) {}
    ExitCode code;
    std::string hint;  // what to do about it ("" when the message says it all)
};

[[noreturn]] inline void fail(ExitCode code, const std::string& message, const std::string& hint = "") {
    throw Error(code, message, hint);
}
[[noreturn]] inline void usage_error(const std::string& message) { fail(k_exit_usage, message); }

}  // namespace pgflux
