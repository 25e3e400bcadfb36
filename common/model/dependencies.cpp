// Dependency derivation over canonical attributes.
#include "model/dependencies.h"

#include <algorithm>
#include <regex>
#include <set>

#include "canon/types.h"
#include "sql/quote.h"

namespace pgflux {
namespace {

void add_if_present(const Model& model, const ObjectId& id, std::vector<ObjectId>& out) {
    if (model.find(id) && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
}

std::optional<ObjectId> type_object(const Model& model, const std::string& type) {
    auto parts = split_qualified_name(element_type(type));
    if (parts.size() != 2) return std::nullopt;
    ObjectId id{Kind::enumeration, parts[0], parts[1], ""};
    if (model.find(id)) return id;
    return std::nullopt;
}

std::optional<ObjectId> collation_object(const Model& model, const json& attrs) {
    if (!attrs.contains("collation")) return std::nullopt;
    auto parts = split_qualified_name(attrs["collation"].get<std::string>());
    if (parts.size() != 2) return std::nullopt;
    ObjectId id{Kind::collation, parts[0], parts[1], ""};
    if (model.find(id)) return id;
    return std::nullopt;
}

void table_dependencies(const Model& model, const Object& table, std::vector<ObjectId>& out) {
    for (const json& column : table.attrs["columns"]) {
        if (auto t = type_object(model, column["type"])) add_if_present(model, *t, out);
        if (auto c = collation_object(model, column)) add_if_present(model, *c, out);
        if (column.contains("default")) {
            for (const auto& parts : sequences_in_default(column["default"])) {
                std::string schema = parts.size() == 2 ? parts[0] : table.id.schema;
                add_if_present(model, ObjectId{Kind::sequence, schema, parts.back(), ""}, out);
            }
        }
    }
}

std::set<std::string> column_set(const json& columns) {
    std::set<std::string> out;
    for (const json& c : columns) out.insert(c.get<std::string>());
    return out;
}

}  // namespace

std::vector<std::string> split_qualified_name(const std::string& text) {
    std::vector<std::string> parts;
    std::string current;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                current += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                current += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == '.') {
            parts.push_back(current);
            current.clear();
        } else {
            current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    parts.push_back(current);
    return parts;
}

std::vector<std::vector<std::string>> sequences_in_default(const std::string& expression) {
    static const std::regex k_nextval(R"(nextval\('((?:[^']|'')*)'(?:::regclass)?\))");
    std::vector<std::vector<std::string>> out;
    for (std::sregex_iterator it(expression.begin(), expression.end(), k_nextval), end; it != end;
         ++it) {
        std::string name = (*it)[1];
        std::string unescaped;
        for (size_t i = 0; i < name.size(); ++i) {
            unescaped += name[i];
            if (name[i] == '\'' && i + 1 < name.size() && name[i + 1] == '\'') ++i;
        }
        out.push_back(split_qualified_name(unescaped));
    }
    return out;
}

KeyIndex::KeyIndex(const Model& model) {
    for (const auto& [id, object] : model.objects)
        if (id.kind == Kind::constraint || id.kind == Kind::index) by_table_[{id.schema, id.table}].push_back(&object);
}

const Object* KeyIndex::referenced_key(const Object& fk) const {
    const json& ref = fk.attrs["references"];
    std::set<std::string> wanted = column_set(ref["columns"]);
    auto found = by_table_.find({ref["schema"].get<std::string>(), ref["table"].get<std::string>()});
    if (found == by_table_.end()) return nullptr;
    for (const Object* candidate : found->second) {
        const Object& object = *candidate;
        const ObjectId& id = object.id;
        if (id.kind == Kind::constraint) {
            std::string type = object.attrs["type"];
            if ((type == "primary_key" || type == "unique") &&
                column_set(object.attrs["columns"]) == wanted)
                return &object;
        } else if (id.kind == Kind::index && object.attrs["unique"] == true &&
                   !object.attrs.contains("where")) {
            std::set<std::string> columns;
            for (const json& e : object.attrs["elements"])
                if (e.contains("column")) columns.insert(e["column"].get<std::string>());
            if (columns == wanted && columns.size() == object.attrs["elements"].size()) return &object;
        }
    }
    return nullptr;
}

const Object* referenced_key(const Model& model, const Object& foreign_key) {
    return KeyIndex(model).referenced_key(foreign_key);
}

std::vector<ObjectId> dependencies_of(const Model& model, const Object& object) {
    return dependencies_of(model, KeyIndex(model), object);
}

std::vector<ObjectId> dependencies_of(const Model& model, const KeyIndex& keys, const Object& object) {
    std::vector<ObjectId> out;
    const ObjectId& id = object.id;
    if (!id.schema.empty()) add_if_present(model, ObjectId{Kind::schema, "", id.schema, ""}, out);
    switch (id.kind) {
        case Kind::extension:
            add_if_present(model, ObjectId{Kind::schema, "", object.attrs["schema"], ""}, out);
            break;
        case Kind::table:
            table_dependencies(model, object, out);
            break;
        case Kind::constraint:
        case Kind::index:
            add_if_present(model, ObjectId{Kind::table, id.schema, id.table, ""}, out);
            if (object.attrs.value("type", "") == "foreign_key") {
                const json& ref = object.attrs["references"];
                add_if_present(model, ObjectId{Kind::table, ref["schema"], ref["table"], ""}, out);
                if (const Object* key = keys.referenced_key(object)) add_if_present(model, key->id, out);
            }
            break;
        default:
            break;
    }
    return out;
}

}  // namespace pgflux
