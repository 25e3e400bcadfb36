// Catalog readers: views and materialized views. The query comes from
// pg_get_viewdef() and goes through the same parser and deparser as the
// source's; columns (names and types), their comments and defaults, and the
// relation options come from the catalog. A view is its _RETURN rule in
// pg_depend, and so is its row type.
#include "canon/expressions.h"
#include "canon/relation_objects.h"
#include "canon/types.h"
#include "catalog/catalog.h"

namespace pgflux::catalog {
namespace {

const char* k_views_query = R"SQL(
SELECT c.oid, c.reltype, n.nspname, c.relname, pg_catalog.pg_get_viewdef(c.oid) AS def,
       pg_catalog.array_to_json(c.reloptions) AS options,
       pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
       (SELECT r.oid FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = '_RETURN') AS rule,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                 'name', a.attname,
                 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                 'default', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
                 'default_oid', ad.oid,
                 'comment', pg_catalog.col_description(c.oid, a.attnum)) ORDER BY a.attnum)
          FROM pg_catalog.pg_attribute a
          LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = )SQL";

void read_relations_with_a_query(Snapshot& s, Kind kind, const char* relkind) {
    QueryResult r = s.conn.query(std::string(k_views_query) + "'" + relkind + "' AND " + user_schema_filter() + " AND " +
                                 not_extension_member("pg_class", "c.oid"));
    int oid = r.column("oid"), row_type = r.column("reltype"), schema = r.column("nspname"), name = r.column("relname"), def = r.column("def"),
        options = r.column("options"), comment = r.column("comment"), rule = r.column("rule"),
        columns = r.column("columns");
    for (int i = 0; i < r.rows(); ++i) {
        ObjectId id{kind, r.text(i, schema), r.text(i, name)};
        json attrs = {{"query", canonical_query_text(r.text(i, def))}, {"columns", json::array()}};
        json stored = r.is_null(i, options) ? json::array() : json::parse(r.text(i, options));
        std::sort(stored.begin(), stored.end());
        attrs["options"] = stored;
        json comments = json::object(), defaults = json::object();
        if (!r.is_null(i, columns)) {
            for (const json& c : json::parse(r.text(i, columns))) {
                attrs["columns"].push_back({{"name", c["name"]}, {"type", canonical_type_text(c["type"], nullptr)}});
                if (!c["comment"].is_null()) comments[c["name"].get<std::string>()] = c["comment"];
                if (!c["default"].is_null()) {
                    defaults[c["name"].get<std::string>()] = canonical_expression_text(c["default"]);
                    s.register_row("pg_attrdef", c["default_oid"].dump(), id);
                }
            }
        }
        if (!comments.empty()) attrs["column_comments"] = comments;
        if (!defaults.empty()) attrs["column_defaults"] = defaults;
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        s.add(Object(id, attrs), "pg_class", r.text(i, oid));
        s.register_row("pg_type", r.text(i, row_type), id);
        if (auto rule_oid = r.optional_text(i, rule)) s.register_row("pg_rewrite", *rule_oid, id);
    }
}

}  // namespace

void read_views(Snapshot& s) { read_relations_with_a_query(s, Kind::view, "v"); }

void read_materialized_views(Snapshot& s) { read_relations_with_a_query(s, Kind::materialized_view, "m"); }

}  // namespace pgflux::catalog
