// Catalog reader: extended statistics objects (pg_statistic_ext) of tables,
// from pg_get_statisticsobjdef() parsed by the same code as the source side,
// plus what that text leaves out: the statistics target and the comment.
// PostgreSQL prints the columns in column order, as the source reader sorts
// them. A statistics object in another schema than its table is not modeled
// (counted in the snapshot's "unmodeled").
#include "catalog/catalog.h"

#include "canon/relation_objects.h"
#include "sql/parser.h"

namespace pgflux::catalog {

void read_statistics(Snapshot& s) {
    QueryResult r = s.conn.query(
        "SELECT x.oid, n.nspname, t.relname, x.stxname, pg_catalog.pg_get_statisticsobjdef(x.oid) AS def, "
        "x.stxstattarget, pg_catalog.obj_description(x.oid, 'pg_statistic_ext') AS comment "
        "FROM pg_catalog.pg_statistic_ext x JOIN pg_catalog.pg_class t ON t.oid = x.stxrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = x.stxnamespace "
        "WHERE t.relkind = 'r' AND NOT t.relispartition AND x.stxnamespace = t.relnamespace AND " +
        user_schema_filter() + " AND " + not_extension_member("pg_statistic_ext", "x.oid"));
    int oid = r.column("oid"), schema = r.column("nspname"), table = r.column("relname"), name = r.column("stxname"),
        def = r.column("def"), target = r.column("stxstattarget"), comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        ObjectId id{Kind::statistics, r.text(i, schema), r.text(i, name), r.text(i, table)};
        if (!s.model.find(ObjectId{Kind::table, id.schema, id.table})) continue;
        auto parsed = pq::ParseResult::parse(r.text(i, def));
        json attrs = statistics_attributes(parsed->statements().at(0).node);
        if (r.text(i, target) != "-1") attrs["statistics"] = std::stoi(r.text(i, target));
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        s.add(Object(id, attrs), "pg_statistic_ext", r.text(i, oid));
    }
}

}  // namespace pgflux::catalog
