#include "migrations/dump.h"

#include <cctype>
#include <cstdio>
#include <set>

#include "kinds/kinds.h"
#include "util/error.h"

namespace pgflux {

namespace {

// The file of what belongs to no schema; a schema's file name never starts
// with a digit (dump_file_name), so no schema can take it, and it sorts
// before every schema's: pg-flux reads files in byte order of their paths,
// and default privileges (here) apply to the objects read after them.
constexpr const char* k_database_group = "0_database";

// Every file starts with this; it names nothing from the database, so that
// two dumps of one schema are byte-identical wherever they were made.
constexpr const char* k_header =
    "-- Written by pg-flux dump. pg-flux reads every .sql file under the schema directory, in any order:\n"
    "-- edit, move and split these statements freely.\n";

// "materialized_view" -> "materialized_views", "policy" -> "policies".
std::string plural(const std::string& word) {
    if (word.back() == 's') return word;
    if (word.back() == 'x') return word + "es";
    if (word.back() == 'y') return word.substr(0, word.size() - 1) + "ies";
    return word + "s";
}

// The schema an object's statements go with, or "" for none.
std::string schema_of(const ObjectId& id) {
    if (id.kind == Kind::schema) return id.name;
    if (kind_spec(id.kind).in_schema) return id.schema;
    return "";
}

}  // namespace

DumpLayout dump_layout(const std::string& name) {
    if (name == "flat") return DumpLayout::flat;
    if (name == "per-schema") return DumpLayout::per_schema;
    if (name == "per-kind") return DumpLayout::per_kind;
    usage_error("--layout must be flat, per-schema or per-kind");
}

std::string dump_file_name(const std::string& name) {
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(name[i]);
        bool kept = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (kept) {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "@%02X", c);
            out += buf;
        }
    }
    return out;
}

std::map<std::string, std::string> dump_files(const Plan& plan, DumpLayout layout) {
    // The kind of each relation and domain the plan creates: the file
    // (per-kind) of the constraints, indexes, triggers, rules and policies on it.
    std::map<std::pair<std::string, std::string>, Kind> owner_kind;
    for (const Step& step : plan.steps) {
        Kind k = step.object.kind;
        if (is_relation(k) || k == Kind::foreign_table || k == Kind::domain)
            owner_kind.emplace(std::make_pair(step.object.schema, step.object.name), k);
    }
    std::map<std::string, std::string> files;
    std::map<std::string, ObjectId> last_object;  // per file: the object of its last statement
    for (const Step& step : plan.steps) {
        const ObjectId& id = step.object;
        std::string schema = schema_of(id);
        std::string group = schema.empty() ? k_database_group : dump_file_name(schema);
        std::string path;
        switch (layout) {
            case DumpLayout::flat: path = "schema.sql"; break;
            case DumpLayout::per_schema: path = group + ".sql"; break;
            case DumpLayout::per_kind: {
                Kind kind = id.kind;
                if (kind_spec(kind).on_relation) {
                    auto it = owner_kind.find({id.schema, id.table});
                    if (it != owner_kind.end()) kind = it->second;
                }
                std::string file = kind == Kind::schema ? "schema" : plural(kind_name(kind));
                path = group + "/" + file + ".sql";
                break;
            }
        }
        std::string& text = files[path];
        auto last = last_object.find(path);
        if (text.empty()) text = k_header;
        if (last == last_object.end() || last->second != id) text += "\n";  // a blank line between objects
        text += step.sql + "\n";
        last_object[path] = id;
    }
    return files;
}

std::vector<std::string> reference_secrets(Model& model) {
    std::vector<std::string> messages;
    std::set<std::string> taken;
    auto variable_word = [](const std::string& name) {
        std::string out;
        for (unsigned char c : name) out += std::isalnum(c) && c < 0x80 ? static_cast<char>(std::toupper(c)) : '_';
        return out;
    };
    for (auto& [id, object] : model.objects) {
        if (id.kind != Kind::user_mapping) continue;
        const json& secrets = object.attrs.value("secret_options", json::array());
        if (secrets.empty()) continue;
        if (object.ddl.is_null()) object.ddl = object.attrs;
        for (const json& option : secrets) {
            std::string name = option.get<std::string>();
            if (object.ddl.contains("secret_values") && object.ddl["secret_values"].contains(name)) continue;
            std::string base = "PGFLUX_" + variable_word(id.name.empty() ? "current_user" : id.name) + "_" +
                               variable_word(id.signature) + "_" + variable_word(name);
            std::string variable = base;
            for (int n = 2; !taken.insert(variable).second; ++n) variable = base + "_" + std::to_string(n);
            object.ddl["secret_values"][name] = "${" + variable + "}";
            messages.push_back(id.describe() + ": the database does not give its " + name +
                               " option; the dump writes '${" + variable + "}': set " + variable +
                               " where `pg-flux migrate apply` runs");
        }
    }
    return messages;
}

}  // namespace pgflux
