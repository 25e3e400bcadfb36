// Catalog reader: ordinary and partitioned tables (partition key, parent and
// bound of a partition, parents of an inheriting table; a column a parent
// gives is marked inherited), their row-level security switches and
// their columns (type, NOT NULL, default, identity with its sequence
// options, generated expression, collation, comment), one query for all
// tables; storage parameters, replica identity, and per column a storage
// other than the type's and a statistics target.
#include "catalog/catalog.h"

#include <algorithm>
#include <map>

#include "canon/definitions.h"
#include "canon/expressions.h"
#include "canon/types.h"
#include "sql/parser.h"
#include "sql/quote.h"

namespace pgflux::catalog {
namespace {

// One pass over each catalog: the per-table and per-column lookups are joins
// and grouped aggregates, not subqueries run once per row (at 10,000 tables
// of 11 columns the correlated form took over 2 s of server time).
std::string tables_query() {
    return R"SQL(
WITH tables AS (
  SELECT c.oid, c.reltype, n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity,
         c.relforcerowsecurity, c.reloptions, c.relreplident, c.reltuples, c.relpages, c.relispartition,
         c.relpartbound
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND )SQL" +
           user_schema_filter() + " AND " + not_extension_member("pg_class", "c.oid") + R"SQL(
), identity_sequences AS (
  SELECT d.refobjid, d.refobjsubid,
         pg_catalog.json_build_object('name', s.relname, 'start', q.seqstart, 'increment', q.seqincrement,
                                      'min_value', q.seqmin, 'max_value', q.seqmax, 'cache', q.seqcache,
                                      'cycle', q.seqcycle) AS sequence
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_class s ON s.oid = d.objid
  JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid
  WHERE d.refclassid = 'pg_class'::pg_catalog.regclass AND d.classid = 'pg_class'::pg_catalog.regclass
    AND d.deptype = 'i'
), columns AS (
  SELECT a.attrelid,
         pg_catalog.json_agg(pg_catalog.json_build_object(
             'name', a.attname,
             'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
             'not_null', a.attnotnull,
             'inherited', a.attinhcount > 0,
             'expr', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
             'identity', a.attidentity,
             'generated', a.attgenerated,
             'collation_schema', CASE WHEN a.attcollation <> t.typcollation THEN cn.nspname END,
             'collation', CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
             'comment', ds.description,
             'default_oid', ad.oid,
             'storage', a.attstorage, 'type_storage', t.typstorage, 'statistics', a.attstattarget,
             'sequence', seq.sequence)
           ORDER BY a.attnum) AS columns
  FROM tables tb
  JOIN pg_catalog.pg_attribute a ON a.attrelid = tb.oid
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
  LEFT JOIN pg_catalog.pg_description ds
    ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::pg_catalog.regclass AND ds.objsubid = a.attnum
  LEFT JOIN identity_sequences seq ON seq.refobjid = a.attrelid AND seq.refobjsubid = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped
  GROUP BY a.attrelid
), parents AS (
  SELECT i.inhrelid,
         pg_catalog.json_agg(pg_catalog.json_build_object('schema', pn.nspname, 'table', p.relname)
                             ORDER BY i.inhseqno) AS parents
  FROM pg_catalog.pg_inherits i
  JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
  JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
  GROUP BY i.inhrelid
), replica_indexes AS (
  SELECT x.indrelid, i.relname
  FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
  WHERE x.indisreplident
)
SELECT tb.oid, tb.reltype, tb.nspname, tb.relname, tb.relpersistence, tb.relrowsecurity, tb.relforcerowsecurity,
       ds.description AS comment,
       pg_catalog.array_to_json(tb.reloptions) AS options, tb.relreplident,
       CASE WHEN tb.reltuples >= 0 THEN tb.relpages::float8 * pg_catalog.current_setting('block_size')::float8 END AS size_bytes,
       CASE WHEN tb.reltuples >= 0 THEN tb.reltuples::float8 END AS size_rows,
       ri.relname AS replica_index,
       CASE WHEN tb.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(tb.oid) END AS partition_key,
       CASE WHEN tb.relispartition THEN pg_catalog.pg_get_expr(tb.relpartbound, tb.oid) END AS bound,
       p.parents, col.columns
FROM tables tb
LEFT JOIN pg_catalog.pg_description ds
  ON ds.objoid = tb.oid AND ds.classoid = 'pg_class'::pg_catalog.regclass AND ds.objsubid = 0
LEFT JOIN replica_indexes ri ON ri.indrelid = tb.oid
LEFT JOIN parents p ON p.inhrelid = tb.oid
LEFT JOIN columns col ON col.attrelid = tb.oid
)SQL";
}

std::string storage_name(const std::string& code) {
    if (code == "p") return "plain";
    if (code == "e") return "external";
    if (code == "m") return "main";
    return "extended";
}

// Canonical forms of the printed types and expressions of one snapshot's
// columns: the tables of a large schema repeat them, and each is parsed once.
struct CanonicalTexts {
    std::map<std::string, std::string> types, expressions;

    const std::string& type(const std::string& text) {
        auto it = types.find(text);
        if (it == types.end()) it = types.emplace(text, canonical_type_text(text, nullptr)).first;
        return it->second;
    }
    const std::string& expression(const std::string& text) {
        auto it = expressions.find(text);
        if (it == expressions.end()) it = expressions.emplace(text, canonical_expression_text(text)).first;
        return it->second;
    }
};

json column_of(const json& row, CanonicalTexts& canonical) {
    json column = {{"name", row["name"]},
                   {"type", canonical.type(row["type"])},
                   {"not_null", row["not_null"]}};
    std::string identity = row["identity"], generated = row["generated"];
    if (!row["expr"].is_null()) {
        std::string expr = canonical.expression(row["expr"]);
        column[generated == "s" ? "generated" : "default"] = expr;
    }
    if (!identity.empty() && !row["sequence"].is_null()) {
        json seq = row["sequence"];
        column["identity"] = {{"always", identity == "a"}, {"sequence", seq}};
    }
    if (!row["collation"].is_null()) {
        std::string schema = row["collation_schema"], name = row["collation"];
        if (!(schema == "pg_catalog" && name == "default")) column["collation"] = qualified_name(schema, name);
    }
    if (!row["comment"].is_null()) column["comment"] = row["comment"];
    if (row["storage"] != row["type_storage"]) column["storage"] = storage_name(row["storage"]);
    if (row["statistics"] != -1) column["statistics"] = row["statistics"];
    if (row["inherited"] == true) column["inherited"] = true;
    return column;
}

}  // namespace

void read_tables(Snapshot& s) {
    QueryResult r = s.conn.query(tables_query());
    int oid = r.column("oid"), row_type = r.column("reltype"), schema = r.column("nspname"), name = r.column("relname"),
        persistence = r.column("relpersistence"), row_security = r.column("relrowsecurity"),
        force_row_security = r.column("relforcerowsecurity"), comment = r.column("comment"),
        columns = r.column("columns"), options = r.column("options"), replica = r.column("relreplident"),
        replica_index = r.column("replica_index"), partition_key = r.column("partition_key"),
        bound = r.column("bound"), parents = r.column("parents"), size_bytes = r.column("size_bytes"),
        size_rows = r.column("size_rows");
    // The default storage of the types of columns whose storage is not the
    // default: what SET STORAGE goes back to (the model's source, not its attributes).
    json type_storage = s.model.source.value("type_storage", json::object());
    CanonicalTexts canonical;
    for (int i = 0; i < r.rows(); ++i) {
        ObjectId id{Kind::table, r.text(i, schema), r.text(i, name)};
        json cols = json::array();
        if (!r.is_null(i, columns)) {
            for (const json& row : json::parse(r.text(i, columns))) {
                cols.push_back(column_of(row, canonical));
                if (cols.back().contains("storage")) type_storage[cols.back()["type"].get<std::string>()] = storage_name(row["type_storage"]);
                if (!row["default_oid"].is_null()) s.register_row("pg_attrdef", row["default_oid"].dump(), id);
            }
        }
        json attrs = {{"unlogged", r.text(i, persistence) == "u"}, {"columns", cols}};
        if (r.text(i, row_security) == "t") attrs["row_security"] = true;
        if (r.text(i, force_row_security) == "t") attrs["force_row_security"] = true;
        if (auto c = r.optional_text(i, comment)) attrs["comment"] = *c;
        if (!r.is_null(i, options)) {
            json stored = json::parse(r.text(i, options));
            std::sort(stored.begin(), stored.end());
            attrs["options"] = stored;
        }
        std::string identity = r.text(i, replica);
        if (identity == "f") attrs["replica_identity"] = "full";
        if (identity == "n") attrs["replica_identity"] = "nothing";
        if (identity == "i") {
            attrs["replica_identity"] = "index";
            attrs["replica_identity_index"] = r.optional_text(i, replica_index).value_or("");
        }
        if (auto key = r.optional_text(i, partition_key)) {
            auto parsed = pq::ParseResult::parse("CREATE TABLE t () PARTITION BY " + *key);
            attrs["partition_by"] = partition_key_attributes(parsed->statements().at(0).node.get("partspec"), catalog_scope());
        }
        json parent_list = r.is_null(i, parents) ? json::array() : json::parse(r.text(i, parents));
        if (auto b = r.optional_text(i, bound)) {
            auto parsed = pq::ParseResult::parse("CREATE TABLE t PARTITION OF p " + *b);
            attrs["partition_of"] = parent_list.at(0);
            attrs["bound"] = partition_bound_text(parsed->statements().at(0).node.get("partbound"));
        } else if (!parent_list.empty()) {
            attrs["inherits"] = parent_list;
        }
        Object& table = s.add(Object(id, attrs), "pg_class", r.text(i, oid));
        // Estimates (not hashed): known once the table was vacuumed or analyzed.
        if (!r.is_null(i, size_rows))
            table.size = Object::Size{std::stod(r.text(i, size_bytes)), std::stod(r.text(i, size_rows))};
        s.register_row("pg_type", r.text(i, row_type), id);
    }
    if (!type_storage.empty()) s.model.source["type_storage"] = type_storage;
}

}  // namespace pgflux::catalog
