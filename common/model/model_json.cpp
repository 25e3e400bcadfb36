// pgflux.model serialization.
#include "model/model_json.h"

#include <iostream>

#include "kinds/kinds.h"
#include "pgflux/version.h"
#include "model/attribute_checks.h"
#include "model/attributes.h"
#include "privileges/privileges.h"
#include "sql/parser.h"
#include "sql/quote.h"
#include "util/document.h"
#include "util/error.h"
#include "util/files.h"
#include "util/text.h"

namespace pgflux {
namespace {

Dependency dependency_from(const JsonField& f) {
    Dependency d{id_from_json(f), std::nullopt, false};
    if (f.has("columns")) {
        d.columns.emplace();
        for (size_t i = 0; i < f["columns"].array().size(); ++i) d.columns->push_back(f["columns"][i].string());
    }
    if (f.has("soft")) d.soft = f["soft"].boolean();
    if (f.has("through"))
        for (size_t i = 0; i < f["through"].array().size(); ++i) d.through.push_back(f["through"][i].string());
    return d;
}

// The attributes of a kind: the comment every kind may have, then the kind's own.
void check_attributes(Kind kind, const JsonField& a) {
    check_fields(a, {{"comment", FieldType::string, false}});
    check_privilege_attributes(kind, a);
    kind_spec(kind).check_attributes(a);
}

// An operator's or a cast's identity goes into DDL as written: it must be
// exactly what one DROP statement of its kind names, nothing more.
void check_drop_reference(const JsonField& f, const ObjectId& id, const char* keyword, const char* object_type) {
    std::string what = std::string("DROP ") + keyword + " " + id.sql_name();
    try {
        auto parsed = pq::ParseResult::parse(what);
        if (parsed->statements().size() == 1 && parsed->statements()[0].node.is("DropStmt") &&
            parsed->statements()[0].node.enumeration("remove_type") == object_type)
            return;
    } catch (const pq::SqlSyntaxError&) {
    }
    f.fail("not a valid " + kind_words(id.kind) + " identity: " + id.sql_name());
}

// A name PostgreSQL stores as it is: at most 63 bytes
// (NAMEDATALEN - 1; a longer one would be truncated, so the object could
// never match its model), and no NUL byte (which SQL text cannot carry).
void check_name_length(const JsonField& f, const std::string& name) {
    if (name.size() > 63)
        f.fail("name longer than 63 bytes (" + std::to_string(name.size()) +
               "); PostgreSQL would truncate it: " + name.substr(0, 63) + "...");
    if (name.find('\0') != std::string::npos) f.fail("name contains a NUL byte");
}

// Declared renames: names checked as identities are, on kinds that can be
// renamed; a table's renamed columns name its own columns.
void read_renames(const JsonField& f, Object& object) {
    if (f.has("renamed_from")) {
        if (!renamable(object.id.kind)) f["renamed_from"].fail("a " + kind_words(object.id.kind) + " cannot be declared renamed");
        object.renamed_from = f["renamed_from"].string();
        check_name_length(f["renamed_from"], object.renamed_from);
        if (object.renamed_from.empty()) f["renamed_from"].fail("empty name");
        if (object.renamed_from == object.id.name) f["renamed_from"].fail("renamed from its own name");
    }
    if (!f.has("renamed_columns")) return;
    JsonField columns = f["renamed_columns"];
    if (object.id.kind != Kind::table) columns.fail("only a table has renamed columns");
    for (const auto& [name, old] : columns.object().items()) {
        JsonField entry = columns[name];
        std::string old_name = entry.string();
        check_name_length(entry, old_name);
        if (old_name.empty()) entry.fail("empty name");
        if (old_name == name) entry.fail("renamed from its own name");
        if (column_index(object.attrs, name) < 0) entry.fail("the table has no column " + quote_ident(name));
        if (column_index(object.attrs, old_name) >= 0)
            entry.fail("the table still has a column " + quote_ident(old_name));
        object.renamed_columns[name] = old_name;
    }
}

}  // namespace

ObjectId id_from_json(const JsonField& f) {
    ObjectId id;
    std::string kind = f["kind"].string();
    auto k = kind_from_name(kind);
    if (!k) f["kind"].fail("unknown kind \"" + kind + "\"");
    const KindSpec& spec = kind_spec(*k);
    id.kind = *k;
    id.name = f["name"].string();
    if (f.has("schema")) id.schema = f["schema"].string();
    if (f.has("table")) id.table = f["table"].string();
    if (f.has("signature")) id.signature = f["signature"].string();
    if (spec.naming != Naming::cast) check_name_length(f["name"], id.name);  // a cast's name is its clause
    // Default privileges name their role ("" while it is the applying role's).
    if (id.name.empty() && spec.naming != Naming::defaults) f["name"].fail("empty name");
    if (f.has("schema")) check_name_length(f["schema"], id.schema);
    if (f.has("table")) check_name_length(f["table"], id.table);
    if (spec.in_schema && id.schema.empty()) f.fail("a " + kind + " needs a \"schema\"");
    if (spec.on_relation && id.table.empty()) f.fail("a " + kind + " needs a \"table\"");
    if ((spec.naming == Naming::routine || spec.naming == Naming::operator_) && !f.has("signature"))
        f.fail("a " + kind + " needs a \"signature\"");
    if (spec.naming == Naming::operator_) {
        if (id.name.empty() || id.name.find_first_not_of("+-*/<>=~!@#%^&|`?") != std::string::npos)
            f["name"].fail("not an operator name: " + id.name);
        check_drop_reference(f, id, "OPERATOR", "OBJECT_OPERATOR");
    }
    if (spec.naming == Naming::cast) check_drop_reference(f, id, "CAST", "OBJECT_CAST");
    if (spec.naming == Naming::mapping) {
        id.signature = f["server"].string();
        check_name_length(f["server"], id.signature);
    }
    if (spec.naming == Naming::defaults) {
        id.signature = f["objects"].string();
        check_one_of(f["objects"], {"tables", "sequences", "functions", "types", "schemas"});
        if (id.signature == "schemas" && !id.schema.empty()) f.fail("default privileges on schemas apply to all schemas");
    }
    return id;
}

json model_to_document(const Model& model, const std::string& tool) {
    json doc = document_envelope(k_format_model, tool);
    doc["source"] = model.source;
    doc["state_hash"] = model.state_hash();
    json objects = json::array();
    for (const auto& [id, object] : model.objects) objects.push_back(object_to_json(object));
    doc["objects"] = objects;
    return doc;
}

void write_model_document(const Model& model, const std::string& tool, std::ostream& stream) {
    json doc = document_envelope(k_format_model, tool);
    doc["source"] = model.source;
    doc["objects"] = json::array();
    if (model.objects.empty()) {
        doc["state_hash"] = model.state_hash();
        stream << document_text(doc);
        stream.flush();
        if (!stream) fail(k_exit_internal, "cannot write the model document");
        return;
    }
    // The state hash is computed while the objects are written and put in
    // its place after them ("state_hash" sorts after "objects" and "source").
    const std::string placeholder = "sha256:" + std::string(64, '0');
    doc["state_hash"] = placeholder;
    // dump(2) puts the top-level keys at an indent of two, one per line, and
    // no string holds a raw line break: the empty array is found by its line.
    std::string text = doc.dump(2);
    const std::string marker = "\n  \"objects\": [";
    size_t at = text.find(marker + "]");
    if (at == std::string::npos) fail(k_exit_internal, "cannot place the objects in the model document");
    at += marker.size();
    std::string out = text.substr(0, at);
    bool first = true;
    StateHash hash;
    for (const auto& [id, object] : model.objects) {
        json element_json = object_to_json(object, false);
        hash.add(id, element_json);
        add_derived_fields(element_json, object);
        // An element of the array is dumped at an indent of four.
        std::string element = element_json.dump(2);
        out += first ? "\n    " : ",\n    ";
        first = false;
        size_t from = 0;
        for (size_t nl; (nl = element.find('\n', from)) != std::string::npos; from = nl + 1) {
            out.append(element, from, nl + 1 - from);
            out += "    ";
        }
        out.append(element, from, std::string::npos);
        if (out.size() >= (1u << 20)) {
            stream << out;
            out.clear();
        }
    }
    out += "\n  ";
    std::string tail = text.substr(at);
    size_t hash_at = tail.rfind("\"state_hash\": \"" + placeholder + "\"");
    if (hash_at == std::string::npos) fail(k_exit_internal, "cannot place the state hash in the model document");
    tail.replace(hash_at + 15, placeholder.size(), hash.finish());
    out += tail;
    stream << out << "\n";
    stream.flush();
    if (!stream) fail(k_exit_internal, "cannot write the model document");
}

// The "source" facts the tools read (catalog/catalog.cpp, source/reader.cpp,
// shadow/shadow.cpp write them): each with its type, so that a read cannot
// throw; other fields are not read.
static void check_source(const JsonField& s) {
    s.object();
    for (const char* key : {"type", "database", "role", "canonical", "shadow", "source_hash"})
        if (s.has(key)) s[key].string();
    if (s.has("source_hash") && !is_state_hash(s["source_hash"].string()))
        s["source_hash"].fail("not a digest (sha256: and 64 hex digits)");
    if (s.has("server_version") && s["server_version"].integer() < 0)
        s["server_version"].fail("expected a server version number, 0 or more");
    if (s.has("canonical")) check_one_of(s["canonical"], {"parsed", "shadow"});
    auto is_string = [](const JsonField& v) { v.string(); };
    // Each value of an object field (check_each walks arrays).
    auto each_value = [](const JsonField& object, const std::function<void(const JsonField&)>& item) {
        for (auto it = object.object().begin(); it != object.value().end(); ++it) item(object[it.key()]);
    };
    for (const char* key : {"roles", "paths", "files"})
        if (s.has(key)) check_each(s[key], is_string);
    if (s.has("type_storage")) each_value(s["type_storage"], is_string);
    if (s.has("unmodeled")) {
        s["unmodeled"].object();
        for (auto it = s["unmodeled"].value().begin(); it != s["unmodeled"].value().end(); ++it) {
            // Printed in a note: a kind's name, and a count.
            if (it.key().empty() || it.key().find_first_not_of("abcdefghijklmnopqrstuvwxyz _-") != std::string::npos)
                s["unmodeled"].fail("\"" + one_line(it.key()) + "\" is not the name of a kind of object");
            if (s["unmodeled"][it.key()].integer() < 0) s["unmodeled"][it.key()].fail("expected a count, 0 or more");
        }
    }
    if (s.has("extensions"))
        each_value(s["extensions"], [&](const JsonField& facts) {
            facts.object();
            if (facts.has("relocatable")) facts["relocatable"].boolean();
            if (facts.has("update_targets")) check_each(facts["update_targets"], is_string);
        });
}

// The columns of a table's "ddl" (the source's spelling, which the SQL is
// made from) are the columns of its attributes, each with the same fields:
// only the spelling of a value may differ. (The differ takes a table's SQL
// column by name and by position. A view's ddl columns are another list.)
static void check_ddl_columns(const JsonField& ddl, const json& attrs) {
    auto columns = attrs.find("columns");
    if (!ddl.has("columns") && (columns == attrs.end() || columns->empty())) return;
    if (columns == attrs.end() || !columns->is_array() || !ddl.has("columns") ||
        ddl["columns"].array().size() != columns->size())
        ddl.fail("the columns must be those of the attributes");
    for (size_t c = 0; c < columns->size(); ++c) {
        const json& a = (*columns)[c];
        JsonField d = ddl["columns"][c];
        const json& dv = d.value();
        bool same = dv.is_object() && a.is_object() && dv.size() == a.size() && dv.value("name", json()) == a.value("name", json());
        for (auto it = a.begin(); same && it != a.end(); ++it) same = dv.contains(it.key());
        if (!same) d.fail("a column must have the name and the fields of the attributes' column " + std::to_string(c));
    }
}

Model model_from_document(json document, const std::string& name) {
    Model model;
    JsonField root(document, name);
    if (root.has("source")) {
        check_source(root["source"]);
        model.source = root["source"].value();
    }
    root["objects"].array();
    // Checked through `f`, then moved out of the document (no copy of the
    // attribute trees: at 10,000 tables they are most of the document).
    json& objects = document["objects"];
    for (size_t i = 0; i < objects.size(); ++i) {
        JsonField f = root["objects"][i];
        Object object(id_from_json(f));
        check_attributes(object.id.kind, f["attributes"]);
        f["attributes"].object();
        object.attrs = std::move(objects[i]["attributes"]);
        if (f.has("ddl")) {
            check_attributes(object.id.kind, f["ddl"]);
            f["ddl"].object();
            if (object.id.kind == Kind::table) check_ddl_columns(f["ddl"], object.attrs);
            object.ddl = std::move(objects[i]["ddl"]);
        }
        if (f.has("size")) {
            if (object.id.kind != Kind::table) f["size"].fail("only a table has a size");
            auto number = [](const JsonField& v) {
                if (!v.value().is_number() || v.value().get<double>() < 0) v.fail("expected a number, 0 or more");
                return v.value().get<double>();
            };
            object.size = Object::Size{number(f["size"]["bytes"]), number(f["size"]["rows"])};
        }
        if (f.has("depends_on")) {
            const json& deps = f["depends_on"].array();
            for (size_t d = 0; d < deps.size(); ++d) object.depends_on.push_back(dependency_from(f["depends_on"][d]));
        }
        if (f.has("location")) {
            JsonField loc = f["location"];
            object.location = SourceLocation{loc["file"].string(), static_cast<int>(loc["line"].integer()),
                                             static_cast<int>(loc["column"].integer())};
        }
        read_renames(f, object);
        if (model.find(object.id)) f.fail("duplicate " + object.id.describe());
        model.add(std::move(object));
    }
    return model;
}

ReusedModel read_reused_model(const std::string& path, const std::string& tool) {
    ReusedModel reused;
    reused.text = read_file(path);
    json document = parse_document(reused.text, path, k_format_model);
    JsonField root(document, path);
    std::string writer = root["generator"]["tool"].string();
    std::string version = root["generator"]["version"].string();
    if (writer != tool)
        usage_error(path + ": written by " + one_line(writer).substr(0, 40) + ", not by " + tool + " (" +
                    (tool == "flux-snapshot" ? "a snapshot of a database" : "a model of schema files") + ")");
    if (version != PGFLUX_VERSION)
        usage_error(path + ": written by " + tool + " " + one_line(version).substr(0, 40) + ", not by this version (" +
                    PGFLUX_VERSION + "): its canonical forms and fields may differ; write it again with " + tool);
    if (root.has("source")) reused.source = root["source"].value();
    model_from_document(std::move(document), path);
    return reused;
}

}  // namespace pgflux
