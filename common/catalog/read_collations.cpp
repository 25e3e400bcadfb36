// Catalog reader: user-defined collations.
#include "catalog/catalog.h"

namespace pgflux::catalog {

void read_collations(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT c.oid, n.nspname, c.collname, c.collprovider, c.collcollate, c.collctype, c.colliculocale, "
        "c.collisdeterministic, pg_catalog.obj_description(c.oid, 'pg_collation') AS comment "
        "FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace "
        "WHERE " + user_schema_filter() + " AND " + not_extension_member("pg_collation", "c.oid"));
    int oid = r.column("oid"), schema = r.column("nspname"), name = r.column("collname"), provider = r.column("collprovider"),
        collate = r.column("collcollate"), ctype = r.column("collctype"),
        icu = r.column("colliculocale"), deterministic = r.column("collisdeterministic"),
        comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        json attrs = {{"deterministic", r.text(i, deterministic) == "t"}};
        if (r.text(i, provider) == "i") {
            attrs["provider"] = "icu";
            if (auto l = r.optional_text(i, icu)) attrs["locale"] = *l;
        } else {
            attrs["provider"] = "libc";
            if (auto c = r.optional_text(i, collate)) attrs["lc_collate"] = *c;
            if (auto c = r.optional_text(i, ctype)) attrs["lc_ctype"] = *c;
        }
        Object object(ObjectId{Kind::collation, r.text(i, schema), r.text(i, name), ""}, attrs);
        if (auto c = r.optional_text(i, comment)) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_collation", r.text(i, oid));
    }
}

}  // namespace pgflux::catalog
