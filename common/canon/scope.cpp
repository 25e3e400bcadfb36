// search_path resolution over a model.
#include "canon/scope.h"

#include "canon/types.h"
#include "sql/quote.h"

namespace pgflux {

NameScope catalog_scope() {
    NameScope scope;
    scope.search_path.clear();
    return scope;
}

std::string NameScope::creation_schema() const {
    return search_path.empty() ? std::string("public") : search_path.front();
}

std::string NameScope::resolve(Kind kind, const std::string& schema,
                               const std::string& name) const {
    if (!schema.empty()) return schema;
    if (model) {
        for (const auto& s : search_path) {
            ObjectId id{kind, s, name, ""};
            if (model->find(id)) return s;
        }
    }
    return creation_schema();
}

std::string NameScope::resolve(Kind kind, const pq::Msg& range_var) const {
    return resolve(kind, range_var.str("schemaname"), range_var.str("relname"));
}

std::optional<std::string> NameScope::type_schema(const std::string& name) const {
    for (const auto& s : search_path) {
        if (model)
            for (Kind kind : {Kind::enumeration, Kind::range_type, Kind::domain, Kind::composite_type})
                if (model->find(ObjectId{kind, s, name})) return s;
        if (relations && relations->count({s, name})) return s;
    }
    return std::nullopt;
}

TypeLookup NameScope::type_lookup() const {
    return [this](const std::string& name) { return type_schema(name); };
}

std::optional<std::string> NameScope::routine_schema(const std::string& name) const {
    if (!model) return std::nullopt;
    for (const auto& s : search_path)
        if (!model->routines_named(s, name).empty()) return s;
    return std::nullopt;
}

std::string NameScope::routine_name(const std::vector<std::string>& names) const {
    if (names.size() == 2 && names[0] == "pg_catalog") return quote_ident(names[1]);
    if (names.size() >= 2) return qualified_name(names[names.size() - 2], names.back());
    if (auto schema = routine_schema(names.back())) return qualified_name(*schema, names.back());
    return quote_ident(names.back());
}

std::string NameScope::collation(const std::vector<std::string>& names) const {
    std::string schema = names.size() >= 2 ? names[names.size() - 2] : "";
    const std::string& name = names.back();
    if (schema.empty()) {
        schema = "pg_catalog";
        if (model) {
            for (const auto& s : search_path) {
                if (model->find(ObjectId{Kind::collation, s, name, ""})) {
                    schema = s;
                    break;
                }
            }
        }
    }
    if (schema == "pg_catalog" && name == "default") return "";
    return qualified_name(schema, name);
}

}  // namespace pgflux
