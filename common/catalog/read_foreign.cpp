// Catalog readers: foreign data wrappers, foreign servers, user mappings and
// publications. Each CREATE statement is rebuilt from pg_catalog and parsed
// by the same builder as the source side (canon/foreign_objects.h).
#include "canon/foreign_objects.h"
#include "canon/scope.h"
#include "catalog/catalog.h"
#include "sql/parser.h"
#include "sql/quote.h"

namespace pgflux::catalog {
namespace {

const pq::Msg& first_statement(const std::shared_ptr<const pq::ParseResult>& parsed) {
    return parsed->statements().at(0).node;
}

// pg_catalog's "name=value" option arrays (as JSON) as OPTIONS (...).
std::string options_clause(const std::optional<std::string>& options_json) {
    if (!options_json) return "";
    std::string out;
    for (const json& item : json::parse(*options_json)) {
        std::string text = item.get<std::string>();
        size_t eq = text.find('=');
        out += (out.empty() ? "" : ", ") + quote_ident(text.substr(0, eq)) + " " +
               quote_literal(eq == std::string::npos ? "" : text.substr(eq + 1));
    }
    return out.empty() ? "" : " OPTIONS (" + out + ")";
}

}  // namespace

void read_foreign_data_wrappers(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT w.oid, w.fdwname, NULLIF(w.fdwhandler, 0)::pg_catalog.regproc::text AS handler, "
        "NULLIF(w.fdwvalidator, 0)::pg_catalog.regproc::text AS validator, pg_catalog.array_to_json(w.fdwoptions) AS options, "
        "pg_catalog.obj_description(w.oid, 'pg_foreign_data_wrapper') AS comment "
        "FROM pg_catalog.pg_foreign_data_wrapper w WHERE " + not_extension_member("pg_foreign_data_wrapper", "w.oid"));
    for (int i = 0; i < r.rows(); ++i) {
        std::string sql = "CREATE FOREIGN DATA WRAPPER " + quote_ident(r.text(i, 1));
        if (auto h = r.optional_text(i, 2)) sql += " HANDLER " + *h;
        if (auto v = r.optional_text(i, 3)) sql += " VALIDATOR " + *v;
        sql += options_clause(r.optional_text(i, 4));
        json attrs = foreign_data_wrapper_attributes(first_statement(pq::ParseResult::parse(sql)), catalog_scope());
        if (auto c = r.optional_text(i, 5)) attrs["comment"] = *c;
        s.add(Object(ObjectId{Kind::foreign_data_wrapper, "", r.text(i, 1)}, attrs), "pg_foreign_data_wrapper", r.text(i, 0));
    }
}

void read_servers(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT v.oid, v.srvname, v.srvtype, v.srvversion, w.fdwname, pg_catalog.array_to_json(v.srvoptions) AS options, "
        "pg_catalog.obj_description(v.oid, 'pg_foreign_server') AS comment "
        "FROM pg_catalog.pg_foreign_server v JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = v.srvfdw WHERE " +
        not_extension_member("pg_foreign_server", "v.oid"));
    for (int i = 0; i < r.rows(); ++i) {
        std::string sql = "CREATE SERVER " + quote_ident(r.text(i, 1));
        if (auto t = r.optional_text(i, 2)) sql += " TYPE " + quote_literal(*t);
        if (auto v = r.optional_text(i, 3)) sql += " VERSION " + quote_literal(*v);
        sql += " FOREIGN DATA WRAPPER " + quote_ident(r.text(i, 4)) + options_clause(r.optional_text(i, 5));
        json attrs = server_attributes(first_statement(pq::ParseResult::parse(sql)));
        if (auto c = r.optional_text(i, 6)) attrs["comment"] = *c;
        s.add(Object(ObjectId{Kind::server, "", r.text(i, 1)}, attrs), "pg_foreign_server", r.text(i, 0));
    }
}

// Option values come from pg_user_mapping only to read which options are
// secrets (their values never leave this function).
void read_user_mappings(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT m.umid, CASE WHEN m.umuser = 0 THEN 'public' ELSE m.usename END AS role, m.srvname, "
        "pg_catalog.array_to_json(m.umoptions) AS options "
        "FROM pg_catalog.pg_user_mappings m WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE "
        "d.classid = 'pg_foreign_server'::pg_catalog.regclass AND d.objid = m.srvid AND d.deptype = 'e')");
    for (int i = 0; i < r.rows(); ++i) {
        std::string sql = "CREATE USER MAPPING FOR PUBLIC SERVER x" + options_clause(r.optional_text(i, 3));
        json attrs = user_mapping_attributes(first_statement(pq::ParseResult::parse(sql)).list("options"), nullptr);
        s.add(Object(ObjectId{Kind::user_mapping, "", r.text(i, 1), "", r.text(i, 2)}, attrs), "pg_user_mapping",
              r.text(i, 0));
    }
}

void read_publications(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT p.oid, p.pubname, p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot, "
        "(SELECT pg_catalog.json_agg(pg_catalog.json_build_array(n.nspname, c.relname, "
        "  (SELECT pg_catalog.json_agg(a.attname ORDER BY a.attnum) FROM pg_catalog.pg_attribute a "
        "   WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs)), "
        "  pg_catalog.pg_get_expr(pr.prqual, pr.prrelid)) ORDER BY n.nspname, c.relname) "
        " FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid "
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE pr.prpubid = p.oid) AS tables, "
        "(SELECT pg_catalog.json_agg(n.nspname ORDER BY n.nspname) FROM pg_catalog.pg_publication_namespace pn "
        " JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid) AS schemas, "
        "pg_catalog.obj_description(p.oid, 'pg_publication') AS comment "
        "FROM pg_catalog.pg_publication p WHERE " + not_extension_member("pg_publication", "p.oid"));
    for (int i = 0; i < r.rows(); ++i) {
        std::string sql = "CREATE PUBLICATION " + quote_ident(r.text(i, 1));
        std::string objects;
        if (auto tables = r.optional_text(i, 8))
            for (const json& t : json::parse(*tables)) {
                std::string item = "TABLE ONLY " + qualified_name(t[0].get<std::string>(), t[1].get<std::string>());
                if (!t[2].is_null()) {
                    std::string columns;
                    for (const json& c : t[2]) columns += (columns.empty() ? "" : ", ") + quote_ident(c.get<std::string>());
                    item += " (" + columns + ")";
                }
                if (!t[3].is_null()) item += " WHERE (" + t[3].get<std::string>() + ")";
                objects += (objects.empty() ? "" : ", ") + item;
            }
        if (auto schemas = r.optional_text(i, 9))
            for (const json& n : json::parse(*schemas))
                objects += (objects.empty() ? "" : ", ") + ("TABLES IN SCHEMA " + quote_ident(n.get<std::string>()));
        if (r.text(i, 2) == "t") sql += " FOR ALL TABLES";
        else if (!objects.empty()) sql += " FOR " + objects;
        std::string publish;
        const char* kinds[] = {"insert", "update", "delete", "truncate"};
        for (int k = 0; k < 4; ++k)
            if (r.text(i, 3 + k) == "t") publish += std::string(publish.empty() ? "" : ", ") + kinds[k];
        sql += " WITH (publish = " + quote_literal(publish) + ", publish_via_partition_root = " +
               (r.text(i, 7) == "t" ? "true" : "false") + ")";
        json attrs = publication_attributes(first_statement(pq::ParseResult::parse(sql)), catalog_scope());
        if (auto c = r.optional_text(i, 10)) attrs["comment"] = *c;
        s.add(Object(ObjectId{Kind::publication, "", r.text(i, 1)}, attrs), "pg_publication", r.text(i, 0));
    }
}

}  // namespace pgflux::catalog
