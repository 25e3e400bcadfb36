// Canonical attributes of operators, casts and text search dictionaries and
// configurations, built by the same code for both sides: the source's
// statements, and statements the catalog reader rebuilds from pg_operator,
// pg_cast, pg_ts_dict and pg_ts_config (as pg_dump does) and parses.
//
// Names of objects in pg_catalog (functions, operators, dictionaries,
// parsers, templates) are kept bare ("eqsel", "simple"); any other is
// schema-qualified and quoted as needed ("app.f", app."My Dict").
#pragma once

#include <string>
#include <vector>

#include "canon/scope.h"
#include "model/model.h"
#include "sql/message.h"

namespace pgflux {

struct OperatorDefinition {
    std::string signature;  // "integer, app.t"; a prefix operator: "NONE, integer"
    json attrs;
};

// CREATE OPERATOR (a DefineStmt). An unqualified COMMUTATOR or NEGATOR is
// looked up on the search_path, else it is (a shell) in the first schema of
// it, as PostgreSQL does.
OperatorDefinition operator_definition(const pq::Msg& define_operator, const NameScope& scope);
// The signature of an operator an ObjectWithArgs names (COMMENT ON OPERATOR,
// ALTER OPERATOR): "integer, integer", NONE for a missing operand.
std::string operator_signature(const pq::Msg& object_with_args, const NameScope& scope);
// An operator named in an option (COMMUTATOR = ===, OPERATOR(app.===)),
// with the operand types it is looked up with.
std::string operator_reference(const std::vector<std::string>& names, const NameScope& scope,
                               const std::string& signature);
// PostgreSQL links an operator's COMMUTATOR and NEGATOR back to it when the
// other operator has no link of its own yet, but which side ends up linked
// depends on the order of creation. Both sides of a model are closed the
// same way: an operator another one names as its commutator (negator), and
// that names none, gets that one as its commutator (negator).
void close_operator_links(Model& model);
// "OPERATOR(app.===)" for an operator reference, as DDL writes it.
std::string operator_reference_sql(const std::string& canonical);

struct CastDefinition {
    std::string name;  // "(integer AS app.t)"
    json attrs;
};

// CREATE CAST.
CastDefinition cast_definition(const pq::Msg& create_cast, const NameScope& scope);
// The identity name of a cast between two canonical types.
std::string cast_name(const std::string& source, const std::string& target);
// Does a canonical type or routine name belong to a user schema (not pg_catalog)?
bool in_user_schema(const std::string& canonical_name);

// An object named [schema.]name: bare when in pg_catalog, else qualified
// (`unqualified_schema` for an unqualified name that is not a built-in).
std::string catalog_object_name(const std::vector<std::string>& names, const std::string& unqualified_schema);
// The SQL of such a name: pg_catalog."default", app."My Dict".
std::string catalog_object_sql(const std::string& canonical);

// CREATE TEXT SEARCH DICTIONARY: {template, options}.
json ts_dictionary_attributes(const pq::Msg& define, const NameScope& scope);
// ALTER TEXT SEARCH DICTIONARY's options applied to the attributes (an
// option without a value is removed).
void alter_ts_dictionary_options(json& attrs, const std::vector<pq::Msg>& options);
// The value of a dictionary option as pg_ts_dict.dictinitoption keeps it.
std::string ts_option_value(const pq::Msg& def_elem);

// The mappings of a built-in configuration (pg_catalog.english, ...):
// null when there is no such configuration.
json builtin_ts_configuration(const std::string& name);
// Token types of the default parser.
const std::vector<std::string>& default_parser_token_types();

}  // namespace pgflux
