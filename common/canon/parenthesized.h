// A fully parenthesized rendering of expression trees, used where
// libpg_query's deparse drops parentheses the meaning depends on (for
// example "(NOT a)::int" or "(ts AT TIME ZONE 'UTC')::date"). Subtrees that
// deparse faithfully are reused as they are.
#pragma once

#include <string>

#include "sql/message.h"

namespace pgflux {

// True when `text` parses back to the same tree as `expr` (locations aside).
bool round_trips(const std::string& text, const pq::Msg& expr);

// SQL text for `expr` that parses back to the same tree; throws
// Error(k_exit_internal) for a construct it cannot render.
std::string parenthesized_expression(const pq::Msg& expr);

}  // namespace pgflux
