// DDL text for model objects: CREATE/DROP/ALTER/COMMENT statements built
// from canonical attributes, every identifier quoted, output deterministic.
#pragma once

#include <string>
#include <vector>

#include "model/model.h"

namespace pgflux::ddl {

// "name type [COLLATE c] [GENERATED ...] [DEFAULT e] [NOT NULL] [identity]";
// `schema` qualifies an identity's sequence.
std::string column_definition(const json& column, const std::string& schema);
std::string identity_clause(const json& identity, const std::string& schema, const std::string& type);
// A sequence created for a column that already holds values (serial or
// identity added to an existing column) would start over and hand out values
// already taken: this statement moves it past the column's highest value
// (lowest, counting down) when that value is at or beyond the start.
std::string continue_after_existing_values(const std::string& sequence, const std::string& table,
                                           const std::string& column, const json& sequence_options);
std::string constraint_definition(const json& attrs);
std::string index_element(const json& element);

std::string create_schema(const Object& o);
std::string create_extension(const Object& o);
std::string create_collation(const Object& o);
std::string create_enum(const Object& o);
std::string create_sequence(const Object& o);
// CREATE TABLE with the given (non-foreign-key) constraints inline.
std::string create_table(const Object& table, const std::vector<const Object*>& constraints);
std::string create_index(const Object& o);
std::string add_constraint(const Object& o);
std::string drop(const ObjectId& id);
// How DROP and COMMENT name an object: "public.users", "trg ON public.t",
// "public.f(integer, text)", "public.cnt(*)".
std::string reference(const ObjectId& id);
// fillfactor=70 -> fillfactor='70', as WITH (...) clauses write options.
std::string with_options(const json& options);
// A string literal quoted with dollars ($function$...$function$), with a tag
// the text does not contain.
std::string dollar_quote(const std::string& text);

// ALTER SEQUENCE options that differ between two sequence attribute sets
// (everything when `old` is null); "" when nothing differs.
std::string sequence_option_changes(const json& old_attrs, const json& new_attrs,
                                    bool include_type = true);

// Do new bounds exclude the live sequence's start (its value as far as a
// plan knows)? PostgreSQL then refuses the new bounds without a RESTART.
bool sequence_restart_needed(const json& old_attrs, const json& new_attrs);

// COMMENT ON ... IS 'text' | NULL; `column` for a column comment.
std::string comment(const ObjectId& id, const json& attrs, const std::string& column = "");
// COMMENT ON INDEX for the index of a PRIMARY KEY, UNIQUE or EXCLUDE constraint.
std::string index_comment(const ObjectId& constraint, const json& attrs);

// The schema-qualified relation of a table or of what belongs to one.
std::string table_name(const ObjectId& id);
// SQL keyword of a kind in DDL: SCHEMA, EXTENSION, COLLATION, TYPE, SEQUENCE, ...
const char* kind_keyword(Kind kind);

}  // namespace pgflux::ddl
