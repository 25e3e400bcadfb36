// Catalog reader: standalone and owned sequences. Identity sequences belong
// to their column (see read_tables.cpp) and are not separate objects.
#include "catalog/catalog.h"
#include "canon/types.h"

namespace pgflux::catalog {

void read_sequences(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT c.oid, n.nspname, c.relname, c.relpersistence, pg_catalog.format_type(s.seqtypid, NULL) AS data_type, "
        "s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, "
        "pg_catalog.obj_description(c.oid, 'pg_class') AS comment, "
        "(SELECT pg_catalog.json_build_object('table', t.relname, 'column', a.attname) "
        " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class t ON t.oid = d.refobjid "
        " JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        " WHERE d.classid = 'pg_class'::pg_catalog.regclass AND d.objid = c.oid "
        " AND d.refclassid = 'pg_class'::pg_catalog.regclass AND d.refobjsubid > 0 "
        " AND d.deptype = 'a') AS owned_by "
        "FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE " + user_schema_filter() + " AND " + not_extension_member("pg_class", "c.oid") +
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::pg_catalog.regclass "
        " AND d.objid = c.oid AND d.deptype = 'i')");
    int oid = r.column("oid"), schema = r.column("nspname"), name = r.column("relname"), type = r.column("data_type"),
        start = r.column("seqstart"), increment = r.column("seqincrement"), min = r.column("seqmin"),
        max = r.column("seqmax"), cache = r.column("seqcache"), cycle = r.column("seqcycle"),
        comment = r.column("comment"), owned_by = r.column("owned_by"), persistence = r.column("relpersistence");
    for (int i = 0; i < r.rows(); ++i) {
        json attrs = {{"data_type", canonical_type_text(r.text(i, type), nullptr)},
                      {"start", std::stoll(r.text(i, start))},
                      {"increment", std::stoll(r.text(i, increment))},
                      {"min_value", std::stoll(r.text(i, min))},
                      {"max_value", std::stoll(r.text(i, max))},
                      {"cache", std::stoll(r.text(i, cache))},
                      {"cycle", r.text(i, cycle) == "t"}};
        if (r.text(i, persistence) == "u") attrs["unlogged"] = true;  // absent when logged
        if (auto o = r.optional_text(i, owned_by)) attrs["owned_by"] = json::parse(*o);
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        s.add(Object(ObjectId{Kind::sequence, r.text(i, schema), r.text(i, name), ""}, attrs), "pg_class",
              r.text(i, oid));
    }
}

}  // namespace pgflux::catalog
