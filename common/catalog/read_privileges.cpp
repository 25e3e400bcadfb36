// Catalog readers: owners and ACLs of the objects read (after every kind's
// reader), default privileges, and the cluster's roles.
#include <set>

#include "catalog/catalog.h"
#include "privileges/privileges.h"

namespace pgflux::catalog {
namespace {

// SQL: the rows of aclexplode(acl) as a JSON array of
// [grantee or null for PUBLIC, grantee is the owner, privilege, grantable].
std::string exploded(const std::string& acl, const std::string& owner) {
    return "(SELECT pg_catalog.json_agg(pg_catalog.json_build_array(CASE WHEN a.grantee = 0 THEN NULL ELSE "
           "pg_catalog.pg_get_userbyid(a.grantee) END, a.grantee = " + owner + ", a.privilege_type, a.is_grantable) "
           "ORDER BY a.grantee, a.privilege_type) FROM pg_catalog.aclexplode(" + acl + ") a)";
}

Acl acl_of(const std::string& exploded_json) {
    Acl acl;
    if (exploded_json.empty()) return acl;
    for (const json& e : json::parse(exploded_json)) {
        Grantee g;
        if (e[0].is_null()) g.type = Grantee::Type::public_role;
        else if (e[1].get<bool>()) g.type = Grantee::Type::owner;
        else g.role = e[0].get<std::string>();
        grant_privileges(acl, g, {e[2].get<std::string>()}, e[3].get<bool>());
    }
    return acl;
}

// One catalog: `oid`, `owner` and `acl` columns of its rows.
void read_catalog_acls(Snapshot& s, const std::string& catalog, const std::string& select_from) {
    QueryResult r = s.conn.query(select_from);
    int oid = r.column("oid"), owner = r.column("owner"), acl = r.column("acl"), is_default = r.column("is_default");
    for (int i = 0; i < r.rows(); ++i) {
        const ObjectId* id = s.object_of(catalog, r.text(i, oid));
        if (!id) continue;
        Object* object = s.model.find(*id);
        if (!object || !has_owner(id->kind)) continue;
        object->attrs["owner"] = r.text(i, owner);
        if (!acl_class(id->kind)) continue;
        if (r.text(i, is_default) == "t") object->attrs.erase("acl");
        else set_object_acl(*object, acl_of(r.optional_text(i, acl).value_or("")));
    }
}

}  // namespace

void read_owners_and_privileges(Snapshot& s) {
    auto query = [](const std::string& owner, const std::string& acl, const std::string& from) {
        return "SELECT x.oid, pg_catalog.pg_get_userbyid(" + owner + ") AS owner, " +
               (acl.empty() ? "NULL AS acl, true AS is_default " : exploded(acl, owner) + " AS acl, " + acl + " IS NULL AS is_default ") +
               from;
    };
    std::string in_user_schema = " JOIN pg_catalog.pg_namespace n ON n.oid = ";
    read_catalog_acls(s, "pg_class", query("x.relowner", "x.relacl", "FROM pg_catalog.pg_class x" + in_user_schema +
                                           "x.relnamespace WHERE x.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND " +
                                           user_schema_filter()));
    read_catalog_acls(s, "pg_proc", query("x.proowner", "x.proacl", "FROM pg_catalog.pg_proc x" + in_user_schema +
                                          "x.pronamespace WHERE " + user_schema_filter()));
    read_catalog_acls(s, "pg_namespace", query("x.nspowner", "x.nspacl", "FROM pg_catalog.pg_namespace x WHERE " +
                                               user_schema_filter("x")));
    read_catalog_acls(s, "pg_type", query("x.typowner", "x.typacl", "FROM pg_catalog.pg_type x" + in_user_schema +
                                          "x.typnamespace WHERE x.typcategory <> 'A' AND x.typtype <> 'm' AND (x.typrelid = 0 OR EXISTS (SELECT 1 FROM "
                                          "pg_catalog.pg_class t WHERE t.oid = x.typrelid AND t.relkind = 'c')) AND " +
                                          user_schema_filter()));
    read_catalog_acls(s, "pg_collation", query("x.collowner", "", "FROM pg_catalog.pg_collation x" + in_user_schema +
                                               "x.collnamespace WHERE " + user_schema_filter()));
    read_catalog_acls(s, "pg_event_trigger", query("x.evtowner", "", "FROM pg_catalog.pg_event_trigger x"));
    read_catalog_acls(s, "pg_foreign_data_wrapper", query("x.fdwowner", "x.fdwacl", "FROM pg_catalog.pg_foreign_data_wrapper x"));
    read_catalog_acls(s, "pg_foreign_server", query("x.srvowner", "x.srvacl", "FROM pg_catalog.pg_foreign_server x"));
    read_catalog_acls(s, "pg_publication", query("x.pubowner", "", "FROM pg_catalog.pg_publication x"));
    read_catalog_acls(s, "pg_operator", query("x.oprowner", "", "FROM pg_catalog.pg_operator x" + in_user_schema +
                                              "x.oprnamespace WHERE " + user_schema_filter()));
    read_catalog_acls(s, "pg_ts_dict", query("x.dictowner", "", "FROM pg_catalog.pg_ts_dict x" + in_user_schema +
                                             "x.dictnamespace WHERE " + user_schema_filter()));
    read_catalog_acls(s, "pg_ts_config", query("x.cfgowner", "", "FROM pg_catalog.pg_ts_config x" + in_user_schema +
                                               "x.cfgnamespace WHERE " + user_schema_filter()));
    read_catalog_acls(s, "pg_statistic_ext", query("x.stxowner", "", "FROM pg_catalog.pg_statistic_ext x" + in_user_schema +
                                                   "x.stxnamespace WHERE " + user_schema_filter()));
    // Column privileges: the table's column_acl.
    QueryResult r = s.conn.query(
        "SELECT a.attrelid, a.attname, " + exploded("a.attacl", "c.relowner") + " AS acl "
        "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND " + user_schema_filter() +
        " ORDER BY a.attrelid, a.attnum");
    for (int i = 0; i < r.rows(); ++i) {
        const ObjectId* id = s.object_of("pg_class", r.text(i, 0));
        Object* object = id ? s.model.find(*id) : nullptr;
        if (!object) continue;
        Acl acl = acl_of(r.optional_text(i, 2).value_or(""));
        if (!acl.empty()) object->attrs["column_acl"][r.text(i, 1)] = acl_to_json(acl, AclClass::column);
    }
}

void read_default_privileges(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT d.oid, pg_catalog.pg_get_userbyid(d.defaclrole) AS role, n.nspname, d.defaclobjtype, " +
        exploded("d.defaclacl", "d.defaclrole") + " AS acl "
        "FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace "
        "WHERE d.defaclnamespace = 0 OR " + user_schema_filter());
    for (int i = 0; i < r.rows(); ++i) {
        std::string type = r.text(i, 3);
        std::string objects = type == "r" ? "tables" : type == "S" ? "sequences" : type == "f" ? "functions"
                            : type == "T" ? "types" : type == "n" ? "schemas" : "";
        if (objects.empty()) continue;  // large objects: not part of a schema
        Object object(ObjectId{Kind::default_privilege, r.optional_text(i, 2).value_or(""), r.text(i, 1), "", objects});
        set_object_acl(object, acl_of(r.optional_text(i, 4).value_or("")));
        if (!object.attrs.contains("acl")) continue;  // an entry that changes nothing
        s.add(std::move(object), "pg_default_acl", r.text(i, 0));
    }
}

json cluster_roles(Connection& conn) {
    QueryResult r = conn.query("SELECT rolname FROM pg_catalog.pg_roles ORDER BY rolname");
    json out = json::array();
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    return out;
}

}  // namespace pgflux::catalog
