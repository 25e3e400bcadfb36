// Catalog reader: enum types with their values in sort order.
#include "catalog/catalog.h"

namespace pgflux::catalog {

void read_enums(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT t.oid, t.typarray, n.nspname, t.typname, pg_catalog.obj_description(t.oid, 'pg_type') AS comment, "
        "(SELECT pg_catalog.json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e "
        " WHERE e.enumtypid = t.oid) AS labels "
        "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
        "WHERE t.typtype = 'e' AND " + user_schema_filter() + " AND " +
        not_extension_member("pg_type", "t.oid"));
    int oid = r.column("oid"), array = r.column("typarray"), schema = r.column("nspname"), name = r.column("typname"), comment = r.column("comment"),
        labels = r.column("labels");
    for (int i = 0; i < r.rows(); ++i) {
        json values = r.is_null(i, labels) ? json::array() : json::parse(r.text(i, labels));
        Object object(ObjectId{Kind::enumeration, r.text(i, schema), r.text(i, name), ""},
                      {{"values", values}});
        if (auto c = r.optional_text(i, comment)) object.attrs["comment"] = *c;
        ObjectId id = object.id;
        s.add(std::move(object), "pg_type", r.text(i, oid));
        s.register_row("pg_type", r.text(i, array), id);
    }
}

}  // namespace pgflux::catalog
