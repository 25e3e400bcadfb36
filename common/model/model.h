// The schema model: a set of objects (identity, canonical attributes,
// dependencies, source location) that flux-parse and flux-snapshot both
// produce and flux-diff compares. See pgflux-formats(5) for the JSON form and
// model/attributes.h for the attributes of each kind.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pgflux {

using json = nlohmann::json;

// Object kinds in creation order; the rank orders models and plans.
enum class Kind { schema, extension, collation, enumeration, sequence, table, constraint, index };

const char* kind_name(Kind kind);
std::optional<Kind> kind_from_name(const std::string& name);
int kind_rank(Kind kind);

struct ObjectId {
    Kind kind = Kind::schema;
    std::string schema;  // empty for schemas and extensions
    std::string name;
    std::string table;   // constraints and indexes: the table they belong to

    bool operator<(const ObjectId& other) const;
    bool operator==(const ObjectId& other) const;
    bool operator!=(const ObjectId& other) const { return !(*this == other); }
    // "table public.users", "constraint users_pkey on public.users"
    std::string describe() const;
    // Name as DDL writes it: public.users, "Users"; constraints: their own name.
    std::string sql_name() const;
};

struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;
    std::string text() const;  // file:line:column
};

struct Object {
    Object() = default;
    explicit Object(ObjectId id, json attrs = json::object())
        : id(std::move(id)), attrs(std::move(attrs)) {}

    ObjectId id;
    json attrs = json::object();
    // Attributes as the source wrote them, when the shadow database's
    // canonical attributes differ: DDL is generated from these (PostgreSQL
    // does not always re-read its own printed form into the same catalog
    // state), comparisons use attrs. Not part of the state hash.
    json ddl;
    std::vector<ObjectId> depends_on;
    std::optional<SourceLocation> location;
};

class Model {
public:
    std::map<ObjectId, Object> objects;  // canonical order
    json source = json::object();        // provenance: files or database

    const Object* find(const ObjectId& id) const;
    Object* find(const ObjectId& id);
    // Adds an object; a second object with the same identity is an error.
    Object& add(Object object);
    // Recomputes depends_on for every object from its attributes.
    void compute_dependencies();
    // sha256 over the canonical serialization without locations and without
    // the tracking schema: "sha256:<hex>".
    std::string state_hash() const;
    // Objects that stand on their own (not constraints or indexes): the
    // denominator of the MASS_DROP hazard.
    int top_level_count() const;
};

// JSON of one object; `full` adds its location and DDL form (both left out
// of the state hash).
json object_to_json(const Object& object, bool full = true);
// The attributes DDL is generated from: the source form when there is one.
const json& ddl_attributes(const Object& object);
json id_to_json(const ObjectId& id);

// Schema the tracking table lives in; never part of a model.
inline constexpr const char* k_tracking_schema = "_pgflux";

}  // namespace pgflux
