// Catalog readers: operators, casts, text search dictionaries and
// configurations. Operators, casts and dictionaries are read as the CREATE
// statement pg_dump would write, parsed by the same builders as the source
// (canon/operators.h); configurations as their parser and mappings.
#include "canon/operators.h"
#include "catalog/catalog.h"
#include "sql/parser.h"
#include "sql/quote.h"

namespace pgflux::catalog {
namespace {

const pq::Msg& parsed_statement(const std::shared_ptr<const pq::ParseResult>& parsed) {
    return parsed->statements().at(0).node;
}

// SQL: the schema-qualified name of a pg_catalog object bare, any other qualified.
std::string object_name_sql(const std::string& schema_column, const std::string& name_column) {
    return "CASE WHEN " + schema_column + " = 'pg_catalog' THEN " + name_column + "::text ELSE pg_catalog.quote_ident(" +
           schema_column + ") || '.' || pg_catalog.quote_ident(" + name_column + ") END";
}

}  // namespace

void read_operators(Snapshot& s) {
    // Shell operators (created by a COMMUTATOR or NEGATOR naming an operator
    // that does not exist yet) have no function and are not objects of their own.
    QueryResult r = s.conn.query(R"SQL(
SELECT o.oid, n.nspname, o.oprname,
       CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS lefttype,
       pg_catalog.format_type(o.oprright, NULL) AS righttype,
       o.oprcode::pg_catalog.regproc::text AS function,
       NULLIF(o.oprrest, 0)::pg_catalog.regproc::text AS restrict,
       NULLIF(o.oprjoin, 0)::pg_catalog.regproc::text AS join_function,
       o.oprcanhash, o.oprcanmerge,
       (SELECT 'OPERATOR(' || pg_catalog.quote_ident(cn.nspname) || '.' || c.oprname || ')'
          FROM pg_catalog.pg_operator c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace
         WHERE c.oid = o.oprcom) AS commutator,
       (SELECT 'OPERATOR(' || pg_catalog.quote_ident(cn.nspname) || '.' || c.oprname || ')'
          FROM pg_catalog.pg_operator c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace
         WHERE c.oid = o.oprnegate) AS negator,
       pg_catalog.obj_description(o.oid, 'pg_operator') AS comment
FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE o.oprcode <> 0 AND )SQL" + user_schema_filter() + " AND " + not_extension_member("pg_operator", "o.oid"));
    auto col = [&](const char* name) { return r.column(name); };
    for (int i = 0; i < r.rows(); ++i) {
        auto text = [&](const char* name) { return r.optional_text(i, col(name)); };
        std::string schema = r.text(i, col("nspname")), name = r.text(i, col("oprname"));
        std::string sql = "CREATE OPERATOR " + quote_ident(schema) + "." + name + " (";
        if (auto left = text("lefttype")) sql += "LEFTARG = " + *left + ", ";
        sql += "RIGHTARG = " + r.text(i, col("righttype")) + ", FUNCTION = " + r.text(i, col("function"));
        if (auto c = text("commutator")) sql += ", COMMUTATOR = " + *c;
        if (auto c = text("negator")) sql += ", NEGATOR = " + *c;
        if (auto c = text("restrict")) sql += ", RESTRICT = " + *c;
        if (auto c = text("join_function")) sql += ", JOIN = " + *c;
        if (r.text(i, col("oprcanhash")) == "t") sql += ", HASHES";
        if (r.text(i, col("oprcanmerge")) == "t") sql += ", MERGES";
        auto parsed = pq::ParseResult::parse(sql + ")");
        OperatorDefinition d = operator_definition(parsed_statement(parsed), catalog_scope());
        Object object(ObjectId{Kind::operator_, schema, name, "", d.signature}, d.attrs);
        if (auto c = text("comment")) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_operator", r.text(i, col("oid")));
    }
    close_operator_links(s.model);
}

void read_casts(Snapshot& s) {
    // Casts that involve a user schema's type or function; built-in casts
    // (and those of extensions) are not the schema's.
    std::string user_type = "EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n "
                            "ON n.oid = t.typnamespace WHERE t.oid IN (c.castsource, c.casttarget) AND " +
                            user_schema_filter() + ")";
    std::string user_function = "EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n "
                                "ON n.oid = p.pronamespace WHERE p.oid = c.castfunc AND " + user_schema_filter() + ")";
    QueryResult r = s.conn.query(
        "SELECT c.oid, pg_catalog.format_type(c.castsource, NULL) AS source, "
        "pg_catalog.format_type(c.casttarget, NULL) AS target, c.castmethod, c.castcontext, "
        "CASE WHEN c.castfunc <> 0 THEN c.castfunc::pg_catalog.regprocedure::text END AS function, "
        "pg_catalog.obj_description(c.oid, 'pg_cast') AS comment "
        "FROM pg_catalog.pg_cast c WHERE c.oid >= 16384 AND (" + user_type + " OR " + user_function + ") AND " +
        not_extension_member("pg_cast", "c.oid") +
        // A range type's cast to its multirange is part of the range type.
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_cast'::pg_catalog.regclass "
        "AND d.objid = c.oid AND d.deptype = 'i')");
    int oid = r.column("oid"), source = r.column("source"), target = r.column("target"), method = r.column("castmethod"),
        context = r.column("castcontext"), function = r.column("function"), comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        std::string sql = "CREATE CAST (" + r.text(i, source) + " AS " + r.text(i, target) + ") ";
        std::string m = r.text(i, method);
        sql += m == "f" ? "WITH FUNCTION " + r.text(i, function) : m == "i" ? "WITH INOUT" : "WITHOUT FUNCTION";
        std::string c = r.text(i, context);
        if (c == "a") sql += " AS ASSIGNMENT";
        if (c == "i") sql += " AS IMPLICIT";
        auto parsed = pq::ParseResult::parse(sql);
        CastDefinition d = cast_definition(parsed_statement(parsed), catalog_scope());
        Object object(ObjectId{Kind::cast, "", d.name}, d.attrs);
        if (auto text = r.optional_text(i, comment)) object.attrs["comment"] = *text;
        s.add(std::move(object), "pg_cast", r.text(i, oid));
    }
}

void read_ts_dictionaries(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT d.oid, n.nspname, d.dictname, d.dictinitoption, " +
        object_name_sql("tn.nspname", "t.tmplname") + " AS template, "
        "pg_catalog.obj_description(d.oid, 'pg_ts_dict') AS comment "
        "FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace "
        "JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate "
        "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace "
        "WHERE " + user_schema_filter() + " AND " + not_extension_member("pg_ts_dict", "d.oid"));
    int oid = r.column("oid"), schema = r.column("nspname"), name = r.column("dictname"),
        options = r.column("dictinitoption"), tmpl = r.column("template"), comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        std::string sql = "CREATE TEXT SEARCH DICTIONARY " + qualified_name(r.text(i, schema), r.text(i, name)) +
                          " (TEMPLATE = " + catalog_object_sql(r.text(i, tmpl));
        if (auto o = r.optional_text(i, options); o && !o->empty()) sql += ", " + *o;
        auto parsed = pq::ParseResult::parse(sql + ")");
        json attrs = ts_dictionary_attributes(parsed_statement(parsed), catalog_scope());
        Object object(ObjectId{Kind::text_search_dictionary, r.text(i, schema), r.text(i, name)}, attrs);
        if (auto c = r.optional_text(i, comment)) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_ts_dict", r.text(i, oid));
    }
}

void read_ts_configurations(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT c.oid, n.nspname, c.cfgname, " + object_name_sql("pn.nspname", "p.prsname") + " AS parser, "
        "(SELECT pg_catalog.json_object_agg(t.alias, (SELECT pg_catalog.json_agg(" +
        object_name_sql("dn.nspname", "d.dictname") + " ORDER BY m.mapseqno) "
        "   FROM pg_catalog.pg_ts_config_map m JOIN pg_catalog.pg_ts_dict d ON d.oid = m.mapdict "
        "   JOIN pg_catalog.pg_namespace dn ON dn.oid = d.dictnamespace "
        "   WHERE m.mapcfg = c.oid AND m.maptokentype = t.tokid)) "
        " FROM pg_catalog.ts_token_type(c.cfgparser) t "
        " WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_ts_config_map m WHERE m.mapcfg = c.oid AND m.maptokentype = t.tokid)) "
        " AS mappings, pg_catalog.obj_description(c.oid, 'pg_ts_config') AS comment "
        "FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace "
        "JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser "
        "JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace "
        "WHERE " + user_schema_filter() + " AND " + not_extension_member("pg_ts_config", "c.oid"));
    int oid = r.column("oid"), schema = r.column("nspname"), name = r.column("cfgname"), parser = r.column("parser"),
        mappings = r.column("mappings"), comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        json attrs = {{"parser", r.text(i, parser)},
                      {"mappings", r.is_null(i, mappings) ? json::object() : json::parse(r.text(i, mappings))}};
        Object object(ObjectId{Kind::text_search_configuration, r.text(i, schema), r.text(i, name)}, attrs);
        if (auto c = r.optional_text(i, comment)) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_ts_config", r.text(i, oid));
    }
}

}  // namespace pgflux::catalog
