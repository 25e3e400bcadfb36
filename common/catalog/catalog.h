// flux-snapshot's engine: reads the live schema from pg_catalog into a Model,
// one query per object kind, in one REPEATABLE READ snapshot with an empty
// search_path (so every name comes back schema-qualified).
//
// Definitions come back as text (format_type, pg_get_expr, pg_get_indexdef,
// pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef, ...) and go
// through the same parse-tree code as the source side (canon/), so both sides
// share one canonical form. The readers run in kind order (kinds/kinds.cpp);
// each registers the oid of every object it adds, and pg_depend's rows are
// then read once and mapped onto the objects (read_dependencies).
#pragma once

#include <map>
#include <string>

#include "catalog/connection.h"
#include "model/model.h"

namespace pgflux {

Model read_catalog(Connection& conn);

// The same inside a transaction the caller opened (REPEATABLE READ, so that
// every query sees one snapshot) and closes.
Model read_catalog_in_transaction(Connection& conn);

// A digest of everything read_catalog's output depends on, for the snapshot
// cache (flux-snapshot --cache-dir): run in the transaction the catalog is
// then read in, two runs that give the same digest read the same model.
// `seed` keys the row hashes (ResultCache::secret()).
std::string catalog_fingerprint(Connection& conn, long long seed);

namespace catalog {

// One snapshot being read: the connection, the model, and which object each
// catalog row (catalog name, oid) stands for.
class Snapshot {
public:
    Snapshot(Connection& conn, Model& model) : conn(conn), model(model) {}

    // Adds an object read from row `oid` of `catalog` ("pg_class").
    Object& add(Object object, const std::string& catalog, const std::string& oid);
    // Another row that stands for an object (an index behind a constraint, a
    // view's rewrite rule, a column default).
    void register_row(const std::string& catalog, const std::string& oid, const ObjectId& id);
    const ObjectId* object_of(const std::string& catalog, const std::string& oid) const;

    Connection& conn;
    Model& model;

private:
    std::map<std::pair<std::string, std::string>, ObjectId> rows_;
};

// One reader per kind; each appends to the model. Readers of objects that
// belong to a relation skip rows whose relation is not modeled.
void read_schemas(Snapshot& s);
void read_extensions(Snapshot& s);
void read_collations(Snapshot& s);
void read_enums(Snapshot& s);
void read_range_types(Snapshot& s);
void read_domains(Snapshot& s);
void read_composite_types(Snapshot& s);
void read_sequences(Snapshot& s);
void read_functions(Snapshot& s);
void read_procedures(Snapshot& s);
void read_aggregates(Snapshot& s);
void read_operators(Snapshot& s);
void read_casts(Snapshot& s);
void read_ts_dictionaries(Snapshot& s);
void read_ts_configurations(Snapshot& s);
void read_foreign_data_wrappers(Snapshot& s);
void read_servers(Snapshot& s);
void read_user_mappings(Snapshot& s);
void read_tables(Snapshot& s);
void read_foreign_tables(Snapshot& s);
void read_views(Snapshot& s);
void read_materialized_views(Snapshot& s);
void read_constraints(Snapshot& s);
void read_indexes(Snapshot& s);
void read_rules(Snapshot& s);
void read_triggers(Snapshot& s);
void read_policies(Snapshot& s);
void read_event_triggers(Snapshot& s);
void read_publications(Snapshot& s);
void read_default_privileges(Snapshot& s);
// Owners and ACLs of the objects read (after every reader).
void read_owners_and_privileges(Snapshot& s);
// The names of the cluster's roles.
json cluster_roles(Connection& conn);
void read_statistics(Snapshot& s);
// pg_depend, mapped onto the objects read (after every reader).
void read_dependencies(Snapshot& s);
// Counts of live objects pg-flux does not model yet, by kind.
json unmodeled_objects(Connection& conn);

// SQL condition: namespace alias `n` is a user schema pg-flux manages.
std::string user_schema_filter(const std::string& alias = "n");
// SQL condition: object `oid` of catalog `catalog` is not part of an extension.
std::string not_extension_member(const std::string& catalog, const std::string& oid);
}  // namespace catalog

}  // namespace pgflux
