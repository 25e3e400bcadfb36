// Name resolution for unqualified references, as PostgreSQL does it with a
// search_path: the source side resolves against the objects it has read;
// catalog text (read with an empty search_path) is already qualified.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <set>

#include "canon/types.h"
#include "model/model.h"
#include "sql/message.h"

namespace pgflux {

struct NameScope {
    std::vector<std::string> search_path = {"public"};
    const Model* model = nullptr;  // objects to resolve against (may be null)
    // Relations and types (with range types' multiranges) declared so far,
    // whose names are types (may be null).
    const std::set<std::pair<std::string, std::string>>* relations = nullptr;

    // Schema where an unqualified CREATE puts its object.
    std::string creation_schema() const;
    // Schema of an object of `kind` named `name` (qualified or not).
    std::string resolve(Kind kind, const std::string& schema, const std::string& name) const;
    std::string resolve(Kind kind, const pq::Msg& range_var) const;
    // Schema of the user-defined type (an enum, a relation's row type) an
    // unqualified name means.
    std::optional<std::string> type_schema(const std::string& name) const;
    // Schema of the first routine (function, procedure, aggregate) named
    // `name` on the search_path; nullopt for a built-in or unknown one.
    std::optional<std::string> routine_schema(const std::string& name) const;
    // A routine name as PostgreSQL prints it with an empty search_path:
    // schema-qualified when it is the model's, as written otherwise.
    std::string routine_name(const std::vector<std::string>& names) const;
    // The same for a type written as text ("int4", "mood").
    TypeLookup type_lookup() const;
    // Qualified collation name, or "" for the default collation.
    std::string collation(const std::vector<std::string>& names) const;
};

// Scope for catalog text: empty search_path, pg_catalog only.
NameScope catalog_scope();

}  // namespace pgflux
