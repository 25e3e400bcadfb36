// Catalog reader: extensions (plpgsql, built into every database, is not
// modeled). A comment equal to the one the extension's control file sets is
// the extension's own, not the schema's, and is left out. What the differ
// needs to know of the installed extensions (relocatable, the versions an
// update path leads to) goes into the model's source, not its attributes.
#include "catalog/catalog.h"

namespace pgflux::catalog {

void read_extensions(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT e.oid, e.extname, n.nspname, e.extversion, "
        "NULLIF(pg_catalog.obj_description(e.oid, 'pg_extension'), a.comment) AS comment, e.extrelocatable, "
        "(SELECT pg_catalog.json_agg(u.target ORDER BY u.target) FROM pg_catalog.pg_extension_update_paths(e.extname) u "
        " WHERE u.source = e.extversion AND u.path IS NOT NULL) AS updates "
        "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
        "LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname "
        "WHERE e.extname <> 'plpgsql'");
    int oid = r.column("oid"), name = r.column("extname"), schema = r.column("nspname"), version = r.column("extversion"),
        comment = r.column("comment"), relocatable = r.column("extrelocatable"), updates = r.column("updates");
    json facts = json::object();
    for (int i = 0; i < r.rows(); ++i) {
        facts[r.text(i, name)] = {{"relocatable", r.text(i, relocatable) == "t"},
                                  {"update_targets", r.is_null(i, updates) ? json::array() : json::parse(r.text(i, updates))}};
        Object object(ObjectId{Kind::extension, "", r.text(i, name), ""},
                      {{"schema", r.text(i, schema)}, {"version", r.text(i, version)}});
        if (auto c = r.optional_text(i, comment)) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_extension", r.text(i, oid));
    }
    s.model.source["extensions"] = facts;
}

}  // namespace pgflux::catalog
