// Differs of views and materialized views.
//
// A view's query changes with CREATE OR REPLACE VIEW as long as its columns
// stay and new ones come last (PostgreSQL's rule); otherwise the view is
// dropped and created, and so is everything that depends on it. A
// materialized view whose query changes is always dropped and created, its
// indexes with it. DDL is written from the canonical attributes: with a
// shadow database these are PostgreSQL's own pg_get_viewdef() text, which is
// schema-qualified (as pg_dump writes views).
#include <algorithm>

#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {

std::string column_list(const json& attrs) {
    if (!attrs.contains("columns") || attrs["columns"].empty()) return "";
    std::vector<std::string> names;
    for (const json& c : attrs["columns"]) names.push_back(c["name"]);
    return " (" + join_idents(names) + ")";
}

std::string create_view(const Object& o, bool replace) {
    const json& a = o.attrs;
    return std::string("CREATE ") + (replace ? "OR REPLACE " : "") + "VIEW " + o.id.sql_name() + column_list(a) +
           ddl::with_options(a["options"]) + " AS\n" + a["query"].get<std::string>() + ";";
}

std::string create_materialized_view(const Object& o) {
    const json& a = o.attrs;
    bool with_data = ddl_attributes(o).value("with_data", true);
    return "CREATE MATERIALIZED VIEW " + o.id.sql_name() + column_list(a) + ddl::with_options(a["options"]) + " AS\n" +
           a["query"].get<std::string>() + (with_data ? "\nWITH DATA;" : "\nWITH NO DATA;");
}

// The live and desired values of a map attribute by column ("column_comments"),
// and every column either names.
struct ColumnMap {
    json before, after;
    std::set<std::string> columns;
    ColumnMap(const Object* l, const Object& o, const char* key)
        : before(l ? l->attrs.value(key, json::object()) : json::object()), after(o.attrs.value(key, json::object())) {
        for (const json* side : {&before, &after})
            for (auto it = side->begin(); it != side->end(); ++it) columns.insert(it.key());
    }
};

void column_comments(Differ& d, const Object* l, const Object& o) {
    ColumnMap map(l, o, "column_comments");
    const json &before = map.before, &after = map.after;
    for (const std::string& name : map.columns) {
        json value = after.value(name, json());
        if (before.value(name, json()) == value || (d.verify() && value.is_null())) continue;
        json attrs = value.is_null() ? json::object() : json{{"comment", value}};
        d.alter(o.id, ddl::comment(o.id, attrs, name), "COMMENT ON COLUMN " + display_column(o.id, name)).step.action =
            "comment";
    }
}

void column_defaults(Differ& d, const Object* l, const Object& o) {
    ColumnMap map(l, o, "column_defaults");
    const json &before = map.before, &after = map.after;
    for (const std::string& name : map.columns) {
        json value = after.value(name, json());
        if (d.same(before.value(name, json()), value, "default", "column " + display_column(o.id, name)) ||
            (d.verify() && value.is_null()))
            continue;
        std::string head = "ALTER VIEW " + o.id.sql_name() + " ALTER COLUMN " + quote_ident(name);
        std::string summary = "ALTER VIEW " + display(o.id) + " ALTER COLUMN " + quote_ident(name);
        if (value.is_null()) d.alter(o.id, head + " DROP DEFAULT;", summary + " DROP DEFAULT");
        else d.alter(o.id, head + " SET DEFAULT " + value.get<std::string>() + ";", summary + " SET DEFAULT");
    }
}

// Can CREATE OR REPLACE turn the live columns into the desired ones?
std::string columns_replace_reason(Differ& d, const Object& l, const Object& o) {
    if (!o.attrs.contains("columns")) return "";  // unknown without a shadow database: try in place
    const json &lc = l.attrs["columns"], &oc = o.attrs["columns"];
    if (oc.size() < lc.size()) return "columns are removed";
    for (size_t i = 0; i < lc.size(); ++i) {
        if (lc[i]["name"] != oc[i]["name"]) return "its columns change";
        if (lc[i].contains("type") && oc[i].contains("type") &&
            !d.same(lc[i]["type"], oc[i]["type"], "type", "view " + display(o.id)))
            return "the type of column " + quote_ident(lc[i]["name"].get<std::string>()) + " changes";
    }
    return "";
}

// Column names, and types where both sides know them (a source read without
// a shadow database knows at most the names it wrote).
json column_names(const json& columns) {
    json out = json::array();
    for (const json& c : columns) out.push_back(c["name"]);
    return out;
}

bool same_definition(Differ& d, const Object& l, const Object& o) {
    const std::string what = kind_words(o.id.kind) + " " + display(o.id);
    bool columns_same = true;
    if (o.attrs.contains("columns")) {
        const json& oc = o.attrs["columns"];
        bool typed = !oc.empty() && oc[0].contains("type");
        columns_same = typed ? d.same(l.attrs["columns"], oc, "", what)
                             : column_names(l.attrs["columns"]) == column_names(oc);
    }
    return columns_same && d.same(l.attrs["query"], o.attrs["query"], "query", what);
}

std::string view_replace_reason(Differ& d, const Object& l, const Object& o) {
    if (same_definition(d, l, o)) return "";
    return columns_replace_reason(d, l, o);
}

void create_view_step(Differ& d, const Object& o) {
    d.create(o, create_view(o, false), "CREATE VIEW " + display(o.id));
    column_defaults(d, nullptr, o);
    d.comment(nullptr, o);
    column_comments(d, nullptr, o);
}

void alter_view(Differ& d, const Object& l, const Object& o) {
    if (!same_definition(d, l, o)) {
        // The whole definition again (its options included); it stops using
        // what the old query used.
        d.redefine(l, o, create_view(o, true), "CREATE OR REPLACE VIEW " + display(o.id));
    } else if (l.attrs["options"] != o.attrs["options"]) {
        alter_relation_options(d, l, o);
    }
    column_defaults(d, &l, o);
    d.comment(&l, o);
    column_comments(d, &l, o);
}

std::string materialized_view_replace_reason(Differ& d, const Object& l, const Object& o) {
    return same_definition(d, l, o) ? "" : "its query changes";
}

void create_materialized_view_step(Differ& d, const Object& o) {
    d.create(o, create_materialized_view(o), "CREATE MATERIALIZED VIEW " + display(o.id));
    d.comment(nullptr, o);
    column_comments(d, nullptr, o);
}

void alter_materialized_view(Differ& d, const Object& l, const Object& o) {
    if (l.attrs["options"] != o.attrs["options"]) alter_relation_options(d, l, o);
    d.comment(&l, o);
    column_comments(d, &l, o);
}

void drop_relation(Differ& d, const Object& l) {
    d.drop(l, ddl::drop(l.id), std::string("DROP ") + ddl::kind_keyword(l.id.kind) + " " + display(l.id));
}

}  // namespace

// ALTER TABLE / [MATERIALIZED] VIEW ... SET (...) / RESET (...) for changed options.
void alter_relation_options(Differ& d, const Object& l, const Object& o) {
    const json none = json::array();
    const json& before = l.attrs.contains("options") ? l.attrs["options"] : none;
    const json& after = o.attrs.contains("options") ? o.attrs["options"] : none;
    auto name_of = [](const json& option) { return option.get<std::string>().substr(0, option.get<std::string>().find('=')); };
    json set = json::array();
    std::vector<std::string> reset;
    for (const json& option : after)
        if (std::find(before.begin(), before.end(), option) == before.end())
            set.push_back(option);
    for (const json& option : before) {
        bool kept = std::any_of(after.begin(), after.end(),
                                [&](const json& x) { return name_of(x) == name_of(option); });
        if (!kept) reset.push_back(name_of(option));
    }
    std::string head = std::string("ALTER ") + ddl::kind_keyword(o.id.kind) + " " + o.id.sql_name();
    if (!reset.empty()) {
        std::string list;
        for (const auto& r : reset) list += (list.empty() ? "" : ", ") + r;
        d.alter(o.id, head + " RESET (" + list + ");", head.substr(6) + " RESET (" + list + ")");
    }
    if (!set.empty()) d.alter(o.id, head + " SET" + ddl::with_options(set).substr(5) + ";", head.substr(6) + " SET options");
}

const KindDiff k_view_diff{view_replace_reason, create_view_step, alter_view, drop_relation};
const KindDiff k_materialized_view_diff{materialized_view_replace_reason, create_materialized_view_step,
                                        alter_materialized_view, drop_relation};

}  // namespace pgflux::diff
