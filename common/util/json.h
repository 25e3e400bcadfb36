// nlohmann::json for pg-flux. Include this instead of <nlohmann/json.hpp>.
//
// The library checks its preconditions with JSON_ASSERT, which is assert():
// compiled out in release builds, where reading a missing key of a const
// object (operator[] const) dereferences the end iterator, undefined
// behaviour. Here the check stays in every build and a failure throws, so a
// field that a document reader forgot to check ends in an internal error
// (exit 5) instead. Readers of input documents check their fields with
// JsonField (util/document.h), which names the document and the field.
#pragma once

#ifndef JSON_ASSERT
#define JSON_ASSERT(condition) \
    ((condition) ? static_cast<void>(0) : ::pgflux::json_precondition_failed(#condition, __FILE__, __LINE__))
#endif

namespace pgflux {
[[noreturn]] void json_precondition_failed(const char* condition, const char* file, int line);
}

#include <nlohmann/json.hpp>
