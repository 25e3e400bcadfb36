// Source handlers for views and materialized views: the query (deparsed), a
// written column list, options (WITH (...), WITH CHECK OPTION), and ALTER
// VIEW / ALTER MATERIALIZED VIEW (column defaults, options). Dependencies:
// everything the query names, resolved with the statement's search_path.
#include "canon/expressions.h"
#include "canon/relation_objects.h"
#include "source/reader.h"
#include "sql/quote.h"

namespace pgflux::source {
namespace {

json column_list(const std::vector<std::string>& names) {
    json out = json::array();
    for (const auto& n : names) out.push_back({{"name", n}});
    return out;
}

}  // namespace

void Reader::create_view(const Stmt& s) {
    const pq::Msg& node = s.node();
    const ObjectId id = *s.table;
    if (node.get("view").str("relpersistence") == "t") fail(s, "TEMPORARY views cannot be part of a schema");
    require_schema(s, id.schema);
    json attrs = {{"query", canonical_query(node.get("query"))}, {"options", relation_options(node.list("options"))}};
    auto aliases = node.strings("aliases");
    if (!aliases.empty()) attrs["columns"] = column_list(aliases);
    std::string check = node.enumeration("with_check_option");
    if (check != "NO_CHECK_OPTION") {
        std::string value = check == "LOCAL_CHECK_OPTION" ? "local" : "cascaded";
        merge_relation_options(attrs["options"], json::array({"check_option=" + value}), json::array());
    }
    if (s.replaces_view) {
        // As PostgreSQL replaces it: the query, the column names and the
        // options; comments, owner, grants and column defaults stay.
        Object& view = finished_table(s, id);
        view.attrs.erase("columns");
        for (auto it = attrs.begin(); it != attrs.end(); ++it) view.attrs[it.key()] = it.value();
        view.location = location(s);
        add_references(view, node.get("query"), s.search_path);
        return;
    }
    Object& view = add_object(s, Object{id, attrs});
    add_references(view, node.get("query"), s.search_path);
}

void Reader::create_materialized_view(const Stmt& s) {
    const pq::Msg& node = s.node();
    const ObjectId id = *s.table;
    pq::Msg into = node.get("into");
    if (!into.str("table_space_name").empty()) fail(s, "TABLESPACE is not supported by pg-flux yet");
    std::string method = into.str("access_method");
    if (!method.empty() && method != "heap") fail(s, "table access method " + method + " is not supported");
    require_schema(s, id.schema);
    json attrs = {{"query", canonical_query(node.get("query"))}, {"options", relation_options(into.list("options"))}};
    auto aliases = into.strings("col_names");
    if (!aliases.empty()) attrs["columns"] = column_list(aliases);
    // WITH NO DATA only shapes the statement that creates it (run() records
    // it in the DDL form): the data a REFRESH fills in later is not part of
    // the schema.
    if (into.flag("skip_data")) without_data.insert(id);
    Object& view = add_object(s, Object{id, attrs});
    add_references(view, node.get("query"), s.search_path);
}

void Reader::alter_view(const Stmt& s) {
    Object& view = finished_table(s, *s.table);
    std::string objtype = s.node().enumeration("objtype");
    // ALTER TABLE names a view or a materialized view too (pg_dump writes a
    // view's column default and owner so).
    Kind expected = objtype == "OBJECT_VIEW" ? Kind::view : Kind::materialized_view;
    if (objtype != "OBJECT_TABLE" && view.id.kind != expected)
        fail(s, view.id.describe() + " is not a " + kind_words(expected));
    for (const pq::Msg& cmd : s.node().list("cmds")) {
        std::string type = cmd.enumeration("subtype");
        std::string column = cmd.str("name");
        if (type == "AT_ColumnDefault" && view.id.kind == Kind::view) {
            json& defaults = view.attrs["column_defaults"];
            if (pq::Msg expr = cmd.get("def")) {
                defaults[column] = canonical_expression(expr);
                add_references(view, expr, s.search_path);
            } else {
                defaults.erase(column);
            }
            if (defaults.empty()) view.attrs.erase("column_defaults");
        } else if (type == "AT_ChangeOwner") {
            set_owner(s, view, cmd.get("newowner"));
        } else if (type == "AT_SetRelOptions" || type == "AT_ResetRelOptions") {
            json changed = relation_options(cmd.get("def").list("items"));
            if (type == "AT_SetRelOptions") merge_relation_options(view.attrs["options"], changed, json::array());
            else merge_relation_options(view.attrs["options"], json::array(), changed);
        } else {
            fail(s, statement_kind(s) + " " + type.substr(3) + " is not supported in schema files");
        }
    }
}

}  // namespace pgflux::source
