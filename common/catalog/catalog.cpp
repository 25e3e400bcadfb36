// The snapshot: the kinds' readers in kind order inside one read-only
// snapshot, then pg_depend.
#include "catalog/catalog.h"

#include <algorithm>

#include "kinds/kinds.h"
#include "util/error.h"
#include "util/progress.h"

namespace pgflux {

namespace catalog {

Object& Snapshot::add(Object object, const std::string& catalog, const std::string& oid) {
    register_row(catalog, oid, object.id);
    return model.add(std::move(object));
}

void Snapshot::register_row(const std::string& catalog, const std::string& oid, const ObjectId& id) {
    rows_[{catalog, oid}] = id;
}

const ObjectId* Snapshot::object_of(const std::string& catalog, const std::string& oid) const {
    auto it = rows_.find({catalog, oid});
    return it == rows_.end() ? nullptr : &it->second;
}

std::string user_schema_filter(const std::string& n) {
    return n + ".nspname NOT IN ('information_schema', '_pgflux') AND " + n +
           ".nspname NOT LIKE 'pg\\_%'";
}

std::string not_extension_member(const std::string& catalog, const std::string& oid) {
    return "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.classid = '" + catalog +
           "'::pg_catalog.regclass AND dep.objid = " + oid + " AND dep.deptype = 'e')";
}

json unmodeled_objects(Connection& conn) {
    std::string rel = "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " +
                      user_schema_filter() + " AND " + not_extension_member("pg_class", "c.oid");
    std::string sql =
        "SELECT 'cross-schema statistics object' AS kind, count(*) FROM pg_catalog.pg_statistic_ext x "
        "JOIN pg_catalog.pg_class c ON c.oid = x.stxrelid JOIN pg_catalog.pg_namespace n ON n.oid = x.stxnamespace "
        "WHERE x.stxnamespace <> c.relnamespace AND " + user_schema_filter() + " UNION ALL "
        "SELECT 'text search parser', count(*) FROM pg_catalog.pg_ts_parser x JOIN pg_catalog.pg_namespace n "
        "ON n.oid = x.prsnamespace WHERE " + user_schema_filter() + " AND " + not_extension_member("pg_ts_parser", "x.oid") +
        " UNION ALL "
        "SELECT 'text search template', count(*) FROM pg_catalog.pg_ts_template x JOIN pg_catalog.pg_namespace n "
        "ON n.oid = x.tmplnamespace WHERE " + user_schema_filter() + " AND " + not_extension_member("pg_ts_template", "x.oid");
    QueryResult r = conn.query(sql);
    json out = json::object();
    for (int i = 0; i < r.rows(); ++i) {
        long long count = std::stoll(r.text(i, 1));
        if (count > 0) out[r.text(i, 0)] = count;
    }
    return out;
}

}  // namespace catalog

Model read_catalog(Connection& conn) {
    conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Model model = read_catalog_in_transaction(conn);
    conn.exec("COMMIT");
    return model;
}

Model read_catalog_in_transaction(Connection& conn) {
    conn.exec("SELECT pg_catalog.set_config('search_path', '', true)");
    Model model;
    catalog::Snapshot snapshot(conn, model);
    // Progress on a terminal (nothing otherwise): the kind being read, and
    // the objects read so far.
    size_t step = 0, steps = all_kinds().size() + 2;
    auto progress = [&](std::string what) {
        std::replace(what.begin(), what.end(), '_', ' ');
        show_progress("reading the catalog (" + std::to_string(++step) + " of " + std::to_string(steps) + "): " + what +
                      "; " + std::to_string(model.objects.size()) + " objects so far");
    };
    for (const KindSpec& kind : all_kinds()) {
        progress(kind.name);
        kind.read_catalog(snapshot);
    }
    progress("owners and privileges");
    catalog::read_owners_and_privileges(snapshot);
    progress("dependencies");
    catalog::read_dependencies(snapshot);
    clear_progress();  // and whatever comes next draws at once
    json unmodeled = catalog::unmodeled_objects(conn);
    json roles = catalog::cluster_roles(conn);
    std::string role = conn.query("SELECT current_user").text(0, 0);
    model.derive_dependencies();
    json extensions = model.source.value("extensions", json::object());
    json type_storage = model.source.value("type_storage", json::object());
    model.source = {{"type", "database"},
                    {"database", conn.database()},
                    {"server_version", conn.server_version()},
                    {"unmodeled", unmodeled},
                    {"role", role},
                    {"roles", roles},
                    {"extensions", extensions}};
    if (!type_storage.empty()) model.source["type_storage"] = type_storage;
    return model;
}

}  // namespace pgflux
