// Catalog reader: pg_depend, mapped onto the objects the kind readers found.
// A view's rewrite rule stands for the view, a column default for its table,
// the index behind a constraint for the constraint, an array type for its
// element type, and what an extension created (a type, a function) for the
// extension. Each row gives the dependent object a dependency, with the
// column when the row names one; rows between objects pg-flux does not model
// are left out. A sequence's dependency on the column that owns it is not a
// creation order (the sequence comes first), so it is left out too.
#include "catalog/catalog.h"

namespace pgflux::catalog {

void read_dependencies(Snapshot& s) {
    // Objects with oids below 16384 (FirstNormalObjectId) are built in. The
    // rows come in a fixed order, so that merged dependencies (their columns,
    // their order) are the same on every run.
    QueryResult r = s.conn.query(
        "SELECT d.classid::pg_catalog.regclass::text AS catalog, d.objid, "
        "d.refclassid::pg_catalog.regclass::text AS ref_catalog, d.refobjid, d.refobjsubid, d.deptype, a.attname, "
        "o.attname AS through "
        "FROM pg_catalog.pg_depend d "
        "LEFT JOIN pg_catalog.pg_attribute a ON d.refclassid = 'pg_class'::pg_catalog.regclass "
        " AND a.attrelid = d.refobjid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0 "
        "LEFT JOIN pg_catalog.pg_attribute o ON d.classid = 'pg_class'::pg_catalog.regclass "
        " AND o.attrelid = d.objid AND o.attnum = d.objsubid AND d.objsubid > 0 "
        "WHERE d.deptype IN ('n', 'a', 'e') AND d.objid >= 16384 AND d.refobjid >= 16384 "
        "ORDER BY d.deptype = 'e' DESC, d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid");
    int catalog = r.column("catalog"), objid = r.column("objid"), ref_catalog = r.column("ref_catalog"),
        refobjid = r.column("refobjid"), refobjsubid = r.column("refobjsubid"), column = r.column("attname"),
        deptype = r.column("deptype"), through = r.column("through");
    for (int i = 0; i < r.rows(); ++i) {
        if (r.text(i, deptype) == "e") {
            if (const ObjectId* extension = s.object_of("pg_extension", r.text(i, refobjid)))
                s.register_row(r.text(i, catalog), r.text(i, objid), *extension);
            continue;
        }
        const ObjectId* dependent = s.object_of(r.text(i, catalog), r.text(i, objid));
        const ObjectId* referenced = s.object_of(r.text(i, ref_catalog), r.text(i, refobjid));
        if (!dependent || !referenced || *dependent == *referenced) continue;
        if (dependent->kind == Kind::sequence) continue;
        Object* object = s.model.find(*dependent);
        if (!object) continue;
        Dependency dependency{*referenced, std::vector<std::string>{}, false};
        if (r.text(i, refobjsubid) != "0" && !r.is_null(i, column)) dependency.columns->push_back(r.text(i, column));
        if (!r.is_null(i, through)) dependency.through.push_back(r.text(i, through));
        object->depend_on(dependency);
    }
}

}  // namespace pgflux::catalog
