// The table of object kinds, after pg_dump's dbObjectTypePriority grown into
// one place per kind: its name in model documents, its DDL keyword, its
// identity, whether MASS_DROP counts it, the check of its attributes in model
// documents, its catalog reader and its differ.
//
// Adding a kind: its value in model.h's Kind (in creation rank), one row in
// kinds.cpp, a catalog reader (catalog/), a source handler (source/), a differ
// (diff/), its attributes in model/attributes.h, the JSON Schema and
// pgflux-formats(5).
#pragma once

#include <vector>

#include "model/model.h"

namespace pgflux {

class JsonField;
namespace catalog {
class Snapshot;
}
namespace diff {
struct KindDiff;
}

// How DDL names an object of the kind.
enum class Naming {
    plain,            // "name": schemas, extensions
    qualified,        // schema.name
    routine,          // schema.name(argument types)
    within_relation,  // name, with ON schema.relation where the statement needs it
    operator_,        // schema.op (left type, right type): the schema quoted, the symbol never
    cast,             // (source type AS target type): the name is the whole clause
    defaults,         // default privileges: role, optional schema, object type
    mapping,          // user mappings: role (empty: the applying role) and server
};

struct KindSpec {
    Kind kind;
    const char* name;     // in model documents ("materialized_view")
    const char* keyword;  // in DDL ("MATERIALIZED VIEW")
    Naming naming;
    bool in_schema;       // the identity has a schema
    bool on_relation;     // the identity has a relation (ObjectId::table)
    bool top_level;       // counted among the live objects MASS_DROP compares with
    // PostgreSQL refuses to change the type of, or drop, a column an object
    // of this kind uses: such objects are dropped first and created again.
    bool blocks_column_changes;
    void (*check_attributes)(const JsonField& attributes);
    void (*read_catalog)(catalog::Snapshot& snapshot);
    const diff::KindDiff& diff;
};

const KindSpec& kind_spec(Kind kind);
// Every kind, in creation rank.
const std::vector<KindSpec>& all_kinds();

}  // namespace pgflux
