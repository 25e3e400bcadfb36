// Catalog reader: schemas (public is never modeled; see pg-flux(1)).
#include "catalog/catalog.h"

namespace pgflux::catalog {

void read_schemas(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT n.oid, n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace') AS comment "
        "FROM pg_catalog.pg_namespace n WHERE n.nspname <> 'public' AND " + user_schema_filter() +
        " AND " + not_extension_member("pg_namespace", "n.oid"));
    int oid = r.column("oid"), name = r.column("nspname"), comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        Object object(ObjectId{Kind::schema, "", r.text(i, name), ""});
        if (auto c = r.optional_text(i, comment)) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_namespace", r.text(i, oid));
    }
}

}  // namespace pgflux::catalog
