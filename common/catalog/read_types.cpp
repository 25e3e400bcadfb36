// Catalog readers: range types (with their multirange types), domains (with
// their CHECK constraints from pg_get_constraintdef) and composite types
// (with their attributes). Types and expressions go through the canonical
// forms the source side uses.
#include "catalog/catalog.h"

#include "canon/expressions.h"
#include "canon/types.h"
#include "sql/parser.h"
#include "sql/quote.h"

namespace pgflux::catalog {
namespace {

// A collation other than the type's own, as "schema.name"; absent for the default.
void set_collation(json& attrs, const QueryResult& r, int row, int schema, int name) {
    if (r.is_null(row, name)) return;
    std::string s = r.text(row, schema), n = r.text(row, name);
    if (!(s == "pg_catalog" && n == "default")) attrs["collation"] = qualified_name(s, n);
}

// The collation `oid` names, as co.collname in schema cn.nspname.
std::string collation_join(const std::string& oid) {
    return "LEFT JOIN pg_catalog.pg_collation co ON co.oid = " + oid +
           " LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace ";
}

// Types of a user schema that no extension created.
std::string user_types() {
    return user_schema_filter() + " AND " + not_extension_member("pg_type", "t.oid");
}

}  // namespace

void read_range_types(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT t.oid, t.typarray, n.nspname, t.typname, pg_catalog.obj_description(t.oid, 'pg_type') AS comment, "
        "pg_catalog.format_type(g.rngsubtype, NULL) AS subtype, "
        "CASE WHEN NOT opc.opcdefault THEN opn.nspname END AS opclass_schema, "
        "CASE WHEN NOT opc.opcdefault THEN opc.opcname END AS opclass, "
        "CASE WHEN g.rngcollation <> st.typcollation THEN cn.nspname END AS collation_schema, "
        "CASE WHEN g.rngcollation <> st.typcollation THEN co.collname END AS collation, "
        "CASE WHEN g.rngcanonical <> 0 THEN g.rngcanonical::pg_catalog.regproc::text END AS canonical, "
        "CASE WHEN g.rngsubdiff <> 0 THEN g.rngsubdiff::pg_catalog.regproc::text END AS subtype_diff, "
        "m.oid AS multirange_oid, m.typarray AS multirange_array, m.typname AS multirange "
        "FROM pg_catalog.pg_range g JOIN pg_catalog.pg_type t ON t.oid = g.rngtypid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
        "JOIN pg_catalog.pg_type st ON st.oid = g.rngsubtype "
        "JOIN pg_catalog.pg_type m ON m.oid = g.rngmultitypid "
        "JOIN pg_catalog.pg_opclass opc ON opc.oid = g.rngsubopc "
        "JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace "
        + collation_join("g.rngcollation") + "WHERE " + user_types());
    int oid = r.column("oid"), array = r.column("typarray"), schema = r.column("nspname"), name = r.column("typname"),
        comment = r.column("comment"), subtype = r.column("subtype"), opclass_schema = r.column("opclass_schema"),
        opclass = r.column("opclass"), collation_schema = r.column("collation_schema"), collation = r.column("collation"),
        canonical = r.column("canonical"), subtype_diff = r.column("subtype_diff"),
        multirange_oid = r.column("multirange_oid"), multirange_array = r.column("multirange_array"),
        multirange = r.column("multirange");
    for (int i = 0; i < r.rows(); ++i) {
        json attrs = {{"subtype", canonical_type_text(r.text(i, subtype), nullptr)}, {"multirange", r.text(i, multirange)}};
        if (!r.is_null(i, opclass)) {
            std::string opclass_in = r.text(i, opclass_schema);
            attrs["subtype_opclass"] = opclass_in == "pg_catalog" ? quote_ident(r.text(i, opclass))
                                                                  : qualified_name(opclass_in, r.text(i, opclass));
        }
        set_collation(attrs, r, i, collation_schema, collation);
        if (auto f = r.optional_text(i, canonical)) attrs["canonical"] = *f;
        if (auto f = r.optional_text(i, subtype_diff)) attrs["subtype_diff"] = *f;
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        ObjectId id{Kind::range_type, r.text(i, schema), r.text(i, name)};
        s.add(Object(id, attrs), "pg_type", r.text(i, oid));
        for (int row : {array, multirange_oid, multirange_array}) s.register_row("pg_type", r.text(i, row), id);
    }
}

void read_domains(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT t.oid, t.typarray, n.nspname, t.typname, pg_catalog.obj_description(t.oid, 'pg_type') AS comment, "
        "pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base, t.typnotnull, "
        "pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS default_expr, "
        "CASE WHEN t.typcollation <> b.typcollation THEN cn.nspname END AS collation_schema, "
        "CASE WHEN t.typcollation <> b.typcollation THEN co.collname END AS collation, "
        "(SELECT pg_catalog.json_agg(pg_catalog.json_build_object('oid', c.oid, 'name', c.conname, "
        "  'def', pg_catalog.pg_get_constraintdef(c.oid), 'comment', pg_catalog.obj_description(c.oid, 'pg_constraint')) "
        "  ORDER BY c.conname) FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c') AS checks "
        "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
        "JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype "
        + collation_join("t.typcollation") + "WHERE t.typtype = 'd' AND " + user_types());
    int oid = r.column("oid"), array = r.column("typarray"), schema = r.column("nspname"), name = r.column("typname"),
        comment = r.column("comment"), base = r.column("base"), not_null = r.column("typnotnull"),
        default_expr = r.column("default_expr"), collation_schema = r.column("collation_schema"),
        collation = r.column("collation"), checks = r.column("checks");
    for (int i = 0; i < r.rows(); ++i) {
        ObjectId id{Kind::domain, r.text(i, schema), r.text(i, name)};
        json attrs = {{"type", canonical_type_text(r.text(i, base), nullptr)},
                      {"not_null", r.text(i, not_null) == "t"},
                      {"checks", json::object()}};
        set_collation(attrs, r, i, collation_schema, collation);
        if (auto d = r.optional_text(i, default_expr)) attrs["default"] = canonical_expression_text(*d);
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        std::vector<std::string> constraint_rows;
        if (!r.is_null(i, checks)) {
            for (const json& check : json::parse(r.text(i, checks))) {
                std::string check_name = check["name"];
                std::string sql = "ALTER DOMAIN " + id.sql_name() + " ADD CONSTRAINT " + quote_ident(check_name) + " " +
                                  check["def"].get<std::string>();
                auto parsed = pq::ParseResult::parse(sql);
                pq::Msg constraint = parsed->statements().at(0).node.get("def");
                attrs["checks"][check_name] = canonical_expression(constraint.get("raw_expr"));
                if (check["comment"].is_string()) attrs["check_comments"][check_name] = check["comment"];
                constraint_rows.push_back(check["oid"].dump());
            }
        }
        s.add(Object(id, attrs), "pg_type", r.text(i, oid));
        s.register_row("pg_type", r.text(i, array), id);
        for (const std::string& row : constraint_rows) s.register_row("pg_constraint", row, id);
    }
}

void read_composite_types(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT t.oid, t.typarray, c.oid AS relid, n.nspname, t.typname, "
        "pg_catalog.obj_description(t.oid, 'pg_type') AS comment, "
        "(SELECT pg_catalog.json_agg(pg_catalog.json_build_object("
        "  'name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod), "
        "  'collation_schema', CASE WHEN a.attcollation <> at.typcollation THEN cn.nspname END, "
        "  'collation', CASE WHEN a.attcollation <> at.typcollation THEN co.collname END, "
        "  'comment', pg_catalog.col_description(c.oid, a.attnum)) ORDER BY a.attnum) "
        "  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid "
        "  " + collation_join("a.attcollation") + " WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS attributes "
        "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c' "
        "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
        "WHERE t.typtype = 'c' AND " + user_types());
    int oid = r.column("oid"), array = r.column("typarray"), relid = r.column("relid"), schema = r.column("nspname"),
        name = r.column("typname"), comment = r.column("comment"), attributes = r.column("attributes");
    for (int i = 0; i < r.rows(); ++i) {
        json list = json::array();
        if (!r.is_null(i, attributes)) {
            for (const json& row : json::parse(r.text(i, attributes))) {
                json attribute = {{"name", row["name"]}, {"type", canonical_type_text(row["type"], nullptr)}};
                if (row["collation"].is_string()) {
                    std::string cs = row["collation_schema"], cname = row["collation"];
                    if (!(cs == "pg_catalog" && cname == "default")) attribute["collation"] = qualified_name(cs, cname);
                }
                if (row["comment"].is_string()) attribute["comment"] = row["comment"];
                list.push_back(attribute);
            }
        }
        json attrs = {{"attributes", list}};
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        ObjectId id{Kind::composite_type, r.text(i, schema), r.text(i, name)};
        s.add(Object(id, attrs), "pg_type", r.text(i, oid));
        s.register_row("pg_type", r.text(i, array), id);
        s.register_row("pg_class", r.text(i, relid), id);
    }
}

}  // namespace pgflux::catalog
