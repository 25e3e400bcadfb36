// Canonical attributes of functions and procedures (a CreateFunctionStmt from
// the source, or pg_get_functiondef() text parsed) and of aggregates (a
// DefineStmt from the source, or one rebuilt from pg_aggregate), built by
// the same code for both sides. Defaults PostgreSQL fills in (volatility,
// cost, rows, ...) are filled in here too, so an omitted option and its
// default value compare equal.
#pragma once

#include <string>
#include <vector>

#include "canon/scope.h"
#include "model/model.h"
#include "sql/message.h"

namespace pgflux {

struct RoutineDefinition {
    std::string signature;  // input argument types: "integer, text"
    json attrs;
};

// A function or procedure (CREATE [OR REPLACE] FUNCTION | PROCEDURE).
RoutineDefinition function_definition(const pq::Msg& create_function, const NameScope& scope);

// An aggregate (CREATE [OR REPLACE] AGGREGATE, new syntax).
RoutineDefinition aggregate_definition(const pq::Msg& define_aggregate, const NameScope& scope);

// "name=value" as proconfig stores a SET clause (list settings such as
// search_path quote each element as an identifier).
std::string setting_text(const pq::Msg& variable_set);
// The value of a stored setting as SET clauses write it: 'a', 'b' for a list
// setting, a single literal otherwise.
std::string setting_value_sql(const std::string& name, const std::string& value);
// Does PostgreSQL keep this setting as a list of quoted identifiers?
bool is_list_setting(const std::string& name);

// The canonical text of a SQL-standard body (RETURN ... or BEGIN ATOMIC ... END).
std::string sql_body_text(const pq::Msg& sql_body);

}  // namespace pgflux
