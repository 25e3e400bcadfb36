// Catalog readers: triggers (pg_get_triggerdef), rules (pg_get_ruledef),
// policies (a CREATE POLICY statement rebuilt from pg_policy, as pg_dump
// does) and event triggers, each parsed by the same builder as the source
// side's statement.
#include "canon/relation_objects.h"
#include "catalog/catalog.h"
#include "sql/parser.h"
#include "sql/quote.h"

namespace pgflux::catalog {
namespace {

pq::Msg first_statement(const std::shared_ptr<const pq::ParseResult>& parsed) {
    return parsed->statements().at(0).node;
}

std::string relation_join() {
    return " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " + user_schema_filter() + " AND " +
           not_extension_member("pg_class", "c.oid");
}

}  // namespace

void read_triggers(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT g.oid, n.nspname, c.relname, g.tgname, g.tgenabled, pg_catalog.pg_get_triggerdef(g.oid) AS def, "
        "pg_catalog.obj_description(g.oid, 'pg_trigger') AS comment "
        "FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid" + relation_join() +
        " AND NOT g.tgisinternal AND g.tgparentid = 0");
    int oid = r.column("oid"), schema = r.column("nspname"), table = r.column("relname"), name = r.column("tgname"),
        enabled = r.column("tgenabled"), def = r.column("def"), comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        const Object* relation = s.model.relation(r.text(i, schema), r.text(i, table));
        if (!relation) continue;
        auto parsed = pq::ParseResult::parse(r.text(i, def));
        json attrs = trigger_attributes(first_statement(parsed), catalog_scope());
        attrs["enabled"] = trigger_state(r.text(i, enabled));
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        s.add(Object(ObjectId{Kind::trigger, relation->id.schema, r.text(i, name), relation->id.name}, attrs), "pg_trigger",
              r.text(i, oid));
    }
}

void read_rules(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT w.oid, n.nspname, c.relname, w.rulename, pg_catalog.pg_get_ruledef(w.oid) AS def, "
        "pg_catalog.obj_description(w.oid, 'pg_rewrite') AS comment "
        "FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class" + relation_join() +
        " AND w.rulename <> '_RETURN'");
    int oid = r.column("oid"), schema = r.column("nspname"), table = r.column("relname"), name = r.column("rulename"),
        def = r.column("def"), comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        const Object* relation = s.model.relation(r.text(i, schema), r.text(i, table));
        if (!relation) continue;
        auto parsed = pq::ParseResult::parse(r.text(i, def));
        json attrs = rule_attributes(first_statement(parsed));
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        s.add(Object(ObjectId{Kind::rule, relation->id.schema, r.text(i, name), relation->id.name}, attrs), "pg_rewrite",
              r.text(i, oid));
    }
}

void read_policies(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT p.oid, n.nspname, c.relname, p.polname, p.polpermissive, p.polcmd, "
        "(SELECT pg_catalog.json_agg(CASE WHEN x = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x)::text END) "
        " FROM pg_catalog.unnest(p.polroles) x) AS roles, "
        "pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS checks, "
        "pg_catalog.obj_description(p.oid, 'pg_policy') AS comment "
        "FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid" + relation_join());
    int oid = r.column("oid"), schema = r.column("nspname"), table = r.column("relname"), name = r.column("polname"),
        permissive = r.column("polpermissive"), cmd = r.column("polcmd"), roles = r.column("roles"),
        qual = r.column("qual"), checks = r.column("checks"), comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        ObjectId table_id{Kind::table, r.text(i, schema), r.text(i, table)};
        if (!s.model.find(table_id)) continue;
        std::string c = r.text(i, cmd);
        std::string command = c == "r" ? "SELECT" : c == "a" ? "INSERT" : c == "w" ? "UPDATE" : c == "d" ? "DELETE" : "ALL";
        std::string role_list;
        for (const json& role : json::parse(r.text(i, roles))) {
            std::string role_name = role;
            role_list += (role_list.empty() ? "" : ", ") + (role_name == "public" ? "PUBLIC" : quote_ident(role_name));
        }
        std::string sql = "CREATE POLICY " + quote_ident(r.text(i, name)) + " ON " + table_id.sql_name() + " AS " +
                          (r.text(i, permissive) == "t" ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " + command + " TO " +
                          role_list;
        if (auto q = r.optional_text(i, qual)) sql += " USING (" + *q + ")";
        if (auto w = r.optional_text(i, checks)) sql += " WITH CHECK (" + *w + ")";
        auto parsed = pq::ParseResult::parse(sql);
        json attrs = policy_attributes(first_statement(parsed));
        if (auto text = r.optional_text(i, comment)) attrs["comment"] = *text;
        s.add(Object(ObjectId{Kind::policy, table_id.schema, r.text(i, name), table_id.name}, attrs), "pg_policy",
              r.text(i, oid));
    }
}

void read_event_triggers(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT e.oid, e.evtname, e.evtevent, e.evtenabled, e.evtfoid::pg_catalog.regproc::text AS function, "
        "pg_catalog.array_to_json(e.evttags) AS tags, pg_catalog.obj_description(e.oid, 'pg_event_trigger') AS comment "
        "FROM pg_catalog.pg_event_trigger e WHERE " + not_extension_member("pg_event_trigger", "e.oid"));
    int oid = r.column("oid"), name = r.column("evtname"), event = r.column("evtevent"),
        enabled = r.column("evtenabled"), function = r.column("function"), tags = r.column("tags"),
        comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        std::string sql = "CREATE EVENT TRIGGER " + quote_ident(r.text(i, name)) + " ON " + quote_ident(r.text(i, event));
        if (!r.is_null(i, tags)) {
            std::string list;
            for (const json& tag : json::parse(r.text(i, tags)))
                list += (list.empty() ? "" : ", ") + quote_literal(tag.get<std::string>());
            sql += " WHEN TAG IN (" + list + ")";
        }
        sql += " EXECUTE FUNCTION " + r.text(i, function) + "()";
        auto parsed = pq::ParseResult::parse(sql);
        json attrs = event_trigger_attributes(first_statement(parsed), catalog_scope());
        attrs["enabled"] = trigger_state(r.text(i, enabled));
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        s.add(Object(ObjectId{Kind::event_trigger, "", r.text(i, name)}, attrs), "pg_event_trigger", r.text(i, oid));
    }
}

}  // namespace pgflux::catalog
