// pgflux.model serialization.
#include "model/model_json.h"

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
        object.attrs = f["attributes"].object();
        if (f.has("ddl")) object.ddl = f["ddl"].object();
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
