// Differ of enum types. Values are added in place (ADD VALUE BEFORE/AFTER);
// a value removed or reordered means recreating the type: the old one is
// renamed, the new one created, the columns converted through text (see
// table_diff.cpp), and the old type dropped once nothing uses it.
#include <algorithm>

#include "canon/names.h"
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {


void create_enum(Differ& d, const Object& o) {
    d.create(o, ddl::create_enum(o), "CREATE TYPE " + display(o.id));
    d.comment(nullptr, o);
}

void recreate_enum(Differ& d, const Object& l, const Object& o) {
    std::string old_name = make_object_name(o.id.name, "", "_pgflux_old");
    ObjectId old_id{Kind::enumeration, o.id.schema, old_name};
    d.alter(o.id, "ALTER TYPE " + o.id.sql_name() + " RENAME TO " + quote_ident(old_name) + ";",
            "RECREATE TYPE " + display(o.id) + " (values removed or reordered)")
        .structural = true;
    d.create(o, ddl::create_enum(o), "CREATE TYPE " + display(o.id));
    // The old type goes once every column that used it is converted: the
    // step stands for the live type, which all those steps release.
    d.drop(l, ddl::drop(old_id), "DROP TYPE " + display(old_id));
    d.comment(nullptr, o);
}

void alter_enum(Differ& d, const Object& l, const Object& o) {
    if (d.enum_recreated(o.id.sql_name())) return recreate_enum(d, l, o);
    const json& lv = l.attrs["values"];
    const json& dv = o.attrs["values"];
    for (size_t i = 0; i < dv.size(); ++i) {
        if (std::find(lv.begin(), lv.end(), dv[i]) != lv.end()) continue;
        std::string value = quote_literal(dv[i].get<std::string>());
        std::string sql = "ALTER TYPE " + o.id.sql_name() + " ADD VALUE " + value;
        if (i > 0) sql += " AFTER " + quote_literal(dv[i - 1].get<std::string>());
        else if (dv.size() > 1) sql += " BEFORE " + quote_literal(dv[1].get<std::string>());
        d.alter(o.id, sql + ";", "ADD VALUE " + value + " TO TYPE " + display(o.id)).structural = true;
    }
    d.comment(&l, o);
}

void drop_enum(Differ& d, const Object& l) { d.drop(l, ddl::drop(l.id), "DROP TYPE " + display(l.id)); }

}  // namespace

const KindDiff k_enum_diff{changes_in_place, create_enum, alter_enum, drop_enum};

}  // namespace pgflux::diff
