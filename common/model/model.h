// The schema model: a set of objects (identity, canonical attributes,
// dependencies, source location) that flux-parse and flux-snapshot both
// produce and flux-diff compares. See pgflux-formats(5) for the JSON form,
// model/attributes.h for the attributes of each kind and kinds/kinds.h for
// the table of kinds.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/json.h"
#include "util/sha256.h"

namespace pgflux {

using json = nlohmann::json;

// Object kinds in creation rank: where no dependency decides, objects are
// created in this order and dropped in the reverse one (kinds/kinds.cpp).
enum class Kind {
    schema,
    default_privilege,
    extension,
    collation,
    enumeration,
    range_type,
    domain,
    composite_type,
    sequence,
    function,
    procedure,
    aggregate,
    operator_,
    cast,
    text_search_dictionary,
    text_search_configuration,
    foreign_data_wrapper,
    server,
    user_mapping,
    table,
    foreign_table,
    view,
    materialized_view,
    constraint,
    index,
    rule,
    trigger,
    policy,
    event_trigger,
    publication,
    statistics,  // extended statistics (CREATE STATISTICS) on a table
};

// Kinds whose objects are relations (they have columns and a row type).
bool is_relation(Kind kind);
// Kinds identified by a signature: functions, procedures, aggregates.
bool is_routine(Kind kind);
// Kinds whose objects are types (enums, range types, domains, composite types).
bool is_type(Kind kind);

const char* kind_name(Kind kind);
// The kind in words for messages: "materialized view".
std::string kind_words(Kind kind);
std::optional<Kind> kind_from_name(const std::string& name);
int kind_rank(Kind kind);
// Kinds a "-- @renamed from=old" declaration may rename.
bool renamable(Kind kind);

struct ObjectId {
    ObjectId() = default;
    ObjectId(Kind kind, std::string schema, std::string name, std::string table = "", std::string signature = "")
        : kind(kind), schema(std::move(schema)), name(std::move(name)), table(std::move(table)),
          signature(std::move(signature)) {}

    Kind kind = Kind::schema;
    std::string schema;     // empty for schemas and extensions
    std::string name;
    std::string table;      // objects of a relation (constraints, indexes): the relation
    std::string signature;  // routines: the argument types ("integer, text");
                            // operators: the operand types ("integer, app.t", "NONE, integer");
                            // default privileges: the object type ("tables")

    bool operator<(const ObjectId& other) const;
    bool operator==(const ObjectId& other) const;
    bool operator!=(const ObjectId& other) const { return !(*this == other); }
    // "table public.users", "constraint users_pkey on public.users"
    std::string describe() const;
    // Name as DDL writes it: public.users, "Users"; constraints: their own name.
    std::string sql_name() const;
};

// An object another one needs. `columns`: for a relation, the columns used
// when known (an empty list: none in particular); absent when unknown, which
// counts as every column. `through`: the dependent table's own columns that
// need it (their types, defaults), when the catalog says so. A soft
// dependency was read from an opaque function body: it orders creation, but
// is given up to break a cycle.
struct Dependency {
    Dependency() = default;
    Dependency(ObjectId id, std::optional<std::vector<std::string>> columns = std::nullopt, bool soft = false)
        : id(std::move(id)), columns(std::move(columns)), soft(soft) {}

    ObjectId id;
    std::optional<std::vector<std::string>> columns;
    bool soft = false;
    std::vector<std::string> through;

    bool uses_column(const std::string& column) const;
    bool operator==(const Dependency& o) const {
        return id == o.id && columns == o.columns && soft == o.soft && through == o.through;
    }
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
    // What the object needs: from the catalog's pg_depend, from references
    // the source reader resolved, and derived from attributes. Not part of
    // the state hash.
    std::vector<Dependency> depends_on;
    std::optional<SourceLocation> location;
    // Declared renames (a "-- @renamed from=old" comment in the source): the
    // name the object had before (same kind, schema, table and signature),
    // and for a table, its columns' former names (new name -> old name).
    // flux-diff renames the live object or column when it still has the old
    // name. Not part of the state hash.
    std::string renamed_from;
    std::map<std::string, std::string> renamed_columns;
    // A live table's size as the catalog estimates it (pg_class.relpages in
    // bytes, pg_class.reltuples): it changes as rows come and go, so it is
    // not part of the state hash; the hazard messages quote it.
    struct Size {
        double bytes = 0, rows = 0;
    };
    std::optional<Size> size;

    // Adds a dependency, merging it with one on the same object: column lists
    // are joined (a known list wins over an unknown one), hard wins over soft.
    void depend_on(const Dependency& dependency);
    const Dependency* dependency_on(const ObjectId& id) const;
};

class Model {
public:
    std::map<ObjectId, Object> objects;  // canonical order
    json source = json::object();        // provenance: files or database

    const Object* find(const ObjectId& id) const;
    Object* find(const ObjectId& id);
    // The relation (table, view or materialized view) with this name, if any.
    const Object* relation(const std::string& schema, const std::string& name) const;
    // Every routine (function, procedure, aggregate) with this name: overloads.
    std::vector<ObjectId> routines_named(const std::string& schema, const std::string& name) const;
    // Every operator with this name (one per pair of operand types).
    std::vector<ObjectId> operators_named(const std::string& schema, const std::string& name) const;
    // Adds an object; a second object with the same identity is an error.
    Object& add(Object object);
    // Adds to every object the dependencies its attributes imply (schema,
    // column types, sequences and functions named in expressions, ...).
    void derive_dependencies();
    // sha256 over the objects' identities and attributes (no locations, no
    // dependencies, no DDL forms, no tracking schema): "sha256:<hex>".
    std::string state_hash() const;
    // Objects that stand on their own (kinds/kinds.h: top_level): the
    // denominator of the MASS_DROP hazard.
    int top_level_count() const;
};

// JSON of one object; `full` adds its dependencies, location, DDL form and
// declared renames (none of them part of the state hash).
json object_to_json(const Object& object, bool full = true);
// What `full` adds, added to object_to_json(object, false).
void add_derived_fields(json& out, const Object& object);

// The state hash (Model::state_hash), fed one object at a time in model
// order with object_to_json(object, false): the model document writer
// computes it while it writes the objects.
class StateHash {
public:
    StateHash();
    void add(const ObjectId& id, const json& state);
    std::string finish();  // "sha256:<hex>"

private:
    Sha256 hash_;
    bool first_ = true;
};
// The attributes DDL is generated from: the source form when there is one.
const json& ddl_attributes(const Object& object);
json id_to_json(const ObjectId& id);
json dependency_to_json(const Dependency& dependency);

// Schema the tracking table lives in; never part of a model.
inline constexpr const char* k_tracking_schema = "_pgflux";

// Is `value` a state hash as Model::state_hash writes it ("sha256:" and 64
// lower-case hex digits)?
bool is_state_hash(const std::string& value);

}  // namespace pgflux
