// Model identity ordering, canonical serialization and the state hash.
#include "model/model.h"

#include <algorithm>

#include "kinds/kinds.h"
#include "model/dependencies.h"
#include "sql/quote.h"
#include "util/error.h"
#include "util/sha256.h"

namespace pgflux {

const char* kind_name(Kind kind) { return kind_spec(kind).name; }

std::string kind_words(Kind kind) {
    std::string out = kind_name(kind);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

std::optional<Kind> kind_from_name(const std::string& name) {
    for (const KindSpec& spec : all_kinds())
        if (name == spec.name) return spec.kind;
    return std::nullopt;
}

int kind_rank(Kind kind) { return static_cast<int>(kind); }

bool renamable(Kind kind) {
    switch (kind) {
        case Kind::schema:
        case Kind::enumeration:
        case Kind::domain:
        case Kind::composite_type:
        case Kind::function:
        case Kind::procedure:
        case Kind::table:
        case Kind::view:
        case Kind::materialized_view:
        case Kind::constraint:
        case Kind::index: return true;
        default: return false;
    }
}

bool is_relation(Kind kind) {
    return kind == Kind::table || kind == Kind::foreign_table || kind == Kind::view || kind == Kind::materialized_view;
}

bool is_type(Kind kind) {
    return kind == Kind::enumeration || kind == Kind::range_type || kind == Kind::domain || kind == Kind::composite_type;
}

bool is_routine(Kind kind) { return kind == Kind::function || kind == Kind::procedure || kind == Kind::aggregate; }

bool ObjectId::operator<(const ObjectId& o) const {
    if (kind != o.kind) return kind_rank(kind) < kind_rank(o.kind);
    if (schema != o.schema) return schema < o.schema;
    if (name != o.name) return name < o.name;
    if (table != o.table) return table < o.table;
    return signature < o.signature;
}

bool ObjectId::operator==(const ObjectId& o) const {
    return kind == o.kind && schema == o.schema && name == o.name && table == o.table && signature == o.signature;
}

std::string ObjectId::sql_name() const {
    switch (kind_spec(kind).naming) {
        case Naming::plain:
        case Naming::within_relation: return quote_ident(name);
        case Naming::qualified: return qualified_name(schema, name);
        case Naming::routine: return qualified_name(schema, name) + "(" + signature + ")";
        case Naming::operator_: return quote_ident(schema) + "." + name + " (" + signature + ")";
        case Naming::cast: return name;
        case Naming::mapping:
            return "FOR " +
                   (name.empty() ? std::string("CURRENT_USER") : name == "public" ? std::string("PUBLIC") : quote_ident(name)) +
                   " SERVER " + quote_ident(signature);
        case Naming::defaults:
            return "FOR ROLE " + quote_ident(name) + (schema.empty() ? "" : " IN SCHEMA " + quote_ident(schema));
    }
    return quote_ident(name);
}

std::string ObjectId::describe() const {
    const KindSpec& spec = kind_spec(kind);
    if (spec.naming == Naming::mapping)
        return "user mapping for " + (name.empty() ? std::string("the applying role") : quote_ident(name)) + " on server " +
               quote_ident(signature);
    if (spec.naming == Naming::defaults)
        return "default privileges of " + (name.empty() ? std::string("the applying role") : "role " + quote_ident(name)) +
               (schema.empty() ? "" : " in schema " + quote_ident(schema)) +
               " on " + signature;
    std::string out = kind_words(kind) + ' ';
    if (spec.on_relation) return out + quote_ident(name) + " on " + display_name(schema, table);
    if (spec.naming == Naming::cast) return out + name;
    if (spec.naming == Naming::operator_) return out + (schema == "public" ? "" : quote_ident(schema) + ".") + name + "(" + signature + ")";
    if (!spec.in_schema) return out + quote_ident(name);
    out += display_name(schema, name);
    if (spec.naming == Naming::routine) out += "(" + signature + ")";
    return out;
}

bool Dependency::uses_column(const std::string& column) const {
    return !columns || std::find(columns->begin(), columns->end(), column) != columns->end();
}

std::string SourceLocation::text() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

void Object::depend_on(const Dependency& dependency) {
    if (dependency.id == id) return;
    for (Dependency& existing : depends_on) {
        if (existing.id != dependency.id) continue;
        existing.soft = existing.soft && dependency.soft;
        for (const auto& c : dependency.through)
            if (std::find(existing.through.begin(), existing.through.end(), c) == existing.through.end())
                existing.through.push_back(c);
        // Known columns (the catalog's) win over unknown ones (a name read from source).
        if (!existing.columns) {
            existing.columns = dependency.columns;
        } else if (dependency.columns) {
            for (const auto& c : *dependency.columns)
                if (!existing.uses_column(c)) existing.columns->push_back(c);
        }
        return;
    }
    depends_on.push_back(dependency);
}

const Dependency* Object::dependency_on(const ObjectId& other) const {
    for (const Dependency& d : depends_on)
        if (d.id == other) return &d;
    return nullptr;
}

const Object* Model::find(const ObjectId& id) const {
    auto it = objects.find(id);
    return it == objects.end() ? nullptr : &it->second;
}

Object* Model::find(const ObjectId& id) {
    auto it = objects.find(id);
    return it == objects.end() ? nullptr : &it->second;
}

const Object* Model::relation(const std::string& schema, const std::string& name) const {
    for (Kind kind : {Kind::table, Kind::foreign_table, Kind::view, Kind::materialized_view})
        if (const Object* found = find(ObjectId{kind, schema, name})) return found;
    return nullptr;
}

std::vector<ObjectId> Model::routines_named(const std::string& schema, const std::string& name) const {
    std::vector<ObjectId> out;
    for (Kind kind : {Kind::function, Kind::procedure, Kind::aggregate})
        for (auto it = objects.lower_bound(ObjectId{kind, schema, name});
             it != objects.end() && it->first.kind == kind && it->first.schema == schema && it->first.name == name; ++it)
            out.push_back(it->first);
    return out;
}

std::vector<ObjectId> Model::operators_named(const std::string& schema, const std::string& name) const {
    std::vector<ObjectId> out;
    for (auto it = objects.lower_bound(ObjectId{Kind::operator_, schema, name});
         it != objects.end() && it->first.kind == Kind::operator_ && it->first.schema == schema && it->first.name == name;
         ++it)
        out.push_back(it->first);
    return out;
}

Object& Model::add(Object object) {
    auto [it, inserted] = objects.emplace(object.id, std::move(object));
    if (!inserted) usage_error("duplicate " + it->first.describe());
    return it->second;
}

void Model::derive_dependencies() {
    ModelIndex index(*this);
    for (auto& [id, object] : objects)
        for (const Dependency& d : derived_dependencies(*this, index, object)) object.depend_on(d);
}

int Model::top_level_count() const {
    int n = 0;
    for (const auto& [id, object] : objects)
        if (kind_spec(id.kind).top_level) ++n;
    return n;
}

json id_to_json(const ObjectId& id) {
    json out = {{"kind", kind_name(id.kind)}, {"name", id.name}};
    if (!id.schema.empty()) out["schema"] = id.schema;
    if (!id.table.empty()) out["table"] = id.table;
    if (kind_spec(id.kind).naming == Naming::routine || kind_spec(id.kind).naming == Naming::operator_)
        out["signature"] = id.signature;
    if (kind_spec(id.kind).naming == Naming::defaults) out["objects"] = id.signature;
    if (kind_spec(id.kind).naming == Naming::mapping) out["server"] = id.signature;
    return out;
}

json dependency_to_json(const Dependency& d) {
    json out = id_to_json(d.id);
    if (d.columns) out["columns"] = *d.columns;
    if (d.soft) out["soft"] = true;
    if (!d.through.empty()) out["through"] = d.through;
    return out;
}

const json& ddl_attributes(const Object& object) { return object.ddl.is_null() ? object.attrs : object.ddl; }

json object_to_json(const Object& object, bool full) {
    json out = id_to_json(object.id);
    out["attributes"] = object.attrs;
    if (full) add_derived_fields(out, object);
    return out;
}

void add_derived_fields(json& out, const Object& object) {
    json deps = json::array();
    for (const auto& d : object.depends_on) deps.push_back(dependency_to_json(d));
    out["depends_on"] = deps;
    if (!object.ddl.is_null()) out["ddl"] = object.ddl;
    if (object.size) out["size"] = {{"bytes", object.size->bytes}, {"rows", object.size->rows}};
    if (object.location) {
        out["location"] = {{"file", object.location->file},
                           {"line", object.location->line},
                           {"column", object.location->column}};
    }
    if (!object.renamed_from.empty()) out["renamed_from"] = object.renamed_from;
    if (!object.renamed_columns.empty()) out["renamed_columns"] = object.renamed_columns;
}

bool is_state_hash(const std::string& value) {
    const std::string prefix = "sha256:";
    if (value.size() != prefix.size() + 64 || value.compare(0, prefix.size(), prefix) != 0) return false;
    return std::all_of(value.begin() + prefix.size(), value.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The hash of the JSON array of the objects (without what is not part of the
// state), dumped one element at a time: "[" a "," b ... "]".
StateHash::StateHash() { hash_.update("["); }

void StateHash::add(const ObjectId& id, const json& state) {
    if (id.schema == k_tracking_schema || (id.kind == Kind::schema && id.name == k_tracking_schema)) return;
    if (!first_) hash_.update(",");
    first_ = false;
    hash_.update(state.dump());
}

std::string StateHash::finish() {
    hash_.update("]");
    return "sha256:" + hash_.hex();
}

std::string Model::state_hash() const {
    StateHash hash;
    for (const auto& [id, object] : objects) hash.add(id, object_to_json(object, false));
    return hash.finish();
}

}  // namespace pgflux
