// Canonical attributes of foreign data wrappers, servers, user mappings and
// publications.
#include "canon/foreign_objects.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include "canon/expressions.h"
#include "canon/types.h"
#include "util/error.h"

namespace pgflux {
namespace {

std::string option_value(const pq::Msg& def_elem) {
    pq::Msg arg = def_elem.get("arg");
    return arg ? pq::value_text(arg) : "";
}

}  // namespace

json generic_options(const std::vector<pq::Msg>& def_elems) {
    json out = json::object();
    for (const pq::Msg& d : def_elems) out[d.str("defname")] = option_value(d);
    return out;
}

void change_generic_options(json& options, const std::vector<pq::Msg>& def_elems) {
    for (const pq::Msg& d : def_elems) {
        std::string name = d.str("defname"), action = d.enumeration("defaction");
        bool present = options.contains(name);
        if (action == "DEFELEM_DROP" || action == "DEFELEM_SET") {
            if (!present) usage_error("option \"" + name + "\" not found");
            if (action == "DEFELEM_DROP") options.erase(name);
            else options[name] = option_value(d);
        } else {
            if (present) usage_error("option \"" + name + "\" provided more than once");
            options[name] = option_value(d);
        }
    }
}

json foreign_data_wrapper_attributes(const pq::Msg& create, const NameScope& scope) {
    json a = {{"options", generic_options(create.list("options"))}};
    for (const pq::Msg& f : create.list("func_options")) {
        std::string which = f.str("defname");  // handler | validator
        pq::Msg arg = f.get("arg");
        if (arg) a[which] = scope.routine_name(arg.strings("items"));
    }
    return a;
}

json server_attributes(const pq::Msg& create) {
    json a = {{"wrapper", create.str("fdwname")}, {"options", generic_options(create.list("options"))}};
    if (!create.str("servertype").empty()) a["type"] = create.str("servertype");
    if (!create.str("version").empty()) a["version"] = create.str("version");
    return a;
}

bool secret_option(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos ||
           lower.find("token") != std::string::npos;
}

std::optional<std::string> secret_reference(const std::string& value) {
    static const std::regex k_reference(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
    std::smatch m;
    if (std::regex_match(value, m, k_reference)) return m[1].str();
    return std::nullopt;
}

json user_mapping_attributes(const std::vector<pq::Msg>& def_elems, json* secret_values) {
    json a = {{"options", json::object()}, {"secret_options", json::array()}};
    std::vector<std::string> secrets;
    for (const pq::Msg& d : def_elems) {
        std::string name = d.str("defname");
        if (!secret_option(name)) {
            a["options"][name] = option_value(d);
            continue;
        }
        secrets.push_back(name);
        if (secret_values) (*secret_values)[name] = option_value(d);
    }
    std::sort(secrets.begin(), secrets.end());
    for (const auto& s : secrets) a["secret_options"].push_back(s);
    return a;
}

std::string user_mapping_role(const pq::Msg& spec) {
    std::string type = spec.enumeration("roletype");
    if (type == "ROLESPEC_CSTRING") return spec.str("rolename");
    if (type == "ROLESPEC_PUBLIC") return "public";
    return "";
}

json foreign_table_attributes(const pq::Msg& create, const NameScope& scope) {
    const pq::Msg base = create.get("base_stmt");
    if (!base.list("inh_relations").empty() || base.get("partbound"))
        usage_error("a foreign table that inherits or is a partition is not supported yet");
    json columns = json::array();
    for (const pq::Msg& element : base.list("table_elts")) {
        if (!element.is("ColumnDef")) usage_error("table constraints on a foreign table are not supported yet");
        std::string type = canonical_type(element.get("type_name"), [&](const std::string& n) { return scope.type_schema(n); });
        json column = {{"name", element.str("colname")}, {"type", type}, {"not_null", element.flag("is_not_null")},
                       {"options", generic_options(element.list("fdwoptions"))}};
        if (pq::Msg coll = element.get("coll_clause")) {
            std::string c = scope.collation(coll.strings("collname"));
            if (!c.empty()) column["collation"] = c;
        }
        bool saw_nullability = false;
        for (const pq::Msg& c : element.list("constraints")) {
            std::string contype = c.enumeration("contype");
            if (contype == "CONSTR_NOTNULL" || contype == "CONSTR_NULL") {
                // As PostgreSQL: NULL and NOT NULL together conflict.
                if (saw_nullability && column["not_null"] != (contype == "CONSTR_NOTNULL"))
                    usage_error("conflicting NULL/NOT NULL declarations for column " + element.str("colname"));
                saw_nullability = true;
            }
            if (contype == "CONSTR_NOTNULL") column["not_null"] = true;
            else if (contype == "CONSTR_NULL") column["not_null"] = false;
            else if (contype == "CONSTR_DEFAULT") column["default"] = canonical_expression(c.get("raw_expr"));
            else usage_error("column constraints other than NOT NULL and DEFAULT on a foreign table are not supported yet");
        }
        columns.push_back(column);
    }
    return {{"server", create.str("servername")}, {"options", generic_options(create.list("options"))}, {"columns", columns}};
}

json publication_attributes(const pq::Msg& create, const NameScope& scope) {
    json a = {{"all_tables", create.flag("for_all_tables")}, {"tables", json::array()}, {"schemas", json::array()},
              {"publish", json::array({"insert", "update", "delete", "truncate"})}, {"via_root", false}};
    for (const pq::Msg& option : create.list("options")) {
        std::string name = option.str("defname");
        std::string value = option_value(option);
        if (name == "publish") {
            json publish = json::array();
            std::string item;
            std::stringstream in(value);
            std::vector<std::string> kinds;
            while (std::getline(in, item, ',')) {
                item.erase(0, item.find_first_not_of(" \t"));
                item.erase(item.find_last_not_of(" \t") + 1);
                std::transform(item.begin(), item.end(), item.begin(), [](unsigned char c) { return std::tolower(c); });
                if (!item.empty() && std::find(kinds.begin(), kinds.end(), item) == kinds.end()) kinds.push_back(item);
            }
            for (const char* k : {"insert", "update", "delete", "truncate"})
                if (std::find(kinds.begin(), kinds.end(), k) != kinds.end()) publish.push_back(k);
            a["publish"] = publish;
        } else if (name == "publish_via_partition_root") {
            std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
            a["via_root"] = value.empty() || value == "true" || value == "on" || value == "1" || value == "yes";
        } else {
            usage_error("publication option " + name + " is not supported");
        }
    }
    std::vector<json> tables;
    std::vector<std::string> schemas;
    for (const pq::Msg& spec : create.list("pubobjects")) {
        std::string type = spec.enumeration("pubobjtype");
        if (type == "PUBLICATIONOBJ_TABLES_IN_SCHEMA") {
            schemas.push_back(spec.str("name"));
        } else if (type == "PUBLICATIONOBJ_TABLES_IN_CUR_SCHEMA") {
            usage_error("FOR TABLES IN SCHEMA CURRENT_SCHEMA is not supported: name the schema");
        } else {
            pq::Msg table = spec.get("pubtable");
            pq::Msg rv = table.get("relation");
            json t = {{"schema", scope.resolve(Kind::table, rv)}, {"table", rv.str("relname")}};
            if (!table.list("columns").empty()) {
                std::vector<std::string> columns;
                for (const pq::Msg& c : table.list("columns")) columns.push_back(pq::value_text(c));
                std::sort(columns.begin(), columns.end());  // a set: PostgreSQL keeps them in column order
                t["columns"] = columns;
            }
            if (pq::Msg where = table.get("where_clause")) t["where"] = canonical_expression(where);
            tables.push_back(t);
        }
    }
    std::sort(tables.begin(), tables.end(), [](const json& x, const json& y) {
        return std::make_pair(x["schema"], x["table"]) < std::make_pair(y["schema"], y["table"]);
    });
    std::sort(schemas.begin(), schemas.end());
    a["tables"] = tables;
    a["schemas"] = schemas;
    return a;
}

}  // namespace pgflux
