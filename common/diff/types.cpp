// Differs of domains, composite types and range types.
//
// Domains change in place (ALTER DOMAIN: default, NOT NULL, CHECK
// constraints added NOT VALID and validated); a new base type or collation
// recreates the domain. Range types have no ALTER: any change recreates them.
// Recreating a domain or range type that columns use keeps their values: the
// old type is renamed, the new one created, the columns converted (a range
// through text, see table_diff.cpp), and the old type dropped once nothing
// uses it.
//
// Composite types add, drop and retype attributes in place. Attributes in a
// new order (the row layout), or a retyped attribute while a table column
// uses the type (PostgreSQL refuses that), recreate the type; when table
// columns use a composite type that must be recreated, the diff is refused
// naming them: their values cannot be converted.
#include <algorithm>

#include "canon/expressions.h"
#include "canon/names.h"
#include "canon/types.h"
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux::diff {
namespace {

std::string old_name(const std::string& name) { return make_object_name(name, "", "_pgflux_old"); }

// Live table columns (of tables that stay) whose type is `type` (or an
// array of it) and that keep that type: their values would have to convert.
std::vector<std::string> columns_using(Differ& d, const ObjectId& type) {
    std::vector<std::string> out;
    std::string name = type.sql_name();
    for (const auto& [id, table] : d.live().objects) {
        if (id.kind != Kind::table || d.dropped(id)) continue;
        const Object* desired = d.desired().find(id);
        if (!desired) continue;
        for (const json& lc : table.attrs["columns"]) {
            if (element_type(lc["type"]) != name) continue;
            for (const json& dc : desired->attrs["columns"])
                if (dc["name"] == lc["name"] && dc["type"] == lc["type"]) out.push_back(display_column(id, lc["name"]));
        }
    }
    return out;
}

// A range type's multirange type and the constructor functions of both keep
// their names when the range type is renamed: they are renamed too, so the
// new range type can have them.
void rename_range_companions(Differ& d, const Object& l, const Object& o) {
    const std::string& schema = l.id.schema;
    std::string multirange = l.attrs["multirange"];
    std::string subtype = l.attrs["subtype"];
    std::string old_range = qualified_name(schema, old_name(l.id.name));
    std::string why = " (to recreate " + display(l.id) + ")";
    auto rename = [&](const std::string& what, const std::string& sql_name, const std::string& new_name, const std::string& shown) {
        d.alter(o.id, "ALTER " + what + " " + sql_name + " RENAME TO " + quote_ident(new_name) + ";",
                "RENAME " + what + " " + shown + " TO " + quote_ident(new_name) + why)
            .structural = true;
    };
    rename("TYPE", qualified_name(schema, multirange), old_name(multirange), display_name(schema, multirange));
    for (const std::string& arguments : {subtype + ", " + subtype, subtype + ", " + subtype + ", text"})
        rename("FUNCTION", qualified_name(schema, l.id.name) + "(" + arguments + ")", old_name(l.id.name),
               display_name(schema, l.id.name) + "(" + arguments + ")");
    for (const std::string& arguments : {std::string(), old_range, old_range + "[]"})
        rename("FUNCTION", qualified_name(schema, multirange) + "(" + arguments + ")", old_name(multirange),
               display_name(schema, multirange) + "(" + arguments + ")");
}

// Recreates a type others may use: the live one renamed out of the way, the
// new one created, the old one dropped after everything that used it moved.
void recreate(Differ& d, const Object& l, const Object& o, const std::string& create_sql, const std::string& keyword) {
    ObjectId old_id{l.id.kind, l.id.schema, old_name(l.id.name)};
    std::string rename = "ALTER " + keyword + " " + l.id.sql_name() + " RENAME TO " + quote_ident(old_id.name) + ";";
    d.alter(o.id, rename, "RENAME " + keyword + " " + display(l.id) + " TO " + quote_ident(old_id.name) + " (to recreate it)")
        .structural = true;
    if (l.id.kind == Kind::range_type) rename_range_companions(d, l, o);
    d.create(o, create_sql, "CREATE " + keyword + " " + display(o.id));
    d.drop(l, ddl::drop(old_id), "DROP " + keyword + " " + display(old_id));
}

// --- domains ------------------------------------------------------------------

std::string check_clause(const std::string& name, const std::string& expression) {
    return "CONSTRAINT " + quote_ident(name) + " CHECK (" + expression + ")";
}

std::string create_domain_sql(const Object& o) {
    const json& a = ddl_attributes(o);
    std::string out = "CREATE DOMAIN " + o.id.sql_name() + " AS " + a["type"].get<std::string>();
    if (a.contains("collation")) out += " COLLATE " + a["collation"].get<std::string>();
    if (a.contains("default")) out += " DEFAULT " + default_clause_expression(a["default"]);
    if (a["not_null"] == true) out += " NOT NULL";
    for (const auto& [name, expression] : a["checks"].items()) out += "\n    " + check_clause(name, expression);
    return out + ";";
}

std::string check_comment_sql(const ObjectId& domain, const std::string& name, const json& attrs) {
    const json& comments = attrs.value("check_comments", json::object());
    std::string value = comments.contains(name) ? quote_literal(comments[name].get<std::string>()) : "NULL";
    return "COMMENT ON CONSTRAINT " + quote_ident(name) + " ON DOMAIN " + domain.sql_name() + " IS " + value + ";";
}

json check_comment(const json& attrs, const std::string& name) {
    if (!attrs.contains("check_comments") || !attrs["check_comments"].contains(name)) return json();
    return attrs["check_comments"][name];
}

// COMMENT ON CONSTRAINT for the checks whose comment changed (`l` null: all new).
void check_comments(Differ& d, const Object* l, const Object& o, const std::set<std::string>& readded) {
    for (const auto& [name, expression] : o.attrs["checks"].items()) {
        json before = l && !readded.count(name) ? check_comment(l->attrs, name) : json();
        json after = check_comment(o.attrs, name);
        if (before == after || (d.verify() && after.is_null())) continue;
        d.alter(o.id, check_comment_sql(o.id, name, o.attrs),
                "COMMENT ON CONSTRAINT " + quote_ident(name) + " ON DOMAIN " + display(o.id))
            .step.action = "comment";
    }
}

std::string domain_replace_reason(Differ& d, const Object& l, const Object& o) {
    std::string what = "domain " + display(o.id);
    if (!d.same(l.attrs["type"], o.attrs["type"], "type", what)) return "its base type changes";
    if (!d.same(l.attrs.value("collation", json()), o.attrs.value("collation", json()), "collation", what))
        return "its collation changes";
    return "";
}

void create_domain(Differ& d, const Object& o) {
    const Object* l = d.live().find(o.id);
    if (l) recreate(d, *l, o, create_domain_sql(o), "DOMAIN");
    else d.create(o, create_domain_sql(o), "CREATE DOMAIN " + display(o.id));
    d.comment(nullptr, o);
    check_comments(d, nullptr, o, {});
}

void alter_domain(Differ& d, const Object& l, const Object& o) {
    const json& sql = ddl_attributes(o);
    std::string prefix = "ALTER DOMAIN " + o.id.sql_name();
    std::string what = "domain " + display(o.id);
    auto step = [&](const std::string& clause, const std::string& summary) -> PlannedStep& {
        return d.alter(o.id, prefix + " " + clause + ";", "ALTER DOMAIN " + display(o.id) + " " + summary);
    };
    json live_default = l.attrs.value("default", json()), desired_default = o.attrs.value("default", json());
    if (!d.same(live_default, desired_default, "default", what)) {
        if (desired_default.is_null()) {
            if (!d.verify()) {
                PlannedStep& p = step("DROP DEFAULT", "DROP DEFAULT");
                for (const auto& dep : expression_dependencies(d.live(), d.live_index(), live_default, l.id.schema))
                    p.releases.push_back(dep.id);
            }
        } else {
            PlannedStep& p = step("SET DEFAULT " + sql["default"].get<std::string>(), "SET DEFAULT");
            p.requires = expression_dependencies(d.desired(), d.desired_index(), desired_default, o.id.schema);
            if (!live_default.is_null())
                for (const auto& dep : expression_dependencies(d.live(), d.live_index(), live_default, l.id.schema))
                    p.releases.push_back(dep.id);
        }
    }
    if (l.attrs["not_null"] != o.attrs["not_null"] && !(d.verify() && o.attrs["not_null"] == false))
        step(o.attrs["not_null"] == true ? "SET NOT NULL" : "DROP NOT NULL",
             o.attrs["not_null"] == true ? "SET NOT NULL" : "DROP NOT NULL");
    const json& live_checks = l.attrs["checks"];
    const json& desired_checks = o.attrs["checks"];
    std::set<std::string> readded;
    for (const auto& [name, expression] : live_checks.items()) {
        bool kept = desired_checks.contains(name) &&
                    d.same(expression, desired_checks[name], "check", "constraint " + quote_ident(name) + " of " + what);
        if (kept) continue;
        if (desired_checks.contains(name)) readded.insert(name);
        else if (d.verify()) continue;
        PlannedStep& p = step("DROP CONSTRAINT " + quote_ident(name), "DROP CONSTRAINT " + quote_ident(name));
        for (const auto& dep : expression_dependencies(d.live(), d.live_index(), expression, l.id.schema))
            p.releases.push_back(dep.id);
    }
    for (const auto& [name, expression] : desired_checks.items()) {
        if (live_checks.contains(name) && !readded.count(name)) continue;
        // Existing values are checked by VALIDATE, which takes a lighter lock.
        PlannedStep& p = step("ADD " + check_clause(name, sql["checks"][name]) + " NOT VALID",
                              "ADD CONSTRAINT " + quote_ident(name));
        p.requires = expression_dependencies(d.desired(), d.desired_index(), expression, o.id.schema);
        step("VALIDATE CONSTRAINT " + quote_ident(name), "VALIDATE CONSTRAINT " + quote_ident(name));
    }
    d.comment(&l, o);
    check_comments(d, &l, o, readded);
}

void drop_domain(Differ& d, const Object& l) {
    if (d.desired().find(l.id)) return;  // recreated: create_domain renames and drops it
    d.drop(l, ddl::drop(l.id), "DROP DOMAIN " + display(l.id));
}

// --- composite types ------------------------------------------------------------

const json* find_attribute(const json& attributes, const std::string& name) {
    for (const json& a : attributes)
        if (a["name"] == name) return &a;
    return nullptr;
}

std::string attribute_definition(const json& a) {
    std::string out = quote_ident(a["name"].get<std::string>()) + " " + a["type"].get<std::string>();
    if (a.contains("collation")) out += " COLLATE " + a["collation"].get<std::string>();
    return out;
}

std::string create_composite_sql(const Object& o) {
    std::string items;
    for (const json& a : ddl_attributes(o)["attributes"]) items += (items.empty() ? "\n    " : ",\n    ") + attribute_definition(a);
    return "CREATE TYPE " + o.id.sql_name() + " AS (" + items + (items.empty() ? ");" : "\n);");
}

bool attribute_retyped(Differ& d, const ObjectId& id, const json& la, const json& da) {
    std::string what = "attribute " + quote_ident(la["name"].get<std::string>()) + " of type " + display(id);
    return !d.same(la["type"], da["type"], "type", what) ||
           !d.same(la.value("collation", json()), da.value("collation", json()), "collation", what) ||
           d.type_recreated(la["type"]);
}

std::string composite_replace_reason(Differ& d, const Object& l, const Object& o) {
    const json& live = l.attrs["attributes"];
    const json& desired = o.attrs["attributes"];
    // In place, kept attributes stay in their order and added ones come last.
    std::vector<std::string> expected, wanted;
    for (const json& a : live)
        if (find_attribute(desired, a["name"])) expected.push_back(a["name"]);
    for (const json& a : desired)
        if (!find_attribute(live, a["name"])) expected.push_back(a["name"]);
    for (const json& a : desired) wanted.push_back(a["name"]);
    if (expected != wanted) return "its attributes change order";
    for (const json& la : live) {
        const json* da = find_attribute(desired, la["name"]);
        if (da && attribute_retyped(d, o.id, la, *da) && !columns_using(d, l.id).empty())
            return "attribute " + quote_ident(la["name"].get<std::string>()) + " changes type while columns use the type";
    }
    return "";
}

void attribute_comments(Differ& d, const json* live, const Object& o) {
    for (const json& da : o.attrs["attributes"]) {
        const json* la = live ? find_attribute(*live, da["name"]) : nullptr;
        json before = la ? la->value("comment", json()) : json(), after = da.value("comment", json());
        if (before == after || (d.verify() && after.is_null())) continue;
        std::string name = da["name"];
        d.alter(o.id, ddl::comment(o.id, da, name), "COMMENT ON COLUMN " + display(o.id) + "." + quote_ident(name))
            .step.action = "comment";
    }
}

void create_composite(Differ& d, const Object& o) {
    const Object* l = d.live().find(o.id);
    if (l) {
        auto columns = columns_using(d, l->id);
        if (!columns.empty()) {
            std::string list;
            for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
            usage_error("composite type " + display(o.id) + " must be recreated (" + d.replace_reason(o.id) +
                        "), but table columns use it: " + list +
                        "; pg-flux cannot convert their values (change or drop those columns in an earlier migration)");
        }
        recreate(d, *l, o, create_composite_sql(o), "TYPE");
    } else {
        d.create(o, create_composite_sql(o), "CREATE TYPE " + display(o.id));
    }
    d.comment(nullptr, o);
    attribute_comments(d, nullptr, o);
}

void alter_composite(Differ& d, const Object& l, const Object& o) {
    const json& live = l.attrs["attributes"];
    const json& desired = o.attrs["attributes"];
    const json& sql = ddl_attributes(o)["attributes"];
    std::string prefix = "ALTER TYPE " + o.id.sql_name() + " ";
    auto step = [&](const std::string& clause, const std::string& summary) -> PlannedStep& {
        return d.alter(o.id, prefix + clause + ";", "ALTER TYPE " + display(o.id) + " " + summary);
    };
    auto uses = [&](const Model& m, const ModelIndex& index, const json& a) {
        return column_dependencies(m, index, o.id.schema, a);
    };
    for (const json& la : live) {
        if (find_attribute(desired, la["name"]) || d.verify()) continue;
        std::string name = la["name"];
        PlannedStep& p = step("DROP ATTRIBUTE " + quote_ident(name), "DROP ATTRIBUTE " + quote_ident(name));
        for (const auto& dep : uses(d.live(), d.live_index(), la)) p.releases.push_back(dep.id);
    }
    for (size_t i = 0; i < desired.size(); ++i) {
        const json& da = desired[i];
        const json& da_sql = *find_attribute(sql, da["name"]);
        std::string name = da["name"];
        const json* la = find_attribute(live, name);
        PlannedStep* p = nullptr;
        if (!la) {
            p = &step("ADD ATTRIBUTE " + attribute_definition(da_sql), "ADD ATTRIBUTE " + quote_ident(name));
        } else if (attribute_retyped(d, o.id, *la, da)) {
            std::string clause = da_sql["type"];
            if (da_sql.contains("collation")) clause += " COLLATE " + da_sql["collation"].get<std::string>();
            p = &step("ALTER ATTRIBUTE " + quote_ident(name) + " TYPE " + clause, "ALTER ATTRIBUTE " + quote_ident(name) + " TYPE");
            for (const auto& dep : uses(d.live(), d.live_index(), *la)) p->releases.push_back(dep.id);
        }
        if (p) {
            p->requires = uses(d.desired(), d.desired_index(), da);
            p->structural = true;
        }
    }
    d.comment(&l, o);
    attribute_comments(d, &live, o);
}

void drop_composite(Differ& d, const Object& l) {
    if (d.desired().find(l.id)) return;  // recreated: create_composite renames and drops it
    d.drop(l, ddl::drop(l.id), "DROP TYPE " + display(l.id));
}

// --- range types ------------------------------------------------------------------

std::string create_range_sql(const Object& o) {
    const json& a = ddl_attributes(o);
    std::string out = "CREATE TYPE " + o.id.sql_name() + " AS RANGE (subtype = " + a["subtype"].get<std::string>();
    for (const char* key : {"subtype_opclass", "collation", "canonical", "subtype_diff"})
        if (a.contains(key)) out += std::string(", ") + key + " = " + a[key].get<std::string>();
    return out + ", multirange_type_name = " + qualified_name(o.id.schema, a["multirange"].get<std::string>()) + ");";
}

std::string range_replace_reason(Differ& d, const Object& l, const Object& o) {
    return d.same(without(l.attrs, {"comment"}), without(o.attrs, {"comment"}), "", "range type " + display(o.id))
               ? ""
               : "its definition changes";
}

void create_range(Differ& d, const Object& o) {
    const Object* l = d.live().find(o.id);
    if (l) recreate(d, *l, o, create_range_sql(o), "TYPE");
    else d.create(o, create_range_sql(o), "CREATE TYPE " + display(o.id));
    d.comment(nullptr, o);
}

void alter_range(Differ& d, const Object& l, const Object& o) { d.comment(&l, o); }

void drop_range(Differ& d, const Object& l) {
    if (d.desired().find(l.id)) return;  // recreated: create_range renames and drops it
    d.drop(l, ddl::drop(l.id), "DROP TYPE " + display(l.id));
}

}  // namespace

const KindDiff k_domain_diff{domain_replace_reason, create_domain, alter_domain, drop_domain};
const KindDiff k_composite_type_diff{composite_replace_reason, create_composite, alter_composite, drop_composite};
const KindDiff k_range_type_diff{range_replace_reason, create_range, alter_range, drop_range};

}  // namespace pgflux::diff
