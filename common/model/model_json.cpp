// pgflux.model serialization.
#include "model/model_json.h"

#include <functional>

#include "util/document.h"
#include "util/error.h"

namespace pgflux {
namespace {

ObjectId id_from(const JsonField& f) {
    ObjectId id;
    std::string kind = f["kind"].string();
    auto k = kind_from_name(kind);
    if (!k) f["kind"].fail("unknown kind \"" + kind + "\"");
    id.kind = *k;
    id.name = f["name"].string();
    if (f.has("schema")) id.schema = f["schema"].string();
    if (f.has("table")) id.table = f["table"].string();
    bool needs_schema = id.kind != Kind::schema && id.kind != Kind::extension;
    if (needs_schema && id.schema.empty()) f.fail("a " + kind + " needs a \"schema\"");
    if ((id.kind == Kind::constraint || id.kind == Kind::index) && id.table.empty())
        f.fail("a " + kind + " needs a \"table\"");
    return id;
}

enum class Type { string, boolean, integer, strings, object, array };

struct Field {
    const char* name;
    Type type;
    bool required;
};

void check(const JsonField& f, std::initializer_list<Field> fields) {
    f.object();
    for (const Field& spec : fields) {
        if (!f.has(spec.name)) {
            if (spec.required) f[spec.name];  // reports "missing"
            continue;
        }
        JsonField v = f[spec.name];
        switch (spec.type) {
            case Type::string: v.string(); break;
            case Type::boolean: v.boolean(); break;
            case Type::integer: v.integer(); break;
            case Type::object: v.object(); break;
            case Type::array: v.array(); break;
            case Type::strings:
                for (size_t i = 0; i < v.array().size(); ++i) v[i].string();
                break;
        }
    }
}

void check_each(const JsonField& array, const std::function<void(const JsonField&)>& item) {
    for (size_t i = 0; i < array.array().size(); ++i) item(array[i]);
}

const std::initializer_list<Field> k_sequence_options = {
    {"start", Type::integer, true}, {"increment", Type::integer, true}, {"min_value", Type::integer, true},
    {"max_value", Type::integer, true}, {"cache", Type::integer, true}, {"cycle", Type::boolean, true}};

void check_column(const JsonField& c) {
    check(c, {{"name", Type::string, true}, {"type", Type::string, true}, {"not_null", Type::boolean, true},
              {"default", Type::string, false}, {"generated", Type::string, false},
              {"collation", Type::string, false}, {"comment", Type::string, false},
              {"identity", Type::object, false}});
    if (c.has("identity")) {
        check(c["identity"], {{"always", Type::boolean, true}, {"sequence", Type::object, true}});
        check(c["identity"]["sequence"], {{"name", Type::string, true}});
        check(c["identity"]["sequence"], k_sequence_options);
    }
}

void check_element(const JsonField& e, bool exclusion) {
    check(e, {{"column", Type::string, false}, {"expression", Type::string, false},
              {"collation", Type::string, false}, {"opclass", Type::string, false},
              {"opclass_options", Type::strings, false}, {"descending", Type::boolean, true},
              {"nulls_first", Type::boolean, true}, {"operator", Type::string, exclusion}});
    if (e.has("column") == e.has("expression")) e.fail("an element has either a column or an expression");
}

void check_constraint(const JsonField& a) {
    check(a, {{"type", Type::string, true}, {"deferrable", Type::boolean, true},
              {"initially_deferred", Type::boolean, true}, {"comment", Type::string, false},
              {"index_comment", Type::string, false}});
    std::string type = a["type"].string();
    if (type == "primary_key" || type == "unique") {
        check(a, {{"columns", Type::strings, true}, {"include", Type::strings, true},
                  {"index_options", Type::strings, true}, {"nulls_not_distinct", Type::boolean, type == "unique"}});
    } else if (type == "check") {
        check(a, {{"expression", Type::string, true}, {"no_inherit", Type::boolean, true},
                  {"not_valid", Type::boolean, true}});
    } else if (type == "foreign_key") {
        check(a, {{"columns", Type::strings, true}, {"references", Type::object, true}, {"match", Type::string, true},
                  {"on_update", Type::string, true}, {"on_delete", Type::string, true},
                  {"on_delete_columns", Type::strings, false}, {"not_valid", Type::boolean, true}});
        check(a["references"], {{"schema", Type::string, true}, {"table", Type::string, true},
                                {"columns", Type::strings, true}});
    } else if (type == "exclusion") {
        check(a, {{"method", Type::string, true}, {"elements", Type::array, true}, {"include", Type::strings, true},
                  {"index_options", Type::strings, true}, {"where", Type::string, false}});
        check_each(a["elements"], [](const JsonField& e) { check_element(e, true); });
    } else {
        a["type"].fail("unknown constraint type \"" + type + "\"");
    }
}

// The attributes of each kind (see model/attributes.h); unknown keys are
// allowed, known ones must have their type.
void check_attributes(Kind kind, const JsonField& a) {
    check(a, {{"comment", Type::string, false}});
    switch (kind) {
        case Kind::schema: break;
        case Kind::extension:
            check(a, {{"schema", Type::string, true}, {"version", Type::string, false}});
            break;
        case Kind::collation:
            check(a, {{"provider", Type::string, true}, {"deterministic", Type::boolean, true},
                      {"locale", Type::string, false}, {"lc_collate", Type::string, false},
                      {"lc_ctype", Type::string, false}});
            break;
        case Kind::enumeration:
            check(a, {{"values", Type::strings, true}});
            break;
        case Kind::sequence:
            check(a, {{"data_type", Type::string, true}, {"owned_by", Type::object, false}});
            check(a, k_sequence_options);
            if (a.has("owned_by")) check(a["owned_by"], {{"table", Type::string, true}, {"column", Type::string, true}});
            break;
        case Kind::table:
            check(a, {{"unlogged", Type::boolean, true}, {"columns", Type::array, true}});
            check_each(a["columns"], check_column);
            break;
        case Kind::constraint:
            check_constraint(a);
            break;
        case Kind::index:
            check(a, {{"unique", Type::boolean, true}, {"method", Type::string, true}, {"elements", Type::array, true},
                      {"include", Type::strings, true}, {"where", Type::string, false},
                      {"nulls_not_distinct", Type::boolean, true}, {"options", Type::strings, true},
                      {"invalid", Type::boolean, false}});
            check_each(a["elements"], [](const JsonField& e) { check_element(e, false); });
            break;
    }
}

}  // namespace

json model_to_document(const Model& model, const std::string& tool) {
    json doc = document_envelope(k_format_model, tool);
    doc["source"] = model.source;
    doc["state_hash"] = model.state_hash();
    json objects = json::array();
    for (const auto& [id, object] : model.objects) objects.push_back(object_to_json(object));
    doc["objects"] = objects;
    return doc;
}

Model model_from_document(const json& document, const std::string& name) {
    Model model;
    JsonField root(document, name);
    if (root.has("source")) model.source = root["source"].object();
    const json& objects = root["objects"].array();
    for (size_t i = 0; i < objects.size(); ++i) {
        JsonField f = root["objects"][i];
        Object object(id_from(f));
        check_attributes(object.id.kind, f["attributes"]);
        object.attrs = f["attributes"].object();
        if (f.has("ddl")) {
            check_attributes(object.id.kind, f["ddl"]);
            object.ddl = f["ddl"].object();
        }
        if (f.has("depends_on")) {
            const json& deps = f["depends_on"].array();
            for (size_t d = 0; d < deps.size(); ++d) object.depends_on.push_back(id_from(f["depends_on"][d]));
        }
        if (f.has("location")) {
            JsonField loc = f["location"];
            object.location = SourceLocation{loc["file"].string(), static_cast<int>(loc["line"].integer()),
                                             static_cast<int>(loc["column"].integer())};
        }
        if (model.find(object.id)) f.fail("duplicate " + object.id.describe());
        model.add(std::move(object));
    }
    return model;
}

}  // namespace pgflux
