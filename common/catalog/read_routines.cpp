// Catalog readers: functions and procedures, from pg_get_functiondef() parsed
// by the same code as the source side; aggregates, from a CREATE AGGREGATE
// statement rebuilt from pg_aggregate (as pg_dump does) and parsed the same
// way.
#include "canon/routines.h"
#include "catalog/catalog.h"
#include "sql/parser.h"
#include "sql/quote.h"

namespace pgflux::catalog {
namespace {

void read_functions_of_kind(Snapshot& s, Kind kind, const char* prokinds) {
    QueryResult r = s.conn.query(
        "SELECT p.oid, n.nspname, p.proname, pg_catalog.pg_get_functiondef(p.oid) AS def, "
        "pg_catalog.obj_description(p.oid, 'pg_proc') AS comment "
        "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.prokind IN (" + std::string(prokinds) + ") AND " + user_schema_filter() + " AND " +
        not_extension_member("pg_proc", "p.oid") +
        // A range type's constructors belong to it (an internal dependency).
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_proc'::pg_catalog.regclass "
        "AND i.objid = p.oid AND i.refclassid = 'pg_type'::pg_catalog.regclass AND i.deptype = 'i')");
    int oid = r.column("oid"), schema = r.column("nspname"), name = r.column("proname"), def = r.column("def"),
        comment = r.column("comment");
    for (int i = 0; i < r.rows(); ++i) {
        auto parsed = pq::ParseResult::parse(r.text(i, def));
        RoutineDefinition d = function_definition(parsed->statements().at(0).node, catalog_scope());
        Object object(ObjectId{kind, r.text(i, schema), r.text(i, name), "", d.signature}, d.attrs);
        if (auto c = r.optional_text(i, comment)) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_proc", r.text(i, oid));
    }
}

// "SFUNC = public.f" and friends of a CREATE AGGREGATE statement; "" when unset.
std::string clause(const std::string& name, const std::optional<std::string>& value) {
    if (!value || value->empty() || *value == "-" || *value == "0") return "";
    return ", " + name + " = " + *value;
}

}  // namespace

void read_functions(Snapshot& s) { read_functions_of_kind(s, Kind::function, "'f', 'w'"); }

void read_procedures(Snapshot& s) { read_functions_of_kind(s, Kind::procedure, "'p'"); }

void read_aggregates(Snapshot& s) {
    QueryResult r = s.conn.query(R"SQL(
SELECT p.oid, n.nspname, p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS args, a.aggkind,
       a.aggtransfn::pg_catalog.regproc::text AS sfunc, pg_catalog.format_type(a.aggtranstype, NULL) AS stype,
       a.aggtransspace, a.agginitval, NULLIF(a.aggfinalfn, 0)::pg_catalog.regproc::text AS finalfunc,
       a.aggfinalextra, a.aggfinalmodify, NULLIF(a.aggcombinefn, 0)::pg_catalog.regproc::text AS combinefunc,
       NULLIF(a.aggserialfn, 0)::pg_catalog.regproc::text AS serialfunc,
       NULLIF(a.aggdeserialfn, 0)::pg_catalog.regproc::text AS deserialfunc,
       NULLIF(a.aggmtransfn, 0)::pg_catalog.regproc::text AS msfunc,
       NULLIF(a.aggminvtransfn, 0)::pg_catalog.regproc::text AS minvfunc,
       CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END AS mstype,
       a.aggmtransspace, NULLIF(a.aggmfinalfn, 0)::pg_catalog.regproc::text AS mfinalfunc, a.aggmfinalextra,
       a.aggmfinalmodify, a.aggminitval,
       (SELECT CASE WHEN o.oprnamespace = 'pg_catalog'::pg_catalog.regnamespace THEN o.oprname
                    ELSE 'OPERATOR(' || pg_catalog.quote_ident(on_.nspname) || '.' || o.oprname || ')' END
          FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace on_ ON on_.oid = o.oprnamespace
         WHERE o.oid = a.aggsortop) AS sortop,
       p.proparallel, pg_catalog.obj_description(p.oid, 'pg_proc') AS comment
FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE )SQL" + user_schema_filter() + " AND " + not_extension_member("pg_proc", "p.oid"));
    auto col = [&](const char* name) { return r.column(name); };
    for (int i = 0; i < r.rows(); ++i) {
        auto text = [&](const char* name) { return r.optional_text(i, col(name)); };
        auto modify = [&](const char* name) {
            std::string m = r.text(i, col(name));
            return m == "r" ? "READ_ONLY" : m == "s" ? "SHAREABLE" : "READ_WRITE";
        };
        auto literal = [&](const char* name) -> std::optional<std::string> {
            auto v = text(name);
            return v ? std::optional<std::string>(quote_literal(*v)) : std::nullopt;
        };
        std::string args = r.text(i, col("args"));
        std::string sql = "CREATE AGGREGATE " + qualified_name(r.text(i, col("nspname")), r.text(i, col("proname"))) +
                          "(" + (args.empty() ? "*" : args) + ") (SFUNC = " + r.text(i, col("sfunc")) +
                          ", STYPE = " + r.text(i, col("stype")) + clause("SSPACE", text("aggtransspace")) +
                          clause("INITCOND", literal("agginitval")) + clause("FINALFUNC", text("finalfunc")) +
                          ", FINALFUNC_MODIFY = " + modify("aggfinalmodify") +
                          clause("COMBINEFUNC", text("combinefunc")) + clause("SERIALFUNC", text("serialfunc")) +
                          clause("DESERIALFUNC", text("deserialfunc")) + clause("MSFUNC", text("msfunc")) +
                          clause("MINVFUNC", text("minvfunc")) + clause("MSTYPE", text("mstype")) +
                          clause("MSSPACE", text("aggmtransspace")) + clause("MFINALFUNC", text("mfinalfunc")) +
                          clause("MINITCOND", literal("aggminitval")) + clause("SORTOP", text("sortop"));
        if (text("mstype")) sql += ", MFINALFUNC_MODIFY = " + std::string(modify("aggmfinalmodify"));
        if (r.text(i, col("aggfinalextra")) == "t") sql += ", FINALFUNC_EXTRA";
        if (r.text(i, col("aggmfinalextra")) == "t") sql += ", MFINALFUNC_EXTRA";
        if (r.text(i, col("aggkind")) == "h") sql += ", HYPOTHETICAL";
        std::string parallel = r.text(i, col("proparallel"));
        sql += std::string(", PARALLEL = ") + (parallel == "s" ? "SAFE" : parallel == "r" ? "RESTRICTED" : "UNSAFE") + ")";
        auto parsed = pq::ParseResult::parse(sql);
        RoutineDefinition d = aggregate_definition(parsed->statements().at(0).node, catalog_scope());
        Object object(ObjectId{Kind::aggregate, r.text(i, col("nspname")), r.text(i, col("proname")), "", d.signature}, d.attrs);
        if (auto c = text("comment")) object.attrs["comment"] = *c;
        s.add(std::move(object), "pg_proc", r.text(i, col("oid")));
    }
}

}  // namespace pgflux::catalog
