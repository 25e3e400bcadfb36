// Source reader: foreign data wrappers, foreign servers, user mappings and
// publications.
#include <algorithm>

#include "canon/foreign_objects.h"
#include "source/reader.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux::source {

void Reader::create_foreign_data_wrapper(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object fdw(ObjectId{Kind::foreign_data_wrapper, "", node.str("fdwname")},
               foreign_data_wrapper_attributes(node, scope(s)));
    add_references(fdw, node, s.search_path);
    add_object(s, std::move(fdw));
}

void Reader::create_server(const Stmt& s) {
    const pq::Msg& node = s.node();
    if (node.flag("if_not_exists")) fail(s, "CREATE SERVER IF NOT EXISTS is not supported in schema files (drop IF NOT EXISTS)");
    Object server(ObjectId{Kind::server, "", node.str("servername")}, server_attributes(node));
    add_object(s, std::move(server));
}

void Reader::create_user_mapping(const Stmt& s) {
    const pq::Msg& node = s.node();
    std::string server = node.str("servername");
    ObjectId id{Kind::user_mapping, "", user_mapping_role(node.get("user")), "", server};
    json secrets = json::object();
    json attrs = user_mapping_attributes(node.list("options"), &secrets);
    for (auto it = secrets.begin(); it != secrets.end(); ++it)
        if (!secret_reference(it.value().get<std::string>()))
            fail(s, "the " + quote_ident(it.key()) + " option of " + id.describe() +
                        " is a secret: written in a schema file it would be copied into migration files. Write it as "
                        "'${ENVIRONMENT_VARIABLE}' and set that variable where `pg-flux migrate apply` runs");
    Object mapping(id, attrs);
    if (!secrets.empty()) {
        mapping.ddl = attrs;
        mapping.ddl["secret_values"] = secrets;
    }
    add_object(s, std::move(mapping));
}

void Reader::create_foreign_table(const Stmt& s) {
    const pq::Msg& node = s.node();
    const ObjectId& id = *s.table;
    require_schema(s, id.schema);
    json attrs;
    try {
        attrs = foreign_table_attributes(node, scope(s));
    } catch (const Error& e) {
        fail(s, id.describe() + ": " + e.what());
    }
    if (!model.find(ObjectId{Kind::server, "", attrs["server"]}))
        fail(s, "server " + quote_ident(attrs["server"].get<std::string>()) + " is not defined in the schema files");
    add_object(s, Object(id, attrs));
}

// ALTER FOREIGN TABLE: owner, the table's OPTIONS and a column's (pg_dump
// writes a column's options this way).
void Reader::alter_foreign_table(const Stmt& s) {
    Object& table = finished_table(s, *s.table);
    if (table.id.kind != Kind::foreign_table) fail(s, table.id.describe() + " is not a foreign table");
    for (const pq::Msg& cmd : s.node().list("cmds")) {
        std::string type = cmd.enumeration("subtype");
        auto options_of = [&](const pq::Msg& def) { return def ? def.list("items") : std::vector<pq::Msg>{}; };
        if (type == "AT_ChangeOwner") {
            set_owner(s, table, cmd.get("newowner"));
        } else if (type == "AT_GenericOptions") {
            try {
                change_generic_options(table.attrs["options"], options_of(cmd.get("def")));
            } catch (const Error& e) {
                fail(s, table.id.describe() + ": " + e.what());
            }
        } else if (type == "AT_AlterColumnGenericOptions") {
            json* column = nullptr;
            for (json& c : table.attrs["columns"])
                if (c["name"] == cmd.str("name")) column = &c;
            if (!column) fail(s, table.id.describe() + " has no column " + quote_ident(cmd.str("name")));
            try {
                change_generic_options((*column)["options"], options_of(cmd.get("def")));
            } catch (const Error& e) {
                fail(s, table.id.describe() + ", column " + quote_ident(cmd.str("name")) + ": " + e.what());
            }
        } else {
            fail(s, "ALTER FOREIGN TABLE " + type.substr(3) + " is not supported in schema files (write it in CREATE FOREIGN TABLE)");
        }
    }
}

void Reader::create_publication(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object publication(ObjectId{Kind::publication, "", node.str("pubname")}, publication_attributes(node, scope(s)));
    check_publication_objects(s, publication.attrs);
    add_object(s, std::move(publication));
}

// ALTER PUBLICATION ADD/DROP/SET objects, or SET (options).
void Reader::alter_publication(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& publication = require(s, ObjectId{Kind::publication, "", node.str("pubname")});
    json changed = publication_attributes(node, scope(s));
    check_publication_objects(s, changed);
    json& a = publication.attrs;
    for (const pq::Msg& option : node.list("options")) {
        std::string name = option.str("defname");
        if (name == "publish") a["publish"] = changed["publish"];
        if (name == "publish_via_partition_root") a["via_root"] = changed["via_root"];
    }
    if (node.list("pubobjects").empty()) return;
    std::string action = node.enumeration("action");
    auto same_table = [](const json& x, const json& y) { return x["schema"] == y["schema"] && x["table"] == y["table"]; };
    if (action == "AP_SetObjects") {
        a["tables"] = changed["tables"];
        a["schemas"] = changed["schemas"];
        return;
    }
    for (const json& t : changed["tables"]) {
        auto& tables = a["tables"];
        auto it = std::find_if(tables.begin(), tables.end(), [&](const json& x) { return same_table(x, t); });
        if (action == "AP_DropObjects") {
            if (it != tables.end()) tables.erase(it);
        } else if (it == tables.end()) {
            tables.push_back(t);
        } else {
            fail(s, "table " + display_name(t["schema"].get<std::string>(), t["table"].get<std::string>()) + " is already in " + publication.id.describe());
        }
    }
    for (const json& n : changed["schemas"]) {
        auto& schemas = a["schemas"];
        auto it = std::find(schemas.begin(), schemas.end(), n);
        if (action == "AP_DropObjects" && it != schemas.end()) schemas.erase(it);
        else if (action != "AP_DropObjects" && it == schemas.end()) schemas.push_back(n);
    }
    std::sort(a["tables"].begin(), a["tables"].end(), [](const json& x, const json& y) {
        return std::make_pair(x["schema"], x["table"]) < std::make_pair(y["schema"], y["table"]);
    });
    std::sort(a["schemas"].begin(), a["schemas"].end());
}

void Reader::check_publication_objects(const Stmt& s, const json& attrs) {
    for (const json& t : attrs["tables"]) {
        auto id = declared_relation(t["schema"], t["table"]);
        if (!id || id->kind != Kind::table)
            fail(s, "table " + display_name(t["schema"].get<std::string>(), t["table"].get<std::string>()) + " is not defined in the schema files");
    }
    for (const json& n : attrs["schemas"]) require_schema(s, n.get<std::string>());
}

}  // namespace pgflux::source
