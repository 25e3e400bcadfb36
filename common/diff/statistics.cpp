// Differ of extended statistics (CREATE STATISTICS). A change of kinds,
// columns or expressions is drop + create; the statistics target and the
// comment change in place. PostgreSQL drops a statistics object with a
// column it uses: such an object is recreated (kinds.cpp: it blocks column
// changes, so the differ replaces it around them).
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {

std::string statistics_replace_reason(Differ& d, const Object& l, const Object& o) {
    return d.same(without(l.attrs, {"comment", "statistics"}), without(o.attrs, {"comment", "statistics"}), "",
                  "statistics " + display(o.id))
               ? ""
               : "its definition changes";
}

void statistics_target(Differ& d, const Object* l, const Object& o) {
    int before = l ? l->attrs.value("statistics", -1) : -1, after = o.attrs.value("statistics", -1);
    if (before == after || (d.verify() && after == -1)) return;
    std::string clause = " SET STATISTICS " + std::to_string(after);
    d.alter(o.id, "ALTER STATISTICS " + qualified_name(o.id.schema, o.id.name) + clause + ";",
            "ALTER STATISTICS " + display(o.id) + clause);
}

void create_statistics(Differ& d, const Object& o) {
    const json& a = ddl_attributes(o);
    std::string targets;
    for (const json& c : a["columns"]) targets += (targets.empty() ? "" : ", ") + quote_ident(c.get<std::string>());
    for (const json& e : a["expressions"]) targets += (targets.empty() ? "(" : ", (") + e.get<std::string>() + ")";
    std::string kinds;
    for (const json& k : a["kinds"]) kinds += (kinds.empty() ? "" : ", ") + k.get<std::string>();
    std::string sql = "CREATE STATISTICS " + qualified_name(o.id.schema, o.id.name) +
                      (kinds.empty() || a["kinds"].size() == 3 ? "" : " (" + kinds + ")") + " ON " + targets + " FROM " +
                      ddl::table_name(o.id) + ";";
    d.create(o, sql, "CREATE STATISTICS " + display(o.id));
    statistics_target(d, nullptr, o);
    d.comment(nullptr, o);
}

void alter_statistics(Differ& d, const Object& l, const Object& o) {
    statistics_target(d, &l, o);
    d.comment(&l, o);
}

}  // namespace

const KindDiff k_statistics_diff{statistics_replace_reason, create_statistics, alter_statistics, drop_with_relation};

}  // namespace pgflux::diff
