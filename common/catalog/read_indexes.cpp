// Catalog reader: indexes of tables and materialized views that do not back a constraint, from
// pg_get_indexdef() parsed by the same code as the source side. An index left
// invalid by a failed CREATE INDEX CONCURRENTLY is marked "invalid". An
// expression column's statistics target (ALTER INDEX ... SET STATISTICS) is
// its element's "statistics". A partition's index attached to its parent's
// index (pg_inherits) is part of that one, not an object of its own.
#include "catalog/catalog.h"

#include "canon/definitions.h"
#include "sql/parser.h"

namespace pgflux::catalog {

void read_indexes(Snapshot& s) {
    QueryResult r = s.conn.query(
        // Comments and statistics targets by joins, not per-row lookups.
        "WITH statistics AS (SELECT a.attrelid, pg_catalog.json_agg(a.attstattarget ORDER BY a.attnum) AS targets "
        " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_index x ON x.indexrelid = a.attrelid "
        " WHERE a.attnum > 0 GROUP BY a.attrelid) "
        "SELECT i.oid, n.nspname, t.relname AS table_name, i.relname AS index_name, x.indisvalid, "
        "pg_catalog.pg_get_indexdef(i.oid) AS def, d.description AS comment, st.targets AS statistics "
        "FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_catalog.pg_class t ON t.oid = x.indrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
        "LEFT JOIN statistics st ON st.attrelid = i.oid "
        "LEFT JOIN pg_catalog.pg_description d ON d.objoid = i.oid "
        "AND d.classoid = 'pg_class'::pg_catalog.regclass AND d.objsubid = 0 "
        "WHERE t.relkind IN ('r', 'm', 'p') AND " + user_schema_filter() + " AND " +
        not_extension_member("pg_class", "t.oid") +
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.oid)"
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.oid "
        " AND c.conrelid = t.oid AND c.contype IN ('p', 'u', 'x'))");
    int oid = r.column("oid"), schema = r.column("nspname"), table = r.column("table_name"), name = r.column("index_name"),
        valid = r.column("indisvalid"), def = r.column("def"), comment = r.column("comment"),
        statistics = r.column("statistics");
    for (int i = 0; i < r.rows(); ++i) {
        ObjectId id{Kind::index, r.text(i, schema), r.text(i, name), r.text(i, table)};
        if (!s.model.relation(id.schema, id.table)) continue;
        auto parsed = pq::ParseResult::parse(r.text(i, def));
        json attrs = index_attributes(parsed->statements().at(0).node, catalog_scope());
        if (r.text(i, valid) != "t") attrs["invalid"] = true;
        if (!r.is_null(i, statistics)) {
            json targets = json::parse(r.text(i, statistics));
            for (size_t k = 0; k < attrs["elements"].size() && k < targets.size(); ++k)
                if (targets[k] != -1) attrs["elements"][k]["statistics"] = targets[k];
        }
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        s.add(Object(id, attrs), "pg_class", r.text(i, oid));
    }
}

}  // namespace pgflux::catalog
