// Dependency derivation over canonical attributes.
#include "model/dependencies.h"

#include <algorithm>
#include <regex>
#include <set>

#include "canon/types.h"
#include "kinds/kinds.h"
#include "sql/parser.h"
#include "sql/quote.h"
#include "sql/references.h"

namespace pgflux {
namespace {

const std::vector<ObjectId> k_none;
const std::vector<const Object*> k_no_objects;

void add(std::vector<Dependency>& out, const Model& model, const ObjectId& id) {
    if (!model.find(id)) return;
    for (const Dependency& d : out)
        if (d.id == id) return;
    out.push_back(Dependency{id, std::nullopt, false});
}

void add_all(std::vector<Dependency>& out, const Model& model, const std::vector<Dependency>& more) {
    for (const Dependency& d : more) add(out, model, d.id);
}

// A type named by its canonical text: the type (enum, range, multirange,
// domain, composite type) or the relation whose row type it is.
void add_type(std::vector<Dependency>& out, const Model& model, const ModelIndex& index, const std::string& type) {
    std::vector<std::string> parts;
    try {
        parts = split_qualified_name(element_type(type));
    } catch (const std::exception&) {
        return;  // a type with a modifier ("public.d(3)") names no object of the model here
    }
    if (parts.empty() || parts.size() > 2) return;
    for (const ObjectId& id : index.types_named(parts.back()))
        if (parts.size() == 1 || id.schema == parts[0]) add(out, model, id);
    if (parts.size() == 2)
        if (const Object* relation = model.relation(parts[0], parts[1])) add(out, model, relation->id);
}

// A routine named by its canonical text ("public.f", "f").
void add_routine(std::vector<Dependency>& out, const Model& model, const ModelIndex& index, const json& name) {
    if (!name.is_string()) return;
    auto parts = split_qualified_name(name.get<std::string>());
    if (parts.empty() || parts.size() > 2) return;
    for (const ObjectId& id : index.routines_named(parts.back()))
        if (parts.size() == 1 || id.schema == parts[0]) add(out, model, id);
}

// A routine named by its canonical (qualified) name: the overload with
// `signature`, or every overload when it is not known.
void add_routine(std::vector<Dependency>& out, const Model& model, const std::string& name,
                 const std::optional<std::string>& signature) {
    auto parts = split_qualified_name(name);
    if (parts.size() != 2) return;
    for (const ObjectId& id : model.routines_named(parts[0], parts[1]))
        if (!signature || id.signature == *signature) add(out, model, id);
}

void add_collation(std::vector<Dependency>& out, const Model& model, const json& attrs) {
    if (!attrs.contains("collation")) return;
    auto parts = split_qualified_name(attrs["collation"].get<std::string>());
    if (parts.size() == 2) add(out, model, ObjectId{Kind::collation, parts[0], parts[1], "", ""});
}

std::set<std::string> column_set(const json& columns) {
    std::set<std::string> out;
    for (const json& c : columns) out.insert(c.get<std::string>());
    return out;
}

// Every expression text in the attributes of a constraint or an index.
void expressions_of(const json& attrs, std::vector<std::string>& out) {
    for (const char* key : {"expression", "where"})
        if (attrs.contains(key)) out.push_back(attrs[key]);
    if (attrs.contains("elements"))
        for (const json& e : attrs["elements"])
            if (e.contains("expression")) out.push_back(e["expression"]);
}

}  // namespace

ModelIndex::ModelIndex(const Model& model) : model_(model) {
    for (const auto& [id, object] : model.objects) {
        const KindSpec& spec = kind_spec(id.kind);
        if (spec.on_relation) by_relation_[{id.schema, id.table}].push_back(&object);
        if (spec.naming == Naming::routine) routines_[id.name].push_back(id);
        if (is_type(id.kind)) types_[id.name].push_back(id);
        // A range type stands for its multirange type too.
        if (id.kind == Kind::range_type && object.attrs.contains("multirange"))
            types_[object.attrs["multirange"].get<std::string>()].push_back(id);
        if (id.kind == Kind::operator_) operators_[id.name].push_back(id);
        if (id.kind == Kind::table) {
            auto parent = [&](const json& ref) {
                if (ref.is_object() && ref.contains("schema") && ref.contains("table") && ref["schema"].is_string() &&
                    ref["table"].is_string())
                    parents_.insert(ObjectId{Kind::table, ref["schema"], ref["table"]});
            };
            if (object.attrs.contains("partition_of")) parent(object.attrs["partition_of"]);
            if (object.attrs.contains("inherits") && object.attrs["inherits"].is_array())
                for (const json& p : object.attrs["inherits"]) parent(p);
        }
    }
}

const std::vector<ObjectId>& ModelIndex::operators_named(const std::string& name) const {
    auto it = operators_.find(name);
    return it == operators_.end() ? k_none : it->second;
}

const std::vector<ObjectId>& ModelIndex::types_named(const std::string& name) const {
    auto it = types_.find(name);
    return it == types_.end() ? k_none : it->second;
}

const std::vector<ObjectId>& ModelIndex::routines_named(const std::string& name) const {
    auto it = routines_.find(name);
    return it == routines_.end() ? k_none : it->second;
}

const std::vector<const Object*>& ModelIndex::objects_of(const std::string& schema, const std::string& relation) const {
    auto it = by_relation_.find({schema, relation});
    return it == by_relation_.end() ? k_no_objects : it->second;
}

const Object* ModelIndex::referenced_key(const Object& fk) const {
    const json& ref = fk.attrs["references"];
    std::set<std::string> wanted = column_set(ref["columns"]);
    for (const Object* candidate : objects_of(ref["schema"], ref["table"])) {
        const Object& object = *candidate;
        const ObjectId& id = object.id;
        if (id.kind == Kind::constraint) {
            std::string type = object.attrs["type"];
            if ((type == "primary_key" || type == "unique") && column_set(object.attrs["columns"]) == wanted)
                return &object;
        } else if (id.kind == Kind::index && object.attrs["unique"] == true && !object.attrs.contains("where")) {
            std::set<std::string> columns;
            for (const json& e : object.attrs["elements"])
                if (e.contains("column")) columns.insert(e["column"].get<std::string>());
            if (columns == wanted && columns.size() == object.attrs["elements"].size()) return &object;
        }
    }
    return nullptr;
}

const Object* referenced_key(const Model& model, const Object& foreign_key) {
    return ModelIndex(model).referenced_key(foreign_key);
}

std::vector<std::string> split_qualified_name(const std::string& text) { return split_identifiers(text, '.'); }

std::vector<std::vector<std::string>> sequences_in_default(const std::string& expression) {
    // 'a''b' or, with a backslash in the name, E'a\\b' (as deparse prints it).
    static const std::regex k_nextval(R"(nextval\((E?)'((?:[^'\\]|''|\\.)*)'(?:::regclass)?\))");
    std::vector<std::vector<std::string>> out;
    if (expression.find("nextval(") == std::string::npos) return out;
    for (std::sregex_iterator it(expression.begin(), expression.end(), k_nextval), end; it != end; ++it) {
        bool escaped = (*it)[1].length() > 0;
        std::string name = (*it)[2];
        std::string unescaped;
        for (size_t i = 0; i < name.size(); ++i) {
            unescaped += name[i];
            if (name[i] == '\'' && i + 1 < name.size() && name[i + 1] == '\'') ++i;
            else if (escaped && name[i] == '\\' && i + 1 < name.size()) unescaped.back() = name[++i];
        }
        out.push_back(split_qualified_name(unescaped));
    }
    return out;
}

namespace {

std::vector<Dependency> find_expression_dependencies(const Model& model, const ModelIndex& index,
                                                     const std::string& expression, const std::string& schema) {
    std::vector<Dependency> out;
    for (const auto& parts : sequences_in_default(expression))
        add(out, model, ObjectId{Kind::sequence, parts.size() == 2 ? parts[0] : schema, parts.back(), "", ""});
    // Only a call, a cast or an operator of the model can name anything else.
    bool operators = false;
    for (const auto& [name, ids] : index.all_operators())
        if (expression.find(name) != std::string::npos) operators = true;
    if (!operators && expression.find('(') == std::string::npos && expression.find("::") == std::string::npos) return out;
    pq::ParsedExpression parsed;
    try {
        parsed = pq::parse_expression(expression);
    } catch (const std::exception&) {
        return out;  // not an expression the model can hold; nothing to order by
    }
    for (const auto& ref : pq::name_references(parsed.expr)) {
        const std::string& name = ref.names.back();
        std::string in_schema = ref.names.size() >= 2 ? ref.names[ref.names.size() - 2] : "";
        if (ref.kind == pq::NameReference::Kind::routine) {
            for (const ObjectId& id : index.routines_named(name))
                if (in_schema.empty() || id.schema == in_schema) add(out, model, id);
        } else if (ref.kind == pq::NameReference::Kind::operator_) {
            for (const ObjectId& id : index.operators_named(name))
                if (in_schema.empty() || id.schema == in_schema) add(out, model, id);
        } else if (ref.kind == pq::NameReference::Kind::type) {
            for (const ObjectId& id : index.types_named(name))
                if (in_schema.empty() || id.schema == in_schema) add(out, model, id);
        }
    }
    return out;
}

}  // namespace

std::vector<Dependency> expression_dependencies(const Model& model, const ModelIndex& index,
                                                const std::string& expression, const std::string& schema) {
    auto key = std::make_pair(expression, schema);
    auto known = index.expression_dependencies_.find(key);
    if (known != index.expression_dependencies_.end()) return known->second;
    auto found = find_expression_dependencies(model, index, expression, schema);
    index.expression_dependencies_.emplace(std::move(key), found);
    return found;
}

std::vector<Dependency> column_dependencies(const Model& model, const ModelIndex& index, const std::string& schema,
                                            const json& column) {
    std::vector<Dependency> out;
    add_type(out, model, index, column["type"]);
    add_collation(out, model, column);
    for (const char* key : {"default", "generated"})
        if (column.contains(key)) add_all(out, model, expression_dependencies(model, index, column[key], schema));
    return out;
}

std::vector<Dependency> derived_dependencies(const Model& model, const ModelIndex& index, const Object& object) {
    std::vector<Dependency> out;
    const ObjectId& id = object.id;
    const json& attrs = object.attrs;
    if (!id.schema.empty()) add(out, model, ObjectId{Kind::schema, "", id.schema, "", ""});
    switch (id.kind) {
        case Kind::extension:
            add(out, model, ObjectId{Kind::schema, "", attrs["schema"], "", ""});
            break;
        case Kind::domain:
            add_type(out, model, index, attrs["type"]);
            add_collation(out, model, attrs);
            if (attrs.contains("default")) add_all(out, model, expression_dependencies(model, index, attrs["default"], id.schema));
            for (const auto& [name, check] : attrs["checks"].items())
                add_all(out, model, expression_dependencies(model, index, check, id.schema));
            break;
        case Kind::composite_type:
            for (const json& attribute : attrs["attributes"]) {
                add_type(out, model, index, attribute["type"]);
                add_collation(out, model, attribute);
            }
            break;
        case Kind::range_type:
            add_type(out, model, index, attrs["subtype"]);
            add_collation(out, model, attrs);
            add_routine(out, model, index, attrs.value("canonical", json()));
            add_routine(out, model, index, attrs.value("subtype_diff", json()));
            break;
        case Kind::table:
            for (const json& column : attrs["columns"])
                add_all(out, model, column_dependencies(model, index, id.schema, column));
            if (attrs.contains("partition_of"))
                add(out, model, ObjectId{Kind::table, attrs["partition_of"]["schema"], attrs["partition_of"]["table"], "", ""});
            for (const json& parent : attrs.value("inherits", json::array()))
                add(out, model, ObjectId{Kind::table, parent["schema"], parent["table"], "", ""});
            break;
        case Kind::constraint:
        case Kind::index: {
            if (const Object* relation = model.relation(id.schema, id.table)) add(out, model, relation->id);
            std::vector<std::string> expressions;
            expressions_of(attrs, expressions);
            for (const auto& e : expressions) add_all(out, model, expression_dependencies(model, index, e, id.schema));
            if (attrs.value("type", "") == "foreign_key") {
                const json& ref = attrs["references"];
                add(out, model, ObjectId{Kind::table, ref["schema"], ref["table"], "", ""});
                if (const Object* key = index.referenced_key(object)) add(out, model, key->id);
            }
            break;
        }
        case Kind::foreign_table:
            add(out, model, ObjectId{Kind::server, "", attrs["server"], "", ""});
            for (const json& column : attrs["columns"])
                add_all(out, model, column_dependencies(model, index, id.schema, column));
            break;
        case Kind::operator_: {
            for (const char* key : {"left", "right"})
                if (attrs.contains(key)) add_type(out, model, index, attrs[key]);
            std::string args = attrs.contains("left") ? attrs["left"].get<std::string>() + ", " : "";
            add_routine(out, model, attrs["function"], args + attrs["right"].get<std::string>());
            for (const char* key : {"restrict", "join"})
                if (attrs.contains(key)) add_routine(out, model, attrs[key], std::nullopt);
            break;
        }
        case Kind::cast: {
            add_type(out, model, index, attrs["source"]);
            add_type(out, model, index, attrs["target"]);
            if (attrs.contains("function")) {
                std::string f = attrs["function"];
                size_t open = f.find('(');
                if (open != std::string::npos && f.back() == ')')
                    add_routine(out, model, f.substr(0, open), f.substr(open + 1, f.size() - open - 2));
            }
            break;
        }
        case Kind::text_search_configuration:
            for (const auto& [token, dictionaries] : attrs["mappings"].items())
                for (const json& dictionary : dictionaries) {
                    auto parts = split_qualified_name(dictionary.get<std::string>());
                    if (parts.size() == 2) add(out, model, ObjectId{Kind::text_search_dictionary, parts[0], parts[1]});
                }
            break;
        case Kind::server:
            add(out, model, ObjectId{Kind::foreign_data_wrapper, "", attrs["wrapper"], "", ""});
            break;
        case Kind::user_mapping:
            add(out, model, ObjectId{Kind::server, "", id.signature, "", ""});
            break;
        case Kind::publication:
            for (const json& t : attrs["tables"]) add(out, model, ObjectId{Kind::table, t["schema"], t["table"], "", ""});
            for (const json& n : attrs["schemas"]) add(out, model, ObjectId{Kind::schema, "", n, "", ""});
            break;
        case Kind::statistics:
            if (const Object* relation = model.relation(id.schema, id.table)) add(out, model, relation->id);
            for (const json& e : attrs["expressions"])
                add_all(out, model, expression_dependencies(model, index, e, id.schema));
            break;
        case Kind::trigger:
        case Kind::rule:
        case Kind::policy:
            if (const Object* relation = model.relation(id.schema, id.table)) add(out, model, relation->id);
            break;
        default:
            break;
    }
    return out;
}

}  // namespace pgflux
