// Differ of foreign data wrappers, foreign servers, user mappings and
// publications. Secret user mapping options are written only as the
// '${VARIABLE}' reference of the schema files (flux-apply puts the value in).
#include <algorithm>

#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux::diff {
namespace {

std::string options_list(const json& options) {
    std::string out;
    for (auto it = options.begin(); it != options.end(); ++it)
        out += (out.empty() ? "" : ", ") + quote_ident(it.key()) + " " + quote_literal(it.value().get<std::string>());
    return out;
}

std::string options_clause(const json& options) {
    return options.empty() ? "" : " OPTIONS (" + options_list(options) + ")";
}

// OPTIONS (SET a 'x', ADD b 'y', DROP c) turning `before` into `after`; "" when equal.
std::string option_changes(const json& before, const json& after) {
    std::string out;
    auto add = [&](const std::string& item) { out += (out.empty() ? "" : ", ") + item; };
    for (auto it = before.begin(); it != before.end(); ++it)
        if (!after.contains(it.key())) add("DROP " + quote_ident(it.key()));
    for (auto it = after.begin(); it != after.end(); ++it) {
        std::string value = quote_literal(it.value().get<std::string>());
        if (!before.contains(it.key())) add("ADD " + quote_ident(it.key()) + " " + value);
        else if (before[it.key()] != it.value()) add("SET " + quote_ident(it.key()) + " " + value);
    }
    return out.empty() ? "" : " OPTIONS (" + out + ")";
}

void plain_drop(Differ& d, const Object& l) {
    std::string sql = ddl::drop(l.id);
    d.drop(l, sql, sql.substr(0, sql.size() - 1));
}

// --- foreign data wrappers -----------------------------------------------------

void create_fdw(Differ& d, const Object& o) {
    const json& a = o.attrs;
    std::string sql = "CREATE FOREIGN DATA WRAPPER " + quote_ident(o.id.name);
    if (a.contains("handler")) sql += " HANDLER " + a["handler"].get<std::string>();
    if (a.contains("validator")) sql += " VALIDATOR " + a["validator"].get<std::string>();
    d.create(o, sql + options_clause(a["options"]) + ";", "CREATE FOREIGN DATA WRAPPER " + display(o.id));
    d.comment(nullptr, o);
}

void alter_fdw(Differ& d, const Object& l, const Object& o) {
    std::string clauses;
    for (const char* f : {"handler", "validator"}) {
        if (l.attrs.value(f, json()) == o.attrs.value(f, json())) continue;
        std::string keyword = f == std::string("handler") ? "HANDLER" : "VALIDATOR";
        clauses += o.attrs.contains(f) ? " " + keyword + " " + o.attrs[f].get<std::string>() : " NO " + keyword;
    }
    clauses += option_changes(l.attrs["options"], o.attrs["options"]);
    if (!clauses.empty())
        d.redefine(l, o, "ALTER FOREIGN DATA WRAPPER " + quote_ident(o.id.name) + clauses + ";",
                   "ALTER FOREIGN DATA WRAPPER " + display(o.id));
    d.comment(&l, o);
}

// --- servers ---------------------------------------------------------------------

std::string server_replace_reason(Differ&, const Object& l, const Object& o) {
    if (l.attrs["wrapper"] != o.attrs["wrapper"]) return "its foreign data wrapper changes";
    if (l.attrs.value("type", json()) != o.attrs.value("type", json())) return "its type changes";
    if (l.attrs.contains("version") && !o.attrs.contains("version")) return "its version is removed";
    return "";
}

void create_server(Differ& d, const Object& o) {
    const json& a = o.attrs;
    std::string sql = "CREATE SERVER " + quote_ident(o.id.name);
    if (a.contains("type")) sql += " TYPE " + quote_literal(a["type"].get<std::string>());
    if (a.contains("version")) sql += " VERSION " + quote_literal(a["version"].get<std::string>());
    sql += " FOREIGN DATA WRAPPER " + quote_ident(a["wrapper"].get<std::string>()) + options_clause(a["options"]);
    d.create(o, sql + ";", "CREATE SERVER " + display(o.id));
    d.comment(nullptr, o);
}

void alter_server(Differ& d, const Object& l, const Object& o) {
    std::string clauses;
    if (o.attrs.contains("version") && l.attrs.value("version", json()) != o.attrs["version"])
        clauses += " VERSION " + quote_literal(o.attrs["version"].get<std::string>());
    clauses += option_changes(l.attrs["options"], o.attrs["options"]);
    if (!clauses.empty())
        d.alter(o.id, "ALTER SERVER " + quote_ident(o.id.name) + clauses + ";", "ALTER SERVER " + display(o.id) + clauses);
    d.comment(&l, o);
}

// --- user mappings -----------------------------------------------------------------

// The options as DDL writes them: the plain ones, and each secret one as the
// reference the schema files give (never a value read from a database).
json mapping_options(const Object& o, const std::vector<std::string>& secrets) {
    json out = o.attrs["options"];
    const json& ddl = ddl_attributes(o);
    for (const std::string& name : secrets) {
        if (!ddl.contains("secret_values") || !ddl["secret_values"].contains(name))
            usage_error(o.id.describe() + ": the " + quote_ident(name) +
                        " option is a secret that the schema files do not give; write it as '${VARIABLE}'");
        out[name] = ddl["secret_values"][name];
    }
    return out;
}

void create_user_mapping(Differ& d, const Object& o) {
    std::vector<std::string> secrets = o.attrs["secret_options"];
    std::string sql = "CREATE USER MAPPING " + o.id.sql_name() + options_clause(mapping_options(o, secrets)) + ";";
    d.create(o, sql, "CREATE USER MAPPING " + o.id.sql_name());
}

void alter_user_mapping(Differ& d, const Object& l, const Object& o) {
    std::vector<std::string> added;
    json before = l.attrs["options"], after = o.attrs["options"];
    for (const json& name : o.attrs["secret_options"])
        if (std::find(l.attrs["secret_options"].begin(), l.attrs["secret_options"].end(), name) == l.attrs["secret_options"].end())
            added.push_back(name);
    json secret_values = mapping_options(o, added);
    for (const std::string& name : added) after[name] = secret_values[name];
    for (const json& name : l.attrs["secret_options"]) {
        before[name.get<std::string>()] = "";  // present; its value is never compared
        bool kept = std::find(o.attrs["secret_options"].begin(), o.attrs["secret_options"].end(), name) !=
                    o.attrs["secret_options"].end();
        if (kept) after[name.get<std::string>()] = "";
    }
    std::string changes = option_changes(before, after);
    if (changes.empty()) return;
    // The summary names the options only: values may be secrets.
    std::string names;
    for (auto it = after.begin(); it != after.end(); ++it)
        if (!before.contains(it.key())) names += (names.empty() ? "" : ", ") + ("ADD " + quote_ident(it.key()));
        else if (before[it.key()] != it.value()) names += (names.empty() ? "" : ", ") + ("SET " + quote_ident(it.key()));
    for (auto it = before.begin(); it != before.end(); ++it)
        if (!after.contains(it.key())) names += (names.empty() ? "" : ", ") + ("DROP " + quote_ident(it.key()));
    d.alter(o.id, "ALTER USER MAPPING " + o.id.sql_name() + changes + ";",
            "ALTER USER MAPPING " + o.id.sql_name() + " OPTIONS (" + names + ")");
}

void drop_user_mapping(Differ& d, const Object& l) {
    d.drop(l, "DROP USER MAPPING " + l.id.sql_name() + ";", "DROP USER MAPPING " + l.id.sql_name());
}

// --- publications -------------------------------------------------------------------

std::string publication_objects(const json& a) {
    std::string out;
    for (const json& t : a["tables"]) {
        std::string item = "TABLE ONLY " + qualified_name(t["schema"].get<std::string>(), t["table"].get<std::string>());
        if (t.contains("columns")) {
            std::vector<std::string> columns = t["columns"];
            std::string list;
            for (const auto& c : columns) list += (list.empty() ? "" : ", ") + quote_ident(c);
            item += " (" + list + ")";
        }
        if (t.contains("where")) item += " WHERE (" + t["where"].get<std::string>() + ")";
        out += (out.empty() ? "" : ", ") + item;
    }
    for (const json& n : a["schemas"]) out += (out.empty() ? "" : ", ") + ("TABLES IN SCHEMA " + quote_ident(n.get<std::string>()));
    return out;
}

std::string publication_options(const json& a) {
    std::string publish;
    for (const json& p : a["publish"]) publish += (publish.empty() ? "" : ", ") + p.get<std::string>();
    return "(publish = " + quote_literal(publish) + ", publish_via_partition_root = " +
           (a["via_root"].get<bool>() ? "true" : "false") + ")";
}

std::string publication_replace_reason(Differ&, const Object& l, const Object& o) {
    return l.attrs["all_tables"] != o.attrs["all_tables"] ? "FOR ALL TABLES changes" : "";
}

void create_publication(Differ& d, const Object& o) {
    const json& a = ddl_attributes(o);
    std::string sql = "CREATE PUBLICATION " + quote_ident(o.id.name);
    if (a["all_tables"].get<bool>()) sql += " FOR ALL TABLES";
    else if (std::string objects = publication_objects(a); !objects.empty()) sql += " FOR " + objects;
    d.create(o, sql + " WITH " + publication_options(a) + ";", "CREATE PUBLICATION " + display(o.id));
    d.comment(nullptr, o);
}

void alter_publication(Differ& d, const Object& l, const Object& o) {
    const json& a = ddl_attributes(o);
    std::string name = quote_ident(o.id.name);
    bool objects_change = !d.same(l.attrs["tables"], o.attrs["tables"], "", "publication " + display(o.id)) ||
                          l.attrs["schemas"] != o.attrs["schemas"];
    if (objects_change && !a["all_tables"].get<bool>()) {
        std::string objects = publication_objects(a);
        std::string sql = objects.empty() ? "ALTER PUBLICATION " + name + " DROP " + publication_objects(l.attrs) + ";"
                                          : "ALTER PUBLICATION " + name + " SET " + objects + ";";
        d.redefine(l, o, sql, "ALTER PUBLICATION " + display(o.id) + (objects.empty() ? " DROP its tables" : " SET its tables"));
    }
    if (l.attrs["publish"] != o.attrs["publish"] || l.attrs["via_root"] != o.attrs["via_root"]) {
        std::string options = publication_options(a);
        d.alter(o.id, "ALTER PUBLICATION " + name + " SET " + options + ";",
                "ALTER PUBLICATION " + display(o.id) + " SET " + options);
    }
    d.comment(&l, o);
}

}  // namespace

const KindDiff k_foreign_data_wrapper_diff{changes_in_place, create_fdw, alter_fdw, plain_drop};
const KindDiff k_server_diff{server_replace_reason, create_server, alter_server, plain_drop};
const KindDiff k_user_mapping_diff{changes_in_place, create_user_mapping, alter_user_mapping, drop_user_mapping};
const KindDiff k_publication_diff{publication_replace_reason, create_publication, alter_publication, plain_drop};

}  // namespace pgflux::diff
