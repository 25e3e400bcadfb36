// Canonical text of SQL expressions (defaults, CHECK, generated columns,
// index expressions and predicates). Source nodes and live pg_get_expr()
// text both pass through libpg_query's deparse, so spacing, case and
// redundant parentheses never make a difference.
#pragma once

#include <string>
#include <vector>

#include "sql/message.h"

namespace pgflux {

std::string canonical_expression(const pq::Msg& expr);
std::string canonical_expression_text(const std::string& text);

// A comparison key that also ignores what only the server can settle
// without a shadow database: casts, IN lists versus = ANY (ARRAY[...]),
// literal spelling, and schema qualification of function names. Equal keys
// with unequal texts mean "probably equal, not proven".
std::string loose_expression_key(const std::string& canonical);
// The same for statements (view queries, rule actions): columns compare by
// name without their relation, relations without their schema.
std::string loose_statement_key(const std::string& canonical);

// Distinct unqualified column names the expression refers to, in order.
std::vector<std::string> referenced_columns(const pq::Msg& expr);

// `DEFAULT <expr>` accepts only a restricted expression grammar; wraps the
// expression in parentheses when it needs them.
std::string default_clause_expression(const std::string& canonical);

}  // namespace pgflux
