// Canonical attributes of foreign data wrappers, foreign servers, user
// mappings and publications. The catalog side rebuilds the CREATE statement
// from pg_catalog and hands its parse tree to the same builder.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "canon/scope.h"
#include "model/model.h"
#include "sql/message.h"

namespace pgflux {

// OPTIONS (a 'x', b 'y') as {"a": "x", "b": "y"}.
json generic_options(const std::vector<pq::Msg>& def_elems);
// OPTIONS (ADD a 'x', SET b 'y', DROP c) applied to `options` as PostgreSQL
// applies it: ADD (or no word) of an option that is there, or SET or DROP of
// one that is not, is an error.
void change_generic_options(json& options, const std::vector<pq::Msg>& def_elems);

// CREATE FOREIGN DATA WRAPPER: {handler?, validator?, options}.
json foreign_data_wrapper_attributes(const pq::Msg& create_fdw, const NameScope& scope);
// CREATE SERVER: {wrapper, type?, version?, options}.
json server_attributes(const pq::Msg& create_server);

// User mapping options whose values are secrets (never stored, compared or
// printed): names containing "password", "secret" or "token".
bool secret_option(const std::string& name);
// The environment variable a secret option's value is written as in schema
// files: '${NAME}'; nullopt for any other value.
std::optional<std::string> secret_reference(const std::string& value);
// CREATE USER MAPPING's options: {options (the values of the others),
// secret_options (names only)}; `secret_values` gets each secret option's
// value as written (the '${NAME}' reference on the source side).
json user_mapping_attributes(const std::vector<pq::Msg>& def_elems, json* secret_values);
// The role of a user mapping as its identity names it: "public" for PUBLIC,
// "" for CURRENT_USER/CURRENT_ROLE/SESSION_USER (the applying role).
std::string user_mapping_role(const pq::Msg& role_spec);

// CREATE FOREIGN TABLE: {server, options, columns: [{name, type, not_null,
// default?, collation?, options}]}. CHECK constraints are not supported.
json foreign_table_attributes(const pq::Msg& create_foreign_table, const NameScope& scope);

// CREATE PUBLICATION: {all_tables, tables: [{schema, table, columns?, where?}],
// schemas, publish, via_root}; tables and schemas sorted.
json publication_attributes(const pq::Msg& create_publication, const NameScope& scope);

}  // namespace pgflux
