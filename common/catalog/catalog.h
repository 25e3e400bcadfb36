// flux-snapshot's engine: reads the live schema from pg_catalog into a Model,
// one query per object kind, in one REPEATABLE READ snapshot with an empty
// search_path (so every name comes back schema-qualified).
//
// Definitions come back as text (format_type, pg_get_expr, pg_get_indexdef,
// pg_get_constraintdef) and go through the same parse-tree code as the
// source side (canon/), so both sides share one canonical form.
#pragma once

#include "catalog/connection.h"
#include "model/model.h"

namespace pgflux {

Model read_catalog(Connection& conn);

namespace catalog {
// One reader per kind; each appends to the model. Order matters only for
// readers that look up earlier kinds (none do today).
void read_schemas(Connection& conn, Model& model);
void read_extensions(Connection& conn, Model& model);
void read_collations(Connection& conn, Model& model);
void read_enums(Connection& conn, Model& model);
void read_sequences(Connection& conn, Model& model);
void read_tables(Connection& conn, Model& model);
void read_constraints(Connection& conn, Model& model);
void read_indexes(Connection& conn, Model& model);
// Counts of live objects pg-flux does not model yet, by kind.
json unmodeled_objects(Connection& conn);

// SQL condition: namespace alias `n` is a user schema pg-flux manages.
std::string user_schema_filter(const std::string& alias = "n");
// SQL condition: object `oid` of catalog `catalog` is not part of an extension.
std::string not_extension_member(const std::string& catalog, const std::string& oid);
}  // namespace catalog

}  // namespace pgflux
