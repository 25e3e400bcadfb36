// Model identity ordering, canonical serialization and the state hash.
#include "model/model.h"

#include "model/dependencies.h"
#include "sql/quote.h"
#include "util/error.h"
#include "util/sha256.h"

namespace pgflux {
namespace {

struct KindInfo {
    Kind kind;
    const char* name;
};
constexpr KindInfo k_kinds[] = {
    {Kind::schema, "schema"},       {Kind::extension, "extension"},
    {Kind::collation, "collation"}, {Kind::enumeration, "enum"},
    {Kind::sequence, "sequence"},   {Kind::table, "table"},
    {Kind::constraint, "constraint"}, {Kind::index, "index"},
};

}  // namespace

const char* kind_name(Kind kind) {
    for (const auto& k : k_kinds)
        if (k.kind == kind) return k.name;
    return "?";
}

std::optional<Kind> kind_from_name(const std::string& name) {
    for (const auto& k : k_kinds)
        if (name == k.name) return k.kind;
    return std::nullopt;
}

int kind_rank(Kind kind) { return static_cast<int>(kind); }

bool ObjectId::operator<(const ObjectId& o) const {
    if (kind != o.kind) return kind_rank(kind) < kind_rank(o.kind);
    if (schema != o.schema) return schema < o.schema;
    if (name != o.name) return name < o.name;
    return table < o.table;
}

bool ObjectId::operator==(const ObjectId& o) const {
    return kind == o.kind && schema == o.schema && name == o.name && table == o.table;
}

std::string ObjectId::sql_name() const {
    if (kind == Kind::constraint) return quote_ident(name);
    return qualified_name(schema, name);
}

std::string ObjectId::describe() const {
    std::string out = kind_name(kind);
    out += ' ';
    if (kind == Kind::constraint || kind == Kind::index) {
        out += quote_ident(name) + " on " + display_name(schema, table);
    } else {
        out += display_name(schema, name);
    }
    return out;
}

std::string SourceLocation::text() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const Object* Model::find(const ObjectId& id) const {
    auto it = objects.find(id);
    return it == objects.end() ? nullptr : &it->second;
}

Object* Model::find(const ObjectId& id) {
    auto it = objects.find(id);
    return it == objects.end() ? nullptr : &it->second;
}

Object& Model::add(Object object) {
    auto [it, inserted] = objects.emplace(object.id, std::move(object));
    if (!inserted) usage_error("duplicate " + it->first.describe());
    return it->second;
}

void Model::compute_dependencies() {
    KeyIndex keys(*this);
    for (auto& [id, object] : objects) object.depends_on = dependencies_of(*this, keys, object);
}

int Model::top_level_count() const {
    int n = 0;
    for (const auto& [id, object] : objects)
        if (id.kind != Kind::constraint && id.kind != Kind::index) ++n;
    return n;
}

json id_to_json(const ObjectId& id) {
    json out = {{"kind", kind_name(id.kind)}, {"name", id.name}};
    if (!id.schema.empty()) out["schema"] = id.schema;
    if (!id.table.empty()) out["table"] = id.table;
    return out;
}

const json& ddl_attributes(const Object& object) { return object.ddl.is_null() ? object.attrs : object.ddl; }

json object_to_json(const Object& object, bool full) {
    json out = id_to_json(object.id);
    out["attributes"] = object.attrs;
    json deps = json::array();
    for (const auto& d : object.depends_on) deps.push_back(id_to_json(d));
    out["depends_on"] = deps;
    if (full && !object.ddl.is_null()) out["ddl"] = object.ddl;
    if (full && object.location) {
        out["location"] = {{"file", object.location->file},
                           {"line", object.location->line},
                           {"column", object.location->column}};
    }
    return out;
}

std::string Model::state_hash() const {
    json canonical = json::array();
    for (const auto& [id, object] : objects) {
        if (id.schema == k_tracking_schema || (id.kind == Kind::schema && id.name == k_tracking_schema))
            continue;
        canonical.push_back(object_to_json(object, false));
    }
    return "sha256:" + sha256_hex(canonical.dump());
}

}  // namespace pgflux
