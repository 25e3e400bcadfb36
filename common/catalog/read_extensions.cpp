// Catalog reader: extensions (plpgsql, built into every database, is not
// modeled). A comment equal to the one the extension's control file sets is
// the extension's own, not the schema's, and is left out.
#include "catalog/catalog.h"

namespace pgflux::catalog {

void read_extensions(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT e.oid, e.extname, n.nspname, e.extversion, "
        "NULLIF(pg_catalog.obj_description(e.oid, 'pg_extension'), a.comment) AS comment "
        "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
        "LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname "
        "WHERE e.extname <> 'plpgsql'");
    int oid = r.column("oid"), name = r.column("extname"), schema = r.column("nspname"), version = r.column("extversion"),
        comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        Object object(ObjectId{Kind::extension, "", r.text(i, name), ""},
                      {{"schema", r.text(i, schema)}, {"version", r.text(i, version)}});
        if (auto c = r.optional_text(i, comment)) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_extension", r.text(i, oid));
    }
}

}  // namespace pgflux::catalog
