// Catalog reader: PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY and EXCLUDE
// constraints of ordinary and partitioned tables and partitions (not those a
// partition or child only has because its parent has them: conislocal,
// conparentid), from pg_get_constraintdef() parsed by the
// same code as the source side, plus what that text leaves out: the backing
// index's storage parameters and comment.
#include "catalog/catalog.h"

#include "canon/definitions.h"
#include "sql/parser.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux::catalog {

void read_constraints(Snapshot& s) {
    // Comments and index options by joins, not per-row lookups (30,000
    // constraints at 10,000 tables).
    QueryResult r = s.conn.query(
        "SELECT c.oid, c.conindid, n.nspname, t.relname, c.conname, c.contype, pg_catalog.pg_get_constraintdef(c.oid) AS def, "
        "cd.description AS comment, id.description AS index_comment, "
        "pg_catalog.array_to_json(i.reloptions) AS index_options "
        "FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class t ON t.oid = c.conrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
        "LEFT JOIN pg_catalog.pg_class i ON i.oid = c.conindid "
        "LEFT JOIN pg_catalog.pg_description cd ON cd.objoid = c.oid "
        "AND cd.classoid = 'pg_constraint'::pg_catalog.regclass AND cd.objsubid = 0 "
        "LEFT JOIN pg_catalog.pg_description id ON id.objoid = c.conindid "
        "AND id.classoid = 'pg_class'::pg_catalog.regclass AND id.objsubid = 0 "
        "WHERE c.contype IN ('p', 'u', 'c', 'f', 'x') AND t.relkind IN ('r', 'p') AND c.conislocal AND c.coninhcount = 0 AND c.conparentid = 0 "
        "AND " + user_schema_filter() + " AND " + not_extension_member("pg_class", "t.oid"));
    int oid = r.column("oid"), index_oid = r.column("conindid"), schema = r.column("nspname"), table = r.column("relname"), name = r.column("conname"),
        contype = r.column("contype"), def = r.column("def"), comment = r.column("comment"),
        index_comment = r.column("index_comment"), index_options = r.column("index_options");
    for (int i = 0; i < r.rows(); ++i) {
        ObjectId id{Kind::constraint, r.text(i, schema), r.text(i, name), r.text(i, table)};
        if (!s.model.find(ObjectId{Kind::table, id.schema, id.table, ""})) continue;
        std::string sql = "ALTER TABLE " + qualified_name(id.schema, id.table) + " ADD CONSTRAINT " +
                          quote_ident(id.name) + " " + r.text(i, def);
        auto parsed = pq::ParseResult::parse(sql);
        pq::Msg constraint = parsed->statements().at(0).node.list("cmds").at(0).get("def");
        json attrs = constraint_attributes(constraint, catalog_scope(), "");
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        std::string type = r.text(i, contype);
        if (type == "p" || type == "u" || type == "x") {
            attrs["index_options"] = r.is_null(i, index_options) ? json::array() : json::parse(r.text(i, index_options));
            if (auto c = r.optional_text(i, index_comment)) attrs["index_comment"] = *c;
        }
        s.add(Object(id, attrs), "pg_constraint", r.text(i, oid));
        // The index behind a primary key, unique or exclusion constraint
        // stands for it. (A foreign key's conindid is the referenced table's
        // unique index, which belongs to that table's constraint, not this one.)
        bool owns_index = type == "p" || type == "u" || type == "x";
        if (owns_index && r.text(i, index_oid) != "0") s.register_row("pg_class", r.text(i, index_oid), id);
    }
}

}  // namespace pgflux::catalog
